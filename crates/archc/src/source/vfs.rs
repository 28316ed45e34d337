//! The file system layer under the [`super::SourceMap`]: the one place of the core that
//! touches the disk. Every read of the analysis (the main model, `use`d files, data files)
//! goes through a [`Vfs`], which lays the editor's unsaved buffers (overlays) over the disk,
//! reads only regular files (a FIFO or a device would block or never end), and refuses
//! files larger than a cap before reading them. Bytes that are not UTF-8 are kept as
//! replacement characters, with their places, so that each reader can report them at the
//! file, line and column.

use crate::diagnostics::Code;
use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The largest file read when no other limit is given: 1 GiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1 << 30;

/// The text of a file as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileText {
    /// The text; each invalid UTF-8 sequence of the file is one `U+FFFD` here.
    pub text: String,
    /// The byte ranges of `text` that stand for invalid UTF-8 (one `U+FFFD` each), in order.
    pub bad_utf8: Vec<Range<usize>>,
}

/// Why a file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    PermissionDenied,
    Directory,
    /// A FIFO, a device or a socket: `what` says which (`"a FIFO"`).
    NotRegular {
        what: &'static str,
    },
    /// The file is larger than the limit (both in bytes).
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// Any other I/O error, as its message.
    Other(String),
}

impl ReadError {
    /// The diagnostic code of the problems the file layer names itself (E0217, E0216);
    /// `None` for the plain "cannot read", whose code depends on the kind of file.
    pub fn code(&self) -> Option<Code> {
        match self {
            ReadError::NotRegular { .. } => Some(Code::E0217),
            ReadError::TooLarge { .. } => Some(Code::E0216),
            _ => None,
        }
    }

    /// One line saying what to do, for the problems with their own code.
    pub fn help(&self) -> Option<String> {
        match self {
            ReadError::NotRegular { .. } => Some(
                "models, used files and data files must be regular files; save the data to a file and name that"
                    .to_string(),
            ),
            ReadError::TooLarge { limit, .. } => Some(format!(
                "the limit is {}; raise it with `--max-file-size BYTES` (AnalyzeOptions::max_file_size)",
                format_bytes(*limit)
            )),
            _ => None,
        }
    }

    fn from_io(e: &std::io::Error) -> ReadError {
        match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            std::io::ErrorKind::PermissionDenied => ReadError::PermissionDenied,
            std::io::ErrorKind::IsADirectory => ReadError::Directory,
            _ => ReadError::Other(e.to_string()),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::PermissionDenied => f.write_str("permission denied"),
            ReadError::Directory => f.write_str("it is a directory"),
            ReadError::NotRegular { what } => write!(f, "it is {what}, not a regular file"),
            ReadError::TooLarge { size, limit } => write!(
                f,
                "it is {}, more than the limit of {}",
                format_bytes(*size),
                format_bytes(*limit)
            ),
            ReadError::Other(m) => f.write_str(m),
        }
    }
}

/// A byte count for messages: exact below 1 KiB, else in the largest binary unit.
fn format_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let shown = format!("{value:.1}");
    let shown = shown.strip_suffix(".0").unwrap_or(&shown);
    format!("{shown} {} ({n} bytes)", UNITS[unit])
}

/// A file being read ahead: what [`Vfs::read`] will give for it.
type Reading = JoinHandle<Result<FileText, ReadError>>;

/// The disk with the editor's unsaved buffers on top, and a size cap.
#[derive(Clone, Debug)]
pub struct Vfs {
    /// Unsaved buffers by normalised path (see [`normalize`]).
    overlays: HashMap<PathBuf, String>,
    max_file_size: u64,
    /// Files being read from disk ahead of their first read, on threads of their own
    /// ([`Vfs::read_ahead`]; shared by clones).
    ahead: Arc<Mutex<HashMap<PathBuf, Reading>>>,
    /// Files read from disk so far (shared by clones).
    disk_reads: Arc<AtomicUsize>,
}

impl Default for Vfs {
    fn default() -> Self {
        Vfs {
            overlays: HashMap::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            ahead: Arc::default(),
            disk_reads: Arc::default(),
        }
    }
}

impl Vfs {
    /// The disk alone, files up to [`DEFAULT_MAX_FILE_SIZE`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Lays `overlays` (path → unsaved text) over the disk.
    pub fn with_overlays(mut self, overlays: &HashMap<PathBuf, String>) -> Self {
        self.overlays = overlays
            .iter()
            .map(|(p, t)| (normalize(p), t.clone()))
            .collect();
        self
    }

    /// Reads files of at most `bytes` bytes.
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    pub fn max_file_size(&self) -> u64 {
        self.max_file_size
    }

    /// How many files this layer has read from disk (overlays not counted): each file of an
    /// analysis should be read once.
    pub fn disk_reads(&self) -> usize {
        self.disk_reads.load(Ordering::Relaxed)
    }

    /// The unsaved buffer of `path`, if the editor has one.
    pub fn overlay(&self, path: &Path) -> Option<&str> {
        self.overlays.get(&normalize(path)).map(String::as_str)
    }

    /// The text of `path`: its overlay, or the regular file on disk if it is within the
    /// size cap.
    pub fn read(&self, path: &Path) -> Result<FileText, ReadError> {
        if let Some(text) = self.overlay(path) {
            return Ok(FileText {
                text: text.to_string(),
                bad_utf8: Vec::new(),
            });
        }
        let pending = self
            .ahead
            .lock()
            .ok()
            .and_then(|mut a| a.remove(&normalize(path)));
        if let Some(Ok(read)) = pending.map(JoinHandle::join) {
            return read;
        }
        self.read_disk(path).map(decode)
    }

    /// Start reading the file at `path` from disk on a thread of its own, so that its
    /// first [`Vfs::read`] takes the text (or the error) from there instead of reading then:
    /// for a large data file, while other work goes on. Nothing for an unsaved buffer, a
    /// file already being read ahead, or when no thread can be had. The read is the one
    /// `read` would do, only earlier; [`Vfs::forget_read_ahead`] drops reads not taken.
    pub fn read_ahead(&self, path: &Path) {
        if self.overlay(path).is_some() {
            return;
        }
        let Ok(mut ahead) = self.ahead.lock() else {
            return;
        };
        let key = normalize(path);
        if ahead.contains_key(&key) {
            return;
        }
        let disk = Vfs {
            overlays: HashMap::new(),
            max_file_size: self.max_file_size,
            ahead: Arc::default(),
            disk_reads: self.disk_reads.clone(),
        };
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new().spawn(move || disk.read_disk(&path).map(decode));
        if let Ok(thread) = thread {
            ahead.insert(key, thread);
        }
    }

    /// Drop the reads ahead that no [`Vfs::read`] took (their threads end on their own), so
    /// that a later read sees the file as it is then.
    pub fn forget_read_ahead(&self) {
        if let Ok(mut ahead) = self.ahead.lock() {
            ahead.clear();
        }
    }

    /// The size of `path` in bytes (its overlay's, or the file's on disk), if known.
    pub fn size(&self, path: &Path) -> Option<u64> {
        match self.overlay(path) {
            Some(text) => Some(text.len() as u64),
            None => std::fs::metadata(path).ok().map(|m| m.len()),
        }
    }

    /// The names of the entries of `dir` (on disk and among the overlays), for suggestions.
    pub fn list_dir(&self, dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        let dir = normalize(dir);
        for path in self.overlays.keys() {
            if path.parent() == Some(dir.as_path()) {
                if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                    if !names.iter().any(|n| n == name) {
                        names.push(name.to_string());
                    }
                }
            }
        }
        names.sort();
        names
    }

    fn read_disk(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        // Look before opening: opening a FIFO blocks until a writer comes.
        let meta = std::fs::metadata(path).map_err(|e| ReadError::from_io(&e))?;
        check_regular(&meta)?;
        self.check_size(meta.len())?;
        let file = std::fs::File::open(path).map_err(|e| ReadError::from_io(&e))?;
        self.disk_reads.fetch_add(1, Ordering::Relaxed);
        // The path may name another file by now: look again at the one opened, and never
        // read more than one byte past the cap, however long the file has grown.
        let meta = file.metadata().map_err(|e| ReadError::from_io(&e))?;
        check_regular(&meta)?;
        self.check_size(meta.len())?;
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(self.max_file_size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| ReadError::from_io(&e))?;
        self.check_size(bytes.len() as u64)?;
        Ok(bytes)
    }

    fn check_size(&self, size: u64) -> Result<(), ReadError> {
        if size > self.max_file_size {
            return Err(ReadError::TooLarge {
                size,
                limit: self.max_file_size,
            });
        }
        Ok(())
    }
}

fn check_regular(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    let ty = meta.file_type();
    if ty.is_file() {
        return Ok(());
    }
    if ty.is_dir() {
        return Err(ReadError::Directory);
    }
    Err(ReadError::NotRegular {
        what: special_kind(&ty),
    })
}

#[cfg(unix)]
fn special_kind(ty: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ty.is_fifo() {
        "a FIFO"
    } else if ty.is_char_device() {
        "a character device"
    } else if ty.is_block_device() {
        "a block device"
    } else if ty.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_ty: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// The bytes as text, each maximal invalid UTF-8 sequence replaced by `U+FFFD` (as
/// [`String::from_utf8_lossy`] does) and its place in the text kept.
fn decode(bytes: Vec<u8>) -> FileText {
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => {
            return FileText {
                text,
                bad_utf8: Vec::new(),
            }
        }
        Err(e) => e.into_bytes(),
    };
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut bad_utf8 = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            let start = text.len();
            text.push(char::REPLACEMENT_CHARACTER);
            bad_utf8.push(start..text.len());
        }
    }
    FileText { text, bad_utf8 }
}

/// `path` without `.` components and with each `..` folded into the name before it, without
/// looking at the disk: `a/./b/../c.arch` is `a/c.arch`. Used as the identity of a file, so
/// that `use "./x.arch"` and an editor buffer of `x.arch` are the same file.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() && path.as_os_str().is_empty() {
        return PathBuf::new();
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("archc-vfs-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn normalize_folds_dots_lexically() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.arch")),
            Path::new("a/c.arch")
        );
        assert_eq!(normalize(Path::new("./x.arch")), Path::new("x.arch"));
        assert_eq!(normalize(Path::new("../x.arch")), Path::new("../x.arch"));
        assert_eq!(normalize(Path::new("/a/../../x")), Path::new("/x"));
        assert_eq!(normalize(Path::new("a/..")), Path::new("."));
    }

    /// A read ahead gives its first read what reading then gives (text, bad bytes, or the
    /// error), is one disk read, and is taken once; an unsaved buffer is never read ahead;
    /// a forgotten read ahead is not taken.
    #[test]
    fn a_read_ahead_is_the_first_reads_text() {
        let dir = temp_dir("ahead");
        let path = dir.join("d.csv");
        std::fs::write(&path, b"a,b\n1,\xff2\n").expect("write");
        let plain = Vfs::new().read(&path);
        let vfs = Vfs::new();
        vfs.read_ahead(&dir.join(".").join("d.csv"));
        vfs.read_ahead(&path);
        let pending = || vfs.ahead.lock().expect("lock").len();
        assert_eq!(pending(), 1, "one read ahead under either spelling");
        assert_eq!(vfs.read(&path), plain);
        assert_eq!(pending(), 0, "the read took it");
        assert!(!plain.as_ref().expect("read").bad_utf8.is_empty());
        assert_eq!(vfs.disk_reads(), 1, "read once, ahead");
        // Taken: the next read goes to the disk and sees the file as it is now.
        std::fs::write(&path, "changed").expect("write");
        assert_eq!(vfs.read(&path).map(|f| f.text).as_deref(), Ok("changed"));
        assert_eq!(vfs.disk_reads(), 2);
        // Forgotten: not taken.
        vfs.read_ahead(&path);
        assert_eq!(pending(), 1);
        vfs.forget_read_ahead();
        assert_eq!(pending(), 0);
        std::fs::write(&path, "again").expect("write");
        assert_eq!(vfs.read(&path).map(|f| f.text).as_deref(), Ok("again"));
        // A missing file: the same error as reading then.
        let missing = dir.join("missing.csv");
        vfs.read_ahead(&missing);
        assert_eq!(vfs.read(&missing), Err(ReadError::NotFound));
        // An unsaved buffer: nothing is read ahead.
        let overlays = HashMap::from([(path.clone(), "unsaved".to_string())]);
        let vfs = Vfs::new().with_overlays(&overlays);
        vfs.read_ahead(&path);
        assert!(vfs.ahead.lock().expect("lock").is_empty());
        assert_eq!(vfs.read(&path).map(|f| f.text).as_deref(), Ok("unsaved"));
        assert_eq!(vfs.disk_reads(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_overlay_wins_over_the_disk_under_any_spelling_of_its_path() {
        let dir = temp_dir("overlay");
        let path = dir.join("m.arch");
        std::fs::write(&path, "on disk").expect("write");
        let overlays = HashMap::from([(path.clone(), "unsaved".to_string())]);
        let vfs = Vfs::new().with_overlays(&overlays);
        let spelled = dir.join("sub").join("..").join(".").join("m.arch");
        assert_eq!(
            vfs.read(&spelled).map(|f| f.text),
            Ok("unsaved".to_string())
        );
        assert_eq!(vfs.size(&spelled), Some(7));
        assert_eq!(
            Vfs::new().read(&path).map(|f| f.text),
            Ok("on disk".to_string())
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_device_is_not_read() {
        let err = Vfs::new().read(Path::new("/dev/zero"));
        assert_eq!(
            err,
            Err(ReadError::NotRegular {
                what: "a character device"
            })
        );
        assert_eq!(err.map_err(|e| e.code()), Err(Some(Code::E0217)));
    }

    #[test]
    fn a_file_over_the_cap_is_refused_and_one_at_the_cap_is_read() {
        let dir = temp_dir("cap");
        let path = dir.join("d.csv");
        std::fs::write(&path, "0123456789").expect("write");
        let err = Vfs::new().with_max_file_size(9).read(&path);
        assert_eq!(err, Err(ReadError::TooLarge { size: 10, limit: 9 }));
        let ok = Vfs::new().with_max_file_size(10).read(&path);
        assert_eq!(ok.map(|f| f.text), Ok("0123456789".to_string()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters_with_their_places() {
        let f = decode(b"ab\xffc\xe2\x82d".to_vec());
        assert_eq!(f.text, "ab\u{fffd}c\u{fffd}d");
        assert_eq!(f.bad_utf8, vec![2..5, 6..9]);
        assert_eq!(&f.text[f.bad_utf8[1].clone()], "\u{fffd}");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(format_bytes(12), "12 bytes");
        assert_eq!(format_bytes(1 << 30), "1 GiB (1073741824 bytes)");
        assert_eq!(format_bytes(1536), "1.5 KiB (1536 bytes)");
    }
}
