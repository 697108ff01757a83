//! Cryptographic operations on stored keys, performed by `kv-crypto-local`: encrypt,
//! decrypt, sign, verify, wrapkey, unwrapkey (release is [`super::release`]).
//!
//! Each operation first loads the version through [`crate::service::keys::load_usable`],
//! which checks that it may be used now for it (enabled, `nbf`/`exp`, `key_ops`), then
//! runs on a blocking thread.

use axum::Json;
use axum::response::{IntoResponse, Response};
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
use crate::personality;
use crate::request::{RequestCtx, parse_json};
use crate::routes::view;
use crate::service::keys;
use crate::state::AppState;

/// A POST operation on a key version: the protocol's `kv_protocol::CryptoOperation`, the same enum
/// the client routes.
pub use kv_protocol::CryptoOperation as CryptoOp;

/// `POST /keys/{name}/{version}/{op}`.
pub async fn operate(
    state: AppState,
    ctx: RequestCtx,
    op: CryptoOp,
    name: String,
    version: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    if op == CryptoOp::Release {
        // Dispatched to `routes::release` before it gets here.
        return Err(ApiError::internal("release routed to the wrong handler"));
    }
    enum Input {
        Ops(KeyOperationsParameters),
        Sign(KeySignParameters),
        Verify(KeyVerifyParameters),
    }
    let input = match op {
        CryptoOp::Sign => Input::Sign(parse_json(body)?),
        CryptoOp::Verify => Input::Verify(parse_json(body)?),
        _ => Input::Ops(parse_json(body)?),
    };
    let (row, private) = keys::load_usable(&state, name, version, op.key_operation()).await?;
    let kid = view::kid(&ctx.base_url, &row.name, &row.version);
    let kind = state.kind();
    let response = tokio::task::spawn_blocking(move || -> Result<Response, ApiError> {
        let key = LocalKey::new(&private).map_err(ApiError::internal)?;
        match input {
            Input::Sign(p) => {
                let (alg, signature) = match signed(
                    &private,
                    p.alg.as_ref(),
                    p.value.as_deref(),
                    "value",
                    p.context.as_deref(),
                    p.external_mu.as_deref(),
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
                    kid: Some(kid.clone()),
                    value: Some(SecretBytes::new(signature)),
                    ..Default::default()
                };
                personality::operation_result(kind, alg.as_str(), &kid, &result)
            }
            Input::Verify(p) => {
                let (alg, valid) = match signed(
                    &private,
                    p.alg.as_ref(),
                    p.digest.as_deref(),
                    "digest",
                    p.context.as_deref(),
                    p.external_mu.as_deref(),
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
                personality::operation_result(kind, alg.as_str(), &kid, &result)
            }
            Input::Ops(p) => {
                let alg = p.alg.to_string();
                let result = symmetric_or_rsa(&key, op, p, kid.clone())?;
                personality::operation_result(kind, &alg, &kid, &result)
            }
        }
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(response)
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
    kid: String,
) -> Result<KeyOperationResult, ApiError> {
    let mut out = KeyOperationResult {
        kid: Some(kid),
        ..Default::default()
    };
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

/// `GET /keys/{name}/{version}/attestation`: the key bundle with `attributes.attestation`.
///
/// The service sends `certificatePemFile`, `privateKeyAttestation`,
/// `publicKeyAttestation` and `version`, the same for every version of the key. The
/// emulator has no HSM to vouch for its keys: the certificate file is the emulator's own
/// CA (see [`crate::tls`]) and the two blobs are JSON statements naming the key and
/// saying that no HSM attested it ([`emulator_attestation`]).
pub async fn key_attestation(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
) -> Result<Response, ApiError> {
    let row = keys::get(&state, name, version).await?;
    let mut bundle = view::bundle(&ctx.base_url, &row, state.settings());
    if let Some(attributes) = bundle.attributes.as_mut() {
        attributes.attestation = Some(emulator_attestation(
            &view::versionless_kid(&ctx.base_url, &row.name),
            &state.settings().ca_pem,
        ));
    }
    Ok(Json(bundle).into_response())
}

/// The attestation format version the emulator writes (the service's HSMs write their
/// vendor's, such as `MRVL-1`; the emulator's blobs are not in that format).
pub const ATTESTATION_VERSION: &str = "kv-emulator-1";

/// The attestation of the key `versionless_kid`: the same for every version, as the
/// service's.
pub fn emulator_attestation(versionless_kid: &str, ca_pem: &str) -> kv_protocol::KeyAttestation {
    let statement = |part: &str| {
        serde_json::json!({
            "key": versionless_kid,
            "part": part,
            "attestedBy": "kv-emulator: software keys, no HSM attests them",
        })
        .to_string()
        .into_bytes()
    };
    kv_protocol::KeyAttestation {
        // Empty only when a caller built the state without TLS material.
        certificate_pem_file: (!ca_pem.is_empty()).then(|| ca_pem.as_bytes().to_vec()),
        private_key_attestation: Some(statement("private")),
        public_key_attestation: Some(statement("public")),
        version: Some(ATTESTATION_VERSION.into()),
    }
}
