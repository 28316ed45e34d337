//! Sets and params defined in terms of themselves (`param n: int = card(s)` with
//! `set s = 1..n`), found on the HIR right after lowering from the ids each definition
//! reads, and refused (E0359) before anything is evaluated: evaluation would otherwise meet
//! a set or param that is still being computed.

use super::{Expr, ExprKind, Model, ParamValue, SetValue};
use crate::check::Schema;
use crate::diagnostics::{Code, Diagnostic};

/// A definition: a set or a param, by index into the schema's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    Set(usize),
    Param(usize),
}

/// The sets and params an expression reads.
fn reads(e: &Expr, out: &mut Vec<Node>) {
    e.walk(|x| match &x.kind {
        ExprKind::Set(s) => out.push(Node::Set(s.index())),
        ExprKind::Param(p, _) => out.push(Node::Param(p.index())),
        _ => {}
    });
}

/// What each definition reads: `sets.len()` entries for the sets, then the params.
fn edges(model: &Model) -> Vec<Vec<Node>> {
    let mut out = Vec::with_capacity(model.sets.len() + model.params.len());
    for d in &model.sets {
        let mut r = Vec::new();
        match &d.body {
            SetValue::Expr(e) => reads(e, &mut r),
            SetValue::Scenarios(def) => {
                let _ = def.try_map(&mut |e| {
                    reads(e, &mut r);
                    Ok::<(), ()>(())
                });
            }
            SetValue::Kind(_) | SetValue::Symbols(_) => {}
        }
        out.push(r);
    }
    for d in &model.params {
        let mut r = Vec::new();
        for b in &d.body.index.binders {
            reads(&b.set, &mut r);
        }
        if let Some(f) = &d.body.index.filter {
            reads(f, &mut r);
        }
        if let ParamValue::Forecast { history, .. } | ParamValue::Aggregate { history, .. } =
            &d.body.value
        {
            r.push(Node::Param(history.index()));
        }
        d.body.value.for_each_expr(&mut |e| reads(e, &mut r));
        out.push(r);
    }
    out
}

/// E0359 for each cycle of definitions (one per cycle found by a depth-first walk), at the
/// first definition of the cycle, with the others marked.
pub(crate) fn circular_definitions(model: &Model, schema: &Schema) -> Vec<Diagnostic> {
    let sets = model.sets.len();
    let index = |n: Node| match n {
        Node::Set(i) => i,
        Node::Param(i) => sets + i,
    };
    let node = |i: usize| {
        if i < sets {
            Node::Set(i)
        } else {
            Node::Param(i - sets)
        }
    };
    let describe = |n: Node| match n {
        Node::Set(i) => schema.sets.get(i).map(|s| ("set", s.name.as_str(), s.span)),
        Node::Param(i) => schema
            .params
            .get(i)
            .map(|p| ("param", p.name.as_str(), p.span)),
    };
    let edges = edges(model);
    // 0: not visited, 1: on the walk's path, 2: done.
    let mut state = vec![0u8; edges.len()];
    let mut out = Vec::new();
    for root in 0..edges.len() {
        if state[root] != 0 {
            continue;
        }
        // The path, each definition with the position of its next edge to follow.
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(top) = path.last_mut() {
            let at = top.0;
            let Some(&to) = edges[at].get(top.1) else {
                state[at] = 2;
                path.pop();
                continue;
            };
            top.1 += 1;
            let to = index(to);
            if to >= edges.len() {
                continue;
            }
            match state[to] {
                0 => {
                    state[to] = 1;
                    path.push((to, 0));
                }
                1 => {
                    let from = path.iter().position(|&(n, _)| n == to).unwrap_or(0);
                    let cycle: Vec<Node> = path[from..].iter().map(|&(n, _)| node(n)).collect();
                    if let Some(d) = cycle_diagnostic(&cycle, &describe) {
                        out.push(d);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

type Describe<'a> = dyn Fn(Node) -> Option<(&'static str, &'a str, crate::span::Span)> + 'a;

fn cycle_diagnostic(cycle: &[Node], describe: &Describe<'_>) -> Option<Diagnostic> {
    let named: Vec<_> = cycle.iter().map(|&n| describe(n)).collect::<Option<_>>()?;
    let (kind, name, span) = named[0];
    let mut chain: Vec<String> = named.iter().map(|(_, n, _)| format!("`{n}`")).collect();
    chain.push(format!("`{name}`"));
    let mut d = Diagnostic::error(
        Code::E0359,
        format!("{kind} `{name}` is defined in terms of itself"),
    )
    .primary(span, "circular");
    for (i, &(_, n, s)) in named.iter().enumerate().skip(1) {
        let after = named.get(i + 1).map_or(name, |x| x.1);
        d = d.secondary(s, format!("`{n}` reads `{after}`"));
    }
    if named.len() > 1 {
        d = d.note(format!(
            "the definitions read each other: {}",
            chain.join(" -> ")
        ));
    }
    Some(d.help("give one of them a value that does not read the others"))
}
