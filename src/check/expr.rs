//! Type and unit inference for expressions, with name resolution.

use super::errors;
use super::{Checker, ElemTy, Global, IndexDim, Local, Ty};
use crate::diagnostics::Diagnostic;
use crate::resolve::errors as names;
use crate::span::Span;
use crate::syntax::ast::{self, AggKind, BinOp, CmpOp, Expr, ExprKind, UnOp};
use crate::units::Unit;

/// What the checker knows about an expression.
#[derive(Clone, Copy, Debug)]
pub struct T {
    pub ty: Ty,
    /// Depends on a decision.
    pub var: bool,
    /// The literal `0` (fits any unit).
    pub zero: bool,
}

impl T {
    fn of(ty: Ty) -> T {
        T {
            ty,
            var: false,
            zero: false,
        }
    }
    fn err() -> T {
        T::of(Ty::Err)
    }
    fn var(ty: Ty, var: bool) -> T {
        T {
            ty,
            var,
            zero: false,
        }
    }
}

/// Built-in functions called with parentheses.
pub const BUILTINS: &[&str] = &[
    "ceil", "floor", "round", "abs", "min", "max", "prev", "next", "ord", "first", "last", "card",
];

impl Checker {
    fn unit_text(&self, u: &Unit) -> String {
        let s = self.schema.units.format(u);
        if s.is_empty() {
            "1".into()
        } else {
            s
        }
    }

    /// Check that a value fits a declared type (used for attributes, params, bounds).
    pub(crate) fn expect_value(
        &mut self,
        t: &T,
        e: &Expr,
        want: &Ty,
        what: &str,
        decl: Option<Span>,
    ) {
        match (want, &t.ty) {
            (_, Ty::Err) | (Ty::Err, _) => {}
            (Ty::Num { unit: wu, .. }, _) => match t.ty.as_num() {
                Some((u, _)) => {
                    if !wu.same_dim(&u) && !t.zero {
                        let (a, b) = (self.unit_text(wu), self.unit_text(&u));
                        let mut d = errors::unit_mismatch(e.span, what, &a, &b, decl);
                        if u.is_dimensionless() {
                            d = d.help(format!(
                                "write the unit after the number, e.g. `{} {a}`",
                                expr_text_hint(e)
                            ));
                        }
                        self.error(d);
                    }
                }
                None => {
                    let found = self.schema.ty_name(&t.ty);
                    self.error(
                        Diagnostic::error(
                            "E0308",
                            format!("{what} should be a number, found {found}"),
                        )
                        .primary(e.span, format!("this is {found}")),
                    );
                }
            },
            (Ty::Bool, Ty::Bool) | (Ty::Str, Ty::Str) => {}
            (Ty::Elem(a), Ty::Elem(b)) if elem_compatible(*a, *b) => {}
            _ => {
                let (a, b) = (self.schema.ty_name(want), self.schema.ty_name(&t.ty));
                self.error(
                    Diagnostic::error("E0308", format!("{what} should be {a}, found {b}"))
                        .primary(e.span, format!("this is {b}")),
                );
            }
        }
    }

    /// The element type of a set expression, or None after reporting an error.
    pub(crate) fn set_elem(&mut self, e: &Expr) -> Option<ElemTy> {
        match &e.kind {
            ExprKind::Range(a, b) => {
                let ta = self.expr(a);
                let tb = self.expr(b);
                if ta.var || tb.var {
                    self.error(errors::needs_data(e.span, "a range"));
                }
                match (ta.ty, tb.ty) {
                    (Ty::Elem(ElemTy::Period), Ty::Elem(ElemTy::Period)) => Some(ElemTy::Period),
                    (x, y) if x.as_num().is_some() && y.as_num().is_some() => Some(ElemTy::Int),
                    (Ty::Err, _) | (_, Ty::Err) => None,
                    (x, _) => {
                        let found = self.schema.ty_name(&x);
                        self.error(errors::type_mismatch(
                            e.span,
                            "a range of integers or quarters",
                            &found,
                        ));
                        None
                    }
                }
            }
            ExprKind::SetCompr(ix) => {
                let depth = self.locals.len();
                let dims = self.bind_index(ix, "a set");
                self.locals.truncate(depth);
                dims.first().map(|d| d.elem)
            }
            _ => {
                let t = self.expr(e);
                if t.var {
                    self.error(errors::needs_data(e.span, "a set"));
                }
                match t.ty {
                    Ty::Set(el) => Some(el),
                    Ty::Err => None,
                    other => {
                        let found = self.schema.ty_name(&other);
                        self.error(Diagnostic::error("E0307", format!("expected a set, found {found}")).primary(e.span, format!("this is {found}")).help("index over a set such as `regions`, a range `1..10` or `{r in regions where ...}`"));
                        None
                    }
                }
            }
        }
    }

    pub(crate) fn check_index_args(
        &mut self,
        name: &str,
        decl: Span,
        dims: &[IndexDim],
        args: &[Expr],
        span: Span,
    ) {
        if args.len() != dims.len() {
            let vars: Vec<&str> = dims.iter().map(|d| d.var.as_str()).collect();
            self.error(
                Diagnostic::error(
                    "E0302",
                    format!(
                        "`{name}` takes {} indices, {} given",
                        dims.len(),
                        args.len()
                    ),
                )
                .primary(span, format!("{} given", args.len()))
                .secondary(decl, format!("declared with [{}]", vars.join(", "))),
            );
            for a in args {
                self.expr(a);
            }
            return;
        }
        for (a, d) in args.iter().zip(dims) {
            let t = self.expr(a);
            if t.var {
                self.error(errors::needs_data(a.span, "an index"));
            }
            let ok = match (t.ty, d.elem) {
                (Ty::Err, _) | (_, ElemTy::Any) => true,
                (Ty::Elem(x), y) => elem_compatible(x, y),
                (Ty::Num { .. }, ElemTy::Int) => true,
                _ => false,
            };
            if !ok {
                let (want, found) = (self.schema.elem_name(d.elem), self.schema.ty_name(&t.ty));
                self.error(
                    Diagnostic::error(
                        "E0303",
                        format!("index `{}` of `{name}` is a {want}, found {found}", d.var),
                    )
                    .primary(a.span, format!("this is {found}"))
                    .secondary(decl, "declared here"),
                );
            }
        }
    }

    /// Infer an expression's type and unit.
    pub(crate) fn expr(&mut self, e: &Expr) -> T {
        match &e.kind {
            ExprKind::Number(n) => T {
                ty: Ty::Num {
                    unit: Unit::dimensionless(),
                    int: n.fract() == 0.0,
                },
                var: false,
                zero: *n == 0.0,
            },
            ExprKind::Quantity(n, u) => match self.parse_unit(&u.text, u.span) {
                Some(unit) => T {
                    ty: Ty::Num {
                        unit,
                        int: n.fract() == 0.0,
                    },
                    var: false,
                    zero: *n == 0.0,
                },
                None => T::err(),
            },
            ExprKind::Period { .. } => T::of(Ty::Elem(ElemTy::Period)),
            ExprKind::Str(_) => T::of(Ty::Str),
            ExprKind::Bool(_) => T::of(Ty::Bool),
            ExprKind::Name(id) => self.name(id),
            ExprKind::Field(base, attr) => {
                if let Some((p, args, name_span)) = self.plan_ref(base) {
                    return self.plan_field(p, args, name_span, attr, e.span);
                }
                let t = self.expr(base);
                self.field(t, attr)
            }
            ExprKind::Index(base, args) => {
                if let ExprKind::Field(pb, f) = &base.kind {
                    if let Some((p, pargs, name_span)) = self.plan_ref(pb) {
                        return self.plan_series(p, pargs, name_span, f, args, e.span);
                    }
                }
                self.index(base, args, e.span)
            }
            ExprKind::Call(name, args) => self.call(name, args, e.span),
            ExprKind::Unary(UnOp::Neg, x) => {
                let t = self.expr(x);
                match t.ty.as_num() {
                    Some((unit, int)) => T::var(Ty::Num { unit, int }, t.var),
                    None => self.not_number(x, &t),
                }
            }
            ExprKind::Unary(UnOp::Not, x) => {
                let t = self.expr(x);
                self.want_bool(x, &t);
                T::var(Ty::Bool, t.var)
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.span),
            ExprKind::Compare(first, links) => self.compare(first, links),
            ExprKind::If(c, a, b) => {
                let tc = self.expr(c);
                self.want_bool(c, &tc);
                let ta = self.expr(a);
                let tb = self.expr(b);
                let var = tc.var || ta.var || tb.var;
                match (ta.ty.as_num(), tb.ty.as_num()) {
                    (Some((ua, ia)), Some((ub, ib))) => {
                        if !ua.same_dim(&ub) && !ta.zero && !tb.zero {
                            let (x, y) = (self.unit_text(&ua), self.unit_text(&ub));
                            self.error(
                                Diagnostic::error(
                                    "E0401",
                                    format!("the branches of `if` differ: `{x}` and `{y}`"),
                                )
                                .primary(a.span, format!("this is `{x}`"))
                                .secondary(b.span, format!("this is `{y}`")),
                            );
                        }
                        let unit = if ta.zero { ub } else { ua };
                        T::var(
                            Ty::Num {
                                unit,
                                int: ia && ib,
                            },
                            var,
                        )
                    }
                    _ => {
                        if ta.ty != tb.ty && ta.ty != Ty::Err && tb.ty != Ty::Err {
                            let (x, y) = (self.schema.ty_name(&ta.ty), self.schema.ty_name(&tb.ty));
                            self.error(errors::type_mismatch(b.span, &x, &y));
                        }
                        T::var(ta.ty, var)
                    }
                }
            }
            ExprKind::Agg { kind, index, body } => {
                self.aggregate(*kind, index, body.as_deref(), e.span)
            }
            ExprKind::Range(_, _) | ExprKind::SetCompr(_) => match self.set_elem(e) {
                Some(el) => T::of(Ty::Set(el)),
                None => T::err(),
            },
            ExprKind::SetLit(items) => {
                let mut elem = None;
                for x in items {
                    let t = self.expr(x);
                    if t.var {
                        self.error(errors::needs_data(x.span, "a set"));
                    }
                    let el = match t.ty {
                        Ty::Elem(el) => el,
                        Ty::Str => ElemTy::Str,
                        Ty::Num { .. } => ElemTy::Int,
                        _ => ElemTy::Any,
                    };
                    elem.get_or_insert(el);
                }
                T::of(Ty::Set(elem.unwrap_or(ElemTy::Any)))
            }
            ExprKind::Map(_) => {
                self.error(
                    Diagnostic::error(
                        "E0308",
                        "a table `{key: value}` gives the values of an indexed param",
                    )
                    .primary(e.span, "not allowed here")
                    .help("declare `param p[t in tiers]: usd = {gold: 3 usd, ...}`"),
                );
                T::err()
            }
            ExprKind::Tuple(items) => {
                for x in items {
                    self.expr(x);
                }
                self.error(errors::type_mismatch(e.span, "a value", "a tuple"));
                T::err()
            }
        }
    }

    fn not_number(&mut self, e: &Expr, t: &T) -> T {
        if t.ty != Ty::Err {
            let found = self.schema.ty_name(&t.ty);
            self.error(errors::type_mismatch(e.span, "a number", &found));
        }
        T::err()
    }

    fn want_bool(&mut self, e: &Expr, t: &T) {
        if !matches!(t.ty, Ty::Bool | Ty::Err) {
            let found = self.schema.ty_name(&t.ty);
            self.error(errors::type_mismatch(e.span, "a condition", &found));
        }
    }

    fn name(&mut self, id: &ast::Ident) -> T {
        if let Some(l) = self
            .locals
            .iter()
            .rev()
            .find(|l| l.name == id.name)
            .cloned()
        {
            self.add_ref(id.span, l.symbol);
            return T::var(l.ty, l.var);
        }
        if let Some(g) = self.schema.globals.get(&id.name).copied() {
            let sym = self.global_symbol(g);
            self.add_ref(id.span, sym);
            return match g {
                Global::Set(s) => T::of(Ty::Set(self.schema.sets[s].elem)),
                Global::Param(i) => {
                    let p = &self.schema.params[i];
                    let (n, span, ty) = (p.dims.len(), p.span, p.ty);
                    if n > 0 {
                        return self.needs_indices(id, n, span);
                    }
                    T::of(ty)
                }
                Global::Decision(i) => {
                    let d = &self.schema.decisions[i];
                    let (n, span, ty) = (d.dims.len(), d.span, decision_ty(d.var_kind, d.unit));
                    if n > 0 {
                        return self.needs_indices(id, n, span);
                    }
                    T::var(ty, true)
                }
                Global::Kind(k) => {
                    let set = self.schema.kinds[k].set_name.clone();
                    self.error(
                        Diagnostic::error("E0301", format!("`{}` is a kind, not a value", id.name))
                            .primary(id.span, "a kind")
                            .help(format!("its entities form the set `{set}`")),
                    );
                    T::err()
                }
                Global::Fn(_) => {
                    self.error(
                        Diagnostic::error("E0306", format!("`{}` is a function", id.name))
                            .primary(id.span, "call it with arguments"),
                    );
                    T::err()
                }
                Global::Constraint(_) | Global::Objective(_) | Global::Plan(_) => {
                    self.error(
                        Diagnostic::error("E0301", format!("`{}` is not a value", id.name))
                            .primary(
                                id.span,
                                "constraints, objectives and plans cannot be used in expressions",
                            ),
                    );
                    T::err()
                }
            };
        }
        if let Some(&set) = self.schema.symbol_elems.get(&id.name) {
            return T::of(Ty::Elem(ElemTy::Symbol(set)));
        }
        if let Some(list) = self.schema.entity_names.get(&id.name).cloned() {
            let kinds: Vec<usize> = list.iter().map(|&i| self.schema.entities[i].kind).collect();
            if kinds.iter().all(|&k| k == kinds[0]) {
                let sym = self.schema.entities[list[0]].symbol;
                self.add_ref(id.span, Some(sym));
                return T::of(Ty::Elem(ElemTy::Kind(kinds[0])));
            }
            self.error(
                Diagnostic::error(
                    "E0212",
                    format!("`{}` names entities of several kinds", id.name),
                )
                .primary(id.span, "ambiguous"),
            );
            return T::err();
        }
        if self.schema.has_data_entities {
            // May name an entity loaded from data; checked when the data is loaded.
            return T::of(Ty::Elem(ElemTy::Any));
        }
        self.unknown_name(id);
        T::err()
    }

    /// E0302 for an indexed param or decision used without its indices.
    fn needs_indices(&mut self, id: &ast::Ident, n: usize, decl: Span) -> T {
        self.error(
            Diagnostic::error("E0302", format!("`{}` needs {n} indices", id.name))
                .primary(id.span, "used without indices")
                .secondary(decl, "declared here"),
        );
        T::err()
    }

    fn unknown_name(&mut self, id: &ast::Ident) {
        let mut candidates: Vec<String> = self.locals.iter().map(|l| l.name.clone()).collect();
        candidates.extend(self.schema.globals.keys().cloned());
        candidates.extend(self.schema.entity_names.keys().cloned());
        let mut d = Diagnostic::error("E0201", format!("unknown name `{}`", id.name))
            .primary(id.span, "not declared");
        if let Some((a, b)) = id.name.split_once('-') {
            let known = |n: &str| {
                self.locals.iter().any(|l| l.name == n) || self.schema.globals.contains_key(n)
            };
            if known(a) {
                d = d.help(format!(
                    "names may contain hyphens; for a subtraction write `{a} - {b}`"
                ));
                self.error(d);
                return;
            }
        }
        if let Some(s) = names::suggest(&id.name, candidates.iter().map(|s| s.as_str())) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        self.error(d);
    }

    fn field(&mut self, t: T, attr: &ast::Ident) -> T {
        match t.ty {
            Ty::Elem(ElemTy::Kind(k)) => {
                if attr.name == "name" {
                    return T::of(Ty::Str);
                }
                match self.schema.kinds[k].attr(&attr.name).cloned() {
                    Some(a) => {
                        self.add_ref(attr.span, a.symbol);
                        T::of(a.ty)
                    }
                    None => {
                        let kind = &self.schema.kinds[k];
                        let names: Vec<&str> = kind.attrs.iter().map(|a| a.name.as_str()).collect();
                        let mut d = Diagnostic::error(
                            "E0203",
                            format!("`{}` has no attribute `{}`", kind.name, attr.name),
                        )
                        .primary(attr.span, "unknown attribute");
                        if let Some(s) = names::suggest(&attr.name, names.iter().copied()) {
                            d = d.help(format!("did you mean `{s}`?"));
                        } else if !names.is_empty() {
                            d = d.help(format!("`{}` has {}", kind.name, names.join(", ")));
                        }
                        self.error(d);
                        T::err()
                    }
                }
            }
            Ty::Elem(ElemTy::Any) => {
                let found = self
                    .schema
                    .kinds
                    .iter()
                    .find_map(|k| k.attr(&attr.name).map(|a| a.ty));
                T::of(found.unwrap_or(Ty::Err))
            }
            Ty::Err => T::err(),
            other => {
                let found = self.schema.ty_name(&other);
                self.error(
                    Diagnostic::error("E0203", format!("{found} has no attributes"))
                        .primary(attr.span, format!("`.{}` on {found}", attr.name)),
                );
                T::err()
            }
        }
    }

    fn index(&mut self, base: &Expr, args: &[Expr], span: Span) -> T {
        let ExprKind::Name(id) = &base.kind else {
            self.expr(base);
            self.error(
                Diagnostic::error("E0304", "only params and decisions can be indexed")
                    .primary(base.span, "not indexable"),
            );
            return T::err();
        };
        match self.schema.globals.get(&id.name).copied() {
            Some(Global::Param(i)) => {
                let p = self.schema.params[i].clone();
                self.add_ref(id.span, Some(p.symbol));
                self.check_index_args(&p.name, p.span, &p.dims, args, span);
                T::of(p.ty)
            }
            Some(Global::Decision(i)) => {
                let d = self.schema.decisions[i].clone();
                self.add_ref(id.span, Some(d.symbol));
                self.check_index_args(&d.name, d.span, &d.dims, args, span);
                T::var(decision_ty(d.var_kind, d.unit), true)
            }
            Some(Global::Fn(_)) => self.call(
                id,
                &args
                    .iter()
                    .map(|a| ast::Arg {
                        name: None,
                        value: a.clone(),
                    })
                    .collect::<Vec<_>>(),
                span,
            ),
            Some(_) | None => {
                let t = self.expr(base);
                if t.ty != Ty::Err {
                    let found = self.schema.ty_name(&t.ty);
                    self.error(
                        Diagnostic::error("E0304", format!("`{}` cannot be indexed", id.name))
                            .primary(base.span, format!("this is {found}")),
                    );
                }
                for a in args {
                    self.expr(a);
                }
                T::err()
            }
        }
    }

    fn call(&mut self, name: &ast::Ident, args: &[ast::Arg], span: Span) -> T {
        if let Some(Global::Fn(i)) = self.schema.globals.get(&name.name).copied() {
            let f = self.schema.fns[i].clone();
            self.add_ref(name.span, Some(f.symbol));
            if f.decl.params.len() != args.len() {
                self.error(
                    Diagnostic::error(
                        "E0306",
                        format!(
                            "`{}` takes {} arguments, {} given",
                            name.name,
                            f.decl.params.len(),
                            args.len()
                        ),
                    )
                    .primary(span, "wrong number of arguments")
                    .secondary(f.decl.name.span, "declared here"),
                );
                return T::err();
            }
            if self.fn_depth.contains(&name.name) {
                self.error(
                    Diagnostic::error("E0309", format!("`{}` calls itself", name.name))
                        .primary(name.span, "recursive call"),
                );
                return T::err();
            }
            let mut bound = Vec::new();
            let mut var = false;
            for (p, a) in f.decl.params.iter().zip(args) {
                let t = self.expr(&a.value);
                var |= t.var;
                if let Some(pt) = &p.ty {
                    let (want, _) = self.type_of_type(pt);
                    self.expect_value(
                        &t,
                        &a.value,
                        &want,
                        &format!("argument `{}`", p.name.name),
                        Some(pt.span),
                    );
                }
                bound.push(Local {
                    name: p.name.name.clone(),
                    ty: t.ty,
                    symbol: None,
                    var: t.var,
                });
            }
            // The body sees only the parameters and globals.
            let saved = std::mem::replace(&mut self.locals, bound);
            self.fn_depth.push(name.name.clone());
            let r = self.expr(&f.decl.body);
            self.fn_depth.pop();
            self.locals = saved;
            return T::var(r.ty, r.var || var);
        }
        let ts: Vec<T> = args.iter().map(|a| self.expr(&a.value)).collect();
        let var = ts.iter().any(|t| t.var);
        let arity = |c: &mut Checker, n: usize| -> bool {
            if ts.len() != n {
                c.error(
                    Diagnostic::error(
                        "E0306",
                        format!(
                            "`{}` takes {n} argument{}, {} given",
                            name.name,
                            if n == 1 { "" } else { "s" },
                            ts.len()
                        ),
                    )
                    .primary(span, "wrong number of arguments"),
                );
                false
            } else {
                true
            }
        };
        match name.name.as_str() {
            "ceil" | "floor" | "round" | "abs" => {
                if !arity(self, 1) {
                    return T::err();
                }
                if var && name.name != "abs" {
                    self.error(
                        Diagnostic::error(
                            "E0305",
                            format!("`{}` of a decision is not linear", name.name),
                        )
                        .primary(span, "depends on a decision")
                        .help("`ceil` and `floor` work on data, or in `plan` costs"),
                    );
                }
                match ts[0].ty.as_num() {
                    Some((unit, _)) => T::var(
                        Ty::Num {
                            unit,
                            int: name.name != "abs",
                        },
                        var,
                    ),
                    None => self.not_number(&args[0].value, &ts[0]),
                }
            }
            "min" | "max" => {
                if ts.len() < 2 {
                    arity(self, 2);
                    return T::err();
                }
                let Some((u0, _)) = ts[0].ty.as_num() else {
                    return self.not_number(&args[0].value, &ts[0]);
                };
                for (t, a) in ts.iter().zip(args).skip(1) {
                    match t.ty.as_num() {
                        Some((u, _)) if !u.same_dim(&u0) && !t.zero && !ts[0].zero => {
                            let (x, y) = (self.unit_text(&u0), self.unit_text(&u));
                            self.error(errors::cannot_compare(
                                args[0].value.span,
                                &x,
                                a.value.span,
                                &y,
                            ));
                        }
                        Some(_) => {}
                        None => {
                            self.not_number(&a.value, t);
                        }
                    }
                }
                let int = ts.iter().all(|t| t.ty.as_num().is_some_and(|(_, i)| i));
                T::var(Ty::Num { unit: u0, int }, var)
            }
            "prev" | "next" => {
                if !arity(self, 1) {
                    return T::err();
                }
                match ts[0].ty {
                    Ty::Elem(_) | Ty::Err => T::of(ts[0].ty),
                    other => {
                        let found = self.schema.ty_name(&other);
                        self.error(errors::type_mismatch(
                            args[0].value.span,
                            "an element of an ordered set",
                            &found,
                        ));
                        T::err()
                    }
                }
            }
            "ord" => {
                if !arity(self, 1) {
                    return T::err();
                }
                T::of(Ty::count())
            }
            "first" | "last" | "card" => {
                if !arity(self, 1) {
                    return T::err();
                }
                match ts[0].ty {
                    Ty::Set(el) => {
                        if name.name == "card" {
                            T::of(Ty::count())
                        } else {
                            T::of(Ty::Elem(el))
                        }
                    }
                    Ty::Err => T::err(),
                    other => {
                        let found = self.schema.ty_name(&other);
                        self.error(errors::type_mismatch(args[0].value.span, "a set", &found));
                        T::err()
                    }
                }
            }
            _ => {
                let mut candidates: Vec<String> = BUILTINS.iter().map(|s| s.to_string()).collect();
                candidates.extend(self.schema.fns.iter().map(|f| f.decl.name.name.clone()));
                let mut d = Diagnostic::error("E0201", format!("unknown function `{}`", name.name))
                    .primary(name.span, "not a function");
                if let Some(s) = names::suggest(&name.name, candidates.iter().map(|s| s.as_str())) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.error(d);
                T::err()
            }
        }
    }

    fn aggregate(
        &mut self,
        kind: AggKind,
        index: &ast::IndexList,
        body: Option<&Expr>,
        span: Span,
    ) -> T {
        let depth = self.locals.len();
        self.bind_index(index, &format!("`{}`", kind.name()));
        let t = body.map(|b| (b, self.expr(b)));
        self.locals.truncate(depth);
        match kind {
            AggKind::Count => {
                let var = match t {
                    Some((b, bt)) => {
                        self.want_bool(b, &bt);
                        bt.var
                    }
                    None => false,
                };
                T::var(Ty::count(), var)
            }
            AggKind::Exists | AggKind::Forall => match t {
                Some((b, bt)) => {
                    self.want_bool(b, &bt);
                    T::var(Ty::Bool, bt.var)
                }
                None => {
                    self.error(
                        Diagnostic::error(
                            "E0306",
                            format!("`{}` needs a condition after the parentheses", kind.name()),
                        )
                        .primary(span, "no condition"),
                    );
                    T::err()
                }
            },
            AggKind::Sum | AggKind::Min | AggKind::Max => match t {
                Some((b, bt)) => match bt.ty.as_num() {
                    Some((unit, int)) => T::var(Ty::Num { unit, int }, bt.var),
                    None => self.not_number(b, &bt),
                },
                None => {
                    self.error(
                        Diagnostic::error(
                            "E0306",
                            format!("`{}` needs a value after the parentheses", kind.name()),
                        )
                        .primary(span, "nothing to add up")
                        .help(format!("write `{}(x in S) value`", kind.name())),
                    );
                    T::err()
                }
            },
        }
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, span: Span) -> T {
        let ta = self.expr(a);
        let tb = self.expr(b);
        let var = ta.var || tb.var;
        match op {
            BinOp::And | BinOp::Or | BinOp::Implies | BinOp::Iff => {
                self.want_bool(a, &ta);
                self.want_bool(b, &tb);
                T::var(Ty::Bool, var)
            }
            BinOp::Add | BinOp::Sub => {
                let (Some((ua, ia)), Some((ub, ib))) = (ta.ty.as_num(), tb.ty.as_num()) else {
                    if ta.ty.as_num().is_none() {
                        return self.not_number(a, &ta);
                    }
                    return self.not_number(b, &tb);
                };
                if !ua.same_dim(&ub) && !ta.zero && !tb.zero {
                    let (x, y) = (self.unit_text(&ua), self.unit_text(&ub));
                    self.error(errors::cannot_add(op.symbol(), a.span, &x, b.span, &y));
                    return T::var(Ty::Err, var);
                }
                let unit = if ta.zero { ub } else { ua };
                T::var(
                    Ty::Num {
                        unit,
                        int: ia && ib,
                    },
                    var,
                )
            }
            BinOp::Mul | BinOp::Div | BinOp::Mod => {
                let (Some((ua, ia)), Some((ub, ib))) = (ta.ty.as_num(), tb.ty.as_num()) else {
                    if ta.ty.as_num().is_none() {
                        return self.not_number(a, &ta);
                    }
                    return self.not_number(b, &tb);
                };
                match op {
                    BinOp::Mul => {
                        if ta.var && tb.var && ta.ty != Ty::Bool && tb.ty != Ty::Bool {
                            self.error(errors::product_of_decisions(span, a.span, b.span));
                        }
                        T::var(
                            Ty::Num {
                                unit: ua.mul(ub),
                                int: ia && ib,
                            },
                            var,
                        )
                    }
                    BinOp::Div => {
                        if tb.var {
                            self.error(
                                Diagnostic::error("E0602", "division by a decision is not linear")
                                    .primary(b.span, "depends on a decision")
                                    .help("multiply the other side of the comparison instead"),
                            );
                        }
                        T::var(Ty::num(ua.div(ub)), var)
                    }
                    _ => {
                        if var {
                            self.error(errors::needs_data(span, "`%`"));
                        }
                        if !ua.same_dim(&ub) && !tb.zero {
                            let (x, y) = (self.unit_text(&ua), self.unit_text(&ub));
                            self.error(errors::cannot_add("%", a.span, &x, b.span, &y));
                        }
                        T::var(
                            Ty::Num {
                                unit: ua,
                                int: ia && ib,
                            },
                            var,
                        )
                    }
                }
            }
            BinOp::Pow => {
                let Some((ua, _)) = ta.ty.as_num() else {
                    return self.not_number(a, &ta);
                };
                if tb.var || ta.var && !matches!(b.kind, ExprKind::Number(n) if n == 1.0) {
                    self.error(
                        Diagnostic::error("E0601", "a power of a decision is not linear")
                            .primary(span, "not linear"),
                    );
                }
                if ua.is_dimensionless() {
                    return T::var(Ty::num(ua), var);
                }
                match &b.kind {
                    ExprKind::Number(n) if n.fract() == 0.0 && n.abs() <= 8.0 => {
                        T::var(Ty::num(ua.powi(*n as i8)), var)
                    }
                    _ => {
                        self.error(
                            Diagnostic::error(
                                "E0407",
                                "the exponent of a quantity must be a plain integer",
                            )
                            .primary(b.span, "not a constant integer"),
                        );
                        T::err()
                    }
                }
            }
        }
    }

    fn compare(&mut self, first: &Expr, links: &[(CmpOp, Span, Expr)]) -> T {
        let mut left = self.expr(first);
        let mut left_span = first.span;
        let mut var = left.var;
        for (op, op_span, rhs) in links {
            let right = self.expr(rhs);
            var |= right.var;
            match op {
                CmpOp::In | CmpOp::NotIn => {
                    if left.var || right.var {
                        self.error(errors::needs_data(rhs.span, "a membership test `in`"));
                    }
                    match right.ty {
                        Ty::Set(el) => {
                            let ok = match left.ty {
                                Ty::Elem(x) => elem_compatible(x, el),
                                Ty::Str => matches!(el, ElemTy::Str | ElemTy::Any),
                                Ty::Num { .. } => matches!(el, ElemTy::Int | ElemTy::Any),
                                Ty::Err => true,
                                _ => false,
                            };
                            if !ok {
                                let (x, y) = (
                                    self.schema.ty_name(&left.ty),
                                    self.schema.ty_name(&right.ty),
                                );
                                self.error(errors::type_mismatch(
                                    left_span,
                                    &format!("an element of the {y}"),
                                    &x,
                                ));
                            }
                        }
                        Ty::Err => {}
                        other => {
                            let found = self.schema.ty_name(&other);
                            self.error(
                                Diagnostic::error(
                                    "E0307",
                                    format!("`in` needs a set, found {found}"),
                                )
                                .primary(rhs.span, format!("this is {found}")),
                            );
                        }
                    }
                }
                _ => match (left.ty.as_num(), right.ty.as_num()) {
                    (Some((ua, _)), Some((ub, _))) => {
                        if !ua.same_dim(&ub) && !left.zero && !right.zero {
                            let (x, y) = (self.unit_text(&ua), self.unit_text(&ub));
                            self.error(errors::cannot_compare(left_span, &x, rhs.span, &y));
                        } else {
                            let unit = if left.zero { ub } else { ua };
                            let unit = self.schema.units.display_unit(unit);
                            self.schema.compare_units.insert(*op_span, unit);
                            if let Some(item) = &self.current_item {
                                self.schema
                                    .compare_units_by_item
                                    .insert((item.clone(), *op_span), unit);
                            }
                        }
                    }
                    _ => {
                        let ok = match (left.ty, right.ty) {
                            (Ty::Err, _) | (_, Ty::Err) => true,
                            (Ty::Elem(x), Ty::Elem(y)) => elem_compatible(x, y),
                            (Ty::Str, Ty::Str) => true,
                            (Ty::Bool, Ty::Bool) => true,
                            _ => false,
                        };
                        if !ok {
                            let (x, y) = (
                                self.schema.ty_name(&left.ty),
                                self.schema.ty_name(&right.ty),
                            );
                            self.error(
                                Diagnostic::error("E0301", format!("cannot compare {x} with {y}"))
                                    .primary(left_span, format!("this is {x}"))
                                    .secondary(rhs.span, format!("this is {y}")),
                            );
                        } else if !matches!(op, CmpOp::Eq | CmpOp::Ne)
                            && !matches!(left.ty, Ty::Elem(ElemTy::Period | ElemTy::Int) | Ty::Err)
                            && right.ty != Ty::Err
                        {
                            let x = self.schema.ty_name(&left.ty);
                            self.error(
                                Diagnostic::error("E0301", format!("{x} values are not ordered"))
                                    .primary(*op_span, "use `==` or `!=`"),
                            );
                        }
                        if (left.var || right.var) && matches!(left.ty, Ty::Elem(_) | Ty::Str) {
                            self.error(errors::needs_data(rhs.span, "a comparison of elements"));
                        }
                    }
                },
            }
            left = right;
            left_span = rhs.span;
        }
        T::var(Ty::Bool, var)
    }
}

pub(crate) fn decision_ty(kind: crate::ir::VarKind, unit: Unit) -> Ty {
    match kind {
        crate::ir::VarKind::Binary => Ty::Bool,
        crate::ir::VarKind::Integer => Ty::Num { unit, int: true },
        crate::ir::VarKind::Continuous => Ty::Num { unit, int: false },
    }
}

pub(crate) fn elem_compatible(a: ElemTy, b: ElemTy) -> bool {
    a == b || a == ElemTy::Any || b == ElemTy::Any
}

fn expr_text_hint(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number(n) => crate::ir::dump::fmt_num(*n),
        _ => "…".into(),
    }
}
