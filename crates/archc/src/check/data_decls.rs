//! Checking data declarations, after collection: sets (including literals that declare new
//! names), entities and their attributes, entity references, index lists, and params with
//! their keys and defaults. Runs before decisions and constraints, which build on them.

use super::{dims_text, errors, type_text, Checker, ElemTy, Global, IndexDim, Local, SetDef, Ty};
use crate::check::symbols::SymbolKind;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::resolve::errors as names;
use crate::syntax::ast;

impl Checker {
    pub(super) fn check_set_decl(&mut self, s: &ast::SetDecl) {
        let Some(Global::Set(id)) = self.schema.globals.get(&s.name.name).copied() else {
            return;
        };
        if crate::scenario::is_scenario_value(&s.value) {
            self.check_scenario_set(id, s);
            return;
        }
        // A literal of unknown bare names declares symbols.
        if let ast::ExprKind::SetLit(items) = &s.value.kind {
            let all_new = !items.is_empty()
                && items.iter().all(|e| matches!(&e.kind, ast::ExprKind::Name(n) if !self.schema.globals.contains_key(&n.name) && !self.schema.entity_names.contains_key(&n.name) && !self.schema.data_entities.contains_key(&n.name)));
            if all_new {
                let mut syms = Vec::new();
                for e in items {
                    if let ast::ExprKind::Name(n) = &e.kind {
                        if self
                            .schema
                            .symbol_elems
                            .insert(n.name.clone(), id)
                            .is_some()
                        {
                            self.error(
                                Diagnostic::error(
                                    Code::E0202,
                                    format!("element `{}` is declared twice", n.name),
                                )
                                .primary(n.span, "declared again here"),
                            );
                        }
                        self.add_symbol(
                            &n.name,
                            SymbolKind::Entity,
                            n.span,
                            s.value.span,
                            None,
                            format!("element of {}", s.name.name),
                        );
                        syms.push(n.clone());
                    }
                }
                self.schema.sets[id].elem = ElemTy::Symbol(id);
                self.schema.sets[id].def = SetDef::Symbols(syms);
                return;
            }
        }
        let elem = self.set_elem(&s.value);
        if let Some(elem) = elem {
            self.schema.sets[id].elem = elem;
        }
    }

    pub(super) fn check_entity(&mut self, i: usize) {
        let e = self.schema.entities[i].clone();
        let kind = self.schema.kinds[e.kind].clone();
        let mut seen = std::collections::HashSet::new();
        for a in &e.decl.attrs {
            let Some(info) = kind.attr(&a.name.name) else {
                let mut d = Diagnostic::error(
                    Code::E0203,
                    format!("`{}` has no attribute `{}`", kind.name, a.name.name),
                )
                .primary(a.name.span, "unknown attribute");
                let names: Vec<&str> = kind.attrs.iter().map(|x| x.name.as_str()).collect();
                if let Some(s) = names::suggest(&a.name.name, names.iter().copied()) {
                    d = d.help(format!("did you mean `{s}`?"));
                } else {
                    d = d.help(format!(
                        "declare it: `kind {} {{ {}: ... }}`",
                        kind.name, a.name.name
                    ));
                }
                self.error(d);
                continue;
            };
            seen.insert(a.name.name.clone());
            self.add_ref(a.name.span, info.symbol);
            let t = self.expr(&a.value);
            self.expect_value(
                &t,
                &a.value,
                &info.ty,
                &format!("`{}.{}`", kind.name, a.name.name),
                Some(info.span),
            );
        }
        if let Some(l) = &e.decl.link {
            for end in [&l.src, &l.dst] {
                self.resolve_entity_ref(end, kind.attr("src").map(|a| a.ty));
            }
        }
        for a in &kind.attrs {
            let is_link_end = e.decl.link.is_some() && (a.name == "src" || a.name == "dst");
            if a.default.is_none() && !seen.contains(&a.name) && !is_link_end {
                let d = Diagnostic::error(
                    Code::E0208,
                    format!("{} `{}` does not set `{}`", kind.name, e.name, a.name),
                )
                .primary(e.span, format!("`{}` is missing", a.name));
                let d = if self.prelude == Some(a.span.file) {
                    // A built-in attribute: the ends of a link, which get no default.
                    d.help(format!(
                        "`{}` is built in: declare the {} with its ends, `{} a -> b`",
                        a.name, kind.name, kind.name
                    ))
                } else {
                    d.secondary(a.span, "declared here without a default")
                        .help(format!(
                            "set `{}: ...` or give the attribute a default",
                            a.name
                        ))
                };
                self.error(d);
            }
        }
    }

    pub(super) fn resolve_entity_ref(&mut self, id: &ast::Ident, expected: Option<Ty>) {
        let want = match expected {
            Some(Ty::Elem(ElemTy::Kind(k))) => Some(k),
            _ => None,
        };
        let found = self
            .entities_named(&id.name)
            .into_iter()
            .find(|&(k, _)| want.is_none_or(|w| w == k));
        match found {
            Some((_, s)) => self.add_ref(id.span, Some(s)),
            None if self.schema.unknown_data_names => {}
            None => {
                let known = self.entity_names_of(want);
                let mut d = Diagnostic::error(Code::E0201, format!("unknown entity `{}`", id.name))
                    .primary(id.span, "no entity of this name");
                if let Some(s) = names::suggest(&id.name, known.into_iter()) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.error(d);
            }
        }
    }

    /// Bind an index list's variables (pushes locals; the caller pops them).
    pub(crate) fn bind_index(&mut self, index: &ast::IndexList, place: &str) -> Vec<IndexDim> {
        let mut dims = Vec::new();
        for b in &index.bindings {
            let elem = self.set_elem(&b.set).unwrap_or(ElemTy::Any);
            let name = b.var.as_ref().map(|v| v.name.clone()).unwrap_or_default();
            if let Some(v) = &b.var {
                if dims.iter().any(|d: &IndexDim| d.var == v.name) {
                    self.error(
                        Diagnostic::error(
                            Code::E0213,
                            format!("index `{}` is bound twice", v.name),
                        )
                        .primary(v.span, "bound again here"),
                    );
                }
                let detail = format!("{} in {}", v.name, self.schema.elem_name(elem));
                let sym =
                    self.add_symbol(&v.name, SymbolKind::IndexVar, v.span, b.span, None, detail);
                self.locals.push(Local {
                    name: v.name.clone(),
                    ty: Ty::Elem(elem),
                    symbol: Some(sym),
                    var: false,
                });
            } else {
                self.locals.push(Local {
                    name: String::new(),
                    ty: Ty::Elem(elem),
                    symbol: None,
                    var: false,
                });
            }
            dims.push(IndexDim {
                var: name,
                elem,
                set: b.set.clone(),
            });
        }
        if let Some(f) = &index.filter {
            let t = self.expr(f);
            if !matches!(t.ty, Ty::Bool | Ty::Err) {
                let found = self.schema.ty_name(&t.ty);
                self.error(errors::type_mismatch(
                    f.span,
                    "a condition after `where`",
                    &found,
                ));
            }
            if t.var {
                self.error(errors::needs_data(
                    f.span,
                    &format!("the `where` filter of {place}"),
                ));
            }
        }
        dims
    }

    /// `>= 0` after the type of an attribute or param: only zero, and only on numbers
    /// (E0310). Returns true when the values are declared non-negative.
    pub(super) fn check_sign_bound(&mut self, lower: Option<&ast::Expr>, ty: &Ty) -> bool {
        let Some(e) = lower else {
            return false;
        };
        let zero = matches!(e.kind, ast::ExprKind::Number(n) if n == 0.0);
        let number = matches!(ty, Ty::Num { .. } | Ty::Err);
        if zero && number {
            return true;
        }
        let (label, help) = if number {
            (
                "not 0",
                "write `>= 0` to reject negative values; other limits belong in constraints",
            )
        } else {
            (
                "the values are not numbers",
                "only numeric attributes and params can be declared `>= 0`",
            )
        };
        self.error(
            Diagnostic::error(
                Code::E0310,
                "only `>= 0` may follow the type of an attribute or param",
            )
            .primary(e.span, label)
            .help(help),
        );
        false
    }

    pub(super) fn check_param(&mut self, i: usize) {
        let p = self.schema.params[i].clone();
        let depth = self.locals.len();
        let dims = match &p.decl.index {
            Some(ix) => self.bind_index(ix, "a param"),
            None => Vec::new(),
        };
        let (ty, unit_text) = self.type_of_type(&p.decl.ty);
        self.check_sign_bound(p.decl.lower.as_ref(), &ty);
        self.schema.params[i].dims = dims.clone();
        self.schema.params[i].ty = ty;
        self.schema.params[i].unit_text = unit_text.clone();
        self.symbols[p.symbol.0 as usize].detail = format!(
            "param {}{}: {}",
            p.name,
            dims_text(&dims),
            type_text(&p.decl.ty)
        );
        match &p.decl.value {
            Some(ast::ParamValue::Expr(e)) if crate::forecast::is_call(e) => {
                self.check_forecast(i, e, &dims, &ty);
            }
            Some(ast::ParamValue::Expr(e)) if crate::forecast::aggregate::is_call(e) => {
                self.check_aggregate(i, e, &dims, &ty);
            }
            Some(ast::ParamValue::Expr(e)) => {
                if let ast::ExprKind::Map(entries) = &e.kind {
                    for (keys, v) in entries {
                        if keys.len() != dims.len() {
                            self.error(
                                Diagnostic::error(
                                    Code::E0302,
                                    format!(
                                        "`{}` has {} indices, this key has {}",
                                        p.name,
                                        dims.len(),
                                        keys.len()
                                    ),
                                )
                                .primary(keys.first().map(|k| k.span).unwrap_or(v.span), "key"),
                            );
                        }
                        for (k, d) in keys.iter().zip(&dims) {
                            self.check_key(k, d.elem);
                        }
                        let t = self.expr(v);
                        self.expect_value(
                            &t,
                            v,
                            &ty,
                            &format!("a value of `{}`", p.name),
                            Some(p.decl.ty.span),
                        );
                    }
                } else {
                    let t = self.expr(e);
                    if t.var {
                        self.error(errors::needs_data(e.span, "a param value"));
                    }
                    self.expect_value(
                        &t,
                        e,
                        &ty,
                        &format!("the value of `{}`", p.name),
                        Some(p.decl.ty.span),
                    );
                }
            }
            Some(ast::ParamValue::From(_)) | None => {}
        }
        self.locals.truncate(depth);
    }

    pub(super) fn check_key(&mut self, k: &ast::Expr, elem: ElemTy) {
        match &k.kind {
            ast::ExprKind::Name(n) => {
                if let Some(&set) = self.schema.symbol_elems.get(&n.name) {
                    if elem != ElemTy::Symbol(set) && elem != ElemTy::Any {
                        let want = self.schema.elem_name(elem);
                        self.error(errors::type_mismatch(
                            k.span,
                            &want,
                            &format!("an element of `{}`", self.schema.sets[set].name),
                        ));
                    }
                } else {
                    let want = match elem {
                        ElemTy::Kind(kid) => Some(Ty::Elem(ElemTy::Kind(kid))),
                        _ => None,
                    };
                    self.resolve_entity_ref(n, want);
                }
            }
            _ => {
                self.expr(k);
            }
        }
    }
}
