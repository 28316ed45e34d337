//! Typing names, fields and indexing: globals, locals and entity names (with E02xx for an
//! unknown or misused name), attribute access on entities, and indexed params and decisions.
//! Part of expression inference in [`super`].

use super::{decision_ty, T};
use crate::check::symbols::{SymbolId, SymbolKind};
use crate::check::{Checker, ElemTy, Global, Ty};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::resolve::errors as names;
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind};

impl Checker {
    pub(super) fn name(&mut self, id: &ast::Ident) -> T {
        if let Some(l) = self
            .locals
            .iter()
            .rev()
            .find(|l| l.name == id.name)
            .cloned()
        {
            self.add_ref(id.span, l.symbol);
            return T::var(l.ty, l.var);
        }
        if let Some(g) = self.schema.globals.get(&id.name).copied() {
            let sym = self.global_symbol(g);
            self.add_ref(id.span, sym);
            return match g {
                Global::Set(s) => T::of(Ty::Set(self.schema.sets[s].elem)),
                Global::Param(i) => {
                    let p = &self.schema.params[i];
                    let (n, span, ty) = (p.dims.len(), p.span, p.ty);
                    if n > 0 {
                        return self.needs_indices(id, n, span);
                    }
                    T::of(ty)
                }
                Global::Decision(i) => {
                    let d = &self.schema.decisions[i];
                    let (n, span, ty) = (d.dims.len(), d.span, decision_ty(d.var_kind, d.unit));
                    if n > 0 {
                        return self.needs_indices(id, n, span);
                    }
                    T::var(ty, true)
                }
                Global::Kind(k) => {
                    let set = self.schema.kinds[k].set_name.clone();
                    self.error(
                        Diagnostic::error(
                            Code::E0301,
                            format!("`{}` is a kind, not a value", id.name),
                        )
                        .primary(id.span, "a kind")
                        .help(format!("its entities form the set `{set}`")),
                    );
                    T::err()
                }
                Global::Fn(_) => {
                    self.error(
                        Diagnostic::error(Code::E0306, format!("`{}` is a function", id.name))
                            .primary(id.span, "call it with arguments"),
                    );
                    T::err()
                }
                Global::Constraint(_) | Global::Objective(_) | Global::Plan(_) => {
                    self.error(
                        Diagnostic::error(Code::E0301, format!("`{}` is not a value", id.name))
                            .primary(
                                id.span,
                                "constraints, objectives and plans cannot be used in expressions",
                            ),
                    );
                    T::err()
                }
            };
        }
        if let Some(&set) = self.schema.symbol_elems.get(&id.name) {
            return T::of(Ty::Elem(ElemTy::Symbol(set)));
        }
        let entities = self.entities_named(&id.name);
        if let Some(&(kind, sym)) = entities.first() {
            if entities.iter().all(|&(k, _)| k == kind) {
                self.add_ref(id.span, Some(sym));
                return T::of(Ty::Elem(ElemTy::Kind(kind)));
            }
            self.error(
                Diagnostic::error(
                    Code::E0212,
                    format!("`{}` names entities of several kinds", id.name),
                )
                .primary(id.span, "ambiguous"),
            );
            return T::err();
        }
        if self.schema.unknown_data_names {
            // May name an entity loaded from data; checked when the data is loaded.
            return T::of(Ty::Elem(ElemTy::Any));
        }
        self.unknown_name(id);
        T::err()
    }

    /// The entities called `name`, declared in the source or loaded from data: (kind,
    /// symbol). The symbol of a data-loaded entity is made here, the first time it is named:
    /// its definition is the name cell in the data file.
    pub(crate) fn entities_named(&mut self, name: &str) -> Vec<(usize, SymbolId)> {
        let mut v: Vec<(usize, SymbolId)> = self
            .schema
            .entity_names
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| (self.schema.entities[i].kind, self.schema.entities[i].symbol))
            .collect();
        let n = self.schema.data_entities.get(name).map_or(0, |d| d.len());
        for i in 0..n {
            let e = self.schema.data_entities[name][i].clone();
            let sym = match e.symbol {
                Some(s) => s,
                None => {
                    let detail = format!(
                        "{} {name} (from \"{}\")",
                        self.schema.kinds[e.kind].name, self.schema.data_paths[e.path as usize]
                    );
                    let s = self.add_symbol(name, SymbolKind::Entity, e.span, e.span, None, detail);
                    if let Some(d) = self.schema.data_entities.get_mut(name) {
                        d[i].symbol = Some(s);
                    }
                    s
                }
            };
            v.push((e.kind, sym));
        }
        v
    }

    /// The names of the entities of kind `want` (of every kind for `None`), declared in the
    /// source or loaded from data.
    pub(crate) fn entity_names_of(&self, want: Option<usize>) -> Vec<&str> {
        let fits = |k: usize| want.is_none_or(|w| w == k);
        let source = self.schema.entities.iter().filter(|e| fits(e.kind));
        let data = self.schema.data_entities.iter();
        source
            .map(|e| e.name.as_str())
            .chain(
                data.filter(|(_, v)| v.iter().any(|e| fits(e.kind)))
                    .map(|(n, _)| n.as_str()),
            )
            .collect()
    }

    /// Is there an entity of kind `k` called `name` (in the source or in a data file)?
    pub(crate) fn has_entity(&self, name: &str, k: usize) -> bool {
        let schema = &self.schema;
        let source = schema.entity_names.get(name);
        let data = schema.data_entities.get(name);
        source.is_some_and(|v| v.iter().any(|&i| schema.entities[i].kind == k))
            || data.is_some_and(|v| v.iter().any(|e| e.kind == k))
    }

    /// E0302 for an indexed param or decision used without its indices.
    pub(super) fn needs_indices(&mut self, id: &ast::Ident, n: usize, decl: Span) -> T {
        self.error(
            Diagnostic::error(Code::E0302, format!("`{}` needs {n} indices", id.name))
                .primary(id.span, "used without indices")
                .secondary(decl, "declared here"),
        );
        T::err()
    }

    pub(super) fn unknown_name(&mut self, id: &ast::Ident) {
        let mut candidates: Vec<String> = self.locals.iter().map(|l| l.name.clone()).collect();
        candidates.extend(self.schema.globals.keys().cloned());
        candidates.extend(self.schema.entity_names.keys().cloned());
        candidates.extend(self.schema.data_entities.keys().cloned());
        let mut d = Diagnostic::error(Code::E0201, format!("unknown name `{}`", id.name))
            .primary(id.span, "not declared");
        if let Some((a, b)) = id.name.split_once('-') {
            let known = |n: &str| {
                self.locals.iter().any(|l| l.name == n) || self.schema.globals.contains_key(n)
            };
            if known(a) {
                d = d.help(format!(
                    "names may contain hyphens; for a subtraction write `{a} - {b}`"
                ));
                self.error(d);
                return;
            }
        }
        if let Some(s) = names::suggest(&id.name, candidates.iter().map(|s| s.as_str())) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        self.error(d);
    }

    pub(super) fn field(&mut self, t: T, attr: &ast::Ident) -> T {
        match t.ty {
            Ty::Elem(ElemTy::Kind(k)) => {
                if attr.name == "name" {
                    return T::of(Ty::Str);
                }
                match self.schema.kinds[k].attr(&attr.name).cloned() {
                    Some(a) => {
                        self.add_ref(attr.span, a.symbol);
                        T::of(a.ty)
                    }
                    None => {
                        let kind = &self.schema.kinds[k];
                        let names: Vec<&str> = kind.attrs.iter().map(|a| a.name.as_str()).collect();
                        let mut d = Diagnostic::error(
                            Code::E0203,
                            format!("`{}` has no attribute `{}`", kind.name, attr.name),
                        )
                        .primary(attr.span, "unknown attribute");
                        if let Some(s) = names::suggest(&attr.name, names.iter().copied()) {
                            d = d.help(format!("did you mean `{s}`?"));
                        } else if !names.is_empty() {
                            d = d.help(format!("`{}` has {}", kind.name, names.join(", ")));
                        }
                        self.error(d);
                        T::err()
                    }
                }
            }
            Ty::Elem(ElemTy::Any) => {
                let found = self
                    .schema
                    .kinds
                    .iter()
                    .find_map(|k| k.attr(&attr.name).map(|a| a.ty));
                T::of(found.unwrap_or(Ty::Err))
            }
            Ty::Err => T::err(),
            other => {
                let found = self.schema.ty_name(&other);
                self.error(
                    Diagnostic::error(Code::E0203, format!("{found} has no attributes"))
                        .primary(attr.span, format!("`.{}` on {found}", attr.name)),
                );
                T::err()
            }
        }
    }

    pub(super) fn index(&mut self, base: &Expr, args: &[Expr], span: Span) -> T {
        let ExprKind::Name(id) = &base.kind else {
            self.expr(base);
            self.error(
                Diagnostic::error(Code::E0304, "only params and decisions can be indexed")
                    .primary(base.span, "not indexable"),
            );
            return T::err();
        };
        match self.schema.globals.get(&id.name).copied() {
            Some(Global::Param(i)) => {
                let p = self.schema.params[i].clone();
                self.add_ref(id.span, Some(p.symbol));
                self.check_index_args(&p.name, p.span, &p.dims, args, span);
                T::of(p.ty)
            }
            Some(Global::Decision(i)) => {
                let d = self.schema.decisions[i].clone();
                self.add_ref(id.span, Some(d.symbol));
                self.check_index_args(&d.name, d.span, &d.dims, args, span);
                T::var(decision_ty(d.var_kind, d.unit), true)
            }
            Some(Global::Fn(_)) => self.call(
                id,
                &args
                    .iter()
                    .map(|a| ast::Arg {
                        name: None,
                        value: a.clone(),
                    })
                    .collect::<Vec<_>>(),
                span,
            ),
            Some(_) | None => {
                let t = self.expr(base);
                if t.ty != Ty::Err {
                    let found = self.schema.ty_name(&t.ty);
                    self.error(
                        Diagnostic::error(Code::E0304, format!("`{}` cannot be indexed", id.name))
                            .primary(base.span, format!("this is {found}")),
                    );
                }
                for a in args {
                    self.expr(a);
                }
                T::err()
            }
        }
    }
}
