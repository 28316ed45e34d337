//! The models shown in `docs/` (kept in `docs/examples/`) stay true: each checks and
//! expands clean, each mistake in `errors/` gives the code its first line names, the
//! tutorial's first draft gives its unit error, and the planning tutorial's models solve to
//! the costs the page prints.

use archc::analysis::{AnalyzeOptions, Backend};
use archc::driver::analyze;
use archc::solve::{solve_model, SolveOptions};
use std::path::{Path, PathBuf};

fn docs_examples() -> PathBuf {
    archc_root().join("docs/examples")
}

fn arch_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read docs/examples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            arch_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "arch") {
            out.push(p);
        }
    }
}

fn analysis(path: &Path) -> archc::analysis::Analysis {
    analyze(
        path,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    )
}

fn codes(a: &archc::analysis::Analysis) -> Vec<String> {
    a.diagnostics
        .iter()
        .filter(|d| d.severity == archc::diagnostics::Severity::Error)
        .map(|d| d.code.to_string())
        .collect()
}

#[test]
fn every_docs_model_checks_or_gives_its_code() {
    let mut files = Vec::new();
    arch_files(&docs_examples(), &mut files);
    assert!(files.len() >= 20, "docs examples found: {}", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("// expect: "))
            .map(str::trim);
        let name = path.display().to_string();
        let a = analysis(&path);
        match expected {
            Some(code) => assert!(
                codes(&a).iter().any(|c| c == code),
                "{name}: expected {code}, got {:?}",
                codes(&a)
            ),
            None if name.ends_with("step1_unit_error.arch") => {
                assert_eq!(codes(&a), ["E0402"], "{name}")
            }
            None => assert!(codes(&a).is_empty(), "{name}: {:?}", codes(&a)),
        }
    }
}

/// The costs `docs/planning.md` prints, and the backend each step uses.
#[test]
fn the_planning_tutorial_prints_what_the_models_give() {
    let dir = docs_examples().join("planning");
    for (file, backend, cost) in [
        ("step1.arch", Backend::Dp, 314_400.0),
        ("step2.arch", Backend::Dp, 336_600.0),
        ("step3.arch", Backend::Dp, 812_800.0),
        ("step4.arch", Backend::Milp, 814_000.0),
    ] {
        let mut a = analysis(&dir.join(file));
        assert!(codes(&a).is_empty(), "{file}: {:?}", codes(&a));
        assert_eq!(a.backend, Some(backend), "{file}");
        let mut instance = a.instance.take().expect("instance");
        let got = match backend {
            Backend::Dp => {
                let schema = a.schema.as_ref().expect("schema");
                let hir = a.hir.as_ref().expect("HIR");
                archc::plan::solve_dp(schema, hir, &mut a.sources, &mut instance)
                    .unwrap_or_else(|d| panic!("{file}: {}", d.message))
                    .cost
            }
            Backend::Milp => {
                solve_model(&instance.model, &SolveOptions::default())
                    .unwrap_or_else(|d| panic!("{file}: {}", d.message))
                    .raw
                    .objective
            }
        };
        assert!((got - cost).abs() < 1e-6, "{file}: {got} != {cost}");
    }
}

/// The tutorial says the MILP lowering of step 2 (tiered price, lead time) gives the same
/// cost as DP.
#[test]
fn the_milp_lowering_of_step_two_gives_the_dp_cost() {
    let a = analyze(
        &docs_examples().join("planning/step2.arch"),
        &AnalyzeOptions {
            instantiate: true,
            backend: archc::plan::BackendChoice::Milp,
            ..Default::default()
        },
    );
    assert!(codes(&a).is_empty(), "{:?}", codes(&a));
    let instance = a.instance.as_ref().expect("instance");
    let solved = solve_model(&instance.model, &SolveOptions::default()).expect("solves");
    assert!(
        (solved.raw.objective - 336_600.0).abs() < 1e-6,
        "{}",
        solved.raw.objective
    );
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}
