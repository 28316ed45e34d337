//! The language server over its real protocol: the `archc` binary is started with `lsp`
//! and spoken to in JSON-RPC over stdin/stdout. Cursor positions are found by searching
//! the text; responses are snapshotted with the temporary directory's URI redacted.

use crate::lsp_client;

use lsp_client::{file_uri, position_after, position_of, Client};
use serde_json::{json, Value};

const BROKEN: &str = "param hours: h = 730 h\nconstraint fit[r in regions] x <= 1\n";

const MODEL: &str = r#"/// Hours in a month.
param hours: h = 730 h

kind rack { power: kW, site: str }

rack r1 { power: 5 kW, site: "fra" }
rack r2 { power: 7 kW, site: "ams" }

decide build[k in racks]: int >= 0

constraint budget: sum(k in racks) k.power * build[k] <= 100 kW

minimize cost: sum(k in racks) build[k] * hours
"#;

const MESSY: &str = "param   hours :h=730 h\n\n\n\nconstraint budget:\nsum(k in racks) k.power*build[k]<= 100 kW   \n";

struct Session {
    client: Client,
    /// The workspace folder, removed when the session is dropped.
    dir: tempfile::TempDir,
    root: String,
    uri: String,
}

impl Session {
    fn start() -> Session {
        let dir = temp_dir("archc-lsp-protocol-");
        let root = file_uri(dir.path());
        let uri = format!("{root}/model.arch");
        Session {
            client: Client::start(),
            dir,
            root,
            uri,
        }
    }

    /// A JSON value as pretty text with the temporary directory's URI replaced.
    fn redact(&self, v: &Value) -> String {
        serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .replace(&self.root, "file:///ROOT")
    }

    fn at(&self, pos: Value) -> Value {
        json!({"textDocument": {"uri": self.uri}, "position": pos})
    }
}

/// A fresh folder, removed when dropped.
fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("temporary directory")
}

fn codes(diags: &Value) -> Vec<String> {
    diags["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["code"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn labels(items: &Value) -> Vec<String> {
    let list = items.get("items").unwrap_or(items);
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["label"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_whole_editing_session() {
    let mut s = Session::start();
    let root = s.root.clone();
    let init = s.client.initialize(&root);
    let caps = &init["capabilities"];
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "completionProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
        "semanticTokensProvider",
        "inlayHintProvider",
    ] {
        assert!(caps.get(cap).is_some(), "missing capability {cap}");
    }
    insta::assert_snapshot!("capabilities", s.redact(caps));

    // A syntax error is reported with its code.
    let uri = s.uri.clone();
    s.client.open(&uri, BROKEN);
    let diags = s
        .client
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri.as_str()
        });
    assert!(codes(&diags).contains(&"E0101".to_string()), "{diags}");
    insta::assert_snapshot!("diagnostics_syntax_error", s.redact(&diags));

    // The fixed text has no syntax error any more.
    s.client.change(&uri, 2, MODEL);
    let diags = s
        .client
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri.as_str() && p["version"] == 2
        });
    assert!(
        codes(&diags).iter().all(|c| !c.starts_with("E01")),
        "{diags}"
    );

    // Hover on a use of the param names it and says what it is.
    let hover = s
        .client
        .result("textDocument/hover", s.at(position_of(MODEL, "hours", 1)));
    let text = hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(text.contains("hours") && text.contains("param"), "{text}");

    // Go to definition from the objective to the decision's name.
    let def = s.client.result(
        "textDocument/definition",
        s.at(position_of(MODEL, "build", 2)),
    );
    assert_eq!(def["uri"], uri.as_str());
    assert_eq!(def["range"]["start"], position_of(MODEL, "build", 0));
    assert_eq!(def["range"]["end"], position_after(MODEL, "build", 0));
    insta::assert_snapshot!("definition", s.redact(&def));

    // References: the declaration and its two uses.
    let mut params = s.at(position_of(MODEL, "build", 1));
    params["context"] = json!({"includeDeclaration": true});
    let refs = s.client.result("textDocument/references", params);
    assert_eq!(refs.as_array().map(Vec::len), Some(3), "{refs}");

    // Completion after `.` offers the attributes.
    let after_dot = position_after(MODEL, "k.", 0);
    let items = s.client.result("textDocument/completion", s.at(after_dot));
    let l = labels(&items);
    assert!(
        l.contains(&"power".to_string()) && l.contains(&"site".to_string()),
        "{l:?}"
    );

    // Completion in an ordinary position offers keywords and declared names.
    let items = s.client.result(
        "textDocument/completion",
        s.at(position_of(MODEL, "minimize", 0)),
    );
    let l = labels(&items);
    for want in ["constraint", "hours", "build", "sum"] {
        assert!(l.contains(&want.to_string()), "missing {want} in {l:?}");
    }

    // Completion after `use ` offers the standard library, even though `use ` alone
    // does not parse; hover still answers from the last good analysis.
    let with_use = format!("use \n{MODEL}");
    s.client.change(&uri, 3, &with_use);
    let items = s.client.result(
        "textDocument/completion",
        s.at(position_after(&with_use, "use ", 0)),
    );
    insta::assert_snapshot!("completion_use", s.redact(&items));
    let hover = s.client.result(
        "textDocument/hover",
        s.at(position_of(&with_use, "hours", 1)),
    );
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .contains("hours"));
    s.client.change(&uri, 4, MODEL);

    // The outline comes from the syntax tree.
    let symbols = s.client.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        ["hours", "rack", "r1", "r2", "build", "budget", "cost"]
    );
    insta::assert_snapshot!("document_symbols", s.redact(&symbols));

    // Rename a param: its declaration and its use.
    let mut params = s.at(position_of(MODEL, "hours", 0));
    params["newName"] = json!("hours_per_month");
    let edit = s.client.result("textDocument/rename", params);
    let edits = &edit["changes"][uri.as_str()];
    assert_eq!(edits.as_array().map(Vec::len), Some(2), "{edit}");
    insta::assert_snapshot!("rename", s.redact(&edit));

    // Keywords are not renamed.
    let mut params = s.at(position_of(MODEL, "minimize", 0));
    params["newName"] = json!("maximize");
    let resp = s.client.request("textDocument/rename", params);
    assert!(resp.get("error").is_some(), "{resp}");

    // Semantic tokens: five numbers per token, some of them.
    let tokens = s.client.result(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    let data = tokens["data"].as_array().map(Vec::len).unwrap_or(0);
    assert!(data > 0 && data.is_multiple_of(5), "{tokens}");

    // Formatting a messy document.
    s.client.change(&uri, 5, MESSY);
    let edits = s.client.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let new_text = edits[0]["newText"].as_str().unwrap_or_default().to_string();
    insta::assert_snapshot!("formatted", new_text);

    // Solve and explain: without a document it says what it needs; on an infeasible model
    // it returns the conflict as diagnostics.
    let resp = s.client.request(
        "workspace/executeCommand",
        json!({"command": "archc.solveAndExplain", "arguments": []}),
    );
    assert!(
        resp["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("document URI"),
        "{resp}"
    );
    let infeasible = "kind region { cores: core = 0 core }\nregion a { cores: 32 core }\ndecide n[r in regions]: int >= 0 <= 10\nconstraint fit[r in regions]: 16 core * n[r] <= r.cores\nconstraint need: sum(r in regions) n[r] >= 3\n";
    s.client.change(&uri, 6, infeasible);
    let resp = s.client.request(
        "workspace/executeCommand",
        json!({"command": "archc.solveAndExplain", "arguments": [uri]}),
    );
    let text = resp["result"].to_string();
    assert!(
        text.contains("E0711") && text.contains("fit[a]") && text.contains("need"),
        "{resp}"
    );

    let status = s.client.shutdown();
    assert!(status.success(), "{status:?}");
}

#[test]
fn unicode_positions_are_utf16() {
    let mut s = Session::start();
    let root = s.root.clone();
    s.client.initialize(&root);
    let uri = s.uri.clone();
    // `€` is one UTF-16 unit but three bytes; `𝕏` two units and four bytes.
    let text = "param p: int = 1 // € 𝕏\nconstraint c: p >= \"𝕏\" €\n";
    s.client.open(&uri, text);
    let diags = s
        .client
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri.as_str()
        });
    let first = &diags["diagnostics"][0];
    assert_eq!(first["code"], "E0101", "{diags}");
    assert_eq!(
        first["range"]["start"],
        position_of(text, "€", 1),
        "{diags}"
    );
    let status = s.client.shutdown();
    assert!(status.success());
}

/// After an edit a model larger than the typing limits is only checked (hover shows no
/// sizes); on save it is expanded and hover shows how many columns the decision makes.
#[test]
fn large_models_are_expanded_on_save() {
    let mut s = Session::start();
    let root = s.root.clone();
    s.client.initialize(&root);
    let uri = s.uri.clone();
    let small = "decide pick[i in 1..10]: bool\nminimize n: sum(i in 1..10) pick[i]\n";
    let large = small
        .replace("1..10]", "1..150000]")
        .replace("1..10)", "1..150000)");
    s.client.open(&uri, small);
    let hover_text = |s: &mut Session, text: &str| -> String {
        let h = s
            .client
            .result("textDocument/hover", s.at(position_of(text, "pick", 0)));
        h["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        hover_text(&mut s, small).contains("10 columns"),
        "{}",
        hover_text(&mut s, small)
    );
    s.client.change(&uri, 2, &large);
    let typed = hover_text(&mut s, &large);
    assert!(!typed.contains("columns"), "sizes after an edit: {typed}");
    s.client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    let saved = hover_text(&mut s, &large);
    assert!(
        saved.contains("150,000 columns"),
        "sizes after a save: {saved}"
    );
    let status = s.client.shutdown();
    assert!(status.success());
}

/// A name of an entity loaded from a data file is known to the server: hover says what it
/// is and where it comes from, and go to definition opens the data file at its row.
#[test]
fn data_entities_hover_and_go_to_their_row() {
    let mut s = Session::start();
    let dir = s.dir.path().to_path_buf();
    std::fs::write(
        dir.join("regions.csv"),
        "name,cores\nus-east,40\neu-west,24\n",
    )
    .expect("data file");
    let root = s.root.clone();
    s.client.initialize(&root);
    let uri = s.uri.clone();
    let text = "kind site { cores: core }\nsites from \"regions.csv\"\n\
                decide x[r in sites]: int >= 0 <= 10\n\
                constraint c: x[eu-west] >= 2\n\
                minimize n: sum(r in sites) x[r]\n";
    s.client.open(&uri, text);
    let diags = s
        .client
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri.as_str()
        });
    assert!(codes(&diags).is_empty(), "{diags}");
    let hover = s
        .client
        .result("textDocument/hover", s.at(position_of(text, "eu-west", 0)));
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        shown.contains("site eu-west") && shown.contains("regions.csv"),
        "{shown}"
    );
    let def = s.client.result(
        "textDocument/definition",
        s.at(position_of(text, "eu-west", 0)),
    );
    let def = if def.is_array() { def[0].clone() } else { def };
    assert!(
        def["uri"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/regions.csv"),
        "{def}"
    );
    assert_eq!(def["range"]["start"], json!({"line": 2, "character": 0}));
    // Go to definition on the path opens the data file.
    let file = s.client.result(
        "textDocument/definition",
        s.at(position_of(text, "regions.csv", 0)),
    );
    let file = if file.is_array() {
        file[0].clone()
    } else {
        file
    };
    assert!(
        file["uri"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/regions.csv"),
        "{file}"
    );
    assert_eq!(file["range"]["start"], json!({"line": 0, "character": 0}));
    let status = s.client.shutdown();
    assert!(status.success());
}

/// A `use`d file open in the editor is read from its unsaved buffer: an edit that is not
/// saved changes the diagnostics of the file that uses it, and undoing the edit (still
/// unsaved) clears them. The disk copy never changes.
#[test]
fn unsaved_edits_of_a_used_file_reach_the_file_that_uses_it() {
    let mut s = Session::start();
    let tmp = temp_dir("archc-lsp-protocol-use-");
    let dir = tmp.path();
    let shared = "param budget: kW = 100 kW\n";
    std::fs::write(dir.join("shared.arch"), shared).expect("used file");
    let root = file_uri(dir);
    s.client.initialize(&root);
    let main_uri = format!("{root}/main.arch");
    let shared_uri = format!("{root}/shared.arch");
    let main = "use \"shared.arch\"\nparam limit: kW = budget * 2\n";
    let published = |version: i64| {
        let main_uri = main_uri.clone();
        move |p: &Value| p["uri"] == main_uri.as_str() && p["version"] == version
    };

    s.client.open(&main_uri, main);
    let diags = s
        .client
        .wait_notification("textDocument/publishDiagnostics", published(1));
    assert!(codes(&diags).is_empty(), "{diags}");

    // The used file is opened with an edit that renames `budget`, and not saved.
    s.client
        .open(&shared_uri, "param power_budget: kW = 100 kW\n");
    s.client.change(&main_uri, 2, main);
    let diags = s
        .client
        .wait_notification("textDocument/publishDiagnostics", published(2));
    assert_eq!(codes(&diags), ["E0201"], "{diags}");
    let message = diags["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("budget"), "{message}");

    // The edit is undone, still unsaved: the file that uses it is clean again.
    s.client.change(&shared_uri, 2, shared);
    s.client.change(&main_uri, 3, main);
    let diags = s
        .client
        .wait_notification("textDocument/publishDiagnostics", published(3));
    assert!(codes(&diags).is_empty(), "{diags}");
    assert_eq!(
        std::fs::read_to_string(dir.join("shared.arch"))
            .ok()
            .as_deref(),
        Some(shared)
    );
    let status = s.client.shutdown();
    assert!(status.success());
}
