//! Checking: resolve every name in the program, infer the type and unit of every
//! expression, and report mistakes (E02xx names, E03xx types, E04xx units) before any data
//! is loaded. The result is a [`Schema`] for instantiation, plus the symbols and references
//! the language server uses.

pub mod errors;
pub(crate) mod expr;
pub mod plan;
pub mod types;

pub use types::*;

use crate::analysis::{Reference, Symbol, SymbolId, SymbolKind};
use crate::diagnostics::Diagnostic;
use crate::ir::VarKind;
use crate::resolve::errors as names;
use crate::resolve::Program;
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, BaseType, ItemKind};
use crate::units::{Unit, UnitError, UnitRegistry};

/// One local name: an index variable, a function parameter or a plan variable.
#[derive(Clone, Debug)]
pub(crate) struct Local {
    pub name: String,
    pub ty: Ty,
    pub symbol: Option<SymbolId>,
    /// Plan variables vary per stage but are not decisions of the MILP.
    pub var: bool,
}

/// The checker's state.
pub struct Checker {
    pub schema: Schema,
    pub diags: Vec<Diagnostic>,
    pub symbols: Vec<Symbol>,
    pub refs: Vec<Reference>,
    pub(crate) locals: Vec<Local>,
    pub(crate) fn_depth: Vec<String>,
    /// The declaration being checked (constraint or objective name).
    pub(crate) current_item: Option<String>,
    /// Spans already reported, so an error inside a function is reported once.
    reported: std::collections::HashSet<(Span, &'static str)>,
}

/// Check a program: the schema, diagnostics, symbols and references.
pub fn check_program(program: &Program) -> Checker {
    let mut c = Checker {
        schema: Schema {
            units: UnitRegistry::new(),
            ..Default::default()
        },
        diags: Vec::new(),
        symbols: Vec::new(),
        refs: Vec::new(),
        locals: Vec::new(),
        fn_depth: Vec::new(),
        current_item: None,
        reported: Default::default(),
    };
    c.collect(program);
    c.check_items(program);
    c
}

pub(crate) fn plural(name: &str) -> String {
    if name.ends_with('s') || name.ends_with('x') || name.ends_with("ch") || name.ends_with("sh") {
        format!("{name}es")
    } else if let Some(stem) = name.strip_suffix('y') {
        if stem.ends_with(['a', 'e', 'i', 'o', 'u']) {
            format!("{name}s")
        } else {
            format!("{stem}ies")
        }
    } else {
        format!("{name}s")
    }
}

impl Checker {
    pub(crate) fn error(&mut self, d: Diagnostic) {
        let key = (d.primary_span().unwrap_or_default(), d.code);
        if self.reported.insert(key) {
            self.diags.push(d);
        }
    }

    pub(crate) fn add_symbol(
        &mut self,
        name: &str,
        kind: SymbolKind,
        span: Span,
        decl_span: Span,
        doc: Option<String>,
        detail: String,
    ) -> SymbolId {
        self.symbols.push(Symbol {
            name: name.to_string(),
            kind,
            span,
            decl_span,
            doc,
            detail,
            info: None,
        });
        SymbolId((self.symbols.len() - 1) as u32)
    }

    pub(crate) fn add_ref(&mut self, span: Span, symbol: Option<SymbolId>) {
        if let Some(symbol) = symbol {
            self.refs.push(Reference { span, symbol });
        }
    }

    fn declare_global(&mut self, name: &ast::Ident, g: Global, symbol: SymbolId) -> bool {
        if let Some(prev) = self.schema.globals.get(&name.name) {
            let prev_span = self.global_span(*prev);
            let mut d = Diagnostic::error("E0202", format!("`{}` is declared twice", name.name))
                .primary(name.span, "declared again here");
            if let Some(s) = prev_span {
                d = d.secondary(s, "first declared here");
            }
            self.error(d.help("rename one of them"));
            return false;
        }
        self.schema.globals.insert(name.name.clone(), g);
        let _ = symbol;
        true
    }

    pub(crate) fn global_span(&self, g: Global) -> Option<Span> {
        Some(match g {
            Global::Kind(k) => self.schema.kinds[k].span,
            Global::Set(s) => self.schema.sets[s].span,
            Global::Param(i) => self.schema.params[i].span,
            Global::Decision(i) => self.schema.decisions[i].span,
            Global::Constraint(i) => self.schema.constraints[i].span,
            Global::Objective(i) => self.schema.objectives[i].span,
            Global::Fn(i) => self.schema.fns[i].decl.name.span,
            Global::Plan(i) => self.schema.plans[i].span,
        })
    }

    pub(crate) fn global_symbol(&self, g: Global) -> Option<SymbolId> {
        match g {
            Global::Kind(_) => None,
            Global::Set(s) => self.schema.sets[s].symbol,
            Global::Param(i) => Some(self.schema.params[i].symbol),
            Global::Decision(i) => Some(self.schema.decisions[i].symbol),
            Global::Constraint(i) => Some(self.schema.constraints[i].symbol),
            Global::Objective(_) => None,
            Global::Plan(i) => Some(self.schema.plans[i].symbol),
            Global::Fn(i) => Some(self.schema.fns[i].symbol),
        }
    }

    /// Parse a unit, reporting unknown names at their exact span.
    pub(crate) fn parse_unit(&mut self, text: &str, span: Span) -> Option<Unit> {
        if let Some(u) = self.schema.unit_cache.get(text) {
            return Some(*u);
        }
        match self.schema.units.parse(text) {
            Ok(u) => {
                self.schema.unit_cache.insert(text.to_string(), u);
                Some(u)
            }
            Err(e) => {
                let d = match e {
                    UnitError::Unknown {
                        name,
                        start,
                        end,
                        suggestion,
                    } => {
                        let s = Span::new(
                            span.file,
                            span.start as usize + start,
                            span.start as usize + end,
                        );
                        let mut d = Diagnostic::error("E0403", format!("unknown unit `{name}`"))
                            .primary(s, "not a unit");
                        if let Some(g) = self.schema.globals.get(&name) {
                            let what = match g {
                                Global::Param(_) => "a param",
                                Global::Decision(_) => "a decision",
                                _ => "a name",
                            };
                            d = d.help(format!("`{name}` is {what}; to multiply write `* {name}`"));
                        } else if let Some(sug) = suggestion {
                            d = d.help(format!("did you mean `{sug}`?"));
                        }
                        d
                    }
                    UnitError::Syntax {
                        message,
                        start,
                        end,
                    } => {
                        let s = Span::new(
                            span.file,
                            span.start as usize + start,
                            span.start as usize + end.max(start),
                        );
                        Diagnostic::error("E0404", format!("invalid unit `{text}`"))
                            .primary(s, message)
                    }
                    other => Diagnostic::error("E0404", format!("invalid unit `{text}`"))
                        .primary(span, other.to_string()),
                };
                self.error(d);
                None
            }
        }
    }

    /// The type a `TypeExpr` denotes.
    pub(crate) fn type_of_type(&mut self, t: &ast::TypeExpr) -> (Ty, String) {
        let unit_text = t.unit.as_ref().map(|u| u.text.clone()).unwrap_or_default();
        let ty = match t.base {
            BaseType::Bool => Ty::Bool,
            BaseType::Str => Ty::Str,
            BaseType::Int | BaseType::Real => {
                let unit = match &t.unit {
                    Some(u) => self
                        .parse_unit(&u.text, u.span)
                        .unwrap_or_else(Unit::dimensionless),
                    None => Unit::dimensionless(),
                };
                Ty::Num {
                    unit,
                    int: t.base == BaseType::Int,
                }
            }
            BaseType::Named => {
                let Some(u) = &t.unit else {
                    return (Ty::Err, unit_text);
                };
                if let Some(k) = self.schema.kind_by_name(&u.text) {
                    Ty::Elem(ElemTy::Kind(k))
                } else if let Some(Global::Set(s)) = self.schema.globals.get(&u.text).copied() {
                    Ty::Elem(self.schema.sets[s].elem)
                } else {
                    match self.parse_unit(&u.text, u.span) {
                        Some(unit) => Ty::num(unit),
                        None => Ty::Err,
                    }
                }
            }
        };
        (ty, unit_text)
    }

    // ------------------------------------------------------------------ collection

    fn collect(&mut self, program: &Program) {
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
                            "E0406",
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
                for a in &k.attrs {
                    let (ty, unit_text) = self.type_of_type(&a.ty);
                    if let Some(&i) = self.schema.kinds[kid].attr_index.get(&a.name.name) {
                        let prev = self.schema.kinds[kid].attrs[i].span;
                        self.error(
                            Diagnostic::error(
                                "E0202",
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
                        span: a.name.span,
                        doc: a.doc.clone(),
                        symbol: Some(sym),
                    });
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
                            self.schema.kinds[k]
                                .data_sources
                                .push((f.path.clone(), p.file));
                            self.schema.has_data_entities = true;
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
                                "E0207",
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
                _ => {}
            }
        }
    }

    fn collect_entity(&mut self, e: &ast::EntityDecl, item: &ast::Item) {
        let Some(kid) = self.schema.kind_by_name(&e.kind.name) else {
            let kinds: Vec<String> = self.schema.kinds.iter().map(|k| k.name.clone()).collect();
            let mut d = Diagnostic::error("E0207", format!("unknown kind `{}`", e.kind.name))
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
                        "E0202",
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

    // ------------------------------------------------------------------ checking items

    fn check_items(&mut self, program: &Program) {
        // Sets in order (they may build on each other).
        for p in &program.items {
            if let ItemKind::Set(s) = &p.item.kind {
                self.check_set_decl(s);
            }
        }
        // Entity attributes.
        for i in 0..self.schema.entities.len() {
            self.check_entity(i);
        }
        for k in 0..self.schema.kinds.len() {
            for a in 0..self.schema.kinds[k].attrs.len() {
                let attr = self.schema.kinds[k].attrs[a].clone();
                if let Some(def) = &attr.default {
                    let t = self.expr(def);
                    self.expect_value(
                        &t,
                        def,
                        &attr.ty,
                        &format!("default of `{}`", attr.name),
                        Some(attr.span),
                    );
                    if t.var {
                        self.error(errors::needs_data(def.span, "an attribute default"));
                    }
                }
            }
        }
        for i in 0..self.schema.params.len() {
            self.check_param(i);
        }
        for i in 0..self.schema.plans.len() {
            self.check_plan(i);
        }
        for i in 0..self.schema.decisions.len() {
            self.check_decision(i);
        }
        for i in 0..self.schema.constraints.len() {
            self.current_item = Some(self.schema.constraints[i].name.clone());
            self.check_constraint(i);
        }
        for i in 0..self.schema.objectives.len() {
            self.current_item = Some(self.schema.objectives[i].name.clone());
            self.check_objective(i);
        }
        self.current_item = None;
        for i in 0..self.schema.fns.len() {
            self.check_fn_standalone(i);
        }
        for t in self.schema.tests.clone() {
            self.check_test(&t);
        }
    }

    fn check_set_decl(&mut self, s: &ast::SetDecl) {
        let Some(Global::Set(id)) = self.schema.globals.get(&s.name.name).copied() else {
            return;
        };
        // A literal of unknown bare names declares symbols.
        if let ast::ExprKind::SetLit(items) = &s.value.kind {
            let all_new = !items.is_empty()
                && items.iter().all(|e| matches!(&e.kind, ast::ExprKind::Name(n) if !self.schema.globals.contains_key(&n.name) && !self.schema.entity_names.contains_key(&n.name)));
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
                                    "E0202",
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

    fn check_entity(&mut self, i: usize) {
        let e = self.schema.entities[i].clone();
        let kind = self.schema.kinds[e.kind].clone();
        let mut seen = std::collections::HashSet::new();
        for a in &e.decl.attrs {
            let Some(info) = kind.attr(&a.name.name) else {
                let mut d = Diagnostic::error(
                    "E0203",
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
                self.error(
                    Diagnostic::error(
                        "E0208",
                        format!("{} `{}` does not set `{}`", kind.name, e.name, a.name),
                    )
                    .primary(e.span, format!("`{}` is missing", a.name))
                    .secondary(a.span, "declared here without a default")
                    .help(format!(
                        "set `{}: ...` or give the attribute a default",
                        a.name
                    )),
                );
            }
        }
    }

    fn resolve_entity_ref(&mut self, id: &ast::Ident, expected: Option<Ty>) {
        let want = match expected {
            Some(Ty::Elem(ElemTy::Kind(k))) => Some(k),
            _ => None,
        };
        let found = self.schema.entity_names.get(&id.name).and_then(|v| {
            v.iter()
                .find(|&&i| want.is_none_or(|k| self.schema.entities[i].kind == k))
                .copied()
        });
        match found {
            Some(i) => {
                let s = self.schema.entities[i].symbol;
                self.add_ref(id.span, Some(s));
            }
            None if self.schema.has_data_entities => {}
            None => {
                let known: Vec<String> = self
                    .schema
                    .entities
                    .iter()
                    .filter(|e| want.is_none_or(|k| e.kind == k))
                    .map(|e| e.name.clone())
                    .collect();
                let mut d = Diagnostic::error("E0201", format!("unknown entity `{}`", id.name))
                    .primary(id.span, "no entity of this name");
                if let Some(s) = names::suggest(&id.name, known.iter().map(|s| s.as_str())) {
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
                        Diagnostic::error("E0213", format!("index `{}` is bound twice", v.name))
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

    #[allow(clippy::collapsible_match)]
    fn check_param(&mut self, i: usize) {
        let p = self.schema.params[i].clone();
        let depth = self.locals.len();
        let dims = match &p.decl.index {
            Some(ix) => self.bind_index(ix, "a param"),
            None => Vec::new(),
        };
        let (ty, unit_text) = self.type_of_type(&p.decl.ty);
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
            Some(ast::ParamValue::Expr(e)) => {
                if let ast::ExprKind::Map(entries) = &e.kind {
                    for (keys, v) in entries {
                        if keys.len() != dims.len() {
                            self.error(
                                Diagnostic::error(
                                    "E0302",
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
            Some(ast::ParamValue::From(_)) => {
                if dims.is_empty() {
                    self.error(
                        Diagnostic::error(
                            "E0308",
                            format!("scalar param `{}` cannot load from a file", p.name),
                        )
                        .primary(p.span, "no index")
                        .help("give the value directly: `param x: h = 730 h`"),
                    );
                }
            }
            None => {}
        }
        self.locals.truncate(depth);
    }

    fn check_key(&mut self, k: &ast::Expr, elem: ElemTy) {
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

    fn check_decision(&mut self, i: usize) {
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

    fn check_constraint(&mut self, i: usize) {
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

    fn check_objective(&mut self, i: usize) {
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
    fn check_fn_standalone(&mut self, i: usize) {
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

    fn check_test(&mut self, t: &ast::TestDecl) {
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

    fn check_binding_target(&mut self, x: &ast::Expr) {
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

pub(crate) fn dims_text(dims: &[IndexDim]) -> String {
    if dims.is_empty() {
        String::new()
    } else {
        let v: Vec<String> = dims
            .iter()
            .map(|d| {
                if d.var.is_empty() {
                    "_".to_string()
                } else {
                    d.var.clone()
                }
            })
            .collect();
        format!("[{}]", v.join(", "))
    }
}

pub(crate) fn type_text(t: &ast::TypeExpr) -> String {
    let base = match t.base {
        BaseType::Bool => "bool",
        BaseType::Int => "int",
        BaseType::Real => "real",
        BaseType::Str => "str",
        BaseType::Named => "",
    };
    match (&t.unit, base) {
        (Some(u), "") => u.text.clone(),
        (Some(u), b) => format!("{b} {}", u.text),
        (None, b) => b.to_string(),
    }
}

/// The file a span's declaration lives in (for data paths).
pub fn file_of(span: Span) -> FileId {
    span.file
}
