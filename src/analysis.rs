//! The one analysis entry point: load sources (files, embedded stdlib modules, unsaved
//! editor buffers), parse, resolve, check, load data and instantiate. The CLI, the tests and
//! the language server all call [`analyze`].

use crate::diagnostics::Diagnostic;
use crate::source::SourceMap;
use crate::span::{FileId, Span};
use crate::syntax::ast;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    Module,
    Unit,
    Kind,
    Attribute,
    Entity,
    Set,
    Param,
    Decision,
    Constraint,
    Objective,
    Function,
    Template,
    IndexVar,
    Plan,
    Test,
}

/// Index into [`Analysis::symbols`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SymbolId(pub u32);

/// A declared name, for hover, outline, go to definition and rename.
#[derive(Clone, Debug, Serialize)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The span of the name in its declaration.
    pub span: Span,
    /// The span of the whole declaration.
    pub decl_span: Span,
    pub doc: Option<String>,
    /// One line such as `param hours: h = 730 h` or `decide flow[l in links]: real Gbps`.
    pub detail: String,
    /// For params: the value (scalar) or a summary; for decisions and constraints: how many
    /// columns / rows they instantiate to, e.g. "1,200 columns".
    pub info: Option<String>,
}

/// A use of a symbol at a span.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Reference {
    pub span: Span,
    pub symbol: SymbolId,
}

/// Options of one analysis.
#[derive(Clone, Debug, Default)]
pub struct AnalyzeOptions {
    /// Unsaved editor buffers that replace files on disk.
    pub overlays: HashMap<PathBuf, String>,
    /// Build the IR (needed for solve/emit; the LSP uses it for sizes).
    pub instantiate: bool,
    /// Size limits for instantiation (defaults when `None`).
    pub limits: Option<crate::instantiate::Limits>,
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
    /// The instantiated model (when asked for and the model checked clean).
    pub instance: Option<crate::instantiate::Instance>,
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

/// Analyse the model whose main file is `main` (read from disk unless an overlay holds it).
pub fn analyze(main: &std::path::Path, options: &AnalyzeOptions) -> Analysis {
    let mut analysis = Analysis::default();
    let text = match options.overlays.get(main) {
        Some(t) => t.clone(),
        None => match std::fs::read_to_string(main) {
            Ok(t) => t,
            Err(e) => {
                analysis.diagnostics.push(
                    Diagnostic::error("E0201", format!("cannot read `{}`: {e}", main.display()))
                        .help("check the path"),
                );
                return analysis;
            }
        },
    };
    let id = analysis
        .sources
        .add(main.display().to_string(), Some(main.to_path_buf()), text);
    analyze_loaded(&mut analysis, id, options);
    analysis
}

/// Analyse a model given as text (embedding, tests): `name` is used in messages, relative
/// paths resolve against `base_dir`.
pub fn analyze_source(
    name: &str,
    text: &str,
    base_dir: Option<&std::path::Path>,
    options: &AnalyzeOptions,
) -> Analysis {
    let mut analysis = Analysis::default();
    let path = base_dir.map(|d| d.join(name));
    let id = analysis.sources.add(name, path, text);
    analyze_loaded(&mut analysis, id, options);
    analysis
}

fn analyze_loaded(analysis: &mut Analysis, main: FileId, options: &AnalyzeOptions) {
    let (file, diags) = crate::syntax::parse_file(main, analysis.sources.text(main));
    analysis.diagnostics.extend(diags);
    analysis.files.push((main, file));
    let program = crate::resolve::load_program(analysis, main);
    let checker = crate::check::check_program(&program);
    analysis.diagnostics.extend(checker.diags);
    analysis.symbols = checker.symbols;
    analysis.references = checker.refs;
    analysis.schema = Some(checker.schema);
    if options.instantiate && !analysis.has_errors() {
        if let Some(schema) = &analysis.schema {
            let limits = options.limits.clone().unwrap_or_default();
            let (inst, diags) =
                crate::instantiate::instantiate(schema, &mut analysis.sources, limits);
            analysis.diagnostics.extend(diags);
            analysis.instance = inst;
        }
    }
}
