//! The solver's fast path for affine rows
//! ([`crate::backends::dp::StagePlan::affine_row`]): which decisions of a row stay inside
//! the state space, their table indices by arithmetic, and the best decision of a row.

use super::Layout;

/// [`super::evaluate_state`] on an affine row: next state `base + j * step` for decision `lo + j`.
/// Same result as the loop over next states there: NaN when a cost is not finite (and not
/// `+inf`) or a successor's value is NaN, else the least total, ties to the first decision.
pub(in crate::backends::dp) fn evaluate_affine(
    layout: &Layout,
    base: &[i64],
    step: &[i64],
    costs: &[f64],
    later: &[f64],
) -> (f64, usize) {
    if costs.iter().any(|&c| c != f64::INFINITY && !c.is_finite()) {
        return (f64::NAN, usize::MAX);
    }
    let Some(span) = layout.affine_span(base, step, costs.len()) else {
        return (f64::INFINITY, usize::MAX);
    };
    let mut best = f64::INFINITY;
    let mut arg = usize::MAX;
    for (j, &c) in costs
        .iter()
        .enumerate()
        .take(span.last + 1)
        .skip(span.first)
    {
        if c == f64::INFINITY {
            continue;
        }
        let v = later[span.index(j)];
        if v.is_nan() {
            return (f64::NAN, usize::MAX);
        }
        let total = c + v;
        if total < best {
            best = total;
            arg = j;
        }
    }
    (best, arg)
}

/// The decisions `first..=last` of an affine row whose next states lie in the state space,
/// and their linear indices: `start + (j - first) * stride`.
pub(in crate::backends::dp) struct AffineSpan {
    pub(in crate::backends::dp) first: usize,
    pub(in crate::backends::dp) last: usize,
    start: usize,
    stride: i64,
}

impl AffineSpan {
    #[inline]
    pub(in crate::backends::dp) fn index(&self, j: usize) -> usize {
        (self.start as i64 + (j - self.first) as i64 * self.stride) as usize
    }

    pub(in crate::backends::dp) fn stride(&self) -> i64 {
        self.stride
    }
}

impl Layout {
    /// For next states `base + j * step`, `j` in `0..n`: the span of `j` whose next state
    /// lies in the space, or `None` when none does.
    pub(in crate::backends::dp) fn affine_span(
        &self,
        base: &[i64],
        step: &[i64],
        n: usize,
    ) -> Option<AffineSpan> {
        let (mut first, mut last) = (0i128, n as i128 - 1);
        for ((&b, &s), &(lo, hi)) in base.iter().zip(step).zip(&self.dims) {
            // The common steps without a division: the decision itself (1) or nothing (0).
            if s == 1 {
                first = first.max(lo as i128 - b as i128);
                last = last.min(hi as i128 - b as i128);
                continue;
            }
            let (b, s, lo, hi) = (b as i128, s as i128, lo as i128, hi as i128);
            // lo <= b + s * j <= hi, as a range of j.
            let (b, s, lo, hi) = if s < 0 {
                (-b, -s, -hi, -lo)
            } else {
                (b, s, lo, hi)
            };
            if s == 0 {
                if b < lo || b > hi {
                    return None;
                }
                continue;
            }
            first = first.max(-((b - lo).div_euclid(s)));
            last = last.min((hi - b).div_euclid(s));
        }
        if first > last {
            return None;
        }
        let at = |j: i128| -> i128 {
            base.iter()
                .zip(step)
                .zip(self.dims.iter().zip(&self.strides))
                .map(|((&b, &s), (&(lo, _), &stride))| {
                    (b as i128 + s as i128 * j - lo as i128) * stride as i128
                })
                .sum()
        };
        let start = at(first);
        // With one decision the stride is never used (and may not fit).
        let stride = if last > first {
            at(first + 1) - start
        } else {
            0
        };
        Some(AffineSpan {
            first: first as usize,
            last: last as usize,
            start: usize::try_from(start).ok()?,
            stride: i64::try_from(stride).ok()?,
        })
    }
}
