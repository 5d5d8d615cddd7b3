//! How an element looks: [`Color`], [`LineStyle`], [`Style`] and [`Legend`] positions, with
//! matplotlib's names.

/// An RGB colour; the constants are matplotlib's single-letter colours (`'b'`, `'r'`, …) and
/// its default cycle's first entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    /// `'b'`.
    pub const BLUE: Color = Color(0, 0, 255);
    /// `'r'`.
    pub const RED: Color = Color(255, 0, 0);
    /// `'g'` (matplotlib's green is half intensity).
    pub const GREEN: Color = Color(0, 128, 0);
    /// `'k'`.
    pub const BLACK: Color = Color(0, 0, 0);
    /// `'m'`.
    pub const MAGENTA: Color = Color(191, 0, 191);
    /// `'gray'`.
    pub const GRAY: Color = Color(128, 128, 128);
    /// `'tab:blue'`, the first colour of matplotlib's cycle.
    pub const TAB_BLUE: Color = Color(31, 119, 180);
    /// `'tab:orange'`.
    pub const TAB_ORANGE: Color = Color(255, 127, 14);

    /// The colour used for the `i`-th series when none is given (matplotlib's tab10 cycle).
    pub fn cycle(i: usize) -> Color {
        const TAB10: [Color; 6] = [
            Color::TAB_BLUE,
            Color::TAB_ORANGE,
            Color(44, 160, 44),
            Color(214, 39, 40),
            Color(148, 103, 189),
            Color(140, 86, 75),
        ];
        TAB10[i % TAB10.len()]
    }
}

/// `linestyle=`: `'-'`, `'--'` or `':'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineStyle {
    /// `'-'`.
    #[default]
    Solid,
    /// `'--'`.
    Dashed,
    /// `':'`.
    Dotted,
}

/// Where [`Figure::legend`](crate::Figure::legend) puts the legend box (`loc=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Legend {
    /// `'upper left'`.
    #[default]
    UpperLeft,
    /// `'upper right'`.
    UpperRight,
    /// `'lower left'`.
    LowerLeft,
    /// `'lower right'`.
    LowerRight,
}

/// The look of one element, set by chaining on what `plot`, `scatter`, `axhline`, … return:
/// `fig.plot(&x, &y)?.color(Color::BLUE).linewidth(2.0).label("sigmoid");`
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    pub(crate) color: Option<Color>,
    pub(crate) alpha: f64,
    pub(crate) linewidth: f64,
    pub(crate) linestyle: LineStyle,
    pub(crate) size: f64,
    pub(crate) label: Option<String>,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: None,
            alpha: 1.0,
            linewidth: 1.5,
            linestyle: LineStyle::Solid,
            size: 6.0,
            label: None,
        }
    }
}

impl Style {
    /// `color=`.
    pub fn color(&mut self, color: Color) -> &mut Style {
        self.color = Some(color);
        self
    }
    /// `alpha=` in `[0, 1]` (values outside are clamped).
    pub fn alpha(&mut self, alpha: f64) -> &mut Style {
        self.alpha = if alpha.is_finite() {
            alpha.clamp(0.0, 1.0)
        } else {
            1.0
        };
        self
    }
    /// `linewidth=` in points (at least 1 pixel is drawn).
    pub fn linewidth(&mut self, width: f64) -> &mut Style {
        self.linewidth = width;
        self
    }
    /// `linestyle=`.
    pub fn linestyle(&mut self, style: LineStyle) -> &mut Style {
        self.linestyle = style;
        self
    }
    /// Marker radius of a scatter, or font size of a text, in pixels.
    pub fn size(&mut self, size: f64) -> &mut Style {
        self.size = size;
        self
    }
    /// `label=`: the element's legend entry.
    pub fn label(&mut self, label: impl Into<String>) -> &mut Style {
        self.label = Some(label.into());
        self
    }
}
