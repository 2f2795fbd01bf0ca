#![cfg(not(target_arch = "wasm32"))]
//! Tests of the input checks in `wxsocket::core` (docs/contract.md: `url`, `header`, `allowInsecure`, `logger`,
//! `close()`). Covers:
//! - `check_url`: the rule set of `src/core/validate.rs` (schemes and their case, a host, ports,
//!   fragments, credentials, a `\` in the authority, whitespace and control characters, the loopback
//!   rule with and without `allow_insecure`) and which error code each refusal carries; what it leaves
//!   to the platform (host syntax: characters, IDNA and punycode, IPv4 number forms, IPv6 syntax) passes;
//!   a property test against an oracle written with `str` methods over URLs built from the edge pieces;
//! - `is_loopback`;
//! - `redact_url`: the query string, fragment and credentials never reach a log line;
//! - `redact_in`: a platform's error text that quotes the URL (as given or as parsed) keeps no query;
//! - `check_header`: CR, LF and NUL in names and values, `Referer` in any case, invalid token characters;
//! - `check_close`: the allowed codes and the 123-byte reason limit.

use proptest::prelude::*;
use wxsocket::core::{check_close, check_header, check_url, is_loopback, redact_in, redact_url, ErrorCode, WsUrl, MAX_REASON_BYTES};

fn code_of(url: &str, allow_insecure: bool) -> Option<ErrorCode> {
    check_url(url, allow_insecure).err().map(|e| e.code)
}

fn refused(url: &str) {
    assert_eq!(code_of(url, false), Some(ErrorCode::InvalidUrl), "{url:?} should be an invalid url");
    assert_eq!(code_of(url, true), Some(ErrorCode::InvalidUrl), "{url:?} should be invalid even with allowInsecure");
}

fn accepted(url: &str) -> WsUrl<'_> {
    match check_url(url, false) {
        Ok(parsed) => parsed,
        Err(e) => panic!("{url:?} refused: {e}"),
    }
}

// ------------------------------------------------------------------------------------------------
// check_url
// ------------------------------------------------------------------------------------------------

/// "`url` … `ws://` or `wss://`": both schemes, in any case; nothing else.
#[test]
fn url_schemes() {
    assert!(accepted("wss://example.com").secure);
    assert!(accepted("WSS://example.com").secure);
    assert!(accepted("Wss://example.com/").secure);
    assert!(!accepted("ws://localhost").secure);
    assert!(!accepted("WS://localhost").secure);
    for url in [
        "http://example.com",
        "https://example.com",
        "ftp://example.com",
        "wss:/example.com",
        "wss:example.com",
        "wss//example.com",
        "//example.com",
        "example.com",
        "wsss://example.com",
        "ws:://example.com",
        "",
        "wss",
        "wss:",
        "wss://",
        "ws://",
    ] {
        refused(url);
    }
}

/// Hosts: names (any case), IP addresses, international names; the host is returned as written.
#[test]
fn url_hosts() {
    assert_eq!(accepted("wss://example.com").host, "example.com");
    assert_eq!(accepted("wss://Example.COM/Path").host, "Example.COM");
    assert_eq!(accepted("wss://a-b.c_d.example:1/").host, "a-b.c_d.example");
    assert_eq!(accepted("wss://192.0.2.1/").host, "192.0.2.1");
    assert_eq!(accepted("wss://例子.测试/ws").host, "例子.测试");
    assert_eq!(accepted("wss://xn--fsqu00a.xn--0zwm56d").host, "xn--fsqu00a.xn--0zwm56d");
    assert_eq!(accepted("wss://example.com?x=1").host, "example.com");
    assert_eq!(accepted("wss://example.com/a?b=c/d").host, "example.com");
    for url in [
        "wss:///path",
        "wss://:443",
        "wss://:443/",
        "wss://?q=1",
        "wss://exa\\mple.com",
        "wss://example.com\\@evil.com/",
        "wss://a:1\\:2/",
        "wss://example.com:80:80",
    ] {
        refused(url);
    }
}

/// IPv6 hosts keep their brackets; brackets must close, hold an IPv6 address, and be followed by
/// nothing or a port.
#[test]
fn url_ipv6() {
    let u = accepted("wss://[2001:db8::1]:8443/ws");
    assert_eq!((u.host, u.port), ("[2001:db8::1]", Some(8443)));
    assert_eq!(accepted("wss://[::1]").host, "[::1]");
    assert_eq!(accepted("wss://[::ffff:192.0.2.1]/").host, "[::ffff:192.0.2.1]");
    assert_eq!(accepted("wss://[2001:DB8::A]/").host, "[2001:DB8::A]");
    for url in [
        "wss://[::1",
        "wss://[::1/path]",
        "wss://[]",
        "wss://[]:80",
        "wss://[::1]x",
        "wss://[::1]:",
        "wss://[::1]]",
        "wss://[::1]:80:80",
    ] {
        refused(url);
    }
}

/// Ports: 1–65535 in plain digits.
#[test]
fn url_ports() {
    assert_eq!(accepted("wss://example.com").port, None);
    assert_eq!(accepted("wss://example.com:1").port, Some(1));
    assert_eq!(accepted("wss://example.com:443/x").port, Some(443));
    assert_eq!(accepted("wss://example.com:65535?x").port, Some(65535));
    assert_eq!(accepted("wss://example.com:08080").port, Some(8080));
    for url in [
        "wss://example.com:",
        "wss://example.com:/",
        "wss://example.com:0",
        "wss://example.com:65536",
        "wss://example.com:99999999999",
        "wss://example.com:+80",
        "wss://example.com:-1",
        "wss://example.com:80a",
        "wss://example.com:0x50",
        "wss://example.com:٣",
    ] {
        refused(url);
    }
}

/// "no fragment": a `#` anywhere is refused (a WebSocket URL cannot carry one).
#[test]
fn url_fragments() {
    for url in ["wss://example.com#", "wss://example.com/#top", "wss://example.com/path?q=1#x", "ws://localhost#a"] {
        refused(url);
    }
}

/// Credentials in the URL (`user@host`) are refused; an `@` in the path or query is fine.
#[test]
fn url_credentials() {
    for url in [
        "wss://user@example.com",
        "wss://user:secret@example.com/",
        "wss://@example.com",
        "wss://example.com:443@evil.com/",
        "ws://user@localhost",
        "wss://a@b@example.com",
    ] {
        refused(url);
    }
    assert_eq!(accepted("wss://example.com/users/@me").host, "example.com");
    assert_eq!(accepted("wss://example.com/?mail=a@b.c").host, "example.com");
}

/// Whitespace and control characters anywhere are refused (they would be mangled or split a request).
#[test]
fn url_whitespace_and_controls() {
    for url in [
        " wss://example.com",
        "wss://example.com ",
        "wss://exa mple.com",
        "wss://example.com/a b",
        "wss://example.com/\t",
        "wss://example.com/\r\nHost: evil",
        "wss://example.com\n",
        "wss://example.com/\0",
        "wss://example.com/\u{7f}",
        "wss://example.com/\u{85}",
        "wss://example.com/\u{a0}",
        "wss://example.com/\u{3000}",
        "wss://example.com/\u{2028}",
    ] {
        refused(url);
    }
}

/// "`allowInsecure` … without it, `ws://` is refused except for `localhost`, `127.0.0.0/8` and `[::1]`."
#[test]
fn url_loopback_rule() {
    for url in [
        "ws://localhost",
        "ws://localhost:8080/ws",
        "ws://LocalHost/",
        "ws://127.0.0.1",
        "ws://127.0.0.1:9000/x?y",
        "ws://127.255.255.254",
        "ws://127.0.0.0",
        "ws://127.1.2.3:1",
        "ws://[::1]",
        "ws://[::1]:3000/",
    ] {
        assert!(check_url(url, false).is_ok(), "{url} is loopback");
    }
    for url in [
        "ws://example.com",
        "ws://128.0.0.1",
        "ws://126.0.0.1",
        "ws://127.0.0.1.evil.com",
        "ws://localhost.evil.com",
        "ws://evil-localhost",
        "ws://127.evil.com",
        "ws://127.0.0",
        "ws://127.0.0.1.",
        "ws://[::2]",
        "ws://[::]",
        "ws://[::ffff:8.8.8.8]",
        "ws://0.0.0.0",
        "ws://10.0.0.1",
        "ws://192.168.1.1:80",
    ] {
        assert_eq!(code_of(url, false), Some(ErrorCode::InsecureUrl), "{url} is not loopback");
        assert!(check_url(url, true).is_ok(), "{url} with allowInsecure");
    }
    // Numeric hosts that are no IPv4 address are not loopback either; whether they are addresses at all
    // is the platform's to say (it refuses them, for good). WHATWG's other IPv4 forms of 127.0.0.1 are
    // not taken for loopback: refused, never let through.
    for url in ["ws://127.0.0.256", "ws://127.0.0.1.1", "ws://1.127.0.0.1", "ws://0x7f.0.0.1", "ws://2130706433", "ws://127.1"] {
        assert_eq!(code_of(url, false), Some(ErrorCode::InsecureUrl), "{url}");
        assert!(check_url(url, true).is_ok(), "{url} with allowInsecure");
    }
    // wss:// needs no exception.
    assert!(check_url("wss://128.0.0.1", false).is_ok());
    // The message says what to do.
    let e = check_url("ws://example.com", false).unwrap_err();
    assert!(e.message.contains("wss://") && e.message.contains("allowInsecure"), "{}", e.message);
}

/// `is_loopback` on its own: the loopback hosts and only them.
#[test]
fn loopback_hosts() {
    for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.255.255.254", "127.255.255.255", "127.0.0.01", "[::1]"] {
        assert!(is_loopback(host), "{host}");
    }
    for host in [
        "", "localhost.", "localhost.evil.com", "127.0.0.1.evil.com", "128.0.0.1", "127.0.0.256", "127.0.0.1000", "127.0.0.-1",
        "127.0.0.+1", "127..0.1", "127.0.0", "[::2]", "::1", "[::1", "0x7f.0.0.1", "127.0.0.1:80",
    ] {
        assert!(!is_loopback(host), "{host:?}");
    }
}

/// Every refusal carries a message saying what was wrong (`INVALID_URL`) and what a URL should be.
#[test]
fn url_errors_explain() {
    let e = check_url("http://example.com", false).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidUrl);
    assert!(e.message.contains("ws://") && e.message.contains("wss://"), "{}", e.message);
    assert!(check_url("wss://u:p@example.com", false).unwrap_err().message.contains("credentials"));
    assert!(check_url("wss://example.com#x", false).unwrap_err().message.contains("fragment"));
}

proptest! {
    /// No input makes `check_url`, `redact_url` or `check_header` panic.
    #[test]
    fn checks_never_panic(s in "\\PC{0,40}", prefix in prop_oneof![Just(""), Just("ws://"), Just("wss://"), Just("wss://["), Just("ws://127.")]) {
        let url = format!("{prefix}{s}");
        let _ = check_url(&url, false);
        let _ = check_url(&url, true);
        let _ = redact_url(&url);
        let _ = check_header(&s, &s);
        let _ = is_loopback(&s);
    }
}

/// The rule set restated with `str` methods, independently of `check_url`'s byte walk: `Ok` with the
/// host and port, or the code of the refusal.
fn oracle(url: &str, allow_insecure: bool) -> Result<(String, Option<u16>), ErrorCode> {
    use ErrorCode::InvalidUrl;
    if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(InvalidUrl);
    }
    let lower = url.to_ascii_lowercase();
    let (secure, rest) = if lower.starts_with("wss://") {
        (true, &url[6..])
    } else if lower.starts_with("ws://") {
        (false, &url[5..])
    } else {
        return Err(InvalidUrl);
    };
    if url.contains('#') {
        return Err(InvalidUrl);
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.contains('@') || authority.contains('\\') {
        return Err(InvalidUrl);
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(inside) => match inside.split_once(']') {
            None => return Err(InvalidUrl),
            Some((address, "")) => (format!("[{address}]"), None),
            Some((address, tail)) => match tail.strip_prefix(':') {
                Some(port) => (format!("[{address}]"), Some(port)),
                None => return Err(InvalidUrl),
            },
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (authority.to_owned(), None),
        },
    };
    if host.is_empty() || host == "[]" {
        return Err(InvalidUrl);
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            let significant = p.trim_start_matches('0');
            match significant.parse::<u16>() {
                Ok(n) if n > 0 => Some(n),
                _ => return Err(InvalidUrl),
            }
        }
        Some(_) => return Err(InvalidUrl),
    };
    let parts: Vec<&str> = host.split('.').collect();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || (parts.len() == 4 && parts[0] == "127" && parts.iter().all(|p| (1..=3).contains(&p.len()) && p.parse::<u8>().is_ok()));
    if !secure && !allow_insecure && !loopback {
        return Err(ErrorCode::InsecureUrl);
    }
    Ok((host, port))
}

/// URLs built from the pieces each rule turns on, then anything: each piece sits on an edge of a rule.
fn edge_url() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec!["ws://", "wss://", "WSS://", "Ws://", "http://", "", "ws:/", "wss:\\\\", " wss://"]);
    let credentials = prop::sample::select(vec!["", "", "", "u@", "u:p@", "@", "a\\"]);
    let host = prop::sample::select(vec![
        "example.com", "localhost", "LocalHost", "localhost.", "127.0.0.1", "127.000.0.01", "127.0.0.256", "127.0.0.1.1", "0x7f.0.0.1",
        "128.0.0.1", "[::1]", "[::2]", "[2001:db8::1]", "[", "[]", "[::1", "", "a b", "例子.cn", "127.0.0.1.evil.com", "[::1]x", "[::1]]",
        "exa%mple", "\u{3000}",
    ]);
    let port = prop::sample::select(vec!["", "", ":", ":0", ":1", ":443", ":65535", ":65536", ":0080", ":00000", ":8a", ":٣", ":99999999999999999999999", ":1:2"]);
    let path = prop::sample::select(vec!["", "/", "/p?q=1", "?x@y", "/a:b@c", "#f", "/#", "/\t", "/\\", "?a\\b"]);
    (scheme, credentials, host, port, path, "\\PC{0,3}").prop_map(|(s, c, h, p, r, tail)| format!("{s}{c}{h}{p}{r}{tail}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]
    /// `check_url` refuses exactly what the rule set refuses, with the same code, and reads the same
    /// host and port from what it passes.
    #[test]
    fn check_url_is_the_rule_set(url in edge_url()) {
        for allow_insecure in [false, true] {
            let got = check_url(&url, allow_insecure).map(|u| (u.host.to_owned(), u.port)).map_err(|e| e.code);
            prop_assert_eq!(got, oracle(&url, allow_insecure), "{:?}, allowInsecure: {}", url, allow_insecure);
        }
    }
}

// ------------------------------------------------------------------------------------------------
// redact_url
// ------------------------------------------------------------------------------------------------

/// "`logger` … never receives … the URL's query string": the query, fragment and credentials are cut.
#[test]
fn redact_removes_query_fragment_and_credentials() {
    assert_eq!(redact_url("wss://example.com/socket"), "wss://example.com/socket");
    assert_eq!(redact_url("wss://example.com/socket?token=abc"), "wss://example.com/socket?…");
    assert_eq!(redact_url("wss://example.com?token=abc&x=1"), "wss://example.com?…");
    assert_eq!(redact_url("wss://example.com/p#frag"), "wss://example.com/p?…");
    assert_eq!(redact_url("wss://user:secret@example.com/p"), "wss://example.com/p");
    assert_eq!(redact_url("wss://user:secret@example.com:8443/p?t=1#f"), "wss://example.com:8443/p?…");
    assert_eq!(redact_url("ws://user@localhost"), "ws://localhost");
}

/// An `@` in the path or query is not a credential: the host stays in the log line.
#[test]
fn redact_keeps_host_when_at_sign_is_in_path() {
    assert_eq!(redact_url("wss://example.com/users/@me"), "wss://example.com/users/@me");
    assert_eq!(redact_url("wss://example.com/?mail=a@b.c"), "wss://example.com/?…");
    assert_eq!(redact_url("wss://u:p@example.com/users/@me?x"), "wss://example.com/users/@me?…");
}

/// A password containing a raw `@` (URL parsers take the last `@` of the authority) is cut whole.
#[test]
fn redact_cuts_credentials_with_at_signs() {
    let out = redact_url("wss://a@b:secret@example.com/p");
    assert_eq!(out, "wss://example.com/p");
    assert!(!out.contains("secret"));
}

/// Odd inputs come out without their query and without panicking.
#[test]
fn redact_odd_inputs() {
    assert_eq!(redact_url(""), "");
    assert_eq!(redact_url("not a url?secret=1"), "not a url?…");
    assert_eq!(redact_url("?secret"), "?…");
    assert!(!redact_url("wss://例子.测试/é?秘密=1").contains("秘密"));
}

proptest! {
    /// For URLs with credentials and a query, neither the password nor the query's value survives.
    #[test]
    fn redact_never_leaks(user in "[a-z]{1,8}", password in "[A-Z0-9]{6,12}", host in "[a-z]{1,10}\\.com", path in "(/[a-z@]{0,6}){0,3}", token in "[A-Z0-9]{6,12}") {
        let url = format!("wss://{user}:{password}@{host}{path}?token={token}#{token}");
        let out = redact_url(&url);
        prop_assert!(!out.contains(&password), "{} leaks the password", out);
        prop_assert!(!out.contains(&token), "{} leaks the token", out);
        prop_assert!(out.contains(&host), "{} lost the host", out);
    }
}

/// The texts the platforms give when they refuse a URL quote it: cut where the query starts.
#[test]
fn redact_in_platform_messages() {
    let url = "wss://exa%mple.com/ws?token=SECRET9";
    assert_eq!(redact_in(&format!("Invalid URL: {url}"), url), "Invalid URL: wss://exa%mple.com/ws?…");
    assert_eq!(
        redact_in(&format!("Failed to construct 'WebSocket': The URL '{url}' is invalid."), url),
        "Failed to construct 'WebSocket': The URL 'wss://exa%mple.com/ws?…"
    );
    // Quoted as parsed (scheme lower-cased, host decoded): the query string still goes.
    let given = "WSS://Example.com/ws?token=SECRET9#f";
    assert_eq!(redact_in("bad url wss://example.com/ws?token=SECRET9#f here", given), "bad url wss://example.com/ws?…");
    assert_eq!(redact_in("bad url wss://example.com/#top", "wss://example.com/#top"), "bad url wss://example.com/?…");
    // Texts without the URL, and URLs without a query, are left as they are.
    assert_eq!(redact_in("connectSocket:fail url not in domain list", url), "connectSocket:fail url not in domain list");
    assert_eq!(redact_in("Invalid URL: wss://a.b/ws", "wss://a.b/ws"), "Invalid URL: wss://a.b/ws");
    assert_eq!(redact_in("", url), "");
    assert_eq!(redact_in("x?", "wss://a?"), "x?");
    // Two copies, and non-ASCII before them: cut at the first.
    assert_eq!(redact_in(&format!("é{url}ü{url}"), url), "éwss://exa%mple.com/ws?…");
    // Elided in the middle (Chromium shortens a long URL to its first and last 511 characters).
    let long = format!("wss://h.example/ws?token={}", "S".repeat(2000));
    let elided = format!("The URL '{}...{}' is invalid.", &long[..511], &long[long.len() - 511..]);
    assert_eq!(redact_in(&elided, &long), "The URL 'wss://h.example/ws?…");
}

proptest! {
    /// Whatever the platform's text around it, and whether it quotes the URL as given or as parsed
    /// (scheme and host lower-cased), a URL's query never survives `redact_in`.
    #[test]
    fn redact_in_never_leaks(before in "\\PC{0,12}", after in "\\PC{0,12}", host in "[a-zA-Z%]{1,10}", token in "[A-Z0-9]{6,12}", parsed in any::<bool>()) {
        let url = format!("WSS://{host}/p?token={token}");
        let quoted = if parsed { format!("wss://{}/p?token={token}", host.to_ascii_lowercase()) } else { url.clone() };
        let out = redact_in(&format!("{before}{quoted}{after}"), &url);
        prop_assert!(!out.contains(&token), "{} leaks the token", out);
    }
}

// ------------------------------------------------------------------------------------------------
// check_header
// ------------------------------------------------------------------------------------------------

/// "`header` … handshake headers (CR, LF or NUL in names or values, and `Referer`, are rejected)".
#[test]
fn header_accepts_ordinary_headers() {
    for (name, value) in [
        ("Authorization", "Bearer abc.def"),
        ("X-Token", ""),
        ("x_custom", "a b\tc"),
        ("Sec-WebSocket-Protocol", "chat"),
        ("X-Name", "名字"),
        ("!#$%&'*+-.^_`|~0aZ", "v"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Referer", "x"),
    ] {
        assert_eq!(check_header(name, value), Ok(()), "{name}: {value}");
    }
}

#[test]
fn header_rejects_cr_lf_nul() {
    for bad in ["\r", "\n", "\0", "a\r\nX-Evil: 1", "a\nb", "\0x"] {
        assert_eq!(check_header(&format!("X-{bad}"), "v").unwrap_err().code, ErrorCode::InvalidOption, "name {bad:?}");
        assert_eq!(check_header("X-Ok", bad).unwrap_err().code, ErrorCode::InvalidOption, "value {bad:?}");
    }
    // The message names the header without the control characters.
    let e = check_header("X-\r\nEvil", "v").unwrap_err();
    assert!(!e.message.contains('\r') && !e.message.contains('\n'), "{:?}", e.message);
}

#[test]
fn header_rejects_referer_in_any_case() {
    for name in ["Referer", "referer", "REFERER", "rEfErEr"] {
        let e = check_header(name, "https://example.com").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidOption, "{name}");
        assert!(e.message.contains("Referer"), "{}", e.message);
    }
}

#[test]
fn header_rejects_names_that_are_not_tokens() {
    for name in [
        "", "X Token", " X", "X:Token", "X(", "X)", "X<", "X>", "X@", "X,", "X;", "X\\", "X\"", "X/", "X[", "X]", "X?", "X=", "X{", "X}",
        "X\t", "Ø", "名字", "X\u{7f}", "X\u{1}",
    ] {
        assert_eq!(check_header(name, "v").unwrap_err().code, ErrorCode::InvalidOption, "{name:?}");
    }
}

// ------------------------------------------------------------------------------------------------
// check_close
// ------------------------------------------------------------------------------------------------

/// "Throws `INVALID_CLOSE_CODE` (only 1000 and 3000–4999) or `REASON_TOO_LONG` (over 123 UTF-8 bytes)."
#[test]
fn close_codes() {
    for code in [1000, 3000, 3001, 4000, 4999] {
        assert_eq!(check_close(code, ""), Ok(()), "{code}");
    }
    for code in [0, 1, 999, 1001, 1002, 1005, 1006, 1011, 1015, 2000, 2999, 5000, 65535, 65536, u32::MAX] {
        assert_eq!(check_close(code, "").unwrap_err().code, ErrorCode::InvalidCloseCode, "{code}");
    }
    let e = check_close(1006, "").unwrap_err();
    assert!(e.message.contains("1006") && e.message.contains("3000"), "{}", e.message);
}

#[test]
fn close_reasons() {
    assert_eq!(MAX_REASON_BYTES, 123);
    assert_eq!(check_close(1000, &"a".repeat(123)), Ok(()));
    assert_eq!(check_close(1000, &"a".repeat(124)).unwrap_err().code, ErrorCode::ReasonTooLong);
    // UTF-8 bytes, not characters.
    assert_eq!(check_close(3000, &"€".repeat(41)), Ok(())); // 123 bytes
    assert_eq!(check_close(3000, &"€".repeat(42)).unwrap_err().code, ErrorCode::ReasonTooLong); // 126 bytes
    assert_eq!(check_close(3000, &"😀".repeat(30)), Ok(())); // 120 bytes
    assert_eq!(check_close(3000, &"😀".repeat(31)).unwrap_err().code, ErrorCode::ReasonTooLong); // 124 bytes
    // A bad code is reported before a long reason.
    assert_eq!(check_close(1001, &"a".repeat(200)).unwrap_err().code, ErrorCode::InvalidCloseCode);
    let e = check_close(1000, &"é".repeat(62)).unwrap_err();
    assert!(e.message.contains("124") && e.message.contains("123"), "{}", e.message);
}

/// Real punycode hosts pass (bücher, 中国, 公司.cn); the Unicode form of the same hosts passes too.
#[test]
fn punycode_and_unicode_hosts_that_exist_pass() {
    for url in ["wss://xn--bcher-kva.example/", "wss://xn--fiqs8s/", "wss://www.xn--55qx5d.cn/ws", "wss://bücher.example/", "wss://公司.cn/"] {
        assert!(check_url(url, false).is_ok(), "{url}");
    }
}


// ------------------------------------------------------------------------------------------------
// Edges of each rule (the checks work on bytes; these pin where each rule draws its line)
// ------------------------------------------------------------------------------------------------

/// A port is read as a whole number however many digits it has: leading zeros are fine, and a number
/// that only wraps around to a small one (2^64 + 80) is still too large.
#[test]
fn url_port_digits() {
    assert_eq!(accepted("wss://example.com:0000000000000000000000080").port, Some(80));
    assert_eq!(accepted("wss://[::1]:0080/").port, Some(80));
    for url in ["wss://example.com:18446744073709551696", "wss://example.com:00000"] {
        refused(url);
    }
}

/// A ':' or '@' after the authority is path, not port or credentials; `xn--` labels pass in any case.
#[test]
fn url_authority_ends_at_the_path() {
    assert_eq!(accepted("wss://a.b/c:d@e").port, None);
    assert_eq!(accepted("wss://a.b?c:d@e").host, "a.b");
    assert_eq!(accepted("wss://a.b/c\\d").host, "a.b");
    assert!(check_url("wss://XN--BCHER-KVA.example/", false).is_ok());
}

/// What the platform decides and `check_url` leaves to it: host characters, IDNA and punycode,
/// WHATWG's IPv4 number forms, IPv6 syntax inside the brackets. These pass here; `wx.connectSocket` and
/// `new WebSocket` refuse them, and the engine is to take that refusal as final (`INVALID_URL`, no retry).
#[test]
fn host_syntax_is_left_to_the_platform() {
    for url in [
        "wss://exa%mple.com",
        "wss://exa<mple.com",
        "wss://exa^mple.com",
        "wss://exa|mple.com",
        "wss://\u{FFFD}/",
        "wss://\u{200B}/",
        "wss://xn--/",
        "wss://xn--a/",
        "wss://a.\u{FF11}/",
        "wss://\u{670}a/",
        "wss://1.2.3.999/",
        "wss://99999999999999/",
        "wss://08/",
        "wss://[example.com]/",
        "wss://[zz::1]/",
        "wss://[1:2]/",
        "wss://[::127.0.02.1]/",
        // What the `url` fuzz target found while the check still tried to match WHATWG parsers.
        "wss://a\u{FFFD}b.com/ws",
        "wss://example.0/",
        "wss://7277777777/",
        "wss://1.2.3.4.5/",
        "wss://[::1.2.3.4.5]/",
        "wss://[1:::2]/",
        "wss://[:::]/",
        "wss://a.88888888888888888888888/",
        "wss://example.028/",
        "wss://nn\u{679}R/",
        "wss://xn--zz/",
        "wss://m\u{B3}.\u{B3}/",
    ] {
        assert!(check_url(url, false).is_ok(), "{url:?} is the platform's to refuse");
    }
}

/// Loopback IPv4 parts are 1 to 3 digits (leading zeros allowed), exactly four of them.
#[test]
fn loopback_edges() {
    for host in ["127.000.0.1", "Localhost"] {
        assert!(is_loopback(host), "{host}");
    }
    for host in ["127.0.0.0001", "127.0.0.1.", "127.1", "[0::1]"] {
        assert!(!is_loopback(host), "{host}");
    }
}

/// The authority ends at a `/` or `\`; only the first `://` starts one; without `://` nothing is cut.
#[test]
fn redact_edges() {
    assert_eq!(redact_url("wss://u:p@host\\path?x"), "wss://host\\path?…");
    assert_eq!(redact_url("a://b@c://d@e"), "a://c://d@e");
    assert_eq!(redact_url("wss://u@h#f@g"), "wss://h?…");
    assert_eq!(redact_url("wss://@"), "wss://");
    assert_eq!(redact_url("://@x"), "://x");
    assert_eq!(redact_url("no-scheme@host"), "no-scheme@host");
    assert_eq!(redact_url("wss:/u@h/p"), "wss:/u@h/p");
}
