//! The report's terminal tables and CSV files of every example, snapshotted: each example is
//! solved once (with microlp, so that the plan does not depend on the solvers compiled in),
//! described by its checked model, and rendered as tables 100 characters wide and as CSV
//! (each file's header, first lines and line count). The scale case (UsCarrier) needs HiGHS
//! and is left out. Also: JSON lists zeros only on request, and a decision's CSV has one
//! line per instance.

use archc::solve::{SolveOptions, SolverKind};
use std::path::{Path, PathBuf};

/// Scale cases: solved in `examples.rs` with HiGHS only.
const SKIPPED: &[&str] = &["routing/uscarrier/uscarrier.arch"];
/// Lines of each CSV file kept in a snapshot (after the header).
const CSV_LINES: usize = 24;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "arch") {
            out.push(p);
        }
    }
}

/// Every example, relative to `examples/`.
fn examples() -> Vec<String> {
    let dir = root().join("examples");
    let mut paths = Vec::new();
    walk(&dir, &mut paths);
    paths
        .iter()
        .map(|p| {
            p.strip_prefix(&dir)
                .expect("under examples/")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|rel| !SKIPPED.contains(&rel.as_str()))
        .collect()
}

/// Solve an example and describe its report by its checked model.
fn report_of(rel: &str) -> archc::report::Report {
    let mut model = archc::compile(&root().join("examples").join(rel))
        .unwrap_or_else(|e| panic!("{rel} does not compile: {e:?}"));
    let options = SolveOptions {
        solver: Some(SolverKind::Microlp),
        ..Default::default()
    };
    let mut report = model
        .solve(&options)
        .unwrap_or_else(|d| panic!("{rel} does not solve: {}", d.message))
        .report;
    let a = model.analysis();
    archc::report::describe::describe(
        &mut report,
        a.schema.as_ref().expect("schema"),
        a.instance.as_ref().expect("instance"),
    );
    report
}

/// The solve time changes from run to run.
fn mask_time(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("time: ") {
            Some(i) => {
                let rest = &line[i + 6..];
                // `1,269`: times are grouped like every number.
                let digits = rest
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ',')
                    .count();
                format!("{}time: [ms]{}", &line[..i], &rest[digits..])
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn csv_summary(r: &archc::report::Report) -> String {
    let mut out = String::new();
    for f in archc::report::csv::files(r) {
        let lines: Vec<&str> = f.text.lines().collect();
        out.push_str(&format!("== {} ({} lines)\n", f.name, lines.len()));
        for l in lines.iter().take(CSV_LINES + 1) {
            out.push_str(l);
            out.push('\n');
        }
        if lines.len() > CSV_LINES + 1 {
            out.push_str("…\n");
        }
    }
    out
}

fn snapshot_name(rel: &str) -> String {
    rel.trim_end_matches(".arch").replace('/', "__")
}

#[test]
fn every_example_has_table_and_csv_snapshots() {
    let all = examples();
    assert!(all.len() >= 8, "examples found: {all:?}");
    for rel in &all {
        let r = report_of(rel);
        let table = archc::report::table::render_width(&r, 100);
        // Tables are aligned: no line is wider than asked for.
        for line in table.lines() {
            assert!(
                line.chars().count() <= 100,
                "{rel}: line wider than 100: {line}"
            );
        }
        let name = snapshot_name(rel);
        insta::assert_snapshot!(format!("table__{name}"), mask_time(&table));
        insta::assert_snapshot!(format!("csv__{name}"), csv_summary(&r));
        // Each decision's CSV has a header and one line per instance, zeros included.
        for d in &r.decisions {
            let text = archc::report::csv::decision_csv(d);
            assert_eq!(text.lines().count(), d.count + 1, "{rel}: {}", d.name);
        }
    }
}

#[test]
fn csv_columns_are_named_by_sets_with_units() {
    let r = report_of("capacity/buildout.arch");
    let build = r
        .decisions
        .iter()
        .find(|d| d.name == "build")
        .expect("build");
    let text = archc::report::csv::decision_csv(build);
    assert_eq!(text.lines().next(), Some("regions,quarters,build"));
    let r = report_of("routing/abilene.arch");
    let flow = r.decisions.iter().find(|d| d.name == "flow").expect("flow");
    let text = archc::report::csv::decision_csv(flow);
    assert_eq!(text.lines().next(), Some("regions,links,flow (Mbps)"));
}

#[test]
fn routing_capacity_rows_show_load_against_link_capacity() {
    // `sum(o) flow[o, l] <= peak * l.capacity`: the load of each link is measured against
    // its capacity (1 Gbps = 1000 Mbps), and the busiest links are at the optimal peak.
    let r = report_of("routing/abilene.arch");
    let peak = r
        .decisions
        .iter()
        .find(|d| d.name == "peak")
        .and_then(|d| d.all.first())
        .map(|v| v.value)
        .expect("peak");
    let cap = r
        .constraints
        .iter()
        .find(|c| c.name == "capacity")
        .expect("capacity rows");
    assert_eq!(cap.rows.len(), 30);
    let mut highest: f64 = 0.0;
    for row in &cap.rows {
        let (load, capacity, u) = (
            row.load.expect("load"),
            row.capacity.expect("capacity"),
            row.utilisation.expect("utilisation"),
        );
        assert_eq!(capacity, 1000.0, "{:?}", row.index);
        assert!((u - load / capacity).abs() < 1e-9);
        highest = highest.max(u);
    }
    assert!((highest - peak).abs() < 1e-6, "{highest} vs {peak}");
    let table = archc::report::table::render_width(&r, 100);
    assert!(table.contains("capacity (Mbps)"), "{table}");
}

#[test]
fn wide_time_decisions_are_shown_whole() {
    // build[regions, quarters] has 12 quarters: no value is cut from the table.
    let r = report_of("capacity/buildout.arch");
    let table = archc::report::table::render_width(&r, 100);
    for q in ["2027Q1", "2028Q3", "2029Q4"] {
        assert!(table.contains(q), "{q} missing:\n{table}");
    }
    assert!(!table.contains("more nonzero values"), "{table}");
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("archc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn json_lists_zeros_only_on_request() {
    let model = "examples/capacity/buildout.arch";
    let count = |v: &serde_json::Value| -> (usize, u64) {
        let d = &v["decisions"][0];
        (
            d["values"].as_array().expect("values").len(),
            d["count"].as_u64().expect("count"),
        )
    };
    let plain = run_json(&["solve", model, "-q", "--format", "json"]);
    let (nonzero, total) = count(&plain);
    assert!(nonzero < total as usize, "some build is zero");
    assert!(plain["decisions"][0]["values"]
        .as_array()
        .expect("values")
        .iter()
        .all(|v| v["value"].as_f64() != Some(0.0)));
    let zeros = run_json(&["solve", model, "-q", "--format", "json", "--zeros"]);
    let (all, total) = count(&zeros);
    assert_eq!(all, total as usize);
    assert_eq!(
        zeros["decisions"][0]["index_sets"],
        serde_json::json!(["regions", "quarters"])
    );
}

#[test]
fn csv_goes_to_a_folder_one_file_per_decision() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("plan");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .args([
            "solve",
            "examples/capacity/buildout.arch",
            "-q",
            "--format",
            "csv",
            "--out",
        ])
        .arg(&out_dir)
        .current_dir(root())
        .status()
        .expect("archc runs");
    assert!(status.success());
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("folder written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["build.csv", "capex.utilisation.csv", "installed.csv"]
    );
    // Without a folder, several files cannot go to stdout.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
        .args([
            "solve",
            "examples/capacity/buildout.arch",
            "-q",
            "--format",
            "csv",
        ])
        .current_dir(root())
        .output()
        .expect("archc runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out DIR"));
}

#[test]
fn ordered_lower_bound_rows_show_provided_against_required_over_time() {
    let r = report_of("capacity/buildout.arch");
    let table = archc::report::table::render_width(&r, 100);
    let section = table
        .split("provided against required over time")
        .nth(1)
        .expect("the section is shown");
    let section = section.split("\nutilisation").next().unwrap_or(section);
    // The rows of `headroom_kept` in the report, by (region, quarter).
    let c = r
        .constraints
        .iter()
        .find(|c| c.name == "headroom_kept")
        .expect("headroom_kept");
    let cell = |line: &str| -> Vec<String> {
        line.split(['│', '┆'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let (mut provided, mut required) = (Vec::new(), Vec::new());
    for line in section.lines() {
        let cells = cell(line);
        match cells
            .iter()
            .position(|c| c == "provided" || c == "required")
        {
            Some(k) if cells[k] == "provided" => provided.push(cells[k + 1..].to_vec()),
            Some(k) => required.push(cells[k + 1..].to_vec()),
            None => {}
        }
    }
    // Six regions on two pages of quarters: every row of the report appears once, with its
    // activity and its lower bound.
    assert_eq!(provided.len(), 12, "{section}");
    let shown: Vec<String> = provided.iter().flatten().cloned().collect();
    assert_eq!(shown.len(), c.rows.len());
    let bounds: Vec<String> = required.iter().flatten().cloned().collect();
    let number = |s: &str| s.replace(',', "").parse::<f64>().expect("a number");
    for (p, q) in shown.iter().zip(&bounds) {
        assert!(number(p) >= number(q) - 1e-6, "provided {p} < required {q}");
    }
    let total: f64 = shown.iter().map(|s| number(s)).sum();
    let expected: f64 = c.rows.iter().map(|row| row.activity).sum();
    assert!(
        (total - expected).abs() < 1e-6 * expected.max(1.0),
        "{total} vs {expected}"
    );
}

/// With an index over numbers (sample paths) beside one over periods (quarters), the
/// periods are the time axis: the over-time table has the quarters across and a series per
/// path and region.
#[test]
fn periods_are_the_time_axis_beside_numbered_indices() {
    let r = report_of("capacity/forecast_paths.arch");
    let c = r
        .constraints
        .iter()
        .find(|c| c.name == "covered")
        .expect("covered");
    assert_eq!(c.index_sets, ["paths", "regions", "quarters"]);
    assert_eq!(c.ordered, [false, false, true]);
    let t = archc::report::over_time::over_time(c).expect("covered over time");
    assert_eq!(t.time, 2);
    let quarters: Vec<&str> =
        c.rows
            .iter()
            .map(|row| row.index[2].as_str())
            .fold(Vec::new(), |mut seen, q| {
                if !seen.contains(&q) {
                    seen.push(q);
                }
                seen
            });
    assert_eq!(t.periods, quarters);
    assert!(
        t.series.iter().all(|s| s.key.contains(", ")),
        "path, region"
    );
    let table = archc::report::table::render_width(&r, 100);
    let section = table
        .split("provided against required over time")
        .nth(1)
        .expect("the section is shown");
    let header = section
        .lines()
        .find(|l| l.contains("paths, regions"))
        .expect("a header naming the other indices");
    assert!(header.contains(quarters[0]), "{header}");
}
