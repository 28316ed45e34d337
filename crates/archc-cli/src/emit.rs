//! `archc emit FILE --mps OUT | --lp OUT | --ir`: hand the model to any solver.
//!
//! The files are always a MILP: `plan` blocks are lowered to MILP for them (as
//! `--backend milp` does), whatever backend `solve` would pick. A plan that cannot be
//! lowered is reported with the error that says why, and nothing is written.

use super::{exit, LimitArgs};
use archc::analysis::{analyze, AnalyzeOptions, Backend, BackendChoice};
use std::path::Path;

pub fn run(
    file: &Path,
    mps: Option<&Path>,
    lp: Option<&Path>,
    ir: bool,
    limits: &LimitArgs,
) -> i32 {
    if mps.is_none() && lp.is_none() && !ir {
        eprintln!("error: say what to emit: --mps PATH, --lp PATH or --ir");
        return exit::USAGE;
    }
    let a = analyze(
        file,
        &AnalyzeOptions {
            instantiate: true,
            limits: Some(limits.limits()),
            max_file_size: limits.max_file_size,
            backend: BackendChoice::Milp,
            ..Default::default()
        },
    );
    super::print_diagnostics(&a);
    let Some(inst) = a.instance.as_ref().filter(|_| !a.has_errors()) else {
        return exit::MODEL_ERROR;
    };
    if a.backend != Some(Backend::Milp) {
        // Only a MILP instance has its whole model in columns and rows.
        eprintln!("error: the model could not be lowered to MILP, so there is nothing to emit");
        return exit::MODEL_ERROR;
    }
    if let Some(p) = mps {
        if let Err(e) = archc::backends::milp::write_mps_to_path(&inst.model, p) {
            eprintln!("error: cannot write {}: {e}", p.display());
            return exit::IO;
        }
    }
    if let Some(p) = lp {
        if let Err(e) = archc::backends::milp::write_lp_to_path(&inst.model, p) {
            eprintln!("error: cannot write {}: {e}", p.display());
            return exit::IO;
        }
    }
    if ir {
        print!("{}", archc::ir::dump::dump(&inst.model));
    }
    exit::OK
}
