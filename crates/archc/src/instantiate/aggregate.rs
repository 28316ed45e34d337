//! Filling a param declared `= aggregate(history[...], statistic, incomplete = ...)`: for
//! each index tuple, the coarse period (a quarter) is split into the finer periods it holds
//! ([`Period::parts`]: three months; a week by its Thursday), their values are read from the
//! history's table, and the statistic of them is written into the param's table. A coarse
//! period that lacks some finer periods in the history's set or data is E0546, unless the
//! call says `incomplete = partial` (then it needs at least one). The history's unit is the
//! param's, so values go through in base units unchanged.

use super::eval::R;
use super::forecast::SeriesCell;
use super::world::{ElemId, ElemKey, ParamTable, Value};
use super::Inst;
use crate::check::ElemTy;
use crate::diagnostics::{Code, Diagnostic};
use crate::forecast::aggregate::{parse_call, Incomplete};
use crate::period::Period;
use crate::syntax::ast;

impl<'a> Inst<'a> {
    /// Fill `table` for param `p`, whose value `e` is an `aggregate(...)` call.
    pub(crate) fn aggregate_param(
        &mut self,
        p: usize,
        e: &ast::Expr,
        table: &mut ParamTable,
    ) -> R<()> {
        let schema = self.schema;
        let info = &schema.params[p];
        // The checker reported malformed calls.
        let Some(Ok(call)) = parse_call(e) else {
            return Ok(());
        };
        let Some(read) = self.history_read(p)? else {
            return Ok(());
        };
        let h = read.h;
        let hinfo = &schema.params[h];
        let Some(hdim) = hinfo.dims.last() else {
            return Ok(());
        };
        let ElemTy::Period(fine) = hdim.elem else {
            return Ok(());
        };
        let (own, Some(hset)) = self.series_hir(p, h)? else {
            return Ok(());
        };
        let crate::hir::ParamValue::Aggregate { keys, .. } = &own.body.value else {
            return Err(super::hir_eval::internal(
                info.span,
                "an aggregate without its HIR",
            ));
        };
        let mut out: Vec<(Box<[ElemId]>, f64)> = Vec::new();
        // One E0546 per series: its first incomplete coarse period, and the others as a note.
        let mut errors: Vec<(String, Vec<Period>, Diagnostic)> = Vec::new();
        self.in_frame(own.slots.len(), |me| {
        me.for_each_series_cell(&own.body.index, keys, &mut |me, cell| {
            let SeriesCell { key, at, mut hkey } = cell;
            let ElemKey::Period(coarse) = me.world.elems[at as usize].key else {
                return Ok(());
            };
            let parts = coarse.parts(fine);
            let Some(htable) = me.world.params[h].as_ref() else {
                return Ok(());
            };
            let mut values = Vec::with_capacity(parts.len());
            let mut missing: Vec<Period> = Vec::new();
            let mut last_seen = None;
            hkey.push(0);
            for &part in &parts {
                let elem = me.world.interned.get(&ElemKey::Period(part)).copied();
                let value = elem.filter(|&x| hset.contains(x)).and_then(|x| {
                    if let Some(slot) = hkey.last_mut() {
                        *slot = x;
                    }
                    htable.get(&hkey)
                });
                match value {
                    Some(Value::Num(v)) => {
                        values.push(v);
                        last_seen = Some(hkey.clone());
                    }
                    _ => missing.push(part),
                }
            }
            hkey.pop();
            let complete = missing.is_empty()
                || (call.incomplete == Incomplete::Partial && !values.is_empty());
            let value = call.stat.apply(&values).filter(|_| complete);
            let Some(v) = value else {
                let series = me.series_name(&hinfo.name, &hkey);
                if let Some(seen) = errors.iter_mut().find(|e| e.0 == series) {
                    seen.1.push(coarse);
                    return Ok(());
                }
                let shown: Vec<String> = missing.iter().take(6).map(Period::to_string).collect();
                let more = if missing.len() > 6 {
                    format!(" and {} more", missing.len() - 6)
                } else {
                    String::new()
                };
                let near = last_seen
                    .and_then(|k| me.world.history_cells.get(&h)?.get(k.as_slice()).copied());
                let mut d = Diagnostic::error(
                    Code::E0546,
                    format!(
                        "{coarse} of `{}` is incomplete: history `{series}` has no value for {}{more}",
                        info.name,
                        shown.join(", ")
                    ),
                )
                .primary(call.span, format!("{} of {} {}s", values.len(), parts.len(), fine.name()));
                d = match near {
                    Some(cell) => d.secondary(cell, format!("the last {} of {coarse} in the data", fine.name())),
                    None => d.secondary(read.from, "history loaded here"),
                };
                errors.push((series, Vec::new(), d.help(if call.incomplete == Incomplete::Partial {
                    "a coarse period needs at least one value; load it, or shorten the coarse periods"
                } else {
                    "load the missing periods, shorten the coarse periods to complete ones, or write `incomplete = partial`"
                })));
                return Ok(());
            };
            out.push((key.into_boxed_slice(), read.stored(v)));
            Ok(())
        })
        })?;
        if !errors.is_empty() {
            for (_, others, d) in errors {
                let d = if others.is_empty() {
                    d
                } else {
                    let shown: Vec<String> = others.iter().take(6).map(Period::to_string).collect();
                    let more = if others.len() > 6 {
                        format!(" and {} more", others.len() - 6)
                    } else {
                        String::new()
                    };
                    d.note(format!(
                        "the same series leaves {} other {}s incomplete: {}{more}",
                        others.len(),
                        coarse_kind_name(&others),
                        shown.join(", ")
                    ))
                };
                self.diags.push(d);
            }
            return Ok(());
        }
        if info.decl.lower.is_some() {
            if let Some((_, v)) = out.iter().find(|(_, v)| *v < 0.0) {
                self.reject_negative(&Value::Num(*v), call.span, &info.name, info.span);
                return Ok(());
            }
        }
        for (k, v) in out {
            table.values.insert(k, Value::Num(v));
        }
        Ok(())
    }

    /// `usage[us-east]`: a history's name with the indices of one series.
    pub(super) fn series_name(&self, history: &str, key: &[ElemId]) -> String {
        if key.is_empty() {
            history.to_string()
        } else {
            let names: Vec<&str> = key.iter().map(|&x| self.world.name(x)).collect();
            format!("{history}[{}]", names.join(", "))
        }
    }
}

/// `quarter`, `month`, ... for a list of periods of one kind.
fn coarse_kind_name(periods: &[Period]) -> &'static str {
    periods.first().map(|p| p.kind.name()).unwrap_or("period")
}
