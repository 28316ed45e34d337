//! Building declarations: the [`Builder`] methods that turn an item's pest pair into an
//! [`Item`] (use, entity, param, var, constraint, objective, fn, plan, test, ...) together with
//! their parts (attributes, types, index lists, bindings, `expect` clauses). Called by the
//! driver in [`super`]; expressions inside items are built by [`super::exprs`].

use super::exprs::cmp_op;
use super::{errors, next, Builder, Rule, P, R};
use crate::span::Span;
use crate::syntax::ast::*;

impl Builder {
    pub(super) fn item(&self, p: P) -> R<Item> {
        let span = self.span(&p);
        let mut doc_lines = Vec::new();
        let mut kind = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::doc_comment => doc_lines.push(doc_text(c.as_str())),
                _ => kind = Some(self.item_kind(c)?),
            }
        }
        let kind = kind.ok_or_else(|| errors::internal(span, "empty item"))?;
        Ok(Item {
            doc: if doc_lines.is_empty() {
                None
            } else {
                Some(doc_lines.join("\n"))
            },
            kind,
            span,
        })
    }

    pub(super) fn item_kind(&self, p: P) -> R<ItemKind> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner().peekable();
        Ok(match rule {
            Rule::use_decl => {
                it.next();
                let t = next(&mut it, span)?;
                let target = if t.as_rule() == Rule::string {
                    UseTarget::File(self.string(t))
                } else {
                    UseTarget::Module(t.into_inner().map(|i| self.ident(i)).collect())
                };
                ItemKind::Use(UseDecl { target })
            }
            Rule::unit_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let value = it.next().map(|e| self.expr(e)).transpose()?;
                ItemKind::Unit(UnitDecl { name, value })
            }
            Rule::kind_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let mut attrs = Vec::new();
                for a in it {
                    attrs.push(self.attr_decl(a)?);
                }
                ItemKind::Kind(KindDecl { name, attrs })
            }
            Rule::entity_decl => {
                let kind = self.ident(next(&mut it, span)?);
                let name = self.ident(next(&mut it, span)?);
                let attrs = match it.next() {
                    Some(b) => self.attr_block(b)?,
                    None => Vec::new(),
                };
                ItemKind::Entity(EntityDecl {
                    kind,
                    name,
                    link: None,
                    attrs,
                })
            }
            Rule::link_decl => {
                let kind = self.ident(next(&mut it, span)?);
                let src = self.ident(next(&mut it, span)?);
                let op = next(&mut it, span)?;
                let op_span = self.span(&op);
                let both = op.as_str() == "<->";
                let dst = self.ident(next(&mut it, span)?);
                let attrs = match it.next() {
                    Some(b) => self.attr_block(b)?,
                    None => Vec::new(),
                };
                let name = Ident {
                    name: format!("{}->{}", src.name, dst.name),
                    span: src.span.to(dst.span),
                };
                ItemKind::Entity(EntityDecl {
                    kind,
                    name,
                    link: Some(LinkEnds {
                        src,
                        dst,
                        both,
                        op_span,
                    }),
                    attrs,
                })
            }
            Rule::entities_from => {
                let set = self.ident(next(&mut it, span)?);
                it.next();
                // `"PATH"` with an optional `key COLUMN` on the same line.
                let mut source = next(&mut it, span)?.into_inner();
                let path = self.string(next(&mut source, span)?);
                let key = source
                    .find(|p| p.as_rule() == Rule::ident)
                    .map(|p| self.ident(p));
                ItemKind::EntitiesFrom(EntitiesFrom { set, path, key })
            }
            Rule::set_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let value = self.set_expr(next(&mut it, span)?)?;
                ItemKind::Set(SetDecl { name, value })
            }
            Rule::param_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let index = if it.peek().map(|p| p.as_rule()) == Some(Rule::index_list) {
                    Some(self.index_list(next(&mut it, span)?)?)
                } else {
                    None
                };
                let ty = self.type_expr(next(&mut it, span)?)?;
                let lower = match it.peek() {
                    Some(b) if b.as_rule() == Rule::sign_bound => {
                        let b = next(&mut it, span)?;
                        Some(self.sign_bound(b, span)?)
                    }
                    _ => None,
                };
                let value = match it.next() {
                    Some(v) if v.as_rule() == Rule::param_from => {
                        let s = v
                            .into_inner()
                            .nth(1)
                            .ok_or_else(|| errors::internal(span, "param from"))?;
                        Some(ParamValue::From(self.string(s)))
                    }
                    Some(v) => {
                        let e = v
                            .into_inner()
                            .next()
                            .ok_or_else(|| errors::internal(span, "param value"))?;
                        Some(ParamValue::Expr(self.expr(e)?))
                    }
                    None => None,
                };
                ItemKind::Param(ParamDecl {
                    name,
                    index,
                    ty,
                    lower,
                    value,
                })
            }
            Rule::decide_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let index = if it.peek().map(|p| p.as_rule()) == Some(Rule::index_list) {
                    Some(self.index_list(next(&mut it, span)?)?)
                } else {
                    None
                };
                let ty = self.type_expr(next(&mut it, span)?)?;
                let mut bounds = Vec::new();
                let mut loss = None;
                for b in it {
                    let bspan = self.span(&b);
                    if b.as_rule() == Rule::decide_loss {
                        loss = Some(bspan);
                        continue;
                    }
                    let mut bi = b.into_inner();
                    let op = match next(&mut bi, bspan)?.as_str() {
                        ">=" => BoundOp::Ge,
                        "<=" => BoundOp::Le,
                        _ => BoundOp::Eq,
                    };
                    let value = self.expr(next(&mut bi, bspan)?)?;
                    bounds.push(Bound {
                        op,
                        value,
                        span: bspan,
                    });
                }
                ItemKind::Decide(DecideDecl {
                    name,
                    index,
                    ty,
                    bounds,
                    loss,
                })
            }
            Rule::constraint_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let index = if it.peek().map(|p| p.as_rule()) == Some(Rule::index_list) {
                    Some(self.index_list(next(&mut it, span)?)?)
                } else {
                    None
                };
                let body = self.expr(next(&mut it, span)?)?;
                ItemKind::Constraint(ConstraintDecl { name, index, body })
            }
            Rule::objective_decl => {
                let mut then = None;
                if it.peek().map(|p| p.as_rule()) == Some(Rule::objective_then) {
                    then = Some(self.span(&next(&mut it, span)?));
                }
                let sense = if next(&mut it, span)?.as_rule() == Rule::kw_minimize {
                    ObjectiveSense::Minimize
                } else {
                    ObjectiveSense::Maximize
                };
                let mut name = None;
                let mut first = next(&mut it, span)?;
                if first.as_rule() == Rule::ident {
                    name = Some(self.ident(first));
                    first = next(&mut it, span)?;
                }
                let body = self.expr(first)?;
                let within = match it.next() {
                    Some(w) => {
                        let mut parts = w.into_inner();
                        parts.next();
                        Some(self.expr(next(&mut parts, span)?)?)
                    }
                    None => None,
                };
                ItemKind::Objective(ObjectiveDecl {
                    sense,
                    name,
                    body,
                    then,
                    within,
                })
            }
            Rule::fn_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let mut params = Vec::new();
                let mut ret = None;
                let mut body = None;
                for c in it {
                    match c.as_rule() {
                        Rule::fn_param => params.push(self.fn_param(c)?),
                        Rule::type_expr => ret = Some(self.type_expr(c)?),
                        _ => body = Some(self.expr(c)?),
                    }
                }
                let body = body.ok_or_else(|| errors::internal(span, "fn body"))?;
                ItemKind::Fn(FnDecl {
                    name,
                    params,
                    ret,
                    body,
                })
            }
            Rule::template_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let mut params = Vec::new();
                let mut items = Vec::new();
                for c in it {
                    match c.as_rule() {
                        Rule::fn_param => params.push(self.fn_param(c)?),
                        _ => items.push(self.item(c)?),
                    }
                }
                ItemKind::Template(TemplateDecl {
                    name,
                    params,
                    items,
                })
            }
            Rule::apply_decl => {
                it.next();
                let path = next(&mut it, span)?;
                let path_span = self.span(&path);
                let template: Vec<Ident> = path.into_inner().map(|i| self.ident(i)).collect();
                let mut args = Vec::new();
                let mut alias = None;
                let mut end = path_span;
                for c in it {
                    match c.as_rule() {
                        Rule::arg => {
                            end = self.span(&c);
                            args.push(self.arg(c)?)
                        }
                        Rule::ident => alias = Some(self.ident(c)),
                        _ => {}
                    }
                }
                ItemKind::Apply(ApplyDecl {
                    template,
                    args,
                    alias,
                    span_call: path_span.to(end),
                })
            }
            Rule::plan_decl => self.plan(it, span)?,
            Rule::test_decl => {
                it.next();
                let mut name = None;
                let mut expects = Vec::new();
                for c in it {
                    match c.as_rule() {
                        Rule::ident => name = Some(self.ident(c)),
                        _ => expects.push(self.expect(c)?),
                    }
                }
                ItemKind::Test(TestDecl { name, expects })
            }
            Rule::partition_decl => {
                it.next();
                let set = self.ident(next(&mut it, span)?);
                it.next();
                let n = next(&mut it, span)?;
                let parts_span = self.span(&n);
                let parts = super::exprs::parse_number(n.as_str(), parts_span)?;
                ItemKind::Partition(PartitionDecl {
                    set,
                    parts,
                    parts_span,
                })
            }
            _ => return Err(errors::internal(span, "unexpected item")),
        })
    }

    pub(super) fn plan<'a>(&self, it: impl Iterator<Item = P<'a>>, span: Span) -> R<ItemKind> {
        let mut it = it.skip(1).peekable();
        let name = self.ident(next(&mut it, span)?);
        let index = if it.peek().map(|p| p.as_rule()) == Some(Rule::index_list) {
            Some(self.index_list(next(&mut it, span)?)?)
        } else {
            None
        };
        it.next(); // over
        let stage_var = self.ident(next(&mut it, span)?);
        it.next(); // in
        let stages = self.set_expr(next(&mut it, span)?)?;
        let mut stmts = Vec::new();
        for s in it {
            let sspan = self.span(&s);
            let Some(inner) = s.into_inner().find(|c| c.as_rule() != Rule::doc_comment) else {
                continue;
            };
            let rule = inner.as_rule();
            let mut ci = inner.into_inner().filter(|c| {
                !matches!(
                    c.as_rule(),
                    Rule::cw_state
                        | Rule::cw_choose
                        | Rule::cw_next
                        | Rule::cw_require
                        | Rule::cw_cost
                        | Rule::cw_final
                        | Rule::kw_in
                )
            });
            let kind = match rule {
                Rule::plan_state => {
                    let name = self.ident(next(&mut ci, sspan)?);
                    let range = self.range(next(&mut ci, sspan)?)?;
                    let init = ci.next().map(|e| self.expr(e)).transpose()?;
                    PlanStmtKind::State { name, range, init }
                }
                Rule::plan_choose => {
                    let name = self.ident(next(&mut ci, sspan)?);
                    let d = next(&mut ci, sspan)?;
                    let domain = if d.as_rule() == Rule::range {
                        self.range(d)?
                    } else {
                        self.set_expr(d)?
                    };
                    PlanStmtKind::Choose { name, domain }
                }
                Rule::plan_next => {
                    let name = self.ident(next(&mut ci, sspan)?);
                    let value = self.expr(next(&mut ci, sspan)?)?;
                    PlanStmtKind::Next { name, value }
                }
                Rule::plan_require => PlanStmtKind::Require(self.expr(next(&mut ci, sspan)?)?),
                Rule::plan_cost => PlanStmtKind::Cost(self.expr(next(&mut ci, sspan)?)?),
                Rule::plan_final_cost => PlanStmtKind::FinalCost(self.expr(next(&mut ci, sspan)?)?),
                _ => PlanStmtKind::FinalRequire(self.expr(next(&mut ci, sspan)?)?),
            };
            stmts.push(PlanStmt { kind, span: sspan });
        }
        Ok(ItemKind::Plan(PlanDecl {
            name,
            index,
            stage_var,
            stages,
            stmts,
        }))
    }

    pub(super) fn expect(&self, p: P) -> R<Expect> {
        let span = self.span(&p);
        let inner = p
            .into_inner()
            .find(|c| c.as_rule() != Rule::kw_expect)
            .ok_or_else(|| errors::internal(span, "expect"))?;
        let kind = match inner.as_rule() {
            Rule::expect_feasible => ExpectKind::Feasible,
            Rule::expect_infeasible => ExpectKind::Infeasible,
            Rule::expect_binding => {
                let e = inner
                    .into_inner()
                    .nth(1)
                    .ok_or_else(|| errors::internal(span, "binding"))?;
                ExpectKind::Binding(self.expr(e)?)
            }
            Rule::expect_objective => {
                let mut parts = inner.into_inner().skip(1).peekable();
                let mut bounds = Vec::new();
                if parts.peek().map(|p| p.as_rule()) == Some(Rule::kw_in) {
                    parts.next();
                    let r = next(&mut parts, span)?;
                    let mut ri = r.into_inner();
                    let lo = self.expr(next(&mut ri, span)?)?;
                    let hi = self.expr(next(&mut ri, span)?)?;
                    bounds.push((CmpOp::Ge, lo));
                    bounds.push((CmpOp::Le, hi));
                } else {
                    while let Some(op) = parts.next() {
                        let op = cmp_op(op.as_str());
                        let v = self.expr(next(&mut parts, span)?)?;
                        bounds.push((op, v));
                    }
                }
                ExpectKind::Objective(bounds)
            }
            _ => ExpectKind::Holds(self.expr(inner)?),
        };
        Ok(Expect { kind, span })
    }

    /// `>= EXPR` after a type (the expression; the checker wants `0`).
    fn sign_bound(&self, p: P, span: Span) -> R<Expr> {
        let e = p
            .into_inner()
            .next()
            .ok_or_else(|| errors::internal(span, "sign bound"))?;
        self.expr(e)
    }

    pub(super) fn attr_decl(&self, p: P) -> R<AttrDecl> {
        let span = self.span(&p);
        let mut doc = Vec::new();
        let mut name = None;
        let mut ty = None;
        let mut default = None;
        let mut lower = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::doc_comment => doc.push(doc_text(c.as_str())),
                Rule::ident => name = Some(self.ident(c)),
                Rule::type_expr => ty = Some(self.type_expr(c)?),
                Rule::sign_bound => lower = Some(self.sign_bound(c, span)?),
                _ => default = Some(self.expr(c)?),
            }
        }
        Ok(AttrDecl {
            doc: if doc.is_empty() {
                None
            } else {
                Some(doc.join("\n"))
            },
            name: name.ok_or_else(|| errors::internal(span, "attr name"))?,
            ty: ty.ok_or_else(|| errors::internal(span, "attr type"))?,
            lower,
            default,
            span,
        })
    }

    pub(super) fn attr_block(&self, p: P) -> R<Vec<AttrInit>> {
        let mut v = Vec::new();
        for a in p.into_inner() {
            let span = self.span(&a);
            let mut ai = a.into_inner();
            let name = self.ident(next(&mut ai, span)?);
            let value = self.expr(next(&mut ai, span)?)?;
            v.push(AttrInit { name, value, span });
        }
        Ok(v)
    }

    pub(super) fn fn_param(&self, p: P) -> R<FnParam> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.ident(next(&mut it, span)?);
        let ty = it.next().map(|t| self.type_expr(t)).transpose()?;
        Ok(FnParam { name, ty })
    }

    pub(super) fn arg(&self, p: P) -> R<Arg> {
        let span = self.span(&p);
        let mut it = p.into_inner().peekable();
        let name = if it.peek().map(|p| p.as_rule()) == Some(Rule::ident) {
            Some(self.ident(next(&mut it, span)?))
        } else {
            None
        };
        let value = self.set_expr(next(&mut it, span)?)?;
        Ok(Arg { name, value })
    }

    pub(super) fn type_expr(&self, p: P) -> R<TypeExpr> {
        let span = self.span(&p);
        let mut base = BaseType::Named;
        let mut unit = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::type_kw => {
                    base = match c.as_str() {
                        "bool" => BaseType::Bool,
                        "int" => BaseType::Int,
                        "real" => BaseType::Real,
                        _ => BaseType::Str,
                    }
                }
                _ => {
                    unit = Some(UnitExpr {
                        text: c.as_str().to_string(),
                        span: self.span(&c),
                    })
                }
            }
        }
        Ok(TypeExpr { base, unit, span })
    }

    pub(super) fn index_list(&self, p: P) -> R<IndexList> {
        let span = self.span(&p);
        let mut bindings = Vec::new();
        let mut filter = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::binding => bindings.push(self.binding(c)?),
                Rule::kw_where => {}
                _ => filter = Some(Box::new(self.expr(c)?)),
            }
        }
        Ok(IndexList {
            bindings,
            filter,
            span,
        })
    }

    pub(super) fn binding(&self, p: P) -> R<Binding> {
        let span = self.span(&p);
        let mut var = None;
        let mut set = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => var = Some(self.ident(c)),
                Rule::kw_in => {}
                _ => set = Some(self.set_expr(c)?),
            }
        }
        Ok(Binding {
            var,
            set: set.ok_or_else(|| errors::internal(span, "binding set"))?,
            span,
        })
    }
}

fn doc_text(line: &str) -> String {
    let t = line.trim_start_matches("///");
    t.strip_prefix(' ').unwrap_or(t).trim_end().to_string()
}
