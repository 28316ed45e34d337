//! Plans over ordered sets (`plan NAME[index] over q in SET { ... }`): the choice between
//! the DP backend and the MILP lowering, the DP solve with its verification, and reports of
//! plan trajectories.

use crate::diagnostics::Code;
pub mod affine;
mod cexpr;
pub mod compile;
pub mod dp;
pub mod milp;

use crate::backends::dp::{self as dpb, DpBudget, DpOptions, StagePlan};
use crate::check::Schema;
use crate::diagnostics::Diagnostic;
use crate::hir;
use crate::instantiate::{Inst, Instance};
use crate::source::SourceMap;
use crate::span::Span;
use crate::syntax::ast::{AggKind, BinOp};
use serde::Serialize;

/// Which backend the user asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    #[default]
    Auto,
    Dp,
    Milp,
}

/// The backend a model is solved with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Dp,
    Milp,
}

/// Can the DP backend take the model? Only independent plans whose costs make up the
/// objective. On failure: why, and where. The objective is read from the HIR, where a plan
/// cost is the node the checker resolved (`build[r].cost`), not a name like a plan's.
pub fn dp_eligible(schema: &Schema, hir: &crate::hir::Model) -> Result<(), (String, Span)> {
    if let Some(d) = schema.decisions.first() {
        return Err((
            format!("the model has decisions outside plans (`{}`)", d.name),
            d.span,
        ));
    }
    if let Some(c) = schema.constraints.first() {
        return Err((format!("constraint `{}` couples the plans", c.name), c.span));
    }
    if let Some(o) = schema.objectives.get(1) {
        return Err((
            "the model ranks several objectives (`then`), and the DP backend solves one".into(),
            o.span,
        ));
    }
    if let Some(o) = schema.objectives.first() {
        if o.decl.sense != crate::syntax::ast::ObjectiveSense::Minimize {
            return Err((
                "the DP backend minimises plan costs; the objective maximises".into(),
                o.span,
            ));
        }
        let Some(body) = hir.objectives.first().map(|h| &h.body.body) else {
            return Err(("the objective has no HIR".into(), o.span));
        };
        let mut terms = Vec::new();
        split(body, &mut terms);
        // The DP backend minimises every plan instance's cost and adds them up: the
        // objective must count each plan's whole cost once.
        let mut counted = vec![false; hir.plans.len()];
        for t in terms {
            let why = match whole_plan_cost(hir, t) {
                Ok(p) if !counted[p] => {
                    counted[p] = true;
                    continue;
                }
                Ok(p) => format!(
                    "objective `{}` counts the cost of plan `{}` twice",
                    o.name, schema.plans[p].name
                ),
                Err(Some(p)) => format!(
                    "objective `{}` counts the cost of some instances of plan `{}`, and the \
                     DP backend solves whole plans",
                    o.name, schema.plans[p].name
                ),
                Err(None) => format!("objective `{}` is not a sum of plan costs", o.name),
            };
            return Err((why, t.span));
        }
        if let Some(p) = counted.iter().position(|c| !c) {
            return Err((
                format!(
                    "objective `{}` leaves out the cost of plan `{}`",
                    o.name, schema.plans[p].name
                ),
                o.span,
            ));
        }
    }
    Ok(())
}

/// The terms of a sum written with `+`.
fn split<'e>(e: &'e hir::Expr, out: &mut Vec<&'e hir::Expr>) {
    match &e.kind {
        hir::ExprKind::Chain(first, links) if links.iter().all(|l| l.0 == BinOp::Add) => {
            split(first, out);
            for (_, x) in links {
                split(x, out);
            }
        }
        _ => out.push(e),
    }
}

/// The plan whose whole cost the term is: `p.cost` of a plan without index, or
/// `sum(r in regions) p[r].cost` over the plan's own index sets, unfiltered. Otherwise
/// `Err(Some(plan))` for the cost of some of a plan's instances (`p[west].cost`), and
/// `Err(None)` for anything else.
fn whole_plan_cost(hir: &hir::Model, t: &hir::Expr) -> Result<usize, Option<usize>> {
    match &t.kind {
        hir::ExprKind::PlanCost(p, args) if args.is_empty() => Ok(p.index()),
        hir::ExprKind::PlanCost(p, _) => Err(Some(p.index())),
        hir::ExprKind::Agg {
            kind: AggKind::Sum,
            level: None,
            index,
            body: Some(body),
        } => {
            let hir::ExprKind::PlanCost(p, args) = &body.kind else {
                return Err(None);
            };
            let own = &hir.plans[p.index()].body.index;
            let same_set = |a: &hir::Expr, b: &hir::Expr| matches!((&a.kind, &b.kind), (hir::ExprKind::Set(x), hir::ExprKind::Set(y)) if x == y);
            let whole = index.filter.is_none()
                && own.filter.is_none()
                && index.binders.len() == own.binders.len()
                && args.len() == index.binders.len()
                && index
                    .binders
                    .iter()
                    .zip(&own.binders)
                    .zip(args)
                    .all(|((b, o), a)| {
                        same_set(&b.set, &o.set)
                            && matches!(a.kind, hir::ExprKind::Slot(s) if s == b.slot)
                    });
            if whole {
                Ok(p.index())
            } else {
                Err(Some(p.index()))
            }
        }
        _ => Err(None),
    }
}

/// One line on the DP size: `40 independent plans, 12 stages, 401 states x 51 decisions`.
pub fn dp_reason(plans: &[dp::CompiledPlan]) -> String {
    let stages = plans.iter().map(|p| p.stages()).max().unwrap_or(0);
    let est: Vec<_> = plans.iter().map(|p| dpb::estimate(p)).collect();
    let states = est.iter().map(|e| e.states_per_stage).max().unwrap_or(0);
    let decisions = est
        .iter()
        .map(|e| e.decisions_per_stage_max)
        .max()
        .unwrap_or(0);
    format!(
        "dp — {} independent plan{}, {} stages, {} states x {} decisions",
        plans.len(),
        if plans.len() == 1 { "" } else { "s" },
        stages,
        crate::units::format_number(states as f64),
        crate::units::format_number(decisions as f64)
    )
}

/// The first plan instance over the DP budget, as a diagnostic.
pub fn over_budget(
    schema: &Schema,
    plans: &[dp::CompiledPlan],
    budget: &DpBudget,
) -> Option<Diagnostic> {
    plans.iter().find_map(|p| {
        let est = dpb::estimate(p);
        est.exceeds(budget).map(|limit| {
            dpb::DpError::TooLarge {
                estimate: est,
                budget: *budget,
                limit,
            }
            .diagnostic(schema.plans[p.plan].span, &p.name)
        })
    })
}

/// The answer of the DP backend, verified.
#[derive(Clone, Debug, Serialize)]
pub struct DpOutcome {
    /// The objective's name: the model's, or `cost` when it has none (the plans' total).
    #[serde(skip)]
    pub objective: String,
    pub cost: f64,
    pub unit: String,
    pub trajectories: Vec<dp::PlanTrajectory>,
    pub time_ms: u64,
}

/// Solve every plan instance by DP (in parallel) and verify each answer by replaying it
/// through the plan's expressions (evaluated from the HIR `hir`, not the DP's compiled
/// code). Infeasible plans and evaluation errors are diagnostics.
pub fn solve_dp(
    schema: &Schema,
    hir: &crate::hir::Model,
    sources: &mut SourceMap,
    instance: &mut Instance,
) -> Result<DpOutcome, Diagnostic> {
    solve_dp_with(schema, hir, sources, instance, &DpOptions::default())
}

/// [`solve_dp`] with the given solver options (budget, reachability pruning).
pub fn solve_dp_with(
    schema: &Schema,
    hir: &crate::hir::Model,
    sources: &mut SourceMap,
    instance: &mut Instance,
    options: &DpOptions,
) -> Result<DpOutcome, Diagnostic> {
    let start = std::time::Instant::now();
    let refs: Vec<&dyn StagePlan> = instance
        .dp_plans
        .iter()
        .map(|p| p as &dyn StagePlan)
        .collect();
    let results = dpb::solve_many_with(&refs, options);
    let time_ms = start.elapsed().as_millis() as u64;
    let world = std::mem::take(&mut instance.world);
    let mut inst = Inst::resume(schema, sources, world);
    inst.hir = Some(hir);
    let mut out = Vec::new();
    let mut total = 0.0;
    let mut err = None;
    for (cp, r) in instance.dp_plans.iter().zip(results) {
        let sol = match r {
            Ok(s) => s,
            Err(e) => {
                err = Some(e.diagnostic(schema.plans[cp.plan].span, &cp.name));
                break;
            }
        };
        match inst.replay_plan(cp, &sol.decisions, &sol.states) {
            Ok(c) if (c - sol.cost).abs() <= 1e-6 * c.abs().max(1.0) => {}
            Ok(c) => {
                err = Some(Diagnostic::error(Code::E0702, format!("the DP answer for `{}` failed verification: its cost replays to {c}, the solver said {}", cp.name, sol.cost)).primary(schema.plans[cp.plan].span, "this plan"));
                break;
            }
            Err(d) => {
                err = Some(d);
                break;
            }
        }
        total += sol.cost;
        let stages = cp
            .stages
            .iter()
            .enumerate()
            .map(|(t, &q)| dp::StageReport {
                stage: inst.world.name(q).to_string(),
                state: sol.states[t].clone(),
                decision: match &cp.choice_set {
                    Some(set) => inst.world.name(set[sol.decisions[t] as usize]).to_string(),
                    None => sol.decisions[t].to_string(),
                },
                cost: sol.stage_costs.get(t).copied().unwrap_or(0.0) / unit_scale(schema, cp.plan),
            })
            .collect();
        out.push(dp::PlanTrajectory {
            plan: cp.name.clone(),
            cost: sol.cost / unit_scale(schema, cp.plan),
            stages,
            final_state: sol.states.last().cloned().unwrap_or_default(),
        });
    }
    instance.world = inst.world;
    if let Some(e) = err {
        return Err(e);
    }
    let unit = schema
        .plans
        .first()
        .map(|p| p.cost_unit_text.clone())
        .unwrap_or_default();
    let scale = schema
        .plans
        .first()
        .map(|p| {
            if p.cost_unit.scale > 0.0 {
                p.cost_unit.scale
            } else {
                1.0
            }
        })
        .unwrap_or(1.0);
    Ok(DpOutcome {
        objective: schema
            .objectives
            .first()
            .map_or_else(|| "cost".to_string(), |o| o.name.clone()),
        cost: total / scale,
        unit,
        trajectories: out,
        time_ms,
    })
}

fn unit_scale(schema: &Schema, plan: usize) -> f64 {
    let s = schema.plans[plan].cost_unit.scale;
    if s > 0.0 {
        s
    } else {
        1.0
    }
}
