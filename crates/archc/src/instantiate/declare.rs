//! Expanding declarations into the IR: each decision into columns (with bounds that may
//! depend on the index), each constraint into rows (through the logic lowering of
//! [`super::linear`]), and the objective into terms kept apart for the report.

use super::eval::R;
use super::hir_eval::Bound;
use super::linear::{CompiledData, Lin};
use super::world::*;
use super::{DecisionCols, Inst};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::hir;
use crate::ir::{self, ColId, Column, DeclKind, Origin, VarKind};
use crate::syntax::ast::{self, BinOp, BoundOp};
use rustc_hash::FxHashMap;

const EPS: f64 = 1e-9;

impl<'a> Inst<'a> {
    pub(crate) fn instantiate_decision(&mut self, d: usize) -> R<()> {
        let schema = self.schema;
        let info = &schema.decisions[d];
        self.current_decl = info.name.clone();
        let decl_id = self.model.add_decl(ir::Decl {
            name: info.name.clone(),
            kind: DeclKind::Decision,
            span: info.span,
            index_names: info.dims.iter().map(|x| x.var.clone()).collect(),
            unit: info.unit_text.clone(),
            note: String::new(),
        });
        self.origin = Origin {
            decl: decl_id,
            tuple: 0,
        };
        let scale = info.unit.scale;
        let kind = info.var_kind;
        let decl = &info.decl;
        let Some(h) = self.hir.and_then(|h| h.decisions.get(d)) else {
            return Err(super::hir_eval::internal(
                info.span,
                "a decision without its HIR",
            ));
        };
        let ix = &h.body.index;
        let slots = ix.slots();
        // A set that reads an earlier index variable (`[w in weeks, v in w..4]`) has no one
        // value: such a decision's columns are found by tuple, as a filtered one's.
        let dependent = ix.has_dependent_set();
        let sets = self.in_frame(h.slots.len(), |me| {
            ix.binders
                .iter()
                .map(|b| match dependent {
                    true => Ok(Default::default()),
                    false => me.h_set(&b.set),
                })
                .collect::<R<Vec<_>>>()
        })?;
        let filtered = ix.filter.is_some() || dependent;
        let bounds_const = !h.body.bounds.iter().any(|(_, e)| e.reads_any(&slots));
        let base = self.model.columns.len() as u32;
        let mut cols = DecisionCols {
            sets: sets.clone(),
            base,
            dense: !filtered,
            sparse: FxHashMap::default(),
            count: 0,
        };
        let (const_lb, const_ub) = if bounds_const {
            self.in_frame(h.slots.len(), |me| me.eval_bounds(d, h, kind, scale))?
        } else {
            (0.0, 0.0)
        };
        // Index tuples, flat: `arity` elements each.
        let arity = slots.len();
        let mut tuples: Vec<ElemId> = Vec::new();
        let mut count = 0usize;
        match &decl.index {
            None => count = 1,
            Some(_) => {
                let room = self
                    .limits
                    .max_columns
                    .saturating_sub(self.model.columns.len());
                if let Some(t) = self.compiled_decision_tuples(d, room) {
                    count = t.len() / arity.max(1);
                    tuples = t;
                } else {
                    self.in_frame(h.slots.len(), |me| {
                        me.decision_tuples(ix, d, &mut tuples, &mut count)
                    })?;
                }
            }
        }
        let compiled = if bounds_const {
            None
        } else {
            self.compile_bounds(d, arity)
        };
        if bounds_const && !filtered && arity > 0 {
            // One kind and one pair of bounds for every column: added at once.
            let bounds = (kind, const_lb, const_ub);
            self.model
                .append_columns(decl_id, bounds, &tuples[..count * arity], arity);
            cols.count = count;
        } else {
            self.model.columns.reserve(count);
            self.model.tuples.reserve(tuples.len());
            self.in_frame(h.slots.len(), |me| -> R<()> {
                for i in 0..count {
                    let t = &tuples[i * arity..(i + 1) * arity];
                    let (lb, ub) = if bounds_const {
                        (const_lb, const_ub)
                    } else if let Some(b) = compiled
                        .as_ref()
                        .and_then(|c| me.run_bounds(c, t, kind, scale))
                    {
                        b
                    } else {
                        for (&s, &x) in slots.iter().zip(t) {
                            me.bind(s, Bound::Value(Value::Elem(x)));
                        }
                        me.eval_bounds(d, h, kind, scale)
                            .map_err(|e| me.in_instance(e, &info.name, t))?
                    };
                    let tuple = me.model.add_tuple(t);
                    let c = me.model.add_column(Column {
                        kind,
                        lb,
                        ub,
                        origin: Origin {
                            decl: decl_id,
                            tuple,
                        },
                    });
                    if filtered {
                        cols.sparse.insert(t.into(), c.0);
                    }
                    cols.count += 1;
                }
                Ok(())
            })?;
        }
        if self.decisions.len() <= d {
            self.decisions.resize_with(d + 1, || None);
        }
        self.decisions[d] = Some(cols);
        Ok(())
    }

    /// The index tuples of decision `d` by the evaluator (flat, one element per
    /// dimension each), counted in `count`; E0604 past the column limit.
    fn decision_tuples(
        &mut self,
        ix: &'a hir::Index,
        d: usize,
        tuples: &mut Vec<ElemId>,
        count: &mut usize,
    ) -> R<()> {
        let limit = self.limits.max_columns;
        let span = self.schema.decisions[d].span;
        let cur = self.model.columns.len();
        self.h_for_each(ix, &mut |me| {
            if cur + *count >= limit {
                return Err(me.too_large("columns", span));
            }
            *count += 1;
            tuples.extend(ix.binders.iter().map(|b| me.slot_elem(b.slot)));
            Ok(())
        })
    }

    /// The bounds of decision `d` compiled from its HIR over its `arity` index variables,
    /// each with its operator, when they all lie inside the compiled fragment.
    fn compile_bounds(&mut self, d: usize, arity: usize) -> Option<Vec<(BoundOp, CompiledData)>> {
        let h = self.hir?.decisions.get(d)?;
        let exprs: Vec<&hir::Expr> = h.body.bounds.iter().map(|(_, e)| e).collect();
        let code = self.compile_over_index(&h.body.index, &h.slots, arity, &exprs)?;
        Some(h.body.bounds.iter().map(|(op, _)| *op).zip(code).collect())
    }

    /// The bounds at one index tuple by the compiled code, as [`Inst::eval_bounds`] gives
    /// them; `None` when a run bails out or the range is empty (the evaluator reports it).
    fn run_bounds(
        &mut self,
        bounds: &[(BoundOp, CompiledData)],
        tuple: &[ElemId],
        kind: VarKind,
        scale: f64,
    ) -> Option<(f64, f64)> {
        let (mut lb, mut ub) = match kind {
            VarKind::Binary => (0.0, 1.0),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        for (op, c) in bounds {
            let v = match self.run_at(c, tuple)? {
                Value::Num(n) => n,
                Value::Bool(b) => f64::from(u8::from(b)),
                Value::Elem(x) => self.world.elem_number(x)?,
                _ => return None,
            } / scale;
            match op {
                BoundOp::Ge => lb = lb.max(v),
                BoundOp::Le => ub = ub.min(v),
                BoundOp::Eq => {
                    lb = v;
                    ub = v;
                }
            }
        }
        (lb <= ub + EPS).then_some((lb, ub))
    }

    /// The bounds of decision `d` (its HIR `h`) with its slots bound in the frame; E0616
    /// for an empty range.
    fn eval_bounds(
        &mut self,
        d: usize,
        h: &'a hir::Decl<hir::Decision>,
        kind: VarKind,
        scale: f64,
    ) -> R<(f64, f64)> {
        let (mut lb, mut ub) = match kind {
            VarKind::Binary => (0.0, 1.0),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        for (op, e) in &h.body.bounds {
            let v = self.h_num(e)? / scale;
            match op {
                BoundOp::Ge => lb = lb.max(v),
                BoundOp::Le => ub = ub.min(v),
                BoundOp::Eq => {
                    lb = v;
                    ub = v;
                }
            }
        }
        if lb > ub + EPS {
            let name = &self.schema.decisions[d].decl.name;
            return Err(Diagnostic::error(
                Code::E0616,
                format!(
                    "`{}` has an empty range: lower bound {} is above upper bound {}",
                    name.name,
                    crate::ir::dump::fmt_num(lb),
                    crate::ir::dump::fmt_num(ub)
                ),
            )
            .primary(name.span, "no value fits")
            .help("check the bounds and the data they read"));
        }
        Ok((lb, ub))
    }

    pub(crate) fn instantiate_constraint(&mut self, c: usize) -> R<()> {
        let schema = self.schema;
        let info = &schema.constraints[c];
        self.current_decl = info.name.clone();
        let Some(h) = self.hir.and_then(|h| h.constraints.get(c)) else {
            return Err(super::hir_eval::internal(
                info.span,
                "a constraint without its HIR",
            ));
        };
        // The rows are in the unit of the comparison's sides (see `emit_row`), as the
        // checker found it for this declaration.
        let unit = match &h.body.body.kind {
            hir::ExprKind::Compare(lhs, links) => links
                .first()
                .and_then(|(_, _, rhs)| super::linear::compare_unit(&schema.units, lhs, rhs))
                .map(|u| schema.units.format(&u))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let decl_id = self.model.add_decl(ir::Decl {
            name: info.name.clone(),
            kind: DeclKind::Constraint,
            span: info.span,
            index_names: info.dims.iter().map(|x| x.var.clone()).collect(),
            unit,
            note: String::new(),
        });
        let body = &h.body.body;
        let span = info.span;
        let start = self.model.rows.len() as u32;
        if let Some(r) = self.compiled_constraint_rows(c, decl_id) {
            self.leave_hir();
            r?;
            self.push_constraint_rows(c, start);
            return Ok(());
        }
        let ix = &h.body.index;
        let slots = ix.slots();
        self.enter_constraint_hir(c);
        let mut emit = |me: &mut Self| -> R<()> {
            let tuple = me.model.tuples.len() as u32;
            me.hir_scope.tuple = tuple as usize;
            for s in &slots {
                let x = me.slot_elem(*s);
                me.model.tuples.push(x);
            }
            let origin = Origin {
                decl: decl_id,
                tuple,
            };
            me.origin = origin;
            me.formula(body)
                .and_then(|f| me.assert(f, origin, span))
                .map_err(|d| {
                    let key = me.model.tuples[tuple as usize..].to_vec();
                    me.in_instance(d, &info.name, &key)
                })
        };
        // An empty index list runs `emit` once.
        let r = self.in_frame(h.slots.len(), |me| me.h_for_each(ix, &mut emit));
        self.leave_hir();
        r?;
        self.push_constraint_rows(c, start);
        Ok(())
    }

    /// Record the rows of constraint `c`: from `start` to the last row made.
    fn push_constraint_rows(&mut self, c: usize, start: u32) {
        let end = self.model.rows.len() as u32;
        if self.constraint_rows.len() <= c {
            self.constraint_rows.resize_with(c + 1, Vec::new);
        }
        self.constraint_rows[c].push(start..end);
    }

    /// The objective `o` of the schema, with its tolerance (zero when it has none).
    pub(crate) fn instantiate_objective(&mut self, o: usize) -> R<(ir::Objective, ir::Tolerance)> {
        let schema = self.schema;
        let info = &schema.objectives[o];
        self.current_decl = info.name.clone();
        let decl_id = self.model.add_decl(ir::Decl {
            name: info.name.clone(),
            kind: DeclKind::Constraint,
            span: info.span,
            index_names: Vec::new(),
            unit: info.unit_text.clone(),
            note: "objective".into(),
        });
        self.origin = Origin {
            decl: decl_id,
            tuple: self.model.add_tuple(&[]),
        };
        let sense = match info.decl.sense {
            ast::ObjectiveSense::Minimize => ir::Sense::Minimize,
            ast::ObjectiveSense::Maximize => ir::Sense::Maximize,
        };
        let pol: i8 = if sense == ir::Sense::Minimize { 1 } else { -1 };
        let scale = if info.unit.scale > 0.0 {
            info.unit.scale
        } else {
            1.0
        };
        let Some(h) = self.hir.and_then(|h| h.objectives.get(o)) else {
            return Err(super::hir_eval::internal(
                info.span,
                "an objective without its HIR",
            ));
        };
        let mut terms = Vec::new();
        split_terms(&h.body.body, 1.0, &mut terms);
        self.enter_objective_hir(o);
        let n_slots = h.slots.len();
        let out = self.in_frame(n_slots, |me| {
            let mut out = Vec::with_capacity(terms.len());
            for (e, sign) in terms {
                let mut l = Lin::default();
                me.lin(e, sign, pol, &mut l)?;
                l.normalize();
                let text = me
                    .sources
                    .slice(e.span)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let label = if text.chars().count() > 60 {
                    format!("{}…", text.chars().take(59).collect::<String>())
                } else {
                    text
                };
                out.push(ir::ObjectiveTerm {
                    label: if sign < 0.0 {
                        format!("- {label}")
                    } else {
                        label
                    },
                    span: e.span,
                    // Collected in place: a sum of millions of terms is not copied.
                    coefs: std::mem::take(&mut l.terms)
                        .into_iter()
                        .map(|(c, v)| (ColId(c), v / scale))
                        .collect(),
                    constant: l.constant / scale,
                });
            }
            Ok(out)
        });
        self.leave_hir();
        let out = out?;
        let objective = ir::Objective {
            name: info.name.clone(),
            sense,
            span: info.span,
            unit: info.unit_text.clone(),
            terms: out,
        };
        let mut tolerance = ir::Tolerance::default();
        if let Some(within) = &h.body.within {
            let v = self.in_frame(n_slots, |me| me.h_num(within))?;
            if v < 0.0 || v.is_nan() {
                return Err(Diagnostic::error(
                    Code::E0650,
                    format!("the tolerance of `{}` is negative", info.name),
                )
                .primary(within.span, "this is below zero")
                .help("a tolerance says how far the objective may move from its optimum; use 0 or more"));
            }
            if info.relative_tolerance {
                tolerance.relative = v;
            } else {
                tolerance.absolute = v / scale;
            }
        }
        Ok((objective, tolerance))
    }
}

/// The terms of a sum at the top of an objective, each with its sign: each is lowered and
/// reported on its own.
fn split_terms<'e>(e: &'e hir::Expr, sign: f64, out: &mut Vec<(&'e hir::Expr, f64)>) {
    match &e.kind {
        hir::ExprKind::Chain(first, links)
            if links
                .first()
                .is_some_and(|l| matches!(l.0, BinOp::Add | BinOp::Sub)) =>
        {
            split_terms(first, sign, out);
            for (op, x) in links {
                split_terms(x, if *op == BinOp::Sub { -sign } else { sign }, out);
            }
        }
        _ => out.push((e, sign)),
    }
}
