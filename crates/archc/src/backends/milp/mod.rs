//! MILP backend through good_lp: the instantiated model ([`crate::ir`]) goes to the solver
//! chosen in [`SolveOptions`] and comes back as a [`RawSolution`], which the solve layer
//! verifies against the model before anything is reported. Also writes the model as MPS ([`mps`]) or CPLEX LP ([`lp`])
//! for any other solver, with names derived from origins ([`names`]).
//!
//! Solvers are cargo features: `microlp` (default, pure Rust), `highs`, `cbc`. The answer's
//! objective is recomputed from the IR, never taken from the solver, and integer values
//! within 1e-6 of a whole number are rounded to it.

use crate::diagnostics::Code;
pub mod lp;
pub mod mps;
pub mod names;
mod run;
mod textbuf;
mod translate;

pub use lp::{write_lp, write_lp_to_path};
pub use mps::{write_mps, write_mps_pipelined, write_mps_to_path};
pub use names::{column_names, objective_row_name, row_names};

use crate::backends::types::{RawSolution, SolveOptions, SolverKind, Status};
pub use crate::backends::types::{SolveControl, SolveProgress};
use crate::diagnostics::Diagnostic;
use crate::ir::{Model, VarKind};
pub use run::interruptible;
use run::Outcome;
use std::time::Instant;
use translate::Trivial;

/// Integer values this close to a whole number are reported as that number.
const ROUND_INTEGERS_WITHIN: f64 = 1e-6;

/// The solver to use: the requested one if it is compiled in (E0701 otherwise), else the
/// first of [`SolverKind::enabled`].
/// What to say when microlp has been solving an integer model for a while: its branch and
/// bound has no cuts and weak heuristics, so integer models beyond a few dozen integer
/// columns can take it minutes where HiGHS takes seconds (on the OR-Library capacitated
/// facility-location instances it proves 16 facilities in milliseconds, 25 in seconds to a
/// minute, and not 50 in a minute, where HiGHS takes under two seconds). The note says
/// what to do: choose a stronger solver that is built in, or build archc with one. `None`
/// for other solvers and for models without integer columns.
pub fn reach_note(kind: SolverKind, model: &Model) -> Option<String> {
    if kind != SolverKind::Microlp {
        return None;
    }
    let ints = model
        .columns
        .iter()
        .filter(|c| c.kind != VarKind::Continuous)
        .count();
    if ints == 0 {
        return None;
    }
    let stronger = SolverKind::enabled()
        .into_iter()
        .find(|k| *k != SolverKind::Microlp);
    let todo = match stronger {
        Some(k) => format!(
            "`--solver {}` is built in and much faster on them",
            k.name()
        ),
        None => "build archc with HiGHS for them (`cargo install --path crates/archc-cli \
                 --features highs`; it becomes the default)"
            .to_string(),
    };
    Some(format!(
        "microlp is slow on integer models beyond a few dozen integer columns (this one has \
         {ints}); {todo}; `--time-limit SECONDS` stops it with its best plan"
    ))
}

pub fn choose_solver(requested: Option<SolverKind>) -> Result<SolverKind, Diagnostic> {
    match requested {
        Some(kind) if kind.is_enabled() => Ok(kind),
        Some(kind) => Err(Diagnostic::error(
            Code::E0701,
            format!(
                "solver `{0}` is not enabled in this build (enable the cargo feature `{0}`)",
                kind.name()
            ),
        )
        .help(format!(
            "rebuild archc with `--features {}`, or leave the solver out to use one that is enabled",
            kind.name()
        ))),
        None => SolverKind::enabled().first().copied().ok_or_else(|| {
            Diagnostic::error(Code::E0701, "no MILP solver is enabled in this build")
                .help("rebuild archc with one of the cargo features `microlp`, `highs` or `cbc`")
        }),
    }
}

/// Solve `model` with the solver chosen in `opts`.
///
/// Errors only when the requested solver is not compiled in (E0701). Everything the solver
/// says is in the returned [`RawSolution`]: `Optimal`, `Feasible` (stopped by a limit, or at
/// the requested gap, with a solution), `Infeasible`, `Unbounded`, or `Error` with the
/// solver's message (see [`solver_error_diagnostic`]). Values come with a solution only; the
/// objective is recomputed from the IR; row duals are given for pure-LP models on solvers
/// that report them (HiGHS), as d(objective)/d(row side) summed over the row's sides.
pub fn solve(model: &Model, opts: &SolveOptions) -> Result<RawSolution, Diagnostic> {
    solve_from(model, opts, None)
}

/// Whether a solver takes a MIP start (HiGHS through `setSolution`, CBC as its initial
/// solution); microlp has no way to take one.
pub fn takes_start(kind: SolverKind) -> bool {
    matches!(kind, SolverKind::Highs | SolverKind::Cbc)
}

/// [`solve`] with a MIP start: `start` holds one value per column, a plan the caller has
/// checked against the model (see `crate::solve::start`). Solvers without starts
/// ([`takes_start`]) ignore it.
pub fn solve_from(
    model: &Model,
    opts: &SolveOptions,
    start: Option<&[f64]>,
) -> Result<RawSolution, Diagnostic> {
    let kind = choose_solver(opts.solver)?;
    // A start of another length belongs to another model: never hand it to a solver.
    let mip_start = start.filter(|s| s.len() == model.num_columns());
    let start = Instant::now();
    let outcome = match translate::trivial_outcome(model) {
        Trivial::Decided(Status::Optimal, _) => Outcome {
            status: Status::Optimal,
            values: Vec::new(),
            gap: Some(0.0),
            dual_bound: None,
            duals: Some(vec![0.0; model.num_rows()]),
            stop: None,
            message: String::new(),
        },
        Trivial::Decided(status, message) => Outcome::without_solution(status, message),
        Trivial::No => guarded(kind, || run_solver(kind, model, opts, mip_start)),
    };
    Ok(finish(model, kind, outcome, start))
}

/// Run `f`, turning a panic inside a solver library into `Status::Error`.
fn guarded(kind: SolverKind, f: impl FnOnce() -> Outcome) -> Outcome {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown reason".into());
        Outcome::without_solution(
            Status::Error,
            format!("the {} solver aborted: {reason}", kind.name()),
        )
    })
}

#[allow(unused_variables)]
fn run_solver(
    kind: SolverKind,
    model: &Model,
    opts: &SolveOptions,
    start: Option<&[f64]>,
) -> Outcome {
    let pure_lp = model.columns.iter().all(|c| c.kind == VarKind::Continuous);
    // The solvers see the objective without its constants; bounds are reported with them.
    let offset: f64 = model
        .objective
        .as_ref()
        .map_or(0.0, |o| o.terms.iter().map(|t| t.constant).sum());
    match kind {
        #[cfg(feature = "highs")]
        SolverKind::Highs => {
            use good_lp::solvers::highs::highs;
            let rows = model.num_rows();
            let first = run::highs(
                translate::build(model, highs, false),
                rows,
                pure_lp,
                opts,
                offset,
                start,
            );
            tell_unbounded_apart(first, || {
                run::highs(
                    translate::build(model, highs, true),
                    rows,
                    false,
                    opts,
                    0.0,
                    None,
                )
            })
        }
        #[cfg(feature = "cbc")]
        SolverKind::Cbc => {
            use good_lp::solvers::coin_cbc::coin_cbc;
            let first = run::cbc(
                translate::build(model, coin_cbc, false),
                !pure_lp,
                opts,
                offset,
                start,
            );
            tell_unbounded_apart(first, || {
                run::cbc(
                    translate::build(model, coin_cbc, true),
                    !pure_lp,
                    opts,
                    0.0,
                    None,
                )
            })
        }
        #[cfg(feature = "microlp")]
        SolverKind::Microlp => {
            use good_lp::solvers::microlp::microlp;
            let first = run::microlp(translate::build(model, microlp, false), opts);
            if !at_solver_edge(model, &first) {
                return first;
            }
            // microlp branches within `i32` and stops there: an integer at that edge means
            // the problem had no bound in that direction. The LP relaxation says for sure.
            let relaxed = relaxation(model);
            let lp = run::microlp(translate::build(&relaxed, microlp, false), opts);
            match lp.status {
                Status::Optimal if !at_solver_edge(&relaxed, &lp) => first,
                _ => Outcome::without_solution(Status::Unbounded, String::new()),
            }
        }
        #[allow(unreachable_patterns)]
        other => Outcome::without_solution(
            Status::Error,
            format!("solver `{}` is not enabled in this build", other.name()),
        ),
    }
}

/// The largest integer microlp's branching handles (`i32::MAX`); an integer column's value
/// there, or a value at 1e30 or beyond (solvers' infinity), is no optimum.
const MICROLP_INT_EDGE: f64 = i32::MAX as f64;
const SOLVER_INFINITY: f64 = 1e30;

/// True when a solution puts a column at the edge of the solver's integer range or at its
/// infinity, where the column's own bounds would allow more: the solver stopped at its own
/// limit, not at the model's optimum.
#[allow(dead_code)]
fn at_solver_edge(model: &Model, outcome: &Outcome) -> bool {
    if !matches!(outcome.status, Status::Optimal | Status::Feasible) {
        return false;
    }
    outcome.values.iter().zip(&model.columns).any(|(&v, c)| {
        if !v.is_finite() || v.abs() >= SOLVER_INFINITY {
            return true;
        }
        let edge = c.kind != VarKind::Continuous && v.abs() >= MICROLP_INT_EDGE - 0.5;
        let room = if v > 0.0 {
            c.ub > v + 0.5
        } else {
            c.lb < v - 0.5
        };
        edge && room
    })
}

/// The model with every integer and binary column made continuous (binaries keep `[0, 1]`).
pub fn relaxation(model: &Model) -> Model {
    let mut relaxed = model.clone();
    for c in &mut relaxed.columns {
        if c.kind == VarKind::Binary {
            c.lb = c.lb.max(0.0);
            c.ub = c.ub.min(1.0);
        }
        c.kind = VarKind::Continuous;
    }
    relaxed
}

/// HiGHS (through good_lp) and CBC report some unbounded problems as infeasible. When the
/// same problem without objective has a solution, the first answer meant unbounded.
#[allow(dead_code)]
fn tell_unbounded_apart(first: Outcome, feasibility: impl FnOnce() -> Outcome) -> Outcome {
    if first.status != Status::Infeasible {
        return first;
    }
    match feasibility().status {
        Status::Optimal | Status::Feasible => {
            Outcome::without_solution(Status::Unbounded, String::new())
        }
        _ => first,
    }
}

/// Clean the values and recompute the objective. Whether a solution stopped by a limit
/// really is one is for the solve layer to check (`crate::solve::solve_milp`), which
/// verifies every answer.
fn finish(model: &Model, kind: SolverKind, mut outcome: Outcome, start: Instant) -> RawSolution {
    let has_solution = matches!(outcome.status, Status::Optimal | Status::Feasible);
    if !has_solution {
        outcome.values.clear();
        outcome.duals = None;
    }
    for (v, c) in outcome.values.iter_mut().zip(&model.columns) {
        if c.kind != VarKind::Continuous && (*v - v.round()).abs() <= ROUND_INTEGERS_WITHIN {
            *v = v.round();
        }
        // No `-0` in reports.
        *v += 0.0;
    }
    if outcome.status == Status::Error && outcome.message.is_empty() {
        outcome.message = "the solver gave no reason".into();
    }
    let objective = if has_solution && outcome.status != Status::Error {
        objective_of(model, &outcome.values)
    } else {
        f64::NAN
    };
    RawSolution {
        status: outcome.status,
        values: outcome.values,
        objective,
        gap: outcome.gap,
        dual_bound: outcome.dual_bound,
        stop: outcome.stop,
        solver: kind,
        time: start.elapsed(),
        duals: outcome.duals,
        message: outcome.message,
    }
}

/// The objective of `values` from the IR's terms, constants included.
fn objective_of(model: &Model, values: &[f64]) -> f64 {
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

/// Diagnostic E0703 for a solve that ended in `Status::Error`, on the objective when the
/// model has one; `None` for any other status.
pub fn solver_error_diagnostic(raw: &RawSolution, model: &Model) -> Option<Diagnostic> {
    if raw.status != Status::Error {
        return None;
    }
    let mut diag = Diagnostic::error(
        Code::E0703,
        format!("the {} solver failed: {}", raw.solver.name(), raw.message),
    )
    .help("see `archc explain E0703`; another solver (`--solver`) or a longer time limit may help");
    if let Some(obj) = &model.objective {
        diag = diag.primary(obj.span, "while solving for this objective");
    }
    Some(diag)
}
