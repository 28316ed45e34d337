//! Type (E03xx) and unit (E04xx) diagnostics, and the lowering limits the checker can see
//! before any data is loaded (E060x).

use crate::diagnostics::codes::CodeInfo;

/// Codes of link references `a -> b` (E0214, E0311, E0312).
pub use super::expr::links::CODES as LINK_CODES;
use crate::diagnostics::Diagnostic;
use crate::span::Span;

pub const CODES: &[CodeInfo] = &[
    CodeInfo { code: "E0301", title: "type mismatch", explanation: "An expression has a different type than its place needs: a constraint body must be a condition (`a <= b`), an objective must be a number, `if` needs a condition, arithmetic needs numbers.\n\nThe label shows the type found." },
    CodeInfo { code: "E0302", title: "wrong number of indices", explanation: "A param or decision is indexed with more or fewer indices than it declares: `replicas[s]` when it is declared `replicas[s in services, r in regions]`." },
    CodeInfo { code: "E0303", title: "index of the wrong set", explanation: "An index has a different kind of element than the declaration's set: `replicas[r, s]` with the region and the service swapped. The secondary label shows the declaration." },
    CodeInfo { code: "E0304", title: "not indexable", explanation: "Brackets `x[...]` index params and decisions declared with an index list. Scalars, sets and entities are used without brackets." },
    CodeInfo { code: "E0305", title: "decision where data is required", explanation: "A place that is evaluated before solving uses a decision: `where` filters, set definitions, param values, bounds of decisions, and the ranges of aggregates must depend on data only.\n\nMove the condition into the constraint body, where it becomes part of the model (`->` and `<->` lower logic over decisions)." },
    CodeInfo { code: "E0306", title: "wrong arguments", explanation: "A function is called with the wrong number or kind of arguments. Built-ins: `ceil`, `floor`, `round`, `abs` (one number), `min`/`max` (two or more numbers, or an aggregate `max(x in S) e`), `prev`/`next`/`ord` (an element of an ordered set), `first`/`last`/`card` (a set)." },
    CodeInfo { code: "E0307", title: "not a set", explanation: "An index binding `x in S` or an `in` test needs a set on its right side: a kind's set (`regions`), a `set` declaration, a range `1..10`, a literal `{a, b}` or a filter `{r in regions where ...}`." },
    CodeInfo { code: "E0308", title: "bad value for a declaration", explanation: "A param, attribute or bound has a value of the wrong type, for example a string for a number attribute." },
    CodeInfo { code: "E0320", title: "function calls too deep or too many", explanation: "Each call of a `fn` is expanded in place (its body is checked and evaluated with the arguments substituted). A chain of functions that call one another more than 64 deep, or calls that multiply (a function that calls the next one twice, 40 levels deep, would expand 2^40 bodies) past a million expansions in one model, is refused before the work is done.\n\n    fn f0(v: real) = f1(v) + f1(v)\n    fn f1(v: real) = f2(v) + f2(v)   // ... 40 levels: E0320\n\nFlatten the chain, or compute a value once (in a `param`) and read it where it is needed." },
    CodeInfo { code: "E0309", title: "recursive function", explanation: "Functions are inlined where they are called, so a function may not call itself, directly or through others." },
    CodeInfo { code: "E0310", title: "bad sign declaration", explanation: "`>= 0` after the type of an attribute or param (`cores: core >= 0`, `param demand[s in services]: core >= 0 from \"demand.csv\"`) declares that its values may not be negative: a data file cell below zero is then E0506, and so is a negative value written in the source. Only `>= 0` is allowed there, and only on numbers; other limits are constraints." },
    CodeInfo { code: "E0401", title: "cannot add quantities of different dimensions", explanation: "Both sides of `+` or `-` must measure the same thing: `core + core`, `Gbps + Mbps` (converted), never `ms + Gbps`.\n\nA plain number without unit is dimensionless; `x + 1` with `x` in `core` needs `x + 1 core`. The literal `0` fits any unit." },
    CodeInfo { code: "E0402", title: "cannot compare quantities of different dimensions", explanation: "The sides of a comparison (and of a constraint) must have the same dimension: `core <= core`, not `core <= GiB`.\n\nUsually a factor is missing, such as the cores per replica: `s.cores * replicas[s, r] <= r.cores`." },
    CodeInfo { code: "E0403", title: "unknown unit", explanation: "A unit name is not known. Built-in units include core, bit/byte with SI and binary prefixes (GB, GiB), bps (Gbps), s/ms/h/day, usd, W/kW, req/rps and percent. Declare new ones with `unit gpu` (a new base unit) or `unit rack = 42 core`.\n\nA name right after a number is read as a unit: `100 hours` means the unit `hours`; write `100 * hours` to multiply by a param." },
    CodeInfo { code: "E0404", title: "invalid unit expression", explanation: "A unit expression could not be read: units combine with `*`, `/` and integer powers `^2`, without spaces: `usd/core/h`, `GiB*h`." },
    CodeInfo { code: "E0405", title: "value has the wrong unit", explanation: "A value given for an attribute, param, default or bound has a different dimension than declared: `cores: 16 GiB` when `cores` is declared in `core`." },
    CodeInfo { code: "E0406", title: "unit declaration failed", explanation: "A `unit` declaration names a unit that exists already, or declares more new base units than archc supports (8)." },
    CodeInfo { code: "E0407", title: "exponent must be a plain integer", explanation: "Powers of quantities need a constant integer exponent, so that the unit is known: `x ^ 2`. A dimensionless base may take any exponent." },
    CodeInfo { code: "E0601", title: "product of two decisions", explanation: "A product of two decisions is not linear. archc linearises a product of a bool decision with a bounded decision (`present[s, r] * load[s, r]`); other products are rejected.\n\nRewrite with a bool decision, or fix one factor as data." },
    CodeInfo { code: "E0602", title: "division by a decision", explanation: "Dividing by a decision is not linear. Multiply both sides of the comparison instead: `x / y <= k` becomes `x <= k * y` when `y > 0`." },
];

pub fn type_mismatch(span: Span, expected: &str, found: &str) -> Diagnostic {
    Diagnostic::error("E0301", format!("expected {expected}, found {found}"))
        .primary(span, format!("this is {found}"))
}

pub fn cannot_add(op: &str, l: Span, lu: &str, r: Span, ru: &str) -> Diagnostic {
    let verb = if op == "-" { "subtract" } else { "add" };
    let (a, b) = if op == "-" { (ru, lu) } else { (lu, ru) };
    let msg = if op == "-" {
        format!("cannot {verb} `{a}` from `{b}`")
    } else {
        format!("cannot {verb} `{a}` and `{b}`")
    };
    Diagnostic::error("E0401", msg)
        .primary(l, format!("this is `{lu}`"))
        .secondary(r, format!("this is `{ru}`"))
        .help(
            "a sum needs one dimension; a factor may be missing (for example a rate times a time)",
        )
}

pub fn cannot_compare(l: Span, lu: &str, r: Span, ru: &str) -> Diagnostic {
    Diagnostic::error("E0402", format!("cannot compare `{lu}` with `{ru}`"))
        .primary(l, format!("this is `{lu}`"))
        .secondary(r, format!("this is `{ru}`"))
        .help("both sides need the same dimension; a factor may be missing")
}

pub fn unit_mismatch(
    span: Span,
    what: &str,
    expected: &str,
    found: &str,
    decl: Option<Span>,
) -> Diagnostic {
    let mut d = Diagnostic::error(
        "E0405",
        format!("{what} should be in `{expected}`, found `{found}`"),
    )
    .primary(span, format!("this is `{found}`"));
    if let Some(s) = decl {
        d = d.secondary(s, format!("declared in `{expected}`"));
    }
    d
}

pub fn needs_data(span: Span, place: &str) -> Diagnostic {
    Diagnostic::error("E0305", format!("{place} cannot depend on decisions"))
        .primary(span, "this depends on a decision")
        .help("move the condition into a constraint body")
}

pub fn product_of_decisions(span: Span, l: Span, r: Span) -> Diagnostic {
    Diagnostic::error("E0601", "product of two decisions is not linear")
        .primary(span, "this product")
        .secondary(l, "depends on a decision")
        .secondary(r, "depends on a decision")
        .help("one factor must be data, or a bool decision times a bounded decision")
}
