//! Names of columns and rows for the LP and MPS files that `archc emit` writes, derived from
//! origins: `replicas[checkout, us-east]` becomes `replicas(checkout,us_east)`.
//!
//! A name is the declaration's name and the tuple's element names, each sanitised to the
//! characters every LP/MPS reader accepts (letters, digits, `_` and `.`), joined with `(`,
//! `,` and `)`. Sanitising can make two names equal (`us-east` and `us_east`), and the IR may
//! hold several rows with one origin, so names are made unique: a repeated name gets `;2`,
//! `;3`, ... appended. No piece ever contains `;`, so a suffixed name never equals another.
//!
//! Names are never stored one `String` per column: a [`NameTable`] keeps the sanitised pieces
//! and writes a name straight into an output buffer. Repeats are found by hashing each
//! written name into an open-addressing table of 64-bit hashes; a hash collision between two
//! different names only costs one needless suffix.

use crate::ir::{ColId, Model, Origin, RowId};
use std::collections::HashMap;

/// Words an LP reader could take for a keyword when they stand alone as a name.
const LP_RESERVED: &[&str] = &[
    "bin", "binaries", "binary", "bound", "bounds", "end", "free", "gen", "general", "generals",
    "inf", "infinity", "int", "integer", "integers", "max", "maximise", "maximize", "maximum",
    "min", "minimise", "minimize", "minimum", "semi", "semis", "sos", "st", "subject", "such",
];

/// Sanitised name pieces of one model, able to write any column or row name.
pub(crate) struct NameTable<'m> {
    model: &'m Model,
    /// Sanitised declaration names (never empty, never starting with a digit or `.`).
    decls: Vec<Vec<u8>>,
    arity: Vec<usize>,
    /// Sanitised element names, concatenated; element `e` is `elem_start[e]..elem_start[e+1]`.
    elem_bytes: Vec<u8>,
    elem_start: Vec<usize>,
    col_suffix: HashMap<u32, u32>,
    row_suffix: HashMap<u32, u32>,
    objective: Vec<u8>,
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

/// A fast 64-bit hash of a byte string (word-at-a-time multiply–rotate, then a finaliser).
fn hash_bytes(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    // splitmix64 finaliser: the table index uses the low bits.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Open-addressing set of hashes that counts repeats: `insert` returns how many times the
/// hash was seen before.
struct RepeatCounter {
    slots: Vec<u64>,
    mask: usize,
    repeats: HashMap<u64, u32>,
}

impl RepeatCounter {
    fn with_capacity(n: usize) -> Self {
        let size = (n.max(4) * 2).next_power_of_two();
        RepeatCounter {
            slots: vec![0; size],
            mask: size - 1,
            repeats: HashMap::new(),
        }
    }

    fn insert(&mut self, hash: u64) -> u32 {
        // 0 marks an empty slot.
        let h = hash.max(1);
        let mut i = (h as usize) & self.mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                self.slots[i] = h;
                return 0;
            }
            if slot == h {
                let n = self.repeats.entry(h).or_insert(0);
                *n += 1;
                return *n;
            }
            i = (i + 1) & self.mask;
        }
    }
}

impl<'m> NameTable<'m> {
    /// Sanitise the pieces and find the names that need a suffix.
    pub(crate) fn new(model: &'m Model) -> Self {
        let decls: Vec<Vec<u8>> = model
            .decls
            .iter()
            .map(|d| sanitize_head(&d.name, d.index_names.is_empty()))
            .collect();
        let arity = model.decls.iter().map(|d| d.index_names.len()).collect();
        let mut elem_bytes = Vec::new();
        let mut elem_start = Vec::with_capacity(model.elements.len() + 1);
        elem_start.push(0);
        for e in &model.elements {
            sanitize_piece(e, &mut elem_bytes);
            elem_start.push(elem_bytes.len());
        }
        let objective = match &model.objective {
            Some(o) if !o.name.is_empty() => sanitize_head(&o.name, true),
            _ => b"obj".to_vec(),
        };
        let mut table = NameTable {
            model,
            decls,
            arity,
            elem_bytes,
            elem_start,
            col_suffix: HashMap::new(),
            row_suffix: HashMap::new(),
            objective,
        };
        table.col_suffix = table.find_repeats(None, model.columns.iter().map(|c| c.origin));
        let objective = table.objective.clone();
        table.row_suffix =
            table.find_repeats(Some(&objective), model.rows.iter().map(|r| r.origin));
        table
    }

    /// Entities whose name was already written by an earlier one, with their suffix number.
    /// `reserved` is a name taken before the first entity (the objective row).
    fn find_repeats(
        &self,
        reserved: Option<&[u8]>,
        origins: impl ExactSizeIterator<Item = Origin>,
    ) -> HashMap<u32, u32> {
        let mut seen = RepeatCounter::with_capacity(origins.len() + 1);
        if let Some(name) = reserved {
            seen.insert(hash_bytes(name));
        }
        let mut suffix = HashMap::new();
        let mut scratch = Vec::with_capacity(128);
        for (i, origin) in origins.enumerate() {
            scratch.clear();
            self.write_origin(origin, &mut scratch);
            let before = seen.insert(hash_bytes(&scratch));
            if before > 0 {
                suffix.insert(i as u32, before + 1);
            }
        }
        suffix
    }

    fn write_elem(&self, e: u32, out: &mut Vec<u8>) {
        let e = e as usize;
        match (self.elem_start.get(e), self.elem_start.get(e + 1)) {
            (Some(&a), Some(&b)) => out.extend_from_slice(&self.elem_bytes[a..b]),
            _ => out.push(b'_'),
        }
    }

    /// `decl(e1,e2)` or `decl` for a scalar, without suffix.
    fn write_origin(&self, origin: Origin, out: &mut Vec<u8>) {
        let d = origin.decl.0 as usize;
        match self.decls.get(d) {
            Some(name) => out.extend_from_slice(name),
            None => out.push(b'_'),
        }
        let arity = self.arity.get(d).copied().unwrap_or(0);
        if arity == 0 {
            return;
        }
        let start = origin.tuple as usize;
        let tuple = self
            .model
            .tuples
            .get(start..start.saturating_add(arity))
            .unwrap_or(&[]);
        out.push(b'(');
        for (k, &e) in tuple.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            self.write_elem(e, out);
        }
        out.push(b')');
    }

    fn write_suffix(n: u32, out: &mut Vec<u8>) {
        out.push(b';');
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// Append the unique name of column `j`.
    #[inline]
    pub(crate) fn write_col(&self, j: usize, out: &mut Vec<u8>) {
        self.write_origin(self.model.columns[j].origin, out);
        if !self.col_suffix.is_empty() {
            if let Some(&n) = self.col_suffix.get(&(j as u32)) {
                Self::write_suffix(n, out);
            }
        }
    }

    /// Append the unique name of row `i`.
    #[inline]
    pub(crate) fn write_row(&self, i: usize, out: &mut Vec<u8>) {
        self.write_origin(self.model.rows[i].origin, out);
        if !self.row_suffix.is_empty() {
            if let Some(&n) = self.row_suffix.get(&(i as u32)) {
                Self::write_suffix(n, out);
            }
        }
    }

    /// The objective row's name (distinct from every row name).
    pub(crate) fn objective(&self) -> &[u8] {
        &self.objective
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
            vec!["x(us_east)", "x(us_east);2", "x(us_east);3", "free_"]
        );
        assert_eq!(objective_row_name(&m), "cost");
        assert_eq!(row_names(&m), vec!["cost;2", "cost;3", "_2nd"]);
    }

    #[test]
    fn hash_spreads_similar_names() {
        assert_ne!(hash_bytes(b"x(a)"), hash_bytes(b"x(b)"));
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
    }
}
