//! Affine forms of the flat chains of a compiled plan ([`CExpr::Chain`]): a run of `+` and
//! `-` is affine when each operand is, and its coefficients are again one flat chain each,
//! so that evaluating them needs no deep recursion. Part of [`super`].

use super::{form, Form};
use crate::plan::compile::{CExpr, Op2};
use crate::span::Span;

/// True when every link of a chain is `+` or `-`.
pub(super) fn is_sum(links: &[(Op2, CExpr, Span)]) -> bool {
    links.iter().all(|l| matches!(l.0, Op2::Add | Op2::Sub))
}

/// The affine form of `first (+|-) x (+|-) ...`, or `None` when an operand is not affine.
pub(super) fn sum_form(first: &CExpr, links: &[(Op2, CExpr, Span)], states: usize) -> Option<Form> {
    let head = form(first, states)?;
    let mut rest = Vec::with_capacity(links.len());
    for (op, x, span) in links {
        rest.push((*op, form(x, states)?, *span));
    }
    let coefficient = |pick: &dyn Fn(&Form) -> &CExpr| CExpr::Chain {
        first: Box::new(pick(&head).clone()),
        links: rest
            .iter()
            .map(|(op, f, span)| (*op, pick(f).clone(), *span))
            .collect(),
        right: false,
    };
    Some(Form {
        c0: coefficient(&|f| &f.c0),
        cs: (0..states).map(|i| coefficient(&|f| &f.cs[i])).collect(),
        cd: coefficient(&|f| &f.cd),
    })
}
