//! Running compiled code: one index tuple's linear expression from the data world and the
//! decisions' columns, node for node as the evaluator computes it; anything it cannot
//! compute bails out without side effects. The runs of worker threads (`run_side`,
//! `run_sum_part`) read only the data world and the columns, not the instance.

use super::cond::Join;
use super::{Bail, Code, CompiledLin, Cond, Level, Num, Run, Slot};
use crate::hir::Builtin;
use crate::instantiate::linear::Lin;
use crate::instantiate::world::{ElemId, ParamTable, SetVal, Value, World};
use crate::instantiate::DecisionCols;
use crate::syntax::ast::BinOp;
use smallvec::SmallVec;
use std::sync::Arc;

/// What a run reads: the data world and the decisions' columns.
pub(super) struct Ctx<'w> {
    pub(super) world: &'w World,
    pub(super) decisions: &'w [Option<DecisionCols>],
}

impl Ctx<'_> {
    /// The slot's position in `set`: known when the slot runs over `set`; otherwise found
    /// by hashing once and kept (an index variable of the declaration is fixed during a
    /// run).
    pub(super) fn position(set: &SetVal, s: &mut Slot) -> Run<u32> {
        let addr = set as *const SetVal as usize;
        if s.set != addr {
            s.pos = set.pos.get(&s.elem).copied().ok_or(Bail)?;
            s.set = addr;
        }
        Ok(s.pos)
    }

    /// The slot's kind and position in its kind table (found once, then kept).
    pub(super) fn entity(&self, s: &mut Slot) -> Run<(usize, u32)> {
        if s.entity.is_none() {
            let &(k, pos) = self.world.entity_of.get(&s.elem).ok_or(Bail)?;
            s.entity = Some((k as u32, pos));
        }
        let (k, pos) = s.entity.ok_or(Bail)?;
        Ok((k as usize, pos))
    }

    /// The values of param `p`, once loaded.
    pub(super) fn param(&self, p: usize) -> Run<&ParamTable> {
        self.world
            .params
            .get(p)
            .and_then(|t| t.as_ref())
            .ok_or(Bail)
    }

    pub(super) fn value(v: &Value) -> Run<f64> {
        match v {
            Value::Num(n) if !n.is_nan() => Ok(*n),
            Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
            _ => Err(Bail),
        }
    }

    pub(super) fn num(&self, n: &Num, slots: &mut [Slot]) -> Run<f64> {
        Ok(match n {
            Num::Const(v) => *v,
            Num::Attr { slot, kind, attr } => {
                let (k, pos) = self.entity(&mut slots[*slot as usize])?;
                if k != *kind as usize {
                    return Err(Bail);
                }
                let v = self.world.kinds[k]
                    .attrs
                    .get(*attr as usize)
                    .and_then(|a| a.get(pos as usize))
                    .ok_or(Bail)?;
                Self::value(v)?
            }
            Num::Param { p, args } => {
                let table = self.param(*p)?;
                if let Some(d) = &table.dense {
                    if d.sets.len() != args.len() {
                        return Err(Bail);
                    }
                    let mut off = 0usize;
                    for (set, &a) in d.sets.iter().zip(args.iter()) {
                        off = off * set.elems.len()
                            + Self::position(set, &mut slots[a as usize])? as usize;
                    }
                    let v = d.nums[off];
                    if v.is_nan() {
                        return Err(Bail);
                    }
                    v
                } else {
                    let key: SmallVec<[ElemId; 4]> =
                        args.iter().map(|&a| slots[a as usize].elem).collect();
                    Self::value(&table.get(&key).ok_or(Bail)?)?
                }
            }
            Num::AttrOf { base, kind, attr } => {
                let v = self.attr_of(base, *kind, *attr, slots)?;
                Self::value(v)?
            }
            Num::Elem(e) => {
                let x = self.elem(e, slots)?;
                self.world.elem_number(x).ok_or(Bail)?
            }
            Num::Neg(x) => -self.num(x, slots)?,
            Num::Chain(first, rest) => {
                let mut x = self.num(first, slots)?;
                for (op, b) in rest.iter() {
                    let y = self.num(b, slots)?;
                    x = match op {
                        BinOp::Add => x + y,
                        BinOp::Sub => x - y,
                        BinOp::Mul => x * y,
                        _ if y == 0.0 => return Err(Bail),
                        _ => x / y,
                    };
                    if !x.is_finite() {
                        return Err(Bail);
                    }
                }
                x
            }
            Num::Fold { max, items } => {
                let mut acc: Option<f64> = None;
                for n in items.iter() {
                    let v = self.num(n, slots)?;
                    acc = Some(match acc {
                        None => v,
                        Some(x) if *max => x.max(v),
                        Some(x) => x.min(v),
                    });
                }
                acc.unwrap_or(0.0)
            }
            Num::Round(b, x) => {
                let v = self.num(x, slots)?;
                match b {
                    Builtin::Abs => v.abs(),
                    Builtin::Ceil => v.ceil(),
                    Builtin::Floor => v.floor(),
                    Builtin::Round => v.round(),
                    _ => return Err(Bail),
                }
            }
            Num::Select(arms, otherwise) => {
                for (c, v) in arms.iter() {
                    if self.cond(c, slots)? {
                        return self.num(v, slots);
                    }
                }
                self.num(otherwise, slots)?
            }
        })
    }

    pub(super) fn col(&self, d: usize, args: &[u16], slots: &mut [Slot]) -> Run<u32> {
        let cols = self.decisions.get(d).and_then(|c| c.as_ref()).ok_or(Bail)?;
        if cols.dense {
            if cols.sets.len() != args.len() {
                return Err(Bail);
            }
            let mut off: u64 = 0;
            for (set, &a) in cols.sets.iter().zip(args) {
                off = off * set.elems.len() as u64
                    + Self::position(set, &mut slots[a as usize])? as u64;
            }
            Ok(cols.base + off as u32)
        } else {
            let key: SmallVec<[ElemId; 4]> = args.iter().map(|&a| slots[a as usize].elem).collect();
            cols.sparse.get(key.as_slice()).copied().ok_or(Bail)
        }
    }

    /// `lin(e, k)` of the evaluator, node for node.
    pub(super) fn lin(&self, c: &Code, k: f64, slots: &mut [Slot], acc: &mut Lin) -> Run<()> {
        if k == 0.0 {
            return Ok(());
        }
        match c {
            Code::Data(n) => acc.constant += k * self.num(n, slots)?,
            Code::Col { d, args, scale } => {
                let col = self.col(*d, args, slots)?;
                acc.terms.push((col, k * scale));
            }
            Code::Neg(x) => self.lin(x, -k, slots, acc)?,
            Code::Terms(terms) => {
                for (neg, x) in terms.iter() {
                    self.lin(x, if *neg { -k } else { k }, slots, acc)?;
                }
            }
            Code::Scale(x, n) => {
                let c = self.num(n, slots)?;
                self.lin(x, k * c, slots, acc)?;
            }
            Code::Div(x, n) => {
                let c = self.num(n, slots)?;
                if c == 0.0 {
                    return Err(Bail);
                }
                self.lin(x, k / c, slots, acc)?;
            }
            Code::Sum { pre, levels, body } => {
                for c in pre.iter() {
                    if !self.cond(c, slots)? {
                        return Ok(());
                    }
                }
                self.each(levels, slots, &mut |me, slots| me.lin(body, k, slots, acc))?
            }
            Code::Select(arms, otherwise) => {
                for (c, v) in arms.iter() {
                    if self.cond(c, slots)? {
                        return self.lin(v, k, slots, acc);
                    }
                }
                self.lin(otherwise, k, slots, acc)?
            }
        }
        Ok(())
    }

    /// Run `f` once per index tuple of the loops `levels` that passes their filters, with
    /// the slots bound: the tuples of the evaluator's `for_each_index`, in its order.
    pub(super) fn each<F>(&self, levels: &[Level], slots: &mut [Slot], f: &mut F) -> Run<()>
    where
        F: FnMut(&Self, &mut [Slot]) -> Run<()>,
    {
        let Some((lv, rest)) = levels.split_first() else {
            return f(self, slots);
        };
        let addr = Arc::as_ptr(&lv.set) as usize;
        let mut joined = Vec::new();
        if self.joined(lv, slots, &mut joined)? {
            for (elem, pos) in joined {
                slots[lv.slot as usize] = Slot {
                    elem,
                    set: addr,
                    pos,
                    entity: lv.entities[pos as usize],
                };
                if self.checks(lv, slots)? {
                    self.each(rest, slots, f)?;
                }
            }
            return Ok(());
        }
        for (pos, (&elem, &entity)) in lv.set.elems.iter().zip(lv.entities.iter()).enumerate() {
            slots[lv.slot as usize] = Slot {
                elem,
                set: addr,
                pos: pos as u32,
                entity,
            };
            if self.checks(lv, slots)? {
                self.each(rest, slots, f)?;
            }
        }
        Ok(())
    }

    /// The part of `sum(pre; first, rest...) body` (times `k`) whose first loop is at
    /// positions `range` of its set: what [`Ctx::lin`] adds of the sum for those positions.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sum_part(
        &self,
        pre: &[Cond],
        first: &Level,
        rest: &[Level],
        body: &Code,
        k: f64,
        range: std::ops::Range<usize>,
        slots: &mut [Slot],
        acc: &mut Lin,
    ) -> Run<()> {
        if k == 0.0 {
            return Ok(());
        }
        for c in pre {
            if !self.cond(c, slots)? {
                return Ok(());
            }
        }
        let addr = Arc::as_ptr(&first.set) as usize;
        for pos in range {
            slots[first.slot as usize] = Slot {
                elem: first.set.elems[pos],
                set: addr,
                pos: pos as u32,
                entity: first.entities[pos],
            };
            if self.checks(first, slots)? {
                self.each(rest, slots, &mut |me, slots| me.lin(body, k, slots, acc))?;
            }
        }
        Ok(())
    }

    /// The filter's conditions of a loop, with its slot bound.
    pub(super) fn checks(&self, lv: &Level, slots: &mut [Slot]) -> Run<bool> {
        for c in &lv.checks {
            if !self.cond(c, slots)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

impl CompiledLin {
    /// Fresh slots for a run at the index tuple `index`: the slots the code reads from the
    /// tuple bound from it.
    pub(crate) fn bind(&self, index: &[Slot], slots: &mut Vec<Slot>) {
        slots.clear();
        slots.resize(self.slots, Slot::default());
        for &(i, s) in &self.free {
            slots[s as usize] = index[i as usize];
        }
    }

    /// When the code is a sum that adds no constant and whose first index variable scans
    /// a set: the size of that set, and how many times the body runs at most (the product
    /// of the sets its variables scan).
    pub(crate) fn sum_shape(&self) -> Option<(usize, usize)> {
        let Code::Sum { levels, body, .. } = &self.code else {
            return None;
        };
        let first = levels.first()?;
        if first.join != Join::Scan || body.adds_constant() {
            return None;
        }
        let runs = (levels.iter().filter(|l| l.join == Join::Scan))
            .try_fold(1usize, |n, l| n.checked_mul(l.set.elems.len()))?;
        Some((first.set.elems.len(), runs))
    }
}

impl Code {
    /// Whether a run can add to the constant (a data part anywhere).
    fn adds_constant(&self) -> bool {
        match self {
            Code::Data(_) => true,
            Code::Col { .. } => false,
            Code::Neg(x) | Code::Scale(x, _) | Code::Div(x, _) => x.adds_constant(),
            Code::Terms(terms) => terms.iter().any(|(_, x)| x.adds_constant()),
            Code::Sum { body, .. } => body.adds_constant(),
            Code::Select(arms, otherwise) => {
                arms.iter().any(|(_, x)| x.adds_constant()) || otherwise.adds_constant()
            }
        }
    }
}

/// Add to `acc` the terms of `k *` the sum `code` (see [`CompiledLin::sum_shape`]) whose
/// first index variable is at positions `range`, the sum's other slots bound in `slots`:
/// the terms a run of the whole sum adds for those positions, in its order. False when the
/// run bails out.
pub(crate) fn run_sum_part(
    world: &World,
    decisions: &[Option<DecisionCols>],
    code: &CompiledLin,
    k: f64,
    range: std::ops::Range<usize>,
    slots: &mut [Slot],
    acc: &mut Lin,
) -> bool {
    let Code::Sum { pre, levels, body } = &code.code else {
        return false;
    };
    let Some((first, rest)) = levels.split_first() else {
        return false;
    };
    let ctx = Ctx { world, decisions };
    ctx.sum_part(pre, first, rest, body, k, range, slots, acc)
        .is_ok()
}

/// Add `k *` one compiled side to `acc` for the index tuple `index` (the slots it reads
/// from the tuple bound from it), reading only the data world and the decisions' columns:
/// what [`Inst::run_code`] does, for threads that make rows apart from the instance. False
/// when the run bails out (`acc` then holds part of the side).
pub(crate) fn run_side(
    world: &World,
    decisions: &[Option<DecisionCols>],
    code: &CompiledLin,
    k: f64,
    acc: &mut Lin,
    index: &[Slot],
    slots: &mut Vec<Slot>,
) -> bool {
    code.bind(index, slots);
    let ctx = Ctx { world, decisions };
    ctx.lin(&code.code, k, slots, acc).is_ok()
}
