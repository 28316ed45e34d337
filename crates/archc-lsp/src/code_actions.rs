//! `textDocument/codeAction`: quick fixes for what the diagnostics of the document's
//! current analysis already suggest. A "did you mean `x`" replaces the name under the
//! diagnostic; an unknown name or attribute that a standard library module declares gets
//! the `use std.MODULE` line inserted; a number that lacks its unit ("write the unit after
//! the number, e.g. `730 h`") gets the unit written after it. A fix is offered only when
//! its edit is certain: the diagnostic's span must hold exactly the text that is replaced.

use super::convert;
use super::world::{Document, Snapshot};
use archc::diagnostics::Code;
use archc::diagnostics::Diagnostic;
use archc::span::Span;
use archc::syntax::ast::ItemKind;
use archc::syntax::lexer::{self, TokenKind};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Position, Range, TextEdit,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// The quick fixes for the diagnostics of the document that touch the requested range.
pub fn code_actions(doc: &Document, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let snap = &doc.current;
    if snap.analysis.sources.is_empty() {
        return Vec::new();
    }
    let mut actions = Vec::new();
    for d in &snap.analysis.diagnostics {
        let Some(span) = d.primary_span().filter(|s| s.file == snap.main) else {
            continue;
        };
        let range = snap.lines.range(snap.text(), span);
        if !overlaps(range, params.range) {
            continue;
        }
        let fixes = [
            replace_suggestion(snap, d, span),
            add_missing_use(snap, d, span),
            add_missing_unit(snap, d, span),
        ];
        for (title, edit) in fixes.into_iter().flatten() {
            actions.push(action(doc, snap, d, title, edit));
        }
    }
    actions
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// A quick fix with one edit of the document.
// `WorkspaceEdit` is keyed by `Uri`, whose parsed form caches data in a `Cell`.
#[allow(clippy::mutable_key_type)]
fn action(
    doc: &Document,
    snap: &Snapshot,
    d: &Diagnostic,
    title: String,
    edit: TextEdit,
) -> CodeActionOrCommand {
    let no_uri = |_| None;
    let diagnostic = convert::lsp_diagnostic(
        &snap.analysis,
        d,
        snap.main,
        &doc.uri,
        snap.text(),
        &snap.lines,
        &no_uri,
    );
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic]),
        edit: Some(WorkspaceEdit::new(HashMap::from([(
            doc.uri.clone(),
            vec![edit],
        )]))),
        is_preferred: Some(true),
        ..Default::default()
    })
}

/// The text between the backticks after `marker` in the diagnostic's help or message.
fn quoted_after<'a>(d: &'a Diagnostic, marker: &str) -> Option<&'a str> {
    [d.help.as_deref(), Some(d.message.as_str())]
        .into_iter()
        .flatten()
        .find_map(|text| {
            let rest = &text[text.find(marker)? + marker.len()..];
            let rest = rest.strip_prefix('`')?;
            Some(&rest[..rest.find('`')?])
        })
}

/// "did you mean `x`?": replace the name (or quoted file name) under the diagnostic.
fn replace_suggestion(snap: &Snapshot, d: &Diagnostic, span: Span) -> Option<(String, TextEdit)> {
    let suggestion = quoted_after(d, "did you mean ")?;
    let old = snap.text().get(span.range())?;
    let new_text = if let Some(inner) = old.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        if inner.contains('"') || suggestion.contains('"') {
            return None;
        }
        format!("\"{suggestion}\"")
    } else {
        if !is_one_name(old) {
            return None;
        }
        archc::syntax::written_name(suggestion)?
    };
    let range = snap.lines.range(snap.text(), span);
    Some((
        format!("Replace `{old}` with `{suggestion}`"),
        TextEdit::new(range, new_text),
    ))
}

/// True when `text` is exactly one name token (plain or quoted).
fn is_one_name(text: &str) -> bool {
    let tokens = lexer::significant(text);
    tokens.len() == 1
        && matches!(tokens[0].kind, TokenKind::Ident | TokenKind::DigitName)
        && tokens[0].start == 0
        && tokens[0].end == text.len()
}

/// Standard attributes used without `use std.infra` (E0215), or an unknown name or attribute
/// (E0201, E0203) that a standard library module declares, in a document that does not use
/// that module yet: insert `use std.MODULE`.
fn add_missing_use(snap: &Snapshot, d: &Diagnostic, span: Span) -> Option<(String, TextEdit)> {
    let text = snap.text();
    let module = match d.code {
        Code::E0215 => "infra",
        Code::E0201 | Code::E0203 => {
            let word = text.get(span.range())?;
            let name = archc::syntax::unquote_name(word.rsplit('.').next()?.trim());
            if name.is_empty() {
                return None;
            }
            archc::stdlib::MODULES
                .iter()
                .find(|(_, source)| declares(source, name))
                .map(|(m, _)| *m)?
        }
        _ => return None,
    };
    let line = format!("use std.{module}");
    let ast = snap.ast()?;
    let mut at = Position::new(0, 0);
    for item in &ast.items {
        if let ItemKind::Use(_) = &item.kind {
            if text.get(item.span.range())?.trim() == line {
                return None;
            }
            let end = snap.lines.position(text, item.span.end as usize);
            at = Position::new(end.line + 1, 0);
        }
    }
    Some((
        format!("Add `{line}`"),
        TextEdit::new(Range::new(at, at), format!("{line}\n")),
    ))
}

/// True when a standard library module declares `name` (an item or a kind's attribute).
fn declares(source: &str, name: &str) -> bool {
    let (file, _) = archc::syntax::parse_file(archc::span::FileId(0), source);
    file.items.iter().any(|item| {
        item.kind.name().is_some_and(|n| n.name == name)
            || matches!(&item.kind, ItemKind::Kind(k) if k.attrs.iter().any(|a| a.name.name == name))
    })
}

/// "write the unit after the number, e.g. `730 h`": write the unit after the number under
/// the diagnostic.
fn add_missing_unit(snap: &Snapshot, d: &Diagnostic, span: Span) -> Option<(String, TextEdit)> {
    let example = quoted_after(d, "e.g. ")?;
    if !d
        .help
        .as_deref()?
        .starts_with("write the unit after the number")
    {
        return None;
    }
    let (_, unit) = example.split_once(' ')?;
    let old = snap.text().get(span.range())?;
    let tokens = lexer::significant(old);
    if tokens.len() != 1 || tokens[0].kind != TokenKind::Number {
        return None;
    }
    let range = snap.lines.range(snap.text(), span);
    Some((
        format!("Write `{old} {unit}`"),
        TextEdit::new(range, format!("{old} {unit}")),
    ))
}
