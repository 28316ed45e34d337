//! Forecast accuracy on the M3 competition and forecasting speed on many short series.
//!
//! `m3` (default): every M3 series (3,003: yearly, quarterly, monthly, other) is forecast from
//! its training part over its horizon h with each method asked for; prints sMAPE (the
//! recalculated form, mean of 200·|y−f|/(|y|+|f|)) and MASE (scaled by the in-sample
//! seasonal-naive MAE) per category and overall, the coverage of the 80 % and 95 % intervals,
//! the series that could not be fitted, and the time. Published (all 3,003 series): Theta
//! 12.76 / 1.39, ForecastPro 13.06 / 1.47.
//!
//! `speed`: N (default 10,000) generated monthly series of 48 points (level, trend, yearly
//! season, noise; deterministic), forecast 12 ahead by automatic selection in parallel
//! (rayon); prints the time, series per second, the peak RSS (`VmHWM`) and the sMAPE on 12
//! held-out points generated with them. `--write FILE` writes the same series (train and
//! test) as CSV for the Python peer (`peers/statsforecast_peer.py`).
//!
//! Run: `cargo bench -p archc-bench --bench bench_forecast -- [m3] [--m3 DIR]
//! [--methods auto,ets,theta,arima,naive,snaive] [--limit N]` or `-- speed [--n N]
//! [--write FILE]`. The M3 files are looked for in `--m3 DIR`, then `shared/data/m3` in the
//! workspace's parent folders.

use archc::forecast::{forecast, metrics, Method, Spec};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One M3 series.
struct Series {
    category: String,
    period: usize,
    train: Vec<f64>,
    test: Vec<f64>,
}

fn m3_dir(flag: Option<&str>) -> Result<PathBuf, String> {
    if let Some(d) = flag {
        return Ok(PathBuf::from(d));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for a in root.ancestors() {
        let d = a.join("shared/data/m3");
        if d.join("m3_series.csv").is_file() {
            return Ok(d);
        }
    }
    Err("no M3 data: pass --m3 DIR (a folder with m3_series.csv and m3_values.csv)".into())
}

/// Reads `m3_series.csv` and `m3_values.csv` (formats in the data's SOURCES.md).
fn load_m3(dir: &Path) -> Result<Vec<Series>, String> {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).map_err(|e| format!("{}: {e}", dir.join(f).display()))
    };
    let meta = read("m3_series.csv")?;
    let mut out = Vec::new();
    let mut index = BTreeMap::new();
    for line in meta.lines().skip(1) {
        let cells: Vec<&str> = line.splitn(6, ',').collect();
        if cells.len() < 5 {
            continue;
        }
        let period: usize = cells[2]
            .parse()
            .map_err(|_| format!("bad period: {line}"))?;
        index.insert(cells[0].to_string(), out.len());
        out.push(Series {
            category: cells[1].into(),
            period,
            train: Vec::new(),
            test: Vec::new(),
        });
    }
    let values = read("m3_values.csv")?;
    for line in values.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != 4 {
            continue;
        }
        let Some(&i) = index.get(cells[0]) else {
            continue;
        };
        let v: f64 = cells[3].parse().map_err(|_| format!("bad value: {line}"))?;
        match cells[1] {
            "train" => out[i].train.push(v),
            _ => out[i].test.push(v),
        }
    }
    Ok(out)
}

/// Sums of one method over a group of series.
#[derive(Default, Clone)]
struct Acc {
    n: usize,
    smape: f64,
    mase: f64,
    in80: usize,
    in95: usize,
    points: usize,
    failed: usize,
}

impl Acc {
    fn add(&mut self, other: &Acc) {
        self.n += other.n;
        self.smape += other.smape;
        self.mase += other.mase;
        self.in80 += other.in80;
        self.in95 += other.in95;
        self.points += other.points;
        self.failed += other.failed;
    }

    fn row(&self, what: &str) -> String {
        let n = self.n.max(1) as f64;
        let p = self.points.max(1) as f64;
        format!(
            "| {what} | {} | {:.2} | {:.3} | {:.1} % | {:.1} % | {} |",
            self.n,
            self.smape / n,
            self.mase / n,
            100.0 * self.in80 as f64 / p,
            100.0 * self.in95 as f64 / p,
            self.failed
        )
    }
}

/// Forecast one series; a series no method can fit gets the naive forecast (and counts as
/// failed), as a competition entry would.
fn score(s: &Series, method: Method) -> Acc {
    let spec = Spec {
        method,
        period: s.period,
        horizon: s.test.len(),
    };
    let mut failed = 0;
    let f = match forecast(&s.train, &spec) {
        Ok(f) => f,
        Err(_) => {
            failed = 1;
            match forecast(
                &s.train,
                &Spec {
                    method: Method::Naive,
                    ..spec
                },
            ) {
                Ok(f) => f,
                Err(_) => {
                    return Acc {
                        failed: 1,
                        ..Acc::default()
                    }
                }
            }
        }
    };
    let (l80, u80) = f.interval(0.8);
    let (l95, u95) = f.interval(0.95);
    let h = s.test.len();
    Acc {
        n: 1,
        smape: metrics::smape(&s.test, &f.point),
        mase: metrics::mase(&s.train, &s.test, &f.point, s.period),
        in80: (0..h)
            .filter(|&i| l80[i] <= s.test[i] && s.test[i] <= u80[i])
            .count(),
        in95: (0..h)
            .filter(|&i| l95[i] <= s.test[i] && s.test[i] <= u95[i])
            .count(),
        points: h,
        failed,
    }
}

fn run_m3(args: &[String]) -> Result<(), String> {
    let dir = m3_dir(flag(args, "--m3"))?;
    let mut all = load_m3(&dir)?;
    if let Some(l) = flag(args, "--limit") {
        let l: usize = l.parse().map_err(|_| "--limit N")?;
        // Every k-th series, so that a limited run still spans the categories.
        let step = (all.len() / l.max(1)).max(1);
        all = all.into_iter().step_by(step).take(l).collect();
    }
    let methods: Vec<Method> = flag(args, "--methods")
        .unwrap_or("auto,ets,theta,arima,naive,snaive")
        .split(',')
        .map(|m| Method::parse(m.trim()).ok_or(format!("unknown method `{m}`")))
        .collect::<Result<_, _>>()?;
    println!(
        "M3: {} series from {} ({} threads)",
        all.len(),
        dir.display(),
        rayon::current_num_threads()
    );
    println!("Published, all 3,003 series: Theta 12.76 / 1.39, ForecastPro 13.06 / 1.47 (sMAPE / MASE).\n");
    for method in methods {
        let t = Instant::now();
        let per: Vec<(String, Acc)> = all
            .par_iter()
            .map(|s| (s.category.clone(), score(s, method)))
            .collect();
        let secs = t.elapsed().as_secs_f64();
        let mut by: BTreeMap<String, Acc> = BTreeMap::new();
        let mut total = Acc::default();
        for (c, a) in &per {
            by.entry(c.clone()).or_default().add(a);
            total.add(a);
        }
        println!("### {method} ({secs:.1} s)\n");
        println!(
            "| category | series | sMAPE | MASE | 80 % coverage | 95 % coverage | not fitted |"
        );
        println!("|---|---|---|---|---|---|---|");
        for (c, a) in &by {
            println!("{}", a.row(c));
        }
        println!("{}\n", total.row("**all**"));
    }
    Ok(())
}

/// A deterministic generator for the speed series.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (a, b) = (self.uniform(), self.uniform());
        (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()
    }
}

/// `n` monthly series of 48 + 12 points: level 100..1000, trend, yearly season, 5 % noise.
fn speed_series(n: usize) -> Vec<Vec<f64>> {
    let mut g = Lcg(2026);
    (0..n)
        .map(|_| {
            let level = 100.0 + 900.0 * g.uniform();
            let trend = level * 0.01 * (g.uniform() - 0.3);
            let amp = level * 0.2 * g.uniform();
            let phase = 12.0 * g.uniform();
            (0..60)
                .map(|t| {
                    let t = t as f64;
                    let season = amp * (2.0 * std::f64::consts::PI * (t + phase) / 12.0).sin();
                    (level + trend * t + season + 0.05 * level * g.normal()).max(1.0)
                })
                .collect()
        })
        .collect()
}

fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn run_speed(args: &[String]) -> Result<(), String> {
    let n: usize = flag(args, "--n")
        .unwrap_or("10000")
        .parse()
        .map_err(|_| "--n N")?;
    let series = speed_series(n);
    if let Some(path) = flag(args, "--write") {
        let mut out = String::from("unique_id,ds,y,part\n");
        for (i, s) in series.iter().enumerate() {
            for (t, v) in s.iter().enumerate() {
                let part = if t < 48 { "train" } else { "test" };
                out.push_str(&format!("s{i},{},{v},{part}\n", t + 1));
            }
        }
        std::fs::write(path, out).map_err(|e| format!("{path}: {e}"))?;
        println!("wrote {n} series to {path}");
        return Ok(());
    }
    let t = Instant::now();
    let results: Vec<Option<f64>> = series
        .par_iter()
        .map(|s| {
            let spec = Spec {
                method: Method::Auto,
                period: 12,
                horizon: 12,
            };
            forecast(&s[..48], &spec)
                .ok()
                .map(|f| metrics::smape(&s[48..], &f.point))
        })
        .collect();
    let secs = t.elapsed().as_secs_f64();
    let ok: Vec<f64> = results.iter().flatten().copied().collect();
    println!(
        "speed: {n} series x 48 monthly points, auto, h = 12, {} threads: {secs:.2} s ({:.0} series/s), peak RSS {} MiB, sMAPE {:.2} ({} not fitted)",
        rayon::current_num_threads(),
        n as f64 / secs,
        peak_rss_mib().map_or("?".into(), |m| format!("{m:.0}")),
        ok.iter().sum::<f64>() / ok.len().max(1) as f64,
        n - ok.len()
    );
    Ok(())
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let r = match args.first().map(String::as_str) {
        Some("speed") => run_speed(&args),
        _ => run_m3(&args),
    };
    if let Err(e) = r {
        eprintln!("bench_forecast: {e}");
        std::process::exit(2);
    }
}
