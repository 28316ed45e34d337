//! The `archc` command line: argument parsing and one file per command. Commands print;
//! the library never does.

mod check;
mod emit;
mod explain;
mod fmt;
mod forecast;
mod inputs;
mod merge;
pub mod model_args;
pub mod modeltest;
pub mod output;
mod progress;
mod render;
mod risk;
mod scale;
mod solve;
mod start;
mod stdio;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit codes that scripts can rely on (also listed in the README and docs/cli.md).
pub mod exit {
    /// Success: checked clean, solved to optimality, emitted.
    pub const OK: i32 = 0;
    /// The model has errors (diagnostics were printed), an input file cannot be read, or a
    /// test failed.
    pub const MODEL_ERROR: i32 = 1;
    /// Bad command-line usage.
    pub const USAGE: i32 = 2;
    /// The model is infeasible.
    pub const INFEASIBLE: i32 = 3;
    /// The model is unbounded.
    pub const UNBOUNDED: i32 = 4;
    /// A feasible plan was found but not proven optimal (time limit or gap).
    pub const FEASIBLE: i32 = 5;
    /// The solver failed.
    pub const SOLVER_ERROR: i32 = 6;
    /// The solution failed verification against the model.
    pub const VERIFICATION: i32 = 7;
    /// A file (or stdout) could not be written, or writing would overwrite an input.
    pub const IO: i32 = 8;
    /// The time limit was reached before any plan was found.
    pub const TIME_LIMIT: i32 = 9;
    /// Interrupted (Ctrl-C): the best plan found so far, if any, was reported.
    pub const INTERRUPTED: i32 = 130;
}

/// `--version`: the version, the solvers built in and the default one.
fn version_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let solvers = archc::solve::SolverKind::enabled();
        let names: Vec<&str> = solvers.iter().map(|s| s.name()).collect();
        format!(
            "{}\nsolvers: {} (default: {})",
            env!("CARGO_PKG_VERSION"),
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            },
            names.first().copied().unwrap_or("none")
        )
    })
}

#[derive(Parser, Debug)]
#[command(
    name = "archc",
    version = version_text(),
    about = "Check, solve and explain infrastructure optimisation models written in Arch",
    after_help = "Exit codes: 0 ok, 1 model errors or unreadable input, 2 usage, 3 infeasible, \
                  4 unbounded, 5 feasible (not proven optimal), 6 solver error, \
                  7 verification failed, 8 write error, 9 time limit without a plan, \
                  130 interrupted."
)]
pub struct Cli {
    /// When to colour diagnostics: auto (on a terminal, unless NO_COLOR is set and not
    /// empty), always, never.
    #[arg(long, value_enum, global = true, default_value = "auto")]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// The size limits of the expanded model (E0604 when a declaration would exceed one).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct LimitArgs {
    /// Most columns (decision variables) the expanded model may have [default: 50000000].
    #[arg(long, value_name = "N")]
    pub max_columns: Option<usize>,
    /// Most rows (constraints) the expanded model may have [default: 50000000].
    #[arg(long, value_name = "N")]
    pub max_rows: Option<usize>,
    /// Most nonzero coefficients the expanded model may have [default: 400000000].
    #[arg(long, value_name = "N")]
    pub max_nonzeros: Option<usize>,
    /// Most index tuples one index list (or plan decision range) may enumerate
    /// [default: 100000000].
    #[arg(long, value_name = "N")]
    pub max_index_tuples: Option<u64>,
    /// Largest model, `use`d or data file read, in bytes [default: 1 GiB].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
}

impl LimitArgs {
    /// The core's limits: the defaults, raised or lowered by the flags given.
    pub fn limits(&self) -> archc::instantiate::Limits {
        let default = archc::instantiate::Limits::default();
        archc::instantiate::Limits {
            max_columns: self.max_columns.unwrap_or(default.max_columns),
            max_rows: self.max_rows.unwrap_or(default.max_rows),
            max_nonzeros: self.max_nonzeros.unwrap_or(default.max_nonzeros),
            max_index_tuples: self.max_index_tuples.unwrap_or(default.max_index_tuples),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check models: report every error with its code and span.
    #[command(after_help = "Examples:
  archc check model.arch
  archc check models/              # every .arch file below, .gitignore respected
  archc check --format json model.arch
  cat model.arch | archc check -")]
    Check {
        /// Model files or directories (walked for .arch files); `-` reads a model from stdin.
        #[arg(required = true, value_name = "PATH")]
        files: Vec<PathBuf>,
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        model: model_args::ModelArgs,
    },
    /// Solve a model and print the verified plan.
    #[command(after_help = "Examples:
  archc solve model.arch
  archc solve model.arch --solver highs --time-limit 60 --gap 0.01
  archc solve model.arch --format json --out plan.json
  archc solve model.arch --report plan.html
  archc solve model.arch --format csv --out plan/
  archc solve - < model.arch

Ctrl-C stops the solver and reports the best plan found so far (status `interrupted`);
a second Ctrl-C exits at once.")]
    Solve(solve::SolveArgs),
    /// Merge the shard plans of a partitioned solve, repair, verify and report.
    #[command(after_help = "Examples:
  archc solve model.arch --partition services:8 --shard 3/8 --out part-3.json
  archc merge model.arch part-*.json
  archc merge model.arch part-*.json --format json --out plan.json")]
    Merge(merge::MergeArgs),
    /// Assess a plan over a scenario set: each scenario's loss, ranked, with availability,
    /// expected and worst loss.
    #[command(after_help = "Examples:
  archc risk model.arch
  archc risk model.arch --scenarios \"fail_k(links, 2)\" --top 5
  archc solve model.arch --format json --out plan.json && archc risk model.arch --plan plan.json
  archc risk model.arch --beta 0.99 --format json --threads 2")]
    Risk(risk::RiskArgs),
    /// Print the forecasts a model makes from its histories, with prediction intervals.
    #[command(after_help = "Examples:
  archc forecast model.arch
  archc forecast model.arch --backtest 4          # hold out the last 4 periods and score
  archc forecast model.arch --format json --paths 100 --seed 7")]
    Forecast(forecast::ForecastArgs),
    /// Write the instantiated model for another solver (MPS, LP) or as readable IR.
    #[command(after_help = "Examples:
  archc emit model.arch --mps model.mps
  archc emit model.arch --lp model.lp
  archc emit model.arch --ir | less
  archc emit model.arch --mps stage2.mps --stage moves   # a later ranked objective")]
    Emit {
        /// The model file; `-` reads it from stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Write free MPS to this path.
        #[arg(long, value_name = "PATH")]
        mps: Option<PathBuf>,
        /// Write CPLEX LP to this path.
        #[arg(long, value_name = "PATH")]
        lp: Option<PathBuf>,
        /// Print the IR with origins.
        #[arg(long)]
        ir: bool,
        /// With objectives in priority order, write the model of this stage (the objective's
        /// name, or its rank from 1): the earlier objectives are solved first and kept within
        /// their tolerance as rows. Default: the first objective alone.
        #[arg(long, value_name = "NAME|K")]
        stage: Option<String>,
        /// Solver for the earlier stages of `--stage` (default: the first built in).
        #[arg(long, value_enum, env = "ARCHC_SOLVER")]
        solver: Option<solve::SolverArg>,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        model: model_args::ModelArgs,
        /// Allow writing over a file the model reads (the model, a `use`d file, a data file).
        #[arg(long)]
        force: bool,
    },
    /// Format files in the canonical layout.
    #[command(after_help = "Examples:
  archc fmt model.arch
  archc fmt models/                # every .arch file below, .gitignore respected
  archc fmt --check .              # exit 1 if a file would change
  archc fmt - < model.arch         # formatted text on stdout")]
    Fmt {
        /// Files or directories (walked for .arch files); `-` formats stdin to stdout.
        #[arg(required = true, value_name = "PATH")]
        files: Vec<PathBuf>,
        /// Only report files that would change (exit 1 if any).
        #[arg(long)]
        check: bool,
    },
    /// Run the `test` blocks of models and compare solutions with stored snapshots.
    #[command(after_help = "Examples:
  archc test models/
  archc test models/global.arch --update")]
    Test {
        /// Model files or directories (walked for models, .gitignore respected).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Write snapshots instead of comparing.
        #[arg(long)]
        update: bool,
        /// MILP solver (the default solver when not given). Snapshots store decision
        /// values: a model with several optimal plans may differ between solvers.
        #[arg(long, value_enum, env = "ARCHC_SOLVER")]
        solver: Option<crate::solve::SolverArg>,
    },
    /// Run the language server over stdio.
    Lsp,
    /// Print the long explanation of a diagnostic code (e.g. E0402); without a code, list them.
    #[command(after_help = "Examples:
  archc explain E0402
  archc explain")]
    Explain {
        /// A diagnostic code such as E0402.
        code: Option<String>,
    },
}

/// Parse the arguments and run; returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            // Help and version go to stdout: a closed pipe there is no error.
            let _ = e.print();
            return code;
        }
    };
    output::set_color(cli.color);
    match cli.command {
        Command::Check {
            files,
            format,
            limits,
            model,
        } => check::run(&files, format, &limits, &model),
        Command::Solve(args) => solve::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Forecast(args) => forecast::run(&args),
        Command::Risk(args) => risk::run(&args),
        Command::Emit {
            file,
            mps,
            lp,
            ir,
            stage,
            solver,
            force,
            limits,
            model,
        } => emit::run(
            &file,
            &emit::Targets {
                mps: mps.as_deref(),
                lp: lp.as_deref(),
                ir,
                stage: stage.as_deref(),
                solver: solver.map(Into::into),
            },
            force,
            &limits,
            &model,
        ),
        Command::Fmt { files, check } => fmt::run(&files, check),
        Command::Test {
            paths,
            update,
            solver,
        } => crate::modeltest::run_cli(&paths, update, solver.map(Into::into)),
        Command::Lsp => archc_lsp::run_stdio(),
        Command::Explain { code } => explain::run(code.as_deref()),
    }
}

/// Terminal width for diagnostics.
pub(crate) fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Print diagnostics to stderr (colour when stderr is a terminal), then a summary line
/// that counts them (`error: 3 errors, 1 warning`).
pub(crate) fn print_diagnostics(a: &archc::analysis::Analysis) {
    print_diagnostic_list(&a.diagnostics, &a.sources);
    if let Some(line) = summary_line(&a.diagnostics) {
        eprintln!("{line}");
    }
}

/// `error: 3 errors, 1 warning` when there are errors, `warning: 2 warnings` when there are
/// only warnings, nothing when there are neither.
pub fn summary_line(diags: &[archc::diagnostics::Diagnostic]) -> Option<String> {
    use archc::diagnostics::Severity;
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => None,
        (0, w) => Some(format!("warning: {}", plural(w, "warning"))),
        (e, 0) => Some(format!("error: {}", plural(e, "error"))),
        (e, w) => Some(format!(
            "error: {}, {}",
            plural(e, "error"),
            plural(w, "warning")
        )),
    }
}

/// Render diagnostics to stderr, in colour on a terminal.
pub(crate) fn print_diagnostic_list(
    diags: &[archc::diagnostics::Diagnostic],
    sources: &archc::source::SourceMap,
) {
    let color = output::color_stderr();
    for d in diags {
        let text = if color {
            archc::diagnostics::render::render_color(d, sources, width())
        } else {
            archc::diagnostics::render::render_plain(d, sources, width())
        };
        eprint!("{text}");
        eprintln!();
    }
}
