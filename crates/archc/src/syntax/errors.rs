//! Syntax diagnostics (E01xx): turning pest's errors into messages that name what was
//! expected in the language's own terms.

use super::parser::Rule;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};

/// Convert a pest error (on `text[base..]`) into a diagnostic; returns the absolute offset.
pub fn from_pest(
    file: FileId,
    text: &str,
    base: usize,
    e: &pest::error::Error<Rule>,
) -> (usize, Diagnostic) {
    use pest::error::{ErrorVariant, InputLocation};
    let mut offset = base
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    // Literal tokens (`:`, `{`) are not rules; the attempts record them at the furthest
    // position reached, which is where the reader expects the error.
    let mut literal_words: Vec<String> = Vec::new();
    let mut attempt_rules: Vec<Rule> = Vec::new();
    if let Some(att) = e.parse_attempts() {
        if base + att.max_position >= offset {
            offset = base + att.max_position;
            for t in att.expected_tokens() {
                let token = t.to_string();
                let skip = token.trim().is_empty()
                    || token.starts_with("//")
                    || token == "BUILTIN_RULE"
                    || token == "_"
                    || token == "`"
                    || token.contains("..")
                    || token.starts_with('\u{feff}');
                if skip {
                    continue;
                }
                let w = format!("`{token}`");
                if !literal_words.contains(&w) {
                    literal_words.push(w);
                }
            }
            for cs in att.call_stacks() {
                if let Some(r) = cs.parent {
                    attempt_rules.push(r);
                }
            }
        }
    }
    let offset = offset.min(text.len());
    if let Some(d) = bad_quote(file, text, base, offset) {
        return (offset, d);
    }
    let found = found_at(text, offset);
    let end = (offset + found.len()).min(text.len()).max(offset);
    let span = Span::new(file, offset, end);
    let expected = if !literal_words.is_empty() || !attempt_rules.is_empty() {
        describe_expected(&attempt_rules, literal_words)
    } else {
        match &e.variant {
            ErrorVariant::ParsingError { positives, .. } => {
                describe_expected(positives, Vec::new())
            }
            ErrorVariant::CustomError { message } => message.clone(),
        }
    };
    let found_text = if found.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{found}`")
    };
    let mut d = Diagnostic::error(Code::E0101, format!("unexpected {found_text}"))
        .primary(span, format!("expected {expected}"));
    if let Some(h) = hint(text, offset, &found) {
        d = d.help(h);
    }
    (offset, d)
}

/// An E0106 error for the first backtick, from `base` to the end of the line at `offset`,
/// that does not start a well-formed quoted name (the lexer's `UnterminatedName`; strings
/// and comments are tokens of their own, so backticks inside them do not count).
pub(crate) fn bad_quote(
    file: FileId,
    text: &str,
    base: usize,
    offset: usize,
) -> Option<Diagnostic> {
    use super::lexer::{lex, TokenKind};
    let limit = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let tok = lex(&text[base..limit])
        .into_iter()
        .find(|t| t.kind == TokenKind::UnterminatedName)?;
    let (start, end) = (base + tok.start, base + tok.end);
    if text[start..].starts_with("``") {
        return Some(
            Diagnostic::error(Code::E0106, "empty quoted name")
                .primary(
                    Span::new(file, start, start + 2),
                    "nothing between the backticks",
                )
                .help("write the name between the backticks, as in x[`1a`], or remove them"),
        );
    }
    let end = if text[..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    Some(
        Diagnostic::error(Code::E0106, "unterminated quoted name")
            .primary(
                Span::new(file, start, end.max(start + 1)),
                "this backtick is not closed on its line",
            )
            .help("end the name with a backtick on the same line, as in x[`1a`]"),
    )
}

fn found_at(text: &str, offset: usize) -> String {
    let rest = &text[crate::span::floor_char_boundary(text, offset)..];
    let mut chars = rest.chars();
    match chars.next() {
        None => String::new(),
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect(),
        Some(c) if c == '\n' || c == '\r' => String::new(),
        Some(c) => {
            let two: String = rest.chars().take(3).collect();
            for op in ["<->", "->", "==", "!=", "<=", ">=", ".."] {
                if two.starts_with(op) {
                    return op.to_string();
                }
            }
            c.to_string()
        }
    }
}

fn hint(text: &str, offset: usize, found: &str) -> Option<String> {
    let before = &text[..crate::span::floor_char_boundary(text, offset)];
    let line = before.rsplit('\n').next().unwrap_or("");
    if found.contains('-') && found.len() > 1 && !found.starts_with('-') {
        return Some(format!(
            "names may contain hyphens, so `{found}` is one name; for a subtraction write spaces around `-`"
        ));
    }
    if line.trim_start().starts_with("constraint") && !line.contains(':') {
        return Some("a constraint is written `constraint NAME[INDEX]: EXPR`".into());
    }
    if found == "=" {
        return Some("comparisons use `==`; `=` only gives values in declarations".into());
    }
    None
}

fn describe_expected(rules: &[Rule], literals: Vec<String>) -> String {
    let mut words: Vec<String> = literals;
    for r in rules {
        let w = describe(*r).to_string();
        if !w.is_empty() && !words.contains(&w) {
            words.push(w);
        }
    }
    match words.len() {
        0 => "something else".into(),
        1 => words[0].clone(),
        n if n > 5 => format!("{}, or another item", words[..5].join(", ")),
        _ => {
            let last = words.pop().unwrap_or_default();
            format!("{} or {}", words.join(", "), last)
        }
    }
}

fn describe(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        EOI => "end of file",
        item | single_item => "a declaration",
        ident | entity_name | module_path => "a name",
        expr | implies | or_expr | and_expr | not_expr | cmp_expr | sum_expr | mul_expr | unary
        | power | postfix | primary | set_expr | agg_body => "an expression",
        number | quantity => "a number",
        string | string_inner => "a string",
        unit_expr | unit_atom | unit_name => "a unit",
        type_expr | type_kw => "a type (bool, int, real, str, a unit or a kind)",
        index_list => "`[`",
        binding => "an index like `r in regions`",
        range => "a range `a..b`",
        attr_block => "`{`",
        attr_init | attr_decl => "an attribute",
        link_op => "`->` or `<->`",
        cmp_op => "a comparison",
        add_op | mul_op => "an operator",
        bound | bound_op => "a bound (`>=`, `<=`, `==`)",
        kw_in => "`in`",
        kw_where => "`where`",
        kw_then => "`then`",
        kw_else => "`else`",
        kw_from => "`from`",
        entities_source => "a file name in quotes",
        kw_over => "`over`",
        kw_as => "`as`",
        decide_loss | cw_loss => "`as loss`",
        plan_stmt => "a plan statement (state, choose, next, require, cost, final)",
        expect_stmt => "`expect`",
        param_value | param_from => "`=` or `from`",
        fn_param => "a parameter",
        arg => "an argument",
        map_entry | map_key => "an entry `key: value`",
        period => "a period like 2027Q1, 2026M01, 2026W01 or 2026-01-05",
        _ => "",
    }
}

pub fn internal(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(Code::E0104, format!("internal parser error: {what}")).primary(span, "here")
}

pub fn bad_number(span: Span, text: &str) -> Diagnostic {
    Diagnostic::error(Code::E0102, format!("number `{text}` is out of range"))
        .primary(span, "not a finite number")
        .help("write a smaller number or use a larger unit")
}

pub fn bad_period(span: Span, text: &str, why: crate::period::Malformed) -> Diagnostic {
    Diagnostic::error(Code::E0103, format!("`{text}` is not a period"))
        .primary(span, why.label)
        .help(why.help)
}
