//! Model-generation benchmark: capacitated service placement (facility location), the same
//! MILP the Python peers in `shared/peers` build. For each size `SxR` it generates the data
//! with the peers' own generator (`gen.py`, run through `python3`, so the instance is
//! byte-identical), converts the JSON to CSV files, writes an `.arch` model, and then times
//! in a child process (so each size has its own peak memory): parse + check, data load,
//! instantiate, MPS write. The counts are checked against the closed forms
//! (S*R+R columns, S+R+S*R rows, 4*S*R+R nonzeros).
//!
//! Run: `cargo bench -p archc-bench --bench bench_gen -- [SIZES...] [--runs N] [--solve] [--gen PATH]
//! [--dir DIR]`, sizes like `20000x100` (default `1000x20 10000x50 20000x100`). `--solve`
//! also solves `50x10` and `100x20` with the default solver and compares the optimum with
//! the peers' published 142747 and 234528.

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::driver::analyze;
use archc::instantiate::Instance;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use archc_bench::PLACEMENT_MODEL as MODEL;

/// The data part of [`MODEL`] alone, to time loading apart from building.
const DATA_MODEL: &str = r#"kind site { capacity: int = 0, open_cost: real = 0 }
kind job { demand: int = 0 }
sites from "sites.csv"
jobs from "jobs.csv"
param cost[j in jobs, s in sites]: real from "cost.csv"
"#;

/// The peers' published optima (HiGHS, gap 0) on seed 1.
const KNOWN_OPTIMA: &[(usize, usize, f64)] = &[(50, 10, 142747.0), (100, 20, 234528.0)];

struct Args {
    sizes: Vec<(usize, usize)>,
    runs: usize,
    solve: bool,
    gen: PathBuf,
    dir: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        sizes: Vec::new(),
        runs: 1,
        solve: false,
        gen: PathBuf::from("/work/shared/peers/gen.py"),
        dir: std::env::temp_dir().join("archc-bench"),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                out.runs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--runs takes a number")?;
            }
            "--solve" => out.solve = true,
            "--gen" => out.gen = PathBuf::from(it.next().ok_or("--gen takes a path")?),
            "--dir" => out.dir = PathBuf::from(it.next().ok_or("--dir takes a path")?),
            s => out.sizes.push(
                archc_bench::parse_size(s)
                    .ok_or_else(|| format!("not a size like 20000x100: `{s}`"))?,
            ),
        }
    }
    if out.sizes.is_empty() && !out.solve {
        out.sizes = vec![(1000, 20), (10000, 50), (20000, 100)];
    }
    Ok(out)
}

/// Generate `fl_SxR_seed1.json` with gen.py (once) and convert it to the model's CSV files
/// in `dir/SxR/`. Returns that directory.
fn prepare(args: &Args, s: usize, r: usize) -> Result<PathBuf, String> {
    let dir = args.dir.join(format!("{s}x{r}"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("model.arch"), MODEL).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("data.arch"), DATA_MODEL).map_err(|e| e.to_string())?;
    archc_bench::placement_data(&args.gen, &args.dir, &dir, s, r)?;
    Ok(dir)
}

fn fail(what: &str, a: &Analysis) -> String {
    let msgs: Vec<String> = a
        .diagnostics
        .iter()
        .filter(|d| d.severity == archc::diagnostics::Severity::Error)
        .take(3)
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    format!("{what}: {}", msgs.join("; "))
}

/// The model at `path` analysed, with its schema and HIR taken out; an error when
/// checking it found one (`checked`) or it has no schema.
fn analysed(
    path: &Path,
    checked: bool,
) -> Result<(Analysis, archc::check::Schema, archc::hir::Model), String> {
    let mut a = analyze(path, &AnalyzeOptions::default());
    if checked && a.has_errors() {
        return Err(fail("checking", &a));
    }
    let schema = a.schema.take().ok_or("no schema")?;
    let hir = a.hir.take().ok_or("no HIR")?;
    Ok((a, schema, hir))
}

/// The instance of an analysed model; an error naming `what` failed when it has none.
fn instance(
    a: &mut Analysis,
    schema: &archc::check::Schema,
    hir: &archc::hir::Model,
    what: &str,
) -> Result<Instance, String> {
    let (inst, diags) =
        archc::instantiate::instantiate(schema, hir, &mut a.sources, Default::default(), false);
    inst.ok_or_else(|| {
        a.diagnostics.extend(diags);
        fail(what, a)
    })
}

/// Child: data load only. Prints `load_s`.
fn child_load(dir: &Path) -> Result<(), String> {
    let t = Instant::now();
    let (mut a, schema, hir) = analysed(&dir.join("data.arch"), false)?;
    let parse = t.elapsed().as_secs_f64();
    let t = Instant::now();
    instance(&mut a, &schema, &hir, "loading")?;
    let load = t.elapsed().as_secs_f64();
    println!(
        "LOAD parse_s={parse:.4} load_s={load:.4} peak_mib={:.1}",
        archc_bench::peak_mib()
    );
    Ok(())
}

/// Child: the whole pipeline, phase by phase. Prints one `RESULT` line.
fn child_full(dir: &Path, solve: bool) -> Result<(), String> {
    let t0 = Instant::now();
    let cpu0 = archc_bench::cpu_seconds();
    let (mut a, schema, hir) = analysed(&dir.join("model.arch"), true)?;
    let t_check = t0.elapsed().as_secs_f64();
    let t = Instant::now();
    let inst = instance(&mut a, &schema, &hir, "instantiating")?;
    let t_inst = t.elapsed().as_secs_f64();
    let m = &inst.model;
    let inst_peak = archc_bench::peak_mib();
    let cpu_inst = archc_bench::cpu_seconds() - cpu0;
    let t = Instant::now();
    let out = dir.join("model.mps");
    archc::backends::milp::mps::write_mps_to_path(m, &out).map_err(|e| e.to_string())?;
    let t_write = t.elapsed().as_secs_f64();
    let total = t0.elapsed().as_secs_f64();
    let cpu = archc_bench::cpu_seconds() - cpu0;
    let cpu_write = cpu - cpu_inst;
    let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    let mut line = format!(
        "RESULT check_s={t_check:.4} inst_s={t_inst:.4} write_s={t_write:.4} total_s={total:.4} \
         cpu_s={cpu:.2} cpu_check_inst_s={cpu_inst:.2} cpu_write_s={cpu_write:.2} peak_mib={:.1} inst_peak_mib={inst_peak:.1} cols={} rows={} nnz={} mps_bytes={bytes}",
        archc_bench::peak_mib(),
        m.num_columns(),
        m.num_rows(),
        m.num_nonzeros()
    );
    if solve {
        let opts = archc::solve::SolveOptions {
            quiet: true,
            gap: Some(0.0),
            ..Default::default()
        };
        match archc::solve::solve_model(m, &opts) {
            Ok(s) => {
                let _ = write!(
                    line,
                    " obj={} status={:?} solver={} solve_s={:.3}",
                    s.raw.objective,
                    s.raw.status,
                    s.raw.solver.name(),
                    s.raw.time.as_secs_f64()
                );
            }
            Err(d) => {
                let _ = write!(line, " solve_error={}", d.message.replace(' ', "_"));
            }
        }
    }
    println!("{line}");
    std::mem::forget(inst); // the process ends here: skip freeing 2M columns
    Ok(())
}

/// Child: the MPS writer alone, on a model instantiated once. Formats the model 5 times on
/// this thread and 5 times on the workers, into a sink; prints the median of each (`WRITE`).
fn child_write(dir: &Path) -> Result<(), String> {
    let (mut a, schema, hir) = analysed(&dir.join("model.arch"), true)?;
    let inst = instance(&mut a, &schema, &hir, "instantiating")?;
    let m = &inst.model;
    let times = |pipelined: bool| -> Result<f64, String> {
        let mut v = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let mut sink = std::io::sink();
            if pipelined {
                archc::backends::milp::mps::write_mps_pipelined(m, &mut sink)
            } else {
                archc::backends::milp::mps::write_mps(m, &mut sink)
            }
            .map_err(|e| e.to_string())?;
            v.push(t.elapsed().as_secs_f64());
        }
        Ok(median(v))
    };
    let one = times(false)?;
    let workers = times(true)?;
    println!("WRITE one_thread_s={one:.4} pipelined_s={workers:.4}");
    std::mem::forget(inst);
    Ok(())
}

/// Values of `key=value` fields of a result line.
fn field(line: &str, key: &str) -> Option<f64> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

fn run_child(mode: &str, dir: &Path, prefix: &str) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .arg(mode)
        .arg(dir)
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find(|l| l.starts_with(prefix))
        .map(str::to_string)
        .ok_or_else(|| {
            format!(
                "child {mode} failed: {}{}",
                stdout,
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let argv: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [mode, dir] = argv.as_slice() {
        let r = match mode.as_str() {
            "--child-load" => Some(child_load(Path::new(dir))),
            "--child-full" => Some(child_full(Path::new(dir), false)),
            "--child-solve" => Some(child_full(Path::new(dir), true)),
            "--child-write" => Some(child_write(Path::new(dir))),
            _ => None,
        };
        if let Some(r) = r {
            if let Err(e) = r {
                eprintln!("{e}");
                std::process::exit(1);
            }
            return;
        }
    }
    let args = match parse_args(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), String> {
    println!(
        "| size | parse+check | data load | instantiate (incl. load) | MPS write | total | CPU (check+inst / write) | peak RSS | cols | rows | nnz | MPS size |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut ok = true;
    for &(s, r) in &args.sizes {
        let dir = prepare(args, s, r)?;
        let mut lines = Vec::new();
        let mut loads = Vec::new();
        for _ in 0..args.runs {
            loads.push(run_child("--child-load", &dir, "LOAD")?);
            // Each run writes a new file: replacing the last run's 374 MB file would time
            // the file system freeing it (and, on ext4, writing the new one back on close).
            let _ = std::fs::remove_file(dir.join("model.mps"));
            lines.push(run_child("--child-full", &dir, "RESULT")?);
        }
        let med =
            |key: &str, ls: &[String]| median(ls.iter().filter_map(|l| field(l, key)).collect());
        let (cols, rows, nnz) = (
            field(&lines[0], "cols").unwrap_or(0.0) as usize,
            field(&lines[0], "rows").unwrap_or(0.0) as usize,
            field(&lines[0], "nnz").unwrap_or(0.0) as usize,
        );
        let want = (s * r + r, s + r + s * r, 4 * s * r + r);
        let counts_ok = (cols, rows, nnz) == want;
        ok &= counts_ok;
        println!(
            "| {s}x{r} | {:.3} s | {:.3} s | {:.3} s | {:.3} s | **{:.3} s** | {:.2} s ({:.2} / {:.2}) | **{:.0} MiB** | {cols} | {rows} | {nnz} | {:.0} MB |{}",
            med("check_s", &lines),
            med("load_s", &loads),
            med("inst_s", &lines),
            med("write_s", &lines),
            med("total_s", &lines),
            med("cpu_s", &lines),
            med("cpu_check_inst_s", &lines),
            med("cpu_write_s", &lines),
            med("peak_mib", &lines),
            field(&lines[0], "mps_bytes").unwrap_or(0.0) / 1e6,
            if counts_ok { "" } else { " COUNTS DIFFER" }
        );
        let _ = std::io::stdout().flush();
    }
    if args.solve {
        println!();
        for &(s, r, want) in KNOWN_OPTIMA {
            let dir = prepare(args, s, r)?;
            let line = run_child("--child-solve", &dir, "RESULT")?;
            let obj = field(&line, "obj");
            let agree = obj.is_some_and(|o| (o - want).abs() < 0.5);
            ok &= agree;
            println!(
                "{s}x{r}: objective {} (peers {want}) {}  [{line}]",
                obj.map_or("none".to_string(), |o| o.to_string()),
                if agree { "AGREES" } else { "DIFFERS" }
            );
        }
    }
    if ok {
        Ok(())
    } else {
        Err("some counts or optima differ from the expected values".into())
    }
}
