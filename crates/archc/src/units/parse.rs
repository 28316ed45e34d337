//! Parsing unit text (`usd/core/h`, `GiB*h`, `m^2`, `1/s`, `usd/(core*h)`) into a [`Unit`].
//! Errors carry byte offsets into the text so the checker can point at the exact name.
//!
//! Grammar (spaces allowed between tokens):
//!
//! ```text
//! expr     := term (("*" | "/") term)*      left-associative; no "*" after a "/"
//! term     := atom ("^" exponent)?
//! atom     := name | number | "(" expr ")"
//! exponent := "-"? integer | "(" "-"? integer ")"
//! ```

use super::{Unit, UnitError, UnitRegistry};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok {
    Name,
    Number(f64),
    Star,
    Slash,
    Caret,
    Minus,
    LParen,
    RParen,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn syntax(message: impl Into<String>, start: usize, end: usize) -> UnitError {
    UnitError::Syntax {
        message: message.into(),
        start,
        end,
    }
}

fn lex(text: &str) -> Result<Vec<Token>, UnitError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c.is_alphabetic() || c == '_' || c == '%' {
            chars.next();
            let mut end = start + c.len_utf8();
            if c != '%' {
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        end = i + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
            tokens.push(Token {
                tok: Tok::Name,
                start,
                end,
            });
            continue;
        }
        if c.is_ascii_digit() || c == '.' {
            let end = number_end(text, start);
            let literal = &text[start..end];
            let value: f64 = literal
                .parse()
                .map_err(|_| syntax(format!("`{literal}` is not a number"), start, end))?;
            while chars.peek().is_some_and(|&(i, _)| i < end) {
                chars.next();
            }
            tokens.push(Token {
                tok: Tok::Number(value),
                start,
                end,
            });
            continue;
        }
        let tok = match c {
            '*' | '·' | '×' => Tok::Star,
            '/' => Tok::Slash,
            '^' => Tok::Caret,
            '-' | '−' => Tok::Minus,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            _ => {
                return Err(syntax(
                    format!("unexpected `{c}` in a unit"),
                    start,
                    start + c.len_utf8(),
                ))
            }
        };
        chars.next();
        tokens.push(Token {
            tok,
            start,
            end: start + c.len_utf8(),
        });
    }
    Ok(tokens)
}

/// End of the number starting at `start`: digits, an optional fraction, an optional exponent
/// (`1e9`, `2.5E-3`) when digits follow the `e`.
fn number_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits(start);
    if i < bytes.len() && bytes[i] == b'.' {
        i = digits(i + 1);
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = digits(j);
        }
    }
    i
}

struct Parser<'a> {
    registry: &'a UnitRegistry,
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    /// Open parentheses around the current position.
    depth: usize,
}

/// Deepest nesting of parentheses accepted; deeper text is an error rather than a risk to
/// the stack.
const MAX_DEPTH: usize = 32;

impl Parser<'_> {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn end_error(&self, message: &str) -> UnitError {
        syntax(message, self.text.len(), self.text.len())
    }

    fn expr(&mut self) -> Result<Unit, UnitError> {
        let mut acc = self.term()?;
        let mut after_slash = false;
        while let Some(t) = self.peek() {
            match t.tok {
                Tok::Star => {
                    if after_slash {
                        return Err(syntax(
                            "`*` after `/` is ambiguous: write `a/(b*c)` or `a*c/b`",
                            t.start,
                            t.end,
                        ));
                    }
                    self.bump();
                    acc = acc.mul(self.term()?);
                }
                Tok::Slash => {
                    self.bump();
                    after_slash = true;
                    acc = acc.div(self.term()?);
                }
                Tok::Name | Tok::Number(_) | Tok::LParen => {
                    return Err(syntax("expected `*` or `/` between units", t.start, t.end))
                }
                _ => break,
            }
        }
        Ok(acc)
    }

    fn term(&mut self) -> Result<Unit, UnitError> {
        let base = self.atom()?;
        if self.peek().is_some_and(|t| t.tok == Tok::Caret) {
            self.bump();
            let n = self.exponent()?;
            return Ok(base.powi(n));
        }
        Ok(base)
    }

    fn exponent(&mut self) -> Result<i8, UnitError> {
        let open = self.peek().filter(|t| t.tok == Tok::LParen);
        if open.is_some() {
            self.bump();
        }
        let minus = self.peek().filter(|t| t.tok == Tok::Minus);
        if minus.is_some() {
            self.bump();
        }
        let Some(t) = self.bump() else {
            return Err(self.end_error("expected an integer exponent after `^`"));
        };
        let Tok::Number(v) = t.tok else {
            return Err(syntax(
                "expected an integer exponent after `^`",
                t.start,
                t.end,
            ));
        };
        let start = minus.map_or(t.start, |m| m.start);
        let v = if minus.is_some() { -v } else { v };
        if v.fract() != 0.0 || v.abs() > 64.0 {
            return Err(syntax(
                "an exponent must be a whole number between -64 and 64",
                start,
                t.end,
            ));
        }
        if let Some(o) = open {
            match self.bump() {
                Some(c) if c.tok == Tok::RParen => {}
                _ => return Err(syntax("this `(` is not closed", o.start, o.end)),
            }
        }
        // In range by the check above.
        Ok(v as i8)
    }

    fn atom(&mut self) -> Result<Unit, UnitError> {
        let Some(t) = self.bump() else {
            return Err(self.end_error("expected a unit name"));
        };
        match t.tok {
            Tok::Name => {
                let name = &self.text[t.start..t.end];
                self.registry
                    .lookup(name)
                    .ok_or_else(|| UnitError::Unknown {
                        name: name.to_string(),
                        start: t.start,
                        end: t.end,
                        suggestion: self.registry.suggest(name),
                    })
            }
            Tok::Number(v) => {
                if v.is_finite() && v > 0.0 {
                    Ok(Unit::dimensionless().scaled(v))
                } else {
                    Err(syntax(
                        "a number in a unit must be positive",
                        t.start,
                        t.end,
                    ))
                }
            }
            Tok::LParen => {
                if self.depth >= MAX_DEPTH {
                    return Err(syntax("too many nested parentheses", t.start, t.end));
                }
                self.depth += 1;
                let inner = self.expr()?;
                self.depth -= 1;
                match self.bump() {
                    Some(c) if c.tok == Tok::RParen => Ok(inner),
                    Some(c) => Err(syntax("expected `)`", c.start, c.end)),
                    None => Err(syntax("this `(` is not closed", t.start, t.end)),
                }
            }
            _ => Err(syntax("expected a unit name", t.start, t.end)),
        }
    }
}

impl UnitRegistry {
    /// Parses unit text such as `usd/core/h`, `GiB*h`, `Gbps`, `m^2`, `1/s` or
    /// `usd/(core*h)`; `a/b/c` means `a/(b*c)`. Empty text is the dimensionless unit.
    /// Error offsets are byte offsets inside `text`.
    pub fn parse(&self, text: &str) -> Result<Unit, UnitError> {
        let tokens = lex(text)?;
        if tokens.is_empty() {
            return Ok(Unit::dimensionless());
        }
        let mut parser = Parser {
            registry: self,
            text,
            tokens,
            pos: 0,
            depth: 0,
        };
        let unit = parser.expr()?;
        if let Some(t) = parser.peek() {
            let message = if t.tok == Tok::RParen {
                "this `)` has no matching `(`"
            } else {
                "unexpected text after the unit"
            };
            return Err(syntax(message, t.start, t.end));
        }
        Ok(unit)
    }
}
