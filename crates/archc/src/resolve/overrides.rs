//! Changes to a model for one run, given on the command line: `--set NAME=VALUE` replaces
//! the value of a scalar param, `--sense minimize|maximize` the sense of the objective. They
//! are applied to the assembled program before checking, so a value set from the command
//! line is checked like one written in the model (units, types, `>= 0`).
//!
//! The value of `--set` is parsed as the value of a copy of the param's declaration,
//! `param NAME: TYPE = VALUE`, held in the source map under the name `--set NAME`: a
//! diagnostic about the value shows that line.

use super::{errors::suggest, Program};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::SourceMap;
use crate::syntax::ast::{self, ItemKind, ObjectiveSense};

/// The command line's changes to a model.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--set NAME=VALUE`, in the order given (a later one for the same name wins).
    pub params: Vec<(String, String)>,
    /// `--sense`: the sense every objective of the model takes.
    pub sense: Option<ObjectiveSense>,
}

/// Apply `overrides` to the program's own (non-library) declarations.
pub fn apply(
    program: &mut Program,
    sources: &mut SourceMap,
    overrides: &Overrides,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (name, value) in &overrides.params {
        if let Err(d) = set_param(program, sources, name, value) {
            diags.push(d);
        }
    }
    if let Some(sense) = overrides.sense {
        for p in program.items.iter_mut().filter(|p| !p.library) {
            if let ItemKind::Objective(o) = &mut p.item.kind {
                o.sense = sense;
            }
        }
    }
    diags
}

fn set_param(
    program: &mut Program,
    sources: &mut SourceMap,
    name: &str,
    value: &str,
) -> Result<(), Diagnostic> {
    let decl = program
        .items
        .iter()
        .enumerate()
        .find_map(|(at, p)| match &p.item.kind {
            ItemKind::Param(d) if !p.library && d.name.name == name => Some((at, d)),
            _ => None,
        });
    let Some((at, decl)) = decl else {
        let params =
            program
                .items
                .iter()
                .filter(|p| !p.library)
                .filter_map(|p| match &p.item.kind {
                    ItemKind::Param(d) => Some(d.name.name.as_str()),
                    _ => None,
                });
        let mut d = Diagnostic::error(
            Code::E0222,
            format!("`--set {name}=...`: the model declares no param `{name}`"),
        );
        if let Some(s) = suggest(name, params) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        return Err(d);
    };
    if decl.index.is_some() {
        return Err(Diagnostic::error(
            Code::E0223,
            format!("`--set {name}=...`: `{name}` is indexed and has one value per index"),
        )
        .primary(decl.name.span, "declared with an index here")
        .help("give its values in a data file and choose the folder with `--data DIR`"));
    }
    let ty_span = decl.ty.span;
    let ty_text = sources
        .text(ty_span.file)
        .get(ty_span.start as usize..ty_span.end as usize)
        .unwrap_or("real")
        .to_string();
    let text = format!("param {name}: {ty_text} = {value}\n");
    let file = sources.add(format!("--set {name}"), None, text.clone());
    let (parsed, syntax) = crate::syntax::parse_file(file, &text);
    if let Some(first) = syntax.into_iter().next() {
        return Err(first.note(format!(
            "in the value given by `--set {name}=...`, read as `param {name}: {ty_text} = VALUE`"
        )));
    }
    let new_value = parsed.items.into_iter().find_map(|i| match i.kind {
        ItemKind::Param(p) if p.index.is_none() => p.value,
        _ => None,
    });
    let Some(ast::ParamValue::Expr(e)) = new_value else {
        return Err(Diagnostic::error(
            Code::E0222,
            format!("`--set {name}={value}` does not give a value"),
        )
        .help(format!(
            "write it as `--set {name}=VALUE`, e.g. `--set {name}=12000usd`"
        )));
    };
    if let ItemKind::Param(decl) = &mut program.items[at].item.kind {
        decl.value = Some(ast::ParamValue::Expr(e));
    }
    Ok(())
}
