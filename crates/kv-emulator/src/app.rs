//! The HTTP application: [`router`] joins the routes and the middleware.
//!
//! Middleware, outermost first: request log, challenge authentication (so an
//! unauthenticated request gets its 401 before anything is parsed), RBAC enforcement
//! (when on), `api-version` check. Administration paths (roles, backup/restore,
//! settings) are matched by the fallback, since `{scope}` may be empty (`//providers/...`).
//! Bodies are read by the handlers with a 1 MiB limit.

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};

use crate::error::ApiError;
use crate::request::{
    RequestCtx, check_api_version, parse_json, read_body, refuse_declared_oversized_body,
    request_host, require_json_content_type,
};
use crate::state::AppState;
use crate::vaults::VaultId;
use crate::{auth, logging, routes};

/// The emulator's HTTP application over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/keys", any(routes::dispatch))
        .route("/keys/", any(routes::dispatch))
        .route("/keys/{*rest}", any(routes::dispatch))
        .route("/deletedkeys", any(routes::dispatch))
        .route("/deletedkeys/", any(routes::dispatch))
        .route("/deletedkeys/{*rest}", any(routes::dispatch))
        .route("/rng", post(random_bytes))
        .fallback(routes::admin::dispatch)
        .layer(from_fn(require_json_content_type))
        .layer(from_fn(check_api_version))
        .layer(from_fn(refuse_declared_oversized_body))
        .layer(from_fn_with_state(
            state.clone(),
            routes::admin::access::enforce_rbac,
        ))
        .layer(from_fn_with_state(state.clone(), auth::challenge_auth))
        .layer(from_fn_with_state(state.clone(), bind_vault))
        .layer(from_fn(logging::log_request))
        // Emulator-only endpoints (health, clock) bring their own middleware.
        .merge(crate::management::router(state.clone()))
        .with_state(state)
}

/// Middleware: binds the request to the vault or Managed HSM its host names (see
/// [`crate::vaults`]); everything after it (challenge, RBAC, handlers) sees that
/// instance's state.
async fn bind_vault(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let host = request_host(&request);
    let id = VaultId::of_host(host.as_deref(), state.settings().kind);
    let kind = id.kind;
    match state.bind(id).await {
        Ok(bound) => {
            request.extensions_mut().insert(bound);
            let base = format!("https://{}", host.unwrap_or_default());
            crate::vaults::scope(kind, base, next.run(request)).await
        }
        Err(e) => e.into_response(),
    }
}

/// `POST /rng`: 1 to 128 random bytes.
async fn random_bytes(_ctx: RequestCtx, request: Request) -> Result<Response, ApiError> {
    let body = read_body(request.into_body()).await?;
    // Read wider than the wire type so that a negative count gets the service's range
    // message, not a parse error (JS `returns an error when bytes is out of range`).
    #[derive(serde::Deserialize)]
    struct Count {
        count: i64,
    }
    let params: Count = parse_json(&body)?;
    let max = i64::from(kv_protocol::GetRandomBytesRequest::MAX_COUNT);
    if !(1..=max).contains(&params.count) {
        return Err(ApiError::bad(crate::error::hsm_activity_id(&format!(
            "GetRandomBytesRequest: count cannot be greater than {max} or less than 1"
        ))));
    }
    let len = usize::try_from(params.count).map_err(ApiError::internal)?;
    let bytes = kv_crypto_local::random_bytes(len).map_err(ApiError::internal)?;
    Ok(axum::Json(kv_protocol::RandomBytes {
        value: kv_jwk::SecretBytes::from(bytes),
    })
    .into_response())
}
