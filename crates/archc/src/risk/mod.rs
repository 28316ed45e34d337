//! Risk assessment of a plan (`archc risk`): the first-stage decisions (those not indexed
//! by the scenario set) are fixed at the plan's values, and for every scenario the
//! recourse problem of that scenario alone is solved (its own rows and columns, the rows
//! of risk measures left out), minimising the scenario's loss: the decision marked
//! `as loss`, or, when the model names none, the scenario's share of the objective. Each
//! recourse plan is verified against the scenario's rows like any solve. The scenarios are
//! ranked by probability times loss (infeasible ones first), with the rows that bind, and
//! summed up: availability, expected and worst loss, CVaR.
//!
//! Sits after instantiation: it reads an [`Analysis`] with its instance and solves
//! [`recourse`] models through [`crate::solve::solve_model`]. No printing: the CLI renders
//! an [`Assessment`].

pub mod plan;
mod recourse;

use crate::analysis::Analysis;
use crate::check::SetDef;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::dump::fmt_num;
use crate::ir::{ColId, DeclKind, Model, Sense};
use crate::solve::{SolveOptions, Status, Stop};
use crate::span::Span;
pub use plan::FirstStage;
use recourse::{Recourse, Split};
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Schema name of the JSON form of an [`Assessment`].
pub const SCHEMA: &str = "archc.risk/1";

/// How many binding rows a scenario lists.
pub const BINDING_SHOWN: usize = 3;

/// Options of one assessment.
#[derive(Clone, Debug)]
pub struct RiskOptions {
    /// The scenario set to assess; `None` for the model's only one.
    pub set: Option<String>,
    /// How many scenarios the ranking keeps (all of them are summed up).
    pub top: usize,
    /// The level of the CVaR to report, when asked for.
    pub beta: Option<f64>,
    /// How each recourse problem is solved (the solver; its threads are set to 1).
    pub solve: SolveOptions,
    /// Recourse problems solved at once (1 = one after the other).
    pub threads: usize,
    /// How long each recourse problem may take; a scenario whose solve reaches it without
    /// a proven loss is reported as cut off ([`Loss::TimeLimit`]). `None`: the solve
    /// options' own limit, if any.
    pub scenario_time_limit: Option<std::time::Duration>,
}

impl Default for RiskOptions {
    fn default() -> Self {
        RiskOptions {
            set: None,
            top: 10,
            beta: None,
            solve: SolveOptions::default(),
            threads: 1,
            scenario_time_limit: None,
        }
    }
}

/// What a scenario's loss is.
#[derive(Clone, Debug, Serialize)]
pub struct LossInfo {
    /// `decision`: a decision marked `as loss`; `objective`: the scenario's share of the
    /// objective (no loss declared); `none`: no loss and no objective (only feasibility).
    pub source: &'static str,
    /// The decision's or the objective's name.
    pub name: String,
    pub unit: String,
}

/// A scenario's loss: a number in the loss's unit, `infeasible` when its recourse
/// problem has no solution, or cut off by the scenario time limit before the solver proved
/// one, with the loss of the best recourse plan it found, if any (in JSON that number, or
/// `null`; the scenario's `status` says which).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss {
    Value(f64),
    Infeasible,
    TimeLimit(Option<f64>),
}

impl Loss {
    /// How the scenario's solve ended: `solved`, `infeasible` or `time_limit`.
    pub fn status(self) -> &'static str {
        match self {
            Loss::Value(_) => "solved",
            Loss::Infeasible => "infeasible",
            Loss::TimeLimit(_) => "time_limit",
        }
    }
}

impl Serialize for Loss {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Loss::Value(v) | Loss::TimeLimit(Some(v)) => s.serialize_f64(*v),
            Loss::Infeasible => s.serialize_str("infeasible"),
            Loss::TimeLimit(None) => s.serialize_none(),
        }
    }
}

/// A row that binds in a scenario's recourse plan.
#[derive(Clone, Debug, Serialize)]
pub struct Binding {
    /// The row's name with the scenario in its index (`within[down(a), b]`).
    pub name: String,
    /// Where its declaration is, `file:line:col`.
    pub at: String,
    /// Its shadow price on the loss, when the solver gives one (LP).
    pub dual: Option<f64>,
}

/// One scenario's result.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioResult {
    /// Position in the ranking, from 1.
    pub rank: usize,
    pub name: String,
    pub probability: f64,
    /// The entities down in it.
    pub down: Vec<String>,
    /// How its recourse solve ended: `solved`, `infeasible`, or `time_limit` (cut off by
    /// the scenario time limit before a proven loss; `loss` is then the best found, or null).
    pub status: &'static str,
    pub loss: Loss,
    /// Probability times loss (`None` when infeasible or cut off without a plan; for a
    /// scenario cut off with a plan, times the best loss found).
    pub expected: Option<f64>,
    /// The rows that bind, most limiting first (at most [`BINDING_SHOWN`]).
    pub binding: Vec<String>,
    /// The same rows with where they are declared and their duals.
    pub binding_rows: Vec<Binding>,
    /// For an infeasible scenario: the constraints that conflict, when found.
    pub conflict: Vec<String>,
}

/// The result of assessing a plan over a scenario set.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    pub schema: &'static str,
    pub model: String,
    pub scenario_set: String,
    /// Where the first-stage values came from (`solution`, or the plan file).
    pub plan: String,
    pub loss: LossInfo,
    /// Scenarios assessed.
    pub scenarios: usize,
    /// Their probability mass.
    pub mass: f64,
    /// The mass a cutoff left out of the set (`1 - mass`; 0 for a complete set).
    pub left_out: f64,
    /// The mass of the scenarios with zero loss.
    pub availability: f64,
    /// The mass of the scenarios whose recourse is infeasible.
    pub infeasible_mass: f64,
    /// Scenarios whose recourse solve reached the scenario time limit without a proven
    /// loss: never counted as loss-free, nor in the expected and worst loss.
    pub cut_off: usize,
    /// Their probability mass.
    pub cut_off_mass: f64,
    /// The sum of probability times loss over the feasible scenarios whose loss is proven.
    pub expected_loss: f64,
    /// The largest proven loss of a feasible scenario.
    pub worst_loss: Option<f64>,
    /// The CVaR of the loss at the level asked for (`None` as its value when some
    /// scenario is infeasible, an unbounded loss, or cut off, an unknown one).
    pub cvar: Option<CvarResult>,
    /// Rows of the model left out of every recourse problem (risk measures, and rows that
    /// tie several scenarios together).
    pub rows_left_out: usize,
    /// The scenarios ranked, at most `top` of them.
    pub ranked: Vec<ScenarioResult>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct CvarResult {
    pub beta: f64,
    pub value: Option<f64>,
}

/// Assess `plan` over a scenario set of the analysed model (see the module comment).
/// Errors: no scenario set (E0642), a plan that does not fit the model (E0566, E0567), a
/// recourse problem that cannot be solved (E0721) or is unbounded (E0722), a recourse
/// plan that fails verification (E0702).
pub fn assess(
    analysis: &Analysis,
    plan: &FirstStage,
    opts: &RiskOptions,
) -> Result<Assessment, Diagnostic> {
    let (Some(schema), Some(inst)) = (&analysis.schema, &analysis.instance) else {
        return Err(Diagnostic::error(Code::E0703, "no instance to assess"));
    };
    let model = &inst.model;
    let set = scenario_set(schema, opts.set.as_deref())?;
    let set_name = schema.sets[set].name.clone();
    let Some(elems) = inst.world.sets.get(set).and_then(|s| s.as_ref()) else {
        return Err(Diagnostic::error(
            Code::E0642,
            format!("the scenario set `{set_name}` indexes nothing in the model"),
        )
        .primary(schema.sets[set].span, "declared here")
        .help("index the recourse decisions and constraints by the scenario set: `decide flow[s in S, l in links]`"));
    };
    let scenario_elems: Vec<u32> = elems.elems.clone();
    let scenario_of: FxHashMap<u32, u32> = scenario_elems
        .iter()
        .enumerate()
        .map(|(i, &e)| (e, i as u32))
        .collect();
    let split = Split::new(model, scenario_elems.len(), &scenario_of);
    let fixed = first_stage_values(model, &split, plan)?;
    let (loss, objective, sense, unit, span) = loss_of(schema, model, set)?;

    let recourse = Recourse {
        model,
        split: &split,
        fixed: &fixed,
        objective,
        sense,
        unit,
        span,
    };
    let solve_opts = SolveOptions {
        threads: Some(1),
        time_limit: opts.scenario_time_limit.or(opts.solve.time_limit),
        ..opts.solve.clone()
    };
    let decl_at: Vec<String> = model
        .decls
        .iter()
        .map(|d| location(analysis, d.span))
        .collect();
    solve_opts.control.reset();
    let run = |s: u32| solve_scenario(&recourse, s, &solve_opts, &decl_at);
    let results: Vec<Result<Outcome, Diagnostic>> = if opts.threads <= 1 {
        (0..scenario_elems.len() as u32).map(run).collect()
    } else {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .build()
            .map_err(|e| {
                Diagnostic::error(
                    Code::E0703,
                    format!("cannot start {} threads: {e}", opts.threads),
                )
            })?;
        pool.install(|| {
            (0..scenario_elems.len() as u32)
                .into_par_iter()
                .map(run)
                .collect()
        })
    };

    let mut all = Vec::with_capacity(results.len());
    for (i, r) in results.into_iter().enumerate() {
        let outcome = r.map_err(|d| {
            let name = &model.elements[scenario_elems[i] as usize];
            d.note(format!("in scenario `{name}` of `{set_name}`"))
        })?;
        let data = inst.world.scenarios.get(&scenario_elems[i]);
        let probability = data.map_or(0.0, |d| d.p);
        let down = data
            .map(|d| {
                d.down
                    .iter()
                    .map(|&x| inst.world.name(x).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let expected = match outcome.loss {
            Loss::Value(v) | Loss::TimeLimit(Some(v)) => Some(clean(probability * v)),
            Loss::Infeasible | Loss::TimeLimit(None) => None,
        };
        all.push(ScenarioResult {
            rank: 0,
            name: model.elements[scenario_elems[i] as usize].clone(),
            probability,
            down,
            status: outcome.loss.status(),
            loss: outcome.loss,
            expected,
            binding: outcome.binding.iter().map(|b| b.name.clone()).collect(),
            binding_rows: outcome.binding,
            conflict: outcome.conflict,
        });
    }
    Ok(summarise(
        all,
        analysis,
        &set_name,
        plan,
        loss,
        split.coupling_rows,
        opts,
    ))
}

/// Rank the scenarios and sum them up.
fn summarise(
    mut all: Vec<ScenarioResult>,
    analysis: &Analysis,
    set_name: &str,
    plan: &FirstStage,
    loss: LossInfo,
    rows_left_out: usize,
    opts: &RiskOptions,
) -> Assessment {
    let scenarios = all.len();
    let mass: f64 = all.iter().map(|s| s.probability).sum();
    let left_out = if mass < 1.0 - 1e-9 { 1.0 - mass } else { 0.0 };
    let zero = |v: f64| v.abs() <= 1e-9 * v.abs().max(1.0) || v.abs() <= 1e-9;
    let availability = all
        .iter()
        .filter(|s| matches!(s.loss, Loss::Value(v) if zero(v)))
        .fold(0.0, |acc, s| acc + s.probability);
    let infeasible_mass = all
        .iter()
        .filter(|s| s.loss == Loss::Infeasible)
        .fold(0.0, |acc, s| acc + s.probability);
    let cut: Vec<&ScenarioResult> = all
        .iter()
        .filter(|s| matches!(s.loss, Loss::TimeLimit(_)))
        .collect();
    let cut_off = cut.len();
    let cut_off_mass = cut.iter().fold(0.0, |acc, s| acc + s.probability);
    // Only proven losses are summed: a best loss found under the time limit is a bound.
    let expected_loss = all
        .iter()
        .filter(|s| matches!(s.loss, Loss::Value(_)))
        .filter_map(|s| s.expected)
        .fold(0.0, |a, b| a + b);
    let losses: Vec<(f64, f64)> = all
        .iter()
        .filter_map(|s| match s.loss {
            Loss::Value(v) => Some((v, s.probability)),
            Loss::Infeasible | Loss::TimeLimit(_) => None,
        })
        .collect();
    let worst_loss = losses.iter().map(|x| x.0).reduce(f64::max);
    let cvar = opts.beta.map(|beta| CvarResult {
        beta,
        value: if infeasible_mass > 0.0 || cut_off > 0 {
            None
        } else {
            crate::instantiate::cvar_by_sorting(losses.clone(), beta).map(clean)
        },
    });
    // Infeasible first, then cut off without a plan (each most likely first), then by
    // probability times loss (the best found for a cut-off scenario); ties keep the set's
    // order.
    let class = |s: &ScenarioResult| match s.loss {
        Loss::Infeasible => 0,
        Loss::TimeLimit(None) => 1,
        Loss::Value(_) | Loss::TimeLimit(Some(_)) => 2,
    };
    all.sort_by(|a, b| {
        class(a)
            .cmp(&class(b))
            .then_with(|| match (a.expected, b.expected) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                _ => b.probability.total_cmp(&a.probability),
            })
    });
    all.truncate(opts.top);
    for (i, s) in all.iter_mut().enumerate() {
        s.rank = i + 1;
    }
    let model = analysis
        .sources
        .iter()
        .next()
        .map(|(id, _)| analysis.sources.name(id).to_string())
        .unwrap_or_default();
    Assessment {
        schema: SCHEMA,
        model,
        scenario_set: set_name.to_string(),
        plan: plan.source.clone(),
        loss,
        scenarios,
        mass: clean(mass),
        left_out: clean(left_out),
        availability: clean(availability),
        infeasible_mass: clean(infeasible_mass),
        cut_off,
        cut_off_mass: clean(cut_off_mass),
        expected_loss: clean(expected_loss),
        worst_loss,
        cvar,
        rows_left_out,
        ranked: all,
    }
}

/// `v` rounded to 12 significant digits, so that sums of probabilities read as written
/// (0.75, not 0.7499999999999999); never -0.
fn clean(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v + 0.0;
    }
    format!("{v:.11e}").parse::<f64>().unwrap_or(v) + 0.0
}

/// The scenario set to assess: the one named, or the model's only one (E0642).
fn scenario_set(schema: &crate::check::Schema, name: Option<&str>) -> Result<usize, Diagnostic> {
    let sets: Vec<usize> = (0..schema.sets.len())
        .filter(|&s| matches!(schema.sets[s].def, SetDef::Scenarios(_)))
        .collect();
    let names: Vec<String> = sets
        .iter()
        .map(|&s| format!("`{}`", schema.sets[s].name))
        .collect();
    match name {
        Some(n) => sets
            .iter()
            .copied()
            .find(|&s| schema.sets[s].name == n)
            .ok_or_else(|| {
                let d = Diagnostic::error(
                    Code::E0642,
                    format!("the model has no scenario set `{n}`"),
                );
                if names.is_empty() {
                    d.help("declare the failures to assess as a scenario set, e.g. `set S = fail_k(links, 1)`")
                } else {
                    d.help(format!("its scenario sets: {}", names.join(", ")))
                }
            }),
        None => match sets.as_slice() {
            [one] => Ok(*one),
            [] => Err(Diagnostic::error(Code::E0642, "the model has no scenario set to assess")
                .help("declare the failures the plan must face, e.g. `set S = fail_k(links, 1)`, and index the recourse decisions by it")),
            _ => Err(Diagnostic::error(
                Code::E0642,
                format!("the model has {} scenario sets: which one to assess?", sets.len()),
            )
            .help(format!("name one with `--scenario-set`: {}", names.join(", ")))),
        },
    }
}

/// The value of every first-stage column from the plan (E0566, E0567); other columns 0.
fn first_stage_values(
    model: &Model,
    split: &Split,
    plan: &FirstStage,
) -> Result<Vec<f64>, Diagnostic> {
    let mut fixed = vec![0.0; model.num_columns()];
    // The columns of each decision, by index names.
    let mut by_decl: FxHashMap<u32, FxHashMap<Vec<&str>, ColId>> = FxHashMap::default();
    let mut recourse_decls: FxHashMap<u32, bool> = FxHashMap::default();
    for (i, c) in model.columns.iter().enumerate() {
        let d = c.origin.decl.0;
        if model.decls[d as usize].kind != DeclKind::Decision {
            continue;
        }
        if split.first_stage[i] {
            let names = model
                .tuple_of(c.origin)
                .iter()
                .map(|&e| model.elements[e as usize].as_str())
                .collect();
            by_decl.entry(d).or_default().insert(names, ColId(i as u32));
        } else {
            recourse_decls.insert(d, true);
        }
    }
    let decl_named = |name: &str| {
        model
            .decls
            .iter()
            .position(|d| d.kind == DeclKind::Decision && d.name == name)
    };
    for pd in &plan.decisions {
        let Some(d) = decl_named(&pd.name) else {
            let mut diag = Diagnostic::error(
                Code::E0566,
                format!(
                    "the plan gives values of `{}`, which the model does not decide",
                    pd.name
                ),
            );
            if pd.span != Span::default() {
                diag = diag.primary(pd.span, "no decision of the model has this name");
            }
            return Err(diag.help("assess the plan with the model it was solved for, or solve this model again with `--format json`"));
        };
        let Some(cols) = by_decl.get(&(d as u32)) else {
            continue;
        };
        for v in &pd.values {
            let key: Vec<&str> = v.index.iter().map(|s| s.as_str()).collect();
            let Some(&c) = cols.get(&key) else {
                let mut diag = Diagnostic::error(
                    Code::E0566,
                    format!(
                        "the plan gives `{}[{}]`, which the model does not have",
                        pd.name,
                        v.index.join(", ")
                    ),
                );
                if v.span != Span::default() {
                    diag = diag.primary(v.span, format!("`{}`", v.path));
                }
                return Err(diag.help("assess the plan with the model it was solved for, or solve this model again with `--format json`"));
            };
            let col = model.columns[c.0 as usize];
            let tol = 1e-6 * v.value.abs().max(1.0);
            let integral = col.kind == crate::ir::VarKind::Continuous
                || (v.value - v.value.round()).abs() <= 1e-6;
            if v.value < col.lb - tol || v.value > col.ub + tol || !integral {
                let mut diag = Diagnostic::error(
                    Code::E0567,
                    format!(
                        "the plan's value {} of `{}[{}]` is not one the decision may take",
                        fmt_num(v.value),
                        pd.name,
                        v.index.join(", ")
                    ),
                );
                if v.span != Span::default() {
                    diag = diag.primary(v.span, format!("`{}`", v.path));
                }
                return Err(diag
                    .secondary(model.decls[d].span, "declared here")
                    .help("solve the current model again with `--format json`"));
            }
            fixed[c.0 as usize] = if col.kind == crate::ir::VarKind::Continuous {
                v.value
            } else {
                v.value.round()
            };
        }
    }
    for (&d, _) in by_decl
        .iter()
        .filter(|(d, _)| !recourse_decls.contains_key(d))
    {
        let decl = &model.decls[d as usize];
        if !plan.decisions.iter().any(|p| p.name == decl.name) {
            let mut diag = Diagnostic::error(
                Code::E0567,
                format!(
                    "the plan has no values of the first-stage decision `{}`",
                    decl.name
                ),
            )
            .secondary(decl.span, "declared here");
            if plan.span != Span::default() {
                diag = diag.primary(plan.span, "`decisions` has no entry with this name");
            }
            return Err(diag.help("solve the current model again with `--format json`"));
        }
    }
    Ok(fixed)
}

/// The loss of set `set`: what it is, the objective of each recourse problem (columns of
/// the full model with coefficients), its sense, unit and span.
#[allow(clippy::type_complexity)]
fn loss_of(
    schema: &crate::check::Schema,
    model: &Model,
    set: usize,
) -> Result<(LossInfo, Vec<(ColId, f64)>, Sense, String, Span), Diagnostic> {
    if let Some(d) = schema.loss_of(set) {
        let name = &schema.decisions[d].name;
        let decl = model
            .decls
            .iter()
            .position(|x| x.kind == DeclKind::Decision && &x.name == name);
        let cols: Vec<(ColId, f64)> = model
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| Some(c.origin.decl.0 as usize) == decl)
            .map(|(i, _)| (ColId(i as u32), 1.0))
            .collect();
        let unit = decl
            .map(|d| model.decls[d].unit.clone())
            .unwrap_or_default();
        return Ok((
            LossInfo {
                source: "decision",
                name: name.clone(),
                unit: unit.clone(),
            },
            cols,
            Sense::Minimize,
            unit,
            schema.decisions[d].span,
        ));
    }
    match &model.objective {
        Some(o) => {
            let (c, _) = model.objective_dense();
            let cols = c
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(i, v)| (ColId(i as u32), *v))
                .collect();
            Ok((
                LossInfo {
                    source: "objective",
                    name: o.name.clone(),
                    unit: o.unit.clone(),
                },
                cols,
                o.sense,
                o.unit.clone(),
                o.span,
            ))
        }
        None => Ok((
            LossInfo {
                source: "none",
                name: String::new(),
                unit: String::new(),
            },
            Vec::new(),
            Sense::Minimize,
            String::new(),
            Span::default(),
        )),
    }
}

/// One scenario's recourse result.
struct Outcome {
    loss: Loss,
    binding: Vec<Binding>,
    conflict: Vec<String>,
}

/// Build, solve and verify the recourse problem of scenario `s`.
fn solve_scenario(
    r: &Recourse,
    s: u32,
    opts: &SolveOptions,
    decl_at: &[String],
) -> Result<Outcome, Diagnostic> {
    let sub = &r.build(s);
    // `solve_model` verifies the recourse plan against the scenario's rows (E0702).
    let solved = crate::solve::solve_model(sub, opts)?;
    let raw = &solved.raw;
    // Stopped by the time limit: with a plan, its loss is the best found, not a proven one.
    let cut_off = raw.stop == Some(Stop::TimeLimit) && raw.status != Status::Optimal;
    match raw.status {
        Status::Error if cut_off => {
            return Ok(Outcome {
                loss: Loss::TimeLimit(None),
                binding: Vec::new(),
                conflict: Vec::new(),
            });
        }
        Status::Infeasible => {
            let conflict = crate::solve::explain::explain_infeasible(sub, opts)
                .map(|e| e.conflict.members.iter().map(|m| m.name.clone()).collect())
                .unwrap_or_default();
            return Ok(Outcome {
                loss: Loss::Infeasible,
                binding: Vec::new(),
                conflict,
            });
        }
        Status::Unbounded => {
            return Err(Diagnostic::error(Code::E0722, "the scenario's loss is unbounded")
                .primary(r.span, "the loss")
                .help("bound the loss below (`>= 0`), or tie it to what is lost with a constraint"));
        }
        // A scenario whose rows read only the plan's (fixed) columns has none to solve.
        Status::Optimal | Status::Feasible if raw.values.len() == sub.num_columns() => {}
        _ => {
            return Err(Diagnostic::error(
                Code::E0721,
                format!(
                    "the scenario's recourse problem could not be solved: {}",
                    raw.message
                ),
            )
            .help("try another solver (`--solver highs`) or a longer `--time-limit`"));
        }
    }
    let values = &raw.values;
    let mut loss = 0.0;
    if let Some(o) = &sub.objective {
        for t in &o.terms {
            for &(c, v) in &t.coefs {
                loss += v * values[c.0 as usize];
            }
        }
    }
    if r.sense == Sense::Maximize {
        // A maximised objective's share: the loss is what the scenario gives up, read as
        // the share with its sign turned.
        loss = -loss;
    }
    let loss = if loss.abs() < 1e-9 { 0.0 } else { clean(loss) };
    if cut_off {
        return Ok(Outcome {
            loss: Loss::TimeLimit(Some(loss)),
            binding: Vec::new(),
            conflict: Vec::new(),
        });
    }
    // The rows that bind matter where something is lost.
    let binding = if loss != 0.0 {
        binding_rows(sub, values, raw.duals.as_deref(), decl_at)
    } else {
        Vec::new()
    };
    Ok(Outcome {
        loss: Loss::Value(loss),
        binding,
        conflict: Vec::new(),
    })
}

/// The rows at one of their bounds, those with the largest shadow prices first (when the
/// solver gives them; then only rows with a nonzero one), at most [`BINDING_SHOWN`].
fn binding_rows(
    sub: &Model,
    values: &[f64],
    duals: Option<&[f64]>,
    decl_at: &[String],
) -> Vec<Binding> {
    let mut found: Vec<(usize, f64)> = Vec::new();
    for i in 0..sub.num_rows() {
        let row = sub.rows[i];
        let act: f64 = sub
            .row_entries(crate::ir::RowId(i as u32))
            .map(|(c, v)| v * values[c.0 as usize])
            .sum();
        let tol = 1e-7 * act.abs().max(1.0);
        let tight = (row.lo.is_finite() && (act - row.lo).abs() <= tol)
            || (row.hi.is_finite() && (act - row.hi).abs() <= tol);
        // A row over columns that are all zero, at a bound of zero, says only that nothing
        // is there (a link down, a region lost): it limits nothing the scenario does.
        let idle = sub
            .row_entries(crate::ir::RowId(i as u32))
            .all(|(c, _)| values[c.0 as usize].abs() <= 1e-9)
            && act.abs() <= tol;
        if !tight || idle {
            continue;
        }
        let dual = duals.and_then(|d| d.get(i).copied()).unwrap_or(0.0);
        if duals.is_some() && dual.abs() <= 1e-9 {
            continue;
        }
        found.push((i, dual));
    }
    found.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    found
        .into_iter()
        .take(BINDING_SHOWN)
        .map(|(i, dual)| {
            let row = sub.rows[i];
            Binding {
                name: sub.row_name(crate::ir::RowId(i as u32)),
                at: decl_at
                    .get(row.origin.decl.0 as usize)
                    .cloned()
                    .unwrap_or_default(),
                dual: duals.map(|_| dual),
            }
        })
        .collect()
}

/// `file:line:col` of a span.
fn location(analysis: &Analysis, span: Span) -> String {
    if (span.file.0 as usize) >= analysis.sources.len() {
        return String::new();
    }
    let text = analysis.sources.text(span.file);
    let (line, col) = crate::span::line_col(text, span.start as usize);
    format!("{}:{line}:{col}", analysis.sources.name(span.file))
}

#[cfg(test)]
mod tests;
