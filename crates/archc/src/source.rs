//! Source files: files read from disk, the embedded standard library, and unsaved editor
//! buffers. Every [`crate::span::Span`] points into a file of a [`SourceMap`].

use crate::span::FileId;
use std::path::{Path, PathBuf};

/// One source text and where it came from.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Display name: a path as the user gave it, or `std/placement.arch` for the stdlib.
    pub name: String,
    /// The file on disk, if any (used to resolve relative `use` and data paths).
    pub path: Option<PathBuf>,
    pub text: String,
}

/// All source files of one analysis.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
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
            text: text.into(),
        });
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.files[id.0 as usize].text
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

    pub fn find_by_path(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path.as_deref() == Some(path))
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
