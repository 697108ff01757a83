//! Credentials: where bearer tokens come from.
//!
//! Clients take an `Arc<dyn TokenCredential>` of `azure_core` (re-exported here), so every
//! credential of the official `azure_identity` crate (`DeveloperToolsCredential`,
//! `ManagedIdentityCredential`, `ClientSecretCredential`, ...) passes as is.
//! [`StaticTokenCredential`] serves one fixed token (the emulator, tests).
//!
//! The pipeline keeps its own token cache (one fetch for any number of concurrent requests,
//! refreshed before expiry) and, when a vault's challenge names a tenant, hands it to the
//! credential as a [`ChallengeTenant`] in the request's context.

use std::fmt;

use async_trait::async_trait;
pub use azure_core::credentials::{TokenCredential, TokenRequestOptions};
use time::OffsetDateTime;
use zeroize::Zeroize;
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

/// The tenant a vault's challenge named, passed to the credential in
/// [`TokenRequestOptions`]' context.
///
/// `azure_core` has no tenant member in its token request, so the pipeline adds this value to
/// `options.method_options.context`. The `azure_identity` credentials ignore it (configure
/// them for the vault's tenant, as with the official Key Vault crates); a credential of your
/// own can read it:
///
/// ```
/// use kv_core::credential::{ChallengeTenant, TokenRequestOptions};
/// fn tenant<'a>(options: &'a Option<TokenRequestOptions<'_>>) -> Option<&'a str> {
///     options.as_ref()?.method_options.context.value::<ChallengeTenant>().map(ChallengeTenant::as_str)
/// }
/// assert_eq!(tenant(&None), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeTenant(String);

impl ChallengeTenant {
    /// The tenant `tenant_id`.
    pub fn new(tenant_id: impl Into<String>) -> Self {
        Self(tenant_id.into())
    }

    /// The tenant id, as the challenge spelt it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Token request options carrying `tenant`, if any.
pub(crate) fn token_request_options(tenant: Option<&str>) -> TokenRequestOptions<'static> {
    let mut options = TokenRequestOptions::default();
    if let Some(tenant) = tenant {
        options
            .method_options
            .context
            .insert(ChallengeTenant::new(tenant));
    }
    options
}

/// A credential that always returns the same token: for the emulator and for tests.
///
/// The token is reported as valid for a day past every request, so it is never refreshed.
/// `Debug` prints `[REDACTED]` in place of the token.
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
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<azure_core::credentials::AccessToken> {
        Ok(azure_core::credentials::AccessToken::new(
            self.token.expose_secret().to_owned(),
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
        let cred = StaticTokenCredential::new(token);
        let fetched = cred.get_token(&["s/.default"], None).await.unwrap();
        assert_eq!(fetched.token.secret(), token);
        for text in [
            format!("{secret:?}"),
            format!("{secret}"),
            format!("{cred:?}"),
            format!("{fetched:?}"),
        ] {
            assert!(!text.contains("secret-token-value"), "{text}");
        }
        assert!(format!("{cred:?}").contains("REDACTED"));
    }

    #[test]
    fn the_tenant_travels_in_the_context() {
        let options = token_request_options(Some("tid"));
        let tenant = options.method_options.context.value::<ChallengeTenant>();
        assert_eq!(tenant.map(ChallengeTenant::as_str), Some("tid"));
        let none = token_request_options(None);
        assert!(
            none.method_options
                .context
                .value::<ChallengeTenant>()
                .is_none()
        );
    }
}
