//! `--backend search`: the local search ([`crate::backends::search`]) run to the time limit
//! (or a stop request, which keeps its best plan) while the bound of the full model
//! ([`super::bound::bound`]) is computed on another thread; its plan verified
//! against the model (E0702 when it is not) and reported with the gap to that bound. A model
//! without the assignment shape is refused with E0661, which says why.

use crate::backends::search::shape::{NotShape, Shape};
use crate::backends::search::{search, Inbox, Progress, SearchOptions};
use crate::backends::types::{RawSolution, SolveOptions, SolverKind, Status};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::Model;
use crate::partition::ScaleReport;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The time limit of a search when none is given.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(30);

/// E0661 for a model without the assignment shape, on the row or column at fault.
pub fn not_shape_diagnostic(model: &Model, not: &NotShape) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::E0661,
        format!("the search backend cannot take this model: {}", not.why),
    )
    .help("solve it with `--backend milp` (or `--partition SET:K` for a large model)");
    let origin = match (not.row, not.col) {
        (Some(r), _) => Some(model.rows[r.0 as usize].origin),
        (None, Some(c)) => Some(model.columns[c.0 as usize].origin),
        _ => None,
    };
    if let Some(o) = origin {
        let decl = &model.decls[o.decl.0 as usize];
        d = d.primary(decl.span, format!("`{}` is here", model.origin_name(o)));
    }
    d
}

/// E0661 for a model with objectives in priority order: the search and the partitioned solve
/// optimise one objective, and would silently drop the later ones.
pub fn refuse_ranked_objectives(model: &Model, how: &str) -> Result<(), Diagnostic> {
    if model.later_objectives.is_empty() {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::E0661,
        format!(
            "`{how}` optimises one objective, and this model ranks several (`then minimize ...`)"
        ),
    )
    .help("solve it with `--backend milp`, which solves the ranked objectives stage by stage"))
}

/// Why `--backend auto` would take the search backend for `model`: it has more integer
/// columns than MILP handles well ([`crate::backends::search::AUTO_COLUMNS`]) and the
/// assignment shape. `None` otherwise.
pub fn auto_reason(model: &Model) -> Option<String> {
    let ints = model
        .columns
        .iter()
        .filter(|c| c.kind != crate::ir::VarKind::Continuous)
        .count();
    if ints <= crate::backends::search::AUTO_COLUMNS {
        return None;
    }
    let shape = Shape::of(model).ok()?;
    Some(format!(
        "search — {ints} integer columns are beyond MILP on one machine (more than {}), and the model assigns {} items to places",
        crate::backends::search::AUTO_COLUMNS,
        shape.items.len()
    ))
}

/// Where a search starts.
#[derive(Clone, Copy, Debug)]
pub enum SearchStart<'a> {
    /// Every item on its best option given the items placed before it.
    Greedy,
    /// The LP relaxation rounded: every item on its option of largest LP value (ties to the
    /// cheaper option). The LP's optimum is also the LP bound, which is not solved again.
    /// Greedy when the LP does not solve to optimality in the time limit.
    Lp,
    /// A plan given per column (the merged plan of a partitioned solve).
    Plan(&'a [f64]),
    /// Plans from the Lagrangian bound's relaxed solutions (the Lagrangian heuristic,
    /// [`crate::backends::search::primal`]): the search starts from the first (waiting for
    /// it at most a third of the time limit, greedy when none comes) and takes each later
    /// one that is better than its own best.
    Lagrange,
}

/// The default start: `lp` for a model of at most [`super::bound::LP_COLUMNS`] columns (its
/// LP relaxation is solved for the bound anyway, so the start costs no second solve),
/// `lagrange` above (the LP rarely solves in time there, and the Lagrangian bound runs
/// anyway).
pub fn default_start(model: &Model) -> SearchStart<'static> {
    if model.num_columns() <= super::bound::LP_COLUMNS {
        SearchStart::Lp
    } else {
        SearchStart::Lagrange
    }
}

/// Values per column of a plan given as the option column of each item (other columns at
/// 0: the search sets them from the items).
fn plan_values(shape: &Shape, choice: &[u32]) -> Vec<f64> {
    let mut values = vec![0.0; shape.item_of_col.len()];
    for &c in choice {
        if let Some(v) = values.get_mut(c as usize) {
            *v = 1.0;
        }
    }
    values
}

/// The rounded LP start: values per column with each item on its option of largest value
/// in `lp` (within 1e-9, the option of lower cost), every other column at 0 (the search
/// sets them from the items).
pub fn round_lp(shape: &Shape, lp: &[f64]) -> Vec<f64> {
    let mut values = vec![0.0; shape.item_of_col.len()];
    for (_, options) in &shape.items {
        let mut best: Option<(f64, f64, usize)> = None;
        for c in options {
            let c = c.0 as usize;
            let (v, cost) = (lp.get(c).copied().unwrap_or(0.0), shape.cost[c]);
            let better = match best {
                None => true,
                Some((bv, bc, _)) => v > bv + 1e-9 || (v >= bv - 1e-9 && cost < bc),
            };
            if better {
                best = Some((v, cost, c));
            }
        }
        if let Some((_, _, c)) = best {
            values[c] = 1.0;
        }
    }
    values
}

/// Run the search on `model` from `start` and verify its plan. `progress` is called about
/// once a second with the incumbent and, once it is known, the bound.
pub fn solve_search(
    model: &Model,
    opts: &SolveOptions,
    seed: u64,
    start: SearchStart<'_>,
    progress: &(dyn Fn(&Progress, Option<f64>) + Sync),
    report: &mut Option<ScaleReport>,
) -> Result<super::MilpSolved, Diagnostic> {
    refuse_ranked_objectives(model, "--backend search")?;
    let shape = Shape::of(model).map_err(|n| not_shape_diagnostic(model, &n))?;
    let started = Instant::now();
    let full_limit = opts.time_limit.unwrap_or(DEFAULT_TIME_LIMIT);
    // The rounded LP start: the LP is solved first, and its optimum handed to the bound.
    let lagrange = matches!(start, SearchStart::Lagrange);
    let (start_values, start_name, solved_lp) = match start {
        SearchStart::Greedy => (None, "greedy".to_string(), None),
        // Set once the first plan comes.
        SearchStart::Lagrange => (None, "lagrange".to_string(), None),
        SearchStart::Plan(values) => (Some(values.to_vec()), "partition".to_string(), None),
        SearchStart::Lp => match super::bound::lp_solution(
            model,
            &SolveOptions {
                time_limit: Some(full_limit),
                ..opts.clone()
            },
        ) {
            Some((b, lp)) => (Some(round_lp(&shape, &lp)), "lp".to_string(), Some(Some(b))),
            None => (
                None,
                "greedy (the LP relaxation did not solve to optimality)".to_string(),
                Some(None),
            ),
        },
    };
    // The search has what the LP start left of the time limit (at least a tenth).
    let limit = full_limit
        .saturating_sub(started.elapsed())
        .max(full_limit / 10);
    let bound_cell = std::sync::OnceLock::new();
    // The search's incumbent, as f64 bits (NaN: none yet), steers the Lagrangian steps.
    let incumbent = AtomicU64::new(f64::NAN.to_bits());
    let upper =
        || Some(f64::from_bits(incumbent.load(Ordering::Relaxed))).filter(|v| v.is_finite());
    let inbox = Inbox::default();
    let send = |plan: Vec<u32>| inbox.send(plan);
    let (found, bound, start_name) = std::thread::scope(|scope| {
        let bound_thread = scope.spawn(|| {
            let b = super::bound::bound_with_lp(
                model,
                &SolveOptions {
                    time_limit: Some(limit),
                    ..opts.clone()
                },
                &upper,
                solved_lp,
                lagrange.then_some(&send as &(dyn Fn(Vec<u32>) + Sync)),
            );
            inbox.close();
            let _ = bound_cell.set(b.as_ref().map(|b| b.value));
            b
        });
        // The Lagrangian start waits for the first plan.
        let waited = Instant::now();
        let (start_values, start_name) = if lagrange {
            match inbox.wait(waited + limit / 3, &|| opts.control.stop_requested()) {
                Some(plan) => (Some(plan_values(&shape, &plan)), start_name),
                None => (
                    None,
                    "greedy (no plan from the Lagrangian relaxation in time)".to_string(),
                ),
            }
        } else {
            (start_values, start_name)
        };
        let limit = limit.saturating_sub(waited.elapsed());
        let on_progress = |p: &Progress| {
            if let Some(v) = p.incumbent {
                incumbent.store(v.to_bits(), Ordering::Relaxed);
            }
            progress(p, bound_cell.get().copied().flatten())
        };
        let found = search(
            model,
            &shape,
            &SearchOptions {
                time_limit: limit,
                seed,
                start: start_values.as_deref(),
                progress: &on_progress,
                control: &opts.control,
                inbox: lagrange.then_some(&inbox),
            },
        );
        (found, bound_thread.join().ok().flatten(), start_name)
    });
    let mut timings = crate::analysis::Timings::default();
    timings.push("solve", started.elapsed());
    let verify_started = Instant::now();
    let check = super::verify::verify(model, &found.values, &Default::default());
    let feasible = found.feasible && check.is_ok();
    let objective = feasible.then(|| super::verify::objective_value(model, &found.values));
    let sense = model
        .objective
        .as_ref()
        .map_or(crate::ir::Sense::Minimize, |o| o.sense);
    let gap = match (objective, &bound) {
        (Some(o), Some(b)) => Some(super::bound::relative_gap(o, b.value, sense)),
        _ => None,
    };
    timings.push("verify", verify_started.elapsed());
    *report = Some(ScaleReport {
        method: "search".into(),
        set: String::new(),
        k: 1,
        seed,
        partition_from: None,
        start: Some(start_name.clone()),
        start_objective: Some(found.start_objective),
        start_feasible: Some(found.start_feasible),
        coupling_rows: 0,
        split_items: 0,
        parts: Vec::new(),
        repair: Default::default(),
        objective,
        bound: bound.clone(),
        gap,
        time_ms: started.elapsed().as_millis() as u64,
        moves: Some(found.moves),
    });
    let raw = RawSolution {
        status: if feasible {
            Status::Feasible
        } else {
            Status::Error
        },
        values: if feasible { found.values } else { Vec::new() },
        objective: objective.unwrap_or(f64::NAN),
        gap,
        dual_bound: bound.map(|b| b.value),
        stop: found
            .interrupted
            .then_some(crate::backends::types::Stop::Interrupted),
        solver: crate::backends::milp::choose_solver(opts.solver).unwrap_or(SolverKind::Microlp),
        time: started.elapsed(),
        duals: None,
        message: if feasible {
            String::new()
        } else {
            format!(
                "the search found no plan that meets every constraint in {:.0} s",
                limit.as_secs_f64()
            )
        },
    };
    let verification = feasible.then_some(check);
    Ok(super::MilpSolved {
        raw,
        verification,
        backend: "search",
        reason: format!(
            "search — local search over {} items from the {} start for {:.0} s, {} moves{}",
            shape.items.len(),
            start_name,
            limit.as_secs_f64(),
            found.moves,
            if lagrange {
                format!(
                    ", {} plans from the Lagrangian relaxation ({} taken)",
                    inbox.sent(),
                    found.adopted
                )
            } else {
                String::new()
            }
        ),
        timings,
        stages: Vec::new(),
    })
}
