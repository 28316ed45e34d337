//! One worker thread per compiled model. The core's analysis is not `Send` (the data world
//! of an instance shares its values), so it never leaves the thread that built it: the
//! thread analyses the model, then serves solve and table requests until the Python object
//! and its solutions are gone. The calling thread waits with the GIL released, waking every
//! 100 ms so that Python can run its signal handlers (Ctrl-C).

use archc::analysis::Analysis;
use archc::diagnostics::Diagnostic;
use archc::embed_data::{self, DataInputs, ModelInput, ParamError, SolvedModel, Table};
use archc::solve::SolveOptions;
use pyo3::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

/// The worker's stack: analysis recurses over expressions as the CLI's main thread does.
const STACK: usize = 64 << 20;

/// What a compiled model is, read once after analysis.
pub(crate) struct Meta {
    pub backend: &'static str,
    pub backend_reason: String,
    /// (columns, rows, nonzeros).
    pub size: (usize, usize, usize),
    /// Decision and constraint names.
    pub names: (Vec<String>, Vec<String>),
}

/// A solve's answer, or the diagnostic that ended it, or a panic's message.
pub(crate) type SolveOutcome = Result<Result<SolvedModel, String>, String>;
/// A table, `None` for an unknown name, or a panic's message.
pub(crate) type TableOutcome = Result<Option<Table>, String>;
/// A partition's (K, items per part), or the diagnostics, or a panic's message.
pub(crate) type SplitOutcome = Result<Result<(u32, Vec<usize>), String>, String>;

pub(crate) enum Request {
    Solve {
        options: SolveOptions,
        explain: bool,
        reply: Sender<SolveOutcome>,
    },
    /// Solve part `part` of `partition` (`SET:K`) dealt with `seed`: the shard file's JSON.
    Shard {
        partition: String,
        seed: u64,
        part: u32,
        options: SolveOptions,
        reply: Sender<Result<Result<String, String>, String>>,
    },
    /// The split `partition` (`SET:K`) makes with `seed`: K and the items of each part.
    Split {
        partition: String,
        seed: u64,
        reply: Sender<SplitOutcome>,
    },
    /// Merge shard files (name, JSON text) into one verified plan.
    Merge {
        files: Vec<(String, String)>,
        options: SolveOptions,
        reply: Sender<SolveOutcome>,
    },
    Table {
        decision: bool,
        name: String,
        solved: Arc<SolvedModel>,
        reply: Sender<TableOutcome>,
    },
    /// Change one value of a param for the next solve (`index` by element names); the
    /// reply is the diagnostic's JSON when the change does not fit.
    SetParam {
        name: String,
        index: Vec<String>,
        value: f64,
        reply: Sender<Result<Result<(), String>, String>>,
    },
    /// Forget every changed value.
    ClearChanges,
}

/// What the analysis gave: the diagnostics as JSON, and the model when it compiled.
pub(crate) type Analysed = (String, Option<(Meta, Sender<Request>)>);

fn diags_json(diags: &[Diagnostic], a: &Analysis) -> String {
    crate::diagnostics_json(diags, &a.sources)
}

fn meta(a: &Analysis) -> Option<Meta> {
    let inst = a.instance.as_ref()?;
    Some(Meta {
        backend: match a.backend {
            Some(archc::plan::Backend::Dp) => "dp",
            _ => "milp",
        },
        backend_reason: a.backend_reason.clone(),
        size: (
            inst.model.num_columns(),
            inst.model.num_rows(),
            inst.model.num_nonzeros(),
        ),
        names: embed_data::declaration_names(&inst.model),
    })
}

/// Analyse on a new worker thread; with `compile` and a clean model the thread stays to
/// serve requests. Errors: a panic's message, or a param the model does not have.
pub(crate) fn start(
    py: Python<'_>,
    input: ModelInput,
    inputs: DataInputs,
    compile: bool,
) -> PyResult<Result<Analysed, ParamError>> {
    let (reply, answer) = channel::<Result<Result<Analysed, ParamError>, String>>();
    let spawned = std::thread::Builder::new()
        .name("archc-model".into())
        .stack_size(STACK)
        .spawn(move || {
            let analysed = catch_unwind(AssertUnwindSafe(|| {
                embed_data::analyze_with_data(&input, &inputs)
            }));
            let mut analysis = match analysed {
                Ok(Ok(a)) => a,
                Ok(Err(e)) => {
                    let _ = reply.send(Ok(Err(e)));
                    return;
                }
                Err(p) => {
                    let _ = reply.send(Err(crate::panic_message(p.as_ref())));
                    return;
                }
            };
            let diags = diags_json(&analysis.diagnostics, &analysis);
            let compiled = compile && !analysis.has_errors();
            let meta = if compiled { meta(&analysis) } else { None };
            let Some(meta) = meta else {
                let _ = reply.send(Ok(Ok((diags, None))));
                return;
            };
            let (tx, requests) = channel::<Request>();
            if reply.send(Ok(Ok((diags, Some((meta, tx)))))).is_err() {
                return;
            }
            serve(&mut analysis, requests);
        });
    if let Err(e) = spawned {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "cannot start a thread for the model: {e}"
        )));
    }
    wait(py, answer, || {})?.map_err(crate::Panic::new_err)
}

/// Serve requests until every sender (the model and its solutions) is gone.
fn serve(analysis: &mut Analysis, requests: Receiver<Request>) {
    // Param values changed since the model compiled, taken in before the next solve (in
    // place when the structure stays: `archc::embed_changes`).
    let mut changes = archc::embed_changes::ParamChanges::default();
    let update = |changes: &mut archc::embed_changes::ParamChanges,
                  analysis: &mut Analysis|
     -> Result<(), String> {
        changes
            .update(analysis)
            .map_err(|d| diags_json(&[d], analysis))
    };
    for request in requests {
        match request {
            Request::SetParam {
                name,
                index,
                value,
                reply,
            } => {
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    let index: Vec<&str> = index.iter().map(String::as_str).collect();
                    changes
                        .set(analysis, &name, &index, value)
                        .map_err(|d| diags_json(&[d], analysis))
                }))
                .map_err(|p| crate::panic_message(p.as_ref()));
                let _ = reply.send(outcome);
            }
            Request::ClearChanges => changes.clear(),
            Request::Solve {
                options,
                explain,
                reply,
            } => {
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    update(&mut changes, analysis)?;
                    embed_data::solve_analysis(analysis, &options, explain)
                        .map_err(|d| diags_json(&[d], analysis))
                }))
                .map_err(|p| crate::panic_message(p.as_ref()));
                let _ = reply.send(outcome);
            }
            Request::Shard {
                partition,
                seed,
                part,
                options,
                reply,
            } => {
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    update(&mut changes, analysis)?;
                    crate::shards::shard(analysis, &partition, seed, part, &options)
                        .map_err(|d| diags_json(&[d], analysis))
                }))
                .map_err(|p| crate::panic_message(p.as_ref()));
                let _ = reply.send(outcome);
            }
            Request::Split {
                partition,
                seed,
                reply,
            } => {
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    archc::partition::embed::split_of(analysis, &partition, seed)
                        .map(|s| (s.k, s.items_per_part.clone()))
                        .map_err(|d| diags_json(&[d], analysis))
                }))
                .map_err(|p| crate::panic_message(p.as_ref()));
                let _ = reply.send(outcome);
            }
            Request::Merge {
                files,
                options,
                reply,
            } => {
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    update(&mut changes, analysis)?;
                    crate::shards::merge(analysis, &files, &options)
                        .map_err(|d| diags_json(&[d], analysis))
                }))
                .map_err(|p| crate::panic_message(p.as_ref()));
                let _ = reply.send(outcome);
            }
            Request::Table {
                decision,
                name,
                solved,
                reply,
            } => {
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    let model = &analysis.instance.as_ref()?.model;
                    if decision {
                        embed_data::decision_table(model, &solved.values, &name)
                    } else {
                        embed_data::constraint_table(
                            model,
                            &solved.values,
                            solved.duals.as_deref(),
                            &name,
                        )
                    }
                }))
                .map_err(|p| crate::panic_message(p.as_ref()));
                let _ = reply.send(outcome);
            }
        }
    }
}

/// Wait for `answer` with the GIL released, letting Python handle signals every 100 ms.
/// On a signal's exception, `on_interrupt` runs once and the wait goes on; a second
/// exception is raised (so does the first when `on_interrupt` is a no-op: see
/// [`wait_stoppable`]).
pub(crate) fn wait<T: Send>(
    py: Python<'_>,
    answer: Receiver<T>,
    on_interrupt: impl FnOnce(),
) -> PyResult<T> {
    wait_stoppable(py, answer, false, on_interrupt)
}

/// [`wait`], where `stoppable` says whether the first interrupt only asks the work to
/// stop (and the wait goes on for its answer) or is raised at once.
pub(crate) fn wait_stoppable<T: Send>(
    py: Python<'_>,
    answer: Receiver<T>,
    stoppable: bool,
    on_interrupt: impl FnOnce(),
) -> PyResult<T> {
    let mut on_interrupt = Some(on_interrupt);
    // The receiver goes into the GIL-free closure and comes back (it is `Send`, not `Sync`).
    let mut answer = answer;
    loop {
        let (back, received) = py.allow_threads(move || {
            let r = answer.recv_timeout(Duration::from_millis(100));
            (answer, r)
        });
        answer = back;
        match received {
            Ok(v) => return Ok(v),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    match on_interrupt.take() {
                        Some(f) if stoppable => f(),
                        _ => return Err(interrupt),
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(crate::Panic::new_err(
                    "the model's thread ended without an answer",
                ))
            }
        }
    }
}
