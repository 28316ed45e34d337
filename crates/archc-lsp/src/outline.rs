//! Whole-document views: the outline (document symbols, from the AST so it works without
//! the checker), semantic tokens (from the logos lexer, names coloured by what they
//! declare or refer to) and inlay hints (the size of decisions and constraints).

use super::world::Snapshot;
use archc::analysis::SymbolKind as Sk;
use archc::span::Span;
use archc::syntax::ast::{Item, ItemKind, PlanStmtKind, UseTarget};
use archc::syntax::lexer::{self, TokenKind};
use lsp_types::{
    DocumentSymbol, InlayHint, InlayHintKind, InlayHintLabel, Range, SemanticToken,
    SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend, SymbolKind,
};
use std::collections::HashMap;

/// `textDocument/documentSymbol`: the items of the file, with attributes, template items
/// and plan variables as children.
pub fn document_symbols(snap: &Snapshot) -> Vec<DocumentSymbol> {
    match snap.ast() {
        Some(ast) => items_outline(snap, &ast.items),
        None => Vec::new(),
    }
}

fn items_outline(snap: &Snapshot, items: &[Item]) -> Vec<DocumentSymbol> {
    let text = snap.text();
    let range = |s: Span| snap.lines.range(text, s);
    items
        .iter()
        .map(|item| {
            let (name, sel) = match (&item.kind, item.kind.name()) {
                (_, Some(n)) => (n.name.clone(), n.span),
                (ItemKind::Use(u), None) => match &u.target {
                    UseTarget::Module(parts) => {
                        let name = parts
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(".");
                        let sel = parts.first().map_or(item.span, |f| {
                            f.span.to(parts.last().map_or(f.span, |l| l.span))
                        });
                        (name, sel)
                    }
                    UseTarget::File(s) => (s.value.clone(), s.span),
                },
                (ItemKind::Partition(p), None) => (
                    format!("partition {} into {}", p.set.name, p.parts),
                    p.set.span,
                ),
                (ItemKind::EntitiesFrom(e), None) => (
                    format!("{} from \"{}\"", e.set.name, e.path.value),
                    e.set.span,
                ),
                (ItemKind::Objective(o), None) => (
                    match o.sense {
                        archc::syntax::ast::ObjectiveSense::Minimize => "minimize".to_string(),
                        archc::syntax::ast::ObjectiveSense::Maximize => "maximize".to_string(),
                    },
                    item.span,
                ),
                (k, None) => (k.describe().to_string(), item.span),
            };
            let mut children = Vec::new();
            match &item.kind {
                ItemKind::Kind(k) => {
                    for a in &k.attrs {
                        children.push(leaf(
                            a.name.name.clone(),
                            "attribute",
                            SymbolKind::FIELD,
                            range(a.span),
                            range(a.name.span),
                        ));
                    }
                }
                ItemKind::Entity(e) => {
                    for a in &e.attrs {
                        children.push(leaf(
                            a.name.name.clone(),
                            "attribute",
                            SymbolKind::PROPERTY,
                            range(a.span),
                            range(a.name.span),
                        ));
                    }
                }
                ItemKind::Template(t) => children = items_outline(snap, &t.items),
                ItemKind::Plan(p) => {
                    for s in &p.stmts {
                        let (n, word) = match &s.kind {
                            PlanStmtKind::State { name, .. } => (name, "state"),
                            PlanStmtKind::Choose { name, .. } => (name, "choice"),
                            _ => continue,
                        };
                        children.push(leaf(
                            n.name.clone(),
                            word,
                            SymbolKind::VARIABLE,
                            range(s.span),
                            range(n.span),
                        ));
                    }
                }
                _ => {}
            }
            let detail = match &item.kind {
                ItemKind::Entity(e) => format!("{} {}", e.kind.name, item.kind.describe()),
                k => k.describe().to_string(),
            };
            #[allow(deprecated)]
            DocumentSymbol {
                name,
                detail: Some(detail),
                kind: lsp_symbol_kind(&item.kind),
                tags: None,
                deprecated: None,
                range: range(trim_end(text, item.span)),
                selection_range: range(sel),
                children: if children.is_empty() {
                    None
                } else {
                    Some(children)
                },
            }
        })
        .collect()
}

/// A span without the whitespace the parser may include at its end.
fn trim_end(text: &str, span: Span) -> Span {
    let body = text.get(span.range()).unwrap_or("");
    Span {
        end: span.start + body.trim_end().len() as u32,
        ..span
    }
}

fn leaf(
    name: String,
    detail: &str,
    kind: SymbolKind,
    range: Range,
    selection_range: Range,
) -> DocumentSymbol {
    #[allow(deprecated)]
    DocumentSymbol {
        name,
        detail: Some(detail.to_string()),
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children: None,
    }
}

fn lsp_symbol_kind(kind: &ItemKind) -> SymbolKind {
    match kind {
        ItemKind::Use(_) => SymbolKind::MODULE,
        ItemKind::Unit(_) => SymbolKind::TYPE_PARAMETER,
        ItemKind::Kind(_) => SymbolKind::CLASS,
        ItemKind::Entity(_) => SymbolKind::ENUM_MEMBER,
        ItemKind::EntitiesFrom(_) | ItemKind::Set(_) | ItemKind::Partition(_) => SymbolKind::ENUM,
        ItemKind::Param(_) => SymbolKind::CONSTANT,
        ItemKind::Decide(_) => SymbolKind::VARIABLE,
        ItemKind::Constraint(_) => SymbolKind::EVENT,
        ItemKind::Objective(_) => SymbolKind::OPERATOR,
        ItemKind::Fn(_) => SymbolKind::FUNCTION,
        ItemKind::Template(_) | ItemKind::Apply(_) => SymbolKind::INTERFACE,
        ItemKind::Plan(_) => SymbolKind::STRUCT,
        ItemKind::Test(_) => SymbolKind::METHOD,
    }
}

/// The semantic token types, in legend order.
const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::TYPE,
    SemanticTokenType::CLASS,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::EVENT,
    SemanticTokenType::ENUM,
];

const TOKEN_MODIFIERS: &[SemanticTokenModifier] = &[
    SemanticTokenModifier::DECLARATION,
    SemanticTokenModifier::READONLY,
    SemanticTokenModifier::DOCUMENTATION,
    SemanticTokenModifier::DEFAULT_LIBRARY,
];

const DECLARATION: u32 = 1;
const READONLY: u32 = 2;
const DOCUMENTATION: u32 = 4;
const DEFAULT_LIBRARY: u32 = 8;

/// The legend announced in the server's capabilities.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES.to_vec(),
        token_modifiers: TOKEN_MODIFIERS.to_vec(),
    }
}

fn type_index(t: &SemanticTokenType) -> u32 {
    TOKEN_TYPES.iter().position(|x| x == t).unwrap_or(0) as u32
}

fn symbol_token(kind: Sk) -> (SemanticTokenType, u32) {
    match kind {
        Sk::Module => (SemanticTokenType::NAMESPACE, 0),
        Sk::Unit => (SemanticTokenType::TYPE, 0),
        Sk::Kind => (SemanticTokenType::CLASS, 0),
        Sk::Attribute => (SemanticTokenType::PROPERTY, 0),
        Sk::Entity => (SemanticTokenType::ENUM_MEMBER, 0),
        Sk::Set => (SemanticTokenType::ENUM, READONLY),
        Sk::Param => (SemanticTokenType::VARIABLE, READONLY),
        Sk::Decision => (SemanticTokenType::VARIABLE, 0),
        Sk::Constraint | Sk::Objective | Sk::Test => (SemanticTokenType::EVENT, 0),
        Sk::Function | Sk::Template | Sk::Plan => (SemanticTokenType::FUNCTION, 0),
        Sk::IndexVar => (SemanticTokenType::PARAMETER, 0),
    }
}

/// `textDocument/semanticTokens/full`.
pub fn semantic_tokens(snap: &Snapshot) -> SemanticTokens {
    let text = snap.text();
    let mut names: HashMap<usize, (Sk, bool)> = HashMap::new();
    for d in &snap.index.decls {
        if d.span.file == snap.main {
            names.insert(d.span.start as usize, (d.kind, true));
        }
    }
    for &(span, d) in &snap.index.refs {
        if span.file == snap.main {
            names
                .entry(span.start as usize)
                .or_insert((snap.index.decls[d].kind, false));
        }
    }
    let tokens = lexer::lex(text);
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    let mut prev_sig: Option<TokenKind> = None;
    for (i, t) in tokens.iter().enumerate() {
        let next_sig = tokens[i + 1..]
            .iter()
            .find(|n| !n.kind.is_trivia())
            .map(|n| n.kind);
        let word = t.text(text);
        let class: Option<(SemanticTokenType, u32)> = match t.kind {
            TokenKind::Keyword | TokenKind::Bool => Some((SemanticTokenType::KEYWORD, 0)),
            TokenKind::Comment => Some((SemanticTokenType::COMMENT, 0)),
            TokenKind::DocComment => Some((SemanticTokenType::COMMENT, DOCUMENTATION)),
            TokenKind::Number | TokenKind::Period => Some((SemanticTokenType::NUMBER, 0)),
            TokenKind::Unit => Some((SemanticTokenType::TYPE, 0)),
            TokenKind::String | TokenKind::UnterminatedString => {
                Some((SemanticTokenType::STRING, 0))
            }
            TokenKind::Iff
            | TokenKind::Arrow
            | TokenKind::EqEq
            | TokenKind::Ne
            | TokenKind::Le
            | TokenKind::Ge => Some((SemanticTokenType::OPERATOR, 0)),
            TokenKind::Ident | TokenKind::DigitName => match names.get(&t.start) {
                Some(&(kind, decl)) => {
                    let (ty, m) = symbol_token(kind);
                    Some((ty, m | if decl { DECLARATION } else { 0 }))
                }
                None if lexer::TYPE_WORDS.contains(&word) => {
                    Some((SemanticTokenType::TYPE, DEFAULT_LIBRARY))
                }
                None if lexer::AGGREGATES.contains(&word)
                    && next_sig == Some(TokenKind::LParen) =>
                {
                    Some((SemanticTokenType::FUNCTION, DEFAULT_LIBRARY))
                }
                None if lexer::CONTEXTUAL_WORDS.contains(&word)
                    && prev_sig != Some(TokenKind::Dot) =>
                {
                    Some((SemanticTokenType::KEYWORD, 0))
                }
                None if prev_sig == Some(TokenKind::Dot) => Some((SemanticTokenType::PROPERTY, 0)),
                None => None,
            },
            _ => None,
        };
        if !t.kind.is_trivia() {
            prev_sig = Some(t.kind);
        }
        let Some((ty, modifiers)) = class else {
            continue;
        };
        // A token may span lines (a string with an escaped newline): one entry per line.
        let mut start = t.start;
        while start < t.end {
            let end = text[start..t.end].find('\n').map_or(t.end, |i| start + i);
            if end > start {
                let pos = snap.lines.position(text, start);
                let len: usize = text[start..end].chars().map(char::len_utf16).sum();
                let delta_line = pos.line - prev_line;
                let delta_start = if delta_line == 0 {
                    pos.character - prev_col
                } else {
                    pos.character
                };
                data.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: len as u32,
                    token_type: type_index(&ty),
                    token_modifiers_bitset: modifiers,
                });
                prev_line = pos.line;
                prev_col = pos.character;
            }
            start = end + 1;
        }
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}

/// `textDocument/inlayHint`: the `info` of decisions and constraints (how many columns or
/// rows they instantiate to) at the end of their declaration's first line.
pub fn inlay_hints(snap: &Snapshot, range: Range) -> Vec<InlayHint> {
    let text = snap.text();
    let mut hints = Vec::new();
    for d in &snap.index.decls {
        let Some(info) = &d.info else { continue };
        if d.span.file != snap.main || !matches!(d.kind, Sk::Decision | Sk::Constraint) {
            continue;
        }
        // The line of the name: the declaration's first line after its doc comments.
        let start = d.span.start as usize;
        let line_end = text
            .get(start..)
            .and_then(|r| r.find('\n'))
            .map_or(text.len(), |i| start + i);
        let end = line_end.min(d.decl_span.end as usize).max(start);
        let end = start + text.get(start..end).map_or(0, |s| s.trim_end().len());
        let pos = snap.lines.position(text, end);
        if pos < range.start || pos > range.end {
            continue;
        }
        hints.push(InlayHint {
            position: pos,
            label: InlayHintLabel::String(info.clone()),
            kind: Some(InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::navigation::hover_markdown;
    use archc::analysis::{AnalyzeOptions, Reference, Symbol, SymbolId};
    use archc::driver::analyze_source;
    use std::path::Path;

    const TEXT: &str = "/// How many racks.\ndecide build[k in racks]: int >= 0\nminimize cost: sum(k in racks) build[k]\n";

    /// An analysis as the checker will fill it: a decision with its size and one use.
    fn checked() -> Snapshot {
        let mut analysis = analyze_source("m.arch", TEXT, None, &AnalyzeOptions::default());
        // Only the hand-made symbols below, so that their ids are known.
        analysis.symbols.clear();
        analysis.references.clear();
        let file = archc::span::FileId(0);
        let name = TEXT.find("build").unwrap_or(0);
        let use_at = TEXT.rfind("build").unwrap_or(0);
        analysis.symbols.push(Symbol {
            name: "build".into(),
            kind: Sk::Decision,
            span: Span::new(file, name, name + 5),
            decl_span: Span::new(file, 0, TEXT.find("\nminimize").unwrap_or(0)),
            doc: Some("How many racks.".into()),
            detail: "decide build[k in racks]: int >= 0".into(),
            info: Some("3 columns".into()),
        });
        analysis.references.push(Reference {
            span: Span::new(file, use_at, use_at + 5),
            symbol: SymbolId(0),
        });
        Snapshot::new(analysis, Path::new("m.arch"))
    }

    #[test]
    fn inlay_hint_at_the_end_of_the_first_code_line() {
        let snap = checked();
        let all = Range::new(
            lsp_types::Position::new(0, 0),
            lsp_types::Position::new(99, 0),
        );
        let hints = inlay_hints(&snap, all);
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].position, lsp_types::Position::new(1, 34));
        assert!(matches!(&hints[0].label, InlayHintLabel::String(s) if s == "3 columns"));
        let none = Range::new(
            lsp_types::Position::new(2, 0),
            lsp_types::Position::new(9, 0),
        );
        assert!(inlay_hints(&snap, none).is_empty());
    }

    #[test]
    fn checker_symbols_drive_navigation_and_highlighting() {
        let snap = checked();
        assert!(snap.index.from_checker);
        let use_at = TEXT.rfind("build").unwrap_or(0);
        let d = snap.index.at(snap.main, use_at + 2);
        assert_eq!(d, Some(0));
        assert_eq!(snap.index.occurrences(0).len(), 2);
        let md = hover_markdown(&snap.index.decls[0]);
        assert!(
            md.contains("decide build[k in racks]: int >= 0")
                && md.contains("3 columns")
                && md.contains("How many racks.")
        );
        // The use of `build` is highlighted as a variable, its declaration too.
        let tokens = semantic_tokens(&snap);
        let variable = type_index(&SemanticTokenType::VARIABLE);
        assert_eq!(
            tokens
                .data
                .iter()
                .filter(|t| t.token_type == variable)
                .count(),
            2
        );
    }

    #[test]
    fn parse_only_index_finds_declarations_and_uses() {
        let mut analysis = analyze_source("m.arch", TEXT, None, &AnalyzeOptions::default());
        // As when the checker has not run (a file that does not parse).
        analysis.symbols.clear();
        analysis.references.clear();
        let snap = Snapshot::new(analysis, Path::new("m.arch"));
        assert!(!snap.index.from_checker);
        let d = snap.index.by_name("build");
        assert!(d.is_some_and(|d| snap.index.occurrences(d).len() == 2));
        // The index variable `k` of `build` is local to its declaration.
        let k = snap.index.by_name("k");
        assert!(k.is_some_and(|k| snap.index.scopes[k].is_some()));
        let outline = document_symbols(&snap);
        let names: Vec<&str> = outline.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["build", "cost"]);
    }
}
