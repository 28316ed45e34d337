//! Checking: resolve every name in the program, infer the type and unit of every
//! expression, and report mistakes (E02xx names, E03xx types, E04xx units) before any data
//! is loaded. The result is a [`Schema`] for instantiation, plus the symbols and references
//! the language server uses; a checker with no errors is lowered to HIR next
//! ([`crate::hir`]).
//!
//! This module holds the checker's state, its shared helpers (diagnostics, symbols, globals)
//! and the driver: `collect` declares every global in a first pass, then each kind of
//! declaration is checked in dependency order: sets, entities and params in `data_decls`,
//! decisions, constraints, objectives, functions and tests in `model_decls`, plans in
//! [`plan`], the `partition` declaration in `partition`. Expressions are typed in `expr`; written types and units are read in
//! `type_exprs`. Next in the pipeline: instantiation.

use crate::diagnostics::Code;
pub(crate) mod aggregate;
mod collect;
mod data_decls;
pub mod errors;
pub(crate) mod expr;
pub(crate) mod forecast;
mod loss;
mod model_decls;
mod partition;
pub mod plan;
pub mod ranked;
mod risk;
pub mod symbols;
pub(crate) use risk::split_level;
mod type_exprs;
pub mod types;

pub use types::*;

use crate::check::symbols::{Reference, Symbol, SymbolId, SymbolKind};
use crate::diagnostics::Diagnostic;
use crate::resolve::Program;
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, BaseType, ItemKind};
use crate::units::UnitRegistry;

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
    /// Function bodies checked at call sites so far (each call is checked inline).
    pub(crate) fn_expansions: u64,
    /// True once E0320 is reported: one report, and no more inlining.
    pub(crate) fn_limit_hit: bool,
    /// Spans already reported, so an error inside a function is reported once.
    reported: std::collections::HashSet<(Span, Code)>,
    /// The file of the built-in kinds: its declarations cannot be changed by the user.
    pub(crate) prelude: Option<FileId>,
}

/// The names in the data files that entities load from, keyed by the span of the path in
/// `SET from "PATH"`: each name with the span of its cell, or `None` when they could not all
/// be read (see [`crate::data::entity_names`]).
pub type DataNames = rustc_hash::FxHashMap<Span, Option<Vec<(String, Span)>>>;

/// Check a program: the schema, diagnostics, symbols and references. `data` holds the entity
/// names of its data files; a file missing from it counts as unreadable.
pub fn check_program(program: &Program, data: &DataNames) -> Checker {
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
        fn_expansions: 0,
        fn_limit_hit: false,
        reported: Default::default(),
        prelude: program.prelude,
    };
    c.collect(program, data);
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
            let mut d =
                Diagnostic::error(Code::E0202, format!("`{}` is declared twice", name.name))
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

    // ------------------------------------------------------------------ checking items

    fn check_items(&mut self, program: &Program) {
        // Sets in order (they may build on each other).
        for p in &program.items {
            if let ItemKind::Set(s) = &p.item.kind {
                self.check_set_decl(s);
            }
        }
        self.check_partitions();
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
            self.check_constraint(i);
        }
        for i in 0..self.schema.objectives.len() {
            self.check_objective(i);
            self.check_rank(i);
        }
        for i in 0..self.schema.fns.len() {
            self.check_fn_standalone(i);
        }
        for t in self.schema.tests.clone() {
            self.check_test(&t);
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
