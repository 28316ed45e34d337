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

pub mod knapsack;
pub mod primal;
pub mod shape;
pub mod state;

use crate::ir::Model;
use crate::partition::split::SplitMix;
use shape::{Shape, NONE};
use state::{Score, State};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Plans handed to a running search by another thread (the Lagrangian heuristic of the
/// bound thread, [`primal`]): the newest plan not yet taken, as the option column of each
/// item. The search takes it when it is better than its own best.
#[derive(Default)]
pub struct Inbox {
    plan: Mutex<Option<Vec<u32>>>,
    fresh: AtomicBool,
    sent: AtomicU64,
    closed: AtomicBool,
}

impl Inbox {
    /// Hand `choice` (the option column of each item) to the search, replacing a plan it has
    /// not taken yet.
    pub fn send(&self, choice: Vec<u32>) {
        if let Ok(mut p) = self.plan.lock() {
            *p = Some(choice);
            self.sent.fetch_add(1, Ordering::Relaxed);
            self.fresh.store(true, Ordering::Release);
        }
    }

    /// No more plans will be sent.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// Plans sent so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The plan sent and not yet taken, if any.
    pub fn take(&self) -> Option<Vec<u32>> {
        if !self.fresh.swap(false, Ordering::Acquire) {
            return None;
        }
        self.plan.lock().ok()?.take()
    }

    /// Wait for a plan until `deadline`, a stop request (`stop`) or the inbox is closed.
    pub fn wait(&self, deadline: Instant, stop: &dyn Fn() -> bool) -> Option<Vec<u32>> {
        loop {
            if let Some(p) = self.take() {
                return Some(p);
            }
            if self.closed.load(Ordering::Acquire) || Instant::now() >= deadline || stop() {
                return self.take();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

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
    /// Plans taken from [`SearchOptions::inbox`] (better than the search's best when they came).
    pub adopted: u64,
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
    /// Plans sent while the search runs (by the Lagrangian heuristic), if any.
    pub inbox: Option<&'a Inbox>,
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
    let mut adopted = 0u64;
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
            if let Some(plan) = opts.inbox.and_then(Inbox::take) {
                if adopt(&mut s, &plan, &best) {
                    best = s.score();
                    best_choice.clone_from(&s.choice);
                    adopted += 1;
                }
            }
        }
        let r = rng.below(1000);
        if r < 550 {
            relocate(&mut s, rng.below(n_items));
        } else if r < 970 {
            swap(&mut s, rng.below(n_items), rng.below(n_items));
        } else if r < 980 {
            empty_a_place(&mut s, &mut rng);
        } else if r < 990 {
            open_a_place(&mut s, &mut rng);
        } else {
            swap_places(&mut s, &mut rng);
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
        adopted,
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

/// Put the state on `plan` (the option column of each item) when that is better than
/// `best`; else leave it as it was. True when it took the plan.
fn adopt(s: &mut State<'_>, plan: &[u32], best: &Score) -> bool {
    let shape = s.shape;
    if plan.len() != shape.items.len()
        || plan
            .iter()
            .enumerate()
            .any(|(i, &c)| c == NONE || shape.item_of_col.get(c as usize) != Some(&(i as u32)))
    {
        return false;
    }
    let before = s.choice.clone();
    for (i, &c) in plan.iter().enumerate() {
        s.place(i, c);
    }
    s.recompute();
    if s.score().better(best) {
        return true;
    }
    for (i, &c) in before.iter().enumerate() {
        s.place(i, c);
    }
    s.recompute();
    false
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
pub(crate) fn best_option(s: &mut State<'_>, i: usize, avoid: Option<u32>) -> u32 {
    let shape = s.shape;
    let from = s.choice[i];
    // Off its option once; each option is then scored as a placement of the item.
    s.place(i, NONE);
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
        let score = s.peek(i, c.0);
        if best.as_ref().is_none_or(|(b, _)| score.better(b)) {
            best = Some((score, c.0));
        }
    }
    s.place(i, from);
    best.map_or(from, |(_, c)| c)
}

/// Move item `i` to its best option when that is no worse.
pub(crate) fn relocate(s: &mut State<'_>, i: usize) {
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
    try_moves(s, |s, moved| empty_place(s, k, moved));
}

/// Open one closed place (an other column at 0) and pull items to it ([`pull_to_place`]),
/// kept when the total improves (the opening cost paid).
fn open_a_place(s: &mut State<'_>, rng: &mut SplitMix) {
    let closed: Vec<usize> = (0..s.others.len()).filter(|&k| !s.y[k]).collect();
    if closed.is_empty() {
        return;
    }
    let k = closed[rng.below(closed.len())];
    try_moves(s, |s, moved| pull_to_place(s, k, moved));
}

/// Open a closed place and empty an opened one: items pulled to the first, then every item
/// left on the second moved to its best option elsewhere; kept when the total improves.
fn swap_places(s: &mut State<'_>, rng: &mut SplitMix) {
    let (open, closed): (Vec<usize>, Vec<usize>) = (0..s.others.len()).partition(|&k| s.y[k]);
    if open.is_empty() || closed.is_empty() {
        return;
    }
    let (to, from) = (closed[rng.below(closed.len())], open[rng.below(open.len())]);
    try_moves(s, |s, moved| {
        pull_to_place(s, to, moved);
        empty_place(s, from, moved);
    });
}

/// Make the moves of `make` (which records each item's former option in `moved`) and keep
/// them when the total improves; else undo them. True when kept.
pub(crate) fn try_moves(
    s: &mut State<'_>,
    make: impl FnOnce(&mut State<'_>, &mut Vec<(usize, u32)>),
) -> bool {
    let before = s.score();
    let mut moved = Vec::new();
    make(s, &mut moved);
    if s.score().better(&before) {
        return true;
    }
    for &(i, from) in moved.iter().rev() {
        s.place(i, from);
    }
    false
}

/// Move every item placed on an option at other column `k` to its best option elsewhere.
pub(crate) fn empty_place(s: &mut State<'_>, k: usize, moved: &mut Vec<(usize, u32)>) {
    let y = s.others[k];
    for &(i, c) in s.options_at(k).iter() {
        let i = i as usize;
        if s.choice[i] != c {
            continue;
        }
        let to = best_option(s, i, Some(y));
        s.place(i, to);
        moved.push((i, c));
    }
}

/// Pull to other column `k` every item whose option there costs less than its current one,
/// most saving first, as long as that adds no violation.
pub(crate) fn pull_to_place(s: &mut State<'_>, k: usize, moved: &mut Vec<(usize, u32)>) {
    let shape = s.shape;
    let mut pulls: Vec<(f64, usize, u32)> = s
        .options_at(k)
        .iter()
        .map(|&(i, c)| (i as usize, c))
        .filter(|&(i, c)| s.choice[i] != NONE && s.choice[i] != c)
        .map(|(i, c)| {
            (
                shape.cost[s.choice[i] as usize] - shape.cost[c as usize],
                i,
                c,
            )
        })
        .filter(|p| p.0 > 0.0)
        .collect();
    pulls.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, i, c) in pulls {
        let from = s.choice[i];
        let v = s.violation;
        s.place(i, c);
        if s.violation > v + state::VIOLATION_EPS {
            s.place(i, from);
        } else {
            moved.push((i, from));
        }
    }
}

/// Above this many integer columns, `--backend auto` takes the search backend for a model
/// with the assignment shape.
pub const AUTO_COLUMNS: usize = 200_000;

/// The instance of a model written in the tests of the search.
#[cfg(test)]
pub(crate) fn test_model(text: &str) -> Model {
    let a = crate::driver::analyze_source(
        "m.arch",
        text,
        None,
        &crate::analysis::AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    a.instance.expect("an instance").model
}
