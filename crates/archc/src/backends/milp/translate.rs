//! Translation of the IR into a good_lp problem for any good_lp solver: one variable per
//! column (kind and bounds), one or two good_lp constraints per row, the objective as the
//! sum of its terms. Work is linear in the model's size: each row's expression is built
//! once from its CSR entries, and constraints go to the solver one at a time.
//!
//! Also the checks that need no solver: a model with no columns, crossed bounds, empty rows
//! that cannot hold, and NaNs are decided here before any solver runs.

use crate::backends::types::Status;
use crate::ir::{Model, Sense, VarKind};
use good_lp::constraint::ConstraintReference;
use good_lp::solvers::ObjectiveDirection;
use good_lp::{variable, Expression, ProblemVariables, Solver, SolverModel, Variable};

/// A good_lp problem built from a model.
pub(super) struct Built<M> {
    pub problem: M,
    pub vars: Vec<Variable>,
    /// Rows' good_lp constraints: `(row, constraint)`, at most two per row, in row order.
    #[cfg_attr(not(feature = "highs"), allow(dead_code))]
    pub refs: Vec<(u32, ConstraintReference)>,
}

/// Build the good_lp problem for `model` with `solver`. With `zero_objective` the objective
/// is dropped (a pure feasibility problem).
pub(super) fn build<S: Solver>(
    model: &Model,
    mut solver: S,
    zero_objective: bool,
) -> Built<S::Model> {
    let mut vars = ProblemVariables::new();
    let mut handles = Vec::with_capacity(model.num_columns());
    for c in &model.columns {
        let def = match c.kind {
            VarKind::Continuous => variable().bounds(c.lb..=c.ub),
            VarKind::Integer => variable().integer().bounds(c.lb..=c.ub),
            VarKind::Binary => variable().integer().bounds(c.lb.max(0.0)..=c.ub.min(1.0)),
        };
        handles.push(vars.add(def));
    }

    let mut objective = Expression::default();
    let mut direction = ObjectiveDirection::Minimisation;
    if let (Some(obj), false) = (&model.objective, zero_objective) {
        let n: usize = obj.terms.iter().map(|t| t.coefs.len()).sum();
        objective = Expression::with_capacity(n);
        for t in &obj.terms {
            for &(c, v) in &t.coefs {
                objective.add_mul(v, handles[c.0 as usize]);
            }
        }
        if obj.sense == Sense::Maximize {
            direction = ObjectiveDirection::Maximisation;
        }
    }

    let mut problem = solver.create_model(vars.optimise(direction, objective));
    let mut refs = Vec::with_capacity(model.num_rows());
    for (i, row) in model.rows.iter().enumerate() {
        let (a, b) = (model.row_start[i], model.row_start[i + 1]);
        let has_lo = row.lo > f64::NEG_INFINITY;
        let has_hi = row.hi < f64::INFINITY;
        if a == b || (!has_lo && !has_hi) {
            // Empty rows were checked by `trivial_outcome`; free rows restrict nothing.
            continue;
        }
        let mut expr = Expression::with_capacity(b - a);
        for (c, &v) in model.row_cols[a..b].iter().zip(&model.row_vals[a..b]) {
            expr.add_mul(v, handles[c.0 as usize]);
        }
        let i = i as u32;
        if has_lo && has_hi && row.lo == row.hi {
            refs.push((i, problem.add_constraint(expr.eq(row.lo))));
        } else {
            if has_lo && has_hi {
                refs.push((i, problem.add_constraint(expr.clone().geq(row.lo))));
                refs.push((i, problem.add_constraint(expr.leq(row.hi))));
            } else if has_lo {
                refs.push((i, problem.add_constraint(expr.geq(row.lo))));
            } else {
                refs.push((i, problem.add_constraint(expr.leq(row.hi))));
            }
        }
    }
    Built {
        problem,
        vars: handles,
        refs,
    }
}

/// An answer found without a solver, or a reason the model cannot be handed to one.
pub(super) enum Trivial {
    /// Solve it.
    No,
    /// Decided: the status, and a message for `Status::Error`.
    Decided(Status, String),
}

/// Decide what needs no solver: NaNs (an error), crossed bounds and empty rows that cannot
/// hold (infeasible), and a model with no columns (optimal, if its rows hold).
pub(super) fn trivial_outcome(model: &Model) -> Trivial {
    if model.row_start.len() != model.num_rows() + 1
        || model.row_cols.len() != model.row_vals.len()
        || model.row_start.last().copied() != Some(model.row_cols.len())
    {
        return Trivial::Decided(Status::Error, "malformed row storage in the model".into());
    }
    let n = model.num_columns();
    if let Some(c) = model.row_cols.iter().find(|c| c.0 as usize >= n) {
        return Trivial::Decided(
            Status::Error,
            format!(
                "a row refers to column {}, but the model has {n} columns",
                c.0
            ),
        );
    }
    if let Some(obj) = &model.objective {
        for t in &obj.terms {
            if t.constant.is_nan()
                || t.coefs
                    .iter()
                    .any(|&(c, v)| v.is_nan() || c.0 as usize >= n)
            {
                return Trivial::Decided(
                    Status::Error,
                    format!(
                        "objective term `{}` has a NaN or an unknown column",
                        t.label
                    ),
                );
            }
        }
    }
    if model.row_vals.iter().any(|v| !v.is_finite()) {
        return Trivial::Decided(
            Status::Error,
            "the constraint matrix has a NaN or infinite coefficient".into(),
        );
    }
    let mut infeasible = false;
    for (j, c) in model.columns.iter().enumerate() {
        if c.lb.is_nan() || c.ub.is_nan() {
            return Trivial::Decided(
                Status::Error,
                format!(
                    "column `{}` has a NaN bound",
                    model.column_name(crate::ir::ColId(j as u32))
                ),
            );
        }
        let (lb, ub) = match c.kind {
            VarKind::Continuous => (c.lb, c.ub),
            VarKind::Integer => (c.lb.ceil(), c.ub.floor()),
            VarKind::Binary => (c.lb.max(0.0).ceil(), c.ub.min(1.0).floor()),
        };
        infeasible |= lb > ub || lb == f64::INFINITY || ub == f64::NEG_INFINITY;
    }
    for (i, r) in model.rows.iter().enumerate() {
        if r.lo.is_nan() || r.hi.is_nan() {
            return Trivial::Decided(
                Status::Error,
                format!(
                    "row `{}` has a NaN side",
                    model.row_name(crate::ir::RowId(i as u32))
                ),
            );
        }
        let empty = model.row_start[i] == model.row_start[i + 1];
        infeasible |= r.lo > r.hi
            || r.lo == f64::INFINITY
            || r.hi == f64::NEG_INFINITY
            || (empty && (r.lo > 1e-9 || r.hi < -1e-9));
    }
    if infeasible {
        Trivial::Decided(Status::Infeasible, String::new())
    } else if n == 0 {
        Trivial::Decided(Status::Optimal, String::new())
    } else {
        Trivial::No
    }
}
