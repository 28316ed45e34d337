//! The one analysis entry point: load sources (files, embedded stdlib modules, unsaved
//! editor buffers), parse, resolve, check, load data and instantiate. The CLI, the tests and
//! the language server all call [`analyze`].

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
pub use crate::plan::{Backend, BackendChoice};
use crate::source::{SourceMap, Vfs};
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
    /// The instantiated model (when asked for and the model checked clean).
    pub instance: Option<crate::instantiate::Instance>,
    /// The backend the instance is built for, and why.
    pub backend: Option<Backend>,
    pub backend_reason: String,
    /// Column values of the last MILP solve (for `test` expectations).
    pub last_values: Vec<f64>,
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
    let mut analysis = Analysis {
        sources: SourceMap::with_vfs(file_layer(options)),
        ..Default::default()
    };
    let name = main.display().to_string();
    let id = match analysis.sources.load(name.clone(), main) {
        Ok(id) => id,
        Err(e) => {
            let d = crate::resolve::errors::cannot_read_main(&name, &e);
            analysis.diagnostics.push(d);
            return analysis;
        }
    };
    if let Some(bad) = analysis.sources.get(id).bad_utf8.first() {
        let at = Span::new(id, bad.start, bad.end);
        let d = crate::resolve::errors::not_utf8(at, &name);
        analysis.diagnostics.push(d);
        return analysis;
    }
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
    let mut analysis = Analysis {
        sources: SourceMap::with_vfs(file_layer(options)),
        ..Default::default()
    };
    let path = base_dir.map(|d| d.join(name));
    let id = analysis.sources.add(name, path, text);
    analyze_loaded(&mut analysis, id, options);
    analysis
}

/// The file layer of one analysis: the disk under the options' overlays and size cap.
fn file_layer(options: &AnalyzeOptions) -> Vfs {
    let vfs = Vfs::new().with_overlays(&options.overlays);
    match options.max_file_size {
        Some(bytes) => vfs.with_max_file_size(bytes),
        None => vfs,
    }
}

fn analyze_loaded(analysis: &mut Analysis, main: FileId, options: &AnalyzeOptions) {
    run_phases(analysis, main, options);
    crate::resolve::prelude::hide_labels(analysis);
}

fn run_phases(analysis: &mut Analysis, main: FileId, options: &AnalyzeOptions) {
    let text = analysis.sources.text(main);
    let (file, diags) = match &options.parse_cache {
        Some(cache) => {
            let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
            crate::syntax::parse_file_incremental(main, text, &mut cache)
        }
        None => crate::syntax::parse_file(main, text),
    };
    analysis.diagnostics.extend(diags);
    analysis.files.push((main, file));
    analysis.sources.set_data_dir(options.data_dir.clone());
    let mut program = crate::resolve::load_program(analysis, main);
    let override_diags =
        crate::resolve::overrides::apply(&mut program, &mut analysis.sources, &options.overrides);
    analysis.diagnostics.extend(override_diags);
    let mut data_names = read_data_names(analysis, &program);
    let checker = crate::check::check_program(&program, &data_names);
    if checker.schema.plans.is_empty() {
        // Only the second check of a model with plans needs them again.
        data_names = Default::default();
    }
    analysis.diagnostics.extend(checker.diags);
    analysis.symbols = checker.symbols;
    analysis.references = checker.refs;
    let schema = checker.schema;
    if !options.instantiate || analysis.has_errors() {
        analysis.schema = Some(schema);
        return;
    }
    let limits = options.limits.clone().unwrap_or_default();
    if schema.plans.is_empty() {
        if options.backend == BackendChoice::Dp {
            analysis.diagnostics.push(
                Diagnostic::error(
                    Code::E0619,
                    "the DP backend solves `plan` blocks, and this model has none",
                )
                .help("leave out `--backend dp`"),
            );
            analysis.schema = Some(schema);
            return;
        }
        let (inst, diags) =
            crate::instantiate::instantiate(&schema, &mut analysis.sources, limits, false);
        analysis.diagnostics.extend(diags);
        analysis.instance = inst;
        analysis.backend = Some(Backend::Milp);
        analysis.schema = Some(schema);
        return;
    }
    // Plans: DP when they are independent and fit the budget, MILP otherwise.
    let eligible = crate::plan::dp_eligible(&schema);
    let mut milp_reason = match (&eligible, options.backend) {
        (_, BackendChoice::Milp) => Some("milp — forced by --backend milp".to_string()),
        (Err((why, span)), BackendChoice::Dp) => {
            analysis.diagnostics.push(
                Diagnostic::error(
                    Code::E0619,
                    format!("the DP backend cannot take this model: {why}"),
                )
                .primary(*span, "this needs the MILP backend")
                .help("leave out `--backend dp` to let archc lower the plans to MILP"),
            );
            analysis.schema = Some(schema);
            return;
        }
        (Err((why, _)), BackendChoice::Auto) => Some(format!("milp — {why}")),
        (Ok(()), _) => None,
    };
    if milp_reason.is_none() {
        let (inst, diags) =
            crate::instantiate::instantiate(&schema, &mut analysis.sources, limits.clone(), true);
        match inst {
            Some(inst) => {
                let budget = crate::backends::dp::DpBudget::default();
                match crate::plan::over_budget(&schema, &inst.dp_plans, &budget) {
                    Some(d) if options.backend == BackendChoice::Dp => {
                        analysis.diagnostics.push(d);
                        analysis.schema = Some(schema);
                        return;
                    }
                    Some(d) => milp_reason = Some(format!("milp — {}", d.message)),
                    None => {
                        analysis.diagnostics.extend(diags);
                        analysis.backend_reason = crate::plan::dp_reason(&inst.dp_plans);
                        analysis.instance = Some(inst);
                        analysis.backend = Some(Backend::Dp);
                        analysis.schema = Some(schema);
                        return;
                    }
                }
            }
            None if options.backend == BackendChoice::Dp
                || diags.iter().any(|d| d.code != Code::E0618) =>
            {
                analysis.diagnostics.extend(diags);
                analysis.schema = Some(schema);
                return;
            }
            None => {
                let why = diags.first().map(|d| d.message.clone()).unwrap_or_default();
                milp_reason = Some(format!("milp — {why}"));
            }
        }
    }
    // Lower the plans to MILP and check the lowered program.
    let mut lowered = program.clone();
    let lower_diags = crate::plan::lower::lower_plans(&mut lowered, &schema.plans);
    if !lower_diags.is_empty() {
        analysis.diagnostics.extend(lower_diags);
        analysis.schema = Some(schema);
        return;
    }
    let checker2 = crate::check::check_program(&lowered, &data_names);
    if crate::diagnostics::has_errors(&checker2.diags) {
        for d in checker2.diags {
            analysis.diagnostics.push(d.note("while lowering plans to MILP: a plan cost or transition that is not linear needs the DP backend"));
        }
        analysis.schema = Some(schema);
        return;
    }
    let (inst, diags) =
        crate::instantiate::instantiate(&checker2.schema, &mut analysis.sources, limits, false);
    analysis.diagnostics.extend(diags);
    analysis.instance = inst;
    analysis.backend = Some(Backend::Milp);
    analysis.backend_reason = milp_reason.unwrap_or_default();
    analysis.schema = Some(checker2.schema);
}

/// The entity names of every `SET from "PATH"` in the program, read before checking so that
/// names of data-loaded entities are known to the checker (the files stay in the source
/// map, and the full load later does not read them again).
fn read_data_names(
    analysis: &mut Analysis,
    program: &crate::resolve::Program,
) -> crate::check::DataNames {
    let mut out = crate::check::DataNames::default();
    for p in &program.items {
        let ast::ItemKind::EntitiesFrom(f) = &p.item.kind else {
            continue;
        };
        let full = analysis.sources.resolve_data(p.file, &f.path.value);
        let names =
            crate::data::entity_names(&mut analysis.sources, &full, &f.path.value, f.path.span);
        out.insert(f.path.span, names);
    }
    out
}
