//! Building expressions: the [`Builder`] methods that turn expression-level pest pairs
//! (operators by precedence, calls, aggregates, literals, sets and ranges) into spanned
//! [`Expr`] nodes. Called from the item builders in [`super::items`].

use super::{errors, next, Builder, Rule, P, R};
use crate::span::Span;
use crate::syntax::ast::*;

impl Builder {
    pub(super) fn set_expr(&self, p: P) -> R<Expr> {
        match p.as_rule() {
            Rule::set_expr => {
                let span = self.span(&p);
                let inner = p
                    .into_inner()
                    .next()
                    .ok_or_else(|| errors::internal(span, "set"))?;
                self.set_expr(inner)
            }
            Rule::range => self.range(p),
            _ => self.expr(p),
        }
    }

    pub(super) fn range(&self, p: P) -> R<Expr> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let lo = self.expr(next(&mut it, span)?)?;
        let hi = self.expr(next(&mut it, span)?)?;
        Ok(Expr {
            kind: ExprKind::Range(Box::new(lo), Box::new(hi)),
            span,
        })
    }

    /// Any expression-level rule.
    pub(super) fn expr(&self, p: P) -> R<Expr> {
        let span = self.span(&p);
        let rule = p.as_rule();
        match rule {
            Rule::expr
            | Rule::implies
            | Rule::or_expr
            | Rule::and_expr
            | Rule::sum_expr
            | Rule::mul_expr => {
                // operand (op operand)*, built as one flat chain.
                let mut it = p.into_inner();
                let first = self.expr(next(&mut it, span)?)?;
                let mut links = Vec::new();
                match rule {
                    Rule::or_expr | Rule::and_expr => {
                        let op = if rule == Rule::or_expr {
                            BinOp::Or
                        } else {
                            BinOp::And
                        };
                        // The keywords are kept above only for their spans.
                        while let Some(kw) = it.next() {
                            let ospan = self.span(&kw);
                            links.push((op, ospan, self.expr(next(&mut it, span)?)?));
                        }
                    }
                    _ => {
                        while let Some(o) = it.next() {
                            let op = match o.as_str() {
                                "<->" => BinOp::Iff,
                                "->" => BinOp::Implies,
                                "+" => BinOp::Add,
                                "-" => BinOp::Sub,
                                "*" => BinOp::Mul,
                                "/" => BinOp::Div,
                                _ => BinOp::Mod,
                            };
                            let ospan = self.span(&o);
                            links.push((op, ospan, self.expr(next(&mut it, span)?)?));
                        }
                    }
                }
                Ok(chain(first, links))
            }
            Rule::not_expr | Rule::unary => {
                // prefix* operand: the prefixes are few (the nesting limit bounds a run).
                let mut prefixes = Vec::new();
                let mut operand = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::not_op => prefixes.push((UnOp::Not, self.span(&c))),
                        Rule::neg_op => prefixes.push((UnOp::Neg, self.span(&c))),
                        _ => operand = Some(self.expr(c)?),
                    }
                }
                let mut e = operand.ok_or_else(|| errors::internal(span, "missing operand"))?;
                for (op, ospan) in prefixes.into_iter().rev() {
                    let s = ospan.to(e.span);
                    e = Expr {
                        kind: ExprKind::Unary(op, Box::new(e)),
                        span: s,
                    };
                }
                Ok(e)
            }
            Rule::cmp_expr => {
                let mut it = p.into_inner();
                let lhs = self.expr(next(&mut it, span)?)?;
                let mut links = Vec::new();
                while let Some(op) = it.next() {
                    let ospan = self.span(&op);
                    let op = cmp_op(op.as_str());
                    let rhs = self.expr(next(&mut it, span)?)?;
                    links.push((op, ospan, rhs));
                }
                if links.is_empty() {
                    Ok(lhs)
                } else {
                    Ok(Expr {
                        kind: ExprKind::Compare(Box::new(lhs), links),
                        span,
                    })
                }
            }
            Rule::power => self.power(p),
            Rule::postfix => {
                let mut it = p.into_inner();
                let mut acc = self.expr(next(&mut it, span)?)?;
                for c in it {
                    let cspan = self.span(&c);
                    let s = acc.span.to(cspan);
                    match c.as_rule() {
                        Rule::field => {
                            let f = self.ident(next(&mut c.into_inner(), cspan)?);
                            acc = Expr {
                                kind: ExprKind::Field(Box::new(acc), f),
                                span: s,
                            };
                        }
                        _ => {
                            let mut idx = Vec::new();
                            for e in c.into_inner() {
                                idx.push(self.expr(e)?);
                            }
                            acc = Expr {
                                kind: ExprKind::Index(Box::new(acc), idx),
                                span: s,
                            };
                        }
                    }
                }
                Ok(acc)
            }
            Rule::primary | Rule::agg_body => {
                let inner = next(&mut p.into_inner(), span)?;
                self.expr(inner)
            }
            Rule::paren => {
                let mut items = Vec::new();
                for c in p.into_inner() {
                    items.push(self.expr(c)?);
                }
                if items.len() == 1 {
                    let mut e = items.remove(0);
                    e.span = span;
                    Ok(e)
                } else {
                    Ok(Expr {
                        kind: ExprKind::Tuple(items),
                        span,
                    })
                }
            }
            Rule::if_expr => {
                // if c then v (else if c then v)* else otherwise
                let mut arms = Vec::new();
                let mut arm_start = span;
                let mut after = Rule::kw_if;
                let mut cond = None;
                let mut otherwise = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        r @ (Rule::kw_if | Rule::kw_then | Rule::kw_else) => {
                            if r == Rule::kw_if {
                                arm_start = self.span(&c);
                            }
                            after = r;
                        }
                        _ => {
                            let e = self.expr(c)?;
                            match after {
                                Rule::kw_if => cond = Some(e),
                                Rule::kw_then => {
                                    let c =
                                        cond.take().ok_or_else(|| errors::internal(span, "if"))?;
                                    let s = arm_start.to(e.span);
                                    arms.push(IfArm {
                                        cond: c,
                                        value: e,
                                        span: s,
                                    });
                                }
                                _ => otherwise = Some(e),
                            }
                        }
                    }
                }
                let otherwise = otherwise.ok_or_else(|| errors::internal(span, "if"))?;
                let kind = if arms.len() == 1 {
                    let Some(arm) = arms.pop() else {
                        return Err(errors::internal(span, "if"));
                    };
                    ExprKind::If(Box::new(arm.cond), Box::new(arm.value), Box::new(otherwise))
                } else {
                    ExprKind::IfChain(arms, Box::new(otherwise))
                };
                Ok(Expr { kind, span })
            }
            Rule::aggregate => {
                let mut kind = AggKind::Sum;
                let mut bindings = Vec::new();
                let mut filter = None;
                let mut body = None;
                let mut idx_start = None;
                let mut idx_end = span;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::agg_name => {
                            kind = match c.as_str() {
                                "sum" => AggKind::Sum,
                                "count" => AggKind::Count,
                                "min" => AggKind::Min,
                                "max" => AggKind::Max,
                                "exists" => AggKind::Exists,
                                "expected" => AggKind::Expected,
                                "worst" => AggKind::Worst,
                                "cvar" => AggKind::Cvar,
                                "probability" => AggKind::Probability,
                                _ => AggKind::Forall,
                            }
                        }
                        Rule::binding => {
                            let b = self.binding(c)?;
                            idx_start.get_or_insert(b.span);
                            idx_end = b.span;
                            bindings.push(b);
                        }
                        Rule::kw_where => {}
                        Rule::agg_body => body = Some(Box::new(self.expr(c)?)),
                        _ => {
                            let f = self.expr(c)?;
                            idx_end = f.span;
                            filter = Some(Box::new(f));
                        }
                    }
                }
                let ispan = idx_start.map(|s| s.to(idx_end)).unwrap_or(span);
                Ok(Expr {
                    kind: ExprKind::Agg {
                        kind,
                        index: IndexList {
                            bindings,
                            filter,
                            span: ispan,
                        },
                        body,
                    },
                    span,
                })
            }
            Rule::call => {
                let mut it = p.into_inner();
                let name = self.ident(next(&mut it, span)?);
                let mut args = Vec::new();
                for a in it {
                    args.push(self.arg(a)?);
                }
                Ok(Expr {
                    kind: ExprKind::Call(name, args),
                    span,
                })
            }
            Rule::set_compr => {
                let mut it = p
                    .into_inner()
                    .filter(|c| !matches!(c.as_rule(), Rule::kw_in | Rule::kw_where));
                let var = self.ident(next(&mut it, span)?);
                let set = self.set_expr(next(&mut it, span)?)?;
                let filter = it.next().map(|f| self.expr(f)).transpose()?.map(Box::new);
                let bspan = var.span.to(set.span);
                Ok(Expr {
                    kind: ExprKind::SetCompr(Box::new(IndexList {
                        bindings: vec![Binding {
                            var: Some(var),
                            set,
                            span: bspan,
                        }],
                        filter,
                        span,
                    })),
                    span,
                })
            }
            Rule::set_lit => {
                let mut items = Vec::new();
                for c in p.into_inner() {
                    items.push(self.expr(c)?);
                }
                Ok(Expr {
                    kind: ExprKind::SetLit(items),
                    span,
                })
            }
            Rule::map_lit => {
                let mut entries = Vec::new();
                for e in p.into_inner() {
                    let espan = self.span(&e);
                    let mut ei = e.into_inner();
                    let key = next(&mut ei, espan)?;
                    let mut keys = Vec::new();
                    for k in key.into_inner() {
                        keys.push(self.map_key_atom(k)?);
                    }
                    let value = self.expr(next(&mut ei, espan)?)?;
                    entries.push((keys, value));
                }
                Ok(Expr {
                    kind: ExprKind::Map(entries),
                    span,
                })
            }
            Rule::quantity => {
                let mut it = p.into_inner();
                let n = next(&mut it, span)?;
                let value = parse_number(n.as_str(), self.span(&n))?;
                let u = next(&mut it, span)?;
                Ok(Expr {
                    kind: ExprKind::Quantity(
                        value,
                        UnitExpr {
                            text: u.as_str().to_string(),
                            span: self.span(&u),
                        },
                    ),
                    span,
                })
            }
            Rule::number => Ok(Expr {
                kind: ExprKind::Number(parse_number(p.as_str(), span)?),
                span,
            }),
            Rule::period => {
                let s = p.as_str();
                match crate::period::Period::parse(s) {
                    Some(Ok(period)) => Ok(Expr {
                        kind: ExprKind::Period { period },
                        span,
                    }),
                    Some(Err(why)) => Err(errors::bad_period(span, s, why)),
                    None => Err(errors::internal(span, "period literal")),
                }
            }
            Rule::string => {
                let s = self.string(p);
                Ok(Expr {
                    kind: ExprKind::Str(s.value),
                    span,
                })
            }
            Rule::kw_true => Ok(Expr {
                kind: ExprKind::Bool(true),
                span,
            }),
            Rule::kw_false => Ok(Expr {
                kind: ExprKind::Bool(false),
                span,
            }),
            Rule::ident | Rule::entity_name => Ok(Expr {
                kind: ExprKind::Name(self.ident(p)),
                span,
            }),
            Rule::set_expr | Rule::range => self.set_expr(p),
            _ => Err(errors::internal(span, "unexpected expression")),
        }
    }

    pub(super) fn map_key_atom(&self, p: P) -> R<Expr> {
        let span = self.span(&p);
        let inner = next(&mut p.into_inner(), span)?;
        self.expr(inner)
    }
}

impl Builder {
    /// `postfix (^ -* postfix)*`, grouped from the right. A `-` before an exponent negates
    /// the whole rest of the chain (`a ^ -b ^ c` is `a ^ -(b ^ c)`), so the run is cut
    /// there: the rest becomes one negated operand of the part before it.
    fn power(&self, p: P) -> R<Expr> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let first = self.expr(next(&mut it, span)?)?;
        // The operands in order, and before each but the first: its `^` and negations.
        let mut operands = vec![first];
        let mut ops: Vec<(Span, Vec<Span>)> = Vec::new();
        for c in it {
            match c.as_rule() {
                Rule::pow_op => ops.push((self.span(&c), Vec::new())),
                Rule::neg_op => match ops.last_mut() {
                    Some((_, negs)) => negs.push(self.span(&c)),
                    None => return Err(errors::internal(span, "power")),
                },
                _ => operands.push(self.expr(c)?),
            }
        }
        // From the right: gather a run of links; at a negated operand, close the run into
        // one expression, negate it, and make it the last operand of the run before it.
        let mut head = operands
            .pop()
            .ok_or_else(|| errors::internal(span, "power"))?;
        let mut links_rev: Vec<ChainLink> = Vec::new();
        while let Some((ospan, negs)) = ops.pop() {
            let before = operands
                .pop()
                .ok_or_else(|| errors::internal(span, "power"))?;
            if negs.is_empty() {
                links_rev.push((BinOp::Pow, ospan, head));
            } else {
                links_rev.reverse();
                let mut e = chain(head, std::mem::take(&mut links_rev));
                for n in negs.into_iter().rev() {
                    let s = n.to(e.span);
                    e = Expr {
                        kind: ExprKind::Unary(UnOp::Neg, Box::new(e)),
                        span: s,
                    };
                }
                links_rev.push((BinOp::Pow, ospan, e));
            }
            head = before;
        }
        links_rev.reverse();
        Ok(chain(head, links_rev))
    }
}

/// `first` followed by `links`, as one node: itself when there are no links, a
/// [`ExprKind::Binary`] for one, a flat [`ExprKind::Chain`] for more.
fn chain(first: Expr, mut links: Vec<ChainLink>) -> Expr {
    let Some(last) = links.last() else {
        return first;
    };
    let span = first.span.to(last.2.span);
    let kind = if links.len() == 1 {
        match links.pop() {
            Some((op, _, rhs)) => ExprKind::Binary(op, Box::new(first), Box::new(rhs)),
            None => return first,
        }
    } else {
        ExprKind::Chain(Box::new(first), links)
    };
    Expr { kind, span }
}
pub(super) fn cmp_op(s: &str) -> CmpOp {
    match s {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<=" => CmpOp::Le,
        ">=" => CmpOp::Ge,
        "<" => CmpOp::Lt,
        ">" => CmpOp::Gt,
        "in" => CmpOp::In,
        _ => CmpOp::NotIn,
    }
}

pub(super) fn parse_number(text: &str, span: Span) -> R<f64> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    match clean.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(errors::bad_number(span, text)),
    }
}
