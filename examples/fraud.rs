//! Fraud detection on imbalanced data (2% fraud): the tutorial's FraudDetectionModel
//! (BatchNorm1d, Dropout), BCELoss with Adam over shuffled mini-batches, evaluated with
//! ROC-AUC and PR-AUC, and a risk threshold chosen on a validation split for 80% recall.
//! Run: `cargo run --release --example fraud`

use logit::data::synthetic::{fraud, FraudConfig};
use logit::data::{metrics, train_test_split, DataLoader, StandardScaler, ThresholdRule};
use logit::models::FraudDetectionModel;
use logit::prelude::*;

fn main() -> Result<()> {
    manual_seed(7);
    let (x, y) = fraud(FraudConfig {
        n: 20_000,
        features: 20,
        fraud_rate: 0.02,
        noise: 0.5,
        seed: 7,
    })?;
    let train_test = train_test_split(&x, &y, 0.2, 7, true)?;
    let train_val = train_test_split(&train_test.x_train, &train_test.y_train, 0.2, 8, true)?;
    let scaler = StandardScaler::fit(&train_val.x_train)?;
    let (x_train, x_val, x_test) = (
        scaler.transform(&train_val.x_train)?,
        scaler.transform(&train_val.x_test)?,
        scaler.transform(&train_test.x_test)?,
    );
    println!(
        "Train {} rows ({} fraud), validation {}, test {}",
        x_train.shape()[0],
        train_val.y_train.sum().item()?,
        x_val.shape()[0],
        x_test.shape()[0]
    );

    // FraudDetectionModel(input_features=20): Dropout 0.3 after the first block, 0.2 after the second
    let model = FraudDetectionModel::new(FraudDetectionModel::DEFAULT_INPUT_FEATURES)?;
    println!("{model}");
    let criterion = BCELoss::new();
    let mut optimizer = Adam::new(model.parameters(), 1e-3)?;
    let mut loader = DataLoader::new(&x_train, &train_val.y_train, 256)?
        .shuffle(7)
        .drop_last(true);
    for epoch in 0..30 {
        model.train();
        let mut total = 0.0;
        for batch in loader.iter() {
            let (xb, yb) = batch?;
            let loss = criterion.forward(&model.forward(&xb)?, &yb)?;
            loss.check_finite("training loss")?;
            optimizer.zero_grad();
            loss.backward()?;
            optimizer.step()?;
            total += loss.item()?;
        }
        if (epoch + 1) % 5 == 0 {
            println!(
                "Epoch [{}/30], Loss: {:.4}",
                epoch + 1,
                total / loader.len() as f64
            );
        }
    }

    model.eval();
    let _g = no_grad();
    let val_probs = model.forward(&x_val)?.to_vec_f64();
    // the highest threshold that still catches 80% of the validation split's fraud
    let threshold =
        ThresholdRule::Recall(0.8).choose(&val_probs, &train_val.y_test.to_vec_f64())?;
    let probs = model.forward(&x_test)?.to_vec_f64();
    let labels = train_test.y_test.to_vec_f64();
    println!("Test ROC-AUC: {:.4}", metrics::roc_auc(&probs, &labels)?);
    println!(
        "Test PR-AUC:  {:.4} (a random model scores about 0.02)",
        metrics::pr_auc(&probs, &labels)?
    );
    println!("Risk threshold for 80% validation recall: {threshold:.4}");
    let [[tn, fp], [fn_, tp]] = metrics::confusion_matrix(&probs, &labels, threshold)?;
    println!("At that threshold on the test set: caught {tp} of {} frauds, {fp} false alarms among {} legitimate", tp + fn_, tn + fp);
    println!(
        "Precision {:.3}, recall {:.3}, F1 {:.3}",
        metrics::precision(&probs, &labels, threshold)?,
        metrics::recall(&probs, &labels, threshold)?,
        metrics::f1_score(&probs, &labels, threshold)?
    );
    Ok(())
}
