//! Reading the `SocketClient` options object, by name: each option's shape and type is checked as it is
//! read (a mistake is a thrown `INVALID_OPTION` that names the option, or `INVALID_URL`, `NO_PLATFORM`),
//! its default comes from src/core/defaults.rs, and then the values are checked: the URL (`INVALID_URL`,
//! `INSECURE_URL`), the headers, the backoff and the config's ranges. Every key read here is known; the
//! others are reported to the logger as unknown.
//!
//! Adding an option: its default in src/core/defaults.rs, its field in the Rust config it belongs to
//! (`Config`, `Setup`) with the line below that reads it, and its type in src/js_api/types.rs.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::defaults as d;
use crate::core::text::cat;
use crate::core::{check_header, check_url, Backoff, Config, Error, ErrorCode, Heartbeat, Overflow, QueueLimits};
use crate::platform::{
    ask_should_reconnect, describe, detect_platform, encode_json, has_connect_socket, is_platform, log, make_error, platform_names, Codec,
    Frame, Setup, ShouldReconnect, UrlSource,
};

/// The parsed options.
pub struct Parsed {
    pub config: Config<Frame>,
    pub setup: Setup,
    pub request_timeout_ms: u64,
    /// `messageIdField` was given: the server can drop duplicates, so frames a lost connection took with it
    /// unconfirmed are sent again (the engine's at-least-once switch) instead of reported `UNCONFIRMED_LOST`.
    pub resend_unconfirmed: bool,
    /// The option names the reader did not know (an array of strings), for the logger.
    pub unknown: Array,
}

fn js(e: Error) -> JsValue {
    make_error(e.code.as_str(), &e.message)
}

fn invalid(message: &str) -> JsValue {
    make_error(ErrorCode::InvalidOption.as_str(), message)
}

/// The largest integer a JS number holds exactly: the bound of every count and duration.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// One object of the options (the options themselves, or `reconnect`, `heartbeat`, `queue`), read by key.
struct Reader<'a> {
    obj: JsValue,
    /// How its keys are named in messages: "" or "reconnect." and so on.
    path: &'static str,
    /// The top-level keys read so far (what is known).
    known: Option<&'a RefCell<Vec<&'static str>>>,
}

impl Reader<'_> {
    fn name(&self, key: &str) -> String {
        cat(&[self.path, key])
    }

    fn value(&self, key: &'static str) -> Result<JsValue, JsValue> {
        if let Some(known) = self.known {
            known.borrow_mut().push(key);
        }
        Reflect::get(&self.obj, &JsValue::from_str(key))
            .map_err(|e| invalid(&cat(&["the options could not be read: ", &describe(&e)])))
    }

    /// A number of milliseconds or a count: finite, at least `min`, at most 2^53 − 1.
    fn num(&self, key: &'static str, min: f64) -> Result<Option<f64>, JsValue> {
        let v = self.value(key)?;
        if v.is_undefined() {
            return Ok(None);
        }
        match v.as_f64() {
            Some(n) if n >= min && n <= MAX_SAFE => Ok(Some(n)),
            _ => Err(invalid(&cat(&[&self.name(key), " must be a finite number ≥ ", if min >= 1.0 { "1" } else { "0" }]))),
        }
    }

    fn flag(&self, key: &'static str, default: bool) -> Result<bool, JsValue> {
        let v = self.value(key)?;
        if v.is_undefined() {
            return Ok(default);
        }
        v.as_bool().ok_or_else(|| invalid(&cat(&[&self.name(key), " must be true or false"])))
    }

    fn func(&self, key: &'static str) -> Result<Option<Function>, JsValue> {
        let v = self.value(key)?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        if v.is_function() {
            return Ok(Some(v.unchecked_into()));
        }
        Err(invalid(&cat(&[&self.name(key), " must be a function"])))
    }

    /// A string as it is, any other JSON value as its JSON text, or the default.
    fn text(&self, key: &'static str, default: &str) -> Result<JsValue, JsValue> {
        let v = self.value(key)?;
        if v.is_undefined() {
            return Ok(JsValue::from_str(default));
        }
        if v.is_string() {
            return Ok(v);
        }
        encode_json(&v).map_err(|_| invalid(&cat(&[&self.name(key), " must be a string or a JSON value"])))
    }

    /// A nested object as a reader of its own.
    fn part(&self, obj: JsValue, path: &'static str) -> Reader<'static> {
        Reader { obj, path, known: None }
    }
}

fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !Array::is_array(v)
}

/// Reads `options`: a thrown `WxSocketError` on any mistake.
pub fn parse(options: &JsValue) -> Result<Parsed, JsValue> {
    if !options.is_object() {
        return Err(invalid("new SocketClient(options): options must be an object with at least { url }"));
    }
    let known = RefCell::new(Vec::new());
    let o = Reader { obj: options.clone(), path: "", known: Some(&known) };

    let allow_insecure = o.flag("allowInsecure", d::ALLOW_INSECURE)?;
    let url_v = o.value("url")?;
    let url = match url_v.as_string() {
        Some(s) => {
            check_url(&s, allow_insecure).map_err(js)?;
            UrlSource::Fixed(s)
        }
        None if url_v.is_function() => UrlSource::Func(url_v.unchecked_into()),
        None => {
            return Err(make_error(
                ErrorCode::InvalidUrl.as_str(),
                "url is required: a ws:// or wss:// string, or a function returning one (or a promise of one)",
            ))
        }
    };

    let header = o.value("header")?;
    if !header.is_undefined() {
        if !is_plain_object(&header) {
            return Err(invalid("header must be an object of string values"));
        }
        for entry in Object::entries(header.unchecked_ref::<Object>()).iter() {
            let pair: Array = entry.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1).as_string().ok_or_else(|| invalid(&cat(&["header \"", &name, "\" must be a string"])))?;
            check_header(&name, &value).map_err(js)?;
        }
    }

    let protocols = o.value("protocols")?;
    if !protocols.is_undefined() {
        if !Array::is_array(&protocols) {
            return Err(invalid("protocols must be an array of strings"));
        }
        let list: Array = protocols.clone().unchecked_into();
        let mut seen: Vec<String> = Vec::new();
        for p in list.iter() {
            let token = p.as_string().filter(|s| is_token(s)).ok_or_else(|| invalid("protocols must be an array of non-empty token strings"))?;
            // A handshake offering one subprotocol twice is refused by every server and browser: say so now
            // instead of failing every attempt.
            if seen.contains(&token) {
                return Err(invalid(&cat(&["protocols lists \"", &token, "\" twice; each subprotocol may appear once"])));
            }
            seen.push(token);
        }
    }

    let mut platform = o.value("platform")?;
    if platform.is_undefined() || platform.is_null() {
        platform = detect_platform();
        if platform.is_undefined() {
            let message = cat(&["no socket platform found (none of ", &platform_names(), " or WebSocket exists); pass options.platform"]);
            return Err(make_error(ErrorCode::NoPlatform.as_str(), &message));
        }
    } else if !is_platform(&platform) {
        let message = cat(&["platform must be an object with connectSocket (", &platform_names(), ") or a WebSocket constructor"]);
        return Err(invalid(&message));
    }

    let codec_v = o.value("codec")?;
    let codec = match codec_v.as_string().as_deref() {
        _ if codec_v.is_undefined() => Codec::Json,
        Some("json") => Codec::Json,
        Some("text") => Codec::Text,
        _ => return Err(invalid("codec must be 'json' or 'text'")),
    };
    let connect_timeout_ms = o.num("connectTimeoutMs", 1.0)?.map_or(d::CONNECT_TIMEOUT_MS, |n| n as u64);

    let r = o.value("reconnect")?;
    let (reconnect, should_reconnect) = if r.as_bool() == Some(false) {
        (None, None)
    } else {
        if !(r.is_undefined() || r.as_bool() == Some(true) || is_plain_object(&r)) {
            return Err(invalid("reconnect must be false or an object"));
        }
        let r = o.part(if r.is_object() { r } else { Object::new().into() }, "reconnect.");
        let min_delay_ms = r.num("minDelayMs", 0.0)?.unwrap_or(d::MIN_DELAY_MS);
        let max_retries = r.value("maxRetries")?;
        let max_retries = match max_retries.as_f64() {
            _ if max_retries.is_undefined() => d::MAX_RETRIES,
            Some(n) if n == f64::INFINITY => None,
            Some(n) if (0.0..=MAX_SAFE).contains(&n) => Some(n.min(u32::MAX as f64) as u32),
            _ => return Err(invalid("reconnect.maxRetries must be a finite number ≥ 0 (or Infinity)")),
        };
        let b = Backoff {
            min_delay_ms,
            // Without maxDelayMs, a minDelayMs above the default cap raises the cap rather than failing.
            max_delay_ms: r.num("maxDelayMs", 0.0)?.unwrap_or(d::MAX_DELAY_MS.max(min_delay_ms)),
            factor: r.num("factor", 1.0)?.unwrap_or(d::FACTOR),
            jitter: r.num("jitter", 0.0)?.unwrap_or(d::JITTER),
            max_retries,
            min_uptime_ms: r.num("minUptimeMs", 0.0)?.map_or(d::MIN_UPTIME_MS, |n| n as u64),
        };
        b.validate().map_err(|m| invalid(&m))?;
        let ask = r.func("shouldReconnect")?.map(|f| ShouldReconnect::new(move |code, reason| ask_should_reconnect(&f, code, reason)));
        (Some(b), ask)
    };

    let h = o.value("heartbeat")?;
    let (heartbeat, pong, is_pong) = if h.is_undefined() || h.is_null() || h.as_bool() == Some(false) {
        (None, JsValue::UNDEFINED, None)
    } else {
        if !(h.as_bool() == Some(true) || is_plain_object(&h)) {
            return Err(invalid("heartbeat must be true, false or an object"));
        }
        let h = o.part(if h.is_object() { h } else { Object::new().into() }, "heartbeat.");
        let beat = Heartbeat {
            interval_ms: h.num("intervalMs", 1.0)?.map_or(d::HEARTBEAT_INTERVAL_MS, |n| n as u64),
            timeout_ms: h.num("timeoutMs", 1.0)?.map_or(d::HEARTBEAT_TIMEOUT_MS, |n| n as u64),
            ping: Frame::encoded(h.text("message", d::HEARTBEAT_MESSAGE)?),
        };
        (Some(beat), h.text("pong", d::HEARTBEAT_PONG)?, h.func("isPong")?)
    };

    let q = o.value("queue")?;
    let mut persist_key = None;
    let queue = if q.is_undefined() {
        QueueLimits::default()
    } else {
        if !is_plain_object(&q) {
            return Err(invalid("queue must be an object { maxMessages, maxBytes, overflow, ttlMs, persist }"));
        }
        let q = o.part(q, "queue.");
        let overflow = q.value("overflow")?;
        let persist = q.value("persist")?;
        if !persist.is_undefined() {
            if !persist.as_string().is_some_and(|k| !k.is_empty()) {
                return Err(invalid("queue.persist must be a non-empty string: the storage key of the outbox"));
            }
            persist_key = Some(persist);
        }
        QueueLimits {
            max_messages: q.num("maxMessages", 0.0)?.map_or(d::QUEUE_MAX_MESSAGES, |n| n as usize),
            max_bytes: q.num("maxBytes", 0.0)?.map_or(d::QUEUE_MAX_BYTES, |n| n as usize),
            overflow: match overflow.as_string().as_deref() {
                _ if overflow.is_undefined() => d::QUEUE_OVERFLOW,
                Some("error") => Overflow::Error,
                Some("drop-oldest") => Overflow::DropOldest,
                Some("drop-newest") => Overflow::DropNewest,
                _ => return Err(invalid("queue.overflow must be 'error', 'drop-oldest' or 'drop-newest'")),
            },
            ttl_ms: q.num("ttlMs", 1.0)?.map(|n| n as u64).or(d::QUEUE_TTL_MS),
            persist: persist_key.is_some(),
        }
    };

    let config = Config {
        connect_timeout_ms,
        reconnect,
        heartbeat,
        queue,
        max_message_bytes: o.num("maxMessageBytes", 1.0)?.map_or(d::MAX_MESSAGE_BYTES, |n| n as usize),
        start_closed: o.flag("startClosed", d::START_CLOSED)?,
    };
    config.validate().map_err(js)?;
    let request_timeout_ms = o.num("requestTimeoutMs", 1.0)?.map_or(d::REQUEST_TIMEOUT_MS, |n| n as u64);
    let id_field = o.value("requestIdField")?;
    let id_field = if id_field.is_undefined() {
        JsValue::from_str(d::REQUEST_ID_FIELD)
    } else if id_field.as_string().is_some_and(|s| !s.is_empty()) {
        id_field
    } else {
        return Err(invalid("requestIdField must be a non-empty string"));
    };
    // Stamped by the package's JS (js-shim/api.js reads it after the constructor); checked here.
    let message_id_field = o.value("messageIdField")?;
    if !message_id_field.is_undefined() && !message_id_field.as_string().is_some_and(|s| !s.is_empty()) {
        return Err(invalid("messageIdField must be a non-empty string"));
    }
    let setup = Setup {
        platform,
        url,
        allow_insecure,
        header,
        protocols,
        codec,
        pong,
        is_pong,
        is_error: o.func("isError")?,
        persist_key,
        should_reconnect,
        id_field,
        lifecycle: o.flag("lifecycle", d::LIFECYCLE)?,
        logger: o.func("logger")?,
    };

    // The WebSocket API has no handshake headers: say so rather than drop them without a word (names only,
    // never values).
    if let Some(logger) = setup.logger.as_ref().filter(|_| setup.header.is_object() && !has_connect_socket(&setup.platform)) {
        let names = Object::keys(setup.header.unchecked_ref::<Object>());
        if names.length() > 0 {
            let message = "header is not sent: a WebSocket constructor takes no handshake headers (carry them in the URL or the first message)";
            log(logger, "warn", message, "header", &names);
        }
    }
    let known = known.into_inner();
    let unknown: Array =
        Object::keys(options.unchecked_ref::<Object>()).iter().filter(|k| k.as_string().is_some_and(|k| !known.contains(&k.as_str()))).collect();
    Ok(Parsed { config, setup, request_timeout_ms, resend_unconfirmed: !message_id_field.is_undefined(), unknown })
}

/// An HTTP token (RFC 9110): what a subprotocol name may be.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(crate::core::is_token_byte)
}
