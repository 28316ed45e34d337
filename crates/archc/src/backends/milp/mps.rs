//! Free-format MPS output of an instantiated model (`archc emit --mps`), for handing the
//! model to any solver.
//!
//! Layout: `NAME`, `OBJSENSE` (only for maximisation), `ROWS` (the objective as the first
//! `N` row), `COLUMNS` (column-major, integer columns between `MARKER INTORG/INTEND`
//! lines, two entries per line), `RHS` (the objective constant as the negated right-hand
//! side of the objective row, the usual convention), `RANGES` (two-sided rows, written as
//! `G` rows with range `hi - lo`), `BOUNDS`, `ENDATA`. A row with no finite side is
//! written as an extra `N` row. Integer columns always carry explicit bounds (`PL` for no
//! upper bound), because some readers give unbounded integer columns an upper bound of 1.
//!
//! The IR stores rows as CSR; the columns are found by a counting-sort transpose with `u32`
//! indices, done one block of about a million nonzeros at a time (one pass over the rows
//! per block), so that writing a model of 8M nonzeros holds 12 MB of transposed entries,
//! not 96 MB.

use super::names::NameTable;
use super::textbuf::TextBuf;
use crate::ir::{Model, Sense, VarKind};
use std::io::{self, Write};
use std::path::Path;

/// The constraint matrix in column-major order, one block of columns at a time: the column
/// counts are found once, and each block is filled by one pass over the rows, so that the
/// copy held at any moment is about [`BLOCK_NONZEROS`] entries, not the whole matrix.
struct ColMajor {
    /// Entries of column `j` are `start[j]..start[j+1]` (global positions).
    start: Vec<u32>,
    /// The columns of the block in `rows`/`vals`: `first..end`.
    first: usize,
    end: usize,
    /// Row indices and values of the block's entries; position `p` of the matrix is
    /// `p - start[first]` here.
    rows: Vec<u32>,
    vals: Vec<f64>,
}

/// About this many nonzeros are transposed at a time (12 bytes each).
const BLOCK_NONZEROS: usize = 1 << 20;

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

impl ColMajor {
    /// Count the entries of each column.
    fn new(model: &Model) -> io::Result<ColMajor> {
        let n = model.num_columns();
        let nnz = model.num_nonzeros();
        if nnz > u32::MAX as usize || model.num_rows() > u32::MAX as usize {
            return Err(invalid(format!(
                "model too large for MPS output ({nnz} nonzeros)"
            )));
        }
        if model.row_start.len() != model.num_rows() + 1 || model.row_vals.len() != nnz {
            return Err(invalid("malformed row storage in the model".into()));
        }
        let mut start = vec![0u32; n + 1];
        for c in &model.row_cols {
            let j = c.0 as usize;
            if j >= n {
                return Err(invalid(format!(
                    "a row refers to column {j}, but the model has {n} columns"
                )));
            }
            start[j + 1] += 1;
        }
        for j in 0..n {
            start[j + 1] += start[j];
        }
        Ok(ColMajor {
            start,
            first: 0,
            end: 0,
            rows: Vec::new(),
            vals: Vec::new(),
        })
    }

    /// Make column `j` available, transposing the block that starts at `j` if needed.
    /// Columns are asked for in increasing order.
    fn load(&mut self, model: &Model, j: usize) {
        if j < self.end {
            return;
        }
        let n = self.start.len() - 1;
        let base = self.start[j] as usize;
        let mut end = j + 1;
        while end < n && (self.start[end + 1] as usize) - base <= BLOCK_NONZEROS {
            end += 1;
        }
        let len = self.start[end] as usize - base;
        self.rows.clear();
        self.rows.resize(len, 0);
        self.vals.clear();
        self.vals.resize(len, 0.0);
        // Insertion cursor of each column of the block; rows stay in increasing order.
        let mut cursor: Vec<u32> = self.start[j..end]
            .iter()
            .map(|&s| s - base as u32)
            .collect();
        let (lo, hi) = (j as u32, end as u32);
        for i in 0..model.num_rows() {
            let range = model.row_start[i]..model.row_start[i + 1];
            for (c, &v) in model.row_cols[range.clone()]
                .iter()
                .zip(&model.row_vals[range])
            {
                if c.0 >= lo && c.0 < hi {
                    let slot = &mut cursor[(c.0 - lo) as usize];
                    let p = *slot as usize;
                    self.rows[p] = i as u32;
                    self.vals[p] = v;
                    *slot += 1;
                }
            }
        }
        self.first = j;
        self.end = end;
    }

    /// The entries of column `j` (after [`ColMajor::load`]): positions into `rows`/`vals`.
    fn range(&self, j: usize) -> std::ops::Range<usize> {
        let base = self.start[self.first] as usize;
        self.start[j] as usize - base..self.start[j + 1] as usize - base
    }
}

/// How a row is written: its type letter and right-hand side, and its range if two-sided.
fn row_shape(lo: f64, hi: f64) -> (&'static [u8], f64, Option<f64>) {
    let has_lo = lo > f64::NEG_INFINITY;
    let has_hi = hi < f64::INFINITY;
    match (has_lo, has_hi) {
        (true, true) if lo == hi => (b"E", lo, None),
        (true, true) => (b"G", lo, Some(hi - lo)),
        (true, false) => (b"G", lo, None),
        (false, true) => (b"L", hi, None),
        (false, false) => (b"N", 0.0, None),
    }
}

/// Bounds of a column as the solver sees them: binaries are integers within `[0, 1]`.
pub(crate) fn effective_bounds(kind: VarKind, lb: f64, ub: f64) -> (f64, f64) {
    match kind {
        VarKind::Binary => (lb.max(0.0), ub.min(1.0)),
        _ => (lb, ub),
    }
}

/// Write the model as free MPS.
pub fn write_mps(model: &Model, out: &mut impl Write) -> io::Result<()> {
    let names = NameTable::new(model);
    let mut cols = ColMajor::new(model)?;
    let (obj, constant) = model.objective_dense();
    let mut t = TextBuf::new(out);

    t.str("NAME          archc");
    t.newline()?;
    if matches!(&model.objective, Some(o) if o.sense == Sense::Maximize) {
        t.str("OBJSENSE");
        t.newline()?;
        t.str("    MAX");
        t.newline()?;
    }

    t.str("ROWS");
    t.newline()?;
    t.str(" N  ");
    t.bytes(names.objective());
    t.newline()?;
    for (i, r) in model.rows.iter().enumerate() {
        let (kind, _, _) = row_shape(r.lo, r.hi);
        t.byte(b' ');
        t.bytes(kind);
        t.str("  ");
        names.write_row(i, t.bytes_mut());
        t.newline()?;
    }

    t.str("COLUMNS");
    t.newline()?;
    let mut col_name = Vec::with_capacity(128);
    let mut in_int = false;
    let obj_name = names.objective();
    for (j, c) in model.columns.iter().enumerate() {
        let is_int = c.kind != VarKind::Continuous;
        if is_int != in_int {
            t.str(if is_int { MARKER_INTORG } else { MARKER_INTEND });
            t.newline()?;
            in_int = is_int;
        }
        col_name.clear();
        names.write_col(j, &mut col_name);
        cols.load(model, j);
        let std::ops::Range { start: a, end: b } = cols.range(j);
        let mut k = a;
        // The objective entry first; an entry-free column still needs one line.
        if obj[j] != 0.0 || a == b {
            let more = (k < b).then(|| (Field::Row(cols.rows[k] as usize), cols.vals[k]));
            k += usize::from(k < b);
            let first = (Field::Lit(obj_name), obj[j]);
            data_line(&mut t, &names, "    ", Field::Lit(&col_name), first, more)?;
        }
        while k < b {
            let first = (Field::Row(cols.rows[k] as usize), cols.vals[k]);
            k += 1;
            let more = (k < b).then(|| (Field::Row(cols.rows[k] as usize), cols.vals[k]));
            k += usize::from(k < b);
            data_line(&mut t, &names, "    ", Field::Lit(&col_name), first, more)?;
        }
    }
    if in_int {
        t.str(MARKER_INTEND);
        t.newline()?;
    }
    drop(cols);

    t.str("RHS");
    t.newline()?;
    if constant != 0.0 {
        let entry = (Field::Lit(obj_name), -constant);
        data_line(&mut t, &names, "    ", Field::Lit(b"RHS"), entry, None)?;
    }
    let mut any_range = false;
    for (i, r) in model.rows.iter().enumerate() {
        let (_, rhs, range) = row_shape(r.lo, r.hi);
        any_range |= range.is_some();
        if rhs != 0.0 {
            let entry = (Field::Row(i), rhs);
            data_line(&mut t, &names, "    ", Field::Lit(b"RHS"), entry, None)?;
        }
    }

    if any_range {
        t.str("RANGES");
        t.newline()?;
        for (i, r) in model.rows.iter().enumerate() {
            if let (_, _, Some(range)) = row_shape(r.lo, r.hi) {
                let entry = (Field::Row(i), range);
                data_line(&mut t, &names, "    ", Field::Lit(b"RNG"), entry, None)?;
            }
        }
    }

    t.str("BOUNDS");
    t.newline()?;
    for (j, c) in model.columns.iter().enumerate() {
        let is_int = c.kind != VarKind::Continuous;
        let (lb, ub) = effective_bounds(c.kind, c.lb, c.ub);
        let bound = |t: &mut TextBuf<_>, kind: &str, value: Option<f64>| -> io::Result<()> {
            bound_line(t, &names, kind, j, value)
        };
        if c.kind == VarKind::Binary && lb == 0.0 && ub == 1.0 {
            bound(&mut t, "BV", None)?;
        } else if lb == ub {
            bound(&mut t, "FX", Some(lb))?;
        } else if lb == f64::NEG_INFINITY && ub == f64::INFINITY {
            bound(&mut t, "FR", None)?;
        } else {
            if lb == f64::NEG_INFINITY {
                bound(&mut t, "MI", None)?;
            } else if lb != 0.0 || ub < 0.0 {
                bound(&mut t, "LO", Some(lb))?;
            }
            if ub < f64::INFINITY {
                bound(&mut t, "UP", Some(ub))?;
            } else if is_int {
                bound(&mut t, "PL", None)?;
            }
        }
    }
    t.str("ENDATA");
    t.newline()?;
    t.finish()
}

/// Integer markers, with `'MARKER'` in columns 15-22 and the keyword in 40-47 as fixed MPS
/// places them (free-format readers split on spaces either way).
const MARKER_INTORG: &str = "    MARKER    'MARKER'                 'INTORG'";
const MARKER_INTEND: &str = "    MARKER    'MARKER'                 'INTEND'";

/// A name in a data line.
enum Field<'a> {
    Lit(&'a [u8]),
    Row(usize),
    Col(usize),
}

/// Append a name; returns its length.
#[inline(always)]
fn put<W: Write>(t: &mut TextBuf<W>, names: &NameTable, f: Field) -> usize {
    let start = t.len();
    match f {
        Field::Lit(b) => t.bytes(b),
        Field::Row(i) => names.write_row(i, t.bytes_mut()),
        Field::Col(j) => names.write_col(j, t.bytes_mut()),
    }
    t.len() - start
}

/// One data line: `prefix` (four characters, e.g. `" UP "`), a name, then one or two
/// (name, number) entries.
///
/// Fields go in the columns of fixed MPS (names in 5-12, 15-22 and 40-47, numbers in 25-36
/// and from 50) while every field so far fits its columns: some readers (CoinMpsIO, used
/// by CBC) read a name of up to eight characters that starts in column 5, 15 or 40 as
/// exactly eight characters. From the first field that does not fit (a longer name, or a
/// number longer than twelve characters such as `0.30000000000000004`) the line goes on in
/// free format, one space between fields, so that no two fields ever touch; a short name
/// that lands in column 5, 15 or 40 even so is padded to eight characters, so that a reader
/// that takes it positionally takes nothing else with it.
#[inline]
fn data_line<W: Write>(
    t: &mut TextBuf<W>,
    names: &NameTable,
    prefix: &str,
    name: Field,
    first: (Field, f64),
    more: Option<(Field, f64)>,
) -> io::Result<()> {
    let line = t.len();
    t.str(prefix);
    let mut fixed = name_field(t, names, line, name) <= 8;
    gap(t, line, fixed, 14);
    fixed &= name_field(t, names, line, first.0) <= 8;
    gap(t, line, fixed, 24);
    let start = t.len();
    t.num(first.1);
    if let Some((f, v)) = more {
        fixed &= t.len() - start <= 12;
        gap(t, line, fixed, 39);
        fixed &= name_field(t, names, line, f) <= 8;
        gap(t, line, fixed, 49);
        t.num(v);
    }
    t.newline()
}

/// Offsets (from the line start) where fixed MPS puts the names of a data line.
const NAME_OFFSETS: [usize; 3] = [4, 14, 39];

/// Append a name field of a data line that starts at `line`; returns the name's length.
/// A name of at most eight characters that starts where fixed MPS puts a name is padded to
/// eight characters.
#[inline(always)]
fn name_field<W: Write>(t: &mut TextBuf<W>, names: &NameTable, line: usize, f: Field) -> usize {
    let start = t.len();
    let n = put(t, names, f);
    if n <= 8 && NAME_OFFSETS.contains(&(start - line)) {
        t.pad_to(start, 8);
    }
    n
}

/// The space after a field: up to the next fixed column (`to`, from the line start) while
/// the line is in fixed format, one space otherwise.
#[inline(always)]
fn gap<W: Write>(t: &mut TextBuf<W>, line: usize, fixed: bool, to: usize) {
    if fixed && t.len() < line + to {
        t.pad_to(line, to);
    } else {
        t.byte(b' ');
    }
}

/// One line of the BOUNDS section, in the columns of fixed MPS when the name fits.
fn bound_line<W: Write>(
    t: &mut TextBuf<W>,
    names: &NameTable,
    kind: &str,
    j: usize,
    value: Option<f64>,
) -> io::Result<()> {
    t.byte(b' ');
    t.str(kind);
    t.str(" BND ");
    let start = t.len();
    let n = put(t, names, Field::Col(j));
    if n <= 8 {
        // Column 15, where fixed MPS wants the name.
        t.bytes_mut().splice(start..start, [b' '; 6]);
    }
    let start = start + if n <= 8 { 6 } else { 0 };
    if let Some(v) = value {
        if n <= 8 {
            t.pad_to(start, 10);
        } else {
            t.byte(b' ');
        }
        t.num(v);
    }
    t.newline()
}

/// Write the model as free MPS to a file (created or truncated in place: callers that must
/// not leave a partial file write through a temporary file, as the CLI does). The text is
/// formatted on this thread and handed in blocks of about a megabyte to a second thread that
/// writes them, so that the copy into the operating system's page cache overlaps the
/// formatting.
pub fn write_mps_to_path(model: &Model, path: &Path) -> io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    write_mps_pipelined(model, &mut file)
}

/// [`write_mps`] with the formatting on this thread and the writes to `out` on a second one,
/// in blocks of about a megabyte (what `archc emit --mps` and [`write_mps_to_path`] use).
pub fn write_mps_pipelined<W: Write + Send + ?Sized>(model: &Model, out: &mut W) -> io::Result<()> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let (back, spare) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::scope(|s| {
        let writer = s.spawn(move || -> io::Result<()> {
            for block in rx {
                out.write_all(&block)?;
                // The buffer goes back for reuse; nobody left to take it is fine.
                let _ = back.send(block);
            }
            out.flush()
        });
        let formatted = write_mps(model, &mut Pipe { tx, spare });
        // `write_mps` consumed the pipe: the writer sees the end and finishes.
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the MPS writer thread panicked")));
        // The writer's own error explains a closed pipe better than the pipe does.
        written.and(formatted)
    })
}

/// The sending end of [`write_mps_to_path`]'s writer thread: each `write` copies the block
/// into a buffer (a returned one when available) and queues it.
struct Pipe {
    tx: std::sync::mpsc::SyncSender<Vec<u8>>,
    spare: std::sync::mpsc::Receiver<Vec<u8>>,
}

impl Write for Pipe {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let mut block = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(b.len()));
        block.clear();
        block.extend_from_slice(b);
        self.tx
            .send(block)
            .map_err(|_| io::Error::other("the MPS writer thread stopped"))?;
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
