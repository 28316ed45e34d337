//! JSON files into a [`RawTable`], with the byte span of every value (parsed with
//! `jsonc-parser` in strict mode). The accepted shapes are described in [`super`]: an array
//! of objects, or objects keyed by the schema's key columns.

use super::raw::{trim_with_offset, RawColumn, RawField, RawRecord, RawTable, RawValue, Sink};
use super::ColumnSpec;
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::{FileId, Span};
use jsonc_parser::ast::{Object, ObjectPropName, StringLit, Value};
use jsonc_parser::common::Range;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};
use std::borrow::Cow;
use std::collections::HashMap;

/// Parses `text` (the whole file). Returns `None` when it is not JSON of an accepted shape.
pub(crate) fn read<'a>(
    text: &'a str,
    file: FileId,
    schema: &[ColumnSpec],
    sink: &mut Sink,
) -> Option<RawTable<'a>> {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        // Accepted by the parser so that the cell gets the clearer E0505.
        allow_non_finite_numbers: true,
        allow_extended_string_escapes: false,
    };
    let parsed = match jsonc_parser::parse_to_ast(text, &collect, &options) {
        Ok(p) => p,
        Err(e) => {
            let r = e.range();
            sink.push(
                Diagnostic::error(Code::E0508, format!("malformed JSON: {}", lowercase_first(&e.kind().to_string())))
                    .primary(Span::new(file, r.start, r.end.max(r.start)), "here")
                    .help("data files must be strict JSON: no comments, no trailing commas, keys in double quotes"),
            );
            return None;
        }
    };
    let Some(value) = parsed.value else {
        sink.push(
            Diagnostic::error(Code::E0508, "the data file is empty")
                .primary(
                    Span::new(file, 0, 0),
                    "expected a JSON array or object here",
                )
                .help("write an array of objects, one per record: `[{\"name\": \"a\"}]`"),
        );
        return None;
    };
    let mut reader = Reader {
        text,
        file,
        columns: Vec::new(),
        by_name: HashMap::new(),
        records: Vec::new(),
        key_path: key_path(schema),
        value_column: value_column(schema),
    };
    let top = range(&value);
    let header_span = Span::new(file, top.start, (top.start + 1).min(top.end));
    match &value {
        Value::Array(array) => {
            for (i, element) in array.elements.iter().enumerate() {
                match element {
                    Value::Object(object) => {
                        let span = reader.span(object.range);
                        let anchor = Span::new(file, object.range.start, object.range.start + 1);
                        reader.record_from_object(object, Vec::new(), span, anchor, i + 1, sink);
                    }
                    other => push_shape(
                        sink,
                        reader.span(range(other)),
                        format!(
                            "expected an object for record {}, found {}",
                            i + 1,
                            describe(other)
                        ),
                        "write each record as an object: `{\"name\": \"a\", ...}`",
                    ),
                }
            }
        }
        Value::Object(object) => {
            if reader.key_path.is_empty() {
                push_shape(
                    sink,
                    header_span,
                    "a keyed JSON object needs a key column, and this data has none".to_string(),
                    "write an array of objects instead: `[{...}, {...}]`",
                );
                return None;
            }
            reader.walk_keyed(object, 0, &mut Vec::new(), sink);
        }
        other => {
            push_shape(
                sink,
                reader.span(top),
                format!(
                    "expected an array or object at the top of the file, found {}",
                    describe(other)
                ),
                "write an array of objects, one per record: `[{\"name\": \"a\"}]`",
            );
            return None;
        }
    }
    Some(RawTable {
        columns: reader.columns,
        header_span,
        has_header: false,
        records: reader.records,
    })
}

/// The columns that keyed-object levels fill, in order: the key columns, or else `name`.
fn key_path(schema: &[ColumnSpec]) -> Vec<String> {
    let keys: Vec<String> = schema
        .iter()
        .filter(|c| c.key)
        .map(|c| c.canonical_name().to_string())
        .collect();
    if !keys.is_empty() {
        return keys;
    }
    schema
        .iter()
        .find(|c| c.spellings().any(|s| s == "name"))
        .map(|c| vec![c.canonical_name().to_string()])
        .unwrap_or_default()
}

/// The column a bare value in a keyed object fills: the only column outside the key path.
fn value_column(schema: &[ColumnSpec]) -> Option<String> {
    let path = key_path(schema);
    let mut rest = schema
        .iter()
        .filter(|c| !path.iter().any(|p| p == c.canonical_name()));
    match (rest.next(), rest.next()) {
        (Some(only), None) => Some(only.canonical_name().to_string()),
        _ => None,
    }
}

struct Reader<'a> {
    text: &'a str,
    file: FileId,
    columns: Vec<RawColumn>,
    by_name: HashMap<String, usize>,
    records: Vec<RawRecord<'a>>,
    key_path: Vec<String>,
    value_column: Option<String>,
}

impl<'a> Reader<'a> {
    fn span(&self, r: Range) -> Span {
        Span::new(self.file, r.start, r.end)
    }

    /// The span of a string's text: inside the quotes, trimmed.
    fn string_span(&self, lit: &StringLit) -> Span {
        let inner_start = (lit.range.start + 1).min(lit.range.end);
        let inner_end = lit.range.end.saturating_sub(1).max(inner_start);
        let raw = self.text.get(inner_start..inner_end).unwrap_or("");
        let (trimmed, offset) = trim_with_offset(raw);
        Span::new(
            self.file,
            inner_start + offset,
            inner_start + offset + trimmed.len(),
        )
    }

    fn column(&mut self, name: &str, span: Span) -> usize {
        if let Some(&i) = self.by_name.get(name) {
            return i;
        }
        self.columns.push(RawColumn {
            name: name.to_string(),
            span,
        });
        self.by_name
            .insert(name.to_string(), self.columns.len() - 1);
        self.columns.len() - 1
    }

    fn field(&self, column: usize, value: &Value<'a>) -> RawField<'a> {
        let (raw, span) = match value {
            Value::StringLit(s) => (RawValue::Text(s.value.clone()), self.string_span(s)),
            Value::NumberLit(n) => (RawValue::Text(Cow::Borrowed(n.value)), self.span(n.range)),
            Value::BooleanLit(b) => (RawValue::Bool(b.value), self.span(b.range)),
            Value::NullKeyword(n) => (RawValue::Null, self.span(n.range)),
            Value::Object(o) => (RawValue::Nested("an object"), self.span(o.range)),
            Value::Array(a) => (RawValue::Nested("an array"), self.span(a.range)),
        };
        RawField {
            column,
            value: raw,
            span,
        }
    }

    /// One level of a keyed object: its keys fill `key_path[level]`.
    fn walk_keyed(
        &mut self,
        object: &Object<'a>,
        level: usize,
        path: &mut Vec<(Cow<'a, str>, Span)>,
        sink: &mut Sink,
    ) {
        for prop in &object.properties {
            let (key, key_span) = match &prop.name {
                ObjectPropName::String(s) => {
                    (Cow::Owned(s.value.trim().to_string()), self.string_span(s))
                }
                ObjectPropName::Word(w) => (Cow::Borrowed(w.value), self.span(w.range)),
            };
            path.push((key, key_span));
            if level + 1 < self.key_path.len() {
                match &prop.value {
                    Value::Object(inner) => self.walk_keyed(inner, level + 1, path, sink),
                    other => push_shape(
                        sink,
                        self.span(range(other)),
                        format!(
                            "expected an object keyed by `{}`, found {}",
                            self.key_path[level + 1],
                            describe(other)
                        ),
                        &format!(
                            "nest one object level per key column: {}",
                            self.key_path.join(", ")
                        ),
                    ),
                }
            } else {
                let span = self.span(prop.range);
                let row = self.records.len() + 1;
                let path_fields = self.path_fields(path);
                match &prop.value {
                    Value::Object(inner) => self.record_from_object(inner, path_fields, span, key_span, row, sink),
                    Value::Array(_) => push_shape(
                        sink,
                        self.span(range(&prop.value)),
                        "expected an object or a single value, found an array".to_string(),
                        "write the record as an object of columns",
                    ),
                    scalar => match self.value_column.clone() {
                        Some(name) => {
                            let column = self.column(&name, key_span);
                            let mut fields = path_fields;
                            fields.push(self.field(column, scalar));
                            self.push_record(fields, span, key_span, row);
                        }
                        None => push_shape(
                            sink,
                            self.span(range(scalar)),
                            format!("expected an object of columns, found {}", describe(scalar)),
                            "a single value is only allowed when the data has exactly one column besides its keys",
                        ),
                    },
                }
            }
            path.pop();
        }
    }

    /// The fields that the keys of a keyed object give.
    fn path_fields(&mut self, path: &[(Cow<'a, str>, Span)]) -> Vec<RawField<'a>> {
        let names = self.key_path.clone();
        names
            .iter()
            .zip(path)
            .map(|(name, (key, span))| RawField {
                column: self.column(name, *span),
                value: RawValue::Text(key.clone()),
                span: *span,
            })
            .collect()
    }

    fn push_record(&mut self, fields: Vec<RawField<'a>>, span: Span, anchor: Span, row: usize) {
        self.records.push(RawRecord {
            fields,
            span,
            anchor,
            row,
            reported: false,
        });
    }

    /// A record object; `fields` already holds the values its keys gave (keyed shape).
    fn record_from_object(
        &mut self,
        object: &Object<'a>,
        mut fields: Vec<RawField<'a>>,
        span: Span,
        anchor: Span,
        row: usize,
        sink: &mut Sink,
    ) {
        let from_keys = fields.len();
        let mut reported = false;
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for prop in &object.properties {
            let (name, name_span) = match &prop.name {
                ObjectPropName::String(s) => (s.value.trim(), self.string_span(s)),
                ObjectPropName::Word(w) => (w.value, self.span(w.range)),
            };
            if let Some(&first) = seen.get(name) {
                reported = true;
                sink.push(
                    Diagnostic::error(
                        Code::E0508,
                        format!("property `{name}` appears twice in record {row}"),
                    )
                    .primary(name_span, "repeated here")
                    .secondary(first, "first given here")
                    .help("remove one of the two"),
                );
                continue;
            }
            seen.insert(name, name_span);
            let column = self.column(name, name_span);
            let field = self.field(column, &prop.value);
            if let Some(key) = fields[..from_keys].iter().find(|f| f.column == column) {
                let agrees = match (&key.value, &field.value) {
                    (RawValue::Text(k), RawValue::Text(v)) => k.trim() == v.trim(),
                    _ => false,
                };
                if !agrees {
                    reported = true;
                    sink.push(
                        Diagnostic::error(
                            Code::E0514,
                            format!("`{name}` in record {row} disagrees with its key"),
                        )
                        .primary(field.span, "this value")
                        .secondary(key.span, "differs from this key")
                        .help(format!("remove `{name}` from the object; the key gives it")),
                    );
                }
                continue;
            }
            fields.push(field);
        }
        self.records.push(RawRecord {
            fields,
            span,
            anchor,
            row,
            reported,
        });
    }
}

/// E0514: JSON of a shape the loader does not read.
fn push_shape(sink: &mut Sink, span: Span, message: String, help: &str) {
    sink.push(
        Diagnostic::error(Code::E0514, message)
            .primary(span, "unexpected here")
            .help(help),
    );
}

fn range(value: &Value) -> Range {
    match value {
        Value::StringLit(v) => v.range,
        Value::NumberLit(v) => v.range,
        Value::BooleanLit(v) => v.range,
        Value::Object(v) => v.range,
        Value::Array(v) => v.range,
        Value::NullKeyword(v) => v.range,
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "a boolean",
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::NullKeyword(_) => "null",
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
