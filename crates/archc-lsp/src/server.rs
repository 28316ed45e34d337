//! The message loop. A reader thread turns stdin into frames ([`super::transport`]); the
//! loop answers each in order: a malformed frame with its JSON-RPC error, requests from the
//! world, notifications by updating the world and publishing diagnostics. A solve runs on
//! a worker thread ([`super::solve`]) whose answer comes back through the same queue, so
//! that it can be cancelled and never holds up other requests. When no message is waiting
//! the loop fills the parse cache of a newly opened document.

use super::publish;
use super::solve::{SolveJob, SOLVE_AND_EXPLAIN};
use super::transport::{self, FrameError, FrameReader};
use super::world::{Depth, World};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Exit, Initialized, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{ExecuteCommand, Initialize, RegisterCapability, Request as _, Shutdown};
use lsp_types::{PublishDiagnosticsParams, Uri};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::Arc;

/// What the loop waits for.
enum Event {
    Frame(Result<Message, FrameError>),
    /// A worker's answer to a request.
    Answered(Response),
    /// The input ended.
    End,
}

/// The glob of data files whose changes re-analyse the open documents.
pub const DATA_GLOB: &str = "**/*.{csv,json}";

/// Serve the protocol on `input` and `output` until the client exits. Returns the process
/// exit code: 0 after `shutdown` then `exit`, 1 otherwise.
pub fn run(input: impl BufRead + Send + 'static, output: impl Write) -> i32 {
    let (tx, rx) = mpsc::channel();
    let reader_tx = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("archc-lsp-reader".into())
        .spawn(move || {
            let mut reader = FrameReader::new(input);
            while let Some(frame) = reader.next_frame() {
                if reader_tx.send(Event::Frame(frame)).is_err() {
                    return;
                }
            }
            let _ = reader_tx.send(Event::End);
        });
    if let Err(e) = spawned {
        eprintln!("archc lsp: cannot start the reader: {e}");
        return 1;
    }
    let mut server = Server {
        out: output,
        world: World::default(),
        events: tx,
        pending: HashMap::new(),
        initialized: false,
        shutting_down: false,
        watch_files: false,
        data_published: HashMap::new(),
        next_id: 0,
    };
    server.serve(&rx)
}

struct Server<W: Write> {
    out: W,
    world: World,
    events: Sender<Event>,
    /// Requests answered by a worker, with their cancellation flags.
    pending: HashMap<RequestId, Arc<AtomicBool>>,
    initialized: bool,
    shutting_down: bool,
    /// The client registers file watchers for us (`workspace.didChangeWatchedFiles`).
    watch_files: bool,
    /// For each document, the data files it published diagnostics for.
    data_published: HashMap<PathBuf, Vec<Uri>>,
    /// The id of the next request to the client.
    next_id: i32,
}

impl<W: Write> Server<W> {
    fn serve(&mut self, rx: &Receiver<Event>) -> i32 {
        loop {
            let event = match rx.try_recv() {
                Ok(e) => e,
                Err(TryRecvError::Empty) => {
                    if self.world.warm_parse_caches() {
                        continue;
                    }
                    match rx.recv() {
                        Ok(e) => e,
                        Err(_) => return 1,
                    }
                }
                Err(TryRecvError::Disconnected) => return 1,
            };
            let done = match event {
                Event::End => return 1,
                Event::Frame(Err(e)) => {
                    eprintln!("archc lsp: {}", e.message);
                    self.write_value(&e.response());
                    None
                }
                Event::Frame(Ok(Message::Request(req))) => {
                    self.on_request(req);
                    None
                }
                Event::Frame(Ok(Message::Notification(n))) => self.on_notification(n),
                Event::Frame(Ok(Message::Response(_))) => None,
                Event::Answered(resp) => {
                    // A cancelled request was answered already.
                    if self.pending.remove(&resp.id).is_some() {
                        self.send(Message::Response(resp));
                    }
                    None
                }
            };
            if let Some(code) = done {
                return code;
            }
        }
    }

    fn send(&mut self, msg: Message) {
        if let Err(e) = transport::write_message(&mut self.out, &msg) {
            eprintln!("archc lsp: cannot write: {e}");
        }
    }

    fn write_value(&mut self, value: &serde_json::Value) {
        if let Err(e) = transport::write_value(&mut self.out, value) {
            eprintln!("archc lsp: cannot write: {e}");
        }
    }

    fn error(&mut self, id: RequestId, code: ErrorCode, message: impl Into<String>) {
        self.send(Message::Response(Response::new_err(
            id,
            code as i32,
            message.into(),
        )));
    }

    fn on_request(&mut self, req: Request) {
        if !self.initialized {
            if req.method != Initialize::METHOD {
                return self.error(
                    req.id,
                    ErrorCode::ServerNotInitialized,
                    "the server is not initialized",
                );
            }
            let params: lsp_types::InitializeParams =
                serde_json::from_value(req.params).unwrap_or_default();
            self.watch_files = params
                .capabilities
                .workspace
                .and_then(|w| w.did_change_watched_files)
                .and_then(|c| c.dynamic_registration)
                .unwrap_or(false);
            self.initialized = true;
            let result = serde_json::json!({
                "capabilities": super::capabilities(),
                "serverInfo": {"name": "archc", "version": env!("CARGO_PKG_VERSION")},
            });
            return self.send(Message::Response(Response::new_ok(req.id, result)));
        }
        if req.method == Initialize::METHOD {
            return self.error(req.id, ErrorCode::InvalidRequest, "initialized already");
        }
        if self.shutting_down {
            return self.error(
                req.id,
                ErrorCode::InvalidRequest,
                "the server is shutting down",
            );
        }
        if req.method == Shutdown::METHOD {
            self.shutting_down = true;
            return self.send(Message::Response(Response::new_ok(
                req.id,
                serde_json::Value::Null,
            )));
        }
        if req.method == ExecuteCommand::METHOD
            && req.params["command"].as_str() == Some(SOLVE_AND_EXPLAIN)
        {
            return self.start_solve(req);
        }
        let resp = super::handle_request(&mut self.world, req);
        self.send(Message::Response(resp));
    }

    /// Start `archc.solveAndExplain` on a worker thread.
    fn start_solve(&mut self, req: Request) {
        let arguments: Vec<serde_json::Value> = req.params["arguments"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let job = match SolveJob::new(&self.world, &arguments) {
            Ok(job) => job,
            Err(m) => return self.error(req.id, ErrorCode::RequestFailed, m),
        };
        let cancelled = Arc::new(AtomicBool::new(false));
        let flag = cancelled.clone();
        let events = self.events.clone();
        let id = req.id.clone();
        let spawned = std::thread::Builder::new()
            .name("archc-lsp-solve".into())
            .spawn(move || {
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(&flag)));
                let resp = match outcome {
                    Ok(None) => return,
                    Ok(Some(Ok(value))) => Response::new_ok(id, value),
                    Ok(Some(Err(m))) => Response::new_err(id, ErrorCode::RequestFailed as i32, m),
                    Err(_) => Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        format!("internal error in `{SOLVE_AND_EXPLAIN}`"),
                    ),
                };
                let _ = events.send(Event::Answered(resp));
            });
        match spawned {
            Ok(_) => {
                self.pending.insert(req.id, cancelled);
            }
            Err(e) => self.error(
                req.id,
                ErrorCode::InternalError,
                format!("cannot start the solve: {e}"),
            ),
        }
    }

    /// Handle a notification; `Some(code)` when the server is to exit.
    fn on_notification(&mut self, n: Notification) -> Option<i32> {
        match n.method.as_str() {
            Exit::METHOD => return Some(if self.shutting_down { 0 } else { 1 }),
            Initialized::METHOD => self.register_watchers(),
            Cancel::METHOD => {
                let id = serde_json::from_value::<RequestId>(n.params["id"].clone()).ok()?;
                let flag = self.pending.remove(&id)?;
                flag.store(true, Ordering::Relaxed);
                self.error(id, ErrorCode::RequestCanceled, "the request was cancelled");
            }
            DidChangeWatchedFiles::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(n.params)
                else {
                    return None;
                };
                let changed: HashSet<PathBuf> = p
                    .changes
                    .iter()
                    .map(|c| super::convert::uri_to_path(&c.uri))
                    .collect();
                let affected: Vec<PathBuf> = self
                    .world
                    .docs
                    .iter()
                    .filter(|(_, d)| {
                        let sources = &d.current.analysis.sources;
                        (0..sources.len()).any(|i| {
                            let f = archc::span::FileId(i as u32);
                            sources
                                .get(f)
                                .path
                                .as_ref()
                                .is_some_and(|p| changed.contains(p))
                        }) || changed.iter().any(|c| d.text.contains(&file_name(c)))
                    })
                    .map(|(p, _)| p.clone())
                    .collect();
                for path in affected {
                    self.world.reanalyze(&path, Depth::Saved);
                    self.publish(&path);
                }
            }
            DidOpenTextDocument::METHOD
            | DidChangeTextDocument::METHOD
            | DidSaveTextDocument::METHOD
            | DidCloseTextDocument::METHOD => {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    super::sync::apply(&mut self.world, n)
                }));
                match outcome {
                    Ok(Some(super::sync::Changed::Analysed(path))) => self.publish(&path),
                    Ok(Some(super::sync::Changed::Closed(uri, path))) => {
                        self.clear(uri);
                        for data in self.data_published.remove(&path).unwrap_or_default() {
                            self.clear(data);
                        }
                    }
                    Ok(None) => {}
                    Err(_) => eprintln!("archc lsp: a notification handler panicked"),
                }
            }
            _ => {}
        }
        None
    }

    /// Ask the client to watch data files, when it can.
    fn register_watchers(&mut self) {
        if !self.watch_files {
            return;
        }
        self.next_id += 1;
        let params = lsp_types::RegistrationParams {
            registrations: vec![lsp_types::Registration {
                id: "archc-data-files".into(),
                method: DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(
                    lsp_types::DidChangeWatchedFilesRegistrationOptions {
                        watchers: vec![lsp_types::FileSystemWatcher {
                            glob_pattern: lsp_types::GlobPattern::String(DATA_GLOB.into()),
                            kind: None,
                        }],
                    },
                )
                .ok(),
            }],
        };
        let id = RequestId::from(format!("archc-register-{}", self.next_id));
        self.send(Message::Request(Request::new(
            id,
            RegisterCapability::METHOD.into(),
            params,
        )));
    }

    /// Publish the diagnostics of a document and of the data files it reads; clear those
    /// of data files it published for before and no longer has errors in.
    fn publish(&mut self, path: &std::path::Path) {
        let Some(doc) = self.world.docs.get(path) else {
            return;
        };
        let snap = doc.current.clone();
        if snap.analysis.sources.is_empty() {
            return;
        }
        let uri = doc.uri.clone();
        let version = doc.version;
        let published = publish::diagnostics(&self.world, &snap, &uri);
        self.notify_diagnostics(uri, published.own, Some(version));
        let before = self.data_published.remove(path).unwrap_or_default();
        let mut now = Vec::new();
        for (data_uri, diags) in published.data {
            now.push(data_uri.clone());
            self.notify_diagnostics(data_uri, diags, None);
        }
        for stale in before {
            if !now.iter().any(|u| u.as_str() == stale.as_str()) {
                self.clear(stale);
            }
        }
        self.data_published.insert(path.to_path_buf(), now);
    }

    fn clear(&mut self, uri: Uri) {
        self.notify_diagnostics(uri, Vec::new(), None);
    }

    fn notify_diagnostics(
        &mut self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) {
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        )));
    }
}

/// The file name of a path, as a model's `from "..."` would name it.
fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
