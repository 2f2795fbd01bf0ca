//! Checks on what page code passes in: URLs, handshake headers, close codes and reasons.
//! Pure functions, shared by the JS class and the Rust client.
//!
//! Written for a small WebAssembly module: the checks walk bytes with index loops instead of `str`
//! patterns, splits and the standard library's number and address parsers, which each bring their own
//! machinery. Every byte the rules look at is ASCII, so a byte index found here is always a character
//! boundary; characters are decoded only where a rule is about non-ASCII text.

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
    if has_byte(authority, b'@') {
        return bad("must not carry credentials (user@host); send them in a header or the query");
    }
    // Host and port: `[IPv6]` and an optional `:port` after it; otherwise the last `:` starts the port.
    let (host_len, port_text) = if authority.first() == Some(&b'[') {
        let Some(close) = authority.iter().position(|&c| c == b']') else { return bad("has an unclosed [ in its IPv6 host") };
        match &authority[close + 1..] {
            [] => (close + 1, None),
            [b':', port @ ..] => (close + 1, Some(port)),
            _ => return bad("has characters after its IPv6 host"),
        }
    } else {
        match authority.iter().rposition(|&c| c == b':') {
            Some(i) => (i, Some(&authority[i + 1..])),
            None => (authority.len(), None),
        }
    };
    let host = &url[start..start + host_len];
    let hb = host.as_bytes();
    if matches!(hb, [] | [b'[', b']']) {
        return bad("has no host");
    }
    if hb[0] == b'[' {
        // Only the `[…]` form gets here with a `[`: a name host is a prefix of an authority that does not
        // start with one.
        if !is_ipv6(&hb[1..hb.len() - 1]) {
            return bad("has a bracketed host that is not an IPv6 address");
        }
    } else {
        // Non-ASCII letters and digits are fine (IDNA turns them into punycode); anything else outside
        // ASCII (U+FFFD, zero-width spaces) is no name a resolver can look up.
        if !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') || (!c.is_ascii() && c.is_alphanumeric())) {
            return bad("has a host with characters a host name cannot have");
        }
        // The last label, trailing dots ignored.
        let mut last_end = hb.len();
        while last_end > 0 && hb[last_end - 1] == b'.' {
            last_end -= 1;
        }
        let last_start = hb[..last_end].iter().rposition(|&c| c == b'.').map_or(0, |i| i + 1);
        let last = &host[last_start..last_end];
        // WHATWG URL parsers read a host whose last label is a number as an IPv4 address.
        if ends_in_number(last.as_bytes()) && !is_ipv4(hb) {
            return bad("has a numeric host that is not an IPv4 address");
        }
        // The label rules, label by label; the refusals are reported in a fixed order below. An ASCII
        // label always passes the IDNA rules (both are about characters outside ASCII).
        let (mut idna_refuses, mut bad_punycode) = (false, false);
        let mut from = 0;
        while from <= hb.len() {
            let to = next_dot(hb, from);
            let label = &host[from..to];
            idna_refuses |= !idna_label_plausible(label);
            bad_punycode |= starts_with_ignore_case(label.as_bytes(), b"xn--") && !punycode_label_valid(&label.as_bytes()[4..]);
            from = to + 1;
        }
        if idna_refuses {
            return bad("has an international host name that IDNA refuses");
        }
        if ends_in_mapped_number(last) {
            return bad("has an international host name that ends in a number");
        }
        if bad_punycode {
            return bad("has an xn-- label that is not valid punycode");
        }
    }
    let port = match port_text {
        None => None,
        // Plain ASCII digits (leading zeros are fine), 1 to 65535.
        Some(p) => match digits_value(p, 10) {
            Some(n @ 1..=65535) => Some(n as u16),
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

/// What `char::is_whitespace` or `char::is_control` says, without the standard library's whitespace
/// table: C0 controls and the space, DEL and the C1 controls (with U+0085 and U+00A0), and the few
/// other Unicode `White_Space` characters.
fn is_space_or_control(c: char) -> bool {
    matches!(c as u32, 0..=0x20 | 0x7F..=0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000)
}

/// True when every byte is ASCII (a plain loop: the standard library's word-at-a-time version is larger).
fn is_ascii(b: &[u8]) -> bool {
    b.iter().all(|&c| c < 0x80)
}

/// True when `b` holds `x`. A plain loop: `<[u8]>::contains` brings in `memchr`, which nothing else needs.
#[allow(clippy::manual_contains)]
fn has_byte(b: &[u8], x: u8) -> bool {
    b.iter().any(|&c| c == x)
}

/// True when `b` starts with `prefix`, ASCII letters compared without case.
fn starts_with_ignore_case(b: &[u8], prefix: &[u8]) -> bool {
    b.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Index of the first `.` at or after `from`, or the length: the end of the dot-separated part that
/// starts at `from` (what `split('.')` yields, on bytes).
fn next_dot(b: &[u8], from: usize) -> usize {
    from + b[from..].iter().position(|&c| c == b'.').unwrap_or(b.len() - from)
}

/// The value of a run of digits in `radix` (2 to 36): `None` if any byte is no such digit, 0 for an
/// empty run. Saturates at `u64::MAX` instead of overflowing, so a long run of leading zeros still
/// reads as the small number it is.
fn digits_value(digits: &[u8], radix: u32) -> Option<u64> {
    let mut n = 0u64;
    for &d in digits {
        let v = (d as char).to_digit(radix)?;
        n = n.saturating_mul(u64::from(radix)).saturating_add(u64::from(v));
    }
    Some(n)
}

/// "Ends in a number" as WHATWG URL parsers decide it: all ASCII digits, or `0x` and hex digits.
fn ends_in_number(label: &[u8]) -> bool {
    match label {
        [] => false,
        [b'0', b'x' | b'X', hex @ ..] => digits_value(hex, 16).is_some(),
        _ => digits_value(label, 10).is_some(),
    }
}

/// A last label that IDNA maps to digits (fullwidth `１`, superscript `³`): WHATWG parsers then read the
/// host as an IPv4 address and refuse it. Refused here whenever such a label holds only digits of any kind.
fn ends_in_mapped_number(label: &str) -> bool {
    !is_ascii(label.as_bytes()) && label.chars().all(|c| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric()))
}

/// RFC 3492 decoding of the part after `xn--`: true when it decodes, to a label with at least one
/// non-ASCII character (IDNA refuses an `xn--` label that says nothing an ASCII label could not).
///
/// The decoded label is never built: the checks on it need only its length (for the decoder), its
/// first character and whether it holds Latin or right-to-left letters (for the IDNA rules), and each
/// decoded character's own kind.
fn punycode_label_valid(encoded: &[u8]) -> bool {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    // Punycode is ASCII, and says something.
    if encoded.is_empty() || !is_ascii(encoded) {
        return false;
    }
    // Basic (ASCII) characters come before the last `-`; they must be letters, digits or `-`.
    let (basic, rest) = match encoded.iter().rposition(|&c| c == b'-') {
        Some(i) => (&encoded[..i], &encoded[i + 1..]),
        None => (&encoded[..0], encoded),
    };
    if !basic.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-') {
        return false;
    }
    let mut len = basic.len() as u32;
    // An ASCII first character is never a combining mark.
    let mut first_is_mark = false;
    let latin = basic.iter().any(u8::is_ascii_alphabetic);
    let mut rtl = false;
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut pos = 0;
    let mut decoded_any = false;
    while pos < rest.len() {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let Some(&b) = rest.get(pos) else { return false };
            pos += 1;
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
        len += 1;
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
        // `n` starts at 128 and only grows, so every decoded character is outside ASCII; like the
        // label's own characters it must be a letter or a digit (a control character or a symbol is
        // disallowed by IDNA).
        let Some(c) = char::from_u32(n) else { return false };
        if !c.is_alphanumeric() {
            return false;
        }
        // Inserted at position `i`: at 0 it becomes the first character.
        if i == 0 {
            first_is_mark = is_mark(c);
        }
        rtl |= is_rtl(c);
        i += 1;
        decoded_any = true;
    }
    // What it decodes to must itself be a plausible international label (`idna_label_plausible`).
    decoded_any && !first_is_mark && !(rtl && latin)
}

/// The two IDNA (UTS 46) rules a hand-typed host most often breaks, checked without Unicode tables:
/// a label must not start with a combining mark, and a label with right-to-left letters must not also
/// hold left-to-right (Latin) letters. Hosts that pass may still be refused by the resolver; none that
/// IDNA accepts is refused here.
fn idna_label_plausible(label: &str) -> bool {
    let starts_with_mark = label.chars().next().is_some_and(is_mark);
    let mixes_directions = label.chars().any(is_rtl) && label.bytes().any(|b| b.is_ascii_alphabetic());
    !(starts_with_mark || mixes_directions)
}

/// Inclusive ranges of combining marks from the blocks hand-typed hosts meet (Latin, Cyrillic, Hebrew,
/// Arabic, Devanagari, the combining-mark blocks, kana, half marks).
const MARKS: [(u16, u16); 22] = [
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05BD),
    (0x05BF, 0x05BF),
    (0x05C1, 0x05C2),
    (0x05C4, 0x05C5),
    (0x05C7, 0x05C7),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E4),
    (0x06E7, 0x06E8),
    (0x06EA, 0x06ED),
    (0x0900, 0x0903),
    (0x093A, 0x094F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0x302A, 0x302F),
    (0x3099, 0x309A),
    (0xFE20, 0xFE2F),
];

/// Inclusive ranges of right-to-left scripts: Hebrew to Arabic Extended-A, and the Hebrew and Arabic
/// presentation forms.
const RTL: [(u16, u16); 3] = [(0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF)];

/// True when `c` lies in one of the inclusive `ranges` (a short list walked in order: smaller than the
/// comparison tree a `match` on the same ranges compiles to).
fn in_ranges(c: char, ranges: &[(u16, u16)]) -> bool {
    ranges.iter().any(|&(lo, hi)| (u32::from(lo)..=u32::from(hi)).contains(&(c as u32)))
}

/// A combining mark IDNA refuses at the start of a label (`MARKS`).
fn is_mark(c: char) -> bool {
    in_ranges(c, &MARKS)
}

/// A right-to-left letter (`RTL`).
fn is_rtl(c: char) -> bool {
    in_ranges(c, &RTL)
}

/// One part of an IPv4 address as WHATWG URL parsers read it: decimal, `0x` hex or `0`-prefixed octal.
fn ipv4_number(part: &[u8]) -> Option<u64> {
    let (digits, radix) = match part {
        [b'0', b'x' | b'X', hex @ ..] => {
            // `0x` alone is 0.
            if hex.is_empty() {
                return Some(0);
            }
            (hex, 16)
        }
        [b'0', octal @ ..] if !octal.is_empty() => (octal, 8),
        // An empty part is no number.
        [] => return None,
        _ => (part, 10),
    };
    // More than 12 digits is no number (parsers stop reading there).
    if digits.len() > 12 {
        return None;
    }
    digits_value(digits, radix)
}

/// True for an IPv4 address in any form a WHATWG parser accepts (1 to 4 parts; the last fills the rest).
fn is_ipv4(host: &[u8]) -> bool {
    let host = host.strip_suffix(b".").unwrap_or(host);
    let mut parts = 0;
    let mut from = 0;
    loop {
        let to = next_dot(host, from);
        let Some(n) = ipv4_number(&host[from..to]) else { return false };
        parts += 1;
        if to == host.len() {
            // The last part fills the bytes the others left.
            return n < 1u64 << (8 * (5 - parts));
        }
        // At most four parts; every one but the last is one byte.
        if parts == 4 || n > 255 {
            return false;
        }
        from = to + 1;
    }
}

/// True for `a.b.c.d`: four parts of 1 to 3 ASCII digits, each at most 255. `leading_zeros` allows
/// parts like `01` (the loopback rule); the standard library's IPv6 parser refuses them in an IPv4 tail.
fn is_dotted_quad(b: &[u8], leading_zeros: bool) -> bool {
    let mut from = 0;
    for part in 0..4 {
        let to = next_dot(b, from);
        let digits = &b[from..to];
        let well_formed = matches!(digits.len(), 1..=3) && (leading_zeros || digits.len() == 1 || digits[0] != b'0');
        // The first three parts end at a dot, the last at the end.
        if !well_formed || !matches!(digits_value(digits, 10), Some(0..=255)) || (part < 3) == (to == b.len()) {
            return false;
        }
        from = to + 1;
    }
    true
}

/// True for a textual IPv6 address (inside the brackets), as the standard library parses it: 8 groups,
/// or fewer with one `::`, the last two optionally a dotted IPv4 address without leading zeros.
///
/// Groups are 1 to 4 hex digits separated by single colons; one `::` (at the start, the end or between
/// groups) stands for at least one zero group, so at most 7 groups are written with it; an IPv4 tail
/// ends the address and counts as two groups.
fn is_ipv6(s: &[u8]) -> bool {
    let mut compressed = matches!(s, [b':', b':', ..]);
    let mut i = if compressed { 2 } else { 0 };
    let mut groups = 0;
    while i < s.len() {
        let start = i;
        while i < s.len() && s[i].is_ascii_hexdigit() {
            i += 1;
        }
        if s.get(i) == Some(&b'.') {
            if !is_dotted_quad(&s[start..], false) {
                return false;
            }
            groups += 2;
            break;
        }
        if !matches!(i - start, 1..=4) {
            return false;
        }
        groups += 1;
        if i < s.len() {
            // After a group: `:` and another group, or `::` (once) and possibly more.
            if s[i] != b':' {
                return false;
            }
            i += 1;
            if s.get(i) == Some(&b':') {
                if compressed {
                    return false;
                }
                compressed = true;
                i += 1;
            } else if i == s.len() {
                return false;
            }
        }
    }
    if compressed {
        groups <= 7
    } else {
        groups == 8
    }
}

/// True for `localhost`, any `127.x.y.z` and `[::1]`.
pub fn is_loopback(host: &str) -> bool {
    let b = host.as_bytes();
    b.eq_ignore_ascii_case(b"localhost") || b == b"[::1]" || (matches!(b, [b'1', b'2', b'7', b'.', ..]) && is_dotted_quad(b, true))
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

/// Checks one handshake header: a non-empty token name, no CR, LF or NUL anywhere, and not `Referer`.
pub fn check_header(name: &str, value: &str) -> Result<(), Error> {
    let invalid = |why: String| Err(Error::new(ErrorCode::InvalidOption, why));
    if name.is_empty() {
        return invalid("header names must not be empty".into());
    }
    let splits = |s: &str| s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0));
    if splits(name) || splits(value) {
        return invalid(cat(&["header \"", &printable_name(name), "\" contains CR, LF or NUL; remove them (they would split the handshake)"]));
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
fn is_token_byte(b: u8) -> bool {
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

#[cfg(test)]
mod tests {
    //! The hand-written checks against what they stand in for: the standard library's character
    //! classes and IPv6 parser, RFC 9110's token characters, and (for the punycode decoder, which
    //! never builds the decoded label) the label rules applied to the label itself.
    use super::*;

    /// A small deterministic generator (xorshift), so the tests need no crate and run on every target.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

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

    fn assert_ipv6_like_std(s: &str) {
        assert_eq!(is_ipv6(s.as_bytes()), s.parse::<std::net::Ipv6Addr>().is_ok(), "{s:?}");
    }

    /// Every string of up to 6 characters over the symbols IPv6 text is made of (and a few it is not).
    #[test]
    fn ipv6_is_what_std_parses_short_strings() {
        let symbols = b":.01f2g5";
        for len in 0..=6u32 {
            for mut k in 0..symbols.len().pow(len) {
                let mut s = String::new();
                for _ in 0..len {
                    s.push(symbols[k % symbols.len()] as char);
                    k /= symbols.len();
                }
                assert_ipv6_like_std(&s);
            }
        }
    }

    /// Addresses built from groups, `::` and IPv4 tails, well-formed or nearly so.
    #[test]
    fn ipv6_is_what_std_parses_built_addresses() {
        let pieces = [
            "0", "1", "ffff", "ABCD", "0000", "00000", "12345", "1.2.3.4", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "", "g",
            "é",
        ];
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for _ in 0..100_000 {
            let mut s = String::from(["", "", "::", ":"][rng.below(4)]);
            for p in 0..rng.below(11) {
                if p > 0 {
                    s.push_str([":", ":", ":", "::", ".", ":::"][rng.below(6)]);
                }
                s.push_str(pieces[rng.below(pieces.len())]);
            }
            s.push_str(["", "", "::", ":"][rng.below(4)]);
            assert_ipv6_like_std(&s);
        }
    }

    /// RFC 3492 encoding, to build `xn--` labels for the decoder.
    fn punycode_encode(label: &[char]) -> String {
        const BASE: u32 = 36;
        let digit = |d: u32| if d < 26 { (b'a' + d as u8) as char } else { (b'0' + (d - 26) as u8) as char };
        let mut out: String = label.iter().filter(|c| c.is_ascii()).collect();
        let basic = out.len() as u32;
        if basic > 0 {
            out.push('-');
        }
        let (mut n, mut delta, mut bias, mut handled) = (128u32, 0u32, 72u32, basic);
        while (handled as usize) < label.len() {
            let m = label.iter().map(|&c| c as u32).filter(|&c| c >= n).min().unwrap();
            delta += (m - n) * (handled + 1);
            n = m;
            for &c in label {
                if (c as u32) < n {
                    delta += 1;
                }
                if c as u32 == n {
                    let (mut q, mut k) = (delta, BASE);
                    loop {
                        let t = if k <= bias { 1 } else if k >= bias + 26 { 26 } else { k - bias };
                        if q < t {
                            break;
                        }
                        out.push(digit(t + (q - t) % (BASE - t)));
                        q = (q - t) / (BASE - t);
                        k += BASE;
                    }
                    out.push(digit(q));
                    // Bias adaptation, as in the decoder.
                    let mut d = if handled == basic { delta / 700 } else { delta / 2 };
                    d += d / (handled + 1);
                    let mut kk = 0;
                    while d > ((BASE - 1) * 26) / 2 {
                        d /= BASE - 1;
                        kk += BASE;
                    }
                    bias = kk + (BASE * d) / (d + 38);
                    delta = 0;
                    handled += 1;
                }
            }
            delta += 1;
            n += 1;
        }
        out
    }

    /// An `xn--` label is valid exactly when the label it encodes holds something outside ASCII, only
    /// letters, digits and `-`, and passes the IDNA rules: what decoding and then checking the label
    /// decides, though the decoder keeps only the label's first character and kinds of character.
    #[test]
    fn punycode_labels_are_judged_by_what_they_encode() {
        for (label, encoded) in [("bücher", "bcher-kva"), ("中国", "fiqs8s"), ("公司", "55qx5d")] {
            assert_eq!(punycode_encode(&label.chars().collect::<Vec<_>>()), encoded);
        }
        let kinds = [
            'a', 'Z', '0', '-', '_', 'é', '例', '\u{670}', '\u{300}', '\u{5B0}', '\u{64B}', '\u{93E}', 'ب', 'א', '١', '³', '１', 'Ⅻ', '½',
            '\u{FFFD}', '\u{200B}', '😀', 'ﺏ', '\u{FE20}',
        ];
        let mut rng = Rng(7);
        for _ in 0..20_000 {
            let label: Vec<char> = (0..1 + rng.below(6)).map(|_| kinds[rng.below(kinds.len())]).collect();
            let text: String = label.iter().collect();
            let expected = label.iter().any(|c| !c.is_ascii())
                && label.iter().all(|&c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric()))
                && idna_label_plausible(&text);
            assert_eq!(punycode_label_valid(punycode_encode(&label).as_bytes()), expected, "{text:?}");
        }
    }
}
