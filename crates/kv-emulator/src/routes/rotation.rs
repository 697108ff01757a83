//! Rotation routes: rotate now, and the rotation policy (get/put), over
//! [`crate::service::rotation`]. The scheduler applies the policy's `Rotate` lifetime
//! actions on its own (see [`crate::scheduler`]).

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::KeyRotationPolicy;

use crate::error::ApiError;
use crate::names::validate_key_name;
use crate::request::{RequestCtx, parse_json};
use crate::service::rotation;
use crate::state::AppState;

fn with_id(mut policy: KeyRotationPolicy, base: &str, name: &str) -> KeyRotationPolicy {
    policy.id = Some(format!("{base}/keys/{name}/rotationpolicy"));
    policy
}

/// `GET /keys/{name}/rotationpolicy`.
pub async fn get_rotation_policy(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    let (canonical, policy) = rotation::policy(&state, name).await?;
    Ok(Json(with_id(policy, &ctx.base_url, &canonical)).into_response())
}

/// `PUT /keys/{name}/rotationpolicy`.
pub async fn put_rotation_policy(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let given: KeyRotationPolicy = parse_json(body)?;
    let (canonical, stored) = rotation::set_policy(&state, name, given).await?;
    Ok(Json(with_id(stored, &ctx.base_url, &canonical)).into_response())
}

/// `POST /keys/{name}/rotate`.
pub async fn rotate_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let row = rotation::rotate(&state, name).await?;
    Ok(super::keys::answer(&state, &ctx, &row))
}
