//! Forward reachability: which states can occur at each stage, starting from the initial
//! state, so that backward induction computes values only there.
//!
//! A plan declares generous state ranges (`racks: 0..2000`), but from one initial state and
//! bounded decisions only part of the space is ever entered: at stage 0 the initial state
//! alone, then whatever allowed steps lead to. The forward pass asks each reachable state for
//! its successors ([`StagePlan::successors`]: next states and requirements, no costs) and
//! marks them in one bitset per stage. The backward pass then visits only marked states.
//!
//! Why the answers do not change: every value the backward pass reads is that of a successor
//! of a marked state through a step `step_all` allows, and every such successor is marked
//! (successors may mark more, never fewer; a state whose successors cannot be evaluated is
//! asked `step_all`, and a state where that fails too gets the error value, NaN, before any
//! successor is read). Values of marked states are computed by the same code as without
//! the pass, so the optimum, the decisions and the error reports are the same.
//!
//! Where it pays: when most of the space is reachable, the pass costs without saving. It
//! stops at the first stage where more than [`FULL_FRACTION`] of the states are marked and
//! keeps every state from there on (the whole space is a superset of what is reachable, so
//! that stays exact).

use super::plan::StagePlan;
use super::solver::{decision_count, Layout, StepBuffers, PAR_EVALUATIONS};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Above this share of the state space marked at one stage, the pass stops and keeps all
/// states of that stage and the later ones.
pub const FULL_FRACTION: f64 = 0.85;

/// The states kept at each stage `0..=stages`.
pub(crate) struct Reachable {
    /// Per stage: a bitset over the linear state index, or `None` for every state.
    sets: Vec<Option<Vec<u64>>>,
    /// Per stage: how many states are kept.
    counts: Vec<u64>,
}

impl Reachable {
    /// Every state at every stage (no pruning).
    pub(crate) fn full(stages: usize, states: usize) -> Reachable {
        Reachable {
            sets: vec![None; stages + 1],
            counts: vec![states as u64; stages + 1],
        }
    }

    /// The bitset of `stage`, `None` when every state is kept.
    pub(crate) fn set(&self, stage: usize) -> Option<&[u64]> {
        self.sets.get(stage).and_then(|s| s.as_deref())
    }

    /// How many states are kept at `stage`.
    pub(crate) fn count(&self, stage: usize) -> u64 {
        self.counts.get(stage).copied().unwrap_or(0)
    }
}

/// Whether bit `i` of `bits` is set.
#[inline]
pub(crate) fn has(bits: &[u64], i: usize) -> bool {
    bits[i >> 6] >> (i & 63) & 1 == 1
}

/// The forward pass over `plan` (see the module documentation).
pub(crate) fn forward(plan: &dyn StagePlan, layout: &Layout) -> Reachable {
    let s = layout.states;
    let stages = plan.stages();
    let words = s.div_ceil(64);
    let mut out = Reachable::full(stages, s);
    let mut cur = vec![0u64; words];
    match layout.index(plan.initial_state()) {
        Some(i) => cur[i >> 6] |= 1 << (i & 63),
        // Out of range: the solver reports it before any pass.
        None => return out,
    }
    out.counts[0] = 1;
    for t in 0..stages {
        let next: Vec<AtomicU64> = (0..words).map(|_| AtomicU64::new(0)).collect();
        forward_stage(plan, layout, t, &cur, out.count(t), &next);
        out.sets[t] = Some(cur);
        cur = next.into_iter().map(AtomicU64::into_inner).collect();
        let count: u64 = cur.iter().map(|w| u64::from(w.count_ones())).sum();
        if count as f64 > FULL_FRACTION * s as f64 {
            // Stages t + 1.. keep every state (`out` already says so).
            return out;
        }
        out.counts[t + 1] = count;
    }
    out.sets[stages] = Some(cur);
    out
}

/// Marks in `next` the successors of the states marked in `cur` (`count` of them).
fn forward_stage(
    plan: &dyn StagePlan,
    layout: &Layout,
    t: usize,
    cur: &[u64],
    count: u64,
    next: &[AtomicU64],
) {
    let decisions = plan.decision_range(t);
    let nd = decision_count(decisions);
    let k = layout.k();
    let visit = |scratch: &mut (Vec<i64>, StepBuffers), first_word: usize, words: &[u64]| {
        let (state, bufs) = scratch;
        for (w, &bits) in words.iter().enumerate() {
            let mut b = bits;
            while b != 0 {
                let i = (first_word + w) * 64 + b.trailing_zeros() as usize;
                b &= b - 1;
                layout.decode(i, state);
                mark_successors(plan, layout, t, decisions, state, bufs, next);
            }
        }
    };
    let evaluations = (count as usize).saturating_mul(nd);
    if evaluations <= PAR_EVALUATIONS {
        let mut scratch = (vec![0; k], StepBuffers::new(k, nd));
        visit(&mut scratch, 0, cur);
    } else {
        // Chunks of words holding about PAR_EVALUATIONS evaluations each on average.
        let per_word = (count as usize * nd).div_ceil(cur.len().max(1)).max(1);
        let chunk = (PAR_EVALUATIONS / per_word).max(1);
        cur.par_chunks(chunk).enumerate().for_each_init(
            || (vec![0; k], StepBuffers::new(k, nd)),
            |scratch, (ci, words)| visit(scratch, ci * chunk, words),
        );
    }
}

/// Marks the successors of one state through every decision that may be allowed.
fn mark_successors(
    plan: &dyn StagePlan,
    layout: &Layout,
    t: usize,
    decisions: (i64, i64),
    state: &[i64],
    bufs: &mut StepBuffers,
    next: &[AtomicU64],
) {
    let StepBuffers {
        next: nx,
        costs,
        base,
        step,
    } = bufs;
    if let Ok(true) = plan.affine_row(t, state, decisions, base, step, costs, false) {
        mark_affine(layout, base, step, costs, next);
        return;
    }
    let ok = plan.successors(t, state, decisions, nx, costs).is_ok()
        || plan.step_all(t, state, decisions, nx, costs).is_ok();
    if !ok {
        // The backward pass gives this state NaN before it reads any successor.
        return;
    }
    let k = layout.k();
    for (j, &c) in costs.iter().enumerate() {
        if c == f64::INFINITY {
            continue;
        }
        if let Some(ni) = layout.index(&nx[j * k..j * k + k]) {
            mark(next, ni, ni);
        }
    }
}

/// Marks the successors of an affine row (next state `base + j * step` for decision
/// `lo + j`, where `allowed[j]` is not `+inf`).
fn mark_affine(layout: &Layout, base: &[i64], step: &[i64], allowed: &[f64], next: &[AtomicU64]) {
    let Some(span) = layout.affine_span(base, step, allowed.len()) else {
        return;
    };
    let row = &allowed[span.first..=span.last];
    if span.stride() == 1 && row.iter().all(|&c| c != f64::INFINITY) {
        mark(next, span.index(span.first), span.index(span.last));
        return;
    }
    for (j, &c) in row.iter().enumerate() {
        if c != f64::INFINITY {
            let i = span.index(span.first + j);
            mark(next, i, i);
        }
    }
}

/// Sets bits `from..=to` of `bits`.
#[inline]
fn mark(bits: &[AtomicU64], from: usize, to: usize) {
    let mut i = from;
    while i <= to {
        let w = i >> 6;
        let end = to.min(w * 64 + 63);
        let len = end - i + 1;
        let m = if len == 64 {
            u64::MAX
        } else {
            ((1u64 << len) - 1) << (i & 63)
        };
        if bits[w].load(Ordering::Relaxed) & m != m {
            bits[w].fetch_or(m, Ordering::Relaxed);
        }
        i = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::plan::{EvalError, EvalErrorKind, StagePlan};
    use super::super::solver::{solve_with, DpOptions};
    use super::*;

    /// A walk on `0..=1000` from 500: each stage adds a decision in `0..=step` (nothing
    /// past `cap` is allowed), and costs `(state - 520)^2`. `successors` can fail on odd states (then
    /// the solver must ask `step_all`).
    struct Walk {
        dims: [(i64, i64); 1],
        init: [i64; 1],
        stages: usize,
        step: i64,
        cap: i64,
        failing_successors: bool,
        /// Offer the fast path for affine rows (next state `state + decision`).
        rows: bool,
        /// Decisions go down to `-down`.
        down: i64,
    }

    impl StagePlan for Walk {
        fn stages(&self) -> usize {
            self.stages
        }
        fn state_dims(&self) -> &[(i64, i64)] {
            &self.dims
        }
        fn initial_state(&self) -> &[i64] {
            &self.init
        }
        fn decision_range(&self, _: usize) -> (i64, i64) {
            (-self.down, self.step)
        }
        fn step(
            &self,
            _: usize,
            state: &[i64],
            d: i64,
            next: &mut [i64],
        ) -> Result<Option<f64>, EvalError> {
            next[0] = state[0] + d;
            if next[0] > self.cap {
                return Ok(None);
            }
            Ok(Some(((state[0] - 520) * (state[0] - 520)) as f64))
        }
        fn terminal(&self, state: &[i64]) -> Result<Option<f64>, EvalError> {
            Ok(Some(state[0] as f64))
        }
        fn successors(
            &self,
            stage: usize,
            state: &[i64],
            decisions: (i64, i64),
            next: &mut [i64],
            allowed: &mut [f64],
        ) -> Result<(), (i64, EvalError)> {
            if self.failing_successors && state[0] % 2 == 1 {
                return Err((0, EvalError::new(EvalErrorKind::Other("no".into()))));
            }
            // Ignores the cap: marks more than `step_all` allows, which is allowed.
            let (lo, _) = decisions;
            for (j, ok) in allowed.iter_mut().enumerate() {
                next[j] = state[0] + lo + j as i64;
                *ok = 0.0;
            }
            let _ = stage;
            Ok(())
        }
        fn affine_row(
            &self,
            stage: usize,
            state: &[i64],
            (lo, hi): (i64, i64),
            base: &mut [i64],
            step: &mut [i64],
            out: &mut [f64],
            costs: bool,
        ) -> Result<bool, (i64, EvalError)> {
            if !self.rows {
                return Ok(false);
            }
            base[0] = state[0] + lo;
            step[0] = 1;
            let mut next = [0];
            for (j, o) in out.iter_mut().enumerate() {
                let d = lo + j as i64;
                *o = match self.step(stage, state, d, &mut next) {
                    Ok(Some(c)) if costs => c,
                    Ok(Some(_)) => 0.0,
                    _ => f64::INFINITY,
                };
            }
            let _ = hi;
            Ok(true)
        }
    }

    fn walk(step: i64, failing_successors: bool) -> Walk {
        Walk {
            dims: [(0, 1000)],
            init: [500],
            stages: 6,
            step,
            cap: 505,
            failing_successors,
            rows: false,
            down: 0,
        }
    }

    fn both(plan: &Walk) -> (super::super::DpSolution, super::super::DpSolution) {
        let pruned = solve_with(plan, &DpOptions::default()).expect("solves");
        let full = solve_with(
            plan,
            &DpOptions {
                prune_unreachable: false,
                ..DpOptions::default()
            },
        )
        .expect("solves");
        (pruned, full)
    }

    /// From 500 with steps of 0..=2, stage t reaches 500..=500 + 2t: 1 + 3 + 5 + ... states,
    /// against 1001 per stage without the pass; the answers are the same.
    #[test]
    fn pruning_visits_only_reachable_states_and_keeps_the_answer() {
        for failing in [false, true] {
            let plan = walk(2, failing);
            let (pruned, full) = both(&plan);
            let reachable: u64 = (0..=6).map(|t| 2 * t + 1).sum();
            assert_eq!(pruned.states_explored, reachable);
            assert_eq!(full.states_explored, 1001 * 7);
            assert_eq!(
                pruned.evaluations,
                (0..6).map(|t| (2 * t + 1) * 3).sum::<u64>() + 13
            );
            assert_eq!(pruned.cost, full.cost);
            assert_eq!(pruned.decisions, full.decisions);
            assert_eq!(pruned.states, full.states);
            assert_eq!(pruned.stage_costs, full.stage_costs);
        }
    }

    /// Successors that mark more than `step_all` allows, or fail, leave the answer alone;
    /// the reachable sets are what the forward pass says they are.
    #[test]
    fn forward_sets_are_supersets_of_allowed_successors() {
        let plan = walk(2, true);
        let layout = Layout::new_for_tests(plan.state_dims());
        let r = forward(&plan, &layout);
        for t in 0..=6usize {
            let bits = r.set(t).expect("sparse");
            let kept: Vec<usize> = (0..1001).filter(|&i| has(bits, i)).collect();
            let expected: Vec<usize> = (500..=500 + 2 * t).collect();
            assert_eq!(kept, expected, "stage {t}");
        }
    }

    /// The fast path for affine rows gives the same answers and visits the same states,
    /// with next states leaving the space at both ends (state range `0..=1000`, steps
    /// `-3..=3` from near the edges and the middle).
    #[test]
    fn affine_rows_give_the_same_answers() {
        for init in [1, 500, 999] {
            let general = Walk {
                dims: [(0, 1000)],
                init: [init],
                stages: 5,
                step: 3,
                // Past the state range: the solver, not the plan, drops those steps.
                cap: 2000,
                failing_successors: false,
                rows: false,
                down: 3,
            };
            let fast = Walk {
                rows: true,
                ..general
            };
            for prune in [true, false] {
                let opts = DpOptions {
                    prune_unreachable: prune,
                    ..DpOptions::default()
                };
                let a = solve_with(&general, &opts).expect("solves");
                let b = solve_with(&fast, &opts).expect("solves");
                assert_eq!(a, b, "init {init}, prune {prune}");
            }
        }
    }

    /// When most of the space is reachable the pass stops and keeps every state from there
    /// on; the answer is still the same.
    #[test]
    fn dense_reachable_sets_stop_the_pass() {
        let plan = Walk {
            dims: [(0, 40)],
            init: [0],
            stages: 5,
            step: 20,
            cap: 40,
            failing_successors: false,
            rows: false,
            down: 0,
        };
        let layout = Layout::new_for_tests(plan.state_dims());
        let r = forward(&plan, &layout);
        // Stage 1 reaches 0..=20 (21 of 41: kept sparse), stage 2 reaches 0..=40 (all).
        assert_eq!(r.count(1), 21);
        assert!(r.set(1).is_some());
        assert!(r.set(2).is_none() && r.set(5).is_none());
        assert_eq!(r.count(2), 41);
        let (pruned, full) = both(&plan);
        assert_eq!(pruned.states_explored, 1 + 21 + 41 * 4);
        assert_eq!(
            (pruned.cost, &pruned.decisions),
            (full.cost, &full.decisions)
        );
    }
}
