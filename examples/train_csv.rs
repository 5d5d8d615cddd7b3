//! What `logit train data/breast_cancer.csv --target malignant --calibrate platt --threshold
//! youden` does, written with the libraries: read and encode the table, split it stratified,
//! standardise, train an MLP with early stopping, calibrate and pick the threshold on the
//! validation split. (The command also writes the model folder and its report.)
//! Run: `cargo run --release --example train_csv [CSV TARGET]`

use logit::data::{
    fit_encoding, metrics, split_indices, Calibrator, DataLoader, StandardScaler, Table,
    ThresholdRule,
};
use logit::models::{Activation, Mlp};
use logit::prelude::*;
use logit::train::Fit;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or(concat!(env!("CARGO_MANIFEST_DIR"), "/data/breast_cancer.csv").into());
    let target = args.next().unwrap_or("malignant".into());
    manual_seed(0);
    let table = Table::open(path.as_ref())?;
    let split = split_indices(table.rows.len(), 0.2, 0, Some(&table.strata(&target)?))?;
    let (encoding, _note) = fit_encoding(&table, &target, None, &[], true, &split.train)?;
    let (x_train, y_train) = encoding.transform(&table, &split.train)?;
    let (x_val, y_val) = encoding.transform(&table, &split.test)?;
    let scaler = StandardScaler::fit(&x_train)?;
    let (x_train, x_val) = (scaler.transform(&x_train)?, scaler.transform(&x_val)?);

    let model = Mlp::new(encoding.width(), &[16, 8], Activation::ReLU, 0.0)?;
    let mut optimizer = Adam::new(model.parameters(), 1e-3)?;
    let criterion = BCEWithLogitsLoss::new();
    let mut loader = DataLoader::new(&x_train, &y_train, 32)?.shuffle(0);
    let history = Fit::new(&model, &mut optimizer, |out: &Tensor, y: &Tensor| {
        criterion.forward(out, y)
    })
    .epochs(200)
    .validation(&x_val, &y_val)
    .early_stopping(20)
    .run(&mut loader)?;

    let logits = {
        let _g = no_grad();
        model.forward(&x_val)?.to_vec_f64()
    };
    let labels = y_val.to_vec_f64();
    let calibrator = Calibrator::platt(&logits, &labels)?;
    let probs = calibrator.transform(&logits);
    let threshold = ThresholdRule::Youden.choose(&probs, &labels)?;
    println!(
        "{} epochs (best {:?}), threshold {threshold:.4}",
        history.len(),
        history.best_epoch
    );
    println!(
        "validation ROC-AUC {:.4}, log loss {:.4}, accuracy {:.4}",
        metrics::roc_auc(&probs, &labels)?,
        metrics::log_loss(&probs, &labels)?,
        metrics::accuracy(&probs, &labels, threshold)?
    );
    Ok(())
}
