//! `archc solve --start FILE|current`: read the start (the JSON report of an earlier solve,
//! or the current state the model reads for `moves`/`changed`), check it against the model
//! ([`archc::solve::start::check`]) and say what was found, before the solve. The solve
//! then hands the checked plan to the solver as a MIP start.

use archc::diagnostics::Diagnostic;
use archc::ir::Model;
use archc::solve::start::{self, Checked};
use archc::solve::{SolveOptions, SolverKind};
use std::path::Path;

/// The word that asks for the current state instead of a file.
pub const CURRENT: &str = "current";

/// Read and check the start given to `--start`. Errors: a file that cannot be read or is
/// no report of this model (E0586 to E0589), `current` without a current state (E0742).
/// Warnings (E0740 infeasible, E0741 the solver takes none) come with the checked start.
pub fn read_and_check(
    given: &Path,
    model: &Model,
    opts: &SolveOptions,
    kind: SolverKind,
) -> Result<(Checked, Vec<Diagnostic>), Diagnostic> {
    let start = if given == Path::new(CURRENT) && !given.exists() {
        start::from_current(model)?
    } else {
        let name = given.display().to_string();
        let text = std::fs::read_to_string(given).map_err(|e| {
            Diagnostic::error(
                archc::diagnostics::Code::E0586,
                format!("cannot read the start `{name}`: {e}"),
            )
        })?;
        start::from_report(model, &name, &text)?
    };
    let pass = archc::backends::milp::takes_start(kind);
    let checked = start::check(model, &start, opts, pass);
    let warnings = checked.diagnostics(kind);
    Ok((checked, warnings))
}
