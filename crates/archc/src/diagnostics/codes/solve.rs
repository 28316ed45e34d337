//! The texts of the E07xx: solving codes (`archc explain CODE`).

use super::{info, Code, CodeInfo};

pub(super) const TABLE: &[CodeInfo] = &[
    info(
        Code::E0701,
        "solver not enabled in this build",
        "\
The solver you asked for (with `--solver` or in the solve options) is not compiled into
this build of archc. Each MILP solver is a cargo feature:

    microlp   pure Rust, the default, needs nothing installed
    highs     HiGHS, built from source: needs cmake, a C++ compiler and libclang
    cbc       COIN-OR CBC: needs the system's Cbc library (coinor-libcbc-dev)

Example:

    archc solve plan.arch --solver highs
    error[E0701]: solver `highs` is not enabled in this build

Fix it by rebuilding with the feature, e.g.

    cargo install archc --features highs

or by choosing a solver that is enabled (leave `--solver` out to take the best one
available).",
    ),
    info(
        Code::E0702,
        "solution violates the model",
        "\
Every solution a solver returns is checked against the instantiated model by code that
does not trust the solver: each constraint instance is recomputed from its coefficients,
each variable is checked against its bounds, and integer and binary variables must be
whole numbers (within a tolerance of 1e-6, relative to the size of the right-hand side).

This error means the check failed: the solver's answer does not satisfy the model. The
label points at the declaration of the first violated constraint or variable, with the
index tuple (`fit[eu-west]`), the required side and the value the solution gives.

It is not a mistake in your model. Usual causes are numerical trouble in the solver
(coefficients that differ by many orders of magnitude, such as a big-M of 1e9 next to
coefficients of 1e-3) or a solver stopped by a time limit. Try another solver with
`--solver`, rescale the units of the largest or smallest numbers (use `Tbps` instead of
`bps`), and report the model if a solver keeps returning a wrong answer.",
    ),
    info(
        Code::E0703,
        "the solver failed",
        "\
The solver stopped without an answer: not optimal, not a feasible solution within a limit,
not a proof of infeasibility or unboundedness. The message carries the solver's own
reason, for example

    error[E0703]: the microlp solver failed: Time limit reached before finding a feasible solution

Usual causes and fixes:

- The time limit ran out before any feasible solution was found: raise `--time-limit`,
  or try a stronger solver (`--solver highs`).
- The model's numbers are out of the solver's range (microlp accepts integer bounds only
  within the 32-bit range): tighten the bounds of the integer decisions.
- The model holds a NaN (a division by zero in the data): check the data files.",
    ),
    info(
        Code::E0710,
        "a constraint can never hold within the decisions' bounds",
        "\
Before solving, archc computes for every constraint instance the least and the greatest
value its left side can take when each decision ranges over its bounds (`bool` over 0..1,
`int >= 0 <= s.replicas` over its range). When even the best case misses the right side,
no solver can satisfy it.

Example:

    decide present[s in services, r in regions where allowed(s, r)]: bool
    constraint spread[s in services]:
        count(r in regions where allowed(s, r)) present[s, r] >= s.min_regions

With `min_regions: 2` for a service allowed in one region only:

    error[E0710]: `spread[ledger-eu]` can never hold
      spread[ledger-eu] cannot hold: even with every `present` at its upper bound the
      left side reaches at most 1 < 2

Fix the data (here `min_regions`, or the residency rule that leaves one region), relax
the constraint, or widen the bounds of the decisions it uses.",
    ),
    info(
        Code::E0711,
        "the model is infeasible: these constraints conflict",
        "\
No plan satisfies every constraint. archc names a minimal set of constraint instances
(and decision bounds) that cannot hold together: drop any one of them and the rest has a
solution. It is found by a deletion filter that only asks the solver whether sub-models
are feasible: first over whole declarations, then over their instances (`fit[eu-west]`),
then over the bounds of the decisions involved. Rows the compiler derived from a
constraint (big-M rows of `<->`, linearised products) count as that constraint.

Each member is labelled at its declaration with the instance and its reading with the
data filled in, e.g.

    spread[ledger-eu]: present[ledger-eu, eu-central] >= 2

The help line gives the smallest repair found by elastic relaxation: each side of the
conflict's constraints may move, each unit of movement costs one over the size of the
row, and the total cost is minimised, e.g. `raise fit[eu-west] by 1,200 core, to 25,200
core`. When relaxing the conflict alone is not enough (the model has another conflict),
the repair relaxes the whole model and says so.

Fix the data or the constraint named in the repair, or drop one of the members.",
    ),
    info(
        Code::E0712,
        "the objective can improve without limit",
        "\
The objective can be made as good as you like: some decisions have no bound in the
direction the objective rewards, and no constraint limits them. archc boxes every open
decision at ±1e9, solves again, and names the decisions that end at the box and the
objective terms that reward them.

Example:

    decide flow[l in links]: real Gbps >= 0
    maximize revenue: sum(l in links) l.price * flow[l]

Nothing limits `flow`: add `<= l.capacity` to the decision or a capacity constraint.",
    ),
    info(
        Code::E0713,
        "the result could not be explained",
        "\
archc could not build an explanation of an infeasible or unbounded result: a solver
failed on one of the sub-models the explainer solves, or the sub-models disagree with the
first answer (the whole model turned out feasible when asked again, which points to a
numerical problem in the solver). Try another solver with `--solver`, a longer time
limit, or rescale data with very large or very small numbers.",
    ),
    info(
        Code::E0720,
        "a risk measure does not match its recomputation",
        "After a solve, every `expected`, `worst`, `cvar` and `probability` is recomputed from the scenario values of the solution (the sum weighted by probability, the largest value, the CVaR by sorting the losses, the probability of the scenarios whose condition holds), without the columns its lowering added. `expected` must equal the value the solver has for it; `worst` and `cvar` must not exceed it; `probability` must reach it (a scenario whose condition holds exactly at its bound may be counted as failing it). A difference means the solver returned an answer that does not satisfy the model, and no such plan is reported.\n\nFix: try another solver (`--solver highs`), and report the model if it persists.",
    ),
    info(
        Code::E0721,
        "a scenario's recourse problem could not be solved",
        "`archc risk` fixes the first-stage decisions at the plan's values and solves, for each scenario, the recourse problem of that scenario alone: its own rows and columns, minimising its loss. A recourse problem that the solver cannot finish (a solver error, or a limit reached before any plan) leaves the scenario without a loss, so no assessment is reported. (A recourse problem that is infeasible is a result, not an error: its loss is reported as `infeasible`.)\n\nFix: try another solver (`--solver highs`) or a longer `--time-limit`, and report the model if it persists.",
    ),
    info(
        Code::E0722,
        "a scenario's loss is unbounded",
        "The recourse problem of a scenario, with the first-stage decisions fixed, lets the loss decrease without limit: the loss decision (or the scenario's share of the objective) has no lower bound that the scenario's rows enforce, so no loss can be reported for the scenario.\n\nExample:\n\n    decide lost[s in S]: real Gbps as loss     // no `>= 0`: a negative loss is allowed\n\nFix: bound the loss below (`>= 0`), or tie it to what is lost with a constraint.",
    ),
    info(
        Code::E0730,
        "bad `--partition` value",
        "\
`--partition` takes the set to split and the number of parts, `SET:K`, with `K` a whole
number from 1 to 1000000: `archc solve model.arch --partition services:16`. The message
says what is wrong with the value given (no `:K`, an empty set name, a `K` that is not a
whole number or out of range). `--partition off` solves the whole model even when it names
its own partition (`partition SET into K`).

`--search-start partition` asks the search backend to start from the partitioned plan, and
is this error when there is no partition to solve: give `--partition SET:K`, or declare
`partition SET into K` in the model. So is `--split-large PERCENT` (split the largest items
into a piece in every part) without a partition, or with a percentage outside 0 to 100.",
    ),
    info(
        Code::E0731,
        "bad `--shard` value",
        "\
`--shard i/N` solves part `i` of a model partitioned into `N` parts, counting from 0:
`archc solve model.arch --partition services:16 --shard 3/16 --out part-3.json`. `N` must
equal the `K` of `--partition SET:K` (or of the model's `partition SET into K`), and `i`
must lie in `0..N`. `--shard auto/N` reads `i`
from `SLURM_ARRAY_TASK_ID` (a Slurm job array) or `JOB_COMPLETION_INDEX` (a Kubernetes
indexed Job); the error says when neither is set or the value is not a whole number.",
    ),
    info(
        Code::E0732,
        "shard plans that do not belong together",
        "\
`archc merge MODEL FILES...` merges the plans of the parts of one partitioned solve: every
file must come from the same model and data (each file holds a fingerprint of the
instantiated model), the same `--partition SET:K` and `--seed`, and the files together must
hold parts 0 to K-1 once each. The message names the first file that does not fit: a plan of
other data, another split, a part given twice, or a part missing. Re-run the missing or
stale shards, or merge the files of one run.",
    ),
    info(
        Code::E0740,
        "the start is not a feasible plan",
        "\
`archc solve --start FILE|current` checks the start against the model before any solver
sees it: the columns the start leaves out (auxiliary columns of `moves`, decisions the
report or the current state does not give) are completed by a solve with the given columns
fixed, and the completed plan is verified like any answer. This warning says that no
completion satisfies the model, and names the rows and bounds over the given values alone
that fail (`cores_fit[us-east]: 4,620 > 4,600`), or says that those hold and only the
completion fails. The solve goes on without a start: a solver would reject or repair an
infeasible start anyway, and a start that is only partly right is not passed in part.

Example: demand grew since the report was written, so `total[search]` (`== 440`) fails at
the old plan's 400 replicas:

    archc solve rebalance.arch --start last-month.json
    warning[E0740]: the start (last-month.json) is not a feasible plan of this model: ...

Fix: nothing is needed; the start was only a hint. Start from a solve of the current data
to keep the hint.",
    ),
    info(
        Code::E0741,
        "the solver takes no start",
        "\
microlp, the default pure-Rust solver, has no way to take a MIP start. The start given to
`--start` was checked against the model and is reported (`start: ... checked only`), but
the solve begins from nothing. HiGHS (`setSolution`) and CBC (initial solution) take it.

Fix: `--solver highs` or `--solver cbc`, in a build of archc that has them (the
`highs` and `cbc` features; the first line of the report names the solver used).",
    ),
    info(
        Code::E0742,
        "`--start current` without a current state",
        "\
`--start current` starts from the current state the model reads for `moves(x, was)` and
`changed(x, was)`: each decision compared with its current values starts at them. The model
has no such call, so there is no current state to start from.

Example:

    archc solve placement.arch --start current   // E0742: no moves(...) or changed(...)

Fix: start from an earlier solve's JSON report (`--start report.json`), or add the current
state to the model (`param was[...] from \"current.csv\"` and a use of `moves(x, was)`).",
    ),
    info(
        Code::E0743,
        "`--alternatives 0`",
        "\
`archc solve --alternatives K` looks for up to K distinct plans in all, the first (optimal)
plan included, so K must be at least 1: `--alternatives 1` is the plain solve, and
`--alternatives 2` asks whether there is one more plan within the tolerance.

Example:

    archc solve placement.arch --alternatives 0     // E0743

Fix: ask for at least one plan (`--alternatives 5`), or leave the flag out.",
    ),
    info(
        Code::E0744,
        "bad `--alt-tolerance`",
        "\
`--alt-tolerance` says how far from the optimum an alternative plan may be: a percentage of
the optimum (`1%`), or an amount in the objective's unit, written as a plain number (`250`)
or with a unit of the same dimension (`0.5 kusd` for an objective in `usd`). A tolerance is
a finite number of at least 0; the default is 0, i.e. ties only (a small numerical
tolerance always applies).

Example, for `minimize cost: ...` in `usd`:

    archc solve placement.arch --alternatives 5 --alt-tolerance 3GiB   // E0744
    archc solve placement.arch --alternatives 5 --alt-tolerance -1     // E0744

Fix: `--alt-tolerance 1%` or `--alt-tolerance 500 usd`.",
    ),
    info(
        Code::E0745,
        "no integer decisions to enumerate",
        "\
Alternative plans are enumerated over a model's integer and binary decisions (each plan
found is excluded by a no-good cut on them, and the model is solved again). A model whose
decisions are all continuous has none: its alternative optima differ in continuous values
(a flow split between two paths of equal cost), which are not enumerated. A model without
an objective has no optimum to be near.

Example:

    decide flow[p in paths]: real >= 0
    minimize cost: sum(p in paths) p.cost * flow[p]

    archc solve routing.arch --alternatives 3    // E0745

Fix: leave `--alternatives` out for such a model.",
    ),
    info(
        Code::E0746,
        "an integer decision without bounds cannot be excluded",
        "\
To exclude a plan in which a general integer decision `x` has a value `v` strictly between
its bounds, the no-good cut adds two auxiliary binaries, one forcing `x <= v - 1` and one
forcing `x >= v + 1`; each is a big-M row whose M comes from the decision's bounds. A
decision without a finite lower or upper bound has no such M, and archc never guesses one.

Example:

    decide racks[r in regions]: int >= 0        // no upper bound
    archc solve capacity.arch --alternatives 3  // E0746 when a plan has racks[r] = 7

Fix: give the decision the bounds it really has (`int >= 0 <= 200`).",
    ),
    info(
        Code::E0747,
        "`--stage` names no objective of the model",
        "\
`archc emit --stage NAME|K` writes the model of one stage of a solve with objectives in
priority order: that objective, with the earlier ones kept within their tolerance as rows.
The stage is named by its objective's name or by its rank, counting from 1; a name that is
not an objective of the model, or a rank beyond the number of objectives, names no stage.

Example:

    minimize cost: ... within 1 %
    then minimize moved: moves(replicas, was)
    archc emit plan.arch --mps s.mps --stage moves   // E0747: the objective is `moved`

Fix: use a name the error lists, or a rank from 1 to the number of objectives.",
    ),
    info(
        Code::E0748,
        "a param value cannot be changed this way",
        "\
The embedding API changes a param's value between solves (`Compiled::set_param(name,
index, value)`): the name must be a numeric param of the model, the index must name one
element of each of its index sets (none for a scalar param), and the value must be a
finite number in the param's declared unit (a whole number for an `int` param).

Example:

    param demand[s in services]: core from \"demand.csv\"
    model.set_param(\"demand\", &[\"checkout\"], 48.0)   // ok: 48 core
    model.set_param(\"demand\", &[\"chekout\"], 48.0)    // E0748: no such service

Fix: use a param and element names of the model (the error lists what is there).",
    ),
    info(
        Code::E0750,
        "internal error: the checked model cannot be lowered",
        "\
After checking, a model with no errors is lowered to its typed form (HIR), where every name
is resolved and every expression has its type and unit. That cannot fail on a model the
checker accepted; E0750 says it did, which is a bug in archc, not in the model. The message
names the expression that could not be lowered, for example:

    internal error: the checked model cannot be lowered (an expression without a type)

It is an error: instantiation compiles constraints and objectives from the lowered form, so
a model that cannot be lowered is not instantiated or solved (rather than solved from a
partial form). Please report it with the model (and its data files) that caused it.",
    ),
];
