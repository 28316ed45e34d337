//! `archc emit FILE --mps OUT | --lp OUT | --ir`: hand the model to any solver.

use super::exit;
use archc::analysis::{analyze, AnalyzeOptions};
use std::path::Path;

pub fn run(
    file: &Path,
    mps: Option<&Path>,
    lp: Option<&Path>,
    ir: bool,
    max_file_size: Option<u64>,
) -> i32 {
    if mps.is_none() && lp.is_none() && !ir {
        eprintln!("error: say what to emit: --mps PATH, --lp PATH or --ir");
        return exit::USAGE;
    }
    let a = analyze(
        file,
        &AnalyzeOptions {
            instantiate: true,
            max_file_size,
            ..Default::default()
        },
    );
    super::print_diagnostics(&a);
    let Some(inst) = a.instance.as_ref().filter(|_| !a.has_errors()) else {
        return exit::MODEL_ERROR;
    };
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
