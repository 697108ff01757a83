//! Token cache: one token per (scope, tenant), refreshed before expiry, fetched once for
//! any number of concurrent requests.

use std::{collections::HashMap, sync::Arc};

use time::{Duration, OffsetDateTime};
use tokio::sync::Mutex;

use crate::{
    Error, ErrorKind, Result,
    credential::{Secret, TokenCredential, token_request_options},
};

/// A token held by the cache (zeroized on drop, unlike `azure_core`'s) and its expiry.
struct AccessToken {
    token: Secret,
    expires_on: OffsetDateTime,
}

/// Refresh when less than this is left (the official SDKs use five minutes)...
const REFRESH_MARGIN: Duration = Duration::minutes(5);

/// ...or, for a short-lived token, once half its lifetime has passed.
fn refresh_at(fetched_at: OffsetDateTime, expires_on: OffsetDateTime) -> OffsetDateTime {
    let lifetime = expires_on - fetched_at;
    expires_on - REFRESH_MARGIN.min(lifetime / 2).max(Duration::ZERO)
}

/// A cached token and when to replace it.
struct Cached {
    token: AccessToken,
    refresh_at: OffsetDateTime,
}

/// Cache key: scope and tenant.
type Key = (String, Option<String>);

/// One slot per key; its async mutex makes concurrent misses wait for a single fetch.
type Slot = Arc<Mutex<Option<Cached>>>;

pub(crate) struct TokenCache {
    credential: Arc<dyn TokenCredential>,
    slots: std::sync::Mutex<HashMap<Key, Slot>>,
}

impl TokenCache {
    pub(crate) fn new(credential: Arc<dyn TokenCredential>) -> Self {
        Self {
            credential,
            slots: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, scope: &str, tenant: Option<&str>) -> Slot {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slots
            .entry((scope.to_owned(), tenant.map(str::to_owned)))
            .or_default()
            .clone()
    }

    /// A token for `scope` (and `tenant`): the cached one while it is fresh, else a new one.
    ///
    /// With `force_refresh`, a cached token equal to `rejected` is not reused (the service
    /// turned it down); a different one (fetched meanwhile by another request) is.
    pub(crate) async fn token(
        &self,
        scope: &str,
        tenant: Option<&str>,
        rejected: Option<&Secret>,
    ) -> Result<Secret> {
        let slot = self.slot(scope, tenant);
        let mut cached = slot.lock().await;
        let now = OffsetDateTime::now_utc();
        if let Some(entry) = cached.as_ref() {
            let token = &entry.token;
            let was_rejected =
                rejected.is_some_and(|r| r.expose_secret() == token.token.expose_secret());
            if !was_rejected && now < entry.refresh_at {
                return Ok(token.token.clone_secret());
            }
        }
        let fetched = self
            .credential
            .get_token(&[scope], Some(token_request_options(tenant)))
            .await
            .map(|t| AccessToken {
                token: Secret::new(t.token.secret()),
                expires_on: t.expires_on,
            })
            // The credential's error describes the failed flow; it carries no token.
            .map_err(|e| Error::with_source(ErrorKind::Credential, "credential failed", e));
        match fetched {
            Ok(fresh) => {
                let token = fresh.token.clone_secret();
                *cached = Some(Cached {
                    refresh_at: refresh_at(now, fresh.expires_on),
                    token: fresh,
                });
                Ok(token)
            }
            // A refresh that fails while the old token still works keeps the old token.
            Err(err) => match cached.as_ref() {
                Some(old) if old.token.expires_on > now && rejected.is_none() => {
                    tracing::warn!(error = %err, "token refresh failed; using the current token until it expires");
                    Ok(old.token.token.clone_secret())
                }
                _ => Err(err),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{ChallengeTenant, TokenRequestOptions};
    use async_trait::async_trait;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicUsize,
        lifetime_minutes: i64,
    }

    #[async_trait]
    impl TokenCredential for Counting {
        async fn get_token(
            &self,
            _scopes: &[&str],
            options: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            let tenant = options
                .as_ref()
                .and_then(|o| o.method_options.context.value::<ChallengeTenant>())
                .map_or("-", ChallengeTenant::as_str);
            Ok(azure_core::credentials::AccessToken::new(
                format!("tok-{n}-{tenant}"),
                OffsetDateTime::now_utc() + Duration::minutes(self.lifetime_minutes),
            ))
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn single_flight_for_concurrent_requests() {
        let cred = Arc::new(Counting {
            lifetime_minutes: 60,
            ..Default::default()
        });
        let cache = Arc::new(TokenCache::new(cred.clone()));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.token("s", Some("t"), None).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().expose_secret(), "tok-0-t");
        }
        assert_eq!(cred.calls.load(Ordering::SeqCst), 1);
        // Another tenant is another token.
        cache.token("s", Some("u"), None).await.unwrap();
        assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn refresh_point() {
        let t = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(
            refresh_at(t, t + Duration::hours(1)),
            t + Duration::minutes(55)
        );
        assert_eq!(
            refresh_at(t, t + Duration::minutes(4)),
            t + Duration::minutes(2)
        );
        assert_eq!(
            refresh_at(t, t - Duration::minutes(1)),
            t - Duration::minutes(1)
        );
    }

    #[tokio::test]
    async fn refreshes_expired_tokens_and_after_rejection() {
        for (lifetime, calls) in [(60, 1), (4, 1), (0, 2), (-1, 2)] {
            let cred = Arc::new(Counting {
                lifetime_minutes: lifetime,
                ..Default::default()
            });
            let cache = TokenCache::new(cred.clone());
            cache.token("s", None, None).await.unwrap();
            cache.token("s", None, None).await.unwrap();
            assert_eq!(
                cred.calls.load(Ordering::SeqCst),
                calls,
                "lifetime {lifetime} min"
            );
        }

        let cred = Arc::new(Counting {
            lifetime_minutes: 60,
            ..Default::default()
        });
        let cache = TokenCache::new(cred.clone());
        let first = cache.token("s", None, None).await.unwrap();
        let second = cache.token("s", None, Some(&first)).await.unwrap();
        assert_ne!(first.expose_secret(), second.expose_secret());
        // A token other than the rejected one is reused.
        cache.token("s", None, Some(&first)).await.unwrap();
        assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
    }
}
