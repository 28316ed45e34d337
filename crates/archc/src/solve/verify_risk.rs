//! Verifying risk measures after a solve. The rows of every scenario are checked like any
//! other rows by [`super::verify`]; here each `expected`, `worst`, `cvar` and `probability`
//! is recomputed from the scenario values of the solution (sum, max, CVaR by sorting the
//! losses, probability of the scenarios whose condition holds) without the columns its
//! lowering added, and compared with the solver's value: `expected` must equal it, `worst`
//! and `cvar`, lowered as upper bounds that the model pushes down, must not exceed it, and
//! `probability` must reach it (every scenario the solver counts meets its condition).

use crate::diagnostics::{Code, Diagnostic};
use crate::instantiate::{Instance, RiskCheck};
use crate::ir::dump::fmt_num;
use crate::syntax::ast::AggKind;

/// The measure recomputed from `(value, probability)` pairs.
pub fn recompute(kind: AggKind, pairs: &[(f64, f64)], beta: f64) -> f64 {
    match kind {
        AggKind::Worst => pairs.iter().map(|x| x.0).fold(f64::NEG_INFINITY, f64::max),
        AggKind::Cvar => {
            crate::instantiate::cvar_by_sorting(pairs.to_vec(), beta).unwrap_or(f64::NAN)
        }
        AggKind::Probability => pairs.iter().filter(|x| x.0 > 0.5).map(|x| x.1).sum(),
        _ => pairs.iter().map(|(v, p)| v * p).sum(),
    }
}

/// Every risk measure of `instance` recomputed at `values`: `(check, solver's value,
/// recomputed value)`, or E0720 for the first that disagrees.
pub fn check(
    instance: &Instance,
    values: &[f64],
) -> Result<Vec<(RiskCheck, f64, f64)>, Diagnostic> {
    let mut out = Vec::new();
    for c in &instance.risk_checks {
        let Some((solver, pairs)) = c.evaluate(values) else {
            continue;
        };
        let value = recompute(c.kind, &pairs, c.beta);
        let tol = 1e-6 * solver.abs().max(value.abs()).max(1.0);
        let ok = match c.kind {
            AggKind::Worst | AggKind::Cvar => value <= solver + tol,
            // A condition that holds exactly at its bound also satisfies its negation as
            // the solver reads it (`<` is `<=` on continuous values), so the solver may
            // count such a scenario as failing: the probability it counts is achieved.
            AggKind::Probability => value >= solver - tol,
            _ => (value - solver).abs() <= tol,
        };
        if !ok || value.is_nan() {
            return Err(Diagnostic::error(
                Code::E0720,
                format!(
                    "`{}` is {} in the solution, but the solver's value is {}",
                    c.kind.name(),
                    fmt_num(value),
                    fmt_num(solver)
                ),
            )
            .primary(c.span, "recomputed from the scenario values")
            .help("the solver's answer does not satisfy the model: try another solver (`--solver`), and report it if it persists"));
        }
        out.push((c.clone(), solver, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CVaR by its definition: min over alpha of alpha + E[(L - alpha)+] / (1 - beta).
    fn by_definition(pairs: &[(f64, f64)], beta: f64) -> f64 {
        pairs
            .iter()
            .map(|&(a, _)| {
                a + pairs
                    .iter()
                    .map(|&(l, p)| p * (l - a).max(0.0))
                    .sum::<f64>()
                    / (1.0 - beta)
            })
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn cvar_by_sorting_is_the_definition() {
        let cases: &[&[(f64, f64)]] = &[
            &[(0.0, 0.7), (5.0, 0.2), (10.0, 0.1)],
            &[(3.0, 0.25), (1.0, 0.25), (4.0, 0.25), (2.0, 0.25)],
            &[(7.0, 1.0)],
            &[(0.0, 0.5), (1.0, 0.3), (2.0, 0.15), (9.0, 0.05)],
        ];
        for pairs in cases {
            for beta in [0.0, 0.5, 0.8, 0.9, 0.95, 0.99] {
                let got = recompute(AggKind::Cvar, pairs, beta);
                let want = by_definition(pairs, beta);
                assert!(
                    (got - want).abs() < 1e-9,
                    "{pairs:?} at {beta}: {got} != {want}"
                );
            }
        }
        let pairs = [(1.0, 0.5), (3.0, 0.5)];
        assert_eq!(recompute(AggKind::Worst, &pairs, 0.0), 3.0);
        assert_eq!(recompute(AggKind::Expected, &pairs, 0.0), 2.0);
        assert_eq!(
            recompute(AggKind::Probability, &[(1.0, 0.3), (0.0, 0.7)], 0.0),
            0.3
        );
    }
}
