//! The diagnostics a document's analysis publishes. Those in the document go to its URI.
//! Those whose primary span is in another file with a path (a `use`d .arch file, or a
//! CSV or JSON file read by `from "..."`) go to that file's URI, and each is also shown on
//! the `use "..."` or `from "..."` string of the model that names the file (with the
//! file's location as related information), so that no error of the analysis goes unseen.
//! An error inside a standard library module (a template applied with arguments that do
//! not fit its body) goes to the module's read-only document in the cache folder and on the
//! model's `use std.NAME`.
//! Several open documents may publish for the same other file: [`Others`] keeps what each
//! published and gives the union to send.

use super::convert::{self, LineIndex};
use super::world::{Snapshot, World};
use archc::span::{FileId, Span};
use archc::syntax::lexer::{self, TokenKind};
use lsp_types::{DiagnosticRelatedInformation, Location, Uri};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The diagnostics of one document: its own, and those of each other file it reads (every
/// file that has some, by URI).
#[derive(Debug, Default)]
pub struct Published {
    pub own: Vec<lsp_types::Diagnostic>,
    pub others: Vec<(Uri, Vec<lsp_types::Diagnostic>)>,
}

/// The diagnostics of a document's current analysis, for publishing.
pub fn diagnostics(world: &World, snap: &Snapshot, uri: &Uri) -> Published {
    let analysis = &snap.analysis;
    let uri_of = |f| world.uri_of(snap, f);
    let mut out = Published {
        own: convert::lsp_diagnostics(analysis, snap.main, uri, &snap.lines, &uri_of),
        others: Vec::new(),
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
        // A file on disk is named by a `use "..."` or `from "..."` string; a module of the
        // standard library (no path: its text is embedded, its document written to the
        // cache folder) by its `use std.NAME`.
        let naming = match source.path.as_deref() {
            Some(path) => naming_string(snap, path),
            None => naming_module(snap, &source.name),
        };
        let Some(data_uri) = world.uri_of(snap, span.file) else {
            continue;
        };
        let text = source.text.as_str();
        let index = LineIndex::new(text);
        let in_data =
            convert::lsp_diagnostic(analysis, d, span.file, &data_uri, text, &index, &uri_of);
        // The copy on the model: on the `use` or `from` string that names the file.
        let mut on_model = in_data.clone();
        on_model.range = snap.lines.range(snap.text(), naming);
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
        if let Some(file_uri) = world.uri_of(snap, file) {
            out.others.push((file_uri, diags));
        }
    }
    out
}

/// The span of the `use "..."` or `from "..."` string of the document that names `path`;
/// the start of the document when the file is named elsewhere (by a `use`d file).
fn naming_string(snap: &Snapshot, path: &Path) -> Span {
    let text = snap.text();
    let path = archc::source::normalize(path);
    let tokens = lexer::significant(text);
    for pair in tokens.windows(2) {
        let (keyword, string) = (pair[0], pair[1]);
        let keyword = keyword.text(text);
        if (keyword != "from" && keyword != "use") || string.kind != TokenKind::String {
            continue;
        }
        let Some(rel) = string
            .text(text)
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
        else {
            continue;
        };
        if archc::source::normalize(&snap.analysis.sources.resolve(snap.main, rel)) == path {
            return Span::new(snap.main, string.start, string.end);
        }
    }
    Span::new(snap.main, 0, 0)
}

/// The span of the `use std.NAME` of the document that loads the standard library module
/// whose source is named `std/NAME.arch`; the start of the document when the module is
/// loaded another way (by a `use`d file, or the prelude).
fn naming_module(snap: &Snapshot, source_name: &str) -> Span {
    let text = snap.text();
    let Some(module) = source_name
        .strip_prefix("std/")
        .and_then(|n| n.strip_suffix(".arch"))
    else {
        return Span::new(snap.main, 0, 0);
    };
    let tokens = lexer::significant(text);
    for w in tokens.windows(4) {
        if w[0].text(text) == "use"
            && w[1].text(text) == "std"
            && w[2].text(text) == "."
            && w[3].text(text) == module
        {
            return Span::new(snap.main, w[0].start, w[3].end);
        }
    }
    Span::new(snap.main, 0, 0)
}

/// What each open document published for other files (not open themselves), by file URI.
#[derive(Debug, Default)]
pub struct Others {
    by_file: BTreeMap<String, (Uri, BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>>)>,
}

impl Others {
    /// Record what the document at `owner` publishes for other files now. Returns the URIs
    /// whose diagnostics are to be sent again ([`Others::merged`]): those it publishes for
    /// now and those it published for before.
    pub fn set(&mut self, owner: &Path, now: Vec<(Uri, Vec<lsp_types::Diagnostic>)>) -> Vec<Uri> {
        let mut touched = self.remove(owner);
        for (uri, diags) in now {
            let key = uri.as_str().to_string();
            if !touched.iter().any(|u| u.as_str() == key) {
                touched.push(uri.clone());
            }
            self.by_file
                .entry(key)
                .or_insert_with(|| (uri, BTreeMap::new()))
                .1
                .insert(owner.to_path_buf(), diags);
        }
        touched
    }

    /// Forget what the document at `owner` published (it was closed). Returns the URIs to
    /// send again.
    pub fn remove(&mut self, owner: &Path) -> Vec<Uri> {
        let mut touched = Vec::new();
        self.by_file.retain(|_, (uri, owners)| {
            if owners.remove(owner).is_some() {
                touched.push(uri.clone());
            }
            !owners.is_empty()
        });
        touched
    }

    /// The diagnostics to send for a file: every document's, each once.
    pub fn merged(&self, uri: &Uri) -> Vec<lsp_types::Diagnostic> {
        let mut out: Vec<lsp_types::Diagnostic> = Vec::new();
        if let Some((_, owners)) = self.by_file.get(uri.as_str()) {
            for d in owners.values().flatten() {
                if !out.contains(d) {
                    out.push(d.clone());
                }
            }
        }
        out
    }
}
