//! `Backoff::delay` with arbitrary numbers: any f64 bit patterns (NaN, infinities, subnormals,
//! negatives) and, half the time, numbers that `validate()` accepts, so the bounds are checked too.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wxsocket::core::Backoff;
use wxsocket_fuzz::engine_model::Bytes;
use wxsocket_fuzz::input_checks::backoff_properties;

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let raw = b.bool();
    let mut num = |lo: f64, hi: f64| {
        if raw {
            f64::from_bits(b.u64())
        } else {
            match b.u8() % 6 {
                0 => lo,
                1 => hi,
                2 => f64::from_bits(b.u64()).abs().min(hi).max(lo),
                _ => b.f64_in(lo, hi),
            }
        }
    };
    let min = num(0.0, 9_007_199_254_740_991.0);
    let extra = num(0.0, 9_007_199_254_740_991.0);
    let factor = num(1.0, f64::MAX);
    let jitter = num(0.0, 1.0);
    let policy = Backoff {
        min_delay_ms: min,
        max_delay_ms: if raw { extra } else { min + extra },
        factor,
        jitter,
        max_retries: None,
        min_uptime_ms: 0,
    };
    let seed = b.u64();
    let n = match b.u8() % 4 {
        0 => b.u32(),
        1 => u32::MAX - u32::from(b.u8()),
        _ => u32::from(b.u8()),
    };
    if let Err(e) = backoff_properties(&policy, n, seed) {
        panic!("{e}");
    }
});
