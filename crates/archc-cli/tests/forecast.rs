//! Forecasting: accuracy on an M3 subset above a floor, `archc forecast` output (text,
//! backtest, JSON) through the binary, and forecast params filling a plan.

use archc::forecast::{forecast, metrics, Method, Spec};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}

struct Series {
    period: usize,
    train: Vec<f64>,
    test: Vec<f64>,
}

fn m3_subset() -> Vec<Series> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/m3_subset");
    let meta = std::fs::read_to_string(dir.join("m3_series.csv")).expect("subset metadata");
    let values = std::fs::read_to_string(dir.join("m3_values.csv")).expect("subset values");
    let mut out: Vec<(String, Series)> = meta
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.splitn(6, ',').collect();
            (
                c[0].to_string(),
                Series {
                    period: c[2].parse().expect("period"),
                    train: vec![],
                    test: vec![],
                },
            )
        })
        .collect();
    for l in values.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        let s = out
            .iter_mut()
            .find(|(n, _)| n == c[0])
            .expect("known series");
        let v: f64 = c[3].parse().expect("value");
        if c[1] == "train" {
            s.1.train.push(v);
        } else {
            s.1.test.push(v);
        }
    }
    out.into_iter().map(|x| x.1).collect()
}

/// Mean sMAPE and MASE of `method` over the subset.
fn accuracy(method: Method) -> (f64, f64) {
    let series = m3_subset();
    assert_eq!(series.len(), 30);
    let (mut s, mut m) = (0.0, 0.0);
    for x in &series {
        let f = forecast(
            &x.train,
            &Spec {
                method,
                period: x.period,
                horizon: x.test.len(),
            },
        )
        .expect("every subset series can be forecast");
        s += metrics::smape(&x.test, &f.point);
        m += metrics::mase(&x.train, &x.test, &f.point, x.period);
    }
    (s / series.len() as f64, m / series.len() as f64)
}

/// Automatic selection on 30 M3 series stays above a floor and beats the naive forecast.
#[test]
fn m3_subset_accuracy_floor() {
    let (smape, mase) = accuracy(Method::Auto);
    let (naive_smape, naive_mase) = accuracy(Method::Naive);
    println!("M3 subset, auto: sMAPE {smape:.2}, MASE {mase:.3}; naive: {naive_smape:.2}, {naive_mase:.3}");
    assert!(
        smape < FLOOR_SMAPE,
        "sMAPE {smape:.2} above the floor {FLOOR_SMAPE}"
    );
    assert!(
        mase < FLOOR_MASE,
        "MASE {mase:.3} above the floor {FLOOR_MASE}"
    );
    assert!(
        smape < naive_smape && mase < naive_mase,
        "auto {smape:.2}/{mase:.3} is no better than naive {naive_smape:.2}/{naive_mase:.3}"
    );
}

/// Floors: the measured subset figures of the ETS-Theta combination (sMAPE 13.82, MASE
/// 1.842) plus about 5 %.
const FLOOR_SMAPE: f64 = 14.5;
const FLOOR_MASE: f64 = 1.93;

fn archc(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("archc runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from("crates/archc-cli/tests/fixtures/data/ok").join(name)
}

#[test]
fn forecast_command_prints_every_series_with_intervals() {
    let f = fixture("forecast_quarterly.arch");
    let (out, err, code) = archc(&["forecast", f.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("forecast_text", out);
}

#[test]
fn forecast_command_backtests_against_baselines() {
    let f = fixture("forecast_quarterly.arch");
    let (out, err, code) = archc(&[
        "forecast",
        f.to_str().expect("utf-8 path"),
        "--backtest",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("forecast_backtest", out);
}

#[test]
fn forecast_command_json_has_intervals_and_seeded_paths() {
    let f = fixture("forecast_quarterly.arch");
    let f = f.to_str().expect("utf-8 path");
    let run = |seed: &str| {
        let (out, err, code) = archc(&[
            "forecast", f, "--format", "json", "--paths", "5", "--seed", seed,
        ]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).expect("JSON")
    };
    let a = run("3");
    assert_eq!(a, run("3"), "the same seed gives the same output");
    assert_ne!(
        a["forecasts"][0]["paths"],
        run("4")["forecasts"][0]["paths"]
    );
    let items = a["forecasts"].as_array().expect("forecasts");
    // demand (2 sites), expected (2 sites), scenario (2 sites).
    assert_eq!(items.len(), 6);
    for s in items {
        let mean = s["mean"].as_array().expect("mean");
        assert_eq!(mean.len(), 4);
        for i in 0..4 {
            let m = mean[i].as_f64().expect("number");
            let lo95 = s["lower95"][i].as_f64().expect("number");
            let lo80 = s["lower80"][i].as_f64().expect("number");
            let hi80 = s["upper80"][i].as_f64().expect("number");
            let hi95 = s["upper95"][i].as_f64().expect("number");
            assert!(
                lo95 <= lo80 && lo80 <= m && m <= hi80 && hi80 <= hi95,
                "{s}"
            );
        }
        assert_eq!(s["paths"]["values"].as_array().expect("paths").len(), 5);
    }
}
