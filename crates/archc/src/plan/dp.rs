//! Plan instances for the DP backend: compilation into [`StagePlan`]s (from the plan's
//! HIR, see [`PlanCompiler`]), and the verification of a DP answer by replaying it through
//! the source expressions with the ordinary evaluator (independent of the compiled code and
//! of the solver).

use super::affine::AffinePlan;
use super::compile::{CExpr, DataRuns, PlanCompiler};
use crate::backends::dp::{EvalError, EvalErrorKind, StagePlan};
use crate::check::plan::PlanInfo;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::hir;
use crate::instantiate::hir_eval::Bound;
use crate::instantiate::nearly_whole;
use crate::instantiate::world::{ElemId, Value};
use crate::instantiate::Inst;
use serde::Serialize;

type R<T> = Result<T, Diagnostic>;

/// One plan instance (`build[us-east]`), compiled.
#[derive(Debug)]
pub struct CompiledPlan {
    pub plan: usize,
    pub name: String,
    /// The plan's index tuple (element ids) and the stage elements.
    pub tuple: Vec<ElemId>,
    pub stages: Vec<ElemId>,
    pub choice_set: Option<Vec<ElemId>>,
    dims: Vec<(i64, i64)>,
    init: Vec<i64>,
    decisions: Vec<(i64, i64)>,
    next: Vec<CExpr>,
    requires: Vec<CExpr>,
    costs: Vec<CExpr>,
    final_requires: Vec<CExpr>,
    final_costs: Vec<CExpr>,
    table: Vec<Vec<f64>>,
    /// The same parts, affine where they can be (see [`AffinePlan`]).
    affine: Option<AffinePlan>,
    /// How the stage table's values were computed.
    pub data_runs: DataRuns,
}

fn integral(v: f64) -> Option<i64> {
    let r = v.round();
    ((v - r).abs() <= 1e-9 * v.abs().max(1.0) && r.abs() < 9e15).then_some(r as i64)
}

impl StagePlan for CompiledPlan {
    fn stages(&self) -> usize {
        self.stages.len()
    }

    fn state_dims(&self) -> &[(i64, i64)] {
        &self.dims
    }

    fn initial_state(&self) -> &[i64] {
        &self.init
    }

    fn decision_range(&self, stage: usize) -> (i64, i64) {
        self.decisions[stage]
    }

    fn step(
        &self,
        stage: usize,
        state: &[i64],
        decision: i64,
        next: &mut [i64],
    ) -> Result<Option<f64>, EvalError> {
        let consts = &self.table[stage];
        for r in &self.requires {
            if r.eval(state, decision, consts)? == 0.0 {
                return Ok(None);
            }
        }
        for (i, n) in self.next.iter().enumerate() {
            let v = n.eval(state, decision, consts)?;
            match integral(v) {
                Some(x) => next[i] = x,
                None => {
                    return Err(EvalError::new(EvalErrorKind::OutOfDomain(format!(
                        "the next state {v} is not an integer"
                    ))))
                }
            }
        }
        let mut cost = 0.0;
        for c in &self.costs {
            cost += c.eval(state, decision, consts)?;
        }
        Ok(Some(cost))
    }

    fn step_all(
        &self,
        stage: usize,
        state: &[i64],
        decisions: (i64, i64),
        next: &mut [i64],
        costs: &mut [f64],
    ) -> Result<(), (i64, EvalError)> {
        match &self.affine {
            Some(a) if a.covers(stage) => {
                a.step_all(stage, state, decisions, next, costs, &self.table[stage])
            }
            _ => crate::backends::dp::step_each(self, stage, state, decisions, next, costs),
        }
    }

    fn successors(
        &self,
        stage: usize,
        state: &[i64],
        decisions: (i64, i64),
        next: &mut [i64],
        allowed: &mut [f64],
    ) -> Result<(), (i64, EvalError)> {
        match &self.affine {
            Some(a) if a.covers(stage) => {
                a.successors(stage, state, decisions, next, allowed, &self.table[stage])
            }
            _ => self.step_all(stage, state, decisions, next, allowed),
        }
    }

    fn affine_row(
        &self,
        stage: usize,
        state: &[i64],
        decisions: (i64, i64),
        base: &mut [i64],
        step: &mut [i64],
        out: &mut [f64],
        costs: bool,
    ) -> Result<bool, (i64, EvalError)> {
        Ok(match &self.affine {
            Some(a) if a.covers(stage) => a.affine_row(
                stage,
                state,
                decisions,
                (base, step),
                out,
                &self.table[stage],
                costs,
            ),
            _ => false,
        })
    }

    fn terminal(&self, state: &[i64]) -> Result<Option<f64>, EvalError> {
        let consts = self.table.last().map(|v| v.as_slice()).unwrap_or(&[]);
        for r in &self.final_requires {
            if r.eval(state, 0, consts)? == 0.0 {
                return Ok(None);
            }
        }
        let mut cost = 0.0;
        for c in &self.final_costs {
            cost += c.eval(state, 0, consts)?;
        }
        Ok(Some(cost))
    }
}

impl<'a> Inst<'a> {
    /// Compile every instance of every plan.
    pub fn compile_plans(&mut self) -> R<Vec<CompiledPlan>> {
        let schema = self.schema;
        let mut out = Vec::new();
        for (pi, p) in schema.plans.iter().enumerate() {
            let Some(h) = self.hir.and_then(|m| m.plans.get(pi)) else {
                return Err(Diagnostic::error(
                    Code::E0750,
                    format!("internal error: plan `{}` has no HIR", p.name),
                )
                .primary(p.span, "this plan"));
            };
            let index = &h.body.index;
            let mut tuples = Vec::new();
            self.in_frame(h.slots.len(), |me| {
                me.h_for_each(index, &mut |me| {
                    tuples.push(
                        index
                            .binders
                            .iter()
                            .map(|b| me.slot_elem(b.slot))
                            .collect::<Vec<_>>(),
                    );
                    Ok(())
                })
            })?;
            for t in tuples {
                out.push(self.compile_instance(pi, p, h, &t)?);
            }
        }
        Ok(out)
    }

    /// Compile one instance of plan `pi` from its HIR: the stages, the choice set and
    /// ranges, the states' ranges and starts, then the statements.
    fn compile_instance(
        &mut self,
        pi: usize,
        p: &PlanInfo,
        h: &'a hir::Decl<hir::Plan>,
        tuple: &[ElemId],
    ) -> R<CompiledPlan> {
        let plan = &h.body;
        let mut comp = PlanCompiler::new(h, tuple);
        let stages = comp.set(self, &plan.stage.set)?.elems.clone();
        let choice_set = match &plan.choose {
            Some((_, hir::ChooseDomain::Set(e))) => Some(comp.set(self, e)?.elems.clone()),
            _ => None,
        };
        let mut dims = Vec::new();
        let mut init = Vec::new();
        for st in &plan.states {
            let lo = nearly_whole(comp.num(self, &st.lo, None)?, st.lo.span)?;
            let hi = nearly_whole(comp.num(self, &st.hi, None)?, st.hi.span)?;
            dims.push((lo, hi));
            match &st.init {
                Some(e) => init.push(nearly_whole(comp.num(self, e, None)?, e.span)?),
                // The checker refuses a state without a start (E0308).
                None => {
                    return Err(crate::instantiate::hir_eval::internal(
                        p.span,
                        "a plan state without an initial value",
                    ))
                }
            }
        }
        comp.start(stages.clone(), choice_set.clone());
        let mut decisions = Vec::new();
        match &plan.choose {
            None => decisions = vec![(0, 0); stages.len()],
            Some((_, hir::ChooseDomain::Set(..))) => {
                let n = choice_set.as_ref().map(|s| s.len()).unwrap_or(0) as i64;
                decisions = vec![(0, n - 1); stages.len()];
            }
            Some((_, hir::ChooseDomain::Range(lo, hi))) => {
                for &q in &stages {
                    let l = comp
                        .num(self, lo, Some(q))
                        .and_then(|v| nearly_whole(v, lo.span));
                    let u = comp
                        .num(self, hi, Some(q))
                        .and_then(|v| nearly_whole(v, hi.span));
                    decisions.push((l?, u?));
                }
            }
        }
        // Tables per decision value are built below: refuse a range too wide to hold.
        let values: u128 = decisions
            .iter()
            .map(|&(lo, hi)| (hi as i128 - lo as i128 + 1).max(0) as u128)
            .max()
            .unwrap_or(0);
        if values > self.limits.max_index_tuples as u128 {
            let span = match &plan.choose {
                Some((_, hir::ChooseDomain::Range(lo, hi))) => lo.span.to(hi.span),
                _ => p.span,
            };
            let limit = self.limits.max_index_tuples;
            let d = Diagnostic::error(
                Code::E0632,
                format!("plan `{}` chooses from {values} values per stage", p.name),
            )
            .primary(
                span,
                format!("{values} values, more than the limit of {limit}"),
            )
            .help("narrow the `choose` range, or count in coarser units");
            return Err(d);
        }
        let mut next = Vec::new();
        for (i, st) in plan.states.iter().enumerate() {
            let e = plan.stmts.iter().find_map(|(s, _)| match s {
                hir::PlanStmt::Next(slot, value) if *slot == st.slot => Some(value),
                _ => None,
            });
            next.push(match e {
                Some(e) => comp.compile(self, e)?,
                None => CExpr::State(i),
            });
        }
        // Final statements compile as the others; they are evaluated with the last stage's
        // constants.
        let (mut requires, mut costs, mut final_requires, mut final_costs) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (s, _) in &plan.stmts {
            match s {
                hir::PlanStmt::Require(e) => requires.push(comp.compile(self, e)?),
                hir::PlanStmt::Cost(e) => costs.push(comp.compile(self, e)?),
                hir::PlanStmt::FinalRequire(e) => final_requires.push(comp.compile(self, e)?),
                hir::PlanStmt::FinalCost(e) => final_costs.push(comp.compile(self, e)?),
                hir::PlanStmt::Next(..) => {}
            }
        }
        let name = if tuple.is_empty() {
            p.name.clone()
        } else {
            let n: Vec<&str> = tuple.iter().map(|&x| self.world.name(x)).collect();
            format!("{}[{}]", p.name, n.join(", "))
        };
        let affine = AffinePlan::new(
            init.len(),
            &requires,
            &next,
            &costs,
            &comp.table,
            &decisions,
        );
        Ok(CompiledPlan {
            plan: pi,
            name,
            tuple: tuple.to_vec(),
            stages,
            choice_set,
            dims,
            init,
            decisions,
            next,
            requires,
            costs,
            final_requires,
            final_costs,
            affine,
            data_runs: comp.runs,
            table: comp.table,
        })
    }

    /// Replay a DP answer through the plan's expressions, evaluated from its HIR (not the
    /// compiled stage code the DP ran): returns the recomputed cost or a verification error
    /// (E0702).
    pub fn replay_plan(
        &mut self,
        cp: &CompiledPlan,
        decisions: &[i64],
        states: &[Vec<i64>],
    ) -> R<f64> {
        let schema = self.schema;
        let p = &schema.plans[cp.plan];
        let fail = |msg: String| {
            Diagnostic::error(
                Code::E0702,
                format!("the DP answer for `{}` failed verification: {msg}", cp.name),
            )
            .primary(p.span, "this plan")
        };
        let Some(h) = self.hir.and_then(|m| m.plans.get(cp.plan)) else {
            return Err(fail("the plan has no HIR to replay".into()));
        };
        let plan = &h.body;
        if states.len() != cp.stages.len() + 1 || decisions.len() != cp.stages.len() {
            return Err(fail("wrong trajectory length".into()));
        }
        if states[0] != cp.init {
            return Err(fail(
                "the trajectory does not start at the initial state".into(),
            ));
        }
        let saved = std::mem::replace(&mut self.frame, vec![Bound::Unset; h.slots.len()]);
        for (b, &x) in plan.index.binders.iter().zip(&cp.tuple) {
            self.bind(b.slot, Bound::Value(Value::Elem(x)));
        }
        let mut total = 0.0;
        let result = (|| -> R<f64> {
            for (t, &q) in cp.stages.iter().enumerate() {
                self.bind(plan.stage.slot, Bound::Value(Value::Elem(q)));
                for (st, &v) in plan.states.iter().zip(&states[t]) {
                    self.bind(st.slot, Bound::Value(Value::Num(v as f64)));
                }
                let (lo, hi) = cp.decisions[t];
                if decisions[t] < lo || decisions[t] > hi {
                    return Err(fail(format!(
                        "decision {} at stage {} is outside {lo}..{hi}",
                        decisions[t],
                        t + 1
                    )));
                }
                if let Some((d, _)) = &plan.choose {
                    let v = match &cp.choice_set {
                        Some(set) => Value::Elem(set[decisions[t] as usize]),
                        None => Value::Num(decisions[t] as f64),
                    };
                    self.bind(*d, Bound::Value(v));
                }
                for (stmt, _) in &plan.stmts {
                    match stmt {
                        hir::PlanStmt::Require(e) if !self.h_bool(e)? => {
                            return Err(fail(format!(
                                "a requirement fails at stage {}",
                                self.world.name(q)
                            )));
                        }
                        hir::PlanStmt::Cost(e) => total += self.h_num(e)?,
                        _ => {}
                    }
                }
                for (i, st) in plan.states.iter().enumerate() {
                    let name = &h.slots[st.slot.index()].name;
                    let next = plan.stmts.iter().find_map(|(s, _)| match s {
                        hir::PlanStmt::Next(slot, value) if *slot == st.slot => Some(value),
                        _ => None,
                    });
                    let v = match next {
                        Some(e) => self.h_num(e)?,
                        None => states[t][i] as f64,
                    };
                    if (v - states[t + 1][i] as f64).abs() > 1e-6 {
                        return Err(fail(format!(
                            "state `{name}` after stage {} should be {v}, the answer says {}",
                            self.world.name(q),
                            states[t + 1][i]
                        )));
                    }
                    let (l, hv) = (self.h_num(&st.lo)?, self.h_num(&st.hi)?);
                    if v < l - 1e-9 || v > hv + 1e-9 {
                        return Err(fail(format!("state `{name}` leaves its range {l}..{hv}")));
                    }
                }
            }
            if let Some(&q) = cp.stages.last() {
                self.bind(plan.stage.slot, Bound::Value(Value::Elem(q)));
            }
            // After the last stage there is no decision.
            if let Some((d, _)) = &plan.choose {
                self.bind(*d, Bound::Unset);
            }
            for (st, &v) in plan
                .states
                .iter()
                .zip(states.last().map(|v| v.as_slice()).unwrap_or(&[]))
            {
                self.bind(st.slot, Bound::Value(Value::Num(v as f64)));
            }
            for (stmt, _) in &plan.stmts {
                match stmt {
                    hir::PlanStmt::FinalRequire(e) if !self.h_bool(e)? => {
                        return Err(fail("a final requirement fails".into()));
                    }
                    hir::PlanStmt::FinalCost(e) => total += self.h_num(e)?,
                    _ => {}
                }
            }
            Ok(total)
        })();
        self.frame = saved;
        result
    }
}

#[cfg(test)]
mod tests;

/// The trajectory of one plan instance in a report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanTrajectory {
    pub plan: String,
    pub cost: f64,
    pub stages: Vec<StageReport>,
    pub final_state: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageReport {
    pub stage: String,
    pub state: Vec<i64>,
    pub decision: String,
    pub cost: f64,
}
