//! The platform layer: runs the [`core`](crate::core) engine on a real socket.
//!
//! [`Driver`] owns one engine, the live connection (a wx-style `SocketTask` or a `WebSocket`), the one
//! timer and the app-lifecycle listeners, and performs the engine's outputs. What happens with
//! events, messages and request replies is up to its [`Host`]: the JS class emits them to listeners,
//! the Rust client sends them down channels.
//!
//! Callbacks from JavaScript reach Rust through one [`Sink`] per client, which holds the driver weakly and
//! has one method per kind of input. A `SocketTask` has no way to remove a listener, so a late callback from
//! an old task arrives with that task's id and the engine ignores it; no closure is created per task or per
//! message. The one timer is a gloo-timers `Timeout` (cleared when dropped), the app-lifecycle listeners a
//! [`Lifecycle`] (removed when dropped).

mod bindings;
mod fast_path;
mod requests;
mod sink;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};

use crate::core::text::cat;
use crate::core::{
    check_url, redact_in, redact_url, Config, Engine, ErrorCode, Event, FastDone, FastLanes, Input, Millis, Output, Payload,
    RequestHandle, Snapshot, StoredFrame, TaskId,
};

pub(crate) use bindings::*;
use fast_path::FastPath;
use sink::{timer_fired, PlatformInput, Target};
pub use sink::Sink;

/// A frame on the JS side: a JS string or `ArrayBuffer`, with its length.
///
/// The UTF-8 size of a string costs a scan of the whole string, so it is measured only where it must
/// be exact (the queue's byte bound and `bufferedAmount`); `stats` counts a text frame by its length in
/// UTF-16 units (its UTF-8 size for ASCII text).
#[derive(Clone, Debug)]
pub struct Frame {
    /// The string or `ArrayBuffer` handed to the platform.
    pub data: JsValue,
    /// UTF-16 units of a string, bytes of a buffer.
    len: usize,
    text: bool,
}

impl Payload for Frame {
    fn byte_len(&self) -> usize {
        if self.text && self.len > 0 {
            utf8_length(&self.data) as usize
        } else {
            self.len
        }
    }

    fn counted_len(&self) -> usize {
        self.len
    }
}

impl Frame {
    /// A frame from what `encodeFrame` returned (a string or an `ArrayBuffer`).
    pub fn encoded(data: JsValue) -> Frame {
        let n = frame_length(&data);
        Frame::measured(data, n)
    }

    /// A frame whose `frameLength` the caller already has.
    pub fn measured(data: JsValue, n: f64) -> Frame {
        let n = if n >= 0.0 && n.is_finite() { n } else { 0.0 };
        Frame { data, len: (n / 2.0) as usize, text: n % 2.0 == 0.0 }
    }

    /// A text frame.
    pub fn text(s: JsValue) -> Frame {
        Frame::encoded(s)
    }

    /// An inbound frame's decoded value (its size is counted by the engine as it arrives).
    pub fn received(data: JsValue) -> Frame {
        Frame { data, len: 0, text: false }
    }

    /// A binary frame of `len` bytes.
    pub fn binary(buf: JsValue, len: usize) -> Frame {
        Frame { data: buf, len, text: false }
    }
}

/// Where URLs come from: fixed, or a function called before every attempt.
pub enum UrlSource {
    /// One URL (already checked).
    Fixed(String),
    /// `() => string | Promise<string>`.
    Func(Function),
}

/// How text frames are encoded and decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// JSON text.
    Json,
    /// Strings as they are.
    Text,
}

/// Everything the driver needs besides the engine's own config.
pub struct Setup {
    /// The platform object or constructor.
    pub platform: JsValue,
    /// URL source.
    pub url: UrlSource,
    /// `allowInsecure`, for URLs a function returns.
    pub allow_insecure: bool,
    /// Handshake headers object, or undefined.
    pub header: JsValue,
    /// Subprotocols array, or undefined.
    pub protocols: JsValue,
    /// Codec.
    pub codec: Codec,
    /// Pong text (a string), or undefined.
    pub pong: JsValue,
    /// `heartbeat.isPong`.
    pub is_pong: Option<Function>,
    /// `isError(reply)`: which replies reject with `REMOTE_ERROR` (default: JSON-RPC 2.0 error replies).
    pub is_error: Option<Function>,
    /// `queue.persist`: the storage key of the durable outbox, if any.
    pub persist_key: Option<JsValue>,
    /// `reconnect.shouldReconnect(code, reason)`, asked by the driver before it hands a close to the engine,
    /// with no borrow held (page code may call back into the client).
    pub should_reconnect: Option<ShouldReconnect>,
    /// `requestIdField` as a JS string.
    pub id_field: JsValue,
    /// `lifecycle`.
    pub lifecycle: bool,
    /// `logger`.
    pub logger: Option<Function>,
}

/// `shouldReconnect`: decides, after the server closed the live task, whether to retry (`(code, reason) ->
/// bool`; `false` stops the client). The driver asks it before the engine hears of the close, with no borrow
/// held, so it may call back into the client.
#[derive(Clone)]
pub struct ShouldReconnect(Rc<dyn Fn(u16, &str) -> bool>);

impl ShouldReconnect {
    /// A verdict from `f(code, reason)`.
    pub fn new(f: impl Fn(u16, &str) -> bool + 'static) -> ShouldReconnect {
        ShouldReconnect(Rc::new(f))
    }

    /// The verdict on a close with `code` and `reason`.
    pub fn ask(&self, code: u16, reason: &str) -> bool {
        (self.0)(code, reason)
    }
}

impl std::fmt::Debug for ShouldReconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShouldReconnect(..)")
    }
}

/// What the driver reports to its owner.
pub trait Host: 'static {
    /// An event, with what it carries besides the engine's [`Event`].
    fn event(&self, event: &Event, detail: &EventDetail);
    /// A decoded message for `message` listeners.
    fn message(&self, data: JsValue);
    /// A reply settles a request.
    fn resolve(&self, request: RequestHandle, data: JsValue);
    /// A request failed.
    fn reject(&self, request: RequestHandle, code: ErrorCode);
    /// A request's reply was an error reply (src/js/inbound.js `isErrorReply`): reject with `REMOTE_ERROR`
    /// carrying the reply's `error` member.
    fn reject_remote(&self, request: RequestHandle, reply: JsValue);
    /// The ids of the pending requests: a JS `Map` from id to request handle (`RequestHandle.0`), which holds
    /// a request from the moment the engine hands out its handle until the host hears it settled
    /// (`resolve`, `reject`, `reject_remote`). src/js/inbound.js looks every inbound id up there and hands a
    /// reply in by its handle; the engine decides the rest (a handle no longer pending: a message).
    fn pending_ids(&self) -> JsValue;
    /// What delivers messages on the fast path (src/js/fast_path.js: `message(data)`); undefined, the
    /// default: every message goes through [`Host::message`].
    fn fast_receiver(&self) -> JsValue {
        JsValue::UNDEFINED
    }
}

/// What an event carries besides the engine's [`Event`].
pub struct EventDetail<'a> {
    /// `Open`: the handshake's response headers, where the platform gives them (else undefined).
    pub header: &'a JsValue,
    /// `Open`: the URL that opened, its query string redacted (for the logger).
    pub url: &'a str,
    /// A `DECODE` error: the frame's raw text (else undefined).
    pub raw: &'a JsValue,
}

impl EventDetail<'_> {
    /// Nothing besides the event.
    pub const NONE: EventDetail<'static> = EventDetail { header: &JsValue::UNDEFINED, url: "", raw: &JsValue::UNDEFINED };
}

struct Conn {
    task: TaskId,
    /// In an `Rc`: sending clones the handle out of the borrow (the platform may call back into the
    /// driver from inside `send`), and an `Rc` clone stays inside the module.
    handle: Rc<Connection>,
}

/// The armed timer: dropping it clears it.
struct Timer {
    _handle: Timeout,
    at: Millis,
}

/// The app-lifecycle and network listeners (src/js/lifecycle.js): dropping it removes them.
struct Lifecycle(JsValue);

impl Drop for Lifecycle {
    fn drop(&mut self) {
        stop_lifecycle(&self.0);
    }
}

struct Io {
    engine: Engine<Frame>,
    setup: Setup,
    conn: Option<Conn>,
    open_header: JsValue,
    last_url: String,
    timer: Option<Timer>,
    lifecycle: Option<Lifecycle>,
    /// The durable outbox (`queue.persist`).
    outbox: Option<Outbox>,
}

/// The driver: an engine running on a platform. Cheap to clone (shared).
pub struct Driver<H> {
    inner: Rc<Inner<H>>,
}

impl<H> Clone for Driver<H> {
    fn clone(&self) -> Self {
        Driver { inner: self.inner.clone() }
    }
}

struct Inner<H> {
    host: H,
    io: RefCell<Io>,
    /// The client's [`Sink`] (a JS object): every platform callback goes through it.
    sink: JsValue,
    /// The client's inbound classifier (src/js/inbound.js): frames go through it into the sink.
    inbound: JsValue,
    /// The same driver, for the timer's callback.
    weak: Weak<dyn Target>,
    draining: Cell<bool>,
    /// What JavaScript may do without calling in (src/platform/fast_path.rs).
    fast: FastPath,
    /// Calls into the engine under way (nested ones included): the fast path's lanes are open only at 0.
    calls: Cell<u32>,
}

impl<H> Drop for Inner<H> {
    fn drop(&mut self) {
        // The timer and the lifecycle listeners go with `io`.
        release_sink(&self.sink);
        let io = self.io.get_mut();
        if let Some(c) = io.conn.take() {
            let _ = c.handle.close(1000, "client freed");
        }
    }
}

/// The longest delay setTimeout honours.
const MAX_TIMER_MS: Millis = 2_147_483_647;

thread_local! {
    static LAST_NOW: Cell<Millis> = const { Cell::new(0) };
}

/// Milliseconds now, as the engine counts them: `Date.now()` made monotonic (a wall clock can step
/// back; the engine's deadlines must not).
pub fn now_ms() -> Millis {
    now_from(js_sys::Date::now())
}

/// [`now_ms`] for a `Date.now()` the caller already read (the sink and the fast send path pass it in,
/// which saves a call out of the module).
pub fn now_from(t: f64) -> Millis {
    let t = if t.is_finite() && t > 0.0 { t as Millis } else { 0 };
    LAST_NOW.with(|last| {
        let m = last.get().max(t);
        last.set(m);
        m
    })
}

impl<H: Host> Driver<H> {
    /// Starts a driver: the engine's first outputs (usually: open a task) are performed at once.
    pub fn new(config: Config<Frame>, setup: Setup, host: H, seed: u64) -> Driver<H> {
        let lifecycle = setup.lifecycle;
        let inner = Rc::new_cyclic(|weak: &Weak<Inner<H>>| {
            let weak: Weak<dyn Target> = weak.clone();
            let sink = guarded_sink(JsValue::from(Sink::new(weak.clone())));
            let fast = FastPath::new(&sink, &host.fast_receiver());
            let inbound = new_inbound(
                &sink,
                setup.codec == Codec::Text,
                &setup.pong,
                setup.is_pong.as_ref(),
                &setup.id_field,
                config.max_message_bytes as f64,
                setup.is_error.as_ref(),
                fast.js(),
                &host.pending_ids(),
            );
            let outbox = setup.persist_key.as_ref().map(|key| new_outbox(&setup.platform, key, &sink));
            Inner {
                host,
                io: RefCell::new(Io {
                    engine: Engine::new(config, seed, now_ms()),
                    setup,
                    conn: None,
                    open_header: JsValue::UNDEFINED,
                    last_url: String::new(),
                    timer: None,
                    lifecycle: None,
                    outbox,
                }),
                sink,
                inbound,
                weak,
                draining: Cell::new(false),
                fast,
                calls: Cell::new(0),
            }
        });
        let driver = Driver { inner };
        driver.restore_outbox();
        if lifecycle && !driver.inner.io.borrow().engine.is_closed_by_user() {
            driver.watch_lifecycle();
        }
        driver.enter(now_ms());
        driver.drain();
        driver.leave();
        driver
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.inner.host
    }

    /// Runs `f` on the engine, then performs what it asked for.
    pub fn with_engine<R>(&self, f: impl FnOnce(&mut Engine<Frame>, Millis) -> R) -> R {
        self.with_engine_at(now_ms(), f)
    }

    /// [`Driver::with_engine`] at a time the caller read (`now_from`).
    pub fn with_engine_at<R>(&self, now: Millis, f: impl FnOnce(&mut Engine<Frame>, Millis) -> R) -> R {
        self.enter(now);
        let r = {
            let mut io = self.inner.io.borrow_mut();
            f(&mut io.engine, now)
        };
        self.drain();
        self.leave();
        r
    }

    /// Reads the engine without performing anything (after taking in what the fast path did).
    pub fn read<R>(&self, f: impl FnOnce(&Engine<Frame>) -> R) -> R {
        self.collect_fast(None);
        f(&self.inner.io.borrow().engine)
    }

    /// Takes what JavaScript did on the fast path into the engine, at `now` (the clock is read only when
    /// there is something to take and no time was given).
    fn collect_fast(&self, now: Option<Millis>) {
        let done = self.inner.fast.take();
        if done != FastDone::default() {
            let now = now.unwrap_or_else(now_ms);
            self.inner.io.borrow_mut().engine.collect_fast(now, done);
        }
    }

    /// A call into the engine begins: what JavaScript did on the fast path goes in first, and the lanes are
    /// closed until the outermost call has performed everything (page code that runs inside, a logger or
    /// `shouldReconnect`, goes through the engine, in order).
    #[inline(never)]
    fn enter(&self, now: Millis) {
        self.inner.calls.set(self.inner.calls.get() + 1);
        self.inner.fast.publish(FastLanes::default());
        self.collect_fast(Some(now));
    }

    /// The call ends; the outermost one opens the lanes the engine allows now.
    #[inline(never)]
    fn leave(&self) {
        let calls = self.inner.calls.get().saturating_sub(1);
        self.inner.calls.set(calls);
        if calls == 0 {
            let lanes = self.inner.io.borrow().engine.fast_lanes();
            self.inner.fast.publish(lanes);
        }
    }

    /// The URL of the last attempt.
    pub fn last_url(&self) -> String {
        self.inner.io.borrow().last_url.clone()
    }

    /// A text from the platform (an errMsg, a send failure, a close reason) without the query string of the
    /// URL it may quote.
    fn redacted(&self, text: &str) -> String {
        redact_in(text, &self.inner.io.borrow().last_url)
    }

    /// `requestIdField` as a JS string.
    pub fn id_field(&self) -> JsValue {
        self.inner.io.borrow().setup.id_field.clone()
    }

    /// The codec.
    pub fn codec(&self) -> Codec {
        self.inner.io.borrow().setup.codec
    }

    /// `close()`, then the lifecycle listeners are removed.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), crate::core::Error> {
        let r = self.with_engine(|e, now| e.close(now, code, reason));
        let listeners = self.inner.io.borrow_mut().lifecycle.take();
        drop(listeners);
        r
    }

    /// `reconnect()`, re-adding lifecycle listeners that `close()` removed.
    pub fn reconnect(&self) {
        let want = {
            let io = self.inner.io.borrow();
            io.setup.lifecycle && io.lifecycle.is_none()
        };
        if want {
            self.watch_lifecycle();
        }
        self.with_engine(|e, now| e.reconnect(now));
    }

    /// Logs `{ [key]: value }` through the `logger` option, if any. Never pass header values or a URL's
    /// query here.
    pub fn log(&self, level: &str, message: &str, key: &str, value: &JsValue) {
        let logger = self.inner.io.borrow().setup.logger.clone();
        if let Some(logger) = logger {
            log(&logger, level, message, key, value);
        }
    }

    fn watch_lifecycle(&self) {
        let platform = self.inner.io.borrow().setup.platform.clone();
        let w = Lifecycle(watch_lifecycle(&platform, &self.inner.sink));
        self.inner.io.borrow_mut().lifecycle = Some(w);
    }

    /// Performs every pending output, in order (the timer too: `Output::Timer` is its one channel).
    /// Re-entrant calls (a listener calling `send`) only queue; the outermost loop performs.
    fn drain(&self) {
        if self.inner.draining.replace(true) {
            return;
        }
        loop {
            let out = self.inner.io.borrow_mut().engine.poll();
            match out {
                Some(o) => self.perform(o),
                None => break,
            }
        }
        self.inner.draining.set(false);
    }

    fn perform(&self, out: Output<Frame>) {
        match out {
            Output::Open { task, attempt } => self.open(task, attempt),
            Output::Send { task, payload } => {
                let handle = self.conn_of(task);
                if let Some(h) = handle {
                    if let Err(e) = h.send(&payload.data) {
                        let err_msg = self.redacted(&describe(&e));
                        self.inner.io.borrow_mut().engine.handle(now_ms(), Input::SendFailed { task, err_msg });
                    }
                }
            }
            Output::Close { task, code, reason } => {
                if let Some(c) = self.take_conn(task) {
                    if let Err(e) = c.handle.close(code, &reason) {
                        self.log("warn", "closing the socket failed", "error", &JsValue::from_str(&describe(&e)));
                    }
                }
            }
            Output::Persist(snapshot) => self.persist(snapshot),
            Output::Abort { task, reason } => {
                if let Some(c) = self.take_conn(task) {
                    if let Err(e) = c.handle.abort(&reason) {
                        self.log("warn", "aborting the socket failed", "error", &JsValue::from_str(&describe(&e)));
                    }
                }
            }
            Output::Timer { at } => self.arm(at),
            Output::Event(ev) => match ev {
                Event::Open { .. } => {
                    let (header, url) = {
                        let io = self.inner.io.borrow();
                        (io.open_header.clone(), redact_url(&io.last_url))
                    };
                    self.inner.host.event(&ev, &EventDetail { header: &header, url: &url, raw: &JsValue::UNDEFINED });
                }
                _ => self.inner.host.event(&ev, &EventDetail::NONE),
            },
            Output::Reject { request, code } => self.inner.host.reject(request, code),
            Output::Deliver(m) => self.inner.host.message(m.data),
            Output::Resolve { request, reply, error: false } => self.inner.host.resolve(request, reply.data),
            Output::Resolve { request, reply, error: true } => self.inner.host.reject_remote(request, reply.data),
            Output::Undecodable { raw, message } => {
                let ev = Event::Error { code: ErrorCode::Decode, message, err_msg: None, count: None };
                self.inner.host.event(&ev, &EventDetail { raw: &raw.data, ..EventDetail::NONE });
            }
        }
    }

    /// The live connection, if it is `task`'s, taken out: its later callbacks find nothing.
    fn take_conn(&self, task: TaskId) -> Option<Conn> {
        let mut io = self.inner.io.borrow_mut();
        match &io.conn {
            Some(c) if c.task == task => io.conn.take(),
            _ => None,
        }
    }

    fn conn_of(&self, task: TaskId) -> Option<Rc<Connection>> {
        let io = self.inner.io.borrow();
        match &io.conn {
            Some(c) if c.task == task => Some(c.handle.clone()),
            _ => None,
        }
    }

    fn open(&self, task: TaskId, _attempt: u32) {
        let func = {
            let io = self.inner.io.borrow();
            match &io.setup.url {
                UrlSource::Fixed(u) => Err(u.clone()),
                UrlSource::Func(f) => Ok(f.clone()),
            }
        };
        match func {
            Err(url) => self.connect(task, url),
            Ok(f) => match f.call0(&JsValue::NULL) {
                Err(e) => self.attempt_failed(task, &cat(&["the url function threw: ", &describe(&e)])),
                Ok(v) => match v.as_string() {
                    Some(url) => self.connect_checked(task, url),
                    // A promise (any thenable) settles into the sink later.
                    None if when_settled(&v, &self.inner.sink, task.0) => {}
                    None => self.attempt_failed(task, "the url function returned neither a string nor a promise"),
                },
            },
        }
    }

    fn attempt_failed(&self, task: TaskId, msg: &str) {
        self.inner.io.borrow_mut().engine.handle(now_ms(), Input::AttemptFailed { task, message: msg.to_owned() });
    }

    fn connect_checked(&self, task: TaskId, url: String) {
        let allow = self.inner.io.borrow().setup.allow_insecure;
        match check_url(&url, allow) {
            Ok(_) => self.connect(task, url),
            Err(e) => self.attempt_failed(task, &cat(&[e.code.as_str(), ": ", &e.message])),
        }
    }

    fn connect(&self, task: TaskId, url: String) {
        let (platform, header, protocols, timeout) = {
            let mut io = self.inner.io.borrow_mut();
            io.last_url = url.clone();
            let s = &io.setup;
            (s.platform.clone(), s.header.clone(), s.protocols.clone(), io.engine.config().connect_timeout_ms as f64)
        };
        match open_connection(&platform, &url, &header, &protocols, timeout, &self.inner.sink, &self.inner.inbound, task.0) {
            Ok(handle) => {
                let mut io = self.inner.io.borrow_mut();
                if io.engine.task() == Some(task) {
                    io.conn = Some(Conn { task, handle: Rc::new(handle) });
                } else {
                    // The attempt already failed (a platform that calls back synchronously): do not keep a socket.
                    drop(io);
                    let _ = handle.close(1000, "abandoned");
                }
            }
            // The platform's text may quote the URL, query string and all.
            Err(e) if is_url_refusal(&e) => self.url_refused(now_ms(), task, &describe(&e)),
            Err(e) => self.attempt_failed(task, &redact_in(&describe(&e), &url)),
        }
    }

    fn on_input(&self, now: Millis, input: PlatformInput) {
        match input {
            PlatformInput::Engine(input) => self.inner.io.borrow_mut().engine.handle(now, input),
            PlatformInput::Opened { task, header } => {
                let mut io = self.inner.io.borrow_mut();
                if io.engine.task() == Some(task) {
                    io.open_header = header;
                }
                io.engine.handle(now, Input::Opened { task });
            }
            PlatformInput::Closed { task, code, reason } => {
                let code = code.as_f64().filter(|c| c.is_finite() && *c >= 0.0 && *c <= 65535.0).map_or(1006, |c| c as u16);
                // Every text from the platform may quote the URL, query string and all (a close reason too).
                let reason = self.redacted(&reason.as_string().unwrap_or_default());
                // shouldReconnect is asked here, before the engine hears of the close, and only about a close
                // the engine would weigh it for: the live task's, with reconnect on (the option exists only then).
                let ask = {
                    let mut io = self.inner.io.borrow_mut();
                    if io.conn.as_ref().is_some_and(|c| c.task == task) {
                        io.conn = None;
                    }
                    let f = io.setup.should_reconnect.clone();
                    f.filter(|_| io.engine.task() == Some(task))
                };
                // Page code runs here with no borrow held: it may read the client or call close().
                let should_reconnect = ask.map_or(true, |f| f.ask(code, &reason));
                self.inner.io.borrow_mut().engine.handle(now, Input::Closed { task, code, reason, should_reconnect });
            }
            PlatformInput::Failed { task, err_msg } => {
                // The platform's text may quote the URL, query string and all.
                let err_msg = self.redacted(&err_msg);
                self.inner.io.borrow_mut().engine.handle(now, Input::Failed { task, err_msg });
            }
            PlatformInput::UrlRefused { task, err_msg } => self.url_refused(now, task, &err_msg),
            PlatformInput::SendFailed { task, err_msg } => {
                let err_msg = self.redacted(&err_msg);
                self.inner.io.borrow_mut().engine.handle(now, Input::SendFailed { task, err_msg });
            }
            PlatformInput::UrlResolved { task, url } => {
                if self.awaits_url(task) {
                    match url.as_string() {
                        Some(url) => self.connect_checked(task, url),
                        None => self.attempt_failed(task, "the url function's promise resolved to a non-string"),
                    }
                }
            }
            PlatformInput::UrlRejected { task, why } => {
                if self.awaits_url(task) {
                    self.attempt_failed(task, &cat(&["the url function's promise rejected: ", &why]));
                }
            }
            PlatformInput::Timer => {
                let mut io = self.inner.io.borrow_mut();
                io.timer = None;
                // What the socket still holds bears on a heartbeat verdict due now (a negative
                // reading: the platform has no bufferedAmount).
                if let Some((task, buffered)) = io.conn.as_ref().map(|c| (c.task, c.handle.buffered_amount())) {
                    if buffered >= 0.0 {
                        io.engine.handle(now, Input::SocketBuffered { task, bytes: buffered as u64 });
                    }
                }
                io.engine.handle(now, Input::Timeout);
            }
        }
        self.drain();
    }

    /// `queue.persist`: the stored frames of an earlier client with the same key go into the queue first.
    /// Runs in the constructor, before page code can send. What it reports (an unreadable outbox, through the
    /// sink; frames over the queue's bounds) is emitted after the engine's first outputs, and held with them
    /// until page code can have listeners (src/js/emitter.js, `started`).
    fn restore_outbox(&self) {
        let Some(outbox) = self.inner.io.borrow().outbox.clone() else { return };
        let loaded = outbox.load();
        let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let list: js_sys::Array = get(&loaded, "frames").unchecked_into();
        let mut frames = Vec::new();
        for f in list.iter() {
            frames.push(StoredFrame {
                payload: Frame::encoded(get(&f, "data")),
                expires_at: get(&f, "expiresAt").as_f64().filter(|t| *t >= 0.0).map(|t| t as Millis),
            });
        }
        let next_message_id = get(&loaded, "nextMessageId").as_f64().map_or(1, |n| n as u64);
        self.with_engine(|e, now| {
            let restored = e.restore(now, Snapshot { frames, next_message_id });
            if restored.dropped > 0 {
                e.restore_dropped(now, restored.dropped);
            }
        });
    }

    fn persist(&self, snapshot: Snapshot<Frame>) {
        let Some(outbox) = self.inner.io.borrow().outbox.clone() else { return };
        for f in &snapshot.frames {
            outbox.add(&f.payload.data, f.expires_at.map_or(-1.0, |t| t as f64));
        }
        // A write that fails, at once or later, is reported to the sink (`storageFailed`).
        outbox.commit(snapshot.next_message_id as f64);
    }

    /// The platform refused `task`'s URL: final for a fixed URL, a failed attempt for a url function's.
    fn url_refused(&self, now: Millis, task: TaskId, err_msg: &str) {
        let mut io = self.inner.io.borrow_mut();
        // The platform's text may quote the URL, query string and all.
        let err_msg = redact_in(err_msg, &io.last_url);
        let fixed = matches!(io.setup.url, UrlSource::Fixed(_));
        io.engine.handle(now, Input::UrlRefused { task, err_msg, fixed });
    }

    /// Whether `task` is the current attempt and still waits for its URL.
    fn awaits_url(&self, task: TaskId) -> bool {
        let io = self.inner.io.borrow();
        io.engine.task() == Some(task) && io.conn.is_none()
    }


    /// `Output::Timer`: the engine's earliest deadline changed. The timer is re-armed only when the deadline
    /// moves earlier; one that moved later is reached by an early wake-up, after which the engine asks again.
    fn arm(&self, want: Option<Millis>) {
        let mut io = self.inner.io.borrow_mut();
        match (want, &io.timer) {
            (None, Some(_)) => io.timer = None,
            (Some(at), current) if current.as_ref().map_or(true, |t| at < t.at) => {
                // The one it replaces is cleared as it is dropped.
                io.timer = None;
                // setTimeout fires at once for delays over 2^31 − 1 ms; a far deadline is reached in steps
                // (an early wake-up finds nothing due and arms the timer again).
                let delay = at.saturating_sub(now_ms()).min(MAX_TIMER_MS) as u32;
                let target = self.inner.weak.clone();
                io.timer = Some(Timer { _handle: Timeout::new(delay, move || timer_fired(&target)), at });
            }
            _ => {}
        }
    }
}


impl<H: Host> Target for Inner<H> {
    /// Every platform input is a call into the module: listeners hear what it produced when it has returned
    /// (docs/contract.md, "Re-entrancy and lifetimes"). The sink's methods are bracketed on the JS side
    /// (`guarded_sink`); the timer brackets itself (`timer_fired`).
    fn input(self: Rc<Self>, now: Millis, input: PlatformInput) {
        let driver = Driver { inner: self };
        driver.enter(now);
        driver.on_input(now, input);
        driver.leave();
    }
}
