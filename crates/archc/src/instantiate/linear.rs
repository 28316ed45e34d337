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
mod on_workers;
pub(crate) use on_workers::Parallel;
mod risk;

pub(crate) use bigm::DerivedDecls;
pub(crate) use compiled::{cond, CompiledData, Counts, HirScope, LinCache};

pub use logic::{CmpKind, F};

use super::eval::{runtime_error, R};

use super::hir_eval::internal;
use super::Inst;
use crate::diagnostics::Diagnostic;
use crate::hir::{Builtin, Expr, ExprKind};
use crate::ir::VarKind;
use crate::span::Span;
use crate::syntax::ast::{AggKind, BinOp, UnOp};

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

impl<'a> Inst<'a> {
    /// The column of `decision[args]`.
    fn decision_col(&mut self, d: usize, args: &'a [Expr], span: Span) -> R<u32> {
        let mut key: smallvec::SmallVec<[super::world::ElemId; 4]> = smallvec::SmallVec::new();
        for a in args {
            key.push(self.h_elem(a)?);
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
    pub(crate) fn lin(&mut self, e: &'a Expr, k: f64, pol: i8, acc: &mut Lin) -> R<()> {
        if k == 0.0 {
            return Ok(());
        }
        if !e.var {
            let v = self.h_num(e)?;
            acc.constant += k * v;
            return Ok(());
        }
        if self.lin_compiled(e, k, acc) {
            return Ok(());
        }
        match &e.kind {
            ExprKind::Decision(d, args) => {
                let c = self.decision_col(d.index(), args, e.span)?;
                acc.terms.push((c, k * self.decision_scale(d.index())));
            }
            ExprKind::Slot(s) => match self.arg_of(*s) {
                Some(a) => self.lin(a, k, pol, acc)?,
                None => return Err(internal(e.span, "a decision in a local")),
            },
            ExprKind::Inline {
                params, args, body, ..
            } => self.with_args(params, args, |me| me.lin(body, k, pol, acc))?,
            ExprKind::Builtin(b @ (Builtin::Max | Builtin::Min), args) => {
                let mut items = Vec::new();
                for a in args {
                    let mut l = Lin::default();
                    self.lin(a, 1.0, 0, &mut l)?;
                    items.push(l);
                }
                let t = self.extremum(*b == Builtin::Max, items, k, pol, e.span)?;
                acc.terms.push((t, k));
            }
            ExprKind::Moves {
                changed,
                decision,
                was,
                was_span,
            } => {
                self.lin_moves(
                    *changed,
                    decision.index(),
                    was.index(),
                    *was_span,
                    k,
                    pol,
                    acc,
                    e.span,
                )?;
            }
            ExprKind::Builtin(Builtin::Abs, args) => {
                let mut l = Lin::default();
                self.lin(&args[0], 1.0, 0, &mut l)?;
                let mut neg = l.clone();
                for t in &mut neg.terms {
                    t.1 = -t.1;
                }
                neg.constant = -neg.constant;
                let t = self.extremum(true, vec![l, neg], k, pol, e.span)?;
                acc.terms.push((t, k));
            }
            ExprKind::Builtin(b, _) => {
                return Err(runtime_error(
                    Code::E0601,
                    e.span,
                    format!("`{}` of a decision is not linear", b.name()),
                    "not linear",
                ))
            }
            ExprKind::Unary(UnOp::Neg, x) => self.lin(x, -k, -pol, acc)?,
            ExprKind::Chain(first, links) => match links.first().map(|l| l.0) {
                Some(BinOp::Add | BinOp::Sub) => {
                    self.lin(first, k, pol, acc)?;
                    for (op, x) in links {
                        if *op == BinOp::Sub {
                            self.lin(x, -k, -pol, acc)?;
                        } else {
                            self.lin(x, k, pol, acc)?;
                        }
                    }
                }
                // `a / data`, as written: `k / c` (a run of `*` and `/` folds its data into
                // one factor first, see `lin_product`).
                Some(BinOp::Div) if links.len() == 1 && !links[0].1.var => {
                    let (a, b) = (&**first, &links[0].1);
                    let c = self.h_num(b)?;
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
                Some(BinOp::Mul | BinOp::Div | BinOp::Mod) => {
                    self.lin_product(first, links, k, pol, acc, e.span)?
                }
                _ => self.lin_condition(e, k, acc)?,
            },
            ExprKind::If(arms, otherwise) if arms.len() == 1 && arms[0].0.var => {
                // if c then a else b  ==  z*a + (1-z)*b with z <-> c (a constant column when
                // the condition simplifies to a constant, as the two-operand form always did).
                let (c, a) = (&arms[0].0, &arms[0].1);
                let f = self.formula(c)?;
                let z = self.reify_full(f, c.span)?;
                let za = self.lit_times(z, a, e.span)?;
                acc.terms.push((za, k));
                let nz = Lit {
                    col: z.col,
                    neg: !z.neg,
                };
                let zb = self.lit_times(nz, otherwise, e.span)?;
                acc.terms.push((zb, k));
            }
            ExprKind::If(arms, otherwise) => {
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
            ExprKind::Agg {
                kind,
                level,
                index,
                body,
            } => {
                let Some(body) = body.as_deref() else {
                    return Err(internal(e.span, "an aggregate without its body"));
                };
                match kind {
                    kind if kind.is_risk() => {
                        self.lin_risk(*kind, level.as_deref(), index, body, k, pol, acc, e.span)?;
                    }
                    AggKind::Sum => {
                        self.h_for_each(index, &mut |me| me.lin(body, k, pol, acc))?;
                    }
                    AggKind::Count => {
                        self.h_for_each(index, &mut |me| {
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
                        self.h_for_each(index, &mut |me| {
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
                    _ => self.lin_condition(e, k, acc)?,
                }
            }
            _ => self.lin_condition(e, k, acc)?,
        }
        Ok(())
    }

    /// A condition used as a number (a bool decision or a formula): 0/1.
    pub(super) fn lin_condition(&mut self, e: &'a Expr, k: f64, acc: &mut Lin) -> R<()> {
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

    /// The unit scale of a comparison's sides: the unit of the left side, or of the right
    /// side when the left is a literal zero (which compares with any unit), as the checker
    /// typed them for this occurrence (the same template text may compare different units).
    /// Found once per comparison (keyed by the right side's node: the HIR outlives the
    /// instantiation), as finding the display unit formats units.
    pub(crate) fn compare_scale(&mut self, left: &Expr, right: &Expr) -> f64 {
        let key = right as *const Expr as usize;
        if let Some(&s) = self.compare_scales.get(&key) {
            return s;
        }
        let s = compare_unit(&self.schema.units, left, right).map_or(1.0, |u| u.scale);
        self.compare_scales.insert(key, s);
        s
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

/// The unit the sides of `left OP right` are compared in (see
/// [`Inst::compare_scale`]); none when they are no numbers.
pub(crate) fn compare_unit(
    units: &crate::units::UnitRegistry,
    left: &Expr,
    right: &Expr,
) -> Option<crate::units::Unit> {
    let zero = |e: &Expr| match e.kind {
        ExprKind::Number(n) | ExprKind::Quantity(n, _) => n == 0.0,
        _ => false,
    };
    let (ua, ub) = (left.ty.as_num()?.0, right.ty.as_num()?.0);
    Some(units.display_unit(if zero(left) { ub } else { ua }))
}

#[cfg(test)]
mod tests {
    use super::Lin;
    use crate::diagnostics::Code;
    use crate::instantiate::{Inst, Limits};

    /// The IR of model `text`, without the objective's term labels (source text).
    fn ir(text: &str) -> String {
        let a = crate::driver::analyze_source("t.arch", text, None, &Default::default());
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        let (_, inst) = crate::instantiate::instantiated(a);
        crate::ir::dump::dump(&inst.model)
            .lines()
            .filter(|l| !l.trim_start().starts_with("term "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_function_parameter_that_stands_for_a_decision_is_lowered_where_the_body_reads_it() {
        // `busy(x[s])` and `cost(x[s], 3)`: the parameter `v` is bound to the decision and
        // lowered inside the body, in a condition and in a sum; the rows are those of the
        // model with the arguments written in.
        let head = "set sites = {a, b}
decide x[s in sites]: int >= 0 <= 5
decide on[s in sites]: bool
constraint least: sum(s in sites) on[s] >= 1
";
        let with_fns = format!(
            "{head}fn busy(v) = v >= 2
fn cost(v, k) = k * v + 1
constraint gate[s in sites]: on[s] -> busy(x[s])
minimize total: sum(s in sites) cost(x[s], 3)
"
        );
        let written = format!(
            "{head}constraint gate[s in sites]: on[s] -> x[s] >= 2
minimize total: sum(s in sites) (3 * x[s] + 1)
"
        );
        let got = ir(&with_fns);
        assert_eq!(got, ir(&written));
        assert!(
            got.contains("gate~big-M[a] : 0 <= 1 x[a] - 2 on[a] <= inf"),
            "{got}"
        );
    }

    #[test]
    fn a_number_where_a_condition_is_required_is_an_internal_error() {
        // The checker types every constraint body and `expect` as a condition, so the
        // linearizer meets a number there only through a bug: E0750, not a guess. The
        // objectives here are numbers over a decision, handed to `formula` directly.
        let text = "decide x: real >= 0 <= 1\nminimize a: x\nthen minimize b: x + 1\n";
        let mut a = crate::driver::analyze_source("t.arch", text, None, &Default::default());
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        let schema = a.schema.take().expect("schema");
        let hir = a.hir.take().expect("HIR");
        let mut inst = Inst::new(&schema, &hir, &mut a.sources, Limits::default());
        inst.instantiate_decision(0).expect("x");
        for o in &hir.objectives {
            let err = inst
                .formula(&o.body.body)
                .expect_err("a number is no condition");
            assert_eq!(err.code, Code::E0750, "{}", err.message);
        }
    }

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
