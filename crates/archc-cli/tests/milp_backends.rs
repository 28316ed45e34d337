//! The MILP backend on hand-built IR models: every enabled solver must reach the known
//! optimum (or the right status), the verifier must catch broken solutions, the MPS and LP
//! output is snapshot-tested, and, with the `highs` / `cbc` features, the written files are
//! read back by the solvers' own readers and must give the same optimum.

use archc::backends::milp::{self, row_names, write_lp, write_mps};
use archc::diagnostics::Code;
use archc::ir::{
    ColId, Column, Decl, DeclId, DeclKind, Model, Objective, ObjectiveTerm, Origin, Row, RowId,
    Sense, VarKind,
};
use archc::solve::verify::{verify, Tolerances, ViolationKind};
use archc::solve::{RawSolution, SolveOptions, SolverKind, Status};
use archc::span::{FileId, Span};

const INF: f64 = f64::INFINITY;

/// Builds small IR models by hand.
struct Builder {
    m: Model,
}

impl Builder {
    fn new() -> Self {
        Builder { m: Model::new() }
    }

    fn decl(&mut self, name: &str, index: &[&str], kind: DeclKind, start: usize) -> DeclId {
        self.m.add_decl(Decl {
            name: name.into(),
            kind,
            span: Span::new(FileId(0), start, start + name.len()),
            index_names: index.iter().map(|s| s.to_string()).collect(),
            unit: if kind == DeclKind::Constraint {
                "kg".into()
            } else {
                String::new()
            },
            note: String::new(),
        })
    }

    fn origin(&mut self, decl: DeclId, elems: &[&str]) -> Origin {
        let ids: Vec<u32> = elems
            .iter()
            .map(|e| match self.m.elements.iter().position(|x| x == e) {
                Some(i) => i as u32,
                None => {
                    self.m.elements.push(e.to_string());
                    (self.m.elements.len() - 1) as u32
                }
            })
            .collect();
        let tuple = self.m.add_tuple(&ids);
        Origin { decl, tuple }
    }

    fn col(&mut self, decl: DeclId, elems: &[&str], kind: VarKind, lb: f64, ub: f64) -> ColId {
        let origin = self.origin(decl, elems);
        self.m.add_column(Column {
            kind,
            lb,
            ub,
            origin,
        })
    }

    fn row(
        &mut self,
        decl: DeclId,
        elems: &[&str],
        lo: f64,
        hi: f64,
        coefs: &[(ColId, f64)],
    ) -> RowId {
        let origin = self.origin(decl, elems);
        self.m
            .add_row(Row { lo, hi, origin }, coefs.iter().copied())
    }

    fn objective(&mut self, sense: Sense, coefs: &[(ColId, f64)], constant: f64) {
        self.m.objective = Some(Objective {
            name: "cost".into(),
            sense,
            span: Span::new(FileId(0), 900, 910),
            unit: String::new(),
            terms: vec![ObjectiveTerm {
                label: "main".into(),
                span: Span::new(FileId(0), 900, 910),
                coefs: coefs.to_vec(),
                constant,
            }],
        });
    }
}

/// max 10a + 13b + 7c + 8d  s.t.  5a + 7b + 4c + 3d <= 14, binaries. Optimum 28 (b, c, d).
fn knapsack() -> Model {
    let mut b = Builder::new();
    let take = b.decl("take", &["i"], DeclKind::Decision, 0);
    let cap = b.decl("capacity", &[], DeclKind::Constraint, 50);
    let items = ["a", "b", "c", "d"];
    let cols: Vec<ColId> = items
        .iter()
        .map(|i| b.col(take, &[i], VarKind::Binary, 0.0, 1.0))
        .collect();
    let weights = [5.0, 7.0, 4.0, 3.0];
    let values = [10.0, 13.0, 7.0, 8.0];
    let w: Vec<(ColId, f64)> = cols.iter().copied().zip(weights).collect();
    b.row(cap, &[], -INF, 14.0, &w);
    let v: Vec<(ColId, f64)> = cols.iter().copied().zip(values).collect();
    b.objective(Sense::Maximize, &v, 0.0);
    b.m
}

/// The Wyndor LP: max 3x + 5y  s.t.  x <= 4, 2y <= 12, 3x + 2y <= 18. Optimum 36 at (2, 6),
/// duals (0, 1.5, 1). With `minimize`, the objective is negated: optimum -36, duals negated.
fn wyndor(sense: Sense) -> Model {
    let mut b = Builder::new();
    let make = b.decl("make", &["p"], DeclKind::Decision, 0);
    let plant = b.decl("plant", &["k"], DeclKind::Constraint, 50);
    let x = b.col(make, &["doors"], VarKind::Continuous, 0.0, INF);
    let y = b.col(make, &["windows"], VarKind::Continuous, 0.0, INF);
    b.row(plant, &["p1"], -INF, 4.0, &[(x, 1.0)]);
    b.row(plant, &["p2"], -INF, 12.0, &[(y, 2.0)]);
    b.row(plant, &["p3"], -INF, 18.0, &[(x, 3.0), (y, 2.0)]);
    let s = if sense == Sense::Maximize { 1.0 } else { -1.0 };
    b.objective(sense, &[(x, 3.0 * s), (y, 5.0 * s)], 0.0);
    b.m
}

/// Names of at most eight characters, which CBC's reader takes for fixed MPS unless the
/// fields sit in the fixed columns: max 3a + 2b + 4c with a integer in 0..5, b binary, c in
/// [0, 2.5], a + b + c <= 6, a - c >= 1. Optimum 20 at (4, 0, 2).
fn short_names() -> Model {
    let mut b = Builder::new();
    let x = b.decl("x", &["i"], DeclKind::Decision, 0);
    let c = b.decl("c", &["k"], DeclKind::Constraint, 50);
    let a = b.col(x, &["0"], VarKind::Integer, 0.0, 5.0);
    let y = b.col(x, &["1"], VarKind::Binary, 0.0, 1.0);
    let z = b.col(x, &["2"], VarKind::Continuous, 0.0, 2.5);
    b.row(c, &["0"], -INF, 6.0, &[(a, 1.0), (y, 1.0), (z, 1.0)]);
    b.row(c, &["1"], 1.0, INF, &[(a, 1.0), (z, -1.0)]);
    b.objective(Sense::Maximize, &[(a, 3.0), (y, 2.0), (z, 4.0)], 0.0);
    b.m
}

#[test]
fn short_names_on_every_solver_and_in_fixed_columns() {
    assert_optimal(&short_names(), SolverKind::Microlp, 20.0);
    for kind in SolverKind::enabled() {
        assert_optimal(&short_names(), kind, 20.0);
    }
    let mps = mps_text(&short_names());
    assert!(
        mps.contains("\n    x(0)      cost      3              c(0)      1\n"),
        "{mps}"
    );
    assert!(mps.contains("\n UP BND       x(0)      5\n"), "{mps}");
}

/// x + y >= 10 with x, y <= 3: infeasible.
/// Names of at most eight characters with a number longer than the twelve columns fixed
/// MPS gives it (`0.1 * 3` is `0.30000000000000004`): max 0.30000000000000004 a + b + c/3
/// with a, b in [0, 4], c in [0, 3], a + b <= 5, c/3 + a <= 2. Optimum at b = 4, a = 1,
/// c = 3: 0.30000000000000004 + 4 + 1 = 5.3.
fn long_decimals() -> Model {
    let mut b = Builder::new();
    let x = b.decl("x", &["i"], DeclKind::Decision, 0);
    let c = b.decl("c", &["k"], DeclKind::Constraint, 50);
    let a = b.col(x, &["0"], VarKind::Continuous, 0.0, 4.0);
    let y = b.col(x, &["1"], VarKind::Continuous, 0.0, 4.0);
    let z = b.col(x, &["2"], VarKind::Continuous, 0.0, 3.0);
    b.row(c, &["0"], -INF, 5.0, &[(a, 1.0), (y, 1.0)]);
    b.row(c, &["1"], -INF, 2.0, &[(z, 1.0 / 3.0), (a, 1.0)]);
    b.objective(
        Sense::Maximize,
        &[(a, 0.1 * 3.0), (y, 1.0), (z, 1.0 / 3.0)],
        0.0,
    );
    b.m
}

/// Once the file glued `0.30000000000000004` to the next name (`0.30000000000000004c(0)`),
/// which CBC rejected and HiGHS read as another model. No two fields may touch: every data
/// line of COLUMNS, RHS and RANGES splits into a name and (name, number) pairs.
#[test]
fn long_numbers_never_touch_the_next_field() {
    let m = long_decimals();
    assert_optimal(&m, SolverKind::Microlp, 0.1 * 3.0 + 5.0);
    let mps = mps_text(&m);
    assert!(mps.contains("0.30000000000000004 c(0)"), "{mps}");
    let mut section = "";
    for line in mps.lines() {
        if !line.starts_with(' ') {
            section = line;
            continue;
        }
        if !matches!(section, "COLUMNS" | "RHS" | "RANGES") || line.contains("'MARKER'") {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert!(matches!(fields.len(), 3 | 5), "{line}");
        for pair in fields[1..].chunks(2) {
            assert!(pair[0].parse::<f64>().is_err(), "a name: {line}");
            assert!(pair[1].parse::<f64>().is_ok(), "a number: {line}");
        }
    }
}

fn infeasible() -> Model {
    let mut b = Builder::new();
    let v = b.decl("v", &["i"], DeclKind::Decision, 0);
    let c = b.decl("need", &[], DeclKind::Constraint, 50);
    let x = b.col(v, &["x"], VarKind::Continuous, 0.0, 3.0);
    let y = b.col(v, &["y"], VarKind::Integer, 0.0, 3.0);
    b.row(c, &[], 10.0, INF, &[(x, 1.0), (y, 1.0)]);
    b.objective(Sense::Minimize, &[(x, 1.0), (y, 1.0)], 0.0);
    b.m
}

/// max x + y s.t. x - y <= 1: unbounded.
fn unbounded() -> Model {
    let mut b = Builder::new();
    let v = b.decl("v", &["i"], DeclKind::Decision, 0);
    let c = b.decl("diff", &[], DeclKind::Constraint, 50);
    let x = b.col(v, &["x"], VarKind::Continuous, 0.0, INF);
    let y = b.col(v, &["y"], VarKind::Continuous, 0.0, INF);
    b.row(c, &[], -INF, 1.0, &[(x, 1.0), (y, -1.0)]);
    b.objective(Sense::Maximize, &[(x, 1.0), (y, 1.0)], 0.0);
    b.m
}

/// 3 <= x + 2y <= 5, x, y >= 0; min or max x + y: 1.5 at (0, 1.5), or 5 at (5, 0).
fn range_row(sense: Sense) -> Model {
    let mut b = Builder::new();
    let v = b.decl("v", &["i"], DeclKind::Decision, 0);
    let c = b.decl("band", &[], DeclKind::Constraint, 50);
    let x = b.col(v, &["x"], VarKind::Continuous, 0.0, INF);
    let y = b.col(v, &["y"], VarKind::Continuous, 0.0, INF);
    b.row(c, &[], 3.0, 5.0, &[(x, 1.0), (y, 2.0)]);
    b.objective(sense, &[(x, 1.0), (y, 1.0)], 0.0);
    b.m
}

/// max 2x + 3y + 10 s.t. x + y <= 4, x, y integers in [0, 3]: 21 at (1, 3).
fn max_with_constant() -> Model {
    let mut b = Builder::new();
    let v = b.decl("v", &["i"], DeclKind::Decision, 0);
    let c = b.decl("total", &[], DeclKind::Constraint, 50);
    let x = b.col(v, &["x"], VarKind::Integer, 0.0, 3.0);
    let y = b.col(v, &["y"], VarKind::Integer, 0.0, 3.0);
    b.row(c, &[], -INF, 4.0, &[(x, 1.0), (y, 1.0)]);
    b.objective(Sense::Maximize, &[(x, 2.0), (y, 3.0)], 10.0);
    b.m
}

fn solve_with(model: &Model, kind: SolverKind) -> RawSolution {
    let opts = SolveOptions {
        solver: Some(kind),
        ..SolveOptions::default()
    };
    milp::solve(model, &opts).expect("an enabled solver is accepted")
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-6 * b.abs().max(1.0),
        "{what}: {a} != {b}"
    );
}

/// Optimal, with the expected objective, and the solution verifies.
fn assert_optimal(model: &Model, kind: SolverKind, objective: f64) -> RawSolution {
    let raw = solve_with(model, kind);
    assert_eq!(raw.status, Status::Optimal, "{kind:?}: {}", raw.message);
    assert_eq!(raw.solver, kind);
    assert_eq!(raw.values.len(), model.num_columns());
    assert_close(raw.objective, objective, &format!("{kind:?} objective"));
    let report = verify(model, &raw.values, &Tolerances::default());
    assert!(report.is_ok(), "{kind:?}: {:?}", report.violations);
    raw
}

#[test]
fn knapsack_on_every_solver() {
    let m = knapsack();
    for kind in SolverKind::enabled() {
        let raw = assert_optimal(&m, kind, 28.0);
        assert_eq!(raw.values, vec![0.0, 1.0, 1.0, 1.0], "{kind:?}");
        // No duals for a MIP.
        assert!(raw.duals.is_none());
    }
}

#[test]
fn lp_optimum_on_every_solver_and_duals_where_given() {
    for sense in [Sense::Maximize, Sense::Minimize] {
        let m = wyndor(sense);
        let s = if sense == Sense::Maximize { 1.0 } else { -1.0 };
        for kind in SolverKind::enabled() {
            let raw = assert_optimal(&m, kind, 36.0 * s);
            assert_close(raw.values[0], 2.0, "x");
            assert_close(raw.values[1], 6.0, "y");
            if let Some(duals) = &raw.duals {
                // d(objective)/d(row side).
                let want = [0.0, 1.5 * s, 1.0 * s];
                for (d, w) in duals.iter().zip(want) {
                    assert_close(*d, w, &format!("{kind:?} {sense:?} dual"));
                }
            }
        }
    }
    if SolverKind::Highs.is_enabled() {
        let raw = solve_with(&wyndor(Sense::Maximize), SolverKind::Highs);
        assert!(raw.duals.is_some(), "HiGHS gives LP duals");
    }
}

#[test]
fn infeasible_on_every_solver() {
    let m = infeasible();
    for kind in SolverKind::enabled() {
        let raw = solve_with(&m, kind);
        assert_eq!(raw.status, Status::Infeasible, "{kind:?}: {}", raw.message);
        assert!(raw.values.is_empty());
    }
}

#[test]
fn unbounded_on_every_solver() {
    let m = unbounded();
    for kind in SolverKind::enabled() {
        let raw = solve_with(&m, kind);
        assert_eq!(raw.status, Status::Unbounded, "{kind:?}: {}", raw.message);
    }
}

#[test]
fn two_sided_row_on_every_solver() {
    for kind in SolverKind::enabled() {
        let raw = assert_optimal(&range_row(Sense::Minimize), kind, 1.5);
        assert_close(raw.values[1], 1.5, "y at the lower side");
        let raw = assert_optimal(&range_row(Sense::Maximize), kind, 5.0);
        assert_close(raw.values[0], 5.0, "x at the upper side");
    }
}

#[test]
fn maximize_with_constant_on_every_solver() {
    let m = max_with_constant();
    for kind in SolverKind::enabled() {
        let raw = assert_optimal(&m, kind, 21.0);
        assert_eq!(raw.values, vec![1.0, 3.0], "{kind:?}");
    }
}

#[test]
fn empty_model_is_optimal_with_its_constant() {
    for kind in SolverKind::enabled() {
        let raw = assert_optimal(&Model::new(), kind, 0.0);
        assert!(raw.values.is_empty());
        let mut b = Builder::new();
        b.objective(Sense::Minimize, &[], 7.5);
        assert_optimal(&b.m, kind, 7.5);
    }
}

#[test]
fn trivially_infeasible_models_need_no_solver() {
    // Crossed bounds on an integer column: [0.2, 0.8] holds no integer.
    let mut b = Builder::new();
    let v = b.decl("v", &[], DeclKind::Decision, 0);
    b.col(v, &[], VarKind::Integer, 0.2, 0.8);
    // An empty row that needs 1 <= 0.
    let mut e = Builder::new();
    let c = e.decl("c", &[], DeclKind::Constraint, 0);
    e.row(c, &[], 1.0, INF, &[]);
    for kind in SolverKind::enabled() {
        assert_eq!(solve_with(&b.m, kind).status, Status::Infeasible);
        assert_eq!(solve_with(&e.m, kind).status, Status::Infeasible);
    }
}

#[test]
fn nan_in_the_model_is_a_solver_error_with_e0703() {
    let mut m = knapsack();
    m.row_vals[1] = f64::NAN;
    for kind in SolverKind::enabled() {
        let raw = solve_with(&m, kind);
        assert_eq!(raw.status, Status::Error);
        assert!(raw.message.contains("NaN"), "{}", raw.message);
        let diag = milp::solver_error_diagnostic(&raw, &m).expect("an error diagnostic");
        assert_eq!(diag.code, Code::E0703);
        assert_eq!(diag.primary_span(), Some(Span::new(FileId(0), 900, 910)));
    }
    let ok = solve_with(&knapsack(), SolverKind::enabled()[0]);
    assert!(milp::solver_error_diagnostic(&ok, &knapsack()).is_none());
}

#[test]
fn solver_not_compiled_in_is_e0701() {
    let all = [SolverKind::Microlp, SolverKind::Highs, SolverKind::Cbc];
    for kind in all.into_iter().filter(|k| !k.is_enabled()) {
        let opts = SolveOptions {
            solver: Some(kind),
            ..SolveOptions::default()
        };
        let err = milp::solve(&knapsack(), &opts).expect_err("not enabled");
        assert_eq!(err.code, Code::E0701);
        assert!(
            err.message.contains(&format!("feature `{}`", kind.name())),
            "{}",
            err.message
        );
    }
    // Without a request, the first enabled solver is used.
    let raw = milp::solve(&knapsack(), &SolveOptions::default()).unwrap();
    assert_eq!(raw.solver, SolverKind::enabled()[0]);
}

#[test]
fn options_are_accepted_by_every_solver() {
    let m = knapsack();
    for kind in SolverKind::enabled() {
        let opts = SolveOptions {
            solver: Some(kind),
            time_limit: Some(std::time::Duration::from_secs(60)),
            gap: Some(0.0),
            threads: Some(1),
            quiet: true,
            solver_options: Vec::new(),
            control: milp::SolveControl::new(),
        };
        let raw = milp::solve(&m, &opts).unwrap();
        // Gap 0 asked for and reached: optimal, not "feasible".
        assert_eq!(raw.status, Status::Optimal, "{kind:?}: {}", raw.message);
        assert_close(raw.objective, 28.0, "objective");
        // A negative gap is refused without a crash.
        let bad = SolveOptions {
            gap: Some(-1.0),
            ..opts
        };
        let raw = milp::solve(&m, &bad).unwrap();
        assert_eq!(raw.status, Status::Error);
        assert!(raw.message.contains("gap"), "{}", raw.message);
    }
}

#[test]
fn solver_options_reach_the_solver() {
    let m = knapsack();
    let with = |kind, k: &str, v: &str| SolveOptions {
        solver: Some(kind),
        solver_options: vec![(k.to_string(), v.to_string())],
        ..SolveOptions::default()
    };
    for kind in SolverKind::enabled() {
        let (good, bad) = match kind {
            SolverKind::Highs => (Some(("presolve", "off")), ("no_such_option", "1")),
            SolverKind::Cbc => (Some(("cuts", "off")), ("", "")),
            SolverKind::Microlp => (None, ("presolve", "off")),
        };
        if let Some((k, v)) = good {
            let raw = milp::solve(&m, &with(kind, k, v)).unwrap();
            assert_eq!(raw.status, Status::Optimal, "{kind:?}: {}", raw.message);
            assert_close(raw.objective, 28.0, "objective");
        }
        if kind == SolverKind::Cbc {
            continue; // CBC only logs unknown parameters
        }
        let raw = milp::solve(&m, &with(kind, bad.0, bad.1)).unwrap();
        assert_eq!(raw.status, Status::Error, "{kind:?}");
        assert!(raw.message.contains(bad.0), "{kind:?}: {}", raw.message);
    }
    // A value HiGHS cannot parse for the option's type is refused too.
    if SolverKind::Highs.is_enabled() {
        let raw = milp::solve(&m, &with(SolverKind::Highs, "time_limit", "soon")).unwrap();
        assert_eq!(raw.status, Status::Error);
        assert!(raw.message.contains("time_limit=soon"), "{}", raw.message);
    }
}

#[test]
fn verify_catches_broken_solutions() {
    let m = knapsack();
    let tol = Tolerances::default();
    // Feasible and optimal.
    let good = verify(&m, &[0.0, 1.0, 1.0, 1.0], &tol);
    assert!(good.is_ok());
    assert_close(good.objective, 28.0, "objective");
    assert_eq!(good.max_row_violation, 0.0);
    assert!(good.to_diagnostic(&m).is_none());

    // Over capacity: 5 + 7 + 4 = 16 > 14.
    let over = verify(&m, &[1.0, 1.0, 1.0, 0.0], &tol);
    assert_eq!(over.violations.len(), 1);
    assert_eq!(over.violations[0].kind, ViolationKind::Row(RowId(0)));
    assert_close(over.violations[0].amount, 2.0, "amount");
    assert_close(over.max_row_violation, 2.0, "max row violation");
    assert!(over.violations[0].message.contains("`capacity`"));
    assert!(
        over.violations[0].message.contains("16 kg"),
        "{}",
        over.violations[0].message
    );
    let diag = over.to_diagnostic(&m).expect("a diagnostic");
    assert_eq!(diag.code, Code::E0702);
    assert!(diag.message.contains("solution violates"));
    // The primary label is on the row's declaration.
    assert_eq!(diag.primary_span(), Some(m.decls[1].span));

    // Out of bounds: a binary at 2 (also over capacity: 10 + 3 = 13 <= 14 holds).
    let bound = verify(&m, &[0.0, 0.0, 0.0, 2.0], &tol);
    assert_eq!(bound.violations.len(), 1);
    assert_eq!(bound.violations[0].kind, ViolationKind::Bound(ColId(3)));
    assert!(bound.violations[0].message.contains("`take[d]`"));
    assert_eq!(
        bound.to_diagnostic(&m).unwrap().primary_span(),
        Some(m.decls[0].span)
    );

    // Fractional binary.
    let frac = verify(&m, &[0.0, 0.5, 0.0, 0.0], &tol);
    assert_eq!(frac.violations.len(), 1);
    assert_eq!(
        frac.violations[0].kind,
        ViolationKind::Integrality(ColId(1))
    );
    assert_close(frac.violations[0].amount, 0.5, "fraction");

    // Within tolerance counts as satisfied; NaN never does.
    assert!(verify(&m, &[0.0, 1.0, 1.0, 1.0 + 1e-9], &tol).is_ok());
    assert!(!verify(&m, &[0.0, f64::NAN, 1.0, 1.0], &tol).is_ok());

    // Wrong length.
    let short = verify(&m, &[1.0], &tol);
    assert_eq!(short.violations[0].kind, ViolationKind::WrongLength);
    assert!(short.objective.is_nan());
    let diag = short.to_diagnostic(&m).unwrap();
    assert_eq!(diag.code, Code::E0702);
    assert!(diag.primary_span().is_none());
}

#[test]
fn verify_checks_both_sides_of_a_range_row() {
    let m = range_row(Sense::Minimize);
    let tol = Tolerances::default();
    assert!(verify(&m, &[1.0, 1.0], &tol).is_ok());
    let low = verify(&m, &[1.0, 0.0], &tol);
    assert_close(low.violations[0].amount, 2.0, "below");
    assert!(
        low.violations[0].message.contains(">= 3"),
        "{}",
        low.violations[0].message
    );
    let high = verify(&m, &[6.0, 0.0], &tol);
    assert_close(high.violations[0].amount, 1.0, "above");
    assert!(high.violations[0].message.contains("<= 5"));
}

/// A tiny model with every feature of the file formats: a maximised objective with a
/// constant, integer, binary, free and bounded columns, `<=`, `>=`, `=` and two-sided rows,
/// names that need sanitising, and a repeated origin.
fn tiny() -> Model {
    let mut b = Builder::new();
    let rep = b.decl("replicas", &["s", "r"], DeclKind::Decision, 0);
    let on = b.decl("present", &["r"], DeclKind::Decision, 10);
    let shift = b.decl("shift", &[], DeclKind::Decision, 20);
    let fit = b.decl("fit", &["r"], DeclKind::Constraint, 30);
    let link = b.decl("link", &["r"], DeclKind::Derived, 40);
    let band = b.decl("band", &[], DeclKind::Constraint, 50);
    let r1 = b.col(rep, &["checkout", "us-east"], VarKind::Integer, 0.0, INF);
    let r2 = b.col(rep, &["checkout", "eu west"], VarKind::Integer, 1.0, 8.0);
    let p1 = b.col(on, &["us-east"], VarKind::Binary, 0.0, 1.0);
    let p2 = b.col(on, &["eu west"], VarKind::Binary, 1.0, 1.0);
    let s = b.col(shift, &[], VarKind::Continuous, -INF, INF);
    b.row(fit, &["us-east"], -INF, 10.0, &[(r1, 2.0), (s, 1.0)]);
    b.row(fit, &["eu west"], -INF, 12.0, &[(r2, 2.0), (s, -1.0)]);
    b.row(link, &["us-east"], 0.0, INF, &[(p1, 8.0), (r1, -1.0)]);
    b.row(link, &["us-east"], 0.0, INF, &[(p1, 1.0), (r1, -0.1)]);
    b.row(band, &[], 1.0, 3.0, &[(s, 1.0)]);
    b.objective(
        Sense::Maximize,
        &[(r1, 3.0), (r2, 2.5), (p1, -1.0), (p2, -1.0), (s, 0.5)],
        4.0,
    );
    b.m
}

/// The optimum of [`tiny`]: r1 = 4, r2 = 7 (fit rows with s = 2), p1 = 1, p2 = 1, s = 2:
/// 12 + 17.5 - 2 + 1 + 4 = 32.5; checked against every solver too.
const TINY_OPTIMUM: f64 = 32.5;

fn mps_text(m: &Model) -> String {
    let mut out = Vec::new();
    write_mps(m, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn lp_text(m: &Model) -> String {
    let mut out = Vec::new();
    write_lp(m, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn tiny_model_optimum_on_every_solver() {
    let m = tiny();
    for kind in SolverKind::enabled() {
        assert_optimal(&m, kind, TINY_OPTIMUM);
    }
}

/// `write_mps_to_path` formats pieces of about 1 MB on worker threads and writes them in
/// order: the file holds exactly the text `write_mps` formats on one thread, for a model
/// whose text spans several pieces.
#[test]
fn mps_file_is_the_formatted_text_over_many_blocks() {
    let mut b = Builder::new();
    let assign = b.decl("assign", &["j", "s"], DeclKind::Decision, 0);
    let one = b.decl("one", &["j"], DeclKind::Constraint, 10);
    let cap = b.decl("cap", &["s"], DeclKind::Constraint, 20);
    let sites: Vec<String> = (0..100).map(|s| format!("site-{s}")).collect();
    let mut by_site: Vec<Vec<(ColId, f64)>> = vec![Vec::new(); sites.len()];
    let mut objective = Vec::new();
    for j in 0..300 {
        let job = format!("job{j}");
        let cols: Vec<(ColId, f64)> = sites
            .iter()
            .enumerate()
            .map(|(s, site)| {
                let c = b.col(assign, &[&job, site], VarKind::Binary, 0.0, 1.0);
                by_site[s].push((c, (j % 7 + 1) as f64));
                objective.push((c, ((j * 31 + s * 17) % 1000) as f64 + 0.25));
                (c, 1.0)
            })
            .collect();
        b.row(one, &[&job], 1.0, 1.0, &cols);
    }
    for (s, site) in sites.iter().enumerate() {
        b.row(cap, &[site], -INF, 40.0 + s as f64, &by_site[s]);
    }
    b.objective(Sense::Minimize, &objective, 0.0);
    let m = b.m;
    let text = mps_text(&m);
    assert!(text.len() > 3 << 20, "{} bytes", text.len());
    let path = temp_path("blocks.mps");
    milp::write_mps_to_path(&m, &path).unwrap();
    let file = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(file == text, "the file differs from the formatted text");
}

#[test]
fn mps_snapshot() {
    insta::assert_snapshot!(mps_text(&tiny()));
}

#[test]
fn lp_snapshot() {
    insta::assert_snapshot!(lp_text(&tiny()));
}

#[test]
fn file_names_are_unique_and_sanitised() {
    let m = tiny();
    assert_eq!(
        milp::column_names(&m),
        vec![
            "replicas(checkout,us_east)",
            "replicas(checkout,eu_west)",
            "present(us_east)",
            "present(eu_west)",
            "shift",
        ]
    );
    assert_eq!(
        row_names(&m),
        vec![
            "fit(us_east)",
            "fit(eu_west)",
            "link(us_east)",
            "link(us_east);2",
            "band",
        ]
    );
    assert_eq!(milp::objective_row_name(&m), "cost");
}

#[test]
fn empty_model_files_are_well_formed() {
    let m = Model::new();
    let mps = mps_text(&m);
    assert!(
        mps.starts_with("NAME          archc\nROWS\n N  obj\nCOLUMNS\nRHS\nBOUNDS\nENDATA\n"),
        "{mps}"
    );
    let lp = lp_text(&m);
    assert!(
        lp.contains("Minimize\n obj: 0\nSubject To\nBounds\nEnd\n"),
        "{lp}"
    );
}

/// A fresh path in the temp directory.
#[allow(dead_code)]
fn temp_path(name: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    std::env::temp_dir().join(format!("archc-milp-{}-{n}-{name}", std::process::id()))
}

/// Models for the round trips, with their optimum.
#[allow(dead_code)]
fn round_trip_models() -> Vec<(&'static str, Model, f64)> {
    vec![
        ("tiny", tiny(), TINY_OPTIMUM),
        ("knapsack", knapsack(), 28.0),
        ("wyndor", wyndor(Sense::Maximize), 36.0),
        ("range", range_row(Sense::Minimize), 1.5),
        ("constant", max_with_constant(), 21.0),
        ("short", short_names(), 20.0),
        ("long-decimals", long_decimals(), 0.1 * 3.0 + 5.0),
    ]
}

#[cfg(any(feature = "highs", feature = "cbc"))]
use crate::solver_readers;

#[cfg(feature = "highs")]
#[test]
fn highs_reads_our_mps_and_lp() {
    for (name, model, optimum) in round_trip_models() {
        let mps = temp_path(&format!("{name}.mps"));
        milp::write_mps_to_path(&model, &mps).unwrap();
        let read = solver_readers::highs(&mps).unwrap_or_else(|| panic!("{name}.mps: no optimum"));
        assert_close(read, optimum, &format!("{name}.mps"));
        let lp = temp_path(&format!("{name}.lp"));
        milp::write_lp_to_path(&model, &lp).unwrap();
        let read = solver_readers::highs(&lp).unwrap_or_else(|| panic!("{name}.lp: no optimum"));
        assert_close(read, optimum, &format!("{name}.lp"));
        let _ = std::fs::remove_file(mps);
        let _ = std::fs::remove_file(lp);
    }
}

#[cfg(feature = "cbc")]
#[test]
fn cbc_reads_our_mps() {
    for (name, model, optimum) in round_trip_models() {
        let path = temp_path(&format!("{name}.mps"));
        milp::write_mps_to_path(&model, &path).unwrap();
        let maximize = model.objective.as_ref().map(|o| o.sense) == Some(Sense::Maximize);
        let read = solver_readers::cbc(&path, maximize)
            .unwrap_or_else(|| panic!("{name}.mps: CBC found no optimum"));
        // The objective includes the constant (the negated RHS of the objective row).
        assert_close(read, optimum, &format!("{name}.mps with CBC"));
        let _ = std::fs::remove_file(path);
    }
}

/// The optimum of `source` on every enabled solver; returns the model's number of rows.
fn assert_optimum_on_every_solver(source: &str, optimum: f64) -> usize {
    let a = archc::driver::analyze_source(
        "model.arch",
        source,
        None,
        &archc::analysis::AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    let model = &a.instance.as_ref().expect("instance").model;
    for kind in SolverKind::enabled() {
        let raw = solve_with(model, kind);
        assert_eq!(raw.status, Status::Optimal, "{kind:?}");
        assert!(
            (raw.objective - optimum).abs() < 1e-5,
            "{kind:?}: {}",
            raw.objective
        );
        assert_eq!(raw.values.len(), model.num_columns(), "{kind:?}");
    }
    model.rows.len()
}

/// A model on which CBC's preprocessing once made the continuous column integer and
/// returned 12: every solver must find 12.667 (a = 2/3, b = 5).
#[test]
fn a_continuous_column_stays_continuous_on_every_solver() {
    let _ = assert_optimum_on_every_solver(
        "decide a: real >= 0 <= 1\n\
         decide b: int >= 0 <= 5\n\
         constraint r: 3 * a + 4 * b <= 22\n\
         maximize o: 4 * a + 2 * b\n",
        38.0 / 3.0,
    );
}

/// A model of two rows on which CBC 2.10 aborted the process (an assertion in
/// `OsiClpSolverInterface::crunch`, coin-or/Clp#288, on models of fewer than three rows):
/// every solver must find the optimum -0.75 (a = 0, b = 1.5).
#[test]
fn a_model_of_two_rows_solves_on_every_solver() {
    let rows = assert_optimum_on_every_solver(
        "decide a: int >= 0 <= 5\n\
         decide b: real >= 0 <= 4\n\
         constraint r0: 0.1 * b <= 5\n\
         constraint r1: (-4 * a + 4 * b) / 3 >= 2\n\
         maximize z: 0.1 * a - 0.5 * b\n",
        -0.75,
    );
    assert_eq!(rows, 2);
}

/// A market split instance (Cornuéjols and Dawande): four equality rows over 40 binaries
/// with random weights, each row with slack columns so that every choice is a plan, and the
/// slack minimised. HiGHS has a plan from its first heuristics and is far from proving the
/// optimum for many seconds (it is deterministic with one thread: this does not vary).
#[cfg(feature = "highs")]
fn market_split() -> archc::ir::Model {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % 100
    };
    let (rows, items) = (4, 40);
    let weights: Vec<Vec<u64>> = (0..rows)
        .map(|_| (0..items).map(|_| next()).collect())
        .collect();
    let table: Vec<String> = (0..rows)
        .flat_map(|i| (0..items).map(move |j| (i, j)))
        .map(|(i, j)| format!("({}, {}): {}", i + 1, j + 1, weights[i][j]))
        .collect();
    let targets: Vec<String> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| format!("{}: {}", i + 1, w.iter().sum::<u64>() / 2))
        .collect();
    let text = format!(
        "set items = 1..{items}\n\
         set rows = 1..{rows}\n\
         decide x[j in items]: bool\n\
         decide surplus[i in rows]: real >= 0\n\
         decide shortfall[i in rows]: real >= 0\n\
         param a[i in rows, j in items]: int = {{{}}}\n\
         param d[i in rows]: int = {{{}}}\n\
         constraint split[i in rows]: sum(j in items) a[i, j] * x[j] + surplus[i] - shortfall[i] == d[i]\n\
         minimize deviation: sum(i in rows) surplus[i] + sum(i in rows) shortfall[i]\n",
        table.join(", "),
        targets.join(", ")
    );
    let a = archc::driver::analyze_source(
        "split.arch",
        &text,
        None,
        &archc::analysis::AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    a.instance.expect("instance").model
}

/// Each solve has its own control: a stop requested on one HiGHS solve ends that solve with
/// its best plan, and another HiGHS solve running at the same time in the same process goes
/// on to its own end (here its time limit), never seeing the stop.
#[cfg(feature = "highs")]
#[test]
fn a_stop_on_one_highs_solve_does_not_stop_another() {
    use archc::solve::Stop;
    use std::time::Duration;
    let model = market_split();
    let stopped = SolveOptions {
        solver: Some(SolverKind::Highs),
        threads: Some(1),
        ..SolveOptions::default()
    };
    let other = SolveOptions {
        solver: Some(SolverKind::Highs),
        threads: Some(1),
        time_limit: Some(Duration::from_secs(4)),
        ..SolveOptions::default()
    };
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| milp::solve(&model, &stopped));
        let b = scope.spawn(|| milp::solve(&model, &other));
        // Both solves are under way (HiGHS has an incumbent) before the stop.
        while (stopped.control.progress().incumbent.is_none()
            || other.control.progress().incumbent.is_none())
            && !a.is_finished()
            && !b.is_finished()
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        stopped.control.request_stop();
        let a = a.join().expect("no panic").expect("HiGHS is built in");
        (a, b.join().expect("no panic").expect("HiGHS is built in"))
    });
    assert_eq!(a.stop, Some(Stop::Interrupted), "{}", a.message);
    assert_eq!(a.status, Status::Feasible);
    assert!(verify(&model, &a.values, &Tolerances::default()).is_ok());
    assert_eq!(b.stop, Some(Stop::TimeLimit), "{}", b.message);
    assert_eq!(b.status, Status::Feasible);
    assert!(verify(&model, &b.values, &Tolerances::default()).is_ok());
    assert!(!other.control.stop_requested());
}

/// A clone of a solve's options (a part, the repair, the bound of that solve) shares its
/// control; the options of another solve have their own.
#[test]
fn each_solve_has_its_own_control_and_its_clones_share_it() {
    let solve = SolveOptions::default();
    let another = SolveOptions::default();
    let part = SolveOptions {
        threads: Some(1),
        ..solve.clone()
    };
    solve.control.request_stop();
    assert!(part.control.stop_requested());
    assert!(!another.control.stop_requested());
    another.control.request_stop();
    solve.control.reset();
    assert!(!part.control.stop_requested());
    assert!(another.control.stop_requested());
}
