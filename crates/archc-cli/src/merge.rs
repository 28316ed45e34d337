//! `archc merge MODEL SHARDS...`: combine the plans that `archc solve --shard i/N` wrote for
//! each part of a partitioned model, check that they are the parts of one split of this
//! model and data (E0580 for a file that is no shard plan, E0732 for a mismatch), merge,
//! repair, verify against the full model and report like `archc solve`.

use super::exit;
use crate::inputs::{analyze_input, input_of};
use crate::render::ReportFormat as Format;
use archc::analysis::AnalyzeOptions;
use archc::solve::SolveOptions;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The model file the shards solved parts of.
    #[arg(value_name = "MODEL")]
    pub file: PathBuf,
    /// The shard plans (`archc solve --shard i/N --out FILE`), one per part.
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// Report format: text tables or JSON.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// MILP solver for the repair and the bound.
    #[arg(long, value_enum, env = "ARCHC_SOLVER")]
    pub solver: Option<crate::solve::SolverArg>,
    /// Time limit (seconds) of each repair re-solve and of the bound.
    #[arg(long, value_name = "SECONDS", value_parser = crate::solve::parse_time_limit)]
    pub time_limit: Option<f64>,
    /// Print nothing but the report.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub model: crate::model_args::ModelArgs,
}

pub fn run(args: &MergeArgs) -> i32 {
    let options = args.model.apply(AnalyzeOptions {
        instantiate: true,
        backend: archc::plan::BackendChoice::Milp,
        ..Default::default()
    });
    let a = match analyze_input(&input_of(&args.file), &options) {
        Ok(a) => a,
        Err(code) => return code,
    };
    super::print_diagnostics(&a);
    if a.instance.is_none() || a.has_errors() {
        return exit::MODEL_ERROR;
    }
    let print = |d: &archc::diagnostics::Diagnostic| {
        eprint!(
            "{}",
            archc::diagnostics::render::render_plain(d, &a.sources, super::width())
        );
    };
    let mut files: Vec<(String, String)> = Vec::new();
    for path in &args.shards {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => files.push((name, text)),
            Err(e) => {
                crate::inputs::report_unreadable(path, &e);
                return exit::MODEL_ERROR;
            }
        }
    }
    let opts = SolveOptions {
        solver: args.solver.map(Into::into),
        time_limit: args.time_limit.map(Duration::from_secs_f64),
        ..Default::default()
    };
    let name = input_of(&args.file).display();
    let merged = match archc::partition::embed::merge_shards(&a, &name, &files, &opts) {
        Ok(m) => m,
        Err(d) => {
            print(&d);
            return exit::MODEL_ERROR;
        }
    };
    if !args.quiet {
        crate::scale::summary(&merged.scale);
    }
    let raw = merged.raw;
    let report = merged.report;
    let text = match args.format {
        Format::Json => match serde_json::to_string_pretty(&report) {
            Ok(t) => t + "\n",
            Err(e) => {
                eprintln!("error: cannot write the report as JSON: {e}");
                return exit::IO;
            }
        },
        _ => archc::report::table::render_width(&report, super::width()),
    };
    let written = match &args.out {
        Some(p) => crate::output::write_file(p, &text),
        None => crate::output::write_stdout(&text),
    };
    if let Err(code) = written {
        return code;
    }
    if raw.values.is_empty() {
        eprintln!("error: {}", raw.message);
        return exit::SOLVER_ERROR;
    }
    exit::FEASIBLE
}
