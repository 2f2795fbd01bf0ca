//! Imports from the package's JavaScript, one block per file of `src/js/` (one concept each). Every import
//! that can throw uses `catch`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/transport.js")]
extern "C" {
    /// A connection object made by `openConnection`: `send(data)`, `close(code, reason)` and `abort(reason)`.
    #[derive(Clone, Debug)]
    pub type Connection;

    #[wasm_bindgen(method, catch)]
    pub fn send(this: &Connection, data: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    pub fn close(this: &Connection, code: u16, reason: &str) -> Result<(), JsValue>;

    /// Drops the connection without a closing handshake where the platform can (npm `ws`: `terminate`).
    #[wasm_bindgen(method, catch)]
    pub fn abort(this: &Connection, reason: &str) -> Result<(), JsValue>;

    /// The socket's `bufferedAmount`, or -1 where the platform has none (a `SocketTask`).
    #[wasm_bindgen(method, js_name = bufferedAmount)]
    pub fn buffered_amount(this: &Connection) -> f64;

    #[wasm_bindgen(js_name = detectPlatform)]
    pub fn detect_platform() -> JsValue;

    /// The names of the platforms looked for among the globals, for messages ("wx, tt, qq, uni").
    #[wasm_bindgen(js_name = platformNames)]
    pub fn platform_names() -> String;

    /// Whether a connect failure is the platform refusing the URL itself (`SyntaxError`, "invalid url").
    #[wasm_bindgen(js_name = isUrlRefusal)]
    pub fn is_url_refusal(e: &JsValue) -> bool;

    /// Whether `p` is an object with `connectSocket` (wx and its siblings), not a WebSocket constructor.
    #[wasm_bindgen(js_name = hasConnectSocket)]
    pub fn has_connect_socket(p: &JsValue) -> bool;

    /// Whether `p` can be the `platform` option: an object with `connectSocket` or a WebSocket constructor.
    #[wasm_bindgen(js_name = isPlatform)]
    pub fn is_platform(p: &JsValue) -> bool;

    #[wasm_bindgen(catch, js_name = openConnection)]
    pub fn open_connection(
        platform: &JsValue,
        url: &str,
        header: &JsValue,
        protocols: &JsValue,
        timeout_ms: f64,
        sink: &JsValue,
        inbound: &JsValue,
        task: u32,
    ) -> Result<Connection, JsValue>;
}

#[wasm_bindgen(module = "/src/js/emitter.js")]
extern "C" {
    /// The listener registry of one client, and its pending requests' promises.
    #[derive(Clone, Debug)]
    pub type Emitter;

    #[wasm_bindgen(method, catch)]
    pub fn on(this: &Emitter, event: &JsValue, listener: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    pub fn once(this: &Emitter, event: &JsValue, listener: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method)]
    pub fn off(this: &Emitter, event: &JsValue, listener: &JsValue);

    /// `data` to the `message` listeners.
    #[wasm_bindgen(method)]
    pub fn message(this: &Emitter, data: &JsValue);

    /// A call into the module begins (src/js/emitter.js): the events it produces wait for its end.
    #[wasm_bindgen(js_name = beginCall)]
    pub fn begin_call();

    /// The call ends: when it was the outermost, the events are delivered now.
    #[wasm_bindgen(js_name = endCall)]
    pub fn end_call();

    /// `sink` with every method of its class a call into the module (wrapped in JS, once per class).
    #[wasm_bindgen(js_name = guardedSink)]
    pub fn guarded_sink(sink: JsValue) -> JsValue;

    /// The `state` event (logged at debug level).
    #[wasm_bindgen(method, js_name = emitState)]
    pub fn emit_state(this: &Emitter, from: &str, to: &str);

    /// The `open` event; `url` (redacted) goes to the logger only.
    #[wasm_bindgen(method, js_name = emitOpen)]
    pub fn emit_open(this: &Emitter, attempt: u32, reconnected: bool, header: &JsValue, url: &str);

    /// The `close` event; `delay_ms` is `None` when no retry follows (`delayMs: null`).
    #[wasm_bindgen(method, js_name = emitClose)]
    pub fn emit_close(this: &Emitter, code: u16, reason: &str, will_reconnect: bool, delay_ms: Option<f64>);

    /// The `reconnecting` event.
    #[wasm_bindgen(method, js_name = emitReconnecting)]
    pub fn emit_reconnecting(this: &Emitter, attempt: u32, delay_ms: f64);

    /// The `error` event; `err_msg` is the platform's text, `raw` a `DECODE` error's frame (or undefined),
    /// `count` how many frames an error about frames not delivered is about.
    #[wasm_bindgen(method, js_name = emitError)]
    pub fn emit_error(this: &Emitter, code: &str, message: &str, err_msg: Option<&str>, raw: &JsValue, count: Option<f64>);

    /// A promise for request `handle`, whose reply carries `id` (kept among the pending ids, `ids`, until it
    /// is settled), settled by [`Emitter::settle`].
    #[wasm_bindgen(method)]
    pub fn defer(this: &Emitter, handle: u32, id: &JsValue) -> js_sys::Promise;

    /// Resolves (`ok`) or rejects request `handle`'s promise with `value`; nothing if it is not pending.
    #[wasm_bindgen(method)]
    pub fn settle(this: &Emitter, handle: u32, ok: bool, value: &JsValue);

    /// The pending requests' ids, id -> handle (a `Map`), where src/js/inbound.js looks a reply's id up.
    #[wasm_bindgen(method, getter)]
    pub fn ids(this: &Emitter) -> JsValue;

    /// The emitter of one client; a listener that throws is reported to `logger`, or to console.error.
    #[wasm_bindgen(js_name = clientEmitter)]
    pub fn client_emitter(logger: Option<&js_sys::Function>) -> Emitter;
}

#[wasm_bindgen(module = "/src/js/inbound.js")]
extern "C" {
    /// The inbound classifier of one client: frames are decoded and classified once, then fed to `sink`; a
    /// frame whose id is in `ids` (the pending requests, id -> handle) is its request's reply.
    #[wasm_bindgen(js_name = newInbound)]
    pub fn new_inbound(
        sink: &JsValue,
        text_codec: bool,
        pong: &JsValue,
        is_pong: Option<&js_sys::Function>,
        id_field: &JsValue,
        max_bytes: f64,
        is_error: Option<&js_sys::Function>,
        fast: &JsValue,
        ids: &JsValue,
    ) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/fast_path.js")]
extern "C" {
    /// The JavaScript side of a client's fast path: its block at byte `address` of `memory` (the module's
    /// memory); failed sends go to `sink`, messages to `receiver` (undefined: none on the fast path).
    #[wasm_bindgen(js_name = newFastPath)]
    pub fn new_fast_path(memory: &JsValue, address: u32, sink: &JsValue, receiver: &JsValue) -> JsValue;

    /// The client is gone: the object never touches its block again.
    #[wasm_bindgen(js_name = releaseFastPath)]
    pub fn release_fast_path(fast: &JsValue);
}

#[wasm_bindgen(module = "/src/js/outbox.js")]
extern "C" {
    /// The durable outbox of one client (`queue.persist`), in the platform's storage under its key.
    #[derive(Clone, Debug)]
    pub type Outbox;

    /// The outbox under `key` on `platform`'s storage; failed reads and writes go to `sink.storageFailed`.
    #[wasm_bindgen(js_name = newOutbox)]
    pub fn new_outbox(platform: &JsValue, key: &JsValue, sink: &JsValue) -> Outbox;

    /// What is stored: `{ frames: [{ data, expiresAt }], nextMessageId }` (`expiresAt` -1: never); empty
    /// when nothing could be read (reported to the sink).
    #[wasm_bindgen(method)]
    pub fn load(this: &Outbox) -> JsValue;

    /// One frame of the snapshot being written (`expires_at` < 0: never expires).
    #[wasm_bindgen(method)]
    pub fn add(this: &Outbox, data: &JsValue, expires_at: f64);

    /// Writes the frames added since the last commit; a write that fails (at once or later) goes to
    /// `sink.storageFailed`.
    #[wasm_bindgen(method)]
    pub fn commit(this: &Outbox, next_message_id: f64);
}

#[wasm_bindgen(module = "/src/js/callbacks.js")]
extern "C" {
    /// If `value` is a thenable, its outcome goes to `sink` (`urlResolved`, `urlRejected`) and this is true.
    #[wasm_bindgen(js_name = whenSettled)]
    pub fn when_settled(value: &JsValue, sink: &JsValue, task: u32) -> bool;

    /// `shouldReconnect({ code, reason })` as a boolean; one that throws is taken as "yes".
    #[wasm_bindgen(js_name = askShouldReconnect)]
    pub fn ask_should_reconnect(f: &js_sys::Function, code: u16, reason: &str) -> bool;

    /// Frees a client's [`Sink`](super::Sink) and turns every later call on it into a no-op.
    #[wasm_bindgen(js_name = releaseSink)]
    pub fn release_sink(sink: &JsValue);
}

#[wasm_bindgen(module = "/src/js/lifecycle.js")]
extern "C" {
    #[wasm_bindgen(js_name = watchLifecycle)]
    pub fn watch_lifecycle(platform: &JsValue, sink: &JsValue) -> JsValue;

    #[wasm_bindgen(js_name = stopLifecycle)]
    pub fn stop_lifecycle(w: &JsValue);
}

#[wasm_bindgen(module = "/src/js/codec.js")]
extern "C" {
    #[wasm_bindgen(js_name = utf8Length)]
    pub fn utf8_length(s: &JsValue) -> u32;

    #[wasm_bindgen(js_name = frameKind)]
    pub fn frame_kind(x: &JsValue) -> u32;

    #[wasm_bindgen(js_name = frameLength)]
    pub fn frame_length(x: &JsValue) -> f64;

    #[wasm_bindgen(catch, js_name = encodeFrame)]
    pub fn encode_frame(v: &JsValue, text_codec: bool) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = encodeJson)]
    pub fn encode_json(v: &JsValue) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(module = "/src/js/log.js")]
extern "C" {
    /// `logger(level, message, { [key]: value })`; a logger that throws is ignored.
    pub fn log(logger: &js_sys::Function, level: &str, message: &str, key: &str, value: &JsValue);

    /// A warning to the logger, if there is one, for every unknown option name in `keys`.
    #[wasm_bindgen(js_name = warnUnknown)]
    pub fn warn_unknown(logger: Option<&js_sys::Function>, keys: &js_sys::Array);
}

#[wasm_bindgen(module = "/src/js/stats.js")]
extern "C" {
    /// The `stats` object from its counts; `last_rtt_ms` -1 for none yet (`lastRttMs: null`).
    #[wasm_bindgen(js_name = statsObject)]
    #[allow(clippy::too_many_arguments)]
    pub fn stats_object(
        connects: f64,
        reconnects: f64,
        messages_sent: f64,
        messages_received: f64,
        bytes_sent: f64,
        bytes_received: f64,
        dropped: f64,
        last_rtt_ms: f64,
    ) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(code: &str, message: &str) -> JsValue;

    pub fn describe(e: &JsValue) -> String;
}
