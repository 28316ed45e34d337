//! Checking `param p[...]: unit = forecast(history[...], statistic, options)`: the call's
//! shape (E0330–E0332, from [`crate::forecast::parse_call`]), that the history is a param
//! declared before, indexed by periods or integers last and given all its other indices
//! (E0330), that the target is indexed with periods or integers last (E0334), and that the
//! units agree (E0333). A `forecast(...)` anywhere else is E0334 (see [`misplaced`]).

use super::{Checker, ElemTy, Global, IndexDim, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::forecast::{parse_call, Stat};
use crate::span::Span;
use crate::syntax::ast;

/// E0334 for a `forecast(...)` outside the value of an indexed param.
pub(crate) fn misplaced(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::E0334,
        "`forecast(...)` is the whole value of an indexed param",
        )
    .primary(span, "a forecast cannot be used here")
    .help("declare it as a param and use the param: `param demand[r in regions, q in quarters]: core = forecast(usage[r], q95)`")
}

impl Checker {
    pub(super) fn check_forecast(&mut self, i: usize, e: &ast::Expr, dims: &[IndexDim], ty: &Ty) {
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
                Diagnostic::error(Code::E0334, format!("scalar param `{name}` cannot hold a forecast"))
                    .primary(e.span, "a forecast has one value per period")
                    .help("index the param by the periods to forecast: `param demand[r in regions, q in quarters]`"),
            );
            return;
        };
        if !matches!(last.elem, ElemTy::Period(_) | ElemTy::Int | ElemTy::Any) {
            self.error(
                Diagnostic::error(
                    Code::E0334,
                    format!("the last index of `{name}` is not a set of periods"),
                )
                .primary(e.span, "forecast here")
                .help("the last index is the forecast horizon: a set of quarters (`2027Q1..2027Q4`) or of integers (`49..60`)"),
            );
            return;
        }
        let h = match self.schema.globals.get(&call.history.name).copied() {
            Some(Global::Param(h)) if h < i => h,
            Some(Global::Param(_)) => {
                self.error(
                    Diagnostic::error(
                        Code::E0330,
                        format!("history `{}` is declared after `{name}`", call.history.name),
                    )
                    .primary(call.history.span, "declared later")
                    .help("declare the history param before the param forecast from it"),
                );
                return;
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        Code::E0330,
                        format!("`{}` is not a param", call.history.name),
                    )
                    .primary(call.history.span, "not a param")
                    .help("the history is a param indexed by periods last: `param usage[r in regions, q in history]: core from \"usage.csv\"`"),
                );
                return;
            }
        };
        let hist = self.schema.params[h].clone();
        self.add_ref(call.history.span, Some(hist.symbol));
        let Some(hlast) = hist.dims.last() else {
            self.error(
                Diagnostic::error(Code::E0330, format!("history `{}` has no index", hist.name))
                    .primary(call.history.span, "a scalar param")
                    .help("the history needs a last index of periods or integers"),
            );
            return;
        };
        if !matches!(hlast.elem, ElemTy::Period(_) | ElemTy::Int | ElemTy::Any) {
            self.error(
                Diagnostic::error(
                    Code::E0330,
                    format!(
                        "the last index of history `{}` is not a set of periods",
                        hist.name
                    ),
                )
                .primary(call.history.span, "not a time series")
                .secondary(hist.span, "declared here")
                .help(
                    "index the history by quarters (`2023Q1..2026Q4`) or integers (`1..48`) last",
                ),
            );
            return;
        }
        if hlast.elem != last.elem && hlast.elem != ElemTy::Any && last.elem != ElemTy::Any {
            self.error(
                Diagnostic::error(
                    Code::E0334,
                    format!(
                        "`{name}` is indexed by other periods than its history `{}`",
                        hist.name
                    ),
                )
                .primary(e.span, "forecast here")
                .help("index the history and the forecast by the same kind of periods"),
            );
            return;
        }
        if !self.check_history_keys(Code::E0330, &hist, &call.keys, call.history.span) {
            return;
        }
        if let Stat::Path(p) = &call.stat {
            self.expr(p);
        }
        match (ty, &hist.ty) {
            (Ty::Num { unit, .. }, Ty::Num { unit: hunit, .. }) if unit.same_dim(hunit) => {}
            (Ty::Err, _) | (_, Ty::Err) => {}
            _ => {
                let target = self.schema.params[i].unit_text.clone();
                self.error(
                    Diagnostic::error(
                        Code::E0333,
                        format!(
                            "`{name}` is `{}` but its history `{}` is `{}`",
                            if target.is_empty() {
                                "a number"
                            } else {
                                &target
                            },
                            hist.name,
                            if hist.unit_text.is_empty() {
                                "a number"
                            } else {
                                &hist.unit_text
                            }
                        ),
                    )
                    .primary(e.span, "the forecast has the history's unit")
                    .secondary(hist.decl.ty.span, "history's unit"),
                );
            }
        }
    }
}

impl Checker {
    /// The indices given to a history (`usage[r]` in `forecast(usage[r], …)` and
    /// `aggregate(usage[r], …)`): every index but its last (the periods), each checked like
    /// any index argument. False, after reporting `code`, when their number is wrong.
    pub(super) fn check_history_keys(
        &mut self,
        code: Code,
        hist: &super::types::ParamInfo,
        keys: &[ast::Expr],
        span: Span,
    ) -> bool {
        if keys.len() + 1 != hist.dims.len() {
            self.error(
                Diagnostic::error(
                    code,
                    format!(
                        "history `{}` takes {} indices before its periods, {} given",
                        hist.name,
                        hist.dims.len() - 1,
                        keys.len()
                    ),
                )
                .primary(span, "give every index but the last")
                .secondary(hist.span, "declared here"),
            );
            return false;
        }
        self.check_index_args(&hist.name, hist.span, &hist.dims[..keys.len()], keys, span);
        true
    }
}
