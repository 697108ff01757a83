//! Pipeline tests against the local test server: challenge, TLS, http refusal, token
//! single-flight, retries, paging and polling.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use futures::TryStreamExt;
use http::{Method, StatusCode};

use super::test_server::{Recorded, Reply, TestServer};
use super::test_support::*;
use crate::{
    ClientOptions, ContinuationToken, Error, ErrorKind, Pager, Pipeline, PollStep, Poller,
    PollerOptions, PollerStatus, Request, RetryOptions,
};

#[tokio::test]
async fn challenge_flow_over_https_with_extra_ca() {
    let server = TestServer::https(vault("https://localhost", TENANT, |_, _| {
        ok_json(r#"{"ok":true}"#)
    }))
    .await;
    let cred = Arc::new(TestCredential::default());
    let options = ClientOptions {
        extra_ca_certificates_pem: vec![server.ca_pem.clone().unwrap().into_bytes()],
        ..Default::default()
    };
    let pipeline = Pipeline::new(cred.clone(), options).unwrap();
    let body = serde_json::json!({"kty": "RSA", "key_size": 2048});
    let response = pipeline
        .send(post(server.url("keys/k1/create"), &body))
        .await
        .unwrap();
    assert_eq!(response.json::<serde_json::Value>().unwrap()["ok"], true);

    let seen = server.requests();
    assert_eq!(seen.len(), 2, "challenge, then the authorized request");
    for r in &seen {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/keys/k1/create")
        );
    }
    assert!(seen[0].header("authorization").is_none());
    assert!(
        seen[0].body.is_empty(),
        "the body is held back until authorized"
    );
    assert_eq!(
        seen[1].header("authorization"),
        Some("Bearer secret-token-tenant-1-0")
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&seen[1].body).unwrap(),
        body
    );
    assert_eq!(seen[1].header("content-type"), Some("application/json"));
    for r in &seen {
        assert_eq!(r.query.as_deref(), Some("api-version=2025-07-01"));
        assert_eq!(
            r.header("user-agent"),
            Some(concat!("keyvault-rs/", env!("CARGO_PKG_VERSION")))
        );
    }
    let id = seen[0].header("x-ms-client-request-id").unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    assert_eq!(
        seen[1].header("x-ms-client-request-id"),
        Some(id),
        "one id per call"
    );
    assert_eq!(
        *cred.seen.lock().unwrap(),
        [(
            "https://localhost/.default".to_owned(),
            Some(TENANT.to_owned())
        )]
    );

    // The challenge and the token are cached: the next call is one request, no fetch.
    pipeline
        .send(Request::new(Method::GET, server.url("keys/k1")))
        .await
        .unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    assert_ne!(seen[2].header("x-ms-client-request-id"), Some(id));
    assert_eq!(cred.calls(), 1);

    // Without the extra CA the server's certificate is not trusted.
    let untrusting = Pipeline::new(
        cred,
        ClientOptions {
            retry: RetryOptions::none(),
            ..Default::default()
        },
    )
    .unwrap();
    let err = untrusting
        .send(Request::new(Method::GET, server.url("keys/k1")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport, "{err:?}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn bad_extra_ca_is_rejected_at_build() {
    let options = ClientOptions {
        extra_ca_certificates_pem: vec![b"not a certificate".to_vec()],
        ..Default::default()
    };
    let err = Pipeline::new(Arc::new(TestCredential::default()), options).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn challenge_resource_mismatch_is_rejected() {
    let server = TestServer::http(vault("https://vault.azure.net", TENANT, |_, _| {
        ok_json("{}")
    }))
    .await;
    let cred = Arc::new(TestCredential::default());
    let pipeline = http_pipeline(cred.clone(), ClientOptions::default());
    let err = pipeline
        .send(Request::new(Method::GET, server.url("keys")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Authentication);
    assert!(err.message().contains("vault.azure.net"), "{err}");
    assert_eq!(
        cred.calls(),
        0,
        "no token is fetched for a foreign resource"
    );
    assert_eq!(server.requests().len(), 1);

    // Opting out accepts it.
    let lenient = http_pipeline(
        cred.clone(),
        ClientOptions {
            verify_challenge_resource: false,
            ..Default::default()
        },
    );
    lenient
        .send(Request::new(Method::GET, server.url("keys")))
        .await
        .unwrap();
    assert_eq!(
        cred.seen.lock().unwrap()[0].0,
        "https://vault.azure.net/.default"
    );
}

#[tokio::test]
async fn plain_http_is_refused_before_any_request() {
    let server = TestServer::http(vault("http://127.0.0.1", TENANT, |_, _| ok_json("{}"))).await;
    let cred = Arc::new(TestCredential::default());
    let pipeline = Pipeline::new(cred.clone(), ClientOptions::default()).unwrap();
    let err = pipeline
        .send(Request::new(Method::GET, server.url("keys")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Authentication);
    assert!(err.message().contains("plain http"), "{err}");
    assert!(server.requests().is_empty());
    assert_eq!(cred.calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_requests_fetch_one_token() {
    let server = TestServer::http(vault("http://127.0.0.1", TENANT, |_, _| ok_json("{}"))).await;
    let cred = Arc::new(TestCredential::default());
    let pipeline = http_pipeline(cred.clone(), ClientOptions::default());
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let pipeline = pipeline.clone();
            let url = server.url(&format!("keys/k{i}"));
            tokio::spawn(async move { pipeline.send(Request::new(Method::GET, url)).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().status(), StatusCode::OK);
    }
    assert_eq!(cred.calls(), 1);
    let authorized = server
        .requests()
        .iter()
        .filter(|r| r.header("authorization").is_some())
        .count();
    assert_eq!(authorized, 100);
}

#[tokio::test]
async fn new_tenant_in_a_later_challenge_is_followed() {
    let tenant = Arc::new(Mutex::new("tenant-1"));
    let current = tenant.clone();
    let server = TestServer::http(Arc::new(move |req: &Recorded, _| {
        let t = *current.lock().unwrap();
        match req.header("authorization") {
            Some(a) if a.starts_with(&format!("Bearer secret-token-{t}-")) => ok_json("{}"),
            _ => Reply::new(401, "").header("www-authenticate", challenge("http://127.0.0.1", t)),
        }
    }))
    .await;
    let cred = Arc::new(TestCredential::default());
    let pipeline = http_pipeline(cred.clone(), ClientOptions::default());
    pipeline
        .send(Request::new(Method::GET, server.url("keys")))
        .await
        .unwrap();
    *tenant.lock().unwrap() = "tenant-2";
    pipeline
        .send(Request::new(Method::GET, server.url("keys")))
        .await
        .unwrap();
    let tenants: Vec<Option<String>> = cred
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.1.clone())
        .collect();
    assert_eq!(tenants, [Some("tenant-1".into()), Some("tenant-2".into())]);
    // challenge, ok, 401 (new tenant), ok
    assert_eq!(server.requests().len(), 4);

    // A vault that keeps refusing gets one fresh try, then the 401 is the caller's.
    *tenant.lock().unwrap() = "tenant-3";
    let before = server.requests().len();
    let stubborn = TestServer::http(Arc::new(|_: &Recorded, _| {
        Reply::new(401, "").header("www-authenticate", challenge("http://127.0.0.1", "t"))
    }))
    .await;
    let err = pipeline
        .send(Request::new(Method::GET, stubborn.url("keys")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Unauthorized);
    assert_eq!(
        stubborn.requests().len(),
        3,
        "challenge, token, fresh token; no retries"
    );
    assert_eq!(server.requests().len(), before);
}

#[tokio::test]
async fn bad_request_is_not_retried() {
    let body = r#"{"error":{"code":"BadParameter","message":"Property has invalid value"}}"#;
    let server = TestServer::http(vault("http://127.0.0.1", TENANT, move |_, _| {
        Reply::new(400, body)
    }))
    .await;
    let pipeline = http_pipeline(Arc::new(TestCredential::default()), fast_retries(5));
    let err = pipeline
        .send(post(server.url("keys/k/create"), &serde_json::json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::BadRequest);
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(err.error_code(), Some("BadParameter"));
    assert_eq!(err.message(), "Property has invalid value");
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 2, "challenge and one try");
}

#[tokio::test]
async fn throttling_is_retried_then_succeeds_and_retries_are_bounded() {
    let server = TestServer::http(vault("http://127.0.0.1", TENANT, |_, i| {
        // Request 0 is the challenge; 1 and 2 are throttled.
        if i <= 2 {
            Reply::new(429, "").header("retry-after-ms", "5")
        } else {
            ok_json("{}")
        }
    }))
    .await;
    let pipeline = http_pipeline(Arc::new(TestCredential::default()), fast_retries(3));
    pipeline
        .send(Request::new(Method::GET, server.url("keys")))
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 4);

    let failing = TestServer::http(vault("http://127.0.0.1", TENANT, |_, _| {
        Reply::new(503, "").header("x-ms-retry-after-ms", "1")
    }))
    .await;
    let err = pipeline
        .send(Request::new(Method::GET, failing.url("keys")))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.status()),
        (&ErrorKind::Service, Some(StatusCode::SERVICE_UNAVAILABLE))
    );
    assert!(err.is_retryable());
    assert_eq!(
        failing.requests().len(),
        1 + 4,
        "challenge, then 1 try + 3 retries"
    );
}

#[tokio::test]
async fn pager_follows_next_links() {
    let server = TestServer::http(vault("http://127.0.0.1", TENANT, |req, _| {
        let page = req.query.as_deref().and_then(|q| q.split('&').find_map(|p| p.strip_prefix("$skiptoken=")));
        let base = req.header("host").map(|h| format!("http://{h}")).unwrap_or_default();
        match page {
            None => ok_json(&format!(
                r#"{{"value":[{{"kid":"a"}},{{"kid":"b"}}],"nextLink":"{base}/keys?api-version=2025-07-01&$skiptoken=2"}}"#
            )),
            Some("2") => ok_json(&format!(
                r#"{{"value":[],"nextLink":"{base}/keys?api-version=2025-07-01&$skiptoken=3"}}"#
            )),
            Some(_) => ok_json(r#"{"value":[{"kid":"c"}],"nextLink":null}"#),
        }
    }))
    .await;
    let pipeline = http_pipeline(
        Arc::new(TestCredential::default()),
        ClientOptions::default(),
    );
    let pager = Pager::<serde_json::Value>::from_next_link(pipeline.clone(), server.url("keys"));
    let kids: Vec<String> = pager
        .map_ok(|v| v["kid"].as_str().unwrap_or_default().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(kids, ["a", "b", "c"]);
    let queries: Vec<Option<String>> = server
        .requests()
        .into_iter()
        .skip(1)
        .map(|r| r.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("api-version=2025-07-01".to_owned()),
            Some("api-version=2025-07-01&$skiptoken=2".to_owned()),
            Some("api-version=2025-07-01&$skiptoken=3".to_owned()),
        ]
    );
    let pages: Vec<_> = Pager::<serde_json::Value>::from_next_link(pipeline, server.url("keys"))
        .into_pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.value.len()).collect::<Vec<_>>(),
        [2, 0, 1]
    );
}

/// A poller over the service's operation-status shape, as a client would build it: the token
/// is the status URL.
fn status_poller(pipeline: Pipeline, token: ContinuationToken) -> Poller<serde_json::Value> {
    Poller::new(
        token,
        PollerOptions {
            frequency: Duration::ZERO,
        },
        move |token| {
            let pipeline = pipeline.clone();
            async move {
                let url = token
                    .as_str()
                    .parse()
                    .map_err(|e| Error::decode("bad token", e))?;
                let response = pipeline.send(Request::new(Method::GET, url)).await?;
                let retry_after = response.retry_after();
                let body: serde_json::Value = response.json()?;
                let status: PollerStatus = body["status"]
                    .as_str()
                    .unwrap_or("")
                    .parse()
                    .unwrap_or(PollerStatus::InProgress);
                let done = status == PollerStatus::Succeeded;
                Ok(PollStep {
                    status,
                    value: done.then_some(body),
                    retry_after,
                    continuation_token: None,
                })
            }
        },
    )
}

#[tokio::test]
async fn poller_completes_and_resumes_from_its_token() {
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = polls.clone();
    let server = TestServer::http(vault("http://127.0.0.1", TENANT, move |_, _| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        if n < 3 {
            ok_json(r#"{"status":"InProgress"}"#).header("retry-after", "0")
        } else {
            ok_json(r#"{"status":"Succeeded","azureStorageBlobContainerUri":"https://b/c"}"#)
        }
    }))
    .await;
    let pipeline = http_pipeline(
        Arc::new(TestCredential::default()),
        ClientOptions::default(),
    );
    let token = ContinuationToken::new(server.url("backup/op1/pending").to_string());

    let mut first = status_poller(pipeline.clone(), token);
    let step = first.try_next().await.unwrap().unwrap();
    assert_eq!(step.status, PollerStatus::InProgress);
    let saved = first.continuation_token();
    drop(first);

    let resumed = status_poller(pipeline, ContinuationToken::new(saved.as_str()));
    let value = resumed.await.unwrap();
    assert_eq!(value["azureStorageBlobContainerUri"], "https://b/c");
    assert_eq!(polls.load(Ordering::SeqCst), 4);
}
