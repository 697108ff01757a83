//! The operations of the [`CryptographyClient`]: each states its local form once and its
//! remote form once, offers the local form to [`CryptographyClient::run_settled`] (the
//! short way of a key whose route was kept), then hands both to
//! [`CryptographyClient::perform`], which picks where it runs. Each result type is built
//! from a [`Ran`] in one place, below.

use kv_crypto_local::{DecryptParameters, EncryptParameters, MlDsaInput};
use kv_crypto_remote::{CipherParameters, RemoteOutput};
use kv_jwk::{EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm};
use kv_protocol::crypto::{KeySignParameters, KeyVerifyParameters, MlDsaParameters};
use zeroize::Zeroizing;

use super::span::Method;
use super::{CryptographyClient, PreparedKey, Ran};
use crate::digest::digest_for;
use crate::error::Result;
use crate::models::{
    DecryptResult, EncryptResult, SignResult, UnwrapResult, VerifyResult, WrapResult,
};
use crate::options::{DecryptOptions, EncryptOptions};

/// A remote answer as [`CryptographyClient::perform`] takes it: the bytes and the key's id.
fn bytes(r: RemoteOutput) -> (Vec<u8>, Option<String>) {
    (r.value.to_vec(), r.kid)
}

/// A remote answer that is secret (plaintext, unwrapped key).
fn secret(r: RemoteOutput) -> (Zeroizing<Vec<u8>>, Option<String>) {
    (r.value, r.kid)
}

/// What an encryption produced, wherever it ran.
struct Sealed {
    ciphertext: Vec<u8>,
    iv: Option<Vec<u8>>,
    tag: Option<Vec<u8>>,
    aad: Option<Vec<u8>>,
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
        let EncryptOptions { iv, aad } = options.unwrap_or_default();
        let alg = &algorithm;
        let params = EncryptParameters {
            iv: None,
            additional_authenticated_data: aad,
        };
        let aad = &params.additional_authenticated_data;
        // Local encryption always draws its own IV, so a caller-chosen one goes remote.
        let local = iv.is_none().then_some(|key: &PreparedKey| {
            let r = key.encrypt(alg, plaintext, &params)?;
            Ok(Sealed {
                ciphertext: r.ciphertext,
                iv: r.iv,
                tag: r.authentication_tag,
                aad: r.additional_authenticated_data,
            })
        });
        if let Some(local) = &local
            && let Some(ran) = self.run_settled(Method::Encrypt, local)?
        {
            return Ok(EncryptResult::ran(ran, algorithm));
        }
        let ran = self
            .perform(Method::Encrypt, local, |remote| async move {
                let params = CipherParameters {
                    iv,
                    aad: aad.clone(),
                    tag: None,
                };
                let r = remote.encrypt(alg, plaintext, params).await?;
                let sealed = Sealed {
                    ciphertext: r.value.to_vec(),
                    iv: r.iv,
                    tag: r.tag,
                    aad: r.aad,
                };
                Ok((sealed, r.kid))
            })
            .await?;
        Ok(EncryptResult::ran(ran, algorithm))
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
        let DecryptOptions { iv, tag, aad } = options.unwrap_or_default();
        let alg = &algorithm;
        let params = DecryptParameters {
            iv,
            authentication_tag: tag,
            additional_authenticated_data: aad,
        };
        let params = &params;
        let local = |key: &PreparedKey| key.decrypt(alg, ciphertext, params);
        if let Some(ran) = self.run_settled(Method::Decrypt, &local)? {
            return Ok(DecryptResult::ran(ran, algorithm));
        }
        let ran = self
            .perform(Method::Decrypt, Some(local), |remote| async move {
                let params = CipherParameters {
                    iv: params.iv.clone(),
                    aad: params.additional_authenticated_data.clone(),
                    tag: params.authentication_tag.clone(),
                };
                remote.decrypt(alg, ciphertext, params).await.map(secret)
            })
            .await?;
        Ok(DecryptResult::ran(ran, algorithm))
    }

    /// Signs `digest` (the message already hashed with the algorithm's hash function; for
    /// ML-DSA, the message itself, with an empty context).
    ///
    /// # Errors
    /// `InvalidArgument` outside the validity window; local or service errors.
    pub async fn sign(&self, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<SignResult> {
        self.sign_as(Method::Sign, algorithm, digest).await
    }

    /// [`CryptographyClient::sign`], in the span of `method` (its own, or `sign_data`'s).
    async fn sign_as(
        &self,
        method: Method,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<SignResult> {
        let alg = &algorithm;
        let local = |key: &PreparedKey| key.sign(alg, digest);
        if let Some(ran) = self.run_settled(method, &local)? {
            return Ok(SignResult::ran(ran, algorithm));
        }
        let ran = self
            .perform(method, Some(local), |remote| async move {
                remote.sign(alg, digest).await.map(bytes)
            })
            .await?;
        Ok(SignResult::ran(ran, algorithm))
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
        self.verify_as(Method::Verify, algorithm, digest, signature)
            .await
    }

    /// [`CryptographyClient::verify`], in the span of `method` (its own, or `verify_data`'s).
    async fn verify_as(
        &self,
        method: Method,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<VerifyResult> {
        let alg = &algorithm;
        let local = |key: &PreparedKey| key.verify(alg, digest, signature);
        if let Some(ran) = self.run_settled(method, &local)? {
            return Ok(VerifyResult::ran(ran, algorithm));
        }
        // The service's verify answer names no key: the client's id stands in.
        let ran = self
            .perform(method, Some(local), |remote| async move {
                Ok((remote.verify(alg, digest, signature).await?, None))
            })
            .await?;
        Ok(VerifyResult::ran(ran, algorithm))
    }

    /// Hashes `data` with the algorithm's SHA-2 function locally, then signs the digest.
    /// ML-DSA signs the message itself, so for ML-DSA this is [`CryptographyClient::sign`]
    /// with `data`.
    ///
    /// # Errors
    /// `InvalidArgument` for `RSNULL` or an unknown algorithm; as [`CryptographyClient::sign`].
    pub async fn sign_data(
        &self,
        algorithm: SignatureAlgorithm,
        data: &[u8],
    ) -> Result<SignResult> {
        if algorithm.is_ml_dsa() {
            return self.sign_as(Method::SignData, algorithm, data).await;
        }
        let digest = digest_for(&algorithm, data)?;
        self.sign_as(Method::SignData, algorithm, &digest).await
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
        if algorithm.is_ml_dsa() {
            return self
                .verify_as(Method::VerifyData, algorithm, data, signature)
                .await;
        }
        let digest = digest_for(&algorithm, data)?;
        self.verify_as(Method::VerifyData, algorithm, &digest, signature)
            .await
    }

    /// Signs with an ML-DSA key over a message with a FIPS 204 context string, or over an
    /// external mu (the 64-byte message representative, computed locally with
    /// [`LocalKey::ml_dsa_external_mu`](kv_crypto_local::LocalKey::ml_dsa_external_mu) so a
    /// long message never leaves the machine), as api-version 2026-05-01-preview defines.
    /// A vault key signs in the service (`context` / `external_mu` in the request); a key
    /// with private material held locally signs here. [`sign`](Self::sign) is this with
    /// an empty context.
    ///
    /// ```no_run
    /// # async fn demo(crypto: kv_client::CryptographyClient) -> kv_client::Result<()> {
    /// use kv_client::MlDsaInput;
    /// use kv_jwk::SignatureAlgorithm;
    ///
    /// let alg = SignatureAlgorithm::MlDsa65;
    /// let input = MlDsaInput::Message { message: b"release 1.2", context: b"builds-v1" };
    /// let signed = crypto.sign_ml_dsa(alg.clone(), &input).await?;
    /// // Verified locally with the public key: no request.
    /// assert!(crypto.verify_ml_dsa(alg, &input, &signed.signature).await?.is_valid);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `InvalidArgument` for an algorithm that is not ML-DSA or outside the validity window;
    /// local errors (a context over 255 bytes) or service errors.
    #[doc(alias = "SignMu")]
    pub async fn sign_ml_dsa(
        &self,
        algorithm: SignatureAlgorithm,
        input: &MlDsaInput<'_>,
    ) -> Result<SignResult> {
        require_ml_dsa(&algorithm)?;
        let alg = &algorithm;
        let local = |key: &PreparedKey| key.sign_ml_dsa(alg, input);
        if let Some(ran) = self.run_settled(Method::SignMlDsa, &local)? {
            return Ok(SignResult::ran(ran, algorithm));
        }
        let ran = self
            .perform(Method::SignMlDsa, Some(local), |remote| async move {
                let (value, context, external_mu) = ml_dsa_wire(input);
                let body = KeySignParameters {
                    alg: None,
                    value,
                    ml_dsa: MlDsaParameters {
                        external_mu,
                        context,
                    },
                };
                remote.sign_with(&body).await.map(bytes)
            })
            .await?;
        Ok(SignResult::ran(ran, algorithm))
    }

    /// Verifies an ML-DSA `signature` over a message with a context string, or over an
    /// external mu (see [`sign_ml_dsa`](Self::sign_ml_dsa)). It runs locally with the
    /// public key (no request) wherever [`verify`](Self::verify) would, and in the service
    /// otherwise.
    ///
    /// # Errors
    /// As [`sign_ml_dsa`](Self::sign_ml_dsa); an invalid signature is `Ok` with
    /// `is_valid == false`.
    #[doc(alias = "VerifyMu")]
    pub async fn verify_ml_dsa(
        &self,
        algorithm: SignatureAlgorithm,
        input: &MlDsaInput<'_>,
        signature: &[u8],
    ) -> Result<VerifyResult> {
        require_ml_dsa(&algorithm)?;
        let alg = &algorithm;
        let local = |key: &PreparedKey| key.verify_ml_dsa(alg, input, signature);
        if let Some(ran) = self.run_settled(Method::VerifyMlDsa, &local)? {
            return Ok(VerifyResult::ran(ran, algorithm));
        }
        // The service's verify answer names no key: the client's id stands in.
        let ran = self
            .perform(Method::VerifyMlDsa, Some(local), |remote| async move {
                let (digest, context, external_mu) = ml_dsa_wire(input);
                let body = KeyVerifyParameters {
                    alg: None,
                    digest,
                    value: signature.to_vec(),
                    ml_dsa: MlDsaParameters {
                        external_mu,
                        context,
                    },
                };
                Ok((remote.verify_with(&body).await?, None))
            })
            .await?;
        Ok(VerifyResult::ran(ran, algorithm))
    }

    /// Wraps `key` (a data key) with `algorithm`.
    ///
    /// # Errors
    /// `InvalidArgument` outside the validity window; local or service errors.
    pub async fn wrap_key(&self, algorithm: KeyWrapAlgorithm, key: &[u8]) -> Result<WrapResult> {
        let alg = &algorithm;
        let local = |local: &PreparedKey| local.wrap_key(alg, key);
        if let Some(ran) = self.run_settled(Method::WrapKey, &local)? {
            return Ok(WrapResult::ran(ran, algorithm));
        }
        let ran = self
            .perform(Method::WrapKey, Some(local), |remote| async move {
                remote.wrap_key(alg, key).await.map(bytes)
            })
            .await?;
        Ok(WrapResult::ran(ran, algorithm))
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
        let alg = &algorithm;
        let local = |key: &PreparedKey| key.unwrap_key(alg, encrypted_key);
        if let Some(ran) = self.run_settled(Method::UnwrapKey, &local)? {
            return Ok(UnwrapResult::ran(ran, algorithm));
        }
        let ran = self
            .perform(Method::UnwrapKey, Some(local), |remote| async move {
                remote.unwrap_key(alg, encrypted_key).await.map(secret)
            })
            .await?;
        Ok(UnwrapResult::ran(ran, algorithm))
    }
}

/// `InvalidArgument` unless `algorithm` is an ML-DSA parameter set: context and external
/// mu exist only for ML-DSA.
fn require_ml_dsa(algorithm: &SignatureAlgorithm) -> Result<()> {
    if algorithm.is_ml_dsa() {
        Ok(())
    } else {
        Err(crate::error::invalid_argument(format!(
            "{algorithm} is not ML-DSA: a context or an external mu needs an ML-DSA key"
        )))
    }
}

/// The members of an ML-DSA sign or verify body for `input`: the message (`value` of sign,
/// `digest` of verify), the context (left out when empty, as the spec's examples do), and
/// the external mu.
/// Message, context and external mu of an ML-DSA request body.
type MlDsaWire = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);

fn ml_dsa_wire(input: &MlDsaInput<'_>) -> MlDsaWire {
    match input {
        MlDsaInput::Message { message, context } => (
            Some(message.to_vec()),
            (!context.is_empty()).then(|| context.to_vec()),
            None,
        ),
        MlDsaInput::ExternalMu(mu) => (None, None, Some(mu.to_vec())),
    }
}

// Each result type, from what the operation produced and where it ran.

impl EncryptResult {
    fn ran(ran: Ran<Sealed>, algorithm: EncryptionAlgorithm) -> Self {
        Self {
            key_id: ran.key_id,
            algorithm,
            ciphertext: ran.value.ciphertext,
            iv: ran.value.iv,
            tag: ran.value.tag,
            aad: ran.value.aad,
            location: ran.location,
        }
    }
}

impl DecryptResult {
    fn ran(ran: Ran<Zeroizing<Vec<u8>>>, algorithm: EncryptionAlgorithm) -> Self {
        Self {
            key_id: ran.key_id,
            algorithm,
            plaintext: ran.value,
            location: ran.location,
        }
    }
}

impl SignResult {
    fn ran(ran: Ran<Vec<u8>>, algorithm: SignatureAlgorithm) -> Self {
        Self {
            key_id: ran.key_id,
            algorithm,
            signature: ran.value,
            location: ran.location,
        }
    }
}

impl VerifyResult {
    fn ran(ran: Ran<bool>, algorithm: SignatureAlgorithm) -> Self {
        Self {
            key_id: ran.key_id,
            algorithm,
            is_valid: ran.value,
            location: ran.location,
        }
    }
}

impl WrapResult {
    fn ran(ran: Ran<Vec<u8>>, algorithm: KeyWrapAlgorithm) -> Self {
        Self {
            key_id: ran.key_id,
            algorithm,
            encrypted_key: ran.value,
            location: ran.location,
        }
    }
}

impl UnwrapResult {
    fn ran(ran: Ran<Zeroizing<Vec<u8>>>, algorithm: KeyWrapAlgorithm) -> Self {
        Self {
            key_id: ran.key_id,
            algorithm,
            key: ran.value,
            location: ran.location,
        }
    }
}
