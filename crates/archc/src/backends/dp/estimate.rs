//! Size estimate of a DP solve before it starts, and the budget it must fit in.
//!
//! The solver keeps one `f64` value table per stage (plus the terminal stage) over the whole
//! state space, and evaluates every decision from every state at every stage. Both numbers are
//! known from the plan's shape alone, so a plan that is too large is refused up front with the
//! numbers ([`super::DpError::TooLarge`], code E0610) instead of running out of memory.

use super::plan::StagePlan;
use serde::Serialize;

/// How big a DP solve of one plan is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DpEstimate {
    /// Number of stages (decisions along the horizon).
    pub stages: usize,
    /// Number of state dimensions.
    pub state_dims: usize,
    /// Product of the state dimension sizes (saturates at `u64::MAX`).
    pub states_per_stage: u64,
    /// The widest decision range over all stages.
    pub decisions_per_stage_max: u64,
    /// Bytes of memory the solve needs: `(stages + 1) * states_per_stage` `f64` values plus
    /// the scratch buffers for one state's decisions (saturates).
    pub table_bytes: u64,
    /// Transition evaluations: `states_per_stage * sum over stages of the decision count`,
    /// plus one terminal evaluation per state (saturates).
    pub evaluations: u64,
}

/// Limits a single plan's solve must stay within.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DpBudget {
    /// Default 2 GiB.
    pub max_table_bytes: u64,
    /// Default 5e9.
    pub max_evaluations: u64,
}

impl Default for DpBudget {
    fn default() -> Self {
        DpBudget {
            max_table_bytes: 2 << 30,
            max_evaluations: 5_000_000_000,
        }
    }
}

impl DpBudget {
    /// No limits (for tests and for callers that checked elsewhere).
    pub fn unlimited() -> Self {
        DpBudget {
            max_table_bytes: u64::MAX,
            max_evaluations: u64::MAX,
        }
    }
}

/// Which budget limit an estimate exceeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetLimit {
    TableBytes,
    Evaluations,
}

impl DpEstimate {
    /// The first limit of `budget` this estimate exceeds, if any (memory is checked first).
    pub fn exceeds(&self, budget: &DpBudget) -> Option<BudgetLimit> {
        if self.table_bytes > budget.max_table_bytes {
            Some(BudgetLimit::TableBytes)
        } else if self.evaluations > budget.max_evaluations {
            Some(BudgetLimit::Evaluations)
        } else {
            None
        }
    }
}

/// Number of integers in `lo..=hi` (0 when `lo > hi`).
pub(crate) fn range_len(lo: i64, hi: i64) -> u64 {
    if lo > hi {
        0
    } else {
        // Fits: at most 2^64 - 1 + 1 would overflow only for the full i64 range.
        ((hi as i128) - (lo as i128) + 1).min(u64::MAX as i128) as u64
    }
}

fn to_u64_saturating(x: u128) -> u64 {
    x.min(u64::MAX as u128) as u64
}

/// Estimates the memory and work of solving `plan` by backward induction. Cheap: it calls
/// only `stages`, `state_dims` and `decision_range`.
pub fn estimate(plan: &dyn StagePlan) -> DpEstimate {
    let stages = plan.stages();
    let dims = plan.state_dims();
    let mut states: u128 = 1;
    for &(lo, hi) in dims {
        states = states.saturating_mul(range_len(lo, hi) as u128);
    }
    let mut decisions_max: u64 = 0;
    let mut decisions_total: u128 = 0;
    for t in 0..stages {
        let (lo, hi) = plan.decision_range(t);
        let n = range_len(lo, hi);
        decisions_max = decisions_max.max(n);
        decisions_total = decisions_total.saturating_add(n as u128);
    }
    let k = dims.len().max(1) as u128;
    let table = (stages as u128 + 1)
        .saturating_mul(states)
        .saturating_mul(8);
    // Per state: one cost and one next state per decision, plus the current state.
    let scratch = (decisions_max as u128)
        .saturating_mul(8 + 8 * k)
        .saturating_add(8 * k);
    let evaluations = states
        .saturating_mul(decisions_total)
        .saturating_add(states);
    DpEstimate {
        stages,
        state_dims: dims.len(),
        states_per_stage: to_u64_saturating(states),
        decisions_per_stage_max: decisions_max,
        table_bytes: to_u64_saturating(table.saturating_add(scratch)),
        evaluations: to_u64_saturating(evaluations),
    }
}
