//! Warm starts (`archc solve --start FILE|current`): the start is read from an earlier
//! solve's JSON report or from the model's current state, completed and checked against the
//! model before the solve, and reported in text and JSON. A feasible start reports its own
//! objective (the earlier plan's); an infeasible one names the rows it violates and is not
//! used; a bad file is refused with a code that names the JSON path. With HiGHS and CBC the
//! start reaches the solver: told to stop at its first solution, HiGHS returns the start
//! itself, a plan known to be worse than the optimum.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(rel: &str) -> String {
    root().join(rel).display().to_string()
}

fn archc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("archc runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Solve `model` with `extra` flags and return the JSON report.
fn report(model: &str, extra: &[&str]) -> Value {
    let mut args = vec!["solve", model, "--format", "json", "--quiet"];
    args.extend_from_slice(extra);
    let o = archc(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("a JSON report")
}

/// Write an earlier solve's report of `model` into `dir` and return its path.
fn earlier(dir: &Path, model: &str, extra: &[&str]) -> (String, Value) {
    let r = report(model, extra);
    let path = dir.join("earlier.json");
    std::fs::write(&path, r.to_string()).expect("written");
    (path.display().to_string(), r)
}

fn objective(r: &Value) -> f64 {
    r["objective"]["value"].as_f64().expect("an objective")
}

#[test]
fn a_start_from_an_earlier_report_is_checked_and_reported_with_its_objective() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = example("examples/placement/global.arch");
    // The most expensive plan: feasible, and surely not the optimum.
    let (path, worst) = earlier(dir.path(), &model, &["--sense", "maximize"]);
    let r = report(&model, &["--start", &path]);
    let start = &r["start"];
    assert_eq!(start["feasible"], Value::Bool(true), "{start}");
    let start_objective = start["objective"].as_f64().expect("the start's objective");
    assert!((start_objective - objective(&worst)).abs() <= 1e-6 * objective(&worst).abs());
    // The report gives every decision, so only auxiliary columns (none here) are completed.
    assert_eq!(start["given"].as_u64(), r["size"]["columns"].as_u64());
    assert_eq!(start["completed"].as_u64(), Some(0));
    assert!(
        objective(&r) < start_objective,
        "the solve improved on the start"
    );
    assert_eq!(r["verification"]["ok"], Value::Bool(true));

    let text = archc(&["solve", &model, "--start", &path]);
    assert!(text.status.success(), "{}", stderr(&text));
    let line = stdout(&text)
        .lines()
        .find(|l| l.starts_with("start: given ("))
        .map(str::to_string)
        .expect("a start line");
    assert!(line.contains(", feasible, objective "), "{line}");
    let passed = archc::backends::milp::takes_start(
        archc::backends::milp::choose_solver(None).expect("a solver"),
    );
    assert_eq!(start["passed"], Value::Bool(passed));
    if !passed {
        assert!(stderr(&text).contains("E0741"), "{}", stderr(&text));
        assert!(
            line.ends_with("checked only (this solver takes no start)"),
            "{line}"
        );
    }
}

#[test]
fn a_start_without_some_decisions_is_completed_by_the_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = example("examples/placement/global.arch");
    let (_, mut r) = earlier(dir.path(), &model, &[]);
    // Keep `replicas` only: `present` is left to the completion.
    let decisions = r["decisions"].as_array_mut().expect("decisions");
    let present = decisions
        .iter()
        .find(|d| d["name"] == "present")
        .and_then(|d| d["count"].as_u64())
        .expect("present");
    decisions.retain(|d| d["name"] == "replicas");
    let path = dir.path().join("replicas-only.json");
    std::fs::write(&path, r.to_string()).expect("written");
    let again = report(&model, &["--start", &path.display().to_string()]);
    let start = &again["start"];
    assert_eq!(start["feasible"], Value::Bool(true), "{start}");
    assert_eq!(start["completed"].as_u64(), Some(present));
    let o = start["objective"].as_f64().expect("objective");
    assert!(
        (o - objective(&r)).abs() <= 1e-6 * o.abs(),
        "{o} vs {}",
        objective(&r)
    );
}

#[test]
fn an_infeasible_start_names_the_rows_it_violates_and_is_not_used() {
    // Demand moved since `data/current.csv`: today's placement breaks `total` for the
    // services whose replica count changed.
    let model = example("examples/change/rebalance.arch");
    let o = archc(&["solve", &model, "--start", "current", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("E0740"), "{err}");
    assert!(err.contains("total[search]"), "{err}");
    let r: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let start = &r["start"];
    assert_eq!(start["feasible"], Value::Bool(false));
    assert_eq!(start["passed"], Value::Bool(false));
    let violated: Vec<&str> = start["violated"]
        .as_array()
        .expect("violated")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        violated.iter().all(|v| v.contains("total[")),
        "{violated:?}"
    );
    // search, chat, checkout and recommend changed their replica counts.
    assert_eq!(start["violations"].as_u64(), Some(4), "{violated:?}");
    assert_eq!(r["status"], "optimal");
    let text = archc(&["solve", &model, "--start", "current"]);
    assert!(stdout(&text)
        .contains("start: given (current state), infeasible (4 violations), not passed"));
}

#[test]
fn start_current_needs_a_current_state() {
    let o = archc(&[
        "solve",
        &example("examples/placement/global.arch"),
        "--start",
        "current",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E0742"), "{}", stderr(&o));
}

/// Solve global.arch from a report edited by `edit`; the error's code and message.
fn refused(edit: impl Fn(&mut Value)) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = example("examples/placement/global.arch");
    let (_, mut r) = earlier(dir.path(), &model, &[]);
    edit(&mut r);
    let path = dir.path().join("edited.json");
    std::fs::write(&path, r.to_string()).expect("written");
    let o = archc(&["solve", &model, "--start", &path.display().to_string()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    stderr(&o)
}

#[test]
fn a_bad_start_file_is_refused_at_its_json_path() {
    let e = refused(|r| r["schema"] = Value::from("archc.shard/1"));
    assert!(e.contains("E0586") && e.contains("archc.shard/1"), "{e}");
    let e = refused(|r| r["decisions"][0]["name"] = Value::from("copies"));
    assert!(
        e.contains("E0587") && e.contains("decisions[0].name"),
        "{e}"
    );
    let e = refused(|r| r["decisions"][0]["values"][0]["index"][1] = Value::from("mars"));
    assert!(
        e.contains("E0588") && e.contains("decisions[0].values[0].index"),
        "{e}"
    );
    let e = refused(|r| r["decisions"][0]["values"][0]["value"] = Value::from("12"));
    assert!(
        e.contains("E0589") && e.contains("decisions[0].values[0].value"),
        "{e}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("plan.csv");
    std::fs::write(&csv, "service,region,value\n").expect("written");
    let model = example("examples/placement/global.arch");
    let o = archc(&["solve", &model, "--start", &csv.display().to_string()]);
    assert!(stderr(&o).contains("E0586"), "{}", stderr(&o));
    let o = archc(&["solve", &model, "--start", "no-such-file.json"]);
    assert!(stderr(&o).contains("E0586"), "{}", stderr(&o));
}

/// Solve global.arch with `solver`, started from its most expensive plan, with the
/// solver's log in a file: (the report, the start's objective, the log).
#[cfg(any(feature = "highs", feature = "cbc"))]
fn started_with_log(solver: &str) -> (Value, f64, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = example("examples/placement/global.arch");
    let (path, worst) = earlier(
        dir.path(),
        &model,
        &["--sense", "maximize", "--solver", solver],
    );
    let log = dir.path().join("solver.log");
    let log_arg = log.display().to_string();
    let warm = report(
        &model,
        &["--start", &path, "--solver", solver, "--log", &log_arg],
    );
    assert_eq!(warm["start"]["passed"], Value::Bool(true));
    let cold = report(&model, &["--solver", solver]);
    assert!((objective(&warm) - objective(&cold)).abs() <= 1e-6 * objective(&cold));
    assert!(objective(&worst) > objective(&cold) + 1.0);
    let text = std::fs::read_to_string(&log).expect("the solver's log");
    (warm, objective(&worst), text)
}

/// HiGHS says in its own log that it took the start and found it feasible, at the start's
/// objective; the solve still reaches the optimum.
#[cfg(feature = "highs")]
#[test]
fn highs_begins_from_the_start() {
    let (_, start, log) = started_with_log("highs");
    let line = log
        .lines()
        .find(|l| l.starts_with("MIP start solution is feasible: objective value is "))
        .unwrap_or_else(|| panic!("HiGHS took no start:\n{log}"));
    let value: f64 = line
        .rsplit(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("a value");
    assert!((value - start).abs() <= 1e-6 * start, "{line} vs {start}");
}

/// CBC saves the start as its first solution (message Cbc0045I, at the start's objective
/// rounded) and reaches the same optimum.
#[cfg(feature = "cbc")]
#[test]
fn cbc_takes_the_start_and_reaches_the_optimum() {
    let (_, start, log) = started_with_log("cbc");
    let line = log
        .lines()
        .find(|l| l.starts_with("Cbc0045I Solution with objective value "))
        .unwrap_or_else(|| panic!("CBC took no start:\n{log}"));
    let value: f64 = line
        .split_whitespace()
        .nth(5)
        .and_then(|v| v.parse().ok())
        .expect("a value");
    assert!((value - start).abs() <= 1.0, "{line} vs {start}");
}
