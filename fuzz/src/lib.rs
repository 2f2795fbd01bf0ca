//! Shared by the fuzz targets (and by `tests/fuzz_regressions.rs`, which includes these files by path).
pub mod engine_model;
pub mod input_checks;
