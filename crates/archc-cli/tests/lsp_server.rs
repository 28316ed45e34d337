//! The language server over its real protocol, for what makes it dependable: malformed
//! frames are answered and the server goes on; a solve runs off the message loop and can
//! be cancelled; range edits (UTF-16 positions) are applied; errors in data files are
//! published for the data file and on the model's `from` line, and a watched data file
//! change re-analyses; the standard library can be navigated into; quick fixes apply what
//! diagnostics suggest; rename refuses to create a clash; a 40,000-line model is analysed
//! to its last line on open and save, and range edits anywhere in it publish what its whole
//! text does. Cursor positions are found by searching the text; responses are snapshotted
//! with the temporary directory redacted.

use crate::lsp_client;

use lsp_client::{file_uri, position_after, position_of, Client};
use serde_json::{json, Value};
use std::path::PathBuf;

struct Session {
    client: Client,
    /// The result of `initialize`.
    init: Value,
    dir: PathBuf,
    root: String,
    uri: String,
}

impl Session {
    /// A server with a fresh temporary directory named after the test.
    fn start(test: &str) -> Session {
        Self::start_with(test, json!({}))
    }

    fn start_with(test: &str, capabilities: Value) -> Session {
        let dir = std::env::temp_dir().join(format!("archc-lsp-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let root = file_uri(&dir);
        let uri = format!("{root}/model.arch");
        let mut client = Client::start();
        let init = client.initialize_with(&root, capabilities);
        Session {
            client,
            init,
            dir,
            root,
            uri,
        }
    }

    fn redact(&self, v: &Value) -> String {
        serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .replace(&self.root, "file:///ROOT")
    }

    fn at(&self, pos: Value) -> Value {
        json!({"textDocument": {"uri": self.uri}, "position": pos})
    }

    /// Open the model and wait for its first diagnostics.
    fn open(&mut self, text: &str) -> Value {
        let uri = self.uri.clone();
        self.client.open(&uri, text);
        self.diagnostics_of(&uri, 1)
    }

    /// Wait for the diagnostics of `uri` at `version`.
    fn diagnostics_of(&mut self, uri: &str, version: i32) -> Value {
        self.client
            .wait_notification("textDocument/publishDiagnostics", |p| {
                p["uri"] == uri && p["version"] == version
            })
    }

    fn hover_text(&mut self, pos: Value) -> String {
        let h = self.client.result("textDocument/hover", self.at(pos));
        h["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn finish(self) {
        let status = self.client.shutdown();
        assert!(status.success(), "{status:?}");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
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

const MODEL: &str = "param hours: h = 730 h\n\
decide build[i in 1..3]: int >= 0 <= 5\n\
minimize cost: sum(i in 1..3) build[i] * hours\n";

/// A hover request on `hours` in [`MODEL`], as a framed message.
fn hover_frame(uri: &str, id: i64) -> String {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": position_of(MODEL, "hours", 1)}})
    .to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn malformed_frames_are_answered_and_the_server_goes_on() {
    let mut s = Session::start("framing");
    s.open(MODEL);
    let uri = s.uri.clone();
    let cases: [(&str, String, i64); 5] = [
        (
            "invalid JSON",
            "Content-Length: 9\r\n\r\n{not json".into(),
            -32700,
        ),
        (
            "a length that is no number",
            "Content-Length: 1e12\r\n\r\n{}".into(),
            -32600,
        ),
        (
            "a length over the cap",
            "Content-Length: 1000000000000\r\n\r\n{}".into(),
            -32600,
        ),
        (
            "no Content-Length",
            "Content-Type: application/json\r\n\r\n{}".into(),
            -32600,
        ),
        (
            "JSON that is no message",
            "Content-Length: 7\r\n\r\n[1,2,3]".into(),
            -32600,
        ),
    ];
    for (i, (what, frame, code)) in cases.into_iter().enumerate() {
        s.client.send_raw(frame.as_bytes());
        let error = s.client.response(Value::Null);
        assert_eq!(error["error"]["code"], code, "{what}: {error}");
        // The next well-formed request is answered.
        let id = 1000 + i as i64;
        s.client.send_raw(hover_frame(&uri, id).as_bytes());
        let hover = s.client.response(json!(id));
        assert!(
            hover["result"]["contents"]["value"]
                .as_str()
                .is_some_and(|t| t.contains("hours")),
            "after {what}: {hover}"
        );
    }
    // A request with an id and a bad method is answered with its id.
    let body = r#"{"jsonrpc":"2.0","id":77,"method":["x"]}"#;
    s.client
        .send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    let error = s.client.response(json!(77));
    assert_eq!(error["error"]["code"], -32600, "{error}");
    s.finish();
}

/// A model that microlp cannot settle quickly: an odd total of even terms has no integer
/// solution, but every relaxation of it has one.
/// A parity model that microlp cannot prove infeasible quickly (HiGHS and CBC can: the
/// tests that need a slow solve ask for microlp).
fn slow_model() -> String {
    "decide x[i in 1..60]: bool\n\
     constraint odd: sum(i in 1..60) 2 * x[i] == 61\n\
     minimize n: sum(i in 1..60) x[i]\n"
        .to_string()
}

#[test]
fn a_solve_runs_off_the_loop_and_can_be_cancelled() {
    let mut s = Session::start("solve");
    let model = slow_model();
    s.open(&model);
    let uri = s.uri.clone();
    let solve = s.client.send_request(
        "workspace/executeCommand",
        json!({"command": "archc.solveAndExplain", "arguments": [uri, {"solver": "microlp"}]}),
    );
    // Meanwhile hover and diagnostics are answered.
    let hover = s.hover_text(position_of(&model, "x", 1));
    assert!(hover.contains("decision"), "{hover}");
    assert!(
        !s.client.response_arrived(json!(solve)),
        "the solve ended before the hover was answered"
    );
    s.client.change(&uri, 2, &model.replace("== 61", "== 63"));
    let diags = s.diagnostics_of(&uri, 2);
    assert!(codes(&diags).is_empty(), "{diags}");
    // Cancelling answers the solve with RequestCancelled.
    s.client.notify("$/cancelRequest", json!({"id": solve}));
    let resp = s.client.response(json!(solve));
    assert_eq!(resp["error"]["code"], -32800, "{resp}");
    // A later request is answered as usual.
    let hover = s.hover_text(position_of(&model, "odd", 0));
    assert!(hover.contains("constraint"), "{hover}");
    s.finish();
}

#[test]
fn a_solve_ends_at_its_time_limit() {
    let mut s = Session::start("solve-limit");
    let model = slow_model();
    s.open(&model);
    let uri = s.uri.clone();
    let resp = s.client.request(
        "workspace/executeCommand",
        json!({"command": "archc.solveAndExplain", "arguments": [uri, {"timeLimit": 1, "solver": "microlp"}]}),
    );
    // The solve stops at the limit and says so.
    assert_eq!(resp["error"]["code"], -32803, "{resp}");
    assert!(
        resp["error"]["message"]
            .as_str()
            .is_some_and(|m| m.to_lowercase().contains("time limit")),
        "{resp}"
    );
    let resp = s.client.request(
        "workspace/executeCommand",
        json!({"command": "archc.solveAndExplain", "arguments": [uri, {"timeLimit": "soon"}]}),
    );
    assert!(
        resp["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("timeLimit")),
        "{resp}"
    );
    s.finish();
}

#[test]
fn range_edits_are_applied_in_utf16_positions() {
    let mut s = Session::start("sync");
    assert_eq!(
        s.init["capabilities"]["textDocumentSync"]["change"],
        json!(2),
        "incremental sync is announced"
    );
    let text = "param label: str = \"𝕏€\"\nparam count: int = 1\n";
    s.open(text);
    let uri = s.uri.clone();
    // One notification with two changes: the second is in the text the first made.
    let first = json!({"start": position_of(text, "𝕏€", 0), "end": position_after(text, "𝕏€", 0)});
    let after_first = text.replace("𝕏€", "ok");
    let second = json!({"start": position_of(&after_first, "1\n", 0), "end": position_after(&after_first, "= 1", 0)});
    s.client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": first, "text": "ok"},
            {"range": second, "text": "42"},
        ]}),
    );
    let diags = s.diagnostics_of(&uri, 2);
    assert!(codes(&diags).is_empty(), "{diags}");
    let expected = after_first.replace("= 1", "= 42");
    let label = s.hover_text(position_of(&expected, "label", 0));
    assert!(label.contains("\"ok\""), "{label}");
    let count = s.hover_text(position_of(&expected, "count", 0));
    assert!(count.contains("= 42"), "{count}");
    // An insertion that breaks the text, then a deletion that mends it.
    s.client.change_range(
        &uri,
        3,
        json!({"start": position_after(&expected, "42", 0), "end": position_after(&expected, "42", 0)}),
        " +",
    );
    let diags = s.diagnostics_of(&uri, 3);
    assert!(
        codes(&diags).iter().any(|c| c.starts_with("E01")),
        "{diags}"
    );
    let broken = expected.replace("42", "42 +");
    s.client.change_range(
        &uri,
        4,
        json!({"start": position_after(&broken, "42", 0), "end": position_after(&broken, "42 +", 0)}),
        "",
    );
    let diags = s.diagnostics_of(&uri, 4);
    assert!(codes(&diags).is_empty(), "{diags}");
    // A change without a range replaces the whole text.
    s.client.change(&uri, 5, MODEL);
    let diags = s.diagnostics_of(&uri, 5);
    assert!(codes(&diags).is_empty(), "{diags}");
    assert!(s
        .hover_text(position_of(MODEL, "hours", 1))
        .contains("730 h"));
    s.finish();
}

const DATA_MODEL: &str = "kind site { cores: core }\n\
sites from \"regions.csv\"\n\
decide x[r in sites]: int >= 0 <= 10\n\
minimize n: sum(r in sites) x[r]\n";

#[test]
fn data_file_errors_are_shown_and_watched() {
    let mut s = Session::start_with(
        "data",
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let csv = s.dir.join("regions.csv");
    std::fs::write(&csv, "name,cores\nus-east,40\neu-west,lots\n").expect("data file");
    let csv_uri = file_uri(&csv);
    let uri = s.uri.clone();
    s.client.open(&uri, DATA_MODEL);
    // The error is published for the data file, at its row...
    let in_csv = s
        .client
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == csv_uri.as_str()
        });
    let code = codes(&in_csv).first().cloned().unwrap_or_default();
    assert!(code.starts_with("E05"), "{in_csv}");
    assert_eq!(in_csv["diagnostics"][0]["range"]["start"]["line"], 2);
    insta::assert_snapshot!("data_file_diagnostics", s.redact(&in_csv));
    // ...and on the model's `from` string, pointing to the data file.
    let in_model = s.diagnostics_of(&uri, 1);
    let on_from = in_model["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == code.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("no {code} on the model: {in_model}"));
    assert_eq!(
        on_from["range"]["start"],
        position_of(DATA_MODEL, "\"regions.csv\"", 0)
    );
    assert_eq!(
        on_from["relatedInformation"][0]["location"]["uri"],
        csv_uri.as_str()
    );
    // The server asked to watch data files.
    let registration = s
        .client
        .server_requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability")
        .cloned()
        .unwrap_or_else(|| panic!("no registration: {:?}", s.client.server_requests));
    assert_eq!(
        registration["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    // Fixing the data file and telling the server re-analyses: both are cleared.
    std::fs::write(&csv, "name,cores\nus-east,40\neu-west,24\n").expect("data file");
    s.client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": csv_uri, "type": 2}]}),
    );
    let cleared = s
        .client
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == csv_uri.as_str()
        });
    assert_eq!(cleared["diagnostics"], json!([]), "{cleared}");
    let in_model = s.diagnostics_of(&uri, 1);
    assert!(codes(&in_model).is_empty(), "{in_model}");
    s.finish();
}

const STD_MODEL: &str = "use std.infra\n\
region a { cores: 8 core }\n\
decide n[r in regions]: int >= 0 <= 10\n\
constraint fit[r in regions]: n[r] * 1 core <= r.cores\n\
minimize m: sum(r in regions) n[r]\n";

#[test]
fn the_standard_library_can_be_navigated_into() {
    let mut s = Session::start("stdlib");
    let diags = s.open(STD_MODEL);
    assert!(codes(&diags).is_empty(), "{diags}");
    let def = s.client.result(
        "textDocument/definition",
        s.at(position_after(STD_MODEL, "r.", 0)),
    );
    let def = if def.is_array() { def[0].clone() } else { def };
    let std_uri = def["uri"].as_str().unwrap_or_default().to_string();
    assert!(std_uri.ends_with("/std/infra.arch"), "{def}");
    let path = PathBuf::from(std_uri.trim_start_matches("file://"));
    // Written into the server's cache folder (a temporary one here), not the home folder.
    assert!(path.starts_with(&s.client.cache_dir), "{}", path.display());
    let text = std::fs::read_to_string(&path).expect("the stdlib module is written");
    assert!(std::fs::metadata(&path).is_ok_and(|m| m.permissions().readonly()));
    // The range is the attribute's name in the written file.
    let line = def["range"]["start"]["line"].as_u64().unwrap_or(0) as usize;
    let col = def["range"]["start"]["character"].as_u64().unwrap_or(0) as usize;
    let at: String = text
        .lines()
        .nth(line)
        .unwrap_or_default()
        .chars()
        .skip(col)
        .take(5)
        .collect();
    assert_eq!(at, "cores", "{def}");
    // Hover on the use shows the stdlib's doc comment.
    let hover = s.hover_text(position_after(STD_MODEL, "r.", 0));
    assert!(hover.contains("Compute capacity"), "{hover}");
    // The module opens as a document: hover and definition answer inside it.
    s.client.open(&std_uri, &text);
    let hover = s.client.result(
        "textDocument/hover",
        json!({"textDocument": {"uri": std_uri}, "position": position_of(&text, "cores: core >=", 0)}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|t| t.contains("cores")),
        "{hover}"
    );
    // Renaming in the read-only copy is refused.
    let resp = s.client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": std_uri}, "position": position_of(&text, "cores: core >=", 0), "newName": "cpus"}),
    );
    assert!(resp.get("error").is_some(), "{resp}");
    s.finish();
}

/// The quick fixes for the diagnostic at `needle`, and the text with the first one applied
/// (through the server's own range edit).
fn fix(s: &mut Session, text: &str, needle: &str, version: i32) -> (Value, String) {
    let uri = s.uri.clone();
    s.client.change(&uri, version, text);
    let diags = s.diagnostics_of(&uri, version);
    assert!(!codes(&diags).is_empty(), "{diags}");
    let range =
        json!({"start": position_of(text, needle, 0), "end": position_after(text, needle, 0)});
    let actions = s.client.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": diags["diagnostics"]}}),
    );
    let action = actions[0].clone();
    assert_eq!(action["kind"], "quickfix", "{actions}");
    let edits = action["edit"]["changes"][uri.as_str()].clone();
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{action}");
    s.client.change_range(
        &uri,
        version + 1,
        edits[0]["range"].clone(),
        edits[0]["newText"].as_str().unwrap_or_default(),
    );
    let fixed = s.diagnostics_of(&uri, version + 1);
    (action, s.redact(&fixed))
}

#[test]
fn quick_fixes_apply_what_diagnostics_suggest() {
    let mut s = Session::start("fixes");
    s.open(MODEL);
    // "did you mean `hours`?"
    let typo = MODEL.replace("build[i] * hours", "build[i] * hors");
    let (action, after) = fix(&mut s, &typo, "hors\n", 2);
    assert_eq!(action["title"], "Replace `hors` with `hours`", "{action}");
    assert!(!after.contains("E0201"), "{after}");
    // A missing `use std.infra`.
    let no_use = STD_MODEL.replace("use std.infra\n", "");
    let (action, after) = fix(&mut s, &no_use, "cores", 4);
    assert_eq!(action["title"], "Add `use std.infra`", "{action}");
    assert!(!after.contains("\"E0"), "{after}");
    // A number without its unit.
    let unitless = MODEL.replace("730 h", "730");
    let (action, after) = fix(&mut s, &unitless, "730", 6);
    assert_eq!(action["title"], "Write `730 h`", "{action}");
    assert!(!after.contains("E0405"), "{after}");
    insta::assert_snapshot!("quick_fix_unit", s.redact(&action));
    s.finish();
}

#[test]
fn rename_refuses_to_create_a_clash() {
    let mut s = Session::start("rename");
    s.open(MODEL);
    let mut params = s.at(position_of(MODEL, "hours", 0));
    params["newName"] = json!("build");
    let resp = s.client.request("textDocument/rename", params);
    let message = resp["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("declared already"), "{resp}");
    // An index variable may not take the name of another one of its declaration...
    let two = "param t[i in 1..2, j in 1..2]: int = i + j\n";
    s.client.change(&s.uri.clone(), 2, two);
    let mut params = s.at(position_of(two, "i in", 0));
    params["newName"] = json!("j");
    let resp = s.client.request("textDocument/rename", params);
    assert!(resp.get("error").is_some(), "{resp}");
    // ...but a fresh name is fine.
    let mut params = s.at(position_of(two, "i in", 0));
    params["newName"] = json!("k");
    let edit = s.client.result("textDocument/rename", params);
    assert!(edit["changes"].is_object(), "{edit}");
    s.finish();
}

/// Hover on the column after `key` says which file's column names the entities of which
/// set; elsewhere the same word is an ordinary name.
#[test]
fn hover_on_a_key_column_names_its_file_and_set() {
    let mut s = Session::start("key-hover");
    std::fs::write(s.dir.join("hosts.csv"), "id,cores\nh1,8\nh2,16\n").expect("data file");
    let model = "kind host { cores: int }\nhosts from \"hosts.csv\" key id\n";
    let diags = s.open(model);
    assert!(codes(&diags).is_empty(), "{diags}");
    let hover = s.hover_text(position_of(model, "id\n", 0));
    assert!(
        hover.contains("**key column** `id` of `hosts.csv`"),
        "{hover}"
    );
    assert!(hover.contains("entity of `hosts`"), "{hover}");
    let other = s.hover_text(position_of(model, "cores", 0));
    assert!(!other.contains("key column"), "{other}");
    s.finish();
}

/// Hover on a partition declaration says what `archc solve` does with it and how to
/// override it; its set's name hovers as the set, and the same words elsewhere are names.
#[test]
fn hover_on_a_partition_declaration_says_how_the_solve_splits() {
    let mut s = Session::start("partition-hover");
    let model = "kind job { size: int = 1 }\njob j1\njob j2\n\npartition jobs into 4\n\ndecide pick[j in jobs]: bool\nmaximize picked: sum(j in jobs) j.size * pick[j]\n";
    let diags = s.open(model);
    assert!(codes(&diags).is_empty(), "{diags}");
    for word in ["partition", "into", "4\n"] {
        let hover = s.hover_text(position_of(model, word, 0));
        assert!(
            hover.contains("partition jobs into 4") && hover.contains("4 parts"),
            "{word}: {hover}"
        );
        assert!(hover.contains("--partition off"), "{word}: {hover}");
    }
    let set = s.hover_text(position_of(model, "jobs into", 0));
    assert!(set.contains("jobs"), "{set}");
    assert!(!set.contains("--partition off"), "{set}");
    // A declaration without a partition: no such hover.
    let other = s.hover_text(position_of(model, "pick", 0));
    assert!(!other.contains("--partition"), "{other}");
    s.finish();
}

/// Hover on a scenario set over the protocol: its size and probability mass from the
/// data, with the mass a weighted generator leaves out; on an ordinary set, neither.
#[test]
fn hover_on_a_scenario_set_gives_its_size_and_mass() {
    let mut s = Session::start("scenario-hover");
    let model = "use std.infra\n\
kind link { p_fail: real = 0 }\n\
region a { cores: 8 core }\n\
region b { cores: 4 core }\n\
region c { cores: 4 core }\n\
link a -> b { p_fail: 0.1 }\n\
link b -> c { p_fail: 0.2 }\n\
set n1 = fail_k(regions, 1)\n\
set pairs = fail_k(links, 2, p = p_fail, nominal = false)\n\
set big = {r in regions where r.cores > 4 core}\n\
decide x[s in n1, r in regions]: real core >= 0 <= r.cores * up(r, s)\n\
decide y[s in pairs, l in links]: real core >= 0 <= 1 core * up(l, s)\n\
minimize m: sum(s in n1, r in regions) x[s, r] + sum(s in pairs, l in links) y[s, l]\n";
    let diags = s.open(model);
    assert!(codes(&diags).is_empty(), "{diags}");
    let n1 = s.hover_text(position_of(model, "n1", 0));
    assert!(n1.contains("4 scenarios, probability mass 1"), "{n1}");
    // Exactly both links down: 0.1 * 0.2; the rest of the mass is left out.
    let pairs = s.hover_text(position_of(model, "pairs", 0));
    assert!(
        pairs.contains("1 scenario, probability mass 0.02"),
        "{pairs}"
    );
    assert!(pairs.contains("0.98 left out"), "{pairs}");
    let big = s.hover_text(position_of(model, "big", 0));
    assert!(!big.contains("probability mass"), "{big}");
    s.finish();
}

/// Hover on a forecast param over the protocol: the quantile, the number of series, the
/// method and season, the model of its first series; on the history it reads, none of it.
#[test]
fn hover_on_a_forecast_param_gives_its_method_and_series() {
    let mut s = Session::start("forecast-hover");
    let mut values = Vec::new();
    for (r, scale) in [("a", 1.0), ("b", 2.0)] {
        for m in 1..=24 {
            let v = scale * (100.0 + if m % 12 < 3 { 30.0 } else { 0.0 });
            values.push(format!(
                "({r}, {}M{:02}): {v} core",
                2024 + (m - 1) / 12,
                (m - 1) % 12 + 1
            ));
        }
    }
    let model = format!(
        "set sites = {{a, b}}\n\
         set history = 2024M01..2025M12\n\
         set ahead = 2026M01..2026M03\n\
         param usage[s in sites, m in history]: core = {{{}}}\n\
         param demand[s in sites, m in ahead]: core = forecast(usage[s], q95, method = snaive)\n",
        values.join(", ")
    );
    let diags = s.open(&model);
    assert!(codes(&diags).is_empty(), "{diags}");
    let demand = s.hover_text(position_of(&model, "demand", 0));
    assert!(
        demand.contains("forecast `q95` of 2 series (method `snaive`, season 12): usage[a] "),
        "{demand}"
    );
    let usage = s.hover_text(position_of(&model, "usage", 0));
    assert!(!usage.contains("forecast `"), "{usage}");
    s.finish();
}

/// The number of lines of the large model (the size the server opens and saves in linear
/// time; `bench_lsp` measures how long it takes).
const LARGE_LINES: usize = 40_000;

/// A model of [`LARGE_LINES`] lines: a chain of params, each used by the next, whose last
/// line names `missing`, which no declaration defines.
fn large_model() -> String {
    let mut s = String::from("param p0: int = 1\n");
    for i in 1..LARGE_LINES - 1 {
        s.push_str(&format!("param p{i}: int = p{} + 1\n", i - 1));
    }
    s.push_str(&format!(
        "param last: int = p{} + missing\n",
        LARGE_LINES - 2
    ));
    s
}

/// The diagnostics of a publication without their URIs (code, range, message), sorted, to
/// compare what two documents with the same text publish.
fn comparable(published: &Value) -> Vec<String> {
    let mut out: Vec<String> = published["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| format!("{} {} {}", d["code"], d["range"], d["message"]))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The start lines of the diagnostics of a publication, in order.
fn lines_of(published: &Value) -> Vec<u64> {
    let mut out: Vec<u64> = published["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["range"]["start"]["line"].as_u64())
                .collect()
        })
        .unwrap_or_default();
    out.sort_unstable();
    out
}

/// A 40,000-line model is opened and saved whole: the error on its last line is published
/// at its exact line and column after `didOpen` and again after `didSave`, and a hover sent
/// right after each names the param at the end of the text.
#[test]
fn a_large_model_is_analysed_to_its_last_line_on_open_and_save() {
    let mut s = Session::start("large-open");
    let text = large_model();
    assert_eq!(text.lines().count(), LARGE_LINES);
    let uri = s.uri.clone();
    s.client.open(&uri, &text);
    let last = format!("p{}", LARGE_LINES - 2);
    let hover_last = |s: &mut Session| s.hover_text(position_of(&text, &format!("{last}:"), 0));
    let opened = s.diagnostics_of(&uri, 1);
    assert_eq!(codes(&opened), ["E0201"], "{opened}");
    assert_eq!(
        opened["diagnostics"][0]["range"]["start"],
        position_of(&text, "missing", 0)
    );
    assert_eq!(
        opened["diagnostics"][0]["range"]["start"]["line"],
        LARGE_LINES - 1
    );
    assert!(hover_last(&mut s).contains(&last), "{}", hover_last(&mut s));
    s.client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    let saved = s.diagnostics_of(&uri, 1);
    assert_eq!(comparable(&saved), comparable(&opened));
    assert!(hover_last(&mut s).contains(&last));
    s.finish();
}

/// Range edits at the start, in the middle and at the end of a 40,000-line document (an
/// insertion, a replacement, a deletion over lines, a fix) publish what a second document
/// given the same text whole publishes, at the lines where the edits put the errors.
#[test]
fn range_edits_of_a_large_document_match_its_whole_text() {
    let mut s = Session::start("large-edits");
    let mut text = large_model();
    let edited = s.uri.clone();
    let whole = format!("{}/whole.arch", s.root);
    s.client.open(&edited, &text);
    s.client.open(&whole, &text);
    s.diagnostics_of(&edited, 1);
    s.diagnostics_of(&whole, 1);
    let middle = LARGE_LINES / 2;
    // (what the edit replaces: its start and end as byte offsets; the new text; the lines
    // of the errors after it)
    type Edit = (Box<dyn Fn(&str) -> (usize, usize)>, String, Vec<u64>);
    let find = |needle: String| {
        move |t: &str| {
            let at = t.find(&needle).unwrap_or_else(|| panic!("no `{needle}`"));
            (at, at + needle.len())
        }
    };
    let last = LARGE_LINES as u64;
    let edits: Vec<Edit> = vec![
        // An insertion at the start: a new error on line 0, the last one a line further.
        (
            Box::new(|_: &str| (0, 0)),
            "param first: int = nothing\n".into(),
            vec![0, last],
        ),
        // A replacement in the middle: an unknown name there.
        (
            Box::new(find(format!("p{middle}: int = p{} + 1", middle - 1))),
            format!("p{middle}: int = gone + 1"),
            vec![0, middle as u64 + 1, last],
        ),
        // A deletion over three lines: the param after them names one that is gone.
        (
            Box::new(|t: &str| {
                let start = t.find("param p30000:").unwrap_or(0);
                let end = t.find("param p30003:").unwrap_or(start);
                (start, end)
            }),
            String::new(),
            vec![0, middle as u64 + 1, 30_001, last - 3],
        ),
        // A fix at the end.
        (
            Box::new(find("missing".into())),
            "1".into(),
            vec![0, middle as u64 + 1, 30_001],
        ),
    ];
    for (step, (range, new, lines)) in edits.into_iter().enumerate() {
        let version = step as i32 + 2;
        let (start, end) = range(&text);
        let lsp_range = json!({"start": lsp_client::position_at(&text, start),
            "end": lsp_client::position_at(&text, end)});
        text.replace_range(start..end, &new);
        s.client.change_range(&edited, version, lsp_range, &new);
        s.client.change(&whole, version, &text);
        let by_range = s.diagnostics_of(&edited, version);
        let by_text = s.diagnostics_of(&whole, version);
        assert_eq!(comparable(&by_range), comparable(&by_text), "edit {step}");
        assert_eq!(lines_of(&by_range), lines, "edit {step}: {by_range}");
    }
    s.finish();
}
