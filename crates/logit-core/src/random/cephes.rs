//! The single-precision `log` and `sincos` that PyTorch's AVX2 `normal_` kernel uses
//! (`avx_mathfun.h`, Cephes polynomials), written lane by lane. They differ from the correctly
//! rounded `logf`/`sinf` in the last bit now and then, so `randn` reproduces PyTorch's bits only
//! with these exact operation sequences. PyTorch's build lets the compiler fuse each multiply
//! into the add that consumes it; `fma` marks those places (read off its AVX2 machine code).
#![allow(clippy::excessive_precision)]

#[inline(always)]
fn fma(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
}

// The constants keep the decimal digits of the original source: each must round to the very
// same f32 as there, so no digit may be dropped.
/// `0.707106781186547524` in the source, the same f32.
const SQRTHF: f32 = std::f32::consts::FRAC_1_SQRT_2;
const LOG_P: [f32; 9] = [
    7.0376836292E-2,
    -1.1514610310E-1,
    1.1676998740E-1,
    -1.2420140846E-1,
    1.4249322787E-1,
    -1.6668057665E-1,
    2.0000714765E-1,
    -2.4999993993E-1,
    3.3333331174E-1,
];
const LOG_Q1: f32 = -2.12194440e-4;
const LOG_Q2: f32 = 0.693359375;

/// `log256_ps` for one lane (`x` in `(0, 1]` here; no NaN handling needed).
#[inline(always)]
pub(crate) fn log(x: f32) -> f32 {
    let x = x.max(f32::MIN_POSITIVE);
    let bits = x.to_bits();
    let mut e = ((bits >> 23) as i32 - 0x7f) as f32 + 1.0;
    let mut m = f32::from_bits((bits & !0x7f80_0000) | 0.5f32.to_bits());
    let small = m < SQRTHF;
    let tmp = if small { m } else { 0.0 };
    m -= 1.0;
    e -= if small { 1.0 } else { 0.0 };
    m += tmp;
    let z = m * m;
    let mut y = LOG_P[0];
    for &p in &LOG_P[1..] {
        y = fma(y, m, p);
    }
    y *= m;
    let y = fma(y, z, e * LOG_Q1);
    let y = fma(-z, 0.5, y);
    fma(e, LOG_Q2, m + y)
}

const FOPI: f32 = 1.27323954473516;
const DP: [f32; 3] = [
    -0.78515625,
    -2.4187564849853515625e-4,
    -3.77489497744594108e-8,
];
const SINCOF: [f32; 3] = [-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1];
const COSCOF: [f32; 3] = [
    2.443315711809948E-005,
    -1.388731625493765E-003,
    4.166664568298827E-002,
];

/// `sincos256_ps` for one lane: `(sin x, cos x)` after the Cephes octant reduction.
#[inline(always)]
pub(crate) fn sincos(x: f32) -> (f32, f32) {
    let sign_sin = x.to_bits() & 0x8000_0000;
    let ax = x.abs();
    let j = (((ax * FOPI) as i32).wrapping_add(1)) & !1;
    let y = j as f32;
    let swap_sin = ((j & 4) as u32) << 29;
    let poly_sin = (j & 2) == 0; // the sine polynomial holds the sine
    let cos_sign = ((!(j.wrapping_sub(2)) & 4) as u32) << 29;
    let xr = fma(y, DP[2], fma(y, DP[1], fma(y, DP[0], ax)));
    let z = xr * xr;
    let mut c = fma(COSCOF[0], z, COSCOF[1]);
    c = fma(c, z, COSCOF[2]);
    // the compiler fuses the earlier multiply (c·z) into the subtraction, not z·0.5
    c = fma(c * z, z, -(z * 0.5)) + 1.0;
    let mut s = fma(SINCOF[0], z, SINCOF[1]);
    s = fma(s, z, SINCOF[2]);
    s = fma(s * z, xr, xr);
    let (ysin, ycos) = if poly_sin { (s, c) } else { (c, s) };
    (
        f32::from_bits(ysin.to_bits() ^ sign_sin ^ swap_sin),
        f32::from_bits(ycos.to_bits() ^ cos_sign),
    )
}
