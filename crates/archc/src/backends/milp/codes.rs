//! Diagnostic codes of the MILP backend and of solution verification (E07xx, solving).

use crate::diagnostics::codes::CodeInfo;

/// E0701, E0702 and E0703 with their long explanations.
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0701",
        title: "solver not enabled in this build",
        explanation: "\
The solver you asked for (with `--solver` or in the solve options) is not compiled into
this build of archc. Each MILP solver is a cargo feature:

    microlp   pure Rust, the default, needs nothing installed
    highs     HiGHS, built from source: needs cmake, a C++ compiler and libclang
    cbc       COIN-OR CBC: needs the system's Cbc library (coinor-libcbc-dev)

Example:

    archc solve plan.arch --solver highs
    error[E0701]: solver `highs` is not enabled in this build

Fix it by rebuilding with the feature, e.g.

    cargo install archc --features highs

or by choosing a solver that is enabled (leave `--solver` out to take the best one
available).",
    },
    CodeInfo {
        code: "E0702",
        title: "solution violates the model",
        explanation: "\
Every solution a solver returns is checked against the instantiated model by code that
does not trust the solver: each constraint instance is recomputed from its coefficients,
each variable is checked against its bounds, and integer and binary variables must be
whole numbers (within a tolerance of 1e-6, relative to the size of the right-hand side).

This error means the check failed: the solver's answer does not satisfy the model. The
label points at the declaration of the first violated constraint or variable, with the
index tuple (`fit[eu-west]`), the required side and the value the solution gives.

It is not a mistake in your model. Usual causes are numerical trouble in the solver
(coefficients that differ by many orders of magnitude, such as a big-M of 1e9 next to
coefficients of 1e-3) or a solver stopped by a time limit. Try another solver with
`--solver`, rescale the units of the largest or smallest numbers (use `Tbps` instead of
`bps`), and report the model if a solver keeps returning a wrong answer.",
    },
    CodeInfo {
        code: "E0703",
        title: "the solver failed",
        explanation: "\
The solver stopped without an answer: not optimal, not a feasible solution within a limit,
not a proof of infeasibility or unboundedness. The message carries the solver's own
reason, for example

    error[E0703]: the microlp solver failed: Time limit reached before finding a feasible solution

Usual causes and fixes:

- The time limit ran out before any feasible solution was found: raise `--time-limit`,
  or try a stronger solver (`--solver highs`).
- The model's numbers are out of the solver's range (microlp accepts integer bounds only
  within the 32-bit range): tighten the bounds of the integer decisions.
- The model holds a NaN (a division by zero in the data): check the data files.",
    },
];
