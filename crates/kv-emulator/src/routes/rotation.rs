//! Rotation routes: rotate now, and the rotation policy (get/put), over
//! [`crate::service::rotation`]. The scheduler applies the policy's `Rotate` lifetime
//! actions on its own (see [`crate::scheduler`]).

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::KeyRotationPolicy;

use crate::error::ApiError;
use crate::routes::key_request::KeyRequest;
use crate::service::rotation;
use crate::vaults::VaultKind;

/// `policy` with its `id`: the policy's URL on a vault, `keys/{name}/rotationpolicy`
/// (relative) on a Managed HSM (Python `test_key_rotation_policy[7.5_mhsm]` and
/// `test_key_rotation[7.5_mhsm]`, June 2026; Go's older `TestRotateKey/MHSM` had the URL).
fn with_id(mut policy: KeyRotationPolicy, req: &KeyRequest<'_>, name: &str) -> Response {
    let relative = format!("keys/{name}/rotationpolicy");
    policy.id = Some(if req.state.kind().is_hsm() {
        relative
    } else {
        format!("{}/{relative}", req.ctx.base_url)
    });
    Json(policy).into_response()
}

/// `GET /keys/{name}/rotationpolicy`.
pub(crate) async fn get_rotation_policy(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let (canonical, policy) = rotation::policy(&req.state, req.name.clone()).await?;
    match policy {
        Some(policy) => Ok(with_id(policy, &req, &canonical)),
        None => default_policy_answer(req.state.kind()),
    }
}

/// A key without a policy of its own. A vault answers the default policy without an `id`
/// and with `"attributes": null` (the .NET `GetKeyRotationPolicyReturnsDefault` and JS
/// `keyrotation/get_a_key_rotation_policy` recordings, 2024 and 2026); a Managed HSM
/// answers an empty policy: no actions, zero times, empty `id` and `expiryTime` (Java
/// `KeyAsyncClientManagedHsmTest.getKeyRotationPolicyWithNoPolicySet`, 2026).
fn default_policy_answer(kind: VaultKind) -> Result<Response, ApiError> {
    if kind.is_hsm() {
        return Ok(Json(serde_json::json!({
            "attributes": {"created": 0, "expiryTime": "", "updated": 0},
            "id": "",
        }))
        .into_response());
    }
    let mut body = serde_json::to_value(rotation::default_policy()).map_err(ApiError::internal)?;
    if let Some(object) = body.as_object_mut() {
        object.remove("id");
        object.insert("attributes".into(), serde_json::Value::Null);
    }
    Ok(Json(body).into_response())
}

/// `PUT /keys/{name}/rotationpolicy`.
pub(crate) async fn put_rotation_policy(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let given: KeyRotationPolicy = req.named_params()?;
    let (canonical, stored) = rotation::set_policy(&req.state, req.name.clone(), given).await?;
    Ok(with_id(stored, &req, &canonical))
}

/// `POST /keys/{name}/rotate`.
pub(crate) async fn rotate_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    req.check_name()?;
    let row = rotation::rotate(&req.state, req.name.clone()).await?;
    Ok(req.bundle(&row))
}
