//! The lexicon of the Arch language: its reserved words and its operators, listed once.
//!
//! The pest grammar (`grammar/arch.pest`), the logos lexer ([`super::lexer`]) and the VS Code
//! TextMate grammar (`editors/vscode/syntaxes/build-grammar.mjs`) each spell these words and
//! symbols out, because their formats cannot import a Rust list; the lexer reads its keywords
//! from here, and a test (`crates/archc-cli/tests/lexicon.rs`) fails when any of the three
//! disagrees with this module.

/// Every reserved word: never a name unless quoted (`` `in` ``).
pub const KEYWORDS: &[&str] = &[
    "use",
    "kind",
    "unit",
    "set",
    "param",
    "decide",
    "constraint",
    "minimize",
    "maximize",
    "fn",
    "template",
    "apply",
    "plan",
    "test",
    "expect",
    "in",
    "where",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "true",
    "false",
    "from",
    "as",
    "over",
];

/// One literal of each kind of period (quarter, month, ISO week, day), and literals of those
/// shapes that name no period: the grammar, the lexer and the editor grammars must agree on
/// them.
pub const PERIOD_LITERALS: &[&str] = &["2027Q1", "2026M01", "2026M12", "2026W53", "2026-01-05"];
pub const MALFORMED_PERIODS: &[&str] = &["2027Q5", "2026M13", "2026W54", "2025W53", "2026-02-30"];

/// The keywords that are boolean literals.
pub const BOOL_WORDS: &[&str] = &["true", "false"];

/// Words of plan statements (`state`, `choose`, `next`, `require`, `cost`, `final`):
/// reserved only where they start a statement, ordinary names elsewhere.
pub const PLAN_WORDS: &[&str] = &["state", "choose", "next", "require", "cost", "final"];

/// Words after `expect` in a test (`expect feasible`, `expect objective in 1..2`):
/// reserved only there.
pub const EXPECT_WORDS: &[&str] = &["feasible", "infeasible", "binding", "objective"];

/// Words after the expression of an objective (`minimize cost: ... within 1 %`): reserved
/// only there.
pub const OBJECTIVE_WORDS: &[&str] = &["within"];

/// Words of data sources: `key` after the file of `SET from "PATH"`, on the same line
/// (`services from "s.csv" key id`); reserved only there.
pub const DATA_WORDS: &[&str] = &["key"];

/// Words after a decision's bounds: `as loss` marks the loss of a scenario set; reserved
/// only there.
pub const DECIDE_WORDS: &[&str] = &["loss"];

/// Words of the partition declaration (`partition services into 16`): reserved only there,
/// at the start of an item followed by a set name and `into`.
pub const PARTITION_WORDS: &[&str] = &["partition", "into"];

/// Words reserved only in some places: plan statements, test expectations, objectives,
/// data sources, decisions and the partition declaration.
pub const CONTEXTUAL_WORDS: &[&str] = &[
    "state",
    "choose",
    "next",
    "require",
    "cost",
    "final",
    "feasible",
    "infeasible",
    "binding",
    "objective",
    "within",
    "key",
    "loss",
    "partition",
    "into",
];

/// Names of the base types (`bool`, `int core`).
pub const TYPE_WORDS: &[&str] = &["bool", "int", "real", "str"];

/// Names of the aggregates (`sum(s in services) ...`).
pub const AGGREGATES: &[&str] = &[
    "sum",
    "count",
    "min",
    "max",
    "exists",
    "forall",
    "expected",
    "worst",
    "cvar",
    "probability",
];

/// The kinds every model has (the prelude declares them), each forming the set named by
/// its plural (`regions`, `links`).
pub const BUILTIN_KINDS: &[&str] = &["region", "zone", "service", "link", "dataset"];

/// Operators, longest first where one is a prefix of another (`<->` before `->` and `<`).
pub const OPERATORS: &[&str] = &[
    "<->", "->", "==", "!=", "<=", ">=", "<", ">", "=", "+", "-", "*", "/", "%", "^", "..",
];

/// Punctuation: brackets, separators and the member access dot.
pub const PUNCTUATION: &[&str] = &["(", ")", "[", "]", "{", "}", ",", ":", "."];

/// Marks that open or close a lexical element rather than stand between operands: comments
/// (`//`, `///`), strings (`"` with `\` escapes) and quoted names (`` ` ``).
pub const DELIMITERS: &[&str] = &["//", "///", "\"", "\\", "`"];

/// True for a reserved word.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contextual_words_are_the_plan_expect_objective_data_decide_and_partition_words() {
        let joined: Vec<&str> = PLAN_WORDS
            .iter()
            .chain(EXPECT_WORDS)
            .chain(OBJECTIVE_WORDS)
            .chain(DATA_WORDS)
            .chain(DECIDE_WORDS)
            .chain(PARTITION_WORDS)
            .copied()
            .collect();
        assert_eq!(joined, CONTEXTUAL_WORDS);
    }

    #[test]
    fn no_word_is_in_two_lists() {
        let lists = [
            KEYWORDS,
            CONTEXTUAL_WORDS,
            TYPE_WORDS,
            AGGREGATES,
            BUILTIN_KINDS,
        ];
        let mut seen = std::collections::HashSet::new();
        for w in lists.iter().flat_map(|l| l.iter()) {
            assert!(seen.insert(*w), "`{w}` is listed twice");
        }
        assert!(BOOL_WORDS.iter().all(|w| is_keyword(w)));
    }

    #[test]
    fn a_longer_operator_comes_before_its_prefixes() {
        for (i, op) in OPERATORS.iter().enumerate() {
            for later in &OPERATORS[i + 1..] {
                assert!(
                    !later.starts_with(op) || later == op,
                    "`{later}` must come before its prefix `{op}`"
                );
            }
        }
    }
}
