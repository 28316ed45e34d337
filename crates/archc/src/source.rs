//! Source files: files read from disk, the embedded standard library, and unsaved editor
//! buffers. Every [`crate::span::Span`] points into a file of a [`SourceMap`].
//!
//! The map reads through its [`Vfs`], the one file layer of the core: the main model, the
//! `use`d files and the data files are all loaded with [`SourceMap::load`], which lays the
//! editor's unsaved buffers over the disk, reads only regular files within the size cap, and
//! reads each path once per analysis (a second load of the same path gives the same file).

pub mod vfs;

use crate::span::FileId;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
pub use vfs::{normalize, FileText, ReadError, Vfs, DEFAULT_MAX_FILE_SIZE};

/// The name of the built-in prelude in the source map: embedded text no user can open.
pub const PRELUDE_NAME: &str = "<prelude>";

/// One source text and where it came from.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Display name: a path as the user gave it, or `std/placement.arch` for the stdlib.
    pub name: String,
    /// The file on disk, if any (used to resolve relative `use` and data paths).
    pub path: Option<PathBuf>,
    /// Shared: a data file's text is read on another thread without a copy.
    pub text: Arc<String>,
    /// The places in `text` of bytes of the file that were not UTF-8 (one `U+FFFD` each).
    pub bad_utf8: Vec<Range<usize>>,
}

/// All source files of one analysis, and the file layer they are read through.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    vfs: Vfs,
    /// `--data DIR`: the folder relative data paths resolve against, instead of the folder
    /// of the model file that names them.
    data_dir: Option<PathBuf>,
}

impl SourceMap {
    /// An empty map reading the disk alone.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map reading through `vfs` (overlays, size cap).
    pub fn with_vfs(vfs: Vfs) -> Self {
        SourceMap {
            files: Vec::new(),
            vfs,
            data_dir: None,
        }
    }

    /// Resolve every relative data path (`from "..."`) against `dir` (`--data DIR`).
    pub fn set_data_dir(&mut self, dir: Option<PathBuf>) {
        self.data_dir = dir;
    }

    /// The file layer this map reads through.
    pub fn vfs(&self) -> &Vfs {
        &self.vfs
    }

    /// The file at `path`, read through the file layer under the display name `name`, or
    /// the file the map already holds at that path (so each file is read once, and every
    /// span into it stays valid).
    pub fn load(&mut self, name: impl Into<String>, path: &Path) -> Result<FileId, ReadError> {
        if let Some(id) = self.find_by_path(path) {
            return Ok(id);
        }
        let FileText { text, bad_utf8 } = self.vfs.read(path)?;
        self.files.push(SourceFile {
            name: name.into(),
            path: Some(path.to_path_buf()),
            text: Arc::new(text),
            bad_utf8,
        });
        Ok(FileId((self.files.len() - 1) as u32))
    }

    /// The size in bytes of the file at `path`: the text the map holds, or the size the
    /// file layer sees (`None` when it cannot tell).
    pub fn file_len(&self, path: &Path) -> Option<u64> {
        match self.find_by_path(path) {
            Some(id) => Some(self.text(id).len() as u64),
            None => self.vfs.size(path),
        }
    }

    pub fn add(
        &mut self,
        name: impl Into<String>,
        path: Option<PathBuf>,
        text: impl Into<String>,
    ) -> FileId {
        self.files.push(SourceFile {
            name: name.into(),
            path,
            text: Arc::new(text.into()),
            bad_utf8: Vec::new(),
        });
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.files[id.0 as usize].text
    }

    /// The text under `span` (empty when the span is outside its file).
    pub fn slice(&self, span: crate::span::Span) -> &str {
        self.text(span.file)
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Whether `id` is a file of the language itself (the prelude of built-in kinds or a
    /// standard library module): embedded text, not a file of the user's.
    pub fn is_library(&self, id: FileId) -> bool {
        let f = self.get(id);
        f.path.is_none() && (f.name.starts_with("std/") || f.name == PRELUDE_NAME)
    }

    pub fn name(&self, id: FileId) -> &str {
        &self.files[id.0 as usize].name
    }

    /// A path written in file `from` (`use "x.arch"`, `from "data/x.csv"`), resolved against
    /// that file's directory; relative to the working directory for a file without a path.
    pub fn resolve(&self, from: FileId, written: &str) -> PathBuf {
        let dir = self.get(from).path.as_deref().and_then(Path::parent);
        dir.unwrap_or(Path::new("")).join(written)
    }

    /// A data path written in file `from` (`from "data/x.csv"`): against the data folder
    /// when one is set (`--data DIR`), else like [`SourceMap::resolve`]. Absolute paths stay
    /// as written.
    pub fn resolve_data(&self, from: FileId, written: &str) -> PathBuf {
        match &self.data_dir {
            Some(dir) if Path::new(written).is_relative() => dir.join(written),
            _ => self.resolve(from, written),
        }
    }

    /// The file the map holds at `path`, however it is spelled (`a/./b.csv` is `a/b.csv`,
    /// see [`normalize`]).
    pub fn find_by_path(&self, path: &Path) -> Option<FileId> {
        let path = normalize(path);
        self.files
            .iter()
            .position(|f| f.path.as_deref().map(normalize).as_deref() == Some(path.as_path()))
            .map(|i| FileId(i as u32))
    }

    pub fn find_by_name(&self, name: &str) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.name == name)
            .map(|i| FileId(i as u32))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}
