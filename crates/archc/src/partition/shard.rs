//! Shards: one part of a partitioned solve run as its own process (a Slurm array task, a
//! Kubernetes indexed Job), its plan written as JSON (`archc.shard/1`), and the files of all
//! parts merged later ([`super::finish`]). A shard file carries what the merge checks: the
//! split (set, k, seed), the part, and a fingerprint of the instantiated model, so that
//! plans of another model or other data are refused (E0732) rather than merged.

use super::merge::PartPlan;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::Model;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// The JSON schema name of a shard file.
pub const SCHEMA: &str = "archc.shard/1";

/// The plan of one part, as written by `archc solve --shard i/N`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardFile {
    pub schema: String,
    /// The model's name as given on the command line.
    pub model: String,
    /// [`fingerprint`] of the instantiated model.
    pub fingerprint: String,
    pub set: String,
    pub k: u32,
    pub seed: u64,
    /// The fraction of the items split into pieces (`--split-large`); absent when none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub split_large: f64,
    pub plan: PartPlan,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// A fingerprint of an instantiated model: its sizes and a hash of its element names,
/// bounds, sides, coefficients and objective. Two processes that instantiate the same model
/// over the same data get the same fingerprint.
pub fn fingerprint(model: &Model) -> String {
    let mut h = rustc_hash::FxHasher::default();
    model.elements.hash(&mut h);
    for c in &model.columns {
        c.lb.to_bits().hash(&mut h);
        c.ub.to_bits().hash(&mut h);
        (c.kind as u8).hash(&mut h);
    }
    for r in &model.rows {
        r.lo.to_bits().hash(&mut h);
        r.hi.to_bits().hash(&mut h);
    }
    for (c, v) in model.row_cols.iter().zip(&model.row_vals) {
        c.0.hash(&mut h);
        v.to_bits().hash(&mut h);
    }
    let (obj, k) = model.objective_dense();
    for v in obj {
        v.to_bits().hash(&mut h);
    }
    k.to_bits().hash(&mut h);
    format!(
        "{}c-{}r-{}nz-{:016x}",
        model.num_columns(),
        model.num_rows(),
        model.num_nonzeros(),
        h.finish()
    )
}

/// Parse `--shard i/N` (0 <= i < N). `i` may be `auto`: the index is then read from
/// `SLURM_ARRAY_TASK_ID` or `JOB_COMPLETION_INDEX` through `env`. E0731 otherwise.
pub fn parse_shard(
    text: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(u32, u32), Diagnostic> {
    let bad = |why: String| {
        Diagnostic::error(Code::E0731, format!("bad --shard `{text}`: {why}")).help(
            "write the part and the number of parts, counting from 0: `--shard 3/16`, or `--shard auto/16` in a Slurm array or a Kubernetes indexed Job",
        )
    };
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| bad("it needs `i/N`".into()))?;
    let n: u32 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| bad("N must be a whole number of parts, at least 1".into()))?;
    let i = match i.trim() {
        "auto" => {
            let (var, value) = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
                .iter()
                .find_map(|v| env(v).map(|x| (*v, x)))
                .ok_or_else(|| {
                    bad("`auto` reads the index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, and neither is set".into())
                })?;
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| bad(format!("{var} is `{value}`, not a whole number")))?
        }
        i => i
            .parse::<u32>()
            .map_err(|_| bad(format!("`{i}` is not a whole number")))?,
    };
    if i >= n {
        return Err(bad(format!(
            "the parts are numbered 0 to {}, so {i} is out of range",
            n - 1
        )));
    }
    Ok((i, n))
}

/// Read a shard file. E0580 when it is not JSON of [`SCHEMA`].
pub fn read_shard(name: &str, text: &str) -> Result<ShardFile, Diagnostic> {
    let file: ShardFile = serde_json::from_str(text).map_err(|e| {
        Diagnostic::error(
            Code::E0580,
            format!("`{name}` is not a shard plan written by `archc solve --shard`: {e}"),
        )
    })?;
    if file.schema != SCHEMA {
        return Err(Diagnostic::error(
            Code::E0580,
            format!(
                "`{name}` has schema `{}`, and archc merges `{SCHEMA}`",
                file.schema
            ),
        ));
    }
    Ok(file)
}

/// Check that `files` (with their names) are the parts `0..k` of one split of `model`,
/// once each. E0732 names the first mismatch. Returns (set, k, seed, split_large).
pub fn check_shards(
    model: &Model,
    files: &[(String, ShardFile)],
) -> Result<(String, u32, u64, f64), Diagnostic> {
    let mismatch = |msg: String| {
        Diagnostic::error(Code::E0732, msg)
            .help("merge the files of one run: the same model, data, `--partition` and `--seed`, parts 0 to N-1 once each")
    };
    let Some((first_name, first)) = files.first() else {
        return Err(mismatch("no shard files to merge".into()));
    };
    let expected = fingerprint(model);
    let mut seen = vec![None::<&str>; first.k as usize];
    for (name, f) in files {
        if f.fingerprint != expected {
            return Err(mismatch(format!(
                "`{name}` is a plan of another model or other data (fingerprint {}, this model's is {expected})",
                f.fingerprint
            )));
        }
        if (f.set.as_str(), f.k, f.seed) != (first.set.as_str(), first.k, first.seed) {
            return Err(mismatch(format!(
                "`{name}` splits `{}` into {} parts with seed {}, and `{first_name}` splits `{}` into {} parts with seed {}",
                f.set, f.k, f.seed, first.set, first.k, first.seed
            )));
        }
        if f.split_large != first.split_large {
            return Err(mismatch(format!(
                "`{name}` splits {} % of the items into pieces, and `{first_name}` {} %",
                f.split_large * 100.0,
                first.split_large * 100.0
            )));
        }
        let p = f.plan.part as usize;
        match seen.get(p) {
            None => {
                return Err(mismatch(format!(
                    "`{name}` holds part {p}, and the split has parts 0 to {}",
                    first.k - 1
                )))
            }
            Some(Some(other)) => {
                return Err(mismatch(format!(
                    "`{name}` and `{other}` both hold part {p}"
                )))
            }
            Some(None) => seen[p] = Some(name),
        }
    }
    if let Some(missing) = seen.iter().position(|s| s.is_none()) {
        return Err(mismatch(format!(
            "part {missing} of {} is missing",
            first.k
        )));
    }
    Ok((first.set.clone(), first.k, first.seed, first.split_large))
}
