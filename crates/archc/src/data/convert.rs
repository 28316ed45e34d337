//! Checks what a reader found against the schema: matches columns, converts every value to
//! its column's type, and checks required values, signs and unique keys. [`Stream`] hands
//! each record to a callback as it is converted, so a file of millions of rows is converted
//! without being kept; [`table`] makes the [`Table`] of records the caller collected.

use super::raw::{did_you_mean, ColumnsSeen, RawColumn, RawRecord, RawValue, RawVisitor, Sink};
use super::{Cell, CellValue, ColumnSpec, ColumnType, Record, Table};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};
use std::collections::HashMap;

/// Matches a file's columns to the schema once, then converts its records one by one.
pub(crate) struct Converter<'s> {
    schema: &'s [ColumnSpec],
    /// For each file column, the schema column it feeds (if any).
    feeds: Vec<Option<usize>>,
    /// Schema columns the file has.
    found: Vec<bool>,
    /// A required column is absent: every record is invalid.
    all_invalid: bool,
    given: Vec<bool>,
    errored: Vec<bool>,
}

impl<'s> Converter<'s> {
    /// Matches the file's columns to the schema and reports the column problems (E0503,
    /// E0508 for a column given twice, W0509). `no_records` is whether the file has no
    /// records at all: a file without a header and without records lacks no column.
    pub(crate) fn new(
        columns: &[RawColumn],
        header_span: Span,
        has_header: bool,
        no_records: bool,
        schema: &'s [ColumnSpec],
        path: &str,
        sink: &mut Sink,
    ) -> Self {
        // For each file column, the schema column it feeds (if any).
        let mut feeds: Vec<Option<usize>> = vec![None; columns.len()];
        let mut found = vec![false; schema.len()];
        for (ci, col) in columns.iter().enumerate() {
            if let Some(si) = schema
                .iter()
                .position(|s| s.spellings().any(|n| n == col.name))
            {
                if schema[si].known_only {
                    continue;
                }
                if found[si] {
                    let first = columns
                        .iter()
                        .zip(&feeds)
                        .find(|(_, f)| **f == Some(si))
                        .map_or(col.span, |(c, _)| c.span);
                    sink.push(
                        Diagnostic::error(
                            Code::E0508,
                            format!("column `{}` is given twice", schema[si].canonical_name()),
                        )
                        .primary(col.span, "given again here")
                        .secondary(first, "first given here")
                        .help("remove or rename one of the two columns"),
                    );
                    continue;
                }
                found[si] = true;
                feeds[ci] = Some(si);
            }
        }
        let mut all_invalid = false;
        let available: Vec<&str> = columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| !n.is_empty())
            .collect();
        for (si, spec) in schema.iter().enumerate() {
            if found[si] || !spec.required || (!has_header && no_records) {
                continue;
            }
            all_invalid = true;
            let name = spec.canonical_name();
            let unused = columns
                .iter()
                .zip(&feeds)
                .filter(|(_, f)| f.is_none())
                .map(|(c, _)| c.name.as_str());
            let mut d = Diagnostic::error(Code::E0503, format!("`{path}` has no column `{name}`"))
                .primary(header_span, format!("no `{name}` here"));
            d = match did_you_mean(name, unused) {
                Some(s) => d.help(format!("did you mean `{s}`? rename the column to `{name}`")),
                None => d.help(
                    spec.missing_help
                        .clone()
                        .unwrap_or_else(|| format!("add a `{name}` column")),
                ),
            };
            d = if available.is_empty() {
                d.note("the file has no columns")
            } else {
                d.note(format!("columns in the file: `{}`", available.join("`, `")))
            };
            if spec.spellings().count() > 1 {
                d = d.note(format!(
                    "accepted names: `{}`",
                    spec.spellings().collect::<Vec<_>>().join("`, `")
                ));
            }
            sink.push(d);
        }
        let defaulted: Vec<String> = schema
            .iter()
            .zip(&found)
            .filter(|(_, f)| !**f && (has_header || !no_records))
            .filter_map(|(s, _)| {
                let default = s.absent_default.as_ref()?;
                Some(format!("`{}` (default `{default}`)", s.canonical_name()))
            })
            .collect();
        if !defaulted.is_empty() {
            let (what, them) = if defaulted.len() == 1 {
                ("column", "it")
            } else {
                ("columns", "them")
            };
            sink.push(
                Diagnostic::warning(
                    Code::W0551,
                    format!(
                        "`{path}` has no {what} {}: every row takes the default",
                        defaulted.join(", ")
                    ),
                )
                .primary(header_span, format!("no such {what} here"))
                .help(format!(
                    "add {them} to the file if the default is not meant"
                )),
            );
        }
        let unmatched_specs: Vec<&str> = schema
            .iter()
            .zip(&found)
            .filter(|(s, f)| !**f && !s.known_only)
            .map(|(s, _)| s.canonical_name())
            .collect();
        for (col, feed) in columns.iter().zip(&feeds) {
            if feed.is_some() || schema.iter().any(|s| s.spellings().any(|n| n == col.name)) {
                continue;
            }
            let d = if col.name.is_empty() {
                Diagnostic::warning(Code::W0509, "a column without a name is ignored")
                    .primary(col.span, "no name")
            } else {
                Diagnostic::warning(
                    Code::W0509,
                    format!("unknown column `{}` is ignored", col.name),
                )
                .primary(col.span, "not used by the model")
            };
            let d = match did_you_mean(&col.name, unmatched_specs.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("remove the column, or declare the attribute in the model"),
            };
            sink.push(d);
        }
        Converter {
            schema,
            feeds,
            found,
            all_invalid,
            given: vec![false; schema.len()],
            errored: vec![false; schema.len()],
        }
    }

    /// Converts one record into `out`, reusing its buffers (a text cell keeps its string's
    /// capacity), and reports the record's problems (E0504-E0506, E0510, E0513, E0514).
    pub(crate) fn record(&mut self, rec: &RawRecord, out: &mut Record, sink: &mut Sink) {
        let schema = self.schema;
        out.cells.resize_with(schema.len(), || Cell {
            value: CellValue::Missing,
            span: rec.anchor,
        });
        self.given.fill(false);
        self.errored.fill(false);
        let mut valid = !rec.reported && !self.all_invalid;
        for field in &rec.fields {
            let Some(si) = self.feeds.get(field.column).copied().flatten() else {
                continue;
            };
            self.given[si] = true;
            let cell = &mut out.cells[si];
            cell.span = field.span;
            if let Err(problem) = convert_value(&field.value, &schema[si], &mut cell.value) {
                cell.value = CellValue::Missing;
                valid = false;
                self.errored[si] = true;
                if sink.is_full() {
                    sink.skip();
                } else {
                    sink.push(problem.diagnostic(&schema[si], field.span, rec.row));
                }
            }
        }
        for (si, spec) in schema.iter().enumerate() {
            if !self.given[si] {
                out.cells[si] = Cell {
                    value: CellValue::Missing,
                    span: rec.anchor,
                };
            }
            let absent_from_short_row = rec.reported && !self.given[si];
            if !spec.required
                || !self.found[si]
                || !out.cells[si].value.is_missing()
                || self.errored[si]
                || absent_from_short_row
            {
                continue;
            }
            valid = false;
            if sink.is_full() {
                sink.skip();
                continue;
            }
            let name = spec.canonical_name();
            let d = if self.given[si] {
                Diagnostic::error(
                    Code::E0510,
                    format!("missing value for `{name}` in row {}", rec.row),
                )
                .primary(out.cells[si].span, "empty")
            } else {
                Diagnostic::error(Code::E0510, format!("record {} has no `{name}`", rec.row))
                    .primary(rec.anchor, format!("no `{name}` in this record"))
            };
            sink.push(d.help(format!("`{name}` is required: give every record a value")));
        }
        out.span = rec.span;
        out.row = rec.row;
        out.valid = valid;
    }
}

/// The [`Table`] of a file's converted records, after checking the keys (E0507).
pub(crate) fn table(
    file: FileId,
    path: &str,
    schema: &[ColumnSpec],
    mut records: Vec<Record>,
    sink: &mut Sink,
) -> Table {
    check_keys(schema, &mut records, sink);
    Table {
        file,
        path: path.to_string(),
        columns: schema
            .iter()
            .map(|s| s.canonical_name().to_string())
            .collect(),
        records,
    }
}

/// Converts the records of a file one at a time into one reused [`Record`] and hands each
/// to a callback; nothing is kept, and keys are not checked.
pub(crate) struct Stream<'s, F: FnMut(&Record)> {
    schema: &'s [ColumnSpec],
    path: &'s str,
    converter: Option<Converter<'s>>,
    current: Record,
    on_record: F,
}

impl<'s, F: FnMut(&Record)> Stream<'s, F> {
    pub(crate) fn new(schema: &'s [ColumnSpec], path: &'s str, on_record: F) -> Self {
        Stream {
            schema,
            path,
            converter: None,
            current: Record::empty(),
            on_record,
        }
    }
}

impl<F: FnMut(&Record)> RawVisitor for Stream<'_, F> {
    fn columns(&mut self, columns: &ColumnsSeen, sink: &mut Sink) {
        self.converter = Some(Converter::new(
            columns.columns,
            columns.header_span,
            columns.has_header,
            columns.no_records,
            self.schema,
            self.path,
            sink,
        ));
    }

    fn record(&mut self, rec: &RawRecord, sink: &mut Sink) {
        if let Some(c) = &mut self.converter {
            c.record(rec, &mut self.current, sink);
            (self.on_record)(&self.current);
        }
    }
}

/// E0507: two records with the same key.
fn check_keys(schema: &[ColumnSpec], records: &mut [Record], sink: &mut Sink) {
    let keys: Vec<usize> = schema
        .iter()
        .enumerate()
        .filter(|(_, s)| s.key)
        .map(|(i, _)| i)
        .collect();
    if keys.is_empty() {
        return;
    }
    let mut first: HashMap<String, usize> = HashMap::with_capacity(records.len());
    for ri in 0..records.len() {
        let mut key = String::new();
        let mut complete = true;
        for &k in &keys {
            match &records[ri].cells[k].value {
                CellValue::Missing => complete = false,
                CellValue::Text(s) => key.push_str(s),
                CellValue::Number(v) => key.push_str(&v.to_string()),
                CellValue::Bool(b) => key.push_str(if *b { "true" } else { "false" }),
            }
            key.push('\u{1f}');
        }
        if !complete {
            continue;
        }
        match first.get(&key) {
            None => {
                first.insert(key, ri);
            }
            Some(&fi) => {
                records[ri].valid = false;
                if sink.is_full() {
                    sink.skip();
                    continue;
                }
                let shown: Vec<String> = key
                    .split('\u{1f}')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                let what = if keys.len() == 1 {
                    format!("`{}`", shown.join(""))
                } else {
                    format!("({})", shown.join(", "))
                };
                let names: Vec<&str> = keys.iter().map(|&k| schema[k].canonical_name()).collect();
                let here = key_span(&records[ri], &keys);
                let there = key_span(&records[fi], &keys);
                sink.push(
                    Diagnostic::error(
                        Code::E0507,
                        format!("duplicate key {what} in row {}", records[ri].row),
                    )
                    .primary(here, "given again here")
                    .secondary(there, format!("first given in row {}", records[fi].row))
                    .help(format!(
                        "each record needs a unique {}; remove or merge one of the two",
                        names.join(", ")
                    )),
                );
            }
        }
    }
}

/// The span covering a record's key cells when they are on its line (CSV); else the last,
/// most specific key (the innermost key of a nested JSON object).
fn key_span(record: &Record, keys: &[usize]) -> Span {
    let spans: Vec<Span> = keys
        .iter()
        .filter_map(|&k| record.cells.get(k))
        .map(|c| c.span)
        .collect();
    let (Some(&first), Some(&last)) = (spans.first(), spans.last()) else {
        return record.span;
    };
    if spans.iter().all(|s| record.span.contains(*s)) && record.span.len() < 200 {
        spans.iter().fold(first, |acc, s| acc.to(*s))
    } else {
        last
    }
}

/// Why a value does not fit its column.
enum Problem {
    NotANumber(String),
    NotWhole(String),
    NonFinite(String),
    Negative(String),
    NotABool(String),
    Nested(&'static str),
}

impl Problem {
    fn diagnostic(&self, spec: &ColumnSpec, span: Span, row: usize) -> Diagnostic {
        let name = spec.canonical_name();
        let d = match self {
            Problem::NotANumber(found) => Diagnostic::error(
                Code::E0504,
                format!("expected a number for column `{name}`, found `{found}`"),
            )
            .primary(span, "not a number")
            .help("write a plain number such as `16` or `40_000`; the unit comes from the model"),
            Problem::NotWhole(found) => Diagnostic::error(
                Code::E0504,
                format!("expected a whole number for column `{name}`, found `{found}`"),
            )
            .primary(span, "not a whole number")
            .help(format!("`{name}` counts things: round the value")),
            Problem::NonFinite(found) if spec.history => Diagnostic::error(
                Code::E0545,
                format!("history value `{found}` is not a number (column `{name}`)"),
            )
            .primary(span, "not a number")
            .help(
                "a forecast or an aggregate needs every period's value: write the measured value",
            ),
            Problem::NonFinite(found) => Diagnostic::error(
                Code::E0505,
                format!("`{found}` is not a finite number (column `{name}`)"),
            )
            .primary(span, "not finite")
            .help("leave the cell empty if there is no value, or write the number"),
            Problem::Negative(found) => Diagnostic::error(
                Code::E0506,
                format!("negative value `{found}` for column `{name}`"),
            )
            .primary(span, "must be zero or more")
            .help(format!("`{name}` cannot be negative; check the sign")),
            Problem::NotABool(found) => Diagnostic::error(
                Code::E0513,
                format!("expected true or false for column `{name}`, found `{found}`"),
            )
            .primary(span, "not a boolean")
            .help("write `true` or `false` (also accepted: `yes`/`no`, `1`/`0`)"),
            Problem::Nested(what) => Diagnostic::error(
                Code::E0514,
                format!(
                    "expected {} for column `{name}`, found {what}",
                    spec.ty.describe()
                ),
            )
            .primary(span, "a single value belongs here")
            .help("write one value per cell; nested objects and arrays are not read"),
        };
        d.note(format!("row {row}, column `{name}`"))
    }
}

/// Converts `value` for the column `spec` into `out`. A text value reuses the string
/// already in `out`, so that streaming a file does not allocate per cell.
fn convert_value(value: &RawValue, spec: &ColumnSpec, out: &mut CellValue) -> Result<(), Problem> {
    let text = match value {
        RawValue::Null => {
            *out = CellValue::Missing;
            return Ok(());
        }
        RawValue::Nested(what) => return Err(Problem::Nested(what)),
        RawValue::Bool(b) => match spec.ty {
            ColumnType::Bool => {
                *out = CellValue::Bool(*b);
                return Ok(());
            }
            ColumnType::Text | ColumnType::Ref => {
                set_text(out, if *b { "true" } else { "false" });
                return Ok(());
            }
            ColumnType::Number | ColumnType::Integer => {
                return Err(Problem::NotANumber(b.to_string()))
            }
        },
        RawValue::Text(t) => super::raw::trim(t),
    };
    if text.is_empty() {
        *out = CellValue::Missing;
        return Ok(());
    }
    *out = match spec.ty {
        ColumnType::Text | ColumnType::Ref => {
            set_text(out, text);
            return Ok(());
        }
        ColumnType::Bool => parse_bool(text)
            .map(CellValue::Bool)
            .ok_or_else(|| Problem::NotABool(text.to_string()))?,
        ColumnType::Number | ColumnType::Integer => CellValue::Number(number(text, spec)?),
    };
    Ok(())
}

/// The value of the number cell `text` (trimmed, not empty) in a `Number` or `Integer`
/// column, or what is wrong with it.
fn number(text: &str, spec: &ColumnSpec) -> Result<f64, Problem> {
    let v = parse_number(text).ok_or_else(|| Problem::NotANumber(text.to_string()))?;
    if !v.is_finite() {
        return Err(Problem::NonFinite(text.to_string()));
    }
    if spec.ty == ColumnType::Integer && (v.fract() != 0.0 || v.abs() > 9_007_199_254_740_992.0) {
        return Err(Problem::NotWhole(text.to_string()));
    }
    if spec.nonneg && v < 0.0 {
        return Err(Problem::Negative(text.to_string()));
    }
    Ok(if v == 0.0 { 0.0 } else { v })
}

/// The number a cell's trimmed text converts to in `spec`'s column (`Number` or
/// `Integer`), as records hold it: `None` when the cell is empty or converting it is an
/// error.
pub(crate) fn number_cell(text: &str, spec: &ColumnSpec) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    number(text, spec).ok()
}

/// For each of a file's columns, the schema column it feeds, when matching the header to
/// `schema` raises no diagnostic at all (else `None`).
pub(crate) fn clean_feeds(
    columns: &[RawColumn],
    header_span: Span,
    schema: &[ColumnSpec],
    path: &str,
) -> Option<Vec<Option<usize>>> {
    let mut sink = Sink::new(header_span, path);
    let converter = Converter::new(columns, header_span, true, false, schema, path, &mut sink);
    sink.finish().is_empty().then_some(converter.feeds)
}

/// Stores `text` in `out`, reusing its string when it holds one.
fn set_text(out: &mut CellValue, text: &str) {
    match out {
        CellValue::Text(s) => {
            s.clear();
            s.push_str(text);
        }
        _ => *out = CellValue::Text(text.to_string()),
    }
}

/// Parses a number, allowing `_` between digits.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    // Digits alone, up to 15 of them: a whole number below 2^53, which `f64` holds exactly,
    // so the sum is the value `str::parse` gives.
    let bytes = text.as_bytes();
    if !bytes.is_empty() && bytes.len() <= 15 && bytes.iter().all(u8::is_ascii_digit) {
        return Some(
            bytes
                .iter()
                .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')) as f64,
        );
    }
    if !text.contains('_') {
        return text.parse().ok();
    }
    let bytes = text.as_bytes();
    let separators_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'_'
            || (i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(|n| n.is_ascii_digit()))
    });
    if !separators_ok {
        return None;
    }
    text.replace('_', "").parse().ok()
}

/// Parses `true`/`false`, `yes`/`no`, `1`/`0` in any case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}
