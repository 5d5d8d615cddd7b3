//! Customer churn with logistic regression: Linear(10, 1) + Sigmoid, BCELoss, SGD.
//!
//! PyTorch equivalent: the tutorial's `ChurnPredictor` loop,
//! `loss = criterion(model(X), y); optimizer.zero_grad(); loss.backward(); optimizer.step()`.
//! Run: `cargo run --release --example churn`

use logit::data::synthetic;
use logit::models::ChurnPredictor;
use logit::prelude::*;

fn main() -> Result<()> {
    manual_seed(42);
    let (x, y) = synthetic::churn(64, 10, 42)?; // 64 customers, 10 features
    let model = ChurnPredictor::new(10)?;
    println!("{model}");
    let criterion = BCELoss::new();
    let mut optimizer = SGD::new(
        model.parameters(),
        SGDConfig {
            lr: 0.01,
            ..Default::default()
        },
    )?;

    for epoch in 0..100 {
        let outputs = model.forward(&x)?;
        let loss = criterion.forward(&outputs, &y)?;
        loss.check_finite("loss")?;
        optimizer.zero_grad();
        loss.backward()?;
        optimizer.step()?;
        if (epoch + 1) % 10 == 0 {
            println!("Epoch [{}/100], Loss: {:.4}", epoch + 1, loss.item()?);
        }
    }

    // churn probabilities for new customers
    let new_customers = Tensor::randn(&[5, 10]);
    let probabilities = {
        let _g = no_grad();
        model.forward(&new_customers)?
    };
    println!("Churn probabilities for new customers:");
    for (i, p) in probabilities.to_vec::<f32>().iter().enumerate() {
        println!(
            "  customer {}: {:.4} -> {}",
            i + 1,
            p,
            if *p > 0.5 {
                "likely to churn"
            } else {
                "likely to stay"
            }
        );
    }
    Ok(())
}
