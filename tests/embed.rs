//! The embedding API: compile from a file with data, solve, read typed results; errors
//! come back as diagnostics, not panics.

use std::path::Path;

#[test]
fn compile_a_file_solve_and_read_values() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/placement/global.arch");
    let mut model = archc::compile(&path).expect("the example compiles");
    assert!(model.model().num_columns() > 0);
    let solution = model
        .solve(&archc::solve::SolveOptions::default())
        .expect("it solves");
    assert_eq!(solution.status(), archc::solve::Status::Optimal);
    let total: f64 = ["eu-central"]
        .iter()
        .filter_map(|r| solution.value("replicas", &["ledger-eu", r]))
        .sum();
    assert_eq!(total, 60.0, "ledger-eu stays in Germany");
    assert!(solution
        .to_json()
        .contains("\"schema\": \"archc.solution/1\""));
}

#[test]
fn errors_come_back_as_diagnostics() {
    let err = archc::compile_source(
        "bad.arch",
        "decide x: int >= 0\nminimize c: x + 1 ms\n",
        None,
    )
    .err()
    .expect("a unit error");
    assert!(err.diagnostics.iter().any(|d| d.code == "E0401"));
    assert!(err.to_string().contains("E0401"));
}
