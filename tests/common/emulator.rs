//! The in-process emulator of the root crate's end-to-end tests: a Managed HSM on
//! 127.0.0.1:0 with its data in a temporary directory, and clients that trust its CA the way
//! a user would (`extra_ca_certificates_pem`). Each test file adds its own builder settings
//! (`start_with`) and, in its own `impl Hsm` block, the clients it needs. Also the
//! attestation tokens of secure key release and unique names.
#![allow(dead_code)]

use std::sync::Arc;

use base64ct::{Base64UrlUnpadded, Encoding};
use keyvault::pipeline::{ApiVersion, ClientOptions, StaticTokenCredential};
use keyvault::{KeyClient, KeyClientOptions};
use kv_emulator::{Emulator, EmulatorBuilder, EmulatorHandle};
use serde_json::{Value, json};

/// The emulator answering as a Managed HSM, and the directory it keeps its data in.
pub struct Hsm {
    pub emulator: EmulatorHandle,
    _dir: tempfile::TempDir,
}

impl Hsm {
    /// Starts the emulator with `configure`'s builder settings besides the address, the
    /// data directory and the Managed HSM personality.
    pub async fn start_with(configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let builder = Emulator::builder()
            .listen("127.0.0.1:0".parse().expect("address"))
            .data_dir(dir.path())
            .kind(kv_emulator::vaults::VaultKind::ManagedHsm);
        let emulator = configure(builder).start().await.expect("emulator starts");
        Self {
            emulator,
            _dir: dir,
        }
    }

    /// Pipeline options at `api_version` that trust the emulator's CA (its challenge names
    /// the public cloud's resource, so that check is off).
    pub fn options(&self, api_version: ApiVersion) -> ClientOptions {
        ClientOptions {
            extra_ca_certificates_pem: vec![self.emulator.ca_pem().as_bytes().to_vec()],
            verify_challenge_resource: false,
            api_version,
            ..Default::default()
        }
    }

    pub fn credential(&self) -> Arc<StaticTokenCredential> {
        Arc::new(StaticTokenCredential::new("e2e-token"))
    }

    /// A key client at `api_version`.
    pub fn keys(&self, api_version: ApiVersion) -> KeyClient {
        KeyClient::new(
            self.emulator.url(),
            self.credential(),
            Some(KeyClientOptions {
                client_options: self.options(api_version),
            }),
        )
        .expect("key client")
    }
}

/// A name no other call in this test process gets.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// base64url without padding, as the service's JSON carries bytes.
pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// The P-256 key this process's emulators trust to sign attestation tokens (pass it to
/// `trust_attestation_signer`).
pub fn attestation_signer() -> &'static kv_jwk::JsonWebKey {
    static SIGNER: std::sync::OnceLock<kv_jwk::JsonWebKey> = std::sync::OnceLock::new();
    SIGNER
        .get_or_init(|| kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).expect("EC key"))
}

/// An attestation token (ES256 JWS) signed by `signer` with `claims`.
pub fn attestation_token(signer: &kv_jwk::JsonWebKey, claims: &Value) -> String {
    let enc = |v: &Value| b64(&serde_json::to_vec(v).expect("JSON"));
    let input = format!("{}.{}", enc(&json!({"alg": "ES256"})), enc(claims));
    let alg = kv_jwk::SignatureAlgorithm::Es256;
    let digest = kv_crypto_local::digest::sha256(input.as_bytes());
    let signature = kv_crypto_local::LocalKey::new(signer)
        .and_then(|k| k.sign(&alg, &digest))
        .expect("signature");
    format!("{input}.{}", b64(&signature))
}
