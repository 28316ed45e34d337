//! Traffic engineering partitioned by demands (POP): the path-flow TE model of `bench_te`
//! (max total satisfied demand, `flow[d in demands, p in routes where p.demand == d]`) on the
//! UsCarrier topology, solved whole and with `demands` split into parts. Each demand and its
//! route flows must land in one part with its `satisfy` row; the `capacity` rows, which sum
//! over the demands of every part, are scaled by each part's share, so the merged plan fits
//! the full model without repair, carries at most the full LP's traffic, and carries some.
//!
//! The data (`tests/data/te_uscarrier/`, see its SOURCES.md) was written by `bench_te
//! --write-only`.

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::driver::analyze;
use archc::ir::RowId;
use archc::partition::split::{RowClass, SHARED};
use archc::partition::{set_elements, solve_partitioned, Split};
use archc::solve::verify::{objective_value, verify, Tolerances};
use archc::solve::{solve_model, SolveOptions, Status};
use std::path::Path;

fn te() -> Analysis {
    let a = analyze(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/te_uscarrier/model.arch"),
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    a
}

fn decl_name(model: &archc::ir::Model, origin: archc::ir::Origin) -> &str {
    &model.decls[origin.decl.0 as usize].name
}

/// Splitting `demands` keeps each demand whole: its flows in one part with its `satisfy`
/// row, and the link rows that several parts use become coupling rows.
#[test]
fn demands_split_with_their_routes_and_rows() {
    let a = te();
    let (schema, inst) = (a.schema.as_ref().unwrap(), a.instance.as_ref().unwrap());
    let model = &inst.model;
    let items = set_elements(schema, inst, "demands").unwrap();
    assert_eq!(items.len(), 150);
    let split = Split::new(model, "demands", &items, 4, 1).unwrap();
    assert_eq!(split.items_per_part.iter().sum::<usize>(), 150);
    // Every column is a flow of one demand, in that demand's part.
    assert!(split.part_of_col.iter().all(|&p| p != SHARED && p < 4));
    for (i, row) in model.rows.iter().enumerate() {
        let parts: std::collections::BTreeSet<u32> = model
            .row_entries(RowId(i as u32))
            .map(|(c, _)| split.part_of_col[c.0 as usize])
            .collect();
        match decl_name(model, row.origin) {
            "satisfy" => {
                assert_eq!(parts.len(), 1, "a demand's routes are in one part");
                let p = *parts.iter().next().unwrap();
                assert_eq!(split.row_class[i], RowClass::Local(p));
            }
            "capacity" if parts.len() > 1 => {
                assert_eq!(split.row_class[i], RowClass::Coupling)
            }
            "capacity" if parts.is_empty() => assert_eq!(split.row_class[i], RowClass::Shared),
            "capacity" => assert!(matches!(split.row_class[i], RowClass::Local(_))),
            other => panic!("unexpected row of `{other}`"),
        }
    }
    assert!(split.coupling_rows() > 50, "{}", split.coupling_rows());
}

/// The partitioned plans (k = 2, 4, 8) meet every row of the full model as merged (the
/// scaled link shares add up to the capacities), carry more than nothing and at most the
/// full LP's optimum.
#[test]
fn partitioned_te_carries_at_most_the_full_lp() {
    let a = te();
    let (schema, inst) = (a.schema.as_ref().unwrap(), a.instance.as_ref().unwrap());
    let model = &inst.model;
    let full = solve_model(model, &SolveOptions::default()).unwrap();
    assert_eq!(full.raw.status, Status::Optimal);
    let optimum = objective_value(model, &full.raw.values);
    let demand: f64 = model
        .rows
        .iter()
        .filter(|r| decl_name(model, r.origin) == "satisfy")
        .map(|r| r.hi)
        .sum();
    // The links are the bottleneck: not every demand fits.
    assert!(
        optimum > 0.0 && optimum < demand - 1e-6,
        "{optimum} of {demand}"
    );
    let items = set_elements(schema, inst, "demands").unwrap();
    for k in [2, 4, 8] {
        let split = Split::new(model, "demands", &items, k, 1).unwrap();
        let (raw, report) = solve_partitioned(model, &split, &SolveOptions::default()).unwrap();
        assert_eq!(raw.status, Status::Feasible, "k={k}");
        assert!(verify(model, &raw.values, &Tolerances::default()).is_ok());
        assert_eq!(
            report.repair.violated_rows, 0,
            "k={k}: the merge broke rows"
        );
        assert_eq!(report.repair.freed_items, 0, "k={k}");
        let carried = objective_value(model, &raw.values);
        assert!(carried > 0.0, "k={k}: nothing carried");
        assert!(carried <= optimum + 1e-6, "k={k}: {carried} > {optimum}");
        assert!(report.parts.iter().all(|p| p.status == "optimal"), "k={k}");
        assert_eq!(report.parts.iter().map(|p| p.items).sum::<usize>(), 150);
    }
}
