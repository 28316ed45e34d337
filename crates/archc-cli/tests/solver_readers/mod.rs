//! The solvers' own file readers, for tests that hand them the MPS and LP files archc
//! writes: HiGHS (`highs` feature) reads both, CBC (`cbc` feature) reads MPS. Each reads a
//! file, solves it, and returns the optimum, or `None` when the model has none.

use std::ffi::CString;
use std::path::Path;

/// Read a model file with HiGHS's own reader and solve it.
#[cfg(feature = "highs")]
pub fn highs(path: &Path) -> Option<f64> {
    let file = CString::new(path.to_str().expect("UTF-8 path")).expect("no NUL");
    let flag = CString::new("output_flag").expect("no NUL");
    // SAFETY: a fresh HiGHS instance, C strings that outlive the calls, destroyed once.
    unsafe {
        let h = highs_sys::Highs_create();
        highs_sys::Highs_setBoolOptionValue(h, flag.as_ptr(), 0);
        let read = highs_sys::Highs_readModel(h, file.as_ptr());
        assert_ne!(
            read,
            highs_sys::STATUS_ERROR,
            "HiGHS could not read {}",
            path.display()
        );
        let run = highs_sys::Highs_run(h);
        assert_ne!(run, highs_sys::STATUS_ERROR);
        let status = highs_sys::Highs_getModelStatus(h);
        let objective = highs_sys::Highs_getObjectiveValue(h);
        highs_sys::Highs_destroy(h);
        (status == highs_sys::MODEL_STATUS_OPTIMAL).then_some(objective)
    }
}

/// Read an MPS file with CBC's own reader and solve it (CBC's reader ignores OBJSENSE,
/// so the sense is set by hand).
#[cfg(feature = "cbc")]
pub fn cbc(path: &Path, maximize: bool) -> Option<f64> {
    let file = CString::new(path.to_str().expect("UTF-8 path")).expect("no NUL");
    let mut raw = coin_cbc::raw::Model::new();
    raw.set_log_level(0);
    raw.set_parameter(c"preprocess", c"off");
    raw.read_mps(&file);
    if raw.num_rows() < 3 {
        raw = with_three_rows(&raw);
    }
    if maximize {
        raw.set_obj_sense(coin_cbc::raw::Sense::Maximize);
    }
    raw.solve();
    raw.is_proven_optimal().then(|| raw.obj_value())
}

/// The model CBC read, with rows `0 <= 1` (no entries) added up to three: CBC 2.10 aborts
/// on some models of fewer than three rows (an assertion in
/// `OsiClpSolverInterface::crunch`, coin-or/Clp#288), as archc's CBC backend also knows.
#[cfg(feature = "cbc")]
fn with_three_rows(read: &coin_cbc::raw::Model) -> coin_cbc::raw::Model {
    let (n, m) = (read.num_cols(), read.num_rows());
    let starts = read.vector_starts();
    let (mut index, mut value) = (Vec::new(), Vec::new());
    // Without elements CBC holds no arrays of them (`indices` would read a null pointer).
    let nonzeros = if read.num_elements() == 0 { 0 } else { n };
    for j in 0..nonzeros {
        let (a, b) = (starts[j] as usize, starts[j + 1] as usize);
        let mut col: Vec<(i32, f64)> = read.indices()[a..b]
            .iter()
            .copied()
            .zip(read.elements()[a..b].iter().copied())
            .collect();
        col.sort_by_key(|e| e.0);
        index.extend(col.iter().map(|e| e.0));
        value.extend(col.iter().map(|e| e.1));
    }
    let mut lower = read.row_lower().to_vec();
    let mut upper = read.row_upper().to_vec();
    lower.resize(3, 0.0);
    upper.resize(3, 1.0);
    let mut out = coin_cbc::raw::Model::new();
    out.set_log_level(0);
    out.set_parameter(c"preprocess", c"off");
    out.load_problem(
        n,
        m.max(3),
        starts,
        &index,
        &value,
        Some(read.col_lower()),
        Some(read.col_upper()),
        Some(read.obj_coefficients()),
        Some(&lower),
        Some(&upper),
    );
    for j in (0..n).filter(|&j| read.is_integer(j)) {
        out.set_integer(j);
    }
    out
}
