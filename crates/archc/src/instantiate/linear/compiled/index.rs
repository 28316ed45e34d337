//! The index tuples of a declaration whose index has a filter (`[l in links where
//! l.capacity > 0]`), enumerated by the loops of a compiled `sum`: the filter's conjuncts
//! planned as the evaluator plans them (each at the loop of the last variable it reads;
//! `v == e` and `v.attr == e` answered by a lookup or the kind's inverted index), so the
//! tuples come in the evaluator's order. Used for the rows of constraints
//! (`compiled_rows.rs`) and the columns of decisions.

use super::run::Ctx;
use super::{Bail, Compiler, Slot};
use crate::check::IndexDim;
use crate::hir;
use crate::instantiate::world::{ElemId, SetVal};
use crate::instantiate::Inst;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// The kind and kind-table position of each element of a set (`None` for an element
/// that is no entity).
type Entities = Box<[Option<(u32, u32)>]>;

/// The tuples of a filtered index: each as the positions of its variables' elements in
/// their sets, read back as slots.
pub(crate) struct IndexTuples {
    /// Per variable: the set it runs over and the kind-table place of each element.
    sets: Vec<(Arc<SetVal>, Entities)>,
    /// `sets.len()` positions per tuple.
    positions: Vec<u32>,
}

impl IndexTuples {
    pub(crate) fn len(&self) -> usize {
        self.positions.len() / self.sets.len().max(1)
    }

    /// Variables per tuple.
    pub(crate) fn width(&self) -> usize {
        self.sets.len()
    }

    /// Every tuple's elements, flat (one per variable each).
    pub(crate) fn elems(&self) -> Vec<ElemId> {
        let width = self.sets.len().max(1);
        self.positions
            .iter()
            .enumerate()
            .map(|(k, &pos)| self.sets[k % width].0.elems[pos as usize])
            .collect()
    }

    /// Variable `i` of tuple `t` as a slot (its element, set and position, and entity).
    pub(crate) fn slot(&self, t: usize, i: usize) -> Slot {
        let (set, entities) = &self.sets[i];
        let pos = self.positions[t * self.sets.len() + i];
        Slot {
            elem: set.elems[pos as usize],
            set: Arc::as_ptr(set) as usize,
            pos,
            entity: entities[pos as usize],
        }
    }
}

impl Inst<'_> {
    /// The index tuples of `index` (over named sets, with a filter; `slots` its
    /// declaration's slot table, `dims` its dimensions): at most `max` of them. `None` when
    /// the compiled path is off, the variables are not one distinct name per dimension, a
    /// set or a condition lies outside the compiled fragment, a run meets what only the
    /// evaluator reports, or there are more than `max` (the evaluator then enumerates them
    /// and reports).
    pub(crate) fn filtered_index_tuples(
        &mut self,
        index: &hir::Index,
        slots: &[hir::Slot],
        dims: &[IndexDim],
        max: usize,
    ) -> Option<IndexTuples> {
        if self.lin_cache.disabled
            || index.filter.is_none()
            || !super::super::compiled_rows::distinct_variables(index, dims)
        {
            return None;
        }
        let mut comp = Compiler {
            inst: self,
            subst: FxHashMap::default(),
            slot_names: slots,
            index: Vec::new(),
            slot_of: FxHashMap::default(),
            free: Vec::new(),
            slots: 0,
        };
        let (pre, levels) = comp.loops(index)?;
        let mut values = vec![Slot::default(); comp.slots];
        let ctx = Ctx {
            world: &self.world,
            decisions: &self.decisions,
        };
        let mut out = IndexTuples {
            sets: Vec::new(),
            positions: Vec::new(),
        };
        for c in &pre {
            if !ctx.cond(c, &mut values).ok()? {
                return Some(out);
            }
        }
        let width = levels.len();
        let positions = &mut out.positions;
        ctx.each(&levels, &mut values, &mut |_, s| {
            if positions.len() >= max.saturating_mul(width) {
                return Err(Bail);
            }
            positions.extend(levels.iter().map(|lv| s[lv.slot as usize].pos));
            Ok(())
        })
        .ok()?;
        out.sets = levels.into_iter().map(|lv| (lv.set, lv.entities)).collect();
        Some(out)
    }
}
