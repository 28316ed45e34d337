//! Name diagnostics (E02xx).

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{ApplyDecl, Ident, TemplateDecl};

pub fn unknown_module(span: Span, name: &str) -> Diagnostic {
    let known = crate::stdlib::module_names();
    let mut d = Diagnostic::error(Code::E0204, format!("unknown module `{name}`"))
        .primary(span, "no such module");
    if let Some(s) = suggest(name, known.iter().map(|s| s.as_str())) {
        d = d.help(format!("did you mean `{s}`?"));
    } else {
        d = d.help(format!("the standard library has {}", known.join(", ")));
    }
    d
}

pub fn cannot_read(span: Span, path: &str, err: &str) -> Diagnostic {
    Diagnostic::error(Code::E0205, format!("cannot read `{path}`"))
        .primary(span, err.to_string())
        .help("paths are relative to the file that holds the `use`")
}

pub fn use_cycle(span: Span, path: &str) -> Diagnostic {
    Diagnostic::error(
        Code::E0206,
        format!("`{path}` is already being loaded (circular use)"),
    )
    .primary(span, "this use closes a circle")
    .help("move the shared declarations into a file both use")
}

pub fn unknown_template(name: &Ident, known: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error(Code::E0209, format!("unknown template `{}`", name.name))
        .primary(name.span, "not a template");
    if let Some(s) = suggest(&name.name, known.iter().copied()) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    d
}

pub fn template_arity(a: &ApplyDecl, t: &TemplateDecl) -> Diagnostic {
    let params: Vec<&str> = t.params.iter().map(|p| p.name.name.as_str()).collect();
    Diagnostic::error(
        Code::E0210,
        format!(
            "template `{}` takes {} arguments, {} given",
            t.name.name,
            t.params.len(),
            a.args.len()
        ),
    )
    .primary(a.span_call, format!("{} arguments given", a.args.len()))
    .secondary(
        t.name.span,
        format!("declared with ({})", params.join(", ")),
    )
}

pub fn template_missing_arg(a: &ApplyDecl, param: &str) -> Diagnostic {
    Diagnostic::error(
        Code::E0210,
        format!("no argument for template parameter `{param}`"),
    )
    .primary(a.span_call, "missing argument")
}

/// The closest name, if close enough to be a plausible typo.
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        if score > 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}
