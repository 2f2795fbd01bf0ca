//! Checks on what page code passes in: URLs, handshake headers, close codes and reasons.
//! Pure functions, shared by the JS class and the Rust client.
//!
//! # The URL rules
//!
//! [`check_url`] refuses what a WebSocket client must refuse itself, before any attempt, and leaves the
//! rest of URL syntax to the platform (`wx.connectSocket`, `tt.connectSocket`, `new WebSocket`), which
//! parses every URL anyway; the engine treats the platform's refusal of a URL as final. Refused with
//! `INVALID_URL`:
//! - an empty URL;
//! - whitespace or a control character anywhere (Unicode `White_Space`, C0, DEL and C1): it would be
//!   stripped, mangled or split the request line;
//! - a scheme other than `ws://` or `wss://` (letters in any case);
//! - a fragment: a `#` anywhere;
//! - credentials: an `@` in the authority (from after the scheme to the first `/` or `?`), so none can
//!   reach the handshake or a log line;
//! - a `\` in the authority: WHATWG parsers end the authority there, others read it as part of the
//!   host, so the host and port would depend on the platform;
//! - no host: nothing before the port, `[]`, an unclosed `[`, or anything but `:port` after `]`;
//! - a port that is not a number from 1 to 65535 in ASCII digits (leading zeros are fine).
//!
//! Refused with `INSECURE_URL` unless `allow_insecure`: `ws://` to any host but `localhost` (any case),
//! `127.0.0.0/8` written as four decimal parts of 1 to 3 digits, and `[::1]`.
//!
//! Left to the platform: what characters a host name may hold, IDNA and punycode, the IPv4 number forms
//! of WHATWG URL parsers (hex, octal, fewer than four parts) and IPv6 address syntax. Every host those
//! forms could spell, loopback included, is refused or treated as not loopback here, never taken for
//! loopback when it is not.
//!
//! Written for a small WebAssembly module: the checks walk bytes with index loops instead of `str`
//! patterns, splits and the standard library's number parsers, which each bring their own machinery.
//! Every byte the rules look at is ASCII, so a byte index found here is always a character boundary.

use super::error::{Error, ErrorCode};
use super::text::{cat, num};

/// The parts of a WebSocket URL that the checks need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsUrl<'a> {
    /// True for `wss://`.
    pub secure: bool,
    /// Host as written (brackets kept for IPv6), lower-cased comparison is up to the caller.
    pub host: &'a str,
    /// Port, when one is written.
    pub port: Option<u16>,
}

/// Checks a WebSocket URL against the rules in the module documentation and returns its parts.
// Plain loops, not `<[u8]>::contains`: that brings in the word-at-a-time `memchr`, which nothing else needs.
#[allow(clippy::manual_contains)]
pub fn check_url(url: &str, allow_insecure: bool) -> Result<WsUrl<'_>, Error> {
    let bad = |why: &str| Err(Error::new(ErrorCode::InvalidUrl, cat(&["url ", why, "; expected ws://host[:port]/path or wss://…"])));
    if url.is_empty() {
        return bad("is empty");
    }
    // One pass over the characters: whitespace and controls are refused at once, a `#` only after the
    // scheme (the order of the messages is part of the contract).
    let mut fragment = false;
    for c in url.chars() {
        if is_space_or_control(c) {
            return bad("contains whitespace or a control character");
        }
        fragment |= c == '#';
    }
    let b = url.as_bytes();
    let secure = starts_with_ignore_case(b, b"wss://");
    if !secure && !starts_with_ignore_case(b, b"ws://") {
        return bad("must start with ws:// or wss://");
    }
    if fragment {
        return bad("must not contain a fragment (#)");
    }
    // The authority runs from after the scheme to the first `/` or `?`.
    let start = if secure { 6 } else { 5 };
    let end = start + b[start..].iter().position(|&c| c == b'/' || c == b'?').unwrap_or(b.len() - start);
    let authority = &b[start..end];
    if authority.iter().any(|&c| c == b'@') {
        return bad("must not carry credentials (user@host); send them in a header or the query");
    }
    if authority.iter().any(|&c| c == b'\\') {
        return bad("has a \\ before its path; use /");
    }
    // Host and port: `[IPv6]` and an optional `:port` after it; otherwise the first `:` starts the port,
    // as in WHATWG parsers (so `host:80:80` has the port `80:80`, which is refused).
    let (host_len, port_text) = if authority.first() == Some(&b'[') {
        let Some(close) = authority.iter().position(|&c| c == b']') else { return bad("has an unclosed [ in its IPv6 host") };
        match &authority[close + 1..] {
            [] => (close + 1, None),
            [b':', port @ ..] => (close + 1, Some(port)),
            _ => return bad("has characters after its IPv6 host"),
        }
    } else {
        match authority.iter().position(|&c| c == b':') {
            Some(i) => (i, Some(&authority[i + 1..])),
            None => (authority.len(), None),
        }
    };
    let host = &url[start..start + host_len];
    if matches!(host.as_bytes(), [] | [b'[', b']']) {
        return bad("has no host");
    }
    let port = match port_text {
        None => None,
        Some(p) => match decimal_value(p) {
            Some(n @ 1..=65535) => Some(n as u16),
            _ => return bad("has a port that is not a number from 1 to 65535"),
        },
    };
    if !secure && !allow_insecure && !is_loopback(host) {
        return Err(Error::new(
            ErrorCode::InsecureUrl,
            "ws:// is allowed only to localhost, 127.0.0.0/8 and [::1]; use wss://, or allowInsecure: true in development",
        ));
    }
    Ok(WsUrl { secure, host, port })
}

/// What `char::is_whitespace` or `char::is_control` says, without the standard library's whitespace
/// table: C0 controls and the space, DEL and the C1 controls (with U+0085 and U+00A0), and the few
/// other Unicode `White_Space` characters.
fn is_space_or_control(c: char) -> bool {
    matches!(c as u32, 0..=0x20 | 0x7F..=0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000)
}

/// True when `b` starts with `prefix`, ASCII letters compared without case.
fn starts_with_ignore_case(b: &[u8], prefix: &[u8]) -> bool {
    b.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// The value of a run of ASCII decimal digits: `None` if any byte is no digit or the run is empty.
/// Saturates at `u64::MAX` instead of overflowing, so a long run of leading zeros still reads as the
/// small number it is.
fn decimal_value(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    let mut n = 0u64;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.saturating_mul(10).saturating_add(u64::from(d - b'0'));
    }
    Some(n)
}

/// True for `a.b.c.d`: four parts of 1 to 3 ASCII digits (leading zeros allowed), each at most 255.
fn is_dotted_quad(b: &[u8]) -> bool {
    let mut from = 0;
    for part in 0..4 {
        let to = from + b[from..].iter().position(|&c| c == b'.').unwrap_or(b.len() - from);
        let digits = &b[from..to];
        // The first three parts end at a dot, the last at the end.
        if !matches!(digits.len(), 1..=3) || !matches!(decimal_value(digits), Some(0..=255)) || (part < 3) == (to == b.len()) {
            return false;
        }
        from = to + 1;
    }
    true
}

/// True for `localhost`, any `127.x.y.z` and `[::1]`.
pub fn is_loopback(host: &str) -> bool {
    let b = host.as_bytes();
    b.eq_ignore_ascii_case(b"localhost") || b == b"[::1]" || (matches!(b, [b'1', b'2', b'7', b'.', ..]) && is_dotted_quad(b))
}

/// The URL with credentials, query string and fragment removed: what a log line may show.
pub fn redact_url(url: &str) -> String {
    let b = url.as_bytes();
    let cut = b.iter().position(|&c| c == b'?' || c == b'#').unwrap_or(b.len());
    let base = &url[..cut];
    let suffix = if cut < b.len() { "?…" } else { "" };
    // Credentials sit in the authority (up to the first '/' after the scheme); like URL parsers, the
    // last '@' there ends them, so a password with a raw '@' is cut whole and an '@' in the path is kept.
    // `drop_from..drop_to` is what goes: the credentials and their '@', or nothing.
    let (mut drop_from, mut drop_to) = (0, 0);
    if let Some(scheme_end) = b[..cut].windows(3).position(|w| matches!(w, [b':', b'/', b'/'])) {
        let authority_start = scheme_end + 3;
        let authority_end = b[authority_start..cut].iter().position(|&c| c == b'/' || c == b'\\').map_or(cut, |i| authority_start + i);
        if let Some(at) = b[authority_start..authority_end].iter().rposition(|&c| c == b'@') {
            (drop_from, drop_to) = (authority_start, authority_start + at + 1);
        }
    }
    cat(&[&base[..drop_from], &base[drop_to..], suffix])
}

/// A platform's error text with nothing after the URL's query string starts: cut after the first copy
/// of the URL up to its `?` or `#` (then `?…`), or else where its query string or fragment first appears
/// (then `…`). The platforms that refuse a URL quote it, as given or as parsed, elided when long, and end
/// their text with it or shortly after (npm `ws`: `Invalid URL: <url>`; Chromium: `The URL '<url>' is
/// invalid.`): the reason stays, the query goes. The text reaches error events; credentials never get
/// this far (`check_url` refuses them).
pub fn redact_in(message: &str, url: &str) -> String {
    let m = message.as_bytes();
    let Some(cut) = url.bytes().position(|c| c == b'?' || c == b'#') else { return message.into() };
    let (base, secret) = (&url.as_bytes()[..cut], &url.as_bytes()[cut + 1..]);
    if let Some(at) = find(m, base) {
        return cat(&[&message[..at + base.len()], "?…"]);
    }
    match find(m, secret) {
        Some(at) => cat(&[&message[..at], "…"]),
        None => message.into(),
    }
}

/// Where `needle` first occurs in `haystack`; never for an empty needle. A match of whole characters
/// starts and ends on character boundaries.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let mut i = 0;
    while !needle.is_empty() && i + needle.len() <= haystack.len() {
        if &haystack[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Checks one handshake header: a non-empty token name, no CR, LF or NUL anywhere, and not `Referer`.
pub fn check_header(name: &str, value: &str) -> Result<(), Error> {
    let invalid = |why: String| Err(Error::new(ErrorCode::InvalidOption, why));
    if name.is_empty() {
        return invalid("header names must not be empty".into());
    }
    let splits = |s: &str| s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0));
    if splits(name) || splits(value) {
        return invalid(cat(&["header \"", &printable_name(name), "\" contains CR, LF or NUL; remove them"]));
    }
    if !name.bytes().all(is_token_byte) {
        return invalid(cat(&["header name \"", &printable_name(name), "\" is not a valid HTTP token"]));
    }
    if name.eq_ignore_ascii_case("referer") {
        return invalid("the Referer header cannot be set: the platform forbids it".into());
    }
    Ok(())
}

/// An HTTP token character (RFC 9110 `tchar`): a visible ASCII character other than the separators
/// `"(),/:;<=>?@[\]{}`.
pub fn is_token_byte(b: u8) -> bool {
    matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'^'..=b'z' | b'|' | b'~')
}

/// The header name for a message: at most 64 characters, control characters shown as `?`.
fn printable_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().take(64) {
        out.push(if c.is_control() { '?' } else { c });
    }
    out
}

/// Checks a close code and reason as `close()` takes them: 1000 or 3000–4999, reason ≤ 123 UTF-8 bytes.
pub fn check_close(code: u32, reason: &str) -> Result<(), Error> {
    if !(code == 1000 || (3000..=4999).contains(&code)) {
        return Err(Error::new(
            ErrorCode::InvalidCloseCode,
            cat(&["close code ", &num(u64::from(code)), " is not allowed; use 1000 or 3000 to 4999"]),
        ));
    }
    if reason.len() > MAX_REASON_BYTES {
        return Err(Error::new(
            ErrorCode::ReasonTooLong,
            cat(&["close reason is ", &num(reason.len() as u64), " UTF-8 bytes; the limit is 123"]),
        ));
    }
    Ok(())
}

/// Longest close reason a WebSocket close frame can carry, in UTF-8 bytes.
pub const MAX_REASON_BYTES: usize = 123;

#[cfg(test)]
mod tests {
    //! The hand-written character classes against what they stand in for: the standard library's
    //! character classes and RFC 9110's token characters.
    use super::*;

    #[test]
    fn space_or_control_is_what_std_says() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_space_or_control(c), c.is_whitespace() || c.is_control(), "{:#x}", c as u32);
        }
    }

    #[test]
    fn token_bytes_are_visible_ascii_but_separators() {
        for b in 0..=255u8 {
            assert_eq!(is_token_byte(b), b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b), "{b:#x}");
        }
    }

    /// Every run of up to 4 bytes over digits and a few others: what `str::parse` reads, saturated.
    #[test]
    fn decimal_value_is_what_parse_says() {
        let symbols = b"0179a+- ";
        for len in 0..=4u32 {
            for mut k in 0..symbols.len().pow(len) {
                let mut s = Vec::new();
                for _ in 0..len {
                    s.push(symbols[k % symbols.len()]);
                    k /= symbols.len();
                }
                let expected = if s.iter().all(u8::is_ascii_digit) { std::str::from_utf8(&s).unwrap().parse::<u64>().ok() } else { None };
                assert_eq!(decimal_value(&s), expected, "{:?}", String::from_utf8_lossy(&s));
            }
        }
        assert_eq!(decimal_value(b"99999999999999999999999"), Some(u64::MAX));
    }
}
