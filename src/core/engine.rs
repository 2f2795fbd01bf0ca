//! The connection engine: every rule of docs/contract.md that is not IO.
//!
//! The platform layer hands each platform input to [`Engine::handle`] with the current time (an [`Input`]:
//! a task opened, a frame arrived, the timer fired, …); page code's calls are methods (`send`, `close`, …).
//! After either, it drains [`Engine::poll`] and performs each [`Output`] in order: open a task, send a
//! frame, close a task, arm the one timer, emit an event, reject a request.
//!
//! ```
//! use wxsocket::core::{Config, Engine, Event, Input, Output, State, Text};
//! let mut engine: Engine<Text> = Engine::new(Config::default(), 1, 0);
//! let task = match engine.poll() { Some(Output::Open { task, .. }) => task, other => panic!("{other:?}") };
//! assert_eq!(engine.send(5, Text::from("queued")), Ok(false)); // not open yet: queued
//! engine.handle(10, Input::Opened { task });
//! let outputs: Vec<_> = std::iter::from_fn(|| engine.poll()).collect();
//! assert!(outputs.iter().any(|o| matches!(o, Output::Send { payload, .. } if payload.0 == "queued")));
//! assert!(outputs.iter().any(|o| matches!(o, Output::Event(Event::Open { reconnected: false, .. }))));
//! assert_eq!(engine.state(), State::Open);
//! ```

use std::collections::VecDeque;

use super::backoff::{Backoff, Rng};
use super::error::{Error, ErrorCode};
use super::defaults::PERSIST_WITHIN_MS;
use super::heartbeat::{RoundTrip, Sent, SocketBuffer, Unconfirmed, Uplink, MAX_ADAPTIVE_TIMEOUT_MS};
use super::input::Input;
use super::outbox::{Restored, Snapshot, StoredFrame};
use super::queue::{Pushed, Queue, QueueLimits, Queued};
use super::text::{cat, num};
use super::validate::check_close;

// The fast path reads and moves the engine's own fields: a child module.
#[path = "fast_path.rs"]
mod fast_path;
pub use fast_path::{alive_sample_ms, FastBlock, FastDone, FastLanes};
use fast_path::AliveSampling;

/// Round trips an opening handshake takes at least: TCP's, then the HTTP upgrade's (TLS adds more).
const HANDSHAKE_ROUND_TRIPS: u64 = 2;

/// Milliseconds on a monotonic clock chosen by the caller.
pub type Millis = u64;

/// A frame as the engine sees it: something with a size. The platform layer picks the type
/// (a JS string or buffer in the browser, `String`/`Vec<u8>` natively).
pub trait Payload: Clone {
    /// Size in bytes (UTF-8 bytes for text): what the queue's byte bound and `bufferedAmount` count.
    fn byte_len(&self) -> usize;

    /// Size for the `Stats` byte counters. By default `byte_len`; a payload whose exact size costs a
    /// scan on every frame may give a cheaper measure here.
    fn counted_len(&self) -> usize {
        self.byte_len()
    }
}

/// A text payload for native use and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text(pub String);

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.to_owned())
    }
}

impl Payload for Text {
    fn byte_len(&self) -> usize {
        self.0.len()
    }
}

/// The client's state (`state` property).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// An attempt is under way.
    Connecting,
    /// A task is open.
    Open,
    /// `close()` is closing the live task (seen only inside `close()`'s `state` events).
    Closing,
    /// Between attempts: a retry is scheduled, or the network is down.
    Waiting,
    /// Not connecting and not going to until `reconnect()`.
    Closed,
}

impl State {
    /// The name page code sees.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Connecting => "connecting",
            State::Open => "open",
            State::Closing => "closing",
            State::Waiting => "waiting",
            State::Closed => "closed",
        }
    }
}

/// Names one platform task. A later task has a larger id, so late callbacks of an old task are recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub u32);

/// Names one pending request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestHandle(pub u32);

/// Heartbeat settings; `ping` is the frame sent every interval.
#[derive(Clone, Debug)]
pub struct Heartbeat<P> {
    /// Time between pings while nothing arrives.
    pub interval_ms: u64,
    /// How long to wait for a pong (or any frame) after a ping.
    pub timeout_ms: u64,
    /// The ping frame.
    pub ping: P,
}

/// Per-frame options of `send(data, { ttlMs, volatile })`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// How long the frame may wait in the queue; `None`: `queue.ttlMs`.
    pub ttl_ms: Option<u64>,
    /// Send only if open now; never queued.
    pub volatile: bool,
}

/// Everything the engine needs to know about the options.
pub struct Config<P> {
    /// `connectTimeoutMs`.
    pub connect_timeout_ms: u64,
    /// `reconnect`; `None` is `reconnect: false`. Its `shouldReconnect` is not here: the caller asks it
    /// before handing a close in ([`Input::Closed`]), so the engine never calls page code.
    pub reconnect: Option<Backoff>,
    /// `heartbeat`; `None` is `heartbeat: false`.
    pub heartbeat: Option<Heartbeat<P>>,
    /// `queue`.
    pub queue: QueueLimits,
    /// `maxMessageBytes`.
    pub max_message_bytes: usize,
    /// `startClosed`.
    pub start_closed: bool,
}

impl<P> Default for Config<P> {
    fn default() -> Self {
        use super::defaults as d;
        Config {
            connect_timeout_ms: d::CONNECT_TIMEOUT_MS,
            reconnect: Some(Backoff::default()),
            heartbeat: None,
            queue: QueueLimits::default(),
            max_message_bytes: d::MAX_MESSAGE_BYTES,
            start_closed: d::START_CLOSED,
        }
    }
}

impl<P> Config<P> {
    /// Checks the numbers; the message names the option.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |m: String| Err(Error::new(ErrorCode::InvalidOption, m));
        if self.connect_timeout_ms == 0 {
            return invalid("connectTimeoutMs must be a positive number".into());
        }
        if let Some(b) = &self.reconnect {
            if let Err(m) = b.validate() {
                return invalid(m);
            }
        }
        if let Some(h) = &self.heartbeat {
            if h.interval_ms == 0 || h.timeout_ms == 0 {
                return invalid("heartbeat.intervalMs and heartbeat.timeoutMs must be positive numbers".into());
            }
        }
        Ok(())
    }
}

/// Counters (`stats` property).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Tasks that opened.
    pub connects: u64,
    /// Tasks that opened after the first one.
    pub reconnects: u64,
    /// Frames handed to a task.
    pub messages_sent: u64,
    /// Frames received (pongs and replies included).
    pub messages_received: u64,
    /// Bytes handed to a task.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
    /// Frames dropped: queue overflow, expired lifetimes, volatile sends while not open, oversized inbound
    /// frames, and frames a lost connection took with it unconfirmed (`UNCONFIRMED_LOST`, when they are not
    /// re-sent).
    pub dropped: u64,
    /// Time from the last ping to its pong.
    pub last_rtt_ms: Option<u64>,
}

/// Something page code hears about.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Every state change.
    State {
        /// Before.
        from: State,
        /// After.
        to: State,
    },
    /// A task opened, after the queue was flushed.
    Open {
        /// Retries it took since the last reset (0: the first try).
        attempt: u32,
        /// True when an earlier task had opened before.
        reconnected: bool,
    },
    /// The client left `open`, or entered `closed`.
    Close {
        /// Close code as reported (0 or 1006 where the platform gives none).
        code: u16,
        /// Close reason as reported.
        reason: String,
        /// True when another attempt will come by itself.
        will_reconnect: bool,
        /// Delay before that attempt, when known.
        delay_ms: Option<u64>,
    },
    /// A retry was scheduled.
    Reconnecting {
        /// Retry number since the last reset (1 = first retry).
        attempt: u32,
        /// Delay before it.
        delay_ms: u64,
    },
    /// Something failed (see [`ErrorCode`]).
    Error {
        /// What.
        code: ErrorCode,
        /// Explanation.
        message: String,
        /// The platform's errMsg, when it gave one.
        err_msg: Option<String>,
        /// How many frames, for the errors about frames not delivered: `UNCONFIRMED_LOST`, `EXPIRED`, and
        /// `QUEUE_FULL` after a restore.
        count: Option<u64>,
    },
}

/// One thing for the platform layer to do, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Output<P> {
    /// Open a task (resolve the URL, call `connectSocket`/`new WebSocket`).
    Open {
        /// Its id; pass it back with every callback of that task.
        task: TaskId,
        /// Retries since the last reset (0: first try).
        attempt: u32,
    },
    /// Hand a frame to an open task.
    Send {
        /// Which task.
        task: TaskId,
        /// The frame.
        payload: P,
    },
    /// Drop a task without a closing handshake: the link is taken as dead, so a close frame would never
    /// be answered (npm `ws` would keep the socket for 30 s waiting). Its later callbacks are ignored.
    Abort {
        /// Which task.
        task: TaskId,
        /// Why (for logs; at most 123 bytes).
        reason: String,
    },
    /// Close a task. Its later callbacks are ignored.
    Close {
        /// Which task.
        task: TaskId,
        /// Close code (1000 or 3000–4999).
        code: u16,
        /// Reason.
        reason: String,
    },
    /// The earliest deadline changed: arm the timer for it (`None`: cancel it).
    Timer {
        /// When to hand in [`Input::Timeout`](super::Input::Timeout).
        at: Option<Millis>,
    },
    /// Emit an event to listeners.
    Event(Event),
    /// Deliver a message to `message` listeners.
    Deliver(P),
    /// Settle a pending request with its reply: resolve, or reject with `REMOTE_ERROR` (`error`).
    Resolve {
        /// Which.
        request: RequestHandle,
        /// The reply.
        reply: P,
        /// An error reply.
        error: bool,
    },
    /// A text frame that is not JSON: emit a `DECODE` error carrying it as `raw`.
    Undecodable {
        /// The text.
        raw: P,
        /// The error's message.
        message: String,
    },
    /// Write this snapshot of the queue to storage under the `queue.persist` key, replacing what is there
    /// (at most [`PERSIST_WITHIN_MS`] after the change it records). A failure goes to `storage_failed`.
    Persist(Snapshot<P>),
    /// Reject a pending request.
    Reject {
        /// Which.
        request: RequestHandle,
        /// `TIMEOUT`, `CLOSED` or `QUEUE_FULL`.
        code: ErrorCode,
    },
}

/// The id a request carries (`requestIdField`): numbers and strings kept apart, `7` is not `"7"`. The engine
/// keeps it with the pending request for the id rules (`has_pending_request`: a second pending request with
/// the same id is refused, fresh ids skip pending ones); a reply comes in by its request's handle
/// ([`Inbound::Answer`]), matched by the platform layer, which keeps the same ids (id -> handle) for each
/// pending request.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestKey {
    /// A number id (NaN matches nothing).
    Number(f64),
    /// A string id.
    Text(String),
}

impl From<&str> for RequestKey {
    fn from(s: &str) -> Self {
        RequestKey::Text(s.to_owned())
    }
}

impl From<String> for RequestKey {
    fn from(s: String) -> Self {
        RequestKey::Text(s)
    }
}

impl From<u64> for RequestKey {
    fn from(n: u64) -> Self {
        RequestKey::Number(n as f64)
    }
}

/// An inbound frame as the platform layer decoded and classified it, once, as it arrived (src/js/inbound.js).
/// A frame over `maxMessageBytes` is not decoded: it comes as `TooLarge`.
#[derive(Clone, Debug, PartialEq)]
pub enum Inbound<P> {
    /// The heartbeat's pong (the `pong` text, or what `isPong` accepted).
    Pong,
    /// A message (decoded; binary as it is).
    Message(P),
    /// A reply to the pending request `request`: the platform layer found the frame's id (`requestIdField`)
    /// among the ids of the pending requests, which it keeps (id -> handle, from the moment a handle is
    /// handed out to the moment the request settles). It settles that request (resolve, or reject with
    /// `REMOTE_ERROR` when `error`); it is an ordinary message when the request is no longer pending
    /// (settled, timed out or rejected meanwhile). A frame whose id no request waits for is a `Message`.
    Answer {
        /// The request it answers.
        request: RequestHandle,
        /// The decoded reply.
        reply: P,
        /// An error reply.
        error: bool,
    },
    /// Text that is not JSON: a `DECODE` error, nothing delivered. The event carries the text as `raw` (the
    /// parser's own description is not handed in: it would be a second crossing for a string the text holds).
    Undecodable {
        /// The text.
        raw: P,
    },
    /// Over `maxMessageBytes`: dropped with a `MESSAGE_TOO_LARGE` error, never decoded.
    TooLarge,
}

#[derive(Debug)]
struct Pending<P> {
    handle: RequestHandle,
    /// Its id, for the id rules only (`has_pending_request`): replies come in by `handle`.
    key: RequestKey,
    payload: P,
    deadline: Millis,
    /// The task it was last sent on; `None` while it waits in the queue.
    sent_on: Option<TaskId>,
    /// When it was last handed to a task (its reply's round trip is a sample for the heartbeat).
    sent_at: Option<Millis>,
}

#[derive(Debug, Clone, Copy)]
struct Live {
    id: TaskId,
    opened_at: Option<Millis>,
    /// When the attempt began: a retry after a failed attempt waits its delay counted from here.
    started_at: Millis,
}

/// How a task ended, for [`Engine::lose_task`].
struct Loss {
    code: u16,
    reason: String,
    /// `false`: the client stops here whatever the reconnect policy says (`shouldReconnect` answered no,
    /// or the platform refused a fixed URL).
    may_retry: bool,
    /// Whether the engine must close the task itself.
    close_task: bool,
    /// Whether that close is an abort (the link is dead: no closing handshake).
    abort: bool,
}

/// The sans-IO connection engine.
pub struct Engine<P: Payload> {
    cfg: Config<P>,
    rng: Rng,
    now: Millis,
    state: State,
    closed_by_user: bool,
    task: Option<Live>,
    next_task: u32,
    retry_count: u32,
    online: bool,
    connect_deadline: Option<Millis>,
    retry_at: Option<Millis>,
    ping_at: Option<Millis>,
    pong_deadline: Option<Millis>,
    uptime_reset_at: Option<Millis>,
    /// The measured round trip (kept across connections: it is the same path to the same server).
    round_trip: RoundTrip,
    /// Data frames of the live task the server has not confirmed yet (only with a heartbeat: the pongs
    /// confirm them).
    unconfirmed: Unconfirmed<P>,
    /// Frames a lost connection took with it unconfirmed, to go first on the next one (only with
    /// `resend_unconfirmed`).
    resend: VecDeque<Sent<P>>,
    resend_unconfirmed: bool,
    /// The live task's socket buffer as it bears on the heartbeat's verdict.
    socket_buffer: SocketBuffer,
    /// The client's own backlog on the uplink, which a ping waits behind.
    uplink: Uplink,
    /// How long the ping in flight is waited for: the pong timeout plus its backlog's share.
    pong_wait: u64,
    /// With a heartbeat: the sampling of frames delivered on the fast path (src/core/fast_path.rs).
    alive_sampling: AliveSampling,
    queue: Queue<P>,
    pending: Vec<Pending<P>>,
    /// The earliest deadline in `pending` (`None` when it is empty), so `next_deadline` (called after
    /// every send) does not scan the requests: lowered on insert, recomputed only when the request
    /// holding it leaves (see `request_left`), cleared when they all go.
    request_deadline: Option<Millis>,
    next_request: u32,
    next_request_id: u64,
    /// The last id given by `fresh_message_id` (`messageIdField`); restored from the outbox.
    last_message_id: u64,
    /// When the queue is next written to storage (`queue.persist`); one deadline for any number of changes.
    persist_at: Option<Millis>,
    stats: Stats,
    out: VecDeque<Output<P>>,
    armed: Option<Millis>,
}

impl<P: Payload> Engine<P> {
    /// A new engine. Unless `start_closed`, its first output opens a task.
    pub fn new(cfg: Config<P>, seed: u64, now: Millis) -> Self {
        let start_closed = cfg.start_closed;
        let queue = Queue::new(cfg.queue);
        let mut engine = Engine {
            cfg,
            rng: Rng::new(seed),
            now,
            state: State::Closed,
            closed_by_user: false,
            task: None,
            next_task: 0,
            retry_count: 0,
            online: true,
            connect_deadline: None,
            retry_at: None,
            ping_at: None,
            pong_deadline: None,
            uptime_reset_at: None,
            round_trip: RoundTrip::default(),
            unconfirmed: Unconfirmed::default(),
            resend: VecDeque::new(),
            resend_unconfirmed: false,
            socket_buffer: SocketBuffer::default(),
            uplink: Uplink::default(),
            pong_wait: 0,
            alive_sampling: AliveSampling::default(),
            queue,
            pending: Vec::new(),
            request_deadline: None,
            next_request: 0,
            next_request_id: 0,
            last_message_id: 0,
            persist_at: None,
            stats: Stats::default(),
            out: VecDeque::new(),
            armed: None,
        };
        if !start_closed {
            engine.state = State::Connecting;
            engine.begin_attempt();
            engine.rearm();
        }
        engine
    }

    // ---------- reading ----------

    /// The next thing to do, in order.
    pub fn poll(&mut self) -> Option<Output<P>> {
        self.out.pop_front()
    }

    /// The earliest deadline, if any. O(1): the requests' earliest deadline is kept up to date.
    pub fn next_deadline(&self) -> Option<Millis> {
        [
            self.connect_deadline,
            self.retry_at,
            self.ping_at,
            self.pong_deadline,
            self.uptime_reset_at,
            self.request_deadline,
            self.persist_at,
            self.alive_sampling.deadline(),
        ]
            .into_iter()
            .flatten()
            .min()
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Retries since the last reset.
    pub fn retry_count(&self) -> u32 {
        self.retry_count
    }

    /// Frames in the queue, and frames of a lost connection waiting to be re-sent.
    pub fn queued_count(&self) -> usize {
        self.queue.len() + self.resend.len()
    }

    /// Bytes in the queue, and in frames waiting to be re-sent.
    pub fn buffered_amount(&self) -> usize {
        self.queue.bytes() + self.resend.iter().map(|s| s.payload.byte_len()).sum::<usize>()
    }

    /// Data frames handed to the live task that no pong or reply has confirmed yet (with a heartbeat).
    pub fn unconfirmed_count(&self) -> usize {
        self.unconfirmed.len()
    }

    /// How long the heartbeat waits for a pong now: `max(timeoutMs, srtt + 4·rttvar)` (see
    /// `heartbeat::RoundTrip`); `None` without a heartbeat.
    pub fn pong_timeout_ms(&self) -> Option<u64> {
        self.cfg.heartbeat.as_ref().map(|h| self.round_trip.timeout(h.timeout_ms))
    }

    /// How long the ping in flight is waited for: the pong timeout plus the share of the backlog the
    /// client sent ahead of it (see `heartbeat::Uplink`), at most `MAX_ADAPTIVE_TIMEOUT_MS` (or the pong
    /// timeout, when larger); `None` without a ping in flight.
    pub fn pong_wait_ms(&self) -> Option<u64> {
        self.unconfirmed.ping_in_flight().then_some(self.pong_wait)
    }

    /// At-least-once sends: frames a lost connection took with it unconfirmed are sent again first, in
    /// order, on the next connection, instead of being counted in `stats.dropped` and reported as
    /// `UNCONFIRMED_LOST`. Off by default; needs a heartbeat (its pongs are the confirmations). The
    /// server may then see a frame twice: `messageIdField` lets it drop duplicates.
    pub fn set_resend_unconfirmed(&mut self, on: bool) {
        self.resend_unconfirmed = on;
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Requests waiting for a reply.
    pub fn pending_requests(&self) -> usize {
        self.pending.len()
    }

    /// The live task, if any.
    pub fn task(&self) -> Option<TaskId> {
        self.task.map(|t| t.id)
    }

    /// The options.
    pub fn config(&self) -> &Config<P> {
        &self.cfg
    }

    /// True after `close()` (and before `reconnect()`).
    pub fn is_closed_by_user(&self) -> bool {
        self.closed_by_user
    }

    /// True while a request registered under `key` awaits its reply (contract: request ids: a second
    /// pending request with the same id is refused, and fresh ids skip pending ones).
    pub fn has_pending_request(&self, key: &RequestKey) -> bool {
        self.pending.iter().any(|p| p.key == *key)
    }

    /// A fresh request id (1, 2, 3, …) for requests that carry none; the caller skips one whose key is
    /// pending (`has_pending_request`).
    pub fn fresh_request_id(&mut self) -> u64 {
        self.next_request_id += 1;
        self.next_request_id
    }

    // ---------- page code ----------

    /// `send`: `Ok(true)` when handed to the open task now, `Ok(false)` when queued or dropped by
    /// `drop-newest`. `Err(Closed)` after `close()`, `Err(QueueFull)` under `overflow: 'error'`;
    /// an error queues nothing.
    pub fn send(&mut self, now: Millis, payload: P) -> Result<bool, ErrorCode> {
        self.send_with(now, payload, SendOptions::default())
    }

    /// `send(data, { ttlMs, volatile })`. A volatile frame goes out only if the client is open now;
    /// otherwise it is dropped (counted in `stats.dropped`, no event) and `Ok(false)` returned. A queued
    /// frame lives `ttl_ms`, or `queue.ttlMs` when it has none, and is dropped at the flush after that.
    pub fn send_with(&mut self, now: Millis, payload: P, options: SendOptions) -> Result<bool, ErrorCode> {
        self.tick(now);
        if self.closed_by_user {
            return Err(ErrorCode::Closed);
        }
        if options.volatile && self.state != State::Open {
            self.stats.dropped += 1;
            return Ok(false);
        }
        let expires_at = options.ttl_ms.or(self.cfg.queue.ttl_ms).map(|ttl| self.now.saturating_add(ttl));
        let sent = self.send_or_queue(payload, None, expires_at)?;
        self.rearm();
        Ok(sent)
    }

    /// A fresh message id for `messageIdField`: 1, 2, 3, … for this client, continuing after the ids of a
    /// restored outbox, so a server can drop a message it has seen (a re-send after a reconnect or a
    /// relaunch). With `queue.persist` the counter is stored with the queue.
    pub fn fresh_message_id(&mut self, now: Millis) -> u64 {
        self.tick(now);
        self.last_message_id += 1;
        self.queue_changed();
        self.rearm();
        self.last_message_id
    }

    /// The stored outbox of an earlier client with the same key (`queue.persist`): its frames go before
    /// anything queued since, in order, under the queue's bounds and overflow policy (what does not fit
    /// is dropped and counted in `stats.dropped`); message ids continue after its counter. Emits nothing: the
    /// caller reports `Restored::dropped` with [`Engine::restore_dropped`] after the engine's first outputs
    /// (the package's emitter holds what the constructor emits until page code can have listeners).
    pub fn restore(&mut self, now: Millis, snapshot: Snapshot<P>) -> Restored {
        self.tick(now);
        self.last_message_id = self.last_message_id.max(snapshot.next_message_id.saturating_sub(1));
        let newer = self.queue.take_all();
        let mut restored = Restored::default();
        // The stored frames first, then the ones queued since (two loops rather than a chained iterator:
        // less code in the module).
        for f in snapshot.frames {
            let bytes = f.payload.byte_len();
            self.readmit(&mut restored, Queued { payload: f.payload, bytes, request: None, expires_at: f.expires_at }, true);
        }
        for q in newer {
            let bytes = q.payload.byte_len();
            self.readmit(&mut restored, Queued { bytes, ..q }, false);
        }
        if restored.dropped > 0 {
            self.queue_changed();
        }
        self.rearm();
        restored
    }

    /// One frame of a restore back into the queue (`from_storage`: read from the outbox, else queued since).
    fn readmit(&mut self, restored: &mut Restored, frame: Queued<P>, from_storage: bool) {
        let request = frame.request;
        let admitted = match self.queue.push(frame) {
            Ok(Pushed::Queued(evicted)) => {
                restored.dropped += evicted.len();
                self.frames_evicted(evicted);
                true
            }
            Ok(Pushed::DroppedNew) | Err(_) => false,
        };
        if !admitted {
            restored.dropped += 1;
            self.stats.dropped += 1;
            if let Some(h) = request {
                self.reject_pending(h, ErrorCode::QueueFull);
            }
        } else if from_storage {
            restored.queued += 1;
        }
    }

    /// Reports the frames a restore dropped ([`Restored::dropped`]) in one `QUEUE_FULL` error event.
    pub fn restore_dropped(&mut self, now: Millis, dropped: usize) {
        self.tick(now);
        let n = num(dropped as u64);
        let message = cat(&[&n, " frames restored from queue.persist did not fit the queue's bounds and were dropped"]);
        self.emit_counted(ErrorCode::QueueFull, message, dropped as u64);
    }

    fn storage_failed(&mut self, now: Millis, err_msg: &str) {
        self.tick(now);
        self.emit_error(ErrorCode::Storage, "queue.persist could not write or read storage; the queue stays in memory until a write succeeds".into(), non_empty(err_msg));
    }

    /// `request`: registers a pending request whose id is `key` (as the platform layer renders it; see
    /// [`RequestKey`]) and sends or queues its frame. Its reply comes in by the handle returned
    /// ([`Inbound::Answer`]); the handle comes back in `Resolve` or `Reject`.
    pub fn request(&mut self, now: Millis, key: impl Into<RequestKey>, payload: P, timeout_ms: u64) -> Result<RequestHandle, ErrorCode> {
        let key = key.into();
        self.tick(now);
        if self.closed_by_user {
            return Err(ErrorCode::Closed);
        }
        self.next_request = self.next_request.wrapping_add(1);
        let handle = RequestHandle(self.next_request);
        let sent = self.send_or_queue(payload.clone(), Some(handle), None)?;
        let sent_on = if sent { self.task.map(|t| t.id) } else { None };
        let sent_at = sent.then_some(now);
        let queued_or_sent = sent || self.queued_contains(handle);
        if !queued_or_sent {
            // drop-newest dropped it: it can never be answered.
            self.out.push_back(Output::Reject { request: handle, code: ErrorCode::QueueFull });
        } else {
            let deadline = now.saturating_add(timeout_ms);
            self.request_deadline = Some(self.request_deadline.map_or(deadline, |d| d.min(deadline)));
            self.pending.push(Pending { handle, key, payload, deadline, sent_on, sent_at });
        }
        self.rearm();
        Ok(handle)
    }

    /// `close()`: final and idempotent. Emits exactly one `close` event when the client was not closed yet.
    pub fn close(&mut self, now: Millis, code: u16, reason: &str) -> Result<(), Error> {
        check_close(u32::from(code), reason)?;
        self.tick(now);
        if self.closed_by_user {
            return Ok(());
        }
        self.closed_by_user = true;
        self.withdraw_retry_notice();
        // A close by page code is a closing handshake: what the task holds still goes out before it.
        self.unconfirmed.take();
        if let Some(task) = self.task.take() {
            self.set_state(State::Closing);
            self.out.push_back(Output::Close { task: task.id, code, reason: reason.to_owned() });
        }
        self.clear_connection_deadlines();
        self.retry_at = None;
        self.request_deadline = None;
        for p in std::mem::take(&mut self.pending) {
            self.queue.remove_request(p.handle);
            self.out.push_back(Output::Reject { request: p.handle, code: ErrorCode::Closed });
        }
        self.set_state(State::Closed);
        // Also when the client had already stopped by itself (retries exhausted, `shouldReconnect`,
        // `startClosed`): the first `close()` always yields exactly one `close` event.
        self.emit(Event::Close { code, reason: reason.to_owned(), will_reconnect: false, delay_ms: None });
        self.rearm();
        Ok(())
    }

    /// `reconnect()`: closes the live task (1000, "reconnect"), resets the retry count and connects now,
    /// from any state.
    pub fn reconnect(&mut self, now: Millis) {
        self.tick(now);
        self.closed_by_user = false;
        self.retry_count = 0;
        self.retry_at = None;
        self.withdraw_retry_notice();
        let was_open = self.state == State::Open;
        self.unconfirmed.take();
        if let Some(task) = self.task.take() {
            self.out.push_back(Output::Close { task: task.id, code: 1000, reason: "reconnect".into() });
        }
        self.clear_connection_deadlines();
        self.set_state(State::Connecting);
        if was_open {
            self.emit(Event::Close { code: 1000, reason: "reconnect".into(), will_reconnect: true, delay_ms: Some(0) });
        }
        self.begin_attempt();
        self.rearm();
    }

    // ---------- the platform ----------

    /// A platform input (see [`Input`]) at `now`; then drain [`Engine::poll`].
    pub fn handle(&mut self, now: Millis, input: Input<P>) {
        match input {
            Input::Opened { task } => self.task_opened(now, task),
            Input::Frame { task, size, frame } => self.frame(now, task, size, frame),
            Input::Closed { task, code, reason, should_reconnect } => self.task_closed(now, task, code, reason, should_reconnect),
            // The platform is given the same connect timeout as the engine (wx `connectSocket({ timeout })`),
            // so its own timer can fire first: that is the same CONNECT_TIMEOUT, whichever timer won the race.
            Input::Failed { task, err_msg } => {
                let timed_out = platform_timed_out(&err_msg);
                self.task_failed(now, task, err_msg, timed_out)
            }
            Input::AttemptFailed { task, message } => self.task_failed(now, task, message, false),
            Input::UrlRefused { task, err_msg, fixed } => self.url_refused(now, task, err_msg, fixed),
            Input::SendFailed { task, err_msg } => self.send_failed(now, task, err_msg),
            Input::SocketBuffered { task, bytes } => self.socket_buffered(task, bytes),
            Input::Network { online } => self.network_changed(now, online),
            Input::AppHidden => self.tick(now),
            Input::AppShown => self.app_shown(now),
            Input::Timeout => self.timeout(now),
            Input::StorageFailed { err_msg } => self.storage_failed(now, &err_msg),
        }
    }

    fn task_opened(&mut self, now: Millis, task: TaskId) {
        self.tick(now);
        if !self.is_live(task) || self.state != State::Connecting {
            return;
        }
        if let Some(live) = self.task.as_mut() {
            live.opened_at = Some(now);
        }
        // Before any pong, the opening handshake is the one round trip seen: it took at least
        // `HANDSHAKE_ROUND_TRIPS` (TCP, then the HTTP upgrade), so its share errs long, never short.
        // Each handshake refreshes the guess until a real sample exists.
        if let Some(live) = self.task {
            self.round_trip.hint(now.saturating_sub(live.started_at) / HANDSHAKE_ROUND_TRIPS);
        }
        self.connect_deadline = None;
        self.stats.connects += 1;
        let reconnected = self.stats.connects > 1;
        if reconnected {
            self.stats.reconnects += 1;
        }
        // Only a count above 0 has anything to reset (a lost connection checks its uptime too).
        if let (Some(reconnect), true) = (&self.cfg.reconnect, self.retry_count > 0) {
            self.uptime_reset_at = Some(now.saturating_add(reconnect.min_uptime_ms));
        }
        self.uplink.opened(now);
        self.arm_next_ping(now);
        self.state = State::Open;
        // Requests sent on an earlier task and still unanswered go again first (they were sent before
        // anything in the queue), then the frames a lost connection left unconfirmed (a request among
        // them goes in its place there instead), then the queue in order; all before `open` is emitted.
        let resend = std::mem::take(&mut self.resend);
        for i in 0..self.pending.len() {
            let handle = self.pending[i].handle;
            if self.pending[i].sent_on.is_some_and(|t| t != task) && !resend.iter().any(|s| s.request == Some(handle)) {
                let payload = self.pending[i].payload.clone();
                self.push_data(task, payload, Some(handle));
            }
        }
        for item in resend {
            match item.request {
                Some(h) if self.pending.iter().any(|p| p.handle == h) => self.push_data(task, item.payload, Some(h)),
                Some(_) => {} // answered or timed out since: nothing to send
                None => self.push_data(task, item.payload, None),
            }
        }
        self.drop_expired(now);
        let flushed = !self.queue.is_empty();
        while let Some(item) = self.queue.pop() {
            self.push_data(task, item.payload, item.request);
        }
        if flushed {
            self.queue_changed();
        }
        self.emit(Event::State { from: State::Connecting, to: State::Open });
        self.emit(Event::Open { attempt: self.retry_count, reconnected });
        self.rearm();
    }

    fn frame(&mut self, now: Millis, task: TaskId, size: usize, frame: Inbound<P>) {
        self.tick(now);
        if !self.is_live(task) || self.state != State::Open {
            return;
        }
        self.count_received(1, size as u64);
        self.frame_is_alive(now);
        if size > self.cfg.max_message_bytes || matches!(frame, Inbound::TooLarge) {
            self.stats.dropped += 1;
            self.emit_error(
                ErrorCode::MessageTooLarge,
                cat(&["dropped an inbound frame of ", &num(size as u64), " bytes; maxMessageBytes is ", &num(self.cfg.max_message_bytes as u64)]),
                None,
            );
            self.rearm();
            return;
        }
        match frame {
            // A pong answers the oldest ping: a round trip measured, and every frame sent before that
            // ping confirmed.
            Inbound::Pong => {
                if let Some(rtt) = self.unconfirmed.pong(now) {
                    let floor = self.cfg.heartbeat.as_ref().map_or(0, |h| h.timeout_ms);
                    self.uplink.pong(now, rtt <= self.round_trip.timeout(floor));
                    self.stats.last_rtt_ms = Some(rtt);
                    self.round_trip.sample(rtt);
                }
            }
            Inbound::Message(m) => self.out.push_back(Output::Deliver(m)),
            Inbound::Answer { request, reply, error } => {
                let at = self.pending.iter().position(|p| p.handle == request);
                self.answered(now, task, at, reply, error);
            }
            Inbound::Undecodable { raw } => {
                let message = "a text frame was not valid JSON and was not delivered (the event's raw is its text)".into();
                self.out.push_back(Output::Undecodable { raw, message });
            }
            Inbound::TooLarge => {}
        }
        self.rearm();
    }

    /// A reply on `task` to the pending request at `at` (none: it is an ordinary message).
    fn answered(&mut self, now: Millis, task: TaskId, at: Option<usize>, reply: P, error: bool) {
        let Some(at) = at else {
            self.out.push_back(Output::Deliver(reply));
            return;
        };
        let p = self.pending.remove(at);
        self.request_left(p.deadline);
        // Answered on the live task: a round trip measured, and everything sent before the
        // request confirmed.
        if let (Some(on), Some(sent_at)) = (p.sent_on, p.sent_at) {
            if on == task {
                self.round_trip.sample(now.saturating_sub(sent_at));
                self.unconfirmed.replied(p.handle);
            }
        }
        self.out.push_back(Output::Resolve { request: p.handle, reply, error });
    }

    fn task_closed(&mut self, now: Millis, task: TaskId, code: u16, reason: String, should_reconnect: bool) {
        self.tick(now);
        if !self.is_live(task) {
            return;
        }
        if self.state == State::Connecting {
            self.emit_error(ErrorCode::ConnectFailed, cat(&["the socket closed before it opened (code ", &num(u64::from(code)), ")"]), non_empty(&reason));
        }
        self.lose_task(Loss { code, reason, may_retry: should_reconnect, close_task: false, abort: false });
    }

    fn task_failed(&mut self, now: Millis, task: TaskId, err_msg: String, timed_out: bool) {
        self.tick(now);
        if !self.is_live(task) {
            return;
        }
        let (code, message) = if self.state != State::Connecting {
            (ErrorCode::Platform, "the socket failed".into())
        } else if timed_out {
            (ErrorCode::ConnectTimeout, cat(&["the socket did not open within connectTimeoutMs (", &num(self.cfg.connect_timeout_ms), " ms; the platform's timeout)"]))
        } else {
            (ErrorCode::ConnectFailed, "could not open the socket".into())
        };
        self.emit_error(code, message, non_empty(&err_msg));
        self.lose_task(Loss { code: 1006, reason: err_msg, may_retry: true, close_task: true, abort: false });
    }

    fn url_refused(&mut self, now: Millis, task: TaskId, err_msg: String, fixed: bool) {
        self.tick(now);
        if !self.is_live(task) {
            return;
        }
        self.emit_error(
            ErrorCode::InvalidUrl,
            if fixed {
                "the platform refused the URL; fix it, then call reconnect()".into()
            } else {
                "the platform refused the URL the url function returned".into()
            },
            non_empty(&err_msg),
        );
        // A final refusal ends the client the way a "no" from shouldReconnect does.
        self.lose_task(Loss { code: 1006, reason: err_msg, may_retry: !fixed, close_task: true, abort: false });
    }

    fn send_failed(&mut self, now: Millis, task: TaskId, err_msg: String) {
        self.tick(now);
        if !self.is_live(task) || self.state != State::Open {
            return;
        }
        self.emit_error(ErrorCode::SendFailed, "the platform could not send a frame; reconnecting".into(), non_empty(&err_msg));
        self.lose_task(Loss { code: 1006, reason: err_msg, may_retry: true, close_task: true, abort: true });
    }

    fn socket_buffered(&mut self, task: TaskId, bytes: u64) {
        if self.is_live(task) {
            self.socket_buffer.read(bytes);
        }
    }

    fn network_changed(&mut self, now: Millis, online: bool) {
        self.tick(now);
        let was_online = self.online;
        self.online = online;
        if !online {
            if self.state == State::Waiting {
                self.retry_at = None;
            }
        } else if !was_online && self.state == State::Waiting {
            self.retry_at = None;
            self.set_state(State::Connecting);
            self.begin_attempt();
        }
        self.rearm();
    }

    fn app_shown(&mut self, now: Millis) {
        self.tick(now);
        match self.state {
            State::Open if self.cfg.heartbeat.is_some() => self.send_ping(now),
            State::Waiting if self.online => {
                self.retry_at = None;
                self.set_state(State::Connecting);
                self.begin_attempt();
            }
            _ => {}
        }
        self.rearm();
    }

    /// Every deadline that is due.
    fn timeout(&mut self, now: Millis) {
        self.tick(now);
        // The platform's timer is one-shot and has just fired: nothing is armed any more. If it fired
        // early and nothing is due yet, `rearm` below arms it again for the same deadline.
        self.armed = None;
        // Requests first: their deadlines do not depend on the connection.
        // Only when one is due (the earliest deadline says so); one pass, in the order they were made.
        if self.request_deadline.is_some_and(|d| d <= now) {
            let (queue, out) = (&mut self.queue, &mut self.out);
            let mut earliest: Option<Millis> = None;
            self.pending.retain(|p| {
                if p.deadline <= now {
                    queue.remove_request(p.handle);
                    out.push_back(Output::Reject { request: p.handle, code: ErrorCode::Timeout });
                    false
                } else {
                    earliest = Some(earliest.map_or(p.deadline, |d| d.min(p.deadline)));
                    true
                }
            });
            self.request_deadline = earliest;
        }
        self.sample_alive(now);
        if self.persist_at.is_some_and(|t| t <= now) {
            self.persist_at = None;
            let snapshot = self.snapshot();
            self.out.push_back(Output::Persist(snapshot));
        }
        if self.uptime_reset_at.is_some_and(|t| t <= now) {
            self.uptime_reset_at = None;
            self.retry_count = 0;
        }
        if self.connect_deadline.is_some_and(|t| t <= now) {
            self.connect_deadline = None;
            let ms = self.cfg.connect_timeout_ms;
            self.emit_error(ErrorCode::ConnectTimeout, cat(&["the socket did not open within connectTimeoutMs (", &num(ms), " ms)"]), None);
            self.lose_task(Loss { code: 1006, reason: "connect timeout".into(), may_retry: true, close_task: true, abort: false });
        }
        if self.pong_deadline.is_some_and(|t| t <= now) && self.socket_buffer.puts_off_verdict() {
            // The ping has not left the client yet, and its socket drains: wait another pong timeout.
            self.pong_deadline = self.pong_timeout_ms().map(|w| now.saturating_add(w));
        }
        if self.pong_deadline.is_some_and(|t| t <= now) {
            self.pong_deadline = None;
            let ms = self.pong_wait;
            self.emit_error(ErrorCode::HeartbeatTimeout, cat(&["no pong within ", &num(ms), " ms of a ping"]), None);
            self.lose_task(Loss { code: 1006, reason: "heartbeat timeout".into(), may_retry: true, close_task: true, abort: true });
        }
        if self.ping_at.is_some_and(|t| t <= now) && self.state == State::Open {
            self.send_ping(now);
        }
        if self.retry_at.is_some_and(|t| t <= now) {
            self.retry_at = None;
            if self.state == State::Waiting && self.online {
                self.set_state(State::Connecting);
                self.begin_attempt();
            }
        }
        self.socket_buffer.forget_reading();
        self.rearm();
    }

    // ---------- inside ----------

    fn tick(&mut self, now: Millis) {
        // The caller's clock may step back (e.g. Date.now after a clock change); time never goes back here.
        self.now = self.now.max(now);
    }

    fn is_live(&self, task: TaskId) -> bool {
        self.task.is_some_and(|t| t.id == task)
    }

    fn queued_contains(&self, handle: RequestHandle) -> bool {
        self.queue.contains_request(handle)
    }

    fn send_or_queue(&mut self, payload: P, request: Option<RequestHandle>, expires_at: Option<Millis>) -> Result<bool, ErrorCode> {
        if self.state == State::Open {
            if let Some(task) = self.task {
                self.push_data(task.id, payload, request);
                return Ok(true);
            }
        }
        let bytes = payload.byte_len();
        match self.queue.push(Queued { payload, bytes, request, expires_at })? {
            Pushed::Queued(evicted) => {
                self.frames_evicted(evicted);
                if request.is_none() {
                    self.queue_changed();
                }
            }
            Pushed::DroppedNew => self.stats.dropped += 1,
        }
        Ok(false)
    }

    /// Frames `drop-oldest` pushed out: counted, and their requests rejected with `QUEUE_FULL`.
    fn frames_evicted(&mut self, evicted: Vec<Queued<P>>) {
        for old in evicted {
            self.stats.dropped += 1;
            if let Some(h) = old.request {
                self.reject_pending(h, ErrorCode::QueueFull);
            }
        }
    }

    fn reject_pending(&mut self, h: RequestHandle, code: ErrorCode) {
        if let Some(at) = self.pending.iter().position(|p| p.handle == h) {
            let p = self.pending.remove(at);
            self.request_left(p.deadline);
            self.out.push_back(Output::Reject { request: h, code });
        }
    }

    /// Drops the queued frames whose lifetime has ended (before a flush): counted in `stats.dropped` and
    /// reported in one `EXPIRED` event with their number. A request among them rejects with `TIMEOUT`.
    fn drop_expired(&mut self, now: Millis) {
        let expired = self.queue.drop_expired(now);
        if expired.is_empty() {
            return;
        }
        let n = expired.len() as u64;
        self.stats.dropped += n;
        for old in expired {
            if let Some(h) = old.request {
                self.reject_pending(h, ErrorCode::Timeout);
            }
        }
        self.emit_counted(ErrorCode::Expired, cat(&["dropped ", &num(n), " queued frames that outlived their ttlMs"]), n);
    }

    /// The queue or the message-id counter changed: with `queue.persist`, a write is due within
    /// [`PERSIST_WITHIN_MS`] (an earlier pending deadline stays, so a stream of sends writes once a period).
    fn queue_changed(&mut self) {
        if self.cfg.queue.persist && self.persist_at.is_none() {
            self.persist_at = Some(self.now.saturating_add(PERSIST_WITHIN_MS));
        }
    }

    /// What the outbox keeps: the queued frames that are not requests, and the next message id.
    fn snapshot(&self) -> Snapshot<P> {
        let mut frames = Vec::new();
        for q in self.queue.iter().filter(|q| q.request.is_none()) {
            frames.push(StoredFrame { payload: q.payload.clone(), expires_at: q.expires_at });
        }
        Snapshot { frames, next_message_id: self.last_message_id + 1 }
    }

    /// A request with this deadline has left `pending` (answered, or evicted from the queue): the
    /// earliest deadline is recomputed only when it was that request's.
    fn request_left(&mut self, deadline: Millis) {
        if self.request_deadline.is_some_and(|d| deadline <= d) {
            self.request_deadline = self.pending.iter().map(|p| p.deadline).min();
        }
    }

    fn push_send(&mut self, task: TaskId, payload: P) {
        self.count_handed(1, payload.counted_len());
        self.out.push_back(Output::Send { task, payload });
    }

    /// `messages` frames of `bytes` in all handed to the socket (here or on the fast path): counted, and on
    /// their way until the socket buffer and the uplink let them through.
    pub(super) fn count_handed(&mut self, messages: u64, bytes: usize) {
        self.stats.messages_sent += messages;
        self.stats.bytes_sent += bytes as u64;
        self.socket_buffer.handed(bytes);
        self.uplink.handed(bytes);
    }

    /// `messages` frames of `bytes` in all received on the open task (here or on the fast path).
    pub(super) fn count_received(&mut self, messages: u64, bytes: u64) {
        self.stats.messages_received += messages;
        self.stats.bytes_received += bytes;
    }

    /// A data frame (not a ping) to the open task: counted, and kept until confirmed when a heartbeat
    /// can confirm it. A request's frame also records when it left, for its reply's round trip.
    fn push_data(&mut self, task: TaskId, payload: P, request: Option<RequestHandle>) {
        if let Some(h) = request {
            let now = self.now;
            if let Some(p) = self.pending.iter_mut().find(|p| p.handle == h) {
                p.sent_on = Some(task);
                p.sent_at = Some(now);
            }
        }
        if self.cfg.heartbeat.is_some() {
            self.unconfirmed.sent(payload.clone(), request);
        }
        self.push_send(task, payload);
    }

    /// Sends a ping and waits for its pong; while an earlier ping still awaits its pong (inbound frames
    /// put off its verdict), no second one is sent: the wait starts again for the first.
    fn send_ping(&mut self, now: Millis) {
        let (Some(task), Some(hb)) = (self.task, self.cfg.heartbeat.as_ref()) else { return };
        let (ping, floor) = (hb.ping.clone(), hb.timeout_ms);
        if !self.unconfirmed.ping_in_flight() {
            // Behind the bytes still on their way the ping cannot be answered sooner than they drain.
            let timeout = self.round_trip.timeout(floor);
            let backlog = self.uplink.ping_sent(now);
            self.pong_wait = timeout.max(timeout.saturating_add(backlog).min(MAX_ADAPTIVE_TIMEOUT_MS));
            self.push_send(task.id, ping);
            self.unconfirmed.ping_sent(now);
            self.socket_buffer.ping_sent();
        }
        self.ping_at = None;
        self.pong_deadline = Some(now.saturating_add(self.pong_wait));
    }

    fn arm_next_ping(&mut self, now: Millis) {
        self.ping_at = self.cfg.heartbeat.as_ref().map(|h| now.saturating_add(h.interval_ms));
    }

    fn clear_connection_deadlines(&mut self) {
        self.socket_buffer.reset();
        self.connect_deadline = None;
        self.ping_at = None;
        self.pong_deadline = None;
        self.uptime_reset_at = None;
        self.alive_sampling.stop();
    }

    fn begin_attempt(&mut self) {
        self.next_task = self.next_task.wrapping_add(1);
        let id = TaskId(self.next_task);
        self.task = Some(Live { id, opened_at: None, started_at: self.now });
        self.connect_deadline = Some(self.now.saturating_add(self.cfg.connect_timeout_ms));
        self.out.push_back(Output::Open { task: id, attempt: self.retry_count });
    }

    /// The live task is gone (closed, failed, timed out). Decides what comes next and says so.
    fn lose_task(&mut self, loss: Loss) {
        let Some(task) = self.task.take() else { return };
        let now = self.now;
        if loss.close_task {
            let reason = truncate_reason(&loss.reason);
            self.out.push_back(if loss.abort { Output::Abort { task: task.id, reason } } else { Output::Close { task: task.id, code: 1000, reason } });
        }
        let was_open = task.opened_at.is_some();
        if let (Some(opened), Some(b)) = (task.opened_at, &self.cfg.reconnect) {
            if now.saturating_sub(opened) >= b.min_uptime_ms {
                self.retry_count = 0;
            }
        }
        self.clear_connection_deadlines();
        self.settle_unconfirmed(was_open);

        enum Next {
            Retry(u64),
            Offline,
            Closed,
        }
        let policy = self.cfg.reconnect.clone();
        let next = match policy {
            None => Next::Closed,
            Some(_) if !loss.may_retry => Next::Closed,
            Some(_) if !self.online => Next::Offline,
            Some(b) if b.max_retries.is_some_and(|max| self.retry_count >= max) => {
                let n = self.retry_count;
                self.emit_error(ErrorCode::RetriesExhausted, cat(&["gave up after ", &num(u64::from(n)), " retries (reconnect.maxRetries); call reconnect() to try again"]), None);
                Next::Closed
            }
            Some(b) => {
                self.retry_count = self.retry_count.saturating_add(1);
                let delay = b.delay(self.retry_count, &mut self.rng);
                // An attempt that never opened has already spent its time waiting: the delay runs from
                // its start, so an attempt that timed out during an outage is followed at once by the
                // next one (the server is found within a SYN retry or two of coming back).
                Next::Retry(if was_open { delay } else { delay.saturating_sub(now.saturating_sub(task.started_at)) })
            }
        };
        let (to, will_reconnect, delay) = match next {
            Next::Retry(d) => (State::Waiting, true, Some(d)),
            Next::Offline => (State::Waiting, true, None),
            Next::Closed => (State::Closed, false, None),
        };
        if let Next::Retry(d) = next {
            self.retry_at = Some(now.saturating_add(d));
        }
        // The retry is scheduled (its timer armed) before `state`, `close` and `reconnecting` are emitted.
        self.rearm();
        self.set_state(to);
        if was_open || to == State::Closed {
            self.emit(Event::Close { code: loss.code, reason: loss.reason, will_reconnect, delay_ms: delay });
        }
        if let Next::Retry(d) = next {
            self.emit(Event::Reconnecting { attempt: self.retry_count, delay_ms: d });
        }
        self.rearm();
    }

    /// The live task is gone: its unconfirmed data frames are re-sent on the next connection
    /// (`resend_unconfirmed`), or counted in `stats.dropped` and reported in one `UNCONFIRMED_LOST`.
    /// Requests are not counted: they are re-sent anyway until answered, or have been rejected.
    fn settle_unconfirmed(&mut self, was_open: bool) {
        let mut left = self.unconfirmed.take();
        if !was_open {
            return;
        }
        // Frames sent on the fast path were not kept: they can only be counted (the fast path is closed
        // for sends while `resend_unconfirmed` is on, so there are none then).
        let lost = if self.resend_unconfirmed {
            // `append` moves the deque's buffer over; `extend` would link VecDeque's `write_iter`.
            self.resend.append(&mut left.kept);
            left.counted
        } else {
            left.counted + left.kept.iter().filter(|s| s.request.is_none()).count() as u64
        };
        if lost > 0 {
            self.stats.dropped += lost;
            self.emit_counted(
                ErrorCode::UnconfirmedLost,
                cat(&[&num(lost), " frames sent on the lost connection were never confirmed by a pong and may not have arrived"]),
                lost,
            );
        }
    }

    fn set_state(&mut self, to: State) {
        let from = self.state;
        if from != to {
            self.state = to;
            self.emit(Event::State { from, to });
        }
    }

    /// `close()` or `reconnect()` from page code that runs while outputs are still queued (a listener, the
    /// logger): a `reconnecting` event not yet polled announces a retry that no longer happens.
    fn withdraw_retry_notice(&mut self) {
        // Rebuilt rather than `retain`, whose VecDeque code is large for this rare call.
        for o in std::mem::take(&mut self.out) {
            if !matches!(o, Output::Event(Event::Reconnecting { .. })) {
                self.out.push_back(o);
            }
        }
    }

    fn emit(&mut self, event: Event) {
        self.out.push_back(Output::Event(event));
    }

    fn emit_error(&mut self, code: ErrorCode, message: String, err_msg: Option<String>) {
        self.emit(Event::Error { code, message, err_msg, count: None });
    }

    /// An error about `count` frames not delivered.
    fn emit_counted(&mut self, code: ErrorCode, message: String, count: u64) {
        self.emit(Event::Error { code, message, err_msg: None, count: Some(count) });
    }

    fn rearm(&mut self) {
        let at = self.next_deadline();
        if at != self.armed {
            self.armed = at;
            self.out.push_back(Output::Timer { at });
        }
    }
}

/// Whether a platform's error message says its own connect timeout fired (wx: `connectSocket:fail timeout`;
/// other runtimes say "timed out"). ASCII case is ignored.
fn platform_timed_out(err_msg: &str) -> bool {
    let b = err_msg.as_bytes();
    let has = |word: &[u8]| b.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word));
    has(b"timeout") || has(b"timed out")
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// Cuts a reason to the 123 bytes a close frame can carry, on a character boundary.
fn truncate_reason(reason: &str) -> String {
    let mut end = reason.len().min(super::validate::MAX_REASON_BYTES);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}
