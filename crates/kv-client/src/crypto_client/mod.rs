//! [`CryptographyClient`]: cryptographic operations with one key, run locally when the
//! client holds usable key material and in the service otherwise (see [`route`]).

use core::fmt;
use std::sync::Arc;
use std::time::Instant;

use kv_core::{Pipeline, TokenCredential};
use kv_crypto_local::{Algorithm, DecryptParameters, EncryptParameters, LocalKey};
use kv_crypto_remote::{CipherParameters, RemoteCryptographyClient};
use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyWrapAlgorithm, SignatureAlgorithm};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::digest::digest_for;
use crate::error::{Error, ErrorKind, Result, invalid_argument};
use crate::identifier::KeyVaultKeyIdentifier;
use crate::key_cache::{FetchFailure, KeyCache};
use crate::models::{
    DecryptResult, EncryptResult, KeyVaultKey, SignResult, UnwrapResult, VerifyResult, WrapResult,
};
use crate::options::{CryptographyClientOptions, DecryptOptions, EncryptOptions};
use crate::routing::{CryptoOperation, OperationLocation, Route, RouteState, RoutingMode, route};

/// Key material held by the client, parsed once.
struct CachedKey {
    jwk: JsonWebKey,
    /// `None` when the local provider cannot load the key (then everything goes remote).
    local: Option<LocalKey>,
    kid: Option<String>,
    not_before: Option<OffsetDateTime>,
    expires_on: Option<OffsetDateTime>,
}

impl CachedKey {
    fn from_jwk(
        jwk: JsonWebKey,
        not_before: Option<OffsetDateTime>,
        expires_on: Option<OffsetDateTime>,
    ) -> Self {
        let local = LocalKey::new(&jwk).ok();
        Self {
            kid: jwk.kid.clone(),
            jwk,
            local,
            not_before,
            expires_on,
        }
    }

    fn from_key(key: KeyVaultKey) -> Self {
        let KeyVaultKey {
            mut key,
            properties,
        } = key;
        key.kid.get_or_insert_with(|| properties.id.to_string());
        Self::from_jwk(key, properties.not_before, properties.expires_on)
    }
}

struct Inner {
    /// The key's identifier as given (versioned or not); `None` for a JWK without `kid`.
    key_id: Option<String>,
    /// The service connection; `None` for `from_jwk` clients (local only, never any I/O).
    remote: Option<RemoteCryptographyClient>,
    mode: RoutingMode,
    cache: Mutex<KeyCache<CachedKey>>,
    /// The key once it can never change (pinned version, or local-only): read without the
    /// async lock, so the hot local path takes no lock at all.
    settled: std::sync::OnceLock<Arc<CachedKey>>,
}

/// Encrypt, decrypt, sign, verify, wrap and unwrap with one key.
///
/// Each operation runs locally when the rules of [`route`] allow it (the client holds key
/// material that can do it, the algorithm is supported locally, `key_ops` permit it and the
/// key is inside its validity window), and in the service otherwise. The key is fetched
/// lazily on first use: a 403 makes the client remote-only for good; any other failure
/// sends that operation to the service and the fetch is tried again later. A client built
/// from a versionless id refetches after
/// [`refresh_interval`](CryptographyClientOptions::refresh_interval) so a rotated key is
/// picked up; one pinned to a version never changes. Every result says where it ran.
///
/// Cheap to clone; clones share the cached key.
///
/// ```
/// # async fn demo() -> kv_client::Result<()> {
/// use kv_client::{CryptographyClient, OperationLocation};
/// use kv_jwk::SignatureAlgorithm;
/// let jwk = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).expect("keygen");
/// let client = CryptographyClient::from_jwk(jwk)?; // local only: never any network
/// let signed = client.sign_data(SignatureAlgorithm::Es256, b"hello").await?;
/// assert_eq!(signed.location, OperationLocation::Local);
/// let verified = client.verify_data(SignatureAlgorithm::Es256, b"hello", &signed.signature).await?;
/// assert!(verified.is_valid);
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct CryptographyClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for CryptographyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptographyClient")
            .field("key_id", &self.inner.key_id)
            .field("mode", &self.inner.mode)
            .field("remote", &self.inner.remote.is_some())
            .finish_non_exhaustive()
    }
}

impl CryptographyClient {
    /// A client for the key `key_id` (`{vault}/keys/{name}[/{version}]`). Nothing is
    /// fetched until the first operation.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid key id; the pipeline's errors.
    pub fn new(
        key_id: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<CryptographyClientOptions>,
    ) -> Result<Self> {
        let id: KeyVaultKeyIdentifier = key_id.parse()?;
        let options = options.unwrap_or_default();
        let pipeline = Pipeline::new(credential, options.client_options.clone())?;
        Self::with_pipeline(id, pipeline, options)
    }

    pub(crate) fn with_pipeline(
        id: KeyVaultKeyIdentifier,
        pipeline: Pipeline,
        options: CryptographyClientOptions,
    ) -> Result<Self> {
        if id.is_deleted_key_id() {
            return Err(invalid_argument(
                "a deleted key's recovery id cannot be used for cryptography",
            ));
        }
        let remote =
            RemoteCryptographyClient::new(pipeline, id.vault_url(), id.name(), id.version())?;
        let cache = KeyCache::new(
            id.version().is_some(),
            options.refresh_interval,
            options.fetch_retry_interval,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                key_id: Some(id.to_string()),
                remote: Some(remote),
                mode: options.mode,
                settled: std::sync::OnceLock::new(),
                cache: Mutex::new(cache),
            }),
        })
    }

    /// A client for `key` as a [`KeyClient`](crate::KeyClient) returned it: no fetch is
    /// needed, and the client is pinned to that version.
    ///
    /// # Errors
    /// The pipeline's errors.
    pub fn from_key(
        key: KeyVaultKey,
        credential: Arc<dyn TokenCredential>,
        options: Option<CryptographyClientOptions>,
    ) -> Result<Self> {
        let options = options.unwrap_or_default();
        let id = key.id().clone();
        let pipeline = Pipeline::new(credential, options.client_options.clone())?;
        let remote =
            RemoteCryptographyClient::new(pipeline, id.vault_url(), id.name(), id.version())?;
        let cache = KeyCache::with_value(
            CachedKey::from_key(key),
            Instant::now(),
            id.version().is_some(),
            options.refresh_interval,
            options.fetch_retry_interval,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                key_id: Some(id.to_string()),
                remote: Some(remote),
                mode: options.mode,
                settled: std::sync::OnceLock::new(),
                cache: Mutex::new(cache),
            }),
        })
    }

    /// A local-only client for `jwk`: no network, ever. Operations the key cannot do
    /// locally fail.
    ///
    /// # Errors
    /// `InvalidArgument` when the local provider cannot load the key.
    pub fn from_jwk(jwk: JsonWebKey) -> Result<Self> {
        let cached = CachedKey::from_jwk(jwk, None, None);
        if cached.local.is_none() {
            // Report why, without the key: the error names only the problem.
            if let Err(e) = LocalKey::new(&cached.jwk) {
                return Err(Error::with_source(
                    ErrorKind::InvalidArgument,
                    "the JSON Web Key cannot be used for local cryptography",
                    e,
                ));
            }
        }
        let key_id = cached.kid.clone();
        let refresh = std::time::Duration::MAX;
        Ok(Self {
            inner: Arc::new(Inner {
                key_id,
                remote: None,
                mode: RoutingMode::LocalOnly,
                settled: std::sync::OnceLock::new(),
                cache: Mutex::new(KeyCache::with_value(
                    cached,
                    Instant::now(),
                    true,
                    refresh,
                    refresh,
                )),
            }),
        })
    }

    /// The key identifier the client was built with.
    pub fn key_id(&self) -> Option<&str> {
        self.inner.key_id.as_deref()
    }

    /// The routing mode.
    pub fn mode(&self) -> RoutingMode {
        self.inner.mode
    }

    /// The key material to use now, fetching it first when the cache rules say so.
    async fn key(&self) -> Option<Arc<CachedKey>> {
        if let Some(key) = self.inner.settled.get() {
            return Some(Arc::clone(key));
        }
        let mut cache = self.inner.cache.lock().await;
        let Some(remote) = &self.inner.remote else {
            // Local only: the material never changes.
            let key = cache.current();
            if let Some(key) = &key {
                let _ = self.inner.settled.set(Arc::clone(key));
            }
            return key;
        };
        if self.inner.mode == RoutingMode::RemoteOnly || !cache.should_fetch(Instant::now()) {
            return cache.current();
        }
        // The lock is held across the fetch: concurrent operations wait for one fetch.
        match remote.get_key().await.and_then(KeyVaultKey::try_from) {
            Ok(key) => cache.record_success(CachedKey::from_key(key), Instant::now()),
            Err(e) if e.kind() == &ErrorKind::Forbidden => {
                tracing::debug!("key fetch forbidden: cryptography stays remote");
                cache.record_failure(FetchFailure::Forbidden, Instant::now());
            }
            Err(e) => {
                tracing::debug!(error = %e, "key fetch failed: this operation goes remote");
                cache.record_failure(FetchFailure::Other, Instant::now());
            }
        }
        let key = cache.current();
        if let (true, Some(key)) = (cache.is_settled(), &key) {
            let _ = self.inner.settled.set(Arc::clone(key));
        }
        key
    }

    fn decide(
        &self,
        op: CryptoOperation,
        key: Option<&CachedKey>,
        locally_supported: bool,
    ) -> Route {
        let not_before = key.and_then(|k| k.not_before);
        let expires_on = key.and_then(|k| k.expires_on);
        // `route` compares `now` only with a bound that is set; skip the clock read (a
        // measurable share of a local AES key wrap) for keys without one.
        let now = if not_before.is_some() || expires_on.is_some() {
            OffsetDateTime::now_utc()
        } else {
            OffsetDateTime::UNIX_EPOCH
        };
        let state = RouteState {
            mode: self.inner.mode,
            key: key.map(|k| &k.jwk),
            locally_supported,
            not_before,
            expires_on,
            now,
            remote_available: self.inner.remote.is_some(),
        };
        route(op, &state)
    }

    /// Routes `op`: `Ok(Some(key))` to run locally with it, `Ok(None)` to go remote.
    async fn plan(
        &self,
        op: CryptoOperation,
        alg: Algorithm,
        extra_local_ok: bool,
    ) -> Result<Option<Arc<CachedKey>>> {
        let key = self.key().await;
        let local_ok = extra_local_ok
            && key
                .as_ref()
                .and_then(|k| k.local.as_ref())
                .is_some_and(|l| l.supports(&op.key_operation(), alg));
        let decision = self.decide(op, key.as_deref(), local_ok);
        tracing::debug!(operation = %op, route = ?decision, "cryptography routed");
        match decision {
            // `route` answers Local only when there is a key.
            Route::Local => Ok(key),
            Route::Remote => Ok(None),
            Route::Refuse(r) => Err(r.into_error(op)),
        }
    }

    fn remote(&self) -> Result<&RemoteCryptographyClient> {
        self.inner
            .remote
            .as_ref()
            .ok_or_else(|| invalid_argument("this client has no vault connection"))
    }

    fn remote_kid(&self, kid: Option<String>) -> Option<String> {
        kid.or_else(|| self.inner.key_id.clone())
    }
}

/// Maps a local cryptography error, naming the operation and never any data.
fn local_error(op: CryptoOperation, e: kv_crypto_local::Error) -> Error {
    let kind = match e {
        kv_crypto_local::Error::InvalidInput(_) => ErrorKind::InvalidArgument,
        _ => ErrorKind::Crypto,
    };
    Error::with_source(kind, format!("local {op} failed"), e)
}

fn local_of(k: &CachedKey) -> Result<&LocalKey> {
    k.local
        .as_ref()
        .ok_or_else(|| invalid_argument("no local key"))
}

impl CryptographyClient {
    /// Encrypts `plaintext` with `algorithm`.
    ///
    /// # Errors
    /// `InvalidArgument` when the key is outside its validity window or the operation
    /// cannot run where the mode requires; local or service errors.
    pub async fn encrypt(
        &self,
        algorithm: EncryptionAlgorithm,
        plaintext: &[u8],
        options: Option<EncryptOptions>,
    ) -> Result<EncryptResult> {
        let op = CryptoOperation::Encrypt;
        let options = options.unwrap_or_default();
        // Local encryption always draws its own IV, so a caller-chosen one goes remote.
        let plan = self
            .plan(op, Algorithm::from(&algorithm), options.iv.is_none())
            .await?;
        if let Some(key) = plan {
            let params = EncryptParameters {
                iv: None,
                additional_authenticated_data: options.aad,
            };
            let r = local_of(&key)?
                .encrypt(&algorithm, plaintext, &params)
                .map_err(|e| local_error(op, e))?;
            return Ok(EncryptResult {
                key_id: key.kid.clone(),
                algorithm,
                ciphertext: r.ciphertext,
                iv: r.iv,
                tag: r.authentication_tag,
                aad: r.additional_authenticated_data,
                location: OperationLocation::Local,
            });
        }
        let params = CipherParameters {
            iv: options.iv,
            aad: options.aad,
            tag: None,
        };
        let r = self
            .remote()?
            .encrypt(&algorithm, plaintext, params)
            .await?;
        Ok(EncryptResult {
            key_id: self.remote_kid(r.kid),
            algorithm,
            ciphertext: r.value.to_vec(),
            iv: r.iv,
            tag: r.tag,
            aad: r.aad,
            location: OperationLocation::Remote,
        })
    }

    /// Decrypts `ciphertext` with `algorithm`. The plaintext is wiped on drop.
    ///
    /// # Errors
    /// `Crypto` when a local decryption fails (no detail, by design); service errors.
    pub async fn decrypt(
        &self,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
        options: Option<DecryptOptions>,
    ) -> Result<DecryptResult> {
        let op = CryptoOperation::Decrypt;
        let options = options.unwrap_or_default();
        if let Some(key) = self.plan(op, Algorithm::from(&algorithm), true).await? {
            let params = DecryptParameters {
                iv: options.iv,
                authentication_tag: options.tag,
                additional_authenticated_data: options.aad,
            };
            let plaintext = local_of(&key)?
                .decrypt(&algorithm, ciphertext, &params)
                .map_err(|e| local_error(op, e))?;
            return Ok(DecryptResult {
                key_id: key.kid.clone(),
                algorithm,
                plaintext,
                location: OperationLocation::Local,
            });
        }
        let params = CipherParameters {
            iv: options.iv,
            aad: options.aad,
            tag: options.tag,
        };
        let r = self
            .remote()?
            .decrypt(&algorithm, ciphertext, params)
            .await?;
        Ok(DecryptResult {
            key_id: self.remote_kid(r.kid),
            algorithm,
            plaintext: r.value,
            location: OperationLocation::Remote,
        })
    }

    /// Signs `digest` (the message already hashed with the algorithm's hash function).
    ///
    /// # Errors
    /// `InvalidArgument` outside the validity window; local or service errors.
    pub async fn sign(&self, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<SignResult> {
        let op = CryptoOperation::Sign;
        if let Some(key) = self.plan(op, Algorithm::from(&algorithm), true).await? {
            let signature = local_of(&key)?
                .sign(&algorithm, digest)
                .map_err(|e| local_error(op, e))?;
            return Ok(SignResult {
                key_id: key.kid.clone(),
                algorithm,
                signature,
                location: OperationLocation::Local,
            });
        }
        let r = self.remote()?.sign(&algorithm, digest).await?;
        Ok(SignResult {
            key_id: self.remote_kid(r.kid.clone()),
            algorithm,
            signature: r.value.to_vec(),
            location: OperationLocation::Remote,
        })
    }

    /// Verifies `signature` over `digest`.
    ///
    /// # Errors
    /// Local or service errors; an invalid signature is `Ok` with `is_valid == false`.
    pub async fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<VerifyResult> {
        let op = CryptoOperation::Verify;
        if let Some(key) = self.plan(op, Algorithm::from(&algorithm), true).await? {
            let is_valid = local_of(&key)?
                .verify(&algorithm, digest, signature)
                .map_err(|e| local_error(op, e))?;
            return Ok(VerifyResult {
                key_id: key.kid.clone(),
                algorithm,
                is_valid,
                location: OperationLocation::Local,
            });
        }
        let is_valid = self.remote()?.verify(&algorithm, digest, signature).await?;
        Ok(VerifyResult {
            key_id: self.inner.key_id.clone(),
            algorithm,
            is_valid,
            location: OperationLocation::Remote,
        })
    }

    /// Hashes `data` with the algorithm's SHA-2 function locally, then signs the digest.
    ///
    /// # Errors
    /// `InvalidArgument` for `RSNULL` or an unknown algorithm; as [`CryptographyClient::sign`].
    pub async fn sign_data(
        &self,
        algorithm: SignatureAlgorithm,
        data: &[u8],
    ) -> Result<SignResult> {
        let digest = digest_for(&algorithm, data)?;
        self.sign(algorithm, &digest).await
    }

    /// Hashes `data` locally, then verifies `signature` over the digest (locally whenever
    /// [`CryptographyClient::verify`] would be).
    ///
    /// # Errors
    /// As [`CryptographyClient::sign_data`] and [`CryptographyClient::verify`].
    pub async fn verify_data(
        &self,
        algorithm: SignatureAlgorithm,
        data: &[u8],
        signature: &[u8],
    ) -> Result<VerifyResult> {
        let digest = digest_for(&algorithm, data)?;
        self.verify(algorithm, &digest, signature).await
    }

    /// Wraps `key` (a data key) with `algorithm`.
    ///
    /// # Errors
    /// `InvalidArgument` outside the validity window; local or service errors.
    pub async fn wrap_key(&self, algorithm: KeyWrapAlgorithm, key: &[u8]) -> Result<WrapResult> {
        let op = CryptoOperation::WrapKey;
        if let Some(cached) = self.plan(op, Algorithm::from(&algorithm), true).await? {
            let encrypted_key = local_of(&cached)?
                .wrap_key(&algorithm, key)
                .map_err(|e| local_error(op, e))?;
            return Ok(WrapResult {
                key_id: cached.kid.clone(),
                algorithm,
                encrypted_key,
                location: OperationLocation::Local,
            });
        }
        let r = self.remote()?.wrap_key(&algorithm, key).await?;
        Ok(WrapResult {
            key_id: self.remote_kid(r.kid.clone()),
            algorithm,
            encrypted_key: r.value.to_vec(),
            location: OperationLocation::Remote,
        })
    }

    /// Unwraps `encrypted_key` with `algorithm`. The key is wiped on drop.
    ///
    /// # Errors
    /// `Crypto` when a local unwrap fails (no detail, by design); service errors.
    pub async fn unwrap_key(
        &self,
        algorithm: KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<UnwrapResult> {
        let op = CryptoOperation::UnwrapKey;
        if let Some(cached) = self.plan(op, Algorithm::from(&algorithm), true).await? {
            let key = local_of(&cached)?
                .unwrap_key(&algorithm, encrypted_key)
                .map_err(|e| local_error(op, e))?;
            return Ok(UnwrapResult {
                key_id: cached.kid.clone(),
                algorithm,
                key,
                location: OperationLocation::Local,
            });
        }
        let r = self.remote()?.unwrap_key(&algorithm, encrypted_key).await?;
        Ok(UnwrapResult {
            key_id: self.remote_kid(r.kid.clone()),
            algorithm,
            key: r.value,
            location: OperationLocation::Remote,
        })
    }
}

#[cfg(test)]
mod tests;
