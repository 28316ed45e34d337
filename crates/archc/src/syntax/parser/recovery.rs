//! Text scanning around the pest parser: skipping trivia between items, finding where the
//! next declaration starts after a syntax error, blanking out items nested too deeply for a
//! recursive parser, and the slow detailed-error and reach parses. Used by the driver in
//! [`super`] before and between item parses.

use super::depth::MAX_NESTING;
use super::{ArchParser, Rule};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};
use pest::Parser;

/// The error of a parse of one item with detailed attempt tracking, which describes what was
/// expected. Tracking is slow, so it is switched on only for this; the switch is global, so
/// one thread at a time has it on (a parse on another thread meanwhile is only slower).
pub(super) fn detailed_error(text: &str) -> Option<pest::error::Error<Rule>> {
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAIL.lock().unwrap_or_else(|e| e.into_inner());
    pest::set_error_detail(true);
    let detailed = ArchParser::parse(Rule::single_item, text).err();
    pest::set_error_detail(false);
    detailed
}

/// The furthest position the parser tried to match something at while reading the item at
/// `pos` (and failing to continue it), from a parse of the item followed by a rule that
/// never matches.
///
/// A failed pest parse builds an error that scans its input from the end back to the failure
/// (`Position::line_of`), so a probe over all of `text[pos..]` for every item would make the
/// parse of a file quadratic in its length. The probe reads a window ending at a line end
/// instead, grown until the reach lies so far inside it that the text after the window
/// cannot have mattered (by the rule the parse cache keys items with, `key_end`).
/// Returns the reach and how many bytes the probes read (the sum of the windows' lengths).
pub(super) fn reach(text: &str, pos: usize) -> (usize, usize) {
    let mut len = 256;
    let mut probed = 0;
    loop {
        let end = (pos + len).min(text.len());
        // After a newline, so on a char boundary.
        let end = text.as_bytes()[end..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| end + i + 1);
        let r = reach_within(&text[..end], pos);
        probed += end - pos;
        if end >= text.len() || crate::syntax::incremental::key_end(text, r) <= end {
            return (r, probed);
        }
        len *= 4;
    }
}

fn reach_within(text: &str, pos: usize) -> usize {
    use pest::error::InputLocation;
    match ArchParser::parse(Rule::probe_item, &text[pos..]) {
        Err(e) => match e.location {
            InputLocation::Pos(p) => pos + p,
            InputLocation::Span((_, b)) => pos + b,
        },
        Ok(_) => text.len(),
    }
}

/// Blank out (byte for byte, keeping newlines) every item whose expressions nest deeper than
/// [`MAX_NESTING`] (see [`super::depth`]), with an E0105 error for each. `None` when nothing
/// is too deep.
pub(super) fn blank_deep_items(
    file: FileId,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let bytes = text.as_bytes();
    let bad = super::depth::too_deep(text);
    if bad.is_empty() {
        return None;
    }
    let mut out = text.as_bytes().to_vec();
    for &at in &bad {
        diags.push(
            Diagnostic::error(
                Code::E0105,
                format!("expression nested more than {MAX_NESTING} levels deep"),
            )
            .primary(Span::new(file, at, at + 1), "too deep here")
            .help("split the expression with a `fn` or a `param`"),
        );
        let start = text[..at].rfind('\n').map(|p| p + 1).unwrap_or(0);
        let start = (0..=start)
            .rev()
            .find(|&p| {
                p == 0
                    || (bytes[p - 1] == b'\n'
                        && bytes.get(p).is_some_and(|c| c.is_ascii_alphabetic()))
            })
            .unwrap_or(0);
        let end = next_item_start(text, at);
        for b in &mut out[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Skip whitespace and non-doc comments.
pub(super) fn skip_trivia(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        while pos < bytes.len() && (bytes[pos] as char).is_ascii_whitespace() {
            pos += 1;
        }
        if text[pos..].starts_with("\u{feff}") {
            pos += 3;
            continue;
        }
        if text[pos..].starts_with("//") && !text[pos..].starts_with("///") {
            while pos < bytes.len() && bytes[pos] != b'\n' {
                pos += 1;
            }
            continue;
        }
        return pos;
    }
}

/// The start of the next line (after `from`) that starts with a letter, `_`, a backtick (a
/// quoted kind name) or a doc comment: where the next declaration most likely begins.
pub(super) fn next_item_start(text: &str, from: usize) -> usize {
    let mut pos = crate::span::floor_char_boundary(text, from);
    while let Some(nl) = text[pos..].find('\n') {
        pos += nl + 1;
        let rest = &text[pos..];
        match rest.chars().next() {
            Some(c) if c.is_alphabetic() || c == '_' || c == '`' => return pos,
            Some('/') if rest.starts_with("///") => return pos,
            _ => {}
        }
    }
    text.len()
}
