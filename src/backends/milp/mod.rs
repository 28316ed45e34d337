//! MILP backend through good_lp.
