//! Sizes and values for hover and inlay hints. When the fast (check-only) analysis of a
//! document is clean, the language server instantiates the model over its data, within
//! [`limits`], and this module writes into each symbol's `info` how many columns a decision
//! and how many rows a constraint expand to, the value of scalar params, and the model chosen
//! per series of forecast params ([`crate::forecasts`]).

use archc::analysis::{Analysis, SymbolKind};
use archc::instantiate::world::Value;
use archc::instantiate::Limits;
use archc::ir::DeclKind;
use archc::units::{format_number, format_quantity};
use std::collections::HashMap;

/// The limits of the instantiation the language server runs: a model larger than this is
/// shown without sizes rather than stalling the editor.
/// The size caps of the instantiation after an edit: small enough that expanding a large
/// model stops within milliseconds (the full expansion waits for a save, see [`limits`]).
pub fn typing_limits() -> Limits {
    Limits {
        max_columns: 100_000,
        max_rows: 100_000,
        max_nonzeros: 400_000,
        ..Limits::default()
    }
}

/// The size caps of the instantiation on open and on save.
pub fn limits() -> Limits {
    Limits {
        max_columns: 2_000_000,
        max_rows: 2_000_000,
        max_nonzeros: 20_000_000,
        ..Limits::default()
    }
}

/// `1 column`, `1,200 columns`.
fn count_text(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format_number(n as f64),
        if n == 1 { one } else { many }
    )
}

/// Columns per decision name and rows per constraint name (rows the compiler derived from
/// a constraint, declared as `name~...`, count towards `name`).
pub fn counts(analysis: &Analysis) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let mut cols: HashMap<String, usize> = HashMap::new();
    let mut rows: HashMap<String, usize> = HashMap::new();
    let Some(inst) = &analysis.instance else {
        return (cols, rows);
    };
    let model = &inst.model;
    let mut col_count = vec![0usize; model.decls.len()];
    for c in &model.columns {
        if let Some(n) = col_count.get_mut(c.origin.decl.0 as usize) {
            *n += 1;
        }
    }
    let mut row_count = vec![0usize; model.decls.len()];
    for r in &model.rows {
        if let Some(n) = row_count.get_mut(r.origin.decl.0 as usize) {
            *n += 1;
        }
    }
    for (i, d) in model.decls.iter().enumerate() {
        match d.kind {
            DeclKind::Decision => *cols.entry(d.name.clone()).or_default() += col_count[i],
            DeclKind::Constraint | DeclKind::Derived => {
                let base = d.name.split('~').next().unwrap_or(&d.name);
                if d.kind == DeclKind::Constraint || d.name.contains('~') {
                    *rows.entry(base.to_string()).or_default() += row_count[i];
                }
            }
            DeclKind::Bound => {}
        }
    }
    (cols, rows)
}

/// The values of scalar params that instantiation evaluated, as text with their units.
pub fn param_values(analysis: &Analysis) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let (Some(inst), Some(schema)) = (&analysis.instance, &analysis.schema) else {
        return out;
    };
    for (i, info) in schema.params.iter().enumerate() {
        if !info.dims.is_empty() {
            continue;
        }
        let Some(Some(table)) = inst.world.params.get(i) else {
            continue;
        };
        let text = match &table.scalar {
            Some(Value::Num(n)) => {
                let scale = schema.unit(&info.unit_text).scale;
                let v = if scale != 0.0 { n / scale } else { *n };
                format_quantity(v, &info.unit_text)
            }
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Str(s)) => format!("{s:?}"),
            Some(Value::Elem(e)) => inst.world.name(*e).to_string(),
            Some(Value::Set(_)) | None => continue,
        };
        out.insert(info.name.clone(), format!("= {text}"));
    }
    out
}

/// Write sizes and values into the `info` of the analysis' symbols (symbols that already
/// carry an `info` keep it).
pub fn annotate(analysis: &mut Analysis) {
    let scenarios = crate::scenarios::scenario_info(analysis);
    for s in &mut analysis.symbols {
        if s.info.is_none() && s.kind == SymbolKind::Set {
            s.info = scenarios.get(&s.name).cloned();
        }
    }
    if analysis.instance.is_none() {
        return;
    }
    let (cols, rows) = counts(analysis);
    let values = param_values(analysis);
    let forecasts = crate::forecasts::forecast_info(analysis);
    for s in &mut analysis.symbols {
        if s.info.is_some() {
            continue;
        }
        s.info = match s.kind {
            SymbolKind::Decision => cols
                .get(&s.name)
                .map(|&n| count_text(n, "column", "columns")),
            SymbolKind::Constraint => rows.get(&s.name).map(|&n| count_text(n, "row", "rows")),
            SymbolKind::Param => values
                .get(&s.name)
                .or_else(|| forecasts.get(&s.name))
                .cloned(),
            _ => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archc::analysis::AnalyzeOptions;
    use archc::driver::analyze_source;

    const MODEL: &str = "\
kind region { cores: core }
region eu { cores: 8 core }
region us { cores: 4 core }
param hours: h = 730 h
decide x[r in regions]: real core
decide y: real core
constraint fit[r in regions]: x[r] <= r.cores
constraint total: sum(r in regions) x[r] + y <= 10 core
minimize cost: sum(r in regions) x[r] / 1 core
";

    fn analysed() -> Analysis {
        let options = AnalyzeOptions {
            instantiate: true,
            limits: Some(limits()),
            ..Default::default()
        };
        let mut a = analyze_source("m.arch", MODEL, None, &options);
        annotate(&mut a);
        a
    }

    fn info(a: &Analysis, name: &str) -> Option<String> {
        a.symbols
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.info.clone())
    }

    #[test]
    fn decisions_and_constraints_get_their_sizes() {
        let a = analysed();
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        assert_eq!(info(&a, "x").as_deref(), Some("2 columns"));
        assert_eq!(info(&a, "y").as_deref(), Some("1 column"));
        assert_eq!(info(&a, "fit").as_deref(), Some("2 rows"));
        assert_eq!(info(&a, "total").as_deref(), Some("1 row"));
    }

    #[test]
    fn scalar_params_show_their_value_in_their_unit() {
        let a = analysed();
        assert_eq!(info(&a, "hours").as_deref(), Some("= 730 h"));
    }

    #[test]
    fn no_instance_means_no_sizes() {
        let mut a = analyze_source("m.arch", MODEL, None, &AnalyzeOptions::default());
        annotate(&mut a);
        assert_eq!(info(&a, "x"), None);
    }
}
