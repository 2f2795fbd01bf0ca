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

    #[wasm_bindgen(js_name = detectPlatform)]
    pub fn detect_platform() -> JsValue;

    #[wasm_bindgen(js_name = platformKind)]
    pub fn platform_kind(p: &JsValue) -> i32;

    #[wasm_bindgen(catch, js_name = openConnection)]
    pub fn open_connection(
        platform: &JsValue,
        url: &str,
        header: &JsValue,
        protocols: &JsValue,
        timeout_ms: f64,
        sink: &JsValue,
        gen: u32,
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

    /// `JSON.parse(text)` delivered to the `message` listeners; false (nothing delivered) if not JSON.
    #[wasm_bindgen(method, js_name = emitJson)]
    pub fn emit_json(this: &Emitter, text: &JsValue) -> bool;

    /// An engine event to its listeners, its payload built from [`event_parts`](super::event_parts) and
    /// `extra` (the open handshake's headers, or a `DECODE` error's raw text); `u` is an error's errMsg.
    #[wasm_bindgen(method)]
    #[allow(clippy::too_many_arguments)]
    pub fn event(this: &Emitter, kind: u32, s: &str, t: &str, u: &str, a: f64, b: f64, c: f64, extra: &JsValue);

    /// A promise for request `handle`, settled by [`Emitter::settle`].
    #[wasm_bindgen(method)]
    pub fn defer(this: &Emitter, handle: u32) -> js_sys::Promise;

    /// Resolves (`ok`) or rejects request `handle`'s promise with `value`; nothing if it is not pending.
    #[wasm_bindgen(method)]
    pub fn settle(this: &Emitter, handle: u32, ok: bool, value: &JsValue);

    #[wasm_bindgen(method)]
    pub fn has(this: &Emitter, event: &str) -> bool;

    /// The emitter of one client; a listener that throws is reported to `logger`, or to console.error.
    #[wasm_bindgen(js_name = clientEmitter)]
    pub fn client_emitter(logger: Option<&js_sys::Function>) -> Emitter;
}

#[wasm_bindgen(module = "/src/js/sink.js")]
extern "C" {
    pub fn guard(f: &JsValue) -> JsValue;

    pub fn release(g: &JsValue);

    /// If `value` is a thenable, its outcome goes to the sink (`URL_OK`, `URL_FAILED`) and this is true.
    #[wasm_bindgen(js_name = whenSettled)]
    pub fn when_settled(value: &JsValue, sink: &JsValue, gen: u32) -> bool;

    #[wasm_bindgen(js_name = timerSet)]
    pub fn timer_set(sink: &JsValue, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = timerClear)]
    pub fn timer_clear(handle: &JsValue);

    pub fn now() -> f64;

    /// `shouldReconnect({ code, reason })` as a boolean; one that throws is taken as "yes".
    #[wasm_bindgen(js_name = askShouldReconnect)]
    pub fn ask_should_reconnect(f: &js_sys::Function, code: u16, reason: &str) -> bool;
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

    #[wasm_bindgen(js_name = ownBytes)]
    pub fn own_bytes(view: &JsValue) -> JsValue;

    #[wasm_bindgen(catch, js_name = encodeJson)]
    pub fn encode_json(v: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = decodeJson)]
    pub fn decode_json(s: &JsValue) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(module = "/src/js/requests.js")]
extern "C" {
    #[wasm_bindgen(js_name = requestKey)]
    pub fn request_key(id: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/options.js")]
extern "C" {
    /// The options object read into slots (see src/js/options.js); throws a `WxSocketError`.
    #[wasm_bindgen(catch, js_name = readOptions)]
    pub fn read_options(options: &JsValue) -> Result<js_sys::Array, JsValue>;
}

#[wasm_bindgen(module = "/src/js/log.js")]
extern "C" {
    /// `logger(level, message, { [key]: value })`; a logger that throws is ignored.
    pub fn log(logger: &js_sys::Function, level: &str, message: &str, key: &str, value: &JsValue);

    /// A warning to the logger, if there is one, for every unknown option name in `keys`.
    #[wasm_bindgen(js_name = warnUnknown)]
    pub fn warn_unknown(logger: Option<&js_sys::Function>, keys: &js_sys::Array);

    /// An event (see [`event_parts`](super::event_parts)) to the logger; `url` (redacted) for `open`.
    #[wasm_bindgen(js_name = logEvent)]
    pub fn log_event(logger: &js_sys::Function, kind: u32, s: &str, t: &str, a: f64, b: f64, url: &str);
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
