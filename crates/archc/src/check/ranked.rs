//! Objectives in priority order: the first objective stands alone, each later one starts
//! with `then` (E0350), and a tolerance (`within 1 %`, `within 50 usd`) after any but the
//! last says how far that objective may move from its optimum while the later ones are
//! solved (E0351 on the last). A tolerance is data, never a decision (E0305), and is either
//! in percent (relative to the optimum) or in the objective's own unit (absolute, E0415).
//! The staged solve itself is [`crate::solve::lexicographic`].

use super::{errors, Checker};
use crate::diagnostics::{Code, Diagnostic};
use crate::units::Unit;

/// True for a unit written in percent (`%`, `pct`, `percent`): a relative tolerance.
pub fn is_percent(unit: &Unit) -> bool {
    unit.is_dimensionless() && (unit.scale - 0.01).abs() < 1e-12
}

impl Checker {
    /// Check the rank (`then`) and the tolerance (`within`) of objective `i`, after its
    /// expression has been checked (its unit is known).
    pub(super) fn check_rank(&mut self, i: usize) {
        let o = self.schema.objectives[i].clone();
        let count = self.schema.objectives.len();
        if let (0, Some(then)) = (i, o.decl.then) {
            self.error(
                Diagnostic::error(Code::E0350, "the first objective is ranked after nothing")
                    .primary(then, "`then` ranks an objective after the one before it")
                    .help("remove `then`: the first objective is solved first"),
            );
        }
        let Some(within) = &o.decl.within else {
            return;
        };
        let t = self.expr(within);
        if t.var {
            self.error(errors::needs_data(within.span, "a tolerance"));
        }
        match t.ty.as_num() {
            Some((unit, _)) => {
                if is_percent(&unit) {
                    self.schema.objectives[i].relative_tolerance = true;
                } else if !unit.same_dim(&o.unit) {
                    let found = self.schema.units.format(&unit);
                    let wanted = if o.unit_text.is_empty() {
                        "a plain number".to_string()
                    } else {
                        format!("`{}`", o.unit_text)
                    };
                    self.error(
                        Diagnostic::error(
                            Code::E0415,
                            format!(
                                "the tolerance of `{}` should be in percent or in {wanted}, found `{found}`",
                                o.name
                            ),
                        )
                        .primary(within.span, format!("this is `{found}`"))
                        .secondary(o.decl.body.span, format!("the objective is in {wanted}"))
                        .help("write a relative tolerance in percent (`within 1 %`) or an absolute one in the objective's unit"),
                    );
                }
            }
            None if t.ty == super::Ty::Err => {}
            None => {
                let found = self.schema.ty_name(&t.ty);
                self.error(errors::type_mismatch(within.span, "a tolerance", &found));
            }
        }
        if i + 1 == count {
            self.error(
                Diagnostic::error(
                    Code::E0351,
                    format!("`{}` has a tolerance, and no objective is ranked after it", o.name),
                )
                .primary(within.span, "this tolerance would never be used")
                .help("remove `within ...`, or rank another objective after this one with `then minimize ...`"),
            );
        }
    }
}
