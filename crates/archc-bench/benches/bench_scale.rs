//! Solving at scale: the capacitated service placement of `bench_gen` (data from the peers'
//! `gen.py`, seed 1) solved several ways, each plan verified against the full model and
//! compared with the bound archc proves for the full model (`solve::bound::bound`: the
//! Lagrangian bound for this shape, plus the LP relaxation up to its column limit): the full
//! MILP on HiGHS with a time limit (when built with `--features highs`), partitioned (POP)
//! with each k, the search backend from its greedy start, from the best partitioned plan and
//! from the Lagrangian plans (`solve_search` with the `lagrange` start: the bound thread
//! builds plans from its relaxed solutions while the search runs).
//! Prints time, objective and gap to the bound per way, the bound's own time, the peak
//! memory, and the load average when it started (the machine may be shared). `--lp` also
//! tries the LP relaxation within the time limit, `--lagrangian` the Lagrangian bound alone
//! (within the bound limit), to tell the two bounds apart.
//!
//! Run: `cargo bench -p archc-bench [--features highs] --bench bench_scale -- [SIZES...]
//! [--ks 4,16,64|none] [--time-limit S] [--search-limit S] [--bound-limit S] [--lp]
//! [--lagrangian] [--no-full] [--threads N] [--starts greedy,partition,lagrange] [--gen PATH] [--dir DIR]`,
//! sizes like `20000x100` (default).

use archc::backends::search::shape::Shape;
use archc::backends::search::{search, SearchOptions};
use archc::ir::Model;
use archc::partition::{merge, part_options, rest_options, set_elements, solve_parts, Split};
use archc::solve::bound::{lp_bound, relative_gap};
use archc::solve::verify::{objective_value, verify};
use archc::solve::SolveOptions;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use archc_bench::PLACEMENT_MODEL as MODEL;

struct Args {
    sizes: Vec<(usize, usize)>,
    ks: Vec<u32>,
    time_limit: f64,
    search_limit: f64,
    bound_limit: f64,
    lp: bool,
    lagrangian: bool,
    full: bool,
    threads: Option<u32>,
    starts: Vec<String>,
    gen: PathBuf,
    dir: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        sizes: Vec::new(),
        ks: vec![4, 16, 64],
        time_limit: 60.0,
        search_limit: 60.0,
        bound_limit: 60.0,
        lp: false,
        lagrangian: false,
        full: true,
        threads: None,
        starts: vec!["greedy".into(), "partition".into(), "lagrange".into()],
        gen: PathBuf::from("/work/shared/peers/gen.py"),
        dir: std::env::temp_dir().join("archc-bench"),
    };
    let mut it = args.iter();
    let num = |v: Option<&String>, what: &str| -> Result<f64, String> {
        v.and_then(|v| v.parse().ok())
            .ok_or(format!("{what} takes a number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--ks" => {
                out.ks = it
                    .next()
                    .ok_or("--ks takes a list like 4,16,64")?
                    .split(',')
                    .filter(|k| *k != "none")
                    .map(|k| k.parse().map_err(|_| format!("bad k `{k}`")))
                    .collect::<Result<_, _>>()?
            }
            "--time-limit" => out.time_limit = num(it.next(), "--time-limit")?,
            "--search-limit" => out.search_limit = num(it.next(), "--search-limit")?,
            "--threads" => out.threads = Some(num(it.next(), "--threads")? as u32),
            "--bound-limit" => out.bound_limit = num(it.next(), "--bound-limit")?,
            "--lp" => out.lp = true,
            "--lagrangian" => out.lagrangian = true,
            "--starts" => {
                out.starts = it
                    .next()
                    .ok_or("--starts takes a list like greedy,partition,lagrange")?
                    .split(',')
                    .map(String::from)
                    .collect()
            }
            "--no-full" => out.full = false,
            "--gen" => out.gen = PathBuf::from(it.next().ok_or("--gen takes a path")?),
            "--dir" => out.dir = PathBuf::from(it.next().ok_or("--dir takes a path")?),
            "--bench" => {}
            s => {
                let (a, b) = s
                    .split_once('x')
                    .ok_or_else(|| format!("not a size like 20000x100: `{s}`"))?;
                out.sizes.push((
                    a.parse().map_err(|_| format!("bad size `{s}`"))?,
                    b.parse().map_err(|_| format!("bad size `{s}`"))?,
                ));
            }
        }
    }
    if out.sizes.is_empty() {
        out.sizes = vec![(20000, 100)];
    }
    Ok(out)
}

/// Generate the data with gen.py (once) and write it as the model's CSV files.
fn prepare(args: &Args, s: usize, r: usize) -> Result<PathBuf, String> {
    let dir = args.dir.join(format!("scale-{s}x{r}"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("model.arch"), MODEL).map_err(|e| e.to_string())?;
    archc_bench::placement_data(&args.gen, &args.dir, &dir, s, r)?;
    Ok(dir)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// One line of the results: the plan verified against the full model.
fn line(way: &str, secs: f64, model: &Model, values: &[f64], bound: Option<f64>) {
    let ok = !values.is_empty() && verify(model, values, &Default::default()).is_ok();
    if !ok {
        println!("{way:<28} {secs:>9.1} s   no verified plan");
        return;
    }
    let obj = objective_value(model, values);
    let gap = bound.map_or("unknown".to_string(), |b| {
        format!(
            "{:.3}%",
            100.0 * relative_gap(obj, b, archc::ir::Sense::Minimize)
        )
    });
    println!("{way:<28} {secs:>9.1} s   objective {obj:>14.1}   gap to the bound {gap}");
}

fn run_size(args: &Args, s: usize, r: usize) -> Result<(), String> {
    println!("== {s}x{r} (load average at start: {})", load_average());
    let dir = prepare(args, s, r)?;
    let t = Instant::now();
    let a = archc_bench::instantiated(&dir.join("model.arch"))?;
    let (Some(schema), Some(inst)) = (a.schema.as_ref(), a.instance.as_ref()) else {
        return Err("the analysis has no instance".into());
    };
    let model = &inst.model;
    println!(
        "{:<28} {:>9.1} s   {} columns, {} rows, {} nonzeros",
        "build",
        t.elapsed().as_secs_f64(),
        model.num_columns(),
        model.num_rows(),
        model.num_nonzeros()
    );
    let opts = SolveOptions {
        time_limit: Some(Duration::from_secs_f64(args.time_limit)),
        threads: args.threads,
        ..Default::default()
    };
    // Each way's plan (empty: none verified), printed once the bound is known.
    let mut results: Vec<(String, f64, Vec<f64>, String)> = Vec::new();
    if args.full && cfg!(feature = "highs") {
        let t = Instant::now();
        let raw = archc::solve::solve_milp(
            model,
            &SolveOptions {
                solver: Some(archc::solve::SolverKind::Highs),
                ..opts.clone()
            },
        )
        .map_err(|d| d.message)?;
        let note = raw.gap.map_or(String::new(), |g| {
            format!("highs' own gap {:.3}%", g * 100.0)
        });
        results.push((
            "full milp (highs)".into(),
            t.elapsed().as_secs_f64(),
            raw.values,
            note,
        ));
        eprintln!("  full milp done (load {})", load_average());
    }
    let items = set_elements(schema, inst, "jobs").map_err(|d| d.message)?;
    let mut best_partitioned: Option<(f64, Vec<f64>)> = None;
    for &k in &args.ks {
        let t = Instant::now();
        let split = Split::new(model, "jobs", &items, k, 1).map_err(|d| d.message)?;
        let parts: Vec<u32> = (0..k).collect();
        let plans = solve_parts(model, &split, &parts, &part_options(&split, &opts))
            .map_err(|d| d.message)?;
        let mut values = merge::merge(model, &split, &plans);
        let failed: Vec<u32> = plans.iter().filter(|p| !p.solved).map(|p| p.part).collect();
        let rep = merge::repair(model, &split, &mut values, &failed, &rest_options(&opts, t));
        let by_search = plans.iter().filter(|p| p.status.contains("search")).count();
        let slowest = plans.iter().map(|p| p.time_ms).max().unwrap_or(0);
        let values = if rep.ok { values } else { Vec::new() };
        if !values.is_empty() && verify(model, &values, &Default::default()).is_ok() {
            let obj = objective_value(model, &values);
            if best_partitioned.as_ref().is_none_or(|(o, _)| obj < *o) {
                best_partitioned = Some((obj, values.clone()));
            }
        }
        results.push((
            format!("partitioned k={k}"),
            t.elapsed().as_secs_f64(),
            values,
            format!(
                "slowest part {slowest} ms, {by_search} parts by search, {} failed parts, {} items repaired",
                failed.len(),
                rep.freed_items
            ),
        ));
        eprintln!("  k={k} done (load {})", load_average());
    }
    let shape = Shape::of(model).map_err(|n| n.why)?;
    let mut starts: Vec<(String, Option<Vec<f64>>)> = Vec::new();
    let wants = |s: &str| args.starts.iter().any(|w| w == s);
    if wants("greedy") {
        starts.push(("search".into(), None));
    }
    if let (Some((_, v)), true) = (best_partitioned, wants("partition")) {
        starts.push(("search from partitioned".into(), Some(v)));
    }
    for (way, start) in starts {
        let t = Instant::now();
        let found = search(
            model,
            &shape,
            &SearchOptions {
                time_limit: Duration::from_secs_f64(args.search_limit),
                seed: 1,
                start: start.as_deref(),
                progress: &|p| {
                    eprintln!(
                        "  {way} {:>5.1}s incumbent {} moves {}",
                        p.elapsed.as_secs_f64(),
                        p.incumbent
                            .map_or("none".to_string(), |v| format!("{v:.1}")),
                        p.moves
                    )
                },
                control: &archc::backends::milp::SolveControl::default(),
                inbox: None,
            },
        );
        results.push((
            way,
            t.elapsed().as_secs_f64(),
            if found.feasible {
                found.values
            } else {
                Vec::new()
            },
            format!("{} moves", found.moves),
        ));
    }
    if wants("lagrange") {
        let t = Instant::now();
        let mut report = None;
        let solved = archc::solve::search::solve_search(
            model,
            &SolveOptions {
                time_limit: Some(Duration::from_secs_f64(args.search_limit)),
                ..opts.clone()
            },
            1,
            archc::solve::search::SearchStart::Lagrange,
            &|p, b| {
                eprintln!(
                    "  search from lagrange {:>5.1}s incumbent {} bound {} moves {}",
                    p.elapsed.as_secs_f64(),
                    p.incumbent
                        .map_or("none".to_string(), |v| format!("{v:.1}")),
                    b.map_or("computing".to_string(), |v| format!("{v:.1}")),
                    p.moves
                )
            },
            &mut report,
        )
        .map_err(|d| d.message)?;
        let start = report
            .as_ref()
            .and_then(|r| r.start_objective)
            .map_or(String::new(), |o| format!("start {o:.1}, "));
        let own = report
            .as_ref()
            .and_then(|r| r.bound.as_ref())
            .map_or(String::new(), |b| format!(", its own bound {:.1}", b.value));
        results.push((
            "search from lagrange".into(),
            t.elapsed().as_secs_f64(),
            solved.raw.values,
            format!("{start}{}{own}", solved.reason),
        ));
    }
    let best = results
        .iter()
        .filter(|r| !r.2.is_empty() && verify(model, &r.2, &Default::default()).is_ok())
        .map(|r| objective_value(model, &r.2))
        .fold(None, |b: Option<f64>, o| Some(b.map_or(o, |b| b.min(o))));
    let t = Instant::now();
    let bound = archc::solve::bound::bound(
        model,
        &SolveOptions {
            time_limit: Some(Duration::from_secs_f64(args.bound_limit)),
            ..opts.clone()
        },
        &|| best,
    );
    match &bound {
        Some(b) => println!(
            "{:<28} {:>9.1} s   bound {:>18.1}   {}",
            "bound",
            t.elapsed().as_secs_f64(),
            b.value,
            b.method
        ),
        None => println!(
            "{:<28} {:>9.1} s   no bound within the time limit",
            "bound",
            t.elapsed().as_secs_f64()
        ),
    }
    if args.lp {
        let t = Instant::now();
        match lp_bound(model, &opts) {
            Some(b) => println!(
                "{:<28} {:>9.1} s   bound {:>18.1}",
                b.method,
                t.elapsed().as_secs_f64(),
                b.value
            ),
            None => println!(
                "{:<28} {:>9.1} s   no LP bound within the time limit",
                "lp relaxation",
                t.elapsed().as_secs_f64()
            ),
        }
    }
    if args.lagrangian {
        let t = Instant::now();
        let l = archc::solve::lagrange::lagrangian_bound(
            model,
            &shape,
            &archc::solve::lagrange::LagrangeOptions {
                time_limit: Duration::from_secs_f64(args.bound_limit),
                upper: &|| best,
                stop: &|| false,
                pace: archc::solve::lagrange::PlanPace::Timed,
            },
        );
        match l {
            Some(l) => println!(
                "{:<28} {:>9.1} s   bound {:>18.1}   {} steps",
                "lagrangian bound alone",
                t.elapsed().as_secs_f64(),
                l.value,
                l.steps
            ),
            None => println!(
                "{:<28} no solution of the relaxed problem",
                "lagrangian bound alone"
            ),
        }
        let t = Instant::now();
        let l = archc::solve::lagrange::knapsack_bound_with_plans(
            model,
            &shape,
            &archc::solve::lagrange::LagrangeOptions {
                time_limit: Duration::from_secs_f64(args.bound_limit),
                upper: &|| best,
                stop: &|| false,
                pace: archc::solve::lagrange::PlanPace::Timed,
            },
            None,
        );
        match l {
            Some(l) => println!(
                "{:<28} {:>9.1} s   bound {:>18.1}   {} steps, {:?}",
                "knapsack bound alone",
                t.elapsed().as_secs_f64(),
                l.value,
                l.steps,
                l.knapsacks
            ),
            None => println!(
                "{:<28} no solution of the relaxed problem",
                "knapsack bound alone"
            ),
        }
    }
    let bound = bound.map(|b| b.value);
    for (way, secs, values, note) in &results {
        line(way, *secs, model, values, bound);
        if !note.is_empty() {
            println!("{:<28} {:>11}   {note}", "", "");
        }
    }
    println!("peak memory {:.0} MiB", archc_bench::peak_mib());
    Ok(())
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    for &(s, r) in &args.sizes {
        if let Err(e) = run_size(&args, s, r) {
            eprintln!("error: {s}x{r}: {e}");
            std::process::exit(1);
        }
    }
}
