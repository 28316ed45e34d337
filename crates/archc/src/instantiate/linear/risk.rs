//! Lowering the risk measures over a scenario set to linear rows: `expected` is the
//! probability-weighted sum, `worst` the epigraph of the values (as `max`), `probability`
//! the probability-weighted count of indicator columns (big-M from bounds, as `count`), and
//! `cvar` the Rockafellar–Uryasev form `alpha + 1/(1-beta) * sum(p_s * u_s)` with
//! `u_s >= value_s - alpha`, `u_s >= 0`, exact where the model pushes it down (minimised,
//! or bounded above). Part of [`super`].

use super::logic::F;
use super::Lin;
use crate::diagnostics::{Code, Diagnostic};
use crate::hir::{Expr, Index, SlotId};
use crate::instantiate::eval::{runtime_error, R};
use crate::instantiate::{Inst, RiskCheck};
use crate::ir::VarKind;
use crate::span::Span;
use crate::syntax::ast::AggKind;

/// Each scenario's linear value with its probability.
type Items = Vec<(Lin, f64)>;

impl<'a> Inst<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn lin_risk(
        &mut self,
        kind: AggKind,
        level: Option<&'a Expr>,
        rest: &'a Index,
        body: &'a Expr,
        k: f64,
        pol: i8,
        acc: &mut Lin,
        span: Span,
    ) -> R<()> {
        let beta = match level {
            Some(l) => self.cvar_level(l)?,
            None => 0.0,
        };
        // The scenario variable: its slot, and its name for the rows made per scenario.
        let slot = rest.binders.first().map(|b| b.slot);
        let var = slot
            .and_then(|s| self.hir_scope.slots.get(s.index()))
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let mut check = RiskCheck {
            kind,
            span,
            beta,
            measure: Lin::default(),
            items: Vec::new(),
            conds: Vec::new(),
        };
        match kind {
            AggKind::Expected => {
                let items = self.scenario_items(rest, slot, body, span)?;
                for (l, p) in &items {
                    check.measure.add(l, *p);
                }
                check.items = items;
            }
            AggKind::Probability => {
                let mut conds = Vec::new();
                let mut measure = Lin::default();
                self.h_for_each(rest, &mut |me| {
                    let p = me.scenario_p(slot.map_or(u32::MAX, |s| me.slot_elem(s)), span)?;
                    let f = me.formula(body)?;
                    conds.push((f.clone(), p));
                    match f {
                        F::Const(true) => measure.constant += p,
                        F::Const(false) => {}
                        f => {
                            let z = me.reify_full(f, body.span)?;
                            me.push_lit(z, p, &mut measure);
                        }
                    }
                    Ok(())
                })?;
                check.measure = measure;
                check.conds = conds;
            }
            AggKind::Worst => {
                let items = self.scenario_items(rest, slot, body, span)?;
                if items.is_empty() {
                    return Err(runtime_error(
                        Code::E0613,
                        span,
                        "`worst` over an empty set",
                        "no scenarios",
                    ));
                }
                check.items = items.clone();
                let (items, scale) = rescaled(items);
                let t =
                    self.extremum(true, items.into_iter().map(|x| x.0).collect(), k, pol, span)?;
                check.measure.terms.push((t, scale));
            }
            _ => {
                // Exact only when the context prefers a small value (see `lin`).
                let eff = if k < 0.0 { -pol } else { pol };
                if eff <= 0 {
                    return Err(Diagnostic::error(
                        Code::E0640,
                        "`cvar` can only be minimised or bounded above",
                    )
                    .primary(span, "here it is maximised, bounded below or inside logic")
                    .help("CVaR is convex: minimise it, or write `cvar(...) <= LIMIT`; to reward a low risk, minimise it with a weight"));
                }
                let (items, elems) = self.scenario_items_with(rest, slot, body, span)?;
                check.items = items.clone();
                let (items, unit) = rescaled(items);
                let mass: f64 = items.iter().map(|x| x.1).sum();
                self.cvar_mass(mass, beta, span)?;
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for (l, _) in &items {
                    let (a, b) = self.bounds(l);
                    lo = lo.min(a);
                    hi = hi.max(b);
                }
                // alpha (the value at risk) lies between the least and the greatest value.
                let alpha =
                    self.new_col(VarKind::Continuous, lo, hi, span, "cvar value at risk")?;
                check.measure.terms.push((alpha, unit));
                let scale = unit / (1.0 - beta);
                let excess = self.derived_per_scenario(
                    span,
                    "excess of a scenario's value over the value at risk (cvar)",
                    &var,
                );
                for ((l, p), s) in items.into_iter().zip(elems) {
                    let origin = self.scenario_origin(excess, s);
                    let u = self.new_col_at(origin, 0.0, f64::INFINITY, span)?;
                    // u - value + alpha >= 0
                    let mut row = Lin {
                        terms: vec![(u, 1.0), (alpha, 1.0)],
                        constant: 0.0,
                    };
                    row.add(&l, -1.0);
                    self.emit_row(row, 0.0, f64::INFINITY, 1.0, origin, span)?;
                    if p > 0.0 {
                        check.measure.terms.push((u, p * scale));
                    }
                }
            }
        }
        acc.add(&check.measure, k);
        self.risk_checks.push(check);
        Ok(())
    }

    /// The linear value of `body` in each scenario, with the scenario's probability.
    fn scenario_items(
        &mut self,
        index: &'a Index,
        slot: Option<SlotId>,
        body: &'a Expr,
        span: Span,
    ) -> R<Vec<(Lin, f64)>> {
        Ok(self.scenario_items_with(index, slot, body, span)?.0)
    }

    /// [`Self::scenario_items`], and the scenario of each.
    fn scenario_items_with(
        &mut self,
        index: &'a Index,
        slot: Option<SlotId>,
        body: &'a Expr,
        span: Span,
    ) -> R<(Items, Vec<u32>)> {
        let mut items = Vec::new();
        let mut elems = Vec::new();
        self.h_for_each(index, &mut |me| {
            let s = slot.map_or(u32::MAX, |s| me.slot_elem(s));
            let p = me.scenario_p(s, span)?;
            if s != u32::MAX {
                elems.push(s);
            }
            let mut l = Lin::default();
            me.lin(body, 1.0, 0, &mut l)?;
            items.push((l, p));
            Ok(())
        })?;
        Ok((items, elems))
    }
}

/// The items divided by their largest coefficient, and that coefficient: values in a unit
/// such as `Gbps` have coefficients of 1e9 in base units, and the rows made over them are
/// kept near 1 so that solver tolerances mean the same in every unit.
fn rescaled(mut items: Vec<(Lin, f64)>) -> (Vec<(Lin, f64)>, f64) {
    let largest = items
        .iter()
        .flat_map(|(l, _)| l.terms.iter().map(|t| t.1.abs()))
        .fold(0.0, f64::max);
    if largest == 0.0 || !largest.is_finite() {
        return (items, 1.0);
    }
    for (l, _) in &mut items {
        for t in &mut l.terms {
            t.1 /= largest;
        }
        l.constant /= largest;
    }
    (items, largest)
}

impl RiskCheck {
    /// The value of the measure in the solution as the solver has it, and each scenario's
    /// value (for `probability`: 1 where the condition holds, else 0) with its probability.
    pub(crate) fn evaluate(&self, values: &[f64]) -> Option<(f64, Vec<(f64, f64)>)> {
        let lin_value = |l: &Lin| -> Option<f64> {
            let mut v = l.constant;
            for &(c, k) in &l.terms {
                v += k * values.get(c as usize).copied()?;
            }
            Some(v)
        };
        let measured = lin_value(&self.measure)?;
        let mut pairs = Vec::with_capacity(self.items.len().max(self.conds.len()));
        for (l, p) in &self.items {
            pairs.push((lin_value(l)?, *p));
        }
        for (f, p) in &self.conds {
            let holds = crate::instantiate::expect::eval(f, values)?;
            pairs.push((f64::from(u8::from(holds)), *p));
        }
        Some((measured, pairs))
    }
}
