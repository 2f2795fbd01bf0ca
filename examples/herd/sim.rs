//! The discrete-event simulation: real engines, a simulated clock, one server.
//!
//! Every client is a `wxsocket::core::Engine`. The loop pops the earliest wake-up from a binary heap
//! (an engine deadline, the server's verdict on an attempt, a peer's retry, the mass drop), calls the
//! matching engine input with that time, and drains `poll()`: an `Open` becomes a verdict event after a
//! seeded connect latency, a `Timer` becomes a wake-up. Ours retries by itself; a peer runs with
//! `reconnect: None`, and the loop calls `reconnect()` after the peer's own delay.
//!
//! Simulated time is in ms and may be negative (the clients connect before the drop at t = 0); the
//! engines see `t + OFFSET`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use wxsocket::core::{Config, Engine, Input, Output, Rng, State, TaskId, Text};

use super::policy::{PeerState, Policy};

/// Engine clock = simulated time + OFFSET (engine time is unsigned).
const OFFSET: i64 = 1_000_000;
/// When the clients first connect.
const START: i64 = -10_000;

/// The scenario.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Number of clients.
    pub clients: usize,
    /// The server refuses everything for this long after the drop at t = 0.
    pub outage_ms: i64,
    /// Then it accepts at most this many connections per second (a token bucket)...
    pub accept_per_s: f64,
    /// ...holding at most this many ms worth of tokens (the burst it absorbs at once).
    pub bucket_ms: f64,
    /// Connect latency of one attempt (Open to the server's verdict), uniform in this range, inclusive.
    pub latency_ms: (u64, u64),
    /// Give up at this time (a policy that has not recovered by then shows no t99).
    pub horizon_ms: i64,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            clients: 10_000,
            outage_ms: 3000,
            accept_per_s: 2000.0,
            bucket_ms: 100.0,
            latency_ms: (5, 20),
            horizon_ms: 900_000,
        }
    }
}

impl Setup {
    /// The best any policy could do: one attempt each, the server saturated from the moment it is up.
    pub fn physical_limit(&self) -> (f64, f64, f64) {
        let per_100ms = self.accept_per_s / 10.0;
        let peak = per_100ms / self.clients as f64;
        let back = (self.clients as f64 * 0.99).ceil();
        let t99 = self.outage_ms as f64
            + (back - self.accept_per_s * self.bucket_ms / 1000.0) / self.accept_per_s * 1000.0;
        (peak, 1.0, t99)
    }
}

/// What one herd run measured.
#[derive(Clone, Debug)]
pub struct Herd {
    /// Most attempts in any 100 ms window (sliding, 1 ms steps), as a share of clients.
    pub peak_share: f64,
    /// Opens after t = 0, per client.
    pub attempts_per_client: f64,
    /// When 99% were connected again (ms after the drop); `None` if not within the horizon.
    pub t99_ms: Option<i64>,
    /// When the last client was connected again.
    pub all_ms: Option<i64>,
    /// Attempts in each fixed 100 ms window from t = 0 (for charts).
    pub windows: Vec<u32>,
}

/// A wake-up: at `at`, do `kind` for `client`. `seq` keeps equal times in insertion order.
#[derive(Clone, Copy, Debug)]
struct Wake {
    at: i64,
    seq: u64,
    client: u32,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The engine's timer, armed for `at`.
    Timer,
    /// The server answers attempt `TaskId`.
    Verdict(TaskId),
    /// A peer's retry delay is over.
    PeerRetry,
    /// The server drops the connection.
    Drop,
}

impl PartialEq for Wake {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Wake {}
impl PartialOrd for Wake {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Wake {
    // BinaryHeap pops the largest: reverse so the earliest (then the first pushed) comes out first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// The server: healthy before the drop, down for the outage, then a token bucket.
struct Server {
    up_at: i64,
    rate_per_ms: f64,
    capacity: f64,
    tokens: f64,
    last: i64,
}

impl Server {
    fn new(s: &Setup) -> Self {
        let rate_per_ms = s.accept_per_s / 1000.0;
        let capacity = (rate_per_ms * s.bucket_ms).max(1.0);
        Server {
            up_at: s.outage_ms,
            rate_per_ms,
            capacity,
            tokens: capacity,
            last: s.outage_ms,
        }
    }

    /// Accept an attempt arriving at `t`?
    fn admit(&mut self, t: i64) -> bool {
        if t < 0 {
            return true;
        }
        if t < self.up_at {
            return false;
        }
        self.tokens = (self.tokens + (t - self.last) as f64 * self.rate_per_ms).min(self.capacity);
        self.last = t;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

struct Client {
    engine: Engine<Text>,
    /// Latency and the peer's randomness.
    rng: Rng,
    peer: PeerState,
    peer_retry_at: Option<i64>,
}

/// Mixes a seed with an index into a new seed (SplitMix64 finaliser).
pub fn mix(seed: u64, index: u64) -> u64 {
    Rng::new(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64()
}

struct Sim<'a> {
    setup: &'a Setup,
    policy: &'a Policy,
    clients: Vec<Client>,
    heap: BinaryHeap<Wake>,
    seq: u64,
    server: Server,
    /// Times of the Opens at t ≥ 0, in order.
    attempts: Vec<i64>,
    /// Clients connected again after the drop.
    back: usize,
    t99: Option<i64>,
    all: Option<i64>,
    /// Lone-drop mode: stop at the first Open after the drop.
    first_retry: Option<i64>,
    lone: bool,
}

impl<'a> Sim<'a> {
    fn new(setup: &'a Setup, policy: &'a Policy, seed: u64, lone: bool) -> Self {
        let mut sim = Sim {
            setup,
            policy,
            clients: Vec::with_capacity(setup.clients),
            heap: BinaryHeap::with_capacity(setup.clients * 3),
            seq: 0,
            server: Server::new(setup),
            attempts: Vec::new(),
            back: 0,
            t99: None,
            all: None,
            first_retry: None,
            lone,
        };
        for i in 0..setup.clients {
            let cfg = Config::<Text> {
                reconnect: policy.engine_backoff(),
                ..Config::default()
            };
            let engine = Engine::new(cfg, mix(seed, 2 * i as u64), (START + OFFSET) as u64);
            let mut rng = Rng::new(mix(seed, 2 * i as u64 + 1));
            let peer = policy.peer_state(&mut rng);
            sim.clients.push(Client {
                engine,
                rng,
                peer,
                peer_retry_at: None,
            });
            sim.drain(i, START);
            sim.push(0, i, Kind::Drop);
        }
        sim
    }

    fn push(&mut self, at: i64, client: usize, kind: Kind) {
        self.seq += 1;
        self.heap.push(Wake {
            at,
            seq: self.seq,
            client: client as u32,
            kind,
        });
    }

    /// Performs the engine's outputs, then schedules a peer's retry if the peer is now waiting.
    fn drain(&mut self, i: usize, now: i64) {
        while let Some(out) = self.clients[i].engine.poll() {
            match out {
                Output::Open { task, .. } => {
                    if now >= 0 {
                        self.attempts.push(now);
                        if self.first_retry.is_none() {
                            self.first_retry = Some(now);
                        }
                    }
                    let (lo, hi) = self.setup.latency_ms;
                    let c = &mut self.clients[i];
                    let latency = lo + c.rng.next_u64() % (hi - lo + 1);
                    self.push(now + latency as i64, i, Kind::Verdict(task));
                }
                Output::Timer { at: Some(at) } => self.push(at as i64 - OFFSET, i, Kind::Timer),
                _ => {}
            }
        }
        if matches!(self.policy, Policy::Ours(_)) {
            return;
        }
        let c = &mut self.clients[i];
        if c.engine.state() == State::Closed && c.peer_retry_at.is_none() {
            c.peer.failures += 1;
            let delay = self.policy.peer_delay(c.peer.failures, &c.peer, &mut c.rng);
            let at = now + delay as i64;
            c.peer_retry_at = Some(at);
            self.push(at, i, Kind::PeerRetry);
        }
    }

    fn step(&mut self, w: Wake) {
        let i = w.client as usize;
        let now = w.at;
        let t = (now + OFFSET) as u64;
        let c = &mut self.clients[i];
        match w.kind {
            Kind::Timer => {
                // Stale if the engine re-armed since.
                if c.engine.next_deadline() != Some(t) {
                    return;
                }
                c.engine.handle(t, Input::Timeout);
            }
            Kind::Verdict(task) => {
                if c.engine.task() != Some(task) || c.engine.state() != State::Connecting {
                    return;
                }
                if self.server.admit(now) {
                    c.engine.handle(t, Input::Opened { task });
                    if c.engine.state() == State::Open {
                        c.peer.failures = 0;
                        if now >= 0 {
                            self.back += 1;
                            let n = self.setup.clients;
                            if self.t99.is_none() && self.back * 100 >= n * 99 {
                                self.t99 = Some(now);
                            }
                            if self.back == n {
                                self.all = Some(now);
                            }
                        }
                    }
                } else {
                    c.engine.handle(t, Input::Failed { task, err_msg: "refused".into() });
                }
            }
            Kind::PeerRetry => {
                if c.peer_retry_at != Some(now) {
                    return;
                }
                c.peer_retry_at = None;
                c.engine.reconnect(t);
            }
            Kind::Drop => {
                let Some(task) = c.engine.task() else { return };
                if c.engine.state() == State::Open {
                    c.engine.handle(t, Input::Closed { task, code: 1006, reason: String::new(), should_reconnect: true });
                }
            }
        }
        self.drain(i, now);
    }

    fn run(&mut self) {
        while let Some(w) = self.heap.pop() {
            if w.at > self.setup.horizon_ms || self.all.is_some() {
                break;
            }
            if self.lone && self.first_retry.is_some() {
                break;
            }
            self.step(w);
        }
    }
}

/// Runs the mass drop for one policy.
pub fn herd(setup: &Setup, policy: &Policy, seed: u64) -> Herd {
    let mut sim = Sim::new(setup, policy, seed, false);
    sim.run();
    let n = setup.clients as f64;
    let mut peak = 0usize;
    let mut lo = 0usize;
    for hi in 0..sim.attempts.len() {
        while sim.attempts[hi] - sim.attempts[lo] >= 100 {
            lo += 1;
        }
        peak = peak.max(hi - lo + 1);
    }
    let mut windows = Vec::new();
    for &a in &sim.attempts {
        let w = (a / 100) as usize;
        if windows.len() <= w {
            windows.resize(w + 1, 0u32);
        }
        windows[w] += 1;
    }
    Herd {
        peak_share: peak as f64 / n,
        attempts_per_client: sim.attempts.len() as f64 / n,
        t99_ms: sim.t99,
        all_ms: sim.all,
        windows,
    }
}

/// The delay before the first retry after one client is dropped alone, over `runs` seeds: the median (ms).
pub fn lone_drop_median(policy: &Policy, seed: u64, runs: usize) -> f64 {
    let setup = Setup {
        clients: 1,
        ..Setup::default()
    };
    let mut delays: Vec<i64> = (0..runs)
        .map(|r| {
            let mut sim = Sim::new(&setup, policy, mix(seed ^ 0x10E, r as u64), true);
            sim.run();
            sim.first_retry.expect("a dropped client retries")
        })
        .collect();
    delays.sort_unstable();
    let m = delays.len() / 2;
    if delays.len() % 2 == 1 {
        delays[m] as f64
    } else {
        (delays[m - 1] + delays[m]) as f64 / 2.0
    }
}
