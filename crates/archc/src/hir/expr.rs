//! HIR expressions: a tree whose nodes carry their type (with unit) and refer to globals by
//! id and to locals by slot. Long runs of one operator stay flat ([`ExprKind::Chain`],
//! [`ExprKind::If`] with many arms), as in the syntax tree, so walking them needs no deep
//! recursion. Built by `lower_expr`; read by the evaluators.

use super::{AttrId, DecisionId, FnId, KindId, ParamId, PlanId, SetId, SlotId};
use crate::check::Ty;
use crate::span::Span;
use crate::syntax::ast::{AggKind, BinOp, CmpOp, UnOp};
use crate::units::Unit;

/// A local of a declaration: an index variable, a function parameter or a plan variable.
#[derive(Clone, Debug)]
pub struct Slot {
    /// As written (empty for an anonymous index `[regions]`).
    pub name: String,
    pub ty: Ty,
    /// Where it is bound (the binding, the parameter, the plan statement).
    pub span: Span,
}

/// `v in SET`: a slot bound to each element of a set in turn.
#[derive(Clone, Debug)]
pub struct Binder {
    pub slot: SlotId,
    pub set: Expr,
}

/// An index list: binders in order (a later set may use an earlier slot), then a filter.
#[derive(Clone, Debug, Default)]
pub struct Index {
    pub binders: Vec<Binder>,
    pub filter: Option<Expr>,
    /// The whole list as written (none for a declaration without an index).
    pub span: Span,
}

impl Index {
    /// The slots of the binders, in order.
    pub fn slots(&self) -> Vec<SlotId> {
        self.binders.iter().map(|b| b.slot).collect()
    }

    /// Whether a binder's set reads an earlier binder (`[w in weeks, v in w..4]`): the
    /// index is then no product of sets.
    pub fn has_dependent_set(&self) -> bool {
        let slots = self.slots();
        self.binders.iter().any(|b| b.set.reads_any(&slots))
    }
}

/// The built-in functions called with parentheses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Ceil,
    Floor,
    Round,
    Abs,
    Min,
    Max,
    Prev,
    Next,
    Ord,
    First,
    Last,
    Card,
    /// `prob(s)`: the probability of a scenario.
    Prob,
    /// `up(e, s)`: 1 when the entity is up in the scenario.
    Up,
    /// `mass(S)`: the probability of a scenario set.
    Mass,
}

impl Builtin {
    /// Every built-in.
    pub const ALL: [Builtin; 15] = [
        Builtin::Ceil,
        Builtin::Floor,
        Builtin::Round,
        Builtin::Abs,
        Builtin::Min,
        Builtin::Max,
        Builtin::Prev,
        Builtin::Next,
        Builtin::Ord,
        Builtin::First,
        Builtin::Last,
        Builtin::Card,
        Builtin::Prob,
        Builtin::Up,
        Builtin::Mass,
    ];

    /// The name it is called by.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Ceil => "ceil",
            Builtin::Floor => "floor",
            Builtin::Round => "round",
            Builtin::Abs => "abs",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Prev => "prev",
            Builtin::Next => "next",
            Builtin::Ord => "ord",
            Builtin::First => "first",
            Builtin::Last => "last",
            Builtin::Card => "card",
            Builtin::Prob => "prob",
            Builtin::Up => "up",
            Builtin::Mass => "mass",
        }
    }

    /// The built-in called `name` (the names of `crate::check::expr::BUILTINS` but `moves`
    /// and `changed`, which are [`ExprKind::Moves`]).
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// A typed expression.
#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    /// Depends on a decision.
    pub var: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A number without a unit.
    Number(f64),
    /// A number in a unit as written (`40 Gbps`): the value is `value * unit.scale` in base
    /// units.
    Quantity(f64, Unit),
    Period {
        period: crate::period::Period,
    },
    Str(String),
    Bool(bool),
    /// A local of the declaration.
    Slot(SlotId),
    /// A set as a value (`regions`).
    Set(SetId),
    /// A param at the given indices (none for a scalar param).
    Param(ParamId, Vec<Expr>),
    /// A decision at the given indices.
    Decision(DecisionId, Vec<Expr>),
    /// An element of a set of symbols (`gold`).
    Symbol(SetId, String),
    /// An entity by name: declared in the source or loaded from data (its kind is `None`
    /// when it may only be known once the data loads).
    Entity(String, Option<KindId>),
    /// An attribute of an entity (`r.capacity`).
    Attr(Box<Expr>, KindId, AttrId),
    /// The name of an entity (`r.name`), or an attribute of an entity whose kind is known
    /// only once the data loads (the attribute by name).
    AttrByName(Box<Expr>, String),
    /// `a -> b` between entities: the link from `a` to `b` (its kind is the node's type,
    /// or `Any` when several kinds fit and the data decides).
    Link(Box<Expr>, Box<Expr>),
    Builtin(Builtin, Vec<Expr>),
    /// `moves(x, was)` (or `changed(x, was)` when `changed`).
    Moves {
        changed: bool,
        decision: DecisionId,
        was: ParamId,
        /// Where `was` is written (a missing current value is reported there).
        was_span: Span,
    },
    /// A user function's body inlined: evaluate `args` into `params`, then `body`. (No
    /// function for a plan's cost, which the MILP lowering of plans inlines where it is
    /// used.)
    Inline {
        func: Option<FnId>,
        params: Vec<SlotId>,
        args: Vec<Expr>,
        body: Box<Expr>,
    },
    Unary(UnOp, Box<Expr>),
    /// The first operand, then each operator with the operand after it; all operators of one
    /// precedence level, grouped from the left except `^` and `->` (from the right).
    Chain(Box<Expr>, Vec<(BinOp, Expr)>),
    /// `a <= b`, and chains `0 <= x <= 10`: each operator with the span it is written at
    /// (rows and explanations point there) and the operand after it.
    Compare(Box<Expr>, Vec<(CmpOp, Span, Expr)>),
    /// `if c1 then a1 else if c2 then a2 ... else b`: the arms in order, then the value when
    /// no condition holds.
    If(Vec<(Expr, Expr)>, Box<Expr>),
    /// `sum(...)`, `count`, `min`, `max`, `exists`, `forall`, and the risk measures over one
    /// scenario set (`level` is cvar's `beta`).
    Agg {
        kind: AggKind,
        level: Option<Box<Expr>>,
        index: Box<Index>,
        body: Option<Box<Expr>>,
    },
    Range(Box<Expr>, Box<Expr>),
    SetLit(Vec<Expr>),
    SetCompr(Box<Index>),
    /// A plan instance's total cost (`build[r].cost`).
    PlanCost(PlanId, Vec<Expr>),
    /// A state or the decision of a plan instance at a stage (`build[r].add[q]`).
    PlanSeries {
        plan: PlanId,
        args: Vec<Expr>,
        var: String,
        stage: Box<Expr>,
    },
}

impl Expr {
    /// Visit every node of the tree, parents before children, with an explicit stack (a
    /// chain of 100,000 operands or nested inlined bodies need no deep recursion).
    pub fn walk(&self, mut f: impl FnMut(&Expr)) {
        let mut stack: Vec<&Expr> = vec![self];
        while let Some(e) = stack.pop() {
            f(e);
            e.children(&mut stack);
        }
    }

    /// [`Self::walk`] with each node mutable: `f` may replace the node, and the children of
    /// what it leaves are visited next.
    pub fn walk_mut(&mut self, mut f: impl FnMut(&mut Expr)) {
        let mut stack: Vec<&mut Expr> = vec![self];
        while let Some(e) = stack.pop() {
            f(e);
            e.children_mut(&mut stack);
        }
    }

    /// Whether the tree reads one of `slots`.
    pub fn reads_any(&self, slots: &[SlotId]) -> bool {
        let mut found = false;
        self.walk(|x| found |= matches!(&x.kind, ExprKind::Slot(s) if slots.contains(s)));
        found
    }

    /// Push the direct children of the node.
    pub fn children<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        let index = |ix: &'a Index, out: &mut Vec<&'a Expr>| {
            out.extend(ix.binders.iter().map(|b| &b.set));
            out.extend(ix.filter.iter());
        };
        match &self.kind {
            ExprKind::Number(_)
            | ExprKind::Quantity(..)
            | ExprKind::Period { .. }
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Slot(_)
            | ExprKind::Set(_)
            | ExprKind::Symbol(..)
            | ExprKind::Entity(..)
            | ExprKind::Moves { .. } => {}
            ExprKind::Param(_, args)
            | ExprKind::Decision(_, args)
            | ExprKind::Builtin(_, args)
            | ExprKind::SetLit(args)
            | ExprKind::PlanCost(_, args) => out.extend(args.iter()),
            ExprKind::Attr(b, ..) | ExprKind::AttrByName(b, _) | ExprKind::Unary(_, b) => {
                out.push(b)
            }
            ExprKind::Link(a, b) | ExprKind::Range(a, b) => {
                out.push(a);
                out.push(b);
            }
            ExprKind::Inline { args, body, .. } => {
                out.extend(args.iter());
                out.push(body);
            }
            ExprKind::Chain(first, links) => {
                out.push(first);
                out.extend(links.iter().map(|(_, e)| e));
            }
            ExprKind::Compare(first, links) => {
                out.push(first);
                out.extend(links.iter().map(|(_, _, e)| e));
            }
            ExprKind::If(arms, otherwise) => {
                for (c, v) in arms {
                    out.push(c);
                    out.push(v);
                }
                out.push(otherwise);
            }
            ExprKind::Agg {
                level,
                index: ix,
                body,
                ..
            } => {
                out.extend(level.iter().map(|b| &**b));
                index(ix, out);
                out.extend(body.iter().map(|b| &**b));
            }
            ExprKind::SetCompr(ix) => index(ix, out),
            ExprKind::PlanSeries { args, stage, .. } => {
                out.extend(args.iter());
                out.push(stage);
            }
        }
    }

    /// [`Self::children`], mutable.
    pub fn children_mut<'a>(&'a mut self, out: &mut Vec<&'a mut Expr>) {
        let index = |ix: &'a mut Index, out: &mut Vec<&'a mut Expr>| {
            out.extend(ix.binders.iter_mut().map(|b| &mut b.set));
            out.extend(ix.filter.iter_mut());
        };
        match &mut self.kind {
            ExprKind::Number(_)
            | ExprKind::Quantity(..)
            | ExprKind::Period { .. }
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Slot(_)
            | ExprKind::Set(_)
            | ExprKind::Symbol(..)
            | ExprKind::Entity(..)
            | ExprKind::Moves { .. } => {}
            ExprKind::Param(_, args)
            | ExprKind::Decision(_, args)
            | ExprKind::Builtin(_, args)
            | ExprKind::SetLit(args)
            | ExprKind::PlanCost(_, args) => out.extend(args.iter_mut()),
            ExprKind::Attr(b, ..) | ExprKind::AttrByName(b, _) | ExprKind::Unary(_, b) => {
                out.push(b)
            }
            ExprKind::Link(a, b) | ExprKind::Range(a, b) => {
                out.push(a);
                out.push(b);
            }
            ExprKind::Inline { args, body, .. } => {
                out.extend(args.iter_mut());
                out.push(body);
            }
            ExprKind::Chain(first, links) => {
                out.push(first);
                out.extend(links.iter_mut().map(|(_, e)| e));
            }
            ExprKind::Compare(first, links) => {
                out.push(first);
                out.extend(links.iter_mut().map(|(_, _, e)| e));
            }
            ExprKind::If(arms, otherwise) => {
                for (c, v) in arms.iter_mut() {
                    out.push(c);
                    out.push(v);
                }
                out.push(otherwise);
            }
            ExprKind::Agg {
                level,
                index: ix,
                body,
                ..
            } => {
                out.extend(level.iter_mut().map(|b| &mut **b));
                index(ix, out);
                out.extend(body.iter_mut().map(|b| &mut **b));
            }
            ExprKind::SetCompr(ix) => index(ix, out),
            ExprKind::PlanSeries { args, stage, .. } => {
                out.extend(args.iter_mut());
                out.push(stage);
            }
        }
    }
}
