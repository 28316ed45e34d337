//! OR-Library capacitated warehouse location (Beasley 1988), solved from a model written in
//! Arch (`tests/data/orlib_cap/cap.arch`), against the published optima.
//!
//! Each `capNN.txt` is converted into `warehouses.csv`, `customers.csv` and `cost.csv` in a
//! fresh directory next to a copy of `cap.arch`, which is then checked, instantiated and
//! solved on every enabled backend. The optimum must match `capopt_bounds.tsv` within 1e-3
//! absolute (the published values have 3 decimals). The model is the multi-source CFLP:
//! shares in [0, 1], warehouses open or closed.

use archc::analysis::AnalyzeOptions;
use archc::diagnostics::render::render_plain;
use archc::driver::analyze;
use archc::solve::{solve_model, SolveOptions, SolverKind, Status};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const ABS_TOL: f64 = 1e-3;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/orlib_cap")
}

/// An OR-Library `cap` instance.
struct Instance {
    /// (capacity, fixed cost) per warehouse.
    warehouses: Vec<(f64, f64)>,
    /// Demand per customer.
    demand: Vec<f64>,
    /// cost[j][i]: cost of serving all of customer j from warehouse i.
    cost: Vec<Vec<f64>>,
}

/// Parse the whitespace-token format: `m n`, then m × (capacity fixed), then n × (demand,
/// m costs). Line breaks carry no meaning.
fn parse(text: &str) -> Result<Instance, String> {
    let mut toks = text.split_whitespace().map(|t| {
        t.parse::<f64>()
            .map_err(|e| format!("bad number `{t}`: {e}"))
    });
    let mut next = || toks.next().unwrap_or_else(|| Err("file ends early".into()));
    let m = next()? as usize;
    let n = next()? as usize;
    let mut warehouses = Vec::with_capacity(m);
    for _ in 0..m {
        warehouses.push((next()?, next()?));
    }
    let mut demand = Vec::with_capacity(n);
    let mut cost = Vec::with_capacity(n);
    for _ in 0..n {
        demand.push(next()?);
        cost.push((0..m).map(|_| next()).collect::<Result<Vec<_>, _>>()?);
    }
    if toks.next().is_some() {
        return Err("tokens left after the last customer".into());
    }
    Ok(Instance {
        warehouses,
        demand,
        cost,
    })
}

/// Published optima, by instance name.
fn optima() -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(data_dir().join("capopt_bounds.tsv")).expect("optima");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let lb: f64 = cols[1].parse().expect("lb");
            let ub: f64 = cols[2].parse().expect("ub");
            assert_eq!(lb, ub, "{l}: not a proven optimum");
            (cols[0].to_string(), lb)
        })
        .collect()
}

/// Write the model and the instance's CSV files into a fresh directory; return the model path.
fn write_case(name: &str, kind: SolverKind, inst: &Instance) -> PathBuf {
    // One folder per solver: the tests of each solver run in parallel.
    let dir = std::env::temp_dir().join(format!(
        "archc-orlib-cap-{}-{}-{name}",
        std::process::id(),
        kind.name()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut w = String::from("name,capacity,fixed\n");
    for (i, (cap, fixed)) in inst.warehouses.iter().enumerate() {
        writeln!(w, "w{},{cap},{fixed}", i + 1).expect("write");
    }
    let mut c = String::from("name,demand\n");
    let mut cost = String::from("warehouse,customer,value\n");
    for (j, d) in inst.demand.iter().enumerate() {
        writeln!(c, "c{},{d}", j + 1).expect("write");
        for (i, v) in inst.cost[j].iter().enumerate() {
            writeln!(cost, "w{},c{},{v}", i + 1, j + 1).expect("write");
        }
    }
    std::fs::write(dir.join("warehouses.csv"), w).expect("write");
    std::fs::write(dir.join("customers.csv"), c).expect("write");
    std::fs::write(dir.join("cost.csv"), cost).expect("write");
    std::fs::copy(data_dir().join("cap.arch"), dir.join("cap.arch")).expect("copy model");
    dir.join("cap.arch")
}

/// Solve one instance with one backend; return the verified optimum.
fn solve(name: &str, kind: SolverKind) -> f64 {
    let text = std::fs::read_to_string(data_dir().join(format!("{name}.txt"))).expect("instance");
    let inst = parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let path = write_case(name, kind, &inst);
    let a = analyze(
        &path,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    let rendered: Vec<String> = a
        .diagnostics
        .iter()
        .map(|d| render_plain(d, &a.sources, 100))
        .collect();
    assert!(a.diagnostics.is_empty(), "{name}: {}", rendered.join("\n"));
    let model = &a.instance.as_ref().expect("instance").model;
    assert_eq!(
        model.num_columns(),
        inst.warehouses.len() * (inst.demand.len() + 1),
        "{name}: one share per pair and one open flag per warehouse"
    );
    let opts = SolveOptions {
        solver: Some(kind),
        ..Default::default()
    };
    let solved = solve_model(model, &opts)
        .unwrap_or_else(|d| panic!("{name} ({}): {}", kind.name(), d.message));
    assert_eq!(
        solved.raw.status,
        Status::Optimal,
        "{name} ({})",
        kind.name()
    );
    assert!(solved.verified(), "{name} ({}): not verified", kind.name());
    if let Some(dir) = path.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
    solved.raw.objective
}

fn check(names: &'static [&'static str], kind: SolverKind) {
    let optima = optima();
    for &name in names {
        let want = optima
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("no published optimum for {name}"));
        let started = std::time::Instant::now();
        let got = solve(name, kind);
        eprintln!(
            "{name} ({}): {got} in {:.2} s",
            kind.name(),
            started.elapsed().as_secs_f64()
        );
        assert!(
            (got - want).abs() <= ABS_TOL,
            "{name} ({}): {got} but the published optimum is {want}",
            kind.name()
        );
    }
}

const ALL: &[&str] = &[
    "cap41", "cap42", "cap43", "cap44", "cap51", "cap61", "cap62", "cap63", "cap64", "cap71",
    "cap72", "cap73", "cap74",
];

#[test]
fn the_parser_reads_cap41() {
    let text = std::fs::read_to_string(data_dir().join("cap41.txt")).expect("cap41");
    let inst = parse(&text).expect("parse");
    assert_eq!(inst.warehouses.len(), 16);
    assert_eq!(inst.demand.len(), 50);
    assert_eq!(inst.warehouses[0], (5000.0, 7500.0));
    assert_eq!(inst.warehouses[10], (5000.0, 0.0));
    assert_eq!(inst.demand[0], 146.0);
    assert_eq!(inst.cost[0][0], 6739.725);
    assert_eq!(inst.cost[0][15], 6051.7);
    assert!(
        parse("2 1\n10 5\n").is_err(),
        "a truncated file is an error"
    );
}

#[test]
fn every_published_optimum_has_an_instance() {
    for (name, _) in optima() {
        assert!(ALL.contains(&name.as_str()), "{name} is not tested");
    }
}

#[cfg(feature = "microlp")]
#[test]
fn cap41_to_cap74_with_microlp() {
    check(ALL, SolverKind::Microlp);
}

#[cfg(feature = "highs")]
#[test]
fn cap41_to_cap74_with_highs() {
    check(ALL, SolverKind::Highs);
}

#[cfg(feature = "cbc")]
#[test]
fn cap41_to_cap74_with_cbc() {
    check(ALL, SolverKind::Cbc);
}
