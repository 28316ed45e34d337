//! Benchmark of infeasibility explanations on a generated placement model (the shape of
//! `examples/placement/global.arch`) made infeasible by one region: a residency-bound
//! service needs more cores than its only allowed region has. Prints the model size and the
//! time to the minimal conflict, to the repair, and for the plain solve.
//!
//! Usage: `cargo bench -p archc-bench --bench bench_explain -- [--regions 20] [--services 240]
//! [--solver microlp|highs|cbc] [--no-repair]`

use archc::analysis::AnalyzeOptions;
use archc::driver::analyze;
use archc::solve::explain::{explain_infeasible_with, InfeasibleOptions};
use archc::solve::{SolveOptions, SolverKind};
use std::fmt::Write as _;
use std::time::Instant;

const MODEL: &str = include_str!("../../../examples/placement/global.arch");

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let regions: usize = arg(&args, "--regions")
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let services: usize = arg(&args, "--services")
        .and_then(|s| s.parse().ok())
        .unwrap_or(240);
    let solver = arg(&args, "--solver").and_then(|s| SolverKind::parse(&s));
    let repair = !args.iter().any(|a| a == "--no-repair");

    let dir = std::env::temp_dir().join(format!("archc-bench-explain-{}", std::process::id()));
    let data = dir.join("data");
    if let Err(e) = std::fs::create_dir_all(&data) {
        eprintln!("error: cannot create {}: {e}", data.display());
        std::process::exit(1);
    }
    // Region 0 is the only one in country DE, and too small for the DE-resident service.
    let mut csv = String::from("name,cores,memory,price,country\n");
    for r in 0..regions {
        let (cores, country) = if r == 0 {
            (1_000, "DE".to_string())
        } else {
            (200_000, format!("C{}", r % 5))
        };
        let _ = writeln!(
            csv,
            "r{r},{cores},{},{},{country}",
            cores * 4,
            0.03 + 0.001 * (r % 7) as f64
        );
    }
    let mut json = String::from("[\n");
    for s in 0..services {
        let residency = if s == 0 { "DE" } else { "" };
        let replicas = if s == 0 { 60 } else { 20 + (s % 13) * 10 };
        let _ = write!(
            json,
            "{}  {{\"name\": \"s{s}\", \"cores\": {}, \"memory\": {}, \"replicas\": {replicas}, \"min_regions\": {}, \"residency\": \"{residency}\"}}",
            if s == 0 { "" } else { ",\n" },
            if s == 0 { 24 } else { 2 + s % 9 },
            if s == 0 { 96 } else { 8 + (s % 9) * 4 },
            if s == 0 { 1 } else { 1 + s % 3 },
        );
    }
    json.push_str("\n]\n");
    let main = dir.join("global.arch");
    let written = std::fs::write(data.join("regions.csv"), csv)
        .and_then(|_| std::fs::write(data.join("services.json"), json))
        .and_then(|_| std::fs::write(&main, MODEL));
    if let Err(e) = written {
        eprintln!("error: cannot write the benchmark model: {e}");
        std::process::exit(1);
    }

    let t = Instant::now();
    let a = analyze(
        &main,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    let Some(inst) = a.instance.as_ref().filter(|_| !a.has_errors()) else {
        eprintln!("error: the generated model does not compile");
        for d in &a.diagnostics {
            eprintln!("{}", d.message);
        }
        std::process::exit(1);
    };
    let model = &inst.model;
    println!(
        "model: {} rows, {} columns, {} nonzeros (compiled in {:.2?})",
        model.num_rows(),
        model.num_columns(),
        model.num_nonzeros(),
        t.elapsed()
    );
    let opts = SolveOptions {
        solver,
        ..Default::default()
    };
    let t = Instant::now();
    match archc::backends::milp::solve(model, &opts) {
        Ok(raw) => println!(
            "solve: {:?} on {} in {:.2?}",
            raw.status,
            raw.solver.name(),
            t.elapsed()
        ),
        Err(d) => println!("solve: error {}", d.message),
    }
    let t = Instant::now();
    let options = InfeasibleOptions {
        repair,
        ..Default::default()
    };
    match explain_infeasible_with(model, &opts, &options) {
        Ok(e) => {
            println!(
                "explanation: {} members after {} feasibility solves, in {:.2?}",
                e.conflict.members.len(),
                e.conflict.solves,
                t.elapsed()
            );
            println!("  conflict search: {:.2?}", e.timings.conflict);
            if let Some(r) = e.timings.repair {
                println!("  repair: {r:.2?}");
            }
            for m in &e.conflict.members {
                println!("  member {}", m.reading);
            }
            if let Some(r) = &e.repair {
                println!(
                    "  repair ({:?}, verified {}): {}",
                    r.scope,
                    r.verified,
                    r.summary()
                );
            }
        }
        Err(d) => println!("explanation failed: {}", d.message),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
