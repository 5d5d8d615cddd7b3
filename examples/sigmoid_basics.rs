//! The sigmoid function, its values and its gradient.
//!
//! PyTorch equivalent:
//! ```python
//! sigmoid = nn.Sigmoid()
//! x = torch.tensor([-5.0, -2.0, 0.0, 2.0, 5.0])
//! print(sigmoid(x))
//! ```
//! Run: `cargo run --release --example sigmoid_basics`

use logit::nn::{Module, Sigmoid};
use logit::prelude::*;

fn main() -> Result<()> {
    // nn.Sigmoid as a layer
    let sigmoid = Sigmoid;
    let x = Tensor::new([-5.0, -2.0, 0.0, 2.0, 5.0])?;
    let output = sigmoid.forward(&x)?;
    println!("Input:  {x}");
    println!("Output: {output}");

    // the functional form, torch.sigmoid(x)
    println!("torch.sigmoid equivalent: {}", x.sigmoid());

    // extreme inputs stay finite: no overflow, no NaN
    let extreme = Tensor::new([-1000.0, -100.0, 100.0, 1000.0])?;
    println!("Extreme inputs {extreme} -> {}", extreme.sigmoid());

    // the derivative σ'(x) = σ(x)·(1 − σ(x)), peaking at 0.25 for x = 0
    let xg = x.detach().requires_grad_(true);
    xg.sigmoid().sum().backward()?;
    println!("Gradient σ'(x): {}", xg.grad().expect("x requires grad"));

    // a probability turned into a decision
    let logits = Tensor::new([[2.5], [-1.0], [0.3]])?;
    let probs = logits.sigmoid();
    let predicted = probs.gt_scalar(0.5).float();
    println!("Probabilities: {probs}");
    println!("Predicted classes: {predicted}");
    Ok(())
}
