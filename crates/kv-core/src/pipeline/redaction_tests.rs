//! Redaction: TRACE logs of a whole flow hold no token, key material or query string.

use std::sync::{Arc, Mutex};

use futures::TryStreamExt;
use http::{Method, StatusCode};

use super::test_server::{Reply, TestServer};
use super::test_support::*;
use crate::{ClientOptions, ErrorKind, Pager, Pipeline, Request, Response};

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn trace_logs_of_a_whole_flow_hold_no_secrets() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    // With a single registered dispatcher, tracing-core computes a callsite's interest from
    // the default of whichever thread registers it first, so a callsite first reached by a
    // test on another thread would stay disabled here. A second live dispatcher makes it ask
    // every registered one; then every callsite asks again.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();

    let server = TestServer::https(vault("https://localhost", TENANT, |req, i| {
        let page = req.query.as_deref().unwrap_or("").contains("skiptoken");
        match (req.path.as_str(), i) {
            (_, 1) => Reply::new(429, "").header("retry-after-ms", "1"),
            ("/keys/missing", _) => Reply::new(404, r#"{"error":{"code":"KeyNotFound","message":"A key with (name/id) missing was not found in this key vault."}}"#),
            ("/keys", _) if !page => {
                let host = req.header("host").unwrap_or_default();
                ok_json(&format!(r#"{{"value":[1],"nextLink":"https://{host}/keys?api-version=2025-07-01&$skiptoken=SKIPTOKEN-SECRET"}}"#))
            }
            ("/keys", _) => ok_json(r#"{"value":[2]}"#),
            _ => ok_json(r#"{"key":{"kid":"k","k":"KEYMATERIAL-RESPONSE"}}"#),
        }
    }))
    .await;
    let cred = Arc::new(TestCredential::default());
    let options = ClientOptions {
        extra_ca_certificates_pem: vec![server.ca_pem.clone().unwrap().into_bytes()],
        ..fast_retries(3)
    };
    let pipeline = Pipeline::new(cred.clone(), options).unwrap();
    let body = serde_json::json!({"kty": "oct", "k": "KEYMATERIAL-REQUEST"});
    pipeline
        .send(post(server.url("keys/k1/import"), &body))
        .await
        .unwrap();
    let err = pipeline
        .send(Request::new(Method::GET, server.url("keys/missing")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ResourceNotFound);
    let items: Vec<u32> = Pager::<u32>::from_next_link(pipeline.clone(), server.url("keys"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, [1, 2]);
    assert_eq!(cred.calls(), 1);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for secret in [
        "secret-token",
        "Bearer",
        "KEYMATERIAL",
        "SKIPTOKEN",
        "skiptoken",
        "api-version",
    ] {
        assert!(
            !logs.contains(secret),
            "`{secret}` leaked into the logs:\n{logs}"
        );
    }
    // The logs do describe the flow.
    for expected in [
        "keyvault.request",
        "method=POST",
        "/keys/k1/import",
        "status=429",
        "retries=1",
        "status=404",
        "duration_ms=",
        "vault challenged",
    ] {
        assert!(
            logs.contains(expected),
            "`{expected}` missing from the logs:\n{logs}"
        );
    }
    // Debug of the error and of requests and responses is clean too.
    let mut request = post(server.url("keys/k?$skiptoken=SKIPTOKEN-SECRET"), &body);
    request
        .headers_mut()
        .insert("authorization", "Bearer secret-token-x".parse().unwrap());
    let response = Response::new(StatusCode::OK, http::HeaderMap::new(), "KEYMATERIAL".into());
    let texts = [
        format!("{err:?}"),
        format!("{err}"),
        format!("{request:?}"),
        format!("{response:?}"),
    ];
    for text in texts {
        for secret in ["secret-token", "KEYMATERIAL", "SKIPTOKEN"] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}
