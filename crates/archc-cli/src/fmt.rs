//! `archc fmt PATH... [--check]`: format files in place (atomically: the original stays
//! whole on any error), or list those that would change. Directories are walked for `.arch`
//! files; `-` formats stdin to stdout.

use crate::exit;
use crate::inputs::{expand, read_stdin, report_unreadable, Input, STDIN_NAME};
use archc::diagnostics::Diagnostic;
use archc::fmt::format_source;
use std::path::{Path, PathBuf};

/// Format files in place, or with `check` list those that would change. Returns the exit
/// code: 0 when all is well, 1 when a file would change (`check`), has syntax errors or
/// cannot be read, 8 when a file cannot be written.
pub fn run(paths: &[PathBuf], check: bool) -> i32 {
    if paths.is_empty() {
        eprintln!("error: no files given (usage: archc fmt PATH...)");
        return exit::USAGE;
    }
    let (inputs, all_found) = expand(paths);
    let mut code = if all_found {
        exit::OK
    } else {
        exit::MODEL_ERROR
    };
    for input in inputs {
        let c = match input {
            Input::Stdin => format_stdin(check),
            Input::File(path) => format_file(&path, check),
        };
        code = code.max(c);
    }
    code
}

/// `-`: the formatted text on stdout (with `check`, only the exit code says whether it
/// would change).
fn format_stdin(check: bool) -> i32 {
    let text = match read_stdin() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read stdin: {e}");
            return exit::MODEL_ERROR;
        }
    };
    match format_source(&text) {
        Ok(formatted) if check => i32::from(formatted != text),
        Ok(formatted) => match crate::output::write_stdout(&formatted) {
            Ok(()) => exit::OK,
            Err(c) => c,
        },
        Err(diags) => {
            report_syntax_errors(Path::new(STDIN_NAME), &text, diags);
            exit::MODEL_ERROR
        }
    }
}

fn format_file(path: &Path, check: bool) -> i32 {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            report_unreadable(path, &e);
            return exit::MODEL_ERROR;
        }
    };
    match format_source(&text) {
        Ok(formatted) if formatted == text => exit::OK,
        Ok(_) if check => match crate::output::write_stdout(&format!("{}\n", path.display())) {
            Ok(()) => exit::MODEL_ERROR,
            Err(c) => c,
        },
        Ok(formatted) => match crate::output::write_file(path, &formatted) {
            Ok(()) => exit::OK,
            Err(c) => c,
        },
        Err(diags) => {
            report_syntax_errors(path, &text, diags);
            exit::MODEL_ERROR
        }
    }
}

fn report_syntax_errors(path: &Path, text: &str, diags: Vec<Diagnostic>) {
    let mut sources = archc::source::SourceMap::new();
    let id = sources.add(
        path.display().to_string(),
        Some(path.to_path_buf()),
        text.to_string(),
    );
    for mut d in diags {
        for l in &mut d.labels {
            l.span.file = id;
        }
        let (line, col) = d
            .primary_span()
            .map(|s| archc::span::line_col(sources.text(id), s.start as usize))
            .unwrap_or((1, 1));
        eprintln!(
            "error[{}]: {} ({}:{line}:{col})",
            d.code,
            d.message,
            path.display()
        );
    }
    eprintln!(
        "error: `{}` has syntax errors; not formatted",
        path.display()
    );
}
