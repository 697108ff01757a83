//! The adapter for credentials of the official `azure_identity` crate.

use std::sync::Arc;

use async_trait::async_trait;

use super::{AccessToken, Secret, TokenCredential, TokenRequest};
use crate::{Error, ErrorKind, Result};

/// Any `azure_core::credentials::TokenCredential` (`DefaultAzureCredential`,
/// `ManagedIdentityCredential`, `ClientSecretCredential`, `AzureCliCredential`, ...) as a
/// [`TokenCredential`] of this crate.
///
/// The official Rust credentials take no tenant per request, so the tenant named by a vault's
/// challenge is not passed on: configure the credential for the vault's tenant (as with the
/// official Rust Key Vault crates).
///
/// ```no_run
/// # use std::sync::Arc;
/// # fn wrap(official: Arc<dyn azure_core::credentials::TokenCredential>) {
/// use kv_core::{AzureIdentityCredential, TokenCredential};
/// let credential: Arc<dyn TokenCredential> = Arc::new(AzureIdentityCredential::new(official));
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct AzureIdentityCredential {
    inner: Arc<dyn azure_core::credentials::TokenCredential>,
}

impl AzureIdentityCredential {
    /// Wraps `credential`.
    pub fn new(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        Self { inner: credential }
    }
}

impl From<Arc<dyn azure_core::credentials::TokenCredential>> for AzureIdentityCredential {
    fn from(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        Self::new(credential)
    }
}

#[async_trait]
impl TokenCredential for AzureIdentityCredential {
    async fn get_token(&self, request: &TokenRequest<'_>) -> Result<AccessToken> {
        let token = self
            .inner
            .get_token(request.scopes, None)
            .await
            // The official error's text describes the failed flow; it carries no token.
            .map_err(|e| Error::with_source(ErrorKind::Credential, "credential failed", e))?;
        Ok(AccessToken::new(
            Secret::new(token.token.secret()),
            token.expires_on,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core::credentials::{AccessToken as AzToken, TokenRequestOptions};

    #[derive(Debug)]
    struct Fake;

    #[async_trait]
    impl azure_core::credentials::TokenCredential for Fake {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AzToken> {
            if scopes == ["https://vault.azure.net/.default"] {
                Ok(AzToken::new(
                    "az-token",
                    time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(30000),
                ))
            } else {
                Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "wrong scope",
                ))
            }
        }
    }

    #[tokio::test]
    async fn adapts_tokens_and_errors() {
        let cred = AzureIdentityCredential::new(Arc::new(Fake));
        let ok = cred
            .get_token(&TokenRequest {
                scopes: &["https://vault.azure.net/.default"],
                tenant_id: Some("t"),
            })
            .await
            .unwrap();
        assert_eq!(ok.token.expose_secret(), "az-token");
        let err = cred
            .get_token(&TokenRequest {
                scopes: &["other"],
                tenant_id: None,
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Credential);
    }
}
