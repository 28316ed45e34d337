//! The typed, resolved form of a checked model (HIR): what the checker hands on to
//! instantiation, plans and explanations.
//!
//! Every name is an id: globals by the newtypes below (indices into the checked
//! [`crate::check::Schema`]'s tables), index variables, function parameters and plan
//! variables by a [`SlotId`] into the slot table of their declaration. Every expression node
//! carries its [`Ty`] (with unit) and whether it depends on a decision; calls of user `fn`s
//! are inlined once, here, with their parameters as slots bound to the arguments.
//!
//! It is produced by `lower` right after checking, only for a model with no errors; that
//! pass cannot fail on such a model, and a failure is the internal error E0750 (see
//! `tests/hir.rs`, which lowers every fixture, example and docs model). Next in the pipeline:
//! instantiation, whose hot path (`instantiate/linear/compiled.rs`) compiles constraints
//! and objectives from these expressions.

mod cycles;
mod expr;
mod lower;
mod lower_expr;
#[cfg(test)]
mod tests;

pub(crate) use cycles::circular_definitions;
pub use expr::{Binder, Builtin, Expr, ExprKind, Index, Slot};
pub(crate) use lower::lower_model;

use crate::check::Ty;
use crate::span::Span;
use crate::syntax::ast::{BoundOp, CmpOp, ObjectiveSense};

macro_rules! id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into the schema's table (or the declaration's slot table).
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl From<usize> for $name {
            fn from(i: usize) -> Self {
                $name(i as u32)
            }
        }
    )*};
}

id! {
    /// A set: `schema.sets[id]`.
    SetId,
    /// A kind of entity: `schema.kinds[id]`.
    KindId,
    /// An attribute of a kind: `schema.kinds[kind].attrs[id]`.
    AttrId,
    /// A param: `schema.params[id]`.
    ParamId,
    /// A decision: `schema.decisions[id]`.
    DecisionId,
    /// A constraint: `schema.constraints[id]`.
    ConstraintId,
    /// An objective: `schema.objectives[id]`.
    ObjectiveId,
    /// A user function: `schema.fns[id]`.
    FnId,
    /// A plan: `schema.plans[id]`.
    PlanId,
    /// A local of one declaration (index variable, function parameter, plan variable):
    /// `slots[id]` of the declaration that binds it.
    SlotId,
}

/// One declaration's expressions with the slot table they refer to.
#[derive(Clone, Debug)]
pub struct Decl<T> {
    pub slots: Vec<Slot>,
    pub body: T,
}

/// How a set is defined.
#[derive(Clone, Debug)]
pub enum SetValue {
    /// All entities of a kind.
    Kind(KindId),
    /// Fresh symbols, in order.
    Symbols(Vec<String>),
    /// A set expression (range, comprehension, literal, another set).
    Expr(Expr),
    /// A scenario set: where its scenarios come from, with the expressions of its
    /// definition.
    Scenarios(Box<crate::scenario::ScenarioDef<Expr>>),
}

/// The value of a param.
#[derive(Clone, Debug)]
pub enum ParamValue {
    /// Loaded from a data file, or no value (every index needs one from data).
    Data,
    /// One expression over the index slots.
    Expr(Expr),
    /// A table `{key: value, ...}`: each key's elements (one per index) and its value.
    Table(Vec<(Vec<Expr>, Expr)>),
    /// `forecast(history[keys..., t], ...)`, fitted when data loads (`crate::forecast`):
    /// the history param as the checker resolved it, and the indices given to it but the
    /// last, over the param's index slots.
    Forecast {
        history: ParamId,
        keys: Vec<Expr>,
        /// The sample path of `statistic = path(e)`.
        path: Option<Expr>,
    },
    /// `aggregate(history[keys..., t], ...)`, computed when data loads
    /// (`crate::forecast::aggregate`), with the history and keys as for `Forecast`.
    Aggregate { history: ParamId, keys: Vec<Expr> },
}

impl ParamValue {
    /// Each expression of the value in order: the expression, a table's keys and values, a
    /// forecast's or aggregate's keys (and sample path). The history a forecast or an
    /// aggregate reads is an id, not an expression.
    pub fn for_each_expr<'e>(&'e self, f: &mut impl FnMut(&'e Expr)) {
        match self {
            ParamValue::Data => {}
            ParamValue::Expr(e) => f(e),
            ParamValue::Table(rows) => {
                for (keys, v) in rows {
                    keys.iter().for_each(&mut *f);
                    f(v);
                }
            }
            ParamValue::Forecast { keys, path, .. } => keys.iter().chain(path).for_each(f),
            ParamValue::Aggregate { keys, .. } => keys.iter().for_each(f),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Param {
    pub index: Index,
    pub value: ParamValue,
}

#[derive(Clone, Debug)]
pub struct Decision {
    pub index: Index,
    pub bounds: Vec<(BoundOp, Expr)>,
}

#[derive(Clone, Debug)]
pub struct Constraint {
    pub index: Index,
    pub body: Expr,
}

#[derive(Clone, Debug)]
pub struct Objective {
    pub sense: ObjectiveSense,
    pub body: Expr,
    /// Ranked after the objective before it (`then minimize ...`).
    pub then: bool,
    pub within: Option<Expr>,
}

/// One `expect` of a test.
#[derive(Clone, Debug)]
pub enum Expect {
    Feasible,
    Infeasible,
    /// `expect binding fit[eu-west]`.
    Binding(ConstraintId, Vec<Expr>),
    Objective(Vec<(CmpOp, Expr)>),
    Holds(Expr),
}

#[derive(Clone, Debug)]
pub struct Test {
    pub name: Option<String>,
    pub expects: Vec<(Expect, Span)>,
}

/// The stage decision's domain.
#[derive(Clone, Debug)]
pub enum ChooseDomain {
    Range(Expr, Expr),
    Set(Expr),
}

#[derive(Clone, Debug)]
pub struct PlanState {
    pub slot: SlotId,
    pub lo: Expr,
    pub hi: Expr,
    pub init: Option<Expr>,
}

/// A statement of a plan after its declarations.
#[derive(Clone, Debug)]
pub enum PlanStmt {
    Next(SlotId, Expr),
    Require(Expr),
    FinalRequire(Expr),
    Cost(Expr),
    FinalCost(Expr),
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub index: Index,
    /// The stage variable and the stages it runs over.
    pub stage: Binder,
    pub states: Vec<PlanState>,
    pub choose: Option<(SlotId, ChooseDomain)>,
    pub stmts: Vec<(PlanStmt, Span)>,
    /// The statements as the MILP lowering of plans reads them.
    pub milp: PlanMilp,
}

/// A plan's statements typed with its states and decision as decisions, which they become
/// when the plan is lowered to MILP (an integer column per stage): there, an expression over
/// them depends on a decision, and a form the checker refuses on decisions (a product of
/// two of them, `ceil` of one, ...) keeps the plan from MILP.
#[derive(Clone, Debug, Default)]
pub struct PlanMilp {
    /// [`Plan::stmts`] typed so, in the same order; empty when `errors` is not.
    pub stmts: Vec<(PlanStmt, Span)>,
    /// What the checker reports on the statements typed so: why the plan cannot be lowered
    /// to MILP (reported only when it has to be).
    pub errors: Vec<crate::diagnostics::Diagnostic>,
}

/// The value of an attribute set on an entity declared in the source, or an attribute's
/// default.
#[derive(Clone, Debug)]
pub struct AttrValue {
    pub kind: KindId,
    pub attr: AttrId,
    /// The entity (`schema.entities[i]`), or `None` for the attribute's default.
    pub entity: Option<usize>,
    pub value: Expr,
}

/// `partition SET into K`: the set whose elements a partitioned solve deals into `parts`
/// parts (`archc solve` partitions by it unless `--partition` says otherwise).
#[derive(Clone, Debug)]
pub struct Partition {
    pub set: SetId,
    pub parts: u32,
    /// The declaration, for notes that name it.
    pub span: Span,
}

/// The HIR of a checked model: one entry per declaration of the schema, in the schema's
/// order (so `params[id.index()]` is the param `id`).
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub sets: Vec<Decl<SetValue>>,
    pub attrs: Vec<Decl<AttrValue>>,
    pub params: Vec<Decl<Param>>,
    pub decisions: Vec<Decl<Decision>>,
    pub constraints: Vec<Decl<Constraint>>,
    pub objectives: Vec<Decl<Objective>>,
    pub tests: Vec<Decl<Test>>,
    pub plans: Vec<Decl<Plan>>,
    /// The model's own partition, if it names one.
    pub partition: Option<Partition>,
}

impl Model {
    /// Every expression of the model, root by root, with the slot table it refers to.
    pub fn roots(&self) -> Vec<(&[Slot], &Expr)> {
        let mut out: Vec<(&[Slot], &Expr)> = Vec::new();
        for d in &self.sets {
            if let SetValue::Expr(e) = &d.body {
                out.push((&d.slots, e));
            }
        }
        for d in &self.attrs {
            out.push((&d.slots, &d.body.value));
        }
        for d in &self.params {
            push_index(&mut out, &d.slots, &d.body.index);
            match &d.body.value {
                ParamValue::Expr(e) => out.push((&d.slots, e)),
                ParamValue::Table(rows) => {
                    for (keys, v) in rows {
                        out.extend(keys.iter().map(|k| (&d.slots[..], k)));
                        out.push((&d.slots, v));
                    }
                }
                ParamValue::Data | ParamValue::Forecast { .. } | ParamValue::Aggregate { .. } => {}
            }
        }
        for d in &self.decisions {
            push_index(&mut out, &d.slots, &d.body.index);
            out.extend(d.body.bounds.iter().map(|(_, e)| (&d.slots[..], e)));
        }
        for d in &self.constraints {
            push_index(&mut out, &d.slots, &d.body.index);
            out.push((&d.slots, &d.body.body));
        }
        for d in &self.objectives {
            out.push((&d.slots, &d.body.body));
            out.extend(d.body.within.iter().map(|e| (&d.slots[..], e)));
        }
        for d in &self.tests {
            for (x, _) in &d.body.expects {
                match x {
                    Expect::Binding(_, args) => out.extend(args.iter().map(|a| (&d.slots[..], a))),
                    Expect::Objective(bounds) => {
                        out.extend(bounds.iter().map(|(_, b)| (&d.slots[..], b)))
                    }
                    Expect::Holds(e) => out.push((&d.slots, e)),
                    Expect::Feasible | Expect::Infeasible => {}
                }
            }
        }
        for d in &self.plans {
            let p = &d.body;
            push_index(&mut out, &d.slots, &p.index);
            out.push((&d.slots, &p.stage.set));
            for s in &p.states {
                out.push((&d.slots, &s.lo));
                out.push((&d.slots, &s.hi));
                out.extend(s.init.iter().map(|e| (&d.slots[..], e)));
            }
            match &p.choose {
                Some((_, ChooseDomain::Range(a, b))) => {
                    out.push((&d.slots, a));
                    out.push((&d.slots, b));
                }
                Some((_, ChooseDomain::Set(s))) => out.push((&d.slots, s)),
                None => {}
            }
            for (s, _) in p.stmts.iter().chain(&p.milp.stmts) {
                let e = match s {
                    PlanStmt::Next(_, e)
                    | PlanStmt::Require(e)
                    | PlanStmt::FinalRequire(e)
                    | PlanStmt::Cost(e)
                    | PlanStmt::FinalCost(e) => e,
                };
                out.push((&d.slots, e));
            }
        }
        out
    }
}

fn push_index<'a>(out: &mut Vec<(&'a [Slot], &'a Expr)>, slots: &'a [Slot], index: &'a Index) {
    for b in &index.binders {
        out.push((slots, &b.set));
    }
    if let Some(f) = &index.filter {
        out.push((slots, f));
    }
}

/// The type of a slot, for consumers that only hold its id.
pub fn slot_ty(slots: &[Slot], id: SlotId) -> Option<Ty> {
    slots.get(id.index()).map(|s| s.ty)
}
