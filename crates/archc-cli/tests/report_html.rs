//! The HTML report of every example, opened from disk in headless Chromium: the page loads
//! with no script error, no console error and no request blocked (its Content Security
//! Policy forbids any fetch), its tables are there, and every chart the report's JSON calls
//! for is drawn with the right number of bars, cells, lines, links and nodes. A screenshot
//! of each page is saved in `report-screenshots/` under the test output folder (a CI
//! artifact). Skipped, with the reason printed, only when `/usr/bin/chromium` is absent
//! (`.ci/run` installs it). Pages are opened one after the other.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";
/// Limits of the HTML report, as in `archc::report::html`.
const MAX_BARS: usize = 150;
const MAX_CELLS: usize = 5000;
const MAX_SERIES: usize = 12;

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

/// Every example; the scale case (UsCarrier) only when HiGHS is built in.
fn examples() -> Vec<(String, Vec<&'static str>)> {
    let dir = root().join("examples");
    let mut paths = Vec::new();
    walk(&dir, &mut paths);
    paths
        .iter()
        .filter_map(|p| {
            let rel = p
                .strip_prefix(root())
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/");
            if rel.contains("uscarrier") {
                return cfg!(feature = "highs").then(|| (rel, vec!["--solver", "highs"]));
            }
            Some((rel, vec![]))
        })
        .collect()
}

fn chromium(profile: &Path, extra: &[String], page: &Path) -> std::process::Output {
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

/// A chart the JSON report calls for: its kind, name, and the number of marks.
#[derive(Debug)]
struct Expected {
    kind: &'static str,
    name: String,
    marks: usize,
    /// Nodes, for the network.
    nodes: Option<usize>,
}

fn distinct(values: &[Value], k: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let label = v["index"][k].as_str().unwrap_or("").to_string();
        if !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

/// What the page must draw, from the JSON of the same solve (with `--zeros`).
fn expected_charts(json: &Value) -> Vec<Expected> {
    let mut out = Vec::new();
    let terms = json["objective"]["terms"].as_array().map_or(0, |t| t.len());
    if terms > 1 {
        out.push(Expected {
            kind: "objective",
            name: json["objective"]["name"].as_str().unwrap_or("").into(),
            marks: terms.min(MAX_BARS),
            nodes: None,
        });
    }
    for c in json["constraints"].as_array().into_iter().flatten() {
        let rows = c["rows"].as_array().expect("rows");
        // `>=` rows over time: one thick line per combination of the other indices that
        // provides or requires something.
        let ordered = c["ordered"].as_array().expect("ordered");
        if let Some(time) = ordered.iter().position(|o| o.as_bool() == Some(true)) {
            let mut keys: Vec<String> = Vec::new();
            for row in rows
                .iter()
                .filter(|r| !r["lo"].is_null() && r["hi"].is_null())
            {
                if row["activity"].as_f64().unwrap_or(0.0) == 0.0
                    && row["lo"].as_f64().unwrap_or(0.0) == 0.0
                {
                    continue;
                }
                let idx = row["index"].as_array().expect("index");
                let key: Vec<&str> = (0..idx.len())
                    .filter(|&k| k != time)
                    .map(|k| idx[k].as_str().unwrap_or(""))
                    .collect();
                let key = key.join(", ");
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            if !keys.is_empty() {
                out.push(Expected {
                    kind: "bounds",
                    name: c["name"].as_str().unwrap_or("").into(),
                    marks: keys.len().min(MAX_SERIES),
                    nodes: None,
                });
            }
        }
        // A network whose links only constraints range over (capacity rows per link) is
        // drawn too; a decision over the links adds its nodes (below).
        let sets = c["index_sets"].as_array().expect("index_sets");
        if let Some(k) = sets.iter().position(|s| s == "links") {
            if !out.iter().any(|e: &Expected| e.kind == "topology") {
                out.push(Expected {
                    kind: "topology",
                    name: "links".into(),
                    marks: distinct(rows, k).len(),
                    nodes: None,
                });
            }
        }
        let n = rows.iter().filter(|r| !r["utilisation"].is_null()).count();
        if n > 0 {
            out.push(Expected {
                kind: "utilisation",
                name: c["name"].as_str().unwrap_or("").into(),
                marks: n.min(MAX_BARS),
                nodes: None,
            });
        }
    }
    for d in json["decisions"].as_array().into_iter().flatten() {
        let values = d["values"].as_array().expect("values");
        let name = d["name"].as_str().unwrap_or("").to_string();
        let arity = d["index_names"].as_array().map_or(0, |a| a.len());
        let ordered: Vec<bool> = d["ordered"]
            .as_array()
            .expect("ordered")
            .iter()
            .map(|o| o.as_bool() == Some(true))
            .collect();
        let sets: Vec<&str> = d["index_sets"]
            .as_array()
            .expect("index_sets")
            .iter()
            .map(|s| s.as_str().unwrap_or(""))
            .collect();
        if let Some(links) = sets.iter().position(|s| *s == "links") {
            let nodes = sets
                .iter()
                .position(|s| *s == "regions")
                .map(|k| distinct(values, k).len());
            out.retain(|e| e.kind != "topology");
            out.push(Expected {
                kind: "topology",
                name: "links".into(),
                marks: distinct(values, links).len(),
                nodes,
            });
        }
        if arity == 0 {
            continue;
        }
        if let Some(time) = ordered.iter().position(|&o| o) {
            // One line per combination of the other indices with a nonzero value.
            let mut keys: Vec<String> = Vec::new();
            for v in values {
                if v["value"].as_f64().unwrap_or(0.0) == 0.0 {
                    continue;
                }
                let idx = v["index"].as_array().expect("index");
                let key: Vec<&str> = (0..arity)
                    .filter(|&k| k != time)
                    .map(|k| idx[k].as_str().unwrap_or(""))
                    .collect();
                let key = key.join(", ");
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            if !keys.is_empty() {
                out.push(Expected {
                    kind: "lines",
                    name,
                    marks: keys.len().min(MAX_SERIES),
                    nodes: None,
                });
            }
        } else if arity == 2 && values.len() <= MAX_CELLS {
            out.push(Expected {
                kind: "heatmap",
                name,
                marks: values.len(),
                nodes: None,
            });
        } else if arity == 1 && values.iter().any(|v| v["value"].as_f64() != Some(0.0)) {
            out.push(Expected {
                kind: "bars",
                name,
                marks: values.len().min(MAX_BARS),
                nodes: None,
            });
        }
    }
    let plans = json["plans"].as_array().map_or(0, |p| p.len());
    if plans > 0 {
        out.push(Expected {
            kind: "plans",
            name: "state".into(),
            marks: plans.min(MAX_SERIES),
            nodes: None,
        });
    }
    // The network is drawn once, for the first decision over links.
    let mut seen_topology = false;
    out.retain(|e| {
        if e.kind != "topology" {
            return true;
        }
        let first = !seen_topology;
        seen_topology = true;
        first
    });
    out
}

/// The figures of a dumped page: (kind, name, data-marks, inner markup).
fn figures(dom: &str) -> Vec<(String, String, usize, String)> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<figure class=\"chart\"") {
        let after = &rest[start..];
        let end = after.find("</figure>").expect("figure closed");
        let fig = &after[..end];
        let attr = |name: &str| -> String {
            let key = format!("{name}=\"");
            fig.find(&key)
                .map(|i| {
                    let v = &fig[i + key.len()..];
                    v[..v.find('"').unwrap_or(0)].to_string()
                })
                .unwrap_or_default()
        };
        out.push((
            attr("data-chart"),
            attr("data-name"),
            attr("data-marks").parse().unwrap_or(usize::MAX),
            fig.to_string(),
        ));
        rest = &after[end..];
    }
    out
}

fn root_attr(dom: &str, name: &str) -> Option<String> {
    let html = &dom[dom.find("<html")?..];
    let tag = &html[..html.find('>')?];
    let key = format!("{name}=\"");
    let v = &tag[tag.find(&key)? + key.len()..];
    Some(v[..v.find('"')?].to_string())
}

fn check_page(rel: &str, dom: &str, log: &str, json: &Value) {
    assert_eq!(
        root_attr(dom, "data-errors").as_deref(),
        Some("0"),
        "{rel}: script errors"
    );
    assert_eq!(
        root_attr(dom, "data-blocked").as_deref(),
        Some("0"),
        "{rel}: blocked requests"
    );
    for bad in ["Uncaught", "Refused to", "ERROR:CONSOLE", "Failed to load"] {
        assert!(
            !log.contains(bad),
            "{rel}: `{bad}` in the browser log:\n{log}"
        );
    }
    assert!(dom.contains("id=\"verified\""), "{rel}: no verification");
    assert!(dom.contains("<table>"), "{rel}: no table");
    let figs = figures(dom);
    let count = |fig: &str, tag: &str| fig.matches(&format!("<{tag} ")).count();
    // Lines of a chart are the polylines 2 wide (axes and ticks are 1 wide).
    let lines = |fig: &str| {
        fig.split("<polyline ")
            .skip(1)
            .filter(|tag| tag[..tag.find('>').unwrap_or(0)].contains("stroke-width=\"2\""))
            .count()
    };
    let expected = expected_charts(json);
    assert!(!expected.is_empty(), "{rel}: nothing to plot?");
    for e in &expected {
        let Some((_, _, marks, fig)) = figs.iter().find(|f| f.0 == e.kind && f.1 == e.name) else {
            panic!(
                "{rel}: no {} chart of `{}`; charts: {:?}",
                e.kind,
                e.name,
                figs.iter().map(|f| (&f.0, &f.1)).collect::<Vec<_>>()
            );
        };
        assert!(
            fig.contains("<svg"),
            "{rel}: {} `{}` has no SVG",
            e.kind,
            e.name
        );
        assert_eq!(*marks, e.marks, "{rel}: {} `{}` data-marks", e.kind, e.name);
        let drawn = match e.kind {
            "lines" | "plans" | "bounds" => lines(fig),
            "topology" => count(fig, "polyline"),
            _ => count(fig, "rect"),
        };
        assert_eq!(drawn, e.marks, "{rel}: {} `{}` marks drawn", e.kind, e.name);
        if let Some(nodes) = e.nodes {
            assert_eq!(count(fig, "circle"), nodes, "{rel}: nodes of the network");
        }
    }
    assert_eq!(figs.len(), expected.len(), "{rel}: unexpected charts");
}

#[test]
fn every_example_report_renders_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        println!("skipped: {CHROMIUM} is absent (apt-get install chromium; .ci/run installs it)");
        return;
    }
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    std::fs::create_dir_all(&out_dir).expect("screenshot folder");
    let examples = examples();
    assert!(examples.len() >= 8, "{examples:?}");
    for (rel, extra) in examples {
        let name = rel
            .trim_start_matches("examples/")
            .trim_end_matches(".arch")
            .replace('/', "-");
        let page = out_dir.join(format!("{name}.html"));
        let solve = Command::new(env!("CARGO_BIN_EXE_archc"))
            .args([
                "solve", &rel, "-q", "--format", "json", "--zeros", "--report",
            ])
            .arg(&page)
            .args(&extra)
            .current_dir(root())
            .output()
            .expect("archc runs");
        // Exit 5: a verified plan not proven optimal (a partitioned solve's).
        assert!(
            solve.status.success() || solve.status.code() == Some(5),
            "{rel}: {}",
            String::from_utf8_lossy(&solve.stderr)
        );
        let json: Value = serde_json::from_slice(&solve.stdout).expect("JSON report");
        let html = std::fs::read_to_string(&page).expect("HTML report written");
        assert!(
            !html.contains(" src=") && !html.contains(" href="),
            "{rel}: the page refers to another resource"
        );
        let profile = tempfile::tempdir().expect("profile folder");
        let dumped = chromium(profile.path(), &["--dump-dom".into()], &page);
        assert!(dumped.status.success(), "{rel}: chromium failed");
        let dom = String::from_utf8_lossy(&dumped.stdout);
        let log = String::from_utf8_lossy(&dumped.stderr);
        check_page(&rel, &dom, &log, &json);
        let shot = out_dir.join(format!("{name}.png"));
        let profile = tempfile::tempdir().expect("profile folder");
        let taken = chromium(
            profile.path(),
            &[
                format!("--screenshot={}", shot.display()),
                "--window-size=1100,2400".into(),
                "--hide-scrollbars".into(),
            ],
            &page,
        );
        assert!(taken.status.success(), "{rel}: no screenshot");
        let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{rel}: screenshot of {size} bytes");
        println!("{rel}: {}", shot.display());
    }
}

#[test]
fn an_infeasible_model_report_explains_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("tight.arch");
    std::fs::write(
        &model,
        "decide x: real >= 0\nconstraint low: x >= 5\nconstraint high: x <= 3\nminimize cost: x\n",
    )
    .expect("model written");
    let page = dir.path().join("tight.html");
    let out = Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(["solve", "-q", "--report"])
        .arg(&page)
        .arg(&model)
        .output()
        .expect("archc runs");
    assert_eq!(out.status.code(), Some(3), "infeasible");
    let html = std::fs::read_to_string(&page).expect("report written");
    assert!(html.contains("id=\"explanation\""), "{html}");
    assert!(html.contains("low") && html.contains("high"), "{html}");
    assert!(html.contains(">infeasible<"), "{html}");
}
