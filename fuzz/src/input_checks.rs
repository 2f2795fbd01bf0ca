//! Properties of the functions that see page or network data, on any input: `check_url`,
//! `is_loopback`, `redact_url`, `check_header`, `check_close` and `Backoff::delay`. Used by the fuzz
//! targets and, through `#[path]`, by `tests/fuzz_regressions.rs`. Depends on nothing but
//! `wxsocket::core` and std; the comparison with a WHATWG URL parser lives in the `url` target.
//!
//! Each function returns `Err` with what broke; a panic inside the checked function is a failure too.

use wxsocket::core::{check_close, check_header, check_url, is_loopback, redact_url, Backoff, ErrorCode, Rng, MAX_REASON_BYTES};

macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// `check_url` on `url`, both with and without `allowInsecure`.
pub fn url_properties(url: &str) -> Result<(), String> {
    let strict = check_url(url, false);
    let lax = check_url(url, true);
    for r in [&strict, &lax] {
        if let Err(e) = r {
            check!(matches!(e.code, ErrorCode::InvalidUrl | ErrorCode::InsecureUrl), "check_url({url:?}) failed with {:?}", e.code);
            // Error messages reach the logger and error events: they must not carry the URL (tokens live in it).
            if url.len() >= 12 {
                check!(!e.message.contains(url), "check_url's message carries the URL: {:?}", e.message);
            }
        }
    }
    match (&strict, &lax) {
        (Ok(a), Ok(b)) => check!(a == b, "allowInsecure changed what check_url({url:?}) read: {a:?} vs {b:?}"),
        (Ok(_), Err(e)) => return Err(format!("check_url({url:?}) passes without allowInsecure but fails with it: {e:?}")),
        (Err(e), Ok(_)) => check!(e.code == ErrorCode::InsecureUrl, "allowInsecure turned {:?} into a pass for {url:?}", e.code),
        (Err(a), Err(b)) => {
            check!(b.code == ErrorCode::InvalidUrl, "check_url({url:?}, allowInsecure) refused with {:?}", b.code);
            check!(a.code == ErrorCode::InvalidUrl, "check_url({url:?}) refused with {:?} where allowInsecure gives {:?}", a.code, b.code);
        }
    }
    let Ok(parsed) = lax else { return Ok(()) };
    check!(!url.chars().any(|c| c.is_whitespace() || c.is_control()), "check_url({url:?}) passed whitespace or a control character");
    check!(!url.contains('#'), "check_url({url:?}) passed a fragment");
    let lower = url.to_ascii_lowercase();
    let scheme = if parsed.secure { "wss://" } else { "ws://" };
    check!(lower.starts_with(scheme), "check_url({url:?}) read secure = {} from the scheme", parsed.secure);
    let rest = &url[scheme.len()..];
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    check!(!authority.contains('@'), "check_url({url:?}) passed credentials");
    check!(!authority.contains('\\'), "check_url({url:?}) passed a \\ in the authority");
    check!(!parsed.host.is_empty() && parsed.host != "[]", "check_url({url:?}) read an empty host");
    // A host without brackets holds no `:` (the first one starts the port); a bracketed one is one `[…]`.
    match parsed.host.strip_prefix('[') {
        Some(inside) => check!(inside.find(']') == Some(inside.len() - 1), "check_url({url:?}) read host {:?}", parsed.host),
        None => check!(!parsed.host.contains(':'), "check_url({url:?}) read host {:?}", parsed.host),
    }
    let expected = match parsed.port {
        Some(p) => format!("{}:{p}", parsed.host),
        None => parsed.host.to_owned(),
    };
    // The port as written may have leading zeros ("host:080"), so compare the host and the digits.
    check!(authority.starts_with(parsed.host), "check_url({url:?}) read host {:?} from authority {authority:?}", parsed.host);
    let tail = &authority[parsed.host.len()..];
    match parsed.port {
        None => check!(tail.is_empty(), "check_url({url:?}) ignored {tail:?} after the host"),
        Some(p) => {
            let digits = tail.strip_prefix(':').unwrap_or("");
            check!(
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && digits.parse::<u64>().ok() == Some(u64::from(p)) && p > 0,
                "check_url({url:?}) read port {p} from {tail:?} (expected {expected:?})"
            );
        }
    }
    if !parsed.secure {
        if strict.is_ok() {
            check!(is_loopback(parsed.host), "check_url({url:?}) allowed ws:// to {:?}, not loopback", parsed.host);
        } else {
            check!(!is_loopback(parsed.host), "check_url({url:?}) refused ws:// to loopback {:?}", parsed.host);
        }
    }
    Ok(())
}

/// `is_loopback` agrees with its definition: `localhost`, `[::1]`, or four decimal octets ≤ 255 starting with 127.
pub fn loopback_properties(host: &str) -> Result<(), String> {
    let got = is_loopback(host);
    let octets: Vec<&str> = host.split('.').collect();
    let dotted = octets.len() == 4
        && octets[0] == "127"
        && octets.iter().all(|o| (1..=3).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_digit()) && o.parse::<u32>().is_ok_and(|n| n <= 255));
    let expected = host.eq_ignore_ascii_case("localhost") || host == "[::1]" || dotted;
    check!(got == expected, "is_loopback({host:?}) = {got}");
    Ok(())
}

/// `redact_url`: no query, no fragment, no credentials in the authority; the rest kept.
pub fn redact_properties(url: &str) -> Result<(), String> {
    let out = redact_url(url);
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let (base, suffix) = match out.strip_suffix("?…") {
        Some(b) if cut < url.len() => (b, "?…"),
        _ => (out.as_str(), ""),
    };
    check!((cut < url.len()) == !suffix.is_empty(), "redact_url({url:?}) = {out:?}: the query/fragment marker is wrong");
    check!(!base.contains(['?', '#']), "redact_url({url:?}) = {out:?} keeps a query or fragment");
    check!(out.len() <= url.len() + "?…".len(), "redact_url({url:?}) = {out:?} grew");
    // What is left is the URL up to the query, with at most the credentials cut out of the authority.
    let original = &url[..cut];
    check!(original.ends_with(base) || original == base || is_subsequence_cut(original, base), "redact_url({url:?}) = {out:?} is not a cut of the URL");
    if let Some(scheme_end) = original.find("://") {
        let start = scheme_end + 3;
        let end = original[start..].find(['/', '\\']).map_or(original.len(), |i| start + i);
        let authority = &original[start..end];
        check!(base.starts_with(&original[..start]), "redact_url({url:?}) = {out:?} lost the scheme");
        let kept_authority_end = base[start..].find(['/', '\\']).map_or(base.len(), |i| start + i);
        check!(!base[start..kept_authority_end].contains('@'), "redact_url({url:?}) = {out:?} keeps credentials");
        if !authority.contains('@') {
            check!(base == original, "redact_url({url:?}) = {out:?} changed a URL without credentials");
        }
    } else {
        check!(base == original, "redact_url({url:?}) = {out:?} changed a URL without a scheme");
    }
    Ok(())
}

/// True when `cut` is `s` with one contiguous piece removed.
fn is_subsequence_cut(s: &str, cut: &str) -> bool {
    if cut.len() > s.len() {
        return false;
    }
    let common_prefix = s.bytes().zip(cut.bytes()).take_while(|(a, b)| a == b).count();
    let rest = &cut.as_bytes()[common_prefix..];
    s.as_bytes().ends_with(rest)
}

/// `check_header(name, value)`: refuses CR, LF, NUL anywhere, non-token names and `Referer`; passes the rest.
pub fn header_properties(name: &str, value: &str) -> Result<(), String> {
    let r = check_header(name, value);
    let has_break = name.chars().chain(value.chars()).any(|c| matches!(c, '\r' | '\n' | '\0'));
    let token = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
    let referer = name.eq_ignore_ascii_case("referer");
    let expected_ok = !has_break && token && !referer;
    match &r {
        Ok(()) => check!(expected_ok, "check_header({name:?}, {value:?}) passed"),
        Err(e) => {
            check!(!expected_ok, "check_header({name:?}, {value:?}) refused: {}", e.message);
            check!(e.code == ErrorCode::InvalidOption, "check_header refused with {:?}", e.code);
            // Header values never reach a message (they carry cookies and tokens): the message is the
            // same whatever the value, as long as it is refused for the same reason.
            let stand_in = if value.contains(['\r', '\n', '\0']) { "\n" } else { "x" };
            let m = check_header(name, stand_in).err().map(|e| e.message);
            check!(m.as_deref() == Some(e.message.as_str()), "check_header's message depends on the value: {:?} vs {m:?}", e.message);
            check!(!e.message.contains(['\r', '\n', '\0']), "check_header's message carries CR, LF or NUL: {:?}", e.message);
        }
    }
    Ok(())
}

/// `check_close(code, reason)`: 1000 or 3000–4999, reason at most 123 UTF-8 bytes.
pub fn close_properties(code: u32, reason: &str) -> Result<(), String> {
    let r = check_close(code, reason);
    let code_ok = code == 1000 || (3000..=4999).contains(&code);
    let reason_ok = reason.len() <= MAX_REASON_BYTES;
    match r {
        Ok(()) => check!(code_ok && reason_ok, "check_close({code}, {} bytes) passed", reason.len()),
        Err(e) => {
            let expected = if !code_ok { ErrorCode::InvalidCloseCode } else { ErrorCode::ReasonTooLong };
            check!(!(code_ok && reason_ok), "check_close({code}, {} bytes) refused: {}", reason.len(), e.message);
            check!(e.code == expected, "check_close({code}, {} bytes) refused with {:?}", reason.len(), e.code);
            // The message depends on the code and the reason's length, never on its text.
            let stand_in = "x".repeat(reason.len());
            let m = check_close(code, &stand_in).err().map(|e| e.message);
            check!(m.as_deref() == Some(e.message.as_str()), "check_close's message depends on the reason's text: {:?}", e.message);
        }
    }
    Ok(())
}

/// `Backoff::delay` for any numbers: never panics; for a policy that `validate()` accepts, every delay
/// is within `[floor(base · (1 − jitter)), ceil(base)]`, base = `min(max, min · factor^(n−1))` (0 when min
/// is 0), never above `maxDelayMs`, and the same seed gives the same delay.
pub fn backoff_properties(policy: &Backoff, n: u32, seed: u64) -> Result<u64, String> {
    let d = policy.delay(n, &mut Rng::new(seed));
    check!(d == policy.delay(n, &mut Rng::new(seed)), "delay({n}) differs for the same seed");
    if policy.validate().is_err() {
        return Ok(d);
    }
    let step = n.max(1) - 1;
    let base = if policy.min_delay_ms == 0.0 {
        0.0
    } else {
        (policy.min_delay_ms * policy.factor.powi(i32::try_from(step).unwrap_or(i32::MAX))).min(policy.max_delay_ms)
    };
    // Delays are whole milliseconds in a u64: a larger policy saturates.
    let cap = u64::MAX as f64;
    let low = (base * (1.0 - policy.jitter)).floor().min(cap);
    let high = base.ceil().min(cap);
    check!(
        (d as f64) >= low.min(high) - 1.0 && (d as f64) <= high,
        "{policy:?}: delay({n}) = {d}, outside [{low}, {high}]"
    );
    check!((d as f64) <= policy.max_delay_ms.ceil().min(cap), "{policy:?}: delay({n}) = {d} above maxDelayMs");
    if policy.jitter == 0.0 {
        check!(d as f64 == base.round().min(cap) || (base.round().min(cap) - d as f64).abs() <= 1.0, "{policy:?}: delay({n}) = {d} with no jitter, base {base}");
    }
    // Later retries never wait longer before jitter: the base grows with n.
    if n < u32::MAX && policy.jitter == 0.0 {
        let next = policy.delay(n + 1, &mut Rng::new(seed));
        check!(next >= d, "{policy:?}: delay({}) = {next} < delay({n}) = {d} without jitter", n + 1);
    }
    Ok(d)
}
