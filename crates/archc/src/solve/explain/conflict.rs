//! The minimal conflict of an infeasible model: a deletion filter that asks only "is this
//! sub-model feasible?" (any solver), run in three passes: over source constraint groups
//! (a declaration with its derived rows; a decision's bounds), then over constraint
//! instances within the groups that remain, then over the single bounds of the columns the
//! remaining instances use. Bounds come back in the instance pass, so that an instance
//! stays only when no bound does its work. Each pass is QuickXplain (Junker, 2004): a
//! divide-and-conquer deletion filter that needs O(k log(n/k)) solves for a conflict of k among n items, and
//! whose result is minimal: dropping any member leaves a feasible sub-model.

use super::groups::{
    droppable_bounds, is_feasible_model, is_feasible_subset, relaxed, sub_model, Item, Side,
    Structure, Subset,
};
use crate::diagnostics::Diagnostic;
use crate::ir::{ColId, DeclId, DeclKind, Model, RowId};
use crate::solve::SolveOptions;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What a conflict member is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberKind {
    /// A constraint instance (`fit[eu-west]`), with the rows derived from it.
    Constraint,
    /// One bound of a decision instance (`replicas[checkout, us-east] <= 120`).
    Bound,
}

/// One member of a minimal conflict.
#[derive(Clone, Debug, Serialize)]
pub struct Member {
    pub kind: MemberKind,
    /// `spread[ledger-eu]`, or the decision instance for a bound.
    pub name: String,
    /// The source declaration (constraint, or decision for a bound).
    pub decl: DeclId,
    /// The instance's rows, source rows first (empty for a bound).
    pub rows: Vec<RowId>,
    /// How many of `rows` the source declaration wrote itself (the rest are derived).
    pub source_rows: usize,
    /// For a bound: the column and which bound.
    pub bound: Option<(ColId, Side)>,
    /// One line with the data filled in:
    /// `spread[ledger-eu]: present[ledger-eu, eu-central] >= 2`.
    pub reading: String,
}

impl Member {
    fn item(&self) -> Item {
        match self.bound {
            Some(b) => Item::bounds(vec![b]),
            None => Item::rows(self.rows.clone()),
        }
    }
}

/// A minimal set of constraint instances and bounds that cannot hold together.
#[derive(Clone, Debug, Serialize)]
pub struct Conflict {
    pub members: Vec<Member>,
    /// Rows that are always kept (derived from the objective); usually empty.
    pub background: Vec<RowId>,
    /// Feasibility solves the search took.
    pub solves: usize,
}

impl Conflict {
    /// The sub-model of the conflict, optionally without member `without`. The conflict
    /// itself is infeasible; without any one member it is feasible.
    pub fn subset(&self, model: &Model, without: Option<usize>) -> Subset {
        let mut s = Subset::empty(model);
        s.set(&Item::rows(self.background.clone()), true);
        for (i, m) in self.members.iter().enumerate() {
            if Some(i) != without {
                s.set(&m.item(), true);
            }
        }
        s
    }
}

/// QuickXplain over `items`, on top of the fixed subset `base`.
struct Search<'a> {
    model: &'a Model,
    opts: &'a SolveOptions,
    base: Subset,
    items: Vec<Item>,
    solves: usize,
    /// Ask about the LP relaxation instead of the model.
    lp: bool,
}

impl Search<'_> {
    fn infeasible(&mut self, kept: &[usize]) -> Result<bool, Diagnostic> {
        let mut s = self.base.clone();
        for &k in kept {
            s.set(&self.items[k], true);
        }
        self.solves += 1;
        if self.lp {
            let m = relaxed(sub_model(self.model, &s));
            Ok(!is_feasible_model(&m, self.opts)?)
        } else {
            Ok(!is_feasible_subset(self.model, &s, self.opts)?)
        }
    }

    /// A minimal subset of all items that is infeasible with `base`, or `None` when even
    /// all of them together are feasible.
    fn run(&mut self) -> Result<Option<Vec<usize>>, Diagnostic> {
        let all: Vec<usize> = (0..self.items.len()).collect();
        if !self.infeasible(&all)? {
            return Ok(None);
        }
        if self.infeasible(&[])? {
            // The fixed part conflicts on its own.
            return Ok(Some(Vec::new()));
        }
        let mut found = self.quickxplain(&[], false, &all)?;
        found.sort_unstable();
        Ok(Some(found))
    }

    fn quickxplain(
        &mut self,
        background: &[usize],
        changed: bool,
        candidates: &[usize],
    ) -> Result<Vec<usize>, Diagnostic> {
        if changed && self.infeasible(background)? {
            return Ok(Vec::new());
        }
        if candidates.len() <= 1 {
            return Ok(candidates.to_vec());
        }
        let (first, second) = candidates.split_at(candidates.len() / 2);
        let with_first: Vec<usize> = background.iter().chain(first).copied().collect();
        let from_second = self.quickxplain(&with_first, !first.is_empty(), second)?;
        let with_found: Vec<usize> = background.iter().chain(&from_second).copied().collect();
        let mut from_first = self.quickxplain(&with_found, !from_second.is_empty(), first)?;
        from_first.extend(from_second);
        Ok(from_first)
    }
}

/// Group of a source declaration: its instances and, for a decision, its bounds.
struct Group {
    instances: Vec<usize>,
    bounds: Vec<(ColId, Side)>,
}

/// Find a minimal conflict of an infeasible model. `Ok(None)` when the model is feasible.
/// `start` optionally names instances known to conflict on their own (from bound
/// reasoning): the search then begins from them. With `lp`, every question is asked of
/// the LP relaxation (a conflict of the relaxation is one of the model, but may not be
/// minimal for it: see [`polish`]).
pub fn find_conflict(
    model: &Model,
    structure: &Structure,
    opts: &SolveOptions,
    start: Option<Vec<usize>>,
    lp: bool,
) -> Result<Option<Conflict>, Diagnostic> {
    let mut base = Subset::empty(model);
    base.set(&Item::rows(structure.background.clone()), true);
    let mut solves = 0;

    // Pass 1: source groups.
    let mut groups: BTreeMap<DeclId, Group> = BTreeMap::new();
    for (i, inst) in structure.instances.iter().enumerate() {
        groups
            .entry(inst.decl)
            .or_insert_with(|| Group {
                instances: Vec::new(),
                bounds: Vec::new(),
            })
            .instances
            .push(i);
    }
    for j in 0..model.num_columns() {
        let col = ColId(j as u32);
        let b = droppable_bounds(model, col);
        if let (false, Some(d)) = (b.is_empty(), Structure::decision_of(model, col)) {
            groups
                .entry(d)
                .or_insert_with(|| Group {
                    instances: Vec::new(),
                    bounds: Vec::new(),
                })
                .bounds
                .extend(b);
        }
    }
    let group_items: Vec<(DeclId, Item)> = groups
        .into_iter()
        .map(|(d, g)| {
            let rows = g
                .instances
                .iter()
                .flat_map(|&i| structure.instances[i].rows.iter().copied())
                .collect();
            (
                d,
                Item {
                    rows,
                    bounds: g.bounds,
                },
            )
        })
        .collect();

    let instances: Vec<usize> = match start {
        Some(instances) => instances,
        None => {
            // One item per group: the rows and the bounds of a declaration go together.
            let items: Vec<Item> = group_items.iter().map(|(_, g)| g.clone()).collect();
            let mut search = Search {
                model,
                opts,
                base: base.clone(),
                items,
                solves: 0,
                lp,
            };
            let Some(kept) = search.run()? else {
                return Ok(None);
            };
            solves += search.solves;
            let decls: BTreeSet<DeclId> = kept.iter().map(|&k| group_items[k].0).collect();

            // Pass 2: instances of the remaining groups, with every bound kept, so that an
            // instance stays only when no bound does its work (pass 3 then drops the bounds
            // that are not needed, which keeps the result minimal).
            let mut base2 = base.clone();
            for (_, g) in &group_items {
                base2.set(&Item::bounds(g.bounds.clone()), true);
            }
            let cands: Vec<usize> = (0..structure.instances.len())
                .filter(|&i| decls.contains(&structure.instances[i].decl))
                .collect();
            let mut search = Search {
                model,
                opts,
                base: base2,
                items: cands
                    .iter()
                    .map(|&i| Item::rows(structure.instances[i].rows.clone()))
                    .collect(),
                solves: 0,
                lp,
            };
            let kept = search.run()?;
            solves += search.solves;
            match kept {
                Some(k) => k.iter().map(|&k| cands[k]).collect(),
                // Only the bounds conflict (crossed bounds): no instance is needed.
                None => Vec::new(),
            }
        }
    };

    // Pass 3: single bounds of the columns the instances use.
    let mut base3 = base.clone();
    let mut used = BTreeSet::new();
    for &i in &instances {
        base3.set(&Item::rows(structure.instances[i].rows.clone()), true);
        for &r in &structure.instances[i].rows {
            used.extend(model.row_entries(r).map(|(c, _)| c));
        }
    }
    let eligible = |c: ColId| Structure::decision_of(model, c).is_some();
    let mut bound_items: Vec<(ColId, Side)> = used
        .iter()
        .filter(|&&c| eligible(c))
        .flat_map(|&c| droppable_bounds(model, c))
        .collect();
    let mut search = Search {
        model,
        opts,
        base: base3.clone(),
        items: bound_items.iter().map(|&b| Item::bounds(vec![b])).collect(),
        solves: 0,
        lp,
    };
    let mut kept = search.run()?;
    solves += search.solves;
    if kept.is_none() {
        // Bounds of columns outside the instances matter (crossed bounds): search them all.
        bound_items = (0..model.num_columns() as u32)
            .map(ColId)
            .filter(|&c| eligible(c))
            .flat_map(|c| droppable_bounds(model, c))
            .collect();
        search = Search {
            model,
            opts,
            base: base3,
            items: bound_items.iter().map(|&b| Item::bounds(vec![b])).collect(),
            solves: 0,
            lp,
        };
        kept = search.run()?;
        solves += search.solves;
    }
    let Some(kept_bounds) = kept else {
        return Ok(None);
    };

    let mut members: Vec<Member> = instances
        .iter()
        .map(|&i| {
            let inst = &structure.instances[i];
            Member {
                kind: MemberKind::Constraint,
                name: inst.name.clone(),
                decl: inst.decl,
                rows: inst.rows.clone(),
                source_rows: inst.source_rows,
                bound: None,
                reading: super::reading::instance_reading(model, inst),
            }
        })
        .collect();
    for k in kept_bounds {
        let (col, side) = bound_items[k];
        let decl = model.columns[col.0 as usize].origin.decl;
        members.push(Member {
            kind: MemberKind::Bound,
            name: model.column_name(col),
            decl,
            rows: Vec::new(),
            source_rows: 0,
            bound: Some((col, side)),
            reading: super::reading::bound_reading(model, col, side),
        });
    }
    debug_assert!(members
        .iter()
        .all(|m| model.decls[m.decl.0 as usize].kind != DeclKind::Derived
            || m.kind == MemberKind::Constraint));
    Ok(Some(Conflict {
        members,
        background: structure.background.clone(),
        solves,
    }))
}

/// Make a conflict minimal for the model itself (with integrality) by a deletion filter over
/// its members. Cheap: the sub-models hold the conflict's rows only.
pub fn polish(
    model: &Model,
    conflict: Conflict,
    opts: &SolveOptions,
) -> Result<Conflict, Diagnostic> {
    let mut base = Subset::empty(model);
    base.set(&Item::rows(conflict.background.clone()), true);
    let mut search = Search {
        model,
        opts,
        base,
        items: conflict.members.iter().map(Member::item).collect(),
        solves: 0,
        lp: false,
    };
    let Some(kept) = search.run()? else {
        return Ok(conflict);
    };
    let solves = conflict.solves + search.solves;
    let mut members = conflict.members;
    let mut k = 0;
    members.retain(|_| {
        k += 1;
        kept.binary_search(&(k - 1)).is_ok()
    });
    Ok(Conflict {
        members,
        background: conflict.background,
        solves,
    })
}
