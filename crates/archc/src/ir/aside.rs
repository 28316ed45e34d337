//! Rows set aside while some declarations are instantiated again, and compared with the
//! fresh ones (`instantiate::reuse`).

use super::{ColId, Model, Recent, Row};
use std::collections::HashMap;

/// The rows of a model set aside while some of its declarations are instantiated again
/// (`instantiate::reuse`), with the lengths of the arenas that instantiation extends.
pub(crate) struct RowsAside {
    rows: Vec<Row>,
    row_start: Vec<usize>,
    row_cols: Vec<ColId>,
    row_vals: Vec<f64>,
    parts: HashMap<u32, u32>,
    tuples: usize,
    decls: usize,
}

/// The rows made while the model's own were set aside.
pub(crate) struct FreshRows {
    rows: Vec<Row>,
    row_start: Vec<usize>,
    row_cols: Vec<ColId>,
    row_vals: Vec<f64>,
}

impl Model {
    /// Set every row aside: rows added from now on are numbered from 0, until
    /// [`Model::put_rows_back`].
    pub(crate) fn set_rows_aside(&mut self) -> RowsAside {
        self.recent = Recent::default();
        RowsAside {
            rows: std::mem::take(&mut self.rows),
            row_start: std::mem::replace(&mut self.row_start, vec![0]),
            row_cols: std::mem::take(&mut self.row_cols),
            row_vals: std::mem::take(&mut self.row_vals),
            parts: std::mem::take(&mut self.parts.rows),
            tuples: self.tuples.len(),
            decls: self.decls.len(),
        }
    }

    /// Put the rows set aside back and return those added since (their tuples and
    /// declarations are dropped: the rows they would replace keep their own).
    pub(crate) fn put_rows_back(&mut self, aside: RowsAside) -> FreshRows {
        self.recent = Recent::default();
        self.parts.rows = aside.parts;
        self.tuples.truncate(aside.tuples);
        self.decls.truncate(aside.decls);
        FreshRows {
            rows: std::mem::replace(&mut self.rows, aside.rows),
            row_start: std::mem::replace(&mut self.row_start, aside.row_start),
            row_cols: std::mem::replace(&mut self.row_cols, aside.row_cols),
            row_vals: std::mem::replace(&mut self.row_vals, aside.row_vals),
        }
    }
}

impl FreshRows {
    fn cols(&self, row: usize) -> &[ColId] {
        &self.row_cols[self.row_start[row]..self.row_start[row + 1]]
    }

    /// Whether fresh row `new` has the columns of `model`'s row `old`, in the same order,
    /// and the same sides bounded.
    pub(crate) fn same_shape(&self, new: usize, model: &Model, old: usize) -> bool {
        let (a, b) = (&self.rows[new], &model.rows[old]);
        self.cols(new) == &model.row_cols[model.row_start[old]..model.row_start[old + 1]]
            && a.lo.is_finite() == b.lo.is_finite()
            && a.hi.is_finite() == b.hi.is_finite()
    }

    /// Copy fresh row `new`'s coefficients and bounds into `model`'s row `old` (of the same
    /// shape, see [`FreshRows::same_shape`]).
    pub(crate) fn copy_values(&self, new: usize, model: &mut Model, old: usize) {
        let from = &self.row_vals[self.row_start[new]..self.row_start[new + 1]];
        let to = model.row_start[old]..model.row_start[old + 1];
        model.row_vals[to].copy_from_slice(from);
        model.rows[old].lo = self.rows[new].lo;
        model.rows[old].hi = self.rows[new].hi;
    }
}
