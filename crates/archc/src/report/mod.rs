//! Reports of a solved model: a serde structure (the stable JSON schema `archc.solution/1`)
//! built from the instance and the verified solution, and its rendering as terminal tables
//! ([`table`]).

pub mod table;

use crate::instantiate::Instance;
use crate::ir::{ColId, DeclKind, Model, RowId, Sense};
use crate::solve::{RawSolution, Status, Stop};
use serde::Serialize;

/// Version of the JSON schema; bumped on any incompatible change.
pub const SCHEMA: &str = "archc.solution/1";

/// A solved model, as written by `archc solve --format json`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub model: String,
    /// How the solve ended, coarsely (a stopped solve is `Feasible` with a plan, `Error`
    /// without one); [`Report::outcome`] tells the stops apart.
    #[serde(skip)]
    pub status: Status,
    /// How the solve ended, written as the JSON `status`.
    #[serde(rename = "status")]
    pub outcome: ReportStatus,
    pub backend: String,
    pub solver: String,
    /// Why the backend was chosen.
    pub backend_reason: String,
    pub solve_time_ms: u64,
    /// Relative gap between the plan's objective and the best bound, when known.
    pub gap: Option<f64>,
    /// Objective of the best plan found (the plan reported), when there is one.
    pub primal_bound: Option<f64>,
    /// Best bound on the objective proven by the solver, when known.
    pub dual_bound: Option<f64>,
    pub objective: Option<ObjectiveReport>,
    pub decisions: Vec<DecisionReport>,
    pub constraints: Vec<ConstraintReport>,
    pub verification: Option<VerificationReport>,
    pub size: SizeReport,
    /// Trajectories of plans solved by DP (empty for MILP).
    pub plans: Vec<crate::plan::dp::PlanTrajectory>,
}

/// The JSON `status` of a report: the solver's status, with the two ways a solve can stop
/// early told apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Optimal,
    /// A plan that is not proven optimal (a time limit, or the requested gap).
    Feasible,
    Infeasible,
    Unbounded,
    Error,
    /// The time limit was reached before any plan was found.
    TimeLimit,
    /// The solve was interrupted; the best plan found so far, if any, is reported.
    Interrupted,
}

impl ReportStatus {
    /// The status of a raw solution.
    pub fn of(raw: &RawSolution) -> ReportStatus {
        match (raw.stop, raw.status) {
            (Some(Stop::Interrupted), _) => ReportStatus::Interrupted,
            (Some(Stop::TimeLimit), Status::Error) => ReportStatus::TimeLimit,
            (_, status) => status.into(),
        }
    }

    /// The name written in JSON and in the report header.
    pub fn name(self) -> &'static str {
        match self {
            ReportStatus::Optimal => "optimal",
            ReportStatus::Feasible => "feasible",
            ReportStatus::Infeasible => "infeasible",
            ReportStatus::Unbounded => "unbounded",
            ReportStatus::Error => "error",
            ReportStatus::TimeLimit => "time_limit",
            ReportStatus::Interrupted => "interrupted",
        }
    }
}

impl From<Status> for ReportStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Optimal => ReportStatus::Optimal,
            Status::Feasible => ReportStatus::Feasible,
            Status::Infeasible => ReportStatus::Infeasible,
            Status::Unbounded => ReportStatus::Unbounded,
            Status::Error => ReportStatus::Error,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SizeReport {
    pub columns: usize,
    pub rows: usize,
    pub nonzeros: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ObjectiveReport {
    pub name: String,
    pub sense: Sense,
    pub value: f64,
    pub unit: String,
    pub terms: Vec<TermReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TermReport {
    pub label: String,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DecisionReport {
    pub name: String,
    pub unit: String,
    pub kind: crate::ir::VarKind,
    pub index_names: Vec<String>,
    /// Every instance with a value different from zero.
    pub values: Vec<ValueReport>,
    /// Instances in total (zeros included).
    pub count: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ValueReport {
    pub index: Vec<String>,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConstraintReport {
    pub name: String,
    pub index_names: Vec<String>,
    /// Unit of the rows' activity and bounds (the unit of the constraint's sides), or empty
    /// when dimensionless.
    pub unit: String,
    pub rows: Vec<RowReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RowReport {
    pub index: Vec<String>,
    pub activity: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// Activity over the upper bound, for `<=` rows with a positive bound.
    pub utilisation: Option<f64>,
    pub binding: bool,
    pub dual: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VerificationReport {
    pub ok: bool,
    pub max_row_violation: f64,
    pub violations: usize,
}

/// Values closer to zero than this are shown as zero.
const ZERO: f64 = 1e-9;

fn clean(v: f64) -> f64 {
    if v.abs() < ZERO {
        0.0
    } else if (v - v.round()).abs() < 1e-9 {
        v.round()
    } else {
        v
    }
}

/// Build the report of a solve.
pub fn build(
    model_name: &str,
    instance: &Instance,
    raw: &RawSolution,
    backend: &str,
    reason: &str,
    verification: Option<VerificationReport>,
) -> Report {
    let model = &instance.model;
    let has_values = raw.values.len() == model.num_columns();
    let mut decisions = Vec::new();
    let mut constraints = Vec::new();
    if has_values {
        decisions = decision_reports(model, &raw.values);
        constraints = constraint_reports(model, &raw.values, raw.duals.as_deref());
    }
    let objective = model
        .objective
        .as_ref()
        .filter(|_| has_values)
        .map(|o| ObjectiveReport {
            name: o.name.clone(),
            sense: o.sense,
            value: clean(raw.objective),
            unit: o.unit.clone(),
            terms: o
                .terms
                .iter()
                .map(|t| TermReport {
                    label: t.label.clone(),
                    value: clean(
                        t.constant
                            + t.coefs
                                .iter()
                                .map(|&(c, v)| v * raw.values[c.0 as usize])
                                .sum::<f64>(),
                    ),
                })
                .collect(),
        });
    Report {
        schema: SCHEMA,
        model: model_name.to_string(),
        status: raw.status,
        outcome: ReportStatus::of(raw),
        backend: backend.to_string(),
        solver: raw.solver.name().to_string(),
        backend_reason: reason.to_string(),
        solve_time_ms: raw.time.as_millis() as u64,
        gap: raw.gap,
        primal_bound: has_values.then(|| clean(raw.objective)),
        dual_bound: raw.dual_bound.map(clean).or_else(|| {
            (has_values && raw.status == Status::Optimal).then(|| clean(raw.objective))
        }),
        objective,
        decisions,
        constraints,
        verification,
        size: SizeReport {
            columns: model.num_columns(),
            rows: model.num_rows(),
            nonzeros: model.num_nonzeros(),
        },
        plans: Vec::new(),
    }
}

/// The report of a solve from the one solve path ([`crate::solve::solve`]): MILP answers
/// through [`build`], DP answers through [`build_dp`]; a DP solve without a feasible policy
/// is reported as infeasible with no plan.
pub fn build_solved(
    model_name: &str,
    instance: &Instance,
    solved: &crate::solve::Solved,
) -> Report {
    let verification = solved.verification.map(|v| VerificationReport {
        ok: v.ok,
        max_row_violation: v.max_row_violation,
        violations: v.violations,
    });
    match &solved.answer {
        crate::solve::Answer::Milp(raw) => build(
            model_name,
            instance,
            raw,
            "milp",
            &solved.reason,
            verification,
        ),
        crate::solve::Answer::Dp(Some(outcome)) => build_dp(model_name, outcome, &solved.reason),
        crate::solve::Answer::Dp(None) => {
            let mut r = build_dp(
                model_name,
                &crate::plan::DpOutcome {
                    cost: f64::NAN,
                    unit: String::new(),
                    trajectories: Vec::new(),
                    time_ms: solved.timings.total("solve").as_millis() as u64,
                },
                &solved.reason,
            );
            r.status = Status::Infeasible;
            r.outcome = ReportStatus::Infeasible;
            r.gap = None;
            r.primal_bound = None;
            r.dual_bound = None;
            r.objective = None;
            r.verification = None;
            r
        }
    }
}

/// The report of plans solved by DP.
pub fn build_dp(model_name: &str, outcome: &crate::plan::DpOutcome, reason: &str) -> Report {
    Report {
        schema: SCHEMA,
        model: model_name.to_string(),
        status: Status::Optimal,
        outcome: ReportStatus::Optimal,
        backend: "dp".into(),
        solver: "dp".into(),
        backend_reason: reason.to_string(),
        solve_time_ms: outcome.time_ms,
        gap: Some(0.0),
        primal_bound: Some(clean(outcome.cost)),
        dual_bound: Some(clean(outcome.cost)),
        objective: Some(ObjectiveReport {
            name: "cost".into(),
            sense: Sense::Minimize,
            value: clean(outcome.cost),
            unit: outcome.unit.clone(),
            terms: outcome
                .trajectories
                .iter()
                .map(|t| TermReport {
                    label: t.plan.clone(),
                    value: clean(t.cost),
                })
                .collect(),
        }),
        decisions: Vec::new(),
        constraints: Vec::new(),
        verification: Some(VerificationReport {
            ok: true,
            max_row_violation: 0.0,
            violations: 0,
        }),
        size: SizeReport {
            columns: 0,
            rows: 0,
            nonzeros: 0,
        },
        plans: outcome.trajectories.clone(),
    }
}

fn tuple_names(model: &Model, origin: crate::ir::Origin) -> Vec<String> {
    model
        .tuple_of(origin)
        .iter()
        .map(|&e| model.elements[e as usize].clone())
        .collect()
}

fn decision_reports(model: &Model, values: &[f64]) -> Vec<DecisionReport> {
    let mut by_decl: Vec<Option<DecisionReport>> = model
        .decls
        .iter()
        .map(|d| {
            (d.kind == DeclKind::Decision).then(|| DecisionReport {
                name: d.name.clone(),
                unit: d.unit.clone(),
                kind: crate::ir::VarKind::Continuous,
                index_names: d.index_names.clone(),
                values: Vec::new(),
                count: 0,
            })
        })
        .collect();
    for (i, c) in model.columns.iter().enumerate() {
        if let Some(Some(r)) = by_decl.get_mut(c.origin.decl.0 as usize) {
            r.kind = c.kind;
            r.count += 1;
            let v = clean(values[i]);
            if v != 0.0 {
                r.values.push(ValueReport {
                    index: tuple_names(model, c.origin),
                    value: v,
                });
            }
        }
    }
    by_decl.into_iter().flatten().collect()
}

fn constraint_reports(
    model: &Model,
    values: &[f64],
    duals: Option<&[f64]>,
) -> Vec<ConstraintReport> {
    let mut by_decl: Vec<Option<ConstraintReport>> = model
        .decls
        .iter()
        .map(|d| {
            (d.kind == DeclKind::Constraint && d.note != "objective").then(|| ConstraintReport {
                name: d.name.clone(),
                index_names: d.index_names.clone(),
                unit: d.unit.clone(),
                rows: Vec::new(),
            })
        })
        .collect();
    for i in 0..model.num_rows() {
        let row = model.rows[i];
        let Some(Some(r)) = by_decl.get_mut(row.origin.decl.0 as usize) else {
            continue;
        };
        let activity: f64 = model
            .row_entries(RowId(i as u32))
            .map(|(c, v): (ColId, f64)| v * values[c.0 as usize])
            .sum();
        let finite = |x: f64| if x.is_finite() { x.abs() } else { 0.0 };
        let tol = 1e-6 * finite(row.hi).max(finite(row.lo)).max(1.0);
        let binding = (row.hi.is_finite() && (row.hi - activity).abs() <= tol)
            || (row.lo.is_finite() && (activity - row.lo).abs() <= tol);
        let utilisation = (row.lo == f64::NEG_INFINITY && row.hi > 0.0 && row.hi.is_finite())
            .then(|| clean(activity / row.hi));
        r.rows.push(RowReport {
            index: tuple_names(model, row.origin),
            activity: clean(activity),
            lo: row.lo.is_finite().then_some(row.lo),
            hi: row.hi.is_finite().then_some(row.hi),
            utilisation,
            binding,
            dual: duals.and_then(|d| d.get(i).copied()).map(clean),
        });
    }
    by_decl
        .into_iter()
        .flatten()
        .filter(|c| !c.rows.is_empty())
        .collect()
}
