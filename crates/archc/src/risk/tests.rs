//! The summary of an assessment: scenarios cut off by the scenario time limit are counted
//! apart, never as loss-free, and stay out of the expected and worst loss and the CVaR.

use super::*;

fn scenario(name: &str, p: f64, loss: Loss) -> ScenarioResult {
    let expected = match loss {
        Loss::Value(v) | Loss::TimeLimit(Some(v)) => Some(p * v),
        _ => None,
    };
    ScenarioResult {
        rank: 0,
        name: name.to_string(),
        probability: p,
        down: Vec::new(),
        status: loss.status(),
        loss,
        expected,
        binding: Vec::new(),
        binding_rows: Vec::new(),
        conflict: Vec::new(),
    }
}

fn loss_info() -> LossInfo {
    LossInfo {
        source: "decision",
        name: "lost".to_string(),
        unit: String::new(),
    }
}

#[test]
fn scenarios_cut_off_by_the_time_limit_are_counted_apart() {
    let all = vec![
        scenario("free", 0.4, Loss::Value(0.0)),
        scenario("cut-at-zero", 0.2, Loss::TimeLimit(Some(0.0))),
        scenario("lossy", 0.1, Loss::Value(2.0)),
        scenario("cut-no-plan", 0.2, Loss::TimeLimit(None)),
        scenario("broken", 0.1, Loss::Infeasible),
    ];
    let opts = RiskOptions {
        beta: Some(0.5),
        ..Default::default()
    };
    let a = summarise(
        all,
        &Analysis::default(),
        "S",
        &FirstStage::default(),
        loss_info(),
        0,
        &opts,
    );
    assert_eq!(a.scenarios, 5);
    assert_eq!(a.cut_off, 2);
    assert!((a.cut_off_mass - 0.4).abs() < 1e-12);
    // The scenario cut off with a plan of loss 0 is not proven loss-free.
    assert!((a.availability - 0.4).abs() < 1e-12);
    assert!((a.infeasible_mass - 0.1).abs() < 1e-12);
    assert!((a.expected_loss - 0.2).abs() < 1e-12);
    assert_eq!(a.worst_loss, Some(2.0));
    assert_eq!(a.cvar.map(|c| c.value), Some(None));
    let order: Vec<(&str, &str)> = a
        .ranked
        .iter()
        .map(|s| (s.name.as_str(), s.status))
        .collect();
    assert_eq!(
        order,
        [
            ("broken", "infeasible"),
            ("cut-no-plan", "time_limit"),
            ("lossy", "solved"),
            ("free", "solved"),
            ("cut-at-zero", "time_limit"),
        ]
    );
    let ranks: Vec<usize> = a.ranked.iter().map(|s| s.rank).collect();
    assert_eq!(ranks, [1, 2, 3, 4, 5]);
}

#[test]
fn a_scenario_cut_off_writes_its_best_loss_or_null() {
    let best = serde_json::to_value(Loss::TimeLimit(Some(1.5))).expect("json");
    assert_eq!(best, serde_json::json!(1.5));
    let none = serde_json::to_value(Loss::TimeLimit(None)).expect("json");
    assert!(none.is_null());
    assert_eq!(Loss::TimeLimit(None).status(), "time_limit");
    assert_eq!(Loss::Value(0.0).status(), "solved");
}
