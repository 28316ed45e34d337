//! Tests of data loading: CSV/TSV, cell spans, conversions, and every error code. JSON
//! shapes are in `tests_json.rs`; both share the helpers here.

use super::*;
use crate::diagnostics::Code;
use crate::diagnostics::{has_errors, Severity};
use std::path::PathBuf;

pub(super) struct Loaded {
    pub sources: SourceMap,
    pub table: Option<Table>,
    pub diags: Vec<Diagnostic>,
    pub requested_at: Span,
}

impl Loaded {
    pub fn codes(&self) -> Vec<Code> {
        self.diags.iter().map(|d| d.code).collect()
    }

    pub fn table(&self) -> &Table {
        match &self.table {
            Some(t) => t,
            None => panic!("no table; diagnostics: {:#?}", self.diags),
        }
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        &self.sources.text(span.file)[span.range()]
    }

    /// The text under the primary label of the only diagnostic with `code`.
    pub fn primary_text(&self, code: Code) -> &str {
        let found: Vec<&Diagnostic> = self.diags.iter().filter(|d| d.code == code).collect();
        assert_eq!(found.len(), 1, "expected one {code}: {:#?}", self.diags);
        let span = found[0].primary_span().expect("primary label");
        self.slice(span)
    }

    pub fn diag(&self, code: Code) -> &Diagnostic {
        match self.diags.iter().find(|d| d.code == code) {
            Some(d) => d,
            None => panic!("no {code} in {:#?}", self.diags),
        }
    }
}

/// Loads `text` as if it were the file `name`, through a source-map entry (no disk access).
pub(super) fn load(name: &str, text: &str, schema: &[ColumnSpec]) -> Loaded {
    let mut sources = SourceMap::new();
    let model_text = format!("services from \"{name}\"\n");
    let model = sources.add("model.arch", None, model_text.clone());
    let requested_at = Span::new(model, 14, model_text.len() - 1);
    let path = PathBuf::from(format!("/nonexistent-archc-test-dir/{name}"));
    sources.add(name, Some(path.clone()), text);
    let (table, diags) = load_table(&mut sources, &path, name, schema, requested_at);
    Loaded {
        sources,
        table,
        diags,
        requested_at,
    }
}

pub(super) fn services_schema() -> Vec<ColumnSpec> {
    vec![
        ColumnSpec::new("name", ColumnType::Ref).as_key(),
        ColumnSpec::new("cores", ColumnType::Number).non_negative(),
        ColumnSpec::new("replicas", ColumnType::Integer).non_negative(),
        ColumnSpec::new("stateful", ColumnType::Bool).optional(),
    ]
}

pub(super) fn demand_schema() -> Vec<ColumnSpec> {
    vec![
        ColumnSpec::new("service|services", ColumnType::Ref).as_key(),
        ColumnSpec::new("quarter|quarters", ColumnType::Ref).as_key(),
        ColumnSpec::new("value", ColumnType::Number),
    ]
}

fn num(t: &Table, row: usize, col: usize) -> Option<f64> {
    t.records[row].cells[col].value.as_f64()
}

#[test]
fn reads_a_simple_csv() {
    let l = load(
        "services.csv",
        "name,cores,replicas,stateful\ncheckout,16,120,yes\nsearch, 8 ,4,\n",
        &services_schema(),
    );
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    let t = l.table();
    assert_eq!(t.columns, ["name", "cores", "replicas", "stateful"]);
    assert_eq!(t.records.len(), 2);
    assert_eq!(
        t.records[0].cells[0].value,
        CellValue::Text("checkout".into())
    );
    assert_eq!(num(t, 0, 1), Some(16.0));
    assert_eq!(num(t, 0, 2), Some(120.0));
    assert_eq!(t.records[0].cells[3].value, CellValue::Bool(true));
    assert_eq!(num(t, 1, 1), Some(8.0));
    assert_eq!(t.records[1].cells[3].value, CellValue::Missing);
    assert_eq!((t.records[0].row, t.records[1].row), (1, 2));
    assert!(t.records.iter().all(|r| r.valid));
    assert_eq!(l.slice(t.records[1].span), "search, 8 ,4,");
    assert_eq!(t.column_index("replicas"), Some(2));
}

#[test]
fn every_cell_span_slices_out_the_cell_text() {
    let text = "\u{feff}# services\nname , cores,replicas\r\n\n\"check, out\",  1_600 ,3\r\n# a comment\n\"say \"\"hi\"\"\",2,\"4\"\nzürich-édge,3.5,7";
    let schema = &services_schema()[..3];
    let l = load("s.csv", text, schema);
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    let t = l.table();
    let slices: Vec<Vec<&str>> = t
        .records
        .iter()
        .map(|r| r.cells.iter().map(|c| l.slice(c.span)).collect())
        .collect();
    assert_eq!(
        slices,
        vec![
            vec!["check, out", "1_600", "3"],
            vec!["say \"\"hi\"\"", "2", "4"],
            vec!["zürich-édge", "3.5", "7"],
        ]
    );
    assert_eq!(
        t.records[0].cells[0].value,
        CellValue::Text("check, out".into())
    );
    assert_eq!(
        t.records[1].cells[0].value,
        CellValue::Text("say \"hi\"".into())
    );
    assert_eq!(num(t, 0, 1), Some(1600.0));
    assert_eq!(
        t.records[2].cells[0].value,
        CellValue::Text("zürich-édge".into())
    );
    assert_eq!(
        t.records.iter().map(|r| r.row).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn quoted_cells_may_span_lines() {
    let l = load(
        "s.csv",
        "name,note\n\"a\nb\",x\nc,y\n",
        &[
            ColumnSpec::new("name", ColumnType::Text),
            ColumnSpec::new("note", ColumnType::Text),
        ],
    );
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    let t = l.table();
    assert_eq!(l.slice(t.records[0].cells[0].span), "a\nb");
    assert_eq!(l.slice(t.records[1].cells[0].span), "c");
    assert_eq!(l.slice(t.records[1].cells[1].span), "y");
}

#[test]
fn tsv_uses_tabs() {
    let l = load(
        "d.tsv",
        "service\tquarter\tvalue\ncheckout\t2027Q1\t3,5\nsearch\t2027Q2\t4\n",
        &demand_schema(),
    );
    let t = l.table();
    assert_eq!(l.primary_text(Code::E0504), "3,5");
    assert_eq!(l.slice(t.records[1].cells[1].span), "2027Q2");
    assert_eq!(num(t, 1, 2), Some(4.0));
}

#[test]
fn alternative_column_spellings_are_accepted() {
    let l = load(
        "d.csv",
        "services,quarters,value\ncheckout,2027Q1,3\n",
        &demand_schema(),
    );
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    assert_eq!(l.table().columns, ["service", "quarter", "value"]);
    assert_eq!(num(l.table(), 0, 2), Some(3.0));
}

#[test]
fn blank_and_all_empty_rows_are_skipped() {
    let l = load(
        "s.csv",
        "name,cores,replicas\n\n,,\na,1,2\n   \n",
        &services_schema()[..3],
    );
    assert!(l.diags.is_empty(), "{:#?}", l.diags);
    assert_eq!(l.table().records.len(), 1);
    assert_eq!(l.table().records[0].row, 1);
}

#[test]
fn e0501_missing_file_points_at_the_model_and_suggests_a_sibling() {
    let dir = std::env::temp_dir().join(format!("archc-data-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("services.csv"), "name\n").expect("write");
    let mut sources = SourceMap::new();
    let model = sources.add("model.arch", None, "services from \"data/service.csv\"");
    let at = Span::new(model, 14, 33);
    let (t, d) = load_table(
        &mut sources,
        &dir.join("service.csv"),
        "data/service.csv",
        &services_schema(),
        at,
    );
    assert!(t.is_none());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, Code::E0501);
    assert_eq!(d[0].primary_span(), Some(at));
    assert!(d[0].message.contains("no such file"), "{}", d[0].message);
    assert_eq!(
        d[0].help.as_deref(),
        Some("did you mean `services.csv`? (a file with that name is in the same folder)")
    );
    assert_eq!(sources.len(), 1, "nothing added for an unreadable file");

    // Reading from disk works and registers the file under its display name.
    let (t, d) = load_table(
        &mut sources,
        &dir.join("services.csv"),
        "data/services.csv",
        &services_schema()[..1],
        at,
    );
    assert!(d.is_empty(), "{d:#?}");
    let t = t.expect("table");
    assert_eq!(sources.name(t.file), "data/services.csv");
    assert_eq!(t.records.len(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_utf8_is_e0508_at_the_bad_byte() {
    let dir = std::env::temp_dir().join(format!("archc-data-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad.csv");
    std::fs::write(&path, b"name\nab\xffc\n").expect("write");
    let mut sources = SourceMap::new();
    let model = sources.add("model.arch", None, "x from \"bad.csv\"");
    let (t, d) = load_table(
        &mut sources,
        &path,
        "bad.csv",
        &services_schema()[..1],
        Span::new(model, 7, 16),
    );
    assert!(t.is_none());
    assert_eq!(d[0].code, Code::E0508);
    assert_eq!(d[0].primary_span().map(|s| s.start), Some(7));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn e0502_unsupported_extension() {
    let l = load("regions.xlsx", "whatever", &services_schema());
    assert!(l.table.is_none());
    assert_eq!(l.codes(), [Code::E0502]);
    assert_eq!(l.diags[0].primary_span(), Some(l.requested_at));
    assert!(l.diags[0].message.contains(".xlsx"));
}

#[test]
fn e0503_missing_column_points_at_header_and_suggests() {
    let l = load("s.csv", "name,core,replicas\na,1,2\n", &services_schema());
    assert_eq!(l.codes(), [Code::E0503, Code::W0509]);
    assert_eq!(l.primary_text(Code::E0503), "name,core,replicas");
    let d = l.diag(Code::E0503);
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `core`? rename the column to `cores`")
    );
    assert!(
        d.notes
            .iter()
            .any(|n| n == "columns in the file: `name`, `core`, `replicas`"),
        "{:?}",
        d.notes
    );
    let w = l.diag(Code::W0509);
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.help.as_deref(), Some("did you mean `cores`?"));
    // The table is still returned, with names resolvable but every record invalid.
    let t = l.table();
    assert_eq!(t.records[0].cells[0].value, CellValue::Text("a".into()));
    assert!(!t.records[0].valid);
}

#[test]
fn e0504_bad_number_and_fraction_in_integer_column() {
    let l = load(
        "s.csv",
        "name,cores,replicas\ncheckout,16c,2.5\n",
        &services_schema(),
    );
    assert_eq!(l.codes(), [Code::E0504, Code::E0504]);
    assert_eq!(
        l.diags[0].message,
        "expected a number for column `cores`, found `16c`"
    );
    assert_eq!(l.slice(l.diags[0].primary_span().expect("span")), "16c");
    assert_eq!(
        l.diags[1].message,
        "expected a whole number for column `replicas`, found `2.5`"
    );
    assert!(l.diags[0]
        .labels
        .iter()
        .any(|lb| !lb.primary && lb.span == l.requested_at && lb.message == "loaded here"));
    assert!(l.diags[0].help.is_some());
    let t = l.table();
    assert!(!t.records[0].valid);
    assert!(t.records[0].cells[1].value.is_missing());
    assert_eq!(l.slice(t.records[0].cells[1].span), "16c");
}

#[test]
fn underscores_only_between_digits() {
    let l = load(
        "s.csv",
        "name,cores,replicas\na,40_000,1\nb,_4,1\nc,4__0,1\nd,4_,1\n",
        &services_schema(),
    );
    assert_eq!(num(l.table(), 0, 1), Some(40000.0));
    assert_eq!(l.codes(), [Code::E0504, Code::E0504, Code::E0504]);
}

#[test]
fn e0505_non_finite_numbers() {
    let l = load(
        "s.csv",
        "name,cores,replicas\na,NaN,1\nb,inf,1\nc,1e999,1\n",
        &services_schema(),
    );
    assert_eq!(l.codes(), [Code::E0505, Code::E0505, Code::E0505]);
    assert_eq!(l.slice(l.diags[2].primary_span().expect("span")), "1e999");
}

#[test]
fn e0506_negative_where_nonneg() {
    let schema = vec![
        ColumnSpec::new("name", ColumnType::Ref),
        ColumnSpec::new("cores", ColumnType::Number).non_negative(),
        ColumnSpec::new("delta", ColumnType::Number),
    ];
    let l = load("s.csv", "name,cores,delta\na,-3,-3\nb,-0,1\n", &schema);
    assert_eq!(l.primary_text(Code::E0506), "-3");
    assert_eq!(l.diags[0].labels[0].span.start, 19);
    assert_eq!(num(l.table(), 0, 2), Some(-3.0));
    assert_eq!(num(l.table(), 1, 1), Some(0.0));
}

#[test]
fn e0507_duplicate_key_labels_both_rows() {
    let text = "service,quarter,value\ncheckout,2027Q1,3\ncheckout,2027Q2,4\ncheckout,2027Q1,5\n";
    let l = load("d.csv", text, &demand_schema());
    assert_eq!(l.codes(), [Code::E0507]);
    let d = l.diag(Code::E0507);
    assert_eq!(d.message, "duplicate key (checkout, 2027Q1) in row 3");
    assert_eq!(l.slice(d.primary_span().expect("span")), "checkout,2027Q1");
    let first = d
        .labels
        .iter()
        .find(|lb| lb.message == "first given in row 1")
        .expect("label on the first");
    assert_eq!(
        first.span.start as usize,
        text.find("checkout,2027Q1").expect("first row")
    );
    assert!(!l.table().records[2].valid);
    assert!(l.table().records[0].valid);
}

#[test]
fn e0507_single_key_entities() {
    let l = load(
        "s.csv",
        "name,cores,replicas\na,1,1\nb,1,1\na,2,2\n",
        &services_schema(),
    );
    assert_eq!(l.diag(Code::E0507).message, "duplicate key `a` in row 3");
    assert_eq!(l.primary_text(Code::E0507), "a");
}

#[test]
fn e0508_unclosed_quote_and_empty_file_and_duplicate_column() {
    let l = load(
        "s.csv",
        "name,cores,replicas\n\"abc,1,2\n",
        &services_schema(),
    );
    assert_eq!(l.codes(), [Code::E0508]);
    assert_eq!(l.diags[0].primary_span().map(|s| s.start), Some(20));

    let l = load("s.csv", "", &services_schema());
    assert!(l.table.is_none());
    assert_eq!(l.codes(), [Code::E0508]);

    let l = load("s.csv", "name,cores,name\na,1,b\n", &services_schema()[..2]);
    assert_eq!(l.codes(), [Code::E0508]);
    assert_eq!(l.diags[0].primary_span().map(|s| s.start), Some(11));
}

#[test]
fn w0509_unknown_column_is_ignored() {
    let l = load(
        "s.csv",
        "name,cores,replicas,owner\na,1,2,team-x\n",
        &services_schema(),
    );
    assert_eq!(l.codes(), [Code::W0509]);
    assert_eq!(l.primary_text(Code::W0509), "owner");
    assert!(!has_errors(&l.diags));
    assert!(l.table().records[0].valid);
    assert_eq!(l.table().records[0].cells.len(), 4);
}

#[test]
fn e0510_missing_value_in_required_column() {
    let l = load("s.csv", "name,cores,replicas\na,,2\n", &services_schema());
    assert_eq!(l.codes(), [Code::E0510]);
    let span = l.diags[0].primary_span().expect("span");
    assert_eq!((span.start, span.end), (22, 22));
    assert!(!l.table().records[0].valid);
}

#[test]
fn e0511_unknown_reference_suggests() {
    let l = load(
        "s.csv",
        "name,cores,replicas\nus-eats,1,2\n",
        &services_schema(),
    );
    let cell = &l.table().records[0].cells[0];
    let d = unknown_reference(cell, "region", &["us-east", "eu-west"]);
    assert_eq!(d.code, Code::E0511);
    assert_eq!(d.message, "unknown region `us-eats`");
    assert_eq!(l.slice(d.primary_span().expect("span")), "us-eats");
    assert_eq!(d.help.as_deref(), Some("did you mean `us-east`?"));
    let far = unknown_reference(cell, "region", &["tokyo", "paris"]);
    assert_eq!(
        far.help.as_deref(),
        Some("known region names: `paris`, `tokyo`")
    );
}

#[test]
fn e0512_row_length() {
    let l = load(
        "s.csv",
        "name,cores,replicas\na,1\nb,1,2,3,4\nc,1,2\n",
        &services_schema(),
    );
    assert_eq!(
        l.codes(),
        [Code::E0512, Code::E0512],
        "no E0510 for the cells of a short row"
    );
    assert_eq!(l.slice(l.diags[0].primary_span().expect("span")), "a,1");
    assert_eq!(l.slice(l.diags[1].primary_span().expect("span")), "3,4");
    let t = l.table();
    assert_eq!(t.records.len(), 3);
    assert!(!t.records[0].valid && !t.records[1].valid && t.records[2].valid);
    assert_eq!(num(t, 1, 2), Some(2.0));
}

#[test]
fn e0513_bad_bool() {
    let l = load(
        "s.csv",
        "name,cores,replicas,stateful\na,1,1,maybe\nb,1,1,NO\n",
        &services_schema(),
    );
    assert_eq!(l.codes(), [Code::E0513]);
    assert_eq!(l.primary_text(Code::E0513), "maybe");
    assert_eq!(l.table().records[1].cells[3].value, CellValue::Bool(false));
}

#[test]
fn w0515_caps_diagnostics_per_file() {
    let mut text = String::from("name,cores,replicas\n");
    for i in 0..120 {
        text.push_str(&format!("s{i},x,1\n"));
    }
    let l = load("s.csv", &text, &services_schema());
    assert_eq!(l.diags.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
    let last = l.diags.last().expect("last");
    assert_eq!(last.code, Code::W0515);
    assert_eq!(last.message, "70 more problems in `s.csv` not shown");
}

#[test]
fn unicode_names_and_headers() {
    let schema = vec![
        ColumnSpec::new("name", ColumnType::Ref).as_key(),
        ColumnSpec::new("größe", ColumnType::Number),
    ];
    let l = load("s.csv", "name,größe\n東京-1,12\nσ-west,1x\n", &schema);
    assert_eq!(l.codes(), [Code::E0504]);
    assert_eq!(l.primary_text(Code::E0504), "1x");
    let t = l.table();
    assert_eq!(l.slice(t.records[0].cells[0].span), "東京-1");
    assert_eq!(t.records[0].cells[0].value.as_str(), Some("東京-1"));
    assert_eq!(num(t, 0, 1), Some(12.0));
}

#[test]
fn diagnostics_render_with_the_data_line() {
    let l = load(
        "s.csv",
        "name,cores,replicas\ncheckout,16c,1\n",
        &services_schema(),
    );
    let out = crate::diagnostics::render::render_plain(&l.diags[0], &l.sources, 100);
    assert!(out.contains("checkout,16c,1"), "{out}");
    assert!(out.contains("s.csv:2:"), "{out}");
    assert!(out.contains("loaded here"), "{out}");
}

#[test]
fn large_file_loads() {
    let mut text = String::with_capacity(3_000_000);
    text.push_str("name,cores,replicas\n");
    for i in 0..100_000 {
        text.push_str(&format!("service-{i},{}.5,{}\n", i % 64, i % 7));
    }
    let l = load("big.csv", &text, &services_schema());
    assert!(l.diags.is_empty());
    let t = l.table();
    assert_eq!(t.records.len(), 100_000);
    assert_eq!(l.slice(t.records[99_999].cells[0].span), "service-99999");
    assert_eq!(num(t, 99_999, 1), Some(31.5));
}

#[test]
fn every_code_is_documented() {
    for code in [
        Code::E0501,
        Code::E0502,
        Code::E0503,
        Code::E0504,
        Code::E0505,
        Code::E0506,
        Code::E0507,
        Code::E0508,
        Code::W0509,
        Code::E0510,
        Code::E0511,
        Code::E0512,
        Code::E0513,
        Code::E0514,
        Code::W0515,
        Code::E0540,
        Code::E0541,
        Code::E0542,
        Code::E0543,
        Code::E0544,
        Code::E0545,
        Code::E0546,
        Code::E0550,
        Code::W0551,
        Code::E0560,
        Code::E0561,
        Code::E0562,
        Code::E0563,
        Code::E0564,
        Code::E0565,
        Code::E0566,
        Code::E0567,
        Code::E0580,
        Code::E0585,
        Code::E0586,
        Code::E0587,
        Code::E0588,
        Code::E0589,
    ] {
        assert!(code.explanation().contains("Fix"), "{code} has no fix");
    }
    let data_codes = crate::diagnostics::codes::all()
        .into_iter()
        .filter(|c| c.code.phase() == crate::diagnostics::codes::Phase::Data)
        .count();
    assert_eq!(data_codes, 38);
}
