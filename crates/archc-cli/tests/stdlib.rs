//! The standard library: every module compiles when used, and every module's example model
//! (stdlib/examples) solves, meets its `test` expectations and matches its snapshot.

use archc::analysis::AnalyzeOptions;
use archc::driver::analyze_source;
use std::path::Path;

#[test]
fn every_module_compiles_when_used() {
    for name in archc::stdlib::module_names() {
        let text = format!("use {name}\nregion a {{}}\n");
        let a = analyze_source(
            "use.arch",
            &text,
            None,
            &AnalyzeOptions {
                instantiate: true,
                ..Default::default()
            },
        );
        let errors: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        assert!(errors.is_empty(), "`use {name}` gives errors: {errors:?}");
    }
}

#[test]
fn every_module_has_an_example_that_passes() {
    let root = archc_root().join("stdlib");
    for (name, _) in archc::stdlib::MODULES {
        if *name == "infra" {
            // std.infra is used by every other example.
            continue;
        }
        let example = root.join("examples").join(format!("{name}.arch"));
        assert!(
            example.exists(),
            "std.{name} has no example at {}",
            example.display()
        );
        for kind in archc::solve::SolverKind::enabled() {
            let r = archc_cli::modeltest::run_model_with(&example, false, Some(kind));
            assert!(
                r.passed,
                "stdlib/examples/{name}.arch failed with {}:\n{}",
                kind.name(),
                r.messages.join("\n")
            );
            assert!(
                r.expectations > 0,
                "stdlib/examples/{name}.arch has no expectations"
            );
        }
    }
}

#[test]
fn every_module_documents_itself() {
    for (name, text) in archc::stdlib::MODULES {
        assert!(
            text.trim_start().starts_with("///"),
            "std.{name} starts without a doc comment"
        );
        let templates = text.matches("\ntemplate ").count() + text.matches("\nkind ").count();
        let documented = text.matches("///").count();
        assert!(
            documented > templates,
            "std.{name}: every template or kind needs a doc comment"
        );
    }
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}
