//! The texts of the E04xx: units codes (`archc explain CODE`).

use super::{info, Code, CodeInfo};

pub(super) const TABLE: &[CodeInfo] = &[
    info(
        Code::E0401,
        "cannot add quantities of different dimensions",
        "Both sides of `+` or `-` must measure the same thing: `core + core`, `Gbps + Mbps` (converted), never `ms + Gbps`.\n\nA plain number without unit is dimensionless; `x + 1` with `x` in `core` needs `x + 1 core`. The literal `0` fits any unit.",
    ),
    info(
        Code::E0402,
        "cannot compare quantities of different dimensions",
        "The sides of a comparison (and of a constraint) must have the same dimension: `core <= core`, not `core <= GiB`.\n\nUsually a factor is missing, such as the cores per replica: `s.cores * replicas[s, r] <= r.cores`.",
    ),
    info(
        Code::E0403,
        "unknown unit",
        "A unit name is not known. Built-in units include core, bit/byte with SI and binary prefixes (GB, GiB), bps (Gbps), s/ms/h/day, usd, W/kW, req/rps and percent. Declare new ones with `unit gpu` (a new base unit) or `unit rack = 42 core`.\n\nA name right after a number is read as a unit: `100 hours` means the unit `hours`; write `100 * hours` to multiply by a param.",
    ),
    info(
        Code::E0404,
        "invalid unit expression",
        "A unit expression could not be read: units combine with `*`, `/` and integer powers `^2`, without spaces: `usd/core/h`, `GiB*h`.",
    ),
    info(
        Code::E0405,
        "value has the wrong unit",
        "A value given for an attribute, param, default or bound has a different dimension than declared: `cores: 16 GiB` when `cores` is declared in `core`.",
    ),
    info(
        Code::E0406,
        "unit declaration failed",
        "A `unit` declaration names a unit that exists already, or declares more new base units than archc supports (8).",
    ),
    info(
        Code::E0407,
        "exponent must be a plain integer",
        "Powers of quantities need a constant integer exponent, so that the unit is known: `x ^ 2`. A dimensionless base may take any exponent.",
    ),
    info(
        Code::E0415,
        "tolerance in the wrong unit",
        "The tolerance of a ranked objective (`within ...`) is either relative, in percent (`within 1 %`: the objective may move by 1 % of its optimum), or absolute, in the objective's own unit (`within 50 usd` for an objective in `usd`, a plain number for a dimensionless one):\n\n    minimize cost: sum(r in regions) r.price * replicas[r] within 2 GiB   // E0415: cost is in usd",
    ),
    info(
        Code::E0416,
        "current state in the wrong unit",
        "The current values given to `moves(x, was)` or `changed(x, was)` are values of the decision, so the param is declared in a unit of the decision's dimension:\n\n    decide flow[l in links]: real Gbps >= 0\n    param was[l in links]: GiB from \"current.csv\"   // E0416 in moves(flow, was)",
    ),
];
