//! Names and size of the instantiated model: every example and every fixture that
//! instantiates has distinct column names and distinct row names, in the IR (`emit --ir`)
//! and in the MPS/LP files (where the objective row's name is distinct from every row's);
//! and logic over bool decisions is lowered without needless auxiliary columns and rows.

use archc::analysis::{AnalyzeOptions, BackendChoice};
use archc::backends::milp;
use archc::driver::{analyze, analyze_source};
use archc::ir::{ColId, Model, RowId, VarKind};
use archc::solve::{SolveOptions, Status};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}

fn arch_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            arch_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "arch") {
            out.push(path);
        }
    }
}

/// The first name that occurs twice, if any.
fn repeated(names: &[String]) -> Option<&String> {
    let mut seen = HashSet::new();
    names.iter().find(|n| !seen.insert(n.as_str()))
}

/// Every name of one model is distinct; returns a description of the first clash.
fn clashes(model: &Model) -> Option<String> {
    let cols: Vec<String> = (0..model.num_columns())
        .map(|j| model.column_name(ColId(j as u32)))
        .collect();
    let rows: Vec<String> = (0..model.num_rows())
        .map(|i| model.row_name(RowId(i as u32)))
        .collect();
    if let Some(n) = repeated(&cols) {
        return Some(format!("IR column `{n}` twice"));
    }
    if let Some(n) = repeated(&rows) {
        return Some(format!("IR row `{n}` twice"));
    }
    let file_cols = milp::column_names(model);
    if let Some(n) = repeated(&file_cols) {
        return Some(format!("file column `{n}` twice"));
    }
    let mut file_rows = milp::row_names(model);
    file_rows.push(milp::objective_row_name(model));
    if let Some(n) = repeated(&file_rows) {
        return Some(format!("file row `{n}` twice (the objective row included)"));
    }
    None
}

/// Analyse on a thread with a main thread's stack, as the CLI does (the debug front end
/// needs more than a test thread's 2 MiB).
fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("analysis panicked")
}

fn options(backend: BackendChoice) -> AnalyzeOptions {
    AnalyzeOptions {
        instantiate: true,
        backend,
        ..Default::default()
    }
}

#[test]
fn every_example_and_fixture_has_distinct_names() {
    let mut files = Vec::new();
    arch_files(&root().join("examples"), &mut files);
    arch_files(&root().join("stdlib"), &mut files);
    arch_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut files,
    );
    files.sort();
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in files {
        // Models with plans are checked both as DP instances and lowered to MILP.
        for backend in [BackendChoice::Auto, BackendChoice::Milp] {
            let p = path.clone();
            let result = on_big_stack(move || {
                let a = analyze(&p, &options(backend));
                a.instance.as_ref().map(|i| clashes(&i.model))
            });
            match result {
                Some(Some(problem)) => {
                    problems.push(format!("{} ({backend:?}): {problem}", path.display()))
                }
                Some(None) => checked += 1,
                None => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Most examples and ok fixtures instantiate: the test must not pass by checking none.
    assert!(checked >= 20, "only {checked} models instantiated");
}

/// A model's size and its optimum on the default solver.
fn build(src: &str) -> Model {
    let src = src.to_string();
    on_big_stack(move || {
        let a = analyze_source("logic.arch", &src, None, &options(BackendChoice::Auto));
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        a.instance.expect("instance").model
    })
}

fn optimum(model: &Model) -> f64 {
    let solved = archc::solve::solve_model(model, &SolveOptions::default()).expect("solves");
    assert_eq!(solved.raw.status, Status::Optimal);
    assert!(solved.verified());
    solved.raw.objective
}

fn binaries(model: &Model) -> usize {
    model
        .columns
        .iter()
        .filter(|c| c.kind == VarKind::Binary)
        .count()
}

const HEAD: &str = "set quarters = {t1, t2, t3}\n\
                    decide setup[t in quarters]: bool\n\
                    decide order[t in quarters]: int >= 0 <= 10\n";

/// `not setup -> order <= 0` is one row per index, `order <= 10 * setup`, with no
/// auxiliary column: the negated bool is the indicator itself.
#[test]
fn negated_bool_is_the_indicator_itself() {
    let m = build(&format!(
        "{HEAD}constraint pay[t in quarters]: not setup[t] -> order[t] <= 0\n\
         minimize cost: sum(t in quarters) (4 * setup[t] - order[t])\n"
    ));
    assert_eq!(m.num_columns(), 6, "setup and order only");
    assert_eq!(m.num_rows(), 3, "one row per quarter");
    for i in 0..m.num_rows() {
        let mut entries: Vec<(String, f64)> = m
            .row_entries(RowId(i as u32))
            .map(|(c, v)| (m.column_name(c), v))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(entries.len(), 2, "{entries:?}");
        assert!(entries[0].0.starts_with("order[") && entries[1].0.starts_with("setup["));
        assert_eq!((entries[0].1, entries[1].1), (1.0, -10.0));
        assert_eq!((m.rows[i].lo, m.rows[i].hi), (f64::NEG_INFINITY, 0.0));
    }
    // Ordering 10 pays 4 for the setup: -6 a quarter.
    assert!((optimum(&m) + 18.0).abs() < 1e-6);
}

/// A plain bool, and `a or b` over bools, need no auxiliary column either.
#[test]
fn implications_and_disjunctions_of_bools_add_no_column() {
    let m = build(&format!(
        "{HEAD}decide spare[t in quarters]: bool\n\
         constraint pay[t in quarters]: order[t] >= 1 -> setup[t]\n\
         constraint one[t in quarters]: setup[t] or not spare[t]\n\
         maximize got: sum(t in quarters) (order[t] + spare[t] - 3 * setup[t])\n"
    ));
    assert_eq!(m.num_columns(), 9);
    assert_eq!(binaries(&m), 6);
    assert_eq!(m.num_rows(), 6, "one row per index and constraint");
    // Order 10 and spare with setup: 10 + 1 - 3 a quarter.
    assert!((optimum(&m) - 24.0).abs() < 1e-6);
}

/// `<->` between two comparisons reifies one side only; its literal is the other side's
/// indicator.
#[test]
fn equivalence_of_two_comparisons_adds_one_indicator() {
    let m = build(
        "decide a: int >= 0 <= 5\n\
         decide b: int >= 0 <= 5\n\
         constraint tie: a >= 3 <-> b <= 1\n\
         maximize s: a + b\n",
    );
    assert_eq!(m.num_columns(), 3, "a, b and one indicator");
    assert_eq!(binaries(&m), 1);
    assert_eq!(m.num_rows(), 4, "two big-M rows per side");
    // a >= 3 forces b <= 1 (5 + 1), a <= 2 forces b >= 2 (2 + 5): 7.
    assert!((optimum(&m) - 7.0).abs() < 1e-6);
}

/// Rows that share an origin (a chained comparison) get `#2` in the IR, and the
/// objective row of the files is named after the objective.
#[test]
fn repeated_origins_are_numbered_and_the_objective_row_keeps_its_name() {
    let m = build(
        "decide x: int >= 0 <= 9\n\
         constraint band: 2 <= x <= 7\n\
         minimize cost: x\n",
    );
    let rows: Vec<String> = (0..m.num_rows())
        .map(|i| m.row_name(RowId(i as u32)))
        .collect();
    assert_eq!(rows, vec!["band", "band#2"]);
    assert_eq!(milp::objective_row_name(&m), "cost");
    assert_eq!(milp::row_names(&m), vec!["band", "band;2"]);
}
