//! PyTorch's two Box–Muller paths for `normal_`: tensors of 16 or more elements fill all their
//! uniforms first and transform them in blocks of 16 (the last block recomputed from 16 fresh
//! uniforms when the size is not a multiple of 16); smaller ones draw pairs of 53-bit doubles
//! per element and keep the second sample for the next call.

use super::capability::{cpu_capability, madd_f32, madd_f64, CpuCapability};
use super::cephes;
use super::uniform::{fill_f32, fill_f64, uniform_f64};
use super::Generator;

const TWO_PI: f64 = 2.0 * std::f64::consts::PI;
// parallel chunks must hold whole blocks of 16
const _: () = assert!(crate::parallel::CHUNK.is_multiple_of(16));

/// `normal_distribution<double>`: the cached sample if there is one, else a fresh pair.
pub(crate) fn scalar(g: &mut Generator, mean: f64, std: f64) -> f64 {
    // PyTorch's AVX2/AVX-512 builds fuse `z * std + mean` (transformation::normal)
    let fused = cpu_capability().fuses();
    if let Some(z) = g.take_double_normal() {
        return madd_f64(fused, z, std, mean);
    }
    let u1 = uniform_f64(g, 0.0, 1.0);
    let u2 = uniform_f64(g, 0.0, 1.0);
    let r = (-2.0 * (-u2).ln_1p()).sqrt();
    let theta = TWO_PI * u1;
    g.set_double_normal(r * theta.sin());
    madd_f64(fused, r * theta.cos(), std, mean)
}

/// `normal_fill_16` in `f64`: uniforms `d[0..8]` give the radii, `d[8..16]` the angles.
fn block_f64(d: &mut [f64], mean: f64, std: f64, fused: bool) {
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0 * u1.ln()).sqrt();
        let theta = TWO_PI * u2;
        d[j] = madd_f64(fused, radius * theta.cos(), std, mean);
        d[j + 8] = madd_f64(fused, radius * theta.sin(), std, mean);
    }
}

/// `normal_fill_16_AVX2` lane by lane, with its Cephes `log` and `sincos`.
#[inline(always)]
fn block_f32(d: &mut [f32], mean: f32, std: f32) {
    let two_pi = TWO_PI as f32;
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0 * cephes::log(u1)).sqrt();
        let (s, c) = cephes::sincos(two_pi * u2);
        d[j] = (radius * c).mul_add(std, mean);
        d[j + 8] = (radius * s).mul_add(std, mean);
    }
}

/// `normal_fill_16<float>`, the DEFAULT and AVX-512 builds' path: libm's single-precision
/// functions, the angle rounded from a double product.
fn block_f32_libm(d: &mut [f32], mean: f32, std: f32, fused: bool) {
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0 * u1.ln()).sqrt();
        let theta = (TWO_PI * u2 as f64) as f32;
        d[j] = madd_f32(fused, radius * theta.cos(), std, mean);
        d[j + 8] = madd_f32(fused, radius * theta.sin(), std, mean);
    }
}

crate::simd_dispatch! {
    fn blocks_f32(d: &mut [f32], mean: f32, std: f32) {
        for b in d.chunks_exact_mut(16) {
            block_f32(b, mean, std);
        }
    }
}

fn blocks_f32_for(capability: CpuCapability, d: &mut [f32], mean: f32, std: f32) {
    match capability {
        CpuCapability::Avx2 => blocks_f32(d, mean, std),
        c => d
            .chunks_exact_mut(16)
            .for_each(|b| block_f32_libm(b, mean, std, c.fuses())),
    }
}

/// Shared block logic: transform every full block, then redo the last 16 from fresh uniforms.
fn fill<T: Copy>(
    g: &mut Generator,
    n: usize,
    uniforms: impl Fn(&mut Generator, usize) -> Vec<T>,
    blocks: impl Fn(&mut [T]),
) -> Vec<T> {
    let mut d = uniforms(g, n);
    blocks(&mut d[..n / 16 * 16]);
    if !n.is_multiple_of(16) {
        let tail = &mut d[n - 16..];
        tail.copy_from_slice(&uniforms(g, 16));
        blocks(tail);
    }
    d
}

/// `n` normal samples as `normal_` gives them for an `f32` tensor.
pub(crate) fn sample_f32(g: &mut Generator, n: usize, mean: f64, std: f64) -> Vec<f32> {
    if n < 16 {
        return (0..n).map(|_| scalar(g, mean, std) as f32).collect();
    }
    let (m, s, cap) = (mean as f32, std as f32, cpu_capability());
    // the uniforms are drawn serially; the blocks are independent, so transforming them in
    // parallel chunks (whole blocks each) gives the same bits with any thread count
    let blocks =
        |d: &mut [f32]| crate::parallel::chunks_mut(d, |c, _| blocks_f32_for(cap, c, m, s));
    fill(g, n, |g, k| fill_f32(g, k, 0.0, 1.0), blocks)
}

/// `n` normal samples as `normal_` gives them for an `f64` tensor.
pub(crate) fn sample_f64(g: &mut Generator, n: usize, mean: f64, std: f64) -> Vec<f64> {
    if n < 16 {
        return (0..n).map(|_| scalar(g, mean, std)).collect();
    }
    let fused = cpu_capability().fuses();
    let blocks = |d: &mut [f64]| {
        d.chunks_exact_mut(16)
            .for_each(|b| block_f64(b, mean, std, fused))
    };
    fill(g, n, |g, k| fill_f64(g, k, 0.0, 1.0), blocks)
}
