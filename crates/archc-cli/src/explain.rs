//! `archc explain CODE`: the long text of a diagnostic code.

use super::exit;
use archc::diagnostics::codes;

pub fn run(code: Option<&str>) -> i32 {
    match code {
        None => {
            let mut text = String::new();
            for c in codes::all() {
                text.push_str(&format!("{}  {}\n", c.code, c.title));
            }
            match crate::output::write_stdout(&text) {
                Ok(()) => exit::OK,
                Err(code) => code,
            }
        }
        Some(code) => match codes::lookup(code) {
            Some(c) => {
                let text = format!("{}: {}\n\n{}\n", c.code, c.title, c.explanation);
                match crate::output::write_stdout(&text) {
                    Ok(()) => exit::OK,
                    Err(code) => code,
                }
            }
            None => {
                eprintln!("error: unknown code `{code}`; `archc explain` lists them all");
                exit::USAGE
            }
        },
    }
}
