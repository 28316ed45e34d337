//! The search backend: an anytime local search for assignment-shaped models (items placed on
//! one option each, see [`shape`]), in the manner of Meta's Rebalancer. It starts from a
//! given plan (a partitioned solve's) or places every item greedily, then moves items
//! (relocations to their best option, swaps of two items' places, emptying an opened place)
//! guided by row violations first and the objective second, until the time limit or a stop
//! request (Ctrl-C), which keeps the best plan found. The
//! state ([`state`]) keeps every total incremental, so a move costs the rows it touches.
//!
//! The search proves nothing: the solve layer verifies its plan against the model, and the
//! gap is to a bound computed on the side ([`crate::solve::bound`]).

pub mod shape;
pub mod state;

use crate::ir::Model;
use crate::partition::split::SplitMix;
use shape::{Shape, NONE};
use state::{Score, State};
use std::time::{Duration, Instant};

/// What the search reports while it runs.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub elapsed: Duration,
    /// The objective of the best plan that meets every row, when there is one.
    pub incumbent: Option<f64>,
    /// Total (relative) row violation of the current plan.
    pub violation: f64,
    pub moves: u64,
}

/// The outcome of a search.
#[derive(Clone, Debug)]
pub struct Found {
    /// Values per column of the best plan found (feasible when `feasible`).
    pub values: Vec<f64>,
    pub feasible: bool,
    pub moves: u64,
    pub improvements: u64,
    /// True when a stop request (Ctrl-C, [`SearchOptions::control`]) ended it
    /// before the time limit.
    pub interrupted: bool,
    /// The objective of the plan it started from (the other columns set from the items;
    /// model constants included), and whether that plan met every row.
    pub start_objective: f64,
    pub start_feasible: bool,
}

/// Options of one search.
pub struct SearchOptions<'a> {
    pub time_limit: Duration,
    pub seed: u64,
    /// Values per column to start from (a partitioned plan), if any.
    pub start: Option<&'a [f64]>,
    /// Called about once a second.
    pub progress: &'a (dyn Fn(&Progress) + Sync),
    /// The solve's control: a stop request on it ends the search with its best plan.
    pub control: &'a crate::backends::types::SolveControl,
}

/// How often the clock is read, in moves.
const CHECK_EVERY: u64 = 256;

/// Search `model` (which has `shape`) until the time limit.
pub fn search(model: &Model, shape: &Shape, opts: &SearchOptions<'_>) -> Found {
    let started = Instant::now();
    let mut rng = SplitMix::new(opts.seed);
    let mut s = State::new(model, shape);
    start(&mut s, opts.start, &mut rng);
    let mut best = s.score();
    let start_score = best;
    let mut best_choice = s.choice.clone();
    let mut moves = 0u64;
    let mut improvements = 0u64;
    let mut last_report = Instant::now();
    let n_items = shape.items.len();
    let mut interrupted = false;
    loop {
        moves += 1;
        if moves.is_multiple_of(CHECK_EVERY) {
            if started.elapsed() >= opts.time_limit {
                break;
            }
            if opts.control.stop_requested() {
                interrupted = true;
                break;
            }
            if last_report.elapsed() >= Duration::from_secs(1) {
                last_report = Instant::now();
                (opts.progress)(&Progress {
                    elapsed: started.elapsed(),
                    incumbent: (best.violation <= state::VIOLATION_EPS)
                        .then(|| objective_of(model, best.cost)),
                    violation: s.violation,
                    moves,
                });
            }
            if moves.is_multiple_of(CHECK_EVERY * 4096) {
                s.recompute();
            }
        }
        let r = rng.below(100);
        if r < 55 {
            relocate(&mut s, rng.below(n_items));
        } else if r < 97 {
            swap(&mut s, rng.below(n_items), rng.below(n_items));
        } else {
            empty_a_place(&mut s, &mut rng);
        }
        if s.score().better(&best) {
            best = s.score();
            best_choice.clone_from(&s.choice);
            improvements += 1;
        }
    }
    s.choice = best_choice;
    s.recompute();
    let feasible = s.violation <= state::VIOLATION_EPS;
    Found {
        values: s.values(),
        feasible,
        moves,
        improvements,
        interrupted,
        start_objective: objective_of(model, start_score.cost),
        start_feasible: start_score.violation <= state::VIOLATION_EPS,
    }
}

/// The objective in the model's sense from a minimisation cost (constants left out: the
/// caller reports the objective recomputed from the IR).
fn objective_of(model: &Model, cost: f64) -> f64 {
    let constant: f64 = model
        .objective
        .as_ref()
        .map_or(0.0, |o| o.terms.iter().map(|t| t.constant).sum());
    match model.objective.as_ref().map(|o| o.sense) {
        Some(crate::ir::Sense::Maximize) => -cost + constant,
        _ => cost + constant,
    }
}

/// Place every item: on its option in `start` when it has one, else greedily on the best
/// option given the items placed before it (in a random order).
fn start(s: &mut State<'_>, start: Option<&[f64]>, rng: &mut SplitMix) {
    let shape = s.shape;
    let mut order: Vec<usize> = (0..shape.items.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    if let Some(values) = start {
        for &i in &order {
            if let Some(c) = shape.items[i]
                .1
                .iter()
                .find(|c| values.get(c.0 as usize).is_some_and(|v| *v > 0.5))
            {
                s.place(i, c.0);
            }
        }
    }
    for &i in &order {
        if s.choice[i] == NONE {
            let to = best_option(s, i, None);
            s.place(i, to);
        }
    }
}

/// The best option of item `i` (leaving out options in rows of other column `avoid`).
fn best_option(s: &mut State<'_>, i: usize, avoid: Option<u32>) -> u32 {
    let shape = s.shape;
    let from = s.choice[i];
    let mut best: Option<(Score, u32)> = None;
    for &c in &shape.items[i].1 {
        if let Some(y) = avoid {
            if shape
                .rows_of(c.0 as usize)
                .any(|(r, _)| shape.other_in_row[r.0 as usize].is_some_and(|(o, _)| o.0 == y))
            {
                continue;
            }
        }
        s.place(i, c.0);
        let score = s.score();
        if best.as_ref().is_none_or(|(b, _)| score.better(b)) {
            best = Some((score, c.0));
        }
    }
    s.place(i, from);
    best.map_or(from, |(_, c)| c)
}

/// Move item `i` to its best option when that is no worse.
fn relocate(s: &mut State<'_>, i: usize) {
    let before = s.score();
    let to = best_option(s, i, None);
    let from = s.choice[i];
    s.place(i, to);
    if !s.score().no_worse(&before) {
        s.place(i, from);
    }
}

/// The place of an option: the first of its rows that other items' options share (a
/// capacity row), as a row index.
fn place_of(s: &State<'_>, c: u32) -> Option<u32> {
    s.shape.rows_of(c as usize).next().map(|(r, _)| r.0)
}

/// Item `i`'s option at `place`, if it has one.
fn option_at(s: &State<'_>, i: usize, place: u32) -> Option<u32> {
    s.shape.items[i]
        .1
        .iter()
        .find(|c| place_of(s, c.0) == Some(place))
        .map(|c| c.0)
}

/// Exchange the places of items `i` and `j` when that is no worse.
fn swap(s: &mut State<'_>, i: usize, j: usize) {
    let (ci, cj) = (s.choice[i], s.choice[j]);
    if i == j || ci == NONE || cj == NONE {
        return;
    }
    let (Some(pi), Some(pj)) = (place_of(s, ci), place_of(s, cj)) else {
        return;
    };
    if pi == pj {
        return;
    }
    let (Some(ni), Some(nj)) = (option_at(s, i, pj), option_at(s, j, pi)) else {
        return;
    };
    let before = s.score();
    s.place(i, ni);
    s.place(j, nj);
    if !s.score().no_worse(&before) {
        s.place(j, cj);
        s.place(i, ci);
    }
}

/// Move every item off one opened place (an other column at 1) to its best option
/// elsewhere, kept when the total improves.
fn empty_a_place(s: &mut State<'_>, rng: &mut SplitMix) {
    let open: Vec<usize> = (0..s.others.len()).filter(|&k| s.y[k]).collect();
    if open.is_empty() {
        return;
    }
    let k = open[rng.below(open.len())];
    let y = s.others[k];
    let shape = s.shape;
    let mut users: Vec<usize> = Vec::new();
    for (r, _) in shape.rows_of(y as usize) {
        for (c, _) in s.model.row_entries(r) {
            let i = shape.item_of_col[c.0 as usize];
            if i != NONE && s.choice[i as usize] == c.0 {
                users.push(i as usize);
            }
        }
    }
    users.sort_unstable();
    users.dedup();
    let before = s.score();
    let mut moved = Vec::with_capacity(users.len());
    for &i in &users {
        let from = s.choice[i];
        let to = best_option(s, i, Some(y));
        s.place(i, to);
        moved.push((i, from));
    }
    if !s.score().better(&before) {
        for &(i, from) in moved.iter().rev() {
            s.place(i, from);
        }
    }
}

/// Above this many integer columns, `--backend auto` takes the search backend for a model
/// with the assignment shape.
pub const AUTO_COLUMNS: usize = 200_000;
