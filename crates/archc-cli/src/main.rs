//! The `archc` binary: everything happens in [`archc_cli::run`].

fn main() {
    std::process::exit(archc_cli::run());
}
