//! Retry timing through a transport double, with tokio's paused clock.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use http::{Method, StatusCode};

use super::test_support::*;
use crate::{
    ClientOptions, Error, ErrorKind, HttpClient, Pipeline, Request, Response, Result, RetryOptions,
};

/// A transport double: a closure answers, and tries are counted.
type Answer = Box<dyn Fn(&Request, usize) -> Result<Response> + Send + Sync>;

struct Scripted {
    calls: AtomicUsize,
    answer: Answer,
}

impl std::fmt::Debug for Scripted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scripted")
    }
}

#[async_trait]
impl HttpClient for Scripted {
    async fn execute(&self, request: Request) -> Result<Response> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        (self.answer)(&request, n)
    }
}

fn scripted(
    answer: impl Fn(&Request, usize) -> Result<Response> + Send + Sync + 'static,
) -> Arc<Scripted> {
    Arc::new(Scripted {
        calls: AtomicUsize::new(0),
        answer: Box::new(answer),
    })
}

fn reply(status: u16, headers: &[(&'static str, &str)]) -> Result<Response> {
    let mut h = http::HeaderMap::new();
    for (k, v) in headers {
        h.insert(*k, v.parse().unwrap());
    }
    Ok(Response::new(
        StatusCode::from_u16(status).unwrap(),
        h,
        bytes::Bytes::new(),
    ))
}

fn with_transport(t: Arc<Scripted>, retry: RetryOptions) -> Pipeline {
    Pipeline::new(
        Arc::new(TestCredential::default()),
        ClientOptions {
            transport: Some(t),
            retry,
            ..Default::default()
        },
    )
    .unwrap()
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_exactly() {
    let challenge = challenge("https://vault.azure.net", TENANT);
    let t = scripted(move |req, n| match n {
        0 => reply(401, &[("www-authenticate", &challenge)]),
        1 | 2 => {
            assert!(req.headers().contains_key("authorization"));
            reply(429, &[("retry-after", "3")])
        }
        _ => reply(200, &[]),
    });
    let pipeline = with_transport(t.clone(), RetryOptions::default());
    let start = tokio::time::Instant::now();
    let url = "https://myvault.vault.azure.net/keys".parse().unwrap();
    pipeline.send(Request::new(Method::GET, url)).await.unwrap();
    assert_eq!(t.calls.load(Ordering::SeqCst), 4);
    // 20 ms is the test credential's own delay.
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(6) + Duration::from_millis(20)
    );
}

#[tokio::test(start_paused = true)]
async fn connection_failures_are_retried_with_backoff() {
    let t = scripted(|_, _| Err(Error::new(ErrorKind::Transport, "connection refused")));
    let retry = RetryOptions {
        max_retries: 2,
        ..Default::default()
    };
    let pipeline = with_transport(t.clone(), retry);
    let start = tokio::time::Instant::now();
    let url = "https://myvault.vault.azure.net/keys".parse().unwrap();
    let err = pipeline
        .send(Request::new(Method::GET, url))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport);
    assert_eq!(t.calls.load(Ordering::SeqCst), 3);
    // Backoff 0.8 s then 1.6 s, each ±20 %.
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1920) && waited <= Duration::from_millis(2880),
        "{waited:?}"
    );
}
