//! `archc fmt FILES [--check]`: format files in place, or list those that would change.

use archc::diagnostics::Diagnostic;
use archc::fmt::format_source;
use std::path::PathBuf;

/// Format files in place, or with `check` list those that would change. Returns the exit
/// code: 0 when all is well, 1 when a file would change (`check`) or has syntax errors, 2
/// when a file cannot be read or written.
pub fn run(paths: &[PathBuf], check: bool) -> i32 {
    let mut code = 0;
    for path in paths {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                code = 2;
                continue;
            }
        };
        match format_source(&text) {
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                if check {
                    println!("{}", path.display());
                    code = code.max(1);
                } else if let Err(e) = std::fs::write(path, formatted) {
                    eprintln!("error: cannot write `{}`: {e}", path.display());
                    code = 2;
                }
            }
            Err(diags) => {
                let mut sources = archc::source::SourceMap::new();
                let id = sources.add(path.display().to_string(), Some(path.clone()), text);
                let diags: Vec<Diagnostic> = diags
                    .into_iter()
                    .map(|mut d| {
                        for l in &mut d.labels {
                            l.span.file = id;
                        }
                        d
                    })
                    .collect();
                for d in &diags {
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
                code = code.max(1);
            }
        }
    }
    code
}
