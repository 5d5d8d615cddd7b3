//! The 12×32 register tile: 24 accumulators, two vector loads of B and twelve broadcasts of
//! A per step of depth, then one pass over C (overwrite, or add to what is there).

use super::{MR, NR};
use std::arch::x86_64::*;

/// One `MR × NR` tile of C from an A panel and a B panel of depth `kc`: `C = acc` or
/// `C += acc`, writing only the first `rows × cols`.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn kernel(
    kc: usize,
    a: &[f32],
    b: &[f32],
    c: *mut f32,
    (rsc, csc): (isize, isize),
    rows: usize,
    cols: usize,
    add: bool,
) {
    let mut acc = [[_mm512_setzero_ps(); 2]; MR];
    let (mut pa, mut pb) = (a.as_ptr(), b.as_ptr());
    for _ in 0..kc {
        // SAFETY: the panels hold kc groups of MR (A) and NR (B) values, B 64-byte aligned.
        unsafe {
            let b0 = _mm512_load_ps(pb);
            let b1 = _mm512_load_ps(pb.add(16));
            for (r, row) in acc.iter_mut().enumerate() {
                let x = _mm512_set1_ps(*pa.add(r));
                row[0] = _mm512_fmadd_ps(x, b0, row[0]);
                row[1] = _mm512_fmadd_ps(x, b1, row[1]);
            }
            pa = pa.add(MR);
            pb = pb.add(NR);
        }
    }
    let full = csc == 1 && cols == NR;
    let masks = [mask(cols.min(16)), mask(cols.saturating_sub(16))];
    for (r, row) in acc.iter().enumerate().take(rows) {
        let crow = c.offset(r as isize * rsc);
        if csc == 1 {
            for (h, v) in row.iter().enumerate() {
                let dst = crow.add(16 * h);
                // SAFETY: the masks keep the stores to the tile's first `cols` columns.
                unsafe {
                    let v = if add {
                        _mm512_add_ps(_mm512_maskz_loadu_ps(masks[h], dst), *v)
                    } else {
                        *v
                    };
                    if full {
                        _mm512_storeu_ps(dst, v);
                    } else {
                        _mm512_mask_storeu_ps(dst, masks[h], v);
                    }
                }
            }
        } else {
            let mut tmp = [0.0f32; NR];
            _mm512_storeu_ps(tmp.as_mut_ptr(), row[0]);
            _mm512_storeu_ps(tmp.as_mut_ptr().add(16), row[1]);
            for (t, v) in tmp.iter().enumerate().take(cols) {
                // SAFETY: column t < cols of row r lies inside C.
                unsafe {
                    let dst = crow.offset(t as isize * csc);
                    *dst = if add { *dst + v } else { *v };
                }
            }
        }
    }
}

/// The lanes `0..count` of a 16-lane vector.
pub(super) fn mask(count: usize) -> __mmask16 {
    ((1u32 << count) - 1) as __mmask16
}
