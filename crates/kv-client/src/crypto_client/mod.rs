//! [`CryptographyClient`]: cryptographic operations with one key, run locally when the
//! client holds usable key material and in the service otherwise.
//!
//! Every operation (in `operations.rs`) states its local form and its remote form once.
//! Running one goes through four steps:
//!
//! 1. **resolve the key**: the [`CachedKey`] the client holds, fetched first when due;
//! 2. **decide the route** with [`route`]; for a key that cannot change (pinned to a
//!    version, or local-only) the answer was kept when the key was loaded;
//! 3. **run** the local form with the [`PreparedKey`], or the remote form in the service;
//! 4. **report where it ran**: the result's [`OperationLocation`] and the operation's span
//!    (`keyvault.location`, see `span.rs`).
//!
//! An operation first offers its local form to [`CryptographyClient::run_settled`], the
//! short way for a key whose route was kept (steps 1 and 2 are a lookup); when that
//! declines, it hands both forms to [`CryptographyClient::perform`], which takes the four
//! steps in full. Either way the operation builds its result from one [`Ran`].

use core::fmt;
use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll};
use std::sync::Arc;
use std::time::Instant;

use kv_core::{Pipeline, TokenCredential};
use kv_crypto_local::LocalKey;
use kv_crypto_remote::RemoteCryptographyClient;
use kv_jwk::JsonWebKey;
use time::OffsetDateTime;
use tracing::Instrument;

use self::cached_key::{CachedKey, PreparedKey};
use self::span::Method;
use crate::error::{Error, ErrorKind, Result, invalid_argument};
use crate::identifier::KeyVaultKeyIdentifier;
use crate::key_cache::{FetchFailure, KeyCache, SharedKeyCache};
use crate::models::{KeyId, KeyVaultKey};
use crate::options::CryptographyClientOptions;
use crate::routing::{CryptoOperation, OperationLocation, Route, RouteState, RoutingMode, route};

mod cached_key;
mod operations;
mod span;

struct Inner {
    /// The key's identifier as given (versioned or not); `None` for a JWK without `kid`.
    key_id: Option<KeyId>,
    /// The service connection; `None` for `from_jwk` clients (local only, never any I/O).
    remote: Option<RemoteCryptographyClient>,
    mode: RoutingMode,
    /// The key material: read without the async lock (a brief read lock while the key may
    /// still be refreshed, nothing once settled); the async lock only when a fetch is due.
    cache: SharedKeyCache<CachedKey>,
    /// The vault's host and the key's name, for the operations' spans (empty for a
    /// `from_jwk` client); kept here so a span costs no URL formatting.
    server_address: Box<str>,
    key_name: Box<str>,
}

/// What an operation produced and where it ran (step 4), before the public method puts
/// it into its result type.
struct Ran<R> {
    value: R,
    key_id: Option<KeyId>,
    location: OperationLocation,
}

/// A future polled through a call that is never inlined.
///
/// [`CryptographyClient::perform`] awaits the routed path (fetch, route, remote request)
/// only after [`run_settled`](CryptographyClient::run_settled) declined. Polled inline,
/// that path's locals (kilobytes, for the remote request) would make every poll of every
/// operation reserve and touch a stack frame that size, fast path included. Out of line,
/// the fast path's frame stays small; the future itself still lives inside the
/// operation's future (nothing is allocated). Measured on the `A256KW wrap` row of
/// `benches/performance.rs` (façade over `LocalKey`, short runs): +6.2% and +6.9% polled
/// inline, +4.5% and +4.9% with this and the fast path's lazy span.
struct OutOfLine<'a, F>(Pin<&'a mut F>);

impl<F: Future> Future for OutOfLine<'_, F> {
    type Output = F::Output;

    #[inline(never)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.0.as_mut().poll(cx)
    }
}

/// The remote form's answer: the value and the key id the service named, if any.
type RemoteAnswer<R> = Result<(R, Option<String>)>;

/// Encrypt, decrypt, sign, verify, wrap and unwrap with one key.
///
/// Each operation runs locally when the rules of [`route`] allow it (the client holds key
/// material that can do it, the algorithm is supported locally, `key_ops` permit it and the
/// key is inside its validity window), and in the service otherwise. The key is fetched
/// lazily on first use: a 403 makes the client remote-only for good; any other failure
/// sends that operation to the service and the fetch is tried again later. A client built
/// from a versionless id refetches after
/// [`refresh_interval`](CryptographyClientOptions::refresh_interval) so a rotated key is
/// picked up; one pinned to a version never changes. Every result says where it ran.
///
/// Cheap to clone; clones share the cached key.
///
/// ```
/// # async fn demo() -> kv_client::Result<()> {
/// use kv_client::{CryptographyClient, OperationLocation};
/// use kv_jwk::SignatureAlgorithm;
/// let jwk = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).expect("keygen");
/// let client = CryptographyClient::from_jwk(jwk)?; // local only: never any network
/// let signed = client.sign_data(SignatureAlgorithm::Es256, b"hello").await?;
/// assert_eq!(signed.location, OperationLocation::Local);
/// let verified = client.verify_data(SignatureAlgorithm::Es256, b"hello", &signed.signature).await?;
/// assert!(verified.is_valid);
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct CryptographyClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for CryptographyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptographyClient")
            .field("key_id", &self.inner.key_id)
            .field("mode", &self.inner.mode)
            .field("remote", &self.inner.remote.is_some())
            .finish_non_exhaustive()
    }
}

impl CryptographyClient {
    /// A client for the key `key_id` (`{vault}/keys/{name}[/{version}]`). Nothing is
    /// fetched until the first operation.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid key id; the pipeline's errors.
    pub fn new(
        key_id: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<CryptographyClientOptions>,
    ) -> Result<Self> {
        let id: KeyVaultKeyIdentifier = key_id.parse()?;
        let options = options.unwrap_or_default();
        let pipeline = Pipeline::new(credential, options.client_options.clone())?;
        Self::with_pipeline(id, pipeline, options)
    }

    /// A client for the key `id` over `pipeline`: `id` was parsed once, by the caller, and
    /// goes to the remote client as it is.
    pub(crate) fn with_pipeline(
        id: KeyVaultKeyIdentifier,
        pipeline: Pipeline,
        options: CryptographyClientOptions,
    ) -> Result<Self> {
        let cache = KeyCache::new(
            id.version().is_some(),
            options.refresh_interval,
            options.fetch_retry_interval,
        );
        let remote = RemoteCryptographyClient::new(pipeline, &id)?;
        Ok(Self::for_vault_key(remote, options.mode, cache))
    }

    /// A client for `key` as a [`KeyClient`](crate::KeyClient) returned it: no fetch is
    /// needed, and the client is pinned to that version.
    ///
    /// # Errors
    /// The pipeline's errors.
    pub fn from_key(
        key: KeyVaultKey,
        credential: Arc<dyn TokenCredential>,
        options: Option<CryptographyClientOptions>,
    ) -> Result<Self> {
        let options = options.unwrap_or_default();
        let pipeline = Pipeline::new(credential, options.client_options.clone())?;
        let remote = RemoteCryptographyClient::new(pipeline, key.id())?;
        let cache = KeyCache::with_value(
            CachedKey::from_key(key).with_routes(options.mode, true),
            Instant::now(),
            remote.id().version().is_some(),
            options.refresh_interval,
            options.fetch_retry_interval,
        );
        Ok(Self::for_vault_key(remote, options.mode, cache))
    }

    /// A local-only client for `jwk`: no network, ever. Operations the key cannot do
    /// locally fail.
    ///
    /// # Errors
    /// `InvalidArgument` when the local provider cannot load the key.
    pub fn from_jwk(jwk: JsonWebKey) -> Result<Self> {
        let cached =
            CachedKey::from_jwk(jwk, None, None).with_routes(RoutingMode::LocalOnly, false);
        if cached.local.is_none() {
            // Report why, without the key: the error names only the problem.
            if let Err(e) = LocalKey::new(&cached.jwk) {
                return Err(Error::with_source(
                    ErrorKind::InvalidArgument,
                    "the JSON Web Key cannot be used for local cryptography",
                    e,
                ));
            }
        }
        let key_id = cached.kid.clone();
        let never = std::time::Duration::MAX;
        let cache = KeyCache::with_value(cached, Instant::now(), true, never, never);
        Ok(Self::from_parts(
            key_id,
            None,
            RoutingMode::LocalOnly,
            cache,
        ))
    }

    /// A client for the vault key that `remote` performs operations with.
    fn for_vault_key(
        remote: RemoteCryptographyClient,
        mode: RoutingMode,
        cache: KeyCache<CachedKey>,
    ) -> Self {
        Self::from_parts(Some(KeyId::from(remote.id())), Some(remote), mode, cache)
    }

    fn from_parts(
        key_id: Option<KeyId>,
        remote: Option<RemoteCryptographyClient>,
        mode: RoutingMode,
        cache: KeyCache<CachedKey>,
    ) -> Self {
        // Remote-only clients never read the key, and local-only ones have it already.
        let may_fetch = remote.is_some() && mode != RoutingMode::RemoteOnly;
        let id = remote.as_ref().map(RemoteCryptographyClient::id);
        let server_address = id.and_then(|id| id.vault_url().host_str());
        let key_name = id.map(KeyVaultKeyIdentifier::name);
        Self {
            inner: Arc::new(Inner {
                key_id,
                server_address: server_address.unwrap_or_default().into(),
                key_name: key_name.unwrap_or_default().into(),
                remote,
                mode,
                cache: SharedKeyCache::new(cache, may_fetch),
            }),
        }
    }

    /// The key identifier the client was built with.
    pub fn key_id(&self) -> Option<&str> {
        self.inner.key_id.as_deref()
    }

    /// The vault's URL; `None` for a local-only client made by
    /// [`from_jwk`](Self::from_jwk).
    pub fn vault_url(&self) -> Option<url::Url> {
        self.inner
            .remote
            .as_ref()
            .map(RemoteCryptographyClient::vault_url)
    }

    /// Sends a raw request through this client's pipeline (authentication, retries,
    /// logging) and returns the response whatever its status.
    ///
    /// # Errors
    /// `NotSupported` for a local-only client; `InvalidArgument` when the request is not
    /// for this client's vault (the token must not leave it); transport, credential and
    /// authentication errors.
    pub async fn send_request(&self, request: kv_core::Request) -> Result<kv_core::Response> {
        let Some(remote) = &self.inner.remote else {
            return Err(Error::new(
                ErrorKind::NotSupported,
                "send_request: a local-only client has no vault",
            ));
        };
        remote.send_request(request).await
    }

    /// The routing mode.
    pub fn mode(&self) -> RoutingMode {
        self.inner.mode
    }

    /// The wrap algorithm that suits this client's key
    /// ([`kv_envelope::default_wrap_algorithm`]), fetching the key when due; `None` when
    /// the key is not known here (a remote-only client, a refused fetch).
    pub(crate) async fn wrap_algorithm_for_key(&self) -> Option<kv_jwk::KeyWrapAlgorithm> {
        if self.inner.cache.fetch_due(Instant::now) {
            Box::pin(self.fetch_key()).await;
        }
        let snapshot = self.inner.cache.snapshot();
        let jwk = &snapshot.get()?.jwk;
        let oct_len = jwk.k.as_ref().map(|k| k.expose_secret().len());
        kv_envelope::default_wrap_algorithm(jwk.kty.as_ref()?, oct_len)
    }

    /// Fetches the key and publishes it (or the failure) for every operation.
    async fn fetch_key(&self) {
        let Some(remote) = &self.inner.remote else {
            return;
        };
        let fetch = || async {
            match remote.get_key().await.and_then(KeyVaultKey::try_from) {
                Ok(key) => Ok(CachedKey::from_key(key).with_routes(self.inner.mode, true)),
                Err(e) if e.kind() == &ErrorKind::Forbidden => {
                    tracing::debug!("key fetch forbidden: cryptography stays remote");
                    Err(FetchFailure::Forbidden)
                }
                Err(e) => {
                    tracing::debug!(error = %e, "key fetch failed: this operation goes remote");
                    Err(FetchFailure::Other)
                }
            }
        };
        self.inner.cache.refresh(Instant::now, fetch).await;
    }

    /// The four steps the short way, for a key that cannot change (pinned to a version, or
    /// local-only) whose route for `method`'s operation was kept when it was loaded: runs
    /// `local` at once, with no clock, no lock and no routing, and makes the span only once
    /// it has run (and only when a subscriber wants it). `Ok(None)` when the operation must
    /// take [`perform`](Self::perform): no such key, or the key declined the operation.
    ///
    /// Synchronous, and called by each operation before it awaits anything, so a local
    /// result goes straight into the operation's result: through the routed future it
    /// would be copied in and out of several future states. Measured with callgrind on an
    /// A256KW wrap of 32 bytes (a loop like `benches/facade_instructions.rs`, with a
    /// constant algorithm): 3,723 instructions per wrap when this path ran inside
    /// `perform`'s future, 3,685 here, against 3,641 for `LocalKey::wrap_key` (the
    /// `A256KW wrap` row of `benches/performance.rs`).
    #[inline]
    fn run_settled<R>(
        &self,
        method: Method,
        local: &impl Fn(&PreparedKey) -> kv_crypto_local::Result<R>,
    ) -> Result<Option<Ran<R>>> {
        let op = method.operation();
        let Some(key) = self.inner.cache.settled() else {
            return Ok(None);
        };
        let Some(prepared) = key.settled_local(op) else {
            return Ok(None);
        };
        let ran = self.run_local(op, key, prepared, local)?;
        if let Some(ran) = &ran
            && span::enabled()
        {
            span::record_location(&method.span(self), ran.location);
        }
        Ok(ran)
    }

    /// Runs one operation through the four steps of the [module documentation](self) in
    /// full, inside the operation's span: `local` is the operation's local form (`None`
    /// when it may not run locally, such as an encryption with the caller's IV), `remote`
    /// its remote form.
    async fn perform<'a, R, Fut>(
        &'a self,
        method: Method,
        local: Option<impl Fn(&PreparedKey) -> kv_crypto_local::Result<R>>,
        remote: impl FnOnce(&'a RemoteCryptographyClient) -> Fut,
    ) -> Result<Ran<R>>
    where
        Fut: Future<Output = RemoteAnswer<R>> + 'a,
    {
        let span = method.span(self);
        let routed = pin!(self.route_and_run(method.operation(), local.as_ref(), remote));
        let ran = OutOfLine(routed).instrument(span.clone()).await?;
        span::record_location(&span, ran.location);
        Ok(ran)
    }

    /// Steps 1 to 3 in full: fetch the key when due, route, run where the route says.
    async fn route_and_run<'a, R, Fut>(
        &'a self,
        op: CryptoOperation,
        local: Option<&impl Fn(&PreparedKey) -> kv_crypto_local::Result<R>>,
        remote: impl FnOnce(&'a RemoteCryptographyClient) -> Fut,
    ) -> Result<Ran<R>>
    where
        Fut: Future<Output = RemoteAnswer<R>> + 'a,
    {
        if self.inner.cache.fetch_due(Instant::now) {
            // Boxed so the rare fetch does not grow every operation's future.
            Box::pin(self.fetch_key()).await;
        }
        if let Some(ran) = self.try_local(op, local)? {
            return Ok(ran);
        }
        // Boxed so the remote request does not grow the local path's future.
        let (value, kid) = Box::pin(remote(self.remote()?)).await?;
        Ok(Ran {
            value,
            key_id: kid.map(KeyId::from).or_else(|| self.inner.key_id.clone()),
            location: OperationLocation::Remote,
        })
    }

    /// Steps 2 and 3 on this side: `Ok(Some(..))` when `op` ran with the local key,
    /// `Ok(None)` to go remote. Synchronous, so the snapshot of the key is never held
    /// across an `.await`.
    fn try_local<R>(
        &self,
        op: CryptoOperation,
        local: Option<&impl Fn(&PreparedKey) -> kv_crypto_local::Result<R>>,
    ) -> Result<Option<Ran<R>>> {
        let snapshot = self.inner.cache.snapshot();
        let key = snapshot.get();
        let prepared = key
            .and_then(|k| k.local.as_ref())
            .filter(|_| local.is_some());
        let decision = self.decide(op, key, prepared.is_some());
        tracing::debug!(operation = %op, route = ?decision, "cryptography routed");
        match (decision, key, prepared, local) {
            (Route::Local, Some(key), Some(prepared), Some(local)) => {
                self.run_local(op, key, prepared, local)
            }
            (Route::Refuse(r), ..) => Err(r.into_error(op)),
            // `route` answers Local only with a key whose local form can run.
            _ => Ok(None),
        }
    }

    /// Runs the local form; `Ok(None)` when the key declines in a way that sends the
    /// operation to the service (see [`declined_locally`](Self::declined_locally)).
    ///
    /// Plans once: the route assumes the local key can do the operation, and `LocalKey`'s
    /// own refusal (algorithm, `key_ops`, private material) routes again knowing it cannot.
    ///
    /// `local` by reference: passed on by value as `&F`, it was called through the
    /// `Fn for &F` forwarding shim, which LLVM left out of line in the benches (26
    /// instructions per A256KW wrap, `benches/facade_instructions.rs`).
    #[inline]
    fn run_local<R>(
        &self,
        op: CryptoOperation,
        key: &CachedKey,
        prepared: &PreparedKey,
        local: &impl Fn(&PreparedKey) -> kv_crypto_local::Result<R>,
    ) -> Result<Option<Ran<R>>> {
        match local(prepared) {
            Ok(value) => Ok(Some(Ran {
                value,
                key_id: key.kid.clone(),
                location: OperationLocation::Local,
            })),
            Err(e) => self.declined_locally(op, key, e).map(|()| None),
        }
    }

    /// [`route`] for `op` with the held `key` (if any) as of now.
    fn decide(
        &self,
        op: CryptoOperation,
        key: Option<&CachedKey>,
        locally_supported: bool,
    ) -> Route {
        let not_before = key.and_then(|k| k.not_before);
        let expires_on = key.and_then(|k| k.expires_on);
        // `route` compares `now` only with a bound that is set; skip the clock read (a
        // measurable share of a local AES key wrap) for keys without one.
        let now = if not_before.is_some() || expires_on.is_some() {
            OffsetDateTime::now_utc()
        } else {
            OffsetDateTime::UNIX_EPOCH
        };
        let state = RouteState {
            mode: self.inner.mode,
            key: key.map(|k| &k.jwk),
            locally_supported,
            not_before,
            expires_on,
            now,
            remote_available: self.inner.remote.is_some(),
        };
        route(op, &state)
    }

    /// A local operation failed with `e`: `Ok(())` to go remote when the key cannot do it
    /// here after all, the error otherwise.
    #[cold]
    fn declined_locally(
        &self,
        op: CryptoOperation,
        key: &CachedKey,
        e: kv_crypto_local::Error,
    ) -> Result<()> {
        if !cannot_run_locally(&e) {
            return Err(local_error(op, e));
        }
        match self.decide(op, Some(key), false) {
            Route::Remote => Ok(()),
            Route::Refuse(r) => Err(r.into_error(op)),
            Route::Local => Err(local_error(op, e)),
        }
    }

    fn remote(&self) -> Result<&RemoteCryptographyClient> {
        self.inner
            .remote
            .as_ref()
            .ok_or_else(|| invalid_argument("this client has no vault connection"))
    }
}

/// Whether a local refusal means "this key cannot do it here" (route again) rather than
/// bad input or a failed operation (report it).
fn cannot_run_locally(e: &kv_crypto_local::Error) -> bool {
    use kv_crypto_local::Error as E;
    matches!(
        e,
        E::UnsupportedAlgorithm { .. }
            | E::OperationNotPermitted(_)
            | E::MissingPrivateMaterial
            | E::NoProvider
    )
}

/// Maps a local cryptography error, naming the operation and never any data.
fn local_error(op: CryptoOperation, e: kv_crypto_local::Error) -> Error {
    let kind = match e {
        kv_crypto_local::Error::InvalidInput(_) => ErrorKind::InvalidArgument,
        _ => ErrorKind::Crypto,
    };
    Error::with_source(kind, format!("local {op} failed"), e)
}

#[cfg(test)]
mod tests;
