//! Local cryptography side by side: the `CryptographyClient` façade, `LocalKey` and the raw
//! aws-lc-rs call, interleaved in one run; then concurrent verifies from many tasks.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{self, Digest};
use aws_lc_rs::key_wrap::{AES_256, KeyEncryptionKey, KeyWrap};
use aws_lc_rs::rsa::{
    OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey, PublicKeyComponents,
};
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters};
use kv_client::CryptographyClient;
use kv_crypto_local::{EncryptParameters, LocalKey};
use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyCurveName, KeyWrapAlgorithm, SignatureAlgorithm};
use sha2::Digest as _;

use super::alloc::counted;
use super::measure::{Budget, CpuTimer, interleaved, process_cpu_time};

/// One row: the same operation three ways.
#[derive(Clone, Debug)]
pub struct SideBySide {
    /// Operation and key.
    pub name: &'static str,
    /// ns per op through `CryptographyClient` (local route).
    pub facade_ns: f64,
    /// ns per op through `LocalKey`.
    pub local_key_ns: f64,
    /// ns per op of the raw aws-lc-rs call.
    pub raw_ns: f64,
    /// Façade time over `LocalKey` time: the median of the per-round ratios.
    pub facade_per_local_key: f64,
    /// `LocalKey` time over raw time: the median of the per-round ratios.
    pub local_key_per_raw: f64,
    /// Heap allocations per op: façade, `LocalKey`, raw.
    pub allocs: [f64; 3],
}

/// Concurrent verifies: throughput with 1 worker thread and with one per core.
#[derive(Clone, Debug)]
pub struct Scaling {
    /// Worker threads of the second run.
    pub cores: usize,
    /// Tasks verifying at once.
    pub tasks: usize,
    /// (verifies/s, CPU ns per verify) through the façade with 1 worker and with `cores`.
    pub facade: [(f64, f64); 2],
    /// The same through one shared `LocalKey`.
    pub local_key: [(f64, f64); 2],
}

/// What the local section measured.
#[derive(Clone, Debug)]
pub struct LocalReport {
    /// The side-by-side rows.
    pub rows: Vec<SideBySide>,
    /// The concurrent-verify runs.
    pub scaling: Scaling,
}

type Timed<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn secret(jwk: &JsonWebKey) -> Vec<u8> {
    jwk.k.as_ref().expect("oct key").expose_secret().to_vec()
}

/// Allocations per call of `op`, on this thread.
fn allocs_per_op(mut op: impl FnMut(u64)) -> f64 {
    const N: u64 = 200;
    op(1); // first use may initialise lazily parsed keys
    let ((), stats) = counted(|| op(N));
    stats.allocs as f64 / N as f64
}

/// Measures one row from three "run n times" closures.
fn row(
    name: &'static str,
    budget: &Budget,
    mut facade: Timed<'_>,
    mut local_key: Timed<'_>,
    mut raw: Timed<'_>,
) -> SideBySide {
    let allocs = [
        allocs_per_op(|n| {
            facade(n);
        }),
        allocs_per_op(|n| {
            local_key(n);
        }),
        allocs_per_op(|n| {
            raw(n);
        }),
    ];
    let t = interleaved(budget, &mut [&mut *facade, &mut *local_key, &mut *raw]);
    SideBySide {
        name,
        facade_ns: t.median_ns(0),
        local_key_ns: t.median_ns(1),
        raw_ns: t.median_ns(2),
        facade_per_local_key: t.ratio(0, 1),
        local_key_per_raw: t.ratio(1, 2),
        allocs,
    }
}

fn timed(mut f: impl FnMut()) -> impl FnMut(u64) -> Duration {
    move |n| {
        let start = CpuTimer::start();
        for _ in 0..n {
            f();
        }
        start.elapsed()
    }
}

/// A verify row for `alg` with `private` (signing) and its raw aws-lc-rs verifier.
fn verify_row(
    name: &'static str,
    budget: &Budget,
    private: &JsonWebKey,
    alg: SignatureAlgorithm,
    raw_key: ParsedPublicKey,
    hash: &'static digest::Algorithm,
) -> SideBySide {
    let public = private.to_public();
    let digest_bytes = sha2::Sha256::digest(b"the performance report").to_vec();
    let signature = LocalKey::new(private)
        .expect("private key")
        .sign(&alg, &digest_bytes)
        .expect("sign");
    let client = CryptographyClient::from_jwk(public.clone()).expect("client");
    let local = LocalKey::new(&public).expect("public key");
    let rt = rt();
    let facade: Timed<'_> = Box::new(|n| {
        rt.block_on(async {
            let start = CpuTimer::start();
            for _ in 0..n {
                let r = client.verify(alg.clone(), &digest_bytes, &signature).await;
                assert!(black_box(r).expect("verify").is_valid);
            }
            start.elapsed()
        })
    });
    let local_key: Timed<'_> = Box::new(timed(|| {
        assert!(black_box(local.verify(&alg, &digest_bytes, &signature)).expect("verify"));
    }));
    let raw: Timed<'_> = Box::new(timed(|| {
        let d = Digest::import_less_safe(&digest_bytes, hash).expect("digest");
        black_box(raw_key.verify_digest_sig(&d, &signature)).expect("valid");
    }));
    row(name, budget, facade, local_key, raw)
}

/// ML-DSA-65 verify of a message (pure ML-DSA, empty context): façade, `LocalKey` and the
/// raw aws-lc-rs `ParsedPublicKey::verify_sig`.
fn ml_dsa_verify_row(budget: &Budget, private: &JsonWebKey) -> SideBySide {
    let alg = SignatureAlgorithm::MlDsa65;
    let public = private.to_public();
    let message = b"the performance report".to_vec();
    let signature = LocalKey::new(private)
        .expect("private key")
        .sign(&alg, &message)
        .expect("sign");
    let raw_key = ParsedPublicKey::new(
        &signature::ML_DSA_65,
        public.pub_key.as_deref().expect("pub"),
    )
    .expect("ML-DSA public key");
    let client = CryptographyClient::from_jwk(public.clone()).expect("client");
    let local = LocalKey::new(&public).expect("public key");
    let rt = rt();
    let facade: Timed<'_> = Box::new(|n| {
        rt.block_on(async {
            let start = CpuTimer::start();
            for _ in 0..n {
                let r = client.verify(alg.clone(), &message, &signature).await;
                assert!(black_box(r).expect("verify").is_valid);
            }
            start.elapsed()
        })
    });
    let local_key: Timed<'_> = Box::new(timed(|| {
        assert!(black_box(local.verify(&alg, &message, &signature)).expect("verify"));
    }));
    let raw: Timed<'_> = Box::new(timed(|| {
        black_box(raw_key.verify_sig(&message, &signature)).expect("valid");
    }));
    row("verify ML-DSA-65", budget, facade, local_key, raw)
}

fn rsa_parsed(jwk: &JsonWebKey, params: &'static RsaParameters) -> ParsedPublicKey {
    PublicKeyComponents {
        n: jwk.n.as_deref().expect("n"),
        e: jwk.e.as_deref().expect("e"),
    }
    .to_parsed_public_key(params)
    .expect("RSA public key")
}

fn ec_parsed(jwk: &JsonWebKey) -> ParsedPublicKey {
    let mut sec1 = vec![4u8];
    for c in [&jwk.x, &jwk.y] {
        let c = c.as_deref().expect("coordinate");
        sec1.extend(std::iter::repeat_n(0, 32 - c.len()));
        sec1.extend_from_slice(c);
    }
    ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, sec1).expect("EC public key")
}

fn oaep_row(budget: &Budget, rsa: &JsonWebKey) -> SideBySide {
    let public = rsa.to_public();
    let alg = EncryptionAlgorithm::RsaOaep256;
    let data_key = [7u8; 32];
    let client = CryptographyClient::from_jwk(public.clone()).expect("client");
    let local = LocalKey::new(&public).expect("public key");
    let components = PublicKeyComponents {
        n: public.n.as_deref().expect("n"),
        e: public.e.as_deref().expect("e"),
    };
    let encrypting: PublicEncryptingKey = components.try_into().expect("RSA key");
    let raw_key = OaepPublicEncryptingKey::new(encrypting).expect("OAEP key");
    let mut out = vec![0u8; raw_key.ciphertext_size()];
    let rt = rt();
    let facade: Timed<'_> = Box::new(|n| {
        rt.block_on(async {
            let start = CpuTimer::start();
            for _ in 0..n {
                black_box(client.encrypt(alg.clone(), &data_key, None).await).expect("encrypt");
            }
            start.elapsed()
        })
    });
    let params = EncryptParameters::default();
    let local_key: Timed<'_> = Box::new(timed(|| {
        black_box(local.encrypt(&alg, &data_key, &params)).expect("encrypt");
    }));
    let raw: Timed<'_> = Box::new(timed(|| {
        black_box(raw_key.encrypt(&OAEP_SHA256_MGF1SHA256, &data_key, &mut out, None))
            .expect("encrypt");
    }));
    row(
        "RSA-OAEP-256 encrypt (2048, 32 B)",
        budget,
        facade,
        local_key,
        raw,
    )
}

fn wrap_row(budget: &Budget, oct: &JsonWebKey) -> SideBySide {
    let alg = KeyWrapAlgorithm::A256Kw;
    let data_key = [9u8; 32];
    let kek = secret(oct);
    let client = CryptographyClient::from_jwk(oct.clone_secret()).expect("client");
    let local = LocalKey::new(oct).expect("oct key");
    let mut out = [0u8; 40];
    let rt = rt();
    let facade: Timed<'_> = Box::new(|n| {
        rt.block_on(async {
            let start = CpuTimer::start();
            for _ in 0..n {
                black_box(client.wrap_key(alg.clone(), &data_key).await).expect("wrap");
            }
            start.elapsed()
        })
    });
    let local_key: Timed<'_> = Box::new(timed(|| {
        black_box(local.wrap_key(&alg, &data_key)).expect("wrap");
    }));
    // aws-lc-rs consumes the KEK per wrap, so building it is part of the raw call.
    let raw: Timed<'_> = Box::new(timed(|| {
        let k = KeyEncryptionKey::new(&AES_256, &kek).expect("KEK");
        black_box(k.wrap(&data_key, &mut out)).expect("wrap");
    }));
    row("A256KW wrap (32 B key)", budget, facade, local_key, raw)
}

/// Runs `tasks` tasks verifying ES256 through `verify` on `workers` threads for `run`:
/// verifies per second (wall clock) and process CPU time per verify.
fn verifies_per_sec<F, Fut>(workers: usize, tasks: usize, run: Duration, verify: F) -> (f64, f64)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("runtime");
    let verify = Arc::new(verify);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    rt.block_on(async {
        let mut handles = Vec::with_capacity(tasks);
        let start = Instant::now();
        let cpu = process_cpu_time();
        for _ in 0..tasks {
            let (verify, stop, done) = (verify.clone(), stop.clone(), done.clone());
            handles.push(tokio::spawn(async move {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    assert!(verify().await);
                    n += 1;
                    if n.is_multiple_of(16) {
                        tokio::task::yield_now().await;
                    }
                }
                done.fetch_add(n, Ordering::Relaxed);
            }));
        }
        tokio::time::sleep(run).await;
        stop.store(true, Ordering::Relaxed);
        for h in handles {
            h.await.expect("task");
        }
        let n = done.load(Ordering::Relaxed) as f64;
        let cpu_ns = process_cpu_time().saturating_sub(cpu).as_nanos() as f64;
        (n / start.elapsed().as_secs_f64(), cpu_ns / n.max(1.0))
    })
}

fn scaling(budget: &Budget, ec: &JsonWebKey) -> Scaling {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let tasks = 64;
    let public = ec.to_public();
    let digest_bytes = sha2::Sha256::digest(b"concurrent").to_vec();
    let alg = SignatureAlgorithm::Es256;
    let sig = LocalKey::new(ec)
        .expect("key")
        .sign(&alg, &digest_bytes)
        .expect("sign");
    let client = CryptographyClient::from_jwk(public.clone()).expect("client");
    let local = Arc::new(LocalKey::new(&public).expect("key"));
    let shared = Arc::new((digest_bytes, sig));
    let mut facade = [(0.0, 0.0); 2];
    let mut local_key = [(0.0, 0.0); 2];
    for (i, workers) in [1, cores].into_iter().enumerate() {
        let (c, s) = (client.clone(), shared.clone());
        facade[i] = verifies_per_sec(workers, tasks, budget.scaling_run, move || {
            let (c, s) = (c.clone(), s.clone());
            async move {
                c.verify(SignatureAlgorithm::Es256, &s.0, &s.1)
                    .await
                    .is_ok_and(|r| r.is_valid)
            }
        });
        let (l, s) = (local.clone(), shared.clone());
        local_key[i] = verifies_per_sec(workers, tasks, budget.scaling_run, move || {
            let (l, s) = (l.clone(), s.clone());
            async move {
                l.verify(&SignatureAlgorithm::Es256, &s.0, &s.1)
                    .unwrap_or(false)
            }
        });
    }
    Scaling {
        cores,
        tasks,
        facade,
        local_key,
    }
}

/// Runs the local section.
pub fn run(budget: &Budget, progress: &dyn Fn(&str)) -> LocalReport {
    progress("generating local keys (RSA 2048, P-256, AES-256)");
    // Keys from a vault always carry their id, and results name it: give these one too.
    let with_kid = |mut jwk: JsonWebKey, name: &str| {
        jwk.kid = Some(format!(
            "https://bench.vault.azure.net/keys/{name}/0123456789abcdef0123456789abcdef"
        ));
        jwk
    };
    let rsa = with_kid(
        kv_crypto_local::generate_rsa(2048, None).expect("RSA keygen"),
        "rsa",
    );
    let ec = with_kid(
        kv_crypto_local::generate_ec(&KeyCurveName::P256).expect("EC keygen"),
        "ec",
    );
    let oct = with_kid(
        kv_crypto_local::generate_oct(256).expect("AES keygen"),
        "oct",
    );
    let mut rows = Vec::new();
    progress("local verify RS256");
    rows.push(verify_row(
        "verify RS256 (RSA 2048)",
        budget,
        &rsa,
        SignatureAlgorithm::Rs256,
        rsa_parsed(&rsa, &signature::RSA_PKCS1_2048_8192_SHA256),
        &digest::SHA256,
    ));
    progress("local verify PS256");
    rows.push(verify_row(
        "verify PS256 (RSA 2048)",
        budget,
        &rsa,
        SignatureAlgorithm::Ps256,
        rsa_parsed(&rsa, &signature::RSA_PSS_2048_8192_SHA256),
        &digest::SHA256,
    ));
    progress("local verify ES256");
    rows.push(verify_row(
        "verify ES256 (P-256)",
        budget,
        &ec,
        SignatureAlgorithm::Es256,
        ec_parsed(&ec),
        &digest::SHA256,
    ));
    progress("local verify ML-DSA-65");
    let ml_dsa = with_kid(
        kv_crypto_local::generate_ml_dsa(&SignatureAlgorithm::MlDsa65).expect("ML-DSA keygen"),
        "mldsa",
    );
    rows.push(ml_dsa_verify_row(budget, &ml_dsa));
    progress("local RSA-OAEP-256 encrypt");
    rows.push(oaep_row(budget, &rsa));
    progress("local A256KW wrap");
    rows.push(wrap_row(budget, &oct));
    progress("concurrent local verifies");
    let scaling = scaling(budget, &ec);
    LocalReport { rows, scaling }
}
