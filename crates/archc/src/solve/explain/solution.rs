//! Explaining a solved model: which constraint instances are binding (at one of their
//! sides), grouped per entity (the first element of the index tuple), and what relaxing
//! each would be worth (its LP dual, the shadow price) when duals can be had. A MILP has no
//! duals of its own: its integer columns are fixed at their solution values and the LP that
//! remains is solved again with a solver that reports duals (HiGHS, when compiled in).

use super::groups::Structure;
use crate::ir::{DeclKind, Model, RowId, VarKind};
use crate::solve::{SolveOptions, SolverKind, Status};
use crate::units::format_quantity;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Where the duals came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum DualSource {
    /// The solve itself reported them (an LP).
    Solver,
    /// The LP with integer columns fixed at their solution values, solved again.
    FixedIntegers(String),
    /// No duals, and why.
    Unavailable(String),
}

/// A binding constraint instance.
#[derive(Clone, Debug, Serialize)]
pub struct BindingRow {
    pub row: RowId,
    /// `fit[eu-west]`.
    pub name: String,
    pub activity: f64,
    /// The side it sits at.
    pub limit: f64,
    /// `<=`, `>=` or `==`.
    pub op: &'static str,
    pub unit: String,
    /// d(objective) / d(side), when known.
    pub dual: Option<f64>,
    /// Objective unit per row unit, when both are known (`usd per core`).
    pub dual_unit: String,
}

/// Binding rows of one entity.
#[derive(Clone, Debug, Serialize)]
pub struct EntityBinding {
    /// The first index element (`eu-west`), or empty for scalar constraints.
    pub entity: String,
    pub rows: Vec<BindingRow>,
}

/// What limits a solved model.
#[derive(Clone, Debug, Serialize)]
pub struct SolutionExplanation {
    pub entities: Vec<EntityBinding>,
    pub binding: usize,
    pub duals: DualSource,
}

impl SolutionExplanation {
    /// Plain text for the terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "binding constraints ({}), by entity:", self.binding);
        if self.entities.is_empty() {
            let _ = writeln!(out, "  none: no constraint is at its limit");
        }
        for e in &self.entities {
            let head = if e.entity.is_empty() {
                "(no index)"
            } else {
                &e.entity
            };
            let _ = writeln!(out, "  {head}");
            for r in &e.rows {
                let mut line = format!(
                    "    {}  {} {}",
                    r.name,
                    r.op,
                    format_quantity(r.limit, &r.unit)
                );
                if let Some(d) = r.dual {
                    let _ = write!(
                        line,
                        "  shadow price {}",
                        format_quantity(clean(d), &r.dual_unit)
                    );
                }
                let _ = writeln!(out, "{line}");
            }
        }
        match &self.duals {
            DualSource::Solver => {}
            DualSource::FixedIntegers(how) => {
                let _ = writeln!(out, "shadow prices: {how}");
            }
            DualSource::Unavailable(why) => {
                let _ = writeln!(out, "shadow prices unavailable: {why}");
            }
        }
        out
    }
}

fn clean(v: f64) -> f64 {
    if v.abs() < 1e-9 {
        0.0
    } else {
        v
    }
}

/// Binding instances and duals of a solution. With `duals == None` on a model with integer
/// columns, the duals of the LP with those columns fixed are computed when HiGHS is
/// compiled in.
pub fn explain_solution(
    model: &Model,
    values: &[f64],
    duals: Option<&[f64]>,
) -> SolutionExplanation {
    let (duals, source) = match duals {
        Some(d) if d.len() == model.num_rows() => (Some(d.to_vec()), DualSource::Solver),
        _ => fixed_integer_duals(model, values),
    };
    let structure = Structure::of(model);
    let obj_unit = model
        .objective
        .as_ref()
        .map(|o| o.unit.clone())
        .unwrap_or_default();
    let mut groups: BTreeMap<String, Vec<BindingRow>> = BTreeMap::new();
    let mut binding = 0;
    for (i, row) in model.rows.iter().enumerate() {
        let root = structure.roots[row.origin.decl.0 as usize];
        let decl = &model.decls[root.0 as usize];
        // Source rows only: derived rows are the compiler's business.
        if root != row.origin.decl || decl.kind != DeclKind::Constraint || decl.note == "objective"
        {
            continue;
        }
        let id = RowId(i as u32);
        let activity: f64 = model
            .row_entries(id)
            .map(|(c, a)| a * values.get(c.0 as usize).copied().unwrap_or(0.0))
            .sum();
        let tol = |b: f64| 1e-6 * b.abs().max(1.0);
        let at_lo = row.lo.is_finite() && (activity - row.lo).abs() <= tol(row.lo);
        let at_hi = row.hi.is_finite() && (activity - row.hi).abs() <= tol(row.hi);
        let (op, limit) = match (at_lo, at_hi) {
            (true, true) => ("==", row.lo),
            (true, false) => (">=", row.lo),
            (false, true) => ("<=", row.hi),
            (false, false) => continue,
        };
        binding += 1;
        let tuple = model.tuple_of(row.origin);
        let entity = tuple
            .first()
            .map(|&e| model.elements[e as usize].clone())
            .unwrap_or_default();
        let dual_unit = if !obj_unit.is_empty() && !decl.unit.is_empty() {
            format!("{obj_unit} per {}", decl.unit)
        } else {
            obj_unit.clone()
        };
        groups.entry(entity).or_default().push(BindingRow {
            row: id,
            name: model.row_name(id),
            activity,
            limit,
            op,
            unit: decl.unit.clone(),
            dual: duals.as_ref().and_then(|d| d.get(i).copied()),
            dual_unit,
        });
    }
    SolutionExplanation {
        entities: groups
            .into_iter()
            .map(|(entity, rows)| EntityBinding { entity, rows })
            .collect(),
        binding,
        duals: source,
    }
}

/// Duals of the LP left when integer columns are fixed at their values.
fn fixed_integer_duals(model: &Model, values: &[f64]) -> (Option<Vec<f64>>, DualSource) {
    if !SolverKind::Highs.is_enabled() {
        return (
            None,
            DualSource::Unavailable(
                "no solver in this build reports duals (rebuild with `--features highs`)".into(),
            ),
        );
    }
    if values.len() != model.num_columns() {
        return (
            None,
            DualSource::Unavailable("the solution has no value for every decision".into()),
        );
    }
    let mut lp = model.clone();
    let mut fixed = 0;
    for (c, &v) in lp.columns.iter_mut().zip(values) {
        if c.kind != VarKind::Continuous {
            c.kind = VarKind::Continuous;
            c.lb = v;
            c.ub = v;
            fixed += 1;
        }
    }
    let opts = SolveOptions {
        solver: Some(SolverKind::Highs),
        ..SolveOptions::default()
    };
    match crate::solve::solve_milp(&lp, &opts) {
        Ok(raw) if raw.status == Status::Optimal && raw.duals.is_some() => (
            raw.duals,
            DualSource::FixedIntegers(format!(
                "from the LP with the {fixed} integer decisions fixed at their values (highs)"
            )),
        ),
        Ok(raw) => (
            None,
            DualSource::Unavailable(format!(
                "the LP with integers fixed ended {:?} on highs",
                raw.status
            )),
        ),
        Err(d) => (None, DualSource::Unavailable(d.message)),
    }
}
