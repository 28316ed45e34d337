//! Tests of the affine fast path: rows, successors and affine rows against the tree
//! evaluation of the same expressions.

use super::*;
use crate::span::{FileId, Span};

fn b(op: Op2, x: CExpr, y: CExpr) -> CExpr {
    CExpr::Bin(op, Box::new(x), Box::new(y), Span::new(FileId(0), 0, 0))
}

/// Tree evaluation of one decision, as `CompiledPlan::step` does it.
fn by_tree(
    req: &[CExpr],
    next: &[CExpr],
    cost: &[CExpr],
    state: &[i64],
    d: i64,
    consts: &[f64],
) -> (f64, Vec<i64>) {
    for r in req {
        if r.eval(state, d, consts).unwrap() == 0.0 {
            return (f64::INFINITY, vec![]);
        }
    }
    let nx = next
        .iter()
        .map(|n| n.eval(state, d, consts).unwrap().round() as i64)
        .collect();
    let c = cost.iter().map(|c| c.eval(state, d, consts).unwrap()).sum();
    (c, nx)
}

/// Every (stage, state, decision) of a small grid: the rows of the affine plan equal the
/// tree evaluation, and its successors mark every allowed step with the same next state.
/// Returns how many allowed steps were compared, and how many rows took the fast path
/// for affine rows with costs and without.
/// `range` is the decisions asked for; the plan caches decision-only costs for 0..=6.
fn compare_with_trees(
    req: &[CExpr],
    next: &[CExpr],
    cost: &[CExpr],
    range: (i64, i64),
) -> (usize, (usize, usize)) {
    let table = vec![vec![40.0, 1.0, 400.0], vec![40.0, 2.0, 800.0]];
    let plan =
        AffinePlan::new(2, req, next, cost, &table, &[(0, 6), (0, 6)]).expect("affine parts");
    let mut compared = 0;
    let mut rows = (0, 0);
    for (stage, consts) in table.iter().enumerate() {
        assert!(plan.covers(stage));
        for racks in 0..30 {
            for budget in 0..12 {
                let state = [racks, budget];
                let (lo, hi) = range;
                let n = (hi - lo + 1) as usize;
                let mut next_out = vec![0; 2 * n];
                let mut costs = vec![0.0; n];
                plan.step_all(stage, &state, (lo, hi), &mut next_out, &mut costs, consts)
                    .unwrap();
                let mut succ = vec![0; 2 * n];
                let mut allowed = vec![0.0; n];
                plan.successors(stage, &state, (lo, hi), &mut succ, &mut allowed, consts)
                    .unwrap();
                // The fast path for affine rows, where it applies: the same costs bit for
                // bit, next states `base + j * step`, and every allowed step marked.
                let (mut base, mut step) = ([0i64; 2], [0i64; 2]);
                let mut row_costs = vec![0.0; n];
                let costed = plan.affine_row(
                    stage,
                    &state,
                    (lo, hi),
                    (&mut base, &mut step),
                    &mut row_costs,
                    consts,
                    true,
                );
                if costed {
                    rows.0 += 1;
                    let bits = |v: &[f64]| v.iter().map(|c| c.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&row_costs), bits(&costs), "{state:?}");
                }
                let mut row_allowed = vec![0.0; n];
                let marked = plan.affine_row(
                    stage,
                    &state,
                    (lo, hi),
                    (&mut base, &mut step),
                    &mut row_allowed,
                    consts,
                    false,
                );
                if marked {
                    rows.1 += 1;
                    for j in 0..n {
                        if costs[j].is_finite() {
                            assert!(row_allowed[j].is_finite(), "{state:?} {j}");
                            let at = [base[0] + step[0] * j as i64, base[1] + step[1] * j as i64];
                            assert_eq!(&next_out[2 * j..2 * j + 2], &at, "{state:?} {j}");
                        }
                    }
                }
                for j in 0..n {
                    let d = lo + j as i64;
                    let (c, nx) = by_tree(req, next, cost, &state, d, consts);
                    if c.is_infinite() {
                        assert!(costs[j].is_infinite(), "{state:?} {d}");
                    } else {
                        assert!((costs[j] - c).abs() < 1e-9, "{state:?} {d}");
                        assert_eq!(&next_out[2 * j..2 * j + 2], nx.as_slice());
                        assert!(allowed[j].is_finite(), "{state:?} {d}");
                        assert_eq!(&succ[2 * j..2 * j + 2], nx.as_slice());
                        compared += 1;
                    }
                }
            }
        }
    }
    (compared, rows)
}

#[test]
fn affine_rows_match_the_trees() {
    use CExpr::{Const, Decision, Stage, State};
    // next racks = racks + add - stage[1]; next budget = budget - 2 * add
    // require racks * stage[0] >= stage[2] and add <= budget / 2
    // cost = add * 3.5 + racks * stage[1] - (budget - add) / 4
    let next = vec![
        b(Op2::Sub, b(Op2::Add, State(0), Decision), Stage(1)),
        b(Op2::Sub, State(1), b(Op2::Mul, Const(2.0), Decision)),
    ];
    let req = vec![
        b(Op2::Ge, b(Op2::Mul, State(0), Stage(0)), Stage(2)),
        b(Op2::Le, Decision, b(Op2::Div, State(1), Const(2.0))),
    ];
    let cost = vec![
        b(
            Op2::Add,
            b(Op2::Mul, Decision, Const(3.5)),
            b(Op2::Mul, State(0), Stage(1)),
        ),
        CExpr::Un(
            Op1::Neg,
            Box::new(b(Op2::Div, b(Op2::Sub, State(1), Decision), Const(4.0))),
        ),
    ];
    let (compared, rows) = compare_with_trees(&req, &next, &cost, (0, 6));
    assert!(compared > 100, "too few allowed steps compared: {compared}");
    // A requirement on the decision: no costs on the fast path (but for rows the
    // requirement on the state rejects whole), successors on it.
    assert!(rows.0 < 2 * 30 * 12, "{rows:?}");
    assert!(rows.1 > 100, "{rows:?}");
}

/// Requirements on the state alone, whole next states and an affine cost: the row is
/// filled by the tightest loop.
#[test]
fn plain_rows_match_the_trees() {
    use CExpr::{Const, Decision, Stage, State};
    let next = vec![
        b(Op2::Add, State(0), Decision),
        b(Op2::Sub, State(1), b(Op2::Mul, Const(2.0), Decision)),
    ];
    let req = vec![b(Op2::Ge, b(Op2::Mul, State(0), Stage(0)), Stage(2))];
    let cost = vec![b(
        Op2::Add,
        b(Op2::Mul, Decision, Const(3.5)),
        b(Op2::Mul, State(0), Stage(1)),
    )];
    let (compared, rows) = compare_with_trees(&req, &next, &cost, (0, 6));
    assert!(compared > 100, "too few allowed steps compared: {compared}");
    // Every row takes the fast path, with costs and without.
    assert_eq!(rows, (2 * 30 * 12, 2 * 30 * 12));
}

/// A tiered price that reads only the decision (cached per stage) and a fixed order cost
/// keep the fast path; requirements and next states as in a rack plan with a lead time.
#[test]
fn decision_only_costs_keep_the_fast_path() {
    use CExpr::{Const, Decision, Stage, State};
    let tier = b(Op2::Mul, b(Op2::Min, Decision, Const(2.0)), Const(10.0));
    let fixed = CExpr::If(
        Box::new(b(Op2::Gt, Decision, Const(0.0))),
        Box::new(Stage(2)),
        Box::new(Const(0.0)),
    );
    let cost = vec![tier, fixed, b(Op2::Mul, State(0), Stage(1))];
    let req = vec![b(Op2::Ge, b(Op2::Mul, State(0), Stage(0)), Stage(2))];
    let next = vec![b(Op2::Add, State(0), State(1)), Decision];
    let (compared, rows) = compare_with_trees(&req, &next, &cost, (0, 6));
    assert!(compared > 100, "too few allowed steps compared: {compared}");
    assert_eq!(rows, (2 * 30 * 12, 2 * 30 * 12));
    // Decisions past the cached range: no fast path with costs (but for rejected rows).
    let (_, rows) = compare_with_trees(&req, &next, &cost, (-2, 9));
    assert!(rows.0 < 2 * 30 * 12, "{rows:?}");
}

#[test]
fn mixed_plans_match_the_trees() {
    use CExpr::{Const, Decision, Stage, State};
    // A tiered price (min, max, if), a requirement that is not affine after an affine
    // one on the state, and a next state capped with min.
    let tier = b(
        Op2::Add,
        b(Op2::Mul, b(Op2::Min, Decision, Const(2.0)), Const(10.0)),
        b(
            Op2::Mul,
            b(Op2::Max, b(Op2::Sub, Decision, Const(2.0)), Const(0.0)),
            Const(8.5),
        ),
    );
    let fixed = CExpr::If(
        Box::new(b(Op2::Gt, Decision, Const(0.0))),
        Box::new(Stage(2)),
        Box::new(Const(0.0)),
    );
    let cost = vec![tier, fixed, b(Op2::Mul, State(0), Stage(1))];
    let req = vec![
        b(Op2::Ge, b(Op2::Mul, State(0), Stage(0)), Stage(2)),
        b(
            Op2::Le,
            b(Op2::Mul, Decision, Decision),
            b(Op2::Mul, State(1), Const(3.0)),
        ),
        b(Op2::Ge, State(1), Decision),
    ];
    let next = vec![
        b(Op2::Min, b(Op2::Add, State(0), Decision), Const(31.0)),
        b(Op2::Sub, State(1), Decision),
    ];
    // Decisions inside the cached range, and reaching past it on both sides.
    for range in [(0, 6), (-2, 9)] {
        let (compared, _) = compare_with_trees(&req, &next, &cost, range);
        assert!(compared > 100, "too few allowed steps compared: {compared}");
    }
}

#[test]
fn non_affine_parts_and_zero_divisors_use_the_trees() {
    use CExpr::{Const, Decision, Stage, State};
    let table = vec![vec![0.0], vec![2.0]];
    // Nothing affine: no plan (the trees alone are as fast).
    let cost = vec![b(Op2::Mul, State(0), Decision)];
    assert!(AffinePlan::new(
        1,
        &[],
        &[b(Op2::Mul, State(0), State(0))],
        &cost,
        &table,
        &[(0, 2); 2]
    )
    .is_none());
    // A data divisor that is zero at stage 0: that stage falls back.
    let cost = vec![b(Op2::Div, Decision, Stage(0))];
    let plan = AffinePlan::new(1, &[], &[State(0)], &cost, &table, &[(0, 2); 2]).expect("affine");
    assert!(!plan.covers(0));
    assert!(plan.covers(1));
    // A next state that is not whole is an error naming the decision.
    let next = vec![b(Op2::Div, Decision, Const(2.0))];
    let plan = AffinePlan::new(1, &[], &next, &[], &table, &[(0, 2); 2]).expect("affine");
    let (mut nx, mut costs) = (vec![0; 3], vec![0.0; 3]);
    let err = plan.step_all(1, &[0], (0, 2), &mut nx, &mut costs, &table[1]);
    assert!(
        matches!(&err, Err((1, e)) if e.to_string().contains("0.5")),
        "{err:?}"
    );
}
