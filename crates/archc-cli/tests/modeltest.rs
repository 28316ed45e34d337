//! `archc test`: a failing expectation and a snapshot mismatch give clear messages and exit
//! code 1; passing models give `ok` lines and exit 0.

use std::process::Command;

fn archc_test(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_archc"))
        .arg("test")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run archc test");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn failures_are_reported_and_exit_one() {
    let (code, out) = archc_test(&["tests/modeltest/"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("0 passed, 2 failed"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn the_stdlib_examples_pass() {
    // The snapshots were stored with the default pure-Rust solver; a model with several
    // optimal plans may give another one with HiGHS or CBC.
    let (code, out) = archc_test(&["../../stdlib/", "--solver", "microlp"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.ends_with("passed, 0 failed")),
        "{out}"
    );
    assert!(
        out.lines().filter(|l| l.starts_with("ok ")).count() >= 4,
        "{out}"
    );
}
