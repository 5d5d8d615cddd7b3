//! What `logit train data/breast_cancer.csv --target malignant --calibrate platt --threshold
//! youden --out model` does, written with the library: `logit::tabular::train` encodes the
//! table, splits it stratified, standardises, trains an MLP with early stopping, calibrates and
//! picks the threshold on the validation split. Saving `model.json` and the weights makes a
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
    let (probs, labels) = (&trained.validation.probs, &trained.validation.labels);
    let threshold = trained.model.config.threshold;
    println!(
        "{} epochs (best {:?}), threshold {threshold:.4}",
        trained.history.len(),
        trained.history.best_epoch
    );
    println!(
        "validation ROC-AUC {:.4}, log loss {:.4}, accuracy {:.4}",
        metrics::roc_auc(probs, labels)?,
        metrics::log_loss(probs, labels)?,
        metrics::accuracy(probs, labels, threshold)?
    );

    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let json = serde_json::to_string_pretty(&trained.model.config)
        .map_err(|e| Error::invalid("model.json", "serialisable", e.to_string()))?;
    logit::core::io::atomic_write(out.join("model.json"), json.as_bytes())?;
    trained.model.net.save(out.join("weights.safetensors"))?;
    println!("saved to {}", out.display());
    Ok(())
}
