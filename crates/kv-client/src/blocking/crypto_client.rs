//! The blocking [`CryptographyClient`]: each method forwards to
//! [`crate::CryptographyClient`].

use std::sync::Arc;

use kv_core::TokenCredential;
use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyWrapAlgorithm, SignatureAlgorithm};

use super::runtime::Executor;
use crate::error::Result;
use crate::models::{
    DecryptResult, EncryptResult, KeyVaultKey, SignResult, UnwrapResult, VerifyResult, WrapResult,
};
use crate::options::{CryptographyClientOptions, DecryptOptions, EncryptOptions};
use crate::routing::RoutingMode;

/// Blocking encrypt, decrypt, sign, verify, wrap and unwrap with one key: the methods of
/// [`kv_client::CryptographyClient`](crate::CryptographyClient), with the same names,
/// routing (local when the key material allows, in the service otherwise), options and
/// errors, returning instead of awaiting.
///
/// Local operations run on the calling thread, with no hand-off to another thread. A client
/// from [`CryptographyClient::from_jwk`] has no runtime at all (it never does I/O), so it
/// may be called from anywhere, async code included.
///
/// Cheap to clone; clones share the cached key and the runtime thread.
///
/// # Errors
/// As the async method of the same name; a client that talks to the service also returns
/// `NotSupported` when called from inside an async runtime (see [`blocking`](super)).
///
/// ```
/// # fn demo() -> kv_client::Result<()> {
/// use kv_client::OperationLocation;
/// use kv_client::blocking::CryptographyClient;
/// use kv_jwk::SignatureAlgorithm;
/// let jwk = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).expect("keygen");
/// let client = CryptographyClient::from_jwk(jwk)?; // local only: no network, no runtime
/// let signed = client.sign_data(SignatureAlgorithm::Es256, b"hello")?;
/// let verified = client.verify_data(SignatureAlgorithm::Es256, b"hello", &signed.signature)?;
/// assert!(verified.is_valid);
/// assert_eq!(verified.location, OperationLocation::Local);
/// # Ok(()) }
/// # demo().unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct CryptographyClient {
    inner: crate::CryptographyClient,
    executor: Executor,
}

impl CryptographyClient {
    pub(crate) fn from_parts(inner: crate::CryptographyClient, executor: Executor) -> Self {
        Self { inner, executor }
    }

    pub(crate) fn into_parts(self) -> (crate::CryptographyClient, Executor) {
        (self.inner, self.executor)
    }

    /// A client for the key `key_id`, with its own runtime thread; see
    /// [`kv_client::CryptographyClient::new`](crate::CryptographyClient::new).
    ///
    /// # Errors
    /// As the async constructor; `Transport` when the runtime thread cannot start.
    pub fn new(
        key_id: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<CryptographyClientOptions>,
    ) -> Result<Self> {
        let (inner, executor) =
            Executor::start(|| crate::CryptographyClient::new(key_id, credential, options))?;
        Ok(Self { inner, executor })
    }

    /// A client for `key` as a [`KeyClient`](super::KeyClient) returned it, with its own
    /// runtime thread; see
    /// [`kv_client::CryptographyClient::from_key`](crate::CryptographyClient::from_key).
    ///
    /// # Errors
    /// As the async constructor; `Transport` when the runtime thread cannot start.
    pub fn from_key(
        key: KeyVaultKey,
        credential: Arc<dyn TokenCredential>,
        options: Option<CryptographyClientOptions>,
    ) -> Result<Self> {
        let (inner, executor) =
            Executor::start(|| crate::CryptographyClient::from_key(key, credential, options))?;
        Ok(Self { inner, executor })
    }

    /// A local-only client for `jwk`: no network and no runtime thread, ever; see
    /// [`kv_client::CryptographyClient::from_jwk`](crate::CryptographyClient::from_jwk).
    ///
    /// # Errors
    /// `InvalidArgument` when the local provider cannot load the key.
    pub fn from_jwk(jwk: JsonWebKey) -> Result<Self> {
        Ok(Self {
            inner: crate::CryptographyClient::from_jwk(jwk)?,
            executor: Executor::Local,
        })
    }

    /// The key identifier the client was built with.
    pub fn key_id(&self) -> Option<&str> {
        self.inner.key_id()
    }

    /// The routing mode.
    pub fn mode(&self) -> RoutingMode {
        self.inner.mode()
    }

    /// See [`kv_client::CryptographyClient::encrypt`](crate::CryptographyClient::encrypt).
    ///
    /// # Errors
    /// See [`CryptographyClient`].
    pub fn encrypt(
        &self,
        algorithm: EncryptionAlgorithm,
        plaintext: &[u8],
        options: Option<EncryptOptions>,
    ) -> Result<EncryptResult> {
        self.executor
            .block_on(self.inner.encrypt(algorithm, plaintext, options))
    }

    /// See [`kv_client::CryptographyClient::decrypt`](crate::CryptographyClient::decrypt).
    /// The plaintext is wiped on drop.
    ///
    /// # Errors
    /// See [`CryptographyClient`].
    pub fn decrypt(
        &self,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
        options: Option<DecryptOptions>,
    ) -> Result<DecryptResult> {
        self.executor
            .block_on(self.inner.decrypt(algorithm, ciphertext, options))
    }

    /// See [`kv_client::CryptographyClient::sign`](crate::CryptographyClient::sign).
    ///
    /// # Errors
    /// See [`CryptographyClient`].
    pub fn sign(&self, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<SignResult> {
        self.executor.block_on(self.inner.sign(algorithm, digest))
    }

    /// See [`kv_client::CryptographyClient::verify`](crate::CryptographyClient::verify).
    ///
    /// # Errors
    /// See [`CryptographyClient`]; an invalid signature is `Ok` with `is_valid == false`.
    pub fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<VerifyResult> {
        self.executor
            .block_on(self.inner.verify(algorithm, digest, signature))
    }

    /// See [`kv_client::CryptographyClient::sign_data`](crate::CryptographyClient::sign_data).
    ///
    /// # Errors
    /// See [`CryptographyClient`].
    pub fn sign_data(&self, algorithm: SignatureAlgorithm, data: &[u8]) -> Result<SignResult> {
        self.executor
            .block_on(self.inner.sign_data(algorithm, data))
    }

    /// See [`kv_client::CryptographyClient::verify_data`](crate::CryptographyClient::verify_data).
    ///
    /// # Errors
    /// See [`CryptographyClient`]; an invalid signature is `Ok` with `is_valid == false`.
    pub fn verify_data(
        &self,
        algorithm: SignatureAlgorithm,
        data: &[u8],
        signature: &[u8],
    ) -> Result<VerifyResult> {
        self.executor
            .block_on(self.inner.verify_data(algorithm, data, signature))
    }

    /// See [`kv_client::CryptographyClient::wrap_key`](crate::CryptographyClient::wrap_key).
    ///
    /// # Errors
    /// See [`CryptographyClient`].
    pub fn wrap_key(&self, algorithm: KeyWrapAlgorithm, key: &[u8]) -> Result<WrapResult> {
        self.executor.block_on(self.inner.wrap_key(algorithm, key))
    }

    /// See [`kv_client::CryptographyClient::unwrap_key`](crate::CryptographyClient::unwrap_key).
    /// The key is wiped on drop.
    ///
    /// # Errors
    /// See [`CryptographyClient`].
    pub fn unwrap_key(
        &self,
        algorithm: KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<UnwrapResult> {
        self.executor
            .block_on(self.inner.unwrap_key(algorithm, encrypted_key))
    }
}
