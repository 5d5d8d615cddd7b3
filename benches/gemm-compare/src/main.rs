//! Times logit's f32 GEMM (`Tensor::matmul`: its own AVX-512 kernel where the CPU has one),
//! matrixmultiply (logit-core's GEMM for f64 and on other CPUs), the `gemm` crate and faer's
//! matmul on the row-major f32 products logit runs: ResNet-50's convolutions at batch 1 as
//! im2col GEMMs (`[O, C·kh·kw] × [C·kh·kw, H'·W']`), W5's linear layers and W6's 1024³. Prints
//! one line per shape and thread count with each one's median time and its speed-up over
//! matrixmultiply. Two threads: matrixmultiply split in two blocks as logit-core splits it,
//! logit with `set_num_threads(2)`, `gemm` and faer with their own rayon parallelism.
//!
//! `cargo run --release --manifest-path benches/gemm-compare/Cargo.toml`

use std::time::Instant;

const SHAPES: &[(&str, usize, usize, usize)] = &[
    ("resnet50 conv1 7x7/2", 64, 147, 12544),
    ("layer1 1x1 64->64", 64, 64, 3136),
    ("layer1 3x3 64", 64, 576, 3136),
    ("layer1 1x1 64->256", 256, 64, 3136),
    ("layer2 3x3/2 128", 128, 1152, 784),
    ("layer2 1x1 128->512", 512, 128, 784),
    ("layer2 1x1 512->128", 128, 512, 784),
    ("layer3 3x3 256", 256, 2304, 196),
    ("layer3 1x1 256->1024", 1024, 256, 196),
    ("layer3 1x1 1024->256", 256, 1024, 196),
    ("layer4 3x3 512", 512, 4608, 49),
    ("layer4 1x1 512->2048", 2048, 512, 49),
    ("layer4 1x1 2048->512", 512, 2048, 49),
    ("W5 linear 512->1024 b4096", 4096, 512, 1024),
    ("W5 linear 1024->1024 b4096", 4096, 1024, 1024),
    ("W6 matmul 1024^3", 1024, 1024, 1024),
];

fn median(mut f: impl FnMut(), reps: usize) -> f64 {
    f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[reps / 2]
}

/// `c = a·b`, row-major, through matrixmultiply, rows split in `threads` blocks.
fn mm(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) {
    let step = m.div_ceil(threads);
    std::thread::scope(|s| {
        for (i, block) in c.chunks_mut(step * n).enumerate() {
            let rows = block.len() / n;
            let a = &a[i * step * k..];
            let mut run = move || unsafe {
                matrixmultiply::sgemm(
                    rows,
                    k,
                    n,
                    1.0,
                    a.as_ptr(),
                    k as isize,
                    1,
                    b.as_ptr(),
                    n as isize,
                    1,
                    0.0,
                    block.as_mut_ptr(),
                    n as isize,
                    1,
                )
            };
            if threads == 1 {
                run()
            } else {
                s.spawn(run);
            }
        }
    });
}

fn gemm_crate(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) {
    let par = if threads == 1 {
        gemm::Parallelism::None
    } else {
        gemm::Parallelism::Rayon(threads)
    };
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            1,
            k as isize,
            b.as_ptr(),
            1,
            n as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            par,
        )
    }
}

fn faer_matmul(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) {
    let par = if threads == 1 {
        faer::Par::Seq
    } else {
        faer::Par::rayon(threads)
    };
    let a = faer::MatRef::from_row_major_slice(a, m, k);
    let b = faer::MatRef::from_row_major_slice(b, k, n);
    let c = faer::MatMut::from_row_major_slice_mut(c, m, n);
    faer::linalg::matmul::matmul(c, faer::Accum::Replace, a, b, 1.0f32, par);
}

/// `a·b` through logit's `Tensor::matmul`, outside autograd.
fn logit_matmul(a: &logit_core::Tensor, b: &logit_core::Tensor) -> Vec<f32> {
    let _g = logit_core::no_grad();
    a.matmul(b).expect("matching shapes").to_vec::<f32>()
}

/// One core's f32 multiply-add peak in GFLOP/s: 24 independent AVX-512 FMA chains (what a
/// GEMM kernel at 100% would reach), or `None` without AVX-512.
fn fma_peak() -> Option<f64> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        use std::arch::x86_64::*;
        #[target_feature(enable = "avx512f")]
        fn chains(iters: u64) -> f32 {
            let mut acc = [_mm512_set1_ps(0.0); 24];
            let (a, b) = (_mm512_set1_ps(1.000_000_1), _mm512_set1_ps(0.999_999_9));
            for _ in 0..iters {
                for r in acc.iter_mut() {
                    *r = _mm512_fmadd_ps(*r, a, b);
                }
            }
            _mm512_reduce_add_ps(acc.iter().fold(_mm512_setzero_ps(), |s, r| _mm512_add_ps(s, *r)))
        }
        let iters = 20_000_000u64;
        let best = (0..5)
            .map(|_| {
                let t = Instant::now();
                // SAFETY: the CPU has AVX-512F (checked above).
                std::hint::black_box(unsafe { chains(iters) });
                t.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min);
        return Some(iters as f64 * 24.0 * 32.0 / best / 1e9);
    }
    None
}

fn main() {
    if let Some(peak) = fma_peak() {
        println!("one core's f32 FMA peak: {peak:.0} GFLOP/s");
    }
    println!(
        "{:30} {:>3} {:>11} {:>11} {:>11} {:>11} {:>7} {:>7} {:>7} {:>9}",
        "shape (m, k, n)", "thr", "mmul us", "logit us", "gemm us", "faer us", "logit x", "gemm x", "faer x", "logit GF/s"
    );
    for threads in [1, 2] {
        logit_core::set_num_threads(threads);
        for &(name, m, k, n) in SHAPES {
            let a: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7919) % 1000) as f32 / 1000.0)
                .collect();
            let b: Vec<f32> = (0..k * n)
                .map(|i| ((i * 104729) % 1000) as f32 / 1000.0)
                .collect();
            let mut c = vec![0f32; m * n];
            let reps = (2e9 / (2.0 * (m * k * n) as f64)).clamp(5.0, 200.0) as usize;
            let t_mm = median(|| mm(m, k, n, &a, &b, &mut c, threads), reps);
            let reference = c.clone();
            let ta = logit_core::Tensor::from_slice(&a, &[m, k]).expect("m·k values");
            let tb = logit_core::Tensor::from_slice(&b, &[k, n]).expect("k·n values");
            let t_l = median(
                || {
                    let _g = logit_core::no_grad();
                    drop(ta.matmul(&tb).expect("matching shapes"));
                },
                reps,
            );
            let dl = max_rel(&logit_matmul(&ta, &tb), &reference);
            let t_g = median(|| gemm_crate(m, k, n, &a, &b, &mut c, threads), reps);
            let dg = max_rel(&c, &reference);
            let t_f = median(|| faer_matmul(m, k, n, &a, &b, &mut c, threads), reps);
            let df = max_rel(&c, &reference);
            assert!(dl < 1e-4 && dg < 1e-4 && df < 1e-4, "results differ: {dl} {dg} {df}");
            println!(
                "{:30} {:>3} {:>11.1} {:>11.1} {:>11.1} {:>11.1} {:>6.2}x {:>6.2}x {:>6.2}x {:>9.0}",
                format!("{name} ({m},{k},{n})"),
                threads,
                t_mm,
                t_l,
                t_g,
                t_f,
                t_mm / t_l,
                t_mm / t_g,
                t_mm / t_f,
                2.0 * (m * k * n) as f64 / t_l / 1e3
            );
        }
    }
}

fn max_rel(x: &[f32], y: &[f32]) -> f32 {
    x.iter()
        .zip(y)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f32::max)
}
