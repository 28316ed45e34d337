//! The HIR evaluator on its own: function arguments read where the body reads them, joins
//! seen through a function's parameters, decisions over sets that read an earlier index
//! variable, tables, and the internal error for what the checker refuses.

use super::super::{instantiate, Inst, Limits};
use super::*;
use crate::analysis::AnalyzeOptions;
use crate::driver::analyze_source;

/// The schema and instance of model `text`.
fn instance(text: &str) -> (crate::check::Schema, super::super::Instance) {
    super::super::instantiated(analyze_source(
        "t.arch",
        text,
        None,
        &AnalyzeOptions::default(),
    ))
}

fn value(
    schema: &crate::check::Schema,
    inst: &super::super::Instance,
    p: &str,
    at: &[&str],
) -> f64 {
    let id = schema.params.iter().position(|x| x.name == p).expect(p);
    let key: Vec<ElemId> = at
        .iter()
        .map(|s| inst.world.elems.iter().position(|e| e.name == *s).expect(s) as ElemId)
        .collect();
    match inst.world.params[id].as_ref().and_then(|t| t.get(&key)) {
        Some(Value::Num(x)) => x,
        other => panic!("{p}{at:?} = {other:?}"),
    }
}

#[test]
fn function_arguments_are_read_where_the_body_reads_them() {
    let text = "set sites = {north, south}
param cap[s in sites]: real = {north: 5, south: 7}
param zero: real = 0
fn pick(x) = sum(t in sites where t == x) cap[t]
fn picked_back(x) = sum(t in sites where x == t) cap[t] * 2
fn guarded(on, v) = if on then v else 1
param p[s in sites]: real = pick(s) + picked_back(s)
param g[s in sites]: real = guarded(s == north, cap[s] / zero)
decide x[s in sites]: real >= 0 <= p[s] + g[s]
minimize total: sum(s in sites) x[s]
";
    let mut a = analyze_source("t.arch", text, None, &AnalyzeOptions::default());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let schema = a.schema.take().expect("schema");
    let hir = a.hir.take().expect("HIR");
    let (_, diags) = instantiate(&schema, &hir, &mut a.sources, Limits::default(), false);
    // `g[north]` reads its argument `cap[north] / zero`: division by zero, named with the
    // tuple. `g[south]` never reads it.
    let errors: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {} {:?}", d.code.as_str(), d.message, d.notes))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("E0607 division by zero"),
        "{errors:?}"
    );
    assert!(errors[0].contains("in `g[north]`"), "{errors:?}");

    let (schema, inst) = instance(&text.replace("cap[s] / zero", "cap[s] / 2"));
    // pick(s) + picked_back(s): the joins see through the parameter to `s`.
    assert_eq!(value(&schema, &inst, "p", &["north"]), 15.0);
    assert_eq!(value(&schema, &inst, "p", &["south"]), 21.0);
    assert_eq!(value(&schema, &inst, "g", &["north"]), 2.5);
    assert_eq!(value(&schema, &inst, "g", &["south"]), 1.0);
}

#[test]
fn decisions_over_sets_that_read_an_earlier_variable_get_a_column_per_tuple() {
    let (schema, inst) = instance(
        "set weeks = 1..4
param span[w in weeks, v in w..4]: real = v - w
decide x[w in weeks, v in w..4]: real >= 0 <= span[w, v]
minimize total: sum(w in weeks, v in w..4) x[w, v]
",
    );
    assert_eq!(value(&schema, &inst, "span", &["1", "4"]), 3.0);
    let cols = &inst.decisions[0];
    assert!(!cols.dense);
    // 4 + 3 + 2 + 1 tuples, each with its own column and bound.
    assert_eq!(cols.count, 10);
    let ubs: Vec<f64> = inst.model.columns.iter().map(|c| c.ub).collect();
    assert_eq!(ubs, [0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 0.0, 1.0, 0.0]);
}

#[test]
fn tables_and_sets_take_their_values_from_the_hir() {
    let (schema, inst) = instance(
        "set sites = {north, south, east}
set busy = {s in sites where s != east}
param w[s in busy, k in 1..2]: int = {(north, 1): 3, (north, 2): 4, (south, 1): 5, (south, 2): 6}
param total: real = sum(s in busy, k in 1..2) w[s, k]
decide x: real >= 0 <= total
maximize best: x
",
    );
    assert_eq!(value(&schema, &inst, "w", &["south", "2"]), 6.0);
    assert_eq!(inst.model.columns[0].ub, 18.0);
    let busy = schema
        .sets
        .iter()
        .position(|s| s.name == "busy")
        .expect("busy");
    let names: Vec<&str> = inst.world.sets[busy]
        .as_ref()
        .expect("evaluated")
        .elems
        .iter()
        .map(|&e| inst.world.name(e))
        .collect();
    assert_eq!(names, ["north", "south"]);
}

#[test]
fn a_decision_in_a_data_expression_is_an_internal_error() {
    // The checker refuses decisions where data is required, so the HIR evaluator meets one
    // only through a bug: it says so (E0750) instead of guessing a value.
    let text = "decide x: real >= 0 <= 1\nminimize m: x\n";
    let mut a = analyze_source("t.arch", text, None, &AnalyzeOptions::default());
    let schema = a.schema.take().expect("schema");
    let hir = a.hir.take().expect("HIR");
    let body = &hir.objectives[0].body.body;
    assert!(matches!(body.kind, ExprKind::Decision(..)));
    let mut inst = Inst::new(&schema, &hir, &mut a.sources, Limits::default());
    let err = inst.h_eval(body).expect_err("a decision is no data");
    assert_eq!(err.code, Code::E0750);
}

#[test]
fn a_param_read_from_a_file_over_a_dependent_set_loads_each_row() {
    // `gap[w in weeks, v in w..4] from "..."`: `v`'s set reads `w`, so a row's `v` is looked
    // up among the values `v` takes (the file holds `v - w` for each of the 10 tuples).
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../archc-cli/tests/fixtures/data/ok/dependent_index.arch");
    let (schema, inst) =
        super::super::instantiated(crate::driver::analyze(&path, &AnalyzeOptions::default()));
    assert_eq!(value(&schema, &inst, "gap", &["1", "4"]), 3.0);
    assert_eq!(value(&schema, &inst, "gap", &["3", "4"]), 1.0);
    let ubs: Vec<f64> = inst.model.columns.iter().map(|c| c.ub).collect();
    assert_eq!(ubs, [0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 0.0, 1.0, 0.0]);
}

#[test]
fn forms_the_checker_refuses_in_data_are_internal_errors() {
    // Each of these is a coded error of the checker (E0306, E0307); the evaluator meets one
    // only in a HIR the checker did not make, and says so (E0750).
    let text = "param t: real = sum(i in 1..3) i
param b: bool = 2 in {1, 2}
param w: real = min(i in 1..3) i
";
    let mut a = analyze_source("t.arch", text, None, &AnalyzeOptions::default());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let schema = a.schema.take().expect("schema");
    let mut hir = a.hir.take().expect("HIR");
    fn value(hir: &mut crate::hir::Model, p: usize) -> &mut Expr {
        match &mut hir.params[p].body.value {
            crate::hir::ParamValue::Expr(e) => e,
            other => panic!("{other:?}"),
        }
    }
    // `sum` and `min` without a body.
    for p in [0, 2] {
        let ExprKind::Agg { body, .. } = &mut value(&mut hir, p).kind else {
            panic!("an aggregate")
        };
        *body = None;
    }
    // `in` with a number on its right.
    let ExprKind::Compare(_, links) = &mut value(&mut hir, 1).kind else {
        panic!("a comparison")
    };
    links[0].2.kind = ExprKind::Number(3.0);
    let number = Expr {
        kind: ExprKind::Number(1.0),
        ty: crate::check::Ty::count(),
        var: false,
        span: crate::span::Span::default(),
    };
    let mut inst = Inst::new(&schema, &hir, &mut a.sources, Limits::default());
    for (p, param) in hir.params.iter().enumerate() {
        let crate::hir::ParamValue::Expr(e) = &param.body.value else {
            panic!("param {p} has a value expression")
        };
        let err = inst.h_eval(e).expect_err("refused by the checker");
        assert_eq!(err.code, Code::E0750, "param {p}: {}", err.message);
    }
    // A number where a set is required.
    let err = inst.h_set(&number).expect_err("a number is no set");
    assert_eq!(err.code, Code::E0750);
}

/// `prob(x)` of an element that is no scenario is E0341 of the checker; instantiation meets
/// one only in a HIR the checker did not make, and says so (E0750).
#[test]
fn a_scenario_that_is_none_is_an_internal_error() {
    let text = "region a {}
region b {}
set n1 = fail_k(regions, 1)
param total: real = sum(s in n1) prob(s)
decide z: real >= 0 <= 1
minimize m: z + total
";
    let mut a = analyze_source("s.arch", text, None, &AnalyzeOptions::default());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let schema = a.schema.take().expect("schema");
    let mut hir = a.hir.take().expect("HIR");
    let (inst, diags) = instantiate(&schema, &hir, &mut a.sources, Limits::default(), false);
    assert!(inst.is_some() && diags.is_empty(), "{diags:?}");
    // `prob(a)`: the region instead of the scenario.
    let region = schema.kind_by_name("region").expect("built-in kind");
    let crate::hir::ParamValue::Expr(e) = &mut hir.params[0].body.value else {
        panic!("a value expression")
    };
    let ExprKind::Agg {
        body: Some(body), ..
    } = &mut e.kind
    else {
        panic!("a sum")
    };
    let ExprKind::Builtin(_, args) = &mut body.kind else {
        panic!("prob")
    };
    args[0].kind = ExprKind::Entity("a".into(), Some(region.into()));
    let (inst, diags) = instantiate(&schema, &hir, &mut a.sources, Limits::default(), false);
    assert!(inst.is_none());
    let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::E0750], "{diags:?}");
}
