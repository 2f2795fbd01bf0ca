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

#[path = "common/proptest_config.rs"]
mod proptest_config;

use engine_model::{Spec, Step, Who};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::HashMap;

use wxsocket::core::{Backoff, Config, Engine, ErrorCode, Inbound, Input, Millis, Output, Overflow, QueueLimits, RequestHandle, State, Text};

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
            .prop_map(|(max_messages, max_bytes, overflow)| QueueLimits { max_messages, max_bytes, overflow, ..QueueLimits::default() }),
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

proptest! {
    #![proptest_config(proptest_config::with_cases(10000))]

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

// ------------------------------------------------------------------------------------------------
// The requests' earliest deadline (kept by the engine, not scanned for on every call)
// ------------------------------------------------------------------------------------------------

/// splitmix64, for the request sequences below.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An engine with many pending requests, and what the test knows of them: every request's deadline
/// and reply key, so the earliest deadline is computed by brute force and compared with the engine's.
struct Requests {
    engine: Engine<Text>,
    now: Millis,
    /// Pending requests (by the outputs and the answers): handle → (key, deadline).
    pending: HashMap<RequestHandle, (String, Millis)>,
    /// Every request accepted: (handle, key).
    made: Vec<(RequestHandle, String)>,
    /// The connect deadline while connecting (the only other deadline here).
    connect_deadline: Option<Millis>,
    timed_out: usize,
    evicted: usize,
}

impl Requests {
    /// `open`: requests go out on an open task; otherwise they wait in a drop-oldest queue of
    /// `queue_max` frames while connecting (so the oldest are evicted now and then).
    fn new(seed: u64, open: bool, queue_max: usize) -> Self {
        let config = Config {
            connect_timeout_ms: engine_model::MAX_SAFE,
            reconnect: None,
            heartbeat: None,
            queue: QueueLimits { max_messages: queue_max, max_bytes: 1 << 20, overflow: Overflow::DropOldest, ..QueueLimits::default() },
            max_message_bytes: 1 << 20,
            start_closed: false,
        };
        let mut engine = Engine::new(config, seed, 0);
        while engine.poll().is_some() {}
        let task = engine.task().expect("a task");
        let mut connect_deadline = Some(engine_model::MAX_SAFE);
        if open {
            engine.handle(0, Input::Opened { task });
            while engine.poll().is_some() {}
            assert_eq!(engine.state(), State::Open);
            connect_deadline = None;
        }
        Requests { engine, now: 0, pending: HashMap::new(), made: Vec::new(), connect_deadline, timed_out: 0, evicted: 0 }
    }

    /// Follows the outputs (requests rejected) and compares the engine's next deadline with the true
    /// minimum.
    fn check(&mut self, what: &str) {
        while let Some(out) = self.engine.poll() {
            if let Output::Reject { request, code } = out {
                let settled = self.pending.remove(&request);
                assert!(settled.is_some(), "{what}: Reject of {request:?}, which is not pending");
                match code {
                    ErrorCode::QueueFull => self.evicted += 1,
                    ErrorCode::Timeout => {
                        let deadline = settled.unwrap().1;
                        assert_eq!(deadline, self.now, "{what}: {request:?} timed out at {}, its deadline is {deadline}", self.now);
                        self.timed_out += 1;
                    }
                    other => panic!("{what}: Reject with {other:?}"),
                }
            }
        }
        let earliest = self.pending.values().map(|(_, d)| *d).chain(self.connect_deadline).min();
        assert_eq!(self.engine.next_deadline(), earliest, "{what} at t={}: next deadline against the true minimum", self.now);
        assert_eq!(self.engine.pending_requests(), self.pending.len(), "{what}: pending requests");
    }

    fn request(&mut self, timeout_ms: u64) {
        let key = format!("k{}", self.made.len());
        let handle = self.engine.request(self.now, key.clone(), Text::from("req"), timeout_ms).expect("request accepted");
        self.pending.insert(handle, (key.clone(), self.now + timeout_ms));
        self.made.push((handle, key));
        self.check("request");
    }

    /// Answers the request made with this key (pending or not), by its handle, as the platform hands a
    /// reply in (a handle no longer pending: an ordinary message).
    /// A reply arrives only on an open task: while connecting, nothing is settled.
    fn answer(&mut self, handle: RequestHandle, key: &str) {
        let open = self.engine.state() == State::Open;
        if let Some(task) = self.engine.task().filter(|_| open) {
            self.engine.handle(self.now, Input::Frame { task, size: 8, frame: Inbound::Answer { request: handle, reply: Text::from("reply"), error: false } });
        }
        let mut settled = None;
        while let Some(out) = self.engine.poll() {
            match out {
                Output::Resolve { request, .. } => settled = Some(request),
                Output::Deliver(_) | Output::Timer { .. } => {}
                other => panic!("a reply gave {other:?}"),
            }
        }
        let expected = if open { self.pending.remove(&handle).map(|_| handle) } else { None };
        assert_eq!(settled, expected, "the reply {key}");
        self.check("reply");
    }

    /// The pending request with the earliest deadline (the one the engine's cache holds).
    fn earliest(&self) -> Option<(RequestHandle, String)> {
        self.pending.iter().min_by_key(|(h, (_, d))| (*d, h.0)).map(|(h, (k, _))| (*h, k.clone()))
    }
}

/// Moves the clock `dt` forward, firing the timer at each deadline on the way, in order.
fn advance(r: &mut Requests, dt: Millis) {
    let until = r.now + dt;
    while let Some(at) = r.engine.next_deadline().filter(|at| *at <= until) {
        assert!(at >= r.now, "a deadline {at} in the past at t={}", r.now);
        r.now = at;
        r.engine.handle(at, Input::Timeout);
        r.check("timeout");
    }
    r.now = until;
}

/// `count` requests made over time, with answers at random (to any request made, often to the
/// earliest pending one), and timeouts either random from 1 ms to 5 s (many equal) or `increasing`
/// (then the oldest pending request holds the earliest deadline, so each drop-oldest eviction removes
/// it). While not `open` they wait in a drop-oldest queue of `queue_max` frames. The engine's next
/// deadline is the brute-force minimum after every call; the timer fires in order as time moves, and
/// every request not answered or evicted times out exactly at its deadline, so in deadline order.
fn request_deadlines(seed: u64, open: bool, count: usize, queue_max: usize, increasing: bool) {
    let mut rng = Rng(seed);
    let mut r = Requests::new(seed, open, queue_max);
    for i in 0..count as u64 {
        let dt = rng.below(3);
        advance(&mut r, dt);
        let timeout = if increasing {
            1 + 3 * i + rng.below(3)
        } else {
            match rng.below(4) {
                0 => [1, 100, 1000, 2500][rng.below(4) as usize],
                _ => 1 + rng.below(5000),
            }
        };
        r.request(timeout);
        match rng.below(20) {
            0..=1 => {
                let (h, k) = r.made[rng.below(r.made.len() as u64) as usize].clone();
                r.answer(h, &k);
            }
            2 => {
                if let Some((h, k)) = r.earliest() {
                    r.answer(h, &k);
                }
            }
            _ => {}
        }
    }
    let left = r.pending.len();
    let timed_out = r.timed_out;
    while !r.pending.is_empty() {
        let at = r.engine.next_deadline().expect("a deadline while requests are pending");
        let dt = at - r.now;
        advance(&mut r, dt);
        // Now and then an answer between firings, to the earliest pending request.
        if rng.below(10) == 0 {
            if let Some((h, k)) = r.earliest() {
                r.answer(h, &k);
            }
        }
    }
    assert!(r.timed_out > timed_out || left == 0, "none of the {left} requests left timed out");
    assert!(r.timed_out + r.evicted <= r.made.len());
}

/// 1000 requests pending at once on an open task, and in the queue while connecting; and in small
/// drop-oldest queues, where evictions remove the earliest deadline.
#[test]
fn many_requests_time_out_in_deadline_order() {
    for seed in 0..4 {
        for increasing in [false, true] {
            request_deadlines(seed, true, 1000, 1000, increasing);
            request_deadlines(seed, false, 1000, 1000, increasing);
            request_deadlines(seed, false, 1000, 50 + 100 * seed as usize, increasing);
        }
    }
}

proptest! {
    #![proptest_config(proptest_config::with_cases(64))]

    /// The engine's next deadline equals the brute-force minimum over pending requests, whatever the
    /// answers, evictions and timeouts.
    #[test]
    fn next_deadline_is_the_earliest_request_deadline(
        seed in any::<u64>(),
        open in any::<bool>(),
        count in 8usize..1200,
        queue_max in 1usize..1200,
        increasing in any::<bool>(),
    ) {
        request_deadlines(seed, open, count, queue_max, increasing);
    }
}
