//! The reconnect policies under test: ours (the engine's own `Backoff`) and the peers' delay functions,
//! each written from the peer's documented defaults and its source.

use wxsocket::core::{Backoff, Rng};

/// One reconnect policy.
#[derive(Clone, Debug)]
pub enum Policy {
    /// wxsocket's formula; the engine schedules its own retries.
    Ours(Backoff),
    /// reconnecting-websocket 4.x: `minReconnectionDelay = 1000 + random·4000` (drawn once, when the
    /// module loads, so once per client), `reconnectionDelayGrowFactor: 1.3`, `maxReconnectionDelay: 10000`.
    /// Retry n waits `min · 1.3^(n−1)`, capped; no per-retry randomness.
    ReconnectingWebsocket,
    /// socket.io-client (the Manager's `Backoff`): `reconnectionDelay: 1000`, factor 2,
    /// `randomizationFactor: 0.5`, `reconnectionDelayMax: 5000`. The cap is applied after the jitter.
    SocketIo,
    /// centrifuge-js: `minReconnectDelay: 500`, `maxReconnectDelay: 20000`, full jitter:
    /// `min(max, min + randomInt(0, min(max, min·2^step)))`. `_getReconnectDelay` passes
    /// `_reconnectAttempts` and then increments it, and a connect reply resets it to 0, so the first
    /// retry after a drop uses step 0. (`first_step: 1` is the off-by-one variant, for `--variants`.)
    Centrifuge { first_step: u32 },
    /// phoenix.js: `reconnectAfterMs` = [10, 50, 100, 150, 200, 250, 500, 1000, 2000][tries − 1] || 5000.
    Phoenix,
}

impl Policy {
    /// A short name for the table.
    pub fn name(&self) -> String {
        match self {
            Policy::Ours(b) => format!(
                "ours {} ms x{} max {} j{}",
                b.min_delay_ms, b.factor, b.max_delay_ms, b.jitter
            ),
            Policy::ReconnectingWebsocket => "reconnecting-websocket".into(),
            Policy::SocketIo => "socket.io-client".into(),
            Policy::Centrifuge { first_step: 0 } => "centrifuge-js".into(),
            Policy::Centrifuge { first_step } => format!("centrifuge-js, step from {first_step}"),
            Policy::Phoenix => "phoenix".into(),
        }
    }

    /// The engine's reconnect option: ours, or `None` for a peer (the simulation schedules the peer's
    /// retries itself and calls `reconnect()` when they are due).
    pub fn engine_backoff(&self) -> Option<Backoff> {
        match self {
            Policy::Ours(b) => Some(b.clone()),
            _ => None,
        }
    }

    /// Per-client state of a peer's retry schedule (unused for ours).
    pub fn peer_state(&self, rng: &mut Rng) -> PeerState {
        let rws_min_ms = match self {
            Policy::ReconnectingWebsocket => 1000.0 + rng.next_f64() * 4000.0,
            _ => 0.0,
        };
        PeerState {
            failures: 0,
            rws_min_ms,
        }
    }

    /// A peer's delay before retry number `n` (n ≥ 1: failures since the last successful open), in ms.
    pub fn peer_delay(&self, n: u32, state: &PeerState, rng: &mut Rng) -> u64 {
        debug_assert!(n >= 1);
        match self {
            Policy::Ours(_) => unreachable!("the engine schedules our retries"),
            Policy::ReconnectingWebsocket => {
                // _getNextDelay: min · grow^(retryCount − 1), then capped at max.
                let d = state.rws_min_ms * 1.3f64.powi(n as i32 - 1);
                d.min(10_000.0).round() as u64
            }
            Policy::SocketIo => {
                // Backoff.duration(): one random number gives both the size and the sign of the deviation.
                let ms = 1000.0 * 2f64.powi(n as i32 - 1);
                let rand = rng.next_f64();
                let deviation = (rand * 0.5 * ms).floor();
                let ms = if ((rand * 10.0).floor() as u64) & 1 == 0 {
                    ms - deviation
                } else {
                    ms + deviation
                };
                ms.min(5000.0) as u64
            }
            Policy::Centrifuge { first_step } => {
                let (min, max) = (500.0f64, 20_000.0f64);
                let step = (n - 1 + first_step).min(31) as i32;
                let hi = max.min(min * 2f64.powi(step));
                // randomInt(0, hi), both ends included.
                let interval = (rng.next_f64() * (hi + 1.0)).floor();
                max.min(min + interval) as u64
            }
            Policy::Phoenix => {
                const TABLE: [u64; 9] = [10, 50, 100, 150, 200, 250, 500, 1000, 2000];
                TABLE.get(n as usize - 1).copied().unwrap_or(5000)
            }
        }
    }
}

/// What a peer remembers between attempts.
#[derive(Clone, Debug)]
pub struct PeerState {
    /// Failed attempts since the last successful open.
    pub failures: u32,
    /// reconnecting-websocket's per-client minimum delay.
    pub rws_min_ms: f64,
}

/// The policies of the default table: ours as configured, its two jitter extremes, and the peers.
pub fn table_policies() -> Vec<(String, Policy)> {
    let ours = Backoff::default();
    vec![
        ("wxsocket default".into(), Policy::Ours(ours.clone())),
        (
            "wxsocket jitter: 0".into(),
            Policy::Ours(Backoff {
                jitter: 0.0,
                ..ours.clone()
            }),
        ),
        (
            "wxsocket jitter: 1".into(),
            Policy::Ours(Backoff {
                jitter: 1.0,
                ..ours
            }),
        ),
        ("api.md first draft".into(), Policy::Ours(first_draft())),
        (
            "reconnecting-websocket".into(),
            Policy::ReconnectingWebsocket,
        ),
        ("socket.io-client".into(), Policy::SocketIo),
        ("centrifuge-js".into(), Policy::Centrifuge { first_step: 0 }),
        ("phoenix".into(), Policy::Phoenix),
    ]
}

/// The defaults api.md started with (1 s, ×2, max 30 s, jitter 0.5), kept in the table for comparison.
pub fn first_draft() -> Backoff {
    Backoff {
        min_delay_ms: 1000.0,
        max_delay_ms: 30_000.0,
        factor: 2.0,
        jitter: 0.5,
        ..Backoff::default()
    }
}

/// The peers alone, for the sweep's comparison.
pub fn peers() -> Vec<Policy> {
    vec![
        Policy::ReconnectingWebsocket,
        Policy::SocketIo,
        Policy::Centrifuge { first_step: 0 },
        Policy::Phoenix,
    ]
}
