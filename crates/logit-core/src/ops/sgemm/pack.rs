//! Copying A and B into the panel layouts the register tile reads: A in `MR`-row panels (a
//! group of `MR` values per step of depth), B in `NR`-column panels (a row of `NR` per step),
//! both zero-padded to whole panels. Layouts with a contiguous dimension across the panel
//! go through 16×16 transposes in registers.

use super::kernel::mask;
use super::{Operands, MR, NR};
use std::arch::x86_64::*;

/// Copies `A[m0.., p0..]` (`mb × kc`) into `MR`-row panels, each `kc` groups of `MR` values
/// (rows past `mb` as zeros).
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn pack_a(
    dst: &mut [f32],
    x: &Operands,
    m0: usize,
    mb: usize,
    p0: usize,
    kc: usize,
) {
    for (pi, panel) in dst.chunks_exact_mut(MR * kc).enumerate() {
        let i0 = m0 + pi * MR;
        let rows = MR.min(m0 + mb - i0);
        let first = x.a.offset(i0 as isize * x.rsa + p0 as isize * x.csa);
        if x.rsa == 1 {
            // a transposed A (a backward's `Wᵀ`): each group is a contiguous run
            for (p, group) in panel.chunks_exact_mut(MR).enumerate() {
                // SAFETY: rows i0..i0+rows, column p0 + p lie inside A.
                let src =
                    unsafe { std::slice::from_raw_parts(first.offset(p as isize * x.csa), rows) };
                group[..rows].copy_from_slice(src);
                group[rows..].fill(0.0);
            }
        } else if rows == MR {
            // row-major A: 16 columns of the 12 rows at a time, transposed in registers
            let done = if x.csa == 1 { kc / 16 * 16 } else { 0 };
            for p in (0..done).step_by(16) {
                // SAFETY: rows i0..i0+MR, columns p0+p..p0+p+16 lie inside A; the panel holds
                // 16 groups of MR floats from group p on.
                unsafe {
                    let block = transpose16(|r| {
                        if r < MR {
                            _mm512_loadu_ps(first.offset(r as isize * x.rsa + p as isize))
                        } else {
                            _mm512_setzero_ps()
                        }
                    });
                    for (q, v) in block.iter().enumerate() {
                        _mm512_mask_storeu_ps(panel.as_mut_ptr().add((p + q) * MR), mask(MR), *v);
                    }
                }
            }
            for (p, group) in panel.chunks_exact_mut(MR).enumerate().skip(done) {
                let col = first.offset(p as isize * x.csa);
                for (r, v) in group.iter_mut().enumerate() {
                    // SAFETY: row i0 + r < m and column p0 + p < k.
                    *v = unsafe { *col.offset(r as isize * x.rsa) };
                }
            }
        } else {
            for (p, group) in panel.chunks_exact_mut(MR).enumerate() {
                let col = first.offset(p as isize * x.csa);
                for (r, v) in group.iter_mut().enumerate() {
                    // SAFETY: as above, for the rows that exist.
                    *v = if r < rows {
                        unsafe { *col.offset(r as isize * x.rsa) }
                    } else {
                        0.0
                    };
                }
            }
        }
    }
}

/// Copies `B[p0.., n0..]` (`kc × nb`) into `NR`-column panels, each `kc` rows of `NR` values
/// (columns past `nb` as zeros).
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn pack_b(
    dst: &mut [f32],
    x: &Operands,
    p0: usize,
    kc: usize,
    n0: usize,
    nb: usize,
) {
    for (pj, panel) in dst.chunks_exact_mut(NR * kc).enumerate() {
        let j0 = n0 + pj * NR;
        let cols = NR.min(n0 + nb - j0);
        let at = |p: usize, t: usize| {
            x.b.offset((p0 + p) as isize * x.rsb + (j0 + t) as isize * x.csb)
        };
        let mut done = 0;
        if x.rsb == 1 && x.csb != 1 && cols == NR {
            // a transposed B (a backward's `colsᵀ`): 16×16 blocks transposed in registers, so
            // both the reads and the writes are whole vectors
            done = kc / 16 * 16;
            for p in (0..done).step_by(16) {
                for h in 0..2 {
                    // SAFETY: rows p0+p..p0+p+16 of columns j0+16h..j0+16h+16 lie inside B, and
                    // the panel holds rows p..p+16 of NR floats at a 64-byte boundary.
                    unsafe {
                        let block = transpose16(|t| _mm512_loadu_ps(at(p, 16 * h + t)));
                        for (q, v) in block.iter().enumerate() {
                            _mm512_store_ps(panel.as_mut_ptr().add((p + q) * NR + 16 * h), *v);
                        }
                    }
                }
            }
        }
        for (p, row) in panel.chunks_exact_mut(NR).enumerate().skip(done) {
            if x.csb == 1 && cols == NR {
                // two vectors, not a call to memcpy for 128 bytes
                // SAFETY: columns j0..j0+NR of row p0 + p lie inside B; the row is 64-byte aligned.
                unsafe {
                    let src = at(p, 0);
                    _mm512_store_ps(row.as_mut_ptr(), _mm512_loadu_ps(src));
                    _mm512_store_ps(row.as_mut_ptr().add(16), _mm512_loadu_ps(src.add(16)));
                }
                continue;
            } else if x.csb == 1 {
                // SAFETY: columns j0..j0+cols of row p0 + p lie inside B.
                row[..cols].copy_from_slice(unsafe { std::slice::from_raw_parts(at(p, 0), cols) });
            } else {
                let first = at(p, 0);
                for (t, v) in row[..cols].iter_mut().enumerate() {
                    // SAFETY: as above.
                    *v = unsafe { *first.offset(t as isize * x.csb) };
                }
            }
            row[cols..].fill(0.0);
        }
    }
}

/// The transpose of the 16×16 block whose column `t` is `column(t)`: its rows, in order.
#[target_feature(enable = "avx512f")]
#[inline]
fn transpose16(column: impl Fn(usize) -> __m512) -> [__m512; 16] {
    let r: [__m512; 16] = std::array::from_fn(column);
    let pd = _mm512_castps_pd;
    let ps = _mm512_castpd_ps;
    // pairs of lanes, then pairs of pairs, then 128-bit quarters twice
    let t: [__m512; 16] = std::array::from_fn(|i| {
        let (x, y) = (r[i & !1], r[i | 1]);
        if i % 2 == 0 {
            _mm512_unpacklo_ps(x, y)
        } else {
            _mm512_unpackhi_ps(x, y)
        }
    });
    let u: [__m512; 16] = std::array::from_fn(|i| {
        let base = i & !3;
        let (x, y) = (pd(t[base + (i & 2) / 2]), pd(t[base + 2 + (i & 2) / 2]));
        if i % 2 == 0 {
            ps(_mm512_unpacklo_pd(x, y))
        } else {
            ps(_mm512_unpackhi_pd(x, y))
        }
    });
    let v: [__m512; 16] = std::array::from_fn(|i| {
        let (base, j) = (i & !7, i % 4);
        let (x, y) = (u[base + j], u[base + 4 + j]);
        if i % 8 < 4 {
            _mm512_shuffle_f32x4::<0x88>(x, y)
        } else {
            _mm512_shuffle_f32x4::<0xdd>(x, y)
        }
    });
    std::array::from_fn(|i| {
        let (x, y) = (v[i % 8], v[8 + i % 8]);
        if i < 8 {
            _mm512_shuffle_f32x4::<0x88>(x, y)
        } else {
            _mm512_shuffle_f32x4::<0xdd>(x, y)
        }
    })
}
