//! The texts of the E03xx: types codes (`archc explain CODE`).

use super::{info, Code, CodeInfo};

pub(super) const TABLE: &[CodeInfo] = &[
    info(
        Code::E0301,
        "type mismatch",
        "An expression has a different type than its place needs: a constraint body must be a condition (`a <= b`), an objective must be a number, `if` needs a condition, arithmetic needs numbers.\n\nThe label shows the type found.",
    ),
    info(
        Code::E0302,
        "wrong number of indices",
        "A param or decision is indexed with more or fewer indices than it declares: `replicas[s]` when it is declared `replicas[s in services, r in regions]`.",
    ),
    info(
        Code::E0303,
        "index of the wrong set",
        "An index has a different kind of element than the declaration's set: `replicas[r, s]` with the region and the service swapped. The secondary label shows the declaration.",
    ),
    info(
        Code::E0304,
        "not indexable",
        "Brackets `x[...]` index params and decisions declared with an index list. Scalars, sets and entities are used without brackets.",
    ),
    info(
        Code::E0305,
        "decision where data is required",
        "A place that is evaluated before solving uses a decision: `where` filters, set definitions, param values, bounds of decisions, and the ranges of aggregates must depend on data only.\n\nMove the condition into the constraint body, where it becomes part of the model (`->` and `<->` lower logic over decisions).",
    ),
    info(
        Code::E0306,
        "wrong arguments",
        "A function is called with the wrong number or kind of arguments. Built-ins: `ceil`, `floor`, `round`, `abs` (one number), `min`/`max` (two or more numbers, or an aggregate `max(x in S) e`), `prev`/`next`/`ord` (an element of an ordered set), `first`/`last`/`card` (a set).",
    ),
    info(
        Code::E0307,
        "not a set",
        "An index binding `x in S` or an `in` test needs a set on its right side: a kind's set (`regions`), a `set` declaration, a range `1..10`, a literal `{a, b}` or a filter `{r in regions where ...}`.",
    ),
    info(
        Code::E0308,
        "bad value for a declaration",
        "A param, attribute or bound has a value of the wrong type, for example a string for a number attribute.",
    ),
    info(
        Code::E0309,
        "recursive function",
        "Functions are inlined where they are called, so a function may not call itself, directly or through others.",
    ),
    info(
        Code::E0310,
        "bad sign declaration",
        "`>= 0` after the type of an attribute or param (`cores: core >= 0`, `param demand[s in services]: core >= 0 from \"demand.csv\"`) declares that its values may not be negative: a data file cell below zero is then E0506, and so is a negative value written in the source. Only `>= 0` is allowed there, and only on numbers; other limits are constraints.",
    ),
    info(
        Code::E0311,
        "no kind of link joins these ends",
        "`a -> b` between two entities names the link from `a` to `b`. Links are entities of a kind with `src` and `dst` attributes (the built-in `link` joins two regions), and no such kind has a `src` of the kind of `a` and a `dst` of the kind of `b`.\n\nCheck the ends (`l.src` is a region for the built-in `link`), or declare a kind of link for these ends: `kind hop { src: zone, dst: zone }`.",
    ),
    info(
        Code::E0312,
        "ambiguous link reference",
        "`a -> b` between two entities names the link from `a` to `b`, but several kinds of link (kinds with `src` and `dst` attributes) join ends of these kinds, so the reference could name an entity of either.\n\nPick the link with an index over one kind instead: `sum(l in fibers where l.src == a and l.dst == b) ...`, or give the kinds different kinds of ends.",
    ),
    info(
        Code::E0320,
        "function calls too deep or too many",
        "Each call of a `fn` is expanded in place (its body is checked and evaluated with the arguments substituted). A chain of functions that call one another more than 64 deep, or calls that multiply (a function that calls the next one twice, 40 levels deep, would expand 2^40 bodies) past a million expansions in one model, is refused before the work is done.\n\n    fn f0(v: real) = f1(v) + f1(v)\n    fn f1(v: real) = f2(v) + f2(v)   // ... 40 levels: E0320\n\nFlatten the chain, or compute a value once (in a `param`) and read it where it is needed.",
    ),
    info(
        Code::E0330,
        "forecast of something that is not a history",
        "`forecast(HISTORY, STATISTIC)` forecasts a param indexed by periods (quarters such as `2027Q1`, or integers) as its last index, given all its other indices; the history must be declared before the param forecast from it.\n\n    param usage[r in regions, q in history]: core from \"usage.csv\"\n    param demand[r in regions, q in quarters]: core = forecast(usage[r], q95)   // ok\n    param bad[r in regions, q in quarters]: core = forecast(usage, q95)       // E0330: `usage` needs its region\n\nGive the history param with every index but its last.",
    ),
    info(
        Code::E0331,
        "unknown forecast statistic",
        "The second argument of `forecast(...)` says what the param holds in each period: `mean` (the point forecast), `median`, a quantile in percent (`q95`, `p80`, `q97_5` for 97.5 %), or `path(s)`, the sample path numbered by `s` (1, 2, ...).\n\n    param demand[r in regions, q in quarters]: core = forecast(usage[r], q95)\n    param bad[r in regions, q in quarters]: core = forecast(usage[r], q120)   // E0331",
    ),
    info(
        Code::E0332,
        "bad forecast option",
        "`forecast(...)` takes a history, a statistic and named options: `method =` one of `auto` (the default: the mean of ETS and Theta, intervals calibrated on a holdout), `ets`, `theta`, `arima`, `mstl`, `naive`, `snaive`; `season =` the periods in one seasonal cycle (a whole number; by default 4 for quarters, 12 for months, 52 for weeks, 7 for days, 1 for integer periods); `seed =` a whole number that fixes the sample paths.\n\n    param demand[r in regions, q in months]: core = forecast(usage[r], q95, method = ets, season = 12)\n    param bad[r in regions, q in months]: core = forecast(usage[r], q95, method = prophet)   // E0332",
    ),
    info(
        Code::E0333,
        "forecast unit differs from its history",
        "A forecast has the unit of its history: a forecast of `core` is `core`. The param declared from it must have a unit of the same dimension.\n\n    param usage[r in regions, q in history]: core from \"usage.csv\"\n    param demand[r in regions, q in quarters]: usd = forecast(usage[r], q95)   // E0333\n\nDeclare the param in the history's unit, and convert where it is used.",
    ),
    info(
        Code::E0334,
        "misplaced forecast",
        "`forecast(...)` is the whole value of an indexed param whose last index is the forecast horizon: a set of periods of the same kind as the history's (quarters, or integers). It cannot appear inside an expression, in a constraint or in a scalar param.\n\n    param demand[r in regions, q in quarters]: core = forecast(usage[r], q95)       // ok\n    constraint c[r in regions]: cap[r] >= forecast(usage[r], q95)                  // E0334\n\nDeclare a param from the forecast and use the param.",
    ),
    info(
        Code::E0340,
        "malformed scenario",
        "Every entry of a scenario set literal is `NAME: scenario(p = P, down = {...}, PARAM = VALUE)` with named fields and a probability `p`. An entry that is not a `scenario(...)` call, a field without a name, or a scenario without `p` is this error.\n\nExample:\n\n    set cuts = {calm: scenario(p = 0.9), cut: scenario(down = {a->b})}   // E0340: no p\n\nFix: give each scenario its probability; the probabilities of the set must sum to 1 (E0561).",
    ),
    info(
        Code::E0341,
        "not a scenario",
        "`prob(s)` and `up(e, s)` read a scenario, and `mass(S)` a scenario set: the elements of a set declared with `scenario(...)` entries or a generator such as `fail_k(links, 1)`. Another value is this error.\n\nExample:\n\n    set tiers = {gold, silver}\n    param w[t in tiers]: real = prob(t)   // E0341\n\nFix: index by a scenario set: `[s in n1]`, then `prob(s)`.",
    ),
    info(
        Code::E0342,
        "risk measure not over one scenario set",
        "`expected`, `worst`, `cvar` and `probability` run over one named scenario binding: `expected(s in S) e`, `cvar(0.99, s in S) e`, with `S` a scenario set (declared with `scenario(...)` entries or a generator). Another set, several bindings, or a binding without a variable is this error.\n\nExample:\n\n    expected(r in regions) load[r]   // E0342: regions are no scenarios\n\nFix: run the measure over a scenario set, and index the value by its scenario.",
    ),
    info(
        Code::E0350,
        "objectives out of rank",
        "Several objectives are solved in priority order: the first is written `minimize` or `maximize`, and each later one starts with `then`, which ranks it after the one before it:\n\n    minimize cost: sum(r in regions) r.price * replicas[r]\n    then minimize moves: moves(replicas)\n\nThe first objective of a model has nothing to rank after, so it takes no `then`.",
    ),
    info(
        Code::E0351,
        "tolerance without a later objective",
        "`within` after an objective says how far it may move from its optimum while the objectives ranked after it are solved:\n\n    minimize cost: sum(r in regions) r.price * replicas[r] within 1 %\n    then minimize moves: moves(replicas)\n\nThe last objective has no objective after it, so a tolerance there does nothing. Remove it, or rank another objective after it with `then`.",
    ),
    info(
        Code::E0352,
        "current state indexed differently from its decision",
        "The current state of a decision has one value per instance, so the param given to `moves(x, was)` or `changed(x, was)` has the decision's index: the same number of indices, over sets of the same kind of elements, in the same order:\n\n    decide replicas[s in services, r in regions]: int >= 0\n    param was[r in regions]: int from \"current.csv\"\n    minimize moved: moves(replicas, was)   // E0352: was has no service index",
    ),
    info(
        Code::E0354,
        "periods of different kinds",
        "Quarters (`2027Q1`), months (`2026M01`), ISO weeks (`2026W01`) and days (`2026-01-05`) are each ordered among themselves, not with each other: a range runs between two periods of one kind, and `aggregate(...)` goes from a finer kind to a coarser one that each finer period belongs to (days to weeks, months or quarters; weeks to months or quarters, by their Thursday; months to quarters).\n\n    set plan = 2024M01..2026Q4                                           // E0354: a month and a quarter\n    param weekly[r in regions, w in weeks]: core = aggregate(usage[r], max)  // E0354 when usage is monthly\n\nWrite both ends of a range in one kind, and aggregate only into coarser periods.",
    ),
    info(
        Code::E0355,
        "malformed `aggregate(...)`",
        "`aggregate(HISTORY, STATISTIC, incomplete = error | partial)` is the whole value of an indexed param whose last index runs over coarser periods than the history's: HISTORY is a param declared before, given every index but its last (`usage[r]`); STATISTIC is `max`, `min`, `mean`, `sum` or `last`; the option `incomplete` says what happens to a coarse period whose finer periods are not all in the history (`error`, the default, or `partial`: aggregate those there are).\n\n    param peak[r in regions, q in quarters]: core = aggregate(usage[r], max)       // ok\n    param bad[r in regions, q in quarters]: core = aggregate(usage[r], p95)        // E0355: not a statistic\n    constraint c[r in regions]: cap[r] >= aggregate(usage[r], max)                // E0355: not a param's value\n\nDeclare a param from the aggregate and use the param.",
    ),
    info(
        Code::E0356,
        "aggregate unit differs from its history",
        "`max`, `min`, `mean`, `last` and `sum` of a history keep its unit: the aggregate of `core` is `core` (a sum of monthly `core` readings is still `core`; of `GB` transferred, `GB`). The param declared from it must have a unit of the same dimension.\n\n    param usage[r in regions, m in months]: core from \"usage.csv\"\n    param peak[r in regions, q in quarters]: usd = aggregate(usage[r], max)   // E0356\n\nDeclare the param in the history's unit.",
    ),
    info(
        Code::E0353,
        "`changed` of a continuous decision",
        "`changed(x, was)` counts the instances of `x` whose value differs from `was`. For a continuous decision any tiny difference would count, so `changed` takes integer and bool decisions only. Measure how far a continuous decision moved with `moves(x, was)` instead.",
    ),
    info(
        Code::E0357,
        "`partition` of something that is not a plain index set",
        "`partition SET into K` names the set whose elements are the granular items of the model (services to place, demands to route, jobs): a partitioned solve deals them into K parts. That set must be a plain index set: the entities of a kind (`services`, `jobs`) or declared symbols (`set tiers = {gold, silver}`), or a subset of one. A kind's name, a param or a decision is not a set; a scenario set, a set of numbers (`1..12`) or of periods is not a set of items: parts of a time axis or of scenarios share every row that links them.\n\nExample:\n\n    kind job { demand: int = 0 }\n    jobs from \"jobs.csv\"\n    partition job into 4   // E0357: `job` is the kind, its set is `jobs`\n\nFix: name the set of the items: `partition jobs into 4`.",
    ),
    info(
        Code::E0358,
        "bad number of parts",
        "The number after `into` in `partition SET into K` is how many parts the set's elements are dealt into: a whole number from 1 to 1,000,000 (the same range as `--partition SET:K`). One part solves the whole model as one part, which is allowed but gains nothing.\n\nExample:\n\n    partition services into 0     // E0358\n    partition services into 2.5   // E0358\n\nFix: write a whole number of parts, about as many as parts that solve in the time you have (see docs/scale.md).",
    ),
    info(
        Code::E0359,
        "circular definition",
        "A set or param is defined in terms of itself, directly (`set s = {i in 1..3 where i < card(s)}`) or through others: `n` reads `s` and `s` reads `n`. Computing it would need its own value first, so the model is refused; the message names the definitions that read each other.\n\n    param n: int = card(s)\n    set s = 1..n   // E0359: `n` -> `s` -> `n`\n\nGive one of them a value that does not read the others (a number, or a set written out).",
    ),
];
