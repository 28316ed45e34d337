//! The contract between a compiled `plan` instance and the DP solver: [`StagePlan`].
//!
//! The front end compiles each instance of a `plan` block (one per index tuple, e.g.
//! `build[eu-west]`) into a value implementing [`StagePlan`]; the solver
//! only ever sees this trait, so it knows nothing about the language.

use crate::span::Span;
use serde::Serialize;
use std::fmt;

/// What went wrong while evaluating a transition or a cost.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum EvalErrorKind {
    /// A division (or remainder) by zero.
    DivisionByZero,
    /// An integer result that does not fit in `i64`.
    Overflow,
    /// A cost came out as NaN or negative infinity.
    NonFiniteCost,
    /// A table or function was looked up outside its domain (the text names the lookup).
    OutOfDomain(String),
    /// Anything else the front end wants to report (the text names the problem).
    Other(String),
}

/// An evaluation error inside a plan: it is reported to the user, never turned into a panic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvalError {
    pub kind: EvalErrorKind,
    /// The source span of the failing expression, when the front end knows it.
    pub span: Option<Span>,
}

impl EvalError {
    /// An error without a source span.
    pub fn new(kind: EvalErrorKind) -> Self {
        EvalError { kind, span: None }
    }

    /// An error at a source span.
    pub fn at(kind: EvalErrorKind, span: Span) -> Self {
        EvalError {
            kind,
            span: Some(span),
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            EvalErrorKind::DivisionByZero => f.write_str("division by zero"),
            EvalErrorKind::Overflow => f.write_str("integer overflow"),
            EvalErrorKind::NonFiniteCost => f.write_str("cost is not a finite number"),
            EvalErrorKind::OutOfDomain(what) => write!(f, "{what} is outside its domain"),
            EvalErrorKind::Other(what) => f.write_str(what),
        }
    }
}

/// One finite-horizon plan instance: stages `0..stages()`, a state that is a small tuple of
/// bounded integers, one bounded integer decision per stage, a transition with a stage cost,
/// and a terminal cost. The solver minimises the sum of stage costs plus the terminal cost.
///
/// Implementations must be pure: the same arguments give the same answer every time (the
/// solver evaluates some transitions twice, once backward and once to recover the policy).
///
/// Costs: a finite `f64`. `+inf` is read as "not allowed" (like `Ok(None)`); NaN and `-inf`
/// are reported as [`EvalErrorKind::NonFiniteCost`].
pub trait StagePlan: Sync {
    /// Number of stages (decisions) in the horizon; the trajectory has `stages() + 1` states.
    fn stages(&self) -> usize;

    /// The state space: one inclusive range `lo..=hi` per dimension.
    fn state_dims(&self) -> &[(i64, i64)];

    /// The state before stage 0 (one value per dimension).
    fn initial_state(&self) -> &[i64];

    /// The inclusive decision range `lo..=hi` at `stage`. `lo > hi` means no decision exists.
    fn decision_range(&self, stage: usize) -> (i64, i64);

    /// Applies `decision` in `state` at `stage`: writes the next state into `next` (same
    /// length as `state`) and returns `Ok(Some(stage_cost))` if the step is allowed,
    /// `Ok(None)` if it is not (a requirement fails). The solver itself treats a next state
    /// outside [`StagePlan::state_dims`] as not allowed, so implementations need not check it.
    fn step(
        &self,
        stage: usize,
        state: &[i64],
        decision: i64,
        next: &mut [i64],
    ) -> Result<Option<f64>, EvalError>;

    /// The terminal cost of a final state; `Ok(None)` when the final state is not allowed.
    fn terminal(&self, state: &[i64]) -> Result<Option<f64>, EvalError>;

    /// Evaluates every decision of `decisions` (`lo..=hi`, not empty) from one state at once.
    ///
    /// For decision `lo + j`, writes its stage cost into `costs[j]` (`f64::INFINITY` when the
    /// step is not allowed) and its next state into `next[j*k..(j+1)*k]`, where `k` is the
    /// number of state dimensions. On an evaluation error returns the decision and the error
    /// (the other outputs are then ignored). The solver calls only this method in its inner
    /// loop: one dynamic call per state. The default calls [`StagePlan::step`] per decision;
    /// override it when costs can share work across decisions.
    fn step_all(
        &self,
        stage: usize,
        state: &[i64],
        decisions: (i64, i64),
        next: &mut [i64],
        costs: &mut [f64],
    ) -> Result<(), (i64, EvalError)> {
        step_each(self, stage, state, decisions, next, costs)
    }

    /// The next states of every decision from one state, for the forward pass that finds
    /// the states reachable from the initial state (the backward pass then visits only
    /// those). Same layout as [`StagePlan::step_all`], but `allowed[j]` only says whether
    /// decision `lo + j` may be allowed: `f64::INFINITY` when it is known not to be, any
    /// other value when it may be. The next state of every decision that `step_all` allows
    /// must be written exactly; marking a decision that `step_all` rejects is harmless (a
    /// few states too many are kept), missing one is not. On an error the solver asks
    /// `step_all` instead. The default is `step_all`; override it when next states and
    /// requirements are cheaper to evaluate than costs.
    fn successors(
        &self,
        stage: usize,
        state: &[i64],
        decisions: (i64, i64),
        next: &mut [i64],
        allowed: &mut [f64],
    ) -> Result<(), (i64, EvalError)> {
        self.step_all(stage, state, decisions, next, allowed)
    }

    /// A fast path for rows whose next states are affine in the decision. When the next
    /// state of decision `lo + j` is `base + j * step` for every decision of `decisions`
    /// (whole numbers that fit in `i64`), writes `base` and `step` (one value per state
    /// dimension each) and `out`, and returns `Ok(true)`: with `costs`, `out` holds what
    /// [`StagePlan::step_all`] writes into its costs (the same values, bit for bit);
    /// without, what [`StagePlan::successors`] writes into `allowed`. `Ok(false)`: no fast
    /// path for this row, nothing is written, and the solver calls `step_all` or
    /// `successors`. The solver then computes next-state indices by arithmetic instead of
    /// one lookup per decision. The default has no fast path.
    #[allow(clippy::too_many_arguments)]
    fn affine_row(
        &self,
        stage: usize,
        state: &[i64],
        decisions: (i64, i64),
        base: &mut [i64],
        step: &mut [i64],
        out: &mut [f64],
        costs: bool,
    ) -> Result<bool, (i64, EvalError)> {
        let _ = (stage, state, decisions, base, step, out, costs);
        Ok(false)
    }
}

/// [`StagePlan::step_all`] by one [`StagePlan::step`] per decision: the default, and the
/// fallback of implementations that override `step_all` for some stages only.
pub fn step_each<P: StagePlan + ?Sized>(
    plan: &P,
    stage: usize,
    state: &[i64],
    decisions: (i64, i64),
    next: &mut [i64],
    costs: &mut [f64],
) -> Result<(), (i64, EvalError)> {
    let k = state.len();
    let (lo, _) = decisions;
    for (j, (cost, nx)) in costs
        .iter_mut()
        .zip(next.chunks_exact_mut(k.max(1)))
        .enumerate()
    {
        let d = lo + j as i64;
        let nx = &mut nx[..k];
        *cost = match plan.step(stage, state, d, nx) {
            Ok(Some(c)) => c,
            Ok(None) => f64::INFINITY,
            Err(e) => return Err((d, e)),
        };
    }
    Ok(())
}
