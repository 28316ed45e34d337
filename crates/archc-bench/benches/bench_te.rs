//! Traffic engineering at planet scale: the largest topology of the Teal evaluation (ASN2k,
//! 1,739 nodes, 8,558 directed links with capacities) with a seeded gravity traffic matrix,
//! routed on a few paths per demand so as to carry as much traffic as the links allow (the
//! TE objective of POP, Narayanan et al., SOSP 2021). The full LP (on HiGHS when built with
//! `--features highs`) against the same LP partitioned by demands (POP, `--partition
//! demands:K`): time, satisfied demand and its ratio to the full LP's, and the largest link
//! utilisation, each plan verified against the full model by code that does not trust the
//! solver.
//!
//! The data (written once into `DIR/te-NAME-D-K-SEED/` with the model, `TE_MODEL`):
//!
//! - **Gravity weights.** The weight `w_i` of node `i` is the total capacity of the links
//!   that leave it (as `examples/routing/uscarrier/data/convert.py` does); the gravity demand
//!   of the ordered pair `(i, j)`, `i != j`, is proportional to `w_i * w_j`.
//! - **Which pairs.** All 3 million pairs are too many for one LP here, so `D` pairs are
//!   drawn (SplitMix64 seeded with `--seed`, default 1): a source with probability `w_i / W`,
//!   a destination the same way, a draw with `i == j` or a pair drawn before is drawn again.
//!   Pairs with heavy endpoints are likely, as their share of the gravity matrix is.
//! - **Volumes.** A drawn pair's volume is `w_i * w_j` scaled so that the total volume
//!   times the volume-weighted mean hop count of the pairs' shortest paths is `--load`
//!   (default 1.0) times the total link capacity: at load 1, spreading every demand on its
//!   shortest path would need exactly all the capacity there is. Rounded to 4 decimals.
//! - **Paths.** Up to `K` (`--paths`, default 4) paths per demand: the first a least-hop
//!   path, each next one a least-weight path where a link weighs 1 plus 1 for each earlier
//!   path of the demand that uses it (iterated penalties, so paths spread out but may share
//!   links); a path found before ends the demand's list. Dijkstra from the source, ties
//!   broken by node and link order (deterministic).
//!
//! Run: `cargo bench -p archc-bench [--features highs] --bench bench_te -- [--topology
//! PATH] [--demands D] [--paths K] [--seed S] [--load X] [--ks 4,16|none] [--split-large
//! 0,10] [--time-limit S] [--threads N] [--no-full] [--dir DIR] [--write-only DIR]`;
//! `--split-large` lists percentages of the demands split into a piece in every part (the
//! largest volumes first, POP's client splitting), each run for every k. `--write-only DIR` writes the
//! model and data into DIR and stops (the test data of `tests/te.rs` came from it).

use archc::ir::{Model, RowId};
use archc::partition::split::SplitMix;
use archc::partition::{merge, part_options, rest_options, set_elements, solve_parts, Split};
use archc::solve::verify::{objective_value, verify};
use archc::solve::SolveOptions;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The TE model over the files [`write_data`] writes: path flows indexed by their demand, so
/// that `--partition demands:K` deals each demand with its paths into one part, keeps its
/// `satisfy` row in that part and scales the `capacity` rows (they sum over demands of
/// every part).
const TE_MODEL: &str = r#"/// Traffic engineering: carry as much of every demand as the link capacities allow, each
/// demand on a few precomputed paths (POP's TE objective, max total satisfied demand).
use std.infra

kind demand { src: region, dst: region, volume: Gbps >= 0 }
/// One path of a demand.
kind route { demand: demand }
/// A link of a route.
kind hop { route: route, link: link }

regions from "regions.csv"
links from "links.csv"
demands from "demands.csv"
routes from "routes.csv"
hops from "hops.csv"

/// Traffic of demand `d` on its route `p`.
decide flow[d in demands, p in routes where p.demand == d]: real Gbps >= 0

/// No demand gets more than it asks for.
constraint satisfy[d in demands]: sum(p in routes where p.demand == d) flow[d, p] <= d.volume

/// The routes through a link carry at most its capacity.
constraint capacity[l in links]:
    sum(h in hops where h.link == l) flow[h.route.demand, h.route] <= l.capacity

maximize satisfied: sum(d in demands, p in routes where p.demand == d) flow[d, p]
"#;

struct Args {
    topology: PathBuf,
    demands: usize,
    paths: usize,
    seed: u64,
    load: f64,
    ks: Vec<u32>,
    /// Percentages of the demands split into pieces (`--split-large`), each run per k.
    split_large: Vec<f64>,
    time_limit: f64,
    threads: Option<u32>,
    full: bool,
    dir: PathBuf,
    write_only: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args {
        topology: PathBuf::from("/work/shared/data/te_traffic/teal/ASN2k.json"),
        demands: 20_000,
        paths: 4,
        seed: 1,
        load: 1.0,
        ks: vec![4, 16],
        split_large: vec![0.0],
        time_limit: 600.0,
        threads: None,
        full: true,
        dir: std::env::temp_dir().join("archc-bench"),
        write_only: None,
    };
    let mut it = args.iter();
    let num = |v: Option<&String>, what: &str| -> Result<f64, String> {
        v.and_then(|v| v.parse().ok())
            .ok_or(format!("{what} takes a number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--topology" => {
                out.topology = PathBuf::from(it.next().ok_or("--topology takes a path")?)
            }
            "--demands" => out.demands = num(it.next(), "--demands")? as usize,
            "--paths" => out.paths = (num(it.next(), "--paths")? as usize).max(1),
            "--seed" => out.seed = num(it.next(), "--seed")? as u64,
            "--load" => out.load = num(it.next(), "--load")?,
            "--ks" => {
                out.ks = it
                    .next()
                    .ok_or("--ks takes a list like 4,16")?
                    .split(',')
                    .filter(|k| *k != "none")
                    .map(|k| k.parse().map_err(|_| format!("bad k `{k}`")))
                    .collect::<Result<_, _>>()?
            }
            "--split-large" => {
                out.split_large = it
                    .next()
                    .ok_or("--split-large takes a list like 0,10")?
                    .split(',')
                    .map(|x| {
                        x.trim()
                            .parse::<f64>()
                            .map_err(|_| format!("bad percentage `{x}`"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "--time-limit" => out.time_limit = num(it.next(), "--time-limit")?,
            "--threads" => out.threads = Some(num(it.next(), "--threads")? as u32),
            "--no-full" => out.full = false,
            "--dir" => out.dir = PathBuf::from(it.next().ok_or("--dir takes a path")?),
            "--write-only" => {
                out.write_only = Some(PathBuf::from(it.next().ok_or("--write-only takes a path")?))
            }
            "--bench" => {}
            s => return Err(format!("unknown argument `{s}`")),
        }
    }
    Ok(out)
}

/// A directed graph in CSR form: the links leaving node `u` are `start[u]..start[u + 1]` of
/// `head` (their target) and `link` (their index in the input).
struct Graph {
    nodes: usize,
    start: Vec<usize>,
    head: Vec<usize>,
    link: Vec<usize>,
    /// Per input link: source, target, capacity.
    links: Vec<(usize, usize, f64)>,
}

/// Read a networkx node-link JSON (`nodes[].id`, `links[].source/target/capacity`).
fn read_topology(path: &Path) -> Result<Graph, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let nodes = v["nodes"].as_array().ok_or("no `nodes` in the topology")?;
    let mut ids: Vec<u64> = nodes
        .iter()
        .map(|n| n["id"].as_u64().ok_or("a node id is not a whole number"))
        .collect::<Result<_, _>>()?;
    ids.sort_unstable();
    if ids.iter().enumerate().any(|(i, &id)| id != i as u64) {
        return Err("node ids are not 0..n".into());
    }
    let n = ids.len();
    let mut links = Vec::new();
    for l in v["links"].as_array().ok_or("no `links` in the topology")? {
        let end = |key: &str| -> Result<usize, String> {
            l[key]
                .as_u64()
                .map(|x| x as usize)
                .filter(|&x| x < n)
                .ok_or(format!("a link's `{key}` is not a node"))
        };
        let cap = l["capacity"].as_f64().ok_or("a link has no capacity")?;
        links.push((end("source")?, end("target")?, cap));
    }
    let mut start = vec![0usize; n + 1];
    for &(s, _, _) in &links {
        start[s + 1] += 1;
    }
    for u in 0..n {
        start[u + 1] += start[u];
    }
    let mut fill = start.clone();
    let mut head = vec![0usize; links.len()];
    let mut link = vec![0usize; links.len()];
    for (i, &(s, t, _)) in links.iter().enumerate() {
        head[fill[s]] = t;
        link[fill[s]] = i;
        fill[s] += 1;
    }
    Ok(Graph {
        nodes: n,
        start,
        head,
        link,
        links,
    })
}

/// A least-weight path from `s` to `t` (link indices), `weight(link)` at least 1; `None`
/// when `t` cannot be reached. Ties go to the lower node, then the earlier link.
fn least_weight_path(
    g: &Graph,
    s: usize,
    t: usize,
    weight: &dyn Fn(usize) -> u32,
    dist: &mut [u32],
    via: &mut [usize],
) -> Option<Vec<usize>> {
    dist.fill(u32::MAX);
    dist[s] = 0;
    let mut heap = BinaryHeap::new();
    heap.push(Reverse((0u32, s)));
    while let Some(Reverse((d, u))) = heap.pop() {
        if d > dist[u] {
            continue;
        }
        if u == t {
            break;
        }
        for e in g.start[u]..g.start[u + 1] {
            let v = g.head[e];
            let nd = d + weight(g.link[e]);
            if nd < dist[v] {
                dist[v] = nd;
                via[v] = g.link[e];
                heap.push(Reverse((nd, v)));
            }
        }
    }
    if dist[t] == u32::MAX {
        return None;
    }
    let mut path = Vec::new();
    let mut v = t;
    while v != s {
        let l = via[v];
        path.push(l);
        v = g.links[l].0;
    }
    path.reverse();
    Some(path)
}

/// Up to `k` paths from `s` to `t` by iterated penalties (see the module comment).
fn paths_of(
    g: &Graph,
    s: usize,
    t: usize,
    k: usize,
    dist: &mut [u32],
    via: &mut [usize],
) -> Vec<Vec<usize>> {
    let mut paths: Vec<Vec<usize>> = Vec::new();
    let mut uses: std::collections::HashMap<usize, u32> = Default::default();
    while paths.len() < k {
        let weight = |l: usize| 1 + uses.get(&l).copied().unwrap_or(0);
        let Some(p) = least_weight_path(g, s, t, &weight, dist, via) else {
            break;
        };
        if paths.contains(&p) {
            break;
        }
        for &l in &p {
            *uses.entry(l).or_default() += 1;
        }
        paths.push(p);
    }
    paths
}

/// The drawn demands: (source, destination, volume) and their paths.
struct Traffic {
    demands: Vec<(usize, usize, f64)>,
    paths: Vec<Vec<Vec<usize>>>,
}

/// Draw `d` gravity pairs, find their paths and scale their volumes (module comment).
fn traffic(g: &Graph, d: usize, k: usize, seed: u64, load: f64) -> Result<Traffic, String> {
    let mut weight = vec![0.0f64; g.nodes];
    for &(s, _, c) in &g.links {
        weight[s] += c;
    }
    let mut cumulative = Vec::with_capacity(g.nodes);
    let mut total = 0.0;
    for w in &weight {
        total += w;
        cumulative.push(total);
    }
    let max_pairs = g.nodes * g.nodes.saturating_sub(1);
    if d > max_pairs / 2 {
        return Err(format!(
            "{d} demands is more than half of the {max_pairs} pairs: draw fewer"
        ));
    }
    let mut rng = SplitMix::new(seed);
    let draw = |rng: &mut SplitMix| -> usize {
        let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        cumulative.partition_point(|&c| c <= x).min(g.nodes - 1)
    };
    let mut seen = HashSet::new();
    let mut pairs = Vec::with_capacity(d);
    while pairs.len() < d {
        let (i, j) = (draw(&mut rng), draw(&mut rng));
        if i != j && seen.insert((i, j)) {
            pairs.push((i, j));
        }
    }
    let paths: Vec<Vec<Vec<usize>>> = pairs
        .par_iter()
        .map_init(
            || (vec![0u32; g.nodes], vec![0usize; g.nodes]),
            |(dist, via), &(i, j)| paths_of(g, i, j, k, dist, via),
        )
        .collect();
    let mut demands = Vec::new();
    let mut kept_paths = Vec::new();
    for ((i, j), p) in pairs.into_iter().zip(paths) {
        if !p.is_empty() {
            demands.push((i, j, weight[i] * weight[j]));
            kept_paths.push(p);
        }
    }
    let hop_volume: f64 = demands
        .iter()
        .zip(&kept_paths)
        .map(|(x, p)| x.2 * p[0].len() as f64)
        .sum();
    let capacity: f64 = g.links.iter().map(|l| l.2).sum();
    // total volume * (hop_volume / volume) = load * capacity
    let scale = load * capacity / hop_volume;
    for x in &mut demands {
        x.2 = (x.2 * scale * 1e4).round() / 1e4;
    }
    Ok(Traffic {
        demands,
        paths: kept_paths,
    })
}

/// Write the model and its CSV files into `dir`.
fn write_data(g: &Graph, t: &Traffic, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let w = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    let mut regions = String::from("name\n");
    for u in 0..g.nodes {
        let _ = writeln!(regions, "n{u}");
    }
    let link_name = |l: usize| format!("n{}->n{}", g.links[l].0, g.links[l].1);
    let mut links = String::from("name,src,dst,capacity\n");
    for (l, &(s, d, c)) in g.links.iter().enumerate() {
        let _ = writeln!(links, "{},n{s},n{d},{c}", link_name(l));
    }
    let mut demands = String::from("name,src,dst,volume\n");
    let mut routes = String::from("name,demand\n");
    let mut hops = String::from("name,route,link\n");
    let mut h = 0usize;
    for (i, (&(s, d, v), paths)) in t.demands.iter().zip(&t.paths).enumerate() {
        let _ = writeln!(demands, "d{i},n{s},n{d},{v}");
        for (k, p) in paths.iter().enumerate() {
            let _ = writeln!(routes, "d{i}-{k},d{i}");
            for &l in p {
                let _ = writeln!(hops, "h{h},d{i}-{k},{}", link_name(l));
                h += 1;
            }
        }
    }
    w("model.arch", TE_MODEL)?;
    w("regions.csv", &regions)?;
    w("links.csv", &links)?;
    w("demands.csv", &demands)?;
    w("routes.csv", &routes)?;
    w("hops.csv", &hops)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The largest link utilisation of a plan: over the rows of `capacity`, the carried traffic
/// (computed here from the plan's values) over the link's capacity.
fn max_utilisation(model: &Model, values: &[f64]) -> f64 {
    let mut worst = 0.0f64;
    for (i, row) in model.rows.iter().enumerate() {
        if model.decls[row.origin.decl.0 as usize].name != "capacity" || row.hi <= 0.0 {
            continue;
        }
        let carried: f64 = model
            .row_entries(RowId(i as u32))
            .map(|(c, v)| v * values[c.0 as usize])
            .sum();
        worst = worst.max(carried / row.hi);
    }
    worst
}

/// One line of the results, the plan verified against the full model first.
fn line(
    way: &str,
    (secs, cpu): (f64, f64),
    model: &Model,
    values: &[f64],
    full: Option<f64>,
    total: f64,
    note: &str,
) {
    let ok = !values.is_empty() && verify(model, values, &Default::default()).is_ok();
    if !ok {
        println!("{way:<22} {secs:>8.1} s  cpu {cpu:>7.1} s   no verified plan   {note}");
        return;
    }
    let obj = objective_value(model, values);
    let ratio = full.map_or("-".to_string(), |f| format!("{:.4}", obj / f));
    println!(
        "{way:<22} {secs:>8.1} s  cpu {cpu:>7.1} s   satisfied {obj:>14.1} Gbps ({:.2} % of demand)   ratio to full {ratio}   max utilisation {:.4}   {note}",
        100.0 * obj / total,
        max_utilisation(model, values)
    );
}

fn run(args: &Args) -> Result<(), String> {
    let g = read_topology(&args.topology)?;
    let name = args
        .topology
        .file_stem()
        .map_or("topology".into(), |s| s.to_string_lossy().into_owned());
    let dir = match &args.write_only {
        Some(d) => d.clone(),
        None => args.dir.join(format!(
            "te-{name}-{}-{}-{}-{}",
            args.demands, args.paths, args.seed, args.load
        )),
    };
    let t = Instant::now();
    if args.write_only.is_some() || !dir.join("hops.csv").exists() {
        let tr = traffic(&g, args.demands, args.paths, args.seed, args.load)?;
        write_data(&g, &tr, &dir)?;
        let paths: usize = tr.paths.iter().map(Vec::len).sum();
        let hops: usize = tr.paths.iter().flatten().map(Vec::len).sum();
        println!(
            "{:<22} {:>8.1} s   {} demands, {paths} paths, {hops} hops into {}",
            "data",
            t.elapsed().as_secs_f64(),
            tr.demands.len(),
            dir.display()
        );
    }
    if args.write_only.is_some() {
        return Ok(());
    }
    println!(
        "== {name}: {} nodes, {} links, {} demands x {} paths, seed {}, load {} (load average at start: {})",
        g.nodes,
        g.links.len(),
        args.demands,
        args.paths,
        args.seed,
        args.load,
        load_average()
    );
    let (t, cpu) = (Instant::now(), archc_bench::cpu_seconds());
    let a = archc_bench::instantiated(&dir.join("model.arch"))?;
    let (Some(schema), Some(inst)) = (a.schema.as_ref(), a.instance.as_ref()) else {
        return Err("the analysis has no instance".into());
    };
    let model = &inst.model;
    println!(
        "{:<22} {:>8.1} s  cpu {:>7.1} s   {} columns, {} rows, {} nonzeros",
        "build",
        t.elapsed().as_secs_f64(),
        archc_bench::cpu_seconds() - cpu,
        model.num_columns(),
        model.num_rows(),
        model.num_nonzeros()
    );
    let total: f64 = model
        .rows
        .iter()
        .filter(|r| model.decls[r.origin.decl.0 as usize].name == "satisfy")
        .map(|r| r.hi)
        .sum();
    println!(
        "{:<22} {:>8} {:>3}   {total:.1} Gbps",
        "total demand", "", ""
    );
    let solver = if cfg!(feature = "highs") {
        Some(archc::solve::SolverKind::Highs)
    } else {
        None
    };
    let opts = SolveOptions {
        solver,
        time_limit: Some(Duration::from_secs_f64(args.time_limit)),
        threads: args.threads,
        ..Default::default()
    };
    let mut full_obj = None;
    if args.full {
        let (t, cpu) = (Instant::now(), archc_bench::cpu_seconds());
        let raw = archc::solve::solve_milp(model, &opts).map_err(|d| d.message)?;
        let secs = (t.elapsed().as_secs_f64(), archc_bench::cpu_seconds() - cpu);
        let ok = !raw.values.is_empty() && verify(model, &raw.values, &Default::default()).is_ok();
        if ok {
            full_obj = Some(objective_value(model, &raw.values));
        }
        line(
            &format!("full LP ({:?})", raw.solver).to_lowercase(),
            secs,
            model,
            &raw.values,
            full_obj,
            total,
            &format!("status {:?}", raw.status).to_lowercase(),
        );
    }
    let items = set_elements(schema, inst, "demands").map_err(|d| d.message)?;
    let runs = args
        .ks
        .iter()
        .flat_map(|&k| args.split_large.iter().map(move |&pct| (k, pct)));
    for (k, pct) in runs {
        let (t, cpu) = (Instant::now(), archc_bench::cpu_seconds());
        let mut split = Split::new(model, "demands", &items, k, 1).map_err(|d| d.message)?;
        let pieces = split.split_large(model, pct / 100.0);
        let parts: Vec<u32> = (0..k).collect();
        let plans = solve_parts(model, &split, &parts, &part_options(&split, &opts))
            .map_err(|d| d.message)?;
        let mut values = merge::merge(model, &split, &plans);
        let failed: Vec<u32> = plans.iter().filter(|p| !p.solved).map(|p| p.part).collect();
        let rep = merge::repair(model, &split, &mut values, &failed, &rest_options(&opts, t));
        let secs = (t.elapsed().as_secs_f64(), archc_bench::cpu_seconds() - cpu);
        let slowest = plans.iter().map(|p| p.time_ms).max().unwrap_or(0);
        let values = if rep.ok { values } else { Vec::new() };
        line(
            &if pct > 0.0 {
                format!("partitioned k={k}, {pieces} split")
            } else {
                format!("partitioned k={k}")
            },
            secs,
            model,
            &values,
            full_obj,
            total,
            &format!(
                "{} coupling rows, slowest part {:.1} s, {} failed parts, {} items repaired",
                split.coupling_rows(),
                slowest as f64 / 1000.0,
                failed.len(),
                rep.freed_items
            ),
        );
    }
    println!("peak memory {:.0} MiB", archc_bench::peak_mib());
    Ok(())
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
