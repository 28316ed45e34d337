//! Evaluation of data expressions from the HIR: values, conditions, elements and sets
//! computed from the resolved tree, with the locals of the declaration in a frame of slots
//! (see [`Bound`]) and every global reached by its id, so nothing is looked up by name.
//! It computes what the compiled code of `linear/compiled.rs` computes, over every form of
//! data expression, and reports the run-time errors (a missing value, a division by zero,
//! a value that is not finite, an element without a `prev`) at the expression's span.
//!
//! A function's parameter holds its argument unevaluated ([`Bound::Arg`]): the argument
//! is evaluated where the body reads it, as often as it reads it, so a call computes
//! what its body computes with the arguments written in (and an argument the body does not
//! read is never evaluated).

mod index;
#[cfg(test)]
mod tests;
pub(crate) use index::Plan;

use super::eval::{arith, exact_int, finite, runtime_error, whole, R};
use super::world::*;
use super::Inst;
use crate::diagnostics::{Code, Diagnostic};
use crate::hir::{self, Builtin, Expr, ExprKind, SlotId};
use crate::span::Span;
use crate::syntax::ast::{AggKind, BinOp, UnOp};
use smallvec::SmallVec;
use std::sync::Arc;

/// What a slot of the frame holds.
#[derive(Clone, Debug, Default)]
pub(crate) enum Bound<'h> {
    /// Not bound yet (reading it is an internal error).
    #[default]
    Unset,
    /// An index variable's element, or any value.
    Value(Value),
    /// A function parameter: its argument, evaluated where it is read.
    Arg(&'h Expr),
}

/// E0750: the HIR holds something the checker should have refused.
pub(crate) fn internal(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::E0750,
        format!("internal error: evaluating the checked model met {what}"),
    )
    .primary(span, "here")
    .help("this is a bug in archc; please report it with this model")
}

impl<'a> Inst<'a> {
    /// Run `f` with a fresh frame of `n` slots, the caller's frame restored after.
    pub(crate) fn in_frame<T>(&mut self, n: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.frame, vec![Bound::Unset; n]);
        let out = f(self);
        self.frame = saved;
        out
    }

    /// Bind slot `s` to `v`.
    pub(crate) fn bind(&mut self, s: SlotId, v: Bound<'a>) {
        let i = s.index();
        if self.frame.len() <= i {
            self.frame.resize(i + 1, Bound::Unset);
        }
        self.frame[i] = v;
    }

    /// The argument a function's parameter stands for, when slot `s` is one.
    pub(crate) fn arg_of(&self, s: SlotId) -> Option<&'a Expr> {
        match self.frame.get(s.index()) {
            Some(Bound::Arg(a)) => Some(*a),
            _ => None,
        }
    }

    /// Run `f` with the parameters of an inlined function bound to their arguments (read
    /// where the body reads them, see [`Bound::Arg`]), the caller's bindings restored after.
    pub(crate) fn with_args<T>(
        &mut self,
        params: &[SlotId],
        args: &'a [Expr],
        f: impl FnOnce(&mut Self) -> R<T>,
    ) -> R<T> {
        let saved: smallvec::SmallVec<[Bound<'a>; 4]> = params
            .iter()
            .map(|p| self.frame.get(p.index()).cloned().unwrap_or_default())
            .collect();
        for (p, a) in params.iter().zip(args) {
            self.bind(*p, Bound::Arg(a));
        }
        let out = f(self);
        for (p, v) in params.iter().zip(saved) {
            self.bind(*p, v);
        }
        out
    }

    /// The element slot `s` holds (`u32::MAX` when it holds none).
    pub(crate) fn slot_elem(&self, s: SlotId) -> ElemId {
        match self.frame.get(s.index()) {
            Some(Bound::Value(Value::Elem(x))) => *x,
            _ => u32::MAX,
        }
    }

    fn slot_value(&mut self, s: SlotId, span: Span) -> R<Value> {
        match self.frame.get(s.index()) {
            Some(Bound::Value(v)) => Ok(v.clone()),
            Some(Bound::Arg(e)) => {
                let e = *e;
                self.h_eval(e)
            }
            _ => Err(internal(span, "a local without a value")),
        }
    }

    /// A number: a number, a condition as 0 or 1, or an integer element.
    pub(crate) fn h_num(&mut self, e: &'a Expr) -> R<f64> {
        match self.h_eval(e)? {
            Value::Num(n) => Ok(n),
            Value::Bool(b) => Ok(if b { 1.0 } else { 0.0 }),
            Value::Elem(x) => self.world.elem_number(x).ok_or_else(|| {
                runtime_error(
                    Code::E0603,
                    e.span,
                    "expected a number",
                    "this is an element",
                )
            }),
            _ => Err(runtime_error(
                Code::E0603,
                e.span,
                "expected a number",
                "not a number",
            )),
        }
    }

    pub(crate) fn h_bool(&mut self, e: &'a Expr) -> R<bool> {
        match self.h_eval(e)? {
            Value::Bool(b) => Ok(b),
            _ => Err(runtime_error(
                Code::E0603,
                e.span,
                "expected a condition",
                "not a condition",
            )),
        }
    }

    pub(crate) fn h_elem(&mut self, e: &'a Expr) -> R<ElemId> {
        // The common case, an index variable: no value to build.
        if let ExprKind::Slot(s) = &e.kind {
            if let Some(Bound::Value(Value::Elem(x))) = self.frame.get(s.index()) {
                return Ok(*x);
            }
        }
        match self.h_eval(e)? {
            Value::Elem(x) => Ok(x),
            Value::Num(n) if n.fract() == 0.0 => {
                let n = exact_int(n, e.span)?;
                Ok(self.world.intern(ElemKey::Int(n)))
            }
            Value::Str(s) => Ok(self.world.intern(ElemKey::Str(s.to_string()))),
            _ => Err(runtime_error(
                Code::E0603,
                e.span,
                "expected an element",
                "not an element",
            )),
        }
    }

    /// Evaluate a data expression.
    pub(crate) fn h_eval(&mut self, e: &'a Expr) -> R<Value> {
        Ok(match &e.kind {
            ExprKind::Number(n) => Value::Num(*n),
            ExprKind::Quantity(n, u) => Value::Num(finite(n * u.scale, e.span)?),
            ExprKind::Period { period } => Value::Elem(self.world.intern(ElemKey::Period(*period))),
            ExprKind::Str(s) => Value::Str(Arc::from(s.as_str())),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Slot(s) => self.slot_value(*s, e.span)?,
            ExprKind::Set(s) => Value::Set(self.named_set(s.index())?),
            ExprKind::Param(p, args) => self.h_param(p.index(), args, e.span)?,
            ExprKind::Symbol(set, name) => Value::Elem(
                self.world
                    .intern(ElemKey::Symbol(set.index(), name.clone())),
            ),
            ExprKind::Entity(name, _) => Value::Elem(self.entity(name, e.span)?),
            ExprKind::Attr(base, _, _) | ExprKind::AttrByName(base, _) => self.h_attr(e, base)?,
            ExprKind::Link(a, b) => {
                let x = self.h_eval(a)?;
                let Value::Elem(x) = x else {
                    return Err(runtime_error(
                        Code::E0603,
                        a.span,
                        "expected a condition",
                        "not a condition",
                    ));
                };
                let Value::Elem(y) = self.h_eval(b)? else {
                    return Err(runtime_error(
                        Code::E0603,
                        b.span,
                        "expected an entity at the end of a link",
                        "not an entity",
                    ));
                };
                Value::Elem(self.link_between(x, y, e.span)?)
            }
            ExprKind::Builtin(b, args) => self.h_builtin(*b, args, e.span)?,
            ExprKind::Inline {
                params, args, body, ..
            } => self.with_args(params, args, |me| me.h_eval(body))?,
            ExprKind::Unary(UnOp::Neg, x) => Value::Num(-self.h_num(x)?),
            ExprKind::Unary(UnOp::Not, x) => Value::Bool(!self.h_bool(x)?),
            ExprKind::Chain(first, links) => self.h_chain(first, links, e.span)?,
            ExprKind::Compare(first, links) => {
                let mut left = self.h_eval(first)?;
                for (op, _, rhs) in links {
                    let right = self.h_eval(rhs)?;
                    if !self.compare(*op, &left, &right, rhs.span)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                }
                Value::Bool(true)
            }
            ExprKind::If(arms, otherwise) => {
                for (c, v) in arms {
                    if self.h_bool(c)? {
                        return self.h_eval(v);
                    }
                }
                self.h_eval(otherwise)?
            }
            ExprKind::Agg {
                kind,
                level,
                index,
                body,
            } => self.h_aggregate(*kind, level.as_deref(), index, body.as_deref(), e.span)?,
            ExprKind::Range(..) | ExprKind::SetLit(_) | ExprKind::SetCompr(_) => {
                Value::Set(self.h_set(e)?)
            }
            ExprKind::Decision(..)
            | ExprKind::Moves { .. }
            | ExprKind::PlanCost(..)
            | ExprKind::PlanSeries { .. } => {
                return Err(internal(e.span, "a decision where data is required"))
            }
        })
    }

    /// The entity named `name` (declared in the source or loaded from data).
    fn entity(&self, name: &str, span: Span) -> R<ElemId> {
        match self.world.entity_names.get(name) {
            Some(v) if v.len() == 1 => Ok(v[0]),
            Some(_) => Err(runtime_error(
                Code::E0212,
                span,
                format!("`{name}` names entities of several kinds"),
                "ambiguous",
            )),
            None => {
                let known = self.world.entity_names.keys().map(|s| s.as_str());
                let mut d = runtime_error(
                    Code::E0201,
                    span,
                    format!("unknown name `{name}`"),
                    "no declaration or entity of this name",
                );
                if let Some(s) = crate::resolve::errors::suggest(name, known) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                Err(d)
            }
        }
    }

    /// `base.attr` (`e` is the whole node): an attribute's value, or the entity's name.
    fn h_attr(&mut self, e: &'a Expr, base: &'a Expr) -> R<Value> {
        let Value::Elem(x) = self.h_eval(base)? else {
            return Err(runtime_error(
                Code::E0603,
                base.span,
                "attributes belong to entities",
                "not an entity",
            ));
        };
        let (name, ai) = match &e.kind {
            ExprKind::AttrByName(_, n) if n == "name" => {
                return Ok(Value::Str(Arc::from(self.world.name(x))))
            }
            ExprKind::AttrByName(_, n) => (n.as_str(), None),
            ExprKind::Attr(_, k, a) => (
                self.schema.kinds[k.index()].attrs[a.index()].name.as_str(),
                Some(a.index()),
            ),
            _ => return Err(internal(e.span, "an attribute that is none")),
        };
        // The attribute's name ends the node (`r.capacity`).
        let attr_span = Span {
            start: e.span.end.saturating_sub(name.len() as u32),
            ..e.span
        };
        let Some(&(k, _)) = self.world.entity_of.get(&x) else {
            return Err(runtime_error(
                Code::E0603,
                base.span,
                format!("`{}` is not an entity", self.world.name(x)),
                "not an entity",
            ));
        };
        let ai = match ai {
            Some(ai) => ai,
            None => match self.schema.kinds[k].attr_index.get(name).copied() {
                Some(ai) => ai,
                None => {
                    return Err(runtime_error(
                        Code::E0203,
                        attr_span,
                        format!("`{}` has no attribute `{name}`", self.schema.kinds[k].name),
                        "unknown attribute",
                    ))
                }
            },
        };
        self.world.attr(x, ai).cloned().ok_or_else(|| {
            runtime_error(
                Code::E0609,
                attr_span,
                format!("`{}` has no value for `{name}`", self.world.name(x)),
                "no value",
            )
        })
    }

    /// `param[args]`, or a scalar param.
    pub(crate) fn h_param(&mut self, p: usize, args: &'a [Expr], span: Span) -> R<Value> {
        self.ensure_param(p)?;
        let mut key: SmallVec<[ElemId; 4]> = SmallVec::new();
        for a in args {
            key.push(self.h_elem(a)?);
        }
        let found = self.world.params[p].as_ref().and_then(|t| t.get(&key));
        match found {
            Some(v) => Ok(v),
            None => Err(self.no_param_value(p, &key, span)),
        }
    }

    fn h_chain(&mut self, first: &'a Expr, links: &'a [(BinOp, Expr)], span: Span) -> R<Value> {
        let Some(&(op, _)) = links.first() else {
            return self.h_eval(first);
        };
        let operands = || std::iter::once(first).chain(links.iter().map(|(_, x)| x));
        // The span of the operation up to operand `x`: the node's for two operands.
        let upto = |x: &Expr| {
            if links.len() == 1 {
                span
            } else {
                first.span.to(x.span)
            }
        };
        Ok(match op {
            BinOp::And | BinOp::Or => {
                let stop = op == BinOp::Or;
                for x in operands() {
                    if self.h_bool(x)? == stop {
                        return Ok(Value::Bool(stop));
                    }
                }
                Value::Bool(!stop)
            }
            BinOp::Iff => {
                let mut acc = self.h_bool(first)?;
                for (_, x) in links {
                    acc = acc == self.h_bool(x)?;
                }
                Value::Bool(acc)
            }
            BinOp::Implies => {
                // `p -> q -> r` is `p -> (q -> r)`: true at the first false condition, else
                // the last. (Links between entities are `Link` nodes.)
                let n = links.len();
                if !self.h_bool(first)? {
                    return Ok(Value::Bool(true));
                }
                for (_, x) in &links[..n - 1] {
                    if !self.h_bool(x)? {
                        return Ok(Value::Bool(true));
                    }
                }
                Value::Bool(self.h_bool(&links[n - 1].1)?)
            }
            BinOp::Pow => {
                let mut values = Vec::with_capacity(links.len() + 1);
                for x in operands() {
                    values.push(self.h_num(x)?);
                }
                let end = links[links.len() - 1].1.span;
                let mut acc = values.pop().unwrap_or(0.0);
                let starts: Vec<&Expr> = operands().take(links.len()).collect();
                for (x, v) in starts.into_iter().zip(values).rev() {
                    let at = if links.len() == 1 {
                        span
                    } else {
                        x.span.to(end)
                    };
                    acc = finite(v.powf(acc), at)?;
                }
                Value::Num(acc)
            }
            _ => {
                let mut acc = self.h_num(first)?;
                for (op, x) in links {
                    let y = self.h_num(x)?;
                    acc = arith(*op, acc, y, x.span, upto(x))?;
                }
                Value::Num(acc)
            }
        })
    }

    fn h_builtin(&mut self, b: Builtin, args: &'a [Expr], span: Span) -> R<Value> {
        let a0 = || &args[0];
        Ok(match b {
            Builtin::Ceil => Value::Num(self.h_num(a0())?.ceil()),
            Builtin::Floor => Value::Num(self.h_num(a0())?.floor()),
            Builtin::Round => Value::Num(self.h_num(a0())?.round()),
            Builtin::Abs => Value::Num(self.h_num(a0())?.abs()),
            Builtin::Min | Builtin::Max => {
                let mut acc: Option<f64> = None;
                for a in args {
                    let v = self.h_num(a)?;
                    acc = Some(match acc {
                        None => v,
                        Some(x) if b == Builtin::Min => x.min(v),
                        Some(x) => x.max(v),
                    });
                }
                Value::Num(acc.unwrap_or(0.0))
            }
            Builtin::Prev | Builtin::Next | Builtin::Ord => {
                let x = self.h_elem(a0())?;
                self.ordered_step(b, x, span)?
            }
            Builtin::Prob | Builtin::Up => {
                let s = self.h_elem(&args[args.len() - 1])?;
                if b == Builtin::Prob {
                    return Ok(Value::Num(self.scenario(s, span)?.p));
                }
                let e = self.h_elem(a0())?;
                Value::Num(self.up_in(e, s, span)?)
            }
            Builtin::Mass => {
                let set = self.h_set(a0())?;
                Value::Num(self.scenario_mass(&set, span)?)
            }
            Builtin::First | Builtin::Last | Builtin::Card => {
                let s = self.h_set(a0())?;
                self.set_end(b == Builtin::Card, b == Builtin::First, &s, span)?
            }
        })
    }

    /// `count`, `sum`, `min`, `max`, `exists`, `forall` and the risk measures over data.
    fn h_aggregate(
        &mut self,
        kind: AggKind,
        level: Option<&'a Expr>,
        index: &'a hir::Index,
        body: Option<&'a Expr>,
        span: Span,
    ) -> R<Value> {
        if kind.is_risk() {
            return self.h_risk(kind, level, index, body, span);
        }
        // The checker gives every aggregate but `count` a body (E0306).
        let missing = || internal(span, "an aggregate without its body");
        let mut sum = 0.0;
        let mut count = 0usize;
        let mut best: Option<f64> = None;
        let mut all = true;
        let mut any = false;
        self.h_for_each(index, &mut |me| {
            match kind {
                AggKind::Sum => sum += me.h_num(body.ok_or_else(missing)?)?,
                AggKind::Count => {
                    if match body {
                        Some(b) => me.h_bool(b)?,
                        None => true,
                    } {
                        count += 1;
                    }
                }
                AggKind::Min | AggKind::Max => {
                    let v = me.h_num(body.ok_or_else(missing)?)?;
                    best = Some(match best {
                        None => v,
                        Some(b) if kind == AggKind::Min => b.min(v),
                        Some(b) => b.max(v),
                    });
                }
                AggKind::Exists => any |= me.h_bool(body.ok_or_else(missing)?)?,
                _ => all &= me.h_bool(body.ok_or_else(missing)?)?,
            }
            Ok(())
        })?;
        Ok(match kind {
            AggKind::Sum => Value::Num(finite(sum, span)?),
            AggKind::Count => Value::Num(count as f64),
            AggKind::Min | AggKind::Max => match best {
                Some(b) => Value::Num(b),
                None => return Err(empty_extreme(kind, span)),
            },
            AggKind::Exists => Value::Bool(any),
            _ => Value::Bool(all),
        })
    }

    /// The level `beta` of `cvar` written as `l`: a number in [0, 1) (E0641 otherwise).
    pub(crate) fn cvar_level(&mut self, l: &'a Expr) -> R<f64> {
        let beta = self.h_num(l)?;
        self.cvar_beta(beta, l.span)
    }

    /// A risk measure over data: recomputed from each scenario's value and probability.
    fn h_risk(
        &mut self,
        kind: AggKind,
        level: Option<&'a Expr>,
        index: &'a hir::Index,
        body: Option<&'a Expr>,
        span: Span,
    ) -> R<Value> {
        let beta = level.map(|l| self.cvar_level(l)).transpose()?;
        let Some(body) = body else {
            return Err(internal(span, "a risk measure without its body"));
        };
        let var = index.binders.first().map(|b| b.slot);
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        self.h_for_each(index, &mut |me| {
            let s = var.map_or(u32::MAX, |v| me.slot_elem(v));
            let p = me.scenario_p(s, span)?;
            let v = if kind == AggKind::Probability {
                f64::from(u8::from(me.h_bool(body)?))
            } else {
                me.h_num(body)?
            };
            pairs.push((v, p));
            Ok(())
        })?;
        self.risk_of_pairs(kind, beta, pairs, span).map(Value::Num)
    }

    /// Evaluate a set expression.
    pub(crate) fn h_set(&mut self, e: &'a Expr) -> R<Arc<SetVal>> {
        match &e.kind {
            ExprKind::Range(a, b) => {
                let va = self.h_eval(a)?;
                let vb = self.h_eval(b)?;
                if let (Value::Elem(x), Value::Elem(y)) = (&va, &vb) {
                    return self.elem_range(*x, *y, e.span).map(Arc::new);
                }
                let p = self.h_num(a)?;
                let q = self.h_num(b)?;
                self.int_range(p, q, a.span, b.span, e.span).map(Arc::new)
            }
            ExprKind::SetLit(items) => {
                let mut v = Vec::new();
                for x in items {
                    v.push(self.h_elem(x)?);
                }
                Ok(Arc::new(SetVal::new(v)))
            }
            ExprKind::SetCompr(ix) => {
                let mut v = Vec::new();
                let var = ix.binders.first().map(|b| b.slot);
                self.h_for_each(ix, &mut |me| {
                    if let Some(Bound::Value(Value::Elem(x))) =
                        var.and_then(|s| me.frame.get(s.index()))
                    {
                        v.push(*x);
                    }
                    Ok(())
                })?;
                Ok(Arc::new(SetVal::new(v)))
            }
            // The checker types every set expression (E0307).
            _ => match self.h_eval(e)? {
                Value::Set(s) => Ok(s),
                _ => Err(internal(
                    e.span,
                    "a value that is no set where a set is required",
                )),
            },
        }
    }
}

/// E0613: `min` or `max` over no element.
pub(crate) fn empty_extreme(kind: AggKind, span: Span) -> Diagnostic {
    runtime_error(
        Code::E0613,
        span,
        format!("`{}` over an empty set", kind.name()),
        "no elements",
    )
    .help("add a `where` that keeps at least one element, or use `sum`")
}

impl Inst<'_> {
    /// `prev`, `next` or `ord` of `x` in its ordered set.
    pub(crate) fn ordered_step(&mut self, b: Builtin, x: ElemId, span: Span) -> R<Value> {
        let set = self.home_set(x, span)?;
        let Some(&p) = set.pos.get(&x) else {
            return Err(runtime_error(
                Code::E0606,
                span,
                format!("`{}` is not in an ordered set", self.world.name(x)),
                "here",
            ));
        };
        Ok(match b {
            Builtin::Ord => Value::Num(p as f64 + 1.0),
            Builtin::Prev if p == 0 => {
                return Err(runtime_error(
                    Code::E0606,
                    span,
                    format!(
                        "`{}` is the first element: it has no `prev`",
                        self.world.name(x)
                    ),
                    "no previous element",
                )
                .help(
                    "guard with `where q != first(SET)` or `if q == first(SET) then ... else ...`",
                ))
            }
            Builtin::Prev => Value::Elem(set.elems[p as usize - 1]),
            _ if p as usize + 1 >= set.elems.len() => {
                return Err(runtime_error(
                    Code::E0606,
                    span,
                    format!(
                        "`{}` is the last element: it has no `next`",
                        self.world.name(x)
                    ),
                    "no next element",
                )
                .help("guard with `where q != last(SET)`"))
            }
            _ => Value::Elem(set.elems[p as usize + 1]),
        })
    }

    /// `card` of a set (`card`), or its `first` (`first`) or last element.
    pub(crate) fn set_end(&self, card: bool, first: bool, s: &SetVal, span: Span) -> R<Value> {
        if card {
            return Ok(Value::Num(s.elems.len() as f64));
        }
        let e = if first {
            s.elems.first()
        } else {
            s.elems.last()
        };
        match e {
            Some(&e) => Ok(Value::Elem(e)),
            None => Err(runtime_error(
                Code::E0613,
                span,
                "the set is empty",
                "no elements",
            )),
        }
    }

    /// The elements from `x` to `y`: periods of one kind or integers.
    pub(crate) fn elem_range(&mut self, x: ElemId, y: ElemId, span: Span) -> R<SetVal> {
        let elems: Vec<ElemId> = match (
            &self.world.elems[x as usize].key,
            &self.world.elems[y as usize].key,
        ) {
            (ElemKey::Period(p), ElemKey::Period(q)) if p.kind == q.kind => {
                let (kind, p, q) = (p.kind, p.index, q.index);
                if i64::from(q) - i64::from(p) > 10_000_000 {
                    return Err(runtime_error(
                        Code::E0604,
                        span,
                        "a range of more than 10 million periods",
                        "too many periods",
                    ));
                }
                (p..=q)
                    .map(|c| {
                        self.world
                            .intern(ElemKey::Period(crate::period::Period::new(kind, c)))
                    })
                    .collect()
            }
            (ElemKey::Int(p), ElemKey::Int(q)) => {
                let (p, q) = (*p, *q);
                (p..=q)
                    .map(|c| self.world.intern(ElemKey::Int(c)))
                    .collect()
            }
            _ => {
                return Err(runtime_error(
                    Code::E0307,
                    span,
                    "a range needs integers or periods of one kind",
                    "here",
                ))
            }
        };
        Ok(SetVal::new(elems))
    }

    /// The integers from `p` to `q`.
    pub(crate) fn int_range(
        &mut self,
        p: f64,
        q: f64,
        p_span: Span,
        q_span: Span,
        span: Span,
    ) -> R<SetVal> {
        whole(p, p_span)?;
        whole(q, q_span)?;
        if q - p > 1e7 {
            return Err(runtime_error(
                Code::E0604,
                span,
                "range too large",
                "more than 10 million elements",
            ));
        }
        Ok(SetVal::new(
            (p as i64..=q as i64)
                .map(|c| self.world.intern(ElemKey::Int(c)))
                .collect(),
        ))
    }
}
