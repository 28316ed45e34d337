//! Lowering a checked model to HIR, declaration by declaration, in the checker's scopes.
//!
//! The driver runs it on the checker right after [`crate::check::check_program`], and only
//! when the checks found no error. Each expression node's type is the one the checker infers for it
//! ([`Checker::expr`] in the same scope), so the HIR and the checker never disagree; names
//! resolve by the checker's rules (locals, then globals, symbols, entities). What the
//! checker added while typing again (symbols, references, diagnostics) is dropped. A shape
//! the checker should have refused is an [`Internal`] error, reported as E0750.

use super::expr::{Binder, Index, Slot};
use super::{
    AttrId, AttrValue, ChooseDomain, ConstraintId, Decision, Decl, Expect, Model, Objective, Param,
    ParamValue, Partition, Plan, PlanMilp, PlanState, PlanStmt, SetValue, SlotId, Test,
};
use crate::check::{Checker, ElemTy, Global, Local, SetDef, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{self, ExprKind, PlanStmtKind};

/// A shape that a checked model cannot have: a bug in the checker or in lowering.
#[derive(Debug)]
pub(crate) struct Internal {
    pub span: Span,
    pub what: String,
}

pub(crate) type R<T> = Result<T, Internal>;

pub(crate) fn internal<T>(span: Span, what: impl Into<String>) -> R<T> {
    Err(Internal {
        span,
        what: what.into(),
    })
}

/// The lowering state: the checker (for types and scopes) and the slot table of the
/// declaration being lowered. `scope[i]` is the slot of `checker.locals[i]`.
pub(crate) struct Lowerer<'c> {
    pub c: &'c mut Checker,
    pub slots: Vec<Slot>,
    pub scope: Vec<SlotId>,
}

/// Lower every declaration of a checked model with no errors. On failure, the E0750
/// diagnostic to report.
pub(crate) fn lower_model(c: &mut Checker) -> Result<Model, Diagnostic> {
    let (symbols, refs, diags) = (c.symbols.len(), c.refs.len(), c.diags.len());
    let (expansions, limit_hit) = (c.fn_expansions, c.fn_limit_hit);
    c.fn_expansions = 0;
    c.fn_limit_hit = false;
    let locals = std::mem::take(&mut c.locals);
    let mut l = Lowerer {
        c,
        slots: Vec::new(),
        scope: Vec::new(),
    };
    let out = l.model();
    let new_error = crate::diagnostics::has_errors(&l.c.diags[diags..]);
    let c = l.c;
    c.symbols.truncate(symbols);
    c.refs.truncate(refs);
    c.diags.truncate(diags);
    c.fn_expansions = expansions;
    c.fn_limit_hit = limit_hit;
    c.locals = locals;
    let out = match (out, new_error) {
        (Ok(_), true) => Err(Internal {
            span: Span::default(),
            what: "typing a declaration again reported an error".into(),
        }),
        (out, _) => out,
    };
    out.map_err(|e| {
        Diagnostic::error(
            Code::E0750,
            format!(
                "internal error: the checked model cannot be lowered ({})",
                e.what
            ),
        )
        .primary(e.span, "here")
        .help("this is a bug in archc; please report it with this model")
    })
}

impl Lowerer<'_> {
    fn model(&mut self) -> R<Model> {
        let mut m = Model {
            partition: self.c.schema.partition.as_ref().map(|p| Partition {
                set: p.set.into(),
                parts: p.parts,
                span: p.span,
            }),
            ..Model::default()
        };
        for i in 0..self.c.schema.sets.len() {
            let def = self.c.schema.sets[i].def.clone();
            let body = match def {
                SetDef::Kind(k) => SetValue::Kind(k.into()),
                SetDef::Symbols(ids) => {
                    SetValue::Symbols(ids.into_iter().map(|i| i.name).collect())
                }
                SetDef::Expr(e) => SetValue::Expr(self.root(|l| l.expr(&e))?),
                SetDef::Scenarios(def) => {
                    SetValue::Scenarios(Box::new(def.try_map(&mut |e| self.root(|l| l.expr(e)))?))
                }
            };
            m.sets.push(self.finish(body));
        }
        for k in 0..self.c.schema.kinds.len() {
            for a in 0..self.c.schema.kinds[k].attrs.len() {
                if let Some(def) = self.c.schema.kinds[k].attrs[a].default.clone() {
                    let value = self.root(|l| l.expr(&def))?;
                    m.attrs.push(self.finish(AttrValue {
                        kind: k.into(),
                        attr: a.into(),
                        entity: None,
                        value,
                    }));
                }
            }
        }
        for i in 0..self.c.schema.entities.len() {
            let e = self.c.schema.entities[i].clone();
            for init in &e.decl.attrs {
                let kind = &self.c.schema.kinds[e.kind];
                let Some(&a) = kind.attr_index.get(&init.name.name) else {
                    return internal(init.name.span, "an unknown attribute");
                };
                let value = self.root(|l| l.expr(&init.value))?;
                m.attrs.push(self.finish(AttrValue {
                    kind: e.kind.into(),
                    attr: AttrId(a as u32),
                    entity: Some(i),
                    value,
                }));
            }
        }
        for i in 0..self.c.schema.params.len() {
            let p = self.param(i)?;
            m.params.push(self.finish(p));
        }
        for i in 0..self.c.schema.decisions.len() {
            let d = self.c.schema.decisions[i].decl.clone();
            let index = self.index(d.index.as_ref())?;
            let mut bounds = Vec::new();
            for b in &d.bounds {
                bounds.push((b.op, self.expr(&b.value)?));
            }
            self.pop_to(0);
            m.decisions.push(self.finish(Decision { index, bounds }));
        }
        for i in 0..self.c.schema.constraints.len() {
            let d = self.c.schema.constraints[i].decl.clone();
            let index = self.index(d.index.as_ref())?;
            let body = self.expr(&d.body)?;
            self.pop_to(0);
            m.constraints
                .push(self.finish(super::Constraint { index, body }));
        }
        for i in 0..self.c.schema.objectives.len() {
            let o = self.c.schema.objectives[i].clone();
            let body = self.expr(&o.decl.body)?;
            let within = o.decl.within.as_ref().map(|w| self.expr(w)).transpose()?;
            m.objectives.push(self.finish(Objective {
                sense: o.decl.sense,
                body,
                then: o.decl.then.is_some(),
                within,
            }));
        }
        for t in self.c.schema.tests.clone() {
            let t = self.test(&t)?;
            m.tests.push(self.finish(t));
        }
        for i in 0..self.c.schema.plans.len() {
            let p = self.plan(i)?;
            m.plans.push(self.finish(p));
        }
        Ok(m)
    }

    /// Lower one root expression outside any index.
    fn root<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        self.pop_to(0);
        f(self)
    }

    /// The declaration lowered so far with its slot table; the next starts afresh.
    fn finish<T>(&mut self, body: T) -> Decl<T> {
        self.pop_to(0);
        Decl {
            slots: std::mem::take(&mut self.slots),
            body,
        }
    }

    /// Bind a local in the checker's scope and give it a slot.
    pub(crate) fn push_local(&mut self, name: &str, ty: Ty, var: bool, span: Span) -> SlotId {
        self.c.locals.push(Local {
            name: name.to_string(),
            ty,
            symbol: None,
            var,
        });
        let id = SlotId(self.slots.len() as u32);
        self.slots.push(Slot {
            name: name.to_string(),
            ty,
            span,
        });
        self.scope.push(id);
        id
    }

    /// Drop the locals bound after the first `depth`.
    pub(crate) fn pop_to(&mut self, depth: usize) {
        self.c.locals.truncate(depth);
        self.scope.truncate(depth);
    }

    /// Bind an index list: each binding's set is lowered in the scope of the bindings
    /// before it (as the checker types it), then the filter in the scope of all.
    pub(crate) fn index(&mut self, ix: Option<&ast::IndexList>) -> R<Index> {
        let Some(ix) = ix else {
            return Ok(Index::default());
        };
        let mut binders = Vec::with_capacity(ix.bindings.len());
        for b in &ix.bindings {
            let set = self.expr(&b.set)?;
            let elem = match set.ty {
                Ty::Set(el) => el,
                _ => ElemTy::Any,
            };
            let (name, span) = match &b.var {
                Some(v) => (v.name.as_str(), v.span),
                None => ("", b.span),
            };
            let slot = self.push_local(name, Ty::Elem(elem), false, span);
            binders.push(Binder { slot, set });
        }
        let filter = ix.filter.as_deref().map(|f| self.expr(f)).transpose()?;
        Ok(Index {
            binders,
            filter,
            span: ix.span,
        })
    }

    /// The history param a `forecast(...)` or `aggregate(...)` call names (the checker
    /// refused a call without one, E0330–E0332).
    fn history(&self, name: Option<ast::Ident>, span: Span) -> R<super::ParamId> {
        match name.and_then(|n| self.c.schema.globals.get(&n.name).copied()) {
            Some(Global::Param(h)) => Ok(h.into()),
            _ => internal(span, "a forecast or aggregate whose history is not a param"),
        }
    }

    /// The indices given to a history (all but its last), in the param's scope.
    fn history_keys(&mut self, keys: Vec<ast::Expr>) -> R<Vec<super::Expr>> {
        keys.iter().map(|k| self.expr(k)).collect()
    }

    fn param(&mut self, i: usize) -> R<Param> {
        let p = self.c.schema.params[i].clone();
        let index = self.index(p.decl.index.as_ref())?;
        let value = match &p.decl.value {
            Some(ast::ParamValue::Expr(e)) if crate::forecast::is_call(e) => {
                let call = crate::forecast::parse_call(e).and_then(Result::ok);
                let path = match call.as_ref().map(|c| &c.stat) {
                    Some(crate::forecast::Stat::Path(pe)) => Some(self.expr(pe)?),
                    _ => None,
                };
                let (name, keys) = call.map(|c| (c.history, c.keys)).unzip();
                let history = self.history(name, e.span)?;
                ParamValue::Forecast {
                    history,
                    keys: self.history_keys(keys.unwrap_or_default())?,
                    path,
                }
            }
            Some(ast::ParamValue::Expr(e)) if crate::forecast::aggregate::is_call(e) => {
                let call = crate::forecast::aggregate::parse_call(e).and_then(Result::ok);
                let (name, keys) = call.map(|c| (c.history, c.keys)).unzip();
                let history = self.history(name, e.span)?;
                ParamValue::Aggregate {
                    history,
                    keys: self.history_keys(keys.unwrap_or_default())?,
                }
            }
            Some(ast::ParamValue::Expr(e)) => match &e.kind {
                ExprKind::Map(entries) => {
                    let mut rows = Vec::with_capacity(entries.len());
                    for (keys, v) in entries {
                        let mut ks = Vec::with_capacity(keys.len());
                        for (k, d) in keys.iter().zip(&p.dims) {
                            ks.push(self.key(k, d.elem)?);
                        }
                        rows.push((ks, self.expr(v)?));
                    }
                    ParamValue::Table(rows)
                }
                _ => ParamValue::Expr(self.expr(e)?),
            },
            Some(ast::ParamValue::From(_)) | None => ParamValue::Data,
        };
        self.pop_to(0);
        Ok(Param { index, value })
    }

    /// A key of a param table: a symbol or an entity by name (as the checker reads it),
    /// else any expression.
    fn key(&mut self, k: &ast::Expr, elem: ElemTy) -> R<super::Expr> {
        let ExprKind::Name(n) = &k.kind else {
            return self.expr(k);
        };
        let (kind, ty) = if let Some(&set) = self.c.schema.symbol_elems.get(&n.name) {
            (
                super::ExprKind::Symbol(set.into(), n.name.clone()),
                Ty::Elem(ElemTy::Symbol(set)),
            )
        } else {
            let kind = match elem {
                ElemTy::Kind(kid) => Some(kid.into()),
                _ => None,
            };
            (
                super::ExprKind::Entity(n.name.clone(), kind),
                Ty::Elem(elem),
            )
        };
        Ok(super::Expr {
            kind,
            ty,
            var: false,
            span: k.span,
        })
    }

    fn test(&mut self, t: &ast::TestDecl) -> R<Test> {
        let mut expects = Vec::with_capacity(t.expects.len());
        for e in &t.expects {
            let x = match &e.kind {
                ast::ExpectKind::Feasible => Expect::Feasible,
                ast::ExpectKind::Infeasible => Expect::Infeasible,
                ast::ExpectKind::Binding(x) => {
                    let (name, args) = match &x.kind {
                        ExprKind::Index(b, args) => match &b.kind {
                            ExprKind::Name(n) => (n, args.as_slice()),
                            _ => return internal(x.span, "a binding target"),
                        },
                        ExprKind::Name(n) => (n, &[][..]),
                        _ => return internal(x.span, "a binding target"),
                    };
                    let Some(Global::Constraint(c)) =
                        self.c.schema.globals.get(&name.name).copied()
                    else {
                        return internal(name.span, "a binding target that is no constraint");
                    };
                    let args = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
                    Expect::Binding(ConstraintId(c as u32), args)
                }
                ast::ExpectKind::Objective(bounds) => {
                    let mut v = Vec::with_capacity(bounds.len());
                    for (op, b) in bounds {
                        v.push((*op, self.expr(b)?));
                    }
                    Expect::Objective(v)
                }
                ast::ExpectKind::Holds(x) => Expect::Holds(self.expr(x)?),
            };
            expects.push((x, e.span));
        }
        Ok(Test {
            name: t.name.as_ref().map(|n| n.name.clone()),
            expects,
        })
    }

    /// A plan, in the checker's order: the index, the stage variable, the states and the
    /// decision (each state's range and start before it is bound), then the statements.
    fn plan(&mut self, i: usize) -> R<Plan> {
        let p = self.c.schema.plans[i].clone();
        let d = &p.decl;
        let index = self.index(d.index.as_ref())?;
        let stages = self.expr(&d.stages)?;
        let stage_slot = self.push_local(
            &d.stage_var.name,
            Ty::Elem(p.stage_elem),
            false,
            d.stage_var.span,
        );
        let mut states = Vec::new();
        let mut choose = None;
        // The checker's locals of the states and the decision.
        let mut plan_vars = Vec::new();
        for s in &d.stmts {
            match &s.kind {
                PlanStmtKind::State { name, range, init } => {
                    let ExprKind::Range(a, b) = &range.kind else {
                        return internal(range.span, "a state range that is no range");
                    };
                    let (lo, hi) = (self.expr(a)?, self.expr(b)?);
                    let init = init.as_ref().map(|e| self.expr(e)).transpose()?;
                    let slot = self.push_local(&name.name, Ty::count(), false, s.span);
                    plan_vars.push(self.c.locals.len() - 1);
                    states.push(PlanState { slot, lo, hi, init });
                }
                PlanStmtKind::Choose { name, domain } => {
                    let (ty, dom) = match &domain.kind {
                        ExprKind::Range(a, b) => (
                            Ty::count(),
                            ChooseDomain::Range(self.expr(a)?, self.expr(b)?),
                        ),
                        _ => {
                            let set = self.expr(domain)?;
                            let el = match set.ty {
                                Ty::Set(el) => el,
                                _ => ElemTy::Any,
                            };
                            (Ty::Elem(el), ChooseDomain::Set(set))
                        }
                    };
                    let slot = self.push_local(&name.name, ty, false, s.span);
                    plan_vars.push(self.c.locals.len() - 1);
                    choose = Some((slot, dom));
                }
                _ => {}
            }
        }
        let stmts = self.plan_stmts(&d.stmts)?;
        // Again with the states and the decision as decisions, keeping what the checker
        // reports apart (it is not an error of the model).
        for &k in &plan_vars {
            self.c.locals[k].var = true;
        }
        let reported = self.c.diags.len();
        let typed = self.plan_stmts(&d.stmts);
        let errors = self.c.diags.split_off(reported);
        for &k in &plan_vars {
            self.c.locals[k].var = false;
        }
        let milp = if crate::diagnostics::has_errors(&errors) {
            // A form refused on decisions may leave a node untyped (an internal error of
            // the typing above): the errors say why.
            PlanMilp {
                stmts: Vec::new(),
                errors,
            }
        } else {
            PlanMilp {
                stmts: typed?,
                errors,
            }
        };
        self.pop_to(0);
        Ok(Plan {
            index,
            stage: Binder {
                slot: stage_slot,
                set: stages,
            },
            states,
            choose,
            stmts,
            milp,
        })
    }

    /// A plan's statements after its declarations, in the current scope.
    fn plan_stmts(&mut self, stmts: &[ast::PlanStmt]) -> R<Vec<(PlanStmt, Span)>> {
        let mut out = Vec::new();
        for s in stmts {
            let stmt = match &s.kind {
                PlanStmtKind::Next { name, value } => {
                    let Some(slot) = self.local(&name.name) else {
                        return internal(name.span, "`next` of an unknown state");
                    };
                    PlanStmt::Next(slot, self.expr(value)?)
                }
                PlanStmtKind::Require(e) => PlanStmt::Require(self.expr(e)?),
                PlanStmtKind::FinalRequire(e) => PlanStmt::FinalRequire(self.expr(e)?),
                PlanStmtKind::Cost(e) => PlanStmt::Cost(self.expr(e)?),
                PlanStmtKind::FinalCost(e) => PlanStmt::FinalCost(self.expr(e)?),
                PlanStmtKind::State { .. } | PlanStmtKind::Choose { .. } => continue,
            };
            out.push((stmt, s.span));
        }
        Ok(out)
    }

    /// The slot of the innermost local called `name`.
    pub(crate) fn local(&self, name: &str) -> Option<SlotId> {
        let pos = self.c.locals.iter().rposition(|l| l.name == name)?;
        self.scope.get(pos).copied()
    }
}
