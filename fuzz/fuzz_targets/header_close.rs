//! `check_header(name, value)` and `check_close(code, reason)` on arbitrary strings and numbers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wxsocket_fuzz::input_checks::{close_properties, header_properties};

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let code = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    // Small codes often, so the edges (999/1000/1001, 2999/3000, 4999/5000) are reached.
    let code = if data[4] & 1 == 0 { code % 6000 } else { code };
    let text = String::from_utf8_lossy(&data[5..]);
    // Name and value split at the first 0xFF byte (never in UTF-8), else at the middle.
    let (name, value) = match text.find('\u{FFFD}') {
        Some(i) => (&text[..i], &text[i + '\u{FFFD}'.len_utf8()..]),
        None => {
            let mut mid = text.len() / 2;
            while !text.is_char_boundary(mid) {
                mid -= 1;
            }
            text.split_at(mid)
        }
    };
    if let Err(e) = header_properties(name, value) {
        panic!("{e}");
    }
    if let Err(e) = close_properties(code, &text) {
        panic!("{e}");
    }
    if let Err(e) = close_properties(u32::from(code as u16), name) {
        panic!("{e}");
    }
});
