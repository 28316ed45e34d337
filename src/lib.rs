//! archc: an optimization language for infrastructure planning.
//!
//! The pipeline: source text → [`syntax`] (pest parser, AST with spans) → [`resolve`] (names)
//! → [`check`] (types and units) → [`data`] (CSV/JSON) → [`instantiate`] into the [`ir`] →
//! [`backends`] (MILP through good_lp, or dynamic programming for [`plan`]s) → [`solve`]
//! (verification, explanation) → [`report`]. [`analysis::analyze`] is the one entry point
//! for the CLI, the tests and the language server ([`lsp`]).

pub mod analysis;
pub mod backends;
pub mod check;
pub mod cli;
pub mod data;
pub mod diagnostics;
pub mod fmt;
pub mod instantiate;
pub mod ir;
pub mod lsp;
pub mod modeltest;
pub mod plan;
pub mod report;
pub mod resolve;
pub mod solve;
pub mod source;
pub mod span;
pub mod stdlib;
pub mod syntax;
pub mod units;
