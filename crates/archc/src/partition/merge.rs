//! Merging the plans of the parts into one plan of the full model, and repairing it where it
//! breaks a row. Item columns take their part's value, the columns of a split item the sum
//! of its pieces' values. A shared column that only appears in
//! rows scaled by share (and the objective) takes the share-weighted sum of the parts'
//! values, which meets every scaled row exactly (rounded up for integers); a shared column
//! that appears in an unscaled row takes the largest of the parts' values.
//!
//! Repair is a re-solve of the violated part: the items of failed parts and of violated rows
//! are freed, every other item keeps its value, and the model restricted to the free items and
//! the shared columns is solved (rows with one free column become bounds). When that fails,
//! more items are freed (whole parts), for a few rounds.

use super::split::{RowClass, Split, PIECES, SHARED};
use crate::backends::types::{SolveOptions, Status};
use crate::ir::{ColId, Column, Model, Row, RowId, VarKind};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

/// The plan of one part, on the full model's columns.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartPlan {
    pub part: u32,
    /// Whether the part has a plan (`optimal` or `feasible`).
    pub solved: bool,
    pub status: String,
    pub time_ms: u64,
    /// The part's own objective (its share of the shared costs).
    pub objective: Option<f64>,
    /// `(full-model column, value)` for the nonzero values of the part's columns.
    pub values: Vec<(u32, f64)>,
}

/// How far a value may be off and still count (the verifier's tolerance).
const TOL: f64 = 1e-6;

/// Merge the part plans into values for every column of `full`.
pub fn merge(full: &Model, split: &Split, plans: &[PartPlan]) -> Vec<f64> {
    let n = full.num_columns();
    let mut in_unscaled = vec![false; n];
    for (i, class) in split.row_class.iter().enumerate() {
        if *class != RowClass::Coupling {
            for (c, _) in full.row_entries(RowId(i as u32)) {
                in_unscaled[c.0 as usize] = true;
            }
        }
    }
    let mut values = vec![0.0; n];
    let mut weighted = vec![0.0; n];
    let mut largest = vec![f64::NEG_INFINITY; n];
    for plan in plans.iter().filter(|p| p.solved) {
        let w = split.share(plan.part);
        for &(c, v) in &plan.values {
            let c = c as usize;
            if c >= n {
                continue;
            }
            if split.part_of_col[c] == SHARED {
                weighted[c] += w * v;
                largest[c] = largest[c].max(v);
            } else if split.part_of_col[c] == PIECES {
                values[c] += v;
            } else {
                values[c] = v;
            }
        }
    }
    for c in 0..n {
        if split.part_of_col[c] != SHARED {
            continue;
        }
        let col = &full.columns[c];
        // Zeros are not listed in the plans: a column no part set is 0 in them all.
        let largest = largest[c].max(0.0);
        let v = if in_unscaled[c] { largest } else { weighted[c] };
        let v = if col.kind == VarKind::Continuous {
            v
        } else {
            (v - TOL).ceil()
        };
        values[c] = v.clamp(col.lb, col.ub);
    }
    values
}

/// The rows `values` violates (beyond the verifier's tolerance).
pub fn violated_rows(model: &Model, values: &[f64]) -> Vec<RowId> {
    let mut out = Vec::new();
    for (i, row) in model.rows.iter().enumerate() {
        let id = RowId(i as u32);
        let x: f64 = model
            .row_entries(id)
            .map(|(c, v)| v * values[c.0 as usize])
            .sum();
        if x < row.lo - TOL * row.lo.abs().max(1.0) || x > row.hi + TOL * row.hi.abs().max(1.0) {
            out.push(id);
        }
    }
    out
}

/// What a repair did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Repair {
    /// Items whose columns were re-decided.
    pub freed_items: usize,
    /// Re-solves run.
    pub rounds: u32,
    /// Rows the merged plan violated before repair.
    pub violated_rows: usize,
    /// True when the plan meets every row after repair.
    pub ok: bool,
}

/// Rounds of re-solves before the repair gives up.
const MAX_ROUNDS: u32 = 3;

/// Repair `values` (merged) so that they meet every row of `full`: free the items of
/// `failed_parts` and of violated rows and re-solve the restricted model; free whole parts
/// when that is infeasible.
pub fn repair(
    full: &Model,
    split: &Split,
    values: &mut [f64],
    failed_parts: &[u32],
    opts: &SolveOptions,
) -> Repair {
    let mut free: FxHashSet<u32> = FxHashSet::default();
    let failed: FxHashSet<u32> = failed_parts.iter().copied().collect();
    for (c, &p) in split.part_of_col.iter().enumerate() {
        // A split item misses the pieces of the failed parts.
        if failed.contains(&p) || (p == PIECES && !failed.is_empty()) {
            free.insert(split.item_of_col[c]);
        }
    }
    let violated = violated_rows(full, values);
    let mut report = Repair {
        violated_rows: violated.len(),
        ..Default::default()
    };
    let mut violated = violated;
    let mut freed_total: FxHashSet<u32> = FxHashSet::default();
    loop {
        for &r in &violated {
            for (c, _) in full.row_entries(r) {
                let item = split.item_of_col[c.0 as usize];
                if item != SHARED {
                    free.insert(item);
                }
            }
        }
        if free.is_empty() && violated.is_empty() {
            report.ok = true;
            break;
        }
        if report.rounds == MAX_ROUNDS {
            break;
        }
        report.rounds += 1;
        freed_total.extend(free.iter().copied());
        if resolve_free(full, split, values, &free, opts) {
            free.clear();
            violated = violated_rows(full, values);
            continue;
        }
        // Infeasible with these items free: free the whole parts they are in.
        let parts: FxHashSet<u32> = split
            .part_of_col
            .iter()
            .zip(&split.item_of_col)
            .filter(|(&p, item)| p != PIECES && free.contains(item))
            .map(|(&p, _)| p)
            .collect();
        for (c, &p) in split.part_of_col.iter().enumerate() {
            if parts.contains(&p) {
                free.insert(split.item_of_col[c]);
            }
        }
        if parts.len() == split.k as usize {
            // Everything is free already: one more round would solve the full model.
            if !resolve_free(full, split, values, &free, opts) {
                break;
            }
            free.clear();
            violated = violated_rows(full, values);
        }
    }
    report.freed_items = freed_total.len();
    report
}

/// Re-solve the columns of the `free` items and the shared columns, every other column fixed
/// at its value. True when a plan was found (written into `values`).
fn resolve_free(
    full: &Model,
    split: &Split,
    values: &mut [f64],
    free: &FxHashSet<u32>,
    opts: &SolveOptions,
) -> bool {
    let is_free = |c: usize| {
        let item = split.item_of_col[c];
        item == SHARED || free.contains(&item)
    };
    let mut model = Model::new();
    model.decls = full.decls.clone();
    model.elements = full.elements.clone();
    model.scenario_elements = full.scenario_elements.clone();
    let mut local = vec![u32::MAX; full.num_columns()];
    let mut cols: Vec<usize> = Vec::new();
    for (i, c) in full.columns.iter().enumerate() {
        if is_free(i) {
            let origin = super::split::copy_origin(full, &mut model, c.origin);
            local[i] = model.add_column(Column { origin, ..*c }).0;
            cols.push(i);
        }
    }
    let mut entries: Vec<(ColId, f64)> = Vec::new();
    for (i, row) in full.rows.iter().enumerate() {
        entries.clear();
        let mut fixed = 0.0;
        for (c, v) in full.row_entries(RowId(i as u32)) {
            match local[c.0 as usize] {
                u32::MAX => fixed += v * values[c.0 as usize],
                to => entries.push((ColId(to), v)),
            }
        }
        let (lo, hi) = (row.lo - fixed, row.hi - fixed);
        match entries.as_slice() {
            [] => {
                if lo > TOL * lo.abs().max(1.0) || hi < -TOL * hi.abs().max(1.0) {
                    return false;
                }
            }
            [(c, a)] => {
                let col = &mut model.columns[c.0 as usize];
                let (mut l, mut h) = if *a > 0.0 {
                    (lo / a, hi / a)
                } else {
                    (hi / a, lo / a)
                };
                if col.kind != VarKind::Continuous {
                    l = (l - TOL).ceil();
                    h = (h + TOL).floor();
                }
                col.lb = col.lb.max(l);
                col.ub = col.ub.min(h);
                if col.lb > col.ub + TOL {
                    return false;
                }
            }
            _ => {
                let origin = super::split::copy_origin(full, &mut model, row.origin);
                model.add_row(Row { lo, hi, origin }, entries.iter().copied());
            }
        }
    }
    model.objective = super::split::objective_over(full, &local, 0.0, |_, v| v);
    if cols.is_empty() {
        return true;
    }
    let Ok(raw) = crate::solve::solve_milp(&model, opts) else {
        return false;
    };
    if !matches!(raw.status, Status::Optimal | Status::Feasible) || raw.values.is_empty() {
        return false;
    }
    for (local, &c) in cols.iter().enumerate() {
        values[c] = raw.values[local];
    }
    true
}
