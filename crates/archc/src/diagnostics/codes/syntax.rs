//! The texts of the E01xx: syntax codes (`archc explain CODE`).

use super::{info, Code, CodeInfo};

pub(super) const TABLE: &[CodeInfo] = &[
    info(
        Code::E0101,
        "syntax error",
        "The parser met text it cannot read at this point of the file.\n\n\
The label says what it expected instead. Common causes:\n\
- a missing `:` after a constraint name: `constraint fit[r in regions] sum(...)` needs `:`;\n\
- a binary minus without spaces: `a-b` is one name (names may hold hyphens, like `us-east`); write `a - b`;\n\
- a unit with spaces inside: `0.031 usd / core / h` reads as a division; write `0.031 usd/core/h`;\n\
- a missing closing bracket or brace.\n\n\
The parser skips to the next line that starts a declaration and goes on, so later errors are reported too.",
    ),
    info(
        Code::E0102,
        "number out of range",
        "A number literal could not be read as a finite 64-bit float (for example `1e999`).\n\n\
Write a smaller number, or use a larger unit: `1 Tbps` instead of `1000000000000 bps`.",
    ),
    info(
        Code::E0103,
        "invalid period literal",
        "Period literals are quarters `YYYYQn` with n from 1 to 4 (`2027Q1`), months `YYYYMmm` with mm from 01 to 12 (`2026M01`), ISO 8601 weeks `YYYYWww` with ww from 01 to 52, or 53 in years that have it (`2026W01`), and days `YYYY-MM-DD` (`2026-01-05`).\n\n\
`2027Q5`, `2026M13`, `2026M1`, `2025W53` and `2026-02-30` are not periods. Ranges are written `2027Q1..2028Q4`, `2024M01..2026M12`.",
    ),
    info(
        Code::E0104,
        "internal parser error",
        "The parse tree had a shape the AST builder did not expect. This is a bug in archc; \
please report it with the input that caused it.",
    ),
    info(
        Code::E0105,
        "expression nested too deeply",
        "An expression nests more than 48 levels deep: brackets inside brackets, an aggregate \
in the body of another (`sum(i in s) sum(j in t) ...`), an `if` inside a branch of another, \
negated exponents (`a ^ -b ^ -c ...`), or a run of prefix operators like `-`. archc refuses \
it before parsing, so no phase runs out of stack; no real model needs that depth. Long runs \
of one operator (`1 + 1 + ...`, `a ^ b ^ ...`, `if ... else if ...`) are not nesting and \
have no limit.\n\n\
    param p: real = sum(a in s) sum(b in s) ... sum(z in s) 1   // 49 deep: E0105\n\n\
Split the expression: give a part a name with `fn` or `param`.",
    ),
    info(
        Code::E0106,
        "unterminated or empty quoted name",
        "A backtick starts a quoted name, which runs to the next backtick on the same line: \
`` `1a` ``, `` `eu west` ``. Quoted names let a model refer to names that do not read as plain \
identifiers, such as entity names that start with a digit or hold spaces.\n\n\
This error means a backtick has no closing backtick before the end of the line, or that two \
backticks enclose nothing (` `` `). Close the name with a backtick, or remove the stray backtick. \
A quoted name cannot hold a backtick or a newline.",
    ),
];
