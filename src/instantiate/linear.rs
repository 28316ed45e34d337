//! Linear expressions over decisions, and the lowering of logic. A constraint body becomes
//! rows; `->`, `<->`, `and`, `or`, `not`, `count(...)`, `max`/`min` of decisions and products
//! of a bool with a bounded decision become auxiliary columns and rows whose big-M values
//! come from the bounds of the expressions involved — never from a constant.

use super::eval::{runtime_error, R};

use super::Inst;
use crate::check::Global;
use crate::diagnostics::Diagnostic;
use crate::ir::{self, ColId, Column, DeclKind, Origin, Row, VarKind};
use crate::span::Span;
use crate::syntax::ast::{self, AggKind, BinOp, CmpOp, Expr, ExprKind, UnOp};

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

/// A condition over decisions.
#[derive(Clone, Debug)]
pub enum F {
    Const(bool),
    Lit(Lit),
    /// `lin <= 0`, `lin >= 0` or `lin == 0`; `integral` when every term and the constant
    /// are integers (strict comparisons then move by one).
    Cmp {
        lin: Lin,
        op: CmpKind,
        integral: bool,
        span: Span,
        unit_scale: f64,
    },
    And(Vec<F>),
    Or(Vec<F>),
    Not(Box<F>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CmpKind {
    Le,
    Ge,
    Eq,
}

const EPS: f64 = 1e-9;

impl Lin {
    fn add(&mut self, other: &Lin, k: f64) {
        for &(c, v) in &other.terms {
            self.terms.push((c, v * k));
        }
        self.constant += other.constant * k;
    }

    /// Merge duplicate columns and drop zeros.
    pub fn normalize(&mut self) {
        if self.terms.len() > 1 {
            self.terms.sort_unstable_by_key(|t| t.0);
            let mut out: Vec<(u32, f64)> = Vec::with_capacity(self.terms.len());
            for &(c, v) in &self.terms {
                match out.last_mut() {
                    Some(last) if last.0 == c => last.1 += v,
                    _ => out.push((c, v)),
                }
            }
            self.terms = out;
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
            .ok_or_else(|| runtime_error("E0603", span, "decision not instantiated", "here"))?;
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
                "E0603",
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
        match &e.kind {
            ExprKind::Name(id) => {
                let Some(Global::Decision(d)) = self.schema.globals.get(&id.name).copied() else {
                    return Err(runtime_error(
                        "E0603",
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
                            "E0601",
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
                        "E0607",
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
            ExprKind::Agg { kind, index, body } => {
                let Some(body) = body.as_deref() else {
                    unreachable_expr(e)?
                };
                match kind {
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
                                "E0613",
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
            _ => {
                // A condition used as a number (a bool decision or a formula): 0/1.
                let f = self.formula(e)?;
                match f {
                    F::Const(b) => acc.constant += if b { k } else { 0.0 },
                    f => {
                        let z = self.reify_full(f, e.span)?;
                        self.push_lit(z, k, acc);
                    }
                }
            }
        }
        Ok(())
    }

    fn push_lit(&self, z: Lit, k: f64, acc: &mut Lin) {
        if z.neg {
            acc.constant += k;
            acc.terms.push((z.col, -k));
        } else {
            acc.terms.push((z.col, k));
        }
    }

    /// The unit scale of a comparison's sides, as the checker found it for the declaration
    /// being expanded (the same template text may compare different units).
    fn compare_scale(&self, op_span: Span) -> f64 {
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

    /// A declaration for rows and columns the compiler makes from a source construct.
    fn derived(&mut self, span: Span, note: &str) -> ir::DeclId {
        let parent = self.origin.decl;
        if let Some(&d) = self.derived_decls.get(&(parent.0, span)) {
            return d;
        }
        let p = &self.model.decls[parent.0 as usize];
        let decl = ir::Decl {
            name: format!(
                "{}~{}",
                p.name,
                note.split_whitespace().next().unwrap_or("aux")
            ),
            kind: DeclKind::Derived,
            span,
            index_names: p.index_names.clone(),
            unit: String::new(),
            note: note.to_string(),
        };
        let d = self.model.add_decl(decl);
        self.derived_decls.insert((parent.0, span), d);
        d
    }

    fn new_col(&mut self, kind: VarKind, lb: f64, ub: f64, span: Span, note: &str) -> R<u32> {
        if self.model.columns.len() >= self.limits.max_columns {
            return Err(self.too_large("columns", span));
        }
        let decl = self.derived(span, note);
        let origin = Origin {
            decl,
            tuple: self.origin.tuple,
        };
        Ok(self
            .model
            .add_column(Column {
                kind,
                lb,
                ub,
                origin,
            })
            .0)
    }

    pub(crate) fn too_large(&self, what: &str, span: Span) -> Diagnostic {
        let name = self
            .model
            .decls
            .get(self.origin.decl.0 as usize)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        Diagnostic::error(
            "E0604",
            format!("the model exceeds the limit of {what} while expanding `{name}`"),
        )
        .primary(span, format!("this declaration makes too many {what}"))
        .help("add a `where` filter to the index, or raise the limit (--max-columns / --max-rows)")
    }

    /// Emit `lo <= lin <= hi` (lin's constant moves to the bounds), scaled by `scale`.
    pub(crate) fn emit_row(
        &mut self,
        mut lin: Lin,
        lo: f64,
        hi: f64,
        scale: f64,
        origin: Origin,
        span: Span,
    ) -> R<()> {
        lin.normalize();
        let s = if scale > 0.0 && scale.is_finite() {
            scale
        } else {
            1.0
        };
        let lo = (lo - lin.constant) / s;
        let hi = (hi - lin.constant) / s;
        if lin.terms.is_empty() {
            // A row without decisions: it either holds or the model is infeasible.
            if lo > EPS * lo.abs().max(1.0) || hi < -EPS * hi.abs().max(1.0) {
                self.model.elements = self.world.elems.iter().map(|e| e.name.clone()).collect();
                let name = self.model.origin_name(origin);
                return Err(
                    Diagnostic::error("E0615", format!("`{name}` can never hold"))
                        .primary(
                            span,
                            format!(
                                "without decisions this is {} <= 0 <= {}",
                                crate::ir::dump::fmt_num(lo),
                                crate::ir::dump::fmt_num(hi)
                            ),
                        )
                        .help("check the data this constraint reads"),
                );
            }
            return Ok(());
        }
        if self.model.rows.len() >= self.limits.max_rows {
            return Err(self.too_large("rows", span));
        }
        if self.model.row_cols.len() + lin.terms.len() > self.limits.max_nonzeros {
            return Err(self.too_large("nonzeros", span));
        }
        self.model.add_row(
            Row { lo, hi, origin },
            lin.terms.iter().map(|&(c, v)| (ColId(c), v / s)),
        );
        Ok(())
    }

    fn derived_row(&mut self, lin: Lin, lo: f64, hi: f64, span: Span, note: &str) -> R<()> {
        let decl = self.derived(span, note);
        let origin = Origin {
            decl,
            tuple: self.origin.tuple,
        };
        self.emit_row(lin, lo, hi, 1.0, origin, span)
    }

    /// `max`/`min` of linear expressions as a new column `t`.
    fn extremum(&mut self, is_max: bool, items: Vec<Lin>, k: f64, pol: i8, span: Span) -> R<u32> {
        let bounds: Vec<(f64, f64)> = items.iter().map(|l| self.bounds(l)).collect();
        let lo = if is_max {
            bounds.iter().map(|b| b.0).fold(f64::NEG_INFINITY, f64::max)
        } else {
            bounds.iter().map(|b| b.0).fold(f64::INFINITY, f64::min)
        };
        let hi = if is_max {
            bounds.iter().map(|b| b.1).fold(f64::NEG_INFINITY, f64::max)
        } else {
            bounds.iter().map(|b| b.1).fold(f64::INFINITY, f64::min)
        };
        let note = if is_max {
            "max epigraph"
        } else {
            "min hypograph"
        };
        let t = self.new_col(VarKind::Continuous, lo, hi, span, note)?;
        // Effective preference on t: k>0 keeps pol, k<0 flips it.
        let eff = if k < 0.0 { -pol } else { pol };
        let one_sided = (is_max && eff > 0) || (!is_max && eff < 0);
        for l in &items {
            // max: t >= l ; min: t <= l
            let mut row = Lin {
                terms: vec![(t, 1.0)],
                constant: 0.0,
            };
            row.add(l, -1.0);
            if is_max {
                self.derived_row(row, 0.0, f64::INFINITY, span, note)?;
            } else {
                self.derived_row(row, f64::NEG_INFINITY, 0.0, span, note)?;
            }
        }
        if !one_sided {
            // Exactness: t equals one of the items, chosen by binaries z_i.
            let mut pick = Lin::default();
            for (l, b) in items.iter().zip(&bounds) {
                let z = self.new_col(VarKind::Binary, 0.0, 1.0, span, "max choice")?;
                pick.terms.push((z, 1.0));
                // max: t <= l + M(1-z), M = hi - b.lo ; min: t >= l - M(1-z), M = b.hi - lo
                let m = if is_max { hi - b.0 } else { b.1 - lo };
                if !m.is_finite() {
                    return Err(self.needs_bounds(span, "`max`/`min` of decisions"));
                }
                let mut row = Lin {
                    terms: vec![(t, 1.0)],
                    constant: 0.0,
                };
                row.add(l, -1.0);
                if is_max {
                    row.terms.push((z, m));
                    self.derived_row(row, f64::NEG_INFINITY, m, span, "max choice")?;
                } else {
                    row.terms.push((z, -m));
                    self.derived_row(row, -m, f64::INFINITY, span, "min choice")?;
                }
            }
            self.derived_row(pick, 1.0, 1.0, span, "max choice")?;
        }
        Ok(t)
    }

    pub(crate) fn needs_bounds(&self, span: Span, what: &str) -> Diagnostic {
        Diagnostic::error(
            "E0605",
            format!("{what} needs bounds on the decisions involved"),
        )
        .primary(span, "an unbounded decision takes part here")
        .help("give the decisions bounds (`>= 0 <= 100`): big-M values are derived from them")
    }

    /// The product of two varying factors: one must be a condition (0/1).
    fn product(&mut self, a: &Expr, b: &Expr, span: Span) -> R<u32> {
        let a_bool = self.is_condition(a);
        let b_bool = self.is_condition(b);
        let (cond, other) = if a_bool {
            (a, b)
        } else if b_bool {
            (b, a)
        } else {
            return Err(
                Diagnostic::error("E0601", "product of two decisions is not linear")
                    .primary(span, "this product")
                    .help("one factor must be data, or a bool decision times a bounded decision"),
            );
        };
        let f = self.formula(cond)?;
        let z = self.reify_full(f, cond.span)?;
        self.lit_times(z, other, span)
    }

    fn is_condition(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Index(b, _) | ExprKind::Field(b, _)
                if matches!(&b.kind, ExprKind::Name(_)) =>
            {
                if let ExprKind::Name(id) = &b.kind {
                    if let Some(Global::Decision(d)) = self.schema.globals.get(&id.name) {
                        return self.schema.decisions[*d].var_kind == VarKind::Binary;
                    }
                }
                false
            }
            ExprKind::Name(id) => {
                matches!(self.schema.globals.get(&id.name), Some(Global::Decision(d)) if self.schema.decisions[*d].var_kind == VarKind::Binary)
            }
            ExprKind::Compare(..) | ExprKind::Unary(UnOp::Not, _) => true,
            ExprKind::Binary(op, _, _) => {
                matches!(op, BinOp::And | BinOp::Or | BinOp::Implies | BinOp::Iff)
            }
            _ => false,
        }
    }

    /// `w = z * e` for a literal z and a bounded expression e.
    fn lit_times(&mut self, z: Lit, e: &Expr, span: Span) -> R<u32> {
        let mut l = Lin::default();
        self.lin(e, 1.0, 0, &mut l)?;
        let (lo, hi) = self.bounds(&l);
        if !lo.is_finite() || !hi.is_finite() {
            return Err(self.needs_bounds(span, "a product with a bool"));
        }
        let w = self.new_col(
            VarKind::Continuous,
            lo.min(0.0),
            hi.max(0.0),
            span,
            "product",
        )?;
        // zl = z as a linear expression (z or 1 - z).
        let zl = |acc: &mut Lin, k: f64| {
            if z.neg {
                acc.constant += k;
                acc.terms.push((z.col, -k));
            } else {
                acc.terms.push((z.col, k));
            }
        };
        // w <= hi*z ; w >= lo*z
        let mut r = Lin {
            terms: vec![(w, 1.0)],
            constant: 0.0,
        };
        zl(&mut r, -hi);
        self.derived_row(r, f64::NEG_INFINITY, 0.0, span, "product")?;
        let mut r = Lin {
            terms: vec![(w, 1.0)],
            constant: 0.0,
        };
        zl(&mut r, -lo);
        self.derived_row(r, 0.0, f64::INFINITY, span, "product")?;
        // w <= e - lo*(1-z) ; w >= e - hi*(1-z)
        let mut r = Lin {
            terms: vec![(w, 1.0)],
            constant: 0.0,
        };
        r.add(&l, -1.0);
        r.constant += lo;
        zl(&mut r, -lo);
        self.derived_row(r, f64::NEG_INFINITY, 0.0, span, "product")?;
        let mut r = Lin {
            terms: vec![(w, 1.0)],
            constant: 0.0,
        };
        r.add(&l, -1.0);
        r.constant += hi;
        zl(&mut r, -hi);
        self.derived_row(r, 0.0, f64::INFINITY, span, "product")?;
        Ok(w)
    }

    /// A condition as a formula over decisions (data parts evaluated).
    pub(crate) fn formula(&mut self, e: &Expr) -> R<F> {
        if !self.is_var(e) {
            return Ok(F::Const(self.boolean(e)?));
        }
        Ok(match &e.kind {
            ExprKind::Name(_) | ExprKind::Index(..) => {
                let mut l = Lin::default();
                self.lin_atom(e, &mut l)?;
                match l.terms.as_slice() {
                    [(c, v)]
                        if *v == 1.0
                            && l.constant == 0.0
                            && self.model.columns[*c as usize].kind == VarKind::Binary =>
                    {
                        F::Lit(Lit {
                            col: *c,
                            neg: false,
                        })
                    }
                    _ => {
                        return Err(runtime_error(
                            "E0301",
                            e.span,
                            "expected a condition",
                            "not a bool decision",
                        ))
                    }
                }
            }
            ExprKind::Unary(UnOp::Not, x) => F::Not(Box::new(self.formula(x)?)),
            ExprKind::Binary(BinOp::And, a, b) => F::And(vec![self.formula(a)?, self.formula(b)?]),
            ExprKind::Binary(BinOp::Or, a, b) => F::Or(vec![self.formula(a)?, self.formula(b)?]),
            ExprKind::Binary(BinOp::Implies, a, b) => {
                F::Or(vec![F::Not(Box::new(self.formula(a)?)), self.formula(b)?])
            }
            ExprKind::Binary(BinOp::Iff, a, b) => {
                let fa = self.formula(a)?;
                let fb = self.formula(b)?;
                // A literal on one side is the indicator of the other side itself.
                for (x, y) in [(&fa, &fb), (&fb, &fa)] {
                    if let F::Lit(z) = x {
                        let z = *z;
                        self.implies(z, y.clone(), e.span)?;
                        self.implies(
                            Lit {
                                col: z.col,
                                neg: !z.neg,
                            },
                            negate(y.clone()),
                            e.span,
                        )?;
                        return Ok(F::Const(true));
                    }
                }
                // Otherwise both sides are reified and their indicators made equal.
                let za = self.reify_full(fa, a.span)?;
                let zb = self.reify_full(fb, b.span)?;
                F::Cmp {
                    lin: Lin {
                        terms: vec![
                            (za.col, if za.neg { -1.0 } else { 1.0 }),
                            (zb.col, if zb.neg { 1.0 } else { -1.0 }),
                        ],
                        constant: (za.neg as i32 - zb.neg as i32) as f64,
                    },
                    op: CmpKind::Eq,
                    integral: true,
                    span: e.span,
                    unit_scale: 1.0,
                }
            }
            ExprKind::Compare(first, links) => {
                let mut parts = Vec::new();
                let mut left = first.as_ref();
                for (op, op_span, right) in links {
                    let scale = self.compare_scale(*op_span);
                    let mut l = Lin::default();
                    let pol_l: i8 = match op {
                        CmpOp::Le | CmpOp::Lt => 1,
                        CmpOp::Ge | CmpOp::Gt => -1,
                        _ => 0,
                    };
                    self.lin(left, 1.0, pol_l, &mut l)?;
                    self.lin(right, -1.0, pol_l, &mut l)?;
                    l.normalize();
                    let integral = self.integral(&l);
                    let (kind, shift) = match op {
                        CmpOp::Le => (CmpKind::Le, 0.0),
                        CmpOp::Ge => (CmpKind::Ge, 0.0),
                        CmpOp::Eq => (CmpKind::Eq, 0.0),
                        CmpOp::Lt => (CmpKind::Le, if integral { 1.0 } else { 0.0 }),
                        CmpOp::Gt => (CmpKind::Ge, if integral { -1.0 } else { 0.0 }),
                        CmpOp::Ne => {
                            let le = F::Cmp {
                                lin: Lin {
                                    terms: l.terms.clone(),
                                    constant: l.constant + if integral { 1.0 } else { 0.0 },
                                },
                                op: CmpKind::Le,
                                integral,
                                span: *op_span,
                                unit_scale: scale,
                            };
                            let ge = F::Cmp {
                                lin: Lin {
                                    terms: l.terms.clone(),
                                    constant: l.constant - if integral { 1.0 } else { 0.0 },
                                },
                                op: CmpKind::Ge,
                                integral,
                                span: *op_span,
                                unit_scale: scale,
                            };
                            parts.push(F::Or(vec![le, ge]));
                            left = right;
                            continue;
                        }
                        CmpOp::In | CmpOp::NotIn => {
                            return Err(runtime_error(
                                "E0305",
                                *op_span,
                                "`in` over decisions",
                                "not supported",
                            ))
                        }
                    };
                    l.constant += shift;
                    parts.push(F::Cmp {
                        lin: l,
                        op: kind,
                        integral,
                        span: *op_span,
                        unit_scale: scale,
                    });
                    left = right;
                }
                if parts.len() == 1 {
                    parts.pop().unwrap_or(F::Const(true))
                } else {
                    F::And(parts)
                }
            }
            ExprKind::Agg {
                kind: AggKind::Exists | AggKind::Forall,
                index,
                body: Some(body),
            } => {
                let is_exists = matches!(
                    e.kind,
                    ExprKind::Agg {
                        kind: AggKind::Exists,
                        ..
                    }
                );
                let mut parts = Vec::new();
                self.for_each_index(index, &mut |me| {
                    parts.push(me.formula(body)?);
                    Ok(())
                })?;
                if is_exists {
                    F::Or(parts)
                } else {
                    F::And(parts)
                }
            }
            ExprKind::If(c, a, b) => {
                let fc = self.formula(c)?;
                let fa = self.formula(a)?;
                let fb = self.formula(b)?;
                F::Or(vec![
                    F::And(vec![fc.clone(), fa]),
                    F::And(vec![F::Not(Box::new(fc)), fb]),
                ])
            }
            ExprKind::Call(..) => {
                let ExprKind::Call(id, args) = &e.kind else {
                    unreachable_expr(e)?
                };
                match self.schema.globals.get(&id.name).copied() {
                    Some(Global::Fn(f)) => {
                        self.call_fn(f, args, e, &mut |me, body| me.formula(body))?
                    }
                    _ => {
                        return Err(runtime_error(
                            "E0301",
                            e.span,
                            "expected a condition",
                            "here",
                        ))
                    }
                }
            }
            _ => {
                return Err(runtime_error(
                    "E0301",
                    e.span,
                    "expected a condition",
                    "here",
                ))
            }
        })
    }

    fn lin_atom(&mut self, e: &Expr, l: &mut Lin) -> R<()> {
        if let ExprKind::Index(b, args) = &e.kind {
            if let ExprKind::Name(id) = &b.kind {
                if let Some(Global::Fn(f)) = self.schema.globals.get(&id.name).copied() {
                    let args: Vec<ast::Arg> = args
                        .iter()
                        .map(|a| ast::Arg {
                            name: None,
                            value: a.clone(),
                        })
                        .collect();
                    let mut out = Lin::default();
                    self.call_fn(f, &args, e, &mut |me, body| {
                        let f = me.formula(body)?;
                        let z = me.reify_full(f, body.span)?;
                        me.push_lit(z, 1.0, &mut out);
                        Ok(())
                    })?;
                    *l = out;
                    return Ok(());
                }
            }
        }
        self.lin(e, 1.0, 0, l)
    }

    /// Assert a formula at top level (a constraint body).
    pub(crate) fn assert(&mut self, f: F, origin: Origin, span: Span) -> R<()> {
        match f {
            F::Const(true) => Ok(()),
            F::Const(false) => {
                self.model.elements = self.world.elems.iter().map(|e| e.name.clone()).collect();
                let name = self.model.origin_name(origin);
                Err(Diagnostic::error("E0615", format!("`{name}` can never hold")).primary(span, "false for this index, whatever the decisions").help("check the data this constraint reads, or filter the index with `where`"))
            }
            F::Lit(z) => {
                let v = if z.neg { 0.0 } else { 1.0 };
                self.emit_row(
                    Lin {
                        terms: vec![(z.col, 1.0)],
                        constant: 0.0,
                    },
                    v,
                    v,
                    1.0,
                    origin,
                    span,
                )
            }
            F::Cmp {
                lin,
                op,
                unit_scale,
                ..
            } => {
                let (lo, hi) = match op {
                    CmpKind::Le => (f64::NEG_INFINITY, 0.0),
                    CmpKind::Ge => (0.0, f64::INFINITY),
                    CmpKind::Eq => (0.0, 0.0),
                };
                self.emit_row(lin, lo, hi, unit_scale, origin, span)
            }
            F::And(parts) => {
                for p in parts {
                    self.assert(p, origin, span)?;
                }
                Ok(())
            }
            F::Not(x) => {
                let n = negate(*x);
                self.assert(n, origin, span)
            }
            F::Or(parts) => {
                // At least one holds: z_i -> part_i, sum z_i >= 1.
                let mut sum = Lin::default();
                for p in parts {
                    match p {
                        F::Const(true) => return Ok(()),
                        F::Const(false) => {}
                        p => {
                            let z = self.reify_half(p, span)?;
                            self.push_lit(z, 1.0, &mut sum);
                        }
                    }
                }
                self.emit_row(sum, 1.0, f64::INFINITY, 1.0, origin, span)
            }
        }
    }

    /// A literal z with z -> f.
    fn reify_half(&mut self, f: F, span: Span) -> R<Lit> {
        if let F::Lit(z) = f {
            return Ok(z);
        }
        let z = Lit {
            col: self.new_col(VarKind::Binary, 0.0, 1.0, span, "logic indicator")?,
            neg: false,
        };
        self.implies(z, f, span)?;
        Ok(z)
    }

    /// A literal z with z <-> f.
    pub(crate) fn reify_full(&mut self, f: F, span: Span) -> R<Lit> {
        match f {
            F::Lit(z) => Ok(z),
            F::Not(x) if matches!(*x, F::Lit(_)) => {
                let F::Lit(z) = *x else { unreachable_lit()? };
                Ok(Lit {
                    col: z.col,
                    neg: !z.neg,
                })
            }
            F::Const(b) => {
                let c = self.new_col(
                    VarKind::Binary,
                    b as u8 as f64,
                    b as u8 as f64,
                    span,
                    "logic constant",
                )?;
                Ok(Lit { col: c, neg: false })
            }
            f => {
                let z = Lit {
                    col: self.new_col(VarKind::Binary, 0.0, 1.0, span, "logic indicator")?,
                    neg: false,
                };
                self.implies(z, f.clone(), span)?;
                self.implies(
                    Lit {
                        col: z.col,
                        neg: true,
                    },
                    negate(f),
                    span,
                )?;
                Ok(z)
            }
        }
    }

    /// Rows for `z -> f`.
    fn implies(&mut self, z: Lit, f: F, span: Span) -> R<()> {
        match f {
            F::Const(true) => Ok(()),
            F::Const(false) => {
                // z must be false.
                let mut l = Lin::default();
                self.push_lit(z, 1.0, &mut l);
                self.derived_row(l, 0.0, 0.0, span, "logic indicator")
            }
            F::Lit(y) => {
                // z <= y
                let mut l = Lin::default();
                self.push_lit(z, 1.0, &mut l);
                self.push_lit(y, -1.0, &mut l);
                self.derived_row(l, f64::NEG_INFINITY, 0.0, span, "logic implication")
            }
            F::Cmp {
                lin,
                op,
                span: cspan,
                unit_scale,
                ..
            } => {
                let s = if unit_scale > 0.0 { unit_scale } else { 1.0 };
                let (lo, hi) = self.bounds(&lin);
                if matches!(op, CmpKind::Le | CmpKind::Eq) {
                    // lin <= M(1 - z), M = hi
                    if hi > 0.0 {
                        if !hi.is_finite() {
                            return Err(self.needs_bounds(cspan, "this condition"));
                        }
                        let mut r = lin.clone();
                        self.push_lit(z, hi, &mut r);
                        let mut r2 = r;
                        r2.constant -= hi;
                        for t in &mut r2.terms {
                            t.1 /= s;
                        }
                        r2.constant /= s;
                        self.derived_row(r2, f64::NEG_INFINITY, 0.0, cspan, "big-M")?;
                    }
                }
                if matches!(op, CmpKind::Ge | CmpKind::Eq) {
                    // lin >= lo(1 - z)
                    if lo < 0.0 {
                        if !lo.is_finite() {
                            return Err(self.needs_bounds(cspan, "this condition"));
                        }
                        let mut r = lin.clone();
                        self.push_lit(z, lo, &mut r);
                        r.constant -= lo;
                        for t in &mut r.terms {
                            t.1 /= s;
                        }
                        r.constant /= s;
                        self.derived_row(r, 0.0, f64::INFINITY, cspan, "big-M")?;
                    }
                }
                Ok(())
            }
            F::And(parts) => {
                for p in parts {
                    self.implies(z, p, span)?;
                }
                Ok(())
            }
            F::Or(parts) => {
                // z <= sum y_i with y_i -> part_i
                let mut l = Lin::default();
                self.push_lit(z, 1.0, &mut l);
                for p in parts {
                    match p {
                        F::Const(true) => return Ok(()),
                        F::Const(false) => {}
                        p => {
                            let y = self.reify_half(p, span)?;
                            self.push_lit(y, -1.0, &mut l);
                        }
                    }
                }
                self.derived_row(l, f64::NEG_INFINITY, 0.0, span, "logic or")
            }
            F::Not(x) => self.implies(z, negate(*x), span),
        }
    }
}

/// The negation of a formula, pushed inwards.
pub fn negate(f: F) -> F {
    match f {
        F::Const(b) => F::Const(!b),
        F::Lit(z) => F::Lit(Lit {
            col: z.col,
            neg: !z.neg,
        }),
        F::Not(x) => *x,
        F::And(v) => F::Or(v.into_iter().map(negate).collect()),
        F::Or(v) => F::And(v.into_iter().map(negate).collect()),
        F::Cmp {
            lin,
            op,
            integral,
            span,
            unit_scale,
        } => {
            let step = if integral { 1.0 } else { 0.0 };
            match op {
                // not (lin <= 0)  ==  lin > 0  ==  lin >= step
                CmpKind::Le => F::Cmp {
                    lin: Lin {
                        terms: lin.terms,
                        constant: lin.constant - step,
                    },
                    op: CmpKind::Ge,
                    integral,
                    span,
                    unit_scale,
                },
                CmpKind::Ge => F::Cmp {
                    lin: Lin {
                        terms: lin.terms,
                        constant: lin.constant + step,
                    },
                    op: CmpKind::Le,
                    integral,
                    span,
                    unit_scale,
                },
                CmpKind::Eq => F::Or(vec![
                    F::Cmp {
                        lin: Lin {
                            terms: lin.terms.clone(),
                            constant: lin.constant + step,
                        },
                        op: CmpKind::Le,
                        integral,
                        span,
                        unit_scale,
                    },
                    F::Cmp {
                        lin: Lin {
                            terms: lin.terms,
                            constant: lin.constant - step,
                        },
                        op: CmpKind::Ge,
                        integral,
                        span,
                        unit_scale,
                    },
                ]),
            }
        }
    }
}

fn unreachable_expr<T>(e: &Expr) -> R<T> {
    Err(runtime_error(
        "E0104",
        e.span,
        "internal error: unexpected expression in a linear context",
        "here",
    ))
}

fn unreachable_lit<T>() -> R<T> {
    Err(Diagnostic::error(
        "E0104",
        "internal error: literal expected",
    ))
}
