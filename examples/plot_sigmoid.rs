//! The tutorial's sigmoid figure, drawn call by call with logit's matplotlib-style `Figure`.
//!
//! PyTorch + matplotlib equivalent (each call below is one line of it):
//! ```python
//! x = torch.linspace(-10, 10, 200)
//! y = torch.sigmoid(x)
//! plt.plot(x.numpy(), y.numpy(), "b-", linewidth=2.5, label="σ(x) = 1 / (1 + e^(-x))")
//! plt.axhline(y=0.5, color="r", linestyle="--", alpha=0.6, label="y = 0.5")
//! plt.axvline(x=0, color="k", linestyle="--", alpha=0.3)
//! points = torch.tensor([-5.0, -2.0, 0.0, 2.0, 5.0])
//! plt.scatter(points, torch.sigmoid(points), color="r", zorder=5)
//! for p in points: plt.annotate(f"σ({p:g}) = {torch.sigmoid(p):.4f}", xy=..., xytext=..., arrowprops=...)
//! plt.grid(True); plt.xlabel("Input (x)"); plt.ylabel("Output σ(x)")
//! plt.title("Sigmoid Activation Function"); plt.legend(); plt.savefig("sigmoid.png")
//! ```
//! Run: `cargo run --release --example plot_sigmoid` (writes sigmoid.png and sigmoid.svg).
//! `logit::plot::sigmoid_curve(path)` draws the same figure in one call.

use logit::plot::{Color, Figure, LineStyle};
use logit::prelude::*;

fn main() -> Result<()> {
    let x = Tensor::linspace(-10.0, 10.0, 200);
    let y = x.sigmoid();
    let mut fig = Figure::new();
    fig.plot(&x, &y)?
        .color(Color::BLUE)
        .linewidth(2.5)
        .label("σ(x) = 1 / (1 + e^(-x))");
    fig.axhline(0.5)?
        .color(Color::RED)
        .linestyle(LineStyle::Dashed)
        .alpha(0.6)
        .label("y = 0.5");
    fig.axvline(0.0)?
        .color(Color::BLACK)
        .linestyle(LineStyle::Dashed)
        .alpha(0.3);
    let points = Tensor::new([-5.0, -2.0, 0.0, 2.0, 5.0])?;
    let values = points.sigmoid();
    fig.scatter(&points, &values)?.color(Color::RED);
    for (p, v) in points.to_vec_f64().into_iter().zip(values.to_vec_f64()) {
        // below the curve's middle the label goes left and up, above it right and down
        let at = if p < 0.0 {
            (p - 1.5, v + 0.12)
        } else {
            (p + 1.0, v - 0.1)
        };
        fig.annotate(format!("σ({p}) = {v:.4}"), (p, v), at)?
            .size(15.0);
    }
    fig.xlim(-10.0, 10.0)?.ylim(-0.05, 1.05)?;
    fig.grid(true)
        .xlabel("Input (x)")
        .ylabel("Output σ(x)")
        .title("Sigmoid Activation Function")
        .legend();
    fig.savefig("sigmoid.png")?;
    fig.savefig("sigmoid.svg")?;
    println!("wrote sigmoid.png and sigmoid.svg");
    Ok(())
}
