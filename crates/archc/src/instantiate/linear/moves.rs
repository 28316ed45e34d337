//! Lowering the built-ins that compare a decision with its current state (typed in
//! `check::expr::moves`). `moves(x, was)` is the sum over `x`'s instances of
//! `|x - was|`, each absolute value lowered like `abs` (one auxiliary column above both
//! differences, exact with a choice binary when the model prefers it large), in `x`'s unit.
//! `changed(x, was)` is a sum of binaries `z` with `x - was <= (ub - was) z` and
//! `was - x <= (was - lb) z`: big-M from the decision's bounds (E0605 without them), and only
//! where the model prefers the count small (a minimised objective, a `<=` cap); elsewhere a
//! binary could claim a change that did not happen, which is E0651.
//!
//! Each occurrence is recorded as an [`crate::ir::Movement`] so that verification recomputes
//! the moves from the plan and the current values, independent of this lowering.

use super::{Lin, R};
use crate::diagnostics::{Code, Diagnostic};
use crate::instantiate::Inst;
use crate::ir::{ColId, Movement, MovementKind, VarKind};
use crate::span::Span;

impl Inst<'_> {
    /// Add `k * moves(x, was)` or `k * changed(x, was)` to `acc`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn lin_moves(
        &mut self,
        changed: bool,
        d: usize,
        p: usize,
        was_span: Span,
        k: f64,
        pol: i8,
        acc: &mut Lin,
        span: Span,
    ) -> R<()> {
        let name = if changed { "changed" } else { "moves" };
        let kind = if changed {
            MovementKind::Changed
        } else {
            MovementKind::Moves
        };
        let eff = if k < 0.0 { -pol } else { pol };
        if kind == MovementKind::Changed && eff <= 0 {
            return Err(Diagnostic::error(
                Code::E0651,
                "`changed` can be minimised or capped from above, not maximised or fixed",
            )
            .primary(span, "here the model would gain from a larger count")
            .help("use `changed(x, was)` in a minimised objective or on the small side of `<=`; for an exact count use `moves` of a bool decision"));
        }
        let Some(cols) = self.decisions.get(d).and_then(|c| c.as_ref()) else {
            return Err(Diagnostic::error(
                Code::E0603,
                format!(
                    "`{}` is not instantiated yet",
                    self.schema.decisions[d].name
                ),
            )
            .primary(span, "here"));
        };
        let (base, count) = (cols.base, cols.count as u32);
        let scale = self.schema.decisions[d].unit.scale;
        self.ensure_param(p)?;
        let mut items = Vec::with_capacity(count as usize);
        let mut counted = Vec::with_capacity(count as usize);
        for c in base..base + count {
            let column = self.model.columns[c as usize];
            let tuple = self.model.tuple_of(column.origin).to_vec();
            let was = self.current_value(p, &tuple, was_span)?;
            items.push((ColId(c), scale, was));
            match kind {
                MovementKind::Moves => {
                    let up = Lin {
                        terms: vec![(c, scale)],
                        constant: -was,
                    };
                    let down = Lin {
                        terms: vec![(c, -scale)],
                        constant: was,
                    };
                    let t = self.extremum(true, vec![up, down], k, pol, span)?;
                    acc.terms.push((t, k));
                    counted.push((ColId(t), 1.0));
                }
                MovementKind::Changed => {
                    let up = scale * column.ub - was;
                    let down = was - scale * column.lb;
                    if up <= 0.0 && down <= 0.0 {
                        // The bounds fix the decision at its current value.
                        continue;
                    }
                    if !up.is_finite() || !down.is_finite() {
                        return Err(self.needs_bounds(span, "`changed`"));
                    }
                    let z = self.new_col(VarKind::Binary, 0.0, 1.0, span, "changed")?;
                    if up > 0.0 {
                        let row = Lin {
                            terms: vec![(c, scale), (z, -up)],
                            constant: -was,
                        };
                        self.derived_row(row, f64::NEG_INFINITY, 0.0, span, "changed above")?;
                    }
                    if down > 0.0 {
                        let row = Lin {
                            terms: vec![(c, -scale), (z, -down)],
                            constant: was,
                        };
                        self.derived_row(row, f64::NEG_INFINITY, 0.0, span, "changed below")?;
                    }
                    acc.terms.push((z, k));
                    counted.push((ColId(z), 1.0));
                }
            }
        }
        let label = self
            .sources
            .text(span.file)
            .get(span.range())
            .unwrap_or(name)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let unit = match kind {
            MovementKind::Moves => self.schema.decisions[d].unit_text.clone(),
            MovementKind::Changed => String::new(),
        };
        self.model.movements.push(Movement {
            kind,
            label,
            span,
            unit,
            items,
            counted,
        });
        Ok(())
    }

    /// The current value of a decision instance: the param `p` at the instance's tuple, in
    /// base units (E0609 when the param has no value there).
    fn current_value(&mut self, p: usize, tuple: &[u32], span: Span) -> R<f64> {
        let found = self.world.params[p].as_ref().and_then(|t| t.get(tuple));
        match found {
            Some(crate::instantiate::world::Value::Num(v)) => Ok(v),
            Some(crate::instantiate::world::Value::Bool(b)) => Ok(if b { 1.0 } else { 0.0 }),
            _ => {
                let names: Vec<&str> = tuple.iter().map(|&e| self.world.name(e)).collect();
                let info = &self.schema.params[p];
                Err(Diagnostic::error(
                    Code::E0609,
                    format!("`{}[{}]` has no value", info.name, names.join(", ")),
                )
                .primary(span, "the current state of this instance is missing")
                .secondary(info.span, "declared here")
                .help("give the current state a value for every instance of the decision"))
            }
        }
    }
}
