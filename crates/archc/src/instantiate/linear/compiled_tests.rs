//! The compiled linear path reads the HIR: a constraint's HIR expression compiles to the
//! expected code (ids for the decision, the attribute and the set; slots for the index
//! variables), and without the HIR nothing is compiled while the rows stay the same.

use super::compiled::{Code, Num};
use crate::check::{Global, Schema};
use crate::hir::{self, ExprKind};
use crate::instantiate::{instantiate_with, Inst, Limits};

const MODEL: &str = "
kind site { capacity: int = 0, open_cost: real = 0 }
kind job { demand: int = 0 }
site r1 { capacity: 5, open_cost: 10 }
site r2 { capacity: 3, open_cost: 7 }
job s1 { demand: 2 }
job s2 { demand: 3 }
decide open[s in sites]: bool
decide assign[j in jobs, s in sites]: bool
constraint cap[s in sites]: sum(j in jobs) j.demand * assign[j, s] <= s.capacity * open[s]
minimize total: sum(s in sites) s.open_cost * open[s] - 2 * sum(s in sites) open[s] / 4
";

fn analyzed() -> crate::analysis::Analysis {
    let a = crate::driver::analyze_source("t.arch", MODEL, None, &Default::default());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    a
}

fn global(schema: &Schema, name: &str) -> Global {
    *schema.globals.get(name).expect("declared")
}

/// An instantiation with the entities loaded and every decision's columns made.
fn with_columns<'a>(
    schema: &'a Schema,
    model: &'a hir::Model,
    sources: &'a mut crate::source::SourceMap,
) -> Inst<'a> {
    let mut inst = Inst::new(schema, model, sources, Limits::default());
    inst.load_entities();
    for d in 0..schema.decisions.len() {
        inst.instantiate_decision(d).expect("columns");
    }
    inst
}

/// The left side of constraint `c`, a comparison.
fn left_side(model: &hir::Model, c: usize) -> &hir::Expr {
    let ExprKind::Compare(lhs, _) = &model.constraints[c].body.body.kind else {
        panic!("a comparison")
    };
    lhs
}

#[test]
fn a_constraint_side_compiles_from_its_hir_to_ids_and_slots() {
    let mut a = analyzed();
    let schema = a.schema.take().expect("schema");
    let model = a.hir.take().expect("HIR");
    let (Global::Constraint(cap), Global::Decision(assign), Global::Set(jobs)) = (
        global(&schema, "cap"),
        global(&schema, "assign"),
        global(&schema, "jobs"),
    ) else {
        panic!("globals")
    };
    let job = schema
        .kinds
        .iter()
        .position(|k| k.name == "job")
        .expect("job");
    let mut inst = with_columns(&schema, &model, &mut a.sources);
    inst.enter_constraint_hir(cap);
    let lhs = left_side(&model, cap);
    let compiled = inst.compile_lin(lhs).expect("the sum compiles");
    // `sum(j in jobs)`: slot 0 runs over the set `jobs`; `s`, the constraint's index
    // variable, is slot 1, read from the index tuple (position 0).
    let Code::Sum { pre, levels, body } = &compiled.code else {
        panic!("{:?}", compiled.code)
    };
    assert!(pre.is_empty());
    assert_eq!(levels.len(), 1);
    assert_eq!(levels[0].slot, 0);
    assert!(std::sync::Arc::ptr_eq(
        &levels[0].set,
        inst.world.sets[jobs].as_ref().expect("evaluated")
    ));
    assert_eq!(compiled.free, [(0, 1)]);
    let expected = Code::Scale(
        Box::new(Code::Col {
            d: assign,
            args: vec![0, 1].into(),
            scale: 1.0,
        }),
        Num::Attr {
            slot: 0,
            kind: job as u32,
            attr: 0,
        },
    );
    assert_eq!(**body, expected);
    inst.leave_hir();
    // Outside a declaration no index slots or slot table are in scope.
    assert!(inst.hir_scope.is_empty());
}

#[test]
fn without_its_hir_a_model_is_not_instantiated_and_says_why() {
    // Instantiation reads the HIR: a schema handed over without it is an internal error
    // (E0750), not a panic and not a model built some other way.
    let mut a = analyzed();
    let schema = a.schema.take().expect("schema");
    let empty = hir::Model::default();
    let (inst, diags, runs) = instantiate_with(
        &schema,
        &empty,
        &mut a.sources,
        Limits::default(),
        false,
        true,
    );
    assert!(inst.is_none());
    assert!(
        !diags.is_empty()
            && diags
                .iter()
                .all(|d| d.code == crate::diagnostics::Code::E0750),
        "{diags:?}"
    );
    assert_eq!(runs, Default::default());
}

/// Routing over entity-valued attributes: filters with joins (`l.src == n`), checks, a
/// function with string comparisons, `if` and `max` over data, chained attributes.
const ROUTING: &str = r#"
kind hub { weight: real = 1 }
kind wire { src: hub, dst: hub, capacity: real = 0, tag: str = "" }
hub a { weight: 2 }
hub b { weight: 3 }
hub c { weight: 5 }
wire ab { src: a, dst: b, capacity: 5, tag: "x" }
wire bc { src: b, dst: c, capacity: 3 }
wire ca { src: c, dst: a, capacity: 4, tag: "x" }
wire ac { src: a, dst: c, capacity: 1, tag: "y" }
fn usable(l: wire) = l.tag == "" or l.capacity >= 4
decide flow[l in wires]: real >= 0
constraint conserve[n in hubs]:
    sum(l in wires where l.src == n and usable(l)) flow[l]
        - sum(l in wires where l.dst == n) l.src.weight * flow[l]
        == (if n == a then 1 else 0)
constraint cap[l in wires]: flow[l] * (if l.tag == "x" then 1 else 2) <= max(l.capacity, 2)
minimize total: sum(l in wires where l.src != l.dst and l.capacity > 1 and l.dst != first(hubs)) flow[l] - sum(l in wires where l.src == c) flow[l]
"#;

#[test]
fn filtered_sums_and_function_calls_compile_with_the_evaluators_joins() {
    use super::compiled::cond::{Cond, Join};
    let mut a = crate::driver::analyze_source("t.arch", ROUTING, None, &Default::default());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let schema = a.schema.take().expect("schema");
    let model = a.hir.take().expect("HIR");
    let Global::Constraint(conserve) = global(&schema, "conserve") else {
        panic!("constraint")
    };
    let mut inst = with_columns(&schema, &model, &mut a.sources);
    inst.enter_constraint_hir(conserve);
    let lhs = left_side(&model, conserve);
    let compiled = inst.compile_lin(lhs).expect("the filtered sums compile");
    let Code::Terms(terms) = &compiled.code else {
        panic!("{:?}", compiled.code)
    };
    // `l.src == n` is answered by the inverted index of `src`, `usable(l)` is checked.
    let Code::Sum { pre, levels, .. } = &terms[0].1 else {
        panic!("{:?}", terms[0].1)
    };
    assert!(pre.is_empty());
    assert!(matches!(levels[0].join, Join::Attr { .. }), "{levels:?}");
    assert!(
        matches!(levels[0].checks.as_slice(), [Cond::Run { or: true, .. }]),
        "{levels:?}"
    );
    inst.leave_hir();
    drop(inst);

    let (fast, d1, runs) = instantiate_with(
        &schema,
        &model,
        &mut a.sources,
        Limits::default(),
        false,
        true,
    );
    let (slow, d2, none) = instantiate_with(
        &schema,
        &model,
        &mut a.sources,
        Limits::default(),
        false,
        false,
    );
    assert!(d1.is_empty() && d2.is_empty(), "{d1:?} {d2:?}");
    // conserve: 3 rows (the right side is data); cap: 4 rows; the objective's two terms
    // (an entity named in a join, `first` of a set in a check).
    assert_eq!(runs.runs, 3 + 4 + 2);
    assert_eq!(none, Default::default());
    let dump = |i: Option<crate::instantiate::Instance>| {
        serde_json::to_string(&i.expect("instance").model).unwrap_or_default()
    };
    let m = fast.expect("instance").model;
    assert_eq!(serde_json::to_string(&m).unwrap_or_default(), dump(slow));
    // The row of `a`: out on `ab` (tag "x", capacity 5: usable), not on `ac` (tag "y",
    // capacity 1); in on `ca`, weighted by `c.weight`.
    let row = (0..m.rows.len())
        .find(|&i| m.row_name(crate::ir::RowId(i as u32)) == "conserve[a]")
        .expect("the row of a");
    let terms: Vec<(String, f64)> = (m.row_start[row]..m.row_start[row + 1])
        .map(|k| (m.column_name(m.row_cols[k]), m.row_vals[k]))
        .collect();
    assert_eq!(
        terms,
        [
            ("flow[ab]".to_string(), 1.0),
            ("flow[ca]".to_string(), -5.0)
        ]
    );
}
