//! The tutorial examples print, for a seed, exactly what the tutorial's PyTorch snippet prints
//! with `torch.manual_seed(seed)` first (tests/fixtures/pytorch/tutorial, made by outputs.sh).

use std::sync::Mutex;

mod common;

use logit::core::Result;
use logit::nn::Module;

#[path = "../examples/churn.rs"]
mod churn;
#[path = "../examples/diabetes.rs"]
mod diabetes;
#[path = "../examples/focal_loss.rs"]
mod focal_loss;
#[path = "../examples/sigmoid_basics.rs"]
mod sigmoid_basics;
#[path = "../examples/sigmoid_vs_softmax.rs"]
mod sigmoid_vs_softmax;
#[path = "../examples/transfer_learning.rs"]
mod transfer_learning;

/// Both examples seed the global generator: they take turns.
static SERIAL: Mutex<()> = Mutex::new(());

type Snippet = fn(u64, &mut Vec<String>) -> Result<()>;

fn check(name: &str, run: Snippet) -> Result<()> {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for seed in [42, 7, 123] {
        let path = format!(
            "{}/tests/fixtures/pytorch/tutorial/{name}_{seed}.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut out = Vec::new();
        run(seed, &mut out)?;
        let got = out.join("\n");
        assert_eq!(got.trim_end(), want.trim_end(), "{name} with seed {seed}");
    }
    Ok(())
}

#[test]
fn churn_prints_pytorchs_numbers() -> Result<()> {
    check("churn", |seed, out| churn::run(seed, out).map(drop))
}

#[test]
fn sigmoid_vs_softmax_prints_pytorchs_numbers() -> Result<()> {
    check("sigmoid_vs_softmax", sigmoid_vs_softmax::run)
}

#[test]
fn diabetes_prints_pytorchs_numbers() -> Result<()> {
    check("diabetes", |seed, out| diabetes::run(seed, out).map(drop))
}

/// The churn and diabetes snippets, started from a seed alone, end with PyTorch's weights
/// (random.json's `tutorial_final_weights`, the same Python scripts run by random_streams.py).
#[test]
fn seeded_tutorial_loops_end_with_pytorchs_weights() -> Result<()> {
    let fx = common::fixture("random.json");
    let cases = fx["tutorial_final_weights"].as_array().expect("cases");
    assert_eq!(cases.len(), 4);
    for case in cases {
        let (name, seed) = (
            case["example"].as_str().expect("name"),
            case["seed"].as_u64().expect("seed"),
        );
        let sd = {
            let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
            let mut out = Vec::new();
            match name {
                "churn" => churn::run(seed, &mut out)?.state_dict(),
                _ => diabetes::run(seed, &mut out)?.state_dict(),
            }
        };
        let want = case["state"].as_object().expect("state");
        assert_eq!(sd.len(), want.len(), "{name} seed {seed}: keys");
        for (key, v) in want {
            let got = sd.get(key).unwrap_or_else(|| panic!("{name}: no {key}"));
            common::assert_close(got, v, 1e-4, 1e-5, &format!("{name} seed {seed}: {key}"));
        }
    }
    Ok(())
}

#[test]
fn sigmoid_basics_prints_pytorchs_numbers() -> Result<()> {
    check("sigmoid_basics", sigmoid_basics::run)
}

#[test]
fn focal_loss_prints_pytorchs_numbers() -> Result<()> {
    check("focal_loss", focal_loss::run)
}

#[test]
fn transfer_learning_prints_pytorchs_numbers() -> Result<()> {
    check("transfer_learning", |seed, out| {
        transfer_learning::run(seed, None, out).map(drop)
    })
}

/// The transfer example takes its weights as `.pth` or `.safetensors`: the seed's own
/// ResNet-50 saved both ways and passed back prints PyTorch's lines after the "Loaded" line.
#[test]
fn transfer_learning_takes_pth_and_safetensors_weights() -> Result<()> {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().map_err(|e| logit::core::Error::io("tempdir", e))?;
    let path = format!(
        "{}/tests/fixtures/pytorch/tutorial/transfer_learning_42.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let want = std::fs::read_to_string(&path).map_err(|e| logit::core::Error::io(&path, e))?;
    logit::core::manual_seed(42);
    let model = logit::models::ResNet::resnet50(1000)?;
    for name in ["resnet50.pth", "resnet50.safetensors"] {
        let file = dir.path().join(name);
        logit::nn::ModuleIo::save(&model, &file)?;
        let file = file.to_string_lossy().to_string();
        let mut out = Vec::new();
        transfer_learning::run(42, Some(&file), &mut out)?;
        assert_eq!(out[0], format!("Loaded pretrained weights from {file}"));
        assert_eq!(out[1..].join("\n").trim_end(), want.trim_end(), "{name}");
    }
    Ok(())
}
