//! `textDocument/completion`: what may be typed at the cursor. After `use `, the standard
//! library modules; after `.`, attribute names; after a number, units; elsewhere keywords,
//! built-ins and the names declared in the model (index variables only inside their
//! declaration). Names come from the current analysis and from the last one without syntax
//! errors, so completion keeps working while the text does not parse.

use super::navigation::kind_word;
use super::world::{Document, Snapshot, World};
use archc::analysis::SymbolKind;
use archc::syntax::ast::ItemKind;
use archc::syntax::lexer;
use archc::units::UnitRegistry;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Range, TextEdit,
};
use std::collections::BTreeMap;

/// The standard library modules offered after `use `.
pub const STDLIB_MODULES: &[(&str, &str)] = &[
    (
        "std.infra",
        "entity kinds region, service, link, zone, dataset with standard attributes",
    ),
    ("std.placement", "replica placement: fit, spread, presence"),
    (
        "std.routing",
        "flows over links: conservation, capacity, latency",
    ),
    (
        "std.capacity",
        "capacity plans over quarters: build, lead times, headroom",
    ),
    ("std.risk", "failure sets and N-1 survival"),
];

/// The text of the current line up to the cursor, and the cursor's byte offset.
fn line_prefix(text: &str, offset: usize) -> &str {
    let offset = archc::span::floor_char_boundary(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    &text[start..offset]
}

/// The partial name just before the cursor.
fn partial_word(prefix: &str) -> &str {
    let start = prefix
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '_' || c == '-')
        .last()
        .map_or(prefix.len(), |(i, _)| i);
    &prefix[start..]
}

/// `textDocument/completion`.
pub fn completion(world: &World, params: CompletionParams) -> Option<CompletionResponse> {
    let p = params.text_document_position;
    let doc = world.doc(&p.text_document.uri)?;
    let snap = &doc.current;
    let text = snap.text();
    let offset = snap.lines.offset(text, p.position);
    let prefix = line_prefix(text, offset);
    let word = partial_word(prefix);
    let before_word = &prefix[..prefix.len() - word.len()];

    let trimmed = prefix.trim_start();
    if let Some(rest) = trimmed.strip_prefix("use") {
        if rest.starts_with([' ', '\t'])
            && rest
                .trim()
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '_')
        {
            let typed = rest.trim_start();
            let start = p
                .position
                .character
                .saturating_sub(typed.encode_utf16().count() as u32);
            let range = Range::new(lsp_types::Position::new(p.position.line, start), p.position);
            return Some(CompletionResponse::Array(modules(range)));
        }
    }
    if before_word.ends_with('.') && !before_word.ends_with("..") {
        let receiver = receiver_before_dot(text, offset - word.len());
        return Some(CompletionResponse::Array(attributes(doc, receiver)));
    }
    if after_number(before_word) {
        return Some(CompletionResponse::Array(units(doc)));
    }
    Some(CompletionResponse::Array(general(doc, snap, offset)))
}

fn modules(range: Range) -> Vec<CompletionItem> {
    STDLIB_MODULES
        .iter()
        .map(|(name, doc)| CompletionItem {
            label: name.to_string(),
            kind: Some(CompletionItemKind::MODULE),
            detail: Some(doc.to_string()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                range,
                name.to_string(),
            ))),
            ..Default::default()
        })
        .collect()
}

/// True when the text before the partial word is a number and spaces: a unit follows.
fn after_number(before_word: &str) -> bool {
    let t = before_word.trim_end_matches([' ', '\t']);
    if t.len() == before_word.len() {
        return false;
    }
    let last = lexer::significant(t).last().copied();
    last.is_some_and(|tok| tok.kind == lexer::TokenKind::Number && tok.end == t.len())
        || t.ends_with(" real")
        || t.ends_with(" int")
        || t.ends_with(":real")
}

/// The snapshots to take names from: the current analysis, then the last good one.
fn snapshots(doc: &Document) -> impl Iterator<Item = &Snapshot> {
    std::iter::once(doc.current.as_ref()).chain(doc.last_good.as_deref())
}

/// The name before the `.` that ends at `dot_end` (the offset just after the dot), if any.
fn receiver_before_dot(text: &str, dot_end: usize) -> Option<(usize, &str)> {
    let before = text.get(..dot_end.checked_sub(1)?)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
        .last()
        .map(|(i, _)| i)?;
    Some((start, &before[start..]))
}

/// The entity kind of an index variable from its checker detail `NAME in KIND`.
fn kind_of_index_var(detail: &str) -> Option<&str> {
    let (_, kind) = detail.split_once(" in ")?;
    let kind = kind.trim();
    (!kind.is_empty() && kind.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(kind)
}

/// The kind of the receiver of a `.`: set when it is an index variable over an entity kind.
fn receiver_kind(doc: &Document, receiver: Option<(usize, &str)>) -> Option<String> {
    let (offset, name) = receiver?;
    let snap = doc.current.as_ref();
    let by_scope = snap.index.decls.iter().enumerate().find(|(i, d)| {
        d.kind == SymbolKind::IndexVar
            && d.name == name
            && snap.index.scopes[*i].is_some_and(|s| s.contains_offset(offset))
    });
    let decl = by_scope.map(|(_, d)| d).or_else(|| {
        snapshots(doc)
            .flat_map(|s| s.index.decls.iter())
            .find(|d| d.kind == SymbolKind::IndexVar && d.name == name)
    })?;
    kind_of_index_var(&decl.detail).map(str::to_string)
}

/// Attribute names after a `.`: those of the receiver's kind when the receiver is an index
/// variable over a kind with attributes, otherwise every attribute.
fn attributes(doc: &Document, receiver: Option<(usize, &str)>) -> Vec<CompletionItem> {
    let kind = receiver_kind(doc, receiver);
    let of_kind = |detail: &str| {
        let Some(k) = &kind else { return true };
        detail
            .split_once('.')
            .is_some_and(|(owner, _)| owner == k.as_str())
    };
    let has_kind_attrs = kind.is_some()
        && snapshots(doc).any(|s| {
            s.index
                .decls
                .iter()
                .any(|d| d.kind == SymbolKind::Attribute && of_kind(&d.detail))
        });
    if has_kind_attrs {
        let mut found: BTreeMap<String, String> = BTreeMap::new();
        for snap in snapshots(doc) {
            for d in snap
                .index
                .decls
                .iter()
                .filter(|d| d.kind == SymbolKind::Attribute && of_kind(&d.detail))
            {
                found
                    .entry(d.name.clone())
                    .or_insert_with(|| d.detail.clone());
            }
        }
        return field_items(found);
    }
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for snap in snapshots(doc) {
        for d in snap
            .index
            .decls
            .iter()
            .filter(|d| d.kind == SymbolKind::Attribute)
        {
            found
                .entry(d.name.clone())
                .or_insert_with(|| d.detail.clone());
        }
    }
    // Attribute names as the model writes them in entity blocks, for kinds declared
    // elsewhere (modules) that the analysis does not describe.
    for snap in snapshots(doc) {
        let Some(ast) = snap.ast() else { continue };
        for item in &ast.items {
            if let ItemKind::Entity(e) = &item.kind {
                for a in &e.attrs {
                    found
                        .entry(a.name.name.clone())
                        .or_insert_with(|| format!("attribute of {}", e.kind.name));
                }
            }
        }
    }
    field_items(found)
}

fn field_items(found: BTreeMap<String, String>) -> Vec<CompletionItem> {
    found
        .into_iter()
        .map(|(label, detail)| CompletionItem {
            label,
            kind: Some(CompletionItemKind::FIELD),
            detail: Some(detail),
            ..Default::default()
        })
        .collect()
}

fn units(doc: &Document) -> Vec<CompletionItem> {
    let mut found: BTreeMap<String, String> = UnitRegistry::new()
        .names()
        .into_iter()
        .map(|u| (u, "unit".to_string()))
        .collect();
    for snap in snapshots(doc) {
        for d in snap
            .index
            .decls
            .iter()
            .filter(|d| d.kind == SymbolKind::Unit)
        {
            found.insert(d.name.clone(), d.detail.clone());
        }
    }
    found
        .into_iter()
        .map(|(label, detail)| CompletionItem {
            label,
            kind: Some(CompletionItemKind::UNIT),
            detail: Some(detail),
            ..Default::default()
        })
        .collect()
}

fn general(doc: &Document, snap: &Snapshot, offset: usize) -> Vec<CompletionItem> {
    let mut items: BTreeMap<String, CompletionItem> = BTreeMap::new();
    for (i, d) in snap.index.decls.iter().enumerate() {
        if d.kind == SymbolKind::Attribute || !snap.index.visible_at(i, snap.main, offset) {
            continue;
        }
        items
            .entry(d.name.clone())
            .or_insert_with(|| symbol_item(&d.name, d.kind, &d.detail));
    }
    if let Some(good) = doc.last_good.as_deref() {
        for d in &good.index.decls {
            if matches!(d.kind, SymbolKind::Attribute | SymbolKind::IndexVar) {
                continue;
            }
            items
                .entry(d.name.clone())
                .or_insert_with(|| symbol_item(&d.name, d.kind, &d.detail));
        }
    }
    let words = lexer::KEYWORDS
        .iter()
        .map(|w| (w, CompletionItemKind::KEYWORD, "keyword"))
        .chain(
            lexer::CONTEXTUAL_WORDS
                .iter()
                .map(|w| (w, CompletionItemKind::KEYWORD, "keyword")),
        )
        .chain(
            lexer::TYPE_WORDS
                .iter()
                .map(|w| (w, CompletionItemKind::TYPE_PARAMETER, "type")),
        )
        .chain(
            lexer::AGGREGATES
                .iter()
                .map(|w| (w, CompletionItemKind::FUNCTION, "aggregate")),
        );
    for (w, kind, detail) in words {
        items
            .entry(w.to_string())
            .or_insert_with(|| CompletionItem {
                label: w.to_string(),
                kind: Some(kind),
                detail: Some(detail.to_string()),
                ..Default::default()
            });
    }
    items.into_values().collect()
}

/// A completion item for a declared name; a name that does not read as a plain identifier
/// (`1a`, `eu west`) is inserted between backticks.
fn symbol_item(name: &str, kind: SymbolKind, detail: &str) -> CompletionItem {
    let written = archc::syntax::written_name(name).filter(|w| w != name);
    CompletionItem {
        label: name.to_string(),
        insert_text: written.clone(),
        filter_text: written,
        kind: Some(completion_kind(kind)),
        detail: Some(if detail.is_empty() {
            kind_word(kind).to_string()
        } else {
            detail.to_string()
        }),
        ..Default::default()
    }
}

fn completion_kind(kind: SymbolKind) -> CompletionItemKind {
    match kind {
        SymbolKind::Module => CompletionItemKind::MODULE,
        SymbolKind::Unit => CompletionItemKind::UNIT,
        SymbolKind::Kind => CompletionItemKind::CLASS,
        SymbolKind::Attribute => CompletionItemKind::FIELD,
        SymbolKind::Entity => CompletionItemKind::ENUM_MEMBER,
        SymbolKind::Set => CompletionItemKind::ENUM,
        SymbolKind::Param => CompletionItemKind::CONSTANT,
        SymbolKind::Decision => CompletionItemKind::VARIABLE,
        SymbolKind::Constraint | SymbolKind::Objective | SymbolKind::Test => {
            CompletionItemKind::EVENT
        }
        SymbolKind::Function | SymbolKind::Template | SymbolKind::Plan => {
            CompletionItemKind::FUNCTION
        }
        SymbolKind::IndexVar => CompletionItemKind::VARIABLE,
    }
}
