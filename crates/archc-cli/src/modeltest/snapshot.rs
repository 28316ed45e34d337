//! Solution snapshots: a stable, human-readable text of a solved model (status, objective,
//! every nonzero decision value, plan trajectories), and a line diff for mismatches.

use archc::report::Report;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// `models/global.arch` → `models/global.solution.txt`.
pub fn path_for(model: &Path) -> PathBuf {
    let stem = model
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("model");
    model.with_file_name(format!("{stem}.solution.txt"))
}

/// A number with 6 significant digits, so that solver round-off does not show.
fn num(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = 6 - (v.abs().log10().floor() as i32 + 1);
    let r = if digits > 0 {
        let f = 10f64.powi(digits);
        (v * f).round() / f
    } else {
        let f = 10f64.powi(-digits);
        (v / f).round() * f
    };
    let s = format!("{r}");
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// The snapshot text of a report.
pub fn render(r: &Report) -> String {
    let mut out = String::from("# archc solution snapshot; `archc test --update` rewrites it\n");
    let status = serde_json::to_value(r.status)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let _ = writeln!(out, "status: {status}");
    if let Some(o) = &r.objective {
        let line = format!("objective {} = {} {}", o.name, num(o.value), o.unit);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    // The objectives ranked after the first, at the plan reported (the last stage's).
    if let Some(last) = r.stages.last() {
        for (s, v) in r.stages.iter().zip(&last.values).skip(1) {
            let line = format!("then objective {} = {} {}", s.objective, num(*v), s.unit);
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    for m in &r.movements {
        let line = format!("{} = {} {}", m.label, num(m.value), m.unit);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for d in &r.decisions {
        let mut lines: Vec<String> = d
            .values
            .iter()
            .filter(|_| !d.name.contains('~'))
            .map(|v| {
                if v.index.is_empty() {
                    format!("{} = {}", d.name, num(v.value))
                } else {
                    format!("{}[{}] = {}", d.name, v.index.join(", "), num(v.value))
                }
            })
            .collect();
        lines.sort();
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
    }
    for p in &r.plans {
        let _ = writeln!(out, "plan {} cost = {}", p.plan, num(p.cost));
        for s in &p.stages {
            let st: Vec<String> = s.state.iter().map(|v| v.to_string()).collect();
            let _ = writeln!(
                out,
                "  {} state {} choose {}",
                s.stage,
                st.join(","),
                s.decision
            );
        }
    }
    out
}

/// Lines of a diff (`- old`, `+ new`), at most 40.
pub fn diff(old: &str, new: &str) -> Vec<String> {
    let d = similar::TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    for change in d.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => continue,
        };
        out.push(format!("  {sign} {}", change.value().trim_end()));
        if out.len() >= 40 {
            out.push("  …".into());
            break;
        }
    }
    out
}
