fn main() {
    std::process::exit(archc::cli::run());
}
