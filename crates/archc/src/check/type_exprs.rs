//! Reading written types: unit expressions (with E0403/E0404 at the exact span of the bad
//! part) and type annotations such as `real MW` or a kind name. Used while collecting and
//! checking declarations, before any expression is typed.

use super::{Checker, ElemTy, Global, Ty};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{self, BaseType};
use crate::units::{Unit, UnitError};

impl Checker {
    /// Parse a unit, reporting unknown names at their exact span.
    pub(crate) fn parse_unit(&mut self, text: &str, span: Span) -> Option<Unit> {
        if let Some(u) = self.schema.unit_cache.get(text) {
            return Some(*u);
        }
        match self.schema.units.parse(text) {
            Ok(u) => {
                self.schema.unit_cache.insert(text.to_string(), u);
                Some(u)
            }
            Err(e) => {
                let d = match e {
                    UnitError::Unknown {
                        name,
                        start,
                        end,
                        suggestion,
                    } => {
                        let s = Span::new(
                            span.file,
                            span.start as usize + start,
                            span.start as usize + end,
                        );
                        let mut d =
                            Diagnostic::error(Code::E0403, format!("unknown unit `{name}`"))
                                .primary(s, "not a unit");
                        if let Some(g) = self.schema.globals.get(&name) {
                            let what = match g {
                                Global::Param(_) => "a param",
                                Global::Decision(_) => "a decision",
                                _ => "a name",
                            };
                            d = d.help(format!("`{name}` is {what}; to multiply write `* {name}`"));
                        } else if let Some(sug) = suggestion {
                            d = d.help(format!("did you mean `{sug}`?"));
                        }
                        d
                    }
                    UnitError::Syntax {
                        message,
                        start,
                        end,
                    } => {
                        let s = Span::new(
                            span.file,
                            span.start as usize + start,
                            span.start as usize + end.max(start),
                        );
                        Diagnostic::error(Code::E0404, format!("invalid unit `{text}`"))
                            .primary(s, message)
                    }
                    other => Diagnostic::error(Code::E0404, format!("invalid unit `{text}`"))
                        .primary(span, other.to_string()),
                };
                self.error(d);
                None
            }
        }
    }

    /// The type a `TypeExpr` denotes.
    pub(crate) fn type_of_type(&mut self, t: &ast::TypeExpr) -> (Ty, String) {
        let unit_text = t.unit.as_ref().map(|u| u.text.clone()).unwrap_or_default();
        let ty = match t.base {
            BaseType::Bool => Ty::Bool,
            BaseType::Str => Ty::Str,
            BaseType::Int | BaseType::Real => {
                let unit = match &t.unit {
                    Some(u) => self
                        .parse_unit(&u.text, u.span)
                        .unwrap_or_else(Unit::dimensionless),
                    None => Unit::dimensionless(),
                };
                Ty::Num {
                    unit,
                    int: t.base == BaseType::Int,
                }
            }
            BaseType::Named => {
                let Some(u) = &t.unit else {
                    return (Ty::Err, unit_text);
                };
                if let Some(k) = self.schema.kind_by_name(&u.text) {
                    Ty::Elem(ElemTy::Kind(k))
                } else if let Some(Global::Set(s)) = self.schema.globals.get(&u.text).copied() {
                    Ty::Elem(self.schema.sets[s].elem)
                } else {
                    match self.parse_unit(&u.text, u.span) {
                        Some(unit) => Ty::num(unit),
                        None => Ty::Err,
                    }
                }
            }
        };
        (ty, unit_text)
    }
}
