//! The compiled expressions against the evaluator: every example, stdlib module and test
//! fixture instantiates to the same IR (coefficients compared bit for bit), the same param
//! values and the same diagnostics with the compiled path on and off, and the compiled path
//! is taken.

use super::linear::{Counts, Parallel};
use super::{instantiate_how, How, Limits};
use crate::analysis::AnalyzeOptions;
use crate::driver::{analyze, analyze_source};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The IR, instance data and diagnostics of one model, as text, and the compiled runs.
fn instantiate_text(path: &Path, how: How) -> Option<(String, Counts)> {
    let mut a = analyze(path, &AnalyzeOptions::default());
    if a.has_errors() {
        // The pipeline instantiates checked models only.
        return None;
    }
    let schema = a.schema.take()?;
    let hir = a.hir.take()?;
    Some(outcome(
        &schema,
        &hir,
        &mut a.sources,
        how,
        Limits::default(),
    ))
}

/// Instantiated for MILP, the compiled path on or off, large files read ahead as usual.
fn compiled(compiled: bool) -> How {
    How {
        compile_plans: true,
        compiled,
        read_ahead: Some(super::prefetch::PREFETCH_MIN_BYTES),
        parallel: Parallel::default(),
    }
}

fn outcome(
    schema: &crate::check::Schema,
    hir: &crate::hir::Model,
    sources: &mut crate::source::SourceMap,
    how: How,
    limits: Limits,
) -> (String, Counts) {
    let (inst, diags, counts) = instantiate_how(schema, hir, sources, limits, how, &[]);
    let text = match inst {
        Some(i) => {
            let m = &i.model;
            let parts: (BTreeMap<_, _>, BTreeMap<_, _>) =
                (m.parts.cols.iter().collect(), m.parts.rows.iter().collect());
            format!(
                "{}\n{parts:?}\n{:?}\n{:?}\n{}\n{diags:?}",
                serde_json::to_string(m).unwrap_or_default(),
                i.decisions,
                i.constraint_rows,
                param_values(&i.world)
            )
        }
        None => format!("{diags:?}"),
    };
    (text, counts)
}

/// Every param's values, in key order (values computed by compiled code and by the
/// evaluator must agree exactly; `{:?}` of a number is its shortest exact form).
fn param_values(world: &super::world::World) -> String {
    let mut out = String::new();
    for (p, t) in world.params.iter().enumerate() {
        let Some(t) = t else {
            continue;
        };
        let mut values: Vec<_> = t.values.iter().collect();
        values.sort_by(|a, b| a.0.cmp(b.0));
        out += &format!("{p}: {:?} {values:?} {:?}\n", t.scalar, t.dense);
    }
    out
}

/// The `.arch` files under `dir`, recursively (also used by the MPS writer's tests).
pub(crate) fn arch_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            arch_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "arch") {
            out.push(p);
        }
    }
}

/// Every example, stdlib module and test fixture, in order (also the MPS writer's corpus).
pub(crate) fn model_corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["examples", "stdlib", "crates/archc-cli/tests/fixtures"] {
        arch_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(files.len() > 50, "found only {} models", files.len());
    files
}

/// Every checked model of the corpus instantiated as `a` and as `b`, which must give the
/// same text (`what` says how they differ in the message); what ran, per model compared.
fn compare_every_model(a: How, b: How, what: &str) -> Vec<(Counts, Counts)> {
    let mut out = Vec::new();
    for f in &model_corpus() {
        let Some((first, n)) = instantiate_text(f, a) else {
            continue;
        };
        let (second, m) = instantiate_text(f, b).expect("checked once, checked twice");
        assert!(first == second, "{}: {what}", f.display());
        out.push((n, m));
    }
    assert!(out.len() > 30, "compared only {} models", out.len());
    out
}

#[test]
fn compiled_and_evaluated_instances_agree_on_every_model() {
    let counts = compare_every_model(
        compiled(true),
        compiled(false),
        "compiled and evaluated differ",
    );
    let (mut runs, mut rows) = (0, 0);
    for (n, m) in counts {
        assert_eq!(
            m,
            Counts::default(),
            "the evaluator alone ran compiled code"
        );
        runs += n.runs;
        rows += n.rows;
    }
    assert!(runs > 100, "the compiled path ran only {runs} times");
    assert!(rows > 100, "only {rows} rows were made from compiled sides");
}

/// Every model instantiates to the same IR, data and diagnostics with every param file read
/// ahead on another thread (whatever its size) as without: files that load cleanly are
/// taken from their thread, and a file with anything to report makes the model be
/// instantiated again in order, which reports the same as never reading ahead.
#[test]
fn reading_param_files_ahead_changes_nothing_on_every_model() {
    let how = |read_ahead| How {
        compile_plans: false,
        compiled: true,
        read_ahead,
        parallel: Parallel::default(),
    };
    let counts = compare_every_model(
        how(Some(0)),
        how(None),
        "reading ahead changes the instance",
    );
    let (mut taken, mut as_text, mut again) = (0, 0, 0);
    for (n, m) in counts {
        assert_eq!((m.read_ahead, m.read_again), (0, 0));
        taken += n.read_ahead;
        as_text += n.read_as_text;
        again += n.read_again;
    }
    assert!(taken > 5, "only {taken} params were read ahead");
    // Most files are read as text alone; a file that another param reads a column of
    // (`two_params_one_file`) is read by converting its records, which checks that column.
    assert!(as_text > 5, "only {as_text} params were read as text");
    assert!(as_text < taken, "every param was read as text ({taken})");
    // The data fixtures with errors in param files take the way back: a name outside its
    // set (`unknown_reference`), a tuple twice (`duplicate_key`), a negative value for a
    // param with a lower bound (`negative_param`).
    assert!(again >= 3, "only {again} models were instantiated again");
}

/// Instantiated for MILP with every constraint's rows and every compiled sum made on
/// `workers` threads (one: on this thread), in chunks of one or a few tuples.
fn on_workers(workers: usize) -> How {
    How {
        compile_plans: false,
        compiled: true,
        read_ahead: None,
        parallel: Parallel {
            workers: Some(workers),
            min_terms: 0,
            chunk_terms: 5,
        },
    }
}

/// Rows made on worker threads, in chunks of one or a few tuples, against rows made one by
/// one.
#[test]
fn making_rows_on_workers_changes_nothing_on_every_model() {
    let counts = compare_every_model(on_workers(2), on_workers(1), "rows made on workers differ");
    let (mut on_workers, mut rows, mut models, mut sums) = (0, 0, 0, 0);
    for (n, m) in counts {
        assert_eq!((m.rows_on_workers, m.sums_on_workers), (0, 0));
        // The same rows are made from compiled sides, on workers or not.
        assert_eq!((n.rows, n.runs), (m.rows, m.runs));
        on_workers += n.rows_on_workers;
        rows += n.rows;
        models += usize::from(n.rows_on_workers > 0);
        sums += n.sums_on_workers;
    }
    assert!(sums >= 100, "only {sums} sums were run on workers");
    // Every constraint's rows after its first are made on workers, unless one stops them.
    assert!(models >= 20, "only {models} models made rows on workers");
    assert!(
        on_workers * 10 >= rows * 9,
        "only {on_workers} of {rows} rows were made on workers"
    );
}

/// A model instantiated with the rows of every constraint made on two workers (in chunks
/// of one or a few tuples) and one by one: the two outcomes and what ran on workers.
fn on_workers_and_not(text: &str, limits: Limits) -> (String, String, Counts) {
    let mut a = analyzed(text);
    let schema = a.schema.take().expect("schema");
    let hir = a.hir.take().expect("HIR");
    let (on, n) = outcome(&schema, &hir, &mut a.sources, on_workers(2), limits.clone());
    let (off, _) = outcome(&schema, &hir, &mut a.sources, on_workers(1), limits);
    (on, off, n)
}

#[test]
fn a_row_the_workers_cannot_make_is_made_one_by_one_with_its_diagnostic() {
    let jobs: String = (4..12)
        .map(|i| format!("job s{i} {{ demand: 2 }}\n"))
        .collect();
    let placement = PLACEMENT.replace(
        "job s3 { demand: 1 }",
        &format!("job s3 {{ demand: 1 }}\n{jobs}"),
    );
    // s3's run bails out (a division by zero): the evaluator reports E0607.
    let bails = placement.replace("job s3 { demand: 1 }", "job s3 { demand: 0 }")
        + "constraint share[j in jobs]: sum(s in sites) assign[j, s] / j.demand <= 1\n";
    // s3's rows have no decisions left and cannot hold: E0615.
    let never = placement.replace("job s3 { demand: 1 }", "job s3 { demand: 0 }")
        + "constraint need[j in jobs, s in sites]: j.demand * assign[j, s] >= 1\n";
    // A sum of the objective bails out at s3: the evaluator reports E0607.
    let sum_bails = placement.replace("job s3 { demand: 1 }", "job s3 { demand: 0 }")
        + "then minimize spread: sum(j in jobs, s in sites) assign[j, s] / j.demand\n";
    let cases = [
        (bails.as_str(), Limits::default(), "E0607"),
        (sum_bails.as_str(), Limits::default(), "E0607"),
        (never.as_str(), Limits::default(), "E0615"),
        // Past the limit of rows, then of nonzeros, in the middle of `only_open`.
        (
            placement.as_str(),
            Limits {
                max_rows: 20,
                ..Limits::default()
            },
            "E0604",
        ),
        (
            placement.as_str(),
            Limits {
                max_nonzeros: 70,
                ..Limits::default()
            },
            "E0604",
        ),
    ];
    for (text, limits, code) in cases {
        let (on, off, n) = on_workers_and_not(text, limits);
        assert_eq!(on, off);
        assert!(on.contains(code), "{code}: {on}");
        assert!(n.rows_on_workers > 0, "{code}: no row was made on workers");
    }
    // Without a stop, the rows after each constraint's first are made on workers when
    // there are two or more: `one` 10 of 11, `only_open` 21 of 22 (`cap` has 2 rows).
    let (on, off, n) = on_workers_and_not(&placement, Limits::default());
    assert_eq!(on, off);
    assert_eq!((n.rows, n.rows_on_workers), (11 + 2 + 22, 10 + 21));
    // The objective's two sums (the third term is a sum scaled, not cut).
    assert_eq!(n.sums_on_workers, 2);
}

/// The benchmark's shape, inline: sums of attributes and params times decisions, over
/// index variables bound outside and inside the sum.
const PLACEMENT: &str = r#"
kind site { capacity: int = 0, open_cost: real = 0 }
kind job { demand: int = 0 }
site r1 { capacity: 5, open_cost: 10 }
site r2 { capacity: 3, open_cost: 7 }
job s1 { demand: 2 }
job s2 { demand: 3 }
job s3 { demand: 1 }
param cost[j in jobs, s in sites]: real = 1
decide open[s in sites]: bool
decide assign[j in jobs, s in sites]: bool
constraint one[j in jobs]: sum(s in sites) assign[j, s] == 1
constraint cap[s in sites]: sum(j in jobs) j.demand * assign[j, s] <= s.capacity * open[s]
constraint only_open[j in jobs, s in sites]: assign[j, s] <= open[s]
minimize total:
    sum(s in sites) s.open_cost * open[s] + sum(j in jobs, s in sites) cost[j, s] * assign[j, s]
    - 2 * sum(s in sites) open[s] / 4
"#;

fn analyzed(text: &str) -> crate::analysis::Analysis {
    let a = analyze_source("t.arch", text, None, &AnalyzeOptions::default());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    a
}

/// A checked model instantiated with the compiled path on (`fast`, with what ran compiled
/// in `on`) and off (`slow`, `off`).
struct Both {
    analysis: crate::analysis::Analysis,
    fast: String,
    slow: String,
    on: Counts,
    off: Counts,
}

fn both(text: &str, limits: Limits) -> Both {
    let mut a = analyzed(text);
    let schema = a.schema.take().expect("schema");
    let hir = a.hir.take().expect("HIR");
    let (fast, on) = outcome(
        &schema,
        &hir,
        &mut a.sources,
        compiled(true),
        limits.clone(),
    );
    let (slow, off) = outcome(&schema, &hir, &mut a.sources, compiled(false), limits);
    a.schema = Some(schema);
    a.hir = Some(hir);
    Both {
        analysis: a,
        fast,
        slow,
        on,
        off,
    }
}

impl Both {
    /// The instance, with the compiled path on.
    fn instance(&mut self) -> super::Instance {
        let a = &mut self.analysis;
        let (schema, hir) = (
            a.schema.as_ref().expect("schema"),
            a.hir.as_ref().expect("HIR"),
        );
        let (inst, diags) =
            super::instantiate(schema, hir, &mut a.sources, Limits::default(), false);
        inst.unwrap_or_else(|| panic!("{diags:?}"))
    }
}

#[test]
fn placement_model_runs_compiled_and_matches_the_evaluator() {
    let b = both(PLACEMENT, Limits::default());
    assert_eq!(b.fast, b.slow);
    // cost: 6 values, the first by the evaluator; one: 3 rows; cap: 2 rows x 2 sides;
    // only_open: 6 rows x 2 sides; objective: 3 sums.
    assert_eq!(b.on.runs, 5 + 3 + 4 + 12 + 3);
}

#[test]
fn a_division_by_zero_falls_back_to_the_evaluator_and_its_error() {
    // `s3` has demand 0: the compiled run bails out and the evaluator reports E0607 for
    // that tuple, the same diagnostic either way.
    let text = PLACEMENT.replace("job s3 { demand: 1 }", "job s3 { demand: 0 }")
        + "constraint share[j in jobs]: sum(s in sites) assign[j, s] / j.demand <= 1\n";
    let b = both(&text, Limits::default());
    assert!(
        b.fast.contains("E0607") && b.fast.contains("s3"),
        "{}",
        b.fast
    );
    assert!(b.on.runs > 0);
    assert_eq!(b.fast, b.slow);
}

#[test]
fn a_sum_beyond_the_tuple_limit_is_left_to_the_evaluator() {
    let limits = Limits {
        max_index_tuples: 4,
        ..Limits::default()
    };
    let b = both(PLACEMENT, limits);
    assert!(b.fast.contains("E0632"), "{}", b.fast);
    assert_eq!(b.fast, b.slow);
}

/// `room`'s body reads the param `cap`; the constraint's index variable is also called
/// `cap`. The checker resolves the body's `cap` to the param (10), and the evaluator, which
/// substitutes the body into the call, must not let the caller's variable capture it:
/// `amount[s] <= 10 - s`, total 9 + 8 + 7 = 24 (reading the index variable gave 0).
#[test]
fn a_fn_body_reads_the_global_a_local_of_the_caller_shadows() {
    let text = "set sites = 1..3
param cap: real = 10
param load[s in sites]: real = s
fn room(x) = cap - x
decide amount[s in sites]: real
constraint fit[cap in sites]: amount[cap] <= room(load[cap])
maximize total: sum(s in sites) amount[s]
";
    let mut b = both(text, Limits::default());
    assert_eq!(b.fast, b.slow);
    let inst = b.instance();
    let solved = crate::solve::solve_model(&inst.model, &Default::default()).expect("solved");
    assert_eq!(solved.raw.objective, 24.0);
}

/// Derived params and bounds that depend on the index are computed by compiled code from
/// the second tuple on (the first, by the evaluator, loads what they read), and agree with
/// the evaluator value for value.
#[test]
fn derived_params_and_indexed_bounds_run_compiled_and_match_the_evaluator() {
    let text = r#"
kind site { capacity: int = 0 }
site r1 { capacity: 5 }
site r2 { capacity: 3 }
site r3 { capacity: 8 }
set weeks = 1..4
param rate: real = 1.5
param base[s in sites]: real = s.capacity * rate
param load[s in sites, w in weeks]: real =
    if w <= 2 then base[s] + w else max(base[s] - w, 1) / 2
param order[w in weeks]: int = w * 10 - 1
decide x[s in sites, w in weeks]: real >= load[s, w] - 1 <= load[s, w] + order[w]
minimize total: sum(s in sites, w in weeks) x[s, w]
"#;
    let mut b = both(text, Limits::default());
    assert_eq!(b.fast, b.slow);
    assert_eq!(b.off, Counts::default());
    // base: 2 of 3 values; load: 11 of 12; order: 3 of 4; x: 12 tuples x 2 bounds; the
    // objective: 1 sum.
    assert_eq!(b.on.runs, 2 + 11 + 3 + 24 + 1);
    // x[r1, 3]: load = max(7.5 - 3, 1) / 2 = 2.25, bounds 1.25 .. 2.25 + 29.
    let inst = b.instance();
    let col = &inst.model.columns[2];
    assert_eq!((col.lb, col.ub), (1.25, 31.25));
}

/// A param value the compiled code cannot give (a division by zero at one tuple) is left to
/// the evaluator, which reports it with the instance, as without the compiled path.
#[test]
fn a_derived_param_that_divides_by_zero_reports_the_evaluator_error() {
    let text = "set weeks = 1..4
param load[w in weeks]: real = 12 / (w - 3)
decide x[w in weeks]: real >= 0 <= load[w]
minimize total: sum(w in weeks) x[w]
";
    let b = both(text, Limits::default());
    assert!(
        b.fast.contains("E0607") && b.fast.contains("load[3]"),
        "{}",
        b.fast
    );
    // w = 2 ran compiled before w = 3 failed.
    assert!(b.on.runs >= 1);
    assert_eq!(b.fast, b.slow);
}

/// Constraints and decisions whose index has a filter get their tuples from the compiled
/// loops (joins on an attribute and on a variable, a condition before the loops, checks)
/// and their rows from compiled sides, in the evaluator's order.
#[test]
fn filtered_indexes_run_compiled_and_match_the_evaluator() {
    let text = r#"
kind site { capacity: int = 0 }
kind wire { src: site, dst: site, gbps: real = 0 }
site a { capacity: 5 }
site b { capacity: 0 }
site c { capacity: 8 }
wire ab { src: a, dst: b, gbps: 10 }
wire ca { src: c, dst: a, gbps: 0 }
wire cb { src: c, dst: b, gbps: 40 }
wire ac { src: a, dst: c, gbps: 25 }
set weeks = 1..3
param on: bool = true
decide flow[l in wires where l.gbps > 0]: real >= 0
decide build[s in sites, w in weeks where s.capacity > 0 and on]: int >= 0 <= 3
constraint out[s in sites, l in wires where l.src == s and l.gbps > 0]:
    flow[l] <= l.gbps
constraint grow[s in sites, w in weeks, v in weeks where v == w and s.capacity > 0]:
    build[s, v] <= s.capacity
maximize total: sum(l in wires where l.gbps > 0) flow[l]
    + sum(s in sites, w in weeks where s.capacity > 0) build[s, w]
"#;
    let mut b = both(text, Limits::default());
    assert_eq!(b.fast, b.slow);
    assert_eq!(b.off, Counts::default());
    // out: (a, ab), (a, ac), (c, cb), by site and then in wire order; grow: a and c, three
    // weeks each.
    assert_eq!(b.on.rows, 3 + 6);
    let inst = b.instance();
    let names: Vec<String> = (0..inst.model.rows.len())
        .map(|r| inst.model.row_name(crate::ir::RowId(r as u32)))
        .collect();
    assert_eq!(
        names[..3],
        ["out[a, ab]", "out[a, ac]", "out[c, cb]"].map(String::from)
    );
    assert_eq!(inst.model.columns.len(), 3 + 6);
}
