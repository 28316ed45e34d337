//! A minimal LSP client for the protocol tests: starts `archc lsp`, frames JSON-RPC
//! messages with `Content-Length` headers, and waits for responses and notifications.
//! Each server gets its own temporary cache folder (`ARCHC_CACHE_DIR`, where the standard
//! library is written for navigation), removed when the client is dropped, so that tests
//! never write into the home folder.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How long to wait for a message before declaring the server hung (not a timing
/// assertion: a healthy server answers in milliseconds).
const HANG: Duration = Duration::from_secs(120);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for responses.
    pub notifications: Vec<Value>,
    /// Responses to other requests received while waiting for one.
    responses: Vec<Value>,
    /// Requests from the server (answered with a `null` result).
    pub server_requests: Vec<Value>,
    /// The server's cache folder (`ARCHC_CACHE_DIR`).
    pub cache_dir: PathBuf,
}

/// Clients started by this test process, to name their cache folders.
static STARTED: AtomicUsize = AtomicUsize::new(0);

impl Drop for Client {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.cache_dir);
    }
}

impl Client {
    /// Start `archc lsp`.
    pub fn start() -> Client {
        let cache_dir = std::env::temp_dir().join(format!(
            "archc-lsp-cache-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::SeqCst)
        ));
        let mut child = Command::new(env!("CARGO_BIN_EXE_archc"))
            .arg("lsp")
            .env("ARCHC_CACHE_DIR", &cache_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start archc lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse::<usize>().ok();
                    }
                }
                let Some(n) = length else { return };
                let mut body = vec![0u8; n];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("server sent invalid JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next_id: 1,
            notifications: Vec::new(),
            responses: Vec::new(),
            server_requests: Vec::new(),
            cache_dir,
        }
    }

    /// The process id of the server.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).expect("encode");
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body)
            .expect("write to server");
        self.stdin.flush().expect("flush");
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(HANG)
            .expect("the server stopped answering")
    }

    /// Send bytes as they are (for malformed frames).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write to server");
        self.stdin.flush().expect("flush");
    }

    /// Send a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Keep a message that is not the one waited for: answer a request of the server,
    /// keep notifications and other responses.
    fn keep(&mut self, msg: Value) {
        match (msg.get("id").is_some(), msg.get("method").is_some()) {
            (true, true) => {
                let id = msg["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                self.server_requests.push(msg);
            }
            (false, true) => self.notifications.push(msg),
            _ => self.responses.push(msg),
        }
    }

    /// Wait for the response with this id (the whole response object).
    pub fn response(&mut self, id: Value) -> Value {
        if let Some(i) = self.responses.iter().position(|r| r["id"] == id) {
            return self.responses.remove(i);
        }
        loop {
            let msg = self.recv();
            if msg.get("id") == Some(&id) && msg.get("method").is_none() {
                return msg;
            }
            self.keep(msg);
        }
    }

    /// The response with this id if it has arrived already (without waiting).
    pub fn response_arrived(&mut self, id: Value) -> bool {
        while let Ok(msg) = self.rx.try_recv() {
            self.keep(msg);
        }
        self.responses.iter().any(|r| r["id"] == id)
    }

    /// Send a request and wait for its response (the whole response object).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(json!(id))
    }

    /// Send a request and return its `result`, failing on an error response.
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let resp = self.request(method, params);
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp.get("result").cloned().unwrap_or(Value::Null)
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Wait for a notification of `method` that satisfies `pred` (earlier ones included).
    pub fn wait_notification(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self
            .notifications
            .iter()
            .position(|n| n["method"] == method && pred(&n["params"]))
        {
            return self.notifications.remove(i)["params"].clone();
        }
        loop {
            let msg = self.recv();
            if msg["method"] == method && msg.get("id").is_none() && pred(&msg["params"]) {
                return msg["params"].clone();
            }
            self.keep(msg);
        }
    }

    /// `initialize` then `initialized`; returns the initialize result.
    pub fn initialize(&mut self, root_uri: &str) -> Value {
        self.initialize_with(root_uri, json!({}))
    }

    /// `initialize` with these client capabilities, then `initialized`.
    pub fn initialize_with(&mut self, root_uri: &str, capabilities: Value) -> Value {
        self.initialize_with_options(root_uri, capabilities, Value::Null)
    }

    /// `initialize` with these client capabilities and `initializationOptions`, then
    /// `initialized`.
    pub fn initialize_with_options(
        &mut self,
        root_uri: &str,
        capabilities: Value,
        options: Value,
    ) -> Value {
        let result = self.result(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "capabilities": capabilities,
                "initializationOptions": options}),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "arch", "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// An incremental change: replace `range` (an LSP range as JSON) with `text`.
    pub fn change_range(&mut self, uri: &str, version: i32, range: Value, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": text}]}),
        );
    }

    /// `shutdown` then `exit`; returns the process status.
    pub fn shutdown(mut self) -> ExitStatus {
        let resp = self.request("shutdown", Value::Null);
        assert!(resp.get("error").is_none(), "shutdown failed: {resp}");
        self.notify("exit", Value::Null);
        self.child.wait().expect("wait for the server")
    }
}

/// The LSP position (line, UTF-16 column) of the start of the `nth` occurrence of `needle`.
pub fn position_of(text: &str, needle: &str, nth: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("`{needle}` occurs fewer than {} times", nth + 1));
    position_at(text, offset)
}

/// The LSP position just after the `nth` occurrence of `needle`.
pub fn position_after(text: &str, needle: &str, nth: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, s)| i + s.len())
        .unwrap_or_else(|| panic!("`{needle}` occurs fewer than {} times", nth + 1));
    position_at(text, offset)
}

/// The LSP position of a byte offset.
pub fn position_at(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// A `file:` URI for a path (ASCII paths only, as test temp dirs are).
pub fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}
