//! checkpoints.json and pth/*.pth (torch.save in PyTorch 2.15, see checkpoints.py): reading
//! PyTorch's files (state dicts, views and shared storages, every dtype, whole training
//! checkpoints), resuming optimizers and schedulers from them, and writing `.pth` files.

mod common;

use common::{assert_close, fixture, tensor};
use logit::core::checkpoint::{self, Value};
use logit::core::{no_grad, DType, Error, Result, Tensor};
use logit::losses::BCELoss;
use logit::models::DiabetesPredictor;
use logit::nn::{Module, ModuleIo, StateDict};
use logit::optim::{
    Adam, AdamConfig, AdamW, LrScheduler, Optimizer, RMSprop, RMSpropConfig, SGDConfig, StepLR, SGD,
};

fn pth(name: &str) -> String {
    format!(
        "{}/tests/fixtures/pytorch/pth/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn diabetes_predictor_pth_loads_into_the_model() -> Result<()> {
    let fx = &fixture("checkpoints.json")["diabetes_predictor"];
    let model = DiabetesPredictor::new(8)?;
    model.load(pth("diabetes_predictor.pth"))?;
    // PyTorch's per-module versions ride along as the OrderedDict's _metadata attribute
    let raw = checkpoint::load(pth("diabetes_predictor.pth"))?;
    let meta = &raw.as_dict()?.attrs;
    assert_eq!(meta.len(), 1);
    assert_eq!(meta[0].0, "_metadata");
    assert_eq!(meta[0].1.get("layer1")?.get("version")?.as_i64()?, 1);
    for (k, t) in model.state_dict().iter() {
        assert_close(t, &fx["state_dict"][k], 0.0, 0.0, k);
    }
    model.eval();
    let _g = no_grad();
    let p = model.forward(&tensor(&fx["x"], DType::F32))?;
    assert_close(&p, &fx["probabilities"], 1e-6, 1e-7, "probabilities");
    Ok(())
}

#[test]
fn views_shared_storages_and_offsets_are_copied_out() -> Result<()> {
    let fx = &fixture("checkpoints.json")["views"];
    let v = checkpoint::load(pth("views.pth"))?;
    let expected = fx["tensors"].as_object().expect("tensors");
    assert_eq!(v.named_tensors().len(), expected.len());
    for (k, e) in expected {
        let t = v.get(k)?.as_tensor()?;
        let dtype = if e["dtype"] == "torch.float64" {
            DType::F64
        } else {
            DType::F32
        };
        assert_eq!(t.dtype(), dtype, "{k}");
        assert_close(t, e, 0.0, 0.0, k);
    }
    Ok(())
}

#[test]
fn every_dtype_loads_widened_to_logits_dtypes() -> Result<()> {
    let fx = &fixture("checkpoints.json")["dtypes"];
    let bytes = std::fs::read(pth("dtypes.pth")).map_err(|e| Error::io(pth("dtypes.pth"), e))?;
    let v = checkpoint::from_bytes(&bytes, "dtypes.pth")?;
    let infos = checkpoint::summary(&bytes, "dtypes.pth")?.tensors;
    for (k, e) in fx["tensors"].as_object().expect("tensors") {
        let t = v.get(k)?.as_tensor()?;
        let torch_dtype = e["dtype"].as_str().expect("dtype");
        let want = match torch_dtype {
            "torch.float16" | "torch.bfloat16" | "torch.float32" => DType::F32,
            "torch.float64" => DType::F64,
            "torch.bool" => DType::Bool,
            _ => DType::I64,
        };
        assert_eq!(t.dtype(), want, "{k}");
        assert_close(&t.to_dtype(DType::F64), e, 0.0, 0.0, k);
        let info = infos.iter().find(|i| i.name == *k).expect("listed");
        assert_eq!(info.stored_dtype, torch_dtype, "{k}");
    }
    Ok(())
}

#[test]
fn the_legacy_format_is_named_with_how_to_resave_it() {
    let e = checkpoint::load(pth("legacy.pth")).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Format { .. }), "{e:?}");
    assert!(
        msg.contains("legacy format") && msg.contains("torch.save(torch.load("),
        "{msg}"
    );
}

/// Builds the optimizer a case was saved with (hyperparameters deliberately left at logit's
/// defaults where the state dict carries them, to show that loading takes them over).
fn optimizer(name: &str, params: Vec<Tensor>) -> Result<Box<dyn Optimizer>> {
    Ok(match name {
        "adam" => Box::new(Adam::new(params, AdamConfig::default())?),
        "adamw_amsgrad" => Box::new(AdamW::new(params, AdamConfig::default())?),
        "sgd_momentum" => Box::new(SGD::new(params, SGDConfig::default())?),
        "rmsprop_centered" => Box::new(RMSprop::new(params, RMSpropConfig::default())?),
        other => panic!("unknown case {other}"),
    })
}

#[test]
fn pytorch_checkpoints_resume_to_pytorchs_parameters_after_six_steps() -> Result<()> {
    let fx = &fixture("checkpoints.json")["resume"];
    for (name, case) in fx.as_object().expect("cases") {
        let ckpt = checkpoint::load(pth(case["file"].as_str().expect("file")))?;
        assert_eq!(ckpt.get("epoch")?.as_i64()?, 3);
        let model = DiabetesPredictor::new(8)?;
        model.load_state_dict(&StateDict::try_from(ckpt.get("model")?)?)?;
        let mut opt = optimizer(name, model.parameters())?;
        opt.load_state_dict(ckpt.get("optimizer")?)?;
        let mut sched = StepLR::new(opt.as_ref(), 100, 1.0)?;
        sched.load_state_dict(ckpt.get("scheduler")?)?;
        let (x, y) = (
            tensor(&case["x"], DType::F32),
            tensor(&case["y"], DType::F32),
        );
        let criterion = BCELoss::new();
        for (i, lr) in case["lr_after_each_resumed_step"]
            .as_array()
            .expect("lrs")
            .iter()
            .enumerate()
        {
            opt.zero_grad();
            criterion.forward(&model.forward(&x)?, &y)?.backward()?;
            opt.step()?;
            sched.step(opt.as_mut());
            assert_eq!(
                opt.lr(),
                lr.as_f64().expect("lr"),
                "{name}: lr after resumed step {i}"
            );
        }
        for (k, t) in model.state_dict().iter() {
            assert_close(
                t,
                &case["params_after_6_steps"][k],
                1e-4,
                1e-6,
                &format!("{name} {k}"),
            );
        }
    }
    Ok(())
}

#[test]
fn logits_optimizer_state_dict_has_pytorchs_layout() -> Result<()> {
    let fx = &fixture("checkpoints.json")["resume"];
    for (name, case) in fx.as_object().expect("cases") {
        let ckpt = checkpoint::load(pth(case["file"].as_str().expect("file")))?;
        let model = DiabetesPredictor::new(8)?;
        let mut opt = optimizer(name, model.parameters())?;
        let theirs = ckpt.get("optimizer")?;
        opt.load_state_dict(theirs)?;
        let ours = opt.state_dict();
        // the same group keys in the same order, with the same values
        let (tg, og) = (
            &theirs.get("param_groups")?.as_list()?[0],
            &ours.get("param_groups")?.as_list()?[0],
        );
        let keys = |g: &Value| -> Result<Vec<String>> {
            Ok(g.as_dict()?
                .entries
                .iter()
                .map(|(k, _)| k.key_string())
                .collect())
        };
        assert_eq!(keys(og)?, keys(tg)?, "{name}: param_groups keys");
        for k in keys(tg)? {
            let (a, b) = (og.get(&k)?, tg.get(&k)?);
            match (a, b) {
                // PyTorch's defaults are ints (weight_decay=0); the number is what matters
                (Value::Float(x), Value::Int(_) | Value::Float(_)) => {
                    assert_eq!(*x, b.as_f64()?, "{name}: {k}")
                }
                _ => assert_eq!(a.to_string(), b.to_string(), "{name}: {k}"),
            }
        }
        // the same state entries, tensor for tensor
        let (ts, os) = (theirs.get("state")?, ours.get("state")?);
        let (tn, on) = (ts.named_tensors(), os.named_tensors());
        assert_eq!(
            on.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            tn.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            "{name}: state keys"
        );
        for ((k, a), (_, b)) in on.iter().zip(&tn) {
            assert_eq!(a.dtype(), b.dtype(), "{name} {k}");
            assert_eq!(a.to_vec_f64(), b.to_vec_f64(), "{name} {k}");
        }
        assert_eq!(
            os.named_scalars().len(),
            ts.named_scalars().len(),
            "{name}: None entries"
        );
    }
    Ok(())
}

#[test]
fn written_pth_is_byte_stable_and_round_trips() -> Result<()> {
    let ckpt = checkpoint::load(pth("adamw_amsgrad_checkpoint.pth"))?;
    let a = checkpoint::to_bytes(&ckpt, "ckpt")?;
    let b = checkpoint::to_bytes(&ckpt, "ckpt")?;
    assert_eq!(a, b, "the same checkpoint gives the same bytes");
    let back = checkpoint::from_bytes(&a, "written")?;
    assert_eq!(back.to_string(), ckpt.to_string(), "structure and scalars");
    for ((k, x), (k2, y)) in back.named_tensors().iter().zip(ckpt.named_tensors()) {
        assert_eq!((k, x.dtype(), x.shape()), (&k2, y.dtype(), y.shape()));
        assert_eq!(x.to_vec_f64(), y.to_vec_f64(), "{k}");
    }
    // a model saved as .pth loads back into a fresh model, and the file is stable
    let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
    let model = DiabetesPredictor::new(8)?;
    model.load(pth("diabetes_predictor.pth"))?;
    let p1 = dir.path().join("m.pth");
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| Error::io(p, e));
    model.save(&p1)?;
    let first = read(&p1)?;
    model.save(&p1)?;
    assert_eq!(read(&p1)?, first, "saving again gives the same bytes");
    assert_eq!(checkpoint::detect(&read(&p1)?), checkpoint::FileFormat::Pth);
    let fresh = DiabetesPredictor::new(8)?;
    fresh.load(&p1)?;
    for ((k, a), (_, b)) in fresh.state_dict().iter().zip(model.state_dict().iter()) {
        assert_eq!(a.to_vec_f64(), b.to_vec_f64(), "{k}");
    }
    Ok(())
}

#[test]
fn a_whole_checkpoint_is_not_taken_for_a_state_dict() -> Result<()> {
    let model = DiabetesPredictor::new(8)?;
    let e = model
        .load(pth("adam_checkpoint.pth"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("a dict of tensors") && e.contains("\"model\""),
        "{e}"
    );
    Ok(())
}

/// Two steps, a checkpoint through `.pth` bytes, two more steps in a fresh model and
/// optimizer: bit for bit the parameters of four uninterrupted steps, for every optimizer.
#[test]
fn an_interrupted_run_resumes_bit_for_bit() -> Result<()> {
    let x = Tensor::from_vec((0..64).map(|i| (i as f32 * 0.37).sin()).collect(), &[8, 8])?;
    let y = Tensor::from_vec((0..8).map(|i| (i % 2) as f32).collect(), &[8, 1])?;
    let step = |model: &DiabetesPredictor, opt: &mut dyn Optimizer| -> Result<()> {
        opt.zero_grad();
        BCELoss::new()
            .forward(&model.forward(&x)?, &y)?
            .backward()?;
        opt.step()
    };
    for name in ["adam", "adamw_amsgrad", "sgd_momentum", "rmsprop_centered"] {
        // copies of one initial state, so no other test's draws from the global generator matter
        let (first, start) = (DiabetesPredictor::new(8)?, DiabetesPredictor::new(8)?);
        let copy = |m: &DiabetesPredictor| -> Result<(DiabetesPredictor, Box<dyn Optimizer>)> {
            let fresh = DiabetesPredictor::new(8)?;
            fresh.load_state_dict(&m.state_dict())?;
            let o = optimizer(name, fresh.parameters())?;
            Ok((fresh, o))
        };
        first.load_state_dict(&start.state_dict())?;
        let (whole, mut opt) = copy(&start)?;
        for _ in 0..4 {
            step(&whole, opt.as_mut())?;
        }
        let mut opt1 = optimizer(name, first.parameters())?;
        step(&first, opt1.as_mut())?;
        step(&first, opt1.as_mut())?;
        let ckpt = Value::dict([
            ("model", Value::from(&first.state_dict())),
            ("optimizer", opt1.state_dict()),
        ]);
        let back = checkpoint::from_bytes(&checkpoint::to_bytes(&ckpt, "ckpt")?, "ckpt")?;
        let second = DiabetesPredictor::new(8)?;
        let mut opt2 = optimizer(name, second.parameters())?;
        second.load_state_dict(&StateDict::try_from(back.get("model")?)?)?;
        opt2.load_state_dict(back.get("optimizer")?)?;
        step(&second, opt2.as_mut())?;
        step(&second, opt2.as_mut())?;
        for ((k, a), (_, b)) in second.state_dict().iter().zip(whole.state_dict().iter()) {
            assert_eq!(a.to_vec_f64(), b.to_vec_f64(), "{name} {k}");
        }
    }
    Ok(())
}

/// A state that does not fit (a buffer of another shape) is refused whole: the optimizer keeps
/// its learning rate and takes no partial state.
#[test]
fn a_state_that_does_not_fit_changes_nothing() -> Result<()> {
    let ckpt = checkpoint::load(pth("adam_checkpoint.pth"))?;
    let params: Vec<Tensor> = (0..6)
        .map(|_| Tensor::zeros(&[1]).requires_grad_(true))
        .collect();
    let mut opt = Adam::new(
        params,
        AdamConfig {
            lr: 0.5,
            ..Default::default()
        },
    )?;
    let e = opt.load_state_dict(ckpt.get("optimizer")?).unwrap_err();
    assert!(
        e.to_string()
            .contains("exp_avg of parameter 0 with shape [1]"),
        "{e}"
    );
    assert_eq!(opt.lr(), 0.5);
    assert!(opt.state_dict().get("state")?.as_dict()?.entries.is_empty());
    Ok(())
}
