//! `archc emit` through the binary: a model whose plans `solve` hands to the DP backend is
//! written as its MILP lowering, never as an empty model. With the `highs` feature, HiGHS
//! reads the file and finds the optimum the DP backend finds.

use std::path::{Path, PathBuf};
use std::process::Command;

#[cfg(feature = "highs")]
#[allow(dead_code)] // emit reads files back with HiGHS only
mod solver_readers;

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
