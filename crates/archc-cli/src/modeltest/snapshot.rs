//! Solution snapshots: a stable, human-readable text of a solved model (status, objectives,
//! movements, whether the plan is unique, every nonzero decision value, plan trajectories),
//! and a line diff for mismatches.
//!
//! A snapshot has two parts. Everything above the line [`NOT_COMPARED`] is compared; the
//! decision values below it are kept as information only. Which values are compared is
//! decided by [`Uniqueness`]: a model whose plan ties with another plan of the same cost
//! (found by [`archc::solve::alternatives`]) has its values below the line, so that a
//! solver that returns another tied plan still passes; continuous values are always below
//! the line, since ties among them are not enumerated; a model can ask for every value to
//! be compared with the line [`COMPARE_VALUES`] in its source.

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

/// The line that separates the compared part of a snapshot from the values kept as
/// information.
pub const NOT_COMPARED: &str = "# not compared (another plan of the same cost may differ here):";

/// The line in a model's source that asks for every decision value to be compared.
pub const COMPARE_VALUES: &str = "// archc test: compare values";

/// Whether the plan of a solved model is the only one of its cost, as far as the snapshot
/// can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uniqueness {
    /// No other plan ties in the integer decisions (continuous values are not enumerated).
    Unique,
    /// Other plans tie: how many were found, and whether the search stopped at its cap.
    NotUnique { found: usize, capped: bool },
    /// The model has no integer decisions: there is nothing to enumerate.
    Continuous,
    /// The search could not run (a general integer without bounds), with the reason.
    Unknown(String),
    /// The model asks for every value to be compared ([`COMPARE_VALUES`]).
    CompareAll,
    /// A plan solved by DP, or no plan: nothing to decide.
    NotApplicable,
}

impl Uniqueness {
    fn line(&self) -> Option<String> {
        Some(match self {
            Uniqueness::Unique => "plan: unique (integer decisions compared)".into(),
            Uniqueness::NotUnique { found, capped } => format!(
                "plan: not unique ({}{found} alternative{} of equal cost)",
                if *capped { "at least " } else { "" },
                if *found == 1 { "" } else { "s" }
            ),
            Uniqueness::Continuous => {
                "plan: continuous decisions only (ties among them are not enumerated)".into()
            }
            Uniqueness::Unknown(why) => format!("plan: uniqueness not known ({why})"),
            Uniqueness::CompareAll => format!("plan: every value compared (`{COMPARE_VALUES}`)"),
            Uniqueness::NotApplicable => return None,
        })
    }

    /// Whether the values of a decision of `kind` are compared.
    fn compares(&self, kind: archc::ir::VarKind) -> bool {
        match self {
            Uniqueness::CompareAll | Uniqueness::NotApplicable => true,
            Uniqueness::Unique => kind != archc::ir::VarKind::Continuous,
            _ => false,
        }
    }
}

/// The part of a snapshot that is compared: everything above [`NOT_COMPARED`].
pub fn compared_part(text: &str) -> &str {
    match text.find(NOT_COMPARED) {
        Some(i) => &text[..i],
        None => text,
    }
}

/// The snapshot text of a report.
pub fn render(r: &Report, unique: &Uniqueness) -> String {
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
    if let Some(line) = unique.line() {
        let _ = writeln!(out, "{line}");
    }
    let mut informative: Vec<String> = Vec::new();
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
        if unique.compares(d.kind) {
            for l in lines {
                let _ = writeln!(out, "{l}");
            }
        } else {
            informative.extend(lines);
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
    if !informative.is_empty() {
        let _ = writeln!(out, "{NOT_COMPARED}");
        for l in informative {
            let _ = writeln!(out, "{l}");
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
