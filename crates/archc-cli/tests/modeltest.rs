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
    // With the default solver, whichever it is: values are compared only where the plan
    // is unique.
    let (code, out) = archc_test(&["../../stdlib/"]);
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

/// `archc test` on `dir` with extra flags, from the crate's folder.
fn archc_test_in(dir: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec![dir.to_str().expect("a UTF-8 path")];
    args.extend_from_slice(extra);
    archc_test(&args)
}

/// Sites at `prices`, one of them opened, at the lowest cost; `header` goes first.
fn sites(header: &str, prices: &[u32]) -> String {
    let mut m = format!("{header}\nkind site {{ price: usd = 0 usd }}\n");
    for (i, p) in prices.iter().enumerate() {
        m.push_str(&format!("site s{i} {{ price: {p} usd }}\n"));
    }
    m.push_str(
        "decide open[s in sites]: bool\n\
         constraint one: sum(s in sites) open[s] == 1\n\
         minimize cost: sum(s in sites) s.price * open[s]\n\
         test { expect feasible }\n",
    );
    m
}

/// The site a snapshot says is open (`open[sK] = 1`).
fn open_site(snapshot: &str) -> String {
    snapshot
        .lines()
        .find_map(|l| l.strip_prefix("open[")?.strip_suffix("] = 1"))
        .expect("an open site in the snapshot")
        .to_string()
}

#[test]
fn a_snapshot_of_a_tied_plan_passes_whichever_tied_plan_a_solver_returns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("tied.arch");
    let snap = dir.path().join("tied.solution.txt");
    std::fs::write(&model, sites("// three sites tie", &[5, 5, 5, 9])).expect("written");
    let (code, out) = archc_test_in(dir.path(), &["--update"]);
    assert_eq!(code, 0, "{out}");
    let stored = std::fs::read_to_string(&snap).expect("a snapshot");
    assert!(
        stored.contains("plan: not unique (2 alternatives of equal cost)"),
        "{stored}"
    );
    let (compared, info) = stored
        .split_once(archc_cli::modeltest::snapshot::NOT_COMPARED)
        .expect("the values are below the line");
    assert!(compared.contains("objective cost = 5 usd"), "{stored}");
    assert!(!compared.contains("open["), "{stored}");
    // Another tied plan in place of the stored one: what a solver that breaks the tie
    // otherwise returns. Every enabled solver passes against it.
    let was = open_site(info);
    let other = ["s0", "s1", "s2"]
        .into_iter()
        .find(|s| *s != was)
        .expect("another tied site");
    let doctored = stored.replace(&format!("open[{was}] = 1"), &format!("open[{other}] = 1"));
    assert_ne!(doctored, stored);
    std::fs::write(&snap, &doctored).expect("written");
    for kind in archc::solve::SolverKind::enabled() {
        let (code, out) = archc_test_in(dir.path(), &["--solver", kind.name()]);
        assert_eq!(code, 0, "{}: {out}", kind.name());
        assert!(out.contains("snapshot matches"), "{out}");
    }
    // The compared part still is compared: another objective fails.
    std::fs::write(&snap, stored.replace("cost = 5 usd", "cost = 6 usd")).expect("written");
    let (code, out) = archc_test_in(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("- objective cost = 6 usd"), "{out}");
}

#[test]
fn the_values_of_a_unique_plan_are_compared() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snap = dir.path().join("unique.solution.txt");
    std::fs::write(
        dir.path().join("unique.arch"),
        sites("// one cheapest site", &[5, 6, 7]),
    )
    .expect("written");
    let (code, out) = archc_test_in(dir.path(), &["--update"]);
    assert_eq!(code, 0, "{out}");
    let stored = std::fs::read_to_string(&snap).expect("a snapshot");
    assert!(stored.contains("plan: unique"), "{stored}");
    assert!(
        !stored.contains(archc_cli::modeltest::snapshot::NOT_COMPARED),
        "{stored}"
    );
    assert_eq!(open_site(&stored), "s0");
    std::fs::write(&snap, stored.replace("open[s0] = 1", "open[s1] = 1")).expect("written");
    let (code, out) = archc_test_in(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("+ open[s0] = 1"), "{out}");
}

#[test]
fn a_model_can_ask_for_its_values_to_be_compared_even_when_plans_tie() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snap = dir.path().join("asks.solution.txt");
    let header = archc_cli::modeltest::snapshot::COMPARE_VALUES;
    std::fs::write(dir.path().join("asks.arch"), sites(header, &[5, 5, 9])).expect("written");
    let (code, out) = archc_test_in(dir.path(), &["--update"]);
    assert_eq!(code, 0, "{out}");
    let stored = std::fs::read_to_string(&snap).expect("a snapshot");
    assert!(stored.contains("plan: every value compared"), "{stored}");
    let was = open_site(&stored);
    let other = if was == "s0" { "s1" } else { "s0" };
    std::fs::write(
        &snap,
        stored.replace(&format!("open[{was}] = 1"), &format!("open[{other}] = 1")),
    )
    .expect("written");
    let (code, out) = archc_test_in(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("snapshot differs"), "{out}");
}

#[test]
fn continuous_values_are_kept_as_information() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("flows.arch"),
        "kind path { cost: usd/Gbps = 0 usd/Gbps }\n\
         path north { cost: 2 usd/Gbps }\n\
         path south { cost: 2 usd/Gbps }\n\
         decide flow[p in paths]: real Gbps >= 0\n\
         constraint demand: sum(p in paths) flow[p] >= 8 Gbps\n\
         minimize cost: sum(p in paths) p.cost * flow[p]\n",
    )
    .expect("written");
    let (code, out) = archc_test_in(dir.path(), &["--update"]);
    assert_eq!(code, 0, "{out}");
    let stored =
        std::fs::read_to_string(dir.path().join("flows.solution.txt")).expect("a snapshot");
    assert!(
        stored.contains("plan: continuous decisions only"),
        "{stored}"
    );
    let (compared, info) = stored
        .split_once(archc_cli::modeltest::snapshot::NOT_COMPARED)
        .expect("the values are below the line");
    assert!(!compared.contains("flow["), "{stored}");
    assert!(info.contains("flow["), "{stored}");
}
