//! Cryptographic operations on stored keys, performed by `kv-crypto-local`: encrypt,
//! decrypt, sign, verify, wrapkey, unwrapkey (release is [`super::release`], secure wrap
//! [`super::secure_wrap`]).
//!
//! Each operation first loads the version through [`super::keys::load_usable`], which
//! checks that it may be used now for it (enabled, `nbf`/`exp`, `key_ops`), then checks the
//! request against the key (algorithm, sign/verify members) and runs on a blocking thread.

use kv_crypto_local::{DecryptParameters, EncryptParameters, LocalKey, MlDsaInput};
use kv_jwk::{
    EncryptionAlgorithm, JsonWebKey, KeyFamily, KeyOperation, KeyWrapAlgorithm, SecretBytes,
    SignatureAlgorithm,
};
use kv_protocol::{
    KeyOperationResult, KeyOperationsParameters, KeySignParameters, KeyVerifyParameters,
    KeyVerifyResult,
};

use crate::error::{ApiError, crypto_error};
use crate::state::AppState;
use crate::store::VersionRow;

use super::keys;

/// A POST operation on a key version: the protocol's `kv_protocol::CryptoOperation`, the same enum
/// the client routes.
pub(crate) use kv_protocol::CryptoOperation as CryptoOp;

/// The request of one operation, as its body reads.
pub(crate) enum CryptoInput {
    /// `encrypt`, `decrypt`, `wrapkey`, `unwrapkey`.
    Ops(KeyOperationsParameters),
    /// `sign`.
    Sign(KeySignParameters),
    /// `verify`.
    Verify(KeyVerifyParameters),
}

/// What an operation answers, before the route gives it the version's `kid`.
pub(crate) enum CryptoResult {
    /// `encrypt`, `decrypt`, `wrapkey`, `unwrapkey` and `sign` (`kid` left `None`).
    Value(KeyOperationResult),
    /// `verify`.
    Verified(KeyVerifyResult),
}

/// One operation run on a version.
pub(crate) struct CryptoOutcome {
    /// The version that ran it.
    pub(crate) row: VersionRow,
    /// The algorithm that ran, as the Managed HSM personality echoes it.
    pub(crate) alg: String,
    /// The answer.
    pub(crate) result: CryptoResult,
}

/// Runs `op` with `name`/`version` (latest when `None`) on `input`.
///
/// # Errors
/// What [`keys::load_usable`] refuses; 400 for a request the key cannot serve (algorithm,
/// missing or excluded members); the crypto error of a failed operation.
pub(crate) async fn operate(
    state: &AppState,
    name: String,
    version: Option<String>,
    op: CryptoOp,
    input: CryptoInput,
) -> Result<CryptoOutcome, ApiError> {
    let (row, private) = keys::load_usable(state, name, version, op.key_operation()).await?;
    let (alg, result) = tokio::task::spawn_blocking(move || run(&private, op, input))
        .await
        .map_err(ApiError::internal)??;
    Ok(CryptoOutcome { row, alg, result })
}

/// The operation itself, on a blocking thread: the algorithm that ran and the answer.
fn run(
    private: &JsonWebKey,
    op: CryptoOp,
    input: CryptoInput,
) -> Result<(String, CryptoResult), ApiError> {
    let key = local_key(private)?;
    match input {
        CryptoInput::Sign(p) => {
            let (alg, signature) = match signed(
                private,
                p.alg.as_ref(),
                p.value.as_deref(),
                "value",
                p.ml_dsa.context.as_deref(),
                p.ml_dsa.external_mu.as_deref(),
            )? {
                Signed::Digest(alg, digest) => {
                    let signature = key.sign(&alg, digest);
                    (alg, signature)
                }
                Signed::MlDsa(alg, input) => {
                    let signature = key.sign_ml_dsa(&alg, &input);
                    (alg, signature)
                }
            };
            let signature = signature.map_err(crypto_error)?;
            let result = KeyOperationResult {
                value: Some(SecretBytes::new(signature)),
                ..Default::default()
            };
            Ok((alg.as_str().to_owned(), CryptoResult::Value(result)))
        }
        CryptoInput::Verify(p) => {
            let (alg, valid) = match signed(
                private,
                p.alg.as_ref(),
                p.digest.as_deref(),
                "digest",
                p.ml_dsa.context.as_deref(),
                p.ml_dsa.external_mu.as_deref(),
            )? {
                Signed::Digest(alg, digest) => {
                    let valid = key.verify(&alg, digest, &p.value);
                    (alg, valid)
                }
                Signed::MlDsa(alg, input) => {
                    let valid = key.verify_ml_dsa(&alg, &input, &p.value);
                    (alg, valid)
                }
            };
            let valid = valid.map_err(crypto_error)?;
            let result = KeyVerifyResult { value: Some(valid) };
            Ok((alg.as_str().to_owned(), CryptoResult::Verified(result)))
        }
        CryptoInput::Ops(p) => {
            let alg = p.alg.to_string();
            let result = symmetric_or_rsa(&key, op, p)?;
            Ok((alg, CryptoResult::Value(result)))
        }
    }
}

/// `private` ready to run operations. A stored key is one the emulator made or accepted
/// at import, so a refusal here is the emulator's fault (500), not the caller's.
pub(crate) fn local_key(private: &JsonWebKey) -> Result<LocalKey, ApiError> {
    LocalKey::new(private).map_err(ApiError::internal)
}

/// What a sign or verify request covers, resolved against the key.
enum Signed<'a> {
    /// RSA, EC, HMAC: `alg` and a digest.
    Digest(SignatureAlgorithm, &'a [u8]),
    /// ML-DSA: the key's parameter set and the message with its context, or external mu.
    MlDsa(SignatureAlgorithm, MlDsaInput<'a>),
}

/// Applies the 2026-05-01-preview rules of `KeySignParameters`/`KeyVerifyParameters`:
/// for `AKP` keys `alg` may be absent (the key's `alg` names the parameter set), `context`
/// is 0-255 bytes, and `external_mu` (64 bytes) excludes `alg`, the data and `context`;
/// other keys need `alg` and the data and take neither `context` nor `external_mu`.
fn signed<'a>(
    private: &JsonWebKey,
    alg: Option<&SignatureAlgorithm>,
    data: Option<&'a [u8]>,
    data_name: &str,
    context: Option<&'a [u8]>,
    external_mu: Option<&'a [u8]>,
) -> Result<Signed<'a>, ApiError> {
    let is_akp = private.kty.as_ref().and_then(|k| k.family()) == Some(KeyFamily::Akp);
    if !is_akp {
        if context.is_some() || external_mu.is_some() {
            return Err(ApiError::bad(
                "context and external_mu are only supported for ML-DSA (AKP) keys.",
            ));
        }
        let alg = alg.ok_or_else(|| ApiError::bad("The parameter `alg` is required."))?;
        let data =
            data.ok_or_else(|| ApiError::bad(format!("The parameter `{data_name}` is required.")))?;
        return Ok(Signed::Digest(alg.clone(), data));
    }
    let key_alg = private
        .alg
        .clone()
        .ok_or_else(|| ApiError::internal("stored AKP key has no alg"))?;
    if let Some(mu) = external_mu {
        if alg.is_some() || data.is_some() || context.is_some() {
            return Err(ApiError::bad(format!(
                "external_mu must not be sent with alg, {data_name} or context."
            )));
        }
        let mu = <&[u8; 64]>::try_from(mu)
            .map_err(|_| ApiError::bad("external_mu must be exactly 64 bytes."))?;
        return Ok(Signed::MlDsa(key_alg, MlDsaInput::ExternalMu(mu)));
    }
    // An `alg` that is sent must be the key's own (LocalKey refuses any other).
    let alg = alg.cloned().unwrap_or(key_alg);
    let message =
        data.ok_or_else(|| ApiError::bad(format!("The parameter `{data_name}` is required.")))?;
    let context = context.unwrap_or_default();
    if context.len() > 255 {
        return Err(ApiError::bad("context must be 0-255 bytes."));
    }
    Ok(Signed::MlDsa(alg, MlDsaInput::Message { message, context }))
}

fn is_cbc(alg: &EncryptionAlgorithm) -> Option<bool> {
    use EncryptionAlgorithm as A;
    match alg {
        A::A128Cbc | A::A192Cbc | A::A256Cbc => Some(false),
        A::A128CbcPad | A::A192CbcPad | A::A256CbcPad => Some(true),
        _ => None,
    }
}

fn symmetric_or_rsa(
    key: &LocalKey,
    op: CryptoOp,
    p: KeyOperationsParameters,
) -> Result<KeyOperationResult, ApiError> {
    let mut out = KeyOperationResult::default();
    let value = p.value.expose_secret();
    match op {
        CryptoOp::Encrypt => {
            let padded;
            let value = match is_cbc(&p.alg) {
                Some(false) if !value.len().is_multiple_of(AES_BLOCK) => {
                    padded = zero_padded(value);
                    padded.as_slice()
                }
                _ => value,
            };
            if let (Some(_), Some(iv)) = (is_cbc(&p.alg), p.iv.as_deref()) {
                // The service lets the caller choose the CBC IV (and returns it).
                out.value = Some(SecretBytes::new(cbc_encrypt_with_iv(
                    key, &p.alg, iv, value,
                )?));
                out.iv = Some(iv.to_vec());
            } else {
                let params = EncryptParameters {
                    iv: None,
                    additional_authenticated_data: p.aad.clone(),
                };
                let r = key.encrypt(&p.alg, value, &params).map_err(crypto_error)?;
                out.value = Some(SecretBytes::new(r.ciphertext));
                out.iv = r.iv;
                out.tag = r.authentication_tag;
                out.aad = r.additional_authenticated_data;
            }
        }
        CryptoOp::Decrypt => {
            let params = DecryptParameters {
                iv: p.iv.clone(),
                authentication_tag: p.tag.clone(),
                additional_authenticated_data: p.aad.clone(),
            };
            let plain = key.decrypt(&p.alg, value, &params).map_err(crypto_error)?;
            out.value = Some(SecretBytes::from(plain));
        }
        CryptoOp::WrapKey => {
            let alg = KeyWrapAlgorithm::from(p.alg.as_str());
            out.value = Some(SecretBytes::new(
                key.wrap_key(&alg, value).map_err(crypto_error)?,
            ));
        }
        CryptoOp::UnwrapKey => {
            let alg = KeyWrapAlgorithm::from(p.alg.as_str());
            let plain = key.unwrap_key(&alg, value).map_err(crypto_error)?;
            out.value = Some(SecretBytes::from(plain));
        }
        CryptoOp::Sign | CryptoOp::Verify | CryptoOp::Release => {
            return Err(ApiError::internal("operation routed to the wrong handler"));
        }
    }
    Ok(out)
}

const AES_BLOCK: usize = 16;

/// AES-CBC without padding on a plaintext that is not a whole number of blocks: Managed
/// HSM fills the last block with zero bytes (decrypt then returns them), where a strict
/// implementation would refuse.
fn zero_padded(value: &[u8]) -> zeroize::Zeroizing<Vec<u8>> {
    let mut padded = zeroize::Zeroizing::new(value.to_vec());
    let len = value.len().div_ceil(AES_BLOCK) * AES_BLOCK;
    padded.resize(len, 0);
    padded
}

fn cbc_encrypt_with_iv(
    key: &LocalKey,
    alg: &EncryptionAlgorithm,
    iv: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, ApiError> {
    // Let LocalKey decide whether this key supports the algorithm at all.
    if !key.supports(&KeyOperation::Encrypt, alg) {
        return Err(ApiError::bad(format!(
            "The algorithm {alg} is not supported for this key."
        )));
    }
    let iv: &[u8; 16] = iv
        .try_into()
        .map_err(|_| ApiError::bad("AES-CBC needs a 16-byte IV."))?;
    key.encrypt_cbc_with_iv(alg, iv, plaintext)
        .map(|out| out.ciphertext)
        .map_err(crypto_error)
}
