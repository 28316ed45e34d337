//! The language server (`archc lsp`): JSON-RPC over stdio, framed by [`transport`] and
//! served by the loop in [`server`]. It keeps the open documents in a [`world::World`]
//! (incremental sync, see [`sync`]), analyses a document with [`archc::driver::analyze`]
//! on every open and change, publishes its diagnostics (and those of the data files it
//! reads, see [`publish`]), and answers requests from the latest analysis; a solve runs on
//! a worker thread ([`solve`]) that a cancel stops or detaches ([`cancel`]). Stdout carries only the protocol; logs go to stderr. A
//! malformed message is answered with an error, and a request handler that panics with an
//! internal error; the server goes on.

pub mod cancel;
pub mod code_actions;
pub mod completion;
pub mod convert;
pub mod forecasts;
pub mod index;
pub mod navigation;
pub mod outline;
pub mod publish;
pub mod scenarios;
pub mod server;
pub mod sizes;
pub mod solve;
pub mod stdlib_docs;
pub mod sync;
pub mod transport;
pub mod world;

use lsp_server::{ErrorCode, Request, Response};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, ExecuteCommand, Formatting,
    GotoDefinition, HoverRequest, InlayHintRequest, References, Rename, Request as _,
    SemanticTokensFullRequest,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    DocumentSymbolResponse, ExecuteCommandOptions, HoverProviderCapability, OneOf, Range,
    SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use world::World;

pub use solve::SOLVE_AND_EXPLAIN;

/// Run the language server on stdin/stdout until the client exits. Returns the process
/// exit code: 0 after `shutdown` then `exit`, 1 otherwise.
pub fn run_stdio() -> i32 {
    let stdout = std::io::stdout();
    server::run(std::io::BufReader::new(std::io::stdin()), stdout.lock())
}

/// The capabilities this server announces.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            lsp_types::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
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
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![SOLVE_AND_EXPLAIN.into()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

type Handled = Result<serde_json::Value, (ErrorCode, String)>;

/// Answer one request; a panic in a handler becomes an internal error response.
pub(crate) fn handle_request(world: &mut World, req: Request) -> Response {
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
        CodeActionRequest::METHOD => on::<CodeActionRequest>(&req, |p| {
            Ok(w.doc(&p.text_document.uri)
                .map(|d| code_actions::code_actions(d, &p)))
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

/// `workspace/executeCommand`: the place where commands are added. The loop runs
/// [`SOLVE_AND_EXPLAIN`] on a worker thread; here it runs in place (for embedders that call
/// [`handle_request`] themselves).
fn execute_command(
    world: &World,
    command: &str,
    arguments: &[serde_json::Value],
) -> Result<Option<serde_json::Value>, String> {
    match command {
        SOLVE_AND_EXPLAIN => {
            let job = solve::SolveJob::new(world, arguments)?;
            job.run(&cancel::Cancel::default())
                .unwrap_or(Ok(serde_json::Value::Null))
                .map(Some)
        }
        other => Err(format!("unknown command `{other}`")),
    }
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
