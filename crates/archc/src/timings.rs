//! The wall time of each phase of one analysis and solve, in the order the phases ran.

use serde::Serialize;
use std::time::Duration;

/// Wall time per phase, in the order the phases ran: `parse`, `load modules`,
/// `data names`, `check`, `instantiate`, `lower plans`, then `solve` and `verify`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Timings {
    pub phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Record that `phase` ran for `took`.
    pub fn push(&mut self, phase: &'static str, took: Duration) {
        self.phases.push((phase, took));
    }

    /// How many times `phase` ran.
    pub fn runs(&self, phase: &str) -> usize {
        self.phases.iter().filter(|(p, _)| *p == phase).count()
    }

    /// The total time of `phase` over its runs.
    pub fn total(&self, phase: &str) -> Duration {
        self.phases
            .iter()
            .filter(|(p, _)| *p == phase)
            .map(|(_, d)| *d)
            .sum()
    }
}
