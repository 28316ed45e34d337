//! Solving at scale: partitioned solves (POP) of small models, verified against the full
//! model, compared with the full model's optimum and the LP bound; repair of merged plans
//! that break a row; the `--partition` flag's coded errors; the model's own `partition SET
//! into K` and how the command line replaces it; Ctrl-C during a search, and (with the
//! `highs` feature) during a partitioned solve whose parts HiGHS solves.
//!
//! The placement model and its data (`examples/scale/`, 40 services x 5 sites) come from
//! the peers' generator `shared/peers/gen.py -S 40 -R 5 --seed 1`.

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::driver::analyze;
use archc::partition::{set_elements, solve_partitioned, Split};
use archc::solve::verify::{objective_value, verify, Tolerances};
use archc::solve::{solve_model, SolveOptions, Status};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/scale")
}

/// The example `file` of `examples/scale`, analysed and instantiated with no error.
fn instantiated(file: &str) -> Analysis {
    let a = analyze(
        &data_dir().join(file),
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    a
}

fn placement() -> Analysis {
    instantiated("placement.arch")
}

fn split(a: &Analysis, set: &str, k: u32, seed: u64) -> Split {
    let (schema, inst) = (a.schema.as_ref().unwrap(), a.instance.as_ref().unwrap());
    let items = set_elements(schema, inst, set).unwrap();
    Split::new(&inst.model, set, &items, k, seed).unwrap()
}

/// Every partitioned plan (several k and seeds) meets every row of the full model, costs at
/// least the full model's optimum, and that optimum is at least the reported bound.
#[test]
fn partitioned_plans_verify_against_the_full_model() {
    let a = placement();
    let model = &a.instance.as_ref().unwrap().model;
    let full = solve_model(model, &SolveOptions::default()).unwrap();
    assert_eq!(full.raw.status, Status::Optimal);
    let optimum = full.raw.objective;
    for k in [1, 2, 4, 8] {
        for seed in [1, 7] {
            let s = split(&a, "jobs", k, seed);
            let (raw, report) = solve_partitioned(model, &s, &SolveOptions::default()).unwrap();
            assert_eq!(raw.status, Status::Feasible, "k={k} seed={seed}");
            assert!(verify(model, &raw.values, &Tolerances::default()).is_ok());
            assert_eq!(raw.objective, objective_value(model, &raw.values));
            assert!(raw.objective >= optimum - 1e-6, "k={k}: below the optimum");
            let bound = report.bound.as_ref().expect("the LP bound solves").value;
            assert!(
                bound <= optimum + 1e-6,
                "k={k}: the bound cuts off the optimum"
            );
            let gap = report.gap.unwrap();
            assert!((gap - (raw.objective - bound) / raw.objective).abs() < 1e-9);
            assert_eq!(report.parts.len(), k as usize);
            assert_eq!(report.parts.iter().map(|p| p.items).sum::<usize>(), 40);
            assert_eq!(report.coupling_rows, if k == 1 { 0 } else { 5 });
        }
    }
    // One part is the full model: the plan is optimal.
    let (raw, _) =
        solve_partitioned(model, &split(&a, "jobs", 1, 1), &SolveOptions::default()).unwrap();
    assert!((raw.objective - optimum).abs() < 1e-6);
}

/// The Lagrangian bound of the placement model (open sites tied to their services, capacity
/// rows relaxed) proves no more than the optimum, and comes
/// within 1 % of the LP relaxation's optimum without solving it.
#[test]
fn lagrangian_bound_of_the_placement_model() {
    let a = placement();
    let model = &a.instance.as_ref().unwrap().model;
    let optimum = solve_model(model, &SolveOptions::default())
        .unwrap()
        .raw
        .objective;
    let lp = archc::solve::bound::lp_bound(model, &SolveOptions::default())
        .unwrap()
        .value;
    let shape = archc::backends::search::shape::Shape::of(model).unwrap();
    let l = archc::solve::lagrange::lagrangian_bound(
        model,
        &shape,
        &archc::solve::lagrange::LagrangeOptions {
            time_limit: std::time::Duration::from_secs(20),
            upper: &|| None,
            stop: &|| false,
            pace: archc::solve::lagrange::PlanPace::Timed,
        },
    )
    .unwrap();
    assert!(l.kept_rows > 0, "the only_open rows are kept");
    assert!(l.value <= optimum + 1e-6, "{} > optimum {optimum}", l.value);
    assert!(l.value <= lp + 1e-6 * lp.abs(), "{} > LP {lp}", l.value);
    assert!(
        lp - l.value <= 0.01 * optimum,
        "Lagrangian {} vs LP {lp}",
        l.value
    );
    // The bound the solve reports is the better of the two: the LP here.
    let b = archc::solve::bound::bound(model, &SolveOptions::default(), &|| Some(optimum)).unwrap();
    assert!(b.value >= l.value - 1e-9 && b.value <= optimum + 1e-6);
}

/// The deal is seeded: the same seed gives the same parts, another seed other parts.
#[test]
fn the_deal_depends_on_the_seed_only() {
    let a = placement();
    let one = split(&a, "jobs", 4, 3);
    assert_eq!(one.part_of_col, split(&a, "jobs", 4, 3).part_of_col);
    assert_ne!(one.part_of_col, split(&a, "jobs", 4, 4).part_of_col);
    assert_eq!(one.items_per_part, vec![10, 10, 10, 10]);
}

/// Splitting the sites instead of the services makes every `one[j]` row (`== 1`) a
/// coupling row scaled to `== 1/2`, which no part can meet with binaries: every part fails,
/// and the repair re-solves until the merged plan is a verified plan of the full model.
#[test]
fn a_merged_plan_that_breaks_rows_is_repaired() {
    let a = placement();
    let model = &a.instance.as_ref().unwrap().model;
    let s = split(&a, "sites", 2, 1);
    assert_eq!(s.coupling_rows(), 40);
    let (raw, report) = solve_partitioned(model, &s, &SolveOptions::default()).unwrap();
    assert!(report.parts.iter().all(|p| p.objective.is_none()));
    assert!(report.repair.ok);
    assert!(report.repair.rounds >= 1);
    assert!(report.repair.freed_items > 0);
    assert_eq!(raw.status, Status::Feasible);
    assert!(verify(model, &raw.values, &Tolerances::default()).is_ok());
}

/// Capacity shared by parts: with every site's capacity just above the total demand of
/// its assigned services, the scaled rows still hold after merging, and the merged
/// capacity rows hold in the full model.
#[test]
fn shared_rows_hold_after_merging() {
    let a = placement();
    let model = &a.instance.as_ref().unwrap().model;
    let s = split(&a, "jobs", 5, 11);
    let (raw, _) = solve_partitioned(model, &s, &SolveOptions::default()).unwrap();
    let violated = archc::partition::merge::violated_rows(model, &raw.values);
    assert!(violated.is_empty(), "{violated:?}");
}

fn archc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archc"))
        .current_dir(data_dir())
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .expect("archc runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_partition_arguments_are_coded_errors() {
    for (arg, code) in [
        ("jobs", "E0730"),
        ("jobs:0", "E0730"),
        ("jobs:x", "E0730"),
        (":4", "E0730"),
        ("job:4", "E0255"),
        ("nothing:4", "E0255"),
    ] {
        let o = archc(&["solve", "placement.arch", "--partition", arg]);
        assert_eq!(o.status.code(), Some(2), "{arg}: {}", stderr(&o));
        assert!(stderr(&o).contains(code), "{arg}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{arg}: no report");
    }
    let o = archc(&["solve", "placement.arch", "--partition", "job:4"]);
    assert!(stderr(&o).contains("did you mean `jobs`?"));
}

/// A set that indexes no decision splits nothing: E0660.
#[test]
fn a_set_that_indexes_no_decision_is_refused() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scale_no_items");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("m.arch"),
        "set tiers = {gold, silver}\nset sides = {left, right}\ndecide x[z in sides]: int >= 0 <= 3\nconstraint c: sum(z in sides) x[z] <= 4\nmaximize m: sum(z in sides) x[z]\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_archc"))
        .current_dir(&dir)
        .args(["solve", "m.arch", "--partition", "tiers:2"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("E0660"), "{}", stderr(&o));
}

/// The text and JSON reports say how the plan was found: k, seed, parts, repair, bound.
#[test]
fn the_report_says_how_it_was_solved() {
    let o = archc(&[
        "solve",
        "placement.arch",
        "--partition",
        "jobs:4",
        "--seed",
        "9",
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let scale = &v["scale"];
    assert_eq!(scale["method"], "partitioned");
    assert_eq!(scale["k"], 4);
    assert_eq!(scale["seed"], 9);
    assert_eq!(scale["parts"].as_array().unwrap().len(), 4);
    assert!(scale["parts"][0]["time_ms"].is_u64());
    assert_eq!(scale["objective"], v["primal_bound"]);
    // The LP relaxation, or the Lagrangian bound with knapsacks when it is higher (it can
    // pass the LP's on this placement model).
    let method = scale["bound"]["method"].as_str().unwrap();
    assert!(
        method.starts_with("lp relaxation")
            || method.starts_with("lagrangian relaxation with knapsacks ("),
        "{method}"
    );
    assert_eq!(v["verification"]["ok"], true);
    let text = archc(&["solve", "placement.arch", "--partition", "jobs:4"]);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("partitioned: `jobs` in 4 parts, seed 1"),
        "{out}"
    );
    assert!(!out.contains("named by"), "{out}");
    assert!(out.contains("gap to it:"), "{out}");
}

/// `partitioned.arch` names its partition (`partition jobs into 4`): `archc solve` splits by
/// it without a flag and says so; `--partition SET:K` replaces it with a note; `--partition
/// off` solves the whole model; `--shard` takes the model's partition.
#[test]
fn the_models_partition_is_solved_unless_the_command_line_says_otherwise() {
    let json = |extra: &[&str]| -> (serde_json::Value, Output) {
        let mut args = vec!["solve", "partitioned.arch", "--format", "json"];
        args.extend_from_slice(extra);
        let o = archc(&args);
        let v = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{extra:?}: {e}: {}", stderr(&o)));
        (v, o)
    };
    let (v, o) = json(&[]);
    let scale = &v["scale"];
    assert_eq!(scale["method"], "partitioned", "{}", stderr(&o));
    assert_eq!(scale["partition_from"], "model");
    assert_eq!(scale["set"], "jobs");
    assert_eq!(scale["k"], 4);
    assert_eq!(scale["parts"].as_array().unwrap().len(), 4);
    assert_eq!(v["verification"]["ok"], true);
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
    // The same plan as the flag gives on the model without the declaration.
    let flagged = archc(&[
        "solve",
        "placement.arch",
        "--partition",
        "jobs:4",
        "--format",
        "json",
        "--quiet",
    ]);
    let flagged: serde_json::Value = serde_json::from_slice(&flagged.stdout).unwrap();
    assert_eq!(flagged["scale"]["partition_from"], "command_line");
    assert_eq!(values(&flagged), values(&v));
    // The command line wins, with a note that names the model's declaration.
    let (v, o) = json(&["--partition", "jobs:2"]);
    assert_eq!(v["scale"]["partition_from"], "command_line");
    assert_eq!(v["scale"]["k"], 2);
    assert!(
        stderr(&o).contains(
            "note: --partition jobs:2 replaces the model's `partition jobs into 4` (partitioned.arch:9)"
        ),
        "{}",
        stderr(&o)
    );
    // `--partition off`: the whole model, solved to optimality.
    let (v, o) = json(&["--partition", "off"]);
    assert!(v.get("scale").is_none_or(|s| s.is_null()), "{v}");
    assert_eq!(v["status"], "optimal", "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
    // The text report says where the partition came from.
    let text = archc(&["solve", "partitioned.arch", "--quiet"]);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("partitioned: `jobs` in 4 parts (named by the model), seed 1"),
        "{out}"
    );
    // A shard of the model's partition, without --partition.
    let dir = scratch("model_shard");
    let o = archc_in(
        &dir,
        &[],
        &[
            "solve",
            "partitioned.arch",
            "--shard",
            "1/4",
            "--out",
            "parts/p1.json",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let shard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("parts/p1.json")).unwrap()).unwrap();
    assert_eq!(shard["plan"]["part"], 1, "{shard}");
    assert_eq!(shard["k"], 4, "{shard}");
    // Another count of parts than the model's is E0731; a shard of no partition is refused.
    let o = archc_in(&dir, &[], &["solve", "partitioned.arch", "--shard", "1/8"]);
    assert!(stderr(&o).contains("E0731"), "{}", stderr(&o));
    let o = archc_in(&dir, &[], &["solve", "placement.arch", "--shard", "1/4"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--shard solves one part"),
        "{}",
        stderr(&o)
    );
}

/// The embedding API (Python's `archc.ray.partitioned` without `SET:K`): an empty partition
/// is the model's own, and E0730 for a model that names none. The HIR carries the
/// declaration.
#[test]
fn an_empty_partition_is_the_models_own_when_embedded() {
    let a = instantiated("partitioned.arch");
    let hir = a
        .hir
        .as_ref()
        .expect("the HIR")
        .partition
        .as_ref()
        .expect("a partition");
    assert_eq!(hir.parts, 4);
    assert_eq!(
        a.schema.as_ref().unwrap().sets[hir.set.index()].name,
        "jobs"
    );
    let s = archc::partition::embed::split_of(&a, "", 1).unwrap();
    assert_eq!((s.set.as_str(), s.k), ("jobs", 4));
    assert_eq!(s.from, archc::partition::PartitionFrom::Model);
    let s = archc::partition::embed::split_of(&a, "jobs:2", 1).unwrap();
    assert_eq!(s.from, archc::partition::PartitionFrom::CommandLine);
    let err = archc::partition::embed::split_of(&placement(), "", 1).unwrap_err();
    assert_eq!(err.code, archc::diagnostics::Code::E0730);
}

/// A HiGHS part that ends without a plan (here: a time limit of a microsecond) is given one
/// by the search, so that the merge does not leave a whole part to the repair: every part's
/// status says so, no item is repaired, and the merged plan is verified.
#[cfg(feature = "highs")]
#[test]
fn a_part_that_milp_leaves_without_a_plan_is_solved_by_the_search() {
    let o = archc(&[
        "solve",
        "placement.arch",
        "--partition",
        "jobs:2",
        "--solver",
        "highs",
        "--time-limit",
        "0.000001",
        "--format",
        "json",
        "--quiet",
    ]);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    let parts = v["scale"]["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 2);
    for p in parts {
        let status = p["status"].as_str().expect("status");
        assert!(
            status.starts_with("feasible (search) after ") && status.ends_with(" (milp)"),
            "{status}"
        );
    }
    assert_eq!(v["status"], "feasible", "{v}");
    assert_eq!(v["verification"]["ok"], true, "{v}");
    assert_eq!(v["scale"]["repair"]["freed_items"], 0, "{}", v["scale"]);
}

/// A scratch copy of `examples/scale/` for shard files and the example scripts.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("scale_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("parts")).unwrap();
    for f in std::fs::read_dir(data_dir()).unwrap() {
        let p = f.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn archc_in(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_archc"));
    c.current_dir(dir)
        .env("COLUMNS", "100")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX");
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args).output().expect("archc runs")
}

/// The decision values of a JSON report, all of them.
fn values(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["values"].clone())
        .collect()
}

/// Shards solved one process each (index given, from Slurm's and Kubernetes' variables)
/// and merged give the same plan as the partitioned solve in one process, same seed.
#[test]
fn shards_and_merge_give_the_in_process_plan() {
    let dir = scratch("shards");
    let whole = archc_in(
        &dir,
        &[],
        &[
            "solve",
            "placement.arch",
            "--partition",
            "jobs:4",
            "--seed",
            "5",
            "--format",
            "json",
            "-q",
        ],
    );
    assert_eq!(whole.status.code(), Some(5), "{}", stderr(&whole));
    let whole: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    for i in 0..4 {
        let out = format!("parts/part-{i}.json");
        let index = i.to_string();
        // Parts 0 and 1 as a Slurm array would run them, 2 as Kubernetes, 3 by hand.
        let (env, shard): (Vec<(&str, &str)>, String) = match i {
            0 | 1 => (vec![("SLURM_ARRAY_TASK_ID", &index)], "auto/4".into()),
            2 => (vec![("JOB_COMPLETION_INDEX", &index)], "auto/4".into()),
            _ => (vec![], format!("{i}/4")),
        };
        let o = archc_in(
            &dir,
            &env,
            &[
                "solve",
                "placement.arch",
                "--partition",
                "jobs:4",
                "--seed",
                "5",
                "--shard",
                &shard,
                "--out",
                &out,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let file: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(&out)).unwrap()).unwrap();
        assert_eq!(file["schema"], "archc.shard/1");
        assert_eq!(file["plan"]["part"], i);
    }
    let merged = archc_in(
        &dir,
        &[],
        &[
            "merge",
            "placement.arch",
            "parts/part-0.json",
            "parts/part-1.json",
            "parts/part-2.json",
            "parts/part-3.json",
            "--format",
            "json",
            "-q",
        ],
    );
    assert_eq!(merged.status.code(), Some(5), "{}", stderr(&merged));
    let merged: serde_json::Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_eq!(merged["verification"]["ok"], true);
    assert_eq!(merged["primal_bound"], whole["primal_bound"]);
    assert_eq!(values(&merged), values(&whole));
    assert_eq!(merged["scale"]["method"], "merged shards");
    assert_eq!(merged["scale"]["seed"], 5);
}

/// The Slurm example script runs unchanged, one task per index, and its parts merge.
#[test]
fn the_slurm_example_runs() {
    let dir = scratch("slurm");
    let bin = Path::new(env!("CARGO_BIN_EXE_archc")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for i in 0..4 {
        let o = Command::new("bash")
            .arg("slurm.sh")
            .current_dir(&dir)
            .env("PATH", &path)
            .env("SLURM_ARRAY_TASK_ID", i.to_string())
            .output()
            .unwrap();
        assert!(o.status.success(), "task {i}: {}", stderr(&o));
    }
    let parts: Vec<String> = (0..4).map(|i| format!("parts/part-{i}.json")).collect();
    let mut args = vec!["merge", "placement.arch"];
    args.extend(parts.iter().map(String::as_str));
    let o = archc_in(&dir, &[], &args);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("verified: every constraint"));
}

#[test]
fn bad_shard_arguments_and_mismatched_shards_are_coded_errors() {
    let dir = scratch("bad_shards");
    let solve = |env: &[(&str, &str)], shard: &str| {
        archc_in(
            &dir,
            env,
            &[
                "solve",
                "placement.arch",
                "--partition",
                "jobs:4",
                "--shard",
                shard,
            ],
        )
    };
    for shard in ["4/4", "1/3", "x/4", "1", "1/0", "auto/4"] {
        let o = solve(&[], shard);
        assert_eq!(o.status.code(), Some(2), "{shard}: {}", stderr(&o));
        assert!(stderr(&o).contains("E0731"), "{shard}: {}", stderr(&o));
    }
    let o = solve(&[("SLURM_ARRAY_TASK_ID", "seven")], "auto/4");
    assert!(stderr(&o).contains("E0731") && stderr(&o).contains("SLURM_ARRAY_TASK_ID"));
    // Parts of two seeds, a part twice, a part missing: E0732.
    for (i, seed) in [(0, "1"), (1, "1"), (2, "2"), (3, "1")] {
        let o = archc_in(
            &dir,
            &[],
            &[
                "solve",
                "placement.arch",
                "--partition",
                "jobs:4",
                "--seed",
                seed,
                "--shard",
                &format!("{i}/4"),
                "--out",
                &format!("parts/p{i}.json"),
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    for files in [
        vec![
            "parts/p0.json",
            "parts/p1.json",
            "parts/p2.json",
            "parts/p3.json",
        ],
        vec![
            "parts/p0.json",
            "parts/p1.json",
            "parts/p1.json",
            "parts/p3.json",
        ],
        vec!["parts/p0.json", "parts/p1.json", "parts/p3.json"],
    ] {
        let mut args = vec!["merge", "placement.arch"];
        args.extend(files);
        let o = archc_in(&dir, &[], &args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("E0732"), "{}", stderr(&o));
    }
    // Another model's parts: E0732 by fingerprint.
    let text = std::fs::read_to_string(dir.join("sites.csv")).unwrap();
    std::fs::write(dir.join("sites.csv"), text.replace("121,", "122,")).unwrap();
    let o = archc_in(
        &dir,
        &[],
        &[
            "merge",
            "placement.arch",
            "parts/p0.json",
            "parts/p1.json",
            "parts/p3.json",
        ],
    );
    assert!(
        stderr(&o).contains("E0732") && stderr(&o).contains("fingerprint"),
        "{}",
        stderr(&o)
    );
    // A solution report is not a shard plan: E0580.
    std::fs::write(
        dir.join("report.json"),
        "{\"schema\": \"archc.solution/1\"}",
    )
    .unwrap();
    let o = archc_in(&dir, &[], &["merge", "placement.arch", "report.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E0580"), "{}", stderr(&o));
}

/// Ctrl-C during a search (alone, and after a partitioned start) stops it with its best
/// plan: the report says `interrupted`, the plan is verified, the exit code is 130.
#[cfg(unix)]
#[test]
fn ctrl_c_keeps_the_best_verified_plan_of_a_search() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, extra) in [
        ("alone", &[][..]),
        ("partitioned", &["--partition", "jobs:4"][..]),
    ] {
        let out = dir.path().join(format!("{name}.json"));
        let child = Command::new(env!("CARGO_BIN_EXE_archc"))
            .current_dir(data_dir())
            .args([
                "solve",
                "placement.arch",
                "--backend",
                "search",
                "--time-limit",
                "600",
                "--format",
                "json",
                "--out",
                &out.to_string_lossy(),
            ])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(2500));
        // SAFETY: sends SIGINT to the child we spawned.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGINT);
        }
        let o = child.wait_with_output().expect("wait");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("--out written"))
                .expect("json");
        assert_eq!(v["status"], "interrupted", "{name}: {}", stderr(&o));
        assert_eq!(o.status.code(), Some(130), "{name}");
        assert_eq!(v["verification"]["ok"], true, "{name}");
        assert!(!v["decisions"].as_array().expect("decisions").is_empty());
        assert!(
            stderr(&o).contains("best plan found so far is reported"),
            "{name}: {}",
            stderr(&o)
        );
    }
}

/// Write a class-D generalised assignment instance (Martello and Toth: uses from 1 to 100,
/// costs 111 minus the use plus up to 10 either way, capacities 80 % of an agent's share of
/// the uses) and its model into `dir`. Class D is hard to prove optimal, so a MILP solver
/// keeps searching long after it has a plan.
#[cfg(all(unix, feature = "highs"))]
fn class_d_gap(dir: &Path, agents: usize, jobs: usize) {
    use std::fmt::Write as _;
    let mut state = 12_345u64;
    let mut below = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let uses: Vec<Vec<u64>> = (0..agents)
        .map(|_| (0..jobs).map(|_| 1 + below(100)).collect())
        .collect();
    let (mut agents_csv, mut jobs_csv) =
        (String::from("name,capacity\n"), String::from("name,size\n"));
    let (mut cost, mut load) = (
        String::from("agent,job,value\n"),
        String::from("agent,job,value\n"),
    );
    for (a, row) in uses.iter().enumerate() {
        let capacity = 0.8 * row.iter().sum::<u64>() as f64 / agents as f64;
        let _ = writeln!(agents_csv, "a{a},{}", capacity.floor());
        for (j, u) in row.iter().enumerate() {
            let c = 111 + below(21) as i64 - 10 - *u as i64;
            let _ = writeln!(cost, "a{a},j{j},{c}");
            let _ = writeln!(load, "a{a},j{j},{u}");
        }
    }
    for j in 0..jobs {
        let _ = writeln!(jobs_csv, "j{j},1");
    }
    let model = "kind agent { capacity: real = 0 }\nkind job { size: real = 0 }\nagents from \"agents.csv\"\njobs from \"jobs.csv\"\nparam cost[a in agents, j in jobs]: real from \"cost.csv\"\nparam load[a in agents, j in jobs]: real from \"load.csv\"\ndecide x[a in agents, j in jobs]: bool\nconstraint one[j in jobs]: sum(a in agents) x[a, j] == 1\nconstraint cap[a in agents]: sum(j in jobs) load[a, j] * x[a, j] <= a.capacity\nminimize total: sum(a in agents, j in jobs) cost[a, j] * x[a, j]\n";
    for (file, text) in [
        ("agents.csv", agents_csv),
        ("jobs.csv", jobs_csv),
        ("cost.csv", cost),
        ("load.csv", load),
        ("gap.arch", model.to_string()),
    ] {
        std::fs::write(dir.join(file), text).expect("write the instance");
    }
}

/// Ctrl-C during a partitioned solve whose parts HiGHS solves stops the parts with their
/// best plans (none of them proven optimal), then the merged plan is repaired, verified and
/// reported as `interrupted` with exit code 130.
#[cfg(all(unix, feature = "highs"))]
#[test]
fn ctrl_c_stops_the_highs_parts_with_their_best_plans() {
    let dir = tempfile::tempdir().expect("tempdir");
    class_d_gap(dir.path(), 20, 400);
    let out = dir.path().join("out.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_archc"))
        .current_dir(dir.path())
        .args([
            "solve",
            "gap.arch",
            "--partition",
            "jobs:2",
            "--solver",
            "highs",
            "--threads",
            "2",
            "--time-limit",
            "600",
            "--format",
            "json",
            "--out",
            &out.to_string_lossy(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Long enough for both parts to have a plan; far from the end of a class-D solve.
    std::thread::sleep(std::time::Duration::from_secs(HIGHS_PARTS_RUN_SECS));
    assert!(
        child.try_wait().expect("poll").is_none(),
        "the parts ended before Ctrl-C: the instance is too easy to test a stop"
    );
    // SAFETY: sends SIGINT to the child we spawned.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    // The stop must end the solve long before its time limit; a hang fails the test.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while child.try_wait().expect("poll").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the partitioned HiGHS solve did not stop after Ctrl-C");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let o = child.wait_with_output().expect("wait");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("--out written")).expect("json");
    assert_eq!(v["status"], "interrupted", "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert_eq!(v["verification"]["ok"], true);
    let scale = &v["scale"];
    assert_eq!(scale["method"], "partitioned");
    let parts = scale["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 2);
    for p in parts {
        // Stopped with a plan, not solved to the end.
        assert_eq!(p["status"], "feasible", "{p}");
        assert!(p["objective"].is_number(), "{p}");
    }
    assert_eq!(scale["repair"]["ok"], true, "{scale}");
    assert!(
        stderr(&o).contains("best plan found so far is reported"),
        "{}",
        stderr(&o)
    );
}

/// How long the HiGHS parts run before Ctrl-C.
#[cfg(all(unix, feature = "highs"))]
const HIGHS_PARTS_RUN_SECS: u64 = 8;
