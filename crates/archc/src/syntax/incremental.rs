//! Incremental parsing for the language server. The parser reads a file one top-level item
//! at a time; a [`ParseCache`] remembers, for each item of the previous parse, the text the
//! parse depended on and what it produced. When the next parse (after an edit) reaches a
//! position where the same text starts again, the item is reused, with its spans moved to
//! the new offset, instead of being parsed again. The result is the same AST and the same
//! diagnostics as a parse from scratch.
//!
//! What an item's parse depends on: the text from its start to the furthest position the
//! parser tried to match at, which can lie past the item's end (an optional part it tried
//! and gave up on, an operator it looked for after the item). A second parse of the item,
//! followed by a rule that never matches, tells that position (pest reports the furthest
//! attempt), and the cache key runs on to the end of its line and two lines more (or to
//! the end of the file, which must then still be the end of the file).

use super::ast::Item;
use super::shift::Shift;
use crate::diagnostics::Diagnostic;
use crate::span::FileId;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// One item of a previous parse.
#[derive(Debug)]
struct Entry {
    /// The text the parse of the item depended on (see the module documentation).
    key: String,
    /// True when `key` ran to the end of the file.
    at_eof: bool,
    /// Where the parser went on after the item, relative to its start.
    next: usize,
    /// The item (or the error building it), with spans relative to the item's start.
    result: Result<Item, Diagnostic>,
}

/// The items of the last parse of one document, for [`super::parser::parse_file_incremental`].
#[derive(Debug, Default)]
pub struct ParseCache {
    file: FileId,
    old: Vec<Option<Entry>>,
    old_index: HashMap<u64, Vec<usize>>,
    new: Vec<Entry>,
    new_index: HashMap<u64, Vec<usize>>,
    /// Items reused and items parsed by the last parse (for tests and measurements).
    pub reused: usize,
    pub parsed: usize,
    /// Bytes read by the last parse's probes for how far each parsed item looked (for
    /// tests: linear in the length of the text, see `parser::recovery::reach`).
    pub probed: usize,
}

/// Hash of the first line of the text at `pos` (its newline included).
fn first_line_hash(text: &str, pos: usize) -> u64 {
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
    let mut h = DefaultHasher::new();
    text[pos..end].hash(&mut h);
    h.finish()
}

/// The end of the text an item's parse may have depended on, given the furthest position
/// the parser tried to match at (`reach`): the end of that line and of the next two lines
/// that are neither blank nor comments (tokens do not span lines, but a few lookaheads skip
/// blank lines).
pub(crate) fn key_end(text: &str, reach: usize) -> usize {
    let line_end = |at: usize| text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    let mut at = line_end(reach.min(text.len()));
    let mut more = 2;
    while more > 0 && at < text.len() {
        let end = line_end(at);
        let line = text[at..end].trim_start();
        if !(line.is_empty() || line.starts_with("//")) {
            more -= 1;
        }
        at = end;
    }
    at
}

impl ParseCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Start a parse of `file`: the previous parse's items become the ones to reuse.
    pub(crate) fn begin(&mut self, file: FileId) {
        if file != self.file {
            self.new.clear();
            self.new_index.clear();
            self.file = file;
        }
        self.old = std::mem::take(&mut self.new)
            .into_iter()
            .map(Some)
            .collect();
        self.old_index = std::mem::take(&mut self.new_index);
        self.reused = 0;
        self.parsed = 0;
        self.probed = 0;
    }

    /// Forget everything (the parse did not go item by item).
    pub(crate) fn clear(&mut self) {
        *self = ParseCache {
            file: self.file,
            ..Default::default()
        };
    }

    /// Drop what the finished parse did not reuse.
    pub(crate) fn finish(&mut self) {
        self.old.clear();
        self.old_index.clear();
    }

    /// The item that the previous parse found at a position with the same text, moved to
    /// `pos`, and where the parser goes on after it.
    pub(crate) fn lookup(
        &mut self,
        text: &str,
        pos: usize,
    ) -> Option<(Result<Item, Diagnostic>, usize)> {
        let hash = first_line_hash(text, pos);
        let rest = &text[pos..];
        let i = *self.old_index.get(&hash)?.iter().find(|&&i| {
            self.old[i].as_ref().is_some_and(|e| {
                rest.starts_with(e.key.as_str()) && (!e.at_eof || rest.len() == e.key.len())
            })
        })?;
        let entry = self.old[i].take()?;
        let mut result = entry.result.clone();
        shift_result(&mut result, pos as i64);
        let next = pos + entry.next;
        self.new_index.entry(hash).or_default().push(self.new.len());
        self.new.push(entry);
        self.reused += 1;
        Some((result, next))
    }

    /// Remember an item parsed at `pos` after which the parser goes on at `next`; `reach` is
    /// the furthest position the parser tried to match at while reading it.
    pub(crate) fn store(
        &mut self,
        text: &str,
        pos: usize,
        next: usize,
        reach: usize,
        result: &Result<Item, Diagnostic>,
    ) {
        self.parsed += 1;
        let end = key_end(text, next.max(reach));
        let mut result = result.clone();
        shift_result(&mut result, -(pos as i64));
        let hash = first_line_hash(text, pos);
        self.new_index.entry(hash).or_default().push(self.new.len());
        self.new.push(Entry {
            key: text[pos..end].to_string(),
            at_eof: end >= text.len(),
            next: next - pos,
            result,
        });
    }
}

fn shift_result(result: &mut Result<Item, Diagnostic>, delta: i64) {
    match result {
        Ok(item) => item.shift(delta),
        Err(d) => d.shift(delta),
    }
}
