//! Types every backend and the solve layer share: which MILP solver, the options of one
//! solve, how it ended, and the raw answer before verification. Neutral ground: the
//! backends ([`super::milp`], [`super::dp`]) and [`crate::solve`] import this module, and it
//! imports neither, so there is no import circle between the solve layer and the backends.

use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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

/// What a running solve has found so far (model terms, objective constants included).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SolveProgress {
    /// Objective of the best solution found.
    pub incumbent: Option<f64>,
    /// Best bound on the objective.
    pub bound: Option<f64>,
    /// Relative gap between the two.
    pub gap: Option<f64>,
}

/// The handle on one solve: stop requests in, progress out. Each [`SolveOptions`] carries
/// its own (shared by the clones made for the parts, the repair and the bound of that
/// solve), so two solves running at once in one process (two Python threads, two LSP
/// requests) neither stop nor reset each other. Whoever may want to stop a solve (the CLI's
/// Ctrl-C handler, Python's KeyboardInterrupt, an LSP cancel) keeps a clone of the `Arc`.
/// HiGHS's callback, the search backend, the partitioned solve and the Lagrangian bound
/// read it; the other solvers run until they finish or reach their time limit.
#[derive(Debug, Default)]
pub struct SolveControl {
    stop: AtomicBool,
    state: Mutex<(f64, SolveProgress)>,
}

impl SolveControl {
    /// A fresh handle, shared: no stop requested, no progress.
    pub fn new() -> Arc<SolveControl> {
        Arc::new(SolveControl::default())
    }

    /// Ask the running solve to stop with the best solution it has.
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was requested since the last [`SolveControl::reset`].
    pub fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Forget a stop request and the progress of an earlier solve.
    pub fn reset(&self) {
        self.stop.store(false, Ordering::SeqCst);
        if let Ok(mut s) = self.state.lock() {
            *s = (0.0, SolveProgress::default());
        }
    }

    /// What the running solve has found so far.
    pub fn progress(&self) -> SolveProgress {
        self.state.lock().map(|s| s.1).unwrap_or_default()
    }

    /// A solve starts: `offset` is the objective constant the solver does not see.
    #[allow(dead_code)]
    pub(crate) fn begin(&self, offset: f64) {
        if let Ok(mut s) = self.state.lock() {
            *s = (offset, SolveProgress::default());
        }
    }

    /// The solver reports its best objective, bound and gap (its own terms, without the
    /// offset given to [`SolveControl::begin`]).
    #[allow(dead_code)]
    pub(crate) fn record(&self, primal: f64, dual: f64, gap: f64) {
        let ok = |v: f64| (v.is_finite() && v.abs() < 1e30).then_some(v);
        if let Ok(mut s) = self.state.lock() {
            let offset = s.0;
            s.1 = SolveProgress {
                incumbent: ok(primal).map(|v| v + offset),
                bound: ok(dual).map(|v| v + offset),
                gap: ok(gap),
            };
        }
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
    /// This solve's stop requests and progress. A clone of the options shares it (the
    /// parts and sub-solves of one solve stop together); `Default` makes a fresh one.
    pub control: Arc<SolveControl>,
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
            control: SolveControl::new(),
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
    /// An interrupt was requested ([`SolveControl::request_stop`]).
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
