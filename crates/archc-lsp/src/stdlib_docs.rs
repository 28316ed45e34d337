//! The standard library as read-only documents. Its modules (and the prelude of built-in
//! kinds) are embedded in the binary and have no path, so an editor could not open them:
//! they are written once into a cache folder named after the archc version, made
//! read-only, and go to definition and hover answer with `file:` URIs into it.

use lsp_types::Uri;
use std::path::{Path, PathBuf};

/// The name the analysis gives the prelude's source.
const PRELUDE_NAME: &str = "<prelude>";

/// The folder the standard library is written to: `archc-stdlib-VERSION` in the OS cache
/// folder (`$XDG_CACHE_HOME`, `~/.cache`), or in the temporary folder without one.
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|h| h.join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join(format!("archc-stdlib-{}", env!("CARGO_PKG_VERSION")))
}

/// The text of an embedded source by the name the analysis gives it (`std/infra.arch`,
/// `<prelude>`), and the file name it is written under.
fn embedded(name: &str) -> Option<(&'static str, String)> {
    if name == PRELUDE_NAME {
        return Some((archc::stdlib::PRELUDE, "prelude.arch".into()));
    }
    let module = name.strip_prefix("std/")?.strip_suffix(".arch")?;
    let text = archc::stdlib::module(module)?;
    Some((text, format!("std/{module}.arch")))
}

/// The `file:` URI of an embedded source (a stdlib module or the prelude), written into
/// [`cache_dir`] if it is not there yet with this text. `None` for other names or when the
/// folder cannot be written.
pub fn uri_for(name: &str) -> Option<Uri> {
    let (text, file) = embedded(name)?;
    let path = cache_dir().join(file);
    ensure_written(&path, text).ok()?;
    super::convert::path_to_uri(&path)
}

/// True when a path is one of the written stdlib documents.
pub fn is_stdlib_path(path: &Path) -> bool {
    path.starts_with(cache_dir())
}

fn ensure_written(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Written under a unique name and renamed, so that two servers never see half a file.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    let mut perms = std::fs::metadata(&tmp)?.permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&tmp, perms)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_and_the_prelude_are_written_read_only() {
        let uri = uri_for("std/infra.arch").map(|u| u.as_str().to_string());
        let path = cache_dir().join("std/infra.arch");
        assert_eq!(
            uri,
            super::super::convert::path_to_uri(&path).map(|u| u.as_str().to_string())
        );
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            archc::stdlib::module("infra")
        );
        assert!(std::fs::metadata(&path).is_ok_and(|m| m.permissions().readonly()));
        assert!(uri_for("<prelude>").is_some());
        assert!(uri_for("std/nothing.arch").is_none());
        assert!(uri_for("model.arch").is_none());
    }
}
