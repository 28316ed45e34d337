//! Models that compile must give the right answer or a coded error: nested templates expand
//! fully, sizes are refused before memory or time is spent, numbers that cannot be
//! represented are errors, and a solver's integer limit is never reported as an optimum.
//!
//! Each model is compiled (and solved where it matters) through the embedding API.

use archc::solve::{SolveOptions, Status};

/// The codes of a model that does not compile (panics when it compiles).
fn error_codes(name: &str, text: &str) -> Vec<String> {
    match archc::compile_source(name, text, None) {
        Ok(_) => panic!("{name} compiled, but an error was expected"),
        Err(e) => e.diagnostics.iter().map(|d| d.code.to_string()).collect(),
    }
}

/// The first diagnostic of a model that does not compile, rendered as plain text.
fn first_error(name: &str, text: &str) -> (String, String) {
    let err = archc::compile_source(name, text, None)
        .err()
        .unwrap_or_else(|| panic!("{name} compiled, but an error was expected"));
    let d = err
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error diagnostic");
    (d.code.to_string(), err.to_string())
}

#[test]
fn a_template_applied_inside_a_template_solves_to_the_inner_optimum() {
    let text = "template inner(k) {\n    decide x: int >= 0 <= k\n    maximize o: x\n}\n\
                template outer(k) {\n    apply inner(k)\n}\n\
                apply outer(7)\n";
    let mut model = archc::compile_source("nested.arch", text, None).expect("compiles");
    assert_eq!(model.model().num_columns(), 1, "the inner decision exists");
    let solution = model.solve(&SolveOptions::default()).expect("solves");
    assert_eq!(solution.status(), Status::Optimal);
    assert_eq!(solution.objective(), Some(7.0));
    assert_eq!(solution.value("outer.inner.x", &[]), Some(7.0));
}

#[test]
fn nested_templates_substitute_outer_arguments_at_every_level() {
    // Three levels, with arguments computed at the middle one and aliases on the way: the
    // tighter of the two copies (5 + 1 < 5 * 2) bounds `z`.
    let text = "decide z: int >= 0 <= 100\n\
                template leaf(cap, v) {\n    constraint lim: v <= cap\n}\n\
                template mid(k, v) {\n    apply leaf(k * 2, v) as one\n    apply leaf(k + 1, v) as two\n}\n\
                template top(k, v) {\n    apply mid(k, v) as m\n}\n\
                apply top(5, z) as t\n\
                maximize total: z\n";
    let mut model = archc::compile_source("levels.arch", text, None).expect("compiles");
    let rows: Vec<&str> = model
        .model()
        .decls
        .iter()
        .map(|d| d.name.as_str())
        .filter(|n| n.starts_with("t."))
        .collect();
    assert_eq!(rows, ["t.m.one.lim", "t.m.two.lim"]);
    let solution = model.solve(&SolveOptions::default()).expect("solves");
    assert_eq!(solution.objective(), Some(6.0));
}

#[test]
fn templates_that_apply_each_other_name_the_cycle() {
    let text =
        "template a(k) {\n    apply b(k)\n}\ntemplate b(k) {\n    apply a(k)\n}\napply a(7)\n";
    let (code, rendered) = first_error("mutual.arch", text);
    assert_eq!(code, "E0220");
    assert!(rendered.contains("a -> b -> a"), "{rendered}");
    let direct = "template a(k) {\n    decide x: int >= 0 <= k\n    apply a(k)\n}\napply a(7)\n";
    assert_eq!(error_codes("direct.arch", direct), ["E0220"]);
}

#[test]
fn an_integer_without_upper_bound_is_unbounded_on_the_default_solver() {
    let text = "decide x: int >= 0\nmaximize o: x\n";
    let mut model = archc::compile_source("unbounded.arch", text, None).expect("compiles");
    let solution = model
        .solve(&SolveOptions::default())
        .expect("an answer, not an error");
    assert_eq!(solution.status(), Status::Unbounded);
    assert_eq!(solution.objective(), None);
}

#[test]
fn an_integer_bounded_at_the_solver_edge_keeps_its_optimum() {
    // The model's own bound is the edge: that optimum is real.
    let text = "decide x: int >= 0 <= 2147483647\nmaximize o: x\n";
    let mut model = archc::compile_source("edge.arch", text, None).expect("compiles");
    let solution = model.solve(&SolveOptions::default()).expect("solves");
    assert_eq!(solution.status(), Status::Optimal);
    assert_eq!(solution.objective(), Some(2147483647.0));
}
