//! The incremental state of the local search: which option each item takes, the activity of
//! every non-item row from the items, and for every other column (a site that opens) the
//! violation of its rows with it at 0 and at 1, so that its value follows the items at
//! once. A move changes two columns and the rows they are in; its effect on the totals
//! (violation, then cost) is read off and undone when it does not pay.

use super::shape::{Shape, NONE};
use crate::ir::{Model, RowId};
use smallvec::SmallVec;
use std::sync::Arc;

/// Totals compared lexicographically: violation first, then cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    pub violation: f64,
    pub cost: f64,
}

/// Violations below this count as none (the verifier's tolerance is relative, 1e-6).
pub const VIOLATION_EPS: f64 = 1e-9;

impl Score {
    /// True when `self` is at least as good as `other`.
    pub fn no_worse(&self, other: &Score) -> bool {
        if self.violation < other.violation - VIOLATION_EPS {
            return true;
        }
        if self.violation > other.violation + VIOLATION_EPS {
            return false;
        }
        self.cost <= other.cost + 1e-9 * other.cost.abs().max(1.0)
    }

    /// True when `self` is strictly better than `other`.
    pub fn better(&self, other: &Score) -> bool {
        self.no_worse(other) && !other.no_worse(self)
    }
}

/// Items with their option column, `(item, option)`.
pub type ItemOptions = Arc<[(u32, u32)]>;

pub struct State<'a> {
    pub model: &'a Model,
    pub shape: &'a Shape,
    /// The option (column) of each item, [`NONE`] before it is placed.
    pub choice: Vec<u32>,
    /// Activity of each row from item columns.
    act: Vec<f64>,
    /// Compact index of each other column ([`NONE`] for item columns).
    other_idx: Vec<u32>,
    /// Other columns by compact index.
    pub others: Vec<u32>,
    /// Violation of the rows of each other column with it at 0 and at 1.
    v0: Vec<f64>,
    v1: Vec<f64>,
    /// Value of each other column.
    pub y: Vec<bool>,
    pub violation: f64,
    pub cost: f64,
    /// Per other column (compact index): the items with an option in its rows, with that
    /// option, once each in item order; built on first use (the model's structure does not
    /// change while the state does).
    at_place: Vec<Option<ItemOptions>>,
}

impl<'a> State<'a> {
    /// The state with no item placed.
    pub fn new(model: &'a Model, shape: &'a Shape) -> Self {
        let n = model.num_columns();
        let mut other_idx = vec![NONE; n];
        let mut others = Vec::new();
        for (c, idx) in other_idx.iter_mut().enumerate() {
            if shape.item_of_col[c] == NONE {
                *idx = others.len() as u32;
                others.push(c as u32);
            }
        }
        let mut s = State {
            model,
            shape,
            choice: vec![NONE; shape.items.len()],
            act: vec![0.0; model.num_rows()],
            other_idx,
            v0: vec![0.0; others.len()],
            v1: vec![0.0; others.len()],
            y: vec![false; others.len()],
            at_place: vec![None; others.len()],
            others,
            violation: 0.0,
            cost: 0.0,
        };
        s.recompute();
        s
    }

    /// The items with an option in the rows of other column `k` (compact index), once each,
    /// with that option, in item order.
    pub fn options_at(&mut self, k: usize) -> ItemOptions {
        if let Some(list) = &self.at_place[k] {
            return list.clone();
        }
        let shape = self.shape;
        let mut out: Vec<(u32, u32)> = Vec::new();
        for (r, _) in shape.rows_of(self.others[k] as usize) {
            for (c, _) in self.model.row_entries(r) {
                let i = shape.item_of_col[c.0 as usize];
                if i != NONE {
                    out.push((i, c.0));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        let list: ItemOptions = out.into();
        self.at_place[k] = Some(list.clone());
        list
    }

    pub fn score(&self) -> Score {
        Score {
            violation: self.violation,
            cost: self.cost,
        }
    }

    fn row_violation(&self, r: RowId, value: f64) -> f64 {
        let row = &self.model.rows[r.0 as usize];
        if value < row.lo {
            (row.lo - value) / row.lo.abs().max(1.0)
        } else if value > row.hi {
            (value - row.hi) / row.hi.abs().max(1.0)
        } else {
            0.0
        }
    }

    /// Recompute every total from the choices (against drift).
    pub fn recompute(&mut self) {
        self.act.iter_mut().for_each(|a| *a = 0.0);
        let mut cost = 0.0;
        for &c in self.choice.iter().filter(|&&c| c != NONE) {
            cost += self.shape.cost[c as usize];
            for (r, v) in self.shape.rows_of(c as usize) {
                self.act[r.0 as usize] += v;
            }
        }
        self.v0.iter_mut().for_each(|v| *v = 0.0);
        self.v1.iter_mut().for_each(|v| *v = 0.0);
        let mut violation = 0.0;
        for &r in &self.shape.rows {
            let a = self.act[r.0 as usize];
            match self.shape.other_in_row[r.0 as usize] {
                Some((yc, ay)) => {
                    let k = self.other_idx[yc.0 as usize] as usize;
                    self.v0[k] += self.row_violation(r, a);
                    self.v1[k] += self.row_violation(r, a + ay);
                }
                None => violation += self.row_violation(r, a),
            }
        }
        self.violation = violation;
        self.cost = cost;
        for k in 0..self.others.len() {
            self.settle(k);
        }
    }

    /// Take other column `k` out of the totals.
    fn unsettle(&mut self, k: usize) {
        let c = self.others[k] as usize;
        if self.y[k] {
            self.violation -= self.v1[k];
            self.cost -= self.shape.cost[c];
        } else {
            self.violation -= self.v0[k];
        }
    }

    /// Whether other column `k` is better at 1 than at 0 (within its bounds), with the
    /// violations `v0` and `v1` of its rows at 0 and at 1.
    fn one(&self, k: usize, v0: f64, v1: f64) -> bool {
        let c = self.others[k] as usize;
        let col = &self.model.columns[c];
        if col.lb >= 1.0 {
            true
        } else if col.ub < 1.0 {
            false
        } else {
            Score {
                violation: v1,
                cost: self.shape.cost[c],
            }
            .better(&Score {
                violation: v0,
                cost: 0.0,
            })
        }
    }

    /// Choose other column `k`'s value (the better of 0 and 1 within its bounds) and put it
    /// into the totals.
    fn settle(&mut self, k: usize) {
        let one = self.one(k, self.v0[k], self.v1[k]);
        self.y[k] = one;
        if one {
            self.violation += self.v1[k];
            self.cost += self.shape.cost[self.others[k] as usize];
        } else {
            self.violation += self.v0[k];
        }
    }

    /// The totals if unplaced item `i` were placed on option column `to`, without placing
    /// it: what [`Self::place`] and then [`Self::score`] give, up to rounding.
    pub fn peek(&self, i: usize, to: u32) -> Score {
        debug_assert_eq!(self.choice[i], NONE, "peek places an unplaced item");
        let shape = self.shape;
        let mut cost = self.cost + shape.cost[to as usize];
        let mut violation = self.violation;
        // Other columns whose rows change: the change of their violation at 0 and at 1.
        let mut others: SmallVec<[(usize, f64, f64); 4]> = SmallVec::new();
        for (row, d) in shape.rows_of(to as usize) {
            let ri = row.0 as usize;
            let a = self.act[ri];
            match shape.other_in_row[ri] {
                Some((yc, ay)) => {
                    let k = self.other_idx[yc.0 as usize] as usize;
                    let d0 = self.row_violation(row, a + d) - self.row_violation(row, a);
                    let d1 = self.row_violation(row, a + d + ay) - self.row_violation(row, a + ay);
                    match others.iter_mut().find(|x| x.0 == k) {
                        Some(x) => {
                            x.1 += d0;
                            x.2 += d1;
                        }
                        None => others.push((k, d0, d1)),
                    }
                }
                None => violation += self.row_violation(row, a + d) - self.row_violation(row, a),
            }
        }
        for (k, d0, d1) in others {
            let y_cost = shape.cost[self.others[k] as usize];
            if self.y[k] {
                violation -= self.v1[k];
                cost -= y_cost;
            } else {
                violation -= self.v0[k];
            }
            let (v0, v1) = (self.v0[k] + d0, self.v1[k] + d1);
            if self.one(k, v0, v1) {
                violation += v1;
                cost += y_cost;
            } else {
                violation += v0;
            }
        }
        Score { violation, cost }
    }

    /// Add `dx` (±1) to item column `c`.
    fn change(&mut self, c: usize, dx: f64) {
        self.cost += self.shape.cost[c] * dx;
        let shape = self.shape;
        for (r, v) in shape.rows_of(c) {
            let ri = r.0 as usize;
            let a = self.act[ri];
            match shape.other_in_row[ri] {
                Some((yc, ay)) => {
                    let k = self.other_idx[yc.0 as usize] as usize;
                    self.unsettle(k);
                    self.v0[k] += self.row_violation(r, a + v * dx) - self.row_violation(r, a);
                    self.v1[k] +=
                        self.row_violation(r, a + v * dx + ay) - self.row_violation(r, a + ay);
                    self.act[ri] = a + v * dx;
                    self.settle(k);
                }
                None => {
                    self.violation += self.row_violation(r, a + v * dx) - self.row_violation(r, a);
                    self.act[ri] = a + v * dx;
                }
            }
        }
    }

    /// Put item `i` on option column `to` (`NONE`: unplace it).
    pub fn place(&mut self, i: usize, to: u32) {
        let from = self.choice[i];
        if from == to {
            return;
        }
        if from != NONE {
            self.change(from as usize, -1.0);
        }
        if to != NONE {
            self.change(to as usize, 1.0);
        }
        self.choice[i] = to;
    }

    /// The values of every column.
    pub fn values(&self) -> Vec<f64> {
        let mut v = vec![0.0; self.model.num_columns()];
        for &c in self.choice.iter().filter(|&&c| c != NONE) {
            v[c as usize] = 1.0;
        }
        for (k, &c) in self.others.iter().enumerate() {
            if self.y[k] {
                v[c as usize] = 1.0;
            }
        }
        v
    }

    /// The compact index of other column `c`, if it is one.
    pub fn other_index(&self, c: usize) -> Option<usize> {
        let k = self.other_idx[c];
        (k != NONE).then_some(k as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three places of capacity 5, six items of sizes 1 to 3: moves that fill, overfill and
    /// empty places, open and close them.
    const MODEL: &str = r#"
set places = {a, b, c}
set items = {i1, i2, i3, i4, i5, i6}
param fixed[p in places]: real = {a: 10, b: 30, c: 12}
param near[p in places]: real = {a: 1, b: 2, c: 3}
param size[i in items]: int = {i1: 1, i2: 2, i3: 3, i4: 1, i5: 2, i6: 3}
decide open[p in places]: bool
decide x[i in items, p in places]: bool
constraint one[i in items]: sum(p in places) x[i, p] == 1
constraint cap[p in places]: sum(i in items) size[i] * x[i, p] <= 5 * open[p]
constraint tie[i in items, p in places]: x[i, p] <= open[p]
minimize total: sum(p in places) fixed[p] * open[p] + sum(i in items, p in places) near[p] * x[i, p]
"#;

    /// Every peeked score is the score the placement then gives, over a long random walk of
    /// moves (each item taken off its option first; some left unplaced) from every item
    /// unplaced.
    #[test]
    fn a_peek_gives_the_score_of_the_move() {
        let model = super::super::test_model(MODEL);
        let shape = Shape::of(&model).unwrap();
        let mut s = State::new(&model, &shape);
        let mut rng = 7u64;
        let mut changed = 0;
        for _ in 0..5000 {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let i = (rng >> 33) as usize % shape.items.len();
            let options = &shape.items[i].1;
            let pick = (rng >> 40) as usize % (options.len() + 1);
            let Some(to) = options.get(pick).map(|c| c.0) else {
                s.place(i, NONE);
                continue;
            };
            let before = s.score();
            s.place(i, NONE);
            let peeked = s.peek(i, to);
            s.place(i, to);
            let after = s.score();
            assert!(
                (peeked.violation - after.violation).abs() <= 1e-9
                    && (peeked.cost - after.cost).abs() <= 1e-9,
                "move of item {i} to {to}: peeked {peeked:?}, got {after:?}"
            );
            changed += usize::from(after != before);
        }
        // The walk is not idle: most moves change the totals.
        assert!(changed > 2000, "{changed}");
    }
}
