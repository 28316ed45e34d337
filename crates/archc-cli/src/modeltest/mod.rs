//! `archc test`: run the `test` blocks of models and compare each model's solution with a
//! snapshot file stored beside it (`NAME.solution.txt`), like a test runner: one line per
//! model, a summary `N passed, N failed`, exit code 1 on any failure. Decision values are
//! compared only where the plan is unique: after the solve, a search for other plans of the
//! same cost ([`archc::solve::alternatives`], ties only) decides it (see [`snapshot`]).

pub mod snapshot;

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::driver::analyze;
use archc::plan::Backend;
use archc::solve::{SolveOptions, Status};
use archc::syntax::ast::{self, CmpOp, ExpectKind, ItemKind};
use std::path::{Path, PathBuf};

/// The outcome of one model.
#[derive(Debug)]
pub struct ModelResult {
    pub path: PathBuf,
    pub passed: bool,
    pub expectations: usize,
    /// Lines explaining failures (and snapshot diffs).
    pub messages: Vec<String>,
    pub snapshot: SnapshotState,
    /// The report of the solve, when the model solved.
    pub report: Option<archc::report::Report>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SnapshotState {
    Matches,
    Written,
    Differs,
    Missing,
}

/// Find models under the paths: `.arch` files with an objective, a plan or a test block.
/// Directories are walked as [`crate::inputs::walk`] does (`.gitignore` respected, symbolic
/// links not followed); files given by name are taken when they are models.
pub fn discover(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for p in roots {
        let files = if p.is_dir() {
            crate::inputs::walk(&p)
        } else {
            vec![p]
        };
        out.extend(
            files
                .into_iter()
                .filter(|f| f.extension().and_then(|e| e.to_str()) == Some("arch") && is_model(f)),
        );
    }
    out.sort();
    out.dedup();
    out
}

fn is_model(p: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(p) else {
        return false;
    };
    let (file, _) = archc::syntax::parse_file(archc::span::FileId(0), &text);
    file.items.iter().any(|i| {
        matches!(
            i.kind,
            ItemKind::Objective(_) | ItemKind::Plan(_) | ItemKind::Test(_)
        )
    })
}

fn location(a: &Analysis, span: archc::span::Span) -> String {
    let f = a.sources.get(span.file);
    let (l, c) = archc::span::line_col(&f.text, span.start as usize);
    format!("{}:{l}:{c}", f.name)
}

/// Solve a model, check its expectations and its snapshot.
pub fn run_model(path: &Path, update: bool) -> ModelResult {
    run_model_with(path, update, None)
}

/// [`run_model`] with the MILP solver `solver` (the default solver when `None`).
pub fn run_model_with(
    path: &Path,
    update: bool,
    solver: Option<archc::solve::SolverKind>,
) -> ModelResult {
    let mut result = ModelResult {
        path: path.to_path_buf(),
        passed: true,
        expectations: 0,
        messages: Vec::new(),
        snapshot: SnapshotState::Missing,
        report: None,
    };
    let mut a = analyze(
        path,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    if a.has_errors() || a.instance.is_none() {
        result.passed = false;
        let n = a.diagnostics.iter().filter(|d| d.is_error()).count();
        result.messages.push(format!("the model has {n} error(s):"));
        for d in a.diagnostics.iter().filter(|d| d.is_error()) {
            let at = d
                .primary_span()
                .map(|s| location(&a, s))
                .unwrap_or_default();
            result
                .messages
                .push(format!("  {} {} ({at})", d.code, d.message));
        }
        return result;
    }
    let solved = solve(&mut a, solver);
    let (status, objective, text) = match solved {
        Ok((status, objective, text, report)) => {
            result.report = report;
            (status, objective, text)
        }
        Err(msg) => {
            result.passed = false;
            result.messages.push(msg);
            return result;
        }
    };
    let tests: Vec<ast::TestDecl> = a
        .schema
        .as_ref()
        .map(|s| s.tests.clone())
        .unwrap_or_default();
    for (ti, t) in tests.iter().enumerate() {
        for (ei, e) in t.expects.iter().enumerate() {
            result.expectations += 1;
            if let Err(msg) = check_expect(&mut a, (ti, ei), e, status, objective) {
                result.passed = false;
                let name = t
                    .name
                    .as_ref()
                    .map(|n| format!("test {}: ", n.name))
                    .unwrap_or_default();
                result
                    .messages
                    .push(format!("{name}{msg} ({})", location(&a, e.span)));
            }
        }
    }
    let snap_path = snapshot::path_for(path);
    if update {
        match crate::output::write_atomic(&snap_path, |w| w.write_all(text.as_bytes())) {
            Ok(()) => result.snapshot = SnapshotState::Written,
            Err(e) => {
                result.passed = false;
                result.messages.push(e.to_string());
            }
        }
    } else {
        match std::fs::read_to_string(&snap_path) {
            Ok(old) if snapshot::compared_part(&old) == snapshot::compared_part(&text) => {
                result.snapshot = SnapshotState::Matches
            }
            Ok(old) => {
                result.passed = false;
                result.snapshot = SnapshotState::Differs;
                result.messages.push(format!(
                    "the solution differs from {} (- stored, + now):",
                    snap_path.display()
                ));
                result.messages.extend(snapshot::diff(
                    snapshot::compared_part(&old),
                    snapshot::compared_part(&text),
                ));
                result
                    .messages
                    .push("run `archc test --update` to accept the new solution".into());
            }
            Err(_) => {
                result.passed = false;
                result.messages.push(format!(
                    "no snapshot {}; run `archc test --update` to write it",
                    snap_path.display()
                ));
            }
        }
    }
    result
}

/// What a solve gives a model test: status, objective in its unit, snapshot text, and the
/// report (none for a plan without a feasible policy).
type Solve = (Status, Option<f64>, String, Option<archc::report::Report>);

/// Solve with the chosen backend on the one solve path.
fn solve(a: &mut Analysis, solver: Option<archc::solve::SolverKind>) -> Result<Solve, String> {
    let name = a.sources.name(archc::span::FileId(0)).to_string();
    // Solver libraries print on fd 1, where the test lines go.
    let quiet = crate::stdio::StdoutRedirect::begin(crate::stdio::Target::Null).ok();
    let options = SolveOptions {
        solver,
        ..SolveOptions::default()
    };
    let solved = archc::driver::solve(a, &options);
    drop(quiet);
    let solved = solved.map_err(|d| format!("{} {}", d.code, d.message))?;
    if solved.backend == Backend::Dp && solved.status == Status::Infeasible {
        return Ok((
            Status::Infeasible,
            None,
            "status: infeasible\n".into(),
            None,
        ));
    }
    let report = archc::driver::report(a, &name, &solved).ok_or("no instance")?;
    let objective = report.objective.as_ref().map(|o| o.value);
    let unique = uniqueness(a, &solved, &options)?;
    Ok((
        solved.status,
        objective,
        snapshot::render(&report, &unique),
        Some(report),
    ))
}

/// At most this many other plans of the same cost are looked for: enough to say that a plan
/// is not unique and how many ties a small model has, without enumerating a large one.
pub const MAX_TIES: usize = 3;

/// Whether the plan of `solved` is the only one of its cost: the model's own request
/// ([`snapshot::COMPARE_VALUES`]), else a search for up to [`MAX_TIES`] other plans within
/// the numerical tolerance of its objective, on the one solve path with the same solver.
fn uniqueness(
    a: &Analysis,
    solved: &archc::solve::Solved,
    options: &SolveOptions,
) -> Result<snapshot::Uniqueness, String> {
    use archc::solve::alternatives as alt;
    use snapshot::Uniqueness;
    let asks = a
        .sources
        .text(archc::span::FileId(0))
        .lines()
        .any(|l| l.trim() == snapshot::COMPARE_VALUES);
    if asks {
        return Ok(Uniqueness::CompareAll);
    }
    let Some(inst) = a.instance.as_ref() else {
        return Ok(Uniqueness::NotApplicable);
    };
    if solved.backend == Backend::Dp || solved.values().is_empty() {
        return Ok(Uniqueness::NotApplicable);
    }
    if let Err(d) = alt::check_model(&inst.model) {
        return Ok(match d.code {
            archc::diagnostics::Code::E0745 => Uniqueness::Continuous,
            _ => Uniqueness::Unknown(d.message),
        });
    }
    let quiet = crate::stdio::StdoutRedirect::begin(crate::stdio::Target::Null).ok();
    let found = alt::enumerate(
        inst,
        options,
        solved.values(),
        alt::AltOptions {
            count: MAX_TIES + 1,
            tolerance: archc::ir::Tolerance::default(),
        },
        archc::solve::solve_model,
    );
    drop(quiet);
    let found = found.map_err(|d| format!("{} {}", d.code, d.message))?;
    Ok(match (found.plans.len(), &found.search.ended) {
        (0, alt::Ended::NoPlan(why)) => Uniqueness::Unknown(why.clone()),
        (0, _) => Uniqueness::Unique,
        (n, ended) => Uniqueness::NotUnique {
            found: n,
            capped: *ended == alt::Ended::Count,
        },
    })
}

/// Check expectation `e`, number `at.1` of test number `at.0` (its HIR is found by the
/// same numbers).
fn check_expect(
    a: &mut Analysis,
    at: (usize, usize),
    e: &ast::Expect,
    status: Status,
    objective: Option<f64>,
) -> Result<(), String> {
    let feasible = matches!(status, Status::Optimal | Status::Feasible);
    match &e.kind {
        ExpectKind::Feasible if feasible => Ok(()),
        ExpectKind::Feasible => Err(format!(
            "expected a feasible model, the solve says {status:?}"
        )),
        ExpectKind::Infeasible if status == Status::Infeasible => Ok(()),
        ExpectKind::Infeasible => Err(format!(
            "expected an infeasible model, the solve says {status:?}"
        )),
        ExpectKind::Objective(_) => {
            let Some(v) = objective else {
                return Err(
                    "expected an objective value, the model has none (or no solution)".into(),
                );
            };
            let scale = a
                .schema
                .as_ref()
                .and_then(|s| {
                    s.objectives
                        .first()
                        .map(|o| o.unit.scale)
                        .or_else(|| s.plans.first().map(|p| p.cost_unit.scale))
                })
                .unwrap_or(1.0);
            let (schema, hir, sources, inst) = checked(a)?;
            let bounds = archc::instantiate::expect::objective_bounds(
                schema, hir, sources, inst, at.0, at.1,
            )
            .map_err(|d| format!("{} {}", d.code, d.message))?;
            for (op, bound) in bounds {
                let bound = bound / if scale > 0.0 { scale } else { 1.0 };
                let tol = 1e-6 * bound.abs().max(1.0);
                let ok = match op {
                    CmpOp::Le => v <= bound + tol,
                    CmpOp::Lt => v < bound,
                    CmpOp::Ge => v >= bound - tol,
                    CmpOp::Gt => v > bound,
                    CmpOp::Eq => (v - bound).abs() <= tol,
                    CmpOp::Ne => (v - bound).abs() > tol,
                    _ => true,
                };
                if !ok {
                    return Err(format!(
                        "expected objective {} {}, it is {}",
                        op.symbol(),
                        archc::units::format_number(bound),
                        archc::units::format_number(v)
                    ));
                }
            }
            Ok(())
        }
        ExpectKind::Holds(x) => {
            if !feasible || a.last_values.is_empty() {
                return Err(
                    "expected a condition on the solution, but there is no solution".into(),
                );
            }
            let values = a.last_values.clone();
            let (schema, hir, sources, inst) = checked(a)?;
            let holds =
                archc::instantiate::expect::holds(schema, hir, sources, inst, &values, at.0, at.1);
            match holds {
                Ok(true) => Ok(()),
                Ok(false) => Err(format!(
                    "expected `{}` to hold",
                    a.sources
                        .text(x.span.file)
                        .get(x.span.range())
                        .unwrap_or("")
                        .trim()
                )),
                Err(d) => Err(format!("{} {}", d.code, d.message)),
            }
        }
        ExpectKind::Binding(x) => {
            let text = a
                .sources
                .text(x.span.file)
                .get(x.span.range())
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let Some(inst) = a.instance.as_ref() else {
                return Err("no instance".into());
            };
            let model = &inst.model;
            let values = &a.last_values;
            let want = text.replace(' ', "");
            let mut found = false;
            for i in 0..model.num_rows() {
                let row = model.rows[i];
                if model.row_name(archc::ir::RowId(i as u32)).replace(' ', "") != want {
                    continue;
                }
                found = true;
                let act: f64 = model
                    .row_entries(archc::ir::RowId(i as u32))
                    .map(|(c, v)| v * values.get(c.0 as usize).copied().unwrap_or(0.0))
                    .sum();
                let tol = |b: f64| 1e-6 * b.abs().max(1.0);
                if (row.hi.is_finite() && (row.hi - act).abs() <= tol(row.hi))
                    || (row.lo.is_finite() && (act - row.lo).abs() <= tol(row.lo))
                {
                    return Ok(());
                }
            }
            if found {
                Err(format!("expected `{text}` to be binding, it has slack"))
            } else {
                Err(format!("no constraint instance `{text}`"))
            }
        }
    }
}

/// The checked model, its HIR, the sources and the instance an expectation is evaluated on.
fn checked(
    a: &mut Analysis,
) -> Result<
    (
        &archc::check::Schema,
        &archc::hir::Model,
        &mut archc::source::SourceMap,
        &mut archc::instantiate::Instance,
    ),
    String,
> {
    match (a.schema.as_ref(), a.hir.as_ref(), a.instance.as_mut()) {
        (Some(schema), Some(hir), Some(inst)) => Ok((schema, hir, &mut a.sources, inst)),
        _ => Err("no instance".into()),
    }
}

/// `archc test PATHS [--update]`.
pub fn run_cli(paths: &[PathBuf], update: bool, solver: Option<archc::solve::SolverKind>) -> i32 {
    if paths.is_empty() {
        eprintln!("error: no paths given (usage: archc test PATH...)");
        return crate::exit::USAGE;
    }
    let mut missing = false;
    for p in paths {
        if let Err(e) = std::fs::metadata(p) {
            crate::inputs::report_unreadable(p, &e);
            missing = true;
        }
    }
    if missing {
        return crate::exit::MODEL_ERROR;
    }
    let models = discover(paths);
    let mut out = String::new();
    if models.is_empty() {
        eprintln!(
            "no models found (a model is an .arch file with an objective, a plan or a test block)"
        );
        return match crate::output::write_stdout("0 passed, 0 failed\n") {
            Ok(()) => crate::exit::OK,
            Err(c) => c,
        };
    }
    let (mut passed, mut failed) = (0, 0);
    for m in &models {
        let r = run_model_with(m, update, solver);
        let snap = match r.snapshot {
            SnapshotState::Matches => "snapshot matches",
            SnapshotState::Written => "snapshot written",
            SnapshotState::Differs => "snapshot differs",
            SnapshotState::Missing => "no snapshot",
        };
        let verdict = if r.passed { "ok  " } else { "FAIL" };
        if r.passed {
            passed += 1;
        } else {
            failed += 1;
        }
        out.push_str(&format!(
            "{verdict} {} ({} expectations, {snap})\n",
            m.display(),
            r.expectations
        ));
        if !r.passed {
            for msg in &r.messages {
                out.push_str(&format!("     {msg}\n"));
            }
        }
        // One model at a time, so that a long run shows where it is.
        if let Err(c) = crate::output::write_stdout(&std::mem::take(&mut out)) {
            return c;
        }
    }
    if let Err(c) = crate::output::write_stdout(&format!("{passed} passed, {failed} failed\n")) {
        return c;
    }
    if failed > 0 {
        crate::exit::MODEL_ERROR
    } else {
        crate::exit::OK
    }
}
