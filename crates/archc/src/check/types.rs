//! Types of the language and the checked schema of a model: kinds with typed attributes,
//! sets, params, decisions, constraints and objectives, each with its declaration.

use crate::check::symbols::SymbolId;
use crate::ir::VarKind;
use crate::period::PeriodKind;
use crate::span::{FileId, Span};
use crate::syntax::ast;
use crate::units::{Unit, UnitRegistry};
use rustc_hash::FxHashMap;

pub type KindId = usize;
pub type SetId = usize;

/// What the elements of a set are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElemTy {
    /// Entities of a kind.
    Kind(KindId),
    /// Symbols of an explicit set (`set tiers = {gold, silver}`).
    Symbol(SetId),
    Int,
    /// Periods of one kind (quarters, months, weeks, days).
    Period(PeriodKind),
    Str,
    /// Unknown (after an error): compatible with everything.
    Any,
}

/// The type of an expression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    Num {
        unit: Unit,
        int: bool,
    },
    Bool,
    Str,
    Elem(ElemTy),
    Set(ElemTy),
    /// After an error: compatible with everything, reported once.
    Err,
}

impl Ty {
    pub fn num(unit: Unit) -> Ty {
        Ty::Num { unit, int: false }
    }

    pub fn count() -> Ty {
        Ty::Num {
            unit: Unit::dimensionless(),
            int: true,
        }
    }

    /// Numbers, bools (as 0/1) and integer elements can take part in arithmetic.
    pub fn as_num(&self) -> Option<(Unit, bool)> {
        match self {
            Ty::Num { unit, int } => Some((*unit, *int)),
            Ty::Bool | Ty::Elem(ElemTy::Int) => Some((Unit::dimensionless(), true)),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct AttrInfo {
    pub name: String,
    pub ty: Ty,
    /// The unit as written in the kind (for data columns and display).
    pub unit_text: String,
    pub default: Option<ast::Expr>,
    /// Declared `>= 0`: values may not be negative.
    pub non_negative: bool,
    pub span: Span,
    pub doc: Option<String>,
    pub symbol: Option<SymbolId>,
}

#[derive(Clone, Debug)]
pub struct KindInfo {
    pub name: String,
    /// The set of all entities of the kind: `regions`.
    pub set_name: String,
    pub set: SetId,
    pub span: Span,
    pub attrs: Vec<AttrInfo>,
    pub attr_index: FxHashMap<String, usize>,
    /// `services from "x.csv"` declarations: (path, file of the declaration, the column
    /// that holds the entity names: `name` unless `key COLUMN` says otherwise).
    pub data_sources: Vec<(ast::StrLit, FileId, String)>,
}

impl KindInfo {
    pub fn attr(&self, name: &str) -> Option<&AttrInfo> {
        self.attr_index.get(name).map(|&i| &self.attrs[i])
    }
}

/// An entity declared in the source.
#[derive(Clone, Debug)]
pub struct EntityInfo {
    pub kind: KindId,
    pub name: String,
    pub span: Span,
    pub decl: ast::EntityDecl,
    pub symbol: SymbolId,
}

#[derive(Clone, Debug)]
pub enum SetDef {
    /// All entities of a kind.
    Kind(KindId),
    /// `set tiers = {gold, silver}`: fresh symbols, in order.
    Symbols(Vec<ast::Ident>),
    /// Any other set expression (range, filter, literal of known values).
    Expr(ast::Expr),
    /// A scenario set: its elements are scenario symbols of this set.
    Scenarios(Box<crate::scenario::ScenarioDef>),
}

/// `partition SET into K`, checked: `set` is a plain index set, `parts` from 1 to 1,000,000.
#[derive(Clone, Debug)]
pub struct PartitionInfo {
    pub set: SetId,
    pub parts: u32,
    /// The whole declaration.
    pub span: Span,
    /// The set's name in it.
    pub set_span: Span,
}

#[derive(Clone, Debug)]
pub struct SetInfo {
    pub name: String,
    pub span: Span,
    pub elem: ElemTy,
    pub def: SetDef,
    pub symbol: Option<SymbolId>,
}

/// One index dimension of a param, decision or constraint.
#[derive(Clone, Debug)]
pub struct IndexDim {
    pub var: String,
    pub elem: ElemTy,
    pub set: ast::Expr,
}

#[derive(Clone, Debug)]
pub struct ParamInfo {
    pub name: String,
    pub span: Span,
    pub decl: ast::ParamDecl,
    pub dims: Vec<IndexDim>,
    pub ty: Ty,
    pub unit_text: String,
    pub file: FileId,
    pub symbol: SymbolId,
}

#[derive(Clone, Debug)]
pub struct DecisionInfo {
    pub name: String,
    pub span: Span,
    pub decl: ast::DecideDecl,
    pub dims: Vec<IndexDim>,
    pub var_kind: VarKind,
    pub unit: Unit,
    pub unit_text: String,
    pub symbol: SymbolId,
}

#[derive(Clone, Debug)]
pub struct ConstraintInfo {
    pub name: String,
    pub span: Span,
    /// As written. For a constraint of a plan lowered to MILP ([`crate::plan::milp`]), the
    /// plan's index (and stage) with the statement it comes from as its body.
    pub decl: ast::ConstraintDecl,
    pub dims: Vec<IndexDim>,
    pub symbol: SymbolId,
}

#[derive(Clone, Debug)]
pub struct ObjectiveInfo {
    pub name: String,
    pub span: Span,
    /// As written. For the objective the MILP lowering of plans adds to a model without
    /// one ([`crate::plan::milp`]), its sense and name, with the first plan's name as a
    /// stand-in for the body (the HIR holds the sum of the plans' costs).
    pub decl: ast::ObjectiveDecl,
    pub unit: Unit,
    pub unit_text: String,
    /// The tolerance (`within ...`) is in percent of the optimum, not in the objective's
    /// unit.
    pub relative_tolerance: bool,
}

#[derive(Clone, Debug)]
pub struct FnInfo {
    pub decl: ast::FnDecl,
    pub symbol: SymbolId,
}

/// What a global name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Global {
    Kind(KindId),
    Set(SetId),
    Param(usize),
    Decision(usize),
    Constraint(usize),
    Objective(usize),
    Fn(usize),
    Plan(usize),
}

/// An entity named in a data file, known to the checker before the data loads.
#[derive(Clone, Debug)]
pub struct DataEntity {
    pub kind: usize,
    /// Index into [`Schema::data_paths`].
    pub path: u32,
    /// The name cell in the data file.
    pub span: Span,
    /// Made when the source first names the entity (a data file of many thousand entities
    /// needs no symbol for each).
    pub symbol: Option<SymbolId>,
}

/// The checked model: everything later phases need besides the data.
#[derive(Debug, Default)]
pub struct Schema {
    pub units: UnitRegistry,
    pub kinds: Vec<KindInfo>,
    pub sets: Vec<SetInfo>,
    pub entities: Vec<EntityInfo>,
    pub entity_names: FxHashMap<String, Vec<usize>>,
    /// Symbols of explicit sets: name → set.
    pub symbol_elems: FxHashMap<String, SetId>,
    pub params: Vec<ParamInfo>,
    pub decisions: Vec<DecisionInfo>,
    pub constraints: Vec<ConstraintInfo>,
    pub objectives: Vec<ObjectiveInfo>,
    pub fns: Vec<FnInfo>,
    pub plans: Vec<super::plan::PlanInfo>,
    pub tests: Vec<ast::TestDecl>,
    /// `partition SET into K` declarations as written, with the span of each item.
    pub partition_decls: Vec<(ast::PartitionDecl, Span)>,
    /// The checked partition: the set a partitioned solve splits, and into how many parts.
    pub partition: Option<PartitionInfo>,
    pub globals: FxHashMap<String, Global>,
    /// Units met in the source, by text, for evaluation.
    pub unit_cache: FxHashMap<String, Unit>,
    /// Entities loaded from data files, by name (one per kind that has the name).
    pub data_entities: FxHashMap<String, smallvec::SmallVec<[DataEntity; 1]>>,
    /// The paths of the data files that entities load from, as written.
    pub data_paths: Vec<String>,
    /// True when some entities come from data files whose names could not be read before
    /// the full load: a bare name may then name one of them, and is checked at load.
    pub unknown_data_names: bool,
}

impl Schema {
    pub fn kind_by_name(&self, name: &str) -> Option<KindId> {
        match self.globals.get(name) {
            Some(Global::Kind(k)) => Some(*k),
            _ => None,
        }
    }

    /// A unit from text already checked.
    pub fn unit(&self, text: &str) -> Unit {
        self.unit_cache
            .get(text)
            .copied()
            .or_else(|| self.units.parse(text).ok())
            .unwrap_or_else(Unit::dimensionless)
    }

    pub fn elem_name(&self, e: ElemTy) -> String {
        match e {
            ElemTy::Kind(k) => self.kinds[k].name.clone(),
            ElemTy::Symbol(s) => format!("element of `{}`", self.sets[s].name),
            ElemTy::Int => "integer".into(),
            ElemTy::Period(k) => k.name().into(),
            ElemTy::Str => "string".into(),
            ElemTy::Any => "element".into(),
        }
    }

    pub fn ty_name(&self, t: &Ty) -> String {
        match t {
            Ty::Num { unit, int } => {
                let u = self.units.format(unit);
                let base = if *int { "int" } else { "number" };
                if u.is_empty() {
                    base.to_string()
                } else {
                    format!("{base} in `{u}`")
                }
            }
            Ty::Bool => "bool".into(),
            Ty::Str => "str".into(),
            Ty::Elem(e) => self.elem_name(*e),
            Ty::Set(e) => format!("set of {}", self.elem_name(*e)),
            Ty::Err => "unknown".into(),
        }
    }
}
