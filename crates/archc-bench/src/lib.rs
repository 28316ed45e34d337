//! Benchmarks of archc live in `benches/`; this library is empty.
