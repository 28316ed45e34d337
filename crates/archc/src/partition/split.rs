//! Splitting an instantiated model into parts: the elements of one index set (the granular
//! items, such as services) are dealt at random (seeded) into `k` parts; every column indexed
//! by an item belongs to that item's part, every other column is shared. Rows are classed by
//! the parts of their item columns: a row of one part stays as it is in that part, a row
//! without items goes to every part, and a row that sums over items of several parts (a
//! shared resource) goes to every part with its sides and shared columns scaled by the
//! part's share of the items, as POP does.

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ColId, Model, Objective, ObjectiveTerm, Origin, Row, RowId};
use rustc_hash::FxHashMap;

/// Marks a shared column (indexed by no item) in [`Split::part_of_col`].
pub const SHARED: u32 = u32::MAX;

/// Marks a column of a split item (see [`Split::split_large`]) in [`Split::part_of_col`]:
/// every part holds a copy of it, a piece of the item.
pub const PIECES: u32 = u32::MAX - 1;

/// How the rows of a model relate to the parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowClass {
    /// All its item columns (and its index tuple) belong to this part.
    Local(u32),
    /// No item columns: every part keeps it as it is.
    Shared,
    /// Sums over items of several parts: scaled by each part's share.
    Coupling,
}

/// A model's columns and rows dealt into parts.
#[derive(Clone, Debug)]
pub struct Split {
    pub k: u32,
    pub seed: u64,
    /// The name of the split set.
    pub set: String,
    /// The part of each column, or [`SHARED`].
    pub part_of_col: Vec<u32>,
    /// The class of each row.
    pub row_class: Vec<RowClass>,
    /// Items (elements of the split set) in each part; split items count in none.
    pub items_per_part: Vec<usize>,
    /// Items split into `k` pieces, one in each part (POP's splitting of large items), and
    /// the fraction of the items asked for.
    pub split_items: usize,
    pub split_large: f64,
    /// The item each item column belongs to (element id), [`SHARED`] for shared columns.
    pub item_of_col: Vec<u32>,
    /// Where the set was named (the command line unless the caller says otherwise).
    pub from: super::PartitionFrom,
}

/// A small deterministic generator (SplitMix64): the same seed deals the same parts on
/// every machine, which shards rely on.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Deal `items` (element ids) into `k` parts of sizes that differ by at most one, in a
/// seeded random order. Returns element id → part.
pub fn deal(items: &[u32], k: u32, seed: u64) -> FxHashMap<u32, u32> {
    let mut order: Vec<u32> = items.to_vec();
    let mut rng = SplitMix::new(seed);
    for i in (1..order.len()).rev() {
        let j = rng.below(i + 1);
        order.swap(i, j);
    }
    order
        .iter()
        .enumerate()
        .map(|(pos, &e)| (e, (pos % k as usize) as u32))
        .collect()
}

impl Split {
    /// Split `model` by the items `items` (element ids of the split set) into `k` parts.
    /// E0660 when no column is indexed by an item (there is nothing to split).
    pub fn new(
        model: &Model,
        set: &str,
        items: &[u32],
        k: u32,
        seed: u64,
    ) -> Result<Split, Diagnostic> {
        let part_of_item = deal(items, k, seed);
        let mut items_per_part = vec![0usize; k as usize];
        for &p in part_of_item.values() {
            items_per_part[p as usize] += 1;
        }
        let item_in = |origin: Origin| -> Option<u32> {
            model
                .tuple_of(origin)
                .iter()
                .copied()
                .find(|e| part_of_item.contains_key(e))
        };
        let mut part_of_col = Vec::with_capacity(model.num_columns());
        let mut item_of_col = Vec::with_capacity(model.num_columns());
        // Columns of one declaration share their arity, and consecutive columns often share
        // their origin's declaration: the lookup is per column all the same (cheap).
        for c in &model.columns {
            match item_in(c.origin) {
                Some(e) => {
                    part_of_col.push(part_of_item[&e]);
                    item_of_col.push(e);
                }
                None => {
                    part_of_col.push(SHARED);
                    item_of_col.push(SHARED);
                }
            }
        }
        if part_of_col.iter().all(|&p| p == SHARED) {
            return Err(Diagnostic::error(
                Code::E0660,
                format!("no decision is indexed over `{set}`, so partitioning it splits nothing"),
            )
            .help(format!(
                "partition the set whose elements are the granular items of the model (the one a decision such as `assign[j in {set}, ...]` runs over)"
            )));
        }
        let mut row_class = Vec::with_capacity(model.num_rows());
        for (i, row) in model.rows.iter().enumerate() {
            let mut parts = None;
            let mut several = false;
            for (c, _) in model.row_entries(RowId(i as u32)) {
                let p = part_of_col[c.0 as usize];
                if p == SHARED {
                    continue;
                }
                match parts {
                    None => parts = Some(p),
                    Some(q) if q != p => several = true,
                    Some(_) => {}
                }
            }
            let own = item_in(row.origin).map(|e| part_of_item[&e]);
            row_class.push(match (parts, several, own) {
                (_, true, _) => RowClass::Coupling,
                (Some(p), false, _) => RowClass::Local(p),
                (None, _, Some(p)) => RowClass::Local(p),
                (None, _, None) => RowClass::Shared,
            });
        }
        Ok(Split {
            k,
            seed,
            set: set.to_string(),
            part_of_col,
            row_class,
            items_per_part,
            split_items: 0,
            split_large: 0.0,
            item_of_col,
            from: super::PartitionFrom::CommandLine,
        })
    }

    /// Split the largest items into `k` pieces, one in every part, as POP splits large
    /// clients, so that the random deal leaves no part with more than its share of the big
    /// ones. `fraction` of all items (rounded) are split, the largest first, among the items
    /// that can be: every column continuous (a piece carries any fraction of the item's
    /// values, so the pieces' sum is a plan of the item by linearity), and at least one
    /// row of its own (indexed by the item, over its columns alone) with a finite side (a
    /// demand, a volume), whose largest magnitude is the item's size. A piece's column is a column of its part like
    /// any other; every row over a split item's columns becomes a coupling row, so each part
    /// holds it with its sides (and shared columns) scaled by the part's share, the piece's
    /// coefficients unscaled: the sum of the pieces meets the row. The merged value of a
    /// split item's column is the sum of its pieces. Returns how many items were split.
    pub fn split_large(&mut self, model: &Model, fraction: f64) -> usize {
        if self.k < 2 || fraction.is_nan() || fraction <= 0.0 {
            return 0;
        }
        self.split_large = fraction;
        // The item of each column's item, its size and whether it can be split.
        let mut size: FxHashMap<u32, f64> = FxHashMap::default();
        let mut splittable: FxHashMap<u32, bool> = FxHashMap::default();
        for (c, col) in model.columns.iter().enumerate() {
            let item = self.item_of_col[c];
            if item == SHARED {
                continue;
            }
            let ok = splittable.entry(item).or_insert(true);
            *ok &= col.kind == crate::ir::VarKind::Continuous;
        }
        for (i, row) in model.rows.iter().enumerate() {
            let mut item = None;
            let mut own = true;
            for (c, _) in model.row_entries(RowId(i as u32)) {
                let it = self.item_of_col[c.0 as usize];
                match item {
                    _ if it == SHARED => own = false,
                    None => item = Some(it),
                    Some(x) if x != it => own = false,
                    Some(_) => {}
                }
            }
            // The item's own row: indexed by the item, over its columns alone.
            let (Some(item), true) = (item, own) else {
                continue;
            };
            if !model.tuple_of(row.origin).contains(&item) {
                continue;
            }
            let side = [row.lo, row.hi]
                .into_iter()
                .filter(|v| v.is_finite())
                .fold(0.0f64, |m, v| m.max(v.abs()));
            let s = size.entry(item).or_insert(0.0);
            *s = s.max(side);
        }
        let total: usize = self.items_per_part.iter().sum();
        let want = ((fraction.min(1.0) * total as f64).round() as usize).min(total);
        let mut candidates: Vec<(u32, f64)> = size
            .into_iter()
            .filter(|&(item, s)| s > 0.0 && splittable.get(&item).copied().unwrap_or(false))
            .collect();
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.truncate(want);
        if candidates.is_empty() {
            return 0;
        }
        let chosen: rustc_hash::FxHashSet<u32> = candidates.iter().map(|c| c.0).collect();
        let mut counted: rustc_hash::FxHashSet<u32> = rustc_hash::FxHashSet::default();
        for c in 0..self.part_of_col.len() {
            let item = self.item_of_col[c];
            if !chosen.contains(&item) {
                continue;
            }
            let p = self.part_of_col[c];
            if counted.insert(item) && p < self.k {
                self.items_per_part[p as usize] -= 1;
            }
            self.part_of_col[c] = PIECES;
        }
        for (i, class) in self.row_class.iter_mut().enumerate() {
            if model
                .row_entries(RowId(i as u32))
                .any(|(c, _)| self.part_of_col[c.0 as usize] == PIECES)
            {
                *class = RowClass::Coupling;
            }
        }
        self.split_items = chosen.len();
        chosen.len()
    }

    /// The share of the items in part `p`: what it gets of every shared resource (each
    /// split item counts `1 / k` in every part).
    pub fn share(&self, p: u32) -> f64 {
        let piece = self.split_items as f64 / self.k as f64;
        let total = self.items_per_part.iter().sum::<usize>() as f64 + self.split_items as f64;
        if total == 0.0 {
            return 1.0;
        }
        (self.items_per_part[p as usize] as f64 + piece) / total
    }

    /// Number of coupling rows (shared resources the parts compete for).
    pub fn coupling_rows(&self) -> usize {
        self.row_class
            .iter()
            .filter(|c| **c == RowClass::Coupling)
            .count()
    }
}

/// One part as a model of its own, with the map from its columns to the full model's.
pub struct PartModel {
    pub model: Model,
    /// Full-model column of each part column.
    pub cols: Vec<ColId>,
}

/// Build the model of part `p`: its item columns, the pieces of the split items and all
/// shared columns; its local rows, the shared rows, and the coupling rows restricted to its
/// items and pieces with sides and shared columns scaled by its share; its items' and
/// pieces' objective terms and the shared ones scaled by its share.
pub fn part_model(full: &Model, split: &Split, p: u32) -> PartModel {
    let w = split.share(p);
    let mut model = Model::new();
    model.decls = full.decls.clone();
    model.elements = full.elements.clone();
    model.scenario_elements = full.scenario_elements.clone();
    let mut local = vec![u32::MAX; full.num_columns()];
    let mut cols = Vec::new();
    for (i, c) in full.columns.iter().enumerate() {
        let q = split.part_of_col[i];
        if q == p || q == SHARED || q == PIECES {
            let mut col = *c;
            col.origin = copy_origin(full, &mut model, c.origin);
            local[i] = model.add_column(col).0;
            cols.push(ColId(i as u32));
        }
    }
    let mut entries: Vec<(ColId, f64)> = Vec::new();
    for (i, row) in full.rows.iter().enumerate() {
        let scale = match split.row_class[i] {
            RowClass::Local(q) if q == p => None,
            RowClass::Local(_) => continue,
            RowClass::Shared => None,
            RowClass::Coupling => Some(w),
        };
        entries.clear();
        for (c, v) in full.row_entries(RowId(i as u32)) {
            let to = local[c.0 as usize];
            if to == u32::MAX {
                continue;
            }
            let shared = split.part_of_col[c.0 as usize] == SHARED;
            let v = match scale {
                Some(w) if shared => v * w,
                _ => v,
            };
            entries.push((ColId(to), v));
        }
        if entries.is_empty() {
            continue;
        }
        let (lo, hi) = match scale {
            Some(w) => (row.lo * w, row.hi * w),
            None => (row.lo, row.hi),
        };
        let origin = copy_origin(full, &mut model, row.origin);
        model.add_row(Row { lo, hi, origin }, entries.iter().copied());
    }
    model.objective = objective_over(full, &local, w, |c, v| {
        if split.part_of_col[c.0 as usize] == SHARED {
            v * w
        } else {
            v
        }
    });
    PartModel { model, cols }
}

/// `origin` of `full` copied into `model` (its index tuple re-interned there).
pub(super) fn copy_origin(full: &Model, model: &mut Model, origin: Origin) -> Origin {
    Origin {
        decl: origin.decl,
        tuple: model.add_tuple(full.tuple_of(origin)),
    }
}

/// The objective of `full` over the columns kept in a sub-model (`local[c]` is the sub-model's
/// column of `c`, `u32::MAX` when dropped): constants times `constant_factor`, each kept
/// coefficient as `coef` gives it.
pub(super) fn objective_over(
    full: &Model,
    local: &[u32],
    constant_factor: f64,
    coef: impl Fn(ColId, f64) -> f64,
) -> Option<Objective> {
    full.objective.as_ref().map(|obj| Objective {
        name: obj.name.clone(),
        sense: obj.sense,
        span: obj.span,
        unit: obj.unit.clone(),
        terms: obj
            .terms
            .iter()
            .map(|t| ObjectiveTerm {
                label: t.label.clone(),
                span: t.span,
                constant: t.constant * constant_factor,
                coefs: t
                    .coefs
                    .iter()
                    .filter_map(|&(c, v)| {
                        let to = local[c.0 as usize];
                        (to != u32::MAX).then(|| (ColId(to), coef(c, v)))
                    })
                    .collect(),
            })
            .collect(),
    })
}
