//! Long chains of one operator, as generated models write them, through the `archc` binary
//! with its default stack: 100,000 terms of `+`, `*`, `and`, `or`, `^`, `->`, `<->` and
//! `if ... else if ...` check, solve to the right answer, and format, without overflowing
//! the stack (each used to abort with exit 134 at a few hundred to a few thousand terms).
//! True nesting (brackets, calls, aggregates in aggregates, `if` in a branch, negated
//! exponents) one level past `MAX_NESTING` is E0105 at its span in `check`, `solve` and
//! `fmt` alike, and at 100,000 levels too; at the limit it is accepted.

use std::path::PathBuf;
use std::process::{Command, Output};

const TERMS: usize = 100_000;

fn archc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(args)
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .output()
        .expect("archc runs")
}

/// Write `text` to a file named after the test in a fresh folder; the folder goes when
/// the returned guard is dropped.
fn model(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("archc-depth-")
        .tempdir()
        .expect("temp dir");
    let path = dir.path().join(format!("{name}.arch"));
    std::fs::write(&path, text).expect("write model");
    (dir, path)
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `archc check` passes and `archc solve` reports `minimize cost = {want}`.
fn checks_and_solves(name: &str, source: &str, want: &str) {
    let (_dir, path) = model(name, source);
    let p = path.to_str().expect("utf-8 path");
    let check = archc(&["check", p]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "check {name}: {}",
        text(&check)
    );
    let solve = archc(&["solve", p]);
    assert_eq!(
        solve.status.code(),
        Some(0),
        "solve {name}: {}",
        text(&solve)
    );
    let out = String::from_utf8_lossy(&solve.stdout);
    assert!(
        out.lines()
            .any(|l| l.trim() == format!("minimize cost = {want}")),
        "solve {name}: expected cost {want}\n{}",
        text(&solve)
    );
}

/// `n` copies of `term` joined by `op`.
fn run_of(term: &str, op: &str, n: usize) -> String {
    vec![term; n].join(&format!(" {op} "))
}

#[test]
fn sum_of_100k_ones_in_data() {
    let src = format!(
        "param n: int = {}\ndecide x: int >= 0 <= 1000000\nconstraint c: x >= n\nminimize cost: x\n",
        run_of("1", "+", TERMS)
    );
    checks_and_solves("sum_data", &src, "100,000");
}

#[test]
fn sum_and_difference_of_100k_decision_terms() {
    // x + x + x - x + ...: every fourth sign is a minus.
    let mut body = String::from("x");
    let mut coef: i64 = 1;
    for i in 1..TERMS {
        if i % 4 == 0 {
            body.push_str(" - x");
            coef -= 1;
        } else {
            body.push_str(" + x");
            coef += 1;
        }
    }
    // coef * x >= 5 * coef - 1 needs x = 5.
    let src = format!(
        "decide x: int >= 0 <= 100\nconstraint c: {body} >= {}\nminimize cost: x\n",
        5 * coef - 1
    );
    checks_and_solves("sum_decisions", &src, "5");
}

#[test]
fn product_of_100k_factors_with_a_decision() {
    let src = format!(
        "decide x: int >= 0 <= 100\nconstraint c: {} * x >= 7\nminimize cost: x\n",
        run_of("1", "*", TERMS)
    );
    checks_and_solves("product", &src, "7");
}

#[test]
fn power_chain_of_100k() {
    // Grouped from the right: 2 ^ (1 ^ (1 ^ ...)) = 2.
    let src = format!(
        "param p: real = 2 ^ {}\ndecide x: real >= 0 <= 10\nconstraint c: x >= p\nminimize cost: x\n",
        run_of("1", "^", TERMS)
    );
    checks_and_solves("power", &src, "2");
}

#[test]
fn implication_chain_of_100k() {
    // true -> ... -> true -> false is false, so the `else` branch holds.
    let src = format!(
        "param t: bool = {} -> false\ndecide x: int >= 0 <= 10\nconstraint c: x >= if t then 3 else 5\nminimize cost: x\n",
        run_of("true", "->", TERMS)
    );
    checks_and_solves("implies", &src, "5");
}

#[test]
fn implication_chain_of_100k_over_decisions() {
    // b -> b -> ... -> b holds whatever b is; with `b` forced true, x >= 2 * b costs 2.
    let src = format!(
        "decide b: bool\ndecide x: int >= 0 <= 10\nconstraint c: {}\nconstraint d: b\nconstraint e: x >= 2 * b\nminimize cost: x\n",
        run_of("b", "->", TERMS)
    );
    checks_and_solves("implies_decisions", &src, "2");
}

#[test]
fn and_or_iff_chains_of_100k() {
    let src = format!(
        "param a: bool = {}\nparam o: bool = {} or true\nparam e: bool = {}\ndecide x: int >= 0 <= 10\nconstraint c: x >= if a and o and e then 4 else 6\nminimize cost: x\n",
        run_of("true", "and", TERMS),
        run_of("false", "or", TERMS),
        // An even number of `false <-> ...` links: true.
        run_of("false", "<->", TERMS + 1).replacen("false", "true", 1),
    );
    checks_and_solves("logic", &src, "4");
}

#[test]
fn else_if_chain_of_100k() {
    let arms: Vec<String> = (0..TERMS)
        .map(|i| format!("if k == {i} then {}", 2 * i))
        .collect();
    let src = format!(
        "param k: int = 77777\nparam v: int = {} else 0\ndecide x: int >= 0 <= 1000000\nconstraint c: x >= v\nminimize cost: x\n",
        arms.join(" else ")
    );
    checks_and_solves("else_if", &src, "155,554");
}

#[test]
fn else_if_chain_over_decisions() {
    // The first arm whose condition holds counts: with y = 2, v is 20 however many arms.
    let arms: Vec<String> = (0..200)
        .map(|i| format!("if y == {i} then {}", 10 * i))
        .collect();
    let src = format!(
        "decide y: int >= 2 <= 3\ndecide x: int >= 0 <= 100000\nconstraint c: x >= {} else 7\nminimize cost: x + 100 * y\n",
        arms.join(" else ")
    );
    checks_and_solves("else_if_decisions", &src, "220");
}

#[test]
fn formatting_a_100k_chain() {
    use std::io::Write;
    let src = format!("param n: int = {}\n", run_of("1", "+", TERMS));
    let mut child = Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("archc runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(src.as_bytes())
        .expect("write stdin");
    let o = child.wait_with_output().expect("archc ends");
    assert_eq!(o.status.code(), Some(0), "fmt: {}", text(&o));
    // Already in the canonical layout: formatting keeps it as it is.
    assert!(o.stdout == src.as_bytes(), "fmt changed the chain");
}

const LIMIT: usize = archc::syntax::parser::MAX_NESTING;

/// The forms of true nesting: `open` repeated `n` times, `inner`, `close` repeated.
const NESTINGS: [(&str, &str, &str, &str); 6] = [
    ("parens", "(", "1", ")"),
    ("calls", "abs(", "1", ")"),
    ("sums", "sum(i in s) ", "1", ""),
    ("if_in_then", "if k > 0 then ", "1", " else 2"),
    ("if_in_condition", "if ", "k > 0", " then true else false"),
    ("negated_powers", "1 ^ -", "1", ""),
];

fn nested_model(form: usize, n: usize) -> String {
    let (_, open, inner, close) = NESTINGS[form];
    let ty = if NESTINGS[form].0 == "if_in_condition" {
        "bool"
    } else {
        "real"
    };
    format!(
        "set s = 1..1\nparam k: int = 1\nparam p: {ty} = {}{inner}{}\ndecide x: int >= 0 <= 1\nminimize cost: x\n",
        open.repeat(n),
        close.repeat(n)
    )
}

#[test]
fn nesting_at_the_limit_is_accepted() {
    for (i, (name, ..)) in NESTINGS.iter().enumerate() {
        let (_dir, path) = model(&format!("limit_{name}"), &nested_model(i, LIMIT));
        let o = archc(&["check", path.to_str().expect("utf-8 path")]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name} at the limit: {}",
            text(&o)
        );
    }
}

#[test]
fn nested_calls_parse_once_per_level() {
    // Each call argument used to be parsed twice (as a range, then as an expression), so
    // the time doubled with every level: 40 levels took hours. Now it is one parse per
    // level, and the value is right.
    let n = 40;
    let src = format!(
        "param p: real = {}-7{}\ndecide x: real >= 0 <= 100\nconstraint c: x >= p\nminimize cost: x\n",
        "abs(".repeat(n),
        ")".repeat(n)
    );
    checks_and_solves("abs_40", &src, "7");
    let src = format!(
        "param p: real = {}3{}\ndecide x: real >= 0 <= 100\nconstraint c: x >= p\nminimize cost: x\n",
        "max(1, ".repeat(n),
        ")".repeat(n)
    );
    checks_and_solves("max_40", &src, "3");
}

#[test]
fn an_if_between_conditions_is_a_condition() {
    // `if c then true else false` is a bool (it was typed as an int, E0308/E0301).
    let src = "param k: int = 1\nparam b: bool = if k > 0 then false else true\n\
        param p: real = if (if b then true else k > 0) then 5 else 9\n\
        decide x: real >= 0 <= 100\nconstraint c: x >= p\nminimize cost: x\n";
    checks_and_solves("if_bool", src, "5");
}

#[test]
fn nesting_past_the_limit_is_e0105_in_every_command() {
    for (i, (name, open, ..)) in NESTINGS.iter().enumerate() {
        for n in [LIMIT + 1, 100_000] {
            let (_dir, path) = model(&format!("deep_{name}_{n}"), &nested_model(i, n));
            let p = path.to_str().expect("utf-8 path");
            // The construct that goes one level too deep, as `file:line:column`.
            let column = "param p: real = ".len() + LIMIT * open.len() + 1;
            for args in [
                vec!["check", p],
                vec!["solve", p],
                vec!["fmt", "--check", p],
            ] {
                let o = archc(&args);
                let all = text(&o);
                assert_eq!(o.status.code(), Some(1), "{name} x{n} {args:?}: {all}");
                assert!(all.contains("E0105"), "{name} x{n} {args:?}: {all}");
                assert!(
                    (column.saturating_sub(open.len())..=column + open.len()).any(|c| [']', ')']
                        .iter()
                        .any(|end| all.contains(&format!(".arch:3:{c}{end}")))),
                    "{name} x{n} {args:?}: no span near line 3 column {column}: {all}"
                );
            }
        }
    }
}

#[test]
fn a_chain_of_3000_functions_is_refused_not_overflowed() {
    // f0 calls f1, which calls f2, ... 3,000 deep: E0320 names the chain.
    let mut src = String::new();
    for i in 0..3000 {
        src.push_str(&format!("fn f{i}(v: real): real = f{}(v) + 1\n", i + 1));
    }
    src.push_str("fn f3000(v: real): real = v\nparam p: real = f0(1)\n");
    src.push_str("decide x: real >= 0 <= 1\nminimize cost: x\n");
    let (_dir, path) = model("fn_chain", &src);
    let o = archc(&["check", path.to_str().expect("utf-8 path")]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("E0320"), "{all}");
}
