//! Iteration over HIR index lists `[a in A, b in B where cond]`, planned as
//! `instantiate/index.rs` plans the syntax tree's: the `where` condition is split into
//! conjuncts, each checked as soon as the slots it reads are bound, and a conjunct
//! `b == expr` or `b.attr == expr` (with `expr` bound earlier) is answered by a lookup or an
//! inverted index instead of a scan, so a filtered product never builds in full and the
//! tuples come in the same order.

use super::{Bound, R};
use crate::diagnostics::Code;
use crate::hir::{self, Expr, ExprKind, SlotId};
use crate::instantiate::eval::runtime_error;
use crate::instantiate::linear::cond::{conjuncts, deepest};
use crate::instantiate::world::*;
use crate::instantiate::Inst;
use crate::span::Span;
use crate::syntax::ast::CmpOp;
use std::rc::Rc;
use std::sync::Arc;

struct Level<'h> {
    slot: SlotId,
    set: &'h Expr,
    join: Join<'h>,
    checks: Vec<&'h Expr>,
}

enum Join<'h> {
    Scan,
    /// `slot == expr`
    Equal(&'h Expr),
    /// `slot.attr == expr`: the attribute by id, or by name when the set's kind is known
    /// only once the data loads.
    Attr(Option<usize>, &'h str, &'h Expr),
}

pub(crate) struct Plan<'h> {
    pre: Vec<&'h Expr>,
    levels: Vec<Level<'h>>,
}

impl<'a> Inst<'a> {
    /// `e`, or the argument a function parameter stands for (a call's body reads its
    /// argument where it reads the parameter).
    fn through_args(&self, mut e: &'a Expr) -> &'a Expr {
        while let ExprKind::Slot(s) = &e.kind {
            match self.frame.get(s.index()) {
                Some(Bound::Arg(a)) => e = a,
                _ => break,
            }
        }
        e
    }

    fn plan_index(&self, ix: &'a hir::Index) -> Plan<'a> {
        let slots = ix.slots();
        let mut levels: Vec<Level<'a>> = ix
            .binders
            .iter()
            .map(|b| Level {
                slot: b.slot,
                set: &b.set,
                join: Join::Scan,
                checks: Vec::new(),
            })
            .collect();
        let mut pre = Vec::new();
        let mut cs = Vec::new();
        if let Some(f) = &ix.filter {
            conjuncts(f, &mut cs);
        }
        for c in cs {
            let Some(level) = deepest(c, &slots) else {
                pre.push(c);
                continue;
            };
            if let (Join::Scan, ExprKind::Compare(l, links)) = (&levels[level].join, &c.kind) {
                if let [(CmpOp::Eq, _, r)] = links.as_slice() {
                    let v = slots[level];
                    for (side, other) in [(&**l, r), (r, &**l)] {
                        if deepest(other, &slots).is_some_and(|d| d >= level) {
                            continue;
                        }
                        let side = self.through_args(side);
                        let join = match &side.kind {
                            ExprKind::Slot(s) if *s == v => Join::Equal(other),
                            ExprKind::Attr(b, _, a) if self.is_slot(b, v) => {
                                let name = self.attr_name(side);
                                Join::Attr(Some(a.index()), name, other)
                            }
                            ExprKind::AttrByName(b, n) if self.is_slot(b, v) => {
                                Join::Attr(None, n.as_str(), other)
                            }
                            _ => continue,
                        };
                        levels[level].join = join;
                        break;
                    }
                    if !matches!(levels[level].join, Join::Scan) {
                        continue;
                    }
                }
            }
            levels[level].checks.push(c);
        }
        Plan { pre, levels }
    }

    fn is_slot(&self, e: &'a Expr, v: SlotId) -> bool {
        matches!(self.through_args(e).kind, ExprKind::Slot(s) if s == v)
    }

    fn attr_name(&self, e: &Expr) -> &'a str {
        let schema = self.schema;
        match &e.kind {
            ExprKind::Attr(_, k, a) => schema.kinds[k.index()].attrs[a.index()].name.as_str(),
            _ => "",
        }
    }

    /// Call `f` once per index tuple of `ix` that passes its filter, with its slots bound
    /// in the frame.
    pub(crate) fn h_for_each(
        &mut self,
        ix: &'a hir::Index,
        f: &mut dyn FnMut(&mut Self) -> R<()>,
    ) -> R<()> {
        // Keyed by the index list's address: the HIR outlives the instantiation.
        let key = ix as *const hir::Index as usize;
        let p = match self.hir_plans.get(&key) {
            Some(p) => p.clone(),
            None => {
                let p = Rc::new(self.plan_index(ix));
                self.hir_plans.insert(key, p.clone());
                p
            }
        };
        for c in &p.pre {
            if !self.h_bool(c)? {
                return Ok(());
            }
        }
        self.check_plan_size(ix, &p)?;
        let saved: smallvec::SmallVec<[Bound<'a>; 4]> = p
            .levels
            .iter()
            .map(|l| self.frame.get(l.slot.index()).cloned().unwrap_or_default())
            .collect();
        let r = self.h_level(&p, 0, f);
        for (l, v) in p.levels.iter().zip(saved) {
            self.bind(l.slot, v);
        }
        r
    }

    /// E0632 when the tuples `ix` would enumerate exceed the limit, estimated before the
    /// first: the product of the sizes of the sets scanned in full that do not depend on an
    /// earlier slot (joined and dependent levels count 1, a lower bound).
    fn check_plan_size(&mut self, ix: &'a hir::Index, p: &Plan<'a>) -> R<()> {
        let slots: Vec<SlotId> = p.levels.iter().map(|l| l.slot).collect();
        let mut tuples: u128 = 1;
        for lv in &p.levels {
            if !matches!(lv.join, Join::Scan) || deepest(lv.set, &slots).is_some() {
                continue;
            }
            let n = self.h_set(lv.set)?.elems.len() as u128;
            tuples = tuples.saturating_mul(n);
        }
        if tuples > self.limits.max_index_tuples as u128 {
            return Err(crate::instantiate::errors::too_many_tuples(
                ix.span,
                &self.current_decl,
                tuples,
                self.limits.max_index_tuples,
            ));
        }
        Ok(())
    }

    fn h_level(&mut self, p: &Plan<'a>, i: usize, f: &mut dyn FnMut(&mut Self) -> R<()>) -> R<()> {
        if i == p.levels.len() {
            return f(self);
        }
        let lv = &p.levels[i];
        let set = self.h_set(lv.set)?;
        let joined: Vec<ElemId>;
        let candidates: &[ElemId] = match &lv.join {
            Join::Scan => &set.elems,
            Join::Equal(e) => {
                let x = self.h_elem(e)?;
                joined = if set.contains(x) { vec![x] } else { Vec::new() };
                &joined
            }
            Join::Attr(id, name, e) => {
                let v = self.h_eval(e)?;
                joined = self.attr_join(&set, *id, name, &v, lv.set.span)?;
                &joined
            }
        };
        'next: for &x in candidates {
            self.bind(lv.slot, Bound::Value(Value::Elem(x)));
            for c in &lv.checks {
                if !self.h_bool(c)? {
                    continue 'next;
                }
            }
            self.h_level(p, i + 1, f)?;
        }
        Ok(())
    }

    /// Elements of `set` whose attribute (`id`, or `name` when its kind is known only now)
    /// equals `v`, through an inverted index.
    pub(crate) fn attr_join(
        &mut self,
        set: &Arc<SetVal>,
        id: Option<usize>,
        name: &str,
        v: &Value,
        span: Span,
    ) -> R<Vec<ElemId>> {
        let Some(&first) = set.elems.first() else {
            return Ok(Vec::new());
        };
        let Some(&(k, _)) = self.world.entity_of.get(&first) else {
            return Err(runtime_error(
                Code::E0203,
                span,
                "attributes belong to entities",
                "not a set of entities",
            ));
        };
        let ai = match id.or_else(|| self.schema.kinds[k].attr_index.get(name).copied()) {
            Some(ai) => ai,
            None => {
                return Err(runtime_error(
                    Code::E0203,
                    span,
                    format!("`{}` has no attribute `{name}`", self.schema.kinds[k].name),
                    "here",
                ))
            }
        };
        self.ensure_inverted(k, ai);
        let Some(key) = ValueKey::of(v) else {
            return Ok(Vec::new());
        };
        let table = &self.world.kinds[k];
        let positions = table.inverted[&ai].get(&key).cloned().unwrap_or_default();
        Ok(positions
            .into_iter()
            .map(|i| table.elems[i as usize])
            .filter(|e| set.contains(*e))
            .collect())
    }

    /// Build the inverted index of attribute `ai` of kind `k` (value to positions in the
    /// kind table, in table order) unless it exists.
    pub(crate) fn ensure_inverted(&mut self, k: usize, ai: usize) {
        if self.world.kinds[k].inverted.contains_key(&ai) {
            return;
        }
        let mut inv: rustc_hash::FxHashMap<ValueKey, Vec<u32>> = rustc_hash::FxHashMap::default();
        if let Some(values) = self.world.kinds[k].attrs.get(ai) {
            for (i, val) in values.iter().enumerate() {
                if let Some(key) = ValueKey::of(val) {
                    inv.entry(key).or_default().push(i as u32);
                }
            }
        }
        self.world.kinds[k].inverted.insert(ai, inv);
    }
}
