//! The JavaScript class `SocketClient`: a thin layer over the engine and the platform driver.
//! Names, defaults and semantics are those of the API contract; the TypeScript declarations are
//! written by hand in `index.d.ts` (see `types.rs`).

mod options;
mod types;

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::core::{Error, ErrorCode, Event, RequestHandle, SendOptions};
use crate::platform::{
    client_emitter, encode_frame, make_error, now_from, stats_object, warn_unknown, Codec, Driver, Emitter, EventDetail,
    Frame, Host,
};

fn js_error(e: &Error) -> JsValue {
    make_error(e.code.as_str(), &e.message)
}

fn js_code(code: ErrorCode, message: &str) -> JsValue {
    make_error(code.as_str(), message)
}

/// What the JS class does with the driver's reports: all of it goes to the client's emitter (src/js/emitter.js).
struct JsHost {
    emitter: Emitter,
}

impl Host for JsHost {
    fn event(&self, event: &Event, detail: &EventDetail) {
        let e = &self.emitter;
        match event {
            Event::State { from, to } => e.emit_state(from.as_str(), to.as_str()),
            Event::Open { attempt, reconnected } => e.emit_open(*attempt, *reconnected, detail.header, detail.url),
            Event::Close { code, reason, will_reconnect, delay_ms } => {
                e.emit_close(*code, reason, *will_reconnect, delay_ms.map(|d| d as f64))
            }
            Event::Reconnecting { attempt, delay_ms } => e.emit_reconnecting(*attempt, *delay_ms as f64),
            Event::Error { code, message, err_msg, count } => {
                e.emit_error(code.as_str(), message, err_msg.as_deref(), detail.raw, count.map(|n| n as f64))
            }
        }
    }

    fn message(&self, data: JsValue) {
        self.emitter.message(&data);
    }


    fn resolve(&self, request: RequestHandle, data: JsValue) {
        self.emitter.settle(request.0, true, &data);
    }

    fn reject(&self, request: RequestHandle, code: ErrorCode) {
        let message = match code {
            ErrorCode::Timeout => "no reply within the request's timeout",
            ErrorCode::Closed => "the client was closed before the reply came",
            ErrorCode::QueueFull => "the request was dropped from the full outgoing queue",
            _ => "the request failed",
        };
        self.emitter.settle(request.0, false, &js_code(code, message));
    }
    fn pending_ids(&self) -> JsValue {
        self.emitter.ids()
    }

    fn fast_receiver(&self) -> JsValue {
        self.emitter.clone().into()
    }

    fn reject_remote(&self, request: RequestHandle, reply: JsValue) {
        let err = js_code(ErrorCode::RemoteError, "the server answered the request with an error (see error.remote)");
        let remote = Reflect::get(&reply, &JsValue::from_str("error")).unwrap_or(JsValue::UNDEFINED);
        let _ = Reflect::set(&err, &JsValue::from_str("remote"), &remote);
        let _ = Reflect::set(&err, &JsValue::from_str("reply"), &reply);
        self.emitter.settle(request.0, false, &err);
    }
}

/// What `sendFrame` did with a frame (the package's `send` returns true, returns false, or throws
/// [`SocketClient::send_error`]).
#[wasm_bindgen(skip_typescript)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Handed to the open socket.
    Sent,
    /// Queued until the client is open.
    Queued,
    /// The client was closed with `close()`: `CLOSED`.
    Closed,
    /// The queue is full: `QUEUE_FULL`.
    QueueFull,
}

/// A WebSocket client with reconnect, heartbeat, queue and request/response.
#[wasm_bindgen(skip_typescript)]
pub struct SocketClient {
    driver: Driver<JsHost>,
    request_timeout_ms: u64,
}

#[wasm_bindgen]
impl SocketClient {
    /// `new SocketClient(options)`: throws a `WxSocketError` on bad options, before any socket exists.
    #[wasm_bindgen(constructor, skip_typescript)]
    pub fn new(options: JsValue) -> Result<SocketClient, JsValue> {
        let parsed = options::parse(&options)?;
        let host = JsHost {
            emitter: client_emitter(parsed.setup.logger.as_ref()),
        };
        let seed = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        let logger = parsed.setup.logger.clone();
        let driver = Driver::new(parsed.config, parsed.setup, host, seed);
        if parsed.resend_unconfirmed {
            driver.with_engine(|e, _| e.set_resend_unconfirmed(true));
        }
        warn_unknown(logger.as_ref(), &parsed.unknown);
        Ok(SocketClient { driver, request_timeout_ms: parsed.request_timeout_ms })
    }

    /// The package's `send(data, { ttlMs, volatile })` and `sendRaw(data)`: `frame` is what `encodeFrame`
    /// made of the data (the package's JS does that before calling in), `len` its `frameLength`, `now` its
    /// `Date.now()`; the per-frame options as the package's JS checked them (`ttl_ms` < 0: none given,
    /// `queue.ttlMs` applies; `volatile` false when not given). Reading the clock and encoding on the JS side
    /// saves three calls out of the module per message; returning an outcome rather than a `Result` saves two
    /// more (the glue's return area). A volatile frame that could not go out now is `Queued` to the caller
    /// (`send` returns false) though it was dropped.
    #[wasm_bindgen(js_name = sendFrame, skip_typescript)]
    pub fn send_frame(&self, frame: JsValue, len: f64, now: f64, ttl_ms: f64, volatile: bool) -> SendOutcome {
        let frame = Frame::measured(frame, len);
        let options = SendOptions { ttl_ms: (ttl_ms >= 0.0).then_some(ttl_ms as u64), volatile };
        match self.driver.with_engine_at(now_from(now), |e, now| e.send_with(now, frame, options)) {
            Ok(true) => SendOutcome::Sent,
            Ok(false) => SendOutcome::Queued,
            Err(ErrorCode::Closed) => SendOutcome::Closed,
            Err(_) => SendOutcome::QueueFull,
        }
    }

    /// The next id for `messageIdField` (1, 2, 3, …, continuing after a restored outbox's).
    #[wasm_bindgen(js_name = nextMessageId, skip_typescript)]
    pub fn next_message_id(&self, now: f64) -> f64 {
        self.driver.with_engine_at(now_from(now), |e, now| e.fresh_message_id(now)) as f64
    }

    /// The typed error of a `sendFrame` outcome that is one (`Closed`, `QueueFull`).
    #[wasm_bindgen(js_name = sendError, skip_typescript)]
    pub fn send_error(outcome: SendOutcome) -> JsValue {
        let code = match outcome {
            SendOutcome::Closed => ErrorCode::Closed,
            _ => ErrorCode::QueueFull,
        };
        js_code(code, send_error_message(code))
    }

    /// `request(data, { timeoutMs })`: resolves with the reply carrying the same id.
    #[wasm_bindgen(skip_typescript)]
    pub fn request(&self, data: JsValue, options: JsValue) -> Promise {
        match self.start_request(&data, &options) {
            Ok(p) => p,
            Err(e) => Promise::reject(&e),
        }
    }

    /// `close(code = 1000, reason = '')`: final and idempotent.
    #[wasm_bindgen(skip_typescript)]
    pub fn close(&self, code: JsValue, reason: JsValue) -> Result<(), JsValue> {
        let code = if code.is_undefined() {
            1000
        } else {
            match code.as_f64() {
                Some(c) if c.fract() == 0.0 && (0.0..=65535.0).contains(&c) => c as u32,
                _ => 0,
            }
        };
        let reason = if reason.is_undefined() {
            String::new()
        } else {
            reason.as_string().ok_or_else(|| js_code(ErrorCode::InvalidOption, "close reason must be a string"))?
        };
        // Codes outside u16 were mapped to 0 above, which the engine refuses like any bad code.
        let code = u16::try_from(code).unwrap_or(0);
        self.driver.close(code, &reason).map_err(|e| js_error(&e))
    }

    /// `reconnect()`: closes the current task if any, resets the retry count and connects now.
    #[wasm_bindgen(skip_typescript)]
    pub fn reconnect(&self) {
        self.driver.reconnect();
    }

    /// The client's listener registry (src/js/emitter.js): the package's JS calls its `on`, `once`
    /// and `off` itself.
    #[wasm_bindgen(getter = __wxEmitter, skip_typescript)]
    pub fn emitter(&self) -> JsValue {
        self.driver.host().emitter.clone().into()
    }

    /// `state`.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn state(&self) -> String {
        self.driver.read(|e| e.state().as_str().to_owned())
    }

    /// `retryCount`.
    #[wasm_bindgen(getter = retryCount, skip_typescript)]
    pub fn retry_count(&self) -> u32 {
        self.driver.read(|e| e.retry_count())
    }

    /// `queuedCount`.
    #[wasm_bindgen(getter = queuedCount, skip_typescript)]
    pub fn queued_count(&self) -> u32 {
        self.driver.read(|e| e.queued_count() as u32)
    }

    /// `bufferedAmount`.
    #[wasm_bindgen(getter = bufferedAmount, skip_typescript)]
    pub fn buffered_amount(&self) -> f64 {
        self.driver.read(|e| e.buffered_amount() as f64)
    }

    /// `url`: the last URL used.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn url(&self) -> String {
        self.driver.last_url()
    }

    /// `stats`.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn stats(&self) -> JsValue {
        let s = self.driver.read(|e| e.stats());
        stats_object(
            s.connects as f64,
            s.reconnects as f64,
            s.messages_sent as f64,
            s.messages_received as f64,
            s.bytes_sent as f64,
            s.bytes_received as f64,
            s.dropped as f64,
            s.last_rtt_ms.map_or(-1.0, |r| r as f64),
        )
    }

    /// `codec`: `'json'` or `'text'` (the package's `send` reads it once, to encode on its side).
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn codec(&self) -> String {
        match self.driver.codec() {
            Codec::Text => "text".into(),
            Codec::Json => "json".into(),
        }
    }
}

impl SocketClient {
    fn encode(&self, data: &JsValue) -> Result<Frame, JsValue> {
        // One crossing: binary as is, text by the codec, or a thrown WxSocketError (SERIALIZE).
        encode_frame(data, self.driver.codec() == Codec::Text).map(Frame::encoded)
    }

    fn start_request(&self, data: &JsValue, options: &JsValue) -> Result<Promise, JsValue> {
        if !data.is_object() || js_sys::Array::is_array(data) {
            return Err(js_code(ErrorCode::InvalidOption, "request(data) takes a plain object, to carry the request id"));
        }
        // Reflect.get throws for options that are undefined, null or not an object: the default, as for
        // options without timeoutMs.
        let timeout = match Reflect::get(options, &"timeoutMs".into()).ok().filter(|v| !v.is_undefined()) {
            None => self.request_timeout_ms,
            Some(v) => match v.as_f64() {
                Some(n) if n.is_finite() && n >= 1.0 => n as u64,
                _ => return Err(js_code(ErrorCode::InvalidOption, "request options.timeoutMs must be a finite number ≥ 1")),
            },
        };
        let (key, id) = self.driver.request_id_of(data).map_err(|e| js_error(&e))?;
        let frame = self.encode(data)?;
        let emitter = &self.driver.host().emitter;
        // The promise, and the id under its handle (src/js/emitter.js `ids`), are registered inside the
        // engine call, before the outputs are performed: a rejection (drop-newest) or a reply may come at once.
        self.driver
            .with_engine(|e, now| e.request(now, key, frame, timeout).map(|h| emitter.defer(h.0, &id)))
            .map_err(|code| js_code(code, send_error_message(code)))
    }
}

fn send_error_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Closed => "the client was closed with close(); call reconnect() to use it again",
        ErrorCode::QueueFull => "the outgoing queue is full (queue.maxMessages / queue.maxBytes); nothing was queued",
        _ => "send failed",
    }
}

