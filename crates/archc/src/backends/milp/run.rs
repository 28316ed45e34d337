//! One solve per good_lp solver: options (time limit, gap, threads) applied where the solver
//! has them, and its outcome mapped to an [`Outcome`]. Each function exists only when its
//! cargo feature is on.

use super::translate::Built;
use crate::solve::{SolveOptions, Status};
#[allow(unused_imports)]
use good_lp::{ResolutionError, Solution, SolutionStatus, SolverModel, WithMipGap, WithTimeLimit};

/// What one solver run gave, before the values are cleaned and the objective recomputed.
pub(super) struct Outcome {
    pub status: Status,
    pub values: Vec<f64>,
    pub gap: Option<f64>,
    /// Sum of the constraint duals per row, when the solver gives them.
    pub duals: Option<Vec<f64>>,
    pub message: String,
}

impl Outcome {
    pub(super) fn without_solution(status: Status, message: String) -> Self {
        Outcome {
            status,
            values: Vec::new(),
            gap: None,
            duals: None,
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

/// Solve with HiGHS. Duals are read for pure-LP models.
#[cfg(feature = "highs")]
pub(super) fn highs(
    built: Built<good_lp::solvers::highs::HighsProblem>,
    rows: usize,
    lp: bool,
    opts: &SolveOptions,
) -> Outcome {
    use good_lp::solvers::DualValues;
    use good_lp::SolutionWithDual;
    let Built {
        mut problem,
        vars,
        refs,
    } = built;
    problem.set_verbose(!opts.quiet);
    if let Some(t) = opts.time_limit {
        problem = problem.set_time_limit(t.as_secs_f64());
    }
    // HiGHS stops at a relative gap of 1e-4 by default and calls that optimal. Without a
    // gap from the user, ask for 0, so that "optimal" means what it says (HiGHS then stops
    // on its absolute gap tolerance, 1e-6, which is optimal to any printed precision).
    let gap = match gap_option(opts) {
        Ok(g) => g.unwrap_or(0.0),
        Err(o) => return o,
    };
    match problem.set_mip_rel_gap(gap) {
        Ok(p) => problem = p,
        Err(e) => return Outcome::without_solution(Status::Error, e.to_string()),
    }
    if let Some(n) = opts.threads {
        problem = problem.set_threads(n.max(1));
    }
    match problem.solve() {
        Ok(mut sol) => {
            let status = match sol.status() {
                SolutionStatus::GapLimit if gap == 0.0 => Status::Optimal,
                s => from_solution_status(s, opts),
            };
            let values = values_of(&sol, &vars);
            let duals = (lp && status == Status::Optimal).then(|| {
                let d = sol.compute_dual();
                let mut duals = vec![0.0; rows];
                for (row, r) in refs {
                    duals[row as usize] += d.dual(r);
                }
                duals
            });
            Outcome {
                status,
                values,
                gap: None,
                duals,
                message: String::new(),
            }
        }
        Err(e) => from_error(e),
    }
}

/// Solve with COIN-OR CBC. The gap of a stopped MIP comes from CBC's best bound.
#[cfg(feature = "cbc")]
pub(super) fn cbc(
    built: Built<good_lp::solvers::coin_cbc::CoinCbcProblem>,
    mip: bool,
    opts: &SolveOptions,
) -> Outcome {
    let Built {
        mut problem, vars, ..
    } = built;
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
    match problem.solve() {
        Ok(sol) => {
            let status = from_solution_status(sol.status(), opts);
            let values = values_of(&sol, &vars);
            let raw = sol.model();
            let gap = if status == Status::Optimal {
                Some(0.0)
            } else if mip {
                let best = raw.obj_value();
                let bound = raw.best_possible_value();
                let g = (best - bound).abs() / best.abs().max(1e-10);
                g.is_finite().then_some(g)
            } else {
                None
            };
            Outcome {
                status,
                values,
                gap,
                duals: None,
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
            let status = from_solution_status(sol.status(), opts);
            let values = values_of(&sol, &vars);
            let gap = sol.into_inner().gap();
            Outcome {
                status,
                values,
                gap,
                duals: None,
                message: String::new(),
            }
        }
        Err(e) => from_error(e),
    }
}
