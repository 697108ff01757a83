//! Managed HSM External Key Manager connection routes (`GET/PATCH/DELETE /ekm`,
//! `POST /ekm/create`, `POST /ekm/check`, `GET /ekm/certificate`; api-version
//! 2026-01-01-preview and later), over [`crate::service::ekm`].

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::EkmConnection;

use crate::error::ApiError;
use crate::request::parse_json;
use crate::service::ekm;
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
