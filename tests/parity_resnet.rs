//! resnet.json (torchvision, PyTorch 2.15): resnet18 and resnet50 in eval mode with
//! deterministic weights (each entry filled from its key name, see the fixture README
//! formula) on a 1×3×64×64 image `sin(0.01·i)`: the first 10 logits, their sum and absolute
//! sum, and the probability after swapping `fc` for `Sequential(Linear(nf, 1), Sigmoid)`.
//! f64 to 1e-8 relative; f32 is run too and stays within 1e-5 (the logit sum, a cancellation,
//! relative to its terms' magnitude: see `check`).

mod common;

use common::fixture;
use logit::core::{no_grad, DType, Tensor};
use logit::models::{HeadOutput, ResNet, TransferHead};
use logit::nn::{Module, StateDict};

/// The reference's deterministic value of entry `i` of `key`.
fn formula(key: &str, shape: &[usize], dtype: DType) -> Tensor {
    let n: usize = shape.iter().product();
    let k = (key.bytes().map(u64::from).sum::<u64>() % 97) as f64;
    let is_bn = key.contains("bn") || key.contains("downsample.1");
    let fan_in: usize = shape[1..].iter().product();
    let v: Vec<f64> = (0..n)
        .map(|i| {
            let s = (0.1 * i as f64 + k).sin();
            if key.ends_with("running_var") {
                1.0 + 0.25 * (1.0 + s)
            } else if key.ends_with("running_mean") || key.ends_with("bias") {
                0.1 * s
            } else if is_bn {
                1.0 + 0.1 * s
            } else {
                s / (fan_in.max(1) as f64).sqrt()
            }
        })
        .collect();
    Tensor::from_vec(v, shape).unwrap().to_dtype(dtype)
}

fn load_formula(m: &dyn Module, dtype: DType) {
    m.to_dtype(dtype);
    let sd: StateDict = m
        .state_dict()
        .iter()
        .map(|(k, t)| {
            let v = if k.ends_with("num_batches_tracked") {
                t.clone()
            } else {
                formula(k, t.shape(), dtype)
            };
            (k.to_string(), v)
        })
        .collect();
    m.load_state_dict(&sd).unwrap();
}

fn close(a: f64, e: f64, rtol: f64, what: &str) {
    assert!(
        (a - e).abs() <= rtol * e.abs().max(1e-3),
        "{what}: got {a:e}, torchvision {e:e}"
    );
}

fn check(arch: &str, build: fn(usize) -> logit::Result<ResNet>) {
    let fx = fixture("resnet.json");
    let c = &fx[arch];
    let image = |dt: DType| {
        Tensor::from_vec(
            (0..3 * 64 * 64).map(|i| (0.01 * i as f64).sin()).collect(),
            &[1, 3, 64, 64],
        )
        .unwrap()
        .to_dtype(dt)
    };
    for (dt, rtol) in [(DType::F64, 1e-8), (DType::F32, 1e-5)] {
        let model = build(1000).unwrap();
        load_formula(&model, dt);
        model.eval();
        let _g = no_grad();
        let logits = model.forward(&image(dt)).unwrap();
        assert_eq!(logits.shape(), &[1, 1000]);
        let v = logits.to_vec_f64();
        for (i, e) in c["logits_first_10"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            close(
                v[i],
                e.as_f64().unwrap(),
                rtol,
                &format!("{arch} {dt:?} logit {i}"),
            );
        }
        // The sum cancels (about 0.43 from terms whose magnitudes add to about 2,400), so in
        // f32 its error is measured against its terms' magnitude: PyTorch 2.15's own f32
        // forward of this ResNet-50 is 2.6e-5 (one thread) and 2.1e-5 (two) off relative to
        // the sum itself, which a 1e-5 bound on that would fail.
        let sum: f64 = v.iter().sum();
        let expected = c["logits_sum"].as_f64().unwrap();
        let scale = match dt {
            DType::F32 => c["logits_abs_sum"].as_f64().unwrap(),
            _ => expected.abs().max(1e-3),
        };
        assert!(
            (sum - expected).abs() <= rtol * scale,
            "{arch} {dt:?} logit sum: got {sum:e}, torchvision {expected:e}"
        );
        close(
            v.iter().map(|x| x.abs()).sum(),
            c["logits_abs_sum"].as_f64().unwrap(),
            rtol,
            &format!("{arch} {dt:?} abs sum"),
        );

        let head = TransferHead::new(model, HeadOutput::Probability).unwrap();
        let nf = head.model().num_features();
        // the head's keys are fc.0.weight and fc.0.bias; the formula is keyed by those names
        let fc: StateDict = [("fc.0.weight", vec![1, nf]), ("fc.0.bias", vec![1])]
            .into_iter()
            .map(|(k, s)| (k["fc.".len()..].to_string(), formula(k, &s, dt)))
            .collect();
        head.model().fc.load_state_dict(&fc).unwrap();
        let p = head.forward(&image(dt)).unwrap().item().unwrap();
        close(
            p,
            c["transfer_probability"].as_f64().unwrap(),
            rtol,
            &format!("{arch} {dt:?} transfer probability"),
        );
    }
}

#[test]
fn resnet18_matches_torchvision() {
    check("resnet18", ResNet::resnet18);
}

#[test]
fn resnet50_matches_torchvision() {
    check("resnet50", ResNet::resnet50);
}

#[test]
fn resnet_keys_match_torchvision_and_the_head_swap() {
    let keys = |m: &dyn Module| {
        m.state_dict()
            .keys()
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let r50 = keys(&ResNet::resnet50(1000).unwrap());
    assert_eq!(r50.len(), 320 + 1 - 1); // torchvision's resnet50 state dict has 320 entries
    assert_eq!(
        &r50[..6],
        [
            "conv1.weight",
            "bn1.weight",
            "bn1.bias",
            "bn1.running_mean",
            "bn1.running_var",
            "bn1.num_batches_tracked"
        ]
    );
    assert!(
        r50.contains(&"layer4.2.conv3.weight".to_string())
            && r50.contains(&"layer1.0.downsample.1.running_var".to_string())
    );
    assert_eq!(&r50[r50.len() - 2..], ["fc.weight", "fc.bias"]);
    assert_eq!(keys(&ResNet::resnet18(1000).unwrap()).len(), 122);
    let head = TransferHead::new(ResNet::resnet18(1000).unwrap(), HeadOutput::Probability).unwrap();
    let k = keys(&head);
    assert_eq!(&k[k.len() - 2..], ["fc.0.weight", "fc.0.bias"]);
    assert_eq!(
        head.parameters()
            .iter()
            .filter(|p| p.requires_grad())
            .count(),
        2,
        "only the head trains"
    );
}

/// resnet18_formula.pth, written by torch.save (its tensors are views into a few shared
/// storages, see checkpoints.py), loaded in one line and run in f32: resnet.json's logits.
#[test]
fn resnet18_pth_from_pytorch_gives_torchvisions_logits() -> logit::Result<()> {
    let c = &fixture("resnet.json")["resnet18"];
    let model = ResNet::resnet18(1000)?;
    logit::nn::ModuleIo::load(
        &model,
        format!(
            "{}/tests/fixtures/pytorch/pth/resnet18_formula.pth",
            env!("CARGO_MANIFEST_DIR")
        ),
    )?;
    model.eval();
    let _g = no_grad();
    let image = Tensor::from_vec(
        (0..3 * 64 * 64).map(|i| (0.01 * i as f64).sin()).collect(),
        &[1, 3, 64, 64],
    )?
    .to_dtype(DType::F32);
    let v = model.forward(&image)?.to_vec_f64();
    let first: Vec<f64> = c["logits_first_10"]["data"]
        .as_array()
        .expect("logits")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect();
    for (i, e) in first.iter().enumerate() {
        close(v[i], *e, 1e-5, &format!("pth logit {i}"));
    }
    close(
        v.iter().map(|x| x.abs()).sum(),
        c["logits_abs_sum"].as_f64().expect("abs sum"),
        1e-5,
        "pth abs sum",
    );
    Ok(())
}
