//! Synthetic capacity build-out plans for benchmarks and tests of the DP backend.
//!
//! Each plan mirrors what the front end compiles from
//! `plan build[r in regions] over q in quarters { state racks; choose add; ... }`: the state is
//! the rack count, the decision the racks added this quarter, the requirement that capacity
//! covers demand, and the cost a quarterly price plus a setup charge plus upkeep.

use super::plan::{EvalError, StagePlan};

/// Cores per rack in the synthetic plans.
pub const CORES_PER_RACK: i64 = 40;

/// One region's synthetic build-out plan.
#[derive(Clone, Debug)]
pub struct SyntheticBuildout {
    dims: [(i64, i64); 1],
    initial: [i64; 1],
    max_decision: i64,
    /// Cores demanded at the end of each stage.
    pub demand: Vec<i64>,
    /// Price per rack added, per stage.
    pub price: Vec<f64>,
    /// Fixed charge of any build in a stage.
    pub setup: f64,
    /// Upkeep per rack held at the end of a stage.
    pub upkeep: f64,
}

impl StagePlan for SyntheticBuildout {
    fn stages(&self) -> usize {
        self.demand.len()
    }

    fn state_dims(&self) -> &[(i64, i64)] {
        &self.dims
    }

    fn initial_state(&self) -> &[i64] {
        &self.initial
    }

    fn decision_range(&self, _stage: usize) -> (i64, i64) {
        (0, self.max_decision)
    }

    #[inline]
    fn step(
        &self,
        stage: usize,
        state: &[i64],
        decision: i64,
        next: &mut [i64],
    ) -> Result<Option<f64>, EvalError> {
        let racks = state[0].saturating_add(decision);
        next[0] = racks;
        if racks.saturating_mul(CORES_PER_RACK) < self.demand[stage] {
            return Ok(None);
        }
        let setup = if decision > 0 { self.setup } else { 0.0 };
        Ok(Some(
            self.price[stage] * decision as f64 + setup + self.upkeep * racks as f64,
        ))
    }

    fn terminal(&self, _state: &[i64]) -> Result<Option<f64>, EvalError> {
        Ok(Some(0.0))
    }

    /// All decisions of one state at once: the demand test becomes a lower bound on the
    /// decision, and the cost is linear in it apart from the setup charge.
    fn step_all(
        &self,
        stage: usize,
        state: &[i64],
        decisions: (i64, i64),
        next: &mut [i64],
        costs: &mut [f64],
    ) -> Result<(), (i64, EvalError)> {
        let (lo, _) = decisions;
        let racks = state[0];
        let demand = self.demand[stage];
        let price = self.price[stage];
        for (j, (cost, nx)) in costs.iter_mut().zip(next.iter_mut()).enumerate() {
            let d = lo + j as i64;
            let after = racks.saturating_add(d);
            *nx = after;
            *cost = if after.saturating_mul(CORES_PER_RACK) < demand {
                f64::INFINITY
            } else {
                let setup = if d > 0 { self.setup } else { 0.0 };
                price * d as f64 + setup + self.upkeep * after as f64
            };
        }
        Ok(())
    }
}

/// SplitMix64: a small deterministic generator, enough for synthetic data.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `regions` feasible build-out plans of `stages` stages, with states `0..=max_state` racks
/// and decisions `0..=max_decision` racks per stage, generated deterministically from `seed`.
/// With `(100, 40, 2000, 50, seed)` this is 100 plans x 40 stages x 2001 states x 51 decisions.
pub fn synthetic_buildout(
    regions: usize,
    stages: usize,
    max_state: i64,
    max_decision: i64,
    seed: u64,
) -> Vec<SyntheticBuildout> {
    let max_state = max_state.max(0);
    let max_decision = max_decision.max(0);
    let mut rng = SplitMix(seed);
    (0..regions)
        .map(|_| {
            let initial = rng.below(max_state as u64 / 10 + 1) as i64;
            // Needed racks grow by at most `max_decision` per stage, so every plan is feasible.
            let rate = 0.3 + 0.6 * rng.unit();
            let mut need = initial as f64;
            let demand = (0..stages)
                .map(|t| {
                    need += rate * max_decision as f64 * rng.unit() * 1.5;
                    let reachable = (initial as f64 + (max_decision as f64) * (t as f64 + 1.0))
                        .min(max_state as f64);
                    let racks = need.min(reachable) as i64;
                    let slack = rng.below(CORES_PER_RACK as u64) as i64;
                    (racks.saturating_mul(CORES_PER_RACK) - slack).max(0)
                })
                .collect();
            let base = 800.0 + 400.0 * rng.unit();
            let price = (0..stages)
                .map(|_| base * (0.8 + 0.4 * rng.unit()))
                .collect();
            SyntheticBuildout {
                dims: [(0, max_state)],
                initial: [initial],
                max_decision,
                demand,
                price,
                setup: 5000.0 + 5000.0 * rng.unit(),
                upkeep: 20.0 + 20.0 * rng.unit(),
            }
        })
        .collect()
}
