//! How PyTorch turns raw 32/64-bit draws into uniform floats, integers, Bernoulli draws and
//! permutations (`TransformationHelper.h` and the CPU kernels): every kernel here is serial and
//! draws in element order, so results never depend on the thread count.

use super::capability::{cpu_capability, madd_f32, madd_f64};
use super::Generator;

/// `uniform_real<float>`: the low 24 bits of one 32-bit draw, scaled to `[0, 1)`, then
/// `x·(to − from) + from` in `f32`.
#[inline]
pub(crate) fn uniform_f32(g: &mut Generator, from: f32, to: f32) -> f32 {
    let x = (g.random_u32() & 0x00ff_ffff) as f32 * (1.0 / 16_777_216.0);
    // PyTorch's AVX2 and AVX-512 builds contract `x * (to - from) + from` into one FMA
    madd_f32(cpu_capability().fuses(), x, to - from, from)
}

/// `uniform_real<double>`: the low 53 bits of one 64-bit draw, scaled to `[0, 1)`.
#[inline]
pub(crate) fn uniform_f64(g: &mut Generator, from: f64, to: f64) -> f64 {
    unit_to_range(
        unit_from_bits(g.random_u64()),
        from,
        to,
        cpu_capability().fuses(),
    )
}

/// The `[0, 1)` double of one 64-bit draw (its low 53 bits).
#[inline(always)]
fn unit_from_bits(v: u64) -> f64 {
    (v & ((1u64 << 53) - 1)) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// `x·(to − from) + from`, fused as PyTorch's build fuses it.
#[inline(always)]
fn unit_to_range(x: f64, from: f64, to: f64, fused: bool) -> f64 {
    if from == 0.0 && to == 1.0 {
        // x·1 + 0 is x, fused or not: skip the (software, off the FMA path) multiply-add
        return x;
    }
    madd_f64(fused, x, to - from, from)
}

crate::simd_dispatch! {
    fn scale_bits(bits: &[u32], out: &mut Vec<f32>, scale: f32, from: f32, fused: bool) {
        out.extend(bits.iter().map(|&b| {
            madd_f32(fused, (b & 0x00ff_ffff) as f32 * (1.0 / 16_777_216.0), scale, from)
        }));
    }
}

/// `n` values of `uniform_` on an `f32` tensor, drawn in chunks so the raw bits stay in cache.
pub(crate) fn fill_f32(g: &mut Generator, n: usize, from: f32, to: f32) -> Vec<f32> {
    let mut out = Vec::with_capacity(n);
    let mut bits = [0u32; 4096];
    let (scale, fused) = (to - from, cpu_capability().fuses());
    while out.len() < n {
        let k = (n - out.len()).min(bits.len());
        g.fill_u32(&mut bits[..k]);
        scale_bits(&bits[..k], &mut out, scale, from, fused);
    }
    out
}

/// `f` of `n` consecutive 64-bit draws (`random64()`, high word first), drawn in chunks so
/// the engine runs its bulk fill instead of one call per element.
fn map_u64<T: Send + 'static>(g: &mut Generator, n: usize, mut f: impl FnMut(u64) -> T) -> Vec<T> {
    let mut out = crate::memory::with_capacity(n);
    let mut bits = [0u32; 4096];
    while out.len() < n {
        let k = (n - out.len()).min(bits.len() / 2);
        g.fill_u32(&mut bits[..2 * k]);
        out.extend(
            bits[..2 * k]
                .chunks_exact(2)
                .map(|w| f(((w[0] as u64) << 32) | w[1] as u64)),
        );
    }
    out
}

/// `n` values of `uniform_` on an `f64` tensor.
pub(crate) fn fill_f64(g: &mut Generator, n: usize, from: f64, to: f64) -> Vec<f64> {
    let fused = cpu_capability().fuses();
    map_u64(g, n, |v| unit_to_range(unit_from_bits(v), from, to, fused))
}

/// `random_(from, to)`: `draw % range + from`, with a 64-bit draw only when the range needs it.
pub(crate) fn int_from_to(g: &mut Generator, range: u64, base: i64) -> i64 {
    let v = if range >= 1 << 32 {
        g.random_u64()
    } else {
        g.random_u32() as u64
    };
    (v % range).wrapping_add(base as u64) as i64
}

/// `random_()` on an int64 tensor: a 64-bit draw modulo `2⁶³` (how `RandomSampler` and the
/// DataLoader take their seeds from the global generator).
pub fn random_i64(g: &mut Generator) -> i64 {
    (g.random_u64() % (1u64 << 63)) as i64
}

/// `torch.randperm(n)` on CPU: the identity, then for each `i` a swap with `i + random() % (n−i)`.
pub(crate) fn permutation(g: &mut Generator, n: usize) -> Vec<i64> {
    let mut v: Vec<i64> = (0..n as i64).collect();
    for i in 0..n.saturating_sub(1) {
        let z = (g.random_u32() as u64 % (n - i) as u64) as usize;
        v.swap(i, i + z);
    }
    v
}

/// `bernoulli_(p)` with a scalar `p` (and so dropout masks): one 53-bit double uniform `u` per
/// element, `hit` where `u < p`, else `miss`. `u = k·2⁻⁵³ < p` is tested as the exactly
/// equivalent integer comparison `k < ⌈p·2⁵³⌉`.
pub(crate) fn bernoulli_scalar<T: Copy + Send + 'static>(
    g: &mut Generator,
    n: usize,
    p: f64,
    hit: T,
    miss: T,
) -> Vec<T> {
    let threshold = (p * 9_007_199_254_740_992.0).ceil() as u64;
    map_u64(g, n, |v| {
        if v & ((1u64 << 53) - 1) < threshold {
            hit
        } else {
            miss
        }
    })
}
