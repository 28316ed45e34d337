//! The built-in units and prefixes, as data. [`super::UnitRegistry::new`] loads this table;
//! [`builtin_table`] renders it for documentation. The module documentation of
//! [`crate::units`] lists the same units by hand, and a test keeps the two in agreement.

use super::{Dim, Unit};

/// Index of the `compute` dimension (`core`).
pub const COMPUTE: usize = 0;
/// Index of the `information` dimension (`bit`, `byte`).
pub const INFORMATION: usize = 1;
/// Index of the `time` dimension (`s`).
pub const TIME: usize = 2;
/// Index of the `money` dimension (`usd`).
pub const MONEY: usize = 3;
/// Index of the `power` dimension (`W`).
pub const POWER: usize = 4;
/// Index of the `requests` dimension (`req`).
pub const REQUESTS: usize = 5;
/// Index of the `length` dimension (`m`).
pub const LENGTH: usize = 6;
/// Index of the `carbon` dimension (`gCO2e`).
pub const CARBON: usize = 7;

/// Names of the built-in dimensions, by index.
pub const DIM_NAMES: [&str; 8] = [
    "compute",
    "information",
    "time",
    "money",
    "power",
    "requests",
    "length",
    "carbon",
];

/// Base unit name of each built-in dimension, by index.
pub const BASE_NAMES: [&str; 8] = ["core", "bit", "s", "usd", "W", "req", "m", "gCO2e"];

/// A unit prefix: `k` multiplies by 10^3.
#[derive(Debug)]
pub struct Prefix {
    pub text: &'static str,
    pub factor: f64,
    pub meaning: &'static str,
}

const fn p(text: &'static str, factor: f64, meaning: &'static str) -> Prefix {
    Prefix {
        text,
        factor,
        meaning,
    }
}

const KILO: Prefix = p("k", 1e3, "10^3");
const KILO_UPPER: Prefix = p("K", 1e3, "10^3");
const MEGA: Prefix = p("M", 1e6, "10^6");
const GIGA: Prefix = p("G", 1e9, "10^9");
const TERA: Prefix = p("T", 1e12, "10^12");
const PETA: Prefix = p("P", 1e15, "10^15");
const EXA: Prefix = p("E", 1e18, "10^18");
const MILLI: Prefix = p("m", 1e-3, "10^-3");
const MICRO: Prefix = p("u", 1e-6, "10^-6");
const MICRO_SIGN: Prefix = p("µ", 1e-6, "10^-6");
const NANO: Prefix = p("n", 1e-9, "10^-9");
const KIBI: Prefix = p("Ki", 1024.0, "2^10");
const MEBI: Prefix = p("Mi", 1_048_576.0, "2^20");
const GIBI: Prefix = p("Gi", 1_073_741_824.0, "2^30");
const TEBI: Prefix = p("Ti", 1_099_511_627_776.0, "2^40");
const PEBI: Prefix = p("Pi", 1_125_899_906_842_624.0, "2^50");
const EXBI: Prefix = p("Ei", 1_152_921_504_606_846_976.0, "2^60");

/// No prefixes.
pub const NO_PREFIX: &[Prefix] = &[];
/// `k M G T P`.
pub const LARGE: &[Prefix] = &[KILO, MEGA, GIGA, TERA, PETA];
/// `m u µ n`.
pub const SMALL: &[Prefix] = &[MILLI, MICRO, MICRO_SIGN, NANO];
/// Large and small.
pub const SI: &[Prefix] = &[KILO, MEGA, GIGA, TERA, PETA, MILLI, MICRO, MICRO_SIGN, NANO];
/// Decimal (with `K` and `E`) and binary prefixes for bits and bytes.
pub const INFO: &[Prefix] = &[
    KIBI, MEBI, GIBI, TEBI, PEBI, EXBI, KILO, KILO_UPPER, MEGA, GIGA, TERA, PETA, EXA,
];
/// Prefixes of money: `k M`.
pub const MONEY_PREFIXES: &[Prefix] = &[KILO, MEGA];
/// Prefixes of length: `k m u µ n`.
pub const LENGTH_PREFIXES: &[Prefix] = &[KILO, MILLI, MICRO, MICRO_SIGN, NANO];

/// Every distinct prefix, two-letter ones first, for splitting a name into prefix and unit.
pub const ALL_PREFIXES: &[Prefix] = &[
    KIBI, MEBI, GIBI, TEBI, PEBI, EXBI, KILO, KILO_UPPER, MEGA, GIGA, TERA, PETA, EXA, MILLI,
    MICRO, MICRO_SIGN, NANO,
];

/// One built-in unit.
pub struct Builtin {
    /// The canonical name, used when printing units.
    pub name: &'static str,
    /// Other names for the same unit (same prefixes).
    pub aliases: &'static [&'static str],
    /// Exponents over base dimensions.
    pub dims: &'static [(usize, i8)],
    /// Value of one of this unit in base units.
    pub scale: f64,
    /// What the unit is, for documentation.
    pub meaning: &'static str,
    /// Prefixes this unit accepts.
    pub prefixes: &'static [Prefix],
    /// Prefixed forms worth listing (completion, documentation, printing).
    pub common: &'static [&'static str],
}

impl Builtin {
    /// The unit this entry denotes (without prefix).
    pub fn unit(&self) -> Unit {
        let mut d = Dim::none();
        for &(i, e) in self.dims {
            d = d.mul(Dim::base(i).powi(e));
        }
        Unit::new(d, self.scale)
    }
}

const YEAR_S: f64 = 365.0 * 86_400.0;

/// All built-in units. Order matters: earlier entries win when several names print the same
/// unit, and are preferred as "did you mean" suggestions.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "core",
        aliases: &["cores"],
        dims: &[(COMPUTE, 1)],
        scale: 1.0,
        meaning: "base unit of compute",
        prefixes: NO_PREFIX,
        common: &[],
    },
    Builtin {
        name: "byte",
        aliases: &["bytes"],
        dims: &[(INFORMATION, 1)],
        scale: 8.0,
        meaning: "8 bit",
        prefixes: INFO,
        common: &[],
    },
    Builtin {
        name: "B",
        aliases: &[],
        dims: &[(INFORMATION, 1)],
        scale: 8.0,
        meaning: "byte",
        prefixes: INFO,
        common: &[
            "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB",
        ],
    },
    Builtin {
        name: "bit",
        aliases: &["bits"],
        dims: &[(INFORMATION, 1)],
        scale: 1.0,
        meaning: "base unit of information",
        prefixes: INFO,
        common: &[],
    },
    Builtin {
        name: "b",
        aliases: &[],
        dims: &[(INFORMATION, 1)],
        scale: 1.0,
        meaning: "bit",
        prefixes: INFO,
        common: &["Kb", "Mb", "Gb", "Tb", "Pb"],
    },
    Builtin {
        name: "bps",
        aliases: &[],
        dims: &[(INFORMATION, 1), (TIME, -1)],
        scale: 1.0,
        meaning: "bit/s",
        prefixes: INFO,
        common: &["Kbps", "Mbps", "Gbps", "Tbps"],
    },
    Builtin {
        name: "Bps",
        aliases: &[],
        dims: &[(INFORMATION, 1), (TIME, -1)],
        scale: 8.0,
        meaning: "byte/s",
        prefixes: INFO,
        common: &["KBps", "MBps", "GBps", "TBps"],
    },
    Builtin {
        name: "s",
        aliases: &["sec"],
        dims: &[(TIME, 1)],
        scale: 1.0,
        meaning: "base unit of time",
        prefixes: SMALL,
        common: &["ms", "us", "ns"],
    },
    Builtin {
        name: "min",
        aliases: &[],
        dims: &[(TIME, 1)],
        scale: 60.0,
        meaning: "60 s",
        prefixes: NO_PREFIX,
        common: &[],
    },
    Builtin {
        name: "h",
        aliases: &["hr", "hour", "hours"],
        dims: &[(TIME, 1)],
        scale: 3600.0,
        meaning: "3600 s",
        prefixes: NO_PREFIX,
        common: &[],
    },
    Builtin {
        name: "day",
        aliases: &["days"],
        dims: &[(TIME, 1)],
        scale: 86_400.0,
        meaning: "86,400 s",
        prefixes: NO_PREFIX,
        common: &[],
    },
    Builtin {
        name: "week",
        aliases: &["weeks"],
        dims: &[(TIME, 1)],
        scale: 604_800.0,
        meaning: "7 day = 604,800 s",
        prefixes: NO_PREFIX,
        common: &[],
    },
    Builtin {
        name: "month",
        aliases: &["months"],
        dims: &[(TIME, 1)],
        scale: YEAR_S / 12.0,
        meaning: "year/12 = 2,628,000 s",
        prefixes: NO_PREFIX,
        common: &[],
    },
    Builtin {
        name: "year",
        aliases: &["years", "yr"],
        dims: &[(TIME, 1)],
        scale: YEAR_S,
        meaning: "365 day = 31,536,000 s",
        prefixes: NO_PREFIX,
        common: &[],
    },
    Builtin {
        name: "usd",
        aliases: &[],
        dims: &[(MONEY, 1)],
        scale: 1.0,
        meaning: "base unit of money (US dollar)",
        prefixes: MONEY_PREFIXES,
        common: &["kusd", "Musd"],
    },
    Builtin {
        name: "W",
        aliases: &[],
        dims: &[(POWER, 1)],
        scale: 1.0,
        meaning: "base unit of power (watt)",
        prefixes: SI,
        common: &["kW", "MW", "GW"],
    },
    Builtin {
        name: "Wh",
        aliases: &[],
        dims: &[(POWER, 1), (TIME, 1)],
        scale: 3600.0,
        meaning: "W*h = 3600 W*s",
        prefixes: SI,
        common: &["kWh", "MWh", "GWh"],
    },
    Builtin {
        name: "J",
        aliases: &[],
        dims: &[(POWER, 1), (TIME, 1)],
        scale: 1.0,
        meaning: "W*s (joule)",
        prefixes: SI,
        common: &["kJ", "MJ", "GJ"],
    },
    Builtin {
        name: "req",
        aliases: &["request", "requests"],
        dims: &[(REQUESTS, 1)],
        scale: 1.0,
        meaning: "base unit of requests",
        prefixes: LARGE,
        common: &["kreq", "Mreq"],
    },
    Builtin {
        name: "rps",
        aliases: &[],
        dims: &[(REQUESTS, 1), (TIME, -1)],
        scale: 1.0,
        meaning: "req/s",
        prefixes: LARGE,
        common: &["krps", "Mrps"],
    },
    Builtin {
        name: "m",
        aliases: &[],
        dims: &[(LENGTH, 1)],
        scale: 1.0,
        meaning: "base unit of length (metre)",
        prefixes: LENGTH_PREFIXES,
        common: &["km", "mm"],
    },
    Builtin {
        name: "gCO2e",
        aliases: &[],
        dims: &[(CARBON, 1)],
        scale: 1.0,
        meaning: "base unit of carbon (gram of CO2 equivalent)",
        prefixes: MONEY_PREFIXES,
        common: &["kgCO2e"],
    },
    Builtin {
        name: "tCO2e",
        aliases: &[],
        dims: &[(CARBON, 1)],
        scale: 1e6,
        meaning: "10^6 gCO2e (tonne)",
        prefixes: NO_PREFIX,
        common: &[],
    },
    Builtin {
        name: "percent",
        aliases: &["pct", "%"],
        dims: &[],
        scale: 0.01,
        meaning: "0.01 (dimensionless)",
        prefixes: NO_PREFIX,
        common: &[],
    },
];

/// Splits a prefixed name such as `GiB` into its prefix and the built-in unit it applies to,
/// when the unit accepts that prefix.
pub fn split_prefixed(name: &str) -> Option<(&'static Prefix, &'static Builtin)> {
    for prefix in ALL_PREFIXES {
        let Some(rest) = name.strip_prefix(prefix.text) else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        let found = BUILTINS
            .iter()
            .find(|b| b.name == rest || b.aliases.contains(&rest));
        if let Some(b) = found {
            if b.prefixes.iter().any(|q| q.text == prefix.text) {
                return Some((prefix, b));
            }
        }
    }
    None
}

/// Every built-in name with its meaning, in definition order: each unit, its aliases, and
/// its common prefixed forms (`GiB` → `2^30 byte`). Used to generate documentation.
pub fn builtin_table() -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for b in BUILTINS {
        rows.push((b.name.to_string(), b.meaning.to_string()));
        for a in b.aliases {
            rows.push((a.to_string(), format!("same as {}", b.name)));
        }
        for c in b.common {
            let meaning = match split_prefixed(c) {
                Some((prefix, base)) => {
                    // Short names whose meaning is a plain unit text (`B` = `byte`) read
                    // better spelled out: `GiB` is "2^30 byte".
                    let what = if base.meaning.contains(' ') {
                        base.name
                    } else {
                        base.meaning
                    };
                    format!("{} {}", prefix.meaning, what)
                }
                None => b.meaning.to_string(),
            };
            rows.push((c.to_string(), meaning));
        }
    }
    rows
}
