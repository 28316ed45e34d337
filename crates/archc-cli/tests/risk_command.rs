//! `archc risk`: each scenario's loss recomputed by hand from the plan's capacities (what
//! the regions still up can hold), the ranking, availability and expected loss recomputed
//! from the reported scenarios, the `--plan` round trip, a plan made for one region lost
//! assessed for two, bad plan files (E0565, E0566, E0567), a model without a scenario set
//! (E0642), the text and JSON output (snapshots), and every enabled solver agreeing.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/risk_command")
        .join(name)
}

/// `archc ARGS`, with the default pure-Rust solver unless the arguments name one, so that
/// the snapshots see one plan whichever solvers the build has (the models have ties).
fn archc(args: &[&str]) -> Output {
    let mut args = args.to_vec();
    if matches!(args.first(), Some(&"risk" | &"solve")) && !args.contains(&"--solver") {
        args.extend(["--solver", "microlp"]);
    }
    Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(&args)
        .current_dir(data(""))
        .output()
        .expect("archc runs")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "archc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

/// Capacities of `cap` in a plan (a report of `archc solve --format json`).
fn caps(plan: &Value) -> Vec<(String, f64)> {
    let cap = plan["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["name"] == "cap")
        .expect("cap");
    let mut out: Vec<(String, f64)> = ["a", "b", "c"]
        .iter()
        .map(|r| (r.to_string(), 0.0))
        .collect();
    for v in cap["values"].as_array().expect("values") {
        let r = v["index"][0].as_str().expect("region");
        if let Some(x) = out.iter_mut().find(|x| x.0 == r) {
            x.1 = num(&v["value"]);
        }
    }
    out
}

/// The loss of a scenario by hand: the need the regions still up cannot hold.
fn loss_by_hand(caps: &[(String, f64)], down: &[String], need: f64) -> f64 {
    let up: f64 = caps
        .iter()
        .filter(|(r, _)| !down.contains(r))
        .map(|x| x.1)
        .sum();
    (need - up).max(0.0)
}

fn down_of(s: &Value) -> Vec<String> {
    s["down"]
        .as_array()
        .expect("down")
        .iter()
        .map(|d| d.as_str().expect("name").to_string())
        .collect()
}

/// Every scenario's loss, the ranking and the summary against the plan, by hand.
fn check_against_plan(risk: &Value, plan: &Value, need: f64, scenarios: usize) {
    let caps = caps(plan);
    let ranked = risk["ranked"].as_array().expect("ranked");
    assert_eq!(ranked.len(), scenarios, "every scenario is listed");
    assert_eq!(risk["scenarios"], scenarios);
    let (mut expected, mut avail, mut worst) = (0.0, 0.0, 0.0f64);
    let mut last = f64::INFINITY;
    for s in ranked {
        let want = loss_by_hand(&caps, &down_of(s), need);
        let got = num(&s["loss"]);
        let p = num(&s["probability"]);
        assert!(
            (got - want).abs() < 1e-6,
            "{}: loss {got}, by hand {want}",
            s["name"]
        );
        assert!((num(&s["expected"]) - p * want).abs() < 1e-6);
        assert!(p * want <= last + 1e-9, "ranked by probability times loss");
        last = p * want;
        expected += p * want;
        worst = worst.max(want);
        if want == 0.0 {
            avail += p;
        }
    }
    assert!((num(&risk["expected_loss"]) - expected).abs() < 1e-6);
    assert!((num(&risk["availability"]) - avail).abs() < 1e-9);
    assert!((num(&risk["worst_loss"]) - worst).abs() < 1e-6);
}

#[test]
fn losses_ranking_and_summary_match_the_plan_by_hand() {
    let plan = archc(&["solve", "budget.arch", "--format", "json", "--zeros"]);
    let plan = json(&plan);
    let risk = json(&archc(&["risk", "budget.arch", "--format", "json"]));
    check_against_plan(&risk, &plan, 120.0, 4);
    // A fixed plan: 60, 50 and 40 cores; losing a leaves 90 of the 120 needed.
    let fixed: Value =
        serde_json::from_str(&std::fs::read_to_string(data("budget_plan.json")).expect("plan"))
            .expect("JSON");
    let risk = json(&archc(&[
        "risk",
        "budget.arch",
        "--plan",
        "budget_plan.json",
        "--format",
        "json",
        "--beta",
        "0.8",
    ]));
    check_against_plan(&risk, &fixed, 120.0, 4);
    let names: Vec<&str> = risk["ranked"]
        .as_array()
        .expect("ranked")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["down(a)", "down(b)", "down(c)", "nominal"]);
    // CVaR at 0.8: the worst 20% of probability, all in down(a) (30 cores).
    assert!((num(&risk["cvar"]["value"]) - 30.0).abs() < 1e-6);
}

#[test]
fn a_plan_file_gives_the_same_assessment_as_the_own_solution() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.json");
    let plan_s = plan.to_str().expect("utf-8 path");
    let out = archc(&["solve", "lossy.arch", "--format", "json", "--out", plan_s]);
    assert!(out.status.success());
    let own = json(&archc(&["risk", "lossy.arch", "--format", "json"]));
    let read = json(&archc(&[
        "risk",
        "lossy.arch",
        "--plan",
        plan_s,
        "--format",
        "json",
    ]));
    for key in [
        "ranked",
        "availability",
        "expected_loss",
        "worst_loss",
        "scenarios",
    ] {
        assert_eq!(own[key], read[key], "{key}");
    }
    assert_eq!(own["plan"], "solution");
    assert_eq!(read["plan"], plan_s);
}

#[test]
fn a_plan_for_one_region_lost_loses_demand_when_two_are_lost() {
    let plan = json(&archc(&[
        "solve",
        "lossy.arch",
        "--format",
        "json",
        "--zeros",
    ]));
    let n1 = json(&archc(&["risk", "lossy.arch", "--format", "json"]));
    assert_eq!(
        num(&n1["availability"]),
        1.0,
        "the plan survives any one loss"
    );
    check_against_plan(&n1, &plan, 120.0, 4);
    let n2 = json(&archc(&[
        "risk",
        "lossy.arch",
        "--scenarios",
        "fail_k(regions, 2)",
        "--format",
        "json",
    ]));
    check_against_plan(&n2, &plan, 120.0, 4);
    let lossy = n2["ranked"]
        .as_array()
        .expect("ranked")
        .iter()
        .filter(|s| down_of(s).len() == 2)
        .inspect(|s| assert!(num(&s["loss"]) > 0.0, "{} loses demand", s["name"]))
        .count();
    assert_eq!(lossy, 3, "every pair of regions lost");
}

#[test]
fn infeasible_scenarios_rank_first() {
    let out = archc(&[
        "risk",
        "safe.arch",
        "--scenarios",
        "fail_k(regions, 2)",
        "--format",
        "json",
    ]);
    let r = json(&out);
    let ranked = r["ranked"].as_array().expect("ranked");
    for s in &ranked[..3] {
        assert_eq!(s["loss"], "infeasible");
        assert!(!s["conflict"].as_array().expect("conflict").is_empty());
    }
    assert_eq!(ranked[3]["name"], "nominal");
    assert!((num(&r["infeasible_mass"]) - 0.75).abs() < 1e-9);
    assert!((num(&r["availability"]) - 0.25).abs() < 1e-9);
    assert_eq!(r["loss"]["source"], "objective");
}

fn stderr_of(args: &[&str]) -> (i32, String) {
    let out = archc(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn bad_plan_files_are_coded_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p.to_str().expect("utf-8").to_string()
    };
    let cases = [
        ("not_json.json", "{\"decisions\": [", "E0565"),
        ("no_decisions.json", "{\"status\": \"optimal\"}", "E0565"),
        (
            "unknown.json",
            "{\"decisions\": [{\"name\": \"capacity\", \"values\": []}]}",
            "E0566",
        ),
        (
            "index.json",
            "{\"decisions\": [{\"name\": \"cap\", \"values\": [{\"index\": [\"z\"], \"value\": 1}]}]}",
            "E0566",
        ),
        ("missing.json", "{\"decisions\": []}", "E0567"),
        (
            "bound.json",
            "{\"decisions\": [{\"name\": \"cap\", \"values\": [{\"index\": [\"a\"], \"value\": 500}]}]}",
            "E0567",
        ),
    ];
    for (name, text, code) in cases {
        let path = write(name, text);
        let (exit, err) = stderr_of(&["risk", "budget.arch", "--plan", &path]);
        assert_eq!(exit, 1, "{name}: {err}");
        assert!(err.contains(code), "{name}: expected {code}, got {err}");
    }
}

#[test]
fn a_model_without_scenarios_is_e0642() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("plain.arch");
    std::fs::write(
        &model,
        "decide x: real >= 0 <= 4\nconstraint c: x >= 1\nminimize m: x\n",
    )
    .expect("write");
    let (exit, err) = stderr_of(&["risk", model.to_str().expect("utf-8")]);
    assert_eq!(exit, 1);
    assert!(err.contains("E0642"), "{err}");
    let (exit, err) = stderr_of(&["risk", "budget.arch", "--scenarios", "{1, 2}"]);
    assert_eq!(exit, 1);
    assert!(err.contains("E0642"), "{err}");
}

#[test]
fn text_and_json_output() {
    let text = archc(&[
        "risk",
        "budget.arch",
        "--plan",
        "budget_plan.json",
        "--beta",
        "0.9",
    ]);
    assert!(text.status.success());
    insta::assert_snapshot!("risk_text", String::from_utf8_lossy(&text.stdout));
    let j = archc(&[
        "risk",
        "budget.arch",
        "--plan",
        "budget_plan.json",
        "--format",
        "json",
        "--top",
        "2",
    ]);
    assert!(j.status.success());
    insta::assert_snapshot!("risk_json", String::from_utf8_lossy(&j.stdout));
}

#[test]
fn threads_give_the_same_assessment() {
    let one = json(&archc(&[
        "risk",
        "budget.arch",
        "--plan",
        "budget_plan.json",
        "--format",
        "json",
    ]));
    let two = json(&archc(&[
        "risk",
        "budget.arch",
        "--plan",
        "budget_plan.json",
        "--format",
        "json",
        "--threads",
        "2",
    ]));
    assert_eq!(one, two);
}

/// The solvers this build has, from `archc --version`.
fn enabled_solvers() -> Vec<String> {
    let version = archc(&["--version"]);
    let text = String::from_utf8_lossy(&version.stdout).to_string();
    let solvers: Vec<String> = text
        .lines()
        .find_map(|l| l.strip_prefix("solvers: "))
        .map(|l| {
            l.split(" (")
                .next()
                .unwrap_or("")
                .split(", ")
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    assert!(!solvers.is_empty(), "{text}");
    solvers
}

#[test]
fn every_enabled_solver_agrees() {
    let solvers = enabled_solvers();
    let of = |solver: &str| {
        json(&archc(&[
            "risk",
            "budget.arch",
            "--plan",
            "budget_plan.json",
            "--format",
            "json",
            "--solver",
            solver,
        ]))
    };
    let first = of(&solvers[0]);
    for s in &solvers[1..] {
        let other = of(s);
        for key in ["availability", "expected_loss", "worst_loss"] {
            assert!(
                (num(&first[key]) - num(&other[key])).abs() < 1e-6,
                "{s}: {key}"
            );
        }
        let losses = |r: &Value| -> Vec<(String, String)> {
            r["ranked"]
                .as_array()
                .expect("ranked")
                .iter()
                .map(|x| (x["name"].to_string(), format!("{:.6}", num(&x["loss"]))))
                .collect()
        };
        assert_eq!(losses(&first), losses(&other), "{s}");
    }
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/risk")
        .join(name)
}

/// `archc risk` on each model of `examples/risk`, its own solve first then every
/// scenario's recourse problem, with every solver of the build (HiGHS runs its recourse
/// problems on one thread after a model solve on several: its per-thread scheduler must
/// be restarted in between). The summary is recomputed from the ranked scenarios.
#[test]
fn the_risk_examples_are_assessed_with_every_enabled_solver() {
    for solver in enabled_solvers() {
        for model in ["ffc_k1", "srlg", "teavar_99", "placement_n1"] {
            let path = example(&format!("{model}.arch"));
            let path = path.to_string_lossy();
            let r = json(&archc(&[
                "risk", &path, "--format", "json", "--solver", &solver, "--top", "1000",
            ]));
            let ranked = r["ranked"].as_array().expect("ranked");
            assert_eq!(
                ranked.len() as f64,
                num(&r["scenarios"]),
                "{solver} {model}"
            );
            let expected: f64 = ranked
                .iter()
                .map(|s| num(&s["probability"]) * num(&s["loss"]))
                .sum();
            let worst = ranked.iter().map(|s| num(&s["loss"])).fold(0.0, f64::max);
            assert!(
                (expected - num(&r["expected_loss"])).abs() < 1e-9,
                "{solver} {model}"
            );
            assert!(
                (worst - num(&r["worst_loss"])).abs() < 1e-9,
                "{solver} {model}"
            );
            assert_eq!(num(&r["infeasible_mass"]), 0.0, "{solver} {model}");
            if model == "teavar_99" {
                // The loss is declared (`as loss`): cuts that strand traffic lose some.
                assert_eq!(r["loss"]["source"], "decision", "{solver}");
                assert!(worst > 0.0 && expected > 0.0, "{solver}: {r}");
            } else {
                // Robust models: the plan meets every scenario's rows at no loss.
                assert_eq!(worst, 0.0, "{solver} {model}");
            }
        }
    }
}

/// The rows an FFC model writes for each scenario read only the plan's columns; they are
/// the scenario's recourse problem. A plan with no traffic on any tunnel but traffic
/// granted breaks them in every scenario: every scenario is reported infeasible.
#[test]
fn a_plan_that_breaks_a_robust_scenario_row_is_infeasible_there() {
    let model = example("ffc_k1.arch");
    let model = model.to_string_lossy();
    let mut plan = json(&archc(&["solve", &model, "--format", "json", "-q"]));
    for d in plan["decisions"].as_array_mut().expect("decisions") {
        if d["name"] == "alloc" {
            for v in d["values"].as_array_mut().expect("values") {
                v["value"] = Value::from(0.0);
            }
        }
    }
    let dir = std::env::temp_dir().join(format!("archc-risk-robust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("plan.json");
    std::fs::write(&file, plan.to_string()).expect("plan written");
    let file = file.to_string_lossy();
    let r = json(&archc(&[
        "risk", &model, "--plan", &file, "--format", "json",
    ]));
    assert!((num(&r["infeasible_mass"]) - 1.0).abs() < 1e-9, "{r}");
    for s in r["ranked"].as_array().expect("ranked") {
        assert_eq!(s["loss"], "infeasible", "{s}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// With a scenario time limit far below what any solve takes (microlp checks its deadline
/// before its first pivot), every recourse solve is cut off: each scenario says so, and the
/// summary counts them instead of calling them loss-free. A generous limit changes nothing.
#[test]
fn a_scenario_time_limit_cuts_off_scenarios_and_counts_them() {
    let cut = json(&archc(&[
        "risk",
        "budget.arch",
        "--plan",
        "budget_plan.json",
        "--scenario-time-limit",
        "1e-9",
        "--beta",
        "0.8",
        "--format",
        "json",
    ]));
    let ranked = cut["ranked"].as_array().expect("ranked");
    assert_eq!(ranked.len(), 4);
    for s in ranked {
        assert_eq!(s["status"], "time_limit", "{}", s["name"]);
        assert!(s["binding"].as_array().expect("binding").is_empty());
    }
    assert_eq!(cut["cut_off"], 4);
    assert!((num(&cut["cut_off_mass"]) - num(&cut["mass"])).abs() < 1e-9);
    assert_eq!(num(&cut["availability"]), 0.0, "never counted as loss-free");
    assert_eq!(num(&cut["expected_loss"]), 0.0);
    assert!(cut["worst_loss"].is_null());
    assert!(cut["cvar"]["value"].is_null());

    let text = archc(&[
        "risk",
        "budget.arch",
        "--plan",
        "budget_plan.json",
        "--scenario-time-limit",
        "1e-9",
    ]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert_eq!(text.matches("time limit").count(), 5, "{text}");
    assert!(
        text.contains("cut off: 4 of 4 scenarios, probability 1"),
        "{text}"
    );

    let plain = json(&archc(&[
        "risk",
        "budget.arch",
        "--plan",
        "budget_plan.json",
        "--format",
        "json",
    ]));
    let generous = json(&archc(&[
        "risk",
        "budget.arch",
        "--plan",
        "budget_plan.json",
        "--scenario-time-limit",
        "3600",
        "--format",
        "json",
    ]));
    assert_eq!(generous["cut_off"], 0);
    assert_eq!(generous["ranked"], plain["ranked"]);
    assert_eq!(generous["expected_loss"], plain["expected_loss"]);
    for s in generous["ranked"].as_array().expect("ranked") {
        assert_eq!(s["status"], "solved");
    }
}

#[test]
fn a_bad_scenario_time_limit_is_a_usage_error() {
    for bad in ["0", "-1", "soon", "1e12", "NaN"] {
        let flag = format!("--scenario-time-limit={bad}");
        let (exit, err) = stderr_of(&["risk", "budget.arch", &flag]);
        assert_eq!(exit, 2, "{bad}: {err}");
        assert!(err.contains("--scenario-time-limit"), "{bad}: {err}");
    }
}

/// Rows and columns made for a scenario name it with its index variable, `s=down(a)`,
/// in the explanation of an infeasible model (conflict and repair) and in `emit --ir`;
/// the other positions stay plain.
#[test]
fn an_infeasible_scenario_is_named_with_its_index_variable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("n1.arch");
    std::fs::write(
        &model,
        "use std.infra\n\
         region a { cores: 100 core }\n\
         region b { cores: 100 core }\n\
         set n1 = fail_k(regions, 1)\n\
         decide serve[s in n1, r in regions]: real core >= 0 <= r.cores * up(r, s)\n\
         constraint enough[s in n1]: sum(r in regions) serve[s, r] >= 150 core\n\
         minimize total: sum(s in n1, r in regions) serve[s, r]\n",
    )
    .expect("write");
    let path = model.to_str().expect("utf-8");
    let (exit, err) = stderr_of(&["solve", path]);
    assert_eq!(exit, 3, "{err}");
    assert!(err.contains("`enough[s=down(a)]` can never hold"), "{err}");
    assert!(err.contains("`enough[s=down(b)]` can never hold"), "{err}");
    assert!(err.contains("bound serve[s=down(a), a] <= 0 core"), "{err}");
    assert!(err.contains("lower enough[s=down(a)] by 50"), "{err}");
    assert!(!err.contains("enough[down("), "{err}");
    assert!(
        !err.contains("enough[s=nominal]"),
        "the nominal scenario holds: {err}"
    );
    let ir = archc(&["emit", "--ir", path]);
    assert!(ir.status.success());
    let ir = String::from_utf8_lossy(&ir.stdout);
    for name in [
        "serve[s=nominal, a]",
        "serve[s=down(b), b]",
        "enough[s=down(a)]",
    ] {
        assert!(ir.contains(name), "{name} in {ir}");
    }
    assert!(!ir.contains("r=a"), "a region position stays plain: {ir}");
}
