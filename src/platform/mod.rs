//! The platform layer: runs the [`core`](crate::core) engine on a real socket.
//!
//! [`Driver`] owns one engine, the live connection (a wx-style `SocketTask` or a `WebSocket`), the one
//! timer and the app-lifecycle listeners, and performs the engine's outputs. What happens with
//! events, messages and request replies is up to its [`Host`]: the JS class emits them to listeners,
//! the Rust client sends them down channels.
//!
//! Callbacks from JavaScript reach Rust through one long-lived closure per client (the "sink"), wrapped
//! in a JS guard that is released when the driver is dropped. A `SocketTask` has no way to remove a
//! listener, so a late callback from an old task arrives with that task's id and the engine ignores it;
//! no closure is created per task, per timer or per message.

mod bindings;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use crate::core::text::cat;
use crate::core::{check_url, redact_in, redact_url, Config, Engine, ErrorCode, Event, Inbound, Millis, Output, Payload, RequestHandle, TaskId};

pub(crate) use bindings::*;

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

    /// A binary frame of `len` bytes.
    pub fn binary(buf: JsValue, len: usize) -> Frame {
        Frame { data: buf, len, text: false }
    }

    /// A frame from a string, `ArrayBuffer` or typed array (copied as its own bytes); `None` otherwise.
    pub fn raw(data: &JsValue) -> Option<Frame> {
        match frame_kind(data) {
            0 | 1 => Some(Frame::encoded(data.clone())),
            2 => Some(Frame::encoded(own_bytes(data))),
            _ => None,
        }
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
    /// Its length in UTF-16 units, when there is one: frames of another length are no pong.
    pub pong_len: Option<usize>,
    /// `heartbeat.isPong`.
    pub is_pong: Option<Function>,
    /// `reconnect.shouldReconnect`, asked by the driver outside any engine call.
    pub should_reconnect: Option<Function>,
    /// `requestIdField` as a JS string.
    pub id_field: JsValue,
    /// `lifecycle`.
    pub lifecycle: bool,
    /// `logger`.
    pub logger: Option<Function>,
}

/// What the driver reports to its owner.
pub trait Host: 'static {
    /// An event. `extra` is the open handshake's headers for `Open`, the raw text for a `DECODE` error,
    /// undefined otherwise.
    fn event(&self, event: &Event, extra: &JsValue);
    /// A decoded message for `message` listeners.
    fn message(&self, data: JsValue);
    /// A text frame to decode as JSON and deliver as [`Host::message`]; false (and nothing delivered)
    /// when it is not JSON. The JS class does both in one call out of the module.
    fn message_json(&self, text: &JsValue) -> bool {
        match decode_json(text) {
            Ok(v) => {
                self.message(v);
                true
            }
            Err(_) => false,
        }
    }
    /// A reply settles a request.
    fn resolve(&self, request: RequestHandle, data: JsValue);
    /// A request failed.
    fn reject(&self, request: RequestHandle, code: ErrorCode);
    /// A request's reply was an error reply (see [`is_error_reply`]): reject with `REMOTE_ERROR`
    /// carrying the reply's `error` member.
    fn reject_remote(&self, request: RequestHandle, reply: JsValue);
}

/// The default error test for replies: a JSON-RPC 2.0 reply (`jsonrpc: "2.0"`) with an `error` member.
pub fn is_error_reply(reply: &JsValue) -> bool {
    let version = Reflect::get(reply, &JsValue::from_str("jsonrpc")).ok().and_then(|v| v.as_string());
    version.as_deref() == Some("2.0") && Reflect::has(reply, &JsValue::from_str("error")).unwrap_or(false)
}

/// Kinds of sink calls (src/js/sink.js).
mod kind {
    pub const OPEN: u32 = 0;
    pub const MESSAGE: u32 = 1;
    pub const CLOSE: u32 = 2;
    pub const ERROR: u32 = 3;
    pub const SEND_FAILED: u32 = 4;
    pub const HIDE: u32 = 5;
    pub const SHOW: u32 = 6;
    pub const NETWORK: u32 = 7;
    pub const TIMER: u32 = 8;
    pub const URL_OK: u32 = 9;
    pub const URL_FAILED: u32 = 10;
}

type SinkFn = dyn FnMut(u32, u32, JsValue, JsValue, f64, f64);

struct Conn {
    task: TaskId,
    /// In an `Rc`: sending clones the handle out of the borrow (the platform may call back into the
    /// driver from inside `send`), and an `Rc` clone stays inside the module.
    handle: Rc<Connection>,
}

struct Timer {
    handle: JsValue,
    at: Millis,
}

struct Io {
    engine: Engine<Frame>,
    setup: Setup,
    conn: Option<Conn>,
    open_header: JsValue,
    last_url: String,
    timer: Option<Timer>,
    lifecycle: Option<JsValue>,
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
    /// The guarded JS function every platform callback goes through.
    sink: JsValue,
    /// Keeps the Rust side of the sink alive; dropped after the guard is released.
    _closure: Closure<SinkFn>,
    draining: Cell<bool>,
}

impl<H> Drop for Inner<H> {
    fn drop(&mut self) {
        release(&self.sink);
        let io = self.io.get_mut();
        if let Some(t) = io.timer.take() {
            timer_clear(&t.handle);
        }
        if let Some(w) = io.lifecycle.take() {
            stop_lifecycle(&w);
        }
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
    now_from(now())
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
            let weak = weak.clone();
            let closure = Closure::<SinkFn>::new(move |gen: u32, k: u32, a: JsValue, b: JsValue, t: f64, n: f64| {
                if let Some(inner) = weak.upgrade() {
                    Driver { inner }.on_sink(gen, k, a, b, t, n);
                }
            });
            let sink = guard(closure.as_ref());
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
                }),
                sink,
                _closure: closure,
                draining: Cell::new(false),
            }
        });
        let driver = Driver { inner };
        if lifecycle && !driver.inner.io.borrow().engine.is_closed_by_user() {
            driver.watch_lifecycle();
        }
        driver.drain();
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
        let r = {
            let mut io = self.inner.io.borrow_mut();
            f(&mut io.engine, now)
        };
        self.drain();
        r
    }

    /// Reads the engine without performing anything.
    pub fn read<R>(&self, f: impl FnOnce(&Engine<Frame>) -> R) -> R {
        f(&self.inner.io.borrow().engine)
    }

    /// The URL of the last attempt.
    pub fn last_url(&self) -> String {
        self.inner.io.borrow().last_url.clone()
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
        let w = self.inner.io.borrow_mut().lifecycle.take();
        if let Some(w) = w {
            stop_lifecycle(&w);
        }
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
        let w = watch_lifecycle(&platform, &self.inner.sink);
        self.inner.io.borrow_mut().lifecycle = Some(w);
    }

    /// Performs every pending output, then keeps the one timer in step with the next deadline.
    /// Re-entrant calls (a listener calling `send`) only queue; the outermost loop performs.
    fn drain(&self) {
        if self.inner.draining.replace(true) {
            return;
        }
        loop {
            let out = self.inner.io.borrow_mut().engine.poll();
            match out {
                Some(o) => self.perform(o),
                None => {
                    self.sync_timer();
                    // sync_timer performs no engine input; nothing new can be queued by it.
                    break;
                }
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
                        let msg = describe(&e);
                        self.inner.io.borrow_mut().engine.send_failed(now_ms(), task, &msg);
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
            Output::Abort { task, reason } => {
                if let Some(c) = self.take_conn(task) {
                    if let Err(e) = c.handle.abort(&reason) {
                        self.log("warn", "aborting the socket failed", "error", &JsValue::from_str(&describe(&e)));
                    }
                }
            }
            Output::Timer { .. } => {}
            Output::Event(ev) => {
                self.log_event(&ev);
                let header = match ev {
                    Event::Open { .. } => self.inner.io.borrow().open_header.clone(),
                    _ => JsValue::UNDEFINED,
                };
                self.inner.host.event(&ev, &header);
            }
            Output::Reject { request, code } => self.inner.host.reject(request, code),
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

    /// An event to the logger (src/js/log.js `logEvent` picks level, message and fields), the URL redacted.
    fn log_event(&self, ev: &Event) {
        let logger = self.inner.io.borrow().setup.logger.clone();
        if let Some(logger) = logger {
            let url = match ev {
                Event::Open { .. } => redact_url(&self.last_url()),
                _ => String::new(),
            };
            let (kind, s, t, a, b, _) = event_parts(ev);
            log_event(&logger, kind, s, t, a, b, &url);
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
        self.inner.io.borrow_mut().engine.attempt_failed(now_ms(), task, msg);
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
        match open_connection(&platform, &url, &header, &protocols, timeout, &self.inner.sink, task.0) {
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
            Err(e) => self.attempt_failed(task, &redact_in(&describe(&e), &url)),
        }
    }

    fn on_sink(&self, gen: u32, k: u32, a: JsValue, b: JsValue, t: f64, n: f64) {
        let now = now_from(t);
        let task = TaskId(gen);
        match k {
            kind::OPEN => {
                let mut io = self.inner.io.borrow_mut();
                if io.engine.task() == Some(task) {
                    io.open_header = a;
                }
                io.engine.task_opened(now, task);
            }
            kind::MESSAGE => self.on_message(now, task, a, n),
            kind::CLOSE => {
                let code = a.as_f64().filter(|c| c.is_finite() && *c >= 0.0 && *c <= 65535.0).map_or(1006, |c| c as u16);
                let reason = b.as_string().unwrap_or_default();
                let ask = {
                    let mut io = self.inner.io.borrow_mut();
                    if io.conn.as_ref().is_some_and(|c| c.task == task) {
                        io.conn = None;
                    }
                    let f = io.setup.should_reconnect.clone();
                    f.filter(|_| io.engine.asks_should_reconnect(task))
                };
                // Page code runs here with no borrow held: it may read the client or call close().
                let reconnect = ask.map_or(true, |f| ask_should_reconnect(&f, code, &reason));
                self.inner.io.borrow_mut().engine.task_closed_answered(now, task, code, &reason, reconnect);
            }
            kind::ERROR => {
                // The platform's text may quote the URL, query string and all.
                let msg = redact_in(&a.as_string().unwrap_or_default(), &self.last_url());
                self.inner.io.borrow_mut().engine.task_error(now, task, &msg);
            }
            kind::SEND_FAILED => {
                let msg = a.as_string().unwrap_or_default();
                self.inner.io.borrow_mut().engine.send_failed(now, task, &msg);
            }
            kind::HIDE => self.inner.io.borrow_mut().engine.app_hidden(now),
            kind::SHOW => self.inner.io.borrow_mut().engine.app_shown(now),
            // `a`: true or false (src/js/lifecycle.js).
            kind::NETWORK => self.inner.io.borrow_mut().engine.network_changed(now, a.is_truthy()),
            kind::URL_OK | kind::URL_FAILED => {
                let waiting = {
                    let io = self.inner.io.borrow();
                    io.engine.task() == Some(task) && io.conn.is_none()
                };
                if waiting {
                    match (k, a.as_string()) {
                        (kind::URL_OK, Some(url)) => self.connect_checked(task, url),
                        (kind::URL_OK, None) => self.attempt_failed(task, "the url function's promise resolved to a non-string"),
                        _ => self.attempt_failed(
                            task,
                            &cat(&["the url function's promise rejected: ", &a.as_string().unwrap_or_default()]),
                        ),
                    }
                }
            }
            kind::TIMER => {
                let mut io = self.inner.io.borrow_mut();
                io.timer = None;
                io.engine.handle_timeout(now);
            }
            _ => {}
        }
        self.drain();
    }

    /// `n`: the frame's `frameLength`, which the platform code passes along with a message (NaN if not).
    fn on_message(&self, now: Millis, task: TaskId, data: JsValue, n: f64) {
        // frameLength tells string (even) from ArrayBuffer (odd) and gives the length.
        let n = if n.is_nan() { frame_length(&data) } else { n };
        let text = n >= 0.0 && n % 2.0 == 0.0;
        let len = if n < 0.0 { 0 } else { (n / 2.0) as usize };
        let verdict = {
            let mut io = self.inner.io.borrow_mut();
            let max = io.engine.config().max_message_bytes;
            // UTF-8 size is between 1 and 3 bytes per UTF-16 unit: scan only when the bound decides nothing.
            let size = if text && len <= max && len.saturating_mul(3) > max { utf8_length(&data) as usize } else { len };
            io.engine.frame_received(now, task, size)
        };
        if verdict != Inbound::Decode {
            return;
        }
        if !text {
            // Binary frames are always delivered as ArrayBuffer (views from odd platforms are copied).
            let data = if n < 0.0 && frame_kind(&data) == 2 { own_bytes(&data) } else { data };
            self.deliver(data);
            return;
        }
        let (codec, pong, is_pong, pending) = {
            let io = self.inner.io.borrow();
            let s = &io.setup;
            let pong = if s.pong_len == Some(len) { Some(s.pong.clone()) } else { None };
            (s.codec, pong, s.is_pong.clone(), io.engine.pending_requests() > 0)
        };
        if pong.is_some_and(|p| data == p) {
            self.inner.io.borrow_mut().engine.pong_received(now);
            return;
        }
        if codec == Codec::Json && is_pong.is_none() && !pending {
            // The common case: decoded and delivered on the JS side in one call.
            if !self.inner.host.message_json(&data) {
                // The error path only: parsed again here for the parser's description.
                let why = decode_json(&data).err().map(|e| describe(&e)).unwrap_or_default();
                self.decode_failed(&data, &why);
            }
            return;
        }
        let decoded = match codec {
            Codec::Text => data,
            Codec::Json => match decode_json(&data) {
                Ok(v) => v,
                Err(e) => {
                    self.decode_failed(&data, &describe(&e));
                    return;
                }
            },
        };
        if let Some(f) = is_pong {
            if f.call1(&JsValue::NULL, &decoded).map(|v| v.is_truthy()).unwrap_or(false) {
                self.inner.io.borrow_mut().engine.pong_received(now);
                return;
            }
        }
        if pending && decoded.is_object() {
            // Cloned only here: a JsValue clone is a call out of the module.
            let id_field = self.inner.io.borrow().setup.id_field.clone();
            if let Ok(id) = Reflect::get(&decoded, &id_field) {
                if let Some(key) = id_key(&id) {
                    let hit = self.inner.io.borrow_mut().engine.reply_received(now, &key);
                    if let Some(h) = hit {
                        if is_error_reply(&decoded) {
                            self.inner.host.reject_remote(h, decoded);
                        } else {
                            self.inner.host.resolve(h, decoded);
                        }
                        return;
                    }
                }
            }
        }
        self.deliver(decoded);
    }

    /// A text frame that is not JSON: a `DECODE` error event, nothing delivered.
    fn decode_failed(&self, data: &JsValue, why: &str) {
        let message = cat(&["a text frame was not valid JSON (", why, "); it was not delivered"]);
        let ev = Event::Error { code: ErrorCode::Decode, message, err_msg: None };
        self.log_event(&ev);
        // The raw text travels as the event's extra value (`raw` in the payload).
        self.inner.host.event(&ev, data);
    }

    fn deliver(&self, data: JsValue) {
        self.inner.host.message(data);
    }

    fn sync_timer(&self) {
        let mut io = self.inner.io.borrow_mut();
        let want = io.engine.next_deadline();
        match (want, &io.timer) {
            (None, Some(_)) => {
                if let Some(t) = io.timer.take() {
                    timer_clear(&t.handle);
                }
            }
            (Some(at), current) if current.as_ref().map_or(true, |t| at < t.at) => {
                if let Some(t) = io.timer.take() {
                    timer_clear(&t.handle);
                }
                // setTimeout fires at once for delays over 2^31 − 1 ms; a far deadline is reached in steps
                // (an early wake-up finds nothing due and arms the timer again).
                let delay = at.saturating_sub(now_ms()).min(MAX_TIMER_MS) as f64;
                let handle = timer_set(&self.inner.sink, delay);
                io.timer = Some(Timer { handle, at });
            }
            _ => {}
        }
    }
}

/// An event as plain values for src/js (`Emitter.prototype.event`, `logEvent`), which builds its
/// payload and log fields: `(kind, s, t, a, b, c)` with kind 0 `state` (s from, t to), 1 `open` (a attempt,
/// b reconnected as 1 or 0), 2 `close` (s reason, a code, b willReconnect, c delayMs or -1 for none),
/// 3 `reconnecting` (a attempt, b delayMs), 4 `error` (s code, t message, a 1 when there is an errMsg).
pub fn event_parts(ev: &Event) -> (u32, &str, &str, f64, f64, f64) {
    match ev {
        Event::State { from, to } => (0, from.as_str(), to.as_str(), 0.0, 0.0, 0.0),
        Event::Open { attempt, reconnected } => (1, "", "", *attempt as f64, *reconnected as u8 as f64, 0.0),
        Event::Close { code, reason, will_reconnect, delay_ms } => {
            (2, reason, "", *code as f64, *will_reconnect as u8 as f64, delay_ms.map_or(-1.0, |d| d as f64))
        }
        Event::Reconnecting { attempt, delay_ms } => (3, "", "", *attempt as f64, *delay_ms as f64, 0.0),
        Event::Error { code, message, err_msg } => (4, code.as_str(), message, err_msg.is_some() as u8 as f64, 0.0, 0.0),
    }
}

/// The key a request id is matched by: numbers and strings, kept apart (`7` is not `"7"`).
pub fn id_key(id: &JsValue) -> Option<String> {
    request_key(id).as_string()
}
