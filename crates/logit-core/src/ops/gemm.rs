//! The one GEMM helper every product uses (`matmul`, `linear`, `conv2d` and their
//! backwards): strided operands, so transposes cost no copy; `Float::gemm` for large products
//! (logit's AVX-512 kernel for f32, matrixmultiply otherwise), split over threads by output
//! blocks; plain loops for small ones.

use super::sgemm::{sgemm_then, Epilogue, PackedA, MR};
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
                &tiles,
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

// The plain-loop product for small sizes, compiled for the widest SIMD the CPU has (without
// FMA contraction, so every CPU computes the same bits). Each `C[i, j]` is `C`'s start value
// (or 0) plus `A[i, p]·B[p, j]` added in order of `p`, whichever path runs, so the paths
// agree to the bit.
crate::simd_dispatch!(
    fn small_gemm<T: Float>(
        dims: (usize, usize, usize),
        a: &[T],
        sa: (usize, usize),
        b: &[T],
        sb: (usize, usize),
        c: &mut [T],
        sc: (usize, usize),
        accumulate: bool,
    ) {
        let ((m, k, n), (rsa, csa), (rsb, csb), (rsc, csc)) = (dims, sa, sb, sc);
        let start = |c: &[T], at: usize| if accumulate { c[at] } else { T::zero() };
        if n == 1 {
            // one output column (a `Linear(_, 1)`): a dot product per row, eight rows at a
            // time so that eight independent sums hide the adds' latency
            let octets = m / 8 * 8;
            for i in (0..octets).step_by(8) {
                let mut acc: [T; 8] = std::array::from_fn(|r| start(c, (i + r) * rsc));
                for p in 0..k {
                    let x = b[p * rsb];
                    for (r, v) in acc.iter_mut().enumerate() {
                        *v += a[(i + r) * rsa + p * csa] * x;
                    }
                }
                for (r, v) in acc.iter().enumerate() {
                    c[(i + r) * rsc] = *v;
                }
            }
            for i in octets..m {
                let mut acc = start(c, i * rsc);
                for p in 0..k {
                    acc += a[i * rsa + p * csa] * b[p * rsb];
                }
                c[i * rsc] = acc;
            }
            return;
        }
        let width = n.div_ceil(8) * 8;
        // fewer than four rows read each element of B once or twice: packing it would cost
        // more than the product, so they take the row loop below
        if m >= 4 && k * width <= PACK_MAX {
            // B copied once into rows padded to blocks of 8, so each block of 8 outputs stays in
            // registers over the whole k loop (a row loop would store and reload C at every p)
            // Not zeroed first: a 4 KiB fill cost more than a tiny layer's whole product.
            let mut buffer = [std::mem::MaybeUninit::<T>::uninit(); PACK_MAX];
            for p in 0..k {
                let (row, pad) = buffer[p * width..(p + 1) * width].split_at_mut(n);
                for (j, v) in row.iter_mut().enumerate() {
                    v.write(b[p * rsb + j * csb]);
                }
                for v in pad {
                    v.write(T::zero());
                }
            }
            // SAFETY: the loop above wrote each of the first `k * width` elements.
            let packed =
                unsafe { std::slice::from_raw_parts(buffer.as_ptr().cast::<T>(), k * width) };
            let tile = Tile {
                k,
                n,
                width,
                packed,
                a,
                sa: (rsa, csa),
                sc: (rsc, csc),
                accumulate,
            };
            // four rows at a time: four independent sums per lane hide the adds' latency
            let quads = m / 4 * 4;
            for i in (0..quads).step_by(4) {
                tile.rows::<4>(i, c);
            }
            for i in quads..m {
                tile.rows::<1>(i, c);
            }
            return;
        }
        // row by row, up to 8 columns at a time held in registers over the whole k loop (adding
        // into C in memory at every p stalls on each reload of a masked store)
        let row = Row {
            k,
            a,
            sa: (rsa, csa),
            b,
            sb: (rsb, csb),
            sc: (rsc, csc),
            accumulate,
        };
        for i in 0..m {
            for j0 in (0..n).step_by(8) {
                match n - j0 {
                    1 => row.block::<1>(i, j0, c),
                    2 => row.block::<2>(i, j0, c),
                    3 => row.block::<3>(i, j0, c),
                    4 => row.block::<4>(i, j0, c),
                    5 => row.block::<5>(i, j0, c),
                    6 => row.block::<6>(i, j0, c),
                    7 => row.block::<7>(i, j0, c),
                    _ => row.block::<8>(i, j0, c),
                }
            }
        }
    }
);

/// The unpacked small product, one row of C at a time.
struct Row<'a, T> {
    k: usize,
    a: &'a [T],
    sa: (usize, usize),
    b: &'a [T],
    sb: (usize, usize),
    sc: (usize, usize),
    accumulate: bool,
}

impl<T: Float> Row<'_, T> {
    /// Columns `j0..j0 + W` of row `i`: `W` sums in registers, each `C`'s start value (or 0)
    /// plus `A[i, p]·B[p, j]` in order of `p`.
    #[inline(always)]
    fn block<const W: usize>(&self, i: usize, j0: usize, c: &mut [T]) {
        let ((rsa, csa), (rsb, csb), (rsc, csc)) = (self.sa, self.sb, self.sc);
        let at = |t: usize| i * rsc + (j0 + t) * csc;
        let mut acc: [T; W] =
            std::array::from_fn(|t| if self.accumulate { c[at(t)] } else { T::zero() });
        for p in 0..self.k {
            let x = self.a[i * rsa + p * csa];
            let brow = &self.b[p * rsb + j0 * csb..];
            for (t, v) in acc.iter_mut().enumerate() {
                *v += x * brow[t * csb];
            }
        }
        for (t, v) in acc.into_iter().enumerate() {
            c[at(t)] = v;
        }
    }
}

/// The register-blocked small product: B packed in rows padded to `width` (a multiple of 8).
struct Tile<'a, T> {
    k: usize,
    n: usize,
    width: usize,
    packed: &'a [T],
    a: &'a [T],
    sa: (usize, usize),
    sc: (usize, usize),
    accumulate: bool,
}

impl<T: Float> Tile<'_, T> {
    /// Rows `i..i + R` of C, in blocks of 8 columns held in registers over the whole k loop.
    #[inline(always)]
    fn rows<const R: usize>(&self, i: usize, c: &mut [T]) {
        let ((rsa, csa), (rsc, csc)) = (self.sa, self.sc);
        for j0 in (0..self.n).step_by(8) {
            let cols = (self.n - j0).min(8);
            let mut acc = [[T::zero(); 8]; R];
            if self.accumulate {
                for (r, row) in acc.iter_mut().enumerate() {
                    for (t, v) in row[..cols].iter_mut().enumerate() {
                        *v = c[(i + r) * rsc + (j0 + t) * csc];
                    }
                }
            }
            for p in 0..self.k {
                let b = &self.packed[p * self.width + j0..][..8];
                for (r, row) in acc.iter_mut().enumerate() {
                    let x = self.a[(i + r) * rsa + p * csa];
                    for t in 0..8 {
                        row[t] += x * b[t];
                    }
                }
            }
            for (r, row) in acc.iter().enumerate() {
                for (t, &v) in row[..cols].iter().enumerate() {
                    c[(i + r) * rsc + (j0 + t) * csc] = v;
                }
            }
        }
    }
}

/// The largest B (in elements, rows padded to 8) the small path copies onto the stack.
const PACK_MAX: usize = 1024;

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
