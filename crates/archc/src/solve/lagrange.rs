//! A Lagrangian bound for models of the assignment shape ([`Shape`]), for models whose LP
//! relaxation is too large to solve in the time there is (two million columns and more).
//!
//! The items' rows (`sum(options) == 1`) and the coupling rows (a capacity summed over many
//! items) are moved into the objective with multipliers; a row that ties one item's option to
//! one other column (`assign[j, s] <= open[s]`) is kept. What remains falls apart into one
//! tiny problem per other column (open it or not, and which of its tied options to take) and
//! one per untied option (take it when its reduced cost is negative), each solved exactly in
//! the time it takes to read its columns. By weak duality the value of every such relaxed
//! problem is a lower bound on the model's optimum, whatever the multipliers: the multipliers
//! are only improved (projected subgradient steps, Polyak's step towards the best known plan)
//! to raise it, and the best value seen is the bound. Its best is the LP relaxation's optimum
//! (the kept problem has integral vertices), approached without ever solving that LP.

use crate::backends::search::knapsack::{self, Candidate, Solved};
use crate::backends::search::primal::PlanBuilder;
use crate::backends::search::shape::{Shape, NONE};
use crate::ir::{Model, RowId, Sense};
use std::time::{Duration, Instant};

/// What a Lagrangian bound needs beside the model.
pub struct LagrangeOptions<'a> {
    /// Stop improving the multipliers after this long.
    pub time_limit: Duration,
    /// The objective (in the model's sense, constants included) of the best plan known, when
    /// there is one: the target of the step length.
    pub upper: &'a (dyn Fn() -> Option<f64> + Sync),
    /// True when the solve is to stop now (Ctrl-C).
    pub stop: &'a (dyn Fn() -> bool + Sync),
    /// When the Lagrangian heuristic builds its next plan.
    pub pace: PlanPace,
}

/// When the Lagrangian heuristic builds its next plan, the bound having risen since the last
/// one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlanPace {
    /// After [`PLAN_STEPS`] steps and a multiple of the time the last plan took, so that
    /// plans take a bounded share of the time. Which plans are built depends on the
    /// machine's speed.
    #[default]
    Timed,
    /// After this many steps (at least one). The same plans on any machine, as long as the
    /// time limit is not reached.
    Steps(u64),
}

/// A Lagrangian bound and how it was reached.
#[derive(Clone, Debug)]
pub struct Lagrangian {
    /// In the model's sense, constants included: no plan is below it when minimising, above
    /// it when maximising.
    pub value: f64,
    /// Multiplier updates made.
    pub steps: u64,
    /// Rows moved into the objective (the items' rows included).
    pub relaxed_rows: usize,
    /// Rows kept that tie an option to another column.
    pub kept_rows: usize,
    /// Plans built from the relaxed solutions (the Lagrangian heuristic).
    pub plans: u64,
    /// When the second relaxation ran (each place's capacity row kept as a knapsack,
    /// [`knapsack_bound_with_plans`]): what it did.
    pub knapsacks: Option<KnapsackStats>,
}

/// The second relaxation of [`knapsack_bound_with_plans`]: only the items' rows relaxed,
/// each place's capacity row kept, so that each place is a 0-1 knapsack.
#[derive(Clone, Debug)]
pub struct KnapsackStats {
    /// Places (other columns), each one knapsack.
    pub places: usize,
    /// Multiplier updates made in this relaxation.
    pub steps: u64,
    /// Knapsacks solved exactly, and by their LP value (a weaker but valid part of the bound).
    pub exact: u64,
    pub fractional: u64,
    /// The bound of the first relaxation (capacity rows relaxed too), in the model's sense:
    /// the second starts from its multipliers, where it is at least as high.
    pub first: f64,
}

/// Values of `x` allowed, as bits: 1 for 0, 2 for 1.
type Allowed = u8;
const ZERO: Allowed = 1;
const ONE: Allowed = 2;

/// The relaxed problem's structure, built once.
struct Relaxed<'a> {
    shape: &'a Shape,
    /// Relaxed rows: model row, normalised sides.
    rows: Vec<RowId>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// Per model column: its entries in relaxed rows (relaxed index, normalised coefficient).
    col_start: Vec<usize>,
    col_rel: Vec<u32>,
    col_val: Vec<f64>,
    /// Options tied to no other column, with their allowed values.
    untied: Vec<(u32, Allowed)>,
    /// Other columns (model index) with their allowed values.
    others: Vec<(u32, Allowed)>,
    /// Options tied to each other column: `tied[tied_start[k]..tied_start[k + 1]]`, each with
    /// its allowed values when the other column is 0 (low bits) and 1 (high bits).
    tied_start: Vec<usize>,
    tied: Vec<(u32, Allowed, Allowed)>,
}

/// Bits of `{0, 1}` within `[lo, hi]` (with a small tolerance).
fn allowed_within(lo: f64, hi: f64) -> Allowed {
    let tol = 1e-9;
    let mut bits = 0;
    if lo <= tol && hi >= -tol {
        bits |= ZERO;
    }
    if lo <= 1.0 + tol && hi >= 1.0 - tol {
        bits |= ONE;
    }
    bits
}

/// Bits of `x in {0, 1}` with `lo <= a x + b y <= hi` for the given `y`.
fn tied_allowed(lo: f64, hi: f64, a: f64, b: f64, y: f64) -> Allowed {
    let finite = |v: f64| if v.is_finite() { v.abs() } else { 0.0 };
    let tol = 1e-9 * finite(lo).max(finite(hi)).max(1.0);
    let mut bits = 0;
    for (x, bit) in [(0.0, ZERO), (1.0, ONE)] {
        let v = a * x + b * y;
        if v >= lo - tol && v <= hi + tol {
            bits |= bit;
        }
    }
    bits
}

impl<'a> Relaxed<'a> {
    fn new(model: &Model, shape: &'a Shape) -> Relaxed<'a> {
        let n = model.num_columns();
        let nrows = model.num_rows();
        // Which rows are kept: one option and one other column, the option tied nowhere else.
        let mut kept = vec![false; nrows];
        let mut tie_of_col: Vec<u32> = vec![NONE; n];
        for &r in &shape.rows {
            let Some((y, _)) = shape.other_in_row[r.0 as usize] else {
                continue;
            };
            let mut entries = model.row_entries(r).filter(|(c, _)| c.0 != y.0);
            let (Some((c, _)), None) = (entries.next(), entries.next()) else {
                continue;
            };
            if shape.item_of_col[c.0 as usize] == NONE || tie_of_col[c.0 as usize] != NONE {
                continue;
            }
            tie_of_col[c.0 as usize] = r.0;
            kept[r.0 as usize] = true;
        }
        // Relaxed rows, normalised by their largest coefficient on an option so that all
        // subgradients count in about the same unit (items).
        let mut rel_of_row = vec![NONE; nrows];
        let (mut rows, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
        let mut scale = Vec::new();
        for &r in &shape.rows {
            if kept[r.0 as usize] {
                continue;
            }
            let largest = |options: bool| {
                model
                    .row_entries(r)
                    .filter(|(c, _)| (shape.item_of_col[c.0 as usize] != NONE) == options)
                    .map(|(_, v)| v.abs())
                    .fold(0.0, f64::max)
            };
            let s = match largest(true) {
                s if s > 0.0 => s,
                _ => largest(false),
            };
            if s == 0.0 {
                continue;
            }
            rel_of_row[r.0 as usize] = rows.len() as u32;
            let row = &model.rows[r.0 as usize];
            rows.push(r);
            lo.push(row.lo / s);
            hi.push(row.hi / s);
            scale.push(s);
        }
        let mut col_start = Vec::with_capacity(n + 1);
        let (mut col_rel, mut col_val) = (Vec::new(), Vec::new());
        col_start.push(0);
        for c in 0..n {
            for (r, v) in shape.rows_of(c) {
                let k = rel_of_row[r.0 as usize];
                if k != NONE {
                    col_rel.push(k);
                    col_val.push(v / scale[k as usize]);
                }
            }
            col_start.push(col_rel.len());
        }
        let bounds = |c: usize| {
            let col = &model.columns[c];
            allowed_within(col.lb, col.ub)
        };
        let mut others = Vec::new();
        let mut other_idx = vec![NONE; n];
        for (c, idx) in other_idx.iter_mut().enumerate() {
            if shape.item_of_col[c] == NONE {
                *idx = others.len() as u32;
                others.push((c as u32, bounds(c)));
            }
        }
        let mut count = vec![0usize; others.len() + 1];
        let mut untied = Vec::new();
        for (c, &tie) in tie_of_col.iter().enumerate() {
            if shape.item_of_col[c] == NONE {
                continue;
            }
            if tie == NONE {
                untied.push((c as u32, bounds(c)));
            } else if let Some((y, _)) = shape.other_in_row[tie as usize] {
                count[other_idx[y.0 as usize] as usize + 1] += 1;
            }
        }
        for k in 0..others.len() {
            count[k + 1] += count[k];
        }
        let tied_start = count.clone();
        let mut tied = vec![(0u32, 0u8, 0u8); tied_start[others.len()]];
        let mut fill = count;
        for (c, &tie) in tie_of_col.iter().enumerate() {
            if tie == NONE {
                continue;
            }
            let r = RowId(tie);
            let Some((y, b)) = shape.other_in_row[tie as usize] else {
                continue;
            };
            let a = model
                .row_entries(r)
                .find(|(cc, _)| cc.0 as usize == c)
                .map_or(0.0, |(_, v)| v);
            let row = &model.rows[tie as usize];
            let own = bounds(c);
            let k = other_idx[y.0 as usize] as usize;
            tied[fill[k]] = (
                c as u32,
                own & tied_allowed(row.lo, row.hi, a, b, 0.0),
                own & tied_allowed(row.lo, row.hi, a, b, 1.0),
            );
            fill[k] += 1;
        }
        Relaxed {
            shape,
            rows,
            lo,
            hi,
            col_start,
            col_rel,
            col_val,
            untied,
            others,
            tied_start,
            tied,
        }
    }

    fn entries(&self, c: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.col_start[c]..self.col_start[c + 1];
        self.col_rel[range.clone()]
            .iter()
            .map(|&k| k as usize)
            .zip(self.col_val[range].iter().copied())
    }

    /// The reduced cost of column `c` under multipliers `mu` (items) and `pi` (rows).
    fn reduced(&self, c: usize, mu: &[f64], pi: &[f64]) -> f64 {
        let item = self.shape.item_of_col[c];
        let mut rc = self.shape.cost[c];
        if item != NONE {
            rc -= mu[item as usize];
        }
        for (k, a) in self.entries(c) {
            rc += pi[k] * a;
        }
        rc
    }
}

/// The cheaper allowed value of `x` at reduced cost `rc`: (value, cost), `None` when no value
/// is allowed.
fn best_of(allowed: Allowed, rc: f64) -> Option<(bool, f64)> {
    match (allowed & ZERO != 0, allowed & ONE != 0) {
        (true, true) if rc < 0.0 => Some((true, rc)),
        (true, _) => Some((false, 0.0)),
        (false, true) => Some((true, rc)),
        (false, false) => None,
    }
}

/// The evaluation of the dual function at one point: its value and what the relaxed rows
/// and the items' rows hold there.
struct Point {
    value: f64,
    /// Options taken per item.
    taken: Vec<f64>,
    /// Activity of each relaxed row.
    activity: Vec<f64>,
    /// Whether each other column is at 1 (in column order).
    open: Vec<bool>,
}

/// The dual function at (`mu`, `pi`): `None` when the kept problem has no solution (then
/// neither has the model).
fn evaluate(x: &Relaxed<'_>, mu: &[f64], pi: &[f64], scratch: &mut Vec<f64>) -> Option<Point> {
    let mut value: f64 = mu.iter().sum();
    for (k, &p) in pi.iter().enumerate() {
        // The part of `p (a x - side)` without x; the side is the one the sign of p selects.
        if p > 0.0 {
            value -= p * x.hi[k];
        } else if p < 0.0 {
            value -= p * x.lo[k];
        }
    }
    let mut taken = vec![0.0; mu.len()];
    let mut activity = vec![0.0; pi.len()];
    let mut opened = vec![false; x.others.len()];
    let take = |c: usize, taken: &mut [f64], activity: &mut [f64]| {
        let item = x.shape.item_of_col[c];
        if item != NONE {
            taken[item as usize] += 1.0;
        }
        for (k, a) in x.entries(c) {
            activity[k] += a;
        }
    };
    for &(c, allowed) in &x.untied {
        let rc = x.reduced(c as usize, mu, pi);
        let (one, cost) = best_of(allowed, rc)?;
        if one {
            value += cost;
            take(c as usize, &mut taken, &mut activity);
        }
    }
    for (k, &(y, allowed)) in x.others.iter().enumerate() {
        let tied = &x.tied[x.tied_start[k]..x.tied_start[k + 1]];
        let rc_y = x.reduced(y as usize, mu, pi);
        scratch.clear();
        let (mut v0, mut v1) = (
            if allowed & ZERO != 0 {
                0.0
            } else {
                f64::INFINITY
            },
            if allowed & ONE != 0 {
                rc_y
            } else {
                f64::INFINITY
            },
        );
        for &(c, at0, at1) in tied {
            let rc = x.reduced(c as usize, mu, pi);
            scratch.push(rc);
            v0 += best_of(at0, rc).map_or(f64::INFINITY, |b| b.1);
            v1 += best_of(at1, rc).map_or(f64::INFINITY, |b| b.1);
        }
        let open = v1 < v0;
        let best = v0.min(v1);
        if !best.is_finite() {
            return None;
        }
        value += best;
        if open {
            opened[k] = true;
            take(y as usize, &mut taken, &mut activity);
        }
        for (&(c, at0, at1), &rc) in tied.iter().zip(scratch.iter()) {
            let at = if open { at1 } else { at0 };
            if best_of(at, rc).is_some_and(|b| b.0) {
                take(c as usize, &mut taken, &mut activity);
            }
        }
    }
    Some(Point {
        value,
        taken,
        activity,
        open: opened,
    })
}

/// The Lagrangian bound of `model` (which has `shape`), improved until the time limit, a
/// stop, or the steps stop paying. `None` when the relaxed problem has no solution.
pub fn lagrangian_bound(
    model: &Model,
    shape: &Shape,
    opts: &LagrangeOptions<'_>,
) -> Option<Lagrangian> {
    lagrangian_bound_with_plans(model, shape, opts, None)
}

/// When the multipliers last gave a plan, and what that cost.
struct PlanClock {
    /// Steps and time at the end of the last plan.
    steps: u64,
    at: Instant,
    /// How long building the last plan took.
    took: Duration,
    built: u64,
    pace: PlanPace,
}

impl PlanClock {
    /// Whether a plan is due ([`PlanPace`]): when timed, [`PLAN_STEPS`] steps have passed
    /// and `times` the last plan's time (building plans takes at most `1 / (times + 1)` of
    /// the time).
    fn due(&self, steps: u64, times: u32) -> bool {
        match self.pace {
            PlanPace::Timed => {
                steps >= self.steps + PLAN_STEPS && self.at.elapsed() >= self.took * times
            }
            PlanPace::Steps(n) => steps >= self.steps + n.max(1),
        }
    }
}

/// [`lagrangian_bound`], and (the Lagrangian heuristic) a plan built from the relaxed
/// solution at the best multipliers by [`PlanBuilder`] and handed to `plans` (the option
/// column of each item) every [`PLAN_STEPS`] steps or more when the bound has risen since
/// the last plan, and once at the end.
pub fn lagrangian_bound_with_plans(
    model: &Model,
    shape: &Shape,
    opts: &LagrangeOptions<'_>,
    plans: Option<&(dyn Fn(Vec<u32>) + Sync)>,
) -> Option<Lagrangian> {
    first_relaxation(model, shape, opts, plans, MIN_THETA, u64::MAX).map(|(l, _)| l)
}

/// [`lagrangian_bound_with_plans`], converged when the step factor falls below
/// `min_theta` and building at most `max_plans` plans; with the items' multipliers at the
/// best bound.
fn first_relaxation(
    model: &Model,
    shape: &Shape,
    opts: &LagrangeOptions<'_>,
    plans: Option<&(dyn Fn(Vec<u32>) + Sync)>,
    min_theta: f64,
    max_plans: u64,
) -> Option<(Lagrangian, Vec<f64>)> {
    let started = Instant::now();
    let x = Relaxed::new(model, shape);
    let mut builder = plans.map(|send| (PlanBuilder::new(model, shape), send));
    let mut clock = PlanClock {
        steps: 0,
        at: Instant::now(),
        took: Duration::ZERO,
        built: 0,
        pace: opts.pace,
    };
    // Build a plan from the relaxed solution `open` priced by `pi`, and send it.
    let mut plan_from = |clock: &mut PlanClock, steps: u64, open: &[bool], pi: &[f64]| {
        let Some((b, send)) = builder.as_mut() else {
            return;
        };
        let t = Instant::now();
        let no_mu = vec![0.0; shape.items.len()];
        let plan = b.build(open, &|c| x.reduced(c, &no_mu, pi));
        send(plan);
        clock.took = t.elapsed();
        clock.at = Instant::now();
        clock.steps = steps;
        clock.built += 1;
    };
    let objective = ObjectiveMap::of(model, shape.sense);
    let to_model = |v: f64| objective.model(v);
    let from_model = |v: f64| objective.relaxed(v);
    // Each item starts at the cost of its cheapest allowed option: the bound of the model
    // without its other rows.
    let mut mu: Vec<f64> = shape
        .items
        .iter()
        .map(|(_, opts)| {
            opts.iter()
                .filter(|c| model.columns[c.0 as usize].ub >= 1.0)
                .map(|c| shape.cost[c.0 as usize])
                .fold(f64::INFINITY, f64::min)
        })
        .map(|v| if v.is_finite() { v } else { 0.0 })
        .collect();
    let mut pi = vec![0.0; x.rows.len()];
    let mut best_mu = mu.clone();
    let mut scratch = Vec::new();
    let mut best = f64::NEG_INFINITY;
    let mut theta = 2.0;
    let mut since_better = 0u32;
    let mut steps = 0u64;
    // The relaxed solution and row multipliers at the best bound when no plan was built
    // from them yet.
    let mut pending: Option<(Vec<bool>, Vec<f64>)> = None;
    loop {
        let point = evaluate(&x, &mu, &pi, &mut scratch)?;
        if best == f64::NEG_INFINITY || point.value > best + 1e-12 * best.abs().max(1.0) {
            best = point.value;
            best_mu.clone_from(&mu);
            since_better = 0;
            if plans.is_some() && clock.built < max_plans {
                if clock.due(steps, PLAN_PACE) {
                    plan_from(&mut clock, steps, &point.open, &pi);
                    pending = None;
                } else {
                    pending = Some((point.open.clone(), pi.clone()));
                }
            }
        } else {
            since_better += 1;
            if since_better >= PATIENCE {
                theta /= 2.0;
                since_better = 0;
            }
        }
        if theta < min_theta || started.elapsed() >= opts.time_limit || (opts.stop)() {
            break;
        }
        let g_items: Vec<f64> = point.taken.iter().map(|t| 1.0 - t).collect();
        let g_rows: Vec<f64> = (0..pi.len())
            .map(|k| {
                let a = point.activity[k];
                if pi[k] > 0.0 || a > x.hi[k] {
                    a - x.hi[k]
                } else if pi[k] < 0.0 || a < x.lo[k] {
                    a - x.lo[k]
                } else {
                    0.0
                }
            })
            .collect();
        let norm2: f64 = g_items.iter().chain(&g_rows).map(|g| g * g).sum();
        if norm2 <= 1e-18 {
            // The relaxed optimum meets every relaxed row with complementary multipliers: it
            // is optimal for the model's LP relaxation, and the bound cannot rise.
            break;
        }
        let target = (opts.upper)()
            .map(from_model)
            .filter(|u| *u > best + 1e-9 * best.abs().max(1.0))
            .unwrap_or_else(|| best + 0.05 * best.abs().max(1.0));
        let t = theta * (target - point.value) / norm2;
        for (m, g) in mu.iter_mut().zip(&g_items) {
            *m += t * g;
        }
        for (k, p) in pi.iter_mut().enumerate() {
            *p += t * g_rows[k];
            if x.hi[k] == f64::INFINITY {
                *p = p.min(0.0);
            }
            if x.lo[k] == f64::NEG_INFINITY {
                *p = p.max(0.0);
            }
        }
        steps += 1;
    }
    // The best multipliers always give a plan, unless the stop was asked for.
    if let Some((open, pi)) = pending.filter(|_| !(opts.stop)() && clock.built < max_plans) {
        plan_from(&mut clock, steps, &open, &pi);
    }
    best.is_finite().then(|| {
        (
            Lagrangian {
                value: to_model(best),
                steps,
                relaxed_rows: x.rows.len() + shape.items.len(),
                kept_rows: x.tied.len(),
                plans: clock.built,
                knapsacks: None,
            },
            best_mu,
        )
    })
}

/// Steps between two plans of the Lagrangian heuristic, at least.
const PLAN_STEPS: u64 = 10;
/// The time between two plans of the first relaxation, in times the last plan took: plans
/// take at most a third of its time.
const PLAN_PACE: u32 = 2;
/// The same for the knapsack relaxation, whose plans are better (half of its time; on
/// 20000 x 100 this gave 13 plans in 60 s where a third gave 8, and a better plan).
const KNAPSACK_PLAN_PACE: u32 = 1;
/// Rounds of local improvement of a knapsack plan (the search improves it further; fewer
/// rounds, more plans).
const KNAPSACK_PLAN_ROUNDS: usize = 1;
/// The share of the time after which the best knapsack solution's plan is built at once.
const LATE_PLAN: f64 = 0.8;
/// Steps without a better bound before the step length is halved.
const PATIENCE: u32 = 20;
/// The step-length factor at which the bound is taken as converged.
const MIN_THETA: f64 = 1e-4;

/// The relaxation that keeps each place's capacity row: the items' rows are the only rows
/// moved into the objective, and every other row holds one other column (a place) and
/// options of that place only, so the relaxed problem falls apart into one problem per
/// place (open it or not, and which options to take within its one capacity row: a 0-1
/// knapsack) and one per option in no row. Built when the model has that structure.
struct Knapsacks<'a> {
    shape: &'a Shape,
    places: Vec<Place>,
    /// Options of each place: `options[place.start..place.end]`.
    options: Vec<PlaceOption>,
    /// Options in no row but their item's, with their allowed values.
    untied: Vec<(u32, Allowed)>,
}

struct Place {
    /// The other column (model index) and its allowed values.
    column: u32,
    allowed: Allowed,
    /// The capacity of its knapsack row with the place at 0 and at 1 (infinite without one).
    capacity: [f64; 2],
    start: usize,
    end: usize,
}

#[derive(Clone, Copy)]
struct PlaceOption {
    column: u32,
    /// Its coefficient in the place's knapsack row (0 when not in it).
    weight: f64,
    /// Its allowed values with the place at 0 and at 1.
    allowed: [Allowed; 2],
}

impl<'a> Knapsacks<'a> {
    /// The per-place structure of `model`, `None` when a row holds no other column, an
    /// option is in the rows of two places, a place has two rows over several options, or
    /// such a row is not `sum(w * x) + b * y <= c` with every `w` of one sign (a lower side
    /// that every plan meets is allowed).
    fn new(model: &Model, shape: &'a Shape) -> Option<Knapsacks<'a>> {
        let n = model.num_columns();
        let bounds = |c: usize| {
            let col = &model.columns[c];
            allowed_within(col.lb, col.ub)
        };
        let mut place_of_other = vec![NONE; n];
        let mut places = Vec::new();
        for (c, at) in place_of_other.iter_mut().enumerate() {
            if shape.item_of_col[c] == NONE {
                *at = places.len() as u32;
                places.push(Place {
                    column: c as u32,
                    allowed: bounds(c),
                    capacity: [f64::INFINITY; 2],
                    start: 0,
                    end: 0,
                });
            }
        }
        let mut place_of_option = vec![NONE; n];
        let mut allowed: Vec<[Allowed; 2]> = (0..n).map(|c| [bounds(c); 2]).collect();
        let mut weight = vec![0.0; n];
        let mut has_knapsack = vec![false; places.len()];
        for &r in &shape.rows {
            let (y, b) = shape.other_in_row[r.0 as usize]?;
            let k = place_of_other[y.0 as usize] as usize;
            let row = &model.rows[r.0 as usize];
            let entries: Vec<(usize, f64)> = model
                .row_entries(r)
                .filter(|(c, _)| c.0 != y.0)
                .map(|(c, v)| (c.0 as usize, v))
                .collect();
            for &(c, _) in &entries {
                let at = &mut place_of_option[c];
                if *at != NONE && *at as usize != k {
                    return None;
                }
                *at = k as u32;
            }
            match entries.as_slice() {
                [] => places[k].allowed &= tied_allowed(row.lo, row.hi, b, 0.0, 0.0),
                [(c, a)] => {
                    for (v, bits) in allowed[*c].iter_mut().enumerate() {
                        *bits &= tied_allowed(row.lo, row.hi, *a, b, v as f64);
                    }
                }
                _ => {
                    if has_knapsack[k] {
                        return None;
                    }
                    has_knapsack[k] = true;
                    let sign = if entries.iter().all(|e| e.1 >= 0.0) {
                        1.0
                    } else if entries.iter().all(|e| e.1 <= 0.0) {
                        -1.0
                    } else {
                        return None;
                    };
                    let (lo, hi) = if sign > 0.0 {
                        (row.lo, row.hi)
                    } else {
                        (-row.hi, -row.lo)
                    };
                    // Every plan meets the lower side: the row is a knapsack.
                    if lo > (sign * b).min(0.0) + 1e-9 * lo.abs().max(1.0) {
                        return None;
                    }
                    for &(c, a) in &entries {
                        weight[c] = sign * a;
                    }
                    places[k].capacity = [hi, hi - sign * b];
                }
            }
        }
        let mut options = Vec::new();
        let mut untied = Vec::new();
        let mut by_place: Vec<Vec<u32>> = vec![Vec::new(); places.len()];
        for c in 0..n {
            if shape.item_of_col[c] == NONE {
                continue;
            }
            match place_of_option[c] {
                NONE => untied.push((c as u32, allowed[c][0])),
                k => by_place[k as usize].push(c as u32),
            }
        }
        for (k, cols) in by_place.into_iter().enumerate() {
            places[k].start = options.len();
            options.extend(cols.into_iter().map(|c| PlaceOption {
                column: c,
                weight: weight[c as usize],
                allowed: allowed[c as usize],
            }));
            places[k].end = options.len();
        }
        Some(Knapsacks {
            shape,
            places,
            options,
            untied,
        })
    }
}

/// The knapsack relaxation at `mu`: its value and what the items' rows hold there.
struct KnapsackPoint {
    value: f64,
    /// How much of each item is taken.
    taken: Vec<f64>,
    /// Per place: whether it is open.
    open: Vec<bool>,
    /// Option columns taken (at least half) by open places and untied options.
    chosen: Vec<u32>,
    exact: u64,
    fractional: u64,
}

/// Buffers of [`evaluate_knapsacks`].
#[derive(Default)]
struct KnapsackScratch {
    cands: Vec<Candidate>,
    /// Index into the place's options of each candidate.
    of: Vec<u32>,
    taken: Vec<f64>,
    /// Per branch (place at 0, at 1): (option index, amount) taken.
    branch: [Vec<(u32, f64)>; 2],
    solver: knapsack::Scratch,
}

/// The dual function of the knapsack relaxation at `mu`: `None` when a place has no
/// solution (then neither has the model).
fn evaluate_knapsacks(
    x: &Knapsacks<'_>,
    mu: &[f64],
    sc: &mut KnapsackScratch,
) -> Option<KnapsackPoint> {
    let shape = x.shape;
    let rc = |c: u32| shape.cost[c as usize] - mu[shape.item_of_col[c as usize] as usize];
    let mut point = KnapsackPoint {
        value: mu.iter().sum(),
        taken: vec![0.0; mu.len()],
        open: vec![false; x.places.len()],
        chosen: Vec::new(),
        exact: 0,
        fractional: 0,
    };
    for &(c, allowed) in &x.untied {
        let (one, cost) = best_of(allowed, rc(c))?;
        if one {
            point.value += cost;
            point.taken[shape.item_of_col[c as usize] as usize] += 1.0;
            point.chosen.push(c);
        }
    }
    for (k, place) in x.places.iter().enumerate() {
        let options = &x.options[place.start..place.end];
        let mut value = [f64::INFINITY; 2];
        let mut how = [Solved::Exact; 2];
        for v in 0..2 {
            sc.branch[v].clear();
            if place.allowed & (1 << v) == 0 {
                continue;
            }
            let mut base = if v == 1 {
                shape.cost[place.column as usize]
            } else {
                0.0
            };
            let mut room = place.capacity[v];
            sc.cands.clear();
            sc.of.clear();
            let mut feasible = true;
            for (j, o) in options.iter().enumerate() {
                let r = rc(o.column);
                match o.allowed[v] {
                    ONE => {
                        base += r;
                        room -= o.weight;
                        sc.branch[v].push((j as u32, 1.0));
                    }
                    ZERO => {}
                    0 => feasible = false,
                    _ if r < 0.0 => {
                        sc.cands.push(Candidate {
                            weight: o.weight,
                            profit: -r,
                        });
                        sc.of.push(j as u32);
                    }
                    _ => {}
                }
            }
            if !feasible || room < -1e-9 * place.capacity[v].abs().max(1.0) {
                continue;
            }
            let (profit, solved) =
                knapsack::solve(&sc.cands, room.max(0.0), &mut sc.taken, &mut sc.solver);
            value[v] = base - profit;
            how[v] = solved;
            for (&j, &t) in sc.of.iter().zip(&sc.taken) {
                if t > 0.0 {
                    sc.branch[v].push((j, t));
                }
            }
        }
        let open = value[1] < value[0];
        let best = value[0].min(value[1]);
        if !best.is_finite() {
            return None;
        }
        let v = usize::from(open);
        point.value += best;
        match how[v] {
            Solved::Exact => point.exact += 1,
            Solved::Fractional => point.fractional += 1,
        }
        point.open[k] = open;
        for &(j, t) in &sc.branch[v] {
            let c = options[j as usize].column;
            point.taken[shape.item_of_col[c as usize] as usize] += t;
            if open && t >= 0.5 {
                point.chosen.push(c);
            }
        }
    }
    Some(point)
}

/// The Lagrangian bound of `model` (which has `shape`) with the stronger relaxation when the
/// model has its structure ([`Knapsacks`]): first the relaxation of
/// [`lagrangian_bound_with_plans`] (cheap steps) for at most [`FIRST_SHARE`] of the time,
/// then from its best multipliers of the items' rows the relaxation that keeps each place's
/// capacity row as a 0-1 knapsack, whose value at those multipliers is at least the first
/// one's (its relaxed problem has fewer solutions, and the capacity rows' prices only
/// lowered the first), and whose optimum can pass the LP relaxation's. The knapsack
/// solutions at the best multipliers give plans too (the places they open, each item on
/// the option a knapsack took, by [`PlanBuilder`]). Without the structure, the first
/// relaxation has all the time.
pub fn knapsack_bound_with_plans(
    model: &Model,
    shape: &Shape,
    opts: &LagrangeOptions<'_>,
    plans: Option<&(dyn Fn(Vec<u32>) + Sync)>,
) -> Option<Lagrangian> {
    let started = Instant::now();
    let Some(x) = Knapsacks::new(model, shape) else {
        return lagrangian_bound_with_plans(model, shape, opts, plans);
    };
    let first_opts = LagrangeOptions {
        time_limit: opts.time_limit.mul_f64(FIRST_SHARE),
        upper: opts.upper,
        stop: opts.stop,
        pace: opts.pace,
    };
    // The first relaxation's plans are far from the knapsacks' ones: it builds one, the
    // search's start, and spends the rest of its time on its steps.
    let (first, mut mu) = first_relaxation(model, shape, &first_opts, plans, FIRST_MIN_THETA, 1)?;
    let objective = ObjectiveMap::of(model, shape.sense);
    let to_model = |v: f64| objective.model(v);
    let from_model = |v: f64| objective.relaxed(v);
    let mut builder = plans.map(|send| (PlanBuilder::new(model, shape), send));
    let mut clock = PlanClock {
        steps: 0,
        at: Instant::now(),
        took: Duration::ZERO,
        built: first.plans,
        pace: opts.pace,
    };
    // Every option's cost, less a premium for those a knapsack took: each item goes to
    // such an option when it has one among the open places.
    let premium = 1.0 + 2.0 * shape.cost.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    let mut chosen_flag = vec![false; model.num_columns()];
    let mut plan_from = |clock: &mut PlanClock, steps: u64, p: &KnapsackPoint| {
        let Some((b, send)) = builder.as_mut() else {
            return;
        };
        let t = Instant::now();
        for &c in &p.chosen {
            chosen_flag[c as usize] = true;
        }
        let plan = b.build_with_rounds(
            &p.open,
            &|c| shape.cost[c] - if chosen_flag[c] { premium } else { 0.0 },
            KNAPSACK_PLAN_ROUNDS,
        );
        for &c in &p.chosen {
            chosen_flag[c as usize] = false;
        }
        send(plan);
        clock.took = t.elapsed();
        clock.at = Instant::now();
        clock.steps = steps;
        clock.built += 1;
    };
    let mut sc = KnapsackScratch::default();
    let mut best = f64::NEG_INFINITY;
    let mut theta = KNAPSACK_THETA;
    let mut since_better = 0u32;
    let mut steps = 0u64;
    let (mut exact, mut fractional) = (0u64, 0u64);
    let mut pending: Option<KnapsackPoint> = None;
    let mut late_plan = false;
    while !(opts.stop)() {
        let point = evaluate_knapsacks(&x, &mu, &mut sc)?;
        exact += point.exact;
        fractional += point.fractional;
        let improved =
            best == f64::NEG_INFINITY || point.value > best + 1e-12 * best.abs().max(1.0);
        if improved {
            best = point.value;
            since_better = 0;
        } else {
            since_better += 1;
            if since_better >= KNAPSACK_PATIENCE {
                theta /= 2.0;
                since_better = 0;
            }
        }
        let g: Vec<f64> = point.taken.iter().map(|t| 1.0 - t).collect();
        let norm2: f64 = g.iter().map(|g| g * g).sum();
        let done = theta < MIN_THETA || started.elapsed() >= opts.time_limit || norm2 <= 1e-18;
        let value = point.value;
        // Unlike the first relaxation's, every knapsack solution is near a plan (each place
        // within its capacity), so plans are built whenever due, from the bound's best
        // solution when it has not given one yet, else from the current one.
        if plans.is_some() {
            let current = if improved {
                pending = Some(point);
                None
            } else {
                Some(point)
            };
            // Late in the time, the best solution's plan is built at once, so that the
            // search still has time to improve it.
            let late = !late_plan
                && pending.is_some()
                && started.elapsed() >= opts.time_limit.mul_f64(LATE_PLAN);
            late_plan |= late;
            if clock.due(steps, KNAPSACK_PLAN_PACE) || late || (done && pending.is_some()) {
                if let Some(p) = pending.take().or(current) {
                    plan_from(&mut clock, steps, &p);
                }
            }
        }
        if done {
            break;
        }
        let target = (opts.upper)()
            .map(from_model)
            .filter(|u| *u > best + 1e-9 * best.abs().max(1.0))
            .unwrap_or_else(|| best + 0.05 * best.abs().max(1.0));
        let t = theta * (target - value) / norm2;
        for (m, g) in mu.iter_mut().zip(&g) {
            *m += t * g;
        }
        steps += 1;
    }
    if let Some(p) = pending.filter(|_| !(opts.stop)()) {
        plan_from(&mut clock, steps, &p);
    }
    let first_value = first.value;
    let value = if best.is_finite() {
        let v = to_model(best);
        match shape.sense {
            Sense::Minimize => v.max(first_value),
            Sense::Maximize => v.min(first_value),
        }
    } else {
        first_value
    };
    Some(Lagrangian {
        value,
        steps: first.steps + steps,
        relaxed_rows: shape.items.len(),
        kept_rows: shape.rows.len(),
        plans: clock.built,
        knapsacks: Some(KnapsackStats {
            places: x.places.len(),
            steps,
            exact,
            fractional,
            first: first_value,
        }),
    })
}

/// The share of the time the first relaxation has before the knapsacks take over.
const FIRST_SHARE: f64 = 0.4;
/// The step factor at which the first relaxation hands over to the knapsacks.
const FIRST_MIN_THETA: f64 = 1e-2;
/// The knapsack relaxation's first step factor.
const KNAPSACK_THETA: f64 = 2.0;
/// Steps without a better knapsack bound before the step length is halved (more than the
/// first relaxation's: its steps are worth more; 10, 30 and 50 gave bounds 0.1 % apart on
/// 2000 x 50, the highest with 50).
const KNAPSACK_PATIENCE: u32 = 50;

#[cfg(test)]
mod tests {
    use super::*;

    fn instantiate(path: &std::path::Path, text: Option<&str>) -> Model {
        let options = crate::analysis::AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        };
        let a = match text {
            Some(t) => crate::driver::analyze_source("m.arch", t, None, &options),
            None => crate::driver::analyze(path, &options),
        };
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        a.instance.expect("an instance").model
    }

    /// The placement instances with known optima (`archc-cli/tests/data/placement_gen`).
    fn placement(name: &str) -> Model {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../archc-cli/tests/data/placement_gen")
            .join(name)
            .join("placement.arch");
        instantiate(&path, None)
    }

    /// On the placement instances: at the first relaxation's best multipliers the knapsack
    /// relaxation is at least as high (each place's knapsack solved exactly), the bound it
    /// reaches is at most the known optimum and above the first relaxation's, and it says
    /// so in its statistics.
    #[test]
    fn the_knapsack_bound_is_below_the_optimum_and_above_the_first_relaxation() {
        for (name, optimum) in [("50x10", 142747.0), ("100x20", 234528.0)] {
            let model = placement(name);
            let shape = Shape::of(&model).unwrap();
            let opts = LagrangeOptions {
                time_limit: Duration::from_secs(30),
                upper: &|| Some(optimum),
                stop: &|| false,
                pace: PlanPace::Timed,
            };
            let (first, mu) = first_relaxation(&model, &shape, &opts, None, MIN_THETA, 0).unwrap();
            let x = Knapsacks::new(&model, &shape).expect("the knapsack structure");
            assert_eq!(
                x.places.len(),
                shape.item_of_col.iter().filter(|&&i| i == NONE).count()
            );
            assert!(x.untied.is_empty());
            let p = evaluate_knapsacks(&x, &mu, &mut KnapsackScratch::default()).unwrap();
            assert_eq!(p.fractional, 0, "{name}: integer demands, small capacities");
            assert!(
                p.value >= first.value - 1e-6 * optimum,
                "{name}: {} < {}",
                p.value,
                first.value
            );
            assert!(
                p.value <= optimum + 1e-6,
                "{name}: {} above the optimum",
                p.value
            );
            let k = knapsack_bound_with_plans(&model, &shape, &opts, None).unwrap();
            let stats = k.knapsacks.as_ref().expect("the knapsack relaxation ran");
            assert!(stats.steps > 0);
            assert!(
                k.value <= optimum + 1e-6,
                "{name}: bound {} above the optimum",
                k.value
            );
            // The knapsacks close at least a fifth of the first relaxation's gap here.
            assert!(
                optimum - k.value <= 0.8 * (optimum - stats.first),
                "{name}: knapsack bound {} against the first {}",
                k.value,
                stats.first
            );
        }
    }

    /// A capacity row over options of two places is no knapsack of one place: the bound
    /// falls back to the first relaxation alone.
    #[test]
    fn a_row_over_two_places_keeps_the_first_relaxation() {
        let model = instantiate(
            std::path::Path::new("m.arch"),
            Some(
                r#"
set places = {a, b}
set items = {i1, i2, i3}
decide open[p in places]: bool
decide x[i in items, p in places]: bool
constraint one[i in items]: sum(p in places) x[i, p] == 1
constraint cap[p in places]: sum(i in items) x[i, p] <= 2 * open[p]
constraint both: sum(i in items) (x[i, a] + x[i, b]) <= 3
minimize total: sum(p in places) 5 * open[p] + sum(i in items) (x[i, a] + 2 * x[i, b])
"#,
            ),
        );
        let shape = Shape::of(&model).unwrap();
        assert!(Knapsacks::new(&model, &shape).is_none());
        let k = knapsack_bound_with_plans(
            &model,
            &shape,
            &LagrangeOptions {
                time_limit: Duration::from_secs(5),
                upper: &|| None,
                stop: &|| false,
                pace: PlanPace::Timed,
            },
            None,
        )
        .unwrap();
        assert!(k.knapsacks.is_none());
        // Two places open (10), two items on a (2) and one on b (2): 14.
        assert!(k.value <= 14.0 + 1e-9);
    }
}

/// Between the relaxation's values (minimised, without the objective's constant) and the
/// model's objective.
#[derive(Clone, Copy)]
struct ObjectiveMap {
    constant: f64,
    sense: Sense,
}

impl ObjectiveMap {
    fn of(model: &Model, sense: Sense) -> ObjectiveMap {
        let constant = model
            .objective
            .as_ref()
            .map_or(0.0, |o| o.terms.iter().map(|t| t.constant).sum());
        ObjectiveMap { constant, sense }
    }

    fn model(self, v: f64) -> f64 {
        match self.sense {
            Sense::Minimize => v + self.constant,
            Sense::Maximize => -v + self.constant,
        }
    }

    fn relaxed(self, v: f64) -> f64 {
        match self.sense {
            Sense::Minimize => v - self.constant,
            Sense::Maximize => -(v - self.constant),
        }
    }
}
