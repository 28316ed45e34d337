//! Param values changed after a model compiled (the embedding API's re-solve,
//! [`crate::Compiled::set_param`], and the Python package's `Model.set_param`): the changes
//! kept by (param, index), checked when they are made, and taken into the analysis' instance
//! by [`crate::driver::reinstantiate`] — in place when the structure stays.

use crate::analysis::Analysis;
use crate::diagnostics::Diagnostic;
use crate::driver::Reinstantiated;
use std::collections::HashMap;

/// The values changed since a model compiled, and those its instance holds.
#[derive(Debug, Default)]
pub struct ParamChanges {
    /// By (param, index by element names), in the param's base unit.
    changes: HashMap<(usize, Vec<String>), f64>,
    /// The changes the instance holds.
    applied: HashMap<(usize, Vec<String>), f64>,
    /// Whether `changes` are not yet in the instance.
    pending: bool,
    /// How the last [`ParamChanges::update`] took the changes in.
    last_update: Option<Reinstantiated>,
}

impl ParamChanges {
    /// Change one value of param `name` of `analysis`' model for the next update: `index`
    /// names the elements (empty for a scalar param), `value` is in the unit the param is
    /// declared with. A param that is not a number, a value that is not finite (or not whole
    /// for an `int` param), or a wrong number of indices is E0748; an index that names no
    /// element is E0748 at the update.
    pub fn set(
        &mut self,
        analysis: &Analysis,
        name: &str,
        index: &[&str],
        value: f64,
    ) -> Result<(), Diagnostic> {
        use crate::check::Ty;
        use crate::diagnostics::Code;
        let schema = analysis
            .schema
            .as_ref()
            .ok_or_else(|| Diagnostic::error(Code::E0703, "the model has no checked form"))?;
        let Some(param) = schema.params.iter().position(|p| p.name == name) else {
            let known: Vec<&str> = schema.params.iter().map(|p| p.name.as_str()).collect();
            return Err(
                Diagnostic::error(Code::E0748, format!("the model has no param `{name}`"))
                    .help(format!("its params are: {}", known.join(", "))),
            );
        };
        let info = &schema.params[param];
        let (scale, int) = match info.ty {
            Ty::Num { unit, int } => (unit.scale, int),
            _ => {
                return Err(Diagnostic::error(
                    Code::E0748,
                    format!("`{name}` is not a number: only numeric params can be set"),
                ))
            }
        };
        if !value.is_finite() || (int && value.fract() != 0.0) {
            return Err(Diagnostic::error(
                Code::E0748,
                format!(
                    "`{name}` cannot take the value {value}: {}",
                    if int {
                        "it is an `int` param"
                    } else {
                        "not a finite number"
                    }
                ),
            ));
        }
        if index.len() != info.dims.len() {
            return Err(Diagnostic::error(
                Code::E0748,
                format!(
                    "`{name}` has {} indices, and {} were given",
                    info.dims.len(),
                    index.len()
                ),
            ));
        }
        let key: Vec<String> = index.iter().map(|s| s.to_string()).collect();
        self.changes.insert((param, key), value * scale);
        self.pending = true;
        Ok(())
    }

    /// Forget every change: the next update goes back to the values the model compiled with.
    pub fn clear(&mut self) {
        self.changes.clear();
        self.pending = true;
    }

    /// Take the changes into `analysis`' instance (see [`crate::driver::reinstantiate`]).
    pub fn update(&mut self, analysis: &mut Analysis) -> Result<(), Diagnostic> {
        if self.pending {
            let changes: Vec<crate::instantiate::ParamChange> = self
                .changes
                .iter()
                .map(|((param, key), &value)| crate::instantiate::ParamChange {
                    param: *param,
                    key: key.clone(),
                    value,
                })
                .collect();
            let taken_back = self.applied.keys().any(|k| !self.changes.contains_key(k));
            let mut changed: Vec<usize> = self
                .changes
                .iter()
                .filter(|(k, v)| self.applied.get(*k) != Some(*v))
                .map(|((param, _), _)| *param)
                .collect();
            changed.sort_unstable();
            changed.dedup();
            let how = crate::driver::reinstantiate(
                analysis,
                &changes,
                (!taken_back).then_some(&changed[..]),
            )?;
            self.applied = self.changes.clone();
            self.last_update = Some(how);
            self.pending = false;
        }
        Ok(())
    }

    /// How the last update that did something took the changes in.
    pub fn last_update(&self) -> Option<&Reinstantiated> {
        self.last_update.as_ref()
    }
}
