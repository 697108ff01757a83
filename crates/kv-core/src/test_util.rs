//! Test doubles for code built on the pipeline (the `test-util` feature; enable it in
//! `[dev-dependencies]` only): [`FakeTransport`], an [`HttpClient`] that records every
//! request and answers from a script, a handler, or a real transport behind it.
//!
//! ```
//! # async fn demo() -> kv_core::Result<()> {
//! use std::sync::Arc;
//! use kv_core::{Endpoint, Method, Pipeline, StaticTokenCredential, test_util::FakeTransport};
//!
//! // A vault that answers the authentication challenge, then every request with `{}`.
//! let fake = Arc::new(FakeTransport::new(|_method, _path, _body| (200, "{}".into())));
//! let pipeline = Pipeline::new(Arc::new(StaticTokenCredential::new("t")), fake.options())?;
//! let endpoint = Endpoint::new("https://v.vault.azure.net".parse().expect("URL"), pipeline)?;
//! let _: serde_json::Value = endpoint.get_json(endpoint.url(["keys", "k1"])).await?;
//! assert_eq!(fake.paths(), ["GET /keys/k1"]);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```

use std::{
    fmt,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::Instant,
};

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use url::Url;

use crate::{ClientOptions, HttpClient, Request, Response, Result, RetryOptions};

/// The challenge a Key Vault sends to an unauthenticated request (tenant `tenant1`).
pub const CHALLENGE: &str = r#"Bearer authorization="https://login.microsoftonline.com/tenant1", resource="https://vault.azure.net""#;

/// Answers a request: the request and the number of tries before it (0 for the first).
type Script = dyn Fn(&Request, usize) -> Result<Response> + Send + Sync;

/// Rewrites an answer (from the script or the real transport) before the client sees it.
type MapResponse = dyn Fn(&Request, Result<Response>) -> Result<Response> + Send + Sync;

/// Extra answer headers for a method and path.
type ExtraHeaders = dyn Fn(&str, &str) -> Vec<(&'static str, String)> + Send + Sync;

enum Answer {
    Script(Box<Script>),
    Forward(Arc<dyn HttpClient>),
}

/// One request as the fake saw it, and what it answered.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The request, as sent (headers included: a test may look at them).
    pub request: Request,
    /// The status answered; `None` when the answer was an error.
    pub status: Option<StatusCode>,
    /// The answer's headers (empty for an error).
    pub response_headers: HeaderMap,
    /// When the request reached the fake.
    pub started: Instant,
    /// When the answer was ready.
    pub finished: Instant,
}

impl Exchange {
    /// The request body as JSON; `Null` when it is empty or not JSON.
    pub fn json_body(&self) -> serde_json::Value {
        serde_json::from_slice(self.request.body()).unwrap_or(serde_json::Value::Null)
    }

    /// The request's method.
    pub fn method(&self) -> &Method {
        self.request.method()
    }

    /// The request's URL without its query (the `api-version` the pipeline adds).
    pub fn url_without_query(&self) -> Url {
        let mut url = self.request.url().clone();
        url.set_query(None);
        url
    }
}

/// An [`HttpClient`] for tests: records every request it answers and answers from a
/// handler, a script, or a real transport.
///
/// - [`FakeTransport::new`]: a fake vault. It answers requests without `Authorization` with
///   the service's 401 [`CHALLENGE`] (not recorded), and the others through a handler of
///   method, path and JSON body.
/// - [`FakeTransport::scripted`]: every try answered by a closure, challenge included.
/// - [`FakeTransport::forward`]: a real transport behind, to count, time or rewrite tries.
///
/// [`with_headers`](Self::with_headers) adds headers to answers and
/// [`map_responses`](Self::map_responses) rewrites them.
pub struct FakeTransport {
    answer: Answer,
    challenge: bool,
    headers: Option<Box<ExtraHeaders>>,
    map: Option<Box<MapResponse>>,
    tries: AtomicUsize,
    exchanges: Mutex<Vec<Exchange>>,
}

impl fmt::Debug for FakeTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeTransport")
            .field("tries", &self.tries.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

/// A response with `status`, `headers` and `body` (for scripts).
///
/// # Panics
/// On a status outside 100..=999 or a header that is not valid: test input.
pub fn response(status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Response {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("test header name"),
            HeaderValue::from_str(value).expect("test header value"),
        );
    }
    Response::new(
        StatusCode::from_u16(status).expect("test status"),
        map,
        body.into(),
    )
}

impl FakeTransport {
    fn with_answer(answer: Answer, challenge: bool) -> Self {
        Self {
            answer,
            challenge,
            headers: None,
            map: None,
            tries: AtomicUsize::new(0),
            exchanges: Mutex::new(Vec::new()),
        }
    }

    /// A fake vault: the challenge for unauthenticated requests, then `handler(method,
    /// path, JSON body or Null)` gives each answer's status and body.
    pub fn new(
        handler: impl Fn(&str, &str, &serde_json::Value) -> (u16, String) + Send + Sync + 'static,
    ) -> Self {
        Self::with_answer(
            Answer::Script(Box::new(move |request, _| {
                let body =
                    serde_json::from_slice(request.body()).unwrap_or(serde_json::Value::Null);
                let (status, answer) =
                    handler(request.method().as_str(), request.url().path(), &body);
                Ok(response(status, &[], answer))
            })),
            true,
        )
    }

    /// Every try answered by `script(request, tries before this one)`, the challenge
    /// included; nothing is answered on the script's behalf.
    pub fn scripted(
        script: impl Fn(&Request, usize) -> Result<Response> + Send + Sync + 'static,
    ) -> Self {
        Self::with_answer(Answer::Script(Box::new(script)), false)
    }

    /// Every try sent on to `inner` (a real transport) and recorded with its timing.
    pub fn forward(inner: Arc<dyn HttpClient>) -> Self {
        Self::with_answer(Answer::Forward(inner), false)
    }

    /// Adds `headers(method, path)` to every recorded answer (`Azure-AsyncOperation`,
    /// `Retry-After`...).
    #[must_use]
    pub fn with_headers(
        mut self,
        headers: impl Fn(&str, &str) -> Vec<(&'static str, String)> + Send + Sync + 'static,
    ) -> Self {
        self.headers = Some(Box::new(headers));
        self
    }

    /// Passes every answer through `map(request, answer)` before the client sees it.
    #[must_use]
    pub fn map_responses(
        mut self,
        map: impl Fn(&Request, Result<Response>) -> Result<Response> + Send + Sync + 'static,
    ) -> Self {
        self.map = Some(Box::new(map));
        self
    }

    /// Client options whose transport is this fake, without retries.
    pub fn options(self: &Arc<Self>) -> ClientOptions {
        ClientOptions {
            transport: Some(self.clone()),
            retry: RetryOptions::none(),
            ..Default::default()
        }
    }

    /// Every try that reached the fake, challenged ones included.
    pub fn tries(&self) -> usize {
        self.tries.load(Ordering::SeqCst)
    }

    /// The recorded exchanges, in order (a fake vault's challenged tries are not recorded).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.lock().clone()
    }

    /// The number of recorded exchanges.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// `"METHOD /path"` of every recorded request, in order.
    pub fn paths(&self) -> Vec<String> {
        self.lock()
            .iter()
            .map(|e| format!("{} {}", e.request.method(), e.request.url().path()))
            .collect()
    }

    /// The JSON body of the `index`th recorded request (`Null` when there is none).
    pub fn json_body(&self, index: usize) -> serde_json::Value {
        self.lock()
            .get(index)
            .map(Exchange::json_body)
            .unwrap_or_default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Exchange>> {
        self.exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn challenge_response() -> Response {
        response(
            StatusCode::UNAUTHORIZED.as_u16(),
            &[(header::WWW_AUTHENTICATE.as_str(), CHALLENGE)],
            Bytes::new(),
        )
    }
}

#[async_trait]
impl HttpClient for FakeTransport {
    async fn execute(&self, request: Request) -> Result<Response> {
        let n = self.tries.fetch_add(1, Ordering::SeqCst);
        if self.challenge && !request.headers().contains_key(header::AUTHORIZATION) {
            return Ok(Self::challenge_response());
        }
        let started = Instant::now();
        let mut outcome = match &self.answer {
            Answer::Script(script) => script(&request, n),
            Answer::Forward(inner) => inner.execute(request.clone()).await,
        };
        if let (Ok(answer), Some(headers)) = (&mut outcome, &self.headers) {
            let (method, path) = (request.method().as_str(), request.url().path());
            let mut extra = HeaderMap::new();
            for (name, value) in headers(method, path) {
                extra.insert(name, HeaderValue::from_str(&value).expect("test header"));
            }
            let mut all = answer.headers().clone();
            all.extend(extra);
            *answer = Response::new(answer.status(), all, answer.body().clone());
        }
        if let Some(map) = &self.map {
            outcome = map(&request, outcome);
        }
        let (status, response_headers) = match &outcome {
            Ok(r) => (Some(r.status()), r.headers().clone()),
            Err(_) => (None, HeaderMap::new()),
        };
        self.lock().push(Exchange {
            request,
            status,
            response_headers,
            started,
            finished: Instant::now(),
        });
        outcome
    }
}

impl Default for FakeTransport {
    /// A fake vault answering every authenticated request with `200 {}`.
    fn default() -> Self {
        Self::new(|_, _, _| (200, "{}".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_forwards_adds_headers_and_rewrites() {
        let inner = Arc::new(FakeTransport::scripted(|_, n| {
            Ok(response(200, &[("x-try", &n.to_string())], "inner"))
        }));
        let fake = FakeTransport::forward(inner.clone())
            .with_headers(|method, path| vec![("x-seen", format!("{method} {path}"))])
            .map_responses(|request, outcome| {
                let answer = outcome?;
                let status = if request.url().path() == "/teapot" {
                    418
                } else {
                    200
                };
                Ok(Response::new(
                    StatusCode::from_u16(status).expect("status"),
                    answer.headers().clone(),
                    answer.body().clone(),
                ))
            });
        for path in ["/keys", "/teapot"] {
            let mut request = Request::new(
                Method::POST,
                Url::parse(&format!("https://v{path}?api-version=1")).expect("URL"),
            );
            request
                .set_json(&serde_json::json!({"path": path}))
                .expect("JSON");
            fake.execute(request).await.expect("answer");
        }
        assert_eq!((fake.tries(), fake.count(), inner.tries()), (2, 2, 2));
        assert_eq!(fake.paths(), ["POST /keys", "POST /teapot"]);
        assert_eq!(fake.json_body(1), serde_json::json!({"path": "/teapot"}));
        let exchanges = fake.exchanges();
        assert_eq!(exchanges[1].status, Some(StatusCode::IM_A_TEAPOT));
        assert_eq!(exchanges[1].response_headers["x-try"], "1");
        assert_eq!(exchanges[0].response_headers["x-seen"], "POST /keys");
        assert_eq!(exchanges[0].url_without_query().as_str(), "https://v/keys");
        assert!(exchanges[0].finished >= exchanges[0].started);
    }

    #[tokio::test]
    async fn a_fake_vault_challenges_first_and_records_only_the_rest() {
        let fake = FakeTransport::default();
        let url = Url::parse("https://v/keys/k").expect("URL");
        let challenged = fake
            .execute(Request::new(Method::GET, url.clone()))
            .await
            .expect("answer");
        assert_eq!(challenged.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenged.headers()[header::WWW_AUTHENTICATE], CHALLENGE);
        let mut authorized = Request::new(Method::GET, url);
        authorized
            .headers_mut()
            .insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer t"));
        let answer = fake.execute(authorized).await.expect("answer");
        assert_eq!(
            (answer.status(), answer.body().as_ref()),
            (StatusCode::OK, &b"{}"[..])
        );
        assert_eq!((fake.tries(), fake.count()), (2, 1));
    }
}
