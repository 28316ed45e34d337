//! The first-stage plan that `archc risk` assesses: every decision's values by index,
//! taken from a verified solution of the model, or read from the JSON report of an earlier
//! `archc solve --format json` (`--plan FILE`). A file that is not such a report is E0565;
//! checking it against the model (E0566, E0567) is in [`super::assess`], which knows which
//! decisions are first-stage.

use crate::diagnostics::{Code, Diagnostic};
use crate::report::Report;
use crate::source::SourceMap;
use crate::span::{FileId, Span};
use jsonc_parser::ast::{Object, Value};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};
use std::path::Path;

/// A plan: values of decisions by index, with where each was read.
#[derive(Clone, Debug, Default)]
pub struct FirstStage {
    pub decisions: Vec<PlanDecision>,
    /// Where the plan came from: `solution` for the model's own, else the file's name.
    pub source: String,
    /// The span of the whole file (default for the model's own solution).
    pub span: Span,
}

/// One decision of a plan.
#[derive(Clone, Debug, Default)]
pub struct PlanDecision {
    pub name: String,
    /// The decision's name in the file (`decisions[2].name`).
    pub span: Span,
    pub values: Vec<PlanValue>,
}

/// One instance of a decision in a plan.
#[derive(Clone, Debug, Default)]
pub struct PlanValue {
    pub index: Vec<String>,
    pub value: f64,
    /// The entry in the file (`decisions[2].values[5]`).
    pub span: Span,
    /// Its JSON path, for messages.
    pub path: String,
}

impl FirstStage {
    /// The plan of a verified solution's report (zeros included).
    pub fn from_report(report: &Report) -> FirstStage {
        let decisions = report
            .decisions
            .iter()
            .map(|d| {
                let list = if d.all.is_empty() { &d.values } else { &d.all };
                PlanDecision {
                    name: d.name.clone(),
                    span: Span::default(),
                    values: list
                        .iter()
                        .map(|v| PlanValue {
                            index: v.index.clone(),
                            value: v.value,
                            span: Span::default(),
                            path: String::new(),
                        })
                        .collect(),
                }
            })
            .collect();
        FirstStage {
            decisions,
            source: "solution".to_string(),
            span: Span::default(),
        }
    }

    /// Read the JSON report at `path` into `sources` and take its plan. E0565 when it is
    /// not JSON or not of the report's shape.
    pub fn read(sources: &mut SourceMap, path: &Path) -> Result<FirstStage, Diagnostic> {
        let name = path.display().to_string();
        let file = sources.load(name.clone(), path).map_err(|e| {
            Diagnostic::error(Code::E0565, format!("cannot read the plan `{name}`: {e}"))
                .help("write the plan with `archc solve MODEL --format json --out plan.json`")
        })?;
        let text = sources.text(file).to_string();
        parse(file, &name, &text)
    }
}

/// The plan in `text`, the JSON report held in `file`.
pub fn parse(file: FileId, name: &str, text: &str) -> Result<FirstStage, Diagnostic> {
    let whole = Span::new(file, 0, text.len().min(1));
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let parsed =
        jsonc_parser::parse_to_ast(text, &collect, &ParseOptions::default()).map_err(|e| {
            let r = e.range();
            not_a_report(
                Span::new(file, r.start, r.end.max(r.start + 1).min(text.len().max(1))),
                format!("the plan `{name}` is not JSON: {}", e.kind()),
            )
        })?;
    let Some(Value::Object(root)) = parsed.value else {
        return Err(not_a_report(
            whole,
            format!("the plan `{name}` is not a JSON object"),
        ));
    };
    let Some(Value::Array(list)) = field(&root, "decisions") else {
        return Err(not_a_report(
            span_of(file, &root.range),
            format!("the plan `{name}` has no `decisions` list"),
        ));
    };
    let mut decisions = Vec::new();
    for (i, d) in list.elements.iter().enumerate() {
        let here = format!("decisions[{i}]");
        let Value::Object(d) = d else {
            return Err(shape(file, d, &here, "an object with `name` and `values`"));
        };
        let Some(Value::StringLit(n)) = field(d, "name") else {
            return Err(shape_at(
                file,
                &d.range,
                &format!("{here}.name"),
                "a string",
            ));
        };
        let Some(Value::Array(values)) = field(d, "values") else {
            return Err(shape_at(
                file,
                &d.range,
                &format!("{here}.values"),
                "a list",
            ));
        };
        let mut out = Vec::new();
        for (j, v) in values.elements.iter().enumerate() {
            let path = format!("{here}.values[{j}]");
            let Value::Object(o) = v else {
                return Err(shape(file, v, &path, "an object with `index` and `value`"));
            };
            let index = match field(o, "index") {
                Some(Value::Array(a)) => {
                    let mut names = Vec::new();
                    for x in &a.elements {
                        match x {
                            Value::StringLit(s) => names.push(s.value.to_string()),
                            other => {
                                return Err(shape(file, other, &format!("{path}.index"), "a name"))
                            }
                        }
                    }
                    names
                }
                _ => return Err(shape_at(file, &o.range, &format!("{path}.index"), "a list")),
            };
            let value = match field(o, "value") {
                Some(Value::NumberLit(n)) => n.value.parse::<f64>().ok(),
                _ => None,
            };
            let Some(value) = value.filter(|v| v.is_finite()) else {
                return Err(shape_at(
                    file,
                    &o.range,
                    &format!("{path}.value"),
                    "a number",
                ));
            };
            out.push(PlanValue {
                index,
                value,
                span: span_of(file, &o.range),
                path,
            });
        }
        decisions.push(PlanDecision {
            name: n.value.to_string(),
            span: span_of(file, &n.range),
            values: out,
        });
    }
    Ok(FirstStage {
        decisions,
        source: name.to_string(),
        span: whole,
    })
}

fn field<'a, 'b>(o: &'b Object<'a>, name: &str) -> Option<&'b Value<'a>> {
    o.properties
        .iter()
        .find(|p| match &p.name {
            jsonc_parser::ast::ObjectPropName::String(s) => s.value == name,
            jsonc_parser::ast::ObjectPropName::Word(w) => w.value == name,
        })
        .map(|p| &p.value)
}

fn span_of(file: FileId, r: &jsonc_parser::common::Range) -> Span {
    Span::new(file, r.start, r.end)
}

fn value_range(v: &Value) -> jsonc_parser::common::Range {
    match v {
        Value::StringLit(v) => v.range,
        Value::NumberLit(v) => v.range,
        Value::BooleanLit(v) => v.range,
        Value::Object(v) => v.range,
        Value::Array(v) => v.range,
        Value::NullKeyword(v) => v.range,
    }
}

fn not_a_report(span: Span, title: String) -> Diagnostic {
    Diagnostic::error(Code::E0565, title)
        .primary(span, "here")
        .help("give the JSON report of `archc solve MODEL --format json --out plan.json`")
}

fn shape(file: FileId, v: &Value, path: &str, want: &str) -> Diagnostic {
    shape_at(file, &value_range(v), path, want)
}

fn shape_at(file: FileId, r: &jsonc_parser::common::Range, path: &str, want: &str) -> Diagnostic {
    not_a_report(
        span_of(file, r),
        format!("the plan is not a solution report: `{path}` should be {want}"),
    )
}
