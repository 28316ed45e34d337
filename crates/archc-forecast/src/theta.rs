//! The seasonality test and the Theta method, on top of `anofox-forecast`'s Theta models.
//!
//! [`has_season`] decides whether a series carries its season: the classical ACF test at the
//! seasonal lag (as statsforecast's and `forecast`'s Theta run it), and the same test on the
//! first differences, which a trend does not mask. [`fit_theta`] deseasonalises a seasonal
//! series itself (classical decomposition), fits the four Theta variants of the library
//! (standard, optimised, dynamic, dynamic optimised) on the adjusted series, keeps the one of
//! least in-sample MSE and puts the season back. The dynamic variants' forecasts are
//! continued here: the library holds their state fixed over the horizon, which drops their
//! drift (a series rising 400 a month was forecast flat); statsforecast, where the method
//! comes from, feeds each step's forecast back into the state as the next observation.

use crate::{Forecast, ForecastError};
use anofox_forecast::models::theta::{DynamicTheta, OptimizedTheta, Theta};
use anofox_forecast::models::Forecaster;

/// The one-sided 90 % normal quantile: the threshold of the ACF test on the series itself
/// (statsforecast's; the test only runs when the user gave a seasonal period).
const Z90: f64 = 1.281_551_565_544_600_4;
/// The one-sided 95 % normal quantile: the threshold of the test on the differences, which
/// only adds seasons the first test missed, and so is held to a stricter level.
const Z95_ONE_SIDED: f64 = 1.644_853_626_951_472_2;

/// The autocorrelation at lag `m` over its standard error under the hypothesis that the
/// autocorrelations from lag `m` on are zero (Bartlett: `sqrt((1 + 2 Σ_{k<m} r_k²) / n)`).
/// Zero for a constant series.
pub(crate) fn seasonal_acf_statistic(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    if m == 0 || n <= m {
        return 0.0;
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    if var.is_nan() || var <= 1e-10 * (1.0 + mean * mean) {
        return 0.0;
    }
    let r = |lag: usize| -> f64 {
        (0..n - lag)
            .map(|i| (x[i] - mean) * (x[i + lag] - mean))
            .sum::<f64>()
            / (n as f64 * var)
    };
    let r2: f64 = (1..m).map(|k| r(k).powi(2)).sum();
    let se = ((1.0 + 2.0 * r2) / n as f64).sqrt();
    r(m) / se
}

/// Whether `values` carry a season of period `m`: at least two cycles, and either the
/// autocorrelation at lag `m` is significant (the classical test, 90 %), or that of the first
/// differences is significantly positive (95 %, see [`season_under_trend`]).
pub(crate) fn has_season(values: &[f64], m: usize) -> bool {
    if m < 4 || values.len() < 2 * m {
        return false;
    }
    seasonal_acf_statistic(values, m).abs() > Z90 || differences_seasonal(values, m)
}

/// Whether `values` carry a season of period `m` that the classical test misses and the
/// first differences show. A trend raises every autocorrelation of the series and the
/// test's standard error with them, so on a trending series the classical test misses a
/// season that the differences, freed of the trend, show (the capacity example's regions:
/// 0.6 to 0.9 standard errors on the series, 2.1 to 3.0 on the differences).
pub(crate) fn season_under_trend(values: &[f64], m: usize) -> bool {
    m >= 4
        && values.len() >= 2 * m
        && seasonal_acf_statistic(values, m).abs() <= Z90
        && differences_seasonal(values, m)
}

fn differences_seasonal(values: &[f64], m: usize) -> bool {
    let diffs: Vec<f64> = values.windows(2).map(|w| w[1] - w[0]).collect();
    seasonal_acf_statistic(&diffs, m) > Z95_ONE_SIDED
}

/// A classical seasonal decomposition (centred moving average trend, seasonal indices
/// averaged per position): statsforecast's for Theta, multiplicative unless a value is not
/// positive or an index falls under 0.01.
pub(crate) struct Season {
    multiplicative: bool,
    /// The index of each position in the cycle, position 0 being the series' first value.
    index: Vec<f64>,
    /// The series' length (where the forecast's cycle starts).
    n: usize,
}

impl Season {
    /// The decomposition of `values` with period `m` (`values.len() >= 2 * m`, `m >= 2`).
    pub(crate) fn classical(values: &[f64], m: usize) -> Season {
        let positive = values.iter().all(|&v| v > 0.0);
        let n = values.len();
        let multiplicative = positive && {
            let s = Season::indices(values, m, true);
            s.iter().all(|&x| x >= 0.01)
        };
        Season {
            multiplicative,
            index: Season::indices(values, m, multiplicative),
            n,
        }
    }

    fn indices(values: &[f64], m: usize, multiplicative: bool) -> Vec<f64> {
        let n = values.len();
        let half = m / 2;
        let (mut sum, mut count) = (vec![0.0; m], vec![0usize; m]);
        for i in half..n.saturating_sub(half) {
            let trend = if m.is_multiple_of(2) {
                (0.5 * values[i - half]
                    + 0.5 * values[i + half]
                    + values[i - half + 1..i + half].iter().sum::<f64>())
                    / m as f64
            } else {
                values[i - half..=i + half].iter().sum::<f64>() / m as f64
            };
            let d = if multiplicative {
                if trend.abs() < 1e-10 {
                    continue;
                }
                values[i] / trend
            } else {
                values[i] - trend
            };
            sum[i % m] += d;
            count[i % m] += 1;
        }
        let mut index: Vec<f64> = sum
            .iter()
            .zip(&count)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
            .collect();
        let mean = index.iter().sum::<f64>() / m as f64;
        for s in &mut index {
            if multiplicative {
                if mean.abs() > 1e-10 {
                    *s /= mean;
                }
            } else {
                *s -= mean;
            }
        }
        if multiplicative {
            for s in &mut index {
                if s.abs() < 1e-10 {
                    *s = 1.0;
                }
            }
        }
        index
    }

    fn at(&self, t: usize) -> f64 {
        self.index[t % self.index.len()]
    }

    /// The seasonally adjusted value at time `t`.
    fn adjust(&self, t: usize, y: f64) -> f64 {
        if self.multiplicative {
            y / self.at(t)
        } else {
            y - self.at(t)
        }
    }

    /// The value at time `t` of an adjusted value `y`.
    fn restore(&self, t: usize, y: f64) -> f64 {
        if self.multiplicative {
            y * self.at(t)
        } else {
            y + self.at(t)
        }
    }

    /// The series adjusted.
    pub(crate) fn adjusted(&self, values: &[f64]) -> Vec<f64> {
        values
            .iter()
            .enumerate()
            .map(|(t, &y)| self.adjust(t, y))
            .collect()
    }

    /// An adjusted forecast (point and spread, one step after the series on) with its
    /// season restored: a multiplicative season scales the spread too.
    pub(crate) fn restore_forecast(&self, f: Forecast) -> Forecast {
        let t0 = self.n;
        let point = f
            .point
            .iter()
            .enumerate()
            .map(|(h, &p)| self.restore(t0 + h, p))
            .collect();
        let sigma = f
            .sigma
            .iter()
            .enumerate()
            .map(|(h, &s)| {
                if self.multiplicative {
                    s * self.at(t0 + h)
                } else {
                    s
                }
            })
            .collect();
        Forecast { point, sigma, ..f }
    }
}

/// The state of the dynamic Theta models (Fiorucci et al. 2016): the smoothed level, the
/// running mean and the dynamic regression's intercept and slope.
#[derive(Clone, Copy)]
struct DynamicState {
    level: f64,
    mean: f64,
    a: f64,
    b: f64,
}

impl DynamicState {
    /// The state after the first value: the regression over the first (up to) ten.
    fn start(y: &[f64]) -> DynamicState {
        let k = y.len().min(10);
        let x_mean = (k as f64 - 1.0) / 2.0;
        let y_mean = y[..k].iter().sum::<f64>() / k as f64;
        let (mut sxx, mut sxy) = (0.0, 0.0);
        for (i, &v) in y[..k].iter().enumerate() {
            sxx += (i as f64 - x_mean).powi(2);
            sxy += (i as f64 - x_mean) * (v - y_mean);
        }
        let b = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        DynamicState {
            level: y[0],
            mean: y[0],
            a: y_mean - b * x_mean,
            b,
        }
    }

    /// The one-step forecast of the value at time `i`.
    fn mu(&self, i: usize, alpha: f64, theta: f64) -> f64 {
        let beta = 1.0 - alpha;
        self.level
            + (1.0 - 1.0 / theta)
                * (self.a * beta.powi(i as i32) + self.b * (1.0 - beta.powi(i as i32 + 1)) / alpha)
    }

    /// The state after observing `y` at time `i`.
    fn update(self, y: f64, i: usize, alpha: f64) -> DynamicState {
        let i = i as f64;
        let mean = (i * self.mean + y) / (i + 1.0);
        let b = ((i - 1.0) * self.b + 6.0 * (y - self.mean) / (i + 1.0)) / (i + 2.0);
        DynamicState {
            level: alpha * y + (1.0 - alpha) * self.level,
            mean,
            a: mean - b * (i + 2.0) / 2.0,
            b,
        }
    }
}

/// The point forecast of a dynamic Theta model with smoothing `alpha` and coefficient
/// `theta` fitted to `y`: the state is run over the series as the library runs it, then
/// over the horizon with each step's forecast taken as its observation (statsforecast's
/// `thetaforecast`), so that the level follows the dynamic slope.
pub(crate) fn dynamic_forecast(y: &[f64], alpha: f64, theta: f64, horizon: usize) -> Vec<f64> {
    let mut state = DynamicState::start(y);
    for (i, &v) in y.iter().enumerate().skip(1) {
        state = state.update(v, i, alpha);
    }
    let n = y.len();
    (0..horizon)
        .map(|h| {
            let mu = state.mu(n + h, alpha, theta);
            state = state.update(mu, n + h, alpha);
            mu
        })
        .collect()
}

/// The Theta method for `values` with seasonal period `m`: see the module documentation.
pub(crate) fn fit_theta(
    values: &[f64],
    m: usize,
    horizon: usize,
) -> Result<Forecast, ForecastError> {
    let season = has_season(values, m).then(|| Season::classical(values, m));
    let adjusted = match &season {
        Some(s) => s.adjusted(values),
        None => values.to_vec(),
    };
    let ts = crate::models::series(&adjusted)?;
    // In-sample MSE on the original scale, the first residual left out (it is zero or the
    // first value's own), as the library's AutoTheta scores its variants.
    let mse = |fitted: Option<&[f64]>| -> f64 {
        let Some(fitted) = fitted else {
            return f64::INFINITY;
        };
        let errors: Vec<f64> = fitted
            .iter()
            .enumerate()
            .skip(1)
            .map(|(t, &f)| {
                let f = season.as_ref().map_or(f, |s| s.restore(t, f));
                (values[t] - f).powi(2)
            })
            .collect();
        if errors.is_empty() {
            return f64::INFINITY;
        }
        let e = errors.iter().sum::<f64>() / errors.len() as f64;
        if e.is_finite() {
            e
        } else {
            f64::INFINITY
        }
    };
    let mut best: Option<(f64, Forecast)> = None;
    let mut keep = |score: f64, out: Result<Forecast, ForecastError>| {
        if let Ok(f) = out {
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, f));
            }
        }
    };
    let finish = |name: &str, out| {
        crate::models::finish(format!("Theta({name})"), out, &adjusted, 1, horizon)
    };
    let mut stm = Theta::new();
    if stm.fit(&ts).is_ok() {
        keep(
            mse(stm.fitted_values()),
            finish("STM", stm.predict_with_intervals(horizon, 0.95)),
        );
    }
    let mut otm = OptimizedTheta::new();
    if otm.fit(&ts).is_ok() {
        keep(
            mse(otm.fitted_values()),
            finish("OTM", otm.predict_with_intervals(horizon, 0.95)),
        );
    }
    for (name, mut model) in [
        ("DSTM", DynamicTheta::new(0.1)),
        ("DOTM", DynamicTheta::optimized()),
    ] {
        if model.fit(&ts).is_err() {
            continue;
        }
        let score = mse(model.fitted_values());
        let out = finish(name, model.predict_with_intervals(horizon, 0.95)).and_then(|f| {
            let point = dynamic_forecast(&adjusted, model.alpha(), model.theta(), horizon);
            if point.iter().all(|v| v.is_finite()) {
                Ok(Forecast { point, ..f })
            } else {
                Err(ForecastError::Fit(format!(
                    "Theta({name}) gave no finite forecast"
                )))
            }
        });
        keep(score, out);
    }
    let (_, f) =
        best.ok_or_else(|| ForecastError::Fit("no Theta variant could be fitted".into()))?;
    Ok(match &season {
        Some(s) => s.restore_forecast(f),
        None => f,
    })
}
