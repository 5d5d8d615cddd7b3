//! The tutorial's sigmoid figure: the curve, the y = 0.5 line and labelled points.
//!
//! PyTorch equivalent: the matplotlib plot of `torch.sigmoid(torch.linspace(-10, 10, 200))`.
//! Run: `cargo run --release --example plot_sigmoid` (writes sigmoid.png and sigmoid.svg).

use logit::prelude::*;

fn main() -> Result<()> {
    logit::plot::sigmoid_curve("sigmoid.png")?;
    logit::plot::sigmoid_curve("sigmoid.svg")?;
    let x = Tensor::new([-5.0, -2.0, 0.0, 2.0, 5.0])?;
    for (xi, yi) in x.to_vec::<f32>().iter().zip(x.sigmoid().to_vec::<f32>()) {
        println!("sigmoid({xi}) = {yi:.4}");
    }
    println!("Wrote sigmoid.png and sigmoid.svg");
    Ok(())
}
