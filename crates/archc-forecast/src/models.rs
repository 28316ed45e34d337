//! Fitting one method with `anofox-forecast`, and automatic selection by holdout.

use crate::{metrics, Forecast, ForecastError, Method};
use anofox_forecast::core::TimeSeries;
use anofox_forecast::models::arima::AutoARIMA;
use anofox_forecast::models::baseline::{Naive, SeasonalNaive};
use anofox_forecast::models::exponential::{AutoETS, AutoETSConfig};
use anofox_forecast::models::theta::{AutoTheta, DecompositionType};
use anofox_forecast::models::{Forecaster, MSTLForecaster};
use chrono::{Duration, TimeZone, Utc};

/// The quantile of the 95 % central interval the libraries report.
const Z95: f64 = 1.959_963_984_540_054;

fn series(values: &[f64]) -> Result<TimeSeries, ForecastError> {
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

/// Fit `method` (not [`Method::Auto`]) to `values` and forecast `horizon` steps.
pub fn fit_method(
    method: Method,
    values: &[f64],
    period: usize,
    horizon: usize,
) -> Result<Forecast, ForecastError> {
    let m = period.max(1);
    let positive = values.iter().all(|&v| v > 0.0);
    let seasonal = m > 1 && values.len() >= 2 * m;
    let ts = series(values)?;
    let (model, out) = match method {
        Method::Ets => {
            let cfg = if seasonal {
                AutoETSConfig::with_period(m)
            } else {
                AutoETSConfig::non_seasonal()
            };
            let cfg = if positive { cfg } else { cfg.additive_only() };
            let mut f = AutoETS::with_config(cfg);
            f.fit(&ts).map_err(fit_err)?;
            let name = f
                .selected_spec()
                .map(|s| s.short_name())
                .unwrap_or_else(|| "ETS".into());
            (name, f.predict_with_intervals(horizon, 0.95))
        }
        Method::Theta => {
            let mut f = if seasonal {
                let d = if positive {
                    DecompositionType::Multiplicative
                } else {
                    DecompositionType::Additive
                };
                AutoTheta::seasonal_with_decomposition(m, d)
            } else {
                AutoTheta::new()
            };
            f.fit(&ts).map_err(fit_err)?;
            let name = f
                .selected_model()
                .map(|t| format!("Theta({t})"))
                .unwrap_or_else(|| "Theta".into());
            (name, f.predict_with_intervals(horizon, 0.95))
        }
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

/// The candidates automatic selection tries.
const CANDIDATES: [Method; 3] = [Method::Ets, Method::Theta, Method::Arima];

/// Automatic selection: every candidate is fitted on the series without its last `k` points
/// (`k` = the horizon, at most a quarter of the series) and scored by sMAPE plus MASE on them;
/// the best is refitted on the whole series. A series too short to hold points out gets ETS.
pub(crate) fn auto(
    values: &[f64],
    period: usize,
    horizon: usize,
) -> Result<Forecast, ForecastError> {
    let m = period.max(1);
    let n = values.len();
    let k = horizon.min(n / 4);
    let train = &values[..n - k];
    let can_hold_out = k > 0 && train.len() >= Method::Ets.min_history(m);
    let mut best: Option<(f64, Method)> = None;
    if can_hold_out {
        let test = &values[n - k..];
        let mut scale = metrics::mase_scale(train, m);
        if !(scale.is_finite() && scale > 0.0) {
            scale = 1.0;
        }
        for method in CANDIDATES {
            let Ok(f) = fit_method(method, train, m, k) else {
                continue;
            };
            let mae: f64 = test
                .iter()
                .zip(&f.point)
                .map(|(y, p)| (y - p).abs())
                .sum::<f64>()
                / k as f64;
            let score = metrics::smape(test, &f.point) / 100.0 + mae / scale;
            if score.is_finite() && best.is_none_or(|(b, _)| score < b) {
                best = Some((score, method));
            }
        }
    }
    let order: Vec<Method> = match best {
        Some((_, m)) => std::iter::once(m).chain(CANDIDATES).collect(),
        None => CANDIDATES.to_vec(),
    };
    let mut last = None;
    for method in order.into_iter().chain([Method::Naive]) {
        match fit_method(method, values, m, horizon) {
            Ok(f) => return Ok(f),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| ForecastError::Fit("no candidate could be fitted".into())))
}
