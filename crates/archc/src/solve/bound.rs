//! A proven bound on the objective of a model, for plans found without a MILP proof
//! (partitioned solves, local search). Two kinds: the optimum of the LP relaxation of the
//! full model, solved by HiGHS when it is built in and by microlp otherwise, and for models of
//! the assignment shape a Lagrangian bound ([`super::lagrange`]), which needs no LP solve and
//! so also finishes on models with millions of columns. Only an LP solved to optimality is a
//! bound; an LP stopped by the time limit gives none. Every value of the Lagrangian dual is a
//! bound. [`bound`] takes the better of the two it could compute and says which; when it has
//! none, the gap is unknown rather than guessed.

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
    /// How it was proven: `lp relaxation (highs)`, `lagrangian relaxation (...)`, or
    /// `lagrangian relaxation with knapsacks (...)`.
    pub method: String,
    pub time_ms: u64,
    /// Multiplier steps of a Lagrangian bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
}

/// Models up to this many columns also get the LP bound when they have the assignment shape
/// (above it the LP rarely solves within a time limit worth waiting for).
pub const LP_COLUMNS: usize = 200_000;

/// The best bound archc can prove for `model` within the time limit of `opts` (30 s when
/// none): the Lagrangian bound for a model of the assignment shape, the LP relaxation's
/// optimum for one without it or with at most [`LP_COLUMNS`] columns, the better of the two
/// when both are known (the LP on a tie). `upper` gives the objective of the best plan known
/// so far (it steers the Lagrangian steps); a stop request (Ctrl-C,
/// [`SolveOptions::control`]) ends the Lagrangian steps with the bound reached.
pub fn bound(
    model: &Model,
    opts: &SolveOptions,
    upper: &(dyn Fn() -> Option<f64> + Sync),
) -> Option<Bound> {
    bound_with_lp(model, opts, upper, None, None)
}

/// [`bound`], with the LP relaxation already solved when `solved_lp` is `Some` (its bound,
/// `None` when it did not solve to optimality): the LP is then not solved again. With
/// `plans`, the Lagrangian steps also build plans from their relaxed solutions and hand them
/// over ([`super::lagrange::lagrangian_bound_with_plans`]).
pub fn bound_with_lp(
    model: &Model,
    opts: &SolveOptions,
    upper: &(dyn Fn() -> Option<f64> + Sync),
    solved_lp: Option<Option<Bound>>,
    plans: Option<&(dyn Fn(Vec<u32>) + Sync)>,
) -> Option<Bound> {
    let shape = crate::backends::search::shape::Shape::of(model).ok();
    let lagrangian = shape.as_ref().and_then(|shape| {
        let started = Instant::now();
        let l = super::lagrange::knapsack_bound_with_plans(
            model,
            shape,
            &super::lagrange::LagrangeOptions {
                time_limit: opts.time_limit.unwrap_or(DEFAULT_TIME_LIMIT),
                upper,
                stop: &|| opts.control.stop_requested(),
                pace: super::lagrange::PlanPace::Timed,
            },
            plans,
        )?;
        Some(Bound {
            value: l.value,
            method: match &l.knapsacks {
                None => format!(
                    "lagrangian relaxation ({} rows relaxed, {} kept, {} steps)",
                    l.relaxed_rows, l.kept_rows, l.steps
                ),
                Some(k) => format!(
                    "lagrangian relaxation with knapsacks ({} rows relaxed, {} places' knapsacks, {} steps, {} with knapsacks)",
                    l.relaxed_rows, k.places, l.steps, k.steps
                ),
            },
            time_ms: started.elapsed().as_millis() as u64,
            steps: Some(l.steps),
        })
    });
    let lp = match solved_lp {
        Some(lp) => lp,
        None => (shape.is_none() || model.num_columns() <= LP_COLUMNS)
            .then(|| lp_bound(model, opts))
            .flatten(),
    };
    let sense = model
        .objective
        .as_ref()
        .map_or(Sense::Minimize, |o| o.sense);
    match (lp, lagrangian) {
        (Some(lp), Some(l)) => {
            let l_better = match sense {
                Sense::Minimize => l.value > lp.value,
                Sense::Maximize => l.value < lp.value,
            };
            Some(if l_better { l } else { lp })
        }
        (lp, l) => lp.or(l),
    }
}

/// How long a bound is worked on when the solve has no time limit.
const DEFAULT_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The LP relaxation's optimum of `model`, when the LP solves to optimality within the time
/// limit of `opts`.
pub fn lp_bound(model: &Model, opts: &SolveOptions) -> Option<Bound> {
    lp_solution(model, opts).map(|(b, _)| b)
}

/// The LP relaxation of `model` solved to optimality within the time limit of `opts`: its
/// optimum as a bound, and its values per column (the rounded-LP start of the search).
pub fn lp_solution(model: &Model, opts: &SolveOptions) -> Option<(Bound, Vec<f64>)> {
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
    if raw.values.len() != model.num_columns() {
        return None;
    }
    Some((
        Bound {
            value: raw.objective,
            method: format!("lp relaxation ({})", solver.name()),
            time_ms: started.elapsed().as_millis() as u64,
            steps: None,
        },
        raw.values,
    ))
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
