//! Reading the `SocketClient` options object, by name: each option's shape and type is checked as it is
//! read (a mistake is a thrown `INVALID_OPTION` that names the option, or `INVALID_URL`, `NO_PLATFORM`),
//! its default comes from src/core/defaults.rs, and then the values are checked: the URL (`INVALID_URL`,
//! `INSECURE_URL`), the headers and the backoff. Every key read here is known; the others are reported to
//! the logger as unknown.
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

/// An `INVALID_OPTION` error whose message is `parts` joined.
#[inline(never)]
fn invalid(parts: &[&str]) -> JsValue {
    make_error(ErrorCode::InvalidOption.as_str(), &cat(parts))
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
    /// An `INVALID_OPTION` error naming `key`: "reconnect.factor must be …".
    #[inline(never)]
    fn invalid(&self, key: &str, must: &str) -> JsValue {
        invalid(&[self.path, key, must])
    }

    #[inline(never)]
    fn value(&self, key: &'static str) -> Result<JsValue, JsValue> {
        if let Some(known) = self.known {
            known.borrow_mut().push(key);
        }
        Reflect::get(&self.obj, &JsValue::from_str(key)).map_err(|e| invalid(&["the options could not be read: ", &describe(&e)]))
    }

    /// A number of milliseconds or a count: finite, at least `min`, at most 2^53 − 1.
    #[inline(never)]
    fn num(&self, key: &'static str, min: f64) -> Result<Option<f64>, JsValue> {
        let v = self.value(key)?;
        if v.is_undefined() {
            return Ok(None);
        }
        match v.as_f64() {
            Some(n) if n >= min && n <= MAX_SAFE => Ok(Some(n)),
            _ => Err(self.invalid(key, if min >= 1.0 { " must be a finite number ≥ 1" } else { " must be a finite number ≥ 0" })),
        }
    }

    /// [`Reader::num`] as whole milliseconds or a count, or `default`.
    fn whole(&self, key: &'static str, min: f64, default: u64) -> Result<u64, JsValue> {
        Ok(self.num(key, min)?.map_or(default, |n| n as u64))
    }

    #[inline(never)]
    fn flag(&self, key: &'static str, default: bool) -> Result<bool, JsValue> {
        let v = self.value(key)?;
        if v.is_undefined() {
            return Ok(default);
        }
        v.as_bool().ok_or_else(|| self.invalid(key, " must be true or false"))
    }

    #[inline(never)]
    fn func(&self, key: &'static str) -> Result<Option<Function>, JsValue> {
        let v = self.value(key)?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        if v.is_function() {
            return Ok(Some(v.unchecked_into()));
        }
        Err(self.invalid(key, " must be a function"))
    }

    /// A string as it is, any other JSON value as its JSON text, or the default.
    #[inline(never)]
    fn text(&self, key: &'static str, default: &str) -> Result<JsValue, JsValue> {
        let v = self.value(key)?;
        if v.is_undefined() {
            return Ok(JsValue::from_str(default));
        }
        if v.is_string() {
            return Ok(v);
        }
        encode_json(&v).map_err(|_| self.invalid(key, " must be a string or a JSON value"))
    }

    /// A nested object (`reconnect`, `heartbeat`: also `true`, read as `{}`) as a reader of its own.
    fn part(obj: JsValue, path: &'static str) -> Reader<'static> {
        Reader { obj: if obj.is_object() { obj } else { Object::new().into() }, path, known: None }
    }
}

/// A string of at least one character (out of line: three options are checked for it).
#[inline(never)]
fn is_non_empty_string(v: &JsValue) -> bool {
    v.as_string().is_some_and(|s| !s.is_empty())
}

fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !Array::is_array(v)
}

/// Reads `options`: a thrown `WxSocketError` on any mistake.
pub fn parse(options: &JsValue) -> Result<Parsed, JsValue> {
    if !options.is_object() {
        return Err(invalid(&["new SocketClient(options): options must be an object with at least { url }"]));
    }
    let known = RefCell::new(Vec::new());
    let o = Reader { obj: options.clone(), path: "", known: Some(&known) };
    // Every option is stored in `p` as soon as it is read and checked, so a mistake returns with next to
    // nothing of its own to drop (with the values held in locals, every early return dropped all of them:
    // most of the constructor's code; bench/README.md, size history).
    let mut p = Parsed::unread();
    p.read(&o)?;
    let setup = &p.setup;

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
    p.unknown = Array::new();
    for key in Object::keys(options.unchecked_ref::<Object>()).iter() {
        if key.as_string().is_some_and(|k| !known.contains(&k.as_str())) {
            p.unknown.push(&key);
        }
    }
    Ok(p)
}

impl Parsed {
    /// What [`Parsed::read`] starts from: what an option that is not given leaves (nothing, or its default
    /// from src/core/defaults.rs); `unknown` is filled in by [`parse`].
    fn unread() -> Parsed {
        Parsed {
            config: Config::default(),
            setup: Setup {
                platform: JsValue::UNDEFINED,
                url: UrlSource::Fixed(String::new()),
                allow_insecure: d::ALLOW_INSECURE,
                header: JsValue::UNDEFINED,
                protocols: JsValue::UNDEFINED,
                codec: Codec::Json,
                pong: JsValue::UNDEFINED,
                is_pong: None,
                is_error: None,
                persist_key: None,
                should_reconnect: None,
                id_field: JsValue::UNDEFINED,
                lifecycle: d::LIFECYCLE,
                logger: None,
            },
            request_timeout_ms: d::REQUEST_TIMEOUT_MS,
            resend_unconfirmed: false,
            unknown: JsValue::UNDEFINED.unchecked_into(),
        }
    }

    /// Reads and checks every option of `o`, in order.
    fn read(&mut self, o: &Reader) -> Result<(), JsValue> {
        let (config, setup) = (&mut self.config, &mut self.setup);
        setup.allow_insecure = o.flag("allowInsecure", d::ALLOW_INSECURE)?;
        let url = o.value("url")?;
        setup.url = match url.as_string() {
            Some(s) => {
                check_url(&s, setup.allow_insecure).map_err(js)?;
                UrlSource::Fixed(s)
            }
            None if url.is_function() => UrlSource::Func(url.unchecked_into()),
            None => {
                return Err(make_error(
                    ErrorCode::InvalidUrl.as_str(),
                    "url is required: a ws:// or wss:// string, or a function returning one (or a promise of one)",
                ))
            }
        };

        setup.header = o.value("header")?;
        check_headers(&setup.header)?;
        setup.protocols = o.value("protocols")?;
        check_protocols(&setup.protocols)?;

        setup.platform = o.value("platform")?;
        if setup.platform.is_undefined() || setup.platform.is_null() {
            setup.platform = detect_platform();
            if setup.platform.is_undefined() {
                let message = cat(&["no socket platform found (none of ", &platform_names(), " or WebSocket exists); pass options.platform"]);
                return Err(make_error(ErrorCode::NoPlatform.as_str(), &message));
            }
        } else if !is_platform(&setup.platform) {
            return Err(invalid(&["platform must be an object with connectSocket (", &platform_names(), ") or a WebSocket constructor"]));
        }

        let codec = o.value("codec")?;
        setup.codec = match codec.as_string().as_deref() {
            _ if codec.is_undefined() => Codec::Json,
            Some("json") => Codec::Json,
            Some("text") => Codec::Text,
            _ => return Err(invalid(&["codec must be 'json' or 'text'"])),
        };
        config.connect_timeout_ms = o.whole("connectTimeoutMs", 1.0, d::CONNECT_TIMEOUT_MS)?;

        let r = o.value("reconnect")?;
        if r.as_bool() == Some(false) {
            config.reconnect = None;
        } else {
            if !(r.is_undefined() || r.as_bool() == Some(true) || is_plain_object(&r)) {
                return Err(invalid(&["reconnect must be false or an object"]));
            }
            self.read_reconnect(&Reader::part(r, "reconnect."))?;
        }
        let h = o.value("heartbeat")?;
        if !(h.is_undefined() || h.is_null() || h.as_bool() == Some(false)) {
            if !(h.as_bool() == Some(true) || is_plain_object(&h)) {
                return Err(invalid(&["heartbeat must be true, false or an object"]));
            }
            self.read_heartbeat(&Reader::part(h, "heartbeat."))?;
        }
        let q = o.value("queue")?;
        if !q.is_undefined() {
            if !is_plain_object(&q) {
                return Err(invalid(&["queue must be an object { maxMessages, maxBytes, overflow, ttlMs, persist }"]));
            }
            self.read_queue(&Reader::part(q, "queue."))?;
        }
        let (config, setup) = (&mut self.config, &mut self.setup);
        config.max_message_bytes = o.num("maxMessageBytes", 1.0)?.map_or(d::MAX_MESSAGE_BYTES, |n| n as usize);
        config.start_closed = o.flag("startClosed", d::START_CLOSED)?;
        // No `Config::validate` (the Rust client's check) here: what it checks was checked as it was read
        // (connectTimeoutMs, heartbeat.intervalMs and heartbeat.timeoutMs ≥ 1, the backoff in read_reconnect).
        self.request_timeout_ms = o.whole("requestTimeoutMs", 1.0, d::REQUEST_TIMEOUT_MS)?;
        let id_field = o.value("requestIdField")?;
        setup.id_field = if id_field.is_undefined() {
            JsValue::from_str(d::REQUEST_ID_FIELD)
        } else if is_non_empty_string(&id_field) {
            id_field
        } else {
            return Err(invalid(&["requestIdField must be a non-empty string"]));
        };
        // Stamped by the package's JS (js-shim/api.js reads it after the constructor); checked here.
        let message_id_field = o.value("messageIdField")?;
        if !message_id_field.is_undefined() && !is_non_empty_string(&message_id_field) {
            return Err(invalid(&["messageIdField must be a non-empty string"]));
        }
        self.resend_unconfirmed = !message_id_field.is_undefined();
        setup.is_error = o.func("isError")?;
        setup.lifecycle = o.flag("lifecycle", d::LIFECYCLE)?;
        setup.logger = o.func("logger")?;
        Ok(())
    }

    /// `reconnect`, an object (`true` is read as `{}`).
    fn read_reconnect(&mut self, r: &Reader) -> Result<(), JsValue> {
        let min_delay_ms = r.num("minDelayMs", 0.0)?.unwrap_or(d::MIN_DELAY_MS);
        let max_retries = r.value("maxRetries")?;
        let max_retries = match max_retries.as_f64() {
            _ if max_retries.is_undefined() => d::MAX_RETRIES,
            Some(n) if n == f64::INFINITY => None,
            Some(n) if (0.0..=MAX_SAFE).contains(&n) => Some(n.min(u32::MAX as f64) as u32),
            _ => return Err(invalid(&["reconnect.maxRetries must be a finite number ≥ 0 (or Infinity)"])),
        };
        let b = Backoff {
            min_delay_ms,
            // Without maxDelayMs, a minDelayMs above the default cap raises the cap rather than failing.
            max_delay_ms: r.num("maxDelayMs", 0.0)?.unwrap_or(d::MAX_DELAY_MS.max(min_delay_ms)),
            factor: r.num("factor", 1.0)?.unwrap_or(d::FACTOR),
            jitter: r.num("jitter", 0.0)?.unwrap_or(d::JITTER),
            max_retries,
            min_uptime_ms: r.whole("minUptimeMs", 0.0, d::MIN_UPTIME_MS)?,
        };
        b.validate().map_err(|m| invalid(&[&m]))?;
        self.config.reconnect = Some(b);
        self.setup.should_reconnect =
            r.func("shouldReconnect")?.map(|f| ShouldReconnect::new(move |code, reason| ask_should_reconnect(&f, code, reason)));
        Ok(())
    }

    /// `heartbeat`, an object (`true` is read as `{}`).
    fn read_heartbeat(&mut self, h: &Reader) -> Result<(), JsValue> {
        self.config.heartbeat = Some(Heartbeat {
            interval_ms: h.whole("intervalMs", 1.0, d::HEARTBEAT_INTERVAL_MS)?,
            timeout_ms: h.whole("timeoutMs", 1.0, d::HEARTBEAT_TIMEOUT_MS)?,
            ping: Frame::encoded(h.text("message", d::HEARTBEAT_MESSAGE)?),
        });
        self.setup.pong = h.text("pong", d::HEARTBEAT_PONG)?;
        self.setup.is_pong = h.func("isPong")?;
        Ok(())
    }

    /// `queue`, an object.
    fn read_queue(&mut self, q: &Reader) -> Result<(), JsValue> {
        // `overflow` is read first and checked after `persist`, `maxMessages` and `maxBytes`.
        let overflow = q.value("overflow")?;
        let overflow = match overflow.as_string().as_deref() {
            _ if overflow.is_undefined() => Some(d::QUEUE_OVERFLOW),
            Some("error") => Some(Overflow::Error),
            Some("drop-oldest") => Some(Overflow::DropOldest),
            Some("drop-newest") => Some(Overflow::DropNewest),
            _ => None,
        };
        let persist = q.value("persist")?;
        if !persist.is_undefined() {
            if !is_non_empty_string(&persist) {
                return Err(invalid(&["queue.persist must be a non-empty string: the storage key of the outbox"]));
            }
            self.setup.persist_key = Some(persist);
        }
        self.config.queue = QueueLimits {
            max_messages: q.num("maxMessages", 0.0)?.map_or(d::QUEUE_MAX_MESSAGES, |n| n as usize),
            max_bytes: q.num("maxBytes", 0.0)?.map_or(d::QUEUE_MAX_BYTES, |n| n as usize),
            overflow: overflow.ok_or_else(|| invalid(&["queue.overflow must be 'error', 'drop-oldest' or 'drop-newest'"]))?,
            ttl_ms: q.num("ttlMs", 1.0)?.map(|n| n as u64).or(d::QUEUE_TTL_MS),
            persist: self.setup.persist_key.is_some(),
        };
        Ok(())
    }
}

/// `header`: undefined, or an object of string values that are valid header names and values.
fn check_headers(header: &JsValue) -> Result<(), JsValue> {
    if header.is_undefined() {
        return Ok(());
    }
    if !is_plain_object(header) {
        return Err(invalid(&["header must be an object of string values"]));
    }
    for entry in Object::entries(header.unchecked_ref::<Object>()).iter() {
        let pair: Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1).as_string().ok_or_else(|| invalid(&["header \"", &name, "\" must be a string"]))?;
        check_header(&name, &value).map_err(js)?;
    }
    Ok(())
}

/// `protocols`: undefined, or an array of distinct token strings.
fn check_protocols(protocols: &JsValue) -> Result<(), JsValue> {
    if protocols.is_undefined() {
        return Ok(());
    }
    if !Array::is_array(protocols) {
        return Err(invalid(&["protocols must be an array of strings"]));
    }
    let mut seen: Vec<String> = Vec::new();
    for p in protocols.unchecked_ref::<Array>().iter() {
        let token = p.as_string().filter(|s| is_token(s)).ok_or_else(|| invalid(&["protocols must be an array of non-empty token strings"]))?;
        // A handshake offering one subprotocol twice is refused by every server and browser: say so now
        // instead of failing every attempt.
        if seen.contains(&token) {
            return Err(invalid(&["protocols lists \"", &token, "\" twice; each subprotocol may appear once"]));
        }
        seen.push(token);
    }
    Ok(())
}

/// An HTTP token (RFC 9110): what a subprotocol name may be.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(crate::core::is_token_byte)
}
