//! The format-independent middle of data loading: the readers ([`super::csv_reader`],
//! [`super::json_reader`]) turn a file into a [`RawTable`] of untyped, spanned fields, which
//! [`super::convert`] checks against the schema. Also holds the diagnostic sink (with its
//! per-file cap) and the diagnostics shared by several steps.

use super::MAX_DIAGNOSTICS_PER_FILE;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::source::{ReadError, Vfs};
use crate::span::{FileId, Span};
use std::borrow::Cow;
use std::path::Path;

/// A column as the file names it.
#[derive(Debug)]
pub(crate) struct RawColumn {
    pub name: String,
    /// Header cell (CSV) or first occurrence of the property (JSON).
    pub span: Span,
}

/// An untyped value.
#[derive(Debug)]
pub(crate) enum RawValue<'a> {
    /// A CSV cell, a JSON string, or the literal text of a JSON number.
    Text(Cow<'a, str>),
    /// A JSON `true`/`false`.
    Bool(bool),
    /// A JSON `null`.
    Null,
    /// A JSON object or array where a single value belongs: "an object" or "an array".
    Nested(&'static str),
}

/// One value of a record, with the file column it belongs to.
#[derive(Debug)]
pub(crate) struct RawField<'a> {
    pub column: usize,
    pub value: RawValue<'a>,
    pub span: Span,
}

/// One record before conversion.
#[derive(Debug)]
pub(crate) struct RawRecord<'a> {
    pub fields: Vec<RawField<'a>>,
    /// The whole record (see [`super::Record::span`]).
    pub span: Span,
    /// Where to point when the record lacks a value: zero-width at the end of a CSV row, the
    /// opening brace or the key of a JSON record.
    pub anchor: Span,
    pub row: usize,
    /// A problem was already reported for this record (e.g. a short CSV row); absent values
    /// are not reported again.
    pub reported: bool,
}

impl RawRecord<'_> {
    /// A record with no fields, to be filled and reused row after row.
    pub fn empty(file: FileId) -> Self {
        RawRecord {
            fields: Vec::new(),
            span: Span::new(file, 0, 0),
            anchor: Span::new(file, 0, 0),
            row: 0,
            reported: false,
        }
    }
}

/// A parsed file: its columns and records.
#[derive(Debug)]
pub(crate) struct RawTable<'a> {
    pub columns: Vec<RawColumn>,
    /// Where a missing column is reported: the CSV header line, or the JSON top value's start.
    pub header_span: Span,
    /// The columns come from a header (CSV) rather than from the records seen (JSON): only
    /// then does a file without records lack its columns.
    pub has_header: bool,
    pub records: Vec<RawRecord<'a>>,
}

impl RawTable<'_> {
    /// Hands the columns, then every record, to `visitor`.
    pub fn visit(&self, visitor: &mut dyn RawVisitor, sink: &mut Sink) {
        visitor.columns(
            &ColumnsSeen {
                columns: &self.columns,
                header_span: self.header_span,
                has_header: self.has_header,
                no_records: self.records.is_empty(),
            },
            sink,
        );
        for r in &self.records {
            visitor.record(r, sink);
        }
    }
}

/// The columns of a file, as a reader hands them over before its records.
pub(crate) struct ColumnsSeen<'c> {
    pub columns: &'c [RawColumn],
    /// See [`RawTable::header_span`].
    pub header_span: Span,
    /// See [`RawTable::has_header`].
    pub has_header: bool,
    /// The file has no records at all (known up front only for JSON; CSV says `false`).
    pub no_records: bool,
}

/// Receives what a reader finds, in file order: the columns once, then each record.
pub(crate) trait RawVisitor {
    fn columns(&mut self, columns: &ColumnsSeen, sink: &mut Sink);
    fn record(&mut self, record: &RawRecord, sink: &mut Sink);
}

/// Collects the diagnostics of one file: adds the "loaded here" label and stops keeping them
/// after [`MAX_DIAGNOSTICS_PER_FILE`].
pub(crate) struct Sink {
    requested_at: Span,
    file_name: String,
    diags: Vec<Diagnostic>,
    dropped: usize,
}

impl Sink {
    pub fn new(requested_at: Span, file_name: &str) -> Self {
        Sink {
            requested_at,
            file_name: file_name.to_string(),
            diags: Vec::new(),
            dropped: 0,
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        if self.diags.len() >= MAX_DIAGNOSTICS_PER_FILE {
            self.dropped += 1;
        } else {
            self.diags
                .push(d.secondary(self.requested_at, "loaded here"));
        }
    }

    /// True once the cap is reached: readers may stop building messages.
    pub fn is_full(&self) -> bool {
        self.diags.len() >= MAX_DIAGNOSTICS_PER_FILE
    }

    /// Counts a problem that was not even built because the sink is full.
    pub fn skip(&mut self) {
        self.dropped += 1;
    }

    pub fn finish(mut self) -> Vec<Diagnostic> {
        if self.dropped > 0 {
            let s = if self.dropped == 1 { "" } else { "s" };
            let d = Diagnostic::warning(
                Code::W0515,
                format!(
                    "{} more problem{s} in `{}` not shown",
                    self.dropped, self.file_name
                ),
            )
            .primary(self.requested_at, "loaded here")
            .help("fix the problems above and check again to see the rest");
            self.diags.push(d);
        }
        self.diags
    }
}

/// The closest candidate to `name`, if it is close enough to be a plausible typo.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let score = if c.to_lowercase() == lower {
            1.0
        } else {
            strsim::jaro_winkler(&lower, &c.to_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// E0501: the file cannot be read; E0217 when it is not a regular file, E0216 when it is
/// larger than the size cap.
pub(crate) fn unreadable(
    display_name: &str,
    path: &Path,
    err: &ReadError,
    requested_at: Span,
    vfs: &Vfs,
) -> Diagnostic {
    let d = Diagnostic::error(
        err.code().unwrap_or(Code::E0501),
        format!("cannot read data file `{display_name}`: {err}"),
    )
    .primary(requested_at, "loaded here");
    if let Some(help) = err.help() {
        return d.help(help);
    }
    match sibling_suggestion(path, vfs) {
        Some(s) => d.help(format!(
            "did you mean `{s}`? (a file with that name is in the same folder)"
        )),
        None => d.help("data paths are relative to the model file that names them"),
    }
}

/// A file in the same folder whose name is close to the missing one.
fn sibling_suggestion(path: &Path, vfs: &Vfs) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let entries = vfs.list_dir(dir);
    did_you_mean(name, entries.iter().map(String::as_str)).map(str::to_string)
}

/// E0502: the extension names no format we read.
pub(crate) fn unsupported_extension(
    display_name: &str,
    ext: &str,
    requested_at: Span,
) -> Diagnostic {
    let what = if ext.is_empty() {
        format!("data file `{display_name}` has no extension")
    } else {
        format!("unsupported data file type `.{ext}` in `{display_name}`")
    };
    Diagnostic::error(Code::E0502, what)
        .primary(requested_at, "loaded here")
        .help("data files must end in `.csv`, `.tsv` or `.json`; export spreadsheets as CSV")
}

/// E0508: bytes of the file that are not UTF-8, at `at` (the `U+FFFD` standing for them).
/// The sink adds the "loaded here" label.
pub(crate) fn not_utf8(display_name: &str, at: Span) -> Diagnostic {
    Diagnostic::error(
        Code::E0508,
        format!("data file `{display_name}` is not valid UTF-8"),
    )
    .primary(at, "these bytes are not UTF-8")
    .help("save the file as UTF-8 (in a spreadsheet: \"CSV UTF-8\")")
}

/// `s.trim()`, answered from the first and last bytes when both are ASCII and not
/// whitespace (almost every cell of a data file), which is most of what trimming cost.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    trim_with_offset(s).0
}

/// `s` starts and ends with an ASCII character that is not white space: nothing to trim.
fn untrimmed(s: &str) -> bool {
    let keeps = |b: Option<&u8>| b.is_some_and(|&c| c.is_ascii() && !(c as char).is_whitespace());
    let bytes = s.as_bytes();
    keeps(bytes.first()) && keeps(bytes.last())
}

/// Trims `s`, returning the trimmed text and its byte offset inside `s`.
pub(crate) fn trim_with_offset(s: &str) -> (&str, usize) {
    if s.is_empty() || untrimmed(s) {
        return (s, 0);
    }
    let start = s.len() - s.trim_start().len();
    (s.trim(), start)
}

#[cfg(test)]
mod tests {
    use super::{trim, trim_with_offset};

    #[test]
    fn the_quick_trim_is_str_trim() {
        let cells = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r",
            "12.5",
            "x\u{a0}",
            "\u{a0}x",
            "\u{b}x",
            "x\u{b}",
            "\u{1f}x",
            "é",
            " é ",
            "a b",
            "\u{2003}a\u{2003}",
            "\n",
        ];
        for c in cells {
            assert_eq!(trim(c), c.trim(), "{c:?}");
            let offset = c.len() - c.trim_start().len();
            assert_eq!(trim_with_offset(c), (c.trim(), offset), "{c:?}");
        }
    }
}
