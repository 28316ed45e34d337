//! `archc solve FILE`: instantiate, solve, verify and report. Solver logs never reach
//! stdout ([`crate::stdio`]); progress and Ctrl-C are handled by [`crate::progress`]; the
//! output paths are checked before the solve and written atomically.

use super::exit;
use crate::inputs::{analyze_input, input_of};
use crate::output::inputs_of;
use crate::progress::{self, Progress};
use crate::render::{emit, Explained, ReportFormat as Format};
use crate::stdio::{StdoutRedirect, Target};
use archc::analysis::{Analysis, AnalyzeOptions, Backend};
use archc::backends::milp::interruptible;
use archc::diagnostics::Code;
use archc::report::ReportStatus;
use archc::solve::{RawSolution, SolveOptions, SolverKind, Status, Stop};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The longest time limit accepted: one year.
const MAX_TIME_LIMIT: f64 = 365.0 * 24.0 * 3600.0;
/// How long microlp solves an integer model before the output says it may be beyond its
/// reach ([`archc::backends::milp::reach_note`]).
const REACH_NOTE_AFTER: Duration = Duration::from_secs(5);
/// The most threads accepted (HiGHS aborts far above the machine's cores).
const MAX_THREADS: u32 = 1024;

#[derive(clap::Args, Debug)]
pub struct SolveArgs {
    /// The model file; `-` reads it from stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// MILP solver (default: the first built in, see `archc --version`).
    #[arg(long, value_enum, env = "ARCHC_SOLVER")]
    pub solver: Option<SolverArg>,
    /// Stop after this many seconds (more than 0, at most a year) with the best plan found.
    #[arg(long, value_name = "SECONDS", value_parser = parse_time_limit)]
    pub time_limit: Option<f64>,
    /// Stop at this relative MIP gap, from 0 to 1 (0.01 = 1%).
    #[arg(long, value_name = "FRACTION", value_parser = parse_gap)]
    pub gap: Option<f64>,
    /// Solver threads (1 to 1024), where the solver supports it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS as i64))]
    pub threads: Option<u32>,
    /// Report format: text tables, JSON, CSV (one file per decision) or an HTML page.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to this file instead of stdout (a folder for `--format csv`).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML report with plots to this file.
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// List zero values too in the JSON `values` of each decision.
    #[arg(long)]
    pub zeros: bool,
    /// Allow `--out`, `--log` and `--report` to write over a file the model reads.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but the report (no progress).
    #[arg(long, short)]
    pub quiet: bool,
    /// Show the solver's own log on stderr.
    #[arg(long, short)]
    pub verbose: bool,
    /// Append the solver's own log to this file.
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// Explain the plan: binding constraints per entity and their shadow prices.
    /// (Infeasible and unbounded models are always explained.)
    #[arg(long)]
    pub explain: bool,
    /// Backend for models with plans: auto chooses DP for independent plans, MILP otherwise.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendArg,
    /// Pass an option to HiGHS or CBC as `KEY=VALUE` (e.g. `presolve=off`,
    /// `mip_heuristic_effort=0.3` for HiGHS; `cuts=off` for CBC); repeatable. The solver
    /// parses the value; HiGHS refuses unknown keys, CBC logs them (see --verbose).
    #[arg(long = "solver-option", value_name = "KEY=VALUE", value_parser = crate::model_args::parse_solver_option)]
    pub solver_options: Vec<(String, String)>,
    /// Start from a plan: the JSON report of an earlier solve (`--format json`), or
    /// `current` for the current state the model compares with `moves`/`changed`. The start
    /// is checked against the model first (its missing columns completed by a solve with
    /// the given ones fixed); a feasible one goes to HiGHS or CBC as a MIP start, an
    /// infeasible one is reported with the rows it violates and not used. microlp takes no
    /// start: it is checked and reported only.
    #[arg(long, value_name = "FILE|current")]
    pub start: Option<PathBuf>,
    /// Look for up to K distinct plans in all (the first included) within
    /// `--alt-tolerance` of the optimum, by no-good cuts on the integer and binary decisions;
    /// each is verified and shown as its differences from the first.
    #[arg(long, value_name = "K")]
    pub alternatives: Option<usize>,
    /// How far from the optimum an alternative may be: a percentage (`1%`) or an amount in
    /// the objective's unit (`250`, `0.5 kusd`); default: ties only.
    #[arg(long, value_name = "X", requires = "alternatives")]
    pub alt_tolerance: Option<String>,
    #[command(flatten)]
    pub limits: super::LimitArgs,
    #[command(flatten)]
    pub model: crate::model_args::ModelArgs,
    #[command(flatten)]
    pub scale: crate::scale::ScaleArgs,
}

/// `--solver`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SolverArg {
    /// Pure Rust, always available: LPs, and integer models up to a few dozen integer
    /// columns; one thread, no solver options, Ctrl-C keeps no plan
    Microlp,
    /// HiGHS (cargo feature `highs`): the default when built in; large MILPs, gap and
    /// bounds, Ctrl-C keeps the best plan
    Highs,
    /// COIN-OR CBC (cargo feature `cbc`, system library)
    Cbc,
}

impl From<SolverArg> for SolverKind {
    fn from(s: SolverArg) -> Self {
        match s {
            SolverArg::Microlp => SolverKind::Microlp,
            SolverArg::Highs => SolverKind::Highs,
            SolverArg::Cbc => SolverKind::Cbc,
        }
    }
}

/// A finite number in `lo..=hi` (with `lo` itself allowed only when `lo_ok`).
fn parse_number(s: &str, lo: f64, lo_ok: bool, hi: f64, what: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    let above = if lo_ok { v >= lo } else { v > lo };
    if v.is_finite() && above && v <= hi {
        Ok(v)
    } else {
        Err(format!("{what}, not {s}"))
    }
}

/// `--time-limit`: seconds, more than 0 and at most a year.
pub fn parse_time_limit(s: &str) -> Result<f64, String> {
    parse_number(
        s,
        0.0,
        false,
        MAX_TIME_LIMIT,
        "the time limit must be a number of seconds above 0 and at most 31536000 (a year)",
    )
}

/// `--gap`: a relative gap from 0 to 1.
pub fn parse_gap(s: &str) -> Result<f64, String> {
    parse_number(
        s,
        0.0,
        true,
        1.0,
        "the gap must be a fraction from 0 to 1 (0.01 = 1%)",
    )
}

/// `--backend`: the core's [`archc::plan::BackendChoice`] as a command-line value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendArg {
    Auto,
    Dp,
    Milp,
    /// Local search for assignment-shaped models (items placed on one option each).
    Search,
}

impl From<BackendArg> for archc::plan::BackendChoice {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Auto => archc::plan::BackendChoice::Auto,
            BackendArg::Dp => archc::plan::BackendChoice::Dp,
            BackendArg::Milp | BackendArg::Search => archc::plan::BackendChoice::Milp,
        }
    }
}

pub fn run(args: &SolveArgs) -> i32 {
    let solver = args.solver.map(SolverKind::from);
    if args.verbose && args.log.is_some() {
        eprintln!("error: --verbose and --log both say where the solver log goes; give one");
        return exit::USAGE;
    }
    let options = args.model.apply(AnalyzeOptions {
        instantiate: true,
        backend: args.backend.into(),
        limits: Some(args.limits.limits()),
        max_file_size: args.limits.max_file_size,
        ..Default::default()
    });
    let mut a = match analyze_input(&input_of(&args.file), &options) {
        Ok(a) => a,
        Err(code) => return code,
    };
    super::print_diagnostics(&a);
    if a.has_errors() || a.instance.is_none() {
        return exit::MODEL_ERROR;
    }
    // Outputs are checked before the solve, which may take hours.
    let inputs = inputs_of(&a.sources);
    if let Err(code) = crate::render::check_outputs(args, &inputs) {
        return code;
    }
    if !args.quiet && args.format != Format::Text && !a.backend_reason.is_empty() {
        eprintln!("backend: {}", a.backend_reason);
    }
    let name = input_of(&args.file).display();
    let alternatives = match alternative_options(args, &a) {
        Ok(alt) => alt,
        Err(d) => {
            print_plain(&d, &a);
            return exit::USAGE;
        }
    };
    if a.backend == Some(Backend::Dp) {
        if args.start.is_some() {
            eprintln!("error: --start is for MILP solves; this model is solved by DP (use --backend milp to start the MILP)");
            return exit::USAGE;
        }
        let solved = solve_dp_watched(&mut a, !args.quiet);
        return finish_dp(args, &a, &name, solved);
    }
    let kind = match archc::backends::milp::choose_solver(solver) {
        Ok(k) => k,
        Err(d) => {
            print_plain(&d, &a);
            return exit::SOLVER_ERROR;
        }
    };
    let opts = SolveOptions {
        solver: Some(kind),
        time_limit: args.time_limit.map(Duration::from_secs_f64),
        gap: args.gap,
        threads: args.threads,
        // The solver's own log is on only when asked for.
        quiet: !(args.verbose || args.log.is_some()),
        solver_options: args.solver_options.clone(),
        control: archc::backends::milp::SolveControl::new(),
    };
    let split = match crate::scale::split_of(&args.scale, &a, args.quiet) {
        Ok(split) => split,
        Err(d) => {
            print_plain(&d, &a);
            return exit::USAGE;
        }
    };
    if args.scale.shard.is_some() && split.is_none() {
        eprintln!(
            "error: --shard solves one part of a partition: give --partition SET:N or declare `partition SET into N` in the model"
        );
        return exit::USAGE;
    }
    if args.scale.search_start.is_some()
        && crate::scale::search_reason(args, &a, split.is_some()).is_none()
    {
        eprintln!("error: --search-start is for the search backend (--backend search)");
        return exit::USAGE;
    }
    if alternatives.is_some() && (split.is_some() || args.backend == BackendArg::Search) {
        eprintln!(
            "error: --alternatives is for a plain MILP solve, not with a partition or --backend search (`--partition off` solves a model that names its partition whole)"
        );
        return exit::USAGE;
    }
    if args.start.is_some() && (split.is_some() || args.backend == BackendArg::Search) {
        eprintln!(
            "error: --start is for a plain MILP solve, not with a partition or --backend search (`--partition off` solves a model that names its partition whole)"
        );
        return exit::USAGE;
    }
    let checked = match (&args.start, a.instance.as_ref()) {
        (Some(given), Some(inst)) => {
            match crate::start::read_and_check(given, &inst.model, &opts, kind) {
                Ok((checked, warnings)) => {
                    for w in &warnings {
                        print_plain(w, &a);
                    }
                    Some(checked)
                }
                Err(d) => {
                    print_plain(&d, &a);
                    return exit::MODEL_ERROR;
                }
            }
        }
        _ => None,
    };
    let start_values = checked.as_ref().and_then(|c| c.values.clone());
    if let Some(split) = &split {
        match crate::scale::shard_of(&args.scale, split) {
            Ok(Some(part)) => {
                let Some(inst) = a.instance.as_ref() else {
                    return exit::MODEL_ERROR;
                };
                return crate::scale::run_shard(args, &inst.model, &name, split, part, &opts);
            }
            Ok(None) => {}
            Err(d) => {
                print_plain(&d, &a);
                return exit::USAGE;
            }
        }
    }
    let target = match (&args.log, args.verbose) {
        (Some(p), _) => Target::File(p),
        (None, true) => Target::Stderr,
        (None, false) => Target::Null,
    };
    let redirect = match StdoutRedirect::begin(target) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot redirect the solver's output: {e}");
            return exit::IO;
        }
    };
    // Ctrl-C with a solver that cannot be stopped: report that no plan is known and exit,
    // leaving the solver behind. That report is made before the solve, which holds the
    // model meanwhile.
    let Some(unsolved) = a.instance.as_ref().map(|inst| {
        let raw = no_plan(kind, Duration::ZERO, Stop::Interrupted);
        let mut report = archc::report::build(&name, inst, &raw, "milp", &a.backend_reason, None);
        crate::render::describe(&a, &mut report);
        (raw, report)
    }) else {
        return exit::MODEL_ERROR;
    };
    let start = Instant::now();
    let abandon = || -> i32 {
        crate::stdio::restore();
        let (mut raw, mut report) = unsolved.clone();
        raw.time = start.elapsed();
        report.solve_time_ms = raw.time.as_millis() as u64;
        if let Err(code) = crate::render::emit_described(args, report, None, &inputs) {
            return code;
        }
        exit_code(&raw)
    };
    let mut scale_report = None;
    let search = crate::scale::search_reason(args, &a, split.is_some());
    if let Some(reason) = &search {
        a.backend_reason = reason.clone();
    }
    let result = match (&split, search.is_some()) {
        (split, true) => archc::driver::solve_with(&mut a, &opts, |model, opts| {
            crate::scale::interruptible(opts, || {
                crate::scale::solve_search(args, model, opts, split.as_ref(), &mut scale_report)
            })
        }),
        (Some(split), false) => archc::driver::solve_with(&mut a, &opts, |model, opts| {
            crate::scale::interruptible(opts, || {
                archc::partition::solve_model_partitioned(model, split, opts, &mut scale_report)
            })
        }),
        (None, false) => archc::driver::solve_with(&mut a, &opts, |model, opts| {
            solve_watched(
                model,
                opts,
                start_values.as_deref(),
                kind,
                !args.quiet,
                &abandon,
            )
        }),
    };
    let solved = match result {
        Ok(s) => s,
        Err(d) => {
            drop(redirect);
            print_plain(&d, &a);
            return if d.code == Code::E0702 {
                exit::VERIFICATION
            } else {
                exit::SOLVER_ERROR
            };
        }
    };
    let Some(raw) = solved.raw() else {
        return exit::SOLVER_ERROR;
    };
    let stopped = ReportStatus::of(raw);
    // Explanations re-solve the model: they are skipped after an interrupt.
    let explained = match a.instance.as_ref() {
        Some(inst) if stopped != ReportStatus::Interrupted => {
            explain(args, &a, &inst.model, raw, &opts)
        }
        _ => None,
    };
    let found = match (alternatives, a.instance.as_ref()) {
        (Some(alt), Some(inst))
            if !raw.values.is_empty() && stopped != ReportStatus::Interrupted =>
        {
            if !args.quiet && alt.count > 1 {
                let more = alt.count - 1;
                let plural = if more == 1 { "" } else { "s" };
                eprintln!("alternatives: looking for up to {more} more plan{plural}…");
            }
            match archc::solve::alternatives::enumerate(
                inst,
                &opts,
                &raw.values,
                alt,
                archc::solve::solve_model,
            ) {
                Ok(found) => Some(found),
                Err(d) => {
                    drop(redirect);
                    print_plain(&d, &a);
                    return if d.code == Code::E0702 {
                        exit::VERIFICATION
                    } else {
                        exit::SOLVER_ERROR
                    };
                }
            }
        }
        _ => None,
    };
    drop(redirect);
    let Some(mut report) = archc::driver::report(&a, &name, &solved) else {
        return exit::MODEL_ERROR;
    };
    if let Some(scale) = scale_report {
        if !args.quiet {
            crate::scale::summary(&scale);
        }
        report.scale = Some(scale);
    }
    report.start = checked.map(|c| c.report);
    if let Some(found) = found {
        report.set_alternatives(found);
    }
    if let Err(code) = emit(args, &a, &report, explained) {
        return code;
    }
    exit_code(raw)
}

/// `--alternatives K` and `--alt-tolerance X` checked against the model before the solve:
/// K at least 1 (E0743), a tolerance that reads (E0744), a model with integer decisions to
/// enumerate (E0745) and bounds on its general integers (E0746). `None` without the flag,
/// and for a model solved by DP (with a note: its plans are not enumerated).
fn alternative_options(
    args: &SolveArgs,
    a: &Analysis,
) -> Result<Option<archc::solve::alternatives::AltOptions>, archc::diagnostics::Diagnostic> {
    use archc::diagnostics::Diagnostic;
    use archc::solve::alternatives as alt;
    let Some(count) = args.alternatives else {
        return Ok(None);
    };
    if count == 0 {
        return Err(
            Diagnostic::error(Code::E0743, "`--alternatives 0` asks for no plan at all").help(
                "`--alternatives K` counts the first plan: ask for at least 1 (`--alternatives 5`)",
            ),
        );
    }
    let tolerance = match (&args.alt_tolerance, a.schema.as_ref()) {
        (Some(text), Some(schema)) => alt::parse_tolerance(text, schema)?,
        _ => archc::ir::Tolerance::default(),
    };
    if a.backend == Some(Backend::Dp) {
        if !args.quiet {
            eprintln!(
                "note: --alternatives enumerates MILP plans; this model is solved by DP, whose plan is reported alone (--backend milp enumerates the plans of its MILP lowering)"
            );
        }
        return Ok(None);
    }
    if let Some(inst) = a.instance.as_ref() {
        alt::check_model(&inst.model)?;
    }
    Ok(Some(alt::AltOptions { count, tolerance }))
}

/// The exit code of a solve, with its one-line message on stderr.
fn exit_code(raw: &RawSolution) -> i32 {
    match ReportStatus::of(raw) {
        ReportStatus::Optimal => exit::OK,
        ReportStatus::Feasible => exit::FEASIBLE,
        ReportStatus::Interrupted => {
            if raw.values.is_empty() && !interruptible(raw.solver) {
                eprintln!(
                    "interrupted: {} cannot be stopped with its best plan, so none is reported \
                     (HiGHS keeps its best plan on Ctrl-C: --solver highs; or bound the run \
                     with --time-limit SECONDS)",
                    raw.solver.name()
                );
            } else if raw.values.is_empty() {
                eprintln!("interrupted before any plan was found");
            } else {
                eprintln!("interrupted: the best plan found so far is reported (verified)");
            }
            exit::INTERRUPTED
        }
        ReportStatus::TimeLimit => {
            eprintln!("the time limit was reached before any plan was found");
            exit::TIME_LIMIT
        }
        ReportStatus::Infeasible => {
            eprintln!("the model is infeasible: no plan satisfies every constraint");
            exit::INFEASIBLE
        }
        ReportStatus::Unbounded => {
            eprintln!("the model is unbounded: the objective can improve without limit");
            exit::UNBOUNDED
        }
        ReportStatus::Error => {
            eprintln!("solver error: {}", raw.message);
            exit::SOLVER_ERROR
        }
    }
}

/// Solve on a worker thread while this one shows progress and watches for Ctrl-C. When
/// Ctrl-C comes and the solver cannot be stopped, `abandon` reports and the process exits
/// with its code.
fn solve_watched(
    model: &archc::ir::Model,
    opts: &SolveOptions,
    mip_start: Option<&[f64]>,
    kind: SolverKind,
    show_progress: bool,
    abandon: &dyn Fn() -> i32,
) -> Result<archc::solve::MilpSolved, archc::diagnostics::Diagnostic> {
    opts.control.reset();
    progress::install_interrupt_handler();
    progress::set_solving(Some(&opts.control));
    let mut display = Progress::new(show_progress);
    // Said once, when microlp is still at an integer model after a while.
    let mut reach = show_progress
        .then(|| archc::backends::milp::reach_note(kind, model))
        .flatten();
    let start = std::time::Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let waited = std::thread::scope(|scope| {
        scope.spawn(move || {
            let _ = tx.send(archc::solve::solve_model_from(model, opts, mip_start));
        });
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(r) => return r,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    display.update(opts.control.progress());
                    if start.elapsed() >= REACH_NOTE_AFTER {
                        if let Some(note) = reach.take() {
                            display.note(&format!("note: {note}"));
                        }
                    }
                    if progress::interrupted() && !interruptible(kind) {
                        display.finish();
                        // Leaving the scope would wait for the solver: exit from here.
                        std::process::exit(abandon());
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(archc::diagnostics::Diagnostic::error(
                        Code::E0703,
                        "the solver thread ended without an answer",
                    ));
                }
            }
        }
    });
    display.finish();
    progress::set_solving(None);
    opts.control.reset();
    waited
}

/// A DP solve, while a display thread shows how many stages of backward induction are done
/// (DP has no plan before its last stage: Ctrl-C exits at once).
fn solve_dp_watched(
    a: &mut Analysis,
    show_progress: bool,
) -> Result<archc::solve::Solved, archc::diagnostics::Diagnostic> {
    use archc::backends::dp::DP_PROGRESS;
    use std::sync::mpsc::RecvTimeoutError;
    DP_PROGRESS.reset();
    progress::install_interrupt_handler();
    // Dropping `done` when the solve returns ends the display at once.
    let (done, ended) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut display = Progress::new(show_progress);
            while let Err(RecvTimeoutError::Timeout) =
                ended.recv_timeout(Duration::from_millis(100))
            {
                display.update_dp(DP_PROGRESS.snapshot());
            }
            display.finish();
        });
        let solved = archc::driver::solve(a, &SolveOptions::default());
        drop(done);
        solved
    })
}

/// A solve that ended without a plan for `stop`.
fn no_plan(kind: SolverKind, time: Duration, stop: Stop) -> RawSolution {
    RawSolution {
        status: Status::Error,
        values: Vec::new(),
        objective: f64::NAN,
        gap: None,
        dual_bound: None,
        stop: Some(stop),
        solver: kind,
        time,
        duals: None,
        message: "interrupted before any plan was found".into(),
    }
}

fn print_plain(d: &archc::diagnostics::Diagnostic, a: &Analysis) {
    eprint!(
        "{}",
        archc::diagnostics::render::render_plain(d, &a.sources, super::width())
    );
}

/// Report a DP solve and give its exit code: a plan without a feasible policy is its
/// diagnostic (E0611) and no report.
fn finish_dp(
    args: &SolveArgs,
    a: &Analysis,
    name: &str,
    solved: Result<archc::solve::Solved, archc::diagnostics::Diagnostic>,
) -> i32 {
    let solved = match solved {
        Ok(s) => s,
        Err(d) => {
            print_plain(&d, a);
            return match d.code {
                Code::E0702 => exit::VERIFICATION,
                _ => exit::MODEL_ERROR,
            };
        }
    };
    if solved.status == Status::Infeasible {
        for d in &solved.diagnostics {
            print_plain(d, a);
        }
        return exit::INFEASIBLE;
    }
    let Some(report) = archc::driver::report(a, name, &solved) else {
        return exit::MODEL_ERROR;
    };
    match emit(args, a, &report, None) {
        Ok(()) => exit::OK,
        Err(code) => code,
    }
}

/// Explain the result: always for infeasible and unbounded models (diagnostics go to
/// stderr in text mode), for solved ones with `--explain`.
fn explain(
    args: &SolveArgs,
    a: &Analysis,
    model: &archc::ir::Model,
    raw: &archc::solve::RawSolution,
    opts: &SolveOptions,
) -> Option<Explained> {
    use archc::solve::explain as x;
    let json = args.format == Format::Json;
    let print = |diags: &[archc::diagnostics::Diagnostic]| {
        if !json {
            super::print_diagnostic_list(diags, &a.sources);
        }
    };
    // The HTML report shows why there is no plan, as the diagnostics read on stderr.
    let html = args.format == Format::Html || args.report.is_some();
    let why = |diags: &[archc::diagnostics::Diagnostic]| {
        (html && !json).then(|| {
            Explained::Why(
                diags
                    .iter()
                    .map(|d| archc::diagnostics::render::render_plain(d, &a.sources, 100))
                    .collect(),
            )
        })
    };
    match raw.status {
        Status::Infeasible => {
            if !args.quiet {
                eprintln!("explaining: searching for a minimal conflict…");
            }
            match x::explain_infeasible(model, opts) {
                Ok(e) => {
                    print(&e.diagnostics());
                    json.then(|| Explained::Json(x::json::infeasible_json(model, &e, &a.sources)))
                        .or_else(|| why(&e.diagnostics()))
                }
                Err(d) => {
                    print(std::slice::from_ref(&d));
                    json.then(|| Explained::Json(x::json::error_json(&d, &a.sources)))
                        .or_else(|| why(std::slice::from_ref(&d)))
                }
            }
        }
        Status::Unbounded => match x::explain_unbounded(model, opts) {
            Ok(u) => {
                print(std::slice::from_ref(&u.diagnostic));
                json.then(|| Explained::Json(x::json::unbounded_json(&u, &a.sources)))
                    .or_else(|| why(std::slice::from_ref(&u.diagnostic)))
            }
            Err(d) => {
                print(std::slice::from_ref(&d));
                json.then(|| Explained::Json(x::json::error_json(&d, &a.sources)))
                    .or_else(|| why(std::slice::from_ref(&d)))
            }
        },
        Status::Optimal | Status::Feasible if args.explain => {
            let s = x::explain_solution(model, &raw.values, raw.duals.as_deref());
            Some(if json {
                Explained::Json(x::json::solution_json(&s))
            } else {
                Explained::Text(s.render_text())
            })
        }
        _ => None,
    }
}
