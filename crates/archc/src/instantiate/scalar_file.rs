//! Scalar params loaded from a data file (`param budget: usd from "params.csv"`): the file
//! is a one-row table with a `value` column (or a column named after the param), or a table
//! of many params with `name` and `value` columns, whose row named after the param gives
//! the value. Anything else is E0550 at the file. Also: which columns of a param file other
//! params read (no W0509 for them).

use super::eval::R;
use super::Inst;
use crate::check::Ty;
use crate::data::{self, CellValue, ColumnSpec, ColumnType};
use crate::diagnostics::{Code, Diagnostic};
use crate::instantiate::world::Value;
use crate::syntax::ast;
use std::path::Path;
use std::sync::Arc;

impl Inst<'_> {
    /// The value columns that params other than `p` read from the file at `full` (two
    /// params reading two value columns of one long-format file): known to the loader, so
    /// that neither load warns that the other's column is unknown (W0509).
    pub(super) fn columns_read_elsewhere(&self, p: usize, full: &Path) -> Vec<ColumnSpec> {
        let full = crate::source::normalize(full);
        let mut out = Vec::new();
        for (q, other) in self.schema.params.iter().enumerate() {
            let Some(ast::ParamValue::From(path)) = &other.decl.value else {
                continue;
            };
            if q == p {
                continue;
            }
            let theirs = self.sources.resolve_data(path.span.file, &path.value);
            if crate::source::normalize(&theirs) == full {
                out.push(ColumnSpec::read_elsewhere(other.name.clone()));
            }
        }
        out
    }

    /// The value of scalar param `p` read from `path`; `None` when the file gave none (the
    /// diagnostics say why).
    pub(super) fn load_scalar_param_file(
        &mut self,
        p: usize,
        path: &ast::StrLit,
        unit_scale: f64,
    ) -> R<Option<Value>> {
        let info = &self.schema.params[p];
        let name = info.name.clone();
        let value_ty = match info.ty {
            Ty::Num { int: true, .. } => ColumnType::Integer,
            Ty::Bool => ColumnType::Bool,
            Ty::Str => ColumnType::Text,
            _ => ColumnType::Number,
        };
        let mut value = ColumnSpec::new(format!("value|{name}"), value_ty);
        if info.decl.lower.is_some() {
            value = value.non_negative();
        }
        let full = self.sources.resolve_data(path.span.file, &path.value);
        let mut spec = vec![ColumnSpec::new("name", ColumnType::Text).optional(), value];
        spec.extend(self.columns_read_elsewhere(p, &full));
        let (table, diags) = data::load_table(self.sources, &full, &path.value, &spec, path.span);
        let failed = crate::diagnostics::has_errors(&diags);
        self.diags.extend(diags);
        let Some(table) = table else {
            return Ok(None);
        };
        if failed {
            return Ok(None);
        }
        let named = table.records.iter().any(|r| !r.cells[0].value.is_missing());
        let rows: Vec<&data::Record> = table
            .records
            .iter()
            .filter(|r| !named || r.cells[0].value.as_str() == Some(name.as_str()))
            .collect();
        let problem = match rows.as_slice() {
            [row] => match &row.cells[1].value {
                CellValue::Number(n) => return Ok(Some(Value::Num(n * unit_scale))),
                CellValue::Bool(b) => return Ok(Some(Value::Bool(*b))),
                CellValue::Text(s) => return Ok(Some(Value::Str(Arc::from(s.as_str())))),
                CellValue::Missing => Diagnostic::error(
                    Code::E0550,
                    format!("`{}` gives no value for `{name}`", path.value),
                )
                .primary(row.span, "the value cell of this row is empty"),
            },
            [] if named => Diagnostic::error(
                Code::E0550,
                format!("`{}` has no row named `{name}`", path.value),
            )
            .primary(path.span, "loaded here")
            .help(format!("add a row `{name},VALUE` to the file")),
            [] => Diagnostic::error(
                Code::E0550,
                format!("`{}` has no rows: `{name}` needs one value", path.value),
            )
            .primary(path.span, "loaded here"),
            [first, second, ..] => {
                let what = if named {
                    format!("`{}` has {} rows named `{name}`", path.value, rows.len())
                } else {
                    format!(
                        "`{}` has {} rows, and scalar param `{name}` takes one value",
                        path.value,
                        rows.len()
                    )
                };
                Diagnostic::error(Code::E0550, what)
                    .primary(second.span, "another row")
                    .secondary(first.span, "the first row")
                    .help(if named {
                        "keep one row per param name".to_string()
                    } else {
                        "give the file one row, or a `name` column that names each row's param"
                            .to_string()
                    })
            }
        };
        self.diags.push(problem);
        Ok(None)
    }
}
