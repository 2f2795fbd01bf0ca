#![cfg(not(target_arch = "wasm32"))]
//! The fast path changes nothing the engine decides (src/core/fast_path.rs): random configs and random
//! input sequences run on two engines side by side. The mixed one does what the package's JavaScript
//! does: a send or a message goes on the fast path whenever the lanes it last published allow it (counted
//! in a `FastDone`, as src/js/fast_path.js counts them), and what it did is collected before every other
//! engine call and every getter. The slow one takes every input through its methods, each message that
//! went on the fast path at the moment the mixed engine collected it (the fast path's stated bound on
//! "any frame is alive"). After every step the two must agree on everything observable: what went to the
//! tasks, in order; what was delivered, every event and settled request, in order; and every getter
//! (state, stats, queue, unconfirmed frames, the next deadline, the pong timeout). And every message on
//! the fast path is collected within `alive_sample_ms` of its arrival when a heartbeat is on.
//!
//! 5,000 cases by default; `PROPTEST_CASES` raises it.

#[path = "common/proptest_config.rs"]
mod proptest_config;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use wxsocket::core::{
    alive_sample_ms, Backoff, Config, Engine, FastDone, FastLanes, Heartbeat, Inbound, Input, Millis, Output, Overflow, Payload, QueueLimits, RequestHandle,
    RequestKey, SendOptions, TaskId, Text,
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
        heartbeat: spec.heartbeat.map(|(interval_ms, timeout_ms)| Heartbeat { interval_ms, timeout_ms, ping: Text::from("ping") }),
        queue: spec.queue,
        max_message_bytes: spec.max_message_bytes,
        start_closed: false,
    }
}

/// One engine and what it did, as a platform would see it.
struct Side {
    engine: Engine<Text>,
    /// What went to the tasks (opened, sent, closed), and what the fast path sent in its place, in order.
    outbound: Vec<String>,
    /// Everything else but the timer's arming (which differs by design: the fast path only moves
    /// deadlines later), and what the fast path delivered in its place, in order.
    inbound: Vec<String>,
    /// Every task opened so far.
    tasks: Vec<TaskId>,
    /// The lanes published after the last call (the mixed side only).
    lanes: FastLanes,
    /// What the fast path did since the last collection (the mixed side only).
    done: FastDone,
    /// Messages the mixed side delivered on the fast path and has not collected yet: the slow side takes
    /// them, through its methods, when the mixed side collects them (the slow side only).
    deferred: Vec<(TaskId, usize)>,
    /// The ids of the pending requests (id -> handle), as the platform keeps them: from the handle
    /// `request` returns to the output that settles it.
    ids: Vec<(RequestKey, RequestHandle)>,
}

impl Side {
    fn new(spec: &Spec) -> Side {
        let mut engine = Engine::new(config(spec), spec.seed, 0);
        engine.set_resend_unconfirmed(spec.resend_unconfirmed);
        let mut s = Side {
            engine,
            outbound: Vec::new(),
            inbound: Vec::new(),
            tasks: Vec::new(),
            lanes: FastLanes::default(),
            done: FastDone::default(),
            deferred: Vec::new(),
            ids: Vec::new(),
        };
        s.drain();
        s
    }

    fn drain(&mut self) {
        while let Some(o) = self.engine.poll() {
            match &o {
                Output::Open { task, .. } => {
                    self.tasks.push(*task);
                    self.outbound.push(format!("{o:?}"));
                }
                Output::Send { .. } | Output::Close { .. } | Output::Abort { .. } => self.outbound.push(format!("{o:?}")),
                Output::Timer { .. } => {}
                _ => {
                    if let Output::Resolve { request, .. } | Output::Reject { request, .. } = &o {
                        self.ids.retain(|(_, h)| h != request);
                    }
                    self.inbound.push(format!("{o:?}"));
                }
            }
        }
        self.lanes = self.engine.fast_lanes();
    }

    /// What the fast path did (mixed side), or the messages it delivered (slow side), goes in at `now`.
    fn collect(&mut self, now: Millis) {
        self.engine.collect_fast(now, std::mem::take(&mut self.done));
        for (task, len) in std::mem::take(&mut self.deferred) {
            self.engine.handle(now, Input::Frame { task, size: len, frame: Inbound::Message(Text::from("m")) });
        }
        self.drain();
    }

    /// A call into the engine at `now`: what came before it goes in first, the outputs are performed after.
    fn call(&mut self, now: Millis, f: impl FnOnce(&mut Engine<Text>)) {
        self.collect(now);
        f(&mut self.engine);
        self.drain();
    }

    fn task(&self, old: bool) -> Option<TaskId> {
        let n = self.tasks.len();
        if old { n.checked_sub(2) } else { n.checked_sub(1) }.map(|i| self.tasks[i])
    }

    /// `send` as the package does it: the fast path when its lane is open (and `fast`), else the engine.
    fn send(&mut self, now: Millis, payload: Text, options: SendOptions, fast: bool) {
        match self.lanes.send {
            Some(task) if fast => {
                self.done.sent_messages += 1;
                self.done.sent_bytes += payload.counted_len() as u64;
                self.outbound.push(format!("{:?}", Output::Send { task, payload }));
            }
            _ => self.call(now, |e| {
                let _ = e.send_with(now, payload, options);
            }),
        }
    }

    /// The pending request whose id is `key`, as src/js/inbound.js looks it up.
    fn pending(&self, key: &Option<RequestKey>) -> Option<RequestHandle> {
        let key = key.as_ref()?;
        self.ids.iter().find(|(k, _)| k == key).map(|(_, h)| *h)
    }

    /// Whether an inbound message of task `task` (`len` bytes, carrying request id `key`) may go on the
    /// fast path, as src/js/inbound.js and src/js/fast_path.js decide it.
    fn takes_fast(&self, task: TaskId, len: usize, key: &Option<RequestKey>) -> bool {
        self.lanes.receive == Some(task) && len <= self.engine.config().max_message_bytes && self.pending(key).is_none()
    }

    /// The message on the fast path: counted and delivered.
    fn fast_message(&mut self, len: usize) {
        self.done.received_messages += 1;
        self.done.received_bytes += len as u64;
        self.inbound.push(format!("{:?}", Output::Deliver(Text::from("m"))));
    }

    /// The message through the engine, as src/js/inbound.js classifies it.
    fn slow_message(&mut self, now: Millis, task: TaskId, len: usize, key: Option<RequestKey>) {
        let frame = if len > self.engine.config().max_message_bytes {
            Inbound::TooLarge
        } else {
            match self.pending(&key) {
                Some(request) => Inbound::Answer { request, reply: Text::from("m"), error: false },
                None => Inbound::Message(Text::from("m")),
            }
        };
        self.call(now, |e| e.handle(now, Input::Frame { task, size: len, frame }));
    }

    /// Everything a page or a test could read at `now` (a getter collects first).
    fn observed(&mut self, now: Millis) -> String {
        self.collect(now);
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
    let sample_ms = spec.heartbeat.map(|(interval_ms, _)| alive_sample_ms(interval_ms));
    let mut now: Millis = 0;
    let mut requests = 0u32;
    for (i, step) in steps.iter().enumerate() {
        now += 1;
        // Messages first: the mixed side decides, the slow side follows (deferred if it went fast).
        let message = match step {
            Step::Reply(n) => Some((false, 8, Some(RequestKey::from(format!("r{}", u32::from(*n) % (requests + 1)))))),
            Step::Message { len, old } => Some((*old, *len as usize, None)),
            _ => None,
        };
        if let Some((old, len, key)) = message {
            if let Some(task) = mixed.task(old) {
                if mixed.takes_fast(task, len, &key) {
                    mixed.fast_message(len);
                    slow.deferred.push((task, len));
                    if let Some(b) = sample_ms {
                        let at = mixed.engine.next_deadline();
                        prop_assert!(at.is_some_and(|at| at <= now + b), "a fast message at {} with the next collection at {:?}", now, at);
                    }
                } else {
                    mixed.slow_message(now, task, len, key.clone());
                    slow.slow_message(now, task, len, key);
                }
            }
        }
        for (side, fast) in [(&mut slow, false), (&mut mixed, true)] {
            match step {
                Step::Send(len) => side.send(now, Text("x".repeat(*len as usize)), SendOptions::default(), fast),
                Step::Volatile(len) => side.send(now, Text("v".repeat(*len as usize)), SendOptions { ttl_ms: None, volatile: true }, fast),
                Step::Request { len, timeout_ms } => {
                    let payload = Text(format!("q{requests}:{}", "q".repeat(*len as usize)));
                    let key = format!("r{requests}");
                    // Its id is kept before the outputs are performed (a rejection may come at once), as
                    // the platform does.
                    side.collect(now);
                    if let Ok(h) = side.engine.request(now, key.clone(), payload, u64::from(*timeout_ms)) {
                        side.ids.push((RequestKey::from(key), h));
                    }
                    side.drain();
                }
                Step::Pong => {
                    if let Some(task) = side.task(false) {
                        side.call(now, |e| e.handle(now, Input::Frame { task, size: 4, frame: Inbound::Pong }));
                    }
                }
                Step::Opened => {
                    if let Some(task) = side.task(false) {
                        side.call(now, |e| e.handle(now, Input::Opened { task }));
                    }
                }
                Step::Closed(code) => {
                    if let Some(task) = side.task(false) {
                        side.call(now, |e| e.handle(now, Input::Closed { task, code: *code, reason: "bye".into(), should_reconnect: true }));
                    }
                }
                Step::Error => {
                    if let Some(task) = side.task(false) {
                        side.call(now, |e| e.handle(now, Input::Failed { task, err_msg: "broken".into() }));
                    }
                }
                Step::SendFailed => {
                    if let Some(task) = side.task(false) {
                        side.call(now, |e| e.handle(now, Input::SendFailed { task, err_msg: "full".into() }));
                    }
                }
                Step::Network(online) => side.call(now, |e| e.handle(now, Input::Network { online: *online })),
                Step::Shown => side.call(now, |e| e.handle(now, Input::AppShown)),
                Step::Close => side.call(now, |e| {
                    let _ = e.close(now, 1000, "");
                }),
                Step::Reconnect => side.call(now, |e| e.reconnect(now)),
                Step::Reply(_) | Step::Message { .. } | Step::Advance(..) | Step::Getter => {}
            }
        }
        if let Step::Request { .. } = step {
            requests += 1;
        }
        if let Step::Advance(dt, buffered) = step {
            let end = now + u64::from(*dt);
            // The two agree on the next deadline once both have collected (checked below), so they fire
            // together.
            loop {
                prop_assert_eq!(slow.observed(now), mixed.observed(now), "before the next timer (step {})", i);
                let Some(at) = slow.engine.next_deadline().filter(|at| *at <= end) else { break };
                now = now.max(at);
                for side in [&mut slow, &mut mixed] {
                    let task = side.task(false);
                    side.call(now, |e| {
                        if let (Some(task), Some(b)) = (task, buffered) {
                            e.handle(now, Input::SocketBuffered { task, bytes: *b });
                        }
                        e.handle(now, Input::Timeout);
                    });
                }
            }
            now = end;
        }
        prop_assert_eq!(slow.observed(now), mixed.observed(now), "after step {} {:?}", i, step);
        prop_assert_eq!(&slow.outbound, &mixed.outbound, "sent after step {} {:?}", i, step);
        prop_assert_eq!(&slow.inbound, &mixed.inbound, "delivered and emitted after step {} {:?}", i, step);
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config::with_cases(5000))]

    /// Interleaved fast and slow inputs leave the engine as the slow inputs alone do.
    #[test]
    fn fast_and_slow_inputs_leave_the_engine_as_slow_inputs_alone(spec in spec(), steps in prop::collection::vec(step(), 0..=80)) {
        run(spec, steps)?;
    }
}

/// The property is not vacuous: in a plain run most sends and messages take the fast path, with the
/// heartbeat on too.
#[test]
fn the_fast_path_is_taken() {
    for heartbeat in [None, Some((1000, 500))] {
        let spec = Spec { seed: 7, heartbeat, queue: QueueLimits::default(), max_message_bytes: 100, resend_unconfirmed: false, reconnect: true };
        let mut side = Side::new(&spec);
        let task = side.task(false).unwrap();
        side.call(1, |e| e.handle(1, Input::Opened { task }));
        let (mut fast, mut fast_sends) = (0, 0);
        for t in 2..100 {
            fast_sends += usize::from(side.lanes.send == Some(task));
            side.send(t, Text::from("hello"), SendOptions::default(), true);
            if side.takes_fast(task, 5, &None) {
                side.fast_message(5);
                fast += 1;
            } else {
                side.slow_message(t, task, 5, None);
            }
        }
        assert_eq!(fast_sends, 98);
        assert_eq!(fast, if heartbeat.is_some() { 97 } else { 98 }, "with a heartbeat the first one opens the lane");
    }
}
