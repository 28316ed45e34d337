//! Rendering diagnostics as text (miette's graphical report) and as JSON. Only the edges
//! (CLI, tests) call this; phases never print.

use super::{Code, Diagnostic, Severity};
use crate::source::SourceMap;
use crate::span::line_col;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Serialize;
use std::fmt;

struct Rendered<'a> {
    diag: &'a Diagnostic,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    footer: Option<String>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.diag.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.diag.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        match (&self.diag.help, &self.footer) {
            (Some(h), Some(f)) => Some(Box::new(format!("{h}\n{f}"))),
            (Some(h), None) => Some(Box::new(h.clone())),
            (None, Some(f)) => Some(Box::new(f.clone())),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        if self.labels.is_empty() {
            None
        } else {
            Some(&self.source)
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.clone().into_iter()))
        }
    }
}

/// Render one diagnostic as plain text (no colour) of the given width. Labels in a file
/// other than the primary label's file are listed as `file:line:col` notes.
pub fn render_plain(diag: &Diagnostic, sources: &SourceMap, width: usize) -> String {
    render_with(diag, sources, width, GraphicalTheme::unicode_nocolor())
}

/// Render with colours for a terminal.
pub fn render_color(diag: &Diagnostic, sources: &SourceMap, width: usize) -> String {
    render_with(diag, sources, width, GraphicalTheme::unicode())
}

fn render_with(
    diag: &Diagnostic,
    sources: &SourceMap,
    width: usize,
    theme: GraphicalTheme,
) -> String {
    let main_file = diag
        .primary_span()
        .or_else(|| diag.labels.first().map(|l| l.span))
        .map(|s| s.file);
    let mut labels = Vec::new();
    let mut other = Vec::new();
    for l in &diag.labels {
        if Some(l.span.file) == main_file && (l.span.file.0 as usize) < sources.len() {
            let text = sources.text(l.span.file);
            let start = (l.span.start as usize).min(text.len());
            let len = (l.span.end as usize).min(text.len()).saturating_sub(start);
            let msg = if l.message.is_empty() {
                None
            } else {
                Some(l.message.clone())
            };
            labels.push(if l.primary {
                LabeledSpan::new_primary_with_span(msg, (start, len))
            } else {
                LabeledSpan::new_with_span(msg, (start, len))
            });
        } else if (l.span.file.0 as usize) < sources.len() {
            let f = sources.get(l.span.file);
            let (line, col) = line_col(&f.text, l.span.start as usize);
            other.push(format!("{}:{}:{}: {}", f.name, line, col, l.message));
        }
    }
    let mut footer_lines: Vec<String> = diag.notes.iter().map(|n| format!("note: {n}")).collect();
    footer_lines.extend(other.into_iter().map(|o| format!("see: {o}")));
    let footer = if footer_lines.is_empty() {
        None
    } else {
        Some(footer_lines.join("\n"))
    };
    let (name, text) = match main_file {
        Some(f) if (f.0 as usize) < sources.len() => {
            (sources.name(f).to_string(), sources.text(f).to_string())
        }
        _ => (String::new(), String::new()),
    };
    let rendered = Rendered {
        diag,
        source: NamedSource::new(name, text),
        labels,
        footer,
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &rendered).is_err() {
        out = format!("{}: {}\n", diag.code, diag.message);
    }
    out
}

/// Render many diagnostics, separated by blank lines.
pub fn render_all_plain(diags: &[Diagnostic], sources: &SourceMap, width: usize) -> String {
    diags
        .iter()
        .map(|d| render_plain(d, sources, width))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A diagnostic in machine-readable form, with 1-based lines and columns.
#[derive(Serialize, Debug)]
pub struct JsonDiagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub notes: Vec<String>,
    pub labels: Vec<JsonLabel>,
}

#[derive(Serialize, Debug)]
pub struct JsonLabel {
    pub file: String,
    pub start: u32,
    pub end: u32,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
    pub primary: bool,
}

pub fn to_json(diag: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    JsonDiagnostic {
        code: diag.code,
        severity: diag.severity,
        message: diag.message.clone(),
        help: diag.help.clone(),
        notes: diag.notes.clone(),
        labels: diag
            .labels
            .iter()
            .filter(|l| (l.span.file.0 as usize) < sources.len())
            .map(|l| {
                let f = sources.get(l.span.file);
                let (line, column) = line_col(&f.text, l.span.start as usize);
                let (end_line, end_column) = line_col(&f.text, l.span.end as usize);
                JsonLabel {
                    file: f.name.clone(),
                    start: l.span.start,
                    end: l.span.end,
                    line,
                    column,
                    end_line,
                    end_column,
                    message: l.message.clone(),
                    primary: l.primary,
                }
            })
            .collect(),
    }
}
