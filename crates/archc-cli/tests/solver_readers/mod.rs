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
        // CBC 2.10 aborts on some models of fewer than three rows (an assertion in
        // `OsiClpSolverInterface::crunch`, coin-or/Clp#288), as archc's CBC backend knows:
        // read the file again with rows `0 <= 0` (no entries) declared up to three.
        let text = std::fs::read_to_string(path).expect("the MPS file");
        let pads: String = (raw.num_rows()..3)
            .map(|i| format!(" L  archc_pad{i}\n"))
            .collect();
        let padded = path.with_extension("padded.mps");
        std::fs::write(
            &padded,
            text.replacen("\nCOLUMNS", &format!("\n{pads}COLUMNS"), 1),
        )
        .expect("written");
        let name = CString::new(padded.to_str().expect("UTF-8 path")).expect("no NUL");
        raw = coin_cbc::raw::Model::new();
        raw.set_log_level(0);
        raw.set_parameter(c"preprocess", c"off");
        raw.read_mps(&name);
        let _ = std::fs::remove_file(&padded);
        assert!(raw.num_rows() >= 3, "padded {}", path.display());
    }
    if maximize {
        raw.set_obj_sense(coin_cbc::raw::Sense::Maximize);
    }
    raw.solve();
    raw.is_proven_optimal().then(|| raw.obj_value())
}
