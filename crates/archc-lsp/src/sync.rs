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

    /// A document is opened with a plain parse; when the server is idle its parse cache is
    /// filled, so that the parse after the first edit reuses every unchanged item.
    #[test]
    fn the_parse_cache_is_filled_when_idle_and_reused_after_an_edit() {
        let text: String = (0..50)
            .map(|i| format!("param p{i}: int = {i}\n"))
            .collect();
        let uri: Uri = "file:///sync-test/model.arch".parse().expect("uri");
        let mut world = World::default();
        let path = world.set_text(uri.clone(), 1, text.clone(), Depth::Saved);
        assert!(world.docs.get(&path).is_some_and(|d| !d.cache_warm));
        assert!(world.warm_parse_caches());
        assert!(!world.warm_parse_caches(), "every cache is warm");
        let edited = text.replace("= 25\n", "= 26\n");
        world.set_text(uri, 2, edited, Depth::Typing);
        let doc = world.docs.get(&path).expect("open document");
        let cache = doc.parse_cache.lock().expect("cache");
        // The edited item, and the few before it whose parse looked at its line, are parsed
        // again (without the idle fill, all fifty would be).
        assert_eq!(cache.reused + cache.parsed, 50);
        assert!(cache.parsed <= 4, "{} parsed", cache.parsed);
        assert!(doc.current.analysis.diagnostics.is_empty());
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
