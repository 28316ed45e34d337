//! Evaluating conditions over a solved model (the `expect` lines of `test` blocks): the
//! condition is lowered like a constraint body, and its linear parts are evaluated at the
//! solution values.

use super::linear::{CmpKind, F};
use super::{Inst, Instance};
use crate::check::Schema;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::hir::Expect;
use crate::instantiate::hir_eval::internal;
use crate::source::SourceMap;
use crate::span::Span;
use crate::syntax::ast::CmpOp;

/// The `expect` number `expect` of test number `test` in the HIR, with the number of slots
/// of the test.
fn expectation(
    hir: &crate::hir::Model,
    test: usize,
    expect: usize,
) -> Result<(&Expect, Span, usize), Diagnostic> {
    let t = hir.tests.get(test);
    match t.and_then(|t| t.body.expects.get(expect).map(|x| (x, t.slots.len()))) {
        Some(((x, span), n)) => Ok((x, *span, n)),
        None => Err(internal(Span::default(), "an expectation without its HIR")),
    }
}

/// Does `expect holds` number `expect` of test number `test` hold at `values`? Numbers
/// compare with a relative tolerance of 1e-6.
pub fn holds(
    schema: &Schema,
    hir: &crate::hir::Model,
    sources: &mut SourceMap,
    instance: &mut Instance,
    values: &[f64],
    test: usize,
    expect: usize,
) -> Result<bool, Diagnostic> {
    let (x, span, n) = expectation(hir, test, expect)?;
    let Expect::Holds(cond) = x else {
        return Err(internal(span, "an expectation that is no condition"));
    };
    let world = std::mem::take(&mut instance.world);
    let mut inst = Inst::resume(schema, sources, world);
    inst.hir = Some(hir);
    inst.model = std::mem::take(&mut instance.model);
    inst.decisions = std::mem::take(&mut instance.decisions)
        .into_iter()
        .map(Some)
        .collect();
    let rows_before = inst.model.rows.len();
    let cols_before = inst.model.columns.len();
    let movements_before = inst.model.movements.len();
    let r = inst.in_frame(n, |me| me.formula(cond).map(|f| eval(&f, values)));
    // Auxiliary columns or rows made while lowering the condition are dropped again.
    inst.model.columns.truncate(cols_before);
    inst.model.rows.truncate(rows_before);
    inst.model.movements.truncate(movements_before);
    let nnz = inst
        .model
        .row_start
        .get(rows_before)
        .copied()
        .unwrap_or(inst.model.row_cols.len());
    inst.model.row_start.truncate(rows_before + 1);
    inst.model.row_cols.truncate(nnz);
    inst.model.row_vals.truncate(nnz);
    instance.world = inst.world;
    instance.model = inst.model;
    instance.decisions = inst
        .decisions
        .into_iter()
        .map(|d| d.unwrap_or_default())
        .collect();
    let r = r?;
    r.ok_or_else(|| {
        Diagnostic::error(Code::E0620, "this expectation needs logic over decisions that archc cannot evaluate after the solve")
            .primary(cond.span, "use comparisons of decisions and data")
    })
}

/// The bounds of `expect objective` number `expect` of test number `test`, each with its
/// comparison, in base units.
pub fn objective_bounds(
    schema: &Schema,
    hir: &crate::hir::Model,
    sources: &mut SourceMap,
    instance: &mut Instance,
    test: usize,
    expect: usize,
) -> Result<Vec<(CmpOp, f64)>, Diagnostic> {
    let (x, span, n) = expectation(hir, test, expect)?;
    let Expect::Objective(bounds) = x else {
        return Err(internal(span, "an expectation that is no objective bound"));
    };
    let world = std::mem::take(&mut instance.world);
    let mut inst = Inst::resume(schema, sources, world);
    inst.hir = Some(hir);
    let r = inst.in_frame(n, |me| {
        bounds
            .iter()
            .map(|(op, b)| me.h_num(b).map(|v| (*op, v)))
            .collect()
    });
    instance.world = inst.world;
    r
}

/// Does formula `f` hold at `values` (relative tolerance 1e-6)?
pub(crate) fn eval(f: &F, values: &[f64]) -> Option<bool> {
    Some(match f {
        F::Const(b) => *b,
        F::Lit(z) => {
            let v = values.get(z.col as usize).copied()? > 0.5;
            v != z.neg
        }
        F::Cmp { lin, op, .. } => {
            let mut v = lin.constant;
            let mut mag = lin.constant.abs();
            for &(c, k) in &lin.terms {
                let x = k * values.get(c as usize).copied()?;
                v += x;
                mag = mag.max(x.abs());
            }
            let tol = 1e-6 * mag.max(1.0);
            match op {
                CmpKind::Le => v <= tol,
                CmpKind::Ge => v >= -tol,
                CmpKind::Eq => v.abs() <= tol,
            }
        }
        F::And(v) => {
            for x in v {
                if !eval(x, values)? {
                    return Some(false);
                }
            }
            true
        }
        F::Or(v) => {
            for x in v {
                if eval(x, values)? {
                    return Some(true);
                }
            }
            false
        }
        F::Not(x) => !eval(x, values)?,
    })
}
