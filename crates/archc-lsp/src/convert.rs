//! Conversions at the edge of the language server: byte offsets ↔ LSP positions (UTF-16
//! columns), file paths ↔ URIs, and [`Diagnostic`] → LSP diagnostics.

use archc::analysis::Analysis;
use archc::diagnostics::{Diagnostic, Severity};
use archc::span::{FileId, Span};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
    Uri,
};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Line starts of a text, to turn byte offsets into positions and back.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the lines of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The LSP position (line, UTF-16 column) of a byte offset of `text`.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = archc::span::floor_char_boundary(text, offset);
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0).min(offset);
        let col: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, col as u32)
    }

    /// The byte offset of an LSP position; positions past the end of a line or of the text
    /// are clamped to it.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let start = start.min(text.len());
        let mut units = 0u32;
        for (i, c) in text[start..].char_indices() {
            if c == '\n' || units >= pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        text.len()
    }

    /// The range of a byte span of `text`.
    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start as usize),
            self.position(text, span.end as usize),
        )
    }
}

/// The path a URI names. `file:` URIs map to their path; other schemes (unsaved buffers)
/// to a made-up path that only lives in the analysis overlays.
pub fn uri_to_path(uri: &Uri) -> PathBuf {
    let s = uri.as_str();
    if let Some(rest) = s.strip_prefix("file://") {
        // Skip an authority (`file://host/...`); keep the path.
        let path = match rest.find('/') {
            Some(i) => &rest[i..],
            None => rest,
        };
        let decoded = percent_decode(path);
        // `/C:/x` on Windows.
        let bytes = decoded.as_bytes();
        if bytes.len() > 3 && bytes[0] == b'/' && bytes[2] == b':' && bytes[1].is_ascii_alphabetic()
        {
            return PathBuf::from(&decoded[1..]);
        }
        return PathBuf::from(decoded);
    }
    let safe: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from(format!("/.archc-unsaved/{safe}"))
}

/// The `file:` URI of a path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let mut s = String::from("file://");
    let text = path.to_string_lossy().replace('\\', "/");
    if !text.starts_with('/') {
        s.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).ok()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The LSP diagnostics of the file `main` of an analysis: those whose primary span is in
/// it, and those without a span (shown at the top of the file).
pub fn lsp_diagnostics(
    analysis: &Analysis,
    main: FileId,
    main_uri: &Uri,
    index: &LineIndex,
    uri_of: &dyn Fn(FileId) -> Option<Uri>,
) -> Vec<lsp_types::Diagnostic> {
    let text = analysis.sources.text(main);
    analysis
        .diagnostics
        .iter()
        .filter(|d| {
            d.primary_span()
                .or(d.labels.first().map(|l| l.span))
                .is_none_or(|s| s.file == main)
        })
        .map(|d| lsp_diagnostic(analysis, d, main, main_uri, text, index, uri_of))
        .collect()
}

/// One diagnostic as an LSP diagnostic of the file `main` (whose text and lines are given).
pub fn lsp_diagnostic(
    analysis: &Analysis,
    d: &Diagnostic,
    main: FileId,
    main_uri: &Uri,
    text: &str,
    index: &LineIndex,
    uri_of: &dyn Fn(FileId) -> Option<Uri>,
) -> lsp_types::Diagnostic {
    let primary = d.labels.iter().find(|l| l.primary).or(d.labels.first());
    let range = primary
        .map(|l| index.range(text, l.span))
        .unwrap_or_else(|| Range::new(Position::new(0, 0), Position::new(0, 0)));
    let mut message = d.message.clone();
    if let Some(l) = primary {
        if !l.message.is_empty() {
            message.push('\n');
            message.push_str(&l.message);
        }
    }
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    for n in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(n);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|l| {
            let (uri, range) = if l.span.file == main {
                (main_uri.clone(), index.range(text, l.span))
            } else {
                let uri = uri_of(l.span.file)?;
                let other = analysis.sources.text(l.span.file);
                (uri, LineIndex::new(other).range(other, l.span))
            };
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range),
                message: l.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("archc".into()),
        message,
        related_information: if related.is_empty() {
            None
        } else {
            Some(related)
        },
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns() {
        let text = "a€b\n𝕏x\n";
        let idx = LineIndex::new(text);
        // `b` is after a 3-byte, 1-unit char; `x` after a 4-byte, 2-unit char.
        assert_eq!(idx.position(text, 4), Position::new(0, 2));
        assert_eq!(idx.position(text, 10), Position::new(1, 2));
        assert_eq!(idx.offset(text, Position::new(1, 2)), 10);
        assert_eq!(idx.offset(text, Position::new(0, 99)), 5);
        assert_eq!(idx.offset(text, Position::new(9, 0)), text.len());
        // Inside a surrogate pair: clamp to a char boundary.
        assert_eq!(idx.offset(text, Position::new(1, 1)), 10);
    }

    #[test]
    fn uris_and_paths() {
        let p = PathBuf::from("/tmp/a b/ü.arch");
        let uri = path_to_uri(&p).map(|u| u.as_str().to_string());
        assert_eq!(uri.as_deref(), Some("file:///tmp/a%20b/%C3%BC.arch"));
        let back = uri_to_path(&Uri::from_str("file:///tmp/a%20b/%C3%BC.arch").expect("valid uri"));
        assert_eq!(back, p);
    }
}
