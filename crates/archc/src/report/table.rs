//! Terminal tables for a [`Report`]: status line, objective breakdown, the nonzero values of
//! every decision (as a matrix when it has two small indices), and how full the capacity
//! constraints are.

use super::{DecisionReport, Report};
use crate::units::format_number as format_exact;

/// A number for people: ten significant digits, so that solver round-off does not show.
fn format_number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format_exact(v);
    }
    let digits = 10 - (v.abs().log10().floor() as i32 + 1);
    let r = if digits > 0 {
        let f = 10f64.powi(digits.min(300));
        (v * f).round() / f
    } else {
        v.round()
    };
    format_exact(r)
}
use std::fmt::Write;

/// At most this many lines per decision or constraint group; the rest are summarised.
const MAX_LINES: usize = 40;

fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        format_number(v)
    } else {
        format!("{} {unit}", format_number(v))
    }
}

/// Render the whole report.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = write!(out, "status: {}", r.outcome.name());
    if let Some(g) = r.gap {
        let _ = write!(out, "  gap: {:.4}%", g * 100.0);
    }
    // Bounds tell something only when the plan is not proven optimal.
    if r.outcome != super::ReportStatus::Optimal {
        if let Some(b) = r.primal_bound {
            let _ = write!(out, "  primal bound: {}", format_number(b));
        }
        if let Some(b) = r.dual_bound {
            let _ = write!(out, "  dual bound: {}", format_number(b));
        }
    }
    let _ = writeln!(out, "  solver: {}  time: {} ms", r.solver, r.solve_time_ms);
    let _ = writeln!(out, "backend: {}", r.backend_reason);
    if r.plans.is_empty() {
        let _ = writeln!(
            out,
            "model: {} columns, {} rows, {} nonzeros",
            format_number(r.size.columns as f64),
            format_number(r.size.rows as f64),
            format_number(r.size.nonzeros as f64)
        );
    }
    if let Some(v) = &r.verification {
        let _ = writeln!(
            out,
            "verified: {} (largest row violation {:.1e})",
            if v.ok {
                "every constraint and bound holds"
            } else {
                "VIOLATIONS FOUND"
            },
            v.max_row_violation
        );
    }
    if let Some(o) = &r.objective {
        let sense = match o.sense {
            crate::ir::Sense::Minimize => "minimize",
            crate::ir::Sense::Maximize => "maximize",
        };
        let _ = writeln!(
            out,
            "\n{sense} {} = {}",
            o.name,
            with_unit(o.value, &o.unit)
        );
        if o.terms.len() > 1 {
            let w = o
                .terms
                .iter()
                .map(|t| t.label.chars().count())
                .max()
                .unwrap_or(0)
                .min(60);
            for t in &o.terms {
                let _ = writeln!(out, "  {:<w$}  {}", t.label, with_unit(t.value, &o.unit));
            }
        }
    }
    for d in &r.decisions {
        out.push('\n');
        decision(&mut out, d);
    }
    for (i, p) in r.plans.iter().enumerate() {
        if i >= 12 {
            let _ = writeln!(
                out,
                "\n… {} more plans (use --format json for all)",
                r.plans.len() - i
            );
            break;
        }
        let _ = writeln!(out, "\n{}: cost {}", p.plan, format_number(p.cost));
        let _ = writeln!(
            out,
            "  {:<10} {:>14} {:>10} {:>14}",
            "stage", "state", "decision", "cost"
        );
        for s in &p.stages {
            let state: Vec<String> = s.state.iter().map(|v| v.to_string()).collect();
            let _ = writeln!(
                out,
                "  {:<10} {:>14} {:>10} {:>14}",
                s.stage,
                state.join(","),
                s.decision,
                format_number(s.cost)
            );
        }
        let fin: Vec<String> = p.final_state.iter().map(|v| v.to_string()).collect();
        let _ = writeln!(out, "  {:<10} {:>14}", "end", fin.join(","));
    }
    let caps: Vec<_> = r
        .constraints
        .iter()
        .filter(|c| c.rows.iter().any(|row| row.utilisation.is_some()))
        .collect();
    if !caps.is_empty() {
        let _ = writeln!(out, "\nutilisation (how full each `<=` constraint is):");
        for c in caps {
            let mut rows: Vec<_> = c
                .rows
                .iter()
                .filter(|row| row.utilisation.is_some())
                .collect();
            rows.sort_by(|a, b| {
                b.utilisation
                    .partial_cmp(&a.utilisation)
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            for row in rows.iter().take(MAX_LINES) {
                let name = if row.index.is_empty() {
                    c.name.clone()
                } else {
                    format!("{}[{}]", c.name, row.index.join(", "))
                };
                let u = row.utilisation.unwrap_or(0.0);
                let bar_len = ((u.clamp(0.0, 1.0)) * 20.0).round() as usize;
                let limit = if c.unit.is_empty() {
                    format_number(row.hi.unwrap_or(0.0))
                } else {
                    format!("{} {}", format_number(row.hi.unwrap_or(0.0)), c.unit)
                };
                let _ = writeln!(
                    out,
                    "  {:<28} {:>12} / {:<16} {:>6.1}% {}{}",
                    name,
                    format_number(row.activity),
                    limit,
                    u * 100.0,
                    "█".repeat(bar_len),
                    if row.binding { "  binding" } else { "" }
                );
            }
            if rows.len() > MAX_LINES {
                let _ = writeln!(out, "  … {} more", rows.len() - MAX_LINES);
            }
        }
    }
    out
}

fn decision(out: &mut String, d: &DecisionReport) {
    let unit = if d.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", d.unit)
    };
    let idx = if d.index_names.is_empty() {
        String::new()
    } else {
        format!("[{}]", d.index_names.join(", "))
    };
    let _ = writeln!(
        out,
        "{}{idx}{unit}: {} nonzero of {}",
        d.name,
        d.values.len(),
        d.count
    );
    if d.values.is_empty() {
        return;
    }
    if d.index_names.is_empty() {
        let _ = writeln!(out, "  {}", format_number(d.values[0].value));
        return;
    }
    if d.index_names.len() == 2 {
        let mut rows: Vec<&str> = Vec::new();
        let mut cols: Vec<&str> = Vec::new();
        for v in &d.values {
            if !rows.contains(&v.index[0].as_str()) {
                rows.push(&v.index[0]);
            }
            if !cols.contains(&v.index[1].as_str()) {
                cols.push(&v.index[1]);
            }
        }
        if cols.len() <= 8 && rows.len() <= MAX_LINES {
            let rw = rows
                .iter()
                .map(|r| r.chars().count())
                .max()
                .unwrap_or(0)
                .max(2);
            let cw: Vec<usize> = cols
                .iter()
                .map(|c| {
                    let vals = d
                        .values
                        .iter()
                        .filter(|v| v.index[1] == *c)
                        .map(|v| format_number(v.value).chars().count())
                        .max()
                        .unwrap_or(1);
                    c.chars().count().max(vals)
                })
                .collect();
            let _ = write!(out, "  {:<rw$}", "");
            for (c, w) in cols.iter().zip(&cw) {
                let _ = write!(out, "  {c:>w$}");
            }
            out.push('\n');
            for r in &rows {
                let _ = write!(out, "  {r:<rw$}");
                for (c, w) in cols.iter().zip(&cw) {
                    let v = d
                        .values
                        .iter()
                        .find(|v| v.index[0] == *r && v.index[1] == *c)
                        .map(|v| format_number(v.value))
                        .unwrap_or_else(|| "·".into());
                    let _ = write!(out, "  {v:>w$}");
                }
                out.push('\n');
            }
            return;
        }
    }
    for v in d.values.iter().take(MAX_LINES) {
        let _ = writeln!(
            out,
            "  [{}]  {}",
            v.index.join(", "),
            format_number(v.value)
        );
    }
    if d.values.len() > MAX_LINES {
        let _ = writeln!(
            out,
            "  … {} more (use --format json for all)",
            d.values.len() - MAX_LINES
        );
    }
}
