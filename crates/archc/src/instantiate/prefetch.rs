//! Large param files loaded on another thread while the model is instantiated.
//!
//! When the param loop of [`instantiate`](super::instantiate) reaches an indexed number
//! param read from a file of at least [`PREFETCH_MIN_BYTES`] whose numbers are stored dense,
//! it opens the file there (so files are registered in the same order as before) and reads
//! its text (shared with the source map) on a thread of its own; the loop, the decisions and the constraints
//! go on meanwhile. The param is taken from the thread where it is first needed: when
//! [`Inst::ensure_param`] asks for it, when compiled code reads it, and at the latest
//! before the objectives.
//!
//! The thread reads the cells as text first, looking each name up and parsing each number
//! straight from the file's text; only a file that way does not take (quotes, an unusual
//! row, a cell that does not convert cleanly) is read through converted records, as
//! `load_param_file` reads it.
//!
//! The thread gives the numbers only when the file loads cleanly: no diagnostic at all,
//! every name found in its set, no tuple twice, every value a number. Otherwise the whole
//! instantiation is run again without reading ahead, which reports exactly what loading the
//! file in the loop reports, in the same order (see `instantiate_how`). So reading
//! ahead changes when a file is read, never what comes of it.

use super::params::key_name;
use super::world::{DenseValues, ParamTable, SetVal};
use super::Inst;
use crate::check::Ty;
use crate::data::{self, CellValue, ColumnSpec, OpenedFile, Record};
use crate::syntax::ast;
use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

/// Files of at least this size are read ahead (smaller ones load faster than a thread
/// starts paying for itself).
pub(crate) const PREFETCH_MIN_BYTES: u64 = 1 << 20;

/// A param being read on another thread.
pub(crate) struct Pending {
    /// The sets of its index (the dense storage's axes).
    sets: Vec<Arc<SetVal>>,
    thread: JoinHandle<Loaded>,
}

/// Reading ahead: which files, what is being read, and whether a read failed.
#[derive(Default)]
pub(crate) struct Prefetch {
    /// Files of at least this many bytes are read ahead; `None`: nothing is.
    pub(crate) min_bytes: Option<u64>,
    pub(crate) pending: FxHashMap<usize, Pending>,
    /// A file read ahead did not load cleanly: the instantiation must run again without
    /// reading ahead.
    pub(crate) failed: bool,
    /// Params taken from their thread.
    pub(crate) taken: usize,
    /// Of those, the params whose file was read as text alone ([`DenseLoad::plain`]).
    pub(crate) taken_as_text: usize,
}

/// What the thread gives: the numbers when the file loads cleanly, and whether they were
/// read as text alone.
struct Loaded {
    nums: Option<Vec<f64>>,
    as_text: bool,
}

/// What the thread needs: the file, its columns, and each index set's names in order.
struct DenseLoad {
    file: OpenedFile,
    spec: Vec<ColumnSpec>,
    names: Vec<Vec<String>>,
    /// Periods as other tools write them, by position ([`Inst::data_spellings`]).
    alt: Vec<FxHashMap<String, u32>>,
    unit_scale: f64,
    len: usize,
}

impl DenseLoad {
    /// The numbers by mixed-radix position over the sets (NaN: no value), or `None` when
    /// the file does not load cleanly. Reads the cells as text first ([`Self::plain`]);
    /// a file that way does not take is read as `load_param_file` does.
    fn run(self) -> Loaded {
        let by_name: Vec<FxHashMap<&str, u32>> = self
            .names
            .iter()
            .map(|names| {
                let mut m = FxHashMap::with_capacity_and_hasher(names.len(), Default::default());
                for (i, n) in names.iter().enumerate() {
                    m.entry(n.as_str()).or_insert(i as u32);
                }
                m
            })
            .collect();
        let mut nums = vec![f64::NAN; self.len];
        if self.plain(&by_name, &mut nums) {
            return Loaded {
                nums: Some(nums),
                as_text: true,
            };
        }
        nums.fill(f64::NAN);
        let clean = self.converted(&by_name, &mut nums);
        Loaded {
            nums: clean.then_some(nums),
            as_text: false,
        }
    }

    /// The position of `name` in index set `i`.
    fn position(&self, by_name: &[FxHashMap<&str, u32>], i: usize, name: &str) -> Option<u32> {
        by_name[i]
            .get(name)
            .or_else(|| self.alt[i].get(name))
            .copied()
    }

    /// Fills `nums` from the cells' text ([`OpenedFile::plain_cells`]), as [`Self::converted`]
    /// would from the converted records; `false` at the first cell that is not a plain name
    /// of its set or a plain number (or a tuple given twice), when the file has columns
    /// that other params read (converting the records checks them), and for any file the
    /// text reading does not take. Rows usually come in the sets' order, so each name is first
    /// compared with the previous row's and the one after it, before the table is asked.
    fn plain(&self, by_name: &[FxHashMap<&str, u32>], nums: &mut [f64]) -> bool {
        let dims = self.names.len();
        if self.spec.len() != dims + 1 {
            return false;
        }
        // The guess gives the table's answer only when a set has no name twice.
        let guess: Vec<bool> = (by_name.iter().zip(&self.names))
            .map(|(m, names)| m.len() == names.len())
            .collect();
        let mut last = vec![0usize; dims];
        let value = &self.spec[dims];
        self.file.plain_cells(&self.spec, |cells| {
            let mut offset = 0usize;
            for i in 0..dims {
                let (names, name, l) = (&self.names[i], cells[i], last[i]);
                let is = |at: usize| names.get(at).is_some_and(|n| n == name);
                let pos = if guess[i] && is(l) {
                    l
                } else if guess[i] && is(l + 1) {
                    l + 1
                } else {
                    match self.position(by_name, i, name) {
                        Some(p) => p as usize,
                        None => return false,
                    }
                };
                last[i] = pos;
                offset = offset * names.len() + pos;
            }
            if cells[dims].is_empty() && !value.required {
                return true;
            }
            let Some(n) = data::number_cell(cells[dims], value) else {
                return false;
            };
            let slot = &mut nums[offset];
            if !slot.is_nan() {
                return false;
            }
            *slot = n * self.unit_scale;
            true
        })
    }

    /// Fills `nums` from the records as `load_param_file` converts them; `false` when the
    /// file does not load cleanly.
    fn converted(&self, by_name: &[FxHashMap<&str, u32>], nums: &mut [f64]) -> bool {
        let mut clean = true;
        let mut name_buf = String::new();
        let dims = self.names.len();
        let (read, diags) = self.file.stream(&self.spec, &mut |r: &Record| {
            if !r.valid || !clean {
                return;
            }
            let mut offset = 0usize;
            for (i, cell) in r.cells[..dims].iter().enumerate() {
                let Some(name) = key_name(&cell.value, &mut name_buf) else {
                    return;
                };
                match self.position(by_name, i, name) {
                    Some(pos) => offset = offset * self.names[i].len() + pos as usize,
                    None => {
                        clean = false;
                        return;
                    }
                }
            }
            match &r.cells[dims].value {
                CellValue::Number(n) => {
                    let slot = &mut nums[offset];
                    clean &= slot.is_nan();
                    *slot = n * self.unit_scale;
                }
                CellValue::Missing => {}
                _ => clean = false,
            }
        });
        read && clean && diags.is_empty()
    }
}

impl<'a> Inst<'a> {
    /// Param `p`'s file as written and resolved, when `p` is an indexed param read from a
    /// file of at least `min_bytes`: the files read ahead.
    fn large_param_file(&self, p: usize, min_bytes: u64) -> Option<(&'a ast::StrLit, PathBuf)> {
        let info = &self.schema.params[p];
        let (Some(ast::ParamValue::From(path)), Some(_)) = (&info.decl.value, &info.decl.index)
        else {
            return None;
        };
        let full = self.sources.resolve_data(path.span.file, &path.value);
        (self.sources.file_len(&full).unwrap_or(0) >= min_bytes).then_some((path, full))
    }

    /// Start reading from disk, each on a thread of its own, the files of indexed params
    /// large enough to be read ahead ([`Prefetch::min_bytes`]) and not yet in the source
    /// map, before the entities are loaded: by the time the param loop opens such a file
    /// ([`Inst::start_prefetch`] or the loop itself) its text is read or on its way. The
    /// file layer hands the text to that first read, in the same order of files as ever.
    pub(crate) fn read_files_ahead(&mut self) {
        let Some(min_bytes) = self.prefetch.min_bytes else {
            return;
        };
        for p in 0..self.schema.params.len() {
            match self.large_param_file(p, min_bytes) {
                Some((_, full)) if self.sources.find_by_path(&full).is_none() => {
                    self.sources.vfs().read_ahead(&full)
                }
                _ => {}
            }
        }
    }

    /// Start reading param `p`'s file on another thread, when it is worth it and can be
    /// done: an indexed number param from a file of at least `min_bytes`, stored dense,
    /// not the history of a forecast. `false` when it was not started (the caller loads
    /// the param as usual).
    pub(crate) fn start_prefetch(&mut self, p: usize) -> bool {
        let Some(min_bytes) = self.prefetch.min_bytes else {
            return false;
        };
        if self.world.params[p].is_some() {
            return false;
        }
        let unit_scale = match self.schema.params[p].ty {
            Ty::Num { unit, .. } => unit.scale,
            _ => return false,
        };
        // Small files and sets that depend on an earlier index variable (never dense) are
        // ruled out before the sets are evaluated.
        let Some((path, _)) = self.large_param_file(p, min_bytes) else {
            return false;
        };
        let dependent = (self.hir.and_then(|h| h.params.get(p)))
            .is_none_or(|h| h.body.index.has_dependent_set());
        if dependent {
            return false;
        }
        let display = path.value.clone();
        let at = path.span;
        let Ok(plan) = self.param_file_plan(p, path) else {
            return false;
        };
        if !plan.dense || plan.is_history {
            return false;
        }
        let Some(file) = data::open_shared(self.sources, &plan.full, &display, at) else {
            return false;
        };
        let names = (plan.sets.iter())
            .map(|set| {
                set.elems
                    .iter()
                    .map(|&e| self.world.name(e).to_string())
                    .collect()
            })
            .collect();
        let alt = (self.data_spellings(&plan.sets).into_iter())
            .map(|m| m.into_iter().map(|(k, (_, pos))| (k, pos)).collect())
            .collect();
        let load = DenseLoad {
            file,
            spec: plan.spec,
            names,
            alt,
            unit_scale,
            len: plan.sets.iter().map(|s| s.elems.len()).product(),
        };
        // No thread to be had: the param is loaded in the loop.
        let Ok(thread) = std::thread::Builder::new().spawn(move || load.run()) else {
            return false;
        };
        self.prefetch.pending.insert(
            p,
            Pending {
                sets: plan.sets,
                thread,
            },
        );
        true
    }

    /// Take param `p` from its thread if it is being read ahead (nothing otherwise). A
    /// file that did not load cleanly leaves `p` empty and marks the instantiation to be
    /// run again.
    pub(crate) fn finish_prefetch(&mut self, p: usize) {
        let Some(pending) = self.prefetch.pending.remove(&p) else {
            return;
        };
        let (nums, as_text) = match pending.thread.join() {
            Ok(loaded) => (loaded.nums, loaded.as_text),
            Err(_) => (None, false),
        };
        let mut table = ParamTable::default();
        match nums {
            Some(nums) => {
                self.prefetch.taken_as_text += usize::from(as_text);
                table.dense = Some(DenseValues {
                    sets: pending.sets,
                    nums,
                });
                self.prefetch.taken += 1;
                if self.apply_scenario_overrides(p, &mut table).is_err() {
                    self.prefetch.failed = true;
                }
            }
            None => self.prefetch.failed = true,
        }
        self.world.params[p] = Some(table);
    }

    /// Take every param still being read ahead.
    pub(crate) fn finish_prefetches(&mut self) {
        let mut pending: Vec<usize> = self.prefetch.pending.keys().copied().collect();
        pending.sort_unstable();
        for p in pending {
            self.finish_prefetch(p);
        }
    }
}
