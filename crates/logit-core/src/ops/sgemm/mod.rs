//! logit's own f32 GEMM for CPUs with AVX-512: 12×32 register tiles (24 accumulators, two
//! vector loads of B and twelve broadcasts of A per step) over operands packed into
//! cache-sized blocks, as BLIS and oneDNN do. matrixmultiply's AVX-512 kernel is 16×16, whose
//! sixteen broadcasts and one load per sixteen multiply-adds keep the load ports, not the FMA
//! units, busy. Other CPUs and f64 keep matrixmultiply.
//!
//! An A used against many B's (a convolution's weight against each image) can be packed once
//! ([`PackedA`]).
//!
//! Each output element is its start value (or 0) plus the `KC`-long partial sums of
//! `A[i, p]·B[p, j]` in order of `p`, added in order of the `KC` blocks. Which block of C a
//! thread computes never changes that, so results do not depend on the thread count.

#[cfg(target_arch = "x86_64")]
mod blocked;
#[cfg(target_arch = "x86_64")]
mod kernel;
#[cfg(target_arch = "x86_64")]
mod pack;

/// Rows of A in one register tile (broadcast operand).
pub(crate) const MR: usize = 12;
/// Columns of B in one register tile: two 16-lane vectors.
const NR: usize = 32;
/// Depth of one packed block: an `MR × KC` panel of A (18 KiB) stays in L1.
const KC: usize = 384;
/// Columns of B packed at once: a `KC × NB` block (720 KiB) stays in L2.
const NB: usize = 480;
/// Rows of A packed at once (in L3).
const MB: usize = 3072;

/// Work on a finished block of C, `(i0, rows, j0, cols)` in C's coordinates (an eval-mode
/// convolution's batch norm, residual add and ReLU), run while the block is still in cache.
pub(crate) type Epilogue<'a> = &'a (dyn Fn(usize, usize, usize, usize) + Sync);

/// The three matrices as raw pointers with element strides (A's unused when it is packed).
#[derive(Clone, Copy)]
struct Operands {
    a: *const f32,
    rsa: isize,
    csa: isize,
    b: *const f32,
    rsb: isize,
    csb: isize,
    c: *mut f32,
    rsc: isize,
    csc: isize,
}

/// `C = alpha·A·B + beta·C` with matrixmultiply's signature and strides; the AVX-512 kernel
/// when the CPU has it, matrixmultiply otherwise.
///
/// # Safety
/// The pointers and strides must describe valid `m×k`, `k×n` and `m×n` matrices, C not
/// overlapping A or B.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn sgemm(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: *const f32,
    rsa: isize,
    csa: isize,
    b: *const f32,
    rsb: isize,
    csb: isize,
    beta: f32,
    c: *mut f32,
    rsc: isize,
    csc: isize,
) {
    let accumulate = beta == 1.0;
    // SAFETY: the caller vouches for the matrices.
    if alpha == 1.0
        && (beta == 0.0 || accumulate)
        && unsafe {
            sgemm_then(
                (m, k, n),
                a,
                (rsa, csa),
                b,
                (rsb, csb),
                c,
                (rsc, csc),
                accumulate,
                None,
            )
        }
    {
        return;
    }
    // SAFETY: the caller vouches for the matrices.
    unsafe { matrixmultiply::sgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
}

/// `C (+)= A·B` on logit's kernel, with `epilogue` run on each tile as it is finished; `false`
/// (nothing done) on a CPU without the kernel or for an empty depth.
///
/// # Safety
/// As [`sgemm`].
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn sgemm_then(
    (m, k, n): (usize, usize, usize),
    a: *const f32,
    (rsa, csa): (isize, isize),
    b: *const f32,
    (rsb, csb): (isize, isize),
    c: *mut f32,
    (rsc, csc): (isize, isize),
    accumulate: bool,
    epilogue: Option<Epilogue>,
) -> bool {
    if k == 0 || !has_avx512() {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        let x = Operands {
            a,
            rsa,
            csa,
            b,
            rsb,
            csb,
            c,
            rsc,
            csc,
        };
        // SAFETY: the CPU has AVX-512F; the caller vouches for the matrices.
        unsafe { blocked::blocked(m, k, n, &x, None, accumulate, epilogue) };
    }
    true
}

fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx512f");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// An `m×k` A packed once into the kernel's panels, for products with many B's. Depth block
/// `p0` (a multiple of `KC`) starts at `m_pad · p0` and holds `m_pad / MR` panels of `kc × MR`.
pub(crate) struct PackedA {
    m: usize,
    k: usize,
    data: Vec<f32>,
}

impl PackedA {
    /// Packs the strided `m×k` matrix at `a`; `None` on a CPU without the kernel or for an
    /// empty matrix.
    pub(crate) fn new(m: usize, k: usize, a: &[f32], (rsa, csa): (usize, usize)) -> Option<Self> {
        if m == 0 || k == 0 || !has_avx512() {
            return None;
        }
        assert!(a.len() > (m - 1) * rsa + (k - 1) * csa, "A's extent");
        let m_pad = m.div_ceil(MR) * MR;
        // every element is written by the packing below
        let mut data = crate::memory::scratch::<f32>(m_pad * k);
        #[cfg(target_arch = "x86_64")]
        {
            let x = Operands {
                a: a.as_ptr(),
                rsa: rsa as isize,
                csa: csa as isize,
                b: std::ptr::null(),
                rsb: 0,
                csb: 0,
                c: std::ptr::null_mut(),
                rsc: 0,
                csc: 0,
            };
            for p0 in (0..k).step_by(KC) {
                let kc = KC.min(k - p0);
                // SAFETY: the CPU has AVX-512F (checked above) and A's extent was checked.
                unsafe { pack::pack_a(&mut data[m_pad * p0..][..m_pad * kc], &x, 0, m, p0, kc) };
            }
        }
        Some(PackedA { m, k, data })
    }

    /// Rows of A.
    pub(crate) fn rows(&self) -> usize {
        self.m
    }

    /// The panels of rows `i0..i0 + rows` (`i0` a multiple of `MR`) in depth block `p0`.
    fn panels(&self, i0: usize, rows: usize, p0: usize) -> &[f32] {
        let (m_pad, kc) = (self.m.div_ceil(MR) * MR, KC.min(self.k - p0));
        &self.data[m_pad * p0 + i0 * kc..][..rows.div_ceil(MR) * MR * kc]
    }

    /// `C (+)= A[i0..i0 + rows]·B` for a strided `k×n` B and the `rows×n` C at `c`, with
    /// `epilogue` run on each finished tile (in the coordinates of that C).
    ///
    /// # Safety
    /// `i0` is a multiple of `MR` with `i0 + rows <= m`; B and C's pointers and strides
    /// describe valid matrices, C not overlapping B.
    #[allow(clippy::too_many_arguments)]
    pub(crate) unsafe fn multiply(
        &self,
        (i0, rows): (usize, usize),
        n: usize,
        b: *const f32,
        (rsb, csb): (isize, isize),
        c: *mut f32,
        (rsc, csc): (isize, isize),
        accumulate: bool,
        epilogue: Option<Epilogue>,
    ) {
        debug_assert!(i0 % MR == 0 && i0 + rows <= self.m);
        let x = Operands {
            a: std::ptr::null(),
            rsa: 0,
            csa: 0,
            b,
            rsb,
            csb,
            c,
            rsc,
            csc,
        };
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a PackedA exists only on a CPU with AVX-512F; the caller vouches for B, C.
        unsafe {
            blocked::blocked(rows, self.k, n, &x, Some((self, i0)), accumulate, epilogue)
        };
    }
}
