//! Units and dimensions: the vocabulary the type checker uses to reject `ms + Gbps` and to
//! convert `1 Tbps` into `1000 Gbps`.
//!
//! It sits beside the checker in the pipeline (parse → resolve → **check types and units** →
//! instantiate): the checker parses the unit text written after numbers and in declarations
//! with [`UnitRegistry::parse`], compares units with [`Unit::same_dim`] and
//! [`Unit::factor_to`], adds user `unit` declarations with [`UnitRegistry::declare_base`] and
//! [`UnitRegistry::declare_derived`], and prints units in messages with
//! [`UnitRegistry::format`] and [`UnitRegistry::dim_name`]. This module emits no diagnostics
//! itself: it returns [`UnitError`] values holding byte offsets inside the unit text, which
//! the checker turns into E04xx diagnostics.
//!
//! # Model
//!
//! A [`Unit`] is a [`Dim`] (a vector of integer exponents over [`NDIMS`] base dimensions)
//! and a scale: a value `v` in the unit is `v * scale` in base units. Base units have scale 1.
//! Two units can be converted into each other exactly when their dimensions are equal.
//!
//! | index | dimension     | base unit |
//! |-------|---------------|-----------|
//! | 0     | `compute`     | `core`    |
//! | 1     | `information` | `bit`     |
//! | 2     | `time`        | `s`       |
//! | 3     | `money`       | `usd`     |
//! | 4     | `power`       | `W`       |
//! | 5     | `requests`    | `req`     |
//! | 6     | `length`      | `m`       |
//! | 7     | `carbon`      | `gCO2e`   |
//! | 8–15  | user `unit` declarations, named after the unit (`unit gpu` → dimension `gpu`) | |
//!
//! Bits and bytes share one dimension (`information`), so `Gbps` and `GB/s` are compatible.
//!
//! # Unit expressions
//!
//! Unit text is a product of names, numbers and parenthesised groups joined by `*` and `/`,
//! each optionally raised to an integer power with `^`: `usd/core/h`, `GiB*h`, `m^2`, `1/s`,
//! `usd/(core*h)`, `s^-1`. Division is left-associative, so `a/b/c` means `a/(b*c)`. A `*`
//! after a `/` at the same level (`usd/core*h`) is rejected as ambiguous: write
//! `usd/(core*h)` or `usd*h/core`. Spaces around operators are allowed. Empty text means
//! "dimensionless" (scale 1). Numbers (`1`, `1000`, `10^3`) are positive dimensionless factors.
//!
//! # Built-in units
//!
//! | unit | meaning | prefixes |
//! |------|---------|----------|
//! | `core`, `cores` | base unit of compute | none |
//! | `byte`, `bytes` | 8 bit | information |
//! | `B` | byte | information |
//! | `bit`, `bits` | base unit of information | information |
//! | `b` | bit | information |
//! | `bps` | bit/s | information |
//! | `Bps` | byte/s | information |
//! | `s`, `sec` | base unit of time | small |
//! | `min` | 60 s | none |
//! | `h`, `hr`, `hour`, `hours` | 3600 s | none |
//! | `day`, `days` | 86,400 s | none |
//! | `week`, `weeks` | 7 day = 604,800 s | none |
//! | `month`, `months` | year/12 = 2,628,000 s | none |
//! | `year`, `years`, `yr` | 365 day = 31,536,000 s | none |
//! | `usd` | base unit of money (US dollar) | `k`, `M` |
//! | `W` | base unit of power (watt) | SI |
//! | `Wh` | W*h = 3600 W*s | SI |
//! | `J` | W*s (joule) | SI |
//! | `req`, `request`, `requests` | base unit of requests | large |
//! | `rps` | req/s | large |
//! | `m` | base unit of length (metre) | `k`, `m`, `u`, `n` |
//! | `gCO2e` | base unit of carbon (gram of CO2 equivalent) | `k`, `M` |
//! | `tCO2e` | 10^6 gCO2e (tonne) | none |
//! | `percent`, `pct`, `%` | 0.01 (dimensionless) | none |
//!
//! # Prefix rule
//!
//! A prefix applies to a unit only when the table above lists the prefix class for it; every
//! combination is then accepted without being listed (`Gbps`, `KiBps`, `kWh`, `ms`, `krps`,
//! `kusd`). A name is looked up exactly first; only when that fails is it split into a
//! prefix and a built-in unit (aliases included), trying two-letter prefixes first. Prefixes
//! never stack (`kMW` is unknown) and never apply to user-declared units. Case matters:
//! `Mb` is a megabit, `MB` a megabyte, `ms` a millisecond and `Ms` is unknown.
//!
//! | class | prefixes |
//! |-------|----------|
//! | large | `k` 10^3, `M` 10^6, `G` 10^9, `T` 10^12, `P` 10^15 |
//! | small | `m` 10^-3, `u` (or `µ`) 10^-6, `n` 10^-9 |
//! | SI | large and small |
//! | information | large, `K` 10^3, `E` 10^18, and binary `Ki` 2^10, `Mi` 2^20, `Gi` 2^30, `Ti` 2^40, `Pi` 2^50, `Ei` 2^60 |
//!
//! Time takes only small prefixes; longer spans use `min`, `h`, `day`, `week`, `month` and
//! `year`. The common prefixed forms, offered in completion and used when printing units:
//!
//! | unit | common prefixed forms |
//! |------|-----------------------|
//! | `B` | `KB`, `MB`, `GB`, `TB`, `PB` (10^3.. byte), `KiB`, `MiB`, `GiB`, `TiB`, `PiB` (2^10.. byte) |
//! | `b` | `Kb`, `Mb`, `Gb`, `Tb`, `Pb` (10^3.. bit) |
//! | `bps` | `Kbps`, `Mbps`, `Gbps`, `Tbps` |
//! | `Bps` | `KBps`, `MBps`, `GBps`, `TBps` |
//! | `s` | `ms`, `us`, `ns` |
//! | `usd` | `kusd`, `Musd` |
//! | `W` | `kW`, `MW`, `GW` |
//! | `Wh` | `kWh`, `MWh`, `GWh` |
//! | `J` | `kJ`, `MJ`, `GJ` |
//! | `req` | `kreq`, `Mreq` |
//! | `rps` | `krps`, `Mrps` |
//! | `m` | `km`, `mm` |
//! | `gCO2e` | `kgCO2e` |
//!
//! [`builtin_table`] lists every built-in name with its meaning, including the common
//! prefixed forms, for generated documentation and editor completion.

mod builtin;
mod format;
mod parse;
mod registry;
#[cfg(test)]
mod tests;

pub use builtin::{
    builtin_table, CARBON, COMPUTE, INFORMATION, LENGTH, MONEY, POWER, REQUESTS, TIME,
};
pub use format::{
    format_number, format_percent, format_quantity, format_significant, format_value,
    round_significant,
};
pub use registry::UnitRegistry;

use serde::Serialize;
use std::fmt;

/// Number of base dimensions in a [`Dim`]: 8 built in, 8 for user `unit` declarations.
pub const NDIMS: usize = 16;

/// Index of the first base dimension available to user `unit` declarations.
pub const FIRST_USER_DIM: usize = 8;

/// Exponents of the base dimensions (see the module documentation for the index order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Dim(pub [i8; NDIMS]);

// `mul`/`div` are named like the operator traits on purpose (the operators are implemented
// too and call these).
#[allow(clippy::should_implement_trait)]
impl Dim {
    /// No dimension: every exponent is zero.
    pub fn none() -> Dim {
        Dim([0; NDIMS])
    }

    /// The base dimension with the given index (exponent 1); `none()` when out of range.
    pub fn base(index: usize) -> Dim {
        let mut d = [0; NDIMS];
        if let Some(e) = d.get_mut(index) {
            *e = 1;
        }
        Dim(d)
    }

    /// True when every exponent is zero.
    pub fn is_none(&self) -> bool {
        self.0.iter().all(|&e| e == 0)
    }

    /// The dimension of a product. Exponents saturate instead of overflowing.
    pub fn mul(self, o: Dim) -> Dim {
        let mut d = self.0;
        for (a, b) in d.iter_mut().zip(o.0) {
            *a = a.saturating_add(b);
        }
        Dim(d)
    }

    /// The dimension of a quotient. Exponents saturate instead of overflowing.
    pub fn div(self, o: Dim) -> Dim {
        let mut d = self.0;
        for (a, b) in d.iter_mut().zip(o.0) {
            *a = a.saturating_sub(b);
        }
        Dim(d)
    }

    /// The dimension of an integer power. Exponents saturate instead of overflowing.
    pub fn powi(self, n: i8) -> Dim {
        let mut d = self.0;
        for a in d.iter_mut() {
            *a = a.saturating_mul(n);
        }
        Dim(d)
    }

    /// Number of base dimensions with a non-zero exponent.
    pub fn complexity(&self) -> usize {
        self.0.iter().filter(|&&e| e != 0).count()
    }
}

/// A unit of measure: a dimension and a scale. A value `v` in this unit is `v * scale` in
/// the base units of its dimension.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Unit {
    pub dim: Dim,
    pub scale: f64,
}

// `mul`/`div` are named like the operator traits on purpose (the operators are implemented
// too and call these).
#[allow(clippy::should_implement_trait)]
impl Unit {
    /// A unit with the given dimension and scale.
    pub fn new(dim: Dim, scale: f64) -> Unit {
        Unit { dim, scale }
    }

    /// The plain number unit: no dimension, scale 1.
    pub fn dimensionless() -> Unit {
        Unit {
            dim: Dim::none(),
            scale: 1.0,
        }
    }

    /// True when the unit has no dimension. The scale may still differ from 1 (`percent`
    /// is dimensionless with scale 0.01); use [`Unit::is_one`] to test for the plain number.
    pub fn is_dimensionless(&self) -> bool {
        self.dim.is_none()
    }

    /// True for the plain number unit (no dimension, scale exactly 1).
    pub fn is_one(&self) -> bool {
        self.dim.is_none() && self.scale == 1.0
    }

    /// The unit of a product.
    pub fn mul(self, o: Unit) -> Unit {
        Unit {
            dim: self.dim.mul(o.dim),
            scale: self.scale * o.scale,
        }
    }

    /// The unit of a quotient.
    pub fn div(self, o: Unit) -> Unit {
        Unit {
            dim: self.dim.div(o.dim),
            scale: self.scale / o.scale,
        }
    }

    /// The unit of an integer power.
    pub fn powi(self, n: i8) -> Unit {
        Unit {
            dim: self.dim.powi(n),
            scale: self.scale.powi(i32::from(n)),
        }
    }

    /// The same dimension with the scale multiplied by `factor`.
    pub fn scaled(self, factor: f64) -> Unit {
        Unit {
            dim: self.dim,
            scale: self.scale * factor,
        }
    }

    /// True when both units measure the same dimension (and so convert into each other).
    pub fn same_dim(&self, o: &Unit) -> bool {
        self.dim == o.dim
    }

    /// The factor that turns a value in `self` into a value in `o` (`GiB` → `MiB` is 1024);
    /// `None` when the dimensions differ.
    pub fn factor_to(&self, o: &Unit) -> Option<f64> {
        if self.same_dim(o) {
            Some(self.scale / o.scale)
        } else {
            None
        }
    }

    /// True when both units have the same dimension and scales equal within a relative
    /// tolerance of 1e-9 (scales built along different paths can differ in the last bits).
    pub fn approx_eq(&self, o: &Unit) -> bool {
        self.dim == o.dim && approx_eq_f64(self.scale, o.scale)
    }
}

impl std::ops::Mul for Dim {
    type Output = Dim;
    fn mul(self, o: Dim) -> Dim {
        Dim::mul(self, o)
    }
}

impl std::ops::Div for Dim {
    type Output = Dim;
    fn div(self, o: Dim) -> Dim {
        Dim::div(self, o)
    }
}

impl std::ops::Mul for Unit {
    type Output = Unit;
    fn mul(self, o: Unit) -> Unit {
        Unit::mul(self, o)
    }
}

impl std::ops::Div for Unit {
    type Output = Unit;
    fn div(self, o: Unit) -> Unit {
        Unit::div(self, o)
    }
}

/// Relative comparison used for unit scales.
pub(crate) fn approx_eq_f64(a: f64, b: f64) -> bool {
    if a == b {
        return true;
    }
    let tol = 1e-9 * a.abs().max(b.abs());
    (a - b).abs() <= tol
}

/// Why unit text could not be parsed or a unit could not be declared. Offsets are byte
/// offsets inside the text given to [`UnitRegistry::parse`].
#[derive(Clone, Debug, PartialEq)]
pub enum UnitError {
    /// A name that is not a known unit, with the closest known name when one is close.
    Unknown {
        name: String,
        start: usize,
        end: usize,
        suggestion: Option<String>,
    },
    /// Malformed unit text (or an invalid name given to a declaration, spanning the name).
    Syntax {
        message: String,
        start: usize,
        end: usize,
    },
    /// A declaration whose name already denotes a unit (built-in, prefixed or declared).
    Taken { name: String },
    /// All user base dimensions are in use.
    TooManyBaseUnits,
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitError::Unknown {
                name, suggestion, ..
            } => {
                write!(f, "unknown unit `{name}`")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean `{s}`?")?;
                }
                Ok(())
            }
            UnitError::Syntax { message, .. } => f.write_str(message),
            UnitError::Taken { name } => write!(f, "the unit name `{name}` is already defined"),
            UnitError::TooManyBaseUnits => write!(
                f,
                "too many base units: at most {} `unit` declarations without `=` are allowed",
                NDIMS - FIRST_USER_DIM
            ),
        }
    }
}

impl std::error::Error for UnitError {}
