//! The `archc._archc` extension module: the Rust core seen from Python. It analyses models
//! with data given as text (the Python layer turns data frames into CSV or JSON text, laid
//! over the model's own `from` paths: no temporary file), solves on a worker thread with
//! the GIL released while the calling thread watches for Ctrl-C, and hands reports and
//! tables back. Diagnostics and reports cross as JSON text; tables as lists. No panic
//! crosses: each entry point catches unwinding and raises `Panic`, which the Python layer
//! turns into `archc.InternalError`. The Python package (`python/archc`) is the public API.

mod shards;
mod solve;
mod worker;

use archc::analysis::BackendChoice;
use archc::embed_data::{self, DataInputs, ModelInput, SlotKind};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc::Sender;

pyo3::create_exception!(
    _archc,
    Failure,
    pyo3::exceptions::PyException,
    "Diagnostics from the core, as JSON text (args[0]); the Python layer raises the ArchError of their phase."
);
pyo3::create_exception!(
    _archc,
    Panic,
    pyo3::exceptions::PyException,
    "A bug in the core (a panic), caught before it reached Python."
);

/// Run `f`, turning a panic into the `Panic` exception.
pub(crate) fn guarded<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(Panic::new_err(panic_message(payload.as_ref()))),
    }
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    format!("internal error in the archc core (please report it): {what}")
}

/// Diagnostics as a JSON array: each with its code, severity, message, help, notes,
/// labels (file, line, column) and the plain rendering.
pub(crate) fn diagnostics_json(
    diags: &[archc::diagnostics::Diagnostic],
    sources: &archc::source::SourceMap,
) -> String {
    let list: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let mut v = serde_json::to_value(archc::diagnostics::render::to_json(d, sources))
                .unwrap_or(serde_json::Value::Null);
            if let serde_json::Value::Object(map) = &mut v {
                map.insert(
                    "rendered".into(),
                    archc::diagnostics::render::render_plain(d, sources, 100).into(),
                );
            }
            v
        })
        .collect();
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
}

fn backend_choice(name: &str) -> PyResult<BackendChoice> {
    match name {
        "auto" => Ok(BackendChoice::Auto),
        "dp" => Ok(BackendChoice::Dp),
        "milp" => Ok(BackendChoice::Milp),
        other => Err(PyValueError::new_err(format!(
            "backend must be \"auto\", \"dp\" or \"milp\", not {other:?}"
        ))),
    }
}

/// A compiled model: the sender of its worker thread (which holds the analysis), and what
/// it is.
#[pyclass(module = "archc._archc", frozen)]
pub struct Model {
    pub(crate) worker: Sender<worker::Request>,
    pub(crate) backend: &'static str,
    backend_reason: String,
    size: (usize, usize, usize),
    names: (Vec<String>, Vec<String>),
}

#[pymethods]
impl Model {
    /// "milp" or "dp".
    #[getter]
    fn backend(&self) -> &'static str {
        self.backend
    }

    /// Why that backend (plans only; empty otherwise).
    #[getter]
    fn backend_reason(&self) -> String {
        self.backend_reason.clone()
    }

    /// (columns, rows, nonzeros) of the instance.
    #[getter]
    fn size(&self) -> (usize, usize, usize) {
        self.size
    }

    /// The decisions' names, in declaration order.
    #[getter]
    fn decisions(&self) -> Vec<String> {
        self.names.0.clone()
    }

    /// The constraints' names, in declaration order.
    #[getter]
    fn constraints(&self) -> Vec<String> {
        self.names.1.clone()
    }

    /// Solve; see [`solve::solve`].
    #[pyo3(signature = (solver=None, time_limit=None, gap=None, threads=None, explain=false))]
    fn solve(
        &self,
        py: Python<'_>,
        solver: Option<String>,
        time_limit: Option<f64>,
        gap: Option<f64>,
        threads: Option<u32>,
        explain: bool,
    ) -> PyResult<solve::Solution> {
        guarded(|| {
            let options = solve::options(solver.as_deref(), time_limit, gap, threads)?;
            solve::solve(py, self, options, explain)
        })
    }

    /// Change one value of param `name` (`index` by element names, empty for a scalar) for
    /// the next solve, in the unit the param is declared with; raises the core's E0748 when
    /// it does not fit (an index naming no element is found at the solve).
    fn set_param(
        &self,
        py: Python<'_>,
        name: String,
        index: Vec<String>,
        value: f64,
    ) -> PyResult<()> {
        guarded(|| {
            let (reply, answer) = std::sync::mpsc::channel();
            self.worker
                .send(worker::Request::SetParam {
                    name,
                    index,
                    value,
                    reply,
                })
                .map_err(|_| Panic::new_err("the model's thread has ended"))?;
            match worker::wait(py, answer, || {})? {
                Ok(Ok(())) => Ok(()),
                Ok(Err(diagnostics)) => Err(Failure::new_err(diagnostics)),
                Err(message) => Err(Panic::new_err(message)),
            }
        })
    }

    /// Forget every value changed by `set_param`.
    fn clear_changes(&self) -> PyResult<()> {
        self.worker
            .send(worker::Request::ClearChanges)
            .map_err(|_| Panic::new_err("the model's thread has ended"))
    }

    /// Solve part `part` of `partition` (`SET:K`, the elements dealt into K parts with
    /// `seed`) and return its shard file (`archc.shard/1`) as JSON text; see [`shards`].
    #[pyo3(signature = (partition, part, seed=archc::partition::DEFAULT_SEED, solver=None, time_limit=None, gap=None))]
    #[allow(clippy::too_many_arguments)]
    fn solve_shard(
        &self,
        py: Python<'_>,
        partition: String,
        part: u32,
        seed: u64,
        solver: Option<String>,
        time_limit: Option<f64>,
        gap: Option<f64>,
    ) -> PyResult<String> {
        guarded(|| {
            let options = solve::options(solver.as_deref(), time_limit, gap, Some(1))?;
            shards::request_shard(py, self, partition, seed, part, options)
        })
    }

    /// The split `partition` (`SET:K`) makes with `seed`: (K, the items of each part).
    /// Raises the core's diagnostics for a bad partition (E0730, E0255, E0660).
    #[pyo3(signature = (partition, seed=archc::partition::DEFAULT_SEED))]
    fn split(&self, py: Python<'_>, partition: String, seed: u64) -> PyResult<(u32, Vec<usize>)> {
        guarded(|| shards::request_split(py, self, partition, seed))
    }

    /// Merge shard files, given as (name, JSON text) pairs, into one plan verified against
    /// the full model; see [`shards`].
    #[pyo3(signature = (files, solver=None, time_limit=None))]
    fn merge_shards(
        &self,
        py: Python<'_>,
        files: Vec<(String, String)>,
        solver: Option<String>,
        time_limit: Option<f64>,
    ) -> PyResult<solve::Solution> {
        guarded(|| {
            let options = solve::options(solver.as_deref(), time_limit, None, None)?;
            shards::request_merge(py, self, files, options)
        })
    }
}

/// Analyse a model: `path`, or `source` text named `name` with `base_dir` for its
/// relative paths; `data` as (path as written in the model, text) pairs; `params` as
/// (scalar param, value source text); `max_file_size` caps files read from disk. Returns the diagnostics (JSON) and, when `compile`
/// and the model checked clean, the compiled model. `ValueError` for unknown params.
#[pyfunction]
#[pyo3(signature = (path, source, name, base_dir, data, params, backend, compile, max_file_size=None))]
#[allow(clippy::too_many_arguments)]
fn analyze(
    py: Python<'_>,
    path: Option<PathBuf>,
    source: Option<String>,
    name: String,
    base_dir: Option<PathBuf>,
    data: Vec<(String, String)>,
    params: Vec<(String, String)>,
    backend: &str,
    compile: bool,
    max_file_size: Option<u64>,
) -> PyResult<(String, Option<Model>)> {
    guarded(|| {
        let input = match (path, source) {
            (Some(p), _) => ModelInput::Path(p),
            (None, Some(text)) => ModelInput::Source {
                name,
                text,
                base_dir,
            },
            (None, None) => return Err(PyValueError::new_err("give a path or a source")),
        };
        let inputs = DataInputs {
            data,
            params,
            backend: backend_choice(backend)?,
            limits: None,
            max_file_size,
        };
        let (diags, compiled) = worker::start(py, input, inputs, compile)?
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((
            diags,
            compiled.map(|(meta, sender)| Model {
                worker: sender,
                backend: meta.backend,
                backend_reason: meta.backend_reason,
                size: meta.size,
                names: meta.names,
            }),
        ))
    })
}

/// The data slots of a model text, as JSON: name, kind (`entities`, `param`, `scalar`),
/// path as written, index columns, unit.
#[pyfunction]
fn data_slots(text: &str) -> PyResult<String> {
    guarded(|| {
        let list: Vec<serde_json::Value> = embed_data::data_slots(text)
            .into_iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "kind": match s.kind {
                        SlotKind::Entities => "entities",
                        SlotKind::Param => "param",
                        SlotKind::ScalarParam => "scalar",
                    },
                    "path": s.path,
                    "index": s.index,
                    "unit": s.unit,
                })
            })
            .collect();
        Ok(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()))
    })
}

/// The MILP solvers built into this module, default first.
#[pyfunction]
fn solvers() -> Vec<String> {
    archc::solve::SolverKind::enabled()
        .into_iter()
        .map(|k| k.name().to_string())
        .collect()
}

#[pymodule]
fn _archc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Failure", m.py().get_type::<Failure>())?;
    m.add("Panic", m.py().get_type::<Panic>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Model>()?;
    m.add_class::<solve::Solution>()?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(data_slots, m)?)?;
    m.add_function(wrap_pyfunction!(solvers, m)?)?;
    Ok(())
}
