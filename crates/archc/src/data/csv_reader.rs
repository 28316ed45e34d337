//! CSV and TSV files, record by record, into a [`RawVisitor`]. A file with quotes is read by
//! the `csv` crate, which splits records and unquotes fields; since it reports only where
//! each record starts, the record's raw bytes are scanned again here to find the exact byte
//! range of every field. A file without a quote character is split here directly (the
//! same records, one pass).

use super::raw::{
    trim, trim_with_offset, ColumnsSeen, RawColumn, RawField, RawRecord, RawValue, RawVisitor, Sink,
};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};
use std::borrow::Cow;

const BOM: &str = "\u{feff}";

/// Files of at least this many bytes are read on two threads (see [`read`]). Every file in
/// the unit tests is, so that they check the two threads give what one gives; the
/// integration tests' small files take the one thread.
const PIPELINE_BYTES: usize = 1 << 20;

fn pipelined(text: &str) -> bool {
    cfg!(test) || text.len() >= PIPELINE_BYTES
}

/// Records handed from the reading thread to the converting one at a time.
const BATCH_RECORDS: usize = 2048;

/// Parses `text` (the whole file) with the given delimiter, handing the header's columns
/// and then each record to `visitor` as it is read (nothing is kept, so memory stays flat
/// for large files). Returns `false` when the file has no header row.
///
/// A large file is split and unquoted on a second thread while this one hands the records
/// to the visitor (which converts and stores them): the records, and the diagnostics the
/// reading raises, reach the visitor and the sink in the file's order either way, in
/// batches of [`BATCH_RECORDS`] records.
pub(crate) fn read(
    text: &str,
    file: FileId,
    delimiter: u8,
    sink: &mut Sink,
    visitor: &mut dyn RawVisitor,
) -> bool {
    if !pipelined(text) {
        return produce(text, file, delimiter, &mut Direct { sink, visitor });
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<'_>>(4);
    let (back, spare) = std::sync::mpsc::channel::<Batch<'_>>();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut out = Batches {
                batch: Batch::default(),
                tx,
                spare,
            };
            let header = produce(text, file, delimiter, &mut out);
            out.send();
            header
        });
        let mut raw = RawRecord::empty(file);
        for mut batch in rx {
            let mut fields = batch.fields.drain(..);
            for item in batch.items.drain(..) {
                match item {
                    Item::Columns(header, line) => visitor.columns(&seen(&header, line), sink),
                    Item::Diag(d) => sink.push(d),
                    Item::Record(r) => {
                        raw.fields.clear();
                        raw.fields.extend(fields.by_ref().take(r.fields));
                        raw.span = r.span;
                        raw.anchor = r.anchor;
                        raw.row = r.row;
                        raw.reported = r.reported;
                        visitor.record(&raw, sink);
                    }
                }
            }
            drop(fields);
            // The batch goes back for reuse; a reader that has finished does not need it.
            let _ = back.send(batch);
        }
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Where the reading hands what it finds: the visitor itself, or batches for another
/// thread.
trait Emit<'a> {
    fn columns(&mut self, header: Vec<RawColumn>, line: Span);
    fn diag(&mut self, d: Diagnostic);
    /// A record; its fields may be taken.
    fn record(&mut self, raw: &mut RawRecord<'a>);
}

/// The columns of a header row, as visitors see them.
fn seen(header: &[RawColumn], line: Span) -> ColumnsSeen<'_> {
    ColumnsSeen {
        columns: header,
        header_span: line,
        has_header: true,
        no_records: false,
    }
}

/// Hands everything to the visitor and the sink at once.
struct Direct<'s> {
    sink: &'s mut Sink,
    visitor: &'s mut dyn RawVisitor,
}

impl<'a> Emit<'a> for Direct<'_> {
    fn columns(&mut self, header: Vec<RawColumn>, line: Span) {
        self.visitor.columns(&seen(&header, line), self.sink);
    }

    fn diag(&mut self, d: Diagnostic) {
        self.sink.push(d);
    }

    fn record(&mut self, raw: &mut RawRecord<'a>) {
        self.visitor.record(raw, self.sink);
    }
}

/// What the reading found, in order: the fields of the records are kept apart, in one
/// vector, so that a batch holds three allocations however many records it has.
#[derive(Default)]
struct Batch<'a> {
    items: Vec<Item>,
    fields: Vec<RawField<'a>>,
}

enum Item {
    Columns(Vec<RawColumn>, Span),
    Diag(Diagnostic),
    Record(RecordHead),
}

/// A record without its fields: how many of the batch's fields are its.
struct RecordHead {
    fields: usize,
    span: Span,
    anchor: Span,
    row: usize,
    reported: bool,
}

/// Collects batches and sends each full one to the converting thread.
struct Batches<'a> {
    batch: Batch<'a>,
    tx: std::sync::mpsc::SyncSender<Batch<'a>>,
    spare: std::sync::mpsc::Receiver<Batch<'a>>,
}

impl<'a> Batches<'a> {
    fn send(&mut self) {
        if self.batch.items.is_empty() {
            return;
        }
        let next = self.spare.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batch, next);
        // The converting thread only stops when this one has finished.
        let _ = self.tx.send(full);
    }
}

impl<'a> Emit<'a> for Batches<'a> {
    fn columns(&mut self, header: Vec<RawColumn>, line: Span) {
        self.batch.items.push(Item::Columns(header, line));
    }

    fn diag(&mut self, d: Diagnostic) {
        self.batch.items.push(Item::Diag(d));
    }

    fn record(&mut self, raw: &mut RawRecord<'a>) {
        self.batch.items.push(Item::Record(RecordHead {
            fields: raw.fields.len(),
            span: raw.span,
            anchor: raw.anchor,
            row: raw.row,
            reported: raw.reported,
        }));
        self.batch.fields.append(&mut raw.fields);
        if self.batch.items.len() >= BATCH_RECORDS {
            self.send();
        }
    }
}

/// The reading itself: records split, unquoted and located in the text, handed to `out`.
/// A file without a quote character is split by [`produce_plain`]; any other by the `csv`
/// crate ([`produce_quoted`]). Both hand `out` the same records and diagnostics for a file
/// without quotes (a test holds them to it).
fn produce<'a>(text: &'a str, file: FileId, delimiter: u8, out: &mut dyn Emit<'a>) -> bool {
    if memchr::memchr(b'"', text.as_bytes()).is_none() {
        produce_plain(text, file, delimiter, out)
    } else {
        produce_quoted(text, file, delimiter, out)
    }
}

/// What both readers do with a row once its cells are found: the first row names the
/// columns, each later row that is not blank is a record.
struct Rows<'a> {
    file: FileId,
    /// The header's width, once it is read.
    columns: Option<usize>,
    row: usize,
    raw: RawRecord<'a>,
}

impl<'a> Rows<'a> {
    fn new(file: FileId) -> Self {
        Rows {
            file,
            columns: None,
            row: 0,
            raw: RawRecord::empty(file),
        }
    }

    /// A row of `spans.len()` cells (their values from `cells`, in order) on `line`; `blank`:
    /// every cell is empty or white space.
    fn row(
        &mut self,
        line: Span,
        spans: &[Span],
        blank: bool,
        cells: impl Iterator<Item = Cow<'a, str>>,
        out: &mut dyn Emit<'a>,
    ) {
        let Some(width) = self.columns else {
            let header: Vec<RawColumn> = cells
                .zip(spans)
                .map(|(name, &span)| RawColumn {
                    name: trim(&name).to_string(),
                    span,
                })
                .collect();
            self.columns = Some(header.len());
            out.columns(header, line);
            return;
        };
        if blank {
            return;
        }
        self.row += 1;
        let raw = &mut self.raw;
        raw.anchor = Span::new(self.file, line.end as usize, line.end as usize);
        raw.reported = false;
        if spans.len() != width {
            raw.reported = true;
            out.diag(row_length(spans.len(), width, self.row, line, spans));
        }
        raw.fields.clear();
        for (column, (value, &span)) in cells.zip(spans).enumerate().take(width) {
            raw.fields.push(RawField {
                column,
                value: RawValue::Text(value),
                span,
            });
        }
        raw.span = line;
        raw.row = self.row;
        out.record(raw);
    }

    /// Ends the file: `false`, with E0508, when it had no header row.
    fn finish(&self, out: &mut dyn Emit<'a>) -> bool {
        if self.columns.is_some() {
            return true;
        }
        let at = Span::new(self.file, 0, 0);
        out.diag(
            Diagnostic::error(Code::E0508, "the data file is empty")
                .primary(at, "expected a header row here")
                .help("the first row of a CSV file names its columns, e.g. `name,cores`"),
        );
        false
    }
}

/// Splits a file that has no quote character: a record is a line (ended by `\n`, `\r\n` or
/// `\r`) that is not empty, a comment is a line that starts with `#` (and runs to the next
/// `\n`), and a record's cells are the text between delimiters, trimmed. That is what the
/// `csv` crate reads from such a file, without its copy of every record and the second scan
/// that locates the cells in the text.
fn produce_plain<'a>(text: &'a str, file: FileId, delimiter: u8, out: &mut dyn Emit<'a>) -> bool {
    let mut rows = Rows::new(file);
    let mut spans: Vec<Span> = Vec::new();
    for (start, end) in PlainLines::new(text) {
        let blank = cell_spans(text, file, delimiter, (start, end), &mut spans);
        let line = Span::new(file, start, end);
        let cells = spans.iter().map(|s| Cow::Borrowed(&text[s.range()]));
        rows.row(line, &spans, blank, cells, out);
    }
    rows.finish(out)
}

/// The trimmed spans of the cells of the line `text[start..end]` (which has no quote), in
/// `spans`; returns whether every cell is blank.
fn cell_spans(
    text: &str,
    file: FileId,
    delimiter: u8,
    (start, end): (usize, usize),
    spans: &mut Vec<Span>,
) -> bool {
    let bytes = text.as_bytes();
    spans.clear();
    let mut blank = true;
    let mut cell_start = start;
    loop {
        let cell_end =
            memchr::memchr(delimiter, &bytes[cell_start..end]).map_or(end, |i| cell_start + i);
        let (s, e) = field_span(text, cell_start, cell_end);
        blank &= s == e;
        spans.push(Span::new(file, s, e));
        if cell_end == end {
            return blank;
        }
        cell_start = cell_end + 1;
    }
}

/// The lines of a file without quotes that hold a row, as byte ranges without their line
/// terminator (`\n`, `\r\n` or `\r`): a leading BOM, empty lines and comment lines (from a
/// `#` at the start of a line to the next `\n`, the `csv` crate's rule, not to a lone `\r`)
/// are skipped.
struct PlainLines<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> PlainLines<'a> {
    fn new(text: &'a str) -> Self {
        PlainLines {
            bytes: text.as_bytes(),
            pos: if text.starts_with(BOM) { BOM.len() } else { 0 },
        }
    }
}

impl Iterator for PlainLines<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let bytes = self.bytes;
        while self.pos < bytes.len() {
            let start = self.pos;
            if bytes[start] == b'#' {
                self.pos =
                    memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
                continue;
            }
            let end =
                memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            self.pos = end + 1;
            if bytes.get(end) == Some(&b'\r') && bytes.get(self.pos) == Some(&b'\n') {
                self.pos += 1;
            }
            if end > start {
                return Some((start, end));
            }
        }
        None
    }
}

/// Reads a file for its cells' text alone, when it has no quote character: the header's
/// columns go to `header` (with the header line), which makes what `row` is then given
/// with each row [`read`] makes a record of: its trimmed cells, in the file's order, without
/// spans, diagnostics or a second thread. Stops and returns `false` when the file has a
/// quote character or no header, a row that is not blank has more or fewer cells than the
/// header, `header` returns `None` or `row` returns `false`; the caller then reads the file
/// with [`read`], which says why.
pub(crate) fn read_plain_cells<'a, H>(
    text: &'a str,
    file: FileId,
    delimiter: u8,
    header: impl FnOnce(&[RawColumn], Span) -> Option<H>,
    mut row: impl FnMut(&H, &[&'a str]) -> bool,
) -> bool {
    let bytes = text.as_bytes();
    if memchr::memchr(b'"', bytes).is_some() {
        return false;
    }
    let mut lines = PlainLines::new(text);
    let Some((start, end)) = lines.next() else {
        return false;
    };
    let mut spans = Vec::new();
    cell_spans(text, file, delimiter, (start, end), &mut spans);
    let columns: Vec<RawColumn> = (spans.iter())
        .map(|&span| RawColumn {
            name: text[span.range()].to_string(),
            span,
        })
        .collect();
    let Some(made) = header(&columns, Span::new(file, start, end)) else {
        return false;
    };
    let width = columns.len();
    let mut cells: Vec<&'a str> = Vec::with_capacity(width);
    for (start, end) in lines {
        cells.clear();
        // Cells are short: a loop over the line's bytes finds the delimiters sooner than a
        // search per cell.
        let mut cell_start = start;
        for (i, &b) in bytes[start..end].iter().enumerate() {
            if b == delimiter {
                cells.push(trim(&text[cell_start..start + i]));
                cell_start = start + i + 1;
            }
        }
        cells.push(trim(&text[cell_start..end]));
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if cells.len() != width || !row(&made, &cells) {
            return false;
        }
    }
    true
}

/// Reads a file with quotes by the `csv` crate, which splits and unquotes the records;
/// since it reports only where each record starts, each record's text is scanned again to
/// locate its cells.
fn produce_quoted<'a>(text: &'a str, file: FileId, delimiter: u8, out: &mut dyn Emit<'a>) -> bool {
    let base = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let body = &text[base..];
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(body.as_bytes());
    // Byte records: the text is UTF-8 already, and cells are borrowed from it by span (see
    // `cell`), so the reader's own UTF-8 check of every record is not needed.
    let mut record = csv::ByteRecord::new();
    let mut rows = Rows::new(file);
    // Buffers reused from row to row.
    let mut scanned = ScannedRecord::default();
    let mut spans: Vec<Span> = Vec::new();
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let at = e.position().map_or(start, |p| p.byte() as usize);
                out.diag(
                    Diagnostic::error(Code::E0508, format!("malformed CSV: {e}"))
                        .primary(Span::new(file, base + at, base + at), "here"),
                );
                break;
            }
        }
        let end = reader.position().byte() as usize;
        if !scan_record(body, start, end, delimiter, &mut scanned) {
            continue;
        }
        let line = Span::new(file, base + scanned.line.0, base + scanned.line.1);
        if let Some(open) = scanned.unclosed_quote {
            out.diag(
                Diagnostic::error(Code::E0508, "malformed CSV: a quoted cell is never closed")
                    .primary(
                        Span::new(file, base + open, base + open + 1),
                        "this quote is not closed",
                    )
                    .help("close the quote, or write `\"\"` for a quote inside a quoted cell"),
            );
            break;
        }
        spans.clear();
        let exact = scanned.fields.len() == record.len();
        if exact {
            spans.extend(
                scanned
                    .fields
                    .iter()
                    .map(|&(s, e)| Span::new(file, base + s, base + e)),
            );
        } else {
            spans.resize(record.len(), line);
        }
        let blank = record.iter().all(blank);
        let cells = record
            .iter()
            .zip(&spans)
            .map(|(value, &span)| cell(text, value, span, exact));
        rows.row(line, &spans, blank, cells, out);
    }
    rows.finish(out)
}

/// E0512: a row with too few or too many cells.
/// A cell's trimmed value. The cell as it stands in the file (not quoted, or quoted without
/// an escaped quote) is borrowed from the text; only the rest is copied. `exact`: the spans
/// are the cells' own (the scan found as many cells as the reader).
fn cell<'a>(text: &'a str, value: &[u8], span: Span, exact: bool) -> Cow<'a, str> {
    let in_text = &text[span.range()];
    if exact && in_text.as_bytes() == value {
        let trimmed = trim(in_text);
        return if trimmed.len() == in_text.len() {
            Cow::Borrowed(in_text)
        } else {
            Cow::Owned(trimmed.to_string())
        };
    }
    let value = String::from_utf8_lossy(value);
    let value = trim(&value);
    if in_text == value {
        Cow::Borrowed(in_text)
    } else {
        Cow::Owned(value.to_string())
    }
}

/// A cell holding nothing but whitespace.
fn blank(value: &[u8]) -> bool {
    match value.first() {
        None => true,
        Some(&c) if c.is_ascii() && !(c as char).is_whitespace() => false,
        _ => String::from_utf8_lossy(value).trim().is_empty(),
    }
}

fn row_length(found: usize, expected: usize, row: usize, line: Span, spans: &[Span]) -> Diagnostic {
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
    Diagnostic::error(Code::E0512, message)
        .primary(primary, label)
        .help("every row needs one cell per header column; quote cells that contain the delimiter")
}

/// The byte layout of one record, relative to the scanned text.
#[derive(Default)]
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
/// skipped here too. Fills `out` (reusing its buffer); returns `false` when nothing but
/// comments and blank lines remain.
fn scan_record(
    text: &str,
    start: usize,
    end: usize,
    delimiter: u8,
    out: &mut ScannedRecord,
) -> bool {
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
        return false;
    }
    let line_start = pos;
    out.fields.clear();
    out.unclosed_quote = None;
    loop {
        let field_start = pos;
        if pos < end && bytes[pos] == b'"' {
            pos += 1;
            loop {
                match bytes[pos.min(end)..end].iter().position(|&b| b == b'"') {
                    None => {
                        out.unclosed_quote = Some(field_start);
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
        out.fields.push(field_span(text, field_start, pos));
        if pos < end && bytes[pos] == delimiter {
            pos += 1;
        } else {
            break;
        }
    }
    out.line = (line_start, pos);
    true
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Everything a reader hands over, in order, as text.
    #[derive(Default)]
    struct Log(Vec<String>);

    impl<'a> Emit<'a> for Log {
        fn columns(&mut self, header: Vec<RawColumn>, line: Span) {
            self.0.push(format!("columns {header:?} {line:?}"));
        }

        fn diag(&mut self, d: Diagnostic) {
            self.0.push(format!("diag {d:?}"));
        }

        fn record(&mut self, raw: &mut RawRecord<'a>) {
            self.0.push(format!("record {raw:?}"));
        }
    }

    /// What the plain reader and the `csv` crate's reader hand over for `text`.
    fn both(text: &str, delimiter: u8) -> ((Vec<String>, bool), (Vec<String>, bool)) {
        let file = FileId(0);
        let mut plain = Log::default();
        let plain_header = produce_plain(text, file, delimiter, &mut plain);
        let mut quoted = Log::default();
        let quoted_header = produce_quoted(text, file, delimiter, &mut quoted);
        ((plain.0, plain_header), (quoted.0, quoted_header))
    }

    #[test]
    fn a_file_without_quotes_reads_alike_by_both_readers() {
        let text = "\u{feff}name , cores\r\n# a comment, with a delimiter\n\n web,4\r\n\u{a0}db\u{a0},\t\n \n,\rshort\nlong,1,2\r";
        let (plain, quoted) = both(text, b',');
        assert_eq!(plain, quoted);
        assert!(plain.1, "the header is found");
        let records = plain.0.iter().filter(|l| l.starts_with("record")).count();
        // ` \n` and `,\r` are blank rows, not records.
        assert_eq!(records, 4, "{:#?}", plain.0);
        let diags = plain.0.iter().filter(|l| l.starts_with("diag")).count();
        assert_eq!(diags, 2, "the short and the long row: {:#?}", plain.0);
        assert!(plain.0[0].contains("\"name\"") && plain.0[0].contains("\"cores\""));
    }

    #[test]
    fn the_plain_reader_takes_files_without_quotes() {
        // A quote anywhere sends the file to the `csv` crate, which unquotes the cell.
        let mut log = Log::default();
        assert!(produce("a\n\"x,y\"\n", FileId(0), b',', &mut log));
        assert!(log.0[1].contains("\"x,y\""), "{:#?}", log.0);
        // Without one, the plain reader splits what the crate would read as one cell.
        let mut log = Log::default();
        assert!(produce("a\nx,y\n", FileId(0), b',', &mut log));
        assert!(log.0.iter().any(|l| l.contains("E0512")), "{:#?}", log.0);
    }

    /// What [`read_plain_cells`] hands over for `text`, in the form [`Log`] gives the
    /// records (`None` when it does not take the file).
    fn plain_cells(text: &str, delimiter: u8) -> Option<(Vec<String>, Vec<Vec<String>>)> {
        let mut rows = Vec::new();
        let mut columns = Vec::new();
        let header = |cols: &[RawColumn], _: Span| {
            columns = cols.iter().map(|c| c.name.clone()).collect();
            Some(())
        };
        let took = read_plain_cells(text, FileId(0), delimiter, header, |_, cells| {
            rows.push(cells.iter().map(|c| c.to_string()).collect());
            true
        });
        took.then_some((columns, rows))
    }

    /// The same, from what [`produce`] hands over; `None` when it raises a diagnostic.
    fn produced_cells(text: &str, delimiter: u8) -> Option<(Vec<String>, Vec<Vec<String>>)> {
        struct Cells(Vec<String>, Vec<Vec<String>>, bool);
        impl<'a> Emit<'a> for Cells {
            fn columns(&mut self, header: Vec<RawColumn>, _: Span) {
                self.0 = header.into_iter().map(|c| c.name).collect();
            }
            fn diag(&mut self, _: Diagnostic) {
                self.2 = true;
            }
            fn record(&mut self, raw: &mut RawRecord<'a>) {
                let cells = raw.fields.iter().map(|f| match &f.value {
                    RawValue::Text(t) => t.to_string(),
                    other => format!("{other:?}"),
                });
                self.1.push(cells.collect());
            }
        }
        let mut out = Cells(Vec::new(), Vec::new(), false);
        let header = produce(text, FileId(0), delimiter, &mut out);
        (header && !out.2).then_some((out.0, out.1))
    }

    #[test]
    fn the_text_reading_takes_clean_files_without_quotes() {
        let text = "\u{feff}name , cores\r\n# a comment, with a delimiter\n\n web,4\r\n\u{a0}db\u{a0},\t\n \n,,,\rlast,1";
        let cells = plain_cells(text, b',');
        assert_eq!(cells, produced_cells(text, b','));
        let (columns, rows) = cells.expect("a clean file is taken");
        assert_eq!(columns, ["name", "cores"]);
        assert_eq!(rows, [["web", "4"], ["db", ""], ["last", "1"]]);
        // A quote, a short or a long row, or no header at all: the full reading says why.
        for text in ["a,b\n\"x\",1\n", "a,b\nx\n", "a,b\nx,1,2\n", "", "# only\n"] {
            assert_eq!(plain_cells(text, b','), None, "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn the_text_reading_hands_over_what_the_records_hold(
            text in "[ab1 ,\t\n\r#é\u{a0}\u{b}\"]{0,60}",
            bom in any::<bool>(),
        ) {
            let text = if bom { format!("\u{feff}{text}") } else { text };
            for delimiter in [b',', b'\t'] {
                let plain = plain_cells(&text, delimiter);
                let produced = produced_cells(&text, delimiter);
                if text.contains('"') {
                    prop_assert_eq!(plain, None, "{:?}", text);
                } else {
                    prop_assert_eq!(plain, produced, "{:?}", text);
                }
            }
        }

        #[test]
        fn files_without_quotes_read_alike_by_both_readers(
            text in "[ab1 ,\t\n\r#é\u{a0}\u{b}]{0,60}",
            bom in any::<bool>(),
        ) {
            let text = if bom { format!("\u{feff}{text}") } else { text };
            for delimiter in [b',', b'\t'] {
                let (plain, quoted) = both(&text, delimiter);
                prop_assert_eq!(plain, quoted, "{:?}", text);
            }
        }
    }
}
