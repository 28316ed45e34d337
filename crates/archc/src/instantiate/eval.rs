//! Evaluation of data expressions (everything that does not depend on decisions): values,
//! sets, index iteration with `where` filters pushed down to the earliest binding and
//! equality filters answered by joins instead of scans.

use super::world::*;
use super::Inst;
use crate::check::{ElemTy, Global, SetDef};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{self, AggKind, BinOp, ChainLink, CmpOp, Expr, ExprKind, UnOp};
use smallvec::SmallVec;
use std::rc::Rc;

mod call;

pub type R<T> = Result<T, Diagnostic>;

/// The largest integer a 64-bit float holds exactly (2^53): archc computes with floats, so
/// an integer beyond it has already lost its last digits.
pub const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// E0631 unless `x` is a finite number: an overflow to infinity, or a NaN from `0 * inf`
/// or `inf - inf`, is no value to compute with.
pub fn finite(x: f64, span: Span) -> R<f64> {
    if x.is_finite() {
        return Ok(x);
    }
    let what = if x.is_nan() {
        "is not a number (NaN)"
    } else {
        "overflows to infinity"
    };
    Err(Diagnostic::error(Code::E0631, format!("this value {what}"))
        .primary(
            span,
            format!("{what}: beyond the range of 64-bit numbers (about 1.8e308)"),
        )
        .help(
            "check the magnitudes of the data: count in larger units, or divide before multiplying",
        ))
}

/// `x` as an integer, or E0630 when it lies beyond [`MAX_EXACT_INT`].
pub fn exact_int(x: f64, span: Span) -> R<i64> {
    if x.abs() <= MAX_EXACT_INT {
        return Ok(x as i64);
    }
    Err(integer_overflow(x, span))
}

/// E0630: an integer value `x` too large to be represented exactly.
pub fn integer_overflow(x: f64, span: Span) -> Diagnostic {
    Diagnostic::error(Code::E0630, "integer overflow")
        .primary(
            span,
            format!(
                "this integer is {}, beyond ±2^53 = 9,007,199,254,740,992",
                crate::ir::dump::fmt_num(x)
            ),
        )
        .help("integers are exact up to 2^53; count in larger units or declare the value `real`")
}

pub fn runtime_error(
    code: Code,
    span: Span,
    msg: impl Into<String>,
    label: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(code, msg).primary(span, label)
}

impl Inst<'_> {
    pub fn local(&self, name: &str) -> Option<&Value> {
        self.env
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    pub fn num(&mut self, e: &Expr) -> R<f64> {
        match self.eval(e)? {
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

    pub fn boolean(&mut self, e: &Expr) -> R<bool> {
        match self.eval(e)? {
            Value::Bool(b) => Ok(b),
            _ => Err(runtime_error(
                Code::E0603,
                e.span,
                "expected a condition",
                "not a condition",
            )),
        }
    }

    pub fn elem_of(&mut self, e: &Expr) -> R<ElemId> {
        // The common case, an index variable: no value to build.
        if let ExprKind::Name(id) = &e.kind {
            if let Some(Value::Elem(x)) = self.local(&id.name) {
                return Ok(*x);
            }
        }
        match self.eval(e)? {
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
    pub fn eval(&mut self, e: &Expr) -> R<Value> {
        Ok(match &e.kind {
            ExprKind::Number(n) => Value::Num(*n),
            ExprKind::Quantity(n, u) => {
                Value::Num(finite(n * self.schema.unit(&u.text).scale, e.span)?)
            }
            ExprKind::Period { period } => Value::Elem(self.world.intern(ElemKey::Period(*period))),
            ExprKind::Str(s) => Value::Str(Rc::from(s.as_str())),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Name(id) => self.name_value(id)?,
            ExprKind::Field(base, attr) => {
                let b = self.eval(base)?;
                let Value::Elem(x) = b else {
                    return Err(runtime_error(
                        Code::E0603,
                        base.span,
                        "attributes belong to entities",
                        "not an entity",
                    ));
                };
                if attr.name == "name" {
                    return Ok(Value::Str(Rc::from(self.world.name(x))));
                }
                let Some(&(k, _)) = self.world.entity_of.get(&x) else {
                    return Err(runtime_error(
                        Code::E0603,
                        base.span,
                        format!("`{}` is not an entity", self.world.name(x)),
                        "not an entity",
                    ));
                };
                let Some(ai) = self.schema.kinds[k].attr_index.get(&attr.name).copied() else {
                    return Err(runtime_error(
                        Code::E0203,
                        attr.span,
                        format!(
                            "`{}` has no attribute `{}`",
                            self.schema.kinds[k].name, attr.name
                        ),
                        "unknown attribute",
                    ));
                };
                self.world.attr(x, ai).cloned().ok_or_else(|| {
                    runtime_error(
                        Code::E0609,
                        attr.span,
                        format!("`{}` has no value for `{}`", self.world.name(x), attr.name),
                        "no value",
                    )
                })?
            }
            ExprKind::Index(base, args) => {
                let ExprKind::Name(id) = &base.kind else {
                    return Err(runtime_error(
                        Code::E0304,
                        base.span,
                        "not indexable",
                        "here",
                    ));
                };
                match self.schema.globals.get(&id.name).copied() {
                    Some(Global::Param(p)) => self.param_value(p, args, e.span)?,
                    Some(Global::Fn(f)) => {
                        let args: Vec<ast::Arg> = args
                            .iter()
                            .map(|a| ast::Arg {
                                name: None,
                                value: a.clone(),
                            })
                            .collect();
                        self.call_fn(f, &args, e, &mut |me, body| me.eval(body))?
                    }
                    _ => {
                        return Err(runtime_error(
                            Code::E0305,
                            e.span,
                            "a decision is used where data is required",
                            "depends on a decision",
                        ))
                    }
                }
            }
            ExprKind::Call(name, args) => self.call(name, args, e)?,
            ExprKind::Unary(UnOp::Neg, x) => Value::Num(-self.num(x)?),
            ExprKind::Unary(UnOp::Not, x) => Value::Bool(!self.boolean(x)?),
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.span)?,
            ExprKind::Chain(first, links) => self.chain(first, links)?,
            ExprKind::Compare(first, links) => {
                let mut left = self.eval(first)?;
                for (op, _, rhs) in links {
                    let right = self.eval(rhs)?;
                    if !self.compare(*op, &left, &right, rhs.span)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                }
                Value::Bool(true)
            }
            ExprKind::If(c, a, b) => {
                if self.boolean(c)? {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            ExprKind::IfChain(arms, otherwise) => {
                let chosen = match arms.iter().find_map(|arm| {
                    self.boolean(&arm.cond)
                        .map(|holds| holds.then_some(&arm.value))
                        .transpose()
                }) {
                    Some(v) => v?,
                    None => otherwise,
                };
                self.eval(chosen)?
            }
            ExprKind::Agg { kind, index, body } => {
                self.aggregate(*kind, index, body.as_deref(), e.span)?
            }
            ExprKind::Range(_, _) | ExprKind::SetCompr(_) | ExprKind::SetLit(_) => {
                Value::Set(self.set_value(e)?)
            }
            ExprKind::Map(_) | ExprKind::Tuple(_) => {
                return Err(runtime_error(Code::E0301, e.span, "not a value", "here"))
            }
        })
    }

    fn name_value(&mut self, id: &ast::Ident) -> R<Value> {
        if let Some(v) = self.local(&id.name) {
            return Ok(v.clone());
        }
        self.global_value(id)
    }

    /// The value of a name that is no local: a set, a param, a symbol or an entity.
    fn global_value(&mut self, id: &ast::Ident) -> R<Value> {
        match self.schema.globals.get(&id.name).copied() {
            Some(Global::Set(s)) => return Ok(Value::Set(self.named_set(s)?)),
            Some(Global::Param(p)) => return self.param_value(p, &[], id.span),
            Some(_) => {
                return Err(runtime_error(
                    Code::E0305,
                    id.span,
                    format!("`{}` is not data", id.name),
                    "used as data",
                ))
            }
            None => {}
        }
        if let Some(&set) = self.schema.symbol_elems.get(&id.name) {
            return Ok(Value::Elem(
                self.world.intern(ElemKey::Symbol(set, id.name.clone())),
            ));
        }
        match self.world.entity_names.get(&id.name) {
            Some(v) if v.len() == 1 => Ok(Value::Elem(v[0])),
            Some(_) => Err(runtime_error(
                Code::E0212,
                id.span,
                format!("`{}` names entities of several kinds", id.name),
                "ambiguous",
            )),
            None => {
                let known: Vec<&str> = self.world.entity_names.keys().map(|s| s.as_str()).collect();
                let mut d = runtime_error(
                    Code::E0201,
                    id.span,
                    format!("unknown name `{}`", id.name),
                    "no declaration or entity of this name",
                );
                if let Some(s) = crate::resolve::errors::suggest(&id.name, known.into_iter()) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                Err(d)
            }
        }
    }

    pub fn param_value(&mut self, p: usize, args: &[Expr], span: Span) -> R<Value> {
        self.ensure_param(p)?;
        let mut key: SmallVec<[ElemId; 4]> = SmallVec::new();
        for a in args {
            key.push(self.elem_of(a)?);
        }
        let found = self.world.params[p].as_ref().and_then(|t| t.get(&key));
        match found {
            Some(v) => Ok(v),
            None => Err(self.no_param_value(p, &key, span)),
        }
    }

    /// E0609: param `p` has no value at `key`.
    pub(crate) fn no_param_value(&self, p: usize, key: &[ElemId], span: Span) -> Diagnostic {
        let names: Vec<&str> = key.iter().map(|&k| self.world.name(k)).collect();
        let info = &self.schema.params[p];
        Diagnostic::error(
            Code::E0609,
            format!("`{}[{}]` has no value", info.name, names.join(", ")),
        )
        .primary(span, "no value for this index")
        .secondary(info.span, "declared here")
        .help("give the param a value for every index, or add the row to its data")
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, span: Span) -> R<Value> {
        Ok(match op {
            BinOp::And => Value::Bool(self.boolean(a)? && self.boolean(b)?),
            BinOp::Or => Value::Bool(self.boolean(a)? || self.boolean(b)?),
            BinOp::Implies => match self.eval(a)? {
                Value::Bool(x) => Value::Bool(!x || self.boolean(b)?),
                // Between entities `a -> b` names the link from `a` to `b`.
                Value::Elem(x) => {
                    let Value::Elem(y) = self.eval(b)? else {
                        return Err(runtime_error(
                            Code::E0603,
                            b.span,
                            "expected an entity at the end of a link",
                            "not an entity",
                        ));
                    };
                    return self.link_between(x, y, span).map(Value::Elem);
                }
                _ => {
                    return Err(runtime_error(
                        Code::E0603,
                        a.span,
                        "expected a condition",
                        "not a condition",
                    ))
                }
            },
            BinOp::Iff => Value::Bool(self.boolean(a)? == self.boolean(b)?),
            _ => {
                let x = self.num(a)?;
                let y = self.num(b)?;
                Value::Num(arith(op, x, y, b.span, span)?)
            }
        })
    }

    /// A [`ExprKind::Chain`], with a loop: from the left, or for `^` and `->` from the
    /// right; `and`, `or` and `->` stop at the first operand that decides the value.
    fn chain(&mut self, first: &Expr, links: &[ChainLink]) -> R<Value> {
        let Some((op, _, _)) = links.first() else {
            return self.eval(first);
        };
        let op = *op;
        let operands = || std::iter::once(first).chain(links.iter().map(|(_, _, x)| x));
        Ok(match op {
            BinOp::And | BinOp::Or => {
                let stop = op == BinOp::Or;
                for x in operands() {
                    if self.boolean(x)? == stop {
                        return Ok(Value::Bool(stop));
                    }
                }
                Value::Bool(!stop)
            }
            BinOp::Iff => {
                let mut acc = self.boolean(first)?;
                for (_, _, x) in links {
                    acc = acc == self.boolean(x)?;
                }
                Value::Bool(acc)
            }
            BinOp::Implies => {
                // `p -> q -> r` is `p -> (q -> r)`: true at the first false condition, else
                // the last. Between entities `->` names a link, which is never a condition,
                // so a chain of them goes to the two-operand form from the right.
                let head = self.eval(first)?;
                if let Value::Elem(_) = head {
                    let mut acc_span = links[links.len() - 1].2.span;
                    let mut acc = self.eval(&links[links.len() - 1].2)?;
                    let starts = operands().take(links.len()).collect::<Vec<_>>();
                    for x in starts.into_iter().rev() {
                        let span = x.span.to(acc_span);
                        let v = self.eval(x)?;
                        acc = self.implies_values(v, x.span, acc, acc_span, span)?;
                        acc_span = span;
                    }
                    return Ok(acc);
                }
                let n = links.len();
                match head {
                    Value::Bool(true) => {}
                    Value::Bool(false) => return Ok(Value::Bool(true)),
                    _ => {
                        return Err(runtime_error(
                            Code::E0603,
                            first.span,
                            "expected a condition",
                            "not a condition",
                        ))
                    }
                }
                for (_, _, x) in &links[..n - 1] {
                    if !self.boolean(x)? {
                        return Ok(Value::Bool(true));
                    }
                }
                Value::Bool(self.boolean(&links[n - 1].2)?)
            }
            BinOp::Pow => {
                let mut values = Vec::with_capacity(links.len() + 1);
                for x in operands() {
                    values.push(self.num(x)?);
                }
                let end = links[links.len() - 1].2.span;
                let mut acc = values.pop().unwrap_or(0.0);
                for (x, v) in operands().zip(values).collect::<Vec<_>>().into_iter().rev() {
                    acc = finite(v.powf(acc), x.span.to(end))?;
                }
                Value::Num(acc)
            }
            _ => {
                let mut acc = self.num(first)?;
                for (op, _, x) in links {
                    let y = self.num(x)?;
                    acc = arith(*op, acc, y, x.span, first.span.to(x.span))?;
                }
                Value::Num(acc)
            }
        })
    }

    /// `a -> b` from the values of its sides: an implication between conditions, the link
    /// from `a` to `b` between entities.
    fn implies_values(
        &mut self,
        a: Value,
        a_span: Span,
        b: Value,
        b_span: Span,
        span: Span,
    ) -> R<Value> {
        match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => Ok(Value::Bool(!x || y)),
            (Value::Elem(x), Value::Elem(y)) => self.link_between(x, y, span).map(Value::Elem),
            (Value::Elem(_), _) => Err(runtime_error(
                Code::E0603,
                b_span,
                "expected an entity at the end of a link",
                "not an entity",
            )),
            (Value::Bool(_), _) => Err(runtime_error(
                Code::E0603,
                b_span,
                "expected a condition",
                "not a condition",
            )),
            _ => Err(runtime_error(
                Code::E0603,
                a_span,
                "expected a condition",
                "not a condition",
            )),
        }
    }
}

/// `x op y` for an arithmetic operator; `b_span` is the right operand's, `span` the whole.
pub(crate) fn arith(op: BinOp, x: f64, y: f64, b_span: Span, span: Span) -> R<f64> {
    {
        {
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div | BinOp::Mod if y == 0.0 => {
                    let what = if op == BinOp::Div {
                        "division"
                    } else {
                        "modulo"
                    };
                    return Err(runtime_error(
                        Code::E0607,
                        b_span,
                        format!("{what} by zero"),
                        "this is zero",
                    )
                    .secondary(span, "in this expression"));
                }
                BinOp::Div => x / y,
                BinOp::Mod => x.rem_euclid(y),
                _ => x.powf(y),
            };
            finite(r, span)
        }
    }
}

impl Inst<'_> {
    /// The link from `x` to `y`: the entity named `x->y` of a kind with `src` and `dst`.
    pub(crate) fn link_between(&mut self, x: ElemId, y: ElemId, span: Span) -> R<ElemId> {
        let name = format!("{}->{}", self.world.name(x), self.world.name(y));
        let kinds = crate::check::expr::links::link_kinds(self.schema);
        let found: SmallVec<[ElemId; 2]> = self
            .world
            .entity_names
            .get(&name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|e| {
                self.world
                    .entity_of
                    .get(e)
                    .is_some_and(|(k, _)| kinds.contains(k))
            })
            .collect();
        match found.as_slice() {
            [e] => Ok(*e),
            [] => {
                let links: Vec<&str> = kinds
                    .iter()
                    .filter_map(|&k| self.world.kinds.get(k))
                    .flat_map(|t| t.elems.iter().map(|&e| self.world.name(e)))
                    .collect();
                let (a, b) = (self.world.name(x), self.world.name(y));
                let help =
                    crate::check::expr::links::missing_link_help(a, b, links.iter().copied());
                Err(runtime_error(
                    Code::E0214,
                    span,
                    format!("no link `{name}`"),
                    "no such link",
                )
                .help(help))
            }
            _ => Err(runtime_error(
                Code::E0212,
                span,
                format!("`{name}` names links of several kinds"),
                "ambiguous",
            )),
        }
    }

    pub fn compare(&mut self, op: CmpOp, l: &Value, r: &Value, span: Span) -> R<bool> {
        use std::cmp::Ordering;
        if matches!(op, CmpOp::In | CmpOp::NotIn) {
            let Value::Set(s) = r else {
                return Err(runtime_error(
                    Code::E0307,
                    span,
                    "`in` needs a set",
                    "not a set",
                ));
            };
            let inside = match l {
                Value::Elem(x) => s.contains(*x),
                Value::Str(t) => self
                    .world
                    .interned
                    .get(&ElemKey::Str(t.to_string()))
                    .is_some_and(|x| s.contains(*x)),
                Value::Num(n) => self
                    .world
                    .interned
                    .get(&ElemKey::Int(*n as i64))
                    .is_some_and(|x| s.contains(*x)),
                _ => false,
            };
            return Ok(inside == (op == CmpOp::In));
        }
        let ord = match (l, r) {
            (Value::Num(a), Value::Num(b)) => a.partial_cmp(b),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::Elem(a), Value::Elem(b)) => match (
                &self.world.elems[*a as usize].key,
                &self.world.elems[*b as usize].key,
            ) {
                (ElemKey::Period(x), ElemKey::Period(y)) if x.kind == y.kind => {
                    Some(x.index.cmp(&y.index))
                }
                (ElemKey::Int(x), ElemKey::Int(y)) => Some(x.cmp(y)),
                _ => Some(if a == b { Ordering::Equal } else { a.cmp(b) }),
            },
            (Value::Elem(a), Value::Num(b)) => {
                self.world.elem_number(*a).and_then(|x| x.partial_cmp(b))
            }
            (Value::Num(a), Value::Elem(b)) => {
                self.world.elem_number(*b).and_then(|y| a.partial_cmp(&y))
            }
            _ => None,
        };
        let Some(ord) = ord else {
            return Ok(matches!(op, CmpOp::Ne));
        };
        Ok(match op {
            CmpOp::Eq => ord == Ordering::Equal,
            CmpOp::Ne => ord != Ordering::Equal,
            CmpOp::Lt => ord == Ordering::Less,
            CmpOp::Le => ord != Ordering::Greater,
            CmpOp::Gt => ord == Ordering::Greater,
            _ => ord != Ordering::Less,
        })
    }

    fn aggregate(
        &mut self,
        kind: AggKind,
        index: &ast::IndexList,
        body: Option<&Expr>,
        span: Span,
    ) -> R<Value> {
        if kind.is_risk() {
            return self.risk_value(kind, index, body, span);
        }
        let mut sum = 0.0;
        let mut count = 0usize;
        let mut best: Option<f64> = None;
        let mut all = true;
        let mut any = false;
        self.for_each_index(index, &mut |me| {
            match kind {
                AggKind::Sum => {
                    sum += me.num(body.ok_or_else(|| {
                        runtime_error(Code::E0306, span, "nothing to sum", "here")
                    })?)?
                }
                AggKind::Count => {
                    if match body {
                        Some(b) => me.boolean(b)?,
                        None => true,
                    } {
                        count += 1;
                    }
                }
                AggKind::Min | AggKind::Max => {
                    let v =
                        me.num(body.ok_or_else(|| {
                            runtime_error(Code::E0306, span, "no value", "here")
                        })?)?;
                    best = Some(match best {
                        None => v,
                        Some(b) if kind == AggKind::Min => b.min(v),
                        Some(b) => b.max(v),
                    });
                }
                AggKind::Exists => {
                    any |= me.boolean(body.ok_or_else(|| {
                        runtime_error(Code::E0306, span, "no condition", "here")
                    })?)?
                }
                _ => {
                    all &= me.boolean(body.ok_or_else(|| {
                        runtime_error(Code::E0306, span, "no condition", "here")
                    })?)?
                }
            }
            Ok(())
        })?;
        Ok(match kind {
            AggKind::Sum => Value::Num(finite(sum, span)?),
            AggKind::Count => Value::Num(count as f64),
            AggKind::Min | AggKind::Max => match best {
                Some(b) => Value::Num(b),
                None => return Err(super::hir_eval::empty_extreme(kind, span)),
            },
            AggKind::Exists => Value::Bool(any),
            _ => Value::Bool(all),
        })
    }

    /// Evaluate a set expression.
    pub fn set_value(&mut self, e: &Expr) -> R<Rc<SetVal>> {
        match &e.kind {
            ExprKind::Range(a, b) => {
                let va = self.eval(a)?;
                let vb = self.eval(b)?;
                if let (Value::Elem(x), Value::Elem(y)) = (&va, &vb) {
                    return self.elem_range(*x, *y, e.span).map(Rc::new);
                }
                let p = self.num(a)?;
                let q = self.num(b)?;
                self.int_range(p, q, a.span, b.span, e.span).map(Rc::new)
            }
            ExprKind::SetLit(items) => {
                let mut v = Vec::new();
                for x in items {
                    v.push(self.elem_of(x)?);
                }
                Ok(Rc::new(SetVal::new(v)))
            }
            ExprKind::SetCompr(ix) => {
                let mut v = Vec::new();
                let var = ix
                    .bindings
                    .first()
                    .and_then(|b| b.var.as_ref())
                    .map(|v| v.name.clone())
                    .unwrap_or_default();
                self.for_each_index(ix, &mut |me| {
                    if let Some(Value::Elem(x)) = me.local(&var) {
                        v.push(*x);
                    }
                    Ok(())
                })?;
                Ok(Rc::new(SetVal::new(v)))
            }
            _ => match self.eval(e)? {
                Value::Set(s) => Ok(s),
                _ => Err(runtime_error(
                    Code::E0307,
                    e.span,
                    "expected a set",
                    "not a set",
                )),
            },
        }
    }

    /// A named set, evaluated once.
    pub fn named_set(&mut self, s: usize) -> R<Rc<SetVal>> {
        if let Some(Some(v)) = self.world.sets.get(s) {
            return Ok(v.clone());
        }
        if self.evaluating_sets.contains(&s) {
            return Err(runtime_error(
                Code::E0307,
                self.schema.sets[s].span,
                format!(
                    "set `{}` is defined in terms of itself",
                    self.schema.sets[s].name
                ),
                "circular",
            ));
        }
        self.evaluating_sets.push(s);
        let schema = self.schema;
        let v = match &schema.sets[s].def {
            SetDef::Kind(k) => Rc::new(SetVal::new(self.world.kinds[*k].elems.clone())),
            SetDef::Symbols(ids) => {
                let ids = ids.clone();
                Rc::new(SetVal::new(
                    ids.iter()
                        .map(|i| self.world.intern(ElemKey::Symbol(s, i.name.clone())))
                        .collect(),
                ))
            }
            SetDef::Expr(e) => match self
                .hir
                .and_then(|h| h.sets.get(s))
                .map(|h| (h.slots.len(), &h.body))
            {
                Some((n, crate::hir::SetValue::Expr(he))) => self.in_frame(n, |me| me.h_set(he))?,
                _ => {
                    return Err(super::hir_eval::internal(
                        e.span,
                        "a set without its HIR expression",
                    ))
                }
            },
            SetDef::Scenarios(_) => self.scenario_set(s)?,
        };
        self.evaluating_sets.pop();
        if self.world.sets.len() <= s {
            self.world.sets.resize(s + 1, None);
        }
        self.world.sets[s] = Some(v.clone());
        Ok(v)
    }

    /// The element type a set expression was checked to have (for empty sets).
    pub fn elem_ty_hint(&self, _e: &Expr) -> ElemTy {
        ElemTy::Any
    }
}
