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
use archc_bench::gap::{parse, write_instance, Gap};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
