//! The shell sessions shown in `docs/*.md` stay true. A fenced block whose info string starts
//! with `console` is run against the `archc` binary: each `$ COMMAND` line runs in `sh` from
//! a scratch folder holding a copy of `docs/examples/` (so `--out` and `test --update` write
//! nothing into the checkout), with `archc` on the `PATH`, stderr merged into stdout, and the
//! lines after it up to the next `$` are its expected output. Words after `console` set the
//! last command's exit code (`exit=1`, 0 otherwise) and the folder it runs in
//! (`cwd=docs/examples/planning`, relative to the scratch root), and files put in place
//! before the first command (`copy=SRC:DEST`, a file or a folder, both relative to the
//! scratch root, any number: the tutorial's `my-model/` at each step). Solve times are masked
//! (`time: 3 ms` reads `time: N ms` on both sides). The outputs were written for the default
//! solver (microlp), which the commands run with in every build (`ARCHC_SOLVER=microlp`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One `console` block: where it is, its commands with their expected outputs, and the
/// settings of its info string.
struct Session {
    place: String,
    steps: Vec<(String, String)>,
    exit: i32,
    cwd: String,
    /// (source, destination) to copy before the first command.
    copies: Vec<(String, String)>,
}

fn sessions(file: &Path) -> Vec<Session> {
    let text = std::fs::read_to_string(file).expect("read docs page");
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```console") else {
            continue;
        };
        let mut s = Session {
            place: format!("{name}:{}", n + 1),
            steps: Vec::new(),
            exit: 0,
            cwd: ".".into(),
            copies: Vec::new(),
        };
        for word in info.split_whitespace() {
            if let Some(v) = word.strip_prefix("exit=") {
                s.exit = v.parse().expect("exit=N");
            } else if let Some(v) = word.strip_prefix("cwd=") {
                s.cwd = v.to_string();
            } else if let Some(v) = word.strip_prefix("copy=") {
                let (from, to) = v.split_once(':').expect("copy=SRC:DEST");
                s.copies.push((from.to_string(), to.to_string()));
            }
        }
        for (_, line) in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            match line.strip_prefix("$ ") {
                Some(cmd) => s.steps.push((cmd.to_string(), String::new())),
                None => {
                    let (_, expected) = s.steps.last_mut().expect("a block starts with `$ `");
                    expected.push_str(line);
                    expected.push('\n');
                }
            }
        }
        out.push(s);
    }
    out
}

/// `time: 12 ms` and `time: 1,269 ms` read `time: N ms`.
fn mask_time(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("time: ") {
            Some(i) => {
                let rest = &line[i + 6..];
                let digits = rest
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ',')
                    .count();
                format!("{}time: N{}", &line[..i], &rest[digits..])
            }
            None => line.to_string(),
        })
        .map(|l| l.trim_end().to_string() + "\n")
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let p = e.path();
        let target = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}

#[test]
fn console_blocks_in_the_docs_print_what_they_show() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_archc"));
    let bin_dir = bin.parent().expect("binary folder").to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    let mut ran = 0;
    for page in pages {
        for s in sessions(&page) {
            let scratch = tempfile::tempdir().expect("tempdir");
            copy_dir(
                &root().join("docs/examples"),
                &scratch.path().join("docs/examples"),
            );
            for (from, to) in &s.copies {
                let (from, to) = (scratch.path().join(from), scratch.path().join(to));
                if from.is_dir() {
                    copy_dir(&from, &to);
                } else {
                    std::fs::create_dir_all(to.parent().expect("a folder")).expect("mkdir");
                    std::fs::copy(&from, &to)
                        .unwrap_or_else(|e| panic!("{}: copy {}: {e}", s.place, from.display()));
                }
            }
            let cwd = scratch.path().join(&s.cwd);
            let last = s.steps.len().saturating_sub(1);
            for (k, (cmd, expected)) in s.steps.iter().enumerate() {
                let o = Command::new("sh")
                    .arg("-c")
                    .arg(format!("{cmd} 2>&1"))
                    .current_dir(&cwd)
                    .env("PATH", &path)
                    .env("COLUMNS", "100")
                    .env("NO_COLOR", "1")
                    .env("ARCHC_SOLVER", "microlp")
                    .output()
                    .expect("sh runs");
                let got = String::from_utf8_lossy(&o.stdout);
                let want_exit = if k == last { s.exit } else { 0 };
                assert_eq!(
                    o.status.code(),
                    Some(want_exit),
                    "{}: `$ {cmd}` exit code\n{got}",
                    s.place
                );
                let (got, want) = (mask_time(&got), mask_time(expected));
                if got != want {
                    let diff = similar::TextDiff::from_lines(&want, &got);
                    panic!(
                        "{}: `$ {cmd}` prints something else than the docs show \
                         (- docs, + archc):\n{}",
                        s.place,
                        diff.unified_diff()
                    );
                }
                ran += 1;
            }
        }
    }
    assert!(ran >= 12, "only {ran} documented commands found");
}
