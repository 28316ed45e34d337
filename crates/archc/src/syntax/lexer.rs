//! A lossless logos lexer over the whole Arch language. The parser (pest) does not use it;
//! the formatter and the language server's semantic highlighting do. Every byte of the input
//! belongs to exactly one token (whitespace, newlines and comments included), and text the
//! language cannot contain becomes an [`TokenKind::Error`] token: lexing never fails.
//!
//! Units after a number (`0.031 usd/core/h`, `40_000 core`) are joined into one
//! [`TokenKind::Unit`] token, as the grammar reads them (no spaces inside a unit).

use super::lexicon;
use logos::Logos;

/// The kind of a token.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Spaces, tabs, carriage returns and byte order marks.
    #[regex(r"[ \t\r\u{feff}]+")]
    Whitespace,
    #[token("\n")]
    Newline,
    /// `// ...` up to the end of the line.
    #[regex(r"//[^\n]*", priority = 3, allow_greedy = true)]
    Comment,
    /// `/// ...` up to the end of the line: documentation of the next declaration.
    #[regex(r"///[^\n]*", priority = 4, allow_greedy = true)]
    DocComment,

    /// Reserved words (`use`, `constraint`, `in`, `where`, ...): the words of
    /// [`lexicon::KEYWORDS`], found among the names by [`lex`].
    Keyword,
    /// `true` and `false` ([`lexicon::BOOL_WORDS`]), found among the names by [`lex`].
    Bool,
    /// A name: letters, digits, `_`, and single inner hyphens (`us-east`); or a quoted name,
    /// anything but a backtick or a newline between backticks (`` `1a` ``, `` `eu west` ``).
    /// A backtick that does not close on its line is an [`TokenKind::UnterminatedName`].
    #[regex(r"[\p{XID_Start}_](\p{XID_Continue}|-\p{XID_Continue})*")]
    #[regex(r"`[^`\n]+`")]
    Ident,
    /// An entity name that starts with a digit (`2027-east`, `1a`).
    #[regex(r"[0-9](\p{XID_Continue}|-\p{XID_Continue})*", priority = 2)]
    DigitName,
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?", priority = 5)]
    Number,
    /// A period literal: `2027Q1`, `2026M01`, `2026W01`, `2026-01-05`.
    #[regex(
        r"[0-9][0-9][0-9][0-9]([QMW][0-9]+|-[0-9][0-9]-[0-9][0-9])",
        priority = 6
    )]
    Period,
    /// A backtick without its closing backtick on the line (up to the end of the line), or
    /// the first of two backticks with nothing between them.
    #[regex(r"`[^`\n]*")]
    UnterminatedName,
    /// A unit after a number (joined by [`lex`], never produced by logos itself).
    Unit,
    #[regex(r#""([^"\\\n]|\\[^\n]|\\\n)*""#)]
    String,
    /// A string without its closing quote (up to the end of the line).
    #[regex(r#""([^"\\\n]|\\[^\n]|\\\n)*"#)]
    UnterminatedString,

    #[token("<->")]
    Iff,
    #[token("->")]
    Arrow,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("<=")]
    Le,
    #[token(">=")]
    Ge,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("=")]
    Eq,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("^")]
    Caret,
    #[token("..")]
    DotDot,
    #[token(".")]
    Dot,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    /// Text that is not part of the language.
    Error,
}

impl TokenKind {
    /// Whitespace and newlines: what the formatter may change.
    pub fn is_whitespace(self) -> bool {
        matches!(self, TokenKind::Whitespace | TokenKind::Newline)
    }

    /// Whitespace, newlines and comments.
    pub fn is_trivia(self) -> bool {
        self.is_whitespace() || matches!(self, TokenKind::Comment | TokenKind::DocComment)
    }

    /// Tokens that end an operand (a value), so a following `-` is binary.
    pub fn ends_operand(self) -> bool {
        matches!(
            self,
            TokenKind::Ident
                | TokenKind::DigitName
                | TokenKind::Number
                | TokenKind::Period
                | TokenKind::Unit
                | TokenKind::String
                | TokenKind::Bool
                | TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::RBrace
        )
    }
}

/// One token: its kind and byte range in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text in `source`.
    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

pub use super::lexicon::{is_keyword, AGGREGATES, CONTEXTUAL_WORDS, KEYWORDS, TYPE_WORDS};

/// Split `source` into tokens covering every byte, in order.
pub fn lex(source: &str) -> Vec<Token> {
    let mut raw: Vec<Token> = Vec::new();
    let mut lexer = TokenKind::lexer(source);
    while let Some(result) = lexer.next() {
        let span = lexer.span();
        let kind = match result {
            Ok(TokenKind::Ident) => word_kind(lexer.slice()),
            Ok(kind) => kind,
            Err(()) => TokenKind::Error,
        };
        // Join adjacent error bytes into one token.
        if kind == TokenKind::Error {
            if let Some(last) = raw.last_mut() {
                if last.kind == TokenKind::Error && last.end == span.start {
                    last.end = span.end;
                    continue;
                }
            }
        }
        raw.push(Token {
            kind,
            start: span.start,
            end: span.end,
        });
    }
    join_units(source, raw)
}

/// A plain name is a keyword or a boolean when the lexicon says so; quoted and hyphenated
/// names never are.
fn word_kind(text: &str) -> TokenKind {
    if lexicon::BOOL_WORDS.contains(&text) {
        TokenKind::Bool
    } else if lexicon::is_keyword(text) {
        TokenKind::Keyword
    } else {
        TokenKind::Ident
    }
}

/// The tokens that are not whitespace or comments.
pub fn significant(source: &str) -> Vec<Token> {
    lex(source)
        .into_iter()
        .filter(|t| !t.kind.is_trivia())
        .collect()
}

/// After a number, horizontal whitespace and a unit expression (`usd/core/h`, `GiB^2`,
/// `(kW*h)`) form one `Unit` token, as in the grammar's `quantity` rule.
fn join_units(source: &str, raw: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let t = raw[i];
        out.push(t);
        i += 1;
        if t.kind != TokenKind::Number {
            continue;
        }
        let mut j = i;
        if j < raw.len()
            && raw[j].kind == TokenKind::Whitespace
            && raw[j].text(source).bytes().all(|b| b == b' ' || b == b'\t')
        {
            j += 1;
        }
        if let Some(end) = unit_expr(source, &raw, j) {
            if j > i {
                out.push(raw[i]);
            }
            out.push(Token {
                kind: TokenKind::Unit,
                start: raw[j].start,
                end: raw[end - 1].end,
            });
            i = end;
        }
    }
    out
}

/// Match `unit_atom (("*" | "/") unit_atom)*` at token `i`; returns the index after it.
fn unit_expr(source: &str, toks: &[Token], i: usize) -> Option<usize> {
    let mut end = unit_atom(source, toks, i)?;
    loop {
        match toks.get(end).map(|t| t.kind) {
            Some(TokenKind::Star | TokenKind::Slash) => match unit_atom(source, toks, end + 1) {
                Some(e) => end = e,
                None => return Some(end),
            },
            _ => return Some(end),
        }
    }
}

/// Match `(unit_name | "(" unit_expr ")" | "1") unit_exp?` at token `i`.
fn unit_atom(source: &str, toks: &[Token], i: usize) -> Option<usize> {
    let t = toks.get(i)?;
    let mut end = match t.kind {
        TokenKind::Ident if !t.text(source).contains(['-', '`']) => i + 1,
        TokenKind::Percent => {
            // `%` may start a unit name: `%`, `%x`.
            match toks.get(i + 1) {
                Some(n)
                    if n.kind == TokenKind::Ident
                        && n.start == t.end
                        && !n.text(source).contains(['-', '`']) =>
                {
                    i + 2
                }
                _ => i + 1,
            }
        }
        TokenKind::Number if t.text(source) == "1" => i + 1,
        TokenKind::LParen => {
            let inner = unit_expr(source, toks, i + 1)?;
            if toks.get(inner)?.kind != TokenKind::RParen {
                return None;
            }
            inner + 1
        }
        _ => return None,
    };
    // `^2`, `^-1`
    if toks.get(end).map(|t| t.kind) == Some(TokenKind::Caret) {
        let mut k = end + 1;
        if toks.get(k).map(|t| t.kind) == Some(TokenKind::Minus) {
            k += 1;
        }
        if let Some(n) = toks.get(k) {
            if n.kind == TokenKind::Number && n.text(source).bytes().all(|b| b.is_ascii_digit()) {
                end = k + 1;
            }
        }
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(TokenKind, &str)> {
        lex(s)
            .into_iter()
            .filter(|t| !t.kind.is_whitespace())
            .map(|t| (t.kind, t.text(s)))
            .collect()
    }

    #[test]
    fn covers_every_byte() {
        let s = "region us-east { cores: 40_000 core, price: 0.031 usd/core/h } // c\n/// d\n€ \"x";
        let toks = lex(s);
        let mut pos = 0;
        for t in &toks {
            assert_eq!(t.start, pos);
            pos = t.end;
        }
        assert_eq!(pos, s.len());
    }

    #[test]
    fn names_units_and_keywords() {
        let s = "region us-east { price: 0.031 usd/core/h }";
        assert_eq!(
            kinds(s),
            vec![
                (TokenKind::Ident, "region"),
                (TokenKind::Ident, "us-east"),
                (TokenKind::LBrace, "{"),
                (TokenKind::Ident, "price"),
                (TokenKind::Colon, ":"),
                (TokenKind::Number, "0.031"),
                (TokenKind::Unit, "usd/core/h"),
                (TokenKind::RBrace, "}"),
            ]
        );
        let k = kinds("constraint c[q in 2027Q1..2028Q4]: x - y >= -1e-3 and in-house");
        assert!(k.contains(&(TokenKind::Keyword, "constraint")));
        assert!(k.contains(&(TokenKind::Period, "2027Q1")));
        assert!(k.contains(&(TokenKind::DotDot, "..")));
        assert!(k.contains(&(TokenKind::Minus, "-")));
        assert!(k.contains(&(TokenKind::Number, "1e-3")));
        assert!(k.contains(&(TokenKind::Ident, "in-house")));
        assert!(k.contains(&(TokenKind::Keyword, "and")));
    }

    #[test]
    fn a_number_times_a_name_is_not_a_unit() {
        let k = kinds("2 * x + 3 h^2 * y + 4 GiB*h");
        assert_eq!(k[1], (TokenKind::Star, "*"));
        assert!(k.contains(&(TokenKind::Unit, "h^2")));
        assert!(k.contains(&(TokenKind::Unit, "GiB*h")));
    }

    #[test]
    fn comments_and_errors() {
        let k = kinds("// plain\n/// doc\n//// doc too\n@ ! \"open");
        assert_eq!(k[0].0, TokenKind::Comment);
        assert_eq!(k[1].0, TokenKind::DocComment);
        assert_eq!(k[2].0, TokenKind::DocComment);
        assert_eq!(k[3].0, TokenKind::Error);
        assert_eq!(k[5].0, TokenKind::UnterminatedString);
    }

    #[test]
    fn quoted_names_are_one_ident() {
        let k = kinds("x[`1a`] + `eu west`.cores * `in` 3 `h`");
        assert_eq!(k[1], (TokenKind::LBracket, "["));
        assert_eq!(k[2], (TokenKind::Ident, "`1a`"));
        assert!(k.contains(&(TokenKind::Ident, "`eu west`")));
        assert!(k.contains(&(TokenKind::Ident, "`in`")));
        // A quoted name after a number is not a unit.
        assert!(k.contains(&(TokenKind::Ident, "`h`")));
        assert!(!k.iter().any(|t| t.0 == TokenKind::Unit));
        // Unterminated and empty: no name, and the next line lexes as usual.
        let k = kinds("x[`1a]\n``\n`b`");
        assert_eq!(k[2], (TokenKind::UnterminatedName, "`1a]"));
        assert_eq!(k[3], (TokenKind::UnterminatedName, "`"));
        assert!(k.contains(&(TokenKind::Ident, "`b`")));
        assert!(!k.iter().any(|t| t.1.contains('\n')));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "",
            "\u{feff}",
            "\"\\",
            "1 (",
            "1 (h",
            "1 %",
            "9999Q9Q",
            "-",
            "a-",
            "\u{0}\u{10ffff}",
            "1 h^-",
            "\"a\\\nb\"",
            "`",
            "``",
            "`a\n`",
        ] {
            let toks = lex(s);
            assert_eq!(toks.last().map(|t| t.end).unwrap_or(0), s.len());
        }
    }
}
