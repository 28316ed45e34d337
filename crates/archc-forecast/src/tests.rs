//! Known-answer series, interval calibration on a known model, quantiles and paths.

use super::*;
use crate::dist::Rng;

fn spec(method: Method, period: usize, horizon: usize) -> Spec {
    Spec {
        method,
        period,
        horizon,
    }
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol,
            "{what}: step {} is {g}, expected {w} within {tol}",
            i + 1
        );
    }
}

#[test]
fn constant_series_continues_for_every_method() {
    let values = vec![40.0; 24];
    for method in Method::ALL {
        let f = forecast(&values, &spec(method, 4, 6)).unwrap();
        assert_close(&f.point, &[40.0; 6], 1e-6 * 40.0 + 1e-6, method.as_str());
    }
}

#[test]
fn linear_trend_continues() {
    let values: Vec<f64> = (0..30).map(|t| 100.0 + 5.0 * t as f64).collect();
    let want: Vec<f64> = (30..36).map(|t| 100.0 + 5.0 * t as f64).collect();
    for method in [Method::Auto, Method::Ets, Method::Theta, Method::Arima] {
        let f = forecast(&values, &spec(method, 1, 6)).unwrap();
        // Within 2 % of the level at the end of the horizon.
        assert_close(&f.point, &want, 0.02 * 275.0, method.as_str());
    }
}

#[test]
fn pure_seasonal_series_continues() {
    let season = [10.0, 20.0, 30.0, 20.0];
    let values: Vec<f64> = (0..32).map(|t| season[t % 4]).collect();
    let want: Vec<f64> = (32..40).map(|t| season[t % 4]).collect();
    for method in [
        Method::Auto,
        Method::Ets,
        Method::SeasonalNaive,
        Method::Theta,
    ] {
        let f = forecast(&values, &spec(method, 4, 8)).unwrap();
        assert_close(&f.point, &want, 0.5, method.as_str());
    }
}

#[test]
fn too_short_history_names_length_and_minimum() {
    let err = forecast(&[1.0, 2.0, 3.0], &spec(Method::Ets, 12, 3)).unwrap_err();
    assert_eq!(err, ForecastError::TooShort { len: 3, min: 24 });
    let err = forecast(&[1.0, f64::NAN, 3.0], &spec(Method::Naive, 1, 3)).unwrap_err();
    assert_eq!(err, ForecastError::NotFinite { index: 1 });
    assert_eq!(
        forecast(&[1.0; 10], &spec(Method::Naive, 1, 0)).unwrap_err(),
        ForecastError::NoHorizon
    );
}

/// Intervals from a random walk (the naive model is the true model): over many series, the
/// 80 % and 95 % intervals cover the next points at about their nominal rate.
#[test]
fn intervals_are_calibrated_on_a_random_walk() {
    let mut rng = Rng::new(7);
    let (mut in80, mut in95, mut total) = (0usize, 0usize, 0usize);
    for _ in 0..300 {
        let mut y = 100.0;
        let path: Vec<f64> = (0..66)
            .map(|_| {
                y += 2.0 * rng.normal();
                y
            })
            .collect();
        let (train, test) = path.split_at(60);
        let f = forecast(train, &spec(Method::Naive, 1, 6)).unwrap();
        let (l80, u80) = f.interval(0.8);
        let (l95, u95) = f.interval(0.95);
        for i in 0..6 {
            in80 += usize::from(l80[i] <= test[i] && test[i] <= u80[i]);
            in95 += usize::from(l95[i] <= test[i] && test[i] <= u95[i]);
            total += 1;
        }
    }
    let c80 = in80 as f64 / total as f64;
    let c95 = in95 as f64 / total as f64;
    assert!((0.74..=0.86).contains(&c80), "80 % coverage {c80}");
    assert!((0.91..=0.98).contains(&c95), "95 % coverage {c95}");
}

/// Same on an AR(1)-plus-level series fitted by automatic selection.
#[test]
fn auto_intervals_cover_about_nominal_on_white_noise_around_a_level() {
    let mut rng = Rng::new(11);
    let (mut in95, mut total) = (0usize, 0usize);
    for _ in 0..60 {
        let path: Vec<f64> = (0..56).map(|_| 50.0 + 3.0 * rng.normal()).collect();
        let (train, test) = path.split_at(48);
        let f = forecast(train, &spec(Method::Auto, 1, 8)).unwrap();
        let (l, u) = f.interval(0.95);
        for i in 0..8 {
            in95 += usize::from(l[i] <= test[i] && test[i] <= u[i]);
            total += 1;
        }
    }
    let c95 = in95 as f64 / total as f64;
    assert!((0.88..=0.995).contains(&c95), "95 % coverage {c95}");
}

/// A local-level series (a random walk observed with noise: ETS(A,N,N) is the true model),
/// forecast by automatic selection: the calibrated 80 % and 95 % intervals cover the held-out
/// points at about their nominal rate, neither too narrow nor blown up by the calibration.
#[test]
fn auto_intervals_are_calibrated_on_a_local_level_model() {
    let mut rng = Rng::new(2026);
    let (mut in80, mut in95, mut total) = (0usize, 0usize, 0usize);
    for _ in 0..80 {
        let mut level = 200.0;
        let path: Vec<f64> = (0..46)
            .map(|_| {
                level += 2.0 * rng.normal();
                level + 4.0 * rng.normal()
            })
            .collect();
        let (train, test) = path.split_at(40);
        let f = forecast(train, &spec(Method::Auto, 1, 6)).unwrap();
        let (l80, u80) = f.interval(0.8);
        let (l95, u95) = f.interval(0.95);
        for i in 0..6 {
            in80 += usize::from(l80[i] <= test[i] && test[i] <= u80[i]);
            in95 += usize::from(l95[i] <= test[i] && test[i] <= u95[i]);
            total += 1;
        }
    }
    let c80 = in80 as f64 / total as f64;
    let c95 = in95 as f64 / total as f64;
    assert!((0.72..=0.90).contains(&c80), "80 % coverage {c80}");
    assert!((0.89..=0.99).contains(&c95), "95 % coverage {c95}");
}

/// The holdout calibration widens the intervals of a series whose last points move far more
/// than its history did, and leaves a steady series' intervals about as the models gave them.
#[test]
fn calibration_widens_intervals_only_when_the_holdout_misses() {
    let mut rng = Rng::new(5);
    let steady: Vec<f64> = (0..48).map(|_| 100.0 + rng.normal()).collect();
    let quiet = crate::models::calibrate(&steady, 1, 6);
    assert!((1.0..1.5).contains(&quiet), "steady series factor {quiet}");
    let mut shaken = steady.clone();
    for (i, v) in shaken.iter_mut().skip(36).enumerate() {
        *v += if i % 2 == 0 { 15.0 } else { -15.0 };
    }
    let loud = crate::models::calibrate(&shaken, 1, 12);
    assert!(loud > 3.0, "a holdout 15 sigma off gives factor {loud}");
    let f = forecast(&shaken, &spec(Method::Auto, 1, 12)).unwrap();
    assert!(f.model.starts_with("Mean(ETS"), "{}", f.model);
}

/// A seasonal series whose trend's growth shrinks by a tenth a step (starting below zero, so
/// that only additive models apply): the two-pass ETS selection of `auto` reaches the damped
/// seasonal model, which its first pass (AutoETS over the undamped models) cannot choose.
#[test]
fn ets_selection_reaches_damped_seasonal_trends() {
    let mut rng = Rng::new(3);
    let season = [6.0, -4.0, 2.0, -4.0];
    let (mut level, mut slope) = (-10.0, 4.0);
    let values: Vec<f64> = (0..48)
        .map(|t| {
            level += slope;
            slope *= 0.9;
            level + season[t % 4] + 3.0 * rng.normal()
        })
        .collect();
    let (f, spec) = crate::models::select_ets(&values, 4, 4).unwrap();
    let spec = spec.expect("the chosen specification");
    assert_eq!(spec.short_name(), "ETS(A,Ad,A)");
    assert_eq!(f.model, spec.short_name());
}

/// A season whose swing grows with the level (a multiplicative season, multiplicative
/// noise): the staged selection reaches a multiplicative-error, multiplicative-season
/// model, which its first pass (AutoETS over the additive-error models) cannot choose.
#[test]
fn ets_selection_reaches_multiplicative_seasons() {
    let mut rng = Rng::new(9);
    let season = [1.3, 0.8, 1.1, 0.8];
    let values: Vec<f64> = (0..48)
        .map(|t| {
            let level = 50.0 * 1.04_f64.powi(t as i32);
            level * season[t % 4] * (1.0 + 0.03 * rng.normal())
        })
        .collect();
    let (f, spec) = crate::models::select_ets(&values, 4, 4).unwrap();
    let spec = spec.expect("the chosen specification");
    assert!(
        spec.short_name().starts_with("ETS(M,") && spec.short_name().ends_with(",M)"),
        "{}",
        spec.short_name()
    );
    assert_eq!(f.model, spec.short_name());
}

#[test]
fn quantiles_are_ordered_and_median_is_point() {
    let values: Vec<f64> = (0..40).map(|t| 10.0 + (t % 5) as f64).collect();
    let f = forecast(&values, &spec(Method::Ets, 1, 5)).unwrap();
    let q50 = f.quantile(0.5);
    assert_close(&q50, &f.point, 1e-12, "median");
    let q95 = f.quantile(0.95);
    let q05 = f.quantile(0.05);
    for i in 0..5 {
        assert!(q05[i] < f.point[i] && f.point[i] < q95[i], "step {i}");
    }
}

#[test]
fn normal_quantile_matches_tables() {
    for (p, z) in [
        (0.5, 0.0),
        (0.8, 0.841_621_233_572_914_3),
        (0.95, 1.644_853_626_951_472_2),
        (0.975, 1.959_963_984_540_054),
        (0.01, -2.326_347_874_040_841),
    ] {
        assert!((normal_quantile(p) - z).abs() < 1e-8, "z({p})");
    }
}

#[test]
fn sample_paths_are_seeded_and_match_the_marginals() {
    let f = Forecast {
        model: "test".into(),
        point: vec![100.0, 110.0, 120.0],
        sigma: vec![5.0, 7.0, 9.0],
    };
    let a = f.sample_paths(4000, 42);
    assert_eq!(a, f.sample_paths(4000, 42), "same seed, same paths");
    assert_ne!(a, f.sample_paths(4000, 43), "another seed, other paths");
    for h in 0..3 {
        let xs: Vec<f64> = a.iter().map(|p| p[h]).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
        assert!((mean - f.point[h]).abs() < 0.5, "mean at {h}: {mean}");
        assert!(
            (sd - f.sigma[h]).abs() / f.sigma[h] < 0.05,
            "sd at {h}: {sd}"
        );
    }
}

#[test]
fn metrics_match_hand_computation() {
    assert!(
        (metrics::smape(&[100.0, 50.0], &[110.0, 50.0]) - 200.0 * 10.0 / 210.0 / 2.0).abs() < 1e-12
    );
    // Seasonal naive in-sample MAE with period 2 on [1,2,3,4]: |3-1|, |4-2| -> 2.
    assert!((metrics::mase_scale(&[1.0, 2.0, 3.0, 4.0], 2) - 2.0).abs() < 1e-12);
    assert!((metrics::mase(&[1.0, 2.0, 3.0, 4.0], &[5.0], &[6.0], 2) - 0.5).abs() < 1e-12);
    assert!((metrics::coverage(&[1.0, 5.0], &[0.0, 0.0], &[2.0, 2.0]) - 0.5).abs() < 1e-12);
}

/// The yearly pattern of the trending seasonal series below: a late-winter and summer dip, a
/// November–December peak (as the capacity example's regions), summing to zero.
const CAPACITY_SEASON: [f64; 12] = [
    -130.0, -140.0, -60.0, -40.0, 10.0, 40.0, -20.0, -40.0, 30.0, 90.0, 110.0, 150.0,
];

/// Cores used month by month: a linear trend of 30 a month, [`CAPACITY_SEASON`] and normal
/// noise of spread 20, seeded; `n` months of history and the noise-free continuation.
fn trending_seasonal(seed: u64, n: usize, horizon: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let mean = |t: usize| 2000.0 + 30.0 * t as f64 + CAPACITY_SEASON[t % 12];
    let history = (0..n).map(|t| mean(t) + 20.0 * rng.normal()).collect();
    let future = (n..n + horizon).map(mean).collect();
    (history, future)
}

/// A strong monthly season under a steeper trend: the trend hides the season from the
/// classical ACF test on the series (and from AutoETS's own check), which used to leave
/// `auto` with a flat forecast. Over several seeds, `auto`, `ets` and `theta` keep both the
/// trend and the season: every step within 90 of the noise-free continuation (a flat
/// forecast is 360 off by the twelfth month, one without the season 150 off in December),
/// and the twelfth month (a December) above the first (a January) by more than either the
/// trend (330) or the season (280) alone would put it: the truth is 610.
#[test]
fn auto_keeps_season_and_trend_of_a_trending_monthly_series() {
    for seed in [1, 2, 3, 4] {
        let (history, future) = trending_seasonal(seed, 48, 12);
        for method in [Method::Auto, Method::Ets, Method::Theta] {
            let f = forecast(&history, &spec(method, 12, 12)).unwrap();
            let what = format!("{method} on seed {seed} ({})", f.model);
            assert_close(&f.point, &future, 90.0, &what);
            assert!(f.point[11] - f.point[0] > 450.0, "{what}: {:?}", f.point);
        }
    }
}

/// The seasonality test finds the season of the trending series, which the classical test on
/// the series alone (and AutoETS's check) misses, and does not find one in random walks with
/// drift (no season) more often than its levels allow (3 of these 200).
#[test]
fn seasonality_test_sees_a_season_under_a_trend() {
    use anofox_forecast::models::exponential::{AutoETS, AutoETSConfig};
    use anofox_forecast::models::Forecaster;
    for seed in [1, 2, 3, 4] {
        let (history, _) = trending_seasonal(seed, 48, 12);
        assert!(crate::theta::has_season(&history, 12), "seed {seed}");
        assert!(
            crate::theta::season_under_trend(&history, 12),
            "seed {seed}"
        );
        let raw = crate::theta::seasonal_acf_statistic(&history, 12);
        assert!(
            raw.abs() < 1.2816,
            "seed {seed}: the trend hides it ({raw})"
        );
        // And from AutoETS's check: it scores no seasonal model.
        let mut library = AutoETS::with_config(AutoETSConfig::with_period(12));
        library
            .fit(&crate::models::series(&history).unwrap())
            .unwrap();
        assert!(
            !library.model_scores().iter().any(|(s, _)| s.has_seasonal()),
            "seed {seed}"
        );
    }
    let mut rng = Rng::new(17);
    let mut found = 0;
    for _ in 0..200 {
        let mut y = 1000.0;
        let walk: Vec<f64> = (0..48)
            .map(|_| {
                y += 15.0 + 20.0 * rng.normal();
                y
            })
            .collect();
        found += usize::from(crate::theta::has_season(&walk, 12));
    }
    assert!(found <= 20, "{found} of 200 random walks called seasonal");
}

/// The dynamic Theta forecast continued here starts where the library's does (the same
/// state after the history), and then follows the dynamic slope instead of staying flat.
#[test]
fn dynamic_theta_forecast_starts_at_the_library_one_and_follows_the_slope() {
    use anofox_forecast::models::theta::DynamicTheta;
    use anofox_forecast::models::Forecaster;
    let mut rng = Rng::new(8);
    let values: Vec<f64> = (0..40)
        .map(|t| 50.0 + 3.0 * t as f64 + rng.normal())
        .collect();
    let mut model = DynamicTheta::optimized();
    model.fit(&crate::models::series(&values).unwrap()).unwrap();
    let library = model.predict(6).unwrap().primary().to_vec();
    let ours = crate::theta::dynamic_forecast(&values, model.alpha(), model.theta(), 6);
    assert!(
        (ours[0] - library[0]).abs() < 1e-6 * library[0].abs(),
        "{ours:?} {library:?}"
    );
    let slope = (ours[5] - ours[0]) / 5.0;
    assert!((2.0..4.0).contains(&slope), "slope {slope}: {ours:?}");
}
