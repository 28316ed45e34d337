//! Scenario scaling: how generation (parse, check, load data, enumerate scenarios,
//! instantiate) and solve time grow with the number of failure scenarios, on one FFC model
//! (`std.risk`'s `tunnel_capacity` and `ffc`: one row per pair and scenario). Cases: Abilene
//! (examples/risk/data/abilene, 132 pairs, 522 tunnels) with every single and every single
//! or double directed-link failure; UsCarrier (examples/routing/uscarrier/data, 378 directed
//! links) with single failures of the first 100, 200 and all 378 links, over the `--pairs`
//! pairs of largest demand with two tunnels each (the shortest path in hops, and the shortest
//! without its links) computed here. Each line prints scenarios, rows, columns, nonzeros,
//! generation and solve seconds, and generation time per scenario: constant per scenario
//! when generation is linear in the number of scenarios.
//!
//! Run: `cargo bench -p archc-bench [--features highs] --bench bench_risk -- [--pairs N]
//! [--no-solve] [--dir DIR]`. With the `highs` feature the solves use HiGHS, else the default
//! solver. Every solve is verified.

use archc::analysis::AnalyzeOptions;
use archc::driver::analyze;
use archc::solve::{solve_model, SolveOptions, SolverKind};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

const MODEL: &str = r#"/// FFC over tunnels under link failures (bench_risk).
use std.infra
use std.risk

regions from "regions.csv"
links from "links.csv"
pairs from "pairs.csv"
tunnels from "tunnels.csv"
hops from "hops.csv"

set S = SCENARIOS

decide alloc[t in tunnels]: real Gbps >= 0
decide granted[f in pairs]: real Gbps >= 0 <= f.demand

apply tunnel_capacity(alloc, links, capacity) as links
apply ffc(alloc, granted, pairs, tunnels, S, tunnel_up) as ffc

maximize throughput: sum(f in pairs) granted[f]
"#;

struct Args {
    pairs: usize,
    solve: bool,
    dir: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut out = Args {
        pairs: 200,
        solve: true,
        dir: std::env::temp_dir().join("archc-bench-risk"),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--pairs" => {
                out.pairs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--pairs needs a number")?
            }
            "--no-solve" => out.solve = false,
            "--dir" => out.dir = PathBuf::from(it.next().ok_or("--dir needs a path")?),
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(out)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-bench sits two levels below the root")
        .to_path_buf()
}

/// Rows of a simple CSV file (no quoting in these files), header first.
fn read_csv(path: &Path) -> Result<Vec<Vec<String>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(',').map(|c| c.trim().to_string()).collect())
        .collect())
}

/// The Abilene case: the risk examples' data, with the directed links as failure units.
fn abilene(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let src = root().join("examples/risk/data/abilene");
    for f in ["regions.csv", "pairs.csv", "tunnels.csv", "hops.csv"] {
        std::fs::copy(src.join(f), dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    // links.csv without the `span` column (the model does not declare it).
    let rows = read_csv(&src.join("links_routing.csv"))?;
    let mut text = String::new();
    for r in rows {
        let _ = writeln!(text, "{}", r[..4].join(","));
    }
    std::fs::write(dir.join("links.csv"), text).map_err(|e| e.to_string())
}

/// The shortest path from `o` to `d` in hops, avoiding the links in `banned`, as link
/// indices.
fn bfs(
    out: &HashMap<&str, Vec<usize>>,
    links: &[(String, String, String)],
    o: &str,
    d: &str,
    banned: &HashSet<usize>,
) -> Option<Vec<usize>> {
    let mut prev: HashMap<&str, usize> = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::from([o]);
    let mut queue = VecDeque::from([o]);
    while let Some(n) = queue.pop_front() {
        if n == d {
            let mut path = Vec::new();
            let mut at = d;
            while at != o {
                let l = prev[at];
                path.push(l);
                at = links[l].1.as_str();
            }
            path.reverse();
            return Some(path);
        }
        for &l in out.get(n).map(Vec::as_slice).unwrap_or(&[]) {
            let next = links[l].2.as_str();
            if !banned.contains(&l) && seen.insert(next) {
                prev.insert(next, l);
                queue.push_back(next);
            }
        }
    }
    None
}

/// The UsCarrier case: the routing example's topology and gravity demand; the `pairs` pairs
/// of largest demand, two tunnels each.
fn uscarrier(dir: &Path, pairs: usize) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let src = root().join("examples/routing/uscarrier/data");
    std::fs::copy(src.join("regions.csv"), dir.join("regions.csv")).map_err(|e| e.to_string())?;
    std::fs::copy(src.join("links.csv"), dir.join("links.csv")).map_err(|e| e.to_string())?;
    let links: Vec<(String, String, String)> = read_csv(&src.join("links.csv"))?
        .into_iter()
        .skip(1)
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, l) in links.iter().enumerate() {
        out.entry(l.1.as_str()).or_default().push(i);
    }
    let mut demand: Vec<(String, String, f64)> = read_csv(&src.join("demand.csv"))?
        .into_iter()
        .skip(1)
        .filter_map(|r| Some((r[0].clone(), r[1].clone(), r[2].parse().ok()?)))
        .filter(|(o, d, v)| o != d && *v > 0.0)
        .collect();
    demand.sort_by(|a, b| {
        b.2.total_cmp(&a.2)
            .then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1)))
    });
    let (mut p, mut t, mut h) = (
        String::from("name,origin,dest,demand\n"),
        String::from("name,pair\n"),
        String::from("name,tunnel,link\n"),
    );
    let mut kept = 0;
    for (o, d, v) in &demand {
        if kept == pairs {
            break;
        }
        let Some(first) = bfs(&out, &links, o, d, &HashSet::new()) else {
            continue;
        };
        let banned: HashSet<usize> = first.iter().copied().collect();
        let second = bfs(&out, &links, o, d, &banned);
        let pair = format!("{o}__{d}");
        let _ = writeln!(p, "{pair},{o},{d},{v}");
        for (k, path) in std::iter::once(first).chain(second).enumerate() {
            let tunnel = format!("{pair}__{k}");
            let _ = writeln!(t, "{tunnel},{pair}");
            for (j, l) in path.iter().enumerate() {
                let _ = writeln!(h, "{tunnel}__{j},{tunnel},{}", links[*l].0);
            }
        }
        kept += 1;
    }
    for (f, text) in [("pairs.csv", p), ("tunnels.csv", t), ("hops.csv", h)] {
        std::fs::write(dir.join(f), text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn run_case(name: &str, dir: &Path, scenarios: &str, solve: bool) -> Result<(), String> {
    let model = dir.join(format!("{name}.arch"));
    std::fs::write(&model, MODEL.replace("SCENARIOS", scenarios)).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let a = analyze(
        &model,
        &AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    let generation = t.elapsed().as_secs_f64();
    let Some(inst) = a.instance.as_ref() else {
        return Err(format!(
            "{name} did not instantiate: {:?}",
            a.diagnostics.first().map(|d| &d.message)
        ));
    };
    let m = &inst.model;
    let count = a
        .schema
        .as_ref()
        .and_then(|s| s.sets.iter().position(|x| x.name == "S"))
        .and_then(|s| inst.world.scenario_sets.get(&s))
        .map(|d| d.count)
        .ok_or("no scenario set S")?;
    let solve_s = if solve {
        let opts = SolveOptions {
            solver: cfg!(feature = "highs").then_some(SolverKind::Highs),
            ..Default::default()
        };
        let t = Instant::now();
        let solved = solve_model(m, &opts).map_err(|d| d.message)?;
        let secs = t.elapsed().as_secs_f64();
        if !solved.verified() {
            return Err(format!("{name}: the plan is not verified"));
        }
        format!("{secs:>9.2}")
    } else {
        format!("{:>9}", "-")
    };
    println!(
        "{name:<16} {count:>9} {:>9} {:>9} {:>10} {generation:>9.2} {solve_s} {:>12.1}",
        m.num_rows(),
        m.num_columns(),
        m.num_nonzeros(),
        1e6 * generation / count as f64
    );
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bench_risk: {e}");
            std::process::exit(2);
        }
    };
    let result = (|| -> Result<(), String> {
        let ab = args.dir.join("abilene");
        abilene(&ab)?;
        let us = args.dir.join("uscarrier");
        uscarrier(&us, args.pairs)?;
        println!(
            "solver: {}; UsCarrier pairs: {}",
            if cfg!(feature = "highs") {
                "highs"
            } else {
                "default"
            },
            args.pairs
        );
        println!(
            "{:<16} {:>9} {:>9} {:>9} {:>10} {:>9} {:>9} {:>12}",
            "case", "scenarios", "rows", "columns", "nonzeros", "gen s", "solve s", "gen µs/scen"
        );
        run_case("abilene-k1", &ab, "fail_k(links, 1)", args.solve)?;
        run_case(
            "abilene-k2",
            &ab,
            "fail_k(links, 2, up_to = true)",
            args.solve,
        )?;
        for n in [100, 200, 378] {
            run_case(
                &format!("uscarrier-k1-{n}"),
                &us,
                &format!("fail_k({{l in links where ord(l) <= {n}}}, 1)"),
                args.solve,
            )?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        eprintln!("bench_risk: {e}");
        std::process::exit(1);
    }
}
