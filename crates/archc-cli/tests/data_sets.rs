//! One model over many data sets, through the `archc` binary: `--data DIR` chooses the folder
//! data paths resolve against, `--set NAME=VALUE` gives a scalar param a value for one run
//! (checked like source), `--sense` flips the objective, scalar params load from a data
//! file, and `--solver-option` reaches the solver.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MODEL: &str = r#"kind region { cores: core = 0 core }
regions from "regions.csv"
param budget: usd >= 0 from "params.csv"
param price: usd = 10 usd
param weight[r in regions]: real = 1
decide replicas[r in regions]: int >= 0 <= 10
constraint fit[r in regions]: 16 core * replicas[r] <= r.cores
constraint spend: price * sum(r in regions) replicas[r] <= budget
maximize served: sum(r in regions) weight[r] * replicas[r]
"#;

/// A folder with the model and two data sets, `a/` and `b/`.
fn setup(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("data_sets_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    for (sub, regions, params) in [
        // 64/16 + 32/16 = 6 replicas fit; the budget allows 100.
        (
            "a",
            "name,cores\nus,64\neu,32\n",
            "name,value\nbudget,1000\nother,1\n",
        ),
        // 10 + 10 fit; the budget allows 5.
        (
            "b",
            "name,cores\nus,160\neu,320\n",
            "name,value\nbudget,50\n",
        ),
    ] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(dir.join(sub).join("regions.csv"), regions).unwrap();
        std::fs::write(dir.join(sub).join("params.csv"), params).unwrap();
    }
    std::fs::write(dir.join("fleet.arch"), MODEL).unwrap();
    dir
}

fn archc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archc"))
        .current_dir(dir)
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .expect("archc runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The objective of a `--format json` solve.
fn objective(o: &Output) -> f64 {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    v["objective"]["value"].as_f64().expect("an objective")
}

fn solve(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "solve",
        "fleet.arch",
        "--format",
        "json",
        "--solver",
        "microlp",
    ];
    args.extend_from_slice(extra);
    archc(dir, &args)
}

#[test]
fn data_dir_runs_one_model_over_each_data_set() {
    let dir = setup("dirs");
    assert_eq!(objective(&solve(&dir, &["--data", "a"])), 6.0);
    assert_eq!(objective(&solve(&dir, &["--data", "b"])), 5.0);
    // An absolute --data path works from any working directory.
    let abs = dir.join("b");
    let o = archc(
        Path::new("/"),
        &[
            "solve",
            dir.join("fleet.arch").to_str().unwrap(),
            "--format",
            "json",
            "--data",
            abs.to_str().unwrap(),
        ],
    );
    assert_eq!(objective(&o), 5.0);
    // Without --data the paths resolve next to the model, where there are no files.
    let o = archc(&dir, &["check", "fleet.arch"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E0501"), "{}", stderr(&o));
}

#[test]
fn set_gives_a_scalar_param_a_checked_value() {
    let dir = setup("set");
    // budget 30 usd at 10 usd each: 3 replicas.
    let o = solve(&dir, &["--data", "a", "--set", "budget=30 usd"]);
    assert_eq!(objective(&o), 3.0);
    // A param with a value in the model is replaced too; the last --set wins.
    let o = solve(
        &dir,
        &[
            "--data",
            "a",
            "--set",
            "price=500usd",
            "--set",
            "price=250 usd",
        ],
    );
    assert_eq!(objective(&o), 4.0);
    // The unit is checked as if written in the model.
    let o = archc(
        &dir,
        &[
            "check",
            "fleet.arch",
            "--data",
            "a",
            "--set",
            "budget=3 core",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("E04"), "{e}");
    assert!(
        e.contains("--set budget"),
        "the value is shown as given: {e}"
    );
    // A value below the declared `>= 0` is refused.
    let o = archc(
        &dir,
        &[
            "check",
            "fleet.arch",
            "--data",
            "a",
            "--set",
            "budget=-5 usd",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E0506"), "{}", stderr(&o));
}

#[test]
fn set_errors_have_codes() {
    let dir = setup("set_errors");
    let o = archc(
        &dir,
        &["check", "fleet.arch", "--data", "a", "--set", "budjet=5usd"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("E0222") && e.contains("did you mean `budget`"),
        "{e}"
    );
    let o = archc(
        &dir,
        &["check", "fleet.arch", "--data", "a", "--set", "weight=2"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E0223"), "{}", stderr(&o));
    // A value that does not parse is a syntax error shown in its `--set` line.
    let o = archc(
        &dir,
        &[
            "check",
            "fleet.arch",
            "--data",
            "a",
            "--set",
            "budget=5 +* 2",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E01"), "{}", stderr(&o));
    // No `=` is a usage error.
    let o = archc(&dir, &["check", "fleet.arch", "--set", "budget"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn sense_chooses_minimise_or_maximise() {
    let dir = setup("sense");
    assert_eq!(
        objective(&solve(&dir, &["--data", "a", "--sense", "minimize"])),
        0.0
    );
    assert_eq!(
        objective(&solve(&dir, &["--data", "a", "--sense", "maximize"])),
        6.0
    );
}

#[test]
fn scalar_params_load_from_files() {
    let dir = setup("scalar");
    // A one-row file with a `value` column.
    std::fs::write(dir.join("a/params.csv"), "value\n20\n").unwrap();
    assert_eq!(objective(&solve(&dir, &["--data", "a"])), 2.0);
    // A column named after the param.
    std::fs::write(dir.join("a/params.csv"), "budget\n40\n").unwrap();
    assert_eq!(objective(&solve(&dir, &["--data", "a"])), 4.0);
    // No row for the param, two rows for it, two rows without names: E0550.
    for (text, says) in [
        ("name,value\nother,3\n", "no row named `budget`"),
        ("name,value\nbudget,3\nbudget,4\n", "2 rows named `budget`"),
        ("value\n3\n4\n", "takes one value"),
        ("value\n", "no rows"),
    ] {
        std::fs::write(dir.join("a/params.csv"), text).unwrap();
        let o = archc(&dir, &["check", "fleet.arch", "--data", "a"]);
        assert_eq!(o.status.code(), Some(1), "{text}");
        let e = stderr(&o);
        assert!(e.contains("E0550") && e.contains(says), "{text}: {e}");
    }
    // Cells are checked like any data: a negative budget where `>= 0` is declared.
    std::fs::write(dir.join("a/params.csv"), "name,value\nbudget,-3\n").unwrap();
    let o = archc(&dir, &["check", "fleet.arch", "--data", "a"]);
    assert!(stderr(&o).contains("E0506"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("params.csv:2:"),
        "file:row:col: {}",
        stderr(&o)
    );
}

#[test]
fn solver_options_are_passed_or_refused_clearly() {
    let dir = setup("solver_options");
    let o = solve(&dir, &["--data", "a", "--solver-option", "presolve=off"]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("microlp takes no solver options"),
        "{}",
        stderr(&o)
    );
    let o = archc(
        &dir,
        &["solve", "fleet.arch", "--solver-option", "presolve"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    if archc::solve::SolverKind::Highs.is_enabled() {
        let args = [
            "--data",
            "a",
            "--solver",
            "highs",
            "--solver-option",
            "presolve=off",
        ];
        let o = archc(
            &dir,
            &[&["solve", "fleet.arch", "--format", "json"][..], &args].concat(),
        );
        assert_eq!(objective(&o), 6.0);
        let args = [
            "--data",
            "a",
            "--solver",
            "highs",
            "--solver-option",
            "no_such=1",
        ];
        let o = archc(&dir, &[&["solve", "fleet.arch"][..], &args].concat());
        assert_eq!(o.status.code(), Some(6));
        assert!(stderr(&o).contains("no_such=1"), "{}", stderr(&o));
    }
}

/// `SET from "PATH" key COLUMN`: the names come from that column, in CSV and in a JSON object
/// keyed by name, and the attributes of each row stay with its name (the plan depends on
/// every one of them).
#[test]
fn entity_names_come_from_the_key_column() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("data_sets_key");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let model = "kind site { power: kW }\n\
                 kind host { cores: core, site: site }\n\
                 sites from \"sites.json\" key code\n\
                 hosts from \"hosts.csv\" key id\n\
                 decide on[h in hosts]: bool\n\
                 constraint fits[s in sites]: sum(h in hosts where h.site == s) on[h] <= s.power / 10 kW\n\
                 maximize cores: sum(h in hosts) h.cores * on[h]\n";
    std::fs::write(dir.join("hosts.arch"), model).unwrap();
    // Site a holds one host, b two: the best plan runs h2 on a and h3, h4 on b.
    std::fs::write(
        dir.join("hosts.csv"),
        "id,cores,site\nh1,16,a\nh2,32,a\nh3,8,b\nh4,4,b\nh5,2,b\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sites.json"),
        r#"{"a": {"power": 10}, "b": {"power": 20}}"#,
    )
    .unwrap();
    let o = archc(
        &dir,
        &[
            "solve",
            "hosts.arch",
            "--format",
            "json",
            "--solver",
            "microlp",
        ],
    );
    assert_eq!(objective(&o), 44.0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let on: Vec<String> = v["decisions"][0]["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter(|x| x["value"].as_f64() == Some(1.0))
        .map(|x| x["index"][0].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(on, ["h2", "h3", "h4"]);
    // Without `key`, the same files have no `name` column: E0503 says how to name it.
    std::fs::write(
        dir.join("plain.arch"),
        model.replace(" key id", "").replace(" key code", ""),
    )
    .unwrap();
    let o = archc(&dir, &["check", "plain.arch"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("E0503") && e.contains("key COLUMN"), "{e}");
}
