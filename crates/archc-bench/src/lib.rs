//! Benchmarks of archc live in `benches/`; this library holds what several of them share:
//! the placement model, its data from the peers' `gen.py` written as the model's CSV files,
//! and the peak memory of the running process.

pub mod gap;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// A size argument of the placement benches: `2000x50` is 2,000 services (jobs) and 50
/// regions (sites).
pub fn parse_size(s: &str) -> Option<(usize, usize)> {
    let (a, b) = s.split_once('x')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// The capacitated service placement of the peers' facility-location benchmark, over the
/// files [`placement_data`] writes.
pub const PLACEMENT_MODEL: &str = r#"/// Capacitated service placement (the peers' facility-location benchmark).
kind site { capacity: int = 0, open_cost: real = 0 }
kind job { demand: int = 0 }

sites from "sites.csv"
jobs from "jobs.csv"
param cost[j in jobs, s in sites]: real from "cost.csv"

decide open[s in sites]: bool
decide assign[j in jobs, s in sites]: bool

constraint one[j in jobs]: sum(s in sites) assign[j, s] == 1
constraint cap[s in sites]: sum(j in jobs) j.demand * assign[j, s] <= s.capacity * open[s]
constraint only_open[j in jobs, s in sites]: assign[j, s] <= open[s]

minimize total:
    sum(s in sites) s.open_cost * open[s] + sum(j in jobs, s in sites) cost[j, s] * assign[j, s]
"#;

/// Write `sites.csv`, `jobs.csv` and `cost.csv` of the `s` x `r` placement instance into
/// `dir`, from `gen.py`'s JSON (seed 1, generated into `json_dir` once and kept). Does
/// nothing when `dir` already holds `cost.csv`.
pub fn placement_data(
    gen: &Path,
    json_dir: &Path,
    dir: &Path,
    s: usize,
    r: usize,
) -> Result<(), String> {
    if dir.join("cost.csv").exists() {
        return Ok(());
    }
    let json = json_dir.join(format!("fl_{s}x{r}_seed1.json"));
    if !json.exists() {
        let st = Command::new("python3")
            .arg(gen)
            .args([
                "-S",
                &s.to_string(),
                "-R",
                &r.to_string(),
                "--seed",
                "1",
                "-o",
            ])
            .arg(&json)
            .status()
            .map_err(|e| format!("python3: {e}"))?;
        if !st.success() {
            return Err(format!("gen.py failed for {s}x{r}"));
        }
    }
    let text = std::fs::read_to_string(&json).map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let ints = |key: &str| -> Result<Vec<i64>, String> {
        v[key]
            .as_array()
            .ok_or(format!("no `{key}` in the data"))?
            .iter()
            .map(|x| x.as_i64().ok_or(format!("`{key}` holds a non-integer")))
            .collect()
    };
    let (demand, capacity, open_cost) = (ints("demand")?, ints("capacity")?, ints("open_cost")?);
    let mut sites = String::from("name,capacity,open_cost\n");
    for (i, (c, o)) in capacity.iter().zip(&open_cost).enumerate() {
        let _ = writeln!(sites, "r{i},{c},{o}");
    }
    let mut jobs = String::from("name,demand\n");
    for (i, d) in demand.iter().enumerate() {
        let _ = writeln!(jobs, "s{i},{d}");
    }
    let mut cost = String::with_capacity(s * r * 16);
    cost.push_str("job,site,value\n");
    let rows = v["assign_cost"].as_array().ok_or("no `assign_cost`")?;
    for (i, row) in rows.iter().enumerate() {
        for (k, c) in row
            .as_array()
            .ok_or("bad `assign_cost` row")?
            .iter()
            .enumerate()
        {
            let c = c.as_i64().ok_or("`assign_cost` holds a non-integer")?;
            let _ = writeln!(cost, "s{i},r{k},{c}");
        }
    }
    std::fs::write(dir.join("sites.csv"), sites).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("jobs.csv"), jobs).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("cost.csv"), cost).map_err(|e| e.to_string())?;
    Ok(())
}

/// Peak resident memory of this process in MiB (VmHWM), 0 when unknown.
/// CPU seconds (user + system) this process has used so far, from `/proc/self/stat` (clock
/// ticks of 1/100 s); 0 where that file is missing. Beside wall times, it shows what a
/// phase costs whatever else the machine runs.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: f64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

pub fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Analyse and instantiate the model in `path`: the analysis, with its schema and instance,
/// or the first diagnostic when it did not instantiate.
pub fn instantiated(path: &Path) -> Result<archc::analysis::Analysis, String> {
    let a = archc::driver::analyze(
        path,
        &archc::analysis::AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    if a.schema.is_none() || a.instance.is_none() {
        return Err(format!(
            "the model did not instantiate: {:?}",
            a.diagnostics.first()
        ));
    }
    Ok(a)
}
