//! Aggregation of a history to coarser periods: a param whose values are a statistic of a
//! finer history over each of its periods.
//!
//! ```text
//! set history  = 2024M01..2026M12
//! set quarters = 2024Q1..2026Q4
//! param usage[r in regions, m in history]: core from "usage.csv"
//! param peak[r in regions, q in quarters]: core = aggregate(usage[r], max)
//! ```
//!
//! `aggregate(HISTORY, STATISTIC, incomplete = error | partial)` is allowed only as the whole
//! value of an indexed param (E0355). HISTORY is a param given all its indices but the last,
//! which runs over periods (months, weeks, days); the target's last index runs over coarser
//! periods that each finer one belongs to (E0354, see [`crate::period::PeriodKind::aggregates_to`]:
//! a week belongs to the month or quarter of its Thursday). The statistic is `max`, `min`,
//! `mean`, `sum` or `last` (E0355); the unit is the history's (E0356). A coarse period whose
//! finer periods are not all in the history is E0546 unless `incomplete = partial`. The
//! values are computed when params are evaluated (`instantiate::aggregate`), so a
//! `forecast(...)` can run on the aggregate.

use super::{err, CallError};
use crate::diagnostics::Code;
use crate::span::Span;
use crate::syntax::ast;

/// The function name in the language.
pub const NAME: &str = "aggregate";

/// What each coarse period takes from the finer values it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    Max,
    Min,
    Mean,
    Sum,
    /// The value of the last finer period (a level at the end of the period).
    Last,
}

impl Stat {
    pub const ALL: [Stat; 5] = [Stat::Max, Stat::Min, Stat::Mean, Stat::Sum, Stat::Last];

    pub fn as_str(self) -> &'static str {
        match self {
            Stat::Max => "max",
            Stat::Min => "min",
            Stat::Mean => "mean",
            Stat::Sum => "sum",
            Stat::Last => "last",
        }
    }

    fn parse(s: &str) -> Option<Stat> {
        Stat::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The statistic of `values` (in period order); `None` when there are none.
    pub fn apply(self, values: &[f64]) -> Option<f64> {
        let (&first, _) = values.split_first()?;
        Some(match self {
            Stat::Max => values.iter().copied().fold(first, f64::max),
            Stat::Min => values.iter().copied().fold(first, f64::min),
            Stat::Sum => values.iter().sum(),
            Stat::Mean => values.iter().sum::<f64>() / values.len() as f64,
            Stat::Last => *values.last()?,
        })
    }
}

/// What a coarse period missing some of its finer periods gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Incomplete {
    /// E0546 (the default).
    Error,
    /// The statistic of the finer periods there are (at least one).
    Partial,
}

/// An `aggregate(...)` call taken apart.
#[derive(Clone, Debug)]
pub struct Call {
    /// The history param's name.
    pub history: ast::Ident,
    /// The indices given to it (all but its last).
    pub keys: Vec<ast::Expr>,
    pub stat: Stat,
    pub incomplete: Incomplete,
    pub span: Span,
}

/// Whether `e` is a call of `aggregate`.
pub fn is_call(e: &ast::Expr) -> bool {
    matches!(&e.kind, ast::ExprKind::Call(n, _) if n.name == NAME)
}

const STAT_HELP: &str = "the statistics are `max`, `min`, `mean`, `sum` and `last`";

/// Take an `aggregate(...)` call apart (its own shape; the checker checks the names).
pub fn parse_call(e: &ast::Expr) -> Option<Result<Call, CallError>> {
    let ast::ExprKind::Call(name, args) = &e.kind else {
        return None;
    };
    if name.name != NAME {
        return None;
    }
    Some((|| {
        let positional: Vec<&ast::Arg> = args.iter().filter(|a| a.name.is_none()).collect();
        let Some(first) = positional.first() else {
            return Err(err(
                Code::E0355,
                e.span,
                "`aggregate` needs a history",
                "no history given",
                "write `aggregate(usage[r], max)`: a param indexed by periods, and a statistic",
            ));
        };
        let (history, keys) = match &first.value.kind {
            ast::ExprKind::Name(n) => (n.clone(), Vec::new()),
            ast::ExprKind::Index(base, keys) => match &base.kind {
                ast::ExprKind::Name(n) => (n.clone(), keys.clone()),
                _ => return Err(not_history(&first.value)),
            },
            _ => return Err(not_history(&first.value)),
        };
        let Some(stat_arg) = positional.get(1) else {
            return Err(err(
                Code::E0355,
                e.span,
                "`aggregate` needs a statistic",
                "no statistic given",
                STAT_HELP,
            ));
        };
        let stat = match &stat_arg.value.kind {
            ast::ExprKind::Name(n) => Stat::parse(&n.name).ok_or_else(|| {
                err(
                    Code::E0355,
                    stat_arg.value.span,
                    format!("`{}` is not an aggregate statistic", n.name),
                    "unknown statistic",
                    STAT_HELP,
                )
            })?,
            _ => {
                return Err(err(
                    Code::E0355,
                    stat_arg.value.span,
                    "this is not an aggregate statistic",
                    "expected a statistic",
                    STAT_HELP,
                ))
            }
        };
        if let Some(extra) = positional.get(2) {
            return Err(err(
                Code::E0355,
                extra.value.span,
                "`aggregate` takes a history and a statistic; options are named",
                "extra argument",
                "name it: `incomplete = partial`",
            ));
        }
        let mut call = Call {
            history,
            keys,
            stat,
            incomplete: Incomplete::Error,
            span: e.span,
        };
        for a in args {
            let Some(n) = &a.name else { continue };
            match n.name.as_str() {
                "incomplete" => {
                    call.incomplete = match &a.value.kind {
                        ast::ExprKind::Name(m) if m.name == "error" => Incomplete::Error,
                        ast::ExprKind::Name(m) if m.name == "partial" => Incomplete::Partial,
                        _ => {
                            return Err(err(
                                Code::E0355,
                                a.value.span,
                                "`incomplete` is `error` or `partial`",
                                "expected `error` or `partial`",
                                "`partial` aggregates the finer periods there are; `error` (the default) reports a coarse period that lacks some",
                            ))
                        }
                    };
                }
                other => {
                    return Err(err(
                        Code::E0355,
                        n.span,
                        format!("`aggregate` has no option `{other}`"),
                        "unknown option",
                        "the one option is `incomplete = error | partial`",
                    ))
                }
            }
        }
        Ok(call)
    })())
}

fn not_history(e: &ast::Expr) -> CallError {
    err(
        Code::E0355,
        e.span,
        "`aggregate` aggregates a param",
        "not a param",
        "give the history param with all its indices but the last: `aggregate(usage[r], max)`",
    )
}

#[cfg(test)]
mod tests {
    use super::Stat;

    #[test]
    fn statistics_of_a_small_table() {
        let v = [3.0, 7.0, 5.0];
        assert_eq!(Stat::Max.apply(&v), Some(7.0));
        assert_eq!(Stat::Min.apply(&v), Some(3.0));
        assert_eq!(Stat::Sum.apply(&v), Some(15.0));
        assert_eq!(Stat::Mean.apply(&v), Some(5.0));
        assert_eq!(Stat::Last.apply(&v), Some(5.0));
        assert_eq!(Stat::Max.apply(&[]), None);
    }
}
