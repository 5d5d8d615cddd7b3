//! Vectorisable f32 `exp`, `log1p` on `[0, 1]` and sigmoid, with runtime dispatch to AVX2 or
//! AVX-512 on x86-64.
//!
//! libm's scalar `expf` stops LLVM from vectorising a loop. These kernels are branch-free
//! polynomials (Cephes' `expf` coefficients, an atanh series for `log1p`) that LLVM turns into
//! SIMD code; rounding uses the 1.5·2²³ trick instead of `floor` so plain SSE2 vectorises too.
//! Every multiply-add is an explicit `mul_add`: a true fused operation on every path (the FMA
//! instruction where the dispatched code has it, a correctly rounded software fused
//! multiply-add otherwise), so every path gives the same bits; results stay within 2 ulp of
//! libm (tested below).

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Below this, `eˣ` is under the smallest normal f32: return 0 (no denormals).
const EXP_LO: f32 = -87.336_55;
/// Above this, `eˣ` overflows.
const EXP_HI: f32 = 88.722_83;

/// `eˣ` for `x` already clamped to `[EXP_LO, EXP_HI]`: Cephes' range reduction and
/// polynomial, `2ⁿ` applied in two exact factors so `n = 128` does not overflow.
#[inline(always)]
fn exp_clamped(xc: f32) -> f32 {
    let magic = 12_582_912.0f32; // 1.5 · 2^23
    let t = xc.mul_add(LOG2E, magic);
    let n = t - magic;
    // the integer n sits in t's low mantissa bits: no float-to-int conversion (whose
    // saturating semantics would stop vectorisation)
    let ni = t.to_bits() as i32 - magic.to_bits() as i32;
    let r = (-n).mul_add(LN2_LO, (-n).mul_add(LN2_HI, xc));
    let z = r * r;
    let p = 1.987_569_1e-4f32
        .mul_add(r, 1.398_199_9e-3)
        .mul_add(r, 8.333_452e-3)
        .mul_add(r, 4.166_579_6e-2)
        .mul_add(r, 1.666_666_5e-1)
        .mul_add(r, 0.5);
    let y = p.mul_add(z, r) + 1.0;
    let half = ni >> 1;
    let s1 = f32::from_bits(((half + 127) as u32) << 23);
    let s2 = f32::from_bits(((ni - half + 127) as u32) << 23);
    y * s1 * s2
}

/// `eˣ` for f32, within 2 ulp of libm for normal results; 0 below −87.3, ∞ above 88.7.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    let v = exp_clamped(x.clamp(EXP_LO, EXP_HI));
    if x < EXP_LO {
        0.0
    } else if x > EXP_HI {
        f32::INFINITY
    } else if x.is_nan() {
        x
    } else {
        v
    }
}

/// `ln(1 + e)` for `e ∈ [0, 1]`: `2·atanh(s)` with `s = e/(2 + e) ≤ 1/3`, relative error below
/// 1e-7, exact as `e → 0`.
#[inline(always)]
pub fn log1p_unit_f32(e: f32) -> f32 {
    let s = e / (2.0 + e);
    let z = s * s;
    let t = ((((((1.0 / 13.0) * z + 1.0 / 11.0) * z + 1.0 / 9.0) * z + 1.0 / 7.0) * z + 1.0 / 5.0)
        * z
        + 1.0 / 3.0)
        * z;
    2.0 * s + 2.0 * s * t
}

/// `eˣ` for `x ≤ 0` (or NaN): [`exp_f32`] without the overflow handling it cannot need, so
/// sigmoid and the logit losses spend fewer instructions per element. Same bits as
/// [`exp_f32`] on its domain (a NaN propagates through the arithmetic).
#[inline(always)]
pub fn exp_neg_f32(x: f32) -> f32 {
    let v = exp_clamped(x.max(EXP_LO));
    if x < EXP_LO {
        0.0
    } else {
        v
    }
}

/// `σ(x)` for f32 through [`exp_neg_f32`]: `1/(1 + e^{−|x|})`, mirrored for negative `x`.
#[inline(always)]
pub fn sigmoid_f32(x: f32) -> f32 {
    let e = exp_neg_f32(-x.abs());
    let r = 1.0 / (1.0 + e);
    if x >= 0.0 {
        r
    } else {
        e * r
    }
}

/// Defines `pub fn $name(x: &[f32], out: &mut [MaybeUninit<f32>])` writing `$f` of every
/// element (fresh output buffers need not be initialised first), through the one run-time
/// dispatch ([`simd_dispatch`]).
macro_rules! dispatch_map {
    ($(#[$doc:meta])* $name:ident, $f:path) => {
        $(#[$doc])*
        pub fn $name(x: &[f32], out: &mut [std::mem::MaybeUninit<f32>]) {
            $crate::simd_dispatch!(fn run(x: &[f32], out: &mut [std::mem::MaybeUninit<f32>]) {
                for (o, &v) in out.iter_mut().zip(x) {
                    o.write($f(v));
                }
            });
            run(x, out)
        }
    };
}

dispatch_map!(
    /// `out[i] = σ(x[i])`, vectorised.
    sigmoid_f32_slice,
    sigmoid_f32
);
dispatch_map!(
    /// `out[i] = e^{x[i]}`, vectorised.
    exp_f32_slice,
    exp_f32
);

/// Defines `fn $name(args) body` compiled three times (AVX-512+FMA, AVX2+FMA, baseline) and
/// picks the best the CPU has at run time: the only SIMD dispatch in logit, used by the
/// elementwise maps here, the fused loss kernels and (in its second form, generic over one
/// type parameter) the small-GEMM kernel.
#[macro_export]
#[doc(hidden)]
macro_rules! simd_dispatch {
    (fn $name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,fma")]
                unsafe fn avx512($($arg: $ty),*) {
                    body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2($($arg: $ty),*) {
                    body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU supports the feature the function was compiled for.
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: as above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            body($($arg),*)
        }
    };
    // the same for a function generic over one type parameter (a kernel for f32 and f64), with
    // a visibility when another module calls it
    ($vis:vis fn $name:ident<$t:ident: $bound:path>($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $vis fn $name<$t: $bound>($($arg: $ty),*) {
            #[inline(always)]
            fn body<$t: $bound>($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,fma")]
                unsafe fn avx512<$t: $bound>($($arg: $ty),*) {
                    body::<$t>($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2<$t: $bound>($($arg: $ty),*) {
                    body::<$t>($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU supports the feature the function was compiled for.
                    return unsafe { avx512::<$t>($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: as above.
                    return unsafe { avx2::<$t>($($arg),*) };
                }
            }
            body::<$t>($($arg),*)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn exp_is_within_two_ulp_of_libm() {
        let mut worst = 0;
        let mut x = -87.0f32;
        while x < 88.5 {
            worst = worst.max(ulps(exp_f32(x), x.exp()));
            x += 0.000_37;
        }
        assert!(worst <= 2, "worst {worst} ulp");
        assert_eq!(exp_f32(-100.0), 0.0);
        assert_eq!(exp_f32(100.0), f32::INFINITY);
        assert!(exp_f32(f32::NAN).is_nan());
        assert_eq!(exp_f32(0.0), 1.0);
        let mut x = -100.0f32;
        while x <= 0.0 {
            assert_eq!(exp_neg_f32(x).to_bits(), exp_f32(x).to_bits(), "{x}");
            x += 0.001_3;
        }
    }

    #[test]
    fn log1p_and_sigmoid_are_accurate() {
        for i in 0..=10_000 {
            let e = i as f32 / 10_000.0;
            let want = (e as f64).ln_1p();
            assert!(
                ((log1p_unit_f32(e) as f64) - want).abs() <= 2e-7 * want.max(1e-30),
                "{e}"
            );
        }
        for i in -20_000..=20_000 {
            let x = i as f32 / 1000.0;
            let want = 1.0 / (1.0 + (-(x as f64)).exp());
            assert!(((sigmoid_f32(x) as f64) - want).abs() <= 3e-7 * want, "{x}");
        }
        let xs: Vec<f32> = (0..100).map(|i| i as f32 - 50.0).collect();
        let mut out = vec![std::mem::MaybeUninit::uninit(); 100];
        sigmoid_f32_slice(&xs, &mut out);
        // SAFETY: the kernel wrote all 100 elements.
        let out: Vec<f32> = out
            .into_iter()
            .map(|o| unsafe { o.assume_init() })
            .collect();
        assert!(
            out.iter().zip(&xs).all(|(o, &x)| *o == sigmoid_f32(x)),
            "the dispatched path gives the same bits"
        );
    }
}
