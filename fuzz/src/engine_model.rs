//! The engine driven by a sequence of steps, with its invariants checked after every step: the one
//! model and checker of the engine's invariants. Used by the `engine` fuzz target (steps decoded from
//! the fuzzer's bytes by `run`) and, through `#[path]`, by `tests/fuzz_regressions.rs` (so a crash file
//! replays natively with `cargo test`) and `tests/engine_properties.rs` (proptest builds the `Spec` and
//! the `Step`s and calls `run_steps`). Depends on nothing but `wxsocket::core` and std.
//!
//! The bytes decode into a config (small queues under each overflow policy, heartbeat on and off,
//! `reconnect: false`, `maxRetries`, `shouldReconnect`, `startClosed`, and now and then a number as
//! large as page code may pass: up to 2^53) and then into steps until the bytes run out: user calls
//! (send, request, a reply, close with valid and invalid codes, reconnect); platform events (open,
//! frame, pong, close, error, failed send) for the live task, for old tasks and for an id never handed
//! out; timers firing in order as time moves forward, a timer firing early, a frozen timer firing late
//! after a long pause (app in the background); network up/down; app hidden/shown.
//!
//! After every step:
//! - never two live tasks, and the engine's live task is the one the outputs say is live;
//! - never a `Send` to a task that is not open (opened by the platform and not closed since);
//! - the queue within its bounds, and empty while open;
//! - every `close()` on a client not closed by `close()` gives exactly one `close` event and state
//!   `closed`; on a client closed by `close()` nothing; a refused `close()` changes nothing;
//! - a timer is armed whenever the state is `waiting` with the network up, and whenever `connecting`;
//!   the platform's timer always matches `next_deadline()`, which is never later than the deadline of
//!   a pending request; a timer firing that does nothing is not armed again for a time already passed;
//! - no attempt while closed or offline except by `reconnect()`; network back means connect now;
//! - `close` events only when leaving `open` or entering `closed`, with `willReconnect` right;
//!   `state` events chain; retry numbers within `maxRetries`; delays within the backoff formula;
//! - every request settles at most once, and its frame goes out only while it is pending, at most once
//!   per task; `pendingRequests`, `stats.messagesSent` and `stats.connects` agree with the outputs;
//! - a timer that fires early changes nothing and is armed again.
//!
//! At the end of each run (liveness): a client waiting online makes an attempt within `maxDelayMs`, an
//! attempt is abandoned at its connect timeout, every request settles by its deadline. A panic
//! anywhere is a failure too.

use std::collections::{BTreeSet, HashMap};

use wxsocket::core::{
    Backoff, Config, Engine, ErrorCode, Event, Heartbeat, Inbound, Input, Millis, Output, Overflow, QueueLimits, RequestHandle,
    State, TaskId, Text,
};

/// Largest number page code can pass for a time or a size (JS options are checked against 2^53 − 1).
pub const MAX_SAFE: u64 = 9_007_199_254_740_991;

/// Most timer firings in order within one step for the fuzz target; past it the remaining time passes
/// like a frozen timer (one late firing), so tiny timeouts and delays cannot make a run endless.
/// (`run_steps` takes the cap as an argument: the property tests, whose timers are all 50 ms or more,
/// fire every timer in order.)
pub const MAX_FIRINGS_PER_STEP: usize = 500;

// ------------------------------------------------------------------------------------------------
// Reading the bytes
// ------------------------------------------------------------------------------------------------

/// A cursor over the fuzzer's bytes; reads past the end give zeros.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | (u64::from(self.u32()) << 32)
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// Uniform-ish in `lo..=hi`.
    pub fn f64_in(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (f64::from(self.u16()) / 65535.0)
    }

    /// A number of milliseconds (≥ `min`): mostly below `small`, one time in eight anything up to 2^53.
    fn ms(&mut self, min: u64, small: u64) -> u64 {
        let pick = self.u8();
        let v = if pick % 8 == 0 { self.u64() % (MAX_SAFE + 1) } else { u64::from(self.u16()) % small };
        v.max(min)
    }
}

// ------------------------------------------------------------------------------------------------
// What is decoded
// ------------------------------------------------------------------------------------------------

/// The config as decoded (kept to build the `Config` and to judge the outputs).
#[derive(Clone, Debug)]
pub struct Spec {
    pub seed: u64,
    pub connect_timeout_ms: u64,
    pub reconnect: Option<Backoff>,
    /// `shouldReconnect` answers `code < threshold`.
    pub should_reconnect_below: Option<u16>,
    pub heartbeat: Option<(u64, u64)>,
    pub queue: QueueLimits,
    pub max_message_bytes: usize,
    pub start_closed: bool,
}

impl Spec {
    pub fn decode(b: &mut Bytes) -> Spec {
        let seed = b.u64();
        let connect_timeout_ms = b.ms(1, 2000);
        let reconnect = if b.u8() % 5 == 0 {
            None
        } else {
            let min = match b.u8() % 8 {
                0 | 1 => 0.0,
                2 => b.f64_in(0.0, 1.0),
                3 => (b.u64() % (MAX_SAFE + 1)) as f64,
                _ => b.f64_in(1.0, 500.0),
            };
            let extra = match b.u8() % 8 {
                0 | 1 => 0.0,
                2 => (b.u64() % (MAX_SAFE + 1)) as f64,
                _ => b.f64_in(0.0, 3000.0),
            };
            let factor = match b.u8() % 8 {
                0 | 1 => 1.0,
                2 => 2.0,
                3 => b.f64_in(1.0, 1e300),
                _ => b.f64_in(1.0, 3.0),
            };
            let jitter = match b.u8() % 4 {
                0 => 0.0,
                1 => 1.0,
                _ => b.f64_in(0.0, 1.0),
            };
            let max_retries = match b.u8() % 4 {
                0 | 1 => None,
                2 => Some(u32::from(b.u8() % 5)),
                _ => Some(b.u32()),
            };
            let min_uptime_ms = b.ms(0, 3000);
            Some(Backoff { min_delay_ms: min, max_delay_ms: min + extra, factor, jitter, max_retries, min_uptime_ms })
        };
        let should_reconnect_below = (b.u8() % 4 == 0).then(|| 1000 + b.u16() % 4000);
        let heartbeat = b.bool().then(|| (b.ms(1, 2000), b.ms(1, 1000)));
        let overflow = match b.u8() % 3 {
            0 => Overflow::Error,
            1 => Overflow::DropOldest,
            _ => Overflow::DropNewest,
        };
        let queue = QueueLimits { max_messages: usize::from(b.u8() % 6), max_bytes: usize::from(b.u8() % 24), overflow, ..QueueLimits::default() };
        let max_message_bytes = usize::from(b.u8() % 50);
        let start_closed = b.u8() % 5 == 0;
        Spec { seed, connect_timeout_ms, reconnect, should_reconnect_below, heartbeat, queue, max_message_bytes, start_closed }
    }

    pub fn config(&self) -> Config<Text> {
        Config {
            connect_timeout_ms: self.connect_timeout_ms,
            reconnect: self.reconnect.clone(),
            heartbeat: self.heartbeat.map(|(interval_ms, timeout_ms)| Heartbeat { interval_ms, timeout_ms, ping: Text::from("ping") }),
            queue: self.queue,
            max_message_bytes: self.max_message_bytes,
            start_closed: self.start_closed,
        }
    }
}

/// Which task a platform event names.
#[derive(Clone, Copy, Debug)]
pub enum Who {
    /// The task of the latest `Open` output.
    Latest,
    /// Any task handed out so far (index modulo their number): mostly old ones.
    Any(u8),
    /// An id never handed out.
    Unknown,
}

#[derive(Clone, Debug)]
pub enum Step {
    Send(u8),
    Request { len: u8, timeout_ms: u16 },
    /// A reply to the request with this number (modulo those made; may be settled or never made).
    Reply(u8),
    Close { code: u16, reason_len: u8, multibyte: bool },
    Reconnect,
    Opened(Who),
    Frame { who: Who, len: u8, pong: bool },
    Closed { who: Who, code: u16, reason_len: u8 },
    Error(Who),
    SendFailed(Who),
    Network(bool),
    Hidden,
    Shown,
    /// Time moves forward; the timer fires at each armed deadline on the way, in order.
    Advance(u32),
    /// Time moves to the armed deadline exactly.
    ToTimer,
    /// The platform's timer fires 1 to 10 ms before the armed deadline (nothing is due yet).
    EarlyTimer(u8),
    /// The JS thread is frozen for a while (app in the background): the timer fires once, late.
    Frozen(u64),
}

impl Step {
    fn who(b: &mut Bytes) -> Who {
        match b.u8() % 10 {
            0..=5 => Who::Latest,
            6..=8 => Who::Any(b.u8()),
            _ => Who::Unknown,
        }
    }

    pub fn decode(b: &mut Bytes) -> Step {
        match b.u8() % 36 {
            0..=3 => Step::Send(b.u8() % 8),
            4..=5 => Step::Request { len: b.u8() % 8, timeout_ms: 1 + b.u16() % 4000 },
            6..=7 => Step::Reply(b.u8()),
            8 => {
                let code = match b.u8() % 10 {
                    0 => 1000,
                    1 => 3000,
                    2 => 4999,
                    3 => 999,
                    4 => 1001,
                    5 => 2999,
                    6 => 5000,
                    7 => 0,
                    _ => b.u16(),
                };
                Step::Close { code, reason_len: b.u8() % 130, multibyte: b.bool() }
            }
            9 => Step::Reconnect,
            10..=14 => Step::Opened(Step::who(b)),
            15..=17 => Step::Frame { who: Step::who(b), len: b.u8() % 60, pong: b.bool() },
            18..=20 => {
                let who = Step::who(b);
                let code = match b.u8() % 6 {
                    0 => 1000,
                    1 => 1001,
                    2 => 1006,
                    3 => 0,
                    4 => 4000,
                    _ => b.u16(),
                };
                Step::Closed { who, code, reason_len: b.u8() % 200 }
            }
            21 => Step::Error(Step::who(b)),
            22 => Step::SendFailed(Step::who(b)),
            23..=24 => Step::Network(b.bool()),
            25 => Step::Hidden,
            26 => Step::Shown,
            27..=31 => Step::Advance(match b.u8() % 8 {
                0..=3 => u32::from(b.u16()) % 300,
                4..=6 => u32::from(b.u16()) % 3000,
                _ => u32::from(b.u16()) % 60_000,
            }),
            32..=33 => Step::ToTimer,
            34 => Step::EarlyTimer(b.u8() % 10),
            _ => Step::Frozen(match b.u8() % 4 {
                0 => b.u64() % (MAX_SAFE / 4),
                _ => u64::from(b.u32()) % 3_600_000,
            }),
        }
    }
}

macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

// ------------------------------------------------------------------------------------------------
// The platform: a hand-moved clock and a one-shot timer
// ------------------------------------------------------------------------------------------------

struct Platform {
    engine: Engine<Text>,
    now: Millis,
    /// Set by `Output::Timer`, cleared when it fires.
    timer: Option<Millis>,
    /// Outputs not yet judged.
    fresh: Vec<Output<Text>>,
    /// When each of `fresh` came out; after `take()`, the times of the outputs it returned.
    fresh_at: Vec<Millis>,
    taken_at: Vec<Millis>,
    /// Most timer firings in order within one step (see `MAX_FIRINGS_PER_STEP`).
    max_firings: usize,
}

impl Platform {
    fn drain(&mut self) -> Result<(), String> {
        while let Some(out) = self.engine.poll() {
            if let Output::Timer { at } = out {
                self.timer = at;
            }
            self.fresh.push(out);
            self.fresh_at.push(self.now);
        }
        if self.timer != self.engine.next_deadline() {
            return Err(format!("platform timer {:?}, next deadline {:?}", self.timer, self.engine.next_deadline()));
        }
        Ok(())
    }

    fn take(&mut self) -> Vec<Output<Text>> {
        self.taken_at = std::mem::take(&mut self.fresh_at);
        std::mem::take(&mut self.fresh)
    }

    /// The armed timer fires at `now` (at or after its deadline). Every deadline due is handled then, so
    /// a firing that does nothing but arm the timer again arms it for later (no timer left spinning).
    fn fire(&mut self) -> Result<(), String> {
        let now = self.now;
        self.timer = None;
        let before = self.fresh.len();
        self.engine.handle(now, Input::Timeout);
        self.drain()?;
        if self.fresh[before..].iter().all(|o| matches!(o, Output::Timer { .. })) {
            if let Some(at) = self.timer.filter(|at| *at <= now) {
                return Err(format!("the timer fired at {now}, nothing was done, and it is armed again for {at}"));
            }
        }
        Ok(())
    }

    /// Fires the timer at each armed deadline up to `t`, in order, then sets the clock to `t`.
    fn advance_to(&mut self, t: Millis) -> Result<(), String> {
        check!(t >= self.now, "the clock moved back from {} to {t}", self.now);
        let mut firings = 0;
        while let Some(at) = self.timer {
            if at > t || firings == self.max_firings {
                break;
            }
            firings += 1;
            self.now = self.now.max(at);
            self.fire()?;
        }
        self.now = t;
        // What is left fires once, late (a timer that was frozen).
        if self.timer.is_some_and(|at| at <= t) {
            self.fire()?;
        }
        Ok(())
    }
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

pub struct Model {
    spec: Spec,
    p: Platform,
    tasks: HashMap<TaskId, Task>,
    /// The tasks not `Ended`, kept beside `tasks` so a run with thousands of attempts stays linear.
    live: BTreeSet<TaskId>,
    issued: Vec<TaskId>,
    /// The state as the `state` events tell it.
    state: State,
    /// Closed by `close()` and not revived by `reconnect()` since.
    closed_by_user: bool,
    online: bool,
    /// Requests not settled yet, with their reply keys and deadlines.
    pending: HashMap<RequestHandle, (String, Millis)>,
    /// Every request `request()` accepted, by its number (the number is in its payload: `q<n>:…`).
    requests: HashMap<u32, RequestHandle>,
    /// The tasks each request was sent on.
    sent_on: HashMap<RequestHandle, Vec<TaskId>>,
    /// The latest deadline of a request made (for the liveness check).
    last_request_deadline: Millis,
    requests_made: u32,
    sends: u64,
    open_events: u64,
    /// The latest attempt: its task, when it began, and whether it opened (a retry after an attempt
    /// that never opened waits its delay counted from the attempt's start).
    attempt: Option<(TaskId, Millis, bool)>,
}

/// Runs the engine on `data` (a config the engine refuses is skipped); `Err` names the broken
/// invariant, the step and the time.
pub fn run(data: &[u8]) -> Result<(), String> {
    let mut b = Bytes::new(data);
    let spec = Spec::decode(&mut b);
    if spec.config().validate().is_err() {
        return Ok(());
    }
    let steps = std::iter::from_fn(move || (!b.is_empty()).then(|| Step::decode(&mut b)));
    run_steps(&spec, steps, MAX_FIRINGS_PER_STEP)
}

/// Runs the engine with the config of `spec` through `steps`, checking every invariant after each
/// step and liveness at the end; at most `max_firings_per_step` timer firings in order per step (see
/// `MAX_FIRINGS_PER_STEP`; `usize::MAX` fires every one). A config the engine refuses is an `Err`.
/// `Err` names the broken invariant, the step and the time.
pub fn run_steps(spec: &Spec, steps: impl IntoIterator<Item = Step>, max_firings_per_step: usize) -> Result<(), String> {
    let config = spec.config();
    if let Err(e) = config.validate() {
        return Err(format!("{spec:?}: the engine refuses the config: {e}"));
    }
    let mut m = Model::new(spec.clone(), config, max_firings_per_step).map_err(|e| format!("{spec:?}: at creation: {e}"))?;
    let mut i = 0usize;
    for s in steps {
        m.step(&s).map_err(|e| format!("{spec:?}: step {i} ({s:?}) at t={}: {e}", m.p.now))?;
        i += 1;
    }
    m.check_progress().map_err(|e| format!("{spec:?}: after {i} steps, at t={}: {e}", m.p.now))
}

/// The steps `data` decodes into, for reading a crash file.
pub fn describe(data: &[u8]) -> String {
    let mut b = Bytes::new(data);
    let spec = Spec::decode(&mut b);
    let mut s = format!("{spec:?}\n");
    while !b.is_empty() {
        s.push_str(&format!("{:?}\n", Step::decode(&mut b)));
    }
    s
}

impl Model {
    fn new(spec: Spec, config: Config<Text>, max_firings: usize) -> Result<Self, String> {
        let engine = Engine::new(config, spec.seed, 0);
        let p = Platform { engine, now: 0, timer: None, fresh: Vec::new(), fresh_at: Vec::new(), taken_at: Vec::new(), max_firings };
        let state = if spec.start_closed { State::Closed } else { State::Connecting };
        let mut m = Model {
            spec,
            p,
            tasks: HashMap::new(),
            live: BTreeSet::new(),
            issued: Vec::new(),
            state,
            closed_by_user: false,
            online: true,
            pending: HashMap::new(),
            requests: HashMap::new(),
            sent_on: HashMap::new(),
            last_request_deadline: 0,
            requests_made: 0,
            sends: 0,
            open_events: 0,
            attempt: None,
        };
        m.p.drain()?;
        let out = m.p.take();
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
        self.live.iter().copied().collect()
    }

    fn set_task(&mut self, task: TaskId, state: Task) {
        self.tasks.insert(task, state);
        if state == Task::Open {
            if let Some(a) = self.attempt.as_mut().filter(|a| a.0 == task) {
                a.2 = true;
            }
        }
        if state == Task::Ended {
            self.live.remove(&task);
        } else {
            self.live.insert(task);
        }
    }

    /// Follows the outputs of one step, checking each against what came before.
    fn apply(&mut self, out: &[Output<Text>], new_request: Option<RequestHandle>, user_close: bool) -> Result<(), String> {
        // `close` events owed by state changes that left `open` or entered `closed`; an accepted
        // `close()` owes exactly one whatever its state changes.
        let mut owed = i32::from(user_close);
        for (i, o) in out.iter().enumerate() {
            let at = self.p.taken_at.get(i).copied().unwrap_or(self.p.now);
            match o {
                Output::Open { task, attempt } => {
                    check!(self.live.is_empty(), "Open {task:?} while {:?} is live", self.live());
                    check!(!self.tasks.contains_key(task), "task id {task:?} handed out twice");
                    if let Some(max) = self.spec.reconnect.as_ref().and_then(|b| b.max_retries) {
                        check!(*attempt <= max, "attempt {attempt} beyond maxRetries {max}");
                    }
                    self.set_task(*task, Task::Pending);
                    self.issued.push(*task);
                    self.attempt = Some((*task, at, false));
                }
                Output::Abort { task, reason } => {
                    check!(matches!(self.tasks.get(task), Some(Task::Open)), "Abort of {task:?}, which is {:?}", self.tasks.get(task));
                    check!(reason.len() <= 123, "aborting with a reason of {} bytes", reason.len());
                    self.set_task(*task, Task::Ended);
                }
                Output::Close { task, code, reason } => {
                    check!(matches!(self.tasks.get(task), Some(Task::Pending | Task::Open)), "Close of {task:?}, which is {:?}", self.tasks.get(task));
                    check!(*code == 1000 || (3000..=4999).contains(code), "closing with code {code}");
                    check!(reason.len() <= 123, "closing with a reason of {} bytes", reason.len());
                    self.set_task(*task, Task::Ended);
                }
                Output::Send { task, payload } => {
                    check!(self.tasks.get(task) == Some(&Task::Open), "Send to {task:?}, which is {:?}", self.tasks.get(task));
                    if payload.0 == "ping" {
                        check!(self.spec.heartbeat.is_some(), "a ping without heartbeat");
                    }
                    if let Some(number) = payload.0.strip_prefix('q').and_then(|r| r.split(':').next()) {
                        let number: u32 = number.parse().map_err(|_| format!("a request payload {:?}", payload.0))?;
                        let handle = self.requests.get(&number).copied();
                        check!(handle.is_some(), "Send of request {number}, which request() refused");
                        let handle = handle.unwrap_or(RequestHandle(0));
                        check!(self.pending.contains_key(&handle), "Send of request {number} ({handle:?}), already settled");
                        let tasks = self.sent_on.entry(handle).or_default();
                        check!(!tasks.contains(task), "request {number} sent twice on {task:?}");
                        tasks.push(*task);
                    }
                    self.sends += 1;
                }
                Output::Timer { .. } => {}
                Output::Deliver(_) | Output::Undecodable { .. } | Output::Persist(_) => {}
                Output::Resolve { request, .. } => {
                    check!(self.pending.remove(request).is_some(), "Resolve of {request:?}, which is not pending");
                }
                Output::Reject { request, code } => {
                    check!(self.pending.remove(request).is_some() || Some(*request) == new_request, "Reject of {request:?}, which is not pending");
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
                    let Some(b) = self.spec.reconnect.as_ref() else { return Err("reconnecting without a reconnect policy".into()) };
                    if let Some(max) = b.max_retries {
                        check!(*attempt <= max, "retry {attempt} beyond maxRetries {max}");
                    }
                    check!(*attempt >= 1, "retry number 0");
                    let base = if b.min_delay_ms == 0.0 {
                        0.0
                    } else {
                        (b.min_delay_ms * b.factor.powi(i32::try_from(*attempt - 1).unwrap_or(i32::MAX))).min(b.max_delay_ms)
                    };
                    // Counted from the start of an attempt that never opened.
                    let spent = match self.attempt {
                        Some((_, started, false)) => at.saturating_sub(started),
                        _ => 0,
                    };
                    let low = ((base * (1.0 - b.jitter)).floor() as u64).saturating_sub(spent);
                    let high = (base.ceil() as u64).saturating_sub(spent);
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
    fn check_state(&self) -> Result<(), String> {
        let e = &self.p.engine;
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
        check!(e.queued_count() <= q.max_messages, "{} frames queued, max {}", e.queued_count(), q.max_messages);
        check!(e.buffered_amount() <= q.max_bytes, "{} bytes queued, max {}", e.buffered_amount(), q.max_bytes);
        if state == State::Open {
            check!(e.queued_count() == 0, "frames left in the queue while open");
        }
        if state == State::Connecting || (state == State::Waiting && self.online) {
            check!(e.next_deadline().is_some(), "no timer armed while {state:?} (online: {})", self.online);
        }
        check!(self.p.timer == e.next_deadline(), "platform timer {:?}, next deadline {:?}", self.p.timer, e.next_deadline());
        check!(e.is_closed_by_user() == self.closed_by_user, "closed-by-user flag");
        if self.closed_by_user {
            check!(state == State::Closed && e.next_deadline().is_none(), "closed by close() but {state:?}, timer {:?}", e.next_deadline());
        }
        check!(e.pending_requests() == self.pending.len(), "{} pending requests, the outputs say {}", e.pending_requests(), self.pending.len());
        // The timer is armed no later than the earliest deadline of a pending request.
        if let Some(earliest) = self.pending.values().map(|(_, d)| *d).min() {
            check!(
                e.next_deadline().is_some_and(|d| d <= earliest),
                "next deadline {:?}, but a pending request is due at {earliest}",
                e.next_deadline()
            );
        }
        let stats = e.stats();
        check!(stats.messages_sent == self.sends, "messagesSent {} for {} Send outputs", stats.messages_sent, self.sends);
        check!(stats.connects == self.open_events, "connects {} for {} open events", stats.connects, self.open_events);
        check!(stats.reconnects == stats.connects.saturating_sub(1), "reconnects {}", stats.reconnects);
        if self.spec.reconnect.is_none() {
            check!(state != State::Waiting, "waiting with reconnect: false");
        }
        Ok(())
    }

    fn step(&mut self, step: &Step) -> Result<(), String> {
        let state_before = self.p.engine.state();
        let online_before = self.online;
        let now = self.p.now;
        let mut new_request = None;
        match step {
            Step::Send(len) => {
                let queued = (self.p.engine.queued_count(), self.p.engine.buffered_amount());
                let r = self.p.engine.send(now, Text("x".repeat(*len as usize)));
                self.p.drain()?;
                if self.closed_by_user {
                    check!(r == Err(ErrorCode::Closed), "send after close() gave {r:?}");
                }
                if let Err(code) = r {
                    check!(matches!(code, ErrorCode::Closed | ErrorCode::QueueFull), "send threw {code:?}");
                    check!(self.p.fresh.is_empty(), "a throwing send had outputs: {:?}", self.p.fresh);
                    check!((self.p.engine.queued_count(), self.p.engine.buffered_amount()) == queued, "a throwing send queued something");
                }
                check!(r != Ok(true) || state_before == State::Open, "send handed over while {state_before:?}");
            }
            Step::Request { len, timeout_ms } => {
                let number = self.requests_made;
                let key = format!("r{number}");
                self.requests_made += 1;
                let payload = Text(format!("q{number}:{}", "q".repeat(*len as usize)));
                let r = self.p.engine.request(now, key.clone(), payload, u64::from(*timeout_ms));
                match r {
                    Ok(handle) => {
                        check!(!self.closed_by_user, "request accepted after close()");
                        check!(!self.pending.contains_key(&handle), "request handle reused");
                        self.pending.insert(handle, (key, now.saturating_add(u64::from(*timeout_ms))));
                        self.requests.insert(number, handle);
                        self.last_request_deadline = self.last_request_deadline.max(now + u64::from(*timeout_ms));
                        new_request = Some(handle);
                    }
                    Err(code) => check!(matches!(code, ErrorCode::Closed | ErrorCode::QueueFull), "request threw {code:?}"),
                }
                self.p.drain()?;
            }
            Step::Reply(i) => {
                if let Some(task) = self.p.engine.task() {
                    // The reply to request number `n` comes in by that request's handle, pending or not (the
                    // platform's ids may hold a settled one a moment longer: the engine decides); a number no
                    // request has yet is a message.
                    let n = u32::from(*i) % (self.requests_made + 1);
                    let to = self.requests.get(&n).copied();
                    let frame = match to {
                        Some(request) => Inbound::Answer { request, reply: Text::from("reply"), error: false },
                        None => Inbound::Message(Text::from("reply")),
                    };
                    let was_pending = to.is_some_and(|h| self.pending.contains_key(&h));
                    let before = self.p.fresh.len();
                    self.p.engine.handle(now, Input::Frame { task, size: 8, frame });
                    self.p.drain()?;
                    // `apply` takes the settled request out of `pending`; here: it is the one answered.
                    for o in &self.p.fresh[before..] {
                        if let Output::Resolve { request, .. } = o {
                            check!(Some(*request) == to && was_pending, "the reply to request {n} ({to:?}) settled {request:?}");
                        }
                    }
                }
            }
            Step::Close { code, reason_len, multibyte } => {
                let unit = if *multibyte { "é" } else { "r" };
                let reason = unit.repeat(*reason_len as usize);
                let valid = (*code == 1000 || (3000..=4999).contains(code)) && reason.len() <= 123;
                let r = self.p.engine.close(now, *code, &reason);
                self.p.drain()?;
                let out = self.p.take();
                if !valid {
                    check!(r.is_err(), "close({code}, {} bytes) accepted", reason.len());
                    check!(out.is_empty(), "a refused close() had outputs: {out:?}");
                    check!(self.p.engine.state() == state_before, "a refused close() changed the state");
                } else if self.closed_by_user {
                    check!(r.is_ok() && out.is_empty(), "a second close() did something: {out:?}");
                } else {
                    check!(r.is_ok(), "close() failed: {r:?}");
                    let closes = out.iter().filter(|o| matches!(o, Output::Event(Event::Close { .. }))).count();
                    check!(closes == 1, "close() gave {closes} close events: {out:?}");
                    check!(
                        matches!(out.iter().rev().find(|o| matches!(o, Output::Event(_))), Some(Output::Event(Event::Close { .. }))),
                        "the close event is not the last event"
                    );
                    check!(self.p.engine.state() == State::Closed, "state after close()");
                    check!(self.p.engine.pending_requests() == 0, "requests left after close()");
                    check!(out.iter().all(|o| !matches!(o, Output::Open { .. } | Output::Send { .. })), "close() opened or sent: {out:?}");
                    self.closed_by_user = true;
                    self.apply(&out, None, true)?;
                    return self.check_state();
                }
                return self.finish(&out, step, state_before, online_before, None);
            }
            Step::Reconnect => {
                self.p.engine.reconnect(now);
                self.p.drain()?;
                self.closed_by_user = false;
                check!(self.p.engine.state() == State::Connecting, "reconnect() left the state {:?}", self.p.engine.state());
                check!(self.p.engine.retry_count() == 0, "reconnect() kept retry count {}", self.p.engine.retry_count());
            }
            Step::Opened(who) => {
                if let Some(task) = self.who(*who) {
                    self.p.engine.handle(now, Input::Opened { task });
                    self.p.drain()?;
                    if self.tasks.get(&task) == Some(&Task::Pending) {
                        self.set_task(task, Task::Open);
                    }
                }
            }
            Step::Frame { who, len, pong } => {
                if let Some(task) = self.who(*who) {
                    let before = self.p.fresh.len();
                    let frame = if *pong { Inbound::Pong } else { Inbound::Message(Text::from("m")) };
                    self.p.engine.handle(now, Input::Frame { task, size: *len as usize, frame });
                    self.p.drain()?;
                    let new = &self.p.fresh[before..];
                    let delivered = new.iter().filter(|o| matches!(o, Output::Deliver(_))).count();
                    let too_large =
                        new.iter().filter(|o| matches!(o, Output::Event(Event::Error { code: ErrorCode::MessageTooLarge, .. }))).count();
                    let (want_delivered, want_too_large) = if self.tasks.get(&task) != Some(&Task::Open) {
                        (0, 0)
                    } else if *len as usize > self.spec.max_message_bytes {
                        (0, 1)
                    } else {
                        (usize::from(!*pong), 0)
                    };
                    check!(
                        (delivered, too_large) == (want_delivered, want_too_large),
                        "frame of {len} bytes on {task:?} (pong: {pong}): {delivered} delivered and {too_large} too large, expected {want_delivered} and {want_too_large}"
                    );
                }
            }
            Step::Closed { who, code, reason_len } => {
                if let Some(task) = self.who(*who) {
                    let reason = "s".repeat(*reason_len as usize);
                    // `shouldReconnect` as the driver asks it, before the close goes in.
                    let should_reconnect = self.spec.should_reconnect_below.map_or(true, |below| *code < below);
                    self.p.engine.handle(now, Input::Closed { task, code: *code, reason, should_reconnect });
                    self.p.drain()?;
                    if self.tasks.contains_key(&task) {
                        self.set_task(task, Task::Ended);
                    }
                }
            }
            Step::Error(who) => {
                if let Some(task) = self.who(*who) {
                    // Long platform messages are cut for the close frame (checked in `apply`).
                    self.p.engine.handle(now, Input::Failed { task, err_msg: "ü".repeat(100) });
                    self.p.drain()?;
                }
            }
            Step::SendFailed(who) => {
                if let Some(task) = self.who(*who) {
                    self.p.engine.handle(now, Input::SendFailed { task, err_msg: "full".into() });
                    self.p.drain()?;
                }
            }
            Step::Network(online) => {
                self.p.engine.handle(now, Input::Network { online: *online });
                self.p.drain()?;
                self.online = *online;
            }
            Step::Hidden => {
                self.p.engine.handle(now, Input::AppHidden);
                self.p.drain()?;
            }
            Step::Shown => {
                self.p.engine.handle(now, Input::AppShown);
                self.p.drain()?;
            }
            Step::Advance(dt) => self.p.advance_to(now + u64::from(*dt))?,
            Step::ToTimer => {
                if let Some(at) = self.p.timer {
                    self.p.advance_to(at.max(now))?;
                }
            }
            Step::EarlyTimer(early) => {
                if let Some(at) = self.p.timer {
                    let fire = at.saturating_sub(u64::from(*early) + 1).max(now);
                    if fire < at {
                        self.p.now = fire;
                        self.p.timer = None;
                        self.p.engine.handle(fire, Input::Timeout);
                        self.p.drain()?;
                        let out = self.p.take();
                        check!(out.iter().all(|o| matches!(o, Output::Timer { .. })), "an early timer did something: {out:?}");
                        check!(self.p.timer == Some(at), "an early timer left the timer at {:?}, not {at}", self.p.timer);
                    }
                }
            }
            Step::Frozen(dt) => {
                let t = now.saturating_add(*dt);
                self.p.now = t;
                if self.p.timer.is_some_and(|at| at <= t) {
                    self.p.fire()?;
                }
            }
        }
        let out = self.p.take();
        self.finish(&out, step, state_before, online_before, new_request)
    }

    fn finish(&mut self, out: &[Output<Text>], step: &Step, state_before: State, online_before: bool, new_request: Option<RequestHandle>) -> Result<(), String> {
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

    /// Liveness at the end of a run: a client waiting with the network up makes an attempt within the
    /// longest backoff delay; an attempt that never opens is abandoned at its connect timeout; every
    /// request settles by its deadline.
    fn check_progress(&mut self) -> Result<(), String> {
        match self.p.engine.state() {
            State::Waiting if self.online => {
                let max_delay = self.spec.reconnect.as_ref().map_or(0.0, |b| b.max_delay_ms).ceil() as u64;
                let until = self.p.now.saturating_add(max_delay).saturating_add(1);
                let mut opened = false;
                // Fire in order until the attempt comes (requests may time out on the way).
                while let Some(at) = self.p.timer.filter(|at| *at <= until) {
                    self.p.now = self.p.now.max(at);
                    self.p.fire()?;
                    let out = self.p.take();
                    self.apply(&out, None, false)?;
                    if out.iter().any(|o| matches!(o, Output::Open { .. })) {
                        opened = true;
                        break;
                    }
                }
                check!(opened, "waiting online, but no attempt within {max_delay} ms");
            }
            State::Connecting => {
                let task = self.p.engine.task();
                let until = self.p.now.saturating_add(self.spec.connect_timeout_ms);
                while let Some(at) = self.p.timer.filter(|at| *at <= until) {
                    self.p.now = self.p.now.max(at);
                    self.p.fire()?;
                    let out = self.p.take();
                    self.apply(&out, None, false)?;
                    if self.p.engine.task() != task {
                        break;
                    }
                }
                check!(self.p.engine.task() != task || self.p.engine.state() != State::Connecting, "an attempt outlived its connect timeout");
            }
            _ => {}
        }
        self.check_state()?;
        // Every request settles by its deadline, whatever the connection does meanwhile.
        let until = self.last_request_deadline.max(self.p.now);
        self.p.advance_to(until)?;
        let out = self.p.take();
        self.apply(&out, None, false)?;
        check!(self.pending.is_empty(), "requests still pending past their deadlines: {:?}", self.pending);
        self.check_state()
    }
}
