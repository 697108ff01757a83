//! A fake Managed HSM for the administration clients' unit tests: kv-core's fake vault
//! (challenge, recorded requests, answers from a handler) plus response headers, which
//! long-running operations need (`Azure-AsyncOperation`, `Retry-After`).

use std::sync::Arc;

use kv_core::test_util::FakeTransport;

/// The test vault's URL; its host matches the challenge the fake sends.
pub(crate) const HSM: &str = "https://v.vault.azure.net";

/// Answers through `handler` (method, path, JSON body -> status, body), adding the headers
/// `headers` (method, path) names to every authenticated answer.
pub(crate) fn fake_hsm(
    handler: impl Fn(&str, &str, &serde_json::Value) -> (u16, String) + Send + Sync + 'static,
    headers: impl Fn(&str, &str) -> Vec<(&'static str, String)> + Send + Sync + 'static,
) -> Arc<FakeTransport> {
    Arc::new(FakeTransport::new(handler).with_headers(headers))
}
