//! Benchmark of the DP backend against the MILP lowering of the same model solved by HiGHS,
//! on rack build-outs of 100 regions x 40 quarters with generated, deterministic data.
//!
//! Two cases:
//! - `racks`, the shape of `examples/planning/racks.arch` and what DP is for: a lead time
//!   (the second state `on_order`), a fixed cost per order and tiered prices. States
//!   `racks: 0..2000` x `on_order: 0..50`, decision `add: 0..50`. The lowering needs
//!   binaries and big-M rows for the `if`, `min` and `max`, and its LP relaxation is weak.
//! - `linear`: one state, linear costs (`racks: 0..2000`, `add: 0..50`). HiGHS solves its
//!   lowering at the root.
//!
//! Per case: analysis plus DP solve (with the reachability pass, and without it on
//! `--unpruned`); then, built with the `highs` feature, the lowering (analysis, MPS file)
//! solved by HiGHS with a time limit (`--highs-limit SECONDS`, default 120), which prints
//! HiGHS's time, status, objective, bound and gap, when its incumbent first reached the DP
//! optimum, the ratio of the times and whether the optima agree; and HiGHS again with only
//! the DP's time, which prints its incumbent, bound and gap then.
//!
//! Run: `cargo bench -p archc-bench [--features highs] --bench bench_dp -- [--case
//! racks|linear|all] [--highs-limit SECONDS] [--unpruned] [--size REGIONSxQUARTERS]`.

use archc::analysis::AnalyzeOptions;
use archc::backends::dp::DpOptions;
use archc::driver::analyze;
use archc::plan::BackendChoice;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Regions x quarters of a run (default 100 x 40, `--size RxQ`).
#[derive(Clone, Copy, Debug)]
struct Size {
    regions: usize,
    quarters: usize,
}

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

#[derive(Clone, Copy, Debug, PartialEq)]
enum Case {
    Racks,
    Linear,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Racks => "racks",
            Case::Linear => "linear",
        }
    }
}

/// The lead-time model (the shape of `examples/planning/racks.arch`).
fn racks_model(Size { regions, quarters }: Size) -> String {
    format!(
        "/// Generated benchmark: rack build-out with a lead time, {regions} regions x {quarters} quarters.\n\
         use std.infra\n\
         kind region {{ racks: int = 0, rack_price: usd = 0 usd }}\n\
         regions from \"regions.csv\"\n\
         set quarters = 1..{quarters}\n\
         param cores_per_rack: core = 40 core\n\
         param headroom: percent = 20 percent\n\
         param order_cost: usd = 15_000 usd\n\
         param holding: usd = 1_200 usd\n\
         param demand[r in regions, q in quarters]: core from \"demand.csv\"\n\
         plan build[r in regions] over q in quarters {{\n\
         \x20   state racks: 0..2000 = r.racks\n\
         \x20   state on_order: 0..50 = 0\n\
         \x20   choose add: 0..50\n\
         \x20   next racks = racks + on_order\n\
         \x20   next on_order = add\n\
         \x20   require racks * cores_per_rack >= demand[r, q] * (1 + headroom)\n\
         \x20   cost = (if add > 0 then order_cost else 0 usd)\n\
         \x20       + min(add, 10) * r.rack_price + max(add - 10, 0) * r.rack_price * 0.85\n\
         \x20       + racks * holding\n\
         }}\n"
    )
}

/// The linear model (no lead time, no order cost, one price).
fn linear_model(Size { regions, quarters }: Size) -> String {
    format!(
        "/// Generated benchmark: rack build-out, {regions} regions x {quarters} quarters.\n\
         use std.infra\n\
         kind region {{ racks: int = 0, rack_price: usd = 0 usd }}\n\
         regions from \"regions.csv\"\n\
         set quarters = 1..{quarters}\n\
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
    )
}

/// Write `model.arch`, `regions.csv` and `demand.csv` for `case` to `dir`; returns the
/// model path.
fn generate(case: Case, size: Size, dir: &Path) -> std::io::Result<PathBuf> {
    let mut rng = Lcg(2027);
    let mut regions = String::from("name,racks,rack_price\n");
    let mut demand = String::from("r,q,value\n");
    for r in 0..size.regions {
        let start = rng.next(50, 300);
        let price = rng.next(35, 50) * 1_000;
        let _ = writeln!(regions, "r{r},{start},{price}");
        let mut need = start;
        for q in 1..=size.quarters {
            match case {
                // Racks needed in quarter q: installed racks must reach `need`, which the
                // demand encodes with the headroom (`need * 40 / 1.2` cores, rounded down).
                // Orders arrive a quarter later, so the first two quarters stay at the start
                // and the need then grows by at most 44 a quarter (orders are up to 50; the
                // need stays below 300 + 38 * 44 = 1972 racks, inside the state range).
                Case::Racks => {
                    let _ = writeln!(demand, "r{r},{q},{}", need * 100 / 3);
                    if q >= 2 {
                        need += rng.next(5, 44);
                    }
                }
                // Demand at the start of the first quarter is covered by the racks installed.
                Case::Linear => {
                    let _ = writeln!(demand, "r{r},{q},{}", need * 40);
                    need += rng.next(0, 40);
                }
            }
        }
    }
    let model = match case {
        Case::Racks => racks_model(size),
        Case::Linear => linear_model(size),
    };
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

/// One DP run: the optimum, analysis and solve seconds, and the trajectories (to compare
/// runs with and without the reachability pass).
struct DpRun {
    optimum: f64,
    analysis: f64,
    solve: f64,
    trajectories: Vec<archc::plan::dp::PlanTrajectory>,
}

/// Analysis plus DP solve.
fn run_dp(path: &Path, prune: bool) -> Result<DpRun, String> {
    let start = Instant::now();
    let mut a = analyze(path, &options(BackendChoice::Dp));
    if a.has_errors() {
        return Err(format!("{:?}", a.diagnostics));
    }
    let analysis = start.elapsed().as_secs_f64();
    let schema = a.schema.take().ok_or("no schema")?;
    let hir = a.hir.take().ok_or("no HIR")?;
    let mut instance = a.instance.take().ok_or("no instance")?;
    let opts = DpOptions {
        prune_unreachable: prune,
        ..DpOptions::default()
    };
    let solve_start = Instant::now();
    let out = archc::plan::solve_dp_with(&schema, &hir, &mut a.sources, &mut instance, &opts)
        .map_err(|d| format!("{} {}", d.code, d.message))?;
    Ok(DpRun {
        optimum: out.cost,
        analysis,
        solve: solve_start.elapsed().as_secs_f64(),
        trajectories: out.trajectories,
    })
}

#[cfg(feature = "highs")]
fn agree(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// HiGHS on the lowering of the model, read from an MPS file archc writes.
#[cfg(feature = "highs")]
mod highs {
    use std::ffi::{c_char, c_int, c_void, CString};
    use std::path::Path;
    use std::time::Instant;

    /// How one HiGHS run ended.
    pub struct HighsRun {
        pub seconds: f64,
        pub status: &'static str,
        pub optimal: bool,
        /// The incumbent's objective, `None` without a feasible solution.
        pub objective: Option<f64>,
        pub bound: f64,
        pub gap: f64,
        /// (seconds, objective) of every improving solution.
        pub improvements: Vec<(f64, f64)>,
    }

    fn status_name(s: highs_sys::HighsInt) -> &'static str {
        match s {
            highs_sys::MODEL_STATUS_OPTIMAL => "optimal",
            highs_sys::MODEL_STATUS_REACHED_TIME_LIMIT => "time limit",
            highs_sys::MODEL_STATUS_INFEASIBLE => "infeasible",
            _ => "other",
        }
    }

    unsafe extern "C" fn on_event(
        kind: c_int,
        _message: *const c_char,
        out: *const highs_sys::HighsCallbackDataOut,
        _input: *mut highs_sys::HighsCallbackDataIn,
        user: *mut c_void,
    ) {
        if kind != highs_sys::kHighsCallbackMipImprovingSolution as c_int || out.is_null() {
            return;
        }
        // SAFETY: `user` is the `Vec` passed to `Highs_setCallback` below, alive for the
        // whole run, and HiGHS calls back on the thread that runs the MIP search.
        let (improvements, out) = unsafe { (&mut *(user as *mut Vec<(f64, f64)>), &*out) };
        improvements.push((out.running_time, out.objective_function_value));
    }

    fn c(s: &str) -> CString {
        CString::new(s).unwrap_or_default()
    }

    /// Read `mps` and solve it with a time limit of `limit` seconds and no gap tolerance.
    pub fn solve(mps: &Path, limit: f64) -> Result<HighsRun, String> {
        let file = c(mps.to_str().ok_or("path is not UTF-8")?);
        let mut improvements: Vec<(f64, f64)> = Vec::new();
        // SAFETY: one fresh HiGHS instance, C strings and the callback's `Vec` outlive every
        // call that uses them, and the instance is destroyed once at the end.
        unsafe {
            let h = highs_sys::Highs_create();
            highs_sys::Highs_setBoolOptionValue(h, c("output_flag").as_ptr(), 0);
            if highs_sys::Highs_readModel(h, file.as_ptr()) == highs_sys::STATUS_ERROR {
                highs_sys::Highs_destroy(h);
                return Err(format!("HiGHS cannot read {}", mps.display()));
            }
            highs_sys::Highs_setDoubleOptionValue(h, c("time_limit").as_ptr(), limit);
            highs_sys::Highs_setDoubleOptionValue(h, c("mip_rel_gap").as_ptr(), 0.0);
            highs_sys::Highs_setCallback(
                h,
                Some(on_event),
                &mut improvements as *mut Vec<(f64, f64)> as *mut c_void,
            );
            highs_sys::Highs_startCallback(h, highs_sys::kHighsCallbackMipImprovingSolution);
            let start = Instant::now();
            let run = highs_sys::Highs_run(h);
            let seconds = start.elapsed().as_secs_f64();
            let status = highs_sys::Highs_getModelStatus(h);
            let mut has_solution: highs_sys::HighsInt = 0;
            highs_sys::Highs_getIntInfoValue(
                h,
                c("primal_solution_status").as_ptr(),
                &mut has_solution,
            );
            let objective = highs_sys::Highs_getObjectiveValue(h);
            let (mut bound, mut gap) = (f64::NAN, f64::NAN);
            highs_sys::Highs_getDoubleInfoValue(h, c("mip_dual_bound").as_ptr(), &mut bound);
            highs_sys::Highs_getDoubleInfoValue(h, c("mip_gap").as_ptr(), &mut gap);
            highs_sys::Highs_destroy(h);
            if run == highs_sys::STATUS_ERROR {
                return Err("HiGHS failed".into());
            }
            Ok(HighsRun {
                seconds,
                status: status_name(status),
                optimal: status == highs_sys::MODEL_STATUS_OPTIMAL,
                objective: (has_solution == highs_sys::SOLUTION_STATUS_FEASIBLE)
                    .then_some(objective),
                bound,
                gap,
                improvements,
            })
        }
    }
}

/// Analysis and MPS file of the MILP lowering: (path, columns, rows, seconds).
#[cfg(feature = "highs")]
fn lower(path: &Path, dir: &Path) -> Result<(PathBuf, usize, usize, f64), String> {
    let start = Instant::now();
    let a = analyze(path, &options(BackendChoice::Milp));
    if a.has_errors() {
        return Err(format!("{:?}", a.diagnostics));
    }
    let instance = a.instance.as_ref().ok_or("no instance")?;
    let mps = dir.join("model.mps");
    archc::backends::milp::write_mps_to_path(&instance.model, &mps).map_err(|e| e.to_string())?;
    let m = &instance.model;
    Ok((
        mps,
        m.num_columns(),
        m.num_rows(),
        start.elapsed().as_secs_f64(),
    ))
}

#[cfg(feature = "highs")]
fn print_highs(label: &str, run: &highs::HighsRun) {
    match run.objective {
        Some(obj) => println!(
            "{label}: {:.3} s, {}, objective {obj:.0}, bound {:.0}, gap {:.3} %",
            run.seconds,
            run.status,
            run.bound,
            100.0 * run.gap
        ),
        None => println!(
            "{label}: {:.3} s, {}, no solution yet, bound {:.0}",
            run.seconds, run.status, run.bound
        ),
    }
}

#[cfg(feature = "highs")]
fn compare_with_highs(path: &Path, dir: &Path, dp: &DpRun, limit: f64) -> Result<(), String> {
    let dp_total = dp.analysis + dp.solve;
    let (mps, cols, rows, lowering) = lower(path, dir)?;
    println!("lowering: {lowering:.3} s (analysis + MPS), {cols} columns, {rows} rows");
    let full = highs::solve(&mps, limit)?;
    print_highs(&format!("highs (limit {limit} s)"), &full);
    let reached = full
        .improvements
        .iter()
        .find(|&&(_, obj)| obj <= dp.optimum + 1e-6 * dp.optimum.abs().max(1.0));
    match reached {
        Some((t, _)) => println!("highs incumbent first at the DP optimum after {t:.3} s"),
        None => println!("highs incumbent never reached the DP optimum"),
    }
    let milp_total = lowering + full.seconds;
    if full.optimal {
        println!(
            "ratio milp/dp: {:.1}x (lowering + HiGHS {milp_total:.3} s / DP {dp_total:.3} s)",
            milp_total / dp_total
        );
    } else {
        println!(
            "ratio milp/dp: > {:.1}x (HiGHS not optimal after {:.3} s; DP {dp_total:.3} s)",
            milp_total / dp_total,
            full.seconds
        );
    }
    match full.objective {
        Some(obj) => println!(
            "optima agree: {}{}",
            agree(obj, dp.optimum),
            if full.optimal {
                ""
            } else {
                " (HiGHS's incumbent, not proven)"
            }
        ),
        None => println!("optima agree: false (HiGHS has no solution)"),
    }
    // The DP's whole time (analysis and solve) for HiGHS's solve alone.
    let short = highs::solve(&mps, dp_total)?;
    print_highs(&format!("highs at the DP time ({dp_total:.3} s)"), &short);
    Ok(())
}

fn run_case(case: Case, size: Size, limit: f64, unpruned: bool) -> Result<(), String> {
    #[cfg(not(feature = "highs"))]
    let _ = limit;
    let dir = std::env::temp_dir().join(format!(
        "archc-bench-dp-{}-{}",
        case.name(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = generate(case, size, &dir).map_err(|e| format!("cannot write the model: {e}"))?;
    println!(
        "== {} ({} regions x {} quarters)",
        case.name(),
        size.regions,
        size.quarters
    );
    let dp = run_dp(&path, true)?;
    println!(
        "dp:   {:.3} s (analysis {:.3} s + solve {:.3} s), optimum {:.0}",
        dp.analysis + dp.solve,
        dp.analysis,
        dp.solve,
        dp.optimum
    );
    if unpruned {
        let full = run_dp(&path, false)?;
        println!(
            "dp without the reachability pass: {:.3} s (analysis {:.3} s + solve {:.3} s), optimum {:.0}, same plans: {}",
            full.analysis + full.solve,
            full.analysis,
            full.solve,
            full.optimum,
            full.optimum.to_bits() == dp.optimum.to_bits() && full.trajectories == dp.trajectories
        );
    }
    #[cfg(feature = "highs")]
    compare_with_highs(&path, &dir, &dp, limit)?;
    #[cfg(not(feature = "highs"))]
    println!("milp: skipped (build with --features highs to compare with HiGHS)");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn main() {
    let mut cases = vec![Case::Racks, Case::Linear];
    let mut limit = 120.0;
    let mut unpruned = false;
    let mut size = Size {
        regions: 100,
        quarters: 40,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--case" => match args.next().as_deref() {
                Some("racks") => cases = vec![Case::Racks],
                Some("linear") => cases = vec![Case::Linear],
                Some("all") => {}
                other => {
                    eprintln!("--case racks|linear|all, not {other:?}");
                    std::process::exit(2);
                }
            },
            "--highs-limit" => match args.next().and_then(|v| v.parse::<f64>().ok()) {
                Some(v) if v > 0.0 => limit = v,
                _ => {
                    eprintln!("--highs-limit needs a number of seconds > 0");
                    std::process::exit(2);
                }
            },
            "--unpruned" => unpruned = true,
            "--size" => {
                let parsed = args.next().and_then(|v| {
                    let (r, q) = v.split_once('x')?;
                    Some((r.parse().ok()?, q.parse().ok()?))
                });
                match parsed {
                    Some((regions, quarters)) if regions > 0 && quarters > 0 => {
                        size = Size { regions, quarters }
                    }
                    _ => {
                        eprintln!("--size needs REGIONSxQUARTERS, e.g. 20x12");
                        std::process::exit(2);
                    }
                }
            }
            // Flags cargo passes to every bench target.
            "--bench" => {}
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    for case in cases {
        if let Err(e) = run_case(case, size, limit, unpruned) {
            eprintln!("{}: {e}", case.name());
            std::process::exit(1);
        }
    }
}
