//! The search over our formula's parameters (`--sweep`).
//!
//! Each candidate runs the same mass drop on three seeds, next to the peers on the same seeds.
//!
//! Rule A (the brief's): no peer is better on peak, attempts and t99 at once. In this model a refused
//! attempt costs the server nothing, so t99 can always be bought with more load, and rule A is met by
//! hot loops (a 100 ms first retry, over 100% of the clients in one 100 ms window). The sweep prints
//! those to show it, but they do not decide.
//!
//! Rule B, which decides: no peer is better on both peak and attempts, on any seed (so no peer is
//! better on all three either). Among the candidates that pass it, the best has the shortest median
//! first retry after a lone drop, then the earliest t99. A coarse grid first, then finer steps around
//! the best three; the finalists run again on ten seeds, and the best one with round numbers is the
//! recommendation.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use wxsocket::core::Backoff;

use super::policy::{peers, Policy};
use super::sim::{herd, lone_drop_median, mix, Herd, Setup};

/// Maps `f` over `items` on two threads; the results come back in order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    break;
                }
                let r = f(&items[i]);
                out.lock().unwrap()[i] = Some(r);
            });
        }
    });
    out.into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect()
}

/// The three herd metrics; a policy that never recovers has an infinite t99.
#[derive(Clone, Copy, Debug)]
pub struct Metrics {
    pub peak: f64,
    pub attempts: f64,
    pub t99: f64,
}

impl Metrics {
    fn of(h: &Herd) -> Self {
        Metrics {
            peak: h.peak_share,
            attempts: h.attempts_per_client,
            t99: h.t99_ms.map_or(f64::INFINITY, |t| t as f64),
        }
    }

    fn mean(all: &[Metrics]) -> Self {
        let n = all.len() as f64;
        Metrics {
            peak: all.iter().map(|m| m.peak).sum::<f64>() / n,
            attempts: all.iter().map(|m| m.attempts).sum::<f64>() / n,
            t99: all.iter().map(|m| m.t99).sum::<f64>() / n,
        }
    }

    /// `self` is better than `other` on all three at once.
    fn beats(&self, other: &Metrics) -> bool {
        self.peak < other.peak && self.attempts < other.attempts && self.t99 < other.t99
    }

    /// `self` is better than `other` on both load metrics (peak and attempts).
    fn beats_on_load(&self, other: &Metrics) -> bool {
        self.peak < other.peak && self.attempts < other.attempts
    }
}

#[derive(Clone, Debug)]
struct Candidate {
    backoff: Backoff,
    per_seed: Vec<Metrics>,
    mean: Metrics,
    lone_ms: f64,
}

fn ours(min: f64, max: f64, factor: f64, jitter: f64) -> Backoff {
    Backoff {
        min_delay_ms: min,
        max_delay_ms: max,
        factor,
        jitter,
        ..Backoff::default()
    }
}

/// Numbers one can say aloud: min in half seconds, max in 5 s steps, factor in halves, jitter in quarters.
fn is_round(b: &Backoff) -> bool {
    b.min_delay_ms % 500.0 == 0.0
        && b.max_delay_ms % 5000.0 == 0.0
        && (b.factor * 2.0).fract() == 0.0
        && (b.jitter * 4.0).fract() == 0.0
}

fn key(b: &Backoff) -> (u64, u64, u64, u64) {
    (
        b.min_delay_ms as u64,
        b.max_delay_ms as u64,
        (b.factor * 1000.0) as u64,
        (b.jitter * 1000.0) as u64,
    )
}

const LONE_RUNS: usize = 501;

fn evaluate(setup: &Setup, seeds: &[u64], list: &[Backoff]) -> Vec<Candidate> {
    parallel_map(list, |b| {
        let policy = Policy::Ours(b.clone());
        let per_seed: Vec<Metrics> = seeds
            .iter()
            .map(|&s| Metrics::of(&herd(setup, &policy, s)))
            .collect();
        Candidate {
            backoff: b.clone(),
            mean: Metrics::mean(&per_seed),
            per_seed,
            lone_ms: lone_drop_median(&policy, seeds[0], LONE_RUNS),
        }
    })
}

/// Which rule a candidate must pass.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// No peer is better on all three metrics at once (the brief's rule).
    NotBeaten,
    /// No peer is better on both peak and attempts (so a win on t99 alone does not count).
    NotBeatenOnLoad,
}

fn passes(c: &Candidate, peers: &[Vec<Metrics>], rule: Rule) -> bool {
    peers.iter().all(|peer| {
        peer.iter().zip(&c.per_seed).all(|(p, o)| match rule {
            Rule::NotBeaten => !p.beats(o),
            Rule::NotBeatenOnLoad => !p.beats_on_load(o),
        })
    })
}

/// Best first: shortest lone-drop median; among equals (same min and jitter), the faster recovery,
/// then the lower load.
fn rank(list: &mut [Candidate]) {
    list.sort_by(|a, b| {
        a.lone_ms
            .total_cmp(&b.lone_ms)
            .then(a.mean.t99.total_cmp(&b.mean.t99))
            .then(a.mean.peak.total_cmp(&b.mean.peak))
            .then(a.mean.attempts.total_cmp(&b.mean.attempts))
    });
}

fn fmt_t99(ms: f64) -> String {
    if ms.is_finite() {
        format!("{:.1}", ms / 1000.0)
    } else {
        "never".into()
    }
}

/// For each peer, the metrics on which the candidate is at least as good (what keeps the peer from beating it).
fn escapes(c: &Candidate, names: &[&str], peers: &[Vec<Metrics>]) -> String {
    let o = &c.mean;
    names
        .iter()
        .zip(peers)
        .map(|(name, p)| {
            let p = Metrics::mean(p);
            let mut on = Vec::new();
            if o.peak <= p.peak {
                on.push("peak");
            }
            if o.attempts <= p.attempts {
                on.push("att");
            }
            if o.t99 <= p.t99 {
                on.push("t99");
            }
            format!(
                "{}:{}",
                name,
                if on.is_empty() {
                    "-".to_string()
                } else {
                    on.join("+")
                }
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_candidates(
    title: &str,
    list: &[Candidate],
    n: usize,
    names: &[&str],
    peers: &[Vec<Metrics>],
) {
    println!("{title}");
    println!(
        "  {:>6} {:>6} {:>5} {:>6} | {:>8} {:>6} {:>6} {:>6} | vs peers (mean over seeds)",
        "min", "max", "fact", "jitter", "lone ms", "peak%", "att", "t99 s"
    );
    for c in list.iter().take(n) {
        let b = &c.backoff;
        println!(
            "  {:>6} {:>6} {:>5} {:>6} | {:>8.0} {:>6.1} {:>6.2} {:>6} | {}",
            b.min_delay_ms,
            b.max_delay_ms,
            b.factor,
            b.jitter,
            c.lone_ms,
            c.mean.peak * 100.0,
            c.mean.attempts,
            fmt_t99(c.mean.t99),
            escapes(c, names, peers)
        );
    }
    if list.is_empty() {
        println!("  (none)");
    }
}

fn coarse_grid() -> Vec<Backoff> {
    let mut out = Vec::new();
    for &min in &[
        100.0, 250.0, 500.0, 750.0, 1000.0, 1500.0, 2000.0, 3000.0, 4000.0, 5000.0,
    ] {
        for &max in &[2000.0, 5000.0, 10_000.0, 20_000.0, 30_000.0] {
            if max < min {
                continue;
            }
            for &factor in &[1.5, 2.0, 3.0] {
                for &jitter in &[0.0, 0.25, 0.5, 0.75, 1.0] {
                    out.push(ours(min, max, factor, jitter));
                }
            }
        }
    }
    out
}

/// Neighbours of `b`: min ±250 and ±500 ms (±100, ±200 below 1000), max ×½ to ×2 in whole seconds,
/// factor ±0.5, jitter ±0.125.
fn fine_grid(b: &Backoff) -> Vec<Backoff> {
    let step = if b.min_delay_ms < 1000.0 {
        100.0
    } else {
        250.0
    };
    let mins: Vec<f64> = [-2.0, -1.0, 0.0, 1.0, 2.0]
        .iter()
        .map(|k| b.min_delay_ms + k * step)
        .filter(|&m| m >= 50.0)
        .collect();
    let maxs: Vec<f64> = [0.5, 0.75, 1.0, 1.5, 2.0]
        .iter()
        .map(|k| ((b.max_delay_ms * k) / 1000.0).round() * 1000.0)
        .collect();
    let factors: Vec<f64> = [-0.5, 0.0, 0.5]
        .iter()
        .map(|d| b.factor + d)
        .filter(|&f| f >= 1.0)
        .collect();
    let jitters: Vec<f64> = [-0.125, 0.0, 0.125]
        .iter()
        .map(|d| b.jitter + d)
        .filter(|&j| (0.0..=1.0).contains(&j))
        .collect();
    let mut out = Vec::new();
    for &min in &mins {
        for &max in &maxs {
            if max < min {
                continue;
            }
            for &factor in &factors {
                for &jitter in &jitters {
                    out.push(ours(min, max, factor, jitter));
                }
            }
        }
    }
    out
}

pub fn run(setup: &Setup, seed: u64) {
    let started = Instant::now();
    let seeds_n = |n: u64| -> Vec<u64> {
        (0..n)
            .map(|k| if k == 0 { seed } else { mix(seed, 1000 + k) })
            .collect()
    };
    let seeds = seeds_n(3);
    let confirm_seeds = seeds_n(10);
    let peer_list = peers();
    let names: Vec<String> = peer_list.iter().map(Policy::name).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();

    let peer_metrics = |seeds: &[u64]| -> Vec<Vec<Metrics>> {
        let jobs: Vec<(usize, u64)> = (0..peer_list.len())
            .flat_map(|p| seeds.iter().map(move |&s| (p, s)))
            .collect();
        let flat = parallel_map(&jobs, |&(p, s)| Metrics::of(&herd(setup, &peer_list[p], s)));
        flat.chunks(seeds.len()).map(<[Metrics]>::to_vec).collect()
    };
    let peers_m = peer_metrics(&seeds);
    println!(
        "sweep: {} seeds per candidate; peers (mean over those seeds):",
        seeds.len()
    );
    for (name, m) in names.iter().zip(&peers_m) {
        let m = Metrics::mean(m);
        println!(
            "  {:<24} peak {:>5.1}%  attempts {:>5.2}  t99 {:>6} s",
            name,
            m.peak * 100.0,
            m.attempts,
            fmt_t99(m.t99)
        );
    }

    // 1. Coarse grid.
    let coarse = evaluate(setup, &seeds, &coarse_grid());
    println!(
        "\ncoarse grid: {} candidates ({:.0} s so far)",
        coarse.len(),
        started.elapsed().as_secs_f64()
    );
    let mut a: Vec<Candidate> = coarse
        .iter()
        .filter(|c| passes(c, &peers_m, Rule::NotBeaten))
        .cloned()
        .collect();
    rank(&mut a);
    print_candidates(
        &format!("rule A (no peer better on peak, attempts and t99 at once): {} pass. The best win on t99 alone, by hammering the server:", a.len()),
        &a,
        5,
        &names,
        &peers_m,
    );
    let mut b: Vec<Candidate> = coarse
        .iter()
        .filter(|c| passes(c, &peers_m, Rule::NotBeatenOnLoad))
        .cloned()
        .collect();
    rank(&mut b);
    print_candidates(
        &format!(
            "rule B (no peer better on both peak and attempts; implies A): {} pass",
            b.len()
        ),
        &b,
        8,
        &names,
        &peers_m,
    );

    // 2. Finer, round steps around the best three (distinct) rule-B candidates.
    let mut seen: Vec<(u64, u64, u64, u64)> = coarse.iter().map(|c| key(&c.backoff)).collect();
    let mut fine = Vec::new();
    for c in b.iter().take(3) {
        for f in fine_grid(&c.backoff) {
            if !seen.contains(&key(&f)) {
                seen.push(key(&f));
                fine.push(f);
            }
        }
    }
    let fine = evaluate(setup, &seeds, &fine);
    println!(
        "\nfine grid: {} more candidates ({:.0} s so far)",
        fine.len(),
        started.elapsed().as_secs_f64()
    );
    let mut all_b: Vec<Candidate> = coarse
        .iter()
        .chain(&fine)
        .filter(|c| passes(c, &peers_m, Rule::NotBeatenOnLoad))
        .cloned()
        .collect();
    rank(&mut all_b);
    print_candidates("rule B after the fine grid:", &all_b, 8, &names, &peers_m);

    // 3. The finalists again, on more seeds: the best eight, and the best four with round numbers.
    let mut finalists: Vec<Backoff> = all_b.iter().take(8).map(|c| c.backoff.clone()).collect();
    for c in all_b.iter().filter(|c| is_round(&c.backoff)).take(4) {
        if !finalists.iter().any(|f| key(f) == key(&c.backoff)) {
            finalists.push(c.backoff.clone());
        }
    }
    let peers_c = peer_metrics(&confirm_seeds);
    let mut confirmed: Vec<Candidate> = evaluate(setup, &confirm_seeds, &finalists)
        .into_iter()
        .filter(|c| passes(c, &peers_c, Rule::NotBeatenOnLoad))
        .collect();
    rank(&mut confirmed);
    println!();
    print_candidates(
        &format!(
            "finalists that still pass rule B on {} seeds:",
            confirm_seeds.len()
        ),
        &confirmed,
        8,
        &names,
        &peers_c,
    );
    for (label, pick) in [
        ("best", confirmed.first()),
        (
            "best round",
            confirmed.iter().find(|c| is_round(&c.backoff)),
        ),
    ] {
        match pick {
            Some(c) => {
                let b = &c.backoff;
                println!(
                    "{label}: minDelayMs {}, maxDelayMs {}, factor {}, jitter {} (lone-drop median {:.0} ms)",
                    b.min_delay_ms, b.max_delay_ms, b.factor, b.jitter, c.lone_ms
                );
            }
            None => println!("{label}: no finalist passed on every seed"),
        }
    }
    println!("sweep: {:.0} s", started.elapsed().as_secs_f64());
}
