//! The plain-loop product for small sizes (the tutorial models, where packing costs more than
//! the product): B copied onto the stack in rows padded to 8 with 4×8 output tiles, one-column
//! products eight rows at a time, and fewer than four rows a row at a time.

use crate::Float;

// The plain-loop product for small sizes, compiled for the widest SIMD the CPU has (without
// FMA contraction, so every CPU computes the same bits). Each `C[i, j]` is `C`'s start value
// (or 0) plus `A[i, p]·B[p, j]` added in order of `p`, whichever path runs, so the paths
// agree to the bit.
crate::simd_dispatch!(
    pub(super) fn small_gemm<T: Float>(
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
