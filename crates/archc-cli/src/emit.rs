//! `archc emit FILE --mps OUT | --lp OUT | --ir`: hand the model to any solver.
//!
//! The files are always a MILP: `plan` blocks are lowered to MILP for them (as
//! `--backend milp` does), whatever backend `solve` would pick. A plan that cannot be
//! lowered is reported with the error that says why, and nothing is written. Files are
//! written atomically ([`crate::output::write_atomic`]) and never over an input of the model
//! unless `--force`.

use super::{exit, LimitArgs};
use crate::inputs::{analyze_input, input_of};
use crate::output::{check_writable, inputs_of, write_atomic, write_stdout};
use archc::analysis::{AnalyzeOptions, Backend, BackendChoice};
use std::path::Path;

pub fn run(
    file: &Path,
    mps: Option<&Path>,
    lp: Option<&Path>,
    ir: bool,
    force: bool,
    limits: &LimitArgs,
    model: &crate::model_args::ModelArgs,
) -> i32 {
    if mps.is_none() && lp.is_none() && !ir {
        eprintln!("error: say what to emit: --mps PATH, --lp PATH or --ir");
        return exit::USAGE;
    }
    let a = match analyze_input(
        &input_of(file),
        &model.apply(AnalyzeOptions {
            instantiate: true,
            limits: Some(limits.limits()),
            max_file_size: limits.max_file_size,
            backend: BackendChoice::Milp,
            ..Default::default()
        }),
    ) {
        Ok(a) => a,
        Err(code) => return code,
    };
    super::print_diagnostics(&a);
    let Some(inst) = a.instance.as_ref().filter(|_| !a.has_errors()) else {
        return exit::MODEL_ERROR;
    };
    if a.backend != Some(Backend::Milp) {
        // Only a MILP instance has its whole model in columns and rows.
        eprintln!("error: the model could not be lowered to MILP, so there is nothing to emit");
        return exit::MODEL_ERROR;
    }
    let inputs = inputs_of(&a.sources);
    for p in [mps, lp].into_iter().flatten() {
        if let Err(e) = check_writable(p, &inputs, force) {
            eprintln!("error: {e}");
            return exit::IO;
        }
    }
    if let Some(p) = mps {
        let written = write_atomic(p, |mut w| {
            archc::backends::milp::write_mps(&inst.model, &mut w)
        });
        if let Err(e) = written {
            eprintln!("error: {e}");
            return exit::IO;
        }
    }
    if let Some(p) = lp {
        let written = write_atomic(p, |mut w| {
            archc::backends::milp::write_lp(&inst.model, &mut w)
        });
        if let Err(e) = written {
            eprintln!("error: {e}");
            return exit::IO;
        }
    }
    if ir {
        if let Err(code) = write_stdout(&archc::ir::dump::dump(&inst.model)) {
            return code;
        }
    }
    exit::OK
}
