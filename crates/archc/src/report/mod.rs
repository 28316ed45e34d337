//! Reports of a solved model: a serde structure (the stable JSON schema `archc.solution/1`)
//! built from the instance and the verified solution, and its renderings: terminal tables
//! ([`table`]), long-format CSV ([`csv`]) and a self-contained HTML page with plots
//! ([`html`]). [`describe`] adds what only the checked model knows (the sets behind each
//! index, the network's topology).

pub mod csv;
pub mod describe;
pub mod html;
pub mod over_time;
pub mod table;
pub mod table_alternatives;
mod table_time;

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
    /// The stages of a model with ranked objectives (`then minimize ...`): the value of
    /// every objective at every stage's plan. Absent for a model with one objective.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<crate::solve::lexicographic::Stage>,
    /// Every `moves(x, was)` and `changed(x, was)` of the model, recomputed from the plan
    /// and the current values. Absent when the model has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub movements: Vec<MovementReport>,
    pub decisions: Vec<DecisionReport>,
    pub constraints: Vec<ConstraintReport>,
    pub verification: Option<VerificationReport>,
    pub size: SizeReport,
    /// Trajectories of plans solved by DP (empty for MILP).
    pub plans: Vec<crate::plan::dp::PlanTrajectory>,
    /// The network drawn in the HTML report, when the model has links between entities
    /// (filled by [`describe::describe`]).
    #[serde(skip)]
    pub topology: Option<describe::Topology>,
    /// Why the model has no plan (infeasible or unbounded), as plain text, for the HTML
    /// report; the JSON carries its own `explanation`.
    #[serde(skip)]
    pub explanation: Option<String>,
    /// How a plan was found at scale (partitioned solve, search, merged shards): parts,
    /// repair, bound and gap. Absent for a plain solve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<crate::partition::ScaleReport>,
    /// The plan the solve started from (`--start`), as checked against the model. Absent
    /// without a start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<crate::solve::start::StartReport>,
    /// Further plans within a tolerance of the objective (`--alternatives K`), each as its
    /// differences from the plan reported. Absent without `--alternatives`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<Vec<crate::solve::alternatives::Alternative>>,
    /// How the alternatives were looked for (tolerance, limit, why the search ended).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative_search: Option<crate::solve::alternatives::AlternativeSearch>,
}

impl Report {
    /// Attach the alternatives of the solve (`--alternatives K`).
    pub fn set_alternatives(&mut self, a: crate::solve::alternatives::Alternatives) {
        self.alternatives = Some(a.plans);
        self.alternative_search = Some(a.search);
    }

    /// List every instance of every decision in `values`, zeros included (by default only
    /// the nonzero ones are listed; `count` says how many there are in all).
    pub fn include_zeros(&mut self) {
        for d in &mut self.decisions {
            d.values = d.all.clone();
        }
    }
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

/// The movement of a plan from the current state, as `moves(x, was)` or `changed(x, was)`
/// measures it.
#[derive(Clone, Debug, Serialize)]
pub struct MovementReport {
    /// The call as written.
    pub label: String,
    pub kind: crate::ir::MovementKind,
    /// The decision's unit for `moves`, empty for `changed`.
    pub unit: String,
    pub value: f64,
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
    /// The set each index ranges over (`regions`), or the index's own name when the set is
    /// not a named one; filled by [`describe::describe`].
    pub index_sets: Vec<String>,
    /// Whether each index is a time axis: over periods, or over numbers when no index is
    /// over periods.
    pub ordered: Vec<bool>,
    /// Every instance with a value different from zero (every instance after
    /// [`Report::include_zeros`]).
    pub values: Vec<ValueReport>,
    /// Instances in total (zeros included).
    pub count: usize,
    /// Every instance, zeros included, in column order.
    #[serde(skip)]
    pub all: Vec<ValueReport>,
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
    /// The set each index ranges over, as for decisions.
    pub index_sets: Vec<String>,
    /// Whether each index is a time axis, as for decisions.
    pub ordered: Vec<bool>,
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
    /// `load / capacity`, for `<=` rows: see [`RowReport::load`].
    pub utilisation: Option<f64>,
    /// What the row fills, for `<=` rows: the terms with positive coefficients. With a
    /// constant bound (`sum(...) <= r.cores`) the capacity is the bound; with a bound that
    /// is a decision times a capacity (`load <= peak * l.capacity`) it is that capacity.
    pub load: Option<f64>,
    /// What the row's load is measured against (see [`RowReport::load`]).
    pub capacity: Option<f64>,
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
        stages: Vec::new(),
        movements: if has_values {
            model
                .movements
                .iter()
                .map(|m| MovementReport {
                    label: m.label.clone(),
                    kind: m.kind,
                    unit: m.unit.clone(),
                    value: clean(m.actual(&raw.values)),
                })
                .collect()
        } else {
            Vec::new()
        },
        decisions,
        constraints,
        verification,
        size: SizeReport {
            columns: model.num_columns(),
            rows: model.num_rows(),
            nonzeros: model.num_nonzeros(),
        },
        plans: Vec::new(),
        topology: None,
        explanation: None,
        scale: None,
        start: None,
        alternatives: None,
        alternative_search: None,
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
        crate::solve::Answer::Milp(raw) => {
            let mut r = build(
                model_name,
                instance,
                raw,
                "milp",
                &solved.reason,
                verification,
            );
            r.stages = solved.stages.clone();
            r
        }
        crate::solve::Answer::Dp(Some(outcome)) => build_dp(model_name, outcome, &solved.reason),
        crate::solve::Answer::Dp(None) => {
            let mut r = build_dp(
                model_name,
                &crate::plan::DpOutcome {
                    objective: String::new(),
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
            name: outcome.objective.clone(),
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
        stages: Vec::new(),
        movements: Vec::new(),
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
        topology: None,
        explanation: None,
        scale: None,
        start: None,
        alternatives: None,
        alternative_search: None,
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
                index_sets: d.index_names.clone(),
                ordered: vec![false; d.index_names.len()],
                values: Vec::new(),
                count: 0,
                all: Vec::new(),
            })
        })
        .collect();
    for (i, c) in model.columns.iter().enumerate() {
        if let Some(Some(r)) = by_decl.get_mut(c.origin.decl.0 as usize) {
            r.kind = c.kind;
            r.count += 1;
            let v = ValueReport {
                index: tuple_names(model, c.origin),
                value: clean(values[i]),
            };
            if v.value != 0.0 {
                r.values.push(v.clone());
            }
            r.all.push(v);
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
                index_sets: d.index_names.clone(),
                ordered: vec![false; d.index_names.len()],
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
        let (load, capacity) = if row.lo == f64::NEG_INFINITY {
            load_and_capacity(model, RowId(i as u32), row.hi, values)
        } else {
            (None, None)
        };
        let utilisation = load.zip(capacity).map(|(l, c)| clean(l / c));
        r.rows.push(RowReport {
            index: tuple_names(model, row.origin),
            activity: clean(activity),
            lo: row.lo.is_finite().then_some(row.lo),
            hi: row.hi.is_finite().then_some(row.hi),
            utilisation,
            load: load.map(clean),
            capacity: capacity.map(clean),
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

/// The load and capacity of a `<=` row with upper bound `hi`: the load is the sum of the
/// terms with positive coefficients; the capacity is `hi` when no term is negative, or the
/// coefficient of the one negative term when the bound is zero (`load - c * u <= 0`, that is
/// `load <= u * c`: the load is measured against `c`). Other rows have none.
fn load_and_capacity(
    model: &Model,
    row: RowId,
    hi: f64,
    values: &[f64],
) -> (Option<f64>, Option<f64>) {
    if !hi.is_finite() {
        return (None, None);
    }
    let mut load = 0.0;
    let mut negative = Vec::new();
    for (c, v) in model.row_entries(row) {
        if v > 0.0 {
            load += v * values[c.0 as usize];
        } else if v < 0.0 {
            negative.push(-v);
        }
    }
    let capacity = match negative.as_slice() {
        [] if hi > 0.0 => hi,
        [c] if hi == 0.0 => *c,
        _ => return (None, None),
    };
    (Some(load), Some(capacity))
}
