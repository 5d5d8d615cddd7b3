//! The tutorial's DiabetesPredictor (8 inputs) on real data: the Pima Indians diabetes set
//! (768 women, 268 with diabetes), bundled as data/pima_diabetes.csv.
//!
//! Zeros in glucose, diastolic, triceps, insulin and bmi mean "not measured": they are replaced
//! by the median of the measured training values of that column. Then features are
//! standardised with training statistics only, and the model trains with BCELoss and Adam.
//! Run: `cargo run --release --example pima_diabetes`

use logit::data::{load_csv, metrics, train_test_split, DataLoader, MedianImputer, StandardScaler};
use logit::models::DiabetesPredictor;
use logit::prelude::*;
use logit::train::{EpochLog, Fit};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/pima_diabetes.csv");
/// Longer training overfits 614 rows: the training loss keeps falling while the held-out
/// ROC-AUC drops.
const EPOCHS: usize = 100;

fn main() -> Result<()> {
    manual_seed(0);
    let data = load_csv(DATA, "test")?;
    println!(
        "Loaded {} patients with features {:?}",
        data.features.shape()[0],
        data.feature_names
    );
    let split = train_test_split(&data.features, &data.labels, 0.2, 42, true)?;

    // glucose, diastolic, triceps, insulin, bmi: 0 = not measured
    let not_measured: Vec<usize> = ["glucose", "diastolic", "triceps", "insulin", "bmi"]
        .iter()
        .map(|c| {
            data.feature_names
                .iter()
                .position(|n| n == c)
                .expect("Pima column")
        })
        .collect();
    let imputer = MedianImputer::fit(&split.x_train, &not_measured, 0.0)?;
    for (c, m) in &imputer.medians {
        println!(
            "  {:<9} zeros -> training median {m:.1}",
            data.feature_names[*c]
        );
    }
    let scaler = StandardScaler::fit(&imputer.transform(&split.x_train)?)?;
    let prepare = |x: &Tensor| -> Result<Tensor> { scaler.transform(&imputer.transform(x)?) };
    let (x_train, x_test) = (prepare(&split.x_train)?, prepare(&split.x_test)?);

    let model = DiabetesPredictor::new(8)?;
    let criterion = BCELoss::new();
    let mut optimizer = Adam::new(model.parameters(), 1e-3)?;
    let mut loader = DataLoader::new(&x_train, &split.y_train, 32)?.shuffle(0);
    let mut log = |e: &EpochLog| {
        if e.epoch.is_multiple_of(25) {
            println!("Epoch [{}/{EPOCHS}], Loss: {:.4}", e.epoch, e.train_loss);
        }
    };
    Fit::new(&model, &mut optimizer, |out: &Tensor, y: &Tensor| {
        criterion.forward(out, y)
    })
    .epochs(EPOCHS)
    .callback(&mut log)
    .run(&mut loader)?;

    let _g = no_grad();
    let probs = model.forward(&x_test)?.to_vec_f64();
    let labels = split.y_test.to_vec_f64();
    println!("Held-out patients: {}", labels.len());
    println!("Accuracy: {:.4}", metrics::accuracy(&probs, &labels, 0.5)?);
    println!("ROC-AUC:  {:.4}", metrics::roc_auc(&probs, &labels)?);
    println!(
        "First five probabilities: {:?}",
        probs
            .iter()
            .take(5)
            .map(|p| format!("{p:.3}"))
            .collect::<Vec<_>>()
    );
    Ok(())
}
