//! The language server (`archc lsp`): JSON-RPC over stdio with lsp-server. It keeps the open
//! documents in a [`world::World`], analyses a document with [`archc::analysis::analyze`]
//! on every open and change (full-text sync), publishes its diagnostics, and answers
//! requests from the latest analysis. Stdout carries only the protocol; logs go to stderr.
//! A request handler that panics is answered with an error and the server goes on.

pub mod completion;
pub mod convert;
pub mod index;
pub mod navigation;
pub mod outline;
pub mod sizes;
pub mod world;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, ExecuteCommand, Formatting, GotoDefinition, HoverRequest,
    InlayHintRequest, References, Rename, Request as _, SemanticTokensFullRequest,
};
use lsp_types::{
    CompletionOptions, DocumentSymbolResponse, ExecuteCommandOptions, HoverProviderCapability,
    OneOf, PublishDiagnosticsParams, Range, SemanticTokensFullOptions, SemanticTokensOptions,
    SemanticTokensResult, SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use world::{Depth, World};

/// The command that solves the model and explains the result (conflicts, repairs).
pub const SOLVE_AND_EXPLAIN: &str = "archc.solveAndExplain";

/// Run the language server on stdin/stdout until the client shuts it down. Returns the
/// process exit code: 0 after `shutdown` then `exit`, 1 otherwise.
pub fn run_stdio() -> i32 {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("archc lsp: {e}");
            1
        }
    };
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("archc lsp: {e}");
    }
    code
}

/// The capabilities this server announces.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            lsp_types::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), " ".into()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: outline::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                ..Default::default()
            },
        )),
        inlay_hint_provider: Some(OneOf::Left(true)),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![SOLVE_AND_EXPLAIN.into()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn serve(connection: &Connection) -> Result<i32, Box<dyn std::error::Error>> {
    let init = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "archc".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    let (id, _params) = connection.initialize_start()?;
    connection.initialize_finish(id, init)?;
    let mut world = World::default();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(0);
                }
                let resp = handle_request(&mut world, req);
                connection.sender.send(Message::Response(resp))?;
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Ok(1);
                }
                let result = catch_unwind(AssertUnwindSafe(|| handle_notification(&mut world, n)));
                match result {
                    Ok(out) => {
                        for m in out {
                            connection.sender.send(Message::Notification(m))?;
                        }
                    }
                    Err(_) => eprintln!("archc lsp: a notification handler panicked"),
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(1)
}

type Handled = Result<serde_json::Value, (ErrorCode, String)>;

/// Answer one request; a panic in a handler becomes an internal error response.
fn handle_request(world: &mut World, req: Request) -> Response {
    let id = req.id.clone();
    let method = req.method.clone();
    let result = catch_unwind(AssertUnwindSafe(|| dispatch(world, req)));
    match result {
        Ok(Ok(value)) => Response::new_ok(id, value),
        Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
        Err(_) => {
            eprintln!("archc lsp: handler for `{method}` panicked");
            Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("internal error in `{method}`"),
            )
        }
    }
}

/// Decode the parameters of a request of type `R`, run `f`, encode its result.
fn on<R: lsp_types::request::Request>(
    req: &Request,
    f: impl FnOnce(R::Params) -> Result<R::Result, String>,
) -> Handled {
    let params: R::Params = serde_json::from_value(req.params.clone())
        .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
    let result = f(params).map_err(|m| (ErrorCode::RequestFailed, m))?;
    serde_json::to_value(result).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

fn dispatch(world: &mut World, req: Request) -> Handled {
    let w: &World = world;
    match req.method.as_str() {
        HoverRequest::METHOD => on::<HoverRequest>(&req, |p| Ok(navigation::hover(w, p))),
        GotoDefinition::METHOD => on::<GotoDefinition>(&req, |p| Ok(navigation::definition(w, p))),
        References::METHOD => on::<References>(&req, |p| Ok(navigation::references(w, p))),
        Rename::METHOD => on::<Rename>(&req, |p| navigation::rename(w, p)),
        Completion::METHOD => on::<Completion>(&req, |p| Ok(completion::completion(w, p))),
        DocumentSymbolRequest::METHOD => on::<DocumentSymbolRequest>(&req, |p| {
            Ok(w.doc(&p.text_document.uri)
                .map(|d| DocumentSymbolResponse::Nested(outline::document_symbols(&d.current))))
        }),
        SemanticTokensFullRequest::METHOD => on::<SemanticTokensFullRequest>(&req, |p| {
            Ok(w.doc(&p.text_document.uri)
                .map(|d| SemanticTokensResult::Tokens(outline::semantic_tokens(&d.current))))
        }),
        InlayHintRequest::METHOD => on::<InlayHintRequest>(&req, |p| {
            Ok(w.doc(&p.text_document.uri)
                .map(|d| outline::inlay_hints(&d.current, p.range)))
        }),
        Formatting::METHOD => on::<Formatting>(&req, |p| {
            Ok(w.doc(&p.text_document.uri).and_then(format_edits))
        }),
        ExecuteCommand::METHOD => {
            on::<ExecuteCommand>(&req, |p| execute_command(w, &p.command, &p.arguments))
        }
        _ => Err((
            ErrorCode::MethodNotFound,
            format!("unsupported request `{}`", req.method),
        )),
    }
}

/// `workspace/executeCommand`: the place where commands are added.
fn execute_command(
    world: &World,
    command: &str,
    arguments: &[serde_json::Value],
) -> Result<Option<serde_json::Value>, String> {
    match command {
        SOLVE_AND_EXPLAIN => solve_and_explain(world, arguments).map(Some),
        other => Err(format!("unknown command `{other}`")),
    }
}

/// `archc.solveAndExplain [uri]`: solve the document's model and return the explanation as
/// LSP diagnostics with related information (empty when the model solves).
fn solve_and_explain(
    world: &World,
    arguments: &[serde_json::Value],
) -> Result<serde_json::Value, String> {
    let uri_text = arguments
        .first()
        .and_then(|v| v.as_str())
        .ok_or_else(|| format!("`{SOLVE_AND_EXPLAIN}` takes the document URI"))?;
    let uri: lsp_types::Uri = uri_text
        .parse()
        .map_err(|_| format!("not a URI: {uri_text}"))?;
    let doc = world
        .doc(&uri)
        .ok_or_else(|| format!("{uri_text} is not open"))?;
    let path = convert::uri_to_path(&uri);
    let options = archc::analysis::AnalyzeOptions {
        overlays: std::collections::HashMap::from([(path.clone(), doc.text.clone())]),
        instantiate: true,
        ..Default::default()
    };
    let mut analysis = archc::analysis::analyze(&path, &options);
    if !analysis.has_errors() {
        analysis.diagnostics = archc::solve::explain::solve_and_explain(
            &analysis,
            &archc::solve::SolveOptions::default(),
        );
    }
    let main = archc::span::FileId(0);
    let index = convert::LineIndex::new(analysis.sources.text(main));
    let uri_of = |f: archc::span::FileId| {
        analysis
            .sources
            .get(f)
            .path
            .as_deref()
            .and_then(convert::path_to_uri)
    };
    let diags = convert::lsp_diagnostics(&analysis, main, &uri, &index, &uri_of);
    serde_json::to_value(diags).map_err(|e| e.to_string())
}

/// One edit replacing the whole document with its formatted text, or none when it is
/// formatted already or does not parse.
fn format_edits(doc: &world::Document) -> Option<Vec<TextEdit>> {
    let formatted = archc::fmt::format_source(&doc.text).ok()?;
    if formatted == doc.text {
        return Some(Vec::new());
    }
    let snap = &doc.current;
    let end = snap.lines.position(snap.text(), snap.text().len());
    Some(vec![TextEdit::new(
        Range::new(lsp_types::Position::new(0, 0), end),
        formatted,
    )])
}

fn handle_notification(world: &mut World, n: Notification) -> Vec<Notification> {
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
            else {
                return Vec::new();
            };
            let d = p.text_document;
            let path = world.set_text(d.uri, d.version, d.text, Depth::Saved);
            publish(world, &path).into_iter().collect()
        }
        DidChangeTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
            else {
                return Vec::new();
            };
            // Full sync: the last change holds the whole text.
            let Some(change) = p.content_changes.into_iter().last() else {
                return Vec::new();
            };
            let path = world.set_text(
                p.text_document.uri,
                p.text_document.version,
                change.text,
                Depth::Typing,
            );
            publish(world, &path).into_iter().collect()
        }
        DidSaveTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
            else {
                return Vec::new();
            };
            let path = convert::uri_to_path(&p.text_document.uri);
            world.reanalyze(&path, Depth::Saved);
            publish(world, &path).into_iter().collect()
        }
        DidCloseTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
            else {
                return Vec::new();
            };
            world.close(&p.text_document.uri);
            vec![diagnostics_notification(
                p.text_document.uri,
                Vec::new(),
                None,
            )]
        }
        _ => Vec::new(),
    }
}

fn publish(world: &World, path: &Path) -> Option<Notification> {
    let doc = world.docs.get(path)?;
    let snap = &doc.current;
    if snap.analysis.sources.is_empty() {
        return None;
    }
    let uri_of = |f| world.uri_of(snap, f);
    let diags = convert::lsp_diagnostics(&snap.analysis, snap.main, &doc.uri, &snap.lines, &uri_of);
    Some(diagnostics_notification(
        doc.uri.clone(),
        diags,
        Some(doc.version),
    ))
}

fn diagnostics_notification(
    uri: Uri,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) -> Notification {
    Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    )
}
