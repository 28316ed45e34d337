//! The integration tests of the `archc` command and library, as one test binary: each file
//! of this folder is a module (`cargo test --test cli fixtures::` runs one of them). One
//! binary links the library once instead of once per file, which keeps the build small and
//! quick. The searches whose quality is measured against a time limit (`search_gap.rs`,
//! `search_lagrange.rs`) stay binaries of their own, so that no other test shares the cores
//! with them.

#[cfg(any(feature = "highs", feature = "cbc"))]
#[allow(dead_code)] // each solver's reader is used with its own feature
mod solver_readers;

mod lsp_client;

mod aggregate;
mod alternatives;
mod cli_trust;
mod consistency;
mod data_sets;
mod depth;
mod docs;
mod docs_commands;
mod dp_bruteforce;
mod dp_errors;
mod dp_lotsizing;
mod embed;
mod emit;
mod examples;
mod explain;
mod file_layer;
mod fixtures;
mod fmt;
mod forecast;
mod hir;
mod ir_names;
mod lexicon;
mod link_refs;
mod lsp_cancel;
mod lsp_fuzz_edits;
mod lsp_incremental_parse;
mod lsp_nvim_e2e;
mod lsp_protocol;
mod lsp_server;
mod lsp_workspace;
mod milp_backends;
mod modeltest;
mod moves;
mod one_solve_path;
mod orlib_cap;
mod plans;
mod quoted_names;
mod random_inputs;
mod random_models;
mod ranked_objectives;
mod report_html;
mod report_tables;
mod risk;
mod risk_command;
mod risk_library;
mod scale;
mod soundness;
mod spans;
mod stdlib;
mod te;
mod warm_start;
