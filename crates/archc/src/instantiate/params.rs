//! Params: the values of each param, evaluated once when first read: from its expression
//! (compiled from the HIR per index tuple where it can be, see [`Inst::compile_param`]),
//! from a data file, a forecast or an aggregate; numbers over a product of named sets are
//! stored dense.

use super::eval::R;
use super::world::*;
use super::*;
use crate::hir;

impl<'a> Inst<'a> {
    /// Evaluate a param's values (once).
    pub(crate) fn ensure_param(&mut self, p: usize) -> R<()> {
        self.finish_prefetch(p);
        if self.world.params[p].is_some() {
            return Ok(());
        }
        let info = &self.schema.params[p];
        let mut table = ParamTable::default();
        // Mark as in progress so a self-reference fails instead of recursing.
        self.world.params[p] = Some(ParamTable::default());
        let unit_scale = match info.ty {
            Ty::Num { unit, .. } => unit.scale,
            _ => 1.0,
        };
        let is_int = matches!(info.ty, Ty::Num { int: true, .. });
        let saved_decl = std::mem::replace(&mut self.current_decl, info.name.clone());
        let hir_param = self.hir.and_then(|h| h.params.get(p));
        let result = (|| -> R<()> {
            let h = match (&info.decl.value, hir_param) {
                (Some(ast::ParamValue::Expr(_)), Some(h)) => h,
                (Some(ast::ParamValue::Expr(e)), None) => {
                    return Err(super::hir_eval::internal(e.span, "a param without its HIR"))
                }
                (None, _) => return Ok(()),
                (Some(ast::ParamValue::From(path)), _) => {
                    if info.decl.index.is_some() {
                        self.load_param_file(p, path, unit_scale, &mut table)?
                    } else {
                        table.scalar = self.load_scalar_param_file(p, path, unit_scale)?;
                    }
                    return Ok(());
                }
            };
            let n = h.slots.len();
            match (&h.body.value, &info.decl.value, &info.decl.index) {
                (hir::ParamValue::Expr(e), _, None) => {
                    let val = self.in_frame(n, |me| me.h_eval(e))?;
                    int_in_range(&val, is_int, unit_scale, e.span)?;
                    if info.decl.lower.is_some() {
                        self.reject_negative(&val, e.span, &info.name, info.span);
                    }
                    table.scalar = Some(val);
                }
                (hir::ParamValue::Forecast { .. }, Some(ast::ParamValue::Expr(e)), Some(_)) => {
                    self.forecast_param(p, e, &mut table)?
                }
                (hir::ParamValue::Aggregate { .. }, Some(ast::ParamValue::Expr(e)), Some(_)) => {
                    self.aggregate_param(p, e, &mut table)?
                }
                (hir::ParamValue::Table(entries), ..) => self.in_frame(n, |me| -> R<()> {
                    for (keys, v) in entries {
                        let mut key = Vec::with_capacity(keys.len());
                        for k in keys {
                            key.push(me.h_elem(k)?);
                        }
                        let val = me.h_eval(v)?;
                        int_in_range(&val, is_int, unit_scale, v.span)?;
                        if info.decl.lower.is_some() {
                            me.reject_negative(&val, v.span, &info.name, info.span);
                        }
                        table.values.insert(key.into_boxed_slice(), val);
                    }
                    Ok(())
                })?,
                (hir::ParamValue::Expr(e), ..) => {
                    self.derived_values(p, h, e, is_int, &mut table)?
                }
                (_, _, _) => {
                    return Err(super::hir_eval::internal(
                        info.span,
                        "a param whose HIR does not match its declaration",
                    ))
                }
            }
            Ok(())
        })();
        self.current_decl = saved_decl;
        let result = result.and_then(|()| self.apply_scenario_overrides(p, &mut table));
        self.world.params[p] = Some(table);
        result
    }

    /// The values of indexed param `p` (its HIR `h`) from its expression `e`, one per
    /// index tuple: compiled once the first tuple has been evaluated (which loads the
    /// params it reads), the evaluator taking every tuple the compiled code cannot. Numbers
    /// over a product of named sets go to dense storage.
    fn derived_values(
        &mut self,
        p: usize,
        h: &'a hir::Decl<hir::Param>,
        e: &'a hir::Expr,
        is_int: bool,
        table: &mut ParamTable,
    ) -> R<()> {
        let info = &self.schema.params[p];
        let ix = &h.body.index;
        let slots = ix.slots();
        let is_number = matches!(info.ty, Ty::Num { .. });
        let scale = match info.ty {
            Ty::Num { unit, .. } => unit.scale,
            _ => 1.0,
        };
        let mut dense = self.dense_product(p);
        let mut out = Vec::new();
        let mut first_negative: Option<(Vec<ElemId>, Value)> = None;
        let mut compiled: Option<Option<linear::CompiledData>> = None;
        self.in_frame(h.slots.len(), |me| {
            me.h_for_each(ix, &mut |me| {
                let key: Vec<ElemId> = slots.iter().map(|&s| me.slot_elem(s)).collect();
                let run = compiled
                    .as_ref()
                    .and_then(|c| c.as_ref().and_then(|c| me.run_at(c, &key)));
                let val = match run {
                    Some(v) => Ok(v),
                    None => me.h_eval(e),
                }
                .map(|v| match v {
                    // A number param whose expression is an integer element (an index
                    // variable, say) holds the number, as the compiled code computes it.
                    Value::Elem(x) if is_number => me.world.elem_number(x).map_or(v, Value::Num),
                    v => v,
                })
                .and_then(|v| int_in_range(&v, is_int, scale, e.span).map(|()| v))
                .map_err(|d| me.in_instance(d, &info.name, &key))?;
                if compiled.is_none() {
                    compiled = Some(me.compile_param(p, slots.len()));
                }
                if first_negative.is_none() && matches!(val, Value::Num(x) if x < 0.0) {
                    first_negative = Some((key.clone(), val.clone()));
                }
                if let Some(d) = &mut dense {
                    match (&val, d.offset(&key)) {
                        (Value::Num(n), Some(off)) if !n.is_nan() => {
                            d.nums[off] = *n;
                            return Ok(());
                        }
                        // Not a number after all: every value goes to the table.
                        _ => out.extend(dense.take().map_or_else(Vec::new, |d| d.entries())),
                    }
                }
                out.push((key.into_boxed_slice(), val));
                Ok(())
            })
        })?;
        if info.decl.lower.is_some() {
            if let Some((key, val)) = first_negative {
                let at: Vec<&str> = key.iter().map(|&x| self.world.name(x)).collect();
                let what = format!("{}[{}]", info.name, at.join(", "));
                self.reject_negative(&val, e.span, &what, info.span);
            }
        }
        table.values.extend(out);
        table.dense = dense;
        Ok(())
    }

    /// Dense storage for the numbers of param `p`, when its index is a product of named
    /// sets without a filter, one distinct variable per dimension, within the limit of
    /// index tuples (beyond it, enumerating the index reports E0632).
    fn dense_product(&mut self, p: usize) -> Option<DenseValues> {
        let h = self.hir?.params.get(p)?;
        let info = &self.schema.params[p];
        if !matches!(info.ty, Ty::Num { .. }) {
            return None;
        }
        let (sets, _) = self.index_sets(&h.body.index, &info.dims)?;
        Some(DenseValues::new(sets.into_iter().map(|s| s.set).collect()))
    }

    /// The value expression of indexed param `p` compiled from its HIR over its `arity`
    /// index variables, when it lies inside the compiled fragment.
    fn compile_param(&mut self, p: usize, arity: usize) -> Option<linear::CompiledData> {
        let h = self.hir?.params.get(p)?;
        let crate::hir::ParamValue::Expr(e) = &h.body.value else {
            return None;
        };
        self.compile_over_index(&h.body.index, &h.slots, arity, &[e])?
            .pop()
    }

    /// `d` with a note naming the instance it arose in (`half[eu-west]`), for errors
    /// raised while evaluating one index tuple of a declaration.
    pub(crate) fn in_instance(&self, d: Diagnostic, name: &str, key: &[ElemId]) -> Diagnostic {
        if key.is_empty() {
            return d;
        }
        let at: Vec<&str> = key
            .iter()
            .map(|&x| {
                if (x as usize) < self.world.elems.len() {
                    self.world.name(x)
                } else {
                    "?"
                }
            })
            .collect();
        d.note(format!("in `{name}[{}]`", at.join(", ")))
    }

    /// E0506 when a value written in the source for an attribute or param declared `>= 0`
    /// is negative. `what` names it (`cores`, `half[eu-west]`); `decl` is its declaration.
    pub(super) fn reject_negative(&mut self, v: &Value, at: Span, what: &str, decl: Span) {
        if let Value::Num(x) = v {
            if *x < 0.0 {
                self.diags.push(
                    Diagnostic::error(Code::E0506, format!("`{what}` is negative"))
                        .primary(at, "negative")
                        .secondary(decl, "declared `>= 0` here")
                        .help("correct the sign, or drop `>= 0` if negative values are meant"),
                );
            }
        }
    }

    /// Whether param `p` is the history of a `forecast(...)` or an `aggregate(...)`.
    pub(super) fn is_history(&self, p: usize) -> bool {
        let name = &self.schema.params[p].name;
        self.schema.params.iter().any(|q| match &q.decl.value {
            Some(ast::ParamValue::Expr(e)) => {
                let forecast = crate::forecast::parse_call(e)
                    .and_then(Result::ok)
                    .map(|c| c.history.name);
                let aggregate = crate::forecast::aggregate::parse_call(e)
                    .and_then(Result::ok)
                    .map(|c| c.history.name);
                forecast.or(aggregate).as_ref() == Some(name)
            }
            _ => false,
        })
    }

    /// What loading the file of indexed param `p` needs, found before any row is read:
    /// the sets of its index, the columns, where the file is and how values are stored.
    pub(super) fn param_file_plan(&mut self, p: usize, path: &ast::StrLit) -> R<FilePlan> {
        let info = &self.schema.params[p];
        let Some(h) = self.hir.and_then(|h| h.params.get(p)) else {
            return Err(super::hir_eval::internal(
                info.span,
                "a param without its HIR",
            ));
        };
        let index = &h.body.index;
        let slots = index.slots();
        // A set that reads an earlier index variable (`[w in weeks, v in w..4]`) has no one
        // value: a row's names are looked up in the union of its values over the index.
        let dependent = index.has_dependent_set();
        let sets = self.in_frame(h.slots.len(), |me| {
            if !dependent {
                return index
                    .binders
                    .iter()
                    .map(|b| me.h_set(&b.set))
                    .collect::<R<Vec<_>>>();
            }
            let mut union: Vec<Vec<ElemId>> = vec![Vec::new(); slots.len()];
            me.h_for_each(index, &mut |me| {
                for (u, &s) in union.iter_mut().zip(&slots) {
                    u.push(me.slot_elem(s));
                }
                Ok(())
            })?;
            Ok(union
                .into_iter()
                .map(|u| Arc::new(SetVal::new(u)))
                .collect())
        })?;
        let mut spec = Vec::new();
        for d in &info.dims {
            let names = match d.elem {
                ElemTy::Kind(k) => format!(
                    "{}|{}|{}",
                    if d.var.is_empty() {
                        self.schema.kinds[k].name.clone()
                    } else {
                        d.var.clone()
                    },
                    self.schema.kinds[k].name,
                    self.schema.kinds[k].set_name
                ),
                _ => d.var.clone(),
            };
            spec.push(ColumnSpec::new(names, ColumnType::Ref).as_key());
        }
        let value_ty = match info.ty {
            Ty::Num { int: true, .. } => ColumnType::Integer,
            Ty::Bool => ColumnType::Bool,
            Ty::Str => ColumnType::Text,
            _ => ColumnType::Number,
        };
        let mut value = ColumnSpec::new(format!("value|{}", info.name), value_ty);
        if info.decl.lower.is_some() {
            value = value.non_negative();
        }
        let is_history = self.is_history(p);
        if is_history {
            value = value.of_history();
        }
        spec.push(value);
        let full = self.sources.resolve_data(path.span.file, &path.value);
        spec.extend(self.columns_read_elsewhere(p, &full));
        // Numbers go to dense storage when the product of the index sets is not much larger
        // than the file itself (at most twice its size in memory).
        let product = sets
            .iter()
            .try_fold(1usize, |acc, s| acc.checked_mul(s.elems.len()));
        let file_len = self.sources.file_len(&full).unwrap_or(0);
        let dense = match (value_ty, product) {
            (ColumnType::Number | ColumnType::Integer, Some(n)) => {
                !dependent && !sets.is_empty() && (n as u64) * 8 <= (2 * file_len).max(1 << 16)
            }
            _ => false,
        };
        Ok(FilePlan {
            sets,
            spec,
            full,
            is_history,
            dense,
        })
    }

    /// Each set's periods as other tools export them (`2026-01` for `2026M01`), with their
    /// element and position: data files may name periods so.
    pub(super) fn data_spellings(
        &self,
        sets: &[Arc<SetVal>],
    ) -> Vec<FxHashMap<String, (ElemId, u32)>> {
        sets.iter()
            .map(|set| {
                let mut m = FxHashMap::default();
                for (i, &e) in set.elems.iter().enumerate() {
                    if let ElemKey::Period(period) = &self.world.elems[e as usize].key {
                        if let Some(alt) = period.data_spelling() {
                            m.entry(alt).or_insert((e, i as u32));
                        }
                    }
                }
                m
            })
            .collect()
    }

    fn load_param_file(
        &mut self,
        p: usize,
        path: &ast::StrLit,
        unit_scale: f64,
        table: &mut ParamTable,
    ) -> R<()> {
        let info = &self.schema.params[p];
        let FilePlan {
            sets,
            spec,
            full,
            is_history,
            dense,
        } = self.param_file_plan(p, path)?;
        let mut cells: FxHashMap<Box<[ElemId]>, Span> = FxHashMap::default();
        // Name -> (element, position) of each index set, built once: a file of N rows over
        // sets of M elements costs N lookups, not N * M comparisons.
        let by_name: Vec<FxHashMap<&str, (ElemId, u32)>> = sets
            .iter()
            .map(|set| {
                let mut m =
                    FxHashMap::with_capacity_and_hasher(set.elems.len(), Default::default());
                for (i, &e) in set.elems.iter().enumerate() {
                    m.entry(self.world.name(e)).or_insert((e, i as u32));
                }
                m
            })
            .collect();
        let by_data_spelling = self.data_spellings(&sets);
        let mut dense = dense.then(|| DenseValues::new(sets.clone()));
        let world = &self.world;
        let schema = self.schema;
        let mut problems: Vec<Diagnostic> = Vec::new();
        let mut dropped = 0usize;
        let mut duplicates = false;
        let mut key: Vec<ElemId> = Vec::with_capacity(sets.len());
        let mut name_buf = String::new();
        let (file, diags) = data::stream_table(
            self.sources,
            &full,
            &path.value,
            &spec,
            path.span,
            &mut |r: &data::Record| {
                if !r.valid {
                    return;
                }
                key.clear();
                let mut offset = 0usize;
                for (i, set) in sets.iter().enumerate() {
                    let cell = &r.cells[i];
                    let Some(name) = key_name(&cell.value, &mut name_buf) else {
                        return;
                    };
                    match by_name[i]
                        .get(name)
                        .or_else(|| by_data_spelling[i].get(name))
                    {
                        Some(&(e, pos)) => {
                            key.push(e);
                            offset = offset * set.elems.len() + pos as usize;
                        }
                        None => {
                            if problems.len() >= data::MAX_DIAGNOSTICS_PER_FILE {
                                dropped += 1;
                                return;
                            }
                            let known: Vec<&str> =
                                set.elems.iter().map(|&e| world.name(e)).collect();
                            let what = schema.elem_name(info.dims[i].elem);
                            problems.push(data::unknown_reference(cell, &what, &known));
                            return;
                        }
                    }
                }
                let cell = &r.cells[sets.len()];
                if is_history && matches!(cell.value, data::CellValue::Number(_)) {
                    cells.insert(key.as_slice().into(), cell.span);
                }
                match (&mut dense, &cell.value) {
                    (Some(d), data::CellValue::Number(n)) => {
                        let slot = &mut d.nums[offset];
                        duplicates |= !slot.is_nan();
                        *slot = n * unit_scale;
                    }
                    (_, data::CellValue::Missing) => {}
                    (_, value) => {
                        let v = match value {
                            data::CellValue::Number(n) => Value::Num(n * unit_scale),
                            data::CellValue::Bool(b) => Value::Bool(*b),
                            data::CellValue::Text(s) => Value::Str(Arc::from(s.as_str())),
                            data::CellValue::Missing => return,
                        };
                        duplicates |= table.values.insert(key.as_slice().into(), v).is_some();
                    }
                }
            },
        );
        if is_history {
            let failed = diags
                .iter()
                .chain(&problems)
                .any(|d| d.severity == crate::diagnostics::Severity::Error);
            if failed {
                self.world.failed_histories.insert(p);
            }
            self.world.history_cells.insert(p, cells);
        }
        self.diags.extend(diags);
        self.diags.extend(problems);
        if dropped > 0 {
            self.diags.push(
                Diagnostic::warning(
                    Code::W0515,
                    format!("{dropped} more unknown names in `{}` not shown", path.value),
                )
                .primary(path.span, "loaded here"),
            );
        }
        table.dense = dense;
        if duplicates && file.is_some() {
            // Report each duplicate key with both rows: the full table has them.
            let (_, all) = data::load_table(self.sources, &full, &path.value, &spec, path.span);
            let dup: Vec<Diagnostic> = all.into_iter().filter(|d| d.code == Code::E0507).collect();
            if dup.is_empty() {
                self.diags.push(
                    Diagnostic::error(
                        Code::E0507,
                        format!("`{}` gives a value twice for the same index", path.value),
                    )
                    .primary(path.span, "loaded here")
                    .help("each index tuple needs one row; remove or merge the duplicates"),
                );
            }
            self.diags.extend(dup);
        }
        Ok(())
    }
}

/// The name a key cell of a param file gives (a number as the model writes it, `2` for
/// `2.0`); `None` for a cell that names nothing (its row is skipped).
pub(super) fn key_name<'c>(value: &'c data::CellValue, buf: &'c mut String) -> Option<&'c str> {
    match value {
        data::CellValue::Text(s) => Some(s.as_str()),
        data::CellValue::Number(n) => {
            *buf = crate::ir::dump::fmt_num(*n);
            Some(buf.as_str())
        }
        _ => None,
    }
}

/// What loading an indexed param's file needs ([`Inst::param_file_plan`]).
pub(super) struct FilePlan {
    /// The sets of the index, in order (for a set that reads an earlier index variable,
    /// the union of its values).
    pub(super) sets: Vec<Arc<SetVal>>,
    /// The index columns, the value column and the columns other params read.
    pub(super) spec: Vec<ColumnSpec>,
    pub(super) full: std::path::PathBuf,
    pub(super) is_history: bool,
    /// Numbers stored dense, by mixed-radix position over `sets`.
    pub(super) dense: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalyzeOptions;
    use crate::driver::analyze_source;

    fn num(v: Option<Value>) -> Option<f64> {
        match v {
            Some(Value::Num(x)) => Some(x),
            _ => None,
        }
    }

    #[test]
    fn derived_numbers_over_named_sets_are_stored_dense_and_read_back() {
        let text = "set sites = {north, south, east}
set weeks = 1..4
param base[s in sites]: real = 10
param load[s in sites, w in weeks]: real = base[s] * w - 25
param late[s in sites, w in weeks where w > 2]: real = w
param after[w in weeks, v in w..4]: int = v - w
param mixed[s in sites, w in weeks]: real = if w > 2 then w else 0.5
decide x[s in sites, w in weeks]: real >= -100 <= load[s, w] + late[s, 4]
minimize total: sum(s in sites, w in weeks) x[s, w]
";
        let (schema, inst) = super::super::instantiated(analyze_source(
            "t.arch",
            text,
            None,
            &AnalyzeOptions::default(),
        ));
        let id = |name: &str| {
            schema
                .params
                .iter()
                .position(|p| p.name == name)
                .expect(name)
        };
        let table = |name: &str| inst.world.params[id(name)].as_ref().expect("loaded");
        let load = table("load");
        let dense = load.dense.as_ref().expect("load is dense");
        assert_eq!(dense.nums.len(), 12);
        assert!(load.values.is_empty());
        let elem = |s: &str| inst.world.elems.iter().position(|e| e.name == s).expect(s) as ElemId;
        // load[south, 3] = 10 * 3 - 25.
        assert_eq!(num(load.get(&[elem("south"), elem("3")])), Some(5.0));
        assert_eq!(dense.entries().len(), 12);
        // A filter or a set that depends on an earlier variable keeps the table.
        for name in ["late", "after"] {
            let t = table(name);
            assert!(t.dense.is_none(), "{name}");
            assert!(!t.values.is_empty(), "{name}");
        }
        // An index variable as the value of a number param is stored as its number.
        assert_eq!(
            num(table("late").get(&[elem("east"), elem("4")])),
            Some(4.0)
        );
        let mixed = table("mixed");
        assert!(mixed.dense.is_some());
        assert_eq!(num(mixed.get(&[elem("north"), elem("2")])), Some(0.5));
        assert_eq!(num(mixed.get(&[elem("east"), elem("3")])), Some(3.0));
        // The bounds read both: x[north, 2] <= load[north, 2] + late[north, 4] = -5 + 4.
        assert_eq!(inst.model.columns[1].ub, -1.0);
    }

    #[test]
    fn dense_entries_give_back_each_tuple_with_a_value() {
        let sets = vec![
            Arc::new(SetVal::new(vec![7, 8])),
            Arc::new(SetVal::new(vec![1, 2, 3])),
        ];
        let mut d = DenseValues::new(sets);
        for (key, v) in [([8, 1], 4.0), ([7, 3], -1.5), ([8, 3], 0.0)] {
            let off = d.offset(&key).expect("inside");
            d.nums[off] = v;
        }
        let entries: Vec<(Vec<ElemId>, Option<f64>)> = d
            .entries()
            .into_iter()
            .map(|(k, v)| (k.to_vec(), num(Some(v))))
            .collect();
        assert_eq!(
            entries,
            vec![
                (vec![7, 3], Some(-1.5)),
                (vec![8, 1], Some(4.0)),
                (vec![8, 3], Some(0.0)),
            ]
        );
    }
}
