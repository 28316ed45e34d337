//! The checker hands on a typed HIR (`archc::hir`) for every model that checks clean: every
//! `ok` fixture, every example, every docs and stdlib example model lowers with no error,
//! and no model at all (the `err` fixtures included) reaches the internal error E0750. The
//! HIR of each is checked for what consumers rely on: one entry per declaration, every
//! node typed, every slot bound in its declaration, every indexed param and decision given
//! as many indices as it has dimensions, constraints typed as conditions and objectives in
//! the unit the checker found.

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::check::{Schema, Ty};
use archc::diagnostics::Code;
use archc::driver::{analyze, analyze_source};
use archc::hir::{Expr, ExprKind, Model, Slot};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn arch_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            arch_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "arch") {
            out.push(p);
        }
    }
}

/// Run on a thread with a program's main-thread stack, as the CLI does; a failed assertion
/// inside fails the test with its message.
fn on_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .expect("spawn analysis thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

fn check_only() -> AnalyzeOptions {
    AnalyzeOptions {
        instantiate: false,
        ..Default::default()
    }
}

/// The fixture files of one outcome (`ok` or `err`) over every phase.
fn fixtures(outcome: &str) -> Vec<PathBuf> {
    let base = root().join("crates/archc-cli/tests/fixtures");
    let mut out = Vec::new();
    for phase in ["syntax", "names", "types", "units", "data", "lowering"] {
        let Ok(entries) = std::fs::read_dir(base.join(phase).join(outcome)) else {
            continue;
        };
        out.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "arch")),
        );
    }
    out.sort();
    out
}

fn analyse_fixture(path: &Path) -> Analysis {
    let base = root().join("crates/archc-cli/tests/fixtures");
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    analyze_source(
        &path.display().to_string(),
        &text,
        Some(&base),
        &check_only(),
    )
}

/// Everything a consumer of the HIR relies on, checked over a whole model.
fn assert_well_formed(name: &str, schema: &Schema, hir: &Model) {
    assert_eq!(hir.sets.len(), schema.sets.len(), "{name}: sets");
    assert_eq!(hir.params.len(), schema.params.len(), "{name}: params");
    assert_eq!(
        hir.decisions.len(),
        schema.decisions.len(),
        "{name}: decisions"
    );
    assert_eq!(
        hir.constraints.len(),
        schema.constraints.len(),
        "{name}: constraints"
    );
    assert_eq!(
        hir.objectives.len(),
        schema.objectives.len(),
        "{name}: objectives"
    );
    assert_eq!(hir.tests.len(), schema.tests.len(), "{name}: tests");
    assert_eq!(hir.plans.len(), schema.plans.len(), "{name}: plans");
    for (slots, e) in hir.roots() {
        e.walk(|n| node_ok(name, schema, slots, n));
    }
    for (i, c) in hir.constraints.iter().enumerate() {
        assert_eq!(
            c.body.body.ty,
            Ty::Bool,
            "{name}: constraint {i} is a condition"
        );
        assert_eq!(
            c.body.index.binders.len(),
            schema.constraints[i].dims.len(),
            "{name}: constraint {i} binds its dimensions"
        );
    }
    for (i, o) in hir.objectives.iter().enumerate() {
        let Some((unit, _)) = o.body.body.ty.as_num() else {
            panic!("{name}: objective {i} is not a number");
        };
        assert!(
            unit.same_dim(&schema.objectives[i].unit),
            "{name}: objective {i} in the checker's unit"
        );
    }
    for (i, p) in hir.params.iter().enumerate() {
        assert_eq!(
            p.body.index.binders.len(),
            schema.params[i].dims.len(),
            "{name}: param {i} binds its dimensions"
        );
    }
}

fn node_ok(name: &str, schema: &Schema, slots: &[Slot], n: &Expr) {
    assert_ne!(n.ty, Ty::Err, "{name}: untyped node {:?}", n.kind);
    match &n.kind {
        ExprKind::Slot(s) => assert!(s.index() < slots.len(), "{name}: slot {s:?} unbound"),
        ExprKind::Param(p, args) => {
            assert_eq!(
                args.len(),
                schema.params[p.index()].dims.len(),
                "{name}: {p:?}"
            )
        }
        ExprKind::Decision(d, args) => assert_eq!(
            args.len(),
            schema.decisions[d.index()].dims.len(),
            "{name}: {d:?}"
        ),
        ExprKind::Attr(_, k, a) => {
            assert!(
                a.index() < schema.kinds[k.index()].attrs.len(),
                "{name}: {a:?}"
            )
        }
        ExprKind::Inline { params, args, .. } => {
            assert_eq!(params.len(), args.len(), "{name}: inlined call");
            for p in params {
                assert!(p.index() < slots.len(), "{name}: parameter {p:?} unbound");
            }
        }
        _ => {}
    }
}

/// Lower a model that must check clean; returns how many nodes its HIR has.
fn lowers_clean(name: &str, a: &Analysis) -> usize {
    let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{name} does not check clean: {errors:?}");
    let schema = a.schema.as_ref().expect("checked");
    let hir = a.hir.as_ref().unwrap_or_else(|| panic!("{name}: no HIR"));
    assert_well_formed(name, schema, hir);
    let mut nodes = 0;
    for (_, e) in hir.roots() {
        e.walk(|_| nodes += 1);
    }
    nodes
}

#[test]
fn every_ok_fixture_lowers_to_hir() {
    let files = fixtures("ok");
    assert!(files.len() >= 20, "ok fixtures found: {}", files.len());
    let nodes = on_thread(move || {
        let mut nodes = 0;
        for f in &files {
            nodes += lowers_clean(&f.display().to_string(), &analyse_fixture(f));
        }
        nodes
    });
    assert!(nodes > 1000, "HIR nodes over the ok fixtures: {nodes}");
}

#[test]
fn every_example_and_docs_model_lowers_to_hir() {
    let mut files = Vec::new();
    arch_files(&root().join("examples"), &mut files);
    arch_files(&root().join("stdlib/examples"), &mut files);
    let examples = files.len();
    assert!(examples >= 10, "examples found: {examples}");
    let mut docs = Vec::new();
    arch_files(&root().join("docs/examples"), &mut docs);
    let mut docs_clean = 0;
    for f in &docs {
        let text = std::fs::read_to_string(f).expect("read");
        // Docs models that show a mistake name its code on their first line (the tutorial's
        // first draft shows a unit error without it).
        let mistake =
            text.starts_with("// expect: ") || f.ends_with("tutorial/step1_unit_error.arch");
        if !mistake {
            files.push(f.clone());
            docs_clean += 1;
        }
    }
    assert!(docs_clean >= 10, "clean docs models: {docs_clean}");
    on_thread(move || {
        for f in &files {
            lowers_clean(&f.display().to_string(), &analyze(f, &check_only()));
        }
    });
}

/// E0750 cannot be reached from a model: no fixture, clean or not, gives it (a model with
/// errors is never lowered; a clean one always lowers, as the tests above show).
#[test]
fn no_fixture_reaches_the_internal_lowering_error() {
    let mut files = fixtures("err");
    files.extend(fixtures("ok"));
    assert!(files.len() >= 150, "fixtures found: {}", files.len());
    on_thread(move || check_no_internal_error(&files));
}

fn check_no_internal_error(files: &[PathBuf]) {
    for f in files {
        let a = analyse_fixture(f);
        assert!(
            !a.diagnostics.iter().any(|d| d.code == Code::E0750),
            "{}: {:?}",
            f.display(),
            a.diagnostics
        );
    }
}

/// `a -> b -> c` between entities (a kind whose `dst` is a link) lowers as the checker typed
/// it, `a -> (b -> c)`: two nested `Link` nodes, the inner one typed as the `pipe` kind and
/// the outer as the `tap` kind — not the internal error E0750.
#[test]
fn a_run_of_links_between_entities_lowers_as_nested_links() {
    let text = "kind node { }\n\
                kind pipe { src: node, dst: node }\n\
                kind tap { src: node, dst: pipe, w: real = 1 }\n\
                node a { }\n\
                node b { }\n\
                node c { }\n\
                pipe b -> c { }\n\
                param w: real = (a -> b -> c).w\n\
                decide x: real >= 0\n\
                minimize m: x\n";
    let a = analyze_source("links.arch", text, None, &check_only());
    assert!(
        !a.diagnostics.iter().any(|d| d.is_error()),
        "{:?}",
        a.diagnostics
    );
    let (schema, hir) = (
        a.schema.as_ref().expect("schema"),
        a.hir.as_ref().expect("hir"),
    );
    assert_well_formed("links.arch", schema, hir);
    let w = schema.params.iter().position(|p| p.name == "w").expect("w");
    let archc::hir::ParamValue::Expr(e) = &hir.params[w].body.value else {
        panic!("w is an expression");
    };
    let mut links: Vec<(String, Ty)> = Vec::new();
    e.walk(|n| {
        if let ExprKind::Link(x, y) = &n.kind {
            links.push((format!("{:?} -> {:?}", x.kind, y.kind), n.ty));
        }
    });
    assert_eq!(links.len(), 2, "{links:?}");
    let kind_of = |name: &str| {
        schema
            .kinds
            .iter()
            .position(|k| k.name == name)
            .expect(name)
    };
    use archc::check::ElemTy;
    assert_eq!(
        links[0].1,
        Ty::Elem(ElemTy::Kind(kind_of("tap"))),
        "{links:?}"
    );
    assert_eq!(
        links[1].1,
        Ty::Elem(ElemTy::Kind(kind_of("pipe"))),
        "{links:?}"
    );
}
