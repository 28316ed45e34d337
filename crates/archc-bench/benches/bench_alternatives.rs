//! Alternative plans (`archc solve --alternatives K`): the time to find up to K plans in all
//! (K = 1, 5, 10 by default) on the shipped placement examples, with each solver built in.
//! K = 1 is the plain solve; each further plan is a re-solve with the objective bound and
//! one more no-good cut (see `archc::solve::alternatives`). Every alternative is verified
//! against the original model inside the enumeration; the bench prints the plans found, the
//! first solve's time and the enumeration's, best of `--repeat` runs.
//!
//! Run: `cargo bench -p archc-bench [--features highs,cbc] --bench bench_alternatives --
//! [--k 1,5,10] [--tolerance PERCENT] [--repeat N] [MODEL.arch ...]` (default models:
//! `examples/placement/global.arch`, `examples/change/rebalance.arch`).

use archc::analysis::AnalyzeOptions;
use archc::driver::analyze;
use archc::ir::Tolerance;
use archc::solve::alternatives::{enumerate, AltOptions};
use archc::solve::{solve_model, SolveOptions, SolverKind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Args {
    ks: Vec<usize>,
    tolerance: f64,
    repeat: usize,
    models: Vec<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Args {
        ks: vec![1, 5, 10],
        tolerance: 0.0,
        repeat: 3,
        models: Vec::new(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| it.next().cloned().ok_or(format!("{a} needs {what}"));
        match a.as_str() {
            "--bench" => {}
            "--k" => {
                out.ks = value("a list like 1,5,10")?
                    .split(',')
                    .map(|k| k.trim().parse().map_err(|_| format!("bad K `{k}`")))
                    .collect::<Result<_, _>>()?
            }
            "--tolerance" => {
                out.tolerance = value("a percentage")?
                    .parse()
                    .map_err(|_| "bad --tolerance")?
            }
            "--repeat" => out.repeat = value("a count")?.parse().map_err(|_| "bad --repeat")?,
            m if m.ends_with(".arch") => out.models.push(PathBuf::from(m)),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if out.models.is_empty() {
        out.models = vec![
            root.join("examples/placement/global.arch"),
            root.join("examples/change/rebalance.arch"),
        ];
    }
    Ok(out)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "{:<28} {:<8} {:>3} {:>6} {:>10} {:>14} {:>10}",
        "model", "solver", "K", "found", "solve ms", "alternatives ms", "total ms"
    );
    for path in &args.models {
        let a = analyze(
            path,
            &AnalyzeOptions {
                instantiate: true,
                ..Default::default()
            },
        );
        let Some(inst) = a.instance.as_ref().filter(|_| !a.has_errors()) else {
            eprintln!("{}: the model has errors", path.display());
            std::process::exit(1);
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("model");
        for kind in SolverKind::enabled() {
            let opts = SolveOptions {
                solver: Some(kind),
                ..SolveOptions::default()
            };
            for &k in &args.ks {
                let mut best: Option<(Duration, Duration, usize)> = None;
                for _ in 0..args.repeat.max(1) {
                    let started = Instant::now();
                    let first = match solve_model(&inst.model, &opts) {
                        Ok(s) if s.verified() => s,
                        Ok(s) => panic!("{name}: no verified plan ({:?})", s.raw.status),
                        Err(d) => panic!("{name}: {} {}", d.code, d.message),
                    };
                    let solve = started.elapsed();
                    let started = Instant::now();
                    let found = enumerate(
                        inst,
                        &opts,
                        &first.raw.values,
                        AltOptions {
                            count: k,
                            tolerance: Tolerance {
                                absolute: 0.0,
                                relative: args.tolerance / 100.0,
                            },
                        },
                        solve_model,
                    )
                    .unwrap_or_else(|d| panic!("{name}: {} {}", d.code, d.message));
                    assert!(found.plans.iter().all(|p| p.verification.ok));
                    let run = (solve, started.elapsed(), found.plans.len() + 1);
                    if best.is_none_or(|b| run.0 + run.1 < b.0 + b.1) {
                        best = Some(run);
                    }
                }
                if let Some((solve, alts, found)) = best {
                    println!(
                        "{:<28} {:<8} {:>3} {:>6} {:>10} {:>14} {:>10}",
                        name,
                        kind.name(),
                        k,
                        found,
                        ms(solve),
                        ms(alts),
                        ms(solve + alts)
                    );
                }
            }
        }
    }
}
