//! `archc.solveAndExplain` off the message loop. The loop takes what the solve needs from
//! the world (the document's path and the text of every open document) into a [`SolveJob`]
//! and runs it on a worker thread, with a time limit, so that hover and diagnostics keep
//! being answered meanwhile; a `$/cancelRequest` answers the request at once as cancelled
//! and cancels the job ([`super::cancel`]): the job checks between its steps, a HiGHS solve
//! is interrupted, and the result of a job cancelled during a solve that cannot be
//! interrupted is dropped.

use super::cancel::Cancel;
use super::convert;
use super::world::World;
use lsp_types::Uri;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// The command that solves the model and explains the result (conflicts, repairs).
pub const SOLVE_AND_EXPLAIN: &str = "archc.solveAndExplain";

/// The time limit of a solve unless the command gives one (`{"timeLimit": seconds}`).
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);

/// What a solve of one document needs, taken from the world on the message loop.
#[derive(Debug)]
pub struct SolveJob {
    uri: Uri,
    path: PathBuf,
    overlays: HashMap<PathBuf, String>,
    time_limit: Duration,
    /// `None`: the best solver built in.
    solver: Option<archc::solve::SolverKind>,
}

impl SolveJob {
    /// The job for `archc.solveAndExplain [uri, {"timeLimit": seconds, "solver": name}?]`.
    pub fn new(world: &World, arguments: &[serde_json::Value]) -> Result<SolveJob, String> {
        let uri_text = arguments
            .first()
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("`{SOLVE_AND_EXPLAIN}` takes the document URI"))?;
        let uri: Uri = uri_text
            .parse()
            .map_err(|_| format!("not a URI: {uri_text}"))?;
        if world.doc(&uri).is_none() {
            return Err(format!("{uri_text} is not open"));
        }
        let time_limit = match arguments.get(1).map(|o| &o["timeLimit"]) {
            None | Some(serde_json::Value::Null) => DEFAULT_TIME_LIMIT,
            Some(v) => v
                .as_f64()
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| format!("`timeLimit` must be a number of seconds, not {v}"))?,
        };
        let solver = match arguments.get(1).map(|o| &o["solver"]) {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                v.as_str()
                    .and_then(archc::solve::SolverKind::parse)
                    .filter(|k| k.is_enabled())
                    .ok_or_else(|| format!("`solver` must name a solver built in, not {v}"))?,
            ),
        };
        let overlays = world
            .docs
            .iter()
            .map(|(p, d)| (p.clone(), d.text.clone()))
            .collect();
        Ok(SolveJob {
            path: convert::uri_to_path(&uri),
            uri,
            overlays,
            time_limit,
            solver,
        })
    }

    /// Solve and explain: the explanation as LSP diagnostics with related information
    /// (empty when the model solves). `None` when cancelled.
    pub fn run(self, cancel: &Cancel) -> Option<Result<serde_json::Value, String>> {
        let options = archc::analysis::AnalyzeOptions {
            overlays: self.overlays,
            instantiate: true,
            ..Default::default()
        };
        let mut analysis = archc::driver::analyze(&self.path, &options);
        if cancel.is_cancelled() {
            return None;
        }
        if !analysis.has_errors() {
            let solve_options = archc::solve::SolveOptions {
                time_limit: Some(self.time_limit),
                solver: self.solver,
                control: cancel.control(),
                ..Default::default()
            };
            match cancel.run_solver(self.solver, || {
                archc::driver::solve_and_explain(&mut analysis, &solve_options)
            })? {
                Ok(diags) => analysis.diagnostics = diags,
                Err(message) => return Some(Err(message)),
            }
        }
        if cancel.is_cancelled() {
            return None;
        }
        let main = analysis
            .sources
            .find_by_path(&self.path)
            .unwrap_or(archc::span::FileId(0));
        if analysis.sources.is_empty() {
            return Some(Ok(serde_json::Value::Array(Vec::new())));
        }
        let index = convert::LineIndex::new(analysis.sources.text(main));
        let uri_of = |f: archc::span::FileId| {
            let source = analysis.sources.get(f);
            match source.path.as_deref() {
                Some(p) => convert::path_to_uri(p),
                None => super::stdlib_docs::uri_for(&source.name),
            }
        };
        let diags = convert::lsp_diagnostics(&analysis, main, &self.uri, &index, &uri_of);
        Some(serde_json::to_value(diags).map_err(|e| e.to_string()))
    }
}
