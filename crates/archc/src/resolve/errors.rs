//! Name diagnostics (E02xx).

use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{ApplyDecl, Ident, TemplateDecl};

pub const CODES: &[CodeInfo] = &[
    CodeInfo { code: "E0201", title: "unknown name", explanation: "A name is used that no declaration in scope defines.\n\nNames come from declarations (`param`, `decide`, `set`, `constraint`, `fn`, kinds and their sets such as `regions`), from entities (`region us-east`), from index variables (`r` in `[r in regions]`) and from `use`d modules. The message suggests the closest known name.\n\nA frequent cause: `a-b` is one name, because names may hold hyphens (`us-east`); a subtraction needs spaces: `a - b`." },
    CodeInfo { code: "E0202", title: "duplicate declaration", explanation: "Two declarations have the same name in the same namespace. Each param, decision, set, constraint, function, kind and entity of a kind needs its own name.\n\nRename one of them; the second label shows the first declaration." },
    CodeInfo { code: "E0203", title: "unknown attribute", explanation: "An attribute is read or set that the entity's kind does not declare.\n\nKinds declare their attributes: `kind region { cores: core = 0 core }`; `use std.infra` declares the standard ones. Add the attribute to the kind (a second `kind region { ... }` block adds attributes), or fix the spelling." },
    CodeInfo { code: "E0204", title: "unknown module", explanation: "`use` names a module that does not exist. The standard library has `std.infra`, `std.placement`, `std.routing`, `std.capacity` and `std.risk`; other files are used by path: `use \"shared/regions.arch\"`." },
    CodeInfo { code: "E0205", title: "cannot read used file", explanation: "`use \"path.arch\"` names a file that cannot be read. Paths are relative to the file that contains the `use`." },
    CodeInfo { code: "E0206", title: "circular use", explanation: "Files use each other in a circle. Move the shared declarations into a third file that both use." },
    CodeInfo { code: "E0207", title: "unknown kind", explanation: "An entity is declared with a kind that does not exist: `regon us-east { ... }`. Built-in kinds are `region`, `zone`, `service`, `link` and `dataset`; others are declared with `kind NAME { ... }`." },
    CodeInfo { code: "E0208", title: "missing attribute", explanation: "An entity does not set an attribute that its kind declares without a default. Set it in the entity, or give the attribute a default in the kind: `cores: core = 0 core`." },
    CodeInfo { code: "E0209", title: "unknown template", explanation: "`apply` names a template that is not declared or used. Templates are declared with `template NAME(params) { ... }` or come from a stdlib module (`use std.placement`)." },
    CodeInfo { code: "E0210", title: "wrong number of template arguments", explanation: "`apply` gives a template more or fewer arguments than it declares. The label lists the template's parameters." },
    CodeInfo { code: "E0212", title: "ambiguous name", explanation: "A bare name matches entities of several kinds. Write it as an element of one set: use an index filter, or rename one of the entities." },
    CodeInfo { code: "E0220", title: "templates apply each other in a cycle", explanation: "A template's body applies the template itself, directly (`template a(k) { apply a(k) }`) or through others (`a` applies `b`, `b` applies `a`). Expanding it would never end, so none of the templates on the cycle is expanded. The message names the cycle: `a -> b -> a`.\n\nTemplates may apply other templates; break the cycle by moving the shared declarations into a third template that both apply." },
    CodeInfo { code: "E0221", title: "template expansion too large", explanation: "An `apply` would expand to more declarations than archc allows for one `apply` (100,000), counting the templates it applies in turn. A template that applies the next one twice, 20 levels deep, already makes a million copies.\n\nThe size is computed from the templates before anything is copied. Apply the inner templates once, over an index set, instead of once per copy: `constraint c[i in items]: ...` in one template rather than one template per item." },
    CodeInfo { code: "E0213", title: "index variable already bound", explanation: "The same index variable is bound twice in one index list: `[r in regions, r in zones]`. Use different names." },
];

pub fn unknown_module(span: Span, name: &str) -> Diagnostic {
    let known = crate::stdlib::module_names();
    let mut d = Diagnostic::error("E0204", format!("unknown module `{name}`"))
        .primary(span, "no such module");
    if let Some(s) = suggest(name, known.iter().map(|s| s.as_str())) {
        d = d.help(format!("did you mean `{s}`?"));
    } else {
        d = d.help(format!("the standard library has {}", known.join(", ")));
    }
    d
}

pub fn cannot_read(span: Span, path: &str, err: &str) -> Diagnostic {
    Diagnostic::error("E0205", format!("cannot read `{path}`"))
        .primary(span, err.to_string())
        .help("paths are relative to the file that holds the `use`")
}

pub fn use_cycle(span: Span, path: &str) -> Diagnostic {
    Diagnostic::error(
        "E0206",
        format!("`{path}` is already being loaded (circular use)"),
    )
    .primary(span, "this use closes a circle")
    .help("move the shared declarations into a file both use")
}

pub fn unknown_template(name: &Ident, known: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error("E0209", format!("unknown template `{}`", name.name))
        .primary(name.span, "not a template");
    if let Some(s) = suggest(&name.name, known.iter().copied()) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    d
}

pub fn template_arity(a: &ApplyDecl, t: &TemplateDecl) -> Diagnostic {
    let params: Vec<&str> = t.params.iter().map(|p| p.name.name.as_str()).collect();
    Diagnostic::error(
        "E0210",
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
        "E0210",
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
    Diagnostic::error("E0220", message)
        .primary(use_site.span, format!("this apply closes the cycle {path}"))
        .help(help)
}

/// E0221: `apply` of `template` would expand to `size` declarations.
pub fn template_too_large(a: &ApplyDecl, template: &str, size: u64) -> Diagnostic {
    Diagnostic::error(
        "E0221",
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
