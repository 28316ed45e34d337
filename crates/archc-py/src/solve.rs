//! Solving from Python: the solve runs on the model's worker thread; the calling thread
//! releases the GIL and wakes every 100 ms to let Python handle signals. On Ctrl-C
//! (KeyboardInterrupt) an interruptible solver (HiGHS) is asked to stop and its best plan,
//! if any, is returned with the status `interrupted` (a second Ctrl-C raises at once); any
//! other solver is left to finish in the background (its answer is dropped; later requests
//! to the same model wait for it) and the interrupt is raised at once, as the CLI does. The [`Solution`] keeps the report, every column value and the
//! explanation, and reads decisions and constraints as tables.

use crate::worker::{wait, wait_stoppable, Request, SolveOutcome, TableOutcome};
use crate::{diagnostics_json, guarded, Failure, Model, Panic};
use archc::backends::milp::interruptible;
use archc::embed_data::SolvedModel;
use archc::solve::{SolveOptions, SolverKind};
use pyo3::exceptions::PyKeyError;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::time::Duration;

/// The longest time limit accepted: one year (as the CLI).
const MAX_TIME_LIMIT: f64 = 365.0 * 24.0 * 3600.0;

/// Check and convert the solve arguments.
pub(crate) fn options(
    solver: Option<&str>,
    time_limit: Option<f64>,
    gap: Option<f64>,
    threads: Option<u32>,
) -> PyResult<SolveOptions> {
    // A solver not built in is the core's E0701, raised by the solve as a SolveError.
    let solver = match solver {
        None => None,
        Some(name) => match SolverKind::parse(name) {
            Some(kind) => Some(kind),
            None => {
                return Err(PyValueError::new_err(format!(
                    "solver must be \"microlp\", \"highs\" or \"cbc\", not {name:?}"
                )))
            }
        },
    };
    if let Some(t) = time_limit {
        if !(t.is_finite() && t > 0.0 && t <= MAX_TIME_LIMIT) {
            return Err(PyValueError::new_err(format!(
                "time_limit must be a number of seconds above 0 and at most {MAX_TIME_LIMIT} (a year), not {t}"
            )));
        }
    }
    if let Some(g) = gap {
        if !(g.is_finite() && (0.0..=1.0).contains(&g)) {
            return Err(PyValueError::new_err(format!(
                "gap must be a fraction from 0 to 1 (0.01 = 1%), not {g}"
            )));
        }
    }
    if threads == Some(0) {
        return Err(PyValueError::new_err("threads must be at least 1"));
    }
    Ok(SolveOptions {
        solver,
        time_limit: time_limit.map(Duration::from_secs_f64),
        gap,
        threads,
        quiet: true,
        ..SolveOptions::default()
    })
}

/// Solve `model` on its worker thread; see the module documentation for Ctrl-C.
pub(crate) fn solve(
    py: Python<'_>,
    model: &Model,
    options: SolveOptions,
    explain: bool,
) -> PyResult<Solution> {
    let kind = archc::backends::milp::choose_solver(options.solver)
        .map_err(|d| Failure::new_err(diagnostics_json(&[d], &archc::source::SourceMap::new())))?;
    // Only HiGHS reads the stop request; DP and the other solvers run to their end.
    let stoppable = interruptible(kind) && model.backend == "milp";
    let (reply, answer) = channel::<SolveOutcome>();
    // This solve's own control: a Ctrl-C in this thread stops this solve only, never one
    // running at the same time in another thread (or Ray task) of the process.
    let control = Arc::clone(&options.control);
    model
        .worker
        .send(Request::Solve {
            options,
            explain,
            reply,
        })
        .map_err(|_| Panic::new_err("the model's thread has ended"))?;
    let outcome = wait_stoppable(py, answer, stoppable, || control.request_stop())?;
    match outcome {
        Ok(Ok(solved)) => Ok(Solution {
            worker: model.worker.clone(),
            solved: Arc::new(solved),
        }),
        Ok(Err(diagnostics)) => Err(Failure::new_err(diagnostics)),
        Err(message) => Err(Panic::new_err(message)),
    }
}

/// A finished solve: its report, its values, its explanation; tables are read by the
/// model's worker thread (which holds the instance).
#[pyclass(module = "archc._archc", frozen)]
pub struct Solution {
    worker: Sender<Request>,
    solved: Arc<SolvedModel>,
}

/// A table as (index names, index columns, named value columns).
type PyTable = (Vec<String>, Vec<Vec<String>>, Vec<(String, Vec<f64>)>);

impl Solution {
    pub(crate) fn new(worker: Sender<Request>, solved: Arc<SolvedModel>) -> Solution {
        Solution { worker, solved }
    }

    fn table(&self, py: Python<'_>, name: &str, decision: bool) -> PyResult<PyTable> {
        let (reply, answer) = channel::<TableOutcome>();
        self.worker
            .send(Request::Table {
                decision,
                name: name.to_string(),
                solved: Arc::clone(&self.solved),
                reply,
            })
            .map_err(|_| Panic::new_err("the model's thread has ended"))?;
        let what = if decision { "decision" } else { "constraint" };
        match wait(py, answer, || {})? {
            Ok(Some(t)) => Ok((t.index_names, t.index, t.columns)),
            Ok(None) => Err(PyKeyError::new_err(format!(
                "the model has no {what} `{name}`"
            ))),
            Err(message) => Err(Panic::new_err(message)),
        }
    }
}

#[pymethods]
impl Solution {
    /// The report (schema `archc.solution/1`, as `archc solve --format json`).
    fn report_json(&self) -> String {
        serde_json::to_string(&self.solved.report).unwrap_or_else(|_| "{}".into())
    }

    /// The HTML report: a whole page with the charts (utilisation, values over time, the
    /// network), as `archc solve --html` writes it.
    /// An infeasible or unbounded model's page says why, as the CLI's does.
    fn report_html(&self) -> String {
        let r = &self.solved.report;
        let solved = matches!(
            r.outcome,
            archc::report::ReportStatus::Optimal | archc::report::ReportStatus::Feasible
        );
        if solved || r.explanation.is_some() || self.solved.explanation_text.is_none() {
            return archc::report::html::render(r);
        }
        let mut r = r.clone();
        r.explanation = self.solved.explanation_text.clone();
        archc::report::html::render(&r)
    }

    /// The explanation as JSON (infeasible, unbounded, or asked for), or None.
    fn explanation_json(&self) -> Option<String> {
        self.solved
            .explanation
            .as_ref()
            .and_then(|v| serde_json::to_string(v).ok())
    }

    /// The explanation as rendered text, or None.
    fn explanation_text(&self) -> Option<String> {
        self.solved.explanation_text.clone()
    }

    /// Every instance of a decision: value, lb, ub.
    fn decision_table(&self, py: Python<'_>, name: &str) -> PyResult<PyTable> {
        guarded(|| self.table(py, name, true))
    }

    /// Every row of a constraint: activity, lo, hi, slack, dual.
    fn constraint_table(&self, py: Python<'_>, name: &str) -> PyResult<PyTable> {
        guarded(|| self.table(py, name, false))
    }
}
