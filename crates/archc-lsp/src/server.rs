//! The message loop. A reader thread turns stdin into frames ([`super::transport`]); the
//! loop answers each in order: a malformed frame with its JSON-RPC error, requests from the
//! world, notifications by updating the world and publishing diagnostics. A change of a
//! document (or of a watched file on disk) also re-analyses and re-publishes the open
//! documents that `use` it or read it. A solve runs on a worker thread
//! ([`super::solve`]) whose answer comes back through the same queue, so that it can be
//! cancelled ([`super::cancel`]) and never holds up other requests. When no message is
//! waiting, the parse cache of a newly opened document is filled on another thread.

use super::cancel::{Cancel, Stopping};
use super::publish;
use super::solve::{SolveJob, SOLVE_AND_EXPLAIN};
use super::transport::{self, FrameError, FrameReader};
use super::world::{Depth, FilledCache, World};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel as CancelRequest, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Exit, Initialized, LogMessage, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{ExecuteCommand, Initialize, RegisterCapability, Request as _, Shutdown};
use lsp_types::{MessageType, PublishDiagnosticsParams, Uri};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::time::Instant;

/// What the loop waits for.
enum Event {
    Frame(Result<Message, FrameError>),
    /// A solve worker ended: its answer (`None` when it was cancelled before it had
    /// one), and whether it was cancelled.
    Solved {
        id: RequestId,
        answer: Option<Response>,
        cancelled: bool,
        started: Instant,
    },
    /// A parse cache was filled off the loop.
    CacheFilled(FilledCache),
    /// The input ended.
    End,
}

/// The glob of files (data and `use`d models) whose changes on disk re-analyse the open
/// documents that read them.
pub const DATA_GLOB: &str = "**/*.{csv,json,arch}";

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
        others: publish::Others::default(),
        filling: false,
        next_id: 0,
    };
    server.serve(&rx)
}

struct Server<W: Write> {
    out: W,
    world: World,
    events: Sender<Event>,
    /// Requests answered by a worker, with their cancellation state.
    pending: HashMap<RequestId, Arc<Cancel>>,
    initialized: bool,
    shutting_down: bool,
    /// The client registers file watchers for us (`workspace.didChangeWatchedFiles`).
    watch_files: bool,
    /// What each document published for the other files it reads.
    others: publish::Others,
    /// A parse cache is being filled off the loop.
    filling: bool,
    /// The id of the next request to the client.
    next_id: i32,
}

impl<W: Write> Server<W> {
    fn serve(&mut self, rx: &Receiver<Event>) -> i32 {
        loop {
            let event = match rx.try_recv() {
                Ok(e) => e,
                Err(TryRecvError::Empty) => {
                    self.start_cache_fill();
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
                Event::Solved {
                    id,
                    answer,
                    cancelled,
                    started,
                } => {
                    // A cancelled request was answered already.
                    if let Some(resp) = answer.filter(|_| self.pending.remove(&id).is_some()) {
                        self.send(Message::Response(resp));
                    }
                    if cancelled {
                        let seconds = started.elapsed().as_secs_f64();
                        self.log(
                            MessageType::LOG,
                            format!("the cancelled solve {id} ended after {seconds:.1} s"),
                        );
                    }
                    None
                }
                Event::CacheFilled(filled) => {
                    self.filling = false;
                    let name = file_name(&filled.path);
                    let items = filled.items;
                    if self.world.install_cache(filled) {
                        self.log(
                            MessageType::LOG,
                            format!("the parse cache of {name} holds {items} items"),
                        );
                    }
                    None
                }
            };
            if let Some(code) = done {
                return code;
            }
        }
    }

    /// Fill the parse cache of a cold document on another thread, one at a time.
    fn start_cache_fill(&mut self) {
        if self.filling {
            return;
        }
        let Some(fill) = self.world.next_cache_fill() else {
            return;
        };
        let events = self.events.clone();
        let spawned = std::thread::Builder::new()
            .name("archc-lsp-parse".into())
            .spawn(move || {
                let _ = events.send(Event::CacheFilled(fill.run()));
            });
        // Without a thread the cache stays cold: the first edit fills it.
        self.filling = spawned.is_ok();
    }

    /// A `window/logMessage` notification.
    fn log(&mut self, typ: MessageType, message: String) {
        self.send(Message::Notification(Notification::new(
            LogMessage::METHOD.to_string(),
            lsp_types::LogMessageParams { typ, message },
        )));
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
            let cache_dir = params
                .initialization_options
                .as_ref()
                .and_then(|o| o["cacheDir"].as_str())
                .map(PathBuf::from);
            super::stdlib_docs::set_cache_base(cache_dir);
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
        let cancel = Arc::new(Cancel::default());
        let worker = cancel.clone();
        let events = self.events.clone();
        let id = req.id.clone();
        let spawned = std::thread::Builder::new()
            .name("archc-lsp-solve".into())
            .spawn(move || {
                let started = Instant::now();
                worker.register_thread();
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(&worker)));
                let answer = match outcome {
                    Ok(None) => None,
                    Ok(Some(Ok(value))) => Some(Response::new_ok(id.clone(), value)),
                    Ok(Some(Err(m))) => Some(Response::new_err(
                        id.clone(),
                        ErrorCode::RequestFailed as i32,
                        m,
                    )),
                    Err(_) => Some(Response::new_err(
                        id.clone(),
                        ErrorCode::InternalError as i32,
                        format!("internal error in `{SOLVE_AND_EXPLAIN}`"),
                    )),
                };
                let _ = events.send(Event::Solved {
                    id,
                    answer,
                    cancelled: worker.is_cancelled(),
                    started,
                });
            });
        match spawned {
            Ok(_) => {
                self.pending.insert(req.id, cancel);
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
            CancelRequest::METHOD => {
                let id = serde_json::from_value::<RequestId>(n.params["id"].clone()).ok()?;
                let cancel = self.pending.remove(&id)?;
                let stopping = cancel.cancel();
                self.error(
                    id.clone(),
                    ErrorCode::RequestCanceled,
                    "the request was cancelled",
                );
                if let Stopping::Detached(kind) = stopping {
                    self.log(
                        MessageType::INFO,
                        format!(
                            "solve {id}: {} cannot be interrupted; the cancelled solve goes on \
                             at the lowest priority until it ends or reaches its time limit",
                            kind.name()
                        ),
                    );
                }
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
                    .map(|c| archc::source::normalize(&super::convert::uri_to_path(&c.uri)))
                    .collect();
                let mut affected: Vec<PathBuf> = self
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
                                .is_some_and(|p| changed.contains(&archc::source::normalize(p)))
                        })
                    })
                    .map(|(p, _)| p.clone())
                    .collect();
                for c in &changed {
                    affected.extend(self.world.users_of(c));
                }
                affected.sort();
                affected.dedup();
                for path in affected {
                    // An open document is read from its buffer, not from disk.
                    if changed.contains(&archc::source::normalize(&path)) {
                        continue;
                    }
                    self.world.reanalyze(&path, Depth::Saved);
                    self.publish(&path);
                }
            }
            DidOpenTextDocument::METHOD
            | DidChangeTextDocument::METHOD
            | DidSaveTextDocument::METHOD
            | DidCloseTextDocument::METHOD => {
                // Documents that use the changed one are analysed again as deep as it.
                let depth = if n.method == DidChangeTextDocument::METHOD {
                    Depth::Typing
                } else {
                    Depth::Saved
                };
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    super::sync::apply(&mut self.world, n)
                }));
                match outcome {
                    Ok(Some(super::sync::Changed::Analysed(path))) => {
                        self.publish(&path);
                        self.reanalyze_users(&path, depth);
                    }
                    Ok(Some(super::sync::Changed::Closed(uri, path))) => {
                        // What other documents found in this file, if any, is shown now.
                        let merged = self.others.merged(&uri);
                        self.notify_diagnostics(uri, merged, None);
                        for other in self.others.remove(&path) {
                            self.send_others(other);
                        }
                        self.reanalyze_users(&path, depth);
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

    /// Analyse again, and publish, the open documents that use or read the file at `path`
    /// (its text changed, it was opened with a text of its own, or closed).
    fn reanalyze_users(&mut self, path: &Path, depth: Depth) {
        for user in self.world.users_of(path) {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.world.reanalyze(&user, depth)
            }));
            if outcome.is_err() {
                eprintln!("archc lsp: the analysis of `{}` panicked", user.display());
                continue;
            }
            self.publish(&user);
        }
    }

    /// Publish the diagnostics of a document, and those it has for the other files it
    /// reads (merged with what other documents have for them); clear those of files it
    /// published for before and no longer has errors in.
    fn publish(&mut self, path: &Path) {
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
        for other in self.others.set(path, published.others) {
            self.send_others(other);
        }
    }

    /// Send what the open documents have for another file, unless it is open itself (its
    /// own analysis publishes for it).
    fn send_others(&mut self, uri: Uri) {
        if self.world.doc(&uri).is_some() {
            return;
        }
        let merged = self.others.merged(&uri);
        self.notify_diagnostics(uri, merged, None);
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
