//! Quoted names end to end: entities from a data file whose names do not read as plain
//! identifiers (`1a`, `eu west`) are referred to between backticks, the model solves, and
//! results, tables and diagnostics print the names without backticks. The formatter keeps
//! quoted names as written.

use archc::diagnostics::Code;
use std::path::Path;

fn model_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/quoted_names/model.arch")
}

#[test]
fn a_quoted_entity_from_csv_is_pinned_and_solved() {
    let mut model = archc::compile(&model_path()).expect("the model compiles");
    let solution = model
        .solve(&archc::solve::SolveOptions::default())
        .expect("it solves");
    assert_eq!(solution.status(), archc::solve::Status::Optimal);
    // Minimizing cost puts each decision at its lowest allowed value.
    assert_eq!(solution.value("x", &["1a"]), Some(2.0));
    assert_eq!(solution.value("x", &["eu west"]), Some(1.0));
    assert_eq!(solution.value("x", &["us-east"]), Some(1.0));
    assert_eq!(solution.value("x", &["`1a`"]), Some(0.0), "no quoted index");

    // Tables and JSON print the names without backticks.
    let table = archc::report::table::render(&solution.report);
    assert!(table.contains("1a"), "{table}");
    assert!(table.contains("eu west"), "{table}");
    assert!(!table.contains('`'), "{table}");
    let json = solution.to_json();
    assert!(json.contains("\"1a\""), "{json}");
    assert!(!json.contains('`'), "{json}");
}

#[test]
fn diagnostics_name_quoted_entities_without_backticks() {
    let err = archc::compile_source(
        "unknown.arch",
        "use std.infra\nregion `1a` { cores: 4 core }\ndecide x[r in regions]: int >= 0\n\
         constraint pin: x[`2b`] >= 2\n",
        None,
    )
    .err()
    .expect("an unknown name");
    let d = err
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E0201)
        .expect("E0201");
    assert!(d.message.contains("`2b`"), "{}", d.message);
    assert!(!d.message.contains("``"), "{}", d.message);
}

#[test]
fn the_formatter_keeps_quoted_names() {
    let messy = "region   `1a`{cores:4 core}\nconstraint pin:x[ `1a` ]>=2\n";
    let once = archc::fmt::format_source(messy).expect("formats");
    assert!(once.contains("region `1a` {"), "{once}");
    assert!(once.contains("x[`1a`] >= 2"), "{once}");
    let twice = archc::fmt::format_source(&once).expect("formats again");
    assert_eq!(once, twice);
}

#[test]
fn an_unterminated_quoted_name_is_a_syntax_error() {
    let err = archc::compile_source(
        "open.arch",
        "decide x: int >= 0\nconstraint c: x[`1a] >= 2\n",
        None,
    )
    .err()
    .expect("a syntax error");
    let d = err
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E0106)
        .expect("E0106");
    assert!(d.help.is_some());
    assert!(!d.labels.is_empty());
}
