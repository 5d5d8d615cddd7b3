//! Products above the small-product size (logit's AVX-512 f32 kernel where the CPU has it,
//! matrixmultiply elsewhere) against an f64 sum, on every layout the ops hand it: row-major
//! operands (`matmul`), a transposed B (`linear`'s `x·Wᵀ`, the backward's `dC·Bᵀ`), a
//! transposed A (the backward's `Aᵀ·dC`), accumulation over broadcast batches, and sizes
//! that leave partial register tiles and cross the kernel's depth blocks; and a batched
//! convolution, whose weight is packed once for all its images and whose backward multiplies
//! several images at once.

use logit_core::ops::Conv2dOptions;
use logit_core::{Result, Tensor};
use proptest::prelude::*;

/// `Σ_p a[i, p]·b[p, j]` in f64 with its error scale `Σ_p |a[i, p]·b[p, j]|`, for strided
/// operands given as element accessors.
fn reference(
    (m, k, n): (usize, usize, usize),
    a: impl Fn(usize, usize) -> f32,
    b: impl Fn(usize, usize) -> f32,
) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(m * n);
    for i in 0..m {
        for j in 0..n {
            let (mut sum, mut scale) = (0.0f64, 0.0f64);
            for p in 0..k {
                let t = a(i, p) as f64 * b(p, j) as f64;
                sum += t;
                scale += t.abs();
            }
            out.push((sum, scale));
        }
    }
    out
}

/// Each value within f32 rounding of its sum: a few ulps of the sum of magnitudes per term.
fn close(got: &[f32], want: &[(f64, f64)], k: usize) -> std::result::Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} values, expected {}", got.len(), want.len()));
    }
    for (at, (&g, &(w, scale))) in got.iter().zip(want).enumerate() {
        let tol = 4.0 * f32::EPSILON as f64 * scale * (k as f64).sqrt().max(1.0) + 1e-30;
        if (g as f64 - w).abs() > tol || !g.is_finite() {
            return Err(format!("element {at}: {g} against {w} (tolerance {tol:e})"));
        }
    }
    Ok(())
}

/// `A·B`, then the backward of `sum(A·B ⊙ G)`: `dA = G·Bᵀ` and `dB = Aᵀ·G`.
fn matmul_case(m: usize, k: usize, n: usize) -> Result<std::result::Result<(), String>> {
    let a = Tensor::randn(&[m, k]).requires_grad_(true);
    let b = Tensor::randn(&[k, n]).requires_grad_(true);
    let g = Tensor::randn(&[m, n]);
    let y = a.matmul(&b)?;
    y.mul(&g)?.sum().backward()?;
    let (av, bv, gv) = (a.to_vec::<f32>(), b.to_vec::<f32>(), g.to_vec::<f32>());
    let forward = reference((m, k, n), |i, p| av[i * k + p], |p, j| bv[p * n + j]);
    let da = reference((m, n, k), |i, p| gv[i * n + p], |p, j| bv[j * n + p]);
    let db = reference((k, m, n), |i, p| av[p * k + i], |p, j| gv[p * n + j]);
    let grad = |t: &Tensor| t.grad().map(|g| g.to_vec::<f32>()).unwrap_or_default();
    Ok(close(&y.to_vec::<f32>(), &forward, k)
        .and_then(|_| close(&grad(&a), &da, n))
        .and_then(|_| close(&grad(&b), &db, m)))
}

/// `x·Wᵀ + 0` (`linear`, B transposed) on a batch of rows.
fn linear_case(rows: usize, fin: usize, fout: usize) -> Result<std::result::Result<(), String>> {
    let x = Tensor::randn(&[rows, fin]);
    let w = Tensor::randn(&[fout, fin]);
    let y = x.linear(&w, None)?;
    let (xv, wv) = (x.to_vec::<f32>(), w.to_vec::<f32>());
    let want = reference(
        (rows, fin, fout),
        |i, p| xv[i * fin + p],
        |p, j| wv[j * fin + p],
    );
    Ok(close(&y.to_vec::<f32>(), &want, fin))
}

/// A batch of A against one shared B: B's gradient adds every batch's `Aᵀ·G` into one matrix.
fn broadcast_case(
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
) -> Result<std::result::Result<(), String>> {
    let a = Tensor::randn(&[batch, 1, m, k]);
    let b = Tensor::randn(&[2, k, n]).requires_grad_(true);
    a.matmul(&b)?.sum().backward()?;
    let av = a.to_vec::<f32>();
    // dB[h] = Σ_batch Aᵀ·1: each column sum over every batch's rows
    let rows = batch * m;
    let one_b = reference((k, rows, n), |i, p| av[p * k + i], |_, _| 1.0);
    let want: Vec<(f64, f64)> = one_b.iter().chain(&one_b).copied().collect();
    let got = b.grad().map(|g| g.to_vec::<f32>()).unwrap_or_default();
    Ok(close(&got, &want, rows))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn large_matmul_and_its_gradients_match_an_f64_sum(m in 1usize..70, k in 1usize..900, n in 1usize..90) {
        prop_assume!(m * k * n > 16 * 1024);
        prop_assert_eq!(matmul_case(m, k, n).unwrap(), Ok(()));
    }

    #[test]
    fn large_linear_matches_an_f64_sum(rows in 20usize..300, fin in 1usize..500, fout in 1usize..70) {
        prop_assume!(rows * fin * fout > 16 * 1024);
        prop_assert_eq!(linear_case(rows, fin, fout).unwrap(), Ok(()));
    }

    #[test]
    fn broadcast_gradients_accumulate(batch in 1usize..4, m in 1usize..40, k in 10usize..500, n in 30usize..70) {
        prop_assume!(m * k * n > 16 * 1024);
        prop_assert_eq!(broadcast_case(batch, m, k, n).unwrap(), Ok(()));
    }
}

/// One size of each kind that the random ones may miss: exact multiples of the register tile
/// and of the depth block, and one past each.
#[test]
fn tile_and_block_edges() -> Result<()> {
    for (m, k, n) in [
        (12, 384, 32),
        (13, 385, 33),
        (24, 768, 64),
        (11, 383, 31),
        (100, 1, 200),
    ] {
        let r = matmul_case(m, k, n)?;
        assert_eq!(r, Ok(()), "{m}x{k}x{n}");
    }
    Ok(())
}

/// A batch of images through a padded convolution in f32 (the packed-weight path, forward and
/// the input gradient's `Wᵀ·dY`) against the same convolution in f64.
fn convolution_case(x: &[usize], w: &[usize], groups: usize) -> Result<()> {
    let opt = Conv2dOptions {
        padding: (1, 1),
        groups,
        ..Default::default()
    };
    let x = Tensor::randn(x).requires_grad_(true);
    let w = Tensor::randn(w).requires_grad_(true);
    let y = x.conv2d(&w, None, opt)?;
    let g = Tensor::randn(y.shape());
    y.mul(&g)?.sum().backward()?;
    let x64 = x.detach().double().requires_grad_(true);
    let w64 = w.detach().double().requires_grad_(true);
    let y64 = x64.conv2d(&w64, None, opt)?;
    y64.mul(&g.double())?.sum().backward()?;
    let grad32 = |t: &Tensor| t.grad().map(|g| g.to_vec::<f32>()).unwrap_or_default();
    let grad64 = |t: &Tensor| t.grad().map(|g| g.to_vec::<f64>()).unwrap_or_default();
    let pairs = [
        ("output", y.to_vec::<f32>(), y64.to_vec::<f64>()),
        ("input gradient", grad32(&x), grad64(&x64)),
        ("weight gradient", grad32(&w), grad64(&w64)),
    ];
    for (name, got, want) in pairs {
        assert_eq!(got.len(), want.len(), "{name}");
        let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (i, (a, b)) in got.iter().zip(&want).enumerate() {
            assert!(
                (*a as f64 - b).abs() <= 1e-5 * scale,
                "{name} {i}: {a} against {b}"
            );
        }
    }
    Ok(())
}

/// Two groups whose depth (48·3·3) crosses a depth block.
#[test]
fn batched_grouped_convolution_matches_f64() -> Result<()> {
    convolution_case(&[3, 96, 7, 6], &[20, 48, 3, 3], 2)
}

/// Large enough to split over threads by rows, so a thread starts inside the packed weight.
#[test]
fn batched_convolution_split_over_threads_matches_f64() -> Result<()> {
    convolution_case(&[2, 64, 8, 8], &[256, 64, 3, 3], 1)
}

/// The backward puts several images side by side in one column matrix (as many as fit its
/// size limit): three images of this size make a chunk of two and a last chunk of one.
#[test]
fn a_batch_split_into_uneven_chunks_matches_f64() -> Result<()> {
    convolution_case(&[3, 64, 40, 40], &[16, 64, 3, 3], 1)
}
