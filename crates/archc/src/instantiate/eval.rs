//! What every evaluation shares: the result type and the run-time errors of values (not
//! finite, beyond the exact integers, a division by zero), arithmetic, comparison of
//! values, links between entities, and named sets evaluated once. The evaluator of data
//! expressions is `hir_eval`; the linearizer of expressions over decisions is `linear`.

use super::world::*;
use super::Inst;
use crate::check::SetDef;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{BinOp, CmpOp};
use smallvec::SmallVec;
use std::sync::Arc;

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

/// `x` (of an integer expression at `span`) as an integer: E0633 when it is not whole,
/// E0630 beyond 2^53.
pub fn whole(x: f64, span: Span) -> R<i64> {
    if x.fract() != 0.0 && x.is_finite() {
        return Err(not_whole(x, span));
    }
    exact_int(x, span)
}

/// `x` (of an integer expression at `span`, computed in floating point: a value scaled from
/// its unit, a plan's range) as the integer it rounds to: E0633 when it is not whole up to
/// rounding, E0630 beyond 2^53.
pub fn nearly_whole(x: f64, span: Span) -> R<i64> {
    let r = x.round();
    if (x - r).abs() > 1e-9 * x.abs().max(1.0) {
        return Err(not_whole(x, span));
    }
    exact_int(r, span)
}

/// E0633: an integer expression whose value `x` is not whole.
pub fn not_whole(x: f64, span: Span) -> Diagnostic {
    Diagnostic::error(Code::E0633, "an integer that is not whole")
        .primary(span, format!("this is {}", crate::ir::dump::fmt_num(x)))
        .help("round the way you mean (`ceil`, `floor`, `round`), or declare the value `real`")
}

pub fn runtime_error(
    code: Code,
    span: Span,
    msg: impl Into<String>,
    label: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(code, msg).primary(span, label)
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
            // The checker refuses `in` without a set (E0307).
            let Value::Set(s) = r else {
                return Err(super::hir_eval::internal(span, "`in` without a set"));
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

    /// A named set, evaluated once.
    pub fn named_set(&mut self, s: usize) -> R<Arc<SetVal>> {
        if let Some(Some(v)) = self.world.sets.get(s) {
            return Ok(v.clone());
        }
        if self.evaluating_sets.contains(&s) {
            // The checker refuses sets and params that read each other (E0359).
            return Err(super::hir_eval::internal(
                self.schema.sets[s].span,
                "a set evaluated while it is being evaluated",
            ));
        }
        self.evaluating_sets.push(s);
        let schema = self.schema;
        let v = match &schema.sets[s].def {
            SetDef::Kind(k) => Arc::new(SetVal::new(self.world.kinds[*k].elems.clone())),
            SetDef::Symbols(ids) => {
                let ids = ids.clone();
                Arc::new(SetVal::new(
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

    /// The ordered set an element belongs to (for prev/next/ord).
    pub(crate) fn home_set(&mut self, x: ElemId, span: Span) -> R<Arc<SetVal>> {
        let key = self.world.elems[x as usize].key.clone();
        match key {
            ElemKey::Entity(k, _) => {
                let s = self.schema.kinds[k].set;
                self.named_set(s)
            }
            ElemKey::Symbol(s, _) => self.named_set(s),
            ElemKey::Period(_) | ElemKey::Int(_) => {
                // The first named set of the element's type that holds it.
                let want = self.world.elem_ty(x);
                for s in 0..self.schema.sets.len() {
                    if self.schema.sets[s].elem == want {
                        let set = self.named_set(s)?;
                        if set.contains(x) {
                            return Ok(set);
                        }
                    }
                }
                Err(runtime_error(
                    Code::E0606,
                    span,
                    format!("`{}` is in no named set", self.world.name(x)),
                    "declare the set with `set`",
                ))
            }
            ElemKey::Str(_) => Err(runtime_error(
                Code::E0606,
                span,
                "strings are not ordered",
                "here",
            )),
        }
    }
}
