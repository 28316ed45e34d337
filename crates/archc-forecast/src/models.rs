//! Fitting one method with `anofox-forecast`, and automatic selection by holdout.

use crate::theta::season_under_trend;
use crate::{metrics, Forecast, ForecastError, Method};
use anofox_forecast::core::TimeSeries;
use anofox_forecast::models::arima::AutoARIMA;
use anofox_forecast::models::baseline::{Naive, SeasonalNaive};
use anofox_forecast::models::exponential::{
    cap_spikes, diagnose_spikes, AutoETS, AutoETSConfig, ETSSeasonalType, ETSSpec, ErrorType,
    SpikeDiagnosis, TrendType, ETS,
};
use anofox_forecast::models::{Forecaster, MSTLForecaster};
use chrono::{Duration, TimeZone, Utc};

/// The quantile of the 95 % central interval the libraries report.
const Z95: f64 = 1.959_963_984_540_054;

pub(crate) fn series(values: &[f64]) -> Result<TimeSeries, ForecastError> {
    let start = Utc
        .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| ForecastError::Fit("no start time".into()))?;
    let stamps = (0..values.len())
        .map(|i| start + Duration::days(i as i64))
        .collect();
    TimeSeries::univariate(stamps, values.to_vec()).map_err(|e| ForecastError::Fit(e.to_string()))
}

fn fit_err(e: anofox_forecast::ForecastError) -> ForecastError {
    ForecastError::Fit(e.to_string())
}

/// The AutoETS configuration for `values`: seasonal models when the series spans two
/// seasons, additive ones only when a value is not positive.
fn ets_config(values: &[f64], m: usize) -> AutoETSConfig {
    let positive = values.iter().all(|&v| v > 0.0);
    let cfg = if m > 1 && values.len() >= 2 * m {
        AutoETSConfig::with_period(m)
    } else {
        AutoETSConfig::non_seasonal()
    };
    if positive {
        cfg
    } else {
        cfg.additive_only()
    }
}

/// AutoETS over its complete pool (see [`ets_config`]). When AutoETS's own check found no season but
/// [`season_under_trend`] does (a trend hides a season from that check, see [`select_ets`]), the
/// seasonal models of the pool are scored too and the best AICc of all is kept.
fn fit_ets(values: &[f64], m: usize, horizon: usize) -> Result<Forecast, ForecastError> {
    let cfg = ets_config(values, m);
    let period = cfg.seasonal_period.unwrap_or(1);
    let (multiplicative, guard) = (cfg.allow_multiplicative_error, cfg.spike_trend_guard);
    let mut f = AutoETS::with_config(cfg);
    let ts = series(values)?;
    f.fit(&ts).map_err(fit_err)?;
    let scores = f.model_scores();
    if period > 1
        && values.len() >= 3 * period
        && !scores.iter().any(|(s, _)| s.has_seasonal())
        && season_under_trend(values, m)
    {
        let trend_free = guard && f.spike_guard_triggered();
        let mut best: (f64, Option<ETS>) =
            (scores.first().map_or(f64::INFINITY, |&(_, s)| s), None);
        use ErrorType::{Additive as A, Multiplicative as M};
        let errors: &[ErrorType] = if multiplicative { &[A, M] } else { &[A] };
        let mut trends = vec![TrendType::None];
        if !trend_free {
            trends.extend([TrendType::Additive, TrendType::AdditiveDamped]);
        }
        let mut seasons = vec![ETSSeasonalType::Additive];
        if multiplicative {
            seasons.push(ETSSeasonalType::Multiplicative);
        }
        for &error in errors {
            for &trend in &trends {
                for &season in &seasons {
                    let spec = ETSSpec::new(error, trend, season);
                    if !spec.is_r_restricted() {
                        score_ets(spec, &ts, m, &mut best);
                    }
                }
            }
        }
        if let (_, Some(model)) = best {
            let spec = model.spec();
            return finish(
                spec.short_name(),
                model.predict_with_intervals(horizon, 0.95),
                values,
                m,
                horizon,
            );
        }
    }
    let name = f
        .selected_spec()
        .map(|s| s.short_name())
        .unwrap_or_else(|| "ETS".into());
    finish(
        name,
        f.predict_with_intervals(horizon, 0.95),
        values,
        m,
        horizon,
    )
}

/// Fit `method` (not [`Method::Auto`]) to `values` and forecast `horizon` steps.
pub fn fit_method(
    method: Method,
    values: &[f64],
    period: usize,
    horizon: usize,
) -> Result<Forecast, ForecastError> {
    let m = period.max(1);
    let seasonal = m > 1 && values.len() >= 2 * m;
    let ts = series(values)?;
    let (model, out) = match method {
        Method::Ets => return fit_ets(values, m, horizon),
        Method::Theta => return crate::theta::fit_theta(values, m, horizon),
        Method::Arima => {
            let mut f = if seasonal {
                AutoARIMA::seasonal(m)
            } else {
                AutoARIMA::new()
            };
            f.fit(&ts).map_err(fit_err)?;
            let name = f
                .selected_full_order()
                .map(|o| {
                    if o.s > 1 && (o.cap_p + o.cap_d + o.cap_q) > 0 {
                        format!(
                            "ARIMA({},{},{})({},{},{})[{}]",
                            o.p, o.d, o.q, o.cap_p, o.cap_d, o.cap_q, o.s
                        )
                    } else {
                        format!("ARIMA({},{},{})", o.p, o.d, o.q)
                    }
                })
                .unwrap_or_else(|| "ARIMA".into());
            (name, f.predict_with_intervals(horizon, 0.95))
        }
        Method::Mstl => {
            let mut f = MSTLForecaster::new(vec![m]);
            f.fit(&ts).map_err(fit_err)?;
            ("MSTL".to_string(), f.predict_with_intervals(horizon, 0.95))
        }
        Method::Naive => {
            let mut f = Naive::new();
            f.fit(&ts).map_err(fit_err)?;
            ("Naive".to_string(), f.predict_with_intervals(horizon, 0.95))
        }
        Method::SeasonalNaive => {
            let mut f = SeasonalNaive::new(m);
            f.fit(&ts).map_err(fit_err)?;
            (
                "SeasonalNaive".to_string(),
                f.predict_with_intervals(horizon, 0.95),
            )
        }
        Method::Auto => return auto(values, period, horizon),
    };
    finish(model, out, values, m, horizon)
}

/// The point forecast and per-step standard deviations of a library forecast.
pub(crate) fn finish(
    model: String,
    out: anofox_forecast::Result<anofox_forecast::core::Forecast>,
    values: &[f64],
    m: usize,
    horizon: usize,
) -> Result<Forecast, ForecastError> {
    let out = out.map_err(fit_err)?;
    let point = out.primary().to_vec();
    if point.len() != horizon || point.iter().any(|v| !v.is_finite()) {
        return Err(ForecastError::Fit(format!(
            "{model} gave no finite forecast"
        )));
    }
    let sigma = match (out.lower_series(0), out.upper_series(0)) {
        (Ok(lo), Ok(hi)) if lo.len() == horizon && hi.len() == horizon => lo
            .iter()
            .zip(hi)
            .map(|(l, u)| ((u - l) / (2.0 * Z95)).max(0.0))
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let sigma = if sigma.len() == horizon && sigma.iter().all(|s| s.is_finite()) {
        sigma
    } else {
        residual_sigma(values, &point, m)
    };
    Ok(Forecast {
        model,
        point,
        sigma,
    })
}

/// A fallback spread when a model reports no interval: the one-step seasonal-naive error,
/// growing with the square root of the steps ahead.
fn residual_sigma(values: &[f64], point: &[f64], period: usize) -> Vec<f64> {
    let scale = metrics::mase_scale(values, period);
    let s = if scale.is_finite() {
        scale * 1.253_314_137_315_500_3
    } else {
        0.0
    };
    (0..point.len())
        .map(|h| s * ((h + 1) as f64).sqrt())
        .collect()
}

/// Automatic forecasting: a weighted mean of ETS (chosen by AICc, seasonal when the period
/// allows, see [`select_ets`]; the reduced pool of Petropoulos et al. 2023, damped trends
/// only, scores 12.59 / 1.385 on M3 against 12.71 / 1.371, but bends a steady linear growth
/// down: a capacity forecast must not) and Theta (its variants chosen by in-sample MSE,
/// deseasonalised when the seasonality test finds the season, see [`crate::theta`]), each fitted once on
/// the whole series. The combination is more accurate than either on M3 and needs no order
/// search. Its intervals are calibrated on a holdout, see [`calibrate`].
pub(crate) fn auto(
    values: &[f64],
    period: usize,
    horizon: usize,
) -> Result<Forecast, ForecastError> {
    let m = period.max(1);
    let (f, spec) = combine(values, m, horizon, None)?;
    let factor = calibrate_with(values, m, horizon, spec);
    Ok(Forecast {
        sigma: f.sigma.iter().map(|s| s * factor).collect(),
        ..f
    })
}

/// ETS for `auto`, chosen by AICc in stages. The first is the library's AutoETS over the
/// undamped additive-error models (ANN AAN ANA AAA; AutoETS keeps its guards: no trend for
/// a spiky or intermittent series, no season without three cycles of it and a seasonal
/// signal). When that signal check finds no season but [`season_under_trend`] does (a trend hides a
/// season from the check), the additive seasonal models (with the trend if AutoETS allowed
/// one) are scored here. Then, for a positive series, the multiplicative-error models without a season
/// (cheap fits) and the one multiplicative-error, multiplicative-season model with the
/// trend (none or additive) of the best additive seasonal model; last the damped trend of
/// each non-seasonal trend model and of the best seasonal model when it has a trend. The
/// seasonal fits are the dear ones (a damped seasonal fit costs about three undamped
/// ones): the trend of a seasonal structure rarely depends on its error and season types,
/// and when a linear trend does not beat no trend, a damped one, with a parameter more,
/// hardly does. The library's full pool (15 models here) fits nine seasonal models; this
/// fits three or four: `auto` takes a third of the time on 48 monthly points, with the
/// same accuracy on M3 (docs/forecasting.md).
pub(crate) fn select_ets(
    values: &[f64],
    m: usize,
    horizon: usize,
) -> Result<(Forecast, Option<ETSSpec>), ForecastError> {
    let cfg = ets_config(values, m);
    let multiplicative = cfg.allow_multiplicative_error;
    let period = cfg.seasonal_period.unwrap_or(1);
    let cfg = AutoETSConfig {
        allow_damped: false,
        ..cfg.additive_only()
    };
    let ts = series(values)?;
    let mut first = AutoETS::with_config(cfg);
    first.fit(&ts).map_err(fit_err)?;
    let scores = first.model_scores();
    // The values AutoETS scored its candidates on: a spiky tail capped.
    let ts = if first.spike_guard_triggered()
        && diagnose_spikes(values, period) == SpikeDiagnosis::SpikyTail
    {
        series(&cap_spikes(values, period))?
    } else {
        ts
    };
    let trend = scores.iter().any(|(s, _)| s.has_trend());
    // The scores are sorted, best first.
    let mut seasonal = scores.iter().find(|(s, _)| s.has_seasonal()).copied();
    let mut best: (f64, Option<ETS>) = (scores.first().map_or(f64::INFINITY, |&(_, s)| s), None);
    use ErrorType::{Additive as A, Multiplicative as M};
    // AutoETS looks for a season by comparing the spread between months with the spread
    // within each month across years, on the series as it is: a trend widens the latter
    // and hides the season. When the seasonality test (on the differences too) finds it,
    // the additive seasonal models are scored here instead.
    if seasonal.is_none()
        && period > 1
        && values.len() >= 3 * period
        && season_under_trend(values, m)
    {
        let mut trends = vec![TrendType::None];
        if trend {
            trends.push(TrendType::Additive);
        }
        for t in trends {
            let spec = ETSSpec::new(A, t, ETSSeasonalType::Additive);
            if let Some(score) = score_ets(spec, &ts, m, &mut best) {
                if seasonal.is_none_or(|(_, s)| score < s) {
                    seasonal = Some((spec, score));
                }
            }
        }
    }
    let consider = |spec: ETSSpec, best: &mut (f64, Option<ETS>)| -> Option<f64> {
        score_ets(spec, &ts, m, best)
    };
    let none = ETSSeasonalType::None;
    if multiplicative {
        consider(ETSSpec::new(M, TrendType::None, none), &mut best);
        if trend {
            consider(ETSSpec::new(M, TrendType::Additive, none), &mut best);
        }
        if let Some((s, score)) = seasonal {
            let spec = ETSSpec::new(M, s.trend, ETSSeasonalType::Multiplicative);
            if let Some(m_score) = consider(spec, &mut best) {
                if m_score < score {
                    seasonal = Some((spec, m_score));
                }
            }
        }
    }
    if trend {
        consider(ETSSpec::new(A, TrendType::AdditiveDamped, none), &mut best);
        if multiplicative {
            consider(ETSSpec::new(M, TrendType::AdditiveDamped, none), &mut best);
        }
        if let Some((s, _)) = seasonal.filter(|(s, _)| s.trend == TrendType::Additive) {
            consider(
                ETSSpec::new(s.error, TrendType::AdditiveDamped, s.seasonal),
                &mut best,
            );
        }
    }
    if let (_, Some(model)) = best {
        let spec = model.spec();
        let out = finish(
            spec.short_name(),
            model.predict_with_intervals(horizon, 0.95),
            values,
            m,
            horizon,
        )?;
        return Ok((out, Some(spec)));
    }
    let spec = first.selected_spec();
    let name = spec.map(|s| s.short_name()).unwrap_or_else(|| "ETS".into());
    let out = finish(
        name,
        first.predict_with_intervals(horizon, 0.95),
        values,
        m,
        horizon,
    )?;
    Ok((out, spec))
}

/// Fit the ETS model `spec` (seasonal period `m` if it has a season) to `ts`; its AICc, and
/// the model in `best` when it beats the score there.
fn score_ets(
    spec: ETSSpec,
    ts: &TimeSeries,
    m: usize,
    best: &mut (f64, Option<ETS>),
) -> Option<f64> {
    let mut model = ETS::new(spec, if spec.has_seasonal() { m } else { 1 });
    model.fit(ts).ok()?;
    let score = model.aicc().filter(|s| s.is_finite())?;
    if score < best.0 {
        *best = (score, Some(model));
    }
    Some(score)
}

/// One ETS model of a given specification (no selection).
fn fit_ets_spec(
    values: &[f64],
    spec: ETSSpec,
    m: usize,
    horizon: usize,
) -> Result<Forecast, ForecastError> {
    let period = if spec.has_seasonal() { m } else { 1 };
    let mut f = ETS::new(spec, period);
    f.fit(&series(values)?).map_err(fit_err)?;
    finish(
        spec.short_name(),
        f.predict_with_intervals(horizon, 0.95),
        values,
        m,
        horizon,
    )
}

/// The weighted mean of the ETS and Theta forecasts and standard deviations (see
/// [`ets_weight`]); one of them
/// alone when the other cannot be fitted, the naive forecast when neither can. With `spec`,
/// ETS is that one model instead of chosen by AICc. Also gives the ETS specification used.
fn combine(
    values: &[f64],
    m: usize,
    horizon: usize,
    spec: Option<ETSSpec>,
) -> Result<(Forecast, Option<ETSSpec>), ForecastError> {
    let ets = match spec {
        Some(s) => fit_ets_spec(values, s, m, horizon).map(|f| (f, Some(s))),
        None => select_ets(values, m, horizon),
    };
    let (ets, spec) = match ets {
        Ok((f, s)) => (Ok(f), s),
        Err(e) => (Err(e), None),
    };
    let theta = fit_method(Method::Theta, values, m, horizon);
    let out = match (ets, theta) {
        (Ok(a), Ok(b)) => {
            let w = ets_weight(&a, &b);
            if w == 1.0 {
                return Ok((a, spec));
            }
            if w == 0.0 {
                return Ok((b, spec));
            }
            let mix = |x: &[f64], y: &[f64]| -> Vec<f64> {
                x.iter()
                    .zip(y)
                    .map(|(x, y)| w * x + (1.0 - w) * y)
                    .collect()
            };
            Ok(Forecast {
                model: format!("Mean({}, {})", a.model, b.model),
                point: mix(&a.point, &b.point),
                sigma: mix(&a.sigma, &b.sigma),
            })
        }
        (Ok(f), Err(_)) | (Err(_), Ok(f)) => Ok(f),
        (Err(_), Err(_)) => fit_method(Method::Naive, values, m, horizon),
    };
    out.map(|f| (f, spec))
}

/// The weight of ETS in the combination: one half (equal weights beat inverse-variance
/// weights on M3: sMAPE 12.55 against 12.71 on 300 series), unless one model's one-step
/// spread is under a tenth of the other's: that model fits the history almost exactly (a
/// noise-free trend or season) where the other does not, and it is taken alone.
fn ets_weight(ets: &Forecast, theta: &Forecast) -> f64 {
    let (a, b) = (ets.sigma[0], theta.sigma[0]);
    if a.is_finite() && b.is_finite() {
        if a < 0.1 * b {
            return 1.0;
        }
        if b < 0.1 * a {
            return 0.0;
        }
    }
    0.5
}

/// How many prior pseudo-observations of "the model's own spread is right" the holdout
/// calibration is shrunk towards.
const PRIOR_WEIGHT: f64 = 4.0;

/// The factor (at least 1) by which the combination's standard deviations are widened: the
/// combination is refitted without the series' last `k` points (`k` = the horizon, at most a
/// quarter of the series; ETS chosen again) and its errors on them are compared with
/// its own spread,
/// `r² = mean(e_h² / σ_h²)`; the factor is `sqrt((k·r² + w) / (k + w))`, shrunk towards 1 by
/// `w` prior points so that a short holdout cannot blow the intervals up. Models fitted by
/// in-sample one-step errors ignore the uncertainty of their own parameters and of the model
/// choice, so their intervals are too narrow out of sample (M3: 80 % intervals covered 60 %).
#[cfg(test)]
pub(crate) fn calibrate(values: &[f64], m: usize, horizon: usize) -> f64 {
    calibrate_with(values, m, horizon, None)
}

/// [`calibrate`], refitting on the holdout the ETS specification chosen on the whole series
/// (`spec`) instead of choosing again: one ETS fit instead of one per candidate, and the
/// same model whose spread is being calibrated. (Keeping the whole-series smoothing
/// parameters too, without optimising, saves another tenth of the time of `auto` on 48
/// monthly points, but those parameters have seen the holdout: the errors on it are
/// smaller and the M3 coverage falls from 80.5 % / 91.9 % to 79.8 % / 91.3 %.)
fn calibrate_with(values: &[f64], m: usize, horizon: usize, spec: Option<ETSSpec>) -> f64 {
    let n = values.len();
    let k = horizon.min(n / 4);
    if k == 0 || n - k < Method::Auto.min_history(m) {
        return 1.0;
    }
    let (train, test) = values.split_at(n - k);
    let fitted = match combine(train, m, k, spec) {
        Ok(f) => Ok(f),
        // The chosen specification may not fit the shorter series (a season it no longer
        // spans twice): choose again.
        Err(_) if spec.is_some() => combine(train, m, k, None),
        Err(e) => Err(e),
    };
    let Ok((f, _)) = fitted else {
        return 1.0;
    };
    let ratios: Vec<f64> = test
        .iter()
        .zip(&f.point)
        .zip(&f.sigma)
        .filter(|(_, s)| **s > 0.0)
        .map(|((y, p), s)| ((y - p) / s).powi(2))
        .filter(|r| r.is_finite())
        .collect();
    if ratios.is_empty() {
        return 1.0;
    }
    let k = ratios.len() as f64;
    let r2 = ratios.iter().sum::<f64>() / k;
    ((k * r2 + PRIOR_WEIGHT) / (k + PRIOR_WEIGHT))
        .sqrt()
        .max(1.0)
}
