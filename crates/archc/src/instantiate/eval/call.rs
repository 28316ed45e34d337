//! Calls in data expressions: user functions (their bodies with the arguments put in, the
//! globals a body names kept apart from the caller's locals) and the built-in functions.

use super::{runtime_error, R};
use crate::check::Global;
use crate::diagnostics::Code;
use crate::hir::Builtin;
use crate::instantiate::world::*;
use crate::instantiate::Inst;
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind};
use std::rc::Rc;

impl Inst<'_> {
    /// Call a user function by substituting its arguments into its body.
    pub fn call_fn<T>(
        &mut self,
        f: usize,
        args: &[ast::Arg],
        site: &Expr,
        k: &mut dyn FnMut(&mut Self, &Expr) -> R<T>,
    ) -> R<T> {
        // Keyed by the call site: the same site always has the same arguments.
        let key = site as *const Expr as usize;
        if !self.fn_bodies.contains_key(&key) {
            let decl = &self.schema.fns[f].decl;
            let body = with_args(decl, decl.body.clone(), args);
            self.fn_bodies.insert(key, Rc::new(body));
        }
        let shadowed: Vec<String> = self
            .fn_globals(f)
            .iter()
            .filter(|n| self.local(n).is_some())
            .cloned()
            .collect();
        if shadowed.is_empty() {
            let body = self.fn_bodies[&key].clone();
            return k(self, &body);
        }
        self.call_fn_shadowed(f, args, key, shadowed, k)
    }

    /// The names a function's body reads as data globals (params, sets, symbols,
    /// entities): every name that is no parameter and no variable bound in the body. A
    /// local of the caller with one of these names must not capture it.
    pub(super) fn fn_globals(&mut self, f: usize) -> Rc<[String]> {
        if let Some(g) = self.fn_globals.get(&f) {
            return g.clone();
        }
        let decl = &self.schema.fns[f].decl;
        let mut names: Vec<String> = Vec::new();
        let mut bound: Vec<String> = decl.params.iter().map(|p| p.name.name.clone()).collect();
        let mut body = decl.body.clone();
        crate::resolve::visit_expr(&mut body, &mut |x| match &x.kind {
            ExprKind::Name(id) if !names.contains(&id.name) => names.push(id.name.clone()),
            ExprKind::Agg { index, .. } => bound.extend(
                index
                    .bindings
                    .iter()
                    .filter_map(|b| b.var.as_ref())
                    .map(|v| v.name.clone()),
            ),
            ExprKind::SetCompr(index) => bound.extend(
                index
                    .bindings
                    .iter()
                    .filter_map(|b| b.var.as_ref())
                    .map(|v| v.name.clone()),
            ),
            _ => {}
        });
        let schema = self.schema;
        names.retain(|n| {
            !bound.contains(n)
                && (matches!(
                    schema.globals.get(n),
                    Some(Global::Param(_) | Global::Set(_))
                ) || (!schema.globals.contains_key(n)
                    && (schema.symbol_elems.contains_key(n)
                        || self.world.entity_names.contains_key(n))))
        });
        let g: Rc<[String]> = names.into();
        self.fn_globals.insert(f, g.clone());
        g
    }

    /// [`Inst::call_fn`] where locals of the caller have the names of globals the body
    /// reads: those names of the body are renamed (to names no source can write) and bound
    /// to the globals' values, so the body reads what the checker resolved, as the compiled
    /// paths do.
    pub(super) fn call_fn_shadowed<T>(
        &mut self,
        f: usize,
        args: &[ast::Arg],
        key: usize,
        shadowed: Vec<String>,
        k: &mut dyn FnMut(&mut Self, &Expr) -> R<T>,
    ) -> R<T> {
        let alias = |n: &str| format!("{n}'global");
        let cache = (key, shadowed.clone());
        let body = match self.fn_bodies_shadowed.get(&cache) {
            Some(b) => b.clone(),
            None => {
                let decl = &self.schema.fns[f].decl;
                let mut body = decl.body.clone();
                crate::resolve::visit_expr(&mut body, &mut |x| {
                    if let ExprKind::Name(id) = &mut x.kind {
                        if shadowed.contains(&id.name) {
                            id.name = alias(&id.name);
                        }
                    }
                });
                let body = Rc::new(with_args(decl, body, args));
                self.fn_bodies_shadowed.insert(cache, body.clone());
                body
            }
        };
        let depth = self.env.len();
        for n in &shadowed {
            let id = ast::Ident {
                name: n.clone(),
                span: self.schema.fns[f].decl.body.span,
            };
            match self.global_value(&id) {
                Ok(v) => self.env.push((alias(n), v)),
                Err(e) => {
                    self.env.truncate(depth);
                    return Err(e);
                }
            }
        }
        let r = k(self, &body);
        self.env.truncate(depth);
        r
    }

    pub(super) fn call(&mut self, name: &ast::Ident, args: &[ast::Arg], site: &Expr) -> R<Value> {
        let span = site.span;
        if let Some(Global::Fn(f)) = self.schema.globals.get(&name.name).copied() {
            return self.call_fn(f, args, site, &mut |me, body| me.eval(body));
        }
        let a0 = || &args[0].value;
        Ok(match name.name.as_str() {
            "ceil" => Value::Num(self.num(a0())?.ceil()),
            "floor" => Value::Num(self.num(a0())?.floor()),
            "round" => Value::Num(self.num(a0())?.round()),
            "abs" => Value::Num(self.num(a0())?.abs()),
            "min" | "max" => {
                let mut acc: Option<f64> = None;
                for a in args {
                    let v = self.num(&a.value)?;
                    acc = Some(match acc {
                        None => v,
                        Some(x) if name.name == "min" => x.min(v),
                        Some(x) => x.max(v),
                    });
                }
                Value::Num(acc.unwrap_or(0.0))
            }
            "prev" | "next" | "ord" => {
                let x = self.elem_of(a0())?;
                let step = match name.name.as_str() {
                    "prev" => Builtin::Prev,
                    "next" => Builtin::Next,
                    _ => Builtin::Ord,
                };
                self.ordered_step(step, x, span)?
            }
            "prob" | "up" | "mass" => self.scenario_call(&name.name, args, span)?,
            "first" | "last" | "card" => {
                let s = self.set_value(a0())?;
                self.set_end(name.name == "card", name.name == "first", &s, span)?
            }
            other => {
                return Err(runtime_error(
                    Code::E0201,
                    name.span,
                    format!("unknown function `{other}`"),
                    "here",
                ))
            }
        })
    }

    /// The ordered set an element belongs to (for prev/next/ord).
    pub(crate) fn home_set(&mut self, x: ElemId, span: Span) -> R<Rc<SetVal>> {
        let key = self.world.elems[x as usize].key.clone();
        match key {
            ElemKey::Entity(k, _) => {
                let s = self.schema.kinds[k].set;
                self.named_set(s)
            }
            ElemKey::Symbol(s, _) => self.named_set(s),
            ElemKey::Period(_) | ElemKey::Int(_) => {
                // The first named set of the element's type that holds it.
                let want = self.world.elem_ty(x);
                for s in 0..self.schema.sets.len() {
                    if self.schema.sets[s].elem == want {
                        let set = self.named_set(s)?;
                        if set.contains(x) {
                            return Ok(set);
                        }
                    }
                }
                Err(runtime_error(
                    Code::E0606,
                    span,
                    format!("`{}` is in no named set", self.world.name(x)),
                    "declare the set with `set`",
                ))
            }
            ElemKey::Str(_) => Err(runtime_error(
                Code::E0606,
                span,
                "strings are not ordered",
                "here",
            )),
        }
    }
}

/// `body` (of the function `decl`) with each parameter's name replaced by its argument.
fn with_args(decl: &ast::FnDecl, mut body: Expr, args: &[ast::Arg]) -> Expr {
    let map: std::collections::HashMap<String, Expr> = decl
        .params
        .iter()
        .zip(args)
        .map(|(p, a)| (p.name.name.clone(), a.value.clone()))
        .collect();
    crate::resolve::substitute_names(&mut body, &map);
    body
}
