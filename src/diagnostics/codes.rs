//! The registry of diagnostic codes and their long explanations (`archc explain CODE`).

/// One diagnostic code.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
    /// Markdown-ish long text: what it means, an example, how to fix it.
    pub explanation: &'static str,
}

/// Every code, in order.
pub fn all() -> Vec<&'static CodeInfo> {
    let mut v: Vec<&'static CodeInfo> = Vec::new();
    v.sort_by_key(|c| c.code);
    v
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    all()
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}
