//! A walk over every expression of a file's AST, for the formatter: it needs to know which
//! `*`, `/` and `^` tokens are arithmetic (spaced or tight by rule) and which belong to a
//! unit written in a type (`usd/core/h`, kept as written).

use crate::syntax::ast::*;

/// Call `f` on every expression of the items, outermost first.
pub(crate) fn exprs(items: &[Item], f: &mut dyn FnMut(&Expr)) {
    for item in items {
        item_exprs(&item.kind, f);
    }
}

fn item_exprs(kind: &ItemKind, f: &mut dyn FnMut(&Expr)) {
    match kind {
        ItemKind::Use(_) | ItemKind::EntitiesFrom(_) | ItemKind::Partition(_) => {}
        ItemKind::Unit(u) => opt(&u.value, f),
        ItemKind::Kind(k) => k.attrs.iter().for_each(|a| opt(&a.default, f)),
        ItemKind::Entity(e) => e.attrs.iter().for_each(|a| expr(&a.value, f)),
        ItemKind::Set(s) => expr(&s.value, f),
        ItemKind::Param(p) => {
            index(&p.index, f);
            if let Some(ParamValue::Expr(e)) = &p.value {
                expr(e, f);
            }
        }
        ItemKind::Decide(d) => {
            index(&d.index, f);
            d.bounds.iter().for_each(|b| expr(&b.value, f));
        }
        ItemKind::Constraint(c) => {
            index(&c.index, f);
            expr(&c.body, f);
        }
        ItemKind::Objective(o) => {
            expr(&o.body, f);
            if let Some(w) = &o.within {
                expr(w, f);
            }
        }
        ItemKind::Fn(d) => expr(&d.body, f),
        ItemKind::Template(t) => exprs(&t.items, f),
        ItemKind::Apply(a) => a.args.iter().for_each(|a| expr(&a.value, f)),
        ItemKind::Plan(p) => {
            index(&p.index, f);
            expr(&p.stages, f);
            for s in &p.stmts {
                match &s.kind {
                    PlanStmtKind::State { range, init, .. } => {
                        expr(range, f);
                        opt(init, f);
                    }
                    PlanStmtKind::Choose { domain, .. } => expr(domain, f),
                    PlanStmtKind::Next { value, .. } => expr(value, f),
                    PlanStmtKind::Require(e)
                    | PlanStmtKind::Cost(e)
                    | PlanStmtKind::FinalCost(e)
                    | PlanStmtKind::FinalRequire(e) => expr(e, f),
                }
            }
        }
        ItemKind::Test(t) => {
            for e in &t.expects {
                match &e.kind {
                    ExpectKind::Feasible | ExpectKind::Infeasible => {}
                    ExpectKind::Binding(x) | ExpectKind::Holds(x) => expr(x, f),
                    ExpectKind::Objective(bounds) => bounds.iter().for_each(|(_, x)| expr(x, f)),
                }
            }
        }
    }
}

fn opt(e: &Option<Expr>, f: &mut dyn FnMut(&Expr)) {
    if let Some(e) = e {
        expr(e, f);
    }
}

fn index(list: &Option<IndexList>, f: &mut dyn FnMut(&Expr)) {
    if let Some(l) = list {
        index_list(l, f);
    }
}

fn index_list(l: &IndexList, f: &mut dyn FnMut(&Expr)) {
    for b in &l.bindings {
        expr(&b.set, f);
    }
    if let Some(filter) = &l.filter {
        expr(filter, f);
    }
}

fn expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Number(_)
        | ExprKind::Quantity(..)
        | ExprKind::Period { .. }
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Name(_) => {}
        ExprKind::Field(x, _) | ExprKind::Unary(_, x) => expr(x, f),
        ExprKind::Index(x, args) => {
            expr(x, f);
            args.iter().for_each(|a| expr(a, f));
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| expr(&a.value, f)),
        ExprKind::Binary(_, l, r) | ExprKind::Range(l, r) => {
            expr(l, f);
            expr(r, f);
        }
        ExprKind::Compare(first, rest) => {
            expr(first, f);
            rest.iter().for_each(|(_, _, x)| expr(x, f));
        }
        ExprKind::If(c, t, e) => {
            expr(c, f);
            expr(t, f);
            expr(e, f);
        }
        ExprKind::Chain(first, rest) => {
            expr(first, f);
            rest.iter().for_each(|(_, _, x)| expr(x, f));
        }
        ExprKind::IfChain(arms, otherwise) => {
            for arm in arms {
                expr(&arm.cond, f);
                expr(&arm.value, f);
            }
            expr(otherwise, f);
        }
        ExprKind::Agg { index, body, .. } => {
            index_list(index, f);
            if let Some(b) = body {
                expr(b, f);
            }
        }
        ExprKind::SetLit(xs) | ExprKind::Tuple(xs) => xs.iter().for_each(|x| expr(x, f)),
        ExprKind::SetCompr(l) => index_list(l, f),
        ExprKind::Map(entries) => {
            for (keys, v) in entries {
                keys.iter().for_each(|k| expr(k, f));
                expr(v, f);
            }
        }
    }
}
