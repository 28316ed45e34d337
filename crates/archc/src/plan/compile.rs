//! Compiling a plan instance for the DP backend from the plan's HIR: every part that
//! depends only on data (params, attributes, the stage) is evaluated ahead, per stage (by
//! the compiled data expressions of `instantiate/linear/compiled.rs`, the evaluator taking
//! what they do not cover); what depends on the state or the decision becomes a small
//! expression tree evaluated millions of times. Plan variables are the plan's state and
//! `choose` slots, user functions their inlined bodies, params their ids: nothing here
//! looks a name up.

use crate::check::plan::{ChooseDomain, PlanInfo};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::hir::{self, Builtin, ExprKind as HK, ParamId, SlotId};
use crate::instantiate::hir_eval::Bound;
use crate::instantiate::world::{ElemId, SetVal, Value};
use crate::instantiate::{CompiledData, Inst};
use crate::span::Span;
use crate::syntax::ast::{BinOp, CmpOp, UnOp};
use rustc_hash::FxHashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::cexpr::op2;
pub use super::cexpr::{CExpr, Op1, Op2};

type R<T> = Result<T, Diagnostic>;

/// Compiles the expressions of one plan instance from the plan's HIR: plan variables are
/// its state and `choose` slots, calls of user functions are their inlined bodies with the
/// parameter slots standing for the arguments, params are found by id. Parts that read no
/// plan variable are evaluated once per stage into [`PlanCompiler::table`].
pub struct PlanCompiler<'h> {
    /// The plan's HIR: its slot table, states, decision and statements.
    plan: &'h hir::Decl<hir::Plan>,
    /// Stage elements in order.
    pub stages: Vec<ElemId>,
    /// Elements of a set-valued choice, in order.
    pub choice_set: Option<Vec<ElemId>>,
    /// Per-stage constants: `table[stage][k]`.
    pub table: Vec<Vec<f64>>,
    /// The slots compiled data reads from `tuple`: the plan's index variables, then the
    /// stage variable.
    bound: Vec<SlotId>,
    /// The instance's index tuple; the stage is pushed after it for a run.
    tuple: Vec<ElemId>,
    /// Every parameter slot of a function inlined in the plan: its argument.
    args: FxHashMap<SlotId, &'h hir::Expr>,
    /// Whether the argument of a parameter slot reads a plan variable, once known.
    arg_mentions: FxHashMap<SlotId, bool>,
    /// Compiled data expressions by HIR node address (`None`: left to the evaluator).
    data: FxHashMap<usize, Option<Rc<CompiledData>>>,
    /// How the per-stage data values were computed.
    pub runs: DataRuns,
}

/// How many values of a plan instance's data (stage table entries, fixed indices of
/// lookup tables, ranges, starts and sets) the compiled data expressions computed, and how
/// many the evaluator (tests check the compiled path is taken).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataRuns {
    pub compiled: usize,
    pub evaluated: usize,
}

impl<'h> PlanCompiler<'h> {
    /// The compiler of a plan (its HIR `plan`) at one index tuple (one element per index
    /// variable, in order). Stages and choice set are given by [`PlanCompiler::start`].
    pub fn new(plan: &'h hir::Decl<hir::Plan>, tuple: &[ElemId]) -> PlanCompiler<'h> {
        let p = &plan.body;
        let (mut bound, tuple) = if p.index.binders.len() == tuple.len() {
            let slots = p.index.slots();
            (slots, tuple.to_vec())
        } else {
            (Vec::new(), Vec::new())
        };
        bound.push(p.stage.slot);
        let mut roots: Vec<&'h hir::Expr> = Vec::new();
        for s in &p.states {
            roots.extend([&s.lo, &s.hi]);
            roots.extend(s.init.iter());
        }
        match &p.choose {
            Some((_, hir::ChooseDomain::Range(a, b))) => roots.extend([a, b]),
            Some((_, hir::ChooseDomain::Set(s))) => roots.push(s),
            None => {}
        }
        for (s, _) in &p.stmts {
            roots.push(match s {
                hir::PlanStmt::Next(_, e)
                | hir::PlanStmt::Require(e)
                | hir::PlanStmt::FinalRequire(e)
                | hir::PlanStmt::Cost(e)
                | hir::PlanStmt::FinalCost(e) => e,
            });
        }
        let mut args = FxHashMap::default();
        let mut stack: Vec<&'h hir::Expr> = roots;
        let mut children = Vec::new();
        while let Some(e) = stack.pop() {
            if let HK::Inline {
                params,
                args: values,
                body,
                ..
            } = &e.kind
            {
                for (s, a) in params.iter().zip(values) {
                    args.insert(*s, a);
                    stack.push(a);
                }
                stack.push(body);
                continue;
            }
            children.clear();
            e.children(&mut children);
            stack.extend(children.iter().copied());
        }
        PlanCompiler {
            plan,
            stages: Vec::new(),
            choice_set: None,
            table: Vec::new(),
            bound,
            tuple,
            args,
            arg_mentions: FxHashMap::default(),
            data: FxHashMap::default(),
            runs: DataRuns::default(),
        }
    }

    /// Set the stages and the choice set; the stage table starts empty.
    pub fn start(&mut self, stages: Vec<ElemId>, choice_set: Option<Vec<ElemId>>) {
        self.table = vec![Vec::new(); stages.len()];
        self.stages = stages;
        self.choice_set = choice_set;
    }

    /// The index of the state in slot `s`.
    fn state(&self, s: SlotId) -> Option<usize> {
        self.plan.body.states.iter().position(|st| st.slot == s)
    }

    fn is_plan_slot(&self, s: SlotId) -> bool {
        self.state(s).is_some() || self.plan.body.choose.as_ref().is_some_and(|c| c.0 == s)
    }

    /// Does `e` read a state or the decision, with each inlined parameter standing for its
    /// argument (an argument the body never reads does not count)?
    fn mentions_plan_vars(&mut self, e: &'h hir::Expr) -> bool {
        let mut stack = vec![e];
        let mut children = Vec::new();
        while let Some(x) = stack.pop() {
            match &x.kind {
                HK::Slot(s) => {
                    if self.is_plan_slot(*s) || self.arg_reads_plan_vars(*s) {
                        return true;
                    }
                }
                HK::Inline { body, .. } => stack.push(body),
                _ => {
                    children.clear();
                    x.children(&mut children);
                    stack.extend(children.iter().copied());
                }
            }
        }
        false
    }

    /// Does the argument of parameter slot `s` read a plan variable (false for a slot that
    /// is no parameter)? Known once per slot: a slot belongs to one call.
    fn arg_reads_plan_vars(&mut self, s: SlotId) -> bool {
        if let Some(&m) = self.arg_mentions.get(&s) {
            return m;
        }
        let Some(&arg) = self.args.get(&s) else {
            return false;
        };
        let m = self.mentions_plan_vars(arg);
        self.arg_mentions.insert(s, m);
        m
    }

    /// Follow parameter slots to the arguments they stand for.
    fn resolve(&self, mut e: &'h hir::Expr) -> &'h hir::Expr {
        while let HK::Slot(s) = &e.kind {
            match self.args.get(s) {
                Some(&arg) => e = arg,
                None => break,
            }
        }
        e
    }

    fn is_choice(&self, e: &'h hir::Expr) -> bool {
        let e = self.resolve(e);
        matches!(&e.kind, HK::Slot(s) if self.plan.body.choose.as_ref().is_some_and(|c| c.0 == *s))
    }

    /// The compiled value of data node `h` at a stage (`None` when the stage is not bound:
    /// nothing that reads it runs), or `None` when the evaluator must compute it.
    fn compiled(
        &mut self,
        inst: &mut Inst<'h>,
        h: &'h hir::Expr,
        stage: Option<ElemId>,
    ) -> Option<Value> {
        let key = h as *const hir::Expr as usize;
        let code = match self.data.get(&key) {
            Some(c) => c.clone(),
            None => {
                let c = inst
                    .compile_data(h, &self.plan.slots, &self.bound, self.args.clone())
                    .map(Rc::new);
                self.data.insert(key, c.clone());
                c
            }
        }?;
        let v = match stage {
            Some(q) => {
                self.tuple.push(q);
                let v = inst.run_data(&code, &self.tuple);
                self.tuple.pop();
                v
            }
            None => inst.run_data(&code, &self.tuple),
        };
        self.runs.compiled += v.is_some() as usize;
        v
    }

    /// Run `k` on `h` with the HIR evaluator: the plan's index slots bound to the
    /// instance's tuple, the stage slot to `stage` (when given), and each parameter slot of
    /// an inlined function to its argument.
    fn evaluate<T>(
        &mut self,
        inst: &mut Inst<'h>,
        h: &'h hir::Expr,
        stage: Option<ElemId>,
        k: &mut dyn FnMut(&mut Inst<'h>, &'h hir::Expr) -> R<T>,
    ) -> R<T> {
        self.runs.evaluated += 1;
        let mut frame = vec![Bound::Unset; self.plan.slots.len()];
        let mut set = |s: SlotId, v: Bound<'h>| {
            if let Some(x) = frame.get_mut(s.index()) {
                *x = v;
            }
        };
        // `bound` is the index slots, then the stage slot.
        let index = &self.bound[..self.bound.len().saturating_sub(1)];
        for (&s, &x) in index.iter().zip(&self.tuple) {
            set(s, Bound::Value(Value::Elem(x)));
        }
        if let Some(q) = stage {
            set(self.plan.body.stage.slot, Bound::Value(Value::Elem(q)));
        }
        for (&s, &arg) in &self.args {
            set(s, Bound::Arg(arg));
        }
        let saved = std::mem::replace(&mut inst.frame, frame);
        let r = k(inst, h);
        inst.frame = saved;
        r
    }

    /// The value of data node `h` at a stage.
    fn value(&mut self, inst: &mut Inst<'h>, h: &'h hir::Expr, stage: Option<ElemId>) -> R<Value> {
        let h = self.resolve(h);
        if let Some(v) = self.compiled(inst, h, stage) {
            return Ok(v);
        }
        self.evaluate(inst, h, stage, &mut |me, e| me.h_eval(e))
    }

    /// A number of the plan's declarations (a state's range or start, the `choose`
    /// range), at a stage when given.
    pub fn num(&mut self, inst: &mut Inst<'h>, h: &'h hir::Expr, stage: Option<ElemId>) -> R<f64> {
        match self.compiled(inst, h, stage) {
            Some(Value::Num(v)) => Ok(v),
            _ => self.evaluate(inst, h, stage, &mut |me, e| me.h_num(e)),
        }
    }

    /// A set of the plan's declarations (the stages, a `choose` set).
    pub fn set(&mut self, inst: &mut Inst<'h>, h: &'h hir::Expr) -> R<Arc<SetVal>> {
        match &h.kind {
            HK::Set(id) => inst.named_set(id.index()),
            _ => self.evaluate(inst, h, None, &mut |me, e| me.h_set(e)),
        }
    }

    /// An element fixed for the whole plan instance (the stage is not bound).
    fn elem(&mut self, inst: &mut Inst<'h>, h: &'h hir::Expr) -> R<ElemId> {
        let h = self.resolve(h);
        match self.compiled(inst, h, None) {
            Some(Value::Elem(x)) => Ok(x),
            _ => self.evaluate(inst, h, None, &mut |me, e| me.h_elem(e)),
        }
    }

    /// A [`HK::Chain`] as one [`CExpr::Chain`]; `p -> q -> r` becomes `not p or not q or
    /// r`, which short-circuits the same way.
    fn compile_chain(
        &mut self,
        inst: &mut Inst<'h>,
        first: &'h hir::Expr,
        links: &'h [(BinOp, hir::Expr)],
    ) -> R<CExpr> {
        let implies = links.first().is_some_and(|l| l.0 == BinOp::Implies);
        let right = links.first().is_some_and(|l| l.0 == BinOp::Pow);
        let last = links.last().map_or(first.span, |l| l.1.span);
        let mut head = self.compile(inst, first)?;
        if implies {
            head = CExpr::Un(Op1::Not, Box::new(head));
        }
        let mut out = Vec::with_capacity(links.len());
        let mut prev = first.span;
        for (i, (op, x)) in links.iter().enumerate() {
            let mut c = self.compile(inst, x)?;
            let (op, span) = if implies {
                if i + 1 < links.len() {
                    c = CExpr::Un(Op1::Not, Box::new(c));
                }
                (Op2::Or, first.span.to(x.span))
            } else if right {
                // The run from the operand before this link to the end.
                (op2(*op), prev.to(last))
            } else {
                (op2(*op), first.span.to(x.span))
            };
            out.push((op, c, span));
            prev = x.span;
        }
        Ok(CExpr::Chain {
            first: Box::new(head),
            links: out,
            right,
        })
    }

    /// Evaluate a data expression at every stage (with the stage variable bound).
    fn stage_data(&mut self, inst: &mut Inst<'h>, e: &'h hir::Expr) -> R<CExpr> {
        let e = self.resolve(e);
        let mut vals = Vec::with_capacity(self.stages.len());
        for t in 0..self.stages.len() {
            let q = self.stages[t];
            let v = match self.value(inst, e, Some(q))? {
                Value::Num(n) => n,
                Value::Bool(b) => b as u8 as f64,
                Value::Elem(x) => match &self.choice_set {
                    Some(set) => set
                        .iter()
                        .position(|&y| y == x)
                        .map(|p| p as f64)
                        .unwrap_or(-1.0),
                    None => inst.world.elem_number(x).unwrap_or(f64::NAN),
                },
                _ => {
                    return Err(Diagnostic::error(
                        Code::E0618,
                        "this value cannot be used in a DP plan",
                    )
                    .primary(e.span, "not a number or condition"))
                }
            };
            vals.push(v);
        }
        if vals
            .windows(2)
            .all(|w| w[0] == w[1] || (w[0].is_nan() && w[1].is_nan()))
        {
            return Ok(CExpr::Const(vals.first().copied().unwrap_or(0.0)));
        }
        let k = self.table.first().map(|r| r.len()).unwrap_or(0);
        for (row, v) in self.table.iter_mut().zip(vals) {
            row.push(v);
        }
        Ok(CExpr::Stage(k))
    }

    /// Compile an expression of a plan statement.
    pub fn compile(&mut self, inst: &mut Inst<'h>, e: &'h hir::Expr) -> R<CExpr> {
        if !self.mentions_plan_vars(e) {
            return self.stage_data(inst, e);
        }
        let b = |x: CExpr| Box::new(x);
        Ok(match &e.kind {
            HK::Slot(s) => {
                if let Some(&arg) = self.args.get(s) {
                    return self.compile(inst, arg);
                }
                match self.state(*s) {
                    Some(i) => CExpr::State(i),
                    None => CExpr::Decision,
                }
            }
            HK::Inline { body, .. } => return self.compile(inst, body),
            HK::Unary(op, x) => CExpr::Un(
                if *op == UnOp::Neg { Op1::Neg } else { Op1::Not },
                b(self.compile(inst, x)?),
            ),
            // One operator is a binary node in the source.
            HK::Chain(first, links) if links.len() == 1 => CExpr::Bin(
                op2(links[0].0),
                b(self.compile(inst, first)?),
                b(self.compile(inst, &links[0].1)?),
                e.span,
            ),
            HK::Chain(first, links) => self.compile_chain(inst, first, links)?,
            HK::If(arms, otherwise) if arms.len() == 1 => CExpr::If(
                b(self.compile(inst, &arms[0].0)?),
                b(self.compile(inst, &arms[0].1)?),
                b(self.compile(inst, otherwise)?),
            ),
            HK::If(arms, otherwise) => {
                let mut compiled = Vec::with_capacity(arms.len());
                for (c, v) in arms {
                    compiled.push((self.compile(inst, c)?, self.compile(inst, v)?));
                }
                CExpr::Select(compiled, b(self.compile(inst, otherwise)?))
            }
            HK::Compare(first, links) => {
                let mut parts = Vec::new();
                let mut left = first.as_ref();
                for (op, span, right) in links {
                    let span = *span;
                    let op2 = match op {
                        CmpOp::Eq => Op2::Eq,
                        CmpOp::Ne => Op2::Ne,
                        CmpOp::Lt => Op2::Lt,
                        CmpOp::Le => Op2::Le,
                        CmpOp::Gt => Op2::Gt,
                        CmpOp::Ge => Op2::Ge,
                        CmpOp::In | CmpOp::NotIn => {
                            return Err(unsupported(span, "`in` over plan variables"))
                        }
                    };
                    parts.push(CExpr::Bin(
                        op2,
                        b(self.compile(inst, left)?),
                        b(self.compile(inst, right)?),
                        span,
                    ));
                    left = right;
                }
                parts
                    .into_iter()
                    .reduce(|a, c| CExpr::Bin(Op2::And, b(a), b(c), e.span))
                    .unwrap_or(CExpr::Const(1.0))
            }
            HK::Builtin(f, args) => {
                let op1 = match f {
                    Builtin::Ceil => Some(Op1::Ceil),
                    Builtin::Floor => Some(Op1::Floor),
                    Builtin::Round => Some(Op1::Round),
                    Builtin::Abs => Some(Op1::Abs),
                    _ => None,
                };
                if let (Some(op), [a]) = (op1, args.as_slice()) {
                    return Ok(CExpr::Un(op, b(self.compile(inst, a)?)));
                }
                if matches!(f, Builtin::Min | Builtin::Max) && args.len() >= 2 {
                    let op = if *f == Builtin::Min {
                        Op2::Min
                    } else {
                        Op2::Max
                    };
                    let mut acc = self.compile(inst, &args[0])?;
                    for a in &args[1..] {
                        acc = CExpr::Bin(op, b(acc), b(self.compile(inst, a)?), e.span);
                    }
                    return Ok(acc);
                }
                return Err(unsupported(
                    e.span,
                    &format!("`{}` of plan variables", f.name()),
                ));
            }
            HK::Param(p, args) => self.table(inst, *p, args, e.span)?,
            HK::Decision(..) => {
                return Err(unsupported(
                    e.span,
                    "indexing anything but a param with plan variables",
                ))
            }
            _ => return Err(unsupported(e.span, "this expression over plan variables")),
        })
    }

    /// `param[..., x, ...]` where `x` depends on the state or decision: a lookup table over
    /// the param's values along that index.
    fn table(
        &mut self,
        inst: &mut Inst<'h>,
        p: ParamId,
        args: &'h [hir::Expr],
        span: Span,
    ) -> R<CExpr> {
        let mut varying = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if self.mentions_plan_vars(a) {
                varying.push(i);
            }
        }
        let [k] = varying.as_slice() else {
            return Err(unsupported(
                span,
                "a param indexed by more than one plan variable",
            ));
        };
        let k = *k;
        // Fixed indices must not depend on the stage (they are evaluated once).
        let mut fixed = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if i != k {
                fixed.push(Some(self.elem(inst, a)?));
            } else {
                fixed.push(None);
            }
        }
        let p = p.index();
        let dim = inst
            .hir
            .and_then(|m| m.params.get(p))
            .and_then(|d| d.body.index.binders.get(k).map(|b| (d.slots.len(), &b.set)));
        let dim_set = match dim {
            Some((
                _,
                hir::Expr {
                    kind: HK::Set(id), ..
                },
            )) => inst.named_set(id.index())?,
            Some((n, set)) => inst.in_frame(n, |me| me.h_set(set))?,
            None => {
                return Err(crate::instantiate::hir_eval::internal(
                    span,
                    "a param without its HIR index",
                ))
            }
        };
        let choice_arg = self.is_choice(&args[k]);
        let mut values = Vec::new();
        let mut offset = 0i64;
        if choice_arg {
            let set = self.choice_set.clone().unwrap_or_default();
            for x in set {
                let key: Vec<ElemId> = fixed.iter().map(|f| f.unwrap_or(x)).collect();
                values.push(lookup(inst, p, &key));
            }
        } else {
            let nums: Vec<(i64, ElemId)> = dim_set
                .elems
                .iter()
                .filter_map(|&x| inst.world.elem_number(x).map(|n| (n as i64, x)))
                .collect();
            let (lo, hi) = (
                nums.iter().map(|n| n.0).min().unwrap_or(0),
                nums.iter().map(|n| n.0).max().unwrap_or(-1),
            );
            if hi - lo > 10_000_000 {
                return Err(unsupported(span, "a lookup table this large"));
            }
            offset = lo;
            values = vec![f64::NAN; (hi - lo + 1).max(0) as usize];
            for (n, x) in nums {
                let key: Vec<ElemId> = fixed.iter().map(|f| f.unwrap_or(x)).collect();
                values[(n - lo) as usize] = lookup(inst, p, &key);
            }
        }
        Ok(CExpr::Table {
            values,
            offset,
            arg: Box::new(self.compile(inst, &args[k])?),
            span,
        })
    }
}

fn lookup(inst: &mut Inst, p: usize, key: &[ElemId]) -> f64 {
    let _ = inst.ensure_param(p);
    match inst.world.params[p].as_ref().and_then(|t| t.get(key)) {
        Some(Value::Num(n)) => n,
        Some(Value::Bool(b)) => b as u8 as f64,
        _ => f64::NAN,
    }
}

fn unsupported(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(Code::E0618, format!("{what} is not supported in a DP plan"))
        .primary(span, "not supported here")
        .help("plans use arithmetic, comparisons, `if`, min/max, ceil/floor and params looked up by a plan variable")
}

/// Is the choice set-valued?
pub fn choice_is_set(plan: &PlanInfo) -> bool {
    matches!(plan.choose, Some((_, ChooseDomain::Set(..))))
}
