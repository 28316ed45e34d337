//! Unit tests of the AST builder: quoted names; and how much text filling the parse cache
//! reads.

use super::*;
use crate::diagnostics::Code;

fn parse(src: &str) -> (File, Vec<Diagnostic>) {
    parse_file(FileId(0), src)
}

fn range(s: Span) -> (usize, usize) {
    (s.start as usize, s.end as usize)
}

fn constraint_body(file: &File) -> &Expr {
    match &file.items[0].kind {
        ItemKind::Constraint(c) => &c.body,
        other => panic!("not a constraint: {other:?}"),
    }
}

#[test]
fn quoted_name_in_index_position() {
    let src = "constraint pin: x[`1a`] >= 2";
    let (file, diags) = parse(src);
    assert!(diags.is_empty(), "{diags:?}");
    let ExprKind::Compare(lhs, _) = &constraint_body(&file).kind else {
        panic!("not a comparison");
    };
    let ExprKind::Index(_, keys) = &lhs.kind else {
        panic!("not an index: {lhs:?}");
    };
    let ExprKind::Name(name) = &keys[0].kind else {
        panic!("not a name: {:?}", keys[0]);
    };
    assert_eq!(name.name, "1a");
    let start = src.find('`').expect("backtick");
    assert_eq!(range(name.span), (start, start + 4));
}

#[test]
fn quoted_name_in_entity_declaration_and_field() {
    let src = "region `eu west` { cores: 4 core }\nconstraint c: `eu west`.cores >= 1 core";
    let (file, diags) = parse(src);
    assert!(diags.is_empty(), "{diags:?}");
    let ItemKind::Entity(e) = &file.items[0].kind else {
        panic!("not an entity");
    };
    assert_eq!(e.kind.name, "region");
    assert_eq!(e.name.name, "eu west");
    let (a, b) = range(e.name.span);
    assert_eq!(&src[a..b], "`eu west`");
    // The quoted and the plain spelling are the same name.
    let (plain, _) = parse("region us-east {}");
    let (quoted, _) = parse("region `us-east` {}");
    assert_eq!(
        plain.items[0].kind.name().map(|n| &n.name),
        Some(&"us-east".to_string())
    );
    assert_eq!(
        quoted.items[0].kind.name().map(|n| &n.name),
        Some(&"us-east".to_string())
    );
}

#[test]
fn quoted_keyword_is_a_plain_name() {
    let (file, diags) = parse("param `in`: int = 3\nconstraint `where`: `in` >= 1");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        file.items[0].kind.name().map(|n| n.name.as_str()),
        Some("in")
    );
    assert_eq!(
        file.items[1].kind.name().map(|n| n.name.as_str()),
        Some("where")
    );
    let ItemKind::Constraint(c) = &file.items[1].kind else {
        panic!("not a constraint");
    };
    let ExprKind::Compare(lhs, _) = &c.body.kind else {
        panic!("not a comparison");
    };
    assert!(matches!(&lhs.kind, ExprKind::Name(n) if n.name == "in"));
}

#[test]
fn unterminated_quoted_name_is_a_diagnostic() {
    let src = "constraint pin: x[`1a] >= 2\nparam p: int = 1\n";
    let (file, diags) = parse(src);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d.code, Code::E0106);
    assert!(d.message.contains("unterminated"), "{}", d.message);
    assert!(d.help.is_some());
    let start = src.find('`').expect("backtick");
    let label = &d.labels[0];
    assert_eq!(range(label.span), (start, src.find('\n').expect("newline")));
    // The broken item is dropped (not kept as `constraint pin: x`); the next line is read.
    assert_eq!(file.items.len(), 1);
    assert_eq!(
        file.items[0].kind.name().map(|n| n.name.as_str()),
        Some("p")
    );
}

#[test]
fn empty_quoted_name_is_a_diagnostic() {
    let (_, diags) = parse("region `` {}\n");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, Code::E0106);
    assert!(diags[0].message.contains("empty"));
    assert_eq!(range(diags[0].labels[0].span), (7, 9));
}

#[test]
fn odd_backticks_never_panic() {
    for src in [
        "`",
        "``",
        "x `",
        "region `a",
        "constraint c: \"`\" == `",
        "`é\n`",
        "region `€` {}",
    ] {
        let _ = parse(src);
    }
}

#[test]
fn written_names() {
    assert_eq!(written_name("us-east").as_deref(), Some("us-east"));
    assert_eq!(written_name("1a").as_deref(), Some("`1a`"));
    assert_eq!(written_name("eu west").as_deref(), Some("`eu west`"));
    assert_eq!(written_name("in").as_deref(), Some("`in`"));
    assert_eq!(written_name("a`b"), None);
    assert_eq!(written_name(""), None);
    assert_eq!(unquote_name("`1a`"), "1a");
    assert_eq!(unquote_name("1a"), "1a");
}

#[test]
fn entities_from_takes_a_key_column_on_its_line() {
    let (file, diags) = parse("hosts from \"h.csv\" key id\nsites from \"s.json\"\nkey k1\n");
    assert!(diags.is_empty(), "{diags:?}");
    let keys: Vec<Option<&str>> = file
        .items
        .iter()
        .filter_map(|i| match &i.kind {
            ItemKind::EntitiesFrom(f) => Some(f.key.as_ref().map(|k| k.name.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(keys, [Some("id"), None]);
    // On a line of its own, `key k1` is an entity `k1` of a kind named `key`.
    assert!(matches!(
        &file.items[2].kind,
        ItemKind::Entity(e) if e.kind.name == "key" && e.name.name == "k1"
    ));
    let (file, diags) = parse("hosts from \"h.csv\" key `host id`\n");
    assert!(diags.is_empty(), "{diags:?}");
    let ItemKind::EntitiesFrom(f) = &file.items[0].kind else {
        panic!("not entities from: {:?}", file.items[0].kind);
    };
    assert_eq!(f.key_column(), "host id");
}

/// `groups` groups of ten lines like those of a large capacity model: eight scalar params,
/// a param indexed by site that uses them, and a constraint per site over two lines.
fn params_model(groups: usize) -> String {
    let mut s = String::new();
    for i in 0..groups {
        for j in 0..7 {
            s.push_str(&format!("param p{i}_{j}: core = {} core\n", (i + j) % 97));
        }
        s.push_str(&format!(
            "param q{i}[t in sites]: core = t.cores + p{i}_0 + p{i}_6\n"
        ));
        s.push_str(&format!(
            "constraint c{i}[t in sites]:\n    x[t] >= q{i}[t] - 200 core\n"
        ));
    }
    s
}

/// The bytes the probes read when a parse fills an empty cache, and the text's length.
fn probed(groups: usize) -> (usize, usize) {
    let text = params_model(groups);
    let mut cache = ParseCache::new();
    let (file, diags) = parse_file_incremental(FileId(0), &text, &mut cache);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(file.items.len(), groups * 9);
    assert_eq!(cache.parsed, groups * 9);
    (cache.probed, text.len())
}

/// Filling the parse cache (the language server does it for each opened document) probes
/// each item with a window of the text after it, not with the whole rest of the text: the
/// bytes read grow with the text, not with its square. Counted, not timed.
#[test]
fn filling_the_parse_cache_reads_a_bounded_window_per_item() {
    let (small, small_len) = probed(500);
    let (large, large_len) = probed(1000);
    assert!(large_len >= 2 * small_len - 10);
    // A probe of the rest of the text per item would read about len² / 2 bytes.
    for (read, len) in [(small, small_len), (large, large_len)] {
        assert!(read <= 32 * len, "{read} bytes probed for {len}");
    }
    // Twice the text, about twice the reading (the square would be four times).
    assert!(
        10 * large <= 22 * small,
        "{small} then {large} bytes probed"
    );
}
