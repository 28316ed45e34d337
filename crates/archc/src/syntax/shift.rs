//! Moving a parsed item to another place in its file: every span of an AST node (and of
//! the syntax diagnostics found in it) is shifted by the same byte delta. The incremental
//! parser ([`super::incremental`]) uses it to reuse an item whose text did not change but
//! whose offset did.

use super::ast::*;
use crate::diagnostics::Diagnostic;
use crate::span::Span;

/// Something that holds spans which can be moved by `delta` bytes.
pub trait Shift {
    /// Add `delta` to the start and end of every span.
    fn shift(&mut self, delta: i64);
}

impl Shift for Span {
    fn shift(&mut self, delta: i64) {
        self.start = (i64::from(self.start) + delta).max(0) as u32;
        self.end = (i64::from(self.end) + delta).max(0) as u32;
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: i64) {
        if let Some(x) = self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: i64) {
        for x in self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, delta: i64) {
        (**self).shift(delta);
    }
}

impl Shift for Diagnostic {
    fn shift(&mut self, delta: i64) {
        for l in &mut self.labels {
            l.span.shift(delta);
        }
    }
}

impl Shift for Ident {
    fn shift(&mut self, delta: i64) {
        self.span.shift(delta);
    }
}

impl Shift for StrLit {
    fn shift(&mut self, delta: i64) {
        self.span.shift(delta);
    }
}

impl Shift for UnitExpr {
    fn shift(&mut self, delta: i64) {
        self.span.shift(delta);
    }
}

impl Shift for TypeExpr {
    fn shift(&mut self, delta: i64) {
        self.unit.shift(delta);
        self.span.shift(delta);
    }
}

impl Shift for Item {
    fn shift(&mut self, delta: i64) {
        self.kind.shift(delta);
        self.span.shift(delta);
    }
}

impl Shift for ItemKind {
    fn shift(&mut self, d: i64) {
        match self {
            ItemKind::Use(u) => match &mut u.target {
                UseTarget::Module(path) => path.shift(d),
                UseTarget::File(s) => s.shift(d),
            },
            ItemKind::Unit(u) => {
                u.name.shift(d);
                u.value.shift(d);
            }
            ItemKind::Kind(k) => {
                k.name.shift(d);
                k.attrs.shift(d);
            }
            ItemKind::Entity(e) => {
                e.kind.shift(d);
                e.name.shift(d);
                if let Some(l) = &mut e.link {
                    l.src.shift(d);
                    l.dst.shift(d);
                    l.op_span.shift(d);
                }
                e.attrs.shift(d);
            }
            ItemKind::EntitiesFrom(e) => {
                e.set.shift(d);
                e.path.shift(d);
                if let Some(k) = &mut e.key {
                    k.shift(d);
                }
            }
            ItemKind::Set(s) => {
                s.name.shift(d);
                s.value.shift(d);
            }
            ItemKind::Param(p) => {
                p.name.shift(d);
                p.index.shift(d);
                p.ty.shift(d);
                p.lower.shift(d);
                match &mut p.value {
                    Some(ParamValue::Expr(e)) => e.shift(d),
                    Some(ParamValue::From(s)) => s.shift(d),
                    None => {}
                }
            }
            ItemKind::Decide(x) => {
                x.name.shift(d);
                x.index.shift(d);
                x.ty.shift(d);
                x.bounds.shift(d);
                x.loss.shift(d);
            }
            ItemKind::Constraint(c) => {
                c.name.shift(d);
                c.index.shift(d);
                c.body.shift(d);
            }
            ItemKind::Objective(o) => {
                o.name.shift(d);
                o.body.shift(d);
                o.then.shift(d);
                o.within.shift(d);
            }
            ItemKind::Fn(f) => {
                f.name.shift(d);
                f.params.shift(d);
                f.ret.shift(d);
                f.body.shift(d);
            }
            ItemKind::Template(t) => {
                t.name.shift(d);
                t.params.shift(d);
                t.items.shift(d);
            }
            ItemKind::Apply(a) => {
                a.template.shift(d);
                a.args.shift(d);
                a.alias.shift(d);
                a.span_call.shift(d);
            }
            ItemKind::Plan(p) => {
                p.name.shift(d);
                p.index.shift(d);
                p.stage_var.shift(d);
                p.stages.shift(d);
                p.stmts.shift(d);
            }
            ItemKind::Test(t) => {
                t.name.shift(d);
                t.expects.shift(d);
            }
            ItemKind::Partition(p) => {
                p.set.shift(d);
                p.parts_span.shift(d);
            }
        }
    }
}

impl Shift for AttrDecl {
    fn shift(&mut self, d: i64) {
        self.name.shift(d);
        self.ty.shift(d);
        self.lower.shift(d);
        self.default.shift(d);
        self.span.shift(d);
    }
}

impl Shift for AttrInit {
    fn shift(&mut self, d: i64) {
        self.name.shift(d);
        self.value.shift(d);
        self.span.shift(d);
    }
}

impl Shift for Bound {
    fn shift(&mut self, d: i64) {
        self.value.shift(d);
        self.span.shift(d);
    }
}

impl Shift for FnParam {
    fn shift(&mut self, d: i64) {
        self.name.shift(d);
        self.ty.shift(d);
    }
}

impl Shift for Arg {
    fn shift(&mut self, d: i64) {
        self.name.shift(d);
        self.value.shift(d);
    }
}

impl Shift for PlanStmt {
    fn shift(&mut self, d: i64) {
        match &mut self.kind {
            PlanStmtKind::State { name, range, init } => {
                name.shift(d);
                range.shift(d);
                init.shift(d);
            }
            PlanStmtKind::Choose { name, domain } => {
                name.shift(d);
                domain.shift(d);
            }
            PlanStmtKind::Next { name, value } => {
                name.shift(d);
                value.shift(d);
            }
            PlanStmtKind::Require(e)
            | PlanStmtKind::Cost(e)
            | PlanStmtKind::FinalCost(e)
            | PlanStmtKind::FinalRequire(e) => e.shift(d),
        }
        self.span.shift(d);
    }
}

impl Shift for Expect {
    fn shift(&mut self, d: i64) {
        match &mut self.kind {
            ExpectKind::Feasible | ExpectKind::Infeasible => {}
            ExpectKind::Binding(e) | ExpectKind::Holds(e) => e.shift(d),
            ExpectKind::Objective(v) => {
                for (_, e) in v {
                    e.shift(d);
                }
            }
        }
        self.span.shift(d);
    }
}

impl Shift for IndexList {
    fn shift(&mut self, d: i64) {
        self.bindings.shift(d);
        self.filter.shift(d);
        self.span.shift(d);
    }
}

impl Shift for Binding {
    fn shift(&mut self, d: i64) {
        self.var.shift(d);
        self.set.shift(d);
        self.span.shift(d);
    }
}

impl Shift for Expr {
    fn shift(&mut self, d: i64) {
        match &mut self.kind {
            ExprKind::Number(_)
            | ExprKind::Period { .. }
            | ExprKind::Str(_)
            | ExprKind::Bool(_) => {}
            ExprKind::Quantity(_, u) => u.shift(d),
            ExprKind::Name(i) => i.shift(d),
            ExprKind::Field(e, i) => {
                e.shift(d);
                i.shift(d);
            }
            ExprKind::Index(e, ix) => {
                e.shift(d);
                ix.shift(d);
            }
            ExprKind::Call(f, args) => {
                f.shift(d);
                args.shift(d);
            }
            ExprKind::Unary(_, e) => e.shift(d),
            ExprKind::Binary(_, l, r) => {
                l.shift(d);
                r.shift(d);
            }
            ExprKind::Chain(first, rest) => {
                first.shift(d);
                for (_, span, e) in rest {
                    span.shift(d);
                    e.shift(d);
                }
            }
            ExprKind::IfChain(arms, otherwise) => {
                for arm in arms {
                    arm.cond.shift(d);
                    arm.value.shift(d);
                    arm.span.shift(d);
                }
                otherwise.shift(d);
            }
            ExprKind::Compare(first, rest) => {
                first.shift(d);
                for (_, span, e) in rest {
                    span.shift(d);
                    e.shift(d);
                }
            }
            ExprKind::If(c, t, e) => {
                c.shift(d);
                t.shift(d);
                e.shift(d);
            }
            ExprKind::Agg { index, body, .. } => {
                index.shift(d);
                body.shift(d);
            }
            ExprKind::Range(a, b) => {
                a.shift(d);
                b.shift(d);
            }
            ExprKind::SetLit(v) | ExprKind::Tuple(v) => v.shift(d),
            ExprKind::SetCompr(ix) => ix.shift(d),
            ExprKind::Map(entries) => {
                for (keys, v) in entries {
                    keys.shift(d);
                    v.shift(d);
                }
            }
        }
        self.span.shift(d);
    }
}
