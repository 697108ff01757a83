//! A fake Managed HSM for the administration clients' unit tests: the crate's
//! [`FakeVault`] (challenge, recorded requests, scripted answers) plus response headers,
//! which long-running operations need (`Azure-AsyncOperation`, `Retry-After`).

use std::sync::Arc;

use async_trait::async_trait;
use kv_core::{ClientOptions, HeaderMap, HeaderValue, HttpClient, Request, Response};

use crate::test_vault::FakeVault;

/// The test vault's URL; its host matches the challenge [`FakeVault`] sends.
pub(crate) const HSM: &str = "https://v.vault.azure.net";

type Headers = dyn Fn(&str, &str) -> Vec<(&'static str, String)> + Send + Sync;

pub(crate) struct FakeHsm {
    pub(crate) vault: Arc<FakeVault>,
    headers: Box<Headers>,
}

impl std::fmt::Debug for FakeHsm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeHsm")
    }
}

impl FakeHsm {
    /// Answers through `handler` (method, path, JSON body -> status, body), adding the
    /// headers `headers` (method, path) names to every authenticated answer.
    pub(crate) fn new(
        handler: impl Fn(&str, &str, &serde_json::Value) -> (u16, String) + Send + Sync + 'static,
        headers: impl Fn(&str, &str) -> Vec<(&'static str, String)> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            vault: FakeVault::new(handler),
            headers: Box::new(headers),
        })
    }

    /// Client options whose transport is this fake (no retries).
    pub(crate) fn options(self: &Arc<Self>) -> ClientOptions {
        ClientOptions {
            transport: Some(self.clone()),
            ..self.vault.options()
        }
    }

    /// `"METHOD /path"` of every authenticated request, in order.
    pub(crate) fn paths(&self) -> Vec<String> {
        self.vault.paths()
    }

    /// The JSON body of the `index`th authenticated request.
    pub(crate) fn body(&self, index: usize) -> serde_json::Value {
        self.vault
            .requests
            .lock()
            .map(|r| r.get(index).map(|r| r.2.clone()).unwrap_or_default())
            .unwrap_or_default()
    }
}

#[async_trait]
impl HttpClient for FakeHsm {
    async fn execute(&self, request: Request) -> kv_core::Result<Response> {
        let method = request.method().to_string();
        let path = request.url().path().to_owned();
        let authenticated = request.headers().contains_key("authorization");
        let response = self.vault.execute(request).await?;
        if !authenticated {
            return Ok(response);
        }
        let mut headers = HeaderMap::new();
        for (name, value) in (self.headers)(&method, &path) {
            headers.insert(
                name,
                HeaderValue::from_str(&value).expect("test header value"),
            );
        }
        Ok(Response::new(
            response.status(),
            headers,
            response.body().clone(),
        ))
    }
}
