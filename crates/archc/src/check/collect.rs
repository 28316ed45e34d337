//! The first pass of checking: declare every global (units, kinds, entities, sets, params,
//! decisions, constraints, objectives, functions, templates, plans, tests) with its symbol,
//! so the checks of [`super::data_decls`] and [`super::model_decls`] can refer to any of them
//! regardless of order in the source.

use super::{
    errors, plan, plural, type_text, AttrInfo, Checker, ConstraintInfo, DecisionInfo, ElemTy,
    EntityInfo, FnInfo, Global, KindInfo, ObjectiveInfo, ParamInfo, SetDef, SetInfo, Ty,
};
use crate::check::symbols::SymbolKind;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::ir::VarKind;
use crate::resolve::errors as names;
use crate::resolve::Program;
use crate::span::Span;
use crate::syntax::ast::{self, ItemKind};
use crate::units::Unit;

impl Checker {
    // ------------------------------------------------------------------ collection

    pub(super) fn collect(&mut self, program: &Program, data: &super::DataNames) {
        // Units first: everything else may use them.
        for p in &program.items {
            if let ItemKind::Unit(u) = &p.item.kind {
                let sym = self.add_symbol(
                    &u.name.name,
                    SymbolKind::Unit,
                    u.name.span,
                    p.item.span,
                    p.item.doc.clone(),
                    format!("unit {}", u.name.name),
                );
                let _ = sym;
                let res = match &u.value {
                    None => self.schema.units.declare_base(&u.name.name).map(|_| ()),
                    Some(v) => {
                        let unit = match &v.kind {
                            ast::ExprKind::Quantity(n, ue) => {
                                self.parse_unit(&ue.text, ue.span).map(|x| x.scaled(*n))
                            }
                            ast::ExprKind::Number(n) => Some(Unit::dimensionless().scaled(*n)),
                            _ => {
                                self.error(errors::type_mismatch(
                                    v.span,
                                    "a quantity like `42 core`",
                                    "an expression",
                                ));
                                None
                            }
                        };
                        match unit {
                            Some(unit) => self.schema.units.declare_derived(&u.name.name, unit),
                            None => Ok(()),
                        }
                    }
                };
                if let Err(e) = res {
                    self.error(
                        Diagnostic::error(
                            Code::E0406,
                            format!("cannot declare unit `{}`", u.name.name),
                        )
                        .primary(u.name.span, e.to_string())
                        .help("choose another name"),
                    );
                }
            }
        }
        // Kinds: names, then attributes (attribute types may name kinds).
        for p in &program.items {
            if let ItemKind::Kind(k) = &p.item.kind {
                if self.schema.kind_by_name(&k.name.name).is_none() {
                    let set_name = plural(&k.name.name);
                    let kid = self.schema.kinds.len();
                    let set_id = self.schema.sets.len();
                    let ksym = self.add_symbol(
                        &k.name.name,
                        SymbolKind::Kind,
                        k.name.span,
                        p.item.span,
                        p.item.doc.clone(),
                        format!("kind {} (set `{}`)", k.name.name, set_name),
                    );
                    let _ = ksym;
                    let ssym = self.add_symbol(
                        &set_name,
                        SymbolKind::Set,
                        k.name.span,
                        p.item.span,
                        None,
                        format!("set {set_name}: every {}", k.name.name),
                    );
                    self.schema.kinds.push(KindInfo {
                        name: k.name.name.clone(),
                        set_name: set_name.clone(),
                        set: set_id,
                        span: k.name.span,
                        attrs: Vec::new(),
                        attr_index: Default::default(),
                        data_sources: Vec::new(),
                    });
                    self.schema.sets.push(SetInfo {
                        name: set_name.clone(),
                        span: k.name.span,
                        elem: ElemTy::Kind(kid),
                        def: SetDef::Kind(kid),
                        symbol: Some(ssym),
                    });
                    self.schema
                        .globals
                        .insert(k.name.name.clone(), Global::Kind(kid));
                    self.schema.globals.insert(set_name, Global::Set(set_id));
                }
            }
        }
        for p in &program.items {
            if let ItemKind::Kind(k) = &p.item.kind {
                let Some(kid) = self.schema.kind_by_name(&k.name.name) else {
                    continue;
                };
                let mut built_in = Vec::new();
                for a in &k.attrs {
                    let (ty, unit_text) = self.type_of_type(&a.ty);
                    let non_negative = self.check_sign_bound(a.lower.as_ref(), &ty);
                    if let Some(&i) = self.schema.kinds[kid].attr_index.get(&a.name.name) {
                        let prev = self.schema.kinds[kid].attrs[i].span;
                        if self.prelude.is_some_and(|f| f == prev.file && f != p.file) {
                            built_in.push(a);
                            continue;
                        }
                        self.error(
                            Diagnostic::error(
                                Code::E0202,
                                format!(
                                    "attribute `{}` of `{}` is declared twice",
                                    a.name.name, k.name.name
                                ),
                            )
                            .primary(a.name.span, "declared again here")
                            .secondary(prev, "first declared here"),
                        );
                        continue;
                    }
                    let detail = format!("{}.{}: {}", k.name.name, a.name.name, type_text(&a.ty));
                    let sym = self.add_symbol(
                        &a.name.name,
                        SymbolKind::Attribute,
                        a.name.span,
                        a.span,
                        a.doc.clone(),
                        detail,
                    );
                    let kind = &mut self.schema.kinds[kid];
                    kind.attr_index
                        .insert(a.name.name.clone(), kind.attrs.len());
                    kind.attrs.push(AttrInfo {
                        name: a.name.name.clone(),
                        ty,
                        unit_text,
                        default: a.default.clone(),
                        non_negative,
                        span: a.name.span,
                        doc: a.doc.clone(),
                        symbol: Some(sym),
                    });
                }
                if !built_in.is_empty() {
                    let d = built_in_attributes(program, &k.name.name, &built_in);
                    self.error(d);
                }
            }
        }
        // Entities and data sources.
        for p in &program.items {
            match &p.item.kind {
                ItemKind::Entity(e) => self.collect_entity(e, &p.item),
                ItemKind::EntitiesFrom(f) => {
                    let kid = self
                        .schema
                        .kinds
                        .iter()
                        .position(|k| k.set_name == f.set.name);
                    match kid {
                        Some(k) => {
                            if let Some(key) = &f.key {
                                self.check_key_column(k, key);
                            }
                            self.schema.kinds[k].data_sources.push((
                                f.path.clone(),
                                p.file,
                                f.key_column().to_string(),
                            ));
                            match data.get(&f.path.span) {
                                Some(Some(names)) => self.collect_data_entities(k, f, names),
                                _ => self.schema.unknown_data_names = true,
                            }
                            let sym = self.schema.sets[self.schema.kinds[k].set].symbol;
                            self.add_ref(f.set.span, sym);
                        }
                        None => {
                            let sets: Vec<String> = self
                                .schema
                                .kinds
                                .iter()
                                .map(|k| k.set_name.clone())
                                .collect();
                            let mut d = Diagnostic::error(
                                Code::E0207,
                                format!("`{}` is not the set of a kind", f.set.name),
                            )
                            .primary(f.set.span, "entities load into a kind's set");
                            if let Some(s) =
                                names::suggest(&f.set.name, sets.iter().map(|s| s.as_str()))
                            {
                                d = d.help(format!("did you mean `{s}`?"));
                            }
                            self.error(d);
                        }
                    }
                }
                _ => {}
            }
        }
        // Other globals.
        for p in &program.items {
            let item = &p.item;
            match &item.kind {
                ItemKind::Set(s) => {
                    let sym = self.add_symbol(
                        &s.name.name,
                        SymbolKind::Set,
                        s.name.span,
                        item.span,
                        item.doc.clone(),
                        format!("set {}", s.name.name),
                    );
                    let id = self.schema.sets.len();
                    if self.declare_global(&s.name, Global::Set(id), sym) {
                        self.schema.sets.push(SetInfo {
                            name: s.name.name.clone(),
                            span: s.name.span,
                            elem: ElemTy::Any,
                            def: SetDef::Expr(s.value.clone()),
                            symbol: Some(sym),
                        });
                    }
                }
                ItemKind::Param(d) => {
                    let sym = self.add_symbol(
                        &d.name.name,
                        SymbolKind::Param,
                        d.name.span,
                        item.span,
                        item.doc.clone(),
                        format!("param {}", d.name.name),
                    );
                    let id = self.schema.params.len();
                    if self.declare_global(&d.name, Global::Param(id), sym) {
                        self.schema.params.push(ParamInfo {
                            name: d.name.name.clone(),
                            span: d.name.span,
                            decl: d.clone(),
                            dims: Vec::new(),
                            ty: Ty::Err,
                            unit_text: String::new(),
                            file: p.file,
                            symbol: sym,
                        });
                    }
                }
                ItemKind::Decide(d) => {
                    let sym = self.add_symbol(
                        &d.name.name,
                        SymbolKind::Decision,
                        d.name.span,
                        item.span,
                        item.doc.clone(),
                        format!("decide {}", d.name.name),
                    );
                    let id = self.schema.decisions.len();
                    if self.declare_global(&d.name, Global::Decision(id), sym) {
                        self.schema.decisions.push(DecisionInfo {
                            name: d.name.name.clone(),
                            span: d.name.span,
                            decl: d.clone(),
                            dims: Vec::new(),
                            var_kind: VarKind::Continuous,
                            unit: Unit::dimensionless(),
                            unit_text: String::new(),
                            symbol: sym,
                        });
                    }
                }
                ItemKind::Constraint(d) => {
                    let sym = self.add_symbol(
                        &d.name.name,
                        SymbolKind::Constraint,
                        d.name.span,
                        item.span,
                        item.doc.clone(),
                        format!("constraint {}", d.name.name),
                    );
                    let id = self.schema.constraints.len();
                    if self.declare_global(&d.name, Global::Constraint(id), sym) {
                        self.schema.constraints.push(ConstraintInfo {
                            name: d.name.name.clone(),
                            span: d.name.span,
                            decl: d.clone(),
                            dims: Vec::new(),
                            symbol: sym,
                        });
                    }
                }
                ItemKind::Objective(d) => {
                    let name = d
                        .name
                        .as_ref()
                        .map(|n| n.name.clone())
                        .unwrap_or_else(|| "objective".into());
                    let nspan = d.name.as_ref().map(|n| n.span).unwrap_or(item.span);
                    let sym = self.add_symbol(
                        &name,
                        SymbolKind::Objective,
                        nspan,
                        item.span,
                        item.doc.clone(),
                        format!("objective {name}"),
                    );
                    let _ = sym;
                    let id = self.schema.objectives.len();
                    if let Some(n) = &d.name {
                        if !self.declare_global(n, Global::Objective(id), sym) {
                            continue;
                        }
                    }
                    self.schema.objectives.push(ObjectiveInfo {
                        name,
                        span: nspan,
                        decl: d.clone(),
                        unit: Unit::dimensionless(),
                        unit_text: String::new(),
                        relative_tolerance: false,
                    });
                }
                ItemKind::Fn(d) => {
                    let params: Vec<String> =
                        d.params.iter().map(|p| p.name.name.clone()).collect();
                    let sym = self.add_symbol(
                        &d.name.name,
                        SymbolKind::Function,
                        d.name.span,
                        item.span,
                        item.doc.clone(),
                        format!("fn {}({})", d.name.name, params.join(", ")),
                    );
                    let id = self.schema.fns.len();
                    if self.declare_global(&d.name, Global::Fn(id), sym) {
                        self.schema.fns.push(FnInfo {
                            decl: d.clone(),
                            symbol: sym,
                        });
                    }
                }
                ItemKind::Template(t) => {
                    self.add_symbol(
                        &t.name.name,
                        SymbolKind::Template,
                        t.name.span,
                        item.span,
                        item.doc.clone(),
                        format!("template {}", t.name.name),
                    );
                }
                ItemKind::Plan(d) => {
                    let sym = self.add_symbol(
                        &d.name.name,
                        SymbolKind::Plan,
                        d.name.span,
                        item.span,
                        item.doc.clone(),
                        format!("plan {}", d.name.name),
                    );
                    let id = self.schema.plans.len();
                    if self.declare_global(&d.name, Global::Plan(id), sym) {
                        self.schema.plans.push(plan::PlanInfo {
                            name: d.name.name.clone(),
                            span: d.name.span,
                            decl: d.clone(),
                            dims: Vec::new(),
                            stage_elem: ElemTy::Any,
                            states: Vec::new(),
                            choose: None,
                            cost_unit: Unit::dimensionless(),
                            cost_unit_text: String::new(),
                            symbol: sym,
                        });
                    }
                }
                ItemKind::Test(t) => self.schema.tests.push(t.clone()),
                ItemKind::Partition(p) => self.schema.partition_decls.push((p.clone(), item.span)),
                _ => {}
            }
        }
    }

    pub(super) fn collect_entity(&mut self, e: &ast::EntityDecl, item: &ast::Item) {
        let Some(kid) = self.schema.kind_by_name(&e.kind.name) else {
            let kinds: Vec<String> = self.schema.kinds.iter().map(|k| k.name.clone()).collect();
            let mut d = Diagnostic::error(Code::E0207, format!("unknown kind `{}`", e.kind.name))
                .primary(e.kind.span, "not a kind");
            if let Some(s) = names::suggest(&e.kind.name, kinds.iter().map(|s| s.as_str())) {
                d = d.help(format!("did you mean `{s}`?"));
            } else {
                d = d.help(format!("declare it with `kind {} {{ ... }}`", e.kind.name));
            }
            self.error(d);
            return;
        };
        let add = |c: &mut Checker, name: &str, span: Span, decl: ast::EntityDecl| {
            if let Some(prev) = c
                .schema
                .entity_names
                .get(name)
                .and_then(|v| v.iter().find(|&&i| c.schema.entities[i].kind == kid))
            {
                let ps = c.schema.entities[*prev].span;
                c.error(
                    Diagnostic::error(
                        Code::E0202,
                        format!("{} `{}` is declared twice", c.schema.kinds[kid].name, name),
                    )
                    .primary(span, "declared again here")
                    .secondary(ps, "first declared here"),
                );
                return;
            }
            let detail = format!("{} {}", c.schema.kinds[kid].name, name);
            let sym = c.add_symbol(
                name,
                SymbolKind::Entity,
                span,
                item.span,
                item.doc.clone(),
                detail,
            );
            let idx = c.schema.entities.len();
            c.schema.entities.push(EntityInfo {
                kind: kid,
                name: name.to_string(),
                span,
                decl,
                symbol: sym,
            });
            c.schema
                .entity_names
                .entry(name.to_string())
                .or_default()
                .push(idx);
        };
        match &e.link {
            None => add(self, &e.name.name, e.name.span, e.clone()),
            Some(l) => {
                add(self, &e.name.name, e.name.span, e.clone());
                if l.both {
                    let mut rev = e.clone();
                    let rl = LinkSwap::swap(l);
                    rev.name = ast::Ident {
                        name: format!("{}->{}", l.dst.name, l.src.name),
                        span: e.name.span,
                    };
                    rev.link = Some(rl);
                    let (n, s) = (rev.name.name.clone(), l.dst.span.to(l.src.span));
                    add(self, &n, s, rev);
                }
            }
        }
    }
}

/// A `kind` block that declares attributes the prelude gives the kind (`kind link { src:
/// node, dst: node }`): the built-in ones cannot change, so the error says what they are and
/// how to get a kind with other ends. Labels stay on the user's declaration.
fn built_in_attributes(program: &Program, kind: &str, redeclared: &[&ast::AttrDecl]) -> Diagnostic {
    let built_in: Vec<&ast::AttrDecl> = program
        .items
        .iter()
        .filter(|p| Some(p.file) == program.prelude)
        .filter_map(|p| match &p.item.kind {
            ItemKind::Kind(k) if k.name.name == kind => Some(k.attrs.iter()),
            _ => None,
        })
        .flatten()
        .collect();
    let built_in_type = |name: &str| {
        built_in
            .iter()
            .find(|a| a.name.name == name)
            .map(|a| type_text(&a.ty))
            .unwrap_or_default()
    };
    let names: Vec<String> = built_in
        .iter()
        .map(|a| format!("`{}`", a.name.name))
        .collect();
    let types: Vec<String> = built_in.iter().map(|a| type_text(&a.ty)).collect();
    let message = match (names.as_slice(), types.as_slice()) {
        ([a, b], [t, u]) if t == u => format!(
            "`{kind}` is built in: it joins two {} through {a} and {b}",
            plural(t)
        ),
        _ => format!("`{kind}` is built in with {}", names.join(", ")),
    };
    let mut d = Diagnostic::error(Code::E0202, message);
    for (i, a) in redeclared.iter().enumerate() {
        let label = format!(
            "`{}` is built in as `{}`",
            a.name.name,
            built_in_type(&a.name.name)
        );
        d = if i == 0 {
            d.primary(a.span, label)
        } else {
            d.secondary(a.span, label)
        };
    }
    let example: Vec<String> = built_in
        .iter()
        .map(|b| {
            let ty = redeclared
                .iter()
                .find(|a| a.name.name == b.name.name)
                .map_or_else(|| type_text(&b.ty), |a| type_text(&a.ty));
            format!("{}: {ty}", b.name.name)
        })
        .collect();
    d.note(format!(
        "a `kind {kind} {{ ... }}` block may add other attributes to `{kind}`"
    ))
    .help(format!(
        "for other ends, declare a kind of your own: `kind wire {{ {} }}`",
        example.join(", ")
    ))
}

struct LinkSwap;

impl LinkSwap {
    fn swap(l: &ast::LinkEnds) -> ast::LinkEnds {
        ast::LinkEnds {
            src: l.dst.clone(),
            dst: l.src.clone(),
            both: true,
            op_span: l.op_span,
        }
    }
}

impl Checker {
    /// `key COLUMN` names the column of entity names: it cannot also be an attribute of the
    /// kind (one column would be both the name and an attribute value).
    fn check_key_column(&mut self, k: usize, key: &ast::Ident) {
        let kind = &self.schema.kinds[k];
        let Some(attr) = kind.attr(&key.name) else {
            return;
        };
        let d = Diagnostic::error(
            Code::E0585,
            format!(
                "the key column `{}` is also an attribute of `{}`",
                key.name, kind.name
            ),
        )
        .primary(key.span, "the entity names are read from this column")
        .secondary(attr.span, "an attribute of the same name is declared here")
        .help(format!(
            "name the column that holds the entity names (`key {}_name`) or rename the attribute",
            kind.name
        ));
        self.error(d);
    }

    /// Entities of kind `k` named in a data file, known to the checker by name.
    /// Duplicates are reported when the file is loaded.
    fn collect_data_entities(&mut self, k: usize, f: &ast::EntitiesFrom, names: &[(String, Span)]) {
        let path = self.schema.data_paths.len() as u32;
        self.schema.data_paths.push(f.path.value.clone());
        for (name, span) in names {
            let v = self.schema.data_entities.entry(name.clone()).or_default();
            if !v.iter().any(|e| e.kind == k) {
                v.push(super::DataEntity {
                    kind: k,
                    path,
                    span: *span,
                    symbol: None,
                });
            }
        }
    }
}
