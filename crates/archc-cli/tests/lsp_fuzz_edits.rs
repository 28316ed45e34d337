//! The language server under a deterministic stream of random edits (characters and
//! tokens inserted, ranges deleted), sent as full-text changes. After every burst it must
//! still answer hover, completion, semantic tokens and outline requests without an internal
//! error, and shut down cleanly at the end.

use crate::lsp_client;

use lsp_client::{file_uri, position_at, Client};
use serde_json::{json, Value};

const START: &str = r#"use std.infra
/// Hours in a month.
param hours: h = 730 h
kind rack { power: kW, site: str }
rack r1 { power: 5 kW, site: "fra" }
link a <-> b { latency: 78 ms }
decide build[k in racks]: int >= 0
constraint budget[q in 2027Q1..2028Q4]: sum(k in racks) k.power * build[k] <= 100 kW
plan grow over q in quarters { state n: 0..10 = 0 choose add: 0..5 next n = n + add cost = add * 3 usd }
test t { expect feasible }
minimize cost: sum(k in racks) build[k] * hours
"#;

const TOKENS: &[&str] = &[
    "constraint ",
    "param ",
    "sum(",
    ".",
    "..",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "\"",
    "<->",
    "->",
    "///",
    "// ",
    " in ",
    "2027Q1",
    "2027Q9",
    "40_000 core",
    "usd/core/h",
    " - ",
    "-",
    ":",
    "=",
    "==",
    ",",
    "\n",
    "€",
    "𝕏",
    "\\",
    "use ",
    "k.",
    "1e999",
    "\t",
    "\r\n",
    "\u{feff}",
];

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A random char boundary of `text` (the end included).
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let mut i = rng.below(text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn edit(rng: &mut Rng, text: &mut String) {
    let at = boundary(rng, text);
    match rng.below(3) {
        0 => {
            let c = char::from_u32(32 + rng.below(95) as u32).unwrap_or('x');
            text.insert(at, c);
        }
        1 => text.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
        _ => {
            let mut end = (at + 1 + rng.below(8)).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(at..end, "");
        }
    }
}

fn assert_answered(resp: &Value, what: &str, text: &str) {
    if let Some(err) = resp.get("error") {
        assert_ne!(
            err["code"],
            json!(-32603),
            "{what} hit an internal error on:\n{text}\n{resp}"
        );
    }
}

#[test]
fn three_hundred_random_edits() {
    let dir = std::env::temp_dir().join(format!("archc-lsp-fuzz-{}", std::process::id()));
    let uri = format!("{}/fuzz.arch", file_uri(&dir));
    let mut client = Client::start();
    client.initialize(&file_uri(&dir));
    client.open(&uri, START);

    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let mut text = START.to_string();
    let mut version = 1;
    for burst in 0..30 {
        for _ in 0..10 {
            edit(&mut rng, &mut text);
            version += 1;
            client.change(&uri, version, &text);
        }
        let pos = position_at(&text, boundary(&mut rng, &text));
        let at = json!({"textDocument": {"uri": uri}, "position": pos});
        let resp = client.request("textDocument/hover", at.clone());
        assert_answered(&resp, "hover", &text);
        let resp = client.request("textDocument/completion", at.clone());
        assert_answered(&resp, "completion", &text);
        assert!(
            resp.get("result").is_some_and(|r| !r.is_null()),
            "no completion after burst {burst}: {resp}"
        );
        let doc = json!({"textDocument": {"uri": uri}});
        let resp = client.request("textDocument/semanticTokens/full", doc.clone());
        assert_answered(&resp, "semantic tokens", &text);
        let resp = client.request("textDocument/documentSymbol", doc.clone());
        assert_answered(&resp, "outline", &text);
        if burst % 5 == 0 {
            let resp = client.request("textDocument/definition", at);
            assert_answered(&resp, "definition", &text);
            let resp = client.request(
                "textDocument/formatting",
                json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
            );
            assert_answered(&resp, "formatting", &text);
        }
    }
    // Every change was analysed: the last published diagnostics are for the last version.
    let last = client.wait_notification("textDocument/publishDiagnostics", |p| {
        p["version"] == json!(version)
    });
    assert_eq!(last["uri"], uri.as_str());
    let status = client.shutdown();
    assert!(status.success(), "{status:?}");
}
