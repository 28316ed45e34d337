//! `archc check FILE...`: diagnostics only (data files are loaded and the model expanded,
//! so data errors are found too).

use super::{exit, Format, LimitArgs};
use archc::analysis::{analyze, AnalyzeOptions};
use std::path::PathBuf;

pub fn run(files: &[PathBuf], format: Format, limits: &LimitArgs) -> i32 {
    if files.is_empty() {
        eprintln!("error: no files given (usage: archc check FILE...)");
        return exit::USAGE;
    }
    let mut code = exit::OK;
    let mut json = Vec::new();
    for f in files {
        let a = analyze(
            f,
            &AnalyzeOptions {
                instantiate: true,
                limits: Some(limits.limits()),
                max_file_size: limits.max_file_size,
                ..Default::default()
            },
        );
        if a.has_errors() {
            code = exit::MODEL_ERROR;
        }
        match format {
            Format::Text => {
                super::print_diagnostics(&a);
                if !a.has_errors() {
                    let (cols, rows) = a
                        .instance
                        .as_ref()
                        .map(|i| (i.model.num_columns(), i.model.num_rows()))
                        .unwrap_or((0, 0));
                    let warnings = a.diagnostics.len();
                    eprintln!(
                        "{}: ok ({} columns, {} rows{})",
                        f.display(),
                        archc::units::format_number(cols as f64),
                        archc::units::format_number(rows as f64),
                        if warnings > 0 {
                            format!(", {warnings} warnings")
                        } else {
                            String::new()
                        }
                    );
                }
            }
            Format::Json => {
                for d in &a.diagnostics {
                    json.push(archc::diagnostics::render::to_json(d, &a.sources));
                }
            }
        }
    }
    if format == Format::Json {
        match serde_json::to_string_pretty(&json) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::IO;
            }
        }
    }
    code
}
