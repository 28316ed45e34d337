//! Provided against required over time: which constraints of a report are drawn as lines
//! over ordered periods, and with what. A constraint qualifies when one of its indices is
//! a time axis (ordered periods or numbers) and it has `>=` rows (such as
//! `installed[r, q] * per_rack >= demand[r, q]`): each combination of its other indices is
//! a series, and each period of a series holds what the plan provides (the row's left side
//! at the plan) and what it must reach (the row's lower bound). The HTML report draws these
//! series as lines ([`super::html`]) and the text report prints them as tables
//! ([`super::table_time`]); both take them from [`over_time`].

use super::ConstraintReport;
use rustc_hash::FxHashMap;

/// One period of a series: what the plan provides and what it must reach.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bound {
    pub provided: f64,
    pub required: f64,
}

/// One combination of the other indices over the periods.
#[derive(Clone, Debug)]
pub struct BoundSeries {
    /// The labels of the other indices, joined by `, ` (empty when the time axis is the
    /// constraint's only index).
    pub key: String,
    /// Per period, in the order of [`OverTime::periods`]: the bound, or None when the
    /// series has no `>=` row in that period.
    pub points: Vec<Option<Bound>>,
}

impl BoundSeries {
    /// How much the series weighs: the sum of the magnitudes of what it provides and what
    /// it requires.
    fn total(&self) -> f64 {
        self.points
            .iter()
            .flatten()
            .map(|b| b.provided.abs() + b.required.abs())
            .sum()
    }
}

/// A constraint's `>=` rows over its first ordered index.
#[derive(Clone, Debug)]
pub struct OverTime {
    /// The position of the time axis among the constraint's indices.
    pub time: usize,
    /// The periods, in the order the rows name them first (the order of the set).
    pub periods: Vec<String>,
    /// Each combination of the other indices that provides or requires something, in the
    /// order the rows name them first.
    pub series: Vec<BoundSeries>,
}

impl OverTime {
    /// The `n` weightiest series (by [`BoundSeries::total`]), kept in their order.
    pub fn largest(&self, n: usize) -> Vec<&BoundSeries> {
        let mut order: Vec<usize> = (0..self.series.len()).collect();
        order.sort_by(|&a, &b| {
            self.series[b]
                .total()
                .partial_cmp(&self.series[a].total())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        order.truncate(n);
        order.sort_unstable();
        order.into_iter().map(|i| &self.series[i]).collect()
    }
}

/// The name of a series over time: an index tuple without its time position
/// (`us-east` of `installed[us-east, 2027Q1]`), empty when time is its only index.
pub fn series_key(index: &[String], time: usize) -> String {
    let key: Vec<&str> = index
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != time)
        .map(|(_, s)| s.as_str())
        .collect();
    key.join(", ")
}

/// The `>=` rows of `c` over its first ordered index, or None when it has no such index or
/// no such row with something provided or required.
pub fn over_time(c: &ConstraintReport) -> Option<OverTime> {
    let time = c.ordered.iter().position(|&o| o)?;
    // Only `>=` rows: an equation has no bound to reach, a `<=` row no requirement.
    let rows = c
        .rows
        .iter()
        .filter(|row| row.lo.is_some() && row.hi.is_none() && row.index.len() > time);
    let mut periods: Vec<String> = Vec::new();
    let mut period_at: FxHashMap<&str, usize> = FxHashMap::default();
    let mut series: Vec<BoundSeries> = Vec::new();
    let mut series_at: FxHashMap<String, usize> = FxHashMap::default();
    let mut cells: Vec<(usize, usize, Bound)> = Vec::new();
    for row in rows {
        let period = row.index[time].as_str();
        let p = *period_at.entry(period).or_insert_with(|| {
            periods.push(period.to_string());
            periods.len() - 1
        });
        let key = series_key(&row.index, time);
        let s = *series_at.entry(key.clone()).or_insert_with(|| {
            series.push(BoundSeries {
                key,
                points: Vec::new(),
            });
            series.len() - 1
        });
        let bound = Bound {
            provided: row.activity,
            required: row.lo.unwrap_or(0.0),
        };
        cells.push((s, p, bound));
    }
    for s in &mut series {
        s.points = vec![None; periods.len()];
    }
    for (s, p, bound) in cells {
        series[s].points[p] = Some(bound);
    }
    // A series with nothing provided and nothing required says nothing.
    series.retain(|s| {
        s.points
            .iter()
            .flatten()
            .any(|b| b.provided != 0.0 || b.required != 0.0)
    });
    (!series.is_empty()).then_some(OverTime {
        time,
        periods,
        series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::RowReport;

    fn row(index: &[&str], activity: f64, lo: Option<f64>, hi: Option<f64>) -> RowReport {
        RowReport {
            index: index.iter().map(|s| s.to_string()).collect(),
            activity,
            lo,
            hi,
            utilisation: None,
            load: None,
            capacity: None,
            binding: false,
            dual: None,
        }
    }

    fn constraint(ordered: Vec<bool>, rows: Vec<RowReport>) -> ConstraintReport {
        ConstraintReport {
            name: "cover".into(),
            index_names: vec!["r".into(), "q".into()],
            index_sets: vec!["regions".into(), "quarters".into()],
            ordered,
            unit: "core".into(),
            rows,
        }
    }

    #[test]
    fn ge_rows_over_the_ordered_index_become_series_of_bounds() {
        let c = constraint(
            vec![false, true],
            vec![
                row(&["eu", "q1"], 10.0, Some(8.0), None),
                row(&["us", "q1"], 0.0, Some(0.0), None),
                row(&["eu", "q2"], 12.0, Some(11.0), None),
                // An equation and a `<=` row are not requirements.
                row(&["us", "q2"], 5.0, Some(5.0), Some(5.0)),
                row(&["ap", "q2"], 3.0, None, Some(4.0)),
                row(&["ap", "q3"], 4.0, Some(2.0), None),
            ],
        );
        let t = over_time(&c).expect("a series over time");
        assert_eq!(t.time, 1);
        assert_eq!(t.periods, ["q1", "q2", "q3"]);
        let keys: Vec<&str> = t.series.iter().map(|s| s.key.as_str()).collect();
        // `us` provides and requires nothing.
        assert_eq!(keys, ["eu", "ap"]);
        let b = |provided, required| Some(Bound { provided, required });
        assert_eq!(t.series[0].points, [b(10.0, 8.0), b(12.0, 11.0), None]);
        assert_eq!(t.series[1].points, [None, None, b(4.0, 2.0)]);
        let largest: Vec<&str> = t.largest(1).iter().map(|s| s.key.as_str()).collect();
        assert_eq!(largest, ["eu"]);
    }

    #[test]
    fn no_time_axis_or_no_requirement_is_no_series() {
        let rows = vec![row(&["eu", "q1"], 10.0, Some(8.0), None)];
        assert!(over_time(&constraint(vec![false, false], rows)).is_none());
        let rows = vec![row(&["eu", "q1"], 10.0, None, Some(12.0))];
        assert!(over_time(&constraint(vec![false, true], rows)).is_none());
    }
}
