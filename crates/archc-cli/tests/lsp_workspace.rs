//! The language server with more than one file, over its real protocol: errors in a `use`d
//! model file are published for that file (and on the `use` line of the model) and cleared
//! when fixed; opening, editing, saving and closing a used file, or changing it on disk,
//! re-analyses the open documents that use it; the parse cache of a large document is
//! filled off the message loop, so a request is answered meanwhile; the standard library
//! is written into the cache folder the client names, and an error inside one of its modules
//! is published for the module's document and on the model's `use std.NAME` until fixed.

use crate::lsp_client;

use lsp_client::{file_uri, position_after, position_of, Client};
use serde_json::{json, Value};
use std::path::PathBuf;

/// A temporary folder named after the test, with a started and initialized server.
struct Workspace {
    client: Client,
    dir: PathBuf,
    root: String,
}

impl Workspace {
    fn start(test: &str, capabilities: Value, options: Value) -> Workspace {
        let dir = std::env::temp_dir().join(format!("archc-lsp-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let root = file_uri(&dir);
        let mut client = Client::start();
        client.initialize_with_options(&root, capabilities, options);
        Workspace { client, dir, root }
    }

    fn uri(&self, name: &str) -> String {
        format!("{}/{name}", self.root)
    }

    /// Wait for diagnostics of `uri` that satisfy `pred`.
    fn diagnostics(&mut self, uri: &str, pred: impl Fn(&[String]) -> bool) -> Value {
        self.client
            .wait_notification("textDocument/publishDiagnostics", |p| {
                p["uri"] == uri && pred(&codes(p))
            })
    }

    fn finish(self) {
        let status = self.client.shutdown();
        assert!(status.success(), "{status:?}");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["code"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

const MAIN: &str = "use \"lib.arch\"\nparam limit: kW = budget * 2\n";
const LIB: &str = "param budget: kW = 100 kW\n";

#[test]
fn errors_in_a_used_file_are_published_for_it_and_cleared_when_fixed() {
    let mut w = Workspace::start(
        "used-errors",
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        Value::Null,
    );
    let lib = w.dir.join("lib.arch");
    std::fs::write(&lib, LIB.replace("100 kW", "100 h")).expect("used file");
    let (main_uri, lib_uri) = (w.uri("main.arch"), w.uri("lib.arch"));
    w.client.open(&main_uri, MAIN);
    // The unit error is published for the used file, at its value...
    let in_lib = w.diagnostics(&lib_uri, |c| !c.is_empty());
    assert_eq!(codes(&in_lib), ["E0405"], "{in_lib}");
    assert_eq!(in_lib["diagnostics"][0]["range"]["start"]["line"], 0);
    // ...and on the model's `use` string, pointing to it.
    let in_main = w.diagnostics(&main_uri, |c| !c.is_empty());
    let on_use = &in_main["diagnostics"][0];
    assert_eq!(on_use["code"], "E0405", "{in_main}");
    assert_eq!(
        on_use["range"]["start"],
        position_of(MAIN, "\"lib.arch\"", 0)
    );
    assert_eq!(
        on_use["relatedInformation"][0]["location"]["uri"],
        lib_uri.as_str()
    );
    // The client watches model files too; fixed on disk, both are cleared.
    let watched = w
        .client
        .server_requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability")
        .map(|r| r["params"]["registrations"][0]["registerOptions"]["watchers"][0].clone())
        .unwrap_or_default();
    assert!(
        watched["globPattern"]
            .as_str()
            .is_some_and(|g| g.contains("arch")),
        "{watched}"
    );
    std::fs::write(&lib, LIB).expect("used file");
    w.client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": lib_uri, "type": 2}]}),
    );
    let cleared = w.diagnostics(&lib_uri, |c| c.is_empty());
    assert_eq!(cleared["diagnostics"], json!([]));
    w.diagnostics(&main_uri, |c| c.is_empty());
    // A syntax error on disk is published the same way.
    std::fs::write(&lib, "param budget: kW = = 100 kW\n").expect("used file");
    w.client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": lib_uri, "type": 2}]}),
    );
    let in_lib = w.diagnostics(&lib_uri, |c| !c.is_empty());
    assert!(codes(&in_lib).contains(&"E0101".to_string()), "{in_lib}");
    // Closing the model clears what it published for the used file.
    w.client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": main_uri}}),
    );
    w.diagnostics(&lib_uri, |c| c.is_empty());
    w.finish();
}

#[test]
fn editing_a_used_file_re_analyses_the_documents_that_use_it() {
    let mut w = Workspace::start("used-edits", json!({}), Value::Null);
    std::fs::write(w.dir.join("lib.arch"), LIB).expect("used file");
    let (main_uri, lib_uri) = (w.uri("main.arch"), w.uri("lib.arch"));
    w.client.open(&main_uri, MAIN);
    w.diagnostics(&main_uri, |c| c.is_empty());
    // Opening the used file with a text of its own re-publishes the model (which is not
    // touched): `budget` is gone.
    let renamed = LIB.replace("budget", "power");
    w.client.open(&lib_uri, &renamed);
    let main = w.diagnostics(&main_uri, |c| !c.is_empty());
    assert_eq!(codes(&main), ["E0201"], "{main}");
    // An edit of the used file that brings it back clears the model.
    w.client.change(&lib_uri, 2, LIB);
    w.diagnostics(&main_uri, |c| c.is_empty());
    // A range edit that breaks the used file's unit shows on the model's `use` line; the
    // used file, open, publishes its own diagnostics.
    let range = json!({"start": position_of(LIB, "kW", 1), "end": position_after(LIB, "kW", 1)});
    w.client.change_range(&lib_uri, 3, range, "h");
    let lib = w.diagnostics(&lib_uri, |c| !c.is_empty());
    assert_eq!(codes(&lib), ["E0405"], "{lib}");
    assert_eq!(lib["version"], 3, "{lib}");
    let main = w.diagnostics(&main_uri, |c| !c.is_empty());
    assert_eq!(codes(&main), ["E0405"], "{main}");
    // Saving re-analyses too; closing the used file goes back to its (good) disk copy.
    w.client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": lib_uri}}),
    );
    let main = w.diagnostics(&main_uri, |c| !c.is_empty());
    assert_eq!(codes(&main), ["E0405"], "{main}");
    w.client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": lib_uri}}),
    );
    w.diagnostics(&main_uri, |c| c.is_empty());
    w.finish();
}

/// A model of `lines` params, each used by the next.
fn many_params(lines: usize) -> String {
    let mut s = String::from("param p0: int = 1\n");
    for i in 1..lines {
        s.push_str(&format!("param p{i}: int = p{} + 1\n", i - 1));
    }
    s
}

/// The parse cache of an opened document is filled on another thread: a hover sent once
/// the document is published is answered before the fill is done (the server logs when
/// it is), not after it.
#[test]
fn a_hover_is_answered_while_the_parse_cache_is_filled() {
    let mut w = Workspace::start("cache-fill", json!({}), Value::Null);
    let text = many_params(40_000);
    let uri = w.uri("big.arch");
    w.client.open(&uri, &text);
    w.diagnostics(&uri, |c| c.is_empty());
    let filled = |n: &Value| {
        n["method"] == "window/logMessage"
            && n["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("parse cache"))
    };
    assert!(
        !w.client.notifications.iter().any(filled),
        "the cache was filled before the document was published"
    );
    let hover = w.client.result(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position_of(&text, "p7 ", 0)}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|t| t.contains("p7")),
        "{hover}"
    );
    assert!(
        !w.client.notifications.iter().any(filled),
        "the hover waited for the parse cache to be filled"
    );
    let log = w.client.wait_notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("parse cache"))
    });
    assert!(
        log["message"]
            .as_str()
            .is_some_and(|m| m.contains("40000 items")),
        "{log}"
    );
    w.finish();
}

#[test]
fn the_standard_library_is_written_into_the_cache_folder_the_client_names() {
    let cache = std::env::temp_dir().join(format!("archc-lsp-client-cache-{}", std::process::id()));
    let mut w = Workspace::start(
        "cache-dir",
        json!({}),
        json!({"cacheDir": cache.display().to_string()}),
    );
    let text = "use std.infra\nregion a { cores: 8 core }\nparam c: core = a.cores\n";
    let uri = w.uri("model.arch");
    w.client.open(&uri, text);
    w.diagnostics(&uri, |c| c.is_empty());
    let def = w.client.result(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": position_after(text, "a.", 0)}),
    );
    let def = if def.is_array() { def[0].clone() } else { def };
    let path = PathBuf::from(
        def["uri"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("file://"),
    );
    assert!(path.starts_with(&cache), "{def}");
    assert!(path.is_file(), "{}", path.display());
    assert!(!path.starts_with(&w.client.cache_dir));
    w.finish();
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn an_error_inside_a_standard_library_template_is_shown_on_its_use_line_until_fixed() {
    let cache = std::env::temp_dir().join(format!("archc-lsp-std-errors-{}", std::process::id()));
    let mut w = Workspace::start(
        "std-errors",
        json!({}),
        json!({"cacheDir": cache.display().to_string()}),
    );
    // `fit` compares `i.size * x` with `p.capacity`: memory (GiB) against cores.
    let text = "use std.infra\nuse std.placement\nregion a { cores: 8 core }\n\
                service s { cores: 2 core, replicas: 2 }\n\
                decide x[s in services, r in regions]: int >= 0 <= 4\n\
                apply fit(x, services, regions, memory, cores) as f\n\
                minimize o: sum(s in services, r in regions) x[s, r]\n";
    let uri = w.uri("model.arch");
    w.client.open(&uri, text);
    let on_model = w.diagnostics(&uri, |c| !c.is_empty());
    let d = &on_model["diagnostics"][0];
    assert_eq!(d["code"], "E0402", "{on_model}");
    assert_eq!(
        d["range"]["start"],
        position_of(text, "use std.placement", 0)
    );
    assert_eq!(
        d["range"]["end"],
        position_after(text, "use std.placement", 0)
    );
    let module_uri = d["relatedInformation"][0]["location"]["uri"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(module_uri.ends_with("placement.arch"), "{on_model}");
    let module_path = PathBuf::from(module_uri.trim_start_matches("file://"));
    assert!(module_path.starts_with(&cache), "{module_uri}");
    // The module's own document gets the error at the template's constraint (line 16).
    let in_module = w.diagnostics(&module_uri, |c| !c.is_empty());
    assert_eq!(codes(&in_module), ["E0402"], "{in_module}");
    assert_eq!(in_module["diagnostics"][0]["range"]["start"]["line"], 15);
    // Arguments that fit clear both: the module's document and the model.
    let fixed = text.replace("memory, cores", "cores, cores");
    w.client.change(&uri, 2, &fixed);
    let cleared = w.diagnostics(&module_uri, |c| c.is_empty());
    assert_eq!(cleared["diagnostics"], json!([]), "{cleared}");
    let on_model = w
        .client
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri.as_str() && p["version"] == 2
        });
    assert!(codes(&on_model).is_empty(), "{on_model}");
    w.finish();
    let _ = std::fs::remove_dir_all(&cache);
}
