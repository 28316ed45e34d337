//! The inputs a command is given: `-` for stdin, files, and directories walked for `.arch`
//! files. Walks respect `.gitignore` (and `.ignore`), skip hidden entries, and never follow
//! a symbolic link (so they cannot leave the tree or loop). A path that does not exist is an
//! error reported the same way by every command (exit 1, like a model error).

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::driver::{analyze, analyze_source};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One input of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// `-`: the model text is read from stdin.
    Stdin,
    File(PathBuf),
}

/// The name under which a model read from stdin appears in messages.
pub const STDIN_NAME: &str = "<stdin>";

impl Input {
    /// The name shown in messages.
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => STDIN_NAME.to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// `-` is stdin, anything else a path.
pub fn input_of(path: &Path) -> Input {
    if path == Path::new("-") {
        Input::Stdin
    } else {
        Input::File(path.to_path_buf())
    }
}

/// Print the error for a path that cannot be read (every command the same way).
pub fn report_unreadable(path: &Path, e: &std::io::Error) {
    eprintln!("error: cannot read `{}`: {e}", path.display());
}

/// Expand the paths of a command: directories become the `.arch` files below them (sorted),
/// `-` stays stdin (once). Missing paths are reported; the second value is false when any
/// was.
pub fn expand(paths: &[PathBuf]) -> (Vec<Input>, bool) {
    let mut out = Vec::new();
    let mut ok = true;
    for p in paths {
        if p == Path::new("-") {
            if !out.contains(&Input::Stdin) {
                out.push(Input::Stdin);
            }
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => out.extend(walk(p).into_iter().map(Input::File)),
            Ok(_) => out.push(Input::File(p.clone())),
            Err(e) => {
                report_unreadable(p, &e);
                ok = false;
            }
        }
    }
    (out, ok)
}

/// The `.arch` files below `dir`, sorted; symbolic links are not followed.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .follow_links(false)
        .require_git(false)
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                eprintln!("warning: {e}");
                continue;
            }
        };
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        if is_file && entry.path().extension().and_then(|e| e.to_str()) == Some("arch") {
            files.push(entry.into_path());
        }
    }
    files.sort();
    files
}

/// Read all of stdin.
pub fn read_stdin() -> std::io::Result<String> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    Ok(text)
}

/// Analyse an input: a file through the normal path, stdin as a model in the current
/// folder (relative `use` and data paths resolve there).
pub fn analyze_input(input: &Input, options: &AnalyzeOptions) -> Result<Analysis, i32> {
    match input {
        Input::File(p) => Ok(analyze(p, options)),
        Input::Stdin => {
            let text = read_stdin().map_err(|e| {
                eprintln!("error: cannot read stdin: {e}");
                crate::exit::MODEL_ERROR
            })?;
            let base = std::env::current_dir().ok();
            Ok(analyze_source(STDIN_NAME, &text, base.as_deref(), options))
        }
    }
}
