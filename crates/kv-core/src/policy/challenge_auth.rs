//! Key Vault challenge authentication, as the official SDKs do it.
//!
//! The first request to a vault goes out without a token and without its body; the vault
//! answers 401 with `WWW-Authenticate: Bearer authorization="https://login.../<tenant>",
//! resource="https://vault.azure.net"` (or `authorization_uri`, or `scope`). The policy checks
//! that the resource is the vault's own domain, caches the challenge per vault host, gets a
//! token for `<resource>/.default` in that tenant and sends the request again with its body.
//! A later 401 that carries a challenge (a new tenant, a revoked token) is answered once more
//! with a fresh token.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use http::{HeaderValue, StatusCode, header};
use url::Url;

use crate::{
    Error, Result,
    credential::{Secret, TokenCredential},
    token_cache::TokenCache,
    transport::{HttpClient, Request, Response},
};

/// What a vault's challenge says: the scope to ask a token for and the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) scope: String,
    pub(crate) tenant_id: Option<String>,
}

impl Challenge {
    /// Parses a `WWW-Authenticate` value. `None` when it is not a Bearer challenge with a
    /// `resource` or `scope`.
    pub(crate) fn parse(value: &str) -> Option<Self> {
        let value = value.trim_start();
        let (scheme, params) = value.split_once(char::is_whitespace)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let params = parse_params(params);
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let scope = match (get("scope"), get("resource")) {
            (Some(scope), _) => scope.to_owned(),
            (None, Some(resource)) => format!("{}/.default", resource.trim_end_matches('/')),
            (None, None) => return None,
        };
        let tenant_id = get("authorization")
            .or_else(|| get("authorization_uri"))
            .and_then(|uri| Url::parse(uri).ok())
            .and_then(|uri| {
                uri.path_segments()?
                    .find(|s| !s.is_empty())
                    .map(str::to_owned)
            });
        Some(Self { scope, tenant_id })
    }

    /// Checks that the challenge's resource is the request's host or a parent domain of it.
    fn verify_resource(&self, request_url: &Url) -> Result<()> {
        let resource_host = Url::parse(&self.scope)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
        let Some(resource_host) = resource_host else {
            return Err(Error::authentication(
                "the authentication challenge names no valid resource URL",
            ));
        };
        let request_host = request_url
            .host_str()
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if request_host == resource_host || request_host.ends_with(&format!(".{resource_host}")) {
            Ok(())
        } else {
            Err(Error::authentication(format!(
                "the challenge resource `{resource_host}` does not match the vault's domain \
                 `{request_host}`; set `verify_challenge_resource` to false in the client \
                 options only if the vault is behind a custom domain (see \
                 https://aka.ms/azsdk/blog/vault-uri)"
            )))
        }
    }
}

/// Splits `k1="v1", k2=v2` into pairs; quoted values may hold commas.
fn parse_params(input: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = input;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_owned();
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            value = quoted[..end].to_owned();
            rest = quoted.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            rest = &rest[end..];
        }
        out.push((key, value));
    }
    out
}

fn challenge_of(response: &Response) -> Option<Challenge> {
    response
        .headers()
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(Challenge::parse)
}

/// The vault a URL belongs to, as a cache key: host and port.
fn vault_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default().to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// The challenge-auth policy: one per pipeline, shared by its clones.
pub(crate) struct ChallengeAuthPolicy {
    tokens: TokenCache,
    challenges: Mutex<HashMap<String, Arc<Challenge>>>,
    verify_challenge_resource: bool,
    allow_http: bool,
}

impl ChallengeAuthPolicy {
    pub(crate) fn new(
        credential: Arc<dyn TokenCredential>,
        verify_challenge_resource: bool,
        allow_http: bool,
    ) -> Self {
        Self {
            tokens: TokenCache::new(credential),
            challenges: Mutex::new(HashMap::new()),
            verify_challenge_resource,
            allow_http,
        }
    }

    fn cached(&self, key: &str) -> Option<Arc<Challenge>> {
        self.challenges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn accept(&self, key: String, challenge: Challenge, url: &Url) -> Result<Arc<Challenge>> {
        if self.verify_challenge_resource {
            challenge.verify_resource(url)?;
        }
        let challenge = Arc::new(challenge);
        self.challenges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, challenge.clone());
        Ok(challenge)
    }

    /// Sends `request` through `next` with a bearer token, doing the challenge dance first
    /// when this vault has not challenged yet.
    pub(crate) async fn send(
        &self,
        next: &dyn HttpClient,
        mut request: Request,
    ) -> Result<Response> {
        if request.url().scheme() != "https" && !self.allow_http {
            return Err(Error::authentication(format!(
                "refusing to send a bearer token over plain http to `{}`; Key Vault requires https",
                request.url().host_str().unwrap_or_default()
            )));
        }
        let key = vault_key(request.url());
        let challenge = match self.cached(&key) {
            Some(challenge) => challenge,
            None => {
                // Hold the body back: the request will be refused, and a vault may protect
                // bodies with a scheme this client does not speak.
                let (body, content_type) = request.take_body();
                let response = next.execute(request.clone()).await?;
                request.restore_body(body, content_type);
                if response.status() != StatusCode::UNAUTHORIZED {
                    return Ok(response);
                }
                let Some(challenge) = challenge_of(&response) else {
                    return Ok(response);
                };
                tracing::debug!(tenant = ?challenge.tenant_id, scope = %challenge.scope, "vault challenged");
                self.accept(key.clone(), challenge, request.url())?
            }
        };
        let token = self
            .tokens
            .token(&challenge.scope, challenge.tenant_id.as_deref(), None)
            .await?;
        let response = next.execute(authorized(&request, &token)?).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        // Refused although authorized: the vault moved tenant or the token was revoked.
        let Some(fresh) = challenge_of(&response) else {
            return Ok(response);
        };
        let same = fresh == *challenge;
        tracing::debug!(tenant = ?fresh.tenant_id, same_challenge = same, "vault challenged again");
        let challenge = self.accept(key, fresh, request.url())?;
        let rejected = same.then_some(&token);
        let token = self
            .tokens
            .token(&challenge.scope, challenge.tenant_id.as_deref(), rejected)
            .await?;
        next.execute(authorized(&request, &token)?).await
    }
}

/// A copy of `request` with `Authorization: Bearer <token>`, marked sensitive.
fn authorized(request: &Request, token: &Secret) -> Result<Request> {
    let mut value =
        HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).map_err(|_| {
            Error::new(
                crate::ErrorKind::Credential,
                "the token is not a valid header value",
            )
        })?;
    value.set_sensitive(true);
    let mut request = request.clone();
    request.headers_mut().insert(header::AUTHORIZATION, value);
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_service_challenge_forms() {
        let c = Challenge::parse(
            r#"Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net""#,
        )
        .unwrap();
        assert_eq!(c.scope, "https://vault.azure.net/.default");
        assert_eq!(
            c.tenant_id.as_deref(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );

        let c = Challenge::parse(
            r#"Bearer authorization_uri="https://login.windows.net/tid/", scope="https://managedhsm.azure.net/.default""#,
        )
        .unwrap();
        assert_eq!(c.scope, "https://managedhsm.azure.net/.default");
        assert_eq!(c.tenant_id.as_deref(), Some("tid"));

        let c = Challenge::parse(r#"bearer resource=https://vault.azure.net/"#).unwrap();
        assert_eq!(
            (c.scope.as_str(), c.tenant_id),
            ("https://vault.azure.net/.default", None)
        );

        assert_eq!(Challenge::parse(r#"Basic realm="x""#), None);
        assert_eq!(
            Challenge::parse(r#"Bearer authorization="https://login/t""#),
            None
        );
        assert_eq!(Challenge::parse("Bearer"), None);
        assert_eq!(
            Challenge::parse(r#"Bearer resource="unterminated"#)
                .unwrap()
                .scope,
            "unterminated/.default"
        );
    }

    #[test]
    fn resource_must_be_the_vault_domain() {
        let c = Challenge::parse(r#"Bearer resource="https://vault.azure.net""#).unwrap();
        let ok = Url::parse("https://myvault.vault.azure.net/keys/k").unwrap();
        assert!(c.verify_resource(&ok).is_ok());
        let upper = Url::parse("https://MyVault.Vault.Azure.Net/keys/k").unwrap();
        assert!(c.verify_resource(&upper).is_ok());
        for bad in [
            "https://evil.example/keys/k",
            "https://myvaultvault.azure.net/keys/k",
            "https://vault.azure.net.evil.example/",
        ] {
            let err = c.verify_resource(&Url::parse(bad).unwrap()).unwrap_err();
            assert_eq!(err.kind(), &crate::ErrorKind::Authentication, "{bad}");
            assert!(err.message().contains("verify_challenge_resource"));
        }
        // The emulator names its own host.
        let c = Challenge::parse(r#"Bearer resource="https://localhost""#).unwrap();
        assert!(
            c.verify_resource(&Url::parse("https://localhost:8443/keys").unwrap())
                .is_ok()
        );
    }

    #[test]
    fn vault_keys_include_the_port() {
        let a = vault_key(&Url::parse("https://V.vault.azure.net/keys").unwrap());
        let b = vault_key(&Url::parse("https://v.vault.azure.net:443/x").unwrap());
        let c = vault_key(&Url::parse("https://v.vault.azure.net:8443/x").unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
