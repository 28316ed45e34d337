//! The texts of the E02xx: names codes (`archc explain CODE`).

use super::{info, Code, CodeInfo};

pub(super) const TABLE: &[CodeInfo] = &[
    info(
        Code::E0201,
        "unknown name",
        "A name is used that no declaration in scope defines.\n\nNames come from declarations (`param`, `decide`, `set`, `constraint`, `fn`, kinds and their sets such as `regions`), from entities (`region us-east`), from index variables (`r` in `[r in regions]`) and from `use`d modules. The message suggests the closest known name.\n\nA frequent cause: `a-b` is one name, because names may hold hyphens (`us-east`); a subtraction needs spaces: `a - b`.",
    ),
    info(
        Code::E0202,
        "duplicate declaration",
        "Two declarations have the same name in the same namespace. Each param, decision, set, constraint, function, kind and entity of a kind needs its own name.\n\nRename one of them; the second label shows the first declaration.",
    ),
    info(
        Code::E0203,
        "unknown attribute",
        "An attribute is read or set that the entity's kind does not declare.\n\nKinds declare their attributes: `kind region { cores: core = 0 core }`; `use std.infra` declares the standard ones. Add the attribute to the kind (a second `kind region { ... }` block adds attributes), or fix the spelling.",
    ),
    info(
        Code::E0204,
        "unknown module",
        "`use` names a module that does not exist. The standard library has `std.infra`, `std.placement`, `std.routing`, `std.capacity` and `std.risk`; other files are used by path: `use \"shared/regions.arch\"`.",
    ),
    info(
        Code::E0205,
        "cannot read used file",
        "`use \"path.arch\"` names a file that cannot be read. Paths are relative to the file that contains the `use`.",
    ),
    info(
        Code::E0206,
        "circular use",
        "Files use each other in a circle. Move the shared declarations into a third file that both use.",
    ),
    info(
        Code::E0207,
        "unknown kind",
        "An entity is declared with a kind that does not exist: `regon us-east { ... }`. Built-in kinds are `region`, `zone`, `service`, `link` and `dataset`; others are declared with `kind NAME { ... }`.",
    ),
    info(
        Code::E0208,
        "missing attribute",
        "An entity does not set an attribute that its kind declares without a default. Set it in the entity, or give the attribute a default in the kind: `cores: core = 0 core`.",
    ),
    info(
        Code::E0209,
        "unknown template",
        "`apply` names a template that is not declared or used. Templates are declared with `template NAME(params) { ... }` or come from a stdlib module (`use std.placement`).",
    ),
    info(
        Code::E0210,
        "wrong number of template arguments",
        "`apply` gives a template more or fewer arguments than it declares. The label lists the template's parameters.",
    ),
    info(
        Code::E0212,
        "ambiguous name",
        "A bare name matches entities of several kinds. Write it as an element of one set: use an index filter, or rename one of the entities.",
    ),
    info(
        Code::E0213,
        "index variable already bound",
        "The same index variable is bound twice in one index list: `[r in regions, r in zones]`. Use different names.",
    ),
    info(
        Code::E0214,
        "no such link",
        "`a -> b` between two entities names the link from `a` to `b`, the entity `a->b` that `link a -> b { ... }` or `link a <-> b { ... }` declares. No link of that name exists.\n\nLinks are directed: `link a -> b` declares only `a->b`; `link a <-> b` declares both `a->b` and `b->a`. Declare the missing link, or fix the direction. When the ends come from data files, the link is looked up when the data is loaded.",
    ),
    info(
        Code::E0215,
        "standard attributes used without `use std.infra`",
        "The model sets or reads attributes that the standard library module `std.infra` declares for the built-in kinds (`cores` and `price` of regions, `replicas` of services, `latency` and `capacity` of links, ...), but does not `use` it. Without the module the built-in kinds have no attributes (links have only `src` and `dst`), so every such attribute would be unknown.\n\nExample:\n\n    region us-east { cores: 40_000 core }   // E0215: `cores` comes from std.infra\n\nAdd `use std.infra` at the top of the file. The error is reported once, on the first use; the rest of the model is checked as if the module were used, so the other errors shown are real.",
    ),
    info(
        Code::E0216,
        "file too large",
        "A model, a used file or a data file is larger than the size limit (1 GiB unless raised), so archc does not read it. The limit guards against naming a huge file by mistake (a log, a disk image) and against running out of memory.\n\nExample: `regions from \"dump.csv\"` where dump.csv is 40 GB.\n\nFix: check the path. If the file is really meant, raise the limit: `archc check --max-file-size 8000000000 model.arch` (also on `solve` and `emit`), or set `AnalyzeOptions::max_file_size` when embedding.",
    ),
    info(
        Code::E0217,
        "not a regular file",
        "A model, a used file or a data file names something that is not a regular file: a FIFO (named pipe), a device such as `/dev/zero` or `/dev/stdin`, or a socket. Reading it could block for ever or never end, so archc does not open it.\n\nExample:\n\n    services from \"feed.csv\"   // feed.csv was made by `mkfifo feed.csv`\n\nFix: write the data to a regular file first (`producer > data/services.csv`) and name that file.",
    ),
    info(
        Code::E0220,
        "templates apply each other in a cycle",
        "A template's body applies the template itself, directly (`template a(k) { apply a(k) }`) or through others (`a` applies `b`, `b` applies `a`). Expanding it would never end, so none of the templates on the cycle is expanded. The message names the cycle: `a -> b -> a`.\n\nTemplates may apply other templates; break the cycle by moving the shared declarations into a third template that both apply.",
    ),
    info(
        Code::E0221,
        "template expansion too large",
        "An `apply` would expand to more declarations than archc allows for one `apply` (100,000), counting the templates it applies in turn. A template that applies the next one twice, 20 levels deep, already makes a million copies.\n\nThe size is computed from the templates before anything is copied. Apply the inner templates once, over an index set, instead of once per copy: `constraint c[i in items]: ...` in one template rather than one template per item.",
    ),
    info(
        Code::E0222,
        "`--set` names no param",
        "`archc check|solve|emit --set NAME=VALUE` replaces the value of the param `NAME` for one run, and the model declares no param of that name.\n\nExample:\n\n    param budget: usd = 10000 usd\n\n    archc solve model.arch --set budjet=12000usd\n\nFix: spell the param as the model declares it (the message suggests a close name). Only params can be set; for other changes edit the model or point `--data DIR` at other data files.",
    ),
    info(
        Code::E0223,
        "`--set` on a param that takes no single value",
        "`--set NAME=VALUE` gives a scalar param one value. An indexed param (`param demand[s in services]: core`) has one value per index, so it cannot be set from the command line.\n\nExample:\n\n    param demand[s in services]: core from \"demand.csv\"\n\n    archc solve model.arch --set demand=4core\n\nFix: give the values in a data file and choose the folder with `--data DIR`, or declare a scalar param (`param scale: real = 1`) that the indexed one multiplies and set that one.",
    ),
    info(
        Code::E0240,
        "not a field of a scenario",
        "An entry of a scenario set (`NAME: scenario(...)`) sets `p` (its probability), `down` (the entities that are down) and params indexed by the scenario set alone, whose value it overrides in that scenario. Any other name is this error.\n\nExample:\n\n    param mult[s in storms]: real = 1\n    set storms = {calm: scenario(p = 0.9), peak: scenario(p = 0.1, mul = 1.5)}   // E0240\n\nFix: correct the name (`mult`), or declare the param with one index over the scenario set.",
    ),
    info(
        Code::E0241,
        "unknown option of a scenario generator",
        "A scenario generator takes its arguments and then named options: `fail_k(SET, K, up_to = BOOL, nominal = BOOL)`, `fail_independent(SET, ATTR, cutoff = P, nominal = BOOL)`, `fail_groups(SET, ATTR, nominal = BOOL)`. Another option name is this error.\n\nExample:\n\n    set n1 = fail_k(regions, 1, nomial = false)   // E0241\n\nFix: use one of the options the message lists.",
    ),
    info(
        Code::E0250,
        "`moves` or `changed` of something that is not a decision",
        "`moves(x, was)` and `changed(x, was)` compare a decision with its current state. Their first argument names a whole decision, without indices:\n\n    decide replicas[s in services, r in regions]: int >= 0 <= 100\n    param was[s in services, r in regions]: int from \"current.csv\"\n    minimize moved: moves(replicas, was)\n\n`moves(replicas[s, r], was)` or `moves(demand, was)` (a param) is E0250.",
    ),
    info(
        Code::E0251,
        "current state that is not a param",
        "The second argument of `moves(x, was)` and `changed(x, was)` names the param that holds the current value of every instance of the decision, usually loaded from a file:\n\n    param was[s in services, r in regions]: int from \"current.csv\"\n\nAn expression, a set or a decision there is E0251.",
    ),
    info(
        Code::E0255,
        "`--partition` names no set",
        "`archc solve --partition SET:K` splits the elements of the set `SET` into `K` parts, and the model declares no set of that name.\n\nExample:\n\n    kind service { demand: core = 0 core }\n    services from \"services.csv\"\n\n    archc solve model.arch --partition service:16\n\nFix: name the set as the model declares it (`services`, not the kind `service`); the message suggests a close name or lists the model's sets.",
    ),
    info(
        Code::E0256,
        "the set to partition is named twice",
        "A model names at most one set for a partitioned solve (`partition SET into K`), and this one has two `partition` declarations (perhaps one in a used file or a template).\n\nExample:\n\n    partition services into 16\n    partition demands into 4   // E0256\n\nFix: keep one declaration. To split another set for one run, leave the model as it is and give `archc solve --partition SET:K`, which replaces the model's choice for that run.",
    ),
];
