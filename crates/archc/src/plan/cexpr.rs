//! The expression trees a compiled DP plan evaluates at every state and decision
//! ([`CExpr`]), with the operators they apply: built by `compile`, run by the DP backend
//! millions of times.

use crate::backends::dp::{EvalError, EvalErrorKind};
use crate::span::Span;
use crate::syntax::ast::BinOp;
use smallvec::SmallVec;

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

pub(super) fn op2(op: BinOp) -> Op2 {
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
