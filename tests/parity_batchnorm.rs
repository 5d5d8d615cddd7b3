//! batchnorm.json (PyTorch 2.15): BatchNorm1d training forward and backward, running statistics
//! (unbiased variance) after the step, and the eval-mode forward.

mod common;

use common::{assert_close, fixture, tensor};
use logit::core::DType;
use logit::nn::{BatchNorm1d, BatchNormConfig, Module, StateDict};

#[test]
fn batchnorm1d_matches_pytorch_in_training_and_eval() {
    let fx = fixture("batchnorm.json");
    for (n, case) in fx["cases"].as_array().unwrap().iter().enumerate() {
        let p = &case["params"];
        let what = format!("batchnorm.json case {n} (momentum {})", p["momentum"]);
        let bn = BatchNorm1d::with_config(
            p["num_features"].as_u64().unwrap() as usize,
            BatchNormConfig {
                eps: p["eps"].as_f64().unwrap(),
                momentum: p["momentum"].as_f64(),
                ..Default::default()
            },
        )
        .unwrap();
        bn.to_dtype(DType::F64);
        let mut sd = StateDict::new();
        for (k, v) in case["state_before"].as_object().unwrap() {
            let dt = if k == "num_batches_tracked" {
                DType::I64
            } else {
                DType::F64
            };
            sd.insert(k, tensor(v, dt));
        }
        bn.load_state_dict(&sd).unwrap();
        bn.train();
        let x = tensor(&case["x"], DType::F64).requires_grad_(true);
        let y = bn.forward(&x).unwrap();
        assert_close(
            &y,
            &case["train_output"],
            1e-9,
            1e-12,
            &format!("{what}: train output"),
        );
        y.backward_with(&tensor(&case["grad_output"], DType::F64))
            .unwrap();
        assert_close(
            &x.grad().unwrap(),
            &case["grad_x"],
            1e-9,
            1e-12,
            &format!("{what}: grad x"),
        );
        assert_close(
            &bn.weight.as_ref().unwrap().grad().unwrap(),
            &case["grad_weight"],
            1e-9,
            1e-12,
            &what,
        );
        assert_close(
            &bn.bias.as_ref().unwrap().grad().unwrap(),
            &case["grad_bias"],
            1e-9,
            1e-12,
            &what,
        );
        let after = bn.state_dict();
        for (k, v) in case["state_after"].as_object().unwrap() {
            assert_close(
                after.get(k).unwrap(),
                v,
                1e-9,
                1e-12,
                &format!("{what}: {k} after the step"),
            );
        }
        bn.eval();
        let ye = bn.forward(&tensor(&case["eval_x"], DType::F64)).unwrap();
        assert_close(
            &ye,
            &case["eval_output"],
            1e-9,
            1e-12,
            &format!("{what}: eval output"),
        );
    }
}
