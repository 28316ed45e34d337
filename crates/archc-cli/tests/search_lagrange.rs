//! The Lagrangian start of the search backend (`--search-start lagrange`) on placement
//! instances with known optima (`tests/data/placement_gen`, from the peers' generator; see
//! its SOURCES.md): the plans built from the Lagrangian relaxation are verified against the
//! model and near the optimum, better than the greedy start, and the search from them ends
//! within [`STATED_GAP`] of the optimum, at least as good as the search from greedy; the
//! relaxation that keeps each place's capacity row as a knapsack bounds the optimum and
//! gives plans near it (on the smaller instance better than the first relaxation's).

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::backends::search::shape::Shape;
use archc::backends::search::state::State;
use archc::driver::analyze;
use archc::solve::lagrange::{
    knapsack_bound_with_plans, lagrangian_bound_with_plans, LagrangeOptions, PlanPace,
};
use archc::solve::search::{solve_search, SearchStart};
use archc::solve::verify::{objective_value, verify, Tolerances};
use archc::solve::{SolveOptions, Status};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// Instances (jobs x sites) and their optima.
const INSTANCES: &[(&str, f64)] = &[("50x10", 142747.0), ("100x20", 234528.0)];
/// The gap to the optimum the search from the Lagrangian start must reach.
const STATED_GAP: f64 = 0.04;
/// The gap to the optimum the best Lagrangian plan itself must reach (before any search).
const PLAN_GAP: f64 = 0.08;
/// Generous: the assertions are on quality only.
const TIME_LIMIT: Duration = Duration::from_secs(3);

/// The tests of this file run one at a time: each search and relaxation uses two threads,
/// and the quality reached in [`TIME_LIMIT`] should not depend on the other tests.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn instance(name: &str) -> Analysis {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/placement_gen")
        .join(name)
        .join("placement.arch");
    let a = analyze(
        &path,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    assert!(!a.has_errors(), "{name}: {:?}", a.diagnostics);
    a
}

/// Values per column of a plan given as each item's option (the places follow the items,
/// as in the search), computed by the search's state.
fn values_of(model: &archc::ir::Model, shape: &Shape, plan: &[u32]) -> Vec<f64> {
    let mut s = State::new(model, shape);
    for (i, &c) in plan.iter().enumerate() {
        s.place(i, c);
    }
    s.recompute();
    s.values()
}

/// The Lagrangian relaxation run to convergence hands over plans; each is a plan of the
/// model (one option per item, every row met, checked by the verifier), none is below the
/// optimum, and the best is within [`PLAN_GAP`] of it and better than the greedy start.
#[test]
fn the_lagrangian_plans_are_verified_and_near_the_optimum() {
    let _one = one_at_a_time();
    for &(name, optimum) in INSTANCES {
        let a = instance(name);
        let model = &a.instance.as_ref().unwrap().model;
        let shape = Shape::of(model).unwrap();
        let plans = Mutex::new(Vec::new());
        // The best plan's objective steers the steps, as the search's incumbent does.
        let upper = Mutex::new(None::<f64>);
        let l = lagrangian_bound_with_plans(
            model,
            &shape,
            &LagrangeOptions {
                time_limit: Duration::from_secs(60),
                upper: &|| *upper.lock().unwrap(),
                stop: &|| false,
                pace: PlanPace::Steps(PLAN_STEPS),
            },
            Some(&|p: Vec<u32>| {
                let obj = objective_value(model, &values_of(model, &shape, &p));
                let mut u = upper.lock().unwrap();
                *u = Some(u.map_or(obj, |u| u.min(obj)));
                plans.lock().unwrap().push(p);
            }),
        )
        .expect("a bound");
        assert!(l.value <= optimum + 1e-6, "{name}: bound {}", l.value);
        let plans = plans.into_inner().unwrap();
        assert!(!plans.is_empty(), "{name}: no plan");
        assert_eq!(l.plans, plans.len() as u64);
        let mut best = f64::INFINITY;
        for plan in &plans {
            assert_eq!(plan.len(), shape.items.len());
            for (i, &c) in plan.iter().enumerate() {
                assert!(
                    shape.items[i].1.iter().any(|o| o.0 == c),
                    "{name}: item {i} on a column not its option"
                );
            }
            let values = values_of(model, &shape, plan);
            assert!(
                verify(model, &values, &Tolerances::default()).is_ok(),
                "{name}: a plan breaks a row"
            );
            let obj = objective_value(model, &values);
            assert!(obj >= optimum - 1e-6, "{name}: {obj} below the optimum");
            best = best.min(obj);
        }
        assert!(
            (best - optimum) / optimum <= PLAN_GAP,
            "{name}: the best Lagrangian plan {best} is {:.2}% above the optimum {optimum}",
            100.0 * (best - optimum) / optimum
        );
        // The greedy start, for comparison: the search's start objective from greedy.
        let mut report = None;
        solve_search(
            model,
            &SolveOptions {
                time_limit: Some(Duration::from_millis(200)),
                ..Default::default()
            },
            1,
            SearchStart::Greedy,
            &|_, _| {},
            &mut report,
        )
        .unwrap();
        let greedy = report.unwrap().start_objective.expect("a start");
        assert!(
            best < greedy,
            "{name}: the Lagrangian plan {best} is no better than the greedy start {greedy}"
        );
    }
}

/// `solve_search` from the Lagrangian start: its plan is verified, within [`STATED_GAP`] of
/// the optimum and no worse than the search from greedy in the same time; the report names
/// the start `lagrange`, the search ends no worse than its start plan and the reason counts
/// the plans handed over.
#[test]
fn the_search_from_the_lagrangian_start_reaches_the_stated_gap() {
    let _one = one_at_a_time();
    for &(name, optimum) in INSTANCES {
        let a = instance(name);
        let model = &a.instance.as_ref().unwrap().model;
        let opts = SolveOptions {
            time_limit: Some(TIME_LIMIT),
            ..Default::default()
        };
        let run = |start| {
            let mut report = None;
            let solved = solve_search(model, &opts, 1, start, &|_, _| {}, &mut report).unwrap();
            assert_eq!(solved.raw.status, Status::Feasible, "{name}: no plan");
            assert!(verify(model, &solved.raw.values, &Tolerances::default()).is_ok());
            (solved, report.expect("a report"))
        };
        let (lagrange, report) = run(SearchStart::Lagrange);
        let obj = lagrange.raw.objective;
        assert!(obj >= optimum - 1e-6, "{name}: {obj} below the optimum");
        assert!(
            (obj - optimum) / optimum <= STATED_GAP,
            "{name}: {obj} is {:.2}% above the optimum {optimum}",
            100.0 * (obj - optimum) / optimum
        );
        assert_eq!(report.start.as_deref(), Some("lagrange"), "{name}");
        let start = report.start_objective.expect("the start's objective");
        assert!(report.start_feasible == Some(true), "{name}");
        // How good the first plan is depends on how many multiplier steps came before it
        // (a matter of time); the plans at convergence are held to PLAN_GAP above.
        assert!(
            start >= optimum - 1e-6 && obj <= start + 1e-6,
            "{name}: start {start}, end {obj}"
        );
        assert!(
            lagrange
                .reason
                .contains("plans from the Lagrangian relaxation"),
            "{}",
            lagrange.reason
        );
        let (greedy, _) = run(SearchStart::Greedy);
        assert!(
            obj <= greedy.raw.objective + 1e-6,
            "{name}: {obj} from the Lagrangian start, {} from greedy",
            greedy.raw.objective
        );
    }
}

/// `archc solve --backend search --search-start lagrange`: the JSON report names the start,
/// and its plan is verified and within twice [`STATED_GAP`] of the optimum.
#[test]
fn the_cli_takes_the_lagrange_start_and_reports_it() {
    let _one = one_at_a_time();
    let (name, optimum) = INSTANCES[0];
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .current_dir(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/placement_gen")
                .join(name),
        )
        .args([
            "solve",
            "placement.arch",
            "--backend",
            "search",
            "--search-start",
            "lagrange",
            "--time-limit",
            "3",
            "--format",
            "json",
            "--quiet",
        ])
        .output()
        .expect("archc runs");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(v["scale"]["method"], "search");
    assert_eq!(v["scale"]["start"], "lagrange");
    assert_eq!(v["verification"]["ok"], true);
    let obj = v["scale"]["objective"].as_f64().expect("an objective");
    // How close the search gets in 3 s depends on the machine; the CLI is held to twice
    // the library test's stated gap.
    assert!(
        obj >= optimum - 1e-6 && (obj - optimum) / optimum <= 2.0 * STATED_GAP,
        "{obj}"
    );
}

/// The gap to the optimum the best plan of the knapsack relaxation must reach.
const KNAPSACK_PLAN_GAP: f64 = 0.035;
/// Steps between two plans of the relaxations below: paced by steps, not time, they build
/// the same plans on any machine.
const PLAN_STEPS: u64 = 10;
/// The instances whose best knapsack plan is better than the first relaxation's at every
/// pace from 1 to 80 steps (about 1 % above the optimum against 2 to 3.5 %). On 100x20 the
/// two are within half a percent of each other, either one ahead depending on the pace.
const KNAPSACK_PLANS_BETTER: &[&str] = &["50x10"];

/// The bound that keeps each place's capacity row as a knapsack
/// ([`archc::solve::lagrange::knapsack_bound_with_plans`]): at most the optimum and at
/// least the first relaxation's bound (which it reports), and every plan it hands over is a
/// verified plan of the model, the best within [`KNAPSACK_PLAN_GAP`] of the optimum and,
/// on [`KNAPSACK_PLANS_BETTER`], better than the best plan of the first relaxation alone.
#[test]
fn the_knapsack_relaxation_bounds_the_optimum_and_gives_verified_plans() {
    let _one = one_at_a_time();
    for &(name, optimum) in INSTANCES {
        let a = instance(name);
        let model = &a.instance.as_ref().unwrap().model;
        let shape = Shape::of(model).unwrap();
        let best_of = |knapsacks: bool| {
            let plans = Mutex::new(Vec::new());
            let upper = Mutex::new(None::<f64>);
            let opts = LagrangeOptions {
                time_limit: Duration::from_secs(60),
                upper: &|| *upper.lock().unwrap(),
                stop: &|| false,
                pace: PlanPace::Steps(PLAN_STEPS),
            };
            let send = |p: Vec<u32>| {
                let obj = objective_value(model, &values_of(model, &shape, &p));
                let mut u = upper.lock().unwrap();
                *u = Some(u.map_or(obj, |u| u.min(obj)));
                plans.lock().unwrap().push(p);
            };
            let l = if knapsacks {
                knapsack_bound_with_plans(model, &shape, &opts, Some(&send))
            } else {
                lagrangian_bound_with_plans(model, &shape, &opts, Some(&send))
            }
            .expect("a bound");
            let mut best = f64::INFINITY;
            for plan in plans.into_inner().unwrap() {
                let values = values_of(model, &shape, &plan);
                assert!(
                    verify(model, &values, &Tolerances::default()).is_ok(),
                    "{name}: a plan breaks a row"
                );
                let obj = objective_value(model, &values);
                assert!(obj >= optimum - 1e-6, "{name}: {obj} below the optimum");
                best = best.min(obj);
            }
            (l, best)
        };
        let (k, best) = best_of(true);
        let stats = k.knapsacks.as_ref().expect("the knapsack relaxation ran");
        assert!(
            k.value <= optimum + 1e-6,
            "{name}: bound {} above the optimum",
            k.value
        );
        assert!(
            k.value >= stats.first,
            "{name}: {} below {}",
            k.value,
            stats.first
        );
        assert!(stats.exact > 0 && stats.steps > 0);
        assert!(
            (best - optimum) / optimum <= KNAPSACK_PLAN_GAP,
            "{name}: the best knapsack plan {best} is {:.2}% above the optimum {optimum}",
            100.0 * (best - optimum) / optimum
        );
        if !KNAPSACK_PLANS_BETTER.contains(&name) {
            continue;
        }
        let (_, first_best) = best_of(false);
        assert!(
            best < first_best,
            "{name}: knapsack plans {best}, first relaxation's {first_best}"
        );
    }
}

/// A small placement written as a maximisation (gains of the assignments less the fixed
/// cost of the places used), with data from a seeded generator, and its optimum found by
/// trying every assignment: `(model text, optimum)`.
fn maximisation_instance(seed: u64) -> (String, f64) {
    const ITEMS: usize = 8;
    const PLACES: usize = 3;
    let mut state = seed;
    let mut next = |lo: u64, hi: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (state >> 33) % (hi - lo + 1)
    };
    let gain: Vec<Vec<u64>> = (0..ITEMS)
        .map(|_| (0..PLACES).map(|_| next(5, 40)).collect())
        .collect();
    let size: Vec<u64> = (0..ITEMS).map(|_| next(1, 6)).collect();
    let cap: Vec<u64> = (0..PLACES).map(|_| next(8, 14)).collect();
    let fixed: Vec<u64> = (0..PLACES).map(|_| next(10, 30)).collect();
    let item = |i: usize| format!("i{}", i + 1);
    let place = |p: usize| ["a", "b", "c"][p].to_string();
    let table = |entries: Vec<(String, u64)>| {
        let e: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{{{}}}", e.join(", "))
    };
    let text = format!(
        "set places = {{a, b, c}}\n\
         set items = {{{items}}}\n\
         param gain[i in items, p in places]: real = {gain}\n\
         param size[i in items]: int = {size}\n\
         param cap[p in places]: int = {cap}\n\
         param fixed[p in places]: real = {fixed}\n\
         decide open[p in places]: bool\n\
         decide x[i in items, p in places]: bool\n\
         constraint one[i in items]: sum(p in places) x[i, p] == 1\n\
         constraint fit[p in places]: sum(i in items) size[i] * x[i, p] <= cap[p] * open[p]\n\
         maximize profit: sum(i in items, p in places) gain[i, p] * x[i, p]\n    \
             - sum(p in places) fixed[p] * open[p]\n",
        items = (0..ITEMS).map(item).collect::<Vec<_>>().join(", "),
        gain = table(
            (0..ITEMS)
                .flat_map(|i| (0..PLACES).map(move |p| (i, p)))
                .map(|(i, p)| (format!("({}, {})", item(i), place(p)), gain[i][p]))
                .collect()
        ),
        size = table((0..ITEMS).map(|i| (item(i), size[i])).collect()),
        cap = table((0..PLACES).map(|p| (place(p), cap[p])).collect()),
        fixed = table((0..PLACES).map(|p| (place(p), fixed[p])).collect()),
    );
    // Every assignment of items to places; a place is open exactly when used.
    let mut best = f64::NEG_INFINITY;
    for code in 0..PLACES.pow(ITEMS as u32) {
        let (mut load, mut c, mut profit) = ([0u64; PLACES], code, 0.0);
        for i in 0..ITEMS {
            let p = c % PLACES;
            c /= PLACES;
            load[p] += size[i];
            profit += gain[i][p] as f64;
        }
        if (0..PLACES).all(|p| load[p] <= cap[p]) {
            profit -= (0..PLACES)
                .filter(|&p| load[p] > 0)
                .map(|p| fixed[p] as f64)
                .sum::<f64>();
            best = best.max(profit);
        }
    }
    assert!(best.is_finite(), "seed {seed}: no assignment fits");
    (text, best)
}

/// When the model maximises, the bounds are upper bounds: the knapsack bound is at least
/// the optimum (found by trying every assignment) and at most the first relaxation's
/// bound, every plan handed over is verified and at most the optimum, and the search from
/// the Lagrangian start ends at a verified plan no better than the bound.
#[test]
fn a_maximisation_is_bounded_from_above() {
    let _one = one_at_a_time();
    for seed in [1, 2, 3] {
        let (text, optimum) = maximisation_instance(seed);
        let a = archc::driver::analyze_source(
            "max.arch",
            &text,
            None,
            &AnalyzeOptions {
                instantiate: true,
                ..Default::default()
            },
        );
        assert!(!a.has_errors(), "{:?}\n{text}", a.diagnostics);
        let model = &a.instance.as_ref().unwrap().model;
        let shape = Shape::of(model).expect("the placement shape");
        assert_eq!(shape.sense, archc::ir::Sense::Maximize);
        let plans = Mutex::new(Vec::new());
        let lower = Mutex::new(None::<f64>);
        let opts = LagrangeOptions {
            time_limit: Duration::from_secs(10),
            upper: &|| *lower.lock().unwrap(),
            stop: &|| false,
            pace: PlanPace::Timed,
        };
        let send = |p: Vec<u32>| {
            let obj = objective_value(model, &values_of(model, &shape, &p));
            let mut l = lower.lock().unwrap();
            *l = Some(l.map_or(obj, |l| l.max(obj)));
            plans.lock().unwrap().push(p);
        };
        let k = knapsack_bound_with_plans(model, &shape, &opts, Some(&send)).expect("a bound");
        let stats = k.knapsacks.as_ref().expect("the knapsack relaxation ran");
        assert!(
            k.value >= optimum - 1e-6,
            "seed {seed}: bound {} below the optimum {optimum}",
            k.value
        );
        assert!(
            k.value <= stats.first + 1e-6,
            "seed {seed}: knapsack bound {} above the first relaxation's {}",
            k.value,
            stats.first
        );
        let plans = plans.into_inner().unwrap();
        assert!(!plans.is_empty(), "seed {seed}: no plan");
        for plan in plans {
            let values = values_of(model, &shape, &plan);
            assert!(verify(model, &values, &Tolerances::default()).is_ok());
            let obj = objective_value(model, &values);
            assert!(
                obj <= optimum + 1e-6,
                "seed {seed}: {obj} above the optimum"
            );
        }
        let mut report = None;
        let solved = solve_search(
            model,
            &SolveOptions {
                time_limit: Some(Duration::from_secs(1)),
                ..Default::default()
            },
            1,
            SearchStart::Lagrange,
            &|_, _| {},
            &mut report,
        )
        .unwrap();
        assert_eq!(solved.raw.status, Status::Feasible);
        assert!(verify(model, &solved.raw.values, &Tolerances::default()).is_ok());
        let obj = solved.raw.objective;
        assert!(
            obj <= optimum + 1e-6,
            "seed {seed}: {obj} above the optimum"
        );
        let b = report
            .and_then(|r| r.bound)
            .expect("the search reports its bound")
            .value;
        assert!(b >= optimum - 1e-6, "seed {seed}: search bound {b}");
    }
}
