//! Compiling a plan instance for the DP backend: every part that depends only on data
//! (params, attributes, the stage) is evaluated ahead, per stage; what depends on the state
//! or the decision becomes a small expression tree evaluated millions of times.

use crate::backends::dp::{EvalError, EvalErrorKind};
use crate::check::plan::{ChooseDomain, PlanInfo};
use crate::check::Global;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::instantiate::world::{ElemId, Value};
use crate::instantiate::Inst;
use crate::span::Span;
use crate::syntax::ast::{BinOp, ChainLink, CmpOp, Expr, ExprKind, UnOp};
use smallvec::SmallVec;

type R<T> = Result<T, Diagnostic>;

#[derive(Clone, Copy, Debug)]
pub enum Op1 {
    Neg,
    Not,
    Ceil,
    Floor,
    Round,
    Abs,
}

#[derive(Clone, Copy, Debug)]
pub enum Op2 {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Min,
    Max,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    Implies,
    Iff,
}

/// An expression over the state and the decision.
#[derive(Clone, Debug)]
pub enum CExpr {
    Const(f64),
    /// A per-stage constant: column of the stage table.
    Stage(usize),
    State(usize),
    Decision,
    Un(Op1, Box<CExpr>),
    Bin(Op2, Box<CExpr>, Box<CExpr>, Span),
    /// Operands combined with a loop, as written in a [`ExprKind::Chain`]: from the left, or
    /// from the right when `right` (`^`); `and` and `or` stop at the operand that decides.
    /// Each link has its operator, operand and the span of the run up to it.
    Chain {
        first: Box<CExpr>,
        links: Vec<(Op2, CExpr, Span)>,
        right: bool,
    },
    If(Box<CExpr>, Box<CExpr>, Box<CExpr>),
    /// `if ... else if ... else`: the value of the first arm whose condition holds, else
    /// the last.
    Select(Vec<(CExpr, CExpr)>, Box<CExpr>),
    /// A param looked up by an integer (or a position in the choice set): `values[arg - offset]`.
    Table {
        values: Vec<f64>,
        offset: i64,
        arg: Box<CExpr>,
        span: Span,
    },
}

impl CExpr {
    /// Evaluate at a state and decision, with the stage's constants.
    pub fn eval(&self, state: &[i64], d: i64, consts: &[f64]) -> Result<f64, EvalError> {
        Ok(match self {
            CExpr::Const(v) => *v,
            CExpr::Stage(k) => consts[*k],
            CExpr::State(i) => state[*i] as f64,
            CExpr::Decision => d as f64,
            CExpr::Un(op, x) => {
                let v = x.eval(state, d, consts)?;
                match op {
                    Op1::Neg => -v,
                    Op1::Not => (v == 0.0) as u8 as f64,
                    Op1::Ceil => v.ceil(),
                    Op1::Floor => v.floor(),
                    Op1::Round => v.round(),
                    Op1::Abs => v.abs(),
                }
            }
            CExpr::Bin(op, a, b, span) => {
                let x = a.eval(state, d, consts)?;
                if let Some(v) = short_circuit(*op, x) {
                    return Ok(v);
                }
                apply(*op, x, b.eval(state, d, consts)?, *span)?
            }
            CExpr::Chain {
                first,
                links,
                right: false,
            } => {
                let mut x = first.eval(state, d, consts)?;
                for (op, b, span) in links {
                    if let Some(v) = short_circuit(*op, x) {
                        return Ok(v);
                    }
                    x = apply(*op, x, b.eval(state, d, consts)?, *span)?;
                }
                x
            }
            CExpr::Chain {
                first,
                links,
                right: true,
            } => {
                let mut values: SmallVec<[f64; 8]> = SmallVec::new();
                values.push(first.eval(state, d, consts)?);
                for (_, b, _) in links {
                    values.push(b.eval(state, d, consts)?);
                }
                let mut y = values.pop().unwrap_or(0.0);
                for ((op, _, span), x) in links.iter().zip(values).rev() {
                    y = apply(*op, x, y, *span)?;
                }
                y
            }
            CExpr::Select(arms, otherwise) => {
                for (c, a) in arms {
                    if c.eval(state, d, consts)? != 0.0 {
                        return a.eval(state, d, consts);
                    }
                }
                otherwise.eval(state, d, consts)?
            }
            CExpr::If(c, a, b) => {
                if c.eval(state, d, consts)? != 0.0 {
                    a.eval(state, d, consts)?
                } else {
                    b.eval(state, d, consts)?
                }
            }
            CExpr::Table {
                values,
                offset,
                arg,
                span,
            } => {
                let k = arg.eval(state, d, consts)?;
                let i = k.round() as i64 - offset;
                match values.get(i as usize) {
                    Some(v) if i >= 0 && !v.is_nan() => *v,
                    _ => {
                        return Err(EvalError::at(
                            EvalErrorKind::OutOfDomain(format!("no table value for {k}")),
                            *span,
                        ))
                    }
                }
            }
        })
    }
}

/// The value of `x op ...` when `x` alone decides it: logic short-circuits so that guards
/// protect their right side.
#[inline]
fn short_circuit(op: Op2, x: f64) -> Option<f64> {
    match op {
        Op2::And if x == 0.0 => Some(0.0),
        Op2::Or if x != 0.0 => Some(1.0),
        Op2::Implies if x == 0.0 => Some(1.0),
        _ => None,
    }
}

/// `x op y`, as the tree evaluation computes it.
#[inline]
fn apply(op: Op2, x: f64, y: f64, span: Span) -> Result<f64, EvalError> {
    let t = |c: bool| c as u8 as f64;
    Ok(match op {
        Op2::Add => x + y,
        Op2::Sub => x - y,
        Op2::Mul => x * y,
        Op2::Div | Op2::Mod if y == 0.0 => {
            return Err(EvalError::at(EvalErrorKind::DivisionByZero, span))
        }
        Op2::Div => x / y,
        Op2::Mod => x.rem_euclid(y),
        Op2::Pow => x.powf(y),
        Op2::Min => x.min(y),
        Op2::Max => x.max(y),
        Op2::Lt => t(x < y),
        Op2::Le => t(x <= y + 1e-9 * y.abs().max(1.0)),
        Op2::Gt => t(x > y),
        Op2::Ge => t(x + 1e-9 * x.abs().max(1.0) >= y),
        Op2::Eq => t((x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)),
        Op2::Ne => t((x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0)),
        Op2::And | Op2::Or | Op2::Implies => t(y != 0.0),
        Op2::Iff => t((x != 0.0) == (y != 0.0)),
    })
}

fn op2(op: BinOp) -> Op2 {
    match op {
        BinOp::Add => Op2::Add,
        BinOp::Sub => Op2::Sub,
        BinOp::Mul => Op2::Mul,
        BinOp::Div => Op2::Div,
        BinOp::Mod => Op2::Mod,
        BinOp::Pow => Op2::Pow,
        BinOp::And => Op2::And,
        BinOp::Or => Op2::Or,
        BinOp::Implies => Op2::Implies,
        BinOp::Iff => Op2::Iff,
    }
}

/// Compiles the expressions of one plan instance.
pub struct PlanCompiler<'p> {
    pub plan: &'p PlanInfo,
    /// Stage elements in order.
    pub stages: Vec<ElemId>,
    /// Elements of a set-valued choice, in order.
    pub choice_set: Option<Vec<ElemId>>,
    /// Per-stage constants: `table[stage][k]`.
    pub table: Vec<Vec<f64>>,
}

impl PlanCompiler<'_> {
    /// A [`ExprKind::Chain`] as one [`CExpr::Chain`]; `p -> q -> r` becomes
    /// `not p or not q or r`, which short-circuits the same way.
    fn compile_chain(&mut self, inst: &mut Inst, first: &Expr, links: &[ChainLink]) -> R<CExpr> {
        let implies = links.first().is_some_and(|l| l.0 == BinOp::Implies);
        let right = links.first().is_some_and(|l| l.0 == BinOp::Pow);
        let last = links.last().map_or(first.span, |l| l.2.span);
        let mut head = self.compile(inst, first)?;
        if implies {
            head = CExpr::Un(Op1::Not, Box::new(head));
        }
        let mut out = Vec::with_capacity(links.len());
        let mut prev = first.span;
        for (i, (op, _, x)) in links.iter().enumerate() {
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

    fn mentions_plan_vars(&self, e: &Expr) -> bool {
        let mut found = false;
        let mut e2 = e.clone();
        crate::resolve::visit_expr(&mut e2, &mut |x| {
            if let ExprKind::Name(id) = &x.kind {
                if self.plan.is_plan_var(&id.name) {
                    found = true;
                }
            }
        });
        found
    }

    fn is_choice(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Name(id) if self.plan.choose.as_ref().is_some_and(|c| c.0 == id.name))
    }

    /// Evaluate a data expression at every stage (with the stage variable bound).
    fn stage_data(&mut self, inst: &mut Inst, e: &Expr) -> R<CExpr> {
        let mut vals = Vec::with_capacity(self.stages.len());
        for &q in &self.stages.clone() {
            inst.env
                .push((self.plan.decl.stage_var.name.clone(), Value::Elem(q)));
            let v = inst.eval(e);
            inst.env.pop();
            let v = match v? {
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
    pub fn compile(&mut self, inst: &mut Inst, e: &Expr) -> R<CExpr> {
        if !self.mentions_plan_vars(e) {
            return self.stage_data(inst, e);
        }
        let b = |x: CExpr| Box::new(x);
        Ok(match &e.kind {
            ExprKind::Name(id) => {
                if let Some(i) = self.plan.states.iter().position(|s| s.0 == id.name) {
                    CExpr::State(i)
                } else {
                    CExpr::Decision
                }
            }
            ExprKind::Unary(op, x) => CExpr::Un(
                if *op == UnOp::Neg { Op1::Neg } else { Op1::Not },
                b(self.compile(inst, x)?),
            ),
            ExprKind::Chain(first, links) => self.compile_chain(inst, first, links)?,
            ExprKind::IfChain(arms, otherwise) => {
                let mut compiled = Vec::with_capacity(arms.len());
                for arm in arms {
                    compiled.push((
                        self.compile(inst, &arm.cond)?,
                        self.compile(inst, &arm.value)?,
                    ));
                }
                CExpr::Select(compiled, b(self.compile(inst, otherwise)?))
            }
            ExprKind::Binary(op, x, y) => CExpr::Bin(
                op2(*op),
                b(self.compile(inst, x)?),
                b(self.compile(inst, y)?),
                e.span,
            ),
            ExprKind::Compare(first, links) => {
                let mut parts = Vec::new();
                let mut left = first.as_ref();
                for (op, span, right) in links {
                    let op2 = match op {
                        CmpOp::Eq => Op2::Eq,
                        CmpOp::Ne => Op2::Ne,
                        CmpOp::Lt => Op2::Lt,
                        CmpOp::Le => Op2::Le,
                        CmpOp::Gt => Op2::Gt,
                        CmpOp::Ge => Op2::Ge,
                        CmpOp::In | CmpOp::NotIn => {
                            return Err(unsupported(*span, "`in` over plan variables"))
                        }
                    };
                    parts.push(CExpr::Bin(
                        op2,
                        b(self.compile(inst, left)?),
                        b(self.compile(inst, right)?),
                        *span,
                    ));
                    left = right;
                }
                parts
                    .into_iter()
                    .reduce(|a, c| CExpr::Bin(Op2::And, b(a), b(c), e.span))
                    .unwrap_or(CExpr::Const(1.0))
            }
            ExprKind::If(c, x, y) => CExpr::If(
                b(self.compile(inst, c)?),
                b(self.compile(inst, x)?),
                b(self.compile(inst, y)?),
            ),
            ExprKind::Call(name, args) => {
                let op1 = match name.name.as_str() {
                    "ceil" => Some(Op1::Ceil),
                    "floor" => Some(Op1::Floor),
                    "round" => Some(Op1::Round),
                    "abs" => Some(Op1::Abs),
                    _ => None,
                };
                if let (Some(op), [a]) = (op1, args.as_slice()) {
                    return Ok(CExpr::Un(op, b(self.compile(inst, &a.value)?)));
                }
                if matches!(name.name.as_str(), "min" | "max") && args.len() >= 2 {
                    let op = if name.name == "min" {
                        Op2::Min
                    } else {
                        Op2::Max
                    };
                    let mut acc = self.compile(inst, &args[0].value)?;
                    for a in &args[1..] {
                        acc = CExpr::Bin(op, b(acc), b(self.compile(inst, &a.value)?), e.span);
                    }
                    return Ok(acc);
                }
                if let Some(Global::Fn(f)) = inst.schema.globals.get(&name.name).copied() {
                    let decl = &inst.schema.fns[f].decl;
                    let map = decl
                        .params
                        .iter()
                        .zip(args)
                        .map(|(p, a)| (p.name.name.clone(), a.value.clone()))
                        .collect();
                    let mut body = decl.body.clone();
                    crate::resolve::substitute_names(&mut body, &map);
                    return self.compile(inst, &body);
                }
                return Err(unsupported(
                    e.span,
                    &format!("`{}` of plan variables", name.name),
                ));
            }
            ExprKind::Index(base, args) => self.table(inst, base, args, e.span)?,
            _ => return Err(unsupported(e.span, "this expression over plan variables")),
        })
    }

    /// `param[..., x, ...]` where `x` depends on the state or decision: a lookup table over
    /// the param's values along that index.
    fn table(&mut self, inst: &mut Inst, base: &Expr, args: &[Expr], span: Span) -> R<CExpr> {
        let ExprKind::Name(id) = &base.kind else {
            return Err(unsupported(span, "indexing here"));
        };
        let Some(Global::Param(p)) = inst.schema.globals.get(&id.name).copied() else {
            return Err(unsupported(
                span,
                "indexing anything but a param with plan variables",
            ));
        };
        let varying: Vec<usize> = args
            .iter()
            .enumerate()
            .filter(|(_, a)| self.mentions_plan_vars(a))
            .map(|(i, _)| i)
            .collect();
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
                fixed.push(Some(inst.elem_of(a)?));
            } else {
                fixed.push(None);
            }
        }
        let dim_set = inst.set_value(&inst.schema.params[p].dims[k].set.clone())?;
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
