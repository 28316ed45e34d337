//! The smallest repair of an infeasible model by elastic relaxation: every relaxable side
//! (of the conflict's constraint instances and bounds, or of the whole model) gets a
//! non-negative slack column, each unit of slack costs 1 / the row's magnitude (so that
//! relaxing a 24,000-core budget by 1,200 weighs like relaxing a count of 20 by 1), and the
//! total is minimised. The slacks that end up positive are the repair: "raise
//! fit[eu-west] by 1,200 core". Applying it (shifting those sides) gives a feasible model.

use super::conflict::{Conflict, MemberKind};
use super::groups::{droppable_bounds, is_feasible_model, Side, Structure};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::ir::{ColId, Column, DeclId, Model, Objective, ObjectiveTerm, RowId, Sense, VarKind};
use crate::solve::{SolveOptions, Status};
use crate::units::format_quantity;
use serde::Serialize;

/// Which parts of the model may be relaxed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RepairScope {
    /// Only the members of the minimal conflict.
    Conflict,
    /// Every constraint instance and decision bound.
    Model,
}

/// What one repair step changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Target {
    /// The rows of a constraint instance (their sides move together).
    Rows(Vec<RowId>),
    /// A bound of a decision instance.
    Bound(ColId, Side),
}

/// One step of a repair: move one side of a constraint instance or bound.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RepairItem {
    /// `fit[eu-west]`, or the decision instance for a bound.
    pub name: String,
    pub kind: MemberKind,
    /// The source declaration.
    pub decl: DeclId,
    pub target: Target,
    /// `Upper`: the upper side goes up by `by`; `Lower`: the lower side goes down by `by`.
    pub side: Side,
    pub by: f64,
    /// The side before and after.
    pub from: f64,
    pub to: f64,
    /// Unit of the side, when known.
    pub unit: String,
    /// `raise fit[eu-west] by 1,200 core, to 25,200 core`.
    pub text: String,
}

/// The smallest repair found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Repair {
    pub items: Vec<RepairItem>,
    pub scope: RepairScope,
    /// The model with the repair applied was solved and found feasible.
    pub verified: bool,
}

impl Repair {
    /// The model with every step applied.
    pub fn apply(&self, model: &Model) -> Model {
        let mut m = model.clone();
        for it in &self.items {
            match &it.target {
                Target::Rows(rows) => {
                    for r in rows {
                        let row = &mut m.rows[r.0 as usize];
                        shift(&mut row.lo, &mut row.hi, it.side, it.by);
                    }
                }
                Target::Bound(c, side) => {
                    let col = &mut m.columns[c.0 as usize];
                    match side {
                        Side::Lower => col.lb -= it.by,
                        Side::Upper => col.ub += it.by,
                    }
                }
            }
        }
        m
    }

    /// One line: `raise fit[eu-west] by 1,200 core, to 25,200 core; lower spread[x] …`.
    pub fn summary(&self) -> String {
        let parts: Vec<&str> = self.items.iter().map(|i| i.text.as_str()).collect();
        parts.join("; ")
    }
}

/// Move a row's sides: equalities shift, inequalities widen on one side.
fn shift(lo: &mut f64, hi: &mut f64, side: Side, by: f64) {
    let eq = *lo == *hi;
    match side {
        Side::Upper => {
            *hi += by;
            if eq {
                *lo += by;
            }
        }
        Side::Lower => {
            *lo -= by;
            if eq {
                *hi -= by;
            }
        }
    }
}

/// A relaxable part of the model.
struct Relaxable {
    name: String,
    kind: MemberKind,
    decl: DeclId,
    target: Target,
}

/// Find the smallest repair in `scope` (`conflict` is needed for [`RepairScope::Conflict`]).
/// `Ok(None)` when relaxing that scope cannot make the model feasible.
pub fn smallest_repair(
    model: &Model,
    structure: &Structure,
    conflict: Option<&Conflict>,
    scope: RepairScope,
    opts: &SolveOptions,
) -> Result<Option<Repair>, Diagnostic> {
    let mut parts = Vec::new();
    match (scope, conflict) {
        (RepairScope::Conflict, Some(c)) => {
            for m in &c.members {
                let target = match m.bound {
                    Some((col, side)) => Target::Bound(col, side),
                    None if m.source_rows > 0 => Target::Rows(m.rows[..m.source_rows].to_vec()),
                    None => Target::Rows(m.rows.clone()),
                };
                parts.push(Relaxable {
                    name: m.name.clone(),
                    kind: m.kind,
                    decl: m.decl,
                    target,
                });
            }
        }
        (RepairScope::Conflict, None) => return Ok(None),
        (RepairScope::Model, _) => {
            for inst in &structure.instances {
                let rows = if inst.source_rows > 0 {
                    inst.rows[..inst.source_rows].to_vec()
                } else {
                    inst.rows.clone()
                };
                parts.push(Relaxable {
                    name: inst.name.clone(),
                    kind: MemberKind::Constraint,
                    decl: inst.decl,
                    target: Target::Rows(rows),
                });
            }
            for j in 0..model.num_columns() {
                let col = ColId(j as u32);
                for (c, side) in droppable_bounds(model, col) {
                    parts.push(Relaxable {
                        name: model.column_name(c),
                        kind: MemberKind::Bound,
                        decl: model.columns[j].origin.decl,
                        target: Target::Bound(c, side),
                    });
                }
            }
        }
    }
    let (elastic, slacks) = elastic_model(model, &parts);
    let quiet = SolveOptions {
        quiet: true,
        ..opts.clone()
    };
    let raw = crate::solve::solve_milp(&elastic, &quiet)?;
    match raw.status {
        Status::Optimal | Status::Feasible => {}
        Status::Infeasible | Status::Unbounded => return Ok(None),
        Status::Error => {
            return Err(Diagnostic::error(
                Code::E0713,
                format!(
                    "cannot find a repair: the {} solver failed: {}",
                    raw.solver.name(),
                    raw.message
                ),
            )
            .help("try another solver with `--solver`, or a longer time limit"))
        }
    }
    let mut items = Vec::new();
    for s in &slacks {
        let value = raw.values.get(s.col.0 as usize).copied().unwrap_or(0.0);
        if value <= 1e-7 * s.magnitude {
            continue;
        }
        let p = &parts[s.part];
        let by = if s.integral {
            (value - 1e-6).ceil().max(1.0)
        } else {
            value
        };
        items.push(item(model, p, s.side, by));
    }
    let mut repair = Repair {
        items,
        scope,
        verified: false,
    };
    repair.verified = is_feasible_model(&repair.apply(model), opts)?;
    Ok(Some(repair))
}

fn item(model: &Model, p: &Relaxable, side: Side, by: f64) -> RepairItem {
    let (from, unit) = match &p.target {
        Target::Rows(rows) => {
            let r = model.rows[rows[0].0 as usize];
            let unit = model.decls[p.decl.0 as usize].unit.clone();
            (if side == Side::Upper { r.hi } else { r.lo }, unit)
        }
        Target::Bound(c, _) => {
            let col = model.columns[c.0 as usize];
            let unit = model.decls[col.origin.decl.0 as usize].unit.clone();
            (if side == Side::Upper { col.ub } else { col.lb }, unit)
        }
    };
    let to = match side {
        Side::Upper => from + by,
        Side::Lower => from - by,
    };
    let verb = if side == Side::Upper {
        "raise"
    } else {
        "lower"
    };
    let what = match (&p.target, side) {
        (Target::Rows(_), _) => p.name.clone(),
        (Target::Bound(..), Side::Upper) => format!("the upper bound of {}", p.name),
        (Target::Bound(..), Side::Lower) => format!("the lower bound of {}", p.name),
    };
    let text = format!(
        "{verb} {what} by {}, to {}",
        // Solver values: rounded like every value a report shows.
        format_quantity(crate::units::round_significant(by, 10), &unit),
        format_quantity(crate::units::round_significant(to, 10), &unit)
    );
    RepairItem {
        name: p.name.clone(),
        kind: p.kind,
        decl: p.decl,
        target: p.target.clone(),
        side,
        by,
        from,
        to,
        unit,
        text,
    }
}

/// A slack column of the elastic model.
struct Slack {
    col: ColId,
    part: usize,
    side: Side,
    magnitude: f64,
    /// Only whole-number moves make sense (integer columns, integer coefficients).
    integral: bool,
}

/// The slack columns of an elastic model, one per (part, side).
#[derive(Default)]
struct SlackColumns {
    list: Vec<Slack>,
    index: std::collections::HashMap<(usize, Side), ColId>,
}

impl SlackColumns {
    fn get(
        &mut self,
        m: &mut Model,
        part: usize,
        side: Side,
        magnitude: f64,
        integral: bool,
    ) -> ColId {
        if let Some(&c) = self.index.get(&(part, side)) {
            return c;
        }
        let origin = m
            .columns
            .first()
            .map(|c| c.origin)
            .unwrap_or(crate::ir::Origin {
                decl: DeclId(0),
                tuple: 0,
            });
        let col = m.add_column(Column {
            kind: VarKind::Continuous,
            lb: 0.0,
            ub: f64::INFINITY,
            origin,
        });
        self.list.push(Slack {
            col,
            part,
            side,
            magnitude,
            integral,
        });
        self.index.insert((part, side), col);
        col
    }
}

fn row_magnitude(model: &Model, row: RowId) -> f64 {
    let r = model.rows[row.0 as usize];
    let mut m: f64 = 1.0;
    for s in [r.lo, r.hi] {
        if s.is_finite() {
            m = m.max(s.abs());
        }
    }
    for (_, a) in model.row_entries(row) {
        m = m.max(a.abs());
    }
    m
}

fn row_integral(model: &Model, row: RowId) -> bool {
    let r = model.rows[row.0 as usize];
    [r.lo, r.hi]
        .iter()
        .all(|s| !s.is_finite() || s.fract() == 0.0)
        && model.row_entries(row).all(|(c, a)| {
            a.fract() == 0.0 && model.columns[c.0 as usize].kind != VarKind::Continuous
        })
}

/// The model plus slack columns on every side of `parts`, minimising weighted slack.
fn elastic_model(model: &Model, parts: &[Relaxable]) -> (Model, Vec<Slack>) {
    let mut m = Model::new();
    m.decls = model.decls.clone();
    m.names_from(model);
    m.columns = model.columns.clone();
    // Per row: which part relaxes it.
    let mut row_part: Vec<Option<usize>> = vec![None; model.num_rows()];
    let mut bound_parts = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        match &p.target {
            Target::Rows(rows) => {
                for r in rows {
                    row_part[r.0 as usize] = Some(k);
                }
            }
            Target::Bound(c, side) => bound_parts.push((k, *c, *side)),
        }
    }
    // One slack column per part and side, shared by the part's rows so that the part
    // moves as a whole.
    let mut slacks = SlackColumns::default();
    let mut extra_rows: Vec<(crate::ir::Row, Vec<(ColId, f64)>)> = Vec::new();
    for (i, row) in model.rows.iter().enumerate() {
        let id = RowId(i as u32);
        let entries: Vec<(ColId, f64)> = model.row_entries(id).collect();
        let Some(k) = row_part[i] else {
            extra_rows.push((*row, entries));
            continue;
        };
        let mag = row_magnitude(model, id);
        let integral = row_integral(model, id);
        let (has_lo, has_hi) = (row.lo.is_finite(), row.hi.is_finite());
        if has_lo && has_hi && row.lo != row.hi {
            // A range: each side relaxes on its own.
            let down = slacks.get(&mut m, k, Side::Lower, mag, integral);
            let up = slacks.get(&mut m, k, Side::Upper, mag, integral);
            let mut lo_row = entries.clone();
            lo_row.push((down, 1.0));
            extra_rows.push((
                crate::ir::Row {
                    hi: f64::INFINITY,
                    ..*row
                },
                lo_row,
            ));
            let mut hi_row = entries;
            hi_row.push((up, -1.0));
            extra_rows.push((
                crate::ir::Row {
                    lo: f64::NEG_INFINITY,
                    ..*row
                },
                hi_row,
            ));
            continue;
        }
        let mut e = entries;
        if has_lo {
            let s = slacks.get(&mut m, k, Side::Lower, mag, integral);
            e.push((s, 1.0));
        }
        if has_hi {
            let s = slacks.get(&mut m, k, Side::Upper, mag, integral);
            e.push((s, -1.0));
        }
        extra_rows.push((*row, e));
    }
    for (k, col, side) in bound_parts {
        let c = model.columns[col.0 as usize];
        let integral = c.kind != VarKind::Continuous;
        let (bound, coef) = match side {
            Side::Lower => {
                m.columns[col.0 as usize].lb = f64::NEG_INFINITY;
                (c.lb, 1.0)
            }
            Side::Upper => {
                m.columns[col.0 as usize].ub = f64::INFINITY;
                (c.ub, -1.0)
            }
        };
        let s = slacks.get(&mut m, k, side, bound.abs().max(1.0), integral);
        let (lo, hi) = match side {
            Side::Lower => (bound, f64::INFINITY),
            Side::Upper => (f64::NEG_INFINITY, bound),
        };
        extra_rows.push((
            crate::ir::Row {
                lo,
                hi,
                origin: c.origin,
            },
            vec![(col, 1.0), (s, coef)],
        ));
    }
    for (row, entries) in extra_rows {
        m.add_row(row, entries);
    }
    let slacks = slacks.list;
    let coefs = slacks.iter().map(|s| (s.col, 1.0 / s.magnitude)).collect();
    let span = model
        .objective
        .as_ref()
        .map(|o| o.span)
        .or_else(|| model.decls.first().map(|d| d.span))
        .unwrap_or_default();
    m.objective = Some(Objective {
        name: "relaxation".into(),
        sense: Sense::Minimize,
        span,
        unit: String::new(),
        terms: vec![ObjectiveTerm {
            label: "slack".into(),
            span,
            coefs,
            constant: 0.0,
        }],
    });
    (m, slacks)
}
