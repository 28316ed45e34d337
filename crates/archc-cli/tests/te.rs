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

/// Splitting the largest demands into a piece in every part (POP's client splitting): the
/// largest 10 % of the demands by volume become pieces, every row over their flows a
/// coupling row; the merged plan (each split demand's flows the sum of its pieces) meets
/// every row of the full model without repair, and carries at most the full LP's optimum.
#[test]
fn large_demands_split_into_pieces_merge_into_a_plan_of_the_full_model() {
    use archc::partition::split::PIECES;
    let a = te();
    let (schema, inst) = (a.schema.as_ref().unwrap(), a.instance.as_ref().unwrap());
    let model = &inst.model;
    let full = solve_model(model, &SolveOptions::default()).unwrap();
    let optimum = objective_value(model, &full.raw.values);
    let items = set_elements(schema, inst, "demands").unwrap();
    let mut split = Split::new(model, "demands", &items, 4, 1).unwrap();
    assert_eq!(split.split_large(model, 0.1), 15);
    assert_eq!(split.items_per_part.iter().sum::<usize>(), 135);
    // The pieces are the demands of the 15 largest volumes (the `satisfy` row's side).
    let satisfy = |i: usize| decl_name(model, model.rows[i].origin) == "satisfy";
    let mut volumes: Vec<(f64, bool)> = (0..model.rows.len())
        .filter(|&i| satisfy(i))
        .map(|i| {
            let pieces = model
                .row_entries(RowId(i as u32))
                .all(|(c, _)| split.part_of_col[c.0 as usize] == PIECES);
            (model.rows[i].hi, pieces)
        })
        .collect();
    volumes.sort_by(|a, b| b.0.total_cmp(&a.0));
    assert!(volumes[..15].iter().all(|v| v.1) && volumes[15..].iter().all(|v| !v.1));
    for i in (0..model.rows.len()).filter(|&i| satisfy(i)) {
        let pieces = model
            .row_entries(RowId(i as u32))
            .any(|(c, _)| split.part_of_col[c.0 as usize] == PIECES);
        assert_eq!(pieces, split.row_class[i] == RowClass::Coupling);
    }
    let (raw, report) = solve_partitioned(model, &split, &SolveOptions::default()).unwrap();
    assert!(verify(model, &raw.values, &Tolerances::default()).is_ok());
    assert_eq!(report.repair.violated_rows, 0);
    assert_eq!(report.split_items, 15);
    let carried = objective_value(model, &raw.values);
    assert!(
        carried > 0.0 && carried <= optimum + 1e-6,
        "{carried} of {optimum}"
    );
    // A split demand's flows add up over its pieces: some split demand carries traffic.
    let split_flow: f64 = (0..model.num_columns())
        .filter(|&c| split.part_of_col[c] == PIECES)
        .map(|c| raw.values[c])
        .sum();
    assert!(split_flow > 0.0);
}

fn archc_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .current_dir(dir)
        .env("COLUMNS", "100")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .args(args)
        .output()
        .expect("archc runs")
}

/// `--split-large` on the command line: the report counts the split demands; shards of the
/// same split, merged, give the in-process plan (the shard files carry the fraction); a
/// percentage out of range, or a split without a partition, is E0730.
#[test]
fn split_large_demands_from_the_command_line_and_in_shards() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/te_uscarrier");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("te_split_large");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in std::fs::read_dir(&data).unwrap() {
        let p = f.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let split = ["--partition", "demands:4", "--split-large", "10"];
    let whole = archc_in(
        &dir,
        &[
            &["solve", "model.arch", "--format", "json", "-q"][..],
            &split,
        ]
        .concat(),
    );
    let whole: serde_json::Value = serde_json::from_slice(&whole.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&whole.stderr)));
    assert_eq!(whole["scale"]["split_items"], 15, "{}", whole["scale"]);
    assert_eq!(whole["verification"]["ok"], true);
    let mut files = Vec::new();
    for i in 0..4 {
        let out = format!("part-{i}.json");
        let shard = format!("{i}/4");
        let o = archc_in(
            &dir,
            &[
                &["solve", "model.arch", "--shard", &shard, "--out", &out][..],
                &split,
            ]
            .concat(),
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let file: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(&out)).unwrap()).unwrap();
        assert_eq!(file["split_large"], 0.1);
        files.push(out);
    }
    let mut args = vec!["merge", "model.arch"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--format", "json", "-q"]);
    let merged = archc_in(&dir, &args);
    let merged: serde_json::Value = serde_json::from_slice(&merged.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&merged.stderr)));
    assert_eq!(merged["verification"]["ok"], true);
    assert_eq!(merged["scale"]["split_items"], 15);
    assert_eq!(merged["primal_bound"], whole["primal_bound"]);
    // The same plan: a split demand's flows are sums of pieces, equal up to the order of
    // the additions.
    let flows = |r: &serde_json::Value| -> Vec<(String, f64)> {
        r["decisions"][0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["index"].to_string(), v["value"].as_f64().unwrap()))
            .collect()
    };
    let (m, w) = (flows(&merged), flows(&whole));
    assert_eq!(m.len(), w.len());
    for ((a, x), (b, y)) in m.iter().zip(&w) {
        assert_eq!(a, b);
        assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0), "{a}: {x} and {y}");
    }
    for bad in [
        vec![
            "solve",
            "model.arch",
            "--partition",
            "demands:4",
            "--split-large",
            "150",
        ],
        vec!["solve", "model.arch", "--split-large", "10"],
    ] {
        let o = archc_in(&dir, &bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("E0730"),
            "{bad:?}"
        );
    }
}
