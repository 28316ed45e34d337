//! The text report's "provided against required over time": every `>=` constraint with an
//! ordered index (a capacity plan over quarters: `installed[r, q] * per_rack >= demand[r,
//! q]`) shown as two lines per series over the periods — what the plan provides (the row's
//! left side at the plan) and what it must reach (the row's lower bound) — paged by periods
//! to fit the width, the weightiest series first cut. The HTML report draws the same rows as lines: both take them from
//! [`super::over_time`].

use super::over_time::{over_time, Bound};
use super::table::{format_number, new_table, right, MAX_SERIES_ROWS};
use super::ConstraintReport;
use comfy_table::Cell;
use std::fmt::Write;

/// The section: one table (or several, paged by periods) per constraint.
pub(super) fn section(out: &mut String, constraints: &[ConstraintReport], width: usize) {
    let tables: Vec<_> = constraints
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
        let time = t.time;
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
        let shown = t.largest(MAX_SERIES_ROWS);
        let text = |v: Option<Bound>, pick: fn(Bound) -> f64| {
            v.map_or("·".to_string(), |v| format_number(pick(v)))
        };
        // Columns of periods per page: as many as fit beside the labels.
        let cell = t
            .periods
            .iter()
            .map(String::len)
            .chain(shown.iter().flat_map(|s| {
                s.points
                    .iter()
                    .flat_map(|&x| [text(x, |b| b.provided).len(), text(x, |b| b.required).len()])
            }))
            .max()
            .unwrap_or(1)
            + 3;
        let key_width = shown
            .iter()
            .map(|s| s.key.len())
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
            for s in &shown {
                for (label, pick) in [
                    ("provided", (|b: Bound| b.provided) as fn(Bound) -> f64),
                    ("required", |b: Bound| b.required),
                ] {
                    let mut line = Vec::new();
                    if !others.is_empty() {
                        line.push(Cell::new(if label == "provided" {
                            s.key.as_str()
                        } else {
                            ""
                        }));
                    }
                    line.push(Cell::new(label));
                    line.extend(s.points[a..b].iter().map(|&v| right(text(v, pick))));
                    table.add_row(line);
                }
            }
            let _ = writeln!(out, "{table}");
        }
        if t.series.len() > shown.len() {
            let _ = writeln!(
                out,
                "  … {} smaller series left out (--format json lists every row)",
                t.series.len() - shown.len()
            );
        }
    }
}
