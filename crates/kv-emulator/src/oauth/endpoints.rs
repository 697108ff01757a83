//! The token endpoints of `--auth strict` (see [`super`]): client credentials, managed
//! identity, OpenID configuration and the signing key set.

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::{MANAGED_IDENTITY_OID, TOKEN_LIFETIME_SECS, TokenIssuer};
use crate::error::ApiError;
use crate::request::{read_body, request_base_url};
use crate::state::AppState;

/// The token endpoints (no authentication, no `api-version`), merged by
/// [`crate::management::router`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(client_credentials))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(jwks))
        .route("/metadata/identity/oauth2/token", get(managed_identity))
}

/// The OAuth error body Entra ID answers (`error`, `error_description`).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

fn issuer_of(state: &AppState) -> Result<Arc<TokenIssuer>, ApiError> {
    state.settings().token_issuer.clone().ok_or_else(|| {
        ApiError::NotFound("Token endpoints are served with --auth strict only.".into())
    })
}

async fn client_credentials(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    request: Request,
) -> Response {
    let issuer = match issuer_of(&state) {
        Ok(issuer) => issuer,
        Err(e) => return e.into_response(),
    };
    let base = request_base_url(&request);
    let Ok(body) = read_body(request.into_body()).await else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Unreadable body.",
        );
    };
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    if tenant != state.settings().tenant_id {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            "The tenant is not the emulator's tenant.",
        );
    }
    if field("grant_type") != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only grant_type=client_credentials is supported.",
        );
    }
    let (Some(client_id), Some(_secret), Some(scope)) =
        (field("client_id"), field("client_secret"), field("scope"))
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id, client_secret and scope are required.",
        );
    };
    let audience = scope
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_end_matches("/.default");
    let claims = issuer.claims(&base, &tenant, audience, client_id);
    match issuer.sign(&claims) {
        Ok(token) => Json(json!({
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS - 1,
            "ext_expires_in": TOKEN_LIFETIME_SECS - 1,
            "access_token": token,
        }))
        .into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct ManagedIdentityQuery {
    resource: Option<String>,
    client_id: Option<String>,
    object_id: Option<String>,
}

async fn managed_identity(
    State(state): State<AppState>,
    Query(query): Query<ManagedIdentityQuery>,
    request: Request,
) -> Response {
    let issuer = match issuer_of(&state) {
        Ok(issuer) => issuer,
        Err(e) => return e.into_response(),
    };
    let metadata = request
        .headers()
        .get("metadata")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !metadata {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required metadata header not specified",
        );
    }
    let Some(resource) = query.resource.filter(|r| !r.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required query variable 'resource' is missing",
        );
    };
    let oid = query
        .client_id
        .or(query.object_id)
        .unwrap_or_else(|| MANAGED_IDENTITY_OID.to_owned());
    let base = request_base_url(&request);
    let claims = issuer.claims(&base, &state.settings().tenant_id, &resource, &oid);
    match issuer.sign(&claims) {
        Ok(token) => Json(json!({
            "access_token": token,
            "client_id": oid,
            "expires_in": (TOKEN_LIFETIME_SECS - 1).to_string(),
            "expires_on": claims.exp.to_string(),
            "ext_expires_in": (TOKEN_LIFETIME_SECS - 1).to_string(),
            "not_before": claims.nbf.to_string(),
            "resource": resource,
            "token_type": "Bearer",
        }))
        .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn openid_configuration(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    request: Request,
) -> Response {
    if let Err(e) = issuer_of(&state) {
        return e.into_response();
    }
    let base = request_base_url(&request);
    Json(json!({
        "issuer": format!("{base}/{tenant}/v2.0"),
        "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
        "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
        "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
        "response_types_supported": ["token"],
        "grant_types_supported": ["client_credentials"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "tenant_region_scope": null,
    }))
    .into_response()
}

async fn jwks(State(state): State<AppState>) -> Response {
    match issuer_of(&state) {
        Ok(issuer) => Json(json!({"keys": [issuer.public_key()]})).into_response(),
        Err(e) => e.into_response(),
    }
}
