//! Auxiliary columns and rows: declarations for what the compiler derives from a source
//! construct, new columns, row emission with bound checks, and the big-M linearisations of
//! `max`/`min` over decisions and of products with a bool. Every big-M value comes from the
//! bounds of the expressions involved. Used by [`super`] and [`super::logic`].

use super::{Lin, Lit, EPS};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::hir::{Expr, ExprKind};
use crate::instantiate::eval::R;
use crate::instantiate::Inst;
use crate::ir::{self, ColId, Column, DeclKind, Origin, Row, VarKind};
use crate::span::Span;
use crate::syntax::ast::{BinOp, UnOp};
use rustc_hash::{FxHashMap, FxHashSet};

/// The declarations of what the compiler derives, one per source declaration, source
/// expression and role (the role is the first word of the note: `indicator`, `big-M`,
/// `max`, ...), each named `parent~role`, or `parent~role-2`, `-3`, ... when another
/// expression of the same declaration has a declaration with that role already, so that no
/// two declarations share a name.
#[derive(Default)]
pub(crate) struct DerivedDecls {
    by_key: FxHashMap<(u32, Span, &'static str), ir::DeclId>,
    names: FxHashSet<String>,
}

impl<'a> Inst<'a> {
    /// A declaration for rows and columns the compiler makes from a source construct.
    /// Like [`Self::derived`], for rows and columns made once per scenario: the declaration
    /// has the enclosing one's indices plus the scenario variable `var`, so that each one is
    /// named with its scenario (`risk~excess[down(a->b)]`).
    pub(super) fn derived_per_scenario(
        &mut self,
        span: Span,
        note: &'static str,
        var: &str,
    ) -> ir::DeclId {
        let parent = self.origin.decl;
        let role = note.split_whitespace().next().unwrap_or("aux");
        if let Some(&d) = self.derived_decls.by_key.get(&(parent.0, span, role)) {
            return d;
        }
        let p = &self.model.decls[parent.0 as usize];
        let base = format!("{}~{role}", p.name);
        let mut index_names = p.index_names.clone();
        index_names.push(var.to_string());
        let mut name = base.clone();
        let mut k = 2u32;
        while self.derived_decls.names.contains(&name) {
            name = format!("{base}-{k}");
            k += 1;
        }
        self.derived_decls.names.insert(name.clone());
        let decl = ir::Decl {
            name,
            kind: DeclKind::Derived,
            span,
            index_names,
            unit: String::new(),
            note: note.to_string(),
        };
        let d = self.model.add_decl(decl);
        self.derived_decls.by_key.insert((parent.0, span, role), d);
        d
    }

    /// The origin of a row or column of `decl` (from [`Self::derived_per_scenario`]) for
    /// scenario element `s`.
    pub(super) fn scenario_origin(&mut self, decl: ir::DeclId, s: u32) -> Origin {
        let mut tuple = self.model.tuple_of(self.origin).to_vec();
        tuple.push(s);
        Origin {
            decl,
            tuple: self.model.add_tuple(&tuple),
        }
    }

    /// A continuous column `[lb, ub]` at `origin`.
    pub(super) fn new_col_at(&mut self, origin: Origin, lb: f64, ub: f64, span: Span) -> R<u32> {
        if self.model.columns.len() >= self.limits.max_columns {
            return Err(self.too_large("columns", span));
        }
        Ok(self
            .model
            .add_column(Column {
                kind: VarKind::Continuous,
                lb,
                ub,
                origin,
            })
            .0)
    }

    pub(super) fn derived(&mut self, span: Span, note: &'static str) -> ir::DeclId {
        let parent = self.origin.decl;
        let role = note.split_whitespace().next().unwrap_or("aux");
        if let Some(&d) = self.derived_decls.by_key.get(&(parent.0, span, role)) {
            return d;
        }
        let p = &self.model.decls[parent.0 as usize];
        let base = format!("{}~{role}", p.name);
        let mut name = base.clone();
        let mut k = 2u32;
        while self.derived_decls.names.contains(&name) {
            name = format!("{base}-{k}");
            k += 1;
        }
        self.derived_decls.names.insert(name.clone());
        let decl = ir::Decl {
            name,
            kind: DeclKind::Derived,
            span,
            index_names: p.index_names.clone(),
            unit: String::new(),
            note: note.to_string(),
        };
        let d = self.model.add_decl(decl);
        self.derived_decls.by_key.insert((parent.0, span, role), d);
        d
    }

    pub(super) fn new_col(
        &mut self,
        kind: VarKind,
        lb: f64,
        ub: f64,
        span: Span,
        note: &'static str,
    ) -> R<u32> {
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
            Code::E0604,
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
        self.emit_row_from(&mut lin, lo, hi, scale, origin, span)
    }

    /// [`Inst::emit_row`] from a borrowed `lin` (normalized in place), so that a caller
    /// emitting many rows reuses one buffer of terms.
    pub(crate) fn emit_row_from(
        &mut self,
        lin: &mut Lin,
        lo: f64,
        hi: f64,
        scale: f64,
        origin: Origin,
        span: Span,
    ) -> R<()> {
        lin.normalize();
        let (lo, hi, s) = row_bounds(lin.constant, lo, hi, scale);
        if lin.terms.is_empty() {
            // A row without decisions: it either holds or the model is infeasible.
            if never_holds(lo, hi) {
                self.model.elements = self.world.elems.iter().map(|e| e.name.clone()).collect();
                let name = self.model.origin_name(origin);
                return Err(
                    Diagnostic::error(Code::E0615, format!("`{name}` can never hold"))
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

    pub(super) fn derived_row(
        &mut self,
        lin: Lin,
        lo: f64,
        hi: f64,
        span: Span,
        note: &'static str,
    ) -> R<()> {
        let decl = self.derived(span, note);
        let origin = Origin {
            decl,
            tuple: self.origin.tuple,
        };
        self.emit_row(lin, lo, hi, 1.0, origin, span)
    }

    /// `max`/`min` of linear expressions as a new column `t`.
    pub(super) fn extremum(
        &mut self,
        is_max: bool,
        items: Vec<Lin>,
        k: f64,
        pol: i8,
        span: Span,
    ) -> R<u32> {
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
                let z = self.new_col(VarKind::Binary, 0.0, 1.0, span, "choice of the item")?;
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
                    self.derived_row(row, f64::NEG_INFINITY, m, span, "choice of the max")?;
                } else {
                    row.terms.push((z, -m));
                    self.derived_row(row, -m, f64::INFINITY, span, "choice of the min")?;
                }
            }
            self.derived_row(pick, 1.0, 1.0, span, "pick one item")?;
        }
        Ok(t)
    }

    pub(crate) fn needs_bounds(&self, span: Span, what: &str) -> Diagnostic {
        Diagnostic::error(
            Code::E0605,
            format!("{what} needs bounds on the decisions involved"),
        )
        .primary(span, "an unbounded decision takes part here")
        .help("give the decisions bounds (`>= 0 <= 100`): big-M values are derived from them")
    }

    /// The product of two varying factors: one must be a condition (0/1).
    pub(super) fn product(&mut self, a: &'a Expr, b: &'a Expr, span: Span) -> R<u32> {
        let a_bool = self.is_condition(a);
        let b_bool = self.is_condition(b);
        let (cond, other) = if a_bool {
            (a, b)
        } else if b_bool {
            (b, a)
        } else {
            return Err(
                Diagnostic::error(Code::E0601, "product of two decisions is not linear")
                    .primary(span, "this product")
                    .help("one factor must be data, or a bool decision times a bounded decision"),
            );
        };
        let f = self.formula(cond)?;
        let z = self.reify_full(f, cond.span)?;
        self.lit_times(z, other, span)
    }

    /// Whether `e` is a condition as written: a bool decision, a comparison, a negation or
    /// a connective (a function's parameter is its argument).
    pub(super) fn is_condition(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Decision(d, _) => {
                self.schema.decisions[d.index()].var_kind == VarKind::Binary
            }
            ExprKind::Slot(s) => self.arg_of(*s).is_some_and(|a| self.is_condition(a)),
            ExprKind::Compare(..) | ExprKind::Unary(UnOp::Not, _) => true,
            ExprKind::Chain(_, links) => links.first().is_some_and(|l| {
                matches!(l.0, BinOp::And | BinOp::Or | BinOp::Implies | BinOp::Iff)
            }),
            _ => false,
        }
    }

    /// `w = z * e` for a literal z and a bounded expression e.
    pub(super) fn lit_times(&mut self, z: Lit, e: &'a Expr, span: Span) -> R<u32> {
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
}

/// The bounds of a row whose terms are normalized, `lo <= terms + constant <= hi` divided
/// by the compare scale `s` (when positive and finite; 1 otherwise): `(lo', hi', s)`, the
/// terms to be divided by `s` too. Shared by [`Inst::emit_row_from`] and the rows made on
/// worker threads (`on_workers.rs`), so that both give the same numbers.
pub(crate) fn row_bounds(constant: f64, lo: f64, hi: f64, scale: f64) -> (f64, f64, f64) {
    let s = if scale > 0.0 && scale.is_finite() {
        scale
    } else {
        1.0
    };
    ((lo - constant) / s, (hi - constant) / s, s)
}

/// Whether a row without decisions, `lo <= 0 <= hi`, can never hold.
pub(crate) fn never_holds(lo: f64, hi: f64) -> bool {
    lo > EPS * lo.abs().max(1.0) || hi < -EPS * hi.abs().max(1.0)
}
