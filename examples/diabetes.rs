//! Diabetes risk with a small MLP: the tutorial's DiabetesPredictor (8-12-8-1, ReLU, Sigmoid),
//! BCELoss, Adam(lr=1e-3), mini-batches of 32, 200 epochs, on the tutorial's generator.
//!
//! PyTorch equivalent: `X, y = generate_sample_data(500)`, the training loop over batches,
//! then `risk = model(new_patients)`.
//! Run: `cargo run --release --example diabetes`

use logit::data::{metrics, synthetic, train_test_split, DataLoader};
use logit::models::DiabetesPredictor;
use logit::prelude::*;

fn main() -> Result<()> {
    manual_seed(42);
    let (x, y) = synthetic::diabetes(500, 42)?;
    let split = train_test_split(&x, &y, 0.2, 42, false)?;
    let model = DiabetesPredictor::new(8)?;
    println!("{model}");
    let criterion = BCELoss::new();
    let mut optimizer = Adam::new(
        model.parameters(),
        AdamConfig {
            lr: 0.001,
            ..Default::default()
        },
    )?;
    let mut loader = DataLoader::new(&split.x_train, &split.y_train, 32)?.shuffle(42);

    for epoch in 0..200 {
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
        if (epoch + 1) % 20 == 0 {
            println!(
                "Epoch [{}/200], Loss: {:.4}",
                epoch + 1,
                total / loader.len() as f64
            );
        }
    }

    model.eval();
    let _g = no_grad();
    let test_probs = model.forward(&split.x_test)?.to_vec_f64();
    let labels = split.y_test.to_vec_f64();
    println!(
        "Test accuracy: {:.4}",
        metrics::accuracy(&test_probs, &labels, 0.5)?
    );
    println!(
        "Test ROC-AUC:  {:.4}",
        metrics::roc_auc(&test_probs, &labels)?
    );

    // age, BMI, blood pressure, glucose, four other features (scaled to about [0, 1])
    let new_patients = Tensor::new([
        [0.62, 0.75, 0.58, 0.82, 0.45, 0.52, 0.37, 0.48],
        [0.45, 0.42, 0.39, 0.44, 0.52, 0.41, 0.48, 0.47],
    ])?;
    let risk = model.forward(&new_patients)?;
    for (i, r) in risk.to_vec::<f32>().iter().enumerate() {
        println!(
            "Patient {}: diabetes risk {:.1}% -> {}",
            i + 1,
            r * 100.0,
            if *r > 0.5 { "high risk" } else { "low risk" }
        );
    }
    Ok(())
}
