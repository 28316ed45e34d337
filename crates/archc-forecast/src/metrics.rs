//! Accuracy measures as the M3 literature computes them.

/// Symmetric MAPE in percent, the recalculated form: the mean of `200·|y−f| / (|y|+|f|)`
/// (a term with `y = f = 0` counts 0).
pub fn smape(actual: &[f64], forecast: &[f64]) -> f64 {
    let n = actual.len().min(forecast.len());
    if n == 0 {
        return f64::NAN;
    }
    let sum: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| {
            let d = y.abs() + f.abs();
            if d == 0.0 {
                0.0
            } else {
                200.0 * (y - f).abs() / d
            }
        })
        .sum();
    sum / n as f64
}

/// The in-sample mean absolute error of the seasonal-naive forecast (lag `period`, or lag 1
/// when the series is shorter than a season and a point): MASE's scale.
pub fn mase_scale(train: &[f64], period: usize) -> f64 {
    let m = if train.len() > period.max(1) {
        period.max(1)
    } else {
        1
    };
    if train.len() <= m {
        return f64::NAN;
    }
    let sum: f64 = train.windows(m + 1).map(|w| (w[m] - w[0]).abs()).sum();
    sum / (train.len() - m) as f64
}

/// Mean absolute scaled error: the forecast's MAE over the seasonal-naive in-sample MAE.
pub fn mase(train: &[f64], actual: &[f64], forecast: &[f64], period: usize) -> f64 {
    let n = actual.len().min(forecast.len());
    if n == 0 {
        return f64::NAN;
    }
    let mae: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| (y - f).abs())
        .sum::<f64>()
        / n as f64;
    mae / mase_scale(train, period)
}

/// The share of `actual` values inside `[lower, upper]`.
pub fn coverage(actual: &[f64], lower: &[f64], upper: &[f64]) -> f64 {
    let n = actual.len().min(lower.len()).min(upper.len());
    if n == 0 {
        return f64::NAN;
    }
    let inside = (0..n)
        .filter(|&i| lower[i] <= actual[i] && actual[i] <= upper[i])
        .count();
    inside as f64 / n as f64
}
