//! Requests about the name under the cursor: hover, go to definition, find references and
//! rename. They ask the document's current analysis first; hover falls back to the last
//! analysis without syntax errors (by name) while the text does not parse.

use super::world::{Document, Snapshot, World};
use archc::analysis::{Symbol, SymbolKind};
use archc::syntax::lexer::{self, Token, TokenKind};
use lsp_types::{
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location,
    MarkupContent, MarkupKind, Position, ReferenceParams, RenameParams, TextEdit, Uri,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// The name token at (or just before) a byte offset of `text`.
pub fn word_at(text: &str, offset: usize) -> Option<Token> {
    let tokens = lexer::lex(text);
    let i = tokens.partition_point(|t| t.end < offset);
    tokens[i..]
        .iter()
        .take(2)
        .find(|t| t.start <= offset && offset <= t.end && is_word(t.kind))
        .copied()
}

fn is_word(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Ident | TokenKind::DigitName | TokenKind::Keyword | TokenKind::Bool
    )
}

/// A word for a symbol kind, as shown to users.
pub fn kind_word(kind: SymbolKind) -> &'static str {
    match kind {
        SymbolKind::Module => "module",
        SymbolKind::Unit => "unit",
        SymbolKind::Kind => "kind",
        SymbolKind::Attribute => "attribute",
        SymbolKind::Entity => "entity",
        SymbolKind::Set => "set",
        SymbolKind::Param => "param",
        SymbolKind::Decision => "decision",
        SymbolKind::Constraint => "constraint",
        SymbolKind::Objective => "objective",
        SymbolKind::Function => "function",
        SymbolKind::Template => "template",
        SymbolKind::IndexVar => "index variable",
        SymbolKind::Plan => "plan",
        SymbolKind::Test => "test",
    }
}

/// The hover text of a symbol: its one-line declaration, kind, size or value, and doc.
pub fn hover_markdown(sym: &Symbol) -> String {
    let mut md = String::new();
    let detail = if sym.detail.is_empty() {
        &sym.name
    } else {
        &sym.detail
    };
    md.push_str("```arch\n");
    md.push_str(detail);
    md.push_str("\n```\n\n");
    md.push_str(&format!("*{}* `{}`", kind_word(sym.kind), sym.name));
    if let Some(info) = &sym.info {
        md.push_str(" — ");
        md.push_str(info);
    }
    if let Some(doc) = &sym.doc {
        md.push_str("\n\n---\n\n");
        md.push_str(doc);
    }
    md
}

/// The offset of a position in the document's current text.
fn offset_of(doc: &Document, pos: Position) -> usize {
    doc.current.lines.offset(doc.current.text(), pos)
}

/// The declaration at a position of the current analysis, or the one with the same name.
fn decl_at(snap: &Snapshot, offset: usize) -> Option<usize> {
    snap.index.at(snap.main, offset).or_else(|| {
        let word = word_at(snap.text(), offset)?;
        if word.kind != TokenKind::Ident && word.kind != TokenKind::DigitName {
            return None;
        }
        snap.index
            .by_name(archc::syntax::unquote_name(word.text(snap.text())))
    })
}

/// `textDocument/hover`.
pub fn hover(world: &World, params: HoverParams) -> Option<Hover> {
    let p = params.text_document_position_params;
    let doc = world.doc(&p.text_document.uri)?;
    let snap = &doc.current;
    let offset = offset_of(doc, p.position);
    let word = word_at(snap.text(), offset);
    let range = word.map(|w| {
        snap.lines.range(
            snap.text(),
            archc::span::Span::new(snap.main, w.start, w.end),
        )
    });
    if let Some(value) =
        key_column_hover(snap.text(), offset).or_else(|| partition_hover(snap.text(), offset))
    {
        return Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range,
        });
    }
    let sym = match snap.index.at(snap.main, offset) {
        Some(d) => snap.index.decls[d].clone(),
        None => {
            let word =
                word.filter(|w| matches!(w.kind, TokenKind::Ident | TokenKind::DigitName))?;
            let name = archc::syntax::unquote_name(word.text(snap.text()));
            let from = |s: &Snapshot| s.index.by_name(name).map(|d| s.index.decls[d].clone());
            from(snap).or_else(|| doc.last_good.as_deref().and_then(from))?
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: hover_markdown(&sym),
        }),
        range,
    })
}

/// The tokens of `text` without trivia, and the position of the one under `offset`.
fn token_at(text: &str, offset: usize) -> Option<(Vec<Token>, usize)> {
    let tokens: Vec<Token> = lexer::lex(text)
        .into_iter()
        .filter(|t| !t.kind.is_trivia())
        .collect();
    let i = tokens
        .iter()
        .position(|t| t.start <= offset && offset <= t.end && t.start < t.end)?;
    Some((tokens, i))
}

/// The hover of the column named after `key` in an entity load (`hosts from "hosts.csv"
/// key id`): which file's column names the entities of which set.
pub fn key_column_hover(text: &str, offset: usize) -> Option<String> {
    let (tokens, i) = token_at(text, offset)?;
    if i < 4
        || tokens[i - 1].text(text) != "key"
        || tokens[i - 2].kind != TokenKind::String
        || tokens[i - 3].text(text) != "from"
        || !matches!(
            tokens[i].kind,
            TokenKind::Ident | TokenKind::DigitName | TokenKind::String
        )
    {
        return None;
    }
    let column = tokens[i].text(text).trim_matches(|c| c == '"' || c == '`');
    let file = tokens[i - 2].text(text).trim_matches('"');
    let set = tokens[i - 4].text(text);
    Some(format!(
        "**key column** `{column}` of `{file}`\n\nEach row of the file is one entity of \
         `{set}`, named by its `{column}` value (instead of the column `name`); the other \
         columns fill the kind's attributes."
    ))
}

/// The hover of a partition declaration (`partition services into 16`) on its `partition`,
/// `into` or number: what `archc solve` does with it and how to override it. The set's name
/// hovers as the set.
pub fn partition_hover(text: &str, offset: usize) -> Option<String> {
    let (tokens, i) = token_at(text, offset)?;
    let word = |j: usize| tokens.get(j).map(|t| t.text(text));
    let first = (i.saturating_sub(3)..=i).find(|&j| {
        word(j) == Some("partition")
            && word(j + 2) == Some("into")
            && tokens
                .get(j + 3)
                .is_some_and(|t| t.kind == TokenKind::Number)
            && text[..tokens[j].start]
                .rsplit('\n')
                .next()
                .is_some_and(|l| l.trim().is_empty())
    })?;
    if i == first + 1 {
        return None;
    }
    let set = archc::syntax::unquote_name(word(first + 1)?);
    let parts = word(first + 3)?;
    Some(format!(
        "```arch\npartition {set} into {parts}\n```\n\n*partition* — `archc solve` deals the \
         elements of `{set}` at random into {parts} parts, solves the parts in parallel, each \
         with its share of every shared resource, then merges, repairs and verifies the plan \
         against the whole model (docs/scale.md). `--partition SET:K` replaces it for one \
         run and `--partition off` solves the whole model; `archc test` and the editor's \
         solves take the whole model."
    ))
}

/// `textDocument/definition`.
pub fn definition(world: &World, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let p = params.text_document_position_params;
    let doc = world.doc(&p.text_document.uri)?;
    let snap = &doc.current;
    let offset = offset_of(doc, p.position);
    let loc = match decl_at(snap, offset) {
        Some(d) => location(world, snap, snap.index.decls[d].span)?,
        None => data_file_at(snap, offset)?,
    };
    Some(GotoDefinitionResponse::Scalar(loc))
}

/// The data file named by the string under the cursor after `from` (`regions from
/// "regions.csv"`, `param demand[...]: core from "demand.csv"`), at its start.
fn data_file_at(snap: &Snapshot, offset: usize) -> Option<Location> {
    let text = snap.text();
    let tokens = lexer::lex(text);
    let i = tokens
        .iter()
        .position(|t| t.kind == TokenKind::String && t.start <= offset && offset <= t.end)?;
    let from = tokens[..i].iter().rev().find(|t| !t.kind.is_trivia())?;
    if from.text(text) != "from" {
        return None;
    }
    let rel = tokens[i].text(text).strip_prefix('"')?.strip_suffix('"')?;
    let path = snap.analysis.sources.resolve(snap.main, rel);
    if !path.is_file() {
        return None;
    }
    let uri = super::convert::path_to_uri(&path)?;
    Some(Location::new(uri, lsp_types::Range::default()))
}

/// `textDocument/references`.
pub fn references(world: &World, params: ReferenceParams) -> Option<Vec<Location>> {
    let p = params.text_document_position;
    let doc = world.doc(&p.text_document.uri)?;
    let snap = &doc.current;
    let d = snap.index.at(snap.main, offset_of(doc, p.position))?;
    let decl_span = snap.index.decls[d].span;
    let locs = snap
        .index
        .occurrences(d)
        .into_iter()
        .filter(|s| params.context.include_declaration || *s != decl_span)
        .filter_map(|s| location(world, snap, s))
        .collect();
    Some(locs)
}

/// `textDocument/rename`: every occurrence of the symbol, in every file that has a path.
// `WorkspaceEdit` is keyed by `Uri`, whose parsed form caches data in a `Cell`.
#[allow(clippy::mutable_key_type)]
pub fn rename(world: &World, params: RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let p = params.text_document_position;
    let doc = world
        .doc(&p.text_document.uri)
        .ok_or("the document is not open")?;
    let snap = &doc.current;
    let offset = offset_of(doc, p.position);
    let word = word_at(snap.text(), offset).ok_or("there is no name here")?;
    let text = word.text(snap.text());
    if !matches!(word.kind, TokenKind::Ident | TokenKind::DigitName) || is_builtin(text) {
        return Err(format!(
            "`{text}` is a keyword or built-in name and cannot be renamed"
        ));
    }
    let new_text = new_name_text(&params.new_name)?;
    let d = snap
        .index
        .at(snap.main, offset)
        .ok_or_else(|| format!("`{text}` is not declared in this model"))?;
    let decl = &snap.index.decls[d];
    if snap.analysis.sources.get(decl.span.file).path.is_none() {
        return Err(format!(
            "`{}` is declared in the standard library and cannot be renamed",
            decl.name
        ));
    }
    if snap
        .analysis
        .sources
        .get(decl.span.file)
        .path
        .as_deref()
        .is_some_and(super::stdlib_docs::is_stdlib_path)
    {
        return Err(format!(
            "`{}` is in a read-only copy of the standard library and cannot be renamed",
            decl.name
        ));
    }
    if decl.kind == SymbolKind::Entity && decl.name.contains("->") {
        return Err("a link is named by its endpoints; rename the regions instead".into());
    }
    let bare = archc::syntax::unquote_name(&params.new_name);
    if bare != decl.name {
        if let Some(other) = clash(snap, d, bare) {
            let o = &snap.index.decls[other];
            let at = location(world, snap, o.span)
                .map(|l| format!(" (line {})", l.range.start.line + 1))
                .unwrap_or_default();
            return Err(format!(
                "cannot rename `{}` to `{bare}`: {} `{bare}` is declared already{at}",
                decl.name,
                kind_word(o.kind)
            ));
        }
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for span in snap.index.occurrences(d) {
        let Some(loc) = location(world, snap, span) else {
            return Err(format!(
                "`{}` is used in a file that cannot be edited",
                decl.name
            ));
        };
        changes
            .entry(loc.uri)
            .or_default()
            .push(TextEdit::new(loc.range, new_text.clone()));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

/// A declaration that a rename of `decl` to `name` would clash with: one of the same name
/// that is visible where `decl` is (names visible everywhere, and index variables of the
/// same declaration), or, for an attribute, one of the same kind.
fn clash(snap: &Snapshot, decl: usize, name: &str) -> Option<usize> {
    let index = &snap.index;
    let renamed = &index.decls[decl];
    let same_item = |a: usize, b: usize| {
        let (x, y) = (&index.decls[a], &index.decls[b]);
        x.span.file == y.span.file && x.decl_span == y.decl_span
    };
    let same_kind = |a: usize, b: usize| {
        let (x, y) = (&index.decls[a], &index.decls[b]);
        let owner = |s: &Symbol| {
            let file = snap
                .analysis
                .files
                .iter()
                .find(|(id, _)| *id == s.span.file)
                .map(|(_, f)| f)?;
            super::index::innermost_item(&file.items, s.span.start as usize).map(|i| i.span)
        };
        x.span.file == y.span.file && owner(x).is_some() && owner(x) == owner(y)
    };
    (0..index.decls.len()).find(|&other| {
        let o = &index.decls[other];
        if other == decl || o.name != name {
            return false;
        }
        match (renamed.kind, o.kind) {
            (SymbolKind::Attribute, SymbolKind::Attribute) => same_kind(decl, other),
            (SymbolKind::Attribute, _) | (_, SymbolKind::Attribute) => false,
            (SymbolKind::IndexVar, SymbolKind::IndexVar) => {
                index.scopes[decl] == index.scopes[other] || same_item(decl, other)
            }
            _ => true,
        }
    })
}

/// Keywords, contextual words, base types and aggregates are not renamed.
pub fn is_builtin(word: &str) -> bool {
    lexer::is_keyword(word)
        || lexer::CONTEXTUAL_WORDS.contains(&word)
        || lexer::TYPE_WORDS.contains(&word)
        || lexer::AGGREGATES.contains(&word)
}

/// The text a rename writes for `name`: a plain identifier as is; a name that needs
/// backticks (`1a`, `eu west`, given with or without them) quoted.
fn new_name_text(name: &str) -> Result<String, String> {
    let bare = archc::syntax::unquote_name(name);
    let plain_builtin = bare.len() == name.len() && is_builtin(name);
    match archc::syntax::written_name(bare) {
        Some(text) if !plain_builtin => Ok(text),
        _ => Err(format!("`{name}` is not a valid name")),
    }
}

/// The location of a span of an analysis.
pub fn location(world: &World, snap: &Snapshot, span: archc::span::Span) -> Option<Location> {
    let uri = world.uri_of(snap, span.file)?;
    let range = if span.file == snap.main {
        snap.lines.range(snap.text(), span)
    } else {
        let text = snap.analysis.sources.text(span.file);
        super::convert::LineIndex::new(text).range(text, span)
    };
    Some(Location::new(uri, range))
}
