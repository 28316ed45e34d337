//! Enumerating failure scenarios over a list of entities, by position: every choice of `k`
//! of `n` (with the probability that exactly those fail, when each has its own),
//! independent failures above a probability cutoff, and shared-risk groups. The
//! work is linear in the number of scenarios produced (plus a sort for the independent
//! case); counts are checked against a limit before anything is built.

use rustc_hash::FxHashMap;
use std::hash::Hash;

/// The number of ways to choose `k` of `n`, or `None` beyond `limit`.
pub fn choose(n: usize, k: usize, limit: usize) -> Option<usize> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut acc: u128 = 1;
    for i in 0..k {
        acc = acc * (n - i) as u128 / (i + 1) as u128;
        if acc > limit as u128 {
            return None;
        }
    }
    Some(acc as usize)
}

/// Every set of exactly `k` positions out of `0..n`, in lexicographic order.
pub fn k_subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    if k > n {
        return out;
    }
    let mut idx: Vec<usize> = (0..k).collect();
    loop {
        out.push(idx.clone());
        // The rightmost position that can still move right.
        let mut i = k;
        while i > 0 && idx[i - 1] == n - k + i - 1 {
            i -= 1;
        }
        if i == 0 {
            return out;
        }
        idx[i - 1] += 1;
        for j in i..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

/// Independent failures with probabilities `p` (each in [0, 1]): every set of failed
/// positions whose probability is at least `cutoff`, most likely first, with its
/// probability. `Err(limit)` when more than `limit` sets qualify.
pub fn independent(p: &[f64], cutoff: f64, limit: usize) -> Result<Vec<(Vec<usize>, f64)>, usize> {
    // Nobody down: the product of the survivals. A failure of position i multiplies by
    // p_i / (1 - p_i); positions that always fail are in every scenario.
    let mut base = 1.0;
    let mut always = Vec::new();
    let mut ratios: Vec<(usize, f64)> = Vec::new();
    for (i, &pi) in p.iter().enumerate() {
        if pi >= 1.0 {
            always.push(i);
        } else if pi > 0.0 {
            base *= 1.0 - pi;
            ratios.push((i, pi / (1.0 - pi)));
        }
    }
    ratios.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = Vec::new();
    let mut chosen = always.clone();
    // Depth-first over positions in decreasing ratio: once a ratio below 1 takes the
    // probability under the cutoff, every later (smaller) ratio does too.
    fn walk(
        ratios: &[(usize, f64)],
        from: usize,
        prob: f64,
        cutoff: f64,
        limit: usize,
        chosen: &mut Vec<usize>,
        out: &mut Vec<(Vec<usize>, f64)>,
    ) -> Result<(), usize> {
        if prob >= cutoff {
            if out.len() >= limit {
                return Err(limit);
            }
            let mut s = chosen.clone();
            s.sort_unstable();
            out.push((s, prob));
        }
        for j in from..ratios.len() {
            let (pos, r) = ratios[j];
            let next = prob * r;
            if next < cutoff && r <= 1.0 {
                break;
            }
            chosen.push(pos);
            walk(ratios, j + 1, next, cutoff, limit, chosen, out)?;
            chosen.pop();
        }
        Ok(())
    }
    walk(&ratios, 0, base, cutoff, limit, &mut chosen, &mut out)?;
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// The probability that exactly the positions of a subset fail (and every other one
/// stays up), when position `i` fails on its own with probability `p[i]`. Precomputed so
/// that a subset costs its own size, not the whole list's.
pub struct Exactly {
    /// Nobody down: the product of the survivals of the positions that can survive.
    base: f64,
    /// What a failure of each position multiplies by: `p / (1 - p)`, or 1 for a position
    /// that always fails.
    ratio: Vec<f64>,
    certain: Vec<bool>,
    /// How many positions always fail: a subset without all of them has probability 0.
    certain_count: usize,
}

impl Exactly {
    /// For probabilities `p`, each in [0, 1].
    pub fn new(p: &[f64]) -> Exactly {
        let mut base = 1.0;
        let mut ratio = Vec::with_capacity(p.len());
        let mut certain = Vec::with_capacity(p.len());
        for &pi in p {
            if pi >= 1.0 {
                ratio.push(1.0);
                certain.push(true);
            } else {
                base *= 1.0 - pi;
                ratio.push(pi / (1.0 - pi));
                certain.push(false);
            }
        }
        let certain_count = certain.iter().filter(|&&c| c).count();
        Exactly {
            base,
            ratio,
            certain,
            certain_count,
        }
    }

    /// The probability that exactly the positions of `subset` (distinct) fail.
    pub fn of(&self, subset: &[usize]) -> f64 {
        let mut prob = self.base;
        let mut certain = 0;
        for &i in subset {
            prob *= self.ratio[i];
            certain += usize::from(self.certain[i]);
        }
        if certain < self.certain_count {
            0.0
        } else {
            prob
        }
    }
}

/// Shared-risk groups: positions with equal keys, one group per distinct key in order of
/// first appearance; positions without a key belong to no group.
pub fn groups<K: Eq + Hash + Clone>(keys: &[Option<K>]) -> Vec<(K, Vec<usize>)> {
    let mut index: FxHashMap<K, usize> = FxHashMap::default();
    let mut out: Vec<(K, Vec<usize>)> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let Some(k) = k else { continue };
        match index.get(k) {
            Some(&g) => out[g].1.push(i),
            None => {
                index.insert(k.clone(), out.len());
                out.push((k.clone(), vec![i]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_subsets_match_the_binomial_count() {
        for n in 0..8 {
            for k in 0..=n {
                let all = k_subsets(n, k);
                assert_eq!(Some(all.len()), choose(n, k, usize::MAX), "n={n} k={k}");
                let uniq: std::collections::HashSet<_> = all.iter().cloned().collect();
                assert_eq!(uniq.len(), all.len());
                assert!(all
                    .iter()
                    .all(|s| s.len() == k && s.windows(2).all(|w| w[0] < w[1])));
            }
        }
        assert!(k_subsets(2, 3).is_empty());
        assert_eq!(choose(100, 50, 1_000_000), None);
    }

    /// Brute force over all 2^n failure sets.
    fn brute(p: &[f64], cutoff: f64) -> Vec<(Vec<usize>, f64)> {
        let n = p.len();
        let mut out = Vec::new();
        for mask in 0u32..(1 << n) {
            let mut prob = 1.0;
            let mut set = Vec::new();
            for (i, &pi) in p.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    prob *= pi;
                    set.push(i);
                } else {
                    prob *= 1.0 - pi;
                }
            }
            if prob >= cutoff && prob > 0.0 {
                out.push((set, prob));
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    #[test]
    fn independent_agrees_with_brute_force() {
        let cases: &[(&[f64], f64)] = &[
            (&[0.01, 0.02, 0.05, 0.001], 1e-4),
            (&[0.1, 0.1, 0.1], 0.0),
            (&[0.3, 0.6, 0.05, 0.2, 0.01], 1e-3),
            (&[0.5, 0.5], 0.2),
        ];
        for (p, cutoff) in cases {
            let got = independent(p, *cutoff, 1000).expect("within the limit");
            let want = brute(p, *cutoff);
            assert_eq!(got.len(), want.len(), "p={p:?}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.0, w.0);
                assert!((g.1 - w.1).abs() < 1e-12);
            }
        }
        // With no cutoff the probabilities sum to 1.
        let all = independent(&[0.1, 0.2, 0.3], 0.0, 100).expect("small");
        let total: f64 = all.iter().map(|s| s.1).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert_eq!(independent(&[0.1; 20], 0.0, 100), Err(100));
    }

    #[test]
    fn exactly_agrees_with_the_product_over_every_position() {
        let cases: &[&[f64]] = &[
            &[0.01, 0.2, 0.5, 0.0],
            &[1.0, 0.3, 0.7],
            &[0.0, 0.0],
            &[0.9, 0.99, 0.999, 0.5, 0.1],
        ];
        for p in cases {
            let exactly = Exactly::new(p);
            let mut total = 0.0;
            for k in 0..=p.len() {
                for subset in k_subsets(p.len(), k) {
                    let want: f64 = (0..p.len())
                        .map(|i| {
                            if subset.contains(&i) {
                                p[i]
                            } else {
                                1.0 - p[i]
                            }
                        })
                        .product();
                    let got = exactly.of(&subset);
                    assert!(
                        (got - want).abs() <= 1e-12 * want.max(1e-300),
                        "p={p:?} {subset:?}: {got} != {want}"
                    );
                    total += got;
                }
            }
            assert!((total - 1.0).abs() < 1e-12, "p={p:?}: total {total}");
        }
    }

    #[test]
    fn groups_collect_equal_keys() {
        let keys = [Some("f1"), None, Some("f2"), Some("f1")];
        assert_eq!(groups(&keys), vec![("f1", vec![0, 3]), ("f2", vec![2])]);
    }
}
