//! Partitioned solving (POP): the elements of one index set, the granular items of the model
//! (services to place, demands to route), are dealt at random into `k` parts ([`split`]);
//! each part is a model of its own with its share of every shared resource, solved in
//! parallel with one solver per part; the plans are merged, verified against the full model
//! and repaired where they break a row ([`merge`]). The gap is to a bound proven on the full
//! model ([`crate::solve::bound`]), never assumed.
//!
//! Sits after instantiation: it reads the IR and the instance's sets, and calls the MILP
//! backend through [`crate::solve::solve_milp`] for each part.

pub mod embed;
pub mod merge;
pub mod shard;
pub mod split;

use crate::backends::types::{RawSolution, SolveOptions, Status};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::Model;
use merge::{PartPlan, Repair};
use rayon::prelude::*;
use serde::Serialize;
pub use split::Split;
use std::time::Instant;

/// The default seed of the random deal.
pub const DEFAULT_SEED: u64 = 1;

/// `--partition SET:K`: which set to split and into how many parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionSpec {
    pub set: String,
    pub k: u32,
}

impl PartitionSpec {
    /// Parse `SET:K` (K from 1 to 1,000,000). E0730 otherwise.
    pub fn parse(text: &str) -> Result<PartitionSpec, Diagnostic> {
        let bad = |why: &str| {
            Diagnostic::error(Code::E0730, format!("bad --partition `{text}`: {why}")).help(
                "write the set to split and the number of parts, as in `--partition services:16`",
            )
        };
        let (set, k) = text
            .rsplit_once(':')
            .ok_or_else(|| bad("it needs `:K`, the number of parts"))?;
        let set = set.trim();
        if set.is_empty() {
            return Err(bad("the set name is missing"));
        }
        let k: u32 = k
            .trim()
            .parse()
            .map_err(|_| bad("the number of parts must be a whole number"))?;
        if !(1..=1_000_000).contains(&k) {
            return Err(bad("the number of parts must be from 1 to 1000000"));
        }
        Ok(PartitionSpec {
            set: set.to_string(),
            k,
        })
    }
}

/// Where the set of a partitioned solve was named.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionFrom {
    /// `--partition SET:K` (or the shard files of such a solve).
    #[default]
    CommandLine,
    /// The model's `partition SET into K`.
    Model,
}

impl PartitionFrom {
    /// How the report says it: `--partition`, `the model`.
    pub fn describe(self) -> &'static str {
        match self {
            PartitionFrom::CommandLine => "--partition",
            PartitionFrom::Model => "the model",
        }
    }
}

/// The model's own partition (`partition SET into K`, from the HIR), with the span of the
/// declaration: `None` when the model names none or did not check.
pub fn model_spec(
    analysis: &crate::analysis::Analysis,
) -> Option<(PartitionSpec, crate::span::Span)> {
    let p = analysis.hir.as_ref()?.partition.as_ref()?;
    let set = analysis.schema.as_ref()?.sets.get(p.set.index())?;
    Some((
        PartitionSpec {
            set: set.name.clone(),
            k: p.parts,
        },
        p.span,
    ))
}

/// The elements (ids into [`Model::elements`]) of the named set of an instance. E0255 when
/// the model has no set of that name.
pub fn set_elements(
    schema: &crate::check::Schema,
    instance: &crate::instantiate::Instance,
    name: &str,
) -> Result<Vec<u32>, Diagnostic> {
    let Some(id) = schema.sets.iter().position(|s| s.name == name) else {
        let names: Vec<&str> = schema.sets.iter().map(|s| s.name.as_str()).collect();
        let mut d = Diagnostic::error(
            Code::E0255,
            format!("--partition names `{name}`, which is not a set of the model"),
        );
        if let Some(best) = names
            .iter()
            .min_by(|a, b| strsim::levenshtein(a, name).cmp(&strsim::levenshtein(b, name)))
            .filter(|b| strsim::levenshtein(b, name) <= 2)
        {
            d = d.help(format!("did you mean `{best}`?"));
        } else if !names.is_empty() {
            d = d.help(format!("the model's sets are: {}", names.join(", ")));
        }
        return Err(d);
    };
    if let Some(Some(v)) = instance.world.sets.get(id) {
        return Ok(v.elems.clone());
    }
    if let crate::check::SetDef::Kind(k) = &schema.sets[id].def {
        if let Some(t) = instance.world.kinds.get(*k) {
            return Ok(t.elems.clone());
        }
    }
    Err(Diagnostic::error(
        Code::E0660,
        format!("no decision is indexed over `{name}`, so partitioning it splits nothing"),
    )
    .primary(schema.sets[id].span, "this set is not used by any decision"))
}

/// One part of a partitioned solve, as reported.
#[derive(Clone, Debug, Serialize)]
pub struct PartReport {
    pub part: u32,
    pub items: usize,
    pub status: String,
    pub time_ms: u64,
    pub objective: Option<f64>,
}

/// How a plan was found at scale: the parts, the repair, the bound and the gap.
#[derive(Clone, Debug, Serialize)]
pub struct ScaleReport {
    /// `partitioned`, `search` or `merged shards`.
    pub method: String,
    pub set: String,
    pub k: u32,
    pub seed: u64,
    /// Where the set was named: `command_line` (`--partition`) or `model` (`partition SET
    /// into K`); absent for a search without a partitioned start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_from: Option<PartitionFrom>,
    /// The plan the search started from: `greedy`, `lp` (the rounded LP relaxation) or
    /// `partition` (absent for a partitioned solve).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// The objective of the search's start plan, and whether it met every row (the search
    /// repairs one that does not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_objective: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_feasible: Option<bool>,
    /// Rows that sum over items of several parts (their sides are scaled by share).
    pub coupling_rows: usize,
    /// Items split into a piece in every part (`--split-large`); absent when none.
    #[serde(skip_serializing_if = "is_zero")]
    pub split_items: usize,
    pub parts: Vec<PartReport>,
    pub repair: Repair,
    /// The objective of the merged, repaired, verified plan.
    pub objective: Option<f64>,
    pub bound: Option<crate::solve::bound::Bound>,
    /// Relative gap between the objective and the bound.
    pub gap: Option<f64>,
    pub time_ms: u64,
    /// Moves tried by the search backend (absent for a partitioned solve).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moves: Option<u64>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Solve one part of `split`: its model built, solved (one solver thread) and mapped back
/// to the full model's columns. Errors only when the solver is not built in (E0701).
pub fn solve_part(
    full: &Model,
    split: &Split,
    p: u32,
    opts: &SolveOptions,
) -> Result<PartPlan, Diagnostic> {
    let started = Instant::now();
    let part = split::part_model(full, split, p);
    let part_opts = SolveOptions {
        threads: Some(1),
        quiet: true,
        ..opts.clone()
    };
    if let Some(plan) = search_part(&part, p, &part_opts, split.seed, started) {
        return Ok(plan);
    }
    let raw = crate::solve::solve_milp(&part.model, &part_opts)?;
    let values: Vec<(u32, f64)> = raw
        .values
        .iter()
        .zip(&part.cols)
        .filter(|(v, _)| **v != 0.0)
        .map(|(v, c)| (c.0, *v))
        .collect();
    let has_plan = !raw.values.is_empty() || part.cols.is_empty();
    let solved = matches!(raw.status, Status::Optimal | Status::Feasible) && has_plan;
    if !solved && !matches!(raw.status, Status::Infeasible | Status::Unbounded) {
        // No plan within the part's share of the time limit (a cold MILP solve of a part
        // may need longer than a share of a minute): the search gives the part a plan when
        // it has the assignment shape, rather than leaving every item of the part to the
        // repair of the merged plan.
        let quick = SolveOptions {
            time_limit: Some(
                opts.time_limit
                    .map_or(FALLBACK_SEARCH, |t| (t / 2).max(FALLBACK_SEARCH_MIN)),
            ),
            ..part_opts
        };
        if let Some(mut plan) = search_part_of(&part, p, &quick, split.seed, started, 0) {
            plan.status = format!("{} after {} (milp)", plan.status, status_name(raw.status));
            return Ok(plan);
        }
    }
    Ok(PartPlan {
        part: p,
        solved,
        status: status_name(raw.status).to_string(),
        time_ms: started.elapsed().as_millis() as u64,
        objective: solved.then_some(raw.objective),
        values,
    })
}

/// Parts with more integer columns than this are solved by the search backend when they have
/// the assignment shape: a cold MILP solve of one rarely finds a plan in a time limit worth
/// waiting for (HiGHS found none in 60 s for 5,000 services x 100 sites).
pub const PART_MILP_COLUMNS: usize = 50_000;

/// A large part of the assignment shape solved by the local search for its time limit (30 s
/// when none), `None` for a part left to MILP.
fn search_part(
    part: &split::PartModel,
    p: u32,
    opts: &SolveOptions,
    seed: u64,
    started: Instant,
) -> Option<PartPlan> {
    search_part_of(part, p, opts, seed, started, PART_MILP_COLUMNS)
}

/// The search's time limit for a part that MILP left without a plan, when there is no time
/// limit, and its least when there is one.
const FALLBACK_SEARCH: std::time::Duration = std::time::Duration::from_secs(10);
const FALLBACK_SEARCH_MIN: std::time::Duration = std::time::Duration::from_millis(500);

/// [`search_part`] for a part with more than `above` integer columns.
fn search_part_of(
    part: &split::PartModel,
    p: u32,
    opts: &SolveOptions,
    seed: u64,
    started: Instant,
    above: usize,
) -> Option<PartPlan> {
    let ints = part
        .model
        .columns
        .iter()
        .filter(|c| c.kind != crate::ir::VarKind::Continuous)
        .count();
    if ints <= above {
        return None;
    }
    let shape = crate::backends::search::shape::Shape::of(&part.model).ok()?;
    let found = crate::backends::search::search(
        &part.model,
        &shape,
        &crate::backends::search::SearchOptions {
            time_limit: opts
                .time_limit
                .unwrap_or(crate::solve::search::DEFAULT_TIME_LIMIT),
            seed: seed.wrapping_add(u64::from(p)),
            start: None,
            progress: &|_| {},
            control: &opts.control,
            inbox: None,
        },
    );
    let solved = found.feasible;
    Some(PartPlan {
        part: p,
        solved,
        status: if solved {
            "feasible (search)"
        } else {
            "no plan (search)"
        }
        .to_string(),
        time_ms: started.elapsed().as_millis() as u64,
        objective: solved
            .then(|| crate::solve::verify::objective_value(&part.model, &found.values)),
        values: found
            .values
            .iter()
            .zip(&part.cols)
            .filter(|(v, _)| **v != 0.0)
            .map(|(v, c)| (c.0, *v))
            .collect(),
    })
}

/// Of a partitioned solve's time limit, the share the parts get (the merge's repair and the
/// bound have the rest).
const PARTS_SHARE: f64 = 0.6;

/// The options of each part of an in-process partitioned solve: the time limit shared out
/// over the waves of parts the threads run one after another, [`PARTS_SHARE`] of it in all.
pub fn part_options(split: &Split, opts: &SolveOptions) -> SolveOptions {
    let threads = opts
        .threads
        .map_or_else(rayon::current_num_threads, |t| t as usize)
        .max(1);
    let waves = (split.k as usize).div_ceil(threads).max(1);
    SolveOptions {
        time_limit: opts
            .time_limit
            .map(|t| t.mul_f64(PARTS_SHARE / waves as f64)),
        ..opts.clone()
    }
}

/// The repair's options: what is left of the time limit after the parts (at least a tenth).
pub fn rest_options(opts: &SolveOptions, started: Instant) -> SolveOptions {
    SolveOptions {
        time_limit: opts
            .time_limit
            .map(|t| t.saturating_sub(started.elapsed()).max(t / 10)),
        ..opts.clone()
    }
}

/// Whether a stop request (Ctrl-C) came while the parts were solved (HiGHS parts stop with
/// their best plans). The request is set aside so that the repair can solve, and raised
/// again by [`finish_with`] once the plan is whole.
fn parts_interrupted(opts: &SolveOptions) -> bool {
    let interrupted = opts.control.stop_requested();
    if interrupted {
        opts.control.reset();
    }
    interrupted
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Optimal => "optimal",
        Status::Feasible => "feasible",
        Status::Infeasible => "infeasible",
        Status::Unbounded => "unbounded",
        Status::Error => "error",
    }
}

/// Solve the parts `parts` of `split` in parallel on `threads` threads (all cores when
/// `None`).
pub fn solve_parts(
    full: &Model,
    split: &Split,
    parts: &[u32],
    opts: &SolveOptions,
) -> Result<Vec<PartPlan>, Diagnostic> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = opts.threads {
        builder = builder.num_threads(t as usize);
    }
    let pool = builder.build().map_err(|e| {
        Diagnostic::error(Code::E0703, format!("cannot start the solver threads: {e}"))
    })?;
    pool.install(|| {
        parts
            .par_iter()
            .map(|&p| solve_part(full, split, p, opts))
            .collect()
    })
}

/// Merge part plans, repair, verify against the full model and bound it: the end of a
/// partitioned solve, in process or from shard files. Returns the raw solution (status
/// `Feasible`, with the bound and gap) and the report.
pub fn finish(
    full: &Model,
    split: &Split,
    plans: &[PartPlan],
    opts: &SolveOptions,
    method: &str,
    started: Instant,
) -> (RawSolution, ScaleReport) {
    finish_with(full, split, plans, opts, method, started, true, false)
}

/// [`finish`], with the bound computed only when `with_bound` (a plan that only starts a
/// search is bounded by the search), and the plan marked as stopped by Ctrl-C when
/// `interrupted`.
#[allow(clippy::too_many_arguments)]
fn finish_with(
    full: &Model,
    split: &Split,
    plans: &[PartPlan],
    opts: &SolveOptions,
    method: &str,
    started: Instant,
    with_bound: bool,
    interrupted: bool,
) -> (RawSolution, ScaleReport) {
    let mut values = merge::merge(full, split, plans);
    let failed: Vec<u32> = plans.iter().filter(|p| !p.solved).map(|p| p.part).collect();
    let repair = merge::repair(full, split, &mut values, &failed, opts);
    if interrupted {
        // The bound and any search after this stop at once.
        opts.control.request_stop();
    }
    let solver = crate::backends::milp::choose_solver(opts.solver)
        .unwrap_or(crate::backends::types::SolverKind::Microlp);
    let feasible =
        repair.ok && crate::solve::verify::verify(full, &values, &Default::default()).is_ok();
    let objective = feasible.then(|| crate::solve::verify::objective_value(full, &values));
    let bound = if with_bound {
        crate::solve::bound::bound(full, opts, &|| objective)
    } else {
        None
    };
    let sense = full
        .objective
        .as_ref()
        .map_or(crate::ir::Sense::Minimize, |o| o.sense);
    let gap = match (objective, &bound) {
        (Some(o), Some(b)) => Some(crate::solve::bound::relative_gap(o, b.value, sense)),
        _ => None,
    };
    let report = ScaleReport {
        method: method.to_string(),
        set: split.set.clone(),
        k: split.k,
        seed: split.seed,
        partition_from: Some(split.from),
        start: None,
        start_objective: None,
        start_feasible: None,
        coupling_rows: split.coupling_rows(),
        split_items: split.split_items,
        parts: plans
            .iter()
            .map(|p| PartReport {
                part: p.part,
                items: split
                    .items_per_part
                    .get(p.part as usize)
                    .copied()
                    .unwrap_or(0),
                status: p.status.clone(),
                time_ms: p.time_ms,
                objective: p.objective,
            })
            .collect(),
        repair,
        objective,
        bound: bound.clone(),
        gap,
        time_ms: started.elapsed().as_millis() as u64,
        moves: None,
    };
    let raw = RawSolution {
        status: if feasible {
            Status::Feasible
        } else {
            Status::Error
        },
        values: if feasible { values } else { Vec::new() },
        objective: objective.unwrap_or(f64::NAN),
        gap,
        dual_bound: bound.map(|b| b.value),
        stop: interrupted.then_some(crate::backends::types::Stop::Interrupted),
        solver,
        time: started.elapsed(),
        duals: None,
        message: if feasible {
            String::new()
        } else {
            "the merged plan of the parts could not be repaired into a plan of the full model"
                .into()
        },
    };
    (raw, report)
}

/// A partitioned solve of `full`: every part solved in parallel, then [`finish`]ed.
pub fn solve_partitioned(
    full: &Model,
    split: &Split,
    opts: &SolveOptions,
) -> Result<(RawSolution, ScaleReport), Diagnostic> {
    let started = Instant::now();
    let parts: Vec<u32> = (0..split.k).collect();
    let plans = solve_parts(full, split, &parts, &part_options(split, opts))?;
    let interrupted = parts_interrupted(opts);
    Ok(finish_with(
        full,
        split,
        &plans,
        &rest_options(opts, started),
        "partitioned",
        started,
        true,
        interrupted,
    ))
}

/// The merged, repaired plan of a partitioned solve without a bound (the start of a search,
/// which computes the bound itself): the values of a verified plan, `None` when there is none.
pub fn partitioned_plan(
    full: &Model,
    split: &Split,
    opts: &SolveOptions,
) -> Result<Option<Vec<f64>>, Diagnostic> {
    let started = Instant::now();
    let parts: Vec<u32> = (0..split.k).collect();
    let plans = solve_parts(full, split, &parts, &part_options(split, opts))?;
    let interrupted = parts_interrupted(opts);
    let (raw, _) = finish_with(
        full,
        split,
        &plans,
        &rest_options(opts, started),
        "partitioned",
        started,
        false,
        interrupted,
    );
    Ok((!raw.values.is_empty()).then_some(raw.values))
}

/// [`solve_partitioned`] as the MILP step of [`crate::solve::solve_with`]: the plan verified
/// against the full model (E0702 when it is not), with the report kept in `report`.
pub fn solve_model_partitioned(
    full: &Model,
    split: &Split,
    opts: &SolveOptions,
    report: &mut Option<ScaleReport>,
) -> Result<crate::solve::MilpSolved, Diagnostic> {
    crate::solve::search::refuse_ranked_objectives(full, "--partition")?;
    let started = Instant::now();
    let (raw, scale) = solve_partitioned(full, split, opts)?;
    let solve_time = started.elapsed();
    let mut timings = crate::analysis::Timings::default();
    timings.push("solve", solve_time);
    let started = Instant::now();
    let verification = if raw.values.is_empty() {
        None
    } else {
        let v = crate::solve::verify::verify(full, &raw.values, &Default::default());
        if let Some(d) = v.to_diagnostic(full) {
            return Err(d);
        }
        Some(v)
    };
    timings.push("verify", started.elapsed());
    let reason = format!(
        "partitioned — `{}` split into {} parts{} (seed {}), {} coupling rows, {} columns",
        split.set,
        split.k,
        match split.from {
            PartitionFrom::Model => " as the model's `partition` says",
            PartitionFrom::CommandLine => "",
        },
        split.seed,
        scale.coupling_rows,
        full.num_columns()
    );
    *report = Some(scale);
    Ok(crate::solve::MilpSolved {
        raw,
        verification,
        backend: "milp",
        reason,
        timings,
        stages: Vec::new(),
    })
}
