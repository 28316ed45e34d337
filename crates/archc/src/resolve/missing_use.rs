//! A forgotten `use std.infra`: a model that sets or reads the standard attributes of the
//! built-in kinds (`region us-east { cores: 40 core }`, `s.replicas`) without using the module
//! would otherwise get one unknown-attribute error per use. Uses are found in the syntax:
//! attributes set in entity declarations of a built-in kind, and attributes read from a
//! variable bound over a built-in kind's set (`r.cores` with `r in regions`). When assembling the program finds
//! such uses, it reports one error (E0215) with the fix and loads `std.infra` all the same, so
//! checking reports only the model's other mistakes.

use super::Program;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};
use crate::syntax::ast::{ExprKind, IndexList, ItemKind};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The module whose attributes are looked for.
pub const MODULE: &str = "infra";

/// A use of an attribute that only `std.infra` declares.
#[derive(Clone, Debug)]
pub struct InfraUse {
    pub span: Span,
    /// The built-in kind whose attribute it is.
    pub kind: String,
    pub attr: String,
}

/// Attributes by kind: the kinds `std.infra` extends and what it declares for them (read
/// from the module once).
fn infra_attrs() -> &'static HashMap<String, HashSet<String>> {
    static ATTRS: OnceLock<HashMap<String, HashSet<String>>> = OnceLock::new();
    ATTRS.get_or_init(read_infra_attrs)
}

fn read_infra_attrs() -> HashMap<String, HashSet<String>> {
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    let Some(text) = crate::stdlib::module(MODULE) else {
        return out;
    };
    let (file, _) = crate::syntax::parse_file(FileId(u32::MAX), text);
    for item in file.items {
        if let ItemKind::Kind(k) = item.kind {
            out.entry(k.name.name)
                .or_default()
                .extend(k.attrs.into_iter().map(|a| a.name.name));
        }
    }
    out
}

/// The uses of `std.infra` attributes in the program's own items, in source order, when the
/// program does not declare them itself; empty when loading `std.infra` would clash with an
/// attribute the model declares.
pub fn infra_uses(program: &Program) -> Vec<InfraUse> {
    let infra = infra_attrs();
    let mut declared: HashMap<&str, HashSet<&str>> = HashMap::new();
    for p in &program.items {
        if let ItemKind::Kind(k) = &p.item.kind {
            let attrs = declared.entry(k.name.name.as_str()).or_default();
            for a in &k.attrs {
                if !p.library
                    && infra
                        .get(&k.name.name)
                        .is_some_and(|s| s.contains(&a.name.name))
                {
                    // The model declares a standard attribute itself: `std.infra` would
                    // declare it twice, so it is not the fix.
                    return Vec::new();
                }
                attrs.insert(a.name.name.as_str());
            }
        }
    }
    let mut uses = Vec::new();
    for p in program.items.iter().filter(|p| !p.library) {
        if let ItemKind::Entity(e) = &p.item.kind {
            let Some(standard) = infra.get(&e.kind.name) else {
                continue;
            };
            let own = declared.get(e.kind.name.as_str());
            for a in &e.attrs {
                let known = own.is_some_and(|s| s.contains(a.name.name.as_str()));
                if !known && standard.contains(&a.name.name) {
                    uses.push(InfraUse {
                        span: a.name.span,
                        kind: e.kind.name.clone(),
                        attr: a.name.name.clone(),
                    });
                }
            }
        }
        // `r.cores` where `r` is bound over a built-in kind's set (`r in regions`).
        let mut kind = p.item.kind.clone();
        let mut bound: HashMap<String, String> = HashMap::new();
        let mut bind = |index: &IndexList| {
            for b in &index.bindings {
                let (Some(var), ExprKind::Name(set)) = (&b.var, &b.set.kind) else {
                    continue;
                };
                if let Some(k) = infra.keys().find(|k| format!("{k}s") == set.name) {
                    bound.insert(var.name.clone(), k.clone());
                }
            }
        };
        match &kind {
            ItemKind::Param(d) => d.index.iter().for_each(&mut bind),
            ItemKind::Decide(d) => d.index.iter().for_each(&mut bind),
            ItemKind::Constraint(d) => d.index.iter().for_each(&mut bind),
            _ => {}
        }
        super::visit_item_exprs(&mut kind, &mut |x| match &x.kind {
            ExprKind::Agg { index, .. } => bind(index),
            ExprKind::SetCompr(index) => bind(index),
            _ => {}
        });
        super::visit_item_exprs(&mut kind, &mut |x| {
            let ExprKind::Field(base, name) = &x.kind else {
                return;
            };
            let ExprKind::Name(var) = &base.kind else {
                return;
            };
            let Some(k) = bound.get(&var.name) else {
                return;
            };
            let own = declared.get(k.as_str());
            let known = own.is_some_and(|s| s.contains(name.name.as_str()));
            if !known && infra.get(k).is_some_and(|s| s.contains(&name.name)) {
                uses.push(InfraUse {
                    span: name.span,
                    kind: k.clone(),
                    attr: name.name.clone(),
                });
            }
        });
    }
    uses.sort_by_key(|u| (u.span.file.0, u.span.start));
    uses
}

/// The one error for all the uses: the first one is the primary label.
pub fn missing_use(uses: &[InfraUse]) -> Option<Diagnostic> {
    let first = uses.first()?;
    let what = format!(
        "`{}` is an attribute of `{}` in `std.infra`",
        first.attr, first.kind
    );
    let mut names: Vec<&str> = Vec::new();
    for u in uses {
        if !names.contains(&u.attr.as_str()) {
            names.push(&u.attr);
        }
    }
    let listed = names
        .iter()
        .take(6)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let more = if names.len() > 6 { ", ..." } else { "" };
    Some(
        Diagnostic::error(
            Code::E0215,
            "the model uses the standard attributes of `std.infra` without `use std.infra`",
        )
        .primary(first.span, what)
        .note(format!(
            "{} use{} of {listed}{more}",
            uses.len(),
            if uses.len() == 1 { "" } else { "s" }
        ))
        .help("add `use std.infra` at the top of the file"),
    )
}
