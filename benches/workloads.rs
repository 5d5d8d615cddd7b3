//! The speed workloads W1–W11 (see docs/performance.md), each run with warm-up and timed over
//! repetitions, printing one JSON line per workload:
//! `{"system":"logit","workload":"W2_churn_step","threads":1,"median_us":…,"min_us":…,"max_us":…}`.
//!
//! `cargo bench --bench workloads -- --threads 1 [--only W2,W3]`
//! `benches/pytorch/workloads.py` runs the same workloads in PyTorch; `benches/compare.sh`
//! runs both, interleaved, and prints the ratios. The tiny training steps (W2, W3) also report
//! `allocs_per_step` and `alloc_bytes_per_step`: heap allocations of a steady-state step,
//! counted by this binary's global allocator outside the timed runs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use logit::core::{no_grad, Tensor};
use logit::data::synthetic;
use logit::losses::{
    sigmoid_focal_loss, BCEWithLogitsLoss, CrossEntropyLoss, FocalOptions, Reduction,
};
use logit::models::{
    ChurnPredictor, DiabetesPredictor, FraudDetectionModel, HeadOutput, ResNet, TransferHead,
};
use logit::nn::{Linear, Module, ReLU, Sequential};
use logit::prelude::*;

/// The system allocator, counting calls and bytes while `COUNTING` is set (one relaxed load
/// per allocation otherwise, so the timed runs are not slowed).
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

fn count(layout: Layout) {
    if COUNTING.load(Relaxed) {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s
// contract; counting touches only atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(Layout::from_size_align(new_size, layout.align()).unwrap_or(layout));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The JSON fields for `f`'s heap allocations per call, over 1,000 calls after 100 that warm
/// every cache up.
fn allocations(mut f: impl FnMut()) -> String {
    const STEPS: u64 = 1000;
    for _ in 0..100 {
        f();
    }
    let (a, b) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
    COUNTING.store(true, Relaxed);
    for _ in 0..STEPS {
        f();
    }
    COUNTING.store(false, Relaxed);
    let (a, b) = (ALLOCS.load(Relaxed) - a, BYTES.load(Relaxed) - b);
    format!(
        ",\"allocs_per_step\":{:.1},\"alloc_bytes_per_step\":{:.0}",
        a as f64 / STEPS as f64,
        b as f64 / STEPS as f64
    )
}

/// Runs `f` for warm-up, then times repetitions until `budget` is spent (at least `min_reps`).
fn time(mut f: impl FnMut(), budget: Duration, min_reps: usize) -> (f64, f64, f64) {
    let warm = Instant::now();
    while warm.elapsed() < budget / 5 {
        f();
    }
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < min_reps || (start.elapsed() < budget && samples.len() < 100_000) {
        let t = Instant::now();
        f();
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    samples.sort_by(f64::total_cmp);
    (
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1],
    )
}

/// Training steps restart from a fresh model and optimizer (made by `fresh`) every this many,
/// on both sides: a tutorial trains for about 2,600 steps (200 epochs of 13 batches), and the
/// timed steps should be ones it takes. Over 100,000 steps on one batch, Adam's second moments
/// of units whose gradient is 0 decay into subnormal floats, whose arithmetic every CPU slows
/// a hundredfold: logit's steps used to reach that within the time budget, PyTorch's 25×
/// slower ones did not, so the two sides timed different phases of training.
const EPISODE: usize = 2000;

/// `f` on a state that `fresh` makes anew every [`EPISODE`] calls (the one call that renews it
/// is one of thousands, which the median ignores).
fn episodes<S>(fresh: impl Fn() -> S, mut f: impl FnMut(&mut S)) -> impl FnMut() {
    let mut state = fresh();
    let mut calls = 0;
    move || {
        calls += 1;
        if calls % EPISODE == 0 {
            state = fresh();
        }
        f(&mut state)
    }
}

/// Adam with PyTorch's defaults but the learning rate.
fn adam_lr(lr: f64) -> AdamConfig {
    AdamConfig {
        lr,
        ..Default::default()
    }
}

fn report(workload: &str, threads: usize, (median, min, max): (f64, f64, f64), extra: &str) {
    println!("{{\"system\":\"logit\",\"workload\":\"{workload}\",\"threads\":{threads},\"median_us\":{median:.3},\"min_us\":{min:.3},\"max_us\":{max:.3}{extra}}}");
}

fn step(model: &dyn Module, opt: &mut dyn Optimizer, x: &Tensor, y: &Tensor, bce: bool) {
    let out = model.forward(x).unwrap();
    let loss = if bce {
        BCELoss::new().forward(&out, y).unwrap()
    } else {
        BCEWithLogitsLoss::new().forward(&out, y).unwrap()
    };
    opt.zero_grad();
    loss.backward().unwrap();
    opt.step().unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let threads: usize = arg("--threads").and_then(|t| t.parse().ok()).unwrap_or(1);
    let only: Option<Vec<String>> = arg("--only").map(|s| s.split(',').map(String::from).collect());
    let run = |w: &str| only.as_ref().is_none_or(|o| o.iter().any(|p| p == w));
    let budget = Duration::from_millis(
        arg("--budget-ms")
            .and_then(|t| t.parse().ok())
            .unwrap_or(1500),
    );
    logit::set_num_threads(threads);
    manual_seed(0);

    if run("W1") {
        let x = Tensor::randn(&[1_000_000]);
        report(
            "W1_sigmoid_forward",
            threads,
            time(|| drop(x.sigmoid()), budget, 20),
            "",
        );
        let xg = x.detach().requires_grad_(true);
        report(
            "W1_sigmoid_forward_backward",
            threads,
            time(
                || {
                    xg.zero_grad();
                    xg.sigmoid().sum().backward().unwrap();
                },
                budget,
                20,
            ),
            "",
        );
    }
    if run("W2") {
        let (x, y) = synthetic::churn(64, 10, 0).unwrap();
        let fresh = || {
            let m = ChurnPredictor::new(10).unwrap();
            let config = SGDConfig {
                lr: 0.01,
                ..Default::default()
            };
            let opt = SGD::new(m.parameters(), config).unwrap();
            (m, opt)
        };
        let run = |(m, opt): &mut (ChurnPredictor, SGD)| step(m, opt, &x, &y, true);
        let timed = time(episodes(fresh, run), budget, 100);
        let allocs = allocations(episodes(fresh, run));
        report("W2_churn_step", threads, timed, &allocs);
    }
    if run("W3") {
        let (x, y) = synthetic::diabetes(32, 0).unwrap();
        let fresh = || {
            let m = DiabetesPredictor::new(8).unwrap();
            let opt = Adam::new(m.parameters(), adam_lr(1e-3)).unwrap();
            (m, opt)
        };
        let run = |(m, opt): &mut (DiabetesPredictor, Adam)| step(m, opt, &x, &y, true);
        let timed = time(episodes(fresh, run), budget, 100);
        let allocs = allocations(episodes(fresh, run));
        report("W3_diabetes_step", threads, timed, &allocs);
    }
    if run("W4") {
        for batch in [256usize, 4096] {
            let (x, y) = synthetic::fraud(synthetic::FraudConfig {
                n: batch,
                ..Default::default()
            })
            .unwrap();
            let fresh = || {
                let m = FraudDetectionModel::new(20).unwrap();
                let opt = Adam::new(m.parameters(), adam_lr(1e-3)).unwrap();
                (m, opt)
            };
            let run = |(m, opt): &mut (FraudDetectionModel, Adam)| step(m, opt, &x, &y, true);
            report(
                &format!("W4_fraud_step_b{batch}"),
                threads,
                time(episodes(fresh, run), budget, 20),
                "",
            );
        }
    }
    if run("W5") {
        let x = Tensor::randn(&[4096, 512]);
        let y = Tensor::rand(&[4096, 1]).gt_scalar(0.5).float();
        let m = Sequential::new()
            .add(Linear::new(512, 1024).unwrap())
            .add(ReLU)
            .add(Linear::new(1024, 1024).unwrap())
            .add(ReLU)
            .add(Linear::new(1024, 1).unwrap());
        let mut opt = Adam::new(m.parameters(), adam_lr(1e-3)).unwrap();
        report(
            "W5_mlp_step_b4096",
            threads,
            time(|| step(&m, &mut opt, &x, &y, false), budget * 2, 5),
            "",
        );
    }
    if run("W6") {
        let a = Tensor::randn(&[1024, 1024]);
        let b = Tensor::randn(&[1024, 1024]);
        let r = time(|| drop(a.matmul(&b).unwrap()), budget, 5);
        let gflops = 2.0 * 1024f64.powi(3) / (r.0 * 1e3);
        report(
            "W6_matmul_1024",
            threads,
            r,
            &format!(",\"gflops\":{gflops:.1}"),
        );
    }
    if run("W9") {
        // torch.randn(10_000_000): PyTorch's own stream, so the same numbers on both sides
        report(
            "W9_randn_1e7",
            threads,
            time(
                || {
                    std::hint::black_box(Tensor::randn(&[10_000_000]));
                },
                budget,
                5,
            ),
            "",
        );
    }
    if run("W7") {
        let x = Tensor::randn(&[1_000_000]).requires_grad_(true);
        let y = Tensor::rand(&[1_000_000]).gt_scalar(0.9).float();
        report(
            "W7_focal_forward_backward",
            threads,
            time(
                || {
                    x.zero_grad();
                    sigmoid_focal_loss(
                        &x,
                        &y,
                        FocalOptions {
                            alpha: 0.25,
                            gamma: 2.0,
                            reduction: Reduction::Mean,
                        },
                    )
                    .unwrap()
                    .backward()
                    .unwrap();
                },
                budget,
                10,
            ),
            "",
        );
    }
    if run("W8") {
        let m = ResNet::resnet50(1000).unwrap();
        m.eval();
        for (batch, name) in [(1, "W8_resnet50_forward"), (16, "W8_resnet50_forward_b16")] {
            let img = Tensor::randn(&[batch, 3, 224, 224]);
            let forward = || {
                let _g = no_grad();
                drop(m.forward(&img).unwrap());
            };
            report(name, threads, time(forward, budget * 3, 5), "");
        }
    }
    if run("W10") {
        report(
            "W10_resnet18_train_step_b8",
            threads,
            resnet18_step(budget),
            "",
        );
    }
    if run("W11") {
        report("W11_frozen_resnet18_head", threads, frozen_head(), "");
    }
}

/// One ResNet-18 fine-tuning step: batch 8 of 3×224×224, CrossEntropyLoss, backward through
/// the whole network, SGD with momentum.
fn resnet18_step(budget: Duration) -> (f64, f64, f64) {
    let m = ResNet::resnet18(1000).unwrap();
    m.train();
    let x = Tensor::randn(&[8, 3, 224, 224]);
    let y = Tensor::randint(0, 1000, &[8]).unwrap();
    let mut opt = SGD::new(
        m.parameters(),
        SGDConfig {
            lr: 0.01,
            momentum: 0.9,
            ..Default::default()
        },
    )
    .unwrap();
    let criterion = CrossEntropyLoss::new();
    let step = || {
        let loss = criterion.forward(&m.forward(&x).unwrap(), &y).unwrap();
        opt.zero_grad();
        loss.backward().unwrap();
        opt.step().unwrap();
    };
    time(step, budget * 2, 5)
}

/// The transfer-learning run users make: a frozen ResNet-18 with a new `Linear(512, 1) +
/// Sigmoid` head, 256 images of 3×224×224, 5 epochs of batches of 32 with BCELoss and Adam.
/// Nothing upstream of the head trains, so the backbone's features are computed once
/// ([`TransferHead::features`], in batches of 32) and every epoch trains on them. Timed from
/// the images to the trained head; three timed runs (no warm-up: one run is seconds long).
fn frozen_head() -> (f64, f64, f64) {
    const BATCH: usize = 32;
    let images = Tensor::randn(&[256, 3, 224, 224]);
    let labels = Tensor::rand(&[256, 1]).gt_scalar(0.5).float();
    let run = || {
        let model =
            TransferHead::new(ResNet::resnet18(1000).unwrap(), HeadOutput::Probability).unwrap();
        let mut opt = Adam::new(model.head_parameters(), AdamConfig::default()).unwrap();
        let batches: Vec<_> = (0..256 / BATCH)
            .map(|b| images.narrow(0, b * BATCH, BATCH).unwrap())
            .collect();
        let features: Vec<_> = batches.iter().map(|x| model.features(x).unwrap()).collect();
        for _epoch in 0..5 {
            for (b, f) in features.iter().enumerate() {
                let y = labels.narrow(0, b * BATCH, BATCH).unwrap();
                let loss = BCELoss::new()
                    .forward(&model.head_forward(f).unwrap(), &y)
                    .unwrap();
                opt.zero_grad();
                loss.backward().unwrap();
                opt.step().unwrap();
            }
        }
    };
    time(run, Duration::ZERO, 3)
}
