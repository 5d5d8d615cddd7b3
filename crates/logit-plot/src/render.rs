//! Drawing a [`Figure`] with plotters, and writing it atomically as PNG or SVG.

use std::path::Path;
use std::sync::Once;

use logit_core::{Error, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::Color as _;

use crate::figure::{Element, Figure};
use crate::style::{Color, Legend, LineStyle, Style};

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

/// Renders `fig` into `path` (PNG or SVG by extension) through a temporary file.
pub(crate) fn save(fig: &Figure, path: &Path) -> Result<()> {
    register_font();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    logit_core::io::atomic_with(path, |tmp| match ext.as_deref() {
        Some("png") => {
            let root = BitMapBackend::new(tmp, fig.size).into_drawing_area();
            draw(fig, &root, path).and_then(|_| root.present().map_err(|e| err(path, e)))
        }
        Some("svg") => {
            let root = SVGBackend::new(tmp, fig.size).into_drawing_area();
            draw(fig, &root, path).and_then(|_| root.present().map_err(|e| err(path, e)))
        }
        _ => Err(Error::invalid(
            "plot",
            "a path ending in .png or .svg",
            path.display().to_string(),
        )),
    })
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn color(style: &Style, i: usize) -> RGBAColor {
    let Color(r, g, b) = style.color.unwrap_or_else(|| Color::cycle(i));
    RGBColor(r, g, b).mix(style.alpha)
}

fn stroke(style: &Style, i: usize) -> ShapeStyle {
    color(style, i).stroke_width(style.linewidth.round().max(1.0) as u32)
}

fn draw<DB: DrawingBackend>(
    fig: &Figure,
    root: &DrawingArea<DB, Shift>,
    path: &Path,
) -> Result<()> {
    let e = |x| err(path, x);
    let ((x0, x1), (y0, y1)) = fig.ranges()?;
    root.fill(&WHITE).map_err(e)?;
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60);
    if let Some(t) = &fig.title {
        builder.caption(t, ("sans-serif", 26));
    }
    let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(e)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(fig.xlabel.as_str())
        .y_desc(fig.ylabel.as_str())
        .label_style(("sans-serif", 15));
    if fig.grid {
        mesh.bold_line_style(BLACK.mix(0.15))
            .light_line_style(TRANSPARENT);
    } else {
        mesh.disable_mesh();
    }
    mesh.draw().map_err(e)?;
    // elements without a colour take the next colour of the cycle, as matplotlib's do
    let mut cycle = 0;
    for (element, style) in &fig.elements {
        let i = cycle;
        if style.color.is_none() && matches!(element, Element::Line(_) | Element::Scatter(_)) {
            cycle += 1;
        }
        draw_element(&mut chart, element, style, i, ((x0, x1), (y0, y1))).map_err(e)?;
    }
    if let Some(loc) = fig.legend {
        let pos = match loc {
            Legend::UpperLeft => SeriesLabelPosition::UpperLeft,
            Legend::UpperRight => SeriesLabelPosition::UpperRight,
            Legend::LowerLeft => SeriesLabelPosition::LowerLeft,
            Legend::LowerRight => SeriesLabelPosition::LowerRight,
        };
        chart
            .configure_series_labels()
            .position(pos)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(e)?;
    }
    Ok(())
}

fn line<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    pts: Vec<(f64, f64)>,
    style: &Style,
    i: usize,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let s = stroke(style, i);
    let anno = match style.linestyle {
        LineStyle::Solid => chart.draw_series(LineSeries::new(pts, s))?,
        LineStyle::Dashed => chart.draw_series(DashedLineSeries::new(pts, 10, 6, s))?,
        LineStyle::Dotted => chart.draw_series(DashedLineSeries::new(pts, 2, 4, s))?,
    };
    if let Some(label) = &style.label {
        anno.label(label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], s));
    }
    Ok(())
}

fn draw_element<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    element: &Element,
    style: &Style,
    i: usize,
    ((x0, x1), (y0, y1)): ((f64, f64), (f64, f64)),
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    // lines and markers take the colour cycle; text is black unless coloured, as in matplotlib
    let c = match element {
        Element::Text { .. } | Element::Annotate { .. } if style.color.is_none() => {
            BLACK.mix(style.alpha)
        }
        _ => color(style, i),
    };
    let font = ("sans-serif", style.size.max(12.0) * 1.0)
        .into_font()
        .color(&c);
    match element {
        Element::Line(pts) => line(chart, pts.clone(), style, i)?,
        Element::HLine(y) => line(chart, vec![(x0, *y), (x1, *y)], style, i)?,
        Element::VLine(x) => line(chart, vec![(*x, y0), (*x, y1)], style, i)?,
        Element::Scatter(pts) => {
            let r = style.size.round().max(1.0) as i32;
            let anno = chart.draw_series(pts.iter().map(|&p| Circle::new(p, r, c.filled())))?;
            if let Some(label) = &style.label {
                anno.label(label.as_str())
                    .legend(move |(x, y)| Circle::new((x + 11, y), r.min(6), c.filled()));
            }
        }
        Element::Text { at, text } => {
            chart.draw_series(std::iter::once(Text::new(text.clone(), *at, font)))?;
        }
        Element::Annotate { text, xy, xytext } => {
            let arrow = c.stroke_width(1);
            chart.draw_series(std::iter::once(PathElement::new(vec![*xytext, *xy], arrow)))?;
            chart.draw_series(std::iter::once(Circle::new(*xy, 3, c.filled())))?;
            // the text's near end meets the arrow, so the arrow never crosses the text
            let h = if xytext.0 < xy.0 {
                HPos::Right
            } else {
                HPos::Left
            };
            let font = font.pos(Pos::new(h, VPos::Center));
            chart.draw_series(std::iter::once(Text::new(text.clone(), *xytext, font)))?;
        }
    }
    Ok(())
}
