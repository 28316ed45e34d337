//! The data world: interned set elements, evaluated sets, entities with attribute values
//! (from the source and from data files) and param tables.

use crate::check::ElemTy;
use crate::period::Period;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Interned element id (also used in IR index tuples).
pub type ElemId = u32;

/// What an element is, for interning and for display.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ElemKey {
    Entity(usize, String),
    Symbol(usize, String),
    Int(i64),
    Period(Period),
    Str(String),
}

#[derive(Clone, Debug)]
pub struct ElemData {
    pub key: ElemKey,
    pub name: String,
}

/// A runtime value of a data expression.
#[derive(Clone, Debug)]
pub enum Value {
    Num(f64),
    Bool(bool),
    Str(Arc<str>),
    Elem(ElemId),
    Set(Arc<SetVal>),
}

/// An evaluated set: its elements in order, and each element's position.
#[derive(Debug, Default)]
pub struct SetVal {
    pub elems: Vec<ElemId>,
    pub pos: FxHashMap<ElemId, u32>,
}

impl SetVal {
    pub fn new(elems: Vec<ElemId>) -> SetVal {
        let mut pos = FxHashMap::with_capacity_and_hasher(elems.len(), Default::default());
        let mut uniq = Vec::with_capacity(elems.len());
        for e in elems {
            if let std::collections::hash_map::Entry::Vacant(v) = pos.entry(e) {
                v.insert(uniq.len() as u32);
                uniq.push(e);
            }
        }
        SetVal { elems: uniq, pos }
    }

    pub fn contains(&self, e: ElemId) -> bool {
        self.pos.contains_key(&e)
    }
}

/// Values of one param: by index tuple, with an optional default for missing tuples.
#[derive(Debug, Default)]
pub struct ParamTable {
    pub scalar: Option<Value>,
    pub values: FxHashMap<Box<[ElemId]>, Value>,
    /// Numbers over the whole product of the index sets (params loaded from files, when the
    /// product is not much larger than the file): looked up by position, not by hashing.
    pub dense: Option<DenseValues>,
}

impl ParamTable {
    /// The value at `key` (the scalar value for an empty key).
    pub fn get(&self, key: &[ElemId]) -> Option<Value> {
        if key.is_empty() {
            return self.scalar.clone();
        }
        if let Some(d) = &self.dense {
            let v = d.nums[d.offset(key)?];
            return (!v.is_nan()).then_some(Value::Num(v));
        }
        self.values.get(key).cloned()
    }
}

/// Numbers indexed by the mixed-radix position of the index tuple in its sets; NaN marks a
/// tuple without a value (data files cannot hold NaN).
#[derive(Debug)]
pub struct DenseValues {
    pub sets: Vec<Arc<SetVal>>,
    pub nums: Vec<f64>,
}

impl DenseValues {
    /// Values over the product of `sets`, all absent.
    pub fn new(sets: Vec<Arc<SetVal>>) -> Self {
        let len = sets.iter().map(|s| s.elems.len()).product();
        DenseValues {
            sets,
            nums: vec![f64::NAN; len],
        }
    }

    /// The tuples that have a value, with their values, in offset order.
    pub fn entries(&self) -> Vec<(Box<[ElemId]>, Value)> {
        let mut out = Vec::new();
        for (off, &v) in self.nums.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            let mut key = vec![0; self.sets.len()];
            let mut rest = off;
            for (k, set) in key.iter_mut().zip(&self.sets).rev() {
                *k = set.elems[rest % set.elems.len()];
                rest /= set.elems.len();
            }
            out.push((key.into_boxed_slice(), Value::Num(v)));
        }
        out
    }

    /// The offset of `key`, or `None` when an element is outside its set.
    pub fn offset(&self, key: &[ElemId]) -> Option<usize> {
        if key.len() != self.sets.len() {
            return None;
        }
        let mut off = 0usize;
        for (k, set) in key.iter().zip(&self.sets) {
            off = off * set.elems.len() + *set.pos.get(k)? as usize;
        }
        Some(off)
    }
}

/// Entities of one kind: element ids and attribute columns.
#[derive(Debug, Default)]
pub struct KindTable {
    pub elems: Vec<ElemId>,
    /// attribute index → values per entity (in `elems` order).
    pub attrs: Vec<Vec<Value>>,
    /// Inverted indexes, built on demand: attribute → value key → entity positions.
    pub inverted: FxHashMap<usize, FxHashMap<ValueKey, Vec<u32>>>,
}

/// A hashable form of a value for joins.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ValueKey {
    Num(u64),
    Bool(bool),
    Str(Arc<str>),
    Elem(ElemId),
}

impl ValueKey {
    pub fn of(v: &Value) -> Option<ValueKey> {
        Some(match v {
            Value::Num(n) => ValueKey::Num(n.to_bits()),
            Value::Bool(b) => ValueKey::Bool(*b),
            Value::Str(s) => ValueKey::Str(s.clone()),
            Value::Elem(e) => ValueKey::Elem(*e),
            Value::Set(_) => return None,
        })
    }
}

/// All data of one instantiation.
#[derive(Debug, Default)]
pub struct World {
    pub elems: Vec<ElemData>,
    pub interned: FxHashMap<ElemKey, ElemId>,
    /// Entity element → (kind, position in its kind table).
    pub entity_of: FxHashMap<ElemId, (usize, u32)>,
    pub kinds: Vec<KindTable>,
    /// Evaluated named sets, by SetId.
    pub sets: Vec<Option<Arc<SetVal>>>,
    pub params: Vec<Option<ParamTable>>,
    /// Entity names (any kind) for bare-name lookup of data-loaded entities.
    pub entity_names: FxHashMap<String, Vec<ElemId>>,
    /// Params forecast from a history: one record per series, in evaluation order.
    pub forecasts: Vec<crate::forecast::SeriesForecast>,
    /// For each param that a forecast or an aggregate reads (a history) and that is loaded
    /// from a file: where each value is in the file, so that problems in a series point at
    /// the file, row and column.
    pub history_cells: FxHashMap<usize, FxHashMap<Box<[ElemId]>, crate::span::Span>>,
    /// Histories whose file gave errors (already reported): their forecasts and aggregates
    /// are not computed, so that one bad cell is not reported again as a missing period.
    pub failed_histories: rustc_hash::FxHashSet<usize>,
    /// Scenario elements: probability, entities down, param overrides.
    pub scenarios: FxHashMap<ElemId, ScenarioData>,
    /// Scenario sets evaluated so far, by SetId.
    pub scenario_sets: FxHashMap<usize, ScenarioSetData>,
}

/// One scenario of a scenario set.
#[derive(Clone, Debug, Default)]
pub struct ScenarioData {
    pub p: f64,
    /// The entities down, sorted.
    pub down: Vec<ElemId>,
    /// (param, value) for the params indexed by the set that this scenario sets.
    pub overrides: Vec<(usize, Value)>,
}

/// What is known of a scenario set once evaluated.
#[derive(Clone, Debug, Default)]
pub struct ScenarioSetData {
    /// The sum of the probabilities of its scenarios (below 1 when a cutoff left some out).
    pub mass: f64,
    pub count: usize,
}

impl World {
    pub fn intern(&mut self, key: ElemKey) -> ElemId {
        if let Some(&id) = self.interned.get(&key) {
            return id;
        }
        let name = match &key {
            ElemKey::Entity(_, n) | ElemKey::Symbol(_, n) | ElemKey::Str(n) => n.clone(),
            ElemKey::Int(i) => i.to_string(),
            ElemKey::Period(p) => p.to_string(),
        };
        let id = self.elems.len() as ElemId;
        self.elems.push(ElemData {
            key: key.clone(),
            name,
        });
        self.interned.insert(key, id);
        id
    }

    pub fn name(&self, e: ElemId) -> &str {
        &self.elems[e as usize].name
    }

    /// The number an integer or period element stands for.
    pub fn elem_number(&self, e: ElemId) -> Option<f64> {
        match self.elems[e as usize].key {
            ElemKey::Int(i) => Some(i as f64),
            _ => None,
        }
    }

    pub fn elem_ty(&self, e: ElemId) -> ElemTy {
        match self.elems[e as usize].key {
            ElemKey::Entity(k, _) => ElemTy::Kind(k),
            ElemKey::Symbol(s, _) => ElemTy::Symbol(s),
            ElemKey::Int(_) => ElemTy::Int,
            ElemKey::Period(p) => ElemTy::Period(p.kind),
            ElemKey::Str(_) => ElemTy::Str,
        }
    }

    /// Attribute `attr` of entity element `e`.
    pub fn attr(&self, e: ElemId, attr: usize) -> Option<&Value> {
        let (k, i) = self.entity_of.get(&e)?;
        self.kinds[*k].attrs.get(attr)?.get(*i as usize)
    }
}
