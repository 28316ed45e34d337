//! One driver, one solve path: the embedding API, `archc solve` and `archc test` give the
//! same status, objective, backend reason and verification on the same models (a MILP
//! model, a plan model for DP, a plan model lowered to MILP); the driver runs each phase
//! once where it can and records it; every file is read from disk once through the whole
//! pipeline, solve included.

use archc::analysis::{AnalyzeOptions, Backend, BackendChoice};
use archc::driver::{analyze, solve};
use archc::solve::{SolveOptions, Status};
use std::path::Path;

fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}

fn temp_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("archc-one-solve-{tag}-"))
        .tempdir()
        .expect("temporary directory")
}

/// What the three ways of solving must agree on.
#[derive(Debug, PartialEq)]
struct Answer {
    status: String,
    objective: Option<f64>,
    backend: String,
    reason: String,
    /// `(ok, violations)`.
    verification: Option<(bool, u64)>,
}

fn answer_of_json(v: &serde_json::Value) -> Answer {
    Answer {
        status: v["status"].as_str().unwrap_or_default().to_string(),
        objective: v["objective"]["value"].as_f64(),
        backend: v["backend"].as_str().unwrap_or_default().to_string(),
        reason: v["backend_reason"].as_str().unwrap_or_default().to_string(),
        verification: v["verification"].as_object().map(|o| {
            (
                o["ok"].as_bool() == Some(true),
                o["violations"].as_u64().unwrap_or(u64::MAX),
            )
        }),
    }
}

fn report_json(r: &archc::report::Report) -> serde_json::Value {
    serde_json::to_value(r).expect("reports serialise")
}

/// The embedding API's answer.
fn embedded(path: &Path) -> Answer {
    let mut model = archc::compile(path).expect("the model compiles");
    let solution = model.solve(&SolveOptions::default()).expect("it solves");
    answer_of_json(&report_json(&solution.report))
}

/// `archc solve --format json`'s answer.
fn cli(path: &Path) -> Answer {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(["solve", "--quiet", "--format", "json"])
        .arg(path)
        .output()
        .expect("run archc");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    answer_of_json(&serde_json::from_str(&stdout).expect("a JSON report"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for entry in std::fs::read_dir(from).expect("a readable folder") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// `archc test`'s answer, on a copy of the model's folder: the test writes its solution
/// snapshot beside the model, and the stored one holds the default solver's optimum, which
/// another solver may reach by other values.
fn model_test(path: &Path) -> Answer {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("model");
    let tmp = temp_dir(stem);
    let dir = tmp.path();
    copy_dir(path.parent().expect("a folder"), dir);
    let copy = dir.join(path.file_name().expect("a file name"));
    let result = archc_cli::modeltest::run_model(&copy, true);
    assert!(result.passed, "{}: {:?}", path.display(), result.messages);
    let report = result.report.expect("a solved model has a report");
    answer_of_json(&report_json(&report))
}

#[test]
fn embedding_cli_and_model_tests_agree_on_milp_dp_and_lowered_plans() {
    let cases = [
        ("examples/placement/global.arch", "milp", "milp ("),
        ("examples/planning/knapsack.arch", "dp", "dp — "),
        ("examples/planning/coupled.arch", "milp", "milp — "),
    ];
    for (rel, backend, reason_start) in cases {
        let path = archc_root().join(rel);
        let from_api = embedded(&path);
        assert_eq!(from_api.status, "optimal", "{rel}");
        assert!(from_api.objective.is_some(), "{rel}: {from_api:?}");
        assert_eq!(from_api.backend, backend, "{rel}");
        assert!(
            from_api.reason.starts_with(reason_start),
            "{rel}: the reason is {:?}",
            from_api.reason
        );
        assert_eq!(from_api.verification, Some((true, 0)), "{rel}");
        assert_eq!(cli(&path), from_api, "{rel}: archc solve differs");
        assert_eq!(model_test(&path), from_api, "{rel}: archc test differs");
    }
}

#[test]
fn a_plan_model_is_checked_and_instantiated_once() {
    let options = AnalyzeOptions {
        instantiate: true,
        ..Default::default()
    };
    let a = analyze(
        &archc_root().join("examples/planning/knapsack.arch"),
        &options,
    );
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    assert_eq!(a.backend, Some(Backend::Dp));
    assert_eq!(a.timings.runs("check"), 1, "{:?}", a.timings);
    assert_eq!(a.timings.runs("instantiate"), 1, "{:?}", a.timings);
    assert_eq!(a.timings.runs("parse"), 1, "{:?}", a.timings);

    // Plans that DP cannot take are lowered from the HIR, without checking them again or
    // instantiating them for DP first.
    let a = analyze(
        &archc_root().join("examples/planning/coupled.arch"),
        &options,
    );
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    assert_eq!(a.backend, Some(Backend::Milp));
    for phase in ["check", "lower to HIR", "lower plans", "instantiate"] {
        assert_eq!(a.timings.runs(phase), 1, "{phase}: {:?}", a.timings);
    }

    // A model without plans: every phase once.
    let a = analyze(
        &archc_root().join("examples/placement/global.arch"),
        &options,
    );
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    for phase in [
        "parse",
        "load modules",
        "check",
        "lower to HIR",
        "instantiate",
    ] {
        assert_eq!(a.timings.runs(phase), 1, "{phase}: {:?}", a.timings);
    }
    assert_eq!(a.timings.runs("lower plans"), 0);
}

#[test]
fn a_solve_reports_the_time_of_every_phase_in_order() {
    let mut a = analyze(
        &archc_root().join("examples/placement/global.arch"),
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    let solved = solve(&mut a, &SolveOptions::default()).expect("it solves");
    let phases: Vec<&str> = solved.timings.phases.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        phases,
        [
            "parse",
            "load modules",
            "data names",
            "check",
            "lower to HIR",
            "instantiate",
            "solve",
            "verify"
        ]
    );
    assert_eq!(solved.status, Status::Optimal);
    assert_eq!(a.last_values, solved.values());
}

/// A plan model over a data file, solved by DP and lowered to MILP: the data file and the
/// model are read from disk once each, through analysis and solve.
#[test]
fn every_file_is_read_once_through_analysis_and_solve() {
    let tmp = temp_dir("reads");
    let dir = tmp.path();
    std::fs::write(dir.join("demand.csv"), "name,need\nq1,2\nq2,3\nq3,1\n").expect("data");
    std::fs::write(
        dir.join("model.arch"),
        "kind quarter { need: int = 0 }\n\
         quarters from \"demand.csv\"\n\
         plan stock over q in quarters {\n\
             state level: 0..10 = 0\n\
             choose order: 0..5\n\
             next level = level + order - q.need\n\
             require level + order - q.need >= 0\n\
             cost = 3 * order + level\n\
         }\n",
    )
    .expect("model");
    for backend in [BackendChoice::Auto, BackendChoice::Milp] {
        let mut a = analyze(
            &dir.join("model.arch"),
            &AnalyzeOptions {
                instantiate: true,
                backend,
                ..Default::default()
            },
        );
        assert!(!a.has_errors(), "{backend:?}: {:?}", a.diagnostics);
        let solved = solve(&mut a, &SolveOptions::default()).expect("it solves");
        assert_eq!(solved.status, Status::Optimal, "{backend:?}");
        assert_eq!(solved.objective(), Some(18.0), "{backend:?}");
        // The model and the data file, each once.
        assert_eq!(a.sources.vfs().disk_reads(), 2, "{backend:?}");
    }
}

/// The language server's solve: a plan without a feasible policy is explained on either
/// backend (by the DP diagnostic, or by the conflict of its MILP lowering), with the same
/// status from the one solve path.
#[test]
fn an_infeasible_plan_is_explained_on_both_backends() {
    let text = "set weeks = 1..3\n\
                plan stock over w in weeks {\n\
                    state level: 0..10 = 0\n\
                    choose order: 0..1\n\
                    next level = level + order\n\
                    require level + order >= 2\n\
                    cost = order\n\
                }\n";
    for (backend, code) in [
        (BackendChoice::Auto, archc::diagnostics::Code::E0611),
        (BackendChoice::Milp, archc::diagnostics::Code::E0711),
    ] {
        let options = AnalyzeOptions {
            instantiate: true,
            backend,
            ..Default::default()
        };
        let mut a = archc::driver::analyze_source("m.arch", text, None, &options);
        assert!(!a.has_errors(), "{backend:?}: {:?}", a.diagnostics);
        let solved = solve(&mut a, &SolveOptions::default()).expect("a solve");
        assert_eq!(solved.status, Status::Infeasible, "{backend:?}");
        assert_eq!(solved.verification, None, "{backend:?}");
        let explained =
            archc::driver::solve_and_explain(&mut a, &SolveOptions::default()).expect("an answer");
        assert_eq!(
            explained.iter().map(|d| d.code).collect::<Vec<_>>(),
            [code],
            "{backend:?}"
        );
    }
    // The embedding API reports it as infeasible, without a plan.
    let mut model = archc::compile_source("m.arch", text, None).expect("the model compiles");
    let solution = model.solve(&SolveOptions::default()).expect("a solve");
    assert_eq!(solution.status(), Status::Infeasible);
    assert_eq!(solution.objective(), None);
    assert_eq!(solution.report.backend, "dp");
    assert!(solution.to_json().contains("\"status\": \"infeasible\""));
}
