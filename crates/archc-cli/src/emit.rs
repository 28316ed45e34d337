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
use archc::solve::SolverKind;
use std::path::Path;

/// What `emit` writes.
pub struct Targets<'a> {
    pub mps: Option<&'a Path>,
    pub lp: Option<&'a Path>,
    pub ir: bool,
    /// `--stage NAME|K`: the stage of a solve with ranked objectives.
    pub stage: Option<&'a str>,
    /// The solver of the earlier stages.
    pub solver: Option<SolverKind>,
}

pub fn run(
    file: &Path,
    targets: &Targets<'_>,
    force: bool,
    limits: &LimitArgs,
    model: &crate::model_args::ModelArgs,
) -> i32 {
    let Targets { mps, lp, ir, .. } = *targets;
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
    let staged = match stage_model(&inst.model, targets) {
        Ok(m) => m,
        Err(d) => {
            eprint!(
                "{}",
                archc::diagnostics::render::render_plain(&d, &a.sources, super::width())
            );
            return match d.code {
                archc::diagnostics::Code::E0747 => exit::USAGE,
                archc::diagnostics::Code::E0702 => exit::VERIFICATION,
                _ => exit::SOLVER_ERROR,
            };
        }
    };
    let model_out = staged.as_ref().unwrap_or(&inst.model);
    let inputs = inputs_of(&a.sources);
    for p in [mps, lp].into_iter().flatten() {
        if let Err(e) = check_writable(p, &inputs, force) {
            eprintln!("error: {e}");
            return exit::IO;
        }
    }
    if let Some(p) = mps {
        let written = write_atomic(p, |w| {
            archc::backends::milp::write_mps_pipelined(model_out, w)
        });
        if let Err(e) = written {
            eprintln!("error: {e}");
            return exit::IO;
        }
    }
    if let Some(p) = lp {
        let written = write_atomic(p, |mut w| {
            archc::backends::milp::write_lp(model_out, &mut w)
        });
        if let Err(e) = written {
            eprintln!("error: {e}");
            return exit::IO;
        }
    }
    if ir {
        if let Err(code) = write_stdout(&archc::ir::dump::dump(model_out)) {
            return code;
        }
    }
    exit::OK
}

/// The model of the stage `--stage` names, or `None` for the model as it is. Without
/// `--stage`, a model with ranked objectives is written with its first objective, and stderr
/// says how to write the others.
fn stage_model(
    model: &archc::ir::Model,
    targets: &Targets<'_>,
) -> Result<Option<archc::ir::Model>, archc::diagnostics::Diagnostic> {
    use archc::diagnostics::{Code, Diagnostic};
    use archc::solve::lexicographic::{ranked_objectives, stage_model};
    let objectives = ranked_objectives(model);
    let names: Vec<String> = objectives.iter().map(|o| format!("`{}`", o.name)).collect();
    let Some(wanted) = targets.stage else {
        if objectives.len() > 1 && (targets.mps.is_some() || targets.lp.is_some()) {
            eprintln!(
                "note: the model ranks {} objectives ({}); the file holds the first alone. \
                 `--stage NAME` writes a later one, with the earlier objectives solved and kept \
                 within their tolerance as rows",
                objectives.len(),
                names.join(", ")
            );
        }
        return Ok(None);
    };
    let k = match wanted.trim().parse::<usize>() {
        Ok(k) if (1..=objectives.len()).contains(&k) => k - 1,
        _ => objectives
            .iter()
            .position(|o| o.name == wanted.trim())
            .ok_or_else(|| {
                Diagnostic::error(
                    Code::E0747,
                    format!(
                        "`--stage {wanted}` names no objective: the model's objectives in priority order are {}",
                        names.join(", ")
                    ),
                )
                .help(format!(
                    "give an objective's name or its rank from 1 to {}",
                    objectives.len()
                ))
            })?,
    };
    let opts = archc::solve::SolveOptions {
        solver: targets.solver,
        ..Default::default()
    };
    let (staged, stages) = stage_model(model, k, &opts, archc::solve::solve_model)?;
    for (i, s) in stages.iter().enumerate() {
        eprintln!(
            "stage {} `{}`: {} = {}{}, kept within {}",
            i + 1,
            s.objective,
            s.objective,
            archc::units::format_number(s.optimum),
            if s.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", s.unit)
            },
            s.limit
                .map(archc::units::format_number)
                .unwrap_or_else(|| "-".into())
        );
    }
    Ok(Some(staged))
}
