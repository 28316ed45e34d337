//! Terminal tables for a [`Report`], laid out by comfy-table: the status lines, the objective
//! breakdown, every decision (a matrix when it has two indices, paged by columns when it is
//! wider than the terminal; a long table otherwise), DP plans, and the utilisation of every
//! capacity row (load against capacity, binding rows marked); `>=` rows over ordered periods
//! as provided against required ([`super::table_time`]).

use super::{ConstraintReport, DecisionReport, Report, ValueReport};
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use std::fmt::Write;

/// A long table shows at most this many rows; the note under it says how many are left and
/// where to find them all.
pub const MAX_ROWS: usize = 40;
/// The over-time section shows at most this many series of a constraint.
pub const MAX_SERIES_ROWS: usize = 12;
/// A matrix with more rows than this is shown as a long table instead.
const MAX_MATRIX_ROWS: usize = 60;
/// Width used when none is given.
pub const DEFAULT_WIDTH: usize = 100;

/// A value a solver computed, for people: [`crate::units::format_value`].
pub fn format_number(v: f64) -> String {
    crate::units::format_value(v)
}

fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        format_number(v)
    } else {
        format!("{} {unit}", format_number(v))
    }
}

/// A table in the house style, at most `width` characters wide.
pub(super) fn new_table(width: usize) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width.clamp(40, u16::MAX as usize) as u16);
    t
}

pub(super) fn right(text: String) -> Cell {
    Cell::new(text).set_alignment(CellAlignment::Right)
}

/// Render the whole report for a terminal [`DEFAULT_WIDTH`] characters wide.
pub fn render(r: &Report) -> String {
    render_width(r, DEFAULT_WIDTH)
}

/// Render the whole report with tables at most `width` characters wide.
pub fn render_width(r: &Report, width: usize) -> String {
    let mut out = String::new();
    header(&mut out, r);
    if let Some(s) = &r.scale {
        scale(&mut out, s);
    }
    if let Some(o) = &r.objective {
        let sense = match o.sense {
            crate::ir::Sense::Minimize => "minimize",
            crate::ir::Sense::Maximize => "maximize",
        };
        let _ = writeln!(
            out,
            "\n{sense} {} = {}",
            o.name,
            with_unit(o.value, &o.unit)
        );
        if o.terms.len() > 1 {
            let mut t = new_table(width);
            t.set_header(vec![
                Cell::new("term"),
                right(unit_header("value", &o.unit)),
            ]);
            for term in &o.terms {
                t.add_row(vec![
                    Cell::new(&term.label),
                    right(format_number(term.value)),
                ]);
            }
            let _ = writeln!(out, "{t}");
        }
    }
    if !r.movements.is_empty() {
        out.push('\n');
        for m in &r.movements {
            let _ = writeln!(out, "{} = {}", m.label, with_unit(m.value, &m.unit));
        }
    }
    stages(&mut out, r, width);
    for d in &r.decisions {
        out.push('\n');
        decision(&mut out, d, width);
    }
    plans(&mut out, r, width);
    super::table_time::section(&mut out, &r.constraints, width);
    utilisation(&mut out, &r.constraints, width);
    if let Some(a) = &r.alternative_search {
        let plans = r.alternatives.as_deref().unwrap_or_default();
        super::table_alternatives::section(&mut out, a, plans);
    }
    out
}

/// The stages of ranked objectives: one row per stage, with the value of every objective at
/// that stage's plan and the limit the stage's objective is kept within afterwards.
fn stages(out: &mut String, r: &Report, width: usize) {
    if r.stages.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nobjectives in priority order:");
    let mut t = new_table(width);
    let mut header = vec![Cell::new("stage"), Cell::new("solves")];
    for s in &r.stages {
        header.push(right(unit_header(&s.objective, &s.unit)));
    }
    header.push(right("then kept within".to_string()));
    t.set_header(header);
    for (k, s) in r.stages.iter().enumerate() {
        let sense = match s.sense {
            crate::ir::Sense::Minimize => "minimize",
            crate::ir::Sense::Maximize => "maximize",
        };
        let mut row = vec![
            Cell::new((k + 1).to_string()),
            Cell::new(format!("{sense} {}", s.objective)),
        ];
        for v in &s.values {
            row.push(right(format_number(*v)));
        }
        let kept = match (s.limit, s.sense) {
            (Some(l), crate::ir::Sense::Minimize) => format!("<= {}", with_unit(l, &s.unit)),
            (Some(l), crate::ir::Sense::Maximize) => format!(">= {}", with_unit(l, &s.unit)),
            (None, _) => String::new(),
        };
        row.push(right(kept));
        t.add_row(row);
    }
    let _ = writeln!(out, "{t}");
}

/// `value (usd)`, or `value` without a unit.
fn unit_header(name: &str, unit: &str) -> String {
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

/// The words for a search's start in the text report.
fn start_words(start: &str) -> &str {
    match start {
        "greedy" => "a greedy placement",
        "lp" => "the rounded LP relaxation",
        "partition" => "the partitioned plan",
        other => other,
    }
}

/// How a plan was found at scale: the parts, the repair, the bound and the gap.
fn scale(out: &mut String, s: &crate::partition::ScaleReport) {
    match s.moves {
        Some(moves) => {
            let _ = write!(out, "\n{}: {moves} moves, seed {}", s.method, s.seed);
            if let Some(start) = &s.start {
                let _ = write!(out, ", started from {}", start_words(start));
            }
        }
        None => {
            let _ = write!(
                out,
                "\n{}: `{}` in {} parts{}, seed {}, {} coupling rows",
                s.method,
                s.set,
                s.k,
                // The command line's partition goes without saying.
                s.partition_from
                    .filter(|f| *f == crate::partition::PartitionFrom::Model)
                    .map_or(String::new(), |f| format!(" (named by {})", f.describe())),
                s.seed,
                s.coupling_rows
            );
        }
    }
    if !s.parts.is_empty() {
        let times: Vec<u64> = s.parts.iter().map(|p| p.time_ms).collect();
        let solved = s.parts.iter().filter(|p| p.objective.is_some()).count();
        let _ = write!(
            out,
            "\nparts solved: {solved} of {}, time per part: min {} ms, max {} ms",
            s.parts.len(),
            times.iter().min().copied().unwrap_or(0),
            times.iter().max().copied().unwrap_or(0)
        );
    }
    if s.moves.is_none() {
        let _ = write!(
            out,
            "\nrepair: {} violated rows, {} items re-decided in {} re-solves{}",
            s.repair.violated_rows,
            s.repair.freed_items,
            s.repair.rounds,
            if s.repair.ok { "" } else { " (failed)" }
        );
    }
    match (&s.bound, s.gap) {
        (Some(b), Some(g)) => {
            let _ = write!(
                out,
                "\nbound: {} ({}), gap to it: {:.4}%",
                format_number(b.value),
                b.method,
                g * 100.0
            );
        }
        _ => out.push_str("\nbound: none (no bound was proven within the time limit), gap unknown"),
    }
    out.push('\n');
}

fn header(out: &mut String, r: &Report) {
    let _ = write!(out, "status: {}", r.outcome.name());
    if let Some(g) = r.gap {
        let _ = write!(out, "  gap: {}", crate::units::format_percent(g));
    }
    // Bounds tell something only when the plan is not proven optimal.
    if r.outcome != super::ReportStatus::Optimal {
        if let Some(b) = r.primal_bound {
            let _ = write!(out, "  primal bound: {}", format_number(b));
        }
        if let Some(b) = r.dual_bound {
            let _ = write!(out, "  dual bound: {}", format_number(b));
        }
    }
    let _ = writeln!(
        out,
        "  solver: {}  time: {} ms",
        r.solver,
        format_number(r.solve_time_ms as f64)
    );
    let _ = writeln!(out, "backend: {}", r.backend_reason);
    if r.plans.is_empty() {
        let _ = writeln!(
            out,
            "model: {} columns, {} rows, {} nonzeros",
            format_number(r.size.columns as f64),
            format_number(r.size.rows as f64),
            format_number(r.size.nonzeros as f64)
        );
    }
    if let Some(s) = &r.start {
        start_line(out, s);
    }
    if let Some(v) = &r.verification {
        let _ = writeln!(
            out,
            "verified: {} (largest row violation {})",
            if v.ok {
                "every constraint and bound holds"
            } else {
                "VIOLATIONS FOUND"
            },
            crate::units::format_significant(v.max_row_violation, 2)
        );
    }
}

/// `start: given (current state), feasible, objective 471606.28 usd, passed to the solver`.
fn start_line(out: &mut String, s: &crate::solve::start::StartReport) {
    let _ = write!(out, "start: given ({})", s.source);
    match s.objective {
        Some(v) if s.feasible => {
            let _ = write!(out, ", feasible, objective {}", with_unit(v, &s.unit));
        }
        _ => {
            let _ = write!(
                out,
                ", infeasible ({} violation{})",
                s.violations,
                if s.violations == 1 { "" } else { "s" }
            );
        }
    }
    let passed = if s.passed {
        "passed to the solver as a MIP start"
    } else if s.feasible {
        "checked only (this solver takes no start)"
    } else {
        "not passed"
    };
    let _ = writeln!(out, ", {passed}");
}

/// The two axes of a two-index decision: (row labels, column labels, whether the indices
/// are swapped so that rows come from the second index). Labels keep the order of the sets;
/// a label whose every value is zero is left out, except on a time axis.
pub fn matrix_axes(d: &DecisionReport) -> (Vec<&str>, Vec<&str>, bool) {
    let mut firsts: Vec<(&str, bool)> = Vec::new();
    let mut seconds: Vec<(&str, bool)> = Vec::new();
    let mut seen = [
        rustc_hash::FxHashMap::<&str, usize>::default(),
        rustc_hash::FxHashMap::default(),
    ];
    for v in &d.all {
        for (k, axis) in [&mut firsts, &mut seconds].into_iter().enumerate() {
            let label = v.index[k].as_str();
            let i = *seen[k].entry(label).or_insert_with(|| {
                axis.push((label, false));
                axis.len() - 1
            });
            axis[i].1 |= v.value != 0.0;
        }
    }
    fn keep(axis: Vec<(&str, bool)>, ordered: bool) -> Vec<&str> {
        axis.into_iter()
            .filter(|&(_, nonzero)| nonzero || ordered)
            .map(|(l, _)| l)
            .collect()
    }
    let ordered = |k: usize| d.ordered.get(k).copied().unwrap_or(false);
    let rows = keep(firsts, ordered(0));
    let cols = keep(seconds, ordered(1));
    // A time axis runs across; otherwise the shorter axis does.
    let swap = if ordered(0) != ordered(1) {
        ordered(0)
    } else {
        rows.len() < cols.len()
    };
    if swap {
        (cols, rows, true)
    } else {
        (rows, cols, false)
    }
}

fn decision(out: &mut String, d: &DecisionReport, width: usize) {
    let unit = if d.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", d.unit)
    };
    let idx = if d.index_names.is_empty() {
        String::new()
    } else {
        format!("[{}]", d.index_names.join(", "))
    };
    let nonzero = d.all.iter().filter(|v| v.value != 0.0).count();
    let _ = writeln!(
        out,
        "{}{idx}{unit}: {} nonzero of {}",
        d.name, nonzero, d.count
    );
    if nonzero == 0 {
        return;
    }
    if d.index_names.is_empty() {
        let _ = writeln!(out, "  {}", format_number(d.all[0].value));
        return;
    }
    if d.index_names.len() == 2 {
        let (rows, cols, swapped) = matrix_axes(d);
        // Transposed when only that way fits without paging.
        if !fits(d, &rows, &cols, swapped, width)
            && cols.len() <= MAX_MATRIX_ROWS
            && fits(d, &cols, &rows, !swapped, width)
        {
            matrix(out, d, &cols, &rows, !swapped, width);
            return;
        }
        if rows.len() <= MAX_MATRIX_ROWS {
            matrix(out, d, &rows, &cols, swapped, width);
            return;
        }
    }
    long_table(out, d, width);
}

/// The cells of a two-index decision by (row, column) label.
type Cells<'a> = rustc_hash::FxHashMap<(&'a str, &'a str), f64>;

fn cells(d: &DecisionReport, swapped: bool) -> Cells<'_> {
    let mut cell = Cells::default();
    for v in &d.all {
        let (a, b) = (v.index[0].as_str(), v.index[1].as_str());
        cell.insert(if swapped { (b, a) } else { (a, b) }, v.value);
    }
    cell
}

fn cell_text(cell: &Cells, r: &str, c: &str) -> String {
    match cell.get(&(r, c)) {
        Some(&v) if v != 0.0 => format_number(v),
        _ => "·".to_string(),
    }
}

/// The width of the row labels and of each column of a matrix, rules and padding included.
fn matrix_widths(
    d: &DecisionReport,
    rows: &[&str],
    cols: &[&str],
    swapped: bool,
) -> (usize, Vec<usize>) {
    let cell = cells(d, swapped);
    let (row_set, col_set) = axis_sets(d, swapped);
    let label_w = rows
        .iter()
        .map(|r| r.chars().count())
        .chain([row_set.chars().count() + col_set.chars().count() + 3])
        .max()
        .unwrap_or(1)
        + 4;
    let col_w = cols
        .iter()
        .map(|c| {
            rows.iter()
                .map(|r| cell_text(&cell, r, c).chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(1)
                + 3
        })
        .collect();
    (label_w, col_w)
}

fn axis_sets(d: &DecisionReport, swapped: bool) -> (&str, &str) {
    if swapped {
        (&d.index_sets[1], &d.index_sets[0])
    } else {
        (&d.index_sets[0], &d.index_sets[1])
    }
}

/// Whether a matrix fits `width` without paging.
fn fits(d: &DecisionReport, rows: &[&str], cols: &[&str], swapped: bool, width: usize) -> bool {
    let (label_w, col_w) = matrix_widths(d, rows, cols, swapped);
    label_w + col_w.iter().sum::<usize>() <= width
}

/// A two-index decision as a matrix, paged by columns to fit `width`.
fn matrix(
    out: &mut String,
    d: &DecisionReport,
    rows: &[&str],
    cols: &[&str],
    swapped: bool,
    width: usize,
) {
    let cell = cells(d, swapped);
    let (row_set, col_set) = axis_sets(d, swapped);
    let (label_w, col_w) = matrix_widths(d, rows, cols, swapped);
    let mut pages: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut used = label_w;
    for (i, w) in col_w.iter().enumerate() {
        if i > start && used + w > width {
            pages.push(start..i);
            start = i;
            used = label_w;
        }
        used += w;
    }
    pages.push(start..cols.len());
    for page in &pages {
        if pages.len() > 1 {
            let _ = writeln!(
                out,
                "  {col_set} {}–{} of {}:",
                page.start + 1,
                page.end,
                cols.len()
            );
        }
        let mut t = new_table(width);
        t.set_content_arrangement(ContentArrangement::Disabled);
        let mut head = vec![Cell::new(format!("{row_set} \\ {col_set}"))];
        head.extend(cols[page.clone()].iter().map(|c| right(c.to_string())));
        t.set_header(head);
        for r in rows {
            let mut line = vec![Cell::new(r)];
            line.extend(
                cols[page.clone()]
                    .iter()
                    .map(|c| right(cell_text(&cell, r, c))),
            );
            t.add_row(line);
        }
        let _ = writeln!(out, "{t}");
    }
}

/// A decision as a long table: one column per index, named by its set, then the value.
fn long_table(out: &mut String, d: &DecisionReport, width: usize) {
    let values: Vec<&ValueReport> = d.all.iter().filter(|v| v.value != 0.0).collect();
    let mut t = new_table(width);
    let mut head: Vec<Cell> = d.index_sets.iter().map(Cell::new).collect();
    head.push(right(unit_header("value", &d.unit)));
    t.set_header(head);
    for v in values.iter().take(MAX_ROWS) {
        let mut line: Vec<Cell> = v.index.iter().map(Cell::new).collect();
        line.push(right(format_number(v.value)));
        t.add_row(line);
    }
    let _ = writeln!(out, "{t}");
    if values.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "  … {} more nonzero values (--format csv or json lists them all)",
            values.len() - MAX_ROWS
        );
    }
}

fn plans(out: &mut String, r: &Report, width: usize) {
    for (i, p) in r.plans.iter().enumerate() {
        if i >= 12 {
            let _ = writeln!(
                out,
                "\n… {} more plans (use --format json for all)",
                r.plans.len() - i
            );
            break;
        }
        let _ = writeln!(out, "\n{}: cost {}", p.plan, format_number(p.cost));
        let mut t = new_table(width);
        t.set_header(vec![
            Cell::new("stage"),
            right("state".into()),
            right("decision".into()),
            right("cost".into()),
        ]);
        for s in &p.stages {
            let state: Vec<String> = s.state.iter().map(|v| v.to_string()).collect();
            t.add_row(vec![
                Cell::new(&s.stage),
                right(state.join(",")),
                right(s.decision.to_string()),
                right(format_number(s.cost)),
            ]);
        }
        let fin: Vec<String> = p.final_state.iter().map(|v| v.to_string()).collect();
        t.add_row(vec![Cell::new("end"), right(fin.join(","))]);
        let _ = writeln!(out, "{t}");
    }
}

/// The rows of a constraint with a utilisation, fullest first.
pub fn capacity_rows(c: &ConstraintReport) -> Vec<&super::RowReport> {
    let mut rows: Vec<_> = c.rows.iter().filter(|r| r.utilisation.is_some()).collect();
    rows.sort_by(|a, b| {
        b.utilisation
            .partial_cmp(&a.utilisation)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    rows
}

fn utilisation(out: &mut String, constraints: &[ConstraintReport], width: usize) {
    let caps: Vec<_> = constraints
        .iter()
        .filter(|c| c.rows.iter().any(|row| row.utilisation.is_some()))
        .collect();
    if caps.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nutilisation (load against capacity of each `<=` constraint, fullest first):"
    );
    for c in caps {
        let rows = capacity_rows(c);
        let _ = writeln!(out, "{}:", c.name);
        let mut t = new_table(width);
        let mut head: Vec<Cell> = c.index_sets.iter().map(Cell::new).collect();
        head.extend([
            right(unit_header("load", &c.unit)),
            right(unit_header("capacity", &c.unit)),
            right("used".into()),
            Cell::new(""),
            Cell::new("binding"),
        ]);
        t.set_header(head);
        for row in rows.iter().take(MAX_ROWS) {
            let u = row.utilisation.unwrap_or(0.0);
            let bar_len = (u.clamp(0.0, 1.0) * 20.0).round() as usize;
            let mut line: Vec<Cell> = row.index.iter().map(Cell::new).collect();
            line.extend([
                right(format_number(row.load.unwrap_or(row.activity))),
                right(format_number(row.capacity.unwrap_or(0.0))),
                right(crate::units::format_percent(u)),
                Cell::new(format!("{:<20}", "█".repeat(bar_len))),
                Cell::new(if row.binding { "yes" } else { "" }),
            ]);
            t.add_row(line);
        }
        let _ = writeln!(out, "{t}");
        if rows.len() > MAX_ROWS {
            let _ = writeln!(
                out,
                "  … {} more rows (--format json lists them all)",
                rows.len() - MAX_ROWS
            );
        }
    }
}
