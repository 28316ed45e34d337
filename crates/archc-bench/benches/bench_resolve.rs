//! Re-solving from the embedding API: the time to take changed param values into a compiled
//! model ([`archc::Compiled::set_param`] then [`archc::Compiled::update`]: instantiation from
//! the checked model, no parsing or checking) against a fresh compile of the same model
//! (parse, check, data load, instantiate), on the capacitated placement of `bench_gen`
//! (data from the peers' `gen.py`, seed 1). Two changes, each to one job in `--every N`
//! (default 20), up 3 %: `cost`, the assignment cost of the job to each site (read by the
//! objective only), and `demand`, the job's demand (a param `need[j] = j.demand` read by the
//! capacity rows; the model is the placement model with `cap` written over `need`). Both
//! leave the structure as it was, so the update is in place (only the declarations that read
//! the changed param are instantiated again); the bench says how each update was done. The
//! updated model is compared with the fresh compile of a model whose data files hold the
//! same changes: the same columns, the same rows with the same coefficients and bounds, the
//! same objective, or the bench fails.
//!
//! Run: `cargo bench -p archc-bench --bench bench_resolve -- [SIZES...] [--every N]
//! [--runs N] [--change cost|demand|both] [--gen PATH] [--dir DIR]`, sizes like `2000x50`
//! (default `2000x50 10000x100`).

use std::path::PathBuf;
use std::time::Instant;

use archc_bench::PLACEMENT_MODEL as MODEL;

struct Args {
    sizes: Vec<(usize, usize)>,
    every: usize,
    runs: usize,
    changes: Vec<Change>,
    gen: PathBuf,
    dir: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        sizes: Vec::new(),
        every: 20,
        runs: 3,
        changes: vec![Change::Cost, Change::Demand],
        gen: PathBuf::from("/work/shared/peers/gen.py"),
        dir: std::env::temp_dir().join("archc-bench"),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| it.next().cloned().ok_or(format!("{a} needs {what}"));
        match a.as_str() {
            "--bench" => {}
            "--every" => out.every = value("N")?.parse().map_err(|_| "bad --every")?,
            "--runs" => out.runs = value("N")?.parse().map_err(|_| "bad --runs")?,
            "--change" => {
                out.changes = match value("cost, demand or both")?.as_str() {
                    "cost" => vec![Change::Cost],
                    "demand" => vec![Change::Demand],
                    "both" => vec![Change::Cost, Change::Demand],
                    other => {
                        return Err(format!("--change takes cost, demand or both, not {other}"))
                    }
                }
            }
            "--gen" => out.gen = PathBuf::from(value("a path")?),
            "--dir" => out.dir = PathBuf::from(value("a path")?),
            s => out
                .sizes
                .push(archc_bench::parse_size(s).ok_or(format!("unknown argument {s}"))?),
        }
    }
    if out.sizes.is_empty() {
        out.sizes = vec![(2000, 50), (10000, 100)];
    }
    out.every = out.every.max(1);
    Ok(out)
}

#[derive(Clone, Copy, PartialEq)]
enum Change {
    Cost,
    Demand,
}

/// The placement model with the capacity rows written over a param `need` (the job's
/// demand), which `set_param` can change.
fn demand_model() -> String {
    let cap = "constraint cap[s in sites]: sum(j in jobs) j.demand * assign[j, s] <= s.capacity * open[s]";
    assert!(MODEL.contains(cap), "the placement model's capacity rows");
    MODEL.replace(
        cap,
        "param need[j in jobs]: int = j.demand\nconstraint cap[s in sites]: sum(j in jobs) need[j] * assign[j, s] <= s.capacity * open[s]",
    )
}

/// Whether two instantiated models are the same: columns, rows, every coefficient and
/// bound, objective.
fn same_model(a: &archc::ir::Model, b: &archc::ir::Model) -> bool {
    a.num_columns() == b.num_columns()
        && a.num_rows() == b.num_rows()
        && a.row_start == b.row_start
        && a.row_cols == b.row_cols
        && a.row_vals == b.row_vals
        && a.rows
            .iter()
            .zip(&b.rows)
            .all(|(x, y)| x.lo == y.lo && x.hi == y.hi)
        && serde_json::to_string(&a.objective).ok() == serde_json::to_string(&b.objective).ok()
}

/// The rows of `jobs.csv` (name, demand).
fn read_jobs(dir: &std::path::Path) -> Result<Vec<(String, f64)>, String> {
    let text = std::fs::read_to_string(dir.join("jobs.csv")).map_err(|e| e.to_string())?;
    text.lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            match (
                f.next(),
                f.next().and_then(|d| d.trim().parse::<f64>().ok()),
            ) {
                (Some(j), Some(d)) => Ok((j.to_string(), d)),
                _ => Err(format!("bad job row `{l}`")),
            }
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The rows of `cost.csv` (job, site, cost) and the changed ones.
fn read_costs(dir: &std::path::Path) -> Result<Vec<(String, String, f64)>, String> {
    let text = std::fs::read_to_string(dir.join("cost.csv")).map_err(|e| e.to_string())?;
    text.lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            let (j, s, c) = (f.next(), f.next(), f.next());
            match (j, s, c.and_then(|c| c.trim().parse::<f64>().ok())) {
                (Some(j), Some(s), Some(c)) => Ok((j.to_string(), s.to_string(), c)),
                _ => Err(format!("bad cost row `{l}`")),
            }
        })
        .collect()
}

fn run(args: &Args) -> Result<(), String> {
    println!(
        "| size | change | changed values | fresh compile | set_param | update | update / fresh | how |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for &(s, r) in &args.sizes {
        let dir = args.dir.join(format!("{s}x{r}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        archc_bench::placement_data(&args.gen, &args.dir, &dir, s, r)?;
        for &change in &args.changes {
            one_change(args, &dir, s, r, change)?;
        }
    }
    Ok(())
}

/// Time one kind of change at one size and print its row.
fn one_change(
    args: &Args,
    dir: &std::path::Path,
    s: usize,
    r: usize,
    change: Change,
) -> Result<(), String> {
    let model_text = match change {
        Change::Cost => MODEL.to_string(),
        Change::Demand => demand_model(),
    };
    let model_path = dir.join(match change {
        Change::Cost => "resolve.arch",
        Change::Demand => "resolve-demand.arch",
    });
    std::fs::write(&model_path, &model_text).map_err(|e| e.to_string())?;
    let costs = read_costs(dir)?;
    let jobs = read_jobs(dir)?;
    let changed: std::collections::HashSet<&str> = jobs
        .iter()
        .map(|j| j.0.as_str())
        .step_by(args.every)
        .collect();
    // (param, index, new value), and the same change as a data set for the fresh compile.
    let changed_dir = args.dir.join(format!(
        "{s}x{r}-{}3",
        if change == Change::Cost {
            "cost"
        } else {
            "demand"
        }
    ));
    std::fs::create_dir_all(&changed_dir).map_err(|e| e.to_string())?;
    std::fs::copy(dir.join("sites.csv"), changed_dir.join("sites.csv"))
        .map_err(|e| e.to_string())?;
    let mut changes: Vec<(&str, Vec<&str>, f64)> = Vec::new();
    match change {
        Change::Cost => {
            std::fs::copy(dir.join("jobs.csv"), changed_dir.join("jobs.csv"))
                .map_err(|e| e.to_string())?;
            let mut csv = String::from("job,site,value\n");
            for (j, site, c) in &costs {
                let c = if changed.contains(j.as_str()) {
                    changes.push(("cost", vec![j, site], c * 1.03));
                    c * 1.03
                } else {
                    *c
                };
                csv.push_str(&format!("{j},{site},{c}\n"));
            }
            std::fs::write(changed_dir.join("cost.csv"), csv).map_err(|e| e.to_string())?;
        }
        Change::Demand => {
            std::fs::copy(dir.join("cost.csv"), changed_dir.join("cost.csv"))
                .map_err(|e| e.to_string())?;
            let mut csv = String::from("name,demand\n");
            for (j, d) in &jobs {
                // Demands are whole numbers: up 3 %, rounded up.
                let d = if changed.contains(j.as_str()) {
                    let up = (d * 1.03).ceil();
                    changes.push(("need", vec![j], up));
                    up
                } else {
                    *d
                };
                csv.push_str(&format!("{j},{d}\n"));
            }
            std::fs::write(changed_dir.join("jobs.csv"), csv).map_err(|e| e.to_string())?;
        }
    }
    let header = std::fs::read_to_string(dir.join("jobs.csv")).map_err(|e| e.to_string())?;
    if change == Change::Demand && !header.starts_with("name,demand") {
        return Err("jobs.csv does not start with `name,demand`".into());
    }
    std::fs::write(
        changed_dir.join(model_path.file_name().unwrap()),
        &model_text,
    )
    .map_err(|e| e.to_string())?;

    let (mut fresh, mut set, mut update) = (Vec::new(), Vec::new(), Vec::new());
    let mut check = None;
    for _ in 0..args.runs {
        let t = Instant::now();
        let mut compiled = archc::compile(&model_path).map_err(|e| e.rendered)?;
        fresh.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for (param, index, v) in &changes {
            compiled
                .set_param(param, index, *v)
                .map_err(|d| d.message)?;
        }
        set.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        compiled.update().map_err(|d| d.message)?;
        update.push(t.elapsed().as_secs_f64());
        check = Some(compiled);
    }
    let updated = check.ok_or("no run")?;
    let how = match updated.last_update() {
        Some(archc::driver::Reinstantiated::InPlace(d)) => format!(
            "in place: {} params, {} constraints ({} rows){}",
            d.params,
            d.constraints,
            d.rows,
            if d.objectives { ", objective" } else { "" }
        ),
        Some(archc::driver::Reinstantiated::Whole(why)) => format!("whole: {why}"),
        None => "not updated".into(),
    };
    let want = archc::compile(&changed_dir.join(model_path.file_name().unwrap()))
        .map_err(|e| e.rendered)?;
    if !same_model(updated.model(), want.model()) {
        return Err(format!(
            "{s}x{r}: the updated model differs from a fresh compile of the changed data"
        ));
    }
    let (f, st, u) = (median(fresh), median(set), median(update));
    println!(
        "| {s}x{r} | {} | {} | {:.3} s | {:.3} s | {:.3} s | {:.2} | {how} |",
        if change == Change::Cost {
            "cost"
        } else {
            "demand"
        },
        changes.len(),
        f,
        st,
        u,
        u / f
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args).and_then(|a| run(&a)) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("bench_resolve: {e}");
            std::process::exit(1);
        }
    }
}
