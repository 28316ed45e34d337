//! `archc solve --partition SET:K [--seed N]`: the model is split by the set's elements into
//! K parts solved in parallel, merged, repaired and verified against the full model
//! ([`archc::partition`]); the report says how, with the gap to a proven bound.

use crate::solve::{BackendArg, SolveArgs};
use archc::analysis::Analysis;
use archc::diagnostics::Diagnostic;
use archc::partition::{PartitionFrom, PartitionSpec, ScaleReport, Split};
use archc::solve::search::SearchStart;
use archc::solve::{MilpSolved, SolveOptions};

/// The flags of a partitioned solve, on `archc solve`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ScaleArgs {
    /// Split the model by the elements of SET into K parts solved in parallel (POP), e.g.
    /// `services:16`; the merged plan is verified against the full model. Replaces the
    /// model's own `partition SET into K` for this run; `off` solves the whole model.
    #[arg(long, value_name = "SET:K|off")]
    pub partition: Option<String>,
    /// Seed of the random deal of elements into parts.
    #[arg(long, value_name = "N", default_value_t = archc::partition::DEFAULT_SEED)]
    pub seed: u64,
    /// Split the largest PERCENT of the items into a piece in every part, as POP splits
    /// large clients: items whose columns are all continuous and that have a row of their
    /// own with a finite side (a demand, a volume), the largest side first. 0 splits none.
    #[arg(long, value_name = "PERCENT", default_value_t = 0.0)]
    pub split_large: f64,
    /// Solve only part i of the N parts of `--partition SET:N` (or of the model's `partition
    /// SET into N`), counting from 0, and write its plan as JSON for `archc merge`; `auto/N`
    /// reads i from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "i/N")]
    pub shard: Option<String>,
    /// The plan the search backend starts from: `greedy` (each item on its best option
    /// given those placed before it), `lp` (the LP relaxation rounded: each item on its
    /// option of largest LP value), `lagrange` (plans built from the Lagrangian bound's
    /// relaxed solutions: its open places, items by regret; later, better ones are taken
    /// while the search runs) or `partition` (the merged plan of a partitioned solve).
    /// Default: `partition` when the solve is partitioned, else `lp` for models of up to
    /// 200,000 columns (whose LP relaxation is solved for the bound anyway), else `lagrange`.
    #[arg(long, value_enum, value_name = "START")]
    pub search_start: Option<SearchStartArg>,
}

/// `--search-start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SearchStartArg {
    Greedy,
    Lp,
    Lagrange,
    Partition,
}

/// `--partition off`: solve the whole model even when it names a partition.
const PARTITION_OFF: &str = "off";

/// The split of this solve, if any: `--partition SET:K` when given (a note on stderr, unless
/// `quiet`, when it replaces the model's own), else the model's `partition SET into K`;
/// none with `--partition off`. E0730 for a bad value, E0255 for an unknown set, E0660 for
/// a set that indexes no decision.
pub fn split_of(args: &ScaleArgs, a: &Analysis, quiet: bool) -> Result<Option<Split>, Diagnostic> {
    if !(0.0..=100.0).contains(&args.split_large) {
        return Err(Diagnostic::error(
            archc::diagnostics::Code::E0730,
            format!(
                "bad --split-large `{}`: a percentage from 0 to 100",
                args.split_large
            ),
        )
        .help("give the share of the items to split into pieces, as in `--split-large 10`"));
    }
    let unsplit = || {
        if args.split_large > 0.0 {
            return Err(Diagnostic::error(
                archc::diagnostics::Code::E0730,
                "--split-large splits the items of a partitioned solve, and this solve is not partitioned",
            )
            .help("give `--partition SET:K` too, or declare `partition SET into K` in the model"));
        }
        Ok(None)
    };
    let model = archc::partition::model_spec(a);
    let (spec, from) = match (args.partition.as_deref(), model) {
        (Some(text), _) if text.trim() == PARTITION_OFF => return unsplit(),
        (Some(text), model) => {
            let spec = PartitionSpec::parse(text)?;
            if let (Some((m, span)), false) = (model, quiet) {
                let f = a.sources.get(span.file);
                let (line, _) = archc::span::line_col(&f.text, span.start as usize);
                eprintln!(
                    "note: --partition {}:{} replaces the model's `partition {} into {}` ({}:{line}) for this run",
                    spec.set, spec.k, m.set, m.k, f.name
                );
            }
            (spec, PartitionFrom::CommandLine)
        }
        (None, Some((m, _))) => (m, PartitionFrom::Model),
        (None, None) => return unsplit(),
    };
    let (Some(schema), Some(inst)) = (a.schema.as_ref(), a.instance.as_ref()) else {
        return Ok(None);
    };
    let items = archc::partition::set_elements(schema, inst, &spec.set)?;
    let mut split = Split::new(&inst.model, &spec.set, &items, spec.k, args.seed)?;
    split.from = from;
    split.split_large(&inst.model, args.split_large / 100.0);
    Ok(Some(split))
}

/// Print the one-line summary of a partitioned solve on stderr.
pub fn summary(report: &ScaleReport) {
    let gap = report
        .gap
        .map_or("unknown".to_string(), |g| format!("{:.4}%", g * 100.0));
    let how = match report.moves {
        Some(moves) => format!("{moves} moves"),
        None => format!(
            "{} parts, repair {}",
            report.k,
            if report.repair.ok { "ok" } else { "failed" }
        ),
    };
    let by = report
        .bound
        .as_ref()
        .map_or(String::new(), |b| format!(" ({})", b.method));
    eprintln!(
        "{}: {how} in {} ms, gap to the bound{by}: {gap}",
        report.method, report.time_ms
    );
}

/// The search backend's reason when it solves this model: `--backend search`, or `auto` on a
/// model too large for MILP with the assignment shape (and no partition).
pub fn search_reason(args: &SolveArgs, a: &Analysis, partitioned: bool) -> Option<String> {
    let model = &a.instance.as_ref()?.model;
    match args.backend {
        BackendArg::Search => Some("search — forced by --backend search".into()),
        BackendArg::Auto if !partitioned => archc::solve::search::auto_reason(model),
        _ => None,
    }
}

/// Run the search backend from the start `--search-start` names (by default the
/// partitioned plan when the solve is partitioned, else the rounded LP for a model of up to
/// 200,000 columns, else the Lagrangian plans), with its progress (incumbent, bound, gap) on stderr unless
/// `--quiet`.
pub fn solve_search(
    args: &SolveArgs,
    model: &archc::ir::Model,
    opts: &SolveOptions,
    split: Option<&Split>,
    report: &mut Option<ScaleReport>,
) -> Result<MilpSolved, Diagnostic> {
    // The shape is checked before the partitioned start is spent on a model without it.
    if let Err(not) = archc::backends::search::shape::Shape::of(model) {
        return Err(archc::solve::search::not_shape_diagnostic(model, &not));
    }
    let started = std::time::Instant::now();
    let wanted = match (args.scale.search_start, split) {
        (Some(s), _) => s,
        (None, Some(_)) => SearchStartArg::Partition,
        (None, None) => match archc::solve::search::default_start(model) {
            SearchStart::Lp => SearchStartArg::Lp,
            SearchStart::Lagrange => SearchStartArg::Lagrange,
            _ => SearchStartArg::Greedy,
        },
    };
    let plan = match (wanted, split) {
        (SearchStartArg::Partition, Some(split)) => {
            archc::partition::partitioned_plan(model, split, opts)?
        }
        (SearchStartArg::Partition, None) => {
            return Err(Diagnostic::error(
                archc::diagnostics::Code::E0730,
                "--search-start partition needs a partition: give --partition SET:K or declare `partition SET into K` in the model",
            ))
        }
        _ => None,
    };
    let start = match (wanted, &plan) {
        (SearchStartArg::Partition, Some(values)) => SearchStart::Plan(values),
        (SearchStartArg::Lp, _) => SearchStart::Lp,
        (SearchStartArg::Lagrange, _) => SearchStart::Lagrange,
        _ => SearchStart::Greedy,
    };
    // The search has what is left of the time limit after the partitioned start.
    let limit = opts
        .time_limit
        .unwrap_or(archc::solve::search::DEFAULT_TIME_LIMIT);
    let opts = &SolveOptions {
        time_limit: Some(limit.saturating_sub(started.elapsed()).max(limit / 10)),
        ..opts.clone()
    };
    let quiet = args.quiet;
    let sense_min = model
        .objective
        .as_ref()
        .is_none_or(|o| o.sense == archc::ir::Sense::Minimize);
    let progress = move |p: &archc::backends::search::Progress, bound: Option<f64>| {
        if quiet {
            return;
        }
        let incumbent = p
            .incumbent
            .map_or("none yet".to_string(), |v| format!("{v:.6}"));
        let gap = match (p.incumbent, bound) {
            (Some(o), Some(b)) => {
                let d = if sense_min { o - b } else { b - o };
                format!("{:.4}%", 100.0 * d.max(0.0) / o.abs().max(1e-9))
            }
            _ => "unknown".to_string(),
        };
        let bound = bound.map_or("computing".to_string(), |b| format!("{b:.6}"));
        eprintln!(
            "search {:>6.1}s  incumbent {incumbent}  bound {bound}  gap {gap}  moves {}",
            p.elapsed.as_secs_f64(),
            p.moves
        );
    };
    let solved =
        archc::solve::search::solve_search(model, opts, args.scale.seed, start, &progress, report);
    if let (Some(r), Some(split)) = (report.as_mut(), split) {
        if wanted == SearchStartArg::Partition {
            r.partition_from = Some(split.from);
            r.set.clone_from(&split.set);
            r.k = split.k;
            if plan.is_none() {
                r.start = Some("greedy (the partitioned plan could not be repaired)".into());
            }
        }
    }
    solved
}

/// Run a partitioned or search solve with Ctrl-C taken as a stop request: the search stops
/// with its best plan, HiGHS parts stop with theirs and the merged plan is repaired and
/// verified as usual (a second Ctrl-C quits at once, see [`crate::progress`]).
pub fn interruptible<T>(opts: &SolveOptions, solve: impl FnOnce() -> T) -> T {
    opts.control.reset();
    crate::progress::install_interrupt_handler();
    crate::progress::set_solving(Some(&opts.control));
    let result = solve();
    crate::progress::set_solving(None);
    opts.control.reset();
    result
}

/// The part a `--shard i/N` asks for, checked against the split (E0731).
pub fn shard_of(args: &ScaleArgs, split: &Split) -> Result<Option<u32>, Diagnostic> {
    let Some(text) = &args.shard else {
        return Ok(None);
    };
    let (i, n) = archc::partition::shard::parse_shard(text, |v| std::env::var(v).ok())?;
    if n != split.k {
        return Err(archc::diagnostics::Diagnostic::error(
            archc::diagnostics::Code::E0731,
            format!(
                "bad --shard `{text}`: it counts {n} parts, and --partition splits `{}` into {}",
                split.set, split.k
            ),
        )
        .help("give --shard the same number of parts as --partition: `--partition services:16 --shard 3/16`"));
    }
    Ok(Some(i))
}

/// Solve one shard and write its plan (JSON) to `--out` or stdout. Exit code 0 when the file
/// is written, whether or not the part has a plan (the merge repairs a part without one).
pub fn run_shard(
    args: &SolveArgs,
    model: &archc::ir::Model,
    name: &str,
    split: &Split,
    part: u32,
    opts: &SolveOptions,
) -> i32 {
    let plan = match archc::partition::solve_parts(model, split, &[part], opts) {
        Ok(mut plans) => match plans.pop() {
            Some(p) => p,
            None => return crate::exit::SOLVER_ERROR,
        },
        Err(d) => {
            eprintln!("error[{}]: {}", d.code, d.message);
            return crate::exit::SOLVER_ERROR;
        }
    };
    if !args.quiet {
        eprintln!(
            "shard {part}/{}: {} items, {} in {} ms",
            split.k,
            split
                .items_per_part
                .get(part as usize)
                .copied()
                .unwrap_or(0),
            plan.status,
            plan.time_ms
        );
    }
    let file = archc::partition::embed::shard_file(model, name, split, plan);
    let text = match serde_json::to_string(&file) {
        Ok(t) => t + "\n",
        Err(e) => {
            eprintln!("error: cannot write the shard plan as JSON: {e}");
            return crate::exit::IO;
        }
    };
    let written = match &args.out {
        Some(p) => crate::output::write_file(p, &text),
        None => crate::output::write_stdout(&text),
    };
    match written {
        Ok(()) => crate::exit::OK,
        Err(code) => code,
    }
}
