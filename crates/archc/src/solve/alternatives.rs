//! Alternative plans (`archc solve --alternatives K`): after the one solve path found a
//! plan, further plans of (nearly) the same cost are enumerated by re-solving the model with
//! two kinds of extra rows, on a copy of the model:
//!
//! - the **objective bound**: every ranked objective kept within the tolerance of its value
//!   at the first plan ([`super::lexicographic::limit`], so never an exact equality);
//! - one **no-good cut** per plan found, which excludes that plan's integer decisions.
//!   Binary columns (and integer columns whose value sits at a bound) enter the cut
//!   directly: `Σ_{x=1}(1−x) + Σ_{x=0} x ≥ 1`, generalised to `x − lb` and `ub − x`. A
//!   general integer column strictly inside its bounds gets two auxiliary binaries, `down`
//!   (`x ≤ v − 1`) and `up` (`x ≥ v + 1`), each enforced by a big-M row whose M comes from
//!   the column's bounds, and the cut counts `down + up`; so such a column needs finite
//!   bounds (E0746 otherwise).
//!
//! Only the columns of `decide` declarations are cut, so two plans that differ only in the
//! compiler's own auxiliary columns count as one, and continuous decisions are not
//! enumerated: alternatives differ in their integer decisions. Every re-solve goes through
//! the caller's MILP step (the one solve path, [`super::solve_model`]), and every
//! alternative is then verified again against the original model, without the extra rows.

use super::lexicographic::{add_keep_row, limit, objective_value, ranked_objectives};
use super::verify::{self, Tolerances};
use super::{MilpSolved, SolveOptions, Status, Verification};
use crate::diagnostics::{Code, Diagnostic};
use crate::instantiate::Instance;
use crate::ir::{ColId, Column, Decl, DeclId, DeclKind, Model, Origin, Row, Tolerance, VarKind};
use serde::Serialize;

/// Two values of an integer column closer than this are the same value.
const SAME: f64 = 0.5;

/// How many plans to look for and how far from the first plan's objective they may be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AltOptions {
    /// Plans in all, the first one included (at least 1).
    pub count: usize,
    /// Absolute (in the objective's unit) and relative tolerance; zero for ties only (the
    /// numerical tolerance [`super::lexicographic::NUMERICAL_TOLERANCE`] always applies).
    pub tolerance: Tolerance,
}

/// One integer decision instance whose value differs from the first plan's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub decision: String,
    pub index: Vec<String>,
    pub from: f64,
    pub to: f64,
}

/// One alternative plan.
#[derive(Clone, Debug, Serialize)]
pub struct Alternative {
    /// The first objective at this plan, in its unit.
    pub objective: f64,
    /// Every ranked objective at this plan, in priority order (models with `then` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<f64>,
    /// How the re-solve that found it ended (`feasible` when a limit stopped it).
    pub status: Status,
    /// Its verification against the original model.
    pub verification: Verification,
    /// The integer decisions whose values differ from the first plan's.
    pub changes: Vec<Change>,
    /// One value per column of the original model.
    #[serde(skip)]
    pub values: Vec<f64>,
}

/// Why the enumeration stopped.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "message")]
pub enum Ended {
    /// As many plans as asked for were found.
    Count,
    /// No further plan lies within the tolerance.
    Exhausted,
    /// A re-solve ended without a plan for another reason (a limit, a solver error).
    NoPlan(String),
}

/// How the alternatives of one solve were looked for, and how that ended.
#[derive(Clone, Debug, Serialize)]
pub struct AlternativeSearch {
    /// Plans asked for, the first one included.
    pub requested: usize,
    /// Plans found, the first one included.
    pub found: usize,
    pub tolerance: Tolerance,
    /// The objective's unit.
    pub unit: String,
    /// The first objective's value at the first plan.
    pub first: f64,
    /// The limit every alternative's first objective stays within.
    pub limit: f64,
    pub ended: Ended,
    /// The model has continuous decisions, which are not enumerated.
    pub continuous_decisions: bool,
    /// Auxiliary binaries the cuts on general integers needed, over all cuts.
    pub auxiliary_binaries: usize,
    pub time_ms: u64,
}

/// The alternatives of one solve.
#[derive(Clone, Debug)]
pub struct Alternatives {
    pub search: AlternativeSearch,
    /// The plans found besides the first, in the order found.
    pub plans: Vec<Alternative>,
}

/// The columns of `decide` declarations that are integer or binary and not fixed.
pub fn integer_decisions(model: &Model) -> Vec<ColId> {
    model
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.kind != VarKind::Continuous
                && c.lb < c.ub
                && model.decls[c.origin.decl.0 as usize].kind == DeclKind::Decision
        })
        .map(|(i, _)| ColId(i as u32))
        .collect()
}

/// Whether the model has a `decide` declaration with continuous columns.
fn has_continuous_decisions(model: &Model) -> bool {
    model.columns.iter().any(|c| {
        c.kind == VarKind::Continuous
            && model.decls[c.origin.decl.0 as usize].kind == DeclKind::Decision
    })
}

/// Check that the model's plans can be enumerated: an objective and at least one integer or
/// binary decision (E0745), and finite bounds on every general integer decision (E0746).
pub fn check_model(model: &Model) -> Result<(), Diagnostic> {
    let Some(objective) = &model.objective else {
        return Err(Diagnostic::error(
            Code::E0745,
            "`--alternatives` needs a model with an objective",
        )
        .help("alternative plans are plans of (nearly) the same objective value"));
    };
    if integer_decisions(model).is_empty() {
        return Err(Diagnostic::error(
            Code::E0745,
            "`--alternatives` needs integer or binary decisions; this model has none",
        )
        .primary(objective.span, "plans of this objective differ only in continuous values")
        .help("alternatives are enumerated over integer and binary decisions only; leave `--alternatives` out"));
    }
    if let Some(&c) = integer_decisions(model).iter().find(|&&c| {
        let col = model.columns[c.0 as usize];
        col.ub - col.lb > 1.0 && !(col.lb.is_finite() && col.ub.is_finite())
    }) {
        return Err(unbounded(model, c));
    }
    Ok(())
}

/// Parse `--alt-tolerance`: `1%` (relative to the optimum), a number in the objective's
/// unit (`250`), or a number with a unit of the same dimension as the objective's
/// (`0.5 kusd`), converted into the objective's unit. Errors: E0744.
pub fn parse_tolerance(text: &str, schema: &crate::check::Schema) -> Result<Tolerance, Diagnostic> {
    let objective = schema.objectives.first();
    let unit_text = objective.map(|o| o.unit_text.as_str()).unwrap_or("");
    let bad = |why: String| {
        let mut d = Diagnostic::error(Code::E0744, format!("bad `--alt-tolerance {text}`: {why}"))
            .help("write a relative tolerance in percent (`1%`) or an absolute one in the objective's unit");
        if let Some(o) = objective {
            let unit = if unit_text.is_empty() {
                "the objective has no unit".to_string()
            } else {
                format!("the objective is in `{unit_text}`")
            };
            d = d.secondary(o.span, unit);
        }
        d
    };
    let t = text.trim();
    let (number, rest, relative) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), "", true),
        None => {
            // The longest prefix that reads as a number; the rest is a unit.
            let split = (1..=t.len())
                .rev()
                .filter(|&i| t.is_char_boundary(i))
                .find(|&i| t[..i].replace('_', "").parse::<f64>().is_ok())
                .unwrap_or(0);
            (&t[..split], t[split..].trim(), false)
        }
    };
    let value: f64 = number
        .replace('_', "")
        .parse()
        .map_err(|_| bad(format!("`{t}` is not a number, a percentage or a quantity")))?;
    if !value.is_finite() || value < 0.0 {
        return Err(bad("a tolerance is a finite number of at least 0".into()));
    }
    if relative {
        return Ok(Tolerance {
            absolute: 0.0,
            relative: value / 100.0,
        });
    }
    let factor = if rest.is_empty() || rest == unit_text {
        1.0
    } else {
        let unit = schema
            .units
            .parse(rest)
            .map_err(|_| bad(format!("`{rest}` is not a unit")))?;
        let Some(o) = objective else {
            return Err(bad("the model has no objective".into()));
        };
        unit.factor_to(&o.unit).ok_or_else(|| {
            bad(format!(
                "`{rest}` does not measure what the objective measures"
            ))
        })?
    };
    Ok(Tolerance {
        absolute: value * factor,
        relative: 0.0,
    })
}

/// E0746 for the general integer column `c` without finite bounds.
fn unbounded(model: &Model, c: ColId) -> Diagnostic {
    let decl = &model.decls[model.columns[c.0 as usize].origin.decl.0 as usize];
    Diagnostic::error(
        Code::E0746,
        format!(
            "`{}` has no finite bounds, so a plan cannot be excluded by a cut on it",
            model.column_name(c)
        ),
    )
    .primary(
        decl.span,
        "this integer decision needs a lower and an upper bound",
    )
    .help("bound it (`int >= 0 <= 100`) to enumerate alternative plans")
}

/// Where the enumeration's extra rows and columns come from.
struct Origins {
    cut: DeclId,
    aux: DeclId,
    tuple: u32,
}

fn derived(model: &mut Model, name: &str, note: &str, span: crate::span::Span) -> DeclId {
    model.add_decl(Decl {
        name: name.into(),
        kind: DeclKind::Derived,
        span,
        index_names: Vec::new(),
        unit: String::new(),
        note: note.into(),
    })
}

/// Add the no-good cut that excludes the integer decisions of `plan`. Errors: E0746 for a
/// general integer column strictly inside its bounds whose bound is infinite.
fn add_cut(
    cut_model: &mut Model,
    original: &Model,
    cols: &[ColId],
    plan: &[f64],
    origins: &Origins,
    aux: &mut usize,
) -> Result<(), Diagnostic> {
    let mut terms: Vec<(ColId, f64)> = Vec::new();
    let mut constant = 0.0;
    for &c in cols {
        let col = original.columns[c.0 as usize];
        let v = plan.get(c.0 as usize).copied().unwrap_or(0.0).round();
        if col.lb.is_finite() && v <= col.lb + SAME {
            terms.push((c, 1.0));
            constant -= col.lb;
        } else if col.ub.is_finite() && v >= col.ub - SAME {
            terms.push((c, -1.0));
            constant += col.ub;
        } else if col.lb.is_finite() && col.ub.is_finite() {
            let origin = Origin {
                decl: origins.aux,
                tuple: origins.tuple,
            };
            let binary = Column {
                kind: VarKind::Binary,
                lb: 0.0,
                ub: 1.0,
                origin,
            };
            let down = cut_model.add_column(binary);
            let up = cut_model.add_column(binary);
            *aux += 2;
            let row = |lo: f64, hi: f64| Row {
                lo,
                hi,
                origin: Origin {
                    decl: origins.aux,
                    tuple: origins.tuple,
                },
            };
            // down = 1 forces x <= v - 1; down = 0 leaves x <= ub.
            cut_model.add_row(
                row(f64::NEG_INFINITY, col.ub),
                [(c, 1.0), (down, col.ub - v + 1.0)],
            );
            // up = 1 forces x >= v + 1; up = 0 leaves x >= lb.
            cut_model.add_row(
                row(col.lb, f64::INFINITY),
                [(c, 1.0), (up, -(v + 1.0 - col.lb))],
            );
            terms.push((down, 1.0));
            terms.push((up, 1.0));
        } else {
            return Err(unbounded(original, c));
        }
    }
    cut_model.add_row(
        Row {
            lo: 1.0 - constant,
            hi: f64::INFINITY,
            origin: Origin {
                decl: origins.cut,
                tuple: origins.tuple,
            },
        },
        terms,
    );
    Ok(())
}

/// The integer decisions of `plan` that differ from `first`.
pub fn changes(model: &Model, cols: &[ColId], first: &[f64], plan: &[f64]) -> Vec<Change> {
    cols.iter()
        .filter_map(|&c| {
            let i = c.0 as usize;
            let (a, b) = (first.get(i)?.round(), plan.get(i)?.round());
            if (a - b).abs() < SAME {
                return None;
            }
            let origin = model.columns[i].origin;
            Some(Change {
                decision: model.decls[origin.decl.0 as usize].name.clone(),
                index: model
                    .tuple_of(origin)
                    .iter()
                    .map(|&e| model.elements[e as usize].clone())
                    .collect(),
                from: a,
                to: b,
            })
        })
        .collect()
}

/// Enumerate up to `alt.count - 1` plans besides `first` (one value per column of
/// `instance.model`, a verified plan) within the tolerance, each re-solve made by `single`
/// (the MILP step of the one solve path) and each plan verified against the original
/// model. Errors: those of `single`, E0746 (a general integer without bounds), E0702 (an
/// alternative that violates the original model).
pub fn enumerate(
    instance: &Instance,
    opts: &SolveOptions,
    first: &[f64],
    alt: AltOptions,
    single: impl Fn(&Model, &SolveOptions) -> Result<MilpSolved, Diagnostic>,
) -> Result<Alternatives, Diagnostic> {
    let started = std::time::Instant::now();
    let model = &instance.model;
    check_model(model)?;
    let objectives = ranked_objectives(model);
    let Some(main) = objectives.first().copied() else {
        return Err(Diagnostic::error(Code::E0745, "the model has no objective"));
    };
    let cols = integer_decisions(model);
    let mut cut_model = model.clone();
    cut_model.later_objectives.clear();
    cut_model.tolerances.clear();
    let span = main.span;
    let origins = Origins {
        cut: derived(
            &mut cut_model,
            "alternatives: no-good cut",
            "excludes a plan already found",
            span,
        ),
        aux: derived(
            &mut cut_model,
            "alternatives: general integer differs",
            "an auxiliary binary of a no-good cut on a general integer",
            span,
        ),
        tuple: cut_model.add_tuple(&[]),
    };
    let first_value = objective_value(main, first);
    let mut main_limit = f64::NAN;
    for (k, o) in objectives.iter().enumerate() {
        let l = limit(o.sense, objective_value(o, first), alt.tolerance);
        if k == 0 {
            main_limit = l;
        }
        add_keep_row(&mut cut_model, o, l);
    }
    let mut aux = 0;
    add_cut(&mut cut_model, model, &cols, first, &origins, &mut aux)?;
    let mut plans: Vec<Alternative> = Vec::new();
    let mut ended = Ended::Count;
    while plans.len() + 1 < alt.count {
        let solved = single(&cut_model, opts)?;
        if solved.raw.values.is_empty() {
            ended = match solved.raw.status {
                Status::Infeasible => Ended::Exhausted,
                _ => Ended::NoPlan(solved.raw.message.clone()),
            };
            break;
        }
        // The cut model's own columns (auxiliary binaries) come after the model's.
        let values: Vec<f64> = solved
            .raw
            .values
            .iter()
            .copied()
            .take(model.num_columns())
            .collect();
        let report = verify::verify(model, &values, &Tolerances::default());
        if let Some(d) = report.to_diagnostic(model) {
            return Err(d);
        }
        super::verify_risk::check(instance, &values)?;
        let change = changes(model, &cols, first, &values);
        add_cut(&mut cut_model, model, &cols, &values, &origins, &mut aux)?;
        plans.push(Alternative {
            objective: objective_value(main, &values),
            objectives: if objectives.len() > 1 {
                objectives
                    .iter()
                    .map(|o| objective_value(o, &values))
                    .collect()
            } else {
                Vec::new()
            },
            status: solved.raw.status,
            verification: Verification {
                ok: report.is_ok(),
                max_row_violation: report.max_row_violation,
                violations: report.total(),
            },
            changes: change,
            values,
        });
    }
    Ok(Alternatives {
        search: AlternativeSearch {
            requested: alt.count,
            found: plans.len() + 1,
            tolerance: alt.tolerance,
            unit: main.unit.clone(),
            first: first_value,
            limit: main_limit,
            ended,
            continuous_decisions: has_continuous_decisions(model),
            auxiliary_binaries: aux,
            time_ms: started.elapsed().as_millis() as u64,
        },
        plans,
    })
}
