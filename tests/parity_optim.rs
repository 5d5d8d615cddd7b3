//! optim.json (PyTorch 2.15): SGD, Adam, AdamW and RMSprop, parameters after each of six steps
//! with given gradients, f64.

mod common;

use common::{assert_close, fixture, tensor};
use logit::core::{DType, Tensor};
use logit::optim::{Adam, AdamConfig, AdamW, Optimizer, RMSprop, RMSpropConfig, SGDConfig, SGD};
use serde_json::Value;

fn build(name: &str, c: &Value, params: Vec<Tensor>) -> Box<dyn Optimizer> {
    let f = |k: &str, d: f64| c.get(k).and_then(Value::as_f64).unwrap_or(d);
    let b = |k: &str| c.get(k).and_then(Value::as_bool).unwrap_or(false);
    match name {
        "SGD" => Box::new(
            SGD::new(
                params,
                SGDConfig {
                    lr: f("lr", 0.0),
                    momentum: f("momentum", 0.0),
                    dampening: f("dampening", 0.0),
                    weight_decay: f("weight_decay", 0.0),
                    nesterov: b("nesterov"),
                },
            )
            .unwrap(),
        ),
        "Adam" | "AdamW" => {
            let d = AdamConfig::default();
            let betas = c.get("betas").map_or(d.betas, |v| {
                (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
            });
            let cfg = AdamConfig {
                lr: f("lr", d.lr),
                betas,
                eps: f("eps", d.eps),
                // left out, the optimizer's own default applies (0.01 for AdamW)
                weight_decay: c.get("weight_decay").and_then(|v| v.as_f64()),
                amsgrad: b("amsgrad"),
            };
            if name == "Adam" {
                Box::new(Adam::new(params, cfg).unwrap())
            } else {
                Box::new(AdamW::new(params, cfg).unwrap())
            }
        }
        "RMSprop" => {
            let d = RMSpropConfig::default();
            Box::new(
                RMSprop::new(
                    params,
                    RMSpropConfig {
                        lr: f("lr", d.lr),
                        alpha: f("alpha", d.alpha),
                        eps: f("eps", d.eps),
                        weight_decay: f("weight_decay", 0.0),
                        momentum: f("momentum", 0.0),
                        centered: b("centered"),
                    },
                )
                .unwrap(),
            )
        }
        other => panic!("unknown optimizer {other}"),
    }
}

#[test]
fn every_optimizer_trajectory_matches_pytorch() {
    let fx = fixture("optim.json");
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 10);
    for (n, case) in cases.iter().enumerate() {
        let name = case["optimizer"].as_str().unwrap();
        let what = format!("optim.json case {n} ({name} {})", case["config"]);
        let w = tensor(&case["weight0"], DType::F64).requires_grad_(true);
        let b = tensor(&case["bias0"], DType::F64).requires_grad_(true);
        let mut opt = build(name, &case["config"], vec![w.clone(), b.clone()]);
        for (s, (g, after)) in case["grads"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["after_each_step"].as_array().unwrap())
            .enumerate()
        {
            opt.zero_grad();
            w.set_grad(Some(tensor(&g["weight"], DType::F64))).unwrap();
            b.set_grad(Some(tensor(&g["bias"], DType::F64))).unwrap();
            opt.step().unwrap();
            assert_close(
                &w,
                &after["weight"],
                1e-9,
                1e-12,
                &format!("{what}: weight after step {}", s + 1),
            );
            assert_close(
                &b,
                &after["bias"],
                1e-9,
                1e-12,
                &format!("{what}: bias after step {}", s + 1),
            );
        }
    }
}

#[test]
fn frozen_parameters_are_skipped_and_bad_hyperparameters_rejected() {
    let w = Tensor::new([1.0]).unwrap().requires_grad_(true);
    let frozen = Tensor::new([1.0]).unwrap();
    let mut opt = SGD::new(
        vec![w.clone(), frozen.clone()],
        SGDConfig {
            lr: 0.5,
            ..Default::default()
        },
    )
    .unwrap();
    w.sum().backward().unwrap();
    opt.step().unwrap();
    assert_eq!((w.item().unwrap(), frozen.item().unwrap()), (0.5, 1.0));
    assert!(SGD::new(
        vec![w.clone()],
        SGDConfig {
            lr: -0.1,
            ..Default::default()
        }
    )
    .err()
    .unwrap()
    .to_string()
    .contains("Invalid learning rate: -0.1"));
    assert!(SGD::new(
        vec![w.clone()],
        SGDConfig {
            nesterov: true,
            ..Default::default()
        }
    )
    .is_err());
    let e = Adam::new(
        vec![w],
        AdamConfig {
            betas: (1.2, 0.999),
            ..Default::default()
        },
    )
    .err()
    .unwrap();
    assert!(
        e.to_string()
            .contains("Invalid beta parameter at index 0: 1.2"),
        "{e}"
    );
}
