//! Every case of ops.json (PyTorch 2.15): forward values and input gradients, f64 and f32.

mod common;

use common::{assert_close, dtype_of, fixture, tensor, tol};
use logit::core::{Result, Tensor};
use serde_json::Value;

fn run(op: &str, x: &dyn Fn(&str) -> Tensor, p: &Value) -> Result<Tensor> {
    let dim = || p["dim"].as_i64().unwrap() as isize;
    Ok(match op {
        "sigmoid" => x("x").sigmoid(),
        "tanh" => x("x").tanh(),
        "relu" => x("x").relu(),
        "exp" => x("x").exp(),
        "log" => x("x").log(),
        "neg" => x("x").neg(),
        "pow" => x("x").pow(p["exponent"].as_f64().unwrap()),
        "clamp" => x("x").clamp(p["min"].as_f64(), p["max"].as_f64()),
        "softmax" => x("x").softmax(dim())?,
        "log_softmax" => x("x").log_softmax(dim())?,
        "add" => x("a").add(&x("b"))?,
        "sub" => x("a").sub(&x("b"))?,
        "mul" => x("a").mul(&x("b"))?,
        "div" => x("a").div(&x("b"))?,
        "matmul" => x("a").matmul(&x("b"))?,
        "linear" => x("x").linear(&x("weight"), Some(&x("bias")))?,
        "sum" => x("x").sum(),
        "mean" => x("x").mean(),
        "sum_dim" => x("x").sum_dim(dim(), p["keepdim"].as_bool().unwrap())?,
        "mean_dim" => x("x").mean_dim(dim(), p["keepdim"].as_bool().unwrap())?,
        "transpose" => x("x").t()?,
        "reshape" => {
            let s: Vec<usize> = p["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect();
            x("x").reshape(s)?
        }
        "cat" => Tensor::cat(&[x("a"), x("b")], dim())?,
        "stack" => Tensor::stack(&[x("a"), x("b")], dim())?,
        other => panic!("ops.json has an op this test does not know: {other}"),
    })
}

#[test]
fn every_ops_json_case_matches_pytorch_forward_and_backward() {
    let fx = fixture("ops.json");
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 50, "ops.json has {} cases", cases.len());
    for (n, case) in cases.iter().enumerate() {
        let op = case["op"].as_str().unwrap();
        let dt = dtype_of(case);
        let (rtol, atol) = tol(dt);
        let what = format!("ops.json case {n} ({op}, {dt:?})");
        let inputs: Vec<(String, Tensor)> = case["inputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), tensor(v, dt).requires_grad_(true)))
            .collect();
        let get = |name: &str| {
            inputs
                .iter()
                .find(|(k, _)| k == name)
                .unwrap_or_else(|| panic!("{what}: input {name}"))
                .1
                .clone()
        };
        let y = run(op, &get, &case["params"]).unwrap();
        assert_close(&y, &case["output"], rtol, atol, &format!("{what}: output"));
        if let Some(go) = case.get("grad_output") {
            y.backward_with(&tensor(go, dt)).unwrap();
            for (name, g) in case["grads"].as_object().unwrap() {
                let grad = get(name)
                    .grad()
                    .unwrap_or_else(|| panic!("{what}: no grad for {name}"));
                assert_close(&grad, g, rtol, atol, &format!("{what}: grad of {name}"));
            }
        }
    }
}

#[test]
fn sigmoid_properties_hold_over_the_whole_range() {
    // range [0, 1], monotonic, σ(0) = 0.5, σ(−x) = 1 − σ(x), finite everywhere
    for dt in [logit::core::DType::F32, logit::core::DType::F64] {
        let x = Tensor::linspace(-1000.0, 1000.0, 20001).to_dtype(dt);
        let y = x.sigmoid().to_vec_f64();
        let yn = x.neg().sigmoid().to_vec_f64();
        // two ulps at 1: one rounding in 1 + e^{-|x|}, one in the division
        let eps = if dt == logit::core::DType::F32 {
            2.0 * f32::EPSILON as f64
        } else {
            2.0 * f64::EPSILON
        };
        for i in 0..y.len() {
            assert!(y[i].is_finite() && (0.0..=1.0).contains(&y[i]));
            if i > 0 {
                assert!(y[i] >= y[i - 1], "not monotonic at {i}");
            }
            assert!(
                (yn[i] - (1.0 - y[i])).abs() <= eps,
                "symmetry at x={}",
                x.to_vec_f64()[i]
            );
        }
        assert_eq!(
            Tensor::zeros(&[1]).to_dtype(dt).sigmoid().item().unwrap(),
            0.5
        );
    }
}
