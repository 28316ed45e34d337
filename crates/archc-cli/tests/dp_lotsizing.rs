//! Wagner-Whitin lot sizing solved by the DP backend against published optima
//! (tests/data/lotsizing, see SOURCE.md there).
//!
//! State: inventory at the end of the previous period; decision: order quantity; cost: the
//! setup cost if anything is ordered, plus the purchase cost, plus holding on the end-of-period
//! inventory. No backlog (the next inventory must be >= 0), zero starting inventory.

use archc::backends::dp::{estimate, solve, solve_with, DpBudget, DpOptions, EvalError, StagePlan};
use serde_json::Value;

struct LotSizing {
    dims: [(i64, i64); 1],
    init: [i64; 1],
    demand: Vec<i64>,
    /// Demand of periods t.. (the largest sensible order in period t).
    remaining: Vec<i64>,
    fixed: Vec<f64>,
    holding: Vec<f64>,
    purchase: Vec<f64>,
}

impl StagePlan for LotSizing {
    fn stages(&self) -> usize {
        self.demand.len()
    }
    fn state_dims(&self) -> &[(i64, i64)] {
        &self.dims
    }
    fn initial_state(&self) -> &[i64] {
        &self.init
    }
    fn decision_range(&self, stage: usize) -> (i64, i64) {
        (0, self.remaining[stage])
    }
    fn step(
        &self,
        stage: usize,
        state: &[i64],
        order: i64,
        next: &mut [i64],
    ) -> Result<Option<f64>, EvalError> {
        // A negative next inventory is outside the state range: the solver rejects it.
        let inventory = state[0] + order - self.demand[stage];
        next[0] = inventory;
        let setup = if order > 0 { self.fixed[stage] } else { 0.0 };
        Ok(Some(
            setup + self.purchase[stage] * order as f64 + self.holding[stage] * inventory as f64,
        ))
    }
    fn terminal(&self, _state: &[i64]) -> Result<Option<f64>, EvalError> {
        Ok(Some(0.0))
    }
}

/// A field that is either one number for every period or one per period.
fn per_period(v: Option<&Value>, n: usize) -> Vec<f64> {
    match v {
        None => vec![0.0; n],
        Some(Value::Array(a)) => a.iter().map(|x| x.as_f64().expect("number")).collect(),
        Some(x) => vec![x.as_f64().expect("number"); n],
    }
}

fn load() -> Vec<(String, LotSizing, f64, Vec<i64>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/lotsizing/wagner_whitin_instances.json"
    );
    let text = std::fs::read_to_string(path).expect("instance file");
    let doc: Value = serde_json::from_str(&text).expect("valid json");
    let instances = doc["instances"].as_array().expect("instances");
    instances
        .iter()
        .map(|inst| {
            let n = inst["num_periods"].as_u64().expect("num_periods") as usize;
            let demand: Vec<i64> = per_period(inst.get("demand"), n)
                .into_iter()
                .map(|d| d as i64)
                .collect();
            assert_eq!(demand.len(), n);
            let remaining: Vec<i64> = (0..n).map(|t| demand[t..].iter().sum()).collect();
            let plan = LotSizing {
                dims: [(0, remaining[0])],
                init: [0],
                fixed: per_period(inst.get("fixed_cost"), n),
                holding: per_period(inst.get("holding_cost"), n),
                purchase: per_period(inst.get("purchase_cost"), n),
                demand,
                remaining,
            };
            let expected = &inst["expected"];
            let cost = expected["cost"].as_f64().expect("cost");
            // 1-indexed with a leading unused 0.
            let orders = expected["order_quantities"].as_array().expect("orders")[1..]
                .iter()
                .map(|q| q.as_f64().expect("quantity") as i64)
                .collect();
            let name = inst["name"].as_str().expect("name").to_string();
            (name, plan, cost, orders)
        })
        .collect()
}

#[test]
fn wagner_whitin_published_optima() {
    let instances = load();
    assert_eq!(instances.len(), 6);
    for (name, plan, cost, orders) in &instances {
        let sol = solve(plan, &DpBudget::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            (sol.cost - cost).abs() < 1e-6,
            "{name}: cost {} != published {cost}",
            sol.cost
        );
        // The published plans are the unique optima of these instances.
        assert_eq!(&sol.decisions, orders, "{name}: order plan");
        // Trajectory: inventory follows the orders, never negative, ends empty.
        for (t, &q) in sol.decisions.iter().enumerate() {
            assert_eq!(sol.states[t + 1][0], sol.states[t][0] + q - plan.demand[t]);
        }
        assert_eq!(sol.states.last().map(|s| s[0]), Some(0), "{name}");
        let replayed: f64 = sol.stage_costs.iter().sum::<f64>() + sol.terminal_cost;
        assert!((replayed - cost).abs() < 1e-6, "{name}: replay {replayed}");
        // Without the reachability pass: the same plan, and more states visited.
        let full = solve_with(
            plan,
            &DpOptions {
                prune_unreachable: false,
                ..DpOptions::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(full.cost.to_bits(), sol.cost.to_bits(), "{name}");
        assert_eq!(full.decisions, sol.decisions, "{name}");
        assert_eq!(full.states, sol.states, "{name}");
        assert_eq!(full.stage_costs, sol.stage_costs, "{name}");
        assert!(sol.states_explored < full.states_explored, "{name}");
    }
}

#[test]
fn lot_sizing_estimate_counts_stage_dependent_decisions() {
    let instances = load();
    let (_, plan, _, _) = &instances[0]; // demand 90 120 80 70
    let e = estimate(plan);
    assert_eq!(e.stages, 4);
    assert_eq!(e.states_per_stage, 361);
    assert_eq!(e.decisions_per_stage_max, 361);
    // Decision counts 361 + 271 + 151 + 71, plus one terminal evaluation per state.
    assert_eq!(e.evaluations, 361 * (361 + 271 + 151 + 71) + 361);
}
