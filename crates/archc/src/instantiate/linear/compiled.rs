//! Compiled linear expressions: the hot path of instantiation. The first time [`Inst::lin`]
//! meets an expression over decisions, it tries to compile it once into a small tree of
//! [`Code`] over numbered slots: index variables become slot numbers (bound by position in
//! their set, so dense params and decisions are found without hashing), params and decisions
//! become their ids, attributes their index per kind, and `sum`s over sets that do not
//! depend on the tuple become loops over sets evaluated once. Every later tuple runs the
//! compiled code instead of walking the AST and looking names up by string.
//!
//! The compiled fragment is the common shape of model constraints and objectives: sums,
//! differences, negations, products and quotients of data with linear terms, decisions
//! indexed by index variables, params indexed by index variables, entity attributes and
//! constants. Anything else (filters, function calls, `max`/`min`, logic) is not compiled
//! and stays with the evaluator. The compiled code computes exactly what the evaluator
//! computes, in the same order (so every coefficient is bit-identical); whenever it meets
//! something it does not handle at run time — a missing value, a non-number, a division by
//! zero, a value that is not finite, an index outside a decision — it bails out without
//! side effects and the evaluator redoes the expression for that tuple, which reports the
//! error exactly as before.

use super::Lin;
use crate::check::Global;
use crate::instantiate::world::{ElemId, SetVal, Value, World};
use crate::instantiate::{DecisionCols, Inst};
use crate::span::Span;
use crate::syntax::ast::{BinOp, Expr, ExprKind, UnOp};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::rc::Rc;

/// The value of one slot: an element and, when the slot is bound by a compiled loop, the
/// set it runs over and its position there (so lookups by position need no hashing).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Slot {
    elem: ElemId,
    /// Address of the set the slot runs over, 0 when unknown (a variable bound outside).
    set: usize,
    pos: u32,
    /// The element's kind and position in its kind table, when known.
    entity: Option<(u32, u32)>,
}

/// A number computed from data (no decisions): the evaluator's `num` of the expression.
#[derive(Debug)]
enum Num {
    Const(f64),
    /// `slot.attr`: the attribute's index for each kind (None where the kind lacks it).
    Attr {
        slot: u16,
        by_kind: Box<[Option<usize>]>,
    },
    /// `param[slots...]`.
    Param {
        p: usize,
        args: Box<[u16]>,
    },
    Neg(Box<Num>),
    Bin(BinOp, Box<Num>, Box<Num>),
}

/// A linear expression over decisions, as `lin(e, k, ...)` expands it.
#[derive(Debug)]
enum Code {
    /// A data part: its number times `k` goes to the constant.
    Data(Num),
    /// `decision[slots...]` times the decision's unit scale.
    Col {
        d: usize,
        args: Box<[u16]>,
        scale: f64,
    },
    Neg(Box<Code>),
    Add(Box<Code>, Box<Code>),
    Sub(Box<Code>, Box<Code>),
    /// `lin * data` or `data * lin`: the data factor is evaluated first.
    Scale(Box<Code>, Num),
    /// `lin / data`.
    Div(Box<Code>, Num),
    /// `sum(v1 in S1, v2 in S2, ...) body`, the sets evaluated once.
    Sum {
        levels: Box<[Level]>,
        body: Box<Code>,
    },
}

/// One loop of a compiled `sum`: the slot it binds, the set it runs over, and the kind
/// and kind-table position of each element (None for elements that are not entities).
#[derive(Debug)]
struct Level {
    slot: u16,
    set: Rc<SetVal>,
    entities: Box<[Option<(u32, u32)>]>,
}

/// One compiled expression: its code, the variables bound outside it (read from the
/// environment once per run, by name) and the number of slots it needs.
#[derive(Debug)]
pub(crate) struct CompiledLin {
    code: Code,
    free: Vec<(String, u16)>,
    slots: usize,
    span: Span,
}

/// Why a run stopped: the evaluator redoes the expression and reports what it finds.
struct Bail;

type Run<T> = Result<T, Bail>;

/// Compile-time scope: variables bound by compiled `sum`s, innermost last.
struct Compiler<'i, 'a> {
    inst: &'i mut Inst<'a>,
    scope: Vec<(String, u16)>,
    free: Vec<(String, u16)>,
    slots: usize,
}

impl Compiler<'_, '_> {
    fn new_slot(&mut self) -> Option<u16> {
        let s = u16::try_from(self.slots).ok()?;
        self.slots += 1;
        Some(s)
    }

    /// The slot of an index variable: bound by a compiled `sum`, or bound outside (then
    /// read from the environment at each run).
    fn slot_of(&mut self, name: &str) -> Option<u16> {
        if let Some((_, s)) = self.scope.iter().rev().find(|(n, _)| n == name) {
            return Some(*s);
        }
        if let Some((_, s)) = self.free.iter().find(|(n, _)| n == name) {
            return Some(*s);
        }
        match self.inst.local(name) {
            Some(Value::Elem(_)) => {
                let s = self.new_slot()?;
                self.free.push((name.to_string(), s));
                Some(s)
            }
            _ => None,
        }
    }

    fn is_bound(&self, name: &str) -> bool {
        self.scope.iter().any(|(n, _)| n == name)
            || self.free.iter().any(|(n, _)| n == name)
            || self.inst.local(name).is_some()
    }

    /// Index arguments that are all plain index variables.
    fn slot_args(&mut self, args: &[Expr]) -> Option<Box<[u16]>> {
        args.iter()
            .map(|a| match &a.kind {
                ExprKind::Name(id) => self.slot_of(&id.name),
                _ => None,
            })
            .collect()
    }

    /// Does `e` depend on a decision? The evaluator's answer, except that a variable bound
    /// by a compiled `sum` (not in the environment while compiling) is data.
    fn is_var(&mut self, e: &Expr) -> bool {
        if let ExprKind::Name(id) = &e.kind {
            if self.is_bound(&id.name) {
                return false;
            }
        }
        self.inst.is_var(e)
    }

    fn num(&mut self, e: &Expr) -> Option<Num> {
        Some(match &e.kind {
            ExprKind::Number(n) => Num::Const(*n),
            ExprKind::Quantity(n, u) => {
                let v = n * self.inst.schema.unit(&u.text).scale;
                if !v.is_finite() {
                    return None;
                }
                Num::Const(v)
            }
            ExprKind::Name(id) => {
                if self.is_bound(&id.name) {
                    return None;
                }
                let Some(Global::Param(p)) = self.inst.schema.globals.get(&id.name).copied() else {
                    return None;
                };
                match self.inst.world.params.get(p)?.as_ref()?.get(&[])? {
                    Value::Num(v) => Num::Const(v),
                    _ => return None,
                }
            }
            ExprKind::Field(base, attr) => {
                let ExprKind::Name(id) = &base.kind else {
                    return None;
                };
                if attr.name == "name" {
                    return None;
                }
                let slot = self.slot_of(&id.name)?;
                let by_kind = self
                    .inst
                    .schema
                    .kinds
                    .iter()
                    .map(|k| k.attr_index.get(&attr.name).copied())
                    .collect();
                Num::Attr { slot, by_kind }
            }
            ExprKind::Index(base, args) => {
                let ExprKind::Name(id) = &base.kind else {
                    return None;
                };
                if self.is_bound(&id.name) {
                    return None;
                }
                let Some(Global::Param(p)) = self.inst.schema.globals.get(&id.name).copied() else {
                    return None;
                };
                Num::Param {
                    p,
                    args: self.slot_args(args)?,
                }
            }
            ExprKind::Unary(UnOp::Neg, x) => Num::Neg(Box::new(self.num(x)?)),
            ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div), a, b) => {
                Num::Bin(*op, Box::new(self.num(a)?), Box::new(self.num(b)?))
            }
            _ => return None,
        })
    }

    fn code(&mut self, e: &Expr) -> Option<Code> {
        if !self.is_var(e) {
            return Some(Code::Data(self.num(e)?));
        }
        Some(match &e.kind {
            ExprKind::Name(id) => self.col(&id.name, &[])?,
            ExprKind::Index(base, args) => {
                let ExprKind::Name(id) = &base.kind else {
                    return None;
                };
                self.col(&id.name, args)?
            }
            ExprKind::Unary(UnOp::Neg, x) => Code::Neg(Box::new(self.code(x)?)),
            ExprKind::Binary(BinOp::Add, a, b) => {
                Code::Add(Box::new(self.code(a)?), Box::new(self.code(b)?))
            }
            ExprKind::Binary(BinOp::Sub, a, b) => {
                Code::Sub(Box::new(self.code(a)?), Box::new(self.code(b)?))
            }
            ExprKind::Binary(BinOp::Mul, a, b) => match (self.is_var(a), self.is_var(b)) {
                (true, false) => Code::Scale(Box::new(self.code(a)?), self.num(b)?),
                (false, true) => Code::Scale(Box::new(self.code(b)?), self.num(a)?),
                _ => return None,
            },
            ExprKind::Binary(BinOp::Div, a, b) => Code::Div(Box::new(self.code(a)?), self.num(b)?),
            ExprKind::Agg {
                kind: crate::syntax::ast::AggKind::Sum,
                index,
                body: Some(body),
            } => self.sum(index, body)?,
            _ => return None,
        })
    }

    /// `decision[args]` with every argument an index variable.
    fn col(&mut self, name: &str, args: &[Expr]) -> Option<Code> {
        if self.is_bound(name) {
            return None;
        }
        let Some(Global::Decision(d)) = self.inst.schema.globals.get(name).copied() else {
            return None;
        };
        self.inst.decisions.get(d)?.as_ref()?;
        Some(Code::Col {
            d,
            args: self.slot_args(args)?,
            scale: self.inst.schema.decisions[d].unit.scale,
        })
    }

    /// A `sum` without a filter over sets that read no index variable, within the limit
    /// of index tuples (beyond it the evaluator reports E0632).
    fn sum(&mut self, index: &crate::syntax::ast::IndexList, body: &Expr) -> Option<Code> {
        if index.filter.is_some() {
            return None;
        }
        let mut levels = Vec::new();
        let mut tuples: u128 = 1;
        let depth = self.scope.len();
        for b in &index.bindings {
            if self.mentions_bound(&b.set) {
                return None;
            }
            let set = self.inst.set_value(&b.set).ok()?;
            tuples = tuples.saturating_mul(set.elems.len() as u128);
            let slot = self.new_slot()?;
            if let Some(v) = &b.var {
                // A variable that shadows a decision or function would change what the
                // body means to the evaluator's `is_var`: leave such bodies to it.
                if matches!(
                    self.inst.schema.globals.get(&v.name),
                    Some(Global::Decision(_) | Global::Fn(_))
                ) {
                    return None;
                }
                self.scope.push((v.name.clone(), slot));
            }
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
            });
        }
        if tuples > self.inst.limits.max_index_tuples as u128 {
            return None;
        }
        let body = self.code(body);
        self.scope.truncate(depth);
        Some(Code::Sum {
            levels: levels.into_boxed_slice(),
            body: Box::new(body?),
        })
    }

    /// Does `e` read a variable bound here or outside?
    fn mentions_bound(&self, e: &Expr) -> bool {
        let mut found = false;
        let mut e2 = e.clone();
        crate::resolve::visit_expr(&mut e2, &mut |x| {
            if let ExprKind::Name(id) = &x.kind {
                if self.is_bound(&id.name) {
                    found = true;
                }
            }
        });
        found
    }
}

/// What a run reads: the data world and the decisions' columns.
struct Ctx<'w> {
    world: &'w World,
    decisions: &'w [Option<DecisionCols>],
}

impl Ctx<'_> {
    /// The slot's position in `set`: known when the slot runs over `set`; otherwise found
    /// by hashing once and kept (a variable bound outside stays fixed during a run).
    fn position(set: &SetVal, s: &mut Slot) -> Run<u32> {
        let addr = set as *const SetVal as usize;
        if s.set != addr {
            s.pos = set.pos.get(&s.elem).copied().ok_or(Bail)?;
            s.set = addr;
        }
        Ok(s.pos)
    }

    /// The slot's kind and position in its kind table (found once, then kept).
    fn entity(&self, s: &mut Slot) -> Run<(usize, u32)> {
        if s.entity.is_none() {
            let &(k, pos) = self.world.entity_of.get(&s.elem).ok_or(Bail)?;
            s.entity = Some((k as u32, pos));
        }
        let (k, pos) = s.entity.ok_or(Bail)?;
        Ok((k as usize, pos))
    }

    fn value(v: &Value) -> Run<f64> {
        match v {
            Value::Num(n) => Ok(*n),
            Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
            _ => Err(Bail),
        }
    }

    fn num(&self, n: &Num, slots: &mut [Slot]) -> Run<f64> {
        Ok(match n {
            Num::Const(v) => *v,
            Num::Attr { slot, by_kind } => {
                let (k, pos) = self.entity(&mut slots[*slot as usize])?;
                let ai = by_kind.get(k).copied().flatten().ok_or(Bail)?;
                let v = self.world.kinds[k]
                    .attrs
                    .get(ai)
                    .and_then(|a| a.get(pos as usize))
                    .ok_or(Bail)?;
                Self::value(v)?
            }
            Num::Param { p, args } => {
                let table = self
                    .world
                    .params
                    .get(*p)
                    .and_then(|t| t.as_ref())
                    .ok_or(Bail)?;
                if let (Some(d), false) = (&table.dense, args.is_empty()) {
                    if d.sets.len() != args.len() {
                        return Err(Bail);
                    }
                    let mut off = 0usize;
                    for (set, &a) in d.sets.iter().zip(args.iter()) {
                        off = off * set.elems.len()
                            + Self::position(set, &mut slots[a as usize])? as usize;
                    }
                    let v = d.nums[off];
                    if v.is_nan() {
                        return Err(Bail);
                    }
                    v
                } else {
                    let key: SmallVec<[ElemId; 4]> =
                        args.iter().map(|&a| slots[a as usize].elem).collect();
                    Self::value(&table.get(&key).ok_or(Bail)?)?
                }
            }
            Num::Neg(x) => -self.num(x, slots)?,
            Num::Bin(op, a, b) => {
                let x = self.num(a, slots)?;
                let y = self.num(b, slots)?;
                let r = match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    _ if y == 0.0 => return Err(Bail),
                    _ => x / y,
                };
                if !r.is_finite() {
                    return Err(Bail);
                }
                r
            }
        })
    }

    fn col(&self, d: usize, args: &[u16], slots: &mut [Slot]) -> Run<u32> {
        let cols = self.decisions.get(d).and_then(|c| c.as_ref()).ok_or(Bail)?;
        if cols.dense {
            if cols.sets.len() != args.len() {
                return Err(Bail);
            }
            let mut off: u64 = 0;
            for (set, &a) in cols.sets.iter().zip(args) {
                off = off * set.elems.len() as u64
                    + Self::position(set, &mut slots[a as usize])? as u64;
            }
            Ok(cols.base + off as u32)
        } else {
            let key: SmallVec<[ElemId; 4]> = args.iter().map(|&a| slots[a as usize].elem).collect();
            cols.sparse.get(key.as_slice()).copied().ok_or(Bail)
        }
    }

    /// `lin(e, k)` of the evaluator, node for node.
    fn lin(&self, c: &Code, k: f64, slots: &mut [Slot], acc: &mut Lin) -> Run<()> {
        if k == 0.0 {
            return Ok(());
        }
        match c {
            Code::Data(n) => acc.constant += k * self.num(n, slots)?,
            Code::Col { d, args, scale } => {
                let col = self.col(*d, args, slots)?;
                acc.terms.push((col, k * scale));
            }
            Code::Neg(x) => self.lin(x, -k, slots, acc)?,
            Code::Add(a, b) => {
                self.lin(a, k, slots, acc)?;
                self.lin(b, k, slots, acc)?;
            }
            Code::Sub(a, b) => {
                self.lin(a, k, slots, acc)?;
                self.lin(b, -k, slots, acc)?;
            }
            Code::Scale(x, n) => {
                let c = self.num(n, slots)?;
                self.lin(x, k * c, slots, acc)?;
            }
            Code::Div(x, n) => {
                let c = self.num(n, slots)?;
                if c == 0.0 {
                    return Err(Bail);
                }
                self.lin(x, k / c, slots, acc)?;
            }
            Code::Sum { levels, body } => self.level(levels, body, k, slots, acc)?,
        }
        Ok(())
    }

    fn level(
        &self,
        levels: &[Level],
        body: &Code,
        k: f64,
        slots: &mut [Slot],
        acc: &mut Lin,
    ) -> Run<()> {
        let Some((lv, rest)) = levels.split_first() else {
            return self.lin(body, k, slots, acc);
        };
        let addr = Rc::as_ptr(&lv.set) as usize;
        for (pos, (&elem, &entity)) in lv.set.elems.iter().zip(lv.entities.iter()).enumerate() {
            slots[lv.slot as usize] = Slot {
                elem,
                set: addr,
                pos: pos as u32,
                entity,
            };
            self.level(rest, body, k, slots, acc)?;
        }
        Ok(())
    }
}

/// Compile-once cache of linear expressions, by expression address (the AST and the
/// function bodies built for call sites outlive the instantiation).
#[derive(Default)]
pub(crate) struct LinCache {
    compiled: FxHashMap<usize, Option<Rc<CompiledLin>>>,
    slots: Vec<Slot>,
    /// Off in tests that compare the compiled path with the evaluator.
    pub(crate) disabled: bool,
    /// Successful runs (tests check the compiled path is taken).
    pub(crate) runs: usize,
}

impl Inst<'_> {
    /// The compiled form of `e` (an expression over decisions), compiled on first use;
    /// `None` when it lies outside the compiled fragment.
    fn compiled_lin(&mut self, e: &Expr) -> Option<Rc<CompiledLin>> {
        if self.lin_cache.disabled {
            return None;
        }
        let key = e as *const Expr as usize;
        if let Some(c) = self.lin_cache.compiled.get(&key) {
            return c.clone().filter(|c| c.span == e.span);
        }
        let mut comp = Compiler {
            inst: self,
            scope: Vec::new(),
            free: Vec::new(),
            slots: 0,
        };
        let code = comp.code(e);
        let (free, slots) = (comp.free, comp.slots);
        let c = code.map(|code| {
            Rc::new(CompiledLin {
                code,
                free,
                slots,
                span: e.span,
            })
        });
        self.lin_cache.compiled.insert(key, c.clone());
        c
    }

    /// Add `k * e` to `acc` by the compiled code of `e`. False (with `acc` untouched) when
    /// `e` is not compiled or a run met something only the evaluator reports.
    pub(super) fn lin_compiled(&mut self, e: &Expr, k: f64, acc: &mut Lin) -> bool {
        let Some(c) = self.compiled_lin(e) else {
            return false;
        };
        let mut slots = std::mem::take(&mut self.lin_cache.slots);
        slots.clear();
        slots.resize(c.slots, Slot::default());
        for (name, s) in &c.free {
            match self.local(name) {
                Some(Value::Elem(x)) => {
                    slots[*s as usize] = Slot {
                        elem: *x,
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
        let (n, constant) = (acc.terms.len(), acc.constant);
        let ctx = Ctx {
            world: &self.world,
            decisions: &self.decisions,
        };
        let ok = ctx.lin(&c.code, k, &mut slots, acc).is_ok();
        if ok {
            self.lin_cache.runs += 1;
        } else {
            acc.terms.truncate(n);
            acc.constant = constant;
        }
        self.lin_cache.slots = slots;
        ok
    }
}
