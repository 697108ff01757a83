//! `--auth strict` through the router: the token endpoints, and the 401s for a missing,
//! expired, wrongly signed and wrong-audience token; with RBAC, a forged `oid` is refused.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use super::{HOST, HSM_HOST, TestApp, code};
use crate::clock::Clock;
use crate::config::DEFAULT_TENANT;
use crate::oauth::{Claims, TokenIssuer};
use crate::state::{AppState, VaultSettings};
use crate::store::Store;

/// The challenge resource for requests to [`HOST`].
const RESOURCE: &str = "https://vault.localhost:8443";
const HSM_RESOURCE: &str = "https://managedhsm.localhost:8443";

fn strict_app(rbac_admins: &[&str]) -> (TestApp, Arc<TokenIssuer>) {
    let dir = tempfile::tempdir().unwrap();
    let issuer = Arc::new(TokenIssuer::generate().unwrap());
    let state = AppState::new(
        Store::open(dir.path()).unwrap(),
        Clock::default(),
        VaultSettings {
            token_issuer: Some(issuer.clone()),
            rbac: !rbac_admins.is_empty(),
            rbac_admins: rbac_admins.iter().map(|s| (*s).to_owned()).collect(),
            ..VaultSettings::default()
        },
    );
    (TestApp { state, _dir: dir }, issuer)
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Option<String>, Value) {
    send_at(app, HOST, method, path, headers, body).await
}

async fn send_at(
    app: &TestApp,
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Option<String>, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, host);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = crate::router(app.state.clone())
        .oneshot(req.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let challenge = resp
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, challenge, value)
}

async fn list_keys(app: &TestApp, token: Option<&str>) -> (StatusCode, Option<String>, Value) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("authorization", a)])
        .unwrap_or_default();
    send(app, "GET", "/keys?api-version=7.6", &headers, "").await
}

async fn client_token(app: &TestApp, client_id: &str, scope: &str) -> String {
    let form = format!(
        "grant_type=client_credentials&client_id={client_id}&client_secret=s3cret&scope={}",
        url::form_urlencoded::byte_serialize(scope.as_bytes()).collect::<String>()
    );
    let (status, _, body) = send(
        app,
        "POST",
        &format!("/{DEFAULT_TENANT}/oauth2/v2.0/token"),
        &[("content-type", "application/x-www-form-urlencoded")],
        &form,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    body["access_token"].as_str().unwrap().to_owned()
}

fn assert_refused(result: &(StatusCode, Option<String>, Value), why: &str) {
    assert_refused_at(result, why, HOST, RESOURCE);
}

fn assert_refused_at(
    result: &(StatusCode, Option<String>, Value),
    why: &str,
    host: &str,
    resource: &str,
) {
    let (status, challenge, body) = result;
    assert_eq!(*status, StatusCode::UNAUTHORIZED, "{why}: {body}");
    assert_eq!(code(body), "Unauthorized", "{why}");
    let challenge = challenge.as_deref().unwrap_or_default();
    assert!(
        challenge.contains(&format!(
            "authorization=\"https://{host}/{DEFAULT_TENANT}\""
        )),
        "{why}: {challenge}"
    );
    assert!(
        challenge.contains(&format!("resource=\"{resource}\"")),
        "{why}"
    );
}

#[tokio::test]
async fn strict_auth_accepts_only_issued_tokens_that_verify() {
    let (app, issuer) = strict_app(&[]);
    let good = client_token(&app, "app-1", &format!("{RESOURCE}/.default")).await;
    assert_eq!(list_keys(&app, Some(&good)).await.0, StatusCode::OK);

    let missing = list_keys(&app, None).await;
    assert_refused(&missing, "missing");
    assert_eq!(
        missing.2["error"]["message"],
        "AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token."
    );
    assert_refused(&list_keys(&app, Some("any-token")).await, "not a JWT");

    let claims = issuer.claims("https://x", DEFAULT_TENANT, RESOURCE, "app-1");
    let expired = issuer
        .sign(&Claims {
            iat: claims.iat - 7200,
            nbf: claims.iat - 7200,
            exp: claims.iat - 3600,
            ..claims.clone()
        })
        .unwrap();
    assert_refused(&list_keys(&app, Some(&expired)).await, "expired");

    let stranger = TokenIssuer::generate().unwrap();
    let wrongly_signed = stranger.sign(&claims).unwrap();
    assert_refused(
        &list_keys(&app, Some(&wrongly_signed)).await,
        "wrongly signed",
    );

    let wrong_audience = client_token(&app, "app-1", "https://vault.azure.net/.default").await;
    assert_refused(
        &list_keys(&app, Some(&wrong_audience)).await,
        "wrong audience",
    );

    // The management endpoint is authenticated the same way.
    let bearer = format!("Bearer {good}");
    let (status, _, _) = send(
        &app,
        "GET",
        "/_emulator/clock",
        &[("authorization", &bearer)],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(
        &app,
        "GET",
        "/_emulator/clock",
        &[("authorization", "Bearer test-token")],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn managed_identity_endpoint_issues_tokens() {
    let (app, _) = strict_app(&[]);
    let path = format!(
        "/metadata/identity/oauth2/token?api-version=2018-02-01&resource={}",
        url::form_urlencoded::byte_serialize(RESOURCE.as_bytes()).collect::<String>()
    );
    let (status, _, _) = send(&app, "GET", &path, &[], "").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the Metadata header is required"
    );
    let (status, _, body) = send(&app, "GET", &path, &[("metadata", "true")], "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["resource"], RESOURCE);
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(list_keys(&app, Some(token)).await.0, StatusCode::OK);
    let (status, _, jwks) = send(
        &app,
        "GET",
        &format!("/{DEFAULT_TENANT}/discovery/v2.0/keys"),
        &[],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(jwks["keys"][0]["n"].is_string());
    assert!(jwks["keys"][0].get("d").is_none());
    let (status, _, config) = send(
        &app,
        "GET",
        &format!("/{DEFAULT_TENANT}/v2.0/.well-known/openid-configuration"),
        &[],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        config["token_endpoint"],
        format!("https://{HOST}/{DEFAULT_TENANT}/oauth2/v2.0/token")
    );
}

#[tokio::test]
async fn rbac_uses_the_verified_oid() {
    let (app, _) = strict_app(&["admin-app"]);
    // Role-based access control is a Managed HSM's.
    let scope = format!("{HSM_RESOURCE}/.default");
    let admin = client_token(&app, "admin-app", &scope).await;
    let reader = client_token(&app, "reader-app", &scope).await;
    // Role assignments at `/` are the administrator's to read, not the reader's.
    let assignments = "/providers/Microsoft.Authorization/roleAssignments?api-version=7.6";
    let as_admin = format!("Bearer {admin}");
    let (status, _, body) = send_at(
        &app,
        HSM_HOST,
        "GET",
        assignments,
        &[("authorization", &as_admin)],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let as_reader = format!("Bearer {reader}");
    let (status, _, body) = send_at(
        &app,
        HSM_HOST,
        "GET",
        assignments,
        &[("authorization", &as_reader)],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(code(&body), "ForbiddenByRbac");
    // The reader's token with the administrator's oid put in: the signature fails.
    let mut parts: Vec<String> = reader.split('.').map(str::to_owned).collect();
    let mut claims: Value =
        serde_json::from_slice(&kv_jwk::base64url::decode(&parts[1]).unwrap()).unwrap();
    claims["oid"] = "admin-app".into();
    parts[1] = kv_jwk::base64url::encode(claims.to_string().as_bytes());
    let forged = parts.join(".");
    assert_refused_at(
        &list_hsm_keys(&app, &forged).await,
        "forged oid",
        HSM_HOST,
        HSM_RESOURCE,
    );
    // An unsigned token naming the administrator, as `--auth any` would take it.
    let unsigned = crate::rbac::unsigned_token("admin-app");
    assert_refused_at(
        &list_hsm_keys(&app, &unsigned).await,
        "unsigned",
        HSM_HOST,
        HSM_RESOURCE,
    );
}

#[tokio::test]
async fn token_endpoints_exist_only_in_strict_mode() {
    let app = TestApp::new();
    let (status, _, _) = send(
        &app,
        "POST",
        &format!("/{DEFAULT_TENANT}/oauth2/v2.0/token"),
        &[],
        "grant_type=client_credentials&client_id=a&client_secret=b&scope=x",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // And any token still works there.
    assert_eq!(list_keys(&app, Some("any-token")).await.0, StatusCode::OK);
}

async fn list_hsm_keys(app: &TestApp, token: &str) -> (StatusCode, Option<String>, Value) {
    let authorization = format!("Bearer {token}");
    send_at(
        app,
        HSM_HOST,
        "GET",
        "/keys?api-version=7.6",
        &[("authorization", &authorization)],
        "",
    )
    .await
}
