//! The registry of diagnostic codes and their long explanations (`archc explain CODE`).

/// One diagnostic code.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
    /// Long text: what it means, an example, how to fix it.
    pub explanation: &'static str,
}

/// Every code, sorted.
pub fn all() -> Vec<&'static CodeInfo> {
    let groups: &[&[CodeInfo]] = &[
        crate::syntax::errors::CODES,
        crate::resolve::errors::CODES,
        crate::check::errors::CODES,
        crate::check::errors::LINK_CODES,
        crate::data::CODES,
        crate::instantiate::errors::CODES,
        crate::backends::dp::CODES,
        crate::backends::milp::CODES,
        crate::solve::explain::CODES,
    ];
    let mut v: Vec<&'static CodeInfo> = groups.iter().flat_map(|g| g.iter()).collect();
    v.sort_by_key(|c| c.code);
    v
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    all()
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}
