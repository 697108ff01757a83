//! A scripted fake vault behind the pipeline's transport trait, for unit tests: it answers
//! the authentication challenge like the service, records every authenticated request and
//! answers through a handler.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use kv_core::{ClientOptions, HeaderMap, HttpClient, Request, Response, RetryOptions, StatusCode};

/// One recorded request: method, path, JSON body (or `Null`).
pub(crate) type Recorded = (String, String, serde_json::Value);

type Handler = dyn Fn(&str, &str, &serde_json::Value) -> (u16, String) + Send + Sync;

pub(crate) struct FakeVault {
    pub(crate) requests: Mutex<Vec<Recorded>>,
    handler: Box<Handler>,
}

impl std::fmt::Debug for FakeVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeVault")
    }
}

impl FakeVault {
    pub(crate) fn new(
        handler: impl Fn(&str, &str, &serde_json::Value) -> (u16, String) + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            requests: Mutex::new(Vec::new()),
            handler: Box::new(handler),
        })
    }

    pub(crate) fn options(self: &Arc<Self>) -> ClientOptions {
        ClientOptions {
            transport: Some(self.clone()),
            retry: RetryOptions::none(),
            ..Default::default()
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.requests.lock().map(|r| r.len()).unwrap_or(0)
    }

    pub(crate) fn paths(&self) -> Vec<String> {
        self.requests
            .lock()
            .map(|r| r.iter().map(|(m, p, _)| format!("{m} {p}")).collect())
            .unwrap_or_default()
    }
}

#[async_trait]
impl HttpClient for FakeVault {
    async fn execute(&self, request: Request) -> kv_core::Result<Response> {
        if !request.headers().contains_key("authorization") {
            let mut headers = HeaderMap::new();
            headers.insert(
                "www-authenticate",
                r#"Bearer authorization="https://login.microsoftonline.com/t1", resource="https://vault.azure.net""#
                    .parse()
                    .expect("static header"),
            );
            return Ok(Response::new(
                StatusCode::UNAUTHORIZED,
                headers,
                Bytes::new(),
            ));
        }
        let body = serde_json::from_slice(request.body()).unwrap_or(serde_json::Value::Null);
        let method = request.method().to_string();
        let path = request.url().path().to_owned();
        let (status, answer) = (self.handler)(&method, &path, &body);
        if let Ok(mut r) = self.requests.lock() {
            r.push((method, path, body));
        }
        Ok(Response::new(
            StatusCode::from_u16(status).expect("valid status"),
            HeaderMap::new(),
            Bytes::from(answer),
        ))
    }
}
