//! The prelude: the built-in kinds every model has (`region`, `zone`, `service`, `link`,
//! `dataset`; links join two regions through `src` and `dst`). It is loaded first when the
//! program is assembled ([`super::load_program`]), as a source named [`NAME`] that no user can
//! open, so no diagnostic may point into it: [`hide_labels`] turns such labels into notes
//! that quote the built-in declaration, once every phase of the analysis has run.

use crate::diagnostics::Diagnostic;
use crate::source::SourceMap;
use crate::span::FileId;

/// The name of the prelude in the source map.
pub const NAME: &str = crate::source::PRELUDE_NAME;

/// The prelude's file in the source map, once loaded.
pub fn file(sources: &SourceMap) -> Option<FileId> {
    sources.find_by_name(NAME)
}

/// Replace every label that points into the prelude by a note that quotes the built-in
/// declaration (`declared here without a default: built in as `kind link { ... }``).
pub fn hide_labels(sources: &SourceMap, diagnostics: &mut [Diagnostic]) {
    let Some(prelude) = file(sources) else {
        return;
    };
    let text = sources.text(prelude);
    for d in diagnostics {
        if !d.labels.iter().any(|l| l.span.file == prelude) {
            continue;
        }
        let (hidden, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut d.labels)
            .into_iter()
            .partition(|l| l.span.file == prelude);
        d.labels = kept;
        for l in hidden {
            let line = line_at(text, l.span.start as usize);
            let note = if l.message.is_empty() {
                format!("built in as `{line}`")
            } else {
                format!("{}: built in as `{line}`", l.message)
            };
            d.notes.push(note);
        }
    }
}

/// The trimmed line of `text` that holds byte `offset`.
fn line_at(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    text[start..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_found_from_any_offset_in_it() {
        let text = "kind region {}\nkind link { src: region, dst: region }\n";
        let at = text.find("src").unwrap_or(0);
        assert_eq!(line_at(text, at), "kind link { src: region, dst: region }");
        assert_eq!(line_at(text, 0), "kind region {}");
        assert_eq!(line_at(text, text.len()), "");
    }
}
