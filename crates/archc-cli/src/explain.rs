//! `archc explain CODE`: the long text of a diagnostic code.

use super::exit;
use archc::diagnostics::codes;

pub fn run(code: Option<&str>) -> i32 {
    match code {
        None => {
            for c in codes::all() {
                println!("{}  {}", c.code, c.title);
            }
            exit::OK
        }
        Some(code) => match codes::lookup(code) {
            Some(c) => {
                println!("{}: {}\n\n{}", c.code, c.title, c.explanation);
                exit::OK
            }
            None => {
                eprintln!("error: unknown code `{code}`; `archc explain` lists them all");
                exit::USAGE
            }
        },
    }
}
