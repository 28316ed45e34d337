fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::PathBuf::from(&args[1]);
    let a = archc::analysis::analyze(
        &path,
        &archc::analysis::AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        },
    );
    print!(
        "{}",
        archc::diagnostics::render::render_all_plain(&a.diagnostics, &a.sources, 100)
    );
    if let Some(i) = &a.instance {
        print!("{}", archc::ir::dump::dump(&i.model));
    }
}
