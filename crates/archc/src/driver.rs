//! The pipeline, on top of the phases: parse → load modules → read the entity names of data
//! files → check → (instantiate over the data → choose the backend → lower plans when MILP
//! takes them) → solve → verify → report. Each step calls one phase through its entry point
//! and records its wall time in [`Analysis::timings`]; the phases never import this module.
//!
//! Every file is read through the analysis' one [`Vfs`] (editor overlays first), and the
//! source map keeps what it read: a data file read for its entity names before checking is
//! not read from disk again when instantiation loads it.
//!
//! Models with plans: the DP backend takes independent plans whose costs make up the
//! objective and whose state space fits the budget; otherwise the plans are lowered to
//! MILP from the HIR ([`crate::plan::milp`]): decisions, constraints and cost expressions
//! added to the checked model, which is instantiated once. Nothing is checked twice.

use crate::analysis::{Analysis, AnalyzeOptions, Backend, BackendChoice};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceMap, Vfs};
use crate::span::{FileId, Span};
use crate::syntax::ast;
use std::path::Path;
use std::time::Instant;

/// Analyse the model whose main file is `main` (read from disk unless an overlay holds it).
pub fn analyze(main: &Path, options: &AnalyzeOptions) -> Analysis {
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
    run(&mut analysis, id, options);
    analysis
}

/// Analyse a model given as text (embedding, tests): `name` is used in messages, relative
/// paths resolve against `base_dir`.
pub fn analyze_source(
    name: &str,
    text: &str,
    base_dir: Option<&Path>,
    options: &AnalyzeOptions,
) -> Analysis {
    let mut analysis = Analysis {
        sources: SourceMap::with_vfs(file_layer(options)),
        ..Default::default()
    };
    let path = base_dir.map(|d| d.join(name));
    let id = analysis.sources.add(name, path, text);
    run(&mut analysis, id, options);
    analysis
}

/// Solve an analysed model with the backend chosen for it and verify the answer
/// ([`crate::solve::solve`]); the result's timings are the analysis' followed by the
/// solve's. For MILP solves the column values are kept in [`Analysis::last_values`].
pub fn solve(
    analysis: &mut Analysis,
    options: &crate::solve::SolveOptions,
) -> Result<crate::solve::Solved, Diagnostic> {
    solve_with(analysis, options, crate::solve::solve_model)
}

/// [`solve`] with the MILP step run by `milp` (see [`crate::solve::solve_with`]).
pub fn solve_with(
    analysis: &mut Analysis,
    options: &crate::solve::SolveOptions,
    milp: impl FnOnce(
        &crate::ir::Model,
        &crate::solve::SolveOptions,
    ) -> Result<crate::solve::MilpSolved, Diagnostic>,
) -> Result<crate::solve::Solved, Diagnostic> {
    let no_instance = || Diagnostic::error(Code::E0703, "the model has no instance to solve");
    let (Some(schema), Some(hir), Some(instance), Some(backend)) = (
        analysis.schema.as_ref(),
        analysis.hir.as_ref(),
        analysis.instance.as_mut(),
        analysis.backend,
    ) else {
        return Err(no_instance());
    };
    let problem = crate::solve::Problem {
        schema,
        hir,
        sources: &mut analysis.sources,
        instance,
        backend,
        reason: &analysis.backend_reason,
    };
    let mut solved = crate::solve::solve_with(problem, options, milp)?;
    let mut timings = analysis.timings.clone();
    timings.phases.append(&mut solved.timings.phases);
    solved.timings = timings;
    analysis.last_values = solved.values().to_vec();
    Ok(solved)
}

/// How [`reinstantiate`] took changed values into the instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reinstantiated {
    /// In place: only the declarations that read a changed value were instantiated again
    /// (see [`crate::instantiate::reuse`]).
    InPlace(crate::instantiate::reuse::InPlace),
    /// The whole model was instantiated again, for the reason given.
    Whole(String),
}

/// Instantiate an analysed model again with some param values changed (the embedding
/// API's re-solve): from the schema and HIR already checked, so nothing is parsed, loaded,
/// checked or lowered again. `changed` names the params whose values differ from the
/// instance's (`None` when a change was taken back: the model is then instantiated whole);
/// when the change leaves the model's structure as it was, the instance is updated in place
/// ([`crate::instantiate::reuse`]: no data file is read again and only the declarations that
/// read a changed value are instantiated again); otherwise the whole model is instantiated
/// again, with data files read from the source map. The timings of the analysis are those of
/// this update. The first error is returned (the instance is then not usable until the
/// changes are fixed or taken back).
pub fn reinstantiate(
    analysis: &mut Analysis,
    changes: &[crate::instantiate::ParamChange],
    changed: Option<&[usize]>,
) -> Result<Reinstantiated, Diagnostic> {
    analysis.timings = crate::timings::Timings::default();
    let why = match (changed, analysis.backend) {
        (None, _) => "a change was taken back".to_string(),
        (_, Some(Backend::Dp)) => "the model is solved by DP".to_string(),
        (Some(changed), _) => {
            let (Some(schema), Some(hir)) = (analysis.schema.take(), analysis.hir.take()) else {
                return Err(Diagnostic::error(
                    Code::E0703,
                    "the model has no checked form to instantiate again",
                ));
            };
            let done = timed(analysis, "update in place", |a| {
                crate::instantiate::reuse::update_in_place(
                    &schema,
                    &hir,
                    &mut a.sources,
                    crate::instantiate::Limits::default(),
                    &mut a.instance,
                    changes,
                    changed,
                )
            });
            analysis.schema = Some(schema);
            analysis.hir = Some(hir);
            match done {
                Ok(done) => return Ok(Reinstantiated::InPlace(done)),
                Err(why) => why,
            }
        }
    };
    reinstantiate_whole(analysis, changes)?;
    Ok(Reinstantiated::Whole(why))
}

fn reinstantiate_whole(
    analysis: &mut Analysis,
    changes: &[crate::instantiate::ParamChange],
) -> Result<(), Diagnostic> {
    let (Some(schema), Some(hir)) = (analysis.schema.take(), analysis.hir.take()) else {
        return Err(Diagnostic::error(
            Code::E0703,
            "the model has no checked form to instantiate again",
        ));
    };
    let compile_plans = analysis.backend == Some(Backend::Dp);
    let (inst, diags) = timed(analysis, "instantiate", |a| {
        crate::instantiate::instantiate_with_changes(
            &schema,
            &hir,
            &mut a.sources,
            crate::instantiate::Limits::default(),
            compile_plans,
            changes,
        )
    });
    analysis.schema = Some(schema);
    analysis.hir = Some(hir);
    if let Some(d) = diags.into_iter().find(|d| d.is_error()) {
        return Err(d);
    }
    match inst {
        Some(inst) => {
            analysis.instance = Some(inst);
            Ok(())
        }
        None => Err(Diagnostic::error(
            Code::E0703,
            "the model could not be instantiated again",
        )),
    }
}

/// Solve an analysed model ([`solve`]) and explain an infeasible or unbounded result as
/// diagnostics: a MILP model by its conflict (E0711) or the decisions the objective drives
/// without limit (E0712), a DP plan without a feasible policy by its diagnostic (E0611).
/// Empty when the model has errors, was not instantiated, or has a solution. A solve that
/// fails (verification, a solver not built in) is its diagnostic; one that ends without an
/// answer (a solver error, the time limit reached before any solution) is `Err` with the
/// solver's message, rather than an empty explanation.
pub fn solve_and_explain(
    analysis: &mut Analysis,
    options: &crate::solve::SolveOptions,
) -> Result<Vec<Diagnostic>, String> {
    use crate::solve::explain::{explain_infeasible, explain_unbounded};
    use crate::solve::{Answer, Status};
    if analysis.instance.is_none() || analysis.has_errors() {
        return Ok(Vec::new());
    }
    let solved = match solve(analysis, options) {
        Ok(s) => s,
        Err(d) => return Ok(vec![d]),
    };
    let Some(model) = analysis.instance.as_ref().map(|i| &i.model) else {
        return Ok(Vec::new());
    };
    Ok(match (&solved.answer, solved.status) {
        (Answer::Dp(_), _) => solved.diagnostics,
        (_, Status::Infeasible) => match explain_infeasible(model, options) {
            Ok(e) => e.diagnostics(),
            Err(d) => vec![d],
        },
        (_, Status::Unbounded) => match explain_unbounded(model, options) {
            Ok(u) => vec![u.diagnostic],
            Err(d) => vec![d],
        },
        (Answer::Milp(raw), Status::Error) => {
            return Err(format!(
                "the solve ended without an answer: {}",
                raw.message
            ))
        }
        _ => Vec::new(),
    })
}

/// The report of a solve of `analysis` (JSON schema `archc.solution/1`), under `name`,
/// described from the checked model ([`crate::report::describe::describe`]: the sets the
/// indices range over, ordered indices, the network), so that the embedding API, the
/// Python package and the command line report the same thing.
pub fn report(
    analysis: &Analysis,
    name: &str,
    solved: &crate::solve::Solved,
) -> Option<crate::report::Report> {
    let instance = analysis.instance.as_ref()?;
    let mut report = crate::report::build_solved(name, instance, solved);
    if let Some(schema) = analysis.schema.as_ref() {
        crate::report::describe::describe(&mut report, schema, instance);
    }
    Some(report)
}

/// The file layer of one analysis: the disk under the options' overlays and size cap.
fn file_layer(options: &AnalyzeOptions) -> Vfs {
    let vfs = Vfs::new().with_overlays(&options.overlays);
    match options.max_file_size {
        Some(bytes) => vfs.with_max_file_size(bytes),
        None => vfs,
    }
}

/// Run `step`, recording its wall time under `phase`.
fn timed<T>(
    analysis: &mut Analysis,
    phase: &'static str,
    step: impl FnOnce(&mut Analysis) -> T,
) -> T {
    let started = Instant::now();
    let out = step(analysis);
    analysis.timings.push(phase, started.elapsed());
    out
}

fn run(analysis: &mut Analysis, main: FileId, options: &AnalyzeOptions) {
    front_end(analysis, main, options);
    crate::resolve::prelude::hide_labels(&analysis.sources, &mut analysis.diagnostics);
}

/// Parse, load modules, check; then instantiate for the backend when asked for.
fn front_end(analysis: &mut Analysis, main: FileId, options: &AnalyzeOptions) {
    timed(analysis, "parse", |a| {
        let text = a.sources.text(main);
        let (file, diags) = match &options.parse_cache {
            Some(cache) => {
                let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
                crate::syntax::parse_file_incremental(main, text, &mut cache)
            }
            None => crate::syntax::parse_file(main, text),
        };
        a.diagnostics.extend(diags);
        a.files.push((main, file));
    });
    analysis.sources.set_data_dir(options.data_dir.clone());
    let program = timed(analysis, "load modules", |a| {
        let main_file = a
            .files
            .iter()
            .find(|(id, _)| *id == main)
            .map(|(_, f)| f.clone())
            .unwrap_or_default();
        let loaded = crate::resolve::load_program(&mut a.sources, main, main_file);
        a.files.extend(loaded.files);
        a.diagnostics.extend(loaded.diagnostics);
        let mut program = loaded.program;
        let diags =
            crate::resolve::overrides::apply(&mut program, &mut a.sources, &options.overrides);
        a.diagnostics.extend(diags);
        program
    });
    let data_names = timed(analysis, "data names", |a| read_data_names(a, &program));
    let mut checker = timed(analysis, "check", |_| {
        crate::check::check_program(&program, &data_names)
    });
    if !crate::diagnostics::has_errors(&checker.diags) {
        // Instantiation compiles constraints and objectives from the HIR: a model that
        // cannot be lowered is not instantiated (E0750 is an error).
        match timed(analysis, "lower to HIR", |_| {
            crate::hir::lower_model(&mut checker)
        }) {
            Ok(hir) => {
                // Sets and params that read each other are refused before any is computed.
                let cycles = crate::hir::circular_definitions(&hir, &checker.schema);
                checker.diags.extend(cycles);
                analysis.hir = Some(hir);
            }
            Err(d) => checker.diags.push(d),
        }
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
    let milp_reason = match choose_backend(analysis, &schema, options, &limits) {
        Choice::Refused => {
            analysis.schema = Some(schema);
            return;
        }
        Choice::Milp => {
            let (inst, diags) = timed(analysis, "instantiate", |a| {
                instantiate_checked(a, &schema, limits, false)
            });
            analysis.diagnostics.extend(diags);
            analysis.instance = inst;
            analysis.backend = Some(Backend::Milp);
            analysis.schema = Some(schema);
            return;
        }
        Choice::Dp(inst) => {
            analysis.backend_reason = crate::plan::dp_reason(&inst.dp_plans);
            analysis.instance = Some(*inst);
            analysis.backend = Some(Backend::Dp);
            analysis.schema = Some(schema);
            return;
        }
        Choice::LowerPlans(reason) => reason,
    };
    lower_to_milp(analysis, schema, limits, milp_reason);
}

/// Instantiate the checked model of the analysis from its schema and HIR.
fn instantiate_checked(
    a: &mut Analysis,
    schema: &crate::check::Schema,
    limits: crate::instantiate::Limits,
    compile_plans: bool,
) -> (
    Option<crate::instantiate::Instance>,
    Vec<crate::diagnostics::Diagnostic>,
) {
    let empty = crate::hir::Model::default();
    let hir = a.hir.as_ref().unwrap_or(&empty);
    crate::instantiate::instantiate(schema, hir, &mut a.sources, limits, compile_plans)
}

/// The backend a checked model goes to.
enum Choice {
    /// A model without plans.
    Milp,
    /// Plans for DP, instantiated with their compiled stage plans.
    Dp(Box<crate::instantiate::Instance>),
    /// Plans lowered to MILP, for this reason (`milp — ...`).
    LowerPlans(String),
    /// The backend asked for cannot take the model (the diagnostics say why).
    Refused,
}

/// Choose the backend. Plans go to DP when they are independent, compile and fit the
/// budget; to MILP otherwise (or when asked).
fn choose_backend(
    analysis: &mut Analysis,
    schema: &crate::check::Schema,
    options: &AnalyzeOptions,
    limits: &crate::instantiate::Limits,
) -> Choice {
    if schema.plans.is_empty() {
        if options.backend == BackendChoice::Dp {
            analysis.diagnostics.push(
                Diagnostic::error(
                    Code::E0619,
                    "the DP backend solves `plan` blocks, and this model has none",
                )
                .help("leave out `--backend dp`"),
            );
            return Choice::Refused;
        }
        return Choice::Milp;
    }
    let empty = crate::hir::Model::default();
    let hir = analysis.hir.as_ref().unwrap_or(&empty);
    match (crate::plan::dp_eligible(schema, hir), options.backend) {
        (_, BackendChoice::Milp) => {
            return Choice::LowerPlans("milp — forced by --backend milp".to_string())
        }
        (Err((why, span)), BackendChoice::Dp) => {
            analysis.diagnostics.push(
                Diagnostic::error(
                    Code::E0619,
                    format!("the DP backend cannot take this model: {why}"),
                )
                .primary(span, "this needs the MILP backend")
                .help("leave out `--backend dp` to let archc lower the plans to MILP"),
            );
            return Choice::Refused;
        }
        (Err((why, _)), BackendChoice::Auto) => return Choice::LowerPlans(format!("milp — {why}")),
        (Ok(()), _) => {}
    }
    let (inst, diags) = timed(analysis, "instantiate", |a| {
        instantiate_checked(a, schema, limits.clone(), true)
    });
    let forced = options.backend == BackendChoice::Dp;
    match inst {
        Some(inst) => {
            let budget = crate::backends::dp::DpBudget::default();
            match crate::plan::over_budget(schema, &inst.dp_plans, &budget) {
                Some(d) if forced => {
                    analysis.diagnostics.push(d);
                    Choice::Refused
                }
                Some(d) => Choice::LowerPlans(format!("milp — {}", d.message)),
                None => {
                    analysis.diagnostics.extend(diags);
                    Choice::Dp(Box::new(inst))
                }
            }
        }
        None if forced || diags.iter().any(|d| d.code != Code::E0618) => {
            analysis.diagnostics.extend(diags);
            Choice::Refused
        }
        None => {
            let why = diags.first().map(|d| d.message.clone()).unwrap_or_default();
            Choice::LowerPlans(format!("milp — {why}"))
        }
    }
}

/// Lower the plans to MILP ([`crate::plan::milp`]) and instantiate the result.
fn lower_to_milp(
    analysis: &mut Analysis,
    schema: crate::check::Schema,
    limits: crate::instantiate::Limits,
    reason: String,
) {
    let empty = crate::hir::Model::default();
    let (schema, lowered) = timed(analysis, "lower plans", |a| {
        crate::plan::milp::lower_plans(schema, a.hir.as_ref().unwrap_or(&empty))
    });
    let hir = match lowered {
        Ok(hir) => hir,
        Err(diags) => {
            analysis.diagnostics.extend(diags);
            analysis.schema = Some(schema);
            return;
        }
    };
    let (inst, diags) = timed(analysis, "instantiate", |a| {
        crate::instantiate::instantiate(&schema, &hir, &mut a.sources, limits, false)
    });
    analysis.hir = Some(hir);
    analysis.diagnostics.extend(diags);
    analysis.instance = inst;
    analysis.backend = Some(Backend::Milp);
    analysis.backend_reason = reason;
    analysis.schema = Some(schema);
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
        let names = crate::data::entity_names(
            &mut analysis.sources,
            &full,
            &f.path.value,
            f.key_column(),
            f.path.span,
        );
        out.insert(f.path.span, names);
    }
    out
}
