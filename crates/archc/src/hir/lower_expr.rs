//! Lowering expressions to HIR: each node gets the type the checker infers for it in the
//! current scope, names become ids and slots, built-ins an enum, and calls of user `fn`s
//! are inlined with their parameters as slots. Part of [`super::lower`].

use super::expr::{Builtin, Expr, ExprKind};
use super::lower::{internal, Lowerer, R};
use crate::check::{ElemTy, Global, Ty};
use crate::span::Span;
use crate::syntax::ast::{self, AggKind, BinOp};

impl Lowerer<'_> {
    /// Lower one expression in the current scope.
    pub(crate) fn expr(&mut self, e: &ast::Expr) -> R<Expr> {
        // Calls of user functions are typed from their inlined body, not by the checker
        // (which would expand the body once more for every node above the call).
        match &e.kind {
            ast::ExprKind::Call(name, args) => {
                if let Some(Global::Fn(f)) = self.c.schema.globals.get(&name.name).copied() {
                    let args: Vec<&ast::Expr> = args.iter().map(|a| &a.value).collect();
                    return self.inline(f, &args, e.span);
                }
            }
            ast::ExprKind::Index(base, args) => {
                if let ast::ExprKind::Name(id) = &base.kind {
                    if let Some(Global::Fn(f)) = self.c.schema.globals.get(&id.name).copied() {
                        let args: Vec<&ast::Expr> = args.iter().collect();
                        return self.inline(f, &args, e.span);
                    }
                }
            }
            _ => {}
        }
        let t = self.c.expr(e);
        if t.ty == Ty::Err {
            return internal(e.span, "an expression without a type");
        }
        let kind = self.kind(e, t.ty)?;
        Ok(Expr {
            kind,
            ty: t.ty,
            var: t.var,
            span: e.span,
        })
    }

    fn exprs(&mut self, es: &[ast::Expr]) -> R<Vec<Expr>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn boxed(&mut self, e: &ast::Expr) -> R<Box<Expr>> {
        self.expr(e).map(Box::new)
    }

    fn kind(&mut self, e: &ast::Expr, ty: Ty) -> R<ExprKind> {
        use ast::ExprKind as A;
        Ok(match &e.kind {
            A::Number(n) => ExprKind::Number(*n),
            A::Quantity(n, u) => match ty {
                Ty::Num { unit, .. } => ExprKind::Quantity(*n, unit),
                _ => ExprKind::Quantity(*n, self.c.schema.unit(&u.text)),
            },
            A::Period { period } => ExprKind::Period { period: *period },
            A::Str(s) => ExprKind::Str(s.clone()),
            A::Bool(b) => ExprKind::Bool(*b),
            A::Name(id) => self.name(id, ty)?,
            A::Field(base, attr) => {
                if let Some((p, args, _)) = self.c.plan_ref(base) {
                    if attr.name != "cost" {
                        return internal(attr.span, "a plan field other than `cost`");
                    }
                    ExprKind::PlanCost(p.into(), self.exprs(args)?)
                } else {
                    let base = self.boxed(base)?;
                    self.field(base, attr)?
                }
            }
            A::Index(base, args) => {
                if let A::Field(pb, f) = &base.kind {
                    if let Some((p, pargs, _)) = self.c.plan_ref(pb) {
                        let [stage] = args.as_slice() else {
                            return internal(e.span, "a plan series without one stage");
                        };
                        return Ok(ExprKind::PlanSeries {
                            plan: p.into(),
                            args: self.exprs(pargs)?,
                            var: f.name.clone(),
                            stage: self.boxed(stage)?,
                        });
                    }
                }
                let A::Name(id) = &base.kind else {
                    return internal(base.span, "indexing something other than a name");
                };
                match self.c.schema.globals.get(&id.name).copied() {
                    Some(Global::Param(p)) => ExprKind::Param(p.into(), self.exprs(args)?),
                    Some(Global::Decision(d)) => ExprKind::Decision(d.into(), self.exprs(args)?),
                    _ => return internal(id.span, "indexing something other than data"),
                }
            }
            A::Call(name, args) => self.call(name, args)?,
            A::Unary(op, x) => ExprKind::Unary(*op, self.boxed(x)?),
            A::Binary(op, a, b) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                if *op == BinOp::Implies && (entity_like(a.ty) || entity_like(b.ty)) {
                    ExprKind::Link(Box::new(a), Box::new(b))
                } else {
                    ExprKind::Chain(Box::new(a), vec![(*op, b)])
                }
            }
            A::Chain(first_ast, links) => {
                let first = self.expr(first_ast)?;
                let mut out = Vec::with_capacity(links.len());
                for (op, _, rhs) in links {
                    let rhs = self.expr(rhs)?;
                    if *op == BinOp::Implies && (entity_like(first.ty) || entity_like(rhs.ty)) {
                        // `a -> b -> c` between entities: links grouped from the right, as
                        // the checker typed them (`a -> (b -> c)`), one `Link` per arrow.
                        return self.link_run(first_ast, links);
                    }
                    out.push((*op, rhs));
                }
                ExprKind::Chain(Box::new(first), out)
            }
            A::Compare(first, links) => {
                let first = self.boxed(first)?;
                let mut out = Vec::with_capacity(links.len());
                for (op, op_span, rhs) in links {
                    out.push((*op, *op_span, self.expr(rhs)?));
                }
                ExprKind::Compare(first, out)
            }
            A::If(c, a, b) => {
                let arm = (self.expr(c)?, self.expr(a)?);
                ExprKind::If(vec![arm], self.boxed(b)?)
            }
            A::IfChain(arms, otherwise) => {
                let mut out = Vec::with_capacity(arms.len());
                for arm in arms {
                    out.push((self.expr(&arm.cond)?, self.expr(&arm.value)?));
                }
                ExprKind::If(out, self.boxed(otherwise)?)
            }
            A::Agg { kind, index, body } => self.aggregate(*kind, index, body.as_deref())?,
            A::Range(a, b) => ExprKind::Range(self.boxed(a)?, self.boxed(b)?),
            A::SetLit(items) => ExprKind::SetLit(self.exprs(items)?),
            A::SetCompr(ix) => {
                let depth = self.c.locals.len();
                let index = self.index(Some(ix));
                self.pop_to(depth);
                ExprKind::SetCompr(Box::new(index?))
            }
            A::Map(_) | A::Tuple(_) => return internal(e.span, "a table or tuple as a value"),
        })
    }

    /// A name the checker typed as `ty`, resolved by its rules: locals, globals, symbols of
    /// explicit sets, entities.
    fn name(&mut self, id: &ast::Ident, ty: Ty) -> R<ExprKind> {
        if let Some(slot) = self.local(&id.name) {
            return Ok(ExprKind::Slot(slot));
        }
        if let Some(g) = self.c.schema.globals.get(&id.name).copied() {
            return Ok(match g {
                Global::Set(s) => ExprKind::Set(s.into()),
                Global::Param(p) => ExprKind::Param(p.into(), Vec::new()),
                Global::Decision(d) => ExprKind::Decision(d.into(), Vec::new()),
                _ => return internal(id.span, "a name that is no value"),
            });
        }
        if let Some(&set) = self.c.schema.symbol_elems.get(&id.name) {
            return Ok(ExprKind::Symbol(set.into(), id.name.clone()));
        }
        let kind = match ty {
            Ty::Elem(ElemTy::Kind(k)) => Some(k.into()),
            _ => None,
        };
        Ok(ExprKind::Entity(id.name.clone(), kind))
    }

    fn field(&mut self, base: Box<Expr>, attr: &ast::Ident) -> R<ExprKind> {
        match base.ty {
            Ty::Elem(ElemTy::Kind(k)) if attr.name != "name" => {
                match self.c.schema.kinds[k].attr_index.get(&attr.name) {
                    Some(&a) => Ok(ExprKind::Attr(base, k.into(), a.into())),
                    None => internal(attr.span, "an unknown attribute"),
                }
            }
            Ty::Elem(ElemTy::Kind(_) | ElemTy::Any) => {
                Ok(ExprKind::AttrByName(base, attr.name.clone()))
            }
            _ => internal(attr.span, "an attribute of something other than an entity"),
        }
    }

    fn call(&mut self, name: &ast::Ident, args: &[ast::Arg]) -> R<ExprKind> {
        if name.name == "moves" || name.name == "changed" {
            let global = |l: &Self, a: Option<&ast::Arg>| match a.map(|a| &a.value.kind) {
                Some(ast::ExprKind::Name(id)) => l.c.schema.globals.get(&id.name).copied(),
                _ => None,
            };
            let (Some(Global::Decision(d)), Some(Global::Param(p))) =
                (global(self, args.first()), global(self, args.get(1)))
            else {
                return internal(name.span, "`moves` without a decision and a param");
            };
            return Ok(ExprKind::Moves {
                changed: name.name == "changed",
                decision: d.into(),
                was: p.into(),
                was_span: args[1].value.span,
            });
        }
        let Some(b) = Builtin::from_name(&name.name) else {
            return internal(name.span, "an unknown function");
        };
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            out.push(self.expr(&a.value)?);
        }
        Ok(ExprKind::Builtin(b, out))
    }

    /// A user function's body inlined at a call: the arguments in the caller's scope, the
    /// body in a scope of its parameters alone (as the checker types it).
    fn inline(&mut self, f: usize, args: &[&ast::Expr], span: Span) -> R<Expr> {
        let decl = self.c.schema.fns[f].decl.clone();
        if decl.params.len() != args.len() {
            return internal(span, "a call with the wrong number of arguments");
        }
        let mut lowered = Vec::with_capacity(args.len());
        for a in args {
            lowered.push(self.expr(a)?);
        }
        let saved_locals = std::mem::take(&mut self.c.locals);
        let saved_scope = std::mem::take(&mut self.scope);
        let mut params = Vec::with_capacity(lowered.len());
        for (p, a) in decl.params.iter().zip(&lowered) {
            params.push(self.push_local(&p.name.name, a.ty, a.var, p.name.span));
        }
        self.c.fn_depth.push(decl.name.name.clone());
        let body = self.expr(&decl.body);
        self.c.fn_depth.pop();
        self.c.locals = saved_locals;
        self.scope = saved_scope;
        let body = body?;
        let var = body.var || lowered.iter().any(|a| a.var);
        Ok(Expr {
            ty: body.ty,
            var,
            span,
            kind: ExprKind::Inline {
                func: Some(f.into()),
                params,
                args: lowered,
                body: Box::new(body),
            },
        })
    }

    fn aggregate(
        &mut self,
        kind: AggKind,
        index: &ast::IndexList,
        body: Option<&ast::Expr>,
    ) -> R<ExprKind> {
        let (level, rest) = crate::check::split_level(kind, index);
        let level = level.map(|l| self.boxed(l)).transpose()?;
        let depth = self.c.locals.len();
        let out = self.index(Some(&rest)).and_then(|ix| {
            let body = body.map(|b| self.boxed(b)).transpose()?;
            Ok((ix, body))
        });
        self.pop_to(depth);
        let (ix, body) = out?;
        Ok(ExprKind::Agg {
            kind,
            level,
            index: Box::new(ix),
            body,
        })
    }
}

/// An entity, or an element that may be one once the data loads.
impl Lowerer<'_> {
    /// A run of `->` with entities among its operands, as nested links from the right: each
    /// inner run is lowered as the nested expression it stands for (its span from its first
    /// operand to the last, as the checker typed it).
    fn link_run(&mut self, first: &ast::Expr, links: &[ast::ChainLink]) -> R<ExprKind> {
        let mut operands: Vec<&ast::Expr> = vec![first];
        operands.extend(links.iter().map(|(_, _, e)| e));
        let Some(&last) = operands.last() else {
            return internal(first.span, "an empty run of `->`");
        };
        let mut acc = last.clone();
        for (i, (op, _, _)) in links.iter().enumerate().rev() {
            let lhs = operands[i];
            let span = lhs.span.to(last.span);
            acc = ast::Expr {
                kind: ast::ExprKind::Binary(*op, Box::new(lhs.clone()), Box::new(acc)),
                span,
            };
        }
        Ok(self.expr(&acc)?.kind)
    }
}

fn entity_like(t: Ty) -> bool {
    matches!(t, Ty::Elem(ElemTy::Kind(_) | ElemTy::Any))
}
