//! The abstract syntax tree. Every node carries the [`Span`] it was parsed from; later
//! phases report problems at these spans.

use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A parsed source file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct File {
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Text of the `///` comments before the item, without the slashes.
    pub doc: Option<String>,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Use(UseDecl),
    Unit(UnitDecl),
    Kind(KindDecl),
    Entity(EntityDecl),
    EntitiesFrom(EntitiesFrom),
    Set(SetDecl),
    Param(ParamDecl),
    Decide(DecideDecl),
    Constraint(ConstraintDecl),
    Objective(ObjectiveDecl),
    Fn(FnDecl),
    Template(TemplateDecl),
    Apply(ApplyDecl),
    Plan(PlanDecl),
    Test(TestDecl),
    Partition(PartitionDecl),
}

impl ItemKind {
    /// The declared name, for items that have one.
    pub fn name(&self) -> Option<&Ident> {
        match self {
            ItemKind::Unit(d) => Some(&d.name),
            ItemKind::Kind(d) => Some(&d.name),
            ItemKind::Entity(d) => Some(&d.name),
            ItemKind::Set(d) => Some(&d.name),
            ItemKind::Param(d) => Some(&d.name),
            ItemKind::Decide(d) => Some(&d.name),
            ItemKind::Constraint(d) => Some(&d.name),
            ItemKind::Objective(d) => d.name.as_ref(),
            ItemKind::Fn(d) => Some(&d.name),
            ItemKind::Template(d) => Some(&d.name),
            ItemKind::Plan(d) => Some(&d.name),
            ItemKind::Test(d) => d.name.as_ref(),
            ItemKind::Apply(d) => d.alias.as_ref(),
            ItemKind::Use(_) | ItemKind::EntitiesFrom(_) | ItemKind::Partition(_) => None,
        }
    }

    /// A word for the item's kind, for messages and outlines.
    pub fn describe(&self) -> &'static str {
        match self {
            ItemKind::Use(_) => "use",
            ItemKind::Unit(_) => "unit",
            ItemKind::Kind(_) => "kind",
            ItemKind::Entity(_) => "entity",
            ItemKind::EntitiesFrom(_) => "entities from data",
            ItemKind::Set(_) => "set",
            ItemKind::Param(_) => "param",
            ItemKind::Decide(_) => "decision",
            ItemKind::Constraint(_) => "constraint",
            ItemKind::Objective(_) => "objective",
            ItemKind::Fn(_) => "function",
            ItemKind::Template(_) => "template",
            ItemKind::Apply(_) => "template application",
            ItemKind::Plan(_) => "plan",
            ItemKind::Test(_) => "test",
            ItemKind::Partition(_) => "partition",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum UseTarget {
    /// `use std.infra`
    Module(Vec<Ident>),
    /// `use "other.arch"`
    File(StrLit),
}

#[derive(Clone, Debug, PartialEq)]
pub struct UseDecl {
    pub target: UseTarget,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// `unit gpu` (a new base unit) or `unit rack = 42 core`.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitDecl {
    pub name: Ident,
    pub value: Option<Expr>,
}

/// `kind rack { power: kW, site: region, cost: usd = 0 usd }`; a kind that exists already
/// (built-in or from a module) gets the attributes added.
#[derive(Clone, Debug, PartialEq)]
pub struct KindDecl {
    pub name: Ident,
    pub attrs: Vec<AttrDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttrDecl {
    pub doc: Option<String>,
    pub name: Ident,
    pub ty: TypeExpr,
    /// `>= 0` after the type: the values may not be negative (the checker allows only 0).
    pub lower: Option<Expr>,
    pub default: Option<Expr>,
    pub span: Span,
}

/// A type as written: `int`, `real Gbps`, `Gbps`, `bool`, `str`, `region`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub base: BaseType,
    /// The unit text for numbers (`Gbps`), or the kind name (`region`) when `base` is
    /// `Named`.
    pub unit: Option<UnitExpr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseType {
    Bool,
    Int,
    Real,
    Str,
    /// Only a name was written: a unit (`Gbps`, meaning a real in Gbps) or a kind
    /// (`region`); the checker decides.
    Named,
}

/// A unit as written (`usd/core/h`), with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitExpr {
    pub text: String,
    pub span: Span,
}

/// `region us-east { ... }` or `link a <-> b { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityDecl {
    pub kind: Ident,
    pub name: Ident,
    /// For link-shaped declarations: the endpoints and whether `<->` was used.
    pub link: Option<LinkEnds>,
    pub attrs: Vec<AttrInit>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LinkEnds {
    pub src: Ident,
    pub dst: Ident,
    pub both: bool,
    pub op_span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttrInit {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `services from "data/services.csv"`, or `services from "data/services.csv" key id`
/// when the entity names are in a column other than `name`.
#[derive(Clone, Debug, PartialEq)]
pub struct EntitiesFrom {
    pub set: Ident,
    pub path: StrLit,
    /// The column that holds the entity names (`key id`); `None` is the `name` column.
    pub key: Option<Ident>,
}

impl EntitiesFrom {
    /// The column that holds the entity names.
    pub fn key_column(&self) -> &str {
        self.key.as_ref().map_or("name", |k| k.name.as_str())
    }
}

/// `partition services into 16`: the set whose elements `archc solve` deals into parts for a
/// partitioned solve, and how many parts (the number as written; the checker requires a
/// whole number from 1 to 1,000,000).
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionDecl {
    pub set: Ident,
    pub parts: f64,
    pub parts_span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SetDecl {
    pub name: Ident,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl {
    pub name: Ident,
    pub index: Option<IndexList>,
    pub ty: TypeExpr,
    /// `>= 0` after the type: the values may not be negative (the checker allows only 0).
    pub lower: Option<Expr>,
    pub value: Option<ParamValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    Expr(Expr),
    From(StrLit),
}

#[derive(Clone, Debug, PartialEq)]
pub struct DecideDecl {
    pub name: Ident,
    pub index: Option<IndexList>,
    pub ty: TypeExpr,
    pub bounds: Vec<Bound>,
    /// The span of `as loss`: the decision is the loss `archc risk` measures in each
    /// scenario of the scenario set its first index ranges over.
    pub loss: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub op: BoundOp,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundOp {
    Ge,
    Le,
    Eq,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConstraintDecl {
    pub name: Ident,
    pub index: Option<IndexList>,
    pub body: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectiveSense {
    Minimize,
    Maximize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectiveDecl {
    pub sense: ObjectiveSense,
    pub name: Option<Ident>,
    pub body: Expr,
    /// The span of `then` when the objective is ranked after the one before it
    /// (`then minimize moves: ...`).
    pub then: Option<Span>,
    /// `within 1 %` / `within 50 usd`: how far the objective may move from its optimum while
    /// the objectives ranked after it are solved.
    pub within: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnParam {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
}

/// `fn util(l: link) = flow[l] / l.capacity`.
#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    pub name: Ident,
    pub params: Vec<FnParam>,
    pub ret: Option<TypeExpr>,
    pub body: Expr,
}

/// `template spread(x, items, places, k) { constraint ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateDecl {
    pub name: Ident,
    pub params: Vec<FnParam>,
    pub items: Vec<Item>,
}

/// `apply spread(present, services, regions, 2) as svc`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyDecl {
    pub template: Vec<Ident>,
    pub args: Vec<Arg>,
    pub alias: Option<Ident>,
    pub span_call: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

/// `plan build[r in regions] over q in quarters { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanDecl {
    pub name: Ident,
    pub index: Option<IndexList>,
    pub stage_var: Ident,
    pub stages: Expr,
    pub stmts: Vec<PlanStmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlanStmt {
    pub kind: PlanStmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlanStmtKind {
    /// `state racks: 0..2000 = r.installed`
    State {
        name: Ident,
        range: Expr,
        init: Option<Expr>,
    },
    /// `choose add: 0..50` or `choose tier in tiers`
    Choose { name: Ident, domain: Expr },
    /// `next racks = racks + add`
    Next { name: Ident, value: Expr },
    /// `require racks * 40 core >= demand[r, q]`
    Require(Expr),
    /// `cost = ...`
    Cost(Expr),
    /// `final cost = ...`
    FinalCost(Expr),
    /// `final require ...`
    FinalRequire(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    pub name: Option<Ident>,
    pub expects: Vec<Expect>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    pub kind: ExpectKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    Feasible,
    Infeasible,
    /// `expect binding fit[eu-west]`
    Binding(Expr),
    /// `expect objective <= 100 usd`, `expect objective in 90 usd..110 usd`
    Objective(Vec<(CmpOp, Expr)>),
    /// Any condition over the solution: `expect replicas[checkout, us-east] >= 2`.
    Holds(Expr),
}

/// `[s in services, r in regions where cond]`.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexList {
    pub bindings: Vec<Binding>,
    pub filter: Option<Box<Expr>>,
    pub span: Span,
}

/// `s in services`, or just `services` (an anonymous index).
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub var: Option<Ident>,
    pub set: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggKind {
    Sum,
    Count,
    Min,
    Max,
    Exists,
    Forall,
    /// `expected(s in S) e`: the probability-weighted sum over scenarios.
    Expected,
    /// `worst(s in S) e`: the largest value over scenarios.
    Worst,
    /// `cvar(beta, s in S) e`: the mean of the worst `1 - beta` of probability; the first
    /// binding of the index list is `beta`, written without a variable.
    Cvar,
    /// `probability(s in S) cond`: the probability of the scenarios where `cond` holds.
    Probability,
}

impl AggKind {
    pub fn name(self) -> &'static str {
        match self {
            AggKind::Sum => "sum",
            AggKind::Count => "count",
            AggKind::Min => "min",
            AggKind::Max => "max",
            AggKind::Exists => "exists",
            AggKind::Forall => "forall",
            AggKind::Expected => "expected",
            AggKind::Worst => "worst",
            AggKind::Cvar => "cvar",
            AggKind::Probability => "probability",
        }
    }

    /// True for the aggregates over a scenario set.
    pub fn is_risk(self) -> bool {
        matches!(
            self,
            AggKind::Expected | AggKind::Worst | AggKind::Cvar | AggKind::Probability
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    And,
    Or,
    Implies,
    Iff,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Implies => "->",
            BinOp::Iff => "<->",
        }
    }

    /// True for the operators that group from the right: `a ^ b ^ c` is `a ^ (b ^ c)` and
    /// `p -> q -> r` is `p -> (q -> r)`. The others group from the left.
    pub fn right_assoc(self) -> bool {
        matches!(self, BinOp::Pow | BinOp::Implies)
    }
}

/// One `if cond then value` of an [`ExprKind::IfChain`]; `span` runs from the `if` to the end
/// of the value.
#[derive(Clone, Debug, PartialEq)]
pub struct IfArm {
    pub cond: Expr,
    pub value: Expr,
    pub span: Span,
}

/// One link of a [`ExprKind::Chain`]: the operator, its span, and the operand after it.
pub type ChainLink = (BinOp, Span, Expr);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Number(f64),
    /// `40_000 core`
    Quantity(f64, UnitExpr),
    /// A period: `2027Q1`, `2026M01`, `2026W01`, `2026-01-05`.
    Period {
        period: crate::period::Period,
    },
    Str(String),
    Bool(bool),
    Name(Ident),
    Field(Box<Expr>, Ident),
    Index(Box<Expr>, Vec<Expr>),
    Call(Ident, Vec<Arg>),
    Unary(UnOp, Box<Expr>),
    /// One operator between two operands.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Two or more operators of one precedence level in a row, kept flat so that a long run
    /// (`1 + 1 + ... + 1`, `a ^ b ^ ... ^ z`, `p -> q -> ... -> r`) needs no deep tree:
    /// the first operand, then each operator with the operand after it. All operators belong
    /// to one level (`+ -`, `* / %`, `and`, `or`, `<->`, `^` or `->`); they group from the
    /// left, except `^` and `->` ([`BinOp::right_assoc`]). Walk it with a loop.
    Chain(Box<Expr>, Vec<ChainLink>),
    /// `a <= b`, and chains `0 <= x <= 10` as several links.
    Compare(Box<Expr>, Vec<(CmpOp, Span, Expr)>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `if c1 then a1 else if c2 then a2 ... else b` with two or more conditions, kept flat:
    /// the arms (condition, value) in order, then the value when no condition holds.
    IfChain(Vec<IfArm>, Box<Expr>),
    Agg {
        kind: AggKind,
        index: IndexList,
        body: Option<Box<Expr>>,
    },
    /// `a..b`
    Range(Box<Expr>, Box<Expr>),
    /// `{a, b, c}`
    SetLit(Vec<Expr>),
    /// `{r in regions where cond}`
    SetCompr(Box<IndexList>),
    /// `{gold: 3 usd, (a, b): 2}`
    Map(Vec<(Vec<Expr>, Expr)>),
    /// `(a, b)`
    Tuple(Vec<Expr>),
}
