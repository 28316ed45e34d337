//! Alternative plans (`archc solve --alternatives K [--alt-tolerance X]`) on every enabled
//! MILP solver: the plans found are compared with an enumeration of the same small models
//! done by the test (how many plans tie, which are within a tolerance), every alternative is
//! verified and distinct, the text report lists each as its changes from the first plan, the
//! JSON has its `alternatives` array; and each bad use has its code, snapshotted from the
//! fixtures in `tests/fixtures/alternatives/err/` (the first line of each gives the flags).

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn solvers() -> Vec<&'static str> {
    archc::solve::SolverKind::enabled()
        .into_iter()
        .map(|k| k.name())
        .collect()
}

/// Sites with the given prices; `x[s]` in `0..=cap` (a bool when `cap` is 1), at least
/// `need` in all, cost minimised.
fn sites_model(prices: &[i64], cap: i64, need: i64) -> String {
    let mut m = String::from("kind site { price: usd = 0 usd }\n");
    for (i, p) in prices.iter().enumerate() {
        m.push_str(&format!("site s{i} {{ price: {p} usd }}\n"));
    }
    let kind = if cap == 1 {
        "bool".to_string()
    } else {
        format!("int >= 0 <= {cap}")
    };
    m.push_str(&format!(
        "decide x[s in sites]: {kind}\n\
         constraint need: sum(s in sites) x[s] >= {need}\n\
         minimize cost: sum(s in sites) s.price * x[s]\n"
    ));
    m
}

/// Every feasible plan of [`sites_model`] with its cost, by enumeration.
fn all_plans(prices: &[i64], cap: i64, need: i64) -> Vec<(Vec<i64>, i64)> {
    let mut out = Vec::new();
    let n = prices.len();
    let mut x = vec![0i64; n];
    loop {
        if x.iter().sum::<i64>() >= need {
            let cost = x.iter().zip(prices).map(|(a, p)| a * p).sum();
            out.push((x.clone(), cost));
        }
        let mut i = 0;
        while i < n && x[i] == cap {
            x[i] = 0;
            i += 1;
        }
        if i == n {
            break;
        }
        x[i] += 1;
    }
    out
}

/// Solve `text` (written to a temporary file) with `extra` flags; the JSON report.
fn solve_json(text: &str, extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.arch");
    std::fs::write(&path, text).expect("written");
    let p = path.display().to_string();
    let mut args = vec!["solve", p.as_str(), "--format", "json", "--quiet"];
    args.extend_from_slice(extra);
    let o = archc(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("a JSON report")
}

/// The plan of a report: the value of `x` per site (zeros included).
fn first_plan(r: &Value, n: usize) -> Vec<i64> {
    let mut x = vec![0i64; n];
    for d in r["decisions"].as_array().expect("decisions") {
        if d["name"] == "x" {
            for v in d["values"].as_array().expect("values") {
                let site = v["index"][0].as_str().expect("index");
                let i: usize = site[1..].parse().expect("s<i>");
                x[i] = v["value"].as_f64().expect("value").round() as i64;
            }
        }
    }
    x
}

/// Every plan of a report: the first, then each alternative with its changes applied.
fn plans_of(r: &Value, n: usize) -> Vec<(Vec<i64>, f64)> {
    let first = first_plan(r, n);
    let mut out = vec![(
        first.clone(),
        r["objective"]["value"].as_f64().expect("objective"),
    )];
    for a in r["alternatives"].as_array().expect("an alternatives array") {
        assert_eq!(a["verification"]["ok"], Value::Bool(true), "{a}");
        assert_eq!(a["verification"]["violations"], 0, "{a}");
        let mut x = first.clone();
        for c in a["changes"].as_array().expect("changes") {
            assert_eq!(c["decision"], "x");
            let site = c["index"][0].as_str().expect("index");
            let i: usize = site[1..].parse().expect("s<i>");
            assert_eq!(c["from"].as_f64(), Some(first[i] as f64), "{c}");
            x[i] = c["to"].as_f64().expect("to").round() as i64;
        }
        out.push((x, a["objective"].as_f64().expect("objective")));
    }
    out
}

/// The plans found are distinct, feasible, cost what the report says, and are exactly the
/// plans of the enumeration whose cost is within `within` of the optimum.
fn check_found(prices: &[i64], cap: i64, need: i64, found: &[(Vec<i64>, f64)], within: i64) {
    let plans = all_plans(prices, cap, need);
    let best = plans.iter().map(|p| p.1).min().expect("a feasible plan");
    let expected: BTreeSet<Vec<i64>> = plans
        .iter()
        .filter(|p| p.1 <= best + within)
        .map(|p| p.0.clone())
        .collect();
    let got: BTreeSet<Vec<i64>> = found.iter().map(|p| p.0.clone()).collect();
    assert_eq!(got.len(), found.len(), "a plan was found twice: {found:?}");
    assert_eq!(got, expected, "prices {prices:?} cap {cap} need {need}");
    for (x, objective) in found {
        let cost: i64 = x.iter().zip(prices).map(|(a, p)| a * p).sum();
        assert_eq!(cost as f64, *objective, "{x:?}");
    }
}

#[test]
fn a_model_with_exactly_three_optimal_plans_gives_two_alternatives_on_every_solver() {
    // Three sites tie at the lowest price, a fourth is dearer.
    let prices = [5, 5, 5, 7];
    let text = sites_model(&prices, 1, 1);
    let three = all_plans(&prices, 1, 1)
        .into_iter()
        .filter(|p| p.1 == 5)
        .count();
    assert_eq!(three, 3, "the model is built with three optimal plans");
    for solver in solvers() {
        let r = solve_json(&text, &["--solver", solver, "--alternatives", "5"]);
        let found = plans_of(&r, prices.len());
        assert_eq!(found.len(), 3, "{solver}: {found:?}");
        check_found(&prices, 1, 1, &found, 0);
        let search = &r["alternative_search"];
        assert_eq!(search["requested"], 5);
        assert_eq!(search["found"], 3);
        assert_eq!(search["ended"]["reason"], "exhausted", "{search}");
        assert_eq!(search["continuous_decisions"], false);
        // K = 2 stops at the count.
        let r = solve_json(&text, &["--solver", solver, "--alternatives", "2"]);
        assert_eq!(r["alternatives"].as_array().map(Vec::len), Some(1));
        assert_eq!(r["alternative_search"]["ended"]["reason"], "count");
    }
}

#[test]
fn a_tolerance_admits_the_worse_plans_within_it_and_no_others() {
    let prices = [5, 5, 5, 7, 9];
    let text = sites_model(&prices, 1, 1);
    for solver in solvers() {
        // 2 usd admits the 7 usd plan, not the 9 usd one; so does 40 % of 5 usd.
        for flag in ["2", "2 usd", "40%", "0.002 kusd"] {
            let r = solve_json(
                &text,
                &[
                    "--solver",
                    solver,
                    "--alternatives",
                    "10",
                    "--alt-tolerance",
                    flag,
                ],
            );
            let found = plans_of(&r, prices.len());
            check_found(&prices, 1, 1, &found, 2);
            assert!(
                found.iter().any(|p| p.1 > 5.0),
                "{solver} {flag}: a worse plan is admitted: {found:?}"
            );
        }
        // Just under the gap to the next price: ties only.
        let r = solve_json(
            &text,
            &[
                "--solver",
                solver,
                "--alternatives",
                "10",
                "--alt-tolerance",
                "1.9",
            ],
        );
        check_found(&prices, 1, 1, &plans_of(&r, prices.len()), 0);
    }
}

#[test]
fn general_integers_are_enumerated_with_auxiliary_binaries() {
    // Four ways to buy three units at 5 usd from two sites (3+0, 2+1, 1+2, 0+3); a plan
    // strictly inside the bounds (1 or 2 of 4) needs the auxiliary binaries of the cut.
    let prices = [5, 5, 6];
    let (cap, need) = (4, 3);
    let text = sites_model(&prices, cap, need);
    for solver in solvers() {
        let r = solve_json(&text, &["--solver", solver, "--alternatives", "10"]);
        let found = plans_of(&r, prices.len());
        check_found(&prices, cap, need, &found, 0);
        assert_eq!(found.len(), 4, "{solver}: {found:?}");
        assert!(
            r["alternative_search"]["auxiliary_binaries"]
                .as_u64()
                .is_some_and(|n| n > 0),
            "{}",
            r["alternative_search"]
        );
        // Within 1 usd: every plan of cost 15 or 16.
        let r = solve_json(
            &text,
            &[
                "--solver",
                solver,
                "--alternatives",
                "50",
                "--alt-tolerance",
                "1",
            ],
        );
        check_found(&prices, cap, need, &plans_of(&r, prices.len()), 1);
    }
}

#[test]
fn the_json_shape_of_alternatives() {
    let text = sites_model(&[5, 5, 6], 1, 1);
    let r = solve_json(&text, &["--alternatives", "3", "--alt-tolerance", "1%"]);
    let alts = r["alternatives"].as_array().expect("an array");
    assert_eq!(alts.len(), 1);
    let a = &alts[0];
    for key in ["objective", "status", "verification", "changes"] {
        assert!(a.get(key).is_some(), "no `{key}` in {a}");
    }
    let change = &a["changes"][0];
    for key in ["decision", "index", "from", "to"] {
        assert!(change.get(key).is_some(), "no `{key}` in {change}");
    }
    let s = &r["alternative_search"];
    assert_eq!(s["tolerance"]["relative"].as_f64(), Some(0.01));
    assert_eq!(s["tolerance"]["absolute"].as_f64(), Some(0.0));
    assert_eq!(s["unit"], "usd");
    let limit = s["limit"].as_f64().expect("limit");
    assert!((5.05..5.06).contains(&limit), "{limit}");
    // Without the flag there is neither.
    let r = solve_json(&text, &[]);
    assert!(r.get("alternatives").is_none());
    assert!(r.get("alternative_search").is_none());
}

/// Three sites of the same price, one needed: a model file in a temp dir (kept alive by the
/// first value), its path, and its JSON report with `--alternatives 3`.
fn three_tied_sites() -> (tempfile::TempDir, String, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.arch");
    std::fs::write(&path, sites_model(&[5, 5, 5], 1, 1)).expect("written");
    let p = path.display().to_string();
    let json: Value = serde_json::from_str(&stdout(&archc(&[
        "solve",
        &p,
        "--format",
        "json",
        "--alternatives",
        "3",
    ])))
    .expect("JSON");
    (dir, p, json)
}

#[test]
fn the_text_report_shows_each_alternative_as_its_changes_from_the_first_plan() {
    let (_dir, p, json) = three_tied_sites();
    let o = archc(&["solve", &p, "--alternatives", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("alternatives: 3 plans found of 3 asked for (ties only"),
        "{text}"
    );
    for (k, a) in json["alternatives"]
        .as_array()
        .expect("alternatives")
        .iter()
        .enumerate()
    {
        assert!(
            text.contains(&format!("plan {}: objective 5 usd, verified", k + 2)),
            "{text}"
        );
        for c in a["changes"].as_array().expect("changes") {
            let line = format!(
                "x[{}]  {} → {}",
                c["index"][0].as_str().expect("index"),
                c["from"].as_f64().expect("from"),
                c["to"].as_f64().expect("to")
            );
            assert!(text.contains(&line), "no `{line}` in\n{text}");
        }
    }
}

/// The HTML report (`--report`) shows the alternatives as the terminal does: the headline,
/// one row per plan, and each alternative's changes from the first plan, as in the JSON.
#[test]
fn the_html_report_shows_each_alternative_as_its_changes_from_the_first_plan() {
    let (dir, p, json) = three_tied_sites();
    let page = dir.path().join("report.html");
    let o = archc(&[
        "solve",
        &p,
        "--alternatives",
        "3",
        "--report",
        &page.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(
        html.contains("<h2 id=\"alternatives\">Alternative plans</h2>"),
        "{html}"
    );
    assert!(
        html.contains(
            "data-plans=\"3\">3 plans found of 3 asked for (ties only; objective at most 5"
        ),
        "{html}"
    );
    let alternatives = json["alternatives"].as_array().expect("alternatives");
    assert_eq!(alternatives.len(), 2);
    for (k, a) in alternatives.iter().enumerate() {
        let changes = a["changes"].as_array().expect("changes");
        let head = format!(
            "<h3 class=\"alternative\" data-plan=\"{}\" data-changes=\"{}\">",
            k + 2,
            changes.len()
        );
        let at = html
            .find(&head)
            .unwrap_or_else(|| panic!("no `{head}` in\n{html}"));
        let section = &html[at..];
        let section = &section[..section.find("</table>").expect("its table")];
        for c in changes {
            let row = format!(
                "<td>x[{}]</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                c["index"][0].as_str().expect("index"),
                c["from"].as_f64().expect("from"),
                c["to"].as_f64().expect("to")
            );
            assert!(section.contains(&row), "no `{row}` in\n{section}");
        }
        let plan_row = format!(
            "<td>plan {}</td><td class=\"num\">5 usd</td><td>verified</td><td class=\"num\">{}</td>",
            k + 2,
            changes.len()
        );
        assert!(html.contains(&plan_row), "no `{plan_row}` in\n{html}");
    }
    // Without --alternatives there is no section.
    let o = archc(&["solve", &p, "--report", &page.display().to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(!html.contains("id=\"alternatives\""), "{html}");
}

#[test]
fn continuous_decisions_are_not_enumerated_and_the_report_says_so() {
    // One binary choice of a site and a continuous amount shipped from it.
    let text = "kind site { price: usd = 0 usd }\n\
                site a { price: 5 usd }\n\
                site b { price: 5 usd }\n\
                decide open[s in sites]: bool\n\
                decide ship[s in sites]: real >= 0 <= 10\n\
                constraint one: sum(s in sites) open[s] == 1\n\
                constraint only_open[s in sites]: ship[s] <= 10 * open[s]\n\
                constraint need: sum(s in sites) ship[s] >= 4\n\
                minimize cost: sum(s in sites) s.price * open[s]\n";
    let r = solve_json(text, &["--alternatives", "5"]);
    assert_eq!(r["alternative_search"]["continuous_decisions"], true);
    let alts = r["alternatives"].as_array().expect("alternatives");
    assert_eq!(alts.len(), 1, "two plans of `open`, whatever `ship` does");
    for c in alts[0]["changes"].as_array().expect("changes") {
        assert_eq!(c["decision"], "open", "{c}");
    }
}

#[test]
fn a_plan_solved_by_dp_is_reported_alone_with_a_note() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let model = root.join("examples/planning/knapsack.arch");
    let o = archc(&["solve", &model.display().to_string(), "--alternatives", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note: --alternatives enumerates MILP plans"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("alternatives:"), "{}", stdout(&o));
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alternatives/err")
}

#[test]
fn each_bad_use_has_its_code() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "arch"))
        .collect();
    files.sort();
    let mut codes = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        let flags: Vec<&str> = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("// args:"))
            .expect("the first line gives the flags")
            .split_whitespace()
            .collect();
        let name = f.file_name().and_then(|n| n.to_str()).expect("name");
        let mut args = vec!["solve", name, "--quiet"];
        args.extend(flags);
        let o = Command::new(env!("CARGO_BIN_EXE_archc"))
            .args(&args)
            .current_dir(fixtures_dir())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .output()
            .expect("archc runs");
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{name}: no report: {}", stdout(&o));
        let err = stderr(&o);
        let code = err
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        codes.insert(code);
        let stem = name.trim_end_matches(".arch");
        insta::assert_snapshot!(format!("err__{stem}"), format!("{text}\n---\n{err}"));
    }
    let want: BTreeSet<String> = ["E0743", "E0744", "E0745", "E0746"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(codes, want);
    for code in &want {
        let o = archc(&["explain", code]);
        assert!(o.status.success(), "{code} has an explanation");
    }
}
