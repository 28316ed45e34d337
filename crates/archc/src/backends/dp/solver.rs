//! Exact backward induction over stage x state, and forward recovery of the optimal policy.
//!
//! Value tables: one flat `Vec<f64>` holds `stages + 1` tables of `states_per_stage` values;
//! a state tuple is linearised mixed-radix with the last dimension varying fastest. A value is
//! the least remaining cost from that state, `+inf` when no allowed continuation exists, and
//! NaN when an evaluation error is reachable from that state through allowed steps (an error
//! "taints" every state that can reach it).
//!
//! Policy recovery recomputes the argmin along the optimal trajectory instead of storing a
//! policy table: it costs one state's decisions per stage, needs no memory, and goes through
//! the same function as the backward pass, so it picks the same decision (ties go to the
//! smallest decision). Errors are located the same way: follow the first tainted successor
//! from the initial state until the failing evaluation. So an error is reported only when it
//! lies in a state reachable from the initial state, and then with its stage, state and
//! decision.
//!
//! Reachability: by default a forward pass first finds the states reachable from the initial
//! state at each stage ([`super::reach`]); the backward pass computes values only there and
//! leaves NaN in the others, which nothing reads ([`DpOptions::prune_unreachable`] turns
//! the pass off).
//!
//! Parallelism: [`solve_many`] solves plans in parallel; within a plan, large stages are split
//! into chunks of states evaluated in parallel (each chunk with its own scratch buffers).

use super::error::{ContractViolation, DpError, InfeasibleReason};
use super::estimate::{estimate, DpBudget, DpEstimate};
use super::plan::{EvalError, EvalErrorKind, StagePlan};
use super::progress::{DpProgress, DP_PROGRESS};
use super::reach::{self, Reachable};
use rows::evaluate_affine;

mod rows;
use rayon::prelude::*;
use serde::Serialize;

/// The optimal policy of one plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DpSolution {
    /// Optimal total cost: stage costs plus terminal cost.
    pub cost: f64,
    /// The decision taken at each stage (`stages` values).
    pub decisions: Vec<i64>,
    /// The trajectory: the initial state, then the state after each stage (`stages + 1`).
    pub states: Vec<Vec<i64>>,
    /// The cost paid at each stage (`stages` values).
    pub stage_costs: Vec<f64>,
    /// The terminal cost of the final state.
    pub terminal_cost: f64,
    /// Stage x state pairs whose value was computed (including the terminal stage): all of
    /// them without pruning, the reachable ones with it.
    pub states_explored: u64,
    /// Transition and terminal evaluations of the backward pass.
    pub evaluations: u64,
    /// The size estimate the solve was admitted with.
    pub estimate: DpEstimate,
}

/// How a plan is solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DpOptions {
    /// The limits the solve must fit in.
    pub budget: DpBudget,
    /// Find the states reachable from the initial state first and compute values only
    /// there (default). The answer is the same either way.
    pub prune_unreachable: bool,
}

impl Default for DpOptions {
    fn default() -> Self {
        DpOptions {
            budget: DpBudget::default(),
            prune_unreachable: true,
        }
    }
}

/// Solves one plan exactly, after checking its estimate against `budget`, visiting only
/// the reachable states.
pub fn solve(plan: &dyn StagePlan, budget: &DpBudget) -> Result<DpSolution, DpError> {
    solve_with(
        plan,
        &DpOptions {
            budget: *budget,
            ..DpOptions::default()
        },
    )
}

/// Solves one plan exactly with the given options.
pub fn solve_with(plan: &dyn StagePlan, options: &DpOptions) -> Result<DpSolution, DpError> {
    solve_observed(plan, options, &DpProgress::new())
}

/// [`solve_with`], counting each stage done and the plan in `progress` (the plan's stages
/// must already be in its total).
fn solve_observed(
    plan: &dyn StagePlan,
    options: &DpOptions,
    progress: &DpProgress,
) -> Result<DpSolution, DpError> {
    let mut done = 0u64;
    let result = solve_counted(plan, options, progress, &mut done);
    progress.plan_done((plan.stages() as u64).saturating_sub(done));
    result
}

fn solve_counted(
    plan: &dyn StagePlan,
    options: &DpOptions,
    progress: &DpProgress,
    done: &mut u64,
) -> Result<DpSolution, DpError> {
    let budget = &options.budget;
    let layout = validate(plan, budget)?;
    let est = estimate(plan);
    let s = layout.states;
    let stages = plan.stages();
    let len = s
        .checked_mul(stages + 1)
        .ok_or_else(|| too_large(est, budget))?;
    let mut tables: Vec<f64> = Vec::new();
    tables
        .try_reserve_exact(len)
        .map_err(|_| too_large(est, budget))?;
    tables.resize(len, 0.0);
    let reach = if options.prune_unreachable {
        reach::forward(plan, &layout)
    } else {
        Reachable::full(stages, s)
    };

    {
        let (rest, last) = tables.split_at_mut(stages * s);
        fill_terminal(plan, &layout, last, reach.set(stages));
        let mut later: &[f64] = last;
        for (t, cur) in rest.chunks_exact_mut(s).enumerate().rev() {
            backward_stage(plan, &layout, t, cur, later, reach.set(t));
            progress.stage_done();
            *done += 1;
            later = cur;
        }
    }

    let init = plan.initial_state();
    let init_idx = layout.index(init).unwrap_or(0);
    let v0 = tables[init_idx];
    if v0.is_nan() {
        return Err(locate_error(plan, &layout, &tables));
    }
    if v0 == f64::INFINITY {
        return Err(explain_infeasible(plan, &layout));
    }
    let mut solution = recover(plan, &layout, &tables, est)?;
    solution.states_explored = (0..=stages).map(|t| reach.count(t)).sum();
    solution.evaluations = (0..stages)
        .map(|t| reach.count(t) * decision_count(plan.decision_range(t)) as u64)
        .sum::<u64>()
        + reach.count(stages);
    Ok(solution)
}

/// Solves independent plans in parallel; the results are in the order of `plans`.
pub fn solve_many(plans: &[&dyn StagePlan], budget: &DpBudget) -> Vec<Result<DpSolution, DpError>> {
    plans.par_iter().map(|p| solve(*p, budget)).collect()
}

/// [`solve_many`] with the given options, reporting to [`DP_PROGRESS`].
pub fn solve_many_with(
    plans: &[&dyn StagePlan],
    options: &DpOptions,
) -> Vec<Result<DpSolution, DpError>> {
    solve_many_observed(plans, options, &DP_PROGRESS)
}

/// [`solve_many_with`], reporting the plans and stages done to `progress`.
pub fn solve_many_observed(
    plans: &[&dyn StagePlan],
    options: &DpOptions,
    progress: &DpProgress,
) -> Vec<Result<DpSolution, DpError>> {
    let stages = plans.iter().map(|p| p.stages() as u64).sum();
    progress.add_work(plans.len() as u64, stages);
    plans
        .par_iter()
        .map(|p| solve_observed(*p, options, progress))
        .collect()
}

fn too_large(estimate: DpEstimate, budget: &DpBudget) -> DpError {
    DpError::TooLarge {
        estimate,
        budget: *budget,
        limit: super::estimate::BudgetLimit::TableBytes,
    }
}

/// Checks the plan's shape, its initial state, its decision ranges and the budget.
fn validate(plan: &dyn StagePlan, budget: &DpBudget) -> Result<Layout, DpError> {
    let dims = plan.state_dims();
    if dims.is_empty() {
        return Err(DpError::Contract(ContractViolation::NoStateDimensions));
    }
    let init = plan.initial_state();
    if init.len() != dims.len() {
        return Err(DpError::Contract(ContractViolation::InitialStateLength {
            expected: dims.len(),
            found: init.len(),
        }));
    }
    for (dim, &(lo, hi)) in dims.iter().enumerate() {
        if lo > hi {
            return Err(DpError::Infeasible(InfeasibleReason::EmptyStateRange {
                dim,
                lo,
                hi,
            }));
        }
    }
    for (dim, (&value, &(lo, hi))) in init.iter().zip(dims).enumerate() {
        if value < lo || value > hi {
            return Err(DpError::Infeasible(
                InfeasibleReason::InitialStateOutOfRange { dim, value, lo, hi },
            ));
        }
    }
    for stage in 0..plan.stages() {
        let (lo, hi) = plan.decision_range(stage);
        if lo > hi {
            return Err(DpError::Infeasible(InfeasibleReason::EmptyDecisionRange {
                stage,
                lo,
                hi,
            }));
        }
    }
    let est = estimate(plan);
    if let Some(limit) = est.exceeds(budget) {
        return Err(DpError::TooLarge {
            estimate: est,
            budget: *budget,
            limit,
        });
    }
    Layout::new(dims).ok_or_else(|| too_large(est, budget))
}

/// Mixed-radix linearisation of the state space (last dimension fastest).
pub(crate) struct Layout {
    dims: Vec<(i64, i64)>,
    sizes: Vec<u64>,
    strides: Vec<usize>,
    pub(super) states: usize,
}

impl Layout {
    fn new(dims: &[(i64, i64)]) -> Option<Layout> {
        let sizes: Vec<u64> = dims
            .iter()
            .map(|&(lo, hi)| super::estimate::range_len(lo, hi))
            .collect();
        let mut strides = vec![0usize; dims.len()];
        let mut acc: usize = 1;
        for i in (0..dims.len()).rev() {
            strides[i] = acc;
            acc = acc.checked_mul(usize::try_from(sizes[i]).ok()?)?;
        }
        Some(Layout {
            dims: dims.to_vec(),
            sizes,
            strides,
            states: acc,
        })
    }

    #[cfg(test)]
    pub(super) fn new_for_tests(dims: &[(i64, i64)]) -> Layout {
        Layout::new(dims).expect("a small state space")
    }

    pub(super) fn k(&self) -> usize {
        self.dims.len()
    }

    /// The linear index of `state`, or `None` when it is out of range.
    #[inline]
    pub(super) fn index(&self, state: &[i64]) -> Option<usize> {
        let mut idx = 0usize;
        for ((&v, &(lo, _)), (&size, &stride)) in state
            .iter()
            .zip(&self.dims)
            .zip(self.sizes.iter().zip(&self.strides))
        {
            let off = v.wrapping_sub(lo) as u64;
            if off >= size {
                return None;
            }
            idx += off as usize * stride;
        }
        Some(idx)
    }

    /// Writes the state with linear index `idx` into `out`.
    pub(super) fn decode(&self, mut idx: usize, out: &mut [i64]) {
        for ((o, &(lo, _)), &stride) in out.iter_mut().zip(&self.dims).zip(&self.strides) {
            *o = lo + (idx / stride) as i64;
            idx %= stride;
        }
    }

    /// Moves `state` to the next state in linear order (wrapping at the end).
    #[inline]
    fn advance(&self, state: &mut [i64]) {
        for (v, &(lo, hi)) in state.iter_mut().zip(&self.dims).rev() {
            if *v < hi {
                *v += 1;
                return;
            }
            *v = lo;
        }
    }

    fn state_vec(&self, idx: usize) -> Vec<i64> {
        let mut v = vec![0; self.k()];
        self.decode(idx, &mut v);
        v
    }
}

/// Maps a next state to its table index; specialised for one dimension.
trait Indexer: Sync {
    fn k(&self) -> usize;
    fn index(&self, next: &[i64]) -> Option<usize>;
}

struct OneDim {
    lo: i64,
    size: u64,
}

impl Indexer for OneDim {
    #[inline(always)]
    fn k(&self) -> usize {
        1
    }
    #[inline(always)]
    fn index(&self, next: &[i64]) -> Option<usize> {
        let off = next[0].wrapping_sub(self.lo) as u64;
        (off < self.size).then_some(off as usize)
    }
}

impl Indexer for Layout {
    #[inline(always)]
    fn k(&self) -> usize {
        self.dims.len()
    }
    #[inline(always)]
    fn index(&self, next: &[i64]) -> Option<usize> {
        Layout::index(self, next)
    }
}

/// Buffers for one state's decisions: next states (`k` per decision) and costs.
pub(super) struct StepBuffers {
    pub(super) next: Vec<i64>,
    pub(super) costs: Vec<f64>,
    /// The next state of the first decision and its change per decision, on the fast path
    /// for affine rows ([`StagePlan::affine_row`]).
    pub(super) base: Vec<i64>,
    pub(super) step: Vec<i64>,
}

impl StepBuffers {
    pub(super) fn new(k: usize, decisions: usize) -> StepBuffers {
        StepBuffers {
            next: vec![0; k * decisions],
            costs: vec![0.0; decisions],
            base: vec![0; k],
            step: vec![0; k],
        }
    }
}

/// Per-thread buffers of a stage sweep: the current state and its step buffers.
struct Scratch {
    state: Vec<i64>,
    bufs: StepBuffers,
}

impl Scratch {
    fn new(k: usize, decisions: usize) -> Scratch {
        Scratch {
            state: vec![0; k],
            bufs: StepBuffers::new(k, decisions),
        }
    }
}

/// Evaluates every decision from `state` against the later table. Returns the least total
/// (`+inf`: nothing allowed; NaN: an error is reachable) and the offset of the first decision
/// attaining it.
#[inline]
#[allow(clippy::too_many_arguments)]
fn evaluate_state<I: Indexer>(
    plan: &dyn StagePlan,
    layout: &Layout,
    ix: &I,
    stage: usize,
    decisions: (i64, i64),
    state: &[i64],
    later: &[f64],
    bufs: &mut StepBuffers,
    rows: bool,
) -> (f64, usize) {
    let StepBuffers {
        next,
        costs,
        base,
        step,
    } = bufs;
    if rows {
        match plan.affine_row(stage, state, decisions, base, step, costs, true) {
            Err(_) => return (f64::NAN, usize::MAX),
            Ok(true) => return evaluate_affine(layout, base, step, costs, later),
            Ok(false) => {}
        }
    }
    if plan.step_all(stage, state, decisions, next, costs).is_err() {
        return (f64::NAN, usize::MAX);
    }
    let k = ix.k();
    let mut best = f64::INFINITY;
    let mut arg = usize::MAX;
    for (j, &c) in costs.iter().enumerate() {
        if c == f64::INFINITY {
            continue;
        }
        if !c.is_finite() {
            return (f64::NAN, usize::MAX);
        }
        let Some(ni) = ix.index(&next[j * k..j * k + k]) else {
            continue;
        };
        let v = later[ni];
        if v.is_nan() {
            return (f64::NAN, usize::MAX);
        }
        let total = c + v;
        if total < best {
            best = total;
            arg = j;
        }
    }
    (best, arg)
}

/// Below this many evaluations a stage is swept on the calling thread.
pub(super) const PAR_EVALUATIONS: usize = 1 << 14;

pub(super) fn decision_count(decisions: (i64, i64)) -> usize {
    super::estimate::range_len(decisions.0, decisions.1) as usize
}

/// Computes the value table `cur` of `stage` from the table `later` of `stage + 1`.
fn backward_stage(
    plan: &dyn StagePlan,
    layout: &Layout,
    stage: usize,
    cur: &mut [f64],
    later: &[f64],
    reach: Option<&[u64]>,
) {
    if layout.k() == 1 {
        let ix = OneDim {
            lo: layout.dims[0].0,
            size: layout.sizes[0],
        };
        sweep_stage(plan, layout, &ix, stage, cur, later, reach);
    } else {
        sweep_stage(plan, layout, layout, stage, cur, later, reach);
    }
}

/// Calls `visit(i, out_i)` for the states `start..start + out.len()` kept by `reach` (all
/// when `None`) and writes NaN for the others; `visit` gets whether the previous state was
/// visited too (then the caller's state tuple can advance instead of being decoded).
#[inline]
fn for_kept(
    reach: Option<&[u64]>,
    start: usize,
    out: &mut [f64],
    mut visit: impl FnMut(usize, bool, &mut f64),
) {
    let Some(bits) = reach else {
        for (j, o) in out.iter_mut().enumerate() {
            visit(start + j, j > 0, o);
        }
        return;
    };
    let mut prev_visited = false;
    let mut j = 0;
    while j < out.len() {
        let i = start + j;
        // A whole empty word at once.
        if i & 63 == 0 && bits[i >> 6] == 0 {
            let end = (j + 64).min(out.len());
            out[j..end].fill(f64::NAN);
            j = end;
            prev_visited = false;
            continue;
        }
        if reach::has(bits, i) {
            visit(i, prev_visited, &mut out[j]);
            prev_visited = true;
        } else {
            out[j] = f64::NAN;
            prev_visited = false;
        }
        j += 1;
    }
}

fn sweep_stage<I: Indexer>(
    plan: &dyn StagePlan,
    layout: &Layout,
    ix: &I,
    stage: usize,
    cur: &mut [f64],
    later: &[f64],
    reach: Option<&[u64]>,
) {
    let decisions = plan.decision_range(stage);
    let nd = decision_count(decisions);
    let k = layout.k();
    let chunk = (PAR_EVALUATIONS / nd.max(1)).max(64);
    let sweep = |scratch: &mut Scratch, start: usize, out: &mut [f64]| {
        let Scratch { state, bufs } = scratch;
        for_kept(reach, start, out, |i, advance, o| {
            if advance {
                layout.advance(state);
            } else {
                layout.decode(i, state);
            }
            *o = evaluate_state(plan, layout, ix, stage, decisions, state, later, bufs, true).0;
        });
    };
    if cur.len() <= chunk {
        let mut scratch = Scratch::new(k, nd);
        sweep(&mut scratch, 0, cur);
    } else {
        cur.par_chunks_mut(chunk).enumerate().for_each_init(
            || Scratch::new(k, nd),
            |scratch, (ci, out)| sweep(scratch, ci * chunk, out),
        );
    }
}

/// Terminal value of one state: `+inf` when not allowed, NaN on an error or non-finite cost.
fn terminal_value(plan: &dyn StagePlan, state: &[i64]) -> f64 {
    match plan.terminal(state) {
        Ok(Some(c)) if c.is_finite() || c == f64::INFINITY => c,
        Ok(Some(_)) | Err(_) => f64::NAN,
        Ok(None) => f64::INFINITY,
    }
}

fn fill_terminal(plan: &dyn StagePlan, layout: &Layout, out: &mut [f64], reach: Option<&[u64]>) {
    let k = layout.k();
    let chunk = PAR_EVALUATIONS;
    let sweep = |state: &mut Vec<i64>, start: usize, out: &mut [f64]| {
        for_kept(reach, start, out, |i, advance, o| {
            if advance {
                layout.advance(state);
            } else {
                layout.decode(i, state);
            }
            *o = terminal_value(plan, state);
        });
    };
    if out.len() <= chunk {
        sweep(&mut vec![0; k], 0, out);
    } else {
        out.par_chunks_mut(chunk).enumerate().for_each_init(
            || vec![0i64; k],
            |state, (ci, out)| sweep(state, ci * chunk, out),
        );
    }
}

/// Follows the optimal decisions forward from the initial state.
fn recover(
    plan: &dyn StagePlan,
    layout: &Layout,
    tables: &[f64],
    est: DpEstimate,
) -> Result<DpSolution, DpError> {
    let s = layout.states;
    let stages = plan.stages();
    let k = layout.k();
    let mut state = plan.initial_state().to_vec();
    let mut idx = layout.index(&state).unwrap_or(0);
    let cost = tables[idx];
    let mut solution = DpSolution {
        cost,
        decisions: Vec::with_capacity(stages),
        states: vec![state.clone()],
        stage_costs: Vec::with_capacity(stages),
        terminal_cost: 0.0,
        states_explored: (s as u64).saturating_mul(stages as u64 + 1),
        evaluations: est.evaluations,
        estimate: est,
    };
    let inconsistent = |stage| DpError::Contract(ContractViolation::NonDeterministic { stage });
    for t in 0..stages {
        let decisions = plan.decision_range(t);
        let mut scratch = StepBuffers::new(k, decision_count(decisions));
        let later = &tables[(t + 1) * s..(t + 2) * s];
        // The general path, which writes the next states the trajectory needs; it also
        // checks the values of the fast path.
        let (value, j) = evaluate_state(
            plan,
            layout,
            layout,
            t,
            decisions,
            &state,
            later,
            &mut scratch,
            false,
        );
        if value.to_bits() != tables[t * s + idx].to_bits() || j == usize::MAX {
            return Err(inconsistent(t));
        }
        state.copy_from_slice(&scratch.next[j * k..j * k + k]);
        idx = layout.index(&state).ok_or_else(|| inconsistent(t))?;
        solution.decisions.push(decisions.0 + j as i64);
        solution.stage_costs.push(scratch.costs[j]);
        solution.states.push(state.clone());
    }
    solution.terminal_cost = tables[stages * s + idx];
    Ok(solution)
}

/// Walks from the initial state along the first tainted successor to the failing evaluation.
fn locate_error(plan: &dyn StagePlan, layout: &Layout, tables: &[f64]) -> DpError {
    let s = layout.states;
    let stages = plan.stages();
    let k = layout.k();
    let mut state = plan.initial_state().to_vec();
    let eval = |stage: Option<usize>, state: &[i64], decision, error| DpError::Eval {
        stage,
        state: state.to_vec(),
        decision,
        error,
    };
    'stages: for t in 0..stages {
        let decisions = plan.decision_range(t);
        let mut scratch = StepBuffers::new(k, decision_count(decisions));
        let step = plan.step_all(t, &state, decisions, &mut scratch.next, &mut scratch.costs);
        if let Err((d, e)) = step {
            return eval(Some(t), &state, Some(d), e);
        }
        let later = &tables[(t + 1) * s..(t + 2) * s];
        for (j, &c) in scratch.costs.iter().enumerate() {
            if c == f64::INFINITY {
                continue;
            }
            let d = decisions.0 + j as i64;
            if !c.is_finite() {
                let e = EvalError::new(EvalErrorKind::NonFiniteCost);
                return eval(Some(t), &state, Some(d), e);
            }
            let next = &scratch.next[j * k..j * k + k];
            if layout.index(next).is_some_and(|ni| later[ni].is_nan()) {
                state.copy_from_slice(next);
                continue 'stages;
            }
        }
        return DpError::Contract(ContractViolation::NonDeterministic { stage: t });
    }
    match plan.terminal(&state) {
        Err(e) => eval(None, &state, None, e),
        Ok(Some(c)) if c.is_nan() || c == f64::NEG_INFINITY => eval(
            None,
            &state,
            None,
            EvalError::new(EvalErrorKind::NonFiniteCost),
        ),
        _ => DpError::Contract(ContractViolation::NonDeterministic { stage: stages }),
    }
}

/// Finds where feasibility is lost, by forward reachability over allowed steps.
fn explain_infeasible(plan: &dyn StagePlan, layout: &Layout) -> DpError {
    let s = layout.states;
    let k = layout.k();
    let mut reach = vec![false; s];
    let mut reach_next = vec![false; s];
    let mut state = vec![0i64; k];
    if let Some(i) = layout.index(plan.initial_state()) {
        reach[i] = true;
    }
    let first_and_count = |r: &[bool]| {
        let count = r.iter().filter(|&&b| b).count() as u64;
        (r.iter().position(|&b| b).unwrap_or(0), count)
    };
    for t in 0..plan.stages() {
        let decisions = plan.decision_range(t);
        let mut scratch = StepBuffers::new(k, decision_count(decisions));
        reach_next.iter_mut().for_each(|b| *b = false);
        let mut any = false;
        for i in (0..s).filter(|&i| reach[i]) {
            layout.decode(i, &mut state);
            let step = plan.step_all(t, &state, decisions, &mut scratch.next, &mut scratch.costs);
            if step.is_err() {
                continue;
            }
            for (j, &c) in scratch.costs.iter().enumerate() {
                if c.is_finite() {
                    if let Some(ni) = layout.index(&scratch.next[j * k..j * k + k]) {
                        reach_next[ni] = true;
                        any = true;
                    }
                }
            }
        }
        if !any {
            let (first, count) = first_and_count(&reach);
            return DpError::Infeasible(InfeasibleReason::DeadEnd {
                stage: t,
                reachable_states: count,
                example_state: layout.state_vec(first),
            });
        }
        std::mem::swap(&mut reach, &mut reach_next);
    }
    let (first, count) = first_and_count(&reach);
    let any_final_ok = (0..s).filter(|&i| reach[i]).any(|i| {
        layout.decode(i, &mut state);
        terminal_value(plan, &state).is_finite()
    });
    if any_final_ok {
        return DpError::Contract(ContractViolation::NonDeterministic {
            stage: plan.stages(),
        });
    }
    DpError::Infeasible(InfeasibleReason::NoFeasibleFinalState {
        reachable_states: count,
        example_state: layout.state_vec(first),
    })
}
