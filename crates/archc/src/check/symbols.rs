//! The names a checked model declares and where each is used, for hover, outline, go to
//! definition and rename. The checker fills them in; the analysis keeps them.

use crate::span::Span;
use serde::Serialize;

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    Module,
    Unit,
    Kind,
    Attribute,
    Entity,
    Set,
    Param,
    Decision,
    Constraint,
    Objective,
    Function,
    Template,
    IndexVar,
    Plan,
    Test,
}

/// Index into the analysis' list of symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SymbolId(pub u32);

/// A declared name, for hover, outline, go to definition and rename.
#[derive(Clone, Debug, Serialize)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The span of the name in its declaration.
    pub span: Span,
    /// The span of the whole declaration.
    pub decl_span: Span,
    pub doc: Option<String>,
    /// One line such as `param hours: h = 730 h` or `decide flow[l in links]: real Gbps`.
    pub detail: String,
    /// For params: the value (scalar) or a summary; for decisions and constraints: how many
    /// columns / rows they instantiate to, e.g. "1,200 columns".
    pub info: Option<String>,
}

/// A use of a symbol at a span.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Reference {
    pub span: Span,
    pub symbol: SymbolId,
}
