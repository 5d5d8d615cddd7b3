//! The tutorial's CustomSigmoidFocalLoss, written from core tensor ops, on an imbalanced set
//! (5% positives): it equals the fused `sigmoid_focal_loss` in value and gradient, and trains
//! a model that ranks the rare class well.
//!
//! PyTorch equivalent:
//! ```python
//! class CustomSigmoidFocalLoss(nn.Module):
//!     def forward(self, inputs, targets):
//!         p = torch.sigmoid(inputs)
//!         ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
//!         p_t = p * targets + (1 - p) * (1 - targets)
//!         loss = ce_loss * ((1 - p_t) ** self.gamma)
//!         alpha_t = self.alpha * targets + (1 - self.alpha) * (1 - targets)
//!         return (alpha_t * loss).mean()
//! ```
//! Run: `cargo run --release --example focal_loss`

use logit::data::synthetic::{fraud, FraudConfig};
use logit::data::{metrics, train_test_split};
use logit::losses::{binary_cross_entropy_with_logits, sigmoid_focal_loss};
use logit::nn::{Linear, Module, ReLU, Sequential};
use logit::prelude::*;

struct CustomSigmoidFocalLoss {
    alpha: f64,
    gamma: f64,
}

impl CustomSigmoidFocalLoss {
    fn forward(&self, inputs: &Tensor, targets: &Tensor) -> Result<Tensor> {
        let p = inputs.sigmoid();
        let ce_loss =
            binary_cross_entropy_with_logits(inputs, targets, None, None, Reduction::None)?;
        let p_t = p.mul(targets)?.add(&(1.0 - &p).mul(&(1.0 - targets))?)?;
        let loss = ce_loss.mul(&(1.0 - &p_t).pow(self.gamma))?;
        let alpha_t = targets
            .mul_scalar(self.alpha)
            .add(&(1.0 - targets).mul_scalar(1.0 - self.alpha))?;
        Ok(alpha_t.mul(&loss)?.mean())
    }
}

fn main() -> Result<()> {
    manual_seed(3);
    let (x, y) = fraud(FraudConfig {
        n: 4000,
        features: 20,
        fraud_rate: 0.05,
        noise: 0.5,
        seed: 3,
    })?;
    let s = train_test_split(&x, &y, 0.25, 3, true)?;
    println!(
        "Training rows: {}, positives: {}",
        s.y_train.shape()[0],
        s.y_train.sum().item()?
    );

    let custom = CustomSigmoidFocalLoss {
        alpha: 0.25,
        gamma: 2.0,
    };
    // the custom loss and the fused one agree in value and gradient
    let probe = Tensor::randn(&[8, 1]).requires_grad_(true);
    let t = s.y_train.narrow(0, 0, 8)?;
    let a = custom.forward(&probe, &t)?;
    a.backward()?;
    let ga = probe.grad().unwrap().to_vec::<f32>();
    probe.zero_grad();
    let b = sigmoid_focal_loss(&probe, &t, 0.25, 2.0, Reduction::Mean)?;
    b.backward()?;
    let gb = probe.grad().unwrap().to_vec::<f32>();
    let max_diff = ga
        .iter()
        .zip(&gb)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f32::max);
    println!(
        "Custom focal loss {:.6} vs fused {:.6}; max gradient difference {max_diff:.2e}",
        a.item()?,
        b.item()?
    );

    let model = Sequential::new()
        .add(Linear::new(20, 32)?)
        .add(ReLU)
        .add(Linear::new(32, 1)?);
    let mut opt = Adam::new(
        model.parameters(),
        AdamConfig {
            lr: 0.01,
            ..Default::default()
        },
    )?;
    for epoch in 0..200 {
        let loss = custom.forward(&model.forward(&s.x_train)?, &s.y_train)?;
        loss.check_finite("focal loss")?;
        opt.zero_grad();
        loss.backward()?;
        opt.step()?;
        if (epoch + 1) % 40 == 0 {
            println!("Epoch [{}/200], Focal loss: {:.5}", epoch + 1, loss.item()?);
        }
    }
    let probs = {
        let _g = no_grad();
        model.forward(&s.x_test)?.sigmoid().to_vec_f64()
    };
    let labels = s.y_test.to_vec_f64();
    println!(
        "Test ROC-AUC {:.4}, PR-AUC {:.4} (positives are {:.0}% of the test set)",
        metrics::roc_auc(&probs, &labels)?,
        metrics::pr_auc(&probs, &labels)?,
        100.0 * labels.iter().sum::<f64>() / labels.len() as f64
    );
    Ok(())
}
