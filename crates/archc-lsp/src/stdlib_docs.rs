//! The standard library as read-only documents. Its modules (and the prelude of built-in
//! kinds) are embedded in the binary and have no path, so an editor could not open them:
//! they are written once into a cache folder named after the archc version, made
//! read-only, and go to definition and hover answer with `file:` URIs into it. The cache
//! folder is the client's `initializationOptions.cacheDir`, else `$ARCHC_CACHE_DIR`, else
//! the OS cache folder (tests point it at a temporary folder).

use lsp_types::Uri;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// The name the analysis gives the prelude's source.
const PRELUDE_NAME: &str = "<prelude>";

/// The environment variable that names the cache folder.
pub const CACHE_DIR_VAR: &str = "ARCHC_CACHE_DIR";

/// The cache folder given by the client (`initializationOptions.cacheDir`).
static CLIENT_CACHE_DIR: RwLock<Option<PathBuf>> = RwLock::new(None);

/// Use `dir` as the cache folder (from the client's initialization options); `None` goes
/// back to the environment's. Relative paths are ignored.
pub fn set_cache_base(dir: Option<PathBuf>) {
    let dir = dir.filter(|d| d.is_absolute());
    match CLIENT_CACHE_DIR.write() {
        Ok(mut g) => *g = dir,
        Err(e) => *e.into_inner() = dir,
    }
}

/// The cache folder: the client's, `$ARCHC_CACHE_DIR`, `$XDG_CACHE_HOME`, `~/.cache`, or
/// the temporary folder (in this order; relative paths are skipped).
fn cache_base() -> PathBuf {
    let client = match CLIENT_CACHE_DIR.read() {
        Ok(g) => g.clone(),
        Err(e) => e.into_inner().clone(),
    };
    let env = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    client
        .or_else(|| env(CACHE_DIR_VAR))
        .or_else(|| {
            // Unit tests never write into the developer's home.
            if cfg!(test) {
                Some(std::env::temp_dir().join("archc-lsp-unit-tests"))
            } else {
                None
            }
        })
        .or_else(|| env("XDG_CACHE_HOME"))
        .or_else(|| env("HOME").map(|h| h.join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
}

/// The folder the standard library is written to: `archc-stdlib-VERSION` in the cache
/// folder.
pub fn cache_dir() -> PathBuf {
    cache_base().join(format!("archc-stdlib-{}", env!("CARGO_PKG_VERSION")))
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
