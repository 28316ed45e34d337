//! Verification of solutions against the instantiated model, independent of the solver.
