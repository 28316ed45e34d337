//! Conditions of the compiled linear expressions: `where` filters of `sum`s, and the
//! conditions of `if` over data. A filter is planned as the evaluator plans it
//! (`instantiate/index.rs`): split into its conjuncts, each checked at the loop that binds
//! the last of the sum's variables it reads, and a conjunct `v == e` or `v.attr == e` (with
//! `e` bound before `v`) answered by a lookup or the kind's inverted index instead of a scan,
//! so the tuples come in the evaluator's order and every coefficient stays bit-identical.
//! Only comparisons of numbers, equality of elements, yes/no params, `not`, `and` and `or`
//! are compiled; anything else leaves the whole expression to the evaluator.

use super::{Bail, Compiler, Ctx, Level, Num, Run, Slot};
use crate::check::{ElemTy, Ty};
use crate::hir::{self, Builtin, ExprKind, SlotId};
use crate::instantiate::world::{ElemId, Value, ValueKey};
use crate::syntax::ast::{BinOp, CmpOp, UnOp};
use std::cmp::Ordering;
use std::sync::Arc;

/// An element computed from data.
#[derive(Debug, PartialEq)]
pub(crate) enum ElemCode {
    /// The element in a slot.
    Slot(u16),
    /// An element known when compiling: an entity named in the source, or the `first` or
    /// `last` of a named set.
    Const(ElemId),
    /// An attribute whose value is an element, of an entity (`l.src`, `z.region.country`).
    Attr {
        base: Box<ElemCode>,
        kind: u32,
        attr: u32,
    },
}

/// A string computed from data.
#[derive(Debug, PartialEq)]
pub(crate) enum StrCode {
    Const(Arc<str>),
    /// A string attribute of an entity.
    Attr {
        base: ElemCode,
        kind: u32,
        attr: u32,
    },
}

/// A condition over data.
#[derive(Debug, PartialEq)]
pub(crate) enum Cond {
    Const(bool),
    Not(Box<Cond>),
    /// Operands in order: `and` (`or: false`) stops at the first false one, `or` at the
    /// first true one.
    Run {
        or: bool,
        operands: Box<[Cond]>,
    },
    /// `a == b` (`eq`) or `a != b` between elements.
    Same {
        a: ElemCode,
        b: ElemCode,
        eq: bool,
    },
    /// `a == b` (`eq`) or `a != b` between strings.
    SameStr {
        a: StrCode,
        b: StrCode,
        eq: bool,
    },
    /// Comparisons of numbers, `a <= b < c`: true when each pair holds, the operands
    /// evaluated from the left only as far as needed.
    Cmp(Num, Box<[(CmpOp, Num)]>),
    /// A yes/no param at the slots.
    Param {
        p: usize,
        args: Box<[u16]>,
    },
}

/// How a loop of a filtered `sum` finds its elements.
#[derive(Debug, PartialEq)]
pub(crate) enum Join {
    /// Every element of the set, in order.
    Scan,
    /// `v == e`: the element of `e`, when the set holds it.
    Equal(ElemCode),
    /// `v.attr == e`: the entities of the set whose attribute equals `e`, in the order of
    /// their kind's table.
    Attr { kind: u32, attr: u32, key: ElemCode },
}

/// The conjuncts of a filter: the operands of its top-level `and`s.
pub(crate) fn conjuncts<'h>(e: &'h hir::Expr, out: &mut Vec<&'h hir::Expr>) {
    match &e.kind {
        ExprKind::Chain(first, links) if links.first().is_some_and(|l| l.0 == BinOp::And) => {
            conjuncts(first, out);
            for (_, x) in links {
                conjuncts(x, out);
            }
        }
        _ => out.push(e),
    }
}

/// The position in `binders` of the last binder that `e` reads, if any.
pub(crate) fn deepest(e: &hir::Expr, binders: &[SlotId]) -> Option<usize> {
    let mut best: Option<usize> = None;
    e.walk(|x| {
        if let ExprKind::Slot(s) = &x.kind {
            if let Some(i) = binders.iter().position(|b| b == s) {
                best = Some(best.map_or(i, |b| b.max(i)));
            }
        }
    });
    best
}

fn is_elem(e: &hir::Expr) -> bool {
    matches!(e.ty, Ty::Elem(_))
}

/// A number, or an integer element (compared as its number, as the evaluator does).
fn is_num(e: &hir::Expr) -> bool {
    matches!(e.ty, Ty::Num { .. } | Ty::Elem(ElemTy::Int))
}

impl<'h> Compiler<'_, '_, 'h> {
    /// An element-valued data expression: a slot, or an element-valued attribute of one.
    pub(super) fn elem(&mut self, e: &'h hir::Expr) -> Option<ElemCode> {
        if e.var || !is_elem(e) {
            return None;
        }
        match &e.kind {
            ExprKind::Slot(s) => match self.subst.get(s).copied() {
                Some(arg) => self.elem(arg),
                None => Some(ElemCode::Slot(self.slot(*s)?)),
            },
            ExprKind::Attr(base, kind, attr) => Some(ElemCode::Attr {
                base: Box::new(self.elem(base)?),
                kind: kind.0,
                attr: attr.0,
            }),
            // One entity of that name (the evaluator refuses a name of several kinds).
            ExprKind::Entity(name, _) => match self.inst.world.entity_names.get(name)?.as_slice() {
                [x] => Some(ElemCode::Const(*x)),
                _ => None,
            },
            ExprKind::Builtin(b @ (Builtin::First | Builtin::Last), args) => {
                let [arg] = args.as_slice() else {
                    return None;
                };
                let ExprKind::Set(id) = &arg.kind else {
                    return None;
                };
                let set = self.inst.named_set(id.index()).ok()?;
                let x = if *b == Builtin::First {
                    set.elems.first()
                } else {
                    set.elems.last()
                };
                Some(ElemCode::Const(*x?))
            }
            _ => None,
        }
    }

    /// A string from data: a literal, or a string attribute of an entity.
    fn str(&mut self, e: &'h hir::Expr) -> Option<StrCode> {
        if e.var || e.ty != Ty::Str {
            return None;
        }
        match &e.kind {
            ExprKind::Str(t) => Some(StrCode::Const(Arc::from(t.as_str()))),
            ExprKind::Slot(s) => {
                let arg = self.subst.get(s).copied()?;
                self.str(arg)
            }
            ExprKind::Attr(base, kind, attr) => Some(StrCode::Attr {
                base: self.elem(base)?,
                kind: kind.0,
                attr: attr.0,
            }),
            _ => None,
        }
    }

    /// A condition over data.
    pub(super) fn cond(&mut self, e: &'h hir::Expr) -> Option<Cond> {
        if e.var || e.ty != Ty::Bool {
            return None;
        }
        Some(match &e.kind {
            ExprKind::Bool(b) => Cond::Const(*b),
            ExprKind::Slot(s) => {
                let arg = self.subst.get(s).copied()?;
                return self.cond(arg);
            }
            ExprKind::Unary(UnOp::Not, x) => Cond::Not(Box::new(self.cond(x)?)),
            ExprKind::Chain(first, links) => {
                let op = links.first()?.0;
                let or = match op {
                    BinOp::And => false,
                    BinOp::Or => true,
                    _ => return None,
                };
                let mut operands = Vec::with_capacity(links.len() + 1);
                operands.push(self.cond(first)?);
                for (o, x) in links {
                    if *o != op {
                        return None;
                    }
                    operands.push(self.cond(x)?);
                }
                Cond::Run {
                    or,
                    operands: operands.into_boxed_slice(),
                }
            }
            ExprKind::Compare(first, links) => self.compare(first, links)?,
            ExprKind::Param(p, args) if !args.is_empty() => {
                // A param read ahead is taken now, so that the runs find it.
                self.inst.finish_prefetch(p.index());
                Cond::Param {
                    p: p.index(),
                    args: self.slot_args(args)?,
                }
            }
            ExprKind::Inline {
                params, args, body, ..
            } => self.inlined(params, args, |c| c.cond(body))?,
            _ => return None,
        })
    }

    /// `a == b` / `a != b` between elements, or a chain of comparisons of numbers.
    fn compare(
        &mut self,
        first: &'h hir::Expr,
        links: &'h [(CmpOp, crate::span::Span, hir::Expr)],
    ) -> Option<Cond> {
        if let [(op @ (CmpOp::Eq | CmpOp::Ne), _, b)] = links {
            if is_elem(first) && is_elem(b) {
                return Some(Cond::Same {
                    a: self.elem(first)?,
                    b: self.elem(b)?,
                    eq: *op == CmpOp::Eq,
                });
            }
            if first.ty == Ty::Str && b.ty == Ty::Str {
                return Some(Cond::SameStr {
                    a: self.str(first)?,
                    b: self.str(b)?,
                    eq: *op == CmpOp::Eq,
                });
            }
        }
        // Two integer elements compare by their keys, not as numbers here.
        if links.iter().all(|(_, _, x)| matches!(x.ty, Ty::Elem(_)))
            && matches!(first.ty, Ty::Elem(_))
        {
            return None;
        }
        if !is_num(first) {
            return None;
        }
        let a = self.num(first)?;
        let mut rest = Vec::with_capacity(links.len());
        for (op, _, x) in links {
            if matches!(op, CmpOp::In | CmpOp::NotIn) || !is_num(x) {
                return None;
            }
            rest.push((*op, self.num(x)?));
        }
        Some(Cond::Cmp(a, rest.into_boxed_slice()))
    }

    /// Compile `body` of an inlined function with its parameters standing for the
    /// arguments (the evaluator substitutes the arguments into the body the same way).
    pub(super) fn inlined<T>(
        &mut self,
        params: &[SlotId],
        args: &'h [hir::Expr],
        f: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        if params.len() != args.len() {
            return None;
        }
        let saved: Vec<(SlotId, Option<&'h hir::Expr>)> = params
            .iter()
            .zip(args)
            .map(|(p, a)| (*p, self.subst.insert(*p, a)))
            .collect();
        let out = f(self);
        for (p, old) in saved.into_iter().rev() {
            match old {
                Some(o) => self.subst.insert(p, o),
                None => self.subst.remove(&p),
            };
        }
        out
    }

    /// Plan the filter of a `sum` over `levels` (one per binder of `index`, slots given):
    /// the conjuncts that read none of its variables, checked once before the loops; the
    /// others go to the loop of the last variable they read, as a join when they have the
    /// form of one. `None` when a conjunct is not compiled.
    pub(super) fn plan_filter(
        &mut self,
        index: &'h hir::Index,
        levels: &mut [Level],
    ) -> Option<Vec<Cond>> {
        let mut pre = Vec::new();
        let Some(filter) = &index.filter else {
            return Some(pre);
        };
        let binders: Vec<SlotId> = index.slots();
        let mut cs = Vec::new();
        conjuncts(filter, &mut cs);
        for c in cs {
            let Some(level) = deepest(c, &binders) else {
                pre.push(self.cond(c)?);
                continue;
            };
            if levels[level].join == Join::Scan {
                if let Some(join) = self.join(c, level, &binders, &levels[level])? {
                    levels[level].join = join;
                    continue;
                }
            }
            let check = self.cond(c)?;
            levels[level].checks.push(check);
        }
        Some(pre)
    }

    /// The join `c` gives the loop at `level`: `Some(None)` when `c` is no join,
    /// `None` when it is one that is not compiled.
    fn join(
        &mut self,
        c: &'h hir::Expr,
        level: usize,
        binders: &[SlotId],
        lv: &Level,
    ) -> Option<Option<Join>> {
        let ExprKind::Compare(l, links) = &c.kind else {
            return Some(None);
        };
        let [(CmpOp::Eq, _, r)] = links.as_slice() else {
            return Some(None);
        };
        let v = binders[level];
        let named = self
            .slot_names
            .get(v.index())
            .is_some_and(|s| !s.name.is_empty());
        if !named {
            return Some(None);
        }
        for (side, other) in [(l.as_ref(), r), (r, l.as_ref())] {
            if deepest(other, binders).is_some_and(|d| d >= level) {
                continue;
            }
            match &side.kind {
                ExprKind::Slot(s) if *s == v => return Some(Some(Join::Equal(self.elem(other)?))),
                ExprKind::Attr(base, kind, attr) if matches!(&base.kind, ExprKind::Slot(s) if *s == v) =>
                {
                    // The evaluator takes the kind from the set's first element.
                    if let Some(first) = lv.set.elems.first() {
                        let &(k, _) = self.inst.world.entity_of.get(first)?;
                        if k != kind.0 as usize {
                            return None;
                        }
                    }
                    let key = self.elem(other)?;
                    self.inst.ensure_inverted(kind.0 as usize, attr.0 as usize);
                    return Some(Some(Join::Attr {
                        kind: kind.0,
                        attr: attr.0,
                        key,
                    }));
                }
                _ => {}
            }
        }
        Some(None)
    }
}

impl Ctx<'_> {
    pub(super) fn elem(&self, e: &ElemCode, slots: &mut [Slot]) -> Run<ElemId> {
        match e {
            ElemCode::Slot(s) => Ok(slots[*s as usize].elem),
            ElemCode::Const(x) => Ok(*x),
            ElemCode::Attr { base, kind, attr } => match self.attr_of(base, *kind, *attr, slots)? {
                Value::Elem(x) => Ok(*x),
                _ => Err(Bail),
            },
        }
    }

    /// The value of attribute `attr` of the entity `base` of kind `kind`.
    pub(super) fn attr_of(
        &self,
        base: &ElemCode,
        kind: u32,
        attr: u32,
        slots: &mut [Slot],
    ) -> Run<&Value> {
        let (k, pos) = match base {
            ElemCode::Slot(s) => self.entity(&mut slots[*s as usize])?,
            _ => {
                let x = self.elem(base, slots)?;
                let &(k, pos) = self.world.entity_of.get(&x).ok_or(Bail)?;
                (k, pos)
            }
        };
        if k != kind as usize {
            return Err(Bail);
        }
        self.world.kinds[k]
            .attrs
            .get(attr as usize)
            .and_then(|a| a.get(pos as usize))
            .ok_or(Bail)
    }

    fn str(&self, e: &StrCode, slots: &mut [Slot]) -> Run<Arc<str>> {
        match e {
            StrCode::Const(t) => Ok(t.clone()),
            StrCode::Attr { base, kind, attr } => match self.attr_of(base, *kind, *attr, slots)? {
                Value::Str(t) => Ok(t.clone()),
                _ => Err(Bail),
            },
        }
    }

    pub(super) fn cond(&self, c: &Cond, slots: &mut [Slot]) -> Run<bool> {
        Ok(match c {
            Cond::Const(b) => *b,
            Cond::Not(x) => !self.cond(x, slots)?,
            Cond::Run { or, operands } => {
                for x in operands.iter() {
                    if self.cond(x, slots)? == *or {
                        return Ok(*or);
                    }
                }
                !*or
            }
            Cond::Same { a, b, eq } => (self.elem(a, slots)? == self.elem(b, slots)?) == *eq,
            Cond::SameStr { a, b, eq } => (self.str(a, slots)? == self.str(b, slots)?) == *eq,
            Cond::Cmp(first, links) => {
                let mut left = self.num(first, slots)?;
                for (op, x) in links.iter() {
                    let right = self.num(x, slots)?;
                    let ord = left.partial_cmp(&right).ok_or(Bail)?;
                    let holds = match op {
                        CmpOp::Eq => ord == Ordering::Equal,
                        CmpOp::Ne => ord != Ordering::Equal,
                        CmpOp::Lt => ord == Ordering::Less,
                        CmpOp::Le => ord != Ordering::Greater,
                        CmpOp::Gt => ord == Ordering::Greater,
                        CmpOp::Ge => ord != Ordering::Less,
                        CmpOp::In | CmpOp::NotIn => return Err(Bail),
                    };
                    if !holds {
                        return Ok(false);
                    }
                    left = right;
                }
                true
            }
            Cond::Param { p, args } => {
                let table = self.param(*p)?;
                if table.dense.is_some() {
                    return Err(Bail);
                }
                let key: smallvec::SmallVec<[ElemId; 4]> =
                    args.iter().map(|&a| slots[a as usize].elem).collect();
                match table.values.get(key.as_slice()) {
                    Some(Value::Bool(b)) => *b,
                    _ => return Err(Bail),
                }
            }
        })
    }

    /// The elements the loop `lv` runs over with the slots bound so far, each with its
    /// position in the loop's set; `None` for a scan of the whole set.
    pub(super) fn joined(
        &self,
        lv: &Level,
        slots: &mut [Slot],
        out: &mut Vec<(ElemId, u32)>,
    ) -> Run<bool> {
        out.clear();
        match &lv.join {
            Join::Scan => return Ok(false),
            Join::Equal(e) => {
                let x = self.elem(e, slots)?;
                if let Some(&pos) = lv.set.pos.get(&x) {
                    out.push((x, pos));
                }
            }
            Join::Attr { kind, attr, key } => {
                let x = self.elem(key, slots)?;
                let table = &self.world.kinds[*kind as usize];
                let inverted = table.inverted.get(&(*attr as usize)).ok_or(Bail)?;
                if let Some(positions) = inverted.get(&ValueKey::Elem(x)) {
                    for &i in positions {
                        let y = table.elems[i as usize];
                        if let Some(&pos) = lv.set.pos.get(&y) {
                            out.push((y, pos));
                        }
                    }
                }
            }
        }
        Ok(true)
    }
}
