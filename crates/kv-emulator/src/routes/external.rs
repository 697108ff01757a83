//! External key references (`POST /keys/{name}/create` with `attributes.external_key`,
//! api-version 2026-01-01-preview and later; Managed HSM External Key Manager).
//!
//! The service stores only a reference: the key material lives in an external HSM behind
//! the EKM proxy configured with `/ekm/create`. As recorded for the live service, the
//! create body has no `kty`, and the answer is an `oct-HSM` key with `key_size` 256 and
//! `key_ops` `wrapKey`/`unwrapKey`.
//!
//! Test double: the emulator reaches no proxy. It stands in for the external HSM by
//! generating an AES-256 key per external key version, so wrap and unwrap on the reference
//! work end to end (the only operations the service supports on external keys). Creating a
//! reference needs an EKM connection (see [`crate::service::ekm`]).

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_jwk::{KeyOperation, KeyType};
use kv_protocol::{ExternalKey, ExternalKeyCreateParameters};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::error::ApiError;
use crate::request::{RequestCtx, parse_json};
use crate::routes::keys::{NewVersion, insert, new_meta};
use crate::routes::view;
use crate::state::AppState;

/// AES key size the service reports for external keys.
const EXTERNAL_KEY_BITS: usize = 256;

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    kty: Option<KeyType>,
    #[serde(default)]
    attributes: Option<ProbeAttributes>,
}

#[derive(Deserialize)]
struct ProbeAttributes {
    #[serde(default)]
    external_key: Option<IgnoredAny>,
}

fn probe(body: &[u8]) -> Option<Probe> {
    serde_json::from_slice::<Probe>(body).ok()
}

/// Whether a create body asks for an external key reference.
pub fn is_external_create(body: &[u8]) -> bool {
    probe(body)
        .and_then(|p| p.attributes)
        .is_some_and(|a| a.external_key.is_some())
}

/// `POST /keys/{name}/create` with `attributes.external_key` (the name is validated by the
/// caller).
pub async fn create_external_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: ExternalKeyCreateParameters = parse_json(body)?;
    let kty = probe(body).and_then(|p| p.kty);
    if kty.as_ref().is_some_and(|k| *k != KeyType::OctHsm) {
        return Err(ApiError::bad(
            "kty and attributes.external_key are mutually exclusive (the emulator answers \
             external keys as oct-HSM).",
        ));
    }
    let id = params
        .external_key_id()
        .ok_or_else(|| ApiError::bad("attributes.external_key.id is required."))?
        .to_owned();
    if !ExternalKey::is_valid_id(&id) {
        return Err(ApiError::bad(format!(
            "The external key id must be 1 to {} characters of [a-zA-Z0-9-].",
            ExternalKey::MAX_ID_LEN
        )));
    }
    if crate::service::ekm::connection(&state).await?.is_none() {
        return Err(ApiError::bad(
            "No EKM connection is configured; create one with POST /ekm/create first.",
        ));
    }
    let ops = params
        .key_ops
        .clone()
        .unwrap_or_else(|| vec![KeyOperation::WrapKey, KeyOperation::UnwrapKey]);
    if let Some(op) = ops
        .iter()
        .find(|op| !matches!(op, KeyOperation::WrapKey | KeyOperation::UnwrapKey))
    {
        return Err(ApiError::bad(format!(
            "Operation {op} is not supported on external keys (only wrapKey and unwrapKey)."
        )));
    }
    if params.attributes.exportable == Some(true) {
        return Err(ApiError::bad("An external key cannot be exportable."));
    }
    let mut private =
        tokio::task::spawn_blocking(|| kv_crypto_local::generate_oct(EXTERNAL_KEY_BITS))
            .await
            .map_err(ApiError::internal)?
            .map_err(crate::routes::crypto::crypto_error)?;
    private.kty = Some(KeyType::OctHsm);
    let now = state.clock().now();
    let mut attributes = params.attributes;
    attributes.external_key = None;
    let mut meta = new_meta(
        &private,
        NewVersion {
            key_ops: Some(ops),
            attributes: Some(attributes),
            tags: params.tags,
            release_policy: None,
        },
        now,
    )?;
    meta.attributes.external_key = Some(ExternalKey { id });
    let row = state
        .store()
        .run(move |tx| insert(tx, &name, &meta, &private))
        .await?;
    Ok(Json(view::bundle(&ctx.base_url, &row, state.settings())).into_response())
}

/// External keys have no service-managed rotation (the operator creates a new version
/// with a new external key id), so rotate refuses them.
///
/// # Errors
/// 400 for an external key reference.
pub fn refuse_rotation(meta: &crate::store::KeyMeta) -> Result<(), ApiError> {
    if meta.attributes.external_key.is_some() {
        return Err(ApiError::bad(
            "An external key is not rotated by the service: create a new version that refers \
             to the new external key instead.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_external_create_bodies() {
        assert!(is_external_create(
            br#"{"attributes": {"external_key": {"id": "x"}}}"#
        ));
        assert!(!is_external_create(br#"{"kty": "RSA"}"#));
        assert!(!is_external_create(
            br#"{"kty": "RSA", "attributes": {"enabled": true}}"#
        ));
        assert!(!is_external_create(b"not json"));
    }
}
