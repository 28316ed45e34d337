//! Iteration over index lists `[a in A, b in B where cond]`. The `where` condition is split
//! into conjuncts, each checked as soon as the variables it reads are bound; a conjunct
//! `b == expr` or `b.attr == expr` (with `expr` bound earlier) is answered by a lookup or
//! an inverted index instead of a scan, so a filtered product never builds in full.

use super::eval::R;
use super::world::*;
use super::Inst;
use crate::span::Span;
use crate::syntax::ast::{BinOp, CmpOp, Expr, ExprKind, IndexList};
use std::rc::Rc;

#[derive(Debug)]
pub(crate) struct Level {
    var: String,
    set: Expr,
    join: Join,
    checks: Vec<Expr>,
}

#[derive(Debug)]
enum Join {
    Scan,
    /// `var == expr`
    Equal(Expr),
    /// `var.attr == expr`
    Attr(String, Expr),
}

#[derive(Debug)]
pub(crate) struct IndexPlan {
    pre: Vec<Expr>,
    levels: Vec<Level>,
}

fn conjuncts(e: &Expr, out: &mut Vec<Expr>) {
    match &e.kind {
        ExprKind::Binary(BinOp::And, a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        ExprKind::Chain(first, links) if links.first().is_some_and(|l| l.0 == BinOp::And) => {
            conjuncts(first, out);
            for (_, _, x) in links {
                conjuncts(x, out);
            }
        }
        _ => out.push(e.clone()),
    }
}

/// Index of the deepest binding variable the expression reads, if any.
fn deepest(e: &Expr, vars: &[String]) -> Option<usize> {
    let mut best: Option<usize> = None;
    let mut e2 = e.clone();
    crate::resolve::visit_expr(&mut e2, &mut |x| {
        if let ExprKind::Name(id) = &x.kind {
            if let Some(i) = vars.iter().position(|v| *v == id.name) {
                best = Some(best.map_or(i, |b: usize| b.max(i)));
            }
        }
    });
    best
}

/// The names of an index list's variables, in order (empty for an anonymous one).
pub(crate) fn index_vars(ix: &IndexList) -> Vec<String> {
    ix.bindings
        .iter()
        .map(|b| b.var.as_ref().map(|v| v.name.clone()).unwrap_or_default())
        .collect()
}

fn plan(ix: &IndexList) -> IndexPlan {
    let vars = index_vars(ix);
    let mut levels: Vec<Level> = ix
        .bindings
        .iter()
        .zip(&vars)
        .map(|(b, v)| Level {
            var: v.clone(),
            set: b.set.clone(),
            join: Join::Scan,
            checks: Vec::new(),
        })
        .collect();
    let mut pre = Vec::new();
    let mut cs = Vec::new();
    if let Some(f) = &ix.filter {
        conjuncts(f, &mut cs);
    }
    for c in cs {
        let Some(level) = deepest(&c, &vars) else {
            pre.push(c);
            continue;
        };
        // Joins: `v == e` / `e == v` / `v.attr == e` with `e` bound before level.
        if matches!(levels[level].join, Join::Scan) {
            if let ExprKind::Compare(l, links) = &c.kind {
                if links.len() == 1 && links[0].0 == CmpOp::Eq {
                    let r = &links[0].2;
                    let v = &vars[level];
                    for (side, other) in [(l.as_ref(), r), (r, l.as_ref())] {
                        let other_ok = deepest(other, &vars).is_none_or(|d| d < level);
                        if !other_ok || v.is_empty() {
                            continue;
                        }
                        match &side.kind {
                            ExprKind::Name(id) if id.name == *v => {
                                levels[level].join = Join::Equal(other.clone());
                                break;
                            }
                            ExprKind::Field(b, attr) if matches!(&b.kind, ExprKind::Name(id) if id.name == *v) =>
                            {
                                levels[level].join = Join::Attr(attr.name.clone(), other.clone());
                                break;
                            }
                            _ => {}
                        }
                    }
                    if !matches!(levels[level].join, Join::Scan) {
                        continue;
                    }
                }
            }
        }
        levels[level].checks.push(c);
    }
    IndexPlan { pre, levels }
}

impl Inst<'_> {
    /// The element `var` is bound to (`u32::MAX` when it holds no element).
    pub(crate) fn bound_elem(&self, var: &str) -> ElemId {
        match self.local(var) {
            Some(Value::Elem(x)) => *x,
            _ => u32::MAX,
        }
    }

    /// Call `f` once per index tuple that passes the filter, with the variables bound in
    /// `self.env`.
    pub fn for_each_index(
        &mut self,
        ix: &IndexList,
        f: &mut dyn FnMut(&mut Self) -> R<()>,
    ) -> R<()> {
        // Keyed by the index list's address: the AST outlives the instantiation.
        let key = ix as *const IndexList as usize;
        let p = match self.index_plans.get(&key) {
            Some(p) => p.clone(),
            None => {
                let p = Rc::new(plan(ix));
                self.index_plans.insert(key, p.clone());
                p
            }
        };
        for c in &p.pre {
            if !self.boolean(c)? {
                return Ok(());
            }
        }
        self.check_index_size(ix, &p)?;
        let depth = self.env.len();
        let r = self.level(&p, 0, f);
        self.env.truncate(depth);
        r
    }

    /// E0632 when the index tuples `ix` would enumerate exceed the limit, estimated before
    /// the first one: the product of the sizes of the sets scanned in full that do not
    /// depend on an earlier variable (joined and dependent levels count 1, a lower bound).
    fn check_index_size(&mut self, ix: &IndexList, p: &IndexPlan) -> R<()> {
        let vars: Vec<String> = p.levels.iter().map(|l| l.var.clone()).collect();
        let mut tuples: u128 = 1;
        for lv in &p.levels {
            if !matches!(lv.join, Join::Scan) || deepest(&lv.set, &vars).is_some() {
                continue;
            }
            let n = self.set_value(&lv.set)?.elems.len() as u128;
            tuples = tuples.saturating_mul(n);
        }
        if tuples > self.limits.max_index_tuples as u128 {
            return Err(super::errors::too_many_tuples(
                ix.span,
                &self.current_decl,
                tuples,
                self.limits.max_index_tuples,
            ));
        }
        Ok(())
    }

    fn level(&mut self, p: &IndexPlan, i: usize, f: &mut dyn FnMut(&mut Self) -> R<()>) -> R<()> {
        if i == p.levels.len() {
            return f(self);
        }
        let lv = &p.levels[i];
        let set = self.set_value(&lv.set)?;
        let candidates: Vec<ElemId> = match &lv.join {
            Join::Scan => return self.scan(p, i, &set, f),
            Join::Equal(e) => {
                let x = self.elem_of(e)?;
                if set.contains(x) {
                    vec![x]
                } else {
                    Vec::new()
                }
            }
            Join::Attr(attr, e) => {
                let v = self.eval(e)?;
                self.attr_lookup(&set, attr, &v, lv.set.span)?
            }
        };
        for x in candidates {
            self.env.push((lv.var.clone(), Value::Elem(x)));
            let mut ok = true;
            for c in &lv.checks {
                if !self.boolean(c)? {
                    ok = false;
                    break;
                }
            }
            if ok {
                self.level(p, i + 1, f)?;
            }
            self.env.pop();
        }
        Ok(())
    }

    fn scan(
        &mut self,
        p: &IndexPlan,
        i: usize,
        set: &Rc<SetVal>,
        f: &mut dyn FnMut(&mut Self) -> R<()>,
    ) -> R<()> {
        let lv = &p.levels[i];
        self.env.push((lv.var.clone(), Value::Num(0.0)));
        let slot = self.env.len() - 1;
        for &x in &set.elems {
            self.env[slot].1 = Value::Elem(x);
            let mut ok = true;
            for c in &lv.checks {
                if !self.boolean(c)? {
                    ok = false;
                    break;
                }
            }
            if ok {
                self.level(p, i + 1, f)?;
            }
        }
        self.env.pop();
        Ok(())
    }

    /// Elements of `set` whose attribute `attr` equals `v`, through an inverted index.
    fn attr_lookup(
        &mut self,
        set: &Rc<SetVal>,
        attr: &str,
        v: &Value,
        span: Span,
    ) -> R<Vec<ElemId>> {
        self.attr_join(set, None, attr, v, span)
    }

    /// Build the inverted index of attribute `ai` of kind `k` (value to positions in the
    /// kind table, in table order) unless it exists.
    pub(crate) fn ensure_inverted(&mut self, k: usize, ai: usize) {
        if self.world.kinds[k].inverted.contains_key(&ai) {
            return;
        }
        let mut inv: rustc_hash::FxHashMap<ValueKey, Vec<u32>> = rustc_hash::FxHashMap::default();
        if let Some(values) = self.world.kinds[k].attrs.get(ai) {
            for (i, val) in values.iter().enumerate() {
                if let Some(key) = ValueKey::of(val) {
                    inv.entry(key).or_default().push(i as u32);
                }
            }
        }
        self.world.kinds[k].inverted.insert(ai, inv);
    }
}
