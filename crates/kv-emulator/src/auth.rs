//! Key Vault challenge authentication.
//!
//! A request without `Authorization: Bearer <token>` is answered 401 with
//! `WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>",
//! resource="<resource>"`. Any bearer token is accepted (tokens are not validated) unless
//! the emulator runs with `--auth strict`: then the token must be one the emulator issued
//! and must verify for this request ([`crate::oauth`]), the challenge's `authorization`
//! names the emulator itself (`https://<host>/<tenant>`), and a refused token gets the
//! same 401 with a message saying why.
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

/// Middleware: refuses requests without a bearer token with the challenge.
pub async fn challenge_auth(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let state = request
        .extensions()
        .get::<AppState>()
        .cloned()
        .unwrap_or(state);
    let settings = state.settings();
    // The common case (any token accepted) returns before anything is derived.
    if settings.token_issuer.is_none() && bearer_token(&request).is_some() {
        return next.run(request).await;
    }
    let resource = match &settings.challenge_resource {
        Some(fixed) => fixed.clone(),
        None => derived_resource(request_host(&request).as_deref(), state.kind()),
    };
    let message = match (bearer_token(&request), &settings.token_issuer) {
        (Some(_), None) => return next.run(request).await,
        (Some(token), Some(issuer)) => match issuer.verify(token, &resource, &settings.tenant_id) {
            Ok(_) => return next.run(request).await,
            Err(refusal) => refusal.message(),
        },
        (None, _) => "AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.",
    };
    let authority = match (&settings.token_issuer, request_host(&request)) {
        (Some(_), Some(host)) => format!("https://{host}"),
        _ => "https://login.microsoftonline.com".to_owned(),
    };
    let challenge = format!(
        "Bearer authorization=\"{authority}/{}\", resource=\"{}\"",
        settings.tenant_id, resource
    );
    // A vault sends its error body with the challenge; a Managed HSM sends none to a
    // request without a token (the recorded sessions of both).
    let mut response = if state.kind().is_hsm() && bearer_token(&request).is_none() {
        axum::http::StatusCode::UNAUTHORIZED.into_response()
    } else {
        ApiError::Unauthorized(message.into()).into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The bearer token of the request, if it has a non-empty one.
fn bearer_token(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?;
    let mut parts = value.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default();
    let token = parts.next().unwrap_or_default().trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
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
            VaultKind::Vault.azure_resource()
        );
        assert_eq!(
            derived_resource(Some("127.0.0.1:8443"), VaultKind::ManagedHsm),
            "https://managedhsm.azure.net"
        );
        assert_eq!(
            derived_resource(Some("[::1]:8443"), v),
            VaultKind::Vault.azure_resource()
        );
        assert_eq!(
            derived_resource(Some("localhost:8443"), v),
            VaultKind::Vault.azure_resource()
        );
        assert_eq!(derived_resource(None, v), VaultKind::Vault.azure_resource());
    }
}
