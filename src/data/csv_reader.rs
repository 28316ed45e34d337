//! CSV and TSV files into a [`RawTable`]. The `csv` crate splits records and unquotes
//! fields; since it reports only where each record starts, the record's raw bytes are
//! scanned again here to find the exact byte range of every field.

use super::raw::{trim_with_offset, RawColumn, RawField, RawRecord, RawTable, RawValue, Sink};
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};
use std::borrow::Cow;

const BOM: &str = "\u{feff}";

/// Parses `text` (the whole file) with the given delimiter. Returns `None` when the file has
/// no header row.
pub(crate) fn read<'a>(
    text: &'a str,
    file: FileId,
    delimiter: u8,
    sink: &mut Sink,
) -> Option<RawTable<'a>> {
    let base = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let body = &text[base..];
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(body.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut header: Option<(Vec<RawColumn>, Span)> = None;
    let mut records = Vec::new();
    let mut row = 0usize;
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let at = e.position().map_or(start, |p| p.byte() as usize);
                sink.push(
                    Diagnostic::error("E0508", format!("malformed CSV: {e}"))
                        .primary(Span::new(file, base + at, base + at), "here"),
                );
                break;
            }
        }
        let end = reader.position().byte() as usize;
        let Some(scanned) = scan_record(body, start, end, delimiter) else {
            continue;
        };
        let line = Span::new(file, base + scanned.line.0, base + scanned.line.1);
        if let Some(open) = scanned.unclosed_quote {
            sink.push(
                Diagnostic::error("E0508", "malformed CSV: a quoted cell is never closed")
                    .primary(
                        Span::new(file, base + open, base + open + 1),
                        "this quote is not closed",
                    )
                    .help("close the quote, or write `\"\"` for a quote inside a quoted cell"),
            );
            break;
        }
        let spans: Vec<Span> = if scanned.fields.len() == record.len() {
            scanned
                .fields
                .iter()
                .map(|&(s, e)| Span::new(file, base + s, base + e))
                .collect()
        } else {
            vec![line; record.len()]
        };
        match &header {
            None => {
                let columns = record
                    .iter()
                    .zip(&spans)
                    .map(|(name, &span)| RawColumn {
                        name: name.trim().to_string(),
                        span,
                    })
                    .collect();
                header = Some((columns, line));
            }
            Some((columns, _)) => {
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                row += 1;
                let anchor = Span::new(file, line.end as usize, line.end as usize);
                let mut reported = false;
                if record.len() != columns.len() {
                    reported = true;
                    push_row_length(sink, record.len(), columns.len(), row, line, &spans);
                }
                let fields = record
                    .iter()
                    .zip(spans)
                    .enumerate()
                    .take(columns.len())
                    .map(|(column, (value, span))| RawField {
                        column,
                        value: RawValue::Text(Cow::Owned(value.trim().to_string())),
                        span,
                    })
                    .collect();
                records.push(RawRecord {
                    fields,
                    span: line,
                    anchor,
                    row,
                    reported,
                });
            }
        }
    }
    match header {
        Some((columns, header_span)) => Some(RawTable {
            columns,
            header_span,
            has_header: true,
            records,
        }),
        None => {
            let at = Span::new(file, 0, 0);
            sink.push(
                Diagnostic::error("E0508", "the data file is empty")
                    .primary(at, "expected a header row here")
                    .help("the first row of a CSV file names its columns, e.g. `name,cores`"),
            );
            None
        }
    }
}

/// E0512: a row with too few or too many cells.
fn push_row_length(
    sink: &mut Sink,
    found: usize,
    expected: usize,
    row: usize,
    line: Span,
    spans: &[Span],
) {
    let (message, primary, label) = if found > expected {
        let extra = spans
            .get(expected)
            .map_or(line, |s| s.to(*spans.last().unwrap_or(s)));
        (
            format!("row {row} has {found} cells but the header has {expected} columns"),
            extra,
            "extra cells",
        )
    } else {
        (
            format!("row {row} has {found} cells but the header has {expected} columns"),
            line,
            "too few cells",
        )
    };
    sink.push(
        Diagnostic::error("E0512", message)
            .primary(primary, label)
            .help(
            "every row needs one cell per header column; quote cells that contain the delimiter",
        ),
    );
}

/// The byte layout of one record, relative to the scanned text.
struct ScannedRecord {
    /// The record's text without comments, blank lines and the line terminator.
    line: (usize, usize),
    /// Each field's trimmed text, inside the quotes for a quoted field.
    fields: Vec<(usize, usize)>,
    /// Offset of an opening quote that is never closed.
    unclosed_quote: Option<usize>,
}

/// Finds the fields of the record that the csv reader read from `text[start..end]`. The
/// reader's record position is taken before it skips comment and blank lines, so those are
/// skipped here too. Returns `None` when nothing but comments and blank lines remain.
fn scan_record(text: &str, start: usize, end: usize, delimiter: u8) -> Option<ScannedRecord> {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let mut pos = start;
    // Skip comment lines and blank lines, as the csv reader did.
    while pos < end && (bytes[pos] == b'#' || bytes[pos] == b'\n' || bytes[pos] == b'\r') {
        if bytes[pos] == b'#' {
            while pos < end && bytes[pos] != b'\n' {
                pos += 1;
            }
        }
        pos += 1;
    }
    if pos >= end {
        return None;
    }
    let line_start = pos;
    let mut fields = Vec::new();
    let mut unclosed_quote = None;
    loop {
        let field_start = pos;
        if pos < end && bytes[pos] == b'"' {
            pos += 1;
            loop {
                match bytes[pos.min(end)..end].iter().position(|&b| b == b'"') {
                    None => {
                        unclosed_quote = Some(field_start);
                        pos = end;
                        break;
                    }
                    Some(i) => {
                        pos += i + 1;
                        if pos < end && bytes[pos] == b'"' {
                            pos += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        while pos < end && bytes[pos] != delimiter && bytes[pos] != b'\n' && bytes[pos] != b'\r' {
            pos += 1;
        }
        fields.push(field_span(text, field_start, pos));
        if pos < end && bytes[pos] == delimiter {
            pos += 1;
        } else {
            break;
        }
    }
    Some(ScannedRecord {
        line: (line_start, pos),
        fields,
        unclosed_quote,
    })
}

/// The trimmed span of the raw field `text[start..end]`, inside its quotes if quoted.
fn field_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let raw = text.get(start..end).unwrap_or("");
    let (trimmed, offset) = trim_with_offset(raw);
    let s = start + offset;
    let e = s + trimmed.len();
    if trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"') {
        let (inner, inner_offset) = trim_with_offset(&trimmed[1..trimmed.len() - 1]);
        let is = s + 1 + inner_offset;
        (is, is + inner.len())
    } else {
        (s, e)
    }
}
