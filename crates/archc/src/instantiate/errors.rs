//! Lowering diagnostics found while expanding the model over its data (E06xx).

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::Span;

/// E0632: an index list of `decl` would enumerate `tuples` tuples, past `limit`.
pub fn too_many_tuples(span: Span, decl: &str, tuples: u128, limit: u64) -> Diagnostic {
    let what = if decl.is_empty() {
        "an index".to_string()
    } else {
        format!("`{decl}`")
    };
    Diagnostic::error(
        Code::E0632,
        format!("{what} would enumerate {tuples} index tuples"),
    )
    .primary(
        span,
        format!("{tuples} tuples, more than the limit of {limit}"),
    )
    .help("filter the index with `where` conditions that join its variables, or narrow its sets")
}
