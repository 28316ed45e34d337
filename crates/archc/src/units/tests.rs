//! Tests of the units library: parsing, errors, declarations, printing, conversions.

use super::builtin::{COMPUTE, INFORMATION, MONEY, POWER, REQUESTS, TIME};
use super::*;

fn reg() -> UnitRegistry {
    UnitRegistry::new()
}

fn unit(text: &str) -> Unit {
    match reg().parse(text) {
        Ok(u) => u,
        Err(e) => panic!("`{text}` should parse: {e}"),
    }
}

fn dim(parts: &[(usize, i8)]) -> Dim {
    parts
        .iter()
        .fold(Dim::none(), |d, &(i, e)| d.mul(Dim::base(i).powi(e)))
}

fn assert_close(actual: f64, expected: f64) {
    let rel = ((actual - expected) / expected).abs();
    assert!(rel <= 1e-12, "{actual} differs from {expected} (rel {rel})");
}

fn factor(from: &str, to: &str) -> f64 {
    match unit(from).factor_to(&unit(to)) {
        Some(f) => f,
        None => panic!("`{from}` and `{to}` should be compatible"),
    }
}

// ---- parsing -------------------------------------------------------------------------

#[test]
fn parses_base_units_with_scale_one() {
    for (text, index) in [
        ("core", COMPUTE),
        ("bit", INFORMATION),
        ("s", TIME),
        ("usd", MONEY),
        ("W", POWER),
        ("req", REQUESTS),
    ] {
        let u = unit(text);
        assert_eq!(u.dim, Dim::base(index), "{text}");
        assert_eq!(u.scale, 1.0, "{text}");
    }
}

#[test]
fn parses_compound_forms() {
    let u = unit("usd/core/h");
    assert_eq!(u.dim, dim(&[(MONEY, 1), (COMPUTE, -1), (TIME, -1)]));
    assert_close(u.scale, 1.0 / 3600.0);

    let u = unit("GiB*h");
    assert_eq!(u.dim, dim(&[(INFORMATION, 1), (TIME, 1)]));
    assert_close(u.scale, 8.0 * 1_073_741_824.0 * 3600.0);

    assert_eq!(unit("Gbps").dim, dim(&[(INFORMATION, 1), (TIME, -1)]));
    assert_eq!(unit("Gbps").scale, 1e9);
    assert_eq!(unit("m^2").dim, dim(&[(super::builtin::LENGTH, 2)]));
    assert_eq!(unit("1/s").dim, dim(&[(TIME, -1)]));
    assert_eq!(unit("1/s").scale, 1.0);
    assert_eq!(unit("s^-1"), unit("1/s"));
    assert_eq!(unit("s^(-2)"), unit("1/s^2"));
}

#[test]
fn chained_division_divides_by_the_product() {
    assert!(unit("usd/core/h").approx_eq(&unit("usd/(core*h)")));
    assert!(unit("s/s").is_one());
    assert!(unit("usd/core/h/usd").approx_eq(&unit("1/(core*h)")));
    assert!(unit("usd*h/core").approx_eq(&unit("usd/core").mul(unit("h"))));
}

#[test]
fn spaces_and_parentheses_are_accepted() {
    assert!(unit(" usd / ( core * h ) ").approx_eq(&unit("usd/core/h")));
    assert!(unit("(GiB)").approx_eq(&unit("GiB")));
    assert!(unit("(m*s)^2").approx_eq(&unit("m^2*s^2")));
}

#[test]
fn empty_text_is_dimensionless() {
    assert!(unit("").is_one());
    assert!(unit("   ").is_one());
    assert!(unit("1").is_one());
}

#[test]
fn numbers_are_dimensionless_factors() {
    let u = unit("1000*usd");
    assert_eq!(u.dim, Dim::base(MONEY));
    assert_eq!(u.scale, 1000.0);
    assert_eq!(unit("10^3").scale, 1000.0);
    assert_eq!(unit("2.5e-3").scale, 0.0025);
}

#[test]
fn percent_is_dimensionless_with_scale() {
    for text in ["percent", "pct", "%"] {
        let u = unit(text);
        assert!(u.is_dimensionless(), "{text}");
        assert!(!u.is_one(), "{text}");
        assert_eq!(u.scale, 0.01);
    }
}

// ---- built-ins and prefixes ------------------------------------------------------------

#[test]
fn information_units_share_one_dimension() {
    assert!(unit("Gbps").same_dim(&unit("GB/s")));
    assert_close(factor("GBps", "Gbps"), 8.0);
    assert_close(factor("byte", "bit"), 8.0);
    assert_close(factor("B", "b"), 8.0);
}

#[test]
fn binary_and_decimal_prefixes() {
    assert_eq!(unit("GiB").scale, 8.0 * 2f64.powi(30));
    assert_eq!(unit("KiB").scale, 8.0 * 1024.0);
    assert_eq!(unit("PiB").scale, 8.0 * 2f64.powi(50));
    assert_eq!(unit("MB").scale, 8e6);
    assert_eq!(unit("KB").scale, unit("kB").scale);
    assert_eq!(unit("Tb").scale, 1e12);
    assert_close(factor("GiB", "MiB"), 1024.0);
    assert_close(factor("GB", "MB"), 1000.0);
    assert_close(factor("GiB", "GB"), 1.073_741_824);
}

#[test]
fn tbps_is_a_thousand_gbps() {
    let f = factor("Tbps", "Gbps");
    assert!((f - 1000.0).abs() <= 1000.0 * 1e-12, "{f}");
    assert_close(factor("Gbps", "Mbps"), 1000.0);
    assert_close(factor("Kbps", "bps"), 1000.0);
    assert_close(factor("GBps", "MBps"), 1000.0);
}

#[test]
fn time_units() {
    assert_close(factor("h", "s"), 3600.0);
    assert_close(factor("min", "s"), 60.0);
    assert_close(factor("day", "h"), 24.0);
    assert_close(factor("week", "day"), 7.0);
    assert_close(factor("year", "day"), 365.0);
    assert_close(factor("year", "month"), 12.0);
    assert_close(factor("s", "ms"), 1000.0);
    assert_close(factor("ms", "us"), 1000.0);
    assert_close(factor("us", "ns"), 1000.0);
    assert_close(factor("µs", "ns"), 1000.0);
}

#[test]
fn money_power_requests_length_carbon() {
    assert_close(factor("kusd", "usd"), 1e3);
    assert_close(factor("Musd", "kusd"), 1e3);
    assert_close(factor("MW", "kW"), 1e3);
    assert_close(factor("GW", "W"), 1e9);
    assert_close(factor("kWh", "Wh"), 1e3);
    assert_close(factor("MWh", "kWh"), 1e3);
    assert_close(factor("kWh", "J"), 3.6e6);
    assert_close(factor("kW*h", "kWh"), 1.0);
    assert_close(factor("krps", "rps"), 1e3);
    assert_close(factor("rps", "req/s"), 1.0);
    assert_close(factor("kreq/min", "rps"), 1000.0 / 60.0);
    assert_close(factor("km", "m"), 1e3);
    assert_close(factor("tCO2e", "kgCO2e"), 1e3);
}

#[test]
fn aliases_match_their_units() {
    for (alias, name) in [
        ("cores", "core"),
        ("bytes", "byte"),
        ("bits", "bit"),
        ("sec", "s"),
        ("hr", "h"),
        ("hours", "h"),
        ("days", "day"),
        ("years", "year"),
        ("requests", "req"),
    ] {
        assert_eq!(unit(alias), unit(name), "{alias}");
    }
}

#[test]
fn case_matters() {
    assert!(unit("Mb").approx_eq(&unit("MB").scaled(1.0 / 8.0)));
    assert!(reg().lookup("Ms").is_none());
    assert!(reg().lookup("ms").is_some());
    assert!(
        reg().lookup("KW").is_none(),
        "`K` is only for bits and bytes"
    );
    assert!(reg().lookup("kW").is_some());
}

#[test]
fn prefixes_apply_only_where_allowed() {
    let r = reg();
    for ok in [
        "Gbit", "Gibps", "KiBps", "mW", "GWh", "Mreq", "Mrps", "nm", "kgCO2e", "EB",
    ] {
        assert!(r.lookup(ok).is_some(), "{ok} should be known");
    }
    for bad in [
        "kcore", "kh", "kmin", "Gusd", "mB", "ks", "kMW", "Gicore", "Kiusd", "khours",
    ] {
        assert!(r.lookup(bad).is_none(), "{bad} should be unknown");
    }
}

#[test]
fn every_listed_name_resolves() {
    let r = reg();
    for name in r.names() {
        assert!(r.lookup(&name).is_some(), "{name}");
    }
    for (name, _) in builtin_table() {
        assert!(r.lookup(&name).is_some(), "{name}");
    }
}

#[test]
fn builtin_table_meanings() {
    let table = builtin_table();
    let meaning = |n: &str| {
        table
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    };
    assert_eq!(meaning("GiB"), "2^30 byte");
    assert_eq!(meaning("KB"), "10^3 byte");
    assert_eq!(meaning("Gbps"), "10^9 bit/s");
    assert_eq!(meaning("ms"), "10^-3 s");
    assert_eq!(meaning("cores"), "same as core");
    assert_eq!(meaning("h"), "3600 s");
}

#[test]
fn module_doc_lists_every_builtin_name() {
    let doc = include_str!("mod.rs");
    for (name, _) in builtin_table() {
        assert!(
            doc.contains(&format!("`{name}`")),
            "the module documentation does not mention `{name}`"
        );
    }
}

// ---- errors ----------------------------------------------------------------------------

fn err(text: &str) -> UnitError {
    match reg().parse(text) {
        Ok(u) => panic!("`{text}` should not parse, got {u:?}"),
        Err(e) => e,
    }
}

#[test]
fn unknown_name_has_offsets_and_suggestion() {
    match err("usd/cor/h") {
        UnitError::Unknown {
            name,
            start,
            end,
            suggestion,
        } => {
            assert_eq!(name, "cor");
            assert_eq!((start, end), (4, 7));
            assert_eq!(suggestion.as_deref(), Some("core"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn offsets_are_bytes_after_multibyte_text() {
    match err("µs/xyzzy") {
        UnitError::Unknown {
            name, start, end, ..
        } => {
            assert_eq!(name, "xyzzy");
            assert_eq!((start, end), (4, 9), "`µ` takes two bytes");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn suggestions() {
    let r = reg();
    assert_eq!(r.suggest("gib").as_deref(), Some("GiB"));
    assert_eq!(r.suggest("Ms").as_deref(), Some("ms"));
    assert_eq!(r.suggest("KW").as_deref(), Some("kW"));
    assert_eq!(r.suggest("Gpbs").as_deref(), Some("Gbps"));
    assert_eq!(r.suggest("usdd").as_deref(), Some("usd"));
    assert_eq!(r.suggest("hrs").as_deref(), Some("hr"));
    assert_eq!(r.suggest("percnt").as_deref(), Some("percent"));
    assert_eq!(r.suggest("x"), None);
    assert_eq!(r.suggest("furlongs"), None);
}

#[test]
fn suggestions_include_declared_units() {
    let mut r = reg();
    assert!(r.declare_base("gpu").is_ok());
    assert_eq!(r.suggest("gpus").as_deref(), Some("gpu"));
}

fn syntax_span(text: &str) -> (usize, usize, String) {
    match err(text) {
        UnitError::Syntax {
            message,
            start,
            end,
        } => (start, end, message),
        other => panic!("`{text}`: expected a syntax error, got {other:?}"),
    }
}

#[test]
fn syntax_errors_point_at_the_problem() {
    let (s, e, m) = syntax_span("usd/core*h");
    assert_eq!((s, e), (8, 9));
    assert!(m.contains("ambiguous"), "{m}");

    let (s, e, m) = syntax_span("GiB h");
    assert_eq!((s, e), (4, 5));
    assert!(m.contains("between units"), "{m}");

    let (s, e, m) = syntax_span("usd/(core*h");
    assert_eq!((s, e), (4, 5));
    assert!(m.contains("not closed"), "{m}");

    let (s, e, m) = syntax_span("usd)");
    assert_eq!((s, e), (3, 4));
    assert!(m.contains("no matching"), "{m}");

    let (s, e, _) = syntax_span("usd/");
    assert_eq!((s, e), (4, 4), "missing operand is reported at the end");

    let (s, e, _) = syntax_span("m^x");
    assert_eq!((s, e), (2, 3));

    let (s, e, _) = syntax_span("m^1.5");
    assert_eq!((s, e), (2, 5));

    let (s, e, _) = syntax_span("usd$");
    assert_eq!((s, e), (3, 4));

    let (s, e, _) = syntax_span("0*usd");
    assert_eq!((s, e), (0, 1));

    let (s, e, _) = syntax_span("m^-100");
    assert_eq!((s, e), (2, 6));
}

#[test]
fn errors_display_readably() {
    assert_eq!(
        err("cor").to_string(),
        "unknown unit `cor`; did you mean `core`?"
    );
    assert_eq!(
        UnitError::Taken {
            name: "core".into()
        }
        .to_string(),
        "the unit name `core` is already defined"
    );
}

// ---- declarations ----------------------------------------------------------------------

#[test]
fn declare_base_creates_new_dimensions() {
    let mut r = reg();
    let gpu = r.declare_base("gpu").expect("first base unit");
    let tpu = r.declare_base("tpu").expect("second base unit");
    assert_eq!(gpu.dim, Dim::base(FIRST_USER_DIM));
    assert_eq!(tpu.dim, Dim::base(FIRST_USER_DIM + 1));
    assert!(!gpu.same_dim(&tpu));
    assert_eq!(r.lookup("gpu"), Some(gpu));
    let priced = r.parse("usd/gpu/h").expect("declared units parse");
    assert_eq!(
        priced.dim,
        dim(&[(MONEY, 1), (FIRST_USER_DIM, -1), (TIME, -1)])
    );
    assert_eq!(r.dim_name(&gpu.dim), "gpu");
    assert_eq!(r.dim_name(&priced.dim), "money/(gpu*time)");
    assert_eq!(r.format(&priced), "usd/gpu/h");
    assert!(r.names().contains(&"gpu".to_string()));
}

#[test]
fn declare_base_errors() {
    let mut r = reg();
    assert_eq!(
        r.declare_base("core"),
        Err(UnitError::Taken {
            name: "core".into()
        })
    );
    assert_eq!(
        r.declare_base("GiB"),
        Err(UnitError::Taken { name: "GiB".into() }),
        "prefixed forms are taken too"
    );
    assert!(matches!(
        r.declare_base("2x"),
        Err(UnitError::Syntax { .. })
    ));
    for i in 0..(NDIMS - FIRST_USER_DIM) {
        assert!(r.declare_base(&format!("thing{i}")).is_ok());
    }
    assert_eq!(r.declare_base("onemore"), Err(UnitError::TooManyBaseUnits));
    assert_eq!(
        r.declare_base("thing0"),
        Err(UnitError::Taken {
            name: "thing0".into()
        })
    );
}

#[test]
fn declare_derived_units() {
    let mut r = reg();
    let rack = unit("core").scaled(42.0);
    assert_eq!(r.declare_derived("rack", rack), Ok(()));
    assert_eq!(r.lookup("rack"), Some(rack));
    let per_rack = r.parse("usd/rack/month").expect("derived units parse");
    assert_close(
        per_rack.factor_to(&unit("usd/core/month")).unwrap_or(0.0),
        1.0 / 42.0,
    );
    assert_eq!(r.format(&rack), "rack");
    assert_eq!(
        r.declare_derived("rack", rack),
        Err(UnitError::Taken {
            name: "rack".into()
        })
    );
    assert!(matches!(
        r.declare_derived("zero", Unit::dimensionless().scaled(0.0)),
        Err(UnitError::Syntax { .. })
    ));
    // A derived unit does not use up a base dimension.
    for i in 0..(NDIMS - FIRST_USER_DIM) {
        assert!(r.declare_base(&format!("b{i}")).is_ok());
    }
}

// ---- printing --------------------------------------------------------------------------

fn fmt(text: &str) -> String {
    reg().format(&unit(text))
}

#[test]
fn format_prefers_named_units() {
    assert_eq!(fmt("core"), "core");
    assert_eq!(fmt("cores"), "core");
    assert_eq!(fmt("bit/s"), "bps");
    assert_eq!(fmt("Gb/s"), "Gbps");
    assert_eq!(fmt("GiB"), "GiB");
    assert_eq!(fmt("1024*MiB"), "GiB");
    assert_eq!(fmt("kW*h"), "kWh");
    assert_eq!(fmt("3600*s"), "h");
    assert_eq!(fmt("req/s"), "rps");
    assert_eq!(fmt("percent"), "percent");
    assert_eq!(fmt(""), "");
}

#[test]
fn format_composes_base_and_scaled_units() {
    assert_eq!(fmt("usd/core/s"), "usd/core/s");
    assert_eq!(fmt("usd/(core*h)"), "usd/core/h");
    assert_eq!(fmt("usd/core/h"), "usd/core/h");
    assert_eq!(fmt("GiB*h"), "GiB*h");
    assert_eq!(fmt("m^2"), "m^2");
    assert_eq!(fmt("1/s"), "1/s");
    assert_eq!(fmt("1/h"), "1/h");
    assert_eq!(fmt("usd/kWh"), "usd/kWh");
    assert_eq!(fmt("Gbps/core"), "Gbps/core");
    assert_eq!(fmt("1/Gbps"), "1/Gbps");
    assert_eq!(fmt("req/h"), "req/h");
    assert_eq!(fmt("1000"), "1000");
    assert_eq!(fmt("1000*usd/core/s"), "kusd/core/s");
    assert_eq!(fmt("usd/core/month"), "usd/core/month");
    assert_eq!(fmt("kreq/core/s"), "krps/core");
    assert_eq!(fmt("usd*s/Gb"), "usd/Gbps");
}

#[test]
fn format_uses_compound_units_across_cancelled_dimensions() {
    // usd/(Gbps*month) is money/information: time cancels, and the text keeps it.
    assert_eq!(fmt("usd/Gbps/month"), "usd/Gbps/month");
    assert_eq!(fmt("kW*h/day"), "kWh/day");
}

#[test]
fn format_falls_back_to_a_number_factor() {
    let u = unit("usd").scaled(7.0);
    assert_eq!(reg().format(&u), "7*usd");
    let u = unit("1/s").scaled(7.0);
    assert_eq!(reg().format(&u), "7/s");
    // The number is kept short by choosing a scaled unit.
    assert_eq!(reg().format(&unit("0.25/h")), "6/day");
}

#[test]
fn format_round_trips() {
    let r = reg();
    for text in [
        "core",
        "usd/core/h",
        "usd/(core*h)",
        "GiB*h",
        "Gbps",
        "GB/s",
        "m^2",
        "1/s",
        "s^-2",
        "usd/Gbps/month",
        "usd/kWh",
        "kW*h/day",
        "krps/core",
        "GiB/core",
        "usd*s/Gb",
        "MiB^2/ms^3",
        "gCO2e/kWh",
        "3*usd/core",
        "percent",
        "percent*usd",
        "",
        "1000",
        "0.5/h",
    ] {
        let u = unit(text);
        let printed = r.format(&u);
        let back = match r.parse(&printed) {
            Ok(b) => b,
            Err(e) => panic!("`{text}` printed as `{printed}`, which does not parse: {e}"),
        };
        assert!(
            back.approx_eq(&u),
            "`{text}` printed as `{printed}` = {back:?}, expected {u:?}"
        );
    }
}

#[test]
fn dimension_names() {
    let r = reg();
    let name = |t: &str| r.dim_name(&unit(t).dim);
    assert_eq!(name("core"), "compute");
    assert_eq!(name("usd/core/h"), "money/(compute*time)");
    assert_eq!(name("Gbps"), "information/time");
    assert_eq!(name("GB/s"), "information/time");
    assert_eq!(name("m^2"), "length^2");
    assert_eq!(name("1/s"), "1/time");
    assert_eq!(name("kWh"), "power*time");
    assert_eq!(name("percent"), "dimensionless");
    assert_eq!(name("gCO2e"), "carbon");
}

// ---- numbers ---------------------------------------------------------------------------

#[test]
fn number_formatting() {
    assert_eq!(format_number(0.0), "0");
    assert_eq!(format_number(-0.0), "0");
    assert_eq!(format_number(7.0), "7");
    assert_eq!(format_number(999.0), "999");
    assert_eq!(format_number(1200.0), "1,200");
    assert_eq!(format_number(86_400.0), "86,400");
    assert_eq!(format_number(-12_345_678.0), "-12,345,678");
    assert_eq!(format_number(1.5e9), "1.5e9");
    assert_eq!(format_number(1e12), "1e12");
    assert_eq!(format_number(4_294_967_296.0), "4,294,967,296");
    assert_eq!(
        format_number(1.2345678901234567e18),
        "1.2345678901234568e18"
    );
    assert_eq!(format_number(-2.5e20), "-2.5e20");
    assert_eq!(format_number(0.031), "0.031");
    assert_eq!(format_number(2.5), "2.5");
    assert_eq!(format_number(1e-7), "1e-7");
    // The whole part of a fraction is grouped like a whole number.
    assert_eq!(format_number(796_648.437_5), "796,648.4375");
    assert_eq!(format_number(-1234.5), "-1,234.5");
    assert_eq!(format_number(999.75), "999.75");
    assert_eq!(format_number(1_234_567_890.5), "1,234,567,890.5");
    assert_eq!(format_number(f64::INFINITY), "inf");
    assert_eq!(format_number(f64::NAN), "NaN");
}

#[test]
fn approximate_figures_round_then_use_the_one_format() {
    assert_eq!(format_significant(1.1368683772161603e-13, 2), "1.1e-13");
    assert_eq!(format_significant(66.666_666, 3), "66.7");
    assert_eq!(format_significant(0.012_345, 3), "0.0123");
    assert_eq!(format_significant(123_456.7, 3), "123,000");
    assert_eq!(format_significant(0.0, 3), "0");
    assert_eq!(format_percent(0.5), "50%");
    assert_eq!(format_percent(2.0 / 3.0), "66.7%");
    assert_eq!(format_percent(0.000_123), "0.0123%");
    assert_eq!(format_percent(0.0), "0%");
    assert_eq!(format_percent(12.345), "1,230%");
}

#[test]
fn numbers_read_back_exactly() {
    for v in [
        0.1,
        1.0 / 3.0,
        2.0 / 3.0 * 1e-9,
        123_456.789,
        1.5e9,
        1e300,
        -7.25,
    ] {
        let text = format_number(v).replace(',', "");
        let back: f64 = text.parse().unwrap_or(f64::NAN);
        assert_eq!(back, v, "{v} printed as {text}");
    }
}

#[test]
fn quantity_formatting() {
    assert_eq!(format_quantity(1200.0, "core"), "1,200 core");
    assert_eq!(format_quantity(0.031, "usd/core/h"), "0.031 usd/core/h");
    assert_eq!(format_quantity(1.5e9, "bit"), "1.5e9 bit");
    assert_eq!(format_quantity(3.0, ""), "3");
}

// ---- Dim and Unit arithmetic -----------------------------------------------------------

#[test]
fn dim_arithmetic() {
    let t = Dim::base(TIME);
    let c = Dim::base(COMPUTE);
    assert!(Dim::none().is_none());
    assert!(!t.is_none());
    assert!(t.div(t).is_none());
    assert_eq!(t.mul(c).div(c), t);
    assert_eq!(t.powi(3).0[TIME], 3);
    assert_eq!(t.powi(-2).0[TIME], -2);
    assert_eq!(t.powi(100).powi(100).0[TIME], i8::MAX, "saturates");
    assert_eq!(Dim::base(NDIMS), Dim::none(), "out of range");
}

#[test]
fn unit_arithmetic_and_conversion() {
    let gib = unit("GiB");
    let h = unit("h");
    assert_eq!(gib.mul(h).div(h), gib);
    assert!(gib.powi(2).approx_eq(&unit("GiB^2")));
    assert_eq!(unit("ms").factor_to(&unit("Gbps")), None);
    assert!(Unit::dimensionless().is_dimensionless());
    assert!(Unit::dimensionless().is_one());
    assert!(unit("usd").same_dim(&unit("kusd")));
    assert!(!unit("usd").same_dim(&unit("usd/h")));
}

#[test]
fn operators_match_methods() {
    let a = unit("usd");
    let b = unit("core*h");
    assert_eq!(a / b, a.div(b));
    assert_eq!(a * b, a.mul(b));
    assert_eq!(a.dim / b.dim, a.div(b).dim);
    assert_eq!(a.dim * b.dim, a.mul(b).dim);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("{}s{}", "(".repeat(10_000), ")".repeat(10_000));
    let (s, e, m) = syntax_span(&text);
    assert_eq!((s, e), (32, 33));
    assert!(m.contains("nested"), "{m}");
    assert!(unit(&format!("{}s{}", "(".repeat(8), ")".repeat(8))).approx_eq(&unit("s")));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const NAMES: &[&str] = &[
        "core", "GiB", "MB", "Gbps", "KBps", "s", "ms", "h", "day", "month", "usd", "kusd", "W",
        "kWh", "req", "krps", "m", "km", "gCO2e", "percent",
    ];

    fn factor_text() -> impl Strategy<Value = String> {
        (0..NAMES.len(), -3i8..=3).prop_map(|(i, e)| match e {
            0 | 1 => NAMES[i].to_string(),
            e if e < 0 => format!("{}^({e})", NAMES[i]),
            e => format!("{}^{e}", NAMES[i]),
        })
    }

    /// Parsing any text returns (never panics), and error offsets are char boundaries
    /// inside the text.
    fn check_offsets(text: &str) -> Result<(), TestCaseError> {
        match reg().parse(text) {
            Ok(_) => Ok(()),
            Err(UnitError::Unknown { start, end, .. } | UnitError::Syntax { start, end, .. }) => {
                prop_assert!(start <= end && end <= text.len());
                prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
                Ok(())
            }
            Err(other) => Err(TestCaseError::fail(format!("unexpected {other:?}"))),
        }
    }

    proptest! {
        #[test]
        fn printed_units_parse_back(
            num in proptest::collection::vec(factor_text(), 1..4),
            den in proptest::collection::vec(factor_text(), 0..3),
        ) {
            let mut text = num.join("*");
            for d in &den {
                text.push('/');
                text.push_str(d);
            }
            let r = reg();
            let u = r.parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let printed = r.format(&u);
            let back = r
                .parse(&printed)
                .map_err(|e| TestCaseError::fail(format!("`{printed}`: {e}")))?;
            prop_assert!(back.approx_eq(&u), "`{}` -> `{}`: {:?} vs {:?}", text, printed, back, u);
        }

        #[test]
        fn any_text_gives_a_result_with_valid_offsets(text in r"\PC{0,24}") {
            check_offsets(&text)?;
        }

        #[test]
        fn operator_soup_gives_valid_offsets(text in r"[a-zA-Z0-9µ%*/^()\-. ]{0,30}") {
            check_offsets(&text)?;
        }

        #[test]
        fn numbers_print_and_read_back(v in proptest::num::f64::NORMAL) {
            let text = format_number(v).replace(',', "");
            let back: f64 = text.parse().map_err(|_| TestCaseError::fail(text.clone()))?;
            prop_assert_eq!(back, v);
        }
    }
}
