//! Cancelling `archc.solveAndExplain` stops the work, not only the answer: a HiGHS solve is
//! interrupted and its worker ends at once (`--features highs`); microlp cannot be
//! interrupted, so its worker is detached at the lowest CPU priority, and the next solve is
//! answered without waiting for the cancelled one's time limit.

use crate::lsp_client;

use lsp_client::{file_uri, Client};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

struct Session {
    client: Client,
    dir: PathBuf,
    uri: String,
}

impl Session {
    fn start(test: &str) -> Session {
        let dir = std::env::temp_dir().join(format!("archc-lsp-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let root = file_uri(&dir);
        let mut client = Client::start();
        client.initialize(&root);
        let uri = format!("{root}/model.arch");
        Session { client, dir, uri }
    }

    /// Open (version 1) or replace the model, and wait for its diagnostics.
    fn set(&mut self, text: &str, version: i32) {
        let uri = self.uri.clone();
        if version == 1 {
            self.client.open(&uri, text);
        } else {
            self.client.change(&uri, version, text);
        }
        let diags = self
            .client
            .wait_notification("textDocument/publishDiagnostics", |p| {
                p["uri"] == uri.as_str() && p["version"] == version
            });
        assert_eq!(diags["diagnostics"], json!([]), "{diags}");
    }

    fn solve(&mut self, options: Value) -> i64 {
        let uri = self.uri.clone();
        self.client.send_request(
            "workspace/executeCommand",
            json!({"command": "archc.solveAndExplain", "arguments": [uri, options]}),
        )
    }

    /// Cancel a solve once its solver runs (the small models here are read and checked in
    /// milliseconds; their solves take minutes), and check the cancelled answer.
    fn cancel_running(&mut self, id: i64) {
        std::thread::sleep(Duration::from_secs(2));
        assert!(
            !self.client.response_arrived(json!(id)),
            "the solve ended before it was cancelled"
        );
        self.client.notify("$/cancelRequest", json!({"id": id}));
        let resp = self.client.response(json!(id));
        assert_eq!(resp["error"]["code"], -32800, "{resp}");
    }

    fn finish(self) {
        let status = self.client.shutdown();
        assert!(status.success(), "{status:?}");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A parity model that microlp cannot prove infeasible quickly.
const PARITY: &str = "decide x[i in 1..60]: bool\n\
constraint odd: sum(i in 1..60) 2 * x[i] == 61\n\
minimize n: sum(i in 1..60) x[i]\n";

const EASY: &str = "decide y[i in 1..3]: int >= 1 <= 5\n\
minimize total: sum(i in 1..3) y[i]\n";

/// The nice values of the server's threads named `archc-lsp-solve` (Linux).
fn solve_thread_nices(pid: u32) -> Vec<i64> {
    let mut nices = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return nices;
    };
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() != "archc-lsp-solve" {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // The fields after the command name (in parentheses): state is field 3, nice 19.
        let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
        if let Some(nice) = after
            .split_whitespace()
            .nth(16)
            .and_then(|n| n.parse().ok())
        {
            nices.push(nice);
        }
    }
    nices
}

#[test]
fn a_cancelled_microlp_solve_is_detached_at_low_priority_and_the_next_is_answered() {
    let mut s = Session::start("cancel-microlp");
    s.set(PARITY, 1);
    let slow = s.solve(json!({"solver": "microlp", "timeLimit": 600}));
    s.cancel_running(slow);
    // The server says the solve goes on, and why.
    let log = s.client.wait_notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("cannot be interrupted"))
    });
    assert!(
        log["message"]
            .as_str()
            .is_some_and(|m| m.contains("microlp")),
        "{log}"
    );
    if cfg!(target_os = "linux") {
        assert_eq!(solve_thread_nices(s.client.pid()), [19]);
    }
    // The next solve is answered, while the cancelled one runs on (its limit is ten
    // minutes, longer than the client waits for any answer).
    s.set(EASY, 2);
    let next = s.solve(json!({"solver": "microlp"}));
    let resp = s.client.response(json!(next));
    assert_eq!(resp["result"], json!([]), "{resp}");
    s.finish();
}

/// A market split instance (Cornuéjols and Dawande): equality rows with random weights
/// and half their sum as right-hand side, hard for branch and bound (minutes for HiGHS).
#[cfg(feature = "highs")]
fn market_split(rows: usize, cols: usize) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % 100
    };
    let mut s = format!("decide x[i in 1..{cols}]: bool\n");
    for r in 0..rows {
        let weights: Vec<u64> = (0..cols).map(|_| next()).collect();
        let terms: Vec<String> = weights
            .iter()
            .enumerate()
            .map(|(j, w)| format!("{w} * x[{}]", j + 1))
            .collect();
        let half = weights.iter().sum::<u64>() / 2;
        s.push_str(&format!(
            "constraint split{r}: {} == {half}\n",
            terms.join(" + ")
        ));
    }
    s.push_str(&format!("minimize n: sum(i in 1..{cols}) x[i]\n"));
    s
}

#[cfg(feature = "highs")]
#[test]
fn a_cancelled_highs_solve_is_interrupted_and_the_next_is_answered() {
    let mut s = Session::start("cancel-highs");
    s.set(&market_split(6, 50), 1);
    let slow = s.solve(json!({"solver": "highs", "timeLimit": 600}));
    s.cancel_running(slow);
    // The worker ends within the solver's next callback, long before its time limit (the
    // client gives up after two minutes).
    let log = s.client.wait_notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("cancelled solve {slow} ended")))
    });
    assert!(!log.is_null());
    // The next HiGHS solve (which waits for the solver control) is answered.
    s.set(EASY, 2);
    let next = s.solve(json!({"solver": "highs"}));
    let resp = s.client.response(json!(next));
    assert_eq!(resp["result"], json!([]), "{resp}");
    s.finish();
}
