//! The HIR of a small model, node by node: ids for globals, slots for index variables and
//! function parameters, inlined `fn` bodies, and the types and units the checker found.

use super::*;
use crate::check::{Global, Schema, Ty};
use crate::syntax::ast::{AggKind, BinOp, CmpOp};

const MODEL: &str = "\
use std.infra
region us-east { cores: 4_000 core, price: 0.031 usd/core/h }
region eu-west { cores: 2_000 core, price: 0.036 usd/core/h }
param hours: h = 730 h
param need[r in regions]: core = {us-east: 10 core, eu-west: 20 core}
decide used[r in regions]: int >= 0
fn bill(x) = x.price * x.cores * hours
constraint fit[r in regions]: sum(q in regions where q != r) used[q] * 1 core <= r.cores - need[r]
minimize cost: sum(r in regions) bill(r) * used[r]
";

fn lowered() -> (Schema, Model) {
    let a = crate::driver::analyze_source("hir.arch", MODEL, None, &Default::default());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let hir = a.hir.expect("a clean model has its HIR");
    (a.schema.expect("checked"), hir)
}

fn global(schema: &Schema, name: &str) -> Global {
    *schema.globals.get(name).expect("declared")
}

#[test]
fn a_constraint_refers_by_id_and_slot_with_types() {
    let (schema, hir) = lowered();
    let Global::Constraint(fit) = global(&schema, "fit") else {
        panic!("fit")
    };
    let (Global::Set(regions), Global::Decision(used), Global::Param(need)) = (
        global(&schema, "regions"),
        global(&schema, "used"),
        global(&schema, "need"),
    ) else {
        panic!("globals")
    };
    let c = &hir.constraints[fit];
    let names: Vec<&str> = c.slots.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["r", "q"]);
    let [r] = c.body.index.binders.as_slice() else {
        panic!("one binder")
    };
    assert!(matches!(r.set.kind, ExprKind::Set(s) if s.index() == regions));
    assert_eq!(c.body.body.ty, Ty::Bool);
    let ExprKind::Compare(lhs, rhs) = &c.body.body.kind else {
        panic!("{:?}", c.body.body.kind)
    };
    // The sum: `q` bound to slot 1, filtered against slot 0, over `used[q]`.
    let ExprKind::Agg {
        kind: AggKind::Sum,
        index,
        body: Some(body),
        ..
    } = &lhs.kind
    else {
        panic!("{:?}", lhs.kind)
    };
    assert!(lhs.var);
    assert_eq!(index.binders[0].slot, SlotId(1));
    let filter = index.filter.as_ref().expect("filter");
    let ExprKind::Compare(a, links) = &filter.kind else {
        panic!("filter")
    };
    assert!(matches!(a.kind, ExprKind::Slot(SlotId(1))));
    assert!(matches!(
        links[0],
        (
            CmpOp::Ne,
            _,
            Expr {
                kind: ExprKind::Slot(SlotId(0)),
                ..
            }
        )
    ));
    let ExprKind::Chain(x, ops) = &body.kind else {
        panic!("body")
    };
    let ExprKind::Decision(d, args) = &x.kind else {
        panic!("decision")
    };
    assert_eq!(d.index(), used);
    assert!(matches!(
        args[..],
        [Expr {
            kind: ExprKind::Slot(SlotId(1)),
            ..
        }]
    ));
    assert_eq!(ops[0].0, BinOp::Mul);
    let core = schema.unit("core");
    assert!(matches!(lhs.ty, Ty::Num { unit, .. } if unit.same_dim(&core)));
    // The bound: `r.cores - need[r]`, in cores.
    let [(CmpOp::Le, op_span, bound)] = rhs.as_slice() else {
        panic!("bound")
    };
    // The operator keeps its own span (rows and explanations point at it).
    assert_eq!(&MODEL[op_span.start as usize..op_span.end as usize], "<=");
    assert!(!bound.var);
    assert!(matches!(bound.ty, Ty::Num { unit, .. } if unit.same_dim(&core)));
    let ExprKind::Chain(first, rest) = &bound.kind else {
        panic!("bound")
    };
    let ExprKind::Attr(base, kind, attr) = &first.kind else {
        panic!("{:?}", first.kind)
    };
    assert!(matches!(base.kind, ExprKind::Slot(SlotId(0))));
    assert_eq!(schema.kinds[kind.index()].attrs[attr.index()].name, "cores");
    assert!(
        matches!(&rest[0], (BinOp::Sub, Expr { kind: ExprKind::Param(p, a), .. }) if p.index() == need && a.len() == 1)
    );
}

#[test]
fn a_function_call_is_inlined_with_its_parameter_as_a_slot() {
    let (schema, hir) = lowered();
    let Global::Fn(bill) = global(&schema, "bill") else {
        panic!("bill")
    };
    let Global::Param(hours) = global(&schema, "hours") else {
        panic!("hours")
    };
    let o = &hir.objectives[0];
    let ExprKind::Agg {
        body: Some(body), ..
    } = &o.body.body.kind
    else {
        panic!("sum")
    };
    let ExprKind::Chain(call, _) = &body.kind else {
        panic!("product")
    };
    let ExprKind::Inline {
        func,
        params,
        args,
        body,
    } = &call.kind
    else {
        panic!("{:?}", call.kind)
    };
    assert_eq!(func.map(|f| f.index()), Some(bill));
    assert!(matches!(
        args[..],
        [Expr {
            kind: ExprKind::Slot(SlotId(0)),
            ..
        }]
    ));
    assert_eq!(o.slots[params[0].index()].name, "x");
    assert!(!call.var, "the body reads data only");
    let usd = schema.unit("usd");
    assert!(matches!(call.ty, Ty::Num { unit, .. } if unit.same_dim(&usd)));
    let mut reads_param = false;
    let mut reads_parameter = false;
    body.walk(|n| match &n.kind {
        ExprKind::Param(p, _) if p.index() == hours => reads_param = true,
        ExprKind::Attr(b, ..) => {
            reads_parameter |= matches!(b.kind, ExprKind::Slot(s) if s == params[0])
        }
        _ => {}
    });
    assert!(reads_param && reads_parameter);
    assert!(matches!(o.body.body.ty, Ty::Num { unit, .. } if unit.same_dim(&usd)));
    assert!(o.body.body.var);
}

#[test]
fn a_param_table_keys_name_entities_of_the_index_kind() {
    let (schema, hir) = lowered();
    let Global::Param(need) = global(&schema, "need") else {
        panic!("need")
    };
    let ParamValue::Table(rows) = &hir.params[need].body.value else {
        panic!("table")
    };
    let keys: Vec<&str> = rows
        .iter()
        .map(|(k, _)| match &k[0].kind {
            ExprKind::Entity(name, Some(_)) => name.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(keys, ["us-east", "eu-west"]);
}

#[test]
fn a_model_with_errors_has_no_hir() {
    let bad = MODEL.replace("need[r]", "need[r, r]");
    let a = crate::driver::analyze_source("bad.arch", &bad, None, &Default::default());
    assert!(a.has_errors());
    assert!(a.hir.is_none());
}

/// `forecast(...)` and `aggregate(...)` name their history by the param's id: instantiation
/// reads it from here, not by name.
#[test]
fn forecast_and_aggregate_params_refer_to_their_history_by_id() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/capacity/monthly.arch");
    let a = crate::driver::analyze(&path, &Default::default());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let (schema, hir) = (a.schema.expect("checked"), a.hir.expect("HIR"));
    let param = |name: &str| match global(&schema, name) {
        Global::Param(p) => p,
        g => panic!("{name}: {g:?}"),
    };
    let (usage, demand, peak) = (param("usage"), param("demand"), param("peak"));
    // The keys given to the history (`usage[r]`, `demand[r]`) are the param's first slot.
    let first_slot = |p: usize| hir.params[p].body.index.binders[0].slot;
    let is_slot = |keys: &[crate::hir::Expr], s| matches!(keys, [k] if matches!(k.kind, crate::hir::ExprKind::Slot(x) if x == s));
    match &hir.params[demand].body.value {
        ParamValue::Forecast {
            history,
            keys,
            path,
        } => {
            assert_eq!(history.index(), usage);
            assert!(is_slot(keys, first_slot(demand)), "{keys:?}");
            assert!(path.is_none());
        }
        v => panic!("demand: {v:?}"),
    }
    match &hir.params[peak].body.value {
        ParamValue::Aggregate { history, keys } => {
            assert_eq!(history.index(), demand);
            assert!(is_slot(keys, first_slot(peak)), "{keys:?}");
        }
        v => panic!("peak: {v:?}"),
    }
}

/// A plan's statements are typed twice: as the DP backend reads them (its states are data)
/// and as the MILP lowering does (they are decisions). A product of two states is fine for
/// DP and is the reason, kept apart, why the plan cannot go to MILP; the model has no error.
#[test]
fn a_plan_is_typed_for_dp_and_for_milp() {
    let model = |cost: &str| {
        format!(
            "set quarters = 1..3\n\
             plan build over q in quarters {{\n\
             \x20   state racks: 0..10 = 0\n\
             \x20   choose add: 0..4\n\
             \x20   next racks = racks + add\n\
             \x20   cost = {cost}\n\
             }}\n"
        )
    };
    let plan_of = |text: &str| {
        let a = crate::driver::analyze_source("plan.arch", text, None, &Default::default());
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        a.hir.expect("HIR").plans.remove(0).body
    };
    let cost = |stmts: &[(PlanStmt, crate::span::Span)]| {
        stmts
            .iter()
            .find_map(|(s, _)| match s {
                PlanStmt::Cost(e) => Some(e.clone()),
                _ => None,
            })
            .expect("a cost")
    };
    let linear = plan_of(&model("add * 10 + racks"));
    assert!(!cost(&linear.stmts).var, "states are data for DP");
    assert!(linear.milp.errors.is_empty(), "{:?}", linear.milp.errors);
    assert_eq!(linear.milp.stmts.len(), linear.stmts.len());
    assert!(
        cost(&linear.milp.stmts).var,
        "states are decisions for MILP"
    );

    let product = plan_of(&model("racks * add"));
    assert!(!cost(&product.stmts).var);
    let codes: Vec<_> = product.milp.errors.iter().map(|d| d.code).collect();
    assert_eq!(codes, [crate::diagnostics::Code::E0601]);
    assert!(product.milp.stmts.is_empty());
}
