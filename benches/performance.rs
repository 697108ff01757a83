//! The performance report: `cargo bench --bench performance` prints, from one run, side by
//! side:
//!
//! - local verify (RS256, PS256, ES256, ML-DSA-65), RSA-OAEP-256 encrypt and A256KW wrap through the
//!   `CryptographyClient` façade, `LocalKey` and the raw aws-lc-rs call, with allocations
//!   per operation, and concurrent verifies from 64 tasks on 1 and on all cores;
//! - remote sign and decrypt against the in-process emulator on loopback at concurrency 1
//!   and 64, through our client and through the official `azure_security_keyvault_keys`
//!   crate, with ops/s, p50/p99 and the ratio; remote ML-DSA-65 sign (api-version
//!   2026-05-01-preview), which the official crate cannot send, against our own ES256 sign;
//! - envelope encryption throughput and peak heap at 4 KiB, 1 MiB and 100 MiB (streamed),
//!   against raw AES-256-GCM.
//!
//! The default run is short (well under 3 minutes on 2 cores); `KV_BENCH_LONG=1` runs longer
//! for steadier numbers, and `KV_BENCH_ONLY=local,remote,envelope` picks sections
//! (`KV_BENCH_ONLY=envelope-profile`: ten passes of each side of the 1 MiB envelope ratios
//! and nothing else, to run under callgrind).
//! Progress goes to stderr, the report to stdout. Local variants are measured in
//! interleaved rounds and the median round is reported, so load from elsewhere on the
//! machine hits every variant alike. Peak memory comes from a counting global allocator
//! (live heap bytes) and `VmHWM`.

mod support;

use std::time::Instant;

use support::alloc::CountingAlloc;
use support::measure::Budget;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn wanted(section: &str) -> bool {
    std::env::var("KV_BENCH_ONLY").map_or(true, |only| only.split(',').any(|s| s.trim() == section))
}

fn main() {
    let budget = Budget::from_env();
    let started = Instant::now();
    let progress = |what: &str| {
        eprintln!("[{:>6.1} s] {what}", started.elapsed().as_secs_f64());
    };
    println!("# keyvault performance report\n");
    println!("machine: {}", support::report::environment());
    println!(
        "build: {} profile, {} run",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "optimised"
        },
        if std::env::var("KV_BENCH_LONG").is_ok_and(|v| v == "1") {
            "long"
        } else {
            "default (short)"
        }
    );

    if wanted("local") {
        let local = support::local::run(&budget, &progress);
        support::report::local(&local, budget.rounds);
    }
    if wanted("envelope") {
        let envelope = support::envelope::run(&budget, &progress);
        support::report::envelope(&envelope);
    }
    if std::env::var("KV_BENCH_ONLY").is_ok_and(|only| only == "envelope-profile") {
        support::envelope::profile(10);
    }
    if wanted("remote") {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let rows = rt.block_on(support::remote::run(&budget, &progress));
        support::report::remote(&rows, budget.remote_run.as_secs_f64());
    }
    println!("\ntotal time: {:.1} s", started.elapsed().as_secs_f64());
}
