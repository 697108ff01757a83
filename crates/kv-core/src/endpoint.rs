//! [`Endpoint`]: one vault's URL and the pipeline to it, with the request helpers every
//! client shares: URLs built from path segments, JSON sent and parsed, and the guard that
//! keeps a raw request (and so the vault's token) on the vault's own origin.

use serde::{Serialize, de::DeserializeOwned};
use url::Url;

use crate::{Error, ErrorKind, Method, Pipeline, Request, Response, Result};

/// A vault (or Managed HSM) URL and the [`Pipeline`] to it. Cheap to clone.
///
/// Every client of the workspace sends through one: the key client, the administration
/// clients and the remote cryptography client.
///
/// ```
/// # fn demo(pipeline: kv_core::Pipeline) -> kv_core::Result<()> {
/// use kv_core::Endpoint;
/// let vault = "https://myvault.vault.azure.net".parse().expect("valid URL");
/// let endpoint = Endpoint::new(vault, pipeline)?;
/// let url = endpoint.url(["keys", "my key", "create"]);
/// assert_eq!(url.as_str(), "https://myvault.vault.azure.net/keys/my%20key/create");
/// assert!(endpoint.is_same_origin(&url));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Endpoint {
    vault_url: Url,
    pipeline: Pipeline,
}

impl Endpoint {
    /// The vault at `vault_url`, reached through `pipeline`. Any path, query or fragment
    /// of `vault_url` is dropped: requests name their own path.
    ///
    /// # Errors
    /// [`InvalidArgument`](ErrorKind::InvalidArgument) for a URL that cannot carry a path
    /// (`mailto:`, `data:`).
    pub fn new(mut vault_url: Url, pipeline: Pipeline) -> Result<Self> {
        if vault_url.cannot_be_a_base() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "vault URL cannot have a path",
            ));
        }
        vault_url.set_path("/");
        vault_url.set_query(None);
        vault_url.set_fragment(None);
        Ok(Self {
            vault_url,
            pipeline,
        })
    }

    /// The vault's URL (`https://{vault}/`).
    pub fn vault_url(&self) -> &Url {
        &self.vault_url
    }

    /// The pipeline requests go through.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// `{vault}/{segments...}`, each segment percent-encoded on its own (a `/` inside a
    /// segment cannot open another path). An empty segment stays empty: `keys/k//sign`
    /// is the latest version of `k`.
    pub fn url<I>(&self, segments: I) -> Url
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut url = self.vault_url.clone();
        // `new` refused URLs that cannot be a base, so the segments are always there.
        if let Ok(mut path) = url.path_segments_mut() {
            path.clear().extend(segments);
        }
        url
    }

    /// Whether `url` is on this vault: same scheme, host (in any letter case) and port. Only
    /// then may a request to it carry the vault's token.
    pub fn is_same_origin(&self, url: &Url) -> bool {
        let host = |u: &Url| u.host_str().map(str::to_ascii_lowercase);
        url.scheme() == self.vault_url.scheme()
            && host(url) == host(&self.vault_url)
            && url.port_or_known_default() == self.vault_url.port_or_known_default()
    }

    /// Sends a raw request through the pipeline and returns the response whatever its
    /// status.
    ///
    /// # Errors
    /// [`InvalidArgument`](ErrorKind::InvalidArgument), before any I/O, when the request is
    /// not for this vault (the token must not leave it); else as
    /// [`Pipeline::send_raw`].
    pub async fn send_request(&self, request: Request) -> Result<Response> {
        if !self.is_same_origin(request.url()) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "send_request: the request URL is not on this client's vault",
            ));
        }
        self.pipeline.send_raw(request).await
    }

    /// Sends a request with an optional JSON body.
    ///
    /// # Errors
    /// As [`Pipeline::send`]: a non-2xx status is an error.
    pub async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<Response> {
        let mut request = Request::new(method, url);
        if let Some(body) = body {
            request.set_json(body)?;
        }
        self.pipeline.send(request).await
    }

    /// Sends a request with an optional JSON body and parses the JSON answer.
    ///
    /// # Errors
    /// As [`Endpoint::send`], or [`Decode`](ErrorKind::Decode) when the answer is not a `T`.
    pub async fn send_json<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<T> {
        self.send(method, url, body).await?.json()
    }

    /// GETs `url` and parses the JSON answer.
    ///
    /// # Errors
    /// As [`Endpoint::send_json`].
    pub async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T> {
        self.send_json(Method::GET, url, None::<&()>).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{ClientOptions, StaticTokenCredential};

    fn endpoint(url: &str) -> Endpoint {
        let pipeline = Pipeline::new(
            Arc::new(StaticTokenCredential::new("t")),
            ClientOptions::default(),
        )
        .unwrap();
        Endpoint::new(Url::parse(url).unwrap(), pipeline).unwrap()
    }

    #[test]
    fn urls_from_segments() {
        let e = endpoint("https://h.managedhsm.azure.net/ignored?x=1#f");
        assert_eq!(e.vault_url().as_str(), "https://h.managedhsm.azure.net/");
        assert_eq!(
            e.url(["settings", "a b"]).as_str(),
            "https://h.managedhsm.azure.net/settings/a%20b"
        );
        assert_eq!(
            e.url(["keys", "k", "", "sign"]).as_str(),
            "https://h.managedhsm.azure.net/keys/k//sign"
        );
        assert_eq!(
            e.url(["keys", "a/b"]).as_str(),
            "https://h.managedhsm.azure.net/keys/a%2Fb"
        );
        let pipeline = e.pipeline().clone();
        let err = Endpoint::new(Url::parse("mailto:a@b").unwrap(), pipeline).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
    }

    #[test]
    fn same_origin_only() {
        let e = endpoint("https://h.managedhsm.azure.net");
        for (url, same) in [
            ("https://H.managedhsm.azure.net:443/backup/j/pending", true),
            ("https://h.managedhsm.azure.net/restore/j/pending?x=1", true),
            ("http://h.managedhsm.azure.net/backup/j/pending", false),
            (
                "https://h.managedhsm.azure.net:8443/backup/j/pending",
                false,
            ),
            ("https://evil.example/backup/j/pending", false),
        ] {
            assert_eq!(e.is_same_origin(&Url::parse(url).unwrap()), same, "{url}");
        }
    }

    #[tokio::test]
    async fn raw_requests_stay_on_the_vault() {
        let e = endpoint("https://v.vault.azure.net");
        let elsewhere = Request::new(
            Method::GET,
            Url::parse("https://evil.example/keys").unwrap(),
        );
        // Refused before any I/O: no transport would answer for evil.example here.
        let err = e.send_request(elsewhere).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
        assert!(err.message().contains("not on this client's vault"));
    }
}
