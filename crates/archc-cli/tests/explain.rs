//! Explanations of infeasible, unbounded and solved models (src/solve/explain), on every
//! enabled solver: minimal conflicts (dropping any member makes the rest feasible), repairs
//! that make the model feasible, and the rendered text as snapshots.

use archc::analysis::AnalyzeOptions;
use archc::diagnostics::render::render_plain;
use archc::diagnostics::Code;
use archc::driver::{analyze, solve_and_explain};
use archc::ir::Model;
use archc::solve::explain::{
    explain_infeasible, explain_solution, explain_unbounded, is_feasible_model, is_feasible_subset,
    presolve, Direction, DualSource, MemberKind, Subset,
};
use archc::solve::{SolveOptions, SolverKind};
use std::path::{Path, PathBuf};

fn load(path: &Path) -> archc::analysis::Analysis {
    let a = analyze(
        path,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    assert!(
        !a.has_errors(),
        "{} does not compile: {:?}",
        path.display(),
        a.diagnostics
    );
    assert!(
        a.instance.is_some(),
        "{} was not instantiated",
        path.display()
    );
    a
}

fn model(a: &archc::analysis::Analysis) -> &Model {
    &a.instance.as_ref().expect("instantiated").model
}

fn opts(kind: SolverKind) -> SolveOptions {
    SolveOptions {
        solver: Some(kind),
        ..Default::default()
    }
}

fn infeasible_fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/explain")
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "arch")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("ok_"))
        })
        .collect();
    v.sort();
    assert!(v.len() >= 4, "expected the infeasible fixtures");
    v
}

#[test]
fn conflicts_are_minimal_and_repairs_make_models_feasible() {
    for path in infeasible_fixtures() {
        let a = load(&path);
        let m = model(&a);
        for kind in SolverKind::enabled() {
            let o = opts(kind);
            let name = format!("{} on {}", path.display(), kind.name());
            assert!(!is_feasible_model(m, &o).unwrap(), "{name}: not infeasible");
            let e = explain_infeasible(m, &o).unwrap_or_else(|d| panic!("{name}: {}", d.message));
            let c = &e.conflict;
            assert!(!c.members.is_empty(), "{name}: empty conflict");
            assert!(
                !is_feasible_subset(m, &c.subset(m, None), &o).unwrap(),
                "{name}: the conflict alone is feasible"
            );
            for (i, member) in c.members.iter().enumerate() {
                assert!(
                    is_feasible_subset(m, &c.subset(m, Some(i)), &o).unwrap(),
                    "{name}: dropping {} leaves an infeasible set: not minimal",
                    member.name
                );
            }
            let repair = e
                .repair
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: no repair"));
            assert!(!repair.items.is_empty(), "{name}: empty repair");
            assert!(repair.verified, "{name}: repair not verified");
            let fixed = repair.apply(m);
            assert!(
                is_feasible_model(&fixed, &o).unwrap(),
                "{name}: the model with the repair applied is still infeasible"
            );
            assert_eq!(e.diagnostic.code, Code::E0711);
        }
    }
}

#[test]
fn explanation_text_snapshots() {
    // The text comes from the default solver; other solvers must find conflicts of the
    // same size (the checks above make sure each is minimal).
    let Some(&first) = SolverKind::enabled().last() else {
        return;
    };
    for path in infeasible_fixtures() {
        let a = load(&path);
        let m = model(&a);
        let e = explain_infeasible(m, &opts(first)).expect("explained");
        let mut text = String::new();
        for d in e.diagnostics() {
            text.push_str(&render_plain(&d, &a.sources, 100));
            text.push('\n');
        }
        if let Some(r) = &e.repair {
            text.push_str("repair:\n");
            for it in &r.items {
                text.push_str(&format!("  {}\n", it.text));
            }
        }
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(format!("explain_{stem}"), text);
        for kind in SolverKind::enabled() {
            let other = explain_infeasible(m, &opts(kind)).expect("explained");
            assert_eq!(
                other.conflict.members.len(),
                e.conflict.members.len(),
                "{stem}: {} finds a conflict of another size",
                kind.name()
            );
        }
    }
}

#[test]
fn capacity_conflict_names_the_region_the_service_and_a_bound() {
    let a = load(Path::new("tests/fixtures/explain/capacity.arch"));
    let m = model(&a);
    let e = explain_infeasible(m, &SolveOptions::default()).unwrap();
    let names: Vec<&str> = e.conflict.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        ["fit[eu-west]", "total[ledger]", "replicas[web, eu-west]"]
    );
    assert_eq!(e.conflict.members[2].kind, MemberKind::Bound);
    assert_eq!(
        e.conflict.members[1].reading,
        "total[ledger]: replicas[ledger, eu-west] == 60"
    );
    assert!(e.diagnostic.message.contains("2 constraints conflict"));
}

#[test]
fn presolve_finds_rows_that_cannot_hold_over_the_bounds() {
    let a = load(Path::new("tests/fixtures/explain/residency.arch"));
    let diags = presolve(model(&a));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::E0710);
    let primary = diags[0].labels.iter().find(|l| l.primary).unwrap();
    assert_eq!(
        primary.message,
        "spread[ledger-eu] cannot hold: even with every `present` at its upper bound the left side reaches at most 1 < 2"
    );
    // A capacity conflict needs two rows: no single row is impossible.
    let a = load(Path::new("tests/fixtures/explain/capacity.arch"));
    assert!(presolve(model(&a)).is_empty());
}

#[test]
fn sub_models_keep_only_what_the_subset_names() {
    let a = load(Path::new("tests/fixtures/explain/demand.arch"));
    let m = model(&a);
    let o = SolveOptions::default();
    assert!(!is_feasible_subset(m, &Subset::full(m), &o).unwrap());
    assert!(is_feasible_subset(m, &Subset::empty(m), &o).unwrap());
    // Without the `demand` row (the last one) the rest holds.
    let mut s = Subset::full(m);
    *s.rows.last_mut().unwrap() = false;
    assert!(is_feasible_subset(m, &s, &o).unwrap());
}

#[test]
fn unbounded_models_name_the_runaway_decision_and_the_term() {
    let a = load(Path::new("tests/fixtures/explain/ok_unbounded.arch"));
    let m = model(&a);
    for kind in SolverKind::enabled() {
        let u = explain_unbounded(m, &opts(kind)).unwrap();
        let names: Vec<&str> = u.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["extra[a]"], "on {}", kind.name());
        assert_eq!(u.columns[0].direction, Direction::Up);
        assert_eq!(u.terms.len(), 1);
        assert_eq!(u.diagnostic.code, Code::E0712);
        if kind == SolverKind::Microlp {
            insta::assert_snapshot!(
                "explain_unbounded",
                render_plain(&u.diagnostic, &a.sources, 100)
            );
        }
    }
}

#[test]
fn solved_models_list_binding_constraints_per_entity() {
    let a = load(Path::new("tests/fixtures/explain/ok_capacity.arch"));
    let m = model(&a);
    let raw = archc::backends::milp::solve(m, &SolveOptions::default()).unwrap();
    let s = explain_solution(m, &raw.values, raw.duals.as_deref());
    let entities: Vec<&str> = s.entities.iter().map(|e| e.entity.as_str()).collect();
    // `total` holds with equality for both services; `fit[eu-west]` is full.
    assert_eq!(entities, ["eu-west", "ledger", "web"]);
    assert_eq!(s.entities[0].rows[0].name, "fit[eu-west]");
    assert_eq!(s.entities[0].rows[0].op, "<=");
    if SolverKind::Highs.is_enabled() {
        assert!(matches!(s.duals, DualSource::FixedIntegers(_)));
        assert!(s.entities[0].rows[0].dual.is_some());
    } else {
        assert!(matches!(s.duals, DualSource::Unavailable(_)));
    }
}

#[test]
fn solve_and_explain_is_empty_when_feasible() {
    let o = SolveOptions::default();
    let mut a = load(Path::new("tests/fixtures/explain/ok_capacity.arch"));
    assert!(solve_and_explain(&mut a, &o).expect("an answer").is_empty());
    let mut a = load(Path::new("tests/fixtures/explain/capacity.arch"));
    let d = solve_and_explain(&mut a, &o).expect("an answer");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, Code::E0711);
    assert_eq!(d[0].labels.len(), 3);
    let mut a = load(Path::new("tests/fixtures/explain/ok_unbounded.arch"));
    let d = solve_and_explain(&mut a, &o).expect("an answer");
    assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), [Code::E0712]);
}

#[test]
fn cli_reports_conflict_and_repair_in_json_and_keeps_exit_codes() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .args([
            "solve",
            "tests/fixtures/explain/capacity.arch",
            "--format",
            "json",
            "-q",
        ])
        .output()
        .expect("run archc");
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let x = &v["explanation"];
    assert_eq!(x["kind"], "infeasible");
    assert_eq!(x["conflict"][0]["name"], "fit[eu-west]");
    assert_eq!(x["conflict"][0]["at"]["line"], 10);
    assert_eq!(x["repair"]["verified"], true);
    assert_eq!(x["diagnostics"][0]["code"], "E0711");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(["solve", "tests/fixtures/explain/ok_unbounded.arch", "-q"])
        .output()
        .expect("run archc");
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0712"));

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .args([
            "solve",
            "tests/fixtures/explain/ok_capacity.arch",
            "--explain",
            "-q",
        ])
        .output()
        .expect("run archc");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("binding constraints"), "{text}");
    assert!(text.contains("fit[eu-west]"), "{text}");
}

/// A sub-model the solver cannot settle within the time limit ends the explanation with
/// E0713 saying so (and that the model is infeasible), instead of running on (without a
/// time limit from the user, each sub-model gets `SUB_MODEL_TIME_LIMIT`). microlp does not
/// settle the sub-models of this coupled build-out in minutes.
#[test]
fn an_explanation_that_runs_out_of_time_says_so() {
    let a = archc::driver::analyze_source(
        "budget.arch",
        "kind region { racks: int = 0, rack_price: usd = 0 usd }\n\
         region us-east { racks: 10, rack_price: 42_000 usd }\n\
         region eu-west { racks: 6, rack_price: 47_000 usd }\n\
         region ap-south { racks: 3, rack_price: 39_000 usd }\n\
         set quarters = 2027Q1..2027Q4\n\
         param cores_per_rack: core = 40 core\n\
         param holding: usd = 1_200 usd\n\
         param demand[r in regions, q in quarters]: core = {\n\
           (us-east, 2027Q1): 400 core, (us-east, 2027Q2): 480 core,\n\
           (us-east, 2027Q3): 560 core, (us-east, 2027Q4): 640 core,\n\
           (eu-west, 2027Q1): 240 core, (eu-west, 2027Q2): 320 core,\n\
           (eu-west, 2027Q3): 360 core, (eu-west, 2027Q4): 440 core,\n\
           (ap-south, 2027Q1): 120 core, (ap-south, 2027Q2): 200 core,\n\
           (ap-south, 2027Q3): 280 core, (ap-south, 2027Q4): 320 core }\n\
         param cap[q in quarters]: usd =\n\
           {2027Q1: 300_000 usd, 2027Q2: 150_000 usd, 2027Q3: 250_000 usd, 2027Q4: 250_000 usd}\n\
         plan build[r in regions] over q in quarters {\n\
           state racks: 0..40 = r.racks\n\
           choose add: 0..10\n\
           next racks = racks + add\n\
           require racks * cores_per_rack >= demand[r, q]\n\
           cost = add * r.rack_price + racks * holding\n\
         }\n\
         constraint budget[q in quarters]:\n\
           sum(r in regions) build[r].add[q] * r.rack_price <= cap[q]\n",
        None,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let m = model(&a);
    let o = SolveOptions {
        solver: Some(SolverKind::Microlp),
        time_limit: Some(std::time::Duration::from_secs(1)),
        quiet: true,
        ..Default::default()
    };
    let solved = archc::backends::milp::solve(m, &o).expect("solves");
    assert_eq!(solved.status, archc::solve::Status::Infeasible);
    let err = explain_infeasible(m, &o).expect_err("microlp does not settle the sub-models");
    assert_eq!(err.code, Code::E0713);
    assert!(
        err.message
            .contains("did not settle a sub-model within 1 s"),
        "{}",
        err.message
    );
}
