//! # logit-plot
//!
//! PNG and SVG figures, drawn with plotters. [`Figure`] takes matplotlib's `pyplot` calls as
//! methods (`plot`, `scatter`, `axhline`, `axvline`, `text`, `annotate`, labels, title, grid,
//! legend, `savefig`) on tensors or slices; the stock figures are built on it: the tutorial's
//! sigmoid curve, loss curves, a ROC curve and a reliability diagram. The format follows the
//! file extension (`.png` or `.svg`); files are written atomically (temp file + rename).
//!
//! ```no_run
//! use logit_core::Tensor;
//! use logit_plot::Figure;
//! let x = Tensor::linspace(-6.0, 6.0, 100);
//! let mut fig = Figure::new();
//! fig.plot(&x, &x.sigmoid())?.label("sigmoid");
//! fig.plot(&x, &x.tanh())?.label("tanh");
//! fig.grid(true).title("Activations").legend();
//! fig.savefig("activations.svg")?;
//!
//! logit_plot::sigmoid_curve("sigmoid.png")?;
//! logit_plot::loss_curve("loss.svg", &[0.69, 0.52, 0.41], "Training loss")?;
//! # Ok::<(), logit_core::Error>(())
//! ```

mod charts;
mod figure;
mod render;
mod style;
mod values;

pub use charts::{loss_curve, loss_curves, reliability_diagram, roc_curve, sigmoid_curve};
pub use figure::Figure;
pub use style::{Color, Legend, LineStyle, Style};
pub use values::Values;
