//! Expansion of `apply TEMPLATE(args) as alias`: the template's declarations are copied
//! with parameters replaced by the arguments and declared names prefixed by the alias
//! (`svc.at_least`), so later phases see ordinary declarations. An `apply` inside a
//! template body expands too, its names nested under the outer alias (`outer.inner.x`);
//! templates that apply each other in a cycle are an error (E0220), and so is an `apply`
//! that would expand to more than [`MAX_TEMPLATE_ITEMS`] declarations (E0221).

use super::{errors, ProgItem, Program};
use crate::diagnostics::Diagnostic;
use crate::span::FileId;
use crate::syntax::ast::*;
use std::collections::{HashMap, HashSet};

/// Most declarations one `apply` may expand to, nested templates included. Templates that
/// apply each other several times grow exponentially; the size is computed from the
/// templates alone before anything is copied.
pub const MAX_TEMPLATE_ITEMS: u64 = 100_000;

pub fn expand(program: &mut Program, diags: &mut Vec<Diagnostic>) {
    let templates: HashMap<String, TemplateDecl> = program
        .items
        .iter()
        .filter_map(|p| match &p.item.kind {
            ItemKind::Template(t) => Some((t.name.name.clone(), t.clone())),
            _ => None,
        })
        .collect();
    let cyclic = report_cycles(&templates, diags);
    let mut sizes = HashMap::new();
    let ex = Expander {
        templates: &templates,
        cyclic: &cyclic,
    };
    let mut out = Vec::with_capacity(program.items.len());
    for p in std::mem::take(&mut program.items) {
        let ItemKind::Apply(a) = &p.item.kind else {
            out.push(p);
            continue;
        };
        if let Some(t) = a.template.last().and_then(|n| templates.get(&n.name)) {
            let size = ex.size(&t.name.name, &mut sizes);
            if size > MAX_TEMPLATE_ITEMS {
                diags.push(errors::template_too_large(a, &t.name.name, size));
                continue;
            }
        }
        ex.apply(a, None, p.file, p.library, &mut out, diags);
    }
    program.items = out;
}

/// Names of the templates a template's body applies, with the span of each use.
fn applied(t: &TemplateDecl) -> impl Iterator<Item = &Ident> {
    t.items.iter().filter_map(|i| match &i.kind {
        ItemKind::Apply(a) => a.template.last(),
        _ => None,
    })
}

/// E0220 for every cycle of templates that apply each other (`a` applies `b` applies
/// `a`), once per cycle. Returns the templates on a cycle: they are never expanded.
fn report_cycles(
    templates: &HashMap<String, TemplateDecl>,
    diags: &mut Vec<Diagnostic>,
) -> HashSet<String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: HashMap<&str, Mark> = HashMap::new();
    let mut cyclic = HashSet::new();
    let mut names: Vec<&String> = templates.keys().collect();
    names.sort();
    for root in names {
        if marks.contains_key(root.as_str()) {
            continue;
        }
        // Iterative depth-first search: (template, position in its list of applies).
        let mut stack: Vec<(&str, usize)> = vec![(root.as_str(), 0)];
        marks.insert(root.as_str(), Mark::Open);
        while let Some(&mut (name, ref mut next)) = stack.last_mut() {
            let Some(use_site) = applied(&templates[name]).nth(*next) else {
                marks.insert(name, Mark::Done);
                stack.pop();
                continue;
            };
            *next += 1;
            let Some((target, _)) = templates.get_key_value(&use_site.name) else {
                continue;
            };
            match marks.get(target.as_str()) {
                None => {
                    marks.insert(target.as_str(), Mark::Open);
                    stack.push((target.as_str(), 0));
                }
                Some(Mark::Open) => {
                    let from = stack
                        .iter()
                        .position(|(n, _)| *n == target.as_str())
                        .unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                    cycle.push(target.as_str());
                    cyclic.extend(cycle.iter().map(|s| s.to_string()));
                    diags.push(errors::template_cycle(use_site, &cycle));
                }
                Some(Mark::Done) => {}
            }
        }
    }
    cyclic
}

struct Expander<'a> {
    templates: &'a HashMap<String, TemplateDecl>,
    cyclic: &'a HashSet<String>,
}

impl Expander<'_> {
    /// How many declarations `apply NAME(...)` expands to, nested applies included
    /// (saturating; a template on a cycle counts 0, its error is reported apart).
    fn size(&self, name: &str, memo: &mut HashMap<String, u64>) -> u64 {
        if let Some(&n) = memo.get(name) {
            return n;
        }
        let Some(t) = self.templates.get(name) else {
            return 0;
        };
        if self.cyclic.contains(name) {
            return 0;
        }
        // Mark first: a cycle (reported elsewhere) must not recurse forever.
        memo.insert(name.to_string(), 0);
        let mut n: u64 = 0;
        for item in &t.items {
            n = n.saturating_add(match &item.kind {
                ItemKind::Apply(a) => match a.template.last() {
                    Some(inner) => self.size(&inner.name, memo),
                    None => 0,
                },
                _ => 1,
            });
        }
        memo.insert(name.to_string(), n);
        n
    }

    /// Expand one `apply` into `out`. `prefix` is the alias of the enclosing expansion
    /// for an `apply` inside a template body.
    fn apply(
        &self,
        a: &ApplyDecl,
        prefix: Option<&str>,
        file: FileId,
        library: bool,
        out: &mut Vec<ProgItem>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Some(name) = a.template.last() else {
            return;
        };
        let Some(t) = self.templates.get(&name.name) else {
            let known: Vec<&str> = self.templates.keys().map(|s| s.as_str()).collect();
            diags.push(errors::unknown_template(name, &known));
            return;
        };
        if self.cyclic.contains(&name.name) {
            // Reported once per cycle by `report_cycles`.
            return;
        }
        if t.params.len() != a.args.len() {
            diags.push(errors::template_arity(a, t));
            return;
        }
        // Named arguments may come in any order; positional ones fill in the rest.
        let mut bound: HashMap<String, Expr> = HashMap::new();
        let mut positional = a.args.iter().filter(|x| x.name.is_none());
        let mut ok = true;
        for param in &t.params {
            if let Some(arg) = a
                .args
                .iter()
                .find(|x| x.name.as_ref().map(|n| &n.name) == Some(&param.name.name))
            {
                bound.insert(param.name.name.clone(), arg.value.clone());
            } else if let Some(arg) = positional.next() {
                bound.insert(param.name.name.clone(), arg.value.clone());
            } else {
                diags.push(errors::template_missing_arg(a, &param.name.name));
                ok = false;
            }
        }
        if !ok {
            return;
        }
        let own = a
            .alias
            .as_ref()
            .map(|i| i.name.clone())
            .unwrap_or_else(|| name.name.clone());
        let alias = match prefix {
            Some(p) => format!("{p}.{own}"),
            None => own,
        };
        let mut renames: HashMap<String, String> = HashMap::new();
        for item in &t.items {
            if let Some(n) = item.kind.name() {
                renames.insert(n.name.clone(), format!("{alias}.{}", n.name));
            }
        }
        for item in &t.items {
            let mut item = item.clone();
            rename_decl(&mut item.kind, &renames);
            visit_item_exprs(&mut item.kind, &mut |e| substitute(e, &bound, &renames));
            if let ItemKind::Apply(inner) = &item.kind {
                // The arguments now read the outer arguments; its names nest under ours.
                self.apply(inner, Some(&alias), file, library, out, diags);
                continue;
            }
            out.push(ProgItem {
                item,
                file,
                library,
            });
        }
    }
}

fn rename_decl(kind: &mut ItemKind, renames: &HashMap<String, String>) {
    let name = match kind {
        ItemKind::Constraint(d) => Some(&mut d.name),
        ItemKind::Decide(d) => Some(&mut d.name),
        ItemKind::Param(d) => Some(&mut d.name),
        ItemKind::Set(d) => Some(&mut d.name),
        ItemKind::Fn(d) => Some(&mut d.name),
        ItemKind::Objective(d) => d.name.as_mut(),
        _ => None,
    };
    if let Some(n) = name {
        if let Some(r) = renames.get(&n.name) {
            n.name = r.clone();
        }
    }
}

fn substitute(e: &mut Expr, bound: &HashMap<String, Expr>, renames: &HashMap<String, String>) {
    match &mut e.kind {
        ExprKind::Name(id) => {
            if let Some(arg) = bound.get(&id.name) {
                *e = arg.clone();
            } else if let Some(r) = renames.get(&id.name) {
                id.name = r.clone();
            }
        }
        // An attribute name passed as an argument: `i.size` with `size = cores`.
        ExprKind::Field(_, attr) => {
            if let Some(Expr {
                kind: ExprKind::Name(f),
                ..
            }) = bound.get(&attr.name)
            {
                attr.name = f.name.clone();
            }
        }
        ExprKind::Call(id, _) => {
            if let Some(Expr {
                kind: ExprKind::Name(f),
                ..
            }) = bound.get(&id.name)
            {
                id.name = f.name.clone();
            } else if let Some(r) = renames.get(&id.name) {
                id.name = r.clone();
            }
        }
        _ => {}
    }
}

/// Apply `f` to every expression of an item, children before parents.
pub fn visit_item_exprs(kind: &mut ItemKind, f: &mut impl FnMut(&mut Expr)) {
    match kind {
        ItemKind::Unit(d) => {
            if let Some(v) = &mut d.value {
                visit_expr(v, f)
            }
        }
        ItemKind::Kind(d) => {
            for a in &mut d.attrs {
                if let Some(v) = &mut a.default {
                    visit_expr(v, f)
                }
            }
        }
        ItemKind::Entity(d) => {
            for a in &mut d.attrs {
                visit_expr(&mut a.value, f)
            }
        }
        ItemKind::Set(d) => visit_expr(&mut d.value, f),
        ItemKind::Param(d) => {
            if let Some(i) = &mut d.index {
                visit_index(i, f)
            }
            if let Some(ParamValue::Expr(v)) = &mut d.value {
                visit_expr(v, f)
            }
        }
        ItemKind::Decide(d) => {
            if let Some(i) = &mut d.index {
                visit_index(i, f)
            }
            for b in &mut d.bounds {
                visit_expr(&mut b.value, f)
            }
        }
        ItemKind::Constraint(d) => {
            if let Some(i) = &mut d.index {
                visit_index(i, f)
            }
            visit_expr(&mut d.body, f)
        }
        ItemKind::Objective(d) => {
            visit_expr(&mut d.body, f);
            if let Some(w) = &mut d.within {
                visit_expr(w, f)
            }
        }
        ItemKind::Fn(d) => visit_expr(&mut d.body, f),
        ItemKind::Plan(d) => {
            if let Some(i) = &mut d.index {
                visit_index(i, f)
            }
            visit_expr(&mut d.stages, f);
            for s in &mut d.stmts {
                match &mut s.kind {
                    PlanStmtKind::State { range, init, .. } => {
                        visit_expr(range, f);
                        if let Some(i) = init {
                            visit_expr(i, f)
                        }
                    }
                    PlanStmtKind::Choose { domain, .. } => visit_expr(domain, f),
                    PlanStmtKind::Next { value, .. } => visit_expr(value, f),
                    PlanStmtKind::Require(e)
                    | PlanStmtKind::Cost(e)
                    | PlanStmtKind::FinalCost(e)
                    | PlanStmtKind::FinalRequire(e) => visit_expr(e, f),
                }
            }
        }
        ItemKind::Test(d) => {
            for x in &mut d.expects {
                match &mut x.kind {
                    ExpectKind::Binding(e) | ExpectKind::Holds(e) => visit_expr(e, f),
                    ExpectKind::Objective(v) => {
                        for (_, e) in v {
                            visit_expr(e, f)
                        }
                    }
                    _ => {}
                }
            }
        }
        ItemKind::Apply(d) => {
            for a in &mut d.args {
                visit_expr(&mut a.value, f)
            }
        }
        ItemKind::Use(_)
        | ItemKind::EntitiesFrom(_)
        | ItemKind::Template(_)
        | ItemKind::Partition(_) => {}
    }
}

fn visit_index(i: &mut IndexList, f: &mut impl FnMut(&mut Expr)) {
    for b in &mut i.bindings {
        visit_expr(&mut b.set, f);
    }
    if let Some(flt) = &mut i.filter {
        visit_expr(flt, f);
    }
}

/// Apply `f` to `e` and all its subexpressions, children first.
pub fn visit_expr(e: &mut Expr, f: &mut impl FnMut(&mut Expr)) {
    match &mut e.kind {
        ExprKind::Field(b, _) => visit_expr(b, f),
        ExprKind::Index(b, idx) => {
            visit_expr(b, f);
            for x in idx {
                visit_expr(x, f)
            }
        }
        ExprKind::Call(_, args) => {
            for a in args {
                visit_expr(&mut a.value, f)
            }
        }
        ExprKind::Unary(_, x) => visit_expr(x, f),
        ExprKind::Binary(_, a, b) | ExprKind::Range(a, b) => {
            visit_expr(a, f);
            visit_expr(b, f)
        }
        ExprKind::Compare(a, links) => {
            visit_expr(a, f);
            for (_, _, x) in links {
                visit_expr(x, f)
            }
        }
        ExprKind::If(a, b, c) => {
            visit_expr(a, f);
            visit_expr(b, f);
            visit_expr(c, f)
        }
        ExprKind::Chain(a, links) => {
            visit_expr(a, f);
            for (_, _, x) in links {
                visit_expr(x, f)
            }
        }
        ExprKind::IfChain(arms, otherwise) => {
            for arm in arms {
                visit_expr(&mut arm.cond, f);
                visit_expr(&mut arm.value, f)
            }
            visit_expr(otherwise, f)
        }
        ExprKind::Agg { index, body, .. } => {
            visit_index(index, f);
            if let Some(b) = body {
                visit_expr(b, f)
            }
        }
        ExprKind::SetLit(v) | ExprKind::Tuple(v) => {
            for x in v {
                visit_expr(x, f)
            }
        }
        ExprKind::SetCompr(i) => visit_index(i, f),
        ExprKind::Map(entries) => {
            for (k, v) in entries {
                for x in k {
                    visit_expr(x, f)
                }
                visit_expr(v, f)
            }
        }
        ExprKind::Number(_)
        | ExprKind::Quantity(..)
        | ExprKind::Period { .. }
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Name(_) => {}
    }
    f(e)
}
