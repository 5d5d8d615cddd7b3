//! Module behaviour: PyTorch key names, strict state-dict loading, train/eval, freezing,
//! printing, safetensors round trips, and a gradient check of BatchNorm.

use logit_core::autograd::{gradcheck, GradcheckOptions};
use logit_core::{DType, Result, Tensor};
use logit_nn::*;

#[derive(Module)]
struct Net {
    fc: Sequential,
    bn: BatchNorm1d,
    head: Linear,
}

impl Module for Net {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.head.forward(&self.bn.forward(&self.fc.forward(x)?)?)
    }
}

fn net() -> Net {
    Net {
        fc: Sequential::new()
            .add(Linear::new(4, 3).unwrap())
            .add(ReLU)
            .add(Dropout::new(0.5).unwrap()),
        bn: BatchNorm1d::new(3).unwrap(),
        head: Linear::with_bias(3, 1, false).unwrap(),
    }
}

#[test]
fn state_dict_keys_match_pytorch() {
    let keys = net()
        .state_dict()
        .keys()
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    assert_eq!(
        keys,
        [
            "fc.0.weight",
            "fc.0.bias",
            "bn.weight",
            "bn.bias",
            "bn.running_mean",
            "bn.running_var",
            "bn.num_batches_tracked",
            "head.weight"
        ]
    );
    let params: Vec<String> = net()
        .named_parameters()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        params,
        [
            "fc.0.weight",
            "fc.0.bias",
            "bn.weight",
            "bn.bias",
            "head.weight"
        ]
    );
    assert_eq!(net().num_parameters(), 12 + 3 + 3 + 3 + 3);
}

#[test]
fn load_state_dict_is_strict_and_lists_every_problem() {
    let a = net();
    let mut sd = a.state_dict();
    sd.remove("head.weight");
    sd.insert("extra.bias", Tensor::zeros(&[1]));
    sd.insert("fc.0.bias", Tensor::zeros(&[7]));
    let err = a.load_state_dict(&sd).unwrap_err().to_string();
    assert!(err.contains("\"head.weight\""), "{err}");
    assert!(err.contains("\"extra.bias\""), "{err}");
    assert!(
        err.contains("fc.0.bias: expected shape [3], got [7]"),
        "{err}"
    );
    // a good state dict copies values
    let b = net();
    b.load_state_dict(&a.state_dict()).unwrap();
    assert_eq!(b.head.weight.to_vec::<f32>(), a.head.weight.to_vec::<f32>());
}

#[test]
fn train_eval_switch_every_child() {
    let m = net();
    assert!(m.is_training());
    m.eval();
    assert!(!m.is_training());
    // dropout is off and batch norm uses running stats in eval: the output is deterministic
    let x = Tensor::randn(&[5, 4]);
    assert_eq!(
        m.forward(&x).unwrap().to_vec::<f32>(),
        m.forward(&x).unwrap().to_vec::<f32>()
    );
    m.train();
    assert!(m.is_training());
}

#[test]
fn freezing_stops_gradients() {
    let m = net();
    m.fc.requires_grad_(false);
    let x = Tensor::randn(&[6, 4]);
    m.forward(&x).unwrap().sum().backward().unwrap();
    assert!(m.fc.parameters().iter().all(|p| p.grad().is_none()));
    assert!(m.head.weight.grad().is_some());
}

#[test]
fn dropout_is_inverted_and_validated() {
    let d = Dropout::new(0.25).unwrap();
    let y = d.forward(&Tensor::ones(&[10000])).unwrap().to_vec::<f32>();
    assert!(y.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-6));
    let kept = y.iter().filter(|&&v| v > 0.0).count() as f64 / 10000.0;
    assert!((kept - 0.75).abs() < 0.03, "{kept}");
    d.eval();
    assert_eq!(
        d.forward(&Tensor::ones(&[3])).unwrap().to_vec::<f32>(),
        vec![1.0; 3]
    );
    assert!(Dropout::new(1.0).is_err() && Dropout::new(-0.1).is_err());
}

#[test]
fn repr_matches_pytorch() {
    let m = Sequential::new()
        .add(Linear::new(10, 1).unwrap())
        .add(Sigmoid);
    assert_eq!(m.repr(), "Sequential(\n  (0): Linear(in_features=10, out_features=1, bias=True)\n  (1): Sigmoid()\n)");
    assert_eq!(
        BatchNorm1d::new(64).unwrap().to_string(),
        "BatchNorm1d(64, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    );
}

#[test]
fn linear_init_is_uniform_within_one_over_sqrt_fan_in() {
    let l = Linear::new(16, 200).unwrap();
    let w = l.weight.to_vec::<f32>();
    assert!(w.iter().all(|v| v.abs() <= 0.25));
    assert!(w.iter().any(|v| v.abs() > 0.24)); // spans the range
    let e = l.forward(&Tensor::zeros(&[2, 5])).unwrap_err().to_string();
    assert_eq!(
        e,
        "Linear(16 -> 200): expected 16 input features, got 5 (input shape [2, 5])"
    );
}

#[test]
fn safetensors_round_trip_in_f32_and_f64() {
    let dir = tempfile::tempdir().unwrap();
    for dt in [DType::F32, DType::F64] {
        let a = net();
        a.to_dtype(dt);
        a.forward(&Tensor::randn(&[8, 4]).to_dtype(dt)).unwrap(); // move the running stats
        let path = dir.path().join(format!("net-{dt:?}.safetensors"));
        a.save(&path).unwrap();
        let b = net();
        b.to_dtype(dt);
        b.load(&path).unwrap();
        for ((k, x), (_, y)) in a.state_dict().iter().zip(b.state_dict().iter()) {
            assert_eq!(x.to_vec_f64(), y.to_vec_f64(), "{k}");
            assert_eq!(x.dtype(), y.dtype(), "{k}");
        }
    }
}

#[test]
fn corrupt_safetensors_files_are_errors_not_panics() {
    let good = serialize::to_safetensors_bytes(&net().state_dict()).unwrap();
    for cut in [0, 4, 8, 20, good.len() / 2, good.len() - 1] {
        assert!(
            serialize::from_safetensors_bytes(&good[..cut], "t").is_err(),
            "cut at {cut}"
        );
    }
    // a header claiming a gigantic length
    let mut lying = good.clone();
    lying[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(serialize::from_safetensors_bytes(&lying, "t").is_err());
    let e = load_safetensors("/nonexistent/model.safetensors")
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/model.safetensors"), "{e}");
}

#[test]
fn batch_norm_gradient_matches_finite_differences() {
    let o = GradcheckOptions {
        eps: 1e-6,
        atol: 1e-6,
        rtol: 1e-5,
    };
    for shape in [vec![6usize, 3], vec![4, 3, 5]] {
        let x = Tensor::randn(&shape).double().requires_grad_(true);
        let w = Tensor::rand(&[3])
            .double()
            .add_scalar(0.5)
            .requires_grad_(true);
        let b = Tensor::randn(&[3]).double().requires_grad_(true);
        for training in [true, false] {
            let rm = Tensor::randn(&[3]).double();
            let rv = Tensor::rand(&[3]).double().add_scalar(0.5);
            let opts = logit_core::ops::BatchNormOptions {
                training,
                momentum: Some(0.0),
                eps: 1e-5,
            };
            gradcheck(
                |t| t[0].batch_norm(Some(&rm), Some(&rv), Some(&t[1]), Some(&t[2]), opts),
                &[x.clone(), w.clone(), b.clone()],
                o,
            )
            .unwrap();
        }
    }
}
