//! Syntax: the pest grammar (`grammar/arch.pest`), the AST it builds, a logos lexer used
//! by the formatter and for editor highlighting, and the [`lexicon`] of keywords and
//! operators that the grammar, the lexer and the editor grammars must agree on.

pub mod ast;
pub mod errors;
pub mod incremental;
pub mod lexer;
pub mod lexicon;
pub mod parser;
pub mod shift;

pub use incremental::ParseCache;
pub use parser::{is_plain_name, parse_file, parse_file_incremental, unquote_name, written_name};
