//! Schedulers follow PyTorch's closed forms; clipping matches clip_grad_norm_'s definition.

use logit_core::Tensor;
use logit_optim::*;

fn sgd(lr: f64) -> SGD {
    SGD::new(
        vec![Tensor::zeros(&[2]).requires_grad_(true)],
        SGDConfig {
            lr,
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn step_exponential_and_cosine_schedules() {
    let mut opt = sgd(0.1);
    let mut s = StepLR::new(&opt, 3, 0.1).unwrap();
    let mut lrs = vec![];
    for _ in 0..7 {
        s.step(&mut opt);
        lrs.push(opt.lr());
    }
    let want = [0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001];
    assert!(
        lrs.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15),
        "{lrs:?}"
    );

    let mut opt = sgd(1.0);
    let mut e = ExponentialLR::new(&opt, 0.5).unwrap();
    e.step(&mut opt);
    e.step(&mut opt);
    assert_eq!(opt.lr(), 0.25);

    let mut opt = sgd(1.0);
    let mut c = CosineAnnealingLR::new(&opt, 4, 0.0).unwrap();
    let mut got = vec![];
    for _ in 0..4 {
        c.step(&mut opt);
        got.push(opt.lr());
    }
    let want = [0.853_553_390_593_273_8, 0.5, 0.146_446_609_406_726_24, 0.0];
    assert!(
        got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12),
        "{got:?}"
    );
}

#[test]
fn plateau_reduces_after_patience_epochs_without_improvement() {
    let mut opt = sgd(1.0);
    let mut p = ReduceLROnPlateau::new(&opt, PlateauMode::Min).unwrap();
    p.patience = 2;
    for m in [1.0, 0.9, 0.9, 0.9] {
        p.step_with(&mut opt, m).unwrap();
        assert_eq!(opt.lr(), 1.0);
    }
    p.step_with(&mut opt, 0.9).unwrap();
    assert!((opt.lr() - 0.1).abs() < 1e-12);
    assert!(p.step_with(&mut opt, f64::NAN).is_err());
}

#[test]
fn clipping_by_norm_and_value() {
    let w = Tensor::new([0.0, 0.0, 0.0]).unwrap().requires_grad_(true);
    w.mul(&Tensor::new([1.0, -2.0, 2.0]).unwrap())
        .unwrap()
        .sum()
        .backward()
        .unwrap();
    assert_eq!(clip_grad_norm_(&[w.clone()], 10.0, 2.0).unwrap(), 3.0);
    assert_eq!(w.grad().unwrap().to_vec::<f32>(), vec![1.0, -2.0, 2.0]); // under the max: unchanged
    assert_eq!(
        clip_grad_norm_(&[w.clone()], 1.0, f64::INFINITY).unwrap(),
        2.0
    );
    clip_grad_value_(&[w.clone()], 0.25).unwrap();
    assert!(w
        .grad()
        .unwrap()
        .to_vec::<f32>()
        .iter()
        .all(|v| v.abs() <= 0.25));
    assert!(clip_grad_norm_(&[w], -1.0, 2.0).is_err());
}
