//! Checking the model's declarations, after the data ones: decisions, constraints,
//! objectives, functions checked on their own, and the `expect` clauses of tests. Each
//! expression is typed by [`super::expr`]; the result fills the [`super::Schema`].

use super::{dims_text, errors, type_text, Checker, Global, Local, Ty};
use crate::check::symbols::SymbolKind;
use crate::ir::VarKind;
use crate::syntax::ast;
use crate::units::Unit;

impl Checker {
    pub(super) fn check_decision(&mut self, i: usize) {
        let d = self.schema.decisions[i].clone();
        let depth = self.locals.len();
        let dims = match &d.decl.index {
            Some(ix) => self.bind_index(ix, "a decision"),
            None => Vec::new(),
        };
        let (ty, unit_text) = self.type_of_type(&d.decl.ty);
        let (var_kind, unit) = match ty {
            Ty::Bool => (VarKind::Binary, Unit::dimensionless()),
            Ty::Num { unit, int } => (
                if int {
                    VarKind::Integer
                } else {
                    VarKind::Continuous
                },
                unit,
            ),
            Ty::Err => (VarKind::Continuous, Unit::dimensionless()),
            other => {
                let found = self.schema.ty_name(&other);
                self.error(errors::type_mismatch(
                    d.decl.ty.span,
                    "bool, int or a number type",
                    &found,
                ));
                (VarKind::Continuous, Unit::dimensionless())
            }
        };
        {
            let info = &mut self.schema.decisions[i];
            info.dims = dims.clone();
            info.var_kind = var_kind;
            info.unit = unit;
            info.unit_text = unit_text;
        }
        self.check_loss(i);
        self.symbols[d.symbol.0 as usize].detail = format!(
            "decide {}{}: {}",
            d.name,
            dims_text(&dims),
            type_text(&d.decl.ty)
        );
        for b in &d.decl.bounds {
            let t = self.expr(&b.value);
            if t.var {
                self.error(errors::needs_data(b.value.span, "a bound"));
            }
            self.expect_value(
                &t,
                &b.value,
                &Ty::num(unit),
                &format!("a bound of `{}`", d.name),
                Some(d.decl.ty.span),
            );
        }
        self.locals.truncate(depth);
    }

    pub(super) fn check_constraint(&mut self, i: usize) {
        let c = self.schema.constraints[i].clone();
        let depth = self.locals.len();
        let dims = match &c.decl.index {
            Some(ix) => self.bind_index(ix, "a constraint"),
            None => Vec::new(),
        };
        self.schema.constraints[i].dims = dims.clone();
        self.symbols[c.symbol.0 as usize].detail =
            format!("constraint {}{}", c.name, dims_text(&dims));
        let t = self.expr(&c.decl.body);
        if !matches!(t.ty, Ty::Bool | Ty::Err) {
            let found = self.schema.ty_name(&t.ty);
            self.error(
                errors::type_mismatch(c.decl.body.span, "a condition such as `a <= b`", &found)
                    .help("a constraint states something that must hold: use a comparison"),
            );
        }
        self.locals.truncate(depth);
    }

    pub(super) fn check_objective(&mut self, i: usize) {
        let o = self.schema.objectives[i].clone();
        let t = self.expr(&o.decl.body);
        match t.ty.as_num() {
            Some((unit, _)) => {
                let unit = self.schema.units.display_unit(unit);
                self.schema.objectives[i].unit = unit;
                self.schema.objectives[i].unit_text = self.schema.units.format(&unit);
            }
            None if t.ty == Ty::Err => {}
            None => {
                let found = self.schema.ty_name(&t.ty);
                self.error(errors::type_mismatch(
                    o.decl.body.span,
                    "a number to minimize or maximize",
                    &found,
                ));
            }
        }
    }

    /// Functions are checked where they are called; a function with typed parameters is
    /// also checked once on its own so that errors show without a call.
    pub(super) fn check_fn_standalone(&mut self, i: usize) {
        let f = self.schema.fns[i].decl.clone();
        if f.params.iter().any(|p| p.ty.is_none()) {
            return;
        }
        let depth = self.locals.len();
        for p in &f.params {
            let (ty, _) = match &p.ty {
                Some(t) => self.type_of_type(t),
                None => (Ty::Err, String::new()),
            };
            let sym = self.add_symbol(
                &p.name.name,
                SymbolKind::IndexVar,
                p.name.span,
                p.name.span,
                None,
                format!("{}: {}", p.name.name, self.schema.ty_name(&ty)),
            );
            self.locals.push(Local {
                name: p.name.name.clone(),
                ty,
                symbol: Some(sym),
                var: false,
            });
        }
        self.fn_depth.push(f.name.name.clone());
        self.expr(&f.body);
        self.fn_depth.pop();
        self.locals.truncate(depth);
    }

    pub(super) fn check_test(&mut self, t: &ast::TestDecl) {
        for e in &t.expects {
            match &e.kind {
                ast::ExpectKind::Holds(x) | ast::ExpectKind::Binding(x) => {
                    if let ast::ExpectKind::Binding(x) = &e.kind {
                        self.check_binding_target(x);
                        continue;
                    }
                    let ty = self.expr(x);
                    if !matches!(ty.ty, Ty::Bool | Ty::Err) {
                        let found = self.schema.ty_name(&ty.ty);
                        self.error(errors::type_mismatch(x.span, "a condition", &found));
                    }
                }
                ast::ExpectKind::Objective(bounds) => {
                    let unit = self.schema.objectives.first().map(|o| o.unit);
                    for (_, b) in bounds {
                        let t = self.expr(b);
                        if let (Some(u), Some((bu, _))) = (unit, t.ty.as_num()) {
                            if !u.same_dim(&bu) && !t.zero {
                                let (a, bb) =
                                    (self.schema.units.format(&u), self.schema.units.format(&bu));
                                self.error(errors::unit_mismatch(
                                    b.span,
                                    "an objective bound",
                                    &a,
                                    &bb,
                                    None,
                                ));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn check_binding_target(&mut self, x: &ast::Expr) {
        let (name, args) = match &x.kind {
            ast::ExprKind::Index(b, args) => match &b.kind {
                ast::ExprKind::Name(n) => (n, args.as_slice()),
                _ => return,
            },
            ast::ExprKind::Name(n) => (n, &[][..]),
            _ => {
                self.error(errors::type_mismatch(
                    x.span,
                    "a constraint instance like `fit[eu-west]`",
                    "an expression",
                ));
                return;
            }
        };
        match self.schema.globals.get(&name.name).copied() {
            Some(Global::Constraint(i)) => {
                let sym = self.schema.constraints[i].symbol;
                self.add_ref(name.span, Some(sym));
                let dims = self.schema.constraints[i].dims.clone();
                self.check_index_args(
                    &name.name,
                    self.schema.constraints[i].span,
                    &dims,
                    args,
                    x.span,
                );
            }
            _ => self.error(errors::type_mismatch(
                name.span,
                "a constraint",
                &format!("`{}`", name.name),
            )),
        }
    }
}
