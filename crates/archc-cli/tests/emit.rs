//! `archc emit` through the binary: a model whose plans `solve` hands to the DP backend is
//! written as its MILP lowering, never as an empty model. With the `highs` feature, HiGHS
//! reads the file and finds the optimum the DP backend finds.

use std::path::{Path, PathBuf};
use std::process::Command;

#[cfg(feature = "highs")]
use crate::solver_readers;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("archc-emit-{}-{name}", std::process::id()))
}

/// `columns: N  rows: M  nonzeros: K` of `emit --ir`.
fn ir_size(file: &Path) -> (usize, usize) {
    let out = Command::new(env!("CARGO_BIN_EXE_archc"))
        .arg("emit")
        .arg(file)
        .arg("--ir")
        .output()
        .expect("archc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let head: Vec<&str> = text
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!((head[0], head[2]), ("columns:", "rows:"), "{text}");
    (
        head[1].parse().expect("a count"),
        head[3].parse().expect("a count"),
    )
}

#[test]
fn a_model_with_dp_plans_is_emitted_as_its_milp_lowering() {
    let file = root().join("examples/planning/knapsack.arch");
    // `solve` picks the DP backend for this model.
    let a = archc::driver::analyze(
        &file,
        &archc::analysis::AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    assert_eq!(a.backend, Some(archc::analysis::Backend::Dp));

    let (cols, rows) = ir_size(&file);
    assert!(cols > 0 && rows > 0, "{cols} columns, {rows} rows");

    let mps = temp_path("knapsack.mps");
    let out = Command::new(env!("CARGO_BIN_EXE_archc"))
        .arg("emit")
        .arg(&file)
        .arg("--mps")
        .arg(&mps)
        .output()
        .expect("archc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&mps).expect("the file is written");
    let rows_section = text
        .split("ROWS\n")
        .nth(1)
        .and_then(|t| t.split("COLUMNS\n").next())
        .unwrap_or_default();
    // The objective row and the model's rows.
    assert_eq!(rows_section.lines().count(), rows + 1, "{text}");

    #[cfg(feature = "highs")]
    {
        let mut compiled = archc::compile(&file).expect("compiles");
        let dp = compiled
            .solve(&archc::solve::SolveOptions::default())
            .expect("solves")
            .objective()
            .expect("an optimum");
        let read = solver_readers::highs(&mps).expect("HiGHS finds an optimum");
        assert!(
            (read - dp).abs() <= 1e-6 * dp.abs().max(1.0),
            "file {read} vs DP {dp}"
        );
    }
    let _ = std::fs::remove_file(mps);
}

/// `emit --stage` of a model with objectives in priority order writes that stage's model:
/// its objective, and a row keeping each earlier objective within the limit its stage
/// found (the limits `solve` reports). Without `--stage` the file holds the first
/// objective, and stderr says so. With the `highs` feature, HiGHS reads the stage-2 file
/// and finds the optimum that `solve` found at stage 2.
#[test]
fn a_later_ranked_objective_is_emitted_with_the_earlier_ones_kept() {
    let file = root().join("examples/change/rebalance.arch");
    let archc = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_archc"))
            .arg(args[0])
            .arg(&file)
            .args(&args[1..])
            .env("ARCHC_SOLVER", "microlp")
            .output()
            .expect("archc runs")
    };
    let solved = archc(&["solve", "--format", "json", "-q"]);
    let report: serde_json::Value = serde_json::from_slice(&solved.stdout).expect("a JSON report");
    let stages = report["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 3);
    let moved_optimum = stages[1]["optimum"].as_f64().expect("stage 2 optimum");

    let first = temp_path("rebalance-1.lp");
    let out = archc(&["emit", "--lp", first.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(
        note.contains("ranks 3 objectives") && note.contains("--stage"),
        "{note}"
    );
    let text = std::fs::read_to_string(&first).expect("written");
    assert!(text.contains("Minimize\n cost:"), "{text}");
    assert!(!text.contains("keep_"), "{text}");

    let second = temp_path("rebalance-2.mps");
    let out = archc(&[
        "emit",
        "--mps",
        second.to_str().expect("utf-8"),
        "--stage",
        "moved",
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("stage 1 `cost`"), "{said}");
    let text = std::fs::read_to_string(&second).expect("written");
    let rows: Vec<&str> = text
        .split("ROWS\n")
        .nth(1)
        .and_then(|t| t.split("COLUMNS\n").next())
        .unwrap_or_default()
        .lines()
        .collect();
    assert_eq!(
        rows[0].split_whitespace().collect::<Vec<_>>(),
        ["N", "moved"]
    );
    let kept: Vec<&&str> = rows.iter().filter(|r| r.contains("keep_")).collect();
    assert_eq!(kept.len(), 1, "{rows:?}");
    assert!(kept[0].contains("keep_cost"), "{kept:?}");

    // By rank, the third stage keeps both earlier objectives.
    let third = temp_path("rebalance-3.lp");
    let out = archc(&[
        "emit",
        "--lp",
        third.to_str().expect("utf-8"),
        "--stage",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&third).expect("written");
    assert!(text.contains("Minimize\n bill:"), "{text}");
    assert!(
        text.contains("keep_cost:") && text.contains("keep_moved:"),
        "{text}"
    );

    #[cfg(feature = "highs")]
    {
        let read = solver_readers::highs(&second).expect("HiGHS finds an optimum");
        assert!(
            (read - moved_optimum).abs() <= 1e-6 * moved_optimum.abs().max(1.0),
            "file {read} vs stage 2 {moved_optimum}"
        );
    }
    #[cfg(not(feature = "highs"))]
    let _ = moved_optimum;

    for bad in ["moves", "0", "4"] {
        let out = archc(&[
            "emit",
            "--lp",
            third.to_str().expect("utf-8"),
            "--stage",
            bad,
        ]);
        assert_eq!(out.status.code(), Some(2), "--stage {bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("E0747"),
            "--stage {bad}"
        );
    }
    for f in [first, second, third] {
        let _ = std::fs::remove_file(f);
    }
}
