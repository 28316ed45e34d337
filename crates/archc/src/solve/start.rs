//! Warm starts (`archc solve --start FILE|current`): a plan to begin from, read from the
//! JSON report of an earlier solve ([`from_report`]) or from the current state the model
//! reads for `moves`/`changed` ([`from_current`]), mapped to the instance's columns, then
//! checked against the model before any solver sees it ([`check`]).
//!
//! A start rarely gives every column: a report holds the decisions only, the current state
//! one decision. The columns it leaves out (auxiliaries of linearisations, other decisions)
//! are completed by a solve of the model with the given columns fixed, and the completed
//! plan is verified against the model by the independent verifier. Only a plan that passes
//! is handed to the solver as a MIP start ([`super::solve_model_from`]); an infeasible start
//! is reported (E0740, with the rows and bounds it violates) and the solve goes on without
//! any start. microlp takes no MIP start (E0741): the start is checked and reported only.

use super::verify::{self, Tolerances, ViolationKind};
use super::{SolveOptions, Status};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ColId, DeclKind, Model, VarKind};
use crate::span::Span;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// At most this many violated rows and bounds are named in E0740 and the report.
const MAX_NAMED: usize = 10;

/// A plan to start from: at most one value per column of the instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Start {
    /// Where it came from, as said in messages: the file's name, or `current state`.
    pub source: String,
    /// One entry per column; `None` where the start says nothing.
    pub values: Vec<Option<f64>>,
}

impl Start {
    /// How many columns the start gives a value.
    pub fn given(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }
}

/// The columns of each decision by the names of their index tuple.
fn decision_columns(model: &Model) -> HashMap<&str, HashMap<Vec<&str>, ColId>> {
    let mut out: HashMap<&str, HashMap<Vec<&str>, ColId>> = HashMap::new();
    for (j, c) in model.columns.iter().enumerate() {
        let decl = &model.decls[c.origin.decl.0 as usize];
        if decl.kind != DeclKind::Decision {
            continue;
        }
        let tuple: Vec<&str> = model
            .tuple_of(c.origin)
            .iter()
            .map(|&e| model.elements[e as usize].as_str())
            .collect();
        out.entry(decl.name.as_str())
            .or_default()
            .insert(tuple, ColId(j as u32));
    }
    out
}

/// Read a start from the JSON report of an earlier solve (`archc solve --format json`).
/// Every decision the report lists gets a value for each of its instances: the value
/// listed, or 0 for an instance the report leaves out (reports list nonzero values only).
/// Decisions the report does not list are left to the completion.
///
/// Errors, each naming the file and the JSON path: E0586 not a solution report (or one
/// without a plan), E0587 a decision the model does not have, E0588 an index the decision
/// does not have, E0589 a value that is not a finite number.
pub fn from_report(model: &Model, name: &str, text: &str) -> Result<Start, Diagnostic> {
    let not_report = |why: String| {
        Diagnostic::error(
            Code::E0586,
            format!("`{name}` is not the JSON report of a solve: {why}"),
        )
        .help(
            "give the output of `archc solve MODEL --format json --out FILE`, or `--start current`",
        )
    };
    let json: Value = serde_json::from_str(text).map_err(|e| not_report(e.to_string()))?;
    let schema = json.get("schema").and_then(Value::as_str);
    if schema != Some(crate::report::SCHEMA) {
        return Err(not_report(match schema {
            Some(s) => format!(
                "its `schema` is `{s}`, and a start is read from `{}`",
                crate::report::SCHEMA
            ),
            None => "it has no `schema`".into(),
        }));
    }
    let Some(decisions) = json.get("decisions").and_then(Value::as_array) else {
        return Err(not_report("it has no `decisions` list".into()));
    };
    if decisions.is_empty() {
        return Err(not_report(
            "its `decisions` list is empty (a solve without a plan)".into(),
        ));
    }
    let columns = decision_columns(model);
    let mut values: Vec<Option<f64>> = vec![None; model.num_columns()];
    for (i, d) in decisions.iter().enumerate() {
        let path = format!("decisions[{i}]");
        let Some(dname) = d.get("name").and_then(Value::as_str) else {
            return Err(not_report(format!("`{path}.name` is not a string")));
        };
        let Some(cols) = columns.get(dname) else {
            return Err(Diagnostic::error(
                Code::E0587,
                format!("`{name}` at `{path}.name`: the model has no decision `{dname}`"),
            )
            .help("the start must come from a solve of this model (a decision renamed or removed since?)"));
        };
        for &c in cols.values() {
            values[c.0 as usize] = Some(0.0);
        }
        let Some(listed) = d.get("values").and_then(Value::as_array) else {
            return Err(not_report(format!("`{path}.values` is not a list")));
        };
        for (k, v) in listed.iter().enumerate() {
            let vpath = format!("{path}.values[{k}]");
            let index: Option<Vec<&str>> = v
                .get("index")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().map(Value::as_str).collect());
            let Some(index) = index else {
                return Err(not_report(format!(
                    "`{vpath}.index` is not a list of names"
                )));
            };
            let Some(&c) = cols.get(&index) else {
                return Err(Diagnostic::error(
                    Code::E0588,
                    format!(
                        "`{name}` at `{vpath}.index`: decision `{dname}` has no instance `{dname}[{}]`",
                        index.join(", ")
                    ),
                )
                .help("the start must come from a solve of this model over the same data"));
            };
            let value = v.get("value").and_then(Value::as_f64);
            let Some(value) = value.filter(|x| x.is_finite()) else {
                return Err(Diagnostic::error(
                    Code::E0589,
                    format!(
                        "`{name}` at `{vpath}.value`: the value of `{dname}[{}]` is not a finite number",
                        index.join(", ")
                    ),
                ));
            };
            values[c.0 as usize] = Some(value);
        }
    }
    Ok(Start {
        source: name.to_string(),
        values,
    })
}

/// The current state as a start: every decision compared with its current values by
/// `moves(x, was)` or `changed(x, was)` starts at those values. E0742 when the model has
/// no such call.
pub fn from_current(model: &Model) -> Result<Start, Diagnostic> {
    if model.movements.is_empty() {
        return Err(Diagnostic::error(
            Code::E0742,
            "`--start current`: the model has no current state (no `moves(x, was)` or `changed(x, was)`)",
        )
        .help("start from an earlier solve instead: `--start report.json` (from `archc solve --format json`)"));
    }
    let mut values: Vec<Option<f64>> = vec![None; model.num_columns()];
    for m in &model.movements {
        for &(c, scale, was) in &m.items {
            if let Some(slot) = values.get_mut(c.0 as usize) {
                *slot = Some(if scale != 0.0 { was / scale } else { was });
            }
        }
    }
    Ok(Start {
        source: "current state".into(),
        values,
    })
}

/// What the check of a start found.
#[derive(Clone, Debug, Serialize)]
pub struct StartReport {
    /// Where the start came from (a file's name, or `current state`).
    pub source: String,
    /// Columns the start gave.
    pub given: usize,
    /// Columns the completion filled in.
    pub completed: usize,
    /// Whether the completed start satisfies every row and bound.
    pub feasible: bool,
    /// The first objective at the completed start, when feasible.
    pub objective: Option<f64>,
    /// The objective's unit.
    pub unit: String,
    /// Whether it went to the solver as a MIP start (feasible, and a solver that takes one).
    pub passed: bool,
    /// Rows and bounds the start violates (at most ten), when infeasible.
    pub violated: Vec<String>,
    /// How many rows and bounds it violates in all.
    pub violations: usize,
}

/// A checked start: the report, and the full plan to hand to the solver when feasible.
#[derive(Clone, Debug)]
pub struct Checked {
    pub report: StartReport,
    /// One value per column, verified against the model; `None` when infeasible.
    pub values: Option<Vec<f64>>,
    /// The declaration of the first row or bound an infeasible start violates.
    pub first_violated: Option<Span>,
}

impl Checked {
    /// The warnings to show: E0740 for an infeasible start, E0741 when the solver takes no
    /// start.
    pub fn diagnostics(&self, solver: super::SolverKind) -> Vec<Diagnostic> {
        let r = &self.report;
        let mut out = Vec::new();
        if !r.feasible {
            let more = r.violations.saturating_sub(r.violated.len());
            let mut listed = r.violated.join("; ");
            if more > 0 {
                listed.push_str(&format!("; and {more} more"));
            }
            let mut d = Diagnostic::warning(
                Code::E0740,
                format!(
                    "the start ({}) is not a feasible plan of this model: {listed}",
                    r.source
                ),
            )
            .help("the solve goes on without a start; a start from an earlier solve of other data may no longer fit");
            if let Some(span) = self.first_violated {
                d = d.primary(span, "the start violates this");
            }
            out.push(d);
        } else if !crate::backends::milp::takes_start(solver) {
            out.push(
                Diagnostic::warning(
                    Code::E0741,
                    format!(
                        "the {} solver takes no MIP start: the start ({}) was checked, not passed",
                        solver.name(),
                        r.source
                    ),
                )
                .help("HiGHS and CBC take one: `--solver highs` or `--solver cbc` where built in"),
            );
        }
        out
    }
}

/// Check `start` against `model`: complete the columns it leaves out with a solve of the
/// model with the given columns fixed (with `opts`' solver and limits), then verify the
/// completed plan. `pass` says whether a feasible start will go to the solver.
pub fn check(model: &Model, start: &Start, opts: &SolveOptions, pass: bool) -> Checked {
    let tol = Tolerances::default();
    let given = start.given();
    let mut report = StartReport {
        source: start.source.clone(),
        given,
        completed: 0,
        feasible: false,
        objective: None,
        unit: model
            .objective
            .as_ref()
            .map(|o| o.unit.clone())
            .unwrap_or_default(),
        passed: false,
        violated: Vec::new(),
        violations: 0,
    };
    let completed = complete(model, start, opts);
    if let Some(values) = completed {
        let verified = verify::verify(model, &values, &tol);
        if verified.is_ok() {
            report.completed = model.num_columns() - given;
            report.feasible = true;
            report.objective = Some(verified.objective);
            report.passed = pass;
            return Checked {
                report,
                values: Some(values),
                first_violated: None,
            };
        }
    }
    let (violated, violations, first_violated) = violations_of_given(model, start, &tol);
    report.violations = violations;
    report.violated = if violated.is_empty() {
        let left: Vec<String> = {
            let mut names: Vec<String> = Vec::new();
            for (j, v) in start.values.iter().enumerate() {
                if v.is_none() {
                    let decl = &model.decls[model.columns[j].origin.decl.0 as usize];
                    if !names.contains(&decl.name) {
                        names.push(decl.name.clone());
                    }
                }
            }
            names
        };
        report.violations = 1;
        vec![format!(
            "every row it fills alone holds, but no values of the columns it leaves out ({}) complete it",
            left.join(", ")
        )]
    } else {
        violated
    };
    Checked {
        report,
        values: None,
        first_violated,
    }
}

/// The start with its missing columns filled by a solve of the model with the given
/// columns fixed; `None` when that solve finds no plan. A start that gives every column is
/// returned as it is (the caller verifies it).
fn complete(model: &Model, start: &Start, opts: &SolveOptions) -> Option<Vec<f64>> {
    if start.values.len() != model.num_columns() {
        return None;
    }
    if start.values.iter().all(Option::is_some) {
        return Some(start.values.iter().map(|v| v.unwrap_or(0.0)).collect());
    }
    let mut fixed = model.clone();
    fixed.later_objectives.clear();
    fixed.tolerances.clear();
    for (c, v) in fixed.columns.iter_mut().zip(&start.values) {
        if let Some(v) = *v {
            let v = if c.kind != VarKind::Continuous && (v - v.round()).abs() <= 1e-6 {
                v.round()
            } else {
                v
            };
            c.lb = v;
            c.ub = v;
        }
    }
    let quiet = SolveOptions {
        quiet: true,
        ..opts.clone()
    };
    let raw = crate::backends::milp::solve(&fixed, &quiet).ok()?;
    if !matches!(raw.status, Status::Optimal | Status::Feasible) || raw.values.is_empty() {
        return None;
    }
    let mut values = raw.values;
    // The fixed columns keep exactly the start's values.
    for (x, v) in values.iter_mut().zip(&start.values) {
        if let Some(v) = *v {
            *x = v;
        }
    }
    Some(values)
}

/// The bounds of given columns and the rows over given columns only that the start
/// violates: names with what is wrong (at most [`MAX_NAMED`]), and the count.
fn violations_of_given(
    model: &Model,
    start: &Start,
    tol: &Tolerances,
) -> (Vec<String>, usize, Option<Span>) {
    let values: Vec<f64> = start.values.iter().map(|v| v.unwrap_or(0.0)).collect();
    let report = verify::verify(model, &values, tol);
    let all_given = |row: crate::ir::RowId| {
        model
            .row_entries(row)
            .all(|(c, _)| start.values.get(c.0 as usize).is_some_and(Option::is_some))
    };
    let mut named = Vec::new();
    let mut count = 0;
    let mut first = None;
    for v in &report.violations {
        let counts = match v.kind {
            ViolationKind::Row(r) => all_given(r),
            ViolationKind::Bound(c)
            | ViolationKind::Integrality(c)
            | ViolationKind::NonFinite(c) => {
                start.values.get(c.0 as usize).is_some_and(Option::is_some)
            }
            _ => false,
        };
        if counts {
            count += 1;
            if first.is_none() {
                let origin = match v.kind {
                    ViolationKind::Row(r) => Some(model.rows[r.0 as usize].origin),
                    ViolationKind::Bound(c)
                    | ViolationKind::Integrality(c)
                    | ViolationKind::NonFinite(c) => Some(model.columns[c.0 as usize].origin),
                    _ => None,
                };
                first = origin.map(|o| model.decls[o.decl.0 as usize].span);
            }
            if named.len() < MAX_NAMED {
                named.push(v.message.clone());
            }
        }
    }
    (named, count, first)
}
