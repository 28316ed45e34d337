//! Verification of solutions against the instantiated model, independent of the solver.
//!
//! Runs after a backend returns values and before anything is reported: every row activity
//! is recomputed from the CSR storage of the IR, every column is checked against its bounds
//! and, for integer and binary columns, against integrality. Nothing the solver says about
//! feasibility or the objective is trusted. A NaN or infinite value, or an objective that is
//! not finite, is a violation too. A failure becomes diagnostic E0702, placed on the
//! declaration of the first violated row or column.

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::ir::{ColId, Model, Origin, RowId, VarKind};

/// At most this many violations are kept with messages; the rest are only counted.
pub const MAX_REPORTED: usize = 1000;

/// How far a solution may be off and still count as satisfying the model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    /// A row or bound `a <= b` holds when `a - b <= feasibility * max(1, |b|)`.
    pub feasibility: f64,
    /// An integer column holds when its distance to the nearest integer is at most this.
    pub integrality: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            feasibility: 1e-6,
            integrality: 1e-6,
        }
    }
}

/// What is violated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    /// A row's activity lies outside `[lo, hi]`.
    Row(RowId),
    /// A column's value lies outside its bounds (`[0, 1]` for binaries too).
    Bound(ColId),
    /// An integer or binary column has a fractional value.
    Integrality(ColId),
    /// The solution does not have one value per column.
    WrongLength,
    /// A column's value is NaN or infinite.
    NonFinite(ColId),
    /// The objective recomputed from the values is NaN or infinite.
    Objective,
    /// The model counts less for `moves(x, was)` or `changed(x, was)` (the index into
    /// [`Model::movements`]) than the plan moved, recomputed from the current values.
    Movement(usize),
}

/// One violation found by [`verify`].
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub kind: ViolationKind,
    /// By how much (absolute, in the row's or column's own unit); infinite for a NaN.
    pub amount: f64,
    /// A sentence naming the row or column in source terms (`fit[eu-west]`).
    pub message: String,
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, PartialEq)]
pub struct VerifyReport {
    /// The violations, in model order (rows, then bounds and integrality per column), at
    /// most [`MAX_REPORTED`] of them.
    pub violations: Vec<Violation>,
    /// Violations found beyond [`MAX_REPORTED`].
    pub omitted: usize,
    /// The objective recomputed from the IR, constants included (NaN for a wrong length).
    pub objective: f64,
    /// The largest absolute row violation, within tolerance or not (0 when all rows hold).
    pub max_row_violation: f64,
}

/// The objective value of `values` computed from the IR's terms and constants.
/// Values beyond the end of `values` count as 0.
pub fn objective_value(model: &Model, values: &[f64]) -> f64 {
    let Some(obj) = &model.objective else {
        return 0.0;
    };
    let mut total = 0.0;
    for term in &obj.terms {
        total += term.constant;
        for &(c, v) in &term.coefs {
            total += v * values.get(c.0 as usize).copied().unwrap_or(0.0);
        }
    }
    total
}

fn unit_suffix(model: &Model, origin: Origin) -> String {
    match model.decls.get(origin.decl.0 as usize) {
        Some(d) if !d.unit.is_empty() => format!(" {}", d.unit),
        _ => String::new(),
    }
}

/// How far `x` lies outside `[lo, hi]` (0 inside, infinite for NaN), and whether that is
/// beyond the tolerance.
fn excess(x: f64, lo: f64, hi: f64, tol: f64) -> (f64, bool) {
    if x.is_nan() {
        return (f64::INFINITY, true);
    }
    if x < lo {
        let a = lo - x;
        (a, a > tol * lo.abs().max(1.0))
    } else if x > hi {
        let a = x - hi;
        (a, a > tol * hi.abs().max(1.0))
    } else {
        (0.0, false)
    }
}

struct Collector {
    violations: Vec<Violation>,
    omitted: usize,
}

impl Collector {
    fn push(&mut self, kind: ViolationKind, amount: f64, message: impl FnOnce() -> String) {
        if self.violations.len() < MAX_REPORTED {
            self.violations.push(Violation {
                kind,
                amount,
                message: message(),
            });
        } else {
            self.omitted += 1;
        }
    }
}

/// Check `values` (one per column) against every row, bound and integrality requirement.
pub fn verify(model: &Model, values: &[f64], tol: &Tolerances) -> VerifyReport {
    let mut out = Collector {
        violations: Vec::new(),
        omitted: 0,
    };
    if values.len() != model.num_columns() {
        out.push(ViolationKind::WrongLength, f64::INFINITY, || {
            format!(
                "the solution has {} values, but the model has {} columns",
                values.len(),
                model.num_columns()
            )
        });
        return VerifyReport {
            violations: out.violations,
            omitted: 0,
            objective: f64::NAN,
            max_row_violation: f64::INFINITY,
        };
    }

    let mut max_row_violation: f64 = 0.0;
    for (i, row) in model.rows.iter().enumerate() {
        let (a, b) = (model.row_start[i], model.row_start[i + 1]);
        let activity: f64 = model.row_cols[a..b]
            .iter()
            .zip(&model.row_vals[a..b])
            .map(|(c, v)| v * values.get(c.0 as usize).copied().unwrap_or(f64::NAN))
            .sum();
        let (amount, violated) = excess(activity, row.lo, row.hi, tol.feasibility);
        max_row_violation = max_row_violation.max(amount);
        if violated {
            let id = RowId(i as u32);
            out.push(ViolationKind::Row(id), amount, || {
                let unit = unit_suffix(model, row.origin);
                let (side, bound) = if activity < row.lo {
                    (">=", row.lo)
                } else {
                    ("<=", row.hi)
                };
                format!(
                    "`{}` needs {side} {bound}{unit}, but the solution gives {activity}{unit} (off by {amount}{unit})",
                    model.row_name(id)
                )
            });
        }
    }

    for (j, col) in model.columns.iter().enumerate() {
        let x = values[j];
        let id = ColId(j as u32);
        if !x.is_finite() {
            // Inside `[0, inf]` an infinite value passes the bound test; it is no answer.
            out.push(ViolationKind::NonFinite(id), f64::INFINITY, || {
                format!("`{}` = {x} is not a finite number", model.column_name(id))
            });
            continue;
        }
        let (lb, ub) = match col.kind {
            VarKind::Binary => (col.lb.max(0.0), col.ub.min(1.0)),
            _ => (col.lb, col.ub),
        };
        let (amount, violated) = excess(x, lb, ub, tol.feasibility);
        if violated {
            out.push(ViolationKind::Bound(id), amount, || {
                let unit = unit_suffix(model, col.origin);
                format!(
                    "`{}` = {x}{unit} lies outside its bounds [{lb}, {ub}]{unit}",
                    model.column_name(id)
                )
            });
        }
        if col.kind != VarKind::Continuous && x.is_finite() {
            let frac = (x - x.round()).abs();
            if frac > tol.integrality {
                out.push(ViolationKind::Integrality(id), frac, || {
                    format!("`{}` = {x} must be a whole number", model.column_name(id))
                });
            }
        }
    }

    if values.len() == model.num_columns() {
        for (i, m) in model.movements.iter().enumerate() {
            let (actual, counted) = (m.actual(values), m.counted(values));
            let amount = actual - counted;
            if amount > tol.feasibility * actual.abs().max(1.0) {
                out.push(ViolationKind::Movement(i), amount, || {
                    format!(
                        "the plan moves {actual} by `{}`, and the model counts {counted}",
                        m.label
                    )
                });
            }
        }
    }
    let objective = objective_value(model, values);
    if !objective.is_finite() {
        out.push(ViolationKind::Objective, f64::INFINITY, || {
            format!("the objective evaluates to {objective}, not a finite number")
        });
    }
    VerifyReport {
        violations: out.violations,
        omitted: out.omitted,
        objective,
        max_row_violation,
    }
}

impl VerifyReport {
    /// True when nothing is violated.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty() && self.omitted == 0
    }

    /// How many violations were found in all.
    pub fn total(&self) -> usize {
        self.violations.len() + self.omitted
    }

    /// Diagnostic E0702 for a failed verification, on the declaration of the first violated
    /// row or column; `None` when the solution holds.
    pub fn to_diagnostic(&self, model: &Model) -> Option<Diagnostic> {
        let first = self.violations.first()?;
        let what = match first.kind {
            ViolationKind::Row(_) => "a constraint",
            ViolationKind::Bound(_) => "a variable bound",
            ViolationKind::Integrality(_) => "integrality",
            ViolationKind::WrongLength => "the model's shape",
            ViolationKind::NonFinite(_) | ViolationKind::Objective => "finiteness",
            ViolationKind::Movement(_) => "the moves from the current state",
        };
        let total = self.total();
        let message = if total == 1 {
            format!("solution violates {what}")
        } else {
            format!("solution violates {what} ({total} violations in all)")
        };
        let mut diag = Diagnostic::error(Code::E0702, message).help(
            "the solver's answer does not satisfy the model: try another solver (`--solver`) \
             or a tighter tolerance, and report it if it persists",
        );
        let origin_of = |kind: ViolationKind| match kind {
            ViolationKind::Row(r) => model.rows.get(r.0 as usize).map(|r| r.origin),
            ViolationKind::Bound(c)
            | ViolationKind::Integrality(c)
            | ViolationKind::NonFinite(c) => model.columns.get(c.0 as usize).map(|c| c.origin),
            ViolationKind::WrongLength | ViolationKind::Objective | ViolationKind::Movement(_) => {
                None
            }
        };
        let span_of = |origin: Option<Origin>| {
            origin.and_then(|o| model.decls.get(o.decl.0 as usize).map(|d| d.span))
        };
        let objective_span = model.objective.as_ref().map(|o| o.span);
        let mut labelled = Vec::new();
        let first_span = match first.kind {
            ViolationKind::Objective => objective_span,
            ViolationKind::Movement(i) => model.movements.get(i).map(|m| m.span),
            kind => span_of(origin_of(kind)),
        };
        if let Some(span) = first_span {
            diag = diag.primary(span, first.message.clone());
            labelled.push(span);
        } else {
            diag = diag.note(first.message.clone());
        }
        // A few more violations, one label per declaration.
        for v in self.violations.iter().skip(1) {
            if labelled.len() >= 4 {
                break;
            }
            if let Some(span) = span_of(origin_of(v.kind)) {
                if !labelled.contains(&span) {
                    diag = diag.secondary(span, v.message.clone());
                    labelled.push(span);
                }
            }
        }
        if total > 1 {
            for v in self.violations.iter().skip(1).take(9) {
                diag = diag.note(v.message.clone());
            }
            if total > 10 {
                diag = diag.note(format!("and {} more", total - 10));
            }
        }
        Some(diag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Column, Decl, DeclKind, Objective, ObjectiveTerm, Sense};
    use crate::span::{FileId, Span};

    /// One continuous column `x` in `[0, inf]`, maximised with coefficient `coef`.
    fn one_column(coef: f64) -> Model {
        let mut m = Model::new();
        let span = Span::new(FileId(0), 0, 1);
        let decl = m.add_decl(Decl {
            name: "x".into(),
            kind: DeclKind::Decision,
            span,
            index_names: vec![],
            unit: String::new(),
            note: String::new(),
        });
        let tuple = m.add_tuple(&[]);
        let x = m.add_column(Column {
            kind: VarKind::Continuous,
            lb: 0.0,
            ub: f64::INFINITY,
            origin: Origin { decl, tuple },
        });
        m.objective = Some(Objective {
            name: "o".into(),
            sense: Sense::Maximize,
            span: Span::new(FileId(0), 2, 3),
            unit: String::new(),
            terms: vec![ObjectiveTerm {
                label: "x".into(),
                span,
                coefs: vec![(x, coef)],
                constant: 0.0,
            }],
        });
        m
    }

    #[test]
    fn a_finite_value_inside_unbounded_bounds_holds() {
        let report = verify(&one_column(1.0), &[5.0], &Tolerances::default());
        assert!(report.is_ok(), "{:?}", report.violations);
        assert_eq!(report.objective, 5.0);
    }

    #[test]
    fn an_infinite_or_nan_value_is_rejected_even_inside_its_bounds() {
        for bad in [f64::INFINITY, f64::NAN] {
            let m = one_column(1.0);
            let report = verify(&m, &[bad], &Tolerances::default());
            assert!(!report.is_ok(), "{bad} passed verification");
            assert!(report
                .violations
                .iter()
                .any(|v| v.kind == ViolationKind::NonFinite(ColId(0))));
            let d = report.to_diagnostic(&m).expect("a diagnostic");
            assert_eq!(d.code, Code::E0702);
        }
    }

    #[test]
    fn an_objective_that_overflows_is_rejected() {
        // Each value is finite, but 1e300 * 1e10 is not.
        let m = one_column(1e300);
        let report = verify(&m, &[1e10], &Tolerances::default());
        assert!(report
            .violations
            .iter()
            .any(|v| v.kind == ViolationKind::Objective));
        let d = report.to_diagnostic(&m).expect("a diagnostic");
        assert!(d.message.contains("finiteness"), "{}", d.message);
    }
}
