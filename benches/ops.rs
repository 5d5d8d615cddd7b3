//! Criterion micro-benchmarks of single ops, so regressions show up: sigmoid, exp, softmax,
//! matmul, and one Linear forward+backward. Run with `cargo bench --bench ops`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use logit::core::Tensor;

fn elementwise(c: &mut Criterion) {
    logit::manual_seed(0);
    let x = Tensor::randn(&[1_000_000]);
    c.bench_function("sigmoid_1e6_f32", |b| b.iter(|| black_box(x.sigmoid())));
    // the kernel alone, into a preallocated buffer: the gap to the line above is allocation
    let xs = x.to_vec::<f32>();
    let mut buf = vec![std::mem::MaybeUninit::<f32>::uninit(); xs.len()];
    c.bench_function("sigmoid_kernel_1e6_f32_into_buffer", |b| {
        b.iter(|| logit::core::ops::sigmoid_f32_slice(black_box(&xs), &mut buf))
    });
    // in cache: the kernel's compute cost per element without memory traffic
    c.bench_function("sigmoid_kernel_1e4_f32_in_cache", |b| {
        b.iter(|| logit::core::ops::sigmoid_f32_slice(black_box(&xs[..10_000]), &mut buf[..10_000]))
    });
    c.bench_function("exp_1e6_f32", |b| b.iter(|| black_box(x.exp())));
    let xg = x.detach().requires_grad_(true);
    c.bench_function("sigmoid_fwd_bwd_1e6_f32", |b| {
        b.iter(|| {
            xg.zero_grad();
            xg.sigmoid().sum().backward().unwrap();
        })
    });
    let logits = Tensor::randn(&[1_000_000]).requires_grad_(true);
    let target = Tensor::rand(&[1_000_000]).gt_scalar(0.5).float();
    c.bench_function("bce_with_logits_fwd_bwd_1e6_f32", |b| {
        b.iter(|| {
            logits.zero_grad();
            logit::losses::binary_cross_entropy_with_logits(
                &logits,
                &target,
                logit::losses::Reduction::Mean,
            )
            .unwrap()
            .backward()
            .unwrap();
        })
    });
    let s = Tensor::randn(&[1024, 1000]);
    c.bench_function("softmax_1024x1000_f32", |b| {
        b.iter(|| black_box(s.softmax(1).unwrap()))
    });
}

fn matmul(c: &mut Criterion) {
    for n in [16usize, 256] {
        let a = Tensor::randn(&[n, n]);
        let b2 = Tensor::randn(&[n, n]);
        c.bench_function(&format!("matmul_{n}x{n}_f32"), |b| {
            b.iter(|| black_box(a.matmul(&b2).unwrap()))
        });
    }
    let x = Tensor::randn(&[32, 8]);
    let w = Tensor::randn(&[12, 8]).requires_grad_(true);
    let bias = Tensor::randn(&[12]).requires_grad_(true);
    c.bench_function("linear_8to12_batch32_fwd_bwd", |b| {
        b.iter(|| {
            w.zero_grad();
            bias.zero_grad();
            x.linear(&w, Some(&bias)).unwrap().sum().backward().unwrap();
        })
    });
}

// criterion's macros generate undocumented functions
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, elementwise, matmul);
}
criterion_main!(group::benches);
