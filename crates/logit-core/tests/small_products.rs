//! The small-product kernel (below matrixmultiply's sizes: tiny layers' `linear` and their
//! backwards) against a naive loop, bit for bit in f32: every output is its start value plus
//! the products added in order, on each of its paths (one column, packed register tiles with
//! row and column remainders, and the row loop for a long `k`).

use logit_core::{Result, Tensor};
use proptest::prelude::*;

/// `x·Wᵀ + b` the naive way, each sum taken in order from the bias.
fn naive_linear(x: &[f32], w: &[f32], b: &[f32], rows: usize, fin: usize, fout: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(rows * fout);
    for r in 0..rows {
        for o in 0..fout {
            let mut acc = b[o];
            for p in 0..fin {
                acc += x[r * fin + p] * w[o * fin + p];
            }
            out.push(acc);
        }
    }
    out
}

fn naive_matmul(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(m * n);
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0f32;
            for p in 0..k {
                acc += a[i * k + p] * b[p * n + j];
            }
            out.push(acc);
        }
    }
    out
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn linear_case(rows: usize, fin: usize, fout: usize) -> Result<bool> {
    let x = Tensor::randn(&[rows, fin]);
    let w = Tensor::randn(&[fout, fin]);
    let b = Tensor::randn(&[fout]);
    let y = x.linear(&w, Some(&b))?;
    let want = naive_linear(&x.to_vec(), &w.to_vec(), &b.to_vec(), rows, fin, fout);
    Ok(bits(&y.to_vec::<f32>()) == bits(&want))
}

fn matmul_case(m: usize, k: usize, n: usize) -> Result<bool> {
    let a = Tensor::randn(&[m, k]);
    let b = Tensor::randn(&[k, n]);
    let y = a.matmul(&b)?;
    Ok(bits(&y.to_vec::<f32>()) == bits(&naive_matmul(&a.to_vec(), &b.to_vec(), m, k, n)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn small_linear_equals_the_in_order_sum(rows in 1usize..40, fin in 1usize..20, fout in 1usize..20) {
        prop_assert!(linear_case(rows, fin, fout).unwrap());
    }

    #[test]
    fn small_matmul_equals_the_in_order_sum(m in 1usize..12, k in 1usize..150, n in 1usize..20) {
        prop_assume!(m * k * n <= 16 * 1024);
        prop_assert!(matmul_case(m, k, n).unwrap());
    }
}
