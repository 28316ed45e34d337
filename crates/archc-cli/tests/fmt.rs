//! The formatter over every `.arch` file of the project (examples, standard library, test
//! fixtures, docs models and the formatter's own samples): formatting is idempotent, changes
//! nothing but whitespace, and does not change the compiled model. A messy sample's
//! formatted text is snapshotted.

use archc::diagnostics::Code;
use archc::fmt::{essential_tokens, format_source};
use std::path::{Path, PathBuf};

fn arch_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            arch_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "arch") {
            out.push(p);
        }
    }
}

fn all_files() -> Vec<PathBuf> {
    let root = archc_root();
    let mut files = Vec::new();
    for dir in [
        "examples",
        "stdlib",
        "crates/archc-cli/tests/fixtures",
        "crates/archc-cli/tests/fmt_samples",
        "docs/examples",
    ] {
        arch_files(&root.join(dir), &mut files);
    }
    files.sort();
    files
}

#[test]
fn formatting_is_idempotent_and_only_changes_whitespace() {
    let files = all_files();
    let mut formatted_count = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        // Files with syntax errors (error fixtures) are refused, not formatted.
        let once = match format_source(&text) {
            Ok(f) => f,
            Err(d) => {
                // The formatter's own samples must all parse.
                assert!(
                    !path.to_string_lossy().contains("fmt_samples"),
                    "{}: {d:?}",
                    path.display()
                );
                continue;
            }
        };
        formatted_count += 1;
        assert_eq!(
            essential_tokens(&text),
            essential_tokens(&once),
            "formatting changed more than whitespace in {}",
            path.display()
        );
        let twice = format_source(&once)
            .unwrap_or_else(|d| panic!("formatted {} does not parse: {d:?}", path.display()));
        assert_eq!(
            once,
            twice,
            "formatting {} is not idempotent",
            path.display()
        );
        assert!(
            once.is_empty() || once.ends_with('\n') && !once.ends_with("\n\n"),
            "{}",
            path.display()
        );
        assert!(
            once.lines().all(|l| l == l.trim_end()),
            "trailing whitespace in {}",
            path.display()
        );
        assert!(
            !once.contains("\n\n\n"),
            "more than one blank line in {}",
            path.display()
        );
    }
    assert!(
        formatted_count >= 4,
        "expected the formatter's samples at least, found {formatted_count}"
    );
}

/// What analysis makes of a model: its diagnostics' codes, the backend and its reason, and
/// the text dump of the instantiated model (columns, rows, coefficients, objective).
fn compiled(a: &archc::analysis::Analysis) -> (Vec<String>, String, String) {
    let codes = a.diagnostics.iter().map(|d| d.code.to_string()).collect();
    let ir = a
        .instance
        .as_ref()
        .map(|i| archc::ir::dump::dump(&i.model))
        .unwrap_or_default();
    (codes, a.backend_reason.clone(), ir)
}

#[test]
fn formatting_keeps_the_compiled_model() {
    use archc::analysis::AnalyzeOptions;
    use archc::driver::analyze;
    let options = AnalyzeOptions {
        instantiate: true,
        ..Default::default()
    };
    let mut compared = 0;
    let mut with_model = 0;
    for path in all_files() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let Ok(formatted) = format_source(&text) else {
            continue;
        };
        let before = analyze(&path, &options);
        // The formatted text stands in for the file, as an editor's unsaved buffer does.
        let mut overlay = options.clone();
        overlay.overlays.insert(path.clone(), formatted);
        let after = analyze(&path, &overlay);
        let (b, a) = (compiled(&before), compiled(&after));
        assert_eq!(b.0, a.0, "diagnostics changed in {}", path.display());
        assert_eq!(b.1, a.1, "backend changed in {}", path.display());
        assert!(
            b.2 == a.2,
            "the compiled model changed in {}",
            path.display()
        );
        compared += 1;
        with_model += usize::from(!b.2.is_empty() && !b.2.starts_with("columns: 0 "));
    }
    assert!(compared > 100, "only {compared} files compared");
    assert!(
        with_model > 30,
        "only {with_model} files compiled to a model"
    );
}

#[test]
fn messy_sample() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fmt_samples/messy.arch");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let formatted =
        format_source(&text).unwrap_or_else(|d| panic!("messy.arch does not parse: {d:?}"));
    insta::assert_snapshot!("messy", formatted);
}

#[test]
fn samples_format_to_themselves_where_already_canonical() {
    // `templates.arch` is written in the canonical layout.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fmt_samples/templates.arch");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(format_source(&text).ok().as_deref(), Some(text.as_str()));
}

#[test]
fn syntax_errors_are_returned_not_formatted() {
    let diags = format_source("param hours: h = \nconstraint fit[r in regions] x\n")
        .err()
        .unwrap_or_default();
    assert!(diags.iter().any(|d| d.code == Code::E0101), "{diags:?}");
}

#[test]
fn cli_check_and_write() {
    let dir = std::env::temp_dir().join(format!("archc-fmt-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let file = dir.join("m.arch");
    std::fs::write(&file, "param   a :int=1\n").unwrap_or_default();
    let bin = env!("CARGO_BIN_EXE_archc");
    let check = std::process::Command::new(bin)
        .args(["fmt", "--check"])
        .arg(&file)
        .output();
    let check = check.map(|o| {
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    });
    assert!(
        matches!(&check, Ok((Some(1), out)) if out.contains("m.arch")),
        "{check:?}"
    );
    let write = std::process::Command::new(bin)
        .arg("fmt")
        .arg(&file)
        .status();
    assert!(write.is_ok_and(|s| s.success()));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap_or_default(),
        "param a: int = 1\n"
    );
    let again = std::process::Command::new(bin)
        .args(["fmt", "--check"])
        .arg(&file)
        .status();
    assert!(again.is_ok_and(|s| s.success()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}
