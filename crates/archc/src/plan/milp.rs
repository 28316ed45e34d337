//! Lowering `plan` blocks to MILP, from the HIR: each state becomes an integer decision per
//! stage (`build.racks[r, q]`, the state at the start of stage `q`) and one after the last
//! stage (`build.racks~end[r]`), the stage decision one per stage (`build.add[r, q]`); the
//! start, the transitions and the requirements become constraints. Where the model uses a
//! plan, its cost (`build[r].cost`) becomes the plan's cost expression over these decisions,
//! and `build[r].add[q]` the decision. A model of plans without an objective minimises their
//! total cost.
//!
//! The statements are the ones the checker typed with the states and the decision as
//! decisions ([`hir::PlanMilp`]): what it reported there (a product of two states, ...) is
//! why a plan cannot be lowered, and nothing is checked again.

use crate::check::plan::{ChooseDomain, PlanInfo};
use crate::check::{ConstraintInfo, DecisionInfo, Global, IndexDim, ObjectiveInfo, Schema, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::hir::{self, DecisionId, Expr, ExprKind, PlanStmt, Slot, SlotId};
use crate::instantiate::hir_eval::internal;
use crate::ir::VarKind;
use crate::span::Span;
use crate::syntax::ast::{self, AggKind, BinOp, BoundOp, CmpOp};
use crate::units::Unit;
use rustc_hash::FxHashMap;

/// The note on what the checker reports on a plan typed for MILP.
const NOT_LINEAR: &str =
    "while lowering plans to MILP: a plan cost or transition that is not linear needs the DP backend";

/// The model with its plans lowered: the schema and HIR without plans, with their decisions,
/// constraints and (when it had none) objective added after the model's own. When a plan
/// cannot be lowered, the schema as it was and the diagnostics that say why.
pub fn lower_plans(
    schema: Schema,
    hir: &hir::Model,
) -> (Schema, Result<hir::Model, Vec<Diagnostic>>) {
    match refusals(&schema, hir) {
        Some(diags) => (schema, Err(diags)),
        None => {
            let mut plans = schema.plans;
            let mut out = Lowering {
                schema: Schema {
                    plans: Vec::new(),
                    ..schema
                },
                hir: hir.clone(),
                plans: Vec::new(),
            };
            let lowered = out.lower(&plans, hir);
            let Lowering {
                mut schema, hir, ..
            } = out;
            match lowered {
                Ok(()) => (schema, Ok(hir)),
                Err(d) => {
                    schema.plans = std::mem::take(&mut plans);
                    (schema, Err(vec![d]))
                }
            }
        }
    }
}

/// Why the plans of the model cannot be lowered, if they cannot.
fn refusals(schema: &Schema, hir: &hir::Model) -> Option<Vec<Diagnostic>> {
    if hir.plans.len() != schema.plans.len() {
        let span = schema.plans.first().map(|p| p.span).unwrap_or_default();
        return Some(vec![internal(span, "plans without their HIR")]);
    }
    let set_choices: Vec<Diagnostic> = schema
        .plans
        .iter()
        .filter_map(|p| match &p.choose {
            Some((_, ChooseDomain::Set(e, _))) => Some(
                Diagnostic::error(
                    Code::E0617,
                    format!(
                        "plan `{}` chooses from a set, which only the DP backend solves",
                        p.name
                    ),
                )
                .primary(e.span, "a choice from a set")
                .help(
                    "choose from an integer range to let the plan lower to MILP, or solve with \
                     `--backend dp`",
                ),
            ),
            _ => None,
        })
        .collect();
    if !set_choices.is_empty() {
        return Some(set_choices);
    }
    let refused: Vec<Diagnostic> = hir
        .plans
        .iter()
        .flat_map(|p| p.body.milp.errors.iter())
        .filter(|d| d.is_error())
        .map(|d| d.clone().note(NOT_LINEAR))
        .collect();
    (!refused.is_empty()).then_some(refused)
}

/// What the model's expressions need of one lowered plan.
struct PlanCols {
    /// The plan's slot table, and its index over it.
    slots: Vec<Slot>,
    index: hir::Index,
    /// The decision of each state and of the stage decision, by name.
    series: FxHashMap<String, DecisionId>,
    /// The plan's cost over `slots`.
    cost: Expr,
}

struct Lowering {
    schema: Schema,
    hir: hir::Model,
    plans: Vec<PlanCols>,
}

/// A slot of `slots` as an expression.
fn slot_expr(slots: &[Slot], s: SlotId) -> Expr {
    let slot = &slots[s.index()];
    Expr {
        kind: ExprKind::Slot(s),
        ty: slot.ty,
        var: false,
        span: slot.span,
    }
}

fn node(kind: ExprKind, ty: Ty, var: bool, span: Span) -> Expr {
    Expr {
        kind,
        ty,
        var,
        span,
    }
}

/// Renumber every slot of `e` by `by` (its slot table appended to another at `by`).
fn shift_slots(e: &mut Expr, by: u32) {
    e.walk_mut(|x| match &mut x.kind {
        ExprKind::Slot(s) => s.0 += by,
        ExprKind::Agg { index, .. } | ExprKind::SetCompr(index) => {
            for b in &mut index.binders {
                b.slot.0 += by;
            }
        }
        ExprKind::Inline { params, .. } => {
            for p in params {
                p.0 += by;
            }
        }
        _ => {}
    });
}

fn shift_index(ix: &mut hir::Index, by: u32) {
    for b in &mut ix.binders {
        b.slot.0 += by;
        shift_slots(&mut b.set, by);
    }
    if let Some(f) = &mut ix.filter {
        shift_slots(f, by);
    }
}

fn ident(name: String, span: Span) -> ast::Ident {
    ast::Ident { name, span }
}

/// The plan's index list as written, with the stage binding after it when `staged`.
fn ast_index(p: &PlanInfo, staged: bool) -> Option<ast::IndexList> {
    if !staged {
        return p.decl.index.clone();
    }
    let mut bindings = p
        .decl
        .index
        .as_ref()
        .map(|i| i.bindings.clone())
        .unwrap_or_default();
    bindings.push(ast::Binding {
        var: Some(p.decl.stage_var.clone()),
        set: p.decl.stages.clone(),
        span: p.decl.stage_var.span,
    });
    Some(ast::IndexList {
        bindings,
        filter: p.decl.index.as_ref().and_then(|i| i.filter.clone()),
        span: p.span,
    })
}

impl Lowering {
    /// Lower `plans` (with their HIR) into the schema and HIR.
    fn lower(&mut self, plans: &[PlanInfo], hir: &hir::Model) -> Result<(), Diagnostic> {
        self.hir.plans.clear();
        self.schema
            .globals
            .retain(|_, g| !matches!(g, Global::Plan(_)));
        for (p, h) in plans.iter().zip(&hir.plans) {
            let cols = self.plan(p, h)?;
            self.plans.push(cols);
        }
        self.use_plans()?;
        if self.schema.objectives.is_empty() && !plans.is_empty() {
            self.total_cost(plans);
        }
        Ok(())
    }

    /// Lower one plan: its decisions and constraints, and what uses of it need.
    fn plan(&mut self, p: &PlanInfo, h: &hir::Decl<hir::Plan>) -> Result<PlanCols, Diagnostic> {
        let body = &h.body;
        let slots = &h.slots;
        let span = p.span;
        let idx = body.index.slots();
        let stage = body.stage.slot;
        let stage_ty = slots[stage.index()].ty;
        let mut staged = body.index.clone();
        staged.binders.push(body.stage.clone());
        staged.span = span;
        let plain_dims = p.dims.clone();
        let mut staged_dims = p.dims.clone();
        staged_dims.push(IndexDim {
            var: p.decl.stage_var.name.clone(),
            elem: p.stage_elem,
            set: p.decl.stages.clone(),
        });
        let args = |with_stage: Option<Expr>| -> Vec<Expr> {
            let mut a: Vec<Expr> = idx.iter().map(|&s| slot_expr(slots, s)).collect();
            a.extend(with_stage);
            a
        };
        let at_stage = || Some(slot_expr(slots, stage));
        let first_last = |b: hir::Builtin| {
            node(
                ExprKind::Builtin(b, vec![body.stage.set.clone()]),
                stage_ty,
                false,
                span,
            )
        };
        // The decision and (for a state) the one after the last stage of each variable.
        let mut vars: FxHashMap<SlotId, (DecisionId, Option<DecisionId>)> = FxHashMap::default();
        let mut series = FxHashMap::default();
        // An integer decision over `index`, between `lo` and `hi`.
        let ranged = |index: &hir::Index, lo: &Expr, hi: &Expr| hir::Decl {
            slots: slots.clone(),
            body: hir::Decision {
                index: index.clone(),
                bounds: vec![(BoundOp::Ge, lo.clone()), (BoundOp::Le, hi.clone())],
            },
        };
        for (k, s) in body.states.iter().enumerate() {
            let name = &p.states[k].0;
            let written = (&p.states[k].1, &p.states[k].2);
            let at = self.decision(
                p,
                format!("{}.{name}", p.name),
                (true, &staged_dims),
                written,
                ranged(&staged, &s.lo, &s.hi),
            );
            let end = self.decision(
                p,
                format!("{}.{name}~end", p.name),
                (false, &plain_dims),
                written,
                ranged(&body.index, &s.lo, &s.hi),
            );
            vars.insert(s.slot, (at, Some(end)));
            series.insert(name.clone(), at);
        }
        if let (
            Some((slot, hir::ChooseDomain::Range(lo, hi))),
            Some((name, ChooseDomain::Range(alo, ahi))),
        ) = (&body.choose, &p.choose)
        {
            let d = self.decision(
                p,
                format!("{}.{name}", p.name),
                (true, &staged_dims),
                (alo, ahi),
                ranged(&staged, lo, hi),
            );
            vars.insert(*slot, (d, None));
            series.insert(name.clone(), d);
        }
        // A plan variable read in a statement: its decision at the stage, or after the last
        // stage (`end`, in final statements).
        let subst = |e: &Expr, end: bool| -> Expr {
            let mut out = e.clone();
            out.walk_mut(|x| {
                let ExprKind::Slot(s) = x.kind else {
                    return;
                };
                let Some(&(at, after)) = vars.get(&s) else {
                    return;
                };
                x.kind = match after {
                    Some(after) if end => ExprKind::Decision(after, args(None)),
                    _ => ExprKind::Decision(at, args(at_stage())),
                };
                x.var = true;
            });
            out
        };
        let stmts = &body.milp.stmts;
        // The statements as written, in the same order, for the constraints' declarations.
        let written: Vec<&ast::Expr> = p
            .decl
            .stmts
            .iter()
            .filter_map(|s| match &s.kind {
                ast::PlanStmtKind::Next { value: e, .. }
                | ast::PlanStmtKind::Require(e)
                | ast::PlanStmtKind::FinalRequire(e)
                | ast::PlanStmtKind::Cost(e)
                | ast::PlanStmtKind::FinalCost(e) => Some(e),
                ast::PlanStmtKind::State { .. } | ast::PlanStmtKind::Choose { .. } => None,
            })
            .collect();
        if written.len() != stmts.len() {
            return Err(internal(span, "plan statements typed for MILP out of step"));
        }
        for (k, s) in body.states.iter().enumerate() {
            let name = &p.states[k].0;
            let (at, end) = vars[&s.slot];
            let (Some(init), Some(init_ast)) = (&s.init, &p.states[k].3) else {
                // The checker refuses a state without a start (E0308).
                return Err(internal(span, "a plan state without an initial value"));
            };
            let first = node(
                ExprKind::Decision(at, args(Some(first_last(hir::Builtin::First)))),
                Ty::count(),
                true,
                span,
            );
            let init_body = node(
                ExprKind::Compare(Box::new(first), vec![(CmpOp::Eq, init.span, init.clone())]),
                Ty::Bool,
                true,
                init.span,
            );
            self.constraint(
                p,
                format!("{}.{name}~init", p.name),
                span,
                &plain_dims,
                (false, init_ast),
                hir::Decl {
                    slots: slots.clone(),
                    body: hir::Constraint {
                        index: body.index.clone(),
                        body: init_body,
                    },
                },
            );
            // The transition: the state at the next stage (after the last one at the end) is
            // the `next` value, or the same when none is given.
            let next = stmts
                .iter()
                .zip(&written)
                .find_map(|((st, _), w)| match st {
                    PlanStmt::Next(slot, e) if *slot == s.slot => Some((e, *w)),
                    _ => None,
                });
            let (value, value_span) = match next {
                Some((e, _)) => (subst(e, false), e.span),
                None => (
                    node(
                        ExprKind::Decision(at, args(at_stage())),
                        Ty::count(),
                        true,
                        span,
                    ),
                    span,
                ),
            };
            let is_last = node(
                ExprKind::Compare(
                    Box::new(slot_expr(slots, stage)),
                    vec![(CmpOp::Eq, span, first_last(hir::Builtin::Last))],
                ),
                Ty::Bool,
                false,
                span,
            );
            let after = node(
                ExprKind::Decision(end.unwrap_or(at), args(None)),
                Ty::count(),
                true,
                span,
            );
            let next_stage = node(
                ExprKind::Builtin(hir::Builtin::Next, vec![slot_expr(slots, stage)]),
                stage_ty,
                false,
                span,
            );
            let following = node(
                ExprKind::Decision(at, args(Some(next_stage))),
                Ty::count(),
                true,
                span,
            );
            let lhs = node(
                ExprKind::If(vec![(is_last, after)], Box::new(following)),
                Ty::count(),
                true,
                span,
            );
            let next_body = node(
                ExprKind::Compare(Box::new(lhs), vec![(CmpOp::Eq, value_span, value)]),
                Ty::Bool,
                true,
                value_span,
            );
            let next_ast = next.map(|(_, w)| w);
            self.constraint(
                p,
                format!("{}.{name}~next", p.name),
                span,
                &staged_dims,
                (true, next_ast.unwrap_or(init_ast)),
                hir::Decl {
                    slots: slots.clone(),
                    body: hir::Constraint {
                        index: staged.clone(),
                        body: next_body,
                    },
                },
            );
        }
        let mut n = 0;
        let mut cost_terms = Vec::new();
        for ((st, _), w) in stmts.iter().zip(&written) {
            match st {
                PlanStmt::Require(e) | PlanStmt::FinalRequire(e) => {
                    n += 1;
                    let last = matches!(st, PlanStmt::FinalRequire(_));
                    let (label, index, dims) = match last {
                        false => ("require", &staged, &staged_dims),
                        true => ("final", &body.index, &plain_dims),
                    };
                    self.constraint(
                        p,
                        format!("{}.{label}{n}", p.name),
                        e.span,
                        dims,
                        (!last, w),
                        hir::Decl {
                            slots: slots.clone(),
                            body: hir::Constraint {
                                index: index.clone(),
                                body: subst(e, last),
                            },
                        },
                    );
                }
                PlanStmt::Cost(e) => {
                    let each = subst(e, false);
                    cost_terms.push(node(
                        ExprKind::Agg {
                            kind: AggKind::Sum,
                            level: None,
                            index: Box::new(hir::Index {
                                binders: vec![body.stage.clone()],
                                filter: None,
                                span: e.span,
                            }),
                            body: Some(Box::new(each)),
                        },
                        e.ty,
                        true,
                        e.span,
                    ));
                }
                PlanStmt::FinalCost(e) => cost_terms.push(subst(e, true)),
                PlanStmt::Next(..) => {}
            }
        }
        let mut terms = cost_terms.into_iter();
        let cost = match terms.next() {
            None => node(
                ExprKind::Number(0.0),
                Ty::num(Unit::dimensionless()),
                false,
                span,
            ),
            Some(first) => {
                let rest: Vec<(BinOp, Expr)> = terms.map(|t| (BinOp::Add, t)).collect();
                if rest.is_empty() {
                    first
                } else {
                    let (ty, s) = (first.ty, first.span);
                    node(ExprKind::Chain(Box::new(first), rest), ty, true, s)
                }
            }
        };
        Ok(PlanCols {
            slots: slots.clone(),
            index: body.index.clone(),
            series,
            cost,
        })
    }

    /// Add a plan's integer decision: to the schema (declared over the plan's index and,
    /// when `staged`, the stage, with its range as written) and its HIR `h`.
    fn decision(
        &mut self,
        p: &PlanInfo,
        name: String,
        (staged, dims): (bool, &[IndexDim]),
        (lo, hi): (&ast::Expr, &ast::Expr),
        h: hir::Decl<hir::Decision>,
    ) -> DecisionId {
        let id = self.schema.decisions.len();
        let bound = |op, value: &ast::Expr| ast::Bound {
            op,
            value: value.clone(),
            span: value.span,
        };
        let decl = ast::DecideDecl {
            name: ident(name.clone(), p.span),
            index: ast_index(p, staged),
            ty: ast::TypeExpr {
                base: ast::BaseType::Int,
                unit: None,
                span: p.span,
            },
            bounds: vec![bound(BoundOp::Ge, lo), bound(BoundOp::Le, hi)],
            loss: None,
        };
        self.schema
            .globals
            .insert(name.clone(), Global::Decision(id));
        self.schema.decisions.push(DecisionInfo {
            name,
            span: p.span,
            decl,
            dims: dims.to_vec(),
            var_kind: VarKind::Integer,
            unit: Unit::dimensionless(),
            unit_text: String::new(),
            symbol: p.symbol,
        });
        self.hir.decisions.push(h);
        DecisionId(id as u32)
    }

    /// Add a plan's constraint: to the schema (declared as the statement it comes from,
    /// `written`, over the plan's index and, when `staged`, the stage) and its HIR.
    fn constraint(
        &mut self,
        p: &PlanInfo,
        name: String,
        span: Span,
        dims: &[IndexDim],
        (staged, written): (bool, &ast::Expr),
        h: hir::Decl<hir::Constraint>,
    ) {
        let id = self.schema.constraints.len();
        self.schema
            .globals
            .insert(name.clone(), Global::Constraint(id));
        self.schema.constraints.push(ConstraintInfo {
            name: name.clone(),
            span,
            decl: ast::ConstraintDecl {
                name: ident(name, span),
                index: ast_index(p, staged),
                body: written.clone(),
            },
            dims: dims.to_vec(),
            symbol: p.symbol,
        });
        self.hir.constraints.push(h);
    }

    /// Replace the uses of plans in the model's expressions: a plan's cost by its cost
    /// expression (its slots appended to the declaration's, its index slots bound to the
    /// use's arguments), a state or decision at a stage by its decision.
    fn use_plans(&mut self) -> Result<(), Diagnostic> {
        let plans = &self.plans;
        let mut failed = None;
        let mut rewrite = |slots: &mut Vec<Slot>, e: &mut Expr| {
            e.walk_mut(|x| match &mut x.kind {
                ExprKind::PlanCost(p, args) => {
                    let Some(c) = plans.get(p.index()) else {
                        failed = Some(internal(x.span, "the cost of an unknown plan"));
                        return;
                    };
                    let by = slots.len() as u32;
                    slots.extend(c.slots.iter().cloned());
                    let mut body = c.cost.clone();
                    shift_slots(&mut body, by);
                    x.kind = ExprKind::Inline {
                        func: None,
                        params: c.index.slots().iter().map(|s| SlotId(s.0 + by)).collect(),
                        args: std::mem::take(args),
                        body: Box::new(body),
                    };
                }
                ExprKind::PlanSeries {
                    plan,
                    args,
                    var,
                    stage,
                } => {
                    let Some(&d) = plans
                        .get(plan.index())
                        .and_then(|c| c.series.get(var.as_str()))
                    else {
                        failed = Some(internal(x.span, "a series of an unknown plan variable"));
                        return;
                    };
                    let mut args = std::mem::take(args);
                    let stage = std::mem::replace(
                        &mut **stage,
                        node(ExprKind::Bool(false), Ty::Bool, false, x.span),
                    );
                    args.push(stage);
                    x.kind = ExprKind::Decision(d, args);
                }
                _ => {}
            });
        };
        let h = &mut self.hir;
        for d in &mut h.constraints {
            rewrite(&mut d.slots, &mut d.body.body);
        }
        for d in &mut h.objectives {
            rewrite(&mut d.slots, &mut d.body.body);
            if let Some(w) = &mut d.body.within {
                rewrite(&mut d.slots, w);
            }
        }
        for d in &mut h.tests {
            for (x, _) in &mut d.body.expects {
                match x {
                    hir::Expect::Binding(_, args) => {
                        for a in args {
                            rewrite(&mut d.slots, a);
                        }
                    }
                    hir::Expect::Objective(bounds) => {
                        for (_, b) in bounds {
                            rewrite(&mut d.slots, b);
                        }
                    }
                    hir::Expect::Holds(e) => rewrite(&mut d.slots, e),
                    hir::Expect::Feasible | hir::Expect::Infeasible => {}
                }
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// The objective of a model of plans without one: minimise the plans' total cost (each
    /// plan's summed over its index).
    fn total_cost(&mut self, plans: &[PlanInfo]) {
        let span = plans[0].span;
        let mut slots = Vec::new();
        let mut terms = Vec::new();
        // Each plan's term is at the plan (as the objective's terms are labelled).
        for (c, p) in self.plans.iter().zip(plans) {
            let by = slots.len() as u32;
            slots.extend(c.slots.iter().cloned());
            let mut cost = c.cost.clone();
            shift_slots(&mut cost, by);
            terms.push(if c.index.binders.is_empty() {
                // One term, as an indexed plan's sum is.
                let ty = cost.ty;
                node(
                    ExprKind::Inline {
                        func: None,
                        params: Vec::new(),
                        args: Vec::new(),
                        body: Box::new(cost),
                    },
                    ty,
                    true,
                    p.span,
                )
            } else {
                let mut index = c.index.clone();
                shift_index(&mut index, by);
                let (ty, s) = (cost.ty, p.span);
                node(
                    ExprKind::Agg {
                        kind: AggKind::Sum,
                        level: None,
                        index: Box::new(index),
                        body: Some(Box::new(cost)),
                    },
                    ty,
                    true,
                    s,
                )
            });
        }
        let mut terms = terms.into_iter();
        let Some(first) = terms.next() else {
            return;
        };
        let rest: Vec<(BinOp, Expr)> = terms.map(|t| (BinOp::Add, t)).collect();
        let body = if rest.is_empty() {
            first
        } else {
            let (ty, s) = (first.ty, first.span);
            node(ExprKind::Chain(Box::new(first), rest), ty, true, s)
        };
        let unit = match body.ty {
            Ty::Num { unit, .. } => self.schema.units.display_unit(unit),
            _ => Unit::dimensionless(),
        };
        let name = "cost".to_string();
        let id = self.schema.objectives.len();
        self.schema
            .globals
            .insert(name.clone(), Global::Objective(id));
        self.schema.objectives.push(ObjectiveInfo {
            name: name.clone(),
            span,
            decl: ast::ObjectiveDecl {
                sense: ast::ObjectiveSense::Minimize,
                name: Some(ident(name, span)),
                // A stand-in: the sum of the plans' costs is in the HIR.
                body: ast::Expr {
                    kind: ast::ExprKind::Name(ident(plans[0].name.clone(), span)),
                    span,
                },
                then: None,
                within: None,
            },
            unit,
            unit_text: self.schema.units.format(&unit),
            relative_tolerance: false,
        });
        self.hir.objectives.push(hir::Decl {
            slots,
            body: hir::Objective {
                sense: ast::ObjectiveSense::Minimize,
                body,
                then: false,
                within: None,
            },
        });
    }
}
