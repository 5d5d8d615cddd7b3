//! An MLP on the Wisconsin diagnostic breast cancer data (569 tumours, 212 malignant, 30
//! features), bundled as data/breast_cancer.csv: standardised with training statistics,
//! trained with BCEWithLogitsLoss, probabilities from the sigmoid of the logits.
//! Run: `cargo run --release --example breast_cancer`

use logit::data::{load_csv, metrics, train_test_split, DataLoader, StandardScaler};
use logit::nn::{Dropout, Linear, ReLU, Sequential};
use logit::prelude::*;
use logit::train::{EpochLog, Fit};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/breast_cancer.csv");

fn main() -> Result<()> {
    manual_seed(0);
    let data = load_csv(DATA, "malignant")?;
    println!(
        "Loaded {} tumours, {} features",
        data.features.shape()[0],
        data.features.shape()[1]
    );
    let split = train_test_split(&data.features, &data.labels, 0.2, 42, true)?;
    let scaler = StandardScaler::fit(&split.x_train)?;
    let (x_train, x_test) = (
        scaler.transform(&split.x_train)?,
        scaler.transform(&split.x_test)?,
    );

    let model = Sequential::new()
        .add(Linear::new(30, 16)?)
        .add(ReLU)
        .add(Dropout::new(0.2)?)
        .add(Linear::new(16, 8)?)
        .add(ReLU)
        .add(Linear::new(8, 1)?); // logits
    println!("{model}");
    let criterion = BCEWithLogitsLoss::new();
    let mut optimizer = Adam::new(model.parameters(), 1e-3)?;
    let mut loader = DataLoader::new(&x_train, &split.y_train, 32)?.shuffle(0);
    let mut log = |e: &EpochLog| {
        if e.epoch.is_multiple_of(20) {
            println!("Epoch [{}/100], Loss: {:.4}", e.epoch, e.train_loss);
        }
    };
    Fit::new(&model, &mut optimizer, |out: &Tensor, y: &Tensor| {
        criterion.forward(out, y)
    })
    .epochs(100)
    .callback(&mut log)
    .run(&mut loader)?;

    model.eval();
    let _g = no_grad();
    let probs = model.forward(&x_test)?.sigmoid().to_vec_f64();
    let labels = split.y_test.to_vec_f64();
    println!("Held-out tumours: {}", labels.len());
    println!("Accuracy: {:.4}", metrics::accuracy(&probs, &labels, 0.5)?);
    println!("ROC-AUC:  {:.4}", metrics::roc_auc(&probs, &labels)?);
    let [[tn, fp], [fn_, tp]] = metrics::confusion_matrix(&probs, &labels, 0.5)?;
    println!("Confusion matrix at 0.5: TN {tn}, FP {fp}, FN {fn_}, TP {tp}");
    Ok(())
}
