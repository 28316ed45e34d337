//! Printing numbers, units and dimensions for messages, hovers and reports.
//!
//! [`UnitRegistry::format`] turns a [`Unit`] back into text that [`UnitRegistry::parse`]
//! reads as the same unit, preferring, in order: one named unit (`Gbps`, `kWh`, `rack`);
//! base units alone (`usd/core/s`); a named compound unit times base units (`usd/kWh`,
//! `Gbps/core`); base units with up to two of them swapped for scaled units of the same
//! dimension (`usd/core/h`, `GiB*h`); and last base units behind a number (`1000*usd/core`).

use super::builtin::TIME;
use super::{approx_eq_f64, Dim, Unit, UnitRegistry, NDIMS};

/// One factor of a printed unit: a name raised to a non-zero exponent.
struct Piece {
    name: String,
    exp: i8,
    /// Where the piece goes among the others (see [`print_rank`]).
    rank: (bool, usize),
}

/// Order of dimensions in printed text: by index, except that time comes last, so rates
/// read `usd/gpu/h` and `money/(gpu*time)`.
fn print_rank(index: usize) -> (bool, usize) {
    (index == TIME, index)
}

/// Rank of a named unit over several dimensions: after the others, before time
/// (`usd/Gbps/month`).
const COMPOUND_RANK: (bool, usize) = (false, NDIMS);

/// A number inside unit text: no thousands separators, so that it parses back.
fn unit_number(value: f64) -> String {
    format_number(value).replace(',', "")
}

/// Renders `num*num/den/den`, with exponents as `^n`, and an optional leading number.
fn render(mut pieces: Vec<Piece>, factor: Option<f64>) -> String {
    pieces.sort_by_key(|p| p.rank);
    let show = |p: &Piece| {
        let e = p.exp.unsigned_abs();
        if e == 1 {
            p.name.clone()
        } else {
            format!("{}^{}", p.name, e)
        }
    };
    let num: Vec<String> = pieces.iter().filter(|p| p.exp > 0).map(show).collect();
    let den: Vec<String> = pieces.iter().filter(|p| p.exp < 0).map(show).collect();
    let mut out = match (factor, num.is_empty()) {
        (Some(f), true) => unit_number(f),
        (Some(f), false) => format!("{}*{}", unit_number(f), num.join("*")),
        (None, true) if den.is_empty() => String::new(),
        (None, true) => "1".to_string(),
        (None, false) => num.join("*"),
    };
    for d in den {
        out.push('/');
        out.push_str(&d);
    }
    out
}

/// One dimension of a unit being printed, with the names that could print it.
struct Slot<'c> {
    index: usize,
    base: &'c str,
    exp: i8,
    /// Scaled units of this dimension, with their scale raised to `exp`.
    options: Vec<(&'c str, f64)>,
}

impl Slot<'_> {
    fn piece(&self, choice: Option<&str>) -> Piece {
        Piece {
            name: choice.unwrap_or(self.base).to_string(),
            exp: self.exp,
            rank: print_rank(self.index),
        }
    }
}

fn pieces(slots: &[Slot<'_>], choice: &[Option<&str>]) -> Vec<Piece> {
    slots.iter().zip(choice).map(|(s, c)| s.piece(*c)).collect()
}

impl UnitRegistry {
    /// The unit a result is shown in: `unit` itself, except that a dimensionless unit with a
    /// scale that has no name (`Mbps / Gbps` is 0.001) becomes the plain number, so a ratio
    /// reads `0.5` rather than `500 0.001`. Named ones (a declared `percent`) stay.
    pub fn display_unit(&self, unit: Unit) -> Unit {
        if unit.dim.is_none() && self.format(&unit).parse::<f64>().is_ok() {
            Unit::dimensionless()
        } else {
            unit
        }
    }

    /// Readable text for a unit that parses back to it: `core`, `usd/core/s`, `usd/core/h`,
    /// `Gbps`, `GiB*h`; `""` for the plain number unit.
    pub fn format(&self, unit: &Unit) -> String {
        let cands = self.display_candidates();
        if let Some((name, _)) = cands.iter().find(|(_, u)| u.approx_eq(unit)) {
            return name.clone();
        }
        if unit.dim.is_none() {
            if approx_eq_f64(unit.scale, 1.0) {
                return String::new();
            }
            return unit_number(unit.scale);
        }
        let Some(slots) = self.slots(unit, &cands) else {
            return unit_number(unit.scale);
        };
        if let Some(p) = choose(&slots, unit.scale, 0) {
            return render(p, None);
        }
        if unit.scale.is_finite() && unit.scale > 0.0 {
            let complexity = unit.dim.complexity();
            if let Some(p) = self.with_compound(unit, &cands, complexity - 1) {
                return render(p, None);
            }
            if let Some(p) = choose(&slots, unit.scale, 2) {
                return render(p, None);
            }
            if let Some(p) = self.with_compound(unit, &cands, complexity) {
                return render(p, None);
            }
        }
        let (p, factor) = with_factor(&slots, unit.scale);
        render(p, Some(factor))
    }

    /// The dimensions of `unit` as slots; `None` when one has no base unit (a dimension
    /// index no declaration created).
    fn slots<'c>(&'c self, unit: &Unit, cands: &'c [(String, Unit)]) -> Option<Vec<Slot<'c>>> {
        let mut slots = Vec::new();
        for (i, &exp) in unit.dim.0.iter().enumerate() {
            if exp == 0 {
                continue;
            }
            let base = self.base_unit_name(i)?;
            let options = cands
                .iter()
                .filter(|(_, u)| u.dim == Dim::base(i) && !approx_eq_f64(u.scale, 1.0))
                .map(|(n, u)| (n.as_str(), u.scale.powi(i32::from(exp))))
                .collect();
            slots.push(Slot {
                index: i,
                base,
                exp,
                options,
            });
        }
        // Numerator dimensions are tried first: `kusd/core/s` reads better than `usd/core/ms`.
        slots.sort_by_key(|s| (s.exp < 0, print_rank(s.index)));
        Some(slots)
    }

    /// One named unit over two or more dimensions (`Gbps`, `kWh`, `rps`) as a factor or a
    /// divisor, with the rest printed per dimension in at most `max_rest` dimensions
    /// (`usd/kWh`; `usd/Gbps/month`, where time cancels out).
    fn with_compound(
        &self,
        unit: &Unit,
        cands: &[(String, Unit)],
        max_rest: usize,
    ) -> Option<Vec<Piece>> {
        for (name, named) in cands.iter().filter(|(_, u)| u.dim.complexity() >= 2) {
            for exp in [1i8, -1] {
                let rest = if exp > 0 {
                    unit.div(*named)
                } else {
                    unit.mul(*named)
                };
                if rest.dim.complexity() > max_rest {
                    continue;
                }
                let Some(slots) = self.slots(&rest, cands) else {
                    continue;
                };
                if let Some(mut pieces) = choose(&slots, rest.scale, 2) {
                    pieces.push(Piece {
                        name: name.clone(),
                        exp,
                        rank: COMPOUND_RANK,
                    });
                    return Some(pieces);
                }
            }
        }
        None
    }

    /// Readable name of a dimension: `compute`, `information/time`,
    /// `money/(compute*time)`, `length^2`, `1/time`; `dimensionless` for none.
    pub fn dim_name(&self, dim: &Dim) -> String {
        if dim.is_none() {
            return "dimensionless".to_string();
        }
        let show = |i: usize, e: i8| {
            let name = self.base_dim_name(i);
            let e = e.unsigned_abs();
            if e == 1 {
                name
            } else {
                format!("{name}^{e}")
            }
        };
        let mut num = Vec::new();
        let mut den = Vec::new();
        let mut order: Vec<usize> = (0..dim.0.len()).collect();
        order.sort_by_key(|&i| print_rank(i));
        for i in order {
            let e = dim.0[i];
            if e > 0 {
                num.push(show(i, e));
            } else if e < 0 {
                den.push(show(i, e));
            }
        }
        let mut out = if num.is_empty() {
            "1".to_string()
        } else {
            num.join("*")
        };
        match den.len() {
            0 => {}
            1 => {
                out.push('/');
                out.push_str(&den[0]);
            }
            _ => {
                out.push_str("/(");
                out.push_str(&den.join("*"));
                out.push(')');
            }
        }
        out
    }
}

/// One name per slot: the base unit, except for up to `max_swaps` slots that use a scaled
/// unit so the scales multiply to `target`. Fewer swaps win; among equal counts, earlier
/// slots and earlier candidates win.
fn choose(slots: &[Slot<'_>], target: f64, max_swaps: usize) -> Option<Vec<Piece>> {
    let mut choice: Vec<Option<&str>> = vec![None; slots.len()];
    if approx_eq_f64(target, 1.0) {
        return Some(pieces(slots, &choice));
    }
    if max_swaps >= 1 {
        for (a, sa) in slots.iter().enumerate() {
            for &(na, fa) in &sa.options {
                if approx_eq_f64(fa, target) {
                    choice[a] = Some(na);
                    return Some(pieces(slots, &choice));
                }
            }
        }
    }
    if max_swaps >= 2 {
        for (a, sa) in slots.iter().enumerate() {
            for (b, sb) in slots.iter().enumerate().skip(a + 1) {
                for &(na, fa) in &sa.options {
                    for &(nb, fb) in &sb.options {
                        if approx_eq_f64(fa * fb, target) {
                            choice[a] = Some(na);
                            choice[b] = Some(nb);
                            return Some(pieces(slots, &choice));
                        }
                    }
                }
            }
        }
    }
    None
}

/// Base units with at most one swap, behind the number that makes up the scale; the choice
/// whose number prints shortest wins (`0.5/h` rather than `0.000138.../s`).
fn with_factor(slots: &[Slot<'_>], target: f64) -> (Vec<Piece>, f64) {
    let mut best_choice: Vec<Option<&str>> = vec![None; slots.len()];
    let mut best_factor = target;
    let mut best_len = unit_number(target).len();
    for (a, sa) in slots.iter().enumerate() {
        for &(na, fa) in &sa.options {
            let factor = target / fa;
            let len = unit_number(factor).len();
            if len < best_len {
                best_len = len;
                best_factor = factor;
                best_choice = vec![None; slots.len()];
                best_choice[a] = Some(na);
            }
        }
    }
    (pieces(slots, &best_choice), best_factor)
}

/// A number and its unit text, e.g. `1,200 core`, `0.031 usd/core/h`, `1.5e9 bit`; just
/// the number when the unit text is empty.
pub fn format_quantity(value: f64, unit_text: &str) -> String {
    let number = format_number(value);
    if unit_text.is_empty() {
        number
    } else {
        format!("{number} {unit_text}")
    }
}

/// Readable text for a number: the one number format of archc's output (reports, tables,
/// explanations, diagnostics, the HTML page, progress lines).
///
/// - whole numbers below 10^9 get thousands separators from 1,000 on (`1,200`, `86,400`);
/// - whole numbers from 10^9 on are written `1.5e9` when that takes at most six significant
///   digits, with separators otherwise (`4,294,967,296`), and always in `e` notation from
///   10^15 on, where whole numbers stop being exact;
/// - anything else is the shortest text that reads back as the same `f64` (via `ryu`), with
///   the same separators in its whole part: `0.031`, `2.5`, `796,648.4375`, `1e-7`.
///
/// Removing the separators gives text that parses back to the same `f64`. Approximate
/// figures (a violation, a percentage) go through [`format_significant`] and
/// [`format_percent`], which round first and then use this format.
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs();
    if value.fract() == 0.0 {
        if magnitude >= 1e15 {
            return scientific(value);
        }
        if magnitude >= 1e9 {
            let s = scientific(value);
            let mantissa_digits = s
                .split('e')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_ascii_digit())
                .count();
            if mantissa_digits <= 6 {
                return s;
            }
        }
        // Below 10^15 the value is an exact integer, so the cast is lossless.
        return group_thousands(value as i64);
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(value);
    match text.split_once('.') {
        // `1234.5`: group the whole part; `1.5e-7` and `0.25` have nothing to group.
        Some((whole, frac)) if !text.contains(['e', 'E']) && magnitude >= 1000.0 => {
            match whole.parse::<i64>() {
                Ok(w) => format!("{}.{frac}", group_thousands(w)),
                Err(_) => text.to_string(),
            }
        }
        _ => text.to_string(),
    }
}

/// `value` rounded to `digits` significant digits, in the format of [`format_number`]:
/// `format_significant(1.1368e-13, 2)` is `1.1e-13`, `format_significant(66.666, 3)` is
/// `66.7`. For figures whose last digits mean nothing (violations, percentages, timings).
pub fn format_significant(value: f64, digits: u32) -> String {
    format_number(round_significant(value, digits))
}

/// `value` rounded to `digits` significant digits (itself when it is 0, not finite, or
/// `digits` is 0).
pub fn round_significant(value: f64, digits: u32) -> f64 {
    if value == 0.0 || !value.is_finite() || digits == 0 {
        return value;
    }
    let magnitude = value.abs().log10().floor() as i32;
    let shift = digits as i32 - 1 - magnitude;
    // Scale by a power of ten held exactly (10^k for k >= 0, or a division by 10^-k), so
    // that `0.0123` rounds to `0.0123` and not to `0.012300000000000002`.
    if shift >= 0 {
        let p = 10f64.powi(shift.min(300));
        (value * p).round() / p
    } else {
        let p = 10f64.powi(-shift);
        (value / p).round() * p
    }
}

/// A value a solver computed (a decision, a load, an objective), rounded to ten significant
/// digits so that solver round-off (`59.999999999997`) does not show: `60`.
pub fn format_value(value: f64) -> String {
    format_significant(value, 10)
}

/// A ratio as a percentage with three significant digits: `0.5` is `50%`, `0.66666` is
/// `66.7%`, `0.000123` is `0.0123%`, `0` is `0%`.
pub fn format_percent(ratio: f64) -> String {
    format!("{}%", format_significant(ratio * 100.0, 3))
}

/// `-12,345,678` for `-12345678`.
fn group_thousands(n: i64) -> String {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n.unsigned_abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Shortest round-trip digits in `d.ddde<exp>` form: `1.5e9`, `1e12`, `-2.25e18`.
fn scientific(value: f64) -> String {
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(value.abs());
    let (mantissa, exp_part) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = format!("{int_part}{frac_part}");
    let leading_zeros = all.len() - all.trim_start_matches('0').len();
    let significant = all.trim_start_matches('0').trim_end_matches('0');
    if significant.is_empty() {
        return "0".to_string();
    }
    // Position of the decimal point relative to the first significant digit.
    let exp = exp_part + int_part.len() as i32 - 1 - leading_zeros as i32;
    let sign = if value < 0.0 { "-" } else { "" };
    let (first, rest) = significant.split_at(1);
    if rest.is_empty() {
        format!("{sign}{first}e{exp}")
    } else {
        format!("{sign}{first}.{rest}e{exp}")
    }
}
