//! The text report's "provided against required over time": every `>=` constraint with an
//! ordered index (a capacity plan over quarters: `installed[r, q] * per_rack >= demand[r,
//! q]`) shown as two lines per series over the periods — what the plan provides (the row's
//! left side at the plan) and what it must reach (the row's lower bound) — paged by periods
//! to fit the width. The HTML report draws the same rows as lines.

use super::table::{format_number, new_table, right, MAX_SERIES_ROWS};
use super::ConstraintReport;
use comfy_table::Cell;
use rustc_hash::FxHashMap;
use std::fmt::Write;

/// A series: its label, and per period (provided, required) when the period has a row.
type Series = (String, Vec<Option<(f64, f64)>>);

/// One constraint's rows over time: the periods in order, and per series (the labels of
/// the other indices) what is provided and what is required in each period.
struct OverTime {
    periods: Vec<String>,
    series: Vec<Series>,
}

/// The `>=` rows of `c` over its first ordered index, or None when it has no such index or
/// no such row.
fn over_time(c: &ConstraintReport) -> Option<OverTime> {
    let time = c.ordered.iter().position(|&o| o)?;
    let rows: Vec<_> = c
        .rows
        .iter()
        .filter(|row| row.lo.is_some() && row.hi.is_none() && row.index.len() > time)
        .collect();
    if rows.is_empty() {
        return None;
    }
    let mut periods: Vec<String> = Vec::new();
    let mut period_at: FxHashMap<&str, usize> = FxHashMap::default();
    let mut series: Vec<Series> = Vec::new();
    let mut series_at: FxHashMap<String, usize> = FxHashMap::default();
    let mut cells: Vec<(usize, usize, f64, f64)> = Vec::new();
    for row in &rows {
        let period = row.index[time].as_str();
        let p = *period_at.entry(period).or_insert_with(|| {
            periods.push(period.to_string());
            periods.len() - 1
        });
        let key: Vec<&str> = row
            .index
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != time)
            .map(|(_, s)| s.as_str())
            .collect();
        let key = key.join(", ");
        let s = *series_at.entry(key.clone()).or_insert_with(|| {
            series.push((key, Vec::new()));
            series.len() - 1
        });
        cells.push((s, p, row.activity, row.lo.unwrap_or(0.0)));
    }
    for s in &mut series {
        s.1 = vec![None; periods.len()];
    }
    for (s, p, provided, required) in cells {
        series[s].1[p] = Some((provided, required));
    }
    // A series with nothing provided and nothing required says nothing.
    series.retain(|(_, v)| v.iter().flatten().any(|&(a, b)| a != 0.0 || b != 0.0));
    (!series.is_empty()).then_some(OverTime { periods, series })
}

/// The section: one table (or several, paged by periods) per constraint.
pub(super) fn section(out: &mut String, constraints: &[ConstraintReport], width: usize) {
    let tables: Vec<(&ConstraintReport, OverTime)> = constraints
        .iter()
        .filter_map(|c| over_time(c).map(|t| (c, t)))
        .collect();
    if tables.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nprovided against required over time (each `>=` row over ordered periods: its left\n\
         side at the plan, and the bound it must reach):"
    );
    for (c, t) in tables {
        let time = c.ordered.iter().position(|&o| o).unwrap_or(0);
        let others: Vec<&str> = c
            .index_sets
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != time)
            .map(|(_, s)| s.as_str())
            .collect();
        let unit = if c.unit.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.unit)
        };
        let _ = writeln!(out, "{}{unit}:", c.name);
        let shown = &t.series[..t.series.len().min(MAX_SERIES_ROWS)];
        let text = |v: Option<(f64, f64)>, pick: fn((f64, f64)) -> f64| {
            v.map_or("·".to_string(), |v| format_number(pick(v)))
        };
        // Columns of periods per page: as many as fit beside the labels.
        let cell = t
            .periods
            .iter()
            .map(String::len)
            .chain(shown.iter().flat_map(|(_, v)| {
                v.iter()
                    .flat_map(|&x| [text(x, |p| p.0).len(), text(x, |p| p.1).len()])
            }))
            .max()
            .unwrap_or(1)
            + 3;
        let key_width = shown
            .iter()
            .map(|(k, _)| k.len())
            .chain([others.join(", ").len()])
            .max()
            .unwrap_or(0)
            + 3;
        let per_page = (width.saturating_sub(key_width + "required".len() + 6) / cell).max(1);
        let pages: Vec<(usize, usize)> = (0..t.periods.len())
            .step_by(per_page)
            .map(|a| (a, (a + per_page).min(t.periods.len())))
            .collect();
        for (a, b) in pages {
            let mut table = new_table(width);
            let mut head = Vec::new();
            if !others.is_empty() {
                head.push(Cell::new(others.join(", ")));
            }
            head.push(Cell::new(""));
            head.extend(t.periods[a..b].iter().map(|p| right(p.clone())));
            table.set_header(head);
            for (key, values) in shown {
                for (label, pick) in [
                    ("provided", (|p: (f64, f64)| p.0) as fn((f64, f64)) -> f64),
                    ("required", |p: (f64, f64)| p.1),
                ] {
                    let mut line = Vec::new();
                    if !others.is_empty() {
                        line.push(Cell::new(if label == "provided" {
                            key.as_str()
                        } else {
                            ""
                        }));
                    }
                    line.push(Cell::new(label));
                    line.extend(values[a..b].iter().map(|&v| right(text(v, pick))));
                    table.add_row(line);
                }
            }
            let _ = writeln!(out, "{table}");
        }
        if t.series.len() > shown.len() {
            let _ = writeln!(
                out,
                "  … {} more series (--format json lists every row)",
                t.series.len() - shown.len()
            );
        }
    }
}
