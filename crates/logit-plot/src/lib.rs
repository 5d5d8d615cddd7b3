//! # logit-plot
//!
//! PNG and SVG figures for probability models, drawn with plotters: the tutorial's sigmoid
//! curve, a training-loss curve, a ROC curve and a reliability diagram. The format follows the
//! file extension (`.png` or `.svg`); files are written atomically (temp file + rename).
//!
//! ```no_run
//! logit_plot::sigmoid_curve("sigmoid.png")?;
//! logit_plot::loss_curve("loss.svg", &[0.69, 0.52, 0.41], "Training loss")?;
//! # Ok::<(), logit_core::Error>(())
//! ```

mod figure;

pub use figure::{loss_curve, loss_curves, reliability_diagram, roc_curve, sigmoid_curve};
