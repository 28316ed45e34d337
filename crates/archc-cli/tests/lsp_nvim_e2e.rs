//! Runs editors/nvim/test/e2e.sh: Neovim's LSP client against the real `archc lsp`, with
//! diagnostics and hover checked end to end. Skipped (with a note) when `nvim` is not on PATH.

use std::path::Path;
use std::process::Command;

fn has_nvim() -> bool {
    Command::new("nvim")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn neovim_shows_diagnostics_and_hover_from_the_real_server() {
    if !has_nvim() {
        eprintln!("note: `nvim` is not on PATH; skipping the Neovim end-to-end test");
        return;
    }
    let root = archc_root();
    let archc = env!("CARGO_BIN_EXE_archc");
    // The server writes the standard library into its cache folder: a temporary one.
    let cache = std::env::temp_dir().join(format!("archc-lsp-nvim-cache-{}", std::process::id()));
    let out = Command::new("bash")
        .arg(root.join("editors/nvim/test/e2e.sh"))
        .arg(archc)
        .env("ARCHC_CACHE_DIR", &cache)
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_dir_all(&cache);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "e2e.sh failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("e2e: ok"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

/// The repository root (the tests read its examples, docs and stdlib).
fn archc_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/archc-cli sits two levels below the root")
}
