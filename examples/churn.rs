//! Customer churn with logistic regression: Linear(10, 1) + Sigmoid, BCELoss, SGD.
//!
//! The tutorial's snippet with `torch.manual_seed(seed)` as its first line, line for line;
//! for any seed it prints PyTorch's numbers (tests/tutorial_output.rs checks it against
//! tests/fixtures/pytorch/tutorial/churn.py).
//! Run: `cargo run --release --example churn [SEED]` (default 42)

use logit::models::ChurnPredictor;
use logit::prelude::*;

/// The snippet; each printed line goes to `out`. Returns the trained model.
pub fn run(seed: u64, out: &mut Vec<String>) -> Result<ChurnPredictor> {
    manual_seed(seed);
    let x = Tensor::randn(&[64, 10]); // X = torch.randn(64, 10)
    let y = Tensor::randint(0, 2, &[64, 1])?.float(); // y = torch.randint(0, 2, (64, 1)).float()
    let model = ChurnPredictor::new(10)?;
    let criterion = BCELoss::new();
    let mut optimizer = SGD::new(model.parameters(), 0.01)?;

    for epoch in 0..100 {
        let outputs = model.forward(&x)?;
        let loss = criterion.forward(&outputs, &y)?;
        optimizer.zero_grad();
        loss.backward()?;
        optimizer.step()?;
        if (epoch + 1) % 10 == 0 {
            out.push(format!(
                "Epoch [{}/100], Loss: {:.4}",
                epoch + 1,
                loss.item()?
            ));
        }
    }

    let _g = no_grad(); // with torch.no_grad():
    let new_customers = Tensor::randn(&[5, 10]);
    let probabilities = model.forward(&new_customers)?;
    out.push(probabilities.to_string());
    Ok(model)
}

#[allow(dead_code)]
fn main() -> Result<()> {
    logit::run_example(run).map(drop)
}
