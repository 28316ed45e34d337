//! Linear expressions over decisions, and the lowering of logic. A constraint body becomes
//! rows; `->`, `<->`, `and`, `or`, `not`, `count(...)`, `max`/`min` of decisions and products
//! of a bool with a bounded decision become auxiliary columns and rows whose big-M values
//! come from the bounds of the expressions involved — never from a constant.
//!
//! This module holds the linear expressions themselves ([`Lin`], [`Lit`]) and the lowering
//! of numeric expressions over decisions into them. Conditions become formulas and rows in
//! `logic`; auxiliary columns and the big-M linearisations of `max`/`min` and products live
//! in `bigm`. Called by instantiation for every constraint and objective; the rows go into
//! the [`crate::ir::Model`].

use crate::diagnostics::Code;
mod bigm;
mod chains;
mod compiled;
mod compiled_rows;
#[cfg(test)]
mod compiled_tests;
mod logic;
mod moves;
mod risk;

pub(crate) use bigm::DerivedDecls;
pub(crate) use compiled::{cond, CompiledData, Counts, HirScope, LinCache};

pub use logic::{CmpKind, F};

use super::eval::{runtime_error, R};

use super::Inst;
use crate::check::Global;
use crate::diagnostics::Diagnostic;
use crate::ir::{DeclKind, VarKind};
use crate::span::Span;
use crate::syntax::ast::{self, AggKind, BinOp, Expr, ExprKind, UnOp};

/// A linear expression: sum of coef * column + constant (in base units).
#[derive(Clone, Debug, Default)]
pub struct Lin {
    pub terms: Vec<(u32, f64)>,
    pub constant: f64,
}

/// A literal: a bool column or its negation.
#[derive(Clone, Copy, Debug)]
pub struct Lit {
    pub col: u32,
    pub neg: bool,
}

const EPS: f64 = 1e-9;

impl Lin {
    pub(crate) fn add(&mut self, other: &Lin, k: f64) {
        for &(c, v) in &other.terms {
            self.terms.push((c, v * k));
        }
        self.constant += other.constant * k;
    }

    /// Merge duplicate columns and drop zeros.
    pub fn normalize(&mut self) {
        // Terms in increasing column order (as compiled sums over one decision produce
        // them) have no duplicates: nothing to sort or merge. Otherwise sort, then merge in
        // place, adding duplicates in the same order as before (bit-identical sums).
        if self.terms.len() > 1 && !self.terms.windows(2).all(|w| w[0].0 < w[1].0) {
            self.terms.sort_unstable_by_key(|t| t.0);
            let mut w = 0;
            for r in 1..self.terms.len() {
                let (c, v) = self.terms[r];
                if self.terms[w].0 == c {
                    self.terms[w].1 += v;
                } else {
                    w += 1;
                    self.terms[w] = (c, v);
                }
            }
            self.terms.truncate(w + 1);
        }
        self.terms.retain(|t| t.1 != 0.0);
    }
}

impl Inst<'_> {
    /// Does the expression depend on a decision?
    pub(crate) fn is_var(&mut self, e: &Expr) -> bool {
        let key = e as *const Expr as usize;
        if let Some(&v) = self.var_cache.get(&key) {
            return v;
        }
        let v = match &e.kind {
            ExprKind::Name(id) => {
                self.local(&id.name).is_none()
                    && matches!(self.schema.globals.get(&id.name), Some(Global::Decision(_)))
            }
            ExprKind::Index(b, args) => {
                let dec = matches!(&b.kind, ExprKind::Name(id) if matches!(self.schema.globals.get(&id.name), Some(Global::Decision(_))));
                let fn_var = match &b.kind {
                    ExprKind::Name(id) => match self.schema.globals.get(&id.name) {
                        Some(Global::Fn(f)) => {
                            let schema = self.schema;
                            self.is_var(&schema.fns[*f].decl.body)
                        }
                        _ => false,
                    },
                    _ => false,
                };
                dec || fn_var || args.iter().any(|a| self.is_var(a))
            }
            ExprKind::Call(id, args) => {
                let fn_var = match self.schema.globals.get(&id.name) {
                    Some(Global::Fn(f)) => {
                        let schema = self.schema;
                        self.is_var(&schema.fns[*f].decl.body)
                    }
                    _ => false,
                };
                fn_var || args.iter().any(|a| self.is_var(&a.value))
            }
            ExprKind::Field(b, _) => self.is_var(b),
            ExprKind::Unary(_, x) => self.is_var(x),
            ExprKind::Binary(_, a, b) => self.is_var(a) || self.is_var(b),
            ExprKind::Compare(a, links) => {
                self.is_var(a) || links.iter().any(|(_, _, x)| self.is_var(x))
            }
            ExprKind::If(a, b, c) => self.is_var(a) || self.is_var(b) || self.is_var(c),
            ExprKind::Chain(a, links) => {
                self.is_var(a) || links.iter().any(|(_, _, x)| self.is_var(x))
            }
            ExprKind::IfChain(arms, otherwise) => {
                arms.iter()
                    .any(|arm| self.is_var(&arm.cond) || self.is_var(&arm.value))
                    || self.is_var(otherwise)
            }
            ExprKind::Agg { body, .. } => body.as_ref().is_some_and(|b| self.is_var(b)),
            _ => false,
        };
        self.var_cache.insert(key, v);
        v
    }

    /// The column of `decision[args]`.
    fn decision_col(&mut self, d: usize, args: &[Expr], span: Span) -> R<u32> {
        let mut key: smallvec::SmallVec<[super::world::ElemId; 4]> = smallvec::SmallVec::new();
        for a in args {
            key.push(self.elem_of(a)?);
        }
        let cols = self.decisions[d]
            .as_ref()
            .ok_or_else(|| runtime_error(Code::E0603, span, "decision not instantiated", "here"))?;
        let found = if cols.dense {
            let mut off: u64 = 0;
            let mut ok = true;
            for (k, set) in key.iter().zip(&cols.sets) {
                match set.pos.get(k) {
                    Some(&p) => off = off * set.elems.len() as u64 + p as u64,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                Some(cols.base + off as u32)
            } else {
                None
            }
        } else {
            cols.sparse.get(key.as_slice()).copied()
        };
        found.ok_or_else(|| {
            let names: Vec<&str> = key.iter().map(|&k| self.world.name(k)).collect();
            let info = &self.schema.decisions[d];
            Diagnostic::error(
                Code::E0603,
                format!("`{}[{}]` does not exist", info.name, names.join(", ")),
            )
            .primary(span, "outside the decision's index")
            .secondary(info.span, "declared here")
            .help("add the decision's `where` filter to this sum, or widen the decision's index")
        })
    }

    fn decision_scale(&self, d: usize) -> f64 {
        self.schema.decisions[d].unit.scale
    }

    /// Add `k * e` to `acc`. `pol` is +1 when the enclosing constraint or objective prefers
    /// `e` small, -1 when it prefers it large, 0 when both matter (used to lower `max`/`min`
    /// with one-sided rows where that is exact).
    pub(crate) fn lin(&mut self, e: &Expr, k: f64, pol: i8, acc: &mut Lin) -> R<()> {
        if k == 0.0 {
            return Ok(());
        }
        if !self.is_var(e) {
            let v = self.num(e)?;
            acc.constant += k * v;
            return Ok(());
        }
        if self.lin_compiled(e, k, acc) {
            return Ok(());
        }
        match &e.kind {
            ExprKind::Name(id) => {
                let Some(Global::Decision(d)) = self.schema.globals.get(&id.name).copied() else {
                    return Err(runtime_error(
                        Code::E0603,
                        e.span,
                        "expected a decision",
                        "here",
                    ));
                };
                let c = self.decision_col(d, &[], e.span)?;
                acc.terms.push((c, k * self.decision_scale(d)));
            }
            ExprKind::Index(b, args) => {
                let ExprKind::Name(id) = &b.kind else {
                    unreachable_expr(e)?
                };
                match self.schema.globals.get(&id.name).copied() {
                    Some(Global::Decision(d)) => {
                        let c = self.decision_col(d, args, e.span)?;
                        acc.terms.push((c, k * self.decision_scale(d)));
                    }
                    Some(Global::Fn(f)) => {
                        let args: Vec<ast::Arg> = args
                            .iter()
                            .map(|a| ast::Arg {
                                name: None,
                                value: a.clone(),
                            })
                            .collect();
                        self.call_fn(f, &args, e, &mut |me, body| me.lin(body, k, pol, acc))?;
                    }
                    _ => unreachable_expr(e)?,
                }
            }
            ExprKind::Call(id, args) => match self.schema.globals.get(&id.name).copied() {
                Some(Global::Fn(f)) => {
                    self.call_fn(f, args, e, &mut |me, body| me.lin(body, k, pol, acc))?
                }
                _ => match id.name.as_str() {
                    "max" | "min" => {
                        let mut items = Vec::new();
                        for a in args {
                            let mut l = Lin::default();
                            self.lin(&a.value, 1.0, 0, &mut l)?;
                            items.push(l);
                        }
                        let t = self.extremum(id.name == "max", items, k, pol, e.span)?;
                        acc.terms.push((t, k));
                    }
                    "moves" | "changed" => {
                        self.lin_moves(&id.name, args, k, pol, acc, e.span)?;
                    }
                    "abs" => {
                        let mut l = Lin::default();
                        self.lin(&args[0].value, 1.0, 0, &mut l)?;
                        let mut neg = l.clone();
                        for t in &mut neg.terms {
                            t.1 = -t.1;
                        }
                        neg.constant = -neg.constant;
                        let t = self.extremum(true, vec![l, neg], k, pol, e.span)?;
                        acc.terms.push((t, k));
                    }
                    other => {
                        return Err(runtime_error(
                            Code::E0601,
                            e.span,
                            format!("`{other}` of a decision is not linear"),
                            "not linear",
                        ))
                    }
                },
            },
            ExprKind::Unary(UnOp::Neg, x) => self.lin(x, -k, -pol, acc)?,
            ExprKind::Binary(BinOp::Add, a, b) => {
                self.lin(a, k, pol, acc)?;
                self.lin(b, k, pol, acc)?;
            }
            ExprKind::Binary(BinOp::Sub, a, b) => {
                self.lin(a, k, pol, acc)?;
                self.lin(b, -k, -pol, acc)?;
            }
            ExprKind::Binary(BinOp::Mul, a, b) => {
                let (va, vb) = (self.is_var(a), self.is_var(b));
                if va && vb {
                    let w = self.product(a, b, e.span)?;
                    acc.terms.push((w, k));
                } else if va {
                    let c = self.num(b)?;
                    let p = if c < 0.0 { -pol } else { pol };
                    self.lin(a, k * c, p, acc)?;
                } else {
                    let c = self.num(a)?;
                    let p = if c < 0.0 { -pol } else { pol };
                    self.lin(b, k * c, p, acc)?;
                }
            }
            ExprKind::Binary(BinOp::Div, a, b) => {
                let c = self.num(b)?;
                if c == 0.0 {
                    return Err(runtime_error(
                        Code::E0607,
                        b.span,
                        "division by zero",
                        "this is zero",
                    ));
                }
                let p = if c < 0.0 { -pol } else { pol };
                self.lin(a, k / c, p, acc)?;
            }
            ExprKind::If(c, a, b) => {
                if self.is_var(c) {
                    // if c then a else b  ==  z*a + (1-z)*b with z <-> c.
                    let f = self.formula(c)?;
                    let z = self.reify_full(f, c.span)?;
                    let za = self.lit_times(z, a, e.span)?;
                    acc.terms.push((za, k));
                    let nz = Lit {
                        col: z.col,
                        neg: !z.neg,
                    };
                    let zb = self.lit_times(nz, b, e.span)?;
                    acc.terms.push((zb, k));
                } else if self.boolean(c)? {
                    self.lin(a, k, pol, acc)?;
                } else {
                    self.lin(b, k, pol, acc)?;
                }
            }
            ExprKind::Chain(first, links) => match links.first().map(|l| l.0) {
                Some(BinOp::Add | BinOp::Sub) => {
                    self.lin(first, k, pol, acc)?;
                    for (op, _, x) in links {
                        if *op == BinOp::Sub {
                            self.lin(x, -k, -pol, acc)?;
                        } else {
                            self.lin(x, k, pol, acc)?;
                        }
                    }
                }
                Some(BinOp::Mul | BinOp::Div | BinOp::Mod) => {
                    self.lin_product(first, links, k, pol, acc, e.span)?
                }
                _ => self.lin_condition(e, k, acc)?,
            },
            ExprKind::IfChain(arms, otherwise) => {
                for (sel, value) in self.if_selectors(arms, otherwise)? {
                    match sel {
                        None => self.lin(value, k, pol, acc)?,
                        Some(z) => {
                            let w = self.lit_times(z, value, e.span)?;
                            acc.terms.push((w, k));
                        }
                    }
                }
            }
            ExprKind::Agg { kind, index, body } => {
                let Some(body) = body.as_deref() else {
                    unreachable_expr(e)?
                };
                match kind {
                    kind if kind.is_risk() => {
                        self.lin_risk(*kind, index, body, k, pol, acc, e.span)?;
                    }
                    AggKind::Sum => {
                        self.for_each_index(index, &mut |me| me.lin(body, k, pol, acc))?;
                    }
                    AggKind::Count => {
                        self.for_each_index(index, &mut |me| {
                            let f = me.formula(body)?;
                            match f {
                                F::Const(true) => acc.constant += k,
                                F::Const(false) => {}
                                f => {
                                    let z = me.reify_full(f, body.span)?;
                                    me.push_lit(z, k, acc);
                                }
                            }
                            Ok(())
                        })?;
                    }
                    AggKind::Max | AggKind::Min => {
                        let mut items = Vec::new();
                        self.for_each_index(index, &mut |me| {
                            let mut l = Lin::default();
                            me.lin(body, 1.0, 0, &mut l)?;
                            items.push(l);
                            Ok(())
                        })?;
                        if items.is_empty() {
                            return Err(runtime_error(
                                Code::E0613,
                                e.span,
                                format!("`{}` over an empty set", kind.name()),
                                "no elements",
                            ));
                        }
                        let t = self.extremum(*kind == AggKind::Max, items, k, pol, e.span)?;
                        acc.terms.push((t, k));
                    }
                    _ => unreachable_expr(e)?,
                }
            }
            _ => self.lin_condition(e, k, acc)?,
        }
        Ok(())
    }

    /// A condition used as a number (a bool decision or a formula): 0/1.
    pub(super) fn lin_condition(&mut self, e: &Expr, k: f64, acc: &mut Lin) -> R<()> {
        let f = self.formula(e)?;
        match f {
            F::Const(b) => acc.constant += if b { k } else { 0.0 },
            f => {
                let z = self.reify_full(f, e.span)?;
                self.push_lit(z, k, acc);
            }
        }
        Ok(())
    }

    pub(super) fn push_lit(&self, z: Lit, k: f64, acc: &mut Lin) {
        if z.neg {
            acc.constant += k;
            acc.terms.push((z.col, -k));
        } else {
            acc.terms.push((z.col, k));
        }
    }

    /// The unit scale of a comparison's sides, as the checker found it for the declaration
    /// being expanded (the same template text may compare different units).
    fn compare_scale(&mut self, op_span: Span) -> f64 {
        let key = (self.origin.decl.0, op_span);
        if let Some(&s) = self.compare_scales.get(&key) {
            return s;
        }
        let s = self.find_compare_scale(op_span);
        self.compare_scales.insert(key, s);
        s
    }

    fn find_compare_scale(&self, op_span: Span) -> f64 {
        let decl = self.model.decls.get(self.origin.decl.0 as usize);
        let owner = decl.map(|d| match d.kind {
            DeclKind::Derived => d
                .name
                .rsplit_once('~')
                .map(|(a, _)| a)
                .unwrap_or(&d.name)
                .to_string(),
            _ => d.name.clone(),
        });
        owner
            .and_then(|o| self.schema.compare_units_by_item.get(&(o, op_span)))
            .or_else(|| self.schema.compare_units.get(&op_span))
            .map(|u| u.scale)
            .unwrap_or(1.0)
    }

    /// Bounds of a linear expression from its columns' bounds.
    pub(crate) fn bounds(&self, l: &Lin) -> (f64, f64) {
        let (mut lo, mut hi) = (l.constant, l.constant);
        for &(c, v) in &l.terms {
            let col = &self.model.columns[c as usize];
            if v > 0.0 {
                lo += v * col.lb;
                hi += v * col.ub;
            } else {
                lo += v * col.ub;
                hi += v * col.lb;
            }
        }
        (lo, hi)
    }

    fn integral(&self, l: &Lin) -> bool {
        l.constant.fract() == 0.0
            && l.terms.iter().all(|&(c, v)| {
                v.fract() == 0.0 && self.model.columns[c as usize].kind != VarKind::Continuous
            })
    }
}

fn unreachable_expr<T>(e: &Expr) -> R<T> {
    Err(runtime_error(
        Code::E0104,
        e.span,
        "internal error: unexpected expression in a linear context",
        "here",
    ))
}

#[cfg(test)]
mod tests {
    use super::Lin;

    /// The merge as it was first written: sort, then a fresh vector of merged terms.
    fn reference(mut terms: Vec<(u32, f64)>) -> Vec<(u32, f64)> {
        if terms.len() > 1 {
            terms.sort_unstable_by_key(|t| t.0);
            let mut out: Vec<(u32, f64)> = Vec::new();
            for &(c, v) in &terms {
                match out.last_mut() {
                    Some(last) if last.0 == c => last.1 += v,
                    _ => out.push((c, v)),
                }
            }
            terms = out;
        }
        terms.retain(|t| t.1 != 0.0);
        terms
    }

    #[test]
    fn normalizing_in_place_gives_the_same_terms_bit_for_bit() {
        // A small deterministic generator: sorted runs, duplicates, zeros and cancellations.
        let mut seed: u64 = 7;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        for case in 0..500 {
            let n = (next() % 12) as usize;
            let mut terms: Vec<(u32, f64)> = (0..n)
                .map(|i| {
                    let col = if case % 3 == 0 {
                        i as u32 * 2
                    } else {
                        (next() % 6) as u32
                    };
                    let v = match next() % 5 {
                        0 => 0.0,
                        1 => -1.0,
                        _ => (next() % 1000) as f64 * 0.1 - 50.0,
                    };
                    (col, v)
                })
                .collect();
            if case % 7 == 0 {
                terms.push((3, 0.1));
                terms.push((3, -0.1));
            }
            let mut lin = Lin {
                terms: terms.clone(),
                constant: 0.0,
            };
            lin.normalize();
            let want = reference(terms);
            let bits =
                |t: &[(u32, f64)]| t.iter().map(|&(c, v)| (c, v.to_bits())).collect::<Vec<_>>();
            assert_eq!(bits(&lin.terms), bits(&want), "case {case}");
        }
    }
}
