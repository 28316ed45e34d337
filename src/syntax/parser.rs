//! Parsing: source text → [`ast::File`], with every node spanned. The parser recovers from
//! a syntax error by skipping to the next line that starts a declaration, so one run reports
//! every broken item.

use super::ast::*;
use super::errors;
use super::incremental::ParseCache;
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/arch.pest"]
pub struct ArchParser;

type P<'a> = Pair<'a, Rule>;

/// Parse a whole file. Always returns a (possibly partial) AST and the syntax diagnostics.
pub fn parse_file(file: FileId, original: &str) -> (File, Vec<Diagnostic>) {
    parse(file, original, None)
}

/// Parse a whole file again after an edit, reusing the items of the previous parse kept in
/// `cache` whose text did not change. Gives the same AST and diagnostics as [`parse_file`].
pub fn parse_file_incremental(
    file: FileId,
    original: &str,
    cache: &mut ParseCache,
) -> (File, Vec<Diagnostic>) {
    parse(file, original, Some(cache))
}

fn parse(
    file: FileId,
    original: &str,
    mut cache: Option<&mut ParseCache>,
) -> (File, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diags = Vec::new();
    // Items nested too deeply for a recursive parser are reported and blanked out (byte for
    // byte, so spans stay right) instead of overflowing the stack.
    let blanked = blank_deep_items(file, original, &mut diags);
    if let Some(c) = cache.as_deref_mut() {
        if blanked.is_some() {
            c.clear();
            cache = None;
        } else {
            c.begin(file);
        }
    }
    let text: &str = blanked.as_deref().unwrap_or(original);
    let mut pos = skip_trivia(text, 0);
    while pos < text.len() {
        if let Some((result, next)) = cache.as_deref_mut().and_then(|c| c.lookup(text, pos)) {
            match result {
                Ok(item) => items.push(item),
                Err(d) => diags.push(d),
            }
            pos = next;
            continue;
        }
        match ArchParser::parse(Rule::single_item, &text[pos..]) {
            Ok(mut pairs) => {
                let single = pairs.next();
                let Some(item_pair) = single.and_then(|p| p.into_inner().next()) else {
                    break;
                };
                let end = pos + item_pair.as_span().end();
                let b = Builder { file, base: pos };
                let result = b.item(item_pair);
                if end <= pos {
                    push_result(result, &mut items, &mut diags);
                    break;
                }
                let next = skip_trivia(text, end);
                if let Some(c) = cache.as_deref_mut() {
                    c.store(text, pos, next, reach(text, pos), &result);
                }
                push_result(result, &mut items, &mut diags);
                pos = next;
            }
            Err(_) => {
                let detailed = detailed_error(&text[pos..]);
                let Some(e) = detailed else { break };
                let (offset, d) = errors::from_pest(file, text, pos, &e);
                diags.push(d);
                pos = skip_trivia(text, next_item_start(text, offset.max(pos + 1)));
            }
        }
    }
    if let Some(c) = cache {
        c.finish();
    }
    let file_node = File {
        items,
        span: Span::new(file, 0, text.len()),
    };
    (file_node, diags)
}

/// The error of a parse of one item with detailed attempt tracking, which describes what was
/// expected. Tracking is slow, so it is switched on only for this; the switch is global, so
/// one thread at a time has it on (a parse on another thread meanwhile is only slower).
fn detailed_error(text: &str) -> Option<pest::error::Error<Rule>> {
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAIL.lock().unwrap_or_else(|e| e.into_inner());
    pest::set_error_detail(true);
    let detailed = ArchParser::parse(Rule::single_item, text).err();
    pest::set_error_detail(false);
    detailed
}

/// The furthest position the parser tried to match something at while reading the item at
/// `pos` (and failing to continue it), from a parse of the item followed by a rule that
/// never matches.
fn reach(text: &str, pos: usize) -> usize {
    use pest::error::InputLocation;
    match ArchParser::parse(Rule::probe_item, &text[pos..]) {
        Err(e) => match e.location {
            InputLocation::Pos(p) => pos + p,
            InputLocation::Span((_, b)) => pos + b,
        },
        Ok(_) => text.len(),
    }
}

fn push_result(result: R<Item>, items: &mut Vec<Item>, diags: &mut Vec<Diagnostic>) {
    match result {
        Ok(item) => items.push(item),
        Err(d) => diags.push(d),
    }
}

/// Deepest bracket nesting, or run of prefix operators, that the parser accepts.
pub const MAX_NESTING: usize = 48;

fn blank_deep_items(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut run = 0usize;
    let mut bad: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth == MAX_NESTING + 1 {
                    bad.push(i);
                }
                run = 0;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                run = 0;
            }
            b'-' | b'!' => {
                run += 1;
                if run == MAX_NESTING + 1 {
                    bad.push(i);
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'n' if bytes[i..].starts_with(b"not")
                && bytes
                    .get(i + 3)
                    .is_some_and(|c| !c.is_ascii_alphanumeric() && *c != b'_' && *c != b'-')
                && (i == 0
                    || !(bytes[i - 1].is_ascii_alphanumeric()
                        || bytes[i - 1] == b'_'
                        || bytes[i - 1] == b'-')) =>
            {
                run += 1;
                if run == MAX_NESTING + 1 {
                    bad.push(i);
                }
                i += 3;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ => run = 0,
        }
        if bytes[i] == b'\n' && depth == 0 {
            run = 0;
        }
        i += 1;
    }
    if bad.is_empty() {
        return None;
    }
    let mut out = text.as_bytes().to_vec();
    for &at in &bad {
        diags.push(
            Diagnostic::error(
                "E0105",
                format!("expression nested more than {MAX_NESTING} levels deep"),
            )
            .primary(Span::new(file, at, at + 1), "too deep here")
            .help("split the expression with a `fn` or a `param`"),
        );
        let start = text[..at].rfind('\n').map(|p| p + 1).unwrap_or(0);
        let start = (0..=start)
            .rev()
            .find(|&p| {
                p == 0
                    || (bytes[p - 1] == b'\n'
                        && bytes.get(p).is_some_and(|c| c.is_ascii_alphabetic()))
            })
            .unwrap_or(0);
        let end = next_item_start(text, at);
        for b in &mut out[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Skip whitespace and non-doc comments.
fn skip_trivia(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        while pos < bytes.len() && (bytes[pos] as char).is_ascii_whitespace() {
            pos += 1;
        }
        if text[pos..].starts_with("\u{feff}") {
            pos += 3;
            continue;
        }
        if text[pos..].starts_with("//") && !text[pos..].starts_with("///") {
            while pos < bytes.len() && bytes[pos] != b'\n' {
                pos += 1;
            }
            continue;
        }
        return pos;
    }
}

/// The start of the next line (after `from`) whose first character is not indented and
/// not a closing brace: where the next declaration most likely begins.
fn next_item_start(text: &str, from: usize) -> usize {
    let mut pos = crate::span::floor_char_boundary(text, from);
    while let Some(nl) = text[pos..].find('\n') {
        pos += nl + 1;
        let rest = &text[pos..];
        match rest.chars().next() {
            Some(c) if c.is_alphabetic() || c == '_' => return pos,
            Some('/') if rest.starts_with("///") => return pos,
            _ => {}
        }
    }
    text.len()
}

struct Builder {
    file: FileId,
    base: usize,
}

type R<T> = Result<T, Diagnostic>;

impl Builder {
    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn ident(&self, p: P) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    fn string(&self, p: P) -> StrLit {
        let span = self.span(&p);
        let inner = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
        StrLit {
            value: unescape(inner),
            span,
        }
    }

    fn item(&self, p: P) -> R<Item> {
        let span = self.span(&p);
        let mut doc_lines = Vec::new();
        let mut kind = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::doc_comment => doc_lines.push(doc_text(c.as_str())),
                _ => kind = Some(self.item_kind(c)?),
            }
        }
        let kind = kind.ok_or_else(|| errors::internal(span, "empty item"))?;
        Ok(Item {
            doc: if doc_lines.is_empty() {
                None
            } else {
                Some(doc_lines.join("\n"))
            },
            kind,
            span,
        })
    }

    fn item_kind(&self, p: P) -> R<ItemKind> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner().peekable();
        Ok(match rule {
            Rule::use_decl => {
                it.next();
                let t = next(&mut it, span)?;
                let target = if t.as_rule() == Rule::string {
                    UseTarget::File(self.string(t))
                } else {
                    UseTarget::Module(t.into_inner().map(|i| self.ident(i)).collect())
                };
                ItemKind::Use(UseDecl { target })
            }
            Rule::unit_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let value = it.next().map(|e| self.expr(e)).transpose()?;
                ItemKind::Unit(UnitDecl { name, value })
            }
            Rule::kind_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let mut attrs = Vec::new();
                for a in it {
                    attrs.push(self.attr_decl(a)?);
                }
                ItemKind::Kind(KindDecl { name, attrs })
            }
            Rule::entity_decl => {
                let kind = self.ident(next(&mut it, span)?);
                let name = self.ident(next(&mut it, span)?);
                let attrs = match it.next() {
                    Some(b) => self.attr_block(b)?,
                    None => Vec::new(),
                };
                ItemKind::Entity(EntityDecl {
                    kind,
                    name,
                    link: None,
                    attrs,
                })
            }
            Rule::link_decl => {
                let kind = self.ident(next(&mut it, span)?);
                let src = self.ident(next(&mut it, span)?);
                let op = next(&mut it, span)?;
                let op_span = self.span(&op);
                let both = op.as_str() == "<->";
                let dst = self.ident(next(&mut it, span)?);
                let attrs = match it.next() {
                    Some(b) => self.attr_block(b)?,
                    None => Vec::new(),
                };
                let name = Ident {
                    name: format!("{}->{}", src.name, dst.name),
                    span: src.span.to(dst.span),
                };
                ItemKind::Entity(EntityDecl {
                    kind,
                    name,
                    link: Some(LinkEnds {
                        src,
                        dst,
                        both,
                        op_span,
                    }),
                    attrs,
                })
            }
            Rule::entities_from => {
                let set = self.ident(next(&mut it, span)?);
                it.next();
                let path = self.string(next(&mut it, span)?);
                ItemKind::EntitiesFrom(EntitiesFrom { set, path })
            }
            Rule::set_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let value = self.set_expr(next(&mut it, span)?)?;
                ItemKind::Set(SetDecl { name, value })
            }
            Rule::param_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let index = if it.peek().map(|p| p.as_rule()) == Some(Rule::index_list) {
                    Some(self.index_list(next(&mut it, span)?)?)
                } else {
                    None
                };
                let ty = self.type_expr(next(&mut it, span)?)?;
                let value = match it.next() {
                    Some(v) if v.as_rule() == Rule::param_from => {
                        let s = v
                            .into_inner()
                            .nth(1)
                            .ok_or_else(|| errors::internal(span, "param from"))?;
                        Some(ParamValue::From(self.string(s)))
                    }
                    Some(v) => {
                        let e = v
                            .into_inner()
                            .next()
                            .ok_or_else(|| errors::internal(span, "param value"))?;
                        Some(ParamValue::Expr(self.expr(e)?))
                    }
                    None => None,
                };
                ItemKind::Param(ParamDecl {
                    name,
                    index,
                    ty,
                    value,
                })
            }
            Rule::decide_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let index = if it.peek().map(|p| p.as_rule()) == Some(Rule::index_list) {
                    Some(self.index_list(next(&mut it, span)?)?)
                } else {
                    None
                };
                let ty = self.type_expr(next(&mut it, span)?)?;
                let mut bounds = Vec::new();
                for b in it {
                    let bspan = self.span(&b);
                    let mut bi = b.into_inner();
                    let op = match next(&mut bi, bspan)?.as_str() {
                        ">=" => BoundOp::Ge,
                        "<=" => BoundOp::Le,
                        _ => BoundOp::Eq,
                    };
                    let value = self.expr(next(&mut bi, bspan)?)?;
                    bounds.push(Bound {
                        op,
                        value,
                        span: bspan,
                    });
                }
                ItemKind::Decide(DecideDecl {
                    name,
                    index,
                    ty,
                    bounds,
                })
            }
            Rule::constraint_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let index = if it.peek().map(|p| p.as_rule()) == Some(Rule::index_list) {
                    Some(self.index_list(next(&mut it, span)?)?)
                } else {
                    None
                };
                let body = self.expr(next(&mut it, span)?)?;
                ItemKind::Constraint(ConstraintDecl { name, index, body })
            }
            Rule::objective_decl => {
                let sense = if next(&mut it, span)?.as_rule() == Rule::kw_minimize {
                    ObjectiveSense::Minimize
                } else {
                    ObjectiveSense::Maximize
                };
                let mut name = None;
                let mut first = next(&mut it, span)?;
                if first.as_rule() == Rule::ident {
                    name = Some(self.ident(first));
                    first = next(&mut it, span)?;
                }
                let body = self.expr(first)?;
                ItemKind::Objective(ObjectiveDecl { sense, name, body })
            }
            Rule::fn_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let mut params = Vec::new();
                let mut ret = None;
                let mut body = None;
                for c in it {
                    match c.as_rule() {
                        Rule::fn_param => params.push(self.fn_param(c)?),
                        Rule::type_expr => ret = Some(self.type_expr(c)?),
                        _ => body = Some(self.expr(c)?),
                    }
                }
                let body = body.ok_or_else(|| errors::internal(span, "fn body"))?;
                ItemKind::Fn(FnDecl {
                    name,
                    params,
                    ret,
                    body,
                })
            }
            Rule::template_decl => {
                it.next();
                let name = self.ident(next(&mut it, span)?);
                let mut params = Vec::new();
                let mut items = Vec::new();
                for c in it {
                    match c.as_rule() {
                        Rule::fn_param => params.push(self.fn_param(c)?),
                        _ => items.push(self.item(c)?),
                    }
                }
                ItemKind::Template(TemplateDecl {
                    name,
                    params,
                    items,
                })
            }
            Rule::apply_decl => {
                it.next();
                let path = next(&mut it, span)?;
                let path_span = self.span(&path);
                let template: Vec<Ident> = path.into_inner().map(|i| self.ident(i)).collect();
                let mut args = Vec::new();
                let mut alias = None;
                let mut end = path_span;
                for c in it {
                    match c.as_rule() {
                        Rule::arg => {
                            end = self.span(&c);
                            args.push(self.arg(c)?)
                        }
                        Rule::ident => alias = Some(self.ident(c)),
                        _ => {}
                    }
                }
                ItemKind::Apply(ApplyDecl {
                    template,
                    args,
                    alias,
                    span_call: path_span.to(end),
                })
            }
            Rule::plan_decl => self.plan(it, span)?,
            Rule::test_decl => {
                it.next();
                let mut name = None;
                let mut expects = Vec::new();
                for c in it {
                    match c.as_rule() {
                        Rule::ident => name = Some(self.ident(c)),
                        _ => expects.push(self.expect(c)?),
                    }
                }
                ItemKind::Test(TestDecl { name, expects })
            }
            _ => return Err(errors::internal(span, "unexpected item")),
        })
    }

    fn plan<'a>(&self, it: impl Iterator<Item = P<'a>>, span: Span) -> R<ItemKind> {
        let mut it = it.skip(1).peekable();
        let name = self.ident(next(&mut it, span)?);
        let index = if it.peek().map(|p| p.as_rule()) == Some(Rule::index_list) {
            Some(self.index_list(next(&mut it, span)?)?)
        } else {
            None
        };
        it.next(); // over
        let stage_var = self.ident(next(&mut it, span)?);
        it.next(); // in
        let stages = self.set_expr(next(&mut it, span)?)?;
        let mut stmts = Vec::new();
        for s in it {
            let sspan = self.span(&s);
            let Some(inner) = s.into_inner().find(|c| c.as_rule() != Rule::doc_comment) else {
                continue;
            };
            let rule = inner.as_rule();
            let mut ci = inner.into_inner().filter(|c| {
                !matches!(
                    c.as_rule(),
                    Rule::cw_state
                        | Rule::cw_choose
                        | Rule::cw_next
                        | Rule::cw_require
                        | Rule::cw_cost
                        | Rule::cw_final
                        | Rule::kw_in
                )
            });
            let kind = match rule {
                Rule::plan_state => {
                    let name = self.ident(next(&mut ci, sspan)?);
                    let range = self.range(next(&mut ci, sspan)?)?;
                    let init = ci.next().map(|e| self.expr(e)).transpose()?;
                    PlanStmtKind::State { name, range, init }
                }
                Rule::plan_choose => {
                    let name = self.ident(next(&mut ci, sspan)?);
                    let d = next(&mut ci, sspan)?;
                    let domain = if d.as_rule() == Rule::range {
                        self.range(d)?
                    } else {
                        self.set_expr(d)?
                    };
                    PlanStmtKind::Choose { name, domain }
                }
                Rule::plan_next => {
                    let name = self.ident(next(&mut ci, sspan)?);
                    let value = self.expr(next(&mut ci, sspan)?)?;
                    PlanStmtKind::Next { name, value }
                }
                Rule::plan_require => PlanStmtKind::Require(self.expr(next(&mut ci, sspan)?)?),
                Rule::plan_cost => PlanStmtKind::Cost(self.expr(next(&mut ci, sspan)?)?),
                Rule::plan_final_cost => PlanStmtKind::FinalCost(self.expr(next(&mut ci, sspan)?)?),
                _ => PlanStmtKind::FinalRequire(self.expr(next(&mut ci, sspan)?)?),
            };
            stmts.push(PlanStmt { kind, span: sspan });
        }
        Ok(ItemKind::Plan(PlanDecl {
            name,
            index,
            stage_var,
            stages,
            stmts,
        }))
    }

    fn expect(&self, p: P) -> R<Expect> {
        let span = self.span(&p);
        let inner = p
            .into_inner()
            .find(|c| c.as_rule() != Rule::kw_expect)
            .ok_or_else(|| errors::internal(span, "expect"))?;
        let kind = match inner.as_rule() {
            Rule::expect_feasible => ExpectKind::Feasible,
            Rule::expect_infeasible => ExpectKind::Infeasible,
            Rule::expect_binding => {
                let e = inner
                    .into_inner()
                    .nth(1)
                    .ok_or_else(|| errors::internal(span, "binding"))?;
                ExpectKind::Binding(self.expr(e)?)
            }
            Rule::expect_objective => {
                let mut parts = inner.into_inner().skip(1).peekable();
                let mut bounds = Vec::new();
                if parts.peek().map(|p| p.as_rule()) == Some(Rule::kw_in) {
                    parts.next();
                    let r = next(&mut parts, span)?;
                    let mut ri = r.into_inner();
                    let lo = self.expr(next(&mut ri, span)?)?;
                    let hi = self.expr(next(&mut ri, span)?)?;
                    bounds.push((CmpOp::Ge, lo));
                    bounds.push((CmpOp::Le, hi));
                } else {
                    while let Some(op) = parts.next() {
                        let op = cmp_op(op.as_str());
                        let v = self.expr(next(&mut parts, span)?)?;
                        bounds.push((op, v));
                    }
                }
                ExpectKind::Objective(bounds)
            }
            _ => ExpectKind::Holds(self.expr(inner)?),
        };
        Ok(Expect { kind, span })
    }

    fn attr_decl(&self, p: P) -> R<AttrDecl> {
        let span = self.span(&p);
        let mut doc = Vec::new();
        let mut name = None;
        let mut ty = None;
        let mut default = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::doc_comment => doc.push(doc_text(c.as_str())),
                Rule::ident => name = Some(self.ident(c)),
                Rule::type_expr => ty = Some(self.type_expr(c)?),
                _ => default = Some(self.expr(c)?),
            }
        }
        Ok(AttrDecl {
            doc: if doc.is_empty() {
                None
            } else {
                Some(doc.join("\n"))
            },
            name: name.ok_or_else(|| errors::internal(span, "attr name"))?,
            ty: ty.ok_or_else(|| errors::internal(span, "attr type"))?,
            default,
            span,
        })
    }

    fn attr_block(&self, p: P) -> R<Vec<AttrInit>> {
        let mut v = Vec::new();
        for a in p.into_inner() {
            let span = self.span(&a);
            let mut ai = a.into_inner();
            let name = self.ident(next(&mut ai, span)?);
            let value = self.expr(next(&mut ai, span)?)?;
            v.push(AttrInit { name, value, span });
        }
        Ok(v)
    }

    fn fn_param(&self, p: P) -> R<FnParam> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.ident(next(&mut it, span)?);
        let ty = it.next().map(|t| self.type_expr(t)).transpose()?;
        Ok(FnParam { name, ty })
    }

    fn arg(&self, p: P) -> R<Arg> {
        let span = self.span(&p);
        let mut it = p.into_inner().peekable();
        let name = if it.peek().map(|p| p.as_rule()) == Some(Rule::ident) {
            Some(self.ident(next(&mut it, span)?))
        } else {
            None
        };
        let value = self.set_expr(next(&mut it, span)?)?;
        Ok(Arg { name, value })
    }

    fn type_expr(&self, p: P) -> R<TypeExpr> {
        let span = self.span(&p);
        let mut base = BaseType::Named;
        let mut unit = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::type_kw => {
                    base = match c.as_str() {
                        "bool" => BaseType::Bool,
                        "int" => BaseType::Int,
                        "real" => BaseType::Real,
                        _ => BaseType::Str,
                    }
                }
                _ => {
                    unit = Some(UnitExpr {
                        text: c.as_str().to_string(),
                        span: self.span(&c),
                    })
                }
            }
        }
        Ok(TypeExpr { base, unit, span })
    }

    fn index_list(&self, p: P) -> R<IndexList> {
        let span = self.span(&p);
        let mut bindings = Vec::new();
        let mut filter = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::binding => bindings.push(self.binding(c)?),
                Rule::kw_where => {}
                _ => filter = Some(Box::new(self.expr(c)?)),
            }
        }
        Ok(IndexList {
            bindings,
            filter,
            span,
        })
    }

    fn binding(&self, p: P) -> R<Binding> {
        let span = self.span(&p);
        let mut var = None;
        let mut set = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => var = Some(self.ident(c)),
                Rule::kw_in => {}
                _ => set = Some(self.set_expr(c)?),
            }
        }
        Ok(Binding {
            var,
            set: set.ok_or_else(|| errors::internal(span, "binding set"))?,
            span,
        })
    }

    fn set_expr(&self, p: P) -> R<Expr> {
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

    fn range(&self, p: P) -> R<Expr> {
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
    fn expr(&self, p: P) -> R<Expr> {
        let span = self.span(&p);
        let rule = p.as_rule();
        match rule {
            Rule::expr => {
                // implies (<-> implies)*
                let mut it = p.into_inner();
                let mut acc = self.expr(next(&mut it, span)?)?;
                while let Some(_op) = it.next() {
                    let rhs = self.expr(next(&mut it, span)?)?;
                    let s = acc.span.to(rhs.span);
                    acc = bin(BinOp::Iff, acc, rhs, s);
                }
                Ok(acc)
            }
            Rule::implies => {
                let mut it = p.into_inner();
                let lhs = self.expr(next(&mut it, span)?)?;
                match it.next() {
                    Some(_) => {
                        let rhs = self.expr(next(&mut it, span)?)?;
                        Ok(bin(BinOp::Implies, lhs, rhs, span))
                    }
                    None => Ok(lhs),
                }
            }
            Rule::or_expr | Rule::and_expr => {
                let op = if rule == Rule::or_expr {
                    BinOp::Or
                } else {
                    BinOp::And
                };
                let mut it = p
                    .into_inner()
                    .filter(|c| !matches!(c.as_rule(), Rule::kw_or | Rule::kw_and));
                let mut acc = self.expr(next(&mut it, span)?)?;
                for c in it {
                    let rhs = self.expr(c)?;
                    let s = acc.span.to(rhs.span);
                    acc = bin(op, acc, rhs, s);
                }
                Ok(acc)
            }
            Rule::not_expr => {
                let mut it = p.into_inner();
                let first = next(&mut it, span)?;
                if first.as_rule() == Rule::not_op {
                    let e = self.expr(next(&mut it, span)?)?;
                    Ok(Expr {
                        kind: ExprKind::Unary(UnOp::Not, Box::new(e)),
                        span,
                    })
                } else {
                    self.expr(first)
                }
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
            Rule::sum_expr | Rule::mul_expr => {
                let mut it = p.into_inner();
                let mut acc = self.expr(next(&mut it, span)?)?;
                while let Some(op) = it.next() {
                    let op = match op.as_str() {
                        "+" => BinOp::Add,
                        "-" => BinOp::Sub,
                        "*" => BinOp::Mul,
                        "/" => BinOp::Div,
                        _ => BinOp::Mod,
                    };
                    let rhs = self.expr(next(&mut it, span)?)?;
                    let s = acc.span.to(rhs.span);
                    acc = bin(op, acc, rhs, s);
                }
                Ok(acc)
            }
            Rule::unary => {
                let mut it = p.into_inner();
                let first = next(&mut it, span)?;
                if first.as_rule() == Rule::neg_op {
                    let e = self.expr(next(&mut it, span)?)?;
                    Ok(Expr {
                        kind: ExprKind::Unary(UnOp::Neg, Box::new(e)),
                        span,
                    })
                } else {
                    self.expr(first)
                }
            }
            Rule::power => {
                let mut it = p.into_inner();
                let base = self.expr(next(&mut it, span)?)?;
                match it.next() {
                    Some(e) => {
                        let exp = self.expr(e)?;
                        Ok(bin(BinOp::Pow, base, exp, span))
                    }
                    None => Ok(base),
                }
            }
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
                let mut it = p.into_inner().filter(|c| {
                    !matches!(c.as_rule(), Rule::kw_if | Rule::kw_then | Rule::kw_else)
                });
                let c = self.expr(next(&mut it, span)?)?;
                let t = self.expr(next(&mut it, span)?)?;
                let e = self.expr(next(&mut it, span)?)?;
                Ok(Expr {
                    kind: ExprKind::If(Box::new(c), Box::new(t), Box::new(e)),
                    span,
                })
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
                let year = s[..4].parse::<i32>().unwrap_or(0);
                let quarter = s[5..6].parse::<u8>().unwrap_or(0);
                if !(1..=4).contains(&quarter) {
                    return Err(errors::bad_quarter(span, s));
                }
                Ok(Expr {
                    kind: ExprKind::Period { year, quarter },
                    span,
                })
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

    fn map_key_atom(&self, p: P) -> R<Expr> {
        let span = self.span(&p);
        let inner = next(&mut p.into_inner(), span)?;
        self.expr(inner)
    }
}

fn next<'a>(it: &mut impl Iterator<Item = P<'a>>, span: Span) -> R<P<'a>> {
    it.next()
        .ok_or_else(|| errors::internal(span, "missing node"))
}

fn bin(op: BinOp, l: Expr, r: Expr, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Binary(op, Box::new(l), Box::new(r)),
        span,
    }
}

fn cmp_op(s: &str) -> CmpOp {
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

fn parse_number(text: &str, span: Span) -> R<f64> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    match clean.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(errors::bad_number(span, text)),
    }
}

fn doc_text(line: &str) -> String {
    let t = line.trim_start_matches("///");
    t.strip_prefix(' ').unwrap_or(t).trim_end().to_string()
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}
