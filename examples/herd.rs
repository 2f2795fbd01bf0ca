//! The thundering-herd simulation: 10,000 clients, each a real `wxsocket::core::Engine`, are dropped
//! by the server at t = 0. The server refuses every attempt for 3 s, then accepts at most 2,000
//! connections per second (a token bucket holding 100 ms worth); refused attempts fail after their
//! connect latency (5 to 20 ms) and retry under their policy.
//!
//! Per policy it prints the peak attempts in any 100 ms window (share of clients), the attempts per
//! client after the drop, the time until 99% are connected again, and the median delay before the
//! first retry when one client is dropped alone.
//!
//! ```text
//! cargo run --release --example herd                      # the table (deterministic for a seed)
//! cargo run --release --example herd -- --seed 7 --json out.json
//! cargo run --release --example herd -- --sweep           # search our formula's parameters
//! cargo run --release --example herd -- --variants        # the model choices that move the peers' figures
//! ```

#[path = "herd/policy.rs"]
mod policy;
#[path = "herd/sim.rs"]
mod sim;
#[path = "herd/sweep.rs"]
mod sweep;

use std::time::Instant;

use policy::{table_policies, Policy};
use sim::{herd, lone_drop_median, Herd, Setup};

/// Seeds per policy for the lone-drop median.
pub const LONE_RUNS: usize = 2001;
const DEFAULT_SEED: u64 = 20_261_125;

struct Args {
    seed: u64,
    json: Option<String>,
    sweep: bool,
    variants: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seed: DEFAULT_SEED,
        json: None,
        sweep: false,
        variants: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => {
                let v = it.next().ok_or("--seed needs a number")?;
                args.seed = v
                    .parse()
                    .map_err(|_| format!("--seed: not a number: {v}"))?;
            }
            "--json" => args.json = Some(it.next().ok_or("--json needs a path")?),
            "--sweep" => args.sweep = true,
            "--variants" => args.variants = true,
            "-h" | "--help" => {
                println!("usage: herd [--seed N] [--json PATH] [--sweep] [--variants]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}; try --help")),
        }
    }
    Ok(args)
}

/// One row of the table.
pub struct Row {
    pub name: String,
    pub policy: Policy,
    pub params: String,
    pub herd: Herd,
    pub lone_median_ms: f64,
}

fn params_of(p: &Policy) -> String {
    match p {
        Policy::Ours(b) => format!(
            "minDelayMs {}, maxDelayMs {}, factor {}, jitter {}",
            b.min_delay_ms, b.max_delay_ms, b.factor, b.jitter
        ),
        Policy::ReconnectingWebsocket => "min 1000 + rand*4000 per client, x1.3, max 10000".into(),
        Policy::SocketIo => "1000, x2, randomization 0.5, max 5000".into(),
        Policy::Centrifuge { .. } => "min 500, max 20000, full jitter".into(),
        Policy::Phoenix => "10, 50, 100, 150, 200, 250, 500, 1000, 2000, then 5000".into(),
    }
}

fn fmt_t99(t: Option<i64>) -> String {
    t.map_or_else(|| "never".into(), |t| format!("{:.1}", t as f64 / 1000.0))
}

fn print_table(rows: &[Row], setup: &Setup) {
    println!(
        "{:<28} {:>7} {:>16} {:>7} {:>22}",
        "policy", "peak %", "attempts/client", "t99 s", "median first retry ms"
    );
    for r in rows {
        println!(
            "{:<28} {:>7.1} {:>16.2} {:>7} {:>22.0}",
            r.name,
            r.herd.peak_share * 100.0,
            r.herd.attempts_per_client,
            fmt_t99(r.herd.t99_ms),
            r.lone_median_ms
        );
    }
    let (peak, att, t99) = setup.physical_limit();
    println!(
        "{:<28} {:>7.1} {:>16.2} {:>7.1} {:>22}",
        "(physical limit)",
        peak * 100.0,
        att,
        t99 / 1000.0,
        "-"
    );
}

fn json_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            c => vec![c],
        })
        .collect()
}

fn write_json(path: &str, rows: &[Row], setup: &Setup, seed: u64) -> std::io::Result<()> {
    let mut s = String::new();
    s.push_str("{\n");
    s.push_str(&format!("  \"seed\": {seed},\n"));
    s.push_str(&format!(
        "  \"setup\": {{ \"clients\": {}, \"outage_ms\": {}, \"accept_per_s\": {}, \"bucket_ms\": {}, \"latency_ms\": [{}, {}], \"lone_drop_runs\": {} }},\n",
        setup.clients, setup.outage_ms, setup.accept_per_s, setup.bucket_ms, setup.latency_ms.0, setup.latency_ms.1, LONE_RUNS
    ));
    let (peak, att, t99) = setup.physical_limit();
    s.push_str(&format!(
        "  \"physical_limit\": {{ \"peak_pct\": {:.2}, \"attempts_per_client\": {:.2}, \"t99_s\": {:.2} }},\n",
        peak * 100.0,
        att,
        t99 / 1000.0
    ));
    s.push_str("  \"policies\": [\n");
    for (k, r) in rows.iter().enumerate() {
        let t99 = r
            .herd
            .t99_ms
            .map_or("null".into(), |t| format!("{:.3}", t as f64 / 1000.0));
        let all = r
            .herd
            .all_ms
            .map_or("null".into(), |t| format!("{:.3}", t as f64 / 1000.0));
        let windows: Vec<String> = r.herd.windows.iter().map(u32::to_string).collect();
        let backoff = match &r.policy {
            Policy::Ours(b) => format!(
                "{{ \"min_delay_ms\": {}, \"max_delay_ms\": {}, \"factor\": {}, \"jitter\": {} }}",
                b.min_delay_ms, b.max_delay_ms, b.factor, b.jitter
            ),
            _ => "null".into(),
        };
        s.push_str(&format!(
            "    {{ \"policy\": \"{}\", \"params\": \"{}\", \"backoff\": {}, \"peak_pct\": {:.2}, \"attempts_per_client\": {:.3}, \"t99_s\": {}, \"all_back_s\": {}, \"median_first_retry_ms\": {}, \"attempts_per_100ms\": [{}] }}{}\n",
            json_escape(&r.name),
            json_escape(&r.params),
            backoff,
            r.herd.peak_share * 100.0,
            r.herd.attempts_per_client,
            t99,
            all,
            r.lone_median_ms,
            windows.join(", "),
            if k + 1 < rows.len() { "," } else { "" }
        ));
    }
    s.push_str("  ]\n}\n");
    std::fs::write(path, s)
}

/// Runs the policies on two threads (rows are independent and seeded, so the order of work does not matter).
fn rows(setup: &Setup, policies: &[(String, Policy)], seed: u64) -> Vec<Row> {
    sweep::parallel_map(policies, |(name, p)| Row {
        name: name.clone(),
        policy: p.clone(),
        params: params_of(p),
        herd: herd(setup, p, seed),
        lone_median_ms: lone_drop_median(p, seed, LONE_RUNS),
    })
}

fn print_header(setup: &Setup, seed: u64) {
    println!(
        "herd: {} clients dropped at t = 0; server down {} s, then {} accepts/s; latency {}-{} ms; seed {}",
        setup.clients,
        setup.outage_ms / 1000,
        setup.accept_per_s,
        setup.latency_ms.0,
        setup.latency_ms.1,
        seed
    );
}

/// The two modelling choices that explain where an independent model's peer figures differ from ours:
/// centrifuge's first retry using step 1 instead of 0, and a fixed connect latency (which keeps
/// un-jittered clients in lockstep forever).
fn variants(setup: &Setup, seed: u64) {
    let step1 = vec![(
        "centrifuge-js, step from 1".to_string(),
        Policy::Centrifuge { first_step: 1 },
    )];
    print_header(setup, seed);
    print_table(&rows(setup, &step1, seed), setup);
    let fixed = Setup {
        latency_ms: (5, 5),
        ..setup.clone()
    };
    println!();
    print_header(&fixed, seed);
    print_table(&rows(&fixed, &table_policies(), seed), &fixed);
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("herd: {e}");
            std::process::exit(2);
        }
    };
    let setup = Setup::default();
    if args.sweep {
        sweep::run(&setup, args.seed);
        return;
    }
    let started = Instant::now();
    if args.variants {
        variants(&setup, args.seed);
        eprintln!("herd: {:.1} s", started.elapsed().as_secs_f64());
        return;
    }
    let rows = rows(&setup, &table_policies(), args.seed);
    print_header(&setup, args.seed);
    print_table(&rows, &setup);
    if let Some(path) = &args.json {
        if let Err(e) = write_json(path, &rows, &setup, args.seed) {
            eprintln!("herd: cannot write {path}: {e}");
            std::process::exit(1);
        }
    }
    eprintln!("herd: {:.1} s", started.elapsed().as_secs_f64());
}
