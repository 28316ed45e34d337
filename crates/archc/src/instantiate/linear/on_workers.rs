//! Large constraints and sums made on worker threads, with the same result as made here.
//!
//! - Rows: a constraint's index tuples (a product of named sets, or listed from a filtered
//!   index) are cut into chunks; each worker runs the compiled sides of its chunks' tuples
//!   (reading only the data world and the decisions' columns) into a buffer of its own, and
//!   the calling thread (itself one of the workers) appends the buffers to the model in the
//!   tuples' order. The model is exactly the one made row by row (same rows, terms,
//!   bounds, origins and tuples, in the same order): each row's numbers come from the same
//!   code (`run_side`, `normalize`, `row_bounds`), and a tuple that needs more than the
//!   compiled code (a run that bails out, a row without decisions that can never hold, a
//!   row past the limits) stops the chunks there and is made, with every tuple after it, by
//!   the row-by-row path, which reports what it finds.
//! - Sums: a compiled `sum` over millions of terms (an objective) is cut by the positions of
//!   its first index variable; the workers' terms are appended in order, so the terms are
//!   those of one run, in its order. Only sums that add no constant are cut (a constant
//!   summed in pieces could round differently); a chunk that bails out makes the whole run
//!   bail out, and the evaluator takes it, as it takes a run that bails out here.

use super::bigm::{never_holds, row_bounds};
use super::compiled::{run_side, run_sum_part, Code, CompiledLin, Slot};
use super::compiled_rows::{Cursor, Tuples};
use super::Lin;
use crate::in_order::{chunks, in_order};
use crate::instantiate::world::{ElemId, World};
use crate::instantiate::{DecisionCols, Inst, Limits};
use crate::ir::{DeclId, Model, Origin, Row};
use std::ops::Range;

/// When a constraint's rows or a sum's terms are made on worker threads, and in what
/// chunks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parallel {
    /// Worker threads; `None`: as many as the machine has cores. Fewer than two: never.
    pub(crate) workers: Option<usize>,
    /// Only when the rows still to make hold about this many terms or more (estimated from
    /// the constraint's first row), or a sum runs its body this many times or more: below
    /// it, starting threads costs more than it saves.
    pub(crate) min_terms: usize,
    /// About this many terms per chunk: a chunk's buffers take about 25 bytes per term,
    /// and each worker holds up to three chunks.
    pub(crate) chunk_terms: usize,
}

impl Parallel {
    /// The worker threads to start: as set, or one per core.
    fn worker_count(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
    }
}

impl Default for Parallel {
    fn default() -> Self {
        Parallel {
            workers: None,
            min_terms: 1 << 17,
            chunk_terms: 1 << 12,
        }
    }
}

/// Room ahead of the appending, per worker ([`in_order`] holds up to `workers * (AHEAD +
/// 1)` chunks made and not yet appended): appending (into fresh model memory) is slow at
/// moments, and the workers go on meanwhile. A chunk's buffers take about 100 kB
/// ([`Parallel::chunk_terms`] terms).
const AHEAD: usize = 8;

/// A constraint's rows as compiled code: `lo <= left - right <= hi`, divided by `scale`.
pub(super) struct RowCode<'s> {
    pub(super) left: &'s CompiledLin,
    pub(super) right: &'s CompiledLin,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) scale: f64,
}

/// The rows of one chunk of tuples, made on a worker.
#[derive(Default)]
struct Chunk {
    /// One entry per tuple made, in order: the row's bounds and the end of its terms in
    /// `cols`/`vals`, or `None` when the row has no decisions and holds (no row).
    rows: Vec<Option<(f64, f64, u32)>>,
    cols: Vec<u32>,
    vals: Vec<f64>,
    /// The elements of each tuple made, `arity` each (one per index variable).
    elems: Vec<ElemId>,
    arity: usize,
    /// The chunk stopped before its end: its next tuple is for the row-by-row path.
    stopped: bool,
}

impl Chunk {
    fn clear(&mut self) {
        self.rows.clear();
        self.cols.clear();
        self.vals.clear();
        self.elems.clear();
        self.stopped = false;
    }
}

/// A worker's reused buffers.
#[derive(Default)]
struct Scratch {
    tuple: Vec<Slot>,
    slots: Vec<Slot>,
    lin: Lin,
}

impl Inst<'_> {
    /// Worker threads and tuples per chunk for making `remaining` rows of about
    /// `first_terms` terms each on workers; `None` when they are made here.
    pub(super) fn parallel_plan(
        &self,
        remaining: usize,
        first_terms: usize,
    ) -> Option<(usize, usize)> {
        let p = self.lin_cache.parallel;
        let per_row = first_terms + 1;
        if remaining < 2 || remaining.saturating_mul(per_row) < p.min_terms {
            return None;
        }
        let workers = p.worker_count();
        if workers < 2 {
            return None;
        }
        Some((workers, (p.chunk_terms / per_row).clamp(1, remaining)))
    }

    /// Make the rows of tuples `range` of `tuples` on `workers` threads, in
    /// chunks of `chunk` tuples, appending them to the model in order. Returns the first
    /// tuple not made (`range.end` when all were), from which the row-by-row path goes on.
    pub(super) fn rows_on_workers(
        &mut self,
        decl: DeclId,
        code: &RowCode<'_>,
        tuples: &Tuples,
        range: Range<usize>,
        (workers, chunk): (usize, usize),
    ) -> usize {
        let chunks = chunks(range.clone(), chunk);
        let sides = [code.left, code.right]
            .iter()
            .filter(|c| !matches!(c.code, Code::Data(_)))
            .count();
        let (world, decisions) = (&self.world, &self.decisions[..]);
        let (model, limits) = (&mut self.model, &self.limits);
        let mut made = 0usize;
        let mut next = range.end;
        let make = || {
            let mut scratch = Scratch::default();
            move |r: Range<usize>, out: &mut Chunk| {
                out.clear();
                make_chunk(world, decisions, code, tuples, r, out, &mut scratch);
            }
        };
        in_order(
            workers,
            AHEAD,
            &chunks,
            make,
            |r, out: &mut Chunk| match append(model, limits, decl, out, r.start, &mut made) {
                Some(t) => {
                    next = t;
                    false
                }
                None => true,
            },
        );
        self.lin_cache.rows += made;
        self.lin_cache.rows_on_workers += made;
        self.lin_cache.runs += made * sides;
        next
    }

    /// Whether the compiled `code` is a sum worth running on workers: with the number of
    /// workers and positions of its first index variable per chunk.
    pub(super) fn sum_plan(&self, code: &CompiledLin) -> Option<(usize, usize)> {
        let p = self.lin_cache.parallel;
        let (first, runs) = code.sum_shape()?;
        if runs < p.min_terms.max(2) {
            return None;
        }
        let workers = p.worker_count();
        if workers < 2 || first < 2 {
            return None;
        }
        // The body's runs per position of the first variable.
        let per = (runs / first).max(1);
        Some((workers, (p.chunk_terms / per).clamp(1, first)))
    }

    /// Add `k *` the sum `code` to `acc` (its slots bound in `slots`), its first index
    /// variable's positions cut into chunks of `chunk` run on `workers` threads. False
    /// (with `acc` untouched) when a chunk bails out.
    pub(super) fn sum_on_workers(
        &self,
        code: &CompiledLin,
        k: f64,
        acc: &mut Lin,
        slots: &[Slot],
        (workers, chunk): (usize, usize),
    ) -> bool {
        let Some((first, _)) = code.sum_shape() else {
            return false;
        };
        let chunks = chunks(0..first, chunk);
        let (world, decisions) = (&self.world, &self.decisions[..]);
        let n = acc.terms.len();
        let mut ok = true;
        let make = || {
            let mut own = slots.to_vec();
            move |r: Range<usize>, out: &mut SumChunk| {
                out.lin.terms.clear();
                out.ok = run_sum_part(world, decisions, code, k, r, &mut own, &mut out.lin);
            }
        };
        in_order(workers, AHEAD, &chunks, make, |_, out: &mut SumChunk| {
            ok = out.ok;
            if ok {
                acc.terms.extend_from_slice(&out.lin.terms);
            }
            ok
        });
        if !ok {
            acc.terms.truncate(n);
        }
        ok
    }
}

/// The terms of a chunk of a sum, made on a worker.
#[derive(Default)]
struct SumChunk {
    lin: Lin,
    ok: bool,
}

/// Make the rows of tuples `range` into `out`, stopping at the first tuple the row-by-row
/// path must make.
fn make_chunk(
    world: &World,
    decisions: &[Option<DecisionCols>],
    code: &RowCode<'_>,
    tuples: &Tuples,
    range: Range<usize>,
    out: &mut Chunk,
    s: &mut Scratch,
) {
    let mut cursor = Cursor::new(tuples, range.start);
    for _ in range {
        cursor.next_into(&mut s.tuple);
        let l = &mut s.lin;
        l.terms.clear();
        l.constant = 0.0;
        let ok = run_side(world, decisions, code.left, 1.0, l, &s.tuple, &mut s.slots)
            && run_side(
                world,
                decisions,
                code.right,
                -1.0,
                l,
                &s.tuple,
                &mut s.slots,
            );
        if !ok {
            out.stopped = true;
            return;
        }
        l.normalize();
        let (lo, hi, scale) = row_bounds(l.constant, code.lo, code.hi, code.scale);
        if l.terms.is_empty() {
            if never_holds(lo, hi) {
                out.stopped = true;
                return;
            }
            out.rows.push(None);
        } else {
            out.cols.extend(l.terms.iter().map(|t| t.0));
            out.vals.extend(l.terms.iter().map(|t| t.1 / scale));
            out.rows.push(Some((lo, hi, out.cols.len() as u32)));
        }
        out.elems.extend(s.tuple.iter().map(|t| t.elem));
        out.arity = s.tuple.len();
    }
}

/// Append the rows of a chunk whose first tuple is `first` to the model, as the row-by-row
/// path adds them; counts them in `made`. Returns the tuple the row-by-row path goes on
/// from when the chunk stopped or a row would pass the model's limits.
fn append(
    model: &mut Model,
    limits: &Limits,
    decl: DeclId,
    out: &Chunk,
    first: usize,
    made: &mut usize,
) -> Option<usize> {
    let (mut from, arity) = (0usize, out.arity);
    // The whole chunk within the limits: appended at once.
    if arity > 0
        && model.rows.len() + out.rows.len() <= limits.max_rows
        && model.row_cols.len() + out.cols.len() <= limits.max_nonzeros
    {
        model.append_rows(decl, &out.rows, &out.cols, &out.vals, &out.elems, arity);
        *made += out.rows.len();
        return out.stopped.then_some(first + out.rows.len());
    }
    for (k, row) in out.rows.iter().enumerate() {
        let elems = &out.elems[k * arity..(k + 1) * arity];
        let origin = Origin {
            decl,
            tuple: model.tuples.len() as u32,
        };
        if let Some((lo, hi, end)) = *row {
            let terms = from..end as usize;
            if model.rows.len() >= limits.max_rows
                || model.row_cols.len() + terms.len() > limits.max_nonzeros
            {
                return Some(first + k);
            }
            model.tuples.extend_from_slice(elems);
            model.add_row_slices(
                Row { lo, hi, origin },
                &out.cols[terms.clone()],
                &out.vals[terms],
            );
            from = end as usize;
        } else {
            model.tuples.extend_from_slice(elems);
        }
        *made += 1;
    }
    out.stopped.then_some(first + out.rows.len())
}
