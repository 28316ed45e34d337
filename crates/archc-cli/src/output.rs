//! Everything the command line writes: stdout (a closed pipe ends the output quietly, any
//! other failure is exit 8), files (written to a temporary file in the target's folder and
//! renamed over the target only when complete, never through a symlink, never over an input
//! of the run unless forced), and the colour choice for diagnostics.

use crate::{exit, ColorChoice};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

static COLOR: AtomicU8 = AtomicU8::new(0);

/// Remember `--color` for the rest of the run.
pub(crate) fn set_color(choice: ColorChoice) {
    let v = match choice {
        ColorChoice::Auto => 0,
        ColorChoice::Always => 1,
        ColorChoice::Never => 2,
    };
    COLOR.store(v, Ordering::Relaxed);
}

/// Whether diagnostics on stderr are coloured: `--color always|never`, or with `auto` when
/// stderr is a terminal and `NO_COLOR` is unset or empty.
pub(crate) fn color_stderr() -> bool {
    use std::io::IsTerminal;
    match COLOR.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => std::io::stderr().is_terminal() && !no_color(),
    }
}

/// `NO_COLOR` counts only when it is set to something (no-color.org).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Write `text` to stdout and flush. A closed pipe (`archc explain | head -1`) is not an
/// error: the rest of the output is dropped and the command ends as it would have. Any
/// other failure (a full disk) is reported and gives [`exit::IO`].
pub fn write_stdout(text: &str) -> Result<(), i32> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            Err(exit::IO)
        }
    }
}

/// Why a file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The target is a file the run read (model, `use`d file, data file).
    IsInput(PathBuf),
    /// The target is a symbolic link: archc never writes through one.
    Symlink(PathBuf),
    /// The folder does not exist or cannot be written, or writing failed.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::IsInput(p) => write!(
                f,
                "refusing to write over `{}`: the model reads it (use --force to overwrite)",
                p.display()
            ),
            WriteError::Symlink(p) => write!(
                f,
                "refusing to write `{}`: it is a symbolic link",
                p.display()
            ),
            WriteError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
        }
    }
}

/// The absolute, symlink-free form of `path`, also for a file that does not exist yet (its
/// folder is resolved instead).
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

/// Whether `target` is one of `inputs` (compared after resolving symlinks and `..`).
pub fn is_input(target: &Path, inputs: &[PathBuf]) -> bool {
    let Some(t) = canonical(target) else {
        return false;
    };
    inputs.iter().any(|i| canonical(i).is_some_and(|c| c == t))
}

/// Every file on disk the analysis read: the model, `use`d files and data files.
pub fn inputs_of(sources: &archc::source::SourceMap) -> Vec<PathBuf> {
    sources.iter().filter_map(|(_, f)| f.path.clone()).collect()
}

/// The folder a file is written in.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Check before any work that `path` can be written: not an input (unless `force`), not a
/// symlink, its folder exists and accepts a new file.
pub fn check_writable(path: &Path, inputs: &[PathBuf], force: bool) -> Result<(), WriteError> {
    if !force && is_input(path, inputs) {
        return Err(WriteError::IsInput(path.to_path_buf()));
    }
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(WriteError::Symlink(path.to_path_buf()));
    }
    let folder = folder_of(path);
    match tempfile::Builder::new()
        .prefix(".archc-check")
        .tempfile_in(folder)
    {
        Ok(probe) => {
            drop(probe);
            Ok(())
        }
        Err(e) => Err(WriteError::Io(path.to_path_buf(), e)),
    }
}

/// Write a file safely: the content goes to a temporary file in the same folder, which
/// replaces `path` only once `write` has succeeded and everything is flushed to disk. On any
/// error `path` is left as it was. An existing file keeps its permissions.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
) -> Result<(), WriteError> {
    let io_err = |e: io::Error| WriteError::Io(path.to_path_buf(), e);
    let existing = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Err(WriteError::Symlink(path.to_path_buf())),
        Ok(m) => Some(m.permissions()),
        Err(_) => None,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".archc-")
        .suffix(".tmp")
        .tempfile_in(folder_of(path))
        .map_err(io_err)?;
    {
        let mut buffered = io::BufWriter::new(tmp.as_file_mut());
        write(&mut buffered).map_err(io_err)?;
        buffered.flush().map_err(io_err)?;
    }
    tmp.as_file().sync_all().map_err(io_err)?;
    let permissions = match existing {
        Some(p) => p,
        None => default_permissions(tmp.as_file()).map_err(io_err)?,
    };
    std::fs::set_permissions(tmp.path(), permissions).map_err(io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// Permissions of a new file: readable by all, like a file created with `std::fs::write`
/// under the usual umask (temporary files start private).
fn default_permissions(file: &std::fs::File) -> io::Result<std::fs::Permissions> {
    #[allow(unused_mut)]
    let mut p = file.metadata()?.permissions();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.set_mode(0o644);
    }
    Ok(p)
}

/// Write `text` to `path` with [`write_atomic`]; on failure print why and give exit 8.
pub fn write_file(path: &Path, text: &str) -> Result<(), i32> {
    write_atomic(path, |w| w.write_all(text.as_bytes())).map_err(|e| {
        eprintln!("error: {e}");
        exit::IO
    })
}
