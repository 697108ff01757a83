//! Shared pieces of the pipeline tests: a counting credential and a challenging vault.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use http::Method;
use time::OffsetDateTime;

use super::test_server::{Handler, Recorded, Reply};
use crate::{
    ClientOptions, Pipeline, Request, RetryOptions, TokenCredential,
    credential::{ChallengeTenant, TokenRequestOptions},
};

pub(super) const TENANT: &str = "tenant-1";

/// Issues `secret-token-<tenant>-<n>`, slowly enough for concurrent callers to pile up.
#[derive(Debug, Default)]
pub(super) struct TestCredential {
    calls: AtomicUsize,
    pub(super) seen: Mutex<Vec<(String, Option<String>)>>,
}

#[async_trait]
impl TokenCredential for TestCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<azure_core::credentials::AccessToken> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let tenant_id = options
            .as_ref()
            .and_then(|o| o.method_options.context.value::<ChallengeTenant>())
            .map(ChallengeTenant::as_str);
        self.seen
            .lock()
            .unwrap()
            .push((scopes.join(" "), tenant_id.map(str::to_owned)));
        tokio::time::sleep(Duration::from_millis(20)).await;
        let tenant = tenant_id.unwrap_or("none");
        Ok(azure_core::credentials::AccessToken::new(
            format!("secret-token-{tenant}-{n}"),
            OffsetDateTime::now_utc() + time::Duration::hours(1),
        ))
    }
}

impl TestCredential {
    pub(super) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

pub(super) fn challenge(resource: &str, tenant: &str) -> String {
    format!(
        r#"Bearer authorization="https://login.microsoftonline.com/{tenant}", resource="{resource}""#
    )
}

/// A vault that challenges any request without a token of `tenant` for `resource`, and
/// otherwise answers with `inner`.
pub(super) fn vault(
    resource: &'static str,
    tenant: &'static str,
    inner: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
) -> Handler {
    Arc::new(move |req, i| {
        let expected = format!("Bearer secret-token-{tenant}-");
        match req.header("authorization") {
            Some(auth) if auth.starts_with(&expected) => inner(req, i),
            _ => Reply::new(
                401,
                r#"{"error":{"code":"Unauthorized","message":"AKV10000"}}"#,
            )
            .header("www-authenticate", challenge(resource, tenant)),
        }
    })
}

pub(super) fn ok_json(body: &str) -> Reply {
    Reply::new(200, body).header("content-type", "application/json")
}

pub(super) fn http_pipeline(cred: Arc<TestCredential>, options: ClientOptions) -> Pipeline {
    Pipeline::builder(cred)
        .options(options)
        .danger_allow_http(true)
        .build()
        .unwrap()
}

pub(super) fn fast_retries(max_retries: u32) -> ClientOptions {
    ClientOptions {
        retry: RetryOptions {
            max_retries,
            initial_delay: Duration::from_millis(1),
            ..Default::default()
        },
        ..Default::default()
    }
}

pub(super) fn post(url: url::Url, body: &serde_json::Value) -> Request {
    let mut r = Request::new(Method::POST, url);
    r.set_json(body).unwrap();
    r
}
