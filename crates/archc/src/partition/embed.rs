//! Shards from the embedding API: solve one part of a partitioned model and hand back its
//! shard file (`archc.shard/1`, the file `archc solve --shard i/N` writes), and merge the
//! files of every part into one plan verified against the full model (what `archc merge`
//! does). The Python package runs the parts as Ray tasks with these; the command line
//! writes and reads the same files, so a plan solved in one place merges in the other.

use super::shard::{check_shards, fingerprint, read_shard, ShardFile, SCHEMA};
use super::{PartitionSpec, ScaleReport, Split};
use crate::analysis::Analysis;
use crate::backends::types::{RawSolution, SolveOptions};
use crate::diagnostics::{Code, Diagnostic};
use crate::instantiate::Instance;
use crate::report::{Report, VerificationReport};
use std::time::Instant;

/// The instance of a clean analysis, or E0703.
fn instance(analysis: &Analysis) -> Result<&Instance, Diagnostic> {
    analysis
        .instance
        .as_ref()
        .filter(|_| !analysis.has_errors())
        .ok_or_else(|| Diagnostic::error(Code::E0703, "no instance to solve"))
}

/// The split `partition` (`SET:K`) with `seed` makes of the analysed model, or with an empty
/// `partition` the model's own (`partition SET into K`): E0730 for a bad value (or an empty
/// one when the model names no partition), E0255 for an unknown set, E0660 for a set that
/// indexes no decision.
pub fn split_of(analysis: &Analysis, partition: &str, seed: u64) -> Result<Split, Diagnostic> {
    let (spec, from) = if partition.trim().is_empty() {
        let (spec, _) = super::model_spec(analysis).ok_or_else(|| {
            Diagnostic::error(
                Code::E0730,
                "no partition given, and the model names none",
            )
            .help("give the set to split and the number of parts, `SET:K`, or declare `partition SET into K` in the model")
        })?;
        (spec, super::PartitionFrom::Model)
    } else {
        (
            PartitionSpec::parse(partition)?,
            super::PartitionFrom::CommandLine,
        )
    };
    let inst = instance(analysis)?;
    let schema = analysis
        .schema
        .as_ref()
        .ok_or_else(|| Diagnostic::error(Code::E0703, "no checked model to split"))?;
    let items = super::set_elements(schema, inst, &spec.set)?;
    let mut split = Split::new(&inst.model, &spec.set, &items, spec.k, seed)?;
    split.from = from;
    Ok(split)
}

/// The shard file of part `part` of `split`, solved: what `archc solve --shard` writes.
/// E0731 when the part is not one of the split's.
pub fn solve_shard(
    analysis: &Analysis,
    name: &str,
    split: &Split,
    part: u32,
    opts: &SolveOptions,
) -> Result<ShardFile, Diagnostic> {
    if part >= split.k {
        return Err(Diagnostic::error(
            Code::E0731,
            format!(
                "part {part} is out of range: `{}` is split into {} parts, numbered 0 to {}",
                split.set,
                split.k,
                split.k - 1
            ),
        ));
    }
    let model = &instance(analysis)?.model;
    let plan = super::solve_parts(model, split, &[part], opts)?
        .pop()
        .ok_or_else(|| Diagnostic::error(Code::E0703, format!("part {part} gave no plan")))?;
    Ok(shard_file(model, name, split, plan))
}

/// The shard file of `plan`, a solved part of `split` of `model`.
pub fn shard_file(
    model: &crate::ir::Model,
    name: &str,
    split: &Split,
    plan: super::merge::PartPlan,
) -> ShardFile {
    ShardFile {
        schema: SCHEMA.to_string(),
        model: name.to_string(),
        fingerprint: fingerprint(model),
        set: split.set.clone(),
        k: split.k,
        seed: split.seed,
        split_large: split.split_large,
        plan,
    }
}

/// A merge of shard files: the report (with its `scale` part), the raw solution (no values
/// when no plan could be made of the parts) and the split.
pub struct Merged {
    pub report: Report,
    pub raw: RawSolution,
    pub scale: ScaleReport,
}

/// Merge the shard files `files` (name, JSON text) of the analysed model: each read (E0580),
/// checked to be the parts of one split of this model and data (E0732), merged, repaired,
/// verified against the full model and reported as `archc merge` reports it.
pub fn merge_shards(
    analysis: &Analysis,
    name: &str,
    files: &[(String, String)],
    opts: &SolveOptions,
) -> Result<Merged, Diagnostic> {
    let read: Vec<(String, ShardFile)> = files
        .iter()
        .map(|(n, text)| read_shard(n, text).map(|f| (n.clone(), f)))
        .collect::<Result<_, _>>()?;
    let inst = instance(analysis)?;
    let model = &inst.model;
    let (set, k, seed, large) = check_shards(model, &read)?;
    let mut split = split_of(analysis, &format!("{set}:{k}"), seed)?;
    split.split_large(model, large);
    // Shards of the model's own partition say so.
    if super::model_spec(analysis).is_some_and(|(m, _)| m.set == set && m.k == k) {
        split.from = super::PartitionFrom::Model;
    }
    let mut plans: Vec<_> = read.into_iter().map(|(_, f)| f.plan).collect();
    plans.sort_by_key(|p| p.part);
    let (raw, scale) = super::finish(model, &split, &plans, opts, "merged shards", Instant::now());
    let verification = (!raw.values.is_empty()).then(|| {
        let v = crate::solve::verify::verify(model, &raw.values, &Default::default());
        VerificationReport {
            ok: v.is_ok(),
            max_row_violation: v.max_row_violation,
            violations: v.total(),
        }
    });
    let reason = format!(
        "merged shards — `{set}` split into {k} parts (seed {seed}), {} columns",
        model.num_columns()
    );
    let mut report = crate::report::build(name, inst, &raw, "milp", &reason, verification);
    if let Some(schema) = analysis.schema.as_ref() {
        crate::report::describe::describe(&mut report, schema, inst);
    }
    report.scale = Some(scale.clone());
    Ok(Merged { report, raw, scale })
}
