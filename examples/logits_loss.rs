//! Why BCEWithLogitsLoss: BCE(sigmoid(x)) against BCEWithLogits(x) at large logits, then a
//! logits model (ImprovedModel) trained with BCEWithLogitsLoss.
//!
//! PyTorch equivalent: `nn.BCELoss()(torch.sigmoid(x), y)` vs `nn.BCEWithLogitsLoss()(x, y)`.
//! Run: `cargo run --release --example logits_loss`

use logit::data::{metrics, synthetic, train_test_split};
use logit::losses::{binary_cross_entropy, binary_cross_entropy_with_logits};
use logit::models::ImprovedModel;
use logit::prelude::*;

fn main() -> Result<()> {
    println!(
        "{:>8} {:>6} | {:>14} {:>14} | {:>14} {:>14}",
        "logit", "target", "BCE(σ(x))", "d/dx", "BCEWithLogits", "d/dx"
    );
    for x in [30.0, -30.0, 100.0, -100.0] {
        for y in [0.0, 1.0] {
            let (xt, yt) = (Tensor::new([x])?, Tensor::new([y])?);
            let a = xt.detach().requires_grad_(true);
            let naive = binary_cross_entropy(&a.sigmoid(), &yt, Reduction::Mean)?;
            naive.backward()?;
            let b = xt.detach().requires_grad_(true);
            let stable = binary_cross_entropy_with_logits(&b, &yt, Reduction::Mean)?;
            stable.backward()?;
            println!(
                "{x:>8} {y:>6} | {:>14.6} {:>14.6} | {:>14.6} {:>14.6}",
                naive.item()?,
                a.grad().unwrap().item()?,
                stable.item()?,
                b.grad().unwrap().item()?
            );
        }
    }
    println!("In f32, σ(30) rounds to exactly 1: BCE on the probability is capped at 100 by the");
    println!(
        "log clamp and its gradient vanishes, while BCEWithLogits gives the exact loss |x| and"
    );
    println!("the gradient σ(x) − y = ±1 that keeps a confidently wrong model learning.\n");

    manual_seed(0);
    let (x, y) = synthetic::diabetes(1000, 7)?;
    let s = train_test_split(&x, &y, 0.2, 7, true)?;
    let model = ImprovedModel::new(8)?;
    let criterion = BCEWithLogitsLoss::new();
    let mut opt = Adam::new(model.parameters(), 0.05)?;
    for epoch in 0..300 {
        let loss = criterion.forward(&model.forward(&s.x_train)?, &s.y_train)?;
        loss.check_finite("training loss")?;
        opt.zero_grad();
        loss.backward()?;
        opt.step()?;
        if (epoch + 1) % 50 == 0 {
            println!("Epoch [{}/300], Loss: {:.4}", epoch + 1, loss.item()?);
        }
    }
    let probs = model.predict_proba(&s.x_test)?.to_vec_f64();
    let labels = s.y_test.to_vec_f64();
    println!(
        "ImprovedModel test accuracy {:.4}, ROC-AUC {:.4}",
        metrics::accuracy(&probs, &labels, 0.5)?,
        metrics::roc_auc(&probs, &labels)?
    );
    Ok(())
}
