//! Data files: loading entities and indexed parameters from CSV, TSV and JSON.
//!
//! This phase sits between type checking and instantiation. The checker knows the schema of
//! a `from "..."` clause (attribute names, types, which columns are keys) and calls
//! [`load_table`]; it gets back a [`Table`] whose every cell carries a [`Span`] into the data
//! file, so that every later diagnostic (an unknown region, a unit mismatch found while
//! instantiating) can point at the file, row and column, and the renderer can show the line.
//!
//! # Columns
//!
//! A schema is a list of [`ColumnSpec`]s. File columns are matched to the schema by exact
//! name (after trimming). A spec's name may list accepted spellings separated by `|`
//! (`service|services`); the first one is the canonical name used in messages and in
//! [`Table::columns`]. File columns that match no spec are ignored with warning W0509.
//! A required column that is absent is error E0503; an optional one is all [`CellValue::Missing`].
//!
//! # Cells
//!
//! - Leading and trailing whitespace of every cell is ignored; an empty cell (CSV) or `null`
//!   (JSON) is [`CellValue::Missing`] (error E0510 in a required column).
//! - Numbers: anything Rust's `f64` parser accepts (`16`, `-2.5`, `1e6`), with `_` allowed
//!   between digits (`40_000`). `NaN` and infinities are rejected (E0505), as are numbers
//!   with units or other text (`16c`, E0504): a data file holds plain numbers in the unit
//!   the model declares. `Integer` columns also require a whole number.
//! - Booleans: `true`/`false`, `yes`/`no`, `1`/`0` (any case).
//! - `Text` and `Ref` cells are kept as trimmed text; `Ref` names are validated by the
//!   caller, who can report unknown ones with [`unknown_reference`].
//! - In JSON, a string is read with the same rules as a CSV cell (so `"16"` is a number in a
//!   number column) and a number literal is text in a text column (`2027`).
//!
//! # CSV and TSV
//!
//! `.csv` is comma-separated and `.tsv` tab-separated. The first row is the header. Lines
//! that start with `#` are comments, and blank lines and rows whose cells are all empty are
//! skipped; a UTF-8 byte-order mark is ignored. Every file is read through the file layer
//! of the [`SourceMap`] (overlays, regular files only, size cap, once per analysis); bytes
//! that are not UTF-8 are E0508 at each place (CSV, TSV and JSON alike), and nothing of
//! such a file is loaded. Quoting follows RFC 4180 (`"a, b"`, `""` for
//! a quote). A row with a different number of cells than the header is error E0512; a quote
//! that is never closed (E0508) ends the file, keeping the records before it.
//! [`Record::row`] counts data rows from 1, not counting the header, comments or blank lines.
//! A cell's span covers its trimmed text, inside the quotes for a quoted cell, so that
//! `&text[cell.span.range()]` is the cell text.
//!
//! # JSON shapes
//!
//! Strict JSON (no comments or trailing commas), in one of two shapes:
//!
//! 1. **An array of objects**, one record each; properties are columns:
//!    `[{"name": "checkout", "cores": 16}, ...]`. [`Record::row`] is the element index + 1.
//! 2. **An object keyed by the key columns.** The top-level keys fill the schema's first key
//!    column ([`ColumnSpec::key`]; when no column is a key, the `name` column), and each
//!    nested object level fills the next key column. Once every key column is filled, the
//!    value is the record: an object gives the other columns by property name, and a single
//!    value (number, string, bool, null) fills the one non-key column (for a parameter,
//!    `value`). So `{"checkout": {"cores": 16}}` is an entity file and
//!    `{"checkout": {"2027Q1": 3}}` a parameter over two key columns. Records are numbered
//!    from 1 in document order. A record object that repeats a key column must agree with
//!    its key.
//!
//! Anything else (a scalar at the top, an array element that is not an object, a nested
//! object where a single value belongs) is error E0514.
//!
//! # Errors
//!
//! Loading does not stop at the first problem: every problem is reported (at most
//! [`MAX_DIAGNOSTICS_PER_FILE`] per file, then W0515 says how many more there were). Each
//! diagnostic's primary label is in the data file and a secondary label at the model's
//! `from "..."` says "loaded here". When the file can be read and parsed, a [`Table`] is
//! returned even if some cells had errors: those cells are [`CellValue::Missing`] and their
//! record has [`Record::valid`] `false`, so callers should not report Missing cells of
//! invalid records again.

use crate::diagnostics::Code;
mod convert;
mod csv_reader;
mod json_reader;
mod raw;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_json;
#[cfg(test)]
mod tests_prop;

use crate::diagnostics::Diagnostic;
use crate::source::SourceMap;
use crate::span::{FileId, Span};
pub(crate) use convert::number_cell;
use raw::Sink;
use std::path::Path;

/// At most this many diagnostics are reported for one data file; W0515 counts the rest.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 50;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// Any finite number, stored as [`CellValue::Number`].
    Number,
    /// A whole number, stored as [`CellValue::Number`].
    Integer,
    /// Free text, stored as [`CellValue::Text`].
    Text,
    /// `true`/`false` (also `yes`/`no`, `1`/`0`), stored as [`CellValue::Bool`].
    Bool,
    /// The name of an entity or set element, stored as [`CellValue::Text`]; the caller checks
    /// that it exists (see [`unknown_reference`]).
    Ref,
}

impl ColumnType {
    fn describe(self) -> &'static str {
        match self {
            ColumnType::Number => "a number",
            ColumnType::Integer => "a whole number",
            ColumnType::Text => "text",
            ColumnType::Bool => "true or false",
            ColumnType::Ref => "a name",
        }
    }
}

/// One column the caller expects in a data file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Column name; alternative accepted spellings may follow after `|` (`service|services`).
    pub name: String,
    pub ty: ColumnType,
    /// Absent column → E0503; empty cell → E0510.
    pub required: bool,
    /// Negative numbers → E0506.
    pub nonneg: bool,
    /// Part of the record's key: the tuple of key cells must be unique (E0507). Key columns
    /// also give the nesting order of keyed JSON objects.
    pub key: bool,
    /// A column another declaration reads from the same file: not converted here, and not
    /// "unknown" (no W0509).
    pub known_only: bool,
    /// An optional column whose absence is worth a warning (W0551): the default taken.
    pub absent_default: Option<String>,
    /// What the E0503 of a missing column suggests, when there is more to say than "add it"
    /// and no other column looks like a misspelling of it.
    pub missing_help: Option<String>,
    /// The values of a history that a forecast or an aggregate reads: a value that is not
    /// a finite number is E0545 (naming the history) instead of E0505.
    pub history: bool,
}

impl ColumnSpec {
    /// A required, non-key column that accepts any sign.
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        ColumnSpec {
            name: name.into(),
            ty,
            required: true,
            nonneg: false,
            key: false,
            known_only: false,
            absent_default: None,
            missing_help: None,
            history: false,
        }
    }

    /// The value column of a history (see [`ColumnSpec::history`]).
    pub fn of_history(mut self) -> Self {
        self.history = true;
        self
    }

    /// The same column, with `help` as the suggestion when it is missing.
    pub fn with_missing_help(mut self, help: impl Into<String>) -> Self {
        self.missing_help = Some(help.into());
        self
    }

    /// An optional column whose absence from a file gives warning W0551, which names the
    /// `default` taken instead.
    pub fn defaulted(mut self, default: impl Into<String>) -> Self {
        self.required = false;
        self.absent_default = Some(default.into());
        self
    }

    /// A column that another declaration of the model reads from the same file.
    pub fn read_elsewhere(name: impl Into<String>) -> Self {
        ColumnSpec {
            required: false,
            known_only: true,
            ..ColumnSpec::new(name, ColumnType::Text)
        }
    }

    /// The same column, but optional.
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    /// The same column, rejecting negative numbers.
    pub fn non_negative(mut self) -> Self {
        self.nonneg = true;
        self
    }

    /// The same column, as part of the key.
    pub fn as_key(mut self) -> Self {
        self.key = true;
        self
    }

    /// The canonical name: the first of the `|`-separated spellings.
    pub fn canonical_name(&self) -> &str {
        self.name.split('|').next().unwrap_or(&self.name).trim()
    }

    /// Every accepted spelling.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        self.name
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// The value of one cell, converted according to its column's type.
#[derive(Clone, Debug, PartialEq)]
pub enum CellValue {
    Number(f64),
    Text(String),
    Bool(bool),
    /// Empty cell, `null`, absent column or property, or a cell whose value had an error.
    Missing,
}

impl CellValue {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            CellValue::Number(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            CellValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            CellValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, CellValue::Missing)
    }
}

/// A value with its place in the data file.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub value: CellValue,
    /// The cell text (inside quotes); for an absent value, a zero-width span at the end of
    /// the row (CSV) or the record's key or opening brace (JSON).
    pub span: Span,
}

/// One row of a CSV file or one record of a JSON file.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// One cell per schema column, in schema order.
    pub cells: Vec<Cell>,
    /// The row's line (CSV), the object (JSON array), or `"key": value` (keyed JSON).
    pub span: Span,
    /// 1-based data row: CSV rows not counting the header, comments and blank lines; JSON
    /// array element index + 1, or the record's position in a keyed object.
    pub row: usize,
    /// False when a problem in this record was reported; its bad cells are Missing.
    pub valid: bool,
}

impl Record {
    /// A record without cells, to be filled by the converter.
    pub(crate) fn empty() -> Self {
        Record {
            cells: Vec::new(),
            span: Span::new(FileId(0), 0, 0),
            row: 0,
            valid: false,
        }
    }

    /// The cell of schema column `index`.
    pub fn cell(&self, index: usize) -> Option<&Cell> {
        self.cells.get(index)
    }
}

/// A loaded data file.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub file: FileId,
    /// The display name the file was loaded under.
    pub path: String,
    /// Canonical column names, in schema order.
    pub columns: Vec<String>,
    pub records: Vec<Record>,
}

impl Table {
    /// Schema index of the column with canonical name `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// The file formats [`load_table`] reads, chosen by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Tsv,
    Json,
}

/// Reads `path` through the file layer of `sources` (relative paths are resolved by the
/// caller) and adds its text to `sources` (so spans work; a file the map already holds at
/// that path is not read again, and an unsaved editor buffer wins over the disk), parses it by extension (`.csv`, `.tsv`, `.json`) and checks it
/// against `schema`. `display_name` names the file in diagnostics; `requested_at` is the
/// model's `from "..."`, labelled "loaded here" in every diagnostic.
///
/// Returns `None` only when the file cannot be read or parsed. When a required column is
/// absent (E0503) the table is still returned, with every record marked invalid, so that
/// the names it does hold can be resolved without a cascade of errors.
pub fn load_table(
    sources: &mut SourceMap,
    path: &Path,
    display_name: &str,
    schema: &[ColumnSpec],
    requested_at: Span,
) -> (Option<Table>, Vec<Diagnostic>) {
    let mut records = Vec::new();
    let push = &mut |r: &Record| records.push(r.clone());
    match stream(sources, path, display_name, schema, requested_at, push) {
        Err(d) => (None, vec![d]),
        Ok((None, sink)) => (None, sink.finish()),
        Ok((Some(file), mut sink)) => {
            let table = convert::table(file, display_name, schema, records, &mut sink);
            (Some(table), sink.finish())
        }
    }
}

/// Like [`load_table`], but hands each converted record to `on_record` as it is read
/// instead of keeping a [`Table`]: a file of millions of rows is loaded in flat memory. The
/// record passed is reused for the next one. Keys are NOT checked for uniqueness (E0507):
/// the caller, which maps keys to its own ids, checks them, and can call [`load_table`] on
/// the same file to report a duplicate with both rows.
///
/// Returns the file (`None` when it cannot be read or parsed) and the diagnostics.
pub fn stream_table(
    sources: &mut SourceMap,
    path: &Path,
    display_name: &str,
    schema: &[ColumnSpec],
    requested_at: Span,
    on_record: &mut dyn FnMut(&Record),
) -> (Option<FileId>, Vec<Diagnostic>) {
    match stream(sources, path, display_name, schema, requested_at, on_record) {
        Err(d) => (None, vec![d]),
        Ok((file, sink)) => (file, sink.finish()),
    }
}

/// The entity names in the key column (`name`, or the column of `key COLUMN`) of a data
/// file, each with the span of its cell, for the checker to know names of data-loaded
/// entities before the data is loaded in full. Returns `None` when the names cannot all be
/// known (the file is missing, cannot be parsed, has no key column or an empty name): the
/// full load then reports why.
pub fn entity_names(
    sources: &mut SourceMap,
    path: &Path,
    display_name: &str,
    key_column: &str,
    requested_at: Span,
) -> Option<Vec<(String, Span)>> {
    let spec = [ColumnSpec::new(key_column, ColumnType::Text).as_key()];
    let mut names = Vec::new();
    let mut complete = true;
    let on_record = &mut |r: &Record| match r.cells.first() {
        Some(Cell {
            value: CellValue::Text(name),
            span,
        }) if r.valid => names.push((name.clone(), *span)),
        _ => complete = false,
    };
    let (file, diags) = stream_table(sources, path, display_name, &spec, requested_at, on_record);
    let ok = file.is_some() && complete && !crate::diagnostics::has_errors(&diags);
    ok.then_some(names)
}

/// Opens, parses and converts a file, handing each record to `on_record`. Returns the file
/// (`None` when it could not be parsed or is not UTF-8) and the sink holding its
/// diagnostics, or the one diagnostic of a file that cannot be opened.
fn stream(
    sources: &mut SourceMap,
    path: &Path,
    display_name: &str,
    schema: &[ColumnSpec],
    requested_at: Span,
    on_record: &mut dyn FnMut(&Record),
) -> Result<(Option<FileId>, Sink), Diagnostic> {
    let (file, format, mut sink) = open(sources, path, display_name, requested_at)?;
    let bad_utf8 = &sources.get(file).bad_utf8;
    if !bad_utf8.is_empty() {
        // Every cell must be text: report each bad place (up to the per-file cap) at its
        // line and column, and load nothing from the file.
        for range in bad_utf8 {
            if sink.is_full() {
                sink.skip();
            } else {
                let at = Span::new(file, range.start, range.end);
                sink.push(raw::not_utf8(display_name, at));
            }
        }
        return Ok((None, sink));
    }
    let read = stream_text(
        sources.text(file),
        file,
        format,
        display_name,
        schema,
        &mut sink,
        on_record,
    );
    Ok((read.then_some(file), sink))
}

/// Parses and converts `text` (of `file`), handing each record to `on_record`; `false` when
/// it could not be parsed at all.
fn stream_text(
    text: &str,
    file: FileId,
    format: Format,
    display_name: &str,
    schema: &[ColumnSpec],
    sink: &mut Sink,
    on_record: &mut dyn FnMut(&Record),
) -> bool {
    let mut stream = convert::Stream::new(schema, display_name, on_record);
    visit(text, file, format, schema, sink, &mut stream)
}

/// A data file read through the file layer, with its text (shared with the source map, not
/// copied), to be streamed on another thread (see [`OpenedFile::stream`]).
pub(crate) struct OpenedFile {
    text: std::sync::Arc<String>,
    file: FileId,
    format: Format,
    display_name: String,
    requested_at: Span,
}

/// Opens `path` as [`stream_table`] does (registering it in `sources`) and shares its text.
/// `None` when it cannot be opened or has bytes that are not UTF-8: [`stream_table`] then
/// reports why.
pub(crate) fn open_shared(
    sources: &mut SourceMap,
    path: &Path,
    display_name: &str,
    requested_at: Span,
) -> Option<OpenedFile> {
    let (file, format, _) = open(sources, path, display_name, requested_at).ok()?;
    let source = sources.get(file);
    if !source.bad_utf8.is_empty() {
        return None;
    }
    Some(OpenedFile {
        text: source.text.clone(),
        file,
        format,
        display_name: display_name.to_string(),
        requested_at,
    })
}

impl OpenedFile {
    /// [`stream_table`] over the shared text: the same records and diagnostics. Returns whether
    /// the file could be parsed.
    pub(crate) fn stream(
        &self,
        schema: &[ColumnSpec],
        on_record: &mut dyn FnMut(&Record),
    ) -> (bool, Vec<Diagnostic>) {
        let mut sink = Sink::new(self.requested_at, &self.display_name);
        let read = stream_text(
            &self.text,
            self.file,
            self.format,
            &self.display_name,
            schema,
            &mut sink,
            on_record,
        );
        (read, sink.finish())
    }

    /// Each record's trimmed cells in `schema`'s order, handed to `row` as text, without
    /// converting them: the quick way through a large file whose every row is expected to
    /// be clean. Returns `false`, having stopped, when the file is not CSV or TSV, has a
    /// quote character, its header raises any diagnostic or lacks a column of `schema`, a
    /// row that is not blank has more or fewer cells than the header, or `row` returns
    /// `false`: [`OpenedFile::stream`] then reads it in full and reports why.
    pub(crate) fn plain_cells<'t>(
        &'t self,
        schema: &[ColumnSpec],
        mut row: impl FnMut(&[&'t str]) -> bool,
    ) -> bool {
        let delimiter = match self.format {
            Format::Csv => b',',
            Format::Tsv => b'\t',
            Format::Json => return false,
        };
        // For each schema column, the file column that feeds it.
        let header = |columns: &[raw::RawColumn], line: Span| {
            let feeds = convert::clean_feeds(columns, line, schema, &self.display_name)?;
            (0..schema.len())
                .map(|si| feeds.iter().position(|&f| f == Some(si)))
                .collect::<Option<Vec<usize>>>()
        };
        let mut ordered: Vec<&'t str> = Vec::with_capacity(schema.len());
        csv_reader::read_plain_cells(&self.text, self.file, delimiter, header, |at, cells| {
            ordered.clear();
            ordered.extend(at.iter().map(|&c| cells[c]));
            row(&ordered)
        })
    }
}

/// Finds the format of `path` and its file in `sources`, read through the file layer the
/// first time (so the entity-name pre-read and the full load read the file once).
fn open(
    sources: &mut SourceMap,
    path: &Path,
    display_name: &str,
    requested_at: Span,
) -> Result<(FileId, Format, Sink), Diagnostic> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let format = match ext.as_str() {
        "csv" => Format::Csv,
        "tsv" => Format::Tsv,
        "json" => Format::Json,
        _ => return Err(raw::unsupported_extension(display_name, &ext, requested_at)),
    };
    let file = sources
        .load(display_name, path)
        .map_err(|e| raw::unreadable(display_name, path, &e, requested_at, sources.vfs()))?;
    Ok((file, format, Sink::new(requested_at, display_name)))
}

/// Parses `text` in `format` and hands its columns and records to `visitor`. Returns
/// `false` when the file could not be parsed at all.
fn visit(
    text: &str,
    file: FileId,
    format: Format,
    schema: &[ColumnSpec],
    sink: &mut Sink,
    visitor: &mut dyn raw::RawVisitor,
) -> bool {
    match format {
        Format::Csv => csv_reader::read(text, file, b',', sink, visitor),
        Format::Tsv => csv_reader::read(text, file, b'\t', sink, visitor),
        Format::Json => match json_reader::read(text, file, schema, sink) {
            Some(raw) => {
                raw.visit(visitor, sink);
                true
            }
            None => false,
        },
    }
}

/// E0511: a `Ref` cell names no known entity or element. `what` names the kind
/// (`"region"`), `known` lists the valid names (for "did you mean").
pub fn unknown_reference(cell: &Cell, what: &str, known: &[&str]) -> Diagnostic {
    let name = match &cell.value {
        CellValue::Text(s) => s.clone(),
        CellValue::Number(v) => v.to_string(),
        CellValue::Bool(b) => b.to_string(),
        CellValue::Missing => String::new(),
    };
    let d = Diagnostic::error(Code::E0511, format!("unknown {what} `{name}`"))
        .primary(cell.span, format!("no {what} is named `{name}`"));
    match raw::did_you_mean(&name, known.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None if known.is_empty() => d.help(format!(
            "no {what} is declared; declare it in the model or in a data file"
        )),
        None => {
            let mut shown: Vec<&str> = known.iter().copied().take(5).collect();
            shown.sort_unstable();
            let more = if known.len() > 5 { ", ..." } else { "" };
            d.help(format!(
                "known {what} names: `{}`{more}",
                shown.join("`, `")
            ))
        }
    }
}
