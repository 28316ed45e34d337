//! The index tuples of a declaration whose index has a filter (`[l in links where
//! l.capacity > 0]`), enumerated by the loops of a compiled `sum`: the filter's conjuncts
//! planned as the evaluator plans them (each at the loop of the last variable it reads;
//! `v == e` and `v.attr == e` answered by a lookup or the kind's inverted index), so the
//! tuples come in the evaluator's order. Used for the rows of constraints
//! (`compiled_rows.rs`) and the columns of decisions.

use super::run::Ctx;
use super::{Bail, Compiler, Slot};
use crate::hir;
use crate::instantiate::Inst;
use rustc_hash::FxHashMap;

impl Inst<'_> {
    /// The index tuples of `index` (over named sets, with a filter; `slots` its
    /// declaration's slot table), each as the slots of its variables in order: at most
    /// `max` of them. `None` when the compiled path is off, a set or a condition lies
    /// outside the compiled fragment, a run meets what only the evaluator reports, or there
    /// are more than `max` (the evaluator then enumerates them and reports).
    pub(crate) fn filtered_index_tuples(
        &mut self,
        index: &hir::Index,
        slots: &[hir::Slot],
        max: usize,
    ) -> Option<Vec<Slot>> {
        if self.lin_cache.disabled || index.filter.is_none() {
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
        for c in &pre {
            if !ctx.cond(c, &mut values).ok()? {
                return Some(Vec::new());
            }
        }
        let width = levels.len();
        let mut out = Vec::new();
        ctx.each(&levels, &mut values, &mut |_, s| {
            if out.len() >= max.saturating_mul(width) {
                return Err(Bail);
            }
            out.extend(levels.iter().map(|lv| s[lv.slot as usize]));
            Ok(())
        })
        .ok()?;
        Some(out)
    }
}
