//! The tutorial's CustomSigmoidFocalLoss, written from core tensor ops, on an imbalanced set
//! (about 4% positives): it equals the fused `sigmoid_focal_loss` (torchvision's) and trains a
//! small model.
//!
//! The snippet with `torch.manual_seed(seed)` as its first line; it prints what
//! tests/fixtures/pytorch/tutorial/focal_loss.py prints (tests/tutorial_output.rs).
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
//! Run: `cargo run --release --example focal_loss [SEED]` (default 42)

use logit::losses::{functional as F, FocalOptions};
use logit::nn::{Linear, Module, ReLU, Sequential};
use logit::prelude::*;

/// The tutorial's `CustomSigmoidFocalLoss(nn.Module)`, line for line with operators.
struct CustomSigmoidFocalLoss {
    alpha: f64,
    gamma: f64,
}

impl CustomSigmoidFocalLoss {
    fn new(alpha: f64, gamma: f64) -> CustomSigmoidFocalLoss {
        CustomSigmoidFocalLoss { alpha, gamma }
    }

    fn forward(&self, inputs: &Tensor, targets: &Tensor) -> Result<Tensor> {
        let p = inputs.sigmoid();
        let ce_loss = F::binary_cross_entropy_with_logits(inputs, targets, Reduction::None)?;
        let p_t = &p * targets + (1.0 - &p) * (1.0 - targets);
        let loss = ce_loss * (1.0 - p_t).pow(self.gamma);
        let alpha_t = self.alpha * targets + (1.0 - self.alpha) * (1.0 - targets);
        Ok((alpha_t * loss).mean())
    }
}

/// The snippet; each printed line goes to `out`.
pub fn run(seed: u64, out: &mut Vec<String>) -> Result<()> {
    manual_seed(seed);
    let x = Tensor::randn(&[1000, 20]);
    let w = Tensor::randn(&[20, 1]);
    let y = x.matmul(&w)?.gt_scalar(6.0).float(); // y = (X @ w > 6.0).float()
    out.push(format!(
        "Positives: {} of {}",
        y.sum().item()? as i64,
        y.shape()[0]
    ));

    let criterion = CustomSigmoidFocalLoss::new(0.25, 2.0);
    let logits = Tensor::randn(&[8, 1]);
    let targets = y.narrow(0, 0, 8)?;
    let custom = criterion.forward(&logits, &targets)?;
    let fused = F::sigmoid_focal_loss(
        &logits,
        &targets,
        FocalOptions {
            alpha: 0.25,
            gamma: 2.0,
            reduction: Reduction::Mean,
        },
    )?;
    out.push(format!(
        "Custom focal loss {:.6} vs torchvision {:.6}",
        custom.item()?,
        fused.item()?
    ));

    let model = Sequential::new()
        .add(Linear::new(20, 32)?)
        .add(ReLU)
        .add(Linear::new(32, 1)?);
    let mut optimizer = SGD::new(model.parameters(), 0.5)?;
    for epoch in 0..100 {
        let loss = criterion.forward(&model.forward(&x)?, &y)?;
        optimizer.zero_grad();
        loss.backward()?;
        optimizer.step()?;
        if (epoch + 1) % 20 == 0 {
            out.push(format!(
                "Epoch [{}/100], Focal loss: {:.5}",
                epoch + 1,
                loss.item()?
            ));
        }
    }

    let _g = no_grad();
    out.push(model.forward(&x.narrow(0, 0, 5)?)?.sigmoid().to_string());
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<()> {
    logit::run_example(run).map(drop)
}
