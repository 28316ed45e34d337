//! Checking `partition SET into K`: the model's own choice of the set a partitioned solve
//! (`archc solve`, [`crate::partition`]) deals into `K` parts. The set must be a plain index
//! set (entities of a kind or declared symbols, not scenarios, numbers or periods), `K` a
//! whole number from 1 to 1,000,000, and a model names at most one. The result is
//! [`super::PartitionInfo`] on the schema, lowered into the HIR.

use super::{Checker, ElemTy, Global, PartitionInfo, SetDef};
use crate::diagnostics::{Code, Diagnostic};

/// The largest number of parts (the same as `--partition SET:K`).
pub const MAX_PARTS: f64 = 1_000_000.0;

impl Checker {
    /// Check every `partition` declaration and keep the first good one.
    pub(crate) fn check_partitions(&mut self) {
        let decls = self.schema.partition_decls.clone();
        let Some((_, first_span)) = decls.first().cloned() else {
            return;
        };
        for (i, (d, span)) in decls.iter().enumerate() {
            if i > 0 {
                self.error(
                    Diagnostic::error(Code::E0256, "the model names the set to partition twice")
                        .primary(*span, "a second `partition`")
                        .secondary(first_span, "the first is here")
                        .help("keep one `partition` declaration; `--partition SET:K` chooses another for one run"),
                );
                continue;
            }
            let name = &d.set.name;
            let set = match self.schema.globals.get(name).copied() {
                Some(Global::Set(id)) => id,
                Some(Global::Kind(k)) => {
                    let plural = super::plural(&self.schema.kinds[k].name);
                    self.error(
                        Diagnostic::error(
                            Code::E0357,
                            format!("`partition` needs a set, and `{name}` is a kind"),
                        )
                        .primary(d.set.span, "a kind, not a set")
                        .help(format!(
                            "partition the set of its entities: `partition {plural} into ...`"
                        )),
                    );
                    continue;
                }
                Some(other) => {
                    let what = match other {
                        Global::Param(_) => "a param",
                        Global::Decision(_) => "a decision",
                        Global::Constraint(_) => "a constraint",
                        Global::Objective(_) => "an objective",
                        Global::Fn(_) => "a function",
                        Global::Plan(_) => "a plan",
                        Global::Kind(_) | Global::Set(_) => "a name",
                    };
                    self.error(
                        Diagnostic::error(
                            Code::E0357,
                            format!("`partition` needs a set, and `{name}` is {what}"),
                        )
                        .primary(d.set.span, format!("{what}, not a set"))
                        .help("name the set whose elements are the items to deal into parts, as in `partition services into 16`"),
                    );
                    continue;
                }
                None => {
                    let sets: Vec<String> =
                        self.schema.sets.iter().map(|s| s.name.clone()).collect();
                    let mut diag = Diagnostic::error(Code::E0201, format!("unknown set `{name}`"))
                        .primary(d.set.span, "no set of this name");
                    if let Some(s) =
                        crate::resolve::errors::suggest(name, sets.iter().map(|s| s.as_str()))
                    {
                        diag = diag.help(format!("did you mean `{s}`?"));
                    } else if !sets.is_empty() {
                        diag = diag.help(format!("the model's sets are: {}", sets.join(", ")));
                    }
                    self.error(diag);
                    continue;
                }
            };
            let symbol = self.schema.sets[set].symbol;
            self.add_ref(d.set.span, symbol);
            let info = &self.schema.sets[set];
            let not_plain = match (&info.def, info.elem) {
                (SetDef::Scenarios(_), _) => Some("a scenario set"),
                (_, ElemTy::Kind(_) | ElemTy::Symbol(_) | ElemTy::Any) => None,
                (_, ElemTy::Int) => Some("a set of numbers"),
                (_, ElemTy::Period(_)) => Some("a set of periods"),
                (_, ElemTy::Str) => Some("a set of strings"),
            };
            if let Some(what) = not_plain {
                self.error(
                    Diagnostic::error(
                        Code::E0357,
                        format!("`partition` needs a plain index set, and `{name}` is {what}"),
                    )
                    .primary(d.set.span, what)
                    .secondary(info.span, "declared here")
                    .help("partition the set of the granular items (services, demands, jobs): entities of a kind or declared symbols"),
                );
                continue;
            }
            let k = d.parts;
            if k.fract() != 0.0 || !(1.0..=MAX_PARTS).contains(&k) {
                self.error(
                    Diagnostic::error(
                        Code::E0358,
                        format!("a partition into {k} parts: the number of parts must be a whole number from 1 to 1000000"),
                    )
                    .primary(d.parts_span, "not a whole number from 1 to 1000000")
                    .help("write how many parts to deal the items into, as in `partition services into 16`"),
                );
                continue;
            }
            self.schema.partition = Some(PartitionInfo {
                set,
                parts: k as u32,
                span: *span,
                set_span: d.set.span,
            });
        }
    }
}
