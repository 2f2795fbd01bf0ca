#![cfg(not(target_arch = "wasm32"))]
//! The fast path changes nothing the engine decides (src/core/fast_path.rs): random configs and random
//! input sequences run on two engines side by side, one taking every input through its methods (the slow
//! path), the other doing what the package's JavaScript does: a send or a message goes on the fast path
//! whenever the lanes it last published allow it (counted in a `FastDone`, as src/js/fast_path.js counts
//! them), and what it did is collected before every other engine call. After every step the two must
//! agree on everything observable: what went to each task in order, what was delivered, every event and
//! settled request, and every getter (state, stats, queue, unconfirmed frames, the next deadline, the pong
//! timeout).
//!
//! 5,000 cases by default; `PROPTEST_CASES` raises it.

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestCaseError};

use wxsocket::core::{
    Backoff, Config, Engine, FastDone, FastLanes, Heartbeat, Inbound, Millis, Output, Overflow, Payload, QueueLimits, RequestKey,
    SendOptions, TaskId, Text,
};

#[derive(Clone, Debug)]
struct Spec {
    seed: u64,
    heartbeat: Option<(u64, u64)>,
    queue: QueueLimits,
    max_message_bytes: usize,
    resend_unconfirmed: bool,
    reconnect: bool,
}

#[derive(Clone, Debug)]
enum Step {
    Send(u8),
    Volatile(u8),
    Request { len: u8, timeout_ms: u16 },
    /// A reply carrying the id of request number `n` (modulo those made).
    Reply(u8),
    /// A message of `len` bytes on the latest task (`old`: on the one before it).
    Message { len: u8, old: bool },
    Pong,
    Opened,
    Closed(u16),
    Error,
    SendFailed,
    Network(bool),
    Shown,
    Close,
    Reconnect,
    /// Time moves forward; every deadline on the way fires in order, each after the socket's
    /// `bufferedAmount` was read (`None`: a platform without one).
    Advance(u32, Option<u64>),
    /// A getter is read (the engine collects what the fast path did, the lanes stay).
    Getter,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<u64>(),
        prop_oneof![Just(None), (50u64..2000, 50u64..1000).prop_map(Some)],
        (0usize..5, 0usize..40, prop_oneof![Just(Overflow::Error), Just(Overflow::DropOldest), Just(Overflow::DropNewest)]),
        0usize..40,
        prop_oneof![3 => Just(false), 1 => Just(true)],
        prop_oneof![4 => Just(true), 1 => Just(false)],
    )
        .prop_map(|(seed, heartbeat, (max_messages, max_bytes, overflow), max_message_bytes, resend_unconfirmed, reconnect)| Spec {
            seed,
            heartbeat,
            queue: QueueLimits { max_messages, max_bytes, overflow, ..QueueLimits::default() },
            max_message_bytes,
            resend_unconfirmed,
            reconnect,
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0u8..8).prop_map(Step::Send),
        1 => (0u8..8).prop_map(Step::Volatile),
        2 => (0u8..8, 1u16..3000).prop_map(|(len, timeout_ms)| Step::Request { len, timeout_ms }),
        2 => any::<u8>().prop_map(Step::Reply),
        8 => (0u8..50, prop_oneof![5 => Just(false), 1 => Just(true)]).prop_map(|(len, old)| Step::Message { len, old }),
        2 => Just(Step::Pong),
        4 => Just(Step::Opened),
        1 => prop_oneof![Just(1000u16), Just(1006), Just(4000)].prop_map(Step::Closed),
        1 => Just(Step::Error),
        1 => Just(Step::SendFailed),
        1 => any::<bool>().prop_map(Step::Network),
        1 => Just(Step::Shown),
        1 => Just(Step::Close),
        1 => Just(Step::Reconnect),
        5 => (prop_oneof![3 => 0u32..300, 2 => 0u32..3000], prop_oneof![Just(None), (0u64..20).prop_map(Some)])
            .prop_map(|(dt, buffered)| Step::Advance(dt, buffered)),
        2 => Just(Step::Getter),
    ]
}

fn config(spec: &Spec) -> Config<Text> {
    Config {
        connect_timeout_ms: 500,
        reconnect: spec.reconnect.then(|| Backoff { min_delay_ms: 100.0, max_delay_ms: 400.0, factor: 2.0, jitter: 0.5, max_retries: Some(3), min_uptime_ms: 500 }),
        should_reconnect: None,
        heartbeat: spec.heartbeat.map(|(interval_ms, timeout_ms)| Heartbeat { interval_ms, timeout_ms, ping: Text::from("ping") }),
        queue: spec.queue,
        max_message_bytes: spec.max_message_bytes,
        start_closed: false,
    }
}

/// One engine and what it did, as a platform would see it.
struct Side {
    engine: Engine<Text>,
    /// Every output but the timer's (its arming differs by design: the fast path only moves deadlines
    /// later), and what the fast path did in their place, in order.
    log: Vec<String>,
    /// Every task opened so far.
    tasks: Vec<TaskId>,
    /// The lanes published after the last call (the mixed side only).
    lanes: FastLanes,
    /// What the fast path did since the last collection.
    done: FastDone,
}

impl Side {
    fn new(spec: &Spec) -> Side {
        let mut engine = Engine::new(config(spec), spec.seed, 0);
        engine.set_resend_unconfirmed(spec.resend_unconfirmed);
        let mut s = Side { engine, log: Vec::new(), tasks: Vec::new(), lanes: FastLanes::default(), done: FastDone::default() };
        s.drain();
        s
    }

    fn drain(&mut self) {
        while let Some(o) = self.engine.poll() {
            if let Output::Open { task, .. } = &o {
                self.tasks.push(*task);
            }
            if !matches!(o, Output::Timer { .. }) {
                self.log.push(format!("{o:?}"));
            }
        }
        self.lanes = self.engine.fast_lanes();
    }

    /// A call into the engine: what the fast path did goes in first, the outputs are performed after.
    fn call(&mut self, f: impl FnOnce(&mut Engine<Text>)) {
        self.engine.collect_fast(std::mem::take(&mut self.done));
        f(&mut self.engine);
        self.drain();
    }

    fn task(&self, old: bool) -> Option<TaskId> {
        let n = self.tasks.len();
        if old { n.checked_sub(2) } else { n.checked_sub(1) }.map(|i| self.tasks[i])
    }

    /// `send` as the package does it: the fast path when its lane is open, else the engine.
    fn send(&mut self, now: Millis, payload: Text, options: SendOptions, fast: bool) {
        match self.lanes.send {
            Some(task) if fast => {
                self.done.sent_messages += 1;
                self.done.sent_bytes += payload.counted_len() as u64;
                self.log.push(format!("{:?}", Output::Send { task, payload }));
            }
            _ => self.call(|e| {
                let _ = e.send_with(now, payload, options);
            }),
        }
    }

    /// An inbound message of task `task` as src/js/inbound.js hands it over (`key`: the request id it
    /// carries, if any).
    fn message(&mut self, now: Millis, task: TaskId, len: usize, key: Option<RequestKey>, fast: bool) {
        let body = Text::from("m");
        let too_large = len > self.engine.config().max_message_bytes;
        let awaited = key.as_ref().is_some_and(|k| self.engine.has_pending_request(k));
        if fast && self.lanes.receive == Some(task) && !too_large && !awaited {
            self.done.received_messages += 1;
            self.done.received_bytes += len as u64;
            if self.lanes.stamp_frames {
                self.done.last_frame_at = Some(now);
            }
            self.log.push(format!("{:?}", Output::Deliver(body)));
            return;
        }
        let frame = if too_large {
            Inbound::TooLarge
        } else {
            match key {
                Some(key) => Inbound::Reply { key, reply: body, error: false },
                None => Inbound::Message(body),
            }
        };
        self.call(|e| e.frame(now, task, len, frame));
    }

    /// Everything a page or a test could read.
    fn observed(&mut self) -> String {
        self.engine.collect_fast(std::mem::take(&mut self.done));
        let e = &self.engine;
        format!(
            "state {:?} task {:?} retries {} stats {:?} queued {} buffered {} unconfirmed {} pending {} deadline {:?} pong timeout {:?}",
            e.state(),
            e.task(),
            e.retry_count(),
            e.stats(),
            e.queued_count(),
            e.buffered_amount(),
            e.unconfirmed_count(),
            e.pending_requests(),
            e.next_deadline(),
            e.pong_timeout_ms()
        )
    }
}

fn run(spec: Spec, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut slow = Side::new(&spec);
    let mut mixed = Side::new(&spec);
    let mut now: Millis = 0;
    let mut requests = 0u32;
    for (i, step) in steps.iter().enumerate() {
        now += 1;
        for (side, fast) in [(&mut slow, false), (&mut mixed, true)] {
            match step {
                Step::Send(len) => side.send(now, Text("x".repeat(*len as usize)), SendOptions::default(), fast),
                Step::Volatile(len) => side.send(now, Text("v".repeat(*len as usize)), SendOptions { ttl_ms: None, volatile: true }, fast),
                Step::Request { len, timeout_ms } => {
                    let payload = Text(format!("q{requests}:{}", "q".repeat(*len as usize)));
                    let key = format!("r{requests}");
                    side.call(|e| {
                        let _ = e.request(now, key, payload, u64::from(*timeout_ms));
                    });
                }
                Step::Reply(n) => {
                    let key = RequestKey::from(format!("r{}", u32::from(*n) % (requests + 1)));
                    if let Some(task) = side.task(false) {
                        side.message(now, task, 8, Some(key), fast);
                    }
                }
                Step::Message { len, old } => {
                    if let Some(task) = side.task(*old) {
                        side.message(now, task, *len as usize, None, fast);
                    }
                }
                Step::Pong => {
                    if let Some(task) = side.task(false) {
                        side.call(|e| e.frame(now, task, 4, Inbound::Pong));
                    }
                }
                Step::Opened => {
                    if let Some(task) = side.task(false) {
                        side.call(|e| e.task_opened(now, task));
                    }
                }
                Step::Closed(code) => {
                    if let Some(task) = side.task(false) {
                        side.call(|e| e.task_closed(now, task, *code, "bye"));
                    }
                }
                Step::Error => {
                    if let Some(task) = side.task(false) {
                        side.call(|e| e.task_error(now, task, "broken"));
                    }
                }
                Step::SendFailed => {
                    if let Some(task) = side.task(false) {
                        side.call(|e| e.send_failed(now, task, "full"));
                    }
                }
                Step::Network(online) => side.call(|e| e.network_changed(now, *online)),
                Step::Shown => side.call(|e| e.app_shown(now)),
                Step::Close => side.call(|e| {
                    let _ = e.close(now, 1000, "");
                }),
                Step::Reconnect => side.call(|e| e.reconnect(now)),
                Step::Advance(..) | Step::Getter => {}
            }
        }
        if let Step::Request { .. } = step {
            requests += 1;
        }
        if let Step::Advance(dt, buffered) = step {
            let end = now + u64::from(*dt);
            // The two agree on the next deadline (checked below), so they fire together.
            while let Some(at) = slow.engine.next_deadline().filter(|at| *at <= end) {
                now = now.max(at);
                for side in [&mut slow, &mut mixed] {
                    let task = side.task(false);
                    side.call(|e| {
                        if let (Some(task), Some(b)) = (task, buffered) {
                            e.socket_buffered(task, *b);
                        }
                        e.handle_timeout(now);
                    });
                }
                prop_assert_eq!(slow.observed(), mixed.observed(), "after the timer at {} (step {})", now, i);
            }
            now = end;
        }
        prop_assert_eq!(slow.observed(), mixed.observed(), "after step {} {:?}", i, step);
        prop_assert_eq!(&slow.log, &mixed.log, "outputs after step {} {:?}", i, step);
    }
    // Whatever the mixed side still holds comes in with the next call, as it would in the module.
    prop_assert_eq!(slow.observed(), mixed.observed());
    Ok(())
}

fn cases() -> u32 {
    let from_env = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    from_env.max(5_000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    })]

    /// Interleaved fast and slow inputs leave the engine as the slow inputs alone do.
    #[test]
    fn fast_and_slow_inputs_leave_the_engine_as_slow_inputs_alone(spec in spec(), steps in prop::collection::vec(step(), 0..=80)) {
        run(spec, steps)?;
    }
}

/// The property is not vacuous: in a plain run most sends and messages take the fast path.
#[test]
fn the_fast_path_is_taken() {
    let spec = Spec {
        seed: 7,
        heartbeat: Some((1000, 500)),
        queue: QueueLimits::default(),
        max_message_bytes: 100,
        resend_unconfirmed: false,
        reconnect: true,
    };
    let mut side = Side::new(&spec);
    let task = side.task(false).unwrap();
    side.call(|e| e.task_opened(1, task));
    for t in 2..100 {
        side.send(t, Text::from("hello"), SendOptions::default(), true);
        side.message(t, task, 5, None, true);
    }
    assert_eq!(side.done.sent_messages, 98);
    assert_eq!(side.done.received_messages, 98);
    assert_eq!(side.done.last_frame_at, Some(99));
}
