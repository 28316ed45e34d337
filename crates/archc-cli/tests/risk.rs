//! Scenario sets and two-stage models: generated scenarios compared with an enumeration
//! done here, declared overrides and `up(e, s)`, and an N-1 plan checked by removing each
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
