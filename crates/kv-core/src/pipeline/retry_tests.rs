//! Retry timing through a transport double, with tokio's paused clock.

use std::{sync::Arc, time::Duration};

use http::Method;

use super::test_support::*;
use crate::{
    ClientOptions, Error, ErrorKind, Pipeline, Request, Response, Result, RetryOptions,
    test_util::{FakeTransport, response},
};

/// A transport double: a closure answers each try, and tries are counted.
fn scripted(
    answer: impl Fn(&Request, usize) -> Result<Response> + Send + Sync + 'static,
) -> Arc<FakeTransport> {
    Arc::new(FakeTransport::scripted(answer))
}

fn reply(status: u16, headers: &[(&'static str, &str)]) -> Result<Response> {
    Ok(response(status, headers, bytes::Bytes::new()))
}

fn with_transport(t: Arc<FakeTransport>, retry: RetryOptions) -> Pipeline {
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
    assert_eq!(t.tries(), 4);
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
    assert_eq!(t.tries(), 3);
    // Backoff 0.8 s then 1.6 s, each ±20 %.
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1920) && waited <= Duration::from_millis(2880),
        "{waited:?}"
    );
}
