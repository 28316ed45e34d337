//! Document synchronisation: `didOpen`, `didChange` (incremental: each change replaces a
//! range given in UTF-16 positions, or the whole text when it has no range), `didSave` and
//! `didClose` update the [`World`] and re-analyse the document.

use super::convert::{self, LineIndex};
use super::world::{Depth, World};
use lsp_server::Notification;
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _,
};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::path::PathBuf;

/// What a notification changed.
#[derive(Debug)]
pub enum Changed {
    /// The document at this path was analysed again.
    Analysed(PathBuf),
    /// The document was closed.
    Closed(Uri, PathBuf),
}

/// Apply a text document notification to the world.
pub fn apply(world: &mut World, n: Notification) -> Option<Changed> {
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let d = p.text_document;
            let path = world.set_text(d.uri, d.version, d.text, Depth::Saved);
            Some(Changed::Analysed(path))
        }
        DidChangeTextDocument::METHOD => {
            let p: lsp_types::DidChangeTextDocumentParams =
                serde_json::from_value(n.params).ok()?;
            let mut text = world
                .doc(&p.text_document.uri)
                .map(|d| d.text.clone())
                .unwrap_or_default();
            for change in &p.content_changes {
                apply_change(&mut text, change);
            }
            let path = world.set_text(
                p.text_document.uri,
                p.text_document.version,
                text,
                Depth::Typing,
            );
            Some(Changed::Analysed(path))
        }
        DidSaveTextDocument::METHOD => {
            let p: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let path = convert::uri_to_path(&p.text_document.uri);
            world.reanalyze(&path, Depth::Saved);
            Some(Changed::Analysed(path))
        }
        DidCloseTextDocument::METHOD => {
            let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let path = convert::uri_to_path(&p.text_document.uri);
            world.close(&p.text_document.uri);
            Some(Changed::Closed(p.text_document.uri, path))
        }
        _ => None,
    }
}

/// Apply one change to a text: replace its range (positions past the end of a line or of
/// the text are clamped to it; an end before the start is taken as the start), or the
/// whole text.
pub fn apply_change(text: &mut String, change: &TextDocumentContentChangeEvent) {
    match change.range {
        None => change.text.clone_into(text),
        Some(range) => {
            let index = LineIndex::new(text);
            let start = index.offset(text, range.start);
            let end = index.offset(text, range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn edit(text: &str, from: (u32, u32), to: (u32, u32), new: &str) -> String {
        let mut t = text.to_string();
        apply_change(
            &mut t,
            &TextDocumentContentChangeEvent {
                range: Some(Range::new(
                    Position::new(from.0, from.1),
                    Position::new(to.0, to.1),
                )),
                range_length: None,
                text: new.into(),
            },
        );
        t
    }

    #[test]
    fn ranges_are_in_utf16_units() {
        // `𝕏` is two UTF-16 units and four bytes; `€` one unit and three bytes.
        let text = "a𝕏b\n€c\n";
        assert_eq!(edit(text, (0, 3), (0, 4), "B"), "a𝕏B\n€c\n");
        assert_eq!(edit(text, (1, 1), (1, 2), "C"), "a𝕏b\n€C\n");
        assert_eq!(edit(text, (0, 1), (1, 1), ""), "ac\n");
    }

    #[test]
    fn insertions_deletions_and_clamping() {
        let text = "one\ntwo\n";
        assert_eq!(edit(text, (1, 0), (1, 0), "new\n"), "one\nnew\ntwo\n");
        assert_eq!(edit(text, (0, 3), (1, 3), ""), "one\n");
        assert_eq!(edit(text, (0, 99), (0, 99), "!"), "one!\ntwo\n");
        assert_eq!(edit(text, (9, 0), (9, 0), "end"), "one\ntwo\nend");
        assert_eq!(edit(text, (1, 2), (1, 1), "X"), "one\ntwXo\n");
    }
}
