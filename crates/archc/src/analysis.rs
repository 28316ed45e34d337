//! What is known about a model after analysis: its sources, syntax trees, diagnostics,
//! symbols and references (for the language server), the checked schema, the instance and
//! the backend chosen for it, and the time each phase took. [`crate::driver`] fills it in;
//! the phases read and extend it but never run the pipeline themselves.

pub use crate::check::symbols::{Reference, Symbol, SymbolId, SymbolKind};
use crate::diagnostics::Diagnostic;
pub use crate::plan::{Backend, BackendChoice};
use crate::source::SourceMap;
use crate::span::{FileId, Span};
use crate::syntax::ast;
pub use crate::timings::Timings;
use std::collections::HashMap;
use std::path::PathBuf;

/// Options of one analysis.
#[derive(Clone, Debug, Default)]
pub struct AnalyzeOptions {
    /// Unsaved editor buffers that replace files on disk: the main file, `use`d files and
    /// data files alike (every read goes through [`crate::source::Vfs`]).
    pub overlays: HashMap<PathBuf, String>,
    /// The largest file read, in bytes (E0216 past it); `None` for
    /// [`crate::source::DEFAULT_MAX_FILE_SIZE`] (1 GiB).
    pub max_file_size: Option<u64>,
    /// Build the IR (needed for solve/emit; the LSP uses it for sizes).
    pub instantiate: bool,
    /// Size limits for instantiation (defaults when `None`).
    pub limits: Option<crate::instantiate::Limits>,
    /// The backend asked for (plans only).
    pub backend: BackendChoice,
    /// The items of the previous parse of the main file (the language server keeps one per
    /// document): unchanged items are reused instead of parsed again.
    pub parse_cache: Option<std::sync::Arc<std::sync::Mutex<crate::syntax::ParseCache>>>,
    /// `--data DIR`: relative data paths resolve against this folder instead of the folder
    /// of the model file that names them.
    pub data_dir: Option<PathBuf>,
    /// `--set NAME=VALUE` and `--sense`: changes to the model for one run.
    pub overrides: crate::resolve::overrides::Overrides,
}

/// Everything known about a model after analysis.
#[derive(Debug, Default)]
pub struct Analysis {
    pub sources: SourceMap,
    /// The main file first, then used files and stdlib modules.
    pub files: Vec<(FileId, ast::File)>,
    pub diagnostics: Vec<Diagnostic>,
    pub symbols: Vec<Symbol>,
    pub references: Vec<Reference>,
    /// The checked declarations (present once checking ran).
    pub schema: Option<crate::check::Schema>,
    /// The typed, resolved form of the checked declarations (present when checking found
    /// no error).
    pub hir: Option<crate::hir::Model>,
    /// The instantiated model (when asked for and the model checked clean).
    pub instance: Option<crate::instantiate::Instance>,
    /// The backend the instance is built for, and why.
    pub backend: Option<Backend>,
    pub backend_reason: String,
    /// Column values of the last MILP solve (for `test` expectations).
    pub last_values: Vec<f64>,
    /// Wall time of each phase run, in order (a phase run twice is listed twice).
    pub timings: Timings,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        crate::diagnostics::has_errors(&self.diagnostics)
    }

    /// The symbol declared or referenced at a byte offset of a file.
    pub fn symbol_at(&self, file: FileId, offset: usize) -> Option<SymbolId> {
        for r in &self.references {
            if r.span.file == file && r.span.contains_offset(offset) {
                return Some(r.symbol);
            }
        }
        self.symbols
            .iter()
            .position(|s| s.span.file == file && s.span.contains_offset(offset))
            .map(|i| SymbolId(i as u32))
    }

    pub fn symbol(&self, id: SymbolId) -> &Symbol {
        &self.symbols[id.0 as usize]
    }

    /// Every span that names the symbol: its declaration and its uses.
    pub fn occurrences(&self, id: SymbolId) -> Vec<Span> {
        let mut v = vec![self.symbol(id).span];
        v.extend(
            self.references
                .iter()
                .filter(|r| r.symbol == id)
                .map(|r| r.span),
        );
        v
    }
}
