//! [`HsmEndpoint`]: the Managed HSM URL and the pipeline the three administration clients
//! send through, with the request helpers they share.

use std::sync::Arc;

use kv_core::{ClientOptions, Method, Pipeline, Request, Response, TokenCredential};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Result, invalid_argument};
use crate::identifier::parse_vault_url;

/// A Managed HSM's URL and the pipeline to it. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct HsmEndpoint {
    vault_url: Url,
    pipeline: Pipeline,
}

impl HsmEndpoint {
    /// Checks `vault_url` and builds the pipeline.
    pub(crate) fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: ClientOptions,
    ) -> Result<Self> {
        let vault_url = parse_vault_url(vault_url)?;
        let pipeline = Pipeline::new(credential, options)?;
        Ok(Self {
            vault_url,
            pipeline,
        })
    }

    pub(crate) fn vault_url(&self) -> &Url {
        &self.vault_url
    }

    pub(crate) fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// `{vault}/{segments...}`, each segment percent-encoded on its own.
    pub(crate) fn url<'a>(&self, segments: impl IntoIterator<Item = &'a str>) -> Url {
        let mut url = self.vault_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.clear().extend(segments);
        }
        url
    }

    /// Whether `url` is on this HSM (same scheme, host and port), so a token may go there.
    pub(crate) fn is_same_origin(&self, url: &Url) -> bool {
        crate::identifier::same_origin(url, &self.vault_url)
    }

    /// Sends a raw request through the pipeline, whatever the answer's status; refused
    /// before any I/O when it is not for this HSM (the token must not leave it).
    pub(crate) async fn send_request(&self, request: Request) -> Result<Response> {
        if !self.is_same_origin(request.url()) {
            return Err(invalid_argument(
                "send_request: the request URL is not on this client's HSM",
            ));
        }
        self.pipeline.send_raw(request).await
    }

    /// Sends a request with an optional JSON body; fails on a non-2xx status.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<Response> {
        let mut request = Request::new(method, url);
        if let Some(body) = body {
            request.set_json(body)?;
        }
        self.pipeline.send(request).await
    }

    /// Sends a request and parses the JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T> {
        self.send(method, url, body).await?.json()
    }

    /// GETs `url` and parses the JSON answer.
    pub(crate) async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T> {
        self.send_json(Method::GET, url, None::<&()>).await
    }
}

/// A fresh random (v4) GUID, the name of a new role assignment or definition.
pub(crate) fn new_guid() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// Fails with `InvalidArgument` unless `value` can be one path segment: not empty, not `.`
/// or `..`, and free of `/`, `?`, `#`, `%`, `\`, whitespace and control characters.
pub(crate) fn check_segment(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(invalid_argument(format!("{what} must not be empty")));
    }
    if value == "." || value == ".." {
        return Err(invalid_argument(format!("{what} must not be `.` or `..`")));
    }
    if value
        .chars()
        .any(|c| matches!(c, '/' | '?' | '#' | '%' | '\\') || c.is_whitespace() || c.is_control())
    {
        return Err(invalid_argument(format!(
            "{what} must not contain '/', '?', '#', '%', '\\', whitespace or control characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(url: &str) -> HsmEndpoint {
        HsmEndpoint::new(
            url,
            Arc::new(kv_core::StaticTokenCredential::new("t")),
            ClientOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn urls_and_origins() {
        let e = endpoint("https://h.managedhsm.azure.net");
        assert_eq!(
            e.url(["settings", "a b"]).as_str(),
            "https://h.managedhsm.azure.net/settings/a%20b"
        );
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
        assert!(
            HsmEndpoint::new(
                "http://h",
                Arc::new(kv_core::StaticTokenCredential::new("t")),
                ClientOptions::default()
            )
            .is_err()
        );
    }

    #[test]
    fn guids_are_random_v4() {
        let a = new_guid();
        assert_ne!(a, new_guid());
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.hyphenated().to_string(), a, "lowercase, hyphenated");
    }

    #[test]
    fn segments() {
        for ok in ["AllowKeyManagementOperationsThroughARM", "0b5c-9f", "a.b_c"] {
            assert!(check_segment("name", ok).is_ok(), "{ok}");
        }
        for bad in [
            "", ".", "..", "a/b", "a?b", "a#b", "a%2F", "a b", "a\\b", "a\nb",
        ] {
            let e = check_segment("name", bad).unwrap_err();
            assert_eq!(e.kind(), &crate::ErrorKind::InvalidArgument, "{bad}");
        }
    }
}
