//! Secure key release (`POST /keys/{name}/{version}/release`).
//!
//! An exportable key with a release policy is released only for an attestation token whose
//! signature, validity and claims satisfy the policy (see [`token`] for what the emulator
//! trusts). The answer is a JWS whose payload carries the key bundle with `key.key_hsm`:
//! the key wrapped to the token's runtime public key (see [`wrap`]). The JWS is signed
//! ES256 with a key the emulator generates per process; its public key is in the JWS
//! header (`jwk`).

pub mod policy;
pub mod token;
pub mod wrap;

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_crypto_local::LocalKey;
use kv_jwk::{JsonWebKey, KeyCurveName, SignatureAlgorithm};
use kv_protocol::{KeyEncryptionAlgorithm, KeyReleaseParameters, KeyReleaseResult};
use serde_json::json;

pub use policy::{PolicyDocument, parse_policy, validate_policy};

use crate::error::ApiError;
use crate::names::validate_key_name;
use crate::request::{RequestCtx, parse_json};
use crate::routes::crypto::crypto_error;
use crate::routes::keys::find;
use crate::routes::view;
use crate::state::AppState;

fn signer() -> Result<&'static JsonWebKey, ApiError> {
    static SIGNER: std::sync::OnceLock<JsonWebKey> = std::sync::OnceLock::new();
    if let Some(k) = SIGNER.get() {
        return Ok(k);
    }
    let key = kv_crypto_local::generate_ec(&KeyCurveName::P256).map_err(crypto_error)?;
    Ok(SIGNER.get_or_init(|| key))
}

fn sign_jws(payload: &serde_json::Value) -> Result<String, ApiError> {
    let key = signer()?;
    let header =
        json!({"alg": "ES256", "typ": "JWT", "kid": "kv-emulator-release", "jwk": key.to_public()});
    let encode = |v: &serde_json::Value| -> Result<String, ApiError> {
        Ok(kv_jwk::base64url::encode(
            &serde_json::to_vec(v).map_err(ApiError::internal)?,
        ))
    };
    let input = format!("{}.{}", encode(&header)?, encode(payload)?);
    let alg = SignatureAlgorithm::Es256;
    let digest = kv_crypto_local::digest::sha256(input.as_bytes());
    let signature = LocalKey::new(key)
        .map_err(crypto_error)?
        .sign(&alg, &digest)
        .map_err(crypto_error)?;
    Ok(format!("{input}.{}", kv_jwk::base64url::encode(&signature)))
}

/// `POST /keys/{name}/{version}/release`.
pub async fn release(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let params: KeyReleaseParameters = parse_json(body)?;
    let enc = params
        .enc
        .clone()
        .unwrap_or(KeyEncryptionAlgorithm::CkmRsaAesKeyWrap);
    let now = state.clock().now();
    let (row, private) = state
        .store()
        .run(move |tx| {
            let row = find(tx, &name, version.as_deref())?;
            let attrs = &row.meta.attributes;
            if attrs.enabled == Some(false) {
                return Err(ApiError::Forbidden(
                    "Operation release is not allowed on a disabled key.".into(),
                ));
            }
            if attrs.nbf.is_some_and(|nbf| now < nbf) || attrs.exp.is_some_and(|exp| now >= exp) {
                return Err(ApiError::Forbidden(
                    "Operation release is not allowed outside the key's validity period.".into(),
                ));
            }
            if attrs.exportable != Some(true) {
                return Err(ApiError::Forbidden("The key is not exportable.".into()));
            }
            let private = tx.private(&row.name, &row.version)?;
            Ok((row, private))
        })
        .await?;
    let policy = row
        .meta
        .release_policy
        .as_ref()
        .ok_or_else(|| ApiError::Forbidden("The key has no release policy.".into()))?;
    let document = parse_policy(policy)?;
    let signers = state.settings().attestation_signers.clone();
    let target = params.target.clone();
    let claims = tokio::task::spawn_blocking(move || token::verify(&target, &signers, now))
        .await
        .map_err(ApiError::internal)??;
    if !document.allows(&claims) {
        return Err(ApiError::Forbidden(
            "The attestation token does not satisfy the key's release policy.".into(),
        ));
    }
    let runtime = token::runtime_key(&claims)?;
    let wrap_enc = enc.clone();
    let key_hsm =
        tokio::task::spawn_blocking(move || wrap::wrap_for_target(&private, &runtime, &wrap_enc))
            .await
            .map_err(ApiError::internal)??;
    let mut bundle = view::bundle(&ctx.base_url, &row, state.settings());
    if let Some(key) = bundle.key.as_mut() {
        key.t = Some(key_hsm);
    }
    let kid = view::kid(&ctx.base_url, &row.name, &row.version);
    let payload = json!({
        "request": {"api-version": ctx.api_version(), "enc": enc.as_str(), "kid": kid, "nonce": params.nonce},
        "response": {"key": bundle},
        "iat": now,
    });
    let value = sign_jws(&payload)?;
    Ok(Json(KeyReleaseResult { value: Some(value) }).into_response())
}
