//! OR-Library generalised assignment instances (`gap*.txt`, Beasley's format) as archc
//! models: the parser, the model and the CSV files of one instance. Used by
//! `bench_search_start` and by the search backend's tests (`archc-cli/tests/search_gap.rs`).

use std::fmt::Write as _;
use std::path::Path;

/// The generalised assignment model the instances are written for.
pub const MODEL: &str = r#"/// Generalised assignment: every job to one agent, within the agents' capacities.
kind agent { capacity: real = 0 }
kind job { size: real = 0 }
agents from "agents.csv"
jobs from "jobs.csv"
param cost[a in agents, j in jobs]: real from "cost.csv"
param load[a in agents, j in jobs]: real from "load.csv"
decide x[a in agents, j in jobs]: bool
constraint one[j in jobs]: sum(a in agents) x[a, j] == 1
constraint cap[a in agents]: sum(j in jobs) load[a, j] * x[a, j] <= a.capacity
minimize total: sum(a in agents, j in jobs) cost[a, j] * x[a, j]
"#;

/// One instance: costs and uses (`[agent][job]`) and capacities.
pub struct Gap {
    pub cost: Vec<Vec<f64>>,
    pub uses: Vec<Vec<f64>>,
    pub capacity: Vec<f64>,
}

/// The instances of one OR-Library file.
pub fn parse(text: &str) -> Result<Vec<Gap>, String> {
    let nums: Vec<f64> = text
        .split_whitespace()
        .map(|t| t.parse::<f64>().map_err(|_| format!("not a number: {t}")))
        .collect::<Result<_, _>>()?;
    let mut it = nums.into_iter();
    let mut next = || it.next().ok_or("the file ends early".to_string());
    let p = next()? as usize;
    let mut out = Vec::new();
    for _ in 0..p {
        let (m, n) = (next()? as usize, next()? as usize);
        let mut table = || -> Result<Vec<Vec<f64>>, String> {
            (0..m).map(|_| (0..n).map(|_| next()).collect()).collect()
        };
        let cost = table()?;
        let uses = table()?;
        let capacity = (0..m).map(|_| next()).collect::<Result<_, _>>()?;
        out.push(Gap {
            cost,
            uses,
            capacity,
        });
    }
    Ok(out)
}

/// Write the instance as CSV files and [`MODEL`] as `gap.arch` into `dir` (created).
pub fn write_instance(dir: &Path, g: &Gap) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut agents = String::from("name,capacity\n");
    for (a, b) in g.capacity.iter().enumerate() {
        let _ = writeln!(agents, "a{a},{b}");
    }
    let n = g.cost.first().map_or(0, Vec::len);
    let mut jobs = String::from("name,size\n");
    for j in 0..n {
        let _ = writeln!(jobs, "j{j},1");
    }
    let (mut cost, mut uses) = (
        String::from("agent,job,value\n"),
        String::from("agent,job,value\n"),
    );
    for a in 0..g.cost.len() {
        for j in 0..n {
            let _ = writeln!(cost, "a{a},j{j},{}", g.cost[a][j]);
            let _ = writeln!(uses, "a{a},j{j},{}", g.uses[a][j]);
        }
    }
    for (file, text) in [
        ("agents.csv", agents),
        ("jobs.csv", jobs),
        ("cost.csv", cost),
        ("load.csv", uses),
        ("gap.arch", MODEL.to_string()),
    ] {
        std::fs::write(dir.join(file), text).map_err(|e| format!("{file}: {e}"))?;
    }
    Ok(())
}
