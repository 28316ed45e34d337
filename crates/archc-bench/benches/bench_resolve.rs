//! Re-solving from the embedding API: the time to take changed param values into a compiled
//! model ([`archc::Compiled::set_param`] then [`archc::Compiled::update`]: instantiation from
//! the checked model, no parsing or checking) against a fresh compile of the same model
//! (parse, check, data load, instantiate), on the capacitated placement of `bench_gen`
//! (data from the peers' `gen.py`, seed 1). The change: the assignment cost of one job in
//! `--every N` (default 20) to each site, up 3 %. The updated model is compared with the
//! fresh compile of a model whose cost file holds the same changes: same columns, rows and
//! objective coefficients, or the bench fails.
//!
//! Run: `cargo bench -p archc-bench --bench bench_resolve -- [SIZES...] [--every N]
//! [--runs N] [--gen PATH] [--dir DIR]`, sizes like `2000x50` (default `2000x50 10000x100`).

use std::path::PathBuf;
use std::time::Instant;

use archc_bench::PLACEMENT_MODEL as MODEL;

struct Args {
    sizes: Vec<(usize, usize)>,
    every: usize,
    runs: usize,
    gen: PathBuf,
    dir: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        sizes: Vec::new(),
        every: 20,
        runs: 3,
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
        "| size | changed values | fresh compile | set_param | update (instantiate) | update / fresh |"
    );
    println!("|---|---|---|---|---|---|");
    for &(s, r) in &args.sizes {
        let dir = args.dir.join(format!("{s}x{r}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        archc_bench::placement_data(&args.gen, &args.dir, &dir, s, r)?;
        let model_path = dir.join("resolve.arch");
        std::fs::write(&model_path, MODEL).map_err(|e| e.to_string())?;
        let costs = read_costs(&dir)?;
        let jobs: Vec<&str> = {
            let mut seen = std::collections::BTreeSet::new();
            costs
                .iter()
                .map(|c| c.0.as_str())
                .filter(|j| seen.insert(*j))
                .collect()
        };
        let changed: std::collections::HashSet<&str> =
            jobs.iter().step_by(args.every).copied().collect();
        let changes: Vec<(&str, &str, f64)> = costs
            .iter()
            .filter(|c| changed.contains(c.0.as_str()))
            .map(|c| (c.0.as_str(), c.1.as_str(), c.2 * 1.03))
            .collect();

        // The same change as a data set, for the fresh compile to compare with.
        let changed_dir = args.dir.join(format!("{s}x{r}-cost3"));
        std::fs::create_dir_all(&changed_dir).map_err(|e| e.to_string())?;
        for f in ["sites.csv", "jobs.csv"] {
            std::fs::copy(dir.join(f), changed_dir.join(f)).map_err(|e| e.to_string())?;
        }
        let mut csv = String::from("job,site,value\n");
        for (j, site, c) in &costs {
            let c = if changed.contains(j.as_str()) {
                c * 1.03
            } else {
                *c
            };
            csv.push_str(&format!("{j},{site},{c}\n"));
        }
        std::fs::write(changed_dir.join("cost.csv"), csv).map_err(|e| e.to_string())?;
        std::fs::write(changed_dir.join("resolve.arch"), MODEL).map_err(|e| e.to_string())?;

        let (mut fresh, mut set, mut update) = (Vec::new(), Vec::new(), Vec::new());
        let mut check = None;
        for _ in 0..args.runs {
            let t = Instant::now();
            let mut compiled = archc::compile(&model_path).map_err(|e| e.rendered)?;
            fresh.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            for (j, site, c) in &changes {
                compiled
                    .set_param("cost", &[j, site], *c)
                    .map_err(|d| d.message)?;
            }
            set.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            compiled.update().map_err(|d| d.message)?;
            update.push(t.elapsed().as_secs_f64());
            check = Some(compiled);
        }
        let updated = check.ok_or("no run")?;
        let want = archc::compile(&changed_dir.join("resolve.arch")).map_err(|e| e.rendered)?;
        let (a, b) = (updated.model(), want.model());
        let same = a.num_columns() == b.num_columns()
            && a.num_rows() == b.num_rows()
            && serde_json::to_string(&a.objective).ok() == serde_json::to_string(&b.objective).ok();
        if !same {
            return Err(format!(
                "{s}x{r}: the updated model differs from a fresh compile of the changed data"
            ));
        }
        let (f, st, u) = (median(fresh), median(set), median(update));
        println!(
            "| {s}x{r} | {} | {:.3} s | {:.3} s | {:.3} s | {:.2} |",
            changes.len(),
            f,
            st,
            u,
            u / f
        );
    }
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
