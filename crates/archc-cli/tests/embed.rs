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

/// A small fleet: demand per service in `core`, a computed need (demand plus headroom), a
/// scalar price, a bound from a param.
fn fleet(demand_search: &str, price: &str) -> String {
    format!(
        "
kind region {{ cores: core = 0 core }}
kind service {{ }}
region us {{ cores: 64 core }}
region eu {{ cores: 48 core }}
service web {{ }}
service search {{ }}
param demand[s in services]: core = {{ web: 20 core, search: {demand_search} }}
param need[s in services]: core = demand[s] * 1.25
param price: usd = {price}
param most: int = 6
decide replicas[s in services, r in regions]: int >= 0 <= most
constraint fits[r in regions]: sum(s in services) 4 core * replicas[s, r] <= r.cores
constraint serves[s in services]: sum(r in regions) 4 core * replicas[s, r] >= need[s]
minimize cost: sum(s in services, r in regions) price * replicas[s, r]
"
    )
}

/// `set_param` then `solve` gives the plan a fresh compile of the changed model gives: the
/// computed `need` follows the new demand, a scalar price and an `int` bound change too,
/// and the model is not parsed or checked again (only instantiation runs).
#[test]
fn set_param_then_solve_matches_a_fresh_compile_of_the_changed_model() {
    let opts = archc::solve::SolveOptions::default();
    let mut model = archc::compile_source("fleet.arch", &fleet("16 core", "10 usd"), None)
        .expect("the model compiles");
    let before = model.solve(&opts).expect("it solves");
    // need: web 25 core (7 replicas of 4 core), search 20 core (5): 12 replicas.
    assert_eq!(before.objective(), Some(120.0));

    model
        .set_param("demand", &["search"], 40.0)
        .expect("a value");
    model.set_param("price", &[], 3.0).expect("a value");
    model.set_param("most", &[], 9.0).expect("a value");
    let after = model.solve(&opts).expect("it solves again");
    let phases: Vec<&str> = after
        .solved
        .timings
        .phases
        .iter()
        .map(|(p, _)| &**p)
        .collect();
    assert!(
        !phases.contains(&"parse") && !phases.contains(&"check"),
        "{phases:?}"
    );
    assert!(phases.contains(&"instantiate"), "{phases:?}");
    // `most` bounds a decision: the whole model is instantiated again.
    assert!(
        matches!(model.last_update(), Some(archc::driver::Reinstantiated::Whole(why)) if why.contains("bounds of decision `replicas`")),
        "{:?}",
        model.last_update()
    );

    let fresh_text =
        fleet("40 core", "3 usd").replace("param most: int = 6", "param most: int = 9");
    let mut fresh =
        archc::compile_source("fleet.arch", &fresh_text, None).expect("the model compiles");
    let want = fresh.solve(&opts).expect("it solves");
    // need: web 25 core (7 replicas), search 50 core (13 replicas): 20 x 3 usd.
    assert_eq!(want.objective(), Some(60.0));
    assert_eq!(after.objective(), want.objective());
    for s in ["web", "search"] {
        let total = |sol: &archc::Solution| -> f64 {
            ["us", "eu"]
                .iter()
                .filter_map(|r| sol.value("replicas", &[s, r]))
                .sum()
        };
        assert_eq!(total(&after), total(&want), "{s}");
    }
    // 13 search replicas do not fit under the old bound (6 per region, 12 in all): the
    // plan exists only because `most` changed to 9.
    assert!(after.value("replicas", &["search", "us"]).unwrap_or(0.0) <= 9.0);
    assert!(after.value("replicas", &["search", "eu"]).unwrap_or(0.0) <= 9.0);
}

/// The phases of a solve's timings.
fn phases(sol: &archc::Solution) -> Vec<String> {
    sol.solved
        .timings
        .phases
        .iter()
        .map(|(p, _)| p.to_string())
        .collect()
}

/// A change of values that leaves the model's structure as it was is taken into the instance
/// in place: only `serves` (which reads `need`, computed from `demand`) and the objective
/// (which reads `price`) are instantiated again, nothing is parsed, checked or instantiated
/// whole, and the updated instance is the instance a fresh compile of the changed model
/// gives, row for row and coefficient for coefficient.
#[test]
fn a_change_of_values_updates_the_instance_in_place_as_a_fresh_compile_would() {
    use archc::driver::Reinstantiated;
    let opts = archc::solve::SolveOptions::default();
    let mut model = archc::compile_source("fleet.arch", &fleet("16 core", "10 usd"), None)
        .expect("the model compiles");
    assert_eq!(
        model.solve(&opts).expect("it solves").objective(),
        Some(120.0)
    );
    model
        .set_param("demand", &["search"], 40.0)
        .expect("a value");
    model.set_param("price", &[], 3.0).expect("a value");
    let after = model.solve(&opts).expect("it solves again");
    match model.last_update() {
        Some(Reinstantiated::InPlace(done)) => {
            // demand, need (computed from it) and price; `serves` of web and of search.
            assert_eq!(done.params, 3, "{done:?}");
            assert_eq!(done.constraints, 1, "{done:?}");
            assert_eq!(done.rows, 2, "{done:?}");
            assert!(done.objectives, "{done:?}");
        }
        other => panic!("expected an update in place, got {other:?}"),
    }
    let ph = phases(&after);
    assert!(ph.iter().any(|p| p == "update in place"), "{ph:?}");
    assert!(
        !ph.iter()
            .any(|p| p == "instantiate" || p == "parse" || p == "check"),
        "{ph:?}"
    );
    let mut fresh = archc::compile_source("fleet.arch", &fleet("40 core", "3 usd"), None)
        .expect("the model compiles");
    assert_eq!(
        archc::ir::dump::dump(model.model()),
        archc::ir::dump::dump(fresh.model())
    );
    let want = fresh.solve(&opts).expect("it solves");
    assert_eq!(after.objective(), want.objective());
    // A second change of the same value is in place again; taking the changes back
    // instantiates the whole model, as compiled.
    model
        .set_param("demand", &["search"], 30.0)
        .expect("a value");
    model.update().expect("updates");
    assert!(matches!(
        model.last_update(),
        Some(Reinstantiated::InPlace(_))
    ));
    let original = archc::compile_source("fleet.arch", &fleet("16 core", "10 usd"), None)
        .expect("the model compiles");
    model.clear_changes();
    let back = model.solve(&opts).expect("it solves");
    assert!(
        matches!(model.last_update(), Some(Reinstantiated::Whole(why)) if why.contains("taken back")),
        "{:?}",
        model.last_update()
    );
    assert_eq!(back.objective(), Some(120.0));
    assert_eq!(
        archc::ir::dump::dump(model.model()),
        archc::ir::dump::dump(original.model())
    );
}

/// A change that would change the structure is instantiated whole, with the reason: a
/// filter that a new value turns on adds a row, a weight that becomes 0 drops a term, a
/// decision's bound reads the param. Each gives the instance of a fresh compile.
#[test]
fn a_change_of_structure_instantiates_the_whole_model_and_says_why() {
    use archc::driver::Reinstantiated;
    let text = |big: &str, size: &str, most: &str| {
        format!(
            "
kind service {{ }}
service web {{ }}
service search {{ }}
param demand[s in services]: core = {{ web: 20 core, search: {big} }}
param size[s in services]: core = {{ web: 4 core, search: 4 core }}
param weight[s in services]: core = {{ web: 4 core, search: {size} }}
param most: int = {most}
decide replicas[s in services]: int >= 0 <= most
constraint serves[s in services]: size[s] * replicas[s] >= demand[s]
constraint big[s in services where demand[s] > 30 core]: replicas[s] >= 2
constraint room: sum(s in services) weight[s] * replicas[s] <= 200 core
minimize count: sum(s in services) replicas[s]
"
        )
    };
    let cases: [(&str, f64, [&str; 3], &str); 3] = [
        (
            "demand",
            40.0,
            ["40 core", "4 core", "60"],
            "`big` has another number of rows",
        ),
        (
            "weight",
            0.0,
            ["16 core", "0 core", "60"],
            "a row of `room` has other columns",
        ),
        (
            "most",
            50.0,
            ["16 core", "4 core", "50"],
            "bounds of decision `replicas`",
        ),
    ];
    for (param, value, [big, size, most], why) in cases {
        let mut model = archc::compile_source("m.arch", &text("16 core", "4 core", "60"), None)
            .expect("the model compiles");
        let index: &[&str] = if param == "most" { &[] } else { &["search"] };
        model.set_param(param, index, value).expect("a value");
        model.update().expect("updates");
        match model.last_update() {
            Some(Reinstantiated::Whole(reason)) => {
                assert!(reason.contains(why), "{param}: {reason}")
            }
            other => panic!("{param}: expected a whole instantiation, got {other:?}"),
        }
        let fresh = archc::compile_source("m.arch", &text(big, size, most), None)
            .expect("the model compiles");
        assert_eq!(
            archc::ir::dump::dump(model.model()),
            archc::ir::dump::dump(fresh.model()),
            "{param}"
        );
    }
}

#[test]
fn set_param_refuses_what_it_cannot_change() {
    let mut model = archc::compile_source("fleet.arch", &fleet("16 core", "10 usd"), None)
        .expect("the model compiles");
    let code = |r: Result<(), archc::diagnostics::Diagnostic>| r.err().map(|d| d.code);
    assert_eq!(
        code(model.set_param("demnd", &["web"], 1.0)),
        Some(Code::E0748)
    );
    assert_eq!(code(model.set_param("demand", &[], 1.0)), Some(Code::E0748));
    assert_eq!(code(model.set_param("most", &[], 2.5)), Some(Code::E0748));
    assert_eq!(
        code(model.set_param("price", &[], f64::NAN)),
        Some(Code::E0748)
    );
    // An element that does not exist is found when the model is instantiated again.
    model
        .set_param("demand", &["mail"], 4.0)
        .expect("checked at the solve");
    let err = model
        .solve(&archc::solve::SolveOptions::default())
        .expect_err("no such service");
    assert_eq!(err.code, Code::E0748);
    assert!(err.message.contains("mail"), "{}", err.message);
    // Back to the compiled values.
    model.clear_changes();
    let again = model
        .solve(&archc::solve::SolveOptions::default())
        .expect("it solves");
    assert_eq!(again.objective(), Some(120.0));
}

/// The example of docs/change.md §7 on `examples/capacity/buildout.arch`: the re-solved
/// plan costs what a fresh compile of the changed files costs (the demand file and the
/// budget edited on disk, in a copy).
#[test]
fn the_re_solve_example_of_the_docs_matches_edited_files() {
    let root = archc_root().join("examples/capacity");
    let opts = archc::solve::SolveOptions::default();
    let mut model = archc::compile(&root.join("buildout.arch")).expect("the example compiles");
    let first = model.solve(&opts).expect("it solves");
    model
        .set_param("demand", &["us-east", "2028Q1"], 46_000.0)
        .expect("a demand");
    model
        .set_param("budget", &[], 3_500_000.0)
        .expect("a budget");
    let second = model.solve(&opts).expect("it solves again");
    assert_eq!(second.status(), archc::solve::Status::Optimal);

    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("data")).expect("data dir");
    for f in ["regions.csv", "demand.csv"] {
        let text = std::fs::read_to_string(root.join("data").join(f)).expect("read");
        let text = text.replace("us-east,2028Q1,42800", "us-east,2028Q1,46000");
        std::fs::write(dir.path().join("data").join(f), text).expect("write");
    }
    let text = std::fs::read_to_string(root.join("buildout.arch")).expect("read");
    assert!(text.contains("param budget: usd = 3_000_000 usd"));
    let text = text.replace(
        "param budget: usd = 3_000_000 usd",
        "param budget: usd = 3_500_000 usd",
    );
    std::fs::write(dir.path().join("buildout.arch"), text).expect("write");
    let mut fresh =
        archc::compile(&dir.path().join("buildout.arch")).expect("the edited copy compiles");
    let want = fresh.solve(&opts).expect("it solves");
    assert_eq!(second.objective(), want.objective());
    assert_ne!(first.objective(), second.objective());
}
