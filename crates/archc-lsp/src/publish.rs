//! The diagnostics a document's analysis publishes. Those in the document go to its URI.
//! Those whose primary span is in a data file (a CSV or JSON file read by `from "..."`)
//! go to the data file's URI, and each is also shown on the `from "..."` string of the
//! model that reads the file (with the data file's location as related information), so
//! that no error of the analysis goes unseen.

use super::convert::{self, LineIndex};
use super::world::{Snapshot, World};
use archc::span::{FileId, Span};
use archc::syntax::lexer::{self, TokenKind};
use lsp_types::{DiagnosticRelatedInformation, Location, Uri};
use std::collections::BTreeMap;
use std::path::Path;

/// The diagnostics of one document: its own, and those of each data file it reads (every
/// data file that has some, by URI).
#[derive(Debug, Default)]
pub struct Published {
    pub own: Vec<lsp_types::Diagnostic>,
    pub data: Vec<(Uri, Vec<lsp_types::Diagnostic>)>,
}

/// True for files of an analysis that are data, not models.
fn is_data_file(path: &Path) -> bool {
    path.extension().is_none_or(|e| e != "arch")
}

/// The diagnostics of a document's current analysis, for publishing.
pub fn diagnostics(world: &World, snap: &Snapshot, uri: &Uri) -> Published {
    let analysis = &snap.analysis;
    let uri_of = |f| world.uri_of(snap, f);
    let mut out = Published {
        own: convert::lsp_diagnostics(analysis, snap.main, uri, &snap.lines, &uri_of),
        data: Vec::new(),
    };
    let mut by_file: BTreeMap<FileId, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    for d in &analysis.diagnostics {
        let Some(span) = d.primary_span().or(d.labels.first().map(|l| l.span)) else {
            continue;
        };
        if span.file == snap.main || (span.file.0 as usize) >= analysis.sources.len() {
            continue;
        }
        let source = analysis.sources.get(span.file);
        let Some(path) = source.path.as_deref().filter(|p| is_data_file(p)) else {
            continue;
        };
        let Some(data_uri) = convert::path_to_uri(path) else {
            continue;
        };
        let text = source.text.as_str();
        let index = LineIndex::new(text);
        let in_data =
            convert::lsp_diagnostic(analysis, d, span.file, &data_uri, text, &index, &uri_of);
        // The copy on the model: on the `from` string that names the file.
        let mut on_model = in_data.clone();
        on_model.range = snap.lines.range(snap.text(), from_string(snap, path));
        on_model.message = format!("in {}: {}", source.name, in_data.message);
        let mut related = vec![DiagnosticRelatedInformation {
            location: Location::new(data_uri.clone(), in_data.range),
            message: format!("the error in {}", source.name),
        }];
        related.extend(in_data.related_information.clone().unwrap_or_default());
        on_model.related_information = Some(related);
        out.own.push(on_model);
        by_file.entry(span.file).or_default().push(in_data);
    }
    for (file, diags) in by_file {
        let path = analysis.sources.get(file).path.as_deref();
        if let Some(data_uri) = path.and_then(convert::path_to_uri) {
            out.data.push((data_uri, diags));
        }
    }
    out
}

/// The span of the `from "..."` string of the document that names `path`; the start of the
/// document when the file is read elsewhere (by a `use`d file).
fn from_string(snap: &Snapshot, path: &Path) -> Span {
    let text = snap.text();
    let tokens = lexer::significant(text);
    for pair in tokens.windows(2) {
        let (from, string) = (pair[0], pair[1]);
        if from.text(text) != "from" || string.kind != TokenKind::String {
            continue;
        }
        let Some(rel) = string
            .text(text)
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
        else {
            continue;
        };
        if snap.analysis.sources.resolve(snap.main, rel) == path {
            return Span::new(snap.main, string.start, string.end);
        }
    }
    Span::new(snap.main, 0, 0)
}
