//! Credentials: where bearer tokens come from.
//!
//! Clients take an `Arc<dyn TokenCredential>`. [`StaticTokenCredential`] serves one fixed
//! token (the emulator, tests); with the `azure-identity` feature, `AzureIdentityCredential`
//! wraps any credential of the official `azure_identity` crate.

#[cfg(feature = "azure-identity")]
mod azure_identity;

use std::fmt;

use async_trait::async_trait;
use time::OffsetDateTime;
use zeroize::Zeroize;

#[cfg(feature = "azure-identity")]
pub use azure_identity::AzureIdentityCredential;

use crate::Result;

/// A bearer token or other secret string.
///
/// `Debug` and `Display` print `[REDACTED]`; the value comes out only through
/// [`Secret::expose_secret`]. Not `Clone`: copying is the explicit [`Secret::clone_secret`].
/// The memory is wiped on drop.
pub struct Secret(String);

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Keep it out of logs.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// An explicit copy.
    #[must_use]
    pub fn clone_secret(&self) -> Self {
        Self(self.0.clone())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// An access token and the moment it stops being valid.
#[derive(Debug)]
pub struct AccessToken {
    /// The token (sent as `Authorization: Bearer <token>`).
    pub token: Secret,
    /// When the token expires.
    pub expires_on: OffsetDateTime,
}

impl AccessToken {
    /// A token valid until `expires_on`.
    pub fn new(token: impl Into<Secret>, expires_on: OffsetDateTime) -> Self {
        Self {
            token: token.into(),
            expires_on,
        }
    }

    /// An explicit copy (the token is a secret).
    #[must_use]
    pub fn clone_secret(&self) -> Self {
        Self {
            token: self.token.clone_secret(),
            expires_on: self.expires_on,
        }
    }
}

/// What a token is requested for: the scopes and, when a challenge named one, the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest<'a> {
    /// Scopes, such as `https://vault.azure.net/.default`.
    pub scopes: &'a [&'a str],
    /// The tenant the vault's challenge named, if any.
    pub tenant_id: Option<&'a str>,
}

/// A source of bearer tokens.
///
/// The pipeline caches tokens and asks again only shortly before expiry, once for all
/// concurrent requests, so implementations need no cache of their own.
#[async_trait]
pub trait TokenCredential: Send + Sync + fmt::Debug {
    /// A token for `request.scopes`.
    ///
    /// # Errors
    /// An [`Error`](crate::Error) of kind [`Credential`](crate::ErrorKind::Credential) when
    /// no token can be had.
    async fn get_token(&self, request: &TokenRequest<'_>) -> Result<AccessToken>;
}

/// A credential that always returns the same token: for the emulator and for tests.
///
/// The token is reported as valid for a day past every request, so it is never refreshed.
pub struct StaticTokenCredential {
    token: Secret,
}

impl StaticTokenCredential {
    /// A credential that serves `token`.
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            token: token.into(),
        }
    }
}

impl fmt::Debug for StaticTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticTokenCredential")
            .field("token", &self.token)
            .finish()
    }
}

#[async_trait]
impl TokenCredential for StaticTokenCredential {
    async fn get_token(&self, _request: &TokenRequest<'_>) -> Result<AccessToken> {
        Ok(AccessToken::new(
            self.token.clone_secret(),
            OffsetDateTime::now_utc() + time::Duration::days(1),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn secrets_are_redacted() {
        let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token-value";
        let secret = Secret::new(token);
        let access = AccessToken::new(token, OffsetDateTime::now_utc());
        let cred = StaticTokenCredential::new(token);
        let fetched = cred
            .get_token(&TokenRequest {
                scopes: &["s/.default"],
                tenant_id: None,
            })
            .await
            .unwrap();
        assert_eq!(fetched.token.expose_secret(), token);
        for text in [
            format!("{secret:?}"),
            format!("{secret}"),
            format!("{access:?}"),
            format!("{cred:?}"),
            format!("{fetched:?}"),
        ] {
            assert!(!text.contains("secret-token-value"), "{text}");
            assert!(text.contains("REDACTED"), "{text}");
        }
    }
}
