//! The server's state: open documents (text and version) and, for each, the analysis of
//! its current text plus the last analysis without syntax errors, which hover and
//! completion fall back to while the user is in the middle of typing. A document that
//! checks is also instantiated over its data (within limits), so hover and inlay hints can
//! show sizes and values, and data errors (E05xx, E06xx) are reported while editing. After
//! an edit the limits are small, so that a large model is answered at once; on open and on
//! save it is expanded within the full limits.

use super::convert::{self, LineIndex};
use super::index::SymbolIndex;
use super::sizes;
use archc::analysis::{self, Analysis, AnalyzeOptions};
use archc::diagnostics::Code;
use archc::instantiate::Limits;
use archc::span::FileId;
use archc::syntax::ast;
use archc::syntax::ParseCache;
use lsp_types::Uri;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

/// How far to take the analysis of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// After an edit: check, and instantiate only models within [`sizes::typing_limits`], so
    /// that every keystroke is answered in milliseconds.
    Typing,
    /// On open and on save: instantiate within [`sizes::limits`].
    Saved,
}

/// One analysis of a document, with what requests need to answer quickly.
#[derive(Debug)]
pub struct Snapshot {
    pub analysis: Analysis,
    /// The document's file in the analysis.
    pub main: FileId,
    pub index: SymbolIndex,
    /// Lines of the document's text as analysed.
    pub lines: LineIndex,
}

impl Snapshot {
    pub(crate) fn new(analysis: Analysis, path: &Path) -> Self {
        let main = analysis.sources.find_by_path(path).unwrap_or(FileId(0));
        let index = SymbolIndex::build(&analysis, main);
        let lines = if analysis.sources.is_empty() {
            LineIndex::default()
        } else {
            LineIndex::new(analysis.sources.text(main))
        };
        Snapshot {
            analysis,
            main,
            index,
            lines,
        }
    }

    /// The analysed text of the document.
    pub fn text(&self) -> &str {
        if self.analysis.sources.is_empty() {
            ""
        } else {
            self.analysis.sources.text(self.main)
        }
    }

    /// The document's AST.
    pub fn ast(&self) -> Option<&ast::File> {
        self.analysis
            .files
            .iter()
            .find(|(id, _)| *id == self.main)
            .map(|(_, f)| f)
    }

    /// True when the document itself has syntax errors (E01xx).
    pub fn has_syntax_errors(&self) -> bool {
        self.analysis.diagnostics.iter().any(|d| {
            d.is_error()
                && d.code.phase() == archc::diagnostics::codes::Phase::Syntax
                && d.primary_span().is_none_or(|s| s.file == self.main)
        })
    }
}

/// An open document.
#[derive(Debug)]
pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub current: Rc<Snapshot>,
    /// The latest analysis of this document without syntax errors.
    pub last_good: Option<Rc<Snapshot>>,
    /// The items of the last parse of the text, reused by the next parse after an edit.
    pub parse_cache: Arc<Mutex<ParseCache>>,
    /// False until `parse_cache` holds the items of a parse: a document is opened with a
    /// plain parse (filling the cache costs a second parse of every item), and the cache
    /// is filled off the message loop ([`World::next_cache_fill`]) when the server is idle.
    pub cache_warm: bool,
    /// A [`CacheFill`] of this document is running.
    pub cache_filling: bool,
}

/// The parse of a document that fills its parse cache, taken from the world so that it can
/// run on another thread ([`CacheFill::run`]) while the loop answers requests; its result
/// goes back with [`World::install_cache`].
#[derive(Debug)]
pub struct CacheFill {
    pub path: PathBuf,
    main: FileId,
    text: String,
}

/// A filled parse cache, for [`World::install_cache`].
#[derive(Debug)]
pub struct FilledCache {
    pub path: PathBuf,
    /// The text that was parsed: the cache is installed only if the document still has it.
    text: String,
    cache: ParseCache,
    /// Items in the cache.
    pub items: usize,
}

impl CacheFill {
    /// Parse the text into a new cache.
    pub fn run(self) -> FilledCache {
        let mut cache = ParseCache::default();
        let _ = catch_unwind(AssertUnwindSafe(|| {
            archc::syntax::parse_file_incremental(self.main, &self.text, &mut cache)
        }));
        FilledCache {
            path: self.path,
            text: self.text,
            items: cache.parsed + cache.reused,
            cache,
        }
    }
}

/// All open documents, by path.
#[derive(Debug, Default)]
pub struct World {
    pub docs: HashMap<PathBuf, Document>,
}

impl World {
    /// Open or replace a document and analyse it.
    // Snapshots stay on the server's one thread; `Arc` only shares them between documents.
    #[allow(clippy::arc_with_non_send_sync)]
    pub fn set_text(&mut self, uri: Uri, version: i32, text: String, depth: Depth) -> PathBuf {
        let path = convert::uri_to_path(&uri);
        let last_good = self.docs.get(&path).and_then(|d| d.last_good.clone());
        let parse_cache = self
            .docs
            .get(&path)
            .map(|d| d.parse_cache.clone())
            .unwrap_or_default();
        let cache_warm = self.docs.get(&path).is_some_and(|d| d.cache_warm);
        let cache_filling = self.docs.get(&path).is_some_and(|d| d.cache_filling);
        let placeholder = Rc::new(Snapshot::new(Analysis::default(), &path));
        self.docs.insert(
            path.clone(),
            Document {
                uri,
                version,
                text,
                current: placeholder,
                last_good,
                parse_cache,
                cache_warm,
                cache_filling,
            },
        );
        self.reanalyze(&path, depth);
        path
    }

    /// Forget a closed document.
    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        self.docs.remove(&convert::uri_to_path(uri))
    }

    /// The open document of a URI.
    pub fn doc(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(&convert::uri_to_path(uri))
    }

    /// The open documents other than `path` whose latest analysis names the file at `path`
    /// (they `use` it or load data from it, whether or not it could be read): after an
    /// edit of `path` their diagnostics are out of date until they are analysed again.
    pub fn users_of(&self, path: &Path) -> Vec<PathBuf> {
        let path = archc::source::normalize(path);
        let mut users: Vec<PathBuf> = self
            .docs
            .iter()
            .filter(|(p, _)| archc::source::normalize(p) != path)
            .filter(|(_, d)| {
                files_named(&d.current.analysis).any(|f| archc::source::normalize(&f) == path)
            })
            .map(|(p, _)| p.clone())
            .collect();
        users.sort();
        users
    }

    /// Analyse a document again, with every open document as an overlay: the model, the
    /// files it `use`s and its data files are read from the editor's buffers when open.
    #[allow(clippy::arc_with_non_send_sync)]
    pub fn reanalyze(&mut self, path: &Path, depth: Depth) {
        let overlays: HashMap<PathBuf, String> = self
            .docs
            .iter()
            .map(|(p, d)| (p.clone(), d.text.clone()))
            .collect();
        let Some(text) = overlays.get(path).cloned() else {
            return;
        };
        // After an edit the cache is used (and filled); on open and save only when warm.
        let parse_cache = self
            .docs
            .get_mut(path)
            .filter(|d| d.cache_warm || depth == Depth::Typing)
            .map(|d| {
                d.cache_warm = true;
                d.parse_cache.clone()
            });
        let options = AnalyzeOptions {
            overlays,
            parse_cache,
            ..Default::default()
        };
        let fast = match catch_unwind(AssertUnwindSafe(|| archc::driver::analyze(path, &options))) {
            Ok(a) => a,
            Err(_) => {
                eprintln!(
                    "archc lsp: analysis of `{}` panicked; showing syntax only",
                    path.display()
                );
                parse_only(path, text)
            }
        };
        let analysis = if fast.has_errors() || fast.sources.is_empty() {
            fast
        } else {
            let limits = match depth {
                Depth::Typing => sizes::typing_limits(),
                Depth::Saved => sizes::limits(),
            };
            if fast.schema.as_ref().is_some_and(|s| s.plans.is_empty()) {
                expand(fast, limits)
            } else {
                instantiated(path, options, limits).unwrap_or(fast)
            }
        };
        let snapshot = Rc::new(Snapshot::new(analysis, path));
        if let Some(doc) = self.docs.get_mut(path) {
            if !snapshot.has_syntax_errors() {
                doc.last_good = Some(snapshot.clone());
            }
            doc.current = snapshot;
        }
    }

    /// The fill of the parse cache of one document opened with a plain parse (see
    /// [`Document::cache_warm`]) that is not being filled yet; `None` when there is none.
    pub fn next_cache_fill(&mut self) -> Option<CacheFill> {
        let (path, doc) = self
            .docs
            .iter_mut()
            .find(|(_, d)| !d.cache_warm && !d.cache_filling)?;
        doc.cache_filling = true;
        Some(CacheFill {
            path: path.clone(),
            main: doc.current.main,
            text: doc.text.clone(),
        })
    }

    /// Install a filled cache if its document is still open with the text that was parsed
    /// and its cache is still cold (an edit meanwhile fills it by itself). True when
    /// installed.
    pub fn install_cache(&mut self, filled: FilledCache) -> bool {
        let Some(doc) = self.docs.get_mut(&filled.path) else {
            return false;
        };
        doc.cache_filling = false;
        if doc.cache_warm || doc.text != filled.text {
            return false;
        }
        *doc.parse_cache.lock().unwrap_or_else(|e| e.into_inner()) = filled.cache;
        doc.cache_warm = true;
        true
    }

    /// Fill the parse cache of one cold document in place (what the server does off its
    /// loop). False when every cache is warm.
    pub fn warm_parse_caches(&mut self) -> bool {
        let Some(fill) = self.next_cache_fill() else {
            return false;
        };
        self.install_cache(fill.run());
        true
    }

    /// The URI of a file of an analysis: the open document's, or a `file:` URI of its
    /// path. Files without a path (the embedded standard library and prelude) get the URI
    /// of their read-only copy (see [`super::stdlib_docs`]).
    pub fn uri_of(&self, snapshot: &Snapshot, file: FileId) -> Option<Uri> {
        if (file.0 as usize) >= snapshot.analysis.sources.len() {
            return None;
        }
        let source = snapshot.analysis.sources.get(file);
        let Some(written) = source.path.as_ref() else {
            return super::stdlib_docs::uri_for(&source.name);
        };
        // `use "./lib.arch"` names the open document of `lib.arch`.
        let path = archc::source::normalize(written);
        match self.docs.get(&path) {
            Some(d) => Some(d.uri.clone()),
            None => convert::path_to_uri(&path),
        }
    }
}

/// Every file that the files of an analysis name: `use "..."` and data paths, resolved.
fn files_named(analysis: &Analysis) -> impl Iterator<Item = PathBuf> + '_ {
    analysis.files.iter().flat_map(move |(file, ast)| {
        ast.items.iter().filter_map(move |item| {
            let written = match &item.kind {
                ast::ItemKind::Use(ast::UseDecl {
                    target: ast::UseTarget::File(s),
                }) => s,
                ast::ItemKind::EntitiesFrom(f) => &f.path,
                ast::ItemKind::Param(ast::ParamDecl {
                    value: Some(ast::ParamValue::From(s)),
                    ..
                }) => s,
                _ => return None,
            };
            Some(analysis.sources.resolve(*file, &written.value))
        })
    })
}

/// The analysis of a document that checks, instantiated over its data within
/// `limits`, with sizes and values in its symbols. `None` when instantiation
/// panicked or the model is larger than the limits: the fast analysis is shown then.
fn instantiated(path: &Path, options: AnalyzeOptions, limits: Limits) -> Option<Analysis> {
    let options = AnalyzeOptions {
        instantiate: true,
        limits: Some(limits),
        ..options
    };
    let mut full =
        catch_unwind(AssertUnwindSafe(|| archc::driver::analyze(path, &options))).ok()?;
    if full.diagnostics.iter().any(|d| d.code == Code::E0604) {
        return None;
    }
    sizes::annotate(&mut full);
    Some(full)
}

/// The checked analysis of a model without plans, instantiated from its own schema (no
/// second parse and check), with sizes and values in its symbols. Past `limits`, or if
/// instantiation panicked, the analysis is returned as it was.
fn expand(mut analysis: Analysis, limits: Limits) -> Analysis {
    let Some(schema) = analysis.schema.take() else {
        return analysis;
    };
    let Some(hir) = analysis.hir.take() else {
        analysis.schema = Some(schema);
        return analysis;
    };
    let sources = &mut analysis.sources;
    let result = catch_unwind(AssertUnwindSafe(|| {
        archc::instantiate::instantiate(&schema, &hir, sources, limits, false)
    }));
    analysis.schema = Some(schema);
    analysis.hir = Some(hir);
    match result {
        Ok((instance, diags)) if !diags.iter().any(|d| d.code == Code::E0604) => {
            analysis.diagnostics.extend(diags);
            analysis.instance = instance;
            analysis.backend = Some(analysis::Backend::Milp);
            sizes::annotate(&mut analysis);
            analysis
        }
        _ => analysis,
    }
}

/// An analysis that only parses (used when the full analysis failed unexpectedly).
fn parse_only(path: &Path, text: String) -> Analysis {
    let mut analysis = Analysis::default();
    let id = analysis
        .sources
        .add(path.display().to_string(), Some(path.to_path_buf()), text);
    let (file, diags) = archc::syntax::parse_file(id, analysis.sources.text(id));
    analysis.diagnostics = diags;
    analysis.files.push((id, file));
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().expect("a URI")
    }

    #[test]
    fn documents_that_name_a_file_are_its_users() {
        let mut world = World::default();
        let main = world.set_text(
            uri("file:///archc-world-test/main.arch"),
            1,
            "use \"./shared.arch\"\nparam limit: kW = budget * 2\n".into(),
            Depth::Typing,
        );
        let other = world.set_text(
            uri("file:///archc-world-test/other.arch"),
            1,
            "param hours: h = 730 h\n".into(),
            Depth::Typing,
        );
        // Only open documents are overlays: the used file is not open yet.
        assert!(world.docs[&main].current.analysis.has_errors());
        let shared = world.set_text(
            uri("file:///archc-world-test/shared.arch"),
            1,
            "param budget: kW = 100 kW\n".into(),
            Depth::Typing,
        );
        assert_eq!(world.users_of(&shared), vec![main.clone()]);
        assert!(world.users_of(&other).is_empty());
        // Analysed again, the user reads the open buffer of its used file.
        world.reanalyze(&main, Depth::Typing);
        let snap = world.docs[&main].current.clone();
        assert!(
            !snap.analysis.has_errors(),
            "{:?}",
            snap.analysis.diagnostics
        );
        let used = snap
            .analysis
            .sources
            .find_by_path(&shared)
            .expect("the used file is in the analysis");
        assert_eq!(
            world.uri_of(&snap, used).map(|u| u.as_str().to_string()),
            Some("file:///archc-world-test/shared.arch".to_string())
        );
    }
}
