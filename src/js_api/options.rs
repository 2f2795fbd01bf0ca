//! Reading the `SocketClient` options object: types checked, numbers ranged, every mistake an
//! `INVALID_OPTION` (or `INVALID_URL`, `INSECURE_URL`, `NO_PLATFORM`) that names the option.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::text::cat;
use crate::core::{
    check_header, check_url, Backoff, Config, Error, ErrorCode, Heartbeat, Overflow, QueueLimits, ShouldReconnect,
};
use crate::platform::{detect_platform, encode_json, platform_kind, Codec, Frame, Setup, UrlSource};

/// Options understood at the top level; anything else is reported to the logger as a likely typo.
const KNOWN: &[&str] = &[
    "url",
    "header",
    "protocols",
    "platform",
    "codec",
    "connectTimeoutMs",
    "reconnect",
    "heartbeat",
    "queue",
    "maxMessageBytes",
    "requestTimeoutMs",
    "requestIdField",
    "lifecycle",
    "allowInsecure",
    "startClosed",
    "logger",
];

/// The parsed options.
pub struct Parsed {
    pub config: Config<Frame>,
    pub setup: Setup,
    pub request_timeout_ms: u64,
    pub unknown: Vec<String>,
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidOption, msg)
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn opt_bool(obj: &JsValue, key: &str, path: &str, default: bool) -> Result<bool, Error> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(default);
    }
    v.as_bool().ok_or_else(|| invalid(cat(&[path, " must be true or false"])))
}

/// A number of milliseconds (or a count): finite, ≥ `min`, at most 2^53.
fn opt_num(obj: &JsValue, key: &str, path: &str, default: f64, min: f64) -> Result<f64, Error> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(default);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= min && n <= 9_007_199_254_740_991.0 => Ok(n),
        Some(n) if n == f64::INFINITY && key == "maxRetries" => Ok(n),
        _ => Err(invalid(cat(&[path, if min >= 1.0 { " must be a finite number ≥ 1" } else { " must be a finite number ≥ 0" }]))),
    }
}

fn opt_fn(obj: &JsValue, key: &str, path: &str) -> Result<Option<Function>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.dyn_into::<Function>().map(Some).map_err(|_| invalid(cat(&[path, " must be a function"])))
}

/// Reads `options`. `seed_url_check` is false only in tests that want to reach the platform.
pub fn parse(options: &JsValue) -> Result<Parsed, Error> {
    if !options.is_object() {
        return Err(invalid("new SocketClient(options): options must be an object with at least { url }"));
    }
    let unknown: Vec<String> = Object::keys(options.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .filter(|k| !KNOWN.contains(&k.as_str()))
        .collect();

    let allow_insecure = opt_bool(options, "allowInsecure", "allowInsecure", false)?;
    let url_v = get(options, "url");
    let url = if let Some(s) = url_v.as_string() {
        check_url(&s, allow_insecure)?;
        UrlSource::Fixed(s)
    } else if let Some(f) = url_v.dyn_ref::<Function>() {
        UrlSource::Func(f.clone())
    } else {
        return Err(Error::new(ErrorCode::InvalidUrl, "url is required: a ws:// or wss:// string, or a function returning one (or a promise of one)"));
    };

    let header = get(options, "header");
    if !header.is_undefined() {
        if !header.is_object() || Array::is_array(&header) {
            return Err(invalid("header must be an object of string values"));
        }
        for entry in Object::entries(header.unchecked_ref::<Object>()).iter() {
            let pair: Array = entry.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            let Some(value) = pair.get(1).as_string() else {
                return Err(invalid(cat(&["header \"", &name, "\" must be a string"])));
            };
            check_header(&name, &value)?;
        }
    }

    let protocols = get(options, "protocols");
    if !protocols.is_undefined() {
        if !Array::is_array(&protocols) {
            return Err(invalid("protocols must be an array of strings"));
        }
        let arr: &Array = protocols.unchecked_ref();
        for p in arr.iter() {
            match p.as_string() {
                Some(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b)) => {}
                _ => return Err(invalid("protocols must be an array of non-empty token strings")),
            }
        }
    }

    let mut platform = get(options, "platform");
    if platform.is_undefined() || platform.is_null() {
        platform = detect_platform();
        if platform.is_undefined() {
            return Err(Error::new(
                ErrorCode::NoPlatform,
                "no socket platform found (none of wx, tt, qq, uni or WebSocket exists); pass options.platform",
            ));
        }
    } else if platform_kind(&platform) < 0 {
        return Err(invalid("platform must be an object with connectSocket (wx, tt, qq, uni) or a WebSocket constructor"));
    }

    let codec = match get(options, "codec") {
        v if v.is_undefined() => Codec::Json,
        v => match v.as_string().as_deref() {
            Some("json") => Codec::Json,
            Some("text") => Codec::Text,
            _ => return Err(invalid("codec must be 'json' or 'text'")),
        },
    };

    let connect_timeout_ms = opt_num(options, "connectTimeoutMs", "connectTimeoutMs", 10_000.0, 1.0)? as u64;

    let (reconnect, should_reconnect) = parse_reconnect(&get(options, "reconnect"))?;
    let (heartbeat, pong, is_pong) = parse_heartbeat(&get(options, "heartbeat"), codec)?;
    let queue = parse_queue(&get(options, "queue"))?;
    let max_message_bytes = opt_num(options, "maxMessageBytes", "maxMessageBytes", 1_048_576.0, 1.0)? as usize;
    let request_timeout_ms = opt_num(options, "requestTimeoutMs", "requestTimeoutMs", 10_000.0, 1.0)? as u64;
    let id_field = match get(options, "requestIdField") {
        v if v.is_undefined() => JsValue::from_str("id"),
        v => match v.as_string() {
            Some(s) if !s.is_empty() => v,
            _ => return Err(invalid("requestIdField must be a non-empty string")),
        },
    };
    let lifecycle = opt_bool(options, "lifecycle", "lifecycle", true)?;
    let start_closed = opt_bool(options, "startClosed", "startClosed", false)?;
    let logger = opt_fn(options, "logger", "logger")?;

    let config = Config { connect_timeout_ms, reconnect, should_reconnect, heartbeat, queue, max_message_bytes, start_closed };
    config.validate()?;
    let pong_len = pong.as_string().map(|p| p.encode_utf16().count());
    let setup = Setup { platform, url, allow_insecure, header, protocols, codec, pong, pong_len, is_pong, id_field, lifecycle, logger };
    Ok(Parsed { config, setup, request_timeout_ms, unknown })
}

fn parse_reconnect(v: &JsValue) -> Result<(Option<Backoff>, Option<ShouldReconnect>), Error> {
    if v.is_undefined() || v.as_bool() == Some(true) {
        return Ok((Some(Backoff::default()), None));
    }
    if v.as_bool() == Some(false) {
        return Ok((None, None));
    }
    if !v.is_object() {
        return Err(invalid("reconnect must be false or an object"));
    }
    let d = Backoff::default();
    let max_retries = opt_num(v, "maxRetries", "reconnect.maxRetries", f64::INFINITY, 0.0)?;
    let min_delay_ms = opt_num(v, "minDelayMs", "reconnect.minDelayMs", d.min_delay_ms, 0.0)?;
    let b = Backoff {
        min_delay_ms,
        // Without maxDelayMs, a minDelayMs above the default cap raises the cap rather than failing.
        max_delay_ms: opt_num(v, "maxDelayMs", "reconnect.maxDelayMs", d.max_delay_ms.max(min_delay_ms), 0.0)?,
        factor: opt_num(v, "factor", "reconnect.factor", d.factor, 1.0)?,
        jitter: opt_num(v, "jitter", "reconnect.jitter", d.jitter, 0.0)?,
        max_retries: if max_retries.is_infinite() { None } else { Some(max_retries.min(u32::MAX as f64) as u32) },
        min_uptime_ms: opt_num(v, "minUptimeMs", "reconnect.minUptimeMs", d.min_uptime_ms as f64, 0.0)? as u64,
    };
    b.validate().map_err(invalid)?;
    let should = opt_fn(v, "shouldReconnect", "reconnect.shouldReconnect")?.map(|f| -> ShouldReconnect {
        Box::new(move |code: u16, reason: &str| {
            let arg = crate::platform::object(&[("code", code.into()), ("reason", reason.into())]);
            // A shouldReconnect that throws is taken as "yes": a bug in it must not strand the client.
            f.call1(&JsValue::NULL, &arg).map(|r| r.is_truthy()).unwrap_or(true)
        })
    });
    Ok((Some(b), should))
}

fn parse_heartbeat(v: &JsValue, codec: Codec) -> Result<(Option<Heartbeat<Frame>>, JsValue, Option<Function>), Error> {
    if v.is_undefined() || v.is_null() || v.as_bool() == Some(false) {
        return Ok((None, JsValue::UNDEFINED, None));
    }
    let obj = if v.as_bool() == Some(true) {
        JsValue::from(Object::new())
    } else if v.is_object() {
        v.clone()
    } else {
        return Err(invalid("heartbeat must be true, false or an object"));
    };
    let interval_ms = opt_num(&obj, "intervalMs", "heartbeat.intervalMs", 30_000.0, 1.0)? as u64;
    let timeout_ms = opt_num(&obj, "timeoutMs", "heartbeat.timeoutMs", 5_000.0, 1.0)? as u64;
    let message = match get(&obj, "message") {
        m if m.is_undefined() => JsValue::from_str("ping"),
        m => m,
    };
    let ping = if message.is_string() {
        Frame::text(message)
    } else {
        let text = encode_json(&message).map_err(|_| invalid("heartbeat.message must be a string or a JSON value"))?;
        Frame::text(text)
    };
    let pong = match get(&obj, "pong") {
        p if p.is_undefined() => JsValue::from_str("pong"),
        p if p.is_string() => p,
        p => encode_json(&p).map_err(|_| invalid("heartbeat.pong must be a string or a JSON value"))?,
    };
    let _ = codec;
    let is_pong = opt_fn(&obj, "isPong", "heartbeat.isPong")?;
    Ok((Some(Heartbeat { interval_ms, timeout_ms, ping }), pong, is_pong))
}

fn parse_queue(v: &JsValue) -> Result<QueueLimits, Error> {
    let d = QueueLimits::default();
    if v.is_undefined() {
        return Ok(d);
    }
    if !v.is_object() {
        return Err(invalid("queue must be an object { maxMessages, maxBytes, overflow }"));
    }
    let overflow = match get(v, "overflow") {
        o if o.is_undefined() => d.overflow,
        o => match o.as_string().as_deref() {
            Some("error") => Overflow::Error,
            Some("drop-oldest") => Overflow::DropOldest,
            Some("drop-newest") => Overflow::DropNewest,
            _ => return Err(invalid("queue.overflow must be 'error', 'drop-oldest' or 'drop-newest'")),
        },
    };
    Ok(QueueLimits {
        max_messages: opt_num(v, "maxMessages", "queue.maxMessages", d.max_messages as f64, 0.0)? as usize,
        max_bytes: opt_num(v, "maxBytes", "queue.maxBytes", d.max_bytes as f64, 0.0)? as usize,
        overflow,
    })
}
