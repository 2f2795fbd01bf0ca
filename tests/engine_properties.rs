#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the sans-IO engine: random configs (heartbeat on and off, `reconnect: false`,
//! `maxRetries`, `shouldReconnect`, small queues under each overflow policy, `startClosed`) driven by
//! random sequences of every input (user calls; platform events for the live task, for old tasks and
//! for ids never handed out; timers firing as time moves forward by random amounts; network up/down;
//! app hidden/shown).
//!
//! The model and the invariants checked after every step are those of the `engine` fuzz target,
//! `fuzz/src/engine_model.rs`, included by path (as `tests/fuzz_regressions.rs` does): one checker for
//! both, listed at the top of that file (never two live tasks, never a `Send` to a task that is not
//! open, the queue within its bounds, exactly one `close` event per `close()`, a timer armed whenever
//! waiting online or connecting, requests settled once and by their deadlines, liveness at the end,
//! no panic, ...). Here proptest generates the configs and the steps, and every timer fires in order.
//!
//! 10,000 cases by default; `PROPTEST_CASES` raises it.

#[allow(dead_code)]
#[path = "../fuzz/src/engine_model.rs"]
mod engine_model;

use engine_model::{Spec, Step, Who};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestCaseError};
use wxsocket::core::{Backoff, Overflow, QueueLimits};

// ------------------------------------------------------------------------------------------------
// What is generated
// ------------------------------------------------------------------------------------------------

fn spec() -> impl Strategy<Value = Spec> {
    let backoff = (
        prop_oneof![Just(0.0), 1.0..500.0f64],
        prop_oneof![Just(0.0), 0.0..3000.0f64],
        prop_oneof![Just(1.0), Just(2.0), 1.0..3.0f64],
        prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64],
        prop_oneof![Just(None), (0u32..5).prop_map(Some)],
        0u64..3000,
    )
        .prop_map(|(min, extra, factor, jitter, max_retries, min_uptime_ms)| Backoff {
            min_delay_ms: min,
            max_delay_ms: min + extra,
            factor,
            jitter,
            max_retries,
            min_uptime_ms,
        });
    (
        any::<u64>(),
        50u64..2000,
        prop_oneof![1 => Just(None), 4 => backoff.prop_map(Some)],
        prop_oneof![3 => Just(None), 1 => (1000u16..5000).prop_map(Some)],
        prop_oneof![Just(None), (50u64..2000, 50u64..1000).prop_map(Some)],
        (0usize..5, 0usize..20, prop_oneof![Just(Overflow::Error), Just(Overflow::DropOldest), Just(Overflow::DropNewest)])
            .prop_map(|(max_messages, max_bytes, overflow)| QueueLimits { max_messages, max_bytes, overflow }),
        0usize..50,
        prop_oneof![4 => Just(false), 1 => Just(true)],
    )
        .prop_map(|(seed, connect_timeout_ms, reconnect, should_reconnect_below, heartbeat, queue, max_message_bytes, start_closed)| Spec {
            seed,
            connect_timeout_ms,
            reconnect,
            should_reconnect_below,
            heartbeat,
            queue,
            max_message_bytes,
            start_closed,
        })
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![6 => Just(Who::Latest), 3 => any::<u8>().prop_map(Who::Any), 1 => Just(Who::Unknown)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u8..8).prop_map(Step::Send),
        2 => (0u8..8, 1u16..4000).prop_map(|(len, timeout_ms)| Step::Request { len, timeout_ms }),
        2 => any::<u8>().prop_map(Step::Reply),
        1 => (prop_oneof![Just(1000u16), Just(3000), Just(4999), Just(999), Just(1001), Just(2000), Just(5000)], prop_oneof![0u8..10, 120u8..130])
            .prop_map(|(code, reason_len)| Step::Close { code, reason_len, multibyte: false }),
        1 => Just(Step::Reconnect),
        5 => who().prop_map(Step::Opened),
        3 => (who(), 0u8..60, any::<bool>()).prop_map(|(who, len, pong)| Step::Frame { who, len, pong }),
        3 => (who(), prop_oneof![Just(1000u16), Just(1001), Just(1006), Just(4000), Just(4500)])
            .prop_map(|(who, code)| Step::Closed { who, code, reason_len: 6 }),
        1 => who().prop_map(Step::Error),
        1 => who().prop_map(Step::SendFailed),
        2 => any::<bool>().prop_map(Step::Network),
        1 => Just(Step::Hidden),
        1 => Just(Step::Shown),
        5 => prop_oneof![4 => 0u32..300, 3 => 0u32..3000, 1 => 0u32..60_000].prop_map(Step::Advance),
        3 => Just(Step::ToTimer),
        1 => (0u8..10).prop_map(Step::EarlyTimer),
    ]
}

/// One run through the shared model, every timer firing in order (no cap: the timers here are all
/// 50 ms or more, so a step fires a few thousand at most).
fn run(spec: Spec, steps: Vec<Step>) -> Result<(), TestCaseError> {
    engine_model::run_steps(&spec, steps, usize::MAX).map_err(TestCaseError::fail)
}

fn cases() -> u32 {
    let from_env = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    from_env.max(10_000)
}

proptest! {
    // XorShift: ChaCha costs most of the run time in a debug build.
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    })]

    /// Random configs and random input sequences keep every invariant of `fuzz/src/engine_model.rs`.
    #[test]
    fn engine_keeps_its_invariants(spec in spec(), steps in prop::collection::vec(step(), 0..=60)) {
        run(spec, steps)?;
    }
}

/// The invariants hold in a long run too (one seed, many steps), where retry counts grow and backoff
/// reaches its maximum.
#[test]
fn long_random_run() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for _ in 0..20 {
        let spec = spec().new_tree(&mut runner).unwrap().current();
        let steps = prop::collection::vec(step(), 2000).new_tree(&mut runner).unwrap().current();
        if let Err(e) = run(spec.clone(), steps) {
            panic!("{spec:?}: {e}");
        }
    }
}
