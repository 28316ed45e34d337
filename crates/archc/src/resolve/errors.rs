//! Name diagnostics (E02xx).

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::source::ReadError;
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

/// E0205 (E0217, E0216 for what the file layer names): a used file cannot be read.
pub fn cannot_read(span: Span, path: &str, err: &ReadError) -> Diagnostic {
    let d = Diagnostic::error(
        err.code().unwrap_or(Code::E0205),
        format!("cannot read `{path}`"),
    )
    .primary(span, err.to_string());
    match err.help() {
        Some(help) => d.help(help),
        None => d.help("paths are relative to the file that holds the `use`"),
    }
}

/// E0205 (E0217, E0216 for what the file layer names): the main model file cannot be read.
pub fn cannot_read_main(path: &str, err: &ReadError) -> Diagnostic {
    let d = Diagnostic::error(
        err.code().unwrap_or(Code::E0205),
        format!("cannot read `{path}`: {err}"),
    );
    match err.help() {
        Some(help) => d.help(help),
        None => d.help("check the path"),
    }
}

/// E0205: a model file holds bytes that are not UTF-8, at `at`.
pub fn not_utf8(at: Span, path: &str) -> Diagnostic {
    Diagnostic::error(Code::E0205, format!("`{path}` is not valid UTF-8"))
        .primary(at, "these bytes are not UTF-8")
        .help("save the file as UTF-8")
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

/// E0220: `use_site` (an `apply` inside a template body) closes `cycle` (`a`, `b`, `a`).
pub fn template_cycle(use_site: &Ident, cycle: &[&str]) -> Diagnostic {
    let path = cycle.join(" -> ");
    let message = if cycle.len() <= 2 {
        format!("template `{}` applies itself", use_site.name)
    } else {
        format!("templates apply each other in a cycle: {path}")
    };
    let help = if cycle.len() <= 2 {
        "a template cannot apply itself: declare the copies over an index set instead"
    } else {
        "move the shared declarations into a template that both apply"
    };
    Diagnostic::error(Code::E0220, message)
        .primary(use_site.span, format!("this apply closes the cycle {path}"))
        .help(help)
}

/// E0221: `apply` of `template` would expand to `size` declarations.
pub fn template_too_large(a: &ApplyDecl, template: &str, size: u64) -> Diagnostic {
    Diagnostic::error(
        Code::E0221,
        format!("`apply {template}` would expand to {size} declarations"),
    )
    .primary(
        a.span_call,
        format!(
            "{size} declarations, more than the limit of {}",
            super::templates::MAX_TEMPLATE_ITEMS
        ),
    )
    .help("apply inner templates once over an index set instead of once per copy")
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
