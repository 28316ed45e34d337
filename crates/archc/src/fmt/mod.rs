//! The formatter (`archc fmt`, and the language server's formatting request). It works on
//! the token stream of [`crate::syntax::lexer`] and changes only whitespace: one canonical
//! layout, the user's line breaks and comments kept, at most one blank line in a row, 4
//! spaces of indentation per block level and for continuation lines. Text with syntax
//! errors is not formatted; its parse diagnostics are returned instead.

mod layout;
mod walk;

use crate::diagnostics::Diagnostic;
use crate::span::FileId;
use crate::syntax::ast::{BinOp, ExprKind, Item, ItemKind};
use crate::syntax::lexer::{self, Token, TokenKind};
use layout::{Hints, Spacing};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Format a whole file. Returns the parse diagnostics when the text has syntax errors.
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let (file, diags) = crate::syntax::parse_file(FileId(0), text);
    if crate::diagnostics::has_errors(&diags) {
        return Err(diags);
    }
    let tokens = lexer::lex(text);
    let mut starts = BTreeSet::new();
    collect_starts(&file.items, &mut starts);
    let starts = first_tokens(&tokens, &starts);
    let hints = syntax_hints(&file.items, &tokens);

    let normalized = layout::layout(text, &tokens, &starts, &hints, Spacing::Normalize);
    let out = if same_tokens(text, &normalized) && parses(&normalized) {
        normalized
    } else {
        // Normalising the spaces would change how the text reads; keep them.
        layout::layout(text, &tokens, &starts, &hints, Spacing::Keep)
    };
    Ok(finish(out))
}

/// Every offset where a statement starts: items (also inside templates), attributes,
/// plan statements and test expectations.
fn collect_starts(items: &[Item], starts: &mut BTreeSet<usize>) {
    for item in items {
        starts.insert(item.span.start as usize);
        match &item.kind {
            ItemKind::Kind(k) => starts.extend(k.attrs.iter().map(|a| a.span.start as usize)),
            ItemKind::Entity(e) => starts.extend(e.attrs.iter().map(|a| a.span.start as usize)),
            ItemKind::Plan(p) => starts.extend(p.stmts.iter().map(|s| s.span.start as usize)),
            ItemKind::Test(t) => starts.extend(t.expects.iter().map(|e| e.span.start as usize)),
            ItemKind::Template(t) => collect_starts(&t.items, starts),
            _ => {}
        }
    }
}

/// The `*`, `/`, `^` tokens of arithmetic expressions, with whether they take spaces
/// (`a * b`, `a / b`, but `x^2`), and the braces of set and map literals.
fn syntax_hints(items: &[Item], tokens: &[Token]) -> Hints {
    let mut ops = HashMap::new();
    let mut tight = HashSet::new();
    walk::exprs(items, &mut |e| {
        if matches!(
            e.kind,
            ExprKind::SetLit(_) | ExprKind::SetCompr(_) | ExprKind::Map(_)
        ) {
            let i = tokens.partition_point(|t| (t.start as u32) < e.span.start);
            let j = tokens.partition_point(|t| (t.end as u32) < e.span.end);
            if let (Some(open), Some(close)) = (tokens.get(i), tokens.get(j)) {
                if open.kind == TokenKind::LBrace && close.kind == TokenKind::RBrace {
                    tight.insert(open.start);
                    tight.insert(close.start);
                }
            }
            return;
        }
        if let ExprKind::Chain(_, links) = &e.kind {
            for (op, ospan, _) in links {
                if let Some((_, spaced)) = arithmetic_token(*op) {
                    ops.insert(ospan.start as usize, spaced);
                }
            }
            return;
        }
        let ExprKind::Binary(op, l, r) = &e.kind else {
            return;
        };
        let Some((kind, spaced)) = arithmetic_token(*op) else {
            return;
        };
        let (from, to) = (l.span.end as usize, r.span.start as usize);
        let i = tokens.partition_point(|t| t.start < from);
        if let Some(t) = tokens[i..]
            .iter()
            .take_while(|t| t.start < to)
            .find(|t| t.kind == kind)
        {
            ops.insert(t.start, spaced);
        }
    });
    Hints {
        arithmetic: ops,
        tight_braces: tight,
    }
}

/// The token of an operator whose spacing the formatter decides, and whether it is spaced.
fn arithmetic_token(op: BinOp) -> Option<(TokenKind, bool)> {
    match op {
        BinOp::Mul => Some((TokenKind::Star, true)),
        BinOp::Div => Some((TokenKind::Slash, true)),
        BinOp::Pow => Some((TokenKind::Caret, false)),
        _ => None,
    }
}

/// Move each start to the first code token at or after it (past doc comments).
fn first_tokens(tokens: &[Token], starts: &BTreeSet<usize>) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for &s in starts {
        let i = tokens.partition_point(|t| t.start < s);
        if let Some(t) = tokens[i..].iter().find(|t| !t.kind.is_trivia()) {
            out.insert(t.start);
        }
    }
    out
}

/// The tokens that must survive formatting: everything but whitespace, comments without
/// their trailing spaces.
pub fn essential_tokens(text: &str) -> Vec<(TokenKind, String)> {
    lexer::lex(text)
        .into_iter()
        .filter(|t| !t.kind.is_whitespace())
        .map(|t| {
            let s = t.text(text);
            let s = if matches!(t.kind, TokenKind::Comment | TokenKind::DocComment) {
                s.trim_end()
            } else {
                s
            };
            (t.kind, s.to_string())
        })
        .collect()
}

fn same_tokens(a: &str, b: &str) -> bool {
    essential_tokens(a) == essential_tokens(b)
}

fn parses(text: &str) -> bool {
    let (_, diags) = crate::syntax::parse_file(FileId(0), text);
    !crate::diagnostics::has_errors(&diags)
}

/// No trailing whitespace, exactly one final newline (none for an empty file).
fn finish(mut out: String) -> String {
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        match format_source(s) {
            Ok(f) => f,
            Err(d) => panic!("syntax errors in test input: {d:?}"),
        }
    }

    #[test]
    fn spaces_between_tokens() {
        assert_eq!(fmt("param   hours :h=730 h"), "param hours: h = 730 h\n");
        assert_eq!(
            fmt("decide replicas [ s in services,r in regions ] : int>=0"),
            "decide replicas[s in services, r in regions]: int >= 0\n"
        );
        assert_eq!(
            fmt("region us-east{cores:40_000 core,price:0.031 usd/core/h}"),
            "region us-east { cores: 40_000 core, price: 0.031 usd/core/h }\n"
        );
        assert_eq!(fmt("constraint c: x-y >= -3"), "constraint c: x-y >= -3\n");
        assert_eq!(
            fmt("constraint c: x  -  y >=  - 3"),
            "constraint c: x - y >= -3\n"
        );
        assert_eq!(
            fmt("kind rack { power: kW/h }"),
            "kind rack { power: kW/h }\n"
        );
        assert_eq!(fmt("set s = { a,b }"), "set s = {a, b}\n");
        assert_eq!(
            fmt("set s = { r in regions where r.x>1 }"),
            "set s = {r in regions where r.x > 1}\n"
        );
        assert_eq!(fmt("param a: int = b  *  c"), "param a: int = b * c\n");
        assert_eq!(
            fmt("param a: int = b*c/d ^ 2"),
            "param a: int = b * c / d^2\n"
        );
        assert_eq!(
            fmt("param a: usd/h = 3 usd/h*x"),
            "param a: usd/h = 3 usd/h*x\n"
        );
        // `->` names a link directly inside brackets, and is spaced everywhere else.
        assert_eq!(
            fmt("constraint c: on[a->b]->flow[a -> b] >= 1 Gbps"),
            "constraint c: on[a->b] -> flow[a->b] >= 1 Gbps\n"
        );
        assert_eq!(fmt("link a->b"), "link a -> b\n");
    }

    #[test]
    fn indentation_and_blank_lines() {
        let src = "\n\n// head\nconstraint fit[r in regions]:\nsum(s in services) s.cores * x[s, r]\n  <= r.cores   \n\n\n\nkind rack {\n// the power\npower: kW,\n  site: region\n    // end\n}\n";
        let want = "// head\nconstraint fit[r in regions]:\n    sum(s in services) s.cores * x[s, r]\n    <= r.cores\n\nkind rack {\n    // the power\n    power: kW,\n    site: region\n    // end\n}\n";
        assert_eq!(fmt(src), want);
        assert_eq!(fmt(want), want);
    }

    #[test]
    fn brackets_spanning_lines() {
        let src = "param cost: usd = {\ngold: 3 usd,\n      silver: 2 usd,\n}\nconstraint c: sum(\ns in S\n) x[s] <= 1\n";
        let want = "param cost: usd = {\n    gold: 3 usd,\n    silver: 2 usd,\n}\nconstraint c: sum(\n    s in S\n) x[s] <= 1\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn refuses_syntax_errors() {
        let err = format_source("constraint fit[r in regions] x <= 1\n");
        assert!(err.is_err_and(|d| d.iter().any(|d| d.code == crate::diagnostics::Code::E0101)));
    }

    #[test]
    fn empty_and_comment_only() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("  \n\n"), "");
        assert_eq!(fmt("// only   \n\n\n// two"), "// only\n\n// two\n");
    }
}
