//! Things that are written in several places and must agree (the lexicon has its own file,
//! `tests/lexicon.rs`):
//!
//! - Every `--flag` that a diagnostic's help or a code's explanation names is a flag of some
//!   `archc` command, and the size-limit flags reach the model's expansion.
//! - No diagnostic points into `<prelude>`, a file the user cannot open.
//! - The summary line after the diagnostics of `archc check`, `solve` and `emit` counts them.
//! - Every test file is built: a module of `tests/cli.rs` or a `[[test]]` of its own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// ------------------------------------------------------------------------- help texts

/// The arguments of every `.help(...)` call in a Rust source (balanced parentheses, string
/// literals skipped over).
fn help_call_arguments(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (start, _) in source.match_indices(".help(") {
        let rest = &source[start + ".help(".len()..];
        let mut depth = 1;
        let mut in_str = false;
        let mut escaped = false;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            if in_str {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_str = true,
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push(rest[..end].to_string());
    }
    out
}

/// The `--flag` words of a text.
fn flags_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (i, _) in text.match_indices("--") {
        let before_ok = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'-');
        let word: String = text[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .collect();
        let word = word.trim_end_matches('-');
        if before_ok && word.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.push(format!("--{word}"));
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every long flag of every `archc` command.
fn cli_flags() -> BTreeSet<String> {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, out: &mut BTreeSet<String>) {
        for a in cmd.get_arguments() {
            if let Some(long) = a.get_long() {
                out.insert(format!("--{long}"));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&archc_cli::Cli::command(), &mut out);
    out
}

/// Cargo's flags, named when a text says to rebuild archc with a solver.
const CARGO_FLAGS: &[&str] = &["--features"];

#[test]
fn every_flag_named_in_a_help_or_an_explanation_exists() {
    let known = cli_flags();
    let mut texts: Vec<(String, String)> = Vec::new();
    for info in archc::diagnostics::codes::all() {
        texts.push((
            format!("explanation of {}", info.code),
            info.explanation.to_string(),
        ));
        texts.push((format!("title of {}", info.code), info.title.to_string()));
    }
    let mut files = Vec::new();
    rust_files(&repo_root().join("crates/archc/src"), &mut files);
    assert!(files.len() > 50, "{files:?}");
    for f in &files {
        let source = std::fs::read_to_string(f).unwrap_or_default();
        for arg in help_call_arguments(&source) {
            texts.push((format!(".help(...) in {}", f.display()), arg));
        }
    }
    let mut named = BTreeSet::new();
    let mut unknown = Vec::new();
    for (place, text) in &texts {
        for flag in flags_in(text) {
            named.insert(flag.clone());
            let cargo = CARGO_FLAGS.contains(&flag.as_str())
                && (text.contains("cargo") || text.contains("rebuild"));
            if !known.contains(&flag) && !cargo {
                unknown.push(format!("{flag} in {place}"));
            }
        }
    }
    // The scan finds the flags it must (so an empty scan cannot pass).
    for flag in ["--max-columns", "--solver", "--backend", "--time-limit"] {
        assert!(
            named.contains(flag),
            "{flag} not found in any text: {named:?}"
        );
    }
    assert!(
        unknown.is_empty(),
        "flags that no command has:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn the_flag_scanner_finds_flags_and_only_flags() {
    assert_eq!(
        flags_in("raise the limit (--max-columns / --max-rows), or `--solver highs`"),
        vec!["--max-columns", "--max-rows", "--solver"]
    );
    assert!(flags_in("a -- b, x--y, ---, --9").is_empty());
    assert_eq!(
        help_call_arguments(r#"d.help(format!("a (`--b`) {}", f(x))).note("--c")"#),
        vec![r#"format!("a (`--b`) {}", f(x))"#]
    );
}

// ------------------------------------------------------------------------- the prelude

fn snapshot_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            snapshot_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "snap") {
            out.push(p);
        }
    }
}

#[test]
fn no_snapshot_points_into_the_prelude() {
    let mut snaps = Vec::new();
    snapshot_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
        &mut snaps,
    );
    let fixtures = snaps
        .iter()
        .filter(|p| p.to_string_lossy().contains("fixtures__"))
        .count();
    assert!(
        fixtures > 40,
        "expected the fixture snapshots, found {fixtures}"
    );
    let offending: Vec<String> = snaps
        .iter()
        .filter(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_default()
                .contains(archc::resolve::prelude::NAME)
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        offending.is_empty(),
        "snapshots that point into the prelude: {offending:?}"
    );
}

#[test]
fn redeclared_link_ends_are_reported_on_the_users_declaration() {
    let text = "kind node {}\nkind link { src: node, dst: node }\n";
    let a = archc::driver::analyze_source("m.arch", text, None, &Default::default());
    let prelude = archc::resolve::prelude::file(&a.sources).expect("the prelude is loaded");
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == archc::diagnostics::Code::E0202)
        .expect("an E0202");
    assert!(d.message.contains("built in"), "{}", d.message);
    let primary = d.primary_span().expect("a primary label");
    assert_eq!(
        &text[primary.start as usize..primary.end as usize],
        "src: node"
    );
    assert!(d
        .help
        .as_deref()
        .is_some_and(|h| h.contains("kind wire { src: node, dst: node }")));
    assert!(a
        .diagnostics
        .iter()
        .all(|d| d.labels.iter().all(|l| l.span.file != prelude)));
}

// ------------------------------------------------------------------------- summary line

fn archc(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run archc");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// (errors, warnings) as `archc check --format json` reports them.
fn json_counts(file: &str) -> (usize, usize) {
    let (stdout, _) = archc(&["check", "--format", "json", file]);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON diagnostics");
    let sev = |s: &str| {
        v.as_array()
            .map(|a| a.iter().filter(|d| d["severity"] == s).count())
            .unwrap_or(0)
    };
    (sev("error"), sev("warning"))
}

fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

#[test]
fn check_solve_and_emit_end_their_diagnostics_with_a_count() {
    let files = [
        fixture("data/err/too_many.arch"),
        fixture("names/err/unknown_name.arch"),
        fixture("names/err/missing_use_infra.arch"),
    ];
    for file in &files {
        let (errors, warnings) = json_counts(file);
        assert!(errors > 0, "{file} has errors");
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let expected = if warnings == 0 {
            format!("error: {}", plural(errors, "error"))
        } else {
            format!(
                "error: {}, {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            )
        };
        let rendered_errors = |stderr: &str| {
            stderr
                .lines()
                .filter(|l| l.trim_start().starts_with('×'))
                .count()
        };
        for args in [
            vec!["check", file.as_str()],
            vec!["solve", file.as_str()],
            vec!["emit", "--ir", file.as_str()],
        ] {
            let (_, stderr) = archc(&args);
            assert_eq!(last_line(&stderr), expected, "archc {args:?}:\n{stderr}");
            assert_eq!(
                rendered_errors(&stderr),
                errors,
                "archc {args:?}:\n{stderr}"
            );
        }
    }
    // Warnings only: a warning summary, and the file still checks.
    let file = fixture("data/ok/unknown_column.arch");
    let (errors, warnings) = json_counts(&file);
    assert_eq!(errors, 0);
    assert!(warnings > 0);
    let (_, stderr) = archc(&["check", &file]);
    let summary = format!(
        "warning: {warnings} warning{}",
        if warnings == 1 { "" } else { "s" }
    );
    assert!(stderr.lines().any(|l| l == summary), "{stderr}");
}

#[test]
fn a_clean_model_prints_no_summary() {
    let file = repo_root()
        .join("examples/placement/global.arch")
        .display()
        .to_string();
    let (_, stderr) = archc(&["check", &file]);
    assert!(
        !stderr.contains("error:") && !stderr.contains("warning:"),
        "{stderr}"
    );
}

// ------------------------------------------------------------------------- size limits

#[test]
fn the_size_limit_flags_reach_the_model_expansion() {
    let file = repo_root()
        .join("examples/placement/global.arch")
        .display()
        .to_string();
    for flag in ["--max-columns", "--max-rows", "--max-nonzeros"] {
        for cmd in [vec!["check"], vec!["solve"], vec!["emit", "--ir"]] {
            let mut args = cmd.clone();
            args.extend([flag, "1", file.as_str()]);
            let (_, stderr) = archc(&args);
            assert!(stderr.contains("E0604"), "archc {args:?}:\n{stderr}");
        }
    }
    // Generous limits change nothing.
    let (_, stderr) = archc(&["check", "--max-columns", "100000000", &file]);
    assert!(!stderr.contains("E0604"), "{stderr}");
}

// ------------------------------------------------------------------------- test files

/// The crate lists its test targets (`autotests = false`), so a new file in `tests/` runs
/// only once it is declared: as a module of the one test binary (`tests/cli.rs`), or as a
/// `[[test]]` of its own in Cargo.toml.
#[test]
fn every_test_file_is_built() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cli = std::fs::read_to_string(dir.join("tests/cli.rs")).expect("tests/cli.rs");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    let mut files = 0;
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(dir.join("tests")).expect("tests/") {
        let path = entry.expect("tests/ entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if stem == "cli" {
            continue;
        }
        files += 1;
        let module = cli.lines().any(|l| l.trim() == format!("mod {stem};"));
        let target = manifest.contains(&format!("path = \"tests/{stem}.rs\""));
        if !module && !target {
            missing.push(stem);
        }
    }
    assert!(files > 40, "found only {files} test files");
    assert!(
        missing.is_empty(),
        "test files that no test target builds (add `mod NAME;` to tests/cli.rs): {missing:?}"
    );
}
