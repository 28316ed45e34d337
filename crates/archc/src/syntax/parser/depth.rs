//! How deeply an item's expressions nest, read from the text before pest parses it, so that
//! neither pest (which recurses once per level) nor any later phase ever meets a tree deeper
//! than [`MAX_NESTING`]. A level is a bracket (`(`, `[`, `{`), an aggregate whose body has
//! not ended (`sum(i in s) sum(j in s) ...`), an `if` whose branches have not ended (an
//! `else if` continues the same chain and adds none), a negated exponent (`a ^ -b ^ -c`);
//! a run of prefix operators (`- - x`, `not not p`) is counted on its own. Flat chains of
//! one operator add nothing: the parser builds them as one node. Used by
//! [`super::recovery::blank_deep_items`].

/// Deepest nesting the parser accepts, the one limit every phase relies on.
pub const MAX_NESTING: usize = 48;

#[derive(Clone, Copy, PartialEq, Eq)]
enum IfPart {
    Cond,
    Value,
    Otherwise,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// A bracket; the index brackets of an aggregate (`sum(i in s)`) add no level of their
    /// own (`false`).
    Bracket(bool),
    /// An aggregate; its body ends at an operator looser than `*`.
    Agg,
    If(IfPart),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    Operand,
    Caret,
    Else,
    Other,
}

/// The scan's state for the item being read.
struct Scan {
    stack: Vec<Frame>,
    /// The frames of `stack` that count as a level.
    levels: usize,
    /// An aggregate's name was just read: the next bracket is its index.
    agg_index: bool,
    /// Negated exponents in the power chain being read.
    negated_powers: usize,
    /// Prefix operators in a row.
    run: usize,
    prev: Prev,
    bad: Vec<usize>,
}

impl Scan {
    fn depth(&self) -> usize {
        self.levels + self.negated_powers
    }

    fn pop(&mut self) -> Option<Frame> {
        let f = self.stack.pop();
        if f.is_some() && f != Some(Frame::Bracket(false)) {
            self.levels -= 1;
        }
        f
    }

    fn clear(&mut self) {
        self.stack.clear();
        self.levels = 0;
        self.negated_powers = 0;
        self.agg_index = false;
    }

    /// Record `at` when the nesting just went one past the limit.
    fn deeper(&mut self, at: usize, before: usize) {
        if before <= MAX_NESTING && self.depth() > MAX_NESTING {
            self.bad.push(at);
        }
    }

    fn push(&mut self, f: Frame, at: usize) {
        let before = self.depth();
        if f != Frame::Bracket(false) {
            self.levels += 1;
        }
        self.stack.push(f);
        self.deeper(at, before);
    }

    /// Close the aggregates and `if`s still open inside the innermost bracket.
    fn close_open(&mut self) {
        while matches!(self.stack.last(), Some(Frame::Agg | Frame::If(_))) {
            self.pop();
        }
    }

    /// An operator looser than `*`: the bodies of the aggregates open on top end.
    fn end_bodies(&mut self) {
        while self.stack.last() == Some(&Frame::Agg) {
            self.pop();
        }
        self.negated_powers = 0;
    }

    /// `then` or `else`: close what is open until the `if` it belongs to (in part `want`).
    fn close_to_if(&mut self, want: IfPart, next: IfPart) {
        loop {
            match self.stack.last() {
                Some(Frame::If(p)) if *p == want => {
                    if let Some(top) = self.stack.last_mut() {
                        *top = Frame::If(next);
                    }
                    return;
                }
                Some(Frame::Agg | Frame::If(_)) => {
                    self.pop();
                }
                _ => return,
            }
        }
    }
}

/// The positions (byte offsets in `text`) where nesting first goes past [`MAX_NESTING`],
/// one for each time it does.
pub(super) fn too_deep(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut s = Scan {
        stack: Vec::new(),
        levels: 0,
        agg_index: false,
        negated_powers: 0,
        run: 0,
        prev: Prev::Other,
        bad: Vec::new(),
    };
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                // A new declaration starts at a letter in the first column, outside brackets.
                let next = bytes.get(i + 1).copied().unwrap_or(b'\n');
                if !s.stack.iter().any(|f| matches!(f, Frame::Bracket(_))) {
                    s.run = 0;
                    if next.is_ascii_alphabetic() || next == b'_' || next == b'`' {
                        s.clear();
                        s.prev = Prev::Other;
                    }
                }
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            // A quoted name or a string is one operand, whatever it holds.
            b'`' | b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != c && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' && c == b'"' { 2 } else { 1 };
                }
                i += 1;
                s.run = 0;
                s.prev = Prev::Operand;
            }
            b'(' | b'[' | b'{' => {
                s.run = 0;
                let counts = !std::mem::take(&mut s.agg_index);
                s.push(Frame::Bracket(counts), i);
                s.prev = Prev::Other;
                i += 1;
            }
            b')' | b']' | b'}' => {
                s.close_open();
                if matches!(s.stack.last(), Some(Frame::Bracket(_))) {
                    s.pop();
                }
                s.run = 0;
                s.prev = Prev::Operand;
                i += 1;
            }
            b',' | b':' | b';' => {
                s.close_open();
                s.negated_powers = 0;
                s.run = 0;
                s.prev = Prev::Other;
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'>') => {
                s.end_bodies();
                s.run = 0;
                s.prev = Prev::Other;
                i += 2;
            }
            b'-' => {
                if s.prev == Prev::Operand {
                    s.end_bodies();
                } else if s.prev == Prev::Caret {
                    let before = s.depth();
                    s.negated_powers += 1;
                    s.deeper(i, before);
                }
                s.run += 1;
                if s.run == MAX_NESTING + 1 {
                    s.bad.push(i);
                }
                s.prev = Prev::Other;
                i += 1;
            }
            b'^' => {
                s.run = 0;
                s.prev = Prev::Caret;
                i += 1;
            }
            b'*' | b'/' | b'%' => {
                s.negated_powers = 0;
                s.run = 0;
                s.prev = Prev::Other;
                i += 1;
            }
            b'.' if bytes.get(i + 1) == Some(&b'.') => {
                s.end_bodies();
                s.run = 0;
                s.prev = Prev::Other;
                i += 2;
            }
            b'+' | b'<' | b'>' | b'=' | b'!' => {
                s.end_bodies();
                s.run = 0;
                s.prev = Prev::Other;
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || (bytes[i] == b'-'
                            && bytes
                                .get(i + 1)
                                .is_some_and(|d| d.is_ascii_alphanumeric() || *d == b'_')
                            && !bytes[start].is_ascii_digit()))
                {
                    i += 1;
                }
                // `1e-5`: the sign of an exponent belongs to the number.
                if bytes[start].is_ascii_digit()
                    && matches!(bytes[i - 1], b'e' | b'E')
                    && matches!(bytes.get(i), Some(b'-' | b'+'))
                {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                }
                word(&mut s, &text[start..i], start, &text[i..]);
            }
            _ => {
                s.run = 0;
                s.prev = Prev::Other;
                i += 1;
            }
        }
    }
    s.bad
}

/// A word (name, keyword or number) at `at`, followed by `rest`.
fn word(s: &mut Scan, w: &str, at: usize, rest: &str) {
    let prev = s.prev;
    s.prev = Prev::Other;
    match w {
        "not" => {
            s.run += 1;
            if s.run == MAX_NESTING + 1 {
                s.bad.push(at);
            }
            return;
        }
        "and" | "or" | "in" => s.end_bodies(),
        "where" => {
            s.close_open();
            s.negated_powers = 0;
        }
        "then" => {
            s.negated_powers = 0;
            s.close_to_if(IfPart::Cond, IfPart::Value);
        }
        "else" => {
            s.negated_powers = 0;
            s.close_to_if(IfPart::Value, IfPart::Otherwise);
            s.prev = Prev::Else;
        }
        "if" => {
            if prev == Prev::Else && s.stack.last() == Some(&Frame::If(IfPart::Otherwise)) {
                // `else if`: the same chain goes on.
                if let Some(top) = s.stack.last_mut() {
                    *top = Frame::If(IfPart::Cond);
                }
            } else {
                s.push(Frame::If(IfPart::Cond), at);
            }
        }
        "sum" | "count" | "min" | "max" | "exists" | "forall" if is_aggregate(rest) => {
            s.push(Frame::Agg, at);
            s.agg_index = true;
        }
        _ => s.prev = Prev::Operand,
    }
    s.run = 0;
}

/// True when `rest` (after an aggregate's name) opens its index: `(i in`.
fn is_aggregate(rest: &str) -> bool {
    let Some(r) = rest.trim_start().strip_prefix('(') else {
        return false;
    };
    let r = r.trim_start();
    let name_len = r
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '`'))
        .unwrap_or(r.len());
    if name_len == 0 {
        return false;
    }
    let after = &r[name_len..];
    let trimmed = after.trim_start();
    trimmed.len() < after.len()
        && trimmed.starts_with("in")
        && !trimmed[2..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::{too_deep, MAX_NESTING};

    fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
        format!(
            "param p: real = {}{inner}{}\n",
            open.repeat(n),
            close.repeat(n)
        )
    }

    #[test]
    fn each_kind_of_nesting_is_refused_one_past_the_limit() {
        let forms: [(&str, &str, &str); 6] = [
            ("(", "1", ")"),
            ("f(", "1", ")"),
            ("sum(i in s) ", "1", ""),
            ("if c then ", "1", " else 2"),
            ("if ", "c then 1 else 2", " then 3 else 4"),
            ("2 ^ -", "2", ""),
        ];
        for (open, inner, close) in forms {
            let ok = nested(open, inner, close, MAX_NESTING);
            assert_eq!(too_deep(&ok), Vec::<usize>::new(), "{open}… at the limit");
            let deep = nested(open, inner, close, MAX_NESTING + 1);
            let bad = too_deep(&deep);
            assert_eq!(bad.len(), 1, "{open}… one past the limit");
            // The error points at the construct that went past the limit.
            let at = "param p: real = ".len() + MAX_NESTING * open.len();
            let found = bad[0];
            assert!(
                (at.saturating_sub(open.len())..=at + open.len()).contains(&found),
                "{open}… at {found}, expected near {at}"
            );
        }
    }

    #[test]
    fn flat_runs_are_not_nesting() {
        let n = 10_000;
        let runs = [
            vec!["sum(i in s) x[i]"; n].join(" + "),
            vec!["1"; n].join(" ^ "),
            vec!["p"; n].join(" -> "),
            format!("{} else 0", vec!["if c then 1"; n].join(" else ")),
            vec!["(1)"; n].join(" * "),
            vec!["- 1"; n].join(" + "),
        ];
        for r in runs {
            let text = format!("param p: real = {r}\n");
            assert_eq!(too_deep(&text), Vec::<usize>::new(), "{}", &r[..40]);
        }
    }

    #[test]
    fn an_aggregate_body_ends_at_a_looser_operator() {
        // `sum(..) a * sum(..) b` nests (the body is a product); `+` ends the bodies.
        let mul = format!(
            "param p: real = {}1\n",
            "sum(i in s) 2 * ".repeat(MAX_NESTING + 1)
        );
        assert_eq!(too_deep(&mul).len(), 1);
        let add = format!(
            "param p: real = {}1\n",
            "sum(i in s) 2 + ".repeat(10 * MAX_NESTING)
        );
        assert!(too_deep(&add).is_empty());
    }

    #[test]
    fn nesting_does_not_carry_over_to_the_next_item() {
        let one = format!("param p: real = {}1\n", "sum(i in s) ".repeat(MAX_NESTING));
        assert!(too_deep(&one.repeat(3)).is_empty());
    }

    #[test]
    fn strings_comments_and_names_hold_no_nesting() {
        let text = format!(
            "param p: str = \"{}\" // {}\nparam q: real = `{}` + us-east-1 - 1e-5\n",
            "(".repeat(100),
            "[".repeat(100),
            "{".repeat(50)
        );
        assert!(too_deep(&text).is_empty());
    }
}
