//! Fixture-driven snapshot tests of the front end.
//!
//! Every `tests/fixtures/<phase>/{ok,err}/*.arch` file is analysed (parsed, checked and
//! instantiated over its data); its source and its rendered diagnostics go into one insta
//! snapshot named after the path (`cli__fixtures__types__err__swapped_indices.snap`). Files in
//! `ok/` must give no error, files in `err/` at least one. Helper files that a fixture uses
//! (`use "cycle/a.arch"`, data files) live in subfolders and are not fixtures themselves.
//!
//! A second test checks coverage: every registered code of the front-end ranges (E01xx to
//! E06xx, W05xx) is produced by some `err/` fixture, and every code has an explanation.

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::diagnostics::render::render_plain;
use archc::driver::analyze_source;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const PHASES: &[&str] = &["syntax", "names", "types", "units", "data", "lowering"];

/// Codes that no model file can produce, with the reason.
const UNREACHABLE: &[(&str, &str)] = &[
    (
        "E0222",
        "raised for the `--set` flag, not by a model file: tests/data_sets.rs covers it",
    ),
    (
        "E0223",
        "raised for the `--set` flag, not by a model file: tests/data_sets.rs covers it",
    ),
    (
        "E0255",
        "raised for the `--partition` flag, not by a model file: tests/scale.rs covers it",
    ),
    (
        "E0660",
        "raised when a solve splits the set (`--partition` or the model's `partition`), not by checking a model file: tests/scale.rs covers it",
    ),
    (
        "E0661",
        "raised for `--backend search`, not by a model file: tests/scale.rs covers it",
    ),
    (
        "E0580",
        "raised by `archc merge` for a shard file, not by a model file: tests/scale.rs covers it",
    ),
    (
        "E0586",
        "raised for the `--start` flag, not by a model file: tests/warm_start.rs covers it",
    ),
    (
        "E0587",
        "raised for the `--start` flag, not by a model file: tests/warm_start.rs covers it",
    ),
    (
        "E0588",
        "raised for the `--start` flag, not by a model file: tests/warm_start.rs covers it",
    ),
    (
        "E0589",
        "raised for the `--start` flag, not by a model file: tests/warm_start.rs covers it",
    ),
    (
        "E0104",
        "internal parser error: only raised when the grammar and the AST builder disagree",
    ),
    (
        "E0610",
        "reported by the dynamic-programming backend while solving a plan, not by analysis",
    ),
    (
        "E0611",
        "reported by the dynamic-programming backend while solving a plan, not by analysis",
    ),
    (
        "E0612",
        "reported by the dynamic-programming backend while solving a plan, not by analysis",
    ),
    (
        "E0618",
        "needs `--backend dp` (with auto, an unsupported DP construct falls back to MILP)",
    ),
    (
        "E0619",
        "needs `--backend dp`; fixtures are analysed with the automatic backend choice",
    ),
    (
        "E0620",
        "reported by `archc test` while evaluating an expectation on a solution",
    ),
    (
        "E0565",
        "raised by `archc risk --plan` for the plan file, not by a model file: tests/risk_command.rs covers it",
    ),
    (
        "E0566",
        "raised by `archc risk --plan` for the plan file, not by a model file: tests/risk_command.rs covers it",
    ),
    (
        "E0567",
        "raised by `archc risk --plan` for the plan file, not by a model file: tests/risk_command.rs covers it",
    ),
    (
        "E0642",
        "raised by `archc risk` (and `--scenarios`), not by analysis: tests/risk_command.rs covers it",
    ),
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture file, as a path relative to `tests/fixtures`, sorted.
fn fixture_files() -> Vec<PathBuf> {
    let root = fixtures_dir();
    let mut out = Vec::new();
    for phase in PHASES {
        for outcome in ["ok", "err"] {
            let dir = root.join(phase).join(outcome);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_file() && path.extension().is_some_and(|e| e == "arch") {
                    out.push(
                        path.strip_prefix(&root)
                            .expect("fixture under the root")
                            .to_path_buf(),
                    );
                }
            }
        }
    }
    out.sort();
    out
}

/// What a fixture's analysis produced.
struct Outcome {
    has_errors: bool,
    instantiated: bool,
    codes: Vec<&'static str>,
    rendered: String,
}

/// Analyse on a thread with the stack of a program's main thread (8 MiB), as the CLI does;
/// the default test-thread stack (2 MiB) is too small for the recursive front end in debug
/// builds.
fn analyse(rel: &Path) -> Outcome {
    let rel = rel.to_path_buf();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let a = analyse_here(&rel);
            Outcome {
                has_errors: a.has_errors(),
                instantiated: a.instance.is_some(),
                codes: a.diagnostics.iter().map(|d| d.code.as_str()).collect(),
                rendered: rendered(&a),
            }
        })
        .expect("spawn analysis thread")
        .join()
        .expect("analysis panicked")
}

fn analyse_here(rel: &Path) -> Analysis {
    let root = fixtures_dir();
    let text = std::fs::read_to_string(root.join(rel)).expect("fixture is readable");
    let name = rel.to_string_lossy().replace('\\', "/");
    let max_file_size = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// max-file-size:"))
        .map(|n| {
            n.trim()
                .parse()
                .expect("`// max-file-size: BYTES` takes a number")
        });
    analyze_source(
        &name,
        &text,
        Some(&root),
        &AnalyzeOptions {
            instantiate: true,
            max_file_size,
            ..Default::default()
        },
    )
}

/// The rendered diagnostics, with the absolute fixture folder removed so that snapshots
/// do not depend on where the repository lives.
fn rendered(a: &Analysis) -> String {
    let root = format!("{}/", fixtures_dir().display());
    let mut out = String::new();
    for d in &a.diagnostics {
        out.push_str(&render_plain(d, &a.sources, 100).replace(&root, ""));
        out.push('\n');
    }
    out
}

fn snapshot_name(rel: &Path) -> String {
    rel.with_extension("")
        .to_string_lossy()
        .replace(['/', '\\'], "__")
}

#[test]
fn fixtures_snapshot() {
    let files = fixture_files();
    assert!(
        files.len() >= 40,
        "expected the fixture tree, found {files:?}"
    );
    let mut failures = Vec::new();
    for rel in &files {
        let a = analyse(rel);
        let expect_err = rel.components().any(|c| c.as_os_str() == "err");
        if expect_err && !a.has_errors {
            failures.push(format!("{}: expected an error, got none", rel.display()));
        }
        if !expect_err && a.has_errors {
            failures.push(format!(
                "{}: expected no error, got:\n{}",
                rel.display(),
                a.rendered
            ));
        }
        if !expect_err && !a.instantiated {
            failures.push(format!("{}: was not instantiated", rel.display()));
        }
        let source = std::fs::read_to_string(fixtures_dir().join(rel)).unwrap_or_default();
        let diags = a.rendered;
        let body = format!(
            "{source}\n----- diagnostics -----\n{}",
            if diags.is_empty() { "(none)\n" } else { &diags }
        );
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(true);
        settings.set_input_file(fixtures_dir().join(rel));
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(snapshot_name(rel), body));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_front_end_code_has_an_err_fixture() {
    let mut produced = BTreeSet::new();
    // `ok/` fixtures have no errors, so they contribute warnings only.
    for rel in fixture_files() {
        produced.extend(analyse(&rel).codes);
    }
    let skipped: BTreeSet<&str> = UNREACHABLE.iter().map(|(c, _)| *c).collect();
    let mut missing = Vec::new();
    for info in archc::diagnostics::codes::all() {
        let front_end = ["E01", "E02", "E03", "E04", "E05", "E06", "W05"]
            .iter()
            .any(|p| info.code.as_str().starts_with(p));
        if !front_end || produced.contains(info.code.as_str()) {
            continue;
        }
        if !skipped.contains(info.code.as_str()) {
            missing.push(format!("{} ({})", info.code, info.title));
        }
    }
    assert!(
        missing.is_empty(),
        "codes with no err fixture: {}",
        missing.join(", ")
    );
}

#[test]
fn every_code_has_an_explanation() {
    let all = archc::diagnostics::codes::all();
    assert!(!all.is_empty());
    let mut seen = BTreeSet::new();
    for info in all {
        assert!(seen.insert(info.code), "{} is registered twice", info.code);
        assert!(
            !info.title.trim().is_empty(),
            "{} has an empty title",
            info.code
        );
        assert!(
            info.explanation.trim().len() >= 40,
            "{} has no real explanation: {:?}",
            info.code,
            info.explanation
        );
    }
}

#[test]
fn unreachable_codes_are_registered() {
    for (code, why) in UNREACHABLE {
        assert!(
            archc::diagnostics::codes::lookup(code).is_some(),
            "{code} is listed as unreachable ({why}) but is not a registered code"
        );
    }
}
