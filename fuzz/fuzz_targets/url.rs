//! `check_url`, `is_loopback` and `redact_url` on arbitrary strings, and `check_url` compared with a
//! WHATWG URL parser (the `url` crate; `new WebSocket(url)` parses the same way):
//! - a `ws://` URL passed without `allowInsecure` really points at a loopback host;
//! - a passed URL that the parser also takes has the same scheme and port, no credentials and no
//!   fragment;
//! - a passed URL that the parser refuses is refused for host syntax, which `check_url` leaves to the
//!   platform (characters, IDNA and punycode, IPv4 number forms, IPv6 syntax: see `src/core/validate.rs`),
//!   never for a port or a missing host, which `check_url` must refuse itself;
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

/// Whether the parser's refusal is one `check_url` leaves to the platform: host syntax. A port out of
/// range or a missing host are `check_url`'s own rules (a host only IDNA maps to nothing is host syntax).
fn left_to_the_platform(host: &str, error: url::ParseError) -> bool {
    use url::ParseError::*;
    match error {
        IdnaError | InvalidIpv4Address | InvalidIpv6Address | InvalidDomainCharacter => true,
        EmptyHost => !host.is_ascii() || host.contains('%'),
        _ => false,
    }
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
        Err(e) if left_to_the_platform(passed.host, e) => return,
        Err(e) => panic!("check_url passes {url:?}, which a WebSocket refuses for a rule check_url keeps: {e}"),
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
