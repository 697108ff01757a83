//! External key references: `POST /keys/{name}/create` with `attributes.external_key`
//! (api-version 2026-01-01-preview and later), over [`crate::service::external`]. As
//! recorded for the live service, the create body has no `kty`.

use axum::response::Response;
use kv_jwk::KeyType;
use kv_protocol::ExternalKeyCreateParameters;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::error::ApiError;
use crate::routes::key_request::KeyRequest;
use crate::service::external;

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
pub(crate) async fn create_external_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let params: ExternalKeyCreateParameters = req.params()?;
    let kty = probe(req.body).and_then(|p| p.kty);
    if kty.as_ref().is_some_and(|k| *k != KeyType::OctHsm) {
        return Err(ApiError::bad(
            "kty and attributes.external_key are mutually exclusive (the emulator answers \
             external keys as oct-HSM).",
        ));
    }
    let row = external::create(&req.state, req.name.clone(), params).await?;
    Ok(req.bundle(&row))
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
