//! `check_url`, `is_loopback` and `redact_url` on arbitrary strings, and `check_url` compared with a
//! WHATWG URL parser (the `url` crate; `new WebSocket(url)` parses the same way):
//! - a `ws://` URL passed without `allowInsecure` really points at a loopback host;
//! - a passed URL is one a WebSocket can open: it parses, with the same scheme and port, no
//!   credentials and no fragment (`INVALID_URL` promises "not a URL that a WebSocket can open");
//! - what `redact_url` leaves of a passed URL parses without a query, fragment or credentials.
#![no_main]
use libfuzzer_sys::fuzz_target;
use url::{Host, Url};
use wxsocket::core::{check_url, redact_url};
use wxsocket_fuzz::input_checks::{loopback_properties, redact_properties, url_properties};

fn whatwg_loopback(u: &Url) -> bool {
    match u.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(a)) => a.octets()[0] == 127,
        Some(Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    }
}

/// Hosts that `check_url` passes and the `url` crate refuses, skipped so the fuzzer looks for new
/// kinds (`WXSOCKET_FUZZ_STRICT=1` stops skipping):
/// - pending a fix, with failing tests in `tests/fuzz_regressions.rs`: an `xn--` label that is not valid
///   punycode (`check_url_punycode_gap`), and an international host whose last label IDNA maps to a
///   number that is no IPv4 part, e.g. `a.１` or `m³.³` (`check_url_mapped_digits_gap`); Node's URL
///   refuses both kinds too;
/// - for good: other IDNA refusals of international hosts. WHATWG parsers differ there: the `url` crate
///   applies IDNA's Bidi rule across labels (it refuses `س.0a` and a lone `٠`), Node's URL accepts both,
///   so no single answer exists for `check_url` to match.
/// Fixed and no longer skipped: bracketed hosts that are no IPv6 address, numeric last labels that are
/// no IPv4 part, characters IDNA drops, labels starting with a combining mark or mixing right-to-left
/// letters with Latin ones.
fn known_gap(host: &str, error: url::ParseError) -> Option<&'static str> {
    if error == url::ParseError::InvalidIpv4Address && !host.is_ascii() {
        return Some("an international host that IDNA maps to one ending in a number");
    }
    if error != url::ParseError::IdnaError {
        return None;
    }
    if host.split('.').any(|l| l.len() >= 4 && l.as_bytes()[..4].eq_ignore_ascii_case(b"xn--")) {
        return Some("an xn-- label that is not valid punycode");
    }
    (!host.is_ascii()).then_some("an international host under IDNA rules WHATWG parsers apply differently")
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    // Most inputs start with a scheme, so the fuzzer spends its time past it.
    let url = match mode % 4 {
        0 => text.to_string(),
        1 => format!("ws://{text}"),
        2 => format!("wss://{text}"),
        _ => format!("ws://127.0.0.1{text}"),
    };
    for r in [url_properties(&url), redact_properties(&url), loopback_properties(&text)] {
        if let Err(e) = r {
            panic!("{e}");
        }
    }
    let Ok(passed) = check_url(&url, true) else { return };
    let whatwg = Url::parse(&url);
    if !passed.secure && check_url(&url, false).is_ok() {
        if let Ok(u) = &whatwg {
            assert!(whatwg_loopback(u), "check_url passes ws:// {url:?} without allowInsecure; a WebSocket goes to {:?}", u.host());
        }
    }
    let u = match whatwg {
        Ok(u) => u,
        Err(e) if known_gap(passed.host, e).is_some() && std::env::var_os("WXSOCKET_FUZZ_STRICT").is_none() => return,
        Err(e) => panic!("check_url passes {url:?}, which a WebSocket cannot open: {e}"),
    };
    assert_eq!(u.scheme(), if passed.secure { "wss" } else { "ws" }, "{url:?}");
    assert_eq!(u.port_or_known_default(), Some(passed.port.unwrap_or(if passed.secure { 443 } else { 80 })), "port of {url:?}");
    assert!(u.username().is_empty() && u.password().is_none(), "check_url passes credentials in {url:?}");
    assert!(u.fragment().is_none(), "check_url passes a fragment in {url:?}");
    let redacted = redact_url(&url);
    let base = redacted.strip_suffix("?…").unwrap_or(&redacted);
    match Url::parse(base) {
        Ok(r) => {
            assert!(r.query().is_none() && r.fragment().is_none(), "redact_url({url:?}) = {redacted:?} keeps a query");
            assert!(r.username().is_empty() && r.password().is_none(), "redact_url({url:?}) = {redacted:?} keeps credentials");
            assert_eq!(r.host(), u.host(), "redact_url({url:?}) = {redacted:?} changed the host");
        }
        Err(e) => panic!("redact_url({url:?}) = {redacted:?} does not parse: {e}"),
    }
});
