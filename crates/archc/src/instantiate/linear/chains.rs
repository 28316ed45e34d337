//! Lowering the flat chains of the syntax tree ([`ExprKind::Chain`], [`ExprKind::IfChain`])
//! with loops: a product chain to a scaled linear term, a chain of connectives to one
//! formula, and `if ... else if ...` to one selector literal per arm. Part of linear
//! lowering in [`super`]; the two-operand forms stay in `linear` and `logic`.

use super::logic::{simplify, F};
use super::{Lin, Lit};

use crate::diagnostics::Code;
use crate::hir::Expr;
use crate::instantiate::eval::{runtime_error, R};
use crate::instantiate::hir_eval::internal;
use crate::instantiate::Inst;
use crate::span::Span;
use crate::syntax::ast::BinOp;
use smallvec::SmallVec;

impl<'a> Inst<'a> {
    /// A chain of `*`, `/` and `%` with a decision in it, with a loop: the data operands
    /// make one factor; one decision operand (not a divisor) is scaled by it, two make a
    /// product ([`Self::product`]) as in the two-operand form.
    pub(super) fn lin_product(
        &mut self,
        first: &'a Expr,
        links: &'a [(BinOp, Expr)],
        k: f64,
        pol: i8,
        acc: &mut Lin,
        span: Span,
    ) -> R<()> {
        // The data before the first decision fold as written; after it, only `*` and `/` by
        // data keep the product linear.
        let mut c: Option<f64> = None;
        let mut vars: SmallVec<[&'a Expr; 2]> = SmallVec::new();
        let operands =
            std::iter::once((BinOp::Mul, first)).chain(links.iter().map(|l| (l.0, &l.1)));
        for (op, x) in operands {
            if x.var {
                if op != BinOp::Mul || vars.len() == 2 {
                    let (code, what) = if op == BinOp::Div {
                        (Code::E0602, "division by a decision is not linear")
                    } else {
                        (Code::E0601, "this product of decisions is not linear")
                    };
                    return Err(runtime_error(code, x.span, what, "not linear"));
                }
                vars.push(x);
                continue;
            }
            let y = self.h_num(x)?;
            c = Some(match c {
                _ if op == BinOp::Mod && !vars.is_empty() => {
                    return Err(runtime_error(
                        Code::E0601,
                        x.span,
                        "`%` of a decision is not linear",
                        "not linear",
                    ))
                }
                None if vars.is_empty() => y,
                c => {
                    let c = c.unwrap_or(1.0);
                    crate::instantiate::eval::arith(op, c, y, x.span, first.span.to(x.span))?
                }
            });
        }
        let c = c.unwrap_or(1.0);
        match vars.as_slice() {
            [v] => {
                let p = if c < 0.0 { -pol } else { pol };
                self.lin(v, k * c, p, acc)
            }
            [a, b] => {
                let w = self.product(a, b, span)?;
                acc.terms.push((w, k * c));
                Ok(())
            }
            _ => Err(runtime_error(
                Code::E0104,
                span,
                "internal error: a product without a decision in a linear context",
                "here",
            )),
        }
    }

    /// A chain of `and`, `or`, `->` or `<->` as one formula: `and` and `or` as one
    /// conjunction or disjunction, `p -> q -> r` as `not p or not q or r`, `<->` folded from
    /// the left as the two-operand form.
    pub(super) fn chain_formula(&mut self, first: &'a Expr, links: &'a [(BinOp, Expr)]) -> R<F> {
        let op = links.first().map_or(BinOp::And, |l| l.0);
        let operands = std::iter::once(first).chain(links.iter().map(|l| &l.1));
        Ok(match op {
            BinOp::And | BinOp::Or => {
                let mut parts = Vec::with_capacity(links.len() + 1);
                for x in operands {
                    parts.push(self.formula(x)?);
                }
                if op == BinOp::And {
                    F::And(parts)
                } else {
                    F::Or(parts)
                }
            }
            BinOp::Implies => {
                let n = links.len();
                let mut parts = Vec::with_capacity(n + 1);
                for (i, x) in operands.enumerate() {
                    let f = self.formula(x)?;
                    parts.push(if i < n { F::Not(Box::new(f)) } else { f });
                }
                F::Or(parts)
            }
            BinOp::Iff if links.len() == 1 => {
                // Two operands, as written: the left side's span names its indicator.
                let fa = self.formula(first)?;
                let fb = self.formula(&links[0].1)?;
                self.iff(fa, first.span, fb)?
            }
            BinOp::Iff => {
                let mut acc = self.formula(first)?;
                for (_, x) in links {
                    let fb = self.formula(x)?;
                    acc = self.iff(acc, first.span.to(x.span), fb)?;
                }
                acc
            }
            _ => {
                return Err(internal(
                    first.span.to(links.last().map_or(first.span, |l| l.1.span)),
                    "a number where a condition is required",
                ))
            }
        })
    }

    /// The arms of `if ... else if ... else` as (selector, value) pairs: the value counts
    /// where its selector holds (`None`: always, as no earlier condition can hold). A
    /// decision-dependent condition gets a literal, and so does "no condition so far",
    /// one pair per arm, so the lowering stays linear in the number of arms.
    pub(super) fn if_selectors(
        &mut self,
        arms: &'a [(Expr, Expr)],
        otherwise: &'a Expr,
    ) -> R<Vec<(Option<Lit>, &'a Expr)>> {
        let mut out = Vec::new();
        // None: every condition so far is false for certain.
        let mut none_yet: Option<Lit> = None;
        for (cond, value) in arms {
            let f = simplify(self.formula(cond)?);
            let z = match f {
                F::Const(false) => continue,
                F::Const(true) => {
                    out.push((none_yet, value));
                    return Ok(out);
                }
                f => self.reify_full(f, cond.span)?,
            };
            // The arm as written: from its condition to its value.
            let arm_span = cond.span.to(value.span);
            let (take, rest) = match none_yet {
                None => (z, z.not()),
                Some(r) => (
                    self.reify_full(F::And(vec![F::Lit(r), F::Lit(z)]), arm_span)?,
                    self.reify_full(F::And(vec![F::Lit(r), F::Lit(z.not())]), arm_span)?,
                ),
            };
            out.push((Some(take), value));
            none_yet = Some(rest);
        }
        out.push((none_yet, otherwise));
        Ok(out)
    }
}
