//! The DP compiler reads the plan's HIR: plan variables are the state and `choose` slots,
//! a user function's parameters stand for its arguments (whatever their names shadow), a
//! function body's free names are the globals the checker resolved them to, and per-stage
//! data goes through the compiled data expressions, the evaluator taking only what they
//! leave. Each plan's tree is compared with the expected one and its DP optimum with a hand
//! computation.

use super::CompiledPlan;
use crate::analysis::AnalyzeOptions;
use crate::backends::dp::{solve, DpBudget};
use crate::plan::compile::{CExpr, Op1, Op2};
use crate::plan::BackendChoice;

/// The compiled plans of a model analysed for the DP backend.
fn plans(src: &str) -> Vec<CompiledPlan> {
    let options = AnalyzeOptions {
        instantiate: true,
        backend: BackendChoice::Dp,
        ..Default::default()
    };
    let mut a = crate::driver::analyze_source("t.arch", src, None, &options);
    let messages: Vec<String> = a
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(!a.has_errors(), "{messages:?}");
    a.instance.take().expect("an instance").dp_plans
}

/// A tree without its spans: `x0` is state 0, `d` the decision, `s0` column 0 of the stage
/// table.
fn show(e: &CExpr) -> String {
    let op = |o: &Op2| match o {
        Op2::Add => "+",
        Op2::Sub => "-",
        Op2::Mul => "*",
        Op2::Div => "/",
        Op2::Eq => "==",
        Op2::Ge => ">=",
        Op2::Min => "min",
        Op2::Max => "max",
        other => panic!("{other:?}"),
    };
    match e {
        CExpr::Const(v) => format!("{v}"),
        CExpr::Stage(k) => format!("s{k}"),
        CExpr::State(i) => format!("x{i}"),
        CExpr::Decision => "d".into(),
        CExpr::Un(Op1::Neg, x) => format!("-{}", show(x)),
        CExpr::Bin(o, a, b, _) => format!("({} {} {})", show(a), op(o), show(b)),
        CExpr::Chain {
            first,
            links,
            right: false,
        } => {
            let rest: String = links
                .iter()
                .map(|(o, x, _)| format!(" {} {}", op(o), show(x)))
                .collect();
            format!("({}{rest})", show(first))
        }
        other => panic!("{other:?}"),
    }
}

fn optimum(p: &CompiledPlan) -> f64 {
    solve(p, &DpBudget::default()).expect("a DP optimum").cost
}

/// A plan whose function `tariff` has parameters named like its state and like a param.
const TARIFF: &str = "set quarters = 1..4
param price[q in quarters]: real = q + 1
fn tariff(stock, price) = stock * price + price / 2
plan p over q in quarters {
    state stock: 0..10 = 0
    choose buy: 0..4
    next stock = stock + buy - 1
    cost = tariff(price[q], buy) - buy / 2
    cost = tariff(stock, 0.5) - 0.25
}";

/// `tariff`'s parameters are named like the plan's state (`stock`) and like a param
/// (`price`), and each call passes them the other kind of value: per-stage data and the
/// decision, then the state and a constant. Stage cost `(q + 1) * buy + stock / 2`:
/// buying the four units all in the first, cheapest quarter costs `4 * 2 + (3 + 2 + 1) / 2
/// = 11`, less than any other way.
#[test]
fn fn_parameters_named_like_a_state_and_a_param_stand_for_their_arguments() {
    let plans = plans(TARIFF);
    let p = &plans[0];
    assert_eq!(show(&p.next[0]), "(x0 + d - 1)");
    assert_eq!(show(&p.costs[0]), "(((s0 * d) + (d / 2)) - (d / 2))");
    assert_eq!(show(&p.costs[1]), "(((x0 * 0.5) + 0.25) - 0.25)");
    let column: Vec<f64> = p.table.iter().map(|row| row[0]).collect();
    assert_eq!(column, [2.0, 3.0, 4.0, 5.0]);
    assert_eq!(p.data_runs.evaluated, 0, "{:?}", p.data_runs);
    assert!(p.data_runs.compiled >= 4, "{:?}", p.data_runs);
    let sol = solve(p, &DpBudget::default()).expect("a DP optimum");
    assert_eq!(sol.cost, 11.0);
    assert_eq!(sol.decisions, [4, 0, 0, 0]);
}

/// `extra`'s body reads the global param `level`, which the plan's state of the same name
/// shadows only at the call site. The checker resolves the body's `level` to the param (3);
/// a compiler that substitutes the body's text into the call site reads the state instead.
/// Stage cost `(buy + 3) * 2q`, one unit used per quarter: buying all four units in the
/// first quarter costs `7 * 2 + 3 * (4 + 6 + 8) = 68`, the optimum the MILP lowering finds
/// too (`tests/plans.rs` solves it end to end, the answer replay-verified).
#[test]
fn a_fn_body_reads_the_global_its_caller_shadows() {
    let plans = plans(
        "set quarters = 1..4
param level: real = 3
param price[q in quarters]: real = q * 2
fn extra(x) = x + level
plan p over q in quarters {
    state level: 0..10 = 0
    choose buy: 0..5
    next level = level + buy - 1
    cost = extra(buy) * price[q]
}",
    );
    let p = &plans[0];
    assert_eq!(show(&p.costs[0]), "((d + 3) * s0)");
    assert_eq!(optimum(p), 68.0);
}

/// `w[prev(t)]` is outside the compiled data fragment: the `if` around it is evaluated in
/// `carry`'s body with `t` bound to the stage, and only in the arm it takes (`prev` of the
/// first quarter would be an error). Holding costs 1, 1, 4, 9 per unit in quarters 1..4,
/// buying `3q`: units for quarters 1..3 bought in the first (3 + 4 + 8), the last in the
/// last (12): 27.
#[test]
fn data_outside_the_compiled_fragment_is_evaluated_in_the_fn_body() {
    let plans = plans(
        "set quarters = 1..4
param w[q in quarters]: real = q * q
fn carry(level, t) = level * (if t == first(quarters) then 1 else w[prev(t)])
plan p over q in quarters {
    state level: 0..10 = 0
    choose buy: 0..4
    next level = level + buy - 1
    cost = carry(level, q) + buy * (3 * q)
}",
    );
    let p = &plans[0];
    assert_eq!(show(&p.costs[0]), "((x0 * s0) + (d * s1))");
    let holding: Vec<f64> = p.table.iter().map(|row| row[0]).collect();
    assert_eq!(holding, [1.0, 1.0, 4.0, 9.0]);
    let price: Vec<f64> = p.table.iter().map(|row| row[1]).collect();
    assert_eq!(price, [3.0, 6.0, 9.0, 12.0]);
    assert!(p.data_runs.evaluated >= 4, "{:?}", p.data_runs);
    assert_eq!(optimum(p), 27.0);
}

/// A `sum` whose variable is named like the state reads no plan variable: it is data (6),
/// not a sum over plan variables (which the DP backend refuses, E0618). One unit used per
/// quarter at `buy * 6`: 24.
#[test]
fn a_sum_whose_variable_shadows_a_state_is_data() {
    let plans = plans(
        "set quarters = 1..4
set items = 1..3
param w[i in items]: real = i
plan p over q in quarters {
    state stock: 0..10 = 0
    choose buy: 0..5
    next stock = stock + buy - 1
    cost = buy * sum(stock in items) w[stock]
}",
    );
    let p = &plans[0];
    assert_eq!(show(&p.costs[0]), "(d * 6)");
    assert_eq!(optimum(p), 24.0);
}

/// The replay that verifies a DP answer evaluates the plan from its HIR, apart from the
/// compiled stage code the DP ran: it gives back the optimum's cost for the DP's own
/// trajectory and refuses one whose decision, state or requirement is wrong.
#[test]
fn the_replay_recomputes_the_cost_from_the_hir_and_refuses_a_wrong_trajectory() {
    let options = AnalyzeOptions {
        instantiate: true,
        backend: BackendChoice::Dp,
        ..Default::default()
    };
    // `tariff`'s model with a requirement the answer must meet.
    let src = TARIFF.replace(
        "    cost = tariff(price[q]",
        "    require stock + buy >= 1\n    cost = tariff(price[q]",
    );
    assert!(src.contains("require"));
    let mut a = crate::driver::analyze_source("t.arch", &src, None, &options);
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let schema = a.schema.take().expect("schema");
    let hir = a.hir.take().expect("HIR");
    let mut instance = a.instance.take().expect("an instance");
    let world = std::mem::take(&mut instance.world);
    let p = &instance.dp_plans[0];
    let sol = solve(p, &DpBudget::default()).expect("a DP optimum");
    let mut inst = crate::instantiate::Inst::resume(&schema, &mut a.sources, world);
    inst.hir = Some(&hir);
    let replayed = inst
        .replay_plan(p, &sol.decisions, &sol.states)
        .expect("the DP's own answer replays");
    assert_eq!(replayed, 11.0);
    assert_eq!(replayed, sol.cost);
    let code = |r: Result<f64, crate::diagnostics::Diagnostic>| r.map_err(|d| d.code);
    let wrong = crate::diagnostics::Code::E0702;
    // A state that does not follow `next stock = stock + buy - 1`.
    let mut states = sol.states.clone();
    states[2][0] += 1;
    assert_eq!(
        code(inst.replay_plan(p, &sol.decisions, &states)),
        Err(wrong)
    );
    // A decision outside `choose buy: 0..4`.
    let mut decisions = sol.decisions.clone();
    decisions[0] = 5;
    assert_eq!(
        code(inst.replay_plan(p, &decisions, &sol.states)),
        Err(wrong)
    );
    // Buying nothing in the first quarter: `stock + buy >= 1` fails (and the state would
    // leave its range).
    let decisions = [0, 1, 1, 1];
    let states = vec![vec![0], vec![0], vec![0], vec![0], vec![0]];
    assert_eq!(code(inst.replay_plan(p, &decisions, &states)), Err(wrong));
}

/// The checker refuses a state without a start (E0308, fixture
/// `types/err/plan_state_without_start.arch`): the DP compiler meets one only in a HIR the
/// checker did not make, and says so (E0750) rather than choosing a start.
#[test]
fn a_state_without_a_start_is_an_internal_error_of_the_dp_compiler() {
    let mut a = crate::driver::analyze_source("t.arch", TARIFF, None, &Default::default());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let schema = a.schema.take().expect("schema");
    let mut hir = a.hir.take().expect("HIR");
    assert!(hir.plans[0].body.states[0].init.is_some());
    hir.plans[0].body.states[0].init = None;
    let limits = crate::instantiate::Limits::default();
    let (inst, diags) =
        crate::instantiate::instantiate(&schema, &hir, &mut a.sources, limits, true);
    assert!(inst.is_none());
    let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, [crate::diagnostics::Code::E0750], "{diags:?}");
}
