//! Type (E03xx) and unit (E04xx) diagnostics, and the lowering limits the checker can see
//! before any data is loaded (E060x).

use crate::diagnostics::Code;
/// Codes of link references `a -> b` (E0214, E0311, E0312).
use crate::diagnostics::Diagnostic;
use crate::span::Span;

pub fn type_mismatch(span: Span, expected: &str, found: &str) -> Diagnostic {
    Diagnostic::error(Code::E0301, format!("expected {expected}, found {found}"))
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
    Diagnostic::error(Code::E0401, msg)
        .primary(l, format!("this is `{lu}`"))
        .secondary(r, format!("this is `{ru}`"))
        .help(
            "a sum needs one dimension; a factor may be missing (for example a rate times a time)",
        )
}

pub fn cannot_compare(l: Span, lu: &str, r: Span, ru: &str) -> Diagnostic {
    Diagnostic::error(Code::E0402, format!("cannot compare `{lu}` with `{ru}`"))
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
        Code::E0405,
        format!("{what} should be in `{expected}`, found `{found}`"),
    )
    .primary(span, format!("this is `{found}`"));
    if let Some(s) = decl {
        d = d.secondary(s, format!("declared in `{expected}`"));
    }
    d
}

pub fn needs_data(span: Span, place: &str) -> Diagnostic {
    Diagnostic::error(Code::E0305, format!("{place} cannot depend on decisions"))
        .primary(span, "this depends on a decision")
        .help("move the condition into a constraint body")
}

pub fn product_of_decisions(span: Span, l: Span, r: Span) -> Diagnostic {
    Diagnostic::error(Code::E0601, "product of two decisions is not linear")
        .primary(span, "this product")
        .secondary(l, "depends on a decision")
        .secondary(r, "depends on a decision")
        .help("one factor must be data, or a bool decision times a bounded decision")
}
