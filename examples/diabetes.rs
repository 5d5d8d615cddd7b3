//! Diabetes risk with a small MLP: the tutorial's DiabetesPredictor (8-12-8-1, ReLU, Sigmoid),
//! BCELoss, Adam(lr=1e-3), mini-batches of 32, 200 epochs, on the tutorial's NumPy generator.
//!
//! The tutorial's snippet with `torch.manual_seed(seed)` as its first line, line for line;
//! for any seed it prints PyTorch's numbers (tests/tutorial_output.rs checks it against
//! tests/fixtures/pytorch/tutorial/diabetes.py).
//! Run: `cargo run --release --example diabetes [SEED]` (default 42)

use logit::data::synthetic;
use logit::models::DiabetesPredictor;
use logit::prelude::*;

/// The snippet; each printed line goes to `out`. Returns the trained model.
pub fn run(seed: u64, out: &mut Vec<String>) -> Result<DiabetesPredictor> {
    manual_seed(seed);
    let (x, y) = synthetic::diabetes(500, 42)?; // generate_sample_data(500), np.random.seed(42)
    let (x_train, x_test) = (x.narrow(0, 0, 400)?, x.narrow(0, 400, 100)?);
    let (y_train, y_test) = (y.narrow(0, 0, 400)?, y.narrow(0, 400, 100)?);
    let model = DiabetesPredictor::new(8)?;
    let criterion = BCELoss::new();
    let mut optimizer = Adam::new(model.parameters(), 0.001)?;
    let batch_size = 32;

    for epoch in 0..200 {
        let mut loss = Tensor::scalar(0.0);
        for i in (0..400).step_by(batch_size) {
            let len = batch_size.min(400 - i);
            let batch_x = x_train.narrow(0, i, len)?;
            let batch_y = y_train.narrow(0, i, len)?;
            let outputs = model.forward(&batch_x)?;
            loss = criterion.forward(&outputs, &batch_y)?;
            optimizer.zero_grad();
            loss.backward()?;
            optimizer.step()?;
        }
        if (epoch + 1) % 20 == 0 {
            out.push(format!(
                "Epoch [{}/200], Loss: {:.4}",
                epoch + 1,
                loss.item()?
            ));
        }
    }

    model.eval();
    let _g = no_grad();
    let test_outputs = model.forward(&x_test)?;
    let predicted = test_outputs.gt_scalar(0.5).float();
    let accuracy = predicted.eq(&y_test)?.float().mean();
    out.push(format!("Test Accuracy: {:.4}", accuracy.item()?));
    let new_patients = Tensor::new([
        [0.62, 0.75, 0.58, 0.82, 0.45, 0.52, 0.37, 0.48],
        [0.45, 0.42, 0.39, 0.44, 0.52, 0.41, 0.48, 0.47],
    ])?;
    let risk = model.forward(&new_patients)?;
    for (i, r) in risk.to_vec::<f32>().iter().enumerate() {
        out.push(format!(
            "Patient {}: Diabetes Risk = {:.2}%",
            i + 1,
            *r as f64 * 100.0
        ));
    }
    Ok(model)
}

#[allow(dead_code)]
fn main() -> Result<()> {
    logit::run_example(run).map(drop)
}
