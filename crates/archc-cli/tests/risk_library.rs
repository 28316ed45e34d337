//! The templates of `std.risk` on small models, each plan checked here without trusting the
//! model: placements by removing the failed regions and counting (or solving the recourse
//! again as a separate model), FFC routings by rescaling the traffic onto the surviving
//! tunnels of every failure scenario, TeaVaR losses and their CVaR by recomputing every
//! scenario's loss and probability; and the models in `examples/risk` pass `archc test`.

use archc::solve::{SolveOptions, Status};
use std::path::Path;

fn solve(text: &str) -> archc::Solution {
    let mut model = match archc::compile_source("risk_library.arch", text, None) {
        Ok(m) => m,
        Err(e) => panic!("the model does not compile: {e:?}"),
    };
    let sol = model
        .solve(&SolveOptions::default())
        .expect("the model solves");
    assert_eq!(sol.status(), Status::Optimal);
    sol
}

fn value(sol: &archc::Solution, decision: &str, index: &[&str]) -> f64 {
    sol.value(decision, index)
        .unwrap_or_else(|| panic!("no decision {decision}"))
}

/// Every subset of `0..n` with 1 to `k` elements.
fn failures(n: usize, k: usize) -> Vec<Vec<usize>> {
    (1u32..1 << n)
        .filter(|m| m.count_ones() as usize <= k)
        .map(|m| (0..n).filter(|i| m & (1 << i) != 0).collect())
        .collect()
}

const REGIONS: [&str; 5] = ["a", "b", "c", "d", "e"];

/// Five regions of different prices; `web` needs 6 replicas whatever two regions are lost.
fn survive_model(k: usize) -> String {
    format!(
        "use std.infra\nuse std.risk\n\
         region a {{ price: 1 usd/core/h }}\nregion b {{ price: 2 usd/core/h }}\n\
         region c {{ price: 3 usd/core/h }}\nregion d {{ price: 4 usd/core/h }}\n\
         region e {{ price: 5 usd/core/h }}\n\
         service web {{ cores: 1 core, replicas: 30 }}\n\
         fn need(s: service) = 6\n\
         set lost = fail_k(regions, {k}, up_to = true)\n\
         decide x[s in services, r in regions]: int >= 0 <= 30\n\
         apply survive(x, services, regions, lost, need) as keep\n\
         minimize cost: sum(s in services, r in regions) r.price * s.cores * x[s, r] * 1 h\n"
    )
}

/// The cheapest placement of whole replicas that leaves `need` after any `k` losses, by
/// enumerating every placement of up to `max` replicas per region.
fn cheapest_surviving(k: usize, need: u32, max: u32) -> f64 {
    let mut best = f64::INFINITY;
    let n = REGIONS.len();
    let mut x = vec![0u32; n];
    loop {
        let total: u32 = x.iter().sum();
        let ok = failures(n, k)
            .iter()
            .all(|down| total - down.iter().map(|&i| x[i]).sum::<u32>() >= need);
        if ok {
            let cost: f64 = x
                .iter()
                .enumerate()
                .map(|(i, v)| (i + 1) as f64 * *v as f64)
                .sum();
            best = best.min(cost);
        }
        // Next placement (odometer).
        let mut i = 0;
        while i < n && x[i] == max {
            x[i] = 0;
            i += 1;
        }
        if i == n {
            return best;
        }
        x[i] += 1;
    }
}

#[test]
fn survive_n1_and_n2_match_an_enumeration_of_placements() {
    for k in [1, 2] {
        let sol = solve(&survive_model(k));
        let x: Vec<f64> = REGIONS
            .iter()
            .map(|r| value(&sol, "x", &["web", r]))
            .collect();
        // Remove each set of up to k regions: what is left meets the need.
        for down in failures(REGIONS.len(), k) {
            let left: f64 = (0..REGIONS.len())
                .filter(|i| !down.contains(i))
                .map(|i| x[i])
                .sum();
            assert!(
                left >= 6.0 - 1e-9,
                "N-{k}: losing {down:?} leaves {left} of {x:?}"
            );
        }
        let best = cheapest_surviving(k, 6, 6);
        let got = sol.objective().expect("objective");
        assert!(
            (got - best).abs() < 1e-6,
            "N-{k}: the model finds {got}, the enumeration {best}"
        );
    }
    // N-2 costs more than N-1: the second loss is planned for.
    assert!(cheapest_surviving(2, 6, 6) > cheapest_surviving(1, 6, 6));
}

/// Re-placement with reserved cores: three regions, one service of 2-core replicas.
const REPLACE: &str = r#"
use std.infra
use std.risk
region a { cores: 40 core, price: 1 usd/core/h }
region b { cores: 40 core, price: 2 usd/core/h }
region c { cores: 40 core, price: 4 usd/core/h }
region d { cores: 16 core, price: 1 usd/core/h }
service api { cores: 2 core, replicas: 12 }
fn all(s: service) = s.replicas
set n1 = fail_k(regions, 1)
decide x[s in services, r in regions]: int >= 0 <= s.replicas
decide y[f in n1, s in services, r in regions]: int >= 0 <= s.replicas
decide reserved[r in regions]: real core >= 0 <= r.cores
constraint total[s in services]: sum(r in regions) x[s, r] == s.replicas
apply replace(x, y, services, regions, n1, all) as again
apply headroom(y, services, regions, n1, cores, reserved) as room
minimize cost: sum(r in regions) r.price * reserved[r] * 1 h
"#;

const PLACES: [(&str, f64); 4] = [("a", 1.0), ("b", 2.0), ("c", 4.0), ("d", 1.0)];

/// The recourse alone, as a separate model: the first-stage replicas and reservations are
/// fixed, region `lost` is gone; can the 12 replicas run again?
fn recourse_feasible(x: &[f64], reserved: &[f64], lost: usize) -> bool {
    let mut text = String::from("use std.infra\n");
    for (i, (r, _)) in PLACES.iter().enumerate() {
        if i != lost {
            text.push_str(&format!(
                "region {r} {{ cores: {} core }}\nparam kept_{r}: int = {}\n",
                reserved[i],
                x[i].round()
            ));
        }
    }
    text.push_str("decide y[r in regions]: int >= 0 <= 12\n");
    text.push_str("constraint room[r in regions]: 2 core * y[r] <= r.cores\n");
    text.push_str("constraint all: sum(r in regions) y[r] >= 12\n");
    for (i, (r, _)) in PLACES.iter().enumerate() {
        if i != lost {
            text.push_str(&format!("constraint stay_{r}: y[{r}] >= kept_{r}\n"));
        }
    }
    let mut model = archc::compile_source("recourse.arch", &text, None).expect("compiles");
    match model.solve(&SolveOptions::default()) {
        Ok(s) => s.status() == Status::Optimal,
        Err(_) => false,
    }
}

#[test]
fn replace_and_headroom_survive_each_region_loss_solved_again_without_it() {
    let sol = solve(REPLACE);
    let x: Vec<f64> = PLACES
        .iter()
        .map(|(r, _)| value(&sol, "x", &["api", r]))
        .collect();
    let reserved: Vec<f64> = PLACES
        .iter()
        .map(|(r, _)| value(&sol, "reserved", &[r]))
        .collect();
    // The nominal state needs the replicas placed to fit.
    for i in 0..PLACES.len() {
        assert!(
            2.0 * x[i] <= reserved[i] + 1e-6,
            "x {x:?} reserved {reserved:?}"
        );
    }
    for (lost, (name, _)) in PLACES.iter().enumerate() {
        assert!(
            recourse_feasible(&x, &reserved, lost),
            "the plan x {x:?} reserved {reserved:?} does not survive losing {name}"
        );
    }
    // The headroom is no larger than needed: with the most expensive reservation cut by
    // one replica's cores, some loss can no longer be covered.
    let (most, _) = PLACES
        .iter()
        .enumerate()
        .filter(|(i, _)| reserved[*i] >= 2.0)
        .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
        .expect("some region is reserved");
    let mut less = reserved.clone();
    less[most] -= 2.0;
    let still = (0..PLACES.len())
        .all(|lost| 2.0 * x[most] <= less[most] + 1e-6 && recourse_feasible(&x, &less, lost));
    assert!(
        !still,
        "reserving less in {} would still survive",
        PLACES[most].0
    );
}

/// A triangle with both directions of each link, two pairs from `a`, two tunnels each (one
/// direct, one over the third region); `scenarios` is the scenario set.
fn ffc_model(scenarios: &str) -> String {
    format!(
        "use std.infra\nuse std.risk\nkind link {{ conduit: str = \"\" }}\n\
         region a\nregion b\nregion c\n\
         link a <-> b {{ capacity: 10 Gbps, conduit: \"east\" }}\n\
         link b <-> c {{ capacity: 10 Gbps, conduit: \"west\" }}\n\
         link a <-> c {{ capacity: 10 Gbps, conduit: \"east\" }}\n\
         pair ab {{ origin: a, dest: b, demand: 8 Gbps }}\n\
         pair ac {{ origin: a, dest: c, demand: 6 Gbps }}\n\
         tunnel ab1 {{ pair: ab }}\ntunnel ab2 {{ pair: ab }}\n\
         tunnel ac1 {{ pair: ac }}\ntunnel ac2 {{ pair: ac }}\n\
         hop h1 {{ tunnel: ab1, link: a->b }}\n\
         hop h2 {{ tunnel: ab2, link: a->c }}\nhop h3 {{ tunnel: ab2, link: c->b }}\n\
         hop h4 {{ tunnel: ac1, link: a->c }}\n\
         hop h5 {{ tunnel: ac2, link: a->b }}\nhop h6 {{ tunnel: ac2, link: b->c }}\n\
         set S = {scenarios}\n\
         decide alloc[t in tunnels]: real Gbps >= 0\n\
         decide granted[f in pairs]: real Gbps >= 0 <= f.demand\n\
         apply tunnel_capacity(alloc, links, capacity) as links\n\
         apply ffc(alloc, granted, pairs, tunnels, S, tunnel_up) as ffc\n\
         maximize throughput: sum(f in pairs) granted[f]\n"
    )
}

/// (tunnel, pair, links of its path).
const TUNNELS: [(&str, &str, &[&str]); 4] = [
    ("ab1", "ab", &["a->b"]),
    ("ab2", "ab", &["a->c", "c->b"]),
    ("ac1", "ac", &["a->c"]),
    ("ac2", "ac", &["a->b", "b->c"]),
];
const LINKS: [&str; 6] = ["a->b", "b->a", "b->c", "c->b", "a->c", "c->a"];

/// In the scenario where `down` links fail, each pair's granted traffic is split over its
/// surviving tunnels in proportion to their allocation (FFC's rescaling); every pair gets
/// its grant and no link carries more than its 10 Gbps.
fn check_scenario(sol: &archc::Solution, down: &[&str]) {
    let mut load = std::collections::HashMap::new();
    for pair in ["ab", "ac"] {
        let granted = value(sol, "granted", &[pair]);
        let alive: Vec<_> = TUNNELS
            .iter()
            .filter(|(_, p, path)| *p == pair && path.iter().all(|l| !down.contains(l)))
            .collect();
        let alloc: f64 = alive
            .iter()
            .map(|(t, _, _)| value(sol, "alloc", &[t]))
            .sum();
        assert!(
            alloc >= granted - 1e-9,
            "{pair} is granted {granted} but its tunnels up after {down:?} hold {alloc}"
        );
        for (t, _, path) in alive {
            let share = if alloc > 0.0 {
                granted * value(sol, "alloc", &[t]) / alloc
            } else {
                0.0
            };
            for l in path.iter() {
                *load.entry(*l).or_insert(0.0) += share;
            }
        }
    }
    for (l, carried) in load {
        assert!(
            carried <= 10.0 + 1e-9,
            "{l} carries {carried} after {down:?}"
        );
    }
}

#[test]
fn ffc_grants_survive_every_single_and_double_link_failure() {
    for k in [1, 2] {
        let sol = solve(&ffc_model(&format!("fail_k(links, {k}, up_to = true)")));
        let mut scenarios = vec![vec![]];
        scenarios.extend(failures(LINKS.len(), k));
        for down in scenarios {
            let names: Vec<&str> = down.iter().map(|&i| LINKS[i]).collect();
            check_scenario(&sol, &names);
        }
        let total = sol.objective().expect("objective");
        if k == 1 {
            // Each granted Gbps is allocated on two link-disjoint tunnels leaving `a`,
            // whose two links hold 20 Gbps: at most 10 Gbps can be granted, and the LP
            // reaches it.
            assert!((total - 10.0).abs() < 1e-6, "k=1 grants {total}");
        } else {
            // Both links out of `a` can fail together: nothing is guaranteed.
            assert!(total.abs() < 1e-6, "k=2 grants {total}");
        }
    }
}

#[test]
fn ffc_over_shared_risk_groups_survives_each_group_failing_together() {
    // `a->b`, `b->a`, `a->c` and `c->a` share the conduit `east`: cutting it isolates `a`.
    let groups = solve(&ffc_model("fail_groups(links, conduit)"));
    check_scenario(&groups, &[]);
    check_scenario(&groups, &["a->b", "b->a", "a->c", "c->a"]);
    check_scenario(&groups, &["b->c", "c->b"]);
    assert!(groups.objective().expect("objective").abs() < 1e-6);
    // Planned for single link failures only, the same network grants 10 Gbps, which the
    // cut of the shared conduit would take away.
    let single = solve(&ffc_model("fail_k(links, 1)"));
    assert!((single.objective().expect("objective") - 10.0).abs() < 1e-6);
}

/// TeaVaR on the triangle with independent link failures.
fn teavar_model(beta: f64) -> String {
    format!(
        "use std.infra\nuse std.risk\nkind link {{ p_fail: real = 0 }}\n\
         region a\nregion b\nregion c\n\
         link a -> b {{ capacity: 10 Gbps, p_fail: 0.02 }}\n\
         link a -> c {{ capacity: 10 Gbps, p_fail: 0.05 }}\n\
         link c -> b {{ capacity: 4 Gbps, p_fail: 0.01 }}\n\
         link b -> c {{ capacity: 4 Gbps, p_fail: 0.1 }}\n\
         pair ab {{ origin: a, dest: b, demand: 9 Gbps }}\n\
         pair ac {{ origin: a, dest: c, demand: 6 Gbps }}\n\
         tunnel ab1 {{ pair: ab }}\ntunnel ab2 {{ pair: ab }}\n\
         tunnel ac1 {{ pair: ac }}\ntunnel ac2 {{ pair: ac }}\n\
         hop h1 {{ tunnel: ab1, link: a->b }}\n\
         hop h2 {{ tunnel: ab2, link: a->c }}\nhop h3 {{ tunnel: ab2, link: c->b }}\n\
         hop h4 {{ tunnel: ac1, link: a->c }}\n\
         hop h5 {{ tunnel: ac2, link: a->b }}\nhop h6 {{ tunnel: ac2, link: b->c }}\n\
         set S = fail_independent(links, p_fail)\n\
         fn wanted(f: pair) = f.demand\n\
         decide alloc[t in tunnels]: real Gbps >= 0\n\
         decide loss[s in S]: real >= 0 <= 1\n\
         apply tunnel_capacity(alloc, links, capacity) as links\n\
         apply teavar_loss(alloc, loss, pairs, tunnels, S, tunnel_up, wanted) as tv\n\
         minimize risk: cvar({beta}, s in S) loss[s]\n"
    )
}

#[test]
fn teavar_cvar_matches_losses_recomputed_over_every_scenario() {
    const TEAVAR_LINKS: [(&str, f64); 4] = [
        ("a->b", 0.02),
        ("a->c", 0.05),
        ("c->b", 0.01),
        ("b->c", 0.1),
    ];
    const PATHS: [(&str, &str, &[&str]); 4] = [
        ("ab1", "ab", &["a->b"]),
        ("ab2", "ab", &["a->c", "c->b"]),
        ("ac1", "ac", &["a->c"]),
        ("ac2", "ac", &["a->b", "b->c"]),
    ];
    for beta in [0.9, 0.99] {
        let sol = solve(&teavar_model(beta));
        let alloc = |t: &str| value(&sol, "alloc", &[t]);
        // Every one of the 2^4 scenarios: its probability and its loss, computed here.
        let mut scenarios = Vec::new();
        for mask in 0u32..16 {
            let down: Vec<&str> = (0..4)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| TEAVAR_LINKS[i].0)
                .collect();
            let p: f64 = (0..4)
                .map(|i| {
                    let q = TEAVAR_LINKS[i].1;
                    if mask & (1 << i) != 0 {
                        q
                    } else {
                        1.0 - q
                    }
                })
                .product();
            let loss = [("ab", 9.0), ("ac", 6.0)]
                .iter()
                .map(|(pair, demand)| {
                    let up: f64 = PATHS
                        .iter()
                        .filter(|(_, p, path)| p == pair && path.iter().all(|l| !down.contains(l)))
                        .map(|(t, _, _)| alloc(t))
                        .sum();
                    (1.0 - up / demand).max(0.0)
                })
                .fold(0.0, f64::max);
            scenarios.push((loss, p));
        }
        // CVaR by sorting: the mean loss over the worst 1 - beta of probability.
        scenarios.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut left = 1.0 - beta;
        let mut acc = 0.0;
        for (loss, p) in &scenarios {
            let take = p.min(left);
            acc += take * loss;
            left -= take;
            if left <= 0.0 {
                break;
            }
        }
        let cvar = acc / (1.0 - beta);
        let got = sol.objective().expect("objective");
        assert!(
            (got - cvar).abs() < 1e-6,
            "beta {beta}: the model's CVaR {got}, recomputed {cvar}"
        );
        assert!(cvar > 0.0, "some scenario must lose traffic at beta {beta}");
    }
}

#[test]
fn reroute_carries_the_demand_after_each_link_failure() {
    let text = "use std.infra\nuse std.risk\n\
        region a\nregion b\nregion c\nregion d\n\
        link a <-> b { capacity: 10 Gbps }\nlink b <-> c { capacity: 10 Gbps }\n\
        link c <-> d { capacity: 10 Gbps }\nlink d <-> a { capacity: 10 Gbps }\n\
        param demand[o in regions, n in regions]: Gbps = if o.name == \"a\" and n.name == \"c\" then 8 Gbps else 0 Gbps\n\
        set S = fail_k(links, 1)\n\
        decide flow[s in S, o in regions, l in links]: real Gbps >= 0\n\
        apply reroute(flow, regions, regions, links, S, demand, capacity) as rr\n\
        minimize used: sum(s in S, o in regions, l in links) flow[s, o, l] / 1 Gbps\n";
    let sol = solve(text);
    let links = [
        "a->b", "b->a", "b->c", "c->b", "c->d", "d->c", "d->a", "a->d",
    ];
    for lost in links {
        let s = format!("down({lost})");
        assert_eq!(
            value(&sol, "flow", &[&s, "a", lost]),
            0.0,
            "{lost} is down in {s}"
        );
        // What reaches `c` from `a` in this scenario, read from the flows.
        let into_c: f64 = links
            .iter()
            .filter(|l| l.ends_with("->c"))
            .map(|l| value(&sol, "flow", &[&s, "a", l]))
            .sum();
        let out_of_c: f64 = links
            .iter()
            .filter(|l| l.starts_with("c->"))
            .map(|l| value(&sol, "flow", &[&s, "a", l]))
            .sum();
        assert!(
            (into_c - out_of_c - 8.0).abs() < 1e-6,
            "{s}: {into_c} in, {out_of_c} out"
        );
    }
}

/// The repository root (the tests read its examples).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}

#[test]
fn the_risk_examples_pass_archc_test() {
    let dir = archc_root().join("examples").join("risk");
    let mut models: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/risk exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "arch"))
        .collect();
    models.sort();
    assert!(models.len() >= 5, "examples/risk holds {models:?}");
    // Every enabled solver: a snapshot compares decision values only where the plan is
    // unique, so a solver that returns another plan of the same cost passes too.
    for m in models {
        for kind in archc::solve::SolverKind::enabled() {
            let r = archc_cli::modeltest::run_model_with(&m, false, Some(kind));
            assert!(
                r.passed,
                "{} failed with {}:\n{}",
                m.display(),
                kind.name(),
                r.messages.join("\n")
            );
            assert!(r.expectations > 0, "{} has no expectations", m.display());
        }
    }
}
