//! Lowering diagnostics found while expanding the model over its data (E06xx).

use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::Diagnostic;
use crate::span::Span;

pub const CODES: &[CodeInfo] = &[
    CodeInfo { code: "E0603", title: "index outside the declaration", explanation: "A decision or param is read at an index it was not declared for: `flow[d, l]` where the decision's `where` filter left `(d, l)` out, or an element of another set.\n\nAdd the same `where` filter to the sum that reads it, or widen the declaration's index." },
    CodeInfo { code: "E0604", title: "model too large", explanation: "Expanding a declaration over its data would exceed the limits on columns, rows or nonzeros (50 million columns and rows and 400 million nonzeros by default). The label names the declaration that blows up.\n\nUsually an index lacks a `where` filter (every service in every region in every quarter), or a data file is far larger than expected. Raise the limits with `--max-columns`, `--max-rows` and `--max-nonzeros` if the size is intended." },
    CodeInfo { code: "E0605", title: "big-M needs bounds", explanation: "Logic over decisions (`->`, `<->`, `or`, `count(...)` of conditions, `max`/`min` of decisions, a bool times a decision) is lowered with big-M rows. archc derives each M from the bounds of the decisions involved and never guesses one, so every decision in such a condition needs finite bounds.\n\nGive the decision bounds: `decide replicas[...]: int >= 0 <= s.replicas`." },
    CodeInfo { code: "E0606", title: "no previous or next element", explanation: "`prev(q)` of the first element or `next(q)` of the last element of an ordered set does not exist.\n\nGuard the index: `[q in quarters where q != first(quarters)]`, or branch: `if q == first(quarters) then init else stock[prev(q)]`." },
    CodeInfo { code: "E0607", title: "division by zero", explanation: "A data expression divides by zero, or takes a modulo by zero (`a % 0`), for some index. The label shows the divisor and, inside an indexed declaration, a note names the index (`in share[edge-1]`); check the data it reads, or filter the index with `where x != 0`." },
    CodeInfo { code: "E0630", title: "integer overflow", explanation: "An integer value lies beyond 2^53 = 9,007,199,254,740,992 in magnitude. archc computes with 64-bit floating-point numbers, which hold every integer up to 2^53 exactly and lose the last digits beyond it: `9223372036854775807 + 1` would silently give the same number as `9223372036854775807`. So an `int` param or attribute, an element of an integer set and the ends of a range must stay within 2^53.\n\n    param n: int = 9223372036854775807 + 1   // E0630\n\nInside an indexed declaration a note names the index (`in ids[3]`). Count in larger units, or declare the value `real` if an approximation is meant." },
    CodeInfo { code: "E0631", title: "value is not a finite number", explanation: "A data expression overflows the range of 64-bit numbers (about 1.8e308) or has no value at all: `1e308 * 10` is infinite, `10 ^ 400` too, and `0 * inf` or `inf - inf` are NaN. A model with such a number has no meaningful answer (its objective would read `NaN`), so the expression is an error at its span; inside an indexed declaration a note names the index.\n\n    param big: real = 1e308 * 10   // E0631\n\nCheck the magnitudes of the data; count in larger units, or divide before multiplying." },
    CodeInfo { code: "E0632", title: "evaluation too large", explanation: "An index list (of a declaration, a `sum`, a `count`, a set comprehension) would enumerate more tuples than archc allows for one list (100 million by default), or a plan's decision range holds more values than that. The size is estimated from the set sizes before any tuple is built, so the model is refused at once instead of exhausting memory or running for hours.\n\n    set a = 1..1000\n    param n: int = count(i in a, j in a, k in a, l in a)   // 1e12 tuples: E0632\n\nThe message names the declaration and the size. Filter the index with `where` conditions that join variables (`where j == i`), which archc answers without a scan, or narrow the sets or the plan's `choose` range." },
    CodeInfo { code: "E0609", title: "missing param value", explanation: "A param is read at an index for which it has no value: its data file has no row for it and the param has no default.\n\nAdd the row to the data file, or declare the param with a value expression that covers every index." },
    CodeInfo { code: "E0613", title: "empty aggregate", explanation: "`min`, `max`, `first` or `last` over an empty set has no value. Check the `where` filter, or use `sum`/`count`, which are 0 over an empty set." },
    CodeInfo { code: "E0614", title: "more than one objective", explanation: "A model has at most one objective. Combine terms into one (`minimize cost: a + b`), or express the others as constraints." },
    CodeInfo { code: "E0615", title: "constraint can never hold", explanation: "After the data is filled in, a constraint instance has no decisions left and is false, so no plan can satisfy it. The message names the instance, e.g. `fit[eu-west]`.\n\nCheck the data the constraint reads, or filter the index with `where`." },
    CodeInfo { code: "E0616", title: "empty decision range", explanation: "A decision's lower bound is above its upper bound for some index, so no value fits. Check the bounds and the data they read." },
    CodeInfo { code: "E0617", title: "plan cannot be lowered to MILP", explanation: "A plan must be lowered to MILP when it is coupled with other decisions or constraints (a shared budget, a constraint over `build[r].add[q]`), or when `--backend milp` is asked for. A plan that chooses from a set (`choose tier in tiers`) has no MILP form in archc; only the DP backend solves it.\n\nChoose from an integer range instead, or remove the coupling so that the DP backend can take the plan." },
    CodeInfo { code: "E0618", title: "not supported in a DP plan", explanation: "The DP backend evaluates plan statements millions of times, so it compiles them: arithmetic, comparisons, `if`, `min`/`max`, `ceil`/`floor`/`round`/`abs`, functions, and params looked up by one plan variable (`price_tier[add]`). Other constructs that depend on the state or the decision (aggregates over them, `in` tests, a param indexed by two plan variables) are not supported.\n\nWith `--backend auto`, archc then tries the MILP lowering; rewrite the statement with the supported forms to use DP." },
    CodeInfo { code: "E0619", title: "backend cannot take the model", explanation: "`--backend dp` was asked for, but the DP backend solves only models made of independent plans: no `decide` or `constraint` outside plans, and an objective that is absent or a sum of plan costs (`sum(r in regions) build[r].cost`). The label shows what couples the model.\n\nLeave out `--backend dp`: `auto` lowers the plans to MILP when they are coupled." },
    CodeInfo { code: "W0621", title: "strict comparison of continuous values", explanation: "A MILP solver cannot keep a continuous expression strictly below a bound: `x < 5` over a real `x` is solved as `x <= 5`, so a plan may sit exactly on the bound. `!=` between continuous values is solved as `<= or >=`, which always holds, so it constrains nothing.\n\nOver whole numbers (integer decisions with integer coefficients) archc makes strict comparisons exact by moving the bound by one, and gives no warning. For continuous values, write the margin you mean: `x <= 5 - 0.01 Gbps`, or make the decision an `int`." },
    CodeInfo { code: "E0620", title: "expectation cannot be evaluated", explanation: "An `expect` line of a `test` block uses logic over decisions that archc cannot evaluate on a solution. Write the expectation as comparisons of decisions and data: `expect replicas[checkout, us-east] >= 2`." },
];

/// E0632: an index list of `decl` would enumerate `tuples` tuples, past `limit`.
pub fn too_many_tuples(span: Span, decl: &str, tuples: u128, limit: u64) -> Diagnostic {
    let what = if decl.is_empty() {
        "an index".to_string()
    } else {
        format!("`{decl}`")
    };
    Diagnostic::error(
        "E0632",
        format!("{what} would enumerate {tuples} index tuples"),
    )
    .primary(
        span,
        format!("{tuples} tuples, more than the limit of {limit}"),
    )
    .help("filter the index with `where` conditions that join its variables, or narrow its sets")
}
