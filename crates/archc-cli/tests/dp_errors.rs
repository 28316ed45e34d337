//! DP backend: estimates and budgets (E0610), infeasible plans (E0611), evaluation errors
//! (E0612), contract violations, diagnostics, and `solve_many` against sequential solves.

use archc::backends::dp::{
    estimate, solve, solve_many, synthetic_buildout, BudgetLimit, ContractViolation, DpBudget,
    DpError, EvalError, EvalErrorKind, InfeasibleReason, StagePlan, CORES_PER_RACK,
};
use archc::diagnostics::Code;
use archc::span::{FileId, Span};
use std::sync::atomic::{AtomicU64, Ordering};

/// Racks over quarters: `racks: 0..=max`, `add: 0..=max_add`, `racks >= need[t]` after each
/// stage, cost = add + 0.5 per rack held; optional division by `racks - zero_at` in the cost,
/// and an optional final requirement `racks <= final_max`.
struct Racks {
    dims: [(i64, i64); 1],
    init: [i64; 1],
    max_add: i64,
    need: Vec<i64>,
    zero_at: Option<i64>,
    final_max: i64,
    nan_at_stage: Option<usize>,
}

fn racks(max: i64, init: i64, max_add: i64, need: &[i64]) -> Racks {
    Racks {
        dims: [(0, max)],
        init: [init],
        max_add,
        need: need.to_vec(),
        zero_at: None,
        final_max: i64::MAX,
        nan_at_stage: None,
    }
}

impl StagePlan for Racks {
    fn stages(&self) -> usize {
        self.need.len()
    }
    fn state_dims(&self) -> &[(i64, i64)] {
        &self.dims
    }
    fn initial_state(&self) -> &[i64] {
        &self.init
    }
    fn decision_range(&self, _stage: usize) -> (i64, i64) {
        (0, self.max_add)
    }
    fn step(
        &self,
        stage: usize,
        state: &[i64],
        add: i64,
        next: &mut [i64],
    ) -> Result<Option<f64>, EvalError> {
        next[0] = state[0] + add;
        if next[0] < self.need[stage] {
            return Ok(None);
        }
        if let Some(z) = self.zero_at {
            if state[0] == z {
                return Err(EvalError::new(EvalErrorKind::DivisionByZero));
            }
        }
        if self.nan_at_stage == Some(stage) {
            return Ok(Some(f64::NAN));
        }
        Ok(Some(add as f64 + 0.5 * next[0] as f64))
    }
    fn terminal(&self, state: &[i64]) -> Result<Option<f64>, EvalError> {
        Ok((state[0] <= self.final_max).then_some(0.0))
    }
}

fn span() -> Span {
    Span::new(FileId(0), 10, 20)
}

#[test]
fn estimate_of_the_benchmark_shape() {
    let plans = synthetic_buildout(3, 40, 2000, 50, 7);
    let e = estimate(&plans[0]);
    assert_eq!(e.stages, 40);
    assert_eq!(e.state_dims, 1);
    assert_eq!(e.states_per_stage, 2001);
    assert_eq!(e.decisions_per_stage_max, 51);
    assert_eq!(e.evaluations, 2001 * 51 * 40 + 2001);
    // Value tables for 41 stages plus scratch for one state's 51 decisions.
    assert_eq!(e.table_bytes, 41 * 2001 * 8 + 51 * 16 + 8);
    assert_eq!(e.exceeds(&DpBudget::default()), None);
}

#[test]
fn estimate_saturates_instead_of_overflowing() {
    let mut plan = racks(i64::MAX - 1, 0, i64::MAX - 1, &[0; 3]);
    plan.dims = [(i64::MIN, i64::MAX)];
    let e = estimate(&plan);
    assert_eq!(e.states_per_stage, u64::MAX);
    assert_eq!(e.evaluations, u64::MAX);
    assert_eq!(e.table_bytes, u64::MAX);
    let err = solve(&plan, &DpBudget::unlimited());
    assert!(matches!(err, Err(DpError::TooLarge { .. })), "{err:?}");
}

#[test]
fn budget_refuses_too_much_work_with_the_numbers() {
    let plan = racks(2000, 0, 50, &[0; 40]);
    let budget = DpBudget {
        max_table_bytes: u64::MAX,
        max_evaluations: 1_000_000,
    };
    let err = solve(&plan, &budget).expect_err("over budget");
    let DpError::TooLarge {
        estimate: e, limit, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*limit, BudgetLimit::Evaluations);
    assert_eq!(e.evaluations, 2001 * 51 * 40 + 2001);
    let d = err.diagnostic(span(), "build[eu-west]");
    assert_eq!(d.code, Code::E0610);
    assert!(d.message.contains("build[eu-west]"), "{}", d.message);
    assert!(
        d.notes.iter().any(|n| n.contains("4084041")),
        "{:?}",
        d.notes
    );
    // The count is of the whole state space, and the note says so.
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("before the states unreachable from the start are pruned")),
        "{:?}",
        d.notes
    );
    assert!(d.help.as_deref().is_some_and(|h| h.contains("1000000")));
    assert_eq!(d.primary_span(), Some(span()));
}

#[test]
fn budget_refuses_too_much_memory() {
    let plan = racks(2000, 0, 50, &[0; 40]);
    let budget = DpBudget {
        max_table_bytes: 100_000,
        max_evaluations: u64::MAX,
    };
    assert!(matches!(
        solve(&plan, &budget),
        Err(DpError::TooLarge {
            limit: BudgetLimit::TableBytes,
            ..
        })
    ));
}

#[test]
fn dead_end_names_the_stage_where_demand_outruns_building() {
    // From 0 racks, building 10 per stage reaches 10, 20, 30: stage 2 needs 35.
    let plan = racks(100, 0, 10, &[5, 12, 35, 40]);
    let err = solve(&plan, &DpBudget::default()).expect_err("infeasible");
    assert_eq!(
        err,
        DpError::Infeasible(InfeasibleReason::DeadEnd {
            stage: 2,
            // After stage 1: 12..=20 racks.
            reachable_states: 9,
            example_state: vec![12],
        })
    );
    let d = err.diagnostic(span(), "build[us-east]");
    assert_eq!(d.code, Code::E0611);
    assert!(d.labels[0].message.contains("stage 2"), "{:?}", d.labels);
    assert!(d.help.is_some());
}

#[test]
fn final_requirement_that_nothing_meets() {
    let mut plan = racks(100, 50, 10, &[0, 0]);
    plan.final_max = 40; // racks never decrease from 50
    assert_eq!(
        solve(&plan, &DpBudget::default()),
        Err(DpError::Infeasible(
            InfeasibleReason::NoFeasibleFinalState {
                reachable_states: 21,
                example_state: vec![50],
            }
        ))
    );
}

#[test]
fn state_range_exceeded_is_infeasible() {
    // Needs 30 racks but the state range stops at 20.
    let plan = racks(20, 0, 50, &[30]);
    assert!(matches!(
        solve(&plan, &DpBudget::default()),
        Err(DpError::Infeasible(InfeasibleReason::DeadEnd {
            stage: 0,
            ..
        }))
    ));
}

#[test]
fn empty_ranges_are_infeasible() {
    let mut plan = racks(20, 0, -1, &[0]);
    assert_eq!(
        solve(&plan, &DpBudget::default()),
        Err(DpError::Infeasible(InfeasibleReason::EmptyDecisionRange {
            stage: 0,
            lo: 0,
            hi: -1
        }))
    );
    plan.max_add = 3;
    plan.dims = [(5, 4)];
    assert!(matches!(
        solve(&plan, &DpBudget::default()),
        Err(DpError::Infeasible(InfeasibleReason::EmptyStateRange {
            dim: 0,
            ..
        }))
    ));
}

#[test]
fn reachable_division_by_zero_is_reported_with_stage_state_and_decision() {
    // From 0, adding 0..=3 per stage: 6 racks is reachable at stage 2 (3 + 3).
    let mut plan = racks(50, 0, 3, &[0, 0, 0, 0]);
    plan.zero_at = Some(6);
    let err = solve(&plan, &DpBudget::default()).expect_err("error");
    let DpError::Eval {
        stage,
        state,
        decision,
        error,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(error.kind, EvalErrorKind::DivisionByZero);
    let t = stage.expect("a stage, not the terminal cost");
    assert_eq!(state, &vec![6]);
    assert!(t == 2 || t == 3, "stage {t}");
    assert_eq!(*decision, Some(0)); // the first decision evaluated
    let d = err.diagnostic(span(), "build[x]");
    assert_eq!(d.code, Code::E0612);
    assert!(d.labels[0].message.contains("division by zero"));
}

#[test]
fn unreachable_division_by_zero_is_not_reported() {
    // 40 racks cannot be reached in 4 stages of at most 3.
    let mut plan = racks(50, 0, 3, &[0, 0, 0, 0]);
    plan.zero_at = Some(40);
    let sol = solve(&plan, &DpBudget::default()).expect("solves");
    assert_eq!(sol.decisions, vec![0, 0, 0, 0]);
    assert_eq!(sol.cost, 0.0);
}

#[test]
fn nan_cost_is_an_evaluation_error() {
    let mut plan = racks(10, 0, 2, &[0, 0, 0]);
    plan.nan_at_stage = Some(1);
    let err = solve(&plan, &DpBudget::default()).expect_err("error");
    assert!(
        matches!(
            &err,
            DpError::Eval { stage: Some(1), error, .. } if error.kind == EvalErrorKind::NonFiniteCost
        ),
        "{err:?}"
    );
}

#[test]
fn zero_stage_plan_costs_its_terminal_value() {
    let plan = racks(10, 4, 2, &[]);
    let sol = solve(&plan, &DpBudget::default()).expect("solves");
    assert_eq!(sol.cost, 0.0);
    assert!(sol.decisions.is_empty());
    assert_eq!(sol.states, vec![vec![4]]);
}

/// A plan whose costs change between calls.
struct Flaky {
    calls: AtomicU64,
}

impl StagePlan for Flaky {
    fn stages(&self) -> usize {
        2
    }
    fn state_dims(&self) -> &[(i64, i64)] {
        &[(0, 5)]
    }
    fn initial_state(&self) -> &[i64] {
        &[0]
    }
    fn decision_range(&self, _: usize) -> (i64, i64) {
        (0, 2)
    }
    fn step(&self, _: usize, s: &[i64], d: i64, n: &mut [i64]) -> Result<Option<f64>, EvalError> {
        n[0] = s[0] + d;
        Ok(Some(self.calls.fetch_add(1, Ordering::Relaxed) as f64))
    }
    fn terminal(&self, _: &[i64]) -> Result<Option<f64>, EvalError> {
        Ok(Some(0.0))
    }
}

#[test]
fn non_deterministic_plan_is_a_contract_violation_not_a_panic() {
    let plan = Flaky {
        calls: AtomicU64::new(0),
    };
    let err = solve(&plan, &DpBudget::default()).expect_err("inconsistent");
    assert_eq!(
        err,
        DpError::Contract(ContractViolation::NonDeterministic { stage: 0 })
    );
}

#[test]
fn wrong_initial_state_length_is_a_contract_violation() {
    struct Bad;
    impl StagePlan for Bad {
        fn stages(&self) -> usize {
            1
        }
        fn state_dims(&self) -> &[(i64, i64)] {
            &[(0, 5), (0, 5)]
        }
        fn initial_state(&self) -> &[i64] {
            &[0]
        }
        fn decision_range(&self, _: usize) -> (i64, i64) {
            (0, 1)
        }
        fn step(
            &self,
            _: usize,
            _: &[i64],
            _: i64,
            _: &mut [i64],
        ) -> Result<Option<f64>, EvalError> {
            Ok(None)
        }
        fn terminal(&self, _: &[i64]) -> Result<Option<f64>, EvalError> {
            Ok(None)
        }
    }
    assert_eq!(
        solve(&Bad, &DpBudget::default()),
        Err(DpError::Contract(ContractViolation::InitialStateLength {
            expected: 2,
            found: 1
        }))
    );
}

#[test]
fn solve_many_equals_sequential_solves_in_order() {
    let synthetic = synthetic_buildout(12, 16, 300, 20, 42);
    let dead_end = racks(100, 0, 10, &[5, 12, 35, 40]);
    let mut failing = racks(50, 0, 3, &[0, 0, 0, 0]);
    failing.zero_at = Some(6);
    let mut plans: Vec<&dyn StagePlan> = synthetic.iter().map(|p| p as &dyn StagePlan).collect();
    plans.insert(3, &dead_end);
    plans.insert(7, &failing);
    let budget = DpBudget::default();
    let parallel = solve_many(&plans, &budget);
    let sequential: Vec<_> = plans.iter().map(|p| solve(*p, &budget)).collect();
    assert_eq!(parallel.len(), plans.len());
    assert_eq!(parallel, sequential);
    assert!(matches!(parallel[3], Err(DpError::Infeasible(_))));
    assert!(matches!(parallel[7], Err(DpError::Eval { .. })));
    assert_eq!(parallel.iter().filter(|r| r.is_ok()).count(), 12);
    // Results serialise (reports and `--format json` carry them).
    for r in &parallel {
        let json = match r {
            Ok(sol) => serde_json::to_value(sol),
            Err(e) => serde_json::to_value(e),
        }
        .expect("serialisable");
        assert!(json.is_object());
    }
    let dead = serde_json::to_value(&parallel[3]).expect("serialisable");
    assert_eq!(dead["Err"]["reason"], "dead_end");
}

#[test]
fn synthetic_buildouts_are_feasible_and_meet_demand() {
    let plans = synthetic_buildout(8, 20, 400, 25, 9);
    for (plan, result) in plans.iter().zip(solve_many(
        &plans
            .iter()
            .map(|p| p as &dyn StagePlan)
            .collect::<Vec<_>>(),
        &DpBudget::default(),
    )) {
        let sol = result.expect("synthetic plans are feasible");
        let mut next = [0i64];
        for (t, s) in sol.states[1..].iter().enumerate() {
            assert!(s[0] * CORES_PER_RACK >= plan.demand[t]);
            assert!(sol.decisions[t] <= 25 && sol.decisions[t] >= 0);
            // The batched `step_all` of the synthetic plan agrees with its `step`.
            let cost = plan.step(t, &sol.states[t], sol.decisions[t], &mut next);
            assert_eq!(cost, Ok(Some(sol.stage_costs[t])));
            assert_eq!(&next[..], &s[..]);
        }
        let replayed: f64 = sol.stage_costs.iter().sum();
        assert!((replayed - sol.cost).abs() <= 1e-9 * sol.cost.abs());
        assert!(sol.cost > 0.0);
    }
}

#[test]
fn codes_have_long_explanations() {
    for c in [Code::E0610, Code::E0611, Code::E0612] {
        assert!(c.explanation().len() > 300, "{c}");
        assert!(!c.title().is_empty());
    }
}
