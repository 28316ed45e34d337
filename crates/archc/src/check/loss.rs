//! Checking `decide NAME[s in S, ...]: TYPE as loss`: the decision whose value in each
//! scenario of `S` is that scenario's loss, which `archc risk` measures (see
//! [`crate::risk`]). Its first index must range over a scenario set (E0644), and a scenario
//! set has one loss (E0643). The loss has the decision's unit, checked like any decision.

use super::{Checker, ElemTy, SetDef};
use crate::diagnostics::{Code, Diagnostic};

impl Checker {
    /// The `as loss` clause of decision `i`, once its index dimensions are known.
    pub(super) fn check_loss(&mut self, i: usize) {
        let d = &self.schema.decisions[i];
        let Some(span) = d.decl.loss else {
            return;
        };
        let Some(set) = self.schema.loss_set(i) else {
            let first = d.decl.index.as_ref().map_or(d.span, |ix| ix.span);
            self.error(
                Diagnostic::error(
                    Code::E0644,
                    format!("the loss `{}` is not indexed by a scenario set", d.name),
                )
                .primary(span, "marked as the loss here")
                .secondary(first, "its first index is not a scenario")
                .help(format!(
                    "index the loss by the scenario set first: `decide {}[s in S, ...]`",
                    d.name
                )),
            );
            return;
        };
        let earlier = (0..i).find(|&j| self.schema.loss_set(j) == Some(set));
        if let Some(j) = earlier {
            let other = &self.schema.decisions[j];
            let set_name = self.schema.sets[set].name.clone();
            let d = Diagnostic::error(
                Code::E0643,
                format!("the scenario set `{set_name}` has two losses"),
            )
            .primary(
                span,
                format!("`{}` is a second loss", self.schema.decisions[i].name),
            )
            .secondary(other.span, format!("`{}` is its loss", other.name))
            .help("keep one `as loss`; a loss that adds both in one unit counts both");
            self.error(d);
        }
    }
}

impl super::Schema {
    /// The scenario set whose loss decision `i` is: the set of its first index, when it is
    /// marked `as loss` and that set is a scenario set.
    pub fn loss_set(&self, i: usize) -> Option<usize> {
        let d = self.decisions.get(i)?;
        d.decl.loss?;
        match d.dims.first()?.elem {
            ElemTy::Symbol(s) if matches!(self.sets.get(s)?.def, SetDef::Scenarios(_)) => Some(s),
            _ => None,
        }
    }

    /// The decision marked `as loss` for scenario set `set`, if any.
    pub fn loss_of(&self, set: usize) -> Option<usize> {
        (0..self.decisions.len()).find(|&i| self.loss_set(i) == Some(set))
    }
}
