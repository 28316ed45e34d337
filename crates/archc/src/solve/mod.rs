//! The one solve path: an instantiated model goes to the backend the driver chose for it
//! (MILP through [`crate::backends::milp`], or DP for plans through [`crate::plan`]), and
//! every answer is verified against the model ([`verify`] for MILP, a replay of the plans'
//! own expressions for DP) before it is returned as one [`Solved`]: status, values, backend
//! and why, verification, timings. The embedding API, `archc solve`, `archc test` and the
//! language server all call [`solve`] (through [`crate::driver::solve`]); explanations of
//! infeasible and unbounded models are in [`explain`].
//!
//! The backend-independent types (options, status, raw solution) are in
//! [`crate::backends::types`], re-exported here; backends never import this module.

pub mod alternatives;
pub mod bound;
pub mod explain;
pub mod lagrange;
pub mod lexicographic;
pub mod search;
pub mod start;
pub mod verify;
pub mod verify_risk;

pub use crate::backends::types::{RawSolution, SolveOptions, SolverKind, Status, Stop};

use crate::check::Schema;
use crate::diagnostics::{Code, Diagnostic};
use crate::instantiate::Instance;
use crate::plan::{Backend, DpOutcome};
use crate::source::SourceMap;
use crate::timings::Timings;
use std::time::Instant;

/// What one solve needs: the checked model, its instance and the backend chosen for it.
pub struct Problem<'a> {
    pub schema: &'a Schema,
    /// The checked model's HIR (the DP verification replays the plans from it).
    pub hir: &'a crate::hir::Model,
    /// The sources (the DP verification evaluates the plans' own expressions).
    pub sources: &'a mut SourceMap,
    pub instance: &'a mut Instance,
    pub backend: Backend,
    /// Why the driver chose the backend (models with plans); empty when there was no
    /// choice, and the MILP solve then says which solver on how many columns.
    pub reason: &'a str,
}

/// The answer of a backend.
#[derive(Clone, Debug)]
pub enum Answer {
    /// The MILP solver's answer (values per column, gap, bounds, duals).
    Milp(RawSolution),
    /// The plans' trajectories; `None` when a plan has no feasible policy (the diagnostic
    /// E0611 that says where is in [`Solved::diagnostics`]).
    Dp(Option<DpOutcome>),
}

/// The summary of a verification, as reported.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Verification {
    pub ok: bool,
    /// The largest absolute row violation (0 for DP, whose plans have no rows).
    pub max_row_violation: f64,
    pub violations: usize,
}

/// A solve whose answer has been verified.
#[derive(Clone, Debug)]
pub struct Solved {
    /// How the solve ended (a MILP solve stopped early is `Feasible` with a plan, `Error`
    /// without one; the raw answer says why it stopped).
    pub status: Status,
    pub backend: Backend,
    /// Why that backend, in one line (`milp (highs) — 12 columns ...`, `dp — ...`, or the
    /// reason plans were lowered to MILP).
    pub reason: String,
    pub answer: Answer,
    /// `None` when there is no solution to verify.
    pub verification: Option<Verification>,
    /// Wall time per phase: the analysis' phases (from the driver) then `solve` and
    /// `verify`.
    pub timings: Timings,
    /// Diagnostics that come with the answer (why a DP plan is infeasible).
    pub diagnostics: Vec<Diagnostic>,
    /// The stages of a model with ranked objectives (`then minimize ...`), in priority
    /// order; empty for a model with one objective.
    pub stages: Vec<lexicographic::Stage>,
}

impl Solved {
    /// The objective in its unit, when there is a solution.
    pub fn objective(&self) -> Option<f64> {
        match &self.answer {
            Answer::Milp(raw) if !raw.values.is_empty() => Some(raw.objective),
            Answer::Milp(_) => None,
            Answer::Dp(outcome) => outcome.as_ref().map(|o| o.cost),
        }
    }

    /// One value per column of the MILP instance (empty for DP and without a solution).
    pub fn values(&self) -> &[f64] {
        match &self.answer {
            Answer::Milp(raw) => &raw.values,
            Answer::Dp(_) => &[],
        }
    }

    /// The MILP solver's raw answer, for MILP solves.
    pub fn raw(&self) -> Option<&RawSolution> {
        match &self.answer {
            Answer::Milp(raw) => Some(raw),
            Answer::Dp(_) => None,
        }
    }
}

/// Solve the problem with its backend and verify the answer. Errors: the solver is not
/// built in (E0701), a verification failure (E0702: no unverified plan is reported), a DP
/// plan over its budget or failing to evaluate (E0610, E0612).
pub fn solve(problem: Problem<'_>, opts: &SolveOptions) -> Result<Solved, Diagnostic> {
    solve_with(problem, opts, solve_model)
}

/// [`solve`] with the MILP step run by `milp` (the CLI runs [`solve_model`] on a worker
/// thread, to show progress and take Ctrl-C meanwhile).
pub fn solve_with(
    problem: Problem<'_>,
    opts: &SolveOptions,
    milp: impl FnOnce(&crate::ir::Model, &SolveOptions) -> Result<MilpSolved, Diagnostic>,
) -> Result<Solved, Diagnostic> {
    match problem.backend {
        Backend::Milp => {
            let solved = milp(&problem.instance.model, opts)?;
            if !solved.raw.values.is_empty() {
                verify_risk::check(problem.instance, &solved.raw.values)?;
            }
            let reason = if problem.reason.is_empty() {
                solved.reason
            } else {
                problem.reason.to_string()
            };
            let verification = solved.verification.as_ref().map(|v| Verification {
                ok: v.is_ok(),
                max_row_violation: v.max_row_violation,
                violations: v.total(),
            });
            Ok(Solved {
                status: solved.raw.status,
                backend: Backend::Milp,
                reason,
                answer: Answer::Milp(solved.raw),
                verification,
                timings: solved.timings,
                diagnostics: Vec::new(),
                stages: solved.stages,
            })
        }
        Backend::Dp => {
            let started = Instant::now();
            let result = crate::plan::solve_dp(
                problem.schema,
                problem.hir,
                problem.sources,
                problem.instance,
            );
            let mut timings = Timings::default();
            let (status, outcome, diagnostics) = match result {
                Ok(outcome) => {
                    // The DP outcome's own clock covers the solver; the rest is the replay.
                    let solve = std::time::Duration::from_millis(outcome.time_ms);
                    timings.push("solve", solve);
                    timings.push("verify", started.elapsed().saturating_sub(solve));
                    (Status::Optimal, Some(outcome), Vec::new())
                }
                Err(d) if d.code == Code::E0611 => {
                    timings.push("solve", started.elapsed());
                    (Status::Infeasible, None, vec![d])
                }
                Err(d) => return Err(d),
            };
            let verification = outcome.as_ref().map(|_| Verification {
                ok: true,
                max_row_violation: 0.0,
                violations: 0,
            });
            Ok(Solved {
                status,
                backend: Backend::Dp,
                reason: problem.reason.to_string(),
                answer: Answer::Dp(outcome),
                verification,
                timings,
                diagnostics,
                stages: Vec::new(),
            })
        }
    }
}

/// The MILP step of [`solve`]: the model solved and its answer verified.
#[derive(Clone, Debug)]
pub struct MilpSolved {
    pub raw: RawSolution,
    pub verification: Option<verify::VerifyReport>,
    /// Always `milp`.
    pub backend: &'static str,
    /// Which solver on how many columns and rows, in one line.
    pub reason: String,
    /// `solve` and `verify`.
    pub timings: Timings,
    /// The stages of a model with ranked objectives (see [`lexicographic`]).
    pub stages: Vec<lexicographic::Stage>,
}

impl MilpSolved {
    /// True when a solution exists and it passed verification.
    pub fn verified(&self) -> bool {
        self.verification.as_ref().is_some_and(|v| v.is_ok())
    }
}

/// Run the MILP solver on `model` and make sure that a solution stopped by a limit really is
/// one: some solvers hand back their last iterate when a limit stops them before any
/// feasible solution is found, and that is a solve without a plan (`Status::Error`).
pub fn solve_milp(
    model: &crate::ir::Model,
    opts: &SolveOptions,
) -> Result<RawSolution, Diagnostic> {
    solve_milp_from(model, opts, None)
}

/// [`solve_milp`] with a MIP start (one value per column, checked by [`start::check`]).
pub fn solve_milp_from(
    model: &crate::ir::Model,
    opts: &SolveOptions,
    start: Option<&[f64]>,
) -> Result<RawSolution, Diagnostic> {
    let mut raw = crate::backends::milp::solve_from(model, opts, start)?;
    if raw.status == Status::Feasible
        && !verify::verify(model, &raw.values, &verify::Tolerances::default()).is_ok()
    {
        raw.status = Status::Error;
        raw.values.clear();
        raw.duals = None;
        raw.objective = f64::NAN;
        raw.message = "the solver stopped at a limit before it found a feasible solution".into();
    }
    Ok(raw)
}

/// Solve the instantiated model with MILP and verify any solution against it. A
/// verification failure is returned as an error diagnostic (E0702): no unverified plan is
/// reported. A model with ranked objectives is solved stage by stage
/// ([`lexicographic::solve_ranked`]).
pub fn solve_model(
    model: &crate::ir::Model,
    opts: &SolveOptions,
) -> Result<MilpSolved, Diagnostic> {
    solve_model_from(model, opts, None)
}

/// [`solve_model`] with a MIP start: one value per column, a plan that [`start::check`]
/// found feasible. With ranked objectives it starts the first stage (a later stage's
/// model has the rows that keep the earlier objectives, which the start need not meet).
pub fn solve_model_from(
    model: &crate::ir::Model,
    opts: &SolveOptions,
    start: Option<&[f64]>,
) -> Result<MilpSolved, Diagnostic> {
    if model.later_objectives.is_empty() {
        solve_one_objective(model, opts, start)
    } else {
        let first = std::cell::Cell::new(true);
        lexicographic::solve_ranked(model, opts, |m, o| {
            let start = if first.replace(false) { start } else { None };
            solve_one_objective(m, o, start)
        })
    }
}

/// [`solve_model`] for the model's first objective alone.
fn solve_one_objective(
    model: &crate::ir::Model,
    opts: &SolveOptions,
    start: Option<&[f64]>,
) -> Result<MilpSolved, Diagnostic> {
    let kind = crate::backends::milp::choose_solver(opts.solver)?;
    let mut timings = Timings::default();
    let started = Instant::now();
    let raw = solve_milp_from(model, opts, start)?;
    timings.push("solve", started.elapsed());
    let started = Instant::now();
    let verification = if raw.values.is_empty() {
        None
    } else {
        let report = verify::verify(model, &raw.values, &verify::Tolerances::default());
        if let Some(d) = report.to_diagnostic(model) {
            return Err(d);
        }
        Some(report)
    };
    timings.push("verify", started.elapsed());
    let ints = model
        .columns
        .iter()
        .filter(|c| c.kind != crate::ir::VarKind::Continuous)
        .count();
    let reason = format!(
        "milp ({}) — {} columns ({} integer), {} rows",
        kind.name(),
        model.num_columns(),
        ints,
        model.num_rows()
    );
    Ok(MilpSolved {
        raw,
        verification,
        backend: "milp",
        reason,
        timings,
        stages: Vec::new(),
    })
}
