//! Warm starts: time to the first incumbent and to the optimum with and without a MIP start
//! (`archc solve --start`), on HiGHS. Two kinds of instance:
//!
//! - the capacitated placement of `bench_gen` (data from the peers' `gen.py`, seed 1),
//!   solved once on its own data, then re-solved after a demand change (every job's demand
//!   moved by a few percent, deterministically), cold and started from the first plan (its
//!   JSON report, read back as `--start` reads it);
//! - the shipped placement examples (`examples/placement/global.arch`,
//!   `examples/change/rebalance.arch`), started from the report of an earlier solve.
//!
//! The start's check (completion of the columns it leaves out and verification) is timed
//! apart. The first incumbent is read from the solver's callback (the solve's `SolveOptions::control`), polled
//! every millisecond. Each plan is verified; the objectives with and without the start are
//! printed side by side.
//!
//! Run: `cargo bench -p archc-bench --features highs --bench bench_start -- [SIZES...]
//! [--change PERCENT] [--time-limit S] [--threads N] [--no-examples] [--gen PATH] [--dir DIR]`,
//! sizes like `2000x50` (default).

use archc::analysis::AnalyzeOptions;
use archc::driver::analyze;
use archc::instantiate::Instance;
use archc::ir::Model;
use archc::solve::start;
use archc::solve::verify::{verify, Tolerances};
use archc::solve::{solve_model_from, SolveOptions, SolverKind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use archc_bench::PLACEMENT_MODEL as MODEL;

struct Args {
    sizes: Vec<(usize, usize)>,
    change: f64,
    time_limit: f64,
    threads: Option<u32>,
    examples: bool,
    gen: PathBuf,
    dir: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        sizes: Vec::new(),
        change: 3.0,
        time_limit: 300.0,
        threads: None,
        examples: true,
        gen: PathBuf::from("/work/shared/peers/gen.py"),
        dir: std::env::temp_dir().join("archc-bench"),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| it.next().cloned().ok_or(format!("{a} needs {what}"));
        match a.as_str() {
            "--bench" => {}
            "--change" => {
                out.change = value("a percentage")?.parse().map_err(|_| "bad --change")?
            }
            "--time-limit" => {
                out.time_limit = value("seconds")?.parse().map_err(|_| "bad --time-limit")?
            }
            "--threads" => out.threads = Some(value("N")?.parse().map_err(|_| "bad --threads")?),
            "--no-examples" => out.examples = false,
            "--gen" => out.gen = PathBuf::from(value("a path")?),
            "--dir" => out.dir = PathBuf::from(value("a path")?),
            s => out
                .sizes
                .push(archc_bench::parse_size(s).ok_or(format!("unknown argument {s}"))?),
        }
    }
    if out.sizes.is_empty() {
        out.sizes.push((2000, 50));
    }
    Ok(out)
}

/// The instance of `file`.
fn instance_of(file: &Path) -> Result<Instance, String> {
    let a = analyze(
        file,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    if a.has_errors() {
        return Err(format!("{}: {:?}", file.display(), a.diagnostics));
    }
    a.instance.ok_or(format!("{}: no instance", file.display()))
}

/// One timed solve: (time to the first incumbent, total time, objective, status).
struct Timed {
    first: Option<Duration>,
    total: Duration,
    objective: f64,
    values: Vec<f64>,
    status: String,
}

fn timed_solve(model: &Model, opts: &SolveOptions, start: Option<&[f64]>) -> Result<Timed, String> {
    opts.control.reset();
    let began = Instant::now();
    let mut first = None;
    let result = std::thread::scope(|scope| {
        let worker = scope.spawn(|| solve_model_from(model, opts, start));
        while !worker.is_finished() {
            if first.is_none() && opts.control.progress().incumbent.is_some() {
                first = Some(began.elapsed());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        worker.join().map_err(|_| "the solve panicked".to_string())
    })?;
    let total = began.elapsed();
    let solved = result.map_err(|d| d.message.clone())?;
    if !solved.verified() {
        return Err(format!(
            "no verified plan: {:?} {} after {:.1} s",
            solved.raw.status,
            solved.raw.message,
            total.as_secs_f64()
        ));
    }
    opts.control.reset();
    Ok(Timed {
        // A solve too quick for the poll found its incumbent within its total time.
        first: first.or(Some(total)),
        total,
        objective: solved.raw.objective,
        values: solved.raw.values,
        status: format!("{:?}", solved.raw.status).to_lowercase(),
    })
}

/// The JSON report of a plan, as `archc solve --format json` writes it.
fn report_json(inst: &Instance, values: &[f64], objective: f64) -> Result<String, String> {
    let raw = archc::solve::RawSolution {
        status: archc::solve::Status::Optimal,
        values: values.to_vec(),
        objective,
        gap: Some(0.0),
        dual_bound: None,
        stop: None,
        solver: SolverKind::Highs,
        time: Duration::ZERO,
        duals: None,
        message: String::new(),
    };
    let report = archc::report::build("earlier", inst, &raw, "milp", "", None);
    serde_json::to_string(&report).map_err(|e| e.to_string())
}

/// Solve `model` cold and from `report` (the JSON of an earlier plan); print one line each.
fn compare(label: &str, model: &Model, report: &str, opts: &SolveOptions) -> Result<(), String> {
    let cold = timed_solve(model, opts, None)?;
    let began = Instant::now();
    let given = start::from_report(model, "earlier.json", report).map_err(|d| d.message)?;
    let checked = start::check(model, &given, opts, true);
    let check_time = began.elapsed();
    let warm = timed_solve(model, opts, checked.values.as_deref())?;
    let ms =
        |d: Option<Duration>| d.map_or("-".into(), |d| format!("{:.0}", d.as_secs_f64() * 1e3));
    println!(
        "{label}: start {} (objective {}), check {} ms",
        if checked.report.feasible {
            "feasible"
        } else {
            "infeasible"
        },
        checked
            .report
            .objective
            .map_or("-".into(), |o| format!("{o:.2}")),
        ms(Some(check_time)),
    );
    for (name, t) in [("cold", &cold), ("warm", &warm)] {
        let ok = verify(model, &t.values, &Tolerances::default()).is_ok();
        println!(
            "  {name}: first incumbent {} ms, end {} ms ({}), objective {:.2}, verified {ok}",
            ms(t.first),
            ms(Some(t.total)),
            t.status,
            t.objective
        );
    }
    Ok(())
}

/// Write the instance `dir` with every job's demand moved by up to `percent` (up or down,
/// the same for every run: job `i` by `percent * ((i * 37) % 21 - 10) / 10`).
fn perturbed(base: &Path, dir: &Path, percent: f64) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    for f in ["sites.csv", "cost.csv"] {
        std::fs::copy(base.join(f), dir.join(f)).map_err(|e| e.to_string())?;
    }
    let jobs = std::fs::read_to_string(base.join("jobs.csv")).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for (i, line) in jobs.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            let (name, d) = line.split_once(',').ok_or("bad jobs.csv")?;
            let d: f64 = d.parse().map_err(|_| "bad demand")?;
            let step = ((i * 37) % 21) as f64 - 10.0;
            let moved = (d * (1.0 + percent / 100.0 * step / 10.0)).round().max(1.0);
            out.push_str(&format!("{name},{moved}"));
        }
        out.push('\n');
    }
    std::fs::write(dir.join("jobs.csv"), out).map_err(|e| e.to_string())
}

fn run() -> Result<(), String> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = parse_args(&argv)?;
    if !SolverKind::Highs.is_enabled() {
        return Err("build with `--features highs`".into());
    }
    let opts = SolveOptions {
        solver: Some(SolverKind::Highs),
        time_limit: Some(Duration::from_secs_f64(args.time_limit)),
        threads: args.threads,
        ..SolveOptions::default()
    };
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    if args.examples {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for ex in [
            "examples/placement/global.arch",
            "examples/change/rebalance.arch",
        ] {
            let inst = instance_of(&root.join(ex))?;
            let first = timed_solve(&inst.model, &opts, None)?;
            let report = report_json(&inst, &first.values, first.objective)?;
            compare(ex, &inst.model, &report, &opts)?;
        }
    }
    for &(s, r) in &args.sizes {
        let base = args.dir.join(format!("{s}x{r}"));
        std::fs::create_dir_all(&base).map_err(|e| e.to_string())?;
        archc_bench::placement_data(&args.gen, &args.dir, &base, s, r)?;
        std::fs::write(base.join("model.arch"), MODEL).map_err(|e| e.to_string())?;
        let changed = args.dir.join(format!("{s}x{r}-demand{}", args.change));
        perturbed(&base, &changed, args.change)?;
        std::fs::write(changed.join("model.arch"), MODEL).map_err(|e| e.to_string())?;
        let before = instance_of(&base.join("model.arch"))?;
        let first = timed_solve(&before.model, &opts, None)?;
        println!(
            "{s}x{r} before the change: {} in {:.0} ms, objective {:.2}",
            first.status,
            first.total.as_secs_f64() * 1e3,
            first.objective
        );
        let report = report_json(&before, &first.values, first.objective)?;
        let after = instance_of(&changed.join("model.arch"))?.model;
        drop(before);
        compare(
            &format!("{s}x{r}, demand moved by up to {}%", args.change),
            &after,
            &report,
            &opts,
        )?;
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_start: {e}");
        std::process::exit(1);
    }
}
