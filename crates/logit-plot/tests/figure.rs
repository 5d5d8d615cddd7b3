//! The plot API renders what it is given: file format and size, the pixels of a series, the
//! stock figures, and errors for data it cannot draw.

use logit_core::{Result, Tensor};
use logit_plot::{Color, Figure, LineStyle};

fn blue_pixels(img: &image::RgbImage) -> Vec<(u32, u32)> {
    img.enumerate_pixels()
        .filter(|(_, _, p)| p[2] > 200 && p[0] < 60 && p[1] < 60)
        .map(|(x, y, _)| (x, y))
        .collect()
}

#[test]
fn a_line_series_is_drawn_where_its_data_is() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("line.png");
    let x = Tensor::linspace(0.0, 1.0, 50);
    let mut fig = Figure::new();
    // a flat line at y = 0.25 on axes from 0 to 1: a quarter of the way up the plot area
    fig.plot(&x, &Tensor::full(&[50], 0.25))?
        .color(Color::BLUE)
        .linewidth(3.0);
    fig.xlim(0.0, 1.0)?.ylim(0.0, 1.0)?;
    fig.savefig(&path)?;
    let img = image::open(&path).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (800, 560));
    let blue = blue_pixels(&img);
    assert!(
        blue.len() > 600,
        "a 3-pixel line across the plot, got {} pixels",
        blue.len()
    );
    let rows: Vec<u32> = blue.iter().map(|p| p.1).collect();
    let (lo, hi) = (*rows.iter().min().unwrap(), *rows.iter().max().unwrap());
    assert!(hi - lo <= 4, "a horizontal line, rows {lo}..{hi}");
    // plot area spans roughly rows 20..495 (margin 20, x-label area 45)
    assert!((330..430).contains(&lo), "y = 0.25 drawn at row {lo}");

    // nothing blue without the series
    let mut empty = Figure::new();
    empty.axhline(0.5)?.color(Color::RED);
    empty.savefig(&path)?;
    assert!(blue_pixels(&image::open(&path).unwrap().to_rgb8()).is_empty());
    Ok(())
}

#[test]
fn every_element_renders_to_png_and_svg() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let x = [-5.0, -2.0, 0.0, 2.0, 5.0];
    let y: Vec<f64> = x.iter().map(|v: &f64| 1.0 / (1.0 + (-v).exp())).collect();
    let mut fig = Figure::new().with_size(640, 480)?;
    fig.plot(&x, &y)?.label("sigmoid");
    fig.scatter(&x, &y)?
        .color(Color::RED)
        .size(5.0)
        .label("points");
    fig.axhline(0.5)?
        .linestyle(LineStyle::Dashed)
        .label("y = 0.5");
    fig.axvline(0.0)?.linestyle(LineStyle::Dotted);
    fig.text(-4.0, 0.8, "saturated")?;
    fig.annotate("σ(0) = 0.5", (0.0, 0.5), (1.5, 0.3))?;
    fig.grid(true)
        .xlabel("x")
        .ylabel("σ(x)")
        .title("All elements")
        .legend();
    for ext in ["png", "svg"] {
        let p = dir.path().join(format!("all.{ext}"));
        fig.savefig(&p)?;
        assert!(std::fs::metadata(&p).unwrap().len() > 2000);
    }
    let png = image::open(dir.path().join("all.png")).unwrap().to_rgb8();
    assert_eq!(png.dimensions(), (640, 480));
    let svg = std::fs::read_to_string(dir.path().join("all.svg")).unwrap();
    assert!(
        svg.contains("All elements") && svg.contains("σ(0) = 0.5") && svg.contains("<polyline")
    );

    logit_plot::sigmoid_curve(dir.path().join("s.png"))?;
    logit_plot::loss_curve(dir.path().join("l.svg"), &[0.7, 0.5, 0.4], "loss")?;
    logit_plot::roc_curve(
        dir.path().join("r.png"),
        &[0.0, 0.5, 1.0],
        &[0.0, 0.8, 1.0],
        0.9,
    )?;
    logit_plot::reliability_diagram(dir.path().join("c.png"), &[0.1, 0.8, 0.9], &[0.0, 1.0, 1.0])?;
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".tmp")),
        "no temporary files left: {names:?}"
    );
    Ok(())
}

#[test]
fn data_that_cannot_be_drawn_is_an_error() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let mut fig = Figure::new();
    let e = fig.plot(&[1.0, 2.0], &[1.0]).unwrap_err().to_string();
    assert!(e.contains("2 x values and 1 y values"), "{e}");
    let e = fig
        .scatter(&[1.0, 2.0], &[1.0, f64::NAN])
        .unwrap_err()
        .to_string();
    assert!(e.contains("point 1"), "{e}");
    assert!(fig.xlim(1.0, 1.0).is_err());
    assert!(
        fig.savefig(dir.path().join("empty.png")).is_err(),
        "an empty figure"
    );
    fig.plot(&[0.0, 1.0], &[0.0, 1.0])?;
    assert!(fig.savefig(dir.path().join("f.bmp")).is_err());
    assert!(Figure::new().with_size(10, 10).is_err());
    assert!(logit_plot::loss_curve(dir.path().join("l.png"), &[f64::NAN], "x").is_err());
    Ok(())
}
