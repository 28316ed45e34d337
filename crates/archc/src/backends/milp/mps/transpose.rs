//! The constraint matrix of the MPS `COLUMNS` section, transposed from the IR's rows (CSR)
//! one block of columns at a time: a counting sort with `u32` indices, so that writing a
//! model of 8M nonzeros holds 12 MB of transposed entries (the block being written and the
//! next), not 96 MB. See the module above for how the blocks are read.

use crate::ir::Model;
use std::io;
use std::ops::Range;

/// The constraint matrix in column-major order, one block of columns at a time: the column
/// counts are found once, and each [`Block`] is filled by one pass over the rows, so that
/// the copy held at any moment is about [`BLOCK_NONZEROS`] entries per block, not the whole
/// matrix.
pub(super) struct ColMajor {
    /// Entries of column `j` are `start[j]..start[j+1]` (global positions).
    pub(super) start: Vec<u32>,
    /// About this many entries are transposed at a time ([`BLOCK_NONZEROS`]; tests use
    /// small blocks to cross many block boundaries).
    pub(super) block: usize,
}

/// Where the transposition of the next block starts reading, so that a block reads only its
/// own entries instead of all of them. Blocks must be loaded in increasing order.
pub(super) struct Cursors {
    /// When every row lists its columns in increasing order (as the instantiation writes
    /// them): the position in each row of its first entry not yet transposed.
    pub(super) rows: Option<Vec<u32>>,
    /// When each objective term lists its columns in increasing order: the position in each
    /// term of its first coefficient not yet summed.
    pub(super) obj: Option<Vec<usize>>,
}

/// The transposed entries of columns `first..end`.
#[derive(Default)]
pub(super) struct Block {
    pub(super) first: usize,
    pub(super) end: usize,
    /// Row indices and values of the block's entries; position `p` of the matrix is
    /// `p - start[first]` here.
    pub(super) rows: Vec<u32>,
    pub(super) vals: Vec<f64>,
    /// Objective coefficients of the block's columns (`j - first`), summed over the
    /// objective's terms in their order, as [`Model::objective_dense`] sums them.
    pub(super) obj: Vec<f64>,
}

/// About this many nonzeros are transposed at a time (12 bytes each).
pub(super) const BLOCK_NONZEROS: usize = 1 << 19;

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

impl ColMajor {
    /// Count the entries of each column.
    pub(super) fn new(model: &Model, block: usize) -> io::Result<(ColMajor, Cursors)> {
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
        let increasing = model.row_start.windows(2).all(|w| {
            model.row_cols[w[0]..w[1]]
                .windows(2)
                .all(|c| c[0].0 < c[1].0)
        });
        let rows = increasing.then(|| {
            model.row_start[..model.num_rows()]
                .iter()
                .map(|&p| p as u32)
                .collect()
        });
        let terms = model.objective.iter().flat_map(|o| &o.terms);
        let obj_increasing = terms
            .clone()
            .all(|t| t.coefs.windows(2).all(|w| w[0].0 .0 < w[1].0 .0));
        let obj = obj_increasing.then(|| terms.map(|_| 0).collect());
        let cols = ColMajor {
            start,
            block: block.max(1),
        };
        Ok((cols, Cursors { rows, obj }))
    }

    /// The columns of the block that starts at `j`: up to about [`ColMajor::block`] entries
    /// (at least the one column).
    fn block_end(&self, j: usize) -> usize {
        let n = self.start.len() - 1;
        let base = self.start[j] as usize;
        let mut end = j + 1;
        while end < n && (self.start[end + 1] as usize) - base <= self.block {
            end += 1;
        }
        end
    }

    /// Transpose the block that starts at column `j` into `out`.
    pub(super) fn load(&self, model: &Model, j: usize, cursors: &mut Cursors, out: &mut Block) {
        let end = self.block_end(j);
        let base = self.start[j] as usize;
        let len = self.start[end] as usize - base;
        out.rows.clear();
        out.rows.resize(len, 0);
        out.vals.clear();
        out.vals.resize(len, 0.0);
        // Insertion cursor of each column of the block; rows stay in increasing order.
        let mut cursor: Vec<u32> = self.start[j..end]
            .iter()
            .map(|&s| s - base as u32)
            .collect();
        let (lo, hi) = (j as u32, end as u32);
        let (rows, vals) = (&mut out.rows, &mut out.vals);
        let mut place = |i: usize, c: u32, v: f64| {
            let slot = &mut cursor[(c - lo) as usize];
            let p = *slot as usize;
            rows[p] = i as u32;
            vals[p] = v;
            *slot += 1;
        };
        match &mut cursors.rows {
            // Blocks are loaded in increasing order: a row's entries before its cursor
            // belong to earlier blocks, and its entries of this block come next.
            Some(next) => {
                for (i, at) in next.iter_mut().enumerate() {
                    let end = model.row_start[i + 1];
                    let mut p = *at as usize;
                    while p < end && model.row_cols[p].0 < hi {
                        place(i, model.row_cols[p].0, model.row_vals[p]);
                        p += 1;
                    }
                    *at = p as u32;
                }
            }
            None => {
                for i in 0..model.num_rows() {
                    let range = model.row_start[i]..model.row_start[i + 1];
                    for (c, &v) in model.row_cols[range.clone()]
                        .iter()
                        .zip(&model.row_vals[range])
                    {
                        if c.0 >= lo && c.0 < hi {
                            place(i, c.0, v);
                        }
                    }
                }
            }
        }
        out.obj.clear();
        out.obj.resize(end - j, 0.0);
        let terms = model.objective.iter().flat_map(|o| &o.terms);
        match &mut cursors.obj {
            // Each term's coefficients of this block come next, in the term's order.
            Some(next) => {
                for (t, at) in terms.zip(next.iter_mut()) {
                    let coefs = &t.coefs[(*at).min(t.coefs.len())..];
                    let n = coefs.iter().take_while(|(c, _)| c.0 < hi).count();
                    for &(c, v) in &coefs[..n] {
                        out.obj[(c.0 - lo) as usize] += v;
                    }
                    *at += n;
                }
            }
            None => {
                for t in terms {
                    for &(c, v) in &t.coefs {
                        if c.0 >= lo && c.0 < hi {
                            out.obj[(c.0 - lo) as usize] += v;
                        }
                    }
                }
            }
        }
        out.first = j;
        out.end = end;
    }

    /// Column ranges that split `block` (loaded) into pieces of about `piece` entries (a
    /// column with more stays whole).
    pub(super) fn pieces(&self, block: Range<usize>, piece: usize) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut a = block.start;
        while a < block.end {
            let limit = self.start[a] as usize + piece.max(1);
            let mut b = a + 1;
            while b < block.end && self.start[b + 1] as usize <= limit {
                b += 1;
            }
            out.push(a..b);
            a = b;
        }
        out
    }

    /// The entries of column `j` of `block`: positions into its `rows`/`vals`.
    pub(super) fn range(&self, block: &Block, j: usize) -> Range<usize> {
        let base = self.start[block.first] as usize;
        self.start[j] as usize - base..self.start[j + 1] as usize - base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The column pieces of a block cover it in order, each within the entry budget unless
    /// one column alone exceeds it.
    #[test]
    fn column_pieces_cover_the_block() {
        let cols = ColMajor {
            start: vec![0, 2, 2, 7, 8, 9, 12],
            block: BLOCK_NONZEROS,
        };
        assert_eq!(cols.pieces(0..6, 3), vec![0..2, 2..3, 3..5, 5..6]);
        assert_eq!(cols.pieces(1..4, 1), vec![1..2, 2..3, 3..4]);
        assert_eq!(cols.pieces(0..6, 100), vec![0..6]);
    }
}
