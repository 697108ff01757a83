//! [`RemoteCryptographyClient`]: encrypt, decrypt, sign, verify, wrap and unwrap performed
//! by the service with a stored key.

use core::fmt;

use kv_core::{Endpoint, Error, ErrorKind, Method, Pipeline, Request, Response, Result};
use kv_jwk::{EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm};
use kv_protocol::{
    KeyBundle, KeyOperationResult, KeyOperationsParameters, KeySignParameters,
    KeyVaultKeyIdentifier, KeyVerifyParameters, KeyVerifyResult,
};
use url::Url;
use zeroize::Zeroizing;

/// The output of a remote encrypt, decrypt, wrap, unwrap or sign.
///
/// `value` is secret after decrypt and unwrap: it is wiped on drop, and `Debug` prints only
/// its length.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteOutput {
    /// The versioned identifier of the key the service used.
    pub kid: Option<String>,
    /// Ciphertext, plaintext, wrapped key, unwrapped key or signature.
    pub value: Zeroizing<Vec<u8>>,
    /// The IV the service used (AES-GCM and AES-CBC encrypt).
    pub iv: Option<Vec<u8>>,
    /// The authentication tag (AES-GCM encrypt).
    pub tag: Option<Vec<u8>>,
    /// The additional authenticated data, echoed (AES-GCM encrypt).
    pub aad: Option<Vec<u8>>,
}

impl fmt::Debug for RemoteOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteOutput")
            .field("kid", &self.kid)
            .field("value", &format_args!("<{} bytes>", self.value.len()))
            .field("iv", &self.iv.as_ref().map(Vec::len))
            .field("tag", &self.tag.as_ref().map(Vec::len))
            .field("aad", &self.aad.as_ref().map(Vec::len))
            .finish()
    }
}

impl RemoteOutput {
    fn from_wire(result: KeyOperationResult, operation: &str) -> Result<Self> {
        let value = result.value.ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                format!("{operation}: the service answered without a value"),
            )
        })?;
        Ok(Self {
            kid: result.kid,
            value: value.into_zeroizing(),
            iv: result.iv,
            tag: result.tag,
            aad: result.aad,
        })
    }
}

/// Optional inputs of encrypt and decrypt: AES-CBC IV, AES-GCM nonce, tag and AAD.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CipherParameters {
    /// The IV (AES-CBC; AES-GCM on decrypt).
    pub iv: Option<Vec<u8>>,
    /// Additional authenticated data (AES-GCM).
    pub aad: Option<Vec<u8>>,
    /// Authentication tag (AES-GCM decrypt).
    pub tag: Option<Vec<u8>>,
}

/// Performs cryptographic operations in the service with one key.
///
/// Built for a [`KeyVaultKeyIdentifier`]: `{vault}/keys/{name}` (the latest version,
/// resolved by the service on each call) or `{vault}/keys/{name}/{version}`. The identifier
/// was checked when it was parsed, so nothing is checked again here. Cheap to clone.
///
/// ```no_run
/// # async fn demo(pipeline: kv_core::Pipeline) -> kv_core::Result<()> {
/// use kv_crypto_remote::RemoteCryptographyClient;
/// use kv_jwk::SignatureAlgorithm;
/// use kv_protocol::KeyVaultKeyIdentifier;
/// let id: KeyVaultKeyIdentifier = "https://myvault.vault.azure.net/keys/key1".parse()?;
/// let client = RemoteCryptographyClient::new(pipeline, &id)?;
/// let signature = client.sign(&SignatureAlgorithm::Es256, &[0u8; 32]).await?;
/// assert!(client.verify(&SignatureAlgorithm::Es256, &[0u8; 32], &signature.value).await?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RemoteCryptographyClient {
    endpoint: Endpoint,
    id: KeyVaultKeyIdentifier,
}

impl fmt::Debug for RemoteCryptographyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteCryptographyClient")
            .field("key_url", &self.key_url().as_str())
            .finish_non_exhaustive()
    }
}

impl RemoteCryptographyClient {
    /// A client for the key `id` (its version, or the latest when it has none).
    ///
    /// # Errors
    /// [`InvalidArgument`](ErrorKind::InvalidArgument) for a deleted key's recovery id
    /// (`{vault}/deletedkeys/{name}`): a deleted key performs no cryptography.
    pub fn new(pipeline: Pipeline, id: &KeyVaultKeyIdentifier) -> Result<Self> {
        if id.is_deleted_key_id() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a deleted key's recovery id cannot be used for cryptography",
            ));
        }
        Ok(Self {
            endpoint: Endpoint::new(id.vault_url().clone(), pipeline)?,
            id: id.clone(),
        })
    }

    /// The key's identifier, as the client was built with it.
    pub fn id(&self) -> &KeyVaultKeyIdentifier {
        &self.id
    }

    /// The key name.
    pub fn name(&self) -> &str {
        self.id.name()
    }

    /// The vault's URL (`https://{vault}/`).
    pub fn vault_url(&self) -> Url {
        self.endpoint.vault_url().clone()
    }

    /// The pipeline this client sends through (for raw requests to the same vault).
    pub fn pipeline(&self) -> &Pipeline {
        self.endpoint.pipeline()
    }

    /// Sends a raw request through this client's pipeline and returns the response
    /// whatever its status.
    ///
    /// # Errors
    /// [`InvalidArgument`](ErrorKind::InvalidArgument), before any I/O, when the request is
    /// not for this client's vault (the token must not leave it); transport, credential and
    /// authentication errors.
    pub async fn send_request(&self, request: Request) -> Result<Response> {
        self.endpoint.send_request(request).await
    }

    /// `{vault}/keys/{name}/{version}`, with an empty version for the latest.
    fn key_url(&self) -> Url {
        self.endpoint.url([
            "keys",
            self.id.name(),
            self.id.version().unwrap_or_default(),
        ])
    }

    async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        operation: &str,
        body: &B,
    ) -> Result<T> {
        let url = self.endpoint.url([
            "keys",
            self.id.name(),
            self.id.version().unwrap_or_default(),
            operation,
        ]);
        self.endpoint.send_json(Method::POST, url, Some(body)).await
    }

    /// Fetches the key (public material and attributes): `GET {vault}/keys/{name}/{version}`.
    ///
    /// # Errors
    /// As the pipeline; `Forbidden` when the caller may use but not read the key.
    pub async fn get_key(&self) -> Result<KeyBundle> {
        self.endpoint.get_json(self.key_url()).await
    }

    /// Encrypts `plaintext` in the service.
    ///
    /// # Errors
    /// As the pipeline, or `Decode` when the answer has no ciphertext.
    pub async fn encrypt(
        &self,
        algorithm: &EncryptionAlgorithm,
        plaintext: &[u8],
        parameters: CipherParameters,
    ) -> Result<RemoteOutput> {
        self.cipher("encrypt", algorithm, plaintext, parameters)
            .await
    }

    /// Decrypts `ciphertext` in the service. The plaintext comes back in a zeroizing buffer.
    ///
    /// # Errors
    /// As the pipeline (a bad ciphertext is the service's 400), or `Decode`.
    pub async fn decrypt(
        &self,
        algorithm: &EncryptionAlgorithm,
        ciphertext: &[u8],
        parameters: CipherParameters,
    ) -> Result<RemoteOutput> {
        self.cipher("decrypt", algorithm, ciphertext, parameters)
            .await
    }

    /// Wraps `key` in the service.
    ///
    /// # Errors
    /// As the pipeline, or `Decode`.
    pub async fn wrap_key(&self, algorithm: &KeyWrapAlgorithm, key: &[u8]) -> Result<RemoteOutput> {
        let alg = algorithm.to_encryption_algorithm();
        self.cipher("wrapkey", &alg, key, CipherParameters::default())
            .await
    }

    /// Unwraps `encrypted_key` in the service. The key comes back in a zeroizing buffer.
    ///
    /// # Errors
    /// As the pipeline, or `Decode`.
    pub async fn unwrap_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<RemoteOutput> {
        let alg = algorithm.to_encryption_algorithm();
        self.cipher(
            "unwrapkey",
            &alg,
            encrypted_key,
            CipherParameters::default(),
        )
        .await
    }

    async fn cipher(
        &self,
        operation: &str,
        algorithm: &EncryptionAlgorithm,
        input: &[u8],
        parameters: CipherParameters,
    ) -> Result<RemoteOutput> {
        let body = KeyOperationsParameters {
            alg: algorithm.clone(),
            value: kv_jwk::SecretBytes::from_slice(input),
            iv: parameters.iv,
            aad: parameters.aad,
            tag: parameters.tag,
        };
        let result: KeyOperationResult = self.post(operation, &body).await?;
        RemoteOutput::from_wire(result, operation)
    }

    /// Signs `digest` (already hashed with the algorithm's hash; for ML-DSA the message) in
    /// the service.
    ///
    /// # Errors
    /// As the pipeline, or `Decode` when the answer has no signature.
    pub async fn sign(
        &self,
        algorithm: &SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<RemoteOutput> {
        let mut body = KeySignParameters::new(algorithm.clone(), digest.to_vec());
        if algorithm.is_ml_dsa() {
            // The preview specs' ML-DSA examples send no `alg`: the key's `alg` decides.
            body.alg = None;
        }
        self.sign_with(&body).await
    }

    /// Signs with a body built by the caller: for ML-DSA, a message with a `context`, or
    /// an `external_mu` (2026-05-01-preview), which [`sign`](Self::sign) does not send.
    ///
    /// # Errors
    /// As [`sign`](Self::sign).
    pub async fn sign_with(&self, body: &KeySignParameters) -> Result<RemoteOutput> {
        let result: KeyOperationResult = self.post("sign", body).await?;
        RemoteOutput::from_wire(result, "sign")
    }

    /// Verifies `signature` over `digest` in the service.
    ///
    /// # Errors
    /// As the pipeline, or `Decode` when the answer has no verdict.
    pub async fn verify(
        &self,
        algorithm: &SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<bool> {
        let mut body =
            KeyVerifyParameters::new(algorithm.clone(), digest.to_vec(), signature.to_vec());
        if algorithm.is_ml_dsa() {
            body.alg = None;
        }
        self.verify_with(&body).await
    }

    /// Verifies with a body built by the caller (see [`sign_with`](Self::sign_with)).
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub async fn verify_with(&self, body: &KeyVerifyParameters) -> Result<bool> {
        let result: KeyVerifyResult = self.post("verify", body).await?;
        result.value.ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                "verify: the service answered without a value",
            )
        })
    }
}
