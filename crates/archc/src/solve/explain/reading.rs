//! Rows and bounds read back in source terms, with the data filled in:
//! `spread[ledger-eu]: present[ledger-eu, eu-central] >= 2`. Numbers are the row's own
//! (after instantiation: data substituted, constants moved to the right-hand side).

use super::groups::{Instance, Side};
use crate::ir::{ColId, Model, RowId};
use crate::units::format_number;

/// Terms shown per row before the rest is summarised.
const MAX_TERMS: usize = 6;
/// Rows shown per instance.
const MAX_ROWS: usize = 2;

/// The left side of a row: `16 replicas[checkout, us-east] - present[a, b] + …`.
pub fn row_terms(model: &Model, row: RowId) -> String {
    let entries: Vec<(ColId, f64)> = model.row_entries(row).collect();
    let mut out = String::new();
    for (k, &(c, v)) in entries.iter().take(MAX_TERMS).enumerate() {
        let name = model.column_name(c);
        let mag = v.abs();
        let coef = if mag == 1.0 {
            String::new()
        } else {
            format!("{} ", format_number(mag))
        };
        match (k, v < 0.0) {
            (0, false) => out.push_str(&format!("{coef}{name}")),
            (0, true) => out.push_str(&format!("-{coef}{name}")),
            (_, false) => out.push_str(&format!(" + {coef}{name}")),
            (_, true) => out.push_str(&format!(" - {coef}{name}")),
        }
    }
    if entries.len() > MAX_TERMS {
        let more = entries.len() - MAX_TERMS;
        let noun = if more == 1 { "term" } else { "terms" };
        out.push_str(&format!(" + … ({more} more {noun})"));
    }
    if out.is_empty() {
        out.push('0');
    }
    out
}

/// A whole row: `terms >= lo`, `terms <= hi`, `terms == v` or `lo <= terms <= hi`.
pub fn row_reading(model: &Model, row: RowId) -> String {
    let r = model.rows[row.0 as usize];
    let terms = row_terms(model, row);
    let (lo, hi) = (r.lo.is_finite(), r.hi.is_finite());
    match (lo, hi) {
        (true, true) if r.lo == r.hi => format!("{terms} == {}", format_number(r.lo)),
        (true, true) => format!(
            "{} <= {terms} <= {}",
            format_number(r.lo),
            format_number(r.hi)
        ),
        (true, false) => format!("{terms} >= {}", format_number(r.lo)),
        (false, true) => format!("{terms} <= {}", format_number(r.hi)),
        (false, false) => format!("{terms} is free"),
    }
}

/// An instance: its name, then its source rows (or, when the compiler derived every row,
/// the derived ones), `; `-separated.
pub fn instance_reading(model: &Model, inst: &Instance) -> String {
    let shown: &[RowId] = if inst.source_rows > 0 {
        &inst.rows[..inst.source_rows]
    } else {
        &inst.rows
    };
    let mut parts: Vec<String> = shown
        .iter()
        .take(MAX_ROWS)
        .map(|&r| row_reading(model, r))
        .collect();
    if shown.len() > MAX_ROWS {
        parts.push(format!("… ({} more rows)", shown.len() - MAX_ROWS));
    }
    if inst.source_rows == 0 && !inst.rows.is_empty() {
        format!("{} (as lowered): {}", inst.name, parts.join("; "))
    } else {
        format!("{}: {}", inst.name, parts.join("; "))
    }
}

/// A decision bound: `replicas[checkout, us-east] <= 120`.
pub fn bound_reading(model: &Model, col: ColId, side: Side) -> String {
    let c = model.columns[col.0 as usize];
    let unit = &model.decls[c.origin.decl.0 as usize].unit;
    let (op, v) = match side {
        Side::Lower => (">=", c.lb),
        Side::Upper => ("<=", c.ub),
    };
    format!(
        "{} {op} {}",
        model.column_name(col),
        crate::units::format_quantity(v, unit)
    )
}
