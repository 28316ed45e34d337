//! Explanations of solver results in source terms, after instantiation and solving:
//!
//! - [`presolve`]: bound reasoning, rows that cannot hold whatever the solver does (E0710);
//! - [`explain_infeasible`]: a minimal set of conflicting constraint instances, found by a
//!   deletion filter over "is this sub-model feasible?" solves on any backend, and the
//!   smallest repair by elastic relaxation (E0711);
//! - [`explain_unbounded`]: which decisions the objective drives without limit (E0712);
//! - [`explain_solution`]: binding constraints per entity and their shadow prices.
//!
//! `crate::driver::solve_and_explain` solves an analysed model on the one solve path and
//! explains a failure with these, for the language server.
//!
//! Rows the compiler derived from a constraint (big-M, indicators, products) count as part
//! of that constraint's instance; decision bounds form a group per decision.

use crate::diagnostics::Code;
mod conflict;
mod groups;
pub mod json;
mod presolve;
mod reading;
mod repair;
mod solution;
mod unbounded;

pub use conflict::{Conflict, Member, MemberKind};
pub use groups::{is_feasible_model, is_feasible_subset, sub_model, Side, Subset};
pub use presolve::{activity_range, impossible_rows, presolve, Impossible};
pub use reading::{bound_reading, row_reading};
pub use repair::{Repair, RepairItem, RepairScope, Target};
pub use solution::{explain_solution, BindingRow, DualSource, EntityBinding, SolutionExplanation};
pub use unbounded::{
    explain_unbounded, Direction, RewardingTerm, RunawayColumn, UnboundedExplanation, BOX,
};

use crate::diagnostics::Diagnostic;
use crate::ir::Model;
use crate::solve::SolveOptions;
use groups::Structure;
use serde::Serialize;

/// Labels on one conflict diagnostic; further members are listed in a note.
const MAX_LABELS: usize = 12;

/// The time limit of each sub-model the explainer solves, when the user gave none.
pub const SUB_MODEL_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Options of [`explain_infeasible_with`].
#[derive(Clone, Copy, Debug)]
pub struct InfeasibleOptions {
    /// Where to look for the repair. With [`RepairScope::Conflict`] the whole model is
    /// tried when relaxing the conflict alone is not enough (another conflict remains).
    pub repair_scope: RepairScope,
    /// Look for a repair at all.
    pub repair: bool,
}

impl Default for InfeasibleOptions {
    fn default() -> Self {
        InfeasibleOptions {
            repair_scope: RepairScope::Conflict,
            repair: true,
        }
    }
}

/// Why a model is infeasible.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// E0710 errors from bound reasoning (rows that cannot hold on their own).
    pub presolve: Vec<Diagnostic>,
    pub conflict: Conflict,
    /// The smallest repair, when one was found.
    pub repair: Option<Repair>,
    /// E0711: the conflict with a label per member and the repair as help.
    pub diagnostic: Diagnostic,
    pub timings: Timings,
}

/// Time spent on each part of an explanation.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Timings {
    pub conflict: std::time::Duration,
    pub repair: Option<std::time::Duration>,
}

impl Explanation {
    /// The bound-reasoning errors, then the conflict.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut v = self.presolve.clone();
        v.push(self.diagnostic.clone());
        v
    }
}

/// Explain an infeasible model: a minimal conflict and the smallest repair (relaxing the
/// conflict, or the whole model when that is not enough). Errors with E0713 when the model
/// turns out feasible or a solver fails.
pub fn explain_infeasible(model: &Model, opts: &SolveOptions) -> Result<Explanation, Diagnostic> {
    explain_infeasible_with(model, opts, &InfeasibleOptions::default())
}

/// [`explain_infeasible`] with options.
pub fn explain_infeasible_with(
    model: &Model,
    opts: &SolveOptions,
    options: &InfeasibleOptions,
) -> Result<Explanation, Diagnostic> {
    let started = std::time::Instant::now();
    // Every sub-model gets a time limit, so that a solver that cannot settle one (microlp
    // on an integer sub-model without an objective to guide it) ends with a message
    // instead of running on.
    let limited;
    let opts = if opts.time_limit.is_none() {
        limited = SolveOptions {
            time_limit: Some(SUB_MODEL_TIME_LIMIT),
            ..opts.clone()
        };
        &limited
    } else {
        opts
    };
    let structure = Structure::of(model);
    let presolve_diags = presolve(model);
    // A row that cannot hold over the bounds is a conflict on its own: start from it.
    let start = impossible_rows(model).first().and_then(|imp| {
        structure
            .instances
            .iter()
            .position(|inst| inst.rows.contains(&imp.row))
            .map(|i| vec![i])
    });
    // Capacity conflicts are usually conflicts of the LP relaxation already: search there
    // (fast solves), then make the result minimal for the model with integrality.
    let lp =
        groups::has_integers(model) && !is_feasible_model(&groups::relaxed(model.clone()), opts)?;
    let mut found = match start {
        Some(s) => conflict::find_conflict(model, &structure, opts, Some(s), lp)?,
        None => None,
    };
    if found.is_none() {
        found = conflict::find_conflict(model, &structure, opts, None, lp)?;
    }
    if lp {
        found = found
            .map(|c| conflict::polish(model, c, opts))
            .transpose()?;
    }
    let Some(conflict) = found else {
        return Err(Diagnostic::error(
            Code::E0713,
            "cannot explain infeasibility: every sub-model the explainer tried is feasible",
        )
        .help("the solver may have reported infeasible by mistake; try another `--solver`"));
    };
    let mut timings = Timings {
        conflict: started.elapsed(),
        repair: None,
    };
    let started = std::time::Instant::now();
    let repair = if options.repair {
        let mut r = repair::smallest_repair(
            model,
            &structure,
            Some(&conflict),
            options.repair_scope,
            opts,
        )?;
        if options.repair_scope == RepairScope::Conflict && r.as_ref().is_none_or(|r| !r.verified) {
            r = repair::smallest_repair(model, &structure, None, RepairScope::Model, opts)?;
        }
        r
    } else {
        None
    };
    if options.repair {
        timings.repair = Some(started.elapsed());
    }
    let diagnostic = conflict_diagnostic(model, &conflict, repair.as_ref());
    Ok(Explanation {
        presolve: presolve_diags,
        conflict,
        repair,
        diagnostic,
        timings,
    })
}

/// Bounds shown in one label: decision, side, value (as bits).
type BoundKey = (crate::ir::DeclId, Side, u64);

/// E0711 for a conflict: a label per constraint member at its declaration, bounds of one
/// decision with the same value in one label, the repair as help.
pub fn conflict_diagnostic(
    model: &Model,
    conflict: &Conflict,
    repair: Option<&Repair>,
) -> Diagnostic {
    let constraints: Vec<&Member> = conflict
        .members
        .iter()
        .filter(|m| m.kind == MemberKind::Constraint)
        .collect();
    let bounds = conflict.members.len() - constraints.len();
    let n = constraints.len();
    let mut title = match n {
        0 => "the model is infeasible: decision bounds conflict".to_string(),
        1 => "the model is infeasible: 1 constraint cannot hold".to_string(),
        _ => format!("the model is infeasible: {n} constraints conflict"),
    };
    match bounds {
        0 => {}
        1 => title.push_str(" (with 1 decision bound)"),
        b => title.push_str(&format!(" (with {b} decision bounds)")),
    }
    let mut labels: Vec<(crate::span::Span, String)> = constraints
        .iter()
        .map(|m| (model.decls[m.decl.0 as usize].span, m.reading.clone()))
        .collect();
    // Bounds: one label per (decision, side, value).
    let mut groups: Vec<(BoundKey, Vec<&Member>)> = Vec::new();
    for m in conflict
        .members
        .iter()
        .filter(|m| m.kind == MemberKind::Bound)
    {
        let Some((col, side)) = m.bound else { continue };
        let c = model.columns[col.0 as usize];
        let v = if side == Side::Lower { c.lb } else { c.ub };
        let key = (m.decl, side, v.to_bits());
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(m),
            None => groups.push((key, vec![m])),
        }
    }
    for ((decl, side, bits), ms) in &groups {
        let span = model.decls[decl.0 as usize].span;
        let msg = if ms.len() == 1 {
            format!("bound {}", ms[0].reading)
        } else {
            let op = if *side == Side::Lower { ">=" } else { "<=" };
            let unit = &model.decls[decl.0 as usize].unit;
            let names: Vec<&str> = ms.iter().take(2).map(|m| m.name.as_str()).collect();
            format!(
                "bounds {op} {} of {} instances: {}{}",
                crate::units::format_quantity(f64::from_bits(*bits), unit),
                ms.len(),
                names.join(", "),
                if ms.len() > 2 { ", …" } else { "" }
            )
        };
        labels.push((span, msg));
    }
    let mut d = Diagnostic::error(Code::E0711, title);
    let total = labels.len();
    for (k, (span, msg)) in labels.into_iter().take(MAX_LABELS).enumerate() {
        d = if k == 0 {
            d.primary(span, msg)
        } else {
            d.secondary(span, msg)
        };
    }
    if total > MAX_LABELS {
        let rest: Vec<&str> = constraints
            .iter()
            .skip(MAX_LABELS)
            .map(|m| m.name.as_str())
            .collect();
        d = d.note(format!(
            "{} more members{}{}",
            total - MAX_LABELS,
            if rest.is_empty() { "" } else { ": " },
            rest.join(", ")
        ));
    }
    if conflict.members.len() > 1 {
        d = d.note("dropping any one of these makes the rest feasible");
    }
    match repair {
        Some(r) if !r.items.is_empty() => {
            let scope = match r.scope {
                RepairScope::Conflict => "",
                RepairScope::Model => " (relaxing the conflict alone is not enough)",
            };
            d.help(format!("smallest repair{scope}: {}", r.summary()))
        }
        _ => d.help("relax or drop one of these constraints, or the data they read"),
    }
}
