//! The 0-1 knapsack of one place, for the Lagrangian bound that keeps each place's capacity
//! row ([`crate::solve::lagrange`]): among the options with a positive profit (minus their
//! reduced cost), take those of largest total profit within the capacity.
//!
//! The LP (fractional) knapsack is solved first (Dantzig: by profit per unit of weight up to
//! the break item). With integer weights the exact optimum follows: a greedy fill gives a
//! lower value, every option whose profit at the break item's ratio differs from it by more
//! than the LP value minus the greedy value keeps its LP value (flipping it would lose more
//! than that), and the few left (the core) are solved by dynamic programming over the
//! capacity they leave. When the core is too large, or a weight is not an integer, the LP
//! value stands in: it is never below the exact one, so a bound that uses it stays valid.

/// An option that may go into the knapsack: its weight and profit (both positive).
#[derive(Clone, Copy, Debug)]
pub struct Candidate {
    pub weight: f64,
    pub profit: f64,
}

/// How a knapsack was solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Solved {
    /// The exact optimum (every candidate fits, the greedy fill meets the LP value, or the
    /// core was solved by dynamic programming).
    Exact,
    /// The LP (fractional) optimum: an upper value on the profit.
    Fractional,
}

/// Dynamic-programming cells (core options times capacity) allowed per knapsack.
pub const CORE_CELLS: usize = 1 << 22;

/// Reusable buffers.
#[derive(Default)]
pub struct Scratch {
    order: Vec<u32>,
    core: Vec<u32>,
    best: Vec<f64>,
    keep: Vec<u64>,
}

/// Solve the knapsack of `cands` within `capacity`: the profit taken (exact, or the LP
/// value when not [`Solved::Exact`]) and how much of each candidate is taken, in `taken`
/// (0 or 1, or a fraction for the break item of an LP solution). `capacity` is at least 0.
pub fn solve(
    cands: &[Candidate],
    capacity: f64,
    taken: &mut Vec<f64>,
    scratch: &mut Scratch,
) -> (f64, Solved) {
    taken.clear();
    taken.resize(cands.len(), 0.0);
    scratch.core.clear();
    let total: f64 = cands.iter().map(|c| c.weight).sum();
    if total <= capacity {
        taken.iter_mut().for_each(|t| *t = 1.0);
        return (cands.iter().map(|c| c.profit).sum(), Solved::Exact);
    }
    let order = &mut scratch.order;
    order.clear();
    order.extend(0..cands.len() as u32);
    // By profit per unit of weight, largest first; weightless options lead.
    let ratio = |c: &Candidate| {
        if c.weight <= 0.0 {
            f64::INFINITY
        } else {
            c.profit / c.weight
        }
    };
    order
        .sort_unstable_by(|&a, &b| ratio(&cands[b as usize]).total_cmp(&ratio(&cands[a as usize])));
    // The LP solution: everything before the break item, a fraction of it.
    let mut room = capacity;
    let mut lp = 0.0;
    let mut brk = order.len();
    for (pos, &j) in order.iter().enumerate() {
        let c = cands[j as usize];
        if c.weight <= room {
            room -= c.weight;
            lp += c.profit;
            taken[j as usize] = 1.0;
        } else {
            let f = room / c.weight;
            lp += f * c.profit;
            taken[j as usize] = f;
            brk = pos;
            break;
        }
    }
    if brk == order.len() {
        return (lp, Solved::Exact);
    }
    let integral = cands
        .iter()
        .all(|c| (c.weight - c.weight.round()).abs() <= 1e-9)
        && capacity.is_finite();
    if !integral {
        return (lp, Solved::Fractional);
    }
    let cap = (capacity + 1e-9).floor() as i64;
    let w = |j: u32| cands[j as usize].weight.round() as i64;
    // The greedy fill: in ratio order, every candidate that still fits.
    let mut left = cap;
    let mut greedy = 0.0;
    for &j in order.iter() {
        if w(j) <= left {
            left -= w(j);
            greedy += cands[j as usize].profit;
        }
    }
    let gap = lp - greedy;
    let tol = 1e-9 * lp.abs().max(1.0);
    if gap <= tol {
        // The greedy fill reaches the LP value (within rounding): it is optimal, and the LP
        // value, never below the optimum, is returned.
        fill_greedy(cands, order, cap, taken);
        return (lp, Solved::Exact);
    }
    let b = cands[order[brk] as usize];
    let lambda = b.profit / b.weight;
    // Options whose LP value flipped loses more than `gap` keep it; the rest is the core.
    let core = &mut scratch.core;
    core.clear();
    let mut fixed_weight = 0i64;
    let mut fixed_profit = 0.0;
    for (pos, &j) in order.iter().enumerate() {
        let c = cands[j as usize];
        let d = c.profit - lambda * c.weight;
        if pos < brk && d > gap + tol {
            fixed_weight += w(j);
            fixed_profit += c.profit;
        } else if pos > brk && -d > gap + tol {
        } else {
            core.push(j);
        }
    }
    let room = cap - fixed_weight;
    if room < 0 || core.len().saturating_mul(room as usize + 1) > CORE_CELLS {
        return (lp, Solved::Fractional);
    }
    let room = room as usize;
    // best[r]: the largest profit of core options within weight r; keep bits per option.
    let words = room / 64 + 1;
    let best = &mut scratch.best;
    best.clear();
    best.resize(room + 1, 0.0);
    let keep = &mut scratch.keep;
    keep.clear();
    keep.resize(core.len() * words, 0);
    for (k, &j) in core.iter().enumerate() {
        let wj = w(j) as usize;
        let p = cands[j as usize].profit;
        if wj > room {
            continue;
        }
        for r in (wj..=room).rev() {
            let v = best[r - wj] + p;
            if v > best[r] {
                best[r] = v;
                keep[k * words + r / 64] |= 1 << (r % 64);
            }
        }
    }
    // Read the choices back, last option first.
    for &j in order.iter().take(brk) {
        taken[j as usize] = 1.0;
    }
    for t in taken.iter_mut() {
        if *t < 1.0 {
            *t = 0.0;
        }
    }
    for &j in core.iter() {
        taken[j as usize] = 0.0;
    }
    let mut r = room;
    for (k, &j) in core.iter().enumerate().rev() {
        if keep[k * words + r / 64] & (1 << (r % 64)) != 0 {
            taken[j as usize] = 1.0;
            r -= w(j) as usize;
        }
    }
    let exact = fixed_profit + best[room];
    (exact.min(lp), Solved::Exact)
}

/// Set `taken` to the greedy fill of [`solve`].
fn fill_greedy(cands: &[Candidate], order: &[u32], cap: i64, taken: &mut [f64]) {
    let mut left = cap;
    for &j in order {
        let wj = cands[j as usize].weight.round() as i64;
        if wj <= left {
            left -= wj;
            taken[j as usize] = 1.0;
        } else {
            taken[j as usize] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact optimum by trying every subset.
    fn brute(cands: &[Candidate], cap: f64) -> f64 {
        let mut best: f64 = 0.0;
        for mask in 0u32..(1 << cands.len()) {
            let (mut w, mut p) = (0.0, 0.0);
            for (j, c) in cands.iter().enumerate() {
                if mask & (1 << j) != 0 {
                    w += c.weight;
                    p += c.profit;
                }
            }
            if w <= cap {
                best = best.max(p);
            }
        }
        best
    }

    /// A small deterministic generator (no dependency for the tests).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    #[test]
    fn integer_knapsacks_are_solved_exactly_and_their_choice_meets_the_capacity() {
        let mut rng = Lcg(7);
        let mut scratch = Scratch::default();
        let mut taken = Vec::new();
        let mut by_dp = 0;
        for case in 0..400 {
            let n = 1 + rng.next(14) as usize;
            let cands: Vec<Candidate> = (0..n)
                .map(|_| Candidate {
                    weight: 1.0 + rng.next(16) as f64,
                    profit: 1.0 + rng.next(1000) as f64 / 7.0,
                })
                .collect();
            let cap = rng.next(60) as f64;
            let (value, how) = solve(&cands, cap, &mut taken, &mut scratch);
            assert_eq!(how, Solved::Exact, "case {case}");
            let want = brute(&cands, cap);
            assert!(
                (value - want).abs() <= 1e-9 * want.max(1.0),
                "case {case}: {value} vs {want}"
            );
            // The choice read back is a subset within the capacity with that profit.
            let (mut w, mut p) = (0.0, 0.0);
            for (c, &t) in cands.iter().zip(&taken) {
                assert!(t == 0.0 || t == 1.0, "case {case}: fraction {t}");
                w += t * c.weight;
                p += t * c.profit;
            }
            assert!(w <= cap, "case {case}: weight {w} over {cap}");
            assert!(
                (p - want).abs() <= 1e-9 * want.max(1.0),
                "case {case}: taken {p} vs {want}"
            );
            if !scratch.core.is_empty() {
                by_dp += 1;
            }
        }
        // The dynamic programme, not only the shortcuts, was exercised.
        assert!(by_dp > 50, "{by_dp} knapsacks went through the core");
    }

    #[test]
    fn fractional_weights_give_the_lp_value_which_is_never_below_the_optimum() {
        let cands = [
            Candidate {
                weight: 2.5,
                profit: 5.0,
            },
            Candidate {
                weight: 2.5,
                profit: 4.0,
            },
            Candidate {
                weight: 1.5,
                profit: 1.0,
            },
        ];
        let mut taken = Vec::new();
        let (value, how) = solve(&cands, 4.0, &mut taken, &mut Scratch::default());
        assert_eq!(how, Solved::Fractional);
        // 5 + 1.5 / 2.5 of 4.
        assert!((value - (5.0 + 0.6 * 4.0)).abs() < 1e-12);
        assert!(value >= brute(&cands, 4.0));
        assert_eq!(taken, vec![1.0, 0.6, 0.0]);
    }
}
