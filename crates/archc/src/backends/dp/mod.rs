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
mod reach;
mod solver;
mod synthetic;

pub use error::{ContractViolation, DpError, InfeasibleReason};
pub use estimate::{estimate, BudgetLimit, DpBudget, DpEstimate};
pub use plan::{step_each, EvalError, EvalErrorKind, StagePlan};
pub use reach::FULL_FRACTION;
pub use solver::{solve, solve_many, solve_many_with, solve_with, DpOptions, DpSolution};
pub use synthetic::{synthetic_buildout, SyntheticBuildout, CORES_PER_RACK};

use crate::diagnostics::codes::CodeInfo;

/// The diagnostic codes of the DP backend.
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0610",
        title: "plan state space too large for dynamic programming",
        explanation: "\
A `plan` is solved exactly by dynamic programming: for every stage, every state and every
decision, the transition and its cost are evaluated once, and one value per stage and state is
kept in memory. Before solving, the compiler multiplies these out:

    evaluations = states per stage x decisions per stage x stages
    memory      = (stages + 1) x states per stage x 8 bytes

and refuses the plan when either exceeds the limit (by default 5 000 000 000 evaluations and
2 GiB of memory per plan instance). The state space is the product of the sizes of all state
ranges, so it grows quickly with each state you add:

    plan build[r in regions] over q in quarters {
        state racks: 0..200000 = r.installed     // 200 001 states
        state spare: 0..1000 = 0                 // x 1 001 = 200 million states
        choose add: 0..5000                      // x 5 001 decisions
        ...
    }

How to fix it:
- narrow each state range to what can really happen (`racks: 0..2000`);
- count in coarser units (racks in tens, capacity in blocks of 100 cores);
- narrow the decision range (`choose add: 0..50`);
- drop a state that can be computed from the others.
The error gives the estimate, so you can see which factor dominates.",
    },
    CodeInfo {
        code: "E0611",
        title: "plan has no feasible policy",
        explanation: "\
No sequence of decisions takes the plan from its initial state through every stage while
meeting every `require` and staying inside the declared state ranges, and ends in an allowed
final state. The compiler explores all states, so this is a proof, not a heuristic.

The error says where feasibility is lost:
- the initial value lies outside the state's declared range;
- a state or decision range is empty (its lower bound exceeds its upper bound);
- at some stage, no decision is allowed from any state reachable so far (one such state is
  shown): typically demand grows faster than the largest decision can follow, e.g.

      state racks: 0..2000 = 100
      choose add: 0..50
      require racks * 40 core >= demand[r, q]     // demand needs 400 racks in quarter 2

- every stage can be crossed, but no reachable final state meets the final requirement.

How to fix it: widen the decision range (build more per stage), widen the state range (the
next state must stay inside it), relax the failing requirement, or check the demand data.",
    },
    CodeInfo {
        code: "E0612",
        title: "evaluation error in a plan",
        explanation: "\
Evaluating a transition, a requirement or a cost of a `plan` failed in a state that can be
reached from the initial state: a division by zero, an integer overflow, a lookup outside a
table's domain, or a cost that is not a finite number. The error gives the stage, the state and
the decision at which it happened; errors in states that cannot be reached are not reported.

    plan spread[r in regions] over q in quarters {
        state racks: 0..2000 = 0
        choose add: 0..50
        cost = budget[q] / racks        // racks is 0 in the first quarter
    }

How to fix it: guard the expression (`if racks > 0 then budget[q] / racks else 0`), or
restrict the state range so the failing state cannot occur.

The same code reports an internal inconsistency of a compiled plan (a transition that
evaluates differently on two calls); that is a compiler bug, please report it.",
    },
];
