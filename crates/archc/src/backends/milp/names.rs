//! Names of columns and rows for the LP and MPS files that `archc emit` writes, derived from
//! origins: `replicas[checkout, us-east]` becomes `replicas(checkout,us_east)`.
//!
//! A name is the declaration's name and the tuple's element names, each sanitised to the
//! characters every LP/MPS reader accepts (letters, digits, `_` and `.`), joined with `(`,
//! `,` and `)`. Names must be unique, and they are made so in two steps:
//!
//! - pieces: sanitising can make two declaration or element names equal (`us-east` and
//!   `us_east`); the later one gets `_2` (or the first free `_k`). With unique pieces that
//!   never contain `(`, `,` or `)`, a name is unique when its origin is;
//! - origins: the IR may hold several rows with one origin (derived rows). Those are found by
//!   hashing each origin's ids and sorting the hashes (a radix sort, no per-name
//!   allocation); the second, third, ... get `;2`, `;3`. No piece contains `;`, so a suffixed
//!   name never equals another name. A hash collision between different origins only costs
//!   one needless suffix.
//!
//! The objective row is named after the objective (`cost`). A compiled model has a
//! declaration for the objective, whose pieces are unique with the others, so no row of
//! another declaration can take that name; a row of the objective's own declaration would
//! get `;2`.
//!
//! Names are never stored one `String` per column: a [`NameTable`] keeps the sanitised pieces
//! and writes a name straight into an output buffer.

use crate::ir::{ColId, DeclKind, Model, Origin, RowId};
use std::collections::{HashMap, HashSet};

/// Words an LP reader could take for a keyword when they stand alone as a name.
const LP_RESERVED: &[&str] = &[
    "bin", "binaries", "binary", "bound", "bounds", "end", "free", "gen", "general", "generals",
    "inf", "infinity", "int", "integer", "integers", "max", "maximise", "maximize", "maximum",
    "min", "minimise", "minimize", "minimum", "semi", "semis", "sos", "st", "subject", "such",
];

/// From this many columns and rows, work on each apart is done on two threads.
pub(crate) const JOIN_AT: usize = 1 << 17;

/// Sanitised name pieces of one model, able to write any column or row name.
pub(crate) struct NameTable<'m> {
    model: &'m Model,
    /// Sanitised declaration names (never empty, never starting with a digit or `.`), with
    /// `(` appended for indexed declarations.
    decls: Vec<Vec<u8>>,
    arity: Vec<usize>,
    /// Sanitised element names each followed by `,`, concatenated; element `e` is
    /// `elem_start[e]..elem_start[e+1]`.
    elem_bytes: Vec<u8>,
    elem_start: Vec<usize>,
    /// The same pieces and the declaration names as [`Small`] copies, when they fit.
    elem_small: Vec<Option<Small>>,
    decl_small: Vec<Option<Small>>,
    col_suffix: Suffixes,
    row_suffix: Suffixes,
    objective: Vec<u8>,
}

/// The suffix numbers of repeated origins: a bitset answers "none" fast for the rest.
#[derive(Default)]
struct Suffixes {
    flagged: Vec<u64>,
    number: HashMap<u32, u32>,
}

impl Suffixes {
    fn new(number: HashMap<u32, u32>, len: usize) -> Self {
        let mut flagged = Vec::new();
        if !number.is_empty() {
            flagged = vec![0u64; len.div_ceil(64)];
            for &i in number.keys() {
                flagged[i as usize / 64] |= 1 << (i % 64);
            }
        }
        Suffixes { flagged, number }
    }

    #[inline(always)]
    fn get(&self, i: usize) -> Option<u32> {
        let word = *self.flagged.get(i / 64)?;
        if word & (1 << (i % 64)) == 0 {
            return None;
        }
        self.number.get(&(i as u32)).copied()
    }
}

/// A name piece of at most [`Small::CAP`] bytes, padded: appending it is one fixed-size copy
/// and a truncation, where a copy of a few bytes of unknown length would call `memcpy`.
#[derive(Clone, Copy)]
struct Small {
    bytes: [u8; Small::CAP],
    len: u8,
}

impl Small {
    const CAP: usize = 16;

    fn new(b: &[u8]) -> Option<Small> {
        let mut bytes = [0u8; Small::CAP];
        bytes.get_mut(..b.len())?.copy_from_slice(b);
        Some(Small {
            bytes,
            len: b.len() as u8,
        })
    }

    #[inline(always)]
    fn put(&self, out: &mut Vec<u8>) {
        let len = out.len();
        out.extend_from_slice(&self.bytes);
        out.truncate(len + self.len as usize);
    }
}

/// Replace every character outside `[A-Za-z0-9_.]` by `_`; an empty piece becomes `_`.
fn sanitize_piece(s: &str, out: &mut Vec<u8>) {
    if s.is_empty() {
        out.push(b'_');
        return;
    }
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' {
            out.push(ch as u8);
        } else {
            out.push(b'_');
        }
    }
}

/// A declaration (or objective) name: a sanitised piece that does not start with a digit or
/// `.`, and is not an LP keyword when it stands alone.
fn sanitize_head(s: &str, stands_alone: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 1);
    if s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.')
    {
        out.push(b'_');
    }
    sanitize_piece(s, &mut out);
    if stands_alone
        && LP_RESERVED
            .iter()
            .any(|w| w.as_bytes().eq_ignore_ascii_case(&out))
    {
        out.push(b'_');
    }
    out
}

/// The declaration a compiled model keeps for its objective: a scalar constraint-kind
/// declaration noted `objective`, with the objective's name.
fn objective_decl(model: &Model) -> Option<usize> {
    let o = model.objective.as_ref()?;
    model.decls.iter().position(|d| {
        d.kind == DeclKind::Constraint
            && d.note == "objective"
            && d.name == o.name
            && d.index_names.is_empty()
    })
}

/// Mix one word into a 64-bit hash.
#[inline]
fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// splitmix64 finaliser, so that every bit of the hash depends on every input bit.
#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A fast 64-bit hash of a byte string (word at a time).
fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix(h, u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = mix(h, u64::from_le_bytes(w));
    }
    finish(h)
}

/// LSD radix sort of 64-bit keys, 11 bits per pass: linear time, sequential memory access.
fn radix_sort(keys: &mut Vec<u64>) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    let mut tmp = vec![0u64; keys.len()];
    let mut shift = 0;
    while shift < 64 {
        let mut count = vec![0usize; BUCKETS + 1];
        for &k in keys.iter() {
            count[((k >> shift) as usize & (BUCKETS - 1)) + 1] += 1;
        }
        if count.contains(&keys.len()) {
            // Every key has the same digit: this pass would not move anything.
            shift += BITS;
            continue;
        }
        for b in 0..BUCKETS {
            count[b + 1] += count[b];
        }
        for &k in keys.iter() {
            let b = (k >> shift) as usize & (BUCKETS - 1);
            tmp[count[b]] = k;
            count[b] += 1;
        }
        std::mem::swap(keys, &mut tmp);
        shift += BITS;
    }
}

/// The hashes that occur more than once.
fn repeated(mut hashes: Vec<u64>) -> HashSet<u64> {
    radix_sort(&mut hashes);
    hashes
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect()
}

/// Make sanitised pieces unique: a piece equal to an earlier one becomes `piece_k` with the
/// first `k >= 2` that no piece uses.
fn make_unique(pieces: &mut [Vec<u8>]) {
    let repeats = repeated(pieces.iter().map(|p| hash_bytes(p)).collect());
    if repeats.is_empty() {
        return;
    }
    let mut taken: HashSet<Vec<u8>> = pieces.iter().cloned().collect();
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    for piece in pieces.iter_mut() {
        if !repeats.contains(&hash_bytes(piece)) || seen.insert(piece.clone()) {
            continue;
        }
        let mut k = 2u32;
        let renamed = loop {
            let mut candidate = piece.clone();
            candidate.push(b'_');
            candidate.extend_from_slice(itoa::Buffer::new().format(k).as_bytes());
            if !taken.contains(&candidate) {
                break candidate;
            }
            k += 1;
        };
        taken.insert(renamed.clone());
        *piece = renamed;
    }
}

impl<'m> NameTable<'m> {
    /// Sanitise the pieces, make them unique, and find the origins that repeat.
    pub(crate) fn new(model: &'m Model) -> Self {
        let mut decls: Vec<Vec<u8>> = model
            .decls
            .iter()
            .map(|d| sanitize_head(&d.name, d.index_names.is_empty()))
            .collect();
        // The objective row shares the row namespace. A compiled model has a declaration
        // for its objective (the origin of what the objective derives), and the objective
        // row takes its name; otherwise the name is made unique with the declarations.
        let objective_decl = objective_decl(model);
        if objective_decl.is_none() {
            decls.push(match &model.objective {
                Some(o) if !o.name.is_empty() => sanitize_head(&o.name, true),
                _ => b"obj".to_vec(),
            });
        }
        make_unique(&mut decls);
        let objective = match objective_decl {
            Some(d) => decls[d].clone(),
            None => decls.pop().unwrap_or_else(|| b"obj".to_vec()),
        };
        let arity: Vec<usize> = model.decls.iter().map(|d| d.index_names.len()).collect();
        for (name, &n) in decls.iter_mut().zip(&arity) {
            if n > 0 {
                name.push(b'(');
            }
        }

        let mut elems: Vec<Vec<u8>> = model
            .elements
            .iter()
            .map(|e| {
                let mut b = Vec::with_capacity(e.len());
                sanitize_piece(e, &mut b);
                b
            })
            .collect();
        make_unique(&mut elems);
        let mut elem_bytes = Vec::with_capacity(elems.iter().map(Vec::len).sum());
        let mut elem_start = Vec::with_capacity(elems.len() + 1);
        elem_start.push(0);
        for e in elems {
            elem_bytes.extend_from_slice(&e);
            elem_bytes.push(b',');
            elem_start.push(elem_bytes.len());
        }

        let elem_small = elem_start
            .windows(2)
            .map(|w| Small::new(&elem_bytes[w[0]..w[1]]))
            .collect();
        let decl_small = decls.iter().map(|d| Small::new(d)).collect();
        let mut table = NameTable {
            model,
            decls,
            arity,
            elem_bytes,
            elem_start,
            elem_small,
            decl_small,
            col_suffix: Suffixes::default(),
            row_suffix: Suffixes::default(),
            objective,
        };
        let find_cols = || table.find_repeats(&model.columns, |c| c.origin);
        let find_rows = || table.find_repeats(&model.rows, |r| r.origin);
        // Each is one pass over the columns or rows: side by side for a large model.
        let (cols, mut rows) = if model.num_columns() + model.num_rows() >= JOIN_AT {
            rayon::join(find_cols, find_rows)
        } else {
            (find_cols(), find_rows())
        };
        table.col_suffix = Suffixes::new(cols, model.num_columns());
        if let Some(d) = objective_decl {
            // A row of the objective's own declaration would carry the objective row's
            // name: it counts as the objective's second, third, ... row.
            let mut k = 1;
            for (i, r) in model.rows.iter().enumerate() {
                if r.origin.decl.0 as usize == d {
                    k += 1;
                    rows.insert(i as u32, k);
                }
            }
        }
        table.row_suffix = Suffixes::new(rows, model.num_rows());
        table
    }

    /// A hash of an origin's declaration and element ids (equal origins, equal hashes).
    fn origin_hash(&self, origin: Origin) -> u64 {
        let tuple = self.tuple(origin);
        let mut h = mix(0x9e37_79b9_7f4a_7c15, origin.decl.0 as u64);
        h = mix(h, tuple.len() as u64);
        for &e in tuple {
            h = mix(h, e as u64);
        }
        finish(h)
    }

    /// Whether every origin is distinct, by a linear check that holds for models as
    /// instantiation builds them: the tuples of each declaration, in item order, are
    /// strictly increasing (compared as element ids). False says nothing either way.
    fn increasing_per_decl<T>(&self, items: &[T], origin: &impl Fn(&T) -> Origin) -> bool {
        let mut last: Vec<Option<u32>> = vec![None; self.decls.len()];
        for t in items {
            let o = origin(t);
            let Some(prev) = last.get_mut(o.decl.0 as usize) else {
                return false;
            };
            if let Some(p) = *prev {
                let before = self.tuple(Origin {
                    decl: o.decl,
                    tuple: p,
                });
                if self.tuple(o) <= before {
                    return false;
                }
            }
            *prev = Some(o.tuple);
        }
        true
    }

    /// Entities whose origin an earlier entity already has, with their suffix number.
    fn find_repeats<T>(&self, items: &[T], origin: impl Fn(&T) -> Origin) -> HashMap<u32, u32> {
        if self.increasing_per_decl(items, &origin) {
            return HashMap::new();
        }
        let hash = |t: &T| self.origin_hash(origin(t));
        let repeats = repeated(items.iter().map(hash).collect());
        let mut suffix = HashMap::new();
        if repeats.is_empty() {
            return suffix;
        }
        let mut count: HashMap<u64, u32> = HashMap::new();
        for (i, t) in items.iter().enumerate() {
            let h = hash(t);
            if repeats.contains(&h) {
                let n = count.entry(h).or_insert(0);
                *n += 1;
                if *n > 1 {
                    suffix.insert(i as u32, *n);
                }
            }
        }
        suffix
    }

    /// The element ids of an origin (empty when the IR is inconsistent).
    #[inline(always)]
    fn tuple(&self, origin: Origin) -> &[u32] {
        let arity = self.arity.get(origin.decl.0 as usize).copied().unwrap_or(0);
        let start = origin.tuple as usize;
        self.model
            .tuples
            .get(start..start.saturating_add(arity))
            .unwrap_or(&[])
    }

    /// `decl(e1,e2)` or `decl` for a scalar, without suffix.
    #[inline(always)]
    fn write_origin(&self, origin: Origin, out: &mut Vec<u8>) {
        let d = origin.decl.0 as usize;
        let Some(head) = self.decls.get(d) else {
            out.push(b'_');
            return;
        };
        match self.decl_small[d] {
            Some(small) => small.put(out),
            None => out.extend_from_slice(head),
        }
        if self.arity[d] == 0 {
            return;
        }
        let tuple = self.tuple(origin);
        for &e in tuple {
            let e = e as usize;
            match self.elem_small.get(e) {
                Some(Some(small)) => small.put(out),
                Some(None) => out.extend_from_slice(
                    &self.elem_bytes[self.elem_start[e]..self.elem_start[e + 1]],
                ),
                None => out.extend_from_slice(b"_,"),
            }
        }
        if tuple.is_empty() {
            out.push(b')');
        } else if let Some(last) = out.last_mut() {
            // The last element's `,` closes the tuple.
            *last = b')';
        }
    }

    fn write_suffix(n: u32, out: &mut Vec<u8>) {
        out.push(b';');
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// Append the unique name of column `j`.
    #[inline(always)]
    pub(crate) fn write_col(&self, j: usize, out: &mut Vec<u8>) {
        self.write_origin(self.model.columns[j].origin, out);
        if let Some(n) = self.col_suffix.get(j) {
            Self::write_suffix(n, out);
        }
    }

    /// Append the unique name of row `i`.
    #[inline(always)]
    pub(crate) fn write_row(&self, i: usize, out: &mut Vec<u8>) {
        self.write_origin(self.model.rows[i].origin, out);
        if let Some(n) = self.row_suffix.get(i) {
            Self::write_suffix(n, out);
        }
    }

    /// The objective row's name (distinct from every row name).
    pub(crate) fn objective(&self) -> &[u8] {
        &self.objective
    }
}

/// Row names written lately, by row index: a column's lines name the same few rows again
/// and again (the row of its entity, the capacity row of its site), and a hit is one
/// fixed-size copy where writing the name again follows the row's origin to its tuple and
/// each element's piece. Direct-mapped on the low bits of the row index, so that
/// neighbouring rows never evict each other; names longer than [`RowNameCache::CAP`], and
/// rows of fewer than three entries, are never kept.
pub(crate) struct RowNameCache {
    /// The row whose name each slot holds (`u32::MAX`: none).
    row: Box<[u32; RowNameCache::SLOTS]>,
    text: Box<[[u8; RowNameCache::CAP]; RowNameCache::SLOTS]>,
    len: Box<[u8; RowNameCache::SLOTS]>,
}

impl RowNameCache {
    const SLOTS: usize = 1024;
    const CAP: usize = 32;

    pub(crate) fn new() -> Self {
        RowNameCache {
            row: Box::new([u32::MAX; Self::SLOTS]),
            text: Box::new([[0; Self::CAP]; Self::SLOTS]),
            len: Box::new([0; Self::SLOTS]),
        }
    }

    /// Append the unique name of row `i`, as [`NameTable::write_row`] writes it.
    #[inline(always)]
    pub(crate) fn write_row(&mut self, names: &NameTable, i: usize, out: &mut Vec<u8>) {
        let slot = i % Self::SLOTS;
        if self.row[slot] as usize == i {
            let at = out.len();
            out.extend_from_slice(&self.text[slot]);
            out.truncate(at + self.len[slot] as usize);
            return;
        }
        let at = out.len();
        names.write_row(i, out);
        // A row of one or two entries is named at most twice in `COLUMNS`, seldom close
        // together: keeping it would only push out a name that comes back.
        let m = names.model;
        if m.row_start.get(i + 1).map_or(0, |e| e - m.row_start[i]) < 3 {
            return;
        }
        let name = &out[at..];
        // Row indices fit in `u32` (the writers refuse larger models); `u32::MAX` marks an
        // empty slot.
        if name.len() <= Self::CAP && i < u32::MAX as usize {
            self.text[slot][..name.len()].copy_from_slice(name);
            self.len[slot] = name.len() as u8;
            self.row[slot] = i as u32;
        }
    }
}

fn to_string(bytes: Vec<u8>) -> String {
    // Names hold ASCII only; the fallback never loses anything.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The names `write_lp`/`write_mps` give the columns, in column order.
pub fn column_names(model: &Model) -> Vec<String> {
    let table = NameTable::new(model);
    (0..model.num_columns())
        .map(|j| {
            let mut b = Vec::new();
            table.write_col(j, &mut b);
            to_string(b)
        })
        .collect()
}

/// The names `write_lp`/`write_mps` give the rows, in row order.
pub fn row_names(model: &Model) -> Vec<String> {
    let table = NameTable::new(model);
    (0..model.num_rows())
        .map(|i| {
            let mut b = Vec::new();
            table.write_row(i, &mut b);
            to_string(b)
        })
        .collect()
}

/// The name of the objective row in the written files.
pub fn objective_row_name(model: &Model) -> String {
    to_string(NameTable::new(model).objective().to_vec())
}

/// The file name of one column (builds the whole table: use [`column_names`] for many).
pub fn column_name(model: &Model, col: ColId) -> String {
    let table = NameTable::new(model);
    let mut b = Vec::new();
    table.write_col(col.0 as usize, &mut b);
    to_string(b)
}

/// The file name of one row (builds the whole table: use [`row_names`] for many).
pub fn row_name(model: &Model, row: RowId) -> String {
    let table = NameTable::new(model);
    let mut b = Vec::new();
    table.write_row(row.0 as usize, &mut b);
    to_string(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Column, Decl, DeclKind, Objective, Row, Sense, VarKind};
    use crate::span::Span;

    fn decl(name: &str, idx: &[&str], kind: DeclKind) -> Decl {
        Decl {
            name: name.into(),
            kind,
            span: Span::default(),
            index_names: idx.iter().map(|s| s.to_string()).collect(),
            unit: String::new(),
            note: String::new(),
        }
    }

    fn col(origin: Origin) -> Column {
        Column {
            kind: VarKind::Continuous,
            lb: 0.0,
            ub: 1.0,
            origin,
        }
    }

    #[test]
    fn origins_become_valid_names() {
        let mut m = Model::new();
        let d = m.add_decl(decl("replicas", &["s", "r"], DeclKind::Decision));
        m.elements = vec!["checkout".into(), "us-east".into(), "eu west[1]".into()];
        let t1 = m.add_tuple(&[0, 1]);
        let t2 = m.add_tuple(&[0, 2]);
        m.add_column(col(Origin { decl: d, tuple: t1 }));
        m.add_column(col(Origin { decl: d, tuple: t2 }));
        assert_eq!(
            column_names(&m),
            vec![
                "replicas(checkout,us_east)",
                "replicas(checkout,eu_west_1_)"
            ]
        );
    }

    #[test]
    fn collisions_get_suffixes() {
        let mut m = Model::new();
        let d = m.add_decl(decl("x", &["r"], DeclKind::Decision));
        let s = m.add_decl(decl("free", &[], DeclKind::Decision));
        let c = m.add_decl(decl("cost", &[], DeclKind::Constraint));
        let n = m.add_decl(decl("2nd", &[], DeclKind::Constraint));
        m.elements = vec!["us-east".into(), "us_east".into()];
        let t1 = m.add_tuple(&[0]);
        let t2 = m.add_tuple(&[1]);
        m.add_column(col(Origin { decl: d, tuple: t1 }));
        m.add_column(col(Origin { decl: d, tuple: t2 }));
        m.add_column(col(Origin { decl: d, tuple: t1 }));
        m.add_column(col(Origin { decl: s, tuple: 0 }));
        let row = |decl| Row {
            lo: 0.0,
            hi: 1.0,
            origin: Origin { decl, tuple: 0 },
        };
        m.add_row(row(c), []);
        m.add_row(row(c), []);
        m.add_row(row(n), []);
        m.objective = Some(Objective {
            name: "cost".into(),
            sense: Sense::Minimize,
            span: Span::default(),
            unit: String::new(),
            terms: vec![],
        });
        assert_eq!(
            column_names(&m),
            vec!["x(us_east)", "x(us_east_2)", "x(us_east);2", "free_"]
        );
        // The objective keeps clear of the constraint `cost`.
        assert_eq!(objective_row_name(&m), "cost_2");
        assert_eq!(row_names(&m), vec!["cost", "cost;2", "_2nd"]);
    }

    /// A compiled model keeps a declaration for its objective: the objective row takes its
    /// name (not `cost_2`), and a row of that declaration, should one exist, gets `;2`.
    #[test]
    fn the_objective_row_is_named_after_its_declaration() {
        let mut m = Model::new();
        let x = m.add_decl(decl("x", &[], DeclKind::Decision));
        let mut objective = decl("cost", &[], DeclKind::Constraint);
        objective.note = "objective".into();
        let o = m.add_decl(objective);
        let derived = m.add_decl(decl("cost~max", &[], DeclKind::Derived));
        m.add_column(col(Origin { decl: x, tuple: 0 }));
        let row = |decl| Row {
            lo: 0.0,
            hi: 1.0,
            origin: Origin { decl, tuple: 0 },
        };
        m.add_row(row(derived), []);
        m.add_row(row(o), []);
        m.objective = Some(Objective {
            name: "cost".into(),
            sense: Sense::Minimize,
            span: Span::default(),
            unit: String::new(),
            terms: vec![],
        });
        assert_eq!(objective_row_name(&m), "cost");
        assert_eq!(row_names(&m), vec!["cost_max", "cost;2"]);
    }

    #[test]
    fn radix_sort_sorts() {
        let mut v: Vec<u64> = (0..5000u64).map(|i| finish(i % 1700)).collect();
        let mut want = v.clone();
        want.sort_unstable();
        radix_sort(&mut v);
        assert_eq!(v, want);
        assert_eq!(repeated(vec![3, 1, 3, 2, 1]), HashSet::from([1, 3]));
    }

    /// Row names through the cache equal the table's, whatever the order: revisits (hits),
    /// rows 1024 apart (one slot), names too long to keep, rows too short to keep, and
    /// suffixed repeats.
    #[test]
    fn cached_row_names_equal_the_tables() {
        let mut m = Model::new();
        let d = m.add_decl(decl("cap", &["r"], DeclKind::Constraint));
        let x = m.add_decl(decl("x", &[], DeclKind::Decision));
        let tuple = m.add_tuple(&[]);
        m.add_column(col(Origin { decl: x, tuple }));
        let n = 3000;
        m.elements = (0..n)
            .map(|k| match k % 3 {
                0 => format!("r{k}"),
                1 => format!("a-long-element-name-that-does-not-fit-{k}"),
                _ => "same".to_string(),
            })
            .collect();
        for k in 0..n {
            // Every tenth row has the origin of the row before.
            let tuple = m.add_tuple(&[(k - usize::from(k % 10 == 9)) as u32]);
            let row = Row {
                lo: 0.0,
                hi: 1.0,
                origin: Origin { decl: d, tuple },
            };
            // Rows of 0 to 4 entries.
            m.add_row(row, (0..k % 5).map(|_| (ColId(0), 1.0)));
        }
        let table = NameTable::new(&m);
        let mut cache = RowNameCache::new();
        let order: Vec<usize> = (0..n)
            .flat_map(|i| [i, (i * 7) % n, (i + 1024) % n, i, (i + 2048) % n])
            .collect();
        let (mut hits, mut long, mut short, mut suffixed) = (0, 0, 0, 0);
        for i in order {
            let slot = i % RowNameCache::SLOTS;
            hits += usize::from(cache.row[slot] as usize == i);
            let mut via_cache = b"line ".to_vec();
            cache.write_row(&table, i, &mut via_cache);
            let mut direct = b"line ".to_vec();
            table.write_row(i, &mut direct);
            assert_eq!(via_cache, direct, "row {i}");
            suffixed += usize::from(direct.contains(&b';'));
            if direct.len() - 5 > RowNameCache::CAP {
                long += 1;
                assert_ne!(cache.row[slot] as usize, i, "row {i}: a long name was kept");
            }
            if i % 5 < 3 {
                short += 1;
                assert_ne!(cache.row[slot] as usize, i, "row {i}: a short row was kept");
            }
        }
        assert!(hits > n / 2, "only {hits} hits");
        assert!(
            long > 0 && short > 0 && suffixed > 0,
            "{long} long names, {short} short rows, {suffixed} suffixed"
        );
    }

    #[test]
    fn hash_spreads_similar_names() {
        assert_ne!(hash_bytes(b"x(a)"), hash_bytes(b"x(b)"));
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
    }
}
