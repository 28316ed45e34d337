//! Benchmark of the DP backend on a large rack build-out: 100 regions x 40 quarters, state
//! `racks: 0..2000`, decision `add: 0..50`. Generates the model and its CSV data in a temp
//! directory, times analysis plus the DP solve (`--backend dp`) and, when built with the
//! `highs` feature, the MILP lowering of the same model solved with HiGHS; prints both
//! times, their ratio and whether the optima agree.
//!
//! Run: `cargo bench -p archc-bench [--features highs] --bench bench_dp`.

use archc::analysis::{analyze, AnalyzeOptions};
use archc::plan::BackendChoice;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

const REGIONS: usize = 100;
const QUARTERS: usize = 40;

/// A small deterministic generator (no dependency, same data every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        lo + (self.0 >> 33) % (hi - lo + 1)
    }
}

/// Write `model.arch`, `regions.csv` and `demand.csv` to `dir`; returns the model path.
fn generate(dir: &Path) -> std::io::Result<PathBuf> {
    let mut rng = Lcg(2027);
    let mut regions = String::from("name,racks,rack_price\n");
    let mut demand = String::from("r,q,value\n");
    for r in 0..REGIONS {
        let start = rng.next(50, 300);
        let price = rng.next(35, 50) * 1_000;
        let _ = writeln!(regions, "r{r},{start},{price}");
        let mut need = start;
        for q in 1..=QUARTERS {
            // Demand at the start of the first quarter is covered by the racks installed.
            let _ = writeln!(demand, "r{r},{q},{}", need * 40);
            need += rng.next(0, 40);
        }
    }
    let model = format!(
        "/// Generated benchmark: rack build-out, {REGIONS} regions x {QUARTERS} quarters.\n\
         use std.infra\n\
         kind region {{ racks: int = 0, rack_price: usd = 0 usd }}\n\
         regions from \"regions.csv\"\n\
         set quarters = 1..{QUARTERS}\n\
         param cores_per_rack: core = 40 core\n\
         param holding: usd = 1_200 usd\n\
         param demand[r in regions, q in quarters]: core from \"demand.csv\"\n\
         plan build[r in regions] over q in quarters {{\n\
         \x20   state racks: 0..2000 = r.racks\n\
         \x20   choose add: 0..50\n\
         \x20   next racks = racks + add\n\
         \x20   require racks * cores_per_rack >= demand[r, q]\n\
         \x20   cost = add * r.rack_price + racks * holding\n\
         }}\n"
    );
    std::fs::write(dir.join("regions.csv"), regions)?;
    std::fs::write(dir.join("demand.csv"), demand)?;
    let path = dir.join("model.arch");
    std::fs::write(&path, model)?;
    Ok(path)
}

fn options(backend: BackendChoice) -> AnalyzeOptions {
    AnalyzeOptions {
        instantiate: true,
        backend,
        ..Default::default()
    }
}

/// Analysis plus DP solve: (optimum, seconds).
fn run_dp(path: &Path) -> Result<(f64, f64), String> {
    let start = Instant::now();
    let mut a = analyze(path, &options(BackendChoice::Dp));
    if a.has_errors() {
        return Err(format!("{:?}", a.diagnostics));
    }
    println!("backend: {}", a.backend_reason);
    let schema = a.schema.take().ok_or("no schema")?;
    let mut instance = a.instance.take().ok_or("no instance")?;
    let out = archc::plan::solve_dp(&schema, &mut a.sources, &mut instance)
        .map_err(|d| format!("{} {}", d.code, d.message))?;
    Ok((out.cost, start.elapsed().as_secs_f64()))
}

/// Analysis, MILP lowering and HiGHS solve: (optimum, seconds).
#[cfg(feature = "highs")]
fn run_milp(path: &Path) -> Result<(f64, f64), String> {
    let start = Instant::now();
    let a = analyze(path, &options(BackendChoice::Milp));
    if a.has_errors() {
        return Err(format!("{:?}", a.diagnostics));
    }
    let instance = a.instance.as_ref().ok_or("no instance")?;
    let opts = archc::solve::SolveOptions {
        solver: Some(archc::solve::SolverKind::Highs),
        ..Default::default()
    };
    let solved = archc::solve::solve_model(&instance.model, &opts)
        .map_err(|d| format!("{} {}", d.code, d.message))?;
    Ok((solved.raw.objective, start.elapsed().as_secs_f64()))
}

fn main() {
    let dir = std::env::temp_dir().join(format!("archc-bench-dp-{}", std::process::id()));
    let path = match std::fs::create_dir_all(&dir).and_then(|()| generate(&dir)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot write the benchmark model: {e}");
            std::process::exit(1);
        }
    };
    println!("model: {}", path.display());
    let dp = match run_dp(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("DP failed: {e}");
            std::process::exit(1);
        }
    };
    println!("dp:   {:.3} s, optimum {}", dp.1, dp.0);
    #[cfg(feature = "highs")]
    match run_milp(&path) {
        Ok(milp) => {
            println!("milp: {:.3} s (HiGHS), optimum {}", milp.1, milp.0);
            println!("ratio milp/dp: {:.1}x", milp.1 / dp.1);
            let agree = (milp.0 - dp.0).abs() <= 1e-6 * dp.0.abs().max(1.0);
            println!("optima agree: {agree}");
        }
        Err(e) => eprintln!("MILP failed: {e}"),
    }
    #[cfg(not(feature = "highs"))]
    println!("milp: skipped (build with --features highs to compare with HiGHS)");
    let _ = std::fs::remove_dir_all(&dir);
}
