//! How the explainer sees a model: rows grouped into constraint instances (a source
//! constraint's rows plus the rows the compiler derived from it for the same index tuple),
//! instances grouped by source declaration, and decision bounds as droppable items. Also
//! sub-models (a subset of rows and bounds) and the one question the conflict search asks:
//! "is this sub-model feasible?".

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::ir::{ColId, DeclId, DeclKind, Model, RowId, VarKind};
use crate::solve::{SolveOptions, Status};
use serde::Serialize;
use std::collections::HashMap;

/// Which side of a column's domain a bound limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Lower,
    Upper,
}

/// A subset of a model's rows and decision bounds. Columns that are not decision instances
/// (auxiliaries the compiler made) always keep their bounds, and `bool` columns always stay
/// within `[0, 1]`: that is their type, not a bound someone wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Subset {
    /// One flag per row: is the row kept?
    pub rows: Vec<bool>,
    /// One flag per column: is its lower bound kept?
    pub lower: Vec<bool>,
    /// One flag per column: is its upper bound kept?
    pub upper: Vec<bool>,
}

impl Subset {
    /// Every row and every bound.
    pub fn full(model: &Model) -> Self {
        Subset {
            rows: vec![true; model.num_rows()],
            lower: vec![true; model.num_columns()],
            upper: vec![true; model.num_columns()],
        }
    }

    /// No row and no decision bound.
    pub fn empty(model: &Model) -> Self {
        Subset {
            rows: vec![false; model.num_rows()],
            lower: vec![false; model.num_columns()],
            upper: vec![false; model.num_columns()],
        }
    }

    /// Keep or drop one item.
    pub fn set(&mut self, item: &Item, keep: bool) {
        for r in &item.rows {
            if let Some(f) = self.rows.get_mut(r.0 as usize) {
                *f = keep;
            }
        }
        for &(c, side) in &item.bounds {
            let flags = match side {
                Side::Lower => &mut self.lower,
                Side::Upper => &mut self.upper,
            };
            if let Some(f) = flags.get_mut(c.0 as usize) {
                *f = keep;
            }
        }
    }
}

/// Something the conflict search keeps or drops as a whole: rows and decision bounds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Item {
    pub rows: Vec<RowId>,
    pub bounds: Vec<(ColId, Side)>,
}

impl Item {
    pub fn rows(rows: Vec<RowId>) -> Self {
        Item {
            rows,
            bounds: Vec::new(),
        }
    }

    pub fn bounds(bounds: Vec<(ColId, Side)>) -> Self {
        Item {
            rows: Vec::new(),
            bounds,
        }
    }
}

/// The source declaration a declaration belongs to: itself, or for a derived declaration
/// (`presence~big-M`) the declaration it was derived from.
pub fn root_decls(model: &Model) -> Vec<DeclId> {
    let mut by_name: HashMap<(&str, u8), DeclId> = HashMap::new();
    for (i, d) in model.decls.iter().enumerate() {
        let rank = match d.kind {
            DeclKind::Constraint => 0,
            DeclKind::Decision => 1,
            DeclKind::Bound => 2,
            DeclKind::Derived => continue,
        };
        by_name
            .entry((d.name.as_str(), rank))
            .or_insert(DeclId(i as u32));
    }
    model
        .decls
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if d.kind != DeclKind::Derived {
                return DeclId(i as u32);
            }
            let parent = d.name.split('~').next().unwrap_or(&d.name);
            (0..3)
                .find_map(|rank| by_name.get(&(parent, rank)).copied())
                .unwrap_or(DeclId(i as u32))
        })
        .collect()
}

/// Is the declaration the objective (whose derived rows are never part of a conflict)?
pub fn is_objective(model: &Model, decl: DeclId) -> bool {
    model
        .decls
        .get(decl.0 as usize)
        .is_some_and(|d| d.kind == DeclKind::Constraint && d.note == "objective")
}

/// A constraint instance: every row of one source constraint for one index tuple.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The source declaration.
    pub decl: DeclId,
    /// `spread[ledger-eu]`.
    pub name: String,
    /// The instance's rows, source rows first.
    pub rows: Vec<RowId>,
    /// How many of `rows` (from the front) come from the source declaration itself rather
    /// than from the compiler.
    pub source_rows: usize,
}

/// The model's rows seen as constraint instances, grouped by source declaration.
#[derive(Clone, Debug)]
pub struct Structure {
    pub roots: Vec<DeclId>,
    /// Instances in row order of their first row.
    pub instances: Vec<Instance>,
    /// Rows never part of a conflict (derived from the objective).
    pub background: Vec<RowId>,
}

impl Structure {
    pub fn of(model: &Model) -> Self {
        let roots = root_decls(model);
        let mut index: HashMap<(DeclId, Vec<u32>), usize> = HashMap::new();
        let mut instances: Vec<Instance> = Vec::new();
        let mut background = Vec::new();
        for (i, row) in model.rows.iter().enumerate() {
            let id = RowId(i as u32);
            let root = roots
                .get(row.origin.decl.0 as usize)
                .copied()
                .unwrap_or(row.origin.decl);
            if is_objective(model, root) {
                background.push(id);
                continue;
            }
            let tuple = model.tuple_of(row.origin).to_vec();
            let at = *index.entry((root, tuple)).or_insert_with(|| {
                let origin = crate::ir::Origin {
                    decl: root,
                    tuple: row.origin.tuple,
                };
                instances.push(Instance {
                    decl: root,
                    name: model.origin_name(origin),
                    rows: Vec::new(),
                    source_rows: 0,
                });
                instances.len() - 1
            });
            let inst = &mut instances[at];
            if row.origin.decl == root {
                inst.rows.insert(inst.source_rows, id);
                inst.source_rows += 1;
            } else {
                inst.rows.push(id);
            }
        }
        Structure {
            roots,
            instances,
            background,
        }
    }

    /// The decision a column is an instance of, when it is one.
    pub fn decision_of(model: &Model, col: ColId) -> Option<DeclId> {
        let c = model.columns.get(col.0 as usize)?;
        let d = model.decls.get(c.origin.decl.0 as usize)?;
        (d.kind == DeclKind::Decision).then_some(c.origin.decl)
    }
}

/// The bounds of a column that can be dropped: finite bounds of decision instances that are
/// not `bool`.
pub fn droppable_bounds(model: &Model, col: ColId) -> Vec<(ColId, Side)> {
    let Some(c) = model.columns.get(col.0 as usize) else {
        return Vec::new();
    };
    if c.kind == VarKind::Binary || Structure::decision_of(model, col).is_none() {
        return Vec::new();
    }
    let mut v = Vec::new();
    if c.lb.is_finite() {
        v.push((col, Side::Lower));
    }
    if c.ub.is_finite() {
        v.push((col, Side::Upper));
    }
    v
}

/// The sub-model of `subset`, without objective: kept rows, kept bounds.
pub fn sub_model(model: &Model, subset: &Subset) -> Model {
    let mut m = Model::new();
    m.decls = model.decls.clone();
    m.names_from(model);
    m.columns = model.columns.clone();
    for (j, c) in m.columns.iter_mut().enumerate() {
        if droppable_bounds(model, ColId(j as u32)).is_empty() {
            continue;
        }
        if !subset.lower.get(j).copied().unwrap_or(true) {
            c.lb = f64::NEG_INFINITY;
        }
        if !subset.upper.get(j).copied().unwrap_or(true) {
            c.ub = f64::INFINITY;
        }
    }
    for (i, row) in model.rows.iter().enumerate() {
        if subset.rows.get(i).copied().unwrap_or(false) {
            m.add_row(*row, model.row_entries(RowId(i as u32)));
        }
    }
    m
}

/// The model with every integer and `bool` column made continuous (its LP relaxation).
/// When the relaxation is infeasible, so is the model.
pub fn relaxed(mut model: Model) -> Model {
    for c in &mut model.columns {
        match c.kind {
            VarKind::Continuous => {}
            VarKind::Integer => c.kind = VarKind::Continuous,
            VarKind::Binary => {
                c.kind = VarKind::Continuous;
                c.lb = c.lb.max(0.0);
                c.ub = c.ub.min(1.0);
            }
        }
    }
    model
}

/// Does the model have integer or `bool` columns?
pub fn has_integers(model: &Model) -> bool {
    model.columns.iter().any(|c| c.kind != VarKind::Continuous)
}

/// Does the model have a solution? `Unbounded` counts as yes; a solver error is an error.
pub fn is_feasible_model(model: &Model, opts: &SolveOptions) -> Result<bool, Diagnostic> {
    if model.objective.is_some() {
        let mut m = model.clone();
        m.objective = None;
        return is_feasible_model(&m, opts);
    }
    let quiet = SolveOptions {
        quiet: true,
        ..opts.clone()
    };
    let raw = crate::solve::solve_milp(model, &quiet)?;
    match raw.status {
        Status::Optimal | Status::Feasible | Status::Unbounded => Ok(true),
        Status::Infeasible => Ok(false),
        Status::Error if raw.message.to_lowercase().contains("time limit") => Err(
            Diagnostic::error(
                Code::E0713,
                format!(
                    "cannot explain the result: the {} solver did not settle a sub-model within {}",
                    raw.solver.name(),
                    opts.time_limit
                        .map(|t| format!("{} s", t.as_secs_f64()))
                        .unwrap_or_else(|| "its time limit".into())
                ),
            )
            .note("the solver reported the model infeasible; only the search for an explanation stopped")
            .help("try a solver that proves integer infeasibility faster (`--solver highs` or `cbc`), or a longer `--time-limit`"),
        ),
        Status::Error => Err(Diagnostic::error(
            Code::E0713,
            format!(
                "cannot explain the result: the {} solver failed on a sub-model: {}",
                raw.solver.name(),
                raw.message
            ),
        )
        .help("try another solver with `--solver`, or a longer time limit")),
    }
}

/// Is the sub-model made of `subset`'s rows and bounds feasible? This is the only question
/// the conflict search asks, on any solver.
pub fn is_feasible_subset(
    model: &Model,
    subset: &Subset,
    opts: &SolveOptions,
) -> Result<bool, Diagnostic> {
    is_feasible_model(&sub_model(model, subset), opts)
}
