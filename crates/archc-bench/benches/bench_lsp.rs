//! Re-analysis benchmark for the language server: generates a model of about 5,000 lines,
//! then, N times, edits one number in the middle and measures what the server does on a
//! change: `World::set_text`, the server's didChange handler (analysis with the document's
//! parse cache, then the snapshot: symbol index and line index), then the lexer for
//! semantic tokens; and, apart, a plain `driver::analyze` from scratch and formatting.
//! Prints the median and the spread of each. Then it times opening and saving models of
//! each size in [`OPEN_LINES`] (5,000 to 40,000 lines) that are mostly params
//! (`World::set_text` on a new world, and `World::reanalyze` on save: both check and
//! instantiate it), the case that used to be quadratic, with the time per 1,000 lines so
//! that linear growth shows as a flat column.
//!
//! Run: `cargo bench -p archc-bench --bench bench_lsp -- [LINES] [RUNS]` (defaults 5000 and 21).

use archc::analysis::AnalyzeOptions;
use archc::driver::analyze;
use archc_lsp::world::{Depth, World};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A self-contained model of about `lines` lines: units, kinds, entities, params,
/// decisions, constraints and an objective.
fn generate(lines: usize) -> String {
    let mut s = String::from(
        "kind site { cores: core, price: usd/core }\nkind app { cores: core, replicas: int }\n\n",
    );
    let groups = lines.saturating_sub(8) / 9;
    for i in 0..groups {
        s.push_str(&format!(
            "site s{i} {{ cores: {} core, price: 0.0{} usd/core }}\n",
            1000 + i,
            i % 9 + 1
        ));
        s.push_str(&format!(
            "app a{i} {{ cores: {} core, replicas: {} }}\n",
            2 + i % 7,
            1 + i % 3
        ));
        // A doc comment after an expression would read as a division (`x /// ...`).
        s.push_str(&format!(
            "/// Weight number {i}.\nparam weight{i}: real = {}.5\n",
            i % 10
        ));
        s.push_str(&format!("decide x{i}[a in apps]: int >= 0 <= 10\n"));
        s.push_str(&format!(
            "constraint fit{i}[t in sites where t.cores > {i} core]:\n"
        ));
        s.push_str(&format!(
            "    sum(a in apps) a.cores * x{i}[a] <= t.cores\n"
        ));
        s.push_str(&format!(
            "constraint cap{i}: sum(a in apps) x{i}[a] * weight{i} <= 100\n"
        ));
        s.push('\n');
    }
    s.push_str("minimize cost: sum(t in sites, a in apps) t.price * a.cores * x0[a]\n");
    s
}

/// The sizes (in lines) of the models opened and saved: each twice the one before.
const OPEN_LINES: [usize; 4] = [5_000, 10_000, 20_000, 40_000];

/// A model of about `lines` lines, most of them params (the case that used to be
/// quadratic): ten sites, then groups of ten lines: eight scalar params, a param indexed by
/// site that uses them, and a constraint per site that uses it.
fn generate_params(lines: usize) -> String {
    let mut s = String::from("kind site { cores: core }\n");
    for i in 0..10 {
        s.push_str(&format!("site s{i} {{ cores: {} core }}\n", 8 + i));
    }
    s.push_str("decide x[t in sites]: real core\n");
    s.push_str("minimize cost: sum(t in sites) x[t] / 1 core\n");
    let groups = lines.saturating_sub(13) / 10;
    for i in 0..groups {
        for j in 0..8 {
            s.push_str(&format!("param p{i}_{j}: core = {} core\n", (i + j) % 97));
        }
        s.push_str(&format!(
            "param q{i}[t in sites]: core = t.cores + p{i}_0 + p{i}_7\n"
        ));
        s.push_str(&format!(
            "constraint c{i}[t in sites]: x[t] >= q{i}[t] - 200 core\n"
        ));
    }
    s
}

/// Time opening (a new world) and saving (a second analysis) of a model of `lines` lines.
fn open_and_save(lines: usize, runs: usize) {
    let text = generate_params(lines);
    println!(
        "open/save model: {} lines, {} bytes",
        text.lines().count(),
        text.len()
    );
    let uri: lsp_types::Uri = match "file:///bench/params.arch".parse() {
        Ok(u) => u,
        Err(_) => return,
    };
    let mut open_times = Vec::new();
    let mut save_times = Vec::new();
    let mut warm_times = Vec::new();
    let mut summary = String::new();
    for _ in 0..runs {
        let mut world = World::default();
        let start = Instant::now();
        let path = world.set_text(uri.clone(), 1, text.clone(), Depth::Saved);
        open_times.push(start.elapsed());
        let start = Instant::now();
        world.warm_parse_caches();
        warm_times.push(start.elapsed());
        let start = Instant::now();
        world.reanalyze(&path, Depth::Saved);
        save_times.push(start.elapsed());
        if let Some(doc) = world.docs.get(&path) {
            let a = &doc.current.analysis;
            summary = format!(
                "{} diagnostics, {} rows",
                a.diagnostics.len(),
                a.instance.as_ref().map_or(0, |i| i.model.rows.len())
            );
        }
    }
    let per_k = |d: Duration| d / (lines as u32 / 1000).max(1);
    let (m, lo, hi) = median(open_times);
    println!(
        "didOpen (World::set_text):      median {m:?} (min {lo:?}, max {hi:?}) over {runs} runs; {:?} per 1,000 lines",
        per_k(m)
    );
    let (m, lo, hi) = median(warm_times);
    println!(
        "parse cache filled when idle:   median {m:?} (min {lo:?}, max {hi:?}); {:?} per 1,000 lines",
        per_k(m)
    );
    let (m, lo, hi) = median(save_times);
    println!(
        "didSave (World::reanalyze):     median {m:?} (min {lo:?}, max {hi:?}); {:?} per 1,000 lines",
        per_k(m)
    );
    println!("opened model: {summary}");
}

fn median(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let lines: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let runs: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(21)
        .max(1);
    let mut text = generate(lines);
    let path = PathBuf::from("/bench/model.arch");
    println!(
        "model: {} lines, {} bytes",
        text.lines().count(),
        text.len()
    );

    let uri: lsp_types::Uri = match "file:///bench/model.arch".parse() {
        Ok(u) => u,
        Err(_) => return,
    };
    let mut world = World::default();
    world.set_text(uri.clone(), 0, text.clone(), Depth::Saved);
    // The server fills the parse cache of an opened document when it is idle.
    world.warm_parse_caches();

    let mut change_times = Vec::new();
    let mut total_times = Vec::new();
    let mut scratch_times = Vec::new();
    let mut fmt_times = Vec::new();
    let mut diagnostics = String::new();
    let middle = text.len() / 2;
    for run in 0..runs {
        // The edit: change the first param value after the middle of the file (a number
        // literal, so that the model keeps checking clean).
        let at = text[middle..]
            .find("real = ")
            .map_or(middle, |i| middle + i + "real = ".len());
        let digit = char::from(b'0' + (run % 10) as u8);
        text.replace_range(at..at + 1, &digit.to_string());

        let start = Instant::now();
        let doc_path = world.set_text(uri.clone(), run as i32 + 1, text.clone(), Depth::Typing);
        let changed = start.elapsed();
        let tokens = archc::syntax::lexer::lex(&text);
        let total = start.elapsed();
        if let Some(doc) = world.docs.get(&doc_path) {
            diagnostics = doc
                .current
                .analysis
                .diagnostics
                .iter()
                .map(|d| format!("{} {}", d.code, d.message))
                .collect::<Vec<_>>()
                .join("; ");
        }
        std::hint::black_box(&tokens);

        let options = AnalyzeOptions {
            overlays: HashMap::from([(path.clone(), text.clone())]),
            ..Default::default()
        };
        let start = Instant::now();
        let analysis = analyze(&path, &options);
        scratch_times.push(start.elapsed());
        std::hint::black_box(&analysis);

        let start = Instant::now();
        let formatted = archc::fmt::format_source(&text);
        fmt_times.push(start.elapsed());
        std::hint::black_box(&formatted);

        change_times.push(changed);
        total_times.push(total);
    }
    let (m, lo, hi) = median(change_times);
    println!(
        "didChange (World::set_text):    median {m:?} (min {lo:?}, max {hi:?}) over {runs} runs"
    );
    let (m, lo, hi) = median(total_times);
    println!("didChange + lexer:              median {m:?} (min {lo:?}, max {hi:?})");
    let (m, lo, hi) = median(scratch_times);
    println!("analyze from scratch:           median {m:?} (min {lo:?}, max {hi:?})");
    let (m, lo, hi) = median(fmt_times);
    println!("format the whole file:          median {m:?} (min {lo:?}, max {hi:?})");
    println!("diagnostics after the last edit: [{diagnostics}]");
    if let Ok(path) = std::env::var("BENCH_LSP_DUMP") {
        let _ = std::fs::write(path, &text);
    }
    for lines in OPEN_LINES {
        open_and_save(lines, runs.min(5));
    }
}
