//! `archc risk FILE`: assess a plan over a scenario set. The plan is the model's own
//! verified solution, or the JSON report of an earlier solve (`--plan`); the scenario set
//! may be replaced for the assessment (`--scenarios`, e.g. N-2 for a plan made for N-1).
//! The assessment itself is [`archc::risk::assess`]; this file parses the flags, prints
//! the ranking as a table or JSON and chooses the exit code.

use super::exit;
use crate::inputs::{analyze_input, input_of};
use crate::solve::SolverArg;
use archc::analysis::{Analysis, AnalyzeOptions};
use archc::diagnostics::{Code, Diagnostic};
use archc::report::table::format_number;
use archc::resolve::overrides::ScenarioOverride;
use archc::risk::{Assessment, FirstStage, Loss, RiskOptions};
use archc::solve::{SolveOptions, SolverKind, Status};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct RiskArgs {
    /// The model file; `-` reads it from stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Assess this plan: the JSON report of `archc solve FILE --format json` (default: solve
    /// the model and assess its own verified plan).
    #[arg(long, value_name = "PLAN.json")]
    pub plan: Option<PathBuf>,
    /// Assess over these scenarios instead of the set's own, e.g. "fail_k(links, 2)": the
    /// plan is still made (or read) for the model as written.
    #[arg(long, value_name = "SETEXPR")]
    pub scenarios: Option<String>,
    /// The scenario set to assess, when the model has several.
    #[arg(long, value_name = "NAME")]
    pub scenario_set: Option<String>,
    /// How many scenarios to list, worst first.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// Also report the CVaR of the loss at this level, from 0 to below 1 (e.g. 0.99).
    #[arg(long, value_name = "LEVEL", value_parser = parse_beta)]
    pub beta: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: super::Format,
    /// MILP solver (default: the first built in, see `archc --version`).
    #[arg(long, value_enum, env = "ARCHC_SOLVER")]
    pub solver: Option<SolverArg>,
    /// Recourse problems solved at once (1 to 1024; default 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Bound each scenario's recourse solve to this many seconds (above 0, at most a year);
    /// a scenario cut off before a proven loss is listed as `time limit`, with the best
    /// loss found if any, and is never counted as loss-free.
    #[arg(long, value_name = "SECONDS", value_parser = crate::solve::parse_time_limit)]
    pub scenario_time_limit: Option<f64>,
    #[command(flatten)]
    pub limits: super::LimitArgs,
    #[command(flatten)]
    pub model: crate::model_args::ModelArgs,
}

/// `--beta`: a level in [0, 1).
fn parse_beta(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "the CVaR level must be a number from 0 to below 1, not {s}"
        )),
    }
}

pub fn run(args: &RiskArgs) -> i32 {
    let kind = match archc::backends::milp::choose_solver(args.solver.map(SolverKind::from)) {
        Ok(k) => k,
        Err(d) => {
            let sources = archc::source::SourceMap::new();
            eprint!(
                "{}",
                archc::diagnostics::render::render_plain(&d, &sources, super::width())
            );
            return exit::SOLVER_ERROR;
        }
    };
    let solve = SolveOptions {
        solver: Some(kind),
        quiet: true,
        ..Default::default()
    };
    let base = args.model.apply(AnalyzeOptions {
        instantiate: true,
        limits: Some(args.limits.limits()),
        max_file_size: args.limits.max_file_size,
        ..Default::default()
    });
    let name = input_of(&args.file).display();
    let assessed = match &args.scenarios {
        None => base.clone(),
        Some(value) => {
            let mut o = base.clone();
            o.overrides.scenarios = Some(ScenarioOverride {
                set: args.scenario_set.clone(),
                value: value.clone(),
            });
            o
        }
    };
    // The plan: read from `--plan`, or the model's own (solved as written).
    let (a, plan) = match &args.plan {
        Some(path) => {
            let mut a = match analyze(args, &assessed) {
                Ok(a) => a,
                Err(code) => return code,
            };
            match FirstStage::read(&mut a.sources, path) {
                Ok(p) => (a, p),
                Err(d) => return fail(&d, &a),
            }
        }
        None => {
            let mut own = match analyze(args, &base) {
                Ok(a) => a,
                Err(code) => return code,
            };
            let solved = match archc::driver::solve(&mut own, &solve) {
                Ok(s) => s,
                Err(d) => return fail(&d, &own),
            };
            if let Some(code) = unsolved(&solved) {
                return code;
            }
            let Some(report) = archc::driver::report(&own, &name, &solved) else {
                return exit::MODEL_ERROR;
            };
            let plan = FirstStage::from_report(&report);
            if args.scenarios.is_some() {
                match analyze(args, &assessed) {
                    Ok(a) => (a, plan),
                    Err(code) => return code,
                }
            } else {
                (own, plan)
            }
        }
    };
    let opts = RiskOptions {
        set: args.scenario_set.clone(),
        top: args.top,
        beta: args.beta,
        solve,
        threads: args.threads.unwrap_or(1) as usize,
        scenario_time_limit: args
            .scenario_time_limit
            .map(std::time::Duration::from_secs_f64),
    };
    let assessment = match archc::risk::assess(&a, &plan, &opts) {
        Ok(x) => x,
        Err(d) => return fail(&d, &a),
    };
    let text = match args.format {
        super::Format::Json => {
            let mut s = serde_json::to_string_pretty(&assessment).unwrap_or_default();
            s.push('\n');
            s
        }
        super::Format::Text => render_text(&assessment),
    };
    match crate::output::write_stdout(&text) {
        Ok(()) => exit::OK,
        Err(code) => code,
    }
}

/// Analyse the model for `options`; diagnostics are printed, errors give exit 1.
fn analyze(args: &RiskArgs, options: &AnalyzeOptions) -> Result<Analysis, i32> {
    let a = analyze_input(&input_of(&args.file), options)?;
    super::print_diagnostics(&a);
    if a.has_errors() || a.instance.is_none() {
        return Err(exit::MODEL_ERROR);
    }
    Ok(a)
}

/// The exit code of a solve of the model itself that gave no plan to assess.
fn unsolved(solved: &archc::solve::Solved) -> Option<i32> {
    if !solved.values().is_empty() && matches!(solved.status, Status::Optimal | Status::Feasible) {
        return None;
    }
    let (msg, code) = match solved.status {
        Status::Infeasible => (
            "the model is infeasible: there is no plan to assess",
            exit::INFEASIBLE,
        ),
        Status::Unbounded => (
            "the model is unbounded: there is no plan to assess",
            exit::UNBOUNDED,
        ),
        _ => ("the solver found no plan to assess", exit::SOLVER_ERROR),
    };
    eprintln!("{msg}");
    Some(code)
}

/// Print a diagnostic and give the exit code of its kind, as `archc solve` does.
fn fail(d: &Diagnostic, a: &Analysis) -> i32 {
    super::print_diagnostic_list(std::slice::from_ref(d), &a.sources);
    match d.code {
        Code::E0702 => exit::VERIFICATION,
        Code::E0701 | Code::E0703 | Code::E0721 | Code::E0722 => exit::SOLVER_ERROR,
        _ => exit::MODEL_ERROR,
    }
}

/// A number with the loss's unit.
fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        format_number(v)
    } else {
        format!("{} {unit}", format_number(v))
    }
}

/// The assessment as a table and a summary.
pub fn render_text(r: &Assessment) -> String {
    let unit = r.loss.unit.as_str();
    let loss_line = match r.loss.source {
        "decision" => format!(
            "loss: `{}` ({})",
            r.loss.name,
            if unit.is_empty() { "no unit" } else { unit }
        ),
        "objective" => format!(
            "loss: the scenario's share of the objective `{}` (the model declares no `as loss`)",
            r.loss.name
        ),
        _ => "loss: none declared and no objective: only whether each scenario is feasible"
            .to_string(),
    };
    let mut out = format!(
        "risk of the plan from {} over `{}` ({} scenarios)\n{loss_line}\n\n",
        if r.plan == "solution" {
            "the model's own solution".to_string()
        } else {
            format!("`{}`", r.plan)
        },
        r.scenario_set,
        r.scenarios
    );
    let header = ["rank", "scenario", "p", "down", "loss", "p×loss", "binding"];
    let mut rows: Vec<[String; 7]> = Vec::new();
    for s in &r.ranked {
        let (loss, pl) = match s.loss {
            Loss::Value(v) => (
                with_unit(v, unit),
                with_unit(s.expected.unwrap_or(0.0), unit),
            ),
            Loss::Infeasible => ("infeasible".to_string(), "-".to_string()),
            Loss::TimeLimit(None) => ("time limit".to_string(), "-".to_string()),
            Loss::TimeLimit(Some(v)) => (
                format!("time limit (best {})", with_unit(v, unit)),
                with_unit(s.expected.unwrap_or(0.0), unit),
            ),
        };
        let why = if s.loss == Loss::Infeasible {
            if s.conflict.is_empty() {
                "-".to_string()
            } else {
                format!("conflict: {}", s.conflict.join(", "))
            }
        } else if matches!(s.loss, Loss::TimeLimit(_)) {
            "cut off: no proven loss".to_string()
        } else if s.binding_rows.is_empty() {
            "-".to_string()
        } else {
            s.binding_rows
                .iter()
                .map(|b| format!("{} ({})", b.name, short_at(&b.at)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        rows.push([
            s.rank.to_string(),
            s.name.clone(),
            format_number(s.probability),
            if s.down.is_empty() {
                "-".to_string()
            } else {
                s.down.join(" ")
            },
            loss,
            pl,
            why,
        ]);
    }
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                let pad = widths[i] - c.chars().count();
                l.push_str(c);
                l.push_str(&" ".repeat(pad + 2));
            }
        }
        l.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&header.map(String::from)));
    for row in &rows {
        out.push_str(&line(row));
    }
    if r.ranked.len() < r.scenarios {
        out.push_str(&format!(
            "({} more scenarios not shown; --top N)\n",
            r.scenarios - r.ranked.len()
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "availability: {} (probability of the scenarios with no loss)\n",
        format_number(r.availability)
    ));
    if r.left_out > 0.0 {
        out.push_str(&format!(
            "left out: {} (probability the set's cutoff leaves out, not assessed)\n",
            format_number(r.left_out)
        ));
    }
    if r.infeasible_mass > 0.0 {
        out.push_str(&format!(
            "infeasible: {} (probability of the scenarios the plan cannot serve at all)\n",
            format_number(r.infeasible_mass)
        ));
    }
    if r.cut_off > 0 {
        out.push_str(&format!(
            "cut off: {} of {} scenarios, probability {} (the scenario time limit ran out \
             before a proven loss; not in the availability, expected or worst loss)\n",
            r.cut_off,
            r.scenarios,
            format_number(r.cut_off_mass)
        ));
    }
    out.push_str(&format!(
        "expected loss: {}\n",
        with_unit(r.expected_loss, unit)
    ));
    if let Some(w) = r.worst_loss {
        out.push_str(&format!("worst loss: {}\n", with_unit(w, unit)));
    }
    if let Some(c) = r.cvar {
        let v = match c.value {
            Some(v) => with_unit(v, unit),
            None if r.infeasible_mass > 0.0 => "infeasible".to_string(),
            None if r.cut_off > 0 => "unknown (scenarios cut off by the time limit)".to_string(),
            None => "undefined (the scenarios hold less probability than its tail)".to_string(),
        };
        out.push_str(&format!("cvar({}): {v}\n", format_number(c.beta)));
    }
    if r.rows_left_out > 0 {
        out.push_str(&format!(
            "rows left out: {} (risk measures, and rows that tie scenarios together)\n",
            r.rows_left_out
        ));
    }
    out
}

/// `line:col` of a `file:line:col` location (the file is the model's, shown once above).
fn short_at(at: &str) -> String {
    let mut parts = at.rsplitn(3, ':');
    match (parts.next(), parts.next()) {
        (Some(col), Some(line)) => format!("line {line}:{col}"),
        _ => at.to_string(),
    }
}
