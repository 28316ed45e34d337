//! A proven bound on the objective of a model, for plans found without a MILP proof
//! (partitioned solves, local search): the optimum of the LP relaxation of the full model,
//! solved by HiGHS when it is built in and by microlp otherwise. Only an LP solved to
//! optimality is a bound; an LP stopped by the time limit gives none, and the gap is then
//! unknown rather than guessed.

use crate::backends::types::{SolveOptions, SolverKind, Status};
use crate::ir::{Model, Sense};
use serde::Serialize;
use std::time::Instant;

/// A bound on the best objective of a model.
#[derive(Clone, Debug, Serialize)]
pub struct Bound {
    /// The bound, in the objective's unit (a lower bound when minimising, an upper one when
    /// maximising).
    pub value: f64,
    /// How it was proven: `lp relaxation (highs)`.
    pub method: String,
    pub time_ms: u64,
}

/// The LP relaxation's optimum of `model`, when the LP solves to optimality within the time
/// limit of `opts`.
pub fn lp_bound(model: &Model, opts: &SolveOptions) -> Option<Bound> {
    let solver = if SolverKind::Highs.is_enabled() {
        SolverKind::Highs
    } else {
        *SolverKind::enabled().first()?
    };
    let started = Instant::now();
    let relaxed = crate::backends::milp::relaxation(model);
    let lp_opts = SolveOptions {
        solver: Some(solver),
        gap: None,
        quiet: true,
        ..opts.clone()
    };
    let raw = crate::backends::milp::solve(&relaxed, &lp_opts).ok()?;
    if raw.status != Status::Optimal || !raw.objective.is_finite() {
        return None;
    }
    Some(Bound {
        value: raw.objective,
        method: format!("lp relaxation ({})", solver.name()),
        time_ms: started.elapsed().as_millis() as u64,
    })
}

/// The relative gap between a plan's objective and a bound: `|objective - bound| /
/// max(|objective|, 1e-9)`, 0 when the plan reaches the bound. A bound that a plan
/// beats (within rounding) gives 0.
pub fn relative_gap(objective: f64, bound: f64, sense: Sense) -> f64 {
    let diff = match sense {
        Sense::Minimize => objective - bound,
        Sense::Maximize => bound - objective,
    };
    diff.max(0.0) / objective.abs().max(1e-9)
}
