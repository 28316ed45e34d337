//! Logic over decisions: conditions as formulas ([`F`]), asserting a formula as rows, and
//! reifying it into a bool column (half or full), with `->`, `<->`, `and`, `or`, `not` and
//! comparisons lowered by big-M values from bounds. Built on the linear expressions of
//! [`super`]; used by instantiation for constraint bodies and `expect` clauses.

use super::{Lin, Lit};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::hir::{Expr, ExprKind};
use crate::instantiate::eval::R;
use crate::instantiate::hir_eval::internal;
use crate::instantiate::Inst;
use crate::ir::{Origin, VarKind};
use crate::span::Span;
use crate::syntax::ast::{AggKind, CmpOp, UnOp};

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

impl<'a> Inst<'a> {
    /// A condition as a formula over decisions (data parts evaluated).
    pub(crate) fn formula(&mut self, e: &'a Expr) -> R<F> {
        if !e.var {
            return Ok(F::Const(self.h_bool(e)?));
        }
        Ok(match &e.kind {
            ExprKind::Decision(..) => {
                let mut l = Lin::default();
                self.lin(e, 1.0, 0, &mut l)?;
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
                    _ => return Err(internal(e.span, "a number where a condition is required")),
                }
            }
            ExprKind::Slot(s) => match self.arg_of(*s) {
                Some(a) => self.formula(a)?,
                None => return Err(internal(e.span, "a decision in a local")),
            },
            ExprKind::Inline {
                params, args, body, ..
            } => self.with_args(params, args, |me| me.formula(body))?,
            ExprKind::Unary(UnOp::Not, x) => F::Not(Box::new(self.formula(x)?)),
            ExprKind::Chain(first, links) => self.chain_formula(first, links)?,
            ExprKind::If(arms, otherwise) if arms.len() == 1 => {
                let (c, a) = (&arms[0].0, &arms[0].1);
                let fc = self.formula(c)?;
                let fa = self.formula(a)?;
                let fb = self.formula(otherwise)?;
                F::Or(vec![
                    F::And(vec![fc.clone(), fa]),
                    F::And(vec![F::Not(Box::new(fc)), fb]),
                ])
            }
            ExprKind::If(arms, otherwise) => {
                let mut parts = Vec::new();
                for (sel, value) in self.if_selectors(arms, otherwise)? {
                    let f = self.formula(value)?;
                    parts.push(match sel {
                        None => f,
                        Some(z) => F::And(vec![F::Lit(z), f]),
                    });
                }
                F::Or(parts)
            }
            ExprKind::Compare(first, links) => {
                let mut parts = Vec::new();
                let mut left: &'a Expr = first;
                for (op, op_span, right) in links {
                    let scale = self.compare_scale(left, right);
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
                            return Err(internal(*op_span, "`in` over decisions"))
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
                kind: kind @ (AggKind::Exists | AggKind::Forall),
                index,
                body: Some(body),
                ..
            } => {
                let mut parts = Vec::new();
                self.h_for_each(index, &mut |me| {
                    parts.push(me.formula(body)?);
                    Ok(())
                })?;
                if *kind == AggKind::Exists {
                    F::Or(parts)
                } else {
                    F::And(parts)
                }
            }
            _ => return Err(internal(e.span, "a number where a condition is required")),
        })
    }

    /// `fa <-> fb`; `a_span` is the left side's, for its indicator.
    pub(super) fn iff(&mut self, fa: F, a_span: Span, fb: F) -> R<F> {
        let fa = simplify(fa);
        let fb = simplify(fb);
        // A literal on one side is the indicator of the other side itself;
        // otherwise one side is reified and its literal stands in the same way.
        // `z <-> f` is `(not z or f) and (z or not f)`: asserted, two implications
        // with no further indicator; nested, a formula like any other.
        let (z, other) = match (fa, fb) {
            (F::Lit(z), other) | (other, F::Lit(z)) => (z, other),
            (fa, fb) => (self.reify_full(fa, a_span)?, fb),
        };
        Ok(F::And(vec![
            F::Or(vec![F::Lit(z.not()), other.clone()]),
            F::Or(vec![F::Lit(z), negate(other)]),
        ]))
    }

    /// Assert a formula at top level (a constraint body).
    pub(crate) fn assert(&mut self, f: F, origin: Origin, span: Span) -> R<()> {
        match simplify(f) {
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
            // `simplify` leaves no `Not`.
            F::Not(x) => self.assert(negate(*x), origin, span),
            F::Or(parts) => {
                let (lits, others) = split_literals(parts);
                if let [only] = others.as_slice() {
                    // `y1 or ... or f`: f holds when every yi is false, with no indicator
                    // (`not setup -> order <= 0` is `order <= M * setup`).
                    let ante: Vec<Lit> = lits.iter().map(|&y| y.not()).collect();
                    return self.implies_all(&ante, only.clone(), span);
                }
                // At least one holds: the literals themselves, and z_i -> part_i for the rest.
                let mut sum = Lin::default();
                for y in lits {
                    self.push_lit(y, 1.0, &mut sum);
                }
                for p in others {
                    let z = self.reify_half(p, span)?;
                    self.push_lit(z, 1.0, &mut sum);
                }
                self.emit_row(sum, 1.0, f64::INFINITY, 1.0, origin, span)
            }
        }
    }

    /// A literal z with z -> f.
    pub(super) fn reify_half(&mut self, f: F, span: Span) -> R<Lit> {
        let f = simplify(f);
        if let F::Lit(z) = f {
            return Ok(z);
        }
        let z = Lit {
            col: self.new_col(VarKind::Binary, 0.0, 1.0, span, "indicator of a condition")?,
            neg: false,
        };
        self.implies(z, f, span)?;
        Ok(z)
    }

    /// A literal z with z <-> f.
    pub(crate) fn reify_full(&mut self, f: F, span: Span) -> R<Lit> {
        match simplify(f) {
            F::Lit(z) => Ok(z),
            F::Const(b) => {
                let c = self.new_col(
                    VarKind::Binary,
                    b as u8 as f64,
                    b as u8 as f64,
                    span,
                    "constant condition",
                )?;
                Ok(Lit { col: c, neg: false })
            }
            f => {
                let z = Lit {
                    col: self.new_col(
                        VarKind::Binary,
                        0.0,
                        1.0,
                        span,
                        "indicator of a condition",
                    )?,
                    neg: false,
                };
                self.implies(z, f.clone(), span)?;
                self.implies(z.not(), negate(f), span)?;
                Ok(z)
            }
        }
    }

    /// Rows for `z -> f`.
    pub(super) fn implies(&mut self, z: Lit, f: F, span: Span) -> R<()> {
        self.implies_all(&[z], f, span)
    }

    /// Rows for `(a1 and ... and ak) -> f`. In every row the antecedent stands where a
    /// single literal z would: z is replaced by `a1 + ... + ak - (k - 1)`, which is 1 when
    /// all hold and at most 0 otherwise (see [`Inst::push_ante`]). With no antecedent, f
    /// must hold.
    fn implies_all(&mut self, ante: &[Lit], f: F, span: Span) -> R<()> {
        if ante.is_empty() {
            let origin = self.origin;
            return self.assert(f, origin, span);
        }
        match simplify(f) {
            F::Const(true) => Ok(()),
            F::Const(false) => {
                // The antecedent must not hold.
                let mut l = Lin::default();
                self.push_ante(ante, 1.0, &mut l);
                self.derived_row(
                    l,
                    f64::NEG_INFINITY,
                    0.0,
                    span,
                    "implication between conditions",
                )
            }
            F::Lit(y) => {
                // z <= y
                let mut l = Lin::default();
                self.push_ante(ante, 1.0, &mut l);
                self.push_lit(y, -1.0, &mut l);
                self.derived_row(
                    l,
                    f64::NEG_INFINITY,
                    0.0,
                    span,
                    "implication between conditions",
                )
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
                        self.push_ante(ante, hi, &mut r);
                        r.constant -= hi;
                        for t in &mut r.terms {
                            t.1 /= s;
                        }
                        r.constant /= s;
                        self.derived_row(r, f64::NEG_INFINITY, 0.0, cspan, "big-M")?;
                    }
                }
                if matches!(op, CmpKind::Ge | CmpKind::Eq) {
                    // lin >= lo(1 - z)
                    if lo < 0.0 {
                        if !lo.is_finite() {
                            return Err(self.needs_bounds(cspan, "this condition"));
                        }
                        let mut r = lin.clone();
                        self.push_ante(ante, lo, &mut r);
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
                    self.implies_all(ante, p, span)?;
                }
                Ok(())
            }
            F::Or(parts) => {
                let (lits, others) = split_literals(parts);
                if let [only] = others.as_slice() {
                    // (ante and not y1 ... and not yk) -> f, with no indicator.
                    let mut all = ante.to_vec();
                    all.extend(lits.iter().map(|&y| y.not()));
                    return self.implies_all(&all, only.clone(), span);
                }
                // z <= sum y_i with y_i -> part_i
                let mut l = Lin::default();
                self.push_ante(ante, 1.0, &mut l);
                for y in lits {
                    self.push_lit(y, -1.0, &mut l);
                }
                for p in others {
                    let y = self.reify_half(p, span)?;
                    self.push_lit(y, -1.0, &mut l);
                }
                self.derived_row(l, f64::NEG_INFINITY, 0.0, span, "or of conditions")
            }
            F::Not(x) => self.implies_all(ante, negate(*x), span),
        }
    }

    /// Add `k * (a1 + ... + an - (n - 1))`: k times "every literal of the antecedent holds"
    /// (1 when they all do, at most 0 otherwise).
    fn push_ante(&self, ante: &[Lit], k: f64, acc: &mut Lin) {
        for &a in ante {
            self.push_lit(a, k, acc);
        }
        acc.constant -= k * (ante.len().saturating_sub(1)) as f64;
    }
}

impl Lit {
    /// The literal of the negation.
    pub(crate) fn not(self) -> Lit {
        Lit {
            col: self.col,
            neg: !self.neg,
        }
    }
}

/// The literals of a disjunction's parts apart from the other parts.
fn split_literals(parts: Vec<F>) -> (Vec<Lit>, Vec<F>) {
    let mut lits = Vec::new();
    let mut others = Vec::new();
    for p in parts {
        match p {
            F::Lit(y) => lits.push(y),
            p => others.push(p),
        }
    }
    (lits, others)
}

/// A formula in a normal form the lowering relies on: negations pushed down to literals and
/// comparisons, nested `and`s and `or`s flattened, constants folded away, and a one-part
/// `and`/`or` replaced by its part. `not not x` is `x`, so a negated bool decision is a
/// literal like a plain one.
pub fn simplify(f: F) -> F {
    match f {
        F::Not(x) => simplify(negate(*x)),
        F::And(parts) => {
            let mut out = Vec::with_capacity(parts.len());
            for p in parts {
                match simplify(p) {
                    F::Const(true) => {}
                    F::Const(false) => return F::Const(false),
                    F::And(inner) => out.extend(inner),
                    p => out.push(p),
                }
            }
            match out.len() {
                0 => F::Const(true),
                1 => out.pop().unwrap_or(F::Const(true)),
                _ => F::And(out),
            }
        }
        F::Or(parts) => {
            let mut out = Vec::with_capacity(parts.len());
            for p in parts {
                match simplify(p) {
                    F::Const(false) => {}
                    F::Const(true) => return F::Const(true),
                    F::Or(inner) => out.extend(inner),
                    p => out.push(p),
                }
            }
            match out.len() {
                0 => F::Const(false),
                1 => out.pop().unwrap_or(F::Const(false)),
                _ => F::Or(out),
            }
        }
        f => f,
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
