fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::PathBuf::from(&args[1]);
    let a = archc::analysis::analyze(&path, &Default::default());
    print!("{}", archc::diagnostics::render::render_all_plain(&a.diagnostics, &a.sources, 100));
}
