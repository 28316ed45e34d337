//! `archc solve FILE`: instantiate, solve, verify and report.

use super::{exit, Format};
use archc::analysis::{analyze, Analysis, AnalyzeOptions};
use archc::diagnostics::Code;
use archc::solve::{SolveOptions, SolverKind, Status};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct SolveArgs {
    pub file: PathBuf,
    /// MILP solver: microlp (default build), highs, cbc.
    #[arg(long)]
    pub solver: Option<String>,
    /// Stop after this many seconds with the best plan found.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Stop at this relative MIP gap (0.01 = 1%).
    #[arg(long)]
    pub gap: Option<f64>,
    /// Solver threads, where the solver supports it.
    #[arg(long)]
    pub threads: Option<u32>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but the report (no progress).
    #[arg(long, short)]
    pub quiet: bool,
    /// Explain the plan: binding constraints per entity and their shadow prices.
    /// (Infeasible and unbounded models are always explained.)
    #[arg(long)]
    pub explain: bool,
    /// Backend for models with plans: auto chooses DP for independent plans, MILP otherwise.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendArg,
    #[command(flatten)]
    pub limits: super::LimitArgs,
}

/// `--backend`: the core's [`archc::plan::BackendChoice`] as a command-line value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendArg {
    Auto,
    Dp,
    Milp,
}

impl From<BackendArg> for archc::plan::BackendChoice {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Auto => archc::plan::BackendChoice::Auto,
            BackendArg::Dp => archc::plan::BackendChoice::Dp,
            BackendArg::Milp => archc::plan::BackendChoice::Milp,
        }
    }
}

pub fn run(args: &SolveArgs) -> i32 {
    let solver = match args.solver.as_deref() {
        None => None,
        Some(s) => match SolverKind::parse(s) {
            Some(k) => Some(k),
            None => {
                eprintln!("error: unknown solver `{s}` (microlp, highs, cbc)");
                return exit::USAGE;
            }
        },
    };
    let options = AnalyzeOptions {
        instantiate: true,
        backend: args.backend.into(),
        limits: Some(args.limits.limits()),
        max_file_size: args.limits.max_file_size,
        ..Default::default()
    };
    let mut a = analyze(&args.file, &options);
    super::print_diagnostics(&a);
    if a.has_errors() || a.instance.is_none() {
        return exit::MODEL_ERROR;
    }
    if !args.quiet && args.format == Format::Json && !a.backend_reason.is_empty() {
        eprintln!("backend: {}", a.backend_reason);
    }
    if a.backend == Some(archc::plan::Backend::Dp) {
        return run_dp(args, &mut a);
    }
    let Some(inst) = a.instance.as_ref() else {
        return exit::MODEL_ERROR;
    };
    let opts = SolveOptions {
        solver,
        time_limit: args.time_limit.map(Duration::from_secs_f64),
        gap: args.gap,
        threads: args.threads,
        quiet: args.quiet,
    };
    let progress = (!args.quiet).then(start_progress);
    let result = archc::solve::solve_model(&inst.model, &opts);
    if let Some(p) = progress {
        p.store(true, Ordering::Relaxed);
    }
    let solved = match result {
        Ok(s) => s,
        Err(d) => {
            eprint!(
                "{}",
                archc::diagnostics::render::render_plain(&d, &a.sources, super::width())
            );
            return if d.code == Code::E0702 {
                exit::VERIFICATION
            } else {
                exit::SOLVER_ERROR
            };
        }
    };
    let verification = solved
        .verification
        .as_ref()
        .map(|v| archc::report::VerificationReport {
            ok: v.is_ok(),
            max_row_violation: v.max_row_violation,
            violations: v.total(),
        });
    let name = args.file.display().to_string();
    let reason = if a.backend_reason.is_empty() {
        solved.reason.clone()
    } else {
        a.backend_reason.clone()
    };
    let report = archc::report::build(
        &name,
        inst,
        &solved.raw,
        solved.backend,
        &reason,
        verification,
    );
    let explained = explain(args, &a, &inst.model, &solved.raw, &opts);
    if let Err(code) = emit(args, &report, explained) {
        return code;
    }
    match solved.raw.status {
        Status::Optimal => exit::OK,
        Status::Feasible => exit::FEASIBLE,
        Status::Infeasible => {
            eprintln!("the model is infeasible: no plan satisfies every constraint");
            exit::INFEASIBLE
        }
        Status::Unbounded => {
            eprintln!("the model is unbounded: the objective can improve without limit");
            exit::UNBOUNDED
        }
        Status::Error => {
            eprintln!("solver error: {}", solved.raw.message);
            exit::SOLVER_ERROR
        }
    }
}

/// Solve the plans of a model by DP.
fn run_dp(args: &SolveArgs, a: &mut Analysis) -> i32 {
    let (Some(schema), Some(inst)) = (a.schema.as_ref(), a.instance.as_mut()) else {
        return exit::MODEL_ERROR;
    };
    match archc::plan::solve_dp(schema, &mut a.sources, inst) {
        Ok(outcome) => {
            let report = archc::report::build_dp(
                &args.file.display().to_string(),
                &outcome,
                &a.backend_reason,
            );
            match emit(args, &report, None) {
                Ok(()) => exit::OK,
                Err(code) => code,
            }
        }
        Err(d) => {
            eprint!(
                "{}",
                archc::diagnostics::render::render_plain(&d, &a.sources, super::width())
            );
            match d.code {
                Code::E0611 => exit::INFEASIBLE,
                Code::E0702 => exit::VERIFICATION,
                _ => exit::MODEL_ERROR,
            }
        }
    }
}

/// Print or write the report, with an explanation when there is one.
fn emit(
    args: &SolveArgs,
    report: &archc::report::Report,
    explained: Option<Explained>,
) -> Result<(), i32> {
    let text = match args.format {
        Format::Text => {
            let mut t = archc::report::table::render(report);
            if let Some(Explained::Text(more)) = &explained {
                t.push('\n');
                t.push_str(more);
            }
            t
        }
        Format::Json => {
            let mut value = match serde_json::to_value(report) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Err(exit::IO);
                }
            };
            if let (Some(Explained::Json(x)), serde_json::Value::Object(map)) =
                (explained, &mut value)
            {
                map.insert("explanation".into(), x);
            }
            match serde_json::to_string_pretty(&value) {
                Ok(s) => s + "\n",
                Err(e) => {
                    eprintln!("error: {e}");
                    return Err(exit::IO);
                }
            }
        }
    };
    match &args.out {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &text) {
                eprintln!("error: cannot write {}: {e}", p.display());
                return Err(exit::IO);
            }
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// An explanation for the report: text appended to the table, or the JSON `explanation`.
enum Explained {
    Text(String),
    Json(serde_json::Value),
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
    match raw.status {
        Status::Infeasible => {
            if !args.quiet {
                eprintln!("explaining: searching for a minimal conflict…");
            }
            match x::explain_infeasible(model, opts) {
                Ok(e) => {
                    print(&e.diagnostics());
                    json.then(|| Explained::Json(x::json::infeasible_json(model, &e, &a.sources)))
                }
                Err(d) => {
                    print(std::slice::from_ref(&d));
                    json.then(|| Explained::Json(x::json::error_json(&d, &a.sources)))
                }
            }
        }
        Status::Unbounded => match x::explain_unbounded(model, opts) {
            Ok(u) => {
                print(std::slice::from_ref(&u.diagnostic));
                json.then(|| Explained::Json(x::json::unbounded_json(&u, &a.sources)))
            }
            Err(d) => {
                print(std::slice::from_ref(&d));
                json.then(|| Explained::Json(x::json::error_json(&d, &a.sources)))
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

/// Print elapsed time to stderr every second until the flag is set.
fn start_progress() -> Arc<AtomicBool> {
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let start = Instant::now();
    std::thread::spawn(move || {
        let mut next = 1;
        loop {
            std::thread::sleep(Duration::from_millis(100));
            if flag.load(Ordering::Relaxed) {
                return;
            }
            let secs = start.elapsed().as_secs();
            if secs >= next {
                eprintln!("solving… {secs} s elapsed");
                next = secs + 1;
            }
        }
    });
    done
}
