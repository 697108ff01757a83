//! The per-call headers and query: `x-ms-client-request-id`, `User-Agent`, `api-version`.

use http::{HeaderName, HeaderValue, header};

use crate::transport::Request;

/// The client request id header; kept across retries so the service can correlate tries.
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-client-request-id");

/// `keyvault-rs/<version>`, plus the caller's suffix when it is a valid header value.
pub(crate) fn user_agent(suffix: Option<&str>) -> HeaderValue {
    let base = concat!("keyvault-rs/", env!("CARGO_PKG_VERSION"));
    suffix
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| HeaderValue::from_str(&format!("{base} {}", s.trim())).ok())
        .unwrap_or_else(|| HeaderValue::from_static(base))
}

/// Adds what the caller has not set: a fresh request id, the user agent, the api-version.
pub(crate) fn apply(request: &mut Request, user_agent: &HeaderValue, api_version: &str) {
    let headers = request.headers_mut();
    if !headers.contains_key(&CLIENT_REQUEST_ID) {
        let id = uuid::Uuid::new_v4().hyphenated().to_string();
        if let Ok(value) = HeaderValue::from_str(&id) {
            headers.insert(CLIENT_REQUEST_ID, value);
        }
    }
    if !headers.contains_key(header::USER_AGENT) {
        headers.insert(header::USER_AGENT, user_agent.clone());
    }
    let url = request.url_mut();
    if !url.query_pairs().any(|(k, _)| k == "api-version") {
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;
    use url::Url;

    #[test]
    fn sets_missing_values_only() {
        let ua = user_agent(Some("myapp/1"));
        assert_eq!(
            ua,
            concat!("keyvault-rs/", env!("CARGO_PKG_VERSION"), " myapp/1")
        );
        assert_eq!(user_agent(Some("bad\nvalue")), user_agent(None));

        let mut r = Request::new(
            Method::GET,
            Url::parse("https://v.vault.azure.net/keys?maxresults=2").unwrap(),
        );
        apply(&mut r, &ua, "2025-07-01");
        assert_eq!(r.url().query(), Some("maxresults=2&api-version=2025-07-01"));
        let id = r.headers()[&CLIENT_REQUEST_ID].to_str().unwrap().to_owned();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);

        // A next link already carries its api-version; a caller's request id is kept.
        let mut r = Request::new(
            Method::GET,
            Url::parse("https://v/keys?api-version=7.6&$skiptoken=x").unwrap(),
        );
        r.headers_mut()
            .insert(CLIENT_REQUEST_ID, HeaderValue::from_static("mine"));
        apply(&mut r, &ua, "2025-07-01");
        assert_eq!(r.url().query(), Some("api-version=7.6&$skiptoken=x"));
        assert_eq!(r.headers()[&CLIENT_REQUEST_ID], "mine");
    }
}
