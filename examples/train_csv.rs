//! What `logit train data/breast_cancer.csv --target malignant --calibrate platt --threshold
//! youden --out model` does, written with the library: `logit::tabular::train` splits the
//! table three ways (stratified), encodes and standardises it, fits and compares the candidate
//! models (logistic regressions, MLPs), calibrates and picks the threshold on the validation
//! split, and scores the test split. Saving `model.json` and the weights makes a
//! folder `logit predict model data.csv` reads (the command adds `report/`).
//! Run: `cargo run --release --example train_csv [CSV TARGET OUT]`

use logit::data::{metrics, Table, ThresholdRule};
use logit::prelude::*;
use logit::tabular::{train, CalibrateKind, TabularOptions};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or(concat!(env!("CARGO_MANIFEST_DIR"), "/data/breast_cancer.csv").into());
    let target = args.next().unwrap_or("malignant".into());
    let out = std::path::PathBuf::from(args.next().unwrap_or("target/train_csv_model".into()));

    let table = Table::open(path.as_ref())?;
    let options = TabularOptions {
        calibrate: CalibrateKind::Platt,
        threshold: ThresholdRule::Youden,
        ..Default::default()
    };
    let trained = train(table, &target, &options, None)?;
    for note in &trained.notes {
        println!("{note}");
    }
    // the test split chose nothing: its metrics are the honest ones
    let test = trained
        .test
        .as_ref()
        .ok_or_else(|| Error::invalid("train_csv", "a test split", "none"))?;
    let threshold = trained.model.config.threshold;
    println!(
        "model {}, threshold {threshold:.4}",
        trained.candidates[0].name
    );
    println!(
        "test ROC-AUC {:.4}, log loss {:.4}, accuracy {:.4}",
        metrics::roc_auc(&test.probs, &test.labels)?,
        metrics::log_loss(&test.probs, &test.labels)?,
        metrics::accuracy(&test.probs, &test.labels, threshold)?
    );

    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let json = serde_json::to_string_pretty(&trained.model.config)
        .map_err(|e| Error::invalid("model.json", "serialisable", e.to_string()))?;
    logit::core::io::atomic_write(out.join("model.json"), json.as_bytes())?;
    trained.model.net.save(out.join("weights.safetensors"))?;
    println!("saved to {}", out.display());
    Ok(())
}
