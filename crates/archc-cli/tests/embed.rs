//! The embedding API: compile from a file with data, solve, read typed results; errors
//! come back as diagnostics, not panics.

use archc::diagnostics::Code;
use std::path::Path;

#[test]
fn compile_a_file_solve_and_read_values() {
    let path = archc_root().join("examples/placement/global.arch");
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
    assert!(err.diagnostics.iter().any(|d| d.code == Code::E0401));
    assert!(err.to_string().contains("E0401"));
}

/// A ratio of two units of one dimension (Mbps over Gbps) is a plain number in results,
/// not thousands of a nameless `0.001` unit.
#[test]
fn ratios_of_scaled_units_read_as_plain_numbers() {
    let mut model = archc::compile_source(
        "ratio.arch",
        "param cap: Gbps = 10 Gbps\n\
         decide f: Mbps >= 5000 Mbps <= 8000 Mbps\n\
         decide u: real >= 0 <= 1\n\
         constraint lim: f / cap <= u\n\
         minimize ratio: f / cap\n",
        None,
    )
    .expect("the model compiles");
    let unit = &model.model().objective.as_ref().expect("objective").unit;
    assert_eq!(unit, "", "objective unit");
    let lim = model
        .model()
        .decls
        .iter()
        .find(|d| d.name == "lim")
        .expect("lim");
    assert_eq!(lim.unit, "", "constraint unit");
    let solution = model
        .solve(&archc::solve::SolveOptions::default())
        .expect("it solves");
    let ratio = solution.objective().expect("an objective value");
    assert!((ratio - 0.5).abs() < 1e-9, "ratio {ratio}");
    assert!(solution.to_json().contains("\"value\": 0.5"));
}

/// A number compared with an integer element keeps the order as written: `2 >= q` holds
/// for q = 1 and 2, not for 3 and 4 (the sides were once swapped for number-then-element).
#[test]
fn comparisons_of_numbers_with_integer_elements_keep_their_order() {
    let mut model = archc::compile_source(
        "order.arch",
        "set qs = 1..4\n\
         decide x[q in qs]: int >= 0 <= 10\n\
         constraint early[q in qs where 2 >= q]: x[q] >= 1\n\
         constraint late[q in qs where q > 3]: x[q] >= 5\n\
         minimize s: sum(q in qs) x[q]\n",
        None,
    )
    .expect("the model compiles");
    let solution = model
        .solve(&archc::solve::SolveOptions::default())
        .expect("it solves");
    let x: Vec<f64> = ["1", "2", "3", "4"]
        .iter()
        .map(|q| solution.value("x", &[q]).unwrap_or(f64::NAN))
        .collect();
    assert_eq!(x, [1.0, 1.0, 0.0, 5.0]);
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}

/// The embedding API's report names the sets the indices range over, as the CLI's does
/// (`replicas[s in services, r in regions]` is over `services` and `regions`), and finds
/// the network of a routing model.
#[test]
fn the_library_report_names_index_sets_like_the_cli() {
    let path = archc_root().join("examples/placement/global.arch");
    let mut model = archc::compile(&path).expect("the example compiles");
    let solution = model
        .solve(&archc::solve::SolveOptions::default())
        .expect("it solves");
    let v: serde_json::Value = serde_json::from_str(&solution.to_json()).expect("JSON");
    let replicas = v["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["name"] == "replicas")
        .expect("replicas");
    assert_eq!(
        replicas["index_sets"],
        serde_json::json!(["services", "regions"])
    );
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(["solve", &path.to_string_lossy(), "--format", "json"])
        .output()
        .expect("archc runs");
    let c: serde_json::Value = serde_json::from_slice(&cli.stdout).expect("CLI JSON");
    let sets = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["decisions"]
            .as_array()
            .expect("decisions")
            .iter()
            .map(|d| d["index_sets"].clone())
            .collect()
    };
    assert_eq!(sets(&v), sets(&c));
}
