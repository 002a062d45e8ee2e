//! The generic figure: a [`Figure`] (panels of lines with optional shaded bands, one legend
//! to the right) and its drawing as SVG with plotters. The run figures and the sweep figure
//! build a `Figure` and call [`render`].

use super::{Dash, PALETTE, percent, series_style, trim_number};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One line of a panel, with an optional shaded band `(x, low, high)`.
pub(super) struct Line {
    pub(super) style: usize,
    pub(super) points: Vec<(f64, f64)>,
    pub(super) band: Vec<(f64, f64, f64)>,
}

impl Line {
    /// The mean of per-step summaries with their 5–95% band, in series style `style` (steps
    /// with a non-finite value left out).
    pub(super) fn of_summary(style: usize, s: &[crate::stats::StepSummary]) -> Line {
        let ok = s
            .iter()
            .filter(|x| x.mean.is_finite() && x.p05.is_finite() && x.p95.is_finite());
        Line {
            style,
            points: ok.clone().map(|x| (f64::from(x.step), x.mean)).collect(),
            band: ok.map(|x| (f64::from(x.step), x.p05, x.p95)).collect(),
        }
    }
}

/// One panel: an optional caption, its lines and observed points (drawn as black dots), and
/// an optional note written in its top-left corner.
pub(super) struct Panel {
    pub(super) caption: Option<String>,
    pub(super) lines: Vec<Line>,
    pub(super) observed: Vec<(f64, f64)>,
    pub(super) note: Option<String>,
}

/// How y tick labels are written.
#[derive(Clone, Copy)]
pub(super) enum YFormat {
    /// Shares, as percentages.
    Percent,
    /// Plain numbers.
    Number,
}

/// A whole figure, before drawing.
pub(super) struct Figure {
    pub(super) title: String,
    pub(super) subtitle: String,
    pub(super) x_label: String,
    pub(super) y_label: String,
    pub(super) x_range: (f64, f64),
    pub(super) y_range: (f64, f64),
    pub(super) y_format: YFormat,
    /// Whether x ticks are whole numbers (steps).
    pub(super) x_integer: bool,
    /// Draw a marker at every point (for sweeps with few points).
    pub(super) markers: bool,
    pub(super) panels: Vec<Panel>,
    /// Panels per row (`None`: chosen from the number of panels).
    pub(super) columns: Option<usize>,
    /// Legend heading and entries `(label, series style index)`.
    pub(super) legend_title: String,
    pub(super) legend: Vec<(String, usize)>,
    /// Extra legend entry for the shaded bands, if any (each series' legend sample then
    /// shows its band colour behind the line).
    pub(super) band_note: Option<String>,
    /// Legend entry of the observed points, if any.
    pub(super) observed_note: Option<String>,
}

/// The colour of observed points.
const OBSERVED: RGBColor = RGBColor(0x11, 0x11, 0x11);

const TITLE_FONT: f64 = 24.0;
const SUBTITLE_FONT: f64 = 16.0;
const CAPTION_FONT: f64 = 18.0;
const LABEL_FONT: f64 = 15.0;
const DESC_FONT: f64 = 16.0;
const LEGEND_FONT: f64 = 16.0;

/// A text style of the figure's font, anchored at `(h, v)`.
fn text_style(size: f64, colour: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    ("sans-serif", size)
        .into_font()
        .color(colour)
        .pos(Pos::new(h, v))
}

type Res = Result<(), Box<dyn std::error::Error>>;

/// Draws a line sample of series style `k` from `(x0, y)` to `(x1, y)` on a pixel area.
fn legend_sample(area: &DrawingArea<SVGBackend, Shift>, k: usize, x0: i32, x1: i32, y: i32) -> Res {
    let colour = PALETTE[k % PALETTE.len()];
    let style = colour.stroke_width(3);
    let pts = vec![(x0, y), (x1, y)];
    match series_style(k).1 {
        Dash::Solid => area.draw(&PathElement::new(pts, style))?,
        Dash::Dashed => area.draw(&DashedPathElement::new(pts, 8, 5, style))?,
        Dash::Dotted => area.draw(&DashedPathElement::new(pts, 2, 4, colour.stroke_width(2)))?,
    }
    Ok(())
}

/// Approximate width in pixels of `text` at plotters font size `size` (SVG renders it at
/// `size / 1.24` px; a sans-serif character averages about 0.55 em).
fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * size / 1.24 * 0.56).ceil() as i32
}

/// A chart area of one panel.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A panel's chart, in data coordinates.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Pixel sizes of a figure: a grid of panels under a header, the legend to their right.
struct Layout {
    ncols: usize,
    nrows: usize,
    panel_w: u32,
    header_h: u32,
    legend_w: i32,
    width: u32,
    height: u32,
}

impl Layout {
    fn of(fig: &Figure) -> Layout {
        let n_panels = fig.panels.len().max(1);
        let ncols = fig.columns.unwrap_or(match n_panels {
            1 => 1,
            2 => 2,
            3 => 3,
            4 => 2,
            _ => 3,
        });
        let ncols = ncols.clamp(1, n_panels);
        let nrows = n_panels.div_ceil(ncols);
        let (panel_w, panel_h) = match n_panels {
            1 => (760, 470),
            2 | 3 => (540, 430),
            // Small multiples: smaller panels, so the figure keeps readable text when a page
            // scales it to its width.
            _ => (440, 340),
        };
        let legend_w =
            if fig.legend.is_empty() && fig.band_note.is_none() && fig.observed_note.is_none() {
                0
            } else {
                fig.legend
                    .iter()
                    .map(|(l, _)| l.as_str())
                    .chain(std::iter::once(fig.legend_title.as_str()))
                    .chain(fig.band_note.as_deref())
                    .chain(fig.observed_note.as_deref())
                    .map(|l| text_width(l, LEGEND_FONT) + 62)
                    .max()
                    .unwrap_or(0)
                    .clamp(150, 340)
            };
        let header_h = if fig.subtitle.is_empty() { 50 } else { 74 };
        let width = ncols as u32 * panel_w + legend_w as u32;
        // Tall enough for the legend too (it lists every series, 24 px apart).
        let legend_h = 60
            + 24 * fig.legend.len() as u32
            + if fig.band_note.is_some() { 30 } else { 0 }
            + if fig.observed_note.is_some() { 30 } else { 0 };
        let height = header_h + (nrows as u32 * panel_h).max(legend_h);
        Layout {
            ncols,
            nrows,
            panel_w,
            header_h,
            legend_w,
            width,
            height,
        }
    }
}

/// Draws `fig` into `buf` as an SVG document.
fn draw_figure(fig: &Figure, buf: &mut String) -> Res {
    let lay = Layout::of(fig);
    {
        let root = SVGBackend::with_string(buf, (lay.width, lay.height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (header, body) = root.split_vertically(lay.header_h);
        draw_header(fig, &header, (lay.width as i32 - lay.legend_w) / 2)?;
        let (plots, legend) = body.split_horizontally(lay.ncols as u32 * lay.panel_w);
        let areas = plots.split_evenly((lay.nrows, lay.ncols));
        for (panel, area) in fig.panels.iter().zip(&areas) {
            draw_panel(fig, panel, area)?;
        }
        draw_legend(fig, &legend)?;
        root.present()?;
    }
    Ok(())
}

/// The title and subtitle, centred at `centre` over the panels.
fn draw_header(fig: &Figure, header: &Area, centre: i32) -> Res {
    header.draw(&Text::new(
        fig.title.clone(),
        (centre, 12),
        text_style(TITLE_FONT, &BLACK, HPos::Center, VPos::Top),
    ))?;
    if !fig.subtitle.is_empty() {
        header.draw(&Text::new(
            fig.subtitle.clone(),
            (centre, 44),
            text_style(
                SUBTITLE_FONT,
                &RGBColor(0x55, 0x55, 0x55),
                HPos::Center,
                VPos::Top,
            ),
        ))?;
    }
    Ok(())
}

/// One panel: its caption, axes and grid, then its lines.
fn draw_panel(fig: &Figure, panel: &Panel, area: &Area) -> Res {
    let grid = RGBColor(0xE4, 0xE4, 0xE4);
    let axis = RGBColor(0x44, 0x44, 0x44);
    let mut b = ChartBuilder::on(area);
    b.margin_top(8)
        .margin_right(22)
        .margin_left(8)
        .margin_bottom(14)
        .x_label_area_size(52)
        .y_label_area_size(72);
    if let Some(c) = &panel.caption {
        b.caption(c, ("sans-serif", CAPTION_FONT).into_font());
    }
    let mut chart =
        b.build_cartesian_2d(fig.x_range.0..fig.x_range.1, fig.y_range.0..fig.y_range.1)?;
    let x_fmt = |v: &f64| {
        if fig.x_integer {
            trim_number(*v, 1)
        } else {
            trim_number(*v, 4)
        }
    };
    let y_fmt = |v: &f64| match fig.y_format {
        YFormat::Percent => percent(*v),
        YFormat::Number => trim_number(*v, 4),
    };
    let x_ticks = if fig.x_integer {
        ((fig.x_range.1 - fig.x_range.0).round() as usize + 1).clamp(2, 10)
    } else {
        8
    };
    chart
        .configure_mesh()
        .x_labels(x_ticks)
        .y_labels(8)
        .x_desc(fig.x_label.as_str())
        .y_desc(fig.y_label.as_str())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(("sans-serif", LABEL_FONT).into_font().color(&axis))
        .axis_desc_style(("sans-serif", DESC_FONT).into_font().color(&BLACK))
        .axis_style(axis)
        .bold_line_style(grid)
        .light_line_style(TRANSPARENT)
        .draw()?;
    if let Some(note) = &panel.note {
        let (x0, x1) = fig.x_range;
        let (y0, y1) = fig.y_range;
        chart.draw_series(std::iter::once(Text::new(
            note.clone(),
            (x0 + 0.03 * (x1 - x0), y1 - 0.03 * (y1 - y0)),
            text_style(
                LABEL_FONT,
                &RGBColor(0xA0, 0x3C, 0x00),
                HPos::Left,
                VPos::Top,
            ),
        )))?;
    }
    draw_lines(fig, panel, &mut chart)
}

/// A panel's shaded bands, then its lines (and markers) over them.
fn draw_lines(fig: &Figure, panel: &Panel, chart: &mut Chart) -> Res {
    // Bands get fainter as they get more numerous, so overlaps stay readable (small multiples
    // keep them few: one per arm).
    let bands = panel.lines.iter().filter(|l| !l.band.is_empty()).count();
    let alpha = band_alpha(bands);
    for l in panel.lines.iter().filter(|l| !l.band.is_empty()) {
        let colour = PALETTE[l.style % PALETTE.len()];
        let mut poly: Vec<(f64, f64)> = l.band.iter().map(|&(x, _, hi)| (x, hi)).collect();
        poly.extend(l.band.iter().rev().map(|&(x, lo, _)| (x, lo)));
        chart.draw_series(std::iter::once(Polygon::new(
            poly,
            colour.mix(alpha).filled(),
        )))?;
    }
    for l in &panel.lines {
        let colour = PALETTE[l.style % PALETTE.len()];
        let style = colour.stroke_width(2);
        let pts = l.points.clone();
        match series_style(l.style).1 {
            Dash::Solid => {
                chart.draw_series(LineSeries::new(pts, style))?;
            }
            Dash::Dashed => {
                chart.draw_series(DashedLineSeries::new(pts, 8, 5, style))?;
            }
            Dash::Dotted => {
                chart.draw_series(DashedLineSeries::new(pts, 2, 4, style))?;
            }
        }
        if fig.markers {
            chart.draw_series(l.points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
    }
    if !panel.observed.is_empty() {
        chart.draw_series(panel.observed.iter().map(|&p| {
            EmptyElement::at(p)
                + Circle::new((0, 0), 5, WHITE.filled())
                + Circle::new((0, 0), 4, OBSERVED.filled())
        }))?;
    }
    Ok(())
}

/// Opacity of the shaded bands when a panel has `bands` of them.
fn band_alpha(bands: usize) -> f64 {
    (0.5 / bands.max(1) as f64).clamp(0.12, 0.22)
}

/// The legend, to the right of the panels, aligned with the top of the first panel.
fn draw_legend(fig: &Figure, legend: &Area) -> Res {
    let mut y = 18;
    let x0 = 10;
    if !fig.legend_title.is_empty() {
        legend.draw(&Text::new(
            fig.legend_title.clone(),
            (x0, y),
            ("sans-serif", LEGEND_FONT)
                .into_font()
                .style(FontStyle::Bold)
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += 26;
    }
    for (label, k) in &fig.legend {
        if fig.band_note.is_some() {
            let colour = PALETTE[k % PALETTE.len()];
            legend.draw(&Rectangle::new(
                [(x0, y - 7), (x0 + 36, y + 7)],
                colour.mix(band_alpha(fig.legend.len())).filled(),
            ))?;
        }
        legend_sample(legend, *k, x0, x0 + 36, y)?;
        legend.draw(&Text::new(
            label.clone(),
            (x0 + 44, y),
            text_style(LEGEND_FONT, &BLACK, HPos::Left, VPos::Center),
        ))?;
        y += 24;
    }
    if let Some(note) = &fig.observed_note {
        y += 4;
        legend.draw(&Circle::new((x0 + 18, y), 4, OBSERVED.filled()))?;
        legend.draw(&Text::new(
            note.clone(),
            (x0 + 44, y),
            text_style(LEGEND_FONT, &BLACK, HPos::Left, VPos::Center),
        ))?;
        y += 26;
    }
    if let Some(note) = &fig.band_note {
        y += 4;
        // The bands take their series' colour (shown behind each sample above); with no
        // legend entries (one series per panel) a neutral swatch stands for them.
        if fig.legend.is_empty() {
            legend.draw(&Rectangle::new(
                [(x0, y - 7), (x0 + 36, y + 7)],
                PALETTE[0].mix(band_alpha(1)).filled(),
            ))?;
        }
        legend.draw(&Text::new(
            note.clone(),
            (if fig.legend.is_empty() { x0 + 44 } else { x0 }, y),
            text_style(
                LEGEND_FONT - 2.0,
                &RGBColor(0x55, 0x55, 0x55),
                HPos::Left,
                VPos::Center,
            ),
        ))?;
    }
    Ok(())
}

/// Renders `fig`; if plotters fails (it should not with finite data), returns a small SVG
/// that says so instead, so a run never loses its other outputs over a figure.
pub(super) fn render(fig: &Figure) -> String {
    let mut buf = String::new();
    match draw_figure(fig, &mut buf) {
        Ok(()) => buf,
        Err(e) => {
            let msg = format!("{}: the figure could not be drawn ({e})", fig.title);
            let esc = msg
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!(
                "<svg width=\"640\" height=\"60\" viewBox=\"0 0 640 60\" xmlns=\"http://www.w3.org/2000/svg\">\n<text x=\"10\" y=\"35\" font-family=\"sans-serif\" font-size=\"14\">{esc}</text>\n</svg>\n"
            )
        }
    }
}
