//! The plots of the HTML report, drawn by plotters' SVG backend into strings: bar charts,
//! heat maps, lines over ordered periods and the network. Each chart draws its marks with
//! one SVG element per mark (a `<rect>` per bar or cell, a `<polyline>` per line or link, a
//! `<circle>` per node) and nothing else of those kinds (no background, no plotters legend:
//! legends are HTML), so that the page's marks can be counted. Lines are the only
//! polylines two pixels wide (axes and ticks are one pixel wide).

use super::super::describe::Topology;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const WIDTH: u32 = 960;
const HEIGHT: u32 = 380;
const FONT: &str = "sans-serif";

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// The colour of series `i`, cycling through a palette readable on white.
pub fn series_color(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 10] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    PALETTE[i % PALETTE.len()]
}

/// `#rrggbb` of a colour, for HTML legends.
pub fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Green below 70%, amber to 90%, red above: the colour of a utilisation.
pub fn utilisation_color(u: f64) -> RGBColor {
    if u >= 0.9 {
        RGBColor(214, 39, 40)
    } else if u >= 0.7 {
        RGBColor(240, 160, 20)
    } else {
        RGBColor(44, 160, 44)
    }
}

/// White to dark blue, for a share `t` from 0 to 1.
fn heat_color(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(247.0, 8.0), mix(251.0, 48.0), mix(255.0, 107.0))
}

/// A y range that holds every value and zero, with some room above.
fn y_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo < 1e-12 {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.08;
    (if lo < 0.0 { lo - pad } else { lo })..(hi + pad)
}

/// Label text for axis `labels` at a segment, shortened to `max` characters.
fn label_of(labels: &[String], v: &SegmentValue<i32>, max: usize) -> String {
    match v {
        SegmentValue::CenterOf(i) => labels
            .get(*i as usize)
            .map(|l| {
                if l.chars().count() > max {
                    let s: String = l.chars().take(max - 1).collect();
                    format!("{s}…")
                } else {
                    l.clone()
                }
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    svg_sized(WIDTH, HEIGHT, draw)
}

fn svg_sized(
    w: u32,
    h: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// One bar per label; `colors` gives each bar's colour (one colour for all when empty).
pub fn bar_chart(
    y_desc: &str,
    labels: &[String],
    values: &[f64],
    colors: &[RGBColor],
    y_max: Option<f64>,
) -> Result<String, String> {
    let n = labels.len().max(1) as i32;
    let mut range = y_range(values.iter().copied());
    if let Some(m) = y_max {
        range.end = range.end.max(m);
    }
    let rotate = labels.len() > 12;
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(if rotate { 110 } else { 40 })
            .y_label_area_size(80)
            .build_cartesian_2d((0..n - 1).into_segmented(), range.clone())
            .map_err(err)?;
        let style = tick_font(rotate);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(labels.len().max(1))
            .x_label_style(style)
            .x_label_formatter(&|v| label_of(labels, v, 18))
            .y_label_formatter(&|v| super::format_number(*v))
            .light_line_style(TRANSPARENT)
            .y_desc(y_desc)
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, &v)| {
                let c = colors
                    .get(i)
                    .or(colors.first())
                    .copied()
                    .unwrap_or(series_color(0));
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i as i32), 0.0),
                        (SegmentValue::Exact(i as i32 + 1), v),
                    ],
                    c.filled(),
                );
                bar.set_margin(0, 0, 3, 3);
                bar
            }))
            .map_err(err)?;
        Ok(())
    })
}

/// A heat map: one cell per `(row, column, value)`, darker for larger values.
pub fn heat_map(
    rows: &[String],
    cols: &[String],
    cells: &[(usize, usize, f64)],
) -> Result<String, String> {
    let max = cells
        .iter()
        .map(|c| c.2.abs())
        .fold(0.0f64, f64::max)
        .max(1e-12);
    let height = (rows.len() as u32 * 22 + 150).clamp(200, 1400);
    let rotate = cols.len() > 8;
    svg_sized(WIDTH, height, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(if rotate { 110 } else { 40 })
            .y_label_area_size(140)
            .build_cartesian_2d(
                (0..cols.len().max(1) as i32 - 1).into_segmented(),
                (0..rows.len().max(1) as i32 - 1).into_segmented(),
            )
            .map_err(err)?;
        let style = tick_font(rotate);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(cols.len().max(1))
            .y_labels(rows.len().max(1))
            .x_label_style(style)
            .x_label_formatter(&|v| label_of(cols, v, 18))
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => {
                    label_of(rows, &SegmentValue::CenterOf(rows.len() as i32 - 1 - i), 22)
                }
                _ => String::new(),
            })
            .draw()
            .map_err(err)?;
        // The first row on top.
        let top = rows.len().max(1) as i32 - 1;
        chart
            .draw_series(cells.iter().map(|&(r, c, v)| {
                let (r, c) = (top - r as i32, c as i32);
                Rectangle::new(
                    [
                        (SegmentValue::Exact(c), SegmentValue::Exact(r)),
                        (SegmentValue::Exact(c + 1), SegmentValue::Exact(r + 1)),
                    ],
                    heat_color(v.abs() / max).filled(),
                )
            }))
            .map_err(err)?;
        // Values written in the cells while they are few enough to read.
        if cells.len() <= 400 {
            chart
                .draw_series(cells.iter().filter(|c| c.2 != 0.0).map(|&(r, c, v)| {
                    let dark = v.abs() / max > 0.55;
                    let color = if dark { WHITE } else { BLACK };
                    Text::new(
                        super::format_number(v),
                        (
                            SegmentValue::CenterOf(c as i32),
                            SegmentValue::CenterOf(top - r as i32),
                        ),
                        (FONT, 11)
                            .into_font()
                            .color(&color)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )
                }))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// The font of axis tick labels, turned upright when there are too many to fit side by side.
fn tick_font(rotate: bool) -> FontDesc<'static> {
    let font = (FONT, 12).into_font();
    if rotate {
        font.transform(FontTransform::Rotate90)
    } else {
        font
    }
}

/// Lines over an ordered axis: one `<polyline>` per series; a series skips the points it
/// has no value for.
pub fn line_chart(
    y_desc: &str,
    x_labels: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> Result<String, String> {
    let range = y_range(series.iter().flat_map(|s| s.1.iter().flatten().copied()));
    let n = x_labels.len().max(1) as i32;
    let rotate = x_labels.len() > 12;
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(if rotate { 90 } else { 40 })
            .y_label_area_size(80)
            .build_cartesian_2d((0..n - 1).into_segmented(), range.clone())
            .map_err(err)?;
        let style = tick_font(rotate);
        chart
            .configure_mesh()
            .x_labels(x_labels.len().max(1))
            .x_label_style(style)
            .x_label_formatter(&|v| label_of(x_labels, v, 14))
            .y_label_formatter(&|v| super::format_number(*v))
            .light_line_style(TRANSPARENT)
            .y_desc(y_desc)
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(err)?;
        for (i, (_, points)) in series.iter().enumerate() {
            let line: Vec<(SegmentValue<i32>, f64)> = points
                .iter()
                .enumerate()
                .filter_map(|(x, v)| Some((SegmentValue::CenterOf(x as i32), (*v)?)))
                .collect();
            chart
                .draw_series(LineSeries::new(line, series_color(i).stroke_width(2)))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// Lines over an ordered axis against their bounds: each series of `provided` two pixels
/// wide, the matching series of `required` one pixel wide in the same colour.
pub fn bound_chart(
    y_desc: &str,
    x_labels: &[String],
    provided: &[(String, Vec<Option<f64>>)],
    required: &[(String, Vec<Option<f64>>)],
) -> Result<String, String> {
    let range = y_range(
        provided
            .iter()
            .chain(required)
            .flat_map(|s| s.1.iter().flatten().copied()),
    );
    let n = x_labels.len().max(1) as i32;
    let rotate = x_labels.len() > 12;
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(if rotate { 90 } else { 40 })
            .y_label_area_size(80)
            .build_cartesian_2d((0..n - 1).into_segmented(), range.clone())
            .map_err(err)?;
        let style = tick_font(rotate);
        chart
            .configure_mesh()
            .x_labels(x_labels.len().max(1))
            .x_label_style(style)
            .x_label_formatter(&|v| label_of(x_labels, v, 14))
            .y_label_formatter(&|v| super::format_number(*v))
            .light_line_style(TRANSPARENT)
            .y_desc(y_desc)
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(err)?;
        let points = |s: &[Option<f64>]| -> Vec<(SegmentValue<i32>, f64)> {
            s.iter()
                .enumerate()
                .filter_map(|(x, v)| Some((SegmentValue::CenterOf(x as i32), (*v)?)))
                .collect()
        };
        for (i, ((_, p), (_, r))) in provided.iter().zip(required).enumerate() {
            let color = series_color(i);
            chart
                .draw_series(LineSeries::new(points(r), color.mix(0.6).stroke_width(1)))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(points(p), color.stroke_width(2)))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// Whether the network is drawn on a map: when at least half of its nodes have
/// coordinates (the others are placed among their neighbours, see [`node_points`]).
pub fn geo_layout(t: &Topology) -> bool {
    let located = t.nodes.iter().filter(|n| n.coordinates.is_some()).count();
    located > 0 && 2 * located >= t.nodes.len()
}

/// Where each node is drawn, as (x, y). On a map ([`geo_layout`]), a node sits at its
/// longitude and latitude; a node without coordinates (a junction) at the mean position of
/// its located neighbours, or of every located node when none of its neighbours is.
/// Otherwise the nodes go on a circle.
fn node_points(t: &Topology) -> Vec<(f64, f64)> {
    let n = t.nodes.len().max(1);
    if !geo_layout(t) {
        return (0..t.nodes.len())
            .map(|i| {
                let a = std::f64::consts::TAU * i as f64 / n as f64;
                (a.cos(), a.sin())
            })
            .collect();
    }
    let at = |i: usize| t.nodes[i].coordinates.map(|(lat, lon)| (lon, lat));
    let mean = |ps: &mut dyn Iterator<Item = (f64, f64)>| {
        let (mut sx, mut sy, mut k) = (0.0, 0.0, 0usize);
        for (x, y) in ps {
            sx += x;
            sy += y;
            k += 1;
        }
        (k > 0).then(|| (sx / k as f64, sy / k as f64))
    };
    let everywhere = mean(&mut (0..t.nodes.len()).filter_map(at)).unwrap_or((0.0, 0.0));
    (0..t.nodes.len())
        .map(|i| {
            at(i).unwrap_or_else(|| {
                let mut around = t.links.iter().filter_map(|l| {
                    let other = if l.src == i {
                        l.dst
                    } else if l.dst == i {
                        l.src
                    } else {
                        return None;
                    };
                    at(other)
                });
                mean(&mut around).unwrap_or(everywhere)
            })
        })
        .collect()
}

/// The network: a `<circle>` per node, a `<polyline>` per link coloured by its utilisation
/// (grey when unknown). Nodes sit at their longitude and latitude when at least half of them
/// have coordinates ([`node_points`]), on a circle otherwise. The two directions of a link
/// are drawn side by side.
pub fn topology_chart(t: &Topology) -> Result<String, String> {
    let points = node_points(t);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in &points {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if points.is_empty() {
        (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
    }
    let (dx, dy) = ((x1 - x0).max(1e-6), (y1 - y0).max(1e-6));
    let (x0, x1, y0, y1) = (x0 - dx * 0.08, x1 + dx * 0.08, y0 - dy * 0.1, y1 + dy * 0.1);
    let (dx, dy) = (x1 - x0, y1 - y0);
    svg_sized(WIDTH, 520, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .draw_series(t.links.iter().map(|l| {
                let (a, b) = (points[l.src], points[l.dst]);
                // Shift each direction to its own side of the straight line.
                let (vx, vy) = ((b.0 - a.0) / dx, (b.1 - a.1) / dy);
                let len = (vx * vx + vy * vy).sqrt().max(1e-9);
                let (ox, oy) = (-vy / len * 0.006 * dx, vx / len * 0.006 * dy);
                let color = l
                    .utilisation
                    .map(utilisation_color)
                    .unwrap_or(RGBColor(170, 170, 170));
                PathElement::new(
                    vec![(a.0 + ox, a.1 + oy), (b.0 + ox, b.1 + oy)],
                    color.stroke_width(3),
                )
            }))
            .map_err(err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 6, RGBColor(40, 40, 40).filled())),
            )
            .map_err(err)?;
        chart
            .draw_series(t.nodes.iter().zip(&points).map(|(node, &(x, y))| {
                Text::new(
                    node.name.clone(),
                    (x + dx * 0.01, y + dy * 0.02),
                    (FONT, 13).into_font(),
                )
            }))
            .map_err(err)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::describe::{Link, Node};

    fn x_of_circles(svg: &str) -> Vec<f64> {
        svg.split("<circle ")
            .skip(1)
            .map(|tag| {
                let v = &tag[tag.find("cx=\"").expect("cx") + 4..];
                v[..v.find('"').expect("quote")].parse().expect("number")
            })
            .collect()
    }

    fn network(coordinates: [Option<(f64, f64)>; 3]) -> Topology {
        let names = ["west", "middle", "east"];
        Topology {
            link_set: "links".into(),
            nodes: names
                .iter()
                .zip(coordinates)
                .map(|(n, c)| Node {
                    name: n.to_string(),
                    coordinates: c,
                })
                .collect(),
            links: vec![
                Link {
                    name: "west->east".into(),
                    src: 0,
                    dst: 2,
                    utilisation: Some(0.95),
                },
                Link {
                    name: "east->middle".into(),
                    src: 2,
                    dst: 1,
                    utilisation: None,
                },
            ],
            utilisation_of: Some("capacity".into()),
        }
    }

    #[test]
    fn nodes_are_placed_by_longitude_when_every_node_has_coordinates() {
        // Longitudes -120, -90, -75: west to east.
        let t = network([
            Some((37.0, -120.0)),
            Some((41.0, -90.0)),
            Some((40.0, -75.0)),
        ]);
        let svg = topology_chart(&t).expect("drawn");
        let xs = x_of_circles(&svg);
        assert_eq!(xs.len(), 3);
        assert!(xs[0] < xs[1] && xs[1] < xs[2], "{xs:?}");
        // (-90 - -120) / (-75 - -120) of the way across: two thirds.
        let share = (xs[1] - xs[0]) / (xs[2] - xs[0]);
        assert!((share - 30.0 / 45.0).abs() < 0.02, "{share}");
        assert_eq!(svg.matches("<polyline ").count(), 2);
        // The full link is red, the one without a capacity row grey.
        assert!(svg.contains("#D62728"), "{svg}");
        assert!(svg.contains("#AAAAAA"), "{svg}");
    }

    #[test]
    fn nodes_without_coordinates_sit_on_a_circle() {
        let t = network([None, None, Some((40.0, -75.0))]);
        let xs = x_of_circles(&topology_chart(&t).expect("drawn"));
        // On a circle, node 0 (angle 0) is the rightmost.
        assert!(xs[0] > xs[1] && xs[0] > xs[2], "{xs:?}");
    }

    #[test]
    fn a_junction_without_coordinates_sits_among_its_neighbours() {
        // `middle` has no coordinates; its one neighbour is `east` (link east->middle).
        let t = network([Some((37.0, -120.0)), None, Some((40.0, -75.0))]);
        assert!(geo_layout(&t));
        let xs = x_of_circles(&topology_chart(&t).expect("drawn"));
        assert!(xs[0] < xs[2], "still a map: {xs:?}");
        assert!((xs[1] - xs[2]).abs() < 1e-6, "at its neighbour: {xs:?}");
    }

    #[test]
    fn every_cell_and_bar_is_one_rect() {
        let cells = [(0, 0, 1.0), (0, 1, 0.0), (1, 0, 3.0), (1, 1, 2.0)];
        let svg =
            heat_map(&["a".into(), "b".into()], &["x".into(), "y".into()], &cells).expect("drawn");
        assert_eq!(svg.matches("<rect ").count(), 4);
        let labels: Vec<String> = (0..7).map(|i| format!("r{i}")).collect();
        let values = [0.0, 1.0, -2.0, 3.5, 0.2, 9.0, 1e6];
        let svg = bar_chart("v", &labels, &values, &[], None).expect("drawn");
        assert_eq!(svg.matches("<rect ").count(), 7);
    }
}
