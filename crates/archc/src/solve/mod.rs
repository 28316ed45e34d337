//! Solving an instantiated model: backend choice, the solve itself, verification of the
//! answer against the model, and explanations.

pub mod explain;
pub mod verify;

use serde::Serialize;
use std::time::Duration;

/// Which MILP solver to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SolverKind {
    Microlp,
    Highs,
    Cbc,
}

impl SolverKind {
    pub fn name(self) -> &'static str {
        match self {
            SolverKind::Microlp => "microlp",
            SolverKind::Highs => "highs",
            SolverKind::Cbc => "cbc",
        }
    }

    pub fn parse(s: &str) -> Option<SolverKind> {
        match s {
            "microlp" => Some(SolverKind::Microlp),
            "highs" => Some(SolverKind::Highs),
            "cbc" => Some(SolverKind::Cbc),
            _ => None,
        }
    }

    /// Solvers compiled into this build, default first.
    pub fn enabled() -> Vec<SolverKind> {
        let mut v = Vec::new();
        if cfg!(feature = "highs") {
            v.push(SolverKind::Highs);
        }
        if cfg!(feature = "cbc") {
            v.push(SolverKind::Cbc);
        }
        if cfg!(feature = "microlp") {
            v.push(SolverKind::Microlp);
        }
        v
    }

    pub fn is_enabled(self) -> bool {
        Self::enabled().contains(&self)
    }
}

/// Options for one solve.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// `None`: the best enabled solver.
    pub solver: Option<SolverKind>,
    pub time_limit: Option<Duration>,
    /// Relative MIP gap at which to stop.
    pub gap: Option<f64>,
    pub threads: Option<u32>,
    /// Print nothing (progress goes to stderr otherwise, from the CLI only).
    pub quiet: bool,
    /// `--solver-option KEY=VALUE`: passed to HiGHS or CBC as given (the solver parses the
    /// value and refuses unknown keys); after archc's own settings, so they win.
    pub solver_options: Vec<(String, String)>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            solver: None,
            time_limit: None,
            gap: None,
            threads: None,
            quiet: true,
            solver_options: Vec::new(),
        }
    }
}

/// How a solve ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Optimal,
    /// A feasible solution, not proven optimal (time limit); see the gap.
    Feasible,
    Infeasible,
    Unbounded,
    Error,
}

/// Why a solve stopped before it finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The time limit (or another solver limit) was reached.
    TimeLimit,
    /// An interrupt was requested ([`crate::backends::milp::SolveControl::request_stop`]).
    Interrupted,
}

/// What a MILP backend returned, before verification.
#[derive(Clone, Debug, Serialize)]
pub struct RawSolution {
    pub status: Status,
    /// One value per column (empty unless a solution exists).
    pub values: Vec<f64>,
    pub objective: f64,
    /// Relative gap when known.
    pub gap: Option<f64>,
    /// Best bound on the objective proven by the solver (constants included), when known.
    pub dual_bound: Option<f64>,
    /// Why the solver stopped before it finished, if it did: with a solution the status is
    /// `Feasible`, without one `Error`.
    pub stop: Option<Stop>,
    pub solver: SolverKind,
    pub time: Duration,
    /// Row duals from the LP (relaxation) when the backend gives them.
    pub duals: Option<Vec<f64>>,
    /// Solver message for `Status::Error`.
    pub message: String,
}

/// A solve of an instantiated model whose answer has been verified.
#[derive(Clone, Debug)]
pub struct Solved {
    pub raw: RawSolution,
    pub verification: Option<verify::VerifyReport>,
    /// `milp` or `dp`.
    pub backend: &'static str,
    /// Why that backend, in one line.
    pub reason: String,
}

impl Solved {
    /// True when a solution exists and it passed verification.
    pub fn verified(&self) -> bool {
        self.verification.as_ref().is_some_and(|v| v.is_ok())
    }
}

/// Solve the instantiated model and verify any solution against it. A verification
/// failure is returned as an error diagnostic (E0702): no unverified plan is reported.
pub fn solve_model(
    model: &crate::ir::Model,
    opts: &SolveOptions,
) -> Result<Solved, crate::diagnostics::Diagnostic> {
    let kind = crate::backends::milp::choose_solver(opts.solver)?;
    let raw = crate::backends::milp::solve(model, opts)?;
    let verification = if raw.values.is_empty() {
        None
    } else {
        let report = verify::verify(model, &raw.values, &verify::Tolerances::default());
        if let Some(d) = report.to_diagnostic(model) {
            return Err(d);
        }
        Some(report)
    };
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
    Ok(Solved {
        raw,
        verification,
        backend: "milp",
        reason,
    })
}
