//! The project's stock figures, each a few [`Figure`] calls: the tutorial's sigmoid plot, loss
//! curves, a ROC curve and a reliability diagram.

use std::path::Path;

use logit_core::{Error, Result, Tensor};

use crate::{Color, Figure, Legend, LineStyle};

/// The tutorial's sigmoid figure: `σ(x)` on `[-10, 10]`, the `y = 0.5` and `x = 0` reference
/// lines, and the points at −5, −2, 0, 2, 5 marked and labelled with their values.
///
/// # Errors
/// When the extension is not `.png`/`.svg` or the file cannot be written.
pub fn sigmoid_curve(path: impl AsRef<Path>) -> Result<()> {
    let x = Tensor::linspace(-10.0, 10.0, 200).double();
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
    let xs = [-5.0, -2.0, 0.0, 2.0, 5.0];
    let ys: Vec<f64> = Tensor::new(xs)?.double().sigmoid().to_vec_f64();
    fig.scatter(&xs, &ys)?.color(Color::RED).size(6.0);
    for (&x, &y) in xs.iter().zip(&ys) {
        // labels sit left-above the points on the lower half and right-below on the upper
        // half, away from the curve
        let at = if x < 0.0 {
            (x - 1.5, y + 0.12)
        } else {
            (x + 1.0, y - 0.1)
        };
        fig.annotate(format!("σ({x}) = {y:.4}"), (x, y), at)?
            .size(15.0);
    }
    fig.xlim(-10.0, 10.0)?.ylim(-0.05, 1.05)?;
    fig.grid(true)
        .xlabel("Input (x)")
        .ylabel("Output σ(x)")
        .title("Sigmoid Activation Function")
        .legend();
    fig.savefig(path)
}

fn finite(what: &str, v: &[f64]) -> Result<()> {
    if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
        return Err(Error::invalid(
            what,
            "a non-empty list of finite values",
            format!("{} values", v.len()),
        ));
    }
    Ok(())
}

/// A training-loss curve, one point per epoch (1-based).
///
/// # Errors
/// When `losses` is empty or not finite, or as [`sigmoid_curve`].
pub fn loss_curve(path: impl AsRef<Path>, losses: &[f64], title: &str) -> Result<()> {
    loss_curves(path, &[("loss", losses)], title)
}

/// Several loss curves on one figure (e.g. training and validation), one point per epoch.
///
/// # Errors
/// When a curve is empty or not finite, or as [`sigmoid_curve`].
pub fn loss_curves(path: impl AsRef<Path>, curves: &[(&str, &[f64])], title: &str) -> Result<()> {
    if curves.is_empty() {
        return Err(Error::invalid("loss_curves", "at least one curve", "none"));
    }
    let mut fig = Figure::new();
    for (label, c) in curves {
        finite("loss_curve", c)?;
        let epochs: Vec<f64> = (1..=c.len()).map(|i| i as f64).collect();
        fig.plot(&epochs, c)?.linewidth(2.5).label(*label);
    }
    fig.grid(true)
        .xlabel("Epoch")
        .ylabel("Loss")
        .title(title)
        .legend_at(Legend::UpperRight);
    fig.savefig(path)
}

/// A ROC curve with the chance diagonal and the AUC in the legend.
///
/// # Errors
/// When the rates are empty, of different lengths or outside `[0, 1]`, or as
/// [`sigmoid_curve`].
pub fn roc_curve(path: impl AsRef<Path>, fpr: &[f64], tpr: &[f64], auc: f64) -> Result<()> {
    finite("roc_curve", fpr)?;
    if fpr.len() != tpr.len() || fpr.iter().chain(tpr).any(|v| !(0.0..=1.0).contains(v)) {
        return Err(Error::invalid(
            "roc_curve",
            "fpr and tpr of equal length in [0, 1]",
            format!("{} and {} values", fpr.len(), tpr.len()),
        ));
    }
    let mut fig = Figure::new();
    fig.plot(fpr, tpr)?
        .color(Color::BLUE)
        .linewidth(2.5)
        .label(format!("ROC (AUC = {auc:.3})"));
    diagonal(&mut fig, "chance")?;
    fig.grid(true)
        .xlabel("False positive rate")
        .ylabel("True positive rate")
        .title("ROC curve")
        .legend_at(Legend::LowerRight);
    fig.savefig(path)
}

fn diagonal(fig: &mut Figure, label: &str) -> Result<()> {
    fig.plot(&[0.0, 1.0], &[0.0, 1.0])?
        .color(Color::GRAY)
        .linestyle(LineStyle::Dashed)
        .label(label);
    fig.xlim(0.0, 1.0)?.ylim(0.0, 1.0)?;
    Ok(())
}

/// A reliability diagram: observed frequency against mean predicted probability per bin
/// (`logit_data::calibration_curve`'s `prob_pred` and `prob_true`), with the diagonal of
/// perfect calibration.
///
/// # Errors
/// When the inputs are empty, of different lengths or outside `[0, 1]`, or as
/// [`sigmoid_curve`].
pub fn reliability_diagram(
    path: impl AsRef<Path>,
    prob_pred: &[f64],
    prob_true: &[f64],
) -> Result<()> {
    finite("reliability_diagram", prob_pred)?;
    if prob_pred.len() != prob_true.len()
        || prob_pred
            .iter()
            .chain(prob_true)
            .any(|v| !(0.0..=1.0).contains(v))
    {
        return Err(Error::invalid(
            "reliability_diagram",
            "one observed frequency per mean probability, all in [0, 1]",
            format!("{} and {} values", prob_pred.len(), prob_true.len()),
        ));
    }
    let mut fig = Figure::new();
    fig.plot(prob_pred, prob_true)?
        .color(Color::BLUE)
        .linewidth(2.5)
        .label("model");
    fig.scatter(prob_pred, prob_true)?
        .color(Color::BLUE)
        .size(4.0);
    diagonal(&mut fig, "perfectly calibrated")?;
    fig.grid(true)
        .xlabel("Mean predicted probability")
        .ylabel("Observed frequency")
        .title("Reliability diagram")
        .legend_at(Legend::UpperLeft);
    fig.savefig(path)
}
