//! Checks on what page code passes in: URLs, handshake headers, close codes and reasons.
//! Pure functions, shared by the JS class and the Rust client.

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

/// Parses and checks a WebSocket URL: `ws://` or `wss://`, a host, an optional port, no fragment,
/// no whitespace or control characters. `ws://` is refused (`INSECURE_URL`) unless the host is
/// loopback (`localhost`, `127.0.0.0/8`, `[::1]`) or `allow_insecure` is set.
pub fn check_url(url: &str, allow_insecure: bool) -> Result<WsUrl<'_>, Error> {
    let bad = |why: &str| Err(Error::new(ErrorCode::InvalidUrl, cat(&["url ", why, "; expected ws://host[:port]/path or wss://…"])));
    if url.is_empty() {
        return bad("is empty");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains whitespace or a control character");
    }
    let (secure, rest) = if let Some(r) = strip_prefix_ignore_case(url, "wss://") {
        (true, r)
    } else if let Some(r) = strip_prefix_ignore_case(url, "ws://") {
        (false, r)
    } else {
        return bad("must start with ws:// or wss://");
    };
    if url.contains('#') {
        return bad("must not contain a fragment (#)");
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.contains('@') {
        return bad("must not carry credentials (user@host); send them in a header or the query");
    }
    let (host, port_text) = if let Some(after_bracket) = authority.strip_prefix('[') {
        let Some(close) = after_bracket.find(']') else { return bad("has an unclosed [ in its IPv6 host") };
        let host = &authority[..close + 2];
        let tail = &after_bracket[close + 1..];
        match tail {
            "" => (host, None),
            t if t.starts_with(':') => (host, Some(&t[1..])),
            _ => return bad("has characters after its IPv6 host"),
        }
    } else {
        match authority.rfind(':') {
            Some(i) => (&authority[..i], Some(&authority[i + 1..])),
            None => (authority, None),
        }
    };
    if host.is_empty() || host == "[]" {
        return bad("has no host");
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        if !is_ipv6(inner) {
            return bad("has a bracketed host that is not an IPv6 address");
        }
    } else {
        // Non-ASCII letters and digits are fine (IDNA turns them into punycode); anything else outside
        // ASCII (U+FFFD, zero-width spaces) is no name a resolver can look up.
        if !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') || (!c.is_ascii() && c.is_alphanumeric())) {
            return bad("has a host with characters a host name cannot have");
        }
        // WHATWG URL parsers read a host whose last label is a number as an IPv4 address.
        let last = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
        if ends_in_number(last) && !is_ipv4(host) {
            return bad("has a numeric host that is not an IPv4 address");
        }
        if !host.is_ascii() && host.split('.').any(|label| !idna_label_plausible(label)) {
            return bad("has an international host name that IDNA refuses");
        }
        if !host.is_ascii() && ends_in_mapped_number(last) {
            return bad("has an international host name that ends in a number");
        }
        if host.split('.').any(|label| label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")) && !punycode_label_valid(&label[4..])) {
            return bad("has an xn-- label that is not valid punycode");
        }
    }
    let port = match port_text {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return bad("has a port that is not a number from 1 to 65535"),
        },
    };
    if !secure && !allow_insecure && !is_loopback(host) {
        return Err(Error::new(
            ErrorCode::InsecureUrl,
            "ws:// is only allowed for localhost, 127.0.0.0/8 and [::1]; use wss:// (mini-programs require it in production) or pass allowInsecure: true",
        ));
    }
    Ok(WsUrl { secure, host, port })
}

/// "Ends in a number" as WHATWG URL parsers decide it: all ASCII digits, or `0x` and hex digits.
fn ends_in_number(label: &str) -> bool {
    if label.is_empty() {
        return false;
    }
    if let Some(h) = label.strip_prefix("0x").or_else(|| label.strip_prefix("0X")) {
        return h.chars().all(|c| c.is_ascii_hexdigit());
    }
    label.bytes().all(|b| b.is_ascii_digit())
}

/// A last label that IDNA maps to digits (fullwidth `１`, superscript `³`): WHATWG parsers then read the
/// host as an IPv4 address and refuse it. Refused here whenever such a label holds only digits of any kind.
fn ends_in_mapped_number(label: &str) -> bool {
    !label.is_empty() && !label.is_ascii() && label.chars().all(|c| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric()))
}

/// RFC 3492 decoding of the part after `xn--`: true when it decodes, to a label with at least one
/// non-ASCII character (IDNA refuses an `xn--` label that says nothing an ASCII label could not).
fn punycode_label_valid(encoded: &str) -> bool {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    if encoded.is_empty() || !encoded.is_ascii() {
        return false;
    }
    let (basic, rest) = match encoded.rfind('-') {
        Some(i) => (&encoded[..i], &encoded[i + 1..]),
        None => ("", encoded),
    };
    let mut out: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut input = rest.bytes().peekable();
    let mut decoded_any = false;
    while input.peek().is_some() {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let Some(b) = input.next() else { return false };
            let digit = match b {
                b'a'..=b'z' => u32::from(b - b'a'),
                b'A'..=b'Z' => u32::from(b - b'A'),
                b'0'..=b'9' => u32::from(b - b'0') + 26,
                _ => return false,
            };
            let Some(step) = digit.checked_mul(w) else { return false };
            let Some(next) = i.checked_add(step) else { return false };
            i = next;
            let t = if k <= bias { T_MIN } else if k >= bias + T_MAX { T_MAX } else { k - bias };
            if digit < t {
                break;
            }
            let Some(nw) = w.checked_mul(BASE - t) else { return false };
            w = nw;
            k += BASE;
        }
        let len = out.len() as u32 + 1;
        // Bias adaptation (RFC 3492, section 6.1).
        let mut delta = if old_i == 0 && !decoded_any { (i - old_i) / 700 } else { (i - old_i) / 2 };
        delta += delta / len;
        let mut kk = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            kk += BASE;
        }
        bias = kk + (BASE * delta) / (delta + 38);
        let Some(nn) = n.checked_add(i / len) else { return false };
        n = nn;
        i %= len;
        let Some(c) = char::from_u32(n) else { return false };
        if c.is_ascii() {
            return false;
        }
        out.insert(i as usize, c);
        i += 1;
        decoded_any = true;
    }
    // What it decodes to must itself be a plausible international label: letters and digits outside
    // ASCII (a control character or a symbol is disallowed by IDNA).
    decoded_any
        && out.iter().any(|c| !c.is_ascii())
        && out.iter().all(|c| c.is_ascii_alphanumeric() || *c == '-' || (!c.is_ascii() && c.is_alphanumeric()))
        && idna_label_plausible(&out.iter().collect::<String>())
}

/// The two IDNA (UTS 46) rules a hand-typed host most often breaks, checked without Unicode tables:
/// a label must not start with a combining mark, and a label with right-to-left letters must not also
/// hold left-to-right (Latin) letters. Hosts that pass may still be refused by the resolver; none that
/// IDNA accepts is refused here.
fn idna_label_plausible(label: &str) -> bool {
    let is_mark = |c: char| {
        matches!(c as u32,
            0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5 | 0x05C7
            | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8
            | 0x06EA..=0x06ED | 0x0900..=0x0903 | 0x093A..=0x094F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
            | 0x20D0..=0x20FF | 0x302A..=0x302F | 0x3099..=0x309A | 0xFE20..=0xFE2F)
    };
    let is_rtl = |c: char| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF);
    if label.chars().next().is_some_and(is_mark) {
        return false;
    }
    !(label.chars().any(is_rtl) && label.chars().any(|c| c.is_ascii_alphabetic()))
}

/// One part of an IPv4 address as WHATWG URL parsers read it: decimal, `0x` hex or `0`-prefixed octal.
fn ipv4_number(part: &str) -> Option<u64> {
    let (digits, radix) = if let Some(h) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
        (h, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        return (radix == 16).then_some(0);
    }
    if digits.len() > 12 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// True for an IPv4 address in any form a WHATWG parser accepts (1 to 4 parts; the last fills the rest).
fn is_ipv4(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return false;
    }
    let Some(nums) = parts.iter().map(|p| ipv4_number(p)).collect::<Option<Vec<u64>>>() else { return false };
    let (last, init) = match nums.split_last() {
        Some(x) => x,
        None => return false,
    };
    init.iter().all(|&n| n <= 255) && *last < 1u64 << (8 * (5 - nums.len()))
}

/// True for a textual IPv6 address (inside the brackets), as the standard library parses it: 8 groups,
/// or fewer with one `::`, the last two optionally a dotted IPv4 address without leading zeros.
fn is_ipv6(s: &str) -> bool {
    s.parse::<core::net::Ipv6Addr>().is_ok()
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// True for `localhost`, any `127.x.y.z` and `[::1]`.
pub fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "[::1]" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets.iter().all(|o| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()) && o.parse::<u16>().is_ok_and(|n| n <= 255))
}

/// The URL with credentials, query string and fragment removed: what a log line may show.
pub fn redact_url(url: &str) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let base = &url[..cut];
    let suffix = if cut < url.len() { "?…" } else { "" };
    // Credentials sit in the authority (up to the first '/' after the scheme); like URL parsers, the
    // last '@' there ends them, so a password with a raw '@' is cut whole and an '@' in the path is kept.
    let Some(scheme_end) = base.find("://") else { return cat(&[base, suffix]) };
    let authority_start = scheme_end + 3;
    let authority_end = base[authority_start..].find(['/', '\\']).map_or(base.len(), |i| authority_start + i);
    match base[authority_start..authority_end].rfind('@') {
        Some(at) => cat(&[&base[..authority_start], &base[authority_start + at + 1..], suffix]),
        None => cat(&[base, suffix]),
    }
}

/// Checks one handshake header: a non-empty token name, no CR, LF or NUL anywhere, and not `Referer`.
pub fn check_header(name: &str, value: &str) -> Result<(), Error> {
    let invalid = |why: String| Err(Error::new(ErrorCode::InvalidOption, why));
    if name.is_empty() {
        return invalid("header names must not be empty".into());
    }
    if name.chars().chain(value.chars()).any(|c| matches!(c, '\r' | '\n' | '\0')) {
        return invalid(cat(&["header \"", &printable_name(name), "\" contains CR, LF or NUL; remove them (they would split the handshake)"]));
    }
    if !name.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b)) {
        return invalid(cat(&["header name \"", &printable_name(name), "\" is not a valid HTTP token"]));
    }
    if name.eq_ignore_ascii_case("referer") {
        return invalid("the Referer header cannot be set: the platform forbids it".into());
    }
    Ok(())
}

fn printable_name(name: &str) -> String {
    name.chars().map(|c| if c.is_control() { '?' } else { c }).take(64).collect()
}

/// Checks a close code and reason as `close()` takes them: 1000 or 3000–4999, reason ≤ 123 UTF-8 bytes.
pub fn check_close(code: u32, reason: &str) -> Result<(), Error> {
    if !(code == 1000 || (3000..=4999).contains(&code)) {
        return Err(Error::new(
            ErrorCode::InvalidCloseCode,
            cat(&["close code ", &num(u64::from(code)), " is not allowed; use 1000 or an application code from 3000 to 4999"]),
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
