//! `Client<In, Out>`: the same client for Rust code compiled to wasm32. Frames are JSON: `Out` is
//! serialised, `In` deserialised (serde-wasm-bindgen); events arrive as a [`Stream`](futures_core::Stream);
//! `request` is a future.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wxsocket::core::Error> {
//! use futures_util::StreamExt;
//! use wxsocket::{Client, ClientEvent, ClientOptions};
//! #[derive(serde::Serialize)] struct Hello { hi: u32 }
//! #[derive(serde::Deserialize, Debug)] struct Reply { id: u64, ok: bool }
//! let client: Client<serde_json::Value, Hello> = Client::new(ClientOptions::new("wss://chat.example.com/ws"))?;
//! let mut events = client.events();
//! client.send(&Hello { hi: 1 })?;
//! let reply: Reply = client.request(&Hello { hi: 2 }).await?;
//! while let Some(ev) = events.next().await {
//!     if let ClientEvent::Message(m) = ev { /* ... */ }
//! }
//! # Ok(()) }
//! ```

use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_channel::{mpsc, oneshot};
use js_sys::Reflect;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::core::defaults as d;
use crate::core::{
    check_header, check_url, Backoff, Config, Error, ErrorCode, Event, Heartbeat, QueueLimits, RequestHandle, State,
};
use crate::platform::{
    detect_platform, describe, encode_json, is_platform, Codec, Driver, EventDetail, Frame, Host, Setup, UrlSource,
};
pub use crate::platform::ShouldReconnect;

/// Heartbeat settings for the Rust client (`heartbeat` option).
#[derive(Clone, Debug)]
pub struct HeartbeatOptions {
    /// Time between pings while nothing arrives.
    pub interval_ms: u64,
    /// Time to wait for a pong (or any frame) after a ping.
    pub timeout_ms: u64,
    /// The ping text.
    pub message: String,
    /// The pong text.
    pub pong: String,
}

impl Default for HeartbeatOptions {
    fn default() -> Self {
        HeartbeatOptions {
            interval_ms: d::HEARTBEAT_INTERVAL_MS,
            timeout_ms: d::HEARTBEAT_TIMEOUT_MS,
            message: d::HEARTBEAT_MESSAGE.into(),
            pong: d::HEARTBEAT_PONG.into(),
        }
    }
}

/// Options of [`Client::new`]; the same names and defaults as the JS options.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// `ws://` or `wss://` URL.
    pub url: String,
    /// Handshake headers.
    pub header: Vec<(String, String)>,
    /// Subprotocols.
    pub protocols: Vec<String>,
    /// A platform object (`wx`, …) or WebSocket constructor; `None` finds one among the globals.
    pub platform: Option<JsValue>,
    /// `connectTimeoutMs`.
    pub connect_timeout_ms: u64,
    /// `reconnect`; `None` disables it.
    pub reconnect: Option<Backoff>,
    /// `reconnect.shouldReconnect`: asked after each close by the server (with reconnect on); `false` stops
    /// the client. `None`: every close is retried.
    pub should_reconnect: Option<ShouldReconnect>,
    /// `heartbeat`; `None` disables it.
    pub heartbeat: Option<HeartbeatOptions>,
    /// `queue`.
    pub queue: QueueLimits,
    /// `maxMessageBytes`.
    pub max_message_bytes: usize,
    /// `requestTimeoutMs`.
    pub request_timeout_ms: u64,
    /// `requestIdField`.
    pub request_id_field: String,
    /// `lifecycle`.
    pub lifecycle: bool,
    /// `allowInsecure`.
    pub allow_insecure: bool,
    /// `startClosed`.
    pub start_closed: bool,
}

impl ClientOptions {
    /// Defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        ClientOptions {
            url: url.into(),
            header: Vec::new(),
            protocols: Vec::new(),
            platform: None,
            connect_timeout_ms: d::CONNECT_TIMEOUT_MS,
            reconnect: Some(Backoff::default()),
            should_reconnect: None,
            heartbeat: None,
            queue: QueueLimits::default(),
            max_message_bytes: d::MAX_MESSAGE_BYTES,
            request_timeout_ms: d::REQUEST_TIMEOUT_MS,
            request_id_field: d::REQUEST_ID_FIELD.into(),
            lifecycle: d::LIFECYCLE,
            allow_insecure: d::ALLOW_INSECURE,
            start_closed: d::START_CLOSED,
        }
    }
}

/// What the event stream yields: the engine's events, and the messages decoded as `In`.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientEvent<In> {
    /// State changes, open, close, reconnecting and errors, exactly as the engine reports them.
    /// A message that does not fit `In` arrives as an `Event::Error` with code `DECODE`.
    Event(Event),
    /// A decoded message.
    Message(In),
    /// A binary frame.
    Binary(Vec<u8>),
}

/// A pending request: where its outcome goes, and its id (a key of `RustHost::ids`).
type Pending = (oneshot::Sender<Result<JsValue, Error>>, JsValue);

struct RustHost<In> {
    subscribers: RefCell<Vec<mpsc::UnboundedSender<ClientEvent<In>>>>,
    requests: RefCell<HashMap<u32, Pending>>,
    /// The pending requests' ids, id -> handle, as the JS class keeps them (src/js/emitter.js `ids`):
    /// src/js/inbound.js hands a frame carrying one in as its request's reply.
    ids: js_sys::Map,
}

impl<In: DeserializeOwned + Clone + 'static> RustHost<In> {
    fn publish(&self, ev: ClientEvent<In>) {
        self.subscribers.borrow_mut().retain(|s| s.unbounded_send(ev.clone()).is_ok());
    }

    /// Settles request `request` with `outcome`, if it is pending; its id is no longer pending.
    fn settle(&self, request: RequestHandle, outcome: impl FnOnce() -> Result<JsValue, Error>) {
        let pending = self.requests.borrow_mut().remove(&request.0);
        if let Some((tx, id)) = pending {
            self.ids.delete(&id);
            let _ = tx.send(outcome());
        }
    }
}

impl<In: DeserializeOwned + Clone + 'static> Host for RustHost<In> {
    fn event(&self, event: &Event, _detail: &EventDetail) {
        self.publish(ClientEvent::Event(event.clone()));
    }

    fn message(&self, data: JsValue) {
        if crate::platform::frame_kind(&data) == 1 {
            let bytes = js_sys::Uint8Array::new(&data).to_vec();
            self.publish(ClientEvent::Binary(bytes));
            return;
        }
        match serde_wasm_bindgen::from_value::<In>(data) {
            Ok(m) => self.publish(ClientEvent::Message(m)),
            Err(e) => self.publish(ClientEvent::Event(Event::Error {
                code: ErrorCode::Decode,
                message: format!("a message did not fit the In type: {e}"),
                err_msg: None,
                count: None,
            })),
        }
    }

    fn resolve(&self, request: RequestHandle, data: JsValue) {
        self.settle(request, || Ok(data));
    }

    fn reject(&self, request: RequestHandle, code: ErrorCode) {
        self.settle(request, || Err(Error::new(code, "the request failed")));
    }

    fn reject_remote(&self, request: RequestHandle, reply: JsValue) {
        self.settle(request, || {
            // The server's error object, as JSON text, is the message.
            let remote = js_sys::Reflect::get(&reply, &JsValue::from_str("error")).unwrap_or(JsValue::UNDEFINED);
            let text = js_sys::JSON::stringify(&remote).ok().and_then(|s| s.as_string()).unwrap_or_default();
            Err(Error::new(ErrorCode::RemoteError, text))
        });
    }

    fn pending_ids(&self) -> JsValue {
        self.ids.clone().into()
    }
}

/// The typed client: `Out` goes out as JSON, `In` comes back.
pub struct Client<In, Out> {
    driver: Driver<RustHost<In>>,
    request_timeout_ms: u64,
    _out: PhantomData<fn(Out)>,
}

/// The stream of [`ClientEvent`]s, from [`Client::events`].
pub struct Events<In> {
    rx: mpsc::UnboundedReceiver<ClientEvent<In>>,
}

impl<In> futures_core::Stream for Events<In> {
    type Item = ClientEvent<In>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.rx).poll_next(cx)
    }
}

fn invalid(m: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidOption, m)
}

impl<In: DeserializeOwned + Clone + 'static, Out: Serialize> Client<In, Out> {
    /// Checks the options and starts connecting (unless `start_closed`).
    pub fn new(options: ClientOptions) -> Result<Self, Error> {
        check_url(&options.url, options.allow_insecure)?;
        let header = js_sys::Object::new();
        for (k, v) in &options.header {
            check_header(k, v)?;
            let _ = Reflect::set(&header, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        let platform = match options.platform {
            Some(p) if is_platform(&p) => p,
            Some(_) => return Err(invalid("platform must be an object with connectSocket or a WebSocket constructor")),
            None => {
                let p = detect_platform();
                if p.is_undefined() {
                    return Err(Error::new(ErrorCode::NoPlatform, "no socket platform found; set ClientOptions::platform"));
                }
                p
            }
        };
        if options.request_id_field.is_empty() || options.request_timeout_ms == 0 || options.max_message_bytes == 0 {
            return Err(invalid("request_id_field must not be empty; request_timeout_ms and max_message_bytes must be positive"));
        }
        let protocols = if options.protocols.is_empty() {
            JsValue::UNDEFINED
        } else {
            options.protocols.iter().map(|p| JsValue::from_str(p)).collect::<js_sys::Array>().into()
        };
        let (heartbeat, pong) = match &options.heartbeat {
            Some(h) => (
                Some(Heartbeat { interval_ms: h.interval_ms, timeout_ms: h.timeout_ms, ping: Frame::text(JsValue::from_str(&h.message)) }),
                JsValue::from_str(&h.pong),
            ),
            None => (None, JsValue::UNDEFINED),
        };
        let config = Config {
            connect_timeout_ms: options.connect_timeout_ms,
            reconnect: options.reconnect,
            heartbeat,
            queue: options.queue,
            max_message_bytes: options.max_message_bytes,
            start_closed: options.start_closed,
        };
        config.validate()?;
        let setup = Setup {
            platform,
            url: UrlSource::Fixed(options.url),
            allow_insecure: options.allow_insecure,
            header: if options.header.is_empty() { JsValue::UNDEFINED } else { header.into() },
            protocols,
            codec: Codec::Json,
            pong,
            is_pong: None,
            is_error: None,
            // The durable outbox is the JS class's (`queue.persist`); the Rust client keeps its queue in memory.
            persist_key: None,
            // The option exists only with reconnect on, as for the JS class.
            should_reconnect: options.should_reconnect.filter(|_| config.reconnect.is_some()),
            id_field: JsValue::from_str(&options.request_id_field),
            lifecycle: options.lifecycle,
            logger: None,
        };
        let host = RustHost { subscribers: RefCell::new(Vec::new()), requests: RefCell::new(HashMap::new()), ids: js_sys::Map::new() };
        let seed = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        Ok(Client { driver: Driver::new(config, setup, host, seed), request_timeout_ms: options.request_timeout_ms, _out: PhantomData })
    }

    /// A new stream of every event from now on. Each call gives an independent stream.
    pub fn events(&self) -> Events<In> {
        let (tx, rx) = mpsc::unbounded();
        self.driver.host().subscribers.borrow_mut().push(tx);
        Events { rx }
    }

    fn encode(value: &impl Serialize) -> Result<(JsValue, Frame), Error> {
        let js = value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| Error::new(ErrorCode::Serialize, format!("cannot serialise: {e}")))?;
        let text = encode_json(&js).map_err(|e| Error::new(ErrorCode::Serialize, format!("cannot encode as JSON: {}", describe(&e))))?;
        Ok((js, Frame::text(text)))
    }

    /// Sends `data` as JSON: `Ok(true)` handed to the socket now, `Ok(false)` queued.
    pub fn send(&self, data: &Out) -> Result<bool, Error> {
        let (_, frame) = Self::encode(data)?;
        self.driver.with_engine(|e, now| e.send(now, frame)).map_err(|c| Error::new(c, "send failed"))
    }

    /// Sends bytes as a binary frame.
    pub fn send_binary(&self, bytes: &[u8]) -> Result<bool, Error> {
        let buf = js_sys::Uint8Array::from(bytes).buffer();
        let frame = Frame::binary(buf.into(), bytes.len());
        self.driver.with_engine(|e, now| e.send(now, frame)).map_err(|c| Error::new(c, "send failed"))
    }

    /// Sends `data` (which must serialise to a JSON object) with a fresh id and waits for the reply
    /// carrying it, with the default timeout.
    pub async fn request<R: DeserializeOwned>(&self, data: &Out) -> Result<R, Error> {
        self.request_with_timeout(data, self.request_timeout_ms).await
    }

    /// `request` with its own timeout.
    pub async fn request_with_timeout<R: DeserializeOwned>(&self, data: &Out, timeout_ms: u64) -> Result<R, Error> {
        let js = data
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| Error::new(ErrorCode::Serialize, format!("cannot serialise: {e}")))?;
        if !js.is_object() || js_sys::Array::is_array(&js) {
            return Err(Error::new(ErrorCode::Serialize, "a request must serialise to a JSON object, to carry its id"));
        }
        let (key, id) = self.driver.request_id_of(&js)?;
        let text = encode_json(&js).map_err(|e| Error::new(ErrorCode::Serialize, describe(&e)))?;
        let (tx, rx) = oneshot::channel();
        let host = self.driver.host();
        let mut tx = Some(tx);
        // Registered inside the engine call, before the outputs are performed (a rejection, drop-newest,
        // may come at once), as the JS class does (src/js_api).
        self.driver
            .with_engine(|e, now| {
                let r = e.request(now, key, Frame::text(text), timeout_ms);
                if let (Ok(h), Some(tx)) = (&r, tx.take()) {
                    host.ids.set(&id, &JsValue::from(h.0));
                    host.requests.borrow_mut().insert(h.0, (tx, id.clone()));
                }
                r
            })
            .map_err(|c| Error::new(c, "request failed"))?;
        let reply = rx.await.map_err(|_| Error::new(ErrorCode::Closed, "the client was dropped"))??;
        serde_wasm_bindgen::from_value(reply).map_err(|e| Error::new(ErrorCode::Serialize, format!("the reply did not fit the type: {e}")))
    }

    /// Final and idempotent, as in JS.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.driver.close(code, reason)
    }

    /// Closes the current task if any, resets the retry count and connects now.
    pub fn reconnect(&self) {
        self.driver.reconnect();
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.driver.read(|e| e.state())
    }

    /// Retries since the last reset.
    pub fn retry_count(&self) -> u32 {
        self.driver.read(|e| e.retry_count())
    }

    /// Frames queued.
    pub fn queued_count(&self) -> usize {
        self.driver.read(|e| e.queued_count())
    }

    /// Counters.
    pub fn stats(&self) -> crate::core::Stats {
        self.driver.read(|e| e.stats())
    }
}
