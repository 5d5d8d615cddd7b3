//! The block loops around the register tile, and each thread's packing buffers.

use super::kernel::kernel;
use super::pack::{pack_a, pack_b};
use super::{Epilogue, Operands, PackedA, KC, MB, MR, NB, NR};
use std::cell::RefCell;

thread_local! {
    /// Each thread's packing buffers, kept between calls so a training loop packs into the same
    /// memory every step.
    static PACKS: RefCell<(Aligned, Aligned)> = const { RefCell::new((Aligned::new(), Aligned::new())) };
}

/// A growable f32 buffer whose usable part starts on a 64-byte boundary, so every packed
/// 32-float row is one aligned pair of vectors.
struct Aligned(Vec<f32>);

impl Aligned {
    const fn new() -> Self {
        Aligned(Vec::new())
    }
    /// At least `len` floats at a 64-byte boundary (contents unspecified, every use writes
    /// before it reads).
    fn get(&mut self, len: usize) -> &mut [f32] {
        if self.0.len() < len + 16 {
            self.0 = vec![0.0; len + 16];
        }
        let off = self.0.as_ptr().align_offset(64).min(16);
        &mut self.0[off..off + len]
    }
}

/// The block loops: A in `MB × KC` blocks of `MR`-row panels, B in `KC × NB` blocks of
/// `NR`-column panels, one register tile per (A panel, B panel). A comes packed already
/// (rows from the given one on) or is packed here. `epilogue` sees each tile of C just after
/// its last depth block, while the tile is in L1.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn blocked(
    m: usize,
    k: usize,
    n: usize,
    x: &Operands,
    packed: Option<(&PackedA, usize)>,
    accumulate: bool,
    epilogue: Option<Epilogue>,
) {
    PACKS.with_borrow_mut(|(apack, bpack)| {
        for m0 in (0..m).step_by(MB) {
            let mb = MB.min(m - m0);
            for p0 in (0..k).step_by(KC) {
                let kc = KC.min(k - p0);
                let ap: &[f32] = match packed {
                    Some((pa, i0)) => pa.panels(i0 + m0, mb, p0),
                    None => {
                        let ap = apack.get(mb.div_ceil(MR) * MR * kc);
                        // SAFETY: rows m0..m0+mb and columns p0..p0+kc lie inside A.
                        unsafe { pack_a(ap, x, m0, mb, p0, kc) };
                        ap
                    }
                };
                // the first block of an overwrite starts from 0, every later one adds
                let add = accumulate || p0 > 0;
                let last = p0 + kc == k;
                for n0 in (0..n).step_by(NB) {
                    let nb = NB.min(n - n0);
                    let bp = bpack.get(nb.div_ceil(NR) * NR * kc);
                    // SAFETY: rows p0..p0+kc and columns n0..n0+nb lie inside B.
                    unsafe { pack_b(bp, x, p0, kc, n0, nb) };
                    for (pi, apanel) in ap.chunks_exact(MR * kc).enumerate() {
                        let i = m0 + pi * MR;
                        let rows = MR.min(m - i);
                        for (pj, bpanel) in bp.chunks_exact(NR * kc).enumerate() {
                            let j = n0 + pj * NR;
                            let cols = NR.min(n - j);
                            let tile = x.c.offset(i as isize * x.rsc + j as isize * x.csc);
                            // SAFETY: the tile's rows × cols lie inside C.
                            unsafe {
                                kernel(kc, apanel, bpanel, tile, (x.rsc, x.csc), rows, cols, add)
                            };
                            if let (true, Some(epilogue)) = (last, epilogue) {
                                epilogue(i, rows, j, cols);
                            }
                        }
                    }
                }
            }
        }
    });
}
