//! Checking scenario sets and the functions that read them. A `set S = ...` whose value is
//! a literal of `scenario(...)` entries or a call of a generator (`fail_k`,
//! `fail_independent`, `fail_groups`, `scenarios_from`) becomes a set of scenario symbols
//! with a [`ScenarioDef`] for instantiation; `prob(s)`, `up(e, s)` and `mass(S)` are typed
//! here. Called from the set and call checks of [`super`].

use super::expr::T;
use super::{errors, Checker, ElemTy, SetDef, Ty};
use crate::analysis::SymbolKind;
use crate::diagnostics::{Code, Diagnostic};
use crate::scenario::{DeclaredScenario, ScenarioAttr, ScenarioDef, ScenarioSource};
use crate::span::Span;
use crate::syntax::ast::{self, AggKind, Expr, ExprKind};
use crate::units::Unit;

impl Checker {
    /// Check `set S = VALUE` where VALUE is a scenario set (see
    /// [`crate::scenario::is_scenario_value`]).
    pub(super) fn check_scenario_set(&mut self, id: usize, s: &ast::SetDecl) {
        self.schema.sets[id].elem = ElemTy::Symbol(id);
        let source = match &s.value.kind {
            ExprKind::Map(entries) => self.declared_scenarios(id, s, entries),
            ExprKind::Call(name, args) => self.scenario_generator(id, s, name, args),
            _ => None,
        };
        if let Some(source) = source {
            self.schema.sets[id].def = SetDef::Scenarios(Box::new(ScenarioDef {
                source,
                span: s.value.span,
            }));
        }
    }

    fn declared_scenarios(
        &mut self,
        id: usize,
        s: &ast::SetDecl,
        entries: &[(Vec<Expr>, Expr)],
    ) -> Option<ScenarioSource> {
        let overridable = self.params_over(&s.name.name);
        let mut out = Vec::new();
        for (keys, value) in entries {
            let name = match keys.as_slice() {
                [Expr {
                    kind: ExprKind::Name(n),
                    ..
                }] => n.clone(),
                _ => {
                    let span = keys.first().map(|k| k.span).unwrap_or(value.span);
                    self.error(
                        Diagnostic::error(Code::E0340, "a scenario needs a name")
                            .primary(span, "not a name")
                            .help("write `NAME: scenario(p = ...)`"),
                    );
                    continue;
                }
            };
            if self
                .schema
                .symbol_elems
                .insert(name.name.clone(), id)
                .is_some()
                || self.schema.globals.contains_key(&name.name)
            {
                self.error(
                    Diagnostic::error(Code::E0202, format!("`{}` is declared twice", name.name))
                        .primary(name.span, "declared again here")
                        .help("give every scenario a name of its own"),
                );
            }
            self.add_symbol(
                &name.name,
                SymbolKind::Entity,
                name.span,
                value.span,
                None,
                format!("scenario of {}", s.name.name),
            );
            let ExprKind::Call(f, args) = &value.kind else {
                self.error(not_a_scenario(value.span));
                continue;
            };
            if f.name != "scenario" {
                self.error(not_a_scenario(value.span));
                continue;
            }
            let mut p = None;
            let mut down = None;
            let mut overrides = Vec::new();
            for a in args {
                let Some(field) = &a.name else {
                    self.error(
                        Diagnostic::error(Code::E0340, "scenario fields are named")
                            .primary(a.value.span, "no field name")
                            .help("write `scenario(p = 0.1, down = {a, b})`"),
                    );
                    continue;
                };
                match field.name.as_str() {
                    "p" => {
                        self.probability_value(&a.value);
                        p = Some(a.value.clone());
                    }
                    "down" => {
                        self.down_value(&a.value);
                        down = Some(a.value.clone());
                    }
                    other => match overridable.iter().find(|(_, n)| n == other) {
                        Some(&(param, _)) => {
                            let decl_ty = self.schema.params[param].decl.ty.clone();
                            let (want, _) = self.type_of_type(&decl_ty);
                            let t = self.expr(&a.value);
                            if t.var {
                                self.error(errors::needs_data(a.value.span, "a scenario"));
                            }
                            let decl_span = self.schema.params[param].span;
                            self.expect_value(
                                &t,
                                &a.value,
                                &want,
                                &format!("`{other}`"),
                                Some(decl_span),
                            );
                            let sym = self.schema.params[param].symbol;
                            self.add_ref(field.span, Some(sym));
                            overrides.push((param, a.value.clone()));
                        }
                        None => self.error(unknown_field(field, &s.name.name)),
                    },
                }
            }
            let Some(p) = p else {
                self.error(
                    Diagnostic::error(
                        Code::E0340,
                        format!("scenario `{}` has no probability", name.name),
                    )
                    .primary(value.span, "no `p = ...`")
                    .help("every declared scenario states its probability: `p = 0.01`"),
                );
                continue;
            };
            out.push(DeclaredScenario {
                name,
                p,
                down,
                overrides,
            });
        }
        Some(ScenarioSource::Declared(out))
    }

    fn scenario_generator(
        &mut self,
        id: usize,
        s: &ast::SetDecl,
        name: &ast::Ident,
        args: &[ast::Arg],
    ) -> Option<ScenarioSource> {
        let positional: Vec<&ast::Arg> = args.iter().filter(|a| a.name.is_none()).collect();
        let (arity, options): (usize, &[&str]) = match name.name.as_str() {
            "fail_k" => (2, &["up_to", "nominal", "p"]),
            "fail_independent" => (2, &["cutoff", "nominal"]),
            "fail_groups" => (2, &["k", "up_to", "nominal"]),
            _ => (1, &[]),
        };
        if positional.len() != arity {
            self.error(
                Diagnostic::error(
                    Code::E0306,
                    format!(
                        "`{}` takes {arity} argument{} before its options, {} given",
                        name.name,
                        if arity == 1 { "" } else { "s" },
                        positional.len()
                    ),
                )
                .primary(s.value.span, "wrong number of arguments"),
            );
            return None;
        }
        let mut up_to = false;
        let mut nominal = true;
        let mut cutoff = None;
        let mut weight: Option<&Expr> = None;
        let mut groups_k: Option<&Expr> = None;
        for a in args {
            let Some(opt) = &a.name else { continue };
            if !options.contains(&opt.name.as_str()) {
                let list = if options.is_empty() {
                    "none".to_string()
                } else {
                    options
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                self.error(
                    Diagnostic::error(
                        Code::E0241,
                        format!("`{}` has no option `{}`", name.name, opt.name),
                    )
                    .primary(opt.span, "unknown option")
                    .help(format!("its options are {list}")),
                );
                continue;
            }
            match opt.name.as_str() {
                "cutoff" => {
                    self.probability_value(&a.value);
                    cutoff = Some(a.value.clone());
                }
                "p" => weight = Some(&a.value),
                "k" => groups_k = Some(&a.value),
                flag => {
                    let Some(b) = self.bool_literal(&a.value) else {
                        continue;
                    };
                    if flag == "up_to" {
                        up_to = b;
                    } else {
                        nominal = b;
                    }
                }
            }
        }
        let _ = id;
        if name.name == "scenarios_from" {
            let ExprKind::Str(path) = &positional[0].value.kind else {
                self.error(errors::type_mismatch(
                    positional[0].value.span,
                    "the path of a data file in quotes",
                    "an expression",
                ));
                return None;
            };
            let span = positional[0].value.span;
            let path = ast::StrLit {
                value: path.clone(),
                span,
            };
            return Some(ScenarioSource::File {
                file: span.file,
                path,
                params: self.params_over(&s.name.name),
            });
        }
        let set = positional[0].value.clone();
        let kind = self.entity_set(&set)?;
        match name.name.as_str() {
            "fail_k" => {
                let k = positional[1].value.clone();
                self.count_value(&k, "`fail_k`");
                let p = match weight {
                    Some(w) => Some(self.probability_attr(kind, w)?),
                    None => None,
                };
                Some(ScenarioSource::KOf {
                    set,
                    k,
                    up_to,
                    nominal,
                    p,
                })
            }
            _ => {
                if name.name == "fail_independent" {
                    let attr = self.probability_attr(kind, &positional[1].value)?;
                    Some(ScenarioSource::Independent {
                        set,
                        attr,
                        cutoff,
                        nominal,
                    })
                } else {
                    let (attr, _, _) = self.attr_of(kind, &positional[1].value)?;
                    let k = groups_k.cloned();
                    if let Some(k) = &k {
                        self.count_value(k, "`fail_groups`");
                    }
                    Some(ScenarioSource::Groups {
                        set,
                        attr,
                        nominal,
                        k,
                        up_to,
                    })
                }
            }
        }
    }

    /// A count computed from data: the `k` of a generator.
    fn count_value(&mut self, k: &Expr, what: &str) {
        let t = self.expr(k);
        if t.var {
            self.error(errors::needs_data(k.span, what));
        }
        self.expect_value(&t, k, &Ty::count(), "`k`", None);
    }

    /// An attribute of kind `kind` named by `e`, with its type and declaration (E0203 when
    /// it has none).
    fn attr_of(&mut self, kind: usize, e: &Expr) -> Option<(ScenarioAttr, Ty, Span)> {
        let attr = match &e.kind {
            ExprKind::Name(a) => a.clone(),
            _ => {
                self.error(errors::type_mismatch(
                    e.span,
                    "the name of an attribute",
                    "an expression",
                ));
                return None;
            }
        };
        let k = &self.schema.kinds[kind];
        let Some((index, info)) = k
            .attr_index
            .get(&attr.name)
            .map(|&i| (i, k.attrs[i].clone()))
        else {
            let d = Diagnostic::error(
                Code::E0203,
                format!("`{}` has no attribute `{}`", k.name, attr.name),
            )
            .primary(attr.span, "unknown attribute")
            .help(format!(
                "declare it: `kind {} {{ {}: ... }}`",
                k.name, attr.name
            ));
            self.error(d);
            return None;
        };
        self.add_ref(attr.span, info.symbol);
        let attr = ScenarioAttr {
            name: attr,
            kind,
            index,
        };
        Some((attr, info.ty, info.span))
    }

    /// An attribute of kind `kind` that holds each entity's failure probability: a plain
    /// number (its values are checked to be in [0, 1] when the set is built).
    fn probability_attr(&mut self, kind: usize, e: &Expr) -> Option<ScenarioAttr> {
        let (attr, ty, declared) = self.attr_of(kind, e)?;
        let plain = matches!(ty, Ty::Num { unit, .. } if unit.same_dim(&Unit::dimensionless()));
        if !plain {
            let found = self.schema.ty_name(&ty);
            self.error(
                errors::type_mismatch(attr.name.span, "a probability (a plain number)", &found)
                    .secondary(declared, "declared here"),
            );
        }
        Some(attr)
    }

    /// The kind of a set of entities, or an error.
    fn entity_set(&mut self, set: &Expr) -> Option<usize> {
        let t = self.expr(set);
        match t.ty {
            Ty::Set(ElemTy::Kind(k)) => Some(k),
            Ty::Err => None,
            other => {
                let found = self.schema.ty_name(&other);
                self.error(errors::type_mismatch(set.span, "a set of entities", &found));
                None
            }
        }
    }

    fn bool_literal(&mut self, e: &Expr) -> Option<bool> {
        match &e.kind {
            ExprKind::Bool(b) => Some(*b),
            _ => {
                self.error(errors::type_mismatch(
                    e.span,
                    "`true` or `false`",
                    "an expression",
                ));
                None
            }
        }
    }

    /// A probability: a plain number computed from data.
    fn probability_value(&mut self, e: &Expr) {
        let t = self.expr(e);
        if t.var {
            self.error(errors::needs_data(e.span, "a probability"));
        }
        self.expect_value(
            &t,
            e,
            &Ty::num(Unit::dimensionless()),
            "a probability",
            None,
        );
    }

    /// The entities down in a scenario: a set of entities.
    fn down_value(&mut self, e: &Expr) {
        let t = self.expr(e);
        if t.var {
            self.error(errors::needs_data(e.span, "a scenario"));
        }
        match t.ty {
            Ty::Set(ElemTy::Kind(_) | ElemTy::Any) | Ty::Err => {}
            other => {
                let found = self.schema.ty_name(&other);
                self.error(errors::type_mismatch(
                    e.span,
                    "a set of entities, such as `{ny-chi, ny-wash}`",
                    &found,
                ));
            }
        }
    }

    /// Params declared with one index over the set named `set`: (param, name).
    fn params_over(&self, set: &str) -> Vec<(usize, String)> {
        self.schema
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.decl.index.as_ref().is_some_and(|ix| {
                    ix.bindings.len() == 1
                        && matches!(&ix.bindings[0].set.kind, ExprKind::Name(n) if n.name == set)
                })
            })
            .map(|(i, p)| (i, p.name.clone()))
            .collect()
    }

    /// The scenario set of an element type, if it is one.
    fn scenario_set_of(&self, e: ElemTy) -> Option<usize> {
        match e {
            ElemTy::Symbol(s) if matches!(self.schema.sets[s].def, SetDef::Scenarios(_)) => Some(s),
            _ => None,
        }
    }

    /// `prob(s)`, `up(e, s)` and `mass(S)`, with their arguments already typed.
    pub(crate) fn scenario_call(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Arg],
        ts: &[T],
        span: Span,
    ) -> T {
        let want = if name.name == "up" { 2 } else { 1 };
        if ts.len() != want {
            self.error(
                Diagnostic::error(
                    Code::E0306,
                    format!(
                        "`{}` takes {want} argument{}, {} given",
                        name.name,
                        if want == 1 { "" } else { "s" },
                        ts.len()
                    ),
                )
                .primary(span, "wrong number of arguments"),
            );
            return T {
                ty: Ty::Err,
                var: false,
                zero: false,
            };
        }
        let var = ts.iter().any(|t| t.var);
        if var {
            self.error(errors::needs_data(span, &format!("`{}`", name.name)));
        }
        let last = ts.len() - 1;
        let scenario = match (name.name.as_str(), ts[last].ty) {
            (_, Ty::Err) => true,
            ("mass", Ty::Set(e)) | ("prob" | "up", Ty::Elem(e)) => {
                self.scenario_set_of(e).is_some()
            }
            _ => false,
        };
        if !scenario {
            let found = self.schema.ty_name(&ts[last].ty);
            let what = if name.name == "mass" {
                "a scenario set"
            } else {
                "a scenario"
            };
            self.error(
                Diagnostic::error(Code::E0341, format!("`{}` needs {what}", name.name))
                    .primary(args[last].value.span, format!("this is {found}"))
                    .help("scenarios are the elements of a set declared with `scenario(...)` entries or a generator such as `fail_k(links, 1)`"),
            );
        }
        if name.name == "up"
            && !matches!(ts[0].ty, Ty::Elem(ElemTy::Kind(_) | ElemTy::Any) | Ty::Err)
        {
            let found = self.schema.ty_name(&ts[0].ty);
            self.error(errors::type_mismatch(
                args[0].value.span,
                "an entity",
                &found,
            ));
        }
        let ty = if name.name == "up" {
            Ty::count()
        } else {
            Ty::num(Unit::dimensionless())
        };
        T {
            ty,
            var: false,
            zero: false,
        }
    }
}

/// The index list of a risk measure without the level of `cvar` (its first binding), and
/// that level.
pub(crate) fn split_level(
    kind: AggKind,
    index: &ast::IndexList,
) -> (Option<&Expr>, ast::IndexList) {
    if kind == AggKind::Cvar && !index.bindings.is_empty() {
        let mut rest = index.clone();
        let level = &index.bindings[0].set;
        rest.bindings.remove(0);
        (Some(level), rest)
    } else {
        (None, index.clone())
    }
}

impl Checker {
    /// `expected`, `worst`, `cvar` and `probability` over one scenario set.
    pub(crate) fn risk_aggregate(
        &mut self,
        kind: AggKind,
        index: &ast::IndexList,
        body: Option<&Expr>,
        span: Span,
    ) -> T {
        let (level, rest) = split_level(kind, index);
        if let Some(level) = level {
            self.probability_value(level);
        }
        let depth = self.locals.len();
        let dims = self.bind_index(&rest, &format!("`{}`", kind.name()));
        let t = body.map(|b| (b, self.expr(b)));
        self.locals.truncate(depth);
        let over_scenarios = match dims.as_slice() {
            [d] => {
                d.var.is_empty() || d.elem == ElemTy::Any || self.scenario_set_of(d.elem).is_some()
            }
            _ => false,
        };
        let named = rest.bindings.len() == 1 && rest.bindings[0].var.is_some();
        if !over_scenarios || !named {
            let at = rest.bindings.first().map(|b| b.span).unwrap_or(index.span);
            self.error(
                Diagnostic::error(
                    Code::E0342,
                    format!("`{}` runs over one scenario set", kind.name()),
                )
                .primary(at, "not one `s in SCENARIOS`")
                .help(format!(
                    "write `{}({}s in S) ...` with `S` a scenario set, such as `set S = fail_k(links, 1)`",
                    kind.name(),
                    if kind == AggKind::Cvar { "0.99, " } else { "" }
                )),
            );
        }
        let Some((b, bt)) = t else {
            self.error(
                Diagnostic::error(
                    Code::E0306,
                    format!("`{}` needs a value after the parentheses", kind.name()),
                )
                .primary(span, "nothing to measure"),
            );
            return T {
                ty: Ty::Err,
                var: false,
                zero: false,
            };
        };
        if kind == AggKind::Probability {
            self.want_bool(b, &bt);
            return T {
                ty: Ty::num(Unit::dimensionless()),
                var: bt.var,
                zero: false,
            };
        }
        match bt.ty.as_num() {
            Some((unit, _)) => T {
                ty: Ty::num(unit),
                var: bt.var,
                zero: false,
            },
            None => self.not_number(b, &bt),
        }
    }
}

fn not_a_scenario(span: Span) -> Diagnostic {
    Diagnostic::error(Code::E0340, "expected a scenario")
        .primary(span, "not `scenario(...)`")
        .help("every entry of a scenario set is `NAME: scenario(p = ..., down = {...})`")
}

fn unknown_field(field: &ast::Ident, set: &str) -> Diagnostic {
    Diagnostic::error(
        Code::E0240,
        format!("`{}` is not a field of a scenario", field.name),
    )
    .primary(field.span, "neither `p`, `down` nor a param over this set")
    .help(format!(
        "a scenario sets `p`, `down`, and params indexed by the set alone: declare `param {}[s in {set}]: ...`",
        field.name
    ))
}
