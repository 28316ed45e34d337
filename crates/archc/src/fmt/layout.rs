//! The layout engine of the formatter: rewrites the whitespace between the tokens of
//! [`crate::syntax::lexer`], line by line. Line breaks stay where the user put them; what
//! changes is indentation (4 spaces per open `{`, `(` or `[`, plus 4 for the continuation
//! lines of a declaration), the spaces between tokens on a line, runs of blank lines and
//! trailing whitespace.

use crate::syntax::lexer::{Token, TokenKind};
use std::collections::{BTreeSet, HashMap, HashSet};

const INDENT: usize = 4;

/// How much of the spacing inside a line to rewrite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spacing {
    /// The canonical spacing (single spaces around operators, none inside brackets, ...).
    Normalize,
    /// Keep the user's spaces inside lines (collapsed to one); only indentation, blank
    /// lines and trailing whitespace change. Used when normalising would alter the tokens.
    Keep,
}

/// What the syntax tree tells the layout about some tokens.
#[derive(Debug, Default)]
pub(crate) struct Hints {
    /// Offsets of the `*`, `/` and `^` tokens that are arithmetic operators, with whether
    /// they take spaces; the others (units in types) keep the user's spacing.
    pub arithmetic: HashMap<usize, bool>,
    /// Offsets of the braces of set and map literals (`{a, b}`), written without inner
    /// spaces, unlike blocks (`{ cores: 4 core }`).
    pub tight_braces: HashSet<usize>,
}

/// One token of a line with the whitespace the user wrote before it.
#[derive(Clone, Copy, Debug)]
struct Placed {
    tok: Token,
    /// The whitespace before the token on the same line (empty at line start).
    gap_start: usize,
}

struct Line {
    tokens: Vec<Placed>,
    /// Blank lines before this one in the input.
    blank_before: usize,
}

/// Lay out `source`, given its tokens and the offsets where statements (items, attributes,
/// plan statements, expectations) start.
pub(crate) fn layout(
    source: &str,
    tokens: &[Token],
    statement_starts: &BTreeSet<usize>,
    hints: &Hints,
    spacing: Spacing,
) -> String {
    let lines = split_lines(tokens);
    let spaced = operator_spacing(tokens, &hints.arithmetic);
    let mut out = String::with_capacity(source.len() + source.len() / 8);
    let mut stack: Vec<(TokenKind, usize)> = Vec::new();
    let mut pending_comments: Vec<&Line> = Vec::new();
    let mut w = Writer {
        source,
        spacing,
        spaced: &spaced,
        tight: &hints.tight_braces,
        out: &mut out,
        first_line: true,
        last_sig: None,
        second_last_sig: None,
    };

    for line in &lines {
        let Some(first) = line.tokens.first() else {
            continue;
        };
        if matches!(first.tok.kind, TokenKind::Comment | TokenKind::DocComment) {
            pending_comments.push(line);
            continue;
        }
        let closes = matches!(
            first.tok.kind,
            TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket
        );
        let depth = stack.len() - usize::from(closes && !stack.is_empty());
        let stmt_start = statement_starts
            .range(..=first.tok.start)
            .next_back()
            .copied()
            .unwrap_or(0);
        let open_in_stmt = stack[..depth].iter().any(|&(_, at)| at >= stmt_start);
        let continuation = !closes && !statement_starts.contains(&first.tok.start) && !open_in_stmt;
        let indent = INDENT * depth + if continuation { INDENT } else { 0 };
        let comment_indent = if closes { indent + INDENT } else { indent };
        for c in pending_comments.drain(..) {
            w.line(c, comment_indent);
        }
        w.line(line, indent);
        for p in &line.tokens {
            match p.tok.kind {
                TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => {
                    stack.push((p.tok.kind, p.tok.start))
                }
                TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => {
                    stack.pop();
                }
                _ => {}
            }
        }
    }
    let rest_indent = INDENT * stack.len();
    for c in pending_comments.drain(..) {
        w.line(c, rest_indent);
    }
    out
}

/// Writes lines, remembering the last significant tokens (a `-` after an operand is binary).
struct Writer<'a> {
    source: &'a str,
    spacing: Spacing,
    spaced: &'a BTreeSet<usize>,
    tight: &'a HashSet<usize>,
    out: &'a mut String,
    first_line: bool,
    last_sig: Option<Token>,
    second_last_sig: Option<Token>,
}

impl Writer<'_> {
    fn line(&mut self, line: &Line, indent: usize) {
        if !self.first_line && line.blank_before > 0 {
            self.out.push('\n');
        }
        self.first_line = false;
        for _ in 0..indent {
            self.out.push(' ');
        }
        for (i, p) in line.tokens.iter().enumerate() {
            let text = p.tok.text(self.source);
            let is_comment = matches!(p.tok.kind, TokenKind::Comment | TokenKind::DocComment);
            if i > 0 {
                let gap = &self.source[p.gap_start..p.tok.start];
                let space = if is_comment {
                    // Trailing comments keep the user's alignment.
                    if gap.is_empty() {
                        self.out.push(' ');
                    } else {
                        self.out.push_str(gap);
                    }
                    false
                } else {
                    match self.spacing {
                        Spacing::Keep => !gap.is_empty(),
                        Spacing::Normalize => {
                            let a = line.tokens[i - 1].tok;
                            let tight =
                                self.tight.contains(&a.start) || self.tight.contains(&p.tok.start);
                            wants_space(
                                a,
                                p.tok,
                                self.second_last_sig,
                                !gap.is_empty(),
                                self.spaced,
                                tight,
                            )
                        }
                    }
                };
                if space {
                    self.out.push(' ');
                }
            }
            if is_comment {
                self.out.push_str(text.trim_end());
            } else {
                self.out.push_str(text);
                self.second_last_sig = self.last_sig;
                self.last_sig = Some(p.tok);
            }
        }
        self.out.push('\n');
    }
}

/// Group tokens into lines of non-whitespace tokens, remembering blank lines.
fn split_lines(tokens: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut current = Line {
        tokens: Vec::new(),
        blank_before: 0,
    };
    let mut newlines = 0usize;
    let mut gap_start: Option<usize> = None;
    for t in tokens {
        match t.kind {
            TokenKind::Newline => {
                if !current.tokens.is_empty() {
                    lines.push(std::mem::replace(
                        &mut current,
                        Line {
                            tokens: Vec::new(),
                            blank_before: 0,
                        },
                    ));
                    newlines = 1;
                } else {
                    newlines += 1;
                }
                gap_start = None;
            }
            TokenKind::Whitespace => {
                if gap_start.is_none() {
                    gap_start = Some(t.start);
                }
            }
            _ => {
                if current.tokens.is_empty() {
                    current.blank_before = newlines.saturating_sub(1);
                    gap_start = None;
                }
                current.tokens.push(Placed {
                    tok: *t,
                    gap_start: gap_start.take().unwrap_or(t.start),
                });
            }
        }
    }
    if !current.tokens.is_empty() {
        lines.push(current);
    }
    lines
}

/// The `*`, `/`, `^` and `->` tokens that take spaces: arithmetic by rule, others when the
/// user spaced them (on either side), so units in types (`usd/core/h`) keep their form; `->`
/// everywhere but directly inside brackets, where it names a link (`flow[us-east->eu-west]`,
/// written as the link's name is).
fn operator_spacing(tokens: &[Token], arithmetic: &HashMap<usize, bool>) -> BTreeSet<usize> {
    let mut spaced = BTreeSet::new();
    let mut open: Vec<TokenKind> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => open.push(t.kind),
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                open.pop();
            }
            TokenKind::Arrow if open.last() != Some(&TokenKind::LBracket) => {
                spaced.insert(t.start);
            }
            _ => {}
        }
        if matches!(
            t.kind,
            TokenKind::Star | TokenKind::Slash | TokenKind::Caret
        ) {
            let wanted = match arithmetic.get(&t.start) {
                Some(&w) => w,
                None => {
                    let before = i > 0 && tokens[i - 1].kind.is_whitespace();
                    let after = tokens.get(i + 1).is_some_and(|n| n.kind.is_whitespace());
                    before || after
                }
            };
            if wanted {
                spaced.insert(t.start);
            }
        }
    }
    spaced
}

fn is_binary_op(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Iff | Arrow | EqEq | Ne | Le | Ge | Lt | Gt | Eq | Plus | Percent
    )
}

fn is_open(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::LParen | TokenKind::LBracket)
}

fn is_close(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::RParen | TokenKind::RBracket)
}

/// Whether one space goes between `a` and `b` on a line. `before_a` is the significant
/// token before `a` (to tell a unary minus from a binary one); `had_space` says whether the
/// user wrote whitespace there.
fn wants_space(
    a: Token,
    b: Token,
    before_a: Option<Token>,
    had_space: bool,
    spaced: &BTreeSet<usize>,
    tight_brace: bool,
) -> bool {
    use TokenKind::*;
    let (ak, bk) = (a.kind, b.kind);
    if ak == Error || bk == Error {
        return had_space;
    }
    if is_open(ak) || is_close(bk) {
        return false;
    }
    if ak == LBrace {
        return bk != RBrace && !tight_brace;
    }
    if bk == RBrace {
        return !tight_brace;
    }
    if matches!(bk, Comma | Colon) {
        return false;
    }
    if matches!(ak, Comma | Colon) {
        return true;
    }
    if matches!(ak, Dot | DotDot) || matches!(bk, Dot | DotDot) {
        return false;
    }
    if matches!(ak, Star | Slash | Caret) {
        return spaced.contains(&a.start);
    }
    if matches!(bk, Star | Slash | Caret) {
        return spaced.contains(&b.start);
    }
    if ak == Minus {
        // A unary minus sticks to its operand.
        let binary = before_a.is_some_and(|t| t.kind.ends_operand());
        return binary;
    }
    if bk == Minus {
        return true;
    }
    if ak == Arrow {
        return spaced.contains(&a.start);
    }
    if bk == Arrow {
        return spaced.contains(&b.start);
    }
    if is_binary_op(ak) || is_binary_op(bk) {
        return true;
    }
    if bk == LParen {
        // A call or an aggregate: `sum(`, `f(`.
        return match ak {
            Ident => false,
            RParen | RBracket => had_space,
            _ => true,
        };
    }
    if bk == LBracket {
        return match ak {
            Ident | RParen | RBracket => false,
            _ => had_space,
        };
    }
    true
}
