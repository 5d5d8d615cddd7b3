//! Same seed, same bits: the tutorial's training loops (churn with SGD, diabetes with shuffled
//! mini-batches and Adam, fraud with BatchNorm and Dropout) give bit-identical weights run
//! after run.

use logit::data::synthetic::{self, FraudConfig};
use logit::data::DataLoader;
use logit::models::{ChurnPredictor, DiabetesPredictor, FraudDetectionModel};
use logit::nn::{Linear, ReLU, Sequential};
use logit::prelude::*;

/// The global generator and thread count are process-wide: the tests here take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn weights(m: &dyn Module) -> Vec<u32> {
    m.parameters()
        .iter()
        .flat_map(|p| p.to_vec::<f32>())
        .map(f32::to_bits)
        .collect()
}

/// One BCELoss training step, as the tutorial's loops do it.
fn bce_step(m: &dyn Module, opt: &mut dyn Optimizer, x: &Tensor, y: &Tensor) {
    let loss = BCELoss::new().forward(&m.forward(x).unwrap(), y).unwrap();
    opt.zero_grad();
    loss.backward().unwrap();
    opt.step().unwrap();
}

fn churn() -> Vec<u32> {
    manual_seed(1);
    let (x, y) = synthetic::churn(64, 10, 1).unwrap();
    let m = ChurnPredictor::new(10).unwrap();
    let mut opt = SGD::new(
        m.parameters(),
        SGDConfig {
            lr: 0.01,
            ..Default::default()
        },
    )
    .unwrap();
    for _ in 0..50 {
        bce_step(&m, &mut opt, &x, &y);
    }
    weights(&m)
}

fn diabetes() -> Vec<u32> {
    manual_seed(2);
    let (x, y) = synthetic::diabetes(200, 2).unwrap();
    let m = DiabetesPredictor::new(8).unwrap();
    let mut opt = Adam::new(m.parameters(), AdamConfig::default()).unwrap();
    let mut loader = DataLoader::new(&x, &y, 32).unwrap().shuffle(2);
    for _ in 0..10 {
        for b in loader.iter() {
            let (xb, yb) = b.unwrap();
            bce_step(&m, &mut opt, &xb, &yb);
        }
    }
    weights(&m)
}

fn fraud() -> Vec<u32> {
    manual_seed(3);
    let (x, y) = synthetic::fraud(FraudConfig {
        n: 512,
        seed: 3,
        ..Default::default()
    })
    .unwrap();
    let m = FraudDetectionModel::new(20).unwrap();
    let mut opt = Adam::new(m.parameters(), AdamConfig::default()).unwrap();
    let mut loader = DataLoader::new(&x, &y, 128).unwrap().shuffle(3);
    for _ in 0..3 {
        for b in loader.iter() {
            let (xb, yb) = b.unwrap();
            bce_step(&m, &mut opt, &xb, &yb);
        }
    }
    let mut w = weights(&m);
    w.extend(
        m.named_buffers()
            .iter()
            .flat_map(|(_, b)| b.to_vec::<f64>())
            .map(|v| v.to_bits() as u32),
    );
    w
}

#[test]
fn training_is_bit_identical_run_after_run() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // the global generator is shared: run the loops in sequence in one test
    for (name, run) in [
        ("churn", churn as fn() -> Vec<u32>),
        ("diabetes", diabetes),
        ("fraud", fraud),
    ] {
        let (a, b) = (run(), run());
        assert!(!a.is_empty());
        assert_eq!(a, b, "{name} differs between two runs with the same seed");
    }
    // a different seed gives different weights, so the comparison above can fail
    manual_seed(99);
    let m = ChurnPredictor::new(10).unwrap();
    assert_ne!(weights(&m), churn());
}

/// A step big enough to take every parallel path: GEMMs above the split threshold, elementwise
/// ops above the chunk threshold, batch norm and dropout.
fn parallel_step(threads: usize) -> Vec<u32> {
    logit::set_num_threads(threads);
    manual_seed(5);
    let x = Tensor::randn(&[512, 256]);
    let y = Tensor::rand(&[512, 1]).gt_scalar(0.5).float();
    let m = Sequential::new()
        .add(Linear::new(256, 512).unwrap())
        .add(logit::nn::BatchNorm1d::new(512).unwrap())
        .add(ReLU)
        .add(logit::nn::Dropout::new(0.2).unwrap())
        .add(Linear::new(512, 1).unwrap());
    let mut opt = Adam::new(m.parameters(), AdamConfig::default()).unwrap();
    for _ in 0..3 {
        let out = m.forward(&x).unwrap();
        let loss = BCEWithLogitsLoss::new()
            .forward(&out, &y)
            .unwrap()
            .add(&out.sigmoid().mean())
            .unwrap();
        opt.zero_grad();
        loss.backward().unwrap();
        opt.step().unwrap();
    }
    let big = Tensor::randn(&[600_000]).requires_grad_(true);
    let mut w = weights(&m);
    w.extend(
        big.sigmoid()
            .exp()
            .relu()
            .to_vec::<f32>()
            .into_iter()
            .map(f32::to_bits),
    );
    let target = Tensor::rand(&[600_000]).gt_scalar(0.9).float();
    let focal = logit::losses::sigmoid_focal_loss(
        &big,
        &target,
        logit::losses::FocalOptions {
            alpha: 0.25,
            gamma: 2.0,
            reduction: Reduction::Mean,
        },
    )
    .unwrap();
    focal.backward().unwrap();
    w.push((focal.item().unwrap() as f32).to_bits());
    w.extend(
        big.grad()
            .unwrap()
            .to_vec::<f32>()
            .into_iter()
            .map(f32::to_bits),
    );
    w
}

#[test]
fn one_and_two_threads_give_the_same_bits() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let one = parallel_step(1);
    let two = parallel_step(2);
    logit::set_num_threads(0);
    assert_eq!(one.len(), two.len());
    assert!(one == two, "results differ between 1 and 2 threads");
}

/// `randn` transforms its Box–Muller blocks in parallel chunks above the chunk threshold: the
/// bits must not depend on the thread count.
#[test]
fn randn_is_bit_identical_with_1_and_2_threads() -> logit::core::Result<()> {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let draw = |threads: usize| {
        logit::set_num_threads(threads);
        manual_seed(11);
        let v = Tensor::randn(&[1 << 20]).to_vec::<f32>();
        v.iter().map(|x| x.to_bits()).collect::<Vec<u32>>()
    };
    let (one, two) = (draw(1), draw(2));
    logit::set_num_threads(0);
    assert_eq!(one.len(), 1 << 20);
    assert!(one == two, "randn differs between 1 and 2 threads");
    Ok(())
}

/// A convolutional training step large enough (over 512K elements per activation) for the
/// per-channel parallel paths: im2col and col2im, batch norm's statistics and gradient sums,
/// max pooling with its argmaxes.
fn conv_step(threads: usize) -> logit::core::Result<Vec<u32>> {
    use logit::nn::{BatchNorm2d, Conv2d, Conv2dConfig, MaxPool2d};
    logit::set_num_threads(threads);
    manual_seed(11);
    let x = Tensor::randn(&[2, 3, 192, 192]);
    let m = Sequential::new()
        .add(Conv2d::new(
            3,
            8,
            3,
            Conv2dConfig {
                padding: (1, 1),
                ..Default::default()
            },
        )?)
        .add(BatchNorm2d::new(8)?)
        .add(ReLU)
        .add(MaxPool2d::new(3, 2, 1))
        .add(Conv2d::new(8, 4, 3, Conv2dConfig::default())?);
    let mut opt = SGD::new(m.parameters(), SGDConfig::default())?;
    let loss = m.forward(&x)?.mean();
    opt.zero_grad();
    loss.backward()?;
    let mut bits: Vec<u32> = m
        .parameters()
        .iter()
        .flat_map(|p| p.grad().map(|g| g.to_vec::<f32>()).unwrap_or_default())
        .map(f32::to_bits)
        .collect();
    opt.step()?;
    bits.extend(weights(&m));
    Ok(bits)
}

#[test]
fn a_convolutional_step_gives_the_same_bits_with_1_and_2_threads() -> logit::core::Result<()> {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let one = conv_step(1)?;
    let two = conv_step(2)?;
    logit::set_num_threads(0);
    assert!(one.len() > 1000);
    assert!(one == two, "results differ between 1 and 2 threads");
    Ok(())
}

/// An eval-mode ResNet-18 forward of four images: on two threads each thread takes whole
/// images (their products and im2col then run on it alone), on one the images run in turn;
/// the fused batch norm, skip connection and ReLU run in both.
fn resnet_eval(threads: usize) -> logit::core::Result<Vec<u32>> {
    logit::set_num_threads(threads);
    manual_seed(5);
    let m = logit::models::ResNet::resnet18(10)?;
    m.eval();
    let x = Tensor::randn(&[4, 3, 64, 64]);
    let _g = logit::core::no_grad();
    Ok(m.forward(&x)?
        .to_vec::<f32>()
        .into_iter()
        .map(f32::to_bits)
        .collect())
}

#[test]
fn an_eval_forward_by_images_gives_the_same_bits_with_1_and_2_threads() -> logit::core::Result<()> {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let one = resnet_eval(1)?;
    let two = resnet_eval(2)?;
    logit::set_num_threads(0);
    assert_eq!(one.len(), 40);
    assert!(one == two, "results differ between 1 and 2 threads");
    Ok(())
}
