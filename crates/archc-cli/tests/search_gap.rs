//! The search backend on OR-Library generalised assignment instances (`tests/data/orlib_gap`,
//! see its SOURCES.md): each instance is converted to CSV next to a GAP model written in
//! Arch, solved by the local search with a short time limit, verified against the model, and
//! compared with the published optimum: the plan must be feasible and within
//! [`STATED_GAP`] of it, never below it. Models without the assignment shape get E0661.

use archc::analysis::AnalyzeOptions;
use archc::driver::analyze;
use archc::solve::search::{solve_search, SearchStart};
use archc::solve::verify::{verify, Tolerances};
use archc::solve::{SolveOptions, Status};
use archc_bench::gap::{self, Gap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The gap to the published optimum the search must reach in [`TIME_LIMIT`].
const STATED_GAP: f64 = 0.03;
const TIME_LIMIT: Duration = Duration::from_secs(2);

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/orlib_gap")
}

/// Write the instance and the model into a fresh folder.
fn write_instance(name: &str, g: &Gap) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("search_gap_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    gap::write_instance(&dir, g).unwrap();
    dir
}

/// The instances of one OR-Library file of the test data.
fn parse_file(file: &str) -> Vec<Gap> {
    gap::parse(&std::fs::read_to_string(data_dir().join(file)).unwrap()).unwrap()
}

/// The instances the tests run on (name, published optimum, instance): the c-type file and
/// the three smallest a-type instances, which keep the tests short.
fn chosen() -> Vec<(String, f64, Gap)> {
    let mut files: std::collections::HashMap<String, Vec<Option<Gap>>> = Default::default();
    let mut out = Vec::new();
    for (file, index, name, optimum) in optima() {
        if file == "gapa.txt" && index > 3 {
            continue;
        }
        let all = files
            .entry(file.clone())
            .or_insert_with(|| parse_file(&file).into_iter().map(Some).collect());
        let g = all[index - 1].take().expect("each instance once");
        out.push((name, optimum, g));
    }
    out
}

/// The instance written into `dir`, analysed and instantiated with no error.
fn analysed(dir: &Path, name: &str) -> archc::analysis::Analysis {
    let a = analyze(
        &dir.join("gap.arch"),
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    assert!(!a.has_errors(), "{name}: {:?}", a.diagnostics);
    a
}

/// Published minimisation optima by (file, index in file).
fn optima() -> Vec<(String, usize, String, f64)> {
    let text = std::fs::read_to_string(data_dir().join("gap_optima.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].to_string(),
                f[7].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn search_reaches_the_stated_gap_on_orlib_gap() {
    let mut checked = 0;
    for (name, optimum, g) in chosen() {
        let dir = write_instance(&name, &g);
        let a = analysed(&dir, &name);
        let model = &a.instance.as_ref().unwrap().model;
        let opts = SolveOptions {
            time_limit: Some(TIME_LIMIT),
            ..Default::default()
        };
        let mut report = None;
        let solved = solve_search(
            model,
            &opts,
            1,
            SearchStart::Greedy,
            &|_, _| {},
            &mut report,
        )
        .unwrap();
        assert_eq!(solved.raw.status, Status::Feasible, "{name}: no plan");
        assert!(verify(model, &solved.raw.values, &Tolerances::default()).is_ok());
        let obj = solved.raw.objective;
        assert!(
            obj >= optimum - 1e-6,
            "{name}: {obj} below the optimum {optimum}"
        );
        let gap = (obj - optimum) / optimum;
        assert!(
            gap <= STATED_GAP,
            "{name}: {obj} is {:.2}% above the optimum {optimum}",
            gap * 100.0
        );
        let report = report.unwrap();
        assert_eq!(report.method, "search");
        // The LP bound proves no more than the optimum.
        if let Some(b) = &report.bound {
            assert!(
                b.value <= optimum + 1e-6,
                "{name}: bound {} > optimum",
                b.value
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 8);
}

/// The rounded-LP start on every instance: the search's plan is verified and within
/// [`STATED_GAP`] of the published optimum; the report names the start `lp`, and the plan it
/// started from is the LP relaxation rounded here, independently (each job on the agent of
/// its largest LP value, ties to the cheaper), with the objective the report gives. The LP
/// bound is the LP's optimum (solved once, for the start and the bound).
#[test]
fn the_rounded_lp_start_is_verified_within_the_stated_gap_and_reported() {
    let mut checked = 0;
    for (name, optimum, g) in chosen() {
        let g = &g;
        let dir = write_instance(&format!("lp_{name}"), g);
        let a = analysed(&dir, &name);
        let model = &a.instance.as_ref().unwrap().model;
        let opts = SolveOptions {
            time_limit: Some(TIME_LIMIT),
            ..Default::default()
        };
        let mut report = None;
        let solved =
            solve_search(model, &opts, 1, SearchStart::Lp, &|_, _| {}, &mut report).unwrap();
        assert_eq!(solved.raw.status, Status::Feasible, "{name}: no plan");
        assert!(verify(model, &solved.raw.values, &Tolerances::default()).is_ok());
        let obj = solved.raw.objective;
        assert!(obj >= optimum - 1e-6, "{name}: {obj} below the optimum");
        let gap = (obj - optimum) / optimum;
        assert!(
            gap <= STATED_GAP,
            "{name}: {obj} is {:.2}% above the optimum {optimum}",
            gap * 100.0
        );
        let report = report.unwrap();
        assert_eq!(report.start.as_deref(), Some("lp"), "{name}");
        // The LP relaxation, solved here without the search, and rounded by hand.
        let relaxed = archc::backends::milp::relaxation(model);
        let lp = archc::backends::milp::solve(&relaxed, &SolveOptions::default()).unwrap();
        let by_name: std::collections::HashMap<String, usize> = (0..model.num_columns())
            .map(|c| (model.column_name(archc::ir::ColId(c as u32)), c))
            .collect();
        let col = |a: usize, j: usize| {
            *by_name
                .get(&format!("x[a{a}, j{j}]"))
                .unwrap_or_else(|| panic!("{name}: no column x[a{a}, j{j}]"))
        };
        let n = g.cost[0].len();
        let mut rounded = 0.0;
        for j in 0..n {
            let mut best = 0;
            for a in 1..g.cost.len() {
                let (v, bv) = (lp.values[col(a, j)], lp.values[col(best, j)]);
                if v > bv + 1e-9 || (v >= bv - 1e-9 && g.cost[a][j] < g.cost[best][j]) {
                    best = a;
                }
            }
            rounded += g.cost[best][j];
        }
        let start = report.start_objective.expect("the start's objective");
        assert!(
            (start - rounded).abs() <= 1e-6 * rounded.abs().max(1.0),
            "{name}: the report's start {start} is not the rounded LP {rounded}"
        );
        // The bound is no worse than the LP's optimum: the LP was not lost.
        let b = report.bound.expect("a bound");
        assert!(
            b.value >= lp.objective - 1e-6 * lp.objective.abs(),
            "{name}"
        );
        assert!(b.value <= optimum + 1e-6, "{name}");
        checked += 1;
    }
    assert_eq!(checked, 8);
}

/// The greedy start is reported as such, with its own start plan.
#[test]
fn the_greedy_start_is_reported_as_greedy() {
    let g = &parse_file("gap12.txt")[0];
    let dir = write_instance("greedy_start", g);
    let a = analysed(&dir, "gap12 #1");
    let model = &a.instance.as_ref().unwrap().model;
    let opts = SolveOptions {
        time_limit: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let mut report = None;
    solve_search(
        model,
        &opts,
        1,
        SearchStart::Greedy,
        &|_, _| {},
        &mut report,
    )
    .unwrap();
    let report = report.unwrap();
    assert_eq!(report.start.as_deref(), Some("greedy"));
    assert!(report.start_objective.is_some());
    // The default start for a model this small is the rounded LP.
    assert!(matches!(
        archc::solve::search::default_start(model),
        SearchStart::Lp
    ));
}

/// How far below the LP bound the Lagrangian bound may stop (relative to the optimum).
const LAGRANGIAN_SLACK: f64 = 0.01;

/// The Lagrangian bound of every instance is a bound (at most the published optimum) and
/// reaches the LP relaxation's optimum within [`LAGRANGIAN_SLACK`], never above it (its best
/// is the LP bound for this relaxation).
#[test]
fn lagrangian_bound_is_below_the_optimum_and_near_the_lp_bound() {
    let mut checked = 0;
    for (name, optimum, g) in chosen() {
        let dir = write_instance(&format!("lagrange_{name}"), &g);
        let a = analysed(&dir, &name);
        let model = &a.instance.as_ref().unwrap().model;
        let shape = archc::backends::search::shape::Shape::of(model).unwrap();
        let l = archc::solve::lagrange::lagrangian_bound(
            model,
            &shape,
            &archc::solve::lagrange::LagrangeOptions {
                time_limit: Duration::from_secs(20),
                upper: &|| Some(optimum),
                stop: &|| false,
                pace: archc::solve::lagrange::PlanPace::Timed,
            },
        )
        .expect("the relaxed problem has a solution");
        let lp = archc::solve::bound::lp_bound(model, &SolveOptions::default())
            .expect("the LP solves")
            .value;
        assert!(
            l.value <= optimum + 1e-6,
            "{name}: Lagrangian {} > optimum {optimum}",
            l.value
        );
        assert!(
            l.value <= lp + 1e-6 * lp.abs(),
            "{name}: {} > LP {lp}",
            l.value
        );
        assert!(
            lp - l.value <= LAGRANGIAN_SLACK * optimum,
            "{name}: Lagrangian {} is {:.3}% below the LP bound {lp}",
            l.value,
            100.0 * (lp - l.value) / optimum
        );
        assert!(l.steps > 0);
        checked += 1;
    }
    assert_eq!(checked, 8);
}

/// A model whose decisions are not yes/no choices is refused with E0661, on the decision.
#[test]
fn a_model_without_the_assignment_shape_is_refused() {
    let text = "set sides = {left, right}\ndecide x[z in sides]: int >= 0 <= 3\nconstraint c: sum(z in sides) x[z] <= 4\nmaximize m: sum(z in sides) x[z]\n";
    let a = archc::driver::analyze_source(
        "m.arch",
        text,
        None,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    let model = &a.instance.as_ref().unwrap().model;
    let mut report = None;
    let err = solve_search(
        model,
        &SolveOptions::default(),
        1,
        SearchStart::Greedy,
        &|_, _| {},
        &mut report,
    )
    .unwrap_err();
    assert_eq!(err.code, archc::diagnostics::Code::E0661);
    assert!(
        err.message.contains("not a yes/no choice"),
        "{}",
        err.message
    );
    assert!(err.primary_span().is_some());
}
