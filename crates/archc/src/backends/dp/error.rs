//! Why a DP solve gave no solution: [`DpError`], and its conversion into a [`Diagnostic`].
//!
//! The errors hold data (stages, states, numbers); the front end turns them into diagnostics
//! with [`DpError::diagnostic`], giving the span of the plan instance and its display name.

use super::estimate::{BudgetLimit, DpBudget, DpEstimate};
use super::plan::EvalError;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use serde::Serialize;
use std::fmt;

/// Why a plan has no feasible policy (code E0611).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum InfeasibleReason {
    /// The initial value of state dimension `dim` lies outside its declared range.
    InitialStateOutOfRange {
        dim: usize,
        value: i64,
        lo: i64,
        hi: i64,
    },
    /// State dimension `dim` has an empty range (`lo > hi`).
    EmptyStateRange { dim: usize, lo: i64, hi: i64 },
    /// Stage `stage` has an empty decision range (`lo > hi`).
    EmptyDecisionRange { stage: usize, lo: i64, hi: i64 },
    /// Some states are reachable at `stage`, but from none of them is any decision allowed.
    /// `example_state` is the first of them in state order.
    DeadEnd {
        stage: usize,
        reachable_states: u64,
        example_state: Vec<i64>,
    },
    /// Every stage can be crossed, but no reachable final state is allowed by the terminal
    /// condition. `example_state` is the first reachable final state.
    NoFeasibleFinalState {
        reachable_states: u64,
        example_state: Vec<i64>,
    },
}

/// A plan whose implementation breaks the [`super::StagePlan`] contract (a compiler bug, not
/// a user error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum ContractViolation {
    /// `state_dims()` is empty.
    NoStateDimensions,
    /// `initial_state()` does not have one value per state dimension.
    InitialStateLength { expected: usize, found: usize },
    /// Evaluating the same transition twice gave different answers.
    NonDeterministic { stage: usize },
}

/// Why a DP solve returned no solution.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DpError {
    /// E0610: the solve would exceed the budget.
    TooLarge {
        estimate: DpEstimate,
        budget: DpBudget,
        limit: BudgetLimit,
    },
    /// E0611: no policy satisfies every requirement.
    Infeasible(InfeasibleReason),
    /// E0612: evaluating the plan failed in a state reachable from the initial state.
    /// `stage` is `None` for the terminal cost; `decision` is `None` there too.
    Eval {
        stage: Option<usize>,
        state: Vec<i64>,
        decision: Option<i64>,
        error: EvalError,
    },
    /// The plan implementation is inconsistent (reported under E0612 as an internal error).
    Contract(ContractViolation),
}

impl DpError {
    /// The diagnostic code of this error.
    pub fn code(&self) -> Code {
        match self {
            DpError::TooLarge { .. } => Code::E0610,
            DpError::Infeasible(_) => Code::E0611,
            DpError::Eval { .. } | DpError::Contract(_) => Code::E0612,
        }
    }

    /// A diagnostic for plan instance `instance` (e.g. `build[eu-west]`) declared at `span`.
    /// The front end may add secondary labels (e.g. the span of the failing expression, which
    /// [`EvalError::span`] carries, is added here when known).
    pub fn diagnostic(&self, span: Span, instance: &str) -> Diagnostic {
        let d = Diagnostic::error(self.code(), self.title(instance));
        match self {
            DpError::TooLarge {
                estimate, budget, ..
            } => d
                .primary(span, "this plan is solved by dynamic programming")
                .note(format!(
                    "{} states per stage x up to {} decisions x {} stages = {} evaluations, {} of value tables, counted over every state of the ranges (before the states unreachable from the start are pruned)",
                    estimate.states_per_stage,
                    estimate.decisions_per_stage_max,
                    estimate.stages,
                    estimate.evaluations,
                    human_bytes(estimate.table_bytes)
                ))
                .help(format!(
                    "narrow the state or decision ranges, or count in coarser units; the limit is {} evaluations and {} of memory per plan",
                    budget.max_evaluations,
                    human_bytes(budget.max_table_bytes)
                )),
            DpError::Infeasible(reason) => {
                let (label, help) = match reason {
                    InfeasibleReason::InitialStateOutOfRange { dim, value, lo, hi } => (
                        format!("initial value {value} of state {dim} is outside {lo}..{hi}"),
                        "widen the state range or correct the initial value",
                    ),
                    InfeasibleReason::EmptyStateRange { dim, lo, hi } => (
                        format!("state {dim} has the empty range {lo}..{hi}"),
                        "give the state a range whose lower bound is at most its upper bound",
                    ),
                    InfeasibleReason::EmptyDecisionRange { stage, lo, hi } => (
                        format!("stage {stage} has the empty decision range {lo}..{hi}"),
                        "give the decision a non-empty range at every stage",
                    ),
                    InfeasibleReason::DeadEnd {
                        stage,
                        reachable_states,
                        example_state,
                    } => (
                        format!(
                            "at stage {stage}, no decision is allowed from any of the {reachable_states} reachable states (e.g. {example_state:?})"
                        ),
                        "relax the requirements of that stage, or widen the decision or state ranges",
                    ),
                    InfeasibleReason::NoFeasibleFinalState {
                        reachable_states,
                        example_state,
                    } => (
                        format!(
                            "none of the {reachable_states} reachable final states is allowed (e.g. {example_state:?})"
                        ),
                        "relax the final requirement, or widen the decision or state ranges",
                    ),
                };
                d.primary(span, label).help(help)
            }
            DpError::Eval {
                stage,
                state,
                decision,
                error,
            } => {
                let at = match (stage, decision) {
                    (Some(t), Some(x)) => {
                        format!("at stage {t}, in state {state:?}, with decision {x}")
                    }
                    (Some(t), None) => format!("at stage {t}, in state {state:?}"),
                    _ => format!("in the final cost of state {state:?}"),
                };
                let mut d = d.primary(span, format!("{error} {at}"));
                if let Some(s) = error.span {
                    d = d.secondary(s, "evaluated here");
                }
                d.help("guard the expression (e.g. `if x > 0 then ... else ...`) or restrict the ranges so this state cannot be reached")
            }
            DpError::Contract(v) => d
                .primary(span, format!("{v:?}"))
                .note("this is a compiler bug, not a problem in the model"),
        }
    }

    fn title(&self, instance: &str) -> String {
        match self {
            DpError::TooLarge { limit, .. } => {
                let what = match limit {
                    BudgetLimit::TableBytes => "memory",
                    BudgetLimit::Evaluations => "work",
                };
                format!("plan `{instance}` is too large for dynamic programming ({what})")
            }
            DpError::Infeasible(_) => format!("plan `{instance}` has no feasible policy"),
            DpError::Eval { .. } => format!("evaluation error in plan `{instance}`"),
            DpError::Contract(_) => {
                format!("internal error: plan `{instance}` is inconsistent")
            }
        }
    }
}

impl fmt::Display for DpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DpError::TooLarge {
                estimate, budget, ..
            } => write!(
                f,
                "plan too large for DP: {} evaluations (limit {}), {} bytes (limit {})",
                estimate.evaluations,
                budget.max_evaluations,
                estimate.table_bytes,
                budget.max_table_bytes
            ),
            DpError::Infeasible(r) => write!(f, "plan has no feasible policy: {r:?}"),
            DpError::Eval {
                stage,
                state,
                decision,
                error,
            } => write!(
                f,
                "evaluation error ({error}) at stage {stage:?}, state {state:?}, decision {decision:?}"
            ),
            DpError::Contract(v) => write!(f, "inconsistent plan: {v:?}"),
        }
    }
}

impl std::error::Error for DpError {}

/// `1536` -> `1.5 KiB`.
pub(crate) fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
