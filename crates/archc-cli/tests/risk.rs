//! Scenario sets and two-stage models: generated scenarios (equally likely, weighted by
//! each entity's failure probability, shared-risk groups one or several at a time)
//! compared with an enumeration done here, declared overrides and `up(e, s)`, and an N-1 plan checked by removing each
//! region and solving the recourse again as a separate model.

use archc::solve::SolveOptions;

fn solve(text: &str) -> archc::Solution {
    let mut model = match archc::compile_source("risk.arch", text, None) {
        Ok(m) => m,
        Err(e) => panic!("the model does not compile: {e:?}"),
    };
    model
        .solve(&SolveOptions::default())
        .expect("the model solves")
}

const LINKS: &str = r#"
use std.infra
kind link { p_fail: real = 0, fibre: str = "" }
region a
region b
region c
link a -> b { p_fail: 0.02, fibre: "f1" }
link b -> c { p_fail: 0.1, fibre: "f1" }
link a -> c { p_fail: 0.005, fibre: "f2" }
"#;

/// Each scenario's probability and its `up` values are read back through decisions fixed
/// to them; a scenario that is not in the set reads `member` 0 (the report leaves zeros
/// out).
fn probe(set: &str) -> String {
    format!(
        "{LINKS}\nset S = {set}\n\
         decide pr[s in S]: real == prob(s)\n\
         decide alive[l in links, s in S]: real == up(l, s)\n\
         decide total: real == mass(S)\n\
         decide member[s in S]: real == 1\n\
         decide size: real == card(S)\n"
    )
}

/// Probabilities of independent failures, enumerated here over all 2^3 subsets.
fn enumerate(p: &[f64]) -> Vec<(Vec<usize>, f64)> {
    (0u32..1 << p.len())
        .map(|mask| {
            let down: Vec<usize> = (0..p.len()).filter(|i| mask & (1 << i) != 0).collect();
            let prob = p
                .iter()
                .enumerate()
                .map(|(i, pi)| if mask & (1 << i) != 0 { *pi } else { 1.0 - pi })
                .product();
            (down, prob)
        })
        .collect()
}

const NAMES: [&str; 3] = ["a->b", "b->c", "a->c"];

fn scenario_name(down: &[usize]) -> String {
    if down.is_empty() {
        return "nominal".into();
    }
    let names: Vec<&str> = down.iter().map(|&i| NAMES[i]).collect();
    format!("down({})", names.join(", "))
}

#[test]
fn independent_failures_match_an_enumeration_above_the_cutoff() {
    let cutoff = 1e-3;
    let sol = solve(&probe(&format!(
        "fail_independent(links, p_fail, cutoff = {cutoff})"
    )));
    let mut kept = 0.0;
    let mut count = 0.0;
    for (down, p) in enumerate(&[0.02, 0.1, 0.005]) {
        let name = scenario_name(&down);
        let got = sol.value("pr", &[&name]);
        if p >= cutoff {
            kept += p;
            count += 1.0;
            let got = got.unwrap_or_else(|| panic!("scenario {name} is missing"));
            assert!((got - p).abs() < 1e-12, "{name}: {got} != {p}");
            for (i, l) in NAMES.iter().enumerate() {
                let want = if down.contains(&i) { 0.0 } else { 1.0 };
                assert_eq!(sol.value("alive", &[l, &name]), Some(want), "{l} in {name}");
            }
        } else {
            assert_eq!(
                sol.value("member", &[&name]),
                Some(0.0),
                "{name} ({p}) is below the cutoff"
            );
        }
    }
    let mass = sol.value("total", &[]).expect("mass");
    assert!((mass - kept).abs() < 1e-12);
    assert!(mass < 1.0, "the cutoff leaves some probability out");
    assert_eq!(sol.value("size", &[]), Some(count));
}

#[test]
fn k_failures_are_every_choice_equally_likely() {
    let sol = solve(&probe("fail_k(links, 2, up_to = true)"));
    // nominal, 3 single and 3 double failures.
    let mut names = vec![vec![]];
    names.extend((0..3).map(|i| vec![i]));
    names.extend([vec![0, 1], vec![0, 2], vec![1, 2]]);
    for down in &names {
        let name = scenario_name(down);
        assert_eq!(sol.value("pr", &[&name]), Some(1.0 / 7.0), "{name}");
    }
    assert_eq!(sol.value("size", &[]), Some(7.0));
    assert!((sol.value("total", &[]).expect("mass") - 1.0).abs() < 1e-12);
    let only_two = solve(&probe("fail_k(links, 2, nominal = false)"));
    assert_eq!(only_two.value("pr", &["down(a->b, b->c)"]), Some(1.0 / 3.0));
    assert_eq!(only_two.value("size", &[]), Some(3.0));
    assert_eq!(only_two.value("member", &["nominal"]), Some(0.0));
    assert_eq!(only_two.value("member", &["down(a->b)"]), Some(0.0));
}

#[test]
fn shared_risk_groups_fail_together() {
    let sol = solve(&probe("fail_groups(links, fibre, nominal = false)"));
    assert_eq!(sol.value("pr", &["group(f1)"]), Some(0.5));
    assert_eq!(sol.value("size", &[]), Some(2.0));
    assert_eq!(sol.value("alive", &["a->b", "group(f1)"]), Some(0.0));
    assert_eq!(sol.value("alive", &["b->c", "group(f1)"]), Some(0.0));
    assert_eq!(sol.value("alive", &["a->c", "group(f1)"]), Some(1.0));
    assert_eq!(sol.value("alive", &["a->c", "group(f2)"]), Some(0.0));
}

/// Weighted `fail_k`: for every size, with and without `up_to` and `nominal`, each of the
/// 2^3 failure sets enumerated here is in the set exactly when its size is asked for, with
/// the probability that exactly those links fail; the rest of the mass is left out.
#[test]
fn weighted_k_failures_match_an_enumeration_of_exact_failures() {
    let p = [0.02, 0.1, 0.005];
    for k in 1..=3usize {
        for up_to in [false, true] {
            for nominal in [true, false] {
                let set =
                    format!("fail_k(links, {k}, p = p_fail, up_to = {up_to}, nominal = {nominal})");
                let sol = solve(&probe(&set));
                let (mut kept, mut count) = (0.0, 0.0);
                for (down, prob) in enumerate(&p) {
                    let name = scenario_name(&down);
                    let wanted = if down.is_empty() {
                        nominal
                    } else if up_to {
                        down.len() <= k
                    } else {
                        down.len() == k
                    };
                    if !wanted {
                        assert_eq!(sol.value("member", &[&name]), Some(0.0), "{set}: {name}");
                        continue;
                    }
                    kept += prob;
                    count += 1.0;
                    let got = sol
                        .value("pr", &[&name])
                        .unwrap_or_else(|| panic!("{set}: scenario {name} is missing"));
                    assert!((got - prob).abs() < 1e-12, "{set}: {name}: {got} != {prob}");
                    for (i, l) in NAMES.iter().enumerate() {
                        let want = if down.contains(&i) { 0.0 } else { 1.0 };
                        assert_eq!(sol.value("alive", &[l, &name]), Some(want), "{l} in {name}");
                    }
                }
                let mass = sol.value("total", &[]).expect("mass");
                assert!((mass - kept).abs() < 1e-12, "{set}: mass {mass} != {kept}");
                assert_eq!(sol.value("size", &[]), Some(count), "{set}");
            }
        }
    }
}

const GROUPED: &str = r#"
use std.infra
kind link { fibre: str = "" }
region a
region b
region c
region d
link a -> b { fibre: "f1" }
link b -> c { fibre: "f1" }
link c -> d { fibre: "f2" }
link a -> d { fibre: "f3" }
link a -> c
"#;

/// `fail_groups(..., k = K)`: every choice of K of the three groups (1 to K with `up_to`),
/// enumerated here over all subsets of groups, is one scenario with the links of those
/// groups down and no other; all equally likely; `a->c` is in no group and never down.
#[test]
fn k_shared_risk_groups_fail_together() {
    let groups: [(&str, &[&str]); 3] = [
        ("f1", &["a->b", "b->c"]),
        ("f2", &["c->d"]),
        ("f3", &["a->d"]),
    ];
    let links = ["a->b", "b->c", "c->d", "a->d", "a->c"];
    for k in 1..=3usize {
        for up_to in [false, true] {
            let set = format!("fail_groups(links, fibre, k = {k}, up_to = {up_to})");
            let text = format!(
                "{GROUPED}\nset S = {set}\n\
                 decide pr[s in S]: real == prob(s)\n\
                 decide alive[l in links, s in S]: real == up(l, s)\n\
                 decide member[s in S]: real == 1\n\
                 decide size: real == card(S)\n"
            );
            let sol = solve(&text);
            let chosen: Vec<Vec<usize>> = (1u32..1 << groups.len())
                .map(|mask| (0..groups.len()).filter(|i| mask & (1 << i) != 0).collect())
                .collect();
            let wanted: Vec<&Vec<usize>> = chosen
                .iter()
                .filter(|g| if up_to { g.len() <= k } else { g.len() == k })
                .collect();
            let count = wanted.len() + 1; // and nominal
            assert_eq!(sol.value("size", &[]), Some(count as f64), "{set}");
            for g in &chosen {
                let names: Vec<&str> = g.iter().map(|&i| groups[i].0).collect();
                let name = format!("group({})", names.join(", "));
                if !wanted.contains(&g) {
                    assert_eq!(sol.value("member", &[&name]), Some(0.0), "{set}: {name}");
                    continue;
                }
                assert_eq!(
                    sol.value("pr", &[&name]),
                    Some(1.0 / count as f64),
                    "{set}: {name}"
                );
                for l in links {
                    let down = g.iter().any(|&i| groups[i].1.contains(&l));
                    let want = if down { 0.0 } else { 1.0 };
                    assert_eq!(sol.value("alive", &[l, &name]), Some(want), "{l} in {name}");
                }
            }
            assert_eq!(sol.value("pr", &["nominal"]), Some(1.0 / count as f64));
        }
    }
}

#[test]
fn declared_scenarios_override_params() {
    let text = format!(
        "{LINKS}\nparam mult[s in S]: real = 1\n\
         set S = {{calm: scenario(p = 0.9), cut: scenario(p = 0.06, down = {{a->b}}), \
         peak: scenario(p = 0.04, mult = 1.5)}}\n\
         decide m[s in S]: real == mult[s]\n\
         decide pr[s in S]: real == prob(s)\n\
         decide alive[l in links, s in S]: real == up(l, s)\n"
    );
    let sol = solve(&text);
    assert_eq!(sol.value("m", &["calm"]), Some(1.0));
    assert_eq!(sol.value("m", &["peak"]), Some(1.5));
    assert_eq!(sol.value("pr", &["cut"]), Some(0.06));
    assert_eq!(sol.value("alive", &["a->b", "cut"]), Some(0.0));
    assert_eq!(sol.value("alive", &["a->b", "peak"]), Some(1.0));
}

const N1: &str = r#"
use std.infra
region a { cores: 100 core }
region b { cores: 100 core }
region c { cores: 100 core }
region d { cores: 40 core }
param need: core = 150 core
set n1 = fail_k(regions, 1)
decide cap[r in regions]: real core >= 0 <= r.cores
decide serve[s in n1, r in regions]: real core >= 0
constraint within[s in n1, r in regions]: serve[s, r] <= cap[r] * up(r, s)
constraint enough[s in n1]: sum(r in regions) serve[s, r] >= need
minimize total: sum(r in regions) cap[r]
"#;

/// The recourse alone, with the first-stage capacities fixed and one region removed.
fn survives(caps: &[(&str, f64)], lost: &str) -> bool {
    let mut text = String::from("use std.infra\nparam need: core = 150 core\n");
    for (r, cap) in caps {
        if *r != lost {
            text.push_str(&format!("region {r} {{ cores: {cap} core }}\n"));
        }
    }
    text.push_str(
        "decide serve[r in regions]: real core >= 0 <= r.cores\n\
         constraint enough: sum(r in regions) serve[r] >= need\n",
    );
    let mut model = archc::compile_source("recourse.arch", &text, None).expect("compiles");
    match model.solve(&SolveOptions::default()) {
        Ok(s) => s.status() == archc::solve::Status::Optimal,
        Err(_) => false,
    }
}

#[test]
fn an_n1_plan_survives_each_region_loss_solved_again_without_it() {
    let sol = solve(N1);
    let regions = ["a", "b", "c", "d"];
    let caps: Vec<(&str, f64)> = regions
        .iter()
        .map(|r| (*r, sol.value("cap", &[r]).expect("a capacity per region")))
        .collect();
    for r in regions {
        assert!(
            survives(&caps, r),
            "the plan {caps:?} does not survive losing {r}"
        );
    }
    // Without the scenarios the need alone sets the total: the failures cost more.
    let total = sol.objective().expect("objective");
    assert!(
        total > 150.0 + 1e-6,
        "N-1 needs more than the need: {total}"
    );
    // And it is the least that survives: the total minus the largest capacity covers the
    // need. With d at its bound of 40 and a, b, c equal at x: 2x + 40 >= 150, so x = 55.
    let x = (150.0 - 40.0) / 2.0;
    let best: f64 = 3.0 * x + 40.0;
    assert!((total - best).abs() < 1e-6, "{total} != {best}");
}

/// The links of the risk-measure tests: failure probabilities 0.1, 0.05 and 0.2.
const PROBS: [f64; 3] = [0.1, 0.05, 0.2];

fn risk_model(objective: &str, extra: &str) -> String {
    format!(
        r#"
use std.infra
kind link {{ p_fail: real = 0 }}
region a
region b
region c
link a -> b {{ capacity: 10 Gbps, p_fail: {} }}
link b -> c {{ capacity: 10 Gbps, p_fail: {} }}
link a -> c {{ capacity: 10 Gbps, p_fail: {} }}
param demand: Gbps = 12 Gbps
set S = fail_independent(links, p_fail)
decide alloc[l in links]: real Gbps >= 0 <= l.capacity
decide carried[s in S]: real Gbps >= 0 <= 30 Gbps
constraint carry[s in S]: carried[s] <= sum(l in links) alloc[l] * up(l, s)
constraint budget: sum(l in links) alloc[l] <= 20 Gbps
decide lost[s in S]: real Gbps >= 0 <= demand
constraint loss[s in S]: lost[s] >= demand - carried[s]
{extra}
{objective}
"#,
        PROBS[0], PROBS[1], PROBS[2]
    )
}

/// Losses of a plan per failure set, computed here: what the surviving allocation cannot
/// carry of the demand of 12.
fn losses(alloc: &[f64; 3]) -> Vec<(f64, f64)> {
    enumerate(&PROBS)
        .into_iter()
        .map(|(down, p)| {
            let carried: f64 = (0..3).filter(|i| !down.contains(i)).map(|i| alloc[i]).sum();
            ((12.0 - carried).max(0.0), p)
        })
        .collect()
}

/// CVaR by its definition, min over alpha of alpha + E[(L - alpha)+] / (1 - beta); the
/// minimum lies at one of the losses.
fn cvar_by_definition(losses: &[(f64, f64)], beta: f64) -> f64 {
    losses
        .iter()
        .map(|&(alpha, _)| {
            alpha
                + losses
                    .iter()
                    .map(|&(l, p)| p * (l - alpha).max(0.0))
                    .sum::<f64>()
                    / (1.0 - beta)
        })
        .fold(f64::INFINITY, f64::min)
}

fn plan(sol: &archc::Solution) -> [f64; 3] {
    NAMES.map(|l| sol.value("alloc", &[l]).expect("an allocation per link"))
}

/// The least value of `measure` over allocations on a grid of 1 Gbps within the budget.
fn grid_best(measure: impl Fn(&[(f64, f64)]) -> f64) -> f64 {
    let mut best = f64::INFINITY;
    for x in 0..=10 {
        for y in 0..=10 {
            for z in 0..=10 {
                if x + y + z <= 20 {
                    best = best.min(measure(&losses(&[x as f64, y as f64, z as f64])));
                }
            }
        }
    }
    best
}

/// A risk measure computed here from `(loss, probability)` pairs.
type Measure = dyn Fn(&[(f64, f64)]) -> f64;

#[test]
fn cvar_expected_and_worst_match_the_plan_recomputed_and_a_grid_search() {
    let measures: [(&str, Box<Measure>); 4] = [
        (
            "cvar(0.9, s in S) lost[s]",
            Box::new(|l| cvar_by_definition(l, 0.9)),
        ),
        (
            "cvar(0.99, s in S) lost[s]",
            Box::new(|l| cvar_by_definition(l, 0.99)),
        ),
        (
            "expected(s in S) lost[s]",
            Box::new(|l| l.iter().map(|(v, p)| v * p).sum()),
        ),
        (
            "worst(s in S) lost[s]",
            Box::new(|l| l.iter().map(|x| x.0).fold(0.0, f64::max)),
        ),
    ];
    for (expr, measure) in measures {
        let sol = solve(&risk_model(&format!("minimize risk: {expr}"), ""));
        let got = sol.objective().expect("objective");
        let recomputed = measure(&losses(&plan(&sol)));
        assert!(
            (got - recomputed).abs() < 1e-6,
            "{expr}: the solver says {got}, the plan gives {recomputed}"
        );
        let grid = grid_best(&measure);
        assert!(
            got <= grid + 1e-6,
            "{expr}: {got} is worse than a grid point's {grid}"
        );
    }
}

#[test]
fn risk_measures_bound_constraints() {
    // Above a cutoff of 0.002 (all three links down, 0.001, is left out) the worst scenario
    // may lose at most 8 Gbps; the expected loss is minimised under that.
    let cut = |m: String| {
        m.replace(
            "fail_independent(links, p_fail)",
            "fail_independent(links, p_fail, cutoff = 0.002)",
        )
    };
    let sol = solve(&cut(risk_model(
        "minimize risk: expected(s in S) lost[s]",
        "constraint cap: worst(s in S) lost[s] <= 8 Gbps",
    )));
    let kept: Vec<(f64, f64)> = losses(&plan(&sol))
        .into_iter()
        .filter(|l| l.1 >= 0.002)
        .collect();
    assert_eq!(kept.len(), 7);
    let worst = kept.iter().map(|x| x.0).fold(0.0, f64::max);
    assert!(worst <= 8.0 + 1e-6, "worst loss {worst}");
    let expected: f64 = kept.iter().map(|(v, p)| v * p).sum();
    let got = sol.objective().expect("objective");
    assert!((got - expected).abs() < 1e-6, "{got} != {expected}");
    // A bound on the CVaR holds in the plan, recomputed here.
    let sol = solve(&risk_model(
        "minimize spend: sum(l in links) alloc[l]",
        "constraint tail: cvar(0.9, s in S) lost[s] <= 2 Gbps",
    ));
    let cvar = cvar_by_definition(&losses(&plan(&sol)), 0.9);
    assert!(cvar <= 2.0 + 1e-6, "cvar {cvar}");
}

#[test]
fn a_chance_constraint_holds_in_the_plan_with_the_probability_asked() {
    // Carry the whole demand with probability at least 0.9 at the least allocation.
    let sol = solve(&risk_model(
        "minimize spend: sum(l in links) alloc[l]",
        "constraint likely: probability(s in S) (carried[s] >= demand) >= 0.9",
    ));
    let alloc = plan(&sol);
    let served: f64 = losses(&alloc)
        .iter()
        .filter(|(loss, _)| *loss <= 1e-6)
        .map(|(_, p)| p)
        .sum();
    assert!(served >= 0.9 - 1e-9, "served with probability {served}");
    // And it is the least spend: on the grid, no allocation that serves with 0.9 spends less.
    let spend: f64 = alloc.iter().sum();
    for x in 0..=10 {
        for y in 0..=10 {
            for z in 0..=10 {
                let a = [x as f64, y as f64, z as f64];
                let ok: f64 = losses(&a).iter().filter(|l| l.0 <= 1e-9).map(|l| l.1).sum();
                if ok >= 0.9 - 1e-9 {
                    assert!(spend <= a.iter().sum::<f64>() + 1e-6, "{a:?} spends less");
                }
            }
        }
    }
}

#[test]
fn the_recomputation_rejects_a_cvar_the_solution_does_not_have() {
    let text = risk_model("minimize risk: cvar(0.9, s in S) lost[s]", "");
    let model = archc::compile_source("risk.arch", &text, None).expect("compiles");
    let instance = model.analysis().instance.as_ref().expect("an instance");
    let raw = archc::solve::solve_model(&instance.model, &SolveOptions::default())
        .expect("solves")
        .raw;
    let checked = archc::solve::verify_risk::check(instance, &raw.values).expect("verifies");
    assert_eq!(checked.len(), 1);
    let (_, solver, recomputed) = &checked[0];
    assert!((solver - recomputed).abs() < 1e-6);
    // The same values with the value-at-risk and excess columns zeroed: the solver's
    // measure drops below what the losses give, and the check says so.
    let mut values = raw.values.clone();
    let names: Vec<String> = (0..instance.model.columns.len())
        .map(|i| instance.model.origin_name(instance.model.columns[i].origin))
        .collect();
    // The excess columns name their scenario.
    assert!(
        names.iter().any(|n| n == "risk~excess[s=down(a->b, a->c)]"),
        "{names:?}"
    );
    for (i, c) in instance.model.columns.iter().enumerate() {
        let name = instance.model.origin_name(c.origin);
        if name.starts_with("risk~var") || name.starts_with("risk~excess") {
            values[i] = 0.0;
        }
    }
    let err = archc::solve::verify_risk::check(instance, &values).expect_err("rejected");
    assert_eq!(err.code.as_str(), "E0720");
}

#[test]
fn every_enabled_solver_gives_the_same_risk_optimum() {
    let objectives = [
        "minimize risk: cvar(0.9, s in S) lost[s]",
        "minimize risk: expected(s in S) lost[s] + worst(s in S) lost[s]",
        "minimize spend: sum(l in links) alloc[l]",
    ];
    let extra = [
        "",
        "",
        "constraint likely: probability(s in S) (carried[s] >= demand) >= 0.9",
    ];
    for (objective, extra) in objectives.iter().zip(extra) {
        let text = risk_model(objective, extra);
        let mut values = Vec::new();
        for kind in archc::solve::SolverKind::enabled() {
            let mut model = archc::compile_source("risk.arch", &text, None).expect("compiles");
            let options = SolveOptions {
                solver: Some(kind),
                ..SolveOptions::default()
            };
            let sol = model.solve(&options).expect("solves and verifies");
            values.push((kind.name(), sol.objective().expect("objective")));
        }
        let first = values[0].1;
        for (name, v) in &values {
            assert!(
                (v - first).abs() < 1e-6,
                "{objective}: {name} gives {v}, not {first}"
            );
        }
    }
}
