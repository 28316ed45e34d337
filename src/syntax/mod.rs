//! Syntax: the pest grammar (`grammar/arch.pest`), the AST it builds, and a logos lexer used
//! by the formatter and for editor highlighting.

pub mod ast;
pub mod errors;
pub mod lexer;
pub mod parser;

pub use parser::parse_file;
