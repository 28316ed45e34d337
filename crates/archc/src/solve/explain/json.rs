//! Explanations as JSON values, for the `explanation` object of `archc solve --format json`
//! (schema documented with [`crate::report::SCHEMA`]'s users: see the fields below).

use super::{Explanation, MemberKind, SolutionExplanation, UnboundedExplanation};
use crate::diagnostics::render::to_json;
use crate::diagnostics::Diagnostic;
use crate::ir::Model;
use crate::source::SourceMap;
use crate::span::line_col;
use serde_json::{json, Value};

fn place(sources: &SourceMap, span: crate::span::Span) -> Value {
    if (span.file.0 as usize) >= sources.len() {
        return Value::Null;
    }
    let f = sources.get(span.file);
    let (line, column) = line_col(&f.text, span.start as usize);
    json!({ "file": f.name, "line": line, "column": column })
}

/// `{"kind": "infeasible", "conflict": [...], "repair": {...}, "solves": n, "diagnostics": [...]}`.
pub fn infeasible_json(model: &Model, e: &Explanation, sources: &SourceMap) -> Value {
    let conflict: Vec<Value> = e
        .conflict
        .members
        .iter()
        .map(|m| {
            let decl = &model.decls[m.decl.0 as usize];
            json!({
                "kind": m.kind,
                "name": m.name,
                "declaration": decl.name,
                "reading": m.reading,
                "at": place(sources, decl.span),
                "side": m.bound.map(|b| b.1),
            })
        })
        .collect();
    let repair = e.repair.as_ref().map(|r| {
        json!({
            "scope": r.scope,
            "verified": r.verified,
            "steps": r.items.iter().map(|i| json!({
                "name": i.name,
                "kind": i.kind,
                "declaration": model.decls[i.decl.0 as usize].name,
                "side": i.side,
                "by": i.by,
                "from": i.from,
                "to": i.to,
                "unit": i.unit,
                "text": i.text,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "kind": "infeasible",
        "conflict": conflict,
        "constraints": e.conflict.members.iter().filter(|m| m.kind == MemberKind::Constraint).count(),
        "repair": repair,
        "solves": e.conflict.solves,
        "diagnostics": diagnostics(&e.diagnostics(), sources),
    })
}

/// `{"kind": "unbounded", "objective", "sense", "columns": [...], "terms": [...], "diagnostics"}`.
pub fn unbounded_json(u: &UnboundedExplanation, sources: &SourceMap) -> Value {
    json!({
        "kind": "unbounded",
        "objective": u.objective,
        "sense": u.sense,
        "columns": u.columns.iter().map(|c| json!({"name": c.name, "direction": c.direction})).collect::<Vec<_>>(),
        "more_columns": u.more_columns,
        "terms": u.terms.iter().map(|t| json!({
            "label": t.label,
            "at": place(sources, t.span),
            "columns": t.columns.iter().map(|(n, c)| json!({"name": n, "coefficient": c})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "diagnostics": diagnostics(std::slice::from_ref(&u.diagnostic), sources),
    })
}

/// `{"kind": "solution", "binding": n, "duals": {...}, "entities": [...]}`.
pub fn solution_json(s: &SolutionExplanation) -> Value {
    let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert("kind".into(), json!("solution"));
    }
    v
}

/// `{"kind": "error", "diagnostics": [...]}` when no explanation could be made.
pub fn error_json(d: &Diagnostic, sources: &SourceMap) -> Value {
    json!({ "kind": "error", "diagnostics": diagnostics(std::slice::from_ref(d), sources) })
}

fn diagnostics(ds: &[Diagnostic], sources: &SourceMap) -> Vec<Value> {
    ds.iter()
        .map(|d| serde_json::to_value(to_json(d, sources)).unwrap_or(Value::Null))
        .collect()
}
