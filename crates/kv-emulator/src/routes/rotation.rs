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

fn with_id(mut policy: KeyRotationPolicy, base: &str, name: &str) -> KeyRotationPolicy {
    policy.id = Some(format!("{base}/keys/{name}/rotationpolicy"));
    policy
}

/// `GET /keys/{name}/rotationpolicy`.
pub(crate) async fn get_rotation_policy(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let (canonical, policy) = rotation::policy(&req.state, req.name.clone()).await?;
    match policy {
        Some(policy) => Ok(Json(with_id(policy, &req.ctx.base_url, &canonical)).into_response()),
        None => default_policy_answer(crate::personality::kind_of_base(
            &req.ctx.base_url,
            req.state.settings().kind,
        )),
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
    Ok(Json(with_id(stored, &req.ctx.base_url, &canonical)).into_response())
}

/// `POST /keys/{name}/rotate`.
pub(crate) async fn rotate_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    req.check_name()?;
    let row = rotation::rotate(&req.state, req.name.clone()).await?;
    Ok(req.bundle(&row))
}
