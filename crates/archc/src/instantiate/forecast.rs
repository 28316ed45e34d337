//! Filling a param declared `= forecast(history[...], statistic, ...)`: per history series,
//! the series is read from the history param's table, checked (missing periods E0541,
//! negative values of a `>= 0` param E0542, a horizon that does not continue it E0543),
//! forecast (too short E0540, failed fit E0544), and the statistic asked for (mean,
//! quantile, sample path) is written into the param's table like any other value. Each series
//! forecast is kept in [`World::forecasts`] for `archc forecast`.

use super::eval::R;
use super::world::{ElemId, ElemKey, ParamTable, SetVal, Value};
use super::Inst;
use crate::check::Ty;
use crate::diagnostics::{Code, Diagnostic};
use crate::forecast::{parse_call, Forecast, ForecastError, SeriesForecast, Spec, Stat};
use crate::hir::{self, ParamValue};
use crate::span::Span;
use crate::syntax::ast;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// One history series' forecast and the sample paths drawn from it so far.
struct Done {
    forecast: Forecast,
    paths: Vec<Vec<f64>>,
}

/// The history a `forecast(...)` or `aggregate(...)` param reads, and how the param stores
/// its numbers.
pub(super) struct HistoryRead {
    /// The history param.
    pub h: usize,
    /// The filled param is an `int`: values are rounded up (in its unit).
    pub is_int: bool,
    /// The filled param's unit in base units (1 without one).
    pub scale: f64,
    /// Where the history is loaded (its `from` clause, or its declaration).
    pub from: Span,
}

/// One index tuple of a param filled from a history.
pub(super) struct SeriesCell {
    /// The elements of the bound variables.
    pub key: Vec<ElemId>,
    /// The last of them: the param's period.
    pub at: ElemId,
    /// The key of the history series the tuple reads (without its period).
    pub hkey: Vec<ElemId>,
}

impl HistoryRead {
    /// `v` as the param stores it: rounded up to a whole number of its unit for an `int`.
    pub fn stored(&self, v: f64) -> f64 {
        if self.is_int {
            (v / self.scale).ceil() * self.scale
        } else {
            v
        }
    }
}

impl<'a> Inst<'a> {
    /// The period number of `e` (consecutive periods of one kind have consecutive numbers),
    /// or the integer, when it is one.
    pub(super) fn period_number(&self, e: ElemId) -> Option<i64> {
        match self.world.elems[e as usize].key {
            ElemKey::Period(c) => Some(i64::from(c.index)),
            ElemKey::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The history param that the `forecast(...)` or `aggregate(...)` param `p` reads, as
    /// the HIR resolved it, loaded. `None` when the history's data file had errors
    /// (reported; its gaps would only repeat them).
    fn history_param(&mut self, p: usize) -> R<Option<usize>> {
        let value = self
            .hir
            .and_then(|m| m.params.get(p))
            .map(|d| &d.body.value);
        let h = match value {
            Some(ParamValue::Forecast { history, .. } | ParamValue::Aggregate { history, .. }) => {
                history.index()
            }
            _ => {
                let span = self.schema.params[p].span;
                return Err(crate::instantiate::eval::runtime_error(
                    Code::E0750,
                    span,
                    "internal error: the history of this param was not resolved",
                    "here",
                ));
            }
        };
        self.ensure_param(h)?;
        Ok((!self.world.failed_histories.contains(&h)).then_some(h))
    }

    /// What a `forecast(...)` or `aggregate(...)` param `p` reads from its history: see
    /// [`HistoryRead`]. `None` as for [`Inst::history_param`].
    pub(super) fn history_read(&mut self, p: usize) -> R<Option<HistoryRead>> {
        let Some(h) = self.history_param(p)? else {
            return Ok(None);
        };
        let schema = self.schema;
        let (info, hinfo) = (&schema.params[p], &schema.params[h]);
        let (is_int, scale) = match info.ty {
            Ty::Num { int, unit } => (int, if unit.scale != 0.0 { unit.scale } else { 1.0 }),
            _ => (false, 1.0),
        };
        let from = match &hinfo.decl.value {
            Some(ast::ParamValue::From(s)) => s.span,
            _ => hinfo.span,
        };
        Ok(Some(HistoryRead {
            h,
            is_int,
            scale,
            from,
        }))
    }

    /// Walk the index tuples of a param filled from a history: `f` gets each tuple as a
    /// [`SeriesCell`] (`keys` are the call's index expressions of the history), with the
    /// index slots bound in the frame.
    pub(super) fn for_each_series_cell(
        &mut self,
        ix: &'a hir::Index,
        keys: &'a [hir::Expr],
        f: &mut dyn FnMut(&mut Self, SeriesCell) -> R<()>,
    ) -> R<()> {
        self.h_for_each(ix, &mut |me| {
            let key: Vec<ElemId> = ix.binders.iter().map(|b| me.slot_elem(b.slot)).collect();
            let Some(&at) = key.last() else {
                return Ok(());
            };
            let mut hkey = Vec::with_capacity(keys.len() + 1);
            for k in keys {
                hkey.push(me.h_elem(k)?);
            }
            f(me, SeriesCell { key, at, hkey })
        })
    }

    /// The HIR of param `p` and of its history `h`, and the last set of the history's index
    /// (its periods), evaluated.
    pub(super) fn series_hir(
        &mut self,
        p: usize,
        h: usize,
    ) -> R<(&'a hir::Decl<hir::Param>, Option<Arc<SetVal>>)> {
        let (Some(own), Some(hist)) = (
            self.hir.and_then(|m| m.params.get(p)),
            self.hir.and_then(|m| m.params.get(h)),
        ) else {
            return Err(super::hir_eval::internal(
                self.schema.params[p].span,
                "a param filled from a history without its HIR",
            ));
        };
        let hset = match hist.body.index.binders.last() {
            Some(b) => Some(self.in_frame(hist.slots.len(), |me| me.h_set(&b.set))?),
            None => None,
        };
        Ok((own, hset))
    }

    /// Fill `table` for param `p`, whose value `e` is a `forecast(...)` call.
    pub(crate) fn forecast_param(
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
        let (own, Some(hset)) = self.series_hir(p, h)? else {
            return Ok(());
        };
        let ParamValue::Forecast { keys, path, .. } = &own.body.value else {
            return Err(super::hir_eval::internal(
                info.span,
                "a forecast without its HIR",
            ));
        };
        let ix = &own.body.index;
        let non_negative = info.decl.lower.is_some();
        let season = call.season.unwrap_or(
            match hset
                .elems
                .first()
                .map(|&x| &self.world.elems[x as usize].key)
            {
                Some(ElemKey::Period(p)) => p.kind.season(),
                _ => 1,
            },
        );
        let Some(last) = ix.binders.last() else {
            return Ok(());
        };
        let mut done: FxHashMap<Box<[ElemId]>, Option<Done>> = FxHashMap::default();
        let mut out: Vec<(Box<[ElemId]>, f64)> = Vec::new();
        let mut errors: Vec<Diagnostic> = Vec::new();
        self.in_frame(own.slots.len(), |me| {
        me.for_each_series_cell(ix, keys, &mut |me, SeriesCell { key, at, hkey }| {
            let horizon = me.h_set(&last.set)?;
            let Some(step) = horizon.pos.get(&at).map(|&i| i as usize) else {
                return Ok(());
            };
            let hk: Box<[ElemId]> = hkey.clone().into_boxed_slice();
            if !done.contains_key(&hk) {
                let d = me.forecast_series(
                    &call,
                    p,
                    &read,
                    &hkey,
                    &hset.elems,
                    &horizon.elems,
                    season,
                    non_negative,
                    &mut errors,
                );
                done.insert(hk.clone(), d);
            }
            let Some(Some(d)) = done.get_mut(&hk) else {
                return Ok(());
            };
            let v = match &call.stat {
                Stat::Mean => d.forecast.point[step],
                Stat::Quantile(q) => d.forecast.quantile(*q)[step],
                Stat::Path(written) => {
                    let Some(pe) = path else {
                        return Err(super::hir_eval::internal(written.span, "a path without its HIR"));
                    };
                    let n = match me.h_eval(pe)? {
                        Value::Elem(x) => me.period_number(x),
                        Value::Num(x) if x.fract() == 0.0 => Some(x as i64),
                        _ => None,
                    };
                    let Some(n) = n.filter(|&n| (1..=1_000_000).contains(&n)) else {
                        return Err(Diagnostic::error(
                            Code::E0331,
                            "a sample path is numbered 1, 2, ...",
                            )
                        .primary(pe.span, "not a path number")
                        .help("index the paths by an integer set: `set paths = 1..100`, `path(s)` with `s in paths`"));
                    };
                    let n = n as usize;
                    if d.paths.len() < n {
                        d.paths = d.forecast.sample_paths(n, call.seed);
                    }
                    d.paths[n - 1][step]
                }
            };
            let v = if non_negative { v.max(0.0) } else { v };
            out.push((key.into_boxed_slice(), read.stored(v)));
            Ok(())
        })
        })?;
        if !errors.is_empty() {
            // Every series' problem, in order; the param stays empty.
            self.diags.extend(errors);
            return Ok(());
        }
        for (k, v) in out {
            table.values.insert(k, Value::Num(v));
        }
        Ok(())
    }

    /// Read, check and forecast one history series; `None` after an error (pushed to
    /// `errors`).
    #[allow(clippy::too_many_arguments)]
    fn forecast_series(
        &mut self,
        call: &crate::forecast::Call,
        p: usize,
        read: &HistoryRead,
        hkey: &[ElemId],
        periods: &[ElemId],
        horizon: &[ElemId],
        season: usize,
        non_negative: bool,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Done> {
        let schema = self.schema;
        let info = &schema.params[p];
        let (h, scale, from) = (read.h, read.scale, read.from);
        let series = self.series_name(&schema.params[h].name, hkey);
        let table = self.world.params[h].as_ref()?;
        let cells = self.world.history_cells.get(&h);
        let cell_of = |key: &[ElemId]| cells.and_then(|c| c.get(key).copied());
        let mut values = Vec::with_capacity(periods.len());
        let mut missing = Vec::new();
        // The value cell in the data file of each period read, and where the first gap is:
        // next to the cell of the period before it (or after it, for a gap at the start).
        let mut value_cells = Vec::with_capacity(periods.len());
        let mut gap_at: Option<(Span, String)> = None;
        let mut gap_first = false;
        let mut key: Vec<ElemId> = hkey.to_vec();
        key.push(0);
        for &t in periods {
            if let Some(last) = key.last_mut() {
                *last = t;
            }
            match table.get(&key) {
                Some(Value::Num(x)) => {
                    values.push(x);
                    value_cells.push(cell_of(&key));
                    if gap_first && gap_at.is_none() {
                        if let Some(c) = cell_of(&key) {
                            gap_at =
                                Some((c, format!("no row for {} before this one", missing[0])));
                        }
                    }
                    gap_first = false;
                }
                _ => {
                    if missing.is_empty() {
                        match value_cells.last().copied().flatten() {
                            Some(c) => {
                                gap_at = Some((
                                    c,
                                    format!("no row for {} after this one", self.world.name(t)),
                                ))
                            }
                            None => gap_first = true,
                        }
                    }
                    missing.push(self.world.name(t).to_string())
                }
            }
        }
        // Gaps in the history's own period set are missing periods too.
        for w in periods.windows(2) {
            if let (Some(a), Some(b)) = (self.period_number(w[0]), self.period_number(w[1])) {
                if b != a + 1 {
                    missing.push(format!(
                        "between {} and {}",
                        self.world.name(w[0]),
                        self.world.name(w[1])
                    ));
                }
            }
        }
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(8).map(String::as_str).collect();
            let more = if missing.len() > 8 {
                format!(" and {} more", missing.len() - 8)
            } else {
                String::new()
            };
            let d = Diagnostic::error(
                Code::E0541,
                format!(
                    "history `{series}` has no value for {}{more}",
                    shown.join(", ")
                ),
            );
            let d = match gap_at {
                Some((cell, label)) => d.primary(cell, label).secondary(call.span, "forecast here"),
                None => d
                    .primary(call.span, "forecast here")
                    .secondary(from, "history loaded here"),
            };
            errors.push(
                d.help("add the missing rows, or shorten the history's periods to those with data"),
            );
            return None;
        }
        if non_negative {
            if let Some(i) = values.iter().position(|v| *v < 0.0) {
                let d = Diagnostic::error(
                    Code::E0542,
                    format!(
                        "history `{series}` is negative in {} ({}) but `{}` is declared `>= 0`",
                        self.world.name(periods[i]),
                        values[i] / scale,
                        info.name
                    ),
                );
                let d = match value_cells.get(i).copied().flatten() {
                    Some(cell) => d
                        .primary(cell, "negative")
                        .secondary(call.span, "forecast of a non-negative param"),
                    None => d
                        .primary(call.span, "forecast of a non-negative param")
                        .secondary(from, "history loaded here"),
                };
                errors
                    .push(d.help("correct the value, or drop `>= 0` if negative values are meant"));
                return None;
            }
        }
        let follows = match (
            periods.last().and_then(|&x| self.period_number(x)),
            horizon.first().and_then(|&x| self.period_number(x)),
        ) {
            (Some(a), Some(b)) => b == a + 1,
            _ => false,
        } && horizon.windows(2).all(|w| {
            match (self.period_number(w[0]), self.period_number(w[1])) {
                (Some(a), Some(b)) => b == a + 1,
                _ => false,
            }
        });
        if !follows {
            let last = periods
                .last()
                .map(|&x| self.world.name(x).to_string())
                .unwrap_or_default();
            let first = horizon
                .first()
                .map(|&x| self.world.name(x).to_string())
                .unwrap_or_default();
            errors.push(
                Diagnostic::error(
                    Code::E0543,
                    format!(
                        "the periods of `{}` (from {first}) do not follow history `{series}` (to {last})",
                        info.name
                    ),
                )
                .primary(call.span, "forecast here")
                .secondary(info.span, "periods declared here")
                .help("start the forecast periods right after the history's last one, without gaps"),
            );
            return None;
        }
        let spec = Spec {
            method: call.method,
            period: season,
            horizon: horizon.len(),
        };
        let f = match crate::forecast::forecast(&values, &spec) {
            Ok(f) => f,
            Err(ForecastError::TooShort { len, min }) => {
                errors.push(
                    Diagnostic::error(
                        Code::E0540,
                        format!(
                            "history `{series}` has {len} periods, `{}` needs at least {min}",
                            call.method
                        ),
                    )
                    .primary(call.span, "forecast here")
                    .secondary(from, "history loaded here")
                    .help("load a longer history, or ask for a simpler method (`method = naive`)"),
                );
                return None;
            }
            Err(e) => {
                errors.push(
                    Diagnostic::error(
                        Code::E0544,
                        format!("the forecast of `{series}` failed: {e}"),
                    )
                    .primary(call.span, "forecast here")
                    .help("try another method (`method = ets`, `method = naive`)"),
                );
                return None;
            }
        };
        let to_unit = |v: &[f64]| v.iter().map(|x| x / scale).collect::<Vec<f64>>();
        self.world.forecasts.push(SeriesForecast {
            param: info.name.clone(),
            series,
            stat: call.stat.text(),
            method: call.method,
            season,
            history_periods: periods
                .iter()
                .map(|&x| self.world.name(x).to_string())
                .collect(),
            history: to_unit(&values),
            periods: horizon
                .iter()
                .map(|&x| self.world.name(x).to_string())
                .collect(),
            forecast: Forecast {
                model: f.model.clone(),
                point: to_unit(&f.point),
                sigma: to_unit(&f.sigma),
            },
            unit: info.unit_text.clone(),
            span: call.span,
        });
        Some(Done {
            forecast: f,
            paths: Vec::new(),
        })
    }
}
