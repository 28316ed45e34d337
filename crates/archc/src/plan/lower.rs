//! Lowering `plan` blocks to ordinary declarations for the MILP backend: each state and
//! the stage decision become indexed decisions over the plan's index plus the stage, the
//! transition and requirements become constraints, and the cost becomes a function
//! `PLAN.cost(...)` that objectives and constraints can use. References to plans in other
//! expressions (`build[r].cost`, `build[r].add[q]`) are rewritten to these.

use crate::check::plan::{ChooseDomain, PlanInfo};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::hir;
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

/// The references to a plan's variables (its states and its decision) in its statements,
/// by the span of each, as the checker resolved them: the value is the variable's name and
/// whether it is a state. A local of the same name (`sum(stock in items)`) is not among
/// them.
struct PlanVarRefs(HashMap<Span, (String, bool)>);

impl PlanVarRefs {
    fn of(plan: &hir::Decl<hir::Plan>) -> Self {
        let body = &plan.body;
        let mut vars: HashMap<hir::SlotId, bool> = HashMap::new();
        for s in &body.states {
            vars.insert(s.slot, true);
        }
        if let Some((slot, _)) = &body.choose {
            vars.insert(*slot, false);
        }
        let mut refs = HashMap::new();
        for (stmt, _) in &body.stmts {
            let e = match stmt {
                hir::PlanStmt::Next(_, e)
                | hir::PlanStmt::Require(e)
                | hir::PlanStmt::FinalRequire(e)
                | hir::PlanStmt::Cost(e)
                | hir::PlanStmt::FinalCost(e) => e,
            };
            e.walk(|x| {
                if let hir::ExprKind::Slot(slot) = &x.kind {
                    if let Some(&is_state) = vars.get(slot) {
                        refs.insert(x.span, (plan.slots[slot.index()].name.clone(), is_state));
                    }
                }
            });
        }
        PlanVarRefs(refs)
    }
}

/// Replace plan variables by the lowered decisions (`racks` → `build.racks[r, q]`).
fn subst(e: &Expr, p: &PlanInfo, refs: &PlanVarRefs, end: bool) -> Expr {
    let mut out = e.clone();
    let vars = index_vars(p);
    let q = name_expr(p.decl.stage_var.name.clone(), p.decl.stage_var.span);
    visit_expr(&mut out, &mut |x| {
        if !matches!(x.kind, ExprKind::Name(_)) {
            return;
        }
        let Some((var, is_state)) = refs.0.get(&x.span) else {
            return;
        };
        let mut args = vars.clone();
        let name = if end && *is_state {
            format!("{}.{var}~end", p.name)
        } else {
            args.push(q.clone());
            format!("{}.{var}", p.name)
        };
        *x = index_expr(name, args, x.span);
    });
    out
}

/// Lower every plan of the program. Returns the diagnostics of plans that cannot be
/// lowered (a choice from a set, a state without initial value).
pub fn lower_plans(
    program: &mut Program,
    plans: &[PlanInfo],
    hir_plans: &[hir::Decl<hir::Plan>],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if hir_plans.len() != plans.len() {
        let span = plans.first().map(|p| p.span).unwrap_or_default();
        diags.push(
            Diagnostic::error(
                Code::E0750,
                "internal error: the plans cannot be lowered to MILP (they have no HIR)",
            )
            .primary(span, "here")
            .help("this is a bug in archc; please report it with this model"),
        );
        return diags;
    }
    let mut new_items = Vec::new();
    let file = program.main.unwrap_or_default();
    for (p, hir_plan) in plans.iter().zip(hir_plans) {
        let refs = PlanVarRefs::of(hir_plan);
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
                // The checker refuses a state without a start (E0308).
                None => diags.push(crate::instantiate::hir_eval::internal(
                    span,
                    "a plan state without an initial value",
                )),
            }
            // Transition: the next state, or the same when no `next` is given.
            let next_value = p.decl.stmts.iter().find_map(|st| match &st.kind {
                PlanStmtKind::Next { name, value } if name.name == *s => Some(value.clone()),
                _ => None,
            });
            let q = name_expr(p.decl.stage_var.name.clone(), span);
            let (rhs, value_span) = match &next_value {
                Some(value) => (subst(value, p, &refs, false), value.span),
                None => {
                    let mut args = index_vars(p);
                    args.push(q.clone());
                    (index_expr(format!("{}.{s}", p.name), args, span), span)
                }
            };
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
            new_items.push(mk(ItemKind::Constraint(ConstraintDecl {
                name: ident(format!("{}.{s}~next", p.name), span),
                index: Some(staged_index(p, span)),
                body: Expr {
                    kind: ExprKind::Compare(Box::new(lhs), vec![(CmpOp::Eq, value_span, rhs)]),
                    span: value_span,
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
                        body: subst(e, p, &refs, false),
                    })));
                }
                PlanStmtKind::FinalRequire(e) => {
                    n += 1;
                    new_items.push(mk(ItemKind::Constraint(ConstraintDecl {
                        name: ident(format!("{}.final{n}", p.name), e.span),
                        index: plain_index(p),
                        body: subst(e, p, &refs, true),
                    })));
                }
                PlanStmtKind::Cost(e) => {
                    let body = subst(e, p, &refs, false);
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
                PlanStmtKind::FinalCost(e) => cost_terms.push(subst(e, p, &refs, true)),
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
