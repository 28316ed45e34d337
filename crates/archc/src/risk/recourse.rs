//! The recourse problem of one scenario: the rows that read that scenario's columns and
//! no other scenario's (nor a column a risk measure added), and the rows of the plan's
//! columns only whose index names the scenario, with the first-stage columns
//! they read fixed at the plan's values, and the scenario's loss as the objective. It is
//! an [`crate::ir::Model`] of its own, with the origins of the full model, so that the
//! solver, the verifier and the explainer work on it unchanged.

use crate::ir::{ColId, Column, Model, Objective, ObjectiveTerm, Origin, Row, RowId, Sense};
use crate::span::Span;
use rustc_hash::FxHashMap;

/// Which part of the model each column and row belongs to, for one scenario set.
pub(crate) struct Split {
    /// The scenario of each column, or `None` (first stage or a measure's column).
    pub col_scenario: Vec<Option<u32>>,
    /// Whether each column is a first-stage decision (no scenario of the set in its index).
    pub first_stage: Vec<bool>,
    /// The rows of each scenario.
    pub rows: Vec<Vec<RowId>>,
    /// Rows left out: they read columns of several scenarios or a risk measure's columns.
    pub coupling_rows: usize,
}

impl Split {
    /// Classify the columns by the scenario in their index tuple (`scenario_of` maps an
    /// element to its scenario's position) and the rows by the columns they read.
    pub(crate) fn new(model: &Model, scenarios: usize, scenario_of: &FxHashMap<u32, u32>) -> Split {
        let mut col_scenario = Vec::with_capacity(model.num_columns());
        let mut first_stage = Vec::with_capacity(model.num_columns());
        for c in &model.columns {
            let s = model
                .tuple_of(c.origin)
                .iter()
                .find_map(|e| scenario_of.get(e).copied());
            let decision =
                model.decls[c.origin.decl.0 as usize].kind == crate::ir::DeclKind::Decision;
            col_scenario.push(s);
            first_stage.push(s.is_none() && decision);
        }
        let mut rows = vec![Vec::new(); scenarios];
        let mut coupling_rows = 0;
        for r in 0..model.num_rows() {
            let id = RowId(r as u32);
            let mut scen: Option<u32> = None;
            let mut coupled = false;
            for (c, _) in model.row_entries(id) {
                let i = c.0 as usize;
                match col_scenario[i] {
                    Some(s) if scen.is_none_or(|x| x == s) => scen = Some(s),
                    Some(_) => coupled = true,
                    None if first_stage[i] => {}
                    None => coupled = true,
                }
            }
            match (scen, coupled) {
                (Some(s), false) => rows[s as usize].push(id),
                (Some(_), true) | (None, true) => coupling_rows += 1,
                // A row of the plan's columns only, written for one scenario (its index
                // names the scenario: a robust constraint such as FFC's): the plan must
                // meet it in that scenario.
                (None, false) => {
                    let origin = model.rows[r].origin;
                    if let Some(s) = model
                        .tuple_of(origin)
                        .iter()
                        .find_map(|e| scenario_of.get(e).copied())
                    {
                        rows[s as usize].push(id);
                    }
                }
            }
        }
        Split {
            col_scenario,
            first_stage,
            rows,
            coupling_rows,
        }
    }
}

/// What one recourse model is built from.
pub(crate) struct Recourse<'a> {
    pub model: &'a Model,
    pub split: &'a Split,
    /// The value of every first-stage column (others are ignored).
    pub fixed: &'a [f64],
    /// The objective: columns of the full model with coefficients, minimised or maximised.
    pub objective: Vec<(ColId, f64)>,
    pub sense: Sense,
    pub unit: String,
    pub span: Span,
}

impl Recourse<'_> {
    /// The recourse model of scenario `s`.
    pub(crate) fn build(&self, s: u32) -> Model {
        let full = self.model;
        let mut b = Builder {
            full,
            fixed: self.fixed,
            first_stage: &self.split.first_stage,
            sub: Model::new(),
            elems: FxHashMap::default(),
            col_map: FxHashMap::default(),
        };
        b.sub.decls = full.decls.clone();
        // The scenario's own columns first, in the full model's order.
        for (i, sc) in self.split.col_scenario.iter().enumerate() {
            if *sc == Some(s) {
                b.column(ColId(i as u32));
            }
        }
        for &r in &self.split.rows[s as usize] {
            let coefs: Vec<(ColId, f64)> =
                full.row_entries(r).map(|(c, v)| (b.column(c), v)).collect();
            let row = full.rows[r.0 as usize];
            let origin = b.origin(row.origin);
            b.sub.add_row(
                Row {
                    lo: row.lo,
                    hi: row.hi,
                    origin,
                },
                coefs,
            );
        }
        let coefs = self
            .objective
            .iter()
            .filter(|(c, _)| self.split.col_scenario[c.0 as usize] == Some(s))
            .map(|&(c, v)| (b.column(c), v))
            .collect();
        b.sub.objective = Some(Objective {
            name: "loss".to_string(),
            sense: self.sense,
            span: self.span,
            unit: self.unit.clone(),
            terms: vec![ObjectiveTerm {
                label: "loss".to_string(),
                span: self.span,
                coefs,
                constant: 0.0,
            }],
        });
        b.sub
    }
}

/// Copies columns and origins of the full model into a recourse model.
struct Builder<'a> {
    full: &'a Model,
    fixed: &'a [f64],
    first_stage: &'a [bool],
    sub: Model,
    elems: FxHashMap<u32, u32>,
    col_map: FxHashMap<u32, ColId>,
}

impl Builder<'_> {
    /// The origin `o` of the full model, with its elements copied.
    fn origin(&mut self, o: Origin) -> Origin {
        let mut tuple = Vec::with_capacity(4);
        for &e in self.full.tuple_of(o) {
            let n = match self.elems.get(&e) {
                Some(&n) => n,
                None => {
                    self.sub
                        .elements
                        .push(self.full.elements[e as usize].clone());
                    let n = (self.sub.elements.len() - 1) as u32;
                    if self.full.scenario_elements.contains(&e) {
                        self.sub.scenario_elements.insert(n);
                    }
                    self.elems.insert(e, n);
                    n
                }
            };
            tuple.push(n);
        }
        Origin {
            decl: o.decl,
            tuple: self.sub.add_tuple(&tuple),
        }
    }

    /// The recourse model's column for column `c` of the full model, added on first use;
    /// a first-stage column is fixed at the plan's value.
    fn column(&mut self, c: ColId) -> ColId {
        if let Some(&n) = self.col_map.get(&c.0) {
            return n;
        }
        let i = c.0 as usize;
        let mut col: Column = self.full.columns[i];
        col.origin = self.origin(col.origin);
        if self.first_stage[i] {
            col.lb = self.fixed[i];
            col.ub = self.fixed[i];
        }
        let n = self.sub.add_column(col);
        self.col_map.insert(c.0, n);
        n
    }
}
