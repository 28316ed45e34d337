//! Dynamic-programming backend.
