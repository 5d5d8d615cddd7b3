//! [`Figure`]: matplotlib's `pyplot` calls as methods — `plot`, `scatter`, `axhline`,
//! `axvline`, `text`, `annotate`, `title`, `xlabel`, `ylabel`, `grid`, `legend`, `savefig`.

use std::path::Path;

use logit_core::{Error, Result};

use crate::render;
use crate::style::{Legend, Style};
use crate::values::Values;

/// What a figure holds, in drawing order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Element {
    Line(Vec<(f64, f64)>),
    Scatter(Vec<(f64, f64)>),
    HLine(f64),
    VLine(f64),
    Text {
        at: (f64, f64),
        text: String,
    },
    Annotate {
        text: String,
        xy: (f64, f64),
        xytext: (f64, f64),
    },
}

/// One figure with one set of axes, built up call by call as with `matplotlib.pyplot`, then
/// written by [`Figure::savefig`] as PNG or SVG.
///
/// ```
/// use logit_core::Tensor;
/// use logit_plot::{Color, Figure, LineStyle};
///
/// let x = Tensor::linspace(-10.0, 10.0, 100);
/// let y = x.sigmoid();
/// let mut fig = Figure::new();
/// fig.plot(&x, &y)?.color(Color::BLUE).linewidth(2.0).label("Sigmoid");
/// fig.axhline(0.5)?.color(Color::RED).linestyle(LineStyle::Dashed).alpha(0.5).label("y=0.5");
/// fig.grid(true).xlabel("Input (x)").ylabel("Output σ(x)").title("Sigmoid Activation Function");
/// fig.legend();
/// let dir = tempfile::tempdir().unwrap();
/// fig.savefig(dir.path().join("sigmoid.png"))?;
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub(crate) size: (u32, u32),
    pub(crate) title: Option<String>,
    pub(crate) xlabel: String,
    pub(crate) ylabel: String,
    pub(crate) grid: bool,
    pub(crate) legend: Option<Legend>,
    pub(crate) xlim: Option<(f64, f64)>,
    pub(crate) ylim: Option<(f64, f64)>,
    pub(crate) elements: Vec<(Element, Style)>,
}

impl Default for Figure {
    fn default() -> Self {
        Figure::new()
    }
}

fn finite_point(what: &str, p: (f64, f64)) -> Result<(f64, f64)> {
    if p.0.is_finite() && p.1.is_finite() {
        Ok(p)
    } else {
        Err(Error::invalid(what, "finite coordinates", format!("{p:?}")))
    }
}

fn points(what: &str, x: &dyn Values, y: &dyn Values) -> Result<Vec<(f64, f64)>> {
    let (xs, ys) = (x.to_f64s(), y.to_f64s());
    if xs.is_empty() || xs.len() != ys.len() {
        return Err(Error::invalid(
            what,
            "x and y of the same non-zero length",
            format!("{} x values and {} y values", xs.len(), ys.len()),
        ));
    }
    if let Some(i) = (0..xs.len()).find(|&i| !(xs[i].is_finite() && ys[i].is_finite())) {
        return Err(Error::invalid(
            what,
            "finite values",
            format!("point {i} is ({}, {})", xs[i], ys[i]),
        ));
    }
    Ok(xs.into_iter().zip(ys).collect())
}

impl Figure {
    /// An empty 800×560 figure with the grid off, like `plt.figure()`.
    pub fn new() -> Figure {
        Figure {
            size: (800, 560),
            title: None,
            xlabel: String::new(),
            ylabel: String::new(),
            grid: false,
            legend: None,
            xlim: None,
            ylim: None,
            elements: Vec::new(),
        }
    }

    /// Size in pixels (`figsize=` times the DPI).
    ///
    /// # Errors
    /// When a side is under 100 or over 8000 pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> Result<Figure> {
        if !(100..=8000).contains(&width) || !(100..=8000).contains(&height) {
            return Err(Error::invalid(
                "Figure size",
                "100 to 8000 pixels a side",
                format!("{width}x{height}"),
            ));
        }
        self.size = (width, height);
        Ok(self)
    }

    fn push(&mut self, e: Element) -> &mut Style {
        self.elements.push((e, Style::default()));
        &mut self.elements.last_mut().expect("just pushed").1
    }

    /// A line through `(x[i], y[i])`, like `plt.plot(x, y)`.
    ///
    /// # Errors
    /// When `x` and `y` differ in length, are empty or hold a value that is not finite.
    pub fn plot<X: Values + ?Sized, Y: Values + ?Sized>(
        &mut self,
        x: &X,
        y: &Y,
    ) -> Result<&mut Style> {
        let pts = points("plot", &x, &y)?;
        Ok(self.push(Element::Line(pts)))
    }

    /// Markers at `(x[i], y[i])`, like `plt.scatter(x, y)`.
    ///
    /// # Errors
    /// As [`Figure::plot`].
    pub fn scatter<X: Values + ?Sized, Y: Values + ?Sized>(
        &mut self,
        x: &X,
        y: &Y,
    ) -> Result<&mut Style> {
        let pts = points("scatter", &x, &y)?;
        Ok(self.push(Element::Scatter(pts)))
    }

    /// A horizontal line across the axes at `y`, like `plt.axhline(y=...)`.
    ///
    /// # Errors
    /// When `y` is not finite.
    pub fn axhline(&mut self, y: f64) -> Result<&mut Style> {
        finite_point("axhline", (0.0, y))?;
        Ok(self.push(Element::HLine(y)))
    }

    /// A vertical line across the axes at `x`, like `plt.axvline(x=...)`.
    ///
    /// # Errors
    /// When `x` is not finite.
    pub fn axvline(&mut self, x: f64) -> Result<&mut Style> {
        finite_point("axvline", (x, 0.0))?;
        Ok(self.push(Element::VLine(x)))
    }

    /// Text whose left end sits at `(x, y)` in data coordinates, like `plt.text(x, y, s)`.
    ///
    /// # Errors
    /// When the position is not finite.
    pub fn text(&mut self, x: f64, y: f64, text: impl Into<String>) -> Result<&mut Style> {
        let at = finite_point("text", (x, y))?;
        Ok(self.push(Element::Text {
            at,
            text: text.into(),
        }))
    }

    /// Text at `xytext` with an arrow to the point `xy`, like
    /// `plt.annotate(s, xy=..., xytext=..., arrowprops=...)`.
    ///
    /// # Errors
    /// When a position is not finite.
    pub fn annotate(
        &mut self,
        text: impl Into<String>,
        xy: (f64, f64),
        xytext: (f64, f64),
    ) -> Result<&mut Style> {
        let xy = finite_point("annotate", xy)?;
        let xytext = finite_point("annotate", xytext)?;
        Ok(self.push(Element::Annotate {
            text: text.into(),
            xy,
            xytext,
        }))
    }

    /// `plt.title`.
    pub fn title(&mut self, title: impl Into<String>) -> &mut Figure {
        self.title = Some(title.into());
        self
    }

    /// `plt.xlabel`.
    pub fn xlabel(&mut self, label: impl Into<String>) -> &mut Figure {
        self.xlabel = label.into();
        self
    }

    /// `plt.ylabel`.
    pub fn ylabel(&mut self, label: impl Into<String>) -> &mut Figure {
        self.ylabel = label.into();
        self
    }

    /// `plt.grid(True)`: light grid lines at the ticks.
    pub fn grid(&mut self, on: bool) -> &mut Figure {
        self.grid = on;
        self
    }

    /// `plt.xlim(lo, hi)`; without it the range fits the data with a 5% margin.
    ///
    /// # Errors
    /// When the bounds are not finite or `lo >= hi`.
    pub fn xlim(&mut self, lo: f64, hi: f64) -> Result<&mut Figure> {
        self.xlim = Some(range("xlim", lo, hi)?);
        Ok(self)
    }

    /// `plt.ylim(lo, hi)`.
    ///
    /// # Errors
    /// As [`Figure::xlim`].
    pub fn ylim(&mut self, lo: f64, hi: f64) -> Result<&mut Figure> {
        self.ylim = Some(range("ylim", lo, hi)?);
        Ok(self)
    }

    /// `plt.legend()`: a box listing every element that has a label, in the upper left.
    pub fn legend(&mut self) -> &mut Figure {
        self.legend_at(Legend::UpperLeft)
    }

    /// `plt.legend(loc=...)`.
    pub fn legend_at(&mut self, loc: Legend) -> &mut Figure {
        self.legend = Some(loc);
        self
    }

    /// Writes the figure to `path`, PNG or SVG by the extension, atomically (a temporary file
    /// renamed into place), like `plt.savefig`.
    ///
    /// # Errors
    /// When the extension is not `.png`/`.svg`, the figure is empty, or the file cannot be
    /// written.
    pub fn savefig(&self, path: impl AsRef<Path>) -> Result<()> {
        render::save(self, path.as_ref())
    }

    /// The axes' ranges: the limits if set, else the data's bounds with a 5% margin.
    pub(crate) fn ranges(&self) -> Result<((f64, f64), (f64, f64))> {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for (e, _) in &self.elements {
            match e {
                Element::Line(p) | Element::Scatter(p) => {
                    xs.extend(p.iter().map(|q| q.0));
                    ys.extend(p.iter().map(|q| q.1));
                }
                Element::HLine(y) => ys.push(*y),
                Element::VLine(x) => xs.push(*x),
                Element::Text { at, .. } => {
                    xs.push(at.0);
                    ys.push(at.1);
                }
                Element::Annotate { xy, xytext, .. } => {
                    xs.extend([xy.0, xytext.0]);
                    ys.extend([xy.1, xytext.1]);
                }
            }
        }
        let fit = |v: &[f64]| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if !lo.is_finite() {
                return (0.0, 1.0);
            }
            let pad = ((hi - lo) * 0.05).max(1e-9 + hi.abs().max(lo.abs()) * 1e-3);
            (lo - pad, hi + pad)
        };
        if self.elements.is_empty() {
            return Err(Error::invalid(
                "savefig",
                "a figure with something drawn",
                "an empty figure",
            ));
        }
        Ok((
            self.xlim.unwrap_or_else(|| fit(&xs)),
            self.ylim.unwrap_or_else(|| fit(&ys)),
        ))
    }
}

fn range(what: &str, lo: f64, hi: f64) -> Result<(f64, f64)> {
    if lo.is_finite() && hi.is_finite() && lo < hi {
        Ok((lo, hi))
    } else {
        Err(Error::invalid(
            what,
            "finite bounds with lo < hi",
            format!("({lo}, {hi})"),
        ))
    }
}
