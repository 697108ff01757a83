//! External key references (Managed HSM External Key Manager, api-version
//! 2026-01-01-preview and later).
//!
//! The service stores only a reference: the key material lives in an external HSM behind
//! the EKM proxy configured with `/ekm/create`. As recorded for the live service, the
//! answer is an `oct-HSM` key with `key_size` 256 and `key_ops` `wrapKey`/`unwrapKey`.
//!
//! Test double: the emulator reaches no proxy. It stands in for the external HSM by
//! generating an AES-256 key per external key version, so wrap and unwrap on the reference
//! work end to end (the only operations the service supports on external keys). Creating a
//! reference needs an EKM connection ([`super::ekm`]).

use kv_jwk::{KeyOperation, KeyType};
use kv_protocol::{ExternalKey, ExternalKeyCreateParameters};

use crate::error::{ApiError, crypto_error};
use crate::names::validate_key_name;
use crate::state::AppState;
use crate::store::VersionRow;

use super::keys::{NewVersion, insert, new_meta};

/// AES key size the service reports for external keys.
const EXTERNAL_KEY_BITS: usize = 256;

/// Creates a version of `name` that refers to the external key `params` names.
pub(crate) async fn create(
    state: &AppState,
    name: String,
    params: ExternalKeyCreateParameters,
) -> Result<VersionRow, ApiError> {
    validate_key_name(&name)?;
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
    if super::ekm::connection(state).await?.is_none() {
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
            .map_err(crypto_error)?;
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
    state
        .store()
        .run(move |tx| insert(tx, &name, &meta, &private))
        .await
}
