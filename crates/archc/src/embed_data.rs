//! Embedding with data held in memory (the Python package's data frames). A host lists
//! the data slots of a model ([`data_slots`]: the `from "..."` of sets and params, and the
//! scalar params it may replace), hands data as CSV/JSON text under the path a slot names
//! (laid over the disk as overlays of the file layer, so no temporary file is written),
//! replaces scalar params by value ([`set_scalar_params`]), solves with every column value
//! kept ([`solve_analysis`]: MILP or DP, verified, infeasible and unbounded models
//! explained) and reads decisions and constraints as whole tables ([`decision_table`],
//! [`constraint_table`]). It sits beside [`crate::embed`] and uses only public phases.

use crate::analysis::{Analysis, AnalyzeOptions, BackendChoice};
use crate::diagnostics::{Code, Diagnostic};
use crate::driver::{analyze, analyze_source};
use crate::ir::{DeclKind, Model, RowId};
use crate::report::Report;
use crate::solve::{SolveOptions, Status};
use crate::span::FileId;
use crate::syntax::ast;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a data slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotKind {
    /// `services from "..."`: one record per entity, a `name` column (or the column of
    /// `key COLUMN`) and the attributes.
    Entities,
    /// `param p[...]: T from "..."`: long format, one column per index, then `value`.
    Param,
    /// `param p: T = ...` (or without a value): one value, replaceable by
    /// [`set_scalar_params`].
    ScalarParam,
}

/// A place of the main model file that data can be given for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSlot {
    /// The set or param name.
    pub name: String,
    pub kind: SlotKind,
    /// The path as written after `from`, relative to the model file (`None` for scalars).
    pub path: Option<String>,
    /// For indexed params: the column heading each index (the variable, or the set as
    /// written for an anonymous index), in order; the value column follows. For entities:
    /// the one column that holds the names (`name`, or the column of `key COLUMN`).
    pub index: Vec<String>,
    /// The unit of a param as written (`Gbps`, `usd/h`), empty when there is none.
    pub unit: String,
}

/// The data slots of a model's main file, in source order (an unparsable item is skipped;
/// the analysis reports it).
pub fn data_slots(text: &str) -> Vec<DataSlot> {
    let (file, _) = crate::syntax::parser::parse_file(FileId(0), text);
    let slice = |span: crate::span::Span| -> String {
        text.get(span.start as usize..span.end as usize)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let mut out = Vec::new();
    for item in &file.items {
        match &item.kind {
            ast::ItemKind::EntitiesFrom(e) => out.push(DataSlot {
                name: e.set.name.clone(),
                kind: SlotKind::Entities,
                path: Some(e.path.value.clone()),
                index: vec![e.key_column().to_string()],
                unit: String::new(),
            }),
            ast::ItemKind::Param(p) => {
                let unit =
                    p.ty.unit
                        .as_ref()
                        .map(|u| u.text.clone())
                        .unwrap_or_default();
                let unit = if p.ty.base == ast::BaseType::Named || !unit.is_empty() {
                    unit
                } else {
                    String::new()
                };
                match (&p.index, &p.value) {
                    (Some(index), Some(ast::ParamValue::From(path))) => out.push(DataSlot {
                        name: p.name.name.clone(),
                        kind: SlotKind::Param,
                        path: Some(path.value.clone()),
                        index: index
                            .bindings
                            .iter()
                            .map(|b| match &b.var {
                                Some(v) => v.name.clone(),
                                None => slice(b.set.span),
                            })
                            .collect(),
                        unit,
                    }),
                    (None, Some(ast::ParamValue::Expr(_)) | None) => out.push(DataSlot {
                        name: p.name.name.clone(),
                        kind: SlotKind::ScalarParam,
                        path: None,
                        index: Vec::new(),
                        unit,
                    }),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    out
}

/// Why scalar params could not be replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// No param of that name in the main file.
    Unknown(String),
    /// The param is indexed: give its values as data under its `from` path instead.
    Indexed(String),
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamError::Unknown(n) => write!(f, "the model has no param `{n}`"),
            ParamError::Indexed(n) => write!(
                f,
                "`{n}` is an indexed param: give its values as a table (one column per index, then `value`)"
            ),
        }
    }
}

impl std::error::Error for ParamError {}

/// The model text with scalar params replaced: `values` maps a param name to the source
/// text of its new value (`"700 h"`), which the checker then reads like any value written
/// in the model (so a wrong unit is the usual diagnostic, at the replaced text).
pub fn set_scalar_params(text: &str, values: &[(String, String)]) -> Result<String, ParamError> {
    if values.is_empty() {
        return Ok(text.to_string());
    }
    let (file, _) = crate::syntax::parser::parse_file(FileId(0), text);
    // (start, end, replacement), applied from the end so earlier offsets stay valid.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (name, value) in values {
        let param = file.items.iter().find_map(|i| match &i.kind {
            ast::ItemKind::Param(p) if p.name.name == *name => Some(p),
            _ => None,
        });
        let Some(p) = param else {
            return Err(ParamError::Unknown(name.clone()));
        };
        if p.index.is_some() {
            return Err(ParamError::Indexed(name.clone()));
        }
        match &p.value {
            Some(ast::ParamValue::Expr(e)) => {
                edits.push((e.span.start as usize, e.span.end as usize, value.clone()))
            }
            // A scalar cannot load from a file (E0308): replacing it gives it a value.
            Some(ast::ParamValue::From(s)) => {
                let start = p.lower.as_ref().map_or(p.ty.span.end, |l| l.span.end) as usize;
                edits.push((start, s.span.end as usize, format!(" = {value}")))
            }
            None => {
                let at = p.lower.as_ref().map_or(p.ty.span.end, |l| l.span.end) as usize;
                edits.push((at, at, format!(" = {value}")))
            }
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, with) in edits {
        if start <= end && end <= out.len() {
            out.replace_range(start..end, &with);
        }
    }
    Ok(out)
}

/// The model to analyse: a file, or text with a name and a directory for relative paths.
#[derive(Clone, Debug)]
pub enum ModelInput {
    Path(PathBuf),
    Source {
        name: String,
        text: String,
        base_dir: Option<PathBuf>,
    },
}

impl ModelInput {
    /// The path the main file's relative paths resolve against (as the file layer does).
    fn dir(&self) -> PathBuf {
        match self {
            ModelInput::Path(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
            ModelInput::Source { name, base_dir, .. } => match base_dir {
                Some(d) => d
                    .join(name)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
                None => PathBuf::new(),
            },
        }
    }
}

/// What to analyse with: data texts by the path written in the model (`data/x.csv`),
/// scalar params by name (value as source text), the backend for plans, size limits.
#[derive(Clone, Debug, Default)]
pub struct DataInputs {
    pub data: Vec<(String, String)>,
    pub params: Vec<(String, String)>,
    pub backend: BackendChoice,
    pub limits: Option<crate::instantiate::Limits>,
    /// The largest file read from disk (see [`AnalyzeOptions::max_file_size`]).
    pub max_file_size: Option<u64>,
}

/// Analyse (and instantiate) a model with in-memory data. The data texts are overlays:
/// the model's own `from "data/x.csv"` reads them as if they were on disk (diagnostics
/// point into them under that path). A main file that cannot be read is reported by the
/// analysis as usual; [`ParamError`] only for scalar params the model does not have.
pub fn analyze_with_data(input: &ModelInput, inputs: &DataInputs) -> Result<Analysis, ParamError> {
    let dir = input.dir();
    let mut overlays: HashMap<PathBuf, String> = inputs
        .data
        .iter()
        .map(|(written, text)| (dir.join(written), text.clone()))
        .collect();
    let options = |overlays: HashMap<PathBuf, String>| AnalyzeOptions {
        overlays,
        instantiate: true,
        backend: inputs.backend,
        limits: inputs.limits.clone(),
        max_file_size: inputs.max_file_size,
        ..Default::default()
    };
    match input {
        ModelInput::Path(path) => {
            if !inputs.params.is_empty() {
                // The replaced text lies over the file itself: names and spans stay the
                // file's own. An unreadable file is left to the analysis to report.
                if let Ok(text) = std::fs::read_to_string(path) {
                    overlays.insert(path.clone(), set_scalar_params(&text, &inputs.params)?);
                } else {
                    // Still refuse unknown names, against an empty model.
                    set_scalar_params("", &inputs.params)?;
                }
            }
            Ok(analyze(path, &options(overlays)))
        }
        ModelInput::Source {
            name,
            text,
            base_dir,
        } => {
            let text = set_scalar_params(text, &inputs.params)?;
            Ok(analyze_source(
                name,
                &text,
                base_dir.as_deref(),
                &options(overlays),
            ))
        }
    }
}

/// A solve with every column value kept, and the explanation of a model without a plan.
#[derive(Clone, Debug)]
pub struct SolvedModel {
    pub report: Report,
    /// One value per column of the instance (empty without a plan, and for DP).
    pub values: Vec<f64>,
    /// Row duals, when the solver gives them.
    pub duals: Option<Vec<f64>>,
    /// For infeasible and unbounded models (and with `explain`, for solved ones): the JSON
    /// of `archc solve --format json`'s `explanation`.
    pub explanation: Option<serde_json::Value>,
    /// The same explanation as rendered diagnostics or text.
    pub explanation_text: Option<String>,
}

/// Solve an analysed model (the plans by DP when the analysis chose DP), verify, report,
/// and explain an infeasible or unbounded result (and a solved one when `explain`).
/// Errors are diagnostics: no instance, a solver failure, a verification failure (E0702).
pub fn solve_analysis(
    analysis: &mut Analysis,
    options: &SolveOptions,
    explain: bool,
) -> Result<SolvedModel, Diagnostic> {
    let name = if analysis.sources.is_empty() {
        String::new()
    } else {
        analysis.sources.name(FileId(0)).to_string()
    };
    // The one solve path (MILP or DP, verified), then the report and the explanation.
    let solved = crate::driver::solve(analysis, options)?;
    let report = crate::driver::report(analysis, &name, &solved)
        .ok_or_else(|| Diagnostic::error(Code::E0703, "no instance to solve"))?;
    let (values, duals, (explanation, explanation_text)) = match solved.raw() {
        Some(raw) => (
            raw.values.clone(),
            raw.duals.clone(),
            explain_result(analysis, raw, options, explain),
        ),
        // DP: why a plan has no feasible policy is in the solve's diagnostics.
        None if solved.diagnostics.is_empty() => (Vec::new(), None, (None, None)),
        None => {
            let text = crate::diagnostics::render::render_all_plain(
                &solved.diagnostics,
                &analysis.sources,
                100,
            );
            (Vec::new(), None, (None, Some(text)))
        }
    };
    Ok(SolvedModel {
        report,
        values,
        duals,
        explanation,
        explanation_text,
    })
}

/// The explanation of a solve, as `archc solve` gives it: always for infeasible and
/// unbounded models, for solved ones when asked; none after an interrupt.
fn explain_result(
    analysis: &Analysis,
    raw: &crate::solve::RawSolution,
    options: &SolveOptions,
    explain: bool,
) -> (Option<serde_json::Value>, Option<String>) {
    use crate::diagnostics::render::render_all_plain;
    use crate::solve::explain as x;
    let Some(inst) = analysis.instance.as_ref() else {
        return (None, None);
    };
    let model = &inst.model;
    let sources = &analysis.sources;
    if raw.stop == Some(crate::solve::Stop::Interrupted) {
        return (None, None);
    }
    let failed = |d: Diagnostic| {
        (
            Some(x::json::error_json(&d, sources)),
            Some(render_all_plain(std::slice::from_ref(&d), sources, 100)),
        )
    };
    match raw.status {
        Status::Infeasible => match x::explain_infeasible(model, options) {
            Ok(e) => (
                Some(x::json::infeasible_json(model, &e, sources)),
                Some(render_all_plain(&e.diagnostics(), sources, 100)),
            ),
            Err(d) => failed(d),
        },
        Status::Unbounded => match x::explain_unbounded(model, options) {
            Ok(u) => (
                Some(x::json::unbounded_json(&u, sources)),
                Some(render_all_plain(
                    std::slice::from_ref(&u.diagnostic),
                    sources,
                    100,
                )),
            ),
            Err(d) => failed(d),
        },
        Status::Optimal | Status::Feasible if explain => {
            let s = x::explain_solution(model, &raw.values, raw.duals.as_deref());
            (Some(x::json::solution_json(&s)), Some(s.render_text()))
        }
        _ => (None, None),
    }
}

/// A declaration's instances as columns: the index (one list per index variable) and
/// named value columns, every instance included (zeros too).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub index_names: Vec<String>,
    /// `index[k][i]`: the element of index `k` in instance `i`.
    pub index: Vec<Vec<String>>,
    pub columns: Vec<(String, Vec<f64>)>,
}

fn decl_named(model: &Model, name: &str, kind: DeclKind) -> Option<usize> {
    model
        .decls
        .iter()
        .position(|d| d.kind == kind && d.name == name && d.note != "objective")
}

fn push_tuple(model: &Model, origin: crate::ir::Origin, index: &mut [Vec<String>]) {
    for (k, &e) in model.tuple_of(origin).iter().enumerate() {
        if let Some(col) = index.get_mut(k) {
            col.push(model.elements.get(e as usize).cloned().unwrap_or_default());
        }
    }
}

/// The names of the decisions and the constraints of a model, in declaration order.
pub fn declaration_names(model: &Model) -> (Vec<String>, Vec<String>) {
    let named = |kind: DeclKind| {
        model
            .decls
            .iter()
            .filter(|d| d.kind == kind && d.note != "objective")
            .map(|d| d.name.clone())
            .collect()
    };
    (named(DeclKind::Decision), named(DeclKind::Constraint))
}

/// Every instance of decision `name` with its value (column `value`), its lower and upper
/// bounds (`lb`, `ub`, infinite when open); `None` when the model has no such decision.
/// `values` holds one value per column (an empty slice gives NaN values: no plan).
pub fn decision_table(model: &Model, values: &[f64], name: &str) -> Option<Table> {
    let decl = decl_named(model, name, DeclKind::Decision)?;
    let names = model.decls[decl].index_names.clone();
    let mut index = vec![Vec::new(); names.len()];
    let (mut value, mut lb, mut ub) = (Vec::new(), Vec::new(), Vec::new());
    for (i, c) in model.columns.iter().enumerate() {
        if c.origin.decl.0 as usize != decl {
            continue;
        }
        push_tuple(model, c.origin, &mut index);
        value.push(values.get(i).copied().map_or(f64::NAN, clean));
        lb.push(c.lb);
        ub.push(c.ub);
    }
    Some(Table {
        index_names: names,
        index,
        columns: vec![
            ("value".into(), value),
            ("lb".into(), lb),
            ("ub".into(), ub),
        ],
    })
}

/// Every row of constraint `name`: `activity`, the bounds `lo` and `hi` (infinite when
/// open), `slack` (the distance to the nearer finite bound, 0 for equalities) and `dual`
/// (NaN when the solver gave none); `None` when there is no such constraint.
pub fn constraint_table(
    model: &Model,
    values: &[f64],
    duals: Option<&[f64]>,
    name: &str,
) -> Option<Table> {
    let decl = decl_named(model, name, DeclKind::Constraint)?;
    let names = model.decls[decl].index_names.clone();
    let mut index = vec![Vec::new(); names.len()];
    let mut cols: [Vec<f64>; 5] = Default::default();
    let has_values = values.len() == model.num_columns();
    for (i, row) in model.rows.iter().enumerate() {
        if row.origin.decl.0 as usize != decl {
            continue;
        }
        push_tuple(model, row.origin, &mut index);
        let activity = if has_values {
            clean(
                model
                    .row_entries(RowId(i as u32))
                    .map(|(c, v)| v * values[c.0 as usize])
                    .sum(),
            )
        } else {
            f64::NAN
        };
        let mut slack = f64::INFINITY;
        if row.hi.is_finite() {
            slack = slack.min(row.hi - activity);
        }
        if row.lo.is_finite() {
            slack = slack.min(activity - row.lo);
        }
        cols[0].push(activity);
        cols[1].push(row.lo);
        cols[2].push(row.hi);
        cols[3].push(clean(slack));
        cols[4].push(
            duals
                .and_then(|d| d.get(i))
                .copied()
                .map_or(f64::NAN, clean),
        );
    }
    let [activity, lo, hi, slack, dual] = cols;
    Some(Table {
        index_names: names,
        index,
        columns: vec![
            ("activity".into(), activity),
            ("lo".into(), lo),
            ("hi".into(), hi),
            ("slack".into(), slack),
            ("dual".into(), dual),
        ],
    })
}

/// Values closer to zero than 1e-9 are zero, and values that close to an integer are it
/// (as in the reports).
fn clean(v: f64) -> f64 {
    if v.abs() < 1e-9 {
        0.0
    } else if v.is_finite() && (v - v.round()).abs() < 1e-9 {
        v.round()
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"
kind region { cores: core = 0 core }
regions from "data/regions.csv"
param hours: h = 730 h
param demand[r in regions, q in quarters]: core from "data/demand.csv"
set quarters = 1..2
decide replicas[r in regions]: int >= 0 <= 10
constraint fit[r in regions]: 16 core * replicas[r] <= r.cores
maximize served: sum(r in regions) replicas[r]
"#;

    #[test]
    fn slots_list_the_from_clauses_and_the_scalar_params() {
        let slots = data_slots(MODEL);
        let names: Vec<(&str, SlotKind)> =
            slots.iter().map(|s| (s.name.as_str(), s.kind)).collect();
        assert_eq!(
            names,
            vec![
                ("regions", SlotKind::Entities),
                ("hours", SlotKind::ScalarParam),
                ("demand", SlotKind::Param)
            ]
        );
        assert_eq!(slots[0].path.as_deref(), Some("data/regions.csv"));
        assert_eq!(slots[0].index, vec!["name".to_string()]);
        assert_eq!(slots[2].index, vec!["r".to_string(), "q".to_string()]);
        assert_eq!(slots[2].unit, "core");
        assert_eq!(slots[1].unit, "h");
    }

    #[test]
    fn scalar_params_are_replaced_in_the_text_and_unknown_ones_refused() {
        let text = set_scalar_params(MODEL, &[("hours".into(), "700 h".into())])
            .expect("hours is a scalar param");
        assert!(text.contains("param hours: h = 700 h\n"), "{text}");
        assert_eq!(
            set_scalar_params(MODEL, &[("nope".into(), "1".into())]),
            Err(ParamError::Unknown("nope".into()))
        );
        assert_eq!(
            set_scalar_params(MODEL, &[("demand".into(), "1".into())]),
            Err(ParamError::Indexed("demand".into()))
        );
    }

    #[test]
    fn data_given_as_text_is_read_under_the_models_path_and_solved() {
        let input = ModelInput::Source {
            name: "fleet.arch".into(),
            text: MODEL.replace(
                "param demand[r in regions, q in quarters]: core from \"data/demand.csv\"\n",
                "",
            ),
            base_dir: Some(PathBuf::from("/nonexistent-archc-dir")),
        };
        let inputs = DataInputs {
            data: vec![(
                "data/regions.csv".into(),
                "name,cores\nus-east,64\neu-west,32\n".into(),
            )],
            ..Default::default()
        };
        let mut a = analyze_with_data(&input, &inputs).expect("no params to replace");
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        let solved = solve_analysis(&mut a, &SolveOptions::default(), false).expect("solves");
        assert_eq!(solved.report.objective.as_ref().map(|o| o.value), Some(6.0));
        let model = &a.instance.as_ref().expect("instance").model;
        let t = decision_table(model, &solved.values, "replicas").expect("a decision");
        assert_eq!(t.index, vec![vec!["us-east".to_string(), "eu-west".into()]]);
        assert_eq!(t.columns[0], ("value".to_string(), vec![4.0, 2.0]));
        let c = constraint_table(model, &solved.values, None, "fit").expect("a constraint");
        assert_eq!(c.columns[0].1, vec![64.0, 32.0]);
        assert_eq!(c.columns[3].1, vec![0.0, 0.0]);
        assert!(decision_table(model, &solved.values, "fit").is_none());
    }

    #[test]
    fn bad_data_text_is_a_data_diagnostic_in_the_named_file() {
        let input = ModelInput::Source {
            name: "fleet.arch".into(),
            text: "kind region { cores: core = 0 core }\nregions from \"r.csv\"\n".into(),
            base_dir: None,
        };
        let inputs = DataInputs {
            data: vec![("r.csv".into(), "name,cores\nus-east,6x\n".into())],
            ..Default::default()
        };
        let a = analyze_with_data(&input, &inputs).expect("no params");
        let d = a
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert_eq!(d.code, Code::E0504);
    }
}
