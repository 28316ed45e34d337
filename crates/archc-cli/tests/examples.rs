//! Every model under `examples/` checks clean, solves on every enabled MILP backend to the
//! same verified optimum, and its result matches a snapshot.
//!
//! Examples are found by walking `examples/`; scale cases (listed in [`SCALE_CASES`]) are
//! solved only when the `highs` feature is enabled. Snapshots hold what does not depend on
//! the solver: the model's size and the optimal objective, rounded. Decision values are left
//! out because most examples have alternative optima (any split of a flow between paths of
//! equal cost, any permutation of identical shards), which different solvers pick differently.

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::diagnostics::render::render_plain;
use archc::driver::analyze;
use archc::plan::{Backend, BackendChoice};
use archc::report::{self, Report};
use archc::solve::{solve_model, SolveOptions, SolverKind, Status};
use std::path::{Path, PathBuf};

/// Examples too large for the default pure-Rust solver (relative to `examples/`).
const SCALE_CASES: &[&str] = &["routing/uscarrier/uscarrier.arch"];

/// Plans solved by DP are also solved through their MILP lowering when it has at most this
/// many columns. Larger lowerings can take the default solver many minutes (the lowering of
/// `planning/racks.arch` has 366 columns); DP = MILP on large plans is tested in `plans.rs`.
const MAX_LOWERED_COLUMNS: usize = 100;

/// Relative tolerance between the optima found by different backends.
const REL_TOL: f64 = 1e-6;

fn examples_dir() -> PathBuf {
    archc_root().join("examples")
}

/// Every `.arch` file under `dir`, sorted, as paths relative to `examples/`.
fn walk(dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "arch") {
            let rel = p
                .strip_prefix(examples_dir())
                .expect("under examples/")
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
}

fn all_examples() -> Vec<String> {
    let mut v = Vec::new();
    walk(&examples_dir(), &mut v);
    v
}

/// Analyse an example for a backend (plans only; `Auto` otherwise).
fn analyse(rel: &str, backend: BackendChoice) -> Analysis {
    analyze(
        &examples_dir().join(rel),
        &AnalyzeOptions {
            instantiate: true,
            backend,
            ..Default::default()
        },
    )
}

/// Analyse an example and fail with every diagnostic rendered if it does not check clean.
fn analyse_clean(rel: &str) -> Analysis {
    let a = analyse(rel, BackendChoice::Auto);
    let rendered: Vec<String> = a
        .diagnostics
        .iter()
        .map(|d| render_plain(d, &a.sources, 100))
        .collect();
    assert!(
        a.diagnostics.is_empty(),
        "{rel} does not check clean:\n{}",
        rendered.join("\n")
    );
    assert!(a.instance.is_some(), "{rel}: no instance was built");
    a
}

/// Solve with one backend and its default options (as `archc solve` does); the answer must
/// be optimal and verified. HiGHS's own default (stop at a relative gap of 1e-4) is not
/// used: archc asks it for gap 0, so every backend reaches the same optimum.
fn solve_with(rel: &str, a: &Analysis, kind: SolverKind) -> (f64, Report) {
    let inst = a.instance.as_ref().expect("instance");
    let opts = SolveOptions {
        solver: Some(kind),
        ..Default::default()
    };
    let solved = solve_model(&inst.model, &opts).unwrap_or_else(|d| {
        panic!(
            "{rel} with {}: {}",
            kind.name(),
            render_plain(&d, &a.sources, 100)
        )
    });
    assert_eq!(
        solved.raw.status,
        Status::Optimal,
        "{rel} with {}: {}",
        kind.name(),
        solved.raw.message
    );
    assert!(
        solved.verified(),
        "{rel} with {}: not verified",
        kind.name()
    );
    let verification = solved
        .verification
        .as_ref()
        .map(|v| report::VerificationReport {
            ok: v.is_ok(),
            max_row_violation: v.max_row_violation,
            violations: v.total(),
        });
    let r = report::build(
        rel,
        inst,
        &solved.raw,
        solved.backend,
        &solved.reason,
        verification,
    );
    (solved.raw.objective, r)
}

/// `x` rounded to 6 significant digits, printed without trailing noise.
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = 6 - 1 - x.abs().log10().floor() as i32;
    if digits > 0 {
        let s = format!("{x:.*}", digits as usize);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        let scale = 10f64.powi(-digits);
        format!("{}", (x / scale).round() * scale)
    }
}

/// The part of a report that does not depend on the solver.
fn summary(rel: &str, r: &Report) -> String {
    let mut s = format!("model: {rel}\n");
    s += &format!(
        "size: {} columns, {} rows, {} nonzeros\n",
        r.size.columns, r.size.rows, r.size.nonzeros
    );
    let decisions: Vec<String> = r
        .decisions
        .iter()
        .map(|d| format!("{}[{}] ({})", d.name, d.count, d.unit))
        .collect();
    s += &format!("decisions: {}\n", decisions.join(", "));
    let constraints: Vec<String> = r
        .constraints
        .iter()
        .map(|c| format!("{}[{}]", c.name, c.rows.len()))
        .collect();
    s += &format!("constraints: {}\n", constraints.join(", "));
    match &r.objective {
        Some(o) => {
            s += &format!(
                "objective: {:?} {} = {} {}\n",
                o.sense,
                o.name,
                significant(o.value),
                o.unit
            );
        }
        None => s += "objective: none\n",
    }
    s
}

/// The summary of plans solved by DP: why DP, the optimum, and the cost of each plan (the
/// plans are independent, so each one's optimal cost is unique).
fn dp_summary(rel: &str, reason: &str, r: &Report) -> String {
    let mut s = format!("model: {rel}\nbackend: {reason}\n");
    if let Some(o) = &r.objective {
        s += &format!(
            "objective: {} = {} {}\n",
            o.name,
            significant(o.value),
            o.unit
        );
        for t in &o.terms {
            s += &format!("  {}: {}\n", t.label, significant(t.value));
        }
    }
    s
}

fn snapshot_name(rel: &str) -> String {
    rel.trim_end_matches(".arch").replace('/', "__")
}

/// Solve on every enabled MILP solver; all must agree. Returns the objective and the report
/// of the first solver.
fn solve_everywhere(rel: &str, a: &Analysis) -> (f64, Report) {
    let solvers = SolverKind::enabled();
    assert!(!solvers.is_empty(), "no solver is enabled");
    let mut first: Option<(SolverKind, f64, Report)> = None;
    for &kind in &solvers {
        let (obj, r) = solve_with(rel, a, kind);
        match &first {
            None => first = Some((kind, obj, r)),
            Some((k0, o0, _)) => assert!(
                close(obj, *o0),
                "{rel}: {} finds {obj}, {} finds {o0}",
                kind.name(),
                k0.name()
            ),
        }
    }
    let (_, obj, r) = first.expect("one solve");
    (obj, r)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL_TOL * a.abs().max(b.abs()).max(1.0)
}

fn check_example(rel: &str) {
    let mut a = analyse_clean(rel);
    if a.backend != Some(Backend::Dp) {
        let (_, r) = solve_everywhere(rel, &a);
        insta::assert_snapshot!(snapshot_name(rel), summary(rel, &r));
        return;
    }
    // Plans solved by dynamic programming (the answer is replayed and verified by
    // `solve_dp`); when the plans are linear, their MILP lowering must agree.
    let (Some(schema), Some(hir), Some(inst)) =
        (a.schema.as_ref(), a.hir.as_ref(), a.instance.as_mut())
    else {
        panic!("{rel}: no schema, HIR or instance");
    };
    let outcome = archc::plan::solve_dp(schema, hir, &mut a.sources, inst)
        .unwrap_or_else(|d| panic!("{rel} with dp: {}", d.message));
    let r = report::build_dp(rel, &outcome, &a.backend_reason);
    let lowered = analyse(rel, BackendChoice::Milp);
    let small = lowered
        .instance
        .as_ref()
        .is_some_and(|i| i.model.num_columns() <= MAX_LOWERED_COLUMNS);
    if !lowered.has_errors() && small {
        let (obj, _) = solve_everywhere(rel, &lowered);
        assert!(
            close(obj, outcome.cost),
            "{rel}: dp finds {}, the MILP lowering {obj}",
            outcome.cost
        );
    }
    insta::assert_snapshot!(snapshot_name(rel), dp_summary(rel, &a.backend_reason, &r));
}

#[test]
fn the_examples_are_found() {
    let all = all_examples();
    for want in [
        "placement/global.arch",
        "routing/abilene.arch",
        "routing/geant/geant.arch",
        "capacity/buildout.arch",
        "capacity/forecast.arch",
        "shards/shards.arch",
        "planning/racks.arch",
        "routing/uscarrier/uscarrier.arch",
    ] {
        assert!(all.iter().any(|e| e == want), "{want} not found in {all:?}");
    }
    for scale in SCALE_CASES {
        assert!(all.iter().any(|e| e == scale), "scale case {scale} is gone");
    }
}

#[test]
fn every_example_checks_solves_and_matches_its_snapshot() {
    for rel in all_examples() {
        if SCALE_CASES.contains(&rel.as_str()) {
            continue;
        }
        check_example(&rel);
    }
}

/// The scale cases need HiGHS.
#[cfg(feature = "highs")]
#[test]
fn scale_cases_solve_with_highs() {
    for rel in SCALE_CASES {
        let a = analyse_clean(rel);
        let (_, r) = solve_with(rel, &a, SolverKind::Highs);
        insta::assert_snapshot!(snapshot_name(rel), summary(rel, &r));
    }
}

#[test]
fn significant_digits() {
    assert_eq!(significant(0.49615343749999996), "0.496153");
    assert_eq!(significant(59_938_000.0), "59938000");
    assert_eq!(significant(1_040_444.375), "1040440");
    assert_eq!(significant(96_800.0), "96800");
    assert_eq!(significant(24_341.783189999976), "24341.8");
    assert_eq!(significant(0.0), "0");
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}
