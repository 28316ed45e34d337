//! Syntax: the pest grammar (`grammar/arch.pest`), the AST it builds, and a logos lexer used
//! by the formatter and for editor highlighting.

pub mod ast;
pub mod errors;
pub mod incremental;
pub mod lexer;
pub mod parser;
pub mod shift;

pub use incremental::ParseCache;
pub use parser::{is_plain_name, parse_file, parse_file_incremental, unquote_name, written_name};
