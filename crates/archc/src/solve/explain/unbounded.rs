//! Explaining an unbounded model: every column without a bound on some side is boxed at
//! ±[`BOX`], the boxed model is solved with the objective, and the columns that end at the
//! box are the ones the objective drives without limit. The objective terms that reward
//! them name the source of the trouble (E0712).

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::ir::{ColId, DeclId, Model, Sense};
use crate::solve::{SolveOptions, Status};
use crate::units::format_number;
use serde::Serialize;
use std::collections::BTreeMap;

/// The bound put on unbounded columns.
pub const BOX: f64 = 1e9;

/// Columns listed per explanation; the rest are counted.
const MAX_COLUMNS: usize = 20;

/// Which way a column runs away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// A column the objective drives to the box.
#[derive(Clone, Debug, Serialize)]
pub struct RunawayColumn {
    pub col: ColId,
    /// `flow[fra, ams]`.
    pub name: String,
    pub decl: DeclId,
    pub direction: Direction,
}

/// An objective term that rewards a runaway column.
#[derive(Clone, Debug, Serialize)]
pub struct RewardingTerm {
    /// The term as written, e.g. `- sum(l in links) l.price * flow[l]`.
    pub label: String,
    pub span: crate::span::Span,
    /// Runaway columns this term rewards, with their coefficients.
    pub columns: Vec<(String, f64)>,
}

/// Why the objective can improve without limit.
#[derive(Clone, Debug, Serialize)]
pub struct UnboundedExplanation {
    pub objective: String,
    pub sense: Sense,
    pub columns: Vec<RunawayColumn>,
    /// Runaway columns beyond those listed.
    pub more_columns: usize,
    pub terms: Vec<RewardingTerm>,
    pub diagnostic: Diagnostic,
}

/// Box the unbounded columns, solve, and report what runs to the box.
pub fn explain_unbounded(
    model: &Model,
    opts: &SolveOptions,
) -> Result<UnboundedExplanation, Diagnostic> {
    let Some(obj) = &model.objective else {
        return Err(Diagnostic::error(
            Code::E0713,
            "cannot explain unboundedness: the model has no objective",
        ));
    };
    let mut boxed = model.clone();
    let mut was_open = vec![(false, false); model.num_columns()];
    for (j, c) in boxed.columns.iter_mut().enumerate() {
        if c.ub == f64::INFINITY {
            c.ub = BOX;
            was_open[j].1 = true;
        }
        if c.lb == f64::NEG_INFINITY {
            c.lb = -BOX;
            was_open[j].0 = true;
        }
    }
    let quiet = SolveOptions {
        quiet: true,
        ..opts.clone()
    };
    let raw = crate::solve::solve_milp(&boxed, &quiet)?;
    if !matches!(raw.status, Status::Optimal | Status::Feasible) {
        return Err(Diagnostic::error(
            Code::E0713,
            format!(
                "cannot explain unboundedness: with every open decision boxed at ±{} the {} solver says {:?}",
                format_number(BOX),
                raw.solver.name(),
                raw.status
            ),
        ));
    }
    let mut columns = Vec::new();
    for (j, &(open_lo, open_hi)) in was_open.iter().enumerate() {
        let v = raw.values.get(j).copied().unwrap_or(0.0);
        let direction = if open_hi && v >= BOX * (1.0 - 1e-6) {
            Direction::Up
        } else if open_lo && v <= -BOX * (1.0 - 1e-6) {
            Direction::Down
        } else {
            continue;
        };
        let col = ColId(j as u32);
        columns.push(RunawayColumn {
            col,
            name: model.column_name(col),
            decl: model.columns[j].origin.decl,
            direction,
        });
    }
    let sign = if obj.sense == Sense::Minimize {
        -1.0
    } else {
        1.0
    };
    let dir: BTreeMap<ColId, f64> = columns
        .iter()
        .map(|c| {
            (
                c.col,
                if c.direction == Direction::Up {
                    1.0
                } else {
                    -1.0
                },
            )
        })
        .collect();
    let mut terms = Vec::new();
    for t in &obj.terms {
        let rewarded: Vec<(String, f64)> = t
            .coefs
            .iter()
            .filter(|(c, v)| dir.get(c).is_some_and(|d| d * v * sign > 0.0))
            .map(|&(c, v)| (model.column_name(c), v))
            .collect();
        if !rewarded.is_empty() {
            terms.push(RewardingTerm {
                label: t.label.clone(),
                span: t.span,
                columns: rewarded,
            });
        }
    }
    let more_columns = columns.len().saturating_sub(MAX_COLUMNS);
    columns.truncate(MAX_COLUMNS);
    let diagnostic = diagnostic(model, obj, &columns, more_columns, &terms);
    Ok(UnboundedExplanation {
        objective: obj.name.clone(),
        sense: obj.sense,
        columns,
        more_columns,
        terms,
        diagnostic,
    })
}

fn diagnostic(
    model: &Model,
    obj: &crate::ir::Objective,
    columns: &[RunawayColumn],
    more: usize,
    terms: &[RewardingTerm],
) -> Diagnostic {
    let (verb, title) = match obj.sense {
        Sense::Minimize => ("lowers", "the objective can fall without limit"),
        Sense::Maximize => ("raises", "the objective can grow without limit"),
    };
    let mut d = Diagnostic::error(Code::E0712, format!("{title}: `{}` is unbounded", obj.name));
    if terms.is_empty() {
        d = d.primary(obj.span, "this objective improves without limit");
    }
    for (k, t) in terms.iter().enumerate() {
        let names: Vec<String> = t.columns.iter().take(3).map(|(n, _)| n.clone()).collect();
        let extra = t.columns.len().saturating_sub(3);
        let list = if extra > 0 {
            format!("{} and {extra} more", names.join(", "))
        } else {
            names.join(", ")
        };
        let grow = if t.columns.len() == 1 {
            "grows"
        } else {
            "grow"
        };
        let msg = format!(
            "this term {verb} `{}` as {list} {grow} without limit",
            obj.name
        );
        d = if k == 0 {
            d.primary(t.span, msg)
        } else {
            d.secondary(t.span, msg)
        };
    }
    // One label per decision, listing its runaway instances.
    let mut per_decl: BTreeMap<DeclId, Vec<&RunawayColumn>> = BTreeMap::new();
    for c in columns {
        per_decl.entry(c.decl).or_default().push(c);
    }
    for (decl, cols) in &per_decl {
        let dd = &model.decls[decl.0 as usize];
        let names: Vec<String> = cols
            .iter()
            .take(3)
            .map(|c| {
                let dir = if c.direction == Direction::Up {
                    "up"
                } else {
                    "down"
                };
                format!("{} ({dir})", c.name)
            })
            .collect();
        let extra = cols.len().saturating_sub(3);
        let tail = if extra > 0 {
            format!(" and {extra} more")
        } else {
            String::new()
        };
        let msg = format!("no bound or constraint stops {}{tail}", names.join(", "));
        d = if terms.is_empty() && d.labels.is_empty() {
            d.primary(dd.span, msg)
        } else {
            d.secondary(dd.span, msg)
        };
    }
    if more > 0 {
        d = d.note(format!("{more} more decision instances run away too"));
    }
    let decl_name = per_decl
        .keys()
        .next()
        .map(|d| model.decls[d.0 as usize].name.clone())
        .unwrap_or_else(|| "the decisions".into());
    d.help(format!(
        "give `{decl_name}` a bound (`<= ...`) or add a constraint that limits it"
    ))
}
