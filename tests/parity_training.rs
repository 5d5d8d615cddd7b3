//! training.json (PyTorch 2.15): the tutorial's churn loop (Linear(10,1)+Sigmoid, BCELoss, SGD
//! lr 0.01, 100 full-batch epochs) and diabetes loop (8-12-8-1 MLP, BCELoss, Adam lr 1e-3,
//! batch 32, 200 epochs), from PyTorch's data and initial weights, in f64 and f32: the loss
//! after every epoch, the final weights, the test accuracy and the predicted probabilities.

mod common;

use common::{assert_close, assert_values, fixture, tensor};
use logit::core::{no_grad, DType};
use logit::losses::BCELoss;
use logit::models::{ChurnPredictor, DiabetesPredictor};
use logit::nn::{Module, StateDict};
use logit::optim::{Adam, AdamConfig, Optimizer, SGDConfig, SGD};
use serde_json::Value;

fn tolerance(dt: DType) -> f64 {
    if dt == DType::F64 {
        1e-9
    } else {
        1e-4
    }
}

fn state(v: &Value, prefix: &str, dt: DType) -> StateDict {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, t)| (format!("{prefix}{k}"), tensor(t, dt)))
        .collect()
}

fn losses(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn churn_loop_follows_pytorch_epoch_by_epoch() {
    let fx = fixture("training.json");
    for (key, dt) in [("churn_float64", DType::F64), ("churn_float32", DType::F32)] {
        let c = &fx[key];
        let tol = tolerance(dt);
        let model = ChurnPredictor::new(10).unwrap();
        model.to_dtype(dt);
        model
            .load_state_dict(&state(&c["init"], "linear.", dt))
            .unwrap();
        let (x, y) = (tensor(&c["X"], dt), tensor(&c["y"], dt));
        let criterion = BCELoss::new();
        let mut opt = SGD::new(
            model.parameters(),
            SGDConfig {
                lr: 0.01,
                ..Default::default()
            },
        )
        .unwrap();
        let mut got = Vec::new();
        for _ in 0..100 {
            let loss = criterion.forward(&model.forward(&x).unwrap(), &y).unwrap();
            opt.zero_grad();
            loss.backward().unwrap();
            opt.step().unwrap();
            got.push(loss.item().unwrap());
        }
        assert_values(
            &got,
            &losses(&c["losses"]),
            tol,
            0.0,
            &format!("{key}: loss per epoch"),
        );
        let sd = model.state_dict();
        for (k, v) in c["final"].as_object().unwrap() {
            assert_close(
                sd.get(k).unwrap(),
                v,
                tol,
                1e-7 * tol,
                &format!("{key}: final {k}"),
            );
        }
        let p = {
            let _g = no_grad();
            model.forward(&tensor(&c["new_customers"], dt)).unwrap()
        };
        assert_close(
            &p,
            &c["probabilities"],
            tol,
            0.0,
            &format!("{key}: new customers"),
        );
    }
}

#[test]
fn diabetes_loop_follows_pytorch_epoch_by_epoch() {
    let fx = fixture("training.json");
    for (key, dt) in [
        ("diabetes_float64", DType::F64),
        ("diabetes_float32", DType::F32),
    ] {
        let c = &fx[key];
        let tol = tolerance(dt);
        let model = DiabetesPredictor::new(8).unwrap();
        model.to_dtype(dt);
        model.load_state_dict(&state(&c["init"], "", dt)).unwrap();
        let (x, y) = (tensor(&c["X"], dt), tensor(&c["y"], dt));
        let train = c["train_rows"].as_u64().unwrap() as usize;
        let bs = c["batch_size"].as_u64().unwrap() as usize;
        let criterion = BCELoss::new();
        let mut opt = Adam::new(
            model.parameters(),
            AdamConfig {
                lr: 0.001,
                ..Default::default()
            },
        )
        .unwrap();
        let mut got = Vec::new();
        for _ in 0..c["epochs"].as_u64().unwrap() {
            let mut last = f64::NAN;
            for i in 0..train / bs {
                let (xb, yb) = (
                    x.narrow(0, i * bs, bs).unwrap(),
                    y.narrow(0, i * bs, bs).unwrap(),
                );
                let loss = criterion
                    .forward(&model.forward(&xb).unwrap(), &yb)
                    .unwrap();
                opt.zero_grad();
                loss.backward().unwrap();
                opt.step().unwrap();
                last = loss.item().unwrap();
            }
            got.push(last);
        }
        assert_values(
            &got,
            &losses(&c["last_batch_loss_per_epoch"]),
            tol,
            0.0,
            &format!("{key}: loss per epoch"),
        );
        let _g = no_grad();
        let n = x.shape()[0];
        let (xt, yt) = (
            x.narrow(0, train, n - train).unwrap(),
            y.narrow(0, train, n - train).unwrap(),
        );
        let pt = model.forward(&xt).unwrap();
        assert_close(
            &pt,
            &c["test_probabilities"],
            tol,
            1e-6 * tol,
            &format!("{key}: test probabilities"),
        );
        let acc = pt
            .gt_scalar(0.5)
            .to_dtype(dt)
            .eq(&yt)
            .unwrap()
            .to_dtype(dt)
            .mean()
            .item()
            .unwrap();
        assert!(
            (acc - c["test_accuracy"].as_f64().unwrap()).abs() < 1e-6,
            "{key}: test accuracy {acc}"
        );
        let risk = model.forward(&tensor(&c["new_patients"], dt)).unwrap();
        assert_close(&risk, &c["risk"], tol, 0.0, &format!("{key}: new patients"));
    }
}
