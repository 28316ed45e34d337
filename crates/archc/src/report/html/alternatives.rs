//! The alternative plans of `archc solve --alternatives K` in the HTML report: the same
//! headline as the terminal's, a table of every plan (objective, verification, how many
//! decisions differ from the plan reported), and each alternative's changes from it.

use super::super::table::format_number;
use super::super::table_alternatives::{
    change_name, ended_text, headline, with_unit, CONTINUOUS_NOTE,
};
use super::{escape, table, MAX_TABLE_ROWS};
use crate::report::Report;
use std::fmt::Write;

/// The section, when the solve looked for alternatives.
pub(super) fn section(out: &mut String, r: &Report) {
    let Some(a) = &r.alternative_search else {
        return;
    };
    let plans = r.alternatives.as_deref().unwrap_or_default();
    let _ = writeln!(
        out,
        "<h2 id=\"alternatives\">Alternative plans</h2>\n<p id=\"alternatives-found\" \
         data-plans=\"{}\">{}</p>",
        plans.len() + 1,
        escape(&headline(a, plans))
    );
    if let Some(why) = ended_text(a) {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&why));
    }
    if a.continuous_decisions {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(CONTINUOUS_NOTE));
    }
    let first = std::iter::once(vec![
        ("plan 1 (reported)".to_string(), false),
        (with_unit(a.first, &a.unit), true),
        ("verified above".to_string(), false),
        ("".to_string(), true),
    ]);
    let others = plans.iter().enumerate().map(|(i, p)| {
        vec![
            (format!("plan {}", i + 2), false),
            (with_unit(p.objective, &a.unit), true),
            (
                if p.verification.ok {
                    "verified".to_string()
                } else {
                    "VIOLATIONS FOUND".to_string()
                },
                false,
            ),
            (format_number(p.changes.len() as f64), true),
        ]
    });
    table(
        out,
        &[
            "plan".into(),
            "objective".into(),
            "verification".into(),
            "changes from plan 1".into(),
        ],
        first.chain(others),
    );
    for (i, p) in plans.iter().enumerate() {
        let _ = writeln!(
            out,
            "<h3 class=\"alternative\" data-plan=\"{}\" data-changes=\"{}\">plan {}: what differs from plan 1</h3>",
            i + 2,
            p.changes.len(),
            i + 2
        );
        table(
            out,
            &[
                "decision".into(),
                "plan 1".into(),
                format!("plan {}", i + 2),
            ],
            p.changes.iter().take(MAX_TABLE_ROWS).map(|c| {
                vec![
                    (change_name(c), false),
                    (format_number(c.from), true),
                    (format_number(c.to), true),
                ]
            }),
        );
        if p.changes.len() > MAX_TABLE_ROWS {
            let _ = writeln!(
                out,
                "<p class=\"note\">… {} more changes (all in the JSON report)</p>",
                format_number((p.changes.len() - MAX_TABLE_ROWS) as f64)
            );
        }
    }
}
