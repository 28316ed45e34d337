//! Types every backend and the solve layer share: which MILP solver, the options of one
//! solve, how it ended, and the raw answer before verification. Neutral ground: the
//! backends ([`super::milp`], [`super::dp`]) and [`crate::solve`] import this module, and it
//! imports neither, so there is no import circle between the solve layer and the backends.

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
    /// An interrupt was requested ([`super::milp::SolveControl::request_stop`]).
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
