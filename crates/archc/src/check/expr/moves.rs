//! Typing the built-ins that compare a decision with its current state: `moves(x, was)`
//! (the sum over `x`'s instances of `|x - was|`, in `x`'s unit) and `changed(x, was)` (how
//! many instances differ from `was`, a count). `x` is a decision named whole (E0250), `was`
//! a param with the same index (E0251, E0352) and a unit of the same dimension (E0416);
//! `changed` needs an integer or bool decision (E0353). Lowering is in
//! [`crate::instantiate`] (`moves`): auxiliary columns and rows, big-M from bounds.

use super::T;
use crate::check::{errors, Checker, ElemTy, Global, IndexDim, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::VarKind;
use crate::span::Span;
use crate::syntax::ast::{self, ExprKind};

/// The names of the built-ins of this module.
pub const MOVE_BUILTINS: &[&str] = &["moves", "changed"];

impl Checker {
    /// Type `moves(x, was)` or `changed(x, was)`.
    pub(super) fn move_call(&mut self, name: &ast::Ident, args: &[ast::Arg], span: Span) -> T {
        let what = name.name.as_str();
        if args.len() != 2 {
            self.error(
                Diagnostic::error(
                    Code::E0306,
                    format!("`{what}` takes 2 arguments, {} given", args.len()),
                )
                .primary(span, "wrong number of arguments")
                .help(format!(
                    "`{what}(x, was)`: a decision and the param of its current values"
                )),
            );
            return T::err();
        }
        let decision = match &args[0].value.kind {
            ExprKind::Name(id) => match self.schema.globals.get(&id.name).copied() {
                Some(Global::Decision(d)) => {
                    let sym = self.global_symbol(Global::Decision(d));
                    self.add_ref(id.span, sym);
                    Some(d)
                }
                _ => None,
            },
            _ => None,
        };
        let Some(d) = decision else {
            self.error(
                Diagnostic::error(
                    Code::E0250,
                    format!("`{what}` needs a decision, by its name"),
                )
                .primary(args[0].value.span, "not the name of a decision")
                .help(format!(
                    "name the whole decision, without indices: `{what}(replicas, was)`"
                )),
            );
            return T::err();
        };
        let param = match &args[1].value.kind {
            ExprKind::Name(id) => match self.schema.globals.get(&id.name).copied() {
                Some(Global::Param(p)) => {
                    let sym = self.global_symbol(Global::Param(p));
                    self.add_ref(id.span, sym);
                    Some(p)
                }
                _ => None,
            },
            _ => None,
        };
        let Some(p) = param else {
            self.error(
                Diagnostic::error(
                    Code::E0251,
                    format!("`{what}` needs the current values as a param, by its name"),
                )
                .primary(args[1].value.span, "not the name of a param")
                .help("load the current state as a param with the decision's index: `param was[s in services, r in regions]: int from \"current.csv\"`"),
            );
            return T::err();
        };
        let dec = self.schema.decisions[d].clone();
        let par = self.schema.params[p].clone();
        let same_index =
            dec.dims.len() == par.dims.len()
                && dec.dims.iter().zip(&par.dims).all(|(a, b)| {
                    a.elem == b.elem || a.elem == ElemTy::Any || b.elem == ElemTy::Any
                });
        if !same_index {
            let idx = |dims: &[IndexDim]| {
                let names: Vec<&str> = dims.iter().map(|x| x.var.as_str()).collect();
                if names.is_empty() {
                    "no index".to_string()
                } else {
                    format!("[{}]", names.join(", "))
                }
            };
            self.error(
                Diagnostic::error(
                    Code::E0352,
                    format!(
                        "`{}` is not indexed like the decision `{}`",
                        par.name, dec.name
                    ),
                )
                .primary(args[1].value.span, format!("indexed {}", idx(&par.dims)))
                .secondary(dec.span, format!("`{}` is indexed {}", dec.name, idx(&dec.dims)))
                .help("the current state has one value per instance of the decision, over the same sets"),
            );
            return T::err();
        }
        match par.ty.as_num() {
            Some((unit, _)) if !unit.same_dim(&dec.unit) => {
                let found = self.schema.units.format(&unit);
                let wanted = self.schema.units.format(&dec.unit);
                let show = |u: &str| {
                    if u.is_empty() {
                        "a plain number".to_string()
                    } else {
                        format!("`{u}`")
                    }
                };
                self.error(
                    Diagnostic::error(
                        Code::E0416,
                        format!(
                            "the current values `{}` are in {}, the decision `{}` in {}",
                            par.name,
                            show(&found),
                            dec.name,
                            show(&wanted)
                        ),
                    )
                    .primary(args[1].value.span, format!("this is {}", show(&found)))
                    .secondary(dec.span, format!("declared in {}", show(&wanted)))
                    .help("declare the param in the decision's unit"),
                );
                return T::err();
            }
            Some(_) => {}
            None if par.ty == Ty::Err => return T::err(),
            None => {
                let found = self.schema.ty_name(&par.ty);
                self.error(errors::type_mismatch(
                    args[1].value.span,
                    "numbers (the current values of the decision)",
                    &found,
                ));
                return T::err();
            }
        }
        if what == "changed" {
            if dec.var_kind == VarKind::Continuous {
                self.error(
                    Diagnostic::error(
                        Code::E0353,
                        format!("`changed` counts instances of an integer or bool decision, and `{}` is continuous", dec.name),
                    )
                    .primary(args[0].value.span, "a continuous decision")
                    .secondary(dec.span, "declared here")
                    .help("use `moves(x, was)` to measure how far a continuous decision moved"),
                );
                return T::err();
            }
            return T::var(Ty::count(), true);
        }
        T::var(
            Ty::Num {
                unit: dec.unit,
                int: dec.var_kind != VarKind::Continuous,
            },
            true,
        )
    }
}
