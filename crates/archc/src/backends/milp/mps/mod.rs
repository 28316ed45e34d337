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
//! indices, done one block of about half a million nonzeros at a time, so that writing a
//! model of 8M nonzeros holds 12 MB of transposed entries (the block being written and the
//! next, which the parallel writer transposes meanwhile on a thread of its own), not 96 MB.
//! When every row lists its columns in increasing order (as instantiation writes them), a
//! block reads each row from where the block before stopped (a cursor per row), so the
//! blocks together read each entry once; otherwise each block reads all entries. The
//! objective's coefficients are summed per block too, not held for every column: from a
//! cursor per term when each term lists its columns in increasing order, by a pass over all
//! terms otherwise.
//!
//! [`write_mps_pipelined`] and [`write_mps_to_path`] format the sections in pieces (about
//! 32K lines, or 32K nonzeros of a loaded block) on worker threads, the calling thread
//! among them, which writes the pieces in order: the same bytes as [`write_mps`], which
//! formats everything on the calling thread. Each piece carries its own state (the integer
//! marker is decided from the column before the piece), so the text does not depend on
//! where the pieces end.

mod transpose;

use super::names::{NameTable, RowNameCache, JOIN_AT};
use super::textbuf::TextBuf;
use crate::ir::{Model, Sense, VarKind};
use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;
use transpose::{Block, ColMajor, BLOCK_NONZEROS};

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

/// Write the model as free MPS, formatted on this thread (the reference text: the parallel
/// writer [`write_mps_pipelined`] writes exactly the same bytes).
pub fn write_mps(model: &Model, out: &mut impl Write) -> io::Result<()> {
    write_sections(model, out, Exec::Sequential, BLOCK_NONZEROS)
}

/// How the sections are formatted: all on the calling thread, or in pieces of about
/// `piece` nonzeros (or lines) on worker threads, written in order.
#[derive(Clone, Copy)]
enum Exec {
    Sequential,
    Parallel { piece: usize },
}

/// Nonzeros (or lines, in the other sections) of a piece formatted by one task: about 1 MB
/// of text, so that the pieces in flight hold a few megabytes.
const PIECE: usize = 1 << 15;

/// What every section's formatting reads: the model and its names.
struct Ctx<'m> {
    model: &'m Model,
    names: NameTable<'m>,
}

fn write_sections(model: &Model, out: &mut impl Write, exec: Exec, block: usize) -> io::Result<()> {
    let (names, cols) = match exec {
        // The names and the column counts are each one pass over the model: side by side
        // for a large model.
        Exec::Parallel { .. } if model.num_columns() + model.num_rows() >= JOIN_AT => {
            rayon::join(|| NameTable::new(model), || ColMajor::new(model, block))
        }
        _ => (NameTable::new(model), ColMajor::new(model, block)),
    };
    let (cols, mut cursors) = cols?;
    // Summed as `Model::objective_dense` sums it; the coefficients come with each block.
    let constant = (model.objective.iter().flat_map(|o| &o.terms)).fold(0.0, |k, t| k + t.constant);
    let cx = Ctx { model, names };
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
    t.bytes(cx.names.objective());
    t.newline()?;
    let rows = model.num_rows();
    by_lines(&mut t, &cx, exec, Section::Rows, rows)?;

    t.str("COLUMNS");
    t.newline()?;
    let n = model.num_columns();
    // While the workers format one block, the next is transposed on a thread of its own:
    // two blocks are held.
    let (mut block, mut next) = (Block::default(), Block::default());
    if n > 0 {
        cols.load(model, 0, &mut cursors, &mut block);
    }
    while block.first < block.end {
        let section = Section::Columns(&cols, &block);
        let after = block.end;
        match exec {
            Exec::Sequential => {
                cx.lines(section, &mut t, block.first..block.end)?;
                if after < n {
                    cols.load(model, after, &mut cursors, &mut next);
                }
            }
            Exec::Parallel { piece } => {
                let pieces = cols.pieces(block.first..block.end, piece);
                std::thread::scope(|scope| {
                    let loading = (after < n).then(|| {
                        let (cols, cursors, next) = (&cols, &mut cursors, &mut next);
                        scope.spawn(move || cols.load(model, after, cursors, next))
                    });
                    let written = in_order(&mut t, &cx, section, &pieces);
                    if let Some(Err(panic)) = loading.map(|h| h.join()) {
                        std::panic::resume_unwind(panic);
                    }
                    written
                })?;
            }
        }
        if after >= n {
            break;
        }
        std::mem::swap(&mut block, &mut next);
    }
    if model
        .columns
        .last()
        .is_some_and(|c| c.kind != VarKind::Continuous)
    {
        t.str(MARKER_INTEND);
        t.newline()?;
    }
    drop((block, next));

    t.str("RHS");
    t.newline()?;
    if constant != 0.0 {
        let entry = (Field::Lit(cx.names.objective()), -constant);
        let names = &mut Names::new(&cx.names);
        data_line(&mut t, names, "    ", Field::Lit(b"RHS"), entry, None)?;
    }
    by_lines(&mut t, &cx, exec, Section::Rhs, rows)?;

    let ranged = |r: &crate::ir::Row| row_shape(r.lo, r.hi).2.is_some();
    if model.rows.iter().any(ranged) {
        t.str("RANGES");
        t.newline()?;
        by_lines(&mut t, &cx, exec, Section::Ranges, rows)?;
    }

    t.str("BOUNDS");
    t.newline()?;
    by_lines(&mut t, &cx, exec, Section::Bounds, n)?;
    t.str("ENDATA");
    t.newline()?;
    t.finish()
}

/// The sections formatted in pieces.
#[derive(Clone, Copy)]
enum Section<'c> {
    Rows,
    /// The columns of a transposed block.
    Columns(&'c ColMajor, &'c Block),
    Rhs,
    Ranges,
    Bounds,
}

impl Ctx<'_> {
    /// The lines of `section` for rows or columns `range`.
    fn lines<W: Write>(
        &self,
        section: Section<'_>,
        t: &mut TextBuf<W>,
        range: Range<usize>,
    ) -> io::Result<()> {
        match section {
            Section::Rows => rows_lines(t, self, range),
            Section::Columns(cols, block) => columns_lines(t, self, cols, block, range),
            Section::Rhs => rhs_lines(t, self, range),
            Section::Ranges => ranges_lines(t, self, range),
            Section::Bounds => bounds_lines(t, self, range),
        }
    }
}

/// Format `section` for `0..n`: at once when sequential, in pieces of `piece` lines
/// otherwise.
fn by_lines<W: Write>(
    t: &mut TextBuf<W>,
    cx: &Ctx<'_>,
    exec: Exec,
    section: Section<'_>,
    n: usize,
) -> io::Result<()> {
    match exec {
        Exec::Sequential => cx.lines(section, t, 0..n),
        Exec::Parallel { piece } => {
            let pieces = crate::in_order::chunks(0..n, piece);
            in_order(t, cx, section, &pieces)
        }
    }
}

/// A piece of a section formatted on a worker: its text, or why it could not be made.
#[derive(Default)]
struct Piece {
    text: Vec<u8>,
    error: Option<io::Error>,
}

/// Format the `pieces` of `section` on worker threads (as many as the rayon pool has, this
/// one among them), each into a buffer of its own, and write the buffers to `t` in the
/// pieces' order on this thread ([`crate::in_order::in_order`]: a few pieces' text is held
/// at any time).
fn in_order<W: Write>(
    t: &mut TextBuf<W>,
    cx: &Ctx<'_>,
    section: Section<'_>,
    pieces: &[Range<usize>],
) -> io::Result<()> {
    let make = || {
        let mut sink = io::sink();
        move |r: Range<usize>, out: &mut Piece| {
            let mut piece = TextBuf::unflushed(&mut sink, std::mem::take(&mut out.text));
            match cx.lines(section, &mut piece, r) {
                Ok(()) => out.text = piece.into_text(),
                Err(e) => out.error = Some(e),
            }
        }
    };
    let mut written = Ok(());
    let workers = rayon::current_num_threads();
    crate::in_order::in_order(workers, 1, pieces, make, |_, out: &mut Piece| {
        written = match out.error.take() {
            Some(e) => Err(e),
            None => t.write_through(&out.text),
        };
        written.is_ok()
    });
    written
}

/// The `ROWS` lines of rows `range`.
fn rows_lines<W: Write>(t: &mut TextBuf<W>, cx: &Ctx<'_>, range: Range<usize>) -> io::Result<()> {
    for i in range {
        let r = &cx.model.rows[i];
        let (kind, _, _) = row_shape(r.lo, r.hi);
        t.byte(b' ');
        t.bytes(kind);
        t.str("  ");
        cx.names.write_row(i, t.bytes_mut());
        t.newline()?;
    }
    Ok(())
}

/// The `COLUMNS` lines of columns `range` (loaded in `cols`), with the integer markers
/// where the kind changes from the column before (the closing marker after the last column
/// is the caller's).
fn columns_lines<W: Write>(
    t: &mut TextBuf<W>,
    cx: &Ctx<'_>,
    cols: &ColMajor,
    block: &Block,
    range: Range<usize>,
) -> io::Result<()> {
    let model = cx.model;
    let names = &mut Names::new(&cx.names);
    let is_int = |j: usize| model.columns[j].kind != VarKind::Continuous;
    let mut in_int = range.start > 0 && is_int(range.start - 1);
    let mut col_name = Vec::with_capacity(128);
    let obj_name = cx.names.objective();
    for j in range {
        if is_int(j) != in_int {
            in_int = is_int(j);
            t.str(if in_int { MARKER_INTORG } else { MARKER_INTEND });
            t.newline()?;
        }
        col_name.clear();
        cx.names.write_col(j, &mut col_name);
        let Range { start: a, end: b } = cols.range(block, j);
        let mut k = a;
        // The objective entry first; an entry-free column still needs one line.
        let obj = block.obj[j - block.first];
        if obj != 0.0 || a == b {
            let more = (k < b).then(|| (Field::Row(block.rows[k] as usize), block.vals[k]));
            k += usize::from(k < b);
            let first = (Field::Lit(obj_name), obj);
            data_line(t, names, "    ", Field::Lit(&col_name), first, more)?;
        }
        while k < b {
            let first = (Field::Row(block.rows[k] as usize), block.vals[k]);
            k += 1;
            let more = (k < b).then(|| (Field::Row(block.rows[k] as usize), block.vals[k]));
            k += usize::from(k < b);
            data_line(t, names, "    ", Field::Lit(&col_name), first, more)?;
        }
    }
    Ok(())
}

/// The `RHS` lines of rows `range` (the objective's constant is the caller's).
fn rhs_lines<W: Write>(t: &mut TextBuf<W>, cx: &Ctx<'_>, range: Range<usize>) -> io::Result<()> {
    let names = &mut Names::new(&cx.names);
    for i in range {
        let r = &cx.model.rows[i];
        let (_, rhs, _) = row_shape(r.lo, r.hi);
        if rhs != 0.0 {
            let entry = (Field::Row(i), rhs);
            data_line(t, names, "    ", Field::Lit(b"RHS"), entry, None)?;
        }
    }
    Ok(())
}

/// The `RANGES` lines of rows `range`.
fn ranges_lines<W: Write>(t: &mut TextBuf<W>, cx: &Ctx<'_>, range: Range<usize>) -> io::Result<()> {
    let names = &mut Names::new(&cx.names);
    for i in range {
        let r = &cx.model.rows[i];
        if let (_, _, Some(range)) = row_shape(r.lo, r.hi) {
            let entry = (Field::Row(i), range);
            data_line(t, names, "    ", Field::Lit(b"RNG"), entry, None)?;
        }
    }
    Ok(())
}

/// The `BOUNDS` lines of columns `range`.
fn bounds_lines<W: Write>(t: &mut TextBuf<W>, cx: &Ctx<'_>, range: Range<usize>) -> io::Result<()> {
    let names = &cx.names;
    for j in range {
        let c = &cx.model.columns[j];
        let is_int = c.kind != VarKind::Continuous;
        let (lb, ub) = effective_bounds(c.kind, c.lb, c.ub);
        let bound = |t: &mut TextBuf<_>, kind: &str, value: Option<f64>| -> io::Result<()> {
            bound_line(t, names, kind, j, value)
        };
        if c.kind == VarKind::Binary && lb == 0.0 && ub == 1.0 {
            bound(t, "BV", None)?;
        } else if lb == ub {
            bound(t, "FX", Some(lb))?;
        } else if lb == f64::NEG_INFINITY && ub == f64::INFINITY {
            bound(t, "FR", None)?;
        } else {
            if lb == f64::NEG_INFINITY {
                bound(t, "MI", None)?;
            } else if lb != 0.0 || ub < 0.0 {
                bound(t, "LO", Some(lb))?;
            }
            if ub < f64::INFINITY {
                bound(t, "UP", Some(ub))?;
            } else if is_int {
                bound(t, "PL", None)?;
            }
        }
    }
    Ok(())
}

/// Integer markers, with `'MARKER'` in columns 15-22 and the keyword in 40-47 as fixed MPS
/// places them (free-format readers split on spaces either way).
const MARKER_INTORG: &str = "    MARKER    'MARKER'                 'INTORG'";
const MARKER_INTEND: &str = "    MARKER    'MARKER'                 'INTEND'";

/// The names a piece of a section writes: the table, and the row names written lately.
struct Names<'n> {
    table: &'n NameTable<'n>,
    rows: RowNameCache,
}

impl<'n> Names<'n> {
    fn new(table: &'n NameTable<'n>) -> Self {
        Names {
            table,
            rows: RowNameCache::new(),
        }
    }
}

/// A name in a data line.
enum Field<'a> {
    Lit(&'a [u8]),
    Row(usize),
}

/// Append a name; returns its length.
#[inline(always)]
fn put<W: Write>(t: &mut TextBuf<W>, names: &mut Names, f: Field) -> usize {
    let start = t.len();
    let Names { table: names, rows } = names;
    match f {
        Field::Lit(b) => t.bytes(b),
        Field::Row(i) => rows.write_row(names, i, t.bytes_mut()),
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
    names: &mut Names,
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
fn name_field<W: Write>(t: &mut TextBuf<W>, names: &mut Names, line: usize, f: Field) -> usize {
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
    names.write_col(j, t.bytes_mut());
    let n = t.len() - start;
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
/// not leave a partial file write through a temporary file, as the CLI does), with
/// [`write_mps_pipelined`].
pub fn write_mps_to_path(model: &Model, path: &Path) -> io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    write_mps_pipelined(model, &mut file)
}

/// [`write_mps`] with the sections formatted in pieces on worker threads while this thread
/// writes the finished pieces to `out`, in order (what `archc emit --mps` and
/// [`write_mps_to_path`] use): the same bytes.
pub fn write_mps_pipelined<W: Write + Send + ?Sized>(model: &Model, out: &mut W) -> io::Result<()> {
    let mut out = out;
    write_sections(
        model,
        &mut out,
        Exec::Parallel { piece: PIECE },
        BLOCK_NONZEROS,
    )
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalyzeOptions;
    use crate::driver::analyze;
    use crate::instantiate::tests_compiled::model_corpus;

    /// The model of file `f`, when it checks without errors and instantiates.
    fn model_of(f: &std::path::Path) -> Option<Model> {
        let mut a = analyze(f, &AnalyzeOptions::default());
        let (Some(schema), Some(hir)) = (a.schema.take(), a.hir.take()) else {
            return None;
        };
        if a.has_errors() {
            return None;
        }
        let (inst, _) = crate::instantiate::instantiate(
            &schema,
            &hir,
            &mut a.sources,
            Default::default(),
            false,
        );
        inst.map(|i| i.model)
    }

    fn text(model: &Model, exec: Exec) -> Vec<u8> {
        text_in_blocks(model, exec, BLOCK_NONZEROS)
    }

    fn text_in_blocks(model: &Model, exec: Exec, block: usize) -> Vec<u8> {
        let mut out = Vec::new();
        write_sections(model, &mut out, exec, block).unwrap();
        out
    }

    /// The model with each row's entries, and each objective term's, in the opposite order
    /// (decreasing columns when they were increasing): the same matrix and objective.
    fn rows_reversed(m: &Model) -> Model {
        let mut r = m.clone();
        for w in m.row_start.windows(2) {
            r.row_cols[w[0]..w[1]].reverse();
            r.row_vals[w[0]..w[1]].reverse();
        }
        for t in r.objective.iter_mut().flat_map(|o| &mut o.terms) {
            t.coefs.reverse();
        }
        r
    }

    /// Every example, stdlib model and test fixture (integer markers, ranges, free rows, fixed and free
    /// columns, objective constants) gives the same MPS text formatted at once and in
    /// pieces of one, two and three lines or nonzeros, so that no piece boundary changes a
    /// byte.
    #[test]
    fn pieces_give_the_text_formatted_at_once() {
        let mut compared = 0;
        let mut switches = [false, false];
        // Some model is transposed from row cursors and has a row of two entries or more,
        // which reversing makes decreasing (and the transposition a pass over all rows).
        let mut increasing = false;
        // Likewise for the objective: cursors, and a term of two coefficients or more.
        let mut objective_increasing = false;
        for f in &model_corpus() {
            let Some(m) = model_of(f) else { continue };
            let m = &m;
            let whole = text(m, Exec::Sequential);
            for piece in [1, 2, 3, PIECE] {
                let pieces = text(m, Exec::Parallel { piece });
                assert!(
                    pieces == whole,
                    "{}: pieces of {piece} give other text",
                    f.display()
                );
            }
            // Transposed in blocks of a few entries: from each row's cursor when the rows
            // list their columns in increasing order, by passes over all entries otherwise.
            // (Blocks of one entry only on small models: each block is a pass over the
            // rows, so the cost is quadratic.)
            let reversed = rows_reversed(m);
            let nnz = m.num_nonzeros();
            for block in [1, 2, 5, nnz / 8 + 1] {
                if nnz / block > 1000 {
                    continue;
                }
                for (model, rows) in [(m, "increasing"), (&reversed, "reversed")] {
                    assert!(
                        text_in_blocks(model, Exec::Sequential, block) == whole,
                        "{}: blocks of {block} entries, rows {rows}, give other text",
                        f.display()
                    );
                    // Each next block transposed while the one before is formatted.
                    assert!(
                        text_in_blocks(model, Exec::Parallel { piece: 2 }, block) == whole,
                        "{}: blocks of {block} entries in pieces, rows {rows}, give other text",
                        f.display()
                    );
                }
            }
            // The cursors were taken (the entries are in increasing order) where reversing
            // changes the order.
            let (_, cursors) = ColMajor::new(m, 1).unwrap();
            let mut terms = m.objective.iter().flat_map(|o| &o.terms);
            increasing |= cursors.rows.is_some() && m.row_start.windows(2).any(|w| w[1] - w[0] > 1);
            objective_increasing |= cursors.obj.is_some() && terms.any(|t| t.coefs.len() > 1);
            let int = |c: &crate::ir::Column| c.kind != VarKind::Continuous;
            for w in m.columns.windows(2) {
                switches[usize::from(int(&w[0]))] |= int(&w[0]) != int(&w[1]);
            }
            compared += 1;
        }
        assert!(compared > 20, "compared only {compared} models");
        assert!(
            increasing,
            "no row of two entries or more read from row cursors"
        );
        assert!(
            objective_increasing,
            "no objective term of two coefficients or more read from cursors"
        );
        // Markers open and close inside the COLUMNS section somewhere in the corpus.
        assert_eq!(
            switches,
            [true, true],
            "[continuous -> integer, integer -> continuous]"
        );
    }

    /// Takes `left` bytes, then fails.
    struct FailAfter {
        left: usize,
    }

    impl Write for FailAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::Error::other("disk full"));
            }
            let n = buf.len().min(self.left);
            self.left -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A write that fails in any section, in the middle of the blocks of `COLUMNS` too,
    /// gives its error back from the parallel writer: the workers and the thread loading
    /// the blocks stop instead of waiting for each other.
    #[test]
    fn a_failed_write_stops_the_pieces_and_the_blocks() {
        let corpus = model_corpus();
        let f = corpus
            .iter()
            .find(|f| f.ends_with("examples/placement/global.arch"))
            .expect("the placement example is in the corpus");
        let m = &model_of(f).expect("the example instantiates");
        let whole = text(m, Exec::Sequential);
        let columns = whole.windows(8).position(|w| w == b"COLUMNS\n").unwrap();
        let rhs = whole.windows(4).position(|w| w == b"RHS\n").unwrap();
        assert!(
            rhs - columns > 200,
            "a COLUMNS section of a few lines at least"
        );
        for left in [
            0,
            10,
            columns + 30,
            (columns + rhs) / 2,
            rhs - 5,
            whole.len() - 3,
        ] {
            // Blocks of 3 entries, pieces of 2: many blocks, each of several pieces.
            let mut out = FailAfter { left };
            let err = write_sections(m, &mut out, Exec::Parallel { piece: 2 }, 3)
                .expect_err("the write fails");
            assert_eq!(err.to_string(), "disk full", "failed after {left} bytes");
        }
    }
}
