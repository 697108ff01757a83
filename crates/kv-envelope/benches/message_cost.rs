//! Where a message's time goes: each per-message step of the envelope (HKDF, AES-GCM key
//! schedule, random bytes, header parse) and whole messages of 4 KiB and 1 MiB, against raw
//! AES-256-GCM through the same provider, in the same run (median of interleaved rounds).
//!
//! `cargo bench -p kv-envelope --bench message_cost`. The root bench
//! (`benches/performance.rs`) holds the project's reported ratios; this one is for finding
//! per-message waste without building the whole workspace.

use std::hint::black_box;

use kv_crypto_local::hkdf::{self, HkdfOutput};
use kv_crypto_local::{LocalKey, generate_oct};
use kv_envelope::{EnvelopeClient, EnvelopeHeader, LocalKeyEncryptionKey};
use kv_jwk::HashAlgorithm;
use zeroize::Zeroizing;

const CONTEXT: &[u8] = b"tenant=42;purpose=bench";

/// An HKDF entry point of `kv_crypto_local::hkdf` (`hkdf` or one backend's).
type Hkdf =
    fn(HashAlgorithm, &[u8], &[u8], &mut [HkdfOutput<'_, '_>]) -> kv_crypto_local::Result<()>;

/// The thread-CPU clock and the medians of the project's performance report.
#[allow(dead_code)] // the whole module is shared; this bench uses a few of its items
#[path = "../../../benches/support/measure.rs"]
mod measure;

use measure::median_min_max as median;

/// Nanoseconds of thread CPU time per call of `op` over `iters` calls.
fn ns_per(iters: usize, op: impl FnMut()) -> f64 {
    measure::per_call(iters, op) * 1e9
}

/// Runs each named step once per round, interleaved, and prints its median time.
fn steps(rounds: usize, iters: usize, steps: &mut [(&str, &mut dyn FnMut())]) {
    let mut times = vec![Vec::new(); steps.len()];
    for _ in 0..rounds {
        for (i, (_, op)) in steps.iter_mut().enumerate() {
            times[i].push(ns_per(iters, op));
        }
    }
    for ((name, _), t) in steps.iter().zip(times) {
        let (m, lo, hi) = median(t);
        println!("{name:<44} {m:>10.0} ns  ({lo:.0}-{hi:.0})");
    }
}

fn main() {
    let provider = kv_crypto_local::get_default().expect("provider");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let aes = LocalKey::new(&generate_oct(256).expect("keygen")).expect("AES key");
    let kek = LocalKeyEncryptionKey::new(aes, "bench-kek").expect("kek");
    let env = EnvelopeClient::new(kek, None).expect("client");
    let rounds = 15;

    println!("## per-message steps (median of {rounds} interleaved rounds, thread CPU time)\n");
    println!(
        "HKDF-SHA-512 backend of this build: {}\n",
        hkdf::HKDF_SHA512_BACKEND
    );
    let ikm = [7u8; 32];
    let salt = [9u8; 32];
    let mut small = vec![0u8; 4 << 10];
    let small_sealed = rt.block_on(env.encrypt(&small, CONTEXT)).expect("encrypt");
    let gcm = provider.aes_gcm.key(&[3u8; 32]).expect("gcm key");
    // The envelope's key schedule (one extract, two 32-byte outputs) with `hkdf`.
    let derive = |hkdf: Hkdf| {
        move || {
            let mut a = [0u8; 32];
            let mut b = [0u8; 32];
            hkdf(
                HashAlgorithm::Sha512,
                &salt,
                &ikm,
                &mut [
                    (&[b"KVEN content key", &[2, 1]], &mut a),
                    (&[b"KVEN key commitment", &[2, 1]], &mut b),
                ],
            )
            .expect("hkdf");
            black_box((a, b));
        }
    };
    steps(
        rounds,
        2000,
        &mut [
            // The envelope's derivation through `hkdf()` (the backend it picks, see
            // `HKDF_SHA512_BACKEND`), then on each backend.
            (
                "HKDF-SHA-512, content key + commitment",
                &mut derive(hkdf::hkdf),
            ),
            (
                "HKDF-SHA-512, aws-lc-rs backend",
                &mut derive(hkdf::hkdf_aws_lc),
            ),
            (
                "HKDF-SHA-512, RustCrypto backend",
                &mut derive(hkdf::hkdf_rust_crypto),
            ),
            ("AES-256-GCM key schedule", &mut || {
                black_box(provider.aes_gcm.key(&ikm).expect("key"));
            }),
            ("random 32 bytes", &mut || {
                let mut b = [0u8; 32];
                provider.random.fill(&mut b).expect("random");
                black_box(b);
            }),
            ("random 64 bytes", &mut || {
                let mut b = [0u8; 64];
                provider.random.fill(&mut b).expect("random");
                black_box(b);
            }),
            ("AES-256-GCM seal of nothing (header tag)", &mut || {
                black_box(gcm.seal(&[1; 12], &[5; 120], &mut []).expect("seal"));
            }),
            ("header parse", &mut || {
                black_box(EnvelopeHeader::parse(&small_sealed).expect("parse"));
            }),
            ("raw AES-256-GCM seal 4 KiB", &mut || {
                black_box(gcm.seal(&[1; 12], CONTEXT, &mut small).expect("seal"));
            }),
        ],
    );

    // The segment size: 1 MiB sealed out of place in one AES-GCM call and in segments of
    // the default size and of 64 KiB (each call pays a fixed cost).
    println!("\n## 1 MiB of raw AES-256-GCM, out of place, by call size\n");
    let src = vec![0x11u8; 1 << 20];
    let seal_in = |size: usize, dst: &mut [u8]| {
        for (p, c) in src.chunks(size).zip(dst.chunks_mut(size)) {
            black_box(gcm.seal_out_of_place(&[1; 12], &[], p, c).expect("seal"));
        }
    };
    let mut dst = [vec![0u8; 1 << 20], vec![0u8; 1 << 20], vec![0u8; 1 << 20]];
    let [d1, d2, d3] = &mut dst;
    let default = kv_envelope::DEFAULT_SEGMENT_SIZE as usize;
    steps(
        rounds,
        40,
        &mut [
            ("one call", &mut || seal_in(1 << 20, d1)),
            ("default segment size", &mut || seal_in(default, d2)),
            ("64 KiB segments", &mut || seal_in(64 << 10, d3)),
        ],
    );

    for (len, label, iters) in [(4usize << 10, "4 KiB", 2000), (1 << 20, "1 MiB", 40)] {
        println!("\n## {label} messages (median of {rounds} interleaved rounds)\n");
        let plaintext = vec![0x5au8; len];
        let mut raw = plaintext.clone();
        let mut raw_out = vec![0u8; len];
        let mut sealed = Vec::new();
        rt.block_on(env.encrypt_into(&plaintext, CONTEXT, &mut sealed))
            .expect("encrypt");
        let raw_tag = gcm.seal(&[1; 12], CONTEXT, &mut raw).expect("seal");
        let raw_sealed = raw.clone();
        let mut opened = Zeroizing::new(Vec::new());
        let (mut t_raw_seal, mut t_seal, mut t_raw_open, mut t_open) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut enc, mut dec) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let rs = ns_per(iters, || {
                black_box(gcm.seal(&[1; 12], CONTEXT, &mut raw).expect("seal"));
            });
            let es = ns_per(iters, || {
                rt.block_on(env.encrypt_into(&plaintext, CONTEXT, &mut sealed))
                    .expect("encrypt");
            });
            let ro = ns_per(iters, || {
                gcm.open_out_of_place(&[1; 12], CONTEXT, &raw_sealed, &raw_tag, &mut raw_out)
                    .expect("open");
            });
            let eo = ns_per(iters, || {
                rt.block_on(env.decrypt_into(&sealed, Some(CONTEXT), &mut opened))
                    .expect("decrypt");
            });
            enc.push(rs / es);
            dec.push(ro / eo);
            t_raw_seal.push(rs);
            t_seal.push(es);
            t_raw_open.push(ro);
            t_open.push(eo);
        }
        for (name, t) in [
            ("raw seal (in place)", t_raw_seal),
            ("envelope encrypt_into", t_seal),
            ("raw open (out of place)", t_raw_open),
            ("envelope decrypt_into", t_open),
        ] {
            let (m, lo, hi) = median(t);
            println!("{name:<44} {m:>10.0} ns  ({lo:.0}-{hi:.0})");
        }
        let (m, lo, hi) = median(enc);
        println!("{label} encrypt_into / raw seal: {m:.3} ({lo:.3}-{hi:.3})");
        let (m, lo, hi) = median(dec);
        println!("{label} decrypt_into / raw open: {m:.3} ({lo:.3}-{hi:.3})");
    }
}
