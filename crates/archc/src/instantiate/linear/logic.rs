//! Logic over decisions: conditions as formulas ([`F`]), asserting a formula as rows, and
//! reifying it into a bool column (half or full), with `->`, `<->`, `and`, `or`, `not` and
//! comparisons lowered by big-M values from bounds. Built on the linear expressions of
//! [`super`]; used by instantiation for constraint bodies and `expect` clauses.

use super::{unreachable_expr, unreachable_lit, Lin, Lit};
use crate::check::Global;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::instantiate::eval::{runtime_error, R};
use crate::instantiate::Inst;
use crate::ir::{Origin, VarKind};
use crate::span::Span;
use crate::syntax::ast::{self, AggKind, BinOp, CmpOp, Expr, ExprKind, UnOp};

/// A condition over decisions.
#[derive(Clone, Debug)]
pub enum F {
    Const(bool),
    Lit(Lit),
    /// `lin <= 0`, `lin >= 0` or `lin == 0`; `integral` when every term and the constant
    /// are integers (strict comparisons then move by one).
    Cmp {
        lin: Lin,
        op: CmpKind,
        integral: bool,
        span: Span,
        unit_scale: f64,
    },
    And(Vec<F>),
    Or(Vec<F>),
    Not(Box<F>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CmpKind {
    Le,
    Ge,
    Eq,
}

impl Inst<'_> {
    /// A condition as a formula over decisions (data parts evaluated).
    pub(crate) fn formula(&mut self, e: &Expr) -> R<F> {
        if !self.is_var(e) {
            return Ok(F::Const(self.boolean(e)?));
        }
        Ok(match &e.kind {
            ExprKind::Name(_) | ExprKind::Index(..) => {
                let mut l = Lin::default();
                self.lin_atom(e, &mut l)?;
                match l.terms.as_slice() {
                    [(c, v)]
                        if *v == 1.0
                            && l.constant == 0.0
                            && self.model.columns[*c as usize].kind == VarKind::Binary =>
                    {
                        F::Lit(Lit {
                            col: *c,
                            neg: false,
                        })
                    }
                    _ => {
                        return Err(runtime_error(
                            Code::E0301,
                            e.span,
                            "expected a condition",
                            "not a bool decision",
                        ))
                    }
                }
            }
            ExprKind::Unary(UnOp::Not, x) => F::Not(Box::new(self.formula(x)?)),
            ExprKind::Binary(BinOp::And, a, b) => F::And(vec![self.formula(a)?, self.formula(b)?]),
            ExprKind::Binary(BinOp::Or, a, b) => F::Or(vec![self.formula(a)?, self.formula(b)?]),
            ExprKind::Binary(BinOp::Implies, a, b) => {
                F::Or(vec![F::Not(Box::new(self.formula(a)?)), self.formula(b)?])
            }
            ExprKind::Binary(BinOp::Iff, a, b) => {
                let fa = self.formula(a)?;
                let fb = self.formula(b)?;
                // A literal on one side is the indicator of the other side itself.
                for (x, y) in [(&fa, &fb), (&fb, &fa)] {
                    if let F::Lit(z) = x {
                        let z = *z;
                        self.implies(z, y.clone(), e.span)?;
                        self.implies(
                            Lit {
                                col: z.col,
                                neg: !z.neg,
                            },
                            negate(y.clone()),
                            e.span,
                        )?;
                        return Ok(F::Const(true));
                    }
                }
                // Otherwise both sides are reified and their indicators made equal.
                let za = self.reify_full(fa, a.span)?;
                let zb = self.reify_full(fb, b.span)?;
                F::Cmp {
                    lin: Lin {
                        terms: vec![
                            (za.col, if za.neg { -1.0 } else { 1.0 }),
                            (zb.col, if zb.neg { 1.0 } else { -1.0 }),
                        ],
                        constant: (za.neg as i32 - zb.neg as i32) as f64,
                    },
                    op: CmpKind::Eq,
                    integral: true,
                    span: e.span,
                    unit_scale: 1.0,
                }
            }
            ExprKind::Compare(first, links) => {
                let mut parts = Vec::new();
                let mut left = first.as_ref();
                for (op, op_span, right) in links {
                    let scale = self.compare_scale(*op_span);
                    let mut l = Lin::default();
                    let pol_l: i8 = match op {
                        CmpOp::Le | CmpOp::Lt => 1,
                        CmpOp::Ge | CmpOp::Gt => -1,
                        _ => 0,
                    };
                    self.lin(left, 1.0, pol_l, &mut l)?;
                    self.lin(right, -1.0, pol_l, &mut l)?;
                    l.normalize();
                    let integral = self.integral(&l);
                    if !integral && matches!(op, CmpOp::Lt | CmpOp::Gt | CmpOp::Ne) {
                        self.warn_strict(*op, *op_span);
                    }
                    let (kind, shift) = match op {
                        CmpOp::Le => (CmpKind::Le, 0.0),
                        CmpOp::Ge => (CmpKind::Ge, 0.0),
                        CmpOp::Eq => (CmpKind::Eq, 0.0),
                        CmpOp::Lt => (CmpKind::Le, if integral { 1.0 } else { 0.0 }),
                        CmpOp::Gt => (CmpKind::Ge, if integral { -1.0 } else { 0.0 }),
                        CmpOp::Ne => {
                            let le = F::Cmp {
                                lin: Lin {
                                    terms: l.terms.clone(),
                                    constant: l.constant + if integral { 1.0 } else { 0.0 },
                                },
                                op: CmpKind::Le,
                                integral,
                                span: *op_span,
                                unit_scale: scale,
                            };
                            let ge = F::Cmp {
                                lin: Lin {
                                    terms: l.terms.clone(),
                                    constant: l.constant - if integral { 1.0 } else { 0.0 },
                                },
                                op: CmpKind::Ge,
                                integral,
                                span: *op_span,
                                unit_scale: scale,
                            };
                            parts.push(F::Or(vec![le, ge]));
                            left = right;
                            continue;
                        }
                        CmpOp::In | CmpOp::NotIn => {
                            return Err(runtime_error(
                                Code::E0305,
                                *op_span,
                                "`in` over decisions",
                                "not supported",
                            ))
                        }
                    };
                    l.constant += shift;
                    parts.push(F::Cmp {
                        lin: l,
                        op: kind,
                        integral,
                        span: *op_span,
                        unit_scale: scale,
                    });
                    left = right;
                }
                if parts.len() == 1 {
                    parts.pop().unwrap_or(F::Const(true))
                } else {
                    F::And(parts)
                }
            }
            ExprKind::Agg {
                kind: AggKind::Exists | AggKind::Forall,
                index,
                body: Some(body),
            } => {
                let is_exists = matches!(
                    e.kind,
                    ExprKind::Agg {
                        kind: AggKind::Exists,
                        ..
                    }
                );
                let mut parts = Vec::new();
                self.for_each_index(index, &mut |me| {
                    parts.push(me.formula(body)?);
                    Ok(())
                })?;
                if is_exists {
                    F::Or(parts)
                } else {
                    F::And(parts)
                }
            }
            ExprKind::If(c, a, b) => {
                let fc = self.formula(c)?;
                let fa = self.formula(a)?;
                let fb = self.formula(b)?;
                F::Or(vec![
                    F::And(vec![fc.clone(), fa]),
                    F::And(vec![F::Not(Box::new(fc)), fb]),
                ])
            }
            ExprKind::Call(..) => {
                let ExprKind::Call(id, args) = &e.kind else {
                    unreachable_expr(e)?
                };
                match self.schema.globals.get(&id.name).copied() {
                    Some(Global::Fn(f)) => {
                        self.call_fn(f, args, e, &mut |me, body| me.formula(body))?
                    }
                    _ => {
                        return Err(runtime_error(
                            Code::E0301,
                            e.span,
                            "expected a condition",
                            "here",
                        ))
                    }
                }
            }
            _ => {
                return Err(runtime_error(
                    Code::E0301,
                    e.span,
                    "expected a condition",
                    "here",
                ))
            }
        })
    }

    pub(super) fn lin_atom(&mut self, e: &Expr, l: &mut Lin) -> R<()> {
        if let ExprKind::Index(b, args) = &e.kind {
            if let ExprKind::Name(id) = &b.kind {
                if let Some(Global::Fn(f)) = self.schema.globals.get(&id.name).copied() {
                    let args: Vec<ast::Arg> = args
                        .iter()
                        .map(|a| ast::Arg {
                            name: None,
                            value: a.clone(),
                        })
                        .collect();
                    let mut out = Lin::default();
                    self.call_fn(f, &args, e, &mut |me, body| {
                        let f = me.formula(body)?;
                        let z = me.reify_full(f, body.span)?;
                        me.push_lit(z, 1.0, &mut out);
                        Ok(())
                    })?;
                    *l = out;
                    return Ok(());
                }
            }
        }
        self.lin(e, 1.0, 0, l)
    }

    /// Assert a formula at top level (a constraint body).
    pub(crate) fn assert(&mut self, f: F, origin: Origin, span: Span) -> R<()> {
        match f {
            F::Const(true) => Ok(()),
            F::Const(false) => {
                self.model.elements = self.world.elems.iter().map(|e| e.name.clone()).collect();
                let name = self.model.origin_name(origin);
                Err(Diagnostic::error(Code::E0615, format!("`{name}` can never hold")).primary(span, "false for this index, whatever the decisions").help("check the data this constraint reads, or filter the index with `where`"))
            }
            F::Lit(z) => {
                let v = if z.neg { 0.0 } else { 1.0 };
                self.emit_row(
                    Lin {
                        terms: vec![(z.col, 1.0)],
                        constant: 0.0,
                    },
                    v,
                    v,
                    1.0,
                    origin,
                    span,
                )
            }
            F::Cmp {
                lin,
                op,
                unit_scale,
                ..
            } => {
                let (lo, hi) = match op {
                    CmpKind::Le => (f64::NEG_INFINITY, 0.0),
                    CmpKind::Ge => (0.0, f64::INFINITY),
                    CmpKind::Eq => (0.0, 0.0),
                };
                self.emit_row(lin, lo, hi, unit_scale, origin, span)
            }
            F::And(parts) => {
                for p in parts {
                    self.assert(p, origin, span)?;
                }
                Ok(())
            }
            F::Not(x) => {
                let n = negate(*x);
                self.assert(n, origin, span)
            }
            F::Or(parts) => {
                // At least one holds: z_i -> part_i, sum z_i >= 1.
                let mut sum = Lin::default();
                for p in parts {
                    match p {
                        F::Const(true) => return Ok(()),
                        F::Const(false) => {}
                        p => {
                            let z = self.reify_half(p, span)?;
                            self.push_lit(z, 1.0, &mut sum);
                        }
                    }
                }
                self.emit_row(sum, 1.0, f64::INFINITY, 1.0, origin, span)
            }
        }
    }

    /// A literal z with z -> f.
    pub(super) fn reify_half(&mut self, f: F, span: Span) -> R<Lit> {
        if let F::Lit(z) = f {
            return Ok(z);
        }
        let z = Lit {
            col: self.new_col(VarKind::Binary, 0.0, 1.0, span, "logic indicator")?,
            neg: false,
        };
        self.implies(z, f, span)?;
        Ok(z)
    }

    /// A literal z with z <-> f.
    pub(crate) fn reify_full(&mut self, f: F, span: Span) -> R<Lit> {
        match f {
            F::Lit(z) => Ok(z),
            F::Not(x) if matches!(*x, F::Lit(_)) => {
                let F::Lit(z) = *x else { unreachable_lit()? };
                Ok(Lit {
                    col: z.col,
                    neg: !z.neg,
                })
            }
            F::Const(b) => {
                let c = self.new_col(
                    VarKind::Binary,
                    b as u8 as f64,
                    b as u8 as f64,
                    span,
                    "logic constant",
                )?;
                Ok(Lit { col: c, neg: false })
            }
            f => {
                let z = Lit {
                    col: self.new_col(VarKind::Binary, 0.0, 1.0, span, "logic indicator")?,
                    neg: false,
                };
                self.implies(z, f.clone(), span)?;
                self.implies(
                    Lit {
                        col: z.col,
                        neg: true,
                    },
                    negate(f),
                    span,
                )?;
                Ok(z)
            }
        }
    }

    /// Rows for `z -> f`.
    pub(super) fn implies(&mut self, z: Lit, f: F, span: Span) -> R<()> {
        match f {
            F::Const(true) => Ok(()),
            F::Const(false) => {
                // z must be false.
                let mut l = Lin::default();
                self.push_lit(z, 1.0, &mut l);
                self.derived_row(l, 0.0, 0.0, span, "logic indicator")
            }
            F::Lit(y) => {
                // z <= y
                let mut l = Lin::default();
                self.push_lit(z, 1.0, &mut l);
                self.push_lit(y, -1.0, &mut l);
                self.derived_row(l, f64::NEG_INFINITY, 0.0, span, "logic implication")
            }
            F::Cmp {
                lin,
                op,
                span: cspan,
                unit_scale,
                ..
            } => {
                let s = if unit_scale > 0.0 { unit_scale } else { 1.0 };
                let (lo, hi) = self.bounds(&lin);
                if matches!(op, CmpKind::Le | CmpKind::Eq) {
                    // lin <= M(1 - z), M = hi
                    if hi > 0.0 {
                        if !hi.is_finite() {
                            return Err(self.needs_bounds(cspan, "this condition"));
                        }
                        let mut r = lin.clone();
                        self.push_lit(z, hi, &mut r);
                        let mut r2 = r;
                        r2.constant -= hi;
                        for t in &mut r2.terms {
                            t.1 /= s;
                        }
                        r2.constant /= s;
                        self.derived_row(r2, f64::NEG_INFINITY, 0.0, cspan, "big-M")?;
                    }
                }
                if matches!(op, CmpKind::Ge | CmpKind::Eq) {
                    // lin >= lo(1 - z)
                    if lo < 0.0 {
                        if !lo.is_finite() {
                            return Err(self.needs_bounds(cspan, "this condition"));
                        }
                        let mut r = lin.clone();
                        self.push_lit(z, lo, &mut r);
                        r.constant -= lo;
                        for t in &mut r.terms {
                            t.1 /= s;
                        }
                        r.constant /= s;
                        self.derived_row(r, 0.0, f64::INFINITY, cspan, "big-M")?;
                    }
                }
                Ok(())
            }
            F::And(parts) => {
                for p in parts {
                    self.implies(z, p, span)?;
                }
                Ok(())
            }
            F::Or(parts) => {
                // z <= sum y_i with y_i -> part_i
                let mut l = Lin::default();
                self.push_lit(z, 1.0, &mut l);
                for p in parts {
                    match p {
                        F::Const(true) => return Ok(()),
                        F::Const(false) => {}
                        p => {
                            let y = self.reify_half(p, span)?;
                            self.push_lit(y, -1.0, &mut l);
                        }
                    }
                }
                self.derived_row(l, f64::NEG_INFINITY, 0.0, span, "logic or")
            }
            F::Not(x) => self.implies(z, negate(*x), span),
        }
    }
}

/// The negation of a formula, pushed inwards.
pub fn negate(f: F) -> F {
    match f {
        F::Const(b) => F::Const(!b),
        F::Lit(z) => F::Lit(Lit {
            col: z.col,
            neg: !z.neg,
        }),
        F::Not(x) => *x,
        F::And(v) => F::Or(v.into_iter().map(negate).collect()),
        F::Or(v) => F::And(v.into_iter().map(negate).collect()),
        F::Cmp {
            lin,
            op,
            integral,
            span,
            unit_scale,
        } => {
            let step = if integral { 1.0 } else { 0.0 };
            match op {
                // not (lin <= 0)  ==  lin > 0  ==  lin >= step
                CmpKind::Le => F::Cmp {
                    lin: Lin {
                        terms: lin.terms,
                        constant: lin.constant - step,
                    },
                    op: CmpKind::Ge,
                    integral,
                    span,
                    unit_scale,
                },
                CmpKind::Ge => F::Cmp {
                    lin: Lin {
                        terms: lin.terms,
                        constant: lin.constant + step,
                    },
                    op: CmpKind::Le,
                    integral,
                    span,
                    unit_scale,
                },
                CmpKind::Eq => F::Or(vec![
                    F::Cmp {
                        lin: Lin {
                            terms: lin.terms.clone(),
                            constant: lin.constant + step,
                        },
                        op: CmpKind::Le,
                        integral,
                        span,
                        unit_scale,
                    },
                    F::Cmp {
                        lin: Lin {
                            terms: lin.terms,
                            constant: lin.constant - step,
                        },
                        op: CmpKind::Ge,
                        integral,
                        span,
                        unit_scale,
                    },
                ]),
            }
        }
    }
}

impl Inst<'_> {
    /// W0621, once per comparison in the source: a strict comparison (or `!=`) of continuous
    /// values, which a MILP cannot make strict.
    fn warn_strict(&mut self, op: CmpOp, span: Span) {
        let seen = self
            .diags
            .iter()
            .any(|d| d.code == Code::W0621 && d.labels.first().is_some_and(|l| l.span == span));
        if seen {
            return;
        }
        let d = if op == CmpOp::Ne {
            Diagnostic::warning(
                Code::W0621,
                "`!=` between continuous values constrains nothing in a MILP",
            )
            .primary(span, "solved as `<=` or `>=`, which always holds")
            .help("compare whole numbers (an `int` decision), or state the gap you need")
        } else {
            let weak = if op == CmpOp::Lt { "<=" } else { ">=" };
            Diagnostic::warning(
                Code::W0621,
                "a strict comparison of continuous values is solved as non-strict",
            )
            .primary(span, format!("solved as `{weak}`"))
            .help(format!(
                "write `{weak}` with the margin you mean (`x {weak} 5 {} 0.01 Gbps`), or make the decision an `int`",
                if op == CmpOp::Lt { "-" } else { "+" }
            ))
        };
        self.diags.push(d);
    }
}
