//! Typing link references: `a -> b` between two entities names the link from `a` to `b`
//! (the entity `a->b` of a kind with `src` and `dst` attributes). An entity is never a
//! condition, so the reading is chosen by the types of the operands; between conditions
//! `->` stays logical implication. Part of expression inference in [`super`]; the link is
//! looked up by name when the model is instantiated (`instantiate::eval`).

use super::operators::Side;
use super::T;
use crate::check::{Checker, ElemTy, KindId, Ty};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind};

/// The kinds whose `src` and `dst` attributes are elements (the kinds of links).
pub(crate) fn link_kinds(schema: &crate::check::Schema) -> Vec<KindId> {
    (0..schema.kinds.len())
        .filter(|&k| {
            let kind = &schema.kinds[k];
            [kind.attr("src"), kind.attr("dst")]
                .iter()
                .all(|a| a.is_some_and(|a| matches!(a.ty, Ty::Elem(_))))
        })
        .collect()
}

/// The help of a missing link `a->b`, given the names of the known links.
pub(crate) fn missing_link_help<'a>(
    a: &str,
    b: &str,
    links: impl Iterator<Item = &'a str> + Clone,
) -> String {
    let reverse = format!("{b}->{a}");
    if links.clone().any(|l| l == reverse) {
        return format!(
            "only `{reverse}` is declared: links are directed, `<->` declares both directions"
        );
    }
    let prefix = format!("{a}->");
    let mut from: Vec<&str> = links.filter(|l| l.starts_with(&prefix)).collect();
    if from.is_empty() {
        return format!("no link leaves `{a}`; declare one: `link {a} -> {b} {{ ... }}`");
    }
    from.sort_unstable();
    let more = from.len() > 4;
    from.truncate(4);
    let list: Vec<String> = from.iter().map(|l| format!("`{l}`")).collect();
    format!(
        "links from `{a}`: {}{}",
        list.join(", "),
        if more { ", ..." } else { "" }
    )
}

/// The one possible kind of link, or `Any` when several fit (decided with the data).
fn unique_or_any(kinds: &[KindId]) -> Ty {
    match kinds {
        [k] => Ty::Elem(ElemTy::Kind(*k)),
        _ => Ty::Elem(ElemTy::Any),
    }
}

/// Is the type an entity (or an element that may be one, loaded from data)?
fn entity_like(t: &Ty) -> bool {
    matches!(t, Ty::Elem(ElemTy::Kind(_) | ElemTy::Any))
}

impl Checker {
    /// Is `a -> b` with these operand types a link reference (one side is an entity)?
    /// Otherwise it is implication.
    pub(super) fn is_link_ref(&self, ta: &T, tb: &T) -> bool {
        entity_like(&ta.ty) || entity_like(&tb.ty)
    }

    /// `a -> b` when one side is an entity: the link from `a` to `b`.
    pub(super) fn link_ref(&mut self, a: Side, ta: &T, b: Side, tb: &T, span: Span) -> T {
        if ta.ty == Ty::Err || tb.ty == Ty::Err {
            return T::err();
        }
        // The entity side and the other side, for messages.
        let (ent, other, to) = if entity_like(&ta.ty) {
            (a, b, tb)
        } else {
            (b, a, ta)
        };
        if !entity_like(&to.ty) {
            let (x, y) = (
                self.schema.ty_name(&ent_ty(ta, tb)),
                self.schema.ty_name(&to.ty),
            );
            self.error(
                Diagnostic::error(
                    Code::E0301,
                    format!("`->` needs two entities or two conditions, found {x} and {y}"),
                )
                .primary(other.span(), format!("this is {y}"))
                .secondary(ent.span(), format!("this is {x}"))
                .help("between two entities `a -> b` names the link from `a` to `b`; between conditions it means `implies`"),
            );
            return T::err();
        }
        let all = link_kinds(&self.schema);
        let fits = |schema: &crate::check::Schema, k: KindId, attr: &str, t: &Ty| {
            let Ty::Elem(side) = t else { return false };
            match (schema.kinds[k].attr(attr).map(|a| a.ty), side) {
                (_, ElemTy::Any) => true,
                (Some(Ty::Elem(e)), s) => super::elem_compatible(e, *s),
                _ => false,
            }
        };
        let kinds: Vec<KindId> = all
            .iter()
            .copied()
            .filter(|&k| {
                fits(&self.schema, k, "src", &ta.ty) && fits(&self.schema, k, "dst", &tb.ty)
            })
            .collect();
        let both_known = matches!(
            (ta.ty, tb.ty),
            (Ty::Elem(ElemTy::Kind(_)), Ty::Elem(ElemTy::Kind(_)))
        );
        match kinds.as_slice() {
            [] => {
                let (x, y) = (self.schema.ty_name(&ta.ty), self.schema.ty_name(&tb.ty));
                self.error(
                    Diagnostic::error(
                        Code::E0311,
                        format!("no kind of link joins {x} to {y}"),
                    )
                    .primary(a.span(), format!("this is {x}"))
                    .secondary(b.span(), format!("this is {y}"))
                    .help("`a -> b` names a link: an entity of a kind with `src` and `dst` attributes of the kinds of `a` and `b`"),
                );
                T::err()
            }
            [k] => {
                if both_known {
                    self.check_link_exists(a, b, *k, span);
                }
                T::of(Ty::Elem(ElemTy::Kind(*k)))
            }
            _ if !both_known => T::of(unique_or_any(&kinds)),
            _ => {
                let names: Vec<String> = kinds
                    .iter()
                    .map(|&k| format!("`{}`", self.schema.kinds[k].name))
                    .collect();
                self.error(
                    Diagnostic::error(
                        Code::E0312,
                        format!("`->` could name a link of {}", names.join(" or ")),
                    )
                    .primary(span, "ambiguous link")
                    .help("select the link with a filter over one kind: `l in links where l.src == a and l.dst == b`"),
                );
                T::err()
            }
        }
    }

    /// E0214 when both ends are named entities (declared in the source or in a data file)
    /// and no link of kind `k` joins them. Skipped when some data file's names could not be
    /// read before checking: the link is then looked up when the data loads.
    fn check_link_exists(&mut self, a: Side, b: Side, k: KindId, span: Span) {
        let (Some(x), Some(y)) = (
            a.expr().and_then(|a| self.named_entity(a)),
            b.expr().and_then(|b| self.named_entity(b)),
        ) else {
            return;
        };
        if self.schema.unknown_data_names {
            return;
        }
        let name = format!("{x}->{y}");
        if self.has_entity(&name, k) {
            return;
        }
        let links = self.entity_names_of(Some(k));
        let help = missing_link_help(&x, &y, links.iter().copied());
        self.error(
            Diagnostic::error(Code::E0214, format!("no link `{name}`"))
                .primary(span, "no such link")
                .help(help),
        );
    }

    /// The name of an entity (declared in the source or in a data file) that `e` names
    /// directly (not through an index variable, a global or a symbol).
    fn named_entity(&self, e: &Expr) -> Option<String> {
        let ExprKind::Name(id) = &e.kind else {
            return None;
        };
        let shadowed = self.locals.iter().any(|l| l.name == id.name)
            || self.schema.globals.contains_key(&id.name)
            || self.schema.symbol_elems.contains_key(&id.name);
        let known = self.schema.entity_names.contains_key(&id.name)
            || self.schema.data_entities.contains_key(&id.name);
        (!shadowed && known).then(|| id.name.clone())
    }
}

/// The type of the entity side of `a -> b`.
fn ent_ty(ta: &T, tb: &T) -> Ty {
    if entity_like(&ta.ty) {
        ta.ty
    } else {
        tb.ty
    }
}
