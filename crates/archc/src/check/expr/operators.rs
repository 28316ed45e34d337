//! Typing operators: arithmetic with unit algebra, logic connectives, and chained
//! comparisons (including `in`/`not in`). Part of expression inference in [`super`].

use super::{elem_compatible, T};
use crate::check::{errors, Checker, ElemTy, Ty};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{BinOp, ChainLink, CmpOp, Expr, ExprKind};

/// An operand of a binary operator: an expression as written, or, inside a
/// [`ExprKind::Chain`], the run of operands combined so far, known by its span (the span the
/// same run would have as a nested expression).
#[derive(Clone, Copy)]
pub(super) enum Side<'a> {
    Expr(&'a Expr),
    Run(Span),
}

impl<'a> Side<'a> {
    pub(super) fn span(self) -> Span {
        match self {
            Side::Expr(e) => e.span,
            Side::Run(s) => s,
        }
    }

    pub(super) fn expr(self) -> Option<&'a Expr> {
        match self {
            Side::Expr(e) => Some(e),
            Side::Run(_) => None,
        }
    }
}

impl Checker {
    pub(super) fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, span: Span) -> T {
        let ta = self.expr(a);
        let tb = self.expr(b);
        self.binary_of(op, Side::Expr(a), ta, Side::Expr(b), tb, span)
    }

    /// A chain of operators of one level, typed with a loop: from the left for most
    /// operators, from the right for `^` and `->`, as the nested form would be.
    pub(super) fn chain(&mut self, first: &Expr, links: &[ChainLink]) -> T {
        let right = links.first().is_some_and(|(op, _, _)| op.right_assoc());
        if !right {
            let mut acc = self.expr(first);
            let mut side = Side::Expr(first);
            for (op, _, rhs) in links {
                let tb = self.expr(rhs);
                let span = first.span.to(rhs.span);
                acc = self.binary_of(*op, side, acc, Side::Expr(rhs), tb, span);
                side = Side::Run(span);
            }
            return acc;
        }
        let mut operands: Vec<(&Expr, T)> = Vec::with_capacity(links.len() + 1);
        let t = self.expr(first);
        operands.push((first, t));
        for (_, _, rhs) in links {
            let t = self.expr(rhs);
            operands.push((rhs, t));
        }
        let Some(&(last, mut acc)) = operands.last() else {
            return T::err();
        };
        let mut side = Side::Expr(last);
        for (i, (op, _, _)) in links.iter().enumerate().rev() {
            let (lhs, ta) = operands[i];
            let span = lhs.span.to(last.span);
            acc = self.binary_of(*op, Side::Expr(lhs), ta, side, acc, span);
            side = Side::Run(span);
        }
        acc
    }

    pub(super) fn binary_of(&mut self, op: BinOp, a: Side, ta: T, b: Side, tb: T, span: Span) -> T {
        let var = ta.var || tb.var;
        match op {
            BinOp::Implies if self.is_link_ref(&ta, &tb) => self.link_ref(a, &ta, b, &tb, span),
            BinOp::And | BinOp::Or | BinOp::Implies | BinOp::Iff => {
                self.want_bool_at(a.span(), &ta);
                self.want_bool_at(b.span(), &tb);
                T::var(Ty::Bool, var)
            }
            BinOp::Add | BinOp::Sub => {
                let (Some((ua, ia)), Some((ub, ib))) = (ta.ty.as_num(), tb.ty.as_num()) else {
                    if ta.ty.as_num().is_none() {
                        return self.not_number_at(a.span(), &ta);
                    }
                    return self.not_number_at(b.span(), &tb);
                };
                if !ua.same_dim(&ub) && !ta.zero && !tb.zero {
                    let (x, y) = (self.unit_text(&ua), self.unit_text(&ub));
                    self.error(errors::cannot_add(op.symbol(), a.span(), &x, b.span(), &y));
                    return T::var(Ty::Err, var);
                }
                let unit = if ta.zero { ub } else { ua };
                T::var(
                    Ty::Num {
                        unit,
                        int: ia && ib,
                    },
                    var,
                )
            }
            BinOp::Mul | BinOp::Div | BinOp::Mod => {
                let (Some((ua, ia)), Some((ub, ib))) = (ta.ty.as_num(), tb.ty.as_num()) else {
                    if ta.ty.as_num().is_none() {
                        return self.not_number_at(a.span(), &ta);
                    }
                    return self.not_number_at(b.span(), &tb);
                };
                match op {
                    BinOp::Mul => {
                        if ta.var && tb.var && ta.ty != Ty::Bool && tb.ty != Ty::Bool {
                            self.error(errors::product_of_decisions(span, a.span(), b.span()));
                        }
                        T::var(
                            Ty::Num {
                                unit: ua.mul(ub),
                                int: ia && ib,
                            },
                            var,
                        )
                    }
                    BinOp::Div => {
                        if tb.var {
                            self.error(
                                Diagnostic::error(
                                    Code::E0602,
                                    "division by a decision is not linear",
                                )
                                .primary(b.span(), "depends on a decision")
                                .help("multiply the other side of the comparison instead"),
                            );
                        }
                        T::var(Ty::num(ua.div(ub)), var)
                    }
                    _ => {
                        if var {
                            self.error(errors::needs_data(span, "`%`"));
                        }
                        if !ua.same_dim(&ub) && !tb.zero {
                            let (x, y) = (self.unit_text(&ua), self.unit_text(&ub));
                            self.error(errors::cannot_add("%", a.span(), &x, b.span(), &y));
                        }
                        T::var(
                            Ty::Num {
                                unit: ua,
                                int: ia && ib,
                            },
                            var,
                        )
                    }
                }
            }
            BinOp::Pow => {
                let Some((ua, _)) = ta.ty.as_num() else {
                    return self.not_number_at(a.span(), &ta);
                };
                if tb.var
                    || ta.var
                        && !matches!(b.expr().map(|e| &e.kind), Some(ExprKind::Number(n)) if *n == 1.0)
                {
                    self.error(
                        Diagnostic::error(Code::E0601, "a power of a decision is not linear")
                            .primary(span, "not linear"),
                    );
                }
                if ua.is_dimensionless() {
                    return T::var(Ty::num(ua), var);
                }
                match b.expr().map(|e| &e.kind) {
                    Some(ExprKind::Number(n)) if n.fract() == 0.0 && n.abs() <= 8.0 => {
                        T::var(Ty::num(ua.powi(*n as i8)), var)
                    }
                    _ => {
                        self.error(
                            Diagnostic::error(
                                Code::E0407,
                                "the exponent of a quantity must be a plain integer",
                            )
                            .primary(b.span(), "not a constant integer"),
                        );
                        T::err()
                    }
                }
            }
        }
    }

    pub(super) fn compare(&mut self, first: &Expr, links: &[(CmpOp, Span, Expr)]) -> T {
        let mut left = self.expr(first);
        let mut left_span = first.span;
        let mut var = left.var;
        for (op, op_span, rhs) in links {
            let right = self.expr(rhs);
            var |= right.var;
            match op {
                CmpOp::In | CmpOp::NotIn => {
                    if left.var || right.var {
                        self.error(errors::needs_data(rhs.span, "a membership test `in`"));
                    }
                    match right.ty {
                        Ty::Set(el) => {
                            let ok = match left.ty {
                                Ty::Elem(x) => elem_compatible(x, el),
                                Ty::Str => matches!(el, ElemTy::Str | ElemTy::Any),
                                Ty::Num { .. } => matches!(el, ElemTy::Int | ElemTy::Any),
                                Ty::Err => true,
                                _ => false,
                            };
                            if !ok {
                                let (x, y) = (
                                    self.schema.ty_name(&left.ty),
                                    self.schema.ty_name(&right.ty),
                                );
                                self.error(errors::type_mismatch(
                                    left_span,
                                    &format!("an element of the {y}"),
                                    &x,
                                ));
                            }
                        }
                        Ty::Err => {}
                        other => {
                            let found = self.schema.ty_name(&other);
                            self.error(
                                Diagnostic::error(
                                    Code::E0307,
                                    format!("`in` needs a set, found {found}"),
                                )
                                .primary(rhs.span, format!("this is {found}")),
                            );
                        }
                    }
                }
                _ => match (left.ty.as_num(), right.ty.as_num()) {
                    (Some((ua, _)), Some((ub, _))) => {
                        // The rows are in the left side's unit (the right side's when the
                        // left is a literal zero): `instantiate::linear::compare_unit`.
                        if !ua.same_dim(&ub) && !left.zero && !right.zero {
                            let (x, y) = (self.unit_text(&ua), self.unit_text(&ub));
                            self.error(errors::cannot_compare(left_span, &x, rhs.span, &y));
                        }
                    }
                    _ => {
                        let ok = match (left.ty, right.ty) {
                            (Ty::Err, _) | (_, Ty::Err) => true,
                            (Ty::Elem(x), Ty::Elem(y)) => elem_compatible(x, y),
                            (Ty::Str, Ty::Str) => true,
                            (Ty::Bool, Ty::Bool) => true,
                            _ => false,
                        };
                        if !ok {
                            let (x, y) = (
                                self.schema.ty_name(&left.ty),
                                self.schema.ty_name(&right.ty),
                            );
                            self.error(
                                Diagnostic::error(
                                    Code::E0301,
                                    format!("cannot compare {x} with {y}"),
                                )
                                .primary(left_span, format!("this is {x}"))
                                .secondary(rhs.span, format!("this is {y}")),
                            );
                        } else if !matches!(op, CmpOp::Eq | CmpOp::Ne)
                            && !matches!(
                                left.ty,
                                Ty::Elem(ElemTy::Period(_) | ElemTy::Int) | Ty::Err
                            )
                            && right.ty != Ty::Err
                        {
                            let x = self.schema.ty_name(&left.ty);
                            self.error(
                                Diagnostic::error(
                                    Code::E0301,
                                    format!("{x} values are not ordered"),
                                )
                                .primary(*op_span, "use `==` or `!=`"),
                            );
                        }
                        if (left.var || right.var) && matches!(left.ty, Ty::Elem(_) | Ty::Str) {
                            self.error(errors::needs_data(rhs.span, "a comparison of elements"));
                        }
                    }
                },
            }
            left = right;
            left_span = rhs.span;
        }
        T::var(Ty::Bool, var)
    }
}
