//! The property suites' proptest settings, in one place (tests/engine_properties.rs,
//! tests/fast_path_properties.rs): `cases` random cases (or `PROPTEST_CASES`, if higher), no failure files,
//! and XorShift: ChaCha costs most of the run time in a debug build.

use proptest::test_runner::{Config, RngAlgorithm};

pub fn with_cases(cases: u32) -> Config {
    let from_env = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    Config { cases: from_env.max(cases), failure_persistence: None, rng_algorithm: RngAlgorithm::XorShift, ..Config::default() }
}
