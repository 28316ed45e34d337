//! The texts of the E05xx: data codes (`archc explain CODE`).

use super::{info, Code, CodeInfo};

pub(super) const TABLE: &[CodeInfo] = &[
    info(
        Code::E0501,
        "cannot read data file",
        "A `from \"...\"` clause names a data file that cannot be read: it does not exist, \
is a directory, or is not readable.

Example:

    services from \"data/service.csv\"   // the file is data/services.csv

Fix: correct the path. Relative paths are resolved from the folder of the model file that \
names them, not from the current directory. When a file with a similar name exists in the \
same folder, the diagnostic suggests it.",
    ),
    info(
        Code::E0502,
        "unsupported data file type",
        "Data files are read by their extension: `.csv` (comma-separated), `.tsv` \
(tab-separated) and `.json`. Any other extension, or none, is rejected.

Example:

    regions from \"data/regions.xlsx\"

Fix: export the sheet as CSV (choose \"CSV UTF-8\" in a spreadsheet program) and load the \
`.csv` file.",
    ),
    info(
        Code::E0503,
        "missing required column",
        "The model needs a column that the data file does not have. For entities the \
columns are `name` plus the kind's attributes; for an indexed parameter they are one column \
per index plus `value`.

Example: `service` declares `cores`, and services.csv starts with

    name,core,replicas

Fix: rename or add the column. The diagnostic lists the file's columns and suggests a close \
match. Column names are matched exactly (after trimming spaces), so `Cores` is not `cores`.",
    ),
    info(
        Code::E0504,
        "not a number",
        "A cell in a number column does not hold a number, or a cell in a whole-number \
column holds a fraction.

Example (cores is a number of cores):

    name,cores
    checkout,16c

Fix: write a plain number: `16`, `2.5`, `-3`, `1e6`, `40_000`. Do not write units in data \
cells: the unit comes from the attribute's declaration in the model. In JSON, a number \
may also be given as a string (`\"16\"`).",
    ),
    info(
        Code::E0505,
        "number is not finite",
        "A cell holds `NaN`, an infinity, or a number too large to represent (`1e999`). \
Optimization models need finite numbers.

Example:

    name,price
    eu-west,NaN

Fix: write the actual value. If there is none, leave the cell empty: an optional column then \
has no value for this record, and a required one reports E0510, which says so plainly.",
    ),
    info(
        Code::E0506,
        "negative value",
        "A column that cannot be negative (a capacity, a count, a price) holds a \
negative number.

Example:

    name,cores
    checkout,-16

Fix: correct the sign. If the model really allows negative values, the attribute's \
declaration must say so.",
    ),
    info(
        Code::E0507,
        "duplicate key",
        "Two records have the same key: two entities with the same name, or two values \
of an indexed parameter for the same index tuple. The loader cannot know which one is meant.

Example:

    service,quarter,value
    checkout,2027Q1,3
    checkout,2027Q1,4

Fix: remove one of the two records, or merge them. The diagnostic points at both.",
    ),
    info(
        Code::E0508,
        "malformed data file",
        "The file cannot be parsed: invalid JSON (a missing comma, a trailing comma, a \
comment, a key without quotes), a CSV cell whose opening quote is never closed, a file that \
is empty or not UTF-8, or a column or JSON property given twice.

Example:

    [{\"name\": \"checkout\", \"cores\": 16,}]

Fix: correct the file at the position shown. JSON data files must be strict JSON. In CSV, a \
cell containing the delimiter or a line break must be quoted, and a quote inside a quoted \
cell is written `\"\"`.",
    ),
    info(
        Code::W0509,
        "unknown column ignored",
        "The data file has a column that the model does not use: not an attribute of \
the entity kind, nor an index or `value` of the parameter. The column is ignored.

Example: services.csv has a column `owner`, and `service` declares no `owner` attribute.

Fix: nothing, if the column is meant for other tools. If it is a misspelt attribute \
(`replica` for `replicas`), rename it: the diagnostic suggests the closest attribute.",
    ),
    info(
        Code::E0510,
        "missing value",
        "A required column has no value in a record: an empty CSV cell, a JSON `null`, \
or a JSON record without that property.

Example:

    name,cores
    checkout,

Fix: give the value. If the attribute is legitimately absent for some records, declare a \
default for it in the model.",
    ),
    info(
        Code::E0511,
        "unknown reference",
        "A data cell names an entity or set element that does not exist: a region, a \
service, a quarter.

Example: links.csv has `src` = `us-eats`, but the regions are `us-east` and `eu-west`.

Fix: correct the name (the diagnostic suggests the closest known one), or declare the \
missing entity.",
    ),
    info(
        Code::E0512,
        "wrong number of cells in a row",
        "A CSV or TSV row has more or fewer cells than the header has columns.

Example:

    name,cores,replicas
    checkout,16
    search,8,4,2

Fix: give every row one cell per column; leave a cell empty (`checkout,16,`) rather than \
dropping it. A cell that contains the delimiter must be quoted: `\"a, b\"`.",
    ),
    info(
        Code::E0513,
        "not a boolean",
        "A cell in a yes/no column holds something else.

Example:

    name,stateful
    checkout,maybe

Fix: write `true` or `false`. Also accepted, in any case: `yes`/`no` and `1`/`0`.",
    ),
    info(
        Code::E0514,
        "unexpected JSON shape",
        "A JSON data file is valid JSON but not of a shape the loader reads. Accepted \
are an array of objects, one per record:

    [{\"name\": \"checkout\", \"cores\": 16}]

or an object keyed by the key columns, one nesting level per key column; the innermost value \
is an object of the other columns, or a single value when there is exactly one other column:

    {\"checkout\": {\"cores\": 16}}
    {\"checkout\": {\"2027Q1\": 3}}          // param demand[services, quarters]

Errors of this kind: a scalar at the top of the file, an array element that is not an \
object, a nested object or array where a single value belongs, a value where another key \
level is expected, or a record property that contradicts the record's key.

Fix: reshape the file as shown above.",
    ),
    info(
        Code::W0515,
        "too many problems in one data file",
        "A data file had more problems than are worth listing (50): the first ones are \
shown, and this warning counts the rest.

Fix: fix the problems shown (often one mistake repeated, such as a wrong column or a unit \
written in every cell) and check again.",
    ),
    info(
        Code::E0540,
        "history too short for the forecast",
        "Each forecast method needs a minimum number of observations per series: two full seasons for ETS, Theta, ARIMA and automatic selection (8 quarters, 24 months; 4 points without a season), two seasons and two points for MSTL, one season for seasonal naive, one point for naive. The message names the series, its length and the minimum.\n\n    set history = 2026Q1..2026Q3\n    param usage[r in regions, q in history]: core from \"usage.csv\"\n    param demand[r in regions, q in quarters]: core = forecast(usage[r], q95)   // E0540: 3 < 8\n\nFix: load a longer history, or ask for a simpler method (`method = naive`).",
    ),
    info(
        Code::E0541,
        "missing periods in a forecast history",
        "A history series has no value for some of its periods (no row in the data file for that index). A forecast needs every period of the history; the message names the missing ones.\n\nFix: add the rows to the data file, or shorten the history's period set to the periods that have data.",
    ),
    info(
        Code::E0542,
        "negative history of a non-negative forecast",
        "The param forecast from the history is declared `>= 0` (cores, racks, bandwidth cannot be negative) but its history holds a negative value. The message names the series and the period.\n\n    param demand[r in regions, q in quarters]: core >= 0 = forecast(usage[r], q95)\n\nFix: correct the data, or drop `>= 0` if negative values are meaningful. (Forecasts of a `>= 0` param are cut at zero.)",
    ),
    info(
        Code::E0543,
        "forecast horizon does not follow the history",
        "The periods of a forecast param (its last index) must start right after the last period of the history and run without gaps: a history `2023Q1..2026Q4` forecasts `2027Q1..`; a horizon starting at `2027Q3`, or overlapping the history, is an error.\n\n    set history  = 2023Q1..2026Q4\n    set quarters = 2027Q3..2028Q4\n    param demand[r in regions, q in quarters]: core = forecast(usage[r], q95)   // E0543\n\nFix: start the horizon right after the history, or end the history right before the horizon.",
    ),
    info(
        Code::E0544,
        "forecast model could not be fitted",
        "The forecasting method failed on a series (a numerical failure of the model fit, for example on a series that the method cannot represent). The message names the series and the method's own error.\n\nFix: try another method (`method = ets`, `method = naive`), or check the history for data errors such as a unit mix-up in one period.",
    ),
    info(
        Code::E0545,
        "a history value is not a number",
        "A history that is forecast or aggregated holds a value that is not a finite number (`NaN`, `inf`) in its data file. The message points at the file, row and column of the value.\n\n    region,month,value\n    us-east,2026M03,NaN      // E0545 when usage[us-east] is forecast\n\nFix: write the measured value, or leave the period out and shorten the history (a missing period is E0541).",
    ),
    info(
        Code::E0546,
        "incomplete period in an aggregate",
        "`aggregate(...)` builds each coarse period (a quarter) from all the finer periods it holds (three months). When the history's periods or its data lack some of them, the aggregate of that period would be taken over part of it: a quarterly peak from one month of three. That is an error unless the model says otherwise with `incomplete = partial`, which aggregates the finer periods there are (at least one).\n\n    set months   = 2026M01..2026M05\n    set quarters = 2026Q1..2026Q2\n    param peak[r in regions, q in quarters]: core = aggregate(usage[r], max)   // E0546: 2026Q2 lacks 2026M06\n\nFix: load the missing periods, shorten the coarse periods to complete ones, or write `incomplete = partial`.",
    ),
    info(
        Code::E0550,
        "a scalar param's data file does not give one value",
        "A scalar param loaded from a file (`param budget: usd from \"budget.csv\"`) takes one value from it. The file is either a one-row table with a `value` column (or a column named after the param), or a table of many params with a `name` column and a `value` column, where the row whose `name` is the param's name gives the value. This error says the file has no such row, or more than one.\n\nExample (params.csv):\n\n    name,value\n    budget,10000\n    hours,730\n\n    param budget: usd from \"params.csv\"    // reads 10000\n    param margin: real from \"params.csv\"    // E0550: no row named `margin`\n\nFix: add the row (or remove the duplicate one), or load the param from another file.",
    ),
    info(
        Code::E0585,
        "the key column of an entity file is also an attribute",
        "`SET from \"PATH\" key COLUMN` reads the entity names from COLUMN instead of `name`. That column cannot also be an attribute of the kind: one cell would be both the entity's name and an attribute value, and the attribute's type (a number, a region) is not a name.\n\nExample:\n\n    kind host { id: int, cores: core }\n    hosts from \"hosts.csv\" key id    // E0585: `id` is an attribute of `host`\n\nFix: read the names from another column (`key host_name`), or rename the attribute (`kind host { number: int, cores: core }`) and its column.",
    ),
    info(
        Code::W0551,
        "data file lacks a column: the default is taken",
        "An entity file (`services from \"services.csv\"`) has no column for an attribute that the kind declares with a default (`kind service { cores: core = 0 core }`), so every entity of the file takes the default. That is often a misspelt or forgotten column rather than intent: a capacity of 0 or a cost of 0 changes the plan without an error.\n\nExample: services.csv has `name,replicas` while the kind declares `cores: core = 0 core`.\n\nFix: add the column to the file; or, when the default is meant for every entity, leave the file as it is (the warning names each column and the default taken). Attributes of the standard library's kinds are not reported: their defaults are meant to be taken.",
    ),
    info(
        Code::E0560,
        "probability outside [0, 1]",
        "A scenario probability (`p = ...` in the model, the `p` column of a scenario file) or an entity failure probability read by `fail_independent` or `fail_k(SET, K, p = ATTR)` is below 0 or above 1.\n\nExample (scenarios.csv):\n\n    name,p,down\n    calm,1.2,\n\nFix: correct the value; probabilities are plain numbers from 0 to 1 (write 0.01, not 1%).",
    ),
    info(
        Code::E0561,
        "scenario probabilities do not sum to 1",
        "The scenarios of a declared or loaded set are all the worlds considered, so their probabilities must sum to 1 (within 1e-6). The message gives the sum.\n\nExample:\n\n    set storms = {calm: scenario(p = 0.9), cut: scenario(p = 0.2, down = {a->b})}   // sums to 1.1\n\nFix: correct the probabilities, or add a scenario for the rest. Generated sets need no fix: `fail_independent` leaves out the scenarios below its cutoff and `mass(S)` says how much probability remains.",
    ),
    info(
        Code::E0562,
        "unknown entity in a failure list",
        "The `down` column of a scenario file names entities separated by spaces or `;`. A name that is no entity of the model is this error, at the cell.\n\nExample (scenarios.csv):\n\n    name,p,down\n    cut,0.1,ny-chi;ny-wsh\n\nFix: correct the name; links are named `src->dst`.",
    ),
    info(
        Code::E0563,
        "k larger than the set",
        "`fail_k(SET, K)` enumerates every failure of K entities of SET, and `fail_groups(SET, ATTR, k = K)` every failure of K shared-risk groups at once; a K larger than the number of entities (or of groups), or below 1, gives no failure scenario and is an error.\n\nExample: three regions and\n\n    set n4 = fail_k(regions, 4)   // E0563\n\nFix: choose K from 1 to the size of the set (the number of distinct non-empty values of ATTR for groups).",
    ),
    info(
        Code::E0564,
        "too many scenarios",
        "A scenario generator would produce more than 1,000,000 scenarios (for example `fail_k` of 3 out of 500 links, or `fail_independent` with a cutoff of 0 over many entities). The count is found before the scenarios are built.\n\nFix: plan for fewer simultaneous failures, raise the cutoff of `fail_independent`, or group entities that fail together with `fail_groups`.",
    ),
    info(
        Code::E0565,
        "a `--plan` file that is not a solution report",
        "`archc risk MODEL --plan FILE` reads the JSON report of an earlier `archc solve MODEL --format json`: an object whose `decisions` list gives each decision's `name` and its `values` (each an `index` list of names and a numeric `value`). The file given is not JSON, or JSON of another shape.\n\nExample:\n\n    archc solve model.arch --out plan.txt          # a text report\n    archc risk model.arch --plan plan.txt           // E0565\n\nFix: write the plan with `archc solve model.arch --format json --out plan.json`.",
    ),
    info(
        Code::E0566,
        "a `--plan` file names a decision or index the model does not have",
        "The plan gives a value for a decision the model does not declare, or for an index tuple a first-stage decision does not have (a region or link the model does not know, or the wrong number of indices). The plan was made for another model, or the model changed since.\n\nExample: the plan was solved before region `c` was removed from the model:\n\n    {\"name\": \"cap\", \"values\": [{\"index\": [\"c\"], \"value\": 60}]}   // E0566\n\nFix: solve the current model again with `--format json`, or assess the model the plan was made for.",
    ),
    info(
        Code::E0567,
        "a `--plan` file gives no usable value for a first-stage decision",
        "`archc risk` fixes every first-stage decision (one not indexed by the scenario set) at the plan's value, so the plan must list every first-stage decision (instances left out of its `values` are zero, as `archc solve` writes them) and each value must lie within the decision's bounds and be whole for an `int` or `bool` decision.\n\nExample: the model gained a decision `spare[r in regions]` after the plan was solved; the plan has no entry named `spare`   // E0567\n\nFix: solve the current model again with `--format json`.",
    ),
    info(
        Code::E0586,
        "not a start: the `--start` file is no solution report",
        "`archc solve --start FILE` reads the JSON report of an earlier solve (`archc solve MODEL --format json --out FILE`, schema `archc.solution/1`) and starts the solver from its plan. The file given cannot be read, is not JSON, is JSON of another shape or schema, or is the report of a solve without a plan (an empty `decisions` list). The message names the file and, for a wrong shape, the JSON path.\n\nExample:\n\n    archc solve model.arch --format csv --out plan/\n    archc solve model.arch --start plan/replicas.csv   // E0586: CSV, not the JSON report\n\nFix: write the report with `--format json`, or start from the model's current state with `--start current`.",
    ),
    info(
        Code::E0587,
        "the start names a decision the model does not have",
        "A `--start` report lists its plan by decision name (`decisions[i].name`), and one of them is not a decision of the model being solved: the report comes from another model, or the decision was renamed or removed since. archc does not guess which decision was meant, so the start is refused rather than half-used.\n\nExample:\n\n    decide replicas[...]   // the report was written when it was called `copies`\n    archc solve model.arch --start old.json   // E0587 at `decisions[0].name`: no decision `copies`\n\nFix: solve the current model once and start from that report, or fix the name in the JSON.",
    ),
    info(
        Code::E0588,
        "the start has an instance the decision does not have",
        "Each value of a `--start` report names its instance by index (`decisions[i].values[k].index`, e.g. `[\"checkout\", \"us-east\"]`), and one of them is not an instance of that decision in this model with this data: an entity was removed or renamed, or a `where` filter now leaves the pair out.\n\nExample:\n\n    // regions.csv no longer has `ap-south`\n    archc solve model.arch --start last-month.json\n    // E0588 at `decisions[0].values[7].index`: `replicas` has no instance `replicas[search, ap-south]`\n\nFix: start from a solve over the same entities (remove the instance from the JSON, or start from `--start current`).",
    ),
    info(
        Code::E0589,
        "a start value is not a number",
        "Every value of a `--start` report (`decisions[i].values[k].value`) must be a finite number; the one named is a string, `null`, or missing.\n\nExample:\n\n    {\"index\": [\"checkout\", \"us-east\"], \"value\": \"12\"}   // E0589: a string\n\nFix: write the number without quotes (`\"value\": 12`).",
    ),
    info(
        Code::E0580,
        "not a shard plan",
        "`archc merge MODEL FILES...` reads the JSON plans that `archc solve --shard i/N --out FILE` writes (schema `archc.shard/1`), and a file given is not one: not JSON, JSON of another shape (a solution report from `archc solve --format json`, say), or another schema version.\n\nExample:\n\n    archc solve model.arch --format json --out plan.json\n    archc merge model.arch plan.json        // E0580: a report, not a shard plan\n\nFix: give the files written with `--shard`.",
    ),
];
