//! Solver backends: MILP through good_lp ([`milp`]) and our own dynamic programming ([`dp`]),
//! with the types both they and the solve layer use in [`types`]. Backends import nothing
//! from [`crate::solve`]; the solve layer calls them and verifies what they return.

pub mod dp;
pub mod milp;
pub mod search;
pub mod types;
