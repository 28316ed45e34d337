//! archc: an optimization language for infrastructure planning.
//!
//! The pipeline: source text → [`syntax`] (pest parser, AST with spans) → [`resolve`] (names)
//! → [`check`] (types and units) → [`data`] (CSV/JSON) → [`instantiate`] into the [`ir`] →
//! [`backends`] (MILP through good_lp, or dynamic programming for [`plan`]s) → [`solve`]
//! (verification, explanation) → [`report`]. [`driver`] runs these phases in order:
//! [`driver::analyze`] is the one entry point for the CLI, the tests and the language
//! server, and [`driver::solve`] the one solve path for all of them and for embedding.
//!
//! Embedding: compile a model from text or files, solve it, read the verified results.
//!
//! ```
//! let text = r#"
//!     kind region { cores: core = 0 core }
//!     region us-east { cores: 64 core }
//!     region eu-west { cores: 32 core }
//!     decide replicas[r in regions]: int >= 0 <= 10
//!     constraint fit[r in regions]: 16 core * replicas[r] <= r.cores
//!     maximize served: sum(r in regions) replicas[r]
//! "#;
//! let mut model = archc::compile_source("fleet.arch", text, None).expect("the model checks");
//! let solution = model.solve(&archc::solve::SolveOptions::default()).expect("it solves");
//! assert_eq!(solution.objective(), Some(6.0));
//! assert_eq!(solution.value("replicas", &["us-east"]), Some(4.0));
//! ```

pub mod analysis;
pub mod backends;
pub mod check;
pub mod data;
pub mod diagnostics;
pub mod driver;
pub mod embed_changes;
pub mod embed_data;
pub mod fmt;
pub mod forecast;
pub mod hir;
mod in_order;
pub mod instantiate;
pub mod ir;
pub mod partition;
pub mod period;
pub mod plan;
pub mod report;
pub mod resolve;
pub mod risk;
pub mod scenario;
pub mod solve;
pub mod source;
pub mod span;
pub mod stdlib;
pub mod syntax;
pub mod timings;
pub mod units;

pub use embed::{compile, compile_source, CompileError, Compiled, Solution};

/// The embedding API: compile a model from files or strings, solve it, read typed results.
pub mod embed {
    use crate::analysis::{Analysis, AnalyzeOptions};
    use crate::diagnostics::Diagnostic;
    use crate::driver::{analyze, analyze_source};
    use crate::report::Report;
    use crate::solve::{SolveOptions, Solved, Status};
    use std::path::Path;

    /// A model that checked clean and is instantiated over its data.
    pub struct Compiled {
        analysis: Analysis,
        /// Param values changed since the model compiled ([`Compiled::set_param`]).
        changes: crate::embed_changes::ParamChanges,
    }

    /// Why a model did not compile: its diagnostics, and their rendering.
    #[derive(Debug)]
    pub struct CompileError {
        pub diagnostics: Vec<Diagnostic>,
        pub rendered: String,
    }

    impl std::fmt::Display for CompileError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.rendered)
        }
    }

    impl std::error::Error for CompileError {}

    fn finish(analysis: Analysis) -> Result<Compiled, CompileError> {
        if analysis.has_errors() || analysis.instance.is_none() {
            let rendered = crate::diagnostics::render::render_all_plain(
                &analysis.diagnostics,
                &analysis.sources,
                100,
            );
            return Err(CompileError {
                diagnostics: analysis.diagnostics,
                rendered,
            });
        }
        Ok(Compiled {
            analysis,
            changes: Default::default(),
        })
    }

    /// Compile the model in `path` (data paths are relative to it).
    pub fn compile(path: &Path) -> Result<Compiled, CompileError> {
        finish(analyze(
            path,
            &AnalyzeOptions {
                instantiate: true,
                ..Default::default()
            },
        ))
    }

    /// Compile a model given as text; `base_dir` resolves its data and `use` paths.
    pub fn compile_source(
        name: &str,
        text: &str,
        base_dir: Option<&Path>,
    ) -> Result<Compiled, CompileError> {
        finish(analyze_source(
            name,
            text,
            base_dir,
            &AnalyzeOptions {
                instantiate: true,
                ..Default::default()
            },
        ))
    }

    impl Compiled {
        /// The instantiated model (columns, rows, objective with origins).
        pub fn model(&self) -> &crate::ir::Model {
            &self
                .analysis
                .instance
                .as_ref()
                .expect("compiled models have an instance")
                .model
        }

        /// The full analysis (sources, symbols, schema).
        pub fn analysis(&self) -> &Analysis {
            &self.analysis
        }

        /// Change one value of a param for the next [`Compiled::solve`]: `index` names the
        /// elements (empty for a scalar param), `value` is in the unit the param is declared
        /// with. The model is not parsed or checked again: the next solve instantiates it
        /// from its checked form with every value changed so far, so params computed from
        /// this one, bounds, constraints and objectives all see it. A param that is not a
        /// number, a value that is not finite (or not whole for an `int` param), or an
        /// index that names no element is E0748.
        pub fn set_param(
            &mut self,
            name: &str,
            index: &[&str],
            value: f64,
        ) -> Result<(), Diagnostic> {
            self.changes.set(&self.analysis, name, index, value)
        }

        /// Forget every value changed by [`Compiled::set_param`]: the next solve is on the
        /// values the model compiled with.
        pub fn clear_changes(&mut self) {
            self.changes.clear();
        }

        /// Take the values changed by [`Compiled::set_param`] into the instance (done by
        /// [`Compiled::solve`] when there are changes; call it to see the new
        /// [`Compiled::model`] before solving). When the changed values leave the model's
        /// structure as it was (same rows, same columns in every row), the instance is updated
        /// in place: only the declarations that read a changed value are instantiated again
        /// and no data file is read again; otherwise the whole model is instantiated again
        /// from its checked form ([`Compiled::last_update`] says which, and why). An index that
        /// names no element is E0748.
        pub fn update(&mut self) -> Result<(), Diagnostic> {
            self.changes.update(&mut self.analysis)
        }

        /// How the last [`Compiled::update`] that did something took the changes in: in place
        /// (with what it instantiated again) or whole (with the reason).
        pub fn last_update(&self) -> Option<&crate::driver::Reinstantiated> {
            self.changes.last_update()
        }

        /// Solve with the chosen backend; the answer is verified before it is returned.
        pub fn solve(&mut self, options: &SolveOptions) -> Result<Solution, Diagnostic> {
            self.update()?;
            let name = self
                .analysis
                .sources
                .name(crate::span::FileId(0))
                .to_string();
            let solved = crate::driver::solve(&mut self.analysis, options)?;
            let report =
                crate::driver::report(&self.analysis, &name, &solved).ok_or_else(|| {
                    Diagnostic::error(crate::diagnostics::Code::E0703, "no instance to solve")
                })?;
            Ok(Solution { report, solved })
        }
    }

    /// A verified solution, readable by name.
    #[derive(Clone, Debug, serde::Serialize)]
    pub struct Solution {
        pub report: Report,
        /// The solve itself: status, backend and why, verification, timings per phase.
        #[serde(skip)]
        pub solved: Solved,
    }

    impl Solution {
        pub fn status(&self) -> Status {
            self.report.status
        }

        /// The objective in its unit.
        pub fn objective(&self) -> Option<f64> {
            self.report.objective.as_ref().map(|o| o.value)
        }

        /// The value of `decision[index...]` (0 for instances that are zero; `None` when the
        /// decision does not exist).
        pub fn value(&self, decision: &str, index: &[&str]) -> Option<f64> {
            let d = self.report.decisions.iter().find(|d| d.name == decision)?;
            Some(
                d.values
                    .iter()
                    .find(|v| v.index.iter().map(|s| s.as_str()).eq(index.iter().copied()))
                    .map(|v| v.value)
                    .unwrap_or(0.0),
            )
        }

        /// The whole report as JSON (schema `archc.solution/1`).
        pub fn to_json(&self) -> String {
            serde_json::to_string_pretty(&self.report).unwrap_or_default()
        }
    }
}
