//! Every case of losses.json (PyTorch 2.15): BCE, BCEWithLogits and torchvision's sigmoid focal
//! loss, values and input gradients in f64.

mod common;

use common::{assert_close, dtype_of, fixture, tensor, tol};
use logit::core::Tensor;
use logit::losses::{
    binary_cross_entropy, binary_cross_entropy_with_logits, sigmoid_focal_loss, BceOptions,
    BceWithLogitsOptions, FocalOptions, Reduction,
};

#[test]
fn every_losses_json_case_matches_pytorch() {
    let fx = fixture("losses.json");
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 25, "losses.json case count");
    for (n, case) in cases.iter().enumerate() {
        let op = case["op"].as_str().unwrap();
        let dt = dtype_of(case);
        let (rtol, atol) = tol(dt);
        let p = &case["params"];
        let what = format!("losses.json case {n} ({op}, {p})");
        let inputs = case["inputs"].as_object().unwrap();
        let get = |k: &str| inputs.get(k).map(|v| tensor(v, dt));
        let x = get("input").unwrap().requires_grad_(true);
        let y = get("target").unwrap();
        let red: Reduction = p["reduction"].as_str().unwrap().parse().unwrap();
        let out: Tensor = match op {
            "binary_cross_entropy" => {
                let (w, reduction) = (get("weight"), red);
                binary_cross_entropy(
                    &x,
                    &y,
                    BceOptions {
                        weight: w.as_ref(),
                        reduction,
                    },
                )
            }
            "binary_cross_entropy_with_logits" => {
                let (w, pw) = (get("weight"), get("pos_weight"));
                let options = BceWithLogitsOptions {
                    weight: w.as_ref(),
                    pos_weight: pw.as_ref(),
                    reduction: red,
                };
                binary_cross_entropy_with_logits(&x, &y, options)
            }
            "sigmoid_focal_loss" => {
                let options = FocalOptions {
                    alpha: p["alpha"].as_f64().unwrap(),
                    gamma: p["gamma"].as_f64().unwrap(),
                    reduction: red,
                };
                sigmoid_focal_loss(&x, &y, options)
            }
            other => panic!("unknown loss {other}"),
        }
        .unwrap();
        assert_close(
            &out,
            &case["output"],
            rtol,
            atol,
            &format!("{what}: output"),
        );
        if let Some(go) = case.get("grad_output") {
            out.backward_with(&tensor(go, dt)).unwrap();
            assert_close(
                &x.grad().unwrap(),
                &case["grads"]["input"],
                rtol,
                atol,
                &format!("{what}: grad"),
            );
        }
    }
}

#[test]
fn logits_of_plus_minus_1000_stay_finite() {
    let x = Tensor::new([1000.0, -1000.0, 1000.0, -1000.0])
        .unwrap()
        .requires_grad_(true);
    let y = Tensor::new([1.0, 0.0, 0.0, 1.0]).unwrap();
    let l = binary_cross_entropy_with_logits(&x, &y, Reduction::None).unwrap();
    assert_eq!(l.to_vec::<f32>(), vec![0.0, 0.0, 1000.0, 1000.0]);
    l.sum().backward().unwrap();
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![0.0, 0.0, 1.0, -1.0]);
    let f = sigmoid_focal_loss(
        &x,
        &y,
        FocalOptions {
            alpha: 0.25,
            gamma: 2.0,
            reduction: Reduction::Sum,
        },
    )
    .unwrap();
    assert!(f.item().unwrap().is_finite());
}

#[test]
fn bce_rejects_probabilities_outside_0_1_and_wrong_target_shapes() {
    let p = Tensor::new([0.5, 1.5]).unwrap();
    let e =
        binary_cross_entropy(&p, &Tensor::new([1.0, 0.0]).unwrap(), Reduction::Mean).unwrap_err();
    assert!(
        e.to_string().contains("between 0 and 1") && e.to_string().contains("1.5"),
        "{e}"
    );
    let e = binary_cross_entropy_with_logits(
        &Tensor::zeros(&[4, 1]),
        &Tensor::zeros(&[4]),
        Reduction::Mean,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("[4, 1]") && e.to_string().contains("[4]"),
        "{e}"
    );
}
