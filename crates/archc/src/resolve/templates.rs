//! Expansion of `apply TEMPLATE(args) as alias`: the template's declarations are copied
//! with parameters replaced by the arguments and declared names prefixed by the alias
//! (`svc.at_least`), so later phases see ordinary declarations.

use super::{errors, ProgItem, Program};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use std::collections::HashMap;

pub fn expand(program: &mut Program, diags: &mut Vec<Diagnostic>) {
    let templates: HashMap<String, TemplateDecl> = program
        .items
        .iter()
        .filter_map(|p| match &p.item.kind {
            ItemKind::Template(t) => Some((t.name.name.clone(), t.clone())),
            _ => None,
        })
        .collect();
    let mut out = Vec::with_capacity(program.items.len());
    for p in std::mem::take(&mut program.items) {
        let ItemKind::Apply(a) = &p.item.kind else {
            out.push(p);
            continue;
        };
        let Some(name) = a.template.last() else {
            continue;
        };
        let Some(t) = templates.get(&name.name) else {
            let known: Vec<&str> = templates.keys().map(|s| s.as_str()).collect();
            diags.push(errors::unknown_template(name, &known));
            continue;
        };
        if t.params.len() != a.args.len() {
            diags.push(errors::template_arity(a, t));
            continue;
        }
        // Named arguments may come in any order; positional ones fill in the rest.
        let mut bound: HashMap<String, Expr> = HashMap::new();
        let mut positional = a.args.iter().filter(|x| x.name.is_none());
        let mut ok = true;
        for param in &t.params {
            if let Some(arg) = a
                .args
                .iter()
                .find(|x| x.name.as_ref().map(|n| &n.name) == Some(&param.name.name))
            {
                bound.insert(param.name.name.clone(), arg.value.clone());
            } else if let Some(arg) = positional.next() {
                bound.insert(param.name.name.clone(), arg.value.clone());
            } else {
                diags.push(errors::template_missing_arg(a, &param.name.name));
                ok = false;
            }
        }
        if !ok {
            continue;
        }
        let alias = a
            .alias
            .as_ref()
            .map(|i| i.name.clone())
            .unwrap_or_else(|| name.name.clone());
        let mut renames: HashMap<String, String> = HashMap::new();
        for item in &t.items {
            if let Some(n) = item.kind.name() {
                renames.insert(n.name.clone(), format!("{alias}.{}", n.name));
            }
        }
        for item in &t.items {
            let mut item = item.clone();
            rename_decl(&mut item.kind, &renames);
            visit_item_exprs(&mut item.kind, &mut |e| substitute(e, &bound, &renames));
            out.push(ProgItem {
                item,
                file: p.file,
                library: p.library,
            });
        }
    }
    program.items = out;
}

fn rename_decl(kind: &mut ItemKind, renames: &HashMap<String, String>) {
    let name = match kind {
        ItemKind::Constraint(d) => Some(&mut d.name),
        ItemKind::Decide(d) => Some(&mut d.name),
        ItemKind::Param(d) => Some(&mut d.name),
        ItemKind::Set(d) => Some(&mut d.name),
        ItemKind::Fn(d) => Some(&mut d.name),
        ItemKind::Objective(d) => d.name.as_mut(),
        _ => None,
    };
    if let Some(n) = name {
        if let Some(r) = renames.get(&n.name) {
            n.name = r.clone();
        }
    }
}

fn substitute(e: &mut Expr, bound: &HashMap<String, Expr>, renames: &HashMap<String, String>) {
    match &mut e.kind {
        ExprKind::Name(id) => {
            if let Some(arg) = bound.get(&id.name) {
                *e = arg.clone();
            } else if let Some(r) = renames.get(&id.name) {
                id.name = r.clone();
            }
        }
        // An attribute name passed as an argument: `i.size` with `size = cores`.
        ExprKind::Field(_, attr) => {
            if let Some(Expr {
                kind: ExprKind::Name(f),
                ..
            }) = bound.get(&attr.name)
            {
                attr.name = f.name.clone();
            }
        }
        ExprKind::Call(id, _) => {
            if let Some(Expr {
                kind: ExprKind::Name(f),
                ..
            }) = bound.get(&id.name)
            {
                id.name = f.name.clone();
            } else if let Some(r) = renames.get(&id.name) {
                id.name = r.clone();
            }
        }
        _ => {}
    }
}

/// Apply `f` to every expression of an item, children before parents.
pub fn visit_item_exprs(kind: &mut ItemKind, f: &mut impl FnMut(&mut Expr)) {
    match kind {
        ItemKind::Unit(d) => {
            if let Some(v) = &mut d.value {
                visit_expr(v, f)
            }
        }
        ItemKind::Kind(d) => {
            for a in &mut d.attrs {
                if let Some(v) = &mut a.default {
                    visit_expr(v, f)
                }
            }
        }
        ItemKind::Entity(d) => {
            for a in &mut d.attrs {
                visit_expr(&mut a.value, f)
            }
        }
        ItemKind::Set(d) => visit_expr(&mut d.value, f),
        ItemKind::Param(d) => {
            if let Some(i) = &mut d.index {
                visit_index(i, f)
            }
            if let Some(ParamValue::Expr(v)) = &mut d.value {
                visit_expr(v, f)
            }
        }
        ItemKind::Decide(d) => {
            if let Some(i) = &mut d.index {
                visit_index(i, f)
            }
            for b in &mut d.bounds {
                visit_expr(&mut b.value, f)
            }
        }
        ItemKind::Constraint(d) => {
            if let Some(i) = &mut d.index {
                visit_index(i, f)
            }
            visit_expr(&mut d.body, f)
        }
        ItemKind::Objective(d) => visit_expr(&mut d.body, f),
        ItemKind::Fn(d) => visit_expr(&mut d.body, f),
        ItemKind::Plan(d) => {
            if let Some(i) = &mut d.index {
                visit_index(i, f)
            }
            visit_expr(&mut d.stages, f);
            for s in &mut d.stmts {
                match &mut s.kind {
                    PlanStmtKind::State { range, init, .. } => {
                        visit_expr(range, f);
                        if let Some(i) = init {
                            visit_expr(i, f)
                        }
                    }
                    PlanStmtKind::Choose { domain, .. } => visit_expr(domain, f),
                    PlanStmtKind::Next { value, .. } => visit_expr(value, f),
                    PlanStmtKind::Require(e)
                    | PlanStmtKind::Cost(e)
                    | PlanStmtKind::FinalCost(e)
                    | PlanStmtKind::FinalRequire(e) => visit_expr(e, f),
                }
            }
        }
        ItemKind::Test(d) => {
            for x in &mut d.expects {
                match &mut x.kind {
                    ExpectKind::Binding(e) | ExpectKind::Holds(e) => visit_expr(e, f),
                    ExpectKind::Objective(v) => {
                        for (_, e) in v {
                            visit_expr(e, f)
                        }
                    }
                    _ => {}
                }
            }
        }
        ItemKind::Apply(d) => {
            for a in &mut d.args {
                visit_expr(&mut a.value, f)
            }
        }
        ItemKind::Use(_) | ItemKind::EntitiesFrom(_) | ItemKind::Template(_) => {}
    }
}

fn visit_index(i: &mut IndexList, f: &mut impl FnMut(&mut Expr)) {
    for b in &mut i.bindings {
        visit_expr(&mut b.set, f);
    }
    if let Some(flt) = &mut i.filter {
        visit_expr(flt, f);
    }
}

/// Apply `f` to `e` and all its subexpressions, children first.
pub fn visit_expr(e: &mut Expr, f: &mut impl FnMut(&mut Expr)) {
    match &mut e.kind {
        ExprKind::Field(b, _) => visit_expr(b, f),
        ExprKind::Index(b, idx) => {
            visit_expr(b, f);
            for x in idx {
                visit_expr(x, f)
            }
        }
        ExprKind::Call(_, args) => {
            for a in args {
                visit_expr(&mut a.value, f)
            }
        }
        ExprKind::Unary(_, x) => visit_expr(x, f),
        ExprKind::Binary(_, a, b) | ExprKind::Range(a, b) => {
            visit_expr(a, f);
            visit_expr(b, f)
        }
        ExprKind::Compare(a, links) => {
            visit_expr(a, f);
            for (_, _, x) in links {
                visit_expr(x, f)
            }
        }
        ExprKind::If(a, b, c) => {
            visit_expr(a, f);
            visit_expr(b, f);
            visit_expr(c, f)
        }
        ExprKind::Agg { index, body, .. } => {
            visit_index(index, f);
            if let Some(b) = body {
                visit_expr(b, f)
            }
        }
        ExprKind::SetLit(v) | ExprKind::Tuple(v) => {
            for x in v {
                visit_expr(x, f)
            }
        }
        ExprKind::SetCompr(i) => visit_index(i, f),
        ExprKind::Map(entries) => {
            for (k, v) in entries {
                for x in k {
                    visit_expr(x, f)
                }
                visit_expr(v, f)
            }
        }
        _ => {}
    }
    f(e)
}
