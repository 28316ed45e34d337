//! How `archc solve` writes its report: `--format text|json|csv|html` to stdout or `--out`
//! (a folder for CSV: one file per decision), `--report PATH` for an HTML page besides, and
//! `--zeros` to list zero values in JSON. Output paths are checked before the solve.

use super::exit;
use crate::output::{check_writable, is_input, write_atomic, WriteError};
use crate::solve::SolveArgs;
use archc::analysis::Analysis;
use archc::report::Report;
use std::path::{Path, PathBuf};

/// `--format` of `archc solve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned tables for a terminal.
    Text,
    /// The JSON schema `archc.solution/1`.
    Json,
    /// Long-format CSV: one file per decision, in the `--out` folder.
    Csv,
    /// A self-contained HTML page with plots.
    Html,
}

/// An explanation for the report.
pub enum Explained {
    /// Text appended to the tables (`--explain`).
    Text(String),
    /// The JSON `explanation`.
    Json(serde_json::Value),
    /// Why a model has no plan, shown in the HTML report (the diagnostics themselves went
    /// to stderr).
    Why(String),
}

/// Check before the solve that every output can be written: `--out` (a folder for CSV),
/// `--log` and `--report`.
pub fn check_outputs(args: &SolveArgs, inputs: &[PathBuf]) -> Result<(), i32> {
    let fail = |e: WriteError| {
        eprintln!("error: {e}");
        exit::IO
    };
    if args.format == ReportFormat::Csv {
        if let Some(dir) = &args.out {
            if dir.exists() && !dir.is_dir() {
                eprintln!(
                    "error: `--format csv` writes one file per decision: `{}` must be a folder",
                    dir.display()
                );
                return Err(exit::USAGE);
            }
        }
    } else if let Some(p) = &args.out {
        check_writable(p, inputs, args.force).map_err(fail)?;
    }
    for p in [&args.log, &args.report].into_iter().flatten() {
        check_writable(p, inputs, args.force).map_err(fail)?;
    }
    Ok(())
}

/// Print or write the report in its format, with an explanation when there is one, and the
/// HTML report when `--report` asks for it.
pub fn emit(
    args: &SolveArgs,
    a: &Analysis,
    report: &Report,
    explained: Option<Explained>,
) -> Result<(), i32> {
    let mut report = report.clone();
    describe(a, &mut report);
    emit_described(
        args,
        report,
        explained,
        &crate::output::inputs_of(&a.sources),
    )
}

/// Name the index sets of `report`'s decisions and rows from the model (a report built by
/// the core names index variables only).
pub fn describe(a: &Analysis, report: &mut Report) {
    if let (Some(schema), Some(inst)) = (a.schema.as_ref(), a.instance.as_ref()) {
        archc::report::describe::describe(report, schema, inst);
    }
}

/// [`emit`] for a report already described.
pub fn emit_described(
    args: &SolveArgs,
    mut report: Report,
    explained: Option<Explained>,
    inputs: &[std::path::PathBuf],
) -> Result<(), i32> {
    if let Some(Explained::Why(text)) = &explained {
        report.explanation = Some(text.clone());
    }
    if let Some(path) = &args.report {
        crate::output::write_file(path, &archc::report::html::render(&report))?;
    }
    let text = match args.format {
        ReportFormat::Text => {
            let mut t = archc::report::table::render_width(&report, super::width());
            if let Some(Explained::Text(more)) = &explained {
                t.push('\n');
                t.push_str(more);
            }
            t
        }
        ReportFormat::Json => {
            if args.zeros {
                report.include_zeros();
            }
            json(&report, explained)?
        }
        ReportFormat::Html => archc::report::html::render(&report),
        ReportFormat::Csv => return csv(args, inputs, &report),
    };
    match &args.out {
        Some(p) => crate::output::write_file(p, &text),
        None => crate::output::write_stdout(&text),
    }
}

fn json(report: &Report, explained: Option<Explained>) -> Result<String, i32> {
    let mut value = serde_json::to_value(report).map_err(|e| {
        eprintln!("error: {e}");
        exit::IO
    })?;
    if let (Some(Explained::Json(x)), serde_json::Value::Object(map)) = (explained, &mut value) {
        map.insert("explanation".into(), x);
    }
    serde_json::to_string_pretty(&value)
        .map(|s| s + "\n")
        .map_err(|e| {
            eprintln!("error: {e}");
            exit::IO
        })
}

/// CSV: into the `--out` folder, one file per decision (created if missing); to stdout only
/// when there is exactly one file to write.
fn csv(args: &SolveArgs, inputs: &[std::path::PathBuf], report: &Report) -> Result<(), i32> {
    let files = archc::report::csv::files(report);
    let Some(dir) = &args.out else {
        return match files.as_slice() {
            [one] => crate::output::write_stdout(&one.text),
            [] => {
                eprintln!("error: the model has no decision to write as CSV");
                Err(exit::USAGE)
            }
            _ => {
                let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
                eprintln!(
                    "error: `--format csv` writes one file per decision ({}): give a folder with `--out DIR`",
                    names.join(", ")
                );
                Err(exit::USAGE)
            }
        };
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create the folder `{}`: {e}", dir.display());
        return Err(exit::IO);
    }
    for f in &files {
        let path = dir.join(&f.name);
        write_csv(&path, &f.text, inputs, args.force)?;
    }
    Ok(())
}

fn write_csv(path: &Path, text: &str, inputs: &[PathBuf], force: bool) -> Result<(), i32> {
    if !force && is_input(path, inputs) {
        eprintln!("error: {}", WriteError::IsInput(path.to_path_buf()));
        return Err(exit::IO);
    }
    write_atomic(path, |w| w.write_all(text.as_bytes())).map_err(|e| {
        eprintln!("error: {e}");
        exit::IO
    })
}
