//! The flags that run one model over other data: `--data DIR`, `--set NAME=VALUE` and
//! `--sense`, shared by `check`, `solve` and `emit`.

use archc::analysis::AnalyzeOptions;
use archc::resolve::overrides::Overrides;
use archc::syntax::ast::ObjectiveSense;
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug, Default)]
pub struct ModelArgs {
    /// Resolve the model's relative data paths (`from "..."`) against DIR instead of the
    /// model's folder: one model, many data sets.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Give scalar param NAME the value VALUE for this run, checked like a value written in
    /// the model (`--set budget=12000usd`, `--set "growth=1.2"`); repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// Minimize or maximize the model's objective, whatever the model says.
    #[arg(long, value_enum, value_name = "SENSE")]
    pub sense: Option<SenseArg>,
}

/// `--sense`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SenseArg {
    Minimize,
    Maximize,
}

impl ModelArgs {
    /// `options` with this run's data folder and overrides.
    pub fn apply(&self, options: AnalyzeOptions) -> AnalyzeOptions {
        AnalyzeOptions {
            data_dir: self.data.clone(),
            overrides: Overrides {
                params: self.set.clone(),
                sense: self.sense.map(|s| match s {
                    SenseArg::Minimize => ObjectiveSense::Minimize,
                    SenseArg::Maximize => ObjectiveSense::Maximize,
                }),
                ..Default::default()
            },
            ..options
        }
    }
}

/// `NAME=VALUE`, with a non-empty name and value.
pub fn parse_set(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() && !value.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!(
            "expected NAME=VALUE, e.g. `budget=12000usd`, not `{s}`"
        )),
    }
}

/// `--solver-option KEY=VALUE`.
pub fn parse_solver_option(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!(
            "expected KEY=VALUE, e.g. `presolve=off`, not `{s}`"
        )),
    }
}
