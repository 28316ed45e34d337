//! The instantiated model: columns (decision instances), rows (constraint instances) and the
//! objective, each traceable to the source through an [`Origin`]. Backends read this; the
//! verifier and the explainer read it too. Storage is flat (CSR rows, a shared tuple arena)
//! so that millions of columns cost a few words each.

mod aside;
pub mod dump;

use crate::span::Span;
use serde::Serialize;
use std::collections::HashMap;

/// Index of a column (a decision instance).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ColId(pub u32);

/// Index of a row (a constraint instance).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RowId(pub u32);

/// Index of a [`Decl`] in [`Model::decls`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct DeclId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VarKind {
    Continuous,
    Integer,
    Binary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeclKind {
    /// A `decide` declaration.
    Decision,
    /// A `constraint` declaration.
    Constraint,
    /// The bounds of a decision, as a constraint group (used by the explainer).
    Bound,
    /// Columns or rows the compiler made (big-M rows, linearisations, auxiliaries); the
    /// span is the source expression they were derived from.
    Derived,
}

/// A source declaration that columns or rows come from.
#[derive(Clone, Debug, Serialize)]
pub struct Decl {
    pub name: String,
    pub kind: DeclKind,
    pub span: Span,
    /// Names of the index variables, e.g. `["s", "r"]`.
    pub index_names: Vec<String>,
    /// Unit of the decision's values or of the constraint's sides, as written (`Gbps`), or
    /// empty when dimensionless.
    pub unit: String,
    /// For `Derived`: what the compiler made, e.g. "big-M for `->`".
    pub note: String,
}

/// Where a column or row came from: a declaration plus an index tuple (`fit[eu-west]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub decl: DeclId,
    /// Start of the index tuple in [`Model::tuples`]; its length is the decl's arity.
    pub tuple: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Column {
    pub kind: VarKind,
    pub lb: f64,
    pub ub: f64,
    pub origin: Origin,
}

/// A row `lo <= sum(coef * col) <= hi`; `lo == hi` for equalities, infinite for one side.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Row {
    pub lo: f64,
    pub hi: f64,
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sense {
    Minimize,
    Maximize,
}

/// One additive term of the objective as written in the source, kept apart for the
/// breakdown in reports.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectiveTerm {
    pub label: String,
    pub span: Span,
    pub coefs: Vec<(ColId, f64)>,
    pub constant: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Objective {
    pub name: String,
    pub sense: Sense,
    pub span: Span,
    pub unit: String,
    pub terms: Vec<ObjectiveTerm>,
}

/// How far a ranked objective may move from its optimum while the objectives ranked after
/// it are solved: `absolute` in the objective's unit plus `relative` times the optimum's
/// magnitude. A small numerical tolerance is always added on top (see
/// [`crate::solve::lexicographic`]), so that a kept optimum is never an exact equality.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Tolerance {
    pub absolute: f64,
    pub relative: f64,
}

/// What a [`Movement`] measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MovementKind {
    /// `moves(x, was)`: the sum of `|x - was|`.
    Moves,
    /// `changed(x, was)`: how many instances differ from `was`.
    Changed,
}

/// One use of `moves(x, was)` or `changed(x, was)`: the decision's columns with their
/// current values, and the columns the model counts for it. Verification recomputes the
/// movement from a plan and checks that the model never counts less.
#[derive(Clone, Debug, Serialize)]
pub struct Movement {
    pub kind: MovementKind,
    /// The call as written (`moves(replicas, was)`).
    pub label: String,
    pub span: Span,
    /// The unit of `moves` (the decision's), empty for `changed`.
    pub unit: String,
    /// Each instance: its column, the scale of the decision's unit to base units, and the
    /// current value in base units.
    pub items: Vec<(ColId, f64, f64)>,
    /// The columns (with coefficients) whose sum the model takes for the movement, in base
    /// units.
    pub counted: Vec<(ColId, f64)>,
}

impl Movement {
    /// The movement of a plan, recomputed from the plan and the current values: in the
    /// decision's unit for `moves`, a count for `changed`.
    pub fn actual(&self, values: &[f64]) -> f64 {
        let mut total = 0.0;
        for &(c, scale, was) in &self.items {
            let x = values.get(c.0 as usize).copied().unwrap_or(0.0);
            let diff = (x * scale - was).abs();
            match self.kind {
                MovementKind::Moves => total += diff / scale,
                MovementKind::Changed => {
                    if diff > 1e-6 * was.abs().max(1.0) {
                        total += 1.0
                    }
                }
            }
        }
        total
    }

    /// What the model counts for the movement at a plan, in the same unit as
    /// [`Movement::actual`].
    pub fn counted(&self, values: &[f64]) -> f64 {
        let scale = match (self.kind, self.items.first()) {
            (MovementKind::Moves, Some(&(_, s, _))) => s,
            _ => 1.0,
        };
        self.counted
            .iter()
            .map(|&(c, k)| k * values.get(c.0 as usize).copied().unwrap_or(0.0))
            .sum::<f64>()
            / scale
    }
}

/// The instantiated model.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Model {
    pub decls: Vec<Decl>,
    /// Display names of set elements (entities, symbols, numbers), referenced by tuples.
    pub elements: Vec<String>,
    /// Flat arena of index tuples: element ids into [`Model::elements`].
    pub tuples: Vec<u32>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// CSR: the nonzeros of row `i` are `row_start[i]..row_start[i+1]`.
    pub row_start: Vec<usize>,
    pub row_cols: Vec<ColId>,
    pub row_vals: Vec<f64>,
    pub objective: Option<Objective>,
    /// Objectives ranked after [`Model::objective`] (`then minimize ...`), in priority
    /// order; empty for a model with one objective.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub later_objectives: Vec<Objective>,
    /// The tolerance of each ranked objective but the last, in priority order (the first
    /// is that of [`Model::objective`]); empty for a model with one objective.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tolerances: Vec<Tolerance>,
    /// Every use of `moves(x, was)` and `changed(x, was)`, for verification and reports.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub movements: Vec<Movement>,
    /// Ordinals of the columns and rows that share their origin with earlier ones.
    #[serde(skip)]
    pub parts: Parts,
    /// The elements that are scenarios: in a name, their position shows its index
    /// variable (`flow[s=down(ny-chi), ny-chi]`), so that every row and column made for a
    /// scenario says which one.
    #[serde(skip)]
    pub scenario_elements: rustc_hash::FxHashSet<u32>,
    /// Counters behind [`Model::parts`] for the instance being added.
    #[serde(skip)]
    recent: Recent,
}

/// The columns and rows that share their origin with earlier ones (several rows of one
/// constraint instance, such as `lo <= x <= hi`, or the rows of one linearisation): the
/// second gets ordinal 2, the third 3, and so on; their names end in `#2`, `#3`, so that
/// every column name and every row name of a model is distinct.
#[derive(Clone, Debug, Default)]
pub struct Parts {
    /// Column index to ordinal (absent: the first with its origin).
    pub cols: HashMap<u32, u32>,
    /// Row index to ordinal.
    pub rows: HashMap<u32, u32>,
}

/// How often each declaration has been used with the current index tuple, for columns and
/// rows apart. Instantiation adds the columns and rows of one instance together and every
/// instance has its own tuple, so counting within the current tuple finds every repeat
/// without a map over all origins.
#[derive(Clone, Debug, Default)]
struct Recent {
    cols: OriginCounter,
    rows: OriginCounter,
}

#[derive(Clone, Debug, Default)]
struct OriginCounter {
    tuple: Option<u32>,
    /// Uses per declaration within the tuple: a short list (an instance has few
    /// declarations), spilling into `more` past [`OriginCounter::SHORT`] of them (scalars all
    /// share one tuple).
    uses: Vec<(u32, u32)>,
    more: rustc_hash::FxHashMap<u32, u32>,
}

impl OriginCounter {
    const SHORT: usize = 8;

    /// The ordinal of one more use of `origin`: 1 for the first.
    fn next(&mut self, origin: Origin) -> u32 {
        if self.tuple != Some(origin.tuple) {
            self.tuple = Some(origin.tuple);
            self.uses.clear();
            if !self.more.is_empty() {
                self.more.clear();
            }
        }
        let d = origin.decl.0;
        if let Some(u) = self.uses.iter_mut().find(|u| u.0 == d) {
            u.1 += 1;
            return u.1;
        }
        if self.uses.len() < Self::SHORT {
            self.uses.push((d, 1));
            return 1;
        }
        let n = self.more.entry(d).or_insert(0);
        *n += 1;
        *n
    }
}

impl Model {
    pub fn new() -> Self {
        Model {
            row_start: vec![0],
            ..Default::default()
        }
    }

    pub fn add_decl(&mut self, decl: Decl) -> DeclId {
        self.decls.push(decl);
        DeclId((self.decls.len() - 1) as u32)
    }

    /// Store an index tuple and return its start in the arena.
    pub fn add_tuple(&mut self, elems: &[u32]) -> u32 {
        let start = self.tuples.len() as u32;
        self.tuples.extend_from_slice(elems);
        start
    }

    pub fn add_column(&mut self, column: Column) -> ColId {
        let id = self.columns.len() as u32;
        let n = self.recent.cols.next(column.origin);
        if n > 1 {
            self.parts.cols.insert(id, n);
        }
        self.columns.push(column);
        ColId(id)
    }

    /// Append one column per index tuple of `elems` (`arity` elements each, `arity` at
    /// least one), all of `kind` within `lb..=ub`, as [`Model::add_tuple`] and
    /// [`Model::add_column`] would one by one: each column has a tuple of its own, so no
    /// column shares its origin with another. Returns the first column's id.
    pub fn append_columns(
        &mut self,
        decl: DeclId,
        (kind, lb, ub): (VarKind, f64, f64),
        elems: &[u32],
        arity: usize,
    ) -> ColId {
        debug_assert!(arity > 0 && elems.len().is_multiple_of(arity));
        let (first, tuple) = (self.columns.len() as u32, self.tuples.len());
        self.tuples.extend_from_slice(elems);
        let count = elems.len() / arity;
        self.columns.extend((0..count).map(|k| Column {
            kind,
            lb,
            ub,
            origin: Origin {
                decl,
                tuple: (tuple + k * arity) as u32,
            },
        }));
        // The counter is left as counting the last one, as adding them one by one leaves
        // it.
        if let Some(c) = self.columns.last().filter(|_| count > 0) {
            self.recent.cols.next(c.origin);
        }
        ColId(first)
    }

    /// Append a row with its nonzeros (duplicates must already be merged).
    pub fn add_row(&mut self, row: Row, coefs: impl IntoIterator<Item = (ColId, f64)>) -> RowId {
        for (c, v) in coefs {
            self.row_cols.push(c);
            self.row_vals.push(v);
        }
        self.row_start.push(self.row_cols.len());
        let n = self.recent.rows.next(row.origin);
        if n > 1 {
            self.parts.rows.insert(self.rows.len() as u32, n);
        }
        self.rows.push(row);
        RowId((self.rows.len() - 1) as u32)
    }

    /// [`Model::add_row`] for nonzeros given as two slices, columns and coefficients.
    pub fn add_row_slices(&mut self, row: Row, cols: &[u32], vals: &[f64]) -> RowId {
        debug_assert_eq!(cols.len(), vals.len());
        self.row_cols.extend(cols.iter().map(|&c| ColId(c)));
        self.row_vals.extend_from_slice(vals);
        self.add_row(row, [])
    }

    /// Append instances of `decl` made elsewhere, in order, as [`Model::add_tuple`] and
    /// [`Model::add_row_slices`] would one by one: instance `k` has the index tuple
    /// `elems[k * arity..(k + 1) * arity]` and, when `rows[k]` is `Some((lo, hi, end))`, a
    /// row whose nonzeros end at `end` in `cols`/`vals` (each row's start is the end
    /// before it). Each instance has a tuple of its own (`arity` at least one), so no row
    /// shares its origin with another.
    pub fn append_rows(
        &mut self,
        decl: DeclId,
        rows: &[Option<(f64, f64, u32)>],
        cols: &[u32],
        vals: &[f64],
        elems: &[u32],
        arity: usize,
    ) {
        debug_assert!(arity > 0 && elems.len() == rows.len() * arity);
        debug_assert_eq!(cols.len(), vals.len());
        let (tuple, nonzeros) = (self.tuples.len(), self.row_cols.len());
        self.tuples.extend_from_slice(elems);
        self.row_cols.extend(cols.iter().map(|&c| ColId(c)));
        self.row_vals.extend_from_slice(vals);
        let mut last = None;
        for (k, row) in rows.iter().enumerate() {
            let Some((lo, hi, end)) = *row else { continue };
            let origin = Origin {
                decl,
                tuple: (tuple + k * arity) as u32,
            };
            self.rows.push(Row { lo, hi, origin });
            self.row_start.push(nonzeros + end as usize);
            last = Some(origin);
        }
        // Every row's origin is new: the first use of its tuple. The counter is left as
        // counting the last one, as adding them one by one leaves it.
        if let Some(origin) = last {
            self.recent.rows.next(origin);
        }
    }

    pub fn num_columns(&self) -> usize {
        self.columns.len()
    }

    pub fn num_rows(&self) -> usize {
        self.rows.len()
    }

    pub fn num_nonzeros(&self) -> usize {
        self.row_cols.len()
    }

    /// The nonzeros of a row.
    pub fn row_entries(&self, row: RowId) -> impl Iterator<Item = (ColId, f64)> + '_ {
        let i = row.0 as usize;
        let range = self.row_start[i]..self.row_start[i + 1];
        self.row_cols[range.clone()]
            .iter()
            .copied()
            .zip(self.row_vals[range].iter().copied())
    }

    /// The index tuple of an origin, as element ids.
    pub fn tuple_of(&self, origin: Origin) -> &[u32] {
        let arity = self.decls[origin.decl.0 as usize].index_names.len();
        let start = origin.tuple as usize;
        &self.tuples[start..start + arity]
    }

    /// `fit[eu-west]`, `replicas[checkout, us-east]`, or `fit` for a scalar; a scenario
    /// position names its index variable: `serve[s=down(a), b]`.
    pub fn origin_name(&self, origin: Origin) -> String {
        let decl = &self.decls[origin.decl.0 as usize];
        let tuple = self.tuple_of(origin);
        if tuple.is_empty() {
            decl.name.clone()
        } else {
            let parts: Vec<String> = tuple
                .iter()
                .zip(&decl.index_names)
                .map(|(&e, var)| {
                    let name = self.elements[e as usize].as_str();
                    if self.scenario_elements.contains(&e) {
                        format!("{var}={name}")
                    } else {
                        name.to_string()
                    }
                })
                .collect();
            format!("{}[{}]", decl.name, parts.join(", "))
        }
    }

    /// Copy the element names (and which are scenarios) and the tuples of `full`, for a
    /// model made from it with the same origins.
    pub fn names_from(&mut self, full: &Model) {
        self.elements = full.elements.clone();
        self.scenario_elements = full.scenario_elements.clone();
        self.tuples = full.tuples.clone();
    }

    /// The column's name: its origin's, with `#k` when it is the k-th column of that
    /// origin (see [`Parts`]). Distinct for every column of a model.
    pub fn column_name(&self, col: ColId) -> String {
        let name = self.origin_name(self.columns[col.0 as usize].origin);
        with_part(name, self.parts.cols.get(&col.0))
    }

    /// The row's name: its origin's, with `#k` for the k-th row of that origin. Distinct
    /// for every row of a model.
    pub fn row_name(&self, row: RowId) -> String {
        let name = self.origin_name(self.rows[row.0 as usize].origin);
        with_part(name, self.parts.rows.get(&row.0))
    }

    /// The ordinal of a row among the rows of its origin: 1 for the first.
    pub fn row_part(&self, row: RowId) -> u32 {
        self.parts.rows.get(&row.0).copied().unwrap_or(1)
    }

    /// The ordinal of a column among the columns of its origin: 1 for the first.
    pub fn column_part(&self, col: ColId) -> u32 {
        self.parts.cols.get(&col.0).copied().unwrap_or(1)
    }

    /// Objective coefficients summed over terms, dense, plus the constant.
    pub fn objective_dense(&self) -> (Vec<f64>, f64) {
        let mut c = vec![0.0; self.columns.len()];
        let mut k = 0.0;
        if let Some(obj) = &self.objective {
            for t in &obj.terms {
                k += t.constant;
                for &(col, v) in &t.coefs {
                    c[col.0 as usize] += v;
                }
            }
        }
        (c, k)
    }
}

fn with_part(mut name: String, part: Option<&u32>) -> String {
    if let Some(k) = part {
        name.push('#');
        name.push_str(itoa::Buffer::new().format(*k));
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ordinals count uses of one declaration within one tuple, past the short list of
    /// declarations too (scalars all share tuple 0), and restart with a new tuple.
    #[test]
    fn origin_counter_counts_per_declaration_and_tuple() {
        let mut c = OriginCounter::default();
        let at = |decl: u32, tuple: u32| Origin {
            decl: DeclId(decl),
            tuple,
        };
        let n = OriginCounter::SHORT as u32 * 3;
        for round in 1..=3 {
            for d in 0..n {
                assert_eq!(c.next(at(d, 0)), round, "decl {d}, round {round}");
            }
        }
        assert_eq!(c.next(at(5, 7)), 1);
        assert_eq!(c.next(at(5, 7)), 2);
        assert_eq!(c.next(at(n - 1, 7)), 1);
        assert_eq!(c.next(at(n - 1, 0)), 1);
    }

    /// Rows appended at once equal the rows added one by one: tuples, nonzeros, bounds,
    /// origins, and the counter of uses (a row added after them with the last origin is
    /// its second use either way).
    #[test]
    fn appended_rows_equal_rows_added_one_by_one() {
        let rows = [
            Some((1.0, 2.0, 2)),
            None,
            Some((f64::NEG_INFINITY, 0.0, 5)),
            Some((3.0, 3.0, 5)),
        ];
        let cols = [4, 7, 1, 2, 9];
        let vals = [1.5, -2.0, 3.0, 4.0, 0.25];
        let elems = [0, 1, 0, 2, 1, 1, 2, 0];
        let decl = DeclId(0);
        let mut one = Model::new();
        let mut at_once = Model::new();
        for m in [&mut one, &mut at_once] {
            m.add_tuple(&[5, 5]);
            m.add_row(
                Row {
                    lo: 0.0,
                    hi: 1.0,
                    origin: Origin { decl, tuple: 0 },
                },
                [(ColId(3), 1.0)],
            );
        }
        let mut from = 0;
        for (k, row) in rows.iter().enumerate() {
            let tuple = one.add_tuple(&elems[k * 2..k * 2 + 2]);
            if let Some((lo, hi, end)) = *row {
                let terms = from..end as usize;
                let origin = Origin { decl, tuple };
                one.add_row_slices(Row { lo, hi, origin }, &cols[terms.clone()], &vals[terms]);
                from = end as usize;
            }
        }
        at_once.append_rows(decl, &rows, &cols, &vals, &elems, 2);
        for m in [&mut one, &mut at_once] {
            let origin = m.rows.last().expect("rows").origin;
            m.add_row(
                Row {
                    lo: 0.0,
                    hi: 0.0,
                    origin,
                },
                [],
            );
        }
        assert_eq!(one.tuples, at_once.tuples);
        assert_eq!(one.rows, at_once.rows);
        assert_eq!(one.row_start, at_once.row_start);
        assert_eq!(one.row_cols, at_once.row_cols);
        assert_eq!(one.row_vals, at_once.row_vals);
        assert_eq!(one.parts.rows, at_once.parts.rows);
        assert_eq!(at_once.parts.rows.get(&4), Some(&2));
    }

    #[test]
    fn appended_columns_equal_columns_added_one_by_one() {
        let elems = [0, 1, 0, 2, 1, 1, 2, 0];
        let (decl, other) = (DeclId(1), DeclId(0));
        let bounds = (VarKind::Integer, -1.0, 4.0);
        let mut one = Model::new();
        let mut at_once = Model::new();
        for m in [&mut one, &mut at_once] {
            let tuple = m.add_tuple(&[5, 5]);
            let origin = Origin { decl: other, tuple };
            m.add_column(Column {
                kind: VarKind::Binary,
                lb: 0.0,
                ub: 1.0,
                origin,
            });
        }
        for t in elems.chunks(2) {
            let tuple = one.add_tuple(t);
            one.add_column(Column {
                kind: bounds.0,
                lb: bounds.1,
                ub: bounds.2,
                origin: Origin { decl, tuple },
            });
        }
        assert_eq!(at_once.append_columns(decl, bounds, &elems, 2), ColId(1));
        // Nothing to add: nothing changes.
        assert_eq!(at_once.append_columns(decl, bounds, &[], 2), ColId(5));
        // One more use of the last origin is its second, in both.
        for m in [&mut one, &mut at_once] {
            let origin = m.columns.last().expect("columns").origin;
            m.add_column(Column {
                kind: VarKind::Continuous,
                lb: 0.0,
                ub: 0.0,
                origin,
            });
        }
        assert_eq!(one.tuples, at_once.tuples);
        assert_eq!(one.columns, at_once.columns);
        assert_eq!(one.parts.cols, at_once.parts.cols);
        assert_eq!(at_once.parts.cols.get(&5), Some(&2));
    }
}
