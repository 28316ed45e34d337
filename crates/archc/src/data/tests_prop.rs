//! Property tests of data loading: no input makes the loader panic, and cell spans of
//! generated CSV files slice out exactly the cell text.

use super::tests::{load, services_schema};
use super::*;
use proptest::prelude::*;

fn schema3() -> Vec<ColumnSpec> {
    vec![
        ColumnSpec::new("name", ColumnType::Text),
        ColumnSpec::new("note", ColumnType::Text).optional(),
        ColumnSpec::new("extra", ColumnType::Text).optional(),
    ]
}

/// Quotes a cell the way a spreadsheet export would.
fn csv_cell(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) || value.starts_with('#') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,120}", nl in any::<bool>()) {
        let text = if nl { text.replace(';', "\n") } else { text };
        for name in ["x.csv", "x.tsv", "x.json"] {
            let l = load(name, &text, &services_schema());
            for d in &l.diags {
                if let Some(span) = d.primary_span() {
                    prop_assert!(l.sources.text(span.file).get(span.range()).is_some());
                }
            }
        }
    }

    #[test]
    fn csv_cell_spans_slice_out_the_cells(
        rows in prop::collection::vec(prop::collection::vec("[a-zé東 ,\"\\n]{0,6}[a-z]", 3), 1..8)
    ) {
        let mut text = String::from("name,note,extra\n");
        for row in &rows {
            let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
            text.push_str(&cells.join(","));
            text.push('\n');
        }
        let l = load("p.csv", &text, &schema3());
        prop_assert!(l.diags.is_empty(), "{:#?}\n{}", l.diags, text);
        let t = l.table();
        prop_assert_eq!(t.records.len(), rows.len());
        for (record, row) in t.records.iter().zip(&rows) {
            for (cell, value) in record.cells.iter().zip(row) {
                let value = value.trim();
                prop_assert_eq!(cell.value.as_str(), Some(value));
                let raw = l.slice(cell.span);
                prop_assert_eq!(raw.replace("\"\"", "\""), value);
            }
        }
    }

    #[test]
    fn json_cell_spans_slice_out_the_values(names in prop::collection::vec("[a-zé東 ]{0,6}[a-z]", 1..8)) {
        let objects: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{{\"name\": \"{n}\", \"note\": {i}}}"))
            .collect();
        let text = format!("[{}]", objects.join(",\n"));
        let l = load("p.json", &text, &schema3());
        prop_assert!(l.diags.is_empty(), "{:#?}", l.diags);
        for (i, (record, name)) in l.table().records.iter().zip(&names).enumerate() {
            prop_assert_eq!(l.slice(record.cells[0].span), name.trim());
            prop_assert_eq!(l.slice(record.cells[1].span), i.to_string());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Whole numbers of up to 15 digits are summed digit by digit, not parsed as floats:
    /// the same value as `str::parse`, leading zeros and all.
    #[test]
    fn digit_strings_parse_as_floats_do(text in "[0-9]{1,17}") {
        let parsed: f64 = text.parse().unwrap();
        prop_assert_eq!(convert::parse_number(&text).map(f64::to_bits), Some(parsed.to_bits()));
    }
}
