//! The HTML report: one self-contained page (inline CSS and SVG, no network: a Content
//! Security Policy forbids every fetch) with the status, the verification, the explanation
//! of a model without a plan, the objective breakdown, the alternative plans, the utilisation of every capacity
//! row, the network coloured by utilisation, each decision as a heat map, lines over time or
//! bars, and DP plans over their stages. Plots come from [`charts`].
//!
//! Every chart is a `<figure class="chart">` with `data-chart` (its kind), `data-name` (what
//! it shows) and `data-marks` (how many bars, cells, lines or links it draws), so that a
//! browser test can check what was drawn. A small inline script records script errors and
//! blocked requests in attributes of `<html>` (`data-errors`, `data-blocked`).

mod alternatives;
pub mod charts;

use super::over_time;
use super::table::{capacity_rows, format_number};
use super::{DecisionReport, Report};
use std::fmt::Write;

/// At most this many bars in one bar chart (the fullest rows, or the first instances).
pub const MAX_BARS: usize = 150;
/// At most this many cells in one heat map; larger decisions are shown as a table only.
pub const MAX_CELLS: usize = 5000;
/// At most this many lines in one chart (the largest by total).
pub const MAX_SERIES: usize = 12;
/// At most this many rows in one HTML table.
const MAX_TABLE_ROWS: usize = 200;

/// Text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1000px;padding:16px 24px;color:#222}
h1{font-size:1.5em;margin-bottom:4px}h2{font-size:1.2em;margin-top:28px;border-bottom:1px solid #ddd}
h3{font-size:1em;margin-bottom:4px}
.status{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}
.optimal{background:#2c8a2c}.feasible{background:#c98a00}.other{background:#c0392b}
table{border-collapse:collapse;margin:8px 0;font-size:0.9em}
td,th{border:1px solid #ddd;padding:3px 8px}td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f4f4f4;text-align:left}
figure.chart{margin:8px 0}figure.chart svg{max-width:100%;height:auto}
figcaption{font-size:0.85em;color:#555}
.legend span{display:inline-block;margin-right:14px;font-size:0.85em}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
pre{background:#f7f7f7;padding:8px;overflow-x:auto;font-size:0.85em}
.note{color:#666;font-size:0.85em}
";

/// Records script errors, `console.error` calls and blocked requests in attributes of the
/// page's root element, where a browser test reads them.
const WATCH: &str = "(function(){var d=document.documentElement;\
function bump(k,m){d.setAttribute('data-'+k,String(Number(d.getAttribute('data-'+k)||0)+1));\
if(m)d.setAttribute('data-last-'+k,String(m));}\
d.setAttribute('data-errors','0');d.setAttribute('data-blocked','0');\
window.addEventListener('error',function(e){bump('errors',e.message);});\
var ce=console.error;console.error=function(){bump('errors',Array.prototype.join.call(arguments,' '));ce.apply(console,arguments);};\
document.addEventListener('securitypolicyviolation',function(e){bump('blocked',e.blockedURI);});\
window.addEventListener('load',function(){d.setAttribute('data-loaded','1');});})();";

/// The whole page.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let title = format!("archc report: {}", r.model);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<script>{WATCH}</script>\n<style>{STYLE}</style></head><body>\n",
        escape(&title)
    );
    summary(&mut out, r);
    if let Some(x) = &r.explanation {
        let _ = write!(
            out,
            "<h2 id=\"explanation\">Why there is no plan</h2>\n<pre>{}</pre>\n",
            escape(x)
        );
    }
    objective(&mut out, r);
    alternatives::section(&mut out, r);
    utilisation(&mut out, r);
    over_time(&mut out, r);
    topology(&mut out, r);
    if !r.decisions.is_empty() {
        out.push_str("<h2 id=\"decisions\">Decisions</h2>\n");
    }
    scalars(&mut out, r);
    for d in r.decisions.iter().filter(|d| !d.index_names.is_empty()) {
        decision(&mut out, d);
    }
    plans(&mut out, r);
    out.push_str("</body></html>\n");
    out
}

fn summary(out: &mut String, r: &Report) {
    let class = match r.outcome {
        super::ReportStatus::Optimal => "optimal",
        super::ReportStatus::Feasible => "feasible",
        _ => "other",
    };
    let _ = write!(
        out,
        "<h1>{}</h1>\n<p><span class=\"status {class}\" id=\"status\">{}</span> \
         solver {} · {} ms · {} columns, {} rows</p>\n<p class=\"note\">backend: {}</p>\n",
        escape(&r.model),
        r.outcome.name(),
        escape(&r.solver),
        format_number(r.solve_time_ms as f64),
        format_number(r.size.columns as f64),
        format_number(r.size.rows as f64),
        escape(&r.backend_reason),
    );
    if let Some(g) = r.gap {
        let _ = writeln!(out, "<p>gap: {}</p>", crate::units::format_percent(g));
    }
    out.push_str("<h2 id=\"verification\">Verification</h2>\n");
    match &r.verification {
        Some(v) if v.ok => {
            let _ = writeln!(
                out,
                "<p id=\"verified\" data-ok=\"true\">Every constraint and bound holds \
                 (checked independently of the solver; largest row violation {}).</p>",
                crate::units::format_significant(v.max_row_violation, 2)
            );
        }
        Some(v) => {
            let _ = writeln!(
                out,
                "<p id=\"verified\" data-ok=\"false\"><strong>{} violations found</strong> \
                 (largest {}).</p>",
                format_number(v.violations as f64),
                crate::units::format_significant(v.max_row_violation, 2)
            );
        }
        None => out.push_str("<p id=\"verified\">No plan to verify.</p>\n"),
    }
}

/// A figure around an SVG chart, or a note when plotting failed.
fn figure(out: &mut String, kind: &str, name: &str, marks: usize, chart: Result<String, String>) {
    match chart {
        Ok(svg) => {
            let _ = writeln!(
                out,
                "<figure class=\"chart\" data-chart=\"{kind}\" data-name=\"{}\" \
                 data-marks=\"{marks}\">{svg}</figure>",
                escape(name)
            );
        }
        Err(e) => {
            let _ = writeln!(
                out,
                "<p class=\"note\">could not draw {}: {}</p>",
                escape(name),
                escape(&e)
            );
        }
    }
}

fn table(out: &mut String, head: &[String], rows: impl Iterator<Item = Vec<(String, bool)>>) {
    out.push_str("<table><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for (text, num) in row {
            let class = if num { " class=\"num\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(&text));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn with_unit(name: &str, unit: &str) -> String {
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

fn objective(out: &mut String, r: &Report) {
    let Some(o) = &r.objective else {
        return;
    };
    let sense = match o.sense {
        crate::ir::Sense::Minimize => "minimize",
        crate::ir::Sense::Maximize => "maximize",
    };
    let _ = writeln!(
        out,
        "<h2 id=\"objective\">Objective</h2>\n<p>{sense} <b>{}</b> = <b>{}</b> {}</p>",
        escape(&o.name),
        format_number(o.value),
        escape(&o.unit)
    );
    if o.terms.len() > 1 {
        let labels: Vec<String> = o.terms.iter().map(|t| t.label.clone()).collect();
        let values: Vec<f64> = o.terms.iter().map(|t| t.value).collect();
        let n = labels.len().min(MAX_BARS);
        figure(
            out,
            "objective",
            &o.name,
            n,
            charts::bar_chart(
                &with_unit(&o.name, &o.unit),
                &labels[..n],
                &values[..n],
                &[],
                None,
            ),
        );
        table(
            out,
            &["term".into(), with_unit("value", &o.unit)],
            o.terms
                .iter()
                .map(|t| vec![(t.label.clone(), false), (format_number(t.value), true)]),
        );
    }
}

fn utilisation(out: &mut String, r: &Report) {
    let caps: Vec<_> = r
        .constraints
        .iter()
        .filter(|c| c.rows.iter().any(|row| row.utilisation.is_some()))
        .collect();
    if caps.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"utilisation\">Utilisation</h2>\n<p class=\"note\">Load against capacity of every <code>&lt;=</code> row, fullest first; red from 90%, amber from 70%.</p>\n");
    for c in caps {
        let rows = capacity_rows(c);
        let shown = &rows[..rows.len().min(MAX_BARS)];
        let labels: Vec<String> = shown.iter().map(|r| r.index.join(", ")).collect();
        let values: Vec<f64> = shown
            .iter()
            .map(|r| r.utilisation.unwrap_or(0.0) * 100.0)
            .collect();
        let colors: Vec<_> = shown
            .iter()
            .map(|r| charts::utilisation_color(r.utilisation.unwrap_or(0.0)))
            .collect();
        let _ = writeln!(out, "<h3>{}</h3>", escape(&c.name));
        figure(
            out,
            "utilisation",
            &c.name,
            shown.len(),
            charts::bar_chart("used (%)", &labels, &values, &colors, Some(100.0)),
        );
        if rows.len() > shown.len() {
            let _ = writeln!(
                out,
                "<p class=\"note\">the {} fullest of {} rows</p>",
                shown.len(),
                rows.len()
            );
        }
        let mut head = c.index_sets.clone();
        head.extend([
            with_unit("load", &c.unit),
            with_unit("capacity", &c.unit),
            "used".into(),
            "binding".into(),
        ]);
        table(
            out,
            &head,
            rows.iter().take(MAX_TABLE_ROWS).map(|row| {
                let mut line: Vec<(String, bool)> =
                    row.index.iter().map(|i| (i.clone(), false)).collect();
                line.extend([
                    (format_number(row.load.unwrap_or(row.activity)), true),
                    (format_number(row.capacity.unwrap_or(0.0)), true),
                    (
                        crate::units::format_percent(row.utilisation.unwrap_or(0.0)),
                        true,
                    ),
                    ((if row.binding { "yes" } else { "" }).to_string(), false),
                ]);
                line
            }),
        );
    }
}

/// Lower bounds over time: for each constraint with an ordered index and `>=` rows (such as
/// `installed[r, q] >= needed(r, q)`, found by [`over_time::over_time`]), what the plan
/// provides (thick lines) against what is required (thin lines of the same colour), one
/// pair per combination of the other indices, the [`MAX_SERIES`] weightiest.
fn over_time(out: &mut String, r: &Report) {
    let mut first = true;
    for c in &r.constraints {
        let Some(t) = over_time::over_time(c) else {
            continue;
        };
        let shown = t.largest(MAX_SERIES);
        let lines = |pick: fn(&over_time::Bound) -> f64| -> Vec<Series> {
            shown
                .iter()
                .map(|s| {
                    let key = if s.key.is_empty() {
                        c.name.clone()
                    } else {
                        s.key.clone()
                    };
                    (key, s.points.iter().map(|b| b.as_ref().map(pick)).collect())
                })
                .collect()
        };
        let provided = lines(|b| b.provided);
        let required = lines(|b| b.required);
        if first {
            out.push_str("<h2 id=\"over-time\">Provided against required over time</h2>\n");
            first = false;
        }
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<p class=\"note\">thick: the left side at the plan; thin: the \
             lower bound it must reach</p>",
            escape(&c.name)
        );
        figure(
            out,
            "bounds",
            &c.name,
            provided.len(),
            charts::bound_chart(
                &with_unit(&c.name, &c.unit),
                &t.periods,
                &provided,
                &required,
            ),
        );
        legend(out, provided.iter().map(|s| s.0.clone()));
    }
}

fn topology(out: &mut String, r: &Report) {
    let Some(t) = &r.topology else {
        return;
    };
    out.push_str("<h2 id=\"topology\">Network</h2>\n");
    let placed = if charts::geo_layout(t) {
        "nodes placed by longitude and latitude"
    } else {
        "nodes on a circle (the data gives no latitude and longitude)"
    };
    let coloured = match &t.utilisation_of {
        Some(c) => format!(
            "links coloured by the utilisation of <code>{}</code>: green below 70%, amber below 90%, red above",
            escape(c)
        ),
        None => "no capacity row per link: links in grey".into(),
    };
    let _ = writeln!(
        out,
        "<p class=\"note\">{} {} and {} {}; {placed}; {coloured}.</p>",
        t.nodes.len(),
        if t.nodes.len() == 1 { "node" } else { "nodes" },
        t.links.len(),
        escape(&t.link_set)
    );
    figure(
        out,
        "topology",
        &t.link_set,
        t.links.len(),
        charts::topology_chart(t),
    );
}

fn scalars(out: &mut String, r: &Report) {
    let scalars: Vec<_> = r
        .decisions
        .iter()
        .filter(|d| d.index_names.is_empty())
        .collect();
    if scalars.is_empty() {
        return;
    }
    table(
        out,
        &["decision".into(), "value".into(), "unit".into()],
        scalars.iter().map(|d| {
            let v = d.all.first().map(|v| v.value).unwrap_or(0.0);
            vec![
                (d.name.clone(), false),
                (format_number(v), true),
                (d.unit.clone(), false),
            ]
        }),
    );
}

/// Labels of axis `k` of a decision, in the order of its set.
fn axis(d: &DecisionReport, k: usize) -> Vec<String> {
    let mut seen = rustc_hash::FxHashMap::default();
    let mut out = Vec::new();
    for v in &d.all {
        seen.entry(v.index[k].as_str()).or_insert_with(|| {
            out.push(v.index[k].clone());
        });
    }
    out
}

/// A named line: one value (or none) per point of the axis.
pub type Series = (String, Vec<Option<f64>>);

/// Lines over the first ordered index: one series per combination of the other indices
/// with a nonzero value, the largest [`MAX_SERIES`] by total.
pub fn time_series(d: &DecisionReport, time: usize) -> (Vec<String>, Vec<Series>) {
    let xs = axis(d, time);
    let pos: rustc_hash::FxHashMap<&str, usize> = xs
        .iter()
        .enumerate()
        .map(|(i, x)| (x.as_str(), i))
        .collect();
    let mut series: Vec<(String, Vec<Option<f64>>, f64)> = Vec::new();
    let mut by_key: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    for v in &d.all {
        let key = over_time::series_key(&v.index, time);
        let key = if key.is_empty() { d.name.clone() } else { key };
        let i = *by_key.entry(key.clone()).or_insert_with(|| {
            series.push((key, vec![None; xs.len()], 0.0));
            series.len() - 1
        });
        if let Some(&x) = pos.get(v.index[time].as_str()) {
            series[i].1[x] = Some(v.value);
            series[i].2 += v.value.abs();
        }
    }
    series.retain(|s| s.2 > 0.0);
    // Largest first for the cut; then back in the order of the sets.
    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_by(|&a, &b| {
        series[b]
            .2
            .partial_cmp(&series[a].2)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    order.truncate(MAX_SERIES);
    order.sort_unstable();
    let kept = order
        .into_iter()
        .map(|i| (series[i].0.clone(), series[i].1.clone()))
        .collect();
    (xs, kept)
}

fn legend(out: &mut String, names: impl Iterator<Item = String>) {
    out.push_str("<p class=\"legend\">");
    for (i, n) in names.enumerate() {
        let _ = write!(
            out,
            "<span><i style=\"background:{}\"></i>{}</span>",
            charts::css(charts::series_color(i)),
            escape(&n)
        );
    }
    out.push_str("</p>\n");
}

fn decision(out: &mut String, d: &DecisionReport) {
    let idx = d
        .index_names
        .iter()
        .zip(&d.index_sets)
        .map(|(n, s)| format!("{n} in {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    let nonzero = d.all.iter().filter(|v| v.value != 0.0).count();
    let _ = writeln!(
        out,
        "<h3>{}[{}]{}</h3>\n<p class=\"note\">{} nonzero of {}</p>",
        escape(&d.name),
        escape(&idx),
        if d.unit.is_empty() {
            String::new()
        } else {
            format!(" ({})", escape(&d.unit))
        },
        nonzero,
        d.count
    );
    if let Some(time) = d.ordered.iter().position(|&o| o) {
        let (xs, series) = time_series(d, time);
        if !series.is_empty() {
            figure(
                out,
                "lines",
                &d.name,
                series.len(),
                charts::line_chart(&with_unit(&d.name, &d.unit), &xs, &series),
            );
            legend(out, series.iter().map(|s| s.0.clone()));
        }
    } else if d.index_names.len() == 2 && d.all.len() <= MAX_CELLS {
        let rows = axis(d, 0);
        let cols = axis(d, 1);
        let rpos: rustc_hash::FxHashMap<&str, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, x)| (x.as_str(), i))
            .collect();
        let cpos: rustc_hash::FxHashMap<&str, usize> = cols
            .iter()
            .enumerate()
            .map(|(i, x)| (x.as_str(), i))
            .collect();
        let cells: Vec<(usize, usize, f64)> = d
            .all
            .iter()
            .filter_map(|v| {
                Some((
                    *rpos.get(v.index[0].as_str())?,
                    *cpos.get(v.index[1].as_str())?,
                    v.value,
                ))
            })
            .collect();
        figure(
            out,
            "heatmap",
            &d.name,
            cells.len(),
            charts::heat_map(&rows, &cols, &cells),
        );
        let _ = writeln!(
            out,
            "<p class=\"note\">rows: {}, columns: {}; darker is larger</p>",
            escape(&d.index_sets[0]),
            escape(&d.index_sets[1])
        );
    } else if d.index_names.len() == 1 && nonzero > 0 {
        let shown = &d.all[..d.all.len().min(MAX_BARS)];
        let labels: Vec<String> = shown.iter().map(|v| v.index[0].clone()).collect();
        let values: Vec<f64> = shown.iter().map(|v| v.value).collect();
        figure(
            out,
            "bars",
            &d.name,
            shown.len(),
            charts::bar_chart(&with_unit(&d.name, &d.unit), &labels, &values, &[], None),
        );
    }
    let values: Vec<_> = d.all.iter().filter(|v| v.value != 0.0).collect();
    let mut head = d.index_sets.clone();
    head.push(with_unit("value", &d.unit));
    table(
        out,
        &head,
        values.iter().take(MAX_TABLE_ROWS).map(|v| {
            let mut line: Vec<(String, bool)> =
                v.index.iter().map(|i| (i.clone(), false)).collect();
            line.push((format_number(v.value), true));
            line
        }),
    );
    if values.len() > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "<p class=\"note\">the first {MAX_TABLE_ROWS} of {} nonzero values; \
             <code>--format csv</code> writes them all</p>",
            values.len()
        );
    }
}

fn plans(out: &mut String, r: &Report) {
    if r.plans.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"plans\">Plans</h2>\n");
    let longest = r
        .plans
        .iter()
        .max_by_key(|p| p.stages.len())
        .map(|p| p.stages.iter().map(|s| s.stage.clone()).collect::<Vec<_>>())
        .unwrap_or_default();
    let shown = &r.plans[..r.plans.len().min(MAX_SERIES)];
    let series: Vec<(String, Vec<Option<f64>>)> = shown
        .iter()
        .map(|p| {
            let mut points: Vec<Option<f64>> = vec![None; longest.len()];
            for (i, s) in p.stages.iter().enumerate() {
                if let (Some(slot), Some(&v)) = (points.get_mut(i), s.state.first()) {
                    *slot = Some(v as f64);
                }
            }
            (p.plan.clone(), points)
        })
        .collect();
    figure(
        out,
        "plans",
        "state",
        series.len(),
        charts::line_chart("state at the start of each stage", &longest, &series),
    );
    legend(out, series.iter().map(|s| s.0.clone()));
    for p in &r.plans {
        let _ = writeln!(
            out,
            "<h3>{}: cost {}</h3>",
            escape(&p.plan),
            format_number(p.cost)
        );
        table(
            out,
            &[
                "stage".into(),
                "state".into(),
                "decision".into(),
                "cost".into(),
            ],
            p.stages.iter().map(|s| {
                let state: Vec<String> = s.state.iter().map(|v| v.to_string()).collect();
                vec![
                    (s.stage.clone(), false),
                    (state.join(","), true),
                    (s.decision.clone(), true),
                    (format_number(s.cost), true),
                ]
            }),
        );
    }
}
