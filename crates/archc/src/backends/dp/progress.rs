//! How far a running DP solve is: plans and backward-induction stages done out of the total,
//! for a progress display on another thread. [`DP_PROGRESS`] is the process-wide one that
//! [`super::solve_many_with`] reports to (a display has no other handle on the solve);
//! [`super::solve_many_observed`] reports to any other.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of a running DP solve, updated by the solver and read by a display.
#[derive(Debug, Default)]
pub struct DpProgress {
    plans_total: AtomicU64,
    plans_done: AtomicU64,
    stages_total: AtomicU64,
    stages_done: AtomicU64,
}

/// The counters as read at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DpProgressSnapshot {
    /// Plans (instances) to solve.
    pub plans_total: u64,
    /// Plans solved (their policy recovered or their failure found).
    pub plans_done: u64,
    /// Backward-induction stages over every plan.
    pub stages_total: u64,
    /// Stages whose value table is computed.
    pub stages_done: u64,
}

/// The process-wide counters.
pub static DP_PROGRESS: DpProgress = DpProgress {
    plans_total: AtomicU64::new(0),
    plans_done: AtomicU64::new(0),
    stages_total: AtomicU64::new(0),
    stages_done: AtomicU64::new(0),
};

impl DpProgress {
    /// Fresh counters.
    pub fn new() -> DpProgress {
        DpProgress::default()
    }

    /// Forget an earlier solve.
    pub fn reset(&self) {
        for c in [
            &self.plans_total,
            &self.plans_done,
            &self.stages_total,
            &self.stages_done,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }

    /// Read the counters.
    pub fn snapshot(&self) -> DpProgressSnapshot {
        DpProgressSnapshot {
            plans_total: self.plans_total.load(Ordering::Relaxed),
            plans_done: self.plans_done.load(Ordering::Relaxed),
            stages_total: self.stages_total.load(Ordering::Relaxed),
            stages_done: self.stages_done.load(Ordering::Relaxed),
        }
    }

    pub(super) fn add_work(&self, plans: u64, stages: u64) {
        self.plans_total.fetch_add(plans, Ordering::Relaxed);
        self.stages_total.fetch_add(stages, Ordering::Relaxed);
    }

    pub(super) fn stage_done(&self) {
        self.stages_done.fetch_add(1, Ordering::Relaxed);
    }

    /// A plan ended early (an error before its last stage): its stages count as done.
    pub(super) fn plan_done(&self, stages_left: u64) {
        self.stages_done.fetch_add(stages_left, Ordering::Relaxed);
        self.plans_done.fetch_add(1, Ordering::Relaxed);
    }
}

impl DpProgressSnapshot {
    /// The share of the stages done, from 0 to 1 (0 before any work is known).
    pub fn fraction(&self) -> f64 {
        if self.stages_total == 0 {
            0.0
        } else {
            (self.stages_done as f64 / self.stages_total as f64).min(1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::solver::{solve_many_observed, DpOptions};
    use super::super::synthetic::synthetic_buildout;
    use super::super::StagePlan;
    use super::*;

    #[test]
    fn every_stage_of_every_plan_is_counted_once() {
        let plans = synthetic_buildout(7, 12, 300, 20, 3);
        let refs: Vec<&dyn StagePlan> = plans.iter().map(|p| p as &dyn StagePlan).collect();
        let progress = DpProgress::new();
        let results = solve_many_observed(&refs, &DpOptions::default(), &progress);
        assert!(results.iter().all(|r| r.is_ok()));
        let s = progress.snapshot();
        assert_eq!(
            s,
            DpProgressSnapshot {
                plans_total: 7,
                plans_done: 7,
                stages_total: 7 * 12,
                stages_done: 7 * 12,
            }
        );
        assert_eq!(s.fraction(), 1.0);
        progress.reset();
        assert_eq!(progress.snapshot(), DpProgressSnapshot::default());
        assert_eq!(progress.snapshot().fraction(), 0.0);
    }

    #[test]
    fn a_plan_that_fails_counts_its_remaining_stages() {
        // Demand beyond what the racks can ever hold: no feasible policy.
        let mut plans = synthetic_buildout(2, 6, 50, 5, 9);
        plans[1].demand = vec![1_000_000; 6];
        let refs: Vec<&dyn StagePlan> = plans.iter().map(|p| p as &dyn StagePlan).collect();
        let progress = DpProgress::new();
        let results = solve_many_observed(&refs, &DpOptions::default(), &progress);
        assert!(results[0].is_ok() && results[1].is_err());
        let s = progress.snapshot();
        assert_eq!((s.plans_done, s.stages_done), (2, 12));
    }
}
