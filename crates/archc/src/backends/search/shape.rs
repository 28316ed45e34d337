//! The assignment shape the search backend takes: every column binary (or an integer in
//! `[0, 1]`); per-item rows `sum(options) == 1` with unit coefficients that no column is in
//! twice (the items and their options); every other binary column (a site that opens, say)
//! in rows that hold at most one such column each. The stdlib placement model has it.
//! [`Shape::of`] finds it or says why not.

use crate::ir::{ColId, Model, RowId, Sense, VarKind};

/// Marks a column that is in no item's options.
pub const NONE: u32 = u32::MAX;

/// The assignment structure of a model.
#[derive(Clone, Debug)]
pub struct Shape {
    /// The options (columns) of each item, with the item's row.
    pub items: Vec<(RowId, Vec<ColId>)>,
    /// The item of each column, or [`NONE`] for other columns.
    pub item_of_col: Vec<u32>,
    /// Rows other than the items' rows.
    pub rows: Vec<RowId>,
    /// For each row (by model index): the one other column in it, if any, with its
    /// coefficient.
    pub other_in_row: Vec<Option<(ColId, f64)>>,
    /// CSC of the non-item rows: the rows of column `c` are
    /// `col_row[col_start[c]..col_start[c + 1]]`, with their coefficients in `col_val`.
    pub col_start: Vec<usize>,
    pub col_row: Vec<RowId>,
    pub col_val: Vec<f64>,
    /// Objective coefficients as minimisation costs (negated when maximising).
    pub cost: Vec<f64>,
    pub sense: Sense,
}

/// Why a model does not have the shape, with the row or column at fault.
#[derive(Clone, Debug)]
pub struct NotShape {
    pub why: String,
    pub row: Option<RowId>,
    pub col: Option<ColId>,
}

fn binary(model: &Model, c: usize) -> bool {
    let col = &model.columns[c];
    match col.kind {
        VarKind::Binary => true,
        VarKind::Integer => col.lb >= 0.0 && col.ub <= 1.0,
        VarKind::Continuous => false,
    }
}

impl Shape {
    /// The non-item rows of column `c`, with its coefficient in each.
    pub fn rows_of(&self, c: usize) -> impl Iterator<Item = (RowId, f64)> + '_ {
        let range = self.col_start[c]..self.col_start[c + 1];
        self.col_row[range.clone()]
            .iter()
            .copied()
            .zip(self.col_val[range].iter().copied())
    }

    /// The assignment shape of `model`, or why it does not have it.
    pub fn of(model: &Model) -> Result<Shape, NotShape> {
        let n = model.num_columns();
        if let Some(c) = (0..n).find(|&c| !binary(model, c)) {
            return Err(NotShape {
                why: "the search backend moves items between places, and this decision is not a yes/no choice (`bool`, or an `int` within 0..1)".into(),
                row: None,
                col: Some(ColId(c as u32)),
            });
        }
        let mut item_of_col = vec![NONE; n];
        let mut items = Vec::new();
        let mut rows = Vec::new();
        for (i, row) in model.rows.iter().enumerate() {
            let id = RowId(i as u32);
            let one = row.lo == 1.0 && row.hi == 1.0;
            let unit = model.row_entries(id).all(|(c, v)| {
                v == 1.0
                    && item_of_col[c.0 as usize] == NONE
                    && model.columns[c.0 as usize].lb == 0.0
            });
            if one && unit && model.row_entries(id).next().is_some() {
                let opts: Vec<ColId> = model.row_entries(id).map(|(c, _)| c).collect();
                for c in &opts {
                    item_of_col[c.0 as usize] = items.len() as u32;
                }
                items.push((id, opts));
            } else {
                rows.push(id);
            }
        }
        if items.is_empty() {
            return Err(NotShape {
                why: "no constraint assigns each item to exactly one place (`sum(r in regions) assign[s, r] == 1`)".into(),
                row: None,
                col: None,
            });
        }
        let mut other_in_row = vec![None; model.num_rows()];
        let mut col_start = vec![0usize; n + 1];
        for &r in &rows {
            for (c, _) in model.row_entries(r) {
                col_start[c.0 as usize + 1] += 1;
            }
        }
        for c in 0..n {
            col_start[c + 1] += col_start[c];
        }
        let mut fill = col_start.clone();
        let nnz = col_start[n];
        let mut col_row = vec![RowId(0); nnz];
        let mut col_val = vec![0.0; nnz];
        for &r in &rows {
            for (c, v) in model.row_entries(r) {
                if item_of_col[c.0 as usize] == NONE {
                    if other_in_row[r.0 as usize].is_some() {
                        return Err(NotShape {
                            why: "this constraint holds two decisions that are not item assignments; the search backend takes at most one per constraint".into(),
                            row: Some(r),
                            col: None,
                        });
                    }
                    other_in_row[r.0 as usize] = Some((c, v));
                }
                let at = &mut fill[c.0 as usize];
                col_row[*at] = r;
                col_val[*at] = v;
                *at += 1;
            }
        }
        let sense = model
            .objective
            .as_ref()
            .map_or(Sense::Minimize, |o| o.sense);
        let (mut cost, _) = model.objective_dense();
        if sense == Sense::Maximize {
            for c in &mut cost {
                *c = -*c;
            }
        }
        Ok(Shape {
            items,
            item_of_col,
            rows,
            other_in_row,
            col_start,
            col_row,
            col_val,
            cost,
            sense,
        })
    }
}
