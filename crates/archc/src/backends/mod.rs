//! Solver backends: MILP through good_lp ([`milp`]) and our own dynamic programming ([`dp`]).

pub mod dp;
pub mod milp;
