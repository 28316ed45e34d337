//! Objectives in priority order (`minimize cost ... within 1 %` then `then minimize moves:
//! ...`): the MILP step of the one solve path when a model ranks several objectives. Stage
//! `k` solves objective `k` over the model plus one row per earlier objective that keeps it
//! within its tolerance of the optimum its own stage found. Every stage's plan is verified
//! against the model with those rows ([`super::solve_model`] does it), and the value of every
//! objective at every stage's plan is reported as a [`Stage`].
//!
//! A kept optimum is never an exact equality: on top of the stated tolerance, each limit
//! allows [`NUMERICAL_TOLERANCE`] times the optimum's magnitude (at least 1), so that a
//! solver's round-off cannot make the next stage infeasible.

use super::{MilpSolved, SolveOptions, Status};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ColId, Decl, DeclKind, Model, Objective, Origin, Row, Sense, Tolerance};
use serde::Serialize;
use std::collections::BTreeMap;

/// The slack every kept objective has beyond its stated tolerance, relative to the
/// magnitude of its optimum (and absolute below 1).
pub const NUMERICAL_TOLERANCE: f64 = 1e-6;

/// One stage of a solve with ranked objectives.
#[derive(Clone, Debug, Serialize)]
pub struct Stage {
    /// The objective this stage optimises.
    pub objective: String,
    pub sense: Sense,
    pub unit: String,
    pub status: Status,
    /// The value of this stage's objective at its plan.
    pub optimum: f64,
    /// The limit this objective is kept within in the later stages (`None` for the last).
    pub limit: Option<f64>,
    /// The value of every objective, in priority order, at this stage's plan.
    pub values: Vec<f64>,
    pub time_ms: u64,
}

/// The objectives of a model in priority order: [`Model::objective`] then
/// [`Model::later_objectives`].
pub fn ranked_objectives(model: &Model) -> Vec<&Objective> {
    model
        .objective
        .iter()
        .chain(&model.later_objectives)
        .collect()
}

/// The value of an objective at a plan (one value per column), in its unit.
pub fn objective_value(objective: &Objective, values: &[f64]) -> f64 {
    objective
        .terms
        .iter()
        .map(|t| {
            t.constant
                + t.coefs
                    .iter()
                    .map(|&(c, v)| v * values.get(c.0 as usize).copied().unwrap_or(0.0))
                    .sum::<f64>()
        })
        .sum()
}

/// The limit an objective is kept within once its stage found `optimum`: the optimum
/// worsened by the tolerance and by [`NUMERICAL_TOLERANCE`].
pub fn limit(sense: Sense, optimum: f64, tolerance: Tolerance) -> f64 {
    let allowed = tolerance.absolute
        + tolerance.relative * optimum.abs()
        + NUMERICAL_TOLERANCE * optimum.abs().max(1.0);
    match sense {
        Sense::Minimize => optimum + allowed,
        Sense::Maximize => optimum - allowed,
    }
}

/// Add the row that keeps `objective` within `limit` (a derived row whose origin is the
/// objective's declaration).
pub fn add_keep_row(model: &mut Model, objective: &Objective, limit: f64) {
    let decl = model.add_decl(Decl {
        name: format!("keep {}", objective.name),
        kind: DeclKind::Derived,
        span: objective.span,
        index_names: Vec::new(),
        unit: objective.unit.clone(),
        note: "an objective kept within its tolerance while later objectives are solved".into(),
    });
    let tuple = model.add_tuple(&[]);
    let mut merged: BTreeMap<u32, f64> = BTreeMap::new();
    let mut constant = 0.0;
    for t in &objective.terms {
        constant += t.constant;
        for &(c, v) in &t.coefs {
            *merged.entry(c.0).or_insert(0.0) += v;
        }
    }
    let bound = limit - constant;
    let (lo, hi) = match objective.sense {
        Sense::Minimize => (f64::NEG_INFINITY, bound),
        Sense::Maximize => (bound, f64::INFINITY),
    };
    model.add_row(
        Row {
            lo,
            hi,
            origin: Origin { decl, tuple },
        },
        merged
            .into_iter()
            .filter(|&(_, v)| v != 0.0)
            .map(|(c, v)| (ColId(c), v)),
    );
}

/// The model of stage `k` (counting from 0) of a solve with ranked objectives, to hand to
/// another solver: objective `k` alone, with one row per earlier objective that keeps it
/// within its tolerance of the optimum its own stage found. The earlier stages are solved
/// here with `single` (each verified, as in [`solve_ranked`]) and returned with the model.
/// Stage 0 is the model with its first objective and no kept rows.
pub fn stage_model(
    model: &Model,
    k: usize,
    opts: &SolveOptions,
    single: impl Fn(&Model, &SolveOptions) -> Result<MilpSolved, Diagnostic>,
) -> Result<(Model, Vec<Stage>), Diagnostic> {
    let objectives = ranked_objectives(model);
    let Some(objective) = objectives.get(k) else {
        return Err(Diagnostic::error(
            Code::E0703,
            format!(
                "the model has {} objectives in priority order: there is no stage {}",
                objectives.len(),
                k + 1
            ),
        ));
    };
    let mut staged = model.clone();
    staged.later_objectives.clear();
    staged.tolerances.clear();
    if k == 0 {
        return Ok((staged, Vec::new()));
    }
    let mut earlier = model.clone();
    earlier.later_objectives.truncate(k - 1);
    let solved = solve_ranked(&earlier, opts, single)?;
    if solved.raw.values.is_empty() || solved.stages.len() < k {
        let stage = solved.stages.len() + 1;
        let mut d = Diagnostic::error(
            Code::E0703,
            format!(
                "stage {stage} (`{}`) found no plan, so the rows that keep it for stage {} (`{}`) cannot be written",
                objectives[stage - 1].name,
                k + 1,
                objective.name
            ),
        );
        if !solved.raw.message.is_empty() {
            d = d.note(solved.raw.message.clone());
        }
        return Err(d);
    }
    for (stage, earlier_objective) in solved.stages.iter().zip(&objectives) {
        if let Some(l) = stage.limit {
            add_keep_row(&mut staged, earlier_objective, l);
        }
    }
    staged.objective = Some((*objective).clone());
    Ok((staged, solved.stages))
}

/// The worse of two statuses of stages that both have a plan.
fn worse(a: Status, b: Status) -> Status {
    if a == Status::Optimal {
        b
    } else {
        a
    }
}

/// Solve a model with ranked objectives stage by stage, each stage with `single` (the MILP
/// step for one objective, which verifies its plan). The result is the last stage's plan,
/// with the first objective's value as its objective, the first stage's bound on it (its
/// optimum when the solver gives no bound), the largest gap of any stage, the duals of the
/// model's own rows, and every stage in
/// [`MilpSolved::stages`]. A stage without a plan ends the solve there: the first with its
/// own status (infeasible, unbounded), a later one as an error that says which stage.
pub fn solve_ranked(
    model: &Model,
    opts: &SolveOptions,
    single: impl Fn(&Model, &SolveOptions) -> Result<MilpSolved, Diagnostic>,
) -> Result<MilpSolved, Diagnostic> {
    let objectives = ranked_objectives(model);
    let mut staged = model.clone();
    staged.later_objectives.clear();
    staged.tolerances.clear();
    let mut stages: Vec<Stage> = Vec::new();
    let mut timings = crate::analysis::Timings::default();
    let mut total_time = std::time::Duration::ZERO;
    let mut gap: Option<f64> = None;
    let mut dual_bound: Option<f64> = None;
    let mut status = Status::Optimal;
    let mut last: Option<MilpSolved> = None;
    for (k, objective) in objectives.iter().enumerate() {
        staged.objective = Some((*objective).clone());
        let mut solved = single(&staged, opts)?;
        timings.phases.append(&mut solved.timings.phases);
        total_time += solved.raw.time;
        if solved.raw.values.is_empty() {
            if k > 0 {
                solved.raw.status = Status::Error;
                solved.raw.message = format!(
                    "stage {} (`{}`) found no plan within the limits kept on the objectives before it: {}",
                    k + 1,
                    objective.name,
                    solved.raw.message
                );
            }
            solved.timings = timings;
            solved.stages = stages;
            solved.raw.time = total_time;
            solved.raw.duals = None;
            return Ok(solved);
        }
        status = worse(status, solved.raw.status);
        let values: Vec<f64> = objectives
            .iter()
            .map(|o| objective_value(o, &solved.raw.values))
            .collect();
        let optimum = values[k];
        gap = match (gap, solved.raw.gap) {
            (Some(a), Some(b)) => Some(f64::max(a, b)),
            (a, b) => a.or(b),
        };
        if k == 0 {
            dual_bound = solved
                .raw
                .dual_bound
                .or_else(|| (solved.raw.status == Status::Optimal).then_some(optimum));
        }
        let kept = model
            .tolerances
            .get(k)
            .map(|&t| limit(objective.sense, optimum, t));
        stages.push(Stage {
            objective: objective.name.clone(),
            sense: objective.sense,
            unit: objective.unit.clone(),
            status: solved.raw.status,
            optimum,
            limit: kept,
            values,
            time_ms: solved.raw.time.as_millis() as u64,
        });
        if let Some(l) = kept {
            add_keep_row(&mut staged, objective, l);
        }
        last = Some(solved);
    }
    let Some(mut out) = last else {
        return Err(Diagnostic::error(
            Code::E0703,
            "the model has no objective to solve in priority order",
        ));
    };
    out.raw.objective = stages.last().map(|s| s.values[0]).unwrap_or(f64::NAN);
    out.raw.status = status;
    out.raw.gap = gap;
    out.raw.dual_bound = dual_bound;
    if let Some(d) = &mut out.raw.duals {
        d.truncate(model.num_rows());
    }
    out.raw.time = total_time;
    out.reason = format!(
        "milp ({}) — {} columns ({} integer), {} rows, {} objectives in priority order",
        out.raw.solver.name(),
        model.num_columns(),
        model
            .columns
            .iter()
            .filter(|c| c.kind != crate::ir::VarKind::Continuous)
            .count(),
        model.num_rows(),
        objectives.len()
    );
    out.timings = timings;
    out.stages = stages;
    Ok(out)
}
