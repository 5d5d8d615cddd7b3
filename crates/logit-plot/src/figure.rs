//! The figures, each drawn once against a generic plotters backend.

use std::path::{Path, PathBuf};
use std::sync::Once;

use logit_core::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

const SIZE: (u32, u32) = (800, 560);
static FONT: Once = Once::new();

/// plotters' `ab_glyph` text backend needs a registered font; DejaVu Sans ships with the crate
/// so figures render the same on machines without system fonts.
fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../assets/DejaVuSans.ttf");
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::invalid(
        format!("plot {}", path.display()),
        "a drawable figure",
        e.to_string(),
    )
}

/// A labelled line: legend text, points, colour.
type Series<'a> = (&'a str, Vec<(f64, f64)>, RGBColor);

/// What to draw: the sigmoid figure, or line series on labelled axes.
enum Fig<'a> {
    Sigmoid,
    Xy {
        title: &'a str,
        axes: (&'a str, &'a str),
        x_range: std::ops::Range<f64>,
        y_range: std::ops::Range<f64>,
        series: &'a [Series<'a>],
    },
}

impl Fig<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()> {
        match self {
            Fig::Sigmoid => draw_sigmoid(root, path),
            Fig::Xy {
                title,
                axes,
                x_range,
                y_range,
                series,
            } => draw_xy(
                root,
                path,
                title,
                *axes,
                x_range.clone(),
                y_range.clone(),
                series,
            ),
        }
    }
}

/// Renders `fig` into `path` (PNG or SVG by extension) through a temporary file.
fn render(path: &Path, fig: Fig<'_>) -> Result<()> {
    register_font();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let name = path
        .file_name()
        .ok_or_else(|| err(path, "not a file path"))?
        .to_string_lossy()
        .to_string();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let tmp = dir.join(format!(".tmp-{}-{name}", std::process::id()));
    let result = match ext.as_deref() {
        Some("png") => {
            let root = BitMapBackend::new(&tmp, SIZE).into_drawing_area();
            fig.draw(&root, path)
                .and_then(|_| root.present().map_err(|e| err(path, e)))
        }
        Some("svg") => {
            let root = SVGBackend::new(&tmp, SIZE).into_drawing_area();
            fig.draw(&root, path)
                .and_then(|_| root.present().map_err(|e| err(path, e)))
        }
        _ => {
            return Err(Error::invalid(
                "plot",
                "a path ending in .png or .svg",
                path.display().to_string(),
            ))
        }
    };
    match result.and_then(|_| std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn draw_sigmoid<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, path: &Path) -> Result<()> {
    let e = |x| err(path, x);
    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(root)
        .caption("Sigmoid Activation Function", ("sans-serif", 28))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(-10f64..10f64, -0.05f64..1.05f64)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("Input (x)")
        .y_desc("Output σ(x)")
        .label_style(("sans-serif", 16))
        .draw()
        .map_err(e)?;
    let curve = (0..=400)
        .map(|i| -10.0 + 20.0 * i as f64 / 400.0)
        .map(|x| (x, sigmoid(x)));
    chart
        .draw_series(LineSeries::new(curve, BLUE.stroke_width(3)))
        .map_err(e)?
        .label("σ(x) = 1 / (1 + e^(-x))")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(3)));
    chart
        .draw_series(LineSeries::new(
            vec![(-10.0, 0.5), (10.0, 0.5)],
            RED.mix(0.6).stroke_width(2),
        ))
        .map_err(e)?
        .label("y = 0.5")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            vec![(0.0, -0.05), (0.0, 1.05)],
            BLACK.mix(0.3),
        ))
        .map_err(e)?;
    for x in [-5.0, -2.0, 0.0, 2.0, 5.0] {
        let y = sigmoid(x);
        chart
            .draw_series(std::iter::once(Circle::new((x, y), 6, RED.filled())))
            .map_err(e)?;
        // labels sit left-above the points on the lower half and right-below on the upper
        // half, away from the curve
        let at = if x < 0.0 {
            (x - 3.4, y + 0.06)
        } else {
            (x + 0.3, y - 0.03)
        };
        chart
            .draw_series(std::iter::once(Text::new(
                format!("σ({x}) = {y:.4}"),
                at,
                ("sans-serif", 16),
            )))
            .map_err(e)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()
        .map_err(e)?;
    Ok(())
}

/// The tutorial's sigmoid figure: `σ(x)` on `[-10, 10]`, the `y = 0.5` line, and the points at
/// −5, −2, 0, 2, 5 labelled with their values.
///
/// # Errors
/// When the extension is not `.png`/`.svg` or the file cannot be written.
pub fn sigmoid_curve(path: impl AsRef<Path>) -> Result<()> {
    let p = path.as_ref();
    render(p, Fig::Sigmoid)
}

fn draw_xy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    path: &Path,
    title: &str,
    axes: (&str, &str),
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
    series: &[Series<'_>],
) -> Result<()> {
    let e = |x| err(path, x);
    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 28))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(65)
        .build_cartesian_2d(x_range, y_range)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(axes.0)
        .y_desc(axes.1)
        .label_style(("sans-serif", 16))
        .draw()
        .map_err(e)?;
    for (label, pts, color) in series {
        let c = *color;
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(3)))
            .map_err(e)?
            .label(*label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()
        .map_err(e)?;
    Ok(())
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
    for (_, c) in curves {
        finite("loss_curve", c)?;
    }
    let p = path.as_ref();
    let all = curves.iter().flat_map(|(_, c)| c.iter().copied());
    let (min, max) = all.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((max - min) * 0.05).max(1e-3);
    let n = curves.iter().map(|(_, c)| c.len()).max().unwrap_or(1) as f64;
    let colors = [BLUE, RED, GREEN, MAGENTA];
    let series: Vec<Series<'_>> = curves
        .iter()
        .zip(colors.iter().cycle())
        .map(|((label, c), &color)| {
            (
                *label,
                c.iter()
                    .enumerate()
                    .map(|(i, &l)| ((i + 1) as f64, l))
                    .collect(),
                color,
            )
        })
        .collect();
    render(
        p,
        Fig::Xy {
            title,
            axes: ("Epoch", "Loss"),
            x_range: 1.0..n.max(2.0),
            y_range: (min - pad)..(max + pad),
            series: &series,
        },
    )
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
    let p = path.as_ref();
    let label = format!("ROC (AUC = {auc:.3})");
    let series = [
        (
            label.as_str(),
            fpr.iter().copied().zip(tpr.iter().copied()).collect(),
            BLUE,
        ),
        (
            "chance",
            vec![(0.0, 0.0), (1.0, 1.0)],
            RGBColor(150, 150, 150),
        ),
    ];
    render(
        p,
        Fig::Xy {
            title: "ROC curve",
            axes: ("False positive rate", "True positive rate"),
            x_range: 0.0..1.0,
            y_range: 0.0..1.0,
            series: &series,
        },
    )
}

/// A reliability diagram: mean predicted probability against observed frequency in `bins`
/// equal-width bins (empty bins skipped), with the diagonal of perfect calibration.
///
/// # Errors
/// When the inputs are empty or of different lengths, or as [`sigmoid_curve`].
pub fn reliability_diagram(
    path: impl AsRef<Path>,
    probs: &[f64],
    labels: &[f64],
    bins: usize,
) -> Result<()> {
    finite("reliability_diagram", probs)?;
    if probs.len() != labels.len() || bins == 0 {
        return Err(Error::invalid(
            "reliability_diagram",
            "one label per probability and bins > 0",
            format!(
                "{} probabilities, {} labels, {bins} bins",
                probs.len(),
                labels.len()
            ),
        ));
    }
    let mut sums = vec![(0.0, 0.0, 0usize); bins];
    for (&p, &y) in probs.iter().zip(labels) {
        let b = ((p * bins as f64) as usize).min(bins - 1);
        sums[b].0 += p;
        sums[b].1 += y;
        sums[b].2 += 1;
    }
    let pts: Vec<(f64, f64)> = sums
        .iter()
        .filter(|s| s.2 > 0)
        .map(|s| (s.0 / s.2 as f64, s.1 / s.2 as f64))
        .collect();
    let p = path.as_ref();
    let series = [
        ("model", pts, BLUE),
        (
            "perfectly calibrated",
            vec![(0.0, 0.0), (1.0, 1.0)],
            RGBColor(150, 150, 150),
        ),
    ];
    render(
        p,
        Fig::Xy {
            title: "Reliability diagram",
            axes: ("Mean predicted probability", "Observed frequency"),
            x_range: 0.0..1.0,
            y_range: 0.0..1.0,
            series: &series,
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_png_and_svg_and_rejects_other_extensions() {
        let dir = tempfile::tempdir().unwrap();
        for ext in ["png", "svg"] {
            let p = dir.path().join(format!("s.{ext}"));
            super::sigmoid_curve(&p).unwrap();
            assert!(std::fs::metadata(&p).unwrap().len() > 1000);
            super::loss_curve(&p, &[0.7, 0.5, 0.4], "loss").unwrap();
            super::roc_curve(&p, &[0.0, 0.5, 1.0], &[0.0, 0.8, 1.0], 0.9).unwrap();
            super::reliability_diagram(&p, &[0.1, 0.8, 0.9], &[0.0, 1.0, 1.0], 10).unwrap();
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary files left"
        );
        assert!(super::sigmoid_curve(dir.path().join("s.jpg")).is_err());
        assert!(super::loss_curve(dir.path().join("l.png"), &[f64::NAN], "x").is_err());
    }
}
