//! Envelope encryption throughput and peak memory, against raw AES-256-GCM in the same run.

use std::hint::black_box;
use std::io::{Read, Write};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use kv_client::CryptographyClient;
use kv_client::envelope::{
    DataKeyCacheOptions, DecryptingReader, EncryptCacheOptions, EnvelopeClient, EnvelopeHeader,
    EnvelopeOptions,
};
use tokio::runtime::Runtime;

use super::alloc::{counted, peak_rss};
use super::measure::{Budget, CpuTimer, median_min_max, per_call};

/// One payload size.
#[derive(Clone, Debug)]
pub struct EnvelopeRow {
    /// Payload size and mode.
    pub name: String,
    /// Encrypt throughput, MB/s (10^6 bytes).
    pub encrypt_mbps: f64,
    /// Decrypt throughput, MB/s.
    pub decrypt_mbps: f64,
    /// Peak live heap during encrypt (bytes).
    pub encrypt_peak: usize,
    /// Peak live heap during decrypt (bytes).
    pub decrypt_peak: usize,
}

/// What the envelope section measured.
#[derive(Clone, Debug)]
pub struct EnvelopeReport {
    /// The envelope rows, or why they could not be measured.
    pub envelope: Result<Vec<EnvelopeRow>, String>,
    /// Raw one-shot AES-256-GCM over 1 MiB, MB/s.
    pub raw_gcm_1mib_mbps: f64,
    /// Peak heap of the 100 MiB streamed runs.
    pub streamed_100mib_peak: Option<usize>,
    /// VmHWM after the section.
    pub peak_rss: Option<usize>,
    /// Issue 18's ratios: envelope / raw AES-256-GCM in the same run, each the median of
    /// per-round ratios over interleaved rounds (name, median, min, max, and the median
    /// MB/s of the envelope and of raw AES-256-GCM).
    pub ratios: Vec<(String, f64, f64, f64, f64, f64)>,
}

/// MB/s of one-shot, in-place AES-256-GCM over `len` bytes (best of several runs, thread
/// CPU time).
pub fn raw_gcm_mbps(len: usize, reps: usize) -> f64 {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[3u8; 32]).expect("AES key"));
    let mut buf = vec![0x11u8; len];
    let iters = (32 << 20) / len.max(1) + 1; // about 32 MiB per measurement
    let mut best = f64::MAX;
    for _ in 0..reps.max(1) * 3 {
        let start = CpuTimer::start();
        for i in 0..iters {
            let mut nonce = [0u8; 12];
            nonce[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let tag = key
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(b"context"),
                    &mut buf,
                )
                .expect("seal");
            black_box(&tag);
        }
        best = best.min(start.elapsed().as_secs_f64() / iters as f64);
    }
    len as f64 / best / 1e6
}

/// MB/s of one-shot AES-256-GCM over `len` bytes sealed out of place (from one buffer into
/// another, as the envelope's one-shot paths do). Informational: the ratio is against
/// [`raw_gcm_mbps`].
pub fn raw_gcm_out_of_place_mbps(len: usize, reps: usize) -> f64 {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[3u8; 32]).expect("AES key"));
    let input = vec![0x11u8; len];
    let mut out = vec![0x22u8; len];
    let iters = (32 << 20) / len.max(1) + 1;
    let mut best = f64::MAX;
    for _ in 0..reps.max(1) * 3 {
        let start = CpuTimer::start();
        for i in 0..iters {
            let mut nonce = [0u8; 12];
            nonce[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let mut tag = [0u8; 16];
            key.seal_out_of_place_scatter(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(b"context"),
                &input,
                &mut out,
                &[],
                &mut tag,
            )
            .expect("seal");
            black_box(&tag);
        }
        best = best.min(start.elapsed().as_secs_f64() / iters as f64);
    }
    len as f64 / best / 1e6
}

const CONTEXT: &[u8] = b"tenant=42;purpose=bench";

/// One direction of [`interleaved`]: the per-round ratio's median, min and max, and the
/// median MB/s of the envelope and of raw AES-256-GCM.
type Interleaved = ((f64, f64, f64), (f64, f64));

/// The three directions [`interleaved`] measures: `encrypt_into` against raw seal in place
/// and against raw seal out of place, `decrypt_into` against raw open (out of place).
struct Directions {
    seal_in_place: Interleaved,
    seal_out_of_place: Interleaved,
    open: Interleaved,
}

/// Envelope over raw AES-256-GCM at `len` bytes, interleaved: each round times raw seal in
/// place, raw seal out of place and envelope `encrypt_into`, then raw open and envelope
/// `decrypt_into` (warm, reused buffers everywhere; the order within each group rotates by
/// round, so no variant always inherits the caches another left), and the ratios are per
/// round.
///
/// Raw seal out of place is the like-for-like reference of `encrypt_into`: the same
/// aws-lc-rs call (`seal_out_of_place_scatter`) over the same memory (a 1 MiB plaintext
/// read, a 1 MiB output written), as raw open is for `decrypt_into`. In place touches half
/// the memory, which stays in a 1 MiB L2 where the envelope's 2 MiB does not.
fn interleaved(rt: &Runtime, env: &Envelopes, len: usize, rounds: usize) -> Directions {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[3u8; 32]).expect("AES key"));
    let plaintext = payload(len);
    let mut raw_buf = plaintext.clone();
    let mut raw_out = vec![0u8; len];
    let nonce = || Nonce::assume_unique_for_key([7u8; 12]); // a benchmark: same nonce on purpose
    let raw_tag = key
        .seal_in_place_separate_tag(nonce(), Aad::from(CONTEXT), &mut raw_buf)
        .expect("seal");
    let raw_sealed = raw_buf.clone();
    let mut sealed = Vec::new();
    rt.block_on(env.encrypt_into(&plaintext, CONTEXT, &mut sealed))
        .expect("encrypt");
    let mut opened = zeroize::Zeroizing::new(Vec::new());
    let iters = ((16usize << 20) / len).clamp(4, 4000);
    // Seconds per call, per round: raw seal in place, raw seal out of place, encrypt_into,
    // raw open, decrypt_into.
    let mut secs: [Vec<f64>; 5] = Default::default();
    for round in 0..rounds.max(3) {
        let seal = rotated(
            round,
            &mut [
                // Raw seal in place over a warm buffer (as `raw_gcm_mbps`).
                &mut || {
                    per_call(iters, || {
                        let tag = key
                            .seal_in_place_separate_tag(nonce(), Aad::from(CONTEXT), &mut raw_buf)
                            .expect("seal");
                        black_box(&tag);
                    })
                },
                // Raw seal out of place, plaintext into a warm buffer.
                &mut || {
                    per_call(iters, || {
                        let mut tag = [0u8; 16];
                        key.seal_out_of_place_scatter(
                            nonce(),
                            Aad::from(CONTEXT),
                            &plaintext,
                            &mut raw_out,
                            &[],
                            &mut tag,
                        )
                        .expect("seal");
                        black_box(&tag);
                    })
                },
                &mut || {
                    per_call(iters, || {
                        rt.block_on(env.encrypt_into(&plaintext, CONTEXT, &mut sealed))
                            .expect("encrypt");
                        black_box(&sealed);
                    })
                },
            ],
        );
        let open = rotated(
            round,
            &mut [
                // Raw open: out of place from the sealed bytes into a warm buffer, as
                // `decrypt_into` opens each segment.
                &mut || {
                    per_call(iters, || {
                        key.open_separate_gather(
                            nonce(),
                            Aad::from(CONTEXT),
                            &raw_sealed,
                            raw_tag.as_ref(),
                            &mut raw_buf,
                        )
                        .expect("open");
                        black_box(&raw_buf);
                    })
                },
                &mut || {
                    per_call(iters, || {
                        rt.block_on(env.decrypt_into(&sealed, Some(CONTEXT), &mut opened))
                            .expect("decrypt");
                        black_box(&opened);
                    })
                },
            ],
        );
        for (v, t) in secs.iter_mut().zip(seal.into_iter().chain(open)) {
            v.push(t);
        }
    }
    let mbps = |v: &[f64]| len as f64 / median_min_max(v.to_vec()).0 / 1e6;
    // Per-round ratio of raw time `raw` to envelope time `env` (indices into `secs`).
    let direction = |raw: usize, env: usize| -> Interleaved {
        let ratios = secs[raw].iter().zip(&secs[env]).map(|(r, e)| r / e);
        (
            median_min_max(ratios.collect()),
            (mbps(&secs[env]), mbps(&secs[raw])),
        )
    };
    Directions {
        seal_in_place: direction(0, 2),
        seal_out_of_place: direction(1, 2),
        open: direction(3, 4),
    }
}

/// Runs each of `variants` once, starting with the one at `round` modulo their number and
/// going round; returns their results in the order given.
fn rotated(round: usize, variants: &mut [&mut dyn FnMut() -> f64]) -> Vec<f64> {
    let n = variants.len();
    let mut out = vec![0.0; n];
    for k in 0..n {
        let i = (round + k) % n;
        out[i] = variants[i]();
    }
    out
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Best MB/s and peak heap of `op` over `len` bytes, repeated until about `target` bytes.
fn measure(len: usize, reps: usize, mut op: impl FnMut()) -> (f64, usize) {
    let iters = ((8usize << 20) / len).clamp(1, 2000);
    let ((), stats) = counted(&mut op);
    let mut best = f64::MAX;
    for _ in 0..reps.max(1) {
        let start = CpuTimer::start();
        for _ in 0..iters {
            op();
        }
        best = best.min(start.elapsed().as_secs_f64() / iters as f64);
    }
    (len as f64 / best / 1e6, stats.peak_bytes)
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + 7) as u8).collect()
}

type Envelopes = EnvelopeClient<CryptographyClient>;

fn in_memory(rt: &Runtime, env: &Envelopes, len: usize, name: &str, reps: usize) -> EnvelopeRow {
    let plaintext = payload(len);
    let sealed = rt
        .block_on(env.encrypt(&plaintext, CONTEXT))
        .expect("encrypt");
    let (encrypt_mbps, encrypt_peak) = measure(len, reps, || {
        black_box(
            rt.block_on(env.encrypt(&plaintext, CONTEXT))
                .expect("encrypt"),
        );
    });
    let (decrypt_mbps, decrypt_peak) = measure(len, reps, || {
        let opened = rt
            .block_on(env.decrypt(&sealed, Some(CONTEXT)))
            .expect("decrypt");
        assert_eq!(opened.len(), len);
    });
    EnvelopeRow {
        name: name.to_owned(),
        encrypt_mbps,
        decrypt_mbps,
        encrypt_peak,
        decrypt_peak,
    }
}

/// `encrypt_into` with one warm output buffer, as the raw AES-GCM baseline seals in place
/// into a warm buffer: the like-for-like comparison. Decrypt is measured as in `in_memory`.
fn in_memory_reused(
    rt: &Runtime,
    env: &Envelopes,
    len: usize,
    name: &str,
    reps: usize,
) -> EnvelopeRow {
    let plaintext = payload(len);
    let mut out = Vec::new();
    rt.block_on(env.encrypt_into(&plaintext, CONTEXT, &mut out))
        .expect("encrypt");
    let sealed = out.clone();
    let (encrypt_mbps, encrypt_peak) = measure(len, reps, || {
        rt.block_on(env.encrypt_into(&plaintext, CONTEXT, &mut out))
            .expect("encrypt");
        black_box(&out);
    });
    let (decrypt_mbps, decrypt_peak) = measure(len, reps, || {
        let opened = rt
            .block_on(env.decrypt(&sealed, Some(CONTEXT)))
            .expect("decrypt");
        assert_eq!(opened.len(), len);
    });
    EnvelopeRow {
        name: name.to_owned(),
        encrypt_mbps,
        decrypt_mbps,
        encrypt_peak,
        decrypt_peak,
    }
}

/// 100 MiB through the `std::io` adapters: written in 64 KiB chunks into a buffer
/// allocated before counting starts, then read back in 64 KiB chunks. The peak counts only
/// what the envelope code allocates.
fn streamed(rt: &Runtime, env: &Envelopes, len: usize) -> EnvelopeRow {
    let chunk = payload(64 << 10);
    // Touch the pages now, so page faults are not charged to the encryption.
    let mut sink: Vec<u8> = vec![1u8; len + len / 100 + (64 << 10)]; // non-zero: calloc would not touch
    sink.clear();
    let (enc_secs, enc_stats) = {
        let sink = &mut sink;
        counted(|| {
            let start = CpuTimer::start();
            let encryptor = rt.block_on(env.encryptor(CONTEXT)).expect("encryptor");
            let mut w = encryptor.into_writer(sink);
            let mut left = len;
            while left > 0 {
                let n = left.min(chunk.len());
                w.write_all(&chunk[..n]).expect("write");
                left -= n;
            }
            w.finish().expect("finish");
            start.elapsed().as_secs_f64()
        })
    };
    let mut out = vec![0u8; 64 << 10];
    let (dec_secs, dec_stats) = counted(|| {
        let start = CpuTimer::start();
        let mut cursor = &sink[..];
        let header = EnvelopeHeader::read_from(&mut cursor).expect("header");
        let opener = rt
            .block_on(env.opener(&header, Some(CONTEXT), cursor.len() as u64))
            .expect("opener");
        let mut r = DecryptingReader::new(opener, cursor);
        let mut total = 0usize;
        loop {
            let n = r.read(&mut out).expect("read");
            if n == 0 {
                break;
            }
            total += n;
        }
        assert_eq!(total, len);
        start.elapsed().as_secs_f64()
    });
    EnvelopeRow {
        name: format!("{} MiB streamed (std::io)", len >> 20),
        encrypt_mbps: len as f64 / enc_secs / 1e6,
        decrypt_mbps: len as f64 / dec_secs / 1e6,
        encrypt_peak: enc_stats.peak_bytes,
        decrypt_peak: dec_stats.peak_bytes,
    }
}

/// The encrypt cache of the cached rows: one data key per 2^20 messages, 1 GiB or 60 s.
fn bench_encrypt_cache() -> EncryptCacheOptions {
    EncryptCacheOptions {
        max_age: std::time::Duration::from_secs(60),
        max_messages: 1 << 20,
        max_bytes: 1 << 30,
        max_entries: 16,
    }
}

/// One pass of each side of the 1 MiB ratios, for an instruction-counting profiler rather
/// than a clock: `KV_BENCH_ONLY=envelope-profile valgrind --tool=callgrind <bench binary>`,
/// then `callgrind_annotate --inclusive=yes` shows each `profile_*` function's instructions
/// per `iters` calls: the envelope's overhead over raw AES-256-GCM, steady under the load of
/// other processes (a wall or CPU clock is not). The envelope uses the A256KW key of the
/// reported ratios.
pub fn profile(iters: usize) {
    let mut oct = kv_crypto_local::generate_oct(256).expect("AES keygen");
    oct.kid = Some(
        "https://bench.vault.azure.net/keys/envelope-aes/0123456789abcdef0123456789abcdef"
            .to_owned(),
    );
    let env = EnvelopeClient::new(CryptographyClient::from_jwk(oct).expect("client"), None)
        .expect("envelope client");
    let rt = rt();
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[3u8; 32]).expect("AES key"));
    let plaintext = payload(1 << 20);
    let mut raw_buf = plaintext.clone();
    let raw_tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key([7u8; 12]),
            Aad::from(CONTEXT),
            &mut raw_buf,
        )
        .expect("seal");
    let raw_sealed = raw_buf.clone();
    let mut sealed = Vec::new();
    let mut opened = zeroize::Zeroizing::new(Vec::new());
    // Warm: buffers sized and touched, lazily built state (key ids, providers) made.
    rt.block_on(env.encrypt_into(&plaintext, CONTEXT, &mut sealed))
        .expect("encrypt");
    rt.block_on(env.decrypt_into(&sealed, Some(CONTEXT), &mut opened))
        .expect("decrypt");
    #[inline(never)]
    fn profile_raw_seal(key: &LessSafeKey, buf: &mut [u8], iters: usize) {
        for _ in 0..iters {
            let tag = key
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key([7u8; 12]),
                    Aad::from(CONTEXT),
                    buf,
                )
                .expect("seal");
            black_box(&tag);
        }
    }
    #[inline(never)]
    fn profile_raw_open(key: &LessSafeKey, sealed: &[u8], tag: &[u8], out: &mut [u8], n: usize) {
        for _ in 0..n {
            key.open_separate_gather(
                Nonce::assume_unique_for_key([7u8; 12]),
                Aad::from(CONTEXT),
                sealed,
                tag,
                out,
            )
            .expect("open");
            black_box(&out);
        }
    }
    #[inline(never)]
    fn profile_encrypt_into(rt: &Runtime, env: &Envelopes, p: &[u8], out: &mut Vec<u8>, n: usize) {
        for _ in 0..n {
            rt.block_on(env.encrypt_into(p, CONTEXT, out))
                .expect("encrypt");
            black_box(&out);
        }
    }
    #[inline(never)]
    fn profile_decrypt_into(
        rt: &Runtime,
        env: &Envelopes,
        sealed: &[u8],
        out: &mut zeroize::Zeroizing<Vec<u8>>,
        n: usize,
    ) {
        for _ in 0..n {
            rt.block_on(env.decrypt_into(sealed, Some(CONTEXT), out))
                .expect("decrypt");
            black_box(&out);
        }
    }
    profile_raw_seal(&key, &mut raw_buf, iters);
    profile_encrypt_into(&rt, &env, &plaintext, &mut sealed, iters);
    profile_raw_open(&key, &raw_sealed, raw_tag.as_ref(), &mut raw_buf, iters);
    profile_decrypt_into(&rt, &env, &sealed, &mut opened, iters);
}

/// Runs the envelope section. The data key is wrapped with RSA-OAEP-256 by a local-only
/// client holding the RSA private key, so unwrap is a local RSA decrypt (about 1 ms);
/// against a vault it is one request instead.
pub fn run(budget: &Budget, progress: &dyn Fn(&str)) -> EnvelopeReport {
    progress("raw AES-256-GCM baseline");
    let raw = raw_gcm_mbps(1 << 20, budget.envelope_reps);
    let raw_oop = raw_gcm_out_of_place_mbps(1 << 20, budget.envelope_reps);
    progress(&format!(
        "raw AES-256-GCM 1 MiB: in place {raw:.0} MB/s, out of place {raw_oop:.0} MB/s (informational)"
    ));
    progress("envelope encryption (4 KiB, 1 MiB in memory; 100 MiB streamed)");
    let mut rsa = kv_crypto_local::generate_rsa(2048, None).expect("RSA keygen");
    rsa.kid = Some(
        "https://bench.vault.azure.net/keys/envelope/0123456789abcdef0123456789abcdef".to_owned(),
    );
    let key = CryptographyClient::from_jwk(rsa).expect("client");
    let env = EnvelopeClient::new(key.clone(), None).expect("envelope client");
    let cached = EnvelopeClient::new(
        key,
        Some(EnvelopeOptions {
            data_key_cache: Some(DataKeyCacheOptions::default()),
            ..Default::default()
        }),
    )
    .expect("envelope client");
    let encrypt_cache = EnvelopeOptions {
        encrypt_cache: Some(bench_encrypt_cache()),
        ..Default::default()
    };
    let encrypt_cached = EnvelopeClient::new(env.wrapper().clone(), Some(encrypt_cache.clone()))
        .expect("envelope client");
    let rt = rt();
    let mut rows = vec![
        in_memory(&rt, &env, 4 << 10, "4 KiB", budget.envelope_reps),
        in_memory(
            &rt,
            &cached,
            4 << 10,
            "4 KiB, data-key cache",
            budget.envelope_reps,
        ),
        in_memory(
            &rt,
            &encrypt_cached,
            4 << 10,
            "4 KiB, encrypt cache",
            budget.envelope_reps,
        ),
        in_memory(&rt, &env, 1 << 20, "1 MiB", budget.envelope_reps),
        in_memory_reused(
            &rt,
            &env,
            1 << 20,
            "1 MiB, encrypt_into reused buffer",
            budget.envelope_reps,
        ),
    ];
    // Issue 18's targets, with a local AES-256 key-encryption key (A256KW, the default for
    // an oct key): the envelope's own cost, without a 2048-bit RSA private-key operation
    // per decrypt, which the RSA rows above pay (and a vault key pays as one request).
    progress("envelope vs raw AES-256-GCM, interleaved rounds (A256KW key)");
    let mut oct = kv_crypto_local::generate_oct(256).expect("AES keygen");
    oct.kid = Some(
        "https://bench.vault.azure.net/keys/envelope-aes/0123456789abcdef0123456789abcdef"
            .to_owned(),
    );
    let aes_key = CryptographyClient::from_jwk(oct).expect("client");
    let aes_env = EnvelopeClient::new(aes_key.clone(), None).expect("envelope client");
    let aes_cached = EnvelopeClient::new(aes_key, Some(encrypt_cache)).expect("envelope client");
    // The report's rounds (41 in a long run): each costs little here (16 MiB per side at
    // 1 MiB), and more rounds steady the median against bursts of load from elsewhere.
    let rounds = budget.rounds;
    let mut ratios = Vec::new();
    let row = |name: String, ((m, lo, hi), (env, raw)): Interleaved| (name, m, lo, hi, env, raw);
    for (len, label) in [(1usize << 20, "1 MiB"), (4 << 10, "4 KiB")] {
        let d = interleaved(&rt, &aes_env, len, rounds);
        ratios.push(row(
            format!("{label} encrypt_into / raw seal"),
            d.seal_in_place,
        ));
        ratios.push(row(
            format!("{label} encrypt_into / raw seal out of place"),
            d.seal_out_of_place,
        ));
        ratios.push(row(format!("{label} decrypt_into / raw open"), d.open));
    }
    let d = interleaved(&rt, &aes_cached, 4 << 10, rounds);
    ratios.push(row(
        "4 KiB encrypt_into, encrypt cache / raw seal".to_owned(),
        d.seal_in_place,
    ));
    progress("envelope 100 MiB streamed");
    rows.push(streamed(&rt, &env, 100 << 20));
    let peak = rows[5].encrypt_peak.max(rows[5].decrypt_peak);
    EnvelopeReport {
        envelope: Ok(rows),
        raw_gcm_1mib_mbps: raw,
        streamed_100mib_peak: Some(peak),
        peak_rss: peak_rss(),
        ratios,
    }
}
