//! Managed HSM External Key Manager connection routes (`GET/PATCH/DELETE /ekm`,
//! `POST /ekm/create`, `POST /ekm/check`, `GET /ekm/certificate`; api-version
//! 2026-01-01-preview and later), over [`crate::service::ekm`], and its private endpoint
//! routes (`/ekm/privateendpoint...`, 2026-07-01-preview and later), over
//! [`crate::service::ekm_private_endpoint`].

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kv_protocol::{
    EkmConnection, EkmPrivateEndpointCreateParameters, EkmPrivateEndpointListResult,
    EkmPrivateEndpointOperation,
};

use crate::error::ApiError;
use crate::request::{RequestCtx, parse_json};
use crate::service::{ekm, ekm_private_endpoint};
use crate::state::AppState;

/// `GET /ekm`.
pub async fn get(state: &AppState) -> Result<Response, ApiError> {
    Ok(Json(ekm::get(state).await?).into_response())
}

/// `POST /ekm/create`: fails with 409 when a connection exists.
pub async fn create(state: &AppState, body: &[u8]) -> Result<Response, ApiError> {
    let connection: EkmConnection = parse_json(body)?;
    Ok(Json(ekm::create(state, connection).await?).into_response())
}

/// `PATCH /ekm`: replaces the connection; 404 when there is none.
pub async fn update(state: &AppState, body: &[u8]) -> Result<Response, ApiError> {
    let connection: EkmConnection = parse_json(body)?;
    Ok(Json(ekm::update(state, connection).await?).into_response())
}

/// `DELETE /ekm`: answers the deleted connection; 404 when there is none.
pub async fn delete(state: &AppState) -> Result<Response, ApiError> {
    Ok(Json(ekm::delete(state).await?).into_response())
}

/// `POST /ekm/check`.
pub async fn check(state: &AppState) -> Result<Response, ApiError> {
    Ok(Json(ekm::check(state).await?).into_response())
}

/// `GET /ekm/certificate`.
pub fn certificate() -> Result<Response, ApiError> {
    Ok(Json(ekm::client_certificate()?).into_response())
}

/// 202 with a private endpoint operation, pointing at its status route.
fn accepted(ctx: &RequestCtx, operation: &EkmPrivateEndpointOperation) -> Response {
    let mut response = (StatusCode::ACCEPTED, Json(operation)).into_response();
    let status_url = format!(
        "{}/ekm/privateendpoint/operations/{}?api-version={}",
        ctx.base_url,
        operation.job_id.as_deref().unwrap_or_default(),
        ctx.api_version()
    );
    if let Ok(value) = HeaderValue::from_str(&status_url) {
        response.headers_mut().insert("azure-asyncoperation", value);
    }
    // The operation is already finished (see the service module): no wait needed.
    response
        .headers_mut()
        .insert("retry-after", HeaderValue::from(0u32));
    response
}

/// `GET /ekm/privateendpoint`.
pub async fn list_private_endpoints(state: &AppState) -> Result<Response, ApiError> {
    let value = ekm_private_endpoint::list(state).await?;
    Ok(Json(EkmPrivateEndpointListResult { value }).into_response())
}

/// `GET /ekm/privateendpoint/{peName}`.
pub async fn get_private_endpoint(state: &AppState, name: String) -> Result<Response, ApiError> {
    Ok(Json(ekm_private_endpoint::get(state, name).await?).into_response())
}

/// `POST /ekm/privateendpoint/{peName}`: 202 with the (finished) create operation.
pub async fn create_private_endpoint(
    state: &AppState,
    ctx: &RequestCtx,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    let parameters: EkmPrivateEndpointCreateParameters = parse_json(body)?;
    let operation = ekm_private_endpoint::create(state, name, parameters).await?;
    Ok(accepted(ctx, &operation))
}

/// `DELETE /ekm/privateendpoint/{peName}`: 202 with the (finished) delete operation.
pub async fn delete_private_endpoint(
    state: &AppState,
    ctx: &RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    let operation = ekm_private_endpoint::delete(state, name).await?;
    Ok(accepted(ctx, &operation))
}

/// `GET /ekm/privateendpoint/operations/{operationId}`.
pub async fn private_endpoint_operation(
    state: &AppState,
    id: String,
) -> Result<Response, ApiError> {
    Ok(Json(ekm_private_endpoint::operation(state, id).await?).into_response())
}
