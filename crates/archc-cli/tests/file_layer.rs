//! The file layer under every read of an analysis: only regular files are read (a FIFO as
//! a data file or as a used file is E0217 at once, never a hang), files past the size cap
//! are E0216 (the cap is `AnalyzeOptions::max_file_size` and `--max-file-size`), unsaved
//! buffers lay over used files and data files, and each file is read from disk once.

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::driver::analyze;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// A fresh folder for one test.
fn temp_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("archc-file-layer-{tag}-"))
        .tempdir()
        .expect("temporary directory")
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

fn codes(a: &Analysis) -> Vec<&'static str> {
    a.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn options() -> AnalyzeOptions {
    AnalyzeOptions {
        instantiate: true,
        ..Default::default()
    }
}

/// Analyses `main` on another thread. A read that blocks (opening a FIFO waits for a
/// writer) would never return: after a generous wait the test fails instead of hanging.
fn analyze_or_fail_on_hang(main: PathBuf, options: AnalyzeOptions) -> Vec<&'static str> {
    let (send, recv) = mpsc::channel();
    std::thread::spawn(move || {
        let a = analyze(&main, &options);
        let _ = send.send(codes(&a));
    });
    recv.recv_timeout(Duration::from_secs(120))
        .expect("the analysis blocked on a file that is not a regular file")
}

const ENTITIES_MODEL: &str = "use std.infra\nservices from \"data/services.csv\"\n\
    decide replicas[s in services]: int >= 0\n\
    minimize count: sum(s in services) replicas[s]\n";

#[cfg(unix)]
#[test]
fn a_fifo_as_data_file_is_e0215_and_not_a_hang() {
    let tmp = temp_dir("fifo-data");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("data")).expect("data folder");
    mkfifo(&dir.join("data/services.csv"));
    std::fs::write(dir.join("model.arch"), ENTITIES_MODEL).expect("model");
    let codes = analyze_or_fail_on_hang(dir.join("model.arch"), options());
    assert_eq!(codes, ["E0217"]);
}

#[cfg(unix)]
#[test]
fn a_fifo_as_used_file_is_e0215_and_not_a_hang() {
    let tmp = temp_dir("fifo-use");
    let dir = tmp.path();
    mkfifo(&dir.join("shared.arch"));
    std::fs::write(
        dir.join("model.arch"),
        "use \"shared.arch\"\nparam hours: h = 730 h\n",
    )
    .expect("model");
    let codes = analyze_or_fail_on_hang(dir.join("model.arch"), options());
    assert_eq!(codes, ["E0217"]);
}

#[cfg(unix)]
#[test]
fn a_fifo_as_the_model_is_e0215_and_not_a_hang() {
    let tmp = temp_dir("fifo-main");
    let dir = tmp.path();
    mkfifo(&dir.join("model.arch"));
    let codes = analyze_or_fail_on_hang(dir.join("model.arch"), options());
    assert_eq!(codes, ["E0217"]);
}

#[test]
fn a_data_file_over_the_cap_is_e0216_and_one_at_the_cap_loads() {
    let tmp = temp_dir("cap");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("data")).expect("data folder");
    let mut csv = "name,cores\n".to_string();
    for i in 0..20 {
        csv.push_str(&format!("service-{i},16\n"));
    }
    std::fs::write(dir.join("data/services.csv"), &csv).expect("data");
    std::fs::write(dir.join("model.arch"), ENTITIES_MODEL).expect("model");
    let model_len = ENTITIES_MODEL.len() as u64;
    let csv_len = csv.len() as u64;
    assert!(
        model_len < csv_len,
        "a cap can let the model through and not the data"
    );
    let with_cap = |bytes: u64| AnalyzeOptions {
        max_file_size: Some(bytes),
        ..options()
    };

    let too_small = analyze(&dir.join("model.arch"), &with_cap(csv_len - 1));
    assert_eq!(codes(&too_small), ["E0216"]);
    let d = &too_small.diagnostics[0];
    assert!(
        d.message.contains(&format!("{csv_len} bytes")),
        "{}",
        d.message
    );
    assert_eq!(
        d.primary_span().map(|s| too_small.sources.name(s.file)),
        Some(dir.join("model.arch").display().to_string().as_str()),
        "the error points at the model's `from`"
    );

    // The model itself is over a cap below its size.
    let model_too_large = analyze(&dir.join("model.arch"), &with_cap(model_len - 1));
    assert_eq!(codes(&model_too_large), ["E0216"]);

    let fits = analyze(&dir.join("model.arch"), &with_cap(csv_len));
    assert!(!fits.has_errors(), "{:?}", codes(&fits));
    assert_eq!(fits.instance.map(|i| i.model.num_columns()), Some(20));
}

#[test]
fn the_cli_takes_max_file_size_on_check_solve_and_emit() {
    let tmp = temp_dir("cli");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("data")).expect("data folder");
    std::fs::write(dir.join("data/services.csv"), "name,cores\ncheckout,16\n").expect("data");
    std::fs::write(dir.join("model.arch"), ENTITIES_MODEL).expect("model");
    let model = dir.join("model.arch");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_archc"))
            .args(args)
            .arg(&model)
            .output()
            .expect("run archc")
    };
    for command in [
        vec!["check"],
        vec!["solve", "--quiet"],
        vec!["emit", "--ir"],
    ] {
        let mut small = command.clone();
        small.extend(["--max-file-size", "20"]);
        let out = run(&small);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(stderr.contains("E0216"), "{command:?}: {stderr}");

        let mut large = command.clone();
        large.extend(["--max-file-size", "100000"]);
        let out = run(&large);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{command:?}: {stderr}");
    }
}

#[test]
fn each_file_is_read_from_disk_once() {
    let tmp = temp_dir("once");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("data")).expect("data folder");
    // Entities from a file are read twice by the compiler (their names before checking,
    // the whole file after): the second time comes from the source map.
    std::fs::write(
        dir.join("data/services.csv"),
        "name,cores\ncheckout,16\nsearch,8\n",
    )
    .expect("data");
    std::fs::write(
        dir.join("data/demand.csv"),
        "service,value\ncheckout,3\nsearch,4\n",
    )
    .expect("data");
    std::fs::write(dir.join("shared.arch"), "param hours: h = 730 h\n").expect("used file");
    std::fs::write(
        dir.join("model.arch"),
        "use std.infra\nuse \"./shared.arch\"\nuse \"shared.arch\"\n\
         services from \"data/services.csv\"\n\
         param demand[s in services]: int from \"data/demand.csv\"\n\
         decide replicas[s in services]: int >= 0\n\
         constraint meet[s in services]: replicas[s] >= demand[s]\n\
         minimize count: sum(s in services) replicas[s] * hours\n",
    )
    .expect("model");
    let a = analyze(&dir.join("model.arch"), &options());
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    assert!(a.instance.is_some());
    // The model, the used file (under two spellings) and two data files.
    assert_eq!(a.sources.vfs().disk_reads(), 4);
}

#[test]
fn unsaved_buffers_lay_over_used_files_and_data_files() {
    let tmp = temp_dir("overlays");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("data")).expect("data folder");
    std::fs::write(dir.join("data/services.csv"), "name,cores\ncheckout,16\n").expect("data");
    std::fs::write(dir.join("shared.arch"), "param hours: h = 730 h\n").expect("used file");
    let model = "use std.infra\nuse \"shared.arch\"\nservices from \"data/services.csv\"\n\
                 decide replicas[s in services]: int >= 0\n\
                 minimize count: sum(s in services) replicas[s] * hours\n";
    std::fs::write(dir.join("model.arch"), model).expect("model");
    let on_disk = analyze(&dir.join("model.arch"), &options());
    assert!(!on_disk.has_errors(), "{:?}", on_disk.diagnostics);
    assert_eq!(on_disk.instance.map(|i| i.model.num_columns()), Some(1));

    let overlays = HashMap::from([
        // The used file no longer declares `hours`...
        (
            dir.join("shared.arch"),
            "param minutes: h = 1 h\n".to_string(),
        ),
        // ...and the data file has a second service, spelled with `./` by the editor.
        (
            dir.join("./data/services.csv"),
            "name,cores\ncheckout,16\nsearch,8\n".to_string(),
        ),
    ]);
    let unsaved = analyze(
        &dir.join("model.arch"),
        &AnalyzeOptions {
            overlays: overlays.clone(),
            ..options()
        },
    );
    assert_eq!(
        codes(&unsaved),
        ["E0201"],
        "`hours` is gone from the buffer"
    );

    let mut overlays = overlays;
    overlays.insert(
        dir.join("shared.arch"),
        "param hours: h = 1 h\n".to_string(),
    );
    let unsaved = analyze(
        &dir.join("model.arch"),
        &AnalyzeOptions {
            overlays,
            ..options()
        },
    );
    assert!(!unsaved.has_errors(), "{:?}", unsaved.diagnostics);
    assert_eq!(unsaved.instance.map(|i| i.model.num_columns()), Some(2));
    assert_eq!(
        unsaved.sources.vfs().disk_reads(),
        1,
        "only the model is on disk"
    );
}
