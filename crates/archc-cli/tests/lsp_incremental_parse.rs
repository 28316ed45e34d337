//! The incremental parse the language server runs after each edit must give exactly the
//! AST and the diagnostics of a parse from scratch: over every `.arch` file of the
//! repository, and over chains of random edits of them (each parse reusing the items of
//! the one before).

use archc::span::FileId;
use archc::syntax::{parse_file, parse_file_incremental, ParseCache};
use std::path::{Path, PathBuf};

fn arch_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() && name != "target" && !name.starts_with('.') {
            arch_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "arch") {
            out.push(p);
        }
    }
}

fn corpus() -> Vec<(PathBuf, String)> {
    let root = archc_root();
    let mut files = Vec::new();
    for dir in ["examples", "stdlib", "crates", "docs", "editors"] {
        arch_files(&root.join(dir), &mut files);
    }
    files.sort();
    let out: Vec<_> = files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect();
    assert!(out.len() > 50, "expected the repository's .arch files");
    out
}

/// Parse `text` with the cache and from scratch, and fail when they differ.
fn check_same(what: &str, text: &str, cache: &mut ParseCache) {
    let file = FileId(3);
    let full = parse_file(file, text);
    let incremental = parse_file_incremental(file, text, cache);
    assert!(
        full == incremental,
        "incremental parse differs from a full parse: {what}\n--- text ---\n{text}\n--- full ---\n{full:#?}\n--- incremental ---\n{incremental:#?}"
    );
}

/// A small deterministic random generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces an edit inserts: tokens that can join, split or break items.
const PIECES: &[&str] = &[
    "1",
    "x",
    " ",
    "\n",
    "\n\n",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "=",
    "+",
    "*",
    "/",
    "//",
    "/// doc\n",
    "\nparam p: real = 2\n",
    "\nconstraint c: x <= 1\n",
    " core",
    "param ",
    "kind ",
    "site s9 { cores: 1 core }\n",
    "not in ",
    "where ",
    "sum(a in apps) ",
    "\"",
    "\t",
    "decide ",
    "-",
];

fn random_edit(rng: &mut Rng, text: &str) -> String {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut out = text[..at].to_string();
    let mut rest = &text[at..];
    match rng.below(3) {
        // Insert a piece.
        0 => out.push_str(PIECES[rng.below(PIECES.len())]),
        // Delete a few characters.
        1 => {
            let n = rng.below(8).min(rest.len());
            let mut cut = n;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            rest = &rest[cut..];
        }
        // Replace one character.
        _ => {
            if let Some(c) = rest.chars().next() {
                rest = &rest[c.len_utf8()..];
            }
            out.push_str(PIECES[rng.below(PIECES.len())]);
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn incremental_parse_of_every_file_matches_a_full_parse() {
    for (path, text) in corpus() {
        let mut cache = ParseCache::new();
        let what = path.display().to_string();
        check_same(&what, &text, &mut cache);
        // Everything reused the second time round.
        check_same(&what, &text, &mut cache);
        assert_eq!(
            cache.parsed, 0,
            "{what}: a parse of unchanged text parsed again"
        );
    }
}

#[test]
fn incremental_parse_after_random_edits_matches_a_full_parse() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut reused = 0;
    for (path, original) in corpus() {
        let mut cache = ParseCache::new();
        let mut text = original.clone();
        check_same(&path.display().to_string(), &text, &mut cache);
        for step in 0..25 {
            text = random_edit(&mut rng, &text);
            let what = format!("{} after {} edits", path.display(), step + 1);
            check_same(&what, &text, &mut cache);
            reused += cache.reused;
        }
    }
    assert!(
        reused > 1000,
        "the cache was hardly used ({reused} items reused)"
    );
}

#[test]
fn moved_items_get_moved_spans() {
    let mut cache = ParseCache::new();
    let before = "param a: real = 1\nparam b: real = 2\n";
    let after = "param a: real = 10\nparam b: real = 2\n";
    let _ = parse_file_incremental(FileId(0), before, &mut cache);
    let (file, diags) = parse_file_incremental(FileId(0), after, &mut cache);
    assert!(diags.is_empty());
    assert_eq!(cache.reused, 1);
    assert_eq!(cache.parsed, 1);
    let b = &file.items[1];
    assert_eq!(after[b.span.range()].trim_end(), "param b: real = 2");
    assert_eq!(file, parse_file(FileId(0), after).0);
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}
