//! Fuzz target: any bytes, read as UTF-8 (lossily), go through parse, name resolution,
//! type and unit checking and instantiation. Every input must give diagnostics, never a
//! panic. Relative paths resolve against the fixtures folder, so `from "..."` clauses may
//! load real data files.
#![no_main]

use archc::analysis::{analyze_source, AnalyzeOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let base = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures"));
    let options = AnalyzeOptions {
        instantiate: true,
        ..Default::default()
    };
    let a = analyze_source("fuzz.arch", &text, Some(base), &options);
    for d in &a.diagnostics {
        let _ = archc::diagnostics::render::render_plain(d, &a.sources, 100);
    }
});
