//! Checking `plan` blocks: state variables, the stage decision, transitions, requirements
//! and costs, with types and units; and references to plans from other expressions
//! (`build[r].cost`, `build[r].add[q]`).

use super::expr::T;
use super::{Checker, ElemTy, Global, IndexDim, Local, Ty};
use crate::check::symbols::SymbolKind;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind, PlanStmtKind};
use crate::units::Unit;

/// The stage decision's domain.
#[derive(Clone, Debug)]
pub enum ChooseDomain {
    /// An integer range `lo..hi` (expressions of data).
    Range(Expr, Expr),
    /// A member of a set.
    Set(Expr, ElemTy),
}

/// A checked plan.
#[derive(Clone, Debug)]
pub struct PlanInfo {
    pub name: String,
    pub span: Span,
    pub decl: ast::PlanDecl,
    pub dims: Vec<IndexDim>,
    pub stage_elem: ElemTy,
    /// State variables: name, range (lo, hi) and initial value.
    pub states: Vec<(String, Expr, Expr, Option<Expr>)>,
    pub choose: Option<(String, ChooseDomain)>,
    pub cost_unit: Unit,
    pub cost_unit_text: String,
    pub symbol: crate::check::symbols::SymbolId,
}

impl PlanInfo {
    /// True when `name` is a state or the decision of this plan.
    pub fn is_plan_var(&self, name: &str) -> bool {
        self.states.iter().any(|s| s.0 == name) || self.choose.as_ref().is_some_and(|c| c.0 == name)
    }
}

impl Checker {
    pub(crate) fn check_plan(&mut self, i: usize) {
        let p = self.schema.plans[i].clone();
        let d = &p.decl;
        let depth = self.locals.len();
        let dims = match &d.index {
            Some(ix) => self.bind_index(ix, "a plan"),
            None => Vec::new(),
        };
        let stage_elem = self.set_elem(&d.stages).unwrap_or(ElemTy::Any);
        let sym = self.add_symbol(
            &d.stage_var.name,
            SymbolKind::IndexVar,
            d.stage_var.span,
            d.stage_var.span,
            None,
            format!(
                "{} in {}",
                d.stage_var.name,
                self.schema.elem_name(stage_elem)
            ),
        );
        self.locals.push(Local {
            name: d.stage_var.name.clone(),
            ty: Ty::Elem(stage_elem),
            symbol: Some(sym),
            var: false,
        });
        let mut states = Vec::new();
        let mut choose = None;
        let int = Ty::count();
        // Declarations first, so statements may use any of them.
        for s in &d.stmts {
            match &s.kind {
                PlanStmtKind::State { name, range, init } => {
                    let (lo, hi) = self.plan_range(range);
                    match init {
                        Some(e) => {
                            let t = self.expr(e);
                            self.expect_value(
                                &t,
                                e,
                                &int,
                                &format!("the initial `{}`", name.name),
                                None,
                            );
                        }
                        // Both backends start every state from its value at the first stage.
                        None => self.error(
                            Diagnostic::error(
                                Code::E0308,
                                format!(
                                    "state `{}` of plan `{}` needs an initial value",
                                    name.name, d.name.name
                                ),
                            )
                            .primary(name.span, "no `= ...` after the range")
                            .help(format!("write `state {}: LO..HI = VALUE`", name.name)),
                        ),
                    }
                    if states
                        .iter()
                        .any(|(n, ..): &(String, Expr, Expr, Option<Expr>)| *n == name.name)
                    {
                        self.error(
                            Diagnostic::error(
                                Code::E0202,
                                format!("state `{}` is declared twice", name.name),
                            )
                            .primary(name.span, "declared again here"),
                        );
                    }
                    let sym = self.add_symbol(
                        &name.name,
                        SymbolKind::IndexVar,
                        name.span,
                        s.span,
                        None,
                        format!("state {}: int", name.name),
                    );
                    self.locals.push(Local {
                        name: name.name.clone(),
                        ty: int,
                        symbol: Some(sym),
                        var: false,
                    });
                    states.push((name.name.clone(), lo, hi, init.clone()));
                }
                PlanStmtKind::Choose { name, domain } => {
                    if choose.is_some() {
                        self.error(
                            Diagnostic::error(Code::E0202, "a plan chooses one decision per stage")
                                .primary(name.span, "second `choose`")
                                .help("combine the choices into one, or use a second plan"),
                        );
                        continue;
                    }
                    let (ty, dom) = match &domain.kind {
                        ExprKind::Range(a, b) => {
                            let _ = self.plan_range(domain);
                            (int, ChooseDomain::Range((**a).clone(), (**b).clone()))
                        }
                        _ => {
                            let el = self.set_elem(domain).unwrap_or(ElemTy::Any);
                            (Ty::Elem(el), ChooseDomain::Set(domain.clone(), el))
                        }
                    };
                    let sym = self.add_symbol(
                        &name.name,
                        SymbolKind::IndexVar,
                        name.span,
                        s.span,
                        None,
                        format!("choose {}", name.name),
                    );
                    self.locals.push(Local {
                        name: name.name.clone(),
                        ty,
                        symbol: Some(sym),
                        var: false,
                    });
                    choose = Some((name.name.clone(), dom));
                }
                _ => {}
            }
        }
        if states.is_empty() {
            self.error(
                Diagnostic::error(Code::E0308, format!("plan `{}` has no state", d.name.name))
                    .primary(d.name.span, "no `state`")
                    .help("declare one: `state racks: 0..2000 = 0`"),
            );
        }
        let mut cost_unit: Option<(Unit, Span)> = None;
        for s in &d.stmts {
            match &s.kind {
                PlanStmtKind::Next { name, value } => {
                    match self
                        .locals
                        .iter()
                        .rev()
                        .find(|l| l.name == name.name)
                        .and_then(|l| l.symbol)
                    {
                        Some(sym) if states.iter().any(|st| st.0 == name.name) => {
                            self.add_ref(name.span, Some(sym))
                        }
                        _ => self.error(
                            Diagnostic::error(
                                Code::E0201,
                                format!("`{}` is not a state of this plan", name.name),
                            )
                            .primary(name.span, "not a state"),
                        ),
                    }
                    let t = self.expr(value);
                    self.expect_value(&t, value, &int, &format!("the next `{}`", name.name), None);
                }
                PlanStmtKind::Require(e) | PlanStmtKind::FinalRequire(e) => {
                    let t = self.expr(e);
                    if !matches!(t.ty, Ty::Bool | Ty::Err) {
                        let found = self.schema.ty_name(&t.ty);
                        self.error(super::errors::type_mismatch(e.span, "a condition", &found));
                    }
                }
                PlanStmtKind::Cost(e) | PlanStmtKind::FinalCost(e) => {
                    let t = self.expr(e);
                    match t.ty.as_num() {
                        Some((u, _)) => match cost_unit {
                            Some((cu, cs)) if !cu.same_dim(&u) && !t.zero => {
                                let (a, b) =
                                    (self.schema.units.format(&cu), self.schema.units.format(&u));
                                self.error(super::errors::cannot_add("+", cs, &a, e.span, &b));
                            }
                            Some(_) => {}
                            None => cost_unit = Some((u, e.span)),
                        },
                        None if t.ty == Ty::Err => {}
                        None => {
                            let found = self.schema.ty_name(&t.ty);
                            self.error(super::errors::type_mismatch(
                                e.span,
                                "a cost (a number)",
                                &found,
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        self.locals.truncate(depth);
        let cost_unit = cost_unit.map(|c| c.0).unwrap_or_else(Unit::dimensionless);
        let info = &mut self.schema.plans[i];
        info.dims = dims;
        info.stage_elem = stage_elem;
        info.states = states;
        info.choose = choose;
        info.cost_unit = cost_unit;
        info.cost_unit_text = self.schema.units.format(&cost_unit);
    }

    fn plan_range(&mut self, range: &Expr) -> (Expr, Expr) {
        match &range.kind {
            ExprKind::Range(a, b) => {
                for x in [a, b] {
                    let t = self.expr(x);
                    if t.var {
                        self.error(super::errors::needs_data(x.span, "a plan range"));
                    }
                    if t.ty.as_num().is_none() && t.ty != Ty::Err {
                        let found = self.schema.ty_name(&t.ty);
                        self.error(super::errors::type_mismatch(x.span, "an integer", &found));
                    }
                }
                ((**a).clone(), (**b).clone())
            }
            _ => {
                self.error(super::errors::type_mismatch(
                    range.span,
                    "a range `lo..hi`",
                    "something else",
                ));
                (range.clone(), range.clone())
            }
        }
    }

    /// `build[r].cost` / `build.cost`: the plan instance's total cost.
    pub(crate) fn plan_field(
        &mut self,
        plan: usize,
        args: &[Expr],
        name_span: Span,
        field: &ast::Ident,
        span: Span,
    ) -> T {
        let p = self.schema.plans[plan].clone();
        self.add_ref(name_span, Some(p.symbol));
        self.check_index_args(&p.name, p.span, &p.dims, args, span);
        if field.name == "cost" {
            return T {
                ty: Ty::num(p.cost_unit),
                var: true,
                zero: false,
            };
        }
        if p.is_plan_var(&field.name) {
            self.error(
                Diagnostic::error(Code::E0302, format!("`{}` varies by stage", field.name))
                    .primary(field.span, "needs a stage index")
                    .help(format!("write `{}[...].{}[q]`", p.name, field.name)),
            );
        } else {
            self.error(
                Diagnostic::error(
                    Code::E0203,
                    format!("plan `{}` has no `{}`", p.name, field.name),
                )
                .primary(field.span, "a plan has `cost`, its states and its decision"),
            );
        }
        T {
            ty: Ty::Err,
            var: false,
            zero: false,
        }
    }

    /// `build[r].add[q]`: a state or the decision of a plan instance at a stage.
    pub(crate) fn plan_series(
        &mut self,
        plan: usize,
        args: &[Expr],
        name_span: Span,
        field: &ast::Ident,
        stage: &[Expr],
        span: Span,
    ) -> T {
        let p = self.schema.plans[plan].clone();
        self.add_ref(name_span, Some(p.symbol));
        self.check_index_args(&p.name, p.span, &p.dims, args, span);
        if !p.is_plan_var(&field.name) {
            self.error(
                Diagnostic::error(
                    Code::E0203,
                    format!(
                        "plan `{}` has no state or decision `{}`",
                        p.name, field.name
                    ),
                )
                .primary(field.span, "unknown"),
            );
            return T {
                ty: Ty::Err,
                var: false,
                zero: false,
            };
        }
        let stage_dim = IndexDim {
            var: p.decl.stage_var.name.clone(),
            elem: p.stage_elem,
            set: p.decl.stages.clone(),
        };
        self.check_index_args(
            &field.name,
            p.span,
            std::slice::from_ref(&stage_dim),
            stage,
            span,
        );
        T {
            ty: Ty::count(),
            var: true,
            zero: false,
        }
    }

    /// The plan named by an expression like `build[r]` or `build`.
    pub(crate) fn plan_ref<'e>(&self, e: &'e Expr) -> Option<(usize, &'e [Expr], Span)> {
        match &e.kind {
            ExprKind::Index(b, args) => match &b.kind {
                ExprKind::Name(id) => match self.schema.globals.get(&id.name) {
                    Some(Global::Plan(p)) => Some((*p, args.as_slice(), id.span)),
                    _ => None,
                },
                _ => None,
            },
            ExprKind::Name(id) => match self.schema.globals.get(&id.name) {
                Some(Global::Plan(p)) => Some((*p, &[][..], id.span)),
                _ => None,
            },
            _ => None,
        }
    }
}
