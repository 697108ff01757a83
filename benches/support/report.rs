//! Prints the report: one table per section, side by side.

use super::envelope::EnvelopeReport;
use super::local::LocalReport;
use super::measure::{fmt_bytes, fmt_dur, fmt_ns};
use super::remote::RemoteRow;

fn pct(ratio: f64) -> String {
    format!("{:+.1}%", (ratio - 1.0) * 100.0)
}

/// The machine the numbers come from.
pub fn environment() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, load average at start {load}")
}

/// Prints the local section.
pub fn local(r: &LocalReport, rounds: usize) {
    println!("\n## Local cryptography, one thread (median of {rounds} interleaved rounds)\n");
    println!("(times: median per variant; ratios: median of the per-round ratios, each round");
    println!(" timing the variants back to back, so machine-wide slow phases cancel out)\n");
    println!(
        "{:<36} {:>10} {:>10} {:>10} {:>14} {:>13} {:>16}",
        "operation",
        "façade",
        "LocalKey",
        "aws-lc-rs",
        "façade/LocalKey",
        "LocalKey/raw",
        "allocs/op F/L/R"
    );
    for row in &r.rows {
        println!(
            "{:<36} {:>10} {:>10} {:>10} {:>14} {:>13} {:>16}",
            row.name,
            fmt_ns(row.facade_ns),
            fmt_ns(row.local_key_ns),
            fmt_ns(row.raw_ns),
            pct(row.facade_per_local_key),
            pct(row.local_key_per_raw),
            format!(
                "{:.0}/{:.0}/{:.0}",
                row.allocs[0], row.allocs[1], row.allocs[2]
            ),
        );
    }
    let worst = r
        .rows
        .iter()
        .map(|row| (row.name, row.facade_per_local_key - 1.0))
        .fold(("", f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
    println!(
        "\nfaçade overhead over LocalKey: worst {:+.1}% ({}); target < 5%: {}",
        worst.1 * 100.0,
        worst.0,
        if worst.1 < 0.05 { "met" } else { "NOT met" }
    );
    let s = &r.scaling;
    println!(
        "\n## Concurrent ES256 verifies from {} tasks (one shared client / key)\n",
        s.tasks
    );
    println!(
        "{:<10} {:>12} {:>12} {:>8} | {:>14} {:>14}",
        "",
        "1 worker",
        format!("{} workers", s.cores),
        "scaling",
        "CPU/op 1 wkr",
        format!("CPU/op {} wkrs", s.cores)
    );
    for (name, v) in [("façade", s.facade), ("LocalKey", s.local_key)] {
        println!(
            "{:<10} {:>10.0}/s {:>10.0}/s {:>7.2}x | {:>14} {:>14}",
            name,
            v[0].0,
            v[1].0,
            v[1].0 / v[0].0,
            fmt_ns(v[0].1),
            fmt_ns(v[1].1)
        );
    }
    println!(
        "(wall-clock scaling is bounded by the cores other processes leave free; CPU time per\n verify staying flat from 1 to {} workers means no lock contention or cache-line bouncing)",
        s.cores
    );
}

/// Prints the remote section.
pub fn remote(rows: &[RemoteRow], run_secs: f64) {
    println!(
        "\n## Remote against the emulator on loopback (TLS, HTTP/2 if negotiated; {run_secs:.1} s per client per run)\n"
    );
    println!(
        "{:<32} {:>4} | {:>7} {:>9} {:>9} {:>9} | {:>7} {:>9} {:>9} {:>9} | {:>10} {:>15} {:>8}",
        "operation",
        "conc",
        "ours/s",
        "p50",
        "p99",
        "CPU/op",
        "azure/s",
        "p50",
        "p99",
        "CPU/op",
        "ours/azure",
        "pairs min..max",
        "CPU o/a"
    );
    for r in rows {
        let (lo, hi) = r
            .pair_ratios
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        println!(
            "{:<32} {:>4} | {:>7.0} {:>9} {:>9} {:>9} | {:>7.0} {:>9} {:>9} {:>9} | {:>9.2}x {:>6.2}..{:<6.2}  {:>7.2}{}",
            r.op,
            r.concurrency,
            r.ours.ops_per_sec,
            fmt_dur(r.ours.p50),
            fmt_dur(r.ours.p99),
            fmt_dur(r.ours.cpu_per_op),
            r.official.ops_per_sec,
            fmt_dur(r.official.p50),
            fmt_dur(r.official.p99),
            fmt_dur(r.official.cpu_per_op),
            r.median_ratio(),
            lo,
            hi,
            r.ours.cpu_per_op.as_secs_f64() / r.official.cpu_per_op.as_secs_f64().max(1e-12),
            if r.ours.errors + r.official.errors > 0 {
                format!(
                    "  (errors: ours {}, azure {})",
                    r.ours.errors, r.official.errors
                )
            } else {
                String::new()
            }
        );
    }
    println!(
        "(azure = the official azure_security_keyvault_keys crate, same emulator, same run.\n \
         ours/azure = median throughput ratio over back-to-back slice pairs, with its range;\n \
         CPU/op = process CPU (client + in-process server) per operation, CPU o/a its ratio:\n \
         the server's part is the same for both, so a lower ratio means a cheaper client)"
    );
    println!(
        " The ML-DSA-65 rows' reference columns are our own ES256 sign in the same run: the\n \
         official crate (api-version 2025-07-01) cannot send ML-DSA."
    );
    let worst = rows
        .iter()
        .filter(|r| r.official_reference)
        .map(RemoteRow::median_ratio)
        .fold(f64::MAX, f64::min);
    println!(
        "ours not slower than the official crate (median ratio >= 0.97 on every row, within measurement noise): {}",
        if worst >= 0.97 { "met" } else { "NOT met" }
    );
}

/// Prints the envelope section.
pub fn envelope(r: &EnvelopeReport) {
    println!("\n## Envelope encryption (payload in memory unless streamed)\n");
    // The table's key-encryption key is RSA-2048 (a vault's usual key): each decrypt
    // without a data-key cache pays one RSA private-key operation, which is what its
    // decrypt column shows; the ratios below use a local AES-256 key instead.
    println!("(table: RSA-2048 key-encryption key, local; ratios after it: A256KW local key)\n");
    match &r.envelope {
        Err(why) => println!("envelope encryption: not measured: {why}"),
        Ok(rows) => {
            println!(
                "{:<28} {:>11} {:>11} {:>13} {:>13}",
                "payload", "encrypt", "decrypt", "peak heap enc", "peak heap dec"
            );
            for row in rows {
                println!(
                    "{:<28} {:>7.0} MB/s {:>7.0} MB/s {:>13} {:>13}",
                    row.name,
                    row.encrypt_mbps,
                    row.decrypt_mbps,
                    fmt_bytes(row.encrypt_peak),
                    fmt_bytes(row.decrypt_peak),
                );
            }
        }
    }
    println!(
        "\nraw AES-256-GCM (aws-lc-rs, one shot, in place): 1 MiB {:.0} MB/s",
        r.raw_gcm_1mib_mbps
    );
    println!(
        "HKDF-SHA-512 (the envelope's key schedule) on: {}",
        kv_crypto_local::hkdf::HKDF_SHA512_BACKEND
    );
    for (name, median, min, max, env, raw) in &r.ratios {
        let target = if name.starts_with("1 MiB") {
            if *median >= 0.9 {
                " (target >= 0.90: met)"
            } else {
                " (target >= 0.90: NOT met)"
            }
        } else {
            ""
        };
        println!(
            "{name}: median {median:.2} (range {min:.2}-{max:.2}; {env:.0} vs {raw:.0} MB/s), A256KW local key, interleaved rounds{target}"
        );
    }
    if let Some(peak) = r.streamed_100mib_peak {
        println!(
            "100 MiB streamed, peak heap over encrypt and decrypt: {} (target < 16 MiB: {})",
            fmt_bytes(peak),
            if peak < 16 << 20 { "met" } else { "NOT met" }
        );
    }
    if let Some(rss) = r.peak_rss {
        println!(
            "process peak RSS (VmHWM) after the envelope section: {}",
            fmt_bytes(rss)
        );
    }
}
