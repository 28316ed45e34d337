//! Time-series forecasting for archc, on plain `f64` series.
//!
//! A series is a slice of equally spaced observations, oldest first. [`forecast`] fits one
//! [`Method`] (or selects one automatically, [`Method::Auto`]) and returns a [`Forecast`]:
//! the point forecast and, for every step ahead, a normal predictive distribution whose
//! spread comes from the fitted model's own 95 % prediction interval (for [`Method::Auto`],
//! widened by a calibration on the series' last points). From it come any
//! quantile ([`Forecast::quantile`]), prediction intervals ([`Forecast::interval`]) and seeded,
//! reproducible sample paths ([`Forecast::sample_paths`]).
//!
//! The statistics (ETS state-space models, Theta, ARIMA, MSTL) are those of the
//! `anofox-forecast` crate; this crate picks between them, guards their inputs (the minimum
//! history of each method, finite values, positivity for multiplicative models) and turns
//! their intervals into quantiles and paths. Accuracy measures (sMAPE, MASE, interval
//! coverage) are in [`metrics`].

pub mod dist;
pub mod metrics;
mod models;
mod theta;

pub use dist::normal_quantile;
pub use models::fit_method;

use std::fmt;

/// A forecasting method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// A weighted mean of ETS (chosen by AICc, no multiplicative trend) and Theta (seasonally adjusted
    /// when the seasonality test finds the season, on the series or on its differences), with
    /// intervals widened by a holdout calibration.
    Auto,
    /// Exponential smoothing state-space model (error, trend, damping, season), chosen by AICc.
    Ets,
    /// The Theta method (standard, optimised and dynamic variants, chosen by in-sample MSE),
    /// on the seasonally adjusted series when the seasonality test finds the season.
    Theta,
    /// Automatic ARIMA (stepwise order search by AICc), seasonal when the period is above 1.
    Arima,
    /// Seasonal-trend decomposition (MSTL) with ETS on the trend and seasonal naive on the season.
    Mstl,
    /// The last value, repeated.
    Naive,
    /// The value one season earlier, repeated season by season.
    SeasonalNaive,
}

impl Method {
    /// Every method, in the order they are documented.
    pub const ALL: [Method; 7] = [
        Method::Auto,
        Method::Ets,
        Method::Theta,
        Method::Arima,
        Method::Mstl,
        Method::Naive,
        Method::SeasonalNaive,
    ];

    /// The name used in the language and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::Ets => "ets",
            Method::Theta => "theta",
            Method::Arima => "arima",
            Method::Mstl => "mstl",
            Method::Naive => "naive",
            Method::SeasonalNaive => "snaive",
        }
    }

    /// The method named `s` (see [`Method::as_str`]).
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The fewest observations this method accepts for a series of seasonal period `period`.
    pub fn min_history(self, period: usize) -> usize {
        let m = period.max(1);
        match self {
            Method::Naive => 1,
            Method::SeasonalNaive => m,
            Method::Ets | Method::Theta | Method::Arima => {
                if m > 1 {
                    2 * m
                } else {
                    4
                }
            }
            Method::Mstl => 2 * m + 2,
            Method::Auto => {
                if m > 1 {
                    2 * m
                } else {
                    4
                }
            }
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to forecast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spec {
    pub method: Method,
    /// The seasonal period in observations (12 for monthly data with a yearly cycle, 4 for
    /// quarterly, 1 for none).
    pub period: usize,
    /// How many steps ahead.
    pub horizon: usize,
}

/// Why a series could not be forecast.
#[derive(Clone, Debug, PartialEq)]
pub enum ForecastError {
    /// Fewer observations than the method needs.
    TooShort { len: usize, min: usize },
    /// A value is NaN or infinite (its index).
    NotFinite { index: usize },
    /// A horizon of zero.
    NoHorizon,
    /// The model could not be fitted (the message of the underlying library).
    Fit(String),
}

impl fmt::Display for ForecastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForecastError::TooShort { len, min } => {
                write!(f, "{len} observations, the method needs at least {min}")
            }
            ForecastError::NotFinite { index } => write!(f, "value {} is not finite", index + 1),
            ForecastError::NoHorizon => f.write_str("the horizon is empty"),
            ForecastError::Fit(m) => write!(f, "the model could not be fitted: {m}"),
        }
    }
}

impl std::error::Error for ForecastError {}

/// A forecast: point values and a normal predictive distribution per step.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The model that produced it, as the library names it (`ETS(M,Ad,M)`, `Theta(OTM)`,
    /// `ARIMA(0,1,1)(0,1,1)[12]`, `Naive`, ...).
    pub model: String,
    /// The point forecast (the mean), one value per step ahead.
    pub point: Vec<f64>,
    /// The standard deviation of the forecast error per step ahead.
    pub sigma: Vec<f64>,
}

impl Forecast {
    /// Steps ahead.
    pub fn horizon(&self) -> usize {
        self.point.len()
    }

    /// The `q` quantile (0 < q < 1) per step: `point + z(q) * sigma`.
    pub fn quantile(&self, q: f64) -> Vec<f64> {
        let z = normal_quantile(q);
        self.point
            .iter()
            .zip(&self.sigma)
            .map(|(p, s)| p + z * s)
            .collect()
    }

    /// The central prediction interval of coverage `level` (0.8, 0.95): lower and upper bounds.
    pub fn interval(&self, level: f64) -> (Vec<f64>, Vec<f64>) {
        let a = (1.0 - level) / 2.0;
        (self.quantile(a), self.quantile(1.0 - a))
    }

    /// `n` sample paths, reproducible from `seed`. Each step's values are distributed as the
    /// forecast's normal distribution at that step, and steps are correlated as a random walk
    /// is (the path at step h is the point plus `sigma[h]` times the standardised sum of h
    /// independent normal innovations), so a path that starts high tends to stay high.
    pub fn sample_paths(&self, n: usize, seed: u64) -> Vec<Vec<f64>> {
        dist::paths(&self.point, &self.sigma, n, seed)
    }
}

/// Forecast `values` (oldest first) as `spec` says.
pub fn forecast(values: &[f64], spec: &Spec) -> Result<Forecast, ForecastError> {
    if spec.horizon == 0 {
        return Err(ForecastError::NoHorizon);
    }
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        return Err(ForecastError::NotFinite { index });
    }
    let min = spec.method.min_history(spec.period);
    if values.len() < min {
        return Err(ForecastError::TooShort {
            len: values.len(),
            min,
        });
    }
    if spec.method == Method::Auto {
        return models::auto(values, spec.period, spec.horizon);
    }
    fit_method(spec.method, values, spec.period, spec.horizon)
}

#[cfg(test)]
mod tests;
