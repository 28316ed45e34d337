//! The alternatives section of the terminal report (`archc solve --alternatives K`): how
//! many further plans were found within which tolerance, and each one as its objective, its
//! verification and the integer decisions whose values differ from the plan reported above
//! (`replicas[auth, us-east]  1 → 0`).

use super::table::format_number;
use crate::solve::alternatives::{Alternative, AlternativeSearch, Ended};
use std::fmt::Write;

/// An alternative lists at most this many changed decisions; a line says how many more.
pub const MAX_CHANGES: usize = 20;

pub(crate) fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        format_number(v)
    } else {
        format!("{} {unit}", format_number(v))
    }
}

/// `ties only`, `within 1% of the optimum`, `within 250 usd of the optimum`.
pub fn tolerance_text(a: &AlternativeSearch) -> String {
    let t = a.tolerance;
    if t.absolute == 0.0 && t.relative == 0.0 {
        "ties only".into()
    } else if t.relative > 0.0 {
        format!(
            "within {} of the optimum",
            crate::units::format_percent(t.relative)
        )
    } else {
        format!("within {} of the optimum", with_unit(t.absolute, &a.unit))
    }
}

/// `3 plans found of 3 asked for (ties only; objective at most 5 usd)`: the first line of
/// the section, in the terminal and in the HTML report.
pub(crate) fn headline(a: &AlternativeSearch, plans: &[Alternative]) -> String {
    let n = plans.len() + 1;
    format!(
        "{n} plan{} found of {} asked for ({}; objective at most {})",
        if n == 1 { "" } else { "s" },
        a.requested,
        tolerance_text(a),
        with_unit(a.limit, &a.unit)
    )
}

/// Why fewer plans than asked for were found, if so.
pub(crate) fn ended_text(a: &AlternativeSearch) -> Option<String> {
    match &a.ended {
        Ended::Count => None,
        Ended::Exhausted => Some("no other plan lies within the tolerance".into()),
        Ended::NoPlan(why) => Some(format!("the enumeration stopped: {why}")),
    }
}

/// The note on continuous decisions, when the model has any.
pub(crate) const CONTINUOUS_NOTE: &str =
    "continuous decisions are not enumerated; the plans differ in integer decisions";

/// `x[a, b]`: the decision instance a change is about.
pub(crate) fn change_name(c: &crate::solve::alternatives::Change) -> String {
    if c.index.is_empty() {
        c.decision.clone()
    } else {
        format!("{}[{}]", c.decision, c.index.join(", "))
    }
}

/// Append the section to `out`.
pub fn section(out: &mut String, a: &AlternativeSearch, plans: &[Alternative]) {
    let _ = writeln!(out, "\nalternatives: {}", headline(a, plans));
    if let Some(why) = ended_text(a) {
        let _ = writeln!(out, "  {why}");
    }
    for (i, p) in plans.iter().enumerate() {
        let _ = writeln!(
            out,
            "  plan {}: objective {}, {}, {} change{} from plan 1",
            i + 2,
            with_unit(p.objective, &a.unit),
            if p.verification.ok {
                "verified"
            } else {
                "VIOLATIONS FOUND"
            },
            p.changes.len(),
            if p.changes.len() == 1 { "" } else { "s" }
        );
        let names: Vec<String> = p.changes.iter().map(change_name).collect();
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        for (c, name) in p.changes.iter().zip(&names).take(MAX_CHANGES) {
            let _ = writeln!(
                out,
                "    {name:<width$}  {} → {}",
                format_number(c.from),
                format_number(c.to)
            );
        }
        if p.changes.len() > MAX_CHANGES {
            let _ = writeln!(
                out,
                "    … {} more (all in the JSON report: --format json)",
                p.changes.len() - MAX_CHANGES
            );
        }
    }
    if a.continuous_decisions {
        let _ = writeln!(out, "  note: {CONTINUOUS_NOTE}");
    }
}
