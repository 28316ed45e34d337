//! The fast path of a compiled plan: the parts that are affine in the state and the
//! decision (`racks + add`, `racks * cores >= demand[r, q]`, `add * price + racks *
//! holding`) get their coefficients evaluated once per stage, and a whole row of decisions
//! is evaluated from one state with a few multiply-adds each, instead of walking the
//! expression trees once per (state, decision). Parts that are not affine (a tiered price
//! with `min`, `if`, a table) keep their trees and are evaluated only for the decisions the
//! requirements allow; requirements on the state alone that come before any tree
//! requirement reject a whole row at once.
//!
//! The results are the same as the tree evaluation in [`super::compile::CExpr::eval`]:
//! requirements are tried in their order, comparisons keep their tolerance and are applied
//! to the two sides evaluated apart, and a stage whose coefficients cannot be evaluated (a
//! division by zero in the data) falls back to the trees, which report the error where it
//! is.

use super::compile::{CExpr, Op1, Op2};
use crate::backends::dp::{EvalError, EvalErrorKind};
use smallvec::SmallVec;

/// `c0 + sum(cs[i] * state[i]) + cd * decision`, each coefficient an expression over data
/// only (constants and per-stage values).
#[derive(Clone, Debug)]
pub(super) struct Form {
    pub(super) c0: CExpr,
    pub(super) cs: Vec<CExpr>,
    pub(super) cd: CExpr,
}

/// A requirement `left OP right` with both sides affine.
#[derive(Clone, Debug)]
struct Req {
    op: Op2,
    left: Form,
    right: Form,
}

/// One requirement, affine (its two sides are forms `2k`, `2k + 1` of the stage
/// coefficients) or a tree.
#[derive(Debug)]
enum Require {
    Affine { op: Op2, k: usize },
    Tree(CExpr),
}

/// One next state: an affine form (its index among the forms) or a tree.
#[derive(Debug)]
enum Next {
    Affine(usize),
    Tree(CExpr),
}

/// The parts of a plan, affine where they can be, and the affine coefficients evaluated
/// per stage.
#[derive(Debug)]
pub struct AffinePlan {
    states: usize,
    /// Per stage: the coefficients of every form in order (requirement sides, next states,
    /// the summed affine cost), each `[c0, cs..., cd]`; `None` when the stage must use the
    /// trees.
    stages: Vec<Option<Vec<f64>>>,
    requires: Vec<Require>,
    next: Vec<Next>,
    /// The form of the affine cost terms (the last form).
    cost_form: usize,
    /// Cost terms that are not affine and read the state.
    cost_trees: Vec<CExpr>,
    /// Per stage, the sum of the cost terms that are not affine but read only the decision
    /// (a tiered price), for each decision of the stage's range, evaluated once: `lo` and
    /// the values (or the error of the first term that fails).
    decision_costs: Vec<(i64, Vec<Result<f64, EvalError>>)>,
    /// The same values per stage when none failed (the tight loop adds them directly).
    decision_values: Vec<Option<Vec<f64>>>,
    /// Those terms, for decisions outside the cached range.
    decision_trees: Vec<CExpr>,
}

/// The terms of a sum (`a + b - c` gives `a`, `b`, `-c`), so that each term of a stage cost
/// can be affine, a function of the decision alone, or a tree.
fn split_sum(e: &CExpr, negate: bool, out: &mut Vec<CExpr>) {
    match e {
        CExpr::Bin(Op2::Add, a, b, _) => {
            split_sum(a, negate, out);
            split_sum(b, negate, out);
        }
        CExpr::Bin(Op2::Sub, a, b, _) => {
            split_sum(a, negate, out);
            split_sum(b, !negate, out);
        }
        CExpr::Un(Op1::Neg, x) => split_sum(x, !negate, out),
        CExpr::Chain {
            first,
            links,
            right: false,
        } if chain::is_sum(links) => {
            split_sum(first, negate, out);
            for (op, x, _) in links {
                split_sum(x, negate != matches!(op, Op2::Sub), out);
            }
        }
        _ if negate => out.push(CExpr::Un(Op1::Neg, Box::new(e.clone()))),
        _ => out.push(e.clone()),
    }
}

fn reads_state(e: &CExpr) -> bool {
    match e {
        CExpr::State(_) => true,
        CExpr::Const(_) | CExpr::Stage(_) | CExpr::Decision => false,
        CExpr::Un(_, x) => reads_state(x),
        CExpr::Bin(_, a, b, _) => reads_state(a) || reads_state(b),
        CExpr::If(c, a, b) => reads_state(c) || reads_state(a) || reads_state(b),
        CExpr::Chain { first, links, .. } => {
            reads_state(first) || links.iter().any(|(_, x, _)| reads_state(x))
        }
        CExpr::Select(arms, x) => {
            reads_state(x) || arms.iter().any(|(c, a)| reads_state(c) || reads_state(a))
        }
        CExpr::Table { arg, .. } => reads_state(arg),
    }
}

fn is_data(e: &CExpr) -> bool {
    match e {
        CExpr::Const(_) | CExpr::Stage(_) => true,
        CExpr::State(_) | CExpr::Decision => false,
        CExpr::Un(_, x) => is_data(x),
        CExpr::Bin(_, a, b, _) => is_data(a) && is_data(b),
        CExpr::If(c, a, b) => is_data(c) && is_data(a) && is_data(b),
        CExpr::Chain { first, links, .. } => is_data(first) && links.iter().all(|l| is_data(&l.1)),
        CExpr::Select(arms, x) => is_data(x) && arms.iter().all(|(c, a)| is_data(c) && is_data(a)),
        CExpr::Table { arg, .. } => is_data(arg),
    }
}

fn zero() -> CExpr {
    CExpr::Const(0.0)
}

fn bin(op: Op2, a: CExpr, b: CExpr, like: &CExpr) -> CExpr {
    let span = match like {
        CExpr::Bin(_, _, _, s) | CExpr::Table { span: s, .. } => *s,
        _ => crate::span::Span::new(crate::span::FileId(0), 0, 0),
    };
    CExpr::Bin(op, Box::new(a), Box::new(b), span)
}

impl Form {
    fn constant(e: CExpr, states: usize) -> Form {
        Form {
            c0: e,
            cs: vec![zero(); states],
            cd: zero(),
        }
    }

    fn map(self, f: &mut dyn FnMut(CExpr) -> CExpr) -> Form {
        Form {
            c0: f(self.c0),
            cs: self.cs.into_iter().map(&mut *f).collect(),
            cd: f(self.cd),
        }
    }

    fn combine(self, other: Form, op: Op2, like: &CExpr) -> Form {
        Form {
            c0: bin(op, self.c0, other.c0, like),
            cs: self
                .cs
                .into_iter()
                .zip(other.cs)
                .map(|(a, b)| bin(op, a, b, like))
                .collect(),
            cd: bin(op, self.cd, other.cd, like),
        }
    }

    /// Appends the coefficients at one stage; `None` when one cannot be evaluated.
    fn eval_into(&self, consts: &[f64], out: &mut Vec<f64>) -> Option<()> {
        for c in std::iter::once(&self.c0)
            .chain(&self.cs)
            .chain(std::iter::once(&self.cd))
        {
            let v = c.eval(&[], 0, consts).ok()?;
            if !v.is_finite() {
                return None;
            }
            out.push(v);
        }
        Some(())
    }
}

/// The affine form of `e`, or `None` when it is not affine in the state and decision.
pub(super) fn form(e: &CExpr, states: usize) -> Option<Form> {
    if is_data(e) {
        return Some(Form::constant(e.clone(), states));
    }
    match e {
        CExpr::State(i) => {
            let mut f = Form::constant(zero(), states);
            f.cs[*i] = CExpr::Const(1.0);
            Some(f)
        }
        CExpr::Decision => {
            let mut f = Form::constant(zero(), states);
            f.cd = CExpr::Const(1.0);
            Some(f)
        }
        CExpr::Un(Op1::Neg, x) => {
            Some(form(x, states)?.map(&mut |c| CExpr::Un(Op1::Neg, Box::new(c))))
        }
        CExpr::Bin(op @ (Op2::Add | Op2::Sub), a, b, _) => {
            Some(form(a, states)?.combine(form(b, states)?, *op, e))
        }
        CExpr::Bin(Op2::Mul, a, b, _) if is_data(a) => {
            Some(form(b, states)?.map(&mut |c| bin(Op2::Mul, (**a).clone(), c, e)))
        }
        CExpr::Bin(Op2::Mul, a, b, _) if is_data(b) => {
            Some(form(a, states)?.map(&mut |c| bin(Op2::Mul, c, (**b).clone(), e)))
        }
        CExpr::Bin(Op2::Div, a, b, _) if is_data(b) => {
            Some(form(a, states)?.map(&mut |c| bin(Op2::Div, c, (**b).clone(), e)))
        }
        CExpr::Chain {
            first,
            links,
            right: false,
        } if chain::is_sum(links) => chain::sum_form(first, links, states),
        _ => None,
    }
}

/// The parts of requirement `e` in order: a conjunction is split, a comparison with both
/// sides affine becomes a [`Req`], anything else stays a tree.
fn requirements(e: &CExpr, states: usize, out: &mut Vec<Result<Req, CExpr>>) {
    match e {
        CExpr::Bin(Op2::And, a, b, _) => {
            requirements(a, states, out);
            requirements(b, states, out);
        }
        CExpr::Chain {
            first,
            links,
            right: false,
        } if links.iter().all(|l| matches!(l.0, Op2::And)) => {
            requirements(first, states, out);
            for (_, x, _) in links {
                requirements(x, states, out);
            }
        }
        CExpr::Bin(op @ (Op2::Lt | Op2::Le | Op2::Gt | Op2::Ge | Op2::Eq | Op2::Ne), a, b, _) => {
            match (form(a, states), form(b, states)) {
                (Some(left), Some(right)) => out.push(Ok(Req {
                    op: *op,
                    left,
                    right,
                })),
                _ => out.push(Err(e.clone())),
            }
        }
        _ => out.push(Err(e.clone())),
    }
}

/// `x OP y` exactly as [`CExpr::eval`] compares.
#[inline]
fn compare(op: Op2, x: f64, y: f64) -> bool {
    match op {
        Op2::Lt => x < y,
        Op2::Le => x <= y + 1e-9 * y.abs().max(1.0),
        Op2::Gt => x > y,
        Op2::Ge => x + 1e-9 * x.abs().max(1.0) >= y,
        Op2::Eq => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        Op2::Ne => (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => false,
    }
}

impl AffinePlan {
    /// The plan with `states` state dimensions, its parts affine where they can be.
    /// `table[stage]` holds the per-stage constants and `decisions[stage]` the decision
    /// range. `None` when no part is affine (the trees alone are as fast).
    pub fn new(
        states: usize,
        requires: &[CExpr],
        next: &[CExpr],
        costs: &[CExpr],
        table: &[Vec<f64>],
        decisions: &[(i64, i64)],
    ) -> Option<AffinePlan> {
        let stages = decisions.len();
        let mut parts = Vec::new();
        for r in requires {
            requirements(r, states, &mut parts);
        }
        let mut forms: Vec<Form> = Vec::new();
        let mut reqs = Vec::new();
        for part in parts {
            reqs.push(match part {
                Ok(r) => {
                    forms.push(r.left);
                    forms.push(r.right);
                    Require::Affine {
                        op: r.op,
                        k: forms.len() / 2 - 1,
                    }
                }
                Err(tree) => Require::Tree(tree),
            });
        }
        let mut nexts = Vec::new();
        for n in next {
            nexts.push(match form(n, states) {
                Some(f) => {
                    forms.push(f);
                    Next::Affine(forms.len() - 1)
                }
                None => Next::Tree(n.clone()),
            });
        }
        let mut cost = Form::constant(zero(), states);
        let mut cost_trees = Vec::new();
        let mut decision_trees = Vec::new();
        let mut terms = Vec::new();
        for c in costs {
            split_sum(c, false, &mut terms);
        }
        for c in &terms {
            match form(c, states) {
                Some(f) => cost = cost.combine(f, Op2::Add, c),
                None if reads_state(c) => cost_trees.push(c.clone()),
                None => decision_trees.push(c.clone()),
            }
        }
        let any_affine = !forms.is_empty() || cost_trees.len() < costs.len();
        if !any_affine {
            return None;
        }
        forms.push(cost);
        let per_stage = (0..stages)
            .map(|s| {
                let consts = table.get(s).map(|v| v.as_slice()).unwrap_or(&[]);
                let mut out = Vec::with_capacity(forms.len() * (states + 2));
                forms
                    .iter()
                    .try_for_each(|f| f.eval_into(consts, &mut out))
                    .map(|()| out)
            })
            .collect();
        let decision_costs = decisions
            .iter()
            .enumerate()
            .map(|(s, &(lo, hi))| {
                let consts = table.get(s).map(|v| v.as_slice()).unwrap_or(&[]);
                let values: Vec<Result<f64, EvalError>> = (lo..=hi)
                    .map(|d| {
                        decision_trees
                            .iter()
                            .try_fold(0.0, |acc, t| Ok(acc + t.eval(&[], d, consts)?))
                    })
                    .collect();
                (lo, values)
            })
            .collect::<Vec<_>>();
        let decision_values = decision_costs
            .iter()
            .map(|(_, v)| {
                v.iter()
                    .map(|r| r.as_ref().ok().copied())
                    .collect::<Option<Vec<f64>>>()
            })
            .collect();
        Some(AffinePlan {
            states,
            stages: per_stage,
            requires: reqs,
            next: nexts,
            cost_form: forms.len() - 1,
            cost_trees,
            decision_costs,
            decision_values,
            decision_trees,
        })
    }

    /// Whether `stage` can be evaluated here (else the caller uses the trees).
    pub fn covers(&self, stage: usize) -> bool {
        matches!(self.stages.get(stage), Some(Some(_)))
    }

    /// Evaluates decisions `lo..=hi` from `state` at a covered stage, as
    /// [`crate::backends::dp::StagePlan::step_all`] describes. `consts` are the stage's
    /// constants (for the trees).
    pub fn step_all(
        &self,
        stage: usize,
        state: &[i64],
        (lo, _): (i64, i64),
        next: &mut [i64],
        costs: &mut [f64],
        consts: &[f64],
    ) -> Result<(), (i64, EvalError)> {
        let Some(Some(coefs)) = self.stages.get(stage) else {
            return Ok(());
        };
        let width = self.states + 2;
        // Each form at this state: (value without the decision, coefficient of the decision).
        let at_state = |k: usize| form_at_state(coefs, width, state, k);
        // Requirements in order; those on the state alone, before any tree, decide the
        // whole row at once.
        let mut reqs: SmallVec<[RowReq<'_>; 8]> = SmallVec::new();
        let mut leading = true;
        for r in &self.requires {
            match r {
                Require::Affine { op, k } => {
                    let (l, r) = (at_state(2 * k), at_state(2 * k + 1));
                    if leading && l.1 == 0.0 && r.1 == 0.0 {
                        if !compare(*op, l.0, r.0) {
                            costs.fill(f64::INFINITY);
                            return Ok(());
                        }
                    } else {
                        reqs.push(RowReq::Affine(*op, l, r));
                    }
                }
                Require::Tree(e) => {
                    leading = false;
                    reqs.push(RowReq::Tree(e));
                }
            }
        }
        let nexts = self.row_nexts(&at_state);
        let (cost0, cost_d) = at_state(self.cost_form);
        let dcosts = self.decision_costs.get(stage);
        let k = self.states.max(1);
        // The decision-only costs of this row, when all cached and none failed.
        let dvalues: Option<&[f64]> = if self.decision_trees.is_empty() {
            Some(&[])
        } else {
            match (dcosts, self.decision_values.get(stage)) {
                (Some(&(dlo, _)), Some(Some(v))) => usize::try_from(lo - dlo)
                    .ok()
                    .and_then(|from| v.get(from..from + costs.len())),
                _ => None,
            }
        };
        // All affine with whole coefficients and nothing left to check per decision: the
        // tightest loop.
        let plain = reqs.is_empty() && self.cost_trees.is_empty();
        let ints: Option<SmallVec<[(i64, i64); 8]>> = nexts
            .iter()
            .map(|n| match *n {
                RowNext::Int(n0, nd) => Some((n0, nd)),
                _ => None,
            })
            .collect();
        if let (true, Some(ints), Some(dvalues)) = (plain, ints, dvalues) {
            for (j, cost) in costs.iter_mut().enumerate() {
                let di = lo + j as i64;
                for (slot, &(n0, nd)) in next[j * k..j * k + self.states].iter_mut().zip(&ints) {
                    *slot = int_next(n0, nd, di)?;
                }
                // Added in the order of the general loop below: the same sums.
                *cost = cost0 + cost_d * di as f64;
                if let Some(v) = dvalues.get(j) {
                    *cost += v;
                }
            }
            return Ok(());
        }
        'decisions: for (j, cost) in costs.iter_mut().enumerate() {
            let di = lo + j as i64;
            let d = di as f64;
            for r in &reqs {
                let ok = match r {
                    RowReq::Affine(op, (l0, ld), (r0, rd)) => {
                        compare(*op, l0 + ld * d, r0 + rd * d)
                    }
                    RowReq::Tree(e) => e.eval(state, di, consts).map_err(|e| (di, e))? != 0.0,
                };
                if !ok {
                    *cost = f64::INFINITY;
                    continue 'decisions;
                }
            }
            let nx = &mut next[j * k..j * k + self.states];
            for (slot, n) in nx.iter_mut().zip(&nexts) {
                *slot = next_value(n, state, di, consts)?;
            }
            let mut c = cost0 + cost_d * d;
            if !self.decision_trees.is_empty() {
                let cached = dcosts.and_then(|(dlo, v)| {
                    let i = usize::try_from(di.checked_sub(*dlo)?).ok()?;
                    v.get(i)
                });
                c += match cached {
                    Some(v) => v.clone(),
                    None => self
                        .decision_trees
                        .iter()
                        .try_fold(0.0, |acc, t| Ok(acc + t.eval(&[], di, consts)?)),
                }
                .map_err(|e| (di, e))?;
            }
            for t in &self.cost_trees {
                c += t.eval(state, di, consts).map_err(|e| (di, e))?;
            }
            *cost = c;
        }
        Ok(())
    }
}

impl AffinePlan {
    /// The next states at one state, from `at_state` (each form's value without the
    /// decision, and the coefficient of the decision).
    fn row_nexts<'p>(
        &'p self,
        at_state: &dyn Fn(usize) -> (f64, f64),
    ) -> SmallVec<[RowNext<'p>; 8]> {
        self.next
            .iter()
            .map(|n| match n {
                Next::Affine(k) => {
                    let (n0, nd) = at_state(*k);
                    // Whole coefficients give whole next states: integers, no rounding.
                    let whole = |v: f64| v.fract() == 0.0 && v.abs() < 4.0e15;
                    if whole(n0) && whole(nd) {
                        RowNext::Int(n0 as i64, nd as i64)
                    } else {
                        RowNext::Real(n0, nd)
                    }
                }
                Next::Tree(e) => RowNext::Tree(e),
            })
            .collect()
    }

    /// The next states of decisions `lo..=hi` from `state` at a covered stage, and whether
    /// each may be allowed (`f64::INFINITY`: not allowed; `0.0`: may be), as
    /// [`crate::backends::dp::StagePlan::successors`] describes. Affine requirements are
    /// checked; requirements that are trees are not (they may be costly, and marking a
    /// decision they reject only keeps a state too many). Next states are computed exactly
    /// as [`AffinePlan::step_all`] computes them.
    pub fn successors(
        &self,
        stage: usize,
        state: &[i64],
        (lo, _): (i64, i64),
        next: &mut [i64],
        allowed: &mut [f64],
        consts: &[f64],
    ) -> Result<(), (i64, EvalError)> {
        let Some(Some(coefs)) = self.stages.get(stage) else {
            return Ok(());
        };
        let width = self.states + 2;
        let at_state = |k: usize| form_at_state(coefs, width, state, k);
        let mut reqs: SmallVec<[(Op2, SideAt, SideAt); 8]> = SmallVec::new();
        for r in &self.requires {
            if let Require::Affine { op, k } = r {
                let (l, r) = (at_state(2 * k), at_state(2 * k + 1));
                if l.1 == 0.0 && r.1 == 0.0 {
                    // On the state alone: it rejects the whole row or none of it. (Where a
                    // tree before it would fail, `step_all` fails and no successor is read.)
                    if !compare(*op, l.0, r.0) {
                        allowed.fill(f64::INFINITY);
                        return Ok(());
                    }
                } else {
                    reqs.push((*op, l, r));
                }
            }
        }
        let nexts = self.row_nexts(&at_state);
        let k = self.states.max(1);
        'decisions: for (j, ok) in allowed.iter_mut().enumerate() {
            let di = lo + j as i64;
            let d = di as f64;
            for &(op, (l0, ld), (r0, rd)) in &reqs {
                if !compare(op, l0 + ld * d, r0 + rd * d) {
                    *ok = f64::INFINITY;
                    continue 'decisions;
                }
            }
            let nx = &mut next[j * k..j * k + self.states];
            for (slot, n) in nx.iter_mut().zip(&nexts) {
                *slot = next_value(n, state, di, consts)?;
            }
            *ok = 0.0;
        }
        Ok(())
    }
}

impl AffinePlan {
    /// The fast path of [`crate::backends::dp::StagePlan::affine_row`] at a covered stage:
    /// rows whose next states are all affine with whole coefficients (no overflow over the
    /// row). With `costs`, only rows the tightest loop of [`AffinePlan::step_all`] takes
    /// (requirements on the state alone, costs affine or cached per decision), with the
    /// same sums; without, the requirements [`AffinePlan::successors`] checks.
    #[allow(clippy::too_many_arguments)]
    pub fn affine_row(
        &self,
        stage: usize,
        state: &[i64],
        (lo, hi): (i64, i64),
        (base, step): (&mut [i64], &mut [i64]),
        out: &mut [f64],
        consts: &[f64],
        costs: bool,
    ) -> bool {
        let _ = consts;
        let Some(Some(coefs)) = self.stages.get(stage) else {
            return false;
        };
        if costs && !self.cost_trees.is_empty() {
            return false;
        }
        let width = self.states + 2;
        let at_state = |k: usize| form_at_state(coefs, width, state, k);
        let mut reqs: SmallVec<[(Op2, SideAt, SideAt); 8]> = SmallVec::new();
        let mut rejected = false;
        for r in &self.requires {
            match r {
                Require::Affine { op, k } => {
                    let (l, r) = (at_state(2 * k), at_state(2 * k + 1));
                    if l.1 == 0.0 && r.1 == 0.0 {
                        if !compare(*op, l.0, r.0) {
                            rejected = true;
                            break;
                        }
                    } else if costs {
                        // Checked per decision: not the tightest loop.
                        return false;
                    } else {
                        reqs.push((*op, l, r));
                    }
                }
                // A tree first decides the order of errors and rejections.
                Require::Tree(_) if costs => return false,
                Require::Tree(_) => {}
            }
        }
        let nexts = self.row_nexts(&at_state);
        for (i, n) in nexts.iter().enumerate() {
            let RowNext::Int(n0, nd) = *n else {
                return false;
            };
            let (Ok(first), Ok(_)) = (int_next(n0, nd, lo), int_next(n0, nd, hi)) else {
                return false;
            };
            base[i] = first;
            step[i] = nd;
        }
        if rejected {
            out.fill(f64::INFINITY);
            return true;
        }
        if costs {
            let (cost0, cost_d) = at_state(self.cost_form);
            let dvalues: &[f64] = if self.decision_trees.is_empty() {
                &[]
            } else {
                let cached = match (
                    self.decision_costs.get(stage),
                    self.decision_values.get(stage),
                ) {
                    (Some(&(dlo, _)), Some(Some(v))) => usize::try_from(lo - dlo)
                        .ok()
                        .and_then(|from| v.get(from..from + out.len())),
                    _ => None,
                };
                match cached {
                    Some(v) => v,
                    None => return false,
                }
            };
            for (j, cost) in out.iter_mut().enumerate() {
                let di = lo + j as i64;
                // The sums of the tightest loop of `step_all`, in its order.
                *cost = cost0 + cost_d * di as f64;
                if let Some(v) = dvalues.get(j) {
                    *cost += v;
                }
            }
        } else {
            'decisions: for (j, ok) in out.iter_mut().enumerate() {
                let d = (lo + j as i64) as f64;
                for &(op, (l0, ld), (r0, rd)) in &reqs {
                    if !compare(op, l0 + ld * d, r0 + rd * d) {
                        *ok = f64::INFINITY;
                        continue 'decisions;
                    }
                }
                *ok = 0.0;
            }
        }
        true
    }
}

/// `n0 + nd * d` in integers, or the error of a next state that does not fit.
#[inline]
fn int_next(n0: i64, nd: i64, di: i64) -> Result<i64, (i64, EvalError)> {
    nd.checked_mul(di)
        .and_then(|x| x.checked_add(n0))
        .ok_or_else(|| (di, not_integer(n0 as f64 + nd as f64 * di as f64)))
}

/// One next state for decision `di`.
#[inline]
fn next_value(
    n: &RowNext,
    state: &[i64],
    di: i64,
    consts: &[f64],
) -> Result<i64, (i64, EvalError)> {
    match *n {
        RowNext::Int(n0, nd) => int_next(n0, nd, di),
        RowNext::Real(n0, nd) => whole_state(n0 + nd * di as f64).map_err(|e| (di, e)),
        RowNext::Tree(e) => {
            whole_state(e.eval(state, di, consts).map_err(|e| (di, e))?).map_err(|e| (di, e))
        }
    }
}

/// One side of an affine requirement at one state: its value without the decision, and the
/// coefficient of the decision.
type SideAt = (f64, f64);

/// A requirement at one state: affine (operator, and each side as the value without the
/// decision and the coefficient of the decision) or a tree.
enum RowReq<'p> {
    Affine(Op2, (f64, f64), (f64, f64)),
    Tree(&'p CExpr),
}

/// A next state at one state: affine with whole or real coefficients, or a tree.
enum RowNext<'p> {
    Int(i64, i64),
    Real(f64, f64),
    Tree(&'p CExpr),
}

fn not_integer(v: f64) -> EvalError {
    EvalError::new(EvalErrorKind::OutOfDomain(format!(
        "the next state {v} is not an integer"
    )))
}

/// A next state value as an integer, as `CompiledPlan::step` requires it.
fn whole_state(v: f64) -> Result<i64, EvalError> {
    let r = v.round();
    if (v - r).abs() <= 1e-9 * v.abs().max(1.0) && r.abs() < 9e15 {
        Ok(r as i64)
    } else {
        Err(not_integer(v))
    }
}

#[cfg(test)]
mod tests;

mod chain;

/// Form `k` of a stage's coefficients (`width` per form: constant, one per state dimension,
/// the decision's) at `state`: its value without the decision, and the decision's coefficient.
fn form_at_state(coefs: &[f64], width: usize, state: &[i64], k: usize) -> (f64, f64) {
    let c = &coefs[k * width..(k + 1) * width];
    let mut v = c[0];
    for (i, &s) in state.iter().enumerate() {
        v += c[1 + i] * s as f64;
    }
    (v, c[width - 1])
}
