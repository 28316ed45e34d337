//! The search backend's starts on OR-Library generalised assignment instances: for each
//! instance of the chosen files (minimisation, with the published optimum in
//! `gap_optima.tsv`), the search runs from the greedy start and from the rounded LP
//! relaxation for the same time limit; each plan is verified against the model and compared
//! with the optimum. Prints per instance and start: the start's objective (and whether it met
//! every row), the final objective and its gap to the optimum, and the moves; then the mean
//! gap per start. The load average at the start is printed too (the machine may be shared).
//!
//! Run: `cargo bench -p archc-bench --bench bench_search_start -- [--dir DIR]
//! [--files gapa.txt,gapb.txt] [--time-limit S] [--seed N]`; the default directory is the
//! test data (`crates/archc-cli/tests/data/orlib_gap`).

use archc::analysis::AnalyzeOptions;
use archc::solve::search::{solve_search, SearchStart};
use archc::solve::verify::verify;
use archc::solve::SolveOptions;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

const MODEL: &str = r#"kind agent { capacity: real = 0 }
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

struct Args {
    dir: PathBuf,
    files: Option<Vec<String>>,
    time_limit: f64,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut out = Args {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../archc-cli/tests/data/orlib_gap"),
        files: None,
        time_limit: 2.0,
        seed: 1,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--dir" => out.dir = PathBuf::from(value()?),
            "--files" => out.files = Some(value()?.split(',').map(String::from).collect()),
            "--time-limit" => {
                out.time_limit = value()?.parse().map_err(|_| "bad --time-limit")?;
            }
            "--seed" => out.seed = value()?.parse().map_err(|_| "bad --seed")?,
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(out)
}

/// Costs and uses (`[agent][job]`) and capacities of each instance of an OR-Library file.
type Gap = (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>);

fn parse(text: &str) -> Result<Vec<Gap>, String> {
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
        out.push((cost, uses, capacity));
    }
    Ok(out)
}

fn write_instance(dir: &Path, g: &Gap) -> Result<(), String> {
    let (cost, uses, capacity) = g;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut agents = String::from("name,capacity\n");
    for (a, b) in capacity.iter().enumerate() {
        let _ = writeln!(agents, "a{a},{b}");
    }
    let n = cost[0].len();
    let mut jobs = String::from("name,size\n");
    for j in 0..n {
        let _ = writeln!(jobs, "j{j},1");
    }
    let (mut c, mut u) = (
        String::from("agent,job,value\n"),
        String::from("agent,job,value\n"),
    );
    for a in 0..cost.len() {
        for j in 0..n {
            let _ = writeln!(c, "a{a},j{j},{}", cost[a][j]);
            let _ = writeln!(u, "a{a},j{j},{}", uses[a][j]);
        }
    }
    for (file, text) in [
        ("agents.csv", agents),
        ("jobs.csv", jobs),
        ("cost.csv", c),
        ("load.csv", u),
        ("gap.arch", MODEL.to_string()),
    ] {
        std::fs::write(dir.join(file), text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average at start: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let optima = std::fs::read_to_string(args.dir.join("gap_optima.tsv"))
        .map_err(|e| format!("{}: {e}", args.dir.display()))?;
    let scratch = std::env::temp_dir().join("archc-bench-search-start");
    let mut files: std::collections::HashMap<String, Vec<Gap>> = Default::default();
    let mut sums = [(0.0, 0usize); 2];
    println!(
        "{:<10} {:<7} {:>14} {:>9} {:>12} {:>8} {:>10}",
        "instance", "start", "start obj", "feasible", "objective", "gap", "moves"
    );
    for line in optima.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 8 || f[5] != "min" {
            continue;
        }
        if args
            .files
            .as_ref()
            .is_some_and(|l| !l.iter().any(|x| x == f[0]))
        {
            continue;
        }
        let (file, index, name) = (
            f[0],
            f[1].parse::<usize>().map_err(|e| e.to_string())?,
            f[2],
        );
        let optimum: f64 = f[7].parse().map_err(|_| format!("bad optimum in {line}"))?;
        if !files.contains_key(file) {
            let text = std::fs::read_to_string(args.dir.join(file)).map_err(|e| e.to_string())?;
            files.insert(file.to_string(), parse(&text)?);
        }
        let g = &files[file][index - 1];
        let dir = scratch.join(name);
        write_instance(&dir, g)?;
        let a = archc::driver::analyze(
            &dir.join("gap.arch"),
            &AnalyzeOptions {
                instantiate: true,
                ..Default::default()
            },
        );
        let Some(inst) = a.instance.as_ref().filter(|_| !a.has_errors()) else {
            return Err(format!("{name}: the model does not check"));
        };
        let model = &inst.model;
        for (k, (label, start)) in [("greedy", SearchStart::Greedy), ("lp", SearchStart::Lp)]
            .into_iter()
            .enumerate()
        {
            let opts = SolveOptions {
                time_limit: Some(Duration::from_secs_f64(args.time_limit)),
                ..Default::default()
            };
            let mut report = None;
            let solved = solve_search(model, &opts, args.seed, start, &|_, _| {}, &mut report)
                .map_err(|d| d.message)?;
            let report = report.ok_or("no report")?;
            let ok = !solved.raw.values.is_empty()
                && verify(model, &solved.raw.values, &Default::default()).is_ok();
            let (obj, gap) = if ok {
                let o = solved.raw.objective;
                (format!("{o:.0}"), (o - optimum) / optimum)
            } else {
                ("none".into(), f64::NAN)
            };
            if gap.is_finite() {
                sums[k].0 += gap;
                sums[k].1 += 1;
            }
            println!(
                "{name:<10} {label:<7} {:>14.1} {:>9} {obj:>12} {:>7.3}% {:>10}",
                report.start_objective.unwrap_or(f64::NAN),
                report.start_feasible.unwrap_or(false),
                gap * 100.0,
                report.moves.unwrap_or(0)
            );
        }
    }
    for (k, label) in ["greedy", "lp"].iter().enumerate() {
        let (sum, n) = sums[k];
        println!(
            "mean gap to the optimum from the {label} start: {:.3}% over {n} instances",
            100.0 * sum / n.max(1) as f64
        );
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
