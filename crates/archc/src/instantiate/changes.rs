//! Param values changed after a model compiled: the embedding API's re-solve
//! ([`crate::embed::Compiled::set_param`]). The model is instantiated again from its checked
//! schema and HIR (no parsing, module loading, checking or lowering; data files come from
//! the source map, where they already are), and each changed value replaces the loaded or
//! computed one as soon as its param is evaluated, before anything reads it: params computed
//! from it, constraints, bounds and objectives all see the new value.

use super::world::{ElemId, Value};
use super::{Inst, Instance, Limits};
use crate::check::Schema;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::SourceMap;

/// One changed value: `param[key...] = value`, the key by element names (empty for a scalar
/// param) and the value in the param's base unit.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamChange {
    pub param: usize,
    pub key: Vec<String>,
    pub value: f64,
}

/// Instantiate a checked model with some param values changed (see the module).
pub fn instantiate_with_changes(
    schema: &Schema,
    hir: &crate::hir::Model,
    sources: &mut SourceMap,
    limits: Limits,
    compile_plans: bool,
    changes: &[ParamChange],
) -> (Option<Instance>, Vec<Diagnostic>) {
    let (inst, diags, _) =
        super::instantiate_changed(schema, hir, sources, limits, compile_plans, true, changes);
    (inst, diags)
}

impl Inst<'_> {
    /// Evaluate each changed param and put the new values in its table. A key that names no
    /// element of the param's index sets is E0748.
    pub(super) fn apply_changes(&mut self, changes: &[ParamChange]) {
        let mut by_param: Vec<usize> = changes.iter().map(|c| c.param).collect();
        by_param.sort_unstable();
        by_param.dedup();
        for p in by_param {
            if let Err(d) = self.apply_param_changes(p, changes) {
                self.diags.push(d);
            }
        }
    }

    fn apply_param_changes(&mut self, p: usize, changes: &[ParamChange]) -> Result<(), Diagnostic> {
        let schema = self.schema;
        let info = &schema.params[p];
        self.ensure_param(p)?;
        // Element names of each index set, looked up once per param.
        let mut names: Vec<rustc_hash::FxHashMap<String, ElemId>> = Vec::new();
        let Some(h) = self.hir.and_then(|h| h.params.get(p)) else {
            return Err(super::hir_eval::internal(
                info.span,
                "a param without its HIR",
            ));
        };
        for b in &h.body.index.binders {
            let set = self.in_frame(h.slots.len(), |me| me.h_set(&b.set))?;
            names.push(
                set.elems
                    .iter()
                    .map(|&e| (self.world.name(e).to_string(), e))
                    .collect(),
            );
        }
        for c in changes.iter().filter(|c| c.param == p) {
            if c.key.len() != info.dims.len() {
                return Err(Diagnostic::error(
                    Code::E0748,
                    format!(
                        "`{}` has {} indices, and the change gives {}",
                        info.name,
                        info.dims.len(),
                        c.key.len()
                    ),
                ));
            }
            let mut key: Vec<ElemId> = Vec::with_capacity(c.key.len());
            for ((dim, name), known) in info.dims.iter().zip(&c.key).zip(&names) {
                match known.get(name) {
                    Some(&e) => key.push(e),
                    None => {
                        return Err(Diagnostic::error(
                            Code::E0748,
                            format!(
                                "`{}` has no index `{name}` in `{}`",
                                info.name,
                                self.sources.slice(dim.set.span).trim()
                            ),
                        ))
                    }
                }
            }
            let Some(table) = self.world.params[p].as_mut() else {
                return Err(Diagnostic::error(
                    Code::E0748,
                    format!("`{}` has no values to change", info.name),
                ));
            };
            if key.is_empty() {
                table.scalar = Some(Value::Num(c.value));
                continue;
            }
            if let Some(d) = table.dense.as_mut() {
                if let Some(off) = d.offset(&key) {
                    d.nums[off] = c.value;
                    continue;
                }
            }
            table
                .values
                .insert(key.into_boxed_slice(), Value::Num(c.value));
        }
        Ok(())
    }
}
