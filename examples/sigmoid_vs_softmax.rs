//! Sigmoid (independent probabilities, multi-label) versus softmax (one distribution,
//! multi-class): the tutorial's two Sequential models and the loss that goes with each.
//!
//! The snippet with `torch.manual_seed(seed)` as its first line; it prints what
//! tests/fixtures/pytorch/tutorial/sigmoid_vs_softmax.py prints (tests/tutorial_output.rs).
//! ```python
//! multi_label_model = nn.Sequential(nn.Linear(10, 3), nn.Sigmoid())
//! multi_class_model = nn.Sequential(nn.Linear(10, 3), nn.Softmax(dim=1))
//! ```
//! Run: `cargo run --release --example sigmoid_vs_softmax [SEED]` (default 42)

use logit::losses::{BCEWithLogitsLoss, CrossEntropyLoss};
use logit::nn::{Linear, Module, Sequential, Sigmoid, Softmax};
use logit::prelude::*;

/// The snippet; each printed line goes to `out`.
pub fn run(seed: u64, out: &mut Vec<String>) -> Result<()> {
    manual_seed(seed);
    // Multi-label classification: each class on its own
    let multi_label_model = Sequential::new().add(Linear::new(10, 3)?).add(Sigmoid);
    // Multi-class classification: one distribution over the classes
    let multi_class_model = Sequential::new()
        .add(Linear::new(10, 3)?)
        .add(Softmax::new(1));

    let x = Tensor::randn(&[2, 10]);
    let multi_label_out = multi_label_model.forward(&x)?;
    let multi_class_out = multi_class_model.forward(&x)?;
    // row sums rounded: the last bit of a float32 sum differs between matrix-multiply builds
    let row_sums = |p: &Tensor| -> Result<String> {
        let sums = p.sum_dim(1, false)?.to_vec_f64();
        Ok(sums
            .iter()
            .map(|v| format!("{v:.4}"))
            .collect::<Vec<_>>()
            .join(", "))
    };
    out.push(format!("Multi-label (sigmoid): {multi_label_out}"));
    out.push(format!("  row sums: {}", row_sums(&multi_label_out)?));
    out.push(format!("Multi-class (softmax): {multi_class_out}"));
    out.push(format!("  row sums: {}", row_sums(&multi_class_out)?));

    // the losses that go with each take the logits, before the activation
    let labels = Tensor::new([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])?;
    let bce = BCEWithLogitsLoss::new().forward(&multi_label_model[0].forward(&x)?, &labels)?;
    let classes = Tensor::new([0i64, 2])?;
    let ce = CrossEntropyLoss::new().forward(&multi_class_model[0].forward(&x)?, &classes)?;
    out.push(format!(
        "BCEWithLogitsLoss: {:.4}, CrossEntropyLoss: {:.4}",
        bce.item()?,
        ce.item()?
    ));

    // with two classes, softmax over [0, z] is the sigmoid of z
    let z = Tensor::new([[0.0, 1.5]])?;
    out.push(format!(
        "softmax([0, 1.5])[1] = {:.6}, sigmoid(1.5) = {:.6}",
        z.softmax(1)?.to_vec_f64()[1],
        Tensor::new([1.5])?.sigmoid().item()?
    ));
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<()> {
    logit::run_example(run)
}
