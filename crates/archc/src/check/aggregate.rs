//! Checking `param p[...]: unit = aggregate(history[...], statistic, incomplete = ...)`: the
//! call's shape (E0355, from [`crate::forecast::aggregate::parse_call`]), that the history is
//! a param declared before, indexed by periods last and given all its other indices (E0355),
//! that the target's last index runs over coarser periods each history period belongs to
//! (E0354), and that the units agree (E0356). An `aggregate(...)` anywhere else is E0355 (see
//! [`misplaced`]).

use super::{Checker, ElemTy, Global, IndexDim, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::forecast::aggregate::parse_call;
use crate::span::Span;
use crate::syntax::ast;

/// E0355 for an `aggregate(...)` outside the value of an indexed param.
pub(crate) fn misplaced(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::E0355,
        "`aggregate(...)` is the whole value of an indexed param",
    )
    .primary(span, "an aggregate cannot be used here")
    .help("declare it as a param and use the param: `param peak[r in regions, q in quarters]: core = aggregate(usage[r], max)`")
}

fn some(s: &str) -> &str {
    if s.is_empty() {
        "a number"
    } else {
        s
    }
}

impl Checker {
    pub(super) fn check_aggregate(&mut self, i: usize, e: &ast::Expr, dims: &[IndexDim], ty: &Ty) {
        let Some(call) = parse_call(e) else { return };
        let call = match call {
            Ok(c) => c,
            Err(ce) => {
                self.error(
                    Diagnostic::error(ce.code, ce.message)
                        .primary(ce.span, ce.label)
                        .help(ce.help),
                );
                return;
            }
        };
        let name = self.schema.params[i].name.clone();
        let Some(last) = dims.last() else {
            self.error(
                Diagnostic::error(Code::E0355, format!("scalar param `{name}` cannot hold an aggregate"))
                    .primary(e.span, "an aggregate has one value per period")
                    .help("index the param by the coarser periods: `param peak[r in regions, q in quarters]`"),
            );
            return;
        };
        let h = match self.schema.globals.get(&call.history.name).copied() {
            Some(Global::Param(h)) if h < i => h,
            Some(Global::Param(_)) => {
                self.error(
                    Diagnostic::error(
                        Code::E0355,
                        format!("history `{}` is declared after `{name}`", call.history.name),
                    )
                    .primary(call.history.span, "declared later")
                    .help("declare the history param before the param aggregated from it"),
                );
                return;
            }
            _ => {
                self.error(
                    Diagnostic::error(Code::E0355, format!("`{}` is not a param", call.history.name))
                        .primary(call.history.span, "not a param")
                        .help("the history is a param indexed by periods last: `param usage[r in regions, m in months]: core from \"usage.csv\"`"),
                );
                return;
            }
        };
        let hist = self.schema.params[h].clone();
        self.add_ref(call.history.span, Some(hist.symbol));
        let Some(hlast) = hist.dims.last() else {
            self.error(
                Diagnostic::error(Code::E0355, format!("history `{}` has no index", hist.name))
                    .primary(call.history.span, "a scalar param")
                    .help("the history needs a last index of periods (months, weeks, days)"),
            );
            return;
        };
        match (hlast.elem, last.elem) {
            (ElemTy::Any, _) | (_, ElemTy::Any) => {}
            (ElemTy::Period(fine), ElemTy::Period(coarse)) => {
                if !fine.aggregates_to(coarse) {
                    let why = if fine == coarse {
                        format!("both are indexed by {}s", fine.name())
                    } else if coarse > fine {
                        format!("a {} is shorter than a {}", coarse.name(), fine.name())
                    } else {
                        format!("a {} can straddle two {}s", fine.name(), coarse.name())
                    };
                    self.error(
                        Diagnostic::error(
                            Code::E0354,
                            format!(
                                "cannot aggregate the {}s of `{}` into the {}s of `{name}`",
                                fine.name(),
                                hist.name,
                                coarse.name()
                            ),
                        )
                        .primary(e.span, why)
                        .secondary(hist.span, format!("history by {}", fine.name()))
                        .help("aggregate into coarser periods: days into weeks, months or quarters; weeks into months or quarters; months into quarters"),
                    );
                    return;
                }
            }
            (ElemTy::Period(_), _) => {
                self.error(
                    Diagnostic::error(
                        Code::E0355,
                        format!("the last index of `{name}` is not a set of periods"),
                    )
                    .primary(e.span, "aggregate here")
                    .help("the last index holds the coarser periods: `q in quarters` with `set quarters = 2024Q1..2026Q4`"),
                );
                return;
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        Code::E0355,
                        format!(
                            "the last index of history `{}` is not a set of calendar periods",
                            hist.name
                        ),
                    )
                    .primary(call.history.span, "not a calendar time series")
                    .secondary(hist.span, "declared here")
                    .help("index the history by months (`2024M01..2026M12`), weeks or days last: integers have no calendar to aggregate by"),
                );
                return;
            }
        }
        if !self.check_history_keys(Code::E0355, &hist, &call.keys, call.history.span) {
            return;
        }
        match (ty, &hist.ty) {
            (Ty::Num { unit, .. }, Ty::Num { unit: hunit, .. }) if unit.same_dim(hunit) => {}
            (Ty::Err, _) | (_, Ty::Err) => {}
            _ => {
                let target = self.schema.params[i].unit_text.clone();
                self.error(
                    Diagnostic::error(
                        Code::E0356,
                        format!(
                            "`{name}` is `{}` but its history `{}` is `{}`",
                            some(&target),
                            hist.name,
                            some(&hist.unit_text)
                        ),
                    )
                    .primary(e.span, "the aggregate has the history's unit")
                    .secondary(hist.decl.ty.span, "history's unit")
                    .help("declare the param in the history's unit"),
                );
            }
        }
    }
}
