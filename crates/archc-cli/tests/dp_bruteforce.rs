//! DP against brute-force enumeration of every decision sequence on random small plans:
//! same optimal cost, the lexicographically smallest optimal decisions (ties go to the
//! smallest decision), replay through `step` gives the reported cost and trajectory, and
//! evaluation errors are reported exactly when one is reachable. The solve with the
//! reachability pass (the default) and without it give the same answer, error or infeasibility.

use archc::backends::dp::{
    solve, solve_with, DpBudget, DpError, DpOptions, DpSolution, EvalError, EvalErrorKind,
    InfeasibleReason, StagePlan,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// A plan whose transitions, costs, infeasibilities and errors come from a hash of
/// (seed, stage, state, decision). Costs are small integers, so sums are exact.
#[derive(Clone, Debug)]
struct HashPlan {
    seed: u64,
    dims: Vec<(i64, i64)>,
    init: Vec<i64>,
    decisions: Vec<(i64, i64)>,
    /// Per dimension: how strongly the decision moves the state.
    push: Vec<i64>,
    /// Evaluation errors happen once in `errors` hashes (0 = never).
    errors: u64,
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl HashPlan {
    fn hash(&self, stage: u64, state: &[i64], decision: i64) -> u64 {
        let mut h = mix(self.seed ^ stage.wrapping_mul(0x1234_5678_9ABC));
        for &v in state {
            h = mix(h ^ v as u64);
        }
        mix(h ^ (decision as u64).wrapping_mul(31))
    }
}

impl StagePlan for HashPlan {
    fn stages(&self) -> usize {
        self.decisions.len()
    }
    fn state_dims(&self) -> &[(i64, i64)] {
        &self.dims
    }
    fn initial_state(&self) -> &[i64] {
        &self.init
    }
    fn decision_range(&self, stage: usize) -> (i64, i64) {
        self.decisions[stage]
    }
    fn step(
        &self,
        stage: usize,
        state: &[i64],
        decision: i64,
        next: &mut [i64],
    ) -> Result<Option<f64>, EvalError> {
        let h = self.hash(stage as u64, state, decision);
        if self.errors > 0 && (h >> 40).is_multiple_of(self.errors) {
            return Err(EvalError::new(EvalErrorKind::DivisionByZero));
        }
        for (i, n) in next.iter_mut().enumerate() {
            let wobble = ((h >> (8 * i)) % 3) as i64 - 1;
            *n = state[i] + self.push[i] * decision + wobble;
        }
        if h.is_multiple_of(7) {
            return Ok(None);
        }
        Ok(Some(((h >> 20) % 50) as f64))
    }
    fn terminal(&self, state: &[i64]) -> Result<Option<f64>, EvalError> {
        let h = self.hash(u64::MAX, state, 0);
        if self.errors > 0 && (h >> 40).is_multiple_of(self.errors + 6) {
            return Err(EvalError::new(EvalErrorKind::Overflow));
        }
        if h.is_multiple_of(6) {
            return Ok(None);
        }
        Ok(Some(((h >> 20) % 30) as f64))
    }
}

fn in_range(plan: &dyn StagePlan, state: &[i64]) -> bool {
    state
        .iter()
        .zip(plan.state_dims())
        .all(|(&v, &(lo, hi))| lo <= v && v <= hi)
}

/// What exhaustive enumeration finds.
#[derive(Debug, Default)]
struct Brute {
    /// Lexicographically smallest optimal decisions and their cost.
    best: Option<(f64, Vec<i64>)>,
    /// (stage, state, decision) of every reachable evaluation error; stage = stages for
    /// terminal errors (decision 0).
    errors: Vec<(usize, Vec<i64>, i64)>,
}

fn brute(plan: &dyn StagePlan) -> Brute {
    fn go(
        plan: &dyn StagePlan,
        t: usize,
        state: &[i64],
        acc: f64,
        path: &mut Vec<i64>,
        out: &mut Brute,
    ) {
        if t == plan.stages() {
            match plan.terminal(state) {
                Err(_) => out.errors.push((t, state.to_vec(), 0)),
                Ok(Some(c)) => {
                    let total = acc + c;
                    if out.best.as_ref().is_none_or(|(b, _)| total < *b) {
                        out.best = Some((total, path.clone()));
                    }
                }
                Ok(None) => {}
            }
            return;
        }
        let (lo, hi) = plan.decision_range(t);
        let mut next = vec![0; state.len()];
        for d in lo..=hi {
            match plan.step(t, state, d, &mut next) {
                Err(_) => out.errors.push((t, state.to_vec(), d)),
                Ok(Some(c)) if in_range(plan, &next) => {
                    path.push(d);
                    let n = next.clone();
                    go(plan, t + 1, &n, acc + c, path, out);
                    path.pop();
                }
                Ok(_) => {}
            }
        }
    }
    let mut out = Brute::default();
    go(
        plan,
        0,
        plan.initial_state(),
        0.0,
        &mut Vec::new(),
        &mut out,
    );
    out
}

/// The solve without the reachability pass.
fn solve_unpruned(plan: &dyn StagePlan) -> Result<DpSolution, DpError> {
    solve_with(
        plan,
        &DpOptions {
            prune_unreachable: false,
            ..DpOptions::default()
        },
    )
}

/// The same answer with and without the reachability pass: optimum, decisions, trajectory
/// and costs, or the same error. Only the counts of visited states may differ.
fn same_with_and_without_pruning(plan: &dyn StagePlan) -> Result<(), TestCaseError> {
    let pruned = solve(plan, &DpBudget::default());
    let full = solve_unpruned(plan);
    match (&pruned, &full) {
        (Ok(p), Ok(f)) => {
            prop_assert_eq!(p.cost.to_bits(), f.cost.to_bits());
            prop_assert_eq!(&p.decisions, &f.decisions);
            prop_assert_eq!(&p.states, &f.states);
            prop_assert_eq!(&p.stage_costs, &f.stage_costs);
            prop_assert_eq!(p.terminal_cost.to_bits(), f.terminal_cost.to_bits());
            prop_assert!(p.states_explored <= f.states_explored);
            prop_assert!(p.evaluations <= f.evaluations);
        }
        (p, f) => prop_assert_eq!(p, f),
    }
    Ok(())
}

/// Checks the DP result against brute force; returns a description of the outcome.
fn check(plan: &HashPlan) -> Result<&'static str, TestCaseError> {
    same_with_and_without_pruning(plan)?;
    let expected = brute(plan);
    let got = solve(plan, &DpBudget::default());
    if !expected.errors.is_empty() {
        let Err(DpError::Eval {
            stage,
            state,
            decision,
            ..
        }) = got
        else {
            return Err(TestCaseError::fail(format!(
                "expected an evaluation error, got {got:?}"
            )));
        };
        let key = (stage.unwrap_or(plan.stages()), state, decision.unwrap_or(0));
        prop_assert!(
            expected.errors.contains(&key),
            "reported error {key:?} is not a reachable error"
        );
        return Ok("error");
    }
    match expected.best {
        None => {
            prop_assert!(
                matches!(got, Err(DpError::Infeasible(_))),
                "expected infeasible, got {got:?}"
            );
            Ok("infeasible")
        }
        Some((cost, decisions)) => {
            let sol = got.map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(sol.cost, cost);
            prop_assert_eq!(&sol.decisions, &decisions);
            // Replay the decisions through `step`.
            let mut state = plan.initial_state().to_vec();
            let mut total = 0.0;
            let mut next = vec![0; state.len()];
            prop_assert_eq!(&sol.states[0], &state);
            for (t, &d) in sol.decisions.iter().enumerate() {
                let c = plan.step(t, &state, d, &mut next).ok().flatten();
                prop_assert_eq!(c, Some(sol.stage_costs[t]));
                total += sol.stage_costs[t];
                state.clone_from(&next);
                prop_assert_eq!(&sol.states[t + 1], &state);
            }
            let term = plan.terminal(&state).ok().flatten();
            prop_assert_eq!(term, Some(sol.terminal_cost));
            prop_assert_eq!(total + sol.terminal_cost, cost);
            prop_assert_eq!(sol.states.len(), plan.stages() + 1);
            Ok("optimal")
        }
    }
}

fn hash_plan() -> impl Strategy<Value = HashPlan> {
    let dims = prop::collection::vec((-3i64..3, 0i64..5), 1..=3);
    let stages = prop::collection::vec((-2i64..2, 0i64..4), 0..=5);
    (
        any::<u64>(),
        dims,
        stages,
        any::<u64>(),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(seed, dims, stages, pick, with_errors)| {
            let dims: Vec<(i64, i64)> = dims.into_iter().map(|(lo, w)| (lo, lo + w)).collect();
            let init = dims
                .iter()
                .enumerate()
                .map(|(i, &(lo, hi))| lo + (mix(pick ^ i as u64) % (hi - lo + 1) as u64) as i64)
                .collect();
            let push = (0..dims.len())
                .map(|i| (mix(pick.rotate_left(7) ^ i as u64) % 3) as i64 - 1)
                .collect();
            HashPlan {
                seed,
                dims,
                init,
                decisions: stages.into_iter().map(|(lo, w)| (lo, lo + w)).collect(),
                push,
                errors: if with_errors { 9 } else { 0 },
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn dp_matches_brute_force(plan in hash_plan()) {
        check(&plan)?;
    }
}

/// The random plans above must cover every outcome, or the property proves little.
#[test]
fn random_plans_cover_all_outcomes() {
    let mut seen = std::collections::BTreeMap::new();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = hash_plan();
    for _ in 0..400 {
        let plan = strategy
            .new_tree(&mut runner)
            .expect("strategy generates")
            .current();
        let outcome = check(&plan).expect("dp agrees with brute force");
        *seen.entry(outcome).or_insert(0) += 1;
    }
    for outcome in ["optimal", "infeasible", "error"] {
        assert!(seen.contains_key(outcome), "{outcome} never seen: {seen:?}");
    }
}

/// Large state spaces (split into parallel chunks per stage) with few stages, so brute force
/// stays cheap: one and several dimensions.
#[test]
fn large_state_spaces_match_brute_force() {
    let cases = [
        (vec![(0, 40_000)], vec![20_000]),
        (vec![(-50, 50), (0, 120)], vec![3, 60]),
        (vec![(0, 20), (0, 20), (0, 30)], vec![10, 10, 15]),
    ];
    for (seed, (dims, init)) in cases.into_iter().enumerate() {
        let k = dims.len();
        let plan = HashPlan {
            seed: seed as u64 + 17,
            dims,
            init,
            decisions: vec![(-1, 2), (0, 3), (-2, 1), (0, 2)],
            push: vec![1; k],
            errors: 0,
        };
        assert_eq!(check(&plan).expect("agrees"), "optimal");
        let states: u64 = plan
            .dims
            .iter()
            .map(|&(lo, hi)| (hi - lo + 1) as u64)
            .product();
        let full = solve_unpruned(&plan).expect("solves");
        assert_eq!(full.states_explored, states * 5);
        // Four stages of small moves from one state: the reachable part is far smaller.
        let pruned = solve(&plan, &DpBudget::default()).expect("solves");
        assert!(
            pruned.states_explored * 10 < full.states_explored,
            "{} of {}",
            pruned.states_explored,
            full.states_explored
        );
    }
}

#[test]
fn reachable_errors_in_large_spaces_are_located() {
    let plan = HashPlan {
        seed: 5,
        dims: vec![(0, 30_000)],
        init: vec![15_000],
        decisions: vec![(0, 3); 4],
        push: vec![1],
        errors: 9,
    };
    assert_eq!(check(&plan).expect("agrees"), "error");
}

#[test]
fn out_of_range_initial_state_is_infeasible() {
    let plan = HashPlan {
        seed: 1,
        dims: vec![(0, 3)],
        init: vec![4],
        decisions: vec![(0, 1)],
        push: vec![1],
        errors: 0,
    };
    assert!(matches!(
        solve(&plan, &DpBudget::default()),
        Err(DpError::Infeasible(
            InfeasibleReason::InitialStateOutOfRange {
                dim: 0,
                value: 4,
                ..
            }
        ))
    ));
}
