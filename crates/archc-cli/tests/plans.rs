//! Plans end to end: the backend chosen for each planning example and why, the same optimum
//! from the DP backend and the MILP lowering (examples and random linear plans), and
//! Wagner-Whitin lot sizing written in Arch against published optima. Every DP solve is run
//! with the reachability pass (the default) and without it, and both must give the same
//! cost and trajectories.

use archc::analysis::AnalyzeOptions;
use archc::backends::dp::DpOptions;
use archc::diagnostics::Code;
use archc::driver::analyze;
use archc::plan::{Backend, BackendChoice};
use archc::solve::{solve_model, SolveOptions, Status};
use proptest::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The optimum of one solve, or `None` when the model is infeasible.
#[derive(Debug)]
struct Outcome {
    backend: Backend,
    reason: String,
    objective: Option<f64>,
}

/// Analyse and solve a model with the given backend; panics on any other error.
fn solve(path: &Path, backend: BackendChoice) -> Outcome {
    let mut a = analyze(
        path,
        &AnalyzeOptions {
            instantiate: true,
            backend,
            ..Default::default()
        },
    );
    assert!(
        !a.has_errors(),
        "{}: {:?}",
        path.display(),
        a.diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect::<Vec<_>>()
    );
    let chosen = a.backend.expect("a backend");
    let mut instance = a.instance.take().expect("an instance");
    let objective = match chosen {
        Backend::Dp => {
            let schema = a.schema.as_ref().expect("schema");
            let hir = a.hir.as_ref().expect("HIR");
            let pruned = archc::plan::solve_dp(schema, hir, &mut a.sources, &mut instance);
            let unpruned = archc::plan::solve_dp_with(
                schema,
                hir,
                &mut a.sources,
                &mut instance,
                &DpOptions {
                    prune_unreachable: false,
                    ..DpOptions::default()
                },
            );
            match (&pruned, &unpruned) {
                (Ok(p), Ok(u)) => {
                    assert_eq!(p.cost.to_bits(), u.cost.to_bits(), "{}", path.display());
                    assert_eq!(p.trajectories, u.trajectories, "{}", path.display());
                }
                (Err(p), Err(u)) => assert_eq!(
                    (&p.code, &p.message),
                    (&u.code, &u.message),
                    "{}",
                    path.display()
                ),
                (p, u) => panic!("{}: pruned {p:?}, unpruned {u:?}", path.display()),
            }
            match pruned {
                Ok(o) => Some(o.cost),
                Err(d) if d.code == Code::E0611 => None,
                Err(d) => panic!("{}: DP: {} {}", path.display(), d.code, d.message),
            }
        }
        Backend::Milp => match solve_model(&instance.model, &SolveOptions::default()) {
            Ok(s) => match s.raw.status {
                Status::Optimal => Some(s.raw.objective),
                Status::Infeasible => None,
                other => panic!("{}: MILP status {other:?}", path.display()),
            },
            Err(d) => panic!("{}: MILP: {} {}", path.display(), d.code, d.message),
        },
    };
    Outcome {
        backend: chosen,
        reason: a.backend_reason,
        objective,
    }
}

fn example(name: &str) -> PathBuf {
    archc_root().join("examples/planning").join(name)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// Write `text` as `name` in a fresh folder under the system temp dir; the folder goes when
/// the returned guard is dropped.
fn model_file(tag: &str, name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("archc-plans-{tag}-"))
        .tempdir()
        .expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write the model");
    (dir, path)
}

#[test]
fn examples_backend_reason_and_objective() {
    let mut out = String::new();
    for (name, expected) in [
        ("racks.arch", 2_648_600.0),
        ("knapsack.arch", -432_000.0),
        ("coupled.arch", 812_800.0),
    ] {
        let o = solve(&example(name), BackendChoice::Auto);
        let obj = o.objective.expect("feasible");
        assert!(close(obj, expected), "{name}: {obj} != {expected}");
        writeln!(out, "{name}: {:?} | {} | {obj}", o.backend, o.reason).unwrap();
    }
    insta::assert_snapshot!(out);
}

#[test]
fn knapsack_dp_and_milp_agree() {
    let dp = solve(&example("knapsack.arch"), BackendChoice::Dp);
    let milp = solve(&example("knapsack.arch"), BackendChoice::Milp);
    assert_eq!(dp.backend, Backend::Dp);
    assert_eq!(milp.backend, Backend::Milp);
    assert_eq!(milp.reason, "milp — forced by --backend milp");
    let (d, m) = (dp.objective.expect("dp"), milp.objective.expect("milp"));
    assert!(close(d, m), "dp {d} milp {m}");
    assert!(close(d, -432_000.0), "dp {d}");
}

/// Brute force of the knapsack example: the DP optimum is the best subset.
#[test]
fn knapsack_matches_brute_force() {
    let capex = [120, 310, 90, 240, 180, 60, 150];
    let saving = [95_000, 210_000, 60_000, 150_000, 140_000, 38_000, 99_000];
    let best = (0u32..1 << capex.len())
        .filter(|m| {
            (0..7)
                .filter(|i| m >> i & 1 == 1)
                .map(|i| capex[i])
                .sum::<i32>()
                <= 600
        })
        .map(|m| {
            (0..7)
                .filter(|i| m >> i & 1 == 1)
                .map(|i| saving[i])
                .sum::<i32>()
        })
        .max()
        .unwrap_or(0);
    let dp = solve(&example("knapsack.arch"), BackendChoice::Dp);
    assert!(close(dp.objective.expect("dp"), -f64::from(best)));
}

#[test]
fn coupled_is_milp_and_dp_refuses_it() {
    let a = analyze(
        &example("coupled.arch"),
        &AnalyzeOptions {
            instantiate: true,
            backend: BackendChoice::Dp,
            ..Default::default()
        },
    );
    assert!(a.diagnostics.iter().any(|d| d.code == Code::E0619));
    // Without the shared budget, the same plans are solved by DP for less.
    let text = std::fs::read_to_string(example("coupled.arch")).expect("example");
    let cut = text
        .find("/// The regions share")
        .expect("budget constraint");
    let (_dir, path) = model_file("uncoupled", "uncoupled.arch", &text[..cut]);
    let free = solve(&path, BackendChoice::Auto);
    assert_eq!(free.backend, Backend::Dp);
    let milp = solve(&path, BackendChoice::Milp);
    let (f, m) = (free.objective.expect("dp"), milp.objective.expect("milp"));
    assert!(close(f, m), "dp {f} milp {m}");
    assert!(
        f <= 812_800.0 + 1e-6,
        "relaxing the budget cannot cost more: {f}"
    );
}

/// A random small linear plan: inventory-style stock per region.
#[derive(Clone, Debug)]
struct RandomPlan {
    regions: usize,
    stages: usize,
    k: i64,
    d: i64,
    init: Vec<i64>,
    demand: Vec<Vec<i64>>,
    price: Vec<i64>,
    hold: i64,
}

fn random_plan() -> impl Strategy<Value = RandomPlan> {
    (1usize..=2, 3usize..=5, 4i64..=12, 1i64..=5).prop_flat_map(|(regions, stages, k, d)| {
        (
            proptest::collection::vec(0..=k, regions),
            proptest::collection::vec(proptest::collection::vec(0..=d + 1, stages), regions),
            proptest::collection::vec(1i64..=20, regions),
            0i64..=5,
        )
            .prop_map(move |(init, demand, price, hold)| RandomPlan {
                regions,
                stages,
                k,
                d,
                init,
                demand,
                price,
                hold,
            })
    })
}

impl RandomPlan {
    fn source(&self) -> String {
        let mut s = String::from("kind site { stock: int = 0, price: usd = 0 usd }\n");
        for r in 0..self.regions {
            writeln!(
                s,
                "site s{r} {{ stock: {}, price: {} usd }}",
                self.init[r], self.price[r]
            )
            .unwrap();
        }
        writeln!(s, "set periods = 1..{}", self.stages).unwrap();
        let entries: Vec<String> = (0..self.regions)
            .flat_map(|r| {
                (0..self.stages).map(move |t| format!("(s{r}, {}): {}", t + 1, self.demand[r][t]))
            })
            .collect();
        writeln!(
            s,
            "param demand[r in sites, t in periods]: int = {{{}}}",
            entries.join(", ")
        )
        .unwrap();
        writeln!(s, "param hold: usd = {} usd", self.hold).unwrap();
        writeln!(
            s,
            "plan stock[r in sites] over t in periods {{\n    state level: 0..{} = r.stock\n    choose add: 0..{}\n    next level = level + add - demand[r, t]\n    require level + add >= demand[r, t]\n    cost = add * r.price + level * hold\n}}",
            self.k, self.d
        )
        .unwrap();
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_linear_plans_dp_equals_milp(plan in random_plan()) {
        let (_dir, path) = model_file("random", "plan.arch", &plan.source());
        let dp = solve(&path, BackendChoice::Dp);
        let milp = solve(&path, BackendChoice::Milp);
        prop_assert_eq!(dp.backend, Backend::Dp);
        prop_assert_eq!(milp.backend, Backend::Milp);
        match (dp.objective, milp.objective) {
            (Some(d), Some(m)) => prop_assert!(close(d, m), "dp {} milp {}\n{}", d, m, plan.source()),
            (None, None) => {}
            (d, m) => prop_assert!(false, "dp {:?} milp {:?}\n{}", d, m, plan.source()),
        }
    }
}

/// A field that is one number for every period or one per period.
fn per_period(v: Option<&serde_json::Value>, n: usize) -> Vec<f64> {
    match v {
        None => vec![0.0; n],
        Some(serde_json::Value::Array(a)) => {
            a.iter().map(|x| x.as_f64().expect("number")).collect()
        }
        Some(x) => vec![x.as_f64().expect("number"); n],
    }
}

fn table(values: &[f64], unit: &str) -> String {
    let entries: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(t, v)| format!("{}: {v} {unit}", t + 1))
        .collect();
    format!("{{{}}}", entries.join(", ")).replace("  ", " ")
}

/// The lot-sizing model in Arch for one instance: the state is the inventory at the start
/// of a period, the decision the order quantity; no backlog, zero starting inventory.
fn lot_sizing_source(inst: &serde_json::Value) -> String {
    let n = inst["num_periods"].as_u64().expect("num_periods") as usize;
    let demand = per_period(inst.get("demand"), n);
    let total: f64 = demand.iter().sum();
    let total = total as i64;
    let ints: Vec<String> = demand
        .iter()
        .enumerate()
        .map(|(t, d)| format!("{}: {}", t + 1, *d as i64))
        .collect();
    format!(
        "set periods = 1..{n}\n\
         param demand[t in periods]: int = {{{}}}\n\
         param setup[t in periods]: usd = {}\n\
         param holding[t in periods]: usd = {}\n\
         param purchase[t in periods]: usd = {}\n\
         plan lots over t in periods {{\n\
         \x20   state inventory: 0..{total} = 0\n\
         \x20   choose order: 0..{total}\n\
         \x20   next inventory = inventory + order - demand[t]\n\
         \x20   require inventory + order >= demand[t]\n\
         \x20   cost = (if order > 0 then setup[t] else 0 usd) + purchase[t] * order\n\
         \x20       + holding[t] * (inventory + order - demand[t])\n\
         }}\n",
        ints.join(", "),
        table(&per_period(inst.get("fixed_cost"), n), "usd"),
        table(&per_period(inst.get("holding_cost"), n), "usd"),
        table(&per_period(inst.get("purchase_cost"), n), "usd"),
    )
}

#[test]
fn wagner_whitin_in_arch_matches_published_optima() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/lotsizing/wagner_whitin_instances.json"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("instances")).expect("json");
    let instances = doc["instances"].as_array().expect("instances");
    assert_eq!(instances.len(), 6);
    for inst in instances {
        let name = inst["name"].as_str().expect("name");
        let (_dir, file) = model_file("ww", &format!("{name}.arch"), &lot_sizing_source(inst));
        let o = solve(&file, BackendChoice::Auto);
        assert_eq!(o.backend, Backend::Dp, "{name}: {}", o.reason);
        let cost = o.objective.unwrap_or_else(|| panic!("{name}: infeasible"));
        let expected = inst["expected"]["cost"].as_f64().expect("cost");
        assert!(
            close(cost, expected),
            "{name}: {cost} != published {expected}"
        );
    }
}

/// A state without `next` keeps its value, and a requirement that compares the plan's
/// state with the stage number reads in the order written: DP (replay-verified) and MILP
/// agree on the optimum, 1.
#[test]
fn a_state_without_next_and_the_stage_number_in_a_requirement() {
    let (_dir, path) = model_file(
        "no-next",
        "no_next.arch",
        "set quarters = 1..3\n\
         plan p over q in quarters {\n\
             state a: 0..10 = 2\n\
             state b: 0..10 = 0\n\
             choose x: 0..3\n\
             next b = b + x\n\
             require b + a >= q\n\
             cost = x * 1.0\n\
         }\n",
    );
    let dp = solve(&path, BackendChoice::Dp);
    let milp = solve(&path, BackendChoice::Milp);
    assert_eq!(dp.objective, Some(1.0));
    assert_eq!(milp.objective, Some(1.0));
}

/// A plan compiled from its HIR, solved end to end (replay-verified) on both backends:
/// `tariff`'s parameters are named like the state and like a param, and each call passes
/// them the other kind of value. Stage cost `(q + 1) * buy + stock / 2`: the four units
/// bought in the first quarter, `4 * 2 + (3 + 2 + 1) / 2 = 11`.
#[test]
fn fn_parameters_shadowing_a_state_and_a_param_solve_on_both_backends() {
    let (_dir, path) = model_file(
        "fn-shadow",
        "tariff.arch",
        "set quarters = 1..4\n\
         param price[q in quarters]: real = q + 1\n\
         fn tariff(stock, price) = stock * price + price / 2\n\
         plan p over q in quarters {\n\
             state stock: 0..10 = 0\n\
             choose buy: 0..4\n\
             next stock = stock + buy - 1\n\
             cost = tariff(price[q], buy) - buy / 2\n\
             cost = tariff(stock, 0.5) - 0.25\n\
         }\n",
    );
    assert_eq!(solve(&path, BackendChoice::Dp).objective, Some(11.0));
    assert_eq!(solve(&path, BackendChoice::Milp).objective, Some(11.0));
}

/// Per-stage data the compiled data expressions leave to the evaluator, inside a function
/// body: `w[prev(t)]`, taken only after the first quarter. Holding 1, 1, 4, 9 per unit,
/// buying at `3q`: 27 on both backends, the DP answer replay-verified.
#[test]
fn data_left_to_the_evaluator_in_a_fn_body_solves_on_both_backends() {
    let (_dir, path) = model_file(
        "fn-fallback",
        "carry.arch",
        "set quarters = 1..4\n\
         param w[q in quarters]: real = q * q\n\
         fn carry(level, t) = level * (if t == first(quarters) then 1 else w[prev(t)])\n\
         plan p over q in quarters {\n\
             state level: 0..10 = 0\n\
             choose buy: 0..4\n\
             next level = level + buy - 1\n\
             cost = carry(level, q) + buy * (3 * q)\n\
         }\n",
    );
    assert_eq!(solve(&path, BackendChoice::Dp).objective, Some(27.0));
    assert_eq!(solve(&path, BackendChoice::Milp).objective, Some(27.0));
}

/// `extra`'s body reads the global param `level`, which the plan's state of the same name
/// shadows at the call site: the compiled plan, its replay and the MILP lowering all read
/// the param (3). Stage cost `(buy + 3) * 2q`, one unit used per quarter: the four units
/// bought in the first quarter, `7 * 2 + 3 * (4 + 6 + 8) = 68`. (Substituting the body's
/// text into the call read the state: the DP backend answered 20.)
#[test]
fn a_fn_body_reads_the_param_a_state_shadows_on_both_backends() {
    let (_dir, path) = model_file(
        "fn-global",
        "extra.arch",
        "set quarters = 1..4\n\
         param level: real = 3\n\
         param price[q in quarters]: real = q * 2\n\
         fn extra(x) = x + level\n\
         plan p over q in quarters {\n\
             state level: 0..10 = 0\n\
             choose buy: 0..5\n\
             next level = level + buy - 1\n\
             cost = extra(buy) * price[q]\n\
         }\n",
    );
    assert_eq!(solve(&path, BackendChoice::Dp).objective, Some(68.0));
    assert_eq!(solve(&path, BackendChoice::Milp).objective, Some(68.0));
}

/// A `sum` whose variable is named like the state is data: the DP compiler used to take it
/// for a sum over plan variables and refuse the plan (E0618), and the lowering to MILP
/// replaced its variable by the state's decision (E0305). One unit used per quarter at
/// `buy * 6`: 24 on both, replay-verified.
#[test]
fn a_sum_whose_variable_shadows_a_state_solves_on_both_backends() {
    let (_dir, path) = model_file(
        "sum-shadow",
        "sum.arch",
        "set quarters = 1..4\n\
         set items = 1..3\n\
         param w[i in items]: real = i\n\
         plan p over q in quarters {\n\
             state stock: 0..10 = 0\n\
             choose buy: 0..5\n\
             next stock = stock + buy - 1\n\
             cost = buy * sum(stock in items) w[stock]\n\
         }\n",
    );
    assert_eq!(solve(&path, BackendChoice::Dp).objective, Some(24.0));
    // Lowered to MILP, `stock` inside the sum stays the sum's variable: the lowering
    // replaces the references the checker resolved to the state, not every name `stock`.
    assert_eq!(solve(&path, BackendChoice::Milp).objective, Some(24.0));
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}

/// The objective goes to DP only as the sum of every plan's whole cost, read from the
/// checked model; any other objective is lowered to MILP, which says why. Each site buys
/// one unit a quarter at 2 (6 a site); a second plan `spare` costs 1 a quarter (3).
#[test]
fn the_objective_goes_to_dp_only_as_the_sum_of_whole_plan_costs() {
    let not_a_sum = "objective `total` is not a sum of plan costs";
    let some = "objective `total` counts the cost of some instances of plan `build`, and the DP backend solves whole plans";
    let cases = [
        ("sum(s in sites) build[s].cost + spare.cost", None, 15.0),
        ("spare.cost + sum(t in sites) build[t].cost", None, 15.0),
        (
            "sum(s in sites where s == north) build[s].cost + spare.cost",
            Some(some),
            9.0,
        ),
        (
            "build[north].cost + build[south].cost + spare.cost",
            Some(some),
            15.0,
        ),
        (
            "2 * spare.cost + sum(s in sites) build[s].cost",
            Some(not_a_sum),
            18.0,
        ),
        (
            "sum(s in sites) build[s].cost",
            Some("objective `total` leaves out the cost of plan `spare`"),
            12.0,
        ),
        (
            "spare.cost + spare.cost + sum(s in sites) build[s].cost",
            Some("objective `total` counts the cost of plan `spare` twice"),
            18.0,
        ),
    ];
    for (objective, milp_reason, expected) in cases {
        let (_dir, path) = model_file(
            "objective-shape",
            "shape.arch",
            &format!(
                "set sites = {{north, south}}\n\
                 set quarters = 1..3\n\
                 plan build[s in sites] over q in quarters {{\n\
                     state stock: 0..10 = 0\n\
                     choose buy: 0..3\n\
                     next stock = stock + buy - 1\n\
                     cost = buy * 2\n\
                 }}\n\
                 plan spare over q in quarters {{\n\
                     state kept: 0..9 = 0\n\
                     choose keep: 1..2\n\
                     next kept = kept + keep\n\
                     cost = keep\n\
                 }}\n\
                 minimize total: {objective}\n"
            ),
        );
        let o = solve(&path, BackendChoice::Auto);
        assert_eq!(o.objective, Some(expected), "{objective}");
        match milp_reason {
            None => assert_eq!(o.backend, Backend::Dp, "{objective}: {}", o.reason),
            Some(why) => {
                assert_eq!(o.backend, Backend::Milp, "{objective}");
                assert_eq!(o.reason, format!("milp — {why}"), "{objective}");
            }
        }
    }
}

/// A plan's cost bounded by a constraint and its decision summed in the objective, lowered to
/// MILP (`build.cost` and `build.add[q]` in ordinary declarations). With `racks` at the start
/// of each quarter (0, a1, a1 + a2) the cost is 12 a1 + 11 a2 + 10 a3: within 100 usd, at
/// most 4 added a quarter and at least 6 in the end, the most racks are 9 (1, 4, 4 costs 96;
/// 10 would cost at least 4 * 10 + 4 * 11 + 2 * 12 = 108).
#[test]
fn a_plan_cost_and_decision_in_constraints_and_objectives_lower_to_milp() {
    const MODEL: &str = r#"
set quarters = 1..3

plan build over q in quarters {
    state racks: 0..10 = 0
    choose add: 0..4
    next racks = racks + add
    final require racks >= 6
    cost = add * 10 usd + racks * 1 usd
}

constraint spend: build.cost <= 100 usd
maximize racks_added: sum(q in quarters) build.add[q]
"#;
    let (_dir, path) = model_file("cost_in_constraint", "budget.arch", MODEL);
    let o = solve(&path, BackendChoice::Auto);
    assert_eq!(o.backend, Backend::Milp, "{}", o.reason);
    let obj = o.objective.expect("feasible");
    assert!(close(obj, 9.0), "{obj}");
}

/// A plan's state range whose end is not whole (the checker cannot know: it depends on the
/// value) is E0633 at the end for the DP backend, which enumerates the states; the MILP
/// lowering takes it as the bound of an integer decision (at most 7). A set's range with
/// such an end is E0633 too.
#[test]
fn a_range_end_that_is_not_whole_is_refused_at_the_end() {
    const MODEL: &str = r#"
set quarters = 1..3
param cap: real = 7.5

plan build over q in quarters {
    state racks: 0..cap = 0
    choose add: 0..4
    next racks = racks + add
    cost = add * 10 usd + racks * 1 usd
}
"#;
    let (_dir, path) = model_file("not_whole", "range.arch", MODEL);
    let a = analyze(
        &path,
        &AnalyzeOptions {
            instantiate: true,
            backend: BackendChoice::Dp,
            ..Default::default()
        },
    );
    let codes: Vec<Code> = a.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::E0633], "{:?}", a.diagnostics);
    let span = a.diagnostics[0].labels[0].span;
    assert_eq!(&MODEL[span.start as usize..span.end as usize], "cap");
    let milp = solve(&path, BackendChoice::Milp);
    assert_eq!(milp.backend, Backend::Milp);
    assert!(close(milp.objective.expect("feasible"), 0.0));
    let set = MODEL.replace("set quarters = 1..3", "set quarters = 1..cap");
    let (_dir, path) = model_file("not_whole_set", "set.arch", &set);
    let a = analyze(
        &path,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    let codes: Vec<Code> = a.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::E0633], "{:?}", a.diagnostics);
}
