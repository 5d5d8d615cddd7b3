//! The one GEMM helper every product uses (`matmul`, `linear`, `conv2d` and their
//! backwards): strided operands, so transposes cost no copy; `Float::gemm` for large products
//! (logit's AVX-512 kernel for f32, matrixmultiply otherwise), split over threads by output
//! blocks; plain loops for small ones (`small_gemm.rs`).

use super::sgemm::{sgemm_then, Epilogue, PackedA, MR};
use super::small_gemm::small_gemm;
use crate::Float;
use std::any::TypeId;

/// Below this many multiply-adds, a plain loop beats a packing GEMM.
pub(super) const SMALL_GEMM: usize = 16 * 1024;

/// `C (+)= A·B` for strided `m×k` A and `k×n` B into strided C; `accumulate` keeps C's values.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm<T: Float>(
    dims: (usize, usize, usize),
    a: &[T],
    sa: (usize, usize),
    b: &[T],
    sb: (usize, usize),
    c: &mut [T],
    sc: (usize, usize),
    accumulate: bool,
) {
    gemm_then(dims, a, sa, b, sb, c, sc, accumulate, None);
}

/// [`gemm`], then `epilogue` on every block of C once it holds `A·B`: tile by tile inside
/// logit's f32 kernel (while each tile is in L1), per thread block otherwise.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_then<T: Float>(
    (m, k, n): (usize, usize, usize),
    a: &[T],
    (rsa, csa): (usize, usize),
    b: &[T],
    (rsb, csb): (usize, usize),
    c: &mut [T],
    (rsc, csc): (usize, usize),
    accumulate: bool,
    epilogue: Option<Epilogue>,
) {
    if m == 0 || n == 0 {
        return;
    }
    if m * k * n <= SMALL_GEMM || k == 0 {
        small_gemm(
            (m, k, n),
            a,
            (rsa, csa),
            b,
            (rsb, csb),
            c,
            (rsc, csc),
            accumulate,
        );
        if let Some(epilogue) = epilogue {
            epilogue(0, m, 0, n);
        }
        return;
    }
    let beta = if accumulate { T::one() } else { T::zero() };
    // SAFETY (for every raw call below): the caller's slices cover the strided extents of each
    // matrix, which these asserts check at their last element.
    assert!(a.len() > (m - 1) * rsa + (k - 1) * csa);
    assert!(b.len() > (k - 1) * rsb + (n - 1) * csb);
    assert!(c.len() > (m - 1) * rsc + (n - 1) * csc);
    let (pa, pb, pc) = (
        SendPtr(a.as_ptr() as *mut T),
        SendPtr(b.as_ptr() as *mut T),
        SendPtr(c.as_mut_ptr()),
    );
    let raw = |i0: usize, rows: usize, j0: usize, cols: usize| unsafe {
        let (a, b, c) = (
            pa.get().add(i0 * rsa),
            pb.get().add(j0 * csb),
            pc.get().add(i0 * rsc + j0 * csc),
        );
        let s = |r: usize, c: usize| (r as isize, c as isize);
        let ((rsa, csa), (rsb, csb), (rsc, csc)) = (s(rsa, csa), s(rsb, csb), s(rsc, csc));
        let product = || T::gemm(rows, k, cols, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc);
        let Some(epilogue) = epilogue else {
            return product();
        };
        // logit's kernel runs the epilogue tile by tile; otherwise it follows the block
        let tiles = |i: usize, r: usize, j: usize, cl: usize| epilogue(i0 + i, r, j0 + j, cl);
        let (a32, b32, c32) = (a.cast(), b.cast(), c.cast());
        let in_tiles = TypeId::of::<T>() == TypeId::of::<f32>()
            && sgemm_then(
                (rows, k, cols),
                a32,
                (rsa, csa),
                b32,
                (rsb, csb),
                c32,
                (rsc, csc),
                accumulate,
                Some(&tiles),
            );
        if !in_tiles {
            product();
            epilogue(i0, rows, j0, cols);
        }
    };
    split((m, k, n), 1, raw);
}

/// Runs `block(i0, rows, j0, cols)` over C: whole on one thread for small products, else one
/// block of the larger output dim per thread (row blocks start at multiples of `row_align`).
/// Each output element is computed the same way whatever the split, so results do not depend
/// on the thread count.
fn split(
    (m, k, n): (usize, usize, usize),
    row_align: usize,
    block: impl Fn(usize, usize, usize, usize) + Sync + Send,
) {
    let threads = crate::parallel::threads_here();
    if threads == 1 || m * k * n < PARALLEL_GEMM {
        block(0, m, 0, n);
        return;
    }
    if m >= n {
        let step = m.div_ceil(threads).div_ceil(row_align) * row_align;
        crate::parallel::for_each(m.div_ceil(step), |p| {
            block(p * step, step.min(m - p * step), 0, n)
        });
    } else {
        let step = n.div_ceil(threads);
        crate::parallel::for_each(n.div_ceil(step), |p| {
            block(0, m, p * step, step.min(n - p * step))
        });
    }
}

/// A left operand used against many right ones (a convolution's weight against each image):
/// packed once where the f32 AVX-512 kernel runs, as it is elsewhere.
pub(crate) enum Lhs<'a, T> {
    /// A strided matrix, packed by every product.
    Strided(&'a [T], (usize, usize)),
    /// Packed for the f32 kernel (`T` is `f32`).
    Packed(PackedA),
}

impl<'a, T: Float> Lhs<'a, T> {
    /// Prepares the strided `m×k` A for `uses` products with `k×n` B's. A is packed only
    /// for more than one: packed whole it no longer fits in cache, so a single product is
    /// faster packing each depth block just before it reads it.
    pub(crate) fn new(
        (m, k, n): (usize, usize, usize),
        a: &'a [T],
        sa: (usize, usize),
        uses: usize,
    ) -> Self {
        match as_f32(a) {
            Some(a32) if m * k * n > SMALL_GEMM && uses > 1 => {
                PackedA::new(m, k, a32, sa).map_or(Lhs::Strided(a, sa), Lhs::Packed)
            }
            _ => Lhs::Strided(a, sa),
        }
    }

    /// `C (+)= A·B` and the epilogue, as [`gemm_then`] does.
    pub(crate) fn gemm(
        &self,
        (m, k, n): (usize, usize, usize),
        b: &[T],
        sb: (usize, usize),
        c: &mut [T],
        sc: (usize, usize),
        accumulate: bool,
        epilogue: Option<Epilogue>,
    ) {
        let pa = match self {
            Lhs::Strided(a, sa) => {
                return gemm_then((m, k, n), a, *sa, b, sb, c, sc, accumulate, epilogue)
            }
            Lhs::Packed(pa) => pa,
        };
        let (b, c) = (as_f32(b), as_f32_mut(c));
        let (Some(b), Some(c)) = (b, c) else {
            unreachable!("an A is packed only when T is f32")
        };
        assert_eq!(pa.rows(), m, "a packed A's rows");
        if n == 0 {
            return;
        }
        let ((rsb, csb), (rsc, csc)) = (sb, sc);
        assert!(b.len() > (k - 1) * rsb + (n - 1) * csb);
        assert!(c.len() > (m - 1) * rsc + (n - 1) * csc);
        let (pb, pc) = (SendPtr(b.as_ptr() as *mut f32), SendPtr(c.as_mut_ptr()));
        split((m, k, n), MR, |i0, rows, j0, cols| {
            let tiles = epilogue.map(|e| move |i, r, j, cl| e(i0 + i, r, j0 + j, cl));
            // SAFETY: the blocks lie inside B and C (asserted above) and are disjoint.
            unsafe {
                pa.multiply(
                    (i0, rows),
                    cols,
                    pb.get().add(j0 * csb),
                    (rsb as isize, csb as isize),
                    pc.get().add(i0 * rsc + j0 * csc),
                    (rsc as isize, csc as isize),
                    accumulate,
                    tiles.as_ref().map(|t| t as Epilogue),
                )
            }
        });
    }
}

/// `s` as `f32` values when `T` is `f32`.
fn as_f32<T: 'static>(s: &[T]) -> Option<&[f32]> {
    // SAFETY: T is f32, so the cast changes nothing.
    (TypeId::of::<T>() == TypeId::of::<f32>())
        .then(|| unsafe { std::slice::from_raw_parts(s.as_ptr().cast(), s.len()) })
}

/// `s` as mutable `f32` values when `T` is `f32`.
fn as_f32_mut<T: 'static>(s: &mut [T]) -> Option<&mut [f32]> {
    // SAFETY: as above.
    (TypeId::of::<T>() == TypeId::of::<f32>())
        .then(|| unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast(), s.len()) })
}

/// Above this many multiply-adds a GEMM is split over threads (below, waking the pool and
/// packing the shared operand twice cost more than they save).
const PARALLEL_GEMM: usize = 1 << 23;

/// A raw matrix pointer that may cross threads. The large-product kernels take raw pointers and
/// strides, and a column split of `C` (a block of every row) is not a set of disjoint slices,
/// so the split keeps pointers; the blocks each thread writes are disjoint (checked above).
#[derive(Clone, Copy)]
pub(super) struct SendPtr<T>(pub(super) *mut T);
// SAFETY: the pointers are only dereferenced by `gemm` on disjoint output blocks, while the
// borrowed slices they come from are alive.
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}
impl<T> SendPtr<T> {
    /// The pointer (a method, so closures capture the whole `Send` wrapper).
    pub(super) fn get(self) -> *mut T {
        self.0
    }
}
