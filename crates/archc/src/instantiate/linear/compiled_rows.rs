//! Constraints instantiated row by row from compiled code: a constraint `[v1 in S1, ...]:
//! lhs <= rhs` (or `>=`, `==`) over named sets whose two sides compile (see `compiled`)
//! runs its index tuples as position counters over the sets (or, with a filter, by the
//! compiled loops of `compiled/index.rs`) and each row as the two compiled sides, with no
//! environment of names, no formula and no lookup by span per row. Each row is exactly
//! what the evaluator's `formula` and `assert` make of it (same terms in the same order,
//! same scale, same errors): a tuple whose run bails out is handed to the evaluator, which
//! reports what it finds. Called by `instantiate_constraint`; anything outside this shape
//! takes the general path.

use super::compiled::{Code, CompiledLin, IndexTuples, Slot};
use super::on_workers::RowCode;
use super::Lin;
use crate::hir::{self, ExprKind};
use crate::instantiate::eval::R;
use crate::instantiate::hir_eval::Bound;
use crate::instantiate::world::{ElemId, SetVal};
use crate::instantiate::Inst;
use crate::ir::{DeclId, Origin};
use crate::syntax::ast::CmpOp;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

/// One index set of the constraint: its elements with their kind and kind-table position.
pub(crate) struct IndexSet {
    pub(crate) set: Arc<SetVal>,
    entities: Vec<Option<(u32, u32)>>,
}

impl IndexSet {
    /// The slot of the element at position `p`.
    fn slot(&self, p: usize) -> Slot {
        Slot {
            elem: self.set.elems[p],
            set: Arc::as_ptr(&self.set) as usize,
            pos: p as u32,
            entity: self.entities[p],
        }
    }
}

/// How a constraint's index tuples are found.
pub(super) enum Tuples {
    /// The product of named sets, by position counters.
    Product(Vec<IndexSet>),
    /// Listed (a filtered index, see `compiled/index.rs`).
    Listed(IndexTuples),
}

impl Tuples {
    fn len(&self) -> usize {
        match self {
            Tuples::Product(sets) => sets.iter().map(|s| s.set.elems.len()).product(),
            Tuples::Listed(list) => list.len(),
        }
    }
}

/// Reads the tuples in order from one of them on, as slots.
pub(super) struct Cursor<'t> {
    tuples: &'t Tuples,
    /// The next tuple: its number, and for a product its position in each set.
    next: usize,
    at: Vec<usize>,
}

impl<'t> Cursor<'t> {
    /// From tuple `start` on (at most the number of tuples).
    pub(super) fn new(tuples: &'t Tuples, start: usize) -> Self {
        let mut at = Vec::new();
        if let Tuples::Product(sets) = tuples {
            at.resize(sets.len(), 0);
            let mut rest = start;
            for (at, set) in at.iter_mut().zip(sets).rev() {
                let len = set.set.elems.len().max(1);
                *at = rest % len;
                rest /= len;
            }
        }
        Cursor {
            tuples,
            next: start,
            at,
        }
    }

    /// The next tuple's slots into `tuple` (there must be one).
    pub(super) fn next_into(&mut self, tuple: &mut Vec<Slot>) {
        tuple.clear();
        match self.tuples {
            Tuples::Product(sets) => {
                tuple.extend(sets.iter().zip(&self.at).map(|(s, &p)| s.slot(p)));
                advance(&mut self.at, sets);
            }
            Tuples::Listed(list) => {
                tuple.extend((0..list.width()).map(|i| list.slot(self.next, i)));
            }
        }
        self.next += 1;
    }
}

/// A constraint in the shape this module takes: its sides, bounds and index tuples.
struct Shape {
    left: Rc<CompiledLin>,
    right: Rc<CompiledLin>,
    lo: f64,
    hi: f64,
    scale: f64,
    tuples: Tuples,
}

impl Inst<'_> {
    /// Instantiate the rows of constraint `c` (declared as `decl`) from compiled code.
    /// `None` when the constraint is outside the shape (nothing was done); the evaluator's
    /// path then takes it.
    pub(crate) fn compiled_constraint_rows(&mut self, c: usize, decl: DeclId) -> Option<R<()>> {
        if self.lin_cache.disabled {
            return None;
        }
        self.origin = Origin { decl, tuple: 0 };
        let shape = self.shape(c)?;
        Some(self.run_rows(c, decl, &shape))
    }

    fn shape(&mut self, c: usize) -> Option<Shape> {
        let schema = self.schema;
        let info = schema.constraints.get(c)?;
        let h = self.hir?.constraints.get(c)?;
        let ExprKind::Compare(lhs, links) = &h.body.body.kind else {
            return None;
        };
        let [(op, _, rhs)] = links.as_slice() else {
            return None;
        };
        let (lo, hi) = match op {
            CmpOp::Le => (f64::NEG_INFINITY, 0.0),
            CmpOp::Ge => (0.0, f64::INFINITY),
            CmpOp::Eq => (0.0, 0.0),
            _ => return None,
        };
        if !h.body.body.var {
            return None;
        }
        self.enter_constraint_hir(c);
        let left = self.compile_lin(lhs)?;
        let right = self.compile_lin(rhs)?;
        // The sides first: a filtered index is enumerated only for rows that will run.
        let tuples = if h.body.index.filter.is_some() {
            let max = self.limits.max_index_tuples as usize;
            let index = &h.body.index;
            Tuples::Listed(self.filtered_index_tuples(index, &h.slots, &info.dims, max)?)
        } else {
            Tuples::Product(self.index_sets(&h.body.index, &info.dims)?.0)
        };
        let scale = self.compare_scale(lhs, rhs);
        Some(Shape {
            left,
            right,
            lo,
            hi,
            scale,
            tuples,
        })
    }

    /// The sets of an index over named sets without a filter, with the number of tuples
    /// (within the limit of index tuples; beyond it the evaluator reports E0632).
    pub(crate) fn index_sets(
        &mut self,
        index: &hir::Index,
        dims: &[crate::check::IndexDim],
    ) -> Option<(Vec<IndexSet>, usize)> {
        if index.filter.is_some() || !distinct_variables(index, dims) {
            return None;
        }
        let mut sets = Vec::with_capacity(index.binders.len());
        let mut tuples: u128 = 1;
        for b in &index.binders {
            let hir::ExprKind::Set(id) = &b.set.kind else {
                return None;
            };
            let set = self.named_set(id.index()).ok()?;
            tuples = tuples.saturating_mul(set.elems.len() as u128);
            let entities = set
                .elems
                .iter()
                .map(|x| self.world.entity_of.get(x).map(|&(k, pos)| (k as u32, pos)))
                .collect();
            sets.push(IndexSet { set, entities });
        }
        if tuples > self.limits.max_index_tuples as u128 {
            return None;
        }
        Some((sets, usize::try_from(tuples).ok()?))
    }

    /// The index tuples of decision `d`, flat (one element per dimension each), when its
    /// index is over named sets and it has at most `max` of them: by position counters, or
    /// by the compiled loops when the index has a filter. `None` otherwise (the evaluator
    /// enumerates them and reports).
    pub(crate) fn compiled_decision_tuples(&mut self, d: usize, max: usize) -> Option<Vec<ElemId>> {
        if self.lin_cache.disabled {
            return None;
        }
        let schema = self.schema;
        let h = self.hir?.decisions.get(d)?;
        let dims = &schema.decisions.get(d)?.dims;
        if h.body.index.filter.is_some() {
            let list = self.filtered_index_tuples(&h.body.index, &h.slots, dims, max)?;
            return Some(list.elems());
        }
        let (sets, count) = self.index_sets(&h.body.index, dims)?;
        if count > max {
            return None;
        }
        let mut out = Vec::with_capacity(count * sets.len());
        if count == 0 {
            return Some(out);
        }
        let mut at = vec![0usize; sets.len()];
        loop {
            out.extend(sets.iter().zip(&at).map(|(s, &p)| s.set.elems[p]));
            if !advance(&mut at, &sets) {
                return Some(out);
            }
        }
    }

    fn run_rows(&mut self, c: usize, decl: DeclId, shape: &Shape) -> R<()> {
        let total = shape.tuples.len();
        if total == 0 {
            return Ok(());
        }
        let mut slots: Vec<Slot> = Vec::new();
        // One buffer of terms for every row.
        let mut l = Lin::default();
        // The first row here: its terms tell how large the others are, and whether making
        // them on worker threads pays.
        self.rows_one_by_one(c, decl, shape, 0..1, &mut l, &mut slots)?;
        let mut next = 1;
        if let Some(plan) = self.parallel_plan(total - 1, l.terms.len()) {
            let code = RowCode {
                left: &shape.left,
                right: &shape.right,
                lo: shape.lo,
                hi: shape.hi,
                scale: shape.scale,
            };
            next = self.rows_on_workers(decl, &code, &shape.tuples, next..total, plan);
        }
        self.rows_one_by_one(c, decl, shape, next..total, &mut l, &mut slots)
    }

    /// The rows of tuples `range`, one by one.
    fn rows_one_by_one(
        &mut self,
        c: usize,
        decl: DeclId,
        shape: &Shape,
        range: Range<usize>,
        l: &mut Lin,
        slots: &mut Vec<Slot>,
    ) -> R<()> {
        let mut cursor = Cursor::new(&shape.tuples, range.start);
        let mut tuple = Vec::new();
        for _ in range {
            cursor.next_into(&mut tuple);
            self.run_row(c, decl, shape, &tuple, l, slots)?;
        }
        Ok(())
    }

    /// The row of one index tuple (its variables' slots in order): from the compiled
    /// sides, or by the evaluator when a run bails out.
    fn run_row(
        &mut self,
        c: usize,
        decl: DeclId,
        shape: &Shape,
        index: &[Slot],
        l: &mut Lin,
        slots: &mut Vec<Slot>,
    ) -> R<()> {
        let schema = self.schema;
        let info = &schema.constraints[c];
        let tuple = self.model.tuples.len();
        self.model.tuples.extend(index.iter().map(|s| s.elem));
        let origin = Origin {
            decl,
            tuple: tuple as u32,
        };
        self.origin = origin;
        self.hir_scope.tuple = tuple;
        l.terms.clear();
        l.constant = 0.0;
        let ok = self.run_row_side(&shape.left, 1.0, l, index, slots)
            && self.run_row_side(&shape.right, -1.0, l, index, slots);
        let r = if ok {
            self.lin_cache.rows += 1;
            self.emit_row_from(l, shape.lo, shape.hi, shape.scale, origin, info.span)
        } else {
            self.row_by_evaluator(c, tuple, origin)
        };
        r.map_err(|d| {
            let key = self.model.tuples[tuple..].to_vec();
            self.in_instance(d, &info.name, &key)
        })
    }

    /// Add `k *` one side to `l` for the index tuple `index`; false (with `l` untouched)
    /// when the run bails out.
    fn run_row_side(
        &mut self,
        code: &CompiledLin,
        k: f64,
        l: &mut Lin,
        index: &[Slot],
        slots: &mut Vec<Slot>,
    ) -> bool {
        code.bind(index, slots);
        let counted = !matches!(code.code, Code::Data(_));
        self.run_code(code, k, l, slots, counted)
    }

    /// One row by the linearizer: the index variables bound in the frame, then the body's
    /// formula asserted (what `instantiate_constraint` does for every tuple).
    fn row_by_evaluator(&mut self, c: usize, tuple: usize, origin: Origin) -> R<()> {
        let info = &self.schema.constraints[c];
        let Some(h) = self.hir.and_then(|h| h.constraints.get(c)) else {
            return Err(crate::instantiate::hir_eval::internal(
                info.span,
                "a constraint without its HIR",
            ));
        };
        self.in_frame(h.slots.len(), |me| {
            for (i, b) in h.body.index.binders.iter().enumerate() {
                let x: ElemId = me.model.tuples[tuple + i];
                me.bind(
                    b.slot,
                    Bound::Value(crate::instantiate::world::Value::Elem(x)),
                );
            }
            me.formula(&h.body.body)
                .and_then(|f| me.assert(f, origin, info.span))
        })
    }
}

/// Move the position counters to the next tuple (the last moves fastest, as nested loops
/// do); false after the last.
fn advance(at: &mut [usize], sets: &[IndexSet]) -> bool {
    for i in (0..at.len()).rev() {
        at[i] += 1;
        if at[i] < sets[i].set.elems.len() {
            return true;
        }
        at[i] = 0;
    }
    false
}

/// Whether the index binds one named variable per dimension, all distinct: the indexes the
/// compiled loops take (others are enumerated by `h_for_each`, in the same order).
pub(super) fn distinct_variables(index: &hir::Index, dims: &[crate::check::IndexDim]) -> bool {
    if index.binders.len() != dims.len() || dims.is_empty() {
        return false;
    }
    dims.iter()
        .enumerate()
        .all(|(i, d)| !d.var.is_empty() && !dims[..i].iter().any(|e| e.var == d.var))
}
