//! Forecasting in the language: a param whose values are a forecast of a history param.
//!
//! ```text
//! set history  = 2023Q1..2026Q4
//! set quarters = 2027Q1..2027Q4
//! param usage[r in regions, q in history]: core from "usage.csv"
//! param demand[r in regions, q in quarters]: core = forecast(usage[r], q95)
//! ```
//!
//! `forecast(HISTORY, STATISTIC, method = NAME, season = N, seed = N)` is allowed only as the
//! whole value of an indexed param (E0334). HISTORY is a param given all its indices but the
//! last, which must run over periods (`2027Q1`) or integers (E0330); the target param's last
//! index is the horizon, which must continue the history's last index set (E0543). The
//! statistic is `mean` (the point forecast), `median`, `qNN`/`pNN` (a quantile in percent,
//! `q95`) or `path(s)` (sample path number `s`, an integer element, seeded by `seed =`)
//! (E0331); options are checked by E0332 and the unit of the target must be the history's
//! (E0333). Data problems of a series are E0540–E0544.
//!
//! The forecasts are computed while params are evaluated, before anything else reads them:
//! evaluators see an ordinary filled param table. Each forecast series is also kept in
//! [`SeriesForecast`] records (on the instantiated world) for `archc forecast`.
//!
//! The statistics live in the `archc-forecast` crate, re-exported here.

pub use archc_forecast::{
    dist, forecast, metrics, normal_quantile, Forecast, ForecastError, Method, Spec,
};

use crate::span::Span;
use crate::syntax::ast;

pub mod aggregate;

/// The function name in the language.
pub const NAME: &str = "forecast";

/// What a forecast param takes from each step's distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum Stat {
    /// The point forecast.
    Mean,
    /// A quantile, 0 < q < 1 (`median` is 0.5).
    Quantile(f64),
    /// A sample path: the expression gives its number (1, 2, ...).
    Path(ast::Expr),
}

impl Stat {
    /// Text for messages and output (`mean`, `q95`, `path`).
    pub fn text(&self) -> String {
        match self {
            Stat::Mean => "mean".into(),
            Stat::Quantile(q) => format!("q{}", fmt_percent(*q * 100.0)),
            Stat::Path(_) => "path".into(),
        }
    }
}

fn fmt_percent(p: f64) -> String {
    let r = (p * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// A `forecast(...)` call taken apart.
#[derive(Clone, Debug)]
pub struct Call {
    /// The history param's name.
    pub history: ast::Ident,
    /// The indices given to it (all but its last).
    pub keys: Vec<ast::Expr>,
    pub stat: Stat,
    pub method: Method,
    /// `season = N`, when given (otherwise the period's: 4 for quarters, 12 for months, 52
    /// for weeks, 7 for days, 1 for integers).
    pub season: Option<usize>,
    /// `seed = N` for sample paths (default 1).
    pub seed: u64,
    pub span: Span,
}

/// The call's name when `e` is a call of `forecast`.
pub fn is_call(e: &ast::Expr) -> bool {
    matches!(&e.kind, ast::ExprKind::Call(n, _) if n.name == NAME)
}

/// Why a `forecast(...)` or `aggregate(...)` call is malformed: the code (E0330, E0331 or
/// E0332; E0355 for `aggregate`), the place,
/// the message and the label.
#[derive(Clone, Debug)]
pub struct CallError {
    pub code: crate::diagnostics::Code,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: String,
}

pub(crate) fn err(
    code: crate::diagnostics::Code,
    span: Span,
    message: impl Into<String>,
    label: impl Into<String>,
    help: impl Into<String>,
) -> CallError {
    CallError {
        code,
        span,
        message: message.into(),
        label: label.into(),
        help: help.into(),
    }
}

/// Parse the statistic `qNN` / `pNN` / `mean` / `median` / `path(s)`.
fn stat(e: &ast::Expr) -> Result<Stat, CallError> {
    use crate::diagnostics::Code;
    let help = "use `mean`, `median`, a quantile in percent such as `q95` or `p80`, or `path(s)`";
    match &e.kind {
        ast::ExprKind::Name(n) => {
            let s = n.name.as_str();
            match s {
                "mean" => return Ok(Stat::Mean),
                "median" => return Ok(Stat::Quantile(0.5)),
                _ => {}
            }
            if let Some(rest) = s.strip_prefix('q').or_else(|| s.strip_prefix('p')) {
                let text = rest.replace('_', ".");
                if let Ok(p) = text.parse::<f64>() {
                    if p > 0.0
                        && p < 100.0
                        && rest.chars().next().is_some_and(|c| c.is_ascii_digit())
                    {
                        return Ok(Stat::Quantile(p / 100.0));
                    }
                }
            }
            Err(err(
                Code::E0331,
                e.span,
                format!("`{s}` is not a forecast statistic"),
                "unknown statistic",
                help,
            ))
        }
        ast::ExprKind::Call(n, args)
            if n.name == "path" && args.len() == 1 && args[0].name.is_none() =>
        {
            Ok(Stat::Path(args[0].value.clone()))
        }
        _ => Err(err(
            Code::E0331,
            e.span,
            "this is not a forecast statistic",
            "expected a statistic",
            help,
        )),
    }
}

fn whole_number(e: &ast::Expr) -> Option<u64> {
    match &e.kind {
        ast::ExprKind::Number(x) if x.fract() == 0.0 && *x >= 0.0 && *x < 1e15 => Some(*x as u64),
        _ => None,
    }
}

/// Take a `forecast(...)` call apart (the call's own shape; the checker checks the names).
pub fn parse_call(e: &ast::Expr) -> Option<Result<Call, CallError>> {
    use crate::diagnostics::Code;
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
                Code::E0330,
                e.span,
                "`forecast` needs a history",
                "no history given",
                "write `forecast(usage[r], q95)`: a param indexed by periods, and a statistic",
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
        let stat = match positional.get(1) {
            Some(a) => stat(&a.value)?,
            None => Stat::Mean,
        };
        if let Some(extra) = positional.get(2) {
            return Err(err(
                Code::E0332,
                extra.value.span,
                "`forecast` takes a history and a statistic; options are named",
                "extra argument",
                "name it: `method = ets`, `season = 12`, `seed = 7`",
            ));
        }
        let mut call = Call {
            history,
            keys,
            stat,
            method: Method::Auto,
            season: None,
            seed: 1,
            span: e.span,
        };
        for a in args {
            let Some(n) = &a.name else { continue };
            match n.name.as_str() {
                "method" => {
                    let m = match &a.value.kind {
                        ast::ExprKind::Name(m) => Method::parse(&m.name),
                        _ => None,
                    };
                    call.method = m.ok_or_else(|| {
                        let names: Vec<&str> = Method::ALL.iter().map(|m| m.as_str()).collect();
                        err(
                            Code::E0332,
                            a.value.span,
                            "unknown forecast method",
                            "not a method",
                            format!("the methods are {}", names.join(", ")),
                        )
                    })?;
                }
                "season" => {
                    call.season = Some(
                        whole_number(&a.value)
                            .filter(|&s| (1..=10_000).contains(&s))
                            .ok_or_else(|| {
                                err(
                                    Code::E0332,
                                    a.value.span,
                                    "`season` is a whole number of periods",
                                    "expected a number such as 12",
                                    "the periods in one seasonal cycle: 12 for months, 4 for quarters, 7 for days, 1 for none",
                                )
                            })? as usize,
                    );
                }
                "seed" => {
                    call.seed = whole_number(&a.value).ok_or_else(|| {
                        err(
                            Code::E0332,
                            a.value.span,
                            "`seed` is a whole number",
                            "expected a number such as 7",
                            "the same seed gives the same sample paths",
                        )
                    })?;
                }
                other => {
                    return Err(err(
                        Code::E0332,
                        n.span,
                        format!("`forecast` has no option `{other}`"),
                        "unknown option",
                        "the options are `method`, `season` and `seed`",
                    ))
                }
            }
        }
        Ok(call)
    })())
}

fn not_history(e: &ast::Expr) -> CallError {
    err(
        crate::diagnostics::Code::E0330,
        e.span,
        "`forecast` forecasts a param",
        "not a param",
        "give the history param with all its indices but the last: `forecast(usage[r], q95)`",
    )
}

/// One forecast series, for `archc forecast` and the language server.
#[derive(Clone, Debug)]
pub struct SeriesForecast {
    /// The param computed (`demand`).
    pub param: String,
    /// The history series (`usage[us-east]`).
    pub series: String,
    /// What the param takes (`q95`, `mean`, `path`).
    pub stat: String,
    /// The method asked for.
    pub method: Method,
    /// The seasonal period used.
    pub season: usize,
    /// History periods and values (in the unit of `unit`).
    pub history_periods: Vec<String>,
    pub history: Vec<f64>,
    /// Forecast periods.
    pub periods: Vec<String>,
    /// The forecast (in the unit of `unit`).
    pub forecast: Forecast,
    /// The declared unit of the param (`core`), empty when dimensionless.
    pub unit: String,
    /// Where the `forecast(...)` is.
    pub span: Span,
}
