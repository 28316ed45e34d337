//! The fast path of a compiled plan: when every transition, requirement and stage cost is
//! affine in the state and the decision (`racks + add`, `racks * cores >= demand[r, q]`,
//! `add * price + racks * holding`), the coefficients are evaluated once per stage and a
//! whole row of decisions is evaluated from one state with a few multiply-adds each,
//! instead of walking the expression trees once per (state, decision).
//!
//! The results are the same as the tree evaluation in [`super::compile::CExpr::eval`]:
//! comparisons keep their tolerance and are applied to the two sides evaluated apart, and a
//! stage whose coefficients cannot be evaluated (a division by zero in the data) falls back
//! to the trees, which report the error where it is.

use super::compile::{CExpr, Op1, Op2};
use smallvec::SmallVec;

/// `c0 + sum(cs[i] * state[i]) + cd * decision`, each coefficient an expression over data
/// only (constants and per-stage values).
#[derive(Clone, Debug)]
struct Form {
    c0: CExpr,
    cs: Vec<CExpr>,
    cd: CExpr,
}

/// A requirement `left OP right` with both sides affine.
#[derive(Clone, Debug)]
struct Req {
    op: Op2,
    left: Form,
    right: Form,
}

/// The affine parts of a plan, and their coefficients evaluated per stage.
#[derive(Debug)]
pub struct AffinePlan {
    states: usize,
    /// Per stage: the coefficients of every form in order (requirement sides, next states,
    /// the summed cost), each `[c0, cs..., cd]`; `None` when the stage must use the trees.
    stages: Vec<Option<Vec<f64>>>,
    requires: Vec<Op2>,
    next: usize,
}

fn is_data(e: &CExpr) -> bool {
    match e {
        CExpr::Const(_) | CExpr::Stage(_) => true,
        CExpr::State(_) | CExpr::Decision => false,
        CExpr::Un(_, x) => is_data(x),
        CExpr::Bin(_, a, b, _) => is_data(a) && is_data(b),
        CExpr::If(c, a, b) => is_data(c) && is_data(a) && is_data(b),
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
fn form(e: &CExpr, states: usize) -> Option<Form> {
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
        _ => None,
    }
}

/// The requirements of `e`: one comparison, or a conjunction (a comparison chain).
fn requirements(e: &CExpr, states: usize, out: &mut Vec<Req>) -> Option<()> {
    match e {
        CExpr::Bin(Op2::And, a, b, _) => {
            requirements(a, states, out)?;
            requirements(b, states, out)
        }
        CExpr::Bin(op @ (Op2::Lt | Op2::Le | Op2::Gt | Op2::Ge | Op2::Eq | Op2::Ne), a, b, _) => {
            out.push(Req {
                op: *op,
                left: form(a, states)?,
                right: form(b, states)?,
            });
            Some(())
        }
        _ => None,
    }
}

/// A requirement at one state: the operator and each side as (value without the decision,
/// coefficient of the decision).
type RowReq = (Op2, (f64, f64), (f64, f64));

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
    /// The affine form of a plan with `states` state dimensions, or `None` when some part is
    /// not affine. `table[stage]` holds the per-stage constants.
    pub fn new(
        states: usize,
        requires: &[CExpr],
        next: &[CExpr],
        costs: &[CExpr],
        table: &[Vec<f64>],
        stages: usize,
    ) -> Option<AffinePlan> {
        let mut reqs = Vec::new();
        for r in requires {
            requirements(r, states, &mut reqs)?;
        }
        let nexts: Vec<Form> = next
            .iter()
            .map(|n| form(n, states))
            .collect::<Option<_>>()?;
        let mut cost = Form::constant(zero(), states);
        for c in costs {
            let f = form(c, states)?;
            cost = cost.combine(f, Op2::Add, c);
        }
        let forms: Vec<&Form> = reqs
            .iter()
            .flat_map(|r| [&r.left, &r.right])
            .chain(&nexts)
            .chain(std::iter::once(&cost))
            .collect();
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
        Some(AffinePlan {
            states,
            stages: per_stage,
            requires: reqs.iter().map(|r| r.op).collect(),
            next: nexts.len(),
        })
    }

    /// Whether `stage` can be evaluated here (else the caller uses the trees).
    pub fn covers(&self, stage: usize) -> bool {
        matches!(self.stages.get(stage), Some(Some(_)))
    }

    /// Evaluates decisions `lo..=hi` from `state` at a covered stage, as
    /// [`crate::backends::dp::StagePlan::step_all`] describes. Returns the first decision
    /// whose next state is not an integer, if any.
    pub fn step_all(
        &self,
        stage: usize,
        state: &[i64],
        (lo, _): (i64, i64),
        next: &mut [i64],
        costs: &mut [f64],
    ) -> Result<(), (i64, f64)> {
        let Some(Some(coefs)) = self.stages.get(stage) else {
            return Ok(());
        };
        let width = self.states + 2;
        // Each form at this state: (value without the decision, coefficient of the decision).
        let at_state = |k: usize| -> (f64, f64) {
            let c = &coefs[k * width..(k + 1) * width];
            let mut v = c[0];
            for (i, &s) in state.iter().enumerate() {
                v += c[1 + i] * s as f64;
            }
            (v, c[width - 1])
        };
        // Requirements on the state alone are decided once for the whole row.
        let mut reqs: SmallVec<[RowReq; 8]> = SmallVec::new();
        for (i, &op) in self.requires.iter().enumerate() {
            let (l, r) = (at_state(2 * i), at_state(2 * i + 1));
            if l.1 == 0.0 && r.1 == 0.0 {
                if !compare(op, l.0, r.0) {
                    costs.fill(f64::INFINITY);
                    return Ok(());
                }
            } else {
                reqs.push((op, l, r));
            }
        }
        let base = 2 * self.requires.len();
        let nexts: SmallVec<[(f64, f64); 8]> = (0..self.next).map(|i| at_state(base + i)).collect();
        // Whole coefficients give whole next states: computed in integers, no rounding.
        let whole = |v: f64| v.fract() == 0.0 && v.abs() < 4.0e15;
        let int_nexts: Option<SmallVec<[(i64, i64); 8]>> = nexts
            .iter()
            .map(|&(n0, nd)| (whole(n0) && whole(nd)).then_some((n0 as i64, nd as i64)))
            .collect();
        let (cost0, cost_d) = at_state(base + self.next);
        let k = self.states.max(1);
        for (j, cost) in costs.iter_mut().enumerate() {
            let di = lo + j as i64;
            let d = di as f64;
            let allowed = reqs
                .iter()
                .all(|&(op, (l0, ld), (r0, rd))| compare(op, l0 + ld * d, r0 + rd * d));
            if !allowed {
                *cost = f64::INFINITY;
                continue;
            }
            let nx = &mut next[j * k..j * k + self.states];
            match &int_nexts {
                Some(ints) => {
                    for (slot, &(n0, nd)) in nx.iter_mut().zip(ints) {
                        *slot = nd
                            .checked_mul(di)
                            .and_then(|x| x.checked_add(n0))
                            .ok_or((di, n0 as f64 + nd as f64 * d))?;
                    }
                }
                None => {
                    for (slot, &(n0, nd)) in nx.iter_mut().zip(&nexts) {
                        let v = n0 + nd * d;
                        let r = v.round();
                        if (v - r).abs() > 1e-9 * v.abs().max(1.0) || r.abs() >= 9e15 {
                            return Err((di, v));
                        }
                        *slot = r as i64;
                    }
                }
            }
            *cost = cost0 + cost_d * d;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::{FileId, Span};

    fn b(op: Op2, x: CExpr, y: CExpr) -> CExpr {
        CExpr::Bin(op, Box::new(x), Box::new(y), Span::new(FileId(0), 0, 0))
    }

    /// Tree evaluation of one decision, as `CompiledPlan::step` does it.
    fn by_tree(
        req: &[CExpr],
        next: &[CExpr],
        cost: &[CExpr],
        state: &[i64],
        d: i64,
        consts: &[f64],
    ) -> (f64, Vec<i64>) {
        for r in req {
            if r.eval(state, d, consts).unwrap() == 0.0 {
                return (f64::INFINITY, vec![]);
            }
        }
        let nx = next
            .iter()
            .map(|n| n.eval(state, d, consts).unwrap().round() as i64)
            .collect();
        let c = cost.iter().map(|c| c.eval(state, d, consts).unwrap()).sum();
        (c, nx)
    }

    #[test]
    fn affine_rows_match_the_trees() {
        use CExpr::{Const, Decision, Stage, State};
        // next racks = racks + add - stage[1]; next budget = budget - 2 * add
        // require racks * stage[0] >= stage[2] and add <= budget / 2
        // cost = add * 3.5 + racks * stage[1] - (budget - add) / 4
        let next = vec![
            b(Op2::Sub, b(Op2::Add, State(0), Decision), Stage(1)),
            b(Op2::Sub, State(1), b(Op2::Mul, Const(2.0), Decision)),
        ];
        let req = vec![
            b(Op2::Ge, b(Op2::Mul, State(0), Stage(0)), Stage(2)),
            b(Op2::Le, Decision, b(Op2::Div, State(1), Const(2.0))),
        ];
        let cost = vec![
            b(
                Op2::Add,
                b(Op2::Mul, Decision, Const(3.5)),
                b(Op2::Mul, State(0), Stage(1)),
            ),
            CExpr::Un(
                Op1::Neg,
                Box::new(b(Op2::Div, b(Op2::Sub, State(1), Decision), Const(4.0))),
            ),
        ];
        let table = vec![vec![40.0, 1.0, 400.0], vec![40.0, 2.0, 800.0]];
        let plan = AffinePlan::new(2, &req, &next, &cost, &table, 2).expect("affine");
        let mut compared = 0;
        for (stage, consts) in table.iter().enumerate() {
            assert!(plan.covers(stage));
            for racks in 0..30 {
                for budget in 0..12 {
                    let state = [racks, budget];
                    let (lo, hi) = (0, 6);
                    let n = (hi - lo + 1) as usize;
                    let mut next_out = vec![0; 2 * n];
                    let mut costs = vec![0.0; n];
                    plan.step_all(stage, &state, (lo, hi), &mut next_out, &mut costs)
                        .unwrap();
                    for j in 0..n {
                        let d = lo + j as i64;
                        let (c, nx) = by_tree(&req, &next, &cost, &state, d, consts);
                        if c.is_infinite() {
                            assert!(costs[j].is_infinite(), "{state:?} {d}");
                        } else {
                            assert!((costs[j] - c).abs() < 1e-9, "{state:?} {d}");
                            assert_eq!(&next_out[2 * j..2 * j + 2], nx.as_slice());
                            compared += 1;
                        }
                    }
                }
            }
        }
        assert!(compared > 100, "too few allowed steps compared: {compared}");
    }

    #[test]
    fn non_affine_parts_and_zero_divisors_use_the_trees() {
        use CExpr::{Const, Decision, Stage, State};
        let table = vec![vec![0.0], vec![2.0]];
        // A product of two plan variables is not affine.
        let cost = vec![b(Op2::Mul, State(0), Decision)];
        assert!(AffinePlan::new(1, &[], &[State(0)], &cost, &table, 2).is_none());
        // A data divisor that is zero at stage 0: that stage falls back.
        let cost = vec![b(Op2::Div, Decision, Stage(0))];
        let plan = AffinePlan::new(1, &[], &[State(0)], &cost, &table, 2).expect("affine");
        assert!(!plan.covers(0));
        assert!(plan.covers(1));
        // A next state that is not whole is an error naming the decision.
        let next = vec![b(Op2::Div, Decision, Const(2.0))];
        let plan = AffinePlan::new(1, &[], &next, &[], &table, 2).expect("affine");
        let (mut nx, mut costs) = (vec![0; 3], vec![0.0; 3]);
        assert_eq!(
            plan.step_all(1, &[0], (0, 2), &mut nx, &mut costs),
            Err((1, 0.5))
        );
    }
}
