//! Tests of JSON data files: the accepted shapes, spans, and JSON-specific errors.

use super::tests::{demand_schema, load, services_schema};
use super::*;
use crate::diagnostics::Code;

#[test]
fn array_of_objects() {
    let text = r#"[
  {"name": "checkout", "cores": 16, "replicas": 120, "stateful": true},
  {"name": "search", "cores": "8", "replicas": 4, "stateful": null}
]"#;
    let l = load("s.json", text, &services_schema());
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    let t = l.table();
    assert_eq!(t.records.len(), 2);
    assert_eq!(
        t.records[0].cells[0].value,
        CellValue::Text("checkout".into())
    );
    assert_eq!(t.records[0].cells[3].value, CellValue::Bool(true));
    assert_eq!(
        t.records[1].cells[1].value,
        CellValue::Number(8.0),
        "a string in a number column"
    );
    assert!(t.records[1].cells[3].value.is_missing());
    assert_eq!((t.records[0].row, t.records[1].row), (1, 2));
    assert!(l
        .slice(t.records[1].span)
        .starts_with("{\"name\": \"search\""));
    assert!(l.slice(t.records[1].span).ends_with('}'));
    let slices: Vec<&str> = t.records[0].cells.iter().map(|c| l.slice(c.span)).collect();
    assert_eq!(slices, ["checkout", "16", "120", "true"]);
    assert_eq!(l.slice(t.records[1].cells[1].span), "8");
}

#[test]
fn object_keyed_by_name() {
    let text = r#"{
  "checkout": {"cores": 16, "replicas": 120},
  "zürich-édge": {"cores": 2.5, "replicas": 1, "name": "zürich-édge"}
}"#;
    let l = load("s.json", text, &services_schema());
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    let t = l.table();
    assert_eq!(t.records.len(), 2);
    assert_eq!(t.records[1].cells[0].value.as_str(), Some("zürich-édge"));
    assert_eq!(l.slice(t.records[1].cells[0].span), "zürich-édge");
    assert_eq!(t.records[1].cells[1].value.as_f64(), Some(2.5));
    assert_eq!(t.records[1].row, 2);
    assert!(l.slice(t.records[0].span).starts_with("\"checkout\": {"));
}

#[test]
fn keyed_object_uses_name_column_when_no_key_is_marked() {
    let schema = vec![
        ColumnSpec::new("name", ColumnType::Ref),
        ColumnSpec::new("cores", ColumnType::Number),
    ];
    let l = load(
        "s.json",
        r#"{"a": {"cores": 1}, "b": {"cores": 2}}"#,
        &schema,
    );
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    assert_eq!(l.table().records[1].cells[0].value.as_str(), Some("b"));
}

#[test]
fn nested_objects_fill_key_columns_in_order() {
    let text = r#"{"checkout": {"2027Q1": 3, "2027Q2": 4.5}, "search": {"2027Q1": {"value": 1}}}"#;
    let l = load("d.json", text, &demand_schema());
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    let t = l.table();
    let rows: Vec<(String, String, f64)> = t
        .records
        .iter()
        .map(|r| {
            (
                r.cells[0].value.as_str().unwrap_or("?").to_string(),
                r.cells[1].value.as_str().unwrap_or("?").to_string(),
                r.cells[2].value.as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("checkout".into(), "2027Q1".into(), 3.0),
            ("checkout".into(), "2027Q2".into(), 4.5),
            ("search".into(), "2027Q1".into(), 1.0)
        ]
    );
    assert_eq!(
        t.records.iter().map(|r| r.row).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(l.slice(t.records[1].cells[1].span), "2027Q2");
    assert_eq!(l.slice(t.records[1].cells[2].span), "4.5");
    assert_eq!(l.slice(t.records[1].span), "\"2027Q2\": 4.5");
}

#[test]
fn long_format_array_for_params() {
    let text = r#"[{"service": "checkout", "quarter": "2027Q1", "value": 3}]"#;
    let l = load("d.json", text, &demand_schema());
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    assert_eq!(l.table().records[0].cells[2].value.as_f64(), Some(3.0));
}

#[test]
fn e0514_shape_errors() {
    let l = load("d.json", "42", &demand_schema());
    assert!(l.table.is_none());
    assert_eq!(l.codes(), [Code::E0514]);

    let l = load(
        "s.json",
        r#"[{"name": "a", "cores": 1, "replicas": 1}, 7]"#,
        &services_schema(),
    );
    assert_eq!(l.codes(), [Code::E0514]);
    assert_eq!(l.primary_text(Code::E0514), "7");
    assert_eq!(l.table().records.len(), 1);

    // A value where another key level is expected.
    let l = load("d.json", r#"{"checkout": 3}"#, &demand_schema());
    assert_eq!(l.codes(), [Code::E0514]);
    assert_eq!(
        l.diags[0].message,
        "expected an object keyed by `quarter`, found a number"
    );

    // A nested value in a cell.
    let l = load(
        "s.json",
        r#"[{"name": "a", "cores": [1], "replicas": 1}]"#,
        &services_schema(),
    );
    assert_eq!(l.codes(), [Code::E0514]);
    assert_eq!(l.primary_text(Code::E0514), "[1]");

    // A bare value when there are several non-key columns.
    let l = load("s.json", r#"{"a": 3}"#, &services_schema());
    assert_eq!(l.codes(), [Code::E0514]);

    // A record property that contradicts its key.
    let l = load(
        "s.json",
        r#"{"a": {"name": "b", "cores": 1, "replicas": 1}}"#,
        &services_schema(),
    );
    assert_eq!(l.codes(), [Code::E0514]);
    assert_eq!(l.primary_text(Code::E0514), "b");
}

#[test]
fn e0508_malformed_json_points_at_the_error() {
    let text = "[{\"name\": \"a\", \"cores\": 1,}]";
    let l = load("s.json", text, &services_schema());
    assert!(l.table.is_none());
    assert_eq!(l.codes(), [Code::E0508]);
    let span = l.diags[0].primary_span().expect("span");
    assert_eq!(span.start as usize, text.find(",}").expect("comma"));
    assert!(
        l.diags[0].message.starts_with("malformed JSON: "),
        "{}",
        l.diags[0].message
    );

    let l = load("s.json", "  \n", &services_schema());
    assert_eq!(l.codes(), [Code::E0508]);

    let l = load("s.json", "// c\n[]", &services_schema());
    assert_eq!(l.codes(), [Code::E0508], "comments are not JSON");
}

#[test]
fn e0508_duplicate_property() {
    let l = load(
        "s.json",
        r#"[{"name": "a", "cores": 1, "cores": 2, "replicas": 1}]"#,
        &services_schema(),
    );
    assert_eq!(l.codes(), [Code::E0508]);
    let d = &l.diags[0];
    assert_eq!(
        d.labels
            .iter()
            .filter(|lb| l.slice(lb.span) == "cores")
            .count(),
        2
    );
    assert_eq!(l.table().records[0].cells[1].value.as_f64(), Some(1.0));
}

#[test]
fn json_cell_errors() {
    let text = r#"[
  {"name": "a", "cores": "16c", "replicas": 1},
  {"name": "b", "cores": NaN, "replicas": 1},
  {"name": "c", "cores": -1, "replicas": 1},
  {"name": "d", "cores": true, "replicas": 1},
  {"name": "e", "replicas": 1},
  {"name": "a", "cores": 1, "replicas": 1, "stateful": "perhaps", "colour": "red"}
]"#;
    let l = load("s.json", text, &services_schema());
    assert_eq!(
        l.codes(),
        [
            Code::W0509,
            Code::E0504,
            Code::E0505,
            Code::E0506,
            Code::E0504,
            Code::E0510,
            Code::E0513,
            Code::E0507
        ]
    );
    let texts: Vec<&str> = l
        .diags
        .iter()
        .map(|d| l.slice(d.primary_span().expect("span")))
        .collect();
    assert_eq!(
        texts,
        ["colour", "16c", "NaN", "-1", "true", "{", "perhaps", "a"]
    );
    assert_eq!(l.diags[5].message, "record 5 has no `cores`");
}

#[test]
fn json_numbers_are_text_in_text_columns() {
    let schema = vec![
        ColumnSpec::new("name", ColumnType::Ref).as_key(),
        ColumnSpec::new("year", ColumnType::Text),
    ];
    let l = load(
        "y.json",
        r#"{"2027": {"year": 2027}, "x": {"year": "  padded "}}"#,
        &schema,
    );
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    let t = l.table();
    assert_eq!(t.records[0].cells[0].value.as_str(), Some("2027"));
    assert_eq!(t.records[0].cells[1].value.as_str(), Some("2027"));
    assert_eq!(t.records[1].cells[1].value.as_str(), Some("padded"));
    assert_eq!(l.slice(t.records[1].cells[1].span), "padded");
}

#[test]
fn large_json_loads() {
    let mut text = String::from("[");
    for i in 0..100_000 {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "{{\"name\":\"s{i}\",\"cores\":{},\"replicas\":1}}\n",
            i % 10
        ));
    }
    text.push(']');
    let l = load("big.json", &text, &services_schema());
    assert!(l.diags.is_empty());
    let t = l.table();
    assert_eq!(t.records.len(), 100_000);
    assert_eq!(l.slice(t.records[54_321].cells[0].span), "s54321");
    assert_eq!(t.records[54_321].cells[1].value.as_f64(), Some(1.0));
}

#[test]
fn empty_json_is_an_empty_table_but_a_column_absent_from_every_record_is_e0503() {
    let l = load("s.json", "[]", &services_schema());
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    assert_eq!(l.table().records.len(), 0);

    let l = load(
        "s.json",
        r#"[{"name": "a", "cores": 1}, {"name": "b", "cores": 2}]"#,
        &services_schema(),
    );
    assert_eq!(
        l.codes(),
        [Code::E0503],
        "one E0503, not one E0510 per record"
    );
    assert_eq!(l.primary_text(Code::E0503), "[");
}

#[test]
fn duplicate_keys_in_keyed_json_point_at_the_innermost_keys() {
    let text = r#"{"checkout": {"2027Q1": 3, "2027Q1": 4}, "a": {"Q": 1}, "a": {"Q": 2}}"#;
    let l = load("d.json", text, &demand_schema());
    assert_eq!(l.codes(), [Code::E0507, Code::E0507]);
    let first = l.diags[0].primary_span().expect("span");
    assert_eq!(
        first.start as usize,
        text.rfind("2027Q1").expect("second key")
    );
    let earlier = l.diags[0]
        .labels
        .iter()
        .find(|lb| !lb.primary && lb.span.file == first.file)
        .expect("first");
    assert_eq!(
        earlier.span.start as usize,
        text.find("2027Q1").expect("first key")
    );
    assert_eq!(l.diags[1].message, "duplicate key (a, Q) in row 4");
}
