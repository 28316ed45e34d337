//! archc: an optimization language for infrastructure planning.
//!
//! The pipeline: source text → [`syntax`] (pest parser, AST with spans) → [`resolve`] (names)
//! → [`check`] (types and units) → [`data`] (CSV/JSON) → instantiation into the [`ir`] →
//! [`backends`] (MILP through good_lp, or dynamic programming) → [`solve`] (verification,
//! explanation) → [`report`].

pub mod analysis;
pub mod backends;
pub mod diagnostics;
pub mod fmt;
pub mod syntax;
pub mod ir;
pub mod lsp;
pub mod solve;
pub mod source;
pub mod span;
pub mod units;
