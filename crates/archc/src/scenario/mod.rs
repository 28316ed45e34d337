//! Scenario sets: the worlds a plan must face, each with a probability, the entities that
//! are down in it and the params it overrides. The checker turns a `set S = ...` whose
//! value is a scenario literal or a generator call into a [`ScenarioDef`]; instantiation
//! evaluates it into scenarios with [`generate`] and keeps them in the data world, where
//! `prob(s)`, `up(e, s)` and params indexed by `S` read them.
//!
//! Generated scenarios are named after what fails: `down(ny-chi)`, `down(a, b)`,
//! `group(fibre-1)`; the scenario with nothing down is `nominal`.

pub mod generate;

use crate::span::{FileId, Span};
use crate::syntax::ast;

/// Name of the scenario in which nothing is down.
pub const NOMINAL: &str = "nominal";

/// Most scenarios one set may hold: an enumeration beyond it is E0564, found while
/// counting, before the scenarios are built.
pub const MAX_SCENARIOS: usize = 1_000_000;

/// Probabilities of a complete set must sum to 1 within this.
pub const SUM_TOLERANCE: f64 = 1e-6;

/// The generator functions a scenario set may be written with.
pub const GENERATORS: &[&str] = &[
    "fail_k",
    "fail_independent",
    "fail_groups",
    "scenarios_from",
];

/// An attribute a generator reads, resolved by the checker: the kind of the set's entities
/// and the attribute's position among the kind's attributes (the name only for messages).
#[derive(Clone, Debug)]
pub struct ScenarioAttr {
    pub name: ast::Ident,
    pub kind: usize,
    pub index: usize,
}

/// A scenario set as checked: where its scenarios come from. Its expressions are syntax
/// (`E = ast::Expr`) in the checker's schema and HIR (`crate::hir::Expr`) in the HIR.
#[derive(Clone, Debug)]
pub struct ScenarioDef<E = ast::Expr> {
    pub source: ScenarioSource<E>,
    /// The set's value in the source.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ScenarioSource<E = ast::Expr> {
    /// `{calm: scenario(p = 0.9), cut: scenario(p = 0.1, down = {a->b})}`.
    Declared(Vec<DeclaredScenario<E>>),
    /// `fail_k(links, 2, up_to = true, nominal = true)`: every failure of exactly `k`
    /// (or, with `up_to`, of 1 to `k`) entities of the set, equally likely; with
    /// `p = p_fail`, each with the probability that exactly those entities fail when each
    /// fails on its own with the probability in attribute `p_fail` (the rest of the mass,
    /// the other failure sets, is left out).
    KOf {
        set: E,
        k: E,
        up_to: bool,
        nominal: bool,
        p: Option<ScenarioAttr>,
    },
    /// `fail_independent(links, p_fail, cutoff = 1e-4)`: entities fail independently with
    /// the probability in attribute `attr`; the scenarios at least as likely as `cutoff`.
    Independent {
        set: E,
        attr: ScenarioAttr,
        cutoff: Option<E>,
        nominal: bool,
    },
    /// `fail_groups(links, fibre)`: the entities that share a value of `attr` fail
    /// together, one group at a time, equally likely (an empty value is no group); with
    /// `k = 2`, every two groups at once (with `up_to`, one or two).
    Groups {
        set: E,
        attr: ScenarioAttr,
        nominal: bool,
        k: Option<E>,
        up_to: bool,
    },
    /// `scenarios_from("scenarios.csv")`: one row per scenario, columns `name`, `p`,
    /// `down` (entity names separated by spaces or `;`) and one column per overridden
    /// param.
    File {
        path: ast::StrLit,
        file: FileId,
        /// Params indexed by this set, which a file column may override: (param, name).
        params: Vec<(usize, String)>,
    },
}

/// One hand-declared scenario.
#[derive(Clone, Debug)]
pub struct DeclaredScenario<E = ast::Expr> {
    pub name: ast::Ident,
    pub p: E,
    pub down: Option<E>,
    /// Params indexed by the set and their values in this scenario.
    pub overrides: Vec<(usize, E)>,
}

impl<E> ScenarioDef<E> {
    /// The same definition with each expression mapped by `f`, in the order written.
    pub fn try_map<F, X>(
        &self,
        f: &mut impl FnMut(&E) -> Result<F, X>,
    ) -> Result<ScenarioDef<F>, X> {
        let source = match &self.source {
            ScenarioSource::Declared(list) => {
                let mut out = Vec::with_capacity(list.len());
                for d in list {
                    out.push(DeclaredScenario {
                        name: d.name.clone(),
                        p: f(&d.p)?,
                        down: d.down.as_ref().map(&mut *f).transpose()?,
                        overrides: d
                            .overrides
                            .iter()
                            .map(|(p, e)| Ok((*p, f(e)?)))
                            .collect::<Result<_, X>>()?,
                    });
                }
                ScenarioSource::Declared(out)
            }
            ScenarioSource::KOf {
                set,
                k,
                up_to,
                nominal,
                p,
            } => ScenarioSource::KOf {
                set: f(set)?,
                k: f(k)?,
                up_to: *up_to,
                nominal: *nominal,
                p: p.clone(),
            },
            ScenarioSource::Independent {
                set,
                attr,
                cutoff,
                nominal,
            } => ScenarioSource::Independent {
                set: f(set)?,
                attr: attr.clone(),
                cutoff: cutoff.as_ref().map(&mut *f).transpose()?,
                nominal: *nominal,
            },
            ScenarioSource::Groups {
                set,
                attr,
                nominal,
                k,
                up_to,
            } => ScenarioSource::Groups {
                set: f(set)?,
                attr: attr.clone(),
                nominal: *nominal,
                k: k.as_ref().map(&mut *f).transpose()?,
                up_to: *up_to,
            },
            ScenarioSource::File { path, file, params } => ScenarioSource::File {
                path: path.clone(),
                file: *file,
                params: params.clone(),
            },
        };
        Ok(ScenarioDef {
            source,
            span: self.span,
        })
    }
}

/// Is `e` written as a scenario set: a map literal of `scenario(...)` values, or a call of
/// a generator?
pub fn is_scenario_value(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Call(name, _) => GENERATORS.contains(&name.name.as_str()),
        ast::ExprKind::Map(entries) => entries
            .iter()
            .any(|(_, v)| matches!(&v.kind, ast::ExprKind::Call(n, _) if n.name == "scenario")),
        _ => false,
    }
}
