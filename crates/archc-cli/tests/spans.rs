//! Span invariants of the parser and of diagnostics.
//!
//! For every `.arch` file under `tests/fixtures`, `examples` and `stdlib`, the AST is walked
//! and every node's span must lie inside its parent's span and inside the source text, and
//! start and end on char boundaries. Every label of every diagnostic of a full analysis must
//! lie inside the text of the file it points into.

use archc::analysis::AnalyzeOptions;
use archc::driver::analyze;
use archc::span::{FileId, Span};
use archc::syntax::ast::*;
use std::path::{Path, PathBuf};

fn arch_files() -> Vec<PathBuf> {
    let root = archc_root();
    let mut out = Vec::new();
    for dir in ["crates/archc-cli/tests/fixtures", "examples", "stdlib"] {
        walk(&root.join(dir), &mut out);
    }
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "arch") {
            out.push(p);
        }
    }
}

/// Collects span violations while walking one file's AST.
struct Walker<'a> {
    file: FileId,
    text: &'a str,
    errors: Vec<String>,
}

impl Walker<'_> {
    /// Check `child` against `parent` and the text.
    fn inside(&mut self, what: &str, child: Span, parent: Span) {
        let len = self.text.len() as u32;
        if child.file != self.file {
            self.errors
                .push(format!("{what}: span in file {:?}", child.file));
        }
        if child.start > child.end || child.end > len {
            self.errors.push(format!(
                "{what}: span {}..{} outside the text (len {len})",
                child.start, child.end
            ));
            return;
        }
        if !self.text.is_char_boundary(child.start as usize)
            || !self.text.is_char_boundary(child.end as usize)
        {
            self.errors.push(format!(
                "{what}: span {}..{} not on char boundaries",
                child.start, child.end
            ));
        }
        if child.start < parent.start || child.end > parent.end {
            self.errors.push(format!(
                "{what}: span {}..{} `{}` not inside parent {}..{}",
                child.start,
                child.end,
                self.snippet(child),
                parent.start,
                parent.end
            ));
        }
    }

    fn snippet(&self, s: Span) -> String {
        self.text
            .get(s.start as usize..s.end as usize)
            .unwrap_or("<invalid>")
            .chars()
            .take(40)
            .collect()
    }

    fn ident(&mut self, id: &Ident, parent: Span) {
        self.inside(&format!("name `{}`", id.name), id.span, parent);
    }

    fn file(&mut self, f: &File) {
        let whole = Span::new(self.file, 0, self.text.len());
        self.inside("file", f.span, whole);
        for item in &f.items {
            self.item(item, f.span);
        }
    }

    fn item(&mut self, item: &Item, parent: Span) {
        self.inside(item.kind.describe(), item.span, parent);
        let p = item.span;
        match &item.kind {
            ItemKind::Use(u) => match &u.target {
                UseTarget::Module(path) => path.iter().for_each(|i| self.ident(i, p)),
                UseTarget::File(s) => self.inside("use path", s.span, p),
            },
            ItemKind::Unit(u) => {
                self.ident(&u.name, p);
                if let Some(v) = &u.value {
                    self.expr(v, p);
                }
            }
            ItemKind::Kind(k) => {
                self.ident(&k.name, p);
                for a in &k.attrs {
                    self.inside("attribute", a.span, p);
                    self.ident(&a.name, a.span);
                    self.ty(&a.ty, a.span);
                    if let Some(d) = &a.default {
                        self.expr(d, a.span);
                    }
                }
            }
            ItemKind::Entity(e) => {
                self.ident(&e.kind, p);
                self.ident(&e.name, p);
                if let Some(l) = &e.link {
                    self.ident(&l.src, p);
                    self.ident(&l.dst, p);
                    self.inside("link operator", l.op_span, p);
                }
                for a in &e.attrs {
                    self.inside("attribute value", a.span, p);
                    self.ident(&a.name, a.span);
                    self.expr(&a.value, a.span);
                }
            }
            ItemKind::EntitiesFrom(f) => {
                self.ident(&f.set, p);
                self.inside("data path", f.path.span, p);
            }
            ItemKind::Set(s) => {
                self.ident(&s.name, p);
                self.expr(&s.value, p);
            }
            ItemKind::Param(d) => {
                self.ident(&d.name, p);
                self.index(d.index.as_ref(), p);
                self.ty(&d.ty, p);
                match &d.value {
                    Some(ParamValue::Expr(e)) => self.expr(e, p),
                    Some(ParamValue::From(s)) => self.inside("data path", s.span, p),
                    None => {}
                }
            }
            ItemKind::Decide(d) => {
                self.ident(&d.name, p);
                self.index(d.index.as_ref(), p);
                self.ty(&d.ty, p);
                for b in &d.bounds {
                    self.inside("bound", b.span, p);
                    self.expr(&b.value, b.span);
                }
            }
            ItemKind::Constraint(c) => {
                self.ident(&c.name, p);
                self.index(c.index.as_ref(), p);
                self.expr(&c.body, p);
            }
            ItemKind::Objective(o) => {
                if let Some(n) = &o.name {
                    self.ident(n, p);
                }
                self.expr(&o.body, p);
            }
            ItemKind::Fn(f) => {
                self.ident(&f.name, p);
                self.params(&f.params, p);
                if let Some(t) = &f.ret {
                    self.ty(t, p);
                }
                self.expr(&f.body, p);
            }
            ItemKind::Template(t) => {
                self.ident(&t.name, p);
                self.params(&t.params, p);
                for i in &t.items {
                    self.item(i, p);
                }
            }
            ItemKind::Apply(a) => {
                a.template.iter().for_each(|i| self.ident(i, p));
                self.inside("template call", a.span_call, p);
                self.args(&a.args, a.span_call);
                if let Some(al) = &a.alias {
                    self.ident(al, p);
                }
            }
            ItemKind::Plan(pl) => self.plan(pl, p),
            ItemKind::Partition(d) => {
                self.ident(&d.set, p);
                self.inside("number of parts", d.parts_span, p);
            }
            ItemKind::Test(t) => {
                if let Some(n) = &t.name {
                    self.ident(n, p);
                }
                for e in &t.expects {
                    self.inside("expect", e.span, p);
                    match &e.kind {
                        ExpectKind::Feasible | ExpectKind::Infeasible => {}
                        ExpectKind::Binding(x) | ExpectKind::Holds(x) => self.expr(x, e.span),
                        ExpectKind::Objective(bounds) => {
                            bounds.iter().for_each(|(_, b)| self.expr(b, e.span))
                        }
                    }
                }
            }
        }
    }

    fn plan(&mut self, pl: &PlanDecl, p: Span) {
        self.ident(&pl.name, p);
        self.index(pl.index.as_ref(), p);
        self.ident(&pl.stage_var, p);
        self.expr(&pl.stages, p);
        for s in &pl.stmts {
            self.inside("plan statement", s.span, p);
            let sp = s.span;
            match &s.kind {
                PlanStmtKind::State { name, range, init } => {
                    self.ident(name, sp);
                    self.expr(range, sp);
                    if let Some(i) = init {
                        self.expr(i, sp);
                    }
                }
                PlanStmtKind::Choose { name, domain } => {
                    self.ident(name, sp);
                    self.expr(domain, sp);
                }
                PlanStmtKind::Next { name, value } => {
                    self.ident(name, sp);
                    self.expr(value, sp);
                }
                PlanStmtKind::Require(e)
                | PlanStmtKind::Cost(e)
                | PlanStmtKind::FinalCost(e)
                | PlanStmtKind::FinalRequire(e) => self.expr(e, sp),
            }
        }
    }

    fn params(&mut self, params: &[FnParam], p: Span) {
        for fp in params {
            self.ident(&fp.name, p);
            if let Some(t) = &fp.ty {
                self.ty(t, p);
            }
        }
    }

    fn args(&mut self, args: &[Arg], p: Span) {
        for a in args {
            if let Some(n) = &a.name {
                self.ident(n, p);
            }
            self.expr(&a.value, p);
        }
    }

    fn ty(&mut self, t: &TypeExpr, p: Span) {
        self.inside("type", t.span, p);
        if let Some(u) = &t.unit {
            self.inside(&format!("unit `{}`", u.text), u.span, t.span);
        }
    }

    fn index(&mut self, ix: Option<&IndexList>, p: Span) {
        let Some(ix) = ix else { return };
        self.inside("index list", ix.span, p);
        for b in &ix.bindings {
            self.inside("binding", b.span, ix.span);
            if let Some(v) = &b.var {
                self.ident(v, b.span);
            }
            self.expr(&b.set, b.span);
        }
        if let Some(f) = &ix.filter {
            self.expr(f, ix.span);
        }
    }

    fn expr(&mut self, e: &Expr, parent: Span) {
        self.inside("expression", e.span, parent);
        let p = e.span;
        match &e.kind {
            ExprKind::Number(_)
            | ExprKind::Period { .. }
            | ExprKind::Str(_)
            | ExprKind::Bool(_) => {}
            ExprKind::Quantity(_, u) => self.inside(&format!("unit `{}`", u.text), u.span, p),
            ExprKind::Name(id) => self.ident(id, p),
            ExprKind::Field(b, id) => {
                self.expr(b, p);
                self.ident(id, p);
            }
            ExprKind::Index(b, args) => {
                self.expr(b, p);
                args.iter().for_each(|a| self.expr(a, p));
            }
            ExprKind::Call(id, args) => {
                self.ident(id, p);
                self.args(args, p);
            }
            ExprKind::Unary(_, x) => self.expr(x, p),
            ExprKind::Binary(_, a, b) | ExprKind::Range(a, b) => {
                self.expr(a, p);
                self.expr(b, p);
            }
            ExprKind::Compare(first, rest) => {
                self.expr(first, p);
                for (_, op, x) in rest {
                    self.inside("comparison operator", *op, p);
                    self.expr(x, p);
                }
            }
            ExprKind::If(c, t, f) => {
                self.expr(c, p);
                self.expr(t, p);
                self.expr(f, p);
            }
            ExprKind::Chain(first, rest) => {
                self.expr(first, p);
                for (_, op, x) in rest {
                    self.inside("operator", *op, p);
                    self.expr(x, p);
                }
            }
            ExprKind::IfChain(arms, otherwise) => {
                for arm in arms {
                    self.inside("`if` arm", arm.span, p);
                    self.expr(&arm.cond, arm.span);
                    self.expr(&arm.value, arm.span);
                }
                self.expr(otherwise, p);
            }
            ExprKind::Agg { index, body, .. } => {
                self.index(Some(index), p);
                if let Some(b) = body {
                    self.expr(b, p);
                }
            }
            ExprKind::SetLit(xs) | ExprKind::Tuple(xs) => xs.iter().for_each(|x| self.expr(x, p)),
            ExprKind::SetCompr(ix) => self.index(Some(ix), p),
            ExprKind::Map(entries) => {
                for (keys, v) in entries {
                    keys.iter().for_each(|k| self.expr(k, p));
                    self.expr(v, p);
                }
            }
        }
    }
}

/// Walk one file's AST, returning every violation.
fn check_ast(file: FileId, text: &str, ast: &File) -> Vec<String> {
    let mut w = Walker {
        file,
        text,
        errors: Vec::new(),
    };
    w.file(ast);
    w.errors
}

/// Run `f` on a thread with a main thread's stack (8 MiB), as the CLI has: the recursive
/// front end needs more than a test thread's 2 MiB in debug builds.
fn on_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

#[test]
fn ast_spans_nest_in_every_file() {
    on_big_stack(ast_spans_nest);
}

fn ast_spans_nest() {
    let files = arch_files();
    assert!(files.len() > 20, "found only {files:?}");
    let mut failures = Vec::new();
    let mut nodes_checked = 0usize;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let (ast, _) = archc::syntax::parse_file(FileId(0), &text);
        nodes_checked += ast.items.len();
        for e in check_ast(FileId(0), &text, &ast) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(nodes_checked > 100, "too few items parsed: {nodes_checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn diagnostic_labels_lie_inside_their_files() {
    on_big_stack(diagnostic_labels_inside);
}

fn diagnostic_labels_inside() {
    let mut failures = Vec::new();
    let mut labels = 0usize;
    for path in arch_files() {
        let a = analyze(
            &path,
            &AnalyzeOptions {
                instantiate: true,
                ..Default::default()
            },
        );
        // Every file of the analysis (main, used files, stdlib modules) parses to an AST
        // whose spans nest too.
        for (id, ast) in &a.files {
            for e in check_ast(*id, a.sources.text(*id), ast) {
                failures.push(format!("{} ({}): {e}", path.display(), a.sources.name(*id)));
            }
        }
        for d in &a.diagnostics {
            for l in &d.labels {
                labels += 1;
                let ok = (l.span.file.0 as usize) < a.sources.len() && {
                    let text = a.sources.text(l.span.file);
                    l.span.start <= l.span.end
                        && (l.span.end as usize) <= text.len()
                        && text.is_char_boundary(l.span.start as usize)
                        && text.is_char_boundary(l.span.end as usize)
                };
                if !ok {
                    failures.push(format!(
                        "{}: {} label `{}` has span {:?} outside its file",
                        path.display(),
                        d.code,
                        l.message,
                        l.span
                    ));
                }
            }
        }
    }
    assert!(labels > 50, "too few labels checked: {labels}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn walker_reports_a_child_outside_its_parent() {
    // The walker itself must be able to fail.
    let text = "param hours: h = 730 h";
    let (mut ast, diags) = archc::syntax::parse_file(FileId(0), text);
    assert!(diags.is_empty());
    assert!(check_ast(FileId(0), text, &ast).is_empty());
    if let ItemKind::Param(p) = &mut ast.items[0].kind {
        p.name.span = Span::new(FileId(0), 0, text.len() + 5);
    }
    let errs = check_ast(FileId(0), text, &ast);
    assert!(!errs.is_empty());
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}
