//! The test harness for the engine's native suites: one engine with `Text` payloads, a clock moved by
//! hand, the platform's one-shot timer, and a record of every output.
//!
//! - `advance_to(t)` hands in `Input::Timeout` at each armed deadline in order up to `t`, exactly as a
//!   platform timer would (the timer is one-shot: firing disarms it until the engine arms it again).
//! - `open()`, `server_close()`, `error()`, `frame()` play the platform's side for the live task;
//!   `server_close()` first asks `should_reconnect`, as the driver asks page code's `shouldReconnect`.
//! - `request(key, ..)` and `reply(key)` play the platform layer's part in requests: it keeps the id of
//!   every pending request (id -> handle, as src/js/inbound.js reads them), from the handle the engine
//!   hands out to the `Resolve` or `Reject` that settles it, and hands a reply in by its request's handle
//!   (`Inbound::Answer`); a frame whose id it does not hold is a `Message`.
//! - `take()` returns the outputs since the last `take()`; `log` keeps them all with their times.
#![allow(dead_code)]

use wxsocket::core::{
    Backoff, Config, Engine, ErrorCode, Event, Heartbeat, Inbound, Input, Millis, Output, Overflow, QueueLimits, RequestHandle, RequestKey,
    State, TaskId, Text,
};

/// A config for scenarios: exact delays (min 100, max 1000, factor 2, jitter 0), uptime reset after
/// 5 s, connect timeout 1 s, no heartbeat, the default queue.
pub fn config() -> Config<Text> {
    Config {
        connect_timeout_ms: 1000,
        reconnect: Some(exact_backoff()),
        heartbeat: None,
        queue: QueueLimits::default(),
        max_message_bytes: 1_048_576,
        start_closed: false,
    }
}

/// min 100, max 1000, factor 2, jitter 0, unlimited retries, minUptime 5000.
pub fn exact_backoff() -> Backoff {
    Backoff { min_delay_ms: 100.0, max_delay_ms: 1000.0, factor: 2.0, jitter: 0.0, max_retries: None, min_uptime_ms: 5000 }
}

/// A heartbeat: ping "ping" every `interval`, dead after `timeout` without a frame.
pub fn heartbeat(interval_ms: u64, timeout_ms: u64) -> Heartbeat<Text> {
    Heartbeat { interval_ms, timeout_ms, ping: Text::from("ping") }
}

/// Queue limits.
pub fn queue(max_messages: usize, max_bytes: usize, overflow: Overflow) -> QueueLimits {
    QueueLimits { max_messages, max_bytes, overflow, ..QueueLimits::default() }
}

/// A text payload.
pub fn t(s: &str) -> Text {
    Text::from(s)
}

/// What became of an inbound message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Delivered (`Output::Deliver`).
    Delivered,
    /// Dropped with a `MESSAGE_TOO_LARGE` error.
    TooLarge,
    /// Nothing: from an old task, or the client is not open.
    Ignored,
}

pub struct Harness {
    pub engine: Engine<Text>,
    /// The hand-moved clock.
    pub now: Millis,
    /// The platform's timer: set by `Output::Timer`, cleared when it fires.
    pub timer: Option<Millis>,
    /// Every output, with the time it came out.
    pub log: Vec<(Millis, Output<Text>)>,
    /// How much of `log` `take()` has returned.
    taken: usize,
    /// Page code's `reconnect.shouldReconnect`, asked by `server_close` before the engine hears of the close
    /// (with reconnect on), its answer carried in `Input::Closed`.
    pub should_reconnect: Option<Box<dyn FnMut(u16, &str) -> bool>>,
    /// The platform's ids of the pending requests (id -> handle), as `request` and the settling outputs
    /// leave them.
    pub ids: Vec<(RequestKey, RequestHandle)>,
}

impl Harness {
    /// An engine created at t = 0 with seed 1.
    pub fn new(config: Config<Text>) -> Self {
        Self::with_seed(config, 1)
    }

    pub fn with_seed(config: Config<Text>, seed: u64) -> Self {
        let engine = Engine::new(config, seed, 0);
        let mut h = Harness { engine, now: 0, timer: None, log: Vec::new(), taken: 0, should_reconnect: None, ids: Vec::new() };
        h.drain();
        h
    }

    /// Moves every output of the engine into the log, performing `Timer`s on the platform timer.
    /// Checks that the platform timer always agrees with the engine's next deadline.
    pub fn drain(&mut self) {
        while let Some(out) = self.engine.poll() {
            match out {
                Output::Timer { at } => self.timer = at,
                // Settled: the platform forgets its id.
                Output::Resolve { request, .. } | Output::Reject { request, .. } => self.ids.retain(|(_, h)| *h != request),
                _ => {}
            }
            self.log.push((self.now, out));
        }
        assert_eq!(
            self.timer,
            self.engine.next_deadline(),
            "at {}: the platform timer disagrees with the engine's next deadline",
            self.now
        );
    }

    /// The outputs since the last `take()`.
    pub fn take(&mut self) -> Vec<Output<Text>> {
        let new = self.log[self.taken..].iter().map(|(_, o)| o.clone()).collect();
        self.taken = self.log.len();
        new
    }

    /// The events since the last `take()` (and takes them, with the other outputs).
    pub fn take_events(&mut self) -> Vec<Event> {
        events(&self.take())
    }

    /// Every output so far.
    pub fn all(&self) -> Vec<Output<Text>> {
        self.log.iter().map(|(_, o)| o.clone()).collect()
    }

    /// Fires the timer at each armed deadline up to `t`, in order, then sets the clock to `t`.
    pub fn advance_to(&mut self, t: Millis) {
        assert!(t >= self.now, "the clock only moves forward");
        while let Some(at) = self.timer {
            if at > t {
                break;
            }
            self.now = self.now.max(at);
            self.timer = None;
            self.engine.handle(self.now, Input::Timeout);
            self.drain();
        }
        self.now = t;
    }

    /// `advance_to(now + dt)`.
    pub fn advance(&mut self, dt: Millis) {
        self.advance_to(self.now + dt);
    }

    /// The live task (panics when there is none).
    pub fn task(&self) -> TaskId {
        self.engine.task().expect("a live task")
    }

    /// The platform reports the live task open.
    pub fn open(&mut self) -> TaskId {
        let task = self.task();
        self.engine.handle(self.now, Input::Opened { task });
        self.drain();
        task
    }

    /// The server closes the live task.
    pub fn server_close(&mut self, code: u16, reason: &str) -> TaskId {
        let task = self.task();
        let reconnect_on = self.engine.config().reconnect.is_some();
        let should_reconnect = match self.should_reconnect.as_mut() {
            Some(ask) if reconnect_on => ask(code, reason),
            _ => true,
        };
        self.engine.handle(self.now, Input::Closed { task, code, reason: reason.into(), should_reconnect });
        self.drain();
        task
    }

    /// The live task reports an error.
    pub fn error(&mut self, err_msg: &str) -> TaskId {
        let task = self.task();
        self.engine.handle(self.now, Input::Failed { task, err_msg: err_msg.into() });
        self.drain();
        task
    }

    /// A message of `len` bytes arrives on the live task: what became of it.
    pub fn frame(&mut self, len: usize) -> Fate {
        let task = self.task();
        self.frame_on(task, len)
    }

    /// A message of `len` bytes arrives on `task` (live or not): what became of it.
    pub fn frame_on(&mut self, task: TaskId, len: usize) -> Fate {
        let before = self.log.len();
        self.engine.handle(self.now, Input::Frame { task, size: len, frame: Inbound::Message(t("frame")) });
        self.drain();
        let new = &self.log[before..];
        if new.iter().any(|(_, o)| matches!(o, Output::Deliver(_))) {
            Fate::Delivered
        } else if new.iter().any(|(_, o)| matches!(o, Output::Event(Event::Error { code: ErrorCode::MessageTooLarge, .. }))) {
            Fate::TooLarge
        } else {
            Fate::Ignored
        }
    }

    /// A pong arrives on the live task.
    pub fn pong(&mut self) {
        let task = self.task();
        self.engine.handle(self.now, Input::Frame { task, size: 4, frame: Inbound::Pong });
        self.drain();
    }

    /// `request(data)` with id `key`, as the platform layer makes it: refused (`INVALID_OPTION`) while a
    /// request with that id is pending; else registered in the engine and its id kept with its handle.
    pub fn request(&mut self, key: impl Into<RequestKey>, payload: &str, timeout_ms: u64) -> Result<RequestHandle, ErrorCode> {
        let key = key.into();
        if self.engine.has_pending_request(&key) {
            return Err(ErrorCode::InvalidOption);
        }
        let r = self.engine.request(self.now, key.clone(), t(payload), timeout_ms);
        if let Ok(h) = r {
            self.ids.push((key, h));
        }
        self.drain();
        r
    }

    /// A frame with id `key` arrives on the live task, handed in as the platform layer does: by its
    /// request's handle when the id is pending, else as a message. The request it settled, if any.
    pub fn reply(&mut self, key: impl Into<RequestKey>) -> Option<RequestHandle> {
        let key = key.into();
        let frame = match self.ids.iter().find(|(k, _)| *k == key) {
            Some((_, request)) => Inbound::Answer { request: *request, reply: t("reply"), error: false },
            None => Inbound::Message(t("reply")),
        };
        self.answer(frame)
    }

    /// The platform hands `frame` in on the live task: the request it settled, if any.
    pub fn answer(&mut self, frame: Inbound<Text>) -> Option<RequestHandle> {
        let task = self.task();
        let before = self.log.len();
        self.engine.handle(self.now, Input::Frame { task, size: 8, frame });
        self.drain();
        self.log[before..].iter().find_map(|(_, o)| if let Output::Resolve { request, .. } = o { Some(*request) } else { None })
    }

    pub fn send(&mut self, s: &str) -> Result<bool, ErrorCode> {
        let r = self.engine.send(self.now, t(s));
        self.drain();
        r
    }

    pub fn close(&mut self, code: u16, reason: &str) -> Result<(), wxsocket::core::Error> {
        let r = self.engine.close(self.now, code, reason);
        self.drain();
        r
    }

    pub fn reconnect(&mut self) {
        self.engine.reconnect(self.now);
        self.drain();
    }

    pub fn network(&mut self, online: bool) {
        self.engine.handle(self.now, Input::Network { online });
        self.drain();
    }

    pub fn app_hidden(&mut self) {
        self.engine.handle(self.now, Input::AppHidden);
        self.drain();
    }

    pub fn app_shown(&mut self) {
        self.engine.handle(self.now, Input::AppShown);
        self.drain();
    }

    pub fn state(&self) -> State {
        self.engine.state()
    }

    /// Times at which an `Open` output came out.
    pub fn open_times(&self) -> Vec<Millis> {
        self.log.iter().filter(|(_, o)| matches!(o, Output::Open { .. })).map(|(at, _)| *at).collect()
    }

    /// Number of `Open` outputs so far.
    pub fn opens(&self) -> usize {
        self.open_times().len()
    }
}

/// The events among some outputs.
pub fn events(outputs: &[Output<Text>]) -> Vec<Event> {
    outputs.iter().filter_map(|o| if let Output::Event(e) = o { Some(e.clone()) } else { None }).collect()
}

/// The error codes among some outputs' events.
pub fn error_codes(outputs: &[Output<Text>]) -> Vec<ErrorCode> {
    events(outputs).into_iter().filter_map(|e| if let Event::Error { code, .. } = e { Some(code) } else { None }).collect()
}

/// The messages of the error events among some outputs.
pub fn error_messages(outputs: &[Output<Text>]) -> Vec<String> {
    events(outputs).into_iter().filter_map(|e| if let Event::Error { message, .. } = e { Some(message) } else { None }).collect()
}

/// The `close` events among some outputs.
pub fn close_events(outputs: &[Output<Text>]) -> Vec<Event> {
    events(outputs).into_iter().filter(|e| matches!(e, Event::Close { .. })).collect()
}

/// The `state` changes among some outputs.
pub fn states(outputs: &[Output<Text>]) -> Vec<(State, State)> {
    events(outputs).into_iter().filter_map(|e| if let Event::State { from, to } = e { Some((from, to)) } else { None }).collect()
}

/// The text of the frames sent to `task` among some outputs.
pub fn sent_to(outputs: &[Output<Text>], task: TaskId) -> Vec<String> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Send { task: t, payload } if *t == task => Some(payload.0.clone()),
            _ => None,
        })
        .collect()
}

/// The text of every frame sent among some outputs.
pub fn sent(outputs: &[Output<Text>]) -> Vec<String> {
    outputs.iter().filter_map(|o| if let Output::Send { payload, .. } = o { Some(payload.0.clone()) } else { None }).collect()
}

/// The `Close` outputs (tasks closed by the engine) among some outputs: (task, code, reason).
pub fn task_closes(outputs: &[Output<Text>]) -> Vec<(TaskId, u16, String)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Close { task, code, reason } => Some((*task, *code, reason.clone())),
            _ => None,
        })
        .collect()
}

/// The delays of the `reconnecting` events among some outputs.
pub fn reconnect_delays(outputs: &[Output<Text>]) -> Vec<u64> {
    events(outputs).into_iter().filter_map(|e| if let Event::Reconnecting { delay_ms, .. } = e { Some(delay_ms) } else { None }).collect()
}

/// Position of the first output matching `f`.
pub fn position(outputs: &[Output<Text>], f: impl Fn(&Output<Text>) -> bool) -> Option<usize> {
    outputs.iter().position(f)
}
