//! The lexicon (`archc::syntax::lexicon`) against the three other places that spell out the
//! language's words and symbols: the pest grammar, the logos lexer and the VS Code grammar
//! (its generator's arrays and the generated JSON). Their files are read as text, so a
//! keyword or an operator added to one of them and not to the lexicon fails here.

use archc::syntax::lexicon;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    let path = repo_root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

fn set(words: &[&str]) -> BTreeSet<String> {
    words.iter().map(|w| w.to_string()).collect()
}

// ------------------------------------------------------------------------- pest grammar

/// A token of the pest grammar file: a string literal (escapes decoded), a name, or any
/// other character.
#[derive(Clone, Debug, PartialEq)]
enum PestToken {
    Str(String),
    Name(String),
    Sym(char),
}

/// Tokens of a pest file, without comments.
fn pest_tokens(text: &str) -> Vec<PestToken> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                    match chars.get(i) {
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some('r') => s.push('\r'),
                        Some('u') => {
                            // \u{feff}
                            let close = (i..chars.len()).find(|&j| chars[j] == '}').unwrap_or(i);
                            let hex: String = chars[i + 2..close].iter().collect();
                            if let Some(ch) =
                                u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                            {
                                s.push(ch);
                            }
                            i = close;
                        }
                        Some(&other) => s.push(other),
                        None => {}
                    }
                } else {
                    s.push(chars[i]);
                }
                i += 1;
            }
            out.push(PestToken::Str(s));
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(PestToken::Name(chars[start..i].iter().collect()));
        } else {
            if !c.is_whitespace() {
                out.push(PestToken::Sym(c));
            }
            i += 1;
        }
    }
    out
}

/// Every rule of a pest file: its name and the tokens of its body.
fn pest_rules(text: &str) -> BTreeMap<String, Vec<PestToken>> {
    let toks = pest_tokens(text);
    let mut rules = BTreeMap::new();
    let mut i = 0;
    while i < toks.len() {
        let is_rule =
            matches!(&toks[i], PestToken::Name(_)) && toks.get(i + 1) == Some(&PestToken::Sym('='));
        if !is_rule {
            i += 1;
            continue;
        }
        let PestToken::Name(name) = toks[i].clone() else {
            unreachable!()
        };
        let Some(open) = (i + 2..toks.len()).find(|&j| toks[j] == PestToken::Sym('{')) else {
            break;
        };
        let mut depth = 0;
        let mut end = open;
        for (j, t) in toks.iter().enumerate().skip(open) {
            match t {
                PestToken::Sym('{') => depth += 1,
                PestToken::Sym('}') => {
                    depth -= 1;
                    if depth == 0 {
                        end = j;
                        break;
                    }
                }
                _ => {}
            }
        }
        rules.insert(name, toks[open + 1..end].to_vec());
        i = end + 1;
    }
    rules
}

/// The string literals inside the first parenthesised group of a rule:
/// `keyword = @{ ("use" | "kind" | ...) ~ !ident_char }` gives `use`, `kind`, ...
fn first_group_literals(body: &[PestToken]) -> Vec<String> {
    let Some(open) = body.iter().position(|t| *t == PestToken::Sym('(')) else {
        return Vec::new();
    };
    let mut depth = 0;
    let mut out = Vec::new();
    for t in &body[open..] {
        match t {
            PestToken::Sym('(') => depth += 1,
            PestToken::Sym(')') => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            PestToken::Str(s) => out.push(s.clone()),
            _ => {}
        }
    }
    out
}

fn sorted(v: Vec<String>) -> Vec<String> {
    let mut v = v;
    v.sort();
    v
}

#[test]
fn the_pest_grammar_reserves_the_lexicon_keywords() {
    let rules = pest_rules(&read("grammar/arch.pest"));
    let keyword = rules
        .get("keyword")
        .expect("the grammar has a `keyword` rule");
    let reserved = first_group_literals(keyword);
    assert_eq!(
        sorted(reserved.clone()),
        sorted(lexicon::KEYWORDS.iter().map(|s| s.to_string()).collect()),
        "the grammar's `keyword` rule and lexicon::KEYWORDS differ"
    );
    assert_eq!(
        reserved.len(),
        set(lexicon::KEYWORDS).len(),
        "a keyword is listed twice"
    );
    // One `kw_WORD` rule per keyword, matching that word.
    let mut kw_rules = BTreeSet::new();
    for (name, body) in &rules {
        if let Some(word) = name.strip_prefix("kw_") {
            let literals: Vec<&PestToken> = body
                .iter()
                .filter(|t| matches!(t, PestToken::Str(_)))
                .collect();
            assert_eq!(
                literals,
                vec![&PestToken::Str(word.to_string())],
                "rule {name} must match `{word}`"
            );
            kw_rules.insert(word.to_string());
        }
    }
    assert_eq!(kw_rules, set(lexicon::KEYWORDS), "kw_ rules differ");
}

#[test]
fn the_pest_grammar_has_the_lexicon_contextual_words_types_and_aggregates() {
    let rules = pest_rules(&read("grammar/arch.pest"));
    let cw: BTreeSet<String> = rules
        .keys()
        .filter_map(|n| n.strip_prefix("cw_"))
        .map(str::to_string)
        .collect();
    assert_eq!(cw, set(lexicon::CONTEXTUAL_WORDS), "cw_ rules differ");
    for (name, body) in rules.iter().filter(|(n, _)| n.starts_with("cw_")) {
        let word = &name["cw_".len()..];
        assert!(
            body.contains(&PestToken::Str(word.to_string())),
            "rule {name} must match `{word}`"
        );
    }
    let types = first_group_literals(&rules["type_kw"]);
    assert_eq!(
        sorted(types),
        sorted(set(lexicon::TYPE_WORDS).into_iter().collect())
    );
    let aggregates = first_group_literals(&rules["agg_name"]);
    assert_eq!(
        sorted(aggregates),
        sorted(set(lexicon::AGGREGATES).into_iter().collect())
    );
}

#[test]
fn the_pest_grammar_uses_the_lexicon_operators_and_punctuation() {
    let toks = pest_tokens(&read("grammar/arch.pest"));
    let symbols: BTreeSet<String> = toks
        .iter()
        .filter_map(|t| match t {
            PestToken::Str(s)
                if !s.is_empty() && s.chars().all(|c| c.is_ascii_punctuation() && c != '_') =>
            {
                Some(s.clone())
            }
            _ => None,
        })
        .collect();
    let mut lexicon_symbols = set(lexicon::OPERATORS);
    lexicon_symbols.extend(set(lexicon::PUNCTUATION));
    lexicon_symbols.extend(set(lexicon::DELIMITERS));
    assert!(
        symbols.contains("<->") && symbols.contains("{"),
        "{symbols:?}"
    );
    assert_eq!(
        symbols, lexicon_symbols,
        "symbols of the grammar (left) and of the lexicon (right) differ"
    );
}

// ------------------------------------------------------------------------- logos lexer

/// The literals of `#[token("...")]` attributes in the lexer's source.
fn logos_token_literals(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for part in source.split("#[token(\"").skip(1) {
        let mut lit = String::new();
        let mut chars = part.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => lit.push('\n'),
                    Some('t') => lit.push('\t'),
                    Some(other) => lit.push(other),
                    None => {}
                },
                c => lit.push(c),
            }
        }
        out.insert(lit);
    }
    out
}

#[test]
fn the_logos_lexer_has_the_lexicon_symbols_and_no_keyword_list_of_its_own() {
    let literals = logos_token_literals(&read("crates/archc/src/syntax/lexer.rs"));
    let mut expected = set(lexicon::OPERATORS);
    expected.extend(set(lexicon::PUNCTUATION));
    expected.insert("\n".to_string());
    assert_eq!(
        literals, expected,
        "#[token] literals of the lexer (left) and the lexicon's symbols (right) differ"
    );
}

#[test]
fn the_logos_lexer_reads_each_word_and_symbol_as_the_lexicon_says() {
    use archc::syntax::lexer::{lex, TokenKind};
    for word in lexicon::KEYWORDS {
        let toks = lex(word);
        let want = if lexicon::BOOL_WORDS.contains(word) {
            TokenKind::Bool
        } else {
            TokenKind::Keyword
        };
        assert_eq!(toks.len(), 1, "`{word}` is not one token");
        assert_eq!(toks[0].kind, want, "`{word}`");
        // Quoted or hyphenated, a keyword is a name.
        assert_eq!(lex(&format!("`{word}`"))[0].kind, TokenKind::Ident);
        assert_eq!(lex(&format!("{word}-x"))[0].kind, TokenKind::Ident);
    }
    let names = [
        lexicon::CONTEXTUAL_WORDS,
        lexicon::TYPE_WORDS,
        lexicon::AGGREGATES,
        lexicon::BUILTIN_KINDS,
    ];
    for word in names.iter().flat_map(|l| l.iter()) {
        let toks = lex(word);
        assert_eq!(toks.len(), 1, "`{word}`");
        assert_eq!(toks[0].kind, TokenKind::Ident, "`{word}` is a name");
    }
    let mut kinds = BTreeSet::new();
    for sym in lexicon::OPERATORS.iter().chain(lexicon::PUNCTUATION) {
        let toks = lex(sym);
        assert_eq!(toks.len(), 1, "`{sym}` is not one token: {toks:?}");
        assert!(
            !matches!(toks[0].kind, TokenKind::Error | TokenKind::Ident),
            "`{sym}` lexes as {:?}",
            toks[0].kind
        );
        assert!(
            kinds.insert(format!("{:?}", toks[0].kind)),
            "`{sym}` shares its token kind"
        );
    }
}

// ------------------------------------------------------------------------- VS Code grammar

/// The string literals of each `const NAME = [ ... ];` array in the grammar generator.
fn js_arrays(source: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for part in source.split("\nconst ").skip(1) {
        let Some((name, rest)) = part.split_once('=') else {
            continue;
        };
        let rest = rest.trim_start();
        if !rest.starts_with('[') {
            continue;
        }
        let Some(end) = rest.find("];") else {
            continue;
        };
        let mut items = Vec::new();
        for (i, piece) in rest[1..end].split('"').enumerate() {
            if i % 2 == 1 {
                items.push(piece.replace("\\\\", "\\"));
            }
        }
        out.insert(name.trim().to_string(), items);
    }
    out
}

#[test]
fn the_vscode_grammar_generator_has_the_lexicon_lists() {
    let arrays = js_arrays(&read("editors/vscode/syntaxes/build-grammar.mjs"));
    let get = |name: &str| -> Vec<String> {
        arrays
            .get(name)
            .unwrap_or_else(|| panic!("build-grammar.mjs has no array {name}"))
            .clone()
    };
    let union = |names: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = names.iter().flat_map(|n| get(n)).collect();
        v.sort();
        v
    };
    let sorted_list = |l: &[&str]| sorted(l.iter().map(|s| s.to_string()).collect());
    assert_eq!(
        union(&["DECLARATION", "CLAUSE", "EXPRESSION"]),
        sorted_list(lexicon::KEYWORDS),
        "keywords"
    );
    assert_eq!(union(&["PLAN_WORDS"]), sorted_list(lexicon::PLAN_WORDS));
    assert_eq!(union(&["EXPECT_WORDS"]), sorted_list(lexicon::EXPECT_WORDS));
    assert_eq!(
        union(&["OBJECTIVE_WORDS"]),
        sorted_list(lexicon::OBJECTIVE_WORDS)
    );
    assert_eq!(union(&["DATA_WORDS"]), sorted_list(lexicon::DATA_WORDS));
    assert_eq!(union(&["DECIDE_WORDS"]), sorted_list(lexicon::DECIDE_WORDS));
    assert_eq!(
        union(&["PARTITION_WORDS"]),
        sorted_list(lexicon::PARTITION_WORDS)
    );
    assert_eq!(union(&["AGGREGATES"]), sorted_list(lexicon::AGGREGATES));
    assert_eq!(
        union(&["PRIMITIVE_TYPES"]),
        sorted_list(lexicon::TYPE_WORDS)
    );
    assert_eq!(
        union(&["BUILTIN_KINDS"]),
        sorted_list(lexicon::BUILTIN_KINDS)
    );
    let sets: Vec<String> = sorted(
        lexicon::BUILTIN_KINDS
            .iter()
            .map(|k| format!("{k}s"))
            .collect(),
    );
    assert_eq!(union(&["BUILTIN_SETS"]), sets);
    assert_eq!(
        union(&[
            "LOGICAL_OPERATORS",
            "RANGE_OPERATORS",
            "COMPARISON_OPERATORS",
            "ASSIGNMENT_OPERATORS",
            "ARITHMETIC_OPERATORS",
        ]),
        sorted_list(lexicon::OPERATORS),
        "operators"
    );
}

/// Every regex (`match`, `begin`, `end`) of the generated TextMate grammar.
fn tm_regexes(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                match x {
                    serde_json::Value::String(s)
                        if ["match", "begin", "end"].contains(&k.as_str()) =>
                    {
                        out.push(s.clone())
                    }
                    _ => tm_regexes(x, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|x| tm_regexes(x, out)),
        _ => {}
    }
}

#[test]
fn the_generated_vscode_grammar_has_every_lexicon_word() {
    let json: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/syntaxes/arch.tmLanguage.json"))
            .expect("the TextMate grammar is JSON");
    let mut regexes = Vec::new();
    tm_regexes(&json, &mut regexes);
    assert!(regexes.len() > 20, "{regexes:?}");
    let words = [
        lexicon::KEYWORDS,
        lexicon::CONTEXTUAL_WORDS,
        lexicon::TYPE_WORDS,
        lexicon::AGGREGATES,
        lexicon::BUILTIN_KINDS,
    ];
    for word in words.iter().flat_map(|l| l.iter()) {
        let in_alternation = |r: &String| {
            ["(?:", "|"].iter().any(|before| {
                ["|", ")"]
                    .iter()
                    .any(|after| r.contains(&format!("{before}{word}{after}")))
            })
        };
        assert!(
            regexes.iter().any(in_alternation),
            "no rule of arch.tmLanguage.json highlights `{word}`: run `npm run build:grammar`"
        );
    }
}

/// The TextMate pattern of period literals, without its lookarounds (which the `regex` crate
/// does not have), anchored at both ends.
fn tm_period_regex() -> regex::Regex {
    let json: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/syntaxes/arch.tmLanguage.json"))
            .expect("the TextMate grammar is JSON");
    let numbers = json["repository"]["numbers"]["patterns"]
        .as_array()
        .expect("numbers has patterns");
    let pattern = numbers
        .iter()
        .find(|p| p["name"] == "constant.numeric.period.arch")
        .and_then(|p| p["match"].as_str())
        .expect("a constant.numeric.period.arch pattern");
    let core = pattern
        .trim_start_matches("(?<![A-Za-z0-9_])")
        .trim_end_matches("(?![A-Za-z0-9_])");
    regex::Regex::new(&format!("^(?:{core})$")).expect("the period pattern is a regex")
}

#[test]
fn period_literals_agree_in_the_grammar_the_lexer_and_the_editor_grammar() {
    use archc::period::Period;
    use archc::syntax::lexer::{lex, TokenKind};
    let tm = tm_period_regex();
    for lit in lexicon::PERIOD_LITERALS {
        let toks = lex(lit);
        assert_eq!(toks.len(), 1, "`{lit}` is not one token: {toks:?}");
        assert_eq!(toks[0].kind, TokenKind::Period, "`{lit}`");
        let text = format!("set s = {lit}..{lit}\n");
        let (_, diags) = archc::syntax::parse_file(archc::span::FileId(0), &text);
        assert!(diags.is_empty(), "`{lit}`: {diags:?}");
        match Period::parse(lit) {
            Some(Ok(p)) => assert_eq!(p.to_string(), *lit, "`{lit}` is printed as written"),
            other => panic!("`{lit}`: {other:?}"),
        }
        assert!(
            tm.is_match(lit),
            "the TextMate grammar does not highlight `{lit}`"
        );
    }
    for lit in lexicon::MALFORMED_PERIODS {
        // The lexer and the grammar read the shape; the parser reports the bad period.
        assert_eq!(lex(lit)[0].kind, TokenKind::Period, "`{lit}`");
        let text = format!("set s = {lit}..{lit}\n");
        let (_, diags) = archc::syntax::parse_file(archc::span::FileId(0), &text);
        assert!(
            diags
                .iter()
                .any(|d| d.code == archc::diagnostics::Code::E0103),
            "`{lit}`: {diags:?}"
        );
    }
}

#[test]
fn the_prelude_declares_the_lexicon_builtin_kinds() {
    let (file, diags) = archc::syntax::parse_file(archc::span::FileId(0), archc::stdlib::PRELUDE);
    assert!(diags.is_empty(), "{diags:?}");
    let kinds: Vec<String> = file
        .items
        .iter()
        .filter_map(|i| match &i.kind {
            archc::syntax::ast::ItemKind::Kind(k) => Some(k.name.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        lexicon::BUILTIN_KINDS
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
}
