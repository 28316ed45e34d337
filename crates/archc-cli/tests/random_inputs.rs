//! Robustness: broken and random inputs give diagnostics, never a panic.
//!
//! A deterministic generator (xorshift with a fixed seed, no extra dependencies) mutates the
//! sources of the fixtures, examples and stdlib (deleting, inserting, duplicating and
//! swapping tokens and bytes, truncating, inserting unicode, wrapping in parentheses) and
//! also makes pure token soups. Each input is parsed, checked and instantiated (relative data
//! paths resolve against the original file's folder, so data loading runs too) inside
//! `catch_unwind`; a panic fails the test with the offending input printed.

use archc::analysis::AnalyzeOptions;
use archc::driver::analyze_source;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// Words and operators of the language, from its one lexicon.
fn lexicon_tokens() -> impl Iterator<Item = &'static str> {
    use archc::syntax::lexicon::{
        AGGREGATES, BUILTIN_KINDS, CONTEXTUAL_WORDS, KEYWORDS, OPERATORS,
    };
    [
        KEYWORDS,
        CONTEXTUAL_WORDS,
        AGGREGATES,
        BUILTIN_KINDS,
        OPERATORS,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// Tokens that random inputs are made of: the lexicon's words and operators, and names,
/// numbers, literals and punctuation as models write them.
static TOKENS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut v: Vec<&'static str> = lexicon_tokens().collect();
    v.extend(MODEL_TOKENS);
    v
});

const MODEL_TOKENS: &[&str] = &[
    "std.infra",
    "prev",
    "first",
    "last",
    "card",
    "ceil",
    "regions",
    "services",
    "links",
    "us-east",
    "eu-west",
    "r",
    "s",
    "q",
    "x",
    "cores",
    "replicas",
    "price",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "0",
    "1",
    "42",
    "1e999",
    "0.5",
    "40_000 core",
    "2027Q1",
    "2027Q9",
    "730 h",
    "usd/core/h",
    "Gbps",
    "\"\"",
    "\"data/x.csv\"",
    "`",
    "`1a`",
    "`in`",
    "`eu west`",
    "us-east->eu-west",
    ">= 0",
    "\"a\\\"b\"",
    "///",
    "//",
    "\n",
    " ",
    "é",
    "\u{feff}",
    "𝔸",
    "\t",
    "_",
];

const UNICODE: &[&str] = &[
    "é", "ß", "→", "𝔸", "\u{200b}", "\u{feff}", "中", "\u{0301}", "🦀",
];

/// Split into tokens: runs of identifier characters, runs of spaces, single other chars.
fn tokenize(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_word = false;
    for c in text.chars() {
        let word = c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
        if !cur.is_empty() && (word != cur_word || !word) {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        cur_word = word;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One random mutation of `src`.
fn mutate(rng: &mut Rng, src: &str) -> String {
    let mut toks = tokenize(src);
    match rng.below(11) {
        0 if !toks.is_empty() => {
            let n = 1 + rng.below(3);
            for _ in 0..n {
                if !toks.is_empty() {
                    let i = rng.below(toks.len());
                    toks.remove(i);
                }
            }
        }
        1 => {
            let i = rng.below(toks.len() + 1);
            toks.insert(i, rng.pick(&TOKENS).to_string());
        }
        2 if !toks.is_empty() => {
            let i = rng.below(toks.len());
            let len = 1 + rng.below(8).min(toks.len() - i - 1);
            let dup: Vec<String> = toks[i..i + len].to_vec();
            let at = rng.below(toks.len() + 1);
            toks.splice(at..at, dup);
        }
        3 if toks.len() > 1 => {
            let (a, b) = (rng.below(toks.len()), rng.below(toks.len()));
            toks.swap(a, b);
        }
        4 => {
            // Byte-level: delete or replace one byte (lossily re-read as UTF-8).
            let mut bytes = src.as_bytes().to_vec();
            if !bytes.is_empty() {
                let i = rng.below(bytes.len());
                if rng.below(2) == 0 {
                    bytes.remove(i);
                } else {
                    bytes[i] = (rng.next() & 0xff) as u8;
                }
            }
            return String::from_utf8_lossy(&bytes).into_owned();
        }
        5 => {
            let cut = floor_boundary(src, rng.below(src.len() + 1));
            return src[..cut].to_string();
        }
        6 => {
            let at = floor_boundary(src, rng.below(src.len() + 1));
            return format!("{}{}{}", &src[..at], rng.pick(UNICODE), &src[at..]);
        }
        7 => {
            // Wrap a token in a few parentheses or brackets.
            let depth = 1 + rng.below(3);
            let (open, close) = rng.pick(&[("(", ")"), ("[", "]"), ("{", "}")]);
            let i = rng.below(toks.len() + 1);
            let j = (i + rng.below(4)).min(toks.len());
            toks.insert(j, close.repeat(depth));
            toks.insert(i, open.repeat(depth));
        }
        8 if !toks.is_empty() => {
            // Replace a number-looking token with an extreme value.
            let i = rng.below(toks.len());
            toks[i] = rng
                .pick(&[
                    "0",
                    "-0",
                    "1e308",
                    "1e-320",
                    "99999999999999999999",
                    "2027Q0",
                ])
                .to_string();
        }
        9 => {
            // Two mutations in a row.
            let once = mutate(rng, src);
            return mutate(rng, &once);
        }
        _ => {
            let i = rng.below(toks.len() + 1);
            for _ in 0..1 + rng.below(5) {
                toks.insert(i, rng.pick(&TOKENS).to_string());
                toks.insert(i, " ".to_string());
            }
        }
    }
    toks.concat()
}

fn soup(rng: &mut Rng) -> String {
    let n = rng.below(60);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(rng.pick(&TOKENS));
        if rng.below(3) > 0 {
            s.push(' ');
        }
    }
    s
}

fn seeds() -> Vec<(PathBuf, String)> {
    let root = archc_root();
    let mut files = Vec::new();
    for dir in ["crates/archc-cli/tests/fixtures", "examples", "stdlib"] {
        collect(&root.join(dir), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "arch") {
            out.push(p);
        }
    }
}

/// Run one input through the whole front end; `Err` holds the panic message.
fn run(name: &str, text: &str, base: &Path) -> Result<usize, String> {
    let options = AnalyzeOptions {
        instantiate: true,
        ..Default::default()
    };
    catch_unwind(AssertUnwindSafe(|| {
        let a = analyze_source(name, text, Some(base), &options);
        // Rendering must not panic either.
        for d in &a.diagnostics {
            let _ = archc::diagnostics::render::render_plain(d, &a.sources, 100);
        }
        a.diagnostics.len()
    }))
    .map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "non-string panic".into())
    })
}

fn quiet_panics<T>(f: impl FnOnce() -> T) -> T {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(prev);
    out
}

/// Run `f` on a thread with a main thread's stack (8 MiB), as the CLI has. Deep nesting is
/// tested separately (see [`deep_nesting_does_not_overflow_the_stack`]).
fn on_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

#[test]
fn mutated_sources_never_panic() {
    on_big_stack(mutated_sources);
}

fn mutated_sources() {
    let seeds = seeds();
    assert!(seeds.len() > 20);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut failures = Vec::new();
    let mut with_errors = 0usize;
    quiet_panics(|| {
        for round in 0..2500 {
            let (path, src) = &seeds[round % seeds.len()];
            let input = mutate(&mut rng, src);
            let base = path.parent().unwrap_or(Path::new("."));
            match run("mutant.arch", &input, base) {
                Ok(n) => with_errors += usize::from(n > 0),
                Err(msg) => failures.push(format!(
                    "round {round} (from {}): panic `{msg}` on input:\n{input}\n",
                    path.display()
                )),
            }
        }
    });
    // The mutations must actually break things most of the time.
    assert!(
        with_errors > 1000,
        "only {with_errors} inputs gave diagnostics"
    );
    assert!(
        failures.is_empty(),
        "{} panics; first:\n{}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n")
    );
}

#[test]
fn token_soups_never_panic() {
    on_big_stack(token_soups);
}

fn token_soups() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut failures = Vec::new();
    quiet_panics(|| {
        for round in 0..1500 {
            let input = soup(&mut rng);
            if let Err(msg) = run("soup.arch", &input, &base) {
                failures.push(format!("round {round}: panic `{msg}` on input:\n{input}\n"));
            }
        }
    });
    assert!(
        failures.is_empty(),
        "{} panics; first:\n{}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n")
    );
}

#[test]
fn generator_is_deterministic_and_mutates() {
    let src = "param hours: h = 730 h\n";
    let a: Vec<String> = {
        let mut r = Rng(7);
        (0..50).map(|_| mutate(&mut r, src)).collect()
    };
    let b: Vec<String> = {
        let mut r = Rng(7);
        (0..50).map(|_| mutate(&mut r, src)).collect()
    };
    assert_eq!(a, b);
    assert!(a.iter().filter(|m| m.as_str() != src).count() > 40);
}

/// Nesting depth that a model may reasonably reach; deeper input must give a diagnostic, not
/// a stack overflow. Runs in a child process, since an overflow aborts the whole process.
const DEEP: usize = 200;

#[test]
fn deep_nesting_child() {
    if std::env::var_os("ARCHC_DEEP_NESTING_CHILD").is_none() {
        return;
    }
    on_big_stack(deep_nesting);
}

fn deep_nesting() {
    for (open, close) in [("(", ")"), ("-", ""), ("not ", "")] {
        let text = format!(
            "param p: real = {}1{}\n",
            open.repeat(DEEP),
            close.repeat(DEEP)
        );
        let base = archc_root();
        let _ = run("deep.arch", &text, base);
    }
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let exe = std::env::current_exe().expect("test binary path");
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "random_inputs::deep_nesting_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("ARCHC_DEEP_NESTING_CHILD", "1")
        .output()
        .expect("run the child test");
    assert!(
        out.status.success(),
        "analysing {DEEP} nested parentheses / minus signs crashed the process:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}
