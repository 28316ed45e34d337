//! Lowering `plan` blocks to ordinary declarations for the MILP backend: each state and
//! the stage decision become indexed decisions over the plan's index plus the stage, the
//! transition and requirements become constraints, and the cost becomes a function
//! `PLAN.cost(...)` that objectives and constraints can use. References to plans in other
//! expressions (`build[r].cost`, `build[r].add[q]`) are rewritten to these.

use crate::check::plan::{ChooseDomain, PlanInfo};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::resolve::{visit_expr, visit_item_exprs, ProgItem, Program};
use crate::span::Span;
use crate::syntax::ast::*;
use std::collections::HashMap;

fn ident(name: impl Into<String>, span: Span) -> Ident {
    Ident {
        name: name.into(),
        span,
    }
}

fn name_expr(name: impl Into<String>, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Name(ident(name, span)),
        span,
    }
}

fn index_expr(name: impl Into<String>, args: Vec<Expr>, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Index(Box::new(name_expr(name, span)), args),
        span,
    }
}

fn call_expr(name: impl Into<String>, args: Vec<Expr>, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Call(
            ident(name, span),
            args.into_iter()
                .map(|value| Arg { name: None, value })
                .collect(),
        ),
        span,
    }
}

/// The index list of a plan plus its stage binding.
fn staged_index(p: &PlanInfo, span: Span) -> IndexList {
    let mut bindings = p
        .decl
        .index
        .as_ref()
        .map(|i| i.bindings.clone())
        .unwrap_or_default();
    bindings.push(Binding {
        var: Some(p.decl.stage_var.clone()),
        set: p.decl.stages.clone(),
        span: p.decl.stage_var.span,
    });
    IndexList {
        bindings,
        filter: p.decl.index.as_ref().and_then(|i| i.filter.clone()),
        span,
    }
}

fn plain_index(p: &PlanInfo) -> Option<IndexList> {
    p.decl.index.clone()
}

fn index_vars(p: &PlanInfo) -> Vec<Expr> {
    p.decl
        .index
        .as_ref()
        .map(|i| {
            i.bindings
                .iter()
                .filter_map(|b| b.var.as_ref())
                .map(|v| name_expr(v.name.clone(), v.span))
                .collect()
        })
        .unwrap_or_default()
}

/// Replace plan variables by the lowered decisions (`racks` → `build.racks[r, q]`).
fn subst(e: &Expr, p: &PlanInfo, end: bool) -> Expr {
    let mut out = e.clone();
    let vars = index_vars(p);
    let q = name_expr(p.decl.stage_var.name.clone(), p.decl.stage_var.span);
    visit_expr(&mut out, &mut |x| {
        if let ExprKind::Name(id) = &x.kind {
            if p.is_plan_var(&id.name) {
                let is_state = p.states.iter().any(|s| s.0 == id.name);
                let mut args = vars.clone();
                let name = if end && is_state {
                    format!("{}.{}~end", p.name, id.name)
                } else {
                    args.push(q.clone());
                    format!("{}.{}", p.name, id.name)
                };
                *x = index_expr(name, args, x.span);
            }
        }
    });
    out
}

/// Lower every plan of the program. Returns the diagnostics of plans that cannot be
/// lowered (a choice from a set, a state without initial value).
pub fn lower_plans(program: &mut Program, plans: &[PlanInfo]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut new_items = Vec::new();
    let file = program.main.unwrap_or_default();
    for p in plans {
        let span = p.span;
        let mk = |kind: ItemKind| ProgItem {
            item: Item {
                doc: None,
                kind,
                span,
            },
            file: span.file,
            library: false,
        };
        for (s, lo, hi, init) in &p.states {
            let bounds = vec![
                Bound {
                    op: BoundOp::Ge,
                    value: lo.clone(),
                    span: lo.span,
                },
                Bound {
                    op: BoundOp::Le,
                    value: hi.clone(),
                    span: hi.span,
                },
            ];
            let ty = TypeExpr {
                base: BaseType::Int,
                unit: None,
                span,
            };
            new_items.push(mk(ItemKind::Decide(DecideDecl {
                name: ident(format!("{}.{s}", p.name), span),
                index: Some(staged_index(p, span)),
                ty: ty.clone(),
                bounds: bounds.clone(),
                loss: None,
            })));
            new_items.push(mk(ItemKind::Decide(DecideDecl {
                name: ident(format!("{}.{s}~end", p.name), span),
                index: plain_index(p),
                ty,
                bounds,
                loss: None,
            })));
            match init {
                Some(init) => {
                    let mut args = index_vars(p);
                    args.push(call_expr("first", vec![p.decl.stages.clone()], span));
                    let lhs = index_expr(format!("{}.{s}", p.name), args, span);
                    new_items.push(mk(ItemKind::Constraint(ConstraintDecl {
                        name: ident(format!("{}.{s}~init", p.name), span),
                        index: plain_index(p),
                        body: Expr {
                            kind: ExprKind::Compare(
                                Box::new(lhs),
                                vec![(CmpOp::Eq, init.span, init.clone())],
                            ),
                            span: init.span,
                        },
                    })));
                }
                None => diags.push(
                    Diagnostic::error(
                        Code::E0308,
                        format!("state `{s}` of plan `{}` needs an initial value", p.name),
                    )
                    .primary(span, "no `= ...` after the range")
                    .help(format!("write `state {s}: LO..HI = VALUE`")),
                ),
            }
            // Transition: the next state, or the same when no `next` is given.
            let next_value = p.decl.stmts.iter().find_map(|st| match &st.kind {
                PlanStmtKind::Next { name, value } if name.name == *s => Some(value.clone()),
                _ => None,
            });
            let value = next_value.unwrap_or_else(|| name_expr(s.clone(), span));
            let q = name_expr(p.decl.stage_var.name.clone(), span);
            let mut next_args = index_vars(p);
            next_args.push(call_expr("next", vec![q.clone()], span));
            let cond = Expr {
                kind: ExprKind::Compare(
                    Box::new(q.clone()),
                    vec![(
                        CmpOp::Eq,
                        span,
                        call_expr("last", vec![p.decl.stages.clone()], span),
                    )],
                ),
                span,
            };
            let lhs = Expr {
                kind: ExprKind::If(
                    Box::new(cond),
                    Box::new(index_expr(
                        format!("{}.{s}~end", p.name),
                        index_vars(p),
                        span,
                    )),
                    Box::new(index_expr(format!("{}.{s}", p.name), next_args, span)),
                ),
                span,
            };
            let rhs = subst(&value, p, false);
            new_items.push(mk(ItemKind::Constraint(ConstraintDecl {
                name: ident(format!("{}.{s}~next", p.name), span),
                index: Some(staged_index(p, span)),
                body: Expr {
                    kind: ExprKind::Compare(Box::new(lhs), vec![(CmpOp::Eq, value.span, rhs)]),
                    span: value.span,
                },
            })));
        }
        if let Some((d, dom)) = &p.choose {
            match dom {
                ChooseDomain::Range(lo, hi) => {
                    let bounds = vec![Bound { op: BoundOp::Ge, value: lo.clone(), span: lo.span }, Bound { op: BoundOp::Le, value: hi.clone(), span: hi.span }];
                    new_items.push(mk(ItemKind::Decide(DecideDecl { name: ident(format!("{}.{d}", p.name), span), index: Some(staged_index(p, span)), ty: TypeExpr { base: BaseType::Int, unit: None, span }, bounds, loss: None })));
                }
                ChooseDomain::Set(e, _) => diags.push(Diagnostic::error(Code::E0617, format!("plan `{}` chooses from a set, which only the DP backend solves", p.name)).primary(e.span, "a choice from a set").help("choose from an integer range to let the plan lower to MILP, or solve with `--backend dp`")),
            }
        }
        let mut n = 0;
        let mut cost_terms = Vec::new();
        for st in &p.decl.stmts {
            match &st.kind {
                PlanStmtKind::Require(e) => {
                    n += 1;
                    new_items.push(mk(ItemKind::Constraint(ConstraintDecl {
                        name: ident(format!("{}.require{n}", p.name), e.span),
                        index: Some(staged_index(p, st.span)),
                        body: subst(e, p, false),
                    })));
                }
                PlanStmtKind::FinalRequire(e) => {
                    n += 1;
                    new_items.push(mk(ItemKind::Constraint(ConstraintDecl {
                        name: ident(format!("{}.final{n}", p.name), e.span),
                        index: plain_index(p),
                        body: subst(e, p, true),
                    })));
                }
                PlanStmtKind::Cost(e) => {
                    let body = subst(e, p, false);
                    let agg = Expr {
                        kind: ExprKind::Agg {
                            kind: AggKind::Sum,
                            index: IndexList {
                                bindings: vec![Binding {
                                    var: Some(p.decl.stage_var.clone()),
                                    set: p.decl.stages.clone(),
                                    span: e.span,
                                }],
                                filter: None,
                                span: e.span,
                            },
                            body: Some(Box::new(body)),
                        },
                        span: e.span,
                    };
                    cost_terms.push(agg);
                }
                PlanStmtKind::FinalCost(e) => cost_terms.push(subst(e, p, true)),
                _ => {}
            }
        }
        let body = cost_terms
            .into_iter()
            .reduce(|a, b| {
                let s = a.span;
                Expr {
                    kind: ExprKind::Binary(BinOp::Add, Box::new(a), Box::new(b)),
                    span: s,
                }
            })
            .unwrap_or(Expr {
                kind: ExprKind::Number(0.0),
                span,
            });
        let params = p
            .decl
            .index
            .as_ref()
            .map(|i| {
                i.bindings
                    .iter()
                    .filter_map(|b| b.var.clone())
                    .map(|v| FnParam { name: v, ty: None })
                    .collect()
            })
            .unwrap_or_default();
        new_items.push(mk(ItemKind::Fn(FnDecl {
            name: ident(format!("{}.cost", p.name), span),
            params,
            ret: None,
            body,
        })));
    }
    // Rewrite references to plans in the user's expressions.
    let plan_names: HashMap<String, usize> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.clone(), i))
        .collect();
    for it in &mut program.items {
        visit_item_exprs(&mut it.item.kind, &mut |x| rewrite_ref(x, &plan_names));
    }
    // Without an objective, a model of plans minimises their total cost.
    let has_objective = program
        .items
        .iter()
        .any(|i| matches!(i.item.kind, ItemKind::Objective(_)));
    if !has_objective && !plans.is_empty() {
        let mut terms = Vec::new();
        for p in plans {
            let call = call_expr(format!("{}.cost", p.name), index_vars(p), p.span);
            terms.push(match &p.decl.index {
                Some(ix) => Expr {
                    kind: ExprKind::Agg {
                        kind: AggKind::Sum,
                        index: ix.clone(),
                        body: Some(Box::new(call)),
                    },
                    span: p.span,
                },
                None => call,
            });
        }
        let body = terms.into_iter().reduce(|a, b| {
            let s = a.span;
            Expr {
                kind: ExprKind::Binary(BinOp::Add, Box::new(a), Box::new(b)),
                span: s,
            }
        });
        if let Some(body) = body {
            let span = plans[0].span;
            new_items.push(ProgItem {
                item: Item {
                    doc: None,
                    kind: ItemKind::Objective(ObjectiveDecl {
                        sense: ObjectiveSense::Minimize,
                        name: Some(ident("cost", span)),
                        body,
                        then: None,
                        within: None,
                    }),
                    span,
                },
                file,
                library: false,
            });
        }
    }
    program
        .items
        .retain(|i| !matches!(i.item.kind, ItemKind::Plan(_)));
    program.items.extend(new_items);
    diags
}

fn rewrite_ref(x: &mut Expr, plans: &HashMap<String, usize>) {
    let span = x.span;
    let replacement = match &x.kind {
        ExprKind::Field(base, f) if f.name == "cost" => {
            plan_of(base, plans).map(|(name, args)| call_expr(format!("{name}.cost"), args, span))
        }
        ExprKind::Index(base, stage) => match &base.kind {
            ExprKind::Field(pb, f) => plan_of(pb, plans).map(|(name, mut args)| {
                args.extend(stage.iter().cloned());
                index_expr(format!("{name}.{}", f.name), args, span)
            }),
            _ => None,
        },
        _ => None,
    };
    if let Some(r) = replacement {
        *x = r;
    }
}

fn plan_of(e: &Expr, plans: &HashMap<String, usize>) -> Option<(String, Vec<Expr>)> {
    match &e.kind {
        ExprKind::Index(b, args) => match &b.kind {
            ExprKind::Name(id) if plans.contains_key(&id.name) => {
                Some((id.name.clone(), args.clone()))
            }
            _ => None,
        },
        ExprKind::Name(id) if plans.contains_key(&id.name) => Some((id.name.clone(), Vec::new())),
        _ => None,
    }
}
