//! Planning from the current state: `moves(x, was)` and `changed(x, was)` with the current
//! values loaded as a param. Each small model is solved on every enabled MILP solver and
//! compared with an enumeration of its plans done by the test (never a written answer):
//! minimising moves, capping them, pricing them, counting changed instances, and ranking
//! cost before moves. The report's movements are recomputed from the plan.

use archc::solve::{SolveOptions, SolverKind, Status};

const REGIONS: [&str; 3] = ["r1", "r2", "r3"];

/// Three regions with a price and a capacity, a current placement `was`, and a demand that
/// moved: `x[r] in 0..=cap[r]`, `sum x >= demand`.
struct Fleet {
    price: [i64; 3],
    cap: [i64; 3],
    was: [i64; 3],
    demand: i64,
}

impl Fleet {
    fn header(&self) -> String {
        let mut s = String::from("kind site { price: usd = 0 usd, cap: int = 0 }\n");
        for (i, r) in REGIONS.iter().enumerate() {
            s += &format!(
                "site {r} {{ price: {} usd, cap: {} }}\n",
                self.price[i], self.cap[i]
            );
        }
        let table: Vec<String> = REGIONS
            .iter()
            .zip(self.was)
            .map(|(r, w)| format!("{r}: {w}"))
            .collect();
        s += &format!("param was[s in sites]: int = {{{}}}\n", table.join(", "));
        s += "decide x[s in sites]: int >= 0 <= s.cap\n";
        s += &format!(
            "constraint demand: sum(s in sites) x[s] >= {}\n",
            self.demand
        );
        s
    }

    fn plans(&self) -> Vec<[i64; 3]> {
        let mut out = Vec::new();
        for a in 0..=self.cap[0] {
            for b in 0..=self.cap[1] {
                for c in 0..=self.cap[2] {
                    if a + b + c >= self.demand {
                        out.push([a, b, c]);
                    }
                }
            }
        }
        out
    }

    fn cost(&self, x: [i64; 3]) -> i64 {
        (0..3).map(|i| self.price[i] * x[i]).sum()
    }

    fn moves(&self, x: [i64; 3]) -> i64 {
        (0..3).map(|i| (x[i] - self.was[i]).abs()).sum()
    }

    fn changed(&self, x: [i64; 3]) -> i64 {
        (0..3).filter(|&i| x[i] != self.was[i]).count() as i64
    }

    fn best(&self, keep: impl Fn([i64; 3]) -> bool, f: impl Fn([i64; 3]) -> i64) -> Option<i64> {
        self.plans().into_iter().filter(|&x| keep(x)).map(f).min()
    }
}

fn fleets() -> Vec<Fleet> {
    vec![
        Fleet {
            price: [3, 1, 2],
            cap: [4, 3, 4],
            was: [4, 0, 1],
            demand: 6,
        },
        Fleet {
            price: [1, 1, 5],
            cap: [3, 3, 3],
            was: [0, 2, 3],
            demand: 4,
        },
        Fleet {
            price: [2, 4, 1],
            cap: [2, 4, 3],
            was: [2, 4, 0],
            demand: 7,
        },
    ]
}

fn solve(source: &str, solver: SolverKind) -> archc::Solution {
    let mut model = archc::compile_source("moves.arch", source, None)
        .unwrap_or_else(|e| panic!("{source}\n{e}"));
    let opts = SolveOptions {
        solver: Some(solver),
        ..Default::default()
    };
    let s = model
        .solve(&opts)
        .unwrap_or_else(|d| panic!("{source}\n{}", d.message));
    assert_eq!(s.status(), Status::Optimal, "{source}");
    s
}

fn plan_of(s: &archc::Solution) -> [i64; 3] {
    let v = |r: &str| s.value("x", &[r]).expect("x is reported").round() as i64;
    [v("r1"), v("r2"), v("r3")]
}

/// The report's movement labelled `label`.
fn movement(s: &archc::Solution, label: &str) -> f64 {
    s.report
        .movements
        .iter()
        .find(|m| m.label == label)
        .unwrap_or_else(|| panic!("no movement {label}: {:?}", s.report.movements))
        .value
}

#[test]
fn minimising_moves_finds_the_smallest_change() {
    for solver in SolverKind::enabled() {
        for f in fleets() {
            let source = format!("{}minimize moved: moves(x, was)\n", f.header());
            let s = solve(&source, solver);
            let x = plan_of(&s);
            let best = f.best(|_| true, |x| f.moves(x));
            assert_eq!(Some(f.moves(x)), best, "{source}");
            assert_eq!(s.objective(), best.map(|b| b as f64), "{source}");
            assert_eq!(movement(&s, "moves(x, was)"), f.moves(x) as f64);
        }
    }
}

#[test]
fn cheapest_cost_with_moves_capped() {
    for solver in SolverKind::enabled() {
        for f in fleets() {
            for cap in [0, 1, 2, 3] {
                let source = format!(
                    "{}constraint few: moves(x, was) <= {cap}\nminimize cost: sum(s in sites) s.price * x[s]\n",
                    f.header()
                );
                let best = f.best(|x| f.moves(x) <= cap, |x| f.cost(x));
                let mut model = archc::compile_source("moves.arch", &source, None)
                    .unwrap_or_else(|e| panic!("{source}\n{e}"));
                let s = model
                    .solve(&SolveOptions {
                        solver: Some(solver),
                        ..Default::default()
                    })
                    .expect("solves");
                match best {
                    None => assert_eq!(s.status(), Status::Infeasible, "{source}"),
                    Some(b) => {
                        assert_eq!(s.status(), Status::Optimal, "{source}");
                        let x = plan_of(&s);
                        assert!(f.moves(x) <= cap, "{source}: {x:?}");
                        assert_eq!(f.cost(x), b, "{source}");
                    }
                }
            }
        }
    }
}

#[test]
fn priced_moves_trade_against_cost() {
    for solver in SolverKind::enabled() {
        for f in fleets() {
            for price in [1, 3] {
                let source = format!(
                    "{}minimize total: sum(s in sites) s.price * x[s] + {price} usd * moves(x, was)\n",
                    f.header()
                );
                let s = solve(&source, solver);
                let best = f.best(|_| true, |x| f.cost(x) + price * f.moves(x));
                assert_eq!(s.objective(), best.map(|b| b as f64), "{source}");
            }
        }
    }
}

#[test]
fn changed_counts_the_instances_that_differ() {
    for solver in SolverKind::enabled() {
        for f in fleets() {
            let source = format!(
                "{}minimize cost: sum(s in sites) s.price * x[s] within 30 %\nthen minimize churn: changed(x, was)\n",
                f.header()
            );
            let s = solve(&source, solver);
            let x = plan_of(&s);
            let cheapest = f.best(|_| true, |x| f.cost(x)).expect("feasible") as f64;
            let kept = cheapest + 0.3 * cheapest + 1e-6 * cheapest.max(1.0);
            let best = f.best(|x| f.cost(x) as f64 <= kept, |x| f.changed(x));
            assert_eq!(Some(f.changed(x)), best, "{source}");
            assert_eq!(
                movement(&s, "changed(x, was)"),
                f.changed(x) as f64,
                "{source}"
            );
        }
    }
}

#[test]
fn maximising_changed_is_refused() {
    let f = &fleets()[0];
    let source = format!("{}maximize churn: changed(x, was)\n", f.header());
    let err = archc::compile_source("moves.arch", &source, None)
        .err()
        .expect("refused");
    assert!(
        err.diagnostics
            .iter()
            .any(|d| d.code == archc::diagnostics::Code::E0651),
        "{}",
        err.rendered
    );
}

#[test]
fn moves_of_a_bool_decision_count_flips_in_any_direction() {
    // Maximise the flips of a bool placement: `moves` is exact here (with choice binaries).
    let source = "set sites = {a, b, c}\n\
        param was[s in sites]: bool = {a: true, b: false, c: true}\n\
        decide on[s in sites]: bool\n\
        constraint two: sum(s in sites) on[s] == 2\n\
        maximize flips: moves(on, was)\n";
    for solver in SolverKind::enabled() {
        let s = solve(source, solver);
        // Enumerate the placements with two sites on.
        let was = [1, 0, 1];
        let best = (0..8u32)
            .map(|m| [(m & 1) as i64, ((m >> 1) & 1) as i64, ((m >> 2) & 1) as i64])
            .filter(|x| x.iter().sum::<i64>() == 2)
            .map(|x| (0..3).map(|i| (x[i] - was[i]).abs()).sum::<i64>())
            .max();
        assert_eq!(s.objective(), best.map(|b| b as f64));
        assert_eq!(movement(&s, "moves(on, was)"), best.unwrap_or(0) as f64);
    }
}

#[test]
fn verification_recomputes_the_moves_from_the_plan() {
    use archc::solve::verify::{verify, Tolerances, ViolationKind};
    let f = &fleets()[0];
    let source = format!("{}minimize moved: moves(x, was)\n", f.header());
    let mut compiled = archc::compile_source("moves.arch", &source, None).expect("compiles");
    let s = compiled.solve(&SolveOptions::default()).expect("solves");
    let model = compiled.model();
    assert_eq!(model.movements.len(), 1);
    let values = s.solved.values().to_vec();
    assert!(verify(model, &values, &Tolerances::default()).is_ok());
    // A plan that moves every site by one more, with the model's count left as it was.
    let mut moved = values.clone();
    for &(c, _, was) in &model.movements[0].items {
        let x = &mut moved[c.0 as usize];
        *x = if *x >= was { *x + 1.0 } else { *x - 1.0 };
    }
    let report = verify(model, &moved, &Tolerances::default());
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.kind == ViolationKind::Movement(0)),
        "{:?}",
        report.violations
    );
}
