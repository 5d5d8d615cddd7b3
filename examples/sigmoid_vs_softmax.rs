//! Sigmoid (independent probabilities, multi-label) versus softmax (one distribution,
//! multi-class), and the losses that go with each.
//!
//! PyTorch equivalent: `torch.sigmoid(logits)` vs `torch.softmax(logits, dim=1)`,
//! `nn.BCEWithLogitsLoss()` vs `nn.CrossEntropyLoss()`.
//! Run: `cargo run --release --example sigmoid_vs_softmax`

use logit::losses::{BCEWithLogitsLoss, CrossEntropyLoss};
use logit::nn::{Module, Softmax};
use logit::prelude::*;

fn main() -> Result<()> {
    let logits = Tensor::new([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])?;
    let sig = logits.sigmoid();
    let soft = Softmax::new(1).forward(&logits)?;
    println!("Logits:\n{logits}");
    println!("Sigmoid (each class on its own):\n{sig}");
    println!("  row sums: {}", sig.sum_dim(1, false)?);
    println!("Softmax (one distribution over classes):\n{soft}");
    println!("  row sums: {}", soft.sum_dim(1, false)?);

    // multi-label: an image can be both "cat" and "outdoor" -> sigmoid + BCEWithLogitsLoss
    let multi_label = Tensor::new([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])?;
    let bce = BCEWithLogitsLoss::new().forward(&logits, &multi_label)?;
    println!(
        "Multi-label targets {multi_label}\n  BCEWithLogitsLoss: {:.4}",
        bce.item()?
    );

    // multi-class: exactly one class per row -> softmax + CrossEntropyLoss (class indices)
    let classes = Tensor::new([0i64, 1])?;
    let ce = CrossEntropyLoss::new().forward(&logits, &classes)?;
    println!(
        "Multi-class targets {classes}\n  CrossEntropyLoss: {:.4}",
        ce.item()?
    );

    // with two classes, softmax over [0, z] is the sigmoid of z
    let z = Tensor::new([[0.0, 1.5]])?;
    println!(
        "softmax([0, 1.5])[1] = {:.6}, sigmoid(1.5) = {:.6}",
        z.softmax(1)?.to_vec::<f32>()[1],
        Tensor::new([1.5])?.sigmoid().item()?
    );
    Ok(())
}
