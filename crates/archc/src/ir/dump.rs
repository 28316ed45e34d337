//! A readable text dump of the IR (`archc emit --ir`), stable for snapshots.

use super::*;
use std::fmt::Write;

/// Every column, row and the objective, one per line, with origins.
pub fn dump(model: &Model) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "columns: {}  rows: {}  nonzeros: {}",
        model.num_columns(),
        model.num_rows(),
        model.num_nonzeros()
    );
    for (i, c) in model.columns.iter().enumerate() {
        let kind = match c.kind {
            VarKind::Continuous => "real",
            VarKind::Integer => "int",
            VarKind::Binary => "bool",
        };
        let _ = writeln!(
            out,
            "col {i:>4} {} : {kind} [{}, {}]",
            model.column_name(ColId(i as u32)),
            fmt_num(c.lb),
            fmt_num(c.ub)
        );
    }
    for i in 0..model.num_rows() {
        let r = model.rows[i];
        let mut terms = String::new();
        for (c, v) in model.row_entries(RowId(i as u32)) {
            let sign = if v < 0.0 { " - " } else { " + " };
            let _ = write!(terms, "{sign}{} {}", fmt_num(v.abs()), model.column_name(c));
        }
        let terms = terms.trim_start_matches(" + ").to_string();
        let _ = writeln!(
            out,
            "row {i:>4} {} : {} <= {} <= {}",
            model.row_name(RowId(i as u32)),
            fmt_num(r.lo),
            if terms.is_empty() {
                "0".to_string()
            } else {
                terms
            },
            fmt_num(r.hi)
        );
    }
    if let Some(obj) = &model.objective {
        let sense = match obj.sense {
            Sense::Minimize => "minimize",
            Sense::Maximize => "maximize",
        };
        let _ = writeln!(out, "{sense} {}:", obj.name);
        for t in &obj.terms {
            let mut terms = String::new();
            for &(c, v) in &t.coefs {
                let sign = if v < 0.0 { " - " } else { " + " };
                let _ = write!(terms, "{sign}{} {}", fmt_num(v.abs()), model.column_name(c));
            }
            let _ = writeln!(out, "  term {}: {}{}", t.label, fmt_num(t.constant), terms);
        }
    }
    out
}

/// Shortest round-trip text of a float; `inf`/`-inf` for infinities.
pub fn fmt_num(v: f64) -> String {
    if v == f64::INFINITY {
        "inf".into()
    } else if v == f64::NEG_INFINITY {
        "-inf".into()
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let mut b = ryu::Buffer::new();
        b.format(v).to_string()
    }
}
