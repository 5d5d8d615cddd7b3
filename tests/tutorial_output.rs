//! The tutorial examples print, for a seed, exactly what the tutorial's PyTorch snippet prints
//! with `torch.manual_seed(seed)` first (tests/fixtures/pytorch/tutorial, made by outputs.sh).

use std::sync::Mutex;

use logit::core::Result;

#[path = "../examples/churn.rs"]
mod churn;
#[path = "../examples/diabetes.rs"]
mod diabetes;
#[path = "../examples/focal_loss.rs"]
mod focal_loss;
#[path = "../examples/sigmoid_basics.rs"]
mod sigmoid_basics;
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
    check("churn", churn::run)
}

#[test]
fn diabetes_prints_pytorchs_numbers() -> Result<()> {
    check("diabetes", diabetes::run)
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
