//! Attestation tokens: compact JWS (JWT) checked against the trusted signers.
//!
//! # What the emulator trusts
//! A token is accepted only when its signature verifies under one of the public keys the
//! emulator was given (`--attestation-jwks FILE` with a JWKS document, or
//! [`EmulatorBuilder::trust_attestation_signer`](crate::EmulatorBuilder::trust_attestation_signer)),
//! with one of RS256/384/512, PS256/384/512 or ES256/384/512, when its `nbf`/`exp` (if
//! present) contain the emulator's clock, and when its `iss` equals the release policy
//! rule's `authority`. Nothing is fetched from the network: tests act as their own
//! attestation service by signing tokens with a key they registered.

use kv_crypto_local::LocalKey;
use kv_crypto_local::digest::digest_for;
use kv_jwk::{JsonWebKey, SignatureAlgorithm};
use serde::Deserialize;

use crate::error::ApiError;

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

fn refuse(why: &str) -> ApiError {
    ApiError::Forbidden(format!(
        "Target environment attestation statement cannot be verified: {why}."
    ))
}

/// `header` and `claims` as a compact JWS (`header.claims.signature`, base64url), signed by
/// `key` with `alg` (which `header` names): the one signer of every token the emulator
/// issues (its OAuth access tokens, key release answers, test attestation tokens).
///
/// # Errors
/// [`ApiError::Internal`] if `alg` has no hash or the key cannot sign with it.
pub fn sign(
    key: &LocalKey,
    alg: &SignatureAlgorithm,
    header: &serde_json::Value,
    claims: &serde_json::Value,
) -> Result<String, ApiError> {
    let encode = |v: &serde_json::Value| kv_jwk::base64url::encode(v.to_string().as_bytes());
    let input = format!("{}.{}", encode(header), encode(claims));
    let digest = digest_for(alg, input.as_bytes()).map_err(ApiError::internal)?;
    let signature = key.sign(alg, &digest).map_err(ApiError::internal)?;
    Ok(format!("{input}.{}", kv_jwk::base64url::encode(&signature)))
}

/// Verifies `token` against `signers` at time `now` and returns its claims.
pub fn verify(
    token: &str,
    signers: &[JsonWebKey],
    now: i64,
) -> Result<serde_json::Value, ApiError> {
    let mut parts = token.trim().split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refuse("the target is not a compact JWS"));
    };
    let decode = |part: &str| kv_jwk::base64url::decode(part).map_err(|_| refuse("bad base64url"));
    let header: Header = serde_json::from_slice(&decode(h)?).map_err(|_| refuse("bad header"))?;
    let claims: serde_json::Value =
        serde_json::from_slice(&decode(p)?).map_err(|_| refuse("bad claims"))?;
    let signature = decode(s)?;
    let alg = SignatureAlgorithm::from(header.alg.as_str());
    let allowed = matches!(
        alg,
        SignatureAlgorithm::Rs256
            | SignatureAlgorithm::Rs384
            | SignatureAlgorithm::Rs512
            | SignatureAlgorithm::Ps256
            | SignatureAlgorithm::Ps384
            | SignatureAlgorithm::Ps512
            | SignatureAlgorithm::Es256
            | SignatureAlgorithm::Es384
            | SignatureAlgorithm::Es512
    );
    if !allowed {
        return Err(refuse("unsupported token algorithm"));
    }
    let signing_input = format!("{h}.{p}");
    let digest = digest_for(&alg, signing_input.as_bytes()).map_err(|_| refuse("no hash"))?;
    let verified = signers
        .iter()
        .filter(|k| match (&header.kid, &k.kid) {
            (Some(want), Some(have)) => want == have,
            _ => true,
        })
        .filter_map(|k| LocalKey::new(&k.to_public()).ok())
        .any(|k| k.verify(&alg, &digest, &signature).unwrap_or(false));
    if !verified {
        return Err(refuse(
            "the token is not signed by a trusted attestation signer",
        ));
    }
    if claims
        .get("exp")
        .and_then(serde_json::Value::as_i64)
        .is_some_and(|exp| now >= exp)
    {
        return Err(refuse("the token has expired"));
    }
    if claims
        .get("nbf")
        .and_then(serde_json::Value::as_i64)
        .is_some_and(|nbf| now < nbf)
    {
        return Err(refuse("the token is not valid yet"));
    }
    Ok(claims)
}

/// The target's runtime RSA public key from `x-ms-runtime.keys` (the first RSA key that
/// may encrypt).
pub fn runtime_key(claims: &serde_json::Value) -> Result<JsonWebKey, ApiError> {
    let keys = claims
        .get("x-ms-runtime")
        .and_then(|r| r.get("keys"))
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| refuse("the token carries no x-ms-runtime.keys"))?;
    keys.iter()
        .filter_map(|k| serde_json::from_value::<JsonWebKey>(k.clone()).ok())
        .find(|k| {
            k.kty.as_ref().and_then(kv_jwk::KeyType::family) == Some(kv_jwk::KeyFamily::Rsa)
                && k.key_ops
                    .as_ref()
                    .is_none_or(|ops| ops.contains(&kv_jwk::KeyOperation::Encrypt))
        })
        .map(|k| k.to_public())
        .ok_or_else(|| refuse("the token carries no RSA runtime key"))
}
