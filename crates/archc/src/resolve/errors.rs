//! Name diagnostics (E02xx).

use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::Diagnostic;
use crate::source::ReadError;
use crate::span::Span;
use crate::syntax::ast::{ApplyDecl, Ident, TemplateDecl};

pub const CODES: &[CodeInfo] = &[
    CodeInfo { code: "E0201", title: "unknown name", explanation: "A name is used that no declaration in scope defines.\n\nNames come from declarations (`param`, `decide`, `set`, `constraint`, `fn`, kinds and their sets such as `regions`), from entities (`region us-east`), from index variables (`r` in `[r in regions]`) and from `use`d modules. The message suggests the closest known name.\n\nA frequent cause: `a-b` is one name, because names may hold hyphens (`us-east`); a subtraction needs spaces: `a - b`." },
    CodeInfo { code: "E0202", title: "duplicate declaration", explanation: "Two declarations have the same name in the same namespace. Each param, decision, set, constraint, function, kind and entity of a kind needs its own name.\n\nRename one of them; the second label shows the first declaration." },
    CodeInfo { code: "E0203", title: "unknown attribute", explanation: "An attribute is read or set that the entity's kind does not declare.\n\nKinds declare their attributes: `kind region { cores: core = 0 core }`; `use std.infra` declares the standard ones. Add the attribute to the kind (a second `kind region { ... }` block adds attributes), or fix the spelling." },
    CodeInfo { code: "E0204", title: "unknown module", explanation: "`use` names a module that does not exist. The standard library has `std.infra`, `std.placement`, `std.routing`, `std.capacity` and `std.risk`; other files are used by path: `use \"shared/regions.arch\"`." },
    CodeInfo { code: "E0205", title: "cannot read model file", explanation: "A model file cannot be read: the file given to `archc` (or opened in the editor), or a file named by `use \"path.arch\"`. It does not exist, is a directory, cannot be opened, or is not UTF-8 text.\n\nExample:\n\n    use \"shared/region.arch\"   // the file is shared/regions.arch\n\nPaths in `use` are relative to the file that contains the `use`. A file that is not UTF-8 is reported at its first invalid byte: save it as UTF-8." },
    CodeInfo { code: "E0206", title: "circular use", explanation: "Files use each other in a circle. Move the shared declarations into a third file that both use." },
    CodeInfo { code: "E0207", title: "unknown kind", explanation: "An entity is declared with a kind that does not exist: `regon us-east { ... }`. Built-in kinds are `region`, `zone`, `service`, `link` and `dataset`; others are declared with `kind NAME { ... }`." },
    CodeInfo { code: "E0208", title: "missing attribute", explanation: "An entity does not set an attribute that its kind declares without a default. Set it in the entity, or give the attribute a default in the kind: `cores: core = 0 core`." },
    CodeInfo { code: "E0209", title: "unknown template", explanation: "`apply` names a template that is not declared or used. Templates are declared with `template NAME(params) { ... }` or come from a stdlib module (`use std.placement`)." },
    CodeInfo { code: "E0210", title: "wrong number of template arguments", explanation: "`apply` gives a template more or fewer arguments than it declares. The label lists the template's parameters." },
    CodeInfo { code: "E0212", title: "ambiguous name", explanation: "A bare name matches entities of several kinds. Write it as an element of one set: use an index filter, or rename one of the entities." },
    CodeInfo { code: "E0213", title: "index variable already bound", explanation: "The same index variable is bound twice in one index list: `[r in regions, r in zones]`. Use different names." },
    CodeInfo { code: "E0215", title: "not a regular file", explanation: "A model, a used file or a data file names something that is not a regular file: a FIFO (named pipe), a device such as `/dev/zero` or `/dev/stdin`, or a socket. Reading it could block for ever or never end, so archc does not open it.\n\nExample:\n\n    services from \"feed.csv\"   // feed.csv was made by `mkfifo feed.csv`\n\nFix: write the data to a regular file first (`producer > data/services.csv`) and name that file." },
    CodeInfo { code: "E0216", title: "file too large", explanation: "A model, a used file or a data file is larger than the size limit (1 GiB unless raised), so archc does not read it. The limit guards against naming a huge file by mistake (a log, a disk image) and against running out of memory.\n\nExample: `regions from \"dump.csv\"` where dump.csv is 40 GB.\n\nFix: check the path. If the file is really meant, raise the limit: `archc check --max-file-size 8000000000 model.arch` (also on `solve` and `emit`), or set `AnalyzeOptions::max_file_size` when embedding." },
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

/// E0205 (E0215, E0216 for what the file layer names): a used file cannot be read.
pub fn cannot_read(span: Span, path: &str, err: &ReadError) -> Diagnostic {
    let d = Diagnostic::error(
        err.code().unwrap_or("E0205"),
        format!("cannot read `{path}`"),
    )
    .primary(span, err.to_string());
    match err.help() {
        Some(help) => d.help(help),
        None => d.help("paths are relative to the file that holds the `use`"),
    }
}

/// E0205 (E0215, E0216 for what the file layer names): the main model file cannot be read.
pub fn cannot_read_main(path: &str, err: &ReadError) -> Diagnostic {
    let d = Diagnostic::error(
        err.code().unwrap_or("E0205"),
        format!("cannot read `{path}`: {err}"),
    );
    match err.help() {
        Some(help) => d.help(help),
        None => d.help("check the path"),
    }
}

/// E0205: a model file holds bytes that are not UTF-8, at `at`.
pub fn not_utf8(at: Span, path: &str) -> Diagnostic {
    Diagnostic::error("E0205", format!("`{path}` is not valid UTF-8"))
        .primary(at, "these bytes are not UTF-8")
        .help("save the file as UTF-8")
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
