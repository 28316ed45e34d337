//! One solve per good_lp solver: options (time limit, gap, threads) applied where the solver
//! has them, and its outcome mapped to an [`Outcome`]. Each function exists only when its
//! cargo feature is on.

use super::translate::Built;
use crate::backends::types::{SolveOptions, Status, Stop};
#[allow(unused_imports)]
use good_lp::{ResolutionError, Solution, SolutionStatus, SolverModel, WithMipGap, WithTimeLimit};

/// Whether `kind` can be stopped mid-solve through [`SolveOptions::control`] (it keeps its best
/// solution); the others run until they finish or reach their time limit.
pub fn interruptible(kind: crate::backends::types::SolverKind) -> bool {
    kind == crate::backends::types::SolverKind::Highs
}

// The values of HiGHS's `HighsCallbackType` (highs_c_api.h).
#[cfg(feature = "highs")]
const HIGHS_CB_SIMPLEX_INTERRUPT: i32 = 1;
#[cfg(feature = "highs")]
const HIGHS_CB_IPM_INTERRUPT: i32 = 2;
#[cfg(feature = "highs")]
const HIGHS_CB_MIP_IMPROVING_SOLUTION: i32 = 4;
#[cfg(feature = "highs")]
const HIGHS_CB_MIP_INTERRUPT: i32 = 6;

/// What one solver run gave, before the values are cleaned and the objective recomputed.
pub(super) struct Outcome {
    pub status: Status,
    pub values: Vec<f64>,
    pub gap: Option<f64>,
    /// Best bound on the objective (model terms, constants included), when known.
    pub dual_bound: Option<f64>,
    /// Sum of the constraint duals per row, when the solver gives them.
    pub duals: Option<Vec<f64>>,
    /// Why the solver stopped early, if it did.
    pub stop: Option<Stop>,
    pub message: String,
}

impl Outcome {
    pub(super) fn without_solution(status: Status, message: String) -> Self {
        Outcome {
            status,
            values: Vec::new(),
            gap: None,
            dual_bound: None,
            duals: None,
            stop: None,
            message,
        }
    }
}

/// Map a good_lp error to a status without a solution.
#[allow(dead_code)]
fn from_error(e: ResolutionError) -> Outcome {
    match e {
        ResolutionError::Infeasible => Outcome::without_solution(Status::Infeasible, String::new()),
        ResolutionError::Unbounded => Outcome::without_solution(Status::Unbounded, String::new()),
        other => Outcome::without_solution(Status::Error, other.to_string()),
    }
}

/// Optimal, or stopped by a limit with a solution. Stopping at the gap the user asked for
/// is `Feasible`; stopping within the solver's own default gap is `Optimal`.
#[allow(dead_code)]
fn from_solution_status(s: SolutionStatus, opts: &SolveOptions) -> Status {
    match s {
        SolutionStatus::Optimal => Status::Optimal,
        SolutionStatus::GapLimit if opts.gap.is_none() => Status::Optimal,
        SolutionStatus::GapLimit | SolutionStatus::TimeLimit => Status::Feasible,
    }
}

#[allow(dead_code)]
fn values_of<S: Solution>(sol: &S, built_vars: &[good_lp::Variable]) -> Vec<f64> {
    built_vars.iter().map(|&v| sol.value(v)).collect()
}

#[allow(dead_code)]
fn gap_option(opts: &SolveOptions) -> Result<Option<f32>, Outcome> {
    match opts.gap {
        None => Ok(None),
        Some(g) if g.is_finite() && g >= 0.0 => Ok(Some(g as f32)),
        Some(g) => Err(Outcome::without_solution(
            Status::Error,
            format!("invalid relative gap {g}: it must be a finite number >= 0"),
        )),
    }
}

/// Solve with HiGHS, through its own API rather than good_lp's `solve`, so that the gap and
/// the bounds can be read, and the callbacks report progress and take interrupt requests
/// ([`SolveOptions::control`]). Duals are read for pure-LP models. The log goes to the console (fd 1) only
/// when `opts.quiet` is false; callers that want it elsewhere redirect that descriptor.
#[cfg(feature = "highs")]
pub(super) fn highs(
    built: Built<good_lp::solvers::highs::HighsProblem>,
    rows: usize,
    lp: bool,
    opts: &SolveOptions,
    offset: f64,
    start: Option<&[f64]>,
) -> Outcome {
    use highs::{HighsModelStatus, HighsSolutionStatus};
    let Built { problem, refs, .. } = built;
    // HiGHS stops at a relative gap of 1e-4 by default and calls that optimal. Without a
    // gap from the user, ask for 0, so that "optimal" means what it says (HiGHS then stops
    // on its absolute gap tolerance, 1e-6, which is optimal to any printed precision).
    let gap = match gap_option(opts) {
        Ok(g) => g.map_or(0.0, f64::from),
        Err(o) => return o,
    };
    let mut model = match problem.try_into_inner() {
        Ok(m) => m,
        Err(e) => return Outcome::without_solution(Status::Error, e.to_string()),
    };
    let mut set = |k: &str, v: OptionValue| {
        let r = match v {
            OptionValue::Bool(b) => model.try_set_option(k, b),
            OptionValue::Float(f) => model.try_set_option(k, f),
            OptionValue::Int(i) => model.try_set_option(k, i),
        };
        r.map_err(|_| {
            Outcome::without_solution(Status::Error, format!("HiGHS refused option `{k}`"))
        })
    };
    let settings = [
        ("output_flag", OptionValue::Bool(!opts.quiet)),
        ("log_to_console", OptionValue::Bool(!opts.quiet)),
        ("mip_rel_gap", OptionValue::Float(gap)),
    ];
    for (k, v) in settings {
        if let Err(o) = set(k, v) {
            return o;
        }
    }
    if let Some(t) = opts.time_limit {
        if let Err(o) = set("time_limit", OptionValue::Float(t.as_secs_f64())) {
            return o;
        }
    }
    let threads = opts
        .threads
        .map_or(0, |n| i32::try_from(n.max(1)).unwrap_or(i32::MAX));
    if threads != 0 {
        if let Err(o) = set("threads", OptionValue::Int(threads)) {
            return o;
        }
    }
    highs_scheduler_for(threads);
    for (k, v) in &opts.solver_options {
        if let Err(why) = set_highs_option(&mut model, k, v) {
            return Outcome::without_solution(Status::Error, why);
        }
    }
    if let Some(values) = start {
        // A MIP start: HiGHS checks it and, when feasible, begins with it as its incumbent.
        if model
            .try_set_solution(Some(values), None, None, None)
            .is_err()
        {
            return Outcome::without_solution(Status::Error, "HiGHS refused the start".into());
        }
    }
    opts.control.begin(offset);
    // SAFETY: the pointer is the live HiGHS instance owned by `model`. The callback's user
    // data points at this solve's control, which `opts` keeps alive until after
    // `try_solve` returns (HiGHS calls back only during the solve); the callback only reads
    // it as a shared reference, and `SolveControl` is `Sync`.
    unsafe {
        let ptr = model.as_mut_ptr();
        let control = std::sync::Arc::as_ptr(&opts.control) as *mut std::os::raw::c_void;
        highs_sys::Highs_setCallback(ptr, Some(highs_callback), control);
        for kind in [
            HIGHS_CB_SIMPLEX_INTERRUPT,
            HIGHS_CB_IPM_INTERRUPT,
            HIGHS_CB_MIP_INTERRUPT,
            HIGHS_CB_MIP_IMPROVING_SOLUTION,
        ] {
            highs_sys::Highs_startCallback(ptr, kind);
        }
    }
    let solved = match model.try_solve() {
        Ok(s) => s,
        Err(e) => {
            return Outcome::without_solution(
                Status::Error,
                format!("HiGHS error while solving the model: {e:?}"),
            )
        }
    };
    let model_status = solved.status();
    let has_solution = solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    let info = |name: &std::ffi::CStr| {
        solved
            .double_info_value(name)
            .ok()
            .filter(|v| v.is_finite() && v.abs() < 1e30)
    };
    let mip_gap = info(c"mip_gap");
    let dual_bound = if lp { None } else { info(c"mip_dual_bound") };
    let stop = match model_status {
        HighsModelStatus::ReachedInterrupt => Some(Stop::Interrupted),
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedMemoryLimit => Some(Stop::TimeLimit),
        _ => None,
    };
    let status = match model_status {
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            return Outcome::without_solution(Status::Infeasible, String::new())
        }
        HighsModelStatus::Unbounded => {
            return Outcome::without_solution(Status::Unbounded, String::new())
        }
        HighsModelStatus::Optimal
        | HighsModelStatus::ObjectiveBound
        | HighsModelStatus::ObjectiveTarget => {
            let stopped_at_gap = opts.gap.is_some() && mip_gap.is_some_and(|g| g > 0.0);
            if stopped_at_gap {
                Status::Feasible
            } else {
                Status::Optimal
            }
        }
        _ if stop.is_some() => Status::Feasible,
        other => {
            return Outcome::without_solution(
                Status::Error,
                format!("HiGHS ended with status {other:?}"),
            )
        }
    };
    if !has_solution {
        let mut o = Outcome::without_solution(
            Status::Error,
            match stop {
                Some(Stop::Interrupted) => "interrupted before any plan was found".into(),
                Some(Stop::TimeLimit) => {
                    "the time limit was reached before any plan was found".into()
                }
                None => "HiGHS found no solution".into(),
            },
        );
        o.stop = stop;
        o.dual_bound = dual_bound.map(|b| b + offset);
        return o;
    }
    let solution = solved.get_solution();
    let values = solution.columns().to_vec();
    let duals = (lp && status == Status::Optimal).then(|| {
        let d = solution.dual_rows();
        let mut duals = vec![0.0; rows];
        // Constraints went to HiGHS one per reference, in order: the k-th reference is
        // HiGHS row k.
        for (k, (row, _)) in refs.iter().enumerate() {
            if let Some(v) = d.get(k) {
                duals[*row as usize] += v;
            }
        }
        duals
    });
    let gap = if lp {
        (status == Status::Optimal).then_some(0.0)
    } else if status == Status::Optimal {
        Some(0.0)
    } else {
        mip_gap
    };
    Outcome {
        status,
        values,
        gap,
        dual_bound: dual_bound.map(|b| b + offset),
        duals,
        stop,
        message: String::new(),
    }
}

/// A HiGHS option value.
#[cfg(feature = "highs")]
enum OptionValue {
    Bool(bool),
    Float(f64),
    Int(i32),
}

#[cfg(feature = "highs")]
thread_local! {
    /// The thread count this thread's HiGHS scheduler was started with (0: HiGHS's
    /// default), `None` before the first HiGHS solve on the thread.
    static HIGHS_SCHEDULER: std::cell::Cell<Option<i32>> = const { std::cell::Cell::new(None) };
}

/// Make this thread's HiGHS scheduler fit a solve asking for `threads` (0: the default).
/// HiGHS starts one scheduler per thread at its first solve and refuses every later solve
/// on that thread that asks for another thread count (`Highs::run` returns an error): a
/// solve with 2 threads followed by solves with 1 (the recourse problems of `archc risk`
/// after the model's own solve) would fail. The scheduler is stopped here (blocking,
/// so its workers are gone) when the count changes; the next solve starts a new one.
#[cfg(feature = "highs")]
fn highs_scheduler_for(threads: i32) {
    HIGHS_SCHEDULER.with(|cell| {
        if cell.get().is_some_and(|started| started != threads) {
            // SAFETY: stops the calling thread's scheduler only; no HiGHS solve is running
            // on this thread (solves are synchronous and this one has not started).
            unsafe { highs_sys::Highs_resetGlobalScheduler(1) };
        }
        cell.set(Some(threads));
    });
}

/// HiGHS callback: records the incumbent, bound and gap in the solve's [`crate::backends::types::SolveControl`]
/// (the user data), and asks HiGHS to stop when a stop was requested on it.
#[cfg(feature = "highs")]
unsafe extern "C" fn highs_callback(
    kind: std::os::raw::c_int,
    _message: *const std::os::raw::c_char,
    data_out: *const highs_sys::HighsCallbackDataOut,
    data_in: *mut highs_sys::HighsCallbackDataIn,
    user: *mut std::os::raw::c_void,
) {
    // SAFETY: `user` is the `SolveControl` set in `highs`, alive for the whole solve.
    let Some(control) = (unsafe { (user as *const crate::backends::types::SolveControl).as_ref() })
    else {
        return;
    };
    // SAFETY: HiGHS passes valid pointers (or null) for the duration of the call.
    if let Some(out) = unsafe { data_out.as_ref() } {
        if kind == HIGHS_CB_MIP_IMPROVING_SOLUTION || kind == HIGHS_CB_MIP_INTERRUPT {
            control.record(out.mip_primal_bound, out.mip_dual_bound, out.mip_gap);
        }
    }
    if control.stop_requested() {
        // SAFETY: as above.
        if let Some(input) = unsafe { data_in.as_mut() } {
            input.user_interrupt = 1;
        }
    }
}

/// Solve with COIN-OR CBC. The gap of a stopped MIP comes from CBC's best bound.
/// Set one HiGHS option from its text (`--solver-option KEY=VALUE`); HiGHS parses the value
/// by the option's type and refuses unknown keys and bad values.
#[cfg(feature = "highs")]
fn set_highs_option(model: &mut highs::Model, key: &str, value: &str) -> Result<(), String> {
    let refused = || format!("HiGHS refused option `{key}={value}` (unknown option or bad value)");
    let (Ok(k), Ok(v)) = (std::ffi::CString::new(key), std::ffi::CString::new(value)) else {
        return Err(refused());
    };
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; both strings are
    // NUL-terminated and outlive the call, which copies them.
    let status =
        unsafe { highs_sys::Highs_setOptionValue(model.as_mut_ptr(), k.as_ptr(), v.as_ptr()) };
    if status == highs_sys::kHighsStatusError {
        Err(refused())
    } else {
        Ok(())
    }
}

#[cfg(feature = "cbc")]
pub(super) fn cbc(
    built: Built<good_lp::solvers::coin_cbc::CoinCbcProblem>,
    mip: bool,
    opts: &SolveOptions,
    offset: f64,
    start: Option<&[f64]>,
) -> Outcome {
    use good_lp::SolverModel;
    use good_lp::WithInitialSolution;
    let Built {
        mut problem,
        vars,
        refs,
    } = built;
    // CBC 2.10 aborts on some models of fewer than three rows, an assertion in
    // `OsiClpSolverInterface::crunch` (coin-or/Clp#288): `max 0.1 a - 0.5 b` with
    // `0.1 b <= 5` and `(4 b - 4 a) / 3 >= 2`, `a` integer. Rows that hold for every
    // value, `0 <= 1` with no entries, bring such a model to three.
    for _ in refs.len()..3 {
        problem.add_constraint(good_lp::Expression::from(0.0).leq(1.0));
    }
    if let Some(values) = start {
        problem = problem.with_initial_solution(vars.iter().copied().zip(values.iter().copied()));
    }
    problem.set_log_level(if opts.quiet { 0 } else { 1 });
    if let Some(t) = opts.time_limit {
        problem = problem.with_time_limit(t.as_secs_f64());
    }
    match gap_option(opts) {
        Ok(Some(g)) => match problem.with_mip_gap(g) {
            Ok(p) => problem = p,
            Err(e) => return Outcome::without_solution(Status::Error, e.to_string()),
        },
        Ok(None) => {}
        Err(o) => return o,
    }
    if let Some(n) = opts.threads {
        problem.set_parameter("threads", &n.max(1).to_string());
    }
    // CBC 2.10's preprocessing can declare a continuous column integer and then prune the
    // true optimum: max 4a + 2b, 3a + 4b <= 22, a in [0, 1] real, b in 0..5 int gave 12
    // instead of 12.667 ("processed model has ... 2 integer"). Solve the model as given.
    problem.set_parameter("preprocess", "off");
    // CBC takes its parameters as command-line words and only logs the ones it does not
    // know ("No match for ..."): visible with --verbose.
    for (k, v) in &opts.solver_options {
        problem.set_parameter(k, v);
    }
    match problem.solve() {
        Ok(sol) => {
            let stop = matches!(sol.status(), SolutionStatus::TimeLimit).then_some(Stop::TimeLimit);
            let status = from_solution_status(sol.status(), opts);
            let values = values_of(&sol, &vars);
            let raw = sol.model();
            let bound = raw.best_possible_value();
            let dual_bound = (mip && bound.is_finite() && bound.abs() < 1e30).then_some(bound);
            let gap = if status == Status::Optimal {
                Some(0.0)
            } else if mip {
                let best = raw.obj_value();
                dual_bound.and_then(|bound| {
                    let g = (best - bound).abs() / best.abs().max(1e-10);
                    g.is_finite().then_some(g)
                })
            } else {
                None
            };
            Outcome {
                status,
                values,
                gap,
                dual_bound: dual_bound.map(|b| b + offset),
                duals: None,
                stop,
                message: String::new(),
            }
        }
        Err(e) => from_error(e),
    }
}

/// Solve with microlp (pure Rust). It has a time limit and a gap, but no threads.
#[cfg(feature = "microlp")]
pub(super) fn microlp(
    built: Built<good_lp::solvers::microlp::MicroLpProblem>,
    opts: &SolveOptions,
) -> Outcome {
    if let Some((k, v)) = opts.solver_options.first() {
        return Outcome::without_solution(
            Status::Error,
            format!("microlp takes no solver options (--solver-option {k}={v}); use --solver highs or cbc"),
        );
    }
    let Built {
        mut problem, vars, ..
    } = built;
    if let Some(t) = opts.time_limit {
        problem = problem.with_time_limit(t.as_secs_f64());
    }
    match gap_option(opts) {
        Ok(Some(g)) => match problem.with_mip_gap(g) {
            Ok(p) => problem = p,
            Err(e) => return Outcome::without_solution(Status::Error, e.to_string()),
        },
        Ok(None) => {}
        Err(o) => return o,
    }
    match problem.solve() {
        Ok(sol) => {
            let stop = matches!(sol.status(), SolutionStatus::TimeLimit).then_some(Stop::TimeLimit);
            let status = from_solution_status(sol.status(), opts);
            let values = values_of(&sol, &vars);
            let gap = sol.into_inner().gap();
            Outcome {
                status,
                values,
                gap,
                dual_bound: None,
                duals: None,
                stop,
                message: String::new(),
            }
        }
        Err(ResolutionError::Other(msg)) if msg.starts_with("Time limit reached") => {
            let mut o = Outcome::without_solution(
                Status::Error,
                "the time limit was reached before any plan was found".into(),
            );
            o.stop = Some(Stop::TimeLimit);
            o
        }
        Err(e) => from_error(e),
    }
}
