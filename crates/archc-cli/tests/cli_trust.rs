//! The command line as scripts use it, through the `archc` binary: stdout carries only the
//! report (solver logs never reach it), closed pipes and full disks end without a panic,
//! numeric flags are range-checked, files are written atomically and never over an input,
//! time limits and Ctrl-C have their own statuses and exit codes, and every command treats
//! missing files, stdin (`-`) and directories the same way.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn archc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_archc"));
    c.env_remove("NO_COLOR")
        .env_remove("ARCHC_SOLVER")
        .env("COLUMNS", "100");
    c
}

fn run(args: &[&str]) -> Output {
    archc().args(args).output().expect("archc runs")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// No output of archc may mention a panic.
fn assert_no_panic(o: &Output) {
    let e = stderr(o);
    assert!(!e.contains("panicked"), "archc panicked:\n{e}");
    assert_ne!(o.status.code(), Some(101), "exit 101:\n{e}");
}

/// The `.arch` files of `examples/`, sorted.
fn examples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("examples")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("examples/").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "arch") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Solvers compiled into this test build.
fn solvers() -> Vec<&'static str> {
    archc::solve::SolverKind::enabled()
        .into_iter()
        .map(|k| k.name())
        .collect()
}

/// A small market-split model (Cornuéjols–Dawande): `m` equality knapsacks over `n`
/// binaries. With slack columns (`slack`) a plan is found at once and proving its optimality
/// takes long; without, finding any plan takes long.
fn market_split(m: usize, n: usize, slack: bool) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % 100
    };
    let attrs: Vec<String> = (1..=m).map(|k| format!("a{k}: int = 0")).collect();
    let mut s = format!("kind item {{ {} }}\n", attrs.join(", "));
    let mut sums = vec![0u64; m];
    for j in 0..n {
        let vals: Vec<String> = (0..m)
            .map(|k| {
                let v = next();
                sums[k] += v;
                format!("a{}: {v}", k + 1)
            })
            .collect();
        s.push_str(&format!("item i{j} {{ {} }}\n", vals.join(", ")));
    }
    s.push_str("decide x[i in items]: bool\n");
    let mut objective = Vec::new();
    for (k, total) in sums.iter().enumerate() {
        let k = k + 1;
        let extra = if slack {
            s.push_str(&format!(
                "decide over{k}: real >= 0\ndecide under{k}: real >= 0\n"
            ));
            objective.push(format!("over{k} + under{k}"));
            format!(" + under{k} - over{k}")
        } else {
            String::new()
        };
        s.push_str(&format!(
            "constraint split{k}: sum(i in items) i.a{k} * x[i]{extra} == {}\n",
            total / 2
        ));
    }
    if slack {
        s.push_str(&format!("minimize miss: {}\n", objective.join(" + ")));
    } else {
        s.push_str("minimize count: sum(i in items) x[i]\n");
    }
    s
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    })
}

// 1. Solver output never on stdout.

#[test]
fn every_example_with_every_solver_prints_pure_json() {
    for file in examples() {
        for solver in solvers() {
            let f = file.to_string_lossy();
            // microlp is slow on the largest routing example in debug builds: a time limit
            // keeps the test short; the report is JSON whatever the status.
            let o = run(&[
                "solve",
                &f,
                "--solver",
                solver,
                "--format",
                "json",
                "--time-limit",
                "60",
            ]);
            assert_no_panic(&o);
            let v = json(&o);
            assert_eq!(v["schema"], "archc.solution/1", "{f} with {solver}");
            assert!(
                ["optimal", "feasible", "time_limit"].contains(&v["status"].as_str().unwrap_or("")),
                "{f} with {solver}: {}",
                v["status"]
            );
        }
    }
}

/// `ARCHC_SOLVER` chooses the solver when `--solver` is not given; the flag wins over it,
/// and a name that is not a solver is a usage error (exit 2) like the flag's.
#[test]
fn archc_solver_sets_the_default_solver_and_the_flag_wins() {
    let model = root().join("examples/risk/ffc_k1.arch");
    let model = model.to_string_lossy();
    let solver_of = |env: &str, flag: Option<&str>| {
        let mut args = vec!["solve", &*model, "--format", "json"];
        if let Some(f) = flag {
            args.extend(["--solver", f]);
        }
        let o = archc()
            .env("ARCHC_SOLVER", env)
            .args(&args)
            .output()
            .expect("archc runs");
        json(&o)["solver"].as_str().unwrap_or("").to_string()
    };
    let all = solvers();
    for s in &all {
        assert_eq!(solver_of(s, None), *s);
        let other = all.iter().find(|o| *o != s).unwrap_or(s);
        assert_eq!(solver_of(s, Some(other)), *other);
    }
    let o = archc()
        .env("ARCHC_SOLVER", "gurobi")
        .args(["solve", &*model])
        .output()
        .expect("archc runs");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("gurobi"), "{}", stderr(&o));
}

#[test]
fn verbose_sends_the_solver_log_to_stderr_and_log_to_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = root().join("examples/placement/global.arch");
    let f = file.to_string_lossy();
    for solver in solvers() {
        let o = run(&["solve", &f, "--solver", solver, "--format", "json", "-v"]);
        json(&o);
        if solver != "microlp" {
            // The C library's console output was moved from fd 1 to stderr.
            assert!(
                stderr(&o).lines().count() > 3,
                "{solver}: no solver log on stderr with -v:\n{}",
                stderr(&o)
            );
        }
        let log = dir.path().join(format!("{solver}.log"));
        let o = run(&[
            "solve",
            &f,
            "--solver",
            solver,
            "--format",
            "json",
            "--log",
            &log.to_string_lossy(),
        ]);
        json(&o);
        if solver != "microlp" {
            // HiGHS and CBC write a log; microlp has none.
            let text = std::fs::read_to_string(&log).expect("log file");
            assert!(!text.trim().is_empty(), "{solver}: empty log");
        }
    }
}

// 2. Gaps and bounds.

#[test]
fn a_time_limited_plan_reports_its_gap_and_bounds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("split.arch");
    std::fs::write(&model, market_split(4, 36, true)).expect("write model");
    for solver in solvers().into_iter().filter(|s| *s != "microlp") {
        let o = run(&[
            "solve",
            &model.to_string_lossy(),
            "--solver",
            solver,
            "--format",
            "json",
            "--time-limit",
            "2",
        ]);
        let v = json(&o);
        if v["status"] == "optimal" {
            continue;
        }
        assert_eq!(v["status"], "feasible", "{solver}");
        assert_eq!(o.status.code(), Some(5), "{solver}");
        let gap = v["gap"]
            .as_f64()
            .unwrap_or_else(|| panic!("{solver}: no gap"));
        let primal = v["primal_bound"].as_f64().expect("primal bound");
        let dual = v["dual_bound"].as_f64().expect("dual bound");
        assert_eq!(primal, v["objective"]["value"].as_f64().expect("objective"));
        assert!(
            dual <= primal + 1e-9,
            "{solver}: bound {dual} above plan {primal}"
        );
        assert!(gap > 0.0, "{solver}: a stopped plan with gap 0");
    }
}

#[test]
fn an_optimal_plan_has_gap_zero_and_equal_bounds() {
    let f = root().join("examples/placement/global.arch");
    for solver in solvers() {
        let o = run(&[
            "solve",
            &f.to_string_lossy(),
            "--solver",
            solver,
            "--format",
            "json",
        ]);
        let v = json(&o);
        assert_eq!(v["status"], "optimal");
        assert_eq!(v["gap"].as_f64(), Some(0.0), "{solver}");
        assert_eq!(v["primal_bound"], v["objective"]["value"], "{solver}");
        let (p, d) = (
            v["primal_bound"].as_f64().expect("primal"),
            v["dual_bound"].as_f64().expect("dual"),
        );
        assert!(
            (p - d).abs() <= 1e-6 * p.abs().max(1.0),
            "{solver}: {p} vs {d}"
        );
    }
}

// 4. Interrupts and time limits.

#[test]
fn a_time_limit_without_a_plan_is_its_own_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("feas.arch");
    std::fs::write(&model, market_split(4, 36, false)).expect("write model");
    for solver in solvers() {
        let o = run(&[
            "solve",
            &model.to_string_lossy(),
            "--solver",
            solver,
            "--format",
            "json",
            "--time-limit",
            "1",
        ]);
        assert_no_panic(&o);
        let v = json(&o);
        assert_eq!(v["status"], "time_limit", "{solver}: {}", stderr(&o));
        assert_eq!(o.status.code(), Some(9), "{solver}");
        assert!(v["decisions"].as_array().is_some_and(|d| d.is_empty()));
        assert!(stderr(&o).contains("time limit was reached before any plan"));
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_reports_the_best_plan_as_interrupted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("split.arch");
    std::fs::write(&model, market_split(4, 36, true)).expect("write model");
    for solver in solvers() {
        let out = dir.path().join(format!("{solver}.json"));
        let child = archc()
            .args([
                "solve",
                &model.to_string_lossy(),
                "--solver",
                solver,
                "--format",
                "json",
                "--out",
                &out.to_string_lossy(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(1500));
        // SAFETY: sends SIGINT to the child we spawned.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGINT);
        }
        let o = child.wait_with_output().expect("wait");
        assert_no_panic(&o);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("--out written"))
                .expect("json");
        if v["status"] == "optimal" {
            // Solved before the signal came.
            continue;
        }
        assert_eq!(v["status"], "interrupted", "{solver}: {}", stderr(&o));
        assert_eq!(o.status.code(), Some(130), "{solver}");
        if solver == "highs" {
            // HiGHS stops through its callback and keeps its incumbent: a verified plan.
            assert_eq!(v["verification"]["ok"], true, "{solver}");
            assert!(!v["decisions"].as_array().expect("decisions").is_empty());
        } else {
            // CBC and microlp cannot hand over a plan: the message says so and what to do.
            let e = stderr(&o);
            assert!(
                e.contains(&format!("{solver} cannot be stopped with its best plan"))
                    && e.contains("--solver highs"),
                "{solver}: {e}"
            );
            assert!(v["decisions"].as_array().is_some_and(|d| d.is_empty()));
        }
    }
}

#[test]
fn output_paths_are_checked_before_solving() {
    let f = root().join("examples/placement/global.arch");
    let o = run(&[
        "solve",
        &f.to_string_lossy(),
        "--out",
        "/nonexistent-archc-dir/plan.json",
    ]);
    assert_eq!(o.status.code(), Some(8));
    // Nothing was solved: no report and no solver line.
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("nonexistent-archc-dir"));
}

// 5. No data loss.

#[test]
fn solve_refuses_to_write_over_the_model_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("m.arch");
    let text = "decide x: int >= 0 <= 3\nmaximize v: x\n";
    std::fs::write(&model, text).expect("write");
    let m = model.to_string_lossy();
    let o = run(&["solve", &m, "--out", &m]);
    assert_eq!(o.status.code(), Some(8), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"));
    assert_eq!(std::fs::read_to_string(&model).expect("read"), text);
    let o = run(&["solve", &m, "--out", &m, "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&model)
        .expect("read")
        .starts_with("status: optimal"));
}

#[test]
fn emit_refuses_to_write_over_a_data_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("r.csv"), "name,cap\na,3\nb,4\n").expect("csv");
    let model = dir.path().join("m.arch");
    std::fs::write(
        &model,
        "kind r { cap: int = 0 }\nrs from \"r.csv\"\ndecide x[i in rs]: int >= 0 <= i.cap\nmaximize v: sum(i in rs) x[i]\n",
    )
    .expect("model");
    let check = run(&["check", &model.to_string_lossy()]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let csv = dir.path().join("r.csv");
    let o = run(&[
        "emit",
        &model.to_string_lossy(),
        "--mps",
        &csv.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(8), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&csv).expect("csv"),
        "name,cap\na,3\nb,4\n"
    );
    let mps = dir.path().join("m.mps");
    let o = run(&[
        "emit",
        &model.to_string_lossy(),
        "--mps",
        &mps.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&mps)
        .expect("mps")
        .contains("ENDATA"));
}

/// A writer that fails part-way leaves the target as it was, and no temporary file.
#[test]
fn a_failed_write_keeps_the_original() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("plan.txt");
    std::fs::write(&target, "old plan\n").expect("write");
    let r = archc_cli::output::write_atomic(&target, |w| {
        w.write_all(b"half of a new pl")?;
        Err(std::io::Error::other("disk on fire"))
    });
    assert!(r.is_err());
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "old plan\n"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "temporary files left behind: {left:?}");
    // A complete write replaces the file and keeps its permissions.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        archc_cli::output::write_atomic(&target, |w| w.write_all(b"new plan\n")).expect("write");
        assert_eq!(
            std::fs::read_to_string(&target).expect("read"),
            "new plan\n"
        );
        let mode = std::fs::metadata(&target)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

#[cfg(unix)]
#[test]
fn nothing_is_written_through_a_symlink() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("real.arch");
    std::fs::write(&real, "decide   x: int >= 0 <= 3\nmaximize v: x\n").expect("write");
    let link = dir.path().join("link.arch");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let o = run(&["fmt", &link.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(8), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"));
    assert_eq!(
        std::fs::read_to_string(&real).expect("read"),
        "decide   x: int >= 0 <= 3\nmaximize v: x\n"
    );
    // A directory walk does not follow the link either (the real file is formatted once).
    let o = run(&["fmt", "--check", &dir.path().to_string_lossy()]);
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        listed.contains("real.arch") && !listed.contains("link.arch"),
        "{listed}"
    );
}

#[test]
fn fmt_keeps_a_file_with_syntax_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("bad.arch");
    std::fs::write(&f, "decide x: int >=\n").expect("write");
    let o = run(&["fmt", &f.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&f).expect("read"),
        "decide x: int >=\n"
    );
}

#[cfg(unix)]
#[test]
fn test_update_does_not_write_through_a_symlinked_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("m.arch");
    std::fs::write(&model, "decide x: int >= 0 <= 3\nmaximize v: x\n").expect("write");
    let elsewhere = dir.path().join("elsewhere.txt");
    std::fs::write(&elsewhere, "keep me\n").expect("write");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("m.solution.txt")).expect("link");
    let o = run(&["test", "--update", &model.to_string_lossy()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&elsewhere).expect("read"),
        "keep me\n"
    );
}

// 6. No panics.

#[test]
fn a_closed_pipe_ends_quietly() {
    let f = root().join("examples/placement/global.arch");
    let cases: Vec<Vec<String>> = vec![
        vec!["explain".into()],
        vec!["emit".into(), f.to_string_lossy().into(), "--ir".into()],
        vec!["solve".into(), f.to_string_lossy().into()],
    ];
    for args in cases {
        let mut child = archc()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Close the reading end before archc writes: every write meets a broken pipe.
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_exit_8() {
    let f = root().join("examples/placement/global.arch");
    let model = f.to_string_lossy().into_owned();
    for args in [
        vec!["solve".to_string(), model],
        vec!["explain".to_string()],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let o = archc().args(&args).stdout(full).output().expect("run");
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(8), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn bad_numeric_flags_are_usage_errors() {
    let f = root().join("examples/placement/global.arch");
    let f = f.to_string_lossy();
    for (flag, value) in [
        ("--time-limit", "-1"),
        ("--time-limit", "inf"),
        ("--time-limit", "NaN"),
        ("--time-limit", "1e30"),
        ("--time-limit", "0"),
        ("--gap", "-0.5"),
        ("--gap", "NaN"),
        ("--gap", "2"),
        ("--threads", "0"),
        ("--threads", "100000"),
        ("--threads", "-1"),
        ("--solver", "gurobi"),
    ] {
        let o = run(&["solve", &f, &format!("{flag}={value}")]);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{flag}={value}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
}

// 7. Conventions.

#[test]
fn a_missing_file_is_exit_1_in_every_command() {
    for args in [
        vec!["check", "nonexist.arch"],
        vec!["solve", "nonexist.arch"],
        vec!["emit", "nonexist.arch", "--ir"],
        vec!["fmt", "nonexist.arch"],
        vec!["fmt", "--check", "nonexist.arch"],
        vec!["test", "nonexist.arch"],
    ] {
        let o = run(&args);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("nonexist.arch"), "{args:?}");
    }
}

#[test]
fn commands_without_inputs_are_usage_errors() {
    for args in [
        vec!["check"],
        vec!["fmt"],
        vec!["test"],
        vec!["solve"],
        vec!["emit"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = archc()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

#[test]
fn dash_reads_the_model_from_stdin() {
    let model = "decide x: int >= 0 <= 3\nmaximize v: 2 * x\n";
    let o = run_stdin(&["solve", "-", "--format", "json"], model);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["objective"]["value"].as_f64(), Some(6.0));
    assert_eq!(v["model"], "<stdin>");
    let o = run_stdin(
        &["check", "-"],
        "decide x: int >= 0 <= 3\nmaximize v: x + y\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("<stdin>"), "{}", stderr(&o));
    let o = run_stdin(&["fmt", "-"], "decide   x: int >= 0 <= 3\nmaximize v: x\n");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "decide x: int >= 0 <= 3\nmaximize v: x\n"
    );
}

#[cfg(unix)]
#[test]
fn directories_are_walked_respecting_gitignore_and_symlink_loops() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("sub/ignored")).expect("dirs");
    std::fs::write(
        d.join("sub/good.arch"),
        "decide x: int >= 0 <= 3\nmaximize v: x\n",
    )
    .expect("write");
    std::fs::write(d.join("sub/ignored/bad.arch"), "decide x: int >=\n").expect("write");
    std::fs::write(d.join(".gitignore"), "ignored/\n").expect("write");
    std::fs::write(d.join("sub/notes.txt"), "not a model").expect("write");
    // A loop back to the root.
    std::os::unix::fs::symlink(d, d.join("sub/loop")).expect("symlink");
    let o = run(&["check", &d.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("good.arch: ok"), "{e}");
    assert!(!e.contains("bad.arch"), "{e}");
    assert_eq!(e.matches("good.arch").count(), 1, "{e}");
}

#[test]
fn color_is_chosen_by_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.arch");
    std::fs::write(&bad, "decide x: int >= 0 <= 3\nmaximize v: x + y\n").expect("write");
    let bad = bad.to_string_lossy();
    let o = run(&["check", "--color", "always", &bad]);
    assert!(
        stderr(&o).contains('\u{1b}'),
        "no colour with --color always"
    );
    let o = archc()
        .args(["check", "--color", "never", &bad])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(!stderr(&o).contains('\u{1b}'));
}

#[test]
fn version_lists_the_solvers_built_in() {
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let enabled = solvers();
    for s in &enabled {
        assert!(text.contains(s), "{s} missing from {text}");
    }
    assert!(text.contains(&format!("default: {}", enabled[0])), "{text}");
}

#[test]
fn every_argument_has_help_and_every_command_examples() {
    use clap::CommandFactory;
    let cli = archc_cli::Cli::command();
    for sub in cli.get_subcommands() {
        for arg in sub.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(
                arg.get_help().is_some(),
                "`archc {}`: argument `{id}` has no help",
                sub.get_name()
            );
        }
        if sub.get_name() != "lsp" {
            assert!(
                sub.get_after_help()
                    .is_some_and(|h| h.to_string().contains("archc ")),
                "`archc {}` has no examples",
                sub.get_name()
            );
        }
    }
    let help = String::from_utf8_lossy(&run(&["solve", "--help"]).stdout).into_owned();
    assert!(help.contains("--time-limit <SECONDS>"), "{help}");
}

// The default solver's reach.

#[test]
fn microlp_says_when_a_model_is_beyond_its_reach() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("split.arch");
    std::fs::write(&model, market_split(4, 36, true)).expect("write model");
    let solve = |extra: &[&str]| {
        let m = model.to_string_lossy();
        let args = ["solve", &m, "--solver", "microlp", "--time-limit", "8"];
        run(&[&args[..], extra, &["--format", "json"]].concat())
    };
    let o = solve(&[]);
    let v = json(&o);
    let e = stderr(&o);
    if v["status"] == "optimal" {
        // Solved before the note was due: nothing to check.
        return;
    }
    assert!(
        e.contains("note: microlp is slow on integer models beyond a few dozen"),
        "{e}"
    );
    let stronger = archc::solve::SolverKind::enabled()
        .into_iter()
        .find(|k| *k != archc::solve::SolverKind::Microlp);
    match stronger {
        Some(k) => assert!(e.contains(&format!("`--solver {}`", k.name())), "{e}"),
        None => assert!(e.contains("--features highs"), "{e}"),
    }
    // `-q` keeps stderr quiet; a model microlp solves at once gets no note.
    let o = solve(&["-q"]);
    assert!(!stderr(&o).contains("microlp is slow"), "{}", stderr(&o));
    let f = root().join("examples/placement/global.arch");
    let o = run(&["solve", &f.to_string_lossy(), "--solver", "microlp"]);
    assert!(!stderr(&o).contains("microlp is slow"), "{}", stderr(&o));
}
