//! The operations of the [`CryptographyClient`]: each states its local and its remote
//! form once and lets [`CryptographyClient::run`] pick.

use kv_crypto_local::{DecryptParameters, EncryptParameters, MlDsaInput};
use kv_crypto_remote::{CipherParameters, RemoteOutput};
use kv_jwk::{EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm};
use kv_protocol::crypto::{KeySignParameters, KeyVerifyParameters};
use tracing::{Instrument, Span};
use zeroize::Zeroizing;

use super::{CryptographyClient, Outcome, outlined};
use crate::digest::digest_for;
use crate::error::Result;
use crate::models::{
    DecryptResult, EncryptResult, SignResult, UnwrapResult, VerifyResult, WrapResult,
};
use crate::options::{DecryptOptions, EncryptOptions};
use crate::routing::{CryptoOperation, OperationLocation};

/// A remote answer as [`CryptographyClient::run`] takes it: the bytes and the key's id.
fn bytes(r: RemoteOutput) -> (Vec<u8>, Option<String>) {
    (r.value.to_vec(), r.kid)
}

/// A remote answer that is secret (plaintext, unwrapped key).
fn secret(r: RemoteOutput) -> (Zeroizing<Vec<u8>>, Option<String>) {
    (r.value, r.kid)
}

/// Ciphertext, IV, tag and AAD of an encryption.
type Sealed = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);

/// The span of one operation: the attributes of [`KeyClient`](crate::KeyClient)'s spans
/// (the Azure SDKs' distributed-tracing names; the pipeline records the request ids and
/// api-version when a request goes out) and `keyvault.location`, recorded once the
/// operation has run. Never a key, plaintext or signature.
///
/// When no subscriber wants INFO it is [`Span::none`] after one atomic load: a disabled
/// span from `info_span!` still carries its metadata, and creating and dropping it (with
/// the `log` fallback checks) cost a sub-microsecond local operation several percent
/// (`benches/performance.rs`, A256KW wrap).
macro_rules! op_span {
    ($client:ident, $name:literal) => {
        if tracing::Level::INFO <= tracing::level_filters::STATIC_MAX_LEVEL
            && tracing::Level::INFO <= tracing::level_filters::LevelFilter::current()
        {
            tracing::info_span!(
                $name,
                az.namespace = "Microsoft.KeyVault",
                server.address = &*$client.inner.server_address,
                key.name = &*$client.inner.key_name,
                api_version = tracing::field::Empty,
                az.client_request_id = tracing::field::Empty,
                az.service_request_id = tracing::field::Empty,
                keyvault.location = tracing::field::Empty,
            )
        } else {
            Span::none()
        }
    };
}

/// Records where the operation ran on its span; nothing (not even the field lookup) when
/// the span is disabled, so the local fast path stays as it was.
#[inline]
fn record_location(span: &Span, location: OperationLocation) {
    if !span.is_disabled() {
        let location = match location {
            OperationLocation::Local => "local",
            OperationLocation::Remote => "remote",
        };
        span.record("keyvault.location", location);
    }
}

/// Returns early with the result of [`CryptographyClient::settled_local`]'s fast path when it
/// ran the operation: for a sub-microsecond operation (AES key wrap, small AES-GCM) the
/// routed path's nested future costs several percent, so the common case skips it.
macro_rules! settled_fast_path {
    ($client:ident, $span:expr, $op:ident, |$l:ident, $p:ident| $run:expr, |$value:ident, $key_id:ident| $result:expr) => {
        if let Some(($value, $key_id)) =
            $client.settled_local(CryptoOperation::$op, |$l, $p| $run)?
        {
            // The span of a local operation is made once it has run: a span held across
            // the fast path costs a sub-microsecond operation several percent.
            record_location(&$span(), OperationLocation::Local);
            return Ok($result);
        }
    };
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
        let mk = || op_span!(self, "CryptographyClient::encrypt");
        let EncryptOptions { iv, aad } = options.unwrap_or_default();
        // Local encryption always draws its own IV, so a caller-chosen one goes remote.
        let local_ok = iv.is_none();
        let params = EncryptParameters {
            iv: None,
            additional_authenticated_data: aad,
        };
        let alg = &algorithm;
        if local_ok {
            settled_fast_path!(
                self,
                mk,
                Encrypt,
                |l, p| match p.encrypt(alg) {
                    Some(prepared) => l.encrypt_prepared(prepared, plaintext, &params),
                    None => l.encrypt(alg, plaintext, &params),
                },
                |r, key_id| {
                    EncryptResult {
                        key_id,
                        algorithm,
                        ciphertext: r.ciphertext,
                        iv: r.iv,
                        tag: r.authentication_tag,
                        aad: r.additional_authenticated_data,
                        location: OperationLocation::Local,
                    }
                }
            );
        }
        let span = mk();
        let out: Outcome<Sealed> = outlined(self.run(
            CryptoOperation::Encrypt,
            local_ok,
            (params, iv),
            |key, (params, _)| {
                let r = key.encrypt(alg, plaintext, params)?;
                Ok((
                    r.ciphertext,
                    r.iv,
                    r.authentication_tag,
                    r.additional_authenticated_data,
                ))
            },
            |remote, (params, iv)| async move {
                let params = CipherParameters {
                    iv,
                    aad: params.additional_authenticated_data,
                    tag: None,
                };
                let r = remote.encrypt(alg, plaintext, params).await?;
                Ok(((r.value.to_vec(), r.iv, r.tag, r.aad), r.kid))
            },
        ))
        .instrument(span.clone())
        .await?;
        record_location(&span, out.location);
        let (ciphertext, iv, tag, aad) = out.value;
        Ok(EncryptResult {
            key_id: out.key_id,
            algorithm,
            ciphertext,
            iv,
            tag,
            aad,
            location: out.location,
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
        let mk = || op_span!(self, "CryptographyClient::decrypt");
        let DecryptOptions { iv, tag, aad } = options.unwrap_or_default();
        let params = DecryptParameters {
            iv,
            authentication_tag: tag,
            additional_authenticated_data: aad,
        };
        let alg = &algorithm;
        settled_fast_path!(
            self,
            mk,
            Decrypt,
            |l, p| match p.decrypt(alg) {
                Some(prepared) => l.decrypt_prepared(prepared, ciphertext, &params),
                None => l.decrypt(alg, ciphertext, &params),
            },
            |plaintext, key_id| {
                DecryptResult {
                    key_id,
                    algorithm,
                    plaintext,
                    location: OperationLocation::Local,
                }
            }
        );
        let span = mk();
        let out = outlined(self.run(
            CryptoOperation::Decrypt,
            true,
            params,
            |key, params| key.decrypt(alg, ciphertext, params),
            |remote, params| async move {
                let params = CipherParameters {
                    iv: params.iv,
                    aad: params.additional_authenticated_data,
                    tag: params.authentication_tag,
                };
                remote.decrypt(alg, ciphertext, params).await.map(secret)
            },
        ))
        .instrument(span.clone())
        .await?;
        record_location(&span, out.location);
        Ok(DecryptResult {
            key_id: out.key_id,
            algorithm,
            plaintext: out.value,
            location: out.location,
        })
    }

    /// Signs `digest` (the message already hashed with the algorithm's hash function; for
    /// ML-DSA, the message itself, with an empty context).
    ///
    /// # Errors
    /// `InvalidArgument` outside the validity window; local or service errors.
    pub async fn sign(&self, algorithm: SignatureAlgorithm, digest: &[u8]) -> Result<SignResult> {
        let mk = || op_span!(self, "CryptographyClient::sign");
        self.sign_in(mk, algorithm, digest).await
    }

    /// [`CryptographyClient::sign`], its span made by `mk` (its own, or `sign_data`'s).
    async fn sign_in(
        &self,
        mk: impl Fn() -> Span,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<SignResult> {
        let alg = &algorithm;
        settled_fast_path!(
            self,
            mk,
            Sign,
            |l, p| match p.sign(alg) {
                Some(prepared) => l.sign_prepared(prepared, digest),
                None => l.sign(alg, digest),
            },
            |signature, key_id| {
                SignResult {
                    key_id,
                    algorithm,
                    signature,
                    location: OperationLocation::Local,
                }
            }
        );
        let span = mk();
        let out = outlined(self.run(
            CryptoOperation::Sign,
            true,
            (),
            |key, ()| key.sign(alg, digest),
            |remote, ()| async move { remote.sign(alg, digest).await.map(bytes) },
        ))
        .instrument(span.clone())
        .await?;
        record_location(&span, out.location);
        Ok(SignResult {
            key_id: out.key_id,
            algorithm,
            signature: out.value,
            location: out.location,
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
        let mk = || op_span!(self, "CryptographyClient::verify");
        self.verify_in(mk, algorithm, digest, signature).await
    }

    /// [`CryptographyClient::verify`], its span made by `mk` (its own, or `verify_data`'s).
    async fn verify_in(
        &self,
        mk: impl Fn() -> Span,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<VerifyResult> {
        let alg = &algorithm;
        settled_fast_path!(
            self,
            mk,
            Verify,
            |l, p| match p.verify(alg) {
                Some(prepared) => l.verify_prepared(prepared, digest, signature),
                None => l.verify(alg, digest, signature),
            },
            |is_valid, key_id| {
                VerifyResult {
                    key_id,
                    algorithm,
                    is_valid,
                    location: OperationLocation::Local,
                }
            }
        );
        let span = mk();
        let out = outlined(self.run(
            CryptoOperation::Verify,
            true,
            (),
            |key, ()| key.verify(alg, digest, signature),
            // The service's verify answer names no key: the client's id stands in.
            |remote, ()| async move {
                let is_valid = remote.verify(alg, digest, signature).await?;
                Ok((is_valid, None))
            },
        ))
        .instrument(span.clone())
        .await?;
        record_location(&span, out.location);
        Ok(VerifyResult {
            key_id: out.key_id,
            algorithm,
            is_valid: out.value,
            location: out.location,
        })
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
        let mk = || op_span!(self, "CryptographyClient::sign_data");
        if algorithm.is_ml_dsa() {
            return self.sign_in(mk, algorithm, data).await;
        }
        let digest = digest_for(&algorithm, data)?;
        self.sign_in(mk, algorithm, &digest).await
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
        let mk = || op_span!(self, "CryptographyClient::verify_data");
        if algorithm.is_ml_dsa() {
            return self.verify_in(mk, algorithm, data, signature).await;
        }
        let digest = digest_for(&algorithm, data)?;
        self.verify_in(mk, algorithm, &digest, signature).await
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
        let span = op_span!(self, "CryptographyClient::sign_ml_dsa");
        require_ml_dsa(&algorithm)?;
        let alg = &algorithm;
        let out = outlined(self.run(
            CryptoOperation::Sign,
            true,
            (),
            |key, ()| key.sign_ml_dsa(alg, input),
            |remote, ()| async move {
                let (value, context, external_mu) = ml_dsa_wire(input);
                let body = KeySignParameters {
                    alg: None,
                    value,
                    external_mu,
                    context,
                };
                remote.sign_with(&body).await.map(bytes)
            },
        ))
        .instrument(span.clone())
        .await?;
        record_location(&span, out.location);
        Ok(SignResult {
            key_id: out.key_id,
            algorithm,
            signature: out.value,
            location: out.location,
        })
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
        let span = op_span!(self, "CryptographyClient::verify_ml_dsa");
        require_ml_dsa(&algorithm)?;
        let alg = &algorithm;
        let out = outlined(self.run(
            CryptoOperation::Verify,
            true,
            (),
            |key, ()| key.verify_ml_dsa(alg, input, signature),
            |remote, ()| async move {
                let (digest, context, external_mu) = ml_dsa_wire(input);
                let body = KeyVerifyParameters {
                    alg: None,
                    digest,
                    value: signature.to_vec(),
                    external_mu,
                    context,
                };
                // The service's verify answer names no key: the client's id stands in.
                Ok((remote.verify_with(&body).await?, None))
            },
        ))
        .instrument(span.clone())
        .await?;
        record_location(&span, out.location);
        Ok(VerifyResult {
            key_id: out.key_id,
            algorithm,
            is_valid: out.value,
            location: out.location,
        })
    }

    /// Wraps `key` (a data key) with `algorithm`.
    ///
    /// # Errors
    /// `InvalidArgument` outside the validity window; local or service errors.
    pub async fn wrap_key(&self, algorithm: KeyWrapAlgorithm, key: &[u8]) -> Result<WrapResult> {
        let mk = || op_span!(self, "CryptographyClient::wrap_key");
        let alg = &algorithm;
        settled_fast_path!(
            self,
            mk,
            WrapKey,
            |l, p| match p.wrap(alg) {
                Some(prepared) => l.wrap_key_prepared(prepared, key),
                None => l.wrap_key(alg, key),
            },
            |encrypted_key, key_id| {
                WrapResult {
                    key_id,
                    algorithm,
                    encrypted_key,
                    location: OperationLocation::Local,
                }
            }
        );
        let span = mk();
        let out = outlined(self.run(
            CryptoOperation::WrapKey,
            true,
            (),
            |local, ()| local.wrap_key(alg, key),
            |remote, ()| async move { remote.wrap_key(alg, key).await.map(bytes) },
        ))
        .instrument(span.clone())
        .await?;
        record_location(&span, out.location);
        Ok(WrapResult {
            key_id: out.key_id,
            algorithm,
            encrypted_key: out.value,
            location: out.location,
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
        let mk = || op_span!(self, "CryptographyClient::unwrap_key");
        let alg = &algorithm;
        settled_fast_path!(
            self,
            mk,
            UnwrapKey,
            |l, p| match p.unwrap(alg) {
                Some(prepared) => l.unwrap_key_prepared(prepared, encrypted_key),
                None => l.unwrap_key(alg, encrypted_key),
            },
            |key, key_id| {
                UnwrapResult {
                    key_id,
                    algorithm,
                    key,
                    location: OperationLocation::Local,
                }
            }
        );
        let span = mk();
        let out = outlined(self.run(
            CryptoOperation::UnwrapKey,
            true,
            (),
            |local, ()| local.unwrap_key(alg, encrypted_key),
            |remote, ()| async move { remote.unwrap_key(alg, encrypted_key).await.map(secret) },
        ))
        .instrument(span.clone())
        .await?;
        record_location(&span, out.location);
        Ok(UnwrapResult {
            key_id: out.key_id,
            algorithm,
            key: out.value,
            location: out.location,
        })
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
