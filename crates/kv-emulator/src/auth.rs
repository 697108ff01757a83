//! Key Vault challenge authentication.
//!
//! A request without `Authorization: Bearer <token>` is answered 401 with
//! `WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>",
//! resource="<resource>"`. Any bearer token is accepted (tokens are not validated).
//!
//! The resource is the configured one, or else derived from the request's host: when the
//! host has a parent domain (`myvault.vault.localhost:8443`), the challenge names that
//! parent with the same port (`https://vault.localhost:8443`), so the official SDKs'
//! check that the vault host ends with `.` + the resource's host passes with
//! verification left on. For an IP address or a single-label host (`127.0.0.1`,
//! `localhost`) it names `https://vault.azure.net`, and clients must switch the check off
//! (`verify_challenge_resource=False` in Python, `verify_challenge_resource: false` in
//! Rust).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::request::request_host;
use crate::state::AppState;
use crate::vaults::VaultKind;

/// The resource named when the host gives none.
pub const DEFAULT_RESOURCE: &str = "https://vault.azure.net";

/// Middleware: refuses requests without a bearer token with the challenge.
pub async fn challenge_auth(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if has_bearer_token(&request) {
        return next.run(request).await;
    }
    let state = request
        .extensions()
        .get::<AppState>()
        .cloned()
        .unwrap_or(state);
    let settings = state.settings();
    let resource = match &settings.challenge_resource {
        Some(fixed) => fixed.clone(),
        None => derived_resource(request_host(&request).as_deref(), state.kind()),
    };
    let challenge = format!(
        "Bearer authorization=\"https://login.microsoftonline.com/{}\", resource=\"{}\"",
        settings.tenant_id, resource
    );
    // A vault sends its error body with the challenge; a Managed HSM sends none (the
    // recorded sessions of both).
    let mut response = if state.kind().is_hsm() {
        axum::http::StatusCode::UNAUTHORIZED.into_response()
    } else {
        ApiError::Unauthorized("AKV10000: Request is missing a Bearer or PoP token.".into())
            .into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn has_bearer_token(request: &Request) -> bool {
    let Some(value) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default();
    let token = parts.next().unwrap_or_default().trim();
    scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()
}

/// The challenge resource for a request host (`name.parent.tld[:port]`) of an instance
/// of `kind`: the host's parent domain, or Azure's resource for the kind
/// (`https://vault.azure.net`, `https://managedhsm.azure.net`) for plain addresses.
pub fn derived_resource(host: Option<&str>, kind: VaultKind) -> String {
    let fallback = || kind.azure_resource().to_owned();
    let Some(host) = host else {
        return fallback();
    };
    let (name, port) = split_port(host);
    if name.parse::<std::net::IpAddr>().is_ok() || name.starts_with('[') {
        return fallback();
    }
    match name.split_once('.') {
        Some((_, parent)) if !parent.is_empty() => match port {
            Some(port) => format!("https://{parent}:{port}"),
            None => format!("https://{parent}"),
        },
        _ => fallback(),
    }
}

fn split_port(host: &str) -> (&str, Option<&str>) {
    if host.starts_with('[') {
        // IPv6 literal, possibly with a port after the bracket.
        return match host.rsplit_once("]:") {
            Some((addr, port)) => (addr, Some(port)),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (name, Some(port)),
        _ => (host, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_from_host() {
        let v = VaultKind::Vault;
        assert_eq!(
            derived_resource(Some("myvault.vault.localhost:8443"), v),
            "https://vault.localhost:8443"
        );
        assert_eq!(
            derived_resource(Some("myvault.vault.azure.net"), v),
            "https://vault.azure.net"
        );
        assert_eq!(
            derived_resource(Some("h.managedhsm.localhost:1"), VaultKind::ManagedHsm),
            "https://managedhsm.localhost:1"
        );
        assert_eq!(
            derived_resource(Some("127.0.0.1:8443"), v),
            DEFAULT_RESOURCE
        );
        assert_eq!(
            derived_resource(Some("127.0.0.1:8443"), VaultKind::ManagedHsm),
            "https://managedhsm.azure.net"
        );
        assert_eq!(derived_resource(Some("[::1]:8443"), v), DEFAULT_RESOURCE);
        assert_eq!(
            derived_resource(Some("localhost:8443"), v),
            DEFAULT_RESOURCE
        );
        assert_eq!(derived_resource(None, v), DEFAULT_RESOURCE);
    }
}
