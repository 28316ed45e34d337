//! The `archc` binary. A minimal dispatcher: `archc lsp` runs the language server and
//! `archc fmt [--check] FILES` formats files.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("lsp") => archc::lsp::run_stdio(),
        Some("fmt") => {
            let check = args[1..].iter().any(|a| a == "--check");
            let paths: Vec<PathBuf> = args[1..]
                .iter()
                .filter(|a| *a != "--check")
                .map(PathBuf::from)
                .collect();
            archc::fmt::run_cli(&paths, check)
        }
        _ => {
            eprintln!("usage: archc lsp | archc fmt [--check] FILES");
            2
        }
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
