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
    /// `archc risk --scenarios EXPR`: a new value for a scenario set (the one named, or the
    /// model's only one), e.g. `fail_k(links, 2)` to assess for N-2 a plan made for N-1.
    pub scenarios: Option<ScenarioOverride>,
}

/// A scenario set's value replaced for one run (see [`Overrides::scenarios`]).
#[derive(Clone, Debug, Default)]
pub struct ScenarioOverride {
    /// The set; `None` for the model's only scenario set.
    pub set: Option<String>,
    /// The new value, as written (`fail_k(links, 2)`).
    pub value: String,
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
    if let Some(s) = &overrides.scenarios {
        if let Err(d) = set_scenarios(program, sources, s) {
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

/// The model's own scenario sets (a set whose value is a scenario literal or a generator),
/// as (position in the program, name).
pub fn scenario_sets(program: &Program) -> Vec<(usize, String)> {
    program
        .items
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.library)
        .filter_map(|(at, p)| match &p.item.kind {
            ItemKind::Set(d) if crate::scenario::is_scenario_value(&d.value) => {
                Some((at, d.name.name.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Replace the value of a scenario set with `--scenarios`: parsed as `set NAME = VALUE`
/// from a file named `--scenarios`, so that a diagnostic about it shows that line.
fn set_scenarios(
    program: &mut Program,
    sources: &mut SourceMap,
    o: &ScenarioOverride,
) -> Result<(), Diagnostic> {
    let sets = scenario_sets(program);
    let found = match &o.set {
        Some(name) => sets.iter().find(|(_, n)| n == name),
        None if sets.len() == 1 => sets.first(),
        None => None,
    };
    let Some((at, name)) = found.cloned() else {
        let names: Vec<String> = sets.iter().map(|(_, n)| format!("`{n}`")).collect();
        let title = match (&o.set, sets.len()) {
            (Some(n), _) => format!("`--scenarios`: the model declares no scenario set `{n}`"),
            (None, 0) => "`--scenarios`: the model declares no scenario set".to_string(),
            (None, _) => format!(
                "`--scenarios`: the model declares {} scenario sets ({})",
                sets.len(),
                names.join(", ")
            ),
        };
        let mut d = Diagnostic::error(Code::E0642, title);
        d = if sets.is_empty() {
            d.help(
                "declare the failures to assess as a scenario set, e.g. `set S = fail_k(links, 1)`",
            )
        } else {
            d.help(format!(
                "name the set to replace with `--scenario-set`, one of {}",
                names.join(", ")
            ))
        };
        return Err(d);
    };
    let text = format!("set {name} = {}\n", o.value);
    let file = sources.add("--scenarios".to_string(), None, text.clone());
    let (parsed, syntax) = crate::syntax::parse_file(file, &text);
    if let Some(first) = syntax.into_iter().next() {
        return Err(first.note(format!(
            "in the value given by `--scenarios`, read as `set {name} = VALUE`"
        )));
    }
    let value = parsed.items.into_iter().find_map(|i| match i.kind {
        ItemKind::Set(s) => Some(s.value),
        _ => None,
    });
    match value {
        Some(v) if crate::scenario::is_scenario_value(&v) => {
            if let ItemKind::Set(decl) = &mut program.items[at].item.kind {
                decl.value = v;
            }
            Ok(())
        }
        _ => Err(Diagnostic::error(
            Code::E0642,
            format!("`--scenarios {}` is not a scenario set", o.value),
        )
        .help("give a generator such as `fail_k(links, 2)` or `fail_independent(links, p_fail, cutoff = 1e-6)`, or a literal of `scenario(...)` entries")),
    }
}
