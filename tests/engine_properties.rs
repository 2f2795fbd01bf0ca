#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the sans-IO engine: random configs (heartbeat on and off, `reconnect: false`,
//! `maxRetries`, `shouldReconnect`, small queues under each overflow policy, `startClosed`) driven by
//! random sequences of every input (user calls; platform events for the live task, for old tasks and
//! for ids never handed out; timers firing as time moves forward by random amounts; network up/down;
//! app hidden/shown). After every step it checks:
//! - never two live tasks, and the engine's live task is the one the outputs say is live;
//! - never a `Send` to a task that is not open (opened by the platform and not closed since);
//! - the queue within its bounds, and empty while open;
//! - every `close()` on a client not closed by `close()` gives exactly one `close` event and state
//!   `closed`; on a client closed by `close()` nothing; a refused `close()` changes nothing;
//! - a timer is armed whenever the state is `waiting` with the network up, and whenever `connecting`;
//!   the platform's timer always matches `next_deadline()`;
//! - no attempt while closed or offline except by `reconnect()`; network back means connect now;
//! - `close` events only when leaving `open` or entering `closed`, with `willReconnect` right;
//!   `state` events chain; retry numbers within `maxRetries`; delays within the backoff formula;
//! - every request settles at most once, and its frame goes out only while it is pending, at most once
//!   per task; `pendingRequests`, `stats.messagesSent` and `stats.connects` agree with the outputs;
//! - a timer that fires early changes nothing and is armed again;
//! - at the end of each run (liveness): a client waiting online makes an attempt within `maxDelayMs`,
//!   an attempt is abandoned at its connect timeout, every request settles by its deadline;
//! - no panic.
//!
//! 10,000 cases by default; `PROPTEST_CASES` raises it.

mod common;

use std::collections::HashMap;

use common::{Harness, t};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestCaseError};
use wxsocket::core::{
    Backoff, Config, ErrorCode, Event, Heartbeat, Inbound, Output, Overflow, QueueLimits, RequestHandle, ShouldReconnect, State, TaskId,
    Text,
};

// ------------------------------------------------------------------------------------------------
// What is generated
// ------------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct BackoffSpec {
    min: f64,
    extra: f64,
    factor: f64,
    jitter: f64,
    max_retries: Option<u32>,
    min_uptime: u64,
}

#[derive(Clone, Debug)]
struct Spec {
    seed: u64,
    connect_timeout_ms: u64,
    reconnect: Option<BackoffSpec>,
    /// `shouldReconnect` answers `code < threshold`.
    should_reconnect_below: Option<u16>,
    heartbeat: Option<(u64, u64)>,
    queue: (usize, usize, Overflow),
    max_message_bytes: usize,
    start_closed: bool,
}

impl Spec {
    fn backoff(&self) -> Option<Backoff> {
        self.reconnect.as_ref().map(|b| Backoff {
            min_delay_ms: b.min,
            max_delay_ms: b.min + b.extra,
            factor: b.factor,
            jitter: b.jitter,
            max_retries: b.max_retries,
            min_uptime_ms: b.min_uptime,
        })
    }

    fn config(&self) -> Config<Text> {
        let should_reconnect = self.should_reconnect_below.map(|below| Box::new(move |code: u16, _: &str| code < below) as ShouldReconnect);
        let config = Config {
            connect_timeout_ms: self.connect_timeout_ms,
            reconnect: self.backoff(),
            should_reconnect,
            heartbeat: self.heartbeat.map(|(interval_ms, timeout_ms)| Heartbeat { interval_ms, timeout_ms, ping: Text::from("ping") }),
            queue: QueueLimits { max_messages: self.queue.0, max_bytes: self.queue.1, overflow: self.queue.2 },
            max_message_bytes: self.max_message_bytes,
            start_closed: self.start_closed,
        };
        config.validate().expect("generated configs are valid");
        config
    }
}

/// Which task a platform event names.
#[derive(Clone, Copy, Debug)]
enum Who {
    /// The task of the latest `Open` output.
    Latest,
    /// Any task handed out so far (index modulo their number): mostly old ones.
    Any(u8),
    /// An id never handed out.
    Unknown,
}

#[derive(Clone, Debug)]
enum Step {
    Send(u8),
    Request { len: u8, timeout_ms: u16 },
    /// A reply to the request with this number (modulo those made; may be settled or never made).
    Reply(u8),
    Close { code: u16, reason_len: u8 },
    Reconnect,
    Opened(Who),
    Frame { who: Who, len: u8, pong: bool },
    Closed { who: Who, code: u16 },
    Error(Who),
    SendFailed(Who),
    Network(bool),
    Hidden,
    Shown,
    Advance(u32),
    /// Time moves to the armed deadline exactly.
    ToTimer,
    /// The platform's timer fires 1 to 10 ms before the armed deadline (nothing is due yet).
    EarlyTimer(u8),
}

fn spec() -> impl Strategy<Value = Spec> {
    let backoff = (
        prop_oneof![Just(0.0), 1.0..500.0f64],
        prop_oneof![Just(0.0), 0.0..3000.0f64],
        prop_oneof![Just(1.0), Just(2.0), 1.0..3.0f64],
        prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64],
        prop_oneof![Just(None), (0u32..5).prop_map(Some)],
        0u64..3000,
    )
        .prop_map(|(min, extra, factor, jitter, max_retries, min_uptime)| BackoffSpec { min, extra, factor, jitter, max_retries, min_uptime });
    (
        any::<u64>(),
        50u64..2000,
        prop_oneof![1 => Just(None), 4 => backoff.prop_map(Some)],
        prop_oneof![3 => Just(None), 1 => (1000u16..5000).prop_map(Some)],
        prop_oneof![Just(None), (50u64..2000, 50u64..1000).prop_map(Some)],
        (0usize..5, 0usize..20, prop_oneof![Just(Overflow::Error), Just(Overflow::DropOldest), Just(Overflow::DropNewest)]),
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
            .prop_map(|(code, reason_len)| Step::Close { code, reason_len }),
        1 => Just(Step::Reconnect),
        5 => who().prop_map(Step::Opened),
        3 => (who(), 0u8..60, any::<bool>()).prop_map(|(who, len, pong)| Step::Frame { who, len, pong }),
        3 => (who(), prop_oneof![Just(1000u16), Just(1001), Just(1006), Just(4000), Just(4500)]).prop_map(|(who, code)| Step::Closed { who, code }),
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

// ------------------------------------------------------------------------------------------------
// The model: what the outputs say, checked against the engine after every step
// ------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Task {
    /// An `Open` output asked for it; the platform has not reported it open.
    Pending,
    /// The platform reported it open.
    Open,
    /// Closed by an `Output::Close`, or by the platform.
    Ended,
}

struct Model {
    spec: Spec,
    h: Harness,
    tasks: HashMap<TaskId, Task>,
    issued: Vec<TaskId>,
    /// The state as the `state` events tell it.
    state: State,
    /// Closed by `close()` and not revived by `reconnect()` since.
    closed_by_user: bool,
    online: bool,
    /// Requests not settled yet, with their reply keys.
    pending: HashMap<RequestHandle, String>,
    /// Every request `request()` accepted, by its number (the number is in its payload: `q<n>:…`).
    requests: HashMap<u32, RequestHandle>,
    /// The tasks each request was sent on.
    sent_on: HashMap<RequestHandle, Vec<TaskId>>,
    requests_made: u32,
    sends: u64,
    open_events: u64,
}

macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(TestCaseError::fail(format!($($msg)+)));
        }
    };
}

impl Model {
    fn new(spec: Spec) -> Result<Self, TestCaseError> {
        let h = Harness::with_seed(spec.config(), spec.seed);
        let state = if spec.start_closed { State::Closed } else { State::Connecting };
        let mut m = Model {
            spec,
            h,
            tasks: HashMap::new(),
            issued: Vec::new(),
            state,
            closed_by_user: false,
            online: true,
            pending: HashMap::new(),
            requests: HashMap::new(),
            sent_on: HashMap::new(),
            requests_made: 0,
            sends: 0,
            open_events: 0,
        };
        let out = m.h.take();
        m.apply(&out, None, false)?;
        m.check_state()?;
        Ok(m)
    }

    fn who(&self, who: Who) -> Option<TaskId> {
        match who {
            Who::Latest => self.issued.last().copied(),
            Who::Any(i) => (!self.issued.is_empty()).then(|| self.issued[i as usize % self.issued.len()]),
            Who::Unknown => Some(TaskId(u32::MAX - 7)),
        }
    }

    fn live(&self) -> Vec<TaskId> {
        let mut live: Vec<TaskId> = self.tasks.iter().filter(|(_, s)| **s != Task::Ended).map(|(id, _)| *id).collect();
        live.sort();
        live
    }

    /// Follows the outputs of one step, checking each against what came before.
    /// `new_request` is the handle `request()` returned in this step, if any.
    /// `user_close`: the step was an accepted `close()`, which owes exactly one `close` event whatever
    /// its state changes.
    fn apply(&mut self, out: &[Output<Text>], new_request: Option<RequestHandle>, user_close: bool) -> Result<(), TestCaseError> {
        // `close` events owed by state changes that left `open` or entered `closed`.
        let mut owed = i32::from(user_close);
        for o in out {
            match o {
                Output::Open { task, attempt } => {
                    check!(self.live().is_empty(), "Open {task:?} while {:?} is live", self.live());
                    check!(!self.tasks.contains_key(task), "task id {task:?} handed out twice");
                    if let Some(max) = self.spec.reconnect.as_ref().and_then(|b| b.max_retries) {
                        check!(*attempt <= max, "attempt {attempt} beyond maxRetries {max}");
                    }
                    self.tasks.insert(*task, Task::Pending);
                    self.issued.push(*task);
                }
                Output::Close { task, code, reason } => {
                    check!(
                        matches!(self.tasks.get(task), Some(Task::Pending | Task::Open)),
                        "Close of {task:?}, which is {:?}",
                        self.tasks.get(task)
                    );
                    check!(*code == 1000 || (3000..=4999).contains(code), "closing with code {code}");
                    check!(reason.len() <= 123, "closing with a reason of {} bytes", reason.len());
                    self.tasks.insert(*task, Task::Ended);
                }
                Output::Send { task, payload } => {
                    check!(self.tasks.get(task) == Some(&Task::Open), "Send to {task:?}, which is {:?}", self.tasks.get(task));
                    if payload.0 == "ping" {
                        check!(self.spec.heartbeat.is_some(), "a ping without heartbeat");
                    }
                    if let Some(number) = payload.0.strip_prefix('q').and_then(|r| r.split(':').next()) {
                        // A request's frame goes out only while it waits for a reply, once per task.
                        let number: u32 = number.parse().expect("a request payload");
                        let handle = self.requests.get(&number).copied();
                        check!(handle.is_some(), "Send of request {number}, which request() refused");
                        let handle = handle.unwrap();
                        check!(self.pending.contains_key(&handle), "Send of request {number} ({handle:?}), already settled");
                        let tasks = self.sent_on.entry(handle).or_default();
                        check!(!tasks.contains(task), "request {number} sent twice on {task:?}");
                        tasks.push(*task);
                    }
                    self.sends += 1;
                }
                Output::Timer { .. } => {}
                Output::Reject { request, code } => {
                    check!(
                        self.pending.remove(request).is_some() || Some(*request) == new_request,
                        "Reject of {request:?}, which is not pending"
                    );
                    check!(matches!(code, ErrorCode::Timeout | ErrorCode::Closed | ErrorCode::QueueFull), "Reject with {code:?}");
                }
                Output::Event(Event::State { from, to }) => {
                    check!(*from == self.state, "state event from {from:?}, but the state was {:?}", self.state);
                    check!(from != to, "a state event that changes nothing");
                    if !user_close && (*from == State::Open || *to == State::Closed) {
                        owed += 1;
                    }
                    self.state = *to;
                }
                Output::Event(Event::Close { will_reconnect, delay_ms, .. }) => {
                    owed -= 1;
                    check!(owed >= 0, "a close event without leaving open or entering closed: {out:?}");
                    check!(*will_reconnect == (self.state != State::Closed), "willReconnect {will_reconnect} in state {:?}", self.state);
                    if !will_reconnect {
                        check!(delay_ms.is_none(), "a delay without a reconnect");
                    }
                }
                Output::Event(Event::Reconnecting { attempt, delay_ms }) => {
                    check!(self.state == State::Waiting, "reconnecting while {:?}", self.state);
                    let b = self.spec.backoff().expect("reconnecting without a reconnect policy");
                    if let Some(max) = b.max_retries {
                        check!(*attempt <= max, "retry {attempt} beyond maxRetries {max}");
                    }
                    check!(*attempt >= 1, "retry number 0");
                    let base = if b.min_delay_ms == 0.0 {
                        0.0
                    } else {
                        (b.min_delay_ms * b.factor.powi((*attempt - 1).min(5000) as i32)).min(b.max_delay_ms)
                    };
                    let low = (base * (1.0 - b.jitter)).floor() as u64;
                    let high = base.ceil() as u64;
                    check!((low..=high).contains(delay_ms), "retry {attempt} waits {delay_ms}, outside [{low}, {high}]");
                }
                Output::Event(Event::Open { .. }) => self.open_events += 1,
                Output::Event(Event::Error { .. }) => {}
            }
        }
        check!(owed == 0, "a state change that owed a close event got none: {out:?}");
        Ok(())
    }

    /// Checks that do not depend on the step.
    fn check_state(&self) -> Result<(), TestCaseError> {
        let e = &self.h.engine;
        let state = e.state();
        check!(state == self.state, "engine state {state:?}, events say {:?}", self.state);
        check!(state != State::Closing, "closing outside close()");
        let live = self.live();
        check!(live.len() <= 1, "two live tasks: {live:?}");
        check!(e.task() == live.first().copied(), "the engine's task {:?}, the outputs' {live:?}", e.task());
        match state {
            State::Connecting => check!(e.task().map(|t| self.tasks[&t]) == Some(Task::Pending), "connecting without a pending task"),
            State::Open => check!(e.task().map(|t| self.tasks[&t]) == Some(Task::Open), "open without an open task"),
            _ => check!(e.task().is_none(), "a live task while {state:?}"),
        }
        let q = &self.spec.queue;
        check!(e.queued_count() <= q.0, "{} frames queued, max {}", e.queued_count(), q.0);
        check!(e.buffered_amount() <= q.1, "{} bytes queued, max {}", e.buffered_amount(), q.1);
        if state == State::Open {
            check!(e.queued_count() == 0, "frames left in the queue while open");
        }
        if state == State::Connecting || (state == State::Waiting && self.online) {
            check!(e.next_deadline().is_some(), "no timer armed while {state:?} (online: {})", self.online);
        }
        check!(self.h.timer == e.next_deadline(), "platform timer {:?}, next deadline {:?}", self.h.timer, e.next_deadline());
        check!(e.is_closed_by_user() == self.closed_by_user, "closed-by-user flag");
        if self.closed_by_user {
            check!(state == State::Closed && e.next_deadline().is_none(), "closed by close() but {state:?}, timer {:?}", e.next_deadline());
        }
        check!(e.pending_requests() == self.pending.len(), "{} pending requests, the outputs say {}", e.pending_requests(), self.pending.len());
        let stats = e.stats();
        check!(stats.messages_sent == self.sends, "messagesSent {} for {} Send outputs", stats.messages_sent, self.sends);
        check!(stats.connects == self.open_events, "connects {} for {} open events", stats.connects, self.open_events);
        check!(stats.reconnects == stats.connects.saturating_sub(1), "reconnects {}", stats.reconnects);
        if self.spec.reconnect.is_none() {
            check!(state != State::Waiting, "waiting with reconnect: false");
        }
        Ok(())
    }

    fn step(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let state_before = self.h.engine.state();
        let online_before = self.online;
        let now = self.h.now;
        let mut new_request = None;
        match step {
            Step::Send(len) => {
                let queued = (self.h.engine.queued_count(), self.h.engine.buffered_amount());
                let logged = self.h.log.len();
                let r = self.h.engine.send(now, t(&"x".repeat(*len as usize)));
                self.h.drain();
                if self.closed_by_user {
                    check!(r == Err(ErrorCode::Closed), "send after close() gave {r:?}");
                }
                if let Err(code) = r {
                    check!(matches!(code, ErrorCode::Closed | ErrorCode::QueueFull), "send threw {code:?}");
                    check!(self.h.log.len() == logged, "a throwing send had outputs");
                    check!((self.h.engine.queued_count(), self.h.engine.buffered_amount()) == queued, "a throwing send queued something");
                }
                check!(r != Ok(true) || state_before == State::Open, "send handed over while {state_before:?}");
            }
            Step::Request { len, timeout_ms } => {
                let number = self.requests_made;
                let key = format!("r{number}");
                self.requests_made += 1;
                let payload = t(&format!("q{number}:{}", "q".repeat(*len as usize)));
                let r = self.h.engine.request(now, key.clone(), payload, u64::from(*timeout_ms));
                match r {
                    Ok(handle) => {
                        check!(!self.closed_by_user, "request accepted after close()");
                        check!(!self.pending.contains_key(&handle), "request handle reused");
                        self.pending.insert(handle, key);
                        self.requests.insert(number, handle);
                        new_request = Some(handle);
                    }
                    Err(code) => check!(matches!(code, ErrorCode::Closed | ErrorCode::QueueFull), "request threw {code:?}"),
                }
                self.h.drain();
            }
            Step::Reply(i) => {
                if let Some(task) = self.h.engine.task() {
                    let key = format!("r{}", u32::from(*i) % (self.requests_made + 1));
                    if self.h.engine.frame_received(now, task, 8) == Inbound::Decode {
                        if let Some(handle) = self.h.engine.reply_received(now, &key) {
                            let expected = self.pending.remove(&handle);
                            check!(expected.as_deref() == Some(key.as_str()), "reply {key} settled {handle:?} ({expected:?})");
                        }
                    }
                    self.h.drain();
                }
            }
            Step::Close { code, reason_len } => {
                let reason = "r".repeat(*reason_len as usize);
                let valid = (*code == 1000 || (3000..=4999).contains(code)) && reason.len() <= 123;
                let r = self.h.engine.close(now, *code, &reason);
                self.h.drain();
                let out = self.h.take();
                if !valid {
                    check!(r.is_err(), "close({code}, {} bytes) accepted", reason.len());
                    check!(out.is_empty(), "a refused close() had outputs: {out:?}");
                    check!(self.h.engine.state() == state_before, "a refused close() changed the state");
                } else if self.closed_by_user {
                    check!(r.is_ok() && out.is_empty(), "a second close() did something: {out:?}");
                } else {
                    check!(r.is_ok(), "close() failed: {r:?}");
                    let closes: Vec<_> = out.iter().filter(|o| matches!(o, Output::Event(Event::Close { .. }))).collect();
                    check!(closes.len() == 1, "close() gave {} close events: {out:?}", closes.len());
                    check!(
                        matches!(out.iter().rev().find(|o| matches!(o, Output::Event(_))), Some(Output::Event(Event::Close { .. }))),
                        "the close event is not the last event"
                    );
                    check!(self.h.engine.state() == State::Closed, "state after close()");
                    check!(self.h.engine.pending_requests() == 0, "requests left after close()");
                    check!(out.iter().all(|o| !matches!(o, Output::Open { .. } | Output::Send { .. })), "close() opened or sent: {out:?}");
                    self.closed_by_user = true;
                    self.apply(&out, None, true)?;
                    return self.check_state();
                }
                return self.finish(&out, step, state_before, online_before, None);
            }
            Step::Reconnect => {
                self.h.engine.reconnect(now);
                self.h.drain();
                self.closed_by_user = false;
                check!(self.h.engine.state() == State::Connecting, "reconnect() left the state {:?}", self.h.engine.state());
                check!(self.h.engine.retry_count() == 0, "reconnect() kept retry count {}", self.h.engine.retry_count());
            }
            Step::Opened(who) => {
                if let Some(task) = self.who(*who) {
                    self.h.engine.task_opened(now, task);
                    self.h.drain();
                    if self.tasks.get(&task) == Some(&Task::Pending) {
                        self.tasks.insert(task, Task::Open);
                    }
                }
            }
            Step::Frame { who, len, pong } => {
                if let Some(task) = self.who(*who) {
                    let verdict = self.h.engine.frame_received(now, task, *len as usize);
                    let expected = if self.tasks.get(&task) != Some(&Task::Open) {
                        Inbound::Stale
                    } else if *len as usize > self.spec.max_message_bytes {
                        Inbound::TooLarge
                    } else {
                        Inbound::Decode
                    };
                    check!(verdict == expected, "frame of {len} bytes on {task:?}: {verdict:?}, expected {expected:?}");
                    if verdict == Inbound::Decode && *pong {
                        self.h.engine.pong_received(now);
                    }
                    self.h.drain();
                }
            }
            Step::Closed { who, code } => {
                if let Some(task) = self.who(*who) {
                    self.h.engine.task_closed(now, task, *code, "server");
                    self.h.drain();
                    if self.tasks.contains_key(&task) {
                        self.tasks.insert(task, Task::Ended);
                    }
                }
            }
            Step::Error(who) => {
                if let Some(task) = self.who(*who) {
                    self.h.engine.task_error(now, task, "boom");
                    self.h.drain();
                }
            }
            Step::SendFailed(who) => {
                if let Some(task) = self.who(*who) {
                    self.h.engine.send_failed(now, task, "full");
                    self.h.drain();
                }
            }
            Step::Network(online) => {
                self.h.engine.network_changed(now, *online);
                self.h.drain();
                self.online = *online;
            }
            Step::Hidden => {
                self.h.engine.app_hidden(now);
                self.h.drain();
            }
            Step::Shown => {
                self.h.engine.app_shown(now);
                self.h.drain();
            }
            Step::Advance(dt) => self.h.advance(u64::from(*dt)),
            Step::ToTimer => {
                if let Some(at) = self.h.timer {
                    self.h.advance_to(at);
                }
            }
            Step::EarlyTimer(early) => {
                if let Some(at) = self.h.timer {
                    let fire = at.saturating_sub(u64::from(*early) + 1).max(self.h.now);
                    if fire < at {
                        self.h.now = fire;
                        self.h.timer = None;
                        self.h.engine.handle_timeout(fire);
                        self.h.drain();
                        let out = self.h.take();
                        check!(out.iter().all(|o| matches!(o, Output::Timer { .. })), "an early timer did something: {out:?}");
                        check!(self.h.timer == Some(at), "an early timer left the timer at {:?}, not {at}", self.h.timer);
                    }
                }
            }
        }
        let out = self.h.take();
        self.finish(&out, step, state_before, online_before, new_request)
    }

    fn finish(&mut self, out: &[Output<Text>], step: &Step, state_before: State, online_before: bool, new_request: Option<RequestHandle>) -> Result<(), TestCaseError> {
        self.apply(out, new_request, false)?;
        let opens = out.iter().filter(|o| matches!(o, Output::Open { .. })).count();
        let is_reconnect = matches!(step, Step::Reconnect);
        if self.closed_by_user && !is_reconnect {
            check!(out.is_empty(), "a client closed by close() did something: {out:?}");
        }
        if !is_reconnect {
            check!(opens == 0 || state_before != State::Closed, "an attempt while closed, by {step:?}");
            check!(opens == 0 || online_before || self.online, "an attempt while offline, by {step:?}");
        }
        if let Step::Network(true) = step {
            if !online_before && state_before == State::Waiting {
                check!(opens == 1, "network back while waiting gave {opens} attempts");
            }
        }
        self.check_state()
    }
}

fn run(spec: Spec, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut m = Model::new(spec)?;
    for (i, s) in steps.iter().enumerate() {
        m.step(s).map_err(|e| TestCaseError::fail(format!("step {i} ({s:?}) at t={}: {e}", m.h.now)))?;
    }
    m.check_progress().map_err(|e| TestCaseError::fail(format!("after the steps, at t={}: {e}", m.h.now)))
}

impl Model {
    /// Liveness at the end of a run: a client waiting with the network up makes an attempt within the
    /// longest backoff delay; an attempt that never opens is abandoned at its connect timeout; every
    /// request settles by its deadline.
    fn check_progress(&mut self) -> Result<(), TestCaseError> {
        let started = self.issued.len();
        match self.h.engine.state() {
            State::Waiting if self.online => {
                let max_delay = self.spec.backoff().map_or(0.0, |b| b.max_delay_ms).ceil() as u64;
                self.h.advance(max_delay + 1);
                let out = self.h.take();
                self.apply(&out, None, false)?;
                check!(self.issued.len() > started, "waiting online, but no attempt within {max_delay} ms");
            }
            State::Connecting => {
                let task = self.h.engine.task();
                self.h.advance(self.spec.connect_timeout_ms);
                let out = self.h.take();
                self.apply(&out, None, false)?;
                check!(self.h.engine.task() != task || self.h.engine.state() != State::Connecting, "an attempt outlived its connect timeout");
            }
            _ => {}
        }
        self.check_state()?;
        // Every request settles by its deadline (all are under 4 s), whatever the connection does.
        self.h.advance(4000);
        let out = self.h.take();
        self.apply(&out, None, false)?;
        check!(self.pending.is_empty(), "requests still pending past their deadlines: {:?}", self.pending);
        self.check_state()
    }
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

    /// Random configs and random input sequences keep every invariant listed at the top of the file.
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
