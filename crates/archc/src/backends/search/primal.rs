//! Plans from a Lagrangian relaxation (the Lagrangian heuristic of facility location), for
//! the search backend. The relaxed problem ([`crate::solve::lagrange`]) says which other
//! columns (places) to open and prices every option (its reduced cost: its cost plus the
//! multipliers of the capacity rows it uses). [`PlanBuilder::build`] turns that into a plan:
//!
//! 1. the places the relaxed solution opens, plus (when the shape has one capacity row per
//!    place) the closed places of lowest opening cost per unit of capacity until the open
//!    capacity holds the items' smallest demands;
//! 2. every item on an option among the open places, items of largest regret (the price of
//!    their second-best option over their best) first, each on its cheapest option that adds
//!    no violation; an item that fits nowhere open takes its best option anywhere, which
//!    opens its place;
//! 3. a few rounds of local improvement: relocations to each item's best option, emptying
//!    each opened place, opening each closed one (pulling items to it), kept when they pay.
//!
//! Places left without items close by themselves (the search state sets every other column
//! from the items). Nothing here is model-specific: places are the shape's other columns.

use super::shape::{Shape, NONE};
use super::state::{State, VIOLATION_EPS};
use crate::ir::Model;

/// Builds plans from relaxed solutions; keeps its search state between plans.
pub struct PlanBuilder<'a> {
    state: State<'a>,
    /// Per other column (the state's compact order): the capacity its one capacity row holds
    /// when it is open and when it is closed. Empty when some place has no such row or
    /// several.
    capacity: Vec<(f64, f64)>,
    /// The sum over items of their smallest use of a capacity row.
    demand: f64,
}

/// The capacity row of option `c`: its row with an other column at a negative coefficient
/// and a finite upper side (`sum(use * x) <= capacity * open`), as (row, use, other column,
/// coefficient).
fn capacity_row(model: &Model, shape: &Shape, c: usize) -> Option<(usize, f64, u32, f64)> {
    shape.rows_of(c).find_map(|(r, v)| {
        let (y, ay) = shape.other_in_row[r.0 as usize]?;
        (ay < 0.0 && model.rows[r.0 as usize].hi.is_finite() && v > 0.0).then_some((
            r.0 as usize,
            v,
            y.0,
            ay,
        ))
    })
}

impl<'a> PlanBuilder<'a> {
    pub fn new(model: &'a Model, shape: &'a Shape) -> Self {
        let state = State::new(model, shape);
        // One capacity row per place, or no capacity check.
        let mut capacity = vec![(f64::NAN, f64::NAN); state.others.len()];
        let mut row_of_place = vec![usize::MAX; state.others.len()];
        let mut demand = 0.0;
        let mut structured = true;
        'items: for (_, options) in &shape.items {
            let mut least = f64::INFINITY;
            for c in options {
                let Some((r, v, y, ay)) = capacity_row(model, shape, c.0 as usize) else {
                    least = 0.0;
                    continue;
                };
                let Some(k) = state.other_index(y as usize) else {
                    structured = false;
                    break 'items;
                };
                if row_of_place[k] == usize::MAX {
                    row_of_place[k] = r;
                    let hi = model.rows[r].hi;
                    capacity[k] = (hi - ay, hi.max(0.0));
                } else if row_of_place[k] != r {
                    structured = false;
                    break 'items;
                }
                least = least.min(v);
            }
            demand += if least.is_finite() { least } else { 0.0 };
        }
        if !structured {
            capacity.clear();
        } else {
            for cap in &mut capacity {
                if cap.0.is_nan() {
                    *cap = (0.0, 0.0);
                }
            }
        }
        PlanBuilder {
            state,
            capacity,
            demand,
        }
    }

    /// The places (other columns, compact index) a plan may use: those in `open`, and when
    /// their capacity cannot hold the items, the closed ones of lowest opening cost per unit
    /// of capacity until it can.
    pub fn places(&self, open: &[bool]) -> Vec<bool> {
        let mut open = open.to_vec();
        if self.capacity.len() != open.len() {
            return open;
        }
        let s = &self.state;
        let mut held: f64 = open
            .iter()
            .zip(&self.capacity)
            .map(|(&o, &(at1, at0))| if o { at1 } else { at0 })
            .sum();
        let mut closed: Vec<(f64, usize)> = (0..open.len())
            .filter(|&k| !open[k] && s.model.columns[s.others[k] as usize].ub >= 1.0)
            .filter_map(|k| {
                let (at1, at0) = self.capacity[k];
                let gain = at1 - at0;
                (gain > 0.0).then(|| (s.shape.cost[s.others[k] as usize] / gain, k))
            })
            .collect();
        closed.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, k) in closed {
            if held >= self.demand {
                break;
            }
            open[k] = true;
            held += self.capacity[k].0 - self.capacity[k].1;
        }
        open
    }

    /// A plan (the option column of each item) from a relaxed solution: `open` per other
    /// column (compact index, in column order), `price` per option column (its reduced cost;
    /// only differences within an item matter). The plan of [`Self::assign`], improved.
    pub fn build(&mut self, open: &[bool], price: &dyn Fn(usize) -> f64) -> Vec<u32> {
        self.build_with_rounds(open, price, IMPROVE_ROUNDS)
    }

    /// [`Self::build`] with at most `rounds` rounds of local improvement.
    pub fn build_with_rounds(
        &mut self,
        open: &[bool],
        price: &dyn Fn(usize) -> f64,
        rounds: usize,
    ) -> Vec<u32> {
        self.assign(open, price);
        improve(&mut self.state, rounds);
        self.state.choice.clone()
    }

    /// Steps 1 and 2 of [`Self::build`]: every item on an option among [`Self::places`] by
    /// regret, before any improvement.
    pub fn assign(&mut self, open: &[bool], price: &dyn Fn(usize) -> f64) -> Vec<u32> {
        let open = self.places(open);
        let s = &mut self.state;
        let shape = s.shape;
        for i in 0..shape.items.len() {
            s.place(i, NONE);
        }
        s.recompute();
        let allowed = |s: &State<'_>, c: usize| {
            shape.rows_of(c).all(|(r, _)| {
                shape.other_in_row[r.0 as usize]
                    .is_none_or(|(y, _)| s.other_index(y.0 as usize).is_none_or(|k| open[k]))
            })
        };
        // Each item's allowed options by price, and its regret.
        let mut ranked: Vec<Vec<(f64, u32)>> = Vec::with_capacity(shape.items.len());
        let mut order: Vec<(f64, usize)> = Vec::with_capacity(shape.items.len());
        for (i, (_, options)) in shape.items.iter().enumerate() {
            let mut r: Vec<(f64, u32)> = options
                .iter()
                .filter(|c| s.model.columns[c.0 as usize].ub >= 1.0 && allowed(s, c.0 as usize))
                .map(|c| (price(c.0 as usize), c.0))
                .collect();
            r.sort_by(|a, b| a.0.total_cmp(&b.0));
            let regret = match r.as_slice() {
                [] => f64::INFINITY,
                [_] => f64::MAX,
                [a, b, ..] => b.0 - a.0,
            };
            ranked.push(r);
            order.push((regret, i));
        }
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in &order {
            let before = s.violation;
            let mut placed = false;
            for &(_, c) in &ranked[i] {
                s.place(i, c);
                if s.violation <= before + VIOLATION_EPS {
                    placed = true;
                    break;
                }
            }
            if !placed {
                s.place(i, NONE);
                let to = super::best_option(s, i, None);
                s.place(i, to);
            }
        }
        s.choice.clone()
    }
}

/// Rounds of [`improve`] at most.
const IMPROVE_ROUNDS: usize = 3;

/// Local improvement of a plan, deterministic: each item relocated to its best option, then
/// each opened place emptied, each closed place opened (items pulled to it) when that pays;
/// repeated while a round improves, at most `rounds` times.
fn improve(s: &mut State<'_>, rounds: usize) {
    for _ in 0..rounds {
        let before = s.score();
        for i in 0..s.shape.items.len() {
            super::relocate(s, i);
        }
        for k in 0..s.others.len() {
            if s.y[k] {
                super::try_moves(s, |s, moved| super::empty_place(s, k, moved));
            } else {
                super::try_moves(s, |s, moved| super::pull_to_place(s, k, moved));
            }
        }
        if !s.score().better(&before) {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three places of capacity 4 (opening costs 10, 30, 12), four items of demand 2, each
    /// cheapest at place `a`, then `b`, then `c`.
    const MODEL: &str = r#"
set places = {a, b, c}
set items = {i1, i2, i3, i4}
param fixed[p in places]: real = {a: 10, b: 30, c: 12}
param near[p in places]: real = {a: 1, b: 2, c: 3}
decide open[p in places]: bool
decide x[i in items, p in places]: bool
constraint one[i in items]: sum(p in places) x[i, p] == 1
constraint cap[p in places]: sum(i in items) 2 * x[i, p] <= 4 * open[p]
constraint tie[i in items, p in places]: x[i, p] <= open[p]
minimize total: sum(p in places) fixed[p] * open[p] + sum(i in items, p in places) near[p] * x[i, p]
"#;

    fn model() -> Model {
        super::super::test_model(MODEL)
    }

    /// How many items `plan` puts on each place, by the place's name.
    fn counts(model: &Model, plan: &[u32]) -> std::collections::BTreeMap<String, usize> {
        let mut out = std::collections::BTreeMap::new();
        for &c in plan {
            assert_ne!(c, NONE, "an item without a place");
            let name = model.column_name(crate::ir::ColId(c));
            let place = name.rsplit(", ").next().unwrap().trim_end_matches(']');
            *out.entry(place.to_string()).or_insert(0) += 1;
        }
        out
    }

    #[test]
    fn the_plan_uses_the_places_the_relaxed_solution_opens_within_capacity() {
        let model = model();
        let shape = Shape::of(&model).unwrap();
        let mut b = PlanBuilder::new(&model, &shape);
        assert_eq!(b.demand, 8.0);
        assert_eq!(b.capacity, vec![(4.0, 0.0); 3]);
        let price = |c: usize| shape.cost[c];
        // The relaxed solution opens a and b, which hold the items: the plan uses them (two
        // items each, the capacity), not c, though c opens for less than b.
        assert_eq!(b.places(&[true, true, false]), vec![true, true, false]);
        let plan = b.assign(&[true, true, false], &price);
        let want: std::collections::BTreeMap<String, usize> =
            [("a".to_string(), 2), ("b".to_string(), 2)].into();
        assert_eq!(counts(&model, &plan), want);
        // It opens a alone, which holds half: c, the cheaper per unit of capacity of the
        // closed places, is added, and b stays closed.
        assert_eq!(b.places(&[true, false, false]), vec![true, false, true]);
        let plan = b.assign(&[true, false, false], &price);
        let want: std::collections::BTreeMap<String, usize> =
            [("a".to_string(), 2), ("c".to_string(), 2)].into();
        assert_eq!(counts(&model, &plan), want);
        // The improved plan from a and b closes b for c (12 + 3 + 3 < 30 + 2 + 2), and
        // meets the model's rows.
        let plan = b.build(&[true, true, false], &price);
        assert_eq!(counts(&model, &plan), want);
        let values = b.state.values();
        assert!(crate::solve::verify::verify(&model, &values, &Default::default()).is_ok());
        assert_eq!(
            crate::solve::verify::objective_value(&model, &values),
            10.0 + 12.0 + 2.0 + 6.0
        );
    }
}
