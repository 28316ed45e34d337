//! Partitioned solves from Python: one part of a partitioned model solved into its shard
//! file (`archc.shard/1`, as `archc solve --shard i/N` writes it), and shard files merged
//! into one plan verified against the full model (as `archc merge`). `archc.ray` runs the
//! parts as Ray tasks and merges on the driver with these.

use crate::solve::Solution;
use crate::worker::{wait, Request, SolveOutcome};
use crate::{Failure, Model, Panic};
use archc::analysis::Analysis;
use archc::diagnostics::Diagnostic;
use archc::embed_data::SolvedModel;
use archc::partition::embed;
use archc::solve::SolveOptions;
use pyo3::prelude::*;
use std::sync::mpsc::channel;
use std::sync::Arc;

/// The model's name as the reports give it.
fn model_name(analysis: &Analysis) -> String {
    if analysis.sources.is_empty() {
        String::new()
    } else {
        analysis.sources.name(archc::span::FileId(0)).to_string()
    }
}

/// On the worker: solve one part, return the shard file as JSON.
pub(crate) fn shard(
    analysis: &Analysis,
    partition: &str,
    seed: u64,
    part: u32,
    options: &SolveOptions,
) -> Result<String, Diagnostic> {
    let split = embed::split_of(analysis, partition, seed)?;
    let file = embed::solve_shard(analysis, &model_name(analysis), &split, part, options)?;
    serde_json::to_string(&file).map_err(|e| {
        Diagnostic::error(
            archc::diagnostics::Code::E0703,
            format!("cannot write the shard plan as JSON: {e}"),
        )
    })
}

/// On the worker: merge shard files into a solved model (no values when no plan could be
/// made of the parts; the report then says why).
pub(crate) fn merge(
    analysis: &Analysis,
    files: &[(String, String)],
    options: &SolveOptions,
) -> Result<SolvedModel, Diagnostic> {
    let merged = embed::merge_shards(analysis, &model_name(analysis), files, options)?;
    let explanation_text = merged
        .raw
        .values
        .is_empty()
        .then(|| merged.raw.message.clone());
    Ok(SolvedModel {
        report: merged.report,
        values: merged.raw.values,
        duals: None,
        explanation: None,
        explanation_text,
    })
}

/// From Python: ask the worker for a shard.
pub(crate) fn request_shard(
    py: Python<'_>,
    model: &Model,
    partition: String,
    seed: u64,
    part: u32,
    options: SolveOptions,
) -> PyResult<String> {
    let (reply, answer) = channel();
    model
        .worker
        .send(Request::Shard {
            partition,
            seed,
            part,
            options,
            reply,
        })
        .map_err(|_| Panic::new_err("the model's thread has ended"))?;
    match wait(py, answer, || {})? {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(diagnostics)) => Err(Failure::new_err(diagnostics)),
        Err(message) => Err(Panic::new_err(message)),
    }
}

/// From Python: ask the worker to merge shard files.
pub(crate) fn request_merge(
    py: Python<'_>,
    model: &Model,
    files: Vec<(String, String)>,
    options: SolveOptions,
) -> PyResult<Solution> {
    let (reply, answer) = channel::<SolveOutcome>();
    model
        .worker
        .send(Request::Merge {
            files,
            options,
            reply,
        })
        .map_err(|_| Panic::new_err("the model's thread has ended"))?;
    match wait(py, answer, || {})? {
        Ok(Ok(solved)) => Ok(Solution::new(model.worker.clone(), Arc::new(solved))),
        Ok(Err(diagnostics)) => Err(Failure::new_err(diagnostics)),
        Err(message) => Err(Panic::new_err(message)),
    }
}

/// From Python: the split a partition makes, (K, items per part).
pub(crate) fn request_split(
    py: Python<'_>,
    model: &Model,
    partition: String,
    seed: u64,
) -> PyResult<(u32, Vec<usize>)> {
    let (reply, answer) = channel();
    model
        .worker
        .send(Request::Split {
            partition,
            seed,
            reply,
        })
        .map_err(|_| Panic::new_err("the model's thread has ended"))?;
    match wait(py, answer, || {})? {
        Ok(Ok(split)) => Ok(split),
        Ok(Err(diagnostics)) => Err(Failure::new_err(diagnostics)),
        Err(message) => Err(Panic::new_err(message)),
    }
}
