//! Reading the `SocketClient` options object. Its shapes and types are read on the JavaScript side
//! (`readOptions` in src/js/options.js: reading a JS object there is a fraction of the code it takes through
//! the boundary), every mistake an `INVALID_OPTION` (or `INVALID_URL`, `NO_PLATFORM`) that names the
//! option; the values are checked here: the URL (`INVALID_URL`, `INSECURE_URL`), the headers, the
//! backoff and the config's ranges.

use js_sys::{Array, Function};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::{check_header, check_url, Backoff, Config, Error, ErrorCode, Heartbeat, Overflow, QueueLimits};
use crate::platform::{make_error, read_options, Frame, Setup, UrlSource};
use crate::platform::Codec;

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

/// Reads `options`: a thrown `WxSocketError` on any mistake.
pub fn parse(options: &JsValue) -> Result<Parsed, JsValue> {
    // The slots of readOptions' result (see src/js/options.js).
    let v = read_options(options)?;
    let nums: Array = v.get(12).unchecked_into();
    let num = |i: u32| nums.get(i).as_f64().unwrap_or(f64::NAN);
    let or = |i: u32, default: f64| {
        let x = num(i);
        if x.is_nan() {
            default
        } else {
            x
        }
    };
    let flag = |i: u32| num(i) == 1.0;
    // readOptions leaves a function or undefined in these slots.
    let func = |i: u32| Some(v.get(i)).filter(|f| !f.is_undefined()).map(JsCast::unchecked_into::<Function>);

    let allow_insecure = flag(0);
    let url_v = v.get(0);
    let url = match url_v.as_string() {
        Some(s) => {
            check_url(&s, allow_insecure).map_err(js)?;
            UrlSource::Fixed(s)
        }
        None => UrlSource::Func(url_v.unchecked_into()),
    };
    let pairs: Array = v.get(2).unchecked_into();
    // Name, value, name, value…: strings up to the end, where get gives undefined.
    let mut i = 0;
    while let Some(name) = pairs.get(i).as_string() {
        check_header(&name, &pairs.get(i + 1).as_string().unwrap_or_default()).map_err(js)?;
        i += 2;
    }

    let reconnect = if flag(3) {
        let d = Backoff::default();
        let min_delay_ms = or(5, d.min_delay_ms);
        let max_retries = num(4);
        let b = Backoff {
            min_delay_ms,
            // Without maxDelayMs, a minDelayMs above the default cap raises the cap rather than failing.
            max_delay_ms: or(6, d.max_delay_ms.max(min_delay_ms)),
            factor: or(7, d.factor),
            jitter: or(8, d.jitter),
            max_retries: (max_retries.is_finite()).then(|| max_retries.min(u32::MAX as f64) as u32),
            min_uptime_ms: or(9, d.min_uptime_ms as f64) as u64,
        };
        b.validate().map_err(|m| js(Error::new(ErrorCode::InvalidOption, m)))?;
        Some(b)
    } else {
        None
    };
    let heartbeat = flag(10).then(|| Heartbeat {
        interval_ms: or(11, 30_000.0) as u64,
        timeout_ms: or(12, 5_000.0) as u64,
        ping: Frame::text(v.get(6)),
    });
    let d = QueueLimits::default();
    let queue = QueueLimits {
        max_messages: or(14, d.max_messages as f64) as usize,
        max_bytes: or(15, d.max_bytes as f64) as usize,
        overflow: match num(13) as i32 {
            0 => Overflow::Error,
            1 => Overflow::DropOldest,
            2 => Overflow::DropNewest,
            _ => d.overflow,
        },
    };
    let config = Config {
        connect_timeout_ms: or(2, 10_000.0) as u64,
        reconnect,
        // Asked by the driver before it reports a close, never from inside the engine (Setup).
        should_reconnect: None,
        heartbeat,
        queue,
        max_message_bytes: or(16, 1_048_576.0) as usize,
        start_closed: flag(19),
    };
    config.validate().map_err(js)?;
    let pong_len = num(20);
    let setup = Setup {
        platform: v.get(4),
        url,
        allow_insecure,
        header: v.get(1),
        protocols: v.get(3),
        codec: if flag(1) { Codec::Text } else { Codec::Json },
        pong: v.get(7),
        pong_len: pong_len.is_finite().then_some(pong_len as usize),
        is_pong: func(8),
        should_reconnect: func(5),
        id_field: v.get(9),
        lifecycle: flag(18),
        logger: func(10),
    };
    Ok(Parsed { config, setup, request_timeout_ms: or(17, 10_000.0) as u64, unknown: v.get(11).unchecked_into() })
}
