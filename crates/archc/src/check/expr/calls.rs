//! Typing calls and aggregates: built-in functions, user `fn`s (checked at each call with the
//! argument types) and `sum`/`count`/`min`/`max`/`exists`/`forall` over index lists. Part of
//! expression inference in [`super`].

use super::{BUILTINS, T};
use crate::check::{errors, Checker, Global, Local, Ty};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::resolve::errors as names;
use crate::span::Span;
use crate::syntax::ast::{self, AggKind, Expr};

impl Checker {
    pub(super) fn call(&mut self, name: &ast::Ident, args: &[ast::Arg], span: Span) -> T {
        if name.name == crate::forecast::NAME && !self.schema.globals.contains_key(&name.name) {
            self.error(crate::check::forecast::misplaced(span));
            return T::err();
        }
        if name.name == crate::forecast::aggregate::NAME
            && !self.schema.globals.contains_key(&name.name)
        {
            self.error(crate::check::aggregate::misplaced(span));
            return T::err();
        }
        if let Some(Global::Fn(i)) = self.schema.globals.get(&name.name).copied() {
            let f = self.schema.fns[i].clone();
            self.add_ref(name.span, Some(f.symbol));
            if f.decl.params.len() != args.len() {
                self.error(
                    Diagnostic::error(
                        Code::E0306,
                        format!(
                            "`{}` takes {} arguments, {} given",
                            name.name,
                            f.decl.params.len(),
                            args.len()
                        ),
                    )
                    .primary(span, "wrong number of arguments")
                    .secondary(f.decl.name.span, "declared here"),
                );
                return T::err();
            }
            if self.fn_depth.contains(&name.name) {
                self.error(
                    Diagnostic::error(Code::E0309, format!("`{}` calls itself", name.name))
                        .primary(name.span, "recursive call"),
                );
                return T::err();
            }
            if self.fn_limit_hit {
                return T::err();
            }
            self.fn_expansions += 1;
            if self.fn_depth.len() >= MAX_FN_DEPTH || self.fn_expansions > MAX_FN_EXPANSIONS {
                self.fn_limit_hit = true;
                self.error(fn_limit(name, &self.fn_depth, self.fn_expansions));
                return T::err();
            }
            let mut bound = Vec::new();
            let mut var = false;
            for (p, a) in f.decl.params.iter().zip(args) {
                let t = self.expr(&a.value);
                var |= t.var;
                if let Some(pt) = &p.ty {
                    let (want, _) = self.type_of_type(pt);
                    self.expect_value(
                        &t,
                        &a.value,
                        &want,
                        &format!("argument `{}`", p.name.name),
                        Some(pt.span),
                    );
                }
                bound.push(Local {
                    name: p.name.name.clone(),
                    ty: t.ty,
                    symbol: None,
                    var: t.var,
                });
            }
            // The body sees only the parameters and globals.
            let saved = std::mem::replace(&mut self.locals, bound);
            self.fn_depth.push(name.name.clone());
            let r = self.expr(&f.decl.body);
            self.fn_depth.pop();
            self.locals = saved;
            return T::var(r.ty, r.var || var);
        }
        if super::moves::MOVE_BUILTINS.contains(&name.name.as_str()) {
            return self.move_call(name, args, span);
        }
        let ts: Vec<T> = args.iter().map(|a| self.expr(&a.value)).collect();
        let var = ts.iter().any(|t| t.var);
        let arity = |c: &mut Checker, n: usize| -> bool {
            if ts.len() != n {
                c.error(
                    Diagnostic::error(
                        Code::E0306,
                        format!(
                            "`{}` takes {n} argument{}, {} given",
                            name.name,
                            if n == 1 { "" } else { "s" },
                            ts.len()
                        ),
                    )
                    .primary(span, "wrong number of arguments"),
                );
                false
            } else {
                true
            }
        };
        match name.name.as_str() {
            "ceil" | "floor" | "round" | "abs" => {
                if !arity(self, 1) {
                    return T::err();
                }
                if var && name.name != "abs" {
                    self.error(
                        Diagnostic::error(
                            Code::E0305,
                            format!("`{}` of a decision is not linear", name.name),
                        )
                        .primary(span, "depends on a decision")
                        .help("`ceil` and `floor` work on data, or in `plan` costs"),
                    );
                }
                match ts[0].ty.as_num() {
                    Some((unit, _)) => T::var(
                        Ty::Num {
                            unit,
                            int: name.name != "abs",
                        },
                        var,
                    ),
                    None => self.not_number(&args[0].value, &ts[0]),
                }
            }
            "min" | "max" => {
                if ts.len() < 2 {
                    arity(self, 2);
                    return T::err();
                }
                let Some((u0, _)) = ts[0].ty.as_num() else {
                    return self.not_number(&args[0].value, &ts[0]);
                };
                for (t, a) in ts.iter().zip(args).skip(1) {
                    match t.ty.as_num() {
                        Some((u, _)) if !u.same_dim(&u0) && !t.zero && !ts[0].zero => {
                            let (x, y) = (self.unit_text(&u0), self.unit_text(&u));
                            self.error(errors::cannot_compare(
                                args[0].value.span,
                                &x,
                                a.value.span,
                                &y,
                            ));
                        }
                        Some(_) => {}
                        None => {
                            self.not_number(&a.value, t);
                        }
                    }
                }
                let int = ts.iter().all(|t| t.ty.as_num().is_some_and(|(_, i)| i));
                T::var(Ty::Num { unit: u0, int }, var)
            }
            "prev" | "next" => {
                if !arity(self, 1) {
                    return T::err();
                }
                match ts[0].ty {
                    Ty::Elem(_) | Ty::Err => T::of(ts[0].ty),
                    other => {
                        let found = self.schema.ty_name(&other);
                        self.error(errors::type_mismatch(
                            args[0].value.span,
                            "an element of an ordered set",
                            &found,
                        ));
                        T::err()
                    }
                }
            }
            "ord" => {
                if !arity(self, 1) {
                    return T::err();
                }
                T::of(Ty::count())
            }
            "first" | "last" | "card" => {
                if !arity(self, 1) {
                    return T::err();
                }
                match ts[0].ty {
                    Ty::Set(el) => {
                        if name.name == "card" {
                            T::of(Ty::count())
                        } else {
                            T::of(Ty::Elem(el))
                        }
                    }
                    Ty::Err => T::err(),
                    other => {
                        let found = self.schema.ty_name(&other);
                        self.error(errors::type_mismatch(args[0].value.span, "a set", &found));
                        T::err()
                    }
                }
            }
            "prob" | "up" | "mass" => self.scenario_call(name, args, &ts, span),
            _ => {
                let mut candidates: Vec<String> = BUILTINS.iter().map(|s| s.to_string()).collect();
                candidates.extend(self.schema.fns.iter().map(|f| f.decl.name.name.clone()));
                let mut d =
                    Diagnostic::error(Code::E0201, format!("unknown function `{}`", name.name))
                        .primary(name.span, "not a function");
                if let Some(s) = names::suggest(&name.name, candidates.iter().map(|s| s.as_str())) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.error(d);
                T::err()
            }
        }
    }

    pub(super) fn aggregate(
        &mut self,
        kind: AggKind,
        index: &ast::IndexList,
        body: Option<&Expr>,
        span: Span,
    ) -> T {
        if kind.is_risk() {
            return self.risk_aggregate(kind, index, body, span);
        }
        let depth = self.locals.len();
        self.bind_index(index, &format!("`{}`", kind.name()));
        let t = body.map(|b| (b, self.expr(b)));
        self.locals.truncate(depth);
        match kind {
            AggKind::Count => {
                let var = match t {
                    Some((b, bt)) => {
                        self.want_bool(b, &bt);
                        bt.var
                    }
                    None => false,
                };
                T::var(Ty::count(), var)
            }
            AggKind::Exists | AggKind::Forall => match t {
                Some((b, bt)) => {
                    self.want_bool(b, &bt);
                    T::var(Ty::Bool, bt.var)
                }
                None => {
                    self.error(
                        Diagnostic::error(
                            Code::E0306,
                            format!("`{}` needs a condition after the parentheses", kind.name()),
                        )
                        .primary(span, "no condition"),
                    );
                    T::err()
                }
            },
            _ => match t {
                Some((b, bt)) => match bt.ty.as_num() {
                    Some((unit, int)) => T::var(Ty::Num { unit, int }, bt.var),
                    None => self.not_number(b, &bt),
                },
                None => {
                    self.error(
                        Diagnostic::error(
                            Code::E0306,
                            format!("`{}` needs a value after the parentheses", kind.name()),
                        )
                        .primary(span, "nothing to add up")
                        .help(format!("write `{}(x in S) value`", kind.name())),
                    );
                    T::err()
                }
            },
        }
    }
}

/// Deepest chain of function calls inside one another (each call is inlined, so the chain
/// is also the depth of recursion of the checker and the evaluator).
pub const MAX_FN_DEPTH: usize = 64;

/// Function bodies inlined in one model: calls that each call the next twice grow as 2^n,
/// so the total is bounded before the work is done.
pub const MAX_FN_EXPANSIONS: u64 = 1_000_000;

/// E0320: the call of `name` goes past [`MAX_FN_DEPTH`] or [`MAX_FN_EXPANSIONS`].
fn fn_limit(name: &crate::syntax::ast::Ident, chain: &[String], expansions: u64) -> Diagnostic {
    if chain.len() >= MAX_FN_DEPTH {
        let shown: Vec<&str> = chain.iter().take(3).map(|s| s.as_str()).collect();
        Diagnostic::error(
            Code::E0320,
            format!("function calls nested more than {MAX_FN_DEPTH} deep"),
        )
        .primary(
            name.span,
            format!(
                "call {} of the chain {} -> ... -> {}",
                chain.len() + 1,
                shown.join(" -> "),
                name.name
            ),
        )
        .help("flatten the chain: let one function compute what several nested ones do")
    } else {
        Diagnostic::error(
            Code::E0320,
            format!("function calls expand to more than {MAX_FN_EXPANSIONS} bodies"),
        )
        .primary(
            name.span,
            format!("call {expansions} of `{}`: the calls multiply at each level", name.name),
        )
        .help("a function that calls another twice doubles the work per level; call it once and reuse the value")
    }
}
