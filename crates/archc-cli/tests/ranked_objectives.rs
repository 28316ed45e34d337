//! Objectives in priority order (`minimize a ... within TOL` then `then minimize b: ...`),
//! solved stage by stage on every enabled MILP solver: each result is compared with a
//! brute-force enumeration of the same small integer models (the lexicographic optimum
//! computed by the test, never written down), the order of the objectives changes the
//! plan, every stage is reported in text and JSON, and a model with plans and ranked
//! objectives says why DP does not take it.

use archc::solve::lexicographic::{limit, NUMERICAL_TOLERANCE};
use archc::solve::{SolveOptions, SolverKind, Status};
use std::process::Command;

/// A small model over two sites: `x[s] in 0..=cap`, total demand, a price and a risk per
/// site. The objectives are written in `order` (`cost` / `exposure`), the first with the
/// tolerance `within` when given.
/// An objective of a plan of the two sites.
type PlanObjective<'a> = Box<dyn Fn([i64; 2]) -> f64 + 'a>;
/// The slack a tolerance gives at an optimum.
type Slack = Box<dyn Fn(f64) -> f64>;

struct Case {
    cap: i64,
    demand: i64,
    price: [i64; 2],
    risk: [i64; 2],
}

impl Case {
    fn cost(&self, x: [i64; 2]) -> f64 {
        (self.price[0] * x[0] + self.price[1] * x[1]) as f64
    }

    fn exposure(&self, x: [i64; 2]) -> f64 {
        (self.risk[0] * x[0] + self.risk[1] * x[1]) as f64
    }

    fn source(&self, cost_first: bool, within: &str) -> String {
        let cost = "sum(s in sites) s.price * x[s]";
        let exposure = "sum(s in sites) s.risk * x[s]";
        let (first, second) = if cost_first {
            (
                format!("minimize cost: {cost} {within}"),
                format!("then minimize exposure: {exposure}"),
            )
        } else {
            (
                format!("minimize exposure: {exposure} {within}"),
                format!("then minimize cost: {cost}"),
            )
        };
        format!(
            "kind site {{ price: usd = 0 usd, risk: 1 = 0 }}\n\
             site a {{ price: {} usd, risk: {} }}\n\
             site b {{ price: {} usd, risk: {} }}\n\
             decide x[s in sites]: int >= 0 <= {}\n\
             constraint demand: sum(s in sites) x[s] >= {}\n\
             {first}\n{second}\n",
            self.price[0], self.risk[0], self.price[1], self.risk[1], self.cap, self.demand
        )
    }

    /// Every feasible plan.
    fn plans(&self) -> Vec<[i64; 2]> {
        let mut out = Vec::new();
        for a in 0..=self.cap {
            for b in 0..=self.cap {
                if a + b >= self.demand {
                    out.push([a, b]);
                }
            }
        }
        out
    }

    /// The lexicographic optimum by enumeration: (first optimum, second optimum over the
    /// plans whose first objective is within `limit_of(first optimum)`).
    fn brute_force(&self, cost_first: bool, limit_of: impl Fn(f64) -> f64) -> (f64, f64) {
        let (f, g): (PlanObjective, PlanObjective) = if cost_first {
            (Box::new(|x| self.cost(x)), Box::new(|x| self.exposure(x)))
        } else {
            (Box::new(|x| self.exposure(x)), Box::new(|x| self.cost(x)))
        };
        let plans = self.plans();
        let first = plans.iter().map(|&x| f(x)).fold(f64::INFINITY, f64::min);
        let kept = limit_of(first);
        let second = plans
            .iter()
            .filter(|&&x| f(x) <= kept)
            .map(|&x| g(x))
            .fold(f64::INFINITY, f64::min);
        (first, second)
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            cap: 10,
            demand: 10,
            price: [1, 2],
            risk: [3, 1],
        },
        Case {
            cap: 7,
            demand: 9,
            price: [5, 3],
            risk: [1, 4],
        },
        Case {
            cap: 12,
            demand: 5,
            price: [2, 2],
            risk: [2, 1],
        },
    ]
}

fn solve(source: &str, solver: SolverKind) -> archc::Solution {
    let mut model = archc::compile_source("ranked.arch", source, None)
        .unwrap_or_else(|e| panic!("{source}\n{e}"));
    let opts = SolveOptions {
        solver: Some(solver),
        ..Default::default()
    };
    model
        .solve(&opts)
        .unwrap_or_else(|d| panic!("{source}\n{}", d.message))
}

fn plan_of(s: &archc::Solution) -> [i64; 2] {
    let v = |site| s.value("x", &[site]).expect("x is reported").round() as i64;
    [v("a"), v("b")]
}

#[test]
fn each_stage_matches_the_lexicographic_optimum_found_by_enumeration() {
    for solver in SolverKind::enabled() {
        for case in cases() {
            for cost_first in [true, false] {
                // (tolerance as written, absolute slack for an optimum)
                let tolerances: [(&str, Slack); 3] = [
                    ("", Box::new(|_| 0.0)),
                    ("within 20 %", Box::new(|o: f64| 0.2 * o.abs())),
                    (
                        if cost_first {
                            "within 3 usd"
                        } else {
                            "within 3"
                        },
                        Box::new(|_| 3.0),
                    ),
                ];
                for (within, slack) in &tolerances {
                    let source = case.source(cost_first, within);
                    let numerical = |o: f64| NUMERICAL_TOLERANCE * o.abs().max(1.0);
                    let (first, second) =
                        case.brute_force(cost_first, |o| o + slack(o) + numerical(o));
                    let s = solve(&source, solver);
                    let context = format!("{source}\nsolver {}", solver.name());
                    assert_eq!(s.status(), Status::Optimal, "{context}");
                    let stages = &s.solved.stages;
                    assert_eq!(stages.len(), 2, "{context}");
                    assert!((stages[0].optimum - first).abs() < 1e-6, "{context}");
                    assert!((stages[1].optimum - second).abs() < 1e-6, "{context}");
                    // The plan keeps the first objective within its limit, and the report's
                    // objective is the first objective at that plan.
                    let x = plan_of(&s);
                    let (f, g) = if cost_first {
                        (case.cost(x), case.exposure(x))
                    } else {
                        (case.exposure(x), case.cost(x))
                    };
                    let kept = stages[0].limit.expect("the first stage has a limit");
                    assert!(f <= kept + 1e-9, "{context}: {f} > {kept}");
                    assert!((g - second).abs() < 1e-6, "{context}");
                    assert_eq!(s.objective(), Some(f), "{context}");
                    assert_eq!(stages[1].values, vec![f, g], "{context}");
                    assert!(stages[1].limit.is_none(), "{context}");
                }
            }
        }
    }
}

#[test]
fn the_order_of_the_objectives_changes_the_plan() {
    let case = &cases()[0];
    for solver in SolverKind::enabled() {
        let cost_first = plan_of(&solve(&case.source(true, ""), solver));
        let exposure_first = plan_of(&solve(&case.source(false, ""), solver));
        assert_ne!(cost_first, exposure_first, "solver {}", solver.name());
        // Each plan is optimal for the objective ranked first.
        let best = |f: &dyn Fn([i64; 2]) -> f64| {
            case.plans()
                .into_iter()
                .map(f)
                .fold(f64::INFINITY, f64::min)
        };
        assert_eq!(case.cost(cost_first), best(&|x| case.cost(x)));
        assert_eq!(case.exposure(exposure_first), best(&|x| case.exposure(x)));
    }
}

#[test]
fn the_limit_is_never_an_exact_equality() {
    use archc::ir::{Sense, Tolerance};
    let none = Tolerance::default();
    assert!(limit(Sense::Minimize, 100.0, none) > 100.0);
    assert!(limit(Sense::Maximize, 100.0, none) < 100.0);
    assert!(limit(Sense::Minimize, 0.0, none) > 0.0);
    let rel = Tolerance {
        absolute: 0.0,
        relative: 0.01,
    };
    assert!((limit(Sense::Minimize, -200.0, rel) - (-198.0)).abs() < 1e-3);
    assert!((limit(Sense::Maximize, 200.0, rel) - 198.0).abs() < 1e-3);
}

#[test]
fn maximized_stages_keep_the_earlier_optimum_from_below() {
    // Serve as much as possible, then use as few of the expensive site as possible.
    let source = "kind site { cores: core = 0 core, price: usd = 0 usd }\n\
        site a { cores: 10 core, price: 1 usd }\n\
        site b { cores: 6 core, price: 4 usd }\n\
        decide x[s in sites]: int >= 0 <= 3\n\
        constraint fit: sum(s in sites) s.cores * x[s] <= 40 core\n\
        maximize served: sum(s in sites) s.cores * x[s] within 10 %\n\
        then minimize cost: sum(s in sites) s.price * x[s]\n";
    for solver in SolverKind::enabled() {
        let s = solve(source, solver);
        let stages = &s.solved.stages;
        // Enumerate: served = 10a + 6b <= 40, a, b in 0..=3.
        let plans: Vec<(i64, i64)> = (0..=3)
            .flat_map(|a| (0..=3).map(move |b| (a, b)))
            .filter(|&(a, b)| 10 * a + 6 * b <= 40)
            .collect();
        let best = plans
            .iter()
            .map(|&(a, b)| 10 * a + 6 * b)
            .max()
            .expect("plans") as f64;
        let kept = best - 0.1 * best - NUMERICAL_TOLERANCE * best;
        let cheapest = plans
            .iter()
            .filter(|&&(a, b)| (10 * a + 6 * b) as f64 >= kept)
            .map(|&(a, b)| a + 4 * b)
            .min()
            .expect("kept plans") as f64;
        assert_eq!(stages[0].optimum, best, "solver {}", solver.name());
        assert!((stages[1].optimum - cheapest).abs() < 1e-6);
        assert!(stages[1].values[0] >= kept - 1e-9);
    }
}

#[test]
fn the_cli_reports_every_objective_at_every_stage_in_text_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ranked.arch");
    std::fs::write(&path, cases()[0].source(true, "within 50 %")).expect("write model");
    let archc = env!("CARGO_BIN_EXE_archc");
    let out = Command::new(archc)
        .args(["solve", "--format", "json"])
        .arg(&path)
        .output()
        .expect("archc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let stages = json["stages"]
        .as_array()
        .expect("stages in the JSON report");
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0]["objective"], "cost");
    assert_eq!(stages[1]["objective"], "exposure");
    for s in stages {
        assert_eq!(s["values"].as_array().map(|v| v.len()), Some(2), "{s}");
    }
    // The report's objective is the first objective at the final plan.
    assert_eq!(json["objective"]["name"], "cost");
    assert_eq!(json["objective"]["value"], stages[1]["values"][0]);

    let text = Command::new(archc)
        .arg("solve")
        .arg(&path)
        .output()
        .expect("archc runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("objectives in priority order"), "{text}");
    assert!(text.contains("minimize exposure"), "{text}");
}

#[test]
fn a_model_with_one_objective_reports_no_stages() {
    let source = cases()[0]
        .source(true, "")
        .replace("then minimize exposure", "// ");
    let s = solve(&source, SolverKind::enabled()[0]);
    assert!(s.solved.stages.is_empty());
    assert!(!s.to_json().contains("\"stages\""));
}

#[test]
fn plans_with_ranked_objectives_go_to_milp_and_say_why() {
    let source = "set quarters = 1..3\n\
        plan build over q in quarters {\n\
            state racks: 0..6 = 0\n\
            choose add: 0..3\n\
            next racks = racks + add\n\
            require racks >= q\n\
            cost = add * 5 usd + racks * 1 usd\n\
        }\n\
        minimize cost: build.cost\n\
        then minimize adds: sum(q in quarters) build.add[q]\n";
    let analysis = archc::driver::analyze_source(
        "plans.arch",
        source,
        None,
        &archc::analysis::AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    if analysis.has_errors() {
        // The plan syntax above must stay valid: this test is about the backend choice.
        panic!("{:?}", analysis.diagnostics);
    }
    assert_eq!(analysis.backend, Some(archc::plan::Backend::Milp));
    assert!(
        analysis.backend_reason.contains("ranks several objectives"),
        "{}",
        analysis.backend_reason
    );
}
