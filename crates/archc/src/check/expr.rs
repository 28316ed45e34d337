//! Type and unit inference for expressions, with name resolution.
//!
//! Called by the declaration checks of [`super`] on every expression in the program. This
//! module holds the checker's view of an expression (`T`), the entry point
//! [`Checker::expr`] and the shared checks (expected values, set elements, index arguments);
//! names, fields and indexing are in `lookup`, calls and aggregates in `calls`, and arithmetic,
//! logic and comparisons in `operators`.

use crate::diagnostics::Code;
mod calls;
pub(crate) mod links;
mod lookup;
mod moves;
mod operators;

use super::errors;
use super::{Checker, ElemTy, IndexDim, Ty};
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, IfArm, UnOp};
use crate::units::Unit;

/// What the checker knows about an expression.
#[derive(Clone, Copy, Debug)]
pub struct T {
    pub ty: Ty,
    /// Depends on a decision.
    pub var: bool,
    /// The literal `0` (fits any unit).
    pub zero: bool,
}

impl T {
    fn of(ty: Ty) -> T {
        T {
            ty,
            var: false,
            zero: false,
        }
    }
    fn err() -> T {
        T::of(Ty::Err)
    }
    fn var(ty: Ty, var: bool) -> T {
        T {
            ty,
            var,
            zero: false,
        }
    }
}

/// Built-in functions called with parentheses.
pub const BUILTINS: &[&str] = &[
    "ceil", "floor", "round", "abs", "min", "max", "prev", "next", "ord", "first", "last", "card",
    "moves", "changed", "prob", "up", "mass",
];

impl Checker {
    fn unit_text(&self, u: &Unit) -> String {
        let s = self.schema.units.format(u);
        if s.is_empty() {
            "1".into()
        } else {
            s
        }
    }

    /// Check that a value fits a declared type (used for attributes, params, bounds).
    pub(crate) fn expect_value(
        &mut self,
        t: &T,
        e: &Expr,
        want: &Ty,
        what: &str,
        decl: Option<Span>,
    ) {
        match (want, &t.ty) {
            (_, Ty::Err) | (Ty::Err, _) => {}
            (Ty::Num { unit: wu, .. }, _) => match t.ty.as_num() {
                Some((u, _)) => {
                    if !wu.same_dim(&u) && !t.zero {
                        let (a, b) = (self.unit_text(wu), self.unit_text(&u));
                        let mut d = errors::unit_mismatch(e.span, what, &a, &b, decl);
                        if u.is_dimensionless() {
                            d = d.help(format!(
                                "write the unit after the number, e.g. `{} {a}`",
                                expr_text_hint(e)
                            ));
                        }
                        self.error(d);
                    }
                }
                None => {
                    let found = self.schema.ty_name(&t.ty);
                    self.error(
                        Diagnostic::error(
                            Code::E0308,
                            format!("{what} should be a number, found {found}"),
                        )
                        .primary(e.span, format!("this is {found}")),
                    );
                }
            },
            (Ty::Bool, Ty::Bool) | (Ty::Str, Ty::Str) => {}
            (Ty::Elem(a), Ty::Elem(b)) if elem_compatible(*a, *b) => {}
            _ => {
                let (a, b) = (self.schema.ty_name(want), self.schema.ty_name(&t.ty));
                self.error(
                    Diagnostic::error(Code::E0308, format!("{what} should be {a}, found {b}"))
                        .primary(e.span, format!("this is {b}")),
                );
            }
        }
    }

    /// The element type of a set expression, or None after reporting an error.
    pub(crate) fn set_elem(&mut self, e: &Expr) -> Option<ElemTy> {
        match &e.kind {
            ExprKind::Range(a, b) => {
                let ta = self.expr(a);
                let tb = self.expr(b);
                if ta.var || tb.var {
                    self.error(errors::needs_data(e.span, "a range"));
                }
                match (ta.ty, tb.ty) {
                    (Ty::Elem(ElemTy::Period(ka)), Ty::Elem(ElemTy::Period(kb))) if ka == kb => {
                        Some(ElemTy::Period(ka))
                    }
                    (Ty::Elem(ElemTy::Period(ka)), Ty::Elem(ElemTy::Period(kb))) => {
                        self.error(
                            Diagnostic::error(
                                Code::E0354,
                                format!("a range from a {} to a {}", ka.name(), kb.name()),
                            )
                            .primary(a.span, format!("this is a {}", ka.name()))
                            .secondary(b.span, format!("this is a {}", kb.name()))
                            .help(format!(
                                "write both ends as {}s (`{}`) or both as {}s (`{}`)",
                                ka.name(),
                                ka.example(),
                                kb.name(),
                                kb.example()
                            )),
                        );
                        None
                    }
                    (x, y) if x.as_num().is_some() && y.as_num().is_some() => Some(ElemTy::Int),
                    (Ty::Err, _) | (_, Ty::Err) => None,
                    (x, _) => {
                        let found = self.schema.ty_name(&x);
                        self.error(errors::type_mismatch(
                            e.span,
                            "a range of integers or periods",
                            &found,
                        ));
                        None
                    }
                }
            }
            ExprKind::SetCompr(ix) => {
                let depth = self.locals.len();
                let dims = self.bind_index(ix, "a set");
                self.locals.truncate(depth);
                dims.first().map(|d| d.elem)
            }
            _ => {
                let t = self.expr(e);
                if t.var {
                    self.error(errors::needs_data(e.span, "a set"));
                }
                match t.ty {
                    Ty::Set(el) => Some(el),
                    Ty::Err => None,
                    other => {
                        let found = self.schema.ty_name(&other);
                        self.error(Diagnostic::error(Code::E0307, format!("expected a set, found {found}")).primary(e.span, format!("this is {found}")).help("index over a set such as `regions`, a range `1..10` or `{r in regions where ...}`"));
                        None
                    }
                }
            }
        }
    }

    pub(crate) fn check_index_args(
        &mut self,
        name: &str,
        decl: Span,
        dims: &[IndexDim],
        args: &[Expr],
        span: Span,
    ) {
        if args.len() != dims.len() {
            let vars: Vec<&str> = dims.iter().map(|d| d.var.as_str()).collect();
            self.error(
                Diagnostic::error(
                    Code::E0302,
                    format!(
                        "`{name}` takes {} indices, {} given",
                        dims.len(),
                        args.len()
                    ),
                )
                .primary(span, format!("{} given", args.len()))
                .secondary(decl, format!("declared with [{}]", vars.join(", "))),
            );
            for a in args {
                self.expr(a);
            }
            return;
        }
        for (a, d) in args.iter().zip(dims) {
            let t = self.expr(a);
            if t.var {
                self.error(errors::needs_data(a.span, "an index"));
            }
            let ok = match (t.ty, d.elem) {
                (Ty::Err, _) | (_, ElemTy::Any) => true,
                (Ty::Elem(x), y) => elem_compatible(x, y),
                (Ty::Num { .. }, ElemTy::Int) => true,
                _ => false,
            };
            if !ok {
                let (want, found) = (self.schema.elem_name(d.elem), self.schema.ty_name(&t.ty));
                self.error(
                    Diagnostic::error(
                        Code::E0303,
                        format!("index `{}` of `{name}` is a {want}, found {found}", d.var),
                    )
                    .primary(a.span, format!("this is {found}"))
                    .secondary(decl, "declared here"),
                );
            }
        }
    }

    /// Infer an expression's type and unit.
    pub(crate) fn expr(&mut self, e: &Expr) -> T {
        match &e.kind {
            ExprKind::Number(n) => T {
                ty: Ty::Num {
                    unit: Unit::dimensionless(),
                    int: n.fract() == 0.0,
                },
                var: false,
                zero: *n == 0.0,
            },
            ExprKind::Quantity(n, u) => match self.parse_unit(&u.text, u.span) {
                Some(unit) => T {
                    ty: Ty::Num {
                        unit,
                        int: n.fract() == 0.0,
                    },
                    var: false,
                    zero: *n == 0.0,
                },
                None => T::err(),
            },
            ExprKind::Period { period } => T::of(Ty::Elem(ElemTy::Period(period.kind))),
            ExprKind::Str(_) => T::of(Ty::Str),
            ExprKind::Bool(_) => T::of(Ty::Bool),
            ExprKind::Name(id) => self.name(id),
            ExprKind::Field(base, attr) => {
                if let Some((p, args, name_span)) = self.plan_ref(base) {
                    return self.plan_field(p, args, name_span, attr, e.span);
                }
                let t = self.expr(base);
                self.field(t, attr)
            }
            ExprKind::Index(base, args) => {
                if let ExprKind::Field(pb, f) = &base.kind {
                    if let Some((p, pargs, name_span)) = self.plan_ref(pb) {
                        return self.plan_series(p, pargs, name_span, f, args, e.span);
                    }
                }
                self.index(base, args, e.span)
            }
            ExprKind::Call(name, args) => self.call(name, args, e.span),
            ExprKind::Unary(UnOp::Neg, x) => {
                let t = self.expr(x);
                match t.ty.as_num() {
                    Some((unit, int)) => T::var(Ty::Num { unit, int }, t.var),
                    None => self.not_number(x, &t),
                }
            }
            ExprKind::Unary(UnOp::Not, x) => {
                let t = self.expr(x);
                self.want_bool(x, &t);
                T::var(Ty::Bool, t.var)
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.span),
            ExprKind::Chain(first, links) => self.chain(first, links),
            ExprKind::IfChain(arms, otherwise) => self.if_chain(arms, otherwise),
            ExprKind::Compare(first, links) => self.compare(first, links),
            ExprKind::If(c, a, b) => {
                let tc = self.expr(c);
                self.want_bool(c, &tc);
                let ta = self.expr(a);
                let tb = self.expr(b);
                self.branches(tc, a.span, ta, b.span, tb)
            }
            ExprKind::Agg { kind, index, body } => {
                self.aggregate(*kind, index, body.as_deref(), e.span)
            }
            ExprKind::Range(_, _) | ExprKind::SetCompr(_) => match self.set_elem(e) {
                Some(el) => T::of(Ty::Set(el)),
                None => T::err(),
            },
            ExprKind::SetLit(items) => {
                let mut elem = None;
                for x in items {
                    let t = self.expr(x);
                    if t.var {
                        self.error(errors::needs_data(x.span, "a set"));
                    }
                    let el = match t.ty {
                        Ty::Elem(el) => el,
                        Ty::Str => ElemTy::Str,
                        Ty::Num { .. } => ElemTy::Int,
                        _ => ElemTy::Any,
                    };
                    elem.get_or_insert(el);
                }
                T::of(Ty::Set(elem.unwrap_or(ElemTy::Any)))
            }
            ExprKind::Map(_) => {
                self.error(
                    Diagnostic::error(
                        Code::E0308,
                        "a table `{key: value}` gives the values of an indexed param",
                    )
                    .primary(e.span, "not allowed here")
                    .help("declare `param p[t in tiers]: usd = {gold: 3 usd, ...}`"),
                );
                T::err()
            }
            ExprKind::Tuple(items) => {
                for x in items {
                    self.expr(x);
                }
                self.error(errors::type_mismatch(e.span, "a value", "a tuple"));
                T::err()
            }
        }
    }

    /// The type of `if` from its condition's and its two branches' types.
    fn branches(&mut self, tc: T, a_span: Span, ta: T, b_span: Span, tb: T) -> T {
        let var = tc.var || ta.var || tb.var;
        if ta.ty == Ty::Bool && tb.ty == Ty::Bool {
            // Two conditions make a condition (`as_num` would read them as 0/1 numbers).
            return T::var(Ty::Bool, var);
        }
        match (ta.ty.as_num(), tb.ty.as_num()) {
            (Some((ua, ia)), Some((ub, ib))) => {
                if !ua.same_dim(&ub) && !ta.zero && !tb.zero {
                    let (x, y) = (self.unit_text(&ua), self.unit_text(&ub));
                    self.error(
                        Diagnostic::error(
                            Code::E0401,
                            format!("the branches of `if` differ: `{x}` and `{y}`"),
                        )
                        .primary(a_span, format!("this is `{x}`"))
                        .secondary(b_span, format!("this is `{y}`")),
                    );
                }
                let unit = if ta.zero { ub } else { ua };
                T::var(
                    Ty::Num {
                        unit,
                        int: ia && ib,
                    },
                    var,
                )
            }
            _ => {
                if ta.ty != tb.ty && ta.ty != Ty::Err && tb.ty != Ty::Err {
                    let (x, y) = (self.schema.ty_name(&ta.ty), self.schema.ty_name(&tb.ty));
                    self.error(errors::type_mismatch(b_span, &x, &y));
                }
                T::var(ta.ty, var)
            }
        }
    }

    /// `if ... else if ... else`, typed with a loop from the last arm back, as the nested
    /// form would be.
    fn if_chain(&mut self, arms: &[IfArm], otherwise: &Expr) -> T {
        let mut typed = Vec::with_capacity(arms.len());
        for arm in arms {
            let tc = self.expr(&arm.cond);
            self.want_bool(&arm.cond, &tc);
            let tv = self.expr(&arm.value);
            typed.push((tc, tv));
        }
        let mut acc = self.expr(otherwise);
        let mut acc_span = otherwise.span;
        for (arm, (tc, tv)) in arms.iter().zip(typed).rev() {
            acc = self.branches(tc, arm.value.span, tv, acc_span, acc);
            acc_span = arm.span.to(otherwise.span);
        }
        acc
    }

    pub(crate) fn not_number(&mut self, e: &Expr, t: &T) -> T {
        self.not_number_at(e.span, t)
    }

    fn not_number_at(&mut self, span: Span, t: &T) -> T {
        if t.ty != Ty::Err {
            let found = self.schema.ty_name(&t.ty);
            self.error(errors::type_mismatch(span, "a number", &found));
        }
        T::err()
    }

    pub(crate) fn want_bool(&mut self, e: &Expr, t: &T) {
        self.want_bool_at(e.span, t)
    }

    fn want_bool_at(&mut self, span: Span, t: &T) {
        if !matches!(t.ty, Ty::Bool | Ty::Err) {
            let found = self.schema.ty_name(&t.ty);
            self.error(errors::type_mismatch(span, "a condition", &found));
        }
    }
}

pub(crate) fn decision_ty(kind: crate::ir::VarKind, unit: Unit) -> Ty {
    match kind {
        crate::ir::VarKind::Binary => Ty::Bool,
        crate::ir::VarKind::Integer => Ty::Num { unit, int: true },
        crate::ir::VarKind::Continuous => Ty::Num { unit, int: false },
    }
}

pub(crate) fn elem_compatible(a: ElemTy, b: ElemTy) -> bool {
    a == b || a == ElemTy::Any || b == ElemTy::Any
}

fn expr_text_hint(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number(n) => crate::ir::dump::fmt_num(*n),
        _ => "…".into(),
    }
}
