//! Remote sign and decrypt against the emulator on loopback, through our
//! `CryptographyClient` (remote-only) and through the official `azure_security_keyvault_keys`
//! crate, at concurrency 1 and 64, interleaved in one run.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use azure_core::credentials::{
    AccessToken, TokenCredential as AzTokenCredential, TokenRequestOptions,
};
use azure_core::http::{ClientOptions as AzClientOptions, Transport};
use azure_security_keyvault_keys::models::{
    EncryptionAlgorithm as AzEncryptionAlgorithm, KeyClientSignOptions, KeyOperationParameters,
    SignParameters, SignatureAlgorithm as AzSignatureAlgorithm,
};
use kv_client::{
    CreateKeyOptions, CryptographyClient, CryptographyClientOptions, KeyClient, KeyClientOptions,
    RoutingMode, StaticTokenCredential,
};
use kv_core::ClientOptions;
use kv_crypto_local::{EncryptParameters, LocalKey};
use kv_jwk::{EncryptionAlgorithm, KeyCurveName, SignatureAlgorithm};

use super::measure::{Budget, LoadStats, Slice, median, process_cpu_time};

/// The official SDK needs a credential; the emulator accepts any bearer token.
#[derive(Debug)]
struct FakeAzureCredential;

#[async_trait::async_trait]
impl AzTokenCredential for FakeAzureCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(
            "emulator-token",
            azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1),
        ))
    }
}

/// One workload through both clients at one concurrency.
#[derive(Clone, Debug)]
pub struct RemoteRow {
    /// Operation and algorithm.
    pub op: &'static str,
    /// Tasks issuing requests at once.
    pub concurrency: usize,
    /// Through our client.
    pub ours: LoadStats,
    /// Through `azure_security_keyvault_keys` (or, where `official_reference` is false, the
    /// reference operation through our client).
    pub official: LoadStats,
    /// Whether the reference column is the official crate (false for ML-DSA, which it
    /// cannot send: there the reference is our own ES256 sign).
    pub official_reference: bool,
    /// Throughput ratio ours/official of each pair of back-to-back slices.
    pub pair_ratios: Vec<f64>,
}

impl RemoteRow {
    /// The median of the per-pair throughput ratios: a burst of outside load skews one
    /// pair, not the verdict.
    pub fn median_ratio(&self) -> f64 {
        median(self.pair_ratios.clone())
    }
}

type Op = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// Runs `op` from `concurrency` tasks: a warm-up, then `run`. Throughput counts the
/// operations that complete inside the window (unbiased in steady state); latencies are
/// those operations' own.
async fn load(op: Op, concurrency: usize, warmup: Duration, run: Duration) -> Slice {
    let stop = Arc::new(AtomicBool::new(false));
    let from = Instant::now() + warmup;
    let until = from + run;
    let mut handles = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (op, stop) = (op.clone(), stop.clone());
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = op().await;
                let end = Instant::now();
                if end >= from && end <= until {
                    if ok {
                        latencies.push(end - t);
                    } else {
                        errors += 1;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    // Process CPU time over the window: the server's share is the same for both clients
    // (same requests, same emulator), so the difference per operation is the clients'.
    tokio::time::sleep_until(from.into()).await;
    let cpu_from = process_cpu_time();
    tokio::time::sleep_until(until.into()).await;
    let cpu = process_cpu_time().saturating_sub(cpu_from);
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (l, e) = h.await.expect("load task");
        all.extend(l);
        errors += e;
    }
    Slice {
        latencies: all,
        errors,
        cpu,
    }
}

/// Runs both clients in alternating slices (ours, theirs, ours, ...) so that load from
/// elsewhere on the machine meets both alike; each slice has its own short warm-up.
async fn alternating(
    ours: &Op,
    theirs: &Op,
    concurrency: usize,
    budget: &Budget,
) -> (LoadStats, LoadStats, Vec<f64>) {
    let slices = budget.remote_slices;
    let slice = budget.remote_run / slices;
    let warmup = budget.remote_warmup / 2;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut ratios = Vec::new();
    for i in 0..slices {
        // Alternate who goes first, too.
        let order = if i % 2 == 0 {
            [(ours, 0), (theirs, 1)]
        } else {
            [(theirs, 1), (ours, 0)]
        };
        for (op, who) in order {
            let r = load(op.clone(), concurrency, warmup, slice).await;
            if who == 0 { a.push(r) } else { b.push(r) }
        }
        if let (Some(x), Some(y)) = (a.last(), b.last())
            && !y.latencies.is_empty()
        {
            ratios.push(x.latencies.len() as f64 / y.latencies.len() as f64);
        }
    }
    (
        LoadStats::merge(a, slice),
        LoadStats::merge(b, slice),
        ratios,
    )
}

/// Runs the remote section on the current runtime.
pub async fn run(budget: &Budget, progress: &dyn Fn(&str)) -> Vec<RemoteRow> {
    progress("starting the emulator");
    let dir = tempfile::tempdir().expect("temp dir");
    let emulator = kv_emulator::Emulator::builder()
        .listen("127.0.0.1:0".parse().expect("address"))
        .data_dir(dir.path())
        .start()
        .await
        .expect("emulator starts");
    let url = emulator.url().to_owned();
    let ca = emulator.ca_pem().to_owned();

    let client_options = ClientOptions {
        verify_challenge_resource: false,
        extra_ca_certificates_pem: vec![ca.as_bytes().to_vec()],
        ..Default::default()
    };
    let credential = Arc::new(StaticTokenCredential::new("emulator-token"));
    let keys = KeyClient::new(
        &url,
        credential.clone(),
        Some(KeyClientOptions {
            client_options: client_options.clone(),
        }),
    )
    .expect("key client");
    progress("creating the benchmark keys (P-256, RSA 2048)");
    let ec = keys
        .create_ec_key(
            "bench-ec",
            Some(CreateKeyOptions {
                curve: Some(KeyCurveName::P256),
                ..Default::default()
            }),
        )
        .await
        .expect("EC key");
    let rsa = keys
        .create_rsa_key(
            "bench-rsa",
            Some(CreateKeyOptions {
                key_size: Some(2048),
                ..Default::default()
            }),
        )
        .await
        .expect("RSA key");
    let ec_version = ec.properties.version().expect("version").to_owned();
    let rsa_version = rsa.properties.version().expect("version").to_owned();
    let ciphertext = LocalKey::new(&rsa.key)
        .expect("RSA public key")
        .encrypt(
            &EncryptionAlgorithm::RsaOaep256,
            &[42u8; 32],
            &EncryptParameters::default(),
        )
        .expect("encrypt")
        .ciphertext;
    let digest = vec![0x5au8; 32];

    let remote_only = || CryptographyClientOptions {
        client_options: client_options.clone(),
        mode: RoutingMode::RemoteOnly,
        ..Default::default()
    };
    let ours_ec = CryptographyClient::new(
        &ec.properties.id.to_string(),
        credential.clone(),
        Some(remote_only()),
    )
    .expect("crypto client");
    let ours_rsa = CryptographyClient::new(
        &rsa.properties.id.to_string(),
        credential.clone(),
        Some(remote_only()),
    )
    .expect("crypto client");

    let mut http = reqwest::Client::builder();
    for cert in reqwest::Certificate::from_pem_bundle(ca.as_bytes()).expect("CA PEM") {
        http = http.add_root_certificate(cert);
    }
    let official = Arc::new(
        azure_security_keyvault_keys::KeyClient::new(
            &url,
            Arc::new(FakeAzureCredential),
            Some(azure_security_keyvault_keys::KeyClientOptions {
                client_options: AzClientOptions {
                    transport: Some(Transport::new(Arc::new(http.build().expect("reqwest")))),
                    ..Default::default()
                },
                verify_challenge_resource: Some(false),
                ..Default::default()
            }),
        )
        .expect("official KeyClient"),
    );

    let ours_sign: Op = {
        let (c, d) = (ours_ec.clone(), digest.clone());
        Arc::new(move || {
            let (c, d) = (c.clone(), d.clone());
            Box::pin(async move { c.sign(SignatureAlgorithm::Es256, &d).await.is_ok() })
        })
    };
    let official_sign: Op = {
        let (c, d, v) = (official.clone(), digest.clone(), ec_version.clone());
        Arc::new(move || {
            let (c, d, v) = (c.clone(), d.clone(), v.clone());
            Box::pin(async move {
                let Ok(body) = SignParameters {
                    algorithm: Some(AzSignatureAlgorithm::Es256),
                    value: Some(d),
                }
                .try_into() else {
                    return false;
                };
                let options = KeyClientSignOptions {
                    key_version: Some(v),
                    ..Default::default()
                };
                match c.sign("bench-ec", body, Some(options)).await {
                    Ok(r) => r.into_model().is_ok_and(|m| m.result.is_some()),
                    Err(_) => false,
                }
            })
        })
    };
    let ours_decrypt: Op = {
        let (c, ct) = (ours_rsa.clone(), ciphertext.clone());
        Arc::new(move || {
            let (c, ct) = (c.clone(), ct.clone());
            Box::pin(async move {
                c.decrypt(EncryptionAlgorithm::RsaOaep256, &ct, None)
                    .await
                    .is_ok_and(|r| r.plaintext.len() == 32)
            })
        })
    };
    let official_decrypt: Op = {
        let (c, ct, v) = (official.clone(), ciphertext.clone(), rsa_version.clone());
        Arc::new(move || {
            let (c, ct, v) = (c.clone(), ct.clone(), v.clone());
            Box::pin(async move {
                let Ok(body) = KeyOperationParameters {
                    algorithm: Some(AzEncryptionAlgorithm::RsaOaep256),
                    value: Some(ct),
                    ..Default::default()
                }
                .try_into() else {
                    return false;
                };
                match c.decrypt("bench-rsa", &v, body, None).await {
                    Ok(r) => r
                        .into_model()
                        .is_ok_and(|m| m.result.is_some_and(|p| p.len() == 32)),
                    Err(_) => false,
                }
            })
        })
    };

    // ML-DSA-65: the official crate (api-version 2025-07-01) has no ML-DSA, so the
    // reference of this row is our own ES256 remote sign in the same run.
    progress("creating the ML-DSA-65 key (api-version 2026-05-01-preview)");
    let preview = ClientOptions {
        api_version: kv_protocol::ApiVersion::V2026_05_01Preview,
        ..client_options.clone()
    };
    let ml_dsa = KeyClient::new(
        &url,
        credential.clone(),
        Some(KeyClientOptions {
            client_options: preview.clone(),
        }),
    )
    .expect("key client")
    .create_ml_dsa_key("bench-mldsa", SignatureAlgorithm::MlDsa65, None)
    .await
    .expect("ML-DSA key");
    let ours_ml_dsa = CryptographyClient::new(
        &ml_dsa.properties.id.to_string(),
        credential.clone(),
        Some(CryptographyClientOptions {
            client_options: preview,
            mode: RoutingMode::RemoteOnly,
            ..Default::default()
        }),
    )
    .expect("crypto client");
    let ours_ml_dsa_sign: Op = {
        let (c, d) = (ours_ml_dsa.clone(), digest.clone());
        Arc::new(move || {
            let (c, d) = (c.clone(), d.clone());
            Box::pin(async move {
                c.sign(SignatureAlgorithm::MlDsa65, &d)
                    .await
                    .is_ok_and(|r| r.signature.len() == 3309)
            })
        })
    };

    let mut rows = Vec::new();
    for (name, ours, theirs, official_reference) in [
        ("sign ES256 (P-256)", ours_sign.clone(), official_sign, true),
        (
            "sign ML-DSA-65 (ref: our ES256)",
            ours_ml_dsa_sign,
            ours_sign,
            false,
        ),
        (
            "decrypt RSA-OAEP-256 (RSA 2048)",
            ours_decrypt,
            official_decrypt,
            true,
        ),
    ] {
        for concurrency in [1, 64] {
            progress(&format!("remote {name} at concurrency {concurrency}"));
            let (a, b, pair_ratios) = alternating(&ours, &theirs, concurrency, budget).await;
            rows.push(RemoteRow {
                op: name,
                concurrency,
                ours: a,
                official: b,
                official_reference,
                pair_ratios,
            });
        }
    }
    emulator.shutdown().await;
    rows
}
