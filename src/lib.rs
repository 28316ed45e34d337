//! archc: an optimization language for infrastructure planning.
//!
//! The pipeline: source text → [`syntax`] (pest parser, AST with spans) → [`resolve`] (names)
//! → [`check`] (types and units) → [`data`] (CSV/JSON) → instantiation into the [`ir`] →
//! [`backends`] (MILP through good_lp, or dynamic programming) → [`solve`] (verification,
//! explanation) → [`report`].

pub mod analysis;
pub mod backends;
pub mod check;
pub mod cli;
pub mod data;
pub mod diagnostics;
pub mod instantiate;
pub mod ir;
pub mod plan;
pub mod report;
pub mod resolve;
pub mod solve;
pub mod source;
pub mod span;
pub mod stdlib;
pub mod syntax;
pub mod units;
