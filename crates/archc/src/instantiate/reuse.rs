//! Param values changed after a model compiled, taken into the instance **in place**: the
//! embedding API's re-solve ([`crate::embed::Compiled::set_param`]) when the change leaves the
//! model's structure as it was.
//!
//! The HIR says which declarations read which params. The params a change reaches (the changed
//! ones and every param computed from them) are evaluated again over the instance's own world
//! (its sets, loaded tables and other params are kept: no data file is read again); only the
//! constraints and objectives that read one of them are instantiated again, into rows set
//! aside; each new row must have the columns of the row it replaces, in the same order, and
//! then only its coefficients and bounds are copied over. The columns, the other rows, their
//! names and origins stay as they are.
//!
//! Whatever could change the structure declines, with the reason, and the caller instantiates
//! the whole model again ([`super::instantiate_with_changes`]): a set, an attribute, a
//! decision's index or bounds, or a data param's index reading a changed param; scenario sets,
//! forecasts, aggregates, plans, risk measures and `moves`; a re-instantiated declaration that
//! adds columns, or rows of another shape (a filter or a term that a new value turns off).

use super::{Inst, Instance, Limits, ParamChange};
use crate::check::Schema;
use crate::hir::{self, ExprKind, ParamValue, SetValue};
use crate::source::SourceMap;

/// What an in-place update did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InPlace {
    /// Params evaluated again (the changed ones and those computed from them).
    pub params: usize,
    /// Constraint declarations instantiated again.
    pub constraints: usize,
    /// Rows whose coefficients and bounds were replaced.
    pub rows: usize,
    /// Whether the objectives were instantiated again.
    pub objectives: bool,
}

/// The params that `e` reads.
fn params_read(e: &hir::Expr, out: &mut Vec<usize>) {
    e.walk(|n| match &n.kind {
        ExprKind::Param(p, _) => out.push(p.0 as usize),
        ExprKind::Moves { was, .. } => out.push(was.0 as usize),
        _ => {}
    });
}

fn index_reads(ix: &hir::Index, out: &mut Vec<usize>) {
    for b in &ix.binders {
        params_read(&b.set, out);
    }
    if let Some(f) = &ix.filter {
        params_read(f, out);
    }
}

fn reads_any(exprs: &[&hir::Expr], index: Option<&hir::Index>, reached: &[bool]) -> bool {
    let mut read = Vec::new();
    for e in exprs {
        params_read(e, &mut read);
    }
    if let Some(ix) = index {
        index_reads(ix, &mut read);
    }
    read.iter()
        .any(|&p| reached.get(p).copied().unwrap_or(true))
}

/// The params that a change of `changed` reaches: those and every param computed from one of
/// them, as a mask over the schema's params. Each param's HIR is read once (which params it
/// reads), then the change spreads to their readers with a worklist. A data param whose index
/// depends on a reached one declines.
fn reach(hir: &hir::Model, changed: &[usize]) -> Result<Vec<bool>, String> {
    let n = hir.params.len();
    // readers[p]: the params whose value or index reads p; index_readers: data params whose
    // index reads p.
    let mut readers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut index_readers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (q, d) in hir.params.iter().enumerate() {
        let mut read = Vec::new();
        index_reads(&d.body.index, &mut read);
        match &d.body.value {
            value @ (ParamValue::Expr(_) | ParamValue::Table(_)) => {
                value.for_each_expr(&mut |e| params_read(e, &mut read))
            }
            ParamValue::Data => {
                for &p in &read {
                    if let Some(r) = index_readers.get_mut(p) {
                        r.push(q);
                    }
                }
                continue;
            }
            ParamValue::Forecast { .. } | ParamValue::Aggregate { .. } => {}
        }
        for p in read {
            if let Some(r) = readers.get_mut(p) {
                r.push(q);
            }
        }
    }
    let mut reached = vec![false; n];
    let mut todo: Vec<usize> = changed.iter().copied().filter(|&p| p < n).collect();
    for &p in &todo {
        reached[p] = true;
    }
    while let Some(p) = todo.pop() {
        if let Some(&q) = index_readers[p].first() {
            return Err(format!(
                "the index of a param loaded from data (param {q}) reads a changed value"
            ));
        }
        for &q in &readers[p] {
            if !reached[q] {
                reached[q] = true;
                todo.push(q);
            }
        }
    }
    Ok(reached)
}

/// Why the instance cannot be updated in place whatever changed, if so.
fn shape_declines(hir: &hir::Model, schema: &Schema, instance: &Instance) -> Option<&'static str> {
    if hir.params.len() != schema.params.len()
        || hir.constraints.len() != schema.constraints.len()
        || hir.objectives.len() != schema.objectives.len()
        || hir.decisions.len() != schema.decisions.len()
        || hir.sets.len() != schema.sets.len()
    {
        return Some("the model's HIR is incomplete");
    }
    if !hir.plans.is_empty() || !instance.dp_plans.is_empty() {
        return Some("the model has plans");
    }
    if hir
        .sets
        .iter()
        .any(|s| matches!(s.body, SetValue::Scenarios(_)))
        || !instance.world.scenarios.is_empty()
    {
        return Some("the model has scenario sets");
    }
    if hir.params.iter().any(|p| {
        matches!(
            p.body.value,
            ParamValue::Forecast { .. } | ParamValue::Aggregate { .. }
        )
    }) {
        return Some("the model has forecasts or aggregates");
    }
    if !instance.risk_checks.is_empty() {
        return Some("the model has risk measures");
    }
    if !instance.model.movements.is_empty() {
        return Some("the model uses moves or changed");
    }
    None
}

/// Take `changes` into `slot`'s instance in place (see the module). `changed` are the params
/// whose values differ from the instance's; `all` is every change made since the model
/// compiled (applied again: the params computed from a changed one are evaluated afresh).
/// On `Err` (the reason) the instance may have been used up: `slot` is then `None` and the
/// caller instantiates the model again.
pub(crate) fn update_in_place(
    schema: &Schema,
    hir: &hir::Model,
    sources: &mut SourceMap,
    limits: Limits,
    slot: &mut Option<Instance>,
    all: &[ParamChange],
    changed: &[usize],
) -> Result<InPlace, String> {
    let Some(instance) = slot.as_ref() else {
        return Err("no instance".into());
    };
    if let Some(why) = shape_declines(hir, schema, instance) {
        return Err(why.into());
    }
    let reached = reach(hir, changed)?;
    for (i, s) in hir.sets.iter().enumerate() {
        if let SetValue::Expr(e) = &s.body {
            if reads_any(&[e], None, &reached) {
                return Err(format!(
                    "set `{}` reads a changed param",
                    schema.sets[i].name
                ));
            }
        }
    }
    if hir
        .attrs
        .iter()
        .any(|a| reads_any(&[&a.body.value], None, &reached))
    {
        return Err("an attribute reads a changed param".into());
    }
    for (i, d) in hir.decisions.iter().enumerate() {
        let bounds: Vec<&hir::Expr> = d.body.bounds.iter().map(|(_, e)| e).collect();
        if reads_any(&bounds, Some(&d.body.index), &reached) {
            return Err(format!(
                "the index or bounds of decision `{}` read a changed param",
                schema.decisions[i].name
            ));
        }
    }
    let constraints: Vec<usize> = hir
        .constraints
        .iter()
        .enumerate()
        .filter(|(_, c)| reads_any(&[&c.body.body], Some(&c.body.index), &reached))
        .map(|(i, _)| i)
        .collect();
    let objectives = hir.objectives.iter().any(|o| {
        let mut exprs = vec![&o.body.body];
        exprs.extend(o.body.within.iter());
        reads_any(&exprs, None, &reached)
    });

    // From here on the instance is taken apart; any failure leaves `slot` empty.
    let mut instance = slot.take().expect("checked above");
    let mut world = std::mem::take(&mut instance.world);
    for (q, d) in hir.params.iter().enumerate() {
        if reached[q] && matches!(d.body.value, ParamValue::Expr(_) | ParamValue::Table(_)) {
            world.params[q] = None;
        }
    }
    let mut inst = Inst::resume(schema, sources, world);
    inst.hir = Some(hir);
    inst.limits = limits;
    inst.model = std::mem::take(&mut instance.model);
    inst.decisions = std::mem::take(&mut instance.decisions)
        .into_iter()
        .map(Some)
        .collect();
    let columns = inst.model.columns.len();
    let aside = inst.model.set_rows_aside();
    inst.apply_changes(all);
    for (q, &r) in reached.iter().enumerate() {
        if r {
            if let Err(d) = inst.ensure_param(q) {
                inst.diags.push(d);
            }
        }
    }
    if crate::diagnostics::has_errors(&inst.diags) {
        return Err("a changed value gives an error".into());
    }
    for &c in &constraints {
        if inst.instantiate_constraint(c).is_err() || crate::diagnostics::has_errors(&inst.diags) {
            return Err(format!(
                "constraint `{}` gives an error with the new values",
                schema.constraints[c].name
            ));
        }
    }
    let constraint_rows_end = inst.model.rows.len();
    if objectives {
        inst.model.objective = None;
        inst.model.later_objectives.clear();
        inst.model.tolerances.clear();
        inst.instantiate_objectives();
        if crate::diagnostics::has_errors(&inst.diags) {
            return Err("an objective gives an error with the new values".into());
        }
    }
    if inst.model.columns.len() != columns {
        return Err("a declaration read again adds columns".into());
    }
    if inst.model.rows.len() != constraint_rows_end {
        return Err("an objective read again adds rows".into());
    }
    // Pair each new row with the one it replaces, declaration by declaration.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for &c in &constraints {
        let old = instance
            .constraint_rows
            .get(c)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let new = inst
            .constraint_rows
            .get(c)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let old_rows = old.iter().flat_map(|r| r.clone());
        let new_rows: Vec<u32> = new.iter().flat_map(|r| r.clone()).collect();
        if old_rows.clone().count() != new_rows.len() {
            return Err(format!(
                "constraint `{}` has another number of rows with the new values",
                schema.constraints[c].name
            ));
        }
        pairs.extend(
            old_rows
                .zip(new_rows)
                .map(|(o, n)| (o as usize, n as usize)),
        );
    }
    let fresh = inst.model.put_rows_back(aside);
    for &(old, new) in &pairs {
        if !fresh.same_shape(new, &inst.model, old) {
            return Err(format!(
                "a row of `{}` has other columns with the new values",
                inst.model.decls[inst.model.rows[old].origin.decl.0 as usize].name
            ));
        }
    }
    for &(old, new) in &pairs {
        fresh.copy_values(new, &mut inst.model, old);
    }
    inst.model.elements = inst.world.elems.iter().map(|e| e.name.clone()).collect();
    let decisions = inst
        .decisions
        .into_iter()
        .map(|d| d.unwrap_or_default())
        .collect();
    *slot = Some(Instance {
        model: inst.model,
        world: inst.world,
        decisions,
        constraint_rows: instance.constraint_rows,
        dp_plans: Vec::new(),
        risk_checks: Vec::new(),
    });
    Ok(InPlace {
        params: reached.iter().filter(|&&r| r).count(),
        constraints: constraints.len(),
        rows: pairs.len(),
        objectives,
    })
}
