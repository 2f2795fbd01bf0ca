//! Reading the `SocketClient` options object. Its shapes and types are read on the JavaScript side
//! (`readOptions` in src/js/options.js: reading a JS object there is a fraction of the code it takes through
//! the boundary), every mistake an `INVALID_OPTION` (or `INVALID_URL`, `NO_PLATFORM`) that names the
//! option; it returns the options by name, with what is missing undefined. Here the defaults are applied
//! (src/core/defaults.rs) and the values checked: the URL (`INVALID_URL`, `INSECURE_URL`), the headers, the
//! backoff and the config's ranges.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::defaults as d;
use crate::core::{check_header, check_url, Backoff, Config, Error, ErrorCode, Heartbeat, Overflow, QueueLimits};
use crate::platform::{make_error, read_options, Codec, Frame, Setup, UrlSource};

/// The parsed options.
pub struct Parsed {
    pub config: Config<Frame>,
    pub setup: Setup,
    pub request_timeout_ms: u64,
    /// The option names `readOptions` did not know (an array of strings), for the logger.
    pub unknown: Array,
}

fn js(e: Error) -> JsValue {
    make_error(e.code.as_str(), &e.message)
}

/// An object `readOptions` returned (or one of its parts), read by key.
struct Named(JsValue);

impl Named {
    fn value(&self, key: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn num(&self, key: &str) -> Option<f64> {
        self.value(key).as_f64()
    }

    fn flag(&self, key: &str, default: bool) -> bool {
        self.value(key).as_bool().unwrap_or(default)
    }

    fn func(&self, key: &str) -> Option<Function> {
        Some(self.value(key)).filter(|f| f.is_function()).map(JsCast::unchecked_into)
    }

    fn text(&self, key: &str, default: &str) -> JsValue {
        Some(self.value(key)).filter(|v| v.is_string()).unwrap_or_else(|| JsValue::from_str(default))
    }

    /// `part.key` when `part` is an object.
    fn part_value(&self, part: &str, key: &str) -> Option<JsValue> {
        self.part(part).map(|p| p.value(key))
    }

    /// A part that is an object (`reconnect`, `heartbeat`, `queue`); `None` for `false`.
    fn part(&self, key: &str) -> Option<Named> {
        Some(self.value(key)).filter(|v| v.is_object()).map(Named)
    }
}

/// Reads `options`: a thrown `WxSocketError` on any mistake.
pub fn parse(options: &JsValue) -> Result<Parsed, JsValue> {
    let o = Named(read_options(options)?);

    let allow_insecure = o.flag("allowInsecure", d::ALLOW_INSECURE);
    let url_v = o.value("url");
    let url = match url_v.as_string() {
        Some(s) => {
            check_url(&s, allow_insecure).map_err(js)?;
            UrlSource::Fixed(s)
        }
        None => UrlSource::Func(url_v.unchecked_into()),
    };
    let pairs: Array = o.value("headerPairs").unchecked_into();
    // Name, value, name, value…: strings up to the end, where get gives undefined.
    let mut i = 0;
    while let Some(name) = pairs.get(i).as_string() {
        check_header(&name, &pairs.get(i + 1).as_string().unwrap_or_default()).map_err(js)?;
        i += 2;
    }

    let (reconnect, should_reconnect) = match o.part("reconnect") {
        Some(r) => {
            let min_delay_ms = r.num("minDelayMs").unwrap_or(d::MIN_DELAY_MS);
            let b = Backoff {
                min_delay_ms,
                // Without maxDelayMs, a minDelayMs above the default cap raises the cap rather than failing.
                max_delay_ms: r.num("maxDelayMs").unwrap_or(d::MAX_DELAY_MS.max(min_delay_ms)),
                factor: r.num("factor").unwrap_or(d::FACTOR),
                jitter: r.num("jitter").unwrap_or(d::JITTER),
                // Infinity (allowed) is unlimited.
                max_retries: r.num("maxRetries").filter(|n| n.is_finite()).map(|n| n.min(u32::MAX as f64) as u32).or(d::MAX_RETRIES),
                min_uptime_ms: r.num("minUptimeMs").map_or(d::MIN_UPTIME_MS, |n| n as u64),
            };
            b.validate().map_err(|m| js(Error::new(ErrorCode::InvalidOption, m)))?;
            (Some(b), r.func("shouldReconnect"))
        }
        None => (None, None),
    };
    let (heartbeat, pong, is_pong) = match o.part("heartbeat") {
        Some(h) => {
            let beat = Heartbeat {
                interval_ms: h.num("intervalMs").map_or(d::HEARTBEAT_INTERVAL_MS, |n| n as u64),
                timeout_ms: h.num("timeoutMs").map_or(d::HEARTBEAT_TIMEOUT_MS, |n| n as u64),
                ping: Frame::encoded(h.text("message", d::HEARTBEAT_MESSAGE)),
            };
            (Some(beat), h.text("pong", d::HEARTBEAT_PONG), h.func("isPong"))
        }
        None => (None, JsValue::UNDEFINED, None),
    };
    let queue = match o.part("queue") {
        Some(q) => QueueLimits {
            max_messages: q.num("maxMessages").map_or(d::QUEUE_MAX_MESSAGES, |n| n as usize),
            max_bytes: q.num("maxBytes").map_or(d::QUEUE_MAX_BYTES, |n| n as usize),
            overflow: match q.value("overflow").as_string().as_deref() {
                Some("drop-oldest") => Overflow::DropOldest,
                Some("drop-newest") => Overflow::DropNewest,
                Some("error") => Overflow::Error,
                _ => d::QUEUE_OVERFLOW,
            },
            ttl_ms: q.num("ttlMs").map(|n| n as u64).or(d::QUEUE_TTL_MS),
            persist: q.value("persist").is_string(),
        },
        None => QueueLimits::default(),
    };
    let config = Config {
        connect_timeout_ms: o.num("connectTimeoutMs").map_or(d::CONNECT_TIMEOUT_MS, |n| n as u64),
        reconnect,
        // Asked by the driver before it reports a close, never from inside the engine (Setup).
        should_reconnect: None,
        heartbeat,
        queue,
        max_message_bytes: o.num("maxMessageBytes").map_or(d::MAX_MESSAGE_BYTES, |n| n as usize),
        start_closed: o.flag("startClosed", d::START_CLOSED),
    };
    config.validate().map_err(js)?;
    let setup = Setup {
        platform: o.value("platform"),
        url,
        allow_insecure,
        header: o.value("header"),
        protocols: o.value("protocols"),
        codec: if o.value("codec").as_string().as_deref() == Some("text") { Codec::Text } else { Codec::Json },
        pong,
        is_pong,
        is_error: o.func("isError"),
        persist_key: o.part_value("queue", "persist").filter(|k| k.is_string()),
        should_reconnect,
        id_field: o.text("requestIdField", d::REQUEST_ID_FIELD),
        lifecycle: o.flag("lifecycle", d::LIFECYCLE),
        logger: o.func("logger"),
    };
    let request_timeout_ms = o.num("requestTimeoutMs").map_or(d::REQUEST_TIMEOUT_MS, |n| n as u64);
    Ok(Parsed { config, setup, request_timeout_ms, unknown: o.value("unknown").unchecked_into() })
}
