//! Property test over random small MILPs: every enabled backend reaches the same optimum
//! (or the same infeasible/unbounded status), every solution passes the independent
//! verifier, and the model's MPS and LP files, read back by HiGHS and CBC (with the `highs`
//! and `cbc` features), keep its status and optimum.

use archc::ir::{
    ColId, Column, Decl, DeclKind, Model, Objective, ObjectiveTerm, Origin, Row, Sense, VarKind,
};
use archc::solve::{SolveOptions, SolverKind, Status};
use archc::span::Span;
use proptest::prelude::*;

#[cfg(any(feature = "highs", feature = "cbc"))]
use crate::solver_readers;
#[cfg(any(feature = "highs", feature = "cbc"))]
use solver_readers as readers;

#[derive(Clone, Debug)]
struct Spec {
    kinds: Vec<u8>,
    ubs: Vec<u8>,
    rows: Vec<(Vec<i8>, i16, u8)>,
    obj: Vec<i8>,
    maximize: bool,
    /// Per row, then for the objective: what the integer coefficients are multiplied by
    /// (see [`SCALES`]), so that the files carry long decimals such as
    /// `0.30000000000000004` (`3 * 0.1`).
    scales: Vec<u8>,
    /// Long declaration names instead of `x` and `c` (names of more than eight characters
    /// make the MPS lines free format).
    long_names: bool,
}

/// Coefficient multipliers: integers, tenths (`3 * 0.1 = 0.30000000000000004`) and thirds.
const SCALES: [f64; 3] = [1.0, 0.1, 1.0 / 3.0];

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..6, 1usize..5).prop_flat_map(|(n, m)| {
        (
            prop::collection::vec(0u8..3, n),
            prop::collection::vec(1u8..8, n),
            prop::collection::vec((prop::collection::vec(-4i8..5, n), -10i16..30, 0u8..3), m),
            prop::collection::vec(-5i8..6, n),
            any::<bool>(),
            prop::collection::vec(0u8..3, m + 1),
            any::<bool>(),
        )
            .prop_map(
                |(kinds, ubs, rows, obj, maximize, scales, long_names)| Spec {
                    kinds,
                    ubs,
                    rows,
                    obj,
                    maximize,
                    scales,
                    long_names,
                },
            )
    })
}

fn build(s: &Spec) -> Model {
    let mut m = Model::new();
    let (x, c) = if s.long_names {
        ("replicas", "capacity")
    } else {
        ("x", "c")
    };
    let scale = |k: usize| SCALES[s.scales.get(k).copied().unwrap_or(0) as usize];
    let d = m.add_decl(Decl {
        name: x.into(),
        kind: DeclKind::Decision,
        span: Span::default(),
        index_names: vec!["i".into()],
        unit: String::new(),
        note: String::new(),
    });
    let c = m.add_decl(Decl {
        name: c.into(),
        kind: DeclKind::Constraint,
        span: Span::default(),
        index_names: vec!["k".into()],
        unit: String::new(),
        note: String::new(),
    });
    let n = s.kinds.len().max(s.rows.len());
    m.elements = (0..n).map(|i| i.to_string()).collect();
    for (i, (&k, &ub)) in s.kinds.iter().zip(&s.ubs).enumerate() {
        let tuple = m.add_tuple(&[i as u32]);
        let kind = [VarKind::Continuous, VarKind::Integer, VarKind::Binary][k as usize];
        let ub = if kind == VarKind::Binary {
            1.0
        } else {
            ub as f64
        };
        m.add_column(Column {
            kind,
            lb: 0.0,
            ub,
            origin: Origin { decl: d, tuple },
        });
    }
    for (k, (coefs, rhs, sense)) in s.rows.iter().enumerate() {
        let tuple = m.add_tuple(&[k as u32]);
        let (lo, hi) = match sense {
            0 => (f64::NEG_INFINITY, *rhs as f64),
            1 => (*rhs as f64 / 4.0, f64::INFINITY),
            _ => (*rhs as f64 / 2.0 - 3.0, *rhs as f64 / 2.0 + 3.0),
        };
        let entries: Vec<(ColId, f64)> = coefs
            .iter()
            .enumerate()
            .filter(|(_, &v)| v != 0)
            .map(|(j, &v)| (ColId(j as u32), v as f64 * scale(k)))
            .collect();
        m.add_row(
            Row {
                lo,
                hi,
                origin: Origin { decl: c, tuple },
            },
            entries,
        );
    }
    m.objective = Some(Objective {
        name: "z".into(),
        sense: if s.maximize {
            Sense::Maximize
        } else {
            Sense::Minimize
        },
        span: Span::default(),
        unit: String::new(),
        terms: vec![ObjectiveTerm {
            label: "z".into(),
            span: Span::default(),
            coefs: s
                .obj
                .iter()
                .enumerate()
                .map(|(j, &v)| (ColId(j as u32), v as f64 * scale(s.rows.len())))
                .collect(),
            constant: 0.0,
        }],
    });
    m
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn backends_agree_and_solutions_verify(s in spec()) {
        let model = build(&s);
        let mut results = Vec::new();
        for solver in SolverKind::enabled() {
            let opts = SolveOptions { solver: Some(solver), ..SolveOptions::default() };
            let solved = archc::solve::solve_model(&model, &opts);
            let solved = match solved {
                Ok(x) => x,
                Err(d) => panic!("{} failed: {} {}", solver.name(), d.code, d.message),
            };
            if matches!(solved.raw.status, Status::Optimal) {
                prop_assert!(solved.verified(), "{} returned an unverified solution", solver.name());
            }
            results.push((solver, solved.raw.status, solved.raw.objective));
        }
        let (first_solver, first_status, first_obj) = results[0];
        for &(solver, status, obj) in &results[1..] {
            prop_assert_eq!(status, first_status, "{} vs {}", solver.name(), first_solver.name());
            if status == Status::Optimal {
                // Solvers accept rows and bounds within 1e-6 (their feasibility
                // tolerance), so two optimal objectives can differ by a few 1e-6.
                prop_assert!((obj - first_obj).abs() <= 1e-5 * first_obj.abs().max(1.0), "{} {} vs {} {}", solver.name(), obj, first_solver.name(), first_obj);
            }
        }
        let mut mps = Vec::new();
        archc::backends::milp::write_mps(&model, &mut mps).expect("MPS written");
        prop_assert!(String::from_utf8(mps).is_ok_and(|t| t.contains("ENDATA")));
        round_trip(&model, first_status, first_obj)?;
    }
}

/// The written files, read back by the solvers' own readers, keep the status and optimum.
/// The readers come with the `highs` (MPS and LP) and `cbc` (MPS) features; without them
/// there is no independent reader to check the files against.
fn round_trip(model: &Model, status: Status, objective: f64) -> Result<(), TestCaseError> {
    let _ = (model, status, objective);
    #[cfg(feature = "highs")]
    for ext in ["mps", "lp"] {
        let path = temp_path(ext);
        if ext == "mps" {
            archc::backends::milp::write_mps_to_path(model, &path).expect("MPS written");
        } else {
            archc::backends::milp::write_lp_to_path(model, &path).expect("LP written");
        }
        let read = readers::highs(&path);
        let _ = std::fs::remove_file(&path);
        check_read(ext, "HiGHS", read, status, objective)?;
    }
    #[cfg(feature = "cbc")]
    {
        let path = temp_path("mps");
        archc::backends::milp::write_mps_to_path(model, &path).expect("MPS written");
        let maximize = model.objective.as_ref().map(|o| o.sense) == Some(Sense::Maximize);
        let read = readers::cbc(&path, maximize);
        let _ = std::fs::remove_file(&path);
        check_read("mps", "CBC", read, status, objective)?;
    }
    Ok(())
}

/// What a reader made of a file: `Some(objective)` when optimal, `None` when it proved the
/// model infeasible or unbounded.
#[allow(dead_code)]
fn check_read(
    ext: &str,
    reader: &str,
    read: Option<f64>,
    status: Status,
    objective: f64,
) -> Result<(), TestCaseError> {
    match (status, read) {
        (Status::Optimal, Some(obj)) => prop_assert!(
            (obj - objective).abs() <= 1e-5 * objective.abs().max(1.0),
            "{} read from .{}: {} vs {}",
            reader,
            ext,
            obj,
            objective
        ),
        (Status::Optimal, None) => {
            prop_assert!(false, "{} found no optimum in the .{} file", reader, ext)
        }
        (_, Some(obj)) => prop_assert!(
            false,
            "{} read an optimum {} from the .{} file of a {:?} model",
            reader,
            obj,
            ext,
            status
        ),
        (_, None) => {}
    }
    Ok(())
}

#[allow(dead_code)]
fn temp_path(ext: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    std::env::temp_dir().join(format!("archc-random-{}-{n}.{ext}", std::process::id()))
}
