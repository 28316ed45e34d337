//! Name resolution, first part: assemble the program from the main file, the files and
//! stdlib modules it `use`s, and the built-in prelude; expand `apply` of templates into
//! ordinary declarations. Expression-level names are resolved by [`crate::check`]. A model
//! that uses the attributes of `std.infra` without `use std.infra` gets one error and the
//! module all the same ([`missing_use`]).

pub mod errors;
pub mod missing_use;
pub mod overrides;
pub mod prelude;
mod templates;

use crate::diagnostics::Diagnostic;
use crate::source::SourceMap;
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, ItemKind, UseTarget};
use std::collections::HashSet;

/// One declaration of the assembled program.
#[derive(Clone, Debug)]
pub struct ProgItem {
    pub item: ast::Item,
    pub file: FileId,
    /// True for items of the prelude and stdlib modules.
    pub library: bool,
}

/// All declarations in dependency order: prelude, used modules (each once, before their
/// users), then the main file.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub items: Vec<ProgItem>,
    pub main: Option<FileId>,
    /// The file of the built-in kinds ([`prelude::NAME`]), which no diagnostic may point into.
    pub prelude: Option<FileId>,
}

/// What loading a program produces: the program, every file parsed on the way (the main
/// file first) and the diagnostics of parsing and loading them.
#[derive(Debug, Default)]
pub struct Loaded {
    pub program: Program,
    pub files: Vec<(FileId, ast::File)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The loader's working state: the source map it reads through and what it has produced.
struct Loader<'s> {
    sources: &'s mut SourceMap,
    files: Vec<(FileId, ast::File)>,
    diagnostics: Vec<Diagnostic>,
}

/// Load `main` (parsed into `main_file`) and everything it uses, reading through `sources`.
pub fn load_program(sources: &mut SourceMap, main: FileId, main_file: ast::File) -> Loaded {
    let mut cx = Loader {
        sources,
        files: Vec::new(),
        diagnostics: Vec::new(),
    };
    let prelude = cx.sources.add(prelude::NAME, None, crate::stdlib::PRELUDE);
    let mut program = Program {
        items: Vec::new(),
        main: Some(main),
        prelude: Some(prelude),
    };
    let (pf, _) = crate::syntax::parse_file(prelude, crate::stdlib::PRELUDE);
    for item in pf.items {
        program.items.push(ProgItem {
            item,
            file: prelude,
            library: true,
        });
    }
    let prelude_items = program.items.len();
    let mut loaded: HashSet<String> = HashSet::new();
    let main_key = match &cx.sources.get(main).path {
        Some(path) => file_key(path),
        None => cx.sources.name(main).to_string(),
    };
    let mut stack = vec![main_key];
    add_file(
        &mut cx,
        &mut program,
        &mut loaded,
        &mut stack,
        main,
        main_file,
        false,
    );
    templates::expand(&mut program, &mut cx.diagnostics);
    let infra = format!("std:std.{}", missing_use::MODULE);
    if !loaded.contains(&infra) {
        let uses = missing_use::infra_uses(&program);
        if let Some(d) = missing_use::missing_use(&uses) {
            let span = d.primary_span().unwrap_or_default();
            cx.diagnostics.push(d);
            // Load the module as if it were used, after the prelude, so that checking does
            // not report every use again.
            let module = ["std", missing_use::MODULE].map(|name| ast::Ident {
                name: name.to_string(),
                span,
            });
            let u = ast::UseDecl {
                target: UseTarget::Module(module.to_vec()),
            };
            let mut extra = Program::default();
            load_use(
                &mut cx,
                &mut extra,
                &mut loaded,
                &mut stack,
                main,
                &u,
                span,
                true,
            );
            let at = prelude_items.min(program.items.len());
            program.items.splice(at..at, extra.items);
        }
    }
    Loaded {
        program,
        files: cx.files,
        diagnostics: cx.diagnostics,
    }
}

fn add_file(
    cx: &mut Loader<'_>,
    program: &mut Program,
    loaded: &mut HashSet<String>,
    stack: &mut Vec<String>,
    file: FileId,
    ast_file: ast::File,
    library: bool,
) {
    for item in &ast_file.items {
        if let ItemKind::Use(u) = &item.kind {
            load_use(cx, program, loaded, stack, file, u, item.span, library);
        }
    }
    for item in ast_file.items {
        if matches!(item.kind, ItemKind::Use(_)) {
            continue;
        }
        program.items.push(ProgItem {
            item,
            file,
            library,
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn load_use(
    cx: &mut Loader<'_>,
    program: &mut Program,
    loaded: &mut HashSet<String>,
    stack: &mut Vec<String>,
    from: FileId,
    u: &ast::UseDecl,
    span: Span,
    library: bool,
) {
    match &u.target {
        UseTarget::Module(path) => {
            let names: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
            let full = names.join(".");
            let module = if names.len() == 2 && names[0] == "std" {
                crate::stdlib::module(names[1])
            } else {
                None
            };
            let Some(text) = module else {
                cx.diagnostics.push(errors::unknown_module(span, &full));
                return;
            };
            let key = format!("std:{full}");
            if !loaded.insert(key) {
                return;
            }
            let name = format!("std/{}.arch", names[1]);
            let id = cx.sources.add(name, None, text);
            let (f, diags) = crate::syntax::parse_file(id, text);
            cx.diagnostics.extend(diags);
            cx.files.push((id, f.clone()));
            stack.push(full);
            add_file(cx, program, loaded, stack, id, f, true);
            stack.pop();
        }
        UseTarget::File(s) => {
            let path = cx.sources.resolve(from, &s.value);
            let key = file_key(&path);
            if stack.contains(&key) {
                cx.diagnostics.push(errors::use_cycle(s.span, &s.value));
                return;
            }
            if !loaded.insert(key.clone()) {
                return;
            }
            // Through the file layer: an unsaved editor buffer of the used file wins.
            let id = match cx.sources.load(path.display().to_string(), &path) {
                Ok(id) => id,
                Err(e) => {
                    cx.diagnostics
                        .push(errors::cannot_read(s.span, &s.value, &e));
                    return;
                }
            };
            if let Some(bad) = cx.sources.get(id).bad_utf8.first() {
                let at = Span::new(id, bad.start, bad.end);
                cx.diagnostics
                    .push(errors::not_utf8(at, &s.value).secondary(s.span, "used here"));
                return;
            }
            let text = cx.sources.text(id);
            let (f, diags) = crate::syntax::parse_file(id, text);
            cx.diagnostics.extend(diags);
            cx.files.push((id, f.clone()));
            stack.push(key);
            add_file(cx, program, loaded, stack, id, f, library);
            stack.pop();
        }
    }
}

/// The identity of a file for cycle detection and loading once: its path without `.` and
/// `..` components, so that `use "./a.arch"` and `use "a.arch"` are the same file.
fn file_key(path: &std::path::Path) -> String {
    crate::source::normalize(path).display().to_string()
}

pub use templates::{visit_expr, visit_item_exprs};

/// Replace names by expressions (function inlining).
pub fn substitute_names(e: &mut ast::Expr, map: &std::collections::HashMap<String, ast::Expr>) {
    visit_expr(e, &mut |x| {
        if let ast::ExprKind::Name(id) = &x.kind {
            if let Some(v) = map.get(&id.name) {
                *x = v.clone();
            }
        }
    });
}
