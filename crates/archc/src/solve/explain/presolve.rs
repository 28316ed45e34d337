//! Bound reasoning before any solve: the least and greatest value each row's left side can
//! take when every column ranges over its bounds. A row whose range misses `[lo, hi]`
//! cannot hold whatever the solver does (E0710), and the numbers say why.

use super::groups::root_decls;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::ir::{ColId, DeclKind, Model, RowId, VarKind};
use crate::units::format_number;
use std::collections::BTreeSet;

/// At most this many E0710 diagnostics are returned; the rest are counted in a note.
const MAX_DIAGNOSTICS: usize = 20;

/// The effective bounds of a column (integers rounded inwards, `bool` within `[0, 1]`).
pub fn column_range(model: &Model, col: ColId) -> (f64, f64) {
    let c = model.columns[col.0 as usize];
    match c.kind {
        VarKind::Continuous => (c.lb, c.ub),
        VarKind::Integer => (c.lb.ceil(), c.ub.floor()),
        VarKind::Binary => (c.lb.max(0.0).ceil(), c.ub.min(1.0).floor()),
    }
}

/// The least and greatest activity of a row over the columns' bounds.
pub fn activity_range(model: &Model, row: RowId) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0, 0.0);
    for (c, a) in model.row_entries(row) {
        let (l, u) = column_range(model, c);
        let (at_min, at_max) = if a >= 0.0 { (l, u) } else { (u, l) };
        lo += term(a, at_min);
        hi += term(a, at_max);
    }
    (lo, hi)
}

/// `a * x` with `0 * inf = 0` (a zero coefficient restricts nothing).
fn term(a: f64, x: f64) -> f64 {
    if a == 0.0 {
        0.0
    } else {
        a * x
    }
}

/// A row that cannot hold at any point within the bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Impossible {
    pub row: RowId,
    /// The activity range over the bounds.
    pub min: f64,
    pub max: f64,
}

/// Every row whose activity range misses its sides, in row order.
pub fn impossible_rows(model: &Model) -> Vec<Impossible> {
    let mut out = Vec::new();
    for (i, r) in model.rows.iter().enumerate() {
        let row = RowId(i as u32);
        let (min, max) = activity_range(model, row);
        let tol = |b: f64| 1e-6 * b.abs().max(1.0);
        if (r.lo.is_finite() && max < r.lo - tol(r.lo))
            || (r.hi.is_finite() && min > r.hi + tol(r.hi))
        {
            out.push(Impossible { row, min, max });
        }
    }
    out
}

/// Bound reasoning over every row: one E0710 error per row that cannot hold, at the
/// declaration of its constraint.
pub fn presolve(model: &Model) -> Vec<Diagnostic> {
    let roots = root_decls(model);
    let found = impossible_rows(model);
    let mut out: Vec<Diagnostic> = found
        .iter()
        .take(MAX_DIAGNOSTICS)
        .map(|imp| diagnostic(model, &roots, imp))
        .collect();
    if found.len() > MAX_DIAGNOSTICS {
        if let Some(last) = out.last_mut() {
            last.notes.push(format!(
                "{} more rows cannot hold for the same kind of reason",
                found.len() - MAX_DIAGNOSTICS
            ));
        }
    }
    out
}

fn diagnostic(model: &Model, roots: &[crate::ir::DeclId], imp: &Impossible) -> Diagnostic {
    let r = model.rows[imp.row.0 as usize];
    let root = roots
        .get(r.origin.decl.0 as usize)
        .copied()
        .unwrap_or(r.origin.decl);
    let name = model.origin_name(crate::ir::Origin {
        decl: root,
        tuple: r.origin.tuple,
    });
    let derived = root != r.origin.decl;
    let too_small = r.lo.is_finite() && imp.max < r.lo;
    let entries: Vec<(ColId, f64)> = model.row_entries(imp.row).collect();
    // Which bound each column sits at to get closest to the side.
    let at_upper = entries
        .iter()
        .filter(|&&(_, a)| (a > 0.0) == too_small)
        .count();
    let which = if at_upper == entries.len() {
        "upper"
    } else if at_upper == 0 {
        "lower"
    } else {
        "best"
    };
    let decisions: BTreeSet<crate::ir::DeclId> = entries
        .iter()
        .map(|&(c, _)| model.columns[c.0 as usize].origin.decl)
        .collect();
    let names: Vec<String> = decisions
        .iter()
        .map(|d| format!("`{}`", model.decls[d.0 as usize].name))
        .collect();
    let who = if names.is_empty() {
        "no decision in it".to_string()
    } else {
        format!("every {} at its {which} bound", names.join(" and "))
    };
    let reason = if entries.is_empty() {
        format!(
            "its left side is always 0, outside [{}, {}]",
            format_number(r.lo),
            format_number(r.hi)
        )
    } else if too_small {
        format!(
            "even with {who} the left side reaches at most {} < {}",
            format_number(imp.max),
            format_number(r.lo)
        )
    } else {
        format!(
            "even with {who} the left side is at least {} > {}",
            format_number(imp.min),
            format_number(r.hi)
        )
    };
    let span = model.decls[root.0 as usize].span;
    let mut d = Diagnostic::error(Code::E0710, format!("`{name}` can never hold"))
        .primary(span, format!("{name} cannot hold: {reason}"));
    for decl in &decisions {
        let dd = &model.decls[decl.0 as usize];
        if dd.kind == DeclKind::Decision && dd.span != span {
            d = d.secondary(
                dd.span,
                format!("the bounds of `{}` come from here", dd.name),
            );
        }
    }
    if derived {
        d = d.note(format!(
            "the row is one the compiler derived from `{name}` ({})",
            model.decls[r.origin.decl.0 as usize].note
        ));
    }
    d.note(format!(
        "the row reads {}",
        super::reading::row_reading(model, imp.row)
    ))
    .help("relax the constraint or its data, or widen the bounds of the decisions it uses")
}
