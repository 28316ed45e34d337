//! The texts of the E06xx: lowering codes (`archc explain CODE`).

use super::{info, Code, CodeInfo};

pub(super) const TABLE: &[CodeInfo] = &[
    info(
        Code::E0601,
        "product of two decisions",
        "A product of two decisions is not linear. archc linearises a product of a bool decision with a bounded decision (`present[s, r] * load[s, r]`); other products are rejected.\n\nRewrite with a bool decision, or fix one factor as data.",
    ),
    info(
        Code::E0602,
        "division by a decision",
        "Dividing by a decision is not linear. Multiply both sides of the comparison instead: `x / y <= k` becomes `x <= k * y` when `y > 0`.",
    ),
    info(
        Code::E0603,
        "index outside the declaration",
        "A decision or param is read at an index it was not declared for: `flow[d, l]` where the decision's `where` filter left `(d, l)` out, or an element of another set.\n\nAdd the same `where` filter to the sum that reads it, or widen the declaration's index.",
    ),
    info(
        Code::E0604,
        "model too large",
        "Expanding a declaration over its data would exceed the limits on columns, rows or nonzeros (50 million columns and rows and 400 million nonzeros by default). The label names the declaration that blows up.\n\nUsually an index lacks a `where` filter (every service in every region in every quarter), or a data file is far larger than expected. Raise the limits with `--max-columns`, `--max-rows` and `--max-nonzeros` if the size is intended.",
    ),
    info(
        Code::E0605,
        "big-M needs bounds",
        "Logic over decisions (`->`, `<->`, `or`, `count(...)` of conditions, `max`/`min` of decisions, a bool times a decision) is lowered with big-M rows. archc derives each M from the bounds of the decisions involved and never guesses one, so every decision in such a condition needs finite bounds.\n\nGive the decision bounds: `decide replicas[...]: int >= 0 <= s.replicas`.",
    ),
    info(
        Code::E0606,
        "no previous or next element",
        "`prev(q)` of the first element or `next(q)` of the last element of an ordered set does not exist.\n\nGuard the index: `[q in quarters where q != first(quarters)]`, or branch: `if q == first(quarters) then init else stock[prev(q)]`.",
    ),
    info(
        Code::E0607,
        "division by zero",
        "A data expression divides by zero, or takes a modulo by zero (`a % 0`), for some index. The label shows the divisor and, inside an indexed declaration, a note names the index (`in share[edge-1]`); check the data it reads, or filter the index with `where x != 0`.",
    ),
    info(
        Code::E0609,
        "missing param value",
        "A param is read at an index for which it has no value: its data file has no row for it and the param has no default.\n\nAdd the row to the data file, or declare the param with a value expression that covers every index.",
    ),
    info(
        Code::E0610,
        "plan state space too large for dynamic programming",
        "\
A `plan` is solved exactly by dynamic programming: for every stage, every state and every
decision, the transition and its cost are evaluated once, and one value per stage and state is
kept in memory. Before solving, the compiler multiplies these out:

    evaluations = states per stage x decisions per stage x stages
    memory      = (stages + 1) x states per stage x 8 bytes

and refuses the plan when either exceeds the limit (by default 5 000 000 000 evaluations and
2 GiB of memory per plan instance). The state space is the product of the sizes of all state
ranges, so it grows quickly with each state you add:

    plan build[r in regions] over q in quarters {
        state racks: 0..200000 = r.installed     // 200 001 states
        state spare: 0..1000 = 0                 // x 1 001 = 200 million states
        choose add: 0..5000                      // x 5 001 decisions
        ...
    }

How to fix it:
- narrow each state range to what can really happen (`racks: 0..2000`);
- count in coarser units (racks in tens, capacity in blocks of 100 cores);
- narrow the decision range (`choose add: 0..50`);
- drop a state that can be computed from the others.
The error gives the estimate, so you can see which factor dominates.",
    ),
    info(
        Code::E0611,
        "plan has no feasible policy",
        "\
No sequence of decisions takes the plan from its initial state through every stage while
meeting every `require` and staying inside the declared state ranges, and ends in an allowed
final state. The compiler explores all states, so this is a proof, not a heuristic.

The error says where feasibility is lost:
- the initial value lies outside the state's declared range;
- a state or decision range is empty (its lower bound exceeds its upper bound);
- at some stage, no decision is allowed from any state reachable so far (one such state is
  shown): typically demand grows faster than the largest decision can follow, e.g.

      state racks: 0..2000 = 100
      choose add: 0..50
      require racks * 40 core >= demand[r, q]     // demand needs 400 racks in quarter 2

- every stage can be crossed, but no reachable final state meets the final requirement.

How to fix it: widen the decision range (build more per stage), widen the state range (the
next state must stay inside it), relax the failing requirement, or check the demand data.",
    ),
    info(
        Code::E0612,
        "evaluation error in a plan",
        "\
Evaluating a transition, a requirement or a cost of a `plan` failed in a state that can be
reached from the initial state: a division by zero, an integer overflow, a lookup outside a
table's domain, or a cost that is not a finite number. The error gives the stage, the state and
the decision at which it happened; errors in states that cannot be reached are not reported.

    plan spread[r in regions] over q in quarters {
        state racks: 0..2000 = 0
        choose add: 0..50
        cost = budget[q] / racks        // racks is 0 in the first quarter
    }

How to fix it: guard the expression (`if racks > 0 then budget[q] / racks else 0`), or
restrict the state range so the failing state cannot occur.

The same code reports an internal inconsistency of a compiled plan (a transition that
evaluates differently on two calls); that is a compiler bug, please report it.",
    ),
    info(
        Code::E0613,
        "empty aggregate",
        "`min`, `max`, `first` or `last` over an empty set has no value. Check the `where` filter, or use `sum`/`count`, which are 0 over an empty set.",
    ),
    info(
        Code::E0614,
        "more than one objective",
        "A model has one objective, or several ranked in priority order: each objective after the first starts with `then` (`then minimize moves: ...`) and is solved keeping the ones before it within their tolerance. Otherwise combine the terms into one weighted objective (`minimize cost: a + 10 usd * b`), or express the others as constraints.",
    ),
    info(
        Code::E0615,
        "constraint can never hold",
        "After the data is filled in, a constraint instance has no decisions left and is false, so no plan can satisfy it. The message names the instance, e.g. `fit[eu-west]`.\n\nCheck the data the constraint reads, or filter the index with `where`.",
    ),
    info(
        Code::E0616,
        "empty decision range",
        "A decision's lower bound is above its upper bound for some index, so no value fits. Check the bounds and the data they read.",
    ),
    info(
        Code::E0617,
        "plan cannot be lowered to MILP",
        "A plan must be lowered to MILP when it is coupled with other decisions or constraints (a shared budget, a constraint over `build[r].add[q]`), or when `--backend milp` is asked for. A plan that chooses from a set (`choose tier in tiers`) has no MILP form in archc; only the DP backend solves it.\n\nChoose from an integer range instead, or remove the coupling so that the DP backend can take the plan.",
    ),
    info(
        Code::E0618,
        "not supported in a DP plan",
        "The DP backend evaluates plan statements millions of times, so it compiles them: arithmetic, comparisons, `if`, `min`/`max`, `ceil`/`floor`/`round`/`abs`, functions, and params looked up by one plan variable (`price_tier[add]`). Other constructs that depend on the state or the decision (aggregates over them, `in` tests, a param indexed by two plan variables) are not supported.\n\nWith `--backend auto`, archc then tries the MILP lowering; rewrite the statement with the supported forms to use DP.",
    ),
    info(
        Code::E0619,
        "backend cannot take the model",
        "`--backend dp` was asked for, but the DP backend solves only models made of independent plans: no `decide` or `constraint` outside plans, and an objective that is absent or a sum of plan costs (`sum(r in regions) build[r].cost`). The label shows what couples the model.\n\nLeave out `--backend dp`: `auto` lowers the plans to MILP when they are coupled.",
    ),
    info(
        Code::E0620,
        "expectation cannot be evaluated",
        "An `expect` line of a `test` block uses logic over decisions that archc cannot evaluate on a solution. Write the expectation as comparisons of decisions and data: `expect replicas[checkout, us-east] >= 2`.",
    ),
    info(
        Code::W0621,
        "strict comparison of continuous values",
        "A MILP solver cannot keep a continuous expression strictly below a bound: `x < 5` over a real `x` is solved as `x <= 5`, so a plan may sit exactly on the bound. `!=` between continuous values is solved as `<= or >=`, which always holds, so it constrains nothing.\n\nOver whole numbers (integer decisions with integer coefficients) archc makes strict comparisons exact by moving the bound by one, and gives no warning. For continuous values, write the margin you mean: `x <= 5 - 0.01 Gbps`, or make the decision an `int`.",
    ),
    info(
        Code::E0630,
        "integer overflow",
        "An integer value lies beyond 2^53 = 9,007,199,254,740,992 in magnitude. archc computes with 64-bit floating-point numbers, which hold every integer up to 2^53 exactly and lose the last digits beyond it: `9223372036854775807 + 1` would silently give the same number as `9223372036854775807`. So an `int` param or attribute, an element of an integer set and the ends of a range must stay within 2^53.\n\n    param n: int = 9223372036854775807 + 1   // E0630\n\nInside an indexed declaration a note names the index (`in ids[3]`). Count in larger units, or declare the value `real` if an approximation is meant.",
    ),
    info(
        Code::E0631,
        "value is not a finite number",
        "A data expression overflows the range of 64-bit numbers (about 1.8e308) or has no value at all: `1e308 * 10` is infinite, `10 ^ 400` too, and `0 * inf` or `inf - inf` are NaN. A model with such a number has no meaningful answer (its objective would read `NaN`), so the expression is an error at its span; inside an indexed declaration a note names the index.\n\n    param big: real = 1e308 * 10   // E0631\n\nCheck the magnitudes of the data; count in larger units, or divide before multiplying.",
    ),
    info(
        Code::E0632,
        "evaluation too large",
        "An index list (of a declaration, a `sum`, a `count`, a set comprehension) would enumerate more tuples than archc allows for one list (100 million by default), or a plan's decision range holds more values than that. The size is estimated from the set sizes before any tuple is built, so the model is refused at once instead of exhausting memory or running for hours.\n\n    set a = 1..1000\n    param n: int = count(i in a, j in a, k in a, l in a)   // 1e12 tuples: E0632\n\nThe message names the declaration and the size. Filter the index with `where` conditions that join variables (`where j == i`), which archc answers without a scan, or narrow the sets or the plan's `choose` range. A model that really needs more raises the limit with `--max-index-tuples N`.",
    ),
    info(
        Code::E0633,
        "integer that is not whole",
        "An `int` param, the end of a range, or a plan's state range, start or choice range evaluates to a number that is not whole: `param racks: int = cores / 40` with `cores = 100` gives 2.5. The checker cannot see it (the value depends on the data), and keeping 2.5 in an `int` would make every model that reads it wrong, so the expression is an error at its span; inside an indexed declaration a note names the index.\n\n    param cores: int = 100\n    param racks: int = cores / 40   // 2.5: E0633\n\nRound the way you mean (`ceil(cores / 40)`, `floor(...)`, `round(...)`), or declare the value `real`.",
    ),
    info(
        Code::E0640,
        "cvar maximised or bounded below",
        "`cvar(beta, s in S) loss[s]` is lowered to the Rockafellar-Uryasev form (a value-at-risk column `alpha` and an excess column per scenario), which is exact only when the model pushes the CVaR down: in an objective that minimises it, or in a constraint `cvar(...) <= LIMIT`. Maximising it, bounding it from below or using it inside logic would let the solver report a value the plan does not have.\n\nExample:\n\n    maximize risky: cvar(0.9, s in S) loss[s]   // E0640\n\nFix: minimise the CVaR or bound it above; `worst` with binaries serves where a lower bound is meant.",
    ),
    info(
        Code::E0641,
        "cvar level outside [0, 1) or beyond the scenario mass",
        "`cvar(beta, s in S) e` averages the worst `1 - beta` of probability, so `beta` must be at least 0 and below 1, and the scenarios of `S` must hold at least `1 - beta` of probability (a cutoff in `fail_independent` may leave less).\n\nExample:\n\n    cvar(1.0, s in S) loss[s]   // E0641\n\nFix: choose a level such as 0.99, or lower the cutoff of the scenario set.",
    ),
    info(
        Code::E0642,
        "no scenario set to assess",
        "`archc risk` evaluates a plan in every scenario of one scenario set, so the model must declare a scenario set (`set S = fail_k(links, 1)` or another generator or literal of `scenario(...)` entries), and when it declares several, `--scenario-set NAME` must say which. A name given with `--scenario-set` must be a scenario set of the model.\n\nExample: `archc risk model.arch` on a model without a scenario set   // E0642\n\nFix: declare the failures the plan must face as a scenario set, or name one with `--scenario-set`.",
    ),
    info(
        Code::E0643,
        "more than one loss for one scenario set",
        "`decide NAME[s in S, ...]: TYPE as loss` names the loss that `archc risk` measures in each scenario of `S`. A scenario set has one loss, so that scenarios are ranked by one number in one unit.\n\nExample:\n\n    decide lost[s in S]: real Gbps >= 0 as loss\n    decide late[s in S]: real h >= 0 as loss        // E0643\n\nFix: keep one `as loss`; to count both, declare a loss that adds them in one unit.",
    ),
    info(
        Code::E0644,
        "a loss not indexed by a scenario set",
        "`as loss` marks the decision whose value in each scenario is the loss of that scenario, so its first index must range over a scenario set (further indices are summed: `unmet[s in S, d in demands]`). A decision not indexed by a scenario set is decided once, before any scenario is known, and measures no scenario.\n\nExample:\n\n    decide spare[r in regions]: real core >= 0 as loss   // E0644\n\nFix: index the loss by the scenario set first, or remove `as loss`.",
    ),
    info(
        Code::E0650,
        "negative tolerance",
        "The tolerance of a ranked objective (`within ...`) says how far it may move from its optimum while the objectives ranked after it are solved. A negative tolerance would ask for better than the optimum, which no plan gives.\n\n    param slack: usd = -5 usd\n    minimize cost: sum(r in regions) r.price * replicas[r] within slack   // E0650\n\nCheck the value (or the data it reads); `within 0 usd` keeps the optimum up to a small numerical tolerance.",
    ),
    info(
        Code::E0651,
        "`changed` where a larger count is preferred",
        "`changed(x, was)` is lowered with one binary per instance that must be 1 when the instance changed, and may be 1 otherwise. That is exact where the model prefers the count small: a minimised objective (`minimize churn: changed(x, was)`) or the small side of a cap (`changed(x, was) <= 10`). Maximised, fixed with `==`, or on the large side of `>=`, a binary could claim a change that did not happen, so archc refuses it.\n\nFor a bool decision, `moves(x, was)` counts the changed instances exactly in every direction.",
    ),
    info(
        Code::E0660,
        "the partitioned set splits nothing",
        "A partitioned solve (`--partition SET:K`) deals the elements of `SET` into parts and gives each part the columns indexed by its elements. No decision of the model is indexed over that set, so every column would be shared and every part would be the whole model.\n\nExample:\n\n    set tiers = {gold, silver}\n    decide assign[s in services, r in regions]: bool\n\n    archc solve model.arch --partition tiers:2\n\nFix: partition the set of the granular items, the one the assignment decisions run over: `--partition services:2`.",
    ),
    info(
        Code::E0661,
        "the search backend cannot take the model",
        "`--backend search` runs a local search that moves items between places, and takes models of the assignment shape only: every decision a yes/no choice (`bool`, or an `int` within 0..1); per-item constraints `sum(r in regions) assign[s, r] == 1` that place each item once; other yes/no decisions (a region that opens) at most one per constraint. The message says which part of the model is not of that shape and points at it.\n\nExample:\n\n    decide replicas[s in services, r in regions]: int >= 0 <= 8   // not a yes/no choice\n\nFix: solve the model with `--backend milp`, or split a large one with `--partition SET:K`.",
    ),
];
