//! Dynamic-programming backend: exact solution of sequential `plan` blocks.
//!
//! The front end compiles each instance of a `plan` (one per index tuple, e.g.
//! `build[eu-west]`) into a value implementing [`StagePlan`]: stages, a bounded integer state
//! tuple, one bounded integer decision per stage, a transition with a stage cost and a terminal
//! cost. This module knows nothing of the language; it
//!
//! 1. sizes the solve up front ([`estimate`]) and refuses plans beyond a [`DpBudget`]
//!    ([`DpError::TooLarge`], E0610);
//! 2. finds the states reachable from the initial state by a forward pass (`reach`), then
//!    runs exact backward induction over those stage x state pairs ([`solve`], [`solve_many`]
//!    for many independent instances in parallel; [`DpOptions`] can turn the pass off);
//! 3. recovers the optimal decisions forward from the initial state ([`DpSolution`]), with
//!    ties going to the smallest decision;
//! 4. explains failures as data: no feasible policy ([`DpError::Infeasible`], E0611, with
//!    the stage where feasibility is lost) and evaluation errors in reachable states
//!    ([`DpError::Eval`], E0612, with stage, state and decision). [`DpError::diagnostic`]
//!    turns them into diagnostics.

mod error;
mod estimate;
mod plan;
mod progress;
mod reach;
mod solver;
mod synthetic;

pub use error::{ContractViolation, DpError, InfeasibleReason};
pub use estimate::{estimate, BudgetLimit, DpBudget, DpEstimate};
pub use plan::{step_each, EvalError, EvalErrorKind, StagePlan};
pub use progress::{DpProgress, DpProgressSnapshot, DP_PROGRESS};
pub use reach::FULL_FRACTION;
pub use solver::{
    solve, solve_many, solve_many_observed, solve_many_with, solve_with, DpOptions, DpSolution,
};
pub use synthetic::{synthetic_buildout, SyntheticBuildout, CORES_PER_RACK};
