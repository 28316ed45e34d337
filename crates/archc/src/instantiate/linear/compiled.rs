//! Compiled linear expressions: the hot path of instantiation, compiled from the HIR. While
//! a constraint or objective is instantiated, its index slots and slot table (see
//! [`HirScope`]) are at hand; the first time [`Inst::lin`] meets an expression over
//! decisions, that HIR node is compiled once into a small tree of [`Code`] over numbered
//! slots: the declaration's index variables and the variables of compiled `sum`s
//! become slot numbers (bound by position in their set, so dense params and decisions are
//! found without hashing), params, decisions and attributes are the HIR's ids, and `sum`s
//! over named sets become loops over sets evaluated once. Every later index tuple runs the
//! compiled code; nothing here looks a name up by string.
//!
//! The compiled fragment is the common shape of model constraints and objectives: sums,
//! differences, negations, products and quotients of data with linear terms (runs of one
//! operator included), decisions and params indexed by index variables, entity attributes
//! and constants; `sum`s with `where` filters (planned and joined as the evaluator plans
//! them, see [`cond`]); `if` over data conditions; calls of user functions (their inlined
//! bodies, the parameters standing for the arguments); `min`, `max`, `abs`, `ceil`,
//! `floor` and `round` of data. Anything else (`max`/`min` of decisions, logic over
//! decisions, variables bound by a `sum` the linearizer runs, a function's parameter read
//! outside its inlined body) is not compiled and stays with the linearizer of [`super`],
//! which walks the HIR with the locals in the frame.
//! The compiled code computes exactly what the linearizer computes, in the same order (so
//! every coefficient is bit-identical); whenever it meets something it does not handle at
//! run time — a missing value, a non-number, a division by zero, a value that is not
//! finite, an index outside a decision — it bails out without side effects and the
//! linearizer redoes the expression for that tuple, which reports the error exactly as
//! before.

pub(crate) mod cond;
mod index;
pub(crate) use index::IndexTuples;
mod run;

use run::Ctx;
pub(crate) use run::{run_side, run_sum_part};

use super::Lin;
use crate::hir::{self, Builtin, ExprKind, SlotId};
use crate::instantiate::world::{ElemId, SetVal, Value};
use crate::instantiate::Inst;
use crate::syntax::ast::{AggKind, BinOp, UnOp};
use cond::{Cond, ElemCode, Join};
use rustc_hash::FxHashMap;
use std::rc::Rc;
use std::sync::Arc;

/// The HIR of the declaration being instantiated: the slots of its index variables in
/// the order of the IR tuple, and its slot table.
#[derive(Default)]
pub(crate) struct HirScope<'h> {
    index: Vec<SlotId>,
    /// The declaration's slots (their names tell joins as the evaluator finds them, and
    /// name the scenario variable of rows made per scenario).
    pub(crate) slots: &'h [hir::Slot],
    /// Where the current index tuple starts in `model.tuples`.
    pub(crate) tuple: usize,
}

impl<'h> HirScope<'h> {
    /// The scope of one declaration.
    pub(crate) fn new(index: &hir::Index, slots: &'h [hir::Slot]) -> HirScope<'h> {
        HirScope {
            index: index.slots(),
            slots,
            tuple: 0,
        }
    }

    /// No declaration in scope (outside constraints and objectives).
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty() && self.index.is_empty()
    }
}

/// The value of one slot: an element and, when the slot is bound by a compiled loop, the
/// set it runs over and its position there (so lookups by position need no hashing).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Slot {
    pub(super) elem: ElemId,
    /// Address of the set the slot runs over, 0 when unknown.
    pub(super) set: usize,
    pub(super) pos: u32,
    /// The element's kind and position in its kind table, when known.
    pub(super) entity: Option<(u32, u32)>,
}

/// A number computed from data (no decisions): the evaluator's `num` of the expression.
#[derive(Debug, PartialEq)]
pub(crate) enum Num {
    Const(f64),
    /// `slot.attr` of an entity of kind `kind`.
    Attr {
        slot: u16,
        kind: u32,
        attr: u32,
    },
    /// `param[slots...]`.
    Param {
        p: usize,
        args: Box<[u16]>,
    },
    /// An attribute of the entity an element expression names (`z.region.cost`).
    AttrOf {
        base: ElemCode,
        kind: u32,
        attr: u32,
    },
    /// The number of an integer element.
    Elem(ElemCode),
    Neg(Box<Num>),
    /// The first number, then each `+`, `-`, `*` or `/` with the number after it, folded
    /// from the left (flat: a run of 100,000 operands needs no deep recursion).
    Chain(Box<Num>, Box<[(BinOp, Num)]>),
    /// `min(...)` or `max(...)` (`max: true`) of numbers, folded from the left.
    Fold {
        max: bool,
        items: Box<[Num]>,
    },
    /// `abs`, `ceil`, `floor` or `round` of a number.
    Round(Builtin, Box<Num>),
    /// `if c1 then a1 else if c2 then a2 ... else b` over data.
    Select(Box<[(Cond, Num)]>, Box<Num>),
}

/// A linear expression over decisions, as `lin(e, k, ...)` expands it.
#[derive(Debug, PartialEq)]
pub(crate) enum Code {
    /// A data part: its number times `k` goes to the constant.
    Data(Num),
    /// `decision[slots...]` times the decision's unit scale.
    Col {
        d: usize,
        args: Box<[u16]>,
        scale: f64,
    },
    Neg(Box<Code>),
    /// `a + b - c ...`: each term with `true` when it is subtracted.
    Terms(Box<[(bool, Code)]>),
    /// `lin * data` or `data * lin` (and runs of `*` and `/` with one decision): the data
    /// factor is evaluated first.
    Scale(Box<Code>, Num),
    /// `lin / data`.
    Div(Box<Code>, Num),
    /// `sum(v1 in S1, v2 in S2, ... where ...) body`, the sets evaluated once: the
    /// conditions that read none of the sum's variables (`pre`), then the loops.
    Sum {
        pre: Box<[Cond]>,
        levels: Box<[Level]>,
        body: Box<Code>,
    },
    /// `if c1 then a1 else if ... else b` with conditions over data: the first arm whose
    /// condition holds.
    Select(Box<[(Cond, Code)]>, Box<Code>),
}

/// One loop of a compiled `sum`: the slot it binds, the set it runs over, and the kind
/// and kind-table position of each element (None for elements that are not entities).
#[derive(Debug)]
pub(crate) struct Level {
    pub(crate) slot: u16,
    pub(crate) set: Arc<SetVal>,
    entities: Box<[Option<(u32, u32)>]>,
    /// How the loop finds its elements, and the filter's conditions checked once the slot
    /// is bound.
    pub(crate) join: Join,
    pub(crate) checks: Vec<Cond>,
}

impl PartialEq for Level {
    fn eq(&self, other: &Level) -> bool {
        self.slot == other.slot
            && Arc::ptr_eq(&self.set, &other.set)
            && self.join == other.join
            && self.checks == other.checks
    }
}

/// One compiled expression: its code, the declaration's index variables it reads (their
/// position in the index tuple, and their slot) and the number of slots it needs.
#[derive(Debug)]
pub(crate) struct CompiledLin {
    pub(crate) code: Code,
    pub(crate) free: Vec<(u32, u16)>,
    pub(super) slots: usize,
}

/// Why a run stopped: the evaluator redoes the expression and reports what it finds.
struct Bail;

type Run<T> = Result<T, Bail>;

/// Compile-time state: the slots given to HIR slots so far.
struct Compiler<'i, 'a, 'h> {
    inst: &'i mut Inst<'a>,
    /// The parameters of the inlined functions being compiled, and their arguments.
    subst: FxHashMap<SlotId, &'h hir::Expr>,
    /// The declaration's slots.
    slot_names: &'h [hir::Slot],
    /// The declaration's index variables, in tuple order.
    index: Vec<SlotId>,
    slot_of: FxHashMap<SlotId, u16>,
    free: Vec<(u32, u16)>,
    slots: usize,
}

impl<'h> Compiler<'_, '_, 'h> {
    fn new_slot(&mut self) -> Option<u16> {
        let s = u16::try_from(self.slots).ok()?;
        self.slots += 1;
        Some(s)
    }

    /// The slot of a HIR slot: bound by a compiled `sum`, or an index variable of the
    /// declaration (then read from the index tuple at each run). A variable bound by a
    /// loop the evaluator runs is not compiled.
    fn slot(&mut self, s: SlotId) -> Option<u16> {
        if let Some(arg) = self.subst.get(&s).copied() {
            // A function's parameter: the slot of its argument, when that is a plain
            // variable.
            return match &arg.kind {
                ExprKind::Slot(t) => self.slot(*t),
                _ => None,
            };
        }
        if let Some(&x) = self.slot_of.get(&s) {
            return Some(x);
        }
        let pos = self.index.iter().position(|&i| i == s)?;
        let x = self.new_slot()?;
        self.slot_of.insert(s, x);
        self.free.push((u32::try_from(pos).ok()?, x));
        Some(x)
    }

    /// Index arguments that are all plain index variables.
    fn slot_args(&mut self, args: &'h [hir::Expr]) -> Option<Box<[u16]>> {
        args.iter()
            .map(|a| match &a.kind {
                ExprKind::Slot(s) => self.slot(*s),
                _ => None,
            })
            .collect()
    }

    fn num(&mut self, e: &'h hir::Expr) -> Option<Num> {
        if e.var {
            return None;
        }
        Some(match &e.kind {
            ExprKind::Number(n) => Num::Const(*n),
            ExprKind::Quantity(n, u) => {
                let v = n * u.scale;
                if !v.is_finite() {
                    return None;
                }
                Num::Const(v)
            }
            ExprKind::Param(p, args) if args.is_empty() => {
                match self.inst.world.params.get(p.index())?.as_ref()?.get(&[])? {
                    Value::Num(v) => Num::Const(v),
                    _ => return None,
                }
            }
            ExprKind::Param(p, args) => {
                // A param read ahead is taken now, so that the runs find it.
                self.inst.finish_prefetch(p.index());
                Num::Param {
                    p: p.index(),
                    args: self.slot_args(args)?,
                }
            }
            ExprKind::Attr(base, kind, attr) => {
                let ExprKind::Slot(s) = &base.kind else {
                    return Some(Num::AttrOf {
                        base: self.elem(base)?,
                        kind: kind.0,
                        attr: attr.0,
                    });
                };
                if self.subst.contains_key(s) {
                    // A function's parameter: its argument's element.
                    return Some(Num::AttrOf {
                        base: self.elem(base)?,
                        kind: kind.0,
                        attr: attr.0,
                    });
                }
                Num::Attr {
                    slot: self.slot(*s)?,
                    kind: kind.0,
                    attr: attr.0,
                }
            }
            ExprKind::Unary(UnOp::Neg, x) => Num::Neg(Box::new(self.num(x)?)),
            ExprKind::Slot(s) => match self.subst.get(s).copied() {
                Some(arg) => return self.num(arg),
                // An integer element as its number.
                None if e.ty == crate::check::Ty::Elem(crate::check::ElemTy::Int) => {
                    Num::Elem(ElemCode::Slot(self.slot(*s)?))
                }
                None => return None,
            },
            ExprKind::Inline {
                params, args, body, ..
            } => return self.inlined(params, args, |c| c.num(body)),
            ExprKind::Builtin(b @ (Builtin::Min | Builtin::Max), args) => Num::Fold {
                max: *b == Builtin::Max,
                items: args
                    .iter()
                    .map(|a| self.num(a))
                    .collect::<Option<Box<[Num]>>>()?,
            },
            ExprKind::Builtin(
                b @ (Builtin::Abs | Builtin::Ceil | Builtin::Floor | Builtin::Round),
                args,
            ) => {
                let [x] = args.as_slice() else {
                    return None;
                };
                Num::Round(*b, Box::new(self.num(x)?))
            }
            ExprKind::If(arms, otherwise) => {
                let mut out = Vec::with_capacity(arms.len());
                for (c, v) in arms {
                    out.push((self.cond(c)?, self.num(v)?));
                }
                Num::Select(out.into_boxed_slice(), Box::new(self.num(otherwise)?))
            }
            ExprKind::Chain(first, links) => {
                let first = self.num(first)?;
                let mut rest = Vec::with_capacity(links.len());
                for (op, x) in links {
                    if !matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) {
                        return None;
                    }
                    rest.push((*op, self.num(x)?));
                }
                Num::Chain(Box::new(first), rest.into_boxed_slice())
            }
            _ => return None,
        })
    }

    fn code(&mut self, e: &'h hir::Expr) -> Option<Code> {
        if !e.var {
            return Some(Code::Data(self.num(e)?));
        }
        Some(match &e.kind {
            ExprKind::Decision(d, args) => self.col(d.index(), args)?,
            ExprKind::Slot(s) => {
                let arg = self.subst.get(s).copied()?;
                return self.code(arg);
            }
            ExprKind::Inline {
                params, args, body, ..
            } => return self.inlined(params, args, |c| c.code(body)),
            ExprKind::If(arms, otherwise) => {
                let mut out = Vec::with_capacity(arms.len());
                for (c, v) in arms {
                    out.push((self.cond(c)?, self.code(v)?));
                }
                Code::Select(out.into_boxed_slice(), Box::new(self.code(otherwise)?))
            }
            ExprKind::Unary(UnOp::Neg, x) => Code::Neg(Box::new(self.code(x)?)),
            ExprKind::Chain(first, links) => match links.first().map(|l| l.0) {
                Some(BinOp::Add | BinOp::Sub) => {
                    let mut terms = Vec::with_capacity(links.len() + 1);
                    terms.push((false, self.code(first)?));
                    for (op, x) in links {
                        terms.push((*op == BinOp::Sub, self.code(x)?));
                    }
                    Code::Terms(terms.into_boxed_slice())
                }
                // One operator: the evaluator's `a * b` and `a / b`.
                Some(BinOp::Mul) if links.len() == 1 => {
                    let b = &links[0].1;
                    match (first.var, b.var) {
                        (true, false) => Code::Scale(Box::new(self.code(first)?), self.num(b)?),
                        (false, true) => Code::Scale(Box::new(self.code(b)?), self.num(first)?),
                        _ => return None,
                    }
                }
                Some(BinOp::Div) if links.len() == 1 => {
                    Code::Div(Box::new(self.code(first)?), self.num(&links[0].1)?)
                }
                Some(BinOp::Mul | BinOp::Div) => self.product(first, links)?,
                _ => return None,
            },
            ExprKind::Agg {
                kind: AggKind::Sum,
                level: None,
                index,
                body: Some(body),
            } => self.sum(index, body)?,
            _ => return None,
        })
    }

    /// A run of `*` and `/` with one decision, as the evaluator's `lin_product` folds it:
    /// the data before the decision as written, each factor after it into the product so
    /// far (from 1).
    fn product(&mut self, first: &'h hir::Expr, links: &'h [(BinOp, hir::Expr)]) -> Option<Code> {
        let mut c: Option<(Num, Vec<(BinOp, Num)>)> = None;
        let mut var: Option<Code> = None;
        let operands =
            std::iter::once((BinOp::Mul, first)).chain(links.iter().map(|l| (l.0, &l.1)));
        for (op, x) in operands {
            if !matches!(op, BinOp::Mul | BinOp::Div) {
                return None;
            }
            if x.var {
                if op != BinOp::Mul || var.is_some() {
                    return None;
                }
                var = Some(self.code(x)?);
                continue;
            }
            let y = self.num(x)?;
            match &mut c {
                None if var.is_none() => c = Some((y, Vec::new())),
                None => c = Some((Num::Const(1.0), vec![(op, y)])),
                Some((_, rest)) => rest.push((op, y)),
            }
        }
        let factor = match c {
            None => Num::Const(1.0),
            Some((first, rest)) if rest.is_empty() => first,
            Some((first, rest)) => Num::Chain(Box::new(first), rest.into_boxed_slice()),
        };
        Some(Code::Scale(Box::new(var?), factor))
    }

    /// `decision[args]` with every argument an index variable.
    fn col(&mut self, d: usize, args: &'h [hir::Expr]) -> Option<Code> {
        self.inst.decisions.get(d)?.as_ref()?;
        Some(Code::Col {
            d,
            args: self.slot_args(args)?,
            scale: self.inst.schema.decisions.get(d)?.unit.scale,
        })
    }

    /// A `sum` over named sets, within the limit of index tuples (beyond it the evaluator
    /// reports E0632; loops answered by a join count one, as the evaluator counts them).
    fn sum(&mut self, index: &'h hir::Index, body: &'h hir::Expr) -> Option<Code> {
        let (pre, levels) = self.loops(index)?;
        Some(Code::Sum {
            pre: pre.into_boxed_slice(),
            levels: levels.into_boxed_slice(),
            body: Box::new(self.code(body)?),
        })
    }

    /// The loops of an index over named sets, one per binder with a slot of its own and in
    /// order, its filter planned as the evaluator plans it; with the conditions checked
    /// before the loops. `None` beyond the limit of index tuples.
    fn loops(&mut self, index: &'h hir::Index) -> Option<(Vec<Cond>, Vec<Level>)> {
        let mut levels = Vec::with_capacity(index.binders.len());
        for b in &index.binders {
            let ExprKind::Set(id) = &b.set.kind else {
                return None;
            };
            let set = self.inst.named_set(id.index()).ok()?;
            let slot = self.new_slot()?;
            self.slot_of.insert(b.slot, slot);
            let entities = set
                .elems
                .iter()
                .map(|x| {
                    self.inst
                        .world
                        .entity_of
                        .get(x)
                        .map(|&(k, pos)| (k as u32, pos))
                })
                .collect();
            levels.push(Level {
                slot,
                set,
                entities,
                join: Join::Scan,
                checks: Vec::new(),
            });
        }
        let pre = self.plan_filter(index, &mut levels)?;
        let tuples = levels
            .iter()
            .filter(|l| l.join == Join::Scan)
            .fold(1u128, |t, l| t.saturating_mul(l.set.elems.len() as u128));
        if tuples > self.inst.limits.max_index_tuples as u128 {
            return None;
        }
        Some((pre, levels))
    }
}

/// Compile-once cache of linear expressions, by HIR node address (the HIR outlives the
/// instantiation).
#[derive(Default)]
pub(crate) struct LinCache {
    compiled: FxHashMap<usize, Option<Rc<CompiledLin>>>,
    slots: Vec<Slot>,
    /// Off in tests that compare the compiled path with the evaluator.
    pub(crate) disabled: bool,
    /// Successful runs (tests check the compiled path is taken).
    pub(crate) runs: usize,
    /// Constraint rows made by `compiled_rows.rs` from compiled sides.
    pub(crate) rows: usize,
    /// Of those, the rows made on worker threads (`on_workers.rs`).
    pub(crate) rows_on_workers: usize,
    /// Compiled sums run on worker threads (`on_workers.rs`).
    pub(crate) sums_on_workers: usize,
    /// When the rows of a large constraint are made on worker threads.
    pub(crate) parallel: super::Parallel,
}

/// What ran compiled in one instantiation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Compiled expressions run (see [`LinCache::runs`]).
    pub(crate) runs: usize,
    /// Rows made from compiled sides (see [`LinCache::rows`]).
    pub(crate) rows: usize,
    /// Of those, rows made on worker threads.
    pub(crate) rows_on_workers: usize,
    /// Compiled sums run on worker threads.
    pub(crate) sums_on_workers: usize,
    /// Params whose file was read ahead on another thread and taken from it (see
    /// `instantiate/prefetch.rs`).
    pub(crate) read_ahead: usize,
    /// Of those, params whose file was read as text alone, without converting records.
    pub(crate) read_as_text: usize,
    /// 1 when a file read ahead did not load cleanly and the model was instantiated again
    /// without reading ahead.
    pub(crate) read_again: usize,
}

impl LinCache {
    pub(crate) fn counts(&self) -> Counts {
        Counts {
            runs: self.runs,
            rows: self.rows,
            rows_on_workers: self.rows_on_workers,
            sums_on_workers: self.sums_on_workers,
            ..Counts::default()
        }
    }
}

impl<'a> Inst<'a> {
    /// Make the HIR of constraint `c` the scope of compiled expressions (none when the
    /// instance has no HIR).
    pub(crate) fn enter_constraint_hir(&mut self, c: usize) {
        let Some(h) = self.hir.and_then(|m| m.constraints.get(c)) else {
            self.hir_scope = HirScope::default();
            return;
        };
        let mut scope = HirScope::new(&h.body.index, &h.slots);
        // The IR tuple holds one element per index variable, in order.
        if h.body.index.binders.len() != self.schema.constraints[c].dims.len() {
            scope.index.clear();
        }
        self.hir_scope = scope;
    }

    /// Make the HIR of objective `o` the scope of compiled expressions.
    pub(crate) fn enter_objective_hir(&mut self, o: usize) {
        self.hir_scope = match self.hir.and_then(|m| m.objectives.get(o)) {
            Some(h) => HirScope::new(&hir::Index::default(), &h.slots),
            None => HirScope::default(),
        };
    }

    /// No declaration's HIR in scope: nothing is compiled.
    pub(crate) fn leave_hir(&mut self) {
        self.hir_scope = HirScope::default();
    }

    /// The compiled form of the HIR node `h` (an expression over decisions), compiled on
    /// first use; `None` when it lies outside the compiled fragment.
    pub(crate) fn compile_lin(&mut self, h: &hir::Expr) -> Option<Rc<CompiledLin>> {
        let key = h as *const hir::Expr as usize;
        if let Some(c) = self.lin_cache.compiled.get(&key) {
            return c.clone();
        }
        let slot_names = self.hir_scope.slots;
        let mut comp = Compiler {
            index: self.hir_scope.index.clone(),
            subst: FxHashMap::default(),
            slot_names,
            inst: self,
            slot_of: FxHashMap::default(),
            free: Vec::new(),
            slots: 0,
        };
        let code = comp.code(h);
        let (free, slots) = (comp.free, comp.slots);
        let c = code.map(|code| Rc::new(CompiledLin { code, free, slots }));
        self.lin_cache.compiled.insert(key, c.clone());
        c
    }

    /// Add `k * h` to `acc` by the compiled code of `h`. False (with `acc` untouched) when
    /// `h` is not compiled, or a run met something only the evaluator reports.
    pub(super) fn lin_compiled(&mut self, h: &hir::Expr, k: f64, acc: &mut Lin) -> bool {
        if self.lin_cache.disabled {
            return false;
        }
        let Some(c) = self.compile_lin(h) else {
            return false;
        };
        let mut slots = std::mem::take(&mut self.lin_cache.slots);
        slots.clear();
        slots.resize(c.slots, Slot::default());
        for &(pos, s) in &c.free {
            match self.model.tuples.get(self.hir_scope.tuple + pos as usize) {
                Some(&x) if (x as usize) < self.world.elems.len() => {
                    slots[s as usize] = Slot {
                        elem: x,
                        set: 0,
                        pos: 0,
                        entity: None,
                    }
                }
                _ => {
                    self.lin_cache.slots = slots;
                    return false;
                }
            }
        }
        let ok = match self.sum_plan(&c) {
            Some(plan) => {
                let ok = self.sum_on_workers(&c, k, acc, &slots, plan);
                self.lin_cache.runs += usize::from(ok);
                self.lin_cache.sums_on_workers += usize::from(ok);
                ok
            }
            None => self.run_code(&c, k, acc, &mut slots, true),
        };
        self.lin_cache.slots = slots;
        ok
    }

    /// Add `k * c` to `acc` with the slots bound; false (with `acc` untouched) when the
    /// run bails out. `counted` runs count in [`LinCache::runs`].
    pub(super) fn run_code(
        &mut self,
        c: &CompiledLin,
        k: f64,
        acc: &mut Lin,
        slots: &mut [Slot],
        counted: bool,
    ) -> bool {
        let (n, constant) = (acc.terms.len(), acc.constant);
        let ctx = Ctx {
            world: &self.world,
            decisions: &self.decisions,
        };
        let ok = ctx.lin(&c.code, k, slots, acc).is_ok();
        if !ok {
            acc.terms.truncate(n);
            acc.constant = constant;
        } else if counted {
            self.lin_cache.runs += 1;
        }
        ok
    }
}

/// A data expression compiled once and run at many bindings of its slots: the per-stage
/// values of a DP plan (`plan/compile.rs`).
#[derive(Debug)]
pub(crate) struct CompiledData {
    code: DataCode,
    free: Vec<(u32, u16)>,
    slots: usize,
}

#[derive(Debug)]
enum DataCode {
    Num(Num),
    Cond(Cond),
    Elem(ElemCode),
}

impl<'a> Inst<'a> {
    /// Compile the data expression `e` of a declaration whose slot table is `slots`, by
    /// its type: a number, a condition or an element. `bound` are the slots a run reads
    /// from its tuple (in order), `subst` the argument of each inlined function parameter.
    /// `None` when `e` lies outside the compiled fragment.
    pub(crate) fn compile_data<'h>(
        &mut self,
        e: &'h hir::Expr,
        slots: &'h [hir::Slot],
        bound: &[SlotId],
        subst: FxHashMap<SlotId, &'h hir::Expr>,
    ) -> Option<CompiledData> {
        let mut comp = Compiler {
            index: bound.to_vec(),
            subst,
            slot_names: slots,
            inst: self,
            slot_of: FxHashMap::default(),
            free: Vec::new(),
            slots: 0,
        };
        let code = match e.ty {
            crate::check::Ty::Num { .. } => DataCode::Num(comp.num(e)?),
            crate::check::Ty::Bool => DataCode::Cond(comp.cond(e)?),
            crate::check::Ty::Elem(_) => DataCode::Elem(comp.elem(e)?),
            _ => return None,
        };
        Some(CompiledData {
            code,
            free: comp.free,
            slots: comp.slots,
        })
    }

    /// The value of `c` with its bound slots taken from `tuple`: what the evaluator
    /// computes for the expression, or `None` when the run meets something only the
    /// evaluator reports (or a slot `tuple` does not hold).
    pub(crate) fn run_data(&self, c: &CompiledData, tuple: &[ElemId]) -> Option<Value> {
        let mut slots = vec![Slot::default(); c.slots];
        for &(pos, s) in &c.free {
            let x = *tuple.get(pos as usize)?;
            if x as usize >= self.world.elems.len() {
                return None;
            }
            slots[s as usize].elem = x;
        }
        let ctx = Ctx {
            world: &self.world,
            decisions: &self.decisions,
        };
        match &c.code {
            DataCode::Num(n) => ctx.num(n, &mut slots).ok().map(Value::Num),
            DataCode::Cond(b) => ctx.cond(b, &mut slots).ok().map(Value::Bool),
            DataCode::Elem(x) => ctx.elem(x, &mut slots).ok().map(Value::Elem),
        }
    }

    /// The data expressions `exprs` of a declaration indexed by `index` (one slot per
    /// element of the IR tuple, `arity` of them), each compiled once to run per index
    /// tuple; `None` when the compiled path is off, the index does not match the tuple or
    /// an expression lies outside the compiled fragment.
    pub(crate) fn compile_over_index<'h>(
        &mut self,
        index: &'h hir::Index,
        slots: &'h [hir::Slot],
        arity: usize,
        exprs: &[&'h hir::Expr],
    ) -> Option<Vec<CompiledData>> {
        if self.lin_cache.disabled || index.binders.len() != arity {
            return None;
        }
        let bound: Vec<SlotId> = index.slots();
        exprs
            .iter()
            .map(|e| self.compile_data(e, slots, &bound, FxHashMap::default()))
            .collect()
    }

    /// [`Inst::run_data`] at one index tuple of a declaration, counted as a compiled run
    /// when it gives a value.
    pub(crate) fn run_at(&mut self, c: &CompiledData, tuple: &[ElemId]) -> Option<Value> {
        let v = self.run_data(c, tuple)?;
        self.lin_cache.runs += 1;
        Some(v)
    }
}
