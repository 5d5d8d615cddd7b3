//! The sigmoid function, its values and its gradient.
//!
//! The tutorial's `nn.Sigmoid` snippet with `torch.manual_seed(seed)` as its first line; it
//! prints what tests/fixtures/pytorch/tutorial/sigmoid_basics.py prints (tests/tutorial_output.rs).
//! ```python
//! sigmoid = nn.Sigmoid()
//! x = torch.tensor([-5.0, -2.0, 0.0, 2.0, 5.0])
//! print(sigmoid(x))
//! ```
//! Run: `cargo run --release --example sigmoid_basics [SEED]` (default 42)

use logit::nn::{Module, Sigmoid};
use logit::prelude::*;

/// The snippet; each printed line goes to `out`.
pub fn run(seed: u64, out: &mut Vec<String>) -> Result<()> {
    manual_seed(seed);
    // nn.Sigmoid as a layer
    let sigmoid = Sigmoid;
    let x = Tensor::new([-5.0, -2.0, 0.0, 2.0, 5.0])?;
    let output = sigmoid.forward(&x)?;
    out.push(format!("Input:  {x}"));
    out.push(format!("Output: {output}"));

    // the functional form, torch.sigmoid(x)
    out.push(format!("torch.sigmoid equivalent: {}", x.sigmoid()));

    // extreme inputs stay finite: no overflow, no NaN
    let extreme = Tensor::new([-1000.0, -100.0, 100.0, 1000.0])?;
    out.push(format!("Extreme inputs {extreme} -> {}", extreme.sigmoid()));

    // the derivative σ'(x) = σ(x)·(1 − σ(x)), peaking at 0.25 for x = 0
    let xg = x.detach().requires_grad_(true);
    xg.sigmoid().sum().backward()?;
    out.push(format!(
        "Gradient σ'(x): {}",
        xg.grad().expect("x requires grad")
    ));

    // a probability turned into a decision
    let logits = Tensor::new([[2.5], [-1.0], [0.3]])?;
    let probs = logits.sigmoid();
    let predicted = probs.gt_scalar(0.5).float();
    out.push(format!("Probabilities: {probs}"));
    out.push(format!("Predicted classes: {predicted}"));
    out.push(format!("Random logits: {}", Tensor::randn(&[4]).sigmoid()));
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<()> {
    logit::run_example(run).map(drop)
}
