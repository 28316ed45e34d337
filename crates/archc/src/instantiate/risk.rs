//! Evaluating scenario sets into the data world: declared scenarios, scenarios generated
//! from the model's entities (`fail_k`, `fail_independent`, `fail_groups`) and scenarios
//! loaded from a file, each with its probability, the entities down in it and the params
//! it overrides; and the functions `prob(s)`, `up(e, s)` and `mass(S)` over them. Called by
//! the evaluator when a scenario set is first used; the enumeration itself is in
//! [`crate::scenario::generate`].

use super::eval::{runtime_error, R};
use super::world::*;
use super::Inst;
use crate::check::{ElemTy, SetDef, Ty};
use crate::data::{self, ColumnSpec, ColumnType};
use crate::diagnostics::{Code, Diagnostic};
use crate::hir::{self, SetValue};
use crate::ir::dump::fmt_num;
use crate::scenario::{
    generate, ScenarioAttr, ScenarioDef, ScenarioSource, MAX_SCENARIOS, NOMINAL, SUM_TOLERANCE,
};
use crate::span::Span;
use crate::syntax::ast;
use std::sync::Arc;

/// One scenario as built, before its name is interned.
struct Built {
    name: String,
    p: f64,
    down: Vec<ElemId>,
    overrides: Vec<(usize, Value)>,
}

impl<'a> Inst<'a> {
    /// The scenarios of set `s`, interned as symbols of `s` and recorded in the world.
    pub(crate) fn scenario_set(&mut self, s: usize) -> R<Arc<SetVal>> {
        let h = self.hir.and_then(|h| h.sets.get(s));
        let Some((n, SetValue::Scenarios(def))) = h.map(|h| (h.slots.len(), &h.body)) else {
            return Err(super::hir_eval::internal(
                self.schema.sets[s].span,
                "a scenario set without its HIR definition",
            ));
        };
        let built = self.in_frame(n, |me| me.build_scenarios(def))?;
        let complete = matches!(
            def.source,
            ScenarioSource::Declared(_) | ScenarioSource::File { .. }
        );
        let mass: f64 = built.iter().map(|b| b.p).sum();
        if complete && (mass - 1.0).abs() > SUM_TOLERANCE {
            return Err(Diagnostic::error(
                Code::E0561,
                format!(
                    "the probabilities of `{}` sum to {}, not 1",
                    self.schema.sets[s].name,
                    fmt_num(mass)
                ),
            )
            .primary(def.span, format!("{} scenarios, sum {}", built.len(), fmt_num(mass)))
            .help("a declared set holds every world considered: correct the probabilities, or add a scenario for the rest"));
        }
        let mut elems = Vec::with_capacity(built.len());
        for b in built {
            let e = self.world.intern(ElemKey::Symbol(s, b.name));
            let mut down = b.down;
            down.sort_unstable();
            down.dedup();
            self.world.scenarios.insert(
                e,
                ScenarioData {
                    p: b.p,
                    down,
                    overrides: b.overrides,
                },
            );
            elems.push(e);
        }
        self.world.scenario_sets.insert(
            s,
            ScenarioSetData {
                mass,
                count: elems.len(),
            },
        );
        Ok(Arc::new(SetVal::new(elems)))
    }

    fn build_scenarios(&mut self, def: &'a ScenarioDef<hir::Expr>) -> R<Vec<Built>> {
        match &def.source {
            ScenarioSource::Declared(list) => {
                let mut out = Vec::with_capacity(list.len());
                for d in list {
                    let p = self.h_num(&d.p)?;
                    check_probability(p, d.p.span, &format!("scenario `{}`", d.name.name))?;
                    let down = match &d.down {
                        Some(e) => self.h_set(e)?.elems.clone(),
                        None => Vec::new(),
                    };
                    let mut overrides = Vec::new();
                    for (param, e) in &d.overrides {
                        overrides.push((*param, self.h_eval(e)?));
                    }
                    out.push(Built {
                        name: d.name.name.clone(),
                        p,
                        down,
                        overrides,
                    });
                }
                Ok(out)
            }
            ScenarioSource::KOf {
                set,
                k,
                up_to,
                nominal,
                p: weight,
            } => {
                let elems = self.h_set(set)?.elems.clone();
                let n = elems.len();
                let (sizes, count) = self.k_sizes(k, n, "entities", *up_to, *nominal, def.span)?;
                // Equally likely, or each the probability that exactly those fail.
                let exactly = match weight {
                    Some(attr) => Some(generate::Exactly::new(&self.failure_probs(&elems, attr)?)),
                    None => None,
                };
                let p_of = |subset: &[usize]| match &exactly {
                    Some(x) => x.of(subset),
                    None => 1.0 / count as f64,
                };
                let mut out = Vec::with_capacity(count);
                if *nominal {
                    out.push(self.built_down(Vec::new(), p_of(&[])));
                }
                for j in sizes {
                    for subset in generate::k_subsets(n, j) {
                        let down = subset.iter().map(|&i| elems[i]).collect();
                        out.push(self.built_down(down, p_of(&subset)));
                    }
                }
                Ok(out)
            }
            ScenarioSource::Independent {
                set,
                attr,
                cutoff,
                nominal,
            } => {
                let elems = self.h_set(set)?.elems.clone();
                let probs = self.failure_probs(&elems, attr)?;
                let cutoff = match cutoff {
                    Some(c) => {
                        let v = self.h_num(c)?;
                        check_probability(v, c.span, "the cutoff")?;
                        v
                    }
                    None => 0.0,
                };
                let sets = generate::independent(&probs, cutoff, MAX_SCENARIOS)
                    .map_err(|_| too_many(def.span))?;
                Ok(sets
                    .into_iter()
                    .filter(|(down, _)| *nominal || !down.is_empty())
                    .map(|(down, p)| {
                        let down = down.iter().map(|&i| elems[i]).collect();
                        self.built_down(down, p)
                    })
                    .collect())
            }
            ScenarioSource::Groups {
                set,
                attr,
                nominal,
                k,
                up_to,
            } => {
                let elems = self.h_set(set)?.elems.clone();
                let idx = self.attr_index(&elems, attr);
                let mut keys = Vec::with_capacity(elems.len());
                for &e in &elems {
                    let key = idx
                        .and_then(|a| self.world.attr(e, a))
                        .filter(|v| !matches!(v, Value::Str(s) if s.is_empty()))
                        .and_then(ValueKey::of);
                    keys.push(key);
                }
                let groups = generate::groups(&keys);
                let g = groups.len();
                // One group at a time unless `k` says more (no group at all is no error).
                let (sizes, count) = match k {
                    Some(k) => self.k_sizes(k, g, "groups", *up_to, *nominal, def.span)?,
                    None => (vec![1], g + usize::from(*nominal)),
                };
                let p = if count == 0 { 0.0 } else { 1.0 / count as f64 };
                let labels: Vec<String> = groups
                    .iter()
                    .map(|(key, _)| match key {
                        ValueKey::Str(s) => s.to_string(),
                        ValueKey::Elem(e) => self.world.name(*e).to_string(),
                        ValueKey::Num(bits) => fmt_num(f64::from_bits(*bits)),
                        ValueKey::Bool(b) => b.to_string(),
                    })
                    .collect();
                let mut out = Vec::with_capacity(count);
                if *nominal {
                    out.push(self.built_down(Vec::new(), p));
                }
                for j in sizes {
                    for subset in generate::k_subsets(g, j) {
                        let names: Vec<&str> = subset.iter().map(|&i| labels[i].as_str()).collect();
                        out.push(Built {
                            name: format!("group({})", names.join(", ")),
                            p,
                            down: subset
                                .iter()
                                .flat_map(|&i| groups[i].1.iter().map(|&m| elems[m]))
                                .collect(),
                            overrides: Vec::new(),
                        });
                    }
                }
                Ok(out)
            }
            ScenarioSource::File { path, params, .. } => self.scenario_file(path, params),
        }
    }

    /// The sizes of the failures `fail_k` or `fail_groups` enumerate over `n` things (`k`,
    /// or 1 to `k` with `up_to`) and how many scenarios they make with the nominal one:
    /// E0563 when `k` is not a whole number from 1 to `n`, E0564 beyond the limit.
    fn k_sizes(
        &mut self,
        k: &'a hir::Expr,
        n: usize,
        what: &str,
        up_to: bool,
        nominal: bool,
        span: Span,
    ) -> R<(Vec<usize>, usize)> {
        let kv = self.h_num(k)?;
        if kv.fract() != 0.0 || kv < 1.0 || kv > n as f64 {
            let of = if what == "entities" {
                n.to_string()
            } else {
                format!("{n} {what}")
            };
            return Err(Diagnostic::error(
                Code::E0563,
                format!("cannot fail {} of {of}", fmt_num(kv)),
            )
            .primary(k.span, format!("the set has {n} {what}"))
            .help(if n == 0 {
                format!("the set has no {what} to fail")
            } else {
                format!("choose k from 1 to {n}")
            }));
        }
        let k = kv as usize;
        let sizes: Vec<usize> = if up_to { (1..=k).collect() } else { vec![k] };
        let mut count = usize::from(nominal);
        for &j in &sizes {
            count = generate::choose(n, j, MAX_SCENARIOS)
                .and_then(|c| count.checked_add(c))
                .filter(|&c| c <= MAX_SCENARIOS)
                .ok_or_else(|| too_many(span))?;
        }
        Ok((sizes, count))
    }

    /// Each entity's failure probability, read from attribute `attr` (E0560 outside [0, 1]).
    fn failure_probs(&self, elems: &[ElemId], attr: &ScenarioAttr) -> R<Vec<f64>> {
        let mut probs = Vec::with_capacity(elems.len());
        for &e in elems {
            let p = self.attr_num(e, attr)?;
            let what = format!("`{}.{}`", self.world.name(e), attr.name.name);
            check_probability(p, attr.name.span, &what)?;
            probs.push(p);
        }
        Ok(probs)
    }

    /// A scenario named after what is down in it.
    fn built_down(&self, down: Vec<ElemId>, p: f64) -> Built {
        let name = if down.is_empty() {
            NOMINAL.to_string()
        } else {
            let names: Vec<&str> = down.iter().map(|&e| self.world.name(e)).collect();
            format!("down({})", names.join(", "))
        };
        Built {
            name,
            p,
            down,
            overrides: Vec::new(),
        }
    }

    /// The position of attribute `attr` (resolved by the checker) when the first of `elems`
    /// is an entity of its kind.
    fn attr_index(&self, elems: &[ElemId], attr: &ScenarioAttr) -> Option<usize> {
        let &first = elems.first()?;
        let (kind, _) = self.world.entity_of.get(&first)?;
        (*kind == attr.kind).then_some(attr.index)
    }

    fn attr_num(&self, e: ElemId, attr: &ScenarioAttr) -> R<f64> {
        let v = self
            .attr_index(&[e], attr)
            .and_then(|a| self.world.attr(e, a));
        match v {
            Some(Value::Num(x)) => Ok(*x),
            Some(Value::Bool(b)) => Ok(f64::from(u8::from(*b))),
            _ => Err(runtime_error(
                Code::E0603,
                attr.name.span,
                format!(
                    "`{}` has no number `{}`",
                    self.world.name(e),
                    attr.name.name
                ),
                "read here",
            )),
        }
    }

    fn scenario_file(&mut self, path: &ast::StrLit, params: &[(usize, String)]) -> R<Vec<Built>> {
        let mut spec = vec![
            ColumnSpec::new("name", ColumnType::Text).as_key(),
            ColumnSpec::new("p", ColumnType::Number),
            ColumnSpec::new("down", ColumnType::Text).optional(),
        ];
        for (param, name) in params {
            let ty = match self.schema.params[*param].ty {
                Ty::Bool => ColumnType::Bool,
                Ty::Str => ColumnType::Text,
                _ => ColumnType::Number,
            };
            spec.push(ColumnSpec::new(name.clone(), ty).optional());
        }
        let full = self.sources.resolve_data(path.span.file, &path.value);
        let (table, diags) = data::load_table(self.sources, &full, &path.value, &spec, path.span);
        let mut first_error = None;
        for d in diags {
            if d.severity == crate::diagnostics::Severity::Error && first_error.is_none() {
                first_error = Some(d);
            } else {
                self.diags.push(d);
            }
        }
        if let Some(d) = first_error {
            return Err(d);
        }
        let Some(table) = table else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(table.records.len());
        let mut problems: Vec<Diagnostic> = Vec::new();
        for r in &table.records {
            let name = r.cells[0].value.as_str().unwrap_or_default().to_string();
            let p = r.cells[1].value.as_f64().unwrap_or(0.0);
            if let Err(d) = check_probability(p, r.cells[1].span, &format!("scenario `{name}`")) {
                problems.push(d.secondary(path.span, "loaded here"));
            }
            let mut down = Vec::new();
            let cell = &r.cells[2];
            if let Some(text) = cell.value.as_str() {
                let mut offset = 0usize;
                for part in text.split([' ', ';', '\t']) {
                    let at = offset;
                    offset += part.len() + 1;
                    if part.is_empty() {
                        continue;
                    }
                    match self.world.entity_names.get(part).and_then(|v| v.first()) {
                        Some(&e) => down.push(e),
                        None => {
                            let start = cell.span.start as usize + at;
                            let span = Span::new(cell.span.file, start, start + part.len());
                            problems.push(
                                Diagnostic::error(
                                    Code::E0562,
                                    format!("scenario `{name}` fails an unknown entity `{part}`"),
                                )
                                .primary(span, "no entity has this name")
                                .secondary(path.span, "loaded here")
                                .help("name entities as the model does: regions by name, links as `src->dst`"),
                            );
                        }
                    }
                }
            }
            let mut overrides = Vec::new();
            for (i, (param, _)) in params.iter().enumerate() {
                let c = &r.cells[3 + i];
                let v = match &c.value {
                    data::CellValue::Number(x) => {
                        let scale = match self.schema.params[*param].ty {
                            Ty::Num { unit, .. } => unit.scale,
                            _ => 1.0,
                        };
                        Value::Num(x * scale)
                    }
                    data::CellValue::Bool(b) => Value::Bool(*b),
                    data::CellValue::Text(s) => Value::Str(s.as_str().into()),
                    data::CellValue::Missing => continue,
                };
                overrides.push((*param, v));
            }
            out.push(Built {
                name,
                p,
                down,
                overrides,
            });
        }
        if let Some(first) = problems.first().cloned() {
            self.diags.extend(problems.into_iter().skip(1));
            return Err(first);
        }
        Ok(out)
    }

    /// Put the values a scenario set overrides into the table of param `p`.
    pub(crate) fn apply_scenario_overrides(&mut self, p: usize, table: &mut ParamTable) -> R<()> {
        let info = &self.schema.params[p];
        let [dim] = info.dims.as_slice() else {
            return Ok(());
        };
        let ElemTy::Symbol(s) = dim.elem else {
            return Ok(());
        };
        if !matches!(self.schema.sets[s].def, SetDef::Scenarios(_)) {
            return Ok(());
        }
        let set = self.named_set(s)?;
        for &e in &set.elems {
            let Some(sc) = self.world.scenarios.get(&e) else {
                continue;
            };
            for (param, v) in &sc.overrides {
                if *param == p {
                    if let Some(d) = &mut table.dense {
                        if let (Some(off), Value::Num(x)) = (d.offset(&[e]), v) {
                            d.nums[off] = *x;
                        }
                    }
                    table.values.insert(Box::new([e]), v.clone());
                }
            }
        }
        Ok(())
    }

    /// `prob(s)`, `up(e, s)` and `mass(S)`.
    pub(crate) fn scenario_mass(&self, set: &SetVal, span: Span) -> R<f64> {
        let mut total = 0.0;
        for e in &set.elems {
            total += self.scenario(*e, span)?.p;
        }
        Ok(total)
    }

    /// `up(e, s)`: 1 when entity `e` is up in scenario `s`, else 0.
    pub(crate) fn up_in(&self, e: ElemId, s: ElemId, span: Span) -> R<f64> {
        let down = self.scenario(s, span)?.down.binary_search(&e).is_ok();
        Ok(if down { 0.0 } else { 1.0 })
    }

    /// The scenario `s`. The checker types the argument of `prob` and `up` as an element
    /// of a scenario set (E0341), so another element is an internal error.
    pub(crate) fn scenario(&self, s: ElemId, span: Span) -> R<&ScenarioData> {
        self.world
            .scenarios
            .get(&s)
            .ok_or_else(|| super::hir_eval::internal(span, "a scenario that is none"))
    }
}

fn check_probability(p: f64, span: Span, what: &str) -> R<()> {
    if (0.0..=1.0).contains(&p) {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::E0560,
        format!(
            "the probability of {what} is {}, outside [0, 1]",
            fmt_num(p)
        ),
    )
    .primary(span, "not a probability")
    .help("probabilities are plain numbers from 0 to 1: write 0.01 for one in a hundred"))
}

fn too_many(span: Span) -> Diagnostic {
    Diagnostic::error(Code::E0564, format!("more than {MAX_SCENARIOS} scenarios"))
        .primary(span, "this generator enumerates too many")
        .help("fail fewer entities at once, raise the cutoff, or group entities that fail together")
}

/// The conditional value at risk at level `beta` of `(value, probability)` pairs, by
/// sorting: the probability-weighted mean of the largest values that make up the last
/// `1 - beta` of probability. `None` when the pairs hold less probability than that.
pub fn cvar_by_sorting(mut values: Vec<(f64, f64)>, beta: f64) -> Option<f64> {
    let tail = 1.0 - beta;
    if tail <= 0.0 {
        return None;
    }
    values.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut left = tail;
    let mut acc = 0.0;
    for (v, p) in values {
        if left <= 0.0 {
            break;
        }
        let take = p.min(left);
        acc += take * v;
        left -= take;
    }
    (left <= tail * 1e-9).then_some(acc / tail)
}

impl Inst<'_> {
    /// The probability of scenario `s` (`u32::MAX` when the variable holds no element).
    pub(crate) fn scenario_p(&self, s: ElemId, span: Span) -> R<f64> {
        if s == u32::MAX {
            // The checker's E0342: a risk measure runs over one scenario set.
            return Err(super::hir_eval::internal(
                span,
                "a risk measure over no scenario",
            ));
        }
        Ok(self.scenario(s, span)?.p)
    }

    /// E0641 unless `beta`, the level written at `span`, lies in [0, 1).
    pub(crate) fn cvar_beta(&self, beta: f64, span: Span) -> R<f64> {
        if (0.0..1.0).contains(&beta) {
            return Ok(beta);
        }
        Err(Diagnostic::error(
            Code::E0641,
            format!("the level of `cvar` is {}, outside [0, 1)", fmt_num(beta)),
        )
        .primary(span, "not a level")
        .help("`cvar(0.99, s in S) loss[s]` is the mean loss of the worst 1% of probability"))
    }

    /// E0641 when a scenario set holds less probability than the tail `cvar` averages.
    pub(crate) fn cvar_mass(&self, mass: f64, beta: f64, span: Span) -> R<()> {
        if mass + 1e-9 >= 1.0 - beta {
            return Ok(());
        }
        Err(Diagnostic::error(
            Code::E0641,
            format!(
                "`cvar` at {} averages the worst {} of probability, but the scenarios hold {}",
                fmt_num(beta),
                fmt_num(1.0 - beta),
                fmt_num(mass)
            ),
        )
        .primary(span, "too little probability for this level")
        .help("lower the cutoff of the scenario set, or raise the level"))
    }

    /// A risk measure of `(value, probability)` pairs, one per scenario.
    pub(crate) fn risk_of_pairs(
        &self,
        kind: ast::AggKind,
        beta: Option<f64>,
        pairs: Vec<(f64, f64)>,
        span: Span,
    ) -> R<f64> {
        Ok(match kind {
            ast::AggKind::Worst => match pairs.iter().map(|x| x.0).reduce(f64::max) {
                Some(v) => v,
                None => {
                    return Err(runtime_error(
                        Code::E0613,
                        span,
                        "`worst` over an empty set",
                        "no scenarios",
                    ))
                }
            },
            ast::AggKind::Cvar => {
                let beta = beta.unwrap_or(0.0);
                let mass: f64 = pairs.iter().map(|x| x.1).sum();
                self.cvar_mass(mass, beta, span)?;
                cvar_by_sorting(pairs, beta).unwrap_or(f64::NAN)
            }
            _ => pairs.iter().map(|(v, p)| v * p).sum(),
        })
    }
}
