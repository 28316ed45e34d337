// Generates syntaxes/arch.tmLanguage.json, the TextMate grammar of the `.arch` language.
//
//   node syntaxes/build-grammar.mjs          write the grammar
//   node syntaxes/build-grammar.mjs --check  exit 1 if the committed grammar is out of date
//
// The grammar is written here, with named regex fragments, because the same identifier, number
// and unit patterns appear in many rules and JSON-escaped regexes are hard to keep consistent by
// hand. The grammar is purely lexical and line-oriented: every multi-line region also ends at the
// next top-level declaration keyword, so an unclosed brace never swallows the rest of the file.
// The archc language server refines it with semantic tokens.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "arch.tmLanguage.json");

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

// The keywords, contextual words, types, aggregates, built-in kinds and operators below are
// the lists of `crates/archc/src/syntax/lexicon.rs`, the one lexicon of the language; the test
// `crates/archc-cli/tests/lexicon.rs` reads these arrays as text and fails when they
// disagree with it. Keep each of them a literal array of strings.

/** Keywords that start a top-level declaration. */
const DECLARATION = [
  "use", "kind", "unit", "set", "param", "decide", "constraint", "minimize", "maximize",
  "fn", "template", "apply", "plan", "test",
];
/** Keywords of clauses: `apply ... as`, `from`, `plan ... over`, `expect`. */
const CLAUSE = ["as", "from", "over", "expect"];
/** Keywords inside expressions. */
const EXPRESSION = ["in", "where", "if", "then", "else", "and", "or", "not", "true", "false"];
/** Words that start a plan statement (ordinary names elsewhere). */
const PLAN_WORDS = ["state", "choose", "next", "require", "cost", "final"];
/** Words after `expect` in a test (ordinary names elsewhere). */
const EXPECT_WORDS = ["feasible", "infeasible", "binding", "objective"];
/** Words after the expression of an objective (ordinary names elsewhere). */
const OBJECTIVE_WORDS = ["within"];
/** The word after the file of `SET from "PATH"` that names the key column (`key id`). */
const DATA_WORDS = ["key"];
/** The word after `as` at the end of a decision: `as loss` marks a scenario set's loss. */
const DECIDE_WORDS = ["loss"];
/** `partition services into 16`: the set a partitioned solve splits (ordinary names elsewhere). */
const PARTITION_WORDS = ["partition", "into"];
const AGGREGATES = [
  "sum", "count", "min", "max", "exists", "forall", "expected", "worst", "cvar", "probability",
];
const BUILTIN_FUNCTIONS = [
  ...AGGREGATES, "prev", "next", "ord", "first", "last", "ceil", "floor", "round", "abs", "card",
  "moves", "changed",
];
const PRIMITIVE_TYPES = ["bool", "int", "real", "str"];
const BUILTIN_KINDS = ["region", "zone", "service", "link", "dataset"];
const BUILTIN_SETS = ["regions", "zones", "services", "links", "datasets"];

/** Operators, by the scope they are highlighted with. */
const LOGICAL_OPERATORS = ["<->", "->"];
const RANGE_OPERATORS = [".."];
const COMPARISON_OPERATORS = ["==", "!=", "<=", ">=", "<", ">"];
const ASSIGNMENT_OPERATORS = ["="];
const ARITHMETIC_OPERATORS = ["+", "-", "*", "/", "%", "^"];

/** Every reserved word: never a unit, never a declared name. */
const RESERVED = [...new Set([
  ...DECLARATION, ...CLAUSE, ...PLAN_WORDS, ...EXPRESSION, ...BUILTIN_FUNCTIONS, ...PRIMITIVE_TYPES,
])];

const words = (list) => `(?:${list.join("|")})`;
/** A regex that matches any of the symbols, longest first. */
const symbols = (list) =>
  [...list]
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("|");

// ---------------------------------------------------------------------------------------------
// Regex fragments
// ---------------------------------------------------------------------------------------------

/** Identifier: letters, digits, `_`, and inner hyphens between alphanumerics (`eu-west-1`). */
const IDENT = String.raw`[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9][A-Za-z0-9_]*)*`;
/** Quoted name: anything but a backtick between backticks (`1a`, `eu west`, `in`). */
const QUOTED = "`[^`]+`";
/** Right edge of a word: not followed by a word character or by an inner hyphen. */
const WEND = String.raw`(?![A-Za-z0-9_])(?!-[A-Za-z0-9])`;
/** Left edge of a word: not preceded by a word character or by `x-`. */
const WSTART = String.raw`(?<![A-Za-z0-9_])(?<![A-Za-z0-9_]-)`;
/** A whole word from the list. */
const kw = (list) => `${WSTART}${words(list)}${WEND}`;
/** Contextual keywords: plan statements, and ordinary names everywhere else (`minimize cost:`). */
const CONTEXTUAL = ["cost", "final"];
/** An identifier that is not a reserved word (contextual keywords are allowed as names). */
const NAME = `(?:${QUOTED}|(?!${words(RESERVED.filter((w) => !CONTEXTUAL.includes(w)))}${WEND})${IDENT})`;
/** An entity name: an identifier or a quoted name. */
const ENTITY = `(?:${QUOTED}|${IDENT})`;

/** Decimal number with `_` separators, optional fraction and exponent: 40_000, 0.031, 2.5e-3. */
const NUMBER = String.raw`(?<![A-Za-z0-9_])\d[0-9_]*(?:\.\d[0-9_]*)?(?:[eE][+-]?\d[0-9_]*)?(?![A-Za-z0-9_])`;
/** Period literal: a quarter 2027Q1, a month 2026M01, an ISO week 2026W01, a day 2026-01-05. */
const PERIOD =
  String.raw`(?<![A-Za-z0-9_])\d{4}(?:Q[1-4]|M(?:0[1-9]|1[0-2])|W(?:0[1-9]|[1-4]\d|5[0-3])` +
  String.raw`|-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![A-Za-z0-9_])`;
/** One unit atom with an optional integer power: usd, GiB, m^2, s^-1. */
const UNIT_ATOM = String.raw`[A-Za-z_][A-Za-z0-9_]*(?:\^-?\d+)?`;
/** A unit expression with no inner spaces: usd/core/h, GiB*h. Never a reserved word, never `x[`. */
const UNIT = `(?!${words([...RESERVED, ...BUILTIN_KINDS, ...BUILTIN_SETS])}(?![A-Za-z0-9_]))` +
  String.raw`${UNIT_ATOM}(?:[*/]${UNIT_ATOM})*(?![A-Za-z0-9_\[(])(?!-[A-Za-z0-9])(?!\.(?!\.))`;

/**
 * Start of a top-level declaration at the beginning of a line (`param x`, `use "f"`, `test {`):
 * brace regions end there at the latest. A field such as `cost: usd` does not qualify.
 */
const NEXT_DECLARATION = String.raw`(?=^\s*` + words(DECLARATION) + String.raw`(?:[ \t]+[A-Za-z_"]|[ \t]*\{))`;

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

const repository = {
  comments: {
    patterns: [
      {
        name: "comment.line.documentation.arch",
        match: String.raw`(///)(?!/).*$`,
        captures: { 1: { name: "punctuation.definition.comment.arch" } },
      },
      {
        name: "comment.line.double-slash.arch",
        match: String.raw`(//).*$`,
        captures: { 1: { name: "punctuation.definition.comment.arch" } },
      },
    ],
  },

  strings: {
    patterns: [
      {
        name: "string.quoted.double.arch",
        begin: '"',
        beginCaptures: { 0: { name: "punctuation.definition.string.begin.arch" } },
        // A string never spans lines: an unterminated one ends at the end of its line.
        end: String.raw`(")|(?=$)`,
        endCaptures: { 1: { name: "punctuation.definition.string.end.arch" } },
        patterns: [
          { name: "constant.character.escape.arch", match: String.raw`\\.` },
        ],
      },
    ],
  },

  "quoted-names": {
    patterns: [
      {
        // `x[`1a`]`: a quoted name is one name, whatever it holds.
        name: "variable.other.quoted.arch",
        match: "(`)[^`]+(`)",
        captures: {
          1: { name: "punctuation.definition.quoted.begin.arch" },
          2: { name: "punctuation.definition.quoted.end.arch" },
        },
      },
      // An empty quoted name, or a backtick not closed on its line.
      { name: "invalid.illegal.quoted.arch", match: "``|`[^`]*$" },
    ],
  },

  numbers: {
    patterns: [
      {
        name: "constant.numeric.period.arch",
        match: PERIOD,
      },
      {
        // A quantity: a number, one or more spaces, and a unit expression (`0.031 usd/core/h`).
        match: String.raw`(${NUMBER})(?:[ \t]+(${UNIT}))?`,
        captures: {
          1: { name: "constant.numeric.decimal.arch" },
          2: { name: "keyword.other.unit.arch" },
        },
      },
      {
        name: "invalid.illegal.numeric.arch",
        match: String.raw`(?<![A-Za-z0-9_])\d[A-Za-z0-9_]*`,
      },
    ],
  },

  "entity-declaration": {
    patterns: [
      {
        // `link us-east <-> eu-west {`, `region us-east {`, `rack r1 {` at the start of a line.
        begin: String.raw`^\s*(?:(${kw(BUILTIN_KINDS)})|(${NAME}))\s+(${ENTITY})` +
          String.raw`(?:\s*(<->|->)\s*(${ENTITY}))?\s*(\{)`,
        beginCaptures: {
          1: { name: "support.type.kind.arch" },
          2: { name: "entity.name.type.kind.arch" },
          3: { name: "variable.other.constant.entity.arch" },
          4: { name: "keyword.operator.link.arch" },
          5: { name: "variable.other.constant.entity.arch" },
          6: { name: "punctuation.section.braces.begin.arch" },
        },
        end: String.raw`(\})|${NEXT_DECLARATION}`,
        endCaptures: { 1: { name: "punctuation.section.braces.end.arch" } },
        name: "meta.entity.arch",
        patterns: [{ include: "#entity-body" }],
      },
      {
        // A built-in entity with no body: `region us-east` alone on its line.
        match: String.raw`^\s*(${kw(BUILTIN_KINDS)})\s+(${NAME})(?:\s*(<->|->)\s*(${ENTITY}))?\s*(?=$|//)`,
        captures: {
          1: { name: "support.type.kind.arch" },
          2: { name: "variable.other.constant.entity.arch" },
          3: { name: "keyword.operator.link.arch" },
          4: { name: "variable.other.constant.entity.arch" },
        },
      },
    ],
  },

  "entity-body": {
    patterns: [
      { include: "#comments" },
      {
        match: String.raw`(${IDENT})\s*(:)(?!:)`,
        captures: {
          1: { name: "variable.other.property.arch" },
          2: { name: "punctuation.separator.key-value.arch" },
        },
      },
      { include: "#nested-braces" },
      { include: "#expression" },
    ],
  },

  "nested-braces": {
    begin: String.raw`\{`,
    beginCaptures: { 0: { name: "punctuation.section.braces.begin.arch" } },
    end: String.raw`(\})|${NEXT_DECLARATION}`,
    endCaptures: { 1: { name: "punctuation.section.braces.end.arch" } },
    patterns: [{ include: "#comments" }, { include: "#nested-braces" }, { include: "#expression" }],
  },

  "kind-declaration": {
    patterns: [
      {
        // `kind rack { power: kW, site: region, cost: usd = 0 usd }`
        begin: String.raw`(${kw(["kind"])})\s+(${NAME})\s*(\{)`,
        beginCaptures: {
          1: { name: "storage.type.kind.arch" },
          2: { name: "entity.name.type.kind.arch" },
          3: { name: "punctuation.section.braces.begin.arch" },
        },
        end: String.raw`(\})|${NEXT_DECLARATION}`,
        endCaptures: { 1: { name: "punctuation.section.braces.end.arch" } },
        name: "meta.kind.arch",
        patterns: [
          { include: "#comments" },
          {
            // `power: kW`, `site: region`, `slots: int`, `bandwidth: real Gbps`
            match: String.raw`(${IDENT})\s*(:)(?!:)\s*(?:(${kw(PRIMITIVE_TYPES)})(?:[ \t]+(${UNIT}))?|(${kw(BUILTIN_KINDS)})|(${UNIT}))?`,
            captures: {
              1: { name: "variable.other.property.arch" },
              2: { name: "punctuation.separator.type.arch" },
              3: { name: "storage.type.primitive.arch" },
              4: { name: "keyword.other.unit.arch" },
              5: { name: "support.type.kind.arch" },
              6: { name: "keyword.other.unit.arch" },
            },
          },
          { include: "#nested-braces" },
          { include: "#expression" },
        ],
      },
      {
        match: String.raw`(${kw(["kind"])})\s+(${NAME})`,
        captures: {
          1: { name: "storage.type.kind.arch" },
          2: { name: "entity.name.type.kind.arch" },
        },
      },
    ],
  },

  declarations: {
    patterns: [
      {
        // `partition services into 16` at the start of a line.
        match: String.raw`^\s*(${kw([PARTITION_WORDS[0]])})\s+(${IDENT})\s+(${kw([PARTITION_WORDS[1]])})(?=\s+[0-9])`,
        captures: {
          1: { name: "storage.type.partition.arch" },
          2: { name: "variable.other.set.arch" },
          3: { name: "keyword.other.partition.arch" },
        },
      },
      {
        // `use std.infra`
        match: String.raw`(${kw(["use"])})\s+(${IDENT}(?:\.${IDENT})*)`,
        captures: {
          1: { name: "keyword.control.import.arch" },
          2: { name: "entity.name.namespace.arch" },
        },
      },
      { match: kw(["use"]), name: "keyword.control.import.arch" },
      {
        match: String.raw`(${kw(["unit"])})\s+(${NAME})`,
        captures: {
          1: { name: "storage.type.unit.arch" },
          2: { name: "entity.name.type.unit.arch" },
        },
      },
      {
        match: String.raw`(${kw(["set"])})\s+(${NAME})`,
        captures: {
          1: { name: "storage.type.set.arch" },
          2: { name: "entity.name.variable.set.arch" },
        },
      },
      {
        match: String.raw`(${kw(["param"])})\s+(${NAME})`,
        captures: {
          1: { name: "storage.type.param.arch" },
          2: { name: "entity.name.variable.param.arch" },
        },
      },
      {
        match: String.raw`(${kw(["decide"])})\s+(${NAME})`,
        captures: {
          1: { name: "storage.type.decide.arch" },
          2: { name: "entity.name.variable.decision.arch" },
        },
      },
      {
        match: String.raw`(${kw(["constraint"])})(?:\s+(${NAME})(?=\s*[\[:]))?`,
        captures: {
          1: { name: "storage.type.constraint.arch" },
          2: { name: "entity.name.function.constraint.arch" },
        },
      },
      {
        match: String.raw`(${kw(["minimize", "maximize"])})(?:\s+(${NAME})(?=\s*:))?`,
        captures: {
          1: { name: "storage.type.objective.arch" },
          2: { name: "entity.name.function.objective.arch" },
        },
      },
      {
        match: String.raw`(${kw(["fn"])})(?:\s+(${NAME}))?`,
        captures: {
          1: { name: "storage.type.function.arch" },
          2: { name: "entity.name.function.arch" },
        },
      },
      {
        match: String.raw`(${kw(["template"])})(?:\s+(${NAME}))?`,
        captures: {
          1: { name: "storage.type.template.arch" },
          2: { name: "entity.name.function.template.arch" },
        },
      },
      {
        match: String.raw`(${kw(["apply"])})(?:\s+(${NAME}))?`,
        captures: {
          1: { name: "keyword.other.apply.arch" },
          2: { name: "entity.name.function.template.arch" },
        },
      },
      {
        match: String.raw`(${kw(["as"])})(?:\s+(${NAME}))?`,
        captures: {
          1: { name: "keyword.other.as.arch" },
          2: { name: "entity.name.namespace.arch" },
        },
      },
      {
        match: String.raw`(${kw(["plan"])})(?:\s+(${NAME}))?`,
        captures: {
          1: { name: "storage.type.plan.arch" },
          2: { name: "entity.name.function.plan.arch" },
        },
      },
      {
        match: String.raw`(${kw(["test"])})(?:\s+(${NAME})(?=\s*\{))?`,
        captures: {
          1: { name: "storage.type.test.arch" },
          2: { name: "entity.name.function.test.arch" },
        },
      },
    ],
  },

  clauses: {
    patterns: [
      {
        // `state racks: ...`, `choose add: ...`
        match: String.raw`(${kw(["state", "choose"])})(?:\s+(${NAME}))?`,
        captures: {
          1: { name: "keyword.other.plan.arch" },
          2: { name: "variable.other.definition.arch" },
        },
      },
      {
        // `next racks = racks + add` (the transition), not the `next(x)` function.
        match: String.raw`(${kw(["next"])})\s+(${NAME})(?=\s*=(?!=))`,
        captures: {
          1: { name: "keyword.other.plan.arch" },
          2: { name: "variable.other.arch" },
        },
      },
      {
        // `cost = ...` / `final ...` as plan statements; elsewhere `cost` is an ordinary name.
        match: String.raw`(?:^|(?<=[{;]))\s*(${kw(["cost", "final"])})(?!\s*[:\[(.,)])`,
        captures: { 1: { name: "keyword.other.plan.arch" } },
      },
      { match: String.raw`${kw(["cost"])}(?=\s*=(?!=))`, name: "keyword.other.plan.arch" },
      { match: kw(["over", "require"]), name: "keyword.other.plan.arch" },
      {
        match: String.raw`(${kw(["expect"])})(?:\s+(?:(${kw(["feasible", "infeasible"])})|(${kw(["objective"])})|(${kw(["binding"])})))?`,
        captures: {
          1: { name: "keyword.other.expect.arch" },
          2: { name: "constant.language.status.arch" },
          3: { name: "variable.language.objective.arch" },
          4: { name: "keyword.other.expect.arch" },
        },
      },
      {
        // `minimize cost: ... within 1 %`: the tolerance of a ranked objective.
        match: String.raw`${kw(OBJECTIVE_WORDS)}(?=\s+[0-9(])`,
        name: "keyword.other.objective.arch",
      },
      {
        // `decide lost[s in S]: real Gbps >= 0 as loss`: the loss of a scenario set.
        match: String.raw`(?<=[ \t])(${kw(DECIDE_WORDS)})(?=[ \t]*(?:$|//))`,
        captures: { 1: { name: "keyword.other.loss.arch" } },
      },
      { match: kw(["from"]), name: "keyword.other.from.arch" },
      {
        // `services from "s.csv" key id`: the column that holds the entity names.
        match: String.raw`(?<=")([ \t]+)(${kw(DATA_WORDS)})(?=[ \t]+)`,
        captures: { 2: { name: "keyword.other.from.arch" } },
      },
    ],
  },

  "type-annotation": {
    patterns: [
      {
        // `: h =`, `]: core from "..."`, `(l: link)`: a unit written where a type goes.
        match: String.raw`(:)(?!:)[ \t]*(${UNIT})(?=[ \t]*(?:=(?!=)|>=|<=|${WSTART}from${WEND}|,|\}|\)|//|$))`,
        captures: {
          1: { name: "punctuation.separator.type.arch" },
          2: { name: "keyword.other.unit.arch" },
        },
      },
      {
        // `real Gbps`, `int core`
        match: String.raw`(${kw(["int", "real"])})[ \t]+(${UNIT})`,
        captures: {
          1: { name: "storage.type.primitive.arch" },
          2: { name: "keyword.other.unit.arch" },
        },
      },
      {
        // A name bound with a type: fn and template parameters.
        match: String.raw`(${NAME})\s*(?=:(?!:))`,
        captures: { 1: { name: "variable.parameter.arch" } },
      },
    ],
  },

  expression: {
    patterns: [
      { include: "#comments" },
      { include: "#strings" },
      { include: "#quoted-names" },
      { include: "#numbers" },
      {
        // Member access: `r.country`, `l.capacity`.
        match: String.raw`(\.)(?!\.)\s*(${IDENT})`,
        captures: {
          1: { name: "punctuation.accessor.arch" },
          2: { name: "variable.other.property.arch" },
        },
      },
      { match: kw(["true", "false"]), name: "constant.language.boolean.arch" },
      { match: kw(["if", "then", "else"]), name: "keyword.control.conditional.arch" },
      { match: kw(["and", "or", "not"]), name: "keyword.operator.logical.arch" },
      { match: kw(["in", "where"]), name: "keyword.other.comprehension.arch" },
      { match: kw(PRIMITIVE_TYPES), name: "storage.type.primitive.arch" },
      { match: kw(BUILTIN_KINDS), name: "support.type.kind.arch" },
      { match: kw(BUILTIN_SETS), name: "support.variable.set.arch" },
      { match: kw(BUILTIN_FUNCTIONS), name: "support.function.builtin.arch" },
      {
        match: String.raw`(${NAME})(?=\s*\()`,
        captures: { 1: { name: "entity.name.function.call.arch" } },
      },
      { match: IDENT, name: "variable.other.arch" },
      { include: "#operators" },
      { include: "#punctuation" },
    ],
  },

  operators: {
    patterns: [
      { match: symbols(LOGICAL_OPERATORS), name: "keyword.operator.logical.arch" },
      { match: symbols(RANGE_OPERATORS), name: "keyword.operator.range.arch" },
      { match: symbols(COMPARISON_OPERATORS), name: "keyword.operator.comparison.arch" },
      // Not part of the language, but highlighted as one operator so `*=` reads as a mistake.
      { match: String.raw`[-+*/]=`, name: "keyword.operator.assignment.compound.arch" },
      { match: symbols(ASSIGNMENT_OPERATORS), name: "keyword.operator.assignment.arch" },
      { match: symbols(ARITHMETIC_OPERATORS), name: "keyword.operator.arithmetic.arch" },
    ],
  },

  punctuation: {
    patterns: [
      { match: String.raw`\{`, name: "punctuation.section.braces.begin.arch" },
      { match: String.raw`\}`, name: "punctuation.section.braces.end.arch" },
      { match: String.raw`\[`, name: "punctuation.section.brackets.begin.arch" },
      { match: String.raw`\]`, name: "punctuation.section.brackets.end.arch" },
      { match: String.raw`\(`, name: "punctuation.section.parens.begin.arch" },
      { match: String.raw`\)`, name: "punctuation.section.parens.end.arch" },
      { match: ",", name: "punctuation.separator.comma.arch" },
      { match: ":", name: "punctuation.separator.colon.arch" },
      { match: ";", name: "punctuation.terminator.arch" },
      { match: String.raw`\.`, name: "punctuation.accessor.arch" },
    ],
  },
};

const grammar = {
  $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
  name: "Arch",
  scopeName: "source.arch",
  fileTypes: ["arch"],
  comment: "Generated by syntaxes/build-grammar.mjs; edit that file, not this one.",
  patterns: [
    { include: "#comments" },
    { include: "#strings" },
    { include: "#entity-declaration" },
    { include: "#kind-declaration" },
    { include: "#declarations" },
    { include: "#clauses" },
    { include: "#type-annotation" },
    { include: "#expression" },
  ],
  repository,
};

const text = JSON.stringify(grammar, null, 2) + "\n";
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(OUT, "utf8");
  } catch {
    // A missing file is reported as out of date below.
  }
  if (current !== text) {
    console.error(`${OUT} is out of date: run \`npm run build:grammar\``);
    process.exit(1);
  }
  console.log("grammar is up to date");
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}
