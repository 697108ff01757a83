//! Options of [`KeyClient`](crate::KeyClient) and its methods.
//!
//! Each method with optional parameters takes `Option<SomethingOptions>`; pass `None` for
//! the defaults. Options have public fields and `Default`, so set only what you need with
//! `..Default::default()`.

use std::collections::BTreeMap;
use std::time::Duration;

use kv_jwk::{KeyCurveName, KeyOperation, SignatureAlgorithm};
use kv_protocol::KeyEncryptionAlgorithm;
use time::OffsetDateTime;

use crate::models::KeyReleasePolicy;
use crate::routing::RoutingMode;

/// Options of [`KeyClient::new`](crate::KeyClient::new).
#[derive(Clone, Debug, Default)]
pub struct KeyClientOptions {
    /// Pipeline options: `api_version`, `verify_challenge_resource`, retries, extra CA
    /// certificates (the emulator's), transport.
    pub client_options: kv_core::ClientOptions,
}

/// Options of `create_key`, `create_rsa_key`, `create_ec_key`, `create_oct_key` and
/// `create_ml_dsa_key`.
///
/// `key_size` and `public_exponent` apply to RSA keys (and `key_size` to oct keys),
/// `curve` to EC keys, `algorithm` to ML-DSA (`AKP`) keys; setting one for a key type it does not apply to is an
/// `InvalidArgument` error before any I/O.
#[derive(Clone, Debug, Default)]
pub struct CreateKeyOptions {
    /// RSA modulus bits (2048, 3072, 4096) or AES key bits for oct keys (128, 192, 256).
    pub key_size: Option<u32>,
    /// RSA public exponent (65537 when absent).
    pub public_exponent: Option<u32>,
    /// Elliptic curve of an EC key.
    pub curve: Option<KeyCurveName>,
    /// Create an HSM-protected key (`RSA-HSM`, `EC-HSM`, `oct-HSM`) in
    /// `create_rsa_key`/`create_ec_key`/`create_oct_key`.
    pub hardware_protected: bool,
    /// Permitted operations.
    pub key_operations: Option<Vec<KeyOperation>>,
    /// Whether the key is enabled.
    pub enabled: Option<bool>,
    /// Not usable before this time.
    pub not_before: Option<OffsetDateTime>,
    /// Not usable after this time.
    pub expires_on: Option<OffsetDateTime>,
    /// Application metadata.
    pub tags: Option<BTreeMap<String, String>>,
    /// Whether the private key can be exported (requires a release policy).
    pub exportable: Option<bool>,
    /// Release policy of an exportable key.
    pub release_policy: Option<KeyReleasePolicy>,
    /// The ML-DSA parameter set of an `AKP` key (`alg` on the wire: `ML-DSA-44`,
    /// `ML-DSA-65`, `ML-DSA-87`); needs api-version 2026-05-01-preview or later.
    pub algorithm: Option<SignatureAlgorithm>,
}

/// Options of `import_key`.
#[derive(Clone, Debug, Default)]
pub struct ImportKeyOptions {
    /// Import as an HSM-protected key.
    pub hardware_protected: Option<bool>,
    /// Whether the key is enabled.
    pub enabled: Option<bool>,
    /// Not usable before this time.
    pub not_before: Option<OffsetDateTime>,
    /// Not usable after this time.
    pub expires_on: Option<OffsetDateTime>,
    /// Application metadata.
    pub tags: Option<BTreeMap<String, String>>,
    /// Whether the private key can be exported.
    pub exportable: Option<bool>,
    /// Release policy of an exportable key.
    pub release_policy: Option<KeyReleasePolicy>,
}

/// Options of `get_key`, `get_key_attestation` and `get_cryptography_client`.
#[derive(Clone, Debug, Default)]
pub struct GetKeyOptions {
    /// A specific version; `None` means the latest.
    pub version: Option<String>,
}

/// Options of `update_key_properties`. Absent fields stay unchanged.
#[derive(Clone, Debug, Default)]
pub struct UpdateKeyPropertiesOptions {
    /// The version to update; `None` means the latest.
    pub version: Option<String>,
    /// Enable or disable the key.
    pub enabled: Option<bool>,
    /// New not-before time.
    pub not_before: Option<OffsetDateTime>,
    /// New expiry time.
    pub expires_on: Option<OffsetDateTime>,
    /// New tags (replace the old ones).
    pub tags: Option<BTreeMap<String, String>>,
    /// New permitted operations.
    pub key_operations: Option<Vec<KeyOperation>>,
    /// New release policy.
    pub release_policy: Option<KeyReleasePolicy>,
}

/// Options of the list methods.
#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    /// Items per page the service should send (1 to 25); `None` for its default.
    pub max_page_size: Option<u32>,
    /// Resume a listing where it stopped: the `next_link` of a page taken earlier with
    /// `into_pages()` (Python's `by_page(continuation_token)`). It must be on this client's
    /// vault, or the first item is an `InvalidArgument`/`Decode` error.
    pub continuation_token: Option<String>,
}

/// Options of `release`.
#[derive(Clone, Debug, Default)]
pub struct ReleaseKeyOptions {
    /// The version to release; `None` means the latest.
    pub version: Option<String>,
    /// A nonce the attestation service put in the token, for freshness.
    pub nonce: Option<String>,
    /// How the released key is wrapped for the target.
    pub algorithm: Option<KeyEncryptionAlgorithm>,
}

/// Options of [`CryptographyClient`](crate::CryptographyClient) construction.
#[derive(Clone, Debug)]
pub struct CryptographyClientOptions {
    /// Pipeline options (ignored by `from_jwk`, which never uses the network).
    pub client_options: kv_core::ClientOptions,
    /// Where operations may run (default: automatic).
    pub mode: RoutingMode,
    /// How long key material fetched through a versionless id stays cached before it is
    /// fetched again, so that a rotated key is picked up (default 1 hour). Keys pinned to a
    /// version never refresh.
    pub refresh_interval: Duration,
    /// How long to wait after a failed key fetch (other than 403) before trying again
    /// (default 1 minute). Operations meanwhile go to the service.
    pub fetch_retry_interval: Duration,
}

impl Default for CryptographyClientOptions {
    fn default() -> Self {
        Self {
            client_options: kv_core::ClientOptions::default(),
            mode: RoutingMode::Auto,
            refresh_interval: Duration::from_secs(3600),
            fetch_retry_interval: Duration::from_secs(60),
        }
    }
}

/// Options of `encrypt`.
#[derive(Clone, Debug, Default)]
pub struct EncryptOptions {
    /// A caller-chosen IV for AES-CBC. Local encryption always draws a fresh random IV, so
    /// setting one sends the operation to the service (and fails on a local-only client).
    pub iv: Option<Vec<u8>>,
    /// Additional authenticated data (AES-GCM).
    pub aad: Option<Vec<u8>>,
}

/// Options of `decrypt`.
#[derive(Clone, Debug, Default)]
pub struct DecryptOptions {
    /// The IV (AES-CBC) or nonce (AES-GCM) that encryption returned.
    pub iv: Option<Vec<u8>>,
    /// The authentication tag (AES-GCM).
    pub tag: Option<Vec<u8>>,
    /// The additional authenticated data (AES-GCM).
    pub aad: Option<Vec<u8>>,
}
