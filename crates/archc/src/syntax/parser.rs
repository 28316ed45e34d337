//! Parsing: source text → [`ast::File`], with every node spanned. The parser recovers from
//! a syntax error by skipping to the next line that starts a declaration, so one run reports
//! every broken item.
//!
//! This module holds the entry points, the item-by-item driver loop (with reuse of the
//! incremental cache) and the `Builder` that turns pest pairs into spanned AST nodes. The
//! builder's methods live in `items` (declarations) and `exprs` (expressions); text
//! scanning for recovery and error detail lives in `recovery`. Next in the pipeline:
//! assembling the program in [`crate::resolve`].

mod depth;
mod exprs;
mod items;
mod recovery;
#[cfg(test)]
mod tests;

use super::ast::*;
use super::errors;
use super::incremental::ParseCache;
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser;
use recovery::{blank_deep_items, detailed_error, next_item_start, reach, skip_trivia};

pub use depth::MAX_NESTING;

#[derive(pest_derive::Parser)]
#[grammar = "../../../grammar/arch.pest"]
pub struct ArchParser;

type P<'a> = Pair<'a, Rule>;

/// Parse a whole file. Always returns a (possibly partial) AST and the syntax diagnostics.
pub fn parse_file(file: FileId, original: &str) -> (File, Vec<Diagnostic>) {
    parse(file, original, None)
}

/// Parse a whole file again after an edit, reusing the items of the previous parse kept in
/// `cache` whose text did not change. Gives the same AST and diagnostics as [`parse_file`].
pub fn parse_file_incremental(
    file: FileId,
    original: &str,
    cache: &mut ParseCache,
) -> (File, Vec<Diagnostic>) {
    parse(file, original, Some(cache))
}

fn parse(
    file: FileId,
    original: &str,
    mut cache: Option<&mut ParseCache>,
) -> (File, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diags = Vec::new();
    // Items nested too deeply for a recursive parser are reported and blanked out (byte for
    // byte, so spans stay right) instead of overflowing the stack.
    let blanked = blank_deep_items(file, original, &mut diags);
    if let Some(c) = cache.as_deref_mut() {
        if blanked.is_some() {
            c.clear();
            cache = None;
        } else {
            c.begin(file);
        }
    }
    let text: &str = blanked.as_deref().unwrap_or(original);
    let mut pos = skip_trivia(text, 0);
    while pos < text.len() {
        if let Some((result, next)) = cache.as_deref_mut().and_then(|c| c.lookup(text, pos)) {
            match result {
                Ok(item) => items.push(item),
                Err(d) => diags.push(d),
            }
            pos = next;
            continue;
        }
        match ArchParser::parse(Rule::single_item, &text[pos..]) {
            Ok(mut pairs) => {
                let single = pairs.next();
                let Some(item_pair) = single.and_then(|p| p.into_inner().next()) else {
                    break;
                };
                let end = pos + item_pair.as_span().end();
                // `x[`1a] >= 2` parses as the item `... x` followed by junk: report the
                // broken quoted name on the item's last line instead of the item.
                if let Some(d) = broken_quote_after(file, text, pos, end) {
                    diags.push(d);
                    pos = skip_trivia(text, next_item_start(text, end.max(pos + 1)));
                    continue;
                }
                let b = Builder { file, base: pos };
                let result = b.item(item_pair);
                if end <= pos {
                    push_result(result, &mut items, &mut diags);
                    break;
                }
                let next = skip_trivia(text, end);
                if let Some(c) = cache.as_deref_mut() {
                    let (reached, probed) = reach(text, pos);
                    c.probed += probed;
                    c.store(text, pos, next, reached, &result);
                }
                push_result(result, &mut items, &mut diags);
                pos = next;
            }
            Err(_) => {
                let detailed = detailed_error(&text[pos..]);
                let Some(e) = detailed else { break };
                let (offset, d) = errors::from_pest(file, text, pos, &e);
                diags.push(d);
                pos = skip_trivia(text, next_item_start(text, offset.max(pos + 1)));
            }
        }
    }
    if let Some(c) = cache {
        c.finish();
    }
    let file_node = File {
        items,
        span: Span::new(file, 0, text.len()),
    };
    (file_node, diags)
}
/// An E0106 error when the rest of the line after an item (which ends at `end`) holds a
/// backtick that does not start a well-formed quoted name.
fn broken_quote_after(file: FileId, text: &str, start: usize, end: usize) -> Option<Diagnostic> {
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    if !text[end..line_end].contains('`') {
        return None;
    }
    errors::bad_quote(file, text, start, end)
}

fn push_result(result: R<Item>, items: &mut Vec<Item>, diags: &mut Vec<Diagnostic>) {
    match result {
        Ok(item) => items.push(item),
        Err(d) => diags.push(d),
    }
}
struct Builder {
    file: FileId,
    base: usize,
}

type R<T> = Result<T, Diagnostic>;

impl Builder {
    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    /// A name; a quoted name (`` `1a` ``) loses its backticks, its span keeps them.
    fn ident(&self, p: P) -> Ident {
        Ident {
            name: unquote_name(p.as_str()).to_string(),
            span: self.span(&p),
        }
    }

    fn string(&self, p: P) -> StrLit {
        let span = self.span(&p);
        let inner = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
        StrLit {
            value: unescape(inner),
            span,
        }
    }
}

/// The name written as `text`: the text between the backticks of a quoted name, else the
/// text itself.
pub fn unquote_name(text: &str) -> &str {
    match text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        Some(inner) if !inner.is_empty() => inner,
        _ => text,
    }
}

/// True when `name` reads as a plain identifier (not a reserved word, not starting with a
/// digit), so it can be written without backticks anywhere a name is accepted.
pub fn is_plain_name(name: &str) -> bool {
    matches!(
        ArchParser::parse(Rule::ident, name),
        Ok(p) if p.as_str().len() == name.len() && !name.starts_with('`')
    )
}

/// `name` as it must be written in source: as is when it is a plain name, else between
/// backticks (`us-east` stays as is; `1a`, `eu west` and `in` need backticks).
/// `None` when no spelling can hold it (empty, or holding a backtick or a newline).
pub fn written_name(name: &str) -> Option<String> {
    if is_plain_name(name) {
        Some(name.to_string())
    } else if name.is_empty() || name.contains(['`', '\n']) {
        None
    } else {
        Some(format!("`{name}`"))
    }
}

fn next<'a>(it: &mut impl Iterator<Item = P<'a>>, span: Span) -> R<P<'a>> {
    it.next()
        .ok_or_else(|| errors::internal(span, "missing node"))
}
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}
