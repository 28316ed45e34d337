//! `archc forecast FILE`: the params a model forecasts from a history, series by series, with
//! the model chosen, the point forecast and its 80 % and 95 % intervals, and a small chart;
//! `--backtest K` holds out the last K periods of every history and scores the method asked
//! for against naive and seasonal naive (sMAPE, MASE, interval coverage); `--format json`.

use super::{exit, Format, LimitArgs};
use crate::inputs::{analyze_input, input_of};
use crate::output::write_stdout;
use archc::analysis::AnalyzeOptions;
use archc::forecast::{forecast, metrics, Method, SeriesForecast, Spec};
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ForecastArgs {
    /// The model file; `-` reads it from stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Hold out the last K periods of every history and score the forecast of them.
    #[arg(long, value_name = "K")]
    pub backtest: Option<usize>,
    /// Also give N sample paths per series (JSON only), seeded by `--seed`.
    #[arg(long, value_name = "N")]
    pub paths: Option<usize>,
    /// Seed of the sample paths.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub limits: LimitArgs,
}

pub fn run(args: &ForecastArgs) -> i32 {
    if args.backtest == Some(0) {
        eprintln!("error: --backtest needs at least one period to hold out");
        return exit::USAGE;
    }
    if args.paths.is_some_and(|n| n > 100_000) {
        eprintln!("error: --paths is at most 100000");
        return exit::USAGE;
    }
    let a = match analyze_input(
        &input_of(&args.file),
        &AnalyzeOptions {
            instantiate: true,
            limits: Some(args.limits.limits()),
            max_file_size: args.limits.max_file_size,
            ..Default::default()
        },
    ) {
        Ok(a) => a,
        Err(code) => return code,
    };
    super::print_diagnostics(&a);
    let Some(inst) = a.instance.as_ref().filter(|_| !a.has_errors()) else {
        return exit::MODEL_ERROR;
    };
    let series = &inst.world.forecasts;
    let text = match (args.backtest, args.format) {
        (None, Format::Text) => text(series),
        (None, Format::Json) => json_forecasts(series, args.paths, args.seed),
        (Some(k), f) => {
            let rows: Vec<Backtest> = series.iter().map(|s| backtest(s, k)).collect();
            match f {
                Format::Text => backtest_text(&rows, k),
                Format::Json => backtest_json(&rows, k),
            }
        }
    };
    match write_stdout(&text) {
        Ok(()) => exit::OK,
        Err(code) => code,
    }
}

/// Numbers as a table shows them: 4 significant digits at least, no exponent.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// A one-line chart: the history, `|`, then the forecast, in eight levels.
fn spark(history: &[f64], point: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let all = history.iter().chain(point);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
        (a.min(x), b.max(x))
    });
    let bar = |x: f64| {
        if hi > lo {
            BARS[(((x - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize]
        } else {
            BARS[3]
        }
    };
    let mut s: String = history.iter().map(|&x| bar(x)).collect();
    s.push('|');
    s.extend(point.iter().map(|&x| bar(x)));
    s
}

fn text(series: &[SeriesForecast]) -> String {
    let mut out = String::new();
    if series.is_empty() {
        out.push_str("no param is forecast in this model\n");
        return out;
    }
    for s in series {
        let unit = if s.unit.is_empty() {
            String::new()
        } else {
            format!(" ({})", s.unit)
        };
        let _ = writeln!(
            out,
            "{} = forecast({}, {}){unit}: method {}, model {}, season {}, history {} periods ({}..{})",
            s.param,
            s.series,
            s.stat,
            s.method,
            s.forecast.model,
            s.season,
            s.history.len(),
            s.history_periods.first().map_or("", String::as_str),
            s.history_periods.last().map_or("", String::as_str),
        );
        let _ = writeln!(out, "  {}", spark(&s.history, &s.forecast.point));
        let _ = writeln!(
            out,
            "  {:<8} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "period", "mean", "80% low", "80% high", "95% low", "95% high"
        );
        let (l80, u80) = s.forecast.interval(0.8);
        let (l95, u95) = s.forecast.interval(0.95);
        for (i, p) in s.periods.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {:<8} {:>10} {:>10} {:>10} {:>10} {:>10}",
                p,
                num(s.forecast.point[i]),
                num(l80[i]),
                num(u80[i]),
                num(l95[i]),
                num(u95[i])
            );
        }
        out.push('\n');
    }
    out
}

fn json_forecasts(series: &[SeriesForecast], paths: Option<usize>, seed: u64) -> String {
    let items: Vec<serde_json::Value> = series
        .iter()
        .map(|s| {
            let (l80, u80) = s.forecast.interval(0.8);
            let (l95, u95) = s.forecast.interval(0.95);
            let mut v = json!({
                "param": s.param,
                "series": s.series,
                "statistic": s.stat,
                "method": s.method.as_str(),
                "model": s.forecast.model,
                "season": s.season,
                "unit": s.unit,
                "history": {"periods": s.history_periods, "values": s.history},
                "periods": s.periods,
                "mean": s.forecast.point,
                "sigma": s.forecast.sigma,
                "lower80": l80, "upper80": u80, "lower95": l95, "upper95": u95,
            });
            if let Some(n) = paths {
                let p = s.forecast.sample_paths(n, seed);
                v["paths"] =
                    json!({"seed": seed, "probability": 1.0 / n.max(1) as f64, "values": p});
            }
            v
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({ "forecasts": items })).unwrap_or_default();
    s.push('\n');
    s
}

/// Scores of one method on one held-out part.
#[derive(Clone, Copy, Default)]
struct Score {
    smape: f64,
    mase: f64,
    cover80: f64,
    cover95: f64,
}

struct Backtest {
    series: String,
    param: String,
    /// The method's model on the shortened history, or why there is none.
    model: Result<String, String>,
    method: Score,
    naive: Option<Score>,
    snaive: Option<Score>,
}

fn score(
    train: &[f64],
    test: &[f64],
    method: Method,
    season: usize,
) -> Result<(String, Score), String> {
    let f = forecast(
        train,
        &Spec {
            method,
            period: season,
            horizon: test.len(),
        },
    )
    .map_err(|e| e.to_string())?;
    let (l80, u80) = f.interval(0.8);
    let (l95, u95) = f.interval(0.95);
    Ok((
        f.model.clone(),
        Score {
            smape: metrics::smape(test, &f.point),
            mase: metrics::mase(train, test, &f.point, season),
            cover80: metrics::coverage(test, &l80, &u80),
            cover95: metrics::coverage(test, &l95, &u95),
        },
    ))
}

fn backtest(s: &SeriesForecast, k: usize) -> Backtest {
    let n = s.history.len();
    let mut row = Backtest {
        series: s.series.clone(),
        param: s.param.clone(),
        model: Err(String::new()),
        method: Score::default(),
        naive: None,
        snaive: None,
    };
    if k >= n {
        row.model = Err(format!("history of {n} periods, nothing left to fit on"));
        return row;
    }
    let (train, test) = s.history.split_at(n - k);
    match score(train, test, s.method, s.season) {
        Ok((m, sc)) => {
            row.model = Ok(m);
            row.method = sc;
        }
        Err(e) => row.model = Err(e),
    }
    row.naive = score(train, test, Method::Naive, s.season)
        .ok()
        .map(|x| x.1);
    row.snaive = score(train, test, Method::SeasonalNaive, s.season)
        .ok()
        .map(|x| x.1);
    row
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = xs.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", 100.0 * x)
    } else {
        "-".into()
    }
}

fn backtest_text(rows: &[Backtest], k: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "backtest: last {k} periods of every history held out\n"
    );
    let _ = writeln!(
        out,
        "{:<24} {:<18} {:>7} {:>6} {:>5} {:>5} | {:>7} {:>6} | {:>7} {:>6}",
        "param: series", "model", "sMAPE", "MASE", "80%", "95%", "naive", "MASE", "snaive", "MASE"
    );
    for r in rows {
        let (model, m) = match &r.model {
            Ok(m) => (m.as_str(), Some(r.method)),
            Err(_) => ("(too short)", None),
        };
        let f = |s: Option<Score>| {
            s.map_or(("-".into(), "-".into()), |s| {
                (format!("{:.2}", s.smape), format!("{:.3}", s.mase))
            })
        };
        let (ms, mm) = f(m);
        let (ns, nm) = f(r.naive);
        let (ss, sm) = f(r.snaive);
        let _ = writeln!(
            out,
            "{:<24} {:<18} {:>7} {:>6} {:>5} {:>5} | {:>7} {:>6} | {:>7} {:>6}",
            format!("{}: {}", r.param, r.series),
            model,
            ms,
            mm,
            m.map_or("-".into(), |s| pct(s.cover80)),
            m.map_or("-".into(), |s| pct(s.cover95)),
            ns,
            nm,
            ss,
            sm
        );
    }
    let ok: Vec<&Backtest> = rows.iter().filter(|r| r.model.is_ok()).collect();
    let _ = writeln!(
        out,
        "{:<24} {:<18} {:>7} {:>6} {:>5} {:>5} | {:>7} {:>6} | {:>7} {:>6}",
        format!("overall ({} series)", ok.len()),
        "",
        format!("{:.2}", mean(ok.iter().map(|r| r.method.smape))),
        format!("{:.3}", mean(ok.iter().map(|r| r.method.mase))),
        pct(mean(ok.iter().map(|r| r.method.cover80))),
        pct(mean(ok.iter().map(|r| r.method.cover95))),
        format!(
            "{:.2}",
            mean(ok.iter().filter_map(|r| r.naive).map(|s| s.smape))
        ),
        format!(
            "{:.3}",
            mean(ok.iter().filter_map(|r| r.naive).map(|s| s.mase))
        ),
        format!(
            "{:.2}",
            mean(ok.iter().filter_map(|r| r.snaive).map(|s| s.smape))
        ),
        format!(
            "{:.3}",
            mean(ok.iter().filter_map(|r| r.snaive).map(|s| s.mase))
        ),
    );
    for r in rows {
        if let Err(e) = &r.model {
            let _ = writeln!(out, "note: {} ({}): {e}", r.series, r.param);
        }
    }
    out
}

fn backtest_json(rows: &[Backtest], k: usize) -> String {
    let sc = |s: &Score| json!({"smape": s.smape, "mase": s.mase, "coverage80": s.cover80, "coverage95": s.cover95});
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({
                "param": r.param,
                "series": r.series,
                "model": r.model.as_ref().ok(),
                "error": r.model.as_ref().err(),
                "method": r.model.as_ref().ok().map(|_| sc(&r.method)),
                "naive": r.naive.as_ref().map(sc),
                "snaive": r.snaive.as_ref().map(sc),
            })
        })
        .collect();
    let ok: Vec<&Backtest> = rows.iter().filter(|r| r.model.is_ok()).collect();
    let overall = json!({
        "series": ok.len(),
        "smape": mean(ok.iter().map(|r| r.method.smape)),
        "mase": mean(ok.iter().map(|r| r.method.mase)),
        "coverage80": mean(ok.iter().map(|r| r.method.cover80)),
        "coverage95": mean(ok.iter().map(|r| r.method.cover95)),
    });
    let mut s =
        serde_json::to_string_pretty(&json!({"holdout": k, "series": items, "overall": overall}))
            .unwrap_or_default();
    s.push('\n');
    s
}
