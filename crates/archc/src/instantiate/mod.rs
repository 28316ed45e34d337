//! Instantiation: load the data, evaluate sets and params, and expand every decision and
//! constraint over its index sets into the [`crate::ir::Model`]. Logic over decisions is
//! lowered here (see [`linear`]), with big-M values derived from bounds.

use crate::diagnostics::Code;
mod aggregate;
mod changes;
mod declare;
pub mod errors;
mod eval;
pub mod expect;
mod forecast;
pub(crate) mod hir_eval;
mod linear;
mod params;
mod prefetch;
pub mod reuse;
mod risk;
pub use risk::cvar_by_sorting;
mod scalar_file;
#[cfg(test)]
pub(crate) mod tests_compiled;

/// The schema and instance of an analysed model without errors (tests).
#[cfg(test)]
pub(crate) fn instantiated(mut a: crate::analysis::Analysis) -> (crate::check::Schema, Instance) {
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    let schema = a.schema.take().expect("schema");
    let hir = a.hir.take().expect("HIR");
    let (inst, diags) = instantiate(&schema, &hir, &mut a.sources, Limits::default(), false);
    let inst = inst.unwrap_or_else(|| panic!("{diags:?}"));
    (schema, inst)
}
pub mod world;

pub use changes::{instantiate_with_changes, ParamChange};
pub(crate) use eval::nearly_whole;
pub(crate) use linear::CompiledData;

use crate::check::{ElemTy, Schema, Ty};
use crate::data::{self, ColumnSpec, ColumnType};
use crate::diagnostics::Diagnostic;
use crate::ir::{self, Model};
use crate::source::SourceMap;
use crate::span::Span;
use crate::syntax::ast;
use rustc_hash::FxHashMap;
use std::rc::Rc;
use std::sync::Arc;
use world::*;

/// A value of an `int` param (`is_int`, in a unit of `scale`) is whole and within 2^53:
/// else E0633 or E0630 at `span`.
fn int_in_range(v: &Value, is_int: bool, scale: f64, span: Span) -> eval::R<()> {
    match v {
        Value::Num(x) if is_int => {
            // Whole in its unit (`1500 ms`, kept in seconds, is whole up to rounding).
            eval::nearly_whole(if scale > 0.0 { x / scale } else { *x }, span)?;
            if x.abs() > eval::MAX_EXACT_INT {
                return Err(eval::integer_overflow(*x, span));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Limits that keep a model from exhausting memory.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_columns: usize,
    pub max_rows: usize,
    pub max_nonzeros: usize,
    /// Index tuples one index list (of a declaration, a `sum`, a `count`, a set) may
    /// enumerate, and values one plan decision range may hold.
    pub max_index_tuples: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_columns: 50_000_000,
            max_rows: 50_000_000,
            max_nonzeros: 400_000_000,
            max_index_tuples: 100_000_000,
        }
    }
}

/// How to find the columns of one decision.
#[derive(Debug, Default)]
pub struct DecisionCols {
    /// Sets of each index dimension.
    pub sets: Vec<Arc<SetVal>>,
    /// Dense: column = base + mixed-radix position; sparse: by tuple.
    pub base: u32,
    pub dense: bool,
    pub sparse: FxHashMap<Box<[ElemId]>, u32>,
    pub count: usize,
}

/// The instantiated model and the data it came from.
#[derive(Debug)]
pub struct Instance {
    pub model: Model,
    pub world: World,
    pub decisions: Vec<DecisionCols>,
    /// Rows of each constraint declaration: (first row, count) ranges.
    pub constraint_rows: Vec<Vec<std::ops::Range<u32>>>,
    /// Plan instances compiled for the DP backend (when asked for).
    pub dp_plans: Vec<crate::plan::dp::CompiledPlan>,
    /// The risk measures lowered, for their recomputation after the solve.
    pub risk_checks: Vec<RiskCheck>,
}

/// A risk measure as lowered: its value in the solver's columns, and what it is computed
/// from (each scenario's value, or condition, with its probability), so that the solution
/// can be checked by recomputing the measure without the auxiliary columns.
#[derive(Clone, Debug)]
pub struct RiskCheck {
    pub kind: crate::syntax::ast::AggKind,
    pub span: Span,
    /// The level of `cvar` (0 for the others).
    pub beta: f64,
    pub(crate) measure: linear::Lin,
    pub(crate) items: Vec<(linear::Lin, f64)>,
    pub(crate) conds: Vec<(linear::F, f64)>,
}

/// Per-run state of instantiation.
pub struct Inst<'a> {
    pub schema: &'a Schema,
    /// The HIR of the schema, from which the hot path compiles constraints and objectives
    /// (`None` when evaluating over an existing world).
    pub(crate) hir: Option<&'a crate::hir::Model>,
    /// The HIR of the declaration being instantiated.
    pub(crate) hir_scope: linear::HirScope<'a>,
    pub sources: &'a mut SourceMap,
    pub world: World,
    pub model: Model,
    /// The locals of the HIR declaration being evaluated, by slot (see [`hir_eval`]).
    pub(crate) frame: Vec<hir_eval::Bound<'a>>,
    pub(crate) hir_plans: FxHashMap<usize, Rc<hir_eval::Plan<'a>>>,
    pub decisions: Vec<Option<DecisionCols>>,
    pub(crate) evaluating_sets: Vec<usize>,
    pub(crate) derived_decls: linear::DerivedDecls,
    /// Unit scales of comparisons, by the address of the HIR node of their right side.
    pub(crate) compare_scales: FxHashMap<usize, f64>,
    /// Linear expressions compiled once, run per index tuple.
    pub(crate) lin_cache: linear::LinCache,
    pub diags: Vec<Diagnostic>,
    pub limits: Limits,
    /// Current origin for rows and derived columns.
    pub(crate) origin: ir::Origin,
    pub(crate) constraint_rows: Vec<Vec<std::ops::Range<u32>>>,
    /// The declaration being evaluated, for size errors.
    pub(crate) current_decl: String,
    /// Risk measures lowered so far.
    pub(crate) risk_checks: Vec<RiskCheck>,
    /// Large param files read on other threads meanwhile.
    pub(crate) prefetch: prefetch::Prefetch,
}

/// Instantiate a checked model from its schema and its HIR (`hir` lowered from the same
/// checker as `schema`: constraints and objectives are compiled from it). Returns the
/// instance (when no error stopped it) and the diagnostics of this phase (data errors
/// E05xx, lowering errors E06xx).
pub fn instantiate(
    schema: &Schema,
    hir: &crate::hir::Model,
    sources: &mut SourceMap,
    limits: Limits,
    compile_plans: bool,
) -> (Option<Instance>, Vec<Diagnostic>) {
    let (inst, diags, _) = instantiate_with(schema, hir, sources, limits, compile_plans, true);
    (inst, diags)
}

/// [`instantiate`], with the compiled linear expressions on or off (off only in the tests
/// that compare the two). The third value counts what ran compiled.
pub(crate) fn instantiate_with(
    schema: &Schema,
    hir: &crate::hir::Model,
    sources: &mut SourceMap,
    limits: Limits,
    compile_plans: bool,
    compiled: bool,
) -> (Option<Instance>, Vec<Diagnostic>, linear::Counts) {
    instantiate_changed(schema, hir, sources, limits, compile_plans, compiled, &[])
}

/// [`instantiate_with`], with the values of some params changed once they are loaded
/// (before anything reads them): the embedding API's re-solve.
pub(crate) fn instantiate_changed(
    schema: &Schema,
    hir: &crate::hir::Model,
    sources: &mut SourceMap,
    limits: Limits,
    compile_plans: bool,
    compiled: bool,
    changes: &[ParamChange],
) -> (Option<Instance>, Vec<Diagnostic>, linear::Counts) {
    // Changed params are not read ahead: their changes apply once they are loaded.
    let read_ahead = changes.is_empty().then_some(prefetch::PREFETCH_MIN_BYTES);
    let how = How {
        compile_plans,
        compiled,
        read_ahead,
        parallel: linear::Parallel::default(),
    };
    instantiate_how(schema, hir, sources, limits, how, changes)
}

/// How to instantiate: plans for DP or not, compiled expressions or not, large param files
/// read ahead (on another thread, see [`prefetch`]) from how many bytes, the rows of large
/// constraints made on worker threads when.
#[derive(Clone, Copy)]
pub(crate) struct How {
    pub(crate) compile_plans: bool,
    pub(crate) compiled: bool,
    pub(crate) read_ahead: Option<u64>,
    pub(crate) parallel: linear::Parallel,
}

pub(crate) fn instantiate_how(
    schema: &Schema,
    hir: &crate::hir::Model,
    sources: &mut SourceMap,
    limits: Limits,
    how: How,
    changes: &[ParamChange],
) -> (Option<Instance>, Vec<Diagnostic>, linear::Counts) {
    let mut inst = Inst::new(schema, hir, sources, limits.clone());
    inst.lin_cache.disabled = !how.compiled;
    inst.prefetch.min_bytes = how.read_ahead;
    inst.lin_cache.parallel = how.parallel;
    let dp_plans = inst.run_phases(how.compile_plans, changes);
    // `run_phases` takes them before the objectives; this joins the threads of a run that
    // errors stopped earlier.
    inst.finish_prefetches();
    inst.sources.vfs().forget_read_ahead();
    if inst.prefetch.failed {
        // A file read ahead did not load cleanly: load everything in order, which reports
        // what is wrong with it exactly as without reading ahead.
        drop(inst);
        let how = How {
            read_ahead: None,
            ..how
        };
        let (inst, diags, mut runs) = instantiate_how(schema, hir, sources, limits, how, changes);
        runs.read_again = 1;
        return (inst, diags, runs);
    }
    let mut runs = inst.lin_cache.counts();
    runs.read_ahead = inst.prefetch.taken;
    runs.read_as_text = inst.prefetch.taken_as_text;
    let Some(dp_plans) = dp_plans else {
        return (None, inst.diags, runs);
    };
    inst.model.elements = inst.world.elems.iter().map(|e| e.name.clone()).collect();
    inst.model.scenario_elements = inst.world.scenarios.keys().copied().collect();
    let decisions = inst
        .decisions
        .into_iter()
        .map(|d| {
            d.unwrap_or(DecisionCols {
                sets: vec![],
                base: 0,
                dense: true,
                sparse: FxHashMap::default(),
                count: 0,
            })
        })
        .collect();
    (
        Some(Instance {
            model: inst.model,
            world: inst.world,
            decisions,
            constraint_rows: inst.constraint_rows,
            dp_plans,
            risk_checks: inst.risk_checks,
        }),
        inst.diags,
        runs,
    )
}

impl<'a> Inst<'a> {
    /// Load the entities and params, then instantiate the decisions, constraints and
    /// objectives (and compile the plans for DP when asked). `None` when errors stopped it
    /// (they are in `diags`).
    fn run_phases(
        &mut self,
        compile_plans: bool,
        changes: &[ParamChange],
    ) -> Option<Vec<crate::plan::dp::CompiledPlan>> {
        let schema = self.schema;
        self.read_files_ahead();
        self.load_entities();
        if crate::diagnostics::has_errors(&self.diags) {
            return None;
        }
        self.apply_changes(changes);
        if crate::diagnostics::has_errors(&self.diags) {
            return None;
        }
        for p in 0..schema.params.len() {
            if self.start_prefetch(p) {
                continue;
            }
            if let Err(d) = self.ensure_param(p) {
                self.diags.push(d);
            }
        }
        if crate::diagnostics::has_errors(&self.diags) {
            return None;
        }
        for d in 0..schema.decisions.len() {
            if let Err(e) = self.instantiate_decision(d) {
                self.diags.push(e);
                return None;
            }
        }
        for c in 0..schema.constraints.len() {
            if let Err(e) = self.instantiate_constraint(c) {
                self.diags.push(e);
            }
        }
        self.finish_prefetches();
        // For the DP backend the objective is the plans' total cost, which the DP computes
        // (`plan::dp_eligible` holds it to that); plans have no decisions to instantiate it on.
        if !compile_plans || schema.plans.is_empty() {
            self.instantiate_objectives();
        }
        let mut dp_plans = Vec::new();
        if compile_plans && !crate::diagnostics::has_errors(&self.diags) {
            match self.compile_plans() {
                Ok(p) => dp_plans = p,
                Err(d) => self.diags.push(d),
            }
        }
        if crate::diagnostics::has_errors(&self.diags) {
            return None;
        }
        Some(dp_plans)
    }

    /// The objectives: the first in [`Model::objective`], the ones ranked after it with
    /// `then` in [`Model::later_objectives`], each but the last with its tolerance. A later
    /// objective without `then` is E0614.
    fn instantiate_objectives(&mut self) {
        let schema = self.schema;
        let Some(first) = schema.objectives.first() else {
            return;
        };
        let mut tolerances = Vec::new();
        for (i, o) in schema.objectives.iter().enumerate() {
            if i > 0 && o.decl.then.is_none() {
                self.diags.push(
                    Diagnostic::error(Code::E0614, "a model has one objective, or objectives ranked with `then`")
                        .primary(o.span, "second objective")
                        .secondary(first.span, "first objective")
                        .help("write `then` before it to solve it after the first, or add it to the first as a weighted term"),
                );
                return;
            }
            match self.instantiate_objective(i) {
                Ok((objective, tolerance)) => {
                    if i == 0 {
                        self.model.objective = Some(objective);
                    } else {
                        self.model.later_objectives.push(objective);
                    }
                    tolerances.push(tolerance);
                }
                Err(e) => {
                    self.diags.push(e);
                    return;
                }
            }
        }
        if schema.objectives.len() > 1 {
            tolerances.pop();
            self.model.tolerances = tolerances;
        }
    }

    /// The state before anything is loaded: empty tables, one per set and param.
    pub(crate) fn new(
        schema: &'a Schema,
        hir: &'a crate::hir::Model,
        sources: &'a mut SourceMap,
        limits: Limits,
    ) -> Inst<'a> {
        let mut inst = Inst::resume(schema, sources, World::default());
        inst.hir = Some(hir);
        inst.limits = limits;
        inst.world.sets = vec![None; schema.sets.len()];
        inst.world.params = (0..schema.params.len()).map(|_| None).collect();
        inst
    }

    /// An evaluator over an existing world (for checking answers after a solve).
    pub fn resume(schema: &'a Schema, sources: &'a mut SourceMap, world: World) -> Inst<'a> {
        Inst {
            schema,
            hir: None,
            hir_scope: Default::default(),
            sources,
            world,
            model: Model::new(),
            frame: Vec::new(),
            hir_plans: FxHashMap::default(),
            decisions: Vec::new(),
            evaluating_sets: Vec::new(),
            derived_decls: Default::default(),
            compare_scales: FxHashMap::default(),
            lin_cache: Default::default(),
            diags: Vec::new(),
            limits: Limits::default(),
            origin: ir::Origin {
                decl: ir::DeclId(0),
                tuple: 0,
            },
            constraint_rows: Vec::new(),
            current_decl: String::new(),
            risk_checks: Vec::new(),
            prefetch: Default::default(),
        }
    }
}

impl<'a> Inst<'a> {
    /// Entities from the source and from data files, with attribute values.
    fn load_entities(&mut self) {
        let schema = self.schema;
        self.world.kinds = (0..schema.kinds.len())
            .map(|_| KindTable::default())
            .collect();
        // Element ids for every entity first: attributes may reference any of them.
        for e in &schema.entities {
            let id = self.world.intern(ElemKey::Entity(e.kind, e.name.clone()));
            let pos = self.world.kinds[e.kind].elems.len() as u32;
            self.world.kinds[e.kind].elems.push(id);
            self.world.entity_of.insert(id, (e.kind, pos));
            self.world
                .entity_names
                .entry(e.name.clone())
                .or_default()
                .push(id);
        }
        let mut tables = Vec::new();
        for (k, kind) in schema.kinds.iter().enumerate() {
            for (path, _, key) in &kind.data_sources {
                let key_spec = ColumnSpec::new(key.clone(), ColumnType::Text)
                    .as_key()
                    .with_missing_help(format!(
                        "add a `{key}` column with the entity names, or name the column that \
                         holds them: `{} from \"{}\" key COLUMN`",
                        kind.set_name, path.value
                    ));
                let mut spec = vec![key_spec];
                for a in &kind.attrs {
                    let ty = match a.ty {
                        Ty::Num { int: true, .. } => ColumnType::Integer,
                        Ty::Num { .. } => ColumnType::Number,
                        Ty::Bool => ColumnType::Bool,
                        Ty::Str => ColumnType::Text,
                        _ => ColumnType::Ref,
                    };
                    let mut c = ColumnSpec::new(a.name.clone(), ty);
                    if let Some(default) = &a.default {
                        c = if self.sources.is_library(a.span.file) {
                            c.optional()
                        } else {
                            let text = self.sources.slice(default.span).trim().to_string();
                            c.defaulted(text)
                        };
                    }
                    if a.non_negative {
                        c = c.non_negative();
                    }
                    spec.push(c);
                }
                let full = self.sources.resolve_data(path.span.file, &path.value);
                let (table, diags) =
                    data::load_table(self.sources, &full, &path.value, &spec, path.span);
                self.diags.extend(diags);
                if let Some(t) = table {
                    // Each record's entity, by position in its kind; `None` for a record
                    // without a name or naming an entity again.
                    let mut at = Vec::with_capacity(t.records.len());
                    for r in &t.records {
                        let Some(name) = r.cells.first().and_then(|c| c.value.as_str()) else {
                            at.push(None);
                            continue;
                        };
                        let known = self.world.elems.len();
                        let id = self.world.intern(ElemKey::Entity(k, name.to_string()));
                        if (id as usize) < known {
                            self.diags.push(
                                Diagnostic::error(
                                    Code::E0507,
                                    format!("{} `{name}` is declared twice", kind.name),
                                )
                                .primary(r.cells[0].span, "declared again here"),
                            );
                            at.push(None);
                            continue;
                        }
                        let pos = self.world.kinds[k].elems.len() as u32;
                        self.world.kinds[k].elems.push(id);
                        self.world.entity_of.insert(id, (k, pos));
                        self.world
                            .entity_names
                            .entry(name.to_string())
                            .or_default()
                            .push(id);
                        at.push(Some(pos));
                    }
                    tables.push((k, t, at));
                }
            }
        }
        // Attribute values from the source.
        for (k, kind) in schema.kinds.iter().enumerate() {
            let n = self.world.kinds[k].elems.len();
            self.world.kinds[k].attrs = vec![Vec::with_capacity(n); kind.attrs.len()];
        }
        // The HIR of each value written in the source, by entity, and of each default.
        let mut given: FxHashMap<usize, Vec<&'a crate::hir::Decl<crate::hir::AttrValue>>> =
            FxHashMap::default();
        let mut defaults: FxHashMap<(usize, usize), &'a crate::hir::Decl<crate::hir::AttrValue>> =
            FxHashMap::default();
        for h in self.hir.map_or(&[][..], |h| &h.attrs[..]) {
            match h.body.entity {
                Some(i) => given.entry(i).or_default().push(h),
                None => {
                    defaults.insert((h.body.kind.index(), h.body.attr.index()), h);
                }
            }
        }
        // The values given for each entity (once: a name given again is E0507), by kind:
        // attribute `ai` of the entity at `pos` is at `pos * attrs + ai`.
        let mut explicit: Vec<Vec<Option<Value>>> = (schema.kinds.iter().enumerate())
            .map(|(k, kind)| vec![None; self.world.kinds[k].elems.len() * kind.attrs.len()])
            .collect();
        for (i, e) in schema.entities.iter().enumerate() {
            let id = self.world.interned[&ElemKey::Entity(e.kind, e.name.clone())];
            let pos = self.world.entity_of[&id].1;
            let kind = &schema.kinds[e.kind];
            let mut vals = FxHashMap::default();
            for h in given.get(&i).into_iter().flatten() {
                let ai = h.body.attr.index();
                match self.in_frame(h.slots.len(), |me| me.h_eval(&h.body.value)) {
                    Ok(v) => {
                        let attr = &kind.attrs[ai];
                        if attr.non_negative {
                            self.reject_negative(&v, h.body.value.span, &attr.name, attr.span);
                        }
                        vals.insert(ai, v);
                    }
                    Err(d) => self.diags.push(d),
                }
            }
            if let Some(l) = &e.decl.link {
                for (attr, end) in [("src", &l.src), ("dst", &l.dst)] {
                    if let Some(&ai) = kind.attr_index.get(attr) {
                        let want = match kind.attrs[ai].ty {
                            Ty::Elem(ElemTy::Kind(t)) => Some(t),
                            _ => None,
                        };
                        let found = self.world.entity_names.get(&end.name).and_then(|v| {
                            v.iter()
                                .find(|x| want.is_none_or(|t| self.world.entity_of[x].0 == t))
                                .copied()
                        });
                        match found {
                            Some(x) => {
                                vals.insert(ai, Value::Elem(x));
                            }
                            None => self.diags.push(
                                Diagnostic::error(
                                    Code::E0201,
                                    format!("unknown entity `{}`", end.name),
                                )
                                .primary(end.span, "no entity of this name"),
                            ),
                        }
                    }
                }
            }
            let attrs = kind.attrs.len();
            let slots = &mut explicit[e.kind][pos as usize * attrs..][..attrs];
            for (ai, v) in vals {
                slots[ai] = Some(v);
            }
        }
        // Attribute values from data.
        for (k, t, at) in &tables {
            let kind = &schema.kinds[*k];
            let attrs = kind.attrs.len();
            for (r, pos) in t.records.iter().zip(at) {
                let Some(pos) = *pos else {
                    continue;
                };
                let slots = &mut explicit[*k][pos as usize * attrs..][..attrs];
                for (ai, a) in kind.attrs.iter().enumerate() {
                    let Some(cell) = r.cells.get(ai + 1) else {
                        continue;
                    };
                    let v = match (&cell.value, a.ty) {
                        (data::CellValue::Missing, _) => continue,
                        (data::CellValue::Number(n), Ty::Num { unit, .. }) => {
                            Value::Num(n * unit.scale)
                        }
                        (data::CellValue::Bool(b), _) => Value::Bool(*b),
                        (data::CellValue::Text(s), Ty::Elem(ElemTy::Kind(target))) => {
                            match self.world.interned.get(&ElemKey::Entity(target, s.clone())) {
                                Some(&x) => Value::Elem(x),
                                None => {
                                    let known: Vec<&str> = self.world.kinds[target]
                                        .elems
                                        .iter()
                                        .map(|&e| self.world.name(e))
                                        .collect();
                                    self.diags.push(data::unknown_reference(
                                        cell,
                                        &schema.kinds[target].name,
                                        &known,
                                    ));
                                    continue;
                                }
                            }
                        }
                        (data::CellValue::Text(s), _) => Value::Str(Arc::from(s.as_str())),
                        (data::CellValue::Number(n), _) => Value::Num(*n),
                    };
                    slots[ai] = Some(v);
                }
            }
        }
        // Fill columns in entity order, defaults where nothing was given.
        for (k, kind) in schema.kinds.iter().enumerate() {
            for (slot, given) in explicit[k].iter_mut().enumerate() {
                let ai = slot % kind.attrs.len();
                let v = match given.take() {
                    Some(v) => v,
                    None => match defaults.get(&(k, ai)) {
                        Some(h) => {
                            let r = self.in_frame(h.slots.len(), |me| me.h_eval(&h.body.value));
                            match r {
                                Ok(v) => v,
                                Err(e) => {
                                    self.diags.push(e);
                                    Value::Num(0.0)
                                }
                            }
                        }
                        None => Value::Num(f64::NAN),
                    },
                };
                self.world.kinds[k].attrs[ai].push(v);
            }
        }
    }
}
