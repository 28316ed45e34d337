//! `archc check PATH...`: diagnostics only (data files are loaded and the model expanded,
//! so data errors are found too). Directories are walked for `.arch` files; `-` is stdin.

use super::{exit, Format, LimitArgs};
use crate::inputs::{analyze_input, expand};
use archc::analysis::AnalyzeOptions;
use std::path::PathBuf;

pub fn run(
    paths: &[PathBuf],
    format: Format,
    limits: &LimitArgs,
    model: &crate::model_args::ModelArgs,
) -> i32 {
    if paths.is_empty() {
        eprintln!("error: no files given (usage: archc check PATH...)");
        return exit::USAGE;
    }
    let (files, all_found) = expand(paths);
    let mut code = if all_found {
        exit::OK
    } else {
        exit::MODEL_ERROR
    };
    let mut json = Vec::new();
    for f in &files {
        let a = match analyze_input(
            f,
            &model.apply(AnalyzeOptions {
                instantiate: true,
                limits: Some(limits.limits()),
                max_file_size: limits.max_file_size,
                ..Default::default()
            }),
        ) {
            Ok(a) => a,
            Err(c) => {
                code = code.max(c);
                continue;
            }
        };
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
            Ok(s) => {
                if let Err(c) = crate::output::write_stdout(&(s + "\n")) {
                    return c;
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return exit::IO;
            }
        }
    }
    code
}
