//! What of a URL may be logged: `scheme://host[:port]/path`, never user info, a query (a
//! `$skiptoken`, a SAS) or a fragment.
//!
//! A leaf module: request `Debug`, the log events and the spans all print URLs through it.

use url::Url;

/// `scheme://host[:port]/path`: no user info, query or fragment.
pub(crate) fn redacted_url(url: &Url) -> String {
    let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_query_and_user_info() {
        let url = Url::parse(
            "https://user:pw@v.vault.azure.net:8443/keys/k?$skiptoken=abc&api-version=1#f",
        )
        .unwrap();
        assert_eq!(redacted_url(&url), "https://v.vault.azure.net:8443/keys/k");
    }
}
