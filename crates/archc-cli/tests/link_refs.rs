//! Links named by their ends (`flow[a->b]`): compiled, solved and read back through the
//! embedding API, in constraints with entity names and with index variables as ends.

use archc::diagnostics::Code;
use archc::solve::{SolveOptions, Status};

const ROUTING: &str = "use std.infra

region a { cores: 10 core }
region b { cores: 10 core }
region c { cores: 10 core }
link a <-> b { capacity: 40 Gbps }
link b <-> c { capacity: 40 Gbps }

decide flow[l in links]: real Gbps >= 0 <= l.capacity

constraint pinned: flow[a->b] >= 5 Gbps
constraint each_way[r in regions, s in regions where r != s and (r == b or s == b)]:
    flow[r->s] >= 1 Gbps
constraint not_ab: sum(l in links where l != (a->b)) flow[l] >= 6 Gbps

minimize carried: sum(l in links) flow[l]
";

fn solve(src: &str) -> archc::Solution {
    let mut model = archc::compile_source("routing.arch", src, None).expect("the model compiles");
    model.solve(&SolveOptions::default()).expect("it solves")
}

#[test]
fn a_link_named_by_its_ends_is_a_decision_index() {
    let solution = solve(ROUTING);
    assert_eq!(solution.status(), Status::Optimal);
    let ab = solution.value("flow", &["a->b"]).expect("flow[a->b]");
    assert!((ab - 5.0).abs() < 1e-6, "flow[a->b] = {ab}");
    // Three other links carry 1 Gbps each at least, and 6 Gbps together.
    let others: f64 = ["b->a", "b->c", "c->b"]
        .iter()
        .map(|l| solution.value("flow", &[l]).expect("a link"))
        .sum();
    assert!((others - 6.0).abs() < 1e-6, "others carry {others}");
    let total = solution.objective().expect("an objective");
    assert!((total - 11.0).abs() < 1e-6, "objective {total}");
}

#[test]
fn the_pinned_link_drives_the_optimum() {
    let src = ROUTING.replace("flow[a->b] >= 5 Gbps", "flow[a->b] >= 9 Gbps");
    let solution = solve(&src);
    let ab = solution.value("flow", &["a->b"]).expect("flow[a->b]");
    assert!((ab - 9.0).abs() < 1e-6, "flow[a->b] = {ab}");
}

#[test]
fn a_missing_link_is_an_error_with_its_name() {
    let src = ROUTING.replace("flow[a->b] >= 5 Gbps", "flow[a->c] >= 5 Gbps");
    let err = archc::compile_source("routing.arch", &src, None)
        .err()
        .expect("no link a->c");
    let d = err
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E0214)
        .expect("E0214");
    assert!(d.message.contains("`a->c`"), "{}", d.message);
}

#[test]
fn implication_between_conditions_is_unchanged() {
    let src = format!(
        "{ROUTING}decide on[l in links]: bool\n\
         constraint use_on[l in links]: on[l] -> flow[l] >= 20 Gbps\n\
         constraint first: on[a->b] == 1\n"
    );
    let solution = solve(&src);
    let ab = solution.value("flow", &["a->b"]).expect("flow[a->b]");
    assert!((ab - 20.0).abs() < 1e-6, "flow[a->b] = {ab}");
}
