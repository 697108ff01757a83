//! Rotation routes: rotate now, and the rotation policy (get/put), over
//! [`crate::service::rotation`]. The scheduler applies the policy's `Rotate` lifetime
//! actions on its own (see [`crate::scheduler`]).

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::KeyRotationPolicy;

use crate::error::ApiError;
use crate::routes::key_request::KeyRequest;
use crate::service::rotation;

fn with_id(mut policy: KeyRotationPolicy, base: &str, name: &str) -> KeyRotationPolicy {
    policy.id = Some(format!("{base}/keys/{name}/rotationpolicy"));
    policy
}

/// `GET /keys/{name}/rotationpolicy`.
pub(crate) async fn get_rotation_policy(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let (canonical, policy) = rotation::policy(&req.state, req.name.clone()).await?;
    Ok(Json(with_id(policy, &req.ctx.base_url, &canonical)).into_response())
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
