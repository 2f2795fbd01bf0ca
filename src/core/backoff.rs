//! Reconnect delays: the docs/contract.md formula, with jitter from a seeded generator.
//!
//! Retry number `n` (n ≥ 1) waits `min(max, min · factor^(n−1)) · (1 − jitter · r)`, `r` uniform in [0, 1).
//!
//! ```
//! use wxsocket::core::{Backoff, Rng};
//! let policy = Backoff { min_delay_ms: 100.0, max_delay_ms: 1000.0, factor: 2.0, jitter: 0.0, ..Backoff::default() };
//! let mut rng = Rng::new(7);
//! let delays: Vec<u64> = (1..=6).map(|n| policy.delay(n, &mut rng)).collect();
//! assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
//! ```

/// The reconnect policy (`reconnect` option). Times in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    /// Delay before the first retry, before jitter.
    pub min_delay_ms: f64,
    /// Upper bound of any delay.
    pub max_delay_ms: f64,
    /// Growth per retry (≥ 1).
    pub factor: f64,
    /// Share of each delay that is randomised away, in [0, 1].
    pub jitter: f64,
    /// Retries allowed after the first attempt; `None` is unlimited.
    pub max_retries: Option<u32>,
    /// A connection open this long resets the retry count.
    pub min_uptime_ms: u64,
}

impl Default for Backoff {
    /// The defaults of docs/contract.md ([`defaults`](super::defaults)).
    fn default() -> Self {
        use super::defaults as d;
        Backoff {
            min_delay_ms: d::MIN_DELAY_MS,
            max_delay_ms: d::MAX_DELAY_MS,
            factor: d::FACTOR,
            jitter: d::JITTER,
            max_retries: d::MAX_RETRIES,
            min_uptime_ms: d::MIN_UPTIME_MS,
        }
    }
}

impl Backoff {
    /// The delay before retry number `n` (n ≥ 1; 0 is treated as 1), in whole milliseconds.
    pub fn delay(&self, n: u32, rng: &mut Rng) -> u64 {
        let step = n.max(1) - 1;
        // factor^step overflows to infinity for large steps; min() then yields max_delay.
        let exponent = i32::try_from(step).unwrap_or(i32::MAX);
        // A zero minimum stays zero: 0 · ∞ would be NaN, which min() would turn into max_delay.
        let base = if self.min_delay_ms == 0.0 { 0.0 } else { (self.min_delay_ms * self.factor.powi(exponent)).min(self.max_delay_ms) };
        let jittered = if self.jitter > 0.0 { base * (1.0 - self.jitter * rng.next_f64()) } else { base };
        if jittered.is_finite() && jittered > 0.0 {
            jittered.round() as u64
        } else {
            0
        }
    }

    /// Checks the numbers; the error names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        let finite_non_negative = |v: f64| v.is_finite() && v >= 0.0;
        if !finite_non_negative(self.min_delay_ms) {
            return Err("reconnect.minDelayMs must be a finite number ≥ 0".into());
        }
        if !finite_non_negative(self.max_delay_ms) || self.max_delay_ms < self.min_delay_ms {
            return Err("reconnect.maxDelayMs must be a finite number ≥ reconnect.minDelayMs".into());
        }
        if !(self.factor.is_finite() && self.factor >= 1.0) {
            return Err("reconnect.factor must be a finite number ≥ 1".into());
        }
        if !(self.jitter >= 0.0 && self.jitter <= 1.0) {
            return Err("reconnect.jitter must be a number from 0 to 1".into());
        }
        Ok(())
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same jitter, so tests can assert exact delays.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}
